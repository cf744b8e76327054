#define CAF_SUITE messages.snapshot_signal

// The signal parser: what the pipeline accepts from its signal topic, and
// that everything else is refused with a reason instead of acted on.

#include "messages/snapshot_signal.hpp"

#include <caf/test/unit_test.hpp>

using namespace b2k;

namespace {

// The reason a signal is refused ("" if it is accepted).
std::string refused(std::string_view text) {
  snapshot_signal s;
  std::string why;
  if (parse_signal(text, s, why))
    return "";
  CAF_CHECK(!why.empty());
  return why;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

} // namespace

CAF_TEST(an execute-snapshot signal is read with its id and patterns) {
  snapshot_signal s;
  std::string why;
  CAF_REQUIRE(parse_signal(
    R"({"type":"execute-snapshot","id":"s-1","tables":["shop\\.orders","crm\\..*"]})",
    s, why));
  CAF_CHECK_EQUAL(s.type, signal_type::execute_snapshot);
  CAF_CHECK_EQUAL(s.id, "s-1");
  CAF_REQUIRE_EQUAL(s.tables.size(), 2u);
  CAF_CHECK_EQUAL(s.tables[0], "shop\\.orders");
  CAF_CHECK_EQUAL(s.tables[1], "crm\\..*");
}

CAF_TEST(a cancel-snapshot signal names the snapshot) {
  snapshot_signal s;
  std::string why;
  CAF_REQUIRE(parse_signal(
    R"({"id":"20261206-011502-3fa9","type":"cancel-snapshot"})", s, why));
  CAF_CHECK_EQUAL(s.type, signal_type::cancel_snapshot);
  CAF_CHECK_EQUAL(s.id, "20261206-011502-3fa9");
  CAF_CHECK(s.tables.empty());
}

CAF_TEST(to_json and parse_signal round trip) {
  snapshot_signal s;
  s.id = make_snapshot_id();
  CAF_CHECK(valid_snapshot_id(s.id));
  s.tables = {"a\\.b", "c\\.\"d\""};
  snapshot_signal back;
  std::string why;
  CAF_REQUIRE(parse_signal(to_json(s), back, why));
  CAF_CHECK_EQUAL(back.id, s.id);
  CAF_CHECK_EQUAL(back.tables, s.tables);
  s.type = signal_type::cancel_snapshot;
  CAF_REQUIRE(parse_signal(to_json(s), back, why));
  CAF_CHECK_EQUAL(back.type, signal_type::cancel_snapshot);
  CAF_CHECK(back.tables.empty());
}

CAF_TEST(malformed and unknown signals are refused with a reason) {
  CAF_CHECK(contains(refused(""), "not JSON"));
  CAF_CHECK(contains(refused("{\"type\":"), "not JSON"));
  CAF_CHECK(contains(refused("[1,2]"), "not a JSON object"));
  CAF_CHECK(contains(refused("\"execute-snapshot\""), "not a JSON object"));
  CAF_CHECK(contains(refused("{}"), "no \"type\""));
  CAF_CHECK(contains(refused(R"({"type":7,"id":"a"})"), "no \"type\""));
  CAF_CHECK(contains(refused(R"({"type":"drop-table","id":"a"})"),
                     "unknown type \"drop-table\""));
  CAF_CHECK(contains(refused(R"({"type":"execute-snapshot","tables":["a"]})"),
                     "no \"id\""));
  CAF_CHECK(contains(
    refused(R"({"type":"execute-snapshot","id":"a b","tables":["a"]})"),
    "\"id\" is not"));
  CAF_CHECK(
    contains(refused(R"({"type":"execute-snapshot","id":"","tables":["a"]})"),
             "\"id\" is not"));
  CAF_CHECK(contains(refused(R"({"type":"execute-snapshot","id":")"
                             + std::string(65, 'x') + R"(","tables":["a"]})"),
                     "\"id\" is not"));
  CAF_CHECK(contains(refused(R"({"type":"execute-snapshot","id":"a"})"),
                     "no \"tables\""));
  CAF_CHECK(
    contains(refused(R"({"type":"execute-snapshot","id":"a","tables":[]})"),
             "no \"tables\""));
  CAF_CHECK(
    contains(refused(R"({"type":"execute-snapshot","id":"a","tables":"x"})"),
             "no \"tables\""));
  CAF_CHECK(
    contains(refused(R"({"type":"execute-snapshot","id":"a","tables":[1]})"),
             "not a string"));
  CAF_CHECK(
    contains(refused(R"({"type":"execute-snapshot","id":"a","tables":["("]})"),
             "is not a regular expression"));
  CAF_CHECK(
    contains(refused(R"({"type":"execute-snapshot","id":"a","tables":[""]})"),
             "empty table pattern"));
  CAF_CHECK(contains(
    refused(R"({"type":"execute-snapshot","id":"a","tables":["x"],"when":1})"),
    "unknown key \"when\""));
  // A cancel takes no tables.
  CAF_CHECK(
    contains(refused(R"({"type":"cancel-snapshot","id":"a","tables":["x"]})"),
             "unknown key \"tables\""));
}

CAF_TEST(patterns that would be costly to compile are refused) {
  // Nested repetitions multiply std::regex's states.
  CAF_CHECK(contains(
    refused(
      R"({"type":"execute-snapshot","id":"a","tables":["((a{30}){30}){30}"]})"),
    "repetitions"));
  CAF_CHECK(contains(
    refused(R"({"type":"execute-snapshot","id":"a","tables":["a{1000}"]})"),
    "repetition count over"));
  CAF_CHECK(
    contains(refused(R"({"type":"execute-snapshot","id":"a","tables":[")"
                     + std::string(300, 'a') + "\"]}"),
             "longer than"));
  std::string many = R"({"type":"execute-snapshot","id":"a","tables":[)";
  for (int i = 0; i < 101; ++i)
    many += std::string(i > 0 ? "," : "") + "\"t\"";
  many += "]}";
  CAF_CHECK(contains(refused(many), "more than 100"));
  CAF_CHECK(
    contains(refused(std::string(max_signal_size + 1, ' ')), "longer than"));
  // Found by signal_fuzz: a long back-reference number overflowed inside
  // libstdc++'s regex compiler.
  CAF_CHECK(contains(
    refused(
      R"({"type":"execute-snapshot","id":"a","tables":["x\\5555555555555555555555.y"]})"),
    "back-reference"));
  CAF_CHECK(contains(
    refused(R"({"type":"execute-snapshot","id":"a","tables":["(a)\\1"]})"),
    "back-reference"));
  // Bounded repetitions and escaped braces are fine.
  CAF_CHECK_EQUAL(
    refused(R"({"type":"execute-snapshot","id":"a","tables":["t{2,3}\\{x"]})"),
    "");
}

CAF_TEST(table patterns match whole names case-insensitively) {
  std::vector<std::string> p{"shop\\.orders", "crm\\..*"};
  CAF_CHECK(table_matches(p, "shop.orders"));
  CAF_CHECK(table_matches(p, "SHOP.Orders"));
  CAF_CHECK(table_matches(p, "crm.people"));
  CAF_CHECK(!table_matches(p, "shop.orders_old"));
  CAF_CHECK(!table_matches(p, "xshop.orders"));
  CAF_CHECK(!table_matches({"("}, "("));
}
