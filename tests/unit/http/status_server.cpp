#define CAF_SUITE http.status_server

#include "http/status_server.hpp"

#include <regex>
#include <sstream>

#include <caf/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace b2k;
using namespace std::chrono_literals;

namespace {

status_snapshot sample() {
  status_snapshot s;
  s.name = "orders \"eu\"";
  s.state = pipeline_state::running;
  s.reader.rows = 1200;
  s.reader.records = 1100;
  s.reader.events_by_type = {{"WRITE_ROWS", 40}, {"XID", 20}};
  s.reader.position.file = "binlog.000007";
  s.reader.position.pos = 4711;
  s.reader.position.skip_rows = 3;
  s.reader.lag_seconds = 2;
  s.producer.delivered_records = 1000;
  s.producer.in_flight_records = 100;
  s.watcher.waiting_batches = 2;
  s.watcher.released.file = "binlog.000007";
  s.watcher.released.pos = 4000;
  s.reader_restarts = 1;
  return s;
}

} // namespace

CAF_TEST(health says ready lagging or unavailable) {
  auto s = sample();
  auto h = http::health_of(s, 60s);
  CAF_CHECK_EQUAL(h.code, 200);
  auto ready = nlohmann::json::parse(h.body);
  CAF_CHECK_EQUAL(ready["status"], "ready");
  s.reader.lag_seconds = 61;
  h = http::health_of(s, 60s);
  CAF_CHECK_EQUAL(h.code, 200);
  auto lagging = nlohmann::json::parse(h.body);
  CAF_CHECK_EQUAL(lagging["status"], "lagging");
  for (auto state : {pipeline_state::starting, pipeline_state::reconnecting,
                     pipeline_state::stopping, pipeline_state::failed}) {
    s.state = state;
    s.last_error = "binlog.000001 was purged";
    h = http::health_of(s, 60s);
    CAF_CHECK_EQUAL(h.code, 503);
    auto j = nlohmann::json::parse(h.body);
    CAF_CHECK_EQUAL(j["status"], to_string(state));
    CAF_CHECK_EQUAL(j["last_error"], "binlog.000001 was purged");
  }
}

CAF_TEST(metrics are valid prometheus text) {
  auto text = http::render_metrics(sample());
  // Every sample line: name{labels} value, every name announced by TYPE.
  std::regex sample_line{
    R"(^(binlog2kafka_[a-z_]+)\{source="orders \\"eu\\""(,[a-z]+="[^"]*")*\} -?[0-9.e+]+$)"};
  std::regex type_line{R"(^# TYPE (binlog2kafka_[a-z_]+) (counter|gauge)$)"};
  std::set<std::string> typed;
  std::istringstream in{text};
  std::string line;
  size_t samples = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.rfind("# HELP ", 0) == 0)
      continue;
    if (std::regex_match(line, m, type_line)) {
      typed.insert(m[1]);
      continue;
    }
    CAF_CHECK(std::regex_match(line, m, sample_line));
    if (std::regex_match(line, m, sample_line))
      CAF_CHECK(typed.count(m[1]) == 1);
    ++samples;
  }
  CAF_CHECK(samples > 15);
  auto has = [&](const std::string& part) {
    return text.find(part) != std::string::npos;
  };
  CAF_CHECK(
    has("binlog2kafka_rows_read_total{source=\"orders \\\"eu\\\"\"} 1200"));
  CAF_CHECK(
    has("binlog2kafka_records_acknowledged_total{source=\"orders \\\"eu\\\"\"} "
        "1000"));
  CAF_CHECK(
    has("binlog2kafka_events_total{source=\"orders "
        "\\\"eu\\\"\",type=\"WRITE_ROWS\"} 40"));
  CAF_CHECK(has("binlog2kafka_lag_seconds{source=\"orders \\\"eu\\\"\"} 2"));
  CAF_CHECK(
    has("binlog2kafka_waiting_batches{source=\"orders \\\"eu\\\"\"} 2"));
  CAF_CHECK(
    has("binlog2kafka_released_position{source=\"orders "
        "\\\"eu\\\"\",file=\"binlog.000007\"} 4000"));
  CAF_CHECK(
    has("binlog2kafka_reader_restarts_total{source=\"orders \\\"eu\\\"\"} 1"));
  CAF_CHECK(
    has("binlog2kafka_up{source=\"orders \\\"eu\\\"\",state=\"running\"} 1"));
}

CAF_TEST(status json holds positions and counters) {
  auto j = nlohmann::json::parse(http::render_json(sample()));
  CAF_CHECK_EQUAL(j["state"], "running");
  CAF_CHECK_EQUAL(j["reader"]["position"]["file"], "binlog.000007");
  CAF_CHECK_EQUAL(j["reader"]["position"]["pos"], 4711);
  CAF_CHECK_EQUAL(j["reader"]["position"]["skip_rows"], 3);
  CAF_CHECK(j["reader"]["position"]["gtid"].is_null());
  CAF_CHECK_EQUAL(j["watcher"]["released"]["pos"], 4000);
  CAF_CHECK_EQUAL(j["producer"]["delivered_records"], 1000);
  CAF_CHECK_EQUAL(j["reader"]["events_by_type"]["XID"], 20);
}

CAF_TEST(snapshot progress with rate and eta in metrics and status json) {
  auto s = sample();
  s.snapshot.running = true;
  snapshot_table_progress reading;
  reading.table = "shop.orders";
  reading.rows_done = 250;
  reading.rows_estimated = 1000;
  reading.chunks = 3;
  reading.rate = 50;
  reading.eta_seconds = 15;
  snapshot_table_progress done;
  done.table = "shop.items";
  done.rows_done = done.rows_estimated = 40;
  done.chunks = 1;
  done.done = true;
  s.snapshot.tables = {reading, done};
  auto text = http::render_metrics(s);
  auto has = [&](const std::string& part) {
    return text.find(part) != std::string::npos;
  };
  const std::string labels =
    "{source=\"orders \\\"eu\\\"\",table=\"shop.orders\"} ";
  CAF_CHECK(
    has("binlog2kafka_snapshot_running{source=\"orders "
        "\\\"eu\\\"\"} 1"));
  CAF_CHECK(has("binlog2kafka_snapshot_rows_total" + labels + "250"));
  CAF_CHECK(has("binlog2kafka_snapshot_rows_estimated" + labels + "1000"));
  CAF_CHECK(has("binlog2kafka_snapshot_chunks_total" + labels + "3"));
  CAF_CHECK(has("binlog2kafka_snapshot_rows_per_second" + labels + "50"));
  CAF_CHECK(has("binlog2kafka_snapshot_eta_seconds" + labels + "15"));
  auto j = nlohmann::json::parse(http::render_json(s));
  CAF_REQUIRE_EQUAL(j["snapshot"].size(), 2u);
  CAF_CHECK_EQUAL(j["snapshot"][0]["table"], "shop.orders");
  CAF_CHECK_EQUAL(j["snapshot"][0]["rows_done"], 250);
  CAF_CHECK_EQUAL(j["snapshot"][0]["rows_estimated"], 1000);
  CAF_CHECK_EQUAL(j["snapshot"][0]["rate"], 50.0);
  CAF_CHECK_EQUAL(j["snapshot"][0]["eta_seconds"], 15.0);
  // Done, or no rate yet: no ETA.
  CAF_CHECK(j["snapshot"][1]["eta_seconds"].is_null());
  CAF_CHECK_EQUAL(j["snapshot"][1]["done"], true);
}

CAF_TEST(the status page asks for status json) {
  auto& page = http::status_page();
  CAF_CHECK(page.find("<!doctype html>") == 0);
  CAF_CHECK(page.find("fetch(\"status.json?since=\"") != std::string::npos);
  // No external assets: everything is on the page.
  CAF_CHECK(page.find("src=\"http") == std::string::npos);
  CAF_CHECK(page.find("prefers-color-scheme: dark") != std::string::npos);
}

CAF_TEST(status json holds the kafka transaction in exactly once only) {
  auto s = sample();
  CAF_CHECK(
    nlohmann::json::parse(http::render_json(s))["producer"]["transaction"]
      .is_null());
  s.producer.transaction_state = "open";
  s.producer.transactions_committed = 12;
  s.producer.transactions_aborted = 1;
  s.producer.transaction_records = 300;
  s.producer.last_commit_ms = 1700000000000;
  auto t = nlohmann::json::parse(
    http::render_json(s))["producer"]["transaction"];
  CAF_CHECK_EQUAL(t["state"], "open");
  CAF_CHECK_EQUAL(t["committed"], 12);
  CAF_CHECK_EQUAL(t["aborted"], 1);
  CAF_CHECK_EQUAL(t["records"], 300);
  CAF_CHECK_EQUAL(t["last_commit_ms"], 1700000000000);
  // The page shows it in its own card when it is there.
  auto& page = http::status_page();
  CAF_CHECK(page.find("id=\"txn-card\"") != std::string::npos);
  CAF_CHECK(page.find("s.producer.transaction") != std::string::npos);
}
