#pragma once

// GTIDs as the events carry them, turned into the text that source.gtid
// shows: MySQL "uuid:gno" or "uuid:tag:gno", MariaDB "domain-server-seq".

#include <cstddef>
#include <cstdint>
#include <string>

namespace binlog {

/// "3e11fa47-71ca-11e1-9e33-c80aa9429562" from 16 bytes.
std::string format_uuid(const uint8_t* p);

/// Reads the body (after the common header, without the checksum) of a
/// MySQL 8.4+ GTID_TAGGED_LOG event, written with MySQL's serialization
/// library (libs/mysql/serialization: a version, the message size, the last
/// non-ignorable field id, then numbered fields in variable-length integer
/// encoding). Sets `gtid` to "uuid:tag:gno" ("uuid:gno" for an empty tag).
/// Returns an empty string on success, else what is wrong.
std::string parse_gtid_tagged(const uint8_t* body, size_t size,
                              std::string& gtid);

} // namespace binlog
