#define CAF_SUITE binlog.snapshot_table

#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "binlog/column_value.hpp"
#include "binlog/decimal.hpp"
#include "binlog/json_writer.hpp"
#include "binlog/snapshot_table.hpp"
#include "binlog_test.hpp"

// A snapshot reads rows as text and packs them into the binlog's row-image
// layout, so that the encoder that writes streamed rows writes them too:
// each case packs the server's text and reads it back as the decoder would.

using namespace b2k::test;
namespace ft = binlog::field_type;

namespace {

// The readable JSON of `text` packed for `c` (or the error's message).
std::string round_trip(const binlog::column& c, const std::string& text) {
  std::string packed;
  if (auto err = binlog::pack_value(c, text, packed))
    return "error: " + err.message;
  auto p = reinterpret_cast<const uint8_t*>(packed.data());
  size_t size = 0;
  if (!binlog::value_size(c, p, p + packed.size(), size)
      || size != packed.size())
    return "<wrong size>";
  binlog::value_options readable;
  readable.mode = binlog::value_mode::readable;
  std::string out;
  binlog::json_writer w{out};
  binlog::write_value(w, c, p, size, readable);
  return out;
}

} // namespace

CAF_TEST(integers keep sign and width) {
  CAF_CHECK_EQUAL(round_trip(col(ft::tiny), "-128"), "-128");
  CAF_CHECK_EQUAL(round_trip(col(ft::tiny, 0, true), "255"), "255");
  CAF_CHECK_EQUAL(round_trip(col(ft::short_), "-32768"), "-32768");
  CAF_CHECK_EQUAL(round_trip(col(ft::int24), "-8388608"), "-8388608");
  CAF_CHECK_EQUAL(round_trip(col(ft::long_, 0, true), "4294967295"),
                  "4294967295");
  CAF_CHECK_EQUAL(round_trip(col(ft::longlong), "-9223372036854775808"),
                  "-9223372036854775808");
  CAF_CHECK_EQUAL(round_trip(col(ft::longlong, 0, true),
                             "18446744073709551615"),
                  "18446744073709551615");
  CAF_CHECK_EQUAL(round_trip(col(ft::year), "2155"), "2155");
  CAF_CHECK_EQUAL(round_trip(col(ft::long_), "12x").substr(0, 6), "error:");
}

CAF_TEST(decimals pack as decimal2bin) {
  for (auto [text, p, s] :
       std::vector<std::tuple<std::string, unsigned, unsigned>>{
         {"-1234567.891", 10, 3},
         {"0.000", 10, 3},
         {"99999999.99", 10, 2},
         {"-12345678901234567890123456789012345.123456789012345678901234567891",
          65, 30},
         {"0.000000000000000000000000000001", 65, 30},
         {"-0.5", 5, 1},
         {"7", 1, 0}}) {
    std::string packed;
    CAF_REQUIRE(!binlog::pack_decimal(text, p, s, packed));
    CAF_CHECK_EQUAL(packed.size(), binlog::decimal_size(p, s));
    std::string back;
    binlog::append_decimal(back,
                           reinterpret_cast<const uint8_t*>(packed.data()), p,
                           s);
    CAF_CHECK_EQUAL(back, text);
  }
  std::string packed;
  CAF_CHECK(binlog::pack_decimal("123456", 5, 0, packed));
}

CAF_TEST(temporals pack as their binlog formats) {
  CAF_CHECK_EQUAL(round_trip(col(ft::date), "2024-02-29"), "\"2024-02-29\"");
  CAF_CHECK_EQUAL(round_trip(col(ft::date), "0000-00-00"), "null");
  CAF_CHECK_EQUAL(round_trip(col(ft::datetime2, 6),
                             "2024-01-02 03:04:05.123456"),
                  "\"2024-01-02T03:04:05.123456\"");
  CAF_CHECK_EQUAL(round_trip(col(ft::datetime2, 0), "1999-12-31 23:59:59"),
                  "\"1999-12-31T23:59:59\"");
  CAF_CHECK_EQUAL(round_trip(col(ft::datetime2, 3), "2024-01-02 03:04:05.120"),
                  "\"2024-01-02T03:04:05.120\"");
  CAF_CHECK_EQUAL(round_trip(col(ft::timestamp2, 3), "2024-06-01 12:00:00.125"),
                  "\"2024-06-01T12:00:00.125Z\"");
  CAF_CHECK_EQUAL(round_trip(col(ft::timestamp2, 0), "1970-01-01 00:00:01"),
                  "\"1970-01-01T00:00:01Z\"");
  CAF_CHECK_EQUAL(round_trip(col(ft::time2, 0), "-838:59:59"),
                  "\"-838:59:59\"");
  CAF_CHECK_EQUAL(round_trip(col(ft::time2, 2), "-00:00:00.01"),
                  "\"-00:00:00.01\"");
  CAF_CHECK_EQUAL(round_trip(col(ft::time2, 2), "12:34:56.78"),
                  "\"12:34:56.78\"");
  CAF_CHECK_EQUAL(round_trip(col(ft::time2, 4), "-01:02:03.4567"),
                  "\"-01:02:03.4567\"");
  CAF_CHECK_EQUAL(round_trip(col(ft::time2, 6), "-01:02:03.000001"),
                  "\"-01:02:03.000001\"");
}

CAF_TEST(strings enums sets and bits) {
  CAF_CHECK_EQUAL(round_trip(col(ft::varchar, 300, false, 45), "h\xc3\xa9"),
                  "\"h\xc3\xa9\"");
  CAF_CHECK_EQUAL(round_trip(col(ft::varchar, 40, false, 8), "caf\xe9"),
                  "\"caf\xc3\xa9\"");
  CAF_CHECK_EQUAL(round_trip(col(ft::blob, 2, false, 45), "text"), "\"text\"");
  auto e = col(ft::enum_, 1);
  e.members = {"a", "b", "c d"};
  CAF_CHECK_EQUAL(round_trip(e, "3"), "\"c d\"");
  auto s = col(ft::set, 1);
  s.members = {"x", "y", "z"};
  CAF_CHECK_EQUAL(round_trip(s, "5"), "\"x,z\"");
  CAF_CHECK_EQUAL(round_trip(col(ft::bit, 1), "1"), "true");
  CAF_CHECK_EQUAL(round_trip(col(ft::bit, 9), "341"), "341");
}

CAF_TEST(a table map from information_schema) {
  std::vector<binlog::column_description> cols(4);
  cols[0].name = "id";
  cols[0].data_type = "bigint";
  cols[0].column_type = "bigint(20) unsigned";
  cols[0].nullable = false;
  cols[1].name = "e";
  cols[1].data_type = "enum";
  cols[1].column_type = "enum('a','it''s','c,d')";
  cols[2].name = "v";
  cols[2].data_type = "varchar";
  cols[2].column_type = "varchar(10)";
  cols[2].octet_length = 40;
  cols[2].collation = 45;
  cols[3].name = "x";
  cols[3].data_type = "vector";
  binlog::table_map map;
  auto err = binlog::make_table_map("db", "t", cols, {0}, map);
  CAF_CHECK_EQUAL(err.code, binlog::errc::unsupported);
  cols.pop_back();
  CAF_REQUIRE(!binlog::make_table_map("db", "t", cols, {0}, map));
  CAF_CHECK_EQUAL(map.columns[0].type, ft::longlong);
  CAF_CHECK(map.columns[0].is_unsigned);
  CAF_CHECK_EQUAL(map.columns[1].type, ft::enum_);
  CAF_CHECK_EQUAL(map.columns[1].members,
                  (std::vector<std::string>{"a", "it's", "c,d"}));
  CAF_CHECK_EQUAL(map.columns[2].meta, 40);
  CAF_CHECK_EQUAL(map.primary_key, std::vector<uint32_t>{0});
  CAF_CHECK_EQUAL(binlog::select_expression(map.columns[1], "`e`"), "`e`+0");
  CAF_CHECK_EQUAL(binlog::key_literal(map.columns[2], cols[2], "Ab"),
                  "X'4162'");
  cols[2].charset = "utf8mb4";
  CAF_CHECK_EQUAL(binlog::key_literal(map.columns[2], cols[2], "Ab"),
                  "_utf8mb4 X'4162'");
  CAF_CHECK_EQUAL(binlog::key_literal(map.columns[0], cols[0], "42"), "42");
}
