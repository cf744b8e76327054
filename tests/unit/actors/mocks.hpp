#pragma once

// Strict mocks of the pipeline's actors for the actor suites: a mock does
// only what the test set for it, and any other message fails the test and
// names it. One mock per interface, so that a handler added to an interface
// is added here once.

#include <functional>
#include <string>
#include <utility>

#include <caf/message_view.hpp>
#include <caf/scheduled_actor.hpp>

#include "actors/actors.hpp"
#include "tests/unit/fixtures.hpp"

namespace b2k::test {

/// Fails the test on a message outside `self`'s behavior (CAF's default,
/// print_and_drop, would only print it).
inline void fail_on_unexpected(caf::scheduled_actor* self) {
  self->set_default_handler(
    [](caf::scheduled_actor*,
       caf::message_view& x) -> caf::result<caf::message> {
      B2K_UNEXPECTED(x.content().stringify());
      return caf::sec::unexpected_message;
    });
}

/// Calls `f` if the test set it, else fails the test naming `what`.
template <class R, class... Ts, class... Xs>
R expected_call(const std::function<R(Ts...)>& f, const char* what,
                Xs&&... xs) {
  if (f)
    return f(std::forward<Xs>(xs)...);
  B2K_UNEXPECTED(what);
  return R{};
}

/// What a mock reader does: each unset handler fails the test.
struct reader_mock {
  std::function<void(uint64_t)> credit;
  std::function<binlog::position()> stop;
  /// Called when a mock reader goes down, whatever the reason.
  std::function<void()> exited;
};

inline reader_actor::behavior_type mock_reader(reader_actor::pointer self,
                                               const reader_mock* m) {
  fail_on_unexpected(self);
  if (m->exited)
    self->attach_functor([m] { m->exited(); });
  return {
    [](atom::read) { B2K_UNEXPECTED("read"); },
    [m](atom::credit, uint64_t bytes) {
      expected_call(m->credit, "credit", bytes);
    },
    [](atom::keepalive) { B2K_UNEXPECTED("keepalive"); },
    [](atom::lock) { B2K_UNEXPECTED("lock"); },
    [m](atom::stop) { return expected_call(m->stop, "stop"); },
    [](atom::stats_due) { B2K_UNEXPECTED("stats_due"); },
    [](atom::watermark, std::string&) {
      B2K_UNEXPECTED("watermark");
      return uint64_t{0};
    },
    [](atom::watermark, std::string&, bool) {
      B2K_UNEXPECTED("watermark");
      return uint64_t{0};
    },
    [](snapshot_chunk&) {
      B2K_UNEXPECTED("snapshot_chunk");
      return uint64_t{0};
    },
    [](atom::attach, signal_actor&) { B2K_UNEXPECTED("attach signals"); },
    [](atom::signals_due) { B2K_UNEXPECTED("signals_due"); },
  };
}

/// What a mock producer does: each unset handler fails the test.
struct producer_mock {
  std::function<void(delivery_listener_actor&)> attach;
  std::function<void(record_batch&)> batch;
  std::function<void(uint64_t, binlog::position&)> checkpoint;
  std::function<binlog::position()> resume;
  std::function<uint64_t()> drain;
};

inline producer_actor::behavior_type mock_producer(producer_actor::pointer self,
                                                   const producer_mock* m) {
  fail_on_unexpected(self);
  return {
    [m](atom::attach, delivery_listener_actor& listener) {
      expected_call(m->attach, "attach", listener);
    },
    [m](record_batch& batch) {
      expected_call(m->batch, "record_batch", batch);
    },
    [m](atom::checkpoint, uint64_t seq, binlog::position& pos) {
      expected_call(m->checkpoint, "checkpoint", seq, pos);
    },
    [m](atom::resume) { return expected_call(m->resume, "resume"); },
    [m](atom::drain) { return expected_call(m->drain, "drain"); },
    [](atom::poll) { B2K_UNEXPECTED("poll"); },
    [](atom::transaction_due) { B2K_UNEXPECTED("transaction_due"); },
    [](atom::stats_due) { B2K_UNEXPECTED("stats_due"); },
  };
}

/// What a mock watcher does: each unset handler fails the test.
struct watcher_mock {
  std::function<void(uint64_t)> delivered;
  std::function<void(reader_actor&)> attach;
  std::function<void(batch_ticket&)> enqueue;
  std::function<binlog::position()> resume;
  std::function<void(int64_t)> lease;
};

inline watcher_actor::behavior_type mock_watcher(watcher_actor::pointer self,
                                                 const watcher_mock* m) {
  fail_on_unexpected(self);
  return {
    [m](atom::delivered, uint64_t seq) {
      expected_call(m->delivered, "delivered", seq);
    },
    [m](atom::attach, reader_actor& reader) {
      expected_call(m->attach, "attach reader", reader);
    },
    [m](atom::enqueue, batch_ticket& ticket) {
      expected_call(m->enqueue, "enqueue", ticket);
    },
    [](atom::released) {
      B2K_UNEXPECTED("released");
      return binlog::position{};
    },
    [m](atom::resume) { return expected_call(m->resume, "resume"); },
    [m](atom::lease, int64_t until) {
      expected_call(m->lease, "lease", until);
    },
    [](atom::final_checkpoint) {
      B2K_UNEXPECTED("final_checkpoint");
      return binlog::position{};
    },
    [](atom::checkpoint_due) { B2K_UNEXPECTED("checkpoint_due"); },
    [](atom::attach, status_actor&) { B2K_UNEXPECTED("attach status"); },
    [](atom::stats_due) { B2K_UNEXPECTED("stats_due"); },
  };
}

} // namespace b2k::test
