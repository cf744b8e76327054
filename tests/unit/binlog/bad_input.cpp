#define CAF_SUITE binlog.bad_input

#include <caf/test/unit_test.hpp>

#include <string>

#include "binlog_test.hpp"

// Broken input: every case must end in one error line that names the file
// and the offset, and must never crash. The corrupted files are copies of
// real fixtures, changed in memory and written to a temp dir.

using namespace b2k::test;

namespace {

// mysql_type_bit.000001: FORMAT_DESCRIPTION at 4, ..., TABLE_MAP of
// mysql.foo at 857, WRITE_ROWS at 927 (43 bytes), XID at 970, 1001 bytes.
constexpr size_t table_map_at = 857;
constexpr size_t rows_at = 927;
constexpr size_t xid_at = 970;

bytes bit_fixture() {
  return read_bytes(fixture_path("mysql_type_bit.000001"));
}

void check_one_line(const binlog::error& err) {
  CAF_CHECK(!err.message.empty());
  CAF_CHECK_EQUAL(err.message.find('\n'), std::string::npos);
}

void set_le32(bytes& b, size_t at, uint32_t x) {
  for (size_t i = 0; i < 4; ++i)
    b[at + i] = static_cast<uint8_t>(x >> (8 * i));
}

} // namespace

CAF_TEST(a file cut anywhere fails cleanly or ends at an event boundary) {
  temp_dir dir;
  auto whole = bit_fixture();
  const size_t boundaries[] = {4,   125, 156, 235, 491, 568,
                               702, 781, 857, 927, 970, 1001};
  for (size_t n = 0; n <= whole.size(); ++n) {
    bytes cut(whole.begin(), whole.begin() + static_cast<long>(n));
    auto path = put_file(dir, "cut.000001", cut);
    decoded d{path};
    bool at_boundary = false;
    for (auto b : boundaries)
      at_boundary = at_boundary || b == n;
    if (at_boundary) {
      CAF_CHECK_EQUAL(d.err.message, "");
      continue;
    }
    check_one_line(d.err);
    CAF_CHECK_EQUAL(d.err.message.compare(0, path.size(), path), 0);
    if (n < 4)
      CAF_CHECK_EQUAL(d.err.code, binlog::errc::bad_magic);
    else
      CAF_CHECK_EQUAL(d.err.code, binlog::errc::truncated);
    // Nothing of the cut transaction is half-sent: its one row comes only
    // when the rows event is whole.
    CAF_CHECK_EQUAL(d.records().size(), n >= 970 ? 1u : 0u);
  }
}

CAF_TEST(a truncated event names its offset and what is missing) {
  temp_dir dir;
  auto whole = bit_fixture();
  bytes in_header(whole.begin(), whole.begin() + rows_at + 10);
  auto p1 = put_file(dir, "header.000001", in_header);
  CAF_CHECK_EQUAL(decoded{p1}.err.message,
                  p1 + " at offset 927: truncated event header (10 of 19 "
                       "bytes)");
  bytes in_body(whole.begin(), whole.begin() + rows_at + 30);
  auto p2 = put_file(dir, "body.000001", in_body);
  CAF_CHECK_EQUAL(decoded{p2}.err.message,
                  p2 + " at offset 927: event length 43 runs past the end "
                       "of the file (30 bytes left)");
}

CAF_TEST(the broken fixtures fail with a precise message) {
  auto p = fixture_path("binlog_truncated_event.000001");
  decoded a{p};
  CAF_CHECK_EQUAL(a.err.code, binlog::errc::truncated);
  CAF_CHECK_EQUAL(a.err.message,
                  p + " at offset 4: truncated event header (10 of 19 bytes)");
  p = fixture_path("binlog_truncated_prev_gtid_event.000001");
  decoded b{p};
  CAF_CHECK_EQUAL(b.err.code, binlog::errc::truncated);
  CAF_CHECK_EQUAL(b.err.message,
                  p + " at offset 120: truncated event header (9 of 19 "
                      "bytes)");
  // Some 870 events, then a QUERY whose status-variable length is garbage.
  // The relay log's ROTATE names mysql-bin.010260: the error still names the
  // file that was read.
  p = fixture_path("corrupt-relay-bin.000624");
  decoded c{p};
  CAF_CHECK_EQUAL(c.err.code, binlog::errc::corrupt_event);
  CAF_CHECK_EQUAL(c.err.message,
                  p + " at offset 91204: QUERY event body of 152 bytes is "
                      "shorter than its 13-byte post-header, 16949 bytes of "
                      "status variables and 68 bytes of database name");
  CAF_CHECK_EQUAL(c.stats.events, 873u); // the broken one included
  // Row-based binlog of a pre-GA 5.1 build: its type 16 is TABLE_MAP.
  p = fixture_path("ver_5_1-wl2325_r.001");
  decoded r{p};
  CAF_CHECK_EQUAL(r.err.code, binlog::errc::unsupported);
  CAF_CHECK_EQUAL(r.err.message,
                  p + " at offset 428: TABLE_MAP event of pre-GA MySQL 5.1 "
                      "build 5.2.2-a_drop6p13-debug-log: row-based binlogs "
                      "of pre-GA builds are not supported");
  CAF_CHECK_EQUAL(r.records().size(), 0u);
}

CAF_TEST(a wrong magic number) {
  temp_dir dir;
  auto data = bit_fixture();
  data[1] = 'B';
  auto path = put_file(dir, "magic.000001", data);
  decoded d{path};
  CAF_CHECK_EQUAL(d.err.code, binlog::errc::bad_magic);
  CAF_CHECK_EQUAL(d.err.message, path + ": not a binlog file (no binlog magic "
                                        "number at offset 0)");
  auto empty = put_file(dir, "empty.000001", {});
  CAF_CHECK_EQUAL(decoded{empty}.err.message,
                  empty + ": not a binlog file (no binlog magic number at "
                          "offset 0)");
  CAF_CHECK_EQUAL(decoded{dir.file("missing.000001")}.err.code,
                  binlog::errc::io);
}

CAF_TEST(a checksum mismatch) {
  temp_dir dir;
  auto data = bit_fixture();
  data[rows_at + 30] ^= 0x01; // a byte of the row
  auto path = put_file(dir, "crc.000001", data);
  decoded d{path};
  CAF_CHECK_EQUAL(d.err.code, binlog::errc::checksum_mismatch);
  CAF_CHECK_EQUAL(d.err.message,
                  path + " at offset 927: checksum mismatch in WRITE_ROWS "
                         "event");
  CAF_CHECK_EQUAL(d.records().size(), 0u);
  // In the FORMAT_DESCRIPTION (whose in-use flag is set: the checksum was
  // computed without it, which must not count as a mismatch by itself).
  auto fde = bit_fixture();
  CAF_CHECK_EQUAL(decoded{put_file(dir, "ok.000001", fde)}.err.message, "");
  fde[30] ^= 0x20;
  auto p2 = put_file(dir, "crc2.000001", fde);
  CAF_CHECK_EQUAL(decoded{p2}.err.message,
                  p2 + " at offset 4: checksum mismatch in FORMAT_DESCRIPTION "
                       "event");
}

CAF_TEST(an event length past the end or below the header) {
  temp_dir dir;
  auto data = bit_fixture();
  set_le32(data, xid_at + 9, 0xffffffff);
  auto path = put_file(dir, "len.000001", data);
  decoded d{path};
  CAF_CHECK_EQUAL(d.err.code, binlog::errc::truncated);
  CAF_CHECK_EQUAL(d.err.message, path + " at offset 970: event length "
                                        "4294967295 runs past the end of the "
                                        "file (31 bytes left)");
  // The row before it was delivered; its transaction never ended.
  CAF_CHECK_EQUAL(d.records().size(), 1u);
  CAF_CHECK_EQUAL(d.sink.ends.size(), 2u); // the two DDL statements
  auto small = bit_fixture();
  set_le32(small, rows_at + 9, 5);
  auto p2 = put_file(dir, "small.000001", small);
  CAF_CHECK_EQUAL(decoded{p2}.err.message,
                  p2 + " at offset 927: event length 5 is shorter than an "
                       "event header");
  // A length that frames the next events differently: the checksum
  // catches it.
  auto shifted = bit_fixture();
  set_le32(shifted, rows_at + 9, 42);
  auto p3 = put_file(dir, "shifted.000001", shifted);
  decoded s{p3};
  CAF_CHECK_EQUAL(s.err.code, binlog::errc::checksum_mismatch);
  CAF_CHECK_EQUAL(s.err.message,
                  p3 + " at offset 927: checksum mismatch in WRITE_ROWS "
                       "event");
}

CAF_TEST(a table id that no TABLE_MAP announced) {
  temp_dir dir;
  auto data = bit_fixture();
  // The rows event's table id (6 bytes after the header) 124 -> 999.
  auto ev = event_at(data, rows_at);
  ev[19] = 999 & 0xff;
  ev[20] = 999 >> 8;
  reseal(ev);
  std::copy(ev.begin(), ev.end(), data.begin() + rows_at);
  auto path = put_file(dir, "table.000001", data);
  decoded d{path};
  CAF_CHECK_EQUAL(d.err.code, binlog::errc::unknown_table);
  CAF_CHECK_EQUAL(d.err.message,
                  path + " at offset 927: WRITE_ROWS event for table id 999 "
                         "that no TABLE_MAP event announced");
  // Starting after the TABLE_MAP (a restart at a bad position) is the same.
  decoded late{fixture_path("mysql_type_bit.000001"), rows_at};
  CAF_CHECK_EQUAL(late.err.code, binlog::errc::unknown_table);
  CAF_CHECK_EQUAL(late.err.message,
                  fixture_path("mysql_type_bit.000001")
                    + " at offset 927: WRITE_ROWS event for table id 124 "
                      "that no TABLE_MAP event announced");
}

CAF_TEST(row data that runs past its event) {
  temp_dir dir;
  auto data = bit_fixture();
  // Row: null bitmap, BIT(3), TEXT length (2 bytes) 3 -> 255, "foo", BIT(8).
  auto ev = event_at(data, rows_at);
  ev[19 + 10 + 1 + 1 + 1 + 1] = 0xff;
  reseal(ev);
  std::copy(ev.begin(), ev.end(), data.begin() + rows_at);
  auto path = put_file(dir, "row.000001", data);
  decoded d{path};
  CAF_CHECK_EQUAL(d.err.code, binlog::errc::corrupt_event);
  CAF_CHECK_EQUAL(d.err.message, path + " at offset 927: row 0 of WRITE_ROWS "
                                        "on mysql.foo runs past the end of "
                                        "the event");
  CAF_CHECK_EQUAL(d.records().size(), 0u);
}

CAF_TEST(a rows event whose width differs from its table map) {
  temp_dir dir;
  auto data = bit_fixture();
  auto ev = event_at(data, rows_at);
  ev[19 + 10] = 4; // width 3 -> 4
  reseal(ev);
  std::copy(ev.begin(), ev.end(), data.begin() + rows_at);
  auto path = put_file(dir, "width.000001", data);
  CAF_CHECK_EQUAL(decoded{path}.err.message,
                  path + " at offset 927: WRITE_ROWS event has 4 columns but "
                         "TABLE_MAP of mysql.foo has 3");
}

CAF_TEST(rows of no columns) {
  // Empty column bitmaps make rows of zero bytes: they must not loop
  // forever (found by the fuzzer).
  temp_dir dir;
  binlog_bytes f;
  f.add(mysql8_fde());
  f.add(make_event(19, table_map_body(7, "db", "t", {3}, {})));
  auto body = rows_body(7, 1, true, false, {1, 2, 3});
  body[6 + 2 + 2 + 1] = 0; // no column present
  f.add(make_event(30, body));
  auto path = put_file(dir, "empty.000001", f.data);
  decoded d{path};
  CAF_CHECK_EQUAL(d.err.code, binlog::errc::corrupt_event);
  CAF_CHECK_EQUAL(d.err.message,
                  path + " at offset 168: WRITE_ROWS on db.t has rows of no "
                         "columns (empty column bitmaps)");
}

CAF_TEST(unsupported and unknown events) {
  temp_dir dir;
  auto fde = mysql8_fde();
  // Unknown types are skipped by their length, checksummed or not.
  {
    binlog_bytes f;
    f.add(fde);
    f.add(make_event(99, {1, 2, 3, 4, 5}));
    f.add(make_event(200, bytes(300, 0xab)));
    f.add(make_event(43, {}));
    auto path = put_file(dir, "unknown.000001", f.data);
    decoded d{path};
    CAF_CHECK_EQUAL(d.err.message, "");
    CAF_CHECK_EQUAL(d.stats.events, 4u);
  }
  // An encrypted MariaDB binlog.
  {
    binlog_bytes f;
    f.add(mariadb_fde());
    f.add(make_event(164, bytes(17, 0)));
    auto path = put_file(dir, "encrypted.000001", f.data);
    decoded d{path};
    CAF_CHECK_EQUAL(d.err.code, binlog::errc::unsupported);
    CAF_CHECK_EQUAL(d.err.message,
                    path + " at offset 256: the binlog is encrypted "
                           "(encrypt_binlog=ON); binlog2kafka reads "
                           "unencrypted binlogs only");
  }
  // A pre-GA rows event in a binlog of today: skipping it would lose rows.
  {
    binlog_bytes f;
    f.add(fde);
    f.add(make_event(20, rows_body(1, 1, false, false, {0, 1})));
    auto path = put_file(dir, "pre_ga.000001", f.data);
    decoded d{path};
    CAF_CHECK_EQUAL(d.err.code, binlog::errc::unsupported);
    CAF_CHECK_EQUAL(d.err.message,
                    path + " at offset 126: PRE_GA_WRITE_ROWS event: the row "
                           "format of pre-GA MySQL 5.1 builds (5.1.0 to "
                           "5.1.15 and their drop builds) is not supported");
  }
  // An XID of the wrong size is not taken for a commit.
  {
    binlog_bytes f;
    f.add(fde);
    f.add(make_event(16, bytes(12, 0)));
    auto path = put_file(dir, "xid.000001", f.data);
    decoded d{path};
    CAF_CHECK_EQUAL(d.err.code, binlog::errc::corrupt_event);
    CAF_CHECK_EQUAL(d.err.message,
                    path + " at offset 126: XID event body is 12 bytes, an "
                           "XID event has 8 (is this binlog from a server "
                           "with other event type codes?)");
  }
}

CAF_TEST(column types that cannot be decoded) {
  temp_dir dir;
  // A pre-5.0 DECIMAL (type 0) in a table map.
  {
    binlog_bytes f;
    f.add(mysql8_fde());
    f.add(make_event(19, table_map_body(7, "db", "old", {3, 0}, {})));
    auto path = put_file(dir, "decimal.000001", f.data);
    decoded d{path};
    CAF_CHECK_EQUAL(d.err.code, binlog::errc::unsupported);
    CAF_CHECK_EQUAL(d.err.message,
                    path + " at offset 126: TABLE_MAP for db.old: column 2 "
                           "is a pre-5.0 DECIMAL (type 0), which is "
                           "unsupported: ALTER TABLE ... FORCE on the server "
                           "converts it");
  }
  // MariaDB's pre-10.1 TIME(3) takes 4 bytes, the binlog says nothing of
  // its precision: a row that does not fit is refused before any record.
  {
    binlog_bytes f;
    f.add(mariadb_fde());
    f.add(make_event(19, table_map_body(7, "db", "t", {11}, {})));
    // Two rows of 1 null-bitmap byte + 4 bytes: read as 3-byte TIMEs the
    // first row fits and the second does not.
    bytes images{0, 0x80, 0x00, 0x00, 0x10, 0, 0x80, 0x00, 0x00, 0x20};
    f.add(make_event(23, rows_body(7, 1, false, false, images)));
    auto path = put_file(dir, "hires.000001", f.data);
    decoded d{path};
    CAF_CHECK_EQUAL(d.err.code, binlog::errc::unsupported);
    CAF_CHECK_EQUAL(d.records().size(), 0u);
    CAF_CHECK_EQUAL(
      d.err.message,
      path + " at offset 298: the rows of WRITE_ROWS_V1 on db.t do not fit the "
             "event: the table has TIME, DATETIME or TIMESTAMP columns in "
             "MariaDB's pre-10.1 format, whose fractional-second precision "
             "the binlog does not record; ALTER TABLE ... FORCE with "
             "mysql56_temporal_format=ON converts them");
  }
}
