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

binlog::column col(uint8_t type, uint16_t meta = 0, bool is_unsigned = false,
                   uint32_t collation = 0) {
  binlog::column c;
  c.type = type;
  c.meta = meta;
  c.is_unsigned = is_unsigned;
  c.collation = collation;
  return c;
}

// The JSON text of a value, or a note when its size is not the bytes'.
std::string text(const binlog::column& c, const bytes& b) {
  size_t size = 0;
  if (!binlog::value_size(c, b.data(), b.data() + b.size(), size))
    return "<value_size failed>";
  if (size != b.size())
    return "<size " + std::to_string(size) + " for " + std::to_string(b.size())
           + " bytes>";
  std::string out;
  binlog::json_writer w{out};
  binlog::write_value(w, c, b.data(), size);
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
  return text(col(ft::newdecimal,
                  static_cast<uint16_t>(precision << 8 | scale)),
              b);
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
    CAF_CHECK_EQUAL(text(col(ft::bit, n), be(max, bytes_n)),
                    std::to_string(max));
    CAF_CHECK_EQUAL(text(col(ft::bit, n), be(0, bytes_n)), "0");
    uint64_t top = uint64_t{1} << (n - 1);
    CAF_CHECK_EQUAL(text(col(ft::bit, n), be(top, bytes_n)),
                    std::to_string(top));
  }
  size_t size = 0;
  bytes b(9, 0);
  CAF_CHECK(!binlog::value_size(col(ft::bit, 65), b.data(), b.data() + 9,
                                size));
}

CAF_TEST(YEAR and DATE) {
  CAF_CHECK_EQUAL(text(col(ft::year), {0}), "0");
  CAF_CHECK_EQUAL(text(col(ft::year), {1}), "1901");
  CAF_CHECK_EQUAL(text(col(ft::year), {255}), "2155");
  CAF_CHECK_EQUAL(text(col(ft::year), {124}), "2024");
  auto date = [](int y, int m, int d) {
    return text(col(ft::date), le(static_cast<uint64_t>(y << 9 | m << 5 | d),
                                  3));
  };
  CAF_CHECK_EQUAL(date(0, 0, 0), R"("0000-00-00")");
  CAF_CHECK_EQUAL(date(1000, 1, 1), R"("1000-01-01")");
  CAF_CHECK_EQUAL(date(9999, 12, 31), R"("9999-12-31")");
  CAF_CHECK_EQUAL(date(2024, 2, 29), R"("2024-02-29")");
  CAF_CHECK_EQUAL(date(2024, 0, 0), R"("2024-00-00")"); // as stored
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
  const char* negative_tenth[] = {
    nullptr, R"("-00:00:00.1")", R"("-00:00:00.10")", R"("-00:00:00.100")",
    R"("-00:00:00.1000")", R"("-00:00:00.10000")", R"("-00:00:00.100000")"};
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
  CAF_CHECK_EQUAL(datetime2(0, 0, 0, 0, 0, 0, 0, 0),
                  R"("0000-00-00 00:00:00")");
  CAF_CHECK_EQUAL(datetime2(1000, 1, 1, 0, 0, 0, 0, 0),
                  R"("1000-01-01 00:00:00")");
  CAF_CHECK_EQUAL(datetime2(9999, 12, 31, 23, 59, 59, 999999, 6),
                  R"("9999-12-31 23:59:59.999999")");
  for (int dec = 1; dec <= 6; ++dec) {
    auto n = static_cast<size_t>(dec);
    std::string frac = std::string("123456").substr(0, n);
    int micros = std::stoi(frac + std::string(6 - n, '0'));
    CAF_CHECK_EQUAL(datetime2(2024, 2, 29, 12, 34, 56, micros, dec),
                    "\"2024-02-29 12:34:56." + frac + "\"");
    CAF_CHECK_EQUAL(datetime2(9999, 12, 31, 23, 59, 59, 0, dec),
                    "\"9999-12-31 23:59:59."
                      + std::string(static_cast<size_t>(dec), '0') + "\"");
    CAF_CHECK_EQUAL(datetime2(0, 0, 0, 0, 0, 0, 0, dec),
                    "\"0000-00-00 00:00:00."
                      + std::string(static_cast<size_t>(dec), '0') + "\"");
  }
  // The old DATETIME: YYYYMMDDHHMMSS as an 8-byte number.
  CAF_CHECK_EQUAL(text(col(ft::datetime), le(99991231235959ull, 8)),
                  R"("9999-12-31 23:59:59")");
  CAF_CHECK_EQUAL(text(col(ft::datetime), le(0, 8)),
                  R"("0000-00-00 00:00:00")");
}

CAF_TEST(TIMESTAMP in UTC with every fractional precision) {
  CAF_CHECK_EQUAL(timestamp2(0, 0, 0), R"("0000-00-00T00:00:00Z")");
  CAF_CHECK_EQUAL(timestamp2(0, 0, 3), R"("0000-00-00T00:00:00.000Z")");
  CAF_CHECK_EQUAL(timestamp2(1, 0, 0), R"("1970-01-01T00:00:01Z")");
  CAF_CHECK_EQUAL(timestamp2(2147483647, 999999, 6),
                  R"("2038-01-19T03:14:07.999999Z")");
  CAF_CHECK_EQUAL(timestamp2(951782400, 0, 0), R"("2000-02-29T00:00:00Z")");
  CAF_CHECK_EQUAL(timestamp2(4294967295u, 0, 0),
                  R"("2106-02-07T06:28:15Z")");
  for (int dec = 1; dec <= 6; ++dec) {
    auto n = static_cast<size_t>(dec);
    std::string frac = std::string("987654").substr(0, n);
    int micros = std::stoi(frac + std::string(6 - n, '0'));
    CAF_CHECK_EQUAL(timestamp2(1709210096, micros, dec),
                    "\"2024-02-29T12:34:56." + frac + "Z\"");
  }
  CAF_CHECK_EQUAL(text(col(ft::timestamp), le(1709210096, 4)),
                  R"("2024-02-29T12:34:56Z")");
  CAF_CHECK_EQUAL(text(col(ft::timestamp), le(0, 4)),
                  R"("0000-00-00T00:00:00Z")");
  // A precision above 6 is impossible metadata.
  size_t size = 0;
  bytes b(10, 0);
  CAF_CHECK(!binlog::value_size(col(ft::timestamp2, 7), b.data(), b.data() + 10,
                                size));
}

CAF_TEST(ENUM and SET with and without member names) {
  auto e = col(ft::enum_, 1);
  CAF_CHECK_EQUAL(text(e, {2}), "2"); // no names: the index
  e.members = {"a", "b\"", "c,d"};
  CAF_CHECK_EQUAL(text(e, {1}), R"("a")");
  CAF_CHECK_EQUAL(text(e, {2}), R"("b\"")");
  CAF_CHECK_EQUAL(text(e, {3}), R"("c,d")");
  CAF_CHECK_EQUAL(text(e, {0}), R"("")");  // the "error" member
  CAF_CHECK_EQUAL(text(e, {4}), R"("")");  // past the list: never a crash
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
  CAF_CHECK_EQUAL(text(binary, varchar(std::string("\0\xff", 2))),
                  R"("AP8=")");
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
  CAF_CHECK(!binlog::value_size(col(ft::blob, 5), b.data(), b.data() + 8,
                                size));
  CAF_CHECK(!binlog::value_size(col(ft::enum_, 3), b.data(), b.data() + 8,
                                size));
  CAF_CHECK(!binlog::value_size(col(ft::set, 9), b.data(), b.data() + 8,
                                size));
  CAF_CHECK(!binlog::value_size(col(200), b.data(), b.data() + 8, size));
  CAF_CHECK(!binlog::value_size(col(ft::longlong), b.data(), b.data() + 7,
                                size));
}
