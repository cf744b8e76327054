#define CAF_SUITE binlog.mariadb_types

#include <caf/test/unit_test.hpp>

#include <string>

#include "binlog_test.hpp"

// tests/data/mariadb_types.000001, written by a real MariaDB 10.11 from the
// statements of tests/data/make_mariadb_types.sh: one table per type family
// with edge values. Each expected value is what the statement stored, in
// design.md's readable form (the script prints SELECT's view of the same
// rows); column_values tests Debezium's form.

using namespace b2k::test;

namespace {

std::string canon(const std::string& text) {
  return json::parse(text).dump();
}

struct expected {
  const char* table;
  const char* op;
  std::string key;
  std::string before;
  std::string after;
};

void check_all(const std::vector<decoded_record>& v,
               const std::vector<expected>& want) {
  CAF_REQUIRE_EQUAL(v.size(), want.size());
  for (size_t i = 0; i < v.size(); ++i) {
    CAF_MESSAGE("record " << i << " of " << want[i].table);
    CAF_CHECK_EQUAL(v[i].topic,
                    std::string{"binlog2kafka.b2k."} + want[i].table);
    CAF_CHECK_EQUAL(v[i].source()["table"], want[i].table);
    CAF_CHECK_EQUAL(v[i].op(), want[i].op);
    CAF_CHECK_EQUAL(v[i].key.dump(), canon(want[i].key));
    CAF_CHECK_EQUAL(v[i].before().dump(), canon(want[i].before));
    CAF_CHECK_EQUAL(v[i].after().dump(), canon(want[i].after));
  }
}

std::vector<decoded_record> rows_of(const decoded& d, const char* table) {
  std::vector<decoded_record> out;
  for (auto& r : d.records())
    if (r.source()["table"] == table)
      out.push_back(r);
  return out;
}

const decoded& fixture() {
  static decoded d{data_path("mariadb_types.000001")};
  return d;
}

std::string id(int n) {
  return R"({"id":)" + std::to_string(n) + "}";
}

} // namespace

CAF_TEST(the whole file decodes) {
  CAF_CHECK_EQUAL(fixture().err.message, "");
  CAF_CHECK_EQUAL(fixture().records().size(), 3u + 4 + 5 + 3 + 5 + 4 + 4 + 5);
}

CAF_TEST(integers of every width at their limits) {
  check_all(
    rows_of(fixture(), "ints"),
    {{"ints", "c", id(1), "null",
      R"({"id":1,"t":-128,"tu":0,"s":-32768,"su":0,"m":-8388608,"mu":0,
          "i":-2147483648,"iu":0,"b":-9223372036854775808,"bu":0})"},
     {"ints", "c", id(2), "null",
      R"({"id":2,"t":127,"tu":255,"s":32767,"su":65535,"m":8388607,
          "mu":16777215,"i":2147483647,"iu":4294967295,
          "b":9223372036854775807,"bu":18446744073709551615})"},
     {"ints", "c", id(3), "null",
      R"({"id":3,"t":-1,"tu":1,"s":-1,"su":1,"m":-1,"mu":1,"i":-1,"iu":1,
          "b":-1,"bu":1})"}});
  // Exact text: no floating point on the way.
  auto v = rows_of(fixture(), "ints");
  CAF_CHECK_NOT_EQUAL(v[1].raw.find(R"("bu":18446744073709551615)"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(v[0].raw.find(R"("b":-9223372036854775808)"),
                      std::string::npos);
}

CAF_TEST(DECIMAL of many precisions and scales) {
  const std::string n35(35, '9'), n30(30, '9'), n65(65, '9');
  check_all(
    rows_of(fixture(), "decs"),
    {{"decs", "c", id(1), "null",
      R"({"id":1,"d1":"9","d5":"999.99","d10":"99999.99999",
          "d18":"999999999.999999999","d20":"99999999999999999999",
          "d44":"0.9999","d65":")"
        + n35 + "." + n30 + R"(","d65z":")" + n65 + R"("})"},
     {"decs", "c", id(2), "null",
      R"({"id":2,"d1":"-9","d5":"-999.99","d10":"-99999.99999",
          "d18":"-999999999.999999999","d20":"-99999999999999999999",
          "d44":"-0.9999","d65":"-)"
        + n35 + "." + n30 + R"(","d65z":"-)" + n65 + R"("})"},
     {"decs", "c", id(3), "null",
      R"({"id":3,"d1":"0","d5":"0.00","d10":"0.00000","d18":"0.000000000",
          "d20":"0","d44":"0.0000",
          "d65":"0.000000000000000000000000000000","d65z":"0"})"},
     {"decs", "c", id(4), "null",
      R"({"id":4,"d1":"-1","d5":"-0.01","d10":"1.50000",
          "d18":"-0.000000001","d20":"1000000000","d44":"0.0001",
          "d65":"-1.000000000000000000000000000001",
          "d65z":"123456789012345678901234567890"})"}});
}

CAF_TEST(FLOAT and DOUBLE in their shortest form) {
  auto v = rows_of(fixture(), "floats");
  CAF_REQUIRE_EQUAL(v.size(), 5u);
  // The text itself: FLOAT's shortest form is that of the float, not of
  // the double it widens to (0.1f would be 0.10000000149011612).
  const char* texts[] = {
    R"("f":1.5,"d":-2.25)",
    R"("f":3.4e+38,"d":1.7976931348623157e+308)",
    R"("f":-1.1754944e-38,"d":5e-324)",
    R"("f":0.1,"d":0.1)",
    R"("f":0,"d":0)",
  };
  for (size_t i = 0; i < 5; ++i)
    CAF_CHECK_NOT_EQUAL(v[i].raw.find(texts[i]), std::string::npos);
}

CAF_TEST(BIT of 1 to 64 bits) {
  check_all(rows_of(fixture(), "bits"),
            {{"bits", "c", id(1), "null",
              R"({"id":1,"b1":true,"b7":127,"b8":255,"b9":511,
          "b63":9223372036854775807,"b64":18446744073709551615})"},
             {"bits", "c", id(2), "null",
              R"({"id":2,"b1":false,"b7":0,"b8":0,"b9":0,"b63":0,"b64":0})"},
             {"bits", "c", id(3), "null",
              R"({"id":3,"b1":true,"b7":85,"b8":128,"b9":257,"b63":1,
          "b64":9223372036854775808})"}});
}

CAF_TEST(temporal types with fractional seconds and zero dates) {
  check_all(rows_of(fixture(), "temporal"),
            {{"temporal", "c", id(1), "null",
              R"({"id":1,"y":1901,"d":"1000-01-01","t0":"-838:59:59",
          "t1":"-838:59:59.9","t2":"-838:59:59.99","t3":"-838:59:59.999",
          "t4":"-838:59:59.9999","t5":"-838:59:59.99999",
          "t6":"-838:59:59.999999","dt0":"1000-01-01T00:00:00",
          "dt1":"1000-01-01T00:00:00.1","dt3":"1000-01-01T00:00:00.001",
          "dt6":"1000-01-01T00:00:00.000001","ts0":"1970-01-01T00:00:01Z",
          "ts2":"1970-01-01T00:00:01.01Z","ts4":"1970-01-01T00:00:01.0001Z",
          "ts6":"1970-01-01T00:00:01.000001Z"})"},
             {"temporal", "c", id(2), "null",
              R"({"id":2,"y":2155,"d":"9999-12-31","t0":"838:59:59",
          "t1":"838:59:59.9","t2":"838:59:59.99","t3":"838:59:59.999",
          "t4":"838:59:59.9999","t5":"838:59:59.99999",
          "t6":"838:59:59.999999","dt0":"9999-12-31T23:59:59",
          "dt1":"9999-12-31T23:59:59.9","dt3":"9999-12-31T23:59:59.999",
          "dt6":"9999-12-31T23:59:59.999999","ts0":"2038-01-19T03:14:07Z",
          "ts2":"2038-01-19T03:14:07.99Z","ts4":"2038-01-19T03:14:07.9999Z",
          "ts6":"2038-01-19T03:14:07.999999Z"})"},
             // Zero dates as stored; negative times below one second.
             {"temporal", "c", id(3), "null",
              R"({"id":3,"y":0,"d":null,"t0":"00:00:00",
          "t1":"-00:00:00.1","t2":"-00:00:00.01","t3":"-00:00:00.001",
          "t4":"-00:00:00.0001","t5":"-00:00:00.00001",
          "t6":"-00:00:00.000001","dt0":null,
          "dt1":null,"dt3":null,
          "dt6":null,"ts0":null,
          "ts2":null,"ts4":null,
          "ts6":null})"},
             {"temporal", "c", id(4), "null",
              R"({"id":4,"y":2000,"d":"2024-02-29","t0":"-01:00:00",
          "t1":"-01:00:00.5","t2":"-12:34:56.78","t3":"-00:00:01.500",
          "t4":"-23:59:59.0001","t5":"-100:00:00.12345",
          "t6":"-00:00:00.500000","dt0":"2024-02-29T12:34:56",
          "dt1":"2024-02-29T12:34:56.7","dt3":"2024-02-29T12:34:56.789",
          "dt6":"2024-02-29T12:34:56.789012","ts0":"2024-02-29T12:34:56Z",
          "ts2":"2024-02-29T12:34:56.78Z","ts4":"2024-02-29T12:34:56.7891Z",
          "ts6":"2024-02-29T12:34:56.789012Z"})"},
             {"temporal", "c", id(5), "null",
              R"({"id":5,"y":1999,"d":"2000-01-01","t0":"12:34:56",
          "t1":"00:00:00.1","t2":"00:00:00.01","t3":"00:00:00.001",
          "t4":"00:00:00.0001","t5":"00:00:00.00001",
          "t6":"00:00:00.000001","dt0":"2000-01-01T00:00:00",
          "dt1":"2000-01-01T00:00:00.0","dt3":"2000-01-01T00:00:00.000",
          "dt6":"2000-01-01T00:00:00.000000","ts0":null,"ts2":null,
          "ts4":null,"ts6":null})"}});
}

CAF_TEST(the old TIME and DATETIME and TIMESTAMP formats) {
  // mysql56_temporal_format=OFF: types 11, 12 and 7 without fractions.
  check_all(rows_of(fixture(), "old_temporal"),
            {{"old_temporal", "c", id(1), "null",
              R"({"id":1,"t":"-838:59:59","dt":"1000-01-01T00:00:00",
          "ts":"1970-01-01T00:00:01Z"})"},
             {"old_temporal", "c", id(2), "null",
              R"({"id":2,"t":"838:59:59","dt":"9999-12-31T23:59:59",
          "ts":"2038-01-19T03:14:07Z"})"},
             {"old_temporal", "c", id(3), "null",
              R"({"id":3,"t":"-00:00:01","dt":null,
          "ts":null})"},
             {"old_temporal", "c", id(4), "null",
              R"({"id":4,"t":"-12:34:56","dt":"2024-02-29T12:34:56",
          "ts":"2024-02-29T12:34:56Z"})"}});
}

CAF_TEST(ENUM and SET with their member names) {
  check_all(
    rows_of(fixture(), "enums"),
    {{"enums", "c", id(1), "null", R"({"id":1,"e":"a","s":"","s64":""})"},
     {"enums", "c", id(2), "null",
      R"({"id":2,"e":"c,d","s":"x,z","s64":"m01,m64"})"},
     // A member with a quote and a backslash, escaped in JSON.
     {"enums", "c", id(3), "null",
      R"({"id":3,"e":"é\"\\","s":"x,y,z",
          "s64":"m08,m09,m16,m17,m32,m33,m63"})"},
     // '' is the index 0 "error" member of a non-strict insert.
     {"enums", "c", id(4), "null", R"({"id":4,"e":"","s":"y","s64":null})"}});
}

CAF_TEST(text in several charsets and binary strings) {
  const std::string row1 =
    R"({"id":1,"l1":"café €","w":"Привет","k":"мир","u":"日本語",
        "g":"中文","u3":"ßü€","u4":"a😀\"q\"\\\t\n\u0001/","u16":"hé",
        "ch":"ab","tx":"Ünïcödé","bn":"AP8QAA==","vb":"AAEC",
        "bl":"3q2+7w=="})";
  // BINARY(4) keeps its trailing zero bytes (the binlog drops them).
  const std::string row2 =
    R"({"id":2,"l1":"","w":"","k":"","u":"","g":"","u3":"","u4":"",
        "u16":"","ch":"","tx":"","bn":"AAAAAA==","vb":"","bl":""})";
  const std::string row2b =
    R"({"id":2,"l1":"naïve","w":"","k":"","u":"","g":"","u3":"","u4":"",
        "u16":"","ch":"","tx":"","bn":"AAAAAA==","vb":"","bl":"AA=="})";
  const std::string row3 =
    R"({"id":3,"l1":null,"w":null,"k":null,"u":null,"g":null,"u3":null,
        "u4":null,"u16":null,"ch":null,"tx":null,"bn":null,"vb":null,
        "bl":null})";
  check_all(rows_of(fixture(), "texts"), {{"texts", "c", id(1), "null", row1},
                                          {"texts", "c", id(2), "null", row2},
                                          {"texts", "c", id(3), "null", row3},
                                          {"texts", "u", id(2), row2, row2b},
                                          {"texts", "d", id(3), row3, "null"}});
  // Control characters are escaped, the emoji passes as UTF-8.
  auto v = rows_of(fixture(), "texts");
  CAF_CHECK_NOT_EQUAL(
    v[0].raw.find("\"u4\":\"a\xf0\x9f\x98\x80\\\"q\\\"\\\\\\t\\n\\u0001/\""),
    std::string::npos);
}
