#define CAF_SUITE binlog.table_rows

#include <caf/test/unit_test.hpp>

#include <map>
#include <string>

#include "records_test.hpp"

// The decoder's per-table row counts (the status page's busiest tables):
// counted per rows event, they must agree with the records the decoder
// sends, table by table and op by op, and include tables it reads but does
// not send.

using namespace b2k::test;
using binlog::record_kind;

namespace {

struct counts {
  uint64_t c = 0, u = 0, d = 0;
  bool operator==(const counts& o) const {
    return c == o.c && u == o.u && d == o.d;
  }
};

std::string show(const counts& x) {
  return std::to_string(x.c) + "/" + std::to_string(x.u) + "/"
         + std::to_string(x.d);
}

} // namespace

CAF_TEST(rows per table agree with the records sent) {
  auto o = run_defaults();
  o.exclude_tables = {"shop\\.audit_log"};
  raw_sink sink;
  binlog::decoder dec{*binlog::record_encoder::make(o), sink};
  CAF_REQUIRE(!binlog::decode_file(records_fixture(), dec));
  // What the records say, by "db.table" (a key change sends a delete and
  // an insert for one updated row, so the fixture's tables have none).
  std::map<std::string, counts> sent;
  for (auto& r : sink.records) {
    if (r.kind != record_kind::change)
      continue;
    auto src = r.at({"source"});
    auto table = src["db"].get<std::string>() + "."
                 + src["table"].get<std::string>();
    auto op = r.at({"op"}).get<std::string>();
    auto& x = sent[table];
    (op == "c" ? x.c : op == "u" ? x.u : x.d)++;
  }
  CAF_REQUIRE(sent.size() >= 4);
  uint64_t all = 0;
  std::map<std::string, counts> counted;
  for (auto& t : dec.rows_by_table()) {
    all += t.inserts + t.updates + t.deletes;
    CAF_CHECK_EQUAL(t.skipped, t.topic.empty());
    counted[t.table] = counts{t.inserts, t.updates, t.deletes};
  }
  // Every row of the binlog is counted once, sent or not.
  CAF_CHECK_EQUAL(all, dec.stats().rows);
  for (auto& [table, x] : sent) {
    CAF_MESSAGE(table << ": sent " << show(x) << ", counted "
                      << show(counted[table]));
    CAF_CHECK(counted[table] == x);
  }
  // Read but not sent: the excluded table and the system schema's.
  auto& audit = counted["shop.audit_log"];
  CAF_CHECK_EQUAL(audit.c, 1u);
  CAF_CHECK_EQUAL(audit.d, 1u);
  CAF_CHECK(counted.count("mysql.b2k_probe") == 1);
  CAF_CHECK_EQUAL(sent.count("shop.audit_log"), 0u);
  // Each table once, however many TABLE_MAP events (and table ids) it had.
  CAF_CHECK_EQUAL(counted.size(), dec.rows_by_table().size());
}
