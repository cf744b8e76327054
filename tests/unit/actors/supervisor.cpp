#define CAF_SUITE actors.supervisor

#include "actors/supervisor.hpp"

#include <vector>

#include "tests/unit/actors/mocks.hpp"
#include "tests/unit/fixtures.hpp"

using namespace b2k;
using namespace b2k::test;

namespace {

/// The readers and the producer as the supervisor sees them: it only asks a
/// reader to stop (no reader attached itself to the watcher for credit), and
/// the producer to attach, drain and write the final position.
struct producer_log {
  std::vector<binlog::position> commits;
  size_t drains = 0;
  /// What happened, in order: "stop" (the reader was asked to stop
  /// reading), "drain", "commit", "reader exit".
  std::vector<std::string> events;
  reader_mock reader;
  producer_mock producer;

  producer_log() {
    reader.stop = [this] {
      events.emplace_back("stop");
      return binlog::position{};
    };
    reader.exited = [this] { events.emplace_back("reader exit"); };
    producer.attach = [](delivery_listener_actor&) {};
    producer.checkpoint = [this](uint64_t, binlog::position& pos) {
      events.emplace_back("commit");
      commits.push_back(std::move(pos));
    };
    producer.drain = [this] {
      events.emplace_back("drain");
      ++drains;
      return uint64_t{0};
    };
  }

  // The mocks point into it.
  producer_log(const producer_log&) = delete;
  producer_log& operator=(const producer_log&) = delete;
};

struct fixture : deterministic_fixture {
  producer_log log;
  std::vector<reader_actor> readers;
  std::vector<binlog::position> starts;
  std::vector<uint64_t> epochs;
  producer_actor producer;
  supervisor_actor aut;

  fixture() {
    supervisor_config cfg;
    cfg.settings = make_settings([](settings& s) {
      s.source.from = at(100);
      s.kafka.commit_interval = caf::timespan{0};
    });
    cfg.spawn_reader = [this](caf::actor_system& sys, const reader_config& rc,
                              watcher_actor, producer_actor) {
      starts.push_back(rc.start);
      epochs.push_back(rc.epoch);
      readers.push_back(sys.spawn(mock_reader, &log.reader));
      return readers.back();
    };
    cfg.spawn_producer = [this](caf::actor_system& sys, const settings_ptr&,
                                const status_actor&) {
      producer = sys.spawn(mock_producer, &log.producer);
      return producer;
    };
    aut = sys.spawn(supervisor, cfg);
    run();
  }

  ~fixture() override {
    self->send_exit(aut, caf::exit_reason::user_shutdown);
    run();
  }

  watcher_actor watcher() {
    return deref<caf::stateful_actor<supervisor_state, supervisor_actor::base>>(
             aut)
      .state.watcher;
  }

  /// What the reader would do: a batch read and delivered.
  void read_and_deliver(uint64_t seq, binlog::position end) {
    self->send(watcher(), atom::enqueue_v, batch_ticket{seq, end, 10});
    self->send(watcher(), atom::delivered_v, seq);
    run();
  }

  /// What a reader holding the source lock asks the watcher: where to start.
  binlog::position resume() {
    self->send(watcher(), atom::resume_v);
    run();
    binlog::position result;
    self->receive([&](binlog::position& pos) { result = std::move(pos); },
                  caf::after(std::chrono::seconds(0)) >>
                    [] { CAF_ERROR("no answer to resume"); });
    return result;
  }

  void kill_reader(caf::error reason) {
    self->send_exit(readers.back(), std::move(reason));
    run();
  }

  caf::error await_supervisor_exit() {
    caf::error reason;
    bool down = false;
    self->receive([&](caf::down_msg& dm) {
      reason = dm.reason;
      down = true;
    });
    CAF_CHECK(down);
    return reason;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(supervisor_tests, fixture)

CAF_TEST(the reader starts where the pipeline was told to) {
  CAF_REQUIRE_EQUAL(readers.size(), 1u);
  CAF_CHECK_EQUAL(starts[0], at(100));
}

CAF_TEST(a lost connection restarts the reader from the released position) {
  read_and_deliver(1, at(200));
  read_and_deliver(2, at(300, 4));
  kill_reader(caf::make_error(ec::source_unavailable, "connection lost"));
  // run() fired the back-off timer: drained and respawned a reader that
  // asks the watcher where to start once it holds the source lock.
  CAF_REQUIRE_EQUAL(readers.size(), 2u);
  CAF_CHECK(starts[1].empty());
  CAF_CHECK_NOT_EQUAL(epochs[0], epochs[1]);
  CAF_CHECK(log.drains >= 1u);
  // The commit log holds what this instance wrote last.
  log.producer.resume = [] { return at(300, 4); };
  CAF_CHECK_EQUAL(resume(), at(300, 4));
}

// A standby pair in at-least-once mode (the soak, seed 968080): this
// instance lost the source lock with its connection, the standby took it
// and wrote newer positions, then died; the restarted reader, with the lock
// again, must not go on from this instance's older position.
CAF_TEST(a restart resumes from a record another instance wrote meanwhile) {
  read_and_deliver(1, at(200));
  read_and_deliver(2, at(300));
  CAF_REQUIRE_EQUAL(log.commits.back(), at(300));
  kill_reader(caf::make_error(ec::source_unavailable, "lock connection lost"));
  CAF_REQUIRE_EQUAL(readers.size(), 2u);
  log.producer.resume = [] { return at(9000); };
  CAF_CHECK_EQUAL(resume(), at(9000));
  // Its batches continue the commit log from there.
  read_and_deliver((uint64_t{2} << 40) + 1, at(9100));
  CAF_CHECK_EQUAL(log.commits.back(), at(9100));
}

CAF_TEST(the restart waits for the back off) {
  kill_reader(caf::make_error(ec::source_unavailable, "connection lost"));
  CAF_CHECK_EQUAL(readers.size(), 2u);
  // The second loss right away doubles the wait: nothing before 2 s.
  self->send_exit(readers.back(),
                  caf::make_error(ec::source_unavailable, "again"));
  consume_messages();
  CAF_CHECK_EQUAL(readers.size(), 2u);
  advance_time(std::chrono::milliseconds(1500));
  consume_messages();
  CAF_CHECK_EQUAL(readers.size(), 2u);
  advance_time(std::chrono::milliseconds(600));
  run();
  CAF_CHECK_EQUAL(readers.size(), 3u);
}

CAF_TEST(a fatal error stops the pipeline with that error) {
  self->monitor(aut);
  read_and_deliver(1, at(200));
  kill_reader(caf::make_error(ec::position_purged,
                              "binlog.000001 was purged from the server"));
  auto reason = await_supervisor_exit();
  CAF_CHECK_EQUAL(reason.category(), caf::atom("b2k"));
  CAF_CHECK_EQUAL(static_cast<ec>(reason.code()), ec::position_purged);
  // No restart, and the released position went to the commit log.
  CAF_CHECK_EQUAL(readers.size(), 1u);
  CAF_REQUIRE(!log.commits.empty());
  CAF_CHECK_EQUAL(log.commits.back(), at(200));
}

CAF_TEST(a graceful stop drains and writes the final position) {
  self->monitor(aut);
  read_and_deliver(1, at(200));
  read_and_deliver(2, at(250));
  auto drains_before = log.drains;
  self->send(aut, atom::stop_v);
  run();
  auto reason = await_supervisor_exit();
  CAF_CHECK(!reason);
  CAF_CHECK_EQUAL(readers.size(), 1u);
  CAF_CHECK_EQUAL(log.drains, drains_before + 2); // before and after the flush
  CAF_REQUIRE(!log.commits.empty());
  CAF_CHECK_EQUAL(log.commits.back(), at(250));
}

// The reader keeps the source lock until the final position is written: a
// standby that takes over must find it in the commit log.
CAF_TEST(a graceful stop holds the reader until the final position is out) {
  self->monitor(aut);
  self->monitor(readers.back());
  read_and_deliver(1, at(200));
  log.events.clear();
  self->send(aut, atom::stop_v);
  consume_messages();
  // Stop reading first, the reader still alive; then drain.
  CAF_REQUIRE(!log.events.empty());
  CAF_CHECK_EQUAL(log.events.front(), "stop");
  run();
  // The reader went down only after the last drain.
  bool reader_down = false;
  bool supervisor_down = false;
  while (!reader_down || !supervisor_down)
    self->receive([&](caf::down_msg& dm) {
      if (dm.source == aut.address())
        supervisor_down = true;
      else
        reader_down = true;
    });
  CAF_CHECK_EQUAL(log.events, std::vector<std::string>(
                                {"stop", "drain", "drain", "reader exit"}));
}

CAF_TEST(a dead producer stops the pipeline) {
  self->monitor(aut);
  self->send_exit(producer,
                  caf::make_error(ec::delivery_failed, "record too large"));
  run();
  auto reason = await_supervisor_exit();
  CAF_CHECK_EQUAL(static_cast<ec>(reason.code()), ec::delivery_failed);
}

CAF_TEST_FIXTURE_SCOPE_END()
