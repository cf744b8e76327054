#include "actors/status.hpp"

#include <algorithm>
#include <mutex>

#include <caf/send.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "config/defaults.hpp"

namespace b2k {

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

// How much a counter grew since `before`; a counter that went back started
// again from zero (a restarted reader).
uint64_t growth(uint64_t now, uint64_t before) {
  return now >= before ? now - before : now;
}

} // namespace

status_state::status_state() : history(history_samples), log(log_lines) {
}

void status_state::update_rates() {
  auto now = self->clock().now();
  auto secs = std::chrono::duration<double>(now - rates_at).count();
  if (secs < 1.0)
    return;
  current.rows_per_second = static_cast<double>(current.reader.rows - rows_at)
                            / secs;
  current.records_per_second = static_cast<double>(current.reader.records
                                                   - records_at)
                               / secs;
  current.delivered_per_second = static_cast<double>(
                                   current.producer.delivered_records
                                   - delivered_at)
                                 / secs;
  rates_at = now;
  rows_at = current.reader.rows;
  records_at = current.reader.records;
  delivered_at = current.producer.delivered_records;
}

int64_t status_state::second() const {
  return std::chrono::duration_cast<std::chrono::seconds>(self->clock().now()
                                                          - started)
    .count();
}

void status_state::sample() {
  auto now = self->clock().now();
  auto secs = std::chrono::duration<double>(now - sampled_at).count();
  status_sample s;
  s.ts_ms = wall_ms();
  if (secs > 0) {
    s.read_per_second = static_cast<double>(records_total - records_at_sample)
                        / secs;
    s.acknowledged_per_second = static_cast<double>(
                                  growth(current.producer.delivered_records,
                                         delivered_at_sample))
                                / secs;
  }
  s.lag_seconds = current.reader.lag_seconds;
  s.credit_in_use = current.reader.credit_in_use;
  s.waiting_batches = current.watcher.waiting_batches;
  history.push(s);
  sampled_at = now;
  records_at_sample = records_total;
  delivered_at_sample = current.producer.delivered_records;
  tables.expire(second());
}

status_snapshot status_state::snapshot() {
  update_rates();
  current.now_ms = wall_ms();
  current.uptime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        self->clock().now() - started)
                        .count();
  auto out = current;
  // A standby waits for the source lock; every other state is the active
  // instance's.
  out.role = current.state == pipeline_state::standby ? "standby" : "active";
  out.history = history.to_vector();
  out.recent_log = log.to_vector();
  out.top_tables = tables.top(top_tables, second(), second());
  out.tables_seen = tables.size();
  return out;
}

status_actor::behavior_type
status(status_actor::stateful_pointer<status_state> self, std::string name) {
  auto& st = self->state;
  st.self = self;
  st.current.name = std::move(name);
  st.started = st.rates_at = st.sampled_at = self->clock().now();
  self->delayed_send(self, defaults::sample_period, atom::sample_v);
  return {
    [self](atom::stats, reader_metrics& m) {
      auto& st = self->state;
      // A restarted reader counts from zero again: keep the totals going.
      if (m.rows < st.current.reader.rows) {
        st.rows_at = 0;
        st.records_at = 0;
      }
      st.records_total += growth(m.records, st.current.reader.records);
      auto second = st.second();
      for (auto& t : m.tables)
        st.tables.add(t, second);
      m.tables.clear();
      st.current.reader = std::move(m);
      st.update_rates();
    },
    [self](atom::stats, producer_metrics& m) {
      self->state.current.producer = std::move(m);
    },
    [self](atom::stats, watcher_metrics& m) {
      self->state.current.watcher = std::move(m);
    },
    [self](atom::stats, snapshot_metrics& m) {
      self->state.current.snapshot = std::move(m);
    },
    [self](atom::state, pipeline_state state, std::string& error) {
      auto& cur = self->state.current;
      if (state == pipeline_state::reconnecting
          && cur.state != pipeline_state::reconnecting)
        ++cur.reader_restarts;
      cur.state = state;
      if (!error.empty())
        cur.last_error = std::move(error);
    },
    [self](atom::log, log_line& line) {
      self->state.log.push(std::move(line));
    },
    [self](atom::sample) {
      self->state.sample();
      self->delayed_send(self, defaults::sample_period, atom::sample_v);
    },
    [self](atom::snapshot) { return self->state.snapshot(); },
  };
}

namespace {

// Hands warnings and errors to the status actor; spdlog calls it on the
// logging thread, and a send is all it does there.
class status_sink : public spdlog::sinks::base_sink<std::mutex> {
public:
  explicit status_sink(status_actor status) : status_(std::move(status)) {
    set_level(spdlog::level::warn);
  }

  void drop() {
    std::lock_guard<std::mutex> guard{mutex_};
    status_ = nullptr;
  }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (!status_)
      return;
    log_line line;
    line.ts_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   msg.time.time_since_epoch())
                   .count();
    switch (msg.level) {
      case spdlog::level::warn:
        line.level = "warning";
        break;
      case spdlog::level::err:
        line.level = "error";
        break;
      default:
        line.level = "critical";
    }
    line.text.assign(msg.payload.data(), msg.payload.size());
    caf::anon_send(status_, atom::log_v, std::move(line));
  }

  void flush_() override {
  }

private:
  status_actor status_;
};

} // namespace

log_to_status::log_to_status(status_actor status)
  : sink_(std::make_shared<status_sink>(std::move(status))) {
  if (auto logger = spdlog::default_logger())
    logger->sinks().push_back(sink_);
}

log_to_status::~log_to_status() {
  // The actor system may be gone after us: let go of the handle. The sink
  // stays in the logger (removing it could race with a thread logging) and
  // does nothing from now on.
  static_cast<status_sink&>(*sink_).drop();
}

} // namespace b2k
