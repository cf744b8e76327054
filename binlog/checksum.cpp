#include "binlog/checksum.hpp"

#include <cstring>

#include <libdeflate.h>

#include "binlog/bytes.hpp"

namespace binlog {

uint32_t crc32(const uint8_t* data, size_t size) {
  // libdeflate folds with PCLMULQDQ where the CPU has it: several times
  // zlib's speed, and the checksum is on every byte we read.
  return libdeflate_crc32(0, data, size);
}

bool checksum_matches(const uint8_t* event, size_t size) {
  if (size < 19 + 4)
    return false;
  uint32_t expected = load_le32(event + size - 4);
  // A FORMAT_DESCRIPTION's "binlog in use" flag is cleared when the file is
  // closed, after its checksum was computed: compute it without the flag.
  constexpr size_t type_at = 4;
  constexpr size_t flags_at = 17;
  constexpr uint8_t format_description = 15;
  constexpr uint8_t in_use = 0x01;
  if (event[type_at] == format_description && (event[flags_at] & in_use)) {
    uint8_t header[19];
    std::memcpy(header, event, sizeof(header));
    header[flags_at] &= static_cast<uint8_t>(~in_use);
    auto crc = libdeflate_crc32(0, header, sizeof(header));
    crc = libdeflate_crc32(crc, event + sizeof(header),
                           size - 4 - sizeof(header));
    return crc == expected;
  }
  return crc32(event, size - 4) == expected;
}

} // namespace binlog
