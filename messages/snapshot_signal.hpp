#pragma once

// A signal on the pipeline's signal topic (`<name>.signals`): ask the
// running pipeline to snapshot tables, or to cancel such a snapshot. The
// topic is written by `binlog2kafka snapshot` and by the status server's
// POST/DELETE /snapshots; anyone with write access to it can send one, so
// every signal is checked strictly before anything acts on it.
//
//   {"type":"execute-snapshot","id":"ID","tables":["RE",...]}
//   {"type":"cancel-snapshot","id":"ID"}
//
// ID: 1-64 of [A-Za-z0-9._-]. RE: regular expressions (ECMAScript, case
// insensitive, as include-tables) matching the whole "db.table".

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace b2k {

enum class signal_type : uint8_t {
  execute_snapshot,
  cancel_snapshot,
};

const char* to_string(signal_type x);

struct snapshot_signal {
  signal_type type = signal_type::execute_snapshot;
  /// The snapshot it starts or cancels.
  std::string id;
  /// execute-snapshot: the table patterns.
  std::vector<std::string> tables;
  /// Its offset in the signal topic (-1: not read from there).
  int64_t offset = -1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, snapshot_signal& x) {
  return f(caf::meta::type_name("snapshot_signal"), x.type, x.id, x.tables,
           x.offset);
}

/// What the signal actor read: the valid signals, and the offset after the
/// last message looked at (valid or not).
struct signal_batch {
  std::vector<snapshot_signal> signals;
  int64_t next_offset = -1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, signal_batch& x) {
  return f(caf::meta::type_name("signal_batch"), x.signals, x.next_offset);
}

/// Longest signal accepted (bytes of JSON).
constexpr size_t max_signal_size = 64 * 1024;
/// Most table patterns in one signal, and the longest pattern.
constexpr size_t max_signal_tables = 100;
constexpr size_t max_table_pattern = 256;

/// Reads a signal; false, with one line saying why in `why`, for anything
/// that is not exactly a known signal (bad JSON, unknown type or key, a bad
/// id, a pattern that does not compile or could cost too much to compile).
bool parse_signal(std::string_view text, snapshot_signal& out,
                  std::string& why);

/// The signal as JSON (what parse_signal reads).
std::string to_json(const snapshot_signal& x);

/// True if `id` is a valid snapshot id.
bool valid_snapshot_id(std::string_view id);

/// Checks a table pattern as parse_signal does; false with `why`.
bool valid_table_pattern(const std::string& pattern, std::string& why);

/// True if "db.table" matches one of the patterns (whole name, case
/// insensitive). Patterns that do not compile match nothing.
bool table_matches(const std::vector<std::string>& patterns,
                   const std::string& table);

/// A new snapshot id: the time and a random part ("20261206-011502-3fa9").
std::string make_snapshot_id();

} // namespace b2k
