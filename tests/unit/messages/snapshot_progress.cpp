#define CAF_SUITE messages.snapshot_progress

// The snapshot progress the commit log records: what older versions wrote
// still reads, and key ranges (tables split across lanes) go and come back.

#include "messages/snapshot_progress.hpp"

#include <caf/test/unit_test.hpp>

using namespace b2k;

CAF_TEST(the progress of a version without key ranges reads) {
  auto p = snapshot_progress::parse(
    R"({"incremental":false,"done":false,"after":{"shop.a":["3132"]},)"
    R"("finished":["shop.b"]})");
  CAF_REQUIRE(p);
  CAF_CHECK_EQUAL(p->after.at("shop.a"), std::vector<std::string>{"3132"});
  CAF_CHECK_EQUAL(p->finished.count("shop.b"), 1u);
  CAF_CHECK(p->ranges.empty());
}

CAF_TEST(key ranges go and come back without the ones done) {
  snapshot_progress p;
  p.ranges["shop.big"] = {{{}, {"3130"}, true},
                          {{"3130"}, {"3230"}, false},
                          {{"3235"}, {}, false}};
  auto json = p.to_json();
  // A version without ranges finds no "after" for the table: it reads it
  // from its start (duplicates, never gaps).
  auto back = snapshot_progress::parse(json);
  CAF_REQUIRE(back);
  CAF_CHECK(back->after.empty());
  auto& list = back->ranges.at("shop.big");
  CAF_REQUIRE_EQUAL(list.size(), 2u);
  CAF_CHECK_EQUAL(list[0].after, std::vector<std::string>{"3130"});
  CAF_CHECK_EQUAL(list[0].to, std::vector<std::string>{"3230"});
  CAF_CHECK_EQUAL(list[1].after, std::vector<std::string>{"3235"});
  CAF_CHECK(list[1].to.empty());
  CAF_CHECK(!list[0].done && !list[1].done);
}

CAF_TEST(a malformed range is no progress) {
  CAF_CHECK(
    !snapshot_progress::parse(R"({"ranges":{"shop.big":[{"to":[]}]}})"));
}
