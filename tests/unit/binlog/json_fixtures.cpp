#define CAF_SUITE binlog.json_fixtures

#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "binlog/decoder.hpp"
#include "binlog/file_source.hpp"

// Real MySQL binlogs with JSON columns (../shared/fixtures/binlogs, see its
// README). The expected values were worked out from the bytes of each
// event and MySQL's printing rules.

using nlohmann::json;

namespace {

struct collecting_sink : binlog::record_sink {
  std::vector<json> values;
  void on_record(const binlog::row_record& rec) override {
    values.push_back(json::parse(rec.value));
  }
  void on_transaction_end(const binlog::position&) override {
  }
};

struct decoded {
  collecting_sink sink;
  binlog::error err;

  explicit decoded(const std::string& file) {
    binlog::decoder dec{*binlog::record_encoder::make({}), sink};
    err = binlog::decode_file(std::string{B2K_FIXTURES_DIR} + "/" + file, dec);
  }
};

std::string text(const json& image, const char* column) {
  if (!image.is_object() || !image.contains(column))
    return "<missing>";
  if (!image[column].is_string())
    return "<not a string: " + image[column].dump() + ">";
  return image[column].get<std::string>();
}

int64_t number(const json& image, const char* column) {
  if (!image.is_object() || !image.contains(column)
      || !image[column].is_number_integer())
    return -1;
  return image[column].get<int64_t>();
}

} // namespace

CAF_TEST(json binlog - inserts and updates and partial updates) {
  decoded d{"json.binlog.000001"};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  auto& v = d.sink.values;
  // Three single-row inserts, one three-row insert, one six-row UPDATE and
  // one six-row PARTIAL_UPDATE_ROWS.
  CAF_REQUIRE_EQUAL(v.size(), 18u);
  // Columns: @1 INT id, @2 JSON, @3 VARCHAR generated from $.name, @4 INT
  // generated from $.age. The table map has no names and no primary key.
  const char* docs[] = {
    R"({"age": 24, "data": "xxxxxxxxxx", "name": "Joe"})",
    R"({"age": 32, "data": "yyyyyyyyyy", "name": "Sue"})",
    R"({"age": 40, "data": "zzzzzzzzzz", "name": "Pete"})",
  };
  const char* names[] = {"Joe", "Sue", "Pete"};
  const int ages[] = {24, 32, 40};
  for (size_t i = 0; i < 6; ++i) {
    auto& r = v[i];
    CAF_CHECK_EQUAL(r["op"], "c");
    CAF_CHECK(r["before"].is_null());
    CAF_CHECK_EQUAL(number(r["after"], "@1"), static_cast<int64_t>(i + 1));
    CAF_CHECK_EQUAL(text(r["after"], "@2"), docs[i % 3]);
    CAF_CHECK_EQUAL(text(r["after"], "@3"), names[i % 3]);
    CAF_CHECK_EQUAL(number(r["after"], "@4"), ages[i % 3]);
  }
  // UPDATE t SET json_col = JSON_SET(json_col, '$.age', age + 1), logged
  // with full images.
  const char* older[] = {
    R"({"age": 25, "data": "xxxxxxxxxx", "name": "Joe"})",
    R"({"age": 33, "data": "yyyyyyyyyy", "name": "Sue"})",
    R"({"age": 41, "data": "zzzzzzzzzz", "name": "Pete"})",
  };
  for (size_t i = 0; i < 6; ++i) {
    auto& r = v[6 + i];
    CAF_CHECK_EQUAL(r["op"], "u");
    CAF_CHECK_EQUAL(number(r["before"], "@1"), static_cast<int64_t>(i + 1));
    CAF_CHECK_EQUAL(text(r["before"], "@2"), docs[i % 3]);
    CAF_CHECK_EQUAL(number(r["before"], "@4"), ages[i % 3]);
    CAF_CHECK_EQUAL(number(r["after"], "@1"), static_cast<int64_t>(i + 1));
    CAF_CHECK_EQUAL(text(r["after"], "@2"), older[i % 3]);
    CAF_CHECK_EQUAL(text(r["after"], "@3"), names[i % 3]);
    CAF_CHECK_EQUAL(number(r["after"], "@4"), ages[i % 3] + 1);
  }
  // PARTIAL_UPDATE_ROWS with a primary-key-only before-image: the JSON
  // column's after value is a REPLACE of $.age, described since there is
  // no document to apply it to. The generated columns come whole.
  for (size_t i = 0; i < 6; ++i) {
    auto& r = v[12 + i];
    CAF_CHECK_EQUAL(r["op"], "u");
    CAF_CHECK_EQUAL(r["before"].size(), 1u);
    CAF_CHECK_EQUAL(number(r["before"], "@1"), static_cast<int64_t>(i + 1));
    CAF_CHECK(!r["after"].contains("@1"));
    CAF_CHECK_EQUAL(text(r["after"], "@2"),
                    R"({"$partial_json": [{"op": "replace", "path": "$.age", )"
                    R"("value": )"
                      + std::to_string(ages[i % 3] + 2) + "}]}");
    CAF_CHECK_EQUAL(text(r["after"], "@3"), names[i % 3]);
    CAF_CHECK_EQUAL(number(r["after"], "@4"), ages[i % 3] + 2);
    CAF_CHECK_EQUAL(r["source"]["pos"], 3750);
    CAF_CHECK_EQUAL(r["source"]["row"], i);
  }
}

CAF_TEST(json-opaque binlog - opaque values and literals and null) {
  decoded d{"json-opaque.binlog"};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  auto& v = d.sink.values;
  CAF_REQUIRE_EQUAL(v.size(), 8u);
  // One JSON column named "a", one row per event.
  const char* expected[] = {
    // A binary string (MYSQL_TYPE_VARCHAR, 15) holding "U".
    R"({"a": "base64:type15:VQ=="})",
    // DATE, DATETIME and TIME in MySQL's packed form.
    R"({"b": "2012-03-18"})",
    R"({"c": "2012-03-18 11:30:45.000000"})",
    R"({"c": "87:31:46.654321"})",
    // DECIMAL(6,3) and DECIMAL(11,2).
    R"({"d": 123.456})",
    R"({"e": 9.00})",
    R"({"e": [0, 1, true, false]})",
    R"({"e": null})",
  };
  for (size_t i = 0; i < 8; ++i) {
    CAF_CHECK_EQUAL(v[i]["op"], "c");
    CAF_CHECK_EQUAL(text(v[i]["after"], "a"), expected[i]);
  }
}
