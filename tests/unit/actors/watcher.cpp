#define CAF_SUITE actors.watcher

#include "actors/watcher.hpp"

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "tests/unit/actors/mocks.hpp"
#include "tests/unit/fixtures.hpp"

using namespace b2k;
using namespace b2k::test;

namespace {

/// The producer and the reader as the watcher sees them: the watcher only
/// hands the producer releases and asks it where to resume, and only gives
/// the reader credit.
struct recorder {
  std::vector<binlog::position> commits;
  std::vector<uint64_t> commit_seqs;
  std::vector<uint64_t> credits;
  /// What the producer answers when asked where to resume.
  binlog::position in_commit_log;
  size_t resumes = 0;
  producer_mock producer;
  reader_mock reader;

  recorder() {
    producer.checkpoint = [this](uint64_t seq, binlog::position& pos) {
      commit_seqs.push_back(seq);
      commits.push_back(std::move(pos));
    };
    producer.resume = [this] {
      ++resumes;
      return in_commit_log;
    };
    reader.credit = [this](uint64_t bytes) { credits.push_back(bytes); };
  }

  // The mocks point into it.
  recorder(const recorder&) = delete;
  recorder& operator=(const recorder&) = delete;
};

struct fixture : deterministic_fixture {
  recorder rec;
  producer_actor producer;
  reader_actor reader;
  watcher_actor aut;

  fixture() {
    producer = sys.spawn(mock_producer, &rec.producer);
    reader = sys.spawn(mock_reader, &rec.reader);
    aut = sys.spawn(watcher, producer, at(100), caf::timespan{0});
    self->send(aut, atom::attach_v, reader);
    run();
  }

  ~fixture() override {
    for (auto h : {caf::actor_cast<caf::actor>(aut),
                   caf::actor_cast<caf::actor>(producer),
                   caf::actor_cast<caf::actor>(reader)})
      self->send_exit(h, caf::exit_reason::user_shutdown);
    run();
  }

  void enqueue(uint64_t seq, uint64_t pos, uint64_t bytes = 10) {
    self->send(aut, atom::enqueue_v, batch_ticket{seq, at(pos), bytes});
    run();
  }

  void deliver(uint64_t seq) {
    self->send(aut, atom::delivered_v, seq);
    run();
  }

  binlog::position released() {
    self->send(aut, atom::released_v);
    run();
    binlog::position result;
    self->receive([&](binlog::position& pos) { result = std::move(pos); });
    return result;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(watcher_tests, fixture)

CAF_TEST(nothing is released before anything is acknowledged) {
  enqueue(1, 200);
  enqueue(2, 300);
  CAF_CHECK_EQUAL(released(), at(100));
  CAF_CHECK(rec.commits.empty());
  CAF_CHECK(rec.credits.empty());
}

// The seed design's case: 3 and 4 sent, only 4 acknowledged, the process
// dies: the commit log must still say "before 3".
CAF_TEST(an acknowledgement after a gap releases nothing) {
  enqueue(3, 300);
  enqueue(4, 400);
  deliver(4);
  CAF_CHECK_EQUAL(released(), at(100));
  CAF_CHECK(rec.commits.empty());
  deliver(3);
  CAF_CHECK_EQUAL(released(), at(400));
  CAF_REQUIRE_EQUAL(rec.commits.size(), 1u);
  CAF_CHECK_EQUAL(rec.commits.back(), at(400));
  CAF_REQUIRE_EQUAL(rec.credits.size(), 1u);
  CAF_CHECK_EQUAL(rec.credits.back(), 20u);
}

CAF_TEST(the release message goes to the commit log in order) {
  enqueue(1, 200);
  enqueue(2, 300);
  self->send(aut, atom::delivered_v, uint64_t{2});
  expect((atom::delivered, uint64_t), from(self).to(aut).with(_, 2u));
  disallow((atom::checkpoint, uint64_t, binlog::position),
           from(aut).to(producer));
  self->send(aut, atom::delivered_v, uint64_t{1});
  expect((atom::delivered, uint64_t), from(self).to(aut).with(_, 1u));
  expect((atom::credit, uint64_t), from(aut).to(reader).with(_, 20u));
  expect((atom::checkpoint, uint64_t, binlog::position),
         from(aut).to(producer).with(_, 2u, at(300)));
}

CAF_TEST(acknowledgements may arrive before their batch) {
  deliver(1);
  deliver(2);
  CAF_CHECK_EQUAL(released(), at(100));
  enqueue(1, 200);
  CAF_CHECK_EQUAL(released(), at(200));
  enqueue(2, 250, 5);
  CAF_CHECK_EQUAL(released(), at(250));
  CAF_CHECK_EQUAL(rec.credits, std::vector<uint64_t>({10, 5}));
}

CAF_TEST(a mid transaction position keeps its skip count) {
  enqueue(1, 200);
  self->send(aut, atom::enqueue_v, batch_ticket{2, at(200, 7), 10});
  run();
  deliver(1);
  deliver(2);
  CAF_CHECK_EQUAL(released(), at(200, 7));
}

CAF_TEST(the final checkpoint writes the released position once) {
  enqueue(1, 200);
  deliver(1);
  CAF_CHECK_EQUAL(rec.commits.size(), 1u);
  self->send(aut, atom::final_checkpoint_v);
  run();
  self->receive([&](binlog::position& pos) { CAF_CHECK_EQUAL(pos, at(200)); });
  CAF_CHECK_EQUAL(rec.commits.size(), 1u);
}

// Every order of acknowledgements, for many seeds: what is released is
// always a prefix of what was read, and only once everything in it is
// acknowledged.
CAF_TEST(random acknowledgement orders release only acknowledged prefixes) {
  constexpr uint64_t n = 64;
  for (unsigned seed = 0; seed < 200; ++seed) {
    recorder local;
    auto producer = sys.spawn(mock_producer, &local.producer);
    auto aut = sys.spawn(watcher, producer, at(0), caf::timespan{0});
    std::mt19937 rng{seed};
    std::vector<uint64_t> order(n);
    std::iota(order.begin(), order.end(), 1);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<bool> acked(n + 1, false);
    uint64_t next_enqueue = 1;
    // Interleave enqueues (in read order) with acknowledgements (shuffled).
    for (auto seq : order) {
      while (next_enqueue <= n && rng() % 2 == 0) {
        self->send(aut, atom::enqueue_v,
                   batch_ticket{next_enqueue, at(next_enqueue * 10), 1});
        ++next_enqueue;
      }
      self->send(aut, atom::delivered_v, seq);
      acked[seq] = true;
      run();
      // The released position must be the end of the longest fully
      // acknowledged prefix of what was enqueued.
      uint64_t prefix = 0;
      while (prefix + 1 < next_enqueue && acked[prefix + 1])
        ++prefix;
      self->send(aut, atom::released_v);
      run();
      self->receive(
        [&](binlog::position& pos) { CAF_CHECK_EQUAL(pos, at(prefix * 10)); });
    }
    while (next_enqueue <= n) {
      self->send(aut, atom::enqueue_v,
                 batch_ticket{next_enqueue, at(next_enqueue * 10), 1});
      ++next_enqueue;
    }
    run();
    // Commits are strictly increasing positions, ending with the last.
    CAF_REQUIRE(!local.commits.empty());
    for (size_t i = 1; i < local.commits.size(); ++i)
      CAF_CHECK(local.commits[i - 1].pos < local.commits[i].pos);
    CAF_CHECK_EQUAL(local.commits.back(), at(n * 10));
    self->send_exit(aut, caf::exit_reason::user_shutdown);
    self->send_exit(producer, caf::exit_reason::user_shutdown);
    run();
  }
}

CAF_TEST(commit log writes are coalesced by the commit interval) {
  recorder local;
  auto producer = sys.spawn(mock_producer, &local.producer);
  auto aut = sys.spawn(watcher, producer, at(0),
                       caf::timespan{std::chrono::milliseconds(200)});
  for (uint64_t seq = 1; seq <= 5; ++seq) {
    self->send(aut, atom::enqueue_v, batch_ticket{seq, at(seq * 10), 1});
    self->send(aut, atom::delivered_v, seq);
  }
  consume_messages(); // run() would also fire the timer
  CAF_CHECK_EQUAL(local.commits.size(), 0u);
  trigger_timeouts();
  run();
  CAF_REQUIRE_EQUAL(local.commits.size(), 1u);
  CAF_CHECK_EQUAL(local.commits.back(), at(50));
  self->send_exit(aut, caf::exit_reason::user_shutdown);
  self->send_exit(producer, caf::exit_reason::user_shutdown);
  run();
}

// A graceful stop inside the commit interval: the position released since
// the last write is written by the final checkpoint, not left to a timer
// that never fires, so that a restart does not send it again.
CAF_TEST(a graceful stop writes the position the commit interval held back) {
  recorder local;
  auto producer = sys.spawn(mock_producer, &local.producer);
  auto aut = sys.spawn(watcher, producer, at(0),
                       caf::timespan{std::chrono::seconds(5)});
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    self->send(aut, atom::enqueue_v, batch_ticket{seq, at(seq * 10), 1});
    self->send(aut, atom::delivered_v, seq);
  }
  consume_messages(); // run() would also fire the timer
  CAF_REQUIRE_EQUAL(local.commits.size(), 0u);
  self->send(aut, atom::final_checkpoint_v);
  consume_messages();
  binlog::position answer;
  self->receive([&](binlog::position& pos) { answer = std::move(pos); },
                caf::after(std::chrono::seconds(0)) >>
                  [] { CAF_ERROR("no answer to final_checkpoint"); });
  CAF_CHECK_EQUAL(answer, at(30));
  CAF_REQUIRE_EQUAL(local.commits.size(), 1u);
  CAF_CHECK_EQUAL(local.commits.back(), at(30));
  CAF_CHECK_EQUAL(local.commit_seqs, std::vector<uint64_t>({3}));
  // The timer that comes later has nothing left to write.
  trigger_timeouts();
  run();
  CAF_CHECK_EQUAL(local.commits.size(), 1u);
  self->send_exit(aut, caf::exit_reason::user_shutdown);
  self->send_exit(producer, caf::exit_reason::user_shutdown);
  run();
}

CAF_TEST(no commit log write once the source lock is not confirmed) {
  using namespace std::chrono;
  auto now_ms = [] {
    return static_cast<int64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch())
        .count());
  };
  self->send(aut, atom::lease_v, now_ms() + 60000);
  enqueue(1, 200);
  deliver(1);
  CAF_REQUIRE_EQUAL(rec.commits.size(), 1u);
  // The lease ran out (a pause longer than the lock's timeout): a standby
  // may own the commit log now.
  self->send(aut, atom::lease_v, now_ms() - 1);
  enqueue(2, 300);
  deliver(2);
  self->send(aut, atom::final_checkpoint_v);
  run();
  self->receive([&](binlog::position& pos) { CAF_CHECK_EQUAL(pos, at(200)); });
  CAF_CHECK_EQUAL(rec.commits.size(), 1u);
  CAF_CHECK_EQUAL(released(), at(300));
  // Confirmed again: the held-back position goes out.
  self->send(aut, atom::lease_v, now_ms() + 60000);
  run();
  CAF_REQUIRE_EQUAL(rec.commits.size(), 2u);
  CAF_CHECK_EQUAL(rec.commits.back(), at(300));
  CAF_CHECK_EQUAL(rec.commit_seqs, std::vector<uint64_t>({1, 2}));
}

CAF_TEST(a reader resumes at the released position once there is one) {
  self->send(aut, atom::resume_v);
  run();
  self->receive([&](binlog::position& pos) { CAF_CHECK_EQUAL(pos, at(100)); });
  CAF_CHECK_EQUAL(rec.resumes, 1u);
}

// A restart after a lost connection (the source lock kept or taken again):
// the commit log holds what this instance wrote last, so it goes on from
// where it released, past what the commit log says.
CAF_TEST(a restarted reader goes on past its own commit log record) {
  enqueue(1, 200);
  deliver(1);
  CAF_REQUIRE_EQUAL(rec.commits.size(), 1u);
  rec.in_commit_log = at(200);
  self->send(aut, atom::resume_v);
  run();
  self->receive([&](binlog::position& pos) { CAF_CHECK_EQUAL(pos, at(200)); });
  CAF_CHECK_EQUAL(rec.resumes, 1u);
}

// The soak's case (at-least-once, a standby pair): this instance lost the
// source lock, the standby took it and wrote newer positions, then died,
// and this instance took the lock again. Going on from its own released
// position would write commit-log records older than the standby's.
CAF_TEST(a restarted reader resumes from a record another instance wrote) {
  enqueue(1, 200);
  deliver(1);
  CAF_REQUIRE_EQUAL(rec.commits.size(), 1u);
  rec.in_commit_log = at(5000);
  self->send(aut, atom::resume_v);
  run();
  self->receive([&](binlog::position& pos) { CAF_CHECK_EQUAL(pos, at(5000)); });
  CAF_CHECK_EQUAL(released(), at(5000));
  // The restarted reader's batches (a new epoch) go on from there.
  uint64_t seq = (uint64_t{2} << 40) + 1;
  enqueue(seq, 5100);
  deliver(seq);
  CAF_CHECK_EQUAL(rec.commits,
                  std::vector<binlog::position>({at(200), at(5100)}));
  CAF_CHECK_EQUAL(rec.commit_seqs, std::vector<uint64_t>({1, seq}));
}

// The invariant: whatever the reader sends, no commit-log record older than
// the newest one the watcher knows of is written.
CAF_TEST(no commit log record older than the newest known one is written) {
  rec.in_commit_log = at(5000);
  enqueue(1, 200);
  deliver(1);
  CAF_REQUIRE_EQUAL(rec.commits.size(), 1u);
  self->send(aut, atom::resume_v);
  run();
  self->receive([&](binlog::position& pos) { CAF_CHECK_EQUAL(pos, at(5000)); });
  enqueue(2, 300);
  deliver(2);
  CAF_CHECK_EQUAL(released(), at(300));
  CAF_CHECK_EQUAL(rec.commits.size(), 1u);
  enqueue(3, 5000, 1);
  enqueue(4, 5100);
  deliver(3);
  deliver(4);
  CAF_CHECK_EQUAL(rec.commits.back(), at(5100));
}

CAF_TEST_FIXTURE_SCOPE_END()

// A pipeline started without --from: the first reader to hold the lock
// learns its start from the commit log, through the producer, and only then.
CAF_TEST(without a start the commit log decides where the reader starts) {
  struct fresh : deterministic_fixture {
    recorder rec;
  } f;
  f.rec.in_commit_log = at(4242, 3);
  auto producer = f.sys.spawn(mock_producer, &f.rec.producer);
  auto aut = f.sys.spawn(watcher, producer, binlog::position{},
                         caf::timespan{0});
  f.run();
  CAF_CHECK_EQUAL(f.rec.resumes, 0u);
  f.self->send(aut, atom::resume_v);
  f.run();
  f.self->receive(
    [&](binlog::position& pos) { CAF_CHECK_EQUAL(pos, at(4242, 3)); });
  CAF_CHECK_EQUAL(f.rec.resumes, 1u);
  f.self->send_exit(aut, caf::exit_reason::user_shutdown);
  f.self->send_exit(producer, caf::exit_reason::user_shutdown);
  f.run();
}
