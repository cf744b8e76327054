#pragma once

// One lane of a snapshot: reads its share of the included tables chunk by
// chunk on a connection of its own and hands each chunk, encoded as op "r"
// records with its high watermark, to the reader, which merges it into the
// stream (design.md, "Snapshots"). Lanes run in parallel across tables and
// within the key ranges a large table was split into.

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>

#include "actors/actors.hpp"
#include "binlog/chunk_records.hpp"
#include "binlog/record.hpp"
#include "binlog/snapshot_reader.hpp"
#include "config/settings.hpp"
#include "messages/snapshot_progress.hpp"

namespace b2k {

struct snapshot_lane_config {
  settings_ptr settings;
  /// This lane takes every `lanes`-th table, starting at `lane`.
  uint32_t lane = 0;
  uint32_t lanes = 1;
  /// Where the tables stand (from the resume position).
  snapshot_progress progress;
  /// The source's server id, for source.server_id.
  uint32_t server_id = 0;
  /// Tables without a chunk key that are read in one consistent read (the
  /// reader holds back their streamed changes until then); others without
  /// a key are not snapshotted.
  std::set<std::string> keyless;
};

struct snapshot_state {
  static inline const char* name = "snapshot";

  snapshot_actor::pointer self = nullptr;
  snapshot_lane_config config;
  reader_actor reader;
  binlog::snapshot_reader sql;
  std::unique_ptr<binlog::record_encoder> encoder;
  // The chunk being read, encoded; reused from chunk to chunk.
  binlog::chunk_records encoded;
  /// This lane's tables (or key ranges of split tables) still to read, in
  /// order.
  struct work {
    std::string table;
    /// The index in progress.ranges[table]; -1: the whole table.
    int32_t range = -1;
  };
  std::vector<work> tables;
  /// The range being read (-1: the whole table) and where it ends.
  int32_t range = -1;
  std::vector<std::string> to;
  /// The table being read, and where it goes on.
  binlog::snapshot_table current;
  binlog::table_info info;
  std::vector<std::string> after;
  bool have_current = false;
  /// Bytes a chunk may hold: a lane's chunk, with its copy in the reader,
  /// and the other lanes' fit in max-inflight-bytes. A chunk ends early
  /// at this size.
  uint64_t chunk_bytes = 0;
  /// Rows the current table's next chunk asks for: few for its first, then
  /// what fits in chunk_bytes at the size of its rows so far, at most
  /// snapshot-chunk-rows.
  uint64_t chunk_rows = 0;
  /// A chunk with lane_last went to the reader.
  bool announced_last = false;
  /// The current table is keyless: read in pieces of one consistent read
  /// (begun once `whole_begun`), at position `whole_at`.
  bool keyless = false;
  bool whole_begun = false;
  binlog::position whole_at;

  /// Connects and picks this lane's tables.
  caf::error plan();
  /// Reads and hands on the next chunk (or moves to the next table).
  void next_chunk();
  /// Describes the next table; false when none is left.
  bool open_next_table();
  /// Reads and hands on the next piece of a keyless table.
  void next_piece();
  /// The source.snapshot of the next record.
  const char* snapshot_marker();
  /// Encodes a row read (at `ts`) into `encoded`; false once the chunk is
  /// full.
  bool add_read(const std::vector<binlog::value_slot>& row, uint64_t ts);
  /// The chunk's records reached chunk_bytes: it ends before its rows do.
  bool chunk_full() const;
  /// The rows of the next chunk after one of `rows` rows in `bytes`.
  void size_next(uint64_t rows, uint64_t bytes);
};

snapshot_actor::behavior_type
snapshot(snapshot_actor::stateful_pointer<snapshot_state> self,
         snapshot_lane_config config, reader_actor reader);

} // namespace b2k
