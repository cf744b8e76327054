#include "actors/watcher.hpp"

#include <chrono>

#include <caf/event_based_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "config/defaults.hpp"

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
    released_seq = head.seq;
    freed += head.bytes;
    ++released_batches;
    waiting.pop_front();
  }
  if (freed > 0 && reader)
    self->send(reader, atom::credit_v, freed);
  if (released_seq != written_seq && !commit_pending) {
    commit_pending = true;
    if (commit_interval.count() == 0)
      write_commit();
    else
      self->delayed_send(self, commit_interval, atom::checkpoint_due_v);
  }
}

bool watcher_state::lease_valid() const {
  if (lease_until_ms < 0)
    return true;
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  return now < lease_until_ms;
}

void watcher_state::write_commit() {
  commit_pending = false;
  if (released_seq == written_seq || released.empty())
    return;
  if (!lease_valid()) {
    // Written when the next lease comes, if the lock is still ours.
    if (!lease_warned)
      spdlog::warn(
        "watcher: the source lock is not confirmed; not writing "
        "the commit log until it is");
    lease_warned = true;
    return;
  }
  lease_warned = false;
  // Releases come in read order, so this always moves forward.
  written = released;
  written_seq = released_seq;
  self->send(producer, atom::checkpoint_v, written_seq, written);
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
    [self](atom::enqueue, batch_ticket& ticket) {
      auto& st = self->state;
      st.waiting.push_back(std::move(ticket));
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
    [self](atom::resume) -> caf::result<binlog::position> {
      auto& st = self->state;
      if (!st.released.empty())
        return st.released;
      // Nothing read yet: the commit log says where, read by the producer
      // now that the reader holds the source lock.
      auto rp = self->make_response_promise<binlog::position>();
      self->request(st.producer, caf::infinite, atom::resume_v)
        .then([rp](binlog::position& pos) mutable { rp.deliver(pos); },
              [rp](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [self](atom::lease, int64_t until_ms) {
      auto& st = self->state;
      st.lease_until_ms = until_ms;
      if (st.released_seq != st.written_seq && !st.commit_pending)
        st.write_commit();
    },
    [self](atom::final_checkpoint) {
      auto& st = self->state;
      st.write_commit();
      return st.written;
    },
    [self](atom::checkpoint_due) { self->state.write_commit(); },
    [self](atom::attach, status_actor status) {
      self->state.status = std::move(status);
      self->send(self, atom::stats_due_v);
    },
    [self](atom::stats_due) {
      auto& st = self->state;
      if (!st.status)
        return;
      self->send(st.status, atom::stats_v, st.metrics());
      self->delayed_send(self, defaults::stats_period, atom::stats_due_v);
    },
  };
}

} // namespace b2k
