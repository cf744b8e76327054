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
  /// Written by a pre-GA MySQL 5.1 build whose event type codes 16-22
  /// differ from today's; post_header_len is already in today's order.
  bool pre_ga_type_codes = false;

  uint8_t post_header(event_type t) const {
    auto i = static_cast<size_t>(t);
    return i == 0 ? 0 : post_header_len[i - 1];
  }

  /// A description for binlog v4 with defaults, used before the first
  /// FORMAT_DESCRIPTION arrives.
  static format_description v4_default();
};

/// Today's type of an event written by a pre-GA 5.1 build (types 16-22 were
/// TABLE_MAP, the old rows events, XID and the LOAD DATA events).
event_type pre_ga_event_type(event_type written);

/// Parses a whole FORMAT_DESCRIPTION event (header included).
error parse_format_description(const uint8_t* event, size_t size,
                               format_description& out);

/// True if `version` (e.g. "10.11.6-MariaDB-log") is at least major.minor.patch.
bool version_at_least(const std::string& version, int major, int minor,
                      int patch);

} // namespace binlog
