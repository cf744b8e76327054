#pragma once

// One lane of a snapshot: reads its share of the included tables chunk by
// chunk on a connection of its own and hands each chunk, encoded as op "r"
// records with its high watermark, to the reader, which merges it into the
// stream (design.md, "Snapshots"). Lanes run in parallel across tables.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>

#include "actors/actors.hpp"
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
};

struct snapshot_state {
  static inline const char* name = "snapshot";

  snapshot_actor::pointer self = nullptr;
  snapshot_lane_config config;
  reader_actor reader;
  binlog::snapshot_reader sql;
  std::unique_ptr<binlog::record_encoder> encoder;
  /// This lane's tables still to read, in order.
  std::vector<std::string> tables;
  /// The table being read, and where it goes on.
  binlog::snapshot_table current;
  binlog::table_info info;
  std::vector<std::string> after;
  bool have_current = false;
  bool first_record = false;
  /// A chunk with lane_last went to the reader.
  bool announced_last = false;

  /// Connects and picks this lane's tables.
  caf::error plan();
  /// Reads and hands on the next chunk (or moves to the next table).
  void next_chunk();
  /// Describes the next table; false when none is left.
  bool open_next_table();
};

snapshot_actor::behavior_type
snapshot(snapshot_actor::stateful_pointer<snapshot_state> self,
         snapshot_lane_config config, reader_actor reader);

} // namespace b2k
