#define CAF_SUITE kafka.commit_log

// The commit log's record: what a restart reads back is what was written,
// and what is not a position is refused rather than misread.

#include "kafka/commit_log.hpp"

#include <caf/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace b2k;

namespace {

binlog::position make_position() {
  binlog::position p;
  p.file = "binlog.000042";
  p.pos = 123456;
  p.gtid = "0-1-77,1-2-5";
  p.skip_rows = 3;
  p.server_id = 7;
  return p;
}

} // namespace

CAF_TEST(a record reads back as written) {
  auto pos = make_position();
  auto value = kafka::encode_commit(pos, 1700000000123);
  auto j = nlohmann::json::parse(value);
  CAF_CHECK_EQUAL(j["file"], "binlog.000042");
  CAF_CHECK_EQUAL(j["pos"], 123456);
  CAF_CHECK_EQUAL(j["gtid"], "0-1-77,1-2-5");
  CAF_CHECK_EQUAL(j["skip_rows"], 3);
  CAF_CHECK_EQUAL(j["server_id"], 7);
  CAF_CHECK_EQUAL(j["ts_ms"], 1700000000123);
  auto back = kafka::decode_commit(value);
  CAF_REQUIRE(back);
  CAF_CHECK_EQUAL(back->pos, pos);
  CAF_CHECK_EQUAL(back->ts_ms, 1700000000123u);
}

CAF_TEST(no gtid and no server id are left out or null) {
  binlog::position pos;
  pos.file = "binlog.000001";
  pos.pos = 4;
  auto value = kafka::encode_commit(pos, 1);
  auto j = nlohmann::json::parse(value);
  CAF_CHECK(j["gtid"].is_null());
  CAF_CHECK(!j.contains("server_id"));
  auto back = kafka::decode_commit(value);
  CAF_REQUIRE(back);
  CAF_CHECK_EQUAL(back->pos, pos);
}

CAF_TEST(records of older versions read with defaults) {
  // Before server_id and skip_rows existed.
  auto back = kafka::decode_commit(
    R"({"file":"binlog.000003","pos":4567,"gtid":null,"ts_ms":5})");
  CAF_REQUIRE(back);
  CAF_CHECK_EQUAL(back->pos.file, "binlog.000003");
  CAF_CHECK_EQUAL(back->pos.pos, 4567u);
  CAF_CHECK_EQUAL(back->pos.skip_rows, 0u);
  CAF_CHECK_EQUAL(back->pos.server_id, 0u);
  CAF_CHECK(back->pos.gtid.empty());
}

CAF_TEST(what is not a position is refused) {
  for (auto value :
       {"", "not json", "[]", "null", "{}", R"({"file":"binlog.000001"})",
        R"({"pos":4})", R"({"file":"","pos":4})",
        R"({"file":"binlog.000001","pos":3})",
        R"({"file":"binlog.000001","pos":-4})",
        R"({"file":"binlog.000001","pos":"4"})", R"({"file":7,"pos":4})"}) {
    CAF_MESSAGE("value: " << value);
    CAF_CHECK(!kafka::decode_commit(value));
  }
}

CAF_TEST(the commit log names its topic and key) {
  kafka::commit_log log{"127.0.0.1:1", {}, "orders.commits", "orders"};
  CAF_CHECK_EQUAL(log.topic(), "orders.commits");
  CAF_CHECK_EQUAL(log.key(), "orders");
}

CAF_TEST(a commit-log topic that can lose the position gets one warning) {
  auto warn = [](std::map<std::string, std::string> entries) {
    return kafka::retention_warning("p.commits", entries);
  };
  CAF_CHECK_EQUAL(
    warn({{"cleanup.policy", "compact"}, {"retention.ms", "60000"}}), "");
  CAF_CHECK_EQUAL(
    warn({{"cleanup.policy", "compact,delete"}, {"retention.ms", "-1"}}), "");
  CAF_CHECK_EQUAL(warn({{"cleanup.policy", "compact,delete"},
                        {"retention.ms", "604800000"}}),
                  "");
  auto deleted = warn(
    {{"cleanup.policy", "delete"}, {"retention.ms", "604800000"}});
  CAF_CHECK(deleted.find("p.commits has cleanup.policy=delete")
            != std::string::npos);
  CAF_CHECK(deleted.find("position could be lost") != std::string::npos);
  CAF_CHECK(deleted.find('\n') == std::string::npos);
  auto short_retention = warn(
    {{"cleanup.policy", "compact,delete"}, {"retention.ms", "3600000"}});
  CAF_CHECK(short_retention.find("retention.ms 3600000 ms")
            != std::string::npos);
}
