#define CAF_SUITE binlog.fixtures

#include <caf/test/unit_test.hpp>

#include <dirent.h>

#include <set>
#include <string>

#include "binlog_test.hpp"

// Every real binlog of tests/data/binlogs (a copy of the shared fixtures;
// see its README) but the
// two JSON ones (binlog.json_fixtures covers those), decoded whole. The
// expected values were read from the bytes of each event and checked
// against `mariadb-binlog -v --base64-output=decode-rows`; the event counts
// come from walking the files' event lengths independently of the decoder.

using namespace b2k::test;

namespace {

std::string canon(const char* text) {
  return json::parse(text).dump();
}

// One record, field by field.
void check(const decoded_record& r, const char* topic, const char* key,
           const char* op, const char* before, const char* after,
           const std::string& file, uint64_t pos, uint64_t row,
           const char* gtid, uint64_t server_id, uint64_t ts_ms, const char* db,
           const char* table) {
  CAF_CHECK_EQUAL(r.topic, topic);
  CAF_CHECK_EQUAL(r.key.dump(), canon(key));
  CAF_CHECK_EQUAL(r.op(), op);
  CAF_CHECK_EQUAL(r.before().dump(), canon(before));
  CAF_CHECK_EQUAL(r.after().dump(), canon(after));
  auto& s = r.source();
  CAF_CHECK_EQUAL(s["name"], "binlog2kafka");
  CAF_CHECK_EQUAL(s["file"], file);
  CAF_CHECK_EQUAL(s["pos"].get<uint64_t>(), pos);
  CAF_CHECK_EQUAL(s["row"].get<uint64_t>(), row);
  if (gtid == nullptr)
    CAF_CHECK(s["gtid"].is_null());
  else
    CAF_CHECK_EQUAL(s["gtid"], gtid);
  CAF_CHECK_EQUAL(s["server_id"].get<uint64_t>(), server_id);
  CAF_CHECK_EQUAL(s["ts_ms"].get<uint64_t>(), ts_ms);
  CAF_CHECK_EQUAL(r.value["ts_ms"].get<uint64_t>(), ts_ms);
  CAF_CHECK_EQUAL(s["db"], db);
  CAF_CHECK_EQUAL(s["table"], table);
  // Transaction metadata: the GTID, or Debezium's "file=…,pos=…" of the
  // transaction's start (binlog.records checks the orders).
  auto& t = r.value["transaction"];
  CAF_CHECK_EQUAL(t["id"], gtid != nullptr ? std::string{gtid}
                                           : "file=" + r.txn.file + ",pos="
                                               + std::to_string(r.txn.pos));
  CAF_CHECK_GREATER_OR_EQUAL(t["total_order"].get<uint64_t>(), 1u);
  // Tables without a primary key are partitioned by their name.
  if (r.key.is_null())
    CAF_CHECK_EQUAL(r.partition_key, std::string{db} + "." + table);
  else
    CAF_CHECK_EQUAL(r.partition_key, "");
}

// The event count of a file must match the framing of its lengths.
void check_clean(const decoded& d, uint64_t events) {
  CAF_CHECK_EQUAL(d.err.message, "");
  CAF_CHECK_EQUAL(d.stats.events, events);
  CAF_CHECK_EQUAL(d.records().size(), d.stats.records);
}

std::string digits(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i)
    s.push_back(static_cast<char>('0' + i % 10));
  return s;
}

} // namespace

CAF_TEST(every fixture file is covered) {
  // Files this suite, binlog.json_fixtures and binlog.bad_input decode.
  const std::set<std::string> known = {
    "PROVENANCE.md",
    "README.md",
    "binlog-invisible-columns.000001",
    "binlog_56_gtid_reserved_word.000001",
    "binlog_savepoint.000001",
    "binlog_transaction.000001",
    "binlog_transaction_previous_GTID_no_tag.000001",
    "binlog_transaction_with_GTID.000001",
    "binlog_transaction_with_GTID_TAG.000001",
    "binlog_transaction_with_anonymous_GTID.000001",
    "binlog_truncated_event.000001",
    "binlog_truncated_prev_gtid_event.000001",
    "bug11747887-bin.000003",
    "bug16266.000001",
    "bug27213339-bin.000001",
    "bug32407.001",
    "bug33029-slave-relay-bin.000001",
    "bug40482-bin.000001",
    "corrupt-relay-bin.000624",
    "json-opaque.binlog",
    "json.binlog.000001",
    "mariadb-bin.000001",
    "master-bin.000001",
    "minimal_row_metadata.000001",
    "mysql-enum-string-set.000001",
    "mysql_type_bit.000001",
    "rpl_atomic_ddl_rollback_full.000001",
    "rpl_atomic_ddl_rollback_table.000001",
    "rpl_atomic_ddl_rollback_view.000001",
    "rpl_cross_version_default_utf8mb4_collation.000001",
    "rpl_unfiltered_hidden_gcol.000001",
    "slave-relay-bin.000001",
    "time_issue.000001",
    "transaction_compression.000001",
    "update-full-row.binlog",
    "update-partial-row.binlog",
    "vector.binlog",
    "ver_5_1-wl2325_r.001",
    "ver_5_1-wl2325_s.001",
    "ver_5_1_23.001",
    "ver_trunk_row_v2.001",
    "write-full-row.binlog",
    "write-partial-row.binlog",
  };
  auto dir = opendir(B2K_FIXTURES_DIR);
  CAF_REQUIRE(dir != nullptr);
  size_t files = 0;
  while (auto entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..")
      continue;
    ++files;
    if (known.count(name) == 0)
      CAF_FAIL("fixture " << name << " has no test");
  }
  closedir(dir);
  CAF_CHECK_EQUAL(files, known.size());
}

CAF_TEST(binlog - invisible columns) {
  // MySQL 8.0.26: INT UNSIGNED f1 and BIGINT UNSIGNED f6 are invisible
  // columns, but the binlog holds them like any other. No primary key.
  decoded d{fixture_path("binlog-invisible-columns.000001")};
  check_clean(d, 22);
  auto& v = d.records();
  CAF_REQUIRE_EQUAL(v.size(), 3u);
  const std::string file = "binlog-invisible-columns.000001";
  const char* uuid = "97c7af02-4c50-11ec-acd8-681842034964";
  check(v[0], "binlog2kafka.mysql.t1", "null", "c", "null",
        R"({"f1":1,"f2":2,"f3":-3,"f4":"4","f5":"BQ==","f6":6000000000})", file,
        1027, 0, (std::string{uuid} + ":3").c_str(), 1, 1637667166000, "mysql",
        "t1");
  check(v[1], "binlog2kafka.mysql.t1", "null", "c", "null",
        R"({"f1":null,"f2":null,"f3":-33,"f4":"44","f5":"VQ==","f6":null})",
        file, 1360, 0, (std::string{uuid} + ":4").c_str(), 1, 1637667198000,
        "mysql", "t1");
  check(v[2], "binlog2kafka.mysql.t1", "null", "u",
        R"({"f1":null,"f2":null,"f3":-33,"f4":"44","f5":"VQ==","f6":null})",
        R"({"f1":111,"f2":222,"f3":-333,"f4":"444","f5":"VQ==","f6":null})",
        file, 1687, 0, (std::string{uuid} + ":5").c_str(), 1, 1637667258000,
        "mysql", "t1");
  // Each row is the first and only one of its transaction, which starts at
  // its GTID event.
  for (auto& r : v) {
    CAF_CHECK_EQUAL(r.row_in_txn, 1u);
    CAF_CHECK_EQUAL(r.txn.file, file);
  }
  CAF_CHECK_EQUAL(v[0].txn.pos, 787u); // its GTID event
}

CAF_TEST(binlog - GTID and a table named like a reserved word) {
  decoded d{fixture_path("binlog_56_gtid_reserved_word.000001")};
  check_clean(d, 20);
  CAF_REQUIRE_EQUAL(d.records().size(), 1u);
  check(d.records()[0], "binlog2kafka.test.GENERATED", "null", "c", "null",
        R"({"@1":65})", "binlog_56_gtid_reserved_word.000001", 953, 0,
        "11111111-1111-1111-1111-111111111111:4", 1, 1527182772000, "test",
        "GENERATED");
}

CAF_TEST(binlog - statement-based files without rows) {
  // Statements, transactions, INTVAR/RAND/USER_VAR, LOAD DATA events,
  // INCIDENT, STOP, PREVIOUS_GTIDS, ANONYMOUS_GTID: all framed by their
  // lengths, none of them a row change.
  struct expectation {
    const char* file;
    uint64_t events;
  };
  const expectation files[] = {
    {"binlog_transaction.000001", 20},
    {"binlog_transaction_previous_GTID_no_tag.000001", 3},
    {"binlog_transaction_with_GTID.000001", 11},
    {"binlog_transaction_with_anonymous_GTID.000001", 9},
    {"bug11747887-bin.000003", 9},
    {"bug16266.000001", 6},
    {"bug27213339-bin.000001", 95},
    {"bug33029-slave-relay-bin.000001", 43},
    {"bug40482-bin.000001", 3},
    {"master-bin.000001", 3},
    {"rpl_atomic_ddl_rollback_full.000001", 11},
    {"rpl_atomic_ddl_rollback_table.000001", 7},
    {"rpl_atomic_ddl_rollback_view.000001", 7},
    {"rpl_cross_version_default_utf8mb4_collation.000001", 19},
    {"slave-relay-bin.000001", 6},
  };
  for (auto& f : files) {
    CAF_MESSAGE(f.file);
    decoded d{fixture_path(f.file)};
    check_clean(d, f.events);
    CAF_CHECK_EQUAL(d.records().size(), 0u);
  }
}

CAF_TEST(binlog - transaction boundaries of statement-based files) {
  // A relay log of MySQL 5.1: FORMAT_DESCRIPTION, ROTATE to the source's
  // file, the source's FORMAT_DESCRIPTION, then BEGIN, statements, SAVEPOINT,
  // ROLLBACK TO (which stays inside the transaction) and XID.
  decoded sp{fixture_path("binlog_savepoint.000001")};
  check_clean(sp, 12);
  CAF_REQUIRE_EQUAL(sp.sink.ends.size(), 1u);
  // A file read from disk keeps its own name: the ROTATE names the source's.
  CAF_CHECK_EQUAL(sp.sink.ends[0].file, "binlog_savepoint.000001");
  CAF_CHECK_EQUAL(sp.sink.ends[0].pos, 1014u);
  // MySQL 5.7: CREATE TABLE, two BEGIN...XID transactions, ALTER, DROP, each
  // after an ANONYMOUS_GTID; STOP at the end.
  decoded cv{
    fixture_path("rpl_cross_version_default_utf8mb4_collation.000001")};
  std::vector<uint64_t> ends;
  for (auto& e : cv.sink.ends)
    ends.push_back(e.pos);
  CAF_CHECK_EQUAL(ends, (std::vector<uint64_t>{520, 873, 1230, 1456, 1640}));
}

CAF_TEST(binlog - tagged GTID) {
  // MySQL 9.6: GTID_TAGGED_LOG (type 42) in MySQL's serialization format.
  decoded d{fixture_path("binlog_transaction_with_GTID_TAG.000001")};
  check_clean(d, 8);
  CAF_REQUIRE_EQUAL(d.records().size(), 1u);
  // DECIMAL(10,2) 250.00; the table map has signedness only.
  check(d.records()[0], "binlog2kafka.test.orders", "null", "c", "null",
        R"({"@1":3,"@2":100,"@3":"250.00"})",
        "binlog_transaction_with_GTID_TAG.000001", 461, 0,
        "55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3", 1, 1770368687000,
        "test", "orders");
  CAF_CHECK_EQUAL(d.records()[0].txn.pos, 245u); // the GTID_TAGGED event
  CAF_REQUIRE_EQUAL(d.sink.ends.size(), 1u);
  CAF_CHECK_EQUAL(d.sink.ends[0].pos, 541u); // after the XID
}

CAF_TEST(binlog - one rows event with two rows) {
  decoded d{fixture_path("bug32407.001")};
  check_clean(d, 7);
  auto& v = d.records();
  CAF_REQUIRE_EQUAL(v.size(), 2u);
  for (uint64_t i = 0; i < 2; ++i) {
    check(v[i], "binlog2kafka.test.t1", "null", "c", "null", R"({"@1":1})",
          "bug32407.001", 350, i, nullptr, 1, 1360247563000, "test", "t1");
    CAF_CHECK_EQUAL(v[i].row_in_txn, i + 1);
  }
}

CAF_TEST(binlog - MariaDB 10.5 with full metadata) {
  // GTID_LIST, BINLOG_CHECKPOINT, GTID, ANNOTATE_ROWS; ENUM('BLOB','JSON',
  // 'PROTOBUF'), a BLOB holding {"foo":1} and a TIMESTAMP; id is the key.
  decoded d{fixture_path("mariadb-bin.000001")};
  check_clean(d, 13);
  auto& v = d.records();
  CAF_REQUIRE_EQUAL(v.size(), 2u);
  check(v[0], "binlog2kafka.toddy_test.outbox", R"({"id":62})", "c", "null",
        R"({"id":62,"topic":"foo","event_type":"JSON",
            "event":"eyJmb28iOjF9","created":"2022-04-20T22:18:04Z"})",
        "mariadb-bin.000001", 612, 0, "0-1-1", 1, 1650493084000, "toddy_test",
        "outbox");
  check(v[1], "binlog2kafka.toddy_test.outbox", R"({"id":63})", "c", "null",
        R"({"id":63,"topic":"foo","event_type":"JSON",
            "event":"eyJmb28iOjF9","created":"2022-04-20T22:19:55Z"})",
        "mariadb-bin.000001", 984, 0, "0-1-2", 1, 1650493195000, "toddy_test",
        "outbox");
  CAF_CHECK_EQUAL(v[0].txn.pos, 330u); // the MariaDB GTID event
}

CAF_TEST(binlog - minimal row image) {
  // The after-image lacks @2 (BLOB) and @4 (INT): they are left out, not
  // null. @5 is INT UNSIGNED by the signedness metadata.
  decoded d{fixture_path("minimal_row_metadata.000001")};
  check_clean(d, 8);
  CAF_REQUIRE_EQUAL(d.records().size(), 1u);
  check(d.records()[0], "binlog2kafka.noria.t1", "null", "c", "null",
        R"({"@1":1,"@3":"a","@5":3230202323})", "minimal_row_metadata.000001",
        374, 0, nullptr, 1, 1744984258000, "noria", "t1");
}

CAF_TEST(binlog - ENUM and SET with their strings) {
  // f1 CHAR(128) utf8mb4, f2 VARCHAR(300), f3 ENUM('var1','variant2','foo'),
  // f4 SET('one','two','three','four'), f5 TEXT.
  decoded d{fixture_path("mysql-enum-string-set.000001")};
  check_clean(d, 21);
  auto& v = d.records();
  CAF_REQUIRE_EQUAL(v.size(), 3u);
  json first = {{"f1", digits(100)},
                {"f2", digits(129) + digits(129) + digits(40)},
                {"f3", "var1"},
                {"f4", "one,three"},
                {"f5", "0123456789"}};
  json second = {{"f1", "field1"},
                 {"f2", "field_2"},
                 {"f3", "variant2"},
                 {"f4", "two,four"},
                 {"f5", digits(129) + digits(129) + digits(40)}};
  const std::string file = "mysql-enum-string-set.000001";
  const std::string uuid = "93e95066-a2f4-11ec-9b69-9657f0ae95e2";
  check(v[0], "binlog2kafka.mysql.t", "null", "c", "null", first.dump().c_str(),
        file, 1077, 0, (uuid + ":3").c_str(), 1, 1647193281000, "mysql", "t");
  check(v[1], "binlog2kafka.mysql.t", "null", "u", first.dump().c_str(),
        second.dump().c_str(), file, 1855, 0, (uuid + ":4").c_str(), 1,
        1647193297000, "mysql", "t");
  check(v[2], "binlog2kafka.mysql.t", "null", "d", second.dump().c_str(),
        "null", file, 2945, 0, (uuid + ":5").c_str(), 1, 1647193306000, "mysql",
        "t");
}

CAF_TEST(binlog - BIT columns) {
  // a BIT(3) b'100', b TEXT, c BIT(8) b'00100000'.
  decoded d{fixture_path("mysql_type_bit.000001")};
  check_clean(d, 11);
  CAF_REQUIRE_EQUAL(d.records().size(), 1u);
  check(d.records()[0], "binlog2kafka.mysql.foo", "null", "c", "null",
        R"({"a":4,"b":"foo","c":32})", "mysql_type_bit.000001", 927, 0,
        "fbda2ad0-7c46-11ec-ae30-4ef7efc81a2a:3", 1, 1642940552000, "mysql",
        "foo");
}

CAF_TEST(binlog - relay log with a hidden generated column) {
  // The table map lists @2 (the functional index's hidden BIGINT); the
  // image leaves it out. A relay log: records name the file read.
  decoded d{fixture_path("rpl_unfiltered_hidden_gcol.000001")};
  check_clean(d, 15);
  CAF_REQUIRE_EQUAL(d.records().size(), 1u);
  check(d.records()[0], "binlog2kafka.test.t", "null", "c", "null",
        R"({"@1":1,"@3":"1"})", "rpl_unfiltered_hidden_gcol.000001", 979, 0,
        nullptr, 1, 1557756800000, "test", "t");
}

CAF_TEST(binlog - negative TIME of more than 24 hours) {
  // TIME(0) bytes 60 43 e5: 0x6043e5 - 0x800000 = -(507 << 12 | 48 << 6 | 27)
  decoded d{fixture_path("time_issue.000001")};
  check_clean(d, 8);
  CAF_REQUIRE_EQUAL(d.records().size(), 1u);
  check(d.records()[0], "binlog2kafka.noria.t", "null", "c", "null",
        R"({"@1":"-507:48:27"})", "time_issue.000001", 358, 0, nullptr, 1,
        1746458055000, "noria", "t");
}

CAF_TEST(binlog - zstd TRANSACTION_PAYLOAD) {
  // MySQL 8.0.32, binlog_transaction_compression=ON: ANONYMOUS_GTID at 197,
  // then one TRANSACTION_PAYLOAD at 274 holding QUERY(BEGIN), TABLE_MAP,
  // WRITE_ROWS and XID without checksums.
  decoded d{fixture_path("transaction_compression.000001")};
  CAF_CHECK_EQUAL(d.err.message, "");
  CAF_CHECK_EQUAL(d.stats.events, 5u + 4u); // the 4 inside count too
  CAF_CHECK_EQUAL(d.stats.events_by_type[static_cast<uint8_t>(
                    binlog::event_type::transaction_payload)],
                  1u);
  CAF_REQUIRE_EQUAL(d.records().size(), 1u);
  auto& r = d.records()[0];
  check(r, "binlog2kafka.test.tb1", "null", "c", "null", R"({"@1":1})",
        "transaction_compression.000001", 274, 0, nullptr, 1, 1695159109000,
        "test", "tb1");
  CAF_CHECK_EQUAL(r.txn.pos, 197u);
  CAF_CHECK_EQUAL(r.row_in_txn, 1u);
  CAF_REQUIRE_EQUAL(d.sink.ends.size(), 1u);
  CAF_CHECK_EQUAL(d.sink.ends[0].pos, 431u); // after the payload event
}

CAF_TEST(binlog - NDB rows events v1) {
  // MySQL Cluster 5.1.37: rows of mysql.ndb_apply_status (@1 INT server id,
  // @2 BIGINT epoch, @3 VARCHAR log name, @4/@5 BIGINT positions) and of
  // test.ba (@1 key, @2, @3 INT). No metadata at all.
  struct expectation {
    const char* file;
    uint32_t server_id;
    uint64_t update_pos, delete_pos;
    const char* update_before;
    const char* update_after;
  };
  const expectation files[] = {
    {"update-full-row.binlog", 4, 415, 471, R"({"@1":4,"@2":4,"@3":4})",
     R"({"@1":4,"@2":4,"@3":40})"},
    // The update's images lack @2.
    {"update-partial-row.binlog", 3, 415, 463, R"({"@1":4,"@3":4})",
     R"({"@1":4,"@3":40})"},
  };
  for (auto& f : files) {
    CAF_MESSAGE(f.file);
    decoded d{fixture_path(f.file)};
    check_clean(d, 10);
    auto& v = d.records();
    CAF_REQUIRE_EQUAL(v.size(), 7u);
    auto status = R"({"@1":)" + std::to_string(f.server_id)
                  + R"(,"@2":25769803786,"@3":"","@4":0,"@5":0})";
    const uint64_t ts = 1253873520000;
    check(v[0], "binlog2kafka.mysql.ndb_apply_status", "null", "c", "null",
          status.c_str(), f.file, 275, 0, nullptr, f.server_id, ts, "mysql",
          "ndb_apply_status");
    const char* inserted[] = {R"({"@1":3,"@2":3,"@3":3})",
                              R"({"@1":1,"@2":1,"@3":1})",
                              R"({"@1":2,"@2":2,"@3":2})",
                              R"({"@1":4,"@2":4,"@3":4})"};
    for (uint64_t i = 0; i < 4; ++i)
      check(v[1 + i], "binlog2kafka.test.ba", "null", "c", "null", inserted[i],
            f.file, 334, i, nullptr, f.server_id, ts, "test", "ba");
    check(v[5], "binlog2kafka.test.ba", "null", "u", f.update_before,
          f.update_after, f.file, f.update_pos, 0, nullptr, f.server_id, ts,
          "test", "ba");
    // The delete's image holds the key only.
    check(v[6], "binlog2kafka.test.ba", "null", "d", R"({"@1":2})", "null",
          f.file, f.delete_pos, 0, nullptr, f.server_id, ts, "test", "ba");
  }
}

CAF_TEST(binlog - NDB update logged as a write) {
  struct expectation {
    const char* file;
    uint32_t server_id;
    uint64_t write_pos, write_row, delete_pos;
    const char* written;
  };
  const expectation files[] = {
    {"write-full-row.binlog", 2, 334, 4, 428, R"({"@1":4,"@2":4,"@3":40})"},
    // A second WRITE_ROWS whose image lacks @2.
    {"write-partial-row.binlog", 1, 415, 0, 453, R"({"@1":4,"@3":40})"},
  };
  for (auto& f : files) {
    CAF_MESSAGE(f.file);
    decoded d{fixture_path(f.file)};
    check_clean(d, f.server_id == 2 ? 9 : 10);
    auto& v = d.records();
    CAF_REQUIRE_EQUAL(v.size(), 7u);
    const uint64_t ts = 1253873520000;
    auto status = R"({"@1":)" + std::to_string(f.server_id)
                  + R"(,"@2":25769803786,"@3":"","@4":0,"@5":0})";
    check(v[0], "binlog2kafka.mysql.ndb_apply_status", "null", "c", "null",
          status.c_str(), f.file, 275, 0, nullptr, f.server_id, ts, "mysql",
          "ndb_apply_status");
    check(v[4], "binlog2kafka.test.ba", "null", "c", "null",
          R"({"@1":4,"@2":4,"@3":4})", f.file, 334, 3, nullptr, f.server_id, ts,
          "test", "ba");
    check(v[5], "binlog2kafka.test.ba", "null", "c", "null", f.written, f.file,
          f.write_pos, f.write_row, nullptr, f.server_id, ts, "test", "ba");
    check(v[6], "binlog2kafka.test.ba", "null", "d", R"({"@1":2})", "null",
          f.file, f.delete_pos, 0, nullptr, f.server_id, ts, "test", "ba");
  }
}

CAF_TEST(binlog - VECTOR columns) {
  // MySQL 9.0.1: VECTOR values are base64 of their floats (little-endian);
  // bar.foo is TEXT, whose charset follows the VECTOR columns in the
  // charset list (MySQL counts VECTOR among the character columns).
  decoded d{fixture_path("vector.binlog")};
  check_clean(d, 38);
  auto& v = d.records();
  CAF_REQUIRE_EQUAL(v.size(), 10u);
  const std::string file = "vector.binlog";
  // [1.1, 2.2, 3.3] and [1, -1, 0]
  const char* foo1 = R"({"id":1,"vector_column":"zcyMP83MDEAzM1NA"})";
  const char* foo2 = R"({"id":2,"vector_column":"AACAPwAAgL8AAAAA"})";
  const char* bar1 = R"({"id":1,"vector_column":"zcyMP83MDEA=","foo":null,
                        "vector_column2":"zcyMP83MDEAzM1NAzcyMQA=="})";
  const char* bar2 = R"({"id":2,"vector_column":"rkeBP65Hgb8=","foo":"bar",
                        "vector_column2":"AAAoQgAALEIAADBCAAA0Qg=="})";
  const char* bar3 = R"({"id":3,"vector_column":"16MAQNejAMA=","foo":null,
                        "vector_column2":"ZmYoQs3MLEIzMzFCmpk1Qg=="})";
  const uint64_t t1 = 1723018995000, t2 = 1723019042000;
  check(v[0], "binlog2kafka.dtb.foo", R"({"id":1})", "c", "null", foo1, file,
        1085, 0, nullptr, 1, t1, "dtb", "foo");
  check(v[1], "binlog2kafka.dtb.foo", R"({"id":2})", "c", "null", foo2, file,
        1085, 1, nullptr, 1, t1, "dtb", "foo");
  check(v[2], "binlog2kafka.dtb.bar", R"({"id":1})", "c", "null", bar1, file,
        1279, 0, nullptr, 1, t1, "dtb", "bar");
  check(v[3], "binlog2kafka.dtb.bar", R"({"id":2})", "c", "null", bar2, file,
        1279, 1, nullptr, 1, t1, "dtb", "bar");
  check(v[4], "binlog2kafka.dtb.foo", R"({"id":1})", "c", "null", foo1, file,
        2537, 0, nullptr, 1, t2, "dtb", "foo");
  check(v[5], "binlog2kafka.dtb.foo", R"({"id":2})", "c", "null", foo2, file,
        2537, 1, nullptr, 1, t2, "dtb", "foo");
  check(v[6], "binlog2kafka.dtb.bar", R"({"id":1})", "c", "null", bar1, file,
        2731, 0, nullptr, 1, t2, "dtb", "bar");
  check(v[7], "binlog2kafka.dtb.bar", R"({"id":2})", "c", "null", bar2, file,
        2731, 1, nullptr, 1, t2, "dtb", "bar");
  check(v[8], "binlog2kafka.dtb.bar", R"({"id":2})", "d", bar2, "null", file,
        3146, 0, nullptr, 1, t2, "dtb", "bar");
  check(v[9], "binlog2kafka.dtb.bar", R"({"id":3})", "c", "null", bar3, file,
        3336, 0, nullptr, 1, t2, "dtb", "bar");
}

CAF_TEST(binlog - MySQL 5.1 and 5.6 rows events v1 and v2) {
  // The same statements logged by 5.1.23 (v1 rows events) and 5.6.4 (v2);
  // t1 (@1 INT, @2 CHAR(50)), LOAD DATA events around them.
  struct expectation {
    const char* file;
    uint64_t events, write_pos, update_pos, delete_pos, ts;
  };
  const expectation files[] = {
    {"ver_5_1_23.001", 24, 469, 560, 670, 1199978443000},
    {"ver_trunk_row_v2.001", 40, 569, 799, 1048, 1322058462000},
  };
  for (auto& f : files) {
    CAF_MESSAGE(f.file);
    decoded d{fixture_path(f.file)};
    check_clean(d, f.events);
    auto& v = d.records();
    CAF_REQUIRE_EQUAL(v.size(), 5u);
    check(v[0], "binlog2kafka.test.t1", "null", "c", "null",
          R"({"@1":0,"@2":"one"})", f.file, f.write_pos, 0, nullptr, 1, f.ts,
          "test", "t1");
    check(v[1], "binlog2kafka.test.t1", "null", "c", "null",
          R"({"@1":1,"@2":"two"})", f.file, f.write_pos, 1, nullptr, 1, f.ts,
          "test", "t1");
    check(v[2], "binlog2kafka.test.t1", "null", "u", R"({"@1":0,"@2":"one"})",
          R"({"@1":1,"@2":"one"})", f.file, f.update_pos, 0, nullptr, 1, f.ts,
          "test", "t1");
    check(v[3], "binlog2kafka.test.t1", "null", "u", R"({"@1":1,"@2":"two"})",
          R"({"@1":2,"@2":"two"})", f.file, f.update_pos, 1, nullptr, 1, f.ts,
          "test", "t1");
    check(v[4], "binlog2kafka.test.t1", "null", "d", R"({"@1":2,"@2":"two"})",
          "null", f.file, f.delete_pos, 0, nullptr, 1, f.ts, "test", "t1");
  }
}

CAF_TEST(binlog - pre-GA 5.1 statement-based binlog) {
  // Server 5.2.2-a_drop6p13 numbered events differently: its 20 is XID, 21
  // and 22 the LOAD DATA events. Read with MySQL's permutation the BEGIN at
  // 102 ends at the XID at 411, and nothing is misframed.
  decoded d{fixture_path("ver_5_1-wl2325_s.001")};
  check_clean(d, 15);
  CAF_CHECK_EQUAL(d.records().size(), 0u);
  CAF_REQUIRE(!d.sink.ends.empty());
  CAF_CHECK_EQUAL(d.sink.ends[0].pos, 438u);
}
