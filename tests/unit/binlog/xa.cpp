#define CAF_SUITE binlog.xa

// XA transactions of a real MariaDB 10.11 binlog (tests/data/
// make_mariadb_xa.sh): rows are sent at XA COMMIT, never after XA ROLLBACK,
// and while one is undecided no position passes its start, so that a
// restart from any position sends exactly what was not sent yet.

#include <caf/test/unit_test.hpp>

#include "binlog/bytes.hpp"
#include "tests/unit/binlog/binlog_test.hpp"

using namespace b2k::test;

namespace {

const std::string xa_file = data_path("mariadb_xa.000001");

std::vector<int> ids(const std::vector<decoded_record>& records) {
  std::vector<int> result;
  for (auto& r : records)
    result.push_back(r.after()["id"].get<int>());
  return result;
}

} // namespace

CAF_TEST(rows of an xa transaction are sent at its commit) {
  decoded d{xa_file};
  CAF_REQUIRE(!d.err);
  // 1 and 2 (a) wait for XA COMMIT 'a' after the plain 3; 4 (b) was rolled
  // back; 5 (c) committed in one phase; 6 (d) waits past 7, 8 (e, committed
  // in between) and 9.
  CAF_CHECK_EQUAL(ids(d.records()),
                  std::vector<int>({3, 1, 2, 5, 7, 8, 9, 6, 10}));
  // The rows keep the GTID and the offset they were written with.
  auto& one = d.records()[1];
  auto& three = d.records()[0];
  CAF_CHECK(one.source()["pos"].get<uint64_t>()
            < three.source()["pos"].get<uint64_t>());
  CAF_CHECK_NOT_EQUAL(one.source()["gtid"], three.source()["gtid"]);
  CAF_CHECK_EQUAL(d.records()[1].value["transaction"]["id"],
                  one.source()["gtid"]);
}

CAF_TEST(no position passes an undecided xa transaction) {
  decoded d{xa_file};
  CAF_REQUIRE(!d.err);
  auto& records = d.records();
  // Where the rows of 'd' (id 6) were written: records read while 'd' was
  // undecided (7, 8, 9) resume before that.
  auto d_rows = records[7].source()["pos"].get<uint64_t>();
  for (size_t i : {4u, 5u, 6u}) {
    CAF_CHECK_EQUAL(records[i].txn.file, records[7].txn.file);
    CAF_CHECK(records[i].txn.pos < d_rows);
  }
  // So do the transaction ends in between.
  size_t pinned = 0;
  for (auto& end : d.sink.ends)
    if (end.pos < d_rows && end.skip_rows > 0)
      ++pinned;
  CAF_CHECK(pinned >= 3u);
}

CAF_TEST(a restart from any position sends exactly the rest) {
  decoded whole{xa_file};
  CAF_REQUIRE(!whole.err);
  auto all = ids(whole.records());
  for (size_t i = 0; i < whole.records().size(); ++i) {
    auto& r = whole.records()[i];
    decoded rest{xa_file, r.txn.pos, r.row_in_txn};
    CAF_REQUIRE(!rest.err);
    std::vector<int> expected(all.begin() + static_cast<long>(i) + 1,
                              all.end());
    CAF_CHECK_EQUAL(ids(rest.records()), expected);
  }
}

CAF_TEST(a restart from any transaction end sends exactly the rest) {
  decoded whole{xa_file};
  CAF_REQUIRE(!whole.err);
  auto all = ids(whole.records());
  CAF_REQUIRE_EQUAL(whole.sink.ends.size(), whole.sink.ends_after.size());
  size_t anchored = 0;
  for (size_t e = 0; e < whole.sink.ends.size(); ++e) {
    auto& end = whole.sink.ends[e];
    if (end.skip_rows > 0)
      ++anchored;
    decoded rest{xa_file, end.pos, end.skip_rows};
    CAF_REQUIRE(!rest.err);
    // Exactly the records after that end: nothing lost in front of them,
    // nothing sent twice, also where an undecided XA transaction holds the
    // position back and the restart skips the rows sent since.
    auto from = static_cast<long>(whole.sink.ends_after[e]);
    std::vector<int> want(all.begin() + from, all.end());
    if (ids(rest.records()) != want)
      CAF_FAIL("restart at end " << e << " (" << binlog::to_string(end)
                                 << ") sent " << ids(rest.records()).size()
                                 << " records, want " << want.size());
  }
  // The ends held back by an undecided transaction were among them.
  CAF_CHECK_GREATER_OR_EQUAL(anchored, 3u);
}

CAF_TEST(an xa commit without its prepare is a warning) {
  // Start at the GTID event of XA COMMIT 'a': the commit comes without its
  // rows, which the decoder says instead of inventing any.
  auto file = read_bytes(xa_file);
  uint64_t start = 0;
  uint64_t previous = 4;
  for (uint64_t at = 4; at + 19 <= file.size();) {
    auto length = binlog::load_le32(file.data() + at + 9);
    std::string_view event{reinterpret_cast<const char*>(file.data() + at),
                           length};
    if (event.find("XA COMMIT X'61'") != std::string_view::npos) {
      start = previous;
      break;
    }
    previous = at;
    at += length;
  }
  CAF_REQUIRE(start > 4);
  struct warning_sink : collecting_sink {
    std::vector<std::string> warnings;
    void on_warning(const std::string& what) override {
      warnings.push_back(what);
    }
  } sink;
  binlog::decoder dec{*binlog::record_encoder::make({}), sink};
  auto err = binlog::decode_file(xa_file, dec, start, 0);
  CAF_REQUIRE(!err);
  CAF_REQUIRE_EQUAL(sink.warnings.size(), 1u);
  CAF_CHECK(sink.warnings[0].find("XA COMMIT of 1:61:") != std::string::npos);
  CAF_CHECK(sink.warnings[0].find("prepared before the start position")
            != std::string::npos);
}
