#define CAF_SUITE kafka.oversize

// The oversize logic on bytes: which limit applies, what a dead-letter
// record says, and truncation until a record fits.

#include "kafka/oversize.hpp"

#include <string>

#include <caf/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace b2k::kafka;

namespace {

/// A Debezium-shaped value of an update with a big column in both images.
std::string update_value(size_t big, size_t small) {
  std::string b(big, 'x');
  std::string s(small, 'y');
  return R"({"before":{"id":7,"b":")" + b + R"(","c":")" + s
         + R"(","d":1.5},"after":{"id":7,"b":")" + b + "z" + R"(","c":")" + s
         + R"(","d":1.5},"source":{"version":"2.0","db":"shop","table":"blobs",)"
         + R"("file":"binlog.000003","pos":4711,"row":2,"gtid":"0-1-9"},)"
         + R"("op":"u","ts_ms":1700000000000,"transaction":null})";
}

} // namespace

CAF_TEST(the smaller limit applies and names its setting) {
  auto by_producer = limit_for("t", 1000000, 1048588);
  CAF_CHECK_EQUAL(by_producer.bytes, 1000000 - record_overhead);
  CAF_CHECK_EQUAL(by_producer.bound_by, "the producer's message.max.bytes");
  auto by_topic = limit_for("t", 10000000, 1048588);
  CAF_CHECK_EQUAL(by_topic.bytes, 1048588 - record_overhead - batch_overhead);
  CAF_CHECK_EQUAL(by_topic.bound_by, "topic t's max.message.bytes");
  auto unknown = limit_for("t", 5000, std::nullopt);
  CAF_CHECK_EQUAL(unknown.bytes, 5000 - record_overhead);
  CAF_CHECK_EQUAL(unknown.topic_max, 0u);
}

CAF_TEST(the origin comes from the envelope with or without a schema) {
  auto value = update_value(10, 2);
  auto o = origin_of(value);
  CAF_CHECK_EQUAL(o.table, "shop.blobs");
  CAF_CHECK_EQUAL(o.file, "binlog.000003");
  CAF_CHECK_EQUAL(o.pos, 4711u);
  CAF_CHECK_EQUAL(o.row, 2u);
  CAF_CHECK_EQUAL(o.gtid, "0-1-9");
  CAF_CHECK_EQUAL(o.op, "u");
  auto with_schema = R"({"schema":{"type":"struct"},"payload":)" + value + "}";
  CAF_CHECK_EQUAL(origin_of(with_schema).table, "shop.blobs");
  CAF_CHECK_EQUAL(origin_of("{\"ddl\":\"x\"}").table, "");
  CAF_CHECK_EQUAL(origin_of("not json").table, "");
}

CAF_TEST(a dead-letter value holds the key and position but not the value) {
  auto value = update_value(100, 2);
  auto limit = limit_for("p.shop.blobs", 100, std::nullopt);
  auto dl = nlohmann::json::parse(dead_letter_value(
    origin_of(value), "p.shop.blobs", R"({"id":7})", value.size(), limit));
  CAF_CHECK_EQUAL(dl["table"], "shop.blobs");
  CAF_CHECK_EQUAL(dl["topic"], "p.shop.blobs");
  CAF_CHECK_EQUAL(dl["key"]["id"], 7);
  CAF_CHECK_EQUAL(dl["size"], value.size());
  CAF_CHECK_EQUAL(dl["limit"], limit.bytes);
  CAF_CHECK_EQUAL(dl["source"]["file"], "binlog.000003");
  CAF_CHECK_EQUAL(dl["source"]["pos"], 4711);
  CAF_CHECK_EQUAL(dl["source"]["row"], 2);
  CAF_CHECK(dl.dump().find("xxxx") == std::string::npos);
}

CAF_TEST(truncation replaces the largest values until the record fits) {
  auto value = update_value(5000, 300);
  // Room for everything but the two big values.
  auto t = truncate_columns(value, value.size() - 9000);
  CAF_REQUIRE(t);
  CAF_CHECK_LESS_OR_EQUAL(t->value.size(), value.size() - 9000);
  CAF_REQUIRE_EQUAL(t->replaced.size(), 2u);
  CAF_CHECK_EQUAL(t->replaced[0].first, "after.b");
  CAF_CHECK_EQUAL(t->replaced[0].second, 5003u); // quotes and the z
  CAF_CHECK_EQUAL(t->replaced[1].first, "before.b");
  auto j = nlohmann::json::parse(t->value);
  CAF_CHECK_EQUAL(j["after"]["b"]["__binlog2kafka_truncated"]["bytes"], 5003);
  CAF_CHECK_EQUAL(j["before"]["b"]["__binlog2kafka_truncated"]["bytes"], 5002);
  // The rest as it was: the small column, the number's form, the source.
  CAF_CHECK_EQUAL(j["after"]["c"], std::string(300, 'y'));
  CAF_CHECK(t->value.find("\"d\":1.5}") != std::string::npos);
  CAF_CHECK(t->value.find(R"("op":"u","ts_ms":1700000000000)")
            != std::string::npos);
  // One more byte of room than needed for one: only after.b goes.
  auto one = truncate_columns(value, value.size() - 4000);
  CAF_REQUIRE(one);
  CAF_CHECK_EQUAL(one->replaced.size(), 1u);
  // A record that fits is left alone.
  auto none = truncate_columns(value, value.size());
  CAF_REQUIRE(none);
  CAF_CHECK_EQUAL(none->value, value);
  CAF_CHECK(none->replaced.empty());
}

CAF_TEST(truncation in a value with a schema and a limit it cannot meet) {
  auto value = R"({"schema":{"type":"struct","fields":[]},"payload":)"
               + update_value(2000, 10) + "}";
  auto t = truncate_columns(value, value.size() - 3000);
  CAF_REQUIRE(t);
  auto j = nlohmann::json::parse(t->value);
  CAF_CHECK(j["payload"]["after"]["b"].is_object());
  CAF_CHECK_EQUAL(j["schema"]["type"], "struct");
  // Less room than the envelope without any column: no.
  CAF_CHECK(!truncate_columns(value, 200));
  CAF_CHECK(!truncate_columns(std::string(500, 'q'), 100));
}

CAF_TEST(the failure line names the table and key and size and limit and settings) {
  auto value = update_value(100, 2);
  auto line = describe_oversize(origin_of(value), "p.shop.blobs", R"({"id":7})",
                                3000000,
                                limit_for("p.shop.blobs", 1000000, 1048588));
  for (auto part :
       {"shop.blobs", R"({"id":7})", "3000000", "999960", "message.max.bytes",
        "max.message.bytes = 1048588", "oversize = dead-letter"})
    CAF_CHECK(line.find(part) != std::string::npos);
  CAF_CHECK(line.find('\n') == std::string::npos);
}
