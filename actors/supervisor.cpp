#include "actors/supervisor.hpp"

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/watcher.hpp"
#include "config/node_link.hpp"
#include "messages/error.hpp"

namespace b2k {

namespace {

std::string describe(caf::actor_system& sys, const caf::error& err) {
  if (!err)
    return "none";
  if (err == caf::exit_reason::remote_link_unreachable)
    return "lost the connection to the reader node";
  if (err == caf::exit_reason::user_shutdown)
    return "the reader was stopped";
  return sys.render(err);
}

bool is_fatal_error(const caf::error& err) {
  if (!err)
    return false;
  // A reader node that went away (crashed, or was stopped) comes back.
  if (err == caf::exit_reason::remote_link_unreachable
      || err == caf::exit_reason::user_shutdown)
    return false;
  if (err.category() == caf::atom("b2k"))
    return is_fatal(static_cast<ec>(err.code()));
  return true; // anything else (an exception, a bug) is not retried blindly
}

} // namespace

void supervisor_state::report(pipeline_state state, const caf::error& err) {
  if (config.status)
    self->send(config.status, atom::state_v, state,
               err ? describe(self->system(), err) : std::string{});
}

void supervisor_state::spawn_reader(binlog::position from) {
  reader_config cfg;
  cfg.settings = config.settings;
  cfg.status = config.status;
  cfg.start = std::move(from);
  cfg.epoch = ++reader_epoch;
  cfg.lock_taken = lock_taken;
  if (!config.settings->reader_node.empty()) {
    launch_remote(std::move(cfg));
    return;
  }
  reader = config.spawn_reader(self->system(), cfg, watcher, producer);
  self->monitor(reader);
  if (signals)
    self->send(reader, atom::attach_v, signals);
  reader_started = std::chrono::steady_clock::now();
}

void supervisor_state::launch_remote(reader_config cfg) {
  launching = true;
  auto& node = config.settings->reader_node;
  auto where = node.to_string();
  auto mm = node_link(self->system(), *config.settings);
  self
    ->request(mm, std::chrono::seconds(30), caf::connect_atom::value, node.host,
              node.port)
    .then(
      [this, cfg, where](caf::node_id&, caf::strong_actor_ptr& ptr,
                         std::set<std::string>&) {
        if (!ptr) {
          launch_failed(
            caf::make_error(ec::source_unavailable,
                            "reader node " + where + " publishes no reader"));
          return;
        }
        auto node = caf::actor_cast<reader_node_actor>(ptr);
        self
          ->request(node, std::chrono::seconds(60), atom::launch_v,
                    cfg.settings->name, cfg.start, cfg.epoch, watcher, producer,
                    config.status)
          .then(
            [this, where](reader_actor& started) {
              launching = false;
              if (stopping) {
                self->send_exit(started, caf::exit_reason::user_shutdown);
                return;
              }
              spdlog::info("supervisor: reader running on node {}", where);
              reader = std::move(started);
              self->monitor(reader);
              if (signals)
                self->send(reader, atom::attach_v, signals);
              reader_started = std::chrono::steady_clock::now();
            },
            [this](caf::error& err) { launch_failed(err); });
      },
      [this](caf::error& err) {
        // A refused handshake (certificates, node-tls) stays refused.
        launch_failed(caf::make_error(
          link_refused(err) ? ec::config : ec::source_unavailable,
          describe_link_failure(self->system(), *config.settings, err)));
      });
}

void supervisor_state::launch_failed(const caf::error& err) {
  launching = false;
  if (stopping)
    return;
  on_reader_down(err);
}

void supervisor_state::on_reader_down(const caf::error& reason) {
  reader = nullptr;
  if (stopping) {
    // The stop request to the reader fails and the shutdown goes on.
    return;
  }
  if (!reason) {
    // The reader finished its work (snapshot = initial-only): stop as after
    // a SIGTERM, once every record is in Kafka.
    shut_down(caf::error{});
    return;
  }
  if (is_fatal_error(reason)) {
    // main() prints it, once, as the reason the pipeline stopped.
    shut_down(reason);
    return;
  }
  // A lost connection: once every batch it read is in Kafka, start again
  // from the released position (no duplicate, nothing skipped).
  auto lived = std::chrono::steady_clock::now() - reader_started;
  if (lived > config.max_backoff * 2)
    backoff = config.min_backoff;
  else
    backoff = std::min(config.max_backoff,
                       backoff.count() == 0 ? config.min_backoff : backoff * 2);
  report(pipeline_state::reconnecting, reason);
  spdlog::warn(
    "reader: {}; reconnecting in {} ms", describe(self->system(), reason),
    std::chrono::duration_cast<std::chrono::milliseconds>(backoff).count());
  self->delayed_send(self, backoff, atom::restart_v);
}

void supervisor_state::shut_down(caf::error reason) {
  if (reason && !failure)
    failure = std::move(reason);
  if (!stopping)
    report(failure ? pipeline_state::failed : pipeline_state::stopping,
           failure);
  stopping = true;
  if (finishing)
    return;
  finishing = true;
  if (!reader) {
    finish_deliveries();
    return;
  }
  // The reader stops reading but keeps the source lock until the final
  // position is written: a successor (a standby) must not start from an
  // older one.
  self->request(reader, config.settings->stop_timeout, atom::stop_v)
    .then([this](binlog::position&) { finish_deliveries(); },
          [this](caf::error&) { finish_deliveries(); });
}

void supervisor_state::finish_deliveries() {
  auto finish = [this] {
    for (auto h : {caf::actor_cast<caf::actor>(reader),
                   caf::actor_cast<caf::actor>(signals),
                   caf::actor_cast<caf::actor>(watcher),
                   caf::actor_cast<caf::actor>(producer)})
      if (h)
        self->send_exit(h, caf::exit_reason::user_shutdown);
    self->quit(failure ? failure : caf::error{});
  };
  if (!producer || !watcher) {
    finish();
    return;
  }
  // Deliveries first, then the final position, then its delivery.
  auto timeout = config.settings->stop_timeout;
  self->request(producer, timeout, atom::drain_v)
    .then(
      [this, finish, timeout](uint64_t) {
        self->request(watcher, timeout, atom::final_checkpoint_v)
          .then(
            [this, finish, timeout](binlog::position& pos) {
              self->request(producer, timeout, atom::drain_v)
                .then(
                  [pos, finish](uint64_t) {
                    if (pos.empty())
                      spdlog::info(
                        "supervisor: stopped before reading "
                        "anything");
                    else
                      spdlog::info("supervisor: stopped at {}",
                                   binlog::to_string(pos));
                    finish();
                  },
                  [this, finish](caf::error& err) {
                    spdlog::error("supervisor: final commit not confirmed: {}",
                                  describe(self->system(), err));
                    finish();
                  });
            },
            [this, finish](caf::error& err) {
              spdlog::error("supervisor: {}", describe(self->system(), err));
              finish();
            });
      },
      [this, finish](caf::error& err) {
        spdlog::error("supervisor: deliveries did not finish: {}",
                      describe(self->system(), err));
        if (!failure)
          failure = err;
        finish();
      });
}

supervisor_actor::behavior_type
supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
           supervisor_config config) {
  auto& st = self->state;
  st.self = self;
  st.config = std::move(config);
  if (!st.config.spawn_reader)
    st.config.spawn_reader = spawn_detached_reader;
  if (!st.config.spawn_producer)
    st.config.spawn_producer = [](caf::actor_system& sys,
                                  const settings_ptr& settings,
                                  const status_actor& status) {
      // librdkafka's calls block: give them a thread.
      return sys.spawn<caf::detached>(b2k::producer, settings, status);
    };
  auto& sys = self->system();
  auto& settings = *st.config.settings;
  st.producer = st.config.spawn_producer(sys, st.config.settings,
                                         st.config.status);
  st.watcher = sys.spawn(b2k::watcher, st.producer, settings.source.from,
                         settings.kafka.commit_interval);
  self->send(st.producer, atom::attach_v, delivery_listener_actor{st.watcher});
  self->monitor(st.producer);
  self->monitor(st.watcher);
  if (st.config.spawn_signals)
    st.signals = st.config.spawn_signals(sys, st.config.settings);
  if (st.config.status) {
    self->send(st.watcher, atom::attach_v, st.config.status);
    st.report(pipeline_state::running);
  }
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source == st.reader.address()) {
      st.on_reader_down(dm.reason);
      return;
    }
    bool producer = dm.source == st.producer.address();
    if (producer)
      st.producer = nullptr;
    else if (dm.source == st.watcher.address())
      st.watcher = nullptr;
    else
      return;
    if (!st.stopping || dm.reason) {
      // Without its producer or watcher the pipeline cannot deliver: stop,
      // and let the next start resume from the commit log.
      auto reason = dm.reason
                      ? dm.reason
                      : caf::make_error(ec::kafka,
                                        std::string{producer ? "producer"
                                                             : "watcher"}
                                          + " stopped unexpectedly");
      st.shut_down(reason); // main() prints the reason
    }
  });
  st.spawn_reader(settings.source.from);
  return {
    [self](atom::stop) {
      spdlog::info("supervisor: stopping");
      self->state.shut_down(caf::error{});
    },
    [self](atom::restart) {
      auto& st = self->state;
      if (st.stopping || !st.watcher)
        return;
      // Restart only once everything read is in Kafka. The new reader asks
      // the watcher where to start once it holds the source lock: from where
      // the watcher released (nothing read twice or skipped), unless another
      // instance wrote the commit log while the lock was not ours.
      self->request(st.producer, caf::infinite, atom::drain_v)
        .then([self](uint64_t) {
          if (!self->state.stopping) {
            self->state.spawn_reader(binlog::position{});
            self->state.report(pipeline_state::running);
          }
        });
    },
  };
}

} // namespace b2k
