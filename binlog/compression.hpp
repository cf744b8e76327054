#pragma once

// Decompression of compressed binlog events: MySQL's TRANSACTION_PAYLOAD
// (zstd) and MariaDB's log_bin_compress events (zlib with a small header of
// their own). Output goes into buffers that the caller reuses, and no input
// makes us allocate more than the configured limit.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "binlog/error.hpp"

struct ZSTD_DCtx_s;

namespace binlog {

/// The default bound on one decompressed payload or event (1 GiB). A
/// header that claims more is refused instead of trusted.
constexpr size_t default_max_uncompressed = size_t{1} << 30;

/// A zstd decompression context, kept across events to save its setup.
class zstd_decompressor {
public:
  zstd_decompressor();
  ~zstd_decompressor();
  zstd_decompressor(const zstd_decompressor&) = delete;
  zstd_decompressor& operator=(const zstd_decompressor&) = delete;

  /// Decompresses the zstd frame(s) in [src, src + size) into `out`
  /// (resized to the result). `size_hint` (0 when unknown) reserves room up
  /// front; more than `limit` bytes of output is an error
  /// (errc::corrupt_event, as is a broken frame).
  error decompress(const uint8_t* src, size_t size, size_t size_hint,
                   size_t limit, std::vector<uint8_t>& out);

private:
  ZSTD_DCtx_s* ctx_ = nullptr;
};

/// MariaDB's compressed-body header (sql/log_event.cc, binlog_buf_compress):
/// one byte 0x80 | (algorithm << 4) | n, then the uncompressed length in n
/// (1 to 4) big-endian bytes, then the zlib stream. Reads the header at
/// [p, end) and sets the length and the header size.
error mariadb_compressed_header(const uint8_t* p, const uint8_t* end,
                                uint32_t& uncompressed_size,
                                size_t& header_size);

/// Inflates a zlib stream that must produce exactly `expected` bytes, which
/// are appended to `out`.
error zlib_uncompress(const uint8_t* src, size_t size, size_t expected,
                      std::vector<uint8_t>& out);

} // namespace binlog
