#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <caf/stateful_actor.hpp>

#include "actors/actors.hpp"
#include "actors/status_history.hpp"

namespace spdlog::sinks {
class sink;
}

namespace b2k {

struct status_state {
  static inline const char* name = "status";
  /// 15 minutes of charts at one sample a second; the newest log lines.
  static constexpr size_t history_samples = 900;
  static constexpr size_t log_lines = 20;
  static constexpr size_t top_tables = 10;

  using clock = caf::actor_clock;

  status_state();

  status_actor::pointer self = nullptr;
  status_snapshot current;
  clock::time_point started;
  // The previous readings, for rates.
  clock::time_point rates_at;
  uint64_t rows_at = 0;
  uint64_t records_at = 0;
  uint64_t delivered_at = 0;
  // Records read since the start, across reader restarts (each new reader
  // counts from zero), and where the last sample saw them.
  uint64_t records_total = 0;
  clock::time_point sampled_at;
  uint64_t records_at_sample = 0;
  uint64_t delivered_at_sample = 0;
  ring_buffer<status_sample> history;
  ring_buffer<log_line> log;
  table_activity tables;

  /// Recomputes the rates when a second or more has passed.
  void update_rates();
  /// Takes a sample for the charts.
  void sample();
  /// Seconds since the start, by the actor's clock.
  int64_t second() const;
  /// Everything, as the snapshot request answers.
  status_snapshot snapshot();
};

status_actor::behavior_type
status(status_actor::stateful_pointer<status_state> self, std::string name);

/// While it lives, warnings and errors logged through spdlog's default
/// logger also go to the status actor (the status page shows the newest).
class log_to_status {
public:
  explicit log_to_status(status_actor status);
  ~log_to_status();
  log_to_status(const log_to_status&) = delete;
  log_to_status& operator=(const log_to_status&) = delete;

private:
  std::shared_ptr<spdlog::sinks::sink> sink_;
};

} // namespace b2k
