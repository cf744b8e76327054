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

class snapshot_reader {
public:
  snapshot_reader();
  ~snapshot_reader();
  snapshot_reader(const snapshot_reader&) = delete;
  snapshot_reader& operator=(const snapshot_reader&) = delete;

  error connect(const connection_options& options);

  /// Every base table outside the system schemas, as "db.table" pairs.
  error list_tables(std::vector<std::pair<std::string, std::string>>& out);

  /// Columns, chunk key and row estimate of db.table; errc::unknown_table
  /// when it does not exist (any more).
  error describe(const std::string& db, const std::string& table,
                 snapshot_table& out);

  /// The binlog's end: a watermark.
  error end_position(position& out);

  /// Called per row with its packed images and the key columns' texts.
  using row_handler = std::function<void(const std::vector<value_slot>& row,
                                         std::vector<std::string>& key)>;

  /// Reads up to `limit` rows of `t` whose key is greater than `after`
  /// (empty: from the first), in key order; `rows` says how many came (fewer
  /// than `limit`: the table is done).
  error read_chunk(const snapshot_table& t,
                   const std::vector<std::string>& after, uint64_t limit,
                   const row_handler& on_row, uint64_t& rows);

  /// A table without a chunk key in one consistent read: `at` is the binlog
  /// position the read matches (MariaDB's binlog_snapshot_file/position).
  error read_whole(const snapshot_table& t, position& at,
                   const row_handler& on_row, uint64_t& rows);

private:
  error failure(const std::string& what) const;
  error select(const snapshot_table& t, const std::string& sql,
               const row_handler& on_row, uint64_t& rows);

  st_mysql* mysql_ = nullptr;
  std::string endpoint_;
  row_images images_;
};

} // namespace binlog
