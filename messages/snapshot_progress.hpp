#pragma once

// How far a snapshot got, as the commit log records it with the position
// (binlog::position::snapshot): per table, the chunk key after which it
// goes on, or done. A restart goes on from there (design.md, "Snapshots").

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace b2k {

struct snapshot_progress {
  /// On demand (source.snapshot "incremental"), not initial ("true").
  bool incremental = false;
  /// Every table is done.
  bool done = false;
  /// Tables begun: the chunk key's texts (hex) after which they go on.
  std::map<std::string, std::vector<std::string>> after;
  /// Tables done ("db.table").
  std::set<std::string> finished;
  /// The table filters the snapshot read with: when they change, the tables
  /// they newly include are read on the next start.
  std::string filters;

  /// {"incremental":…,"done":…,"after":{"db.t":["hex",…]},"finished":[…]}
  std::string to_json() const;
  /// The progress in `json`, or nothing if it is not one.
  static std::optional<snapshot_progress> parse(std::string_view json);
};

} // namespace b2k
