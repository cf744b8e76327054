#define CAF_SUITE binlog.hex

// The one hex codec behind snapshot keys, GTID sets, XA ids and JSON.

#include <caf/test/unit_test.hpp>

#include "binlog/hex.hpp"

CAF_TEST(bytes become lower-case digits and come back) {
  std::string bytes{"\x00\x7f\x80\xff a", 6};
  auto text = binlog::to_hex(bytes);
  CAF_CHECK_EQUAL(text, "007f80ff2061");
  std::string back;
  CAF_REQUIRE(binlog::from_hex(text, back));
  CAF_CHECK_EQUAL(back, bytes);
  CAF_REQUIRE(binlog::from_hex("ABcd", back));
  CAF_CHECK_EQUAL(back, "\xab\xcd");
}

CAF_TEST(text that is not hex is refused) {
  std::string out;
  CAF_CHECK(!binlog::from_hex("abc", out));
  CAF_CHECK(!binlog::from_hex("0g", out));
  CAF_CHECK(!binlog::from_hex("-1", out));
  CAF_CHECK(binlog::from_hex("", out));
  CAF_CHECK_EQUAL(out, "");
  CAF_CHECK_EQUAL(binlog::hex_digit_value('F'), 15);
  CAF_CHECK_EQUAL(binlog::hex_digit_value('/'), -1);
}

CAF_TEST(append_hex adds to what is there) {
  std::string out = "x:";
  binlog::append_hex(out, "\x01\x02");
  CAF_CHECK_EQUAL(out, "x:0102");
}
