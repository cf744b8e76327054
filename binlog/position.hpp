#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace binlog {

/// Where to restart reading: the start of the transaction that holds the
/// first row not yet delivered, and how many of its rows were delivered.
/// Re-reading that transaction and skipping `skip_rows` rows sends no
/// duplicate and loses nothing.
struct position {
  std::string file;
  uint64_t pos = 4; // just past the magic number: the first event
  /// GTID state to resume from when the server uses GTIDs (MariaDB:
  /// "domain-server-seq,..."), empty otherwise.
  std::string gtid;
  uint64_t skip_rows = 0;
  /// The server_id of the server whose binlog `file` is (0: unknown). A
  /// different server (after a failover) has other files: only the GTID
  /// state means the same there.
  uint32_t server_id = 0;
  /// A snapshot's progress at this point of the stream (JSON, see
  /// actors/snapshot.hpp); empty when no snapshot runs or ran.
  std::string snapshot;

  bool empty() const {
    return file.empty();
  }
};

inline bool operator==(const position& x, const position& y) {
  return x.file == y.file && x.pos == y.pos && x.gtid == y.gtid
         && x.skip_rows == y.skip_rows && x.server_id == y.server_id
         && x.snapshot == y.snapshot;
}

inline bool operator!=(const position& x, const position& y) {
  return !(x == y);
}

/// "binlog.000003:1234" (plus "+N rows" when rows are skipped).
std::string to_string(const position& x);

/// True if binlog file `x` comes before `y` ("binlog.000009" before
/// "binlog.000010"): the same base name, a smaller number.
bool binlog_file_before(const std::string& x, const std::string& y);

/// Parses "FILE:POS" as given on the command line.
std::optional<position> parse_position(std::string_view text);

} // namespace binlog
