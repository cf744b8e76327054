// The decoder's compressed events: MySQL's TRANSACTION_PAYLOAD and
// MariaDB's QUERY_COMPRESSED and *_ROWS_COMPRESSED (log_bin_compress=ON).
// Both are decompressed into reused buffers and decoded as the events they
// stand for, at the offset of the compressed event.

#include <utility>

#include "binlog/bytes.hpp"
#include "binlog/compression.hpp"
#include "binlog/decoder.hpp"
#include "binlog/query_event.hpp"
#include "binlog/rows_event.hpp"
#include "binlog/transaction_payload.hpp"

namespace binlog {

namespace {

// Buffers that grew past this are given back after use, so that one huge
// transaction does not pin its memory for the rest of the stream.
constexpr size_t keep_buffer_bytes = size_t{64} << 20;

void trim(std::vector<uint8_t>& buffer) {
  if (buffer.capacity() > keep_buffer_bytes)
    std::vector<uint8_t>{}.swap(buffer);
}

// Clears the "inside a payload" note of error messages on every way out.
struct nested_scope {
  std::string& note;
  ~nested_scope() {
    note.clear();
  }
};

} // namespace

error decoder::on_payload(const uint8_t* body, size_t size, uint64_t offset,
                          uint64_t next) {
  if (!nested_.empty())
    return fail(errc::corrupt_event, offset,
                "TRANSACTION_PAYLOAD inside a TRANSACTION_PAYLOAD");
  transaction_payload_header header;
  if (auto err = parse_transaction_payload_header(body, size, header))
    return fail(errc::corrupt_event, offset, err.message);
  const uint8_t* payload = body + header.header_size;
  auto payload_size = static_cast<size_t>(header.payload_size);
  const uint8_t* events = payload;
  size_t events_size = payload_size;
  if (header.compression == payload_compression::zstd) {
    if (header.uncompressed_size > max_uncompressed_)
      return fail(errc::corrupt_event, offset,
                  "TRANSACTION_PAYLOAD announces "
                    + std::to_string(header.uncompressed_size)
                    + " uncompressed bytes, more than the limit of "
                    + std::to_string(max_uncompressed_));
    if (auto err = zstd_.decompress(
          payload, payload_size, static_cast<size_t>(header.uncompressed_size),
          max_uncompressed_, payload_buf_)) {
      trim(payload_buf_);
      return fail(errc::corrupt_event, offset,
                  "TRANSACTION_PAYLOAD " + err.message);
    }
    events = payload_buf_.data();
    events_size = payload_buf_.size();
  }
  // The events inside carry no checksum and their log_pos is 0: decode them
  // as if they stood at the payload's offset, one after the other.
  nested_scope scope{nested_};
  error result;
  size_t at = 0;
  while (at < events_size) {
    nested_ = " (inside TRANSACTION_PAYLOAD, event at uncompressed byte "
              + std::to_string(at) + ")";
    if (events_size - at < header_size) {
      result = fail(errc::corrupt_event, offset,
                    "payload ends inside an event header ("
                      + std::to_string(events_size - at) + " of "
                      + std::to_string(header_size) + " bytes)");
      break;
    }
    auto h = parse_header(events + at);
    if (h.event_size < header_size || h.event_size > events_size - at) {
      result = fail(errc::corrupt_event, offset,
                    "event length " + std::to_string(h.event_size)
                      + " does not fit the " + std::to_string(events_size - at)
                      + " bytes left in the payload");
      break;
    }
    switch (h.type) {
      case event_type::format_description:
      case event_type::rotate:
      case event_type::transaction_payload:
      case event_type::mariadb_start_encryption:
        result = fail(errc::corrupt_event, offset,
                      std::string{to_string(h.type)}
                        + " event cannot be part of a transaction");
        break;
      default:
        ++stats_.events;
        ++stats_.events_by_type[static_cast<uint8_t>(h.type)];
        result = dispatch(h, events + at + header_size,
                          h.event_size - header_size, offset, next);
    }
    if (result)
      break;
    at += h.event_size;
  }
  trim(payload_buf_);
  return result;
}

error decoder::inflate(const uint8_t* p, const uint8_t* end) {
  uint32_t size = 0;
  size_t head = 0;
  auto err = mariadb_compressed_header(p, end, size, head);
  if (!err && size > max_uncompressed_)
    err = {errc::corrupt_event,
           "announces " + std::to_string(size)
             + " uncompressed bytes, more than the limit of "
             + std::to_string(max_uncompressed_)};
  if (!err) {
    event_buf_.clear();
    err = zlib_uncompress(p + head, static_cast<size_t>(end - p) - head, size,
                          event_buf_);
  }
  if (err)
    trim(event_buf_);
  return err;
}

error decoder::on_compressed_query(const event_header& h, const uint8_t* body,
                                   size_t size, uint64_t offset,
                                   uint64_t next) {
  // As MariaDB's query_event_uncompress: the post-header, status variables
  // and database name stay as they are, the statement is compressed.
  query_event query;
  if (auto err = parse_query_event(h.type, format_.post_header(h.type), body,
                                   size, query))
    return fail(err, offset);
  if (auto err = inflate(body + query.head_size, body + size))
    return fail(errc::corrupt_event, offset,
                std::string{to_string(h.type)} + " " + err.message);
  query.statement = {reinterpret_cast<const char*>(event_buf_.data()),
                     event_buf_.size()};
  auto err = on_query(h, query, offset, next);
  trim(event_buf_);
  return err;
}

error decoder::on_compressed_rows(const event_header& h, const uint8_t* body,
                                  size_t size, uint64_t offset) {
  // As MariaDB's row_log_event_uncompress: the rows event's head up to the
  // column bitmaps stays as it is, the row images are compressed. The event
  // keeps its compressed type: row_op_of and the post-header lengths know
  // it, and error messages then name what was read.
  rows_event event;
  if (parse_rows_event(h.type, format_.post_header(h.type), body, size, event))
    return fail(errc::corrupt_event, offset,
                std::string{to_string(h.type)} + " event header is corrupt");
  if (auto err = inflate(body + event.head_size, body + size))
    return fail(errc::corrupt_event, offset,
                std::string{to_string(h.type)} + " " + err.message);
  auto err = on_row_images(h, event, event_buf_.data(),
                           event_buf_.data() + event_buf_.size(), offset);
  trim(event_buf_);
  return err;
}

} // namespace binlog
