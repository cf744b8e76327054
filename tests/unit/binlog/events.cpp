#define CAF_SUITE binlog.events

#include <caf/test/unit_test.hpp>

#include <string>

#include "binlog_test.hpp"

// Events built from their documented layouts: the ones the decoder skips
// must be skipped by their length whatever they hold, and rows events
// with extra row info must still decode.

using namespace b2k::test;

namespace {

// test.t (id INT, v INT), no metadata, as table id 5.
bytes table_map() {
  return table_map_body(5, "test", "t", {3, 3}, {});
}

bytes one_row(uint32_t id, uint32_t v) {
  bytes b{0};
  put_le(b, id, 4);
  put_le(b, v, 4);
  return b;
}

} // namespace

CAF_TEST(events that carry no rows are skipped by their length) {
  temp_dir dir;
  for (bool mariadb : {false, true}) {
    CAF_MESSAGE((mariadb ? "MariaDB" : "MySQL"));
    binlog_bytes f;
    f.add(mariadb ? mariadb_fde() : mysql8_fde());
    // Bodies of odd sizes and contents, shorter or longer than their
    // post-headers: none of them may be read as anything else.
    const uint8_t skipped[] = {
      3,   // STOP
      5,   // INTVAR
      13,  // RAND
      14,  // USER_VAR
      26,  // INCIDENT
      27,  // HEARTBEAT
      28,  // IGNORABLE
      29,  // ROWS_QUERY
      35,  // PREVIOUS_GTIDS
      36,  // TRANSACTION_CONTEXT
      37,  // VIEW_CHANGE
      41,  // HEARTBEAT_V2
      43,  // a type of the future
      160, // ANNOTATE_ROWS
      161, // BINLOG_CHECKPOINT
      163, // GTID_LIST
      172, // a MariaDB type of the future
      255,
    };
    f.add(make_event(19, table_map()));
    for (auto type : skipped) {
      f.add(make_event(type, {}));
      f.add(make_event(type, bytes(3, 0xff)));
      f.add(make_event(type, bytes(1000, static_cast<uint8_t>(type))));
    }
    f.add(make_event(mariadb ? 23 : 30,
                     rows_body(5, 2, !mariadb, false, one_row(1, 2))));
    auto path = put_file(dir, "skip.000001", f.data);
    decoded d{path};
    CAF_CHECK_EQUAL(d.err.message, "");
    CAF_CHECK_EQUAL(d.stats.events, 3u + 3 * sizeof(skipped));
    CAF_REQUIRE_EQUAL(d.records().size(), 1u);
    CAF_CHECK_EQUAL(d.records()[0].after().dump(),
                    json::parse(R"({"@1":1,"@2":2})").dump());
  }
}

CAF_TEST(a heartbeat is not checksummed) {
  // Some servers send heartbeats without a valid CRC32: never an error.
  temp_dir dir;
  binlog_bytes f;
  f.add(mysql8_fde());
  auto hb = make_event(27, {'b', 'i', 'n', 'l', 'o', 'g'});
  hb.back() ^= 0xff;
  f.add(hb);
  CAF_CHECK_EQUAL(decoded{put_file(dir, "hb.000001", f.data)}.err.message, "");
}

CAF_TEST(rows events v2 with extra row info) {
  temp_dir dir;
  // The extra data of a v2 rows event: NDB info (type 0: length, format,
  // data) and partition info (type 1: partition id; for updates the source
  // partition too). Neither changes the row images.
  const bytes extras[] = {
    {},
    {0, 6, 0, 'n', 'd', 'b'},
    {1, 3, 0},
    {1, 3, 0, 4, 0},
    {0, 4, 0, 1, 2, 3, 1, 7, 0},
  };
  for (auto& extra : extras) {
    binlog_bytes f;
    f.add(mysql8_fde());
    f.add(make_event(19, table_map()));
    f.add(make_event(30, rows_body(
                           5, 2, true, false,
                           [] {
                             auto b = one_row(1, 10);
                             put_bytes(b, one_row(2, 20));
                             return b;
                           }(),
                           extra)));
    auto upd = one_row(2, 20);
    put_bytes(upd, one_row(2, 21));
    f.add(make_event(31, rows_body(5, 2, true, true, upd, extra)));
    f.add(make_event(32, rows_body(5, 2, true, false, one_row(1, 10), extra)));
    auto path = put_file(dir, "extra.000001", f.data);
    decoded d{path};
    CAF_CHECK_EQUAL(d.err.message, "");
    auto& v = d.records();
    CAF_REQUIRE_EQUAL(v.size(), 4u);
    CAF_CHECK_EQUAL(v[0].after().dump(), R"({"@1":1,"@2":10})");
    CAF_CHECK_EQUAL(v[1].after().dump(), R"({"@1":2,"@2":20})");
    CAF_CHECK_EQUAL(v[2].before().dump(), R"({"@1":2,"@2":20})");
    CAF_CHECK_EQUAL(v[2].after().dump(), R"({"@1":2,"@2":21})");
    CAF_CHECK_EQUAL(v[3].op(), "d");
    CAF_CHECK_EQUAL(v[3].before().dump(), R"({"@1":1,"@2":10})");
  }
  // An extra-data length below its own two bytes, or past the event.
  for (uint16_t bad : {uint16_t{0}, uint16_t{1}, uint16_t{500}}) {
    binlog_bytes f;
    f.add(mysql8_fde());
    f.add(make_event(19, table_map()));
    auto body = rows_body(5, 2, true, false, one_row(1, 10));
    body[8] = static_cast<uint8_t>(bad);
    body[9] = static_cast<uint8_t>(bad >> 8);
    f.add(make_event(30, body));
    auto path = put_file(dir, "badextra.000001", f.data);
    decoded d{path};
    CAF_CHECK_EQUAL(d.err.code, binlog::errc::corrupt_event);
    CAF_CHECK_EQUAL(d.records().size(), 0u);
  }
}

CAF_TEST(rows events v1 and the MariaDB GTID transaction) {
  temp_dir dir;
  binlog_bytes f;
  f.add(mariadb_fde());
  // MariaDB GTID: seq 7, domain 3, flags 0 (a transaction follows).
  bytes gtid;
  put_le(gtid, 7, 8);
  put_le(gtid, 3, 4);
  gtid.push_back(0);
  gtid.resize(19, 0);
  auto gtid_at = f.add(make_event(162, gtid, true, 1700000000, 9));
  f.add(make_event(19, table_map()));
  f.add(make_event(23, rows_body(5, 2, false, false, one_row(1, 2))));
  auto upd = one_row(1, 2);
  put_bytes(upd, one_row(1, 3));
  f.add(make_event(24, rows_body(5, 2, false, true, upd)));
  f.add(make_event(25, rows_body(5, 2, false, false, one_row(1, 3))));
  auto xid_at = f.add(make_event(16, bytes(8, 0)));
  auto path = put_file(dir, "v1.000001", f.data);
  decoded d{path};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  auto& v = d.records();
  CAF_REQUIRE_EQUAL(v.size(), 3u);
  const char* ops[] = {"c", "u", "d"};
  for (size_t i = 0; i < 3; ++i) {
    CAF_CHECK_EQUAL(v[i].op(), ops[i]);
    // domain-server-seq, the server being the GTID event's.
    CAF_CHECK_EQUAL(v[i].source()["gtid"], "3-9-7");
    CAF_CHECK_EQUAL(v[i].txn.pos, gtid_at);
    CAF_CHECK_EQUAL(v[i].row_in_txn, i + 1);
  }
  CAF_REQUIRE_EQUAL(d.sink.ends.size(), 1u);
  CAF_CHECK_EQUAL(d.sink.ends[0].pos, xid_at + 19 + 8 + 4);
}
