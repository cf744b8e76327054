#pragma once

// MySQL's TRANSACTION_PAYLOAD event (binlog_transaction_compression=ON): a
// header of type-length-value fields, then the transaction's events, whole
// and without checksums, compressed as one block.

#include <cstddef>
#include <cstdint>
#include <string>

#include "binlog/error.hpp"

namespace binlog {

/// Compression types (libs/mysql/binlog/event/compression/base.h).
namespace payload_compression {
constexpr uint64_t zstd = 0;
constexpr uint64_t none = 255;
} // namespace payload_compression

struct transaction_payload_header {
  uint64_t compression = payload_compression::none;
  /// Bytes of (compressed) payload after the header.
  uint64_t payload_size = 0;
  /// Informational: 0 when the header leaves it out.
  uint64_t uncompressed_size = 0;
  /// Bytes the header takes, end mark included.
  size_t header_size = 0;
};

/// Parses the TLV header at the start of a TRANSACTION_PAYLOAD body (after
/// the common header, without the checksum), as MySQL's
/// codecs::binary::Transaction_payload::decode does: fields 1 (payload
/// size), 2 (compression type), 3 (uncompressed size), each a packed type,
/// a packed length and a packed value; unknown fields are skipped by their
/// length; 0 ends the header. Fails with errc::corrupt_event.
error parse_transaction_payload_header(const uint8_t* body, size_t size,
                                       transaction_payload_header& out);

} // namespace binlog
