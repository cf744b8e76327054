#pragma once

#include <cstddef>
#include <cstdint>

namespace binlog {

/// CRC32 (ISO-HDLC, as zlib computes it), the binlog's event checksum.
uint32_t crc32(const uint8_t* data, size_t size);

/// True if the last four bytes of the event are the CRC32 of the rest.
bool checksum_matches(const uint8_t* event, size_t size);

} // namespace binlog
