#pragma once

// The SQL side of a snapshot: one connection that lists and describes the
// tables, reads them chunk by chunk in key order (keyset pagination, never
// OFFSET; the server compares the keys, so its collations hold) and takes
// the binlog position around each chunk. It only reads: a user with SELECT
// and REPLICATION CLIENT is enough.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "binlog/error.hpp"
#include "binlog/position.hpp"
#include "binlog/replication_client.hpp"
#include "binlog/snapshot_table.hpp"

struct st_mysql;
struct st_mysql_res;

namespace binlog {

/// A table as a snapshot reads it.
struct snapshot_table {
  std::string db;
  std::string table;
  std::vector<column_description> columns;
  /// The binlog-shaped map; its primary_key is the chunk key: the primary
  /// key, else the first unique key whose columns are all NOT NULL, else
  /// empty (the table is read in one consistent read).
  table_map map;
  /// information_schema's estimate.
  uint64_t estimated_rows = 0;

  std::string qualified_name() const {
    return db + "." + table;
  }
};

/// Why the chunk key of `t` cannot be read in keyset chunks (empty: it
/// can): the server prints FLOAT and DOUBLE values inexactly, so a chunk
/// could not go on exactly after its last key.
std::string chunk_key_problem(const snapshot_table& t);

class snapshot_reader {
public:
  snapshot_reader();
  ~snapshot_reader();
  snapshot_reader(const snapshot_reader&) = delete;
  snapshot_reader& operator=(const snapshot_reader&) = delete;

  error connect(const connection_options& options);

  /// Every base table outside the system schemas, as "db.table" pairs
  /// (with `min_rows`: those the server estimates to hold as many).
  error list_tables(std::vector<std::pair<std::string, std::string>>& out,
                    uint64_t min_rows = 0);

  /// Columns, chunk key and row estimate of db.table; errc::unknown_table
  /// when it does not exist (any more).
  error describe(const std::string& db, const std::string& table,
                 snapshot_table& out);

  /// The binlog's end: a watermark.
  error end_position(position& out);

  /// Called per row with its packed images and the key columns' texts;
  /// false: this row is the last wanted now (the caller's buffer is full).
  using row_handler = std::function<bool(const std::vector<value_slot>& row,
                                         std::vector<std::string>& key)>;

  /// Reads up to `limit` rows of `t` whose key is greater than `after`
  /// (empty: from the first) and at most `to` (empty: to the last), in key
  /// order; `rows` says how many came (fewer than `limit`, unless `on_row`
  /// stopped the read: the range is done).
  error read_chunk(const snapshot_table& t,
                   const std::vector<std::string>& after,
                   const std::vector<std::string>& to, uint64_t limit,
                   const row_handler& on_row, uint64_t& rows);

  /// Up to `parts - 1` keys (texts, as read_chunk takes them) that split
  /// `t` into `parts` key ranges of about equal size: an integer key's
  /// span evenly, any other key by every (rows / parts)-th key.
  error split(const snapshot_table& t, uint32_t parts,
              std::vector<std::vector<std::string>>& out);

  /// Tables (outside the system schemas) that may need one consistent read:
  /// without a chunk key (no PRIMARY key and no UNIQUE key whose columns
  /// are all NOT NULL), or with a FLOAT or DOUBLE column in a unique key
  /// (describe and chunk_key_problem tell).
  error
  list_keyless_tables(std::vector<std::pair<std::string, std::string>>& out);

  /// Whether this server tells which binlog position a consistent read
  /// matches (MariaDB's binlog_snapshot_file status; MySQL has none).
  bool consistent_position_known();

  /// Checks that db.table can be read: errc::access_denied without SELECT,
  /// errc::unknown_table when it is gone.
  error probe(const snapshot_table& t);

  /// A table without a chunk key in one consistent read, in pieces: starts
  /// the read; `at` is the binlog position it matches (MariaDB's
  /// binlog_snapshot_file/position): every change before it is in the
  /// read, none after it.
  error begin_whole(const snapshot_table& t, position& at);
  /// The next up to `limit` rows of the read begun; fewer (unless `on_row`
  /// stopped the read): it is done (and ended).
  error read_more(const snapshot_table& t, uint64_t limit,
                  const row_handler& on_row, uint64_t& rows);
  /// Ends the read begun (also when it was not read to its end).
  void end_whole();

private:
  error failure(const std::string& what) const;
  error select(const snapshot_table& t, const std::string& sql,
               const row_handler& on_row, uint64_t& rows);

  /// Up to `limit` rows of `res`; `end`: the result has no more.
  error fetch(st_mysql_res* res, const snapshot_table& t, uint64_t limit,
              const row_handler& on_row, uint64_t& rows, bool& end);
  std::string column_list(const snapshot_table& t) const;
  /// The key after `values` (`after`), or up to and with them.
  std::string key_condition(const snapshot_table& t,
                            const std::vector<std::string>& values,
                            bool after) const;
  std::string key_order(const snapshot_table& t) const;

  st_mysql* mysql_ = nullptr;
  /// The result of a whole-table read in progress.
  st_mysql_res* whole_ = nullptr;
  std::string endpoint_;
  row_images images_;
};

} // namespace binlog
