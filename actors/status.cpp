#include "actors/status.hpp"

namespace b2k {

void status_state::update_rates() {
  auto now = std::chrono::steady_clock::now();
  auto secs = std::chrono::duration<double>(now - rates_at).count();
  if (secs < 1.0)
    return;
  current.rows_per_second
    = static_cast<double>(current.reader.rows - rows_at) / secs;
  current.records_per_second
    = static_cast<double>(current.reader.records - records_at) / secs;
  current.delivered_per_second
    = static_cast<double>(current.producer.delivered_records - delivered_at)
      / secs;
  rates_at = now;
  rows_at = current.reader.rows;
  records_at = current.reader.records;
  delivered_at = current.producer.delivered_records;
}

status_actor::behavior_type
status(status_actor::stateful_pointer<status_state> self, std::string name) {
  auto& st = self->state;
  st.self = self;
  st.current.name = std::move(name);
  st.started = st.rates_at = std::chrono::steady_clock::now();
  return {
    [self](atom::stats, reader_metrics& m) {
      auto& st = self->state;
      // A restarted reader counts from zero again: keep the totals going.
      if (m.rows < st.current.reader.rows) {
        st.rows_at = 0;
        st.records_at = 0;
      }
      st.current.reader = std::move(m);
      st.update_rates();
    },
    [self](atom::stats, producer_metrics& m) {
      self->state.current.producer = std::move(m);
    },
    [self](atom::stats, watcher_metrics& m) {
      self->state.current.watcher = std::move(m);
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
    [self](atom::snapshot) {
      auto& st = self->state;
      st.update_rates();
      auto now = std::chrono::system_clock::now();
      st.current.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            now.time_since_epoch())
                            .count();
      st.current.uptime_ms
        = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - st.started)
            .count();
      return st.current;
    },
  };
}

} // namespace b2k
