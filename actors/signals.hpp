#pragma once

// Reads the pipeline's signal topic (kafka/signal_topic.hpp) for the
// reader, which asks from the offset its commit log records, so that a
// signal taken is never taken again after a restart. Every message is
// checked (messages/snapshot_signal.hpp): one that is not a valid signal is
// one warning line and skipped.

#include <memory>
#include <string>

#include <caf/stateful_actor.hpp>

#include "actors/actors.hpp"
#include "config/settings.hpp"
#include "kafka/signal_topic.hpp"

namespace b2k {

struct signals_state {
  static inline const char* name = "signals";

  std::string topic;
  std::unique_ptr<kafka::signal_reader> reader;
  /// A read failed (said once, until reads work again).
  bool failing = false;
};

signal_actor::behavior_type
signals(signal_actor::stateful_pointer<signals_state> self,
        settings_ptr settings);

} // namespace b2k
