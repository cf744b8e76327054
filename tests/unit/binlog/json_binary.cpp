#define CAF_SUITE binlog.json_binary

#include <caf/test/unit_test.hpp>

#include "binlog/json_binary.hpp"

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "binlog/json_writer.hpp"
#include "tests/unit/binlog/json_encoder.hpp"

// Expected texts follow MySQL's printer (sql-common/json_dom.cc,
// wrapper_to_string): ", " and ": " separators, keys in stored order,
// strings escaped by double_quote(), doubles by my_gcvt(width 34) plus
// ".0", DECIMAL as a number with its scale, dates and times with six
// fraction digits, other opaque values as "base64:typeN:..." with a line
// break every 76 characters.

using namespace b2k::test;

namespace {

std::string text_of(const bytes& d) {
  std::string out;
  binlog::json_binary_error err;
  if (!binlog::append_json_text(out, d.data(), d.size(), &err))
    return std::string{"error: "} + err.reason;
  return out;
}

std::string embedded_of(const bytes& d) {
  std::string out;
  binlog::json_writer w{out};
  binlog::write_json_binary(w, d.data(), d.size());
  return out;
}

std::string quoted(const std::string& text) {
  std::string out;
  binlog::json_writer w{out};
  w.string(text);
  return out;
}

// The text, checked three ways: printed, checked without printing, and
// embedded in a JSON string (the column value) in one pass.
std::string printed(const bytes& d) {
  auto text = text_of(d);
  CAF_CHECK(binlog::check_json_binary(d.data(), d.size()));
  CAF_CHECK_EQUAL(embedded_of(d), quoted(text));
  return text;
}

// Fails cleanly: no output, the same verdict from the checker, and the
// column writer falls back to null.
std::string rejected(const bytes& d) {
  // An exact-size copy, so that AddressSanitizer sees any read past it.
  auto copy = std::make_unique<uint8_t[]>(d.size() + 1);
  std::memcpy(copy.get(), d.data(), d.size());
  std::string out = "keep";
  binlog::json_binary_error err;
  bool ok = binlog::append_json_text(out, copy.get(), d.size(), &err);
  CAF_CHECK(!ok);
  CAF_CHECK_EQUAL(out, "keep");
  CAF_CHECK(!binlog::check_json_binary(copy.get(), d.size()));
  std::string col;
  binlog::json_writer w{col};
  CAF_CHECK(!binlog::write_json_binary(w, copy.get(), d.size()));
  CAF_CHECK_EQUAL(col, "null");
  return err.reason == nullptr ? "" : err.reason;
}

std::string format_double(double x) {
  char buf[40];
  return {buf, binlog::format_json_double(x, buf)};
}

// MySQL's packed temporal forms (TIME_to_longlong_*_packed in my_time.cc).
int64_t packed_datetime(int y, int mo, int d, int h, int mi, int s, int us) {
  int64_t ymd = ((int64_t{y} * 13 + mo) << 5) | d;
  int64_t hms = (int64_t{h} << 12) | (mi << 6) | s;
  return (((ymd << 17) | hms) << 24) + us;
}

int64_t packed_time(bool negative, int h, int mi, int s, int us) {
  int64_t x = ((((int64_t{h} << 12) | (mi << 6) | s)) << 24) + us;
  return negative ? -x : x;
}

bytes le64(int64_t x) {
  bytes b(8);
  put_le(b, 0, static_cast<uint64_t>(x), 8);
  return b;
}

// Arrays nested `depth` deep around an empty array.
bytes nested_arrays(size_t depth) {
  jv v = arr({});
  for (size_t i = 1; i < depth; ++i)
    v = arr({v});
  return doc(v);
}

} // namespace

CAF_TEST(an empty value is null) {
  CAF_CHECK_EQUAL(printed({}), "null");
}

CAF_TEST(literals and integers at the top level) {
  CAF_CHECK_EQUAL(printed({0x04, 0x00}), "null");
  CAF_CHECK_EQUAL(printed({0x04, 0x01}), "true");
  CAF_CHECK_EQUAL(printed({0x04, 0x02}), "false");
  CAF_CHECK_EQUAL(printed({0x05, 0xff, 0xff}), "-1");
  CAF_CHECK_EQUAL(printed({0x05, 0x00, 0x80}), "-32768");
  CAF_CHECK_EQUAL(printed({0x06, 0xff, 0xff}), "65535");
  CAF_CHECK_EQUAL(printed({0x07, 0x00, 0x00, 0x00, 0x80}), "-2147483648");
  CAF_CHECK_EQUAL(printed({0x08, 0xff, 0xff, 0xff, 0xff}), "4294967295");
  CAF_CHECK_EQUAL(printed({0x09, 0, 0, 0, 0, 0, 0, 0, 0x80}),
                  "-9223372036854775808");
  CAF_CHECK_EQUAL(printed({0x09, 0x2a, 0, 0, 0, 0, 0, 0, 0}), "42");
  CAF_CHECK_EQUAL(printed(
                    {0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}),
                  "18446744073709551615");
}

CAF_TEST(doubles print as my_gcvt does with a trailing .0 for integers) {
  CAF_CHECK_EQUAL(printed(doc(dbl(1.0))), "1.0");
  CAF_CHECK_EQUAL(printed(doc(dbl(-2.5))), "-2.5");
  CAF_CHECK_EQUAL(printed(doc(dbl(0.1))), "0.1");
  CAF_CHECK_EQUAL(printed(doc(dbl(0.0))), "0.0");
  CAF_CHECK_EQUAL(printed(doc(dbl(-0.0))), "-0.0");
  CAF_CHECK_EQUAL(printed(doc(dbl(100.0))), "100.0");
  CAF_CHECK_EQUAL(printed(doc(dbl(3.14159))), "3.14159");
  // 'f' up to 15 integer digits, then 'e' without '+' or zero padding.
  CAF_CHECK_EQUAL(format_double(1e14), "100000000000000.0");
  CAF_CHECK_EQUAL(format_double(1e15), "1e15");
  CAF_CHECK_EQUAL(format_double(1e300), "1e300");
  CAF_CHECK_EQUAL(format_double(-1.5e300), "-1.5e300");
  CAF_CHECK_EQUAL(format_double(1.2345678901234568e17),
                  "1.2345678901234568e17");
  CAF_CHECK_EQUAL(format_double(9007199254740992.0), "9.007199254740992e15");
  // More significant digits than integer digits keep the 'f' form.
  CAF_CHECK_EQUAL(format_double(1234567890123456.8), "1234567890123456.8");
  // 'f' down to 14 zeros after the point, then 'e' with a negative exponent.
  CAF_CHECK_EQUAL(format_double(1.5e-7), "0.00000015");
  CAF_CHECK_EQUAL(format_double(0.001), "0.001");
  CAF_CHECK_EQUAL(format_double(1e-15), "0.000000000000001");
  CAF_CHECK_EQUAL(format_double(1e-16), "1e-16");
  CAF_CHECK_EQUAL(format_double(-2.5e-20), "-2.5e-20");
  CAF_CHECK_EQUAL(format_double(5e-324), "5e-324");
  CAF_CHECK_EQUAL(format_double(1.7976931348623157e308),
                  "1.7976931348623157e308");
  // Shortest round trip: 17 digits where needed.
  CAF_CHECK_EQUAL(format_double(0.1 + 0.2), "0.30000000000000004");
}

CAF_TEST(strings are escaped as MySQL double_quote escapes them) {
  CAF_CHECK_EQUAL(printed(doc(str("abc"))), R"("abc")");
  CAF_CHECK_EQUAL(printed(doc(str(""))), R"("")");
  CAF_CHECK_EQUAL(printed(doc(str("a\"b\\c/d"))), R"("a\"b\\c/d")");
  CAF_CHECK_EQUAL(printed(doc(str("\n\t\b\f\r"))), R"("\n\t\b\f\r")");
  CAF_CHECK_EQUAL(printed(doc(str(std::string{"\x00\x01\x1f\x7f", 4}))),
                  "\"\\u0000\\u0001\\u001f\x7f\"");
  std::string utf8 = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
  CAF_CHECK_EQUAL(printed(doc(str(utf8))), "\"" + utf8 + "\"");
  // Lengths over 127 take two bytes.
  std::string long_text(300, 'x');
  CAF_CHECK_EQUAL(printed(doc(str(long_text))), "\"" + long_text + "\"");
}

namespace {

// MySQL's double_quote(), written out plainly, for comparison.
std::string mysql_quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          static constexpr char hex[] = "0123456789abcdef";
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

} // namespace

CAF_TEST(strings of every length with special bytes anywhere) {
  const std::string specials[] = {"\"",       "\\",
                                  "\n",       std::string{"\x01", 1},
                                  "\xc3\xa9", "\xe2\x82\xac",
                                  "\xff"};
  for (size_t n = 0; n < 40; ++n) {
    for (size_t at = 0; at <= n; ++at) {
      for (auto& special : specials) {
        std::string s(n, 'a');
        s.insert(at, special);
        // Alone (the string ends the document) and followed by more bytes.
        CAF_CHECK_EQUAL(printed(doc(str(s))), mysql_quoted(s));
        CAF_CHECK_EQUAL(printed(doc(arr({str(s), str(std::string(20, 'z'))}))),
                        "[" + mysql_quoted(s) + ", \"" + std::string(20, 'z')
                          + "\"]");
      }
    }
  }
  // Long strings go in chunks; escapes and multi-byte characters across
  // the chunk borders.
  std::string long_text;
  for (int i = 0; long_text.size() < 20000; ++i)
    long_text += i % 5 == 0 ? std::string{"\t\xe2\x82\xac\""} : "abcdefg";
  CAF_CHECK_EQUAL(printed(doc(str(long_text))), mysql_quoted(long_text));
}

CAF_TEST(invalid UTF-8 prints as stored and embeds as U+FFFD) {
  bytes d = doc(
    str("\xff"
        "ok\xc3"));
  CAF_CHECK_EQUAL(printed(d),
                  "\"\xff"
                  "ok\xc3\"");
  CAF_CHECK_EQUAL(embedded_of(d),
                  "\"\\\"\xef\xbf\xbd"
                  "ok\xef\xbf\xbd\\\"\"");
}

CAF_TEST(a hand-built small object keeps its stored key order) {
  // {"a": 1, "c": [true, null], "bb": "x"}: keys sorted by length, then
  // bytes, as MySQL stores them.
  bytes d = {0x00,                   // small object
             0x03, 0x00, 0x29, 0x00, // 3 members, 41 bytes
             0x19, 0x00, 0x01, 0x00, // key "a" at 25
             0x1a, 0x00, 0x01, 0x00, // key "c" at 26
             0x1b, 0x00, 0x02, 0x00, // key "bb" at 27
             0x05, 0x01, 0x00,       // int16 1, inlined
             0x02, 0x1d, 0x00,       // small array at 29
             0x0c, 0x27, 0x00,       // string at 39
             'a',  'c',  'b',  'b',
             0x02, 0x00, 0x0a, 0x00, // array: 2 elements, 10 bytes
             0x04, 0x01, 0x00,       // true
             0x04, 0x00, 0x00,       // null
             0x01, 'x'};
  CAF_CHECK_EQUAL(printed(d), R"({"a": 1, "c": [true, null], "bb": "x"})");
}

CAF_TEST(hand-built arrays in the small and the large form) {
  // Small: 32-bit integers are not inlined.
  bytes small = {0x02, 0x02, 0x00, 0x12, 0x00,       // 2 values, 18 bytes
                 0x07, 0x0a, 0x00, 0x08, 0x0e, 0x00, // at 10 and 14
                 0x70, 0x11, 0x01, 0x00,             // 70000
                 0x00, 0x5e, 0xd0, 0xb2};            // 3000000000
  CAF_CHECK_EQUAL(printed(small), "[70000, 3000000000]");
  // Large: 32-bit integers are inlined; 64-bit ones and doubles are not.
  bytes large = {0x03, 0x04, 0x00, 0x00, 0x00, // 4 values
                 0x2c, 0x00, 0x00, 0x00,       // 44 bytes
                 0x07, 0x60, 0x79, 0xfe, 0xff, // -100000 inline
                 0x08, 0x00, 0x28, 0x6b, 0xee, // 4000000000 inline
                 0x09, 0x1c, 0x00, 0x00, 0x00, // int64 at 28
                 0x0b, 0x24, 0x00, 0x00, 0x00, // double at 36
                 0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x40};
  CAF_CHECK_EQUAL(printed(large), "[-100000, 4000000000, -5, 2.5]");
  // A large object.
  bytes object = {0x01, 0x01, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00,
                  0x00, 0x13, 0x00, 0x00, 0x00, 0x01, 0x00, // key at 19
                  0x0c, 0x14, 0x00, 0x00, 0x00,             // string at 20
                  'k',  0x01, 'v'};
  CAF_CHECK_EQUAL(printed(object), R"({"k": "v"})");
  CAF_CHECK_EQUAL(printed({0x00, 0x00, 0x00, 0x04, 0x00}), "{}");
  CAF_CHECK_EQUAL(printed({0x02, 0x00, 0x00, 0x04, 0x00}), "[]");
  CAF_CHECK_EQUAL(printed({0x03, 0, 0, 0, 0, 0x08, 0, 0, 0}), "[]");
}

CAF_TEST(nested objects and arrays) {
  auto d = doc(
    arr({obj({{"x", arr({i16(1), str("two"), obj({{"y", lit(0)}}), arr({})})},
              {"zz", obj({})}}),
         dbl(3.25), lit(2), str("end")}));
  CAF_CHECK_EQUAL(printed(d),
                  R"([{"x": [1, "two", {"y": null}, []], "zz": {}}, 3.25, )"
                  R"(false, "end"])");
  // The same values in the large form print the same.
  auto large = doc(
    arr({obj({{"x", arr({i16(-7)}, true)}}, true), lit(1)}, true));
  CAF_CHECK_EQUAL(printed(large), R"([{"x": [-7]}, true])");
}

CAF_TEST(documents larger than 64 KiB use the large form) {
  std::string a(30000, 'a'), b(30000, 'b'), c(30000, 'c');
  auto array = doc(arr({str(a), str(b), str(c)}, true));
  CAF_REQUIRE_GREATER(array.size(), 65536u);
  CAF_CHECK_EQUAL(printed(array),
                  "[\"" + a + "\", \"" + b + "\", \"" + c + "\"]");
  std::string big(70000, 'q');
  auto object = doc(
    obj({{"k", obj({{"n", i16(5)}})}, {"big", str(big)}}, true));
  CAF_CHECK_EQUAL(printed(object), R"({"k": {"n": 5}, "big": ")" + big + "\"}");
}

CAF_TEST(opaque binary values print as base64 with their field type) {
  CAF_CHECK_EQUAL(printed({0x0f, 0x0f, 0x01, 0x55}), R"("base64:type15:VQ==")");
  CAF_CHECK_EQUAL(printed(doc(opq(252, {}))), R"("base64:type252:")");
  bytes sixty;
  for (uint8_t i = 0; i < 60; ++i)
    sixty.push_back(i);
  // MySQL's base64_encode breaks lines after 76 characters; the string
  // escaping turns the break into \n.
  CAF_CHECK_EQUAL(printed(doc(opq(252, sixty))),
                  R"("base64:type252:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd)"
                  R"(Hh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\nOTo7")");
  CAF_CHECK_EQUAL(printed(doc(opq(16, {0x01, 0x02}))),
                  R"("base64:type16:AQI=")");
  CAF_CHECK_EQUAL(printed(doc(obj({{"g", opq(255, {0xff})}}))),
                  R"({"g": "base64:type255:/w=="})");
}

CAF_TEST(opaque dates and times print with six fraction digits) {
  CAF_CHECK_EQUAL(printed(doc(
                    opq(10, le64(packed_datetime(2012, 3, 18, 0, 0, 0, 0))))),
                  R"("2012-03-18")");
  CAF_CHECK_EQUAL(
    printed(doc(opq(12, le64(packed_datetime(2012, 3, 18, 11, 30, 45, 0))))),
    R"("2012-03-18 11:30:45.000000")");
  CAF_CHECK_EQUAL(printed(doc(opq(12, le64(packed_datetime(9999, 12, 31, 23, 59,
                                                           59, 123456))))),
                  R"("9999-12-31 23:59:59.123456")");
  CAF_CHECK_EQUAL(printed(doc(opq(7, le64(packed_datetime(1999, 12, 31, 23, 59,
                                                          59, 500000))))),
                  R"("1999-12-31 23:59:59.500000")");
  CAF_CHECK_EQUAL(printed(doc(opq(10, le64(0)))), R"("0000-00-00")");
  CAF_CHECK_EQUAL(printed(
                    doc(opq(11, le64(packed_time(false, 87, 31, 46, 654321))))),
                  R"("87:31:46.654321")");
  CAF_CHECK_EQUAL(printed(doc(opq(11, le64(packed_time(false, 1, 2, 3, 0))))),
                  R"("01:02:03.000000")");
  CAF_CHECK_EQUAL(printed(
                    doc(opq(11, le64(packed_time(true, 838, 59, 59, 0))))),
                  R"("-838:59:59.000000")");
  CAF_CHECK_EQUAL(printed(
                    doc(opq(11, le64(packed_time(true, 0, 0, 1, 250000))))),
                  R"("-00:00:01.250000")");
}

CAF_TEST(opaque DECIMAL values print as numbers with their scale) {
  // Precision, scale, then the DECIMAL's binary form.
  CAF_CHECK_EQUAL(printed(doc(opq(246, {6, 3, 0x80, 0x7b, 0x01, 0xc8}))),
                  "123.456");
  CAF_CHECK_EQUAL(printed(doc(opq(246, {4, 2, 0x7e, 0xcd}))), "-1.50");
  CAF_CHECK_EQUAL(printed(doc(opq(246, {3, 2, 0x80, 0x09}))), "0.09");
  CAF_CHECK_EQUAL(printed(doc(opq(246, {5, 0, 0x80, 0x00, 0x07}))), "7");
  CAF_CHECK_EQUAL(printed(doc(opq(246, {20, 10, 0x81, 0x0d, 0xfb, 0x38, 0xd2,
                                        0x00, 0xbc, 0x61, 0x4e, 0x09}))),
                  "1234567890.0123456789");
  CAF_CHECK_EQUAL(printed(doc(obj({{"d", opq(246, {3, 2, 0x80, 0x09})}}))),
                  R"({"d": 0.09})");
}

CAF_TEST(nesting stops at 100 levels as in MySQL) {
  std::string hundred = std::string(100, '[') + std::string(100, ']');
  CAF_CHECK_EQUAL(printed(nested_arrays(100)), hundred);
  CAF_CHECK_EQUAL(rejected(nested_arrays(101)),
                  "nested deeper than 100 levels");
}

CAF_TEST(every truncation of a document is rejected) {
  std::vector<bytes> docs = {
    doc(obj({{"a", i16(1)}, {"bb", arr({str("x"), dbl(1.5)})}})),
    doc(arr({str(std::string(200, 'y')), opq(12, le64(1))}, true)),
    doc(str("hello")),
    doc(opq(246, {6, 3, 0x80, 0x7b, 0x01, 0xc8})),
    doc(dbl(2.0)),
  };
  for (auto& d : docs) {
    for (size_t n = 1; n < d.size(); ++n)
      rejected(bytes(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(n)));
  }
}

CAF_TEST(offsets and lengths outside the document are rejected) {
  // A value offset past the array's end.
  CAF_CHECK_EQUAL(rejected({0x02, 0x01, 0x00, 0x07, 0x00, 0x0c, 0xff, 0xff}),
                  "value outside its object or array");
  // A value offset pointing back into the entries.
  CAF_CHECK_EQUAL(rejected(
                    {0x02, 0x01, 0x00, 0x08, 0x00, 0x0c, 0x01, 0x00, 0x00}),
                  "value outside its object or array");
  // A key before the end of the entries, and one past the object's end.
  CAF_CHECK_EQUAL(rejected({0x00, 0x01, 0x00, 0x0b, 0x00, 0x02, 0x00, 0x01,
                            0x00, 0x04, 0x00, 0x00}),
                  "key outside its object");
  CAF_CHECK_EQUAL(rejected({0x00, 0x01, 0x00, 0x0b, 0x00, 0x0b, 0x00, 0x05,
                            0x00, 0x04, 0x00, 0x00}),
                  "key outside its object");
  // A size larger than the bytes there are; entries larger than the size.
  CAF_CHECK_EQUAL(rejected({0x02, 0x00, 0x00, 0x40, 0x00}),
                  "object or array runs past the end");
  CAF_CHECK_EQUAL(rejected({0x03, 0xff, 0xff, 0xff, 0xff, 0x08, 0, 0, 0}),
                  "object or array entries run past its end");
  // String lengths.
  CAF_CHECK_EQUAL(rejected({0x0c, 0x05, 'a', 'b'}), "string runs past the end");
  CAF_CHECK_EQUAL(rejected({0x0c, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}),
                  "bad string length");
  CAF_CHECK_EQUAL(rejected({0x0c, 0x80}), "bad string length");
  CAF_CHECK_EQUAL(rejected({0x0f, 0x0f, 0x09, 0x55}),
                  "opaque value runs past the end");
}

CAF_TEST(unknown types and bad opaque values are rejected) {
  CAF_CHECK_EQUAL(rejected({0x0d, 0x00}), "unknown value type");
  CAF_CHECK_EQUAL(rejected({0x04, 0x03}), "unknown literal");
  // An unknown type inside an array: the error names its offset.
  bytes d = {0x02, 0x01, 0x00, 0x08, 0x00, 0x0e, 0x07, 0x00, 0x00};
  binlog::json_binary_error err;
  std::string out;
  CAF_CHECK(!binlog::append_json_text(out, d.data(), d.size(), &err));
  CAF_CHECK_EQUAL(std::string{err.reason}, "unknown value type");
  CAF_CHECK_EQUAL(err.offset, 8u);
  CAF_CHECK_EQUAL(rejected(doc(opq(10, {1, 2, 3}))),
                  "date or time value is not 8 bytes");
  CAF_CHECK_EQUAL(rejected(doc(opq(246, {6, 3, 0x80}))), "bad DECIMAL value");
  CAF_CHECK_EQUAL(rejected(doc(opq(246, {66, 0, 0x80}))), "bad DECIMAL value");
  CAF_CHECK_EQUAL(rejected(doc(opq(246, {4, 5, 0x80, 0x80}))),
                  "bad DECIMAL value");
  CAF_CHECK_EQUAL(rejected(doc(opq(246, {1}))),
                  "DECIMAL value without precision and scale");
}

CAF_TEST(offsets that share values cannot make output explode) {
  // Each level is an array of two entries pointing at the same child:
  // 2^60 visits if followed; a well-formed document has bytes per value.
  jv v = arr({});
  for (int i = 0; i < 60; ++i) {
    bytes b = {0x02, 0x00, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x02, 0x0a, 0x00};
    put_le(b, 0, 2, 2);
    b.insert(b.end(), v.payload.begin(), v.payload.end());
    put_le(b, 2, b.size(), 2);
    v = {0x02, b};
  }
  auto d = doc(v);
  CAF_REQUIRE_LESS(d.size(), 65536u);
  CAF_CHECK_EQUAL(rejected(d),
                  "values overlap (more values than the document has bytes)");
}

CAF_TEST(random corruption never reads out of bounds) {
  std::vector<bytes> seeds = {
    doc(obj({{"a", i16(1)},
             {"bb", arr({str("x"), dbl(1.5), lit(1)})},
             {"ccc", opq(12, le64(packed_datetime(2020, 1, 2, 3, 4, 5, 6)))}})),
    doc(arr({obj({{"k", opq(246, {6, 3, 0x80, 0x7b, 0x01, 0xc8})}}, true),
             str("tail")},
            true)),
  };
  std::mt19937 rng{42};
  size_t accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    bytes d = seeds[static_cast<size_t>(round) % seeds.size()];
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i)
      d[rng() % d.size()] = static_cast<uint8_t>(rng());
    if (rng() % 4 == 0)
      d.resize(rng() % d.size());
    auto copy = std::make_unique<uint8_t[]>(d.size() + 1);
    std::memcpy(copy.get(), d.data(), d.size());
    std::string out;
    bool printed_ok = binlog::append_json_text(out, copy.get(), d.size());
    bool checked_ok = binlog::check_json_binary(copy.get(), d.size());
    if (printed_ok != checked_ok)
      CAF_FAIL("checker and printer disagree in round " << round);
    if (printed_ok) {
      ++accepted;
      if (embedded_of(d) != quoted(out))
        CAF_FAIL("embedded text differs in round " << round);
    }
  }
  CAF_MESSAGE(accepted << " of 20000 corrupted documents still printable");
}
