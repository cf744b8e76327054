#define CAF_SUITE binlog.compressed

#include <caf/test/unit_test.hpp>

#include <string>

#include <zstd.h>

#include "binlog/gtid.hpp"
#include "binlog/transaction_payload.hpp"
#include "binlog_test.hpp"

// Compressed events: MariaDB's log_bin_compress events from a real MariaDB
// 10.11 binlog (tests/data/make_mariadb_compressed.sh) and forms built from
// it; MySQL's TRANSACTION_PAYLOAD from the real fixture and built from the
// layout of libs/mysql/binlog/event/codecs/binary.cpp; GTID_TAGGED.

using namespace b2k::test;

namespace {

std::string canon(const char* text) {
  return json::parse(text).dump();
}

std::string xs(size_t n, const char* tail = "") {
  return std::string(n, 'x') + tail;
}

// -- MariaDB ---------------------------------------------------------------

// The records the statements of make_mariadb_compressed.sh make, in order:
// {op, key, before, after}.
struct expected_row {
  const char* op;
  const char* key;
  std::string before;
  std::string after;
};

std::vector<expected_row> mariadb_expected() {
  auto alpha = R"({"id":1,"name":"alpha","note":")" + xs(300)
               + R"(","amount":"1.50"})";
  auto alpha2 = R"({"id":1,"name":"alpha","note":")" + xs(300, "!")
                + R"(","amount":"1.50"})";
  return {
    {"c", R"({"id":1})", "null", alpha},
    {"c", R"({"id":2})", "null",
     R"({"id":2,"name":"beta","note":null,"amount":"-2.25"})"},
    {"c", R"({"id":3})", "null",
     R"({"id":3,"name":"gamma","note":"short","amount":"0.00"})"},
    {"u", R"({"id":2})",
     R"({"id":2,"name":"beta","note":null,"amount":"-2.25"})",
     R"({"id":2,"name":"BETA","note":null,"amount":"-4.50"})"},
    {"d", R"({"id":3})",
     R"({"id":3,"name":"gamma","note":"short","amount":"0.00"})", "null"},
    {"c", "null", "null", R"({"a":7})"},
    {"c", R"({"id":10})", "null",
     R"({"id":10,"name":"ten","note":"in a transaction","amount":"10.10"})"},
    {"u", R"({"id":1})", alpha, alpha2},
    {"u", R"({"id":10})",
     R"({"id":10,"name":"ten","note":"in a transaction","amount":"10.10"})",
     R"({"id":10,"name":"ten","note":"in a transaction!","amount":"10.10"})"},
    {"d", R"({"id":1})", alpha2, "null"},
  };
}

void check_mariadb_rows(const decoded& d) {
  auto expected = mariadb_expected();
  auto& v = d.records();
  CAF_REQUIRE_EQUAL(v.size(), expected.size());
  for (size_t i = 0; i < v.size(); ++i) {
    CAF_MESSAGE("record " << i);
    CAF_CHECK_EQUAL(v[i].op(), expected[i].op);
    CAF_CHECK_EQUAL(v[i].key.dump(), canon(expected[i].key));
    CAF_CHECK_EQUAL(v[i].before().dump(), canon(expected[i].before.c_str()));
    CAF_CHECK_EQUAL(v[i].after().dump(), canon(expected[i].after.c_str()));
    CAF_CHECK_EQUAL(v[i].source()["db"], "b2k");
    CAF_CHECK_EQUAL(
      v[i].source()["gtid"].get<std::string>().compare(0, 4, "0-1-"), 0);
  }
  // The three inserts share one event, rows 0-2; so do the two updates of
  // the transaction, which holds 4 rows in all.
  for (size_t i = 0; i < 3; ++i) {
    CAF_CHECK_EQUAL(v[i].source()["pos"], v[0].source()["pos"]);
    CAF_CHECK_EQUAL(v[i].source()["row"].get<uint64_t>(), i);
  }
  CAF_CHECK_EQUAL(v[7].source()["pos"], v[8].source()["pos"]);
  CAF_CHECK_EQUAL(v[8].source()["row"].get<uint64_t>(), 1u);
  for (size_t i = 6; i < 10; ++i) {
    CAF_CHECK_EQUAL(v[i].txn.pos, v[6].txn.pos);
    CAF_CHECK_EQUAL(v[i].row_in_txn, i - 5);
  }
  CAF_CHECK_EQUAL(v[5].topic, "binlog2kafka.b2k.tiny");
  CAF_CHECK_EQUAL(v[5].partition_key, "b2k.tiny");
}

// The fixture with every *_ROWS_COMPRESSED_V1 event rewritten into the v2
// form (types 169-171: the same with an extra-data length after the flags).
bytes mariadb_as_v2() {
  auto file = read_bytes(data_path("mariadb_compressed.000001"));
  binlog_bytes out;
  for (size_t at = 4; at < file.size();) {
    auto ev = event_at(file, at);
    at += ev.size();
    uint8_t type = ev[4];
    if (type >= 166 && type <= 168) {
      bytes body(ev.begin() + 19, ev.end() - 4);
      body.insert(body.begin() + 8, {2, 0});
      uint32_t ts = ev[0] | (ev[1] << 8) | (ev[2] << 16)
                    | (static_cast<uint32_t>(ev[3]) << 24);
      ev = make_event(static_cast<uint8_t>(type + 3), body, true, ts, 1);
    }
    out.add(ev);
  }
  return out.data;
}

// Offset of the first event of `type` in a file.
size_t find_event(const bytes& file, uint8_t type) {
  for (size_t at = 4; at < file.size();) {
    if (file[at + 4] == type)
      return at;
    at += event_at(file, at).size();
  }
  return 0;
}

// Replaces the event at `at` by `ev` (of any size).
bytes replace_event(const bytes& file, size_t at, const bytes& ev) {
  auto old = event_at(file, at);
  bytes out(file.begin(), file.begin() + static_cast<long>(at));
  put_bytes(out, ev);
  out.insert(out.end(), file.begin() + static_cast<long>(at + old.size()),
             file.end());
  return out;
}

// -- MySQL -----------------------------------------------------------------

// The events of one transaction: BEGIN, TABLE_MAP, a two-row insert, a
// one-row update, XID; whole and without checksums.
bytes transaction_events() {
  bytes events;
  put_bytes(events, make_event(2, query_body("test", "BEGIN"), false));
  put_bytes(events, make_event(19, test_table_map(), false));
  bytes inserts = test_row(1, "one");
  put_bytes(inserts, test_row(2, "two"));
  put_bytes(events,
            make_event(30, rows_body(42, 2, true, false, inserts), false));
  bytes update = test_row(2, "two");
  put_bytes(update, test_row(2, "zwei"));
  put_bytes(events,
            make_event(31, rows_body(42, 2, true, true, update), false));
  put_bytes(events, make_event(16, bytes(8, 9), false));
  return events;
}

// A TRANSACTION_PAYLOAD body: the TLV header as MySQL writes it (type,
// uncompressed size, payload size, end mark), then the payload.
bytes payload_body(uint64_t compression, const bytes& payload,
                   uint64_t uncompressed_size) {
  auto field = [](bytes& b, uint64_t type, uint64_t value) {
    put_packed(b, type);
    bytes v;
    put_packed(v, value);
    put_packed(b, v.size());
    put_bytes(b, v);
  };
  bytes b;
  field(b, 2, compression);
  if (compression != 255)
    field(b, 3, uncompressed_size);
  field(b, 1, payload.size());
  b.push_back(0);
  put_bytes(b, payload);
  return b;
}

// A frame with a 1 KiB window and no content size, as a streaming
// compressor writes it.
bytes zstd_streamed(const bytes& data) {
  auto ctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(ctx, ZSTD_c_windowLog, 10);
  ZSTD_CCtx_setParameter(ctx, ZSTD_c_contentSizeFlag, 0);
  bytes out(ZSTD_compressBound(data.size()));
  auto n = ZSTD_compress2(ctx, out.data(), out.size(), data.data(),
                          data.size());
  ZSTD_freeCCtx(ctx);
  out.resize(n);
  return out;
}

bytes zstd(const bytes& data) {
  bytes out(ZSTD_compressBound(data.size()));
  auto n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  out.resize(n);
  return out;
}

// A MySQL 8 binlog: FORMAT_DESCRIPTION, GTID at 126, the payload at 215.
constexpr size_t gtid_at = 126;
constexpr size_t payload_at = 126 + 19 + 42 + 4;

bytes payload_binlog(const bytes& payload_event_body) {
  binlog_bytes f;
  f.add(mysql8_fde());
  f.add(make_event(33, gtid_body(5)));
  f.add(make_event(40, payload_event_body));
  return f.data;
}

void check_payload_rows(const decoded& d, size_t first = 0) {
  const char* afters[] = {R"({"id":1,"name":"one"})",
                          R"({"id":2,"name":"two"})",
                          R"({"id":2,"name":"zwei"})"};
  const char* befores[] = {"null", "null", R"({"id":2,"name":"two"})"};
  const char* ops[] = {"c", "c", "u"};
  auto& v = d.records();
  CAF_REQUIRE_EQUAL(v.size(), 3u - first);
  for (size_t i = first; i < 3; ++i) {
    auto& r = v[i - first];
    CAF_CHECK_EQUAL(r.topic, "binlog2kafka.test.t");
    CAF_CHECK_EQUAL(r.op(), ops[i]);
    CAF_CHECK_EQUAL(r.before().dump(), canon(befores[i]));
    CAF_CHECK_EQUAL(r.after().dump(), canon(afters[i]));
    // All at the payload's offset; rows count on across its rows events.
    CAF_CHECK_EQUAL(r.source()["pos"].get<uint64_t>(), payload_at);
    CAF_CHECK_EQUAL(r.source()["row"].get<uint64_t>(), i);
    CAF_CHECK_EQUAL(r.source()["gtid"],
                    "10111213-1415-1617-1819-1a1b1c1d1e1f:5");
    CAF_CHECK_EQUAL(r.txn.pos, gtid_at);
    CAF_CHECK_EQUAL(r.row_in_txn, i + 1);
  }
}

} // namespace

CAF_TEST(MariaDB log_bin_compress events of a real server) {
  decoded d{data_path("mariadb_compressed.000001")};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  auto& by_type = d.stats.events_by_type;
  CAF_CHECK_EQUAL(by_type[165], 2u); // QUERY_COMPRESSED (the CREATE TABLEs)
  CAF_CHECK_EQUAL(by_type[166], 2u);
  CAF_CHECK_EQUAL(by_type[167], 2u);
  CAF_CHECK_EQUAL(by_type[168], 2u);
  CAF_CHECK_EQUAL(by_type[23], 1u); // too small to be compressed
  check_mariadb_rows(d);
  // The DDL (QUERY_COMPRESSED) ends transactions of its own: CREATE
  // DATABASE, two CREATE TABLEs, then the five DML transactions.
  CAF_CHECK_EQUAL(d.sink.ends.size(), 8u);
}

CAF_TEST(MariaDB compressed rows events v2) {
  temp_dir dir;
  auto path = put_file(dir, "v2.000001", mariadb_as_v2());
  decoded d{path};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  CAF_CHECK_EQUAL(d.stats.events_by_type[169], 2u);
  CAF_CHECK_EQUAL(d.stats.events_by_type[170], 2u);
  CAF_CHECK_EQUAL(d.stats.events_by_type[171], 2u);
  check_mariadb_rows(d);
}

CAF_TEST(corrupt MariaDB compressed events) {
  temp_dir dir;
  auto file = read_bytes(data_path("mariadb_compressed.000001"));
  auto at = find_event(file, 166);
  CAF_REQUIRE(at > 0);
  auto ev = event_at(file, at);
  // Header: table id 6, flags 2, width 1 (4 columns), bitmap 1, then the
  // compression header 0x82 (2 length bytes) and the zlib stream.
  const size_t zhead = 19 + 6 + 2 + 1 + 1;
  CAF_REQUIRE_EQUAL(ev[zhead], 0x82);
  auto variant = [&](auto change) {
    auto e = ev;
    change(e);
    reseal(e);
    return put_file(dir, "bad.000001", replace_event(file, at, e));
  };
  auto prefix = [&](const std::string& path) {
    return path + " at offset " + std::to_string(at)
           + ": WRITE_ROWS_COMPRESSED_V1 ";
  };
  auto p = variant([&](bytes& e) { e[zhead + 10] ^= 0xff; });
  auto err = decoded{p}.err;
  CAF_CHECK_EQUAL(err.code, binlog::errc::corrupt_event);
  CAF_CHECK_EQUAL(err.message.compare(0, prefix(p).size(), prefix(p)), 0);
  p = variant([&](bytes& e) { e[zhead + 2] += 1; }); // one byte more
  CAF_CHECK_EQUAL(decoded{p}.err.message,
                  prefix(p) + "zlib data decompresses to "
                    + std::to_string((ev[zhead + 1] << 8) | ev[zhead + 2])
                    + " bytes, the header announced "
                    + std::to_string(((ev[zhead + 1] << 8) | ev[zhead + 2])
                                     + 1));
  p = variant([&](bytes& e) { e[zhead] = 0x92; });
  CAF_CHECK_EQUAL(decoded{p}.err.message,
                  prefix(p)
                    + "unknown compression algorithm 1 (only zlib, 0, is "
                      "defined)");
  p = variant([&](bytes& e) { e[zhead] = 0x87; });
  CAF_CHECK_EQUAL(decoded{p}.err.message,
                  prefix(p)
                    + "compression header gives a length of 7 bytes (1 to 4 "
                      "are valid)");
  p = variant([&](bytes& e) { e[zhead] = 0x02; });
  CAF_CHECK_EQUAL(decoded{p}.err.message,
                  prefix(p)
                    + "the compressed body does not start with a compression "
                      "header");
  // A limit below the announced size is refused before inflating.
  auto big = (ev[zhead + 1] << 8) | ev[zhead + 2];
  // (The CREATE TABLE texts before it are smaller than 300 bytes.)
  decoded limited{data_path("mariadb_compressed.000001"), 4, 0, 300};
  CAF_CHECK_EQUAL(limited.err.message,
                  data_path("mariadb_compressed.000001") + " at offset "
                    + std::to_string(at)
                    + ": WRITE_ROWS_COMPRESSED_V1 announces "
                    + std::to_string(big)
                    + " uncompressed bytes, more than the limit of 300");
}

CAF_TEST(the real zstd TRANSACTION_PAYLOAD re-encoded without compression) {
  temp_dir dir;
  auto file = read_bytes(fixture_path("transaction_compression.000001"));
  auto ev = event_at(file, 274);
  auto body = bytes(ev.begin() + 19, ev.end() - 4);
  binlog::transaction_payload_header h;
  CAF_REQUIRE_EQUAL(binlog::parse_transaction_payload_header(body.data(),
                                                             body.size(), h)
                      .message,
                    "");
  CAF_CHECK_EQUAL(h.compression, binlog::payload_compression::zstd);
  CAF_CHECK_EQUAL(h.uncompressed_size, 179u);
  CAF_CHECK_EQUAL(h.payload_size, 124u);
  CAF_CHECK_EQUAL(h.header_size, 10u);
  bytes plain(179);
  auto n = ZSTD_decompress(plain.data(), plain.size(),
                           body.data() + h.header_size, h.payload_size);
  CAF_REQUIRE_EQUAL(n, 179u);
  auto none = make_event(40, payload_body(255, plain, 0), true, 1695159109);
  auto path = put_file(dir, "none.000001", replace_event(file, 274, none));
  decoded d{path};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  CAF_REQUIRE_EQUAL(d.records().size(), 1u);
  CAF_CHECK_EQUAL(d.records()[0].after().dump(), canon(R"({"@1":1})"));
  CAF_CHECK_EQUAL(d.records()[0].source()["pos"].get<uint64_t>(), 274u);
}

CAF_TEST(TRANSACTION_PAYLOAD with several rows events) {
  temp_dir dir;
  auto events = transaction_events();
  for (uint64_t compression : {uint64_t{0}, uint64_t{255}}) {
    CAF_MESSAGE("compression type " << compression);
    auto body = compression == 0 ? payload_body(0, zstd(events), events.size())
                                 : payload_body(255, events, 0);
    auto path = put_file(dir, "p.000001", payload_binlog(body));
    decoded d{path};
    CAF_REQUIRE_EQUAL(d.err.message, "");
    check_payload_rows(d);
    CAF_REQUIRE_EQUAL(d.sink.ends.size(), 1u);
    CAF_CHECK_EQUAL(d.sink.ends[0].pos, payload_at + 19 + body.size() + 4);
    // A restart inside the transaction: from its GTID, two rows delivered.
    decoded resumed{path, gtid_at, 2};
    CAF_REQUIRE_EQUAL(resumed.err.message, "");
    check_payload_rows(resumed, 2);
  }
}

CAF_TEST(TRANSACTION_PAYLOAD bounds) {
  temp_dir dir;
  auto events = transaction_events();
  auto packed = zstd(events);
  auto offset = [&](const std::string& path) {
    return path + " at offset " + std::to_string(payload_at) + ": ";
  };
  // A header announcing an absurd size is refused, not trusted.
  auto p = put_file(dir, "huge.000001",
                    payload_binlog(payload_body(0, packed, uint64_t{1} << 40)));
  CAF_CHECK_EQUAL(decoded{p}.err.message,
                  offset(p) + "TRANSACTION_PAYLOAD announces 1099511627776 "
                              "uncompressed bytes, more than the limit of "
                              "1073741824");
  // A header that lies low: the output is still bounded by the limit.
  bytes zeros(100000, 0);
  p = put_file(dir, "bomb.000001",
               payload_binlog(payload_body(0, zstd_streamed(zeros), 10)));
  CAF_CHECK_EQUAL(decoded(p, 4, 0, 5000).err.message,
                  offset(p) + "TRANSACTION_PAYLOAD decompresses to more than "
                              "the limit of 5000 bytes");
  // So is the window the frame asks zstd to allocate.
  p = put_file(dir, "window.000001",
               payload_binlog(payload_body(0, zstd(zeros), 10)));
  CAF_CHECK_EQUAL(decoded(p, 4, 0, 5000).err.message,
                  offset(p) + "TRANSACTION_PAYLOAD zstd: Frame requires too "
                              "much memory for decoding");
  // Corrupt zstd data.
  auto broken = packed;
  broken[0] ^= 0xff; // the frame's magic number
  p = put_file(dir, "zstd.000001",
               payload_binlog(payload_body(0, broken, events.size())));
  auto err = decoded{p}.err;
  CAF_CHECK_EQUAL(err.code, binlog::errc::corrupt_event);
  auto zstd_prefix = offset(p) + "TRANSACTION_PAYLOAD zstd: ";
  CAF_CHECK_EQUAL(err.message.compare(0, zstd_prefix.size(), zstd_prefix), 0);
  // A cut frame.
  p = put_file(dir, "cut.000001",
               payload_binlog(payload_body(
                 0, bytes(packed.begin(), packed.end() - 5), events.size())));
  CAF_CHECK_EQUAL(decoded{p}.err.code, binlog::errc::corrupt_event);
  // An inner event longer than what is left of the payload.
  auto cut = bytes(events.begin(), events.end() - 3);
  p = put_file(dir, "inner.000001", payload_binlog(payload_body(255, cut, 0)));
  auto inner_at = events.size() - 27;
  CAF_CHECK_EQUAL(decoded{p}.err.message,
                  p + " at offset " + std::to_string(payload_at)
                    + " (inside TRANSACTION_PAYLOAD, event at uncompressed "
                      "byte "
                    + std::to_string(inner_at)
                    + "): event length 27 does not fit the 24 bytes left in "
                      "the payload");
  // Events that cannot be part of a transaction.
  bytes fde = mysql8_fde();
  fde.resize(fde.size() - 4); // inner events carry no checksum
  fde[9] = static_cast<uint8_t>(fde.size());
  p = put_file(dir, "fde.000001", payload_binlog(payload_body(255, fde, 0)));
  CAF_CHECK_EQUAL(decoded{p}.err.message,
                  p + " at offset " + std::to_string(payload_at)
                    + " (inside TRANSACTION_PAYLOAD, event at uncompressed "
                      "byte 0): FORMAT_DESCRIPTION event cannot be part of a "
                      "transaction");
  // Header fields: a missing payload size, an unknown compression type.
  // (255 is packed as fc ff 00, as MySQL's net_store_length writes it)
  bytes no_size{2, 3, 252, 255, 0, 0};
  p = put_file(dir, "nosize.000001", payload_binlog(no_size));
  CAF_CHECK_EQUAL(decoded{p}.err.message,
                  offset(p) + "TRANSACTION_PAYLOAD header lacks its payload "
                              "size");
  bytes lz4{2, 1, 1, 0};
  p = put_file(dir, "lz4.000001", payload_binlog(lz4));
  CAF_CHECK_EQUAL(decoded{p}.err.message,
                  offset(p) + "TRANSACTION_PAYLOAD has the unknown "
                              "compression type 1");
  bytes too_long{2, 3, 252, 255, 0, 1, 1, 200, 0, 1, 2};
  p = put_file(dir, "long.000001", payload_binlog(too_long));
  CAF_CHECK_EQUAL(decoded{p}.err.message,
                  offset(p) + "TRANSACTION_PAYLOAD header announces 200 "
                              "bytes of payload, the event holds 2");
}

CAF_TEST(TRANSACTION_PAYLOAD header fields in any order) {
  // An unknown field (type 9, 3 bytes) is skipped by its length.
  bytes b{9, 3, 0xaa, 0xbb, 0xcc, 1, 1, 2, 3, 1, 5, 2, 1, 0, 0, 0x11, 0x22};
  binlog::transaction_payload_header h;
  CAF_CHECK(!binlog::parse_transaction_payload_header(b.data(), b.size(), h));
  CAF_CHECK_EQUAL(h.payload_size, 2u);
  CAF_CHECK_EQUAL(h.uncompressed_size, 5u);
  CAF_CHECK_EQUAL(h.compression, 0u);
  CAF_CHECK_EQUAL(h.header_size, 15u);
  bytes unended{1, 1, 2, 2, 1, 0};
  auto err = binlog::parse_transaction_payload_header(unended.data(),
                                                      unended.size(), h);
  CAF_CHECK_EQUAL(err.code, binlog::errc::corrupt_event);
  CAF_CHECK_EQUAL(err.message,
                  "TRANSACTION_PAYLOAD header runs past the end of the event");
}

namespace {

// MySQL's serialization: varlen unsigned (trailing ones give the length).
void put_varlen(bytes& b, uint64_t x) {
  if (x < 0x80) {
    b.push_back(static_cast<uint8_t>(x << 1));
    return;
  }
  if (x < 0x4000) {
    b.push_back(static_cast<uint8_t>((x << 2) | 1));
    b.push_back(static_cast<uint8_t>(x >> 6));
    return;
  }
  // 9 bytes: 0xff then the value
  b.push_back(0xff);
  put_le(b, x, 8);
}

void put_varlen_signed(bytes& b, int64_t x) {
  put_varlen(b, x < 0 ? ((static_cast<uint64_t>(-(x + 1)) << 1) | 1)
                      : static_cast<uint64_t>(x) << 1);
}

bytes tagged_gtid(const std::string& tag, int64_t gno) {
  bytes fields;
  put_varlen(fields, 0); // last non-ignorable field
  put_varlen(fields, 0);
  put_varlen(fields, 1); // flags
  put_varlen(fields, 1);
  for (int i = 0; i < 16; ++i)
    put_varlen(fields, static_cast<uint64_t>(0xa0 + i));
  put_varlen(fields, 2);
  put_varlen_signed(fields, gno);
  if (!tag.empty()) {
    put_varlen(fields, 3);
    put_varlen(fields, tag.size());
    put_str(fields, tag);
  }
  put_varlen(fields, 4); // last_committed: a field after the tag
  put_varlen_signed(fields, 0);
  bytes b;
  put_varlen(b, 1); // format version
  put_varlen(b, fields.size() + 2);
  put_bytes(b, fields);
  return b;
}

} // namespace

CAF_TEST(GTID_TAGGED bodies) {
  // The real one, from the fixture.
  auto file = read_bytes(
    fixture_path("binlog_transaction_with_GTID_TAG.000001"));
  auto ev = event_at(file, 245);
  binlog::mysql_gtid gtid;
  auto parse = [&](const uint8_t* body, size_t size) {
    auto err = binlog::parse_gtid_tagged(body, size, gtid);
    if (err)
      CAF_CHECK_EQUAL(err.code, binlog::errc::corrupt_event);
    return err.message;
  };
  CAF_CHECK_EQUAL(parse(ev.data() + 19, ev.size() - 23), "");
  CAF_CHECK_EQUAL(binlog::to_string(gtid),
                  "55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3");
  auto b = tagged_gtid("x_1", 1234567);
  CAF_CHECK_EQUAL(parse(b.data(), b.size()), "");
  CAF_CHECK_EQUAL(binlog::to_string(gtid),
                  "a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf:x_1:1234567");
  b = tagged_gtid("", 9);
  CAF_CHECK_EQUAL(parse(b.data(), b.size()), "");
  CAF_CHECK_EQUAL(binlog::to_string(gtid),
                  "a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf:9");
  b = tagged_gtid("t", 0);
  CAF_CHECK_EQUAL(parse(b.data(), b.size()),
                  "GTID_TAGGED event has the transaction number 0 (must be "
                  "at least 1)");
  b = tagged_gtid(std::string(33, 'a'), 1);
  CAF_CHECK_EQUAL(parse(b.data(), b.size()),
                  "GTID_TAGGED event has a tag of 33 bytes (at most 32 are "
                  "allowed)");
  b = tagged_gtid("t", 5);
  for (size_t n = 0; n < 22; ++n)
    CAF_CHECK(binlog::parse_gtid_tagged(b.data(), n, gtid));
}
