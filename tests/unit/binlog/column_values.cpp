#define CAF_SUITE binlog.column_values

#include <caf/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "binlog/column_value.hpp"
#include "binlog/decimal.hpp"
#include "binlog/json_writer.hpp"
#include "binlog/table_map.hpp"
#include "binlog_test.hpp"

// Column values from bytes that the tests encode themselves, following
// MySQL's storage formats (strings/decimal.cc decimal2bin, mysys/my_time.cc
// my_time_packed_to_binary and friends, field.cc), and the JSON text
// design.md asks for.

using namespace b2k::test;
namespace ft = binlog::field_type;

namespace {

binlog::value_options readable() {
  binlog::value_options o;
  o.mode = binlog::value_mode::readable;
  return o;
}

// The JSON text of a value, or a note when its size is not the bytes'.
std::string text(const binlog::column& c, const bytes& b,
                 const binlog::value_options& options = readable()) {
  size_t size = 0;
  if (!binlog::value_size(c, b.data(), b.data() + b.size(), size))
    return "<value_size failed>";
  if (size != b.size())
    return "<size " + std::to_string(size) + " for " + std::to_string(b.size())
           + " bytes>";
  std::string out;
  binlog::json_writer w{out};
  binlog::write_value(w, c, b.data(), size, options);
  return out;
}

bytes le(uint64_t x, size_t n) {
  bytes b;
  put_le(b, x, n);
  return b;
}

bytes be(uint64_t x, size_t n) {
  bytes b;
  put_be(b, x, n);
  return b;
}

// -- DECIMAL: decimal2bin --------------------------------------------------

constexpr int dig2bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

bytes decimal_bytes(std::string text, int precision, int scale) {
  bool negative = !text.empty() && text[0] == '-';
  if (negative)
    text.erase(0, 1);
  auto dot = text.find('.');
  std::string ip = text.substr(0, dot);
  std::string fp = dot == std::string::npos ? "" : text.substr(dot + 1);
  int intg = precision - scale;
  while (!ip.empty() && ip[0] == '0')
    ip.erase(0, 1);
  ip = std::string(static_cast<size_t>(intg) - ip.size(), '0') + ip;
  fp += std::string(static_cast<size_t>(scale) - fp.size(), '0');
  bytes out;
  auto put_group = [&](const std::string& digits) {
    uint64_t v = digits.empty() ? 0 : std::stoull(digits);
    put_be(out, v, static_cast<size_t>(dig2bytes[digits.size()]));
  };
  int lead = intg % 9;
  if (lead > 0)
    put_group(ip.substr(0, static_cast<size_t>(lead)));
  for (size_t i = static_cast<size_t>(lead); i < ip.size(); i += 9)
    put_group(ip.substr(i, 9));
  for (size_t i = 0; i + 9 <= fp.size(); i += 9)
    put_group(fp.substr(i, 9));
  if (scale % 9 > 0)
    put_group(fp.substr(fp.size() - static_cast<size_t>(scale % 9)));
  if (negative)
    for (auto& x : out)
      x = static_cast<uint8_t>(~x);
  out[0] ^= 0x80;
  return out;
}

std::string decimal(const std::string& value, int precision, int scale) {
  auto b = decimal_bytes(value, precision, scale);
  CAF_CHECK_EQUAL(b.size(),
                  binlog::decimal_size(static_cast<unsigned>(precision),
                                       static_cast<unsigned>(scale)));
  return text(
    col(ft::newdecimal, static_cast<uint16_t>(precision << 8 | scale)), b);
}

// -- temporal: my_time.cc --------------------------------------------------

int64_t packed_time(bool negative, int64_t h, int64_t m, int64_t s,
                    int64_t micros) {
  int64_t x = (((h << 12) | (m << 6) | s) << 24) + micros;
  return negative ? -x : x;
}

// my_time_packed_to_binary
bytes time2_bytes(int64_t nr, int dec) {
  auto int_part = nr >> 24; // arithmetic, as MY_PACKED_TIME_GET_INT_PART
  auto frac_part = nr % (int64_t{1} << 24);
  bytes b;
  switch (dec) {
    case 0:
      put_be(b, static_cast<uint64_t>(0x800000 + int_part), 3);
      break;
    case 1:
    case 2:
      put_be(b, static_cast<uint64_t>(0x800000 + int_part), 3);
      b.push_back(static_cast<uint8_t>(static_cast<int8_t>(frac_part / 10000)));
      break;
    case 3:
    case 4:
      put_be(b, static_cast<uint64_t>(0x800000 + int_part), 3);
      put_be(b, static_cast<uint16_t>(static_cast<int16_t>(frac_part / 100)),
             2);
      break;
    default:
      put_be(b, static_cast<uint64_t>(nr + 0x800000000000LL), 6);
  }
  return b;
}

std::string time2(bool negative, int h, int m, int s, int micros, int dec) {
  return text(col(ft::time2, static_cast<uint16_t>(dec)),
              time2_bytes(packed_time(negative, h, m, s, micros), dec));
}

// TIME_to_longlong_datetime_packed + my_datetime_packed_to_binary
bytes datetime2_bytes(int y, int mo, int d, int h, int mi, int s, int micros,
                      int dec) {
  int64_t ymd = ((int64_t{y} * 13 + mo) << 5) | d;
  int64_t hms = (int64_t{h} << 12) | (mi << 6) | s;
  int64_t nr = (((ymd << 17) | hms) << 24) + micros;
  bytes b;
  put_be(b, static_cast<uint64_t>((nr >> 24) + 0x8000000000LL), 5);
  int64_t frac = nr % (int64_t{1} << 24);
  if (dec == 1 || dec == 2)
    b.push_back(static_cast<uint8_t>(frac / 10000));
  else if (dec == 3 || dec == 4)
    put_be(b, static_cast<uint64_t>(frac / 100), 2);
  else if (dec >= 5)
    put_be(b, static_cast<uint64_t>(frac), 3);
  return b;
}

std::string datetime2(int y, int mo, int d, int h, int mi, int s, int micros,
                      int dec) {
  return text(col(ft::datetime2, static_cast<uint16_t>(dec)),
              datetime2_bytes(y, mo, d, h, mi, s, micros, dec));
}

std::string timestamp2(uint32_t secs, int micros, int dec) {
  bytes b = be(secs, 4);
  if (dec == 1 || dec == 2)
    b.push_back(static_cast<uint8_t>(micros / 10000));
  else if (dec == 3 || dec == 4)
    put_be(b, static_cast<uint64_t>(micros / 100), 2);
  else if (dec >= 5)
    put_be(b, static_cast<uint64_t>(micros), 3);
  return text(col(ft::timestamp2, static_cast<uint16_t>(dec)), b);
}

std::string json_text(const std::string& s) {
  return "\"" + s + "\"";
}

} // namespace

CAF_TEST(DECIMAL of many precisions and scales) {
  CAF_CHECK_EQUAL(decimal("0", 1, 0), R"("0")");
  CAF_CHECK_EQUAL(decimal("9", 1, 0), R"("9")");
  CAF_CHECK_EQUAL(decimal("-9", 1, 0), R"("-9")");
  CAF_CHECK_EQUAL(decimal("0", 10, 2), R"("0.00")");
  CAF_CHECK_EQUAL(decimal("-12.34", 10, 2), R"("-12.34")");
  CAF_CHECK_EQUAL(decimal("12.3", 10, 4), R"("12.3000")");
  CAF_CHECK_EQUAL(decimal("-0.01", 5, 2), R"("-0.01")");
  CAF_CHECK_EQUAL(decimal("0.5", 1, 1), R"("0.5")");
  CAF_CHECK_EQUAL(decimal("-0.000000001", 9, 9), R"("-0.000000001")");
  CAF_CHECK_EQUAL(decimal("0.123456789", 9, 9), R"("0.123456789")");
  CAF_CHECK_EQUAL(decimal("123456789", 9, 0), R"("123456789")");
  CAF_CHECK_EQUAL(decimal("1234567890", 10, 0), R"("1234567890")");
  CAF_CHECK_EQUAL(decimal("-1000000000.5", 11, 1), R"("-1000000000.5")");
  CAF_CHECK_EQUAL(decimal("100000000000000000.000000001", 27, 9),
                  R"("100000000000000000.000000001")");
  CAF_CHECK_EQUAL(decimal("1.0000000001", 12, 10), R"("1.0000000001")");
  // Leading zero groups are not printed; inner zeros are.
  CAF_CHECK_EQUAL(decimal("7", 30, 0), R"("7")");
  CAF_CHECK_EQUAL(decimal("7000000000000000000", 30, 0),
                  R"("7000000000000000000")");
  // The largest: DECIMAL(65,30) and DECIMAL(65,0), both signs.
  auto d65 = std::string(35, '9') + "." + std::string(30, '9');
  CAF_CHECK_EQUAL(decimal(d65, 65, 30), json_text(d65));
  CAF_CHECK_EQUAL(decimal("-" + d65, 65, 30), json_text("-" + d65));
  CAF_CHECK_EQUAL(decimal(std::string(65, '9'), 65, 0),
                  json_text(std::string(65, '9')));
  CAF_CHECK_EQUAL(decimal("-1", 65, 30),
                  json_text("-1." + std::string(30, '0')));
  CAF_CHECK_EQUAL(decimal("0." + std::string(30, '9'), 30, 30),
                  json_text("0." + std::string(30, '9')));
  // Every scale of a 20-digit number.
  for (int scale = 0; scale <= 20; ++scale) {
    std::string digits = "98765432109876543210";
    std::string value = digits.substr(0, static_cast<size_t>(20 - scale));
    if (value.empty())
      value = "0";
    if (scale > 0)
      value += "." + digits.substr(static_cast<size_t>(20 - scale));
    CAF_CHECK_EQUAL(decimal(value, 20, scale), json_text(value));
    CAF_CHECK_EQUAL(decimal("-" + value, 20, scale), json_text("-" + value));
  }
  // Impossible metadata is a size error, not a crash.
  size_t size = 0;
  bytes b(40, 0x80);
  CAF_CHECK(!binlog::value_size(col(ft::newdecimal, 66 << 8), b.data(),
                                b.data() + b.size(), size));
  CAF_CHECK(!binlog::value_size(col(ft::newdecimal, 10 << 8 | 11), b.data(),
                                b.data() + b.size(), size));
  CAF_CHECK(!binlog::value_size(col(ft::newdecimal, 0), b.data(),
                                b.data() + b.size(), size));
}

CAF_TEST(integers of every width at their limits) {
  struct widths {
    uint8_t type;
    size_t bytes;
    const char* min;
    const char* max;
    const char* umax;
  };
  const widths all[] = {
    {ft::tiny, 1, "-128", "127", "255"},
    {ft::short_, 2, "-32768", "32767", "65535"},
    {ft::int24, 3, "-8388608", "8388607", "16777215"},
    {ft::long_, 4, "-2147483648", "2147483647", "4294967295"},
    {ft::longlong, 8, "-9223372036854775808", "9223372036854775807",
     "18446744073709551615"},
  };
  for (auto& w : all) {
    uint64_t ones = w.bytes == 8 ? ~uint64_t{0}
                                 : (uint64_t{1} << (8 * w.bytes)) - 1;
    uint64_t sign = uint64_t{1} << (8 * w.bytes - 1);
    CAF_CHECK_EQUAL(text(col(w.type), le(sign, w.bytes)), w.min);
    CAF_CHECK_EQUAL(text(col(w.type), le(sign - 1, w.bytes)), w.max);
    CAF_CHECK_EQUAL(text(col(w.type), le(ones, w.bytes)), "-1");
    CAF_CHECK_EQUAL(text(col(w.type), le(0, w.bytes)), "0");
    CAF_CHECK_EQUAL(text(col(w.type, 0, true), le(ones, w.bytes)), w.umax);
    CAF_CHECK_EQUAL(text(col(w.type, 0, true), le(sign, w.bytes)),
                    std::to_string(sign));
    CAF_CHECK_EQUAL(text(col(w.type, 0, true), le(0, w.bytes)), "0");
  }
}

CAF_TEST(FLOAT and DOUBLE) {
  auto f = [](float x) {
    bytes b(4);
    std::memcpy(b.data(), &x, 4);
    return text(col(ft::float_, 4), b);
  };
  auto d = [](double x) {
    bytes b(8);
    std::memcpy(b.data(), &x, 8);
    return text(col(ft::double_, 8), b);
  };
  CAF_CHECK_EQUAL(f(0.1f), "0.1");
  CAF_CHECK_EQUAL(f(-1.5f), "-1.5");
  CAF_CHECK_EQUAL(f(16777216.0f), "16777216");
  CAF_CHECK_EQUAL(d(0.1), "0.1");
  CAF_CHECK_EQUAL(d(1e300), "1e+300");
  CAF_CHECK_EQUAL(d(-123456.789), "-123456.789");
  // JSON has no NaN or infinity.
  CAF_CHECK_EQUAL(d(std::numeric_limits<double>::infinity()), "null");
  CAF_CHECK_EQUAL(f(std::numeric_limits<float>::quiet_NaN()), "null");
}

CAF_TEST(BIT of 1 to 64 bits) {
  for (uint16_t n = 1; n <= 64; ++n) {
    size_t bytes_n = (n + 7u) / 8u;
    uint64_t max = n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
    uint64_t top = uint64_t{1} << (n - 1);
    if (n == 1) { // BIT(1) is a boolean
      CAF_CHECK_EQUAL(text(col(ft::bit, n), be(1, 1)), "true");
      CAF_CHECK_EQUAL(text(col(ft::bit, n), be(0, 1)), "false");
      continue;
    }
    CAF_CHECK_EQUAL(text(col(ft::bit, n), be(max, bytes_n)),
                    std::to_string(max));
    CAF_CHECK_EQUAL(text(col(ft::bit, n), be(0, bytes_n)), "0");
    CAF_CHECK_EQUAL(text(col(ft::bit, n), be(top, bytes_n)),
                    std::to_string(top));
  }
  size_t size = 0;
  bytes b(9, 0);
  CAF_CHECK(
    !binlog::value_size(col(ft::bit, 65), b.data(), b.data() + 9, size));
}

CAF_TEST(YEAR and DATE) {
  CAF_CHECK_EQUAL(text(col(ft::year), {0}), "0");
  CAF_CHECK_EQUAL(text(col(ft::year), {1}), "1901");
  CAF_CHECK_EQUAL(text(col(ft::year), {255}), "2155");
  CAF_CHECK_EQUAL(text(col(ft::year), {124}), "2024");
  auto date = [](int y, int m, int d) {
    return text(col(ft::date),
                le(static_cast<uint64_t>(y << 9 | m << 5 | d), 3));
  };
  CAF_CHECK_EQUAL(date(0, 0, 0), "null"); // zero dates are null
  CAF_CHECK_EQUAL(date(1000, 1, 1), R"("1000-01-01")");
  CAF_CHECK_EQUAL(date(9999, 12, 31), R"("9999-12-31")");
  CAF_CHECK_EQUAL(date(2024, 2, 29), R"("2024-02-29")");
  CAF_CHECK_EQUAL(date(2024, 0, 0), "null");
  CAF_CHECK_EQUAL(date(2024, 0, 15), "null");
  CAF_CHECK_EQUAL(date(2024, 5, 0), "null");
  CAF_CHECK_EQUAL(date(0, 1, 1), R"("0000-01-01")"); // not a zero date
}

CAF_TEST(TIME with every fractional precision) {
  CAF_CHECK_EQUAL(time2(false, 0, 0, 0, 0, 0), R"("00:00:00")");
  CAF_CHECK_EQUAL(time2(false, 838, 59, 59, 0, 0), R"("838:59:59")");
  CAF_CHECK_EQUAL(time2(true, 838, 59, 59, 0, 0), R"("-838:59:59")");
  CAF_CHECK_EQUAL(time2(false, 838, 59, 59, 999999, 6),
                  R"("838:59:59.999999")");
  CAF_CHECK_EQUAL(time2(true, 838, 59, 59, 999999, 6),
                  R"("-838:59:59.999999")");
  CAF_CHECK_EQUAL(time2(true, 507, 48, 27, 0, 0), R"("-507:48:27")");
  // Negative values keep their fraction in reverse order (the source of
  // go-mysql#677): the integer part is rounded away from zero.
  const char* negative_tenth[] = {nullptr,
                                  R"("-00:00:00.1")",
                                  R"("-00:00:00.10")",
                                  R"("-00:00:00.100")",
                                  R"("-00:00:00.1000")",
                                  R"("-00:00:00.10000")",
                                  R"("-00:00:00.100000")"};
  for (int dec = 1; dec <= 6; ++dec) {
    CAF_MESSAGE("fsp " << dec);
    CAF_CHECK_EQUAL(time2(true, 0, 0, 0, 100000, dec), negative_tenth[dec]);
    CAF_CHECK_EQUAL(time2(true, 12, 34, 56, 500000, dec),
                    "\"-12:34:56." + std::string("500000").substr(0, dec)
                      + "\"");
    CAF_CHECK_EQUAL(time2(false, 12, 34, 56, 500000, dec),
                    "\"12:34:56." + std::string("500000").substr(0, dec)
                      + "\"");
    CAF_CHECK_EQUAL(time2(true, 1, 0, 0, 0, dec),
                    "\"-01:00:00." + std::string(static_cast<size_t>(dec), '0')
                      + "\"");
  }
  CAF_CHECK_EQUAL(time2(true, 0, 0, 0, 10000, 2), R"("-00:00:00.01")");
  CAF_CHECK_EQUAL(time2(true, 0, 0, 1, 990000, 2), R"("-00:00:01.99")");
  CAF_CHECK_EQUAL(time2(true, 0, 0, 0, 100, 4), R"("-00:00:00.0001")");
  CAF_CHECK_EQUAL(time2(true, 23, 59, 59, 9900, 4), R"("-23:59:59.0099")");
  CAF_CHECK_EQUAL(time2(true, 0, 0, 0, 1, 6), R"("-00:00:00.000001")");
  CAF_CHECK_EQUAL(time2(true, 100, 0, 0, 123450, 5), R"("-100:00:00.12345")");
  // The old TIME: HHMMSS as a signed 3-byte number.
  auto old_time = [](int32_t hhmmss) {
    return text(col(ft::time), le(static_cast<uint32_t>(hhmmss), 3));
  };
  CAF_CHECK_EQUAL(old_time(0), R"("00:00:00")");
  CAF_CHECK_EQUAL(old_time(8385959), R"("838:59:59")");
  CAF_CHECK_EQUAL(old_time(-8385959), R"("-838:59:59")");
  CAF_CHECK_EQUAL(old_time(-1), R"("-00:00:01")");
}

CAF_TEST(DATETIME with every fractional precision) {
  // ISO-8601 without a zone, as TIMESTAMP's with one: one Flink
  // timestamp-format.standard reads both.
  CAF_CHECK_EQUAL(datetime2(0, 0, 0, 0, 0, 0, 0, 0), "null");
  CAF_CHECK_EQUAL(datetime2(2024, 0, 1, 1, 2, 3, 0, 0), "null");
  CAF_CHECK_EQUAL(datetime2(1000, 1, 1, 0, 0, 0, 0, 0),
                  R"("1000-01-01T00:00:00")");
  CAF_CHECK_EQUAL(datetime2(9999, 12, 31, 23, 59, 59, 999999, 6),
                  R"("9999-12-31T23:59:59.999999")");
  for (int dec = 1; dec <= 6; ++dec) {
    auto n = static_cast<size_t>(dec);
    std::string frac = std::string("123456").substr(0, n);
    int micros = std::stoi(frac + std::string(6 - n, '0'));
    CAF_CHECK_EQUAL(datetime2(2024, 2, 29, 12, 34, 56, micros, dec),
                    "\"2024-02-29T12:34:56." + frac + "\"");
    CAF_CHECK_EQUAL(datetime2(9999, 12, 31, 23, 59, 59, 0, dec),
                    "\"9999-12-31T23:59:59."
                      + std::string(static_cast<size_t>(dec), '0') + "\"");
    CAF_CHECK_EQUAL(datetime2(0, 0, 0, 0, 0, 0, 0, dec), "null");
  }
  // The old DATETIME: YYYYMMDDHHMMSS as an 8-byte number.
  CAF_CHECK_EQUAL(text(col(ft::datetime), le(99991231235959ull, 8)),
                  R"("9999-12-31T23:59:59")");
  CAF_CHECK_EQUAL(text(col(ft::datetime), le(0, 8)), "null");
}

CAF_TEST(TIMESTAMP in UTC with every fractional precision) {
  CAF_CHECK_EQUAL(timestamp2(0, 0, 0), "null"); // the zero TIMESTAMP
  CAF_CHECK_EQUAL(timestamp2(0, 0, 3), "null");
  CAF_CHECK_EQUAL(timestamp2(0, 1000, 3), R"("1970-01-01T00:00:00.001Z")");
  CAF_CHECK_EQUAL(timestamp2(1, 0, 0), R"("1970-01-01T00:00:01Z")");
  CAF_CHECK_EQUAL(timestamp2(2147483647, 999999, 6),
                  R"("2038-01-19T03:14:07.999999Z")");
  CAF_CHECK_EQUAL(timestamp2(951782400, 0, 0), R"("2000-02-29T00:00:00Z")");
  CAF_CHECK_EQUAL(timestamp2(4294967295u, 0, 0), R"("2106-02-07T06:28:15Z")");
  for (int dec = 1; dec <= 6; ++dec) {
    auto n = static_cast<size_t>(dec);
    std::string frac = std::string("987654").substr(0, n);
    int micros = std::stoi(frac + std::string(6 - n, '0'));
    CAF_CHECK_EQUAL(timestamp2(1709210096, micros, dec),
                    "\"2024-02-29T12:34:56." + frac + "Z\"");
  }
  CAF_CHECK_EQUAL(text(col(ft::timestamp), le(1709210096, 4)),
                  R"("2024-02-29T12:34:56Z")");
  CAF_CHECK_EQUAL(text(col(ft::timestamp), le(0, 4)), "null");
  // A precision above 6 is impossible metadata.
  size_t size = 0;
  bytes b(10, 0);
  CAF_CHECK(
    !binlog::value_size(col(ft::timestamp2, 7), b.data(), b.data() + 10, size));
}

CAF_TEST(ENUM and SET with and without member names) {
  auto e = col(ft::enum_, 1);
  CAF_CHECK_EQUAL(text(e, {2}), "2"); // no names: the index
  e.members = {"a", "b\"", "c,d"};
  CAF_CHECK_EQUAL(text(e, {1}), R"("a")");
  CAF_CHECK_EQUAL(text(e, {2}), R"("b\"")");
  CAF_CHECK_EQUAL(text(e, {3}), R"("c,d")");
  CAF_CHECK_EQUAL(text(e, {0}), R"("")"); // the "error" member
  CAF_CHECK_EQUAL(text(e, {4}), R"("")"); // past the list: never a crash
  auto e2 = col(ft::enum_, 2);
  for (int i = 0; i < 300; ++i)
    e2.members.push_back("m" + std::to_string(i + 1));
  CAF_CHECK_EQUAL(text(e2, le(300, 2)), R"("m300")");
  auto s = col(ft::set, 1);
  CAF_CHECK_EQUAL(text(s, {5}), "5"); // no names: the bitmask
  s.members = {"x", "y", "z"};
  CAF_CHECK_EQUAL(text(s, {0}), R"("")");
  CAF_CHECK_EQUAL(text(s, {5}), R"("x,z")");
  CAF_CHECK_EQUAL(text(s, {7}), R"("x,y,z")");
  CAF_CHECK_EQUAL(text(s, {0xff}), R"("x,y,z")"); // bits without a member
  auto s8 = col(ft::set, 8);
  for (int i = 0; i < 64; ++i)
    s8.members.push_back(std::to_string(i));
  CAF_CHECK_EQUAL(text(s8, le(0x8000000000000001ull, 8)), R"("0,63")");
  CAF_CHECK_EQUAL(text(col(ft::set, 8), le(~uint64_t{0}, 8)),
                  "18446744073709551615");
}

CAF_TEST(strings are escaped for JSON and converted to UTF-8) {
  auto utf8 = col(ft::varchar, 100, false, 45); // utf8mb4_general_ci
  auto varchar = [](const std::string& s) {
    bytes b;
    b.reserve(1 + s.size()); // GCC 12 warns of a false out-of-bounds without
    b.push_back(static_cast<uint8_t>(s.size()));
    put_str(b, s);
    return b;
  };
  CAF_CHECK_EQUAL(text(utf8, varchar("plain")), R"("plain")");
  CAF_CHECK_EQUAL(text(utf8, varchar("q\"b\\s/")), R"("q\"b\\s/")");
  CAF_CHECK_EQUAL(text(utf8, varchar("\n\r\t\b\f")), R"("\n\r\t\b\f")");
  CAF_CHECK_EQUAL(text(utf8, varchar(std::string("\x00\x01\x1f", 3))),
                  R"("\u0000\u0001\u001f")");
  CAF_CHECK_EQUAL(text(utf8, varchar("\x7f")), "\"\x7f\"");
  CAF_CHECK_EQUAL(text(utf8, varchar("é€😀")), "\"é€😀\"");
  // Invalid UTF-8 (a lone continuation byte, an overlong form, an encoded
  // surrogate, a cut sequence) becomes U+FFFD: the record stays valid JSON.
  const std::string fffd = "\xef\xbf\xbd";
  CAF_CHECK_EQUAL(text(utf8, varchar("a\x80z")), "\"a" + fffd + "z\"");
  CAF_CHECK_EQUAL(text(utf8, varchar("\xc0\x80")), "\"" + fffd + fffd + "\"");
  CAF_CHECK_EQUAL(text(utf8, varchar("\xed\xa0\x80")),
                  "\"" + fffd + fffd + fffd + "\"");
  CAF_CHECK_EQUAL(text(utf8, varchar("\xe2\x82")), "\"" + fffd + fffd + "\"");
  // latin1 is cp1252: 0x80 is the euro sign; 0x81 has no character.
  auto latin1 = col(ft::varchar, 100, false, 8);
  CAF_CHECK_EQUAL(text(latin1, varchar("\x80\xe9\"\x81")),
                  "\"€é\\\"\xc2\x81\"");
  // Other charsets through iconv, invalid bytes as U+FFFD.
  auto cp1251 = col(ft::varchar, 100, false, 51);
  CAF_CHECK_EQUAL(text(cp1251, varchar("\xcf\xf0\xe8")), R"("При")");
  auto ujis = col(ft::varchar, 100, false, 12);
  CAF_CHECK_EQUAL(text(ujis, varchar("\xc6\xfc\xcb\xdc")), R"("日本")");
  CAF_CHECK_EQUAL(text(ujis, varchar("a\xc6")), "\"a" + fffd + "\"");
  auto koi8r = col(ft::varchar, 100, false, 7);
  CAF_CHECK_EQUAL(text(koi8r, varchar("\xcd\xc9\xd2\"")), R"("мир\"")");
  auto utf8mb3 = col(ft::varchar, 100, false, 33);
  CAF_CHECK_EQUAL(text(utf8mb3, varchar("ßü")), R"("ßü")");
  // Binary strings are base64; BINARY(n) gets its trailing zeros back.
  auto binary = col(ft::varchar, 100, false, 63);
  CAF_CHECK_EQUAL(text(binary, varchar(std::string("\0\xff", 2))), R"("AP8=")");
  auto binary4 = col(ft::string, 4, false, 63);
  CAF_CHECK_EQUAL(text(binary4, {1, 0x61}), R"("YQAAAA==")");
  CAF_CHECK_EQUAL(text(binary4, {0}), R"("AAAAAA==")");
  // CHAR keeps what the binlog holds (trailing spaces are not logged).
  auto char10 = col(ft::string, 10, false, 45);
  CAF_CHECK_EQUAL(text(char10, {2, 'a', 'b'}), R"("ab")");
  // TEXT without charset metadata cannot be told from BLOB: base64.
  auto blob = col(ft::blob, 2);
  CAF_CHECK_EQUAL(text(blob, {3, 0, 'a', 'b', 'c'}), R"("YWJj")");
  auto text_col = col(ft::blob, 2, false, 45);
  CAF_CHECK_EQUAL(text(text_col, {3, 0, 'a', '\n', 'c'}), R"("a\nc")");
}

CAF_TEST(NULL type and impossible metadata) {
  CAF_CHECK_EQUAL(text(col(ft::null), {}), "null");
  size_t size = 0;
  bytes b(8, 0xff);
  // A length prefix past the end, unknown types, bad pack lengths.
  CAF_CHECK(!binlog::value_size(col(ft::varchar, 100), b.data(),
                                b.data() + b.size(), size));
  CAF_CHECK(
    !binlog::value_size(col(ft::blob, 5), b.data(), b.data() + 8, size));
  CAF_CHECK(
    !binlog::value_size(col(ft::enum_, 3), b.data(), b.data() + 8, size));
  CAF_CHECK(!binlog::value_size(col(ft::set, 9), b.data(), b.data() + 8, size));
  CAF_CHECK(!binlog::value_size(col(200), b.data(), b.data() + 8, size));
  CAF_CHECK(
    !binlog::value_size(col(ft::longlong), b.data(), b.data() + 7, size));
}

// -- Debezium's values ----------------------------------------------------------
//
// Where a value was also in tests/interop's workload, the expected text is
// what Debezium's MariaDB connector (3.5.0.Final, JsonConverter) wrote for
// it there; the others follow the same rules (BinlogValueConverters,
// JdbcValueConverters, Kafka Connect's JsonConverter).

namespace {

binlog::value_options
debezium(binlog::decimal_handling decimal = binlog::decimal_handling::precise,
         binlog::time_precision time =
           binlog::time_precision::adaptive_time_microseconds,
         binlog::bigint_unsigned_handling bigint =
           binlog::bigint_unsigned_handling::long_,
         binlog::binary_handling binary = binlog::binary_handling::bytes) {
  binlog::value_options o;
  o.decimal = decimal;
  o.time = time;
  o.bigint_unsigned = bigint;
  o.binary = binary;
  return o;
}

binlog::value_options connect() {
  return debezium(binlog::decimal_handling::precise,
                  binlog::time_precision::connect);
}

binlog::column not_null(binlog::column c) {
  c.nullable = false;
  return c;
}

std::string
dbz_decimal(const std::string& value, int precision, int scale,
            binlog::decimal_handling mode = binlog::decimal_handling::precise) {
  return text(col(ft::newdecimal,
                  static_cast<uint16_t>(precision << 8 | scale)),
              decimal_bytes(value, precision, scale), debezium(mode));
}

std::string dbz_date(int y, int m, int d, bool nullable = true,
                     const binlog::value_options& o = debezium()) {
  auto c = col(ft::date);
  c.nullable = nullable;
  return text(c, le(static_cast<uint64_t>(y << 9 | m << 5 | d), 3), o);
}

std::string dbz_datetime(int y, int mo, int d, int h, int mi, int s, int micros,
                         int dec, const binlog::value_options& o = debezium(),
                         bool nullable = true) {
  auto c = col(ft::datetime2, static_cast<uint16_t>(dec));
  c.nullable = nullable;
  return text(c, datetime2_bytes(y, mo, d, h, mi, s, micros, dec), o);
}

std::string dbz_time(bool negative, int h, int m, int s, int micros, int dec,
                     const binlog::value_options& o = debezium()) {
  return text(col(ft::time2, static_cast<uint16_t>(dec)),
              time2_bytes(packed_time(negative, h, m, s, micros), dec), o);
}

std::string dbz_timestamp(uint32_t secs, int micros, int dec,
                          bool nullable = true) {
  bytes b = be(secs, 4);
  if (dec == 1 || dec == 2)
    b.push_back(static_cast<uint8_t>(micros / 10000));
  else if (dec == 3 || dec == 4)
    put_be(b, static_cast<uint64_t>(micros / 100), 2);
  else if (dec >= 5)
    put_be(b, static_cast<uint64_t>(micros), 3);
  auto c = col(ft::timestamp2, static_cast<uint16_t>(dec));
  c.nullable = nullable;
  return text(c, b, debezium());
}

// The header form of a key column (SimpleHeaderConverter).
std::string header(const binlog::column& c, const bytes& b,
                   const binlog::value_options& o) {
  std::string out;
  binlog::json_writer w{out};
  binlog::write_header_value(w, c, b.data(), b.size(), o);
  return out;
}

std::string schema(const binlog::column& c, const binlog::value_options& o) {
  std::string out;
  binlog::append_value_schema(out, c, o);
  return out + "}";
}

} // namespace

CAF_TEST(Debezium DECIMAL as precise and string and double) {
  using dm = binlog::decimal_handling;
  // precise: Kafka Connect's Decimal, the unscaled value's two's complement
  CAF_CHECK_EQUAL(dbz_decimal("-999.99", 5, 2), R"("/nlh")");
  CAF_CHECK_EQUAL(dbz_decimal("999.99", 5, 2), R"("AYaf")");
  CAF_CHECK_EQUAL(dbz_decimal("1.5", 5, 2), R"("AJY=")");
  CAF_CHECK_EQUAL(dbz_decimal("-0.01", 5, 2), R"("/w==")");
  CAF_CHECK_EQUAL(dbz_decimal("0", 5, 2), R"("AA==")");
  CAF_CHECK_EQUAL(dbz_decimal("99999999999999999999", 20, 0),
                  R"("BWvHXi1jD///")");
  CAF_CHECK_EQUAL(dbz_decimal("-99999999999999999999", 20, 0),
                  R"("+pQ4odKc8AAB")");
  CAF_CHECK_EQUAL(dbz_decimal("1000000000", 20, 0), R"("O5rKAA==")");
  CAF_CHECK_EQUAL(dbz_decimal("7", 20, 0), R"("Bw==")");
  CAF_CHECK_EQUAL(dbz_decimal("0.9999", 4, 4), R"("Jw8=")");
  CAF_CHECK_EQUAL(dbz_decimal("-0.9999", 4, 4), R"("2PE=")");
  CAF_CHECK_EQUAL(dbz_decimal("0.0001", 4, 4), R"("AQ==")");
  CAF_CHECK_EQUAL(
    dbz_decimal(
      "99999999999999999999999999999999999.999999999999999999999999999999", 65,
      30),
    R"("APMWJxx/w5CKi+9GTjlF73olNgn//////////w==")");
  CAF_CHECK_EQUAL(
    dbz_decimal(
      "-99999999999999999999999999999999999.999999999999999999999999999999", 65,
      30),
    R"("/wzp2OOAPG91dBC5sca6EIXayfYAAAAAAAAAAQ==")");
  CAF_CHECK_EQUAL(dbz_decimal("-1.000000000000000000000000000001", 65, 30),
                  R"("82DTYy+5ixIVv////w==")");
  CAF_CHECK_EQUAL(dbz_decimal("0.000000000000000000000000000001", 65, 30),
                  R"("AQ==")");
  // string: BigDecimal.toPlainString(), with the column's scale
  CAF_CHECK_EQUAL(dbz_decimal("-999.99", 5, 2, dm::string), R"("-999.99")");
  CAF_CHECK_EQUAL(dbz_decimal("0", 65, 30, dm::string),
                  R"("0.000000000000000000000000000000")");
  CAF_CHECK_EQUAL(dbz_decimal("-0.01", 5, 2, dm::string), R"("-0.01")");
  // double: the nearest double
  CAF_CHECK_EQUAL(dbz_decimal("-999.99", 5, 2, dm::double_), "-999.99");
  CAF_CHECK_EQUAL(dbz_decimal("0.1", 4, 4, dm::double_), "0.1");
  CAF_CHECK_EQUAL(dbz_decimal("99999999999999999999", 20, 0, dm::double_),
                  "1e+20");
  CAF_CHECK_EQUAL(dbz_decimal("0", 5, 2, dm::double_), "0");
}

CAF_TEST(Debezium integers and BIGINT UNSIGNED as long and precise) {
  using bm = binlog::bigint_unsigned_handling;
  auto bu = col(ft::longlong, 0, true);
  auto max = le(~uint64_t{0}, 8);
  auto top = le(uint64_t{1} << 63, 8);
  CAF_CHECK_EQUAL(text(bu, max, debezium()), "-1"); // long wraps
  CAF_CHECK_EQUAL(text(bu, top, debezium()), "-9223372036854775808");
  CAF_CHECK_EQUAL(text(bu, le(7, 8), debezium()), "7");
  auto precise = debezium(binlog::decimal_handling::precise,
                          binlog::time_precision::adaptive_time_microseconds,
                          bm::precise);
  CAF_CHECK_EQUAL(text(bu, max, precise), R"("AP//////////")");
  CAF_CHECK_EQUAL(text(bu, top, precise), R"("AIAAAAAAAAAA")");
  CAF_CHECK_EQUAL(text(bu, le(0, 8), precise), R"("AA==")");
  CAF_CHECK_EQUAL(text(bu, le(1, 8), precise), R"("AQ==")");
  // the other unsigned types are exact in every mode
  CAF_CHECK_EQUAL(text(col(ft::long_, 0, true), le(4294967295u, 4), debezium()),
                  "4294967295");
  CAF_CHECK_EQUAL(text(col(ft::tiny, 0, true), {255}, debezium()), "255");
  CAF_CHECK_EQUAL(text(col(ft::longlong), max, precise), "-1"); // signed
}

CAF_TEST(Debezium BIT and YEAR and binary values) {
  CAF_CHECK_EQUAL(text(col(ft::bit, 1), {1}, debezium()), "true");
  CAF_CHECK_EQUAL(text(col(ft::bit, 1), {0}, debezium()), "false");
  // io.debezium.data.Bits: the bytes least significant first
  CAF_CHECK_EQUAL(text(col(ft::bit, 5), {0x15}, debezium()), R"("FQ==")");
  CAF_CHECK_EQUAL(text(col(ft::bit, 10), be(0x3ff, 2), debezium()),
                  R"("/wM=")");
  CAF_CHECK_EQUAL(text(col(ft::bit, 10), be(0x201, 2), debezium()),
                  R"("AQI=")");
  CAF_CHECK_EQUAL(text(col(ft::bit, 64), be(uint64_t{1} << 63, 8), debezium()),
                  R"("AAAAAAAAAIA=")");
  CAF_CHECK_EQUAL(text(col(ft::bit, 64), be(1, 8), debezium()),
                  R"("AQAAAAAAAAA=")");
  // YEAR: 1900 + the stored byte, so 0000 is 1900
  CAF_CHECK_EQUAL(text(col(ft::year), {0}, debezium()), "1900");
  CAF_CHECK_EQUAL(text(col(ft::year), {1}, debezium()), "1901");
  CAF_CHECK_EQUAL(text(col(ft::year), {255}, debezium()), "2155");
  using bh = binlog::binary_handling;
  auto binary = [](bh mode) {
    return debezium(binlog::decimal_handling::precise,
                    binlog::time_precision::adaptive_time_microseconds,
                    binlog::bigint_unsigned_handling::long_, mode);
  };
  auto vb = col(ft::varchar, 20, false, 63);
  bytes beef = {4, 0xde, 0xad, 0xbe, 0xef};
  CAF_CHECK_EQUAL(text(vb, beef, binary(bh::bytes)), R"("3q2+7w==")");
  CAF_CHECK_EQUAL(text(vb, beef, binary(bh::base64)), R"("3q2+7w==")");
  CAF_CHECK_EQUAL(text(vb, beef, binary(bh::base64_url_safe)), R"("3q2-7w==")");
  CAF_CHECK_EQUAL(text(vb, beef, binary(bh::hex)), R"("deadbeef")");
  // BINARY(4) gets its zero bytes back in every form
  auto bn = col(ft::string, 4, false, 63);
  CAF_CHECK_EQUAL(text(bn, {1, 0}, binary(bh::bytes)), R"("AAAAAA==")");
  CAF_CHECK_EQUAL(text(bn, {1, 0}, binary(bh::hex)), R"("00000000")");
  auto blob = col(ft::blob, 2, false, 63);
  CAF_CHECK_EQUAL(text(blob, {1, 0, 0xff}, binary(bh::base64_url_safe)),
                  R"("_w==")");
}

CAF_TEST(Debezium DATE as epoch days and zero dates as null or the epoch) {
  CAF_CHECK_EQUAL(dbz_date(1970, 1, 1), "0");
  CAF_CHECK_EQUAL(dbz_date(1000, 1, 1), "-354285");
  CAF_CHECK_EQUAL(dbz_date(9999, 12, 31), "2932896");
  CAF_CHECK_EQUAL(dbz_date(1969, 12, 31), "-1");
  CAF_CHECK_EQUAL(dbz_date(2024, 2, 29), "19782");
  // zero dates: null in a nullable column, the epoch in a NOT NULL one
  CAF_CHECK_EQUAL(dbz_date(0, 0, 0), "null");
  CAF_CHECK_EQUAL(dbz_date(2024, 0, 15), "null");
  CAF_CHECK_EQUAL(dbz_date(2024, 5, 0), "null");
  CAF_CHECK_EQUAL(dbz_date(0, 1, 1), "null"); // year 0 too
  CAF_CHECK_EQUAL(dbz_date(0, 0, 0, false), "0");
  CAF_CHECK_EQUAL(dbz_date(2024, 5, 0, false), "0");
  // two-digit years as MySQL reads them (enable.time.adjuster)
  CAF_CHECK_EQUAL(dbz_date(50, 6, 15), "29385");   // 2050-06-15
  CAF_CHECK_EQUAL(dbz_date(70, 1, 1), "0");        // 1970-01-01
  CAF_CHECK_EQUAL(dbz_date(100, 1, 1), "-683003"); // 0100 stays
  // connect: Kafka Connect's Date is epoch days too
  CAF_CHECK_EQUAL(dbz_date(1969, 12, 31, true, connect()), "-1");
}

CAF_TEST(Debezium DATETIME as epoch milli- or microseconds) {
  // precision 0-3: io.debezium.time.Timestamp (ms), 4-6: MicroTimestamp (µs)
  CAF_CHECK_EQUAL(dbz_datetime(1000, 1, 1, 0, 0, 0, 0, 0), "-30610224000000");
  CAF_CHECK_EQUAL(dbz_datetime(9999, 12, 31, 23, 59, 59, 0, 0),
                  "253402300799000");
  CAF_CHECK_EQUAL(dbz_datetime(9999, 12, 31, 23, 59, 59, 999000, 3),
                  "253402300799999");
  CAF_CHECK_EQUAL(dbz_datetime(9999, 12, 31, 23, 59, 59, 990000, 2),
                  "253402300799990");
  CAF_CHECK_EQUAL(dbz_datetime(9999, 12, 31, 23, 59, 59, 999999, 6),
                  "253402300799999999");
  CAF_CHECK_EQUAL(dbz_datetime(2024, 2, 29, 12, 34, 56, 123400, 4),
                  "1709210096123400");
  CAF_CHECK_EQUAL(dbz_datetime(1969, 12, 31, 23, 59, 59, 999999, 6), "-1");
  CAF_CHECK_EQUAL(dbz_datetime(1969, 12, 31, 23, 59, 59, 999000, 3), "-1");
  CAF_CHECK_EQUAL(dbz_datetime(1969, 12, 31, 23, 59, 59, 0, 0), "-1000");
  // two-digit years, zero dates
  CAF_CHECK_EQUAL(dbz_datetime(50, 6, 15, 1, 2, 3, 456000, 3), "2538867723456");
  CAF_CHECK_EQUAL(dbz_datetime(69, 12, 31, 23, 59, 59, 1, 6),
                  "3155759999000001");
  CAF_CHECK_EQUAL(dbz_datetime(0, 0, 0, 0, 0, 0, 0, 0), "null");
  CAF_CHECK_EQUAL(dbz_datetime(2024, 0, 1, 12, 0, 0, 0, 0), "null");
  CAF_CHECK_EQUAL(dbz_datetime(0, 1, 1, 0, 0, 0, 1, 6), "null");
  CAF_CHECK_EQUAL(dbz_datetime(0, 0, 0, 0, 0, 0, 0, 6, debezium(), false), "0");
  // connect: Kafka Connect's Timestamp, milliseconds (rounded down)
  CAF_CHECK_EQUAL(dbz_datetime(2024, 2, 29, 12, 34, 56, 123456, 6, connect()),
                  "1709210096123");
  CAF_CHECK_EQUAL(dbz_datetime(1969, 12, 31, 23, 59, 59, 999999, 6, connect()),
                  "-1");
  // the old DATETIME
  CAF_CHECK_EQUAL(text(col(ft::datetime), le(99991231235959ull, 8), debezium()),
                  "253402300799000");
}

CAF_TEST(Debezium TIMESTAMP as ISO-8601 in UTC) {
  CAF_CHECK_EQUAL(dbz_timestamp(1, 0, 0), R"("1970-01-01T00:00:01Z")");
  CAF_CHECK_EQUAL(dbz_timestamp(1, 1000, 3), R"("1970-01-01T00:00:01.001Z")");
  CAF_CHECK_EQUAL(dbz_timestamp(1, 1, 6), R"("1970-01-01T00:00:01.000001Z")");
  CAF_CHECK_EQUAL(dbz_timestamp(951825600, 500000, 3),
                  R"("2000-02-29T12:00:00.500Z")");
  CAF_CHECK_EQUAL(dbz_timestamp(2147483647, 999999, 6),
                  R"("2038-01-19T03:14:07.999999Z")");
  CAF_CHECK_EQUAL(dbz_timestamp(2147483647, 0, 2),
                  R"("2038-01-19T03:14:07.00Z")");
  // the zero TIMESTAMP: null (Debezium 3.6), the epoch when NOT NULL
  CAF_CHECK_EQUAL(dbz_timestamp(0, 0, 0), "null");
  CAF_CHECK_EQUAL(dbz_timestamp(0, 0, 3), "null");
  CAF_CHECK_EQUAL(dbz_timestamp(0, 0, 0, false), R"("1970-01-01T00:00:00Z")");
  CAF_CHECK_EQUAL(text(col(ft::timestamp), le(1709210096, 4), debezium()),
                  R"("2024-02-29T12:34:56Z")");
}

CAF_TEST(Debezium TIME as microseconds or Kafka Connects Time) {
  CAF_CHECK_EQUAL(dbz_time(true, 838, 59, 59, 0, 0), "-3020399000000");
  CAF_CHECK_EQUAL(dbz_time(false, 838, 59, 59, 999999, 6), "3020399999999");
  CAF_CHECK_EQUAL(dbz_time(true, 838, 59, 59, 999000, 3), "-3020399999000");
  CAF_CHECK_EQUAL(dbz_time(true, 0, 0, 0, 500000, 1), "-500000");
  CAF_CHECK_EQUAL(dbz_time(true, 1, 2, 3, 4000, 3), "-3723004000");
  CAF_CHECK_EQUAL(dbz_time(true, 12, 0, 0, 1, 6), "-43200000001");
  CAF_CHECK_EQUAL(dbz_time(false, 24, 0, 0, 100000, 1), "86400100000");
  CAF_CHECK_EQUAL(dbz_time(false, 0, 0, 0, 0, 0), "0");
  CAF_CHECK_EQUAL(text(col(ft::time), le(static_cast<uint32_t>(-8385959), 3),
                       debezium()),
                  "-3020399000000");
  // connect: milliseconds of the day; others are null, as in Debezium
  CAF_CHECK_EQUAL(dbz_time(false, 23, 59, 59, 999999, 6, connect()),
                  "86399999");
  CAF_CHECK_EQUAL(dbz_time(false, 24, 0, 0, 0, 0, connect()), "86400000");
  CAF_CHECK_EQUAL(dbz_time(false, 24, 0, 0, 100000, 1, connect()), "null");
  CAF_CHECK_EQUAL(dbz_time(true, 0, 0, 1, 0, 0, connect()), "null");
  CAF_CHECK_EQUAL(dbz_time(false, 0, 0, 0, 0, 0, connect()), "0");
}

CAF_TEST(Debezium GEOMETRY and POINT as structs) {
  // MySQL's bytes: a little-endian SRID, then WKB
  bytes point = {25, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0};
  double xy[2] = {1.5, -2.25};
  for (double v : xy) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    put_le(point, bits, 8);
  }
  auto pt = col(ft::geometry, 4);
  pt.geometry_type = 1;
  CAF_CHECK_EQUAL(
    text(pt, point, debezium()),
    R"({"x":1.5,"y":-2.25,"wkb":"AQEAAAAAAAAAAAD4PwAAAAAAAALA","srid":null})");
  auto geo = col(ft::geometry, 4);
  bytes with_srid = point;
  with_srid[4] = 0xe6; // 4326
  with_srid[5] = 0x10;
  CAF_CHECK_EQUAL(text(geo, with_srid, debezium()),
                  R"({"wkb":"AQEAAAAAAAAAAAD4PwAAAAAAAALA","srid":4326})");
  // readable: the stored bytes
  CAF_CHECK_EQUAL(text(geo, bytes{1, 0, 0, 0, 1}), R"("AQ==")");
}

CAF_TEST(Debezium key values in header form) {
  // __debezium.oldkey/newkey hold the key as Kafka Connect's
  // SimpleHeaderConverter writes a struct (checked in tests/interop).
  auto dec = col(ft::newdecimal, 7 << 8 | 7);
  CAF_CHECK_EQUAL(header(dec, decimal_bytes("0.0000001", 7, 7), debezium()),
                  "1E-7");
  auto dec2 = col(ft::newdecimal, 5 << 8 | 2);
  CAF_CHECK_EQUAL(header(dec2, decimal_bytes("-12.3", 5, 2), debezium()),
                  "-12.30");
  CAF_CHECK_EQUAL(header(dec2, decimal_bytes("0", 5, 2), debezium()), "0.00");
  auto dec30 = col(ft::newdecimal, 65 << 8 | 30);
  CAF_CHECK_EQUAL(header(dec30, decimal_bytes("0", 65, 30), debezium()),
                  "0E-30");
  auto date = col(ft::date);
  auto d = [](int y, int m, int dd) {
    return le(static_cast<uint64_t>(y << 9 | m << 5 | dd), 3);
  };
  CAF_CHECK_EQUAL(header(date, d(2024, 1, 1), debezium()), "19723");
  CAF_CHECK_EQUAL(header(date, d(2024, 1, 1), connect()), "2024-01-01");
  // Values.convertToString picks the format by the value: before a day
  // after the epoch, a time of day
  CAF_CHECK_EQUAL(header(date, d(1969, 7, 20), connect()), "00:00:00.000Z");
  auto t3 = col(ft::time2, 3);
  CAF_CHECK_EQUAL(header(t3, time2_bytes(packed_time(false, 1, 2, 3, 4000), 3),
                         connect()),
                  "01:02:03.004Z");
  auto dt3 = col(ft::datetime2, 3);
  CAF_CHECK_EQUAL(
    header(dt3, datetime2_bytes(2020, 2, 29, 10, 11, 12, 131000, 3), connect()),
    "2020-02-29T10:11:12.131Z");
  CAF_CHECK_EQUAL(header(dt3, datetime2_bytes(2020, 2, 29, 0, 0, 0, 0, 3),
                         connect()),
                  "2020-02-29");
  // strings: only quotes and backslashes escaped
  auto vc = col(ft::varchar, 100, false, 45);
  bytes s = {6, 'a', '"', '\\', '\n', 0xc3, 0xa9};
  CAF_CHECK_EQUAL(header(vc, s, debezium()), "\"a\\\"\\\\\n\xc3\xa9\"");
  CAF_CHECK_EQUAL(header(col(ft::long_), le(42, 4), debezium()), "42");
}

CAF_TEST(Debezium Kafka Connect schemas of the columns) {
  using dm = binlog::decimal_handling;
  CAF_CHECK_EQUAL(schema(not_null(col(ft::long_)), debezium()),
                  R"({"type":"int32","optional":false})");
  CAF_CHECK_EQUAL(schema(col(ft::long_, 0, true), debezium()),
                  R"({"type":"int64","optional":true})");
  CAF_CHECK_EQUAL(schema(col(ft::tiny, 0, true), debezium()),
                  R"({"type":"int16","optional":true})");
  CAF_CHECK_EQUAL(schema(col(ft::short_, 0, true), debezium()),
                  R"({"type":"int32","optional":true})");
  CAF_CHECK_EQUAL(
    schema(col(ft::newdecimal, 20 << 8 | 0), debezium()),
    R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"0","connect.decimal.precision":"20"}})");
  CAF_CHECK_EQUAL(schema(col(ft::newdecimal, 5 << 8 | 2), debezium(dm::string)),
                  R"({"type":"string","optional":true})");
  CAF_CHECK_EQUAL(schema(col(ft::newdecimal, 5 << 8 | 2),
                         debezium(dm::double_)),
                  R"({"type":"double","optional":true})");
  CAF_CHECK_EQUAL(schema(col(ft::bit, 1), debezium()),
                  R"({"type":"boolean","optional":true})");
  CAF_CHECK_EQUAL(
    schema(col(ft::bit, 10), debezium()),
    R"({"type":"bytes","optional":true,"name":"io.debezium.data.Bits","version":1,"parameters":{"length":"10"}})");
  CAF_CHECK_EQUAL(
    schema(col(ft::date), debezium()),
    R"({"type":"int32","optional":true,"name":"io.debezium.time.Date","version":1})");
  CAF_CHECK_EQUAL(
    schema(col(ft::date), connect()),
    R"({"type":"int32","optional":true,"name":"org.apache.kafka.connect.data.Date","version":1})");
  CAF_CHECK_EQUAL(
    schema(col(ft::datetime2, 3), debezium()),
    R"({"type":"int64","optional":true,"name":"io.debezium.time.Timestamp","version":1})");
  CAF_CHECK_EQUAL(
    schema(col(ft::datetime2, 4), debezium()),
    R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1})");
  CAF_CHECK_EQUAL(
    schema(col(ft::datetime2, 6), connect()),
    R"({"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1})");
  CAF_CHECK_EQUAL(
    schema(col(ft::timestamp2, 6), connect()),
    R"({"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","version":1})");
  CAF_CHECK_EQUAL(
    schema(col(ft::time2, 6), debezium()),
    R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTime","version":1})");
  CAF_CHECK_EQUAL(
    schema(col(ft::time2, 6), connect()),
    R"({"type":"int32","optional":true,"name":"org.apache.kafka.connect.data.Time","version":1})");
  auto e = col(ft::enum_, 1);
  e.members = {"a", "b", "c"};
  CAF_CHECK_EQUAL(
    schema(e, debezium()),
    R"({"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"a,b,c"}})");
  CAF_CHECK_EQUAL(schema(col(ft::varchar, 20, false, 63), debezium()),
                  R"({"type":"bytes","optional":true})");
  CAF_CHECK_EQUAL(
    schema(col(ft::varchar, 20, false, 63),
           debezium(dm::precise,
                    binlog::time_precision::adaptive_time_microseconds,
                    binlog::bigint_unsigned_handling::long_,
                    binlog::binary_handling::hex)),
    R"({"type":"string","optional":true})");
  CAF_CHECK_EQUAL(schema(col(ft::varchar, 20, false, 45), debezium()),
                  R"({"type":"string","optional":true})");
  CAF_CHECK_EQUAL(
    schema(col(ft::json, 4), debezium()),
    R"({"type":"string","optional":true,"name":"io.debezium.data.Json","version":1})");
}

CAF_TEST(the option names are Debeziums) {
  binlog::decimal_handling d;
  CAF_CHECK(binlog::parse("precise", d)
            && d == binlog::decimal_handling::precise);
  CAF_CHECK(binlog::parse("string", d)
            && d == binlog::decimal_handling::string);
  CAF_CHECK(binlog::parse("double", d)
            && d == binlog::decimal_handling::double_);
  CAF_CHECK(!binlog::parse("PRECISE", d));
  binlog::time_precision t;
  CAF_CHECK(binlog::parse("adaptive_time_microseconds", t)
            && t == binlog::time_precision::adaptive_time_microseconds);
  CAF_CHECK(binlog::parse("connect", t)
            && t == binlog::time_precision::connect);
  CAF_CHECK(!binlog::parse("adaptive", t)); // Debezium's MySQL refuses it too
  binlog::bigint_unsigned_handling b;
  CAF_CHECK(binlog::parse("long", b)
            && b == binlog::bigint_unsigned_handling::long_);
  CAF_CHECK(binlog::parse("precise", b)
            && b == binlog::bigint_unsigned_handling::precise);
  binlog::binary_handling h;
  CAF_CHECK(binlog::parse("bytes", h) && h == binlog::binary_handling::bytes);
  CAF_CHECK(binlog::parse("base64", h) && h == binlog::binary_handling::base64);
  CAF_CHECK(binlog::parse("base64-url-safe", h)
            && h == binlog::binary_handling::base64_url_safe);
  CAF_CHECK(binlog::parse("hex", h) && h == binlog::binary_handling::hex);
  CAF_CHECK(!binlog::parse("base64_url_safe", h));
  binlog::value_mode m;
  CAF_CHECK(binlog::parse("debezium", m) && m == binlog::value_mode::debezium);
  CAF_CHECK(binlog::parse("readable", m) && m == binlog::value_mode::readable);
  CAF_CHECK(!binlog::parse("json", m));
}
