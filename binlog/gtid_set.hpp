#pragma once

// MySQL's GTID set: the transactions a server has executed, per source uuid
// (and, from MySQL 8.4, per tag), as intervals of transaction numbers. It is
// what a MySQL position carries in place of MariaDB's GTID state, and what
// COM_BINLOG_DUMP_GTID sends to start after those transactions.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "binlog/error.hpp"

namespace binlog {

class gtid_set {
public:
  using uuid = std::array<uint8_t, 16>;

  /// Transaction numbers start..end-1 (end exclusive, as in the binary form).
  struct interval {
    int64_t start = 0;
    int64_t end = 0;
  };

  /// One source: a uuid and a tag ("" untagged), its intervals sorted and
  /// merged.
  struct source {
    uuid sid{};
    std::string tag;
    std::vector<interval> intervals;
  };

  /// The largest transaction number MySQL hands out (GNO_END - 1).
  static constexpr int64_t max_gno = INT64_MAX - 1;

  bool empty() const {
    return sources_.empty();
  }
  void clear() {
    sources_.clear();
  }
  /// Sorted by uuid, then tag, as MySQL orders them.
  const std::vector<source>& sources() const {
    return sources_;
  }
  bool tagged() const;

  /// Adds one transaction; `gno` must be 1..max_gno and `tag` "" or valid
  /// (kept in lower case). Returns false if not.
  bool add(const uuid& sid, std::string_view tag, int64_t gno);
  /// Adds start..end-1.
  bool add(const uuid& sid, std::string_view tag, int64_t start, int64_t end);
  /// Adds every transaction of `other`.
  void add(const gtid_set& other);

  /// MySQL's canonical text: "uuid:1-5:7,uuid2:1-3", lowercase, sorted,
  /// merged, tags after a uuid's untagged intervals ("uuid:1-5:tag:1-2"),
  /// "" for the empty set. Unlike @@gtid_executed, no newline after a comma.
  std::string to_string() const;

  /// The binary form of PREVIOUS_GTIDS and COM_BINLOG_DUMP_GTID (see
  /// Gtid_set::encode in MySQL's sql/rpl_gtid_set.cc): an int8 count of
  /// sources, then per source the 16-byte uuid, an int8 count of intervals
  /// and each interval's start and exclusive end as int8. With a tag in the
  /// set the count word holds the format 1 in its first and last byte and
  /// the count in the six between, and each uuid is followed by its tag as
  /// a length-prefixed string.
  std::string encode() const;

  friend bool operator==(const gtid_set& x, const gtid_set& y);

private:
  std::vector<source> sources_;
};

bool operator==(const gtid_set& x, const gtid_set& y);
inline bool operator!=(const gtid_set& x, const gtid_set& y) {
  return !(x == y);
}

/// Parses the text form as MySQL prints it ("uuid:1-5:7-9,uuid2:1-3", also
/// with spaces or newlines between the parts as in @@gtid_executed, upper
/// case hex, unsorted or overlapping intervals, and MySQL 8.4's tags
/// "uuid:tag:1-5"). Replaces `out`; on an error (errc::bad_value, naming
/// what is wrong) leaves it empty.
error parse_gtid_set(std::string_view text, gtid_set& out);

/// Decodes the binary form (a PREVIOUS_GTIDS event's body without its
/// checksum). Replaces `out`; on an error (errc::corrupt_event) leaves it
/// empty.
error decode_gtid_set(const uint8_t* data, size_t size, gtid_set& out);

/// True if `text` looks like a MySQL GTID set rather than MariaDB's GTID
/// state ("domain-server-seq,..."): it holds a ':'.
bool is_mysql_gtid_text(std::string_view text);

} // namespace binlog
