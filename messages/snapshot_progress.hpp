#pragma once

// How far a snapshot got, as the commit log records it with the position
// (binlog::position::snapshot): per table, the chunk key after which it
// goes on, or done. A restart goes on from there (design.md, "Snapshots").

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace b2k {

/// A key range of a table that lanes read in parallel: the keys after
/// `after` (none: from the first) up to and with `to` (none: to the last).
/// `after` moves on as chunks go out.
struct snapshot_range {
  std::vector<std::string> after;
  std::vector<std::string> to;
  bool done = false;
};

struct snapshot_progress {
  /// On demand (source.snapshot "incremental"), not initial ("true").
  bool incremental = false;
  /// Every table is done.
  bool done = false;
  /// Tables begun: the chunk key's texts (hex) after which they go on.
  std::map<std::string, std::vector<std::string>> after;
  /// Tables split into key ranges read in parallel (instead of `after`).
  std::map<std::string, std::vector<snapshot_range>> ranges;
  /// Tables done ("db.table").
  std::set<std::string> finished;
  /// The table filters the snapshot read with: when they change, the tables
  /// they newly include are read on the next start.
  std::string filters;

  // -- on demand (binlog2kafka snapshot, POST /snapshots) --------------

  /// The snapshot's id ("" for the initial one and one after the filters
  /// changed).
  std::string id;
  /// The table patterns an on-demand snapshot reads (empty: every included
  /// table not yet read).
  std::vector<std::string> tables;
  /// Tables an earlier snapshot read (a later change of the filters need
  /// not read them again).
  std::set<std::string> earlier;
  /// Per table begun or done: rows sent and the estimate (for progress).
  std::map<std::string, std::pair<uint64_t, uint64_t>> rows;
  /// Rows sent, and the estimate of all (never below what was sent), over
  /// every table in `rows`.
  std::pair<uint64_t, uint64_t> row_totals() const;
  /// On-demand snapshots waiting for this one.
  struct request {
    std::string id;
    std::vector<std::string> tables;
  };
  std::vector<request> queued;
  /// The newest ended snapshots, oldest first: id and "done" or
  /// "cancelled".
  std::vector<std::pair<std::string, std::string>> ended;
  /// The signal topic's offset after the last signal taken (-1: none yet:
  /// read it from its first).
  int64_t signals = -1;

  /// How many ended snapshots are kept.
  static constexpr size_t max_ended = 10;
  /// Notes that the current snapshot (with an id) ended in `state`.
  void end(const std::string& state);
  /// Notes that snapshot `which` ended in `state`, keeping the newest
  /// max_ended.
  void note_ended(const std::string& which, const std::string& state);
  /// The state of snapshot `id`: "running", "queued", "done", "cancelled"
  /// or "" (unknown).
  std::string state_of(const std::string& id) const;
  /// Whether this snapshot reads table `name` (db.table) at all: an
  /// on-demand one the tables its patterns match, another those no
  /// earlier snapshot read.
  bool wants(const std::string& name) const;

  /// {"incremental":…,"done":…,"after":{"db.t":["hex",…]},"finished":[…],
  ///  "ranges":{"db.t":[{"after":[…],"to":[…]},…]},
  ///  "id":…,"tables":[…],"rows":{"db.t":[done,estimated]},"queued":[…],
  ///  "ended":[[id,state],…],"signals":N} (empty parts left out; ranges not
  ///  done only: older versions ignore "ranges" and read such a table from
  ///  its start)
  std::string to_json() const;
  /// The progress in `json`, or nothing if it is not one.
  static std::optional<snapshot_progress> parse(std::string_view json);
};

} // namespace b2k
