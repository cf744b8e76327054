#define CAF_SUITE binlog.event_families

#include <caf/test/unit_test.hpp>

#include <string>

#include "binlog/flavor.hpp"
#include "binlog/gtid.hpp"
#include "binlog/query_event.hpp"
#include "binlog/rows_event.hpp"
#include "binlog/stream_position.hpp"
#include "binlog/transaction_metadata.hpp"
#include "binlog/xa.hpp"
#include "binlog_test.hpp"

// The decoder's pieces one by one: each event family's parser on bytes
// built from the documented layouts, the row images as values of a table
// map, and the state the decoder keeps between events.

using namespace b2k::test;

namespace {

const std::string uuid = "10111213-1415-1617-1819-1a1b1c1d1e1f";

binlog::event_header header_of(binlog::event_type type,
                               uint32_t server_id = 1) {
  binlog::event_header h;
  h.type = type;
  h.server_id = server_id;
  return h;
}

// A MariaDB GTID event's body: seq, domain, flags, then what they add.
bytes mariadb_gtid_body(uint64_t seq, uint32_t domain, uint8_t flags,
                        const bytes& rest = {}) {
  bytes b;
  put_le(b, seq, 8);
  put_le(b, domain, 4);
  b.push_back(flags);
  put_bytes(b, rest);
  return b;
}

binlog::table_map parsed_test_table_map() {
  auto body = test_table_map();
  binlog::table_map map;
  CAF_REQUIRE(!binlog::parse_table_map(body.data(), body.size(), 8, true, map));
  return map;
}

std::string text(const binlog::value_slot& slot) {
  return {reinterpret_cast<const char*>(slot.data), slot.size};
}

} // namespace

CAF_TEST(ROTATE and XID) {
  bytes b;
  put_le(b, 4, 8);
  put_str(b, "binlog.000002");
  binlog::rotate_event rotate;
  CAF_REQUIRE(!binlog::parse_rotate(b.data(), b.size(), rotate));
  CAF_CHECK_EQUAL(rotate.pos, 4u);
  CAF_CHECK_EQUAL(std::string{rotate.file}, "binlog.000002");
  auto err = binlog::parse_rotate(b.data(), 8, rotate);
  CAF_CHECK_EQUAL(err.code, binlog::errc::corrupt_event);
  CAF_CHECK_EQUAL(err.message, "ROTATE without a file name");
  bytes x;
  put_le(x, 77, 8);
  binlog::xid_event xid;
  CAF_REQUIRE(!binlog::parse_xid(0, x.data(), x.size(), xid));
  CAF_CHECK_EQUAL(xid.xid, 77u);
  CAF_CHECK_EQUAL(binlog::parse_xid(0, x.data(), 16, xid).message,
                  "XID event body is 16 bytes, an XID event has 8 (is this "
                  "binlog from a server with other event type codes?)");
}

CAF_TEST(the head of a rows event) {
  binlog::rows_event ev;
  // v2 (post-header 10) with 3 bytes of extra data, an update: two bitmaps.
  auto b = rows_body(42, 2, true, true, test_row(1, "a"), {7, 7, 7});
  CAF_REQUIRE(!binlog::parse_rows_event(binlog::event_type::update_rows_v2, 10,
                                        b.data(), b.size(), ev));
  CAF_CHECK_EQUAL(ev.table_id, 42u);
  CAF_CHECK_EQUAL(ev.width, 2u);
  CAF_CHECK(ev.op == binlog::row_op::update);
  CAF_CHECK_EQUAL(ev.head_size, 6u + 2 + 2 + 3 + 1 + 1 + 1);
  CAF_CHECK(ev.present1 == b.data() + 14);
  CAF_CHECK(ev.present2 == b.data() + 15);
  // v1 (post-header 8), an insert: one bitmap for both.
  b = rows_body(42, 2, false, false, test_row(1, "a"));
  CAF_REQUIRE(!binlog::parse_rows_event(binlog::event_type::write_rows_v1, 8,
                                        b.data(), b.size(), ev));
  CAF_CHECK_EQUAL(ev.head_size, 10u);
  CAF_CHECK(ev.present1 == ev.present2);
  // Broken heads.
  b = rows_body(42, 2, true, false, {});
  b[8] = 1; // extra data length 1
  auto err = binlog::parse_rows_event(binlog::event_type::write_rows_v2, 10,
                                      b.data(), b.size(), ev);
  CAF_CHECK_EQUAL(err.code, binlog::errc::corrupt_event);
  CAF_CHECK_EQUAL(err.message, "rows event extra data length below 2");
  b = rows_body(42, 5000, false, false, {});
  CAF_CHECK_EQUAL(binlog::parse_rows_event(binlog::event_type::write_rows_v1, 8,
                                           b.data(), b.size(), ev)
                    .message,
                  "WRITE_ROWS_V1 event header is corrupt");
  b = rows_body(42, 2, false, true, {});
  CAF_CHECK(binlog::parse_rows_event(binlog::event_type::update_rows_v1, 8,
                                     b.data(), b.size() - 1, ev));
}

CAF_TEST(a row image is the values of a table map) {
  auto map = parsed_test_table_map();
  std::vector<binlog::value_slot> slots;
  // Both columns present, none NULL.
  auto row = test_row(7, "ab");
  const uint8_t all[] = {0x03};
  const uint8_t* p = row.data();
  CAF_REQUIRE(
    binlog::read_row_image(map, p, row.data() + row.size(), all, slots));
  CAF_CHECK(p == row.data() + row.size());
  CAF_REQUIRE_EQUAL(slots.size(), 2u);
  CAF_CHECK(slots[0].state == binlog::value_slot::present);
  CAF_CHECK(slots[0].data == row.data() + 1);
  CAF_CHECK_EQUAL(slots[0].size, 4u);
  CAF_CHECK(slots[1].state == binlog::value_slot::present);
  CAF_CHECK_EQUAL(text(slots[1]),
                  "\x02"
                  "ab");
  // name NULL: its bit in the null bitmap, no value bytes.
  bytes nulls{0x02};
  put_le(nulls, 9, 4);
  p = nulls.data();
  CAF_REQUIRE(
    binlog::read_row_image(map, p, nulls.data() + nulls.size(), all, slots));
  CAF_CHECK(slots[0].state == binlog::value_slot::present);
  CAF_CHECK(slots[1].state == binlog::value_slot::null);
  // Only name in the image (a MINIMAL before-image): id is absent, and the
  // null bitmap counts present columns only.
  bytes minimal{0x00, 1, 'z'};
  const uint8_t name_only[] = {0x02};
  p = minimal.data();
  CAF_REQUIRE(binlog::read_row_image(map, p, minimal.data() + minimal.size(),
                                     name_only, slots));
  CAF_CHECK(slots[0].state == binlog::value_slot::absent);
  CAF_CHECK_EQUAL(text(slots[1]),
                  "\x01"
                  "z");
  // A value past the end.
  p = row.data();
  CAF_CHECK(
    !binlog::read_row_image(map, p, row.data() + row.size() - 1, all, slots));
}

CAF_TEST(the row reader names the row that does not fit) {
  binlog::table_info table;
  table.map = parsed_test_table_map();
  table.qualified_name = "test.t";
  bytes images = test_row(1, "a");
  put_bytes(images, test_row(2, "bb"));
  auto body = rows_body(42, 2, true, false, images);
  binlog::rows_event ev;
  CAF_REQUIRE(!binlog::parse_rows_event(binlog::event_type::write_rows_v2, 10,
                                        body.data(), body.size(), ev));
  binlog::row_reader reader;
  const uint8_t* p = body.data() + ev.head_size;
  const uint8_t* end = body.data() + body.size();
  CAF_REQUIRE(!reader.read(ev, table, p, end, 0));
  CAF_CHECK_EQUAL(text(reader.after()[1]),
                  "\x01"
                  "a");
  auto err = reader.read(ev, table, p, end - 1, 1);
  CAF_CHECK_EQUAL(err.code, binlog::errc::corrupt_event);
  CAF_CHECK_EQUAL(err.message,
                  "row 1 of WRITE_ROWS on test.t runs past the "
                  "end of the event");
}

CAF_TEST(QUERY events and what their statements do) {
  auto b = query_body("shop", "  \nBEGIN");
  binlog::query_event q;
  CAF_REQUIRE(!binlog::parse_query_event(binlog::event_type::query, 13,
                                         b.data(), b.size(), q));
  CAF_CHECK_EQUAL(q.thread_id, 7u);
  CAF_CHECK_EQUAL(std::string{q.db}, "shop");
  CAF_CHECK_EQUAL(std::string{q.statement}, "  \nBEGIN");
  CAF_CHECK_EQUAL(std::string{binlog::trim_statement(q.statement)}, "BEGIN");
  CAF_CHECK_EQUAL(binlog::parse_query_event(binlog::event_type::query, 13,
                                            b.data(), 17, q)
                    .message,
                  "QUERY event body of 17 bytes is shorter than its 13-byte "
                  "post-header, 0 bytes of status variables and 5 bytes of "
                  "database name");
  // QUERY_COMPRESSED needs a compressed statement after the head.
  b = query_body("shop", "");
  CAF_CHECK_EQUAL(
    binlog::parse_query_event(binlog::event_type::mariadb_query_compressed, 13,
                              b.data(), b.size(), q)
      .message,
    "QUERY_COMPRESSED event body of 18 bytes is too short for its 13-byte "
    "post-header, 0 bytes of status variables and 5 bytes of database name");
  using kind = binlog::statement_kind;
  std::string xid;
  auto classify = [&](std::string_view statement) {
    xid = "-";
    return binlog::classify_statement(statement, xid);
  };
  CAF_CHECK(classify("BEGIN") == kind::begin);
  CAF_CHECK(classify("begin;") == kind::begin);
  CAF_CHECK(classify("BEGINNING") == kind::other);
  CAF_CHECK(classify("COMMIT") == kind::commit);
  CAF_CHECK(classify("ROLLBACK") == kind::commit);
  CAF_CHECK(classify("ROLLBACK TO SAVEPOINT a") == kind::rollback_to_savepoint);
  CAF_CHECK(classify("XA START X'61',X'',1") == kind::xa_start);
  CAF_CHECK_EQUAL(xid, "1:61:");
  CAF_CHECK(classify("XA END X'61',X'',1") == kind::xa_end);
  CAF_CHECK(classify("XA COMMIT X'61',X'62',2") == kind::xa_commit);
  CAF_CHECK_EQUAL(xid, "2:61:62");
  CAF_CHECK(classify("XA ROLLBACK X'61',X'',1") == kind::xa_rollback);
  CAF_CHECK(classify("XA COMMIT 'a'") == kind::commit);
  CAF_CHECK(classify("XA PREPARE X'61',X'',1") == kind::commit);
  CAF_CHECK(classify("CREATE TABLE t (id INT)") == kind::other);
  CAF_CHECK(classify("SAVEPOINT a") == kind::other);
}

CAF_TEST(GTID events of both servers) {
  binlog::gtid_event ev;
  auto b = gtid_body(5);
  CAF_REQUIRE(!binlog::parse_gtid_event(header_of(binlog::event_type::gtid),
                                        b.data(), b.size(), ev));
  CAF_CHECK(ev.kind == binlog::gtid_event::source::mysql);
  CAF_CHECK_EQUAL(ev.text, uuid + ":5");
  CAF_CHECK_EQUAL(ev.mysql.gno, 5);
  CAF_REQUIRE(!binlog::parse_gtid_event(
    header_of(binlog::event_type::anonymous_gtid), b.data(), b.size(), ev));
  CAF_CHECK(ev.kind == binlog::gtid_event::source::anonymous);
  CAF_CHECK_EQUAL(ev.text, "");
  CAF_CHECK_EQUAL(binlog::parse_gtid_event(header_of(binlog::event_type::gtid),
                                           b.data(), 20, ev)
                    .message,
                  "GTID event too short");
  // MariaDB: standalone (DDL), then an XA START with its xid.
  b = mariadb_gtid_body(9, 2, 0x01);
  auto mariadb = header_of(binlog::event_type::mariadb_gtid, 3);
  CAF_REQUIRE(!binlog::parse_gtid_event(mariadb, b.data(), b.size(), ev));
  CAF_CHECK(ev.kind == binlog::gtid_event::source::mariadb);
  CAF_CHECK_EQUAL(ev.text, "2-3-9");
  CAF_CHECK(ev.standalone);
  CAF_CHECK(!ev.xa_start);
  bytes xa;
  put_le(xa, 1, 4); // format id
  xa.push_back(1);  // gtrid length
  xa.push_back(0);  // bqual length
  xa.push_back('a');
  b = mariadb_gtid_body(10, 0, 0x40, xa);
  CAF_REQUIRE(!binlog::parse_gtid_event(mariadb, b.data(), b.size(), ev));
  CAF_CHECK(!ev.standalone);
  CAF_CHECK(ev.xa_start);
  CAF_CHECK_EQUAL(ev.xid, "1:61:");
  CAF_CHECK(binlog::parse_gtid_event(mariadb, b.data(), b.size() - 1, ev));
  // GTID_LIST: a count (high bits are flags), then domain, server, seq.
  bytes list;
  put_le(list, 0x10000002, 4);
  for (uint64_t i : {1, 2}) {
    put_le(list, i, 4);
    put_le(list, 10 + i, 4);
    put_le(list, 100 + i, 8);
  }
  std::vector<binlog::mariadb_gtid> gtids;
  CAF_REQUIRE(!binlog::parse_gtid_list(list.data(), list.size(), gtids));
  CAF_REQUIRE_EQUAL(gtids.size(), 2u);
  CAF_CHECK_EQUAL(gtids[1].domain, 2u);
  CAF_CHECK_EQUAL(gtids[1].server, 12u);
  CAF_CHECK_EQUAL(gtids[1].seq, 102u);
  CAF_CHECK(binlog::parse_gtid_list(list.data(), list.size() - 1, gtids));
}

CAF_TEST(the flavor keeps the GTID state of either server) {
  binlog::flavor f;
  binlog::gtid_event ev;
  // MariaDB: one GTID per domain; a transaction's joins at its end.
  CAF_REQUIRE(!f.set_state("0-1-5, 1-2-7"));
  CAF_CHECK_EQUAL(f.state(), "0-1-5,1-2-7");
  auto b = mariadb_gtid_body(6, 0, 0);
  CAF_REQUIRE(!binlog::parse_gtid_event(
    header_of(binlog::event_type::mariadb_gtid, 3), b.data(), b.size(), ev));
  f.begin(ev);
  CAF_CHECK_EQUAL(f.transaction_gtid(), "0-3-6");
  CAF_CHECK_EQUAL(f.state(), "0-1-5,1-2-7");
  f.end();
  CAF_CHECK_EQUAL(f.state(), "0-3-6,1-2-7");
  CAF_CHECK_EQUAL(f.transaction_gtid(), "");
  // MySQL: the executed set.
  CAF_REQUIRE(!f.set_state(uuid + ":1-3"));
  b = gtid_body(4);
  CAF_REQUIRE(!binlog::parse_gtid_event(header_of(binlog::event_type::gtid),
                                        b.data(), b.size(), ev));
  f.begin(ev);
  f.end();
  CAF_CHECK_EQUAL(f.state(), uuid + ":1-4");
  auto err = f.set_state(uuid + ":x");
  CAF_CHECK_EQUAL(err.code, binlog::errc::unsupported);
  CAF_CHECK_EQUAL(f.state(), "");
  // Without gtid_mode=ON a MySQL set is not kept.
  f.track_mysql_gtids(false);
  CAF_REQUIRE(!f.set_state(uuid + ":1-3"));
  CAF_CHECK_EQUAL(f.state(), "");
}

CAF_TEST(positions advance in one place) {
  binlog::stream_position pos;
  binlog::position from;
  from.file = "binlog.000001";
  from.pos = 100;
  from.skip_rows = 1;
  pos.start_at(from);
  pos.begin(100, true, "0-1-5");
  CAF_CHECK(pos.open());
  CAF_CHECK(pos.has_begin());
  CAF_CHECK_EQUAL(pos.count_row(), 1u);
  CAF_CHECK(pos.skip_row()); // delivered before the restart
  CAF_CHECK_EQUAL(pos.count_row(), 2u);
  CAF_CHECK(!pos.skip_row());
  uint64_t row = 0;
  auto& txn = pos.release_point(2, row);
  CAF_CHECK_EQUAL(txn.pos, 100u);
  CAF_CHECK_EQUAL(txn.gtid, "0-1-5");
  CAF_CHECK_EQUAL(row, 2u);
  auto next = pos.end(300, "0-1-6");
  CAF_CHECK(!pos.open());
  CAF_CHECK_EQUAL(next.file, "binlog.000001");
  CAF_CHECK_EQUAL(next.pos, 300u);
  CAF_CHECK_EQUAL(next.skip_rows, 0u);
  CAF_CHECK_EQUAL(next.gtid, "0-1-6");
  // An XA transaction prepared at 300 and undecided: restarts begin there
  // and skip every row since.
  pos.begin(300, true, "0-1-6");
  auto xa_start = pos.start();
  pos.count_row();
  pos.anchor_at(xa_start);
  pos.end(400, "0-1-7");
  pos.begin(400, true, "0-1-7");
  pos.count_row();
  pos.count_row();
  auto& anchor = pos.release_point(2, row);
  CAF_CHECK_EQUAL(anchor.pos, 300u);
  CAF_CHECK_EQUAL(row, 2u);
  next = pos.end(500, "0-1-8");
  CAF_CHECK_EQUAL(next.pos, 300u);
  CAF_CHECK_EQUAL(next.skip_rows, 2u);
  pos.release_anchor();
  CAF_CHECK_EQUAL(pos.after(600, "0-1-9").pos, 600u);
}

CAF_TEST(transaction metadata) {
  binlog::transaction_metadata meta;
  binlog::position start;
  start.file = "binlog.000003";
  start.pos = 1234;
  meta.begin();
  CAF_CHECK_EQUAL(meta.id("", start), "file=binlog.000003,pos=1234");
  meta.begin();
  CAF_CHECK_EQUAL(meta.id("0-1-5", start), "0-1-5");
  binlog::table_info a;
  a.qualified_name = "s.a";
  binlog::table_info b;
  b.qualified_name = "s.b";
  binlog::table_info a_again; // another TABLE_MAP of the same table
  a_again.qualified_name = "s.a";
  ++meta.table_events(a);
  ++meta.table_events(b);
  ++meta.table_events(a_again);
  CAF_CHECK_EQUAL(meta.count_event(), 1u);
  CAF_REQUIRE_EQUAL(meta.collections_used(), 2u);
  CAF_CHECK_EQUAL(meta.collections()[0].name, "s.a");
  CAF_CHECK_EQUAL(meta.collections()[0].events, 2u);
  CAF_CHECK_EQUAL(meta.collections()[1].events, 1u);
  meta.end();
  CAF_CHECK_EQUAL(meta.events(), 0u);
  meta.begin();
  CAF_CHECK_EQUAL(meta.table_events(a), 0u); // counted anew
}

CAF_TEST(transaction metadata of many tables) {
  // Found by name through a hash (W6: 1,000 tables per transaction); each
  // transaction numbers its tables from the first it meets, and a table met
  // through another TABLE_MAP counts in the same slot.
  binlog::transaction_metadata meta;
  std::vector<binlog::table_info> tables(300);
  std::vector<binlog::table_info> again(300);
  for (size_t i = 0; i < tables.size(); ++i)
    tables[i].qualified_name = again[i].qualified_name = "s.t"
                                                         + std::to_string(i);
  for (int txn = 0; txn < 2; ++txn) {
    meta.begin();
    // The second transaction meets the tables in reverse order.
    for (size_t n = 0; n < tables.size(); ++n) {
      auto i = txn == 0 ? n : tables.size() - 1 - n;
      ++meta.table_events(tables[i]);
      ++meta.table_events(again[i]);
      if (i % 3 == 0)
        ++meta.table_events(tables[i]);
    }
    CAF_REQUIRE_EQUAL(meta.collections_used(), tables.size());
    for (size_t n = 0; n < tables.size(); ++n) {
      auto i = txn == 0 ? n : tables.size() - 1 - n;
      CAF_CHECK_EQUAL(meta.collections()[n].name, tables[i].qualified_name);
      CAF_CHECK_EQUAL(meta.collections()[n].events, i % 3 == 0 ? 3u : 2u);
    }
    meta.end();
  }
}

CAF_TEST(XA transactions wait in the buffer) {
  bytes prepare{0};
  put_le(prepare, 1, 4);
  put_le(prepare, 1, 4);
  put_le(prepare, 1, 4);
  put_str(prepare, "ab");
  binlog::xa_prepare_event ev;
  CAF_REQUIRE(!binlog::parse_xa_prepare(prepare.data(), prepare.size(), ev));
  CAF_CHECK(!ev.one_phase);
  CAF_CHECK_EQUAL(ev.xid, "1:61:62");
  CAF_CHECK_EQUAL(binlog::parse_xa_prepare(prepare.data(), 14, ev).message,
                  "XA_PREPARE event is corrupt");
  CAF_CHECK_EQUAL(binlog::xid_key_of_text(" X'6A',X'',1"), "1:6a:");
  CAF_CHECK_EQUAL(binlog::xid_key_of_text("'a'"), "");
  binlog::xa_buffer buffer;
  // README: 256 MiB per transaction unless the decoder is told otherwise.
  CAF_CHECK_EQUAL(buffer.max_bytes(), size_t{256} << 20);
  buffer.set_max_bytes(size_t{1} << 20);
  binlog::position start;
  start.pos = 300;
  buffer.start("1:61:62", "0-1-5", start);
  CAF_CHECK(buffer.reading());
  bytes event(100, 1);
  CAF_REQUIRE(!buffer.keep("binlog.000001", 400, event.data(), event.size()));
  auto xa = buffer.prepared();
  CAF_CHECK(!buffer.reading());
  CAF_CHECK_EQUAL(xa.events.size(), 1u);
  CAF_CHECK_EQUAL(xa.start.pos, 300u);
  CAF_CHECK_EQUAL(xa.gtid, "0-1-5");
  buffer.hold("1:61:62", std::move(xa));
  CAF_CHECK_EQUAL(buffer.pending(), 1u);
  binlog::xa_transaction taken;
  CAF_CHECK(!buffer.take("1:61:", taken));
  CAF_REQUIRE(buffer.take("1:61:62", taken));
  CAF_CHECK_EQUAL(taken.events[0].offset, 400u);
  CAF_CHECK_EQUAL(buffer.pending(), 0u);
  // Past the limit: one line naming the transaction.
  buffer.start("1:63:", "", start);
  bytes big((size_t{1} << 20) + 1, 0);
  auto err = buffer.keep("binlog.000001", 500, big.data(), big.size());
  CAF_CHECK_EQUAL(err.code, binlog::errc::unsupported);
  CAF_CHECK_EQUAL(err.message.rfind("XA transaction 1:63: holds more than 1 "
                                    "MiB",
                                    0),
                  0u);
}
