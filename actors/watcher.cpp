#include "actors/watcher.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace b2k {

void watcher_state::release() {
  uint64_t freed = 0;
  while (!waiting.empty()) {
    auto& head = waiting.front();
    auto acked = commit_map.find(head.seq);
    if (acked == commit_map.end())
      break;
    commit_map.erase(acked);
    released = std::move(head.end);
    freed += head.bytes;
    ++released_batches;
    waiting.pop_front();
  }
  if (freed > 0 && reader)
    self->send(reader, atom::credit_v, freed);
  if (released != written && !commit_pending) {
    commit_pending = true;
    if (commit_interval.count() == 0)
      write_commit();
    else
      self->delayed_send(self, commit_interval, atom::commit_v);
  }
}

void watcher_state::write_commit() {
  commit_pending = false;
  if (released == written || released.empty())
    return;
  written = released;
  self->send(producer, atom::commit_v, written);
}

watcher_metrics watcher_state::metrics() const {
  watcher_metrics m;
  m.waiting_batches = waiting.size();
  for (auto& e : waiting)
    m.waiting_bytes += e.bytes;
  m.acknowledged_early = commit_map.size();
  m.released_batches = released_batches;
  m.released = released;
  return m;
}

watcher_actor::behavior_type
watcher(watcher_actor::stateful_pointer<watcher_state> self,
        producer_actor producer, binlog::position start,
        caf::timespan commit_interval) {
  auto& st = self->state;
  st.self = self;
  st.producer = std::move(producer);
  st.released = start;
  st.written = start;
  st.commit_interval = commit_interval;
  return {
    [self](atom::attach, reader_actor reader) {
      self->state.reader = std::move(reader);
    },
    [self](atom::enqueue, uint64_t seq, binlog::position& end,
           uint64_t bytes) {
      auto& st = self->state;
      st.waiting.push_back({seq, std::move(end), bytes});
      // The acknowledgement may have come first.
      if (st.waiting.size() == 1)
        st.release();
    },
    [self](atom::delivered, uint64_t seq) {
      auto& st = self->state;
      st.commit_map.insert(seq);
      if (!st.waiting.empty() && st.waiting.front().seq == seq)
        st.release();
    },
    [self](atom::released) { return self->state.released; },
    [self](atom::flush) {
      auto& st = self->state;
      st.write_commit();
      return st.written;
    },
    [self](atom::commit) { self->state.write_commit(); },
    [self](atom::attach, status_actor status) {
      self->state.status = std::move(status);
      self->send(self, atom::stats_v);
    },
    [self](atom::stats) {
      auto& st = self->state;
      if (!st.status)
        return;
      self->send(st.status, atom::stats_v, st.metrics());
      self->delayed_send(self, std::chrono::seconds(1), atom::stats_v);
    },
  };
}

} // namespace b2k
