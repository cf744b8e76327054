#define CAF_SUITE actors.status

#include "actors/status.hpp"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "config/defaults.hpp"
#include "tests/unit/fixtures.hpp"

// The status actor's memory: the charts' ring buffer, the rows per table
// over the last minute and in all, the newest log lines, all driven by the
// test coordinator's clock.

using namespace b2k;
using namespace b2k::test;
using namespace std::chrono_literals;

namespace {

table_counts rows(std::string table, uint64_t c, uint64_t u, uint64_t d) {
  table_counts t;
  t.table = table;
  t.topic = "t." + table;
  t.inserts = c;
  t.updates = u;
  t.deletes = d;
  return t;
}

// The sample timer re-arms itself: run() (which fires every timeout until
// none is left) would never end, so these tests move the clock by hand.
struct fixture : deterministic_fixture {
  status_actor aut;

  fixture() {
    aut = sys.spawn(status, std::string{"test"});
    sched.run();
  }

  ~fixture() {
    self->send_exit(aut, caf::exit_reason::user_shutdown);
    sched.run();
  }

  status_snapshot snapshot() {
    self->send(aut, atom::snapshot_v);
    sched.run();
    status_snapshot out;
    self->receive([&](status_snapshot& s) { out = std::move(s); });
    return out;
  }

  /// One sample period passes: the sample timer fires.
  void tick() {
    sched.advance_time(defaults::sample_period);
    sched.run();
  }

  void reader(uint64_t records, std::vector<table_counts> tables,
              int64_t lag = 0) {
    reader_metrics m;
    m.rows = m.records = records;
    m.lag_seconds = lag;
    m.credit_in_use = static_cast<int64_t>(records) * 100;
    m.tables = std::move(tables);
    self->send(aut, atom::stats_v, m);
    sched.run();
  }

  void acked(uint64_t records) {
    producer_metrics m;
    m.delivered_records = records;
    self->send(aut, atom::stats_v, m);
    sched.run();
  }
};

} // namespace

CAF_TEST(ring buffer keeps the newest items) {
  ring_buffer<int> r{3};
  CAF_CHECK(r.empty());
  for (int i = 1; i <= 2; ++i)
    r.push(i);
  CAF_CHECK_EQUAL(r.to_vector(), (std::vector<int>{1, 2}));
  for (int i = 3; i <= 7; ++i)
    r.push(i);
  CAF_CHECK_EQUAL(r.size(), 3u);
  CAF_CHECK_EQUAL(r.to_vector(), (std::vector<int>{5, 6, 7}));
  CAF_CHECK_EQUAL(r[0], 5);
  CAF_CHECK_EQUAL(r.back(), 7);
  ring_buffer<int> none{0};
  none.push(1);
  CAF_CHECK(none.empty());
}

CAF_TEST(table activity counts the last minute and in all) {
  table_activity t;
  t.add(rows("shop.orders", 10, 0, 0), 0);
  t.add(rows("shop.orders", 0, 5, 0), 30);
  t.add(rows("shop.items", 1, 1, 1), 30);
  t.add(rows("shop.quiet", 0, 0, 0), 30); // no rows: not a table seen
  CAF_CHECK_EQUAL(t.size(), 2u);
  auto top = t.top(10, 30, 30);
  CAF_REQUIRE_EQUAL(top.size(), 2u);
  CAF_CHECK_EQUAL(top[0].total.table, "shop.orders");
  CAF_CHECK_EQUAL(top[0].last_minute.rows(), 15u);
  CAF_CHECK_EQUAL(top[0].rows_per_second, 15.0 / 30); // 30 s observed
  CAF_CHECK_EQUAL(top[1].total.table, "shop.items");
  // At second 60 the rows of second 0 left the window, not the totals.
  top = t.top(10, 60, 60);
  CAF_CHECK_EQUAL(top[0].total.table, "shop.orders");
  CAF_CHECK_EQUAL(top[0].last_minute.inserts, 0u);
  CAF_CHECK_EQUAL(top[0].last_minute.updates, 5u);
  CAF_CHECK_EQUAL(top[0].total.inserts, 10u);
  CAF_CHECK_EQUAL(top[0].rows_per_second, 5.0 / 60);
  // Later still only the totals are left; ties go by total rows.
  t.expire(200);
  top = t.top(1, 200, 200);
  CAF_REQUIRE_EQUAL(top.size(), 1u);
  CAF_CHECK_EQUAL(top[0].total.table, "shop.orders");
  CAF_CHECK_EQUAL(top[0].last_minute.rows(), 0u);
  CAF_CHECK_EQUAL(top[0].total.rows(), 15u);
}

CAF_TEST(the busiest ten of many tables) {
  table_activity t;
  for (int i = 0; i < 30; ++i)
    t.add(rows("db.t" + std::to_string(i), static_cast<uint64_t>(i), 0, 0), 5);
  auto top = t.top(10, 5, 100);
  CAF_REQUIRE_EQUAL(top.size(), 10u);
  CAF_CHECK_EQUAL(top[0].total.table, "db.t29");
  CAF_CHECK_EQUAL(top[9].total.table, "db.t20");
  CAF_CHECK_EQUAL(t.size(), 29u); // db.t0 had no rows
}

CAF_TEST_FIXTURE_SCOPE(status_tests, fixture)

CAF_TEST(the sample timer fires once a sample period and not sooner) {
  auto early = defaults::sample_period - 1ms;
  sched.advance_time(early);
  sched.run();
  CAF_CHECK(snapshot().history.empty());
  sched.advance_time(1ms);
  sched.run();
  CAF_CHECK_EQUAL(snapshot().history.size(), 1u);
  // Re-armed: the next one a whole period later.
  sched.advance_time(early);
  sched.run();
  CAF_CHECK_EQUAL(snapshot().history.size(), 1u);
  sched.advance_time(1ms);
  sched.run();
  CAF_CHECK_EQUAL(snapshot().history.size(), 2u);
}

CAF_TEST(a sample a second for fifteen minutes) {
  auto first = snapshot();
  CAF_CHECK(first.history.empty());
  reader(0, {});
  uint64_t records = 0;
  for (int i = 0; i < 5; ++i) {
    records += 100;
    reader(records, {}, 3);
    acked(records - 50);
    tick();
  }
  auto s = snapshot();
  CAF_REQUIRE_EQUAL(s.history.size(), 5u);
  auto& last = s.history.back();
  CAF_CHECK_EQUAL(last.read_per_second, 100.0);
  CAF_CHECK_EQUAL(last.acknowledged_per_second, 100.0);
  CAF_CHECK_EQUAL(last.lag_seconds, 3);
  CAF_CHECK_EQUAL(last.credit_in_use, 50000);
  CAF_CHECK(s.history.front().ts_ms <= last.ts_ms);
  // A restarted reader counts from zero: its rows are new ones.
  reader(30, {});
  tick();
  auto after_restart = snapshot().history.back().read_per_second;
  CAF_CHECK_EQUAL(after_restart, 30.0);
  // Older than 15 minutes drops out.
  for (int i = 0; i < 1000; ++i)
    tick();
  auto samples = snapshot().history.size();
  CAF_CHECK_EQUAL(samples, status_state::history_samples);
}

CAF_TEST(rows per table from the reports of the reader) {
  reader(10, {rows("shop.orders", 8, 2, 0)});
  tick();
  reader(11, {rows("shop.items", 0, 0, 1)});
  reader(13, {rows("shop.orders", 2, 0, 0)});
  auto s = snapshot();
  CAF_CHECK_EQUAL(s.tables_seen, 2u);
  CAF_REQUIRE_EQUAL(s.top_tables.size(), 2u);
  CAF_CHECK_EQUAL(s.top_tables[0].total.table, "shop.orders");
  CAF_CHECK_EQUAL(s.top_tables[0].total.inserts, 10u);
  CAF_CHECK_EQUAL(s.top_tables[0].total.updates, 2u);
  CAF_CHECK_EQUAL(s.top_tables[0].last_minute.rows(), 12u);
  CAF_CHECK_EQUAL(s.top_tables[0].total.topic, "t.shop.orders");
  // A minute later the last minute is empty, the totals stay.
  for (int i = 0; i < 61; ++i)
    tick();
  s = snapshot();
  CAF_CHECK_EQUAL(s.top_tables[0].last_minute.rows(), 0u);
  CAF_CHECK_EQUAL(s.top_tables[0].total.rows(), 12u);
  CAF_CHECK_EQUAL(s.top_tables[0].rows_per_second, 0.0);
}

CAF_TEST(the newest twenty log lines and snapshot progress) {
  for (int i = 0; i < 25; ++i)
    self->send(aut, atom::log_v,
               log_line{i, "warning", "line " + std::to_string(i)});
  snapshot_metrics progress;
  progress.tables.push_back({"shop.orders", 500, 1000, 5, 250.0});
  self->send(aut, atom::stats_v, progress);
  sched.run();
  auto s = snapshot();
  CAF_REQUIRE_EQUAL(s.recent_log.size(), status_state::log_lines);
  CAF_CHECK_EQUAL(s.recent_log.front().text, "line 5");
  CAF_CHECK_EQUAL(s.recent_log.back().text, "line 24");
  CAF_REQUIRE_EQUAL(s.snapshot.tables.size(), 1u);
  CAF_CHECK_EQUAL(s.snapshot.tables[0].rows_estimated, 1000u);
}

CAF_TEST(warnings and errors of the log reach the status) {
  auto logger = std::make_shared<spdlog::logger>(
    "status-test", std::make_shared<spdlog::sinks::null_sink_mt>());
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  {
    log_to_status forward{aut};
    spdlog::info("not shown");
    spdlog::warn("reader: {} lost", "connection");
    spdlog::error("stopped: binlog purged");
  }
  spdlog::warn("after: not forwarded");
  spdlog::set_default_logger(previous);
  sched.run();
  auto s = snapshot();
  CAF_REQUIRE_EQUAL(s.recent_log.size(), 2u);
  CAF_CHECK_EQUAL(s.recent_log[0].level, "warning");
  CAF_CHECK_EQUAL(s.recent_log[0].text, "reader: connection lost");
  CAF_CHECK_EQUAL(s.recent_log[1].level, "error");
  CAF_CHECK(s.recent_log[1].ts_ms > 0);
}

CAF_TEST(the role follows the pipeline state) {
  self->send(aut, atom::state_v, pipeline_state::standby, std::string{});
  sched.run();
  auto waiting = snapshot();
  CAF_CHECK_EQUAL(waiting.role, "standby");
  self->send(aut, atom::state_v, pipeline_state::running, std::string{});
  sched.run();
  auto active = snapshot();
  CAF_CHECK_EQUAL(active.role, "active");
}

CAF_TEST_FIXTURE_SCOPE_END()
