#define CAF_SUITE binlog.mysql_gtid_state

// The executed GTID set that positions carry on a MySQL source, as MariaDB's
// GTID state is carried: PREVIOUS_GTIDS sets it at a file's start, each
// transaction's GTID joins it when the transaction ends, and the rows of a
// transaction carry the set before it (a replica given that set resends the
// transaction). The expected sets come from the GTID and PREVIOUS_GTIDS
// events of the real MySQL binlogs (tests/data/binlogs/README.md).

#include <caf/test/unit_test.hpp>

#include "binlog/gtid_set.hpp"
#include "tests/unit/binlog/binlog_test.hpp"

using namespace b2k::test;

namespace {

// binlog-invisible-columns.000001 (MySQL 8.0.26): an empty PREVIOUS_GTIDS,
// then GTIDs 1 and 2 (DDL, at 156 and 491) and 3, 4, 5 (one rows
// transaction each, at 787, 1120 and 1438; they end at 1120, 1438, 1787).
const std::string invisible = fixture_path("binlog-invisible-columns.000001");
const std::string invisible_uuid = "97c7af02-4c50-11ec-acd8-681842034964";

// Decodes a file with a decoder of our own, to set and read its state.
struct state_run {
  collecting_sink sink;
  binlog::error err;
  binlog::error set_err;
  std::string final_state;

  explicit state_run(const std::string& path, uint64_t start = 4,
                     const char* state = nullptr, bool track = true) {
    binlog::decoder dec{*binlog::record_encoder::make({}), sink};
    dec.track_mysql_gtids(track);
    if (state != nullptr)
      set_err = dec.set_gtid_state(state);
    err = binlog::decode_file(path, dec, start);
    final_state = dec.gtid_state();
  }

  /// The row changes (not schema changes).
  std::vector<decoded_record> rows() const {
    std::vector<decoded_record> out;
    for (auto& r : sink.records)
      if (r.value.is_object() && r.value.contains("op"))
        out.push_back(r);
    return out;
  }

  std::vector<std::string> end_states() const {
    std::vector<std::string> out;
    for (auto& e : sink.ends)
      out.push_back(e.gtid);
    return out;
  }
};

// The PREVIOUS_GTIDS body (no header, no checksum) of the event at `at`.
bytes previous_gtids_body(const std::string& file, size_t at) {
  auto ev = event_at(read_bytes(fixture_path(file)), at);
  CAF_REQUIRE_EQUAL(static_cast<int>(ev[4]), 35);
  return bytes(ev.begin() + 19, ev.end() - 4);
}

std::string bytes_text(const bytes& b) {
  return std::string(b.begin(), b.end());
}

// -- a MySQL 8 XA transaction, built from the documented layouts ----------

const std::string xa_uuid =
  "10111213-1415-1617-1819-1a1b1c1d1e1f"; // gtid_body's

bytes xa_prepare_body() {
  bytes b{0};      // two-phase
  put_le(b, 1, 4); // format id
  put_le(b, 1, 4); // gtrid length
  put_le(b, 0, 4); // bqual length
  b.push_back('x');
  return b;
}

struct xa_binlog {
  bytes data;
  size_t gtid6 = 0;
  size_t after_prepare = 0;
  size_t after_commit = 0;
  size_t gtid8 = 0;
  size_t end = 0;

  xa_binlog() {
    binlog_bytes f;
    f.add(mysql8_fde());
    binlog::gtid_set before;
    CAF_REQUIRE(!binlog::parse_gtid_set(xa_uuid + ":1-5", before));
    auto set = before.encode();
    f.add(make_event(35, bytes(set.begin(), set.end())));
    gtid6 = f.add(make_event(33, gtid_body(6)));
    f.add(make_event(2, query_body("test", "XA START X'78',X'',1")));
    f.add(make_event(19, test_table_map()));
    f.add(make_event(30, rows_body(42, 2, true, false, test_row(1, "one"))));
    f.add(make_event(2, query_body("test", "XA END X'78',X'',1")));
    f.add(make_event(38, xa_prepare_body()));
    after_prepare = f.data.size();
    f.add(make_event(33, gtid_body(7)));
    f.add(make_event(2, query_body("test", "XA COMMIT X'78',X'',1")));
    after_commit = f.data.size();
    gtid8 = f.add(make_event(33, gtid_body(8)));
    f.add(make_event(2, query_body("test", "BEGIN")));
    f.add(make_event(19, test_table_map()));
    f.add(make_event(30, rows_body(42, 2, true, false, test_row(2, "two"))));
    f.add(make_event(16, bytes(8, 9)));
    end = f.data.size();
    data = std::move(f.data);
  }
};

} // namespace

CAF_TEST(PREVIOUS_GTIDS bodies of real MySQL binlogs) {
  struct {
    const char* file;
    size_t at;
    const char* set;
  } cases[] = {
    {"binlog_transaction_previous_GTID_no_tag.000001", 126,
     "b9b88c66-0755-11f1-9899-4a9da94c4d71:1-2"},
    // MySQL 9.6: the tagged format.
    {"binlog_transaction_with_GTID_TAG.000001", 127,
     "55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-2"},
    {"transaction_compression.000001", 126,
     "357df524-4139-11ee-9979-b033ee13919e:1"},
    {"master-bin.000001", 123, ""},
  };
  for (auto& c : cases) {
    CAF_MESSAGE(c.file);
    auto body = previous_gtids_body(c.file, c.at);
    binlog::gtid_set set;
    CAF_CHECK_EQUAL(
      binlog::decode_gtid_set(body.data(), body.size(), set).message, "");
    CAF_CHECK_EQUAL(set.to_string(), c.set);
    // What we encode (and send in COM_BINLOG_DUMP_GTID) is what MySQL wrote.
    CAF_CHECK(set.encode() == bytes_text(body));
  }
}

CAF_TEST(positions carry the executed set through a MySQL 8 binlog) {
  state_run run{invisible};
  CAF_REQUIRE_EQUAL(run.err.message, "");
  auto u = invisible_uuid;
  std::vector<std::string> expected{u + ":1", u + ":1-2", u + ":1-3",
                                    u + ":1-4", u + ":1-5"};
  CAF_CHECK_EQUAL(run.end_states(), expected);
  std::vector<uint64_t> end_pos;
  for (auto& e : run.sink.ends)
    end_pos.push_back(e.pos);
  CAF_CHECK_EQUAL(end_pos, (std::vector<uint64_t>{491, 787, 1120, 1438, 1787}));
  CAF_CHECK_EQUAL(run.final_state, u + ":1-5");
  // A row's position is its transaction's start with the set before it.
  auto records = run.rows();
  CAF_REQUIRE_EQUAL(records.size(), 3u);
  std::pair<uint64_t, std::string> txns[] = {{787, u + ":1-2"},
                                             {1120, u + ":1-3"},
                                             {1438, u + ":1-4"}};
  for (size_t i = 0; i < records.size(); ++i) {
    CAF_CHECK_EQUAL(records[i].txn.pos, txns[i].first);
    CAF_CHECK_EQUAL(records[i].txn.gtid, txns[i].second);
    CAF_CHECK_EQUAL(records[i].source()["gtid"],
                    u + ":" + std::to_string(i + 3));
  }
}

CAF_TEST(a tagged GTID joins the tagged set at its commit) {
  state_run run{fixture_path("binlog_transaction_with_GTID_TAG.000001")};
  CAF_REQUIRE_EQUAL(run.err.message, "");
  std::string u = "55778904-0299-11f1-b1b8-4ef0c4956feb";
  auto rows = run.rows();
  CAF_REQUIRE_EQUAL(rows.size(), 1u);
  auto& r = rows[0];
  CAF_CHECK_EQUAL(r.txn.pos, 245u);
  CAF_CHECK_EQUAL(r.txn.gtid, u + ":1-13:mytag:1-2");
  CAF_CHECK_EQUAL(run.end_states(),
                  std::vector<std::string>{u + ":1-13:mytag:1-3"});
  CAF_CHECK_EQUAL(run.final_state, u + ":1-13:mytag:1-3");
}

CAF_TEST(anonymous transactions leave the set as it is) {
  // gtid_mode was turned off after one GTID transaction.
  state_run run{fixture_path("transaction_compression.000001")};
  CAF_REQUIRE_EQUAL(run.err.message, "");
  std::string set = "357df524-4139-11ee-9979-b033ee13919e:1";
  CAF_REQUIRE(!run.rows().empty());
  for (auto& r : run.rows())
    CAF_CHECK_EQUAL(r.txn.gtid, set);
  CAF_REQUIRE(!run.sink.ends.empty());
  for (auto& e : run.sink.ends)
    CAF_CHECK_EQUAL(e.gtid, set);
}

CAF_TEST(a PREVIOUS_GTIDS alone is the state of its file) {
  state_run run{fixture_path("binlog_transaction_previous_GTID_no_tag.000001")};
  CAF_REQUIRE_EQUAL(run.err.message, "");
  CAF_CHECK_EQUAL(run.final_state, "b9b88c66-0755-11f1-9899-4a9da94c4d71:1-2");
}

CAF_TEST(resuming mid-file from a set given as text) {
  auto u = invisible_uuid;
  // Upper case and a newline, as @@gtid_executed may give it.
  auto given = "\n" + std::string{"97C7AF02-4C50-11EC-ACD8-681842034964"}
               + ":1-3";
  state_run run{invisible, 1120, given.c_str()};
  CAF_REQUIRE_EQUAL(run.set_err.message, "");
  CAF_REQUIRE_EQUAL(run.err.message, "");
  CAF_CHECK_EQUAL(run.end_states(),
                  (std::vector<std::string>{u + ":1-4", u + ":1-5"}));
  auto rows = run.rows();
  CAF_REQUIRE_EQUAL(rows.size(), 2u);
  CAF_CHECK_EQUAL(rows[0].txn.gtid, u + ":1-3");
  CAF_CHECK_EQUAL(rows[1].txn.gtid, u + ":1-4");
}

CAF_TEST(an unknown set is carried as none rather than with holes) {
  // Mid-file with no state: adding GTIDs 4 and 5 to nothing would claim
  // 1-3 were never executed, and a failover would send them again.
  state_run run{invisible, 1120};
  CAF_REQUIRE_EQUAL(run.err.message, "");
  CAF_CHECK_EQUAL(run.end_states(), (std::vector<std::string>{"", ""}));
  for (auto& r : run.rows())
    CAF_CHECK_EQUAL(r.txn.gtid, "");
  // A server without gtid_mode=ON: no GTID at all, even from the file.
  state_run off{invisible, 4, nullptr, false};
  CAF_REQUIRE_EQUAL(off.err.message, "");
  CAF_CHECK_EQUAL(off.end_states(),
                  (std::vector<std::string>{"", "", "", "", ""}));
  state_run off_given{invisible, 1120, (invisible_uuid + ":1-3").c_str(),
                      false};
  CAF_CHECK_EQUAL(off_given.end_states(), (std::vector<std::string>{"", ""}));
}

CAF_TEST(the first PREVIOUS_GTIDS after a given set joins it) {
  // A dump started by GTID skips the transactions of its first file that
  // the set holds: that file's PREVIOUS_GTIDS must not drop them.
  std::string other = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee:1-9";
  auto u = invisible_uuid;
  state_run run{invisible, 4, (other + "," + u + ":1-3").c_str()};
  CAF_REQUIRE_EQUAL(run.err.message, "");
  CAF_CHECK_EQUAL(run.end_states(), (std::vector<std::string>{
                                      u + ":1-3," + other, u + ":1-3," + other,
                                      u + ":1-3," + other, u + ":1-4," + other,
                                      u + ":1-5," + other}));
}

CAF_TEST(set_gtid_state takes MySQL sets and MariaDB states) {
  collecting_sink sink;
  binlog::decoder dec{*binlog::record_encoder::make({}), sink};
  auto err = dec.set_gtid_state("97c7af02-4c50:1-3");
  CAF_CHECK_EQUAL(err.code, binlog::errc::unsupported);
  CAF_CHECK_EQUAL(err.message,
                  "the GTID state '97c7af02-4c50:1-3' is not a MySQL GTID "
                  "set: expected a uuid (8-4-4-4-12 hex digits) at offset 0");
  CAF_CHECK_EQUAL(dec.gtid_state(), "");
  CAF_CHECK(!dec.set_gtid_state(invisible_uuid + ":3:1-2"));
  CAF_CHECK_EQUAL(dec.gtid_state(), invisible_uuid + ":1-3");
  // MariaDB's, unchanged.
  CAF_CHECK(!dec.set_gtid_state("0-1-5,2-3-40"));
  CAF_CHECK_EQUAL(dec.gtid_state(), "0-1-5,2-3-40");
  CAF_CHECK(!dec.set_gtid_state(""));
  CAF_CHECK_EQUAL(dec.gtid_state(), "");
}

CAF_TEST(XA on MySQL: the prepared GTID joins at XA PREPARE) {
  xa_binlog f;
  temp_dir dir;
  auto path = put_file(dir, "xa.000001", f.data);
  state_run run{path};
  CAF_REQUIRE_EQUAL(run.err.message, "");
  auto u = xa_uuid;
  // While the XA transaction is undecided positions stay at its start with
  // the set before it; its XA COMMIT is a transaction of its own.
  CAF_REQUIRE_EQUAL(run.sink.ends.size(), 3u);
  CAF_CHECK_EQUAL(run.sink.ends[0].pos, f.gtid6);
  CAF_CHECK_EQUAL(run.sink.ends[0].gtid, u + ":1-5");
  CAF_CHECK_EQUAL(run.sink.ends[1].pos, f.after_commit);
  CAF_CHECK_EQUAL(run.sink.ends[1].gtid, u + ":1-7");
  CAF_CHECK_EQUAL(run.sink.ends[2].pos, f.end);
  CAF_CHECK_EQUAL(run.sink.ends[2].gtid, u + ":1-8");
  auto rows = run.rows();
  CAF_REQUIRE_EQUAL(rows.size(), 2u);
  auto& xa_row = rows[0];
  CAF_CHECK_EQUAL(xa_row.after()["id"], 1);
  CAF_CHECK_EQUAL(xa_row.txn.pos, f.gtid6);
  CAF_CHECK_EQUAL(xa_row.txn.gtid, u + ":1-5");
  CAF_CHECK_EQUAL(xa_row.source()["gtid"], u + ":6");
  auto& next_row = rows[1];
  CAF_CHECK_EQUAL(next_row.txn.pos, f.gtid8);
  CAF_CHECK_EQUAL(next_row.txn.gtid, u + ":1-7");
  CAF_CHECK_EQUAL(run.final_state, u + ":1-8");
}

CAF_TEST(MariaDB GTID states are carried as before) {
  // mariadb-bin.000001: an empty GTID_LIST, then 0-1-1 at 330 and 0-1-2
  // at 702, ending at 702 and 1074.
  state_run run{fixture_path("mariadb-bin.000001")};
  CAF_REQUIRE_EQUAL(run.err.message, "");
  CAF_CHECK_EQUAL(run.end_states(),
                  (std::vector<std::string>{"0-1-1", "0-1-2"}));
  auto rows = run.rows();
  CAF_REQUIRE_EQUAL(rows.size(), 2u);
  CAF_CHECK_EQUAL(rows[0].txn.pos, 330u);
  CAF_CHECK_EQUAL(rows[0].txn.gtid, "");
  CAF_CHECK_EQUAL(rows[1].txn.pos, 702u);
  CAF_CHECK_EQUAL(rows[1].txn.gtid, "0-1-1");
  // From a state given mid-file.
  state_run resumed{fixture_path("mariadb-bin.000001"), 702, "0-1-1"};
  CAF_CHECK_EQUAL(resumed.end_states(), std::vector<std::string>{"0-1-2"});
}
