#pragma once

// The GTID events: the one that opens each transaction (MariaDB's GTID,
// MySQL's GTID, GTID_TAGGED and ANONYMOUS_GTID) and MariaDB's GTID_LIST at
// a file's start (MySQL's PREVIOUS_GTIDS is a GTID set: gtid_set.hpp). GTIDs
// become the text that source.gtid shows: MySQL "uuid:gno" or
// "uuid:tag:gno", MariaDB "domain-server-seq".

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "binlog/error.hpp"
#include "binlog/event.hpp"

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

/// One MariaDB GTID: a replication domain, the server that wrote the
/// transaction and its sequence number in the domain.
struct mariadb_gtid {
  uint32_t domain = 0;
  uint32_t server = 0;
  uint64_t seq = 0;
};

/// The event that opens a transaction.
struct gtid_event {
  enum class source : uint8_t { anonymous, mariadb, mysql };
  /// Whose GTID it carries: none for ANONYMOUS_GTID (MySQL with
  /// gtid_mode=OFF).
  source kind = source::anonymous;
  mariadb_gtid mariadb;
  mysql_gtid mysql;
  /// The GTID as source.gtid shows it; empty for ANONYMOUS_GTID.
  std::string text;
  /// MariaDB: the transaction is one statement (DDL) with no BEGIN.
  bool standalone = false;
  /// MariaDB: XA START of the XA transaction `xid` (xid_key()).
  bool xa_start = false;
  std::string xid;
};

/// Reads the body (after the common header, without the checksum) of a
/// GTID event of type `h.type`: MARIADB_GTID (whose server id is the
/// header's), GTID, ANONYMOUS_GTID or GTID_TAGGED. Fails with
/// errc::corrupt_event.
error parse_gtid_event(const event_header& h, const uint8_t* body, size_t size,
                       gtid_event& out);

/// Reads MariaDB's GTID_LIST event: the GTID state at a file's start, one
/// GTID per domain. Fails with errc::corrupt_event.
error parse_gtid_list(const uint8_t* body, size_t size,
                      std::vector<mariadb_gtid>& out);

} // namespace binlog
