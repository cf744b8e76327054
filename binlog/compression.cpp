#include "binlog/compression.hpp"

#include <algorithm>

#include <zlib.h>
#include <zstd.h>

#include "binlog/bytes.hpp"

namespace binlog {

zstd_decompressor::zstd_decompressor() = default;

zstd_decompressor::~zstd_decompressor() {
  if (ctx_ != nullptr)
    ZSTD_freeDCtx(ctx_);
}

error zstd_decompressor::decompress(const uint8_t* src, size_t size,
                                    size_t size_hint, size_t limit,
                                    std::vector<uint8_t>& out) {
  if (ctx_ == nullptr) {
    ctx_ = ZSTD_createDCtx();
    if (ctx_ == nullptr)
      return {errc::corrupt_event,
              "cannot create a zstd decompression context"};
  } else {
    ZSTD_DCtx_reset(ctx_, ZSTD_reset_session_only);
  }
  // The window a frame may ask for is bounded too, by the output limit
  // (and zstd's default of 128 MiB): a forged header must not make zstd
  // allocate more than we would accept as output.
  int window_log = 10; // ZSTD_WINDOWLOG_ABSOLUTEMIN
  while (window_log < 27 && (size_t{1} << window_log) < limit)
    ++window_log;
  ZSTD_DCtx_setParameter(ctx_, ZSTD_d_windowLogMax, window_log);
  constexpr size_t min_room = 64 * 1024;
  size_t room = std::min(std::max(size_hint, min_room), limit);
  if (out.size() < room)
    out.resize(room);
  ZSTD_inBuffer in{src, size, 0};
  ZSTD_outBuffer dst{out.data(), out.size(), 0};
  for (;;) {
    if (dst.pos == dst.size) {
      if (dst.size >= limit) {
        out.clear();
        return {errc::corrupt_event, "decompresses to more than the limit of "
                                       + std::to_string(limit) + " bytes"};
      }
      out.resize(std::min(std::max(dst.size * 2, min_room), limit));
      dst.dst = out.data();
      dst.size = out.size();
    }
    auto rc = ZSTD_decompressStream(ctx_, &dst, &in);
    if (ZSTD_isError(rc)) {
      out.clear();
      return {errc::corrupt_event,
              std::string{"zstd: "} + ZSTD_getErrorName(rc)};
    }
    if (in.pos == in.size) {
      if (rc == 0)
        break; // the last frame is complete and flushed
      if (dst.pos < dst.size) {
        // zstd wants more input, and there is none
        out.clear();
        return {errc::corrupt_event,
                "zstd: the compressed data ends inside a frame"};
      }
    }
  }
  out.resize(dst.pos);
  return {};
}

error mariadb_compressed_header(const uint8_t* p, const uint8_t* end,
                                uint32_t& uncompressed_size,
                                size_t& header_size) {
  if (p >= end)
    return {errc::corrupt_event, "the compressed body is empty"};
  uint8_t flags = p[0];
  if ((flags & 0x80) == 0)
    return {errc::corrupt_event,
            "the compressed body does not start with a compression header"};
  unsigned algorithm = (flags & 0x70) >> 4;
  if (algorithm != 0)
    return {errc::corrupt_event, "unknown compression algorithm "
                                   + std::to_string(algorithm)
                                   + " (only zlib, 0, is defined)"};
  size_t n = flags & 0x07;
  if (n < 1 || n > 4)
    return {errc::corrupt_event, "compression header gives a length of "
                                   + std::to_string(n)
                                   + " bytes (1 to 4 are valid)"};
  if (static_cast<size_t>(end - p) < 1 + n)
    return {errc::corrupt_event,
            "the compression header runs past the end of the event"};
  uncompressed_size = static_cast<uint32_t>(load_be(p + 1, n));
  header_size = 1 + n;
  return {};
}

error zlib_uncompress(const uint8_t* src, size_t size, size_t expected,
                      std::vector<uint8_t>& out) {
  auto old = out.size();
  out.resize(old + expected + 1); // one spare byte reveals a longer stream
  uLongf produced = static_cast<uLongf>(expected + 1);
  int rc = ::uncompress(reinterpret_cast<Bytef*>(out.data() + old), &produced,
                        reinterpret_cast<const Bytef*>(src),
                        static_cast<uLong>(size));
  if (rc != Z_OK) {
    out.resize(old);
    switch (rc) {
      case Z_BUF_ERROR:
        // Either more output than announced or a stream cut short.
        return {errc::corrupt_event,
                "zlib data does not decompress to the announced "
                  + std::to_string(expected) + " bytes"};
      case Z_MEM_ERROR:
        return {errc::corrupt_event, "zlib: out of memory"};
      default:
        return {errc::corrupt_event, "zlib data is corrupt"};
    }
  }
  if (produced != expected) {
    out.resize(old);
    return {errc::corrupt_event,
            "zlib data decompresses to " + std::to_string(produced)
              + " bytes, the header announced " + std::to_string(expected)};
  }
  out.resize(old + expected);
  return {};
}

} // namespace binlog
