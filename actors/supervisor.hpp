#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include <caf/stateful_actor.hpp>

#include "actors/actors.hpp"
#include "actors/producer.hpp"
#include "actors/reader.hpp"
#include "config/defaults.hpp"
#include "config/settings.hpp"

namespace b2k {

struct supervisor_config {
  /// How the children come to life. The defaults spawn the real actors
  /// (detached); tests put stand-ins here.
  using reader_factory = b2k::reader_factory;
  using producer_factory = std::function<producer_actor(
    caf::actor_system&, const settings_ptr&, const status_actor&)>;

  /// The signal topic's reader (on-demand snapshots); none when empty.
  using signal_factory =
    std::function<signal_actor(caf::actor_system&, const settings_ptr&)>;

  settings_ptr settings;
  reader_factory spawn_reader;
  signal_factory spawn_signals;
  producer_factory spawn_producer;
  /// Hears of state changes and hands metrics on (none in tests).
  status_actor status;
  caf::timespan min_backoff = defaults::min_backoff;
  caf::timespan max_backoff = defaults::max_backoff;
};

struct supervisor_state {
  static inline const char* name = "supervisor";

  supervisor_actor::pointer self = nullptr;
  supervisor_config config;
  producer_actor producer;
  watcher_actor watcher;
  reader_actor reader;
  signal_actor signals;
  uint64_t reader_epoch = 0;
  /// Whether one of this pipeline's readers held the source lock.
  std::shared_ptr<std::atomic<bool>> lock_taken =
    std::make_shared<std::atomic<bool>>(false);
  caf::timespan backoff{};
  std::chrono::steady_clock::time_point reader_started;
  bool stopping = false;
  /// Why the pipeline ends (none for a graceful stop).
  caf::error failure;

  void spawn_reader(binlog::position from);
  /// Asks the reader node (settings.reader_node) to start a reader
  /// (asynchronously).
  void launch_remote(reader_config cfg);
  /// A launch on the reader node failed: retry later, or stop if it cannot
  /// work.
  void launch_failed(const caf::error& err);
  bool launching = false;
  /// The reader died: restart it from the released position, or stop.
  void on_reader_down(const caf::error& reason);
  /// Stops the reader from reading, then finish_deliveries().
  void shut_down(caf::error reason);
  /// Waits for deliveries, writes the final commit-log record and quits.
  void finish_deliveries();
  bool finishing = false;
  /// Tells the status actor (if any).
  void report(pipeline_state state, const caf::error& err = caf::error{});
};

supervisor_actor::behavior_type
supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
           supervisor_config config);

} // namespace b2k
