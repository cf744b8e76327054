#include "actors/watcher.hpp"

#include <chrono>

#include <caf/event_based_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "config/defaults.hpp"

namespace b2k {

namespace {

// True if `x` is certainly before `y` in the same server's binlog (file,
// then offset, then rows skipped); false if either is empty or they are of
// other servers or file base names, where nothing can be said.
bool position_before(const binlog::position& x, const binlog::position& y) {
  if (x.empty() || y.empty())
    return false;
  if (x.server_id != 0 && y.server_id != 0 && x.server_id != y.server_id)
    return false;
  if (x.file != y.file)
    return binlog::binlog_file_before(x.file, y.file);
  return x.pos < y.pos || (x.pos == y.pos && x.skip_rows < y.skip_rows);
}

} // namespace

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
  // Releases come in read order, so this always moves forward; but never
  // write over a newer record this instance knows of (the commit log must
  // not go backwards).
  if (known && position_before(released, *known)) {
    if (!older_warned)
      spdlog::error(
        "watcher: not writing {} to the commit log: it holds the newer {}",
        binlog::to_string(released), binlog::to_string(*known));
    older_warned = true;
    return;
  }
  older_warned = false;
  written = released;
  written_seq = released_seq;
  known = written;
  self->send(producer, atom::checkpoint_v, written_seq, written);
}

binlog::position watcher_state::resume_after_restart(binlog::position last) {
  // Ours (or nothing, or as far as we got): go on from where we released.
  // Without a record we know of, there is nothing to tell ours from
  // another's by.
  if (!known || last.empty() || last == *known || last == released)
    return released;
  spdlog::warn(
    "watcher: the commit log's newest record {} is not the one this "
    "instance wrote last ({}): another instance wrote it while the source "
    "lock was not ours; resuming from it",
    binlog::to_string(last), binlog::to_string(*known));
  // What the old reader left unacknowledged is behind `last` now.
  waiting.clear();
  commit_map.clear();
  released = last;
  written = last;
  written_seq = released_seq;
  commit_pending = false;
  known = std::move(last);
  return released;
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
      // The commit log is read by the producer now that the reader holds
      // the source lock. Nothing read yet: it says where. A restart after
      // a lost lock: another instance may have written it meanwhile, and
      // going on from our own older position would move it backwards.
      auto rp = self->make_response_promise<binlog::position>();
      self->request(self->state.producer, caf::infinite, atom::resume_v)
        .then(
          [self, rp](binlog::position& last) mutable {
            auto& st = self->state;
            if (st.released.empty()) {
              st.known = last;
              rp.deliver(std::move(last));
              return;
            }
            rp.deliver(st.resume_after_restart(std::move(last)));
          },
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
