#pragma once

// GTIDs as the events carry them, turned into the text that source.gtid
// shows: MySQL "uuid:gno" or "uuid:tag:gno", MariaDB "domain-server-seq".

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "binlog/error.hpp"

namespace binlog {

/// "3e11fa47-71ca-11e1-9e33-c80aa9429562" from 16 bytes.
std::string format_uuid(const uint8_t* p);

/// One MySQL GTID in its parts.
struct mysql_gtid {
  std::array<uint8_t, 16> sid{};
  std::string tag; // "" untagged
  int64_t gno = 0;
};

/// "uuid:tag:gno", or "uuid:gno" for an empty tag.
std::string to_string(const mysql_gtid& gtid);

/// Reads the body (after the common header, without the checksum) of a
/// MySQL 8.4+ GTID_TAGGED_LOG event, written with MySQL's serialization
/// library (libs/mysql/serialization: a version, the message size, the last
/// non-ignorable field id, then numbered fields in variable-length integer
/// encoding). Fails with errc::corrupt_event.
error parse_gtid_tagged(const uint8_t* body, size_t size, mysql_gtid& gtid);

} // namespace binlog
