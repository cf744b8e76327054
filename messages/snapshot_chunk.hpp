#pragma once

// What a snapshot lane hands the reader: one chunk of a table, encoded as
// op "r" records, and the high watermark at which the reader sends what is
// left of it (design.md, "Snapshots").

#include <cstdint>
#include <string>
#include <vector>

#include "binlog/position.hpp"
#include "messages/record_batch.hpp"

namespace b2k {

struct snapshot_chunk {
  /// The reader's number for the chunk (its answer to atom::watermark).
  uint64_t id = 0;
  /// "db.table"
  std::string table;
  /// The binlog's end after the chunk was read: the rows go out once the
  /// stream has passed it, minus those the stream changed in between.
  binlog::position high;
  /// The rows, as records (keys, values, topics); `seq` and `end` unused.
  record_batch records;
  /// The chunk key's texts (hex) of the last row read: where the table goes
  /// on after a restart. Empty with `table_done`.
  std::vector<std::string> after;
  /// The table has no more rows.
  bool table_done = false;
  /// The lane has no more tables.
  bool lane_done = false;
  /// Rows read, of the table's estimate (for progress).
  uint64_t rows_estimated = 0;
  /// The lane's last chunk with rows to read (its last table's last chunk,
  /// or its lane_done if that could not be told): the last of these is
  /// the snapshot's last ("last").
  bool lane_last = false;
  /// A piece of a table without a chunk key, read in one consistent read
  /// whose position is `high`: its pieces go out at `high`, before any
  /// change of the table after it, and the stream's changes of the table
  /// before it are not sent (the read holds them).
  bool keyless = false;
  /// The key range of a split table this chunk is of (its index in the
  /// progress's ranges; `table_done`: the range is done); -1: none.
  int32_t range = -1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, snapshot_chunk& x) {
  return f(caf::meta::type_name("snapshot_chunk"), x.id, x.table, x.high,
           x.records, x.after, x.table_done, x.lane_done, x.rows_estimated,
           x.lane_last, x.keyless, x.range);
}

} // namespace b2k
