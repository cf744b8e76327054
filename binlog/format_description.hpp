#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "binlog/error.hpp"
#include "binlog/event.hpp"

namespace binlog {

enum class checksum_alg : uint8_t { off = 0, crc32 = 1, undefined = 255 };

/// The FORMAT_DESCRIPTION event: how every later event of the file is laid
/// out (post-header lengths) and whether events end in a CRC32.
struct format_description {
  uint16_t binlog_version = 4;
  std::string server_version;
  uint8_t header_length = header_size;
  std::array<uint8_t, 256> post_header_len{};
  checksum_alg checksum = checksum_alg::off;
  bool mariadb = false;

  uint8_t post_header(event_type t) const {
    auto i = static_cast<size_t>(t);
    return i == 0 ? 0 : post_header_len[i - 1];
  }

  /// A description for binlog v4 with defaults, used before the first
  /// FORMAT_DESCRIPTION arrives.
  static format_description v4_default();
};

/// Parses a whole FORMAT_DESCRIPTION event (header included).
error parse_format_description(const uint8_t* event, size_t size,
                               format_description& out);

/// True if `version` (e.g. "10.11.6-MariaDB-log") is at least major.minor.patch.
bool version_at_least(const std::string& version, int major, int minor,
                      int patch);

} // namespace binlog
