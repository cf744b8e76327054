#pragma once

#include <chrono>
#include <string>

#include <caf/stateful_actor.hpp>

#include "actors/actors.hpp"

namespace b2k {

struct status_state {
  static inline const char* name = "status";

  status_actor::pointer self = nullptr;
  status_snapshot current;
  std::chrono::steady_clock::time_point started;
  // The previous readings, for rates.
  std::chrono::steady_clock::time_point rates_at;
  uint64_t rows_at = 0;
  uint64_t records_at = 0;
  uint64_t delivered_at = 0;

  /// Recomputes the rates when a second or more has passed.
  void update_rates();
};

status_actor::behavior_type
status(status_actor::stateful_pointer<status_state> self, std::string name);

} // namespace b2k
