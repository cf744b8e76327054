#define CAF_SUITE binlog.json_partial

#include <caf/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "binlog/decoder.hpp"
#include "tests/unit/binlog/json_encoder.hpp"

// PARTIAL_UPDATE_ROWS events (MySQL 8, binlog_row_value_options =
// PARTIAL_JSON) built from their documented layout: the after-image of a
// row starts with a packed value_options (bit 0: partial JSON) and a bitmap
// over the table's JSON columns; a partial value is a list of (operation,
// path, binary JSON value) diffs. Expected documents follow MySQL's
// apply_json_diffs(): REPLACE needs the path to exist, INSERT adds a member
// (kept in MySQL's key order) or inserts into an array (clamped to its
// end), REMOVE needs the path to exist.

using namespace b2k::test;
using nlohmann::json;

namespace {

constexpr uint8_t table_map_event = 19;
constexpr uint8_t write_rows_event = 30;
constexpr uint8_t partial_update_event = 39;
constexpr uint8_t op_replace = 0, op_insert = 1, op_remove = 2;

bytes event(uint8_t type, const bytes& body) {
  bytes e;
  append_le(e, 1700000000, 4); // timestamp
  e.push_back(type);
  append_le(e, 1, 4); // server id
  append_le(e, 19 + body.size(), 4);
  append_le(e, 0, 4); // log_pos
  append_le(e, 0, 2); // flags
  e.insert(e.end(), body.begin(), body.end());
  return e;
}

void append(bytes& b, const bytes& more) {
  b.insert(b.end(), more.begin(), more.end());
}

void append(bytes& b, const std::string& more) {
  b.insert(b.end(), more.begin(), more.end());
}

// TABLE_MAP of test.doc (id INT PRIMARY KEY, doc JSON, note VARCHAR(80)),
// or, with `two_docs`, of test.docs (id INT, j1 JSON, j2 JSON).
bytes table_map(bool two_docs = false) {
  bytes b;
  append_le(b, 0x42, 6); // table id
  append_le(b, 1, 2);
  b.push_back(4);
  append(b, std::string{"test"});
  b.push_back(0);
  std::string table = two_docs ? "docs" : "doc";
  b.push_back(static_cast<uint8_t>(table.size()));
  append(b, table);
  b.push_back(0);
  b.push_back(3); // columns
  if (two_docs)
    append(b, bytes{0x03, 0xf5, 0xf5, 2, 0x04, 0x04, 0x06});
  else
    append(b, bytes{0x03, 0xf5, 0x0f, 3, 0x04, 0x50, 0x00, 0x06});
  // Optional metadata: column names, primary key.
  bytes names;
  for (auto name : two_docs ? std::vector<std::string>{"id", "j1", "j2"}
                            : std::vector<std::string>{"id", "doc", "note"}) {
    names.push_back(static_cast<uint8_t>(name.size()));
    append(names, name);
  }
  b.push_back(4);
  b.push_back(static_cast<uint8_t>(names.size()));
  append(b, names);
  append(b, bytes{8, 1, 0});
  return event(table_map_event, b);
}

bytes int_value(uint32_t x) {
  bytes b;
  append_le(b, x, 4);
  return b;
}

// A JSON column value: 4-byte length, then the bytes.
bytes json_value(const bytes& content) {
  bytes b;
  append_le(b, content.size(), 4);
  append(b, content);
  return b;
}

bytes varchar_value(const std::string& s) {
  bytes b{static_cast<uint8_t>(s.size())};
  append(b, s);
  return b;
}

// A length-encoded integer of the client protocol.
bytes packed(size_t n) {
  bytes b;
  if (n < 251) {
    b.push_back(static_cast<uint8_t>(n));
  } else if (n < 0x10000) {
    b.push_back(0xfc);
    append_le(b, n, 2);
  } else {
    b.push_back(0xfd);
    append_le(b, n, 3);
  }
  return b;
}

// One diff of a diff list.
bytes diff(uint8_t op, const std::string& path, const bytes& value = {}) {
  bytes b{op};
  append(b, packed(path.size()));
  append(b, path);
  if (op != op_remove) {
    append(b, packed(value.size()));
    append(b, value);
  }
  return b;
}

bytes diffs(const std::vector<bytes>& list) {
  bytes b;
  for (auto& d : list)
    append(b, d);
  return b;
}

// The body of a PARTIAL_UPDATE_ROWS event with the given column bitmaps
// and rows (each row: before-image and after-image bytes).
bytes partial_update(uint8_t before_columns, uint8_t after_columns,
                     const std::vector<bytes>& rows) {
  bytes b;
  append_le(b, 0x42, 6);
  append_le(b, 1, 2); // flags: end of statement
  append_le(b, 2, 2); // no extra data
  b.push_back(3);
  b.push_back(before_columns);
  b.push_back(after_columns);
  for (auto& row : rows)
    append(b, row);
  return event(partial_update_event, b);
}

struct collecting_sink : binlog::record_sink {
  std::vector<json> values;
  std::vector<std::string> keys;
  void on_record(const binlog::row_record& rec) override {
    values.push_back(json::parse(rec.value));
    keys.emplace_back(rec.key);
  }
  void on_transaction_end(const binlog::position&) override {
  }
};

struct fixture {
  collecting_sink sink;
  binlog::decoder dec{*binlog::record_encoder::make({}), sink};
  uint64_t offset = 4;

  binlog::error feed(const bytes& e) {
    auto err = dec.consume(e.data(), e.size(), offset);
    offset += e.size();
    return err;
  }

  // Feeds the events; every one must decode.
  void feed_all(const std::vector<bytes>& events) {
    for (auto& e : events) {
      auto err = feed(e);
      CAF_REQUIRE_EQUAL(err.message, "");
    }
  }

  std::string column(size_t record, const char* image, const char* name) {
    if (record >= sink.values.size())
      return "<no record>";
    auto& img = sink.values[record][image];
    if (!img.is_object() || !img.contains(name))
      return "<missing>";
    if (!img[name].is_string())
      return img[name].dump();
    return img[name].get<std::string>();
  }
};

// The before document of most tests: {"a": 1, "b": [1, 2, 3], "c": {"d":
// "x"}}.
bytes before_doc() {
  return doc(obj({{"a", i16(1)},
                  {"b", arr({i16(1), i16(2), i16(3)})},
                  {"c", obj({{"d", str("x")}})}}));
}

// Every kind of diff: member and array paths, [N] past the end, [last],
// a quoted member name, and an INSERT that sorts before a longer key.
bytes many_diffs() {
  return diffs({
    diff(op_replace, "$.a", doc(str("z"))),
    diff(op_insert, "$.aa", doc(lit(1))),
    diff(op_insert, "$.b[1]", doc(i16(9))),
    diff(op_insert, "$.b[10]", doc(i16(7))),
    diff(op_remove, "$.b[0]"),
    diff(op_remove, "$.c.d"),
    diff(op_insert, "$.\"x y\"", doc(lit(0))),
    diff(op_replace, "$.b[last]", doc(dbl(1.5))),
  });
}

// A row of test.doc: full before-image, after-image with a partial doc.
bytes full_row(const bytes& before, const bytes& diff_list,
               const std::string& note_before, const std::string& note_after) {
  bytes row{0x00};
  append(row, int_value(7));
  append(row, json_value(before));
  append(row, varchar_value(note_before));
  row.push_back(0x01); // value_options: PARTIAL_JSON_UPDATES
  row.push_back(0x01); // the first (only) JSON column is a diff
  row.push_back(0x00);
  append(row, int_value(7));
  append(row, json_value(diff_list));
  append(row, varchar_value(note_after));
  return row;
}

// A row with a primary-key-only before-image (binlog_row_image=MINIMAL).
bytes minimal_row(uint32_t id, const bytes& diff_list) {
  bytes row{0x00};
  append(row, int_value(id));
  row.push_back(0x01);
  row.push_back(0x01);
  row.push_back(0x00); // nulls of doc
  append(row, json_value(diff_list));
  return row;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(json_partial_tests, fixture)

CAF_TEST(diffs apply to the document of a full before-image) {
  feed_all({table_map(),
            partial_update(
              0x07, 0x07, {full_row(before_doc(), many_diffs(), "n1", "n2")})});
  CAF_REQUIRE_EQUAL(sink.values.size(), 1u);
  CAF_CHECK_EQUAL(sink.keys[0], R"({"id":7})");
  CAF_CHECK_EQUAL(sink.values[0]["op"], "u");
  CAF_CHECK_EQUAL(column(0, "before", "doc"),
                  R"({"a": 1, "b": [1, 2, 3], "c": {"d": "x"}})");
  // Keys in MySQL's order: by length, then bytes.
  CAF_CHECK_EQUAL(column(0, "after", "doc"),
                  R"({"a": "z", "b": [9, 2, 3, 1.5], "c": {}, "aa": true, )"
                  R"("x y": null})");
  CAF_CHECK_EQUAL(column(0, "before", "note"), "n1");
  CAF_CHECK_EQUAL(column(0, "after", "note"), "n2");
}

CAF_TEST(without a before document the diffs are described) {
  feed_all(
    {table_map(), partial_update(0x01, 0x02, {minimal_row(7, many_diffs())})});
  CAF_REQUIRE_EQUAL(sink.values.size(), 1u);
  CAF_CHECK_EQUAL(sink.keys[0], R"({"id":7})");
  CAF_CHECK_EQUAL(sink.values[0]["before"].dump(), R"({"id":7})");
  CAF_CHECK_EQUAL(column(0, "after", "doc"),
                  R"({"$partial_json": [)"
                  R"({"op": "replace", "path": "$.a", "value": "z"}, )"
                  R"({"op": "insert", "path": "$.aa", "value": true}, )"
                  R"({"op": "insert", "path": "$.b[1]", "value": 9}, )"
                  R"({"op": "insert", "path": "$.b[10]", "value": 7}, )"
                  R"({"op": "remove", "path": "$.b[0]"}, )"
                  R"({"op": "remove", "path": "$.c.d"}, )"
                  R"({"op": "insert", "path": "$.\"x y\"", "value": null}, )"
                  R"({"op": "replace", "path": "$.b[last]", "value": 1.5}]})");
  CAF_CHECK_EQUAL(column(0, "after", "id"), "<missing>");
}

CAF_TEST(an empty diff list keeps or describes the document) {
  feed_all({table_map(),
            partial_update(0x07, 0x07, {full_row(before_doc(), {}, "n", "n")}),
            partial_update(0x01, 0x02, {minimal_row(8, {})})});
  CAF_REQUIRE_EQUAL(sink.values.size(), 2u);
  CAF_CHECK_EQUAL(column(0, "after", "doc"),
                  R"({"a": 1, "b": [1, 2, 3], "c": {"d": "x"}})");
  CAF_CHECK_EQUAL(column(1, "after", "doc"), R"({"$partial_json": []})");
}

CAF_TEST(deep paths and documents that outgrow the small form) {
  // {"o": {"p": {"q": [1, {"r": 2}]}}}
  auto q = arr({i16(1), obj({{"r", i16(2)}})});
  auto deep = doc(obj({{"o", obj({{"p", obj({{"q", q}})}})}}));
  std::string big(70000, 'q');
  feed_all(
    {table_map(),
     partial_update(
       0x07, 0x07,
       {full_row(deep,
                 diffs({diff(op_replace, "$.o.p.q[1].r", doc(str("deep"))),
                        diff(op_insert, "$.o.big", doc(str(big)))}),
                 "n", "n")})});
  CAF_REQUIRE_EQUAL(sink.values.size(), 1u);
  CAF_CHECK_EQUAL(column(0, "after", "doc"),
                  R"({"o": {"p": {"q": [1, {"r": "deep"}]}, "big": ")" + big
                    + "\"}}");
}

CAF_TEST(only the flagged JSON column is a diff and rows may mix) {
  auto row = [](uint32_t id, uint8_t options, const bytes& j2) {
    bytes r{0x00};
    append(r, int_value(id));
    append(r, json_value(doc(obj({{"k", i16(1)}}))));
    append(r, json_value(doc(arr({lit(1)}))));
    r.push_back(options);
    if (options != 0)
      r.push_back(0x02); // the second JSON column (j2) is a diff
    r.push_back(0x00);
    append(r, int_value(id));
    append(r, json_value(doc(obj({{"k", i16(2)}}))));
    append(r, json_value(j2));
    return r;
  };
  feed_all({table_map(true),
            partial_update(0x07, 0x07,
                           {row(1, 0x01,
                                diffs({diff(op_insert, "$[0]", doc(lit(2)))})),
                            row(2, 0x00, doc(arr({lit(0)})))})});
  CAF_REQUIRE_EQUAL(sink.values.size(), 2u);
  CAF_CHECK_EQUAL(column(0, "after", "j1"), R"({"k": 2})");
  CAF_CHECK_EQUAL(column(0, "after", "j2"), "[false, true]");
  CAF_CHECK_EQUAL(column(1, "after", "j1"), R"({"k": 2})");
  CAF_CHECK_EQUAL(column(1, "after", "j2"), "[null]");
}

CAF_TEST(diffs a replica would reject are decoding errors) {
  feed_all({table_map()});
  auto fails = [&](const bytes& list) {
    auto err = feed(
      partial_update(0x07, 0x07, {full_row(before_doc(), list, "n", "n")}));
    CAF_CHECK(err.code == binlog::errc::corrupt_event);
    return err.message;
  };
  auto message = fails(diffs({diff(op_replace, "$.missing", doc(lit(0)))}));
  CAF_CHECK_EQUAL(message.rfind("binlog at offset ", 0), 0u);
  CAF_CHECK_NOT_EQUAL(message.find("row 0 of PARTIAL_UPDATE_ROWS on test.doc:"
                                   " column doc: JSON diff REPLACE $.missing "
                                   "does not apply: no value at the path"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(fails(diffs({diff(op_insert, "$.a", doc(lit(0)))}))
                        .find("the member exists"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(
    fails(diffs({diff(op_remove, "$.b[3]")})).find("no value at the path"),
    std::string::npos);
  CAF_CHECK_NOT_EQUAL(fails(diffs({diff(op_replace, "$.a.x", doc(lit(0)))}))
                        .find("the path runs into a scalar"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(fails(diffs({diff(op_replace, "$.b.x", doc(lit(0)))}))
                        .find("a member name on an array"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(fails(diffs({diff(op_replace, "$", doc(lit(0)))}))
                        .find("cannot change the whole document"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(fails(diffs({diff(op_replace, "$.b[*]", doc(lit(0)))}))
                        .find("bad array index"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(fails(diffs({diff(op_replace, "$.a", {0x0d, 0x00})}))
                        .find("JSON diff value is malformed"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(
    fails({op_replace, 3, '$', '.', 'a', 9, 0x04}).find("runs past the end"),
    std::string::npos);
  CAF_CHECK_NOT_EQUAL(fails({7, 3, '$', '.', 'a'}).find("unknown operation"),
                      std::string::npos);
  CAF_CHECK_EQUAL(sink.values.size(), 0u);
}

CAF_TEST(a malformed JSON document in a row image is a decoding error) {
  feed_all({table_map()});
  bytes body;
  append_le(body, 0x42, 6);
  append_le(body, 1, 2);
  append_le(body, 2, 2);
  body.push_back(3);
  body.push_back(0x07);
  body.push_back(0x00);
  append(body, int_value(1));
  // An array whose value offset points past its end.
  append(body, json_value({0x02, 0x01, 0x00, 0x07, 0x00, 0x0c, 0xff, 0xff}));
  append(body, varchar_value("n"));
  auto err = feed(event(write_rows_event, body));
  CAF_CHECK(err.code == binlog::errc::corrupt_event);
  auto event_offset = offset - 19 - body.size();
  CAF_CHECK_EQUAL(err.message,
                  "binlog at offset " + std::to_string(event_offset)
                    + ": row 0 of WRITE_ROWS on test.doc: JSON value of "
                      "column doc is malformed: value outside its object or "
                      "array at byte 5");
  CAF_CHECK_EQUAL(sink.values.size(), 0u);
}

CAF_TEST(a NULL before value is described too) {
  bytes row{0x02}; // doc is NULL in the before-image
  append(row, int_value(9));
  append(row, varchar_value("n"));
  row.push_back(0x01);
  row.push_back(0x01);
  row.push_back(0x00);
  append(row, int_value(9));
  append(row, json_value(diffs({diff(op_remove, "$.x")})));
  append(row, varchar_value("n"));
  feed_all({table_map(), partial_update(0x07, 0x07, {row})});
  CAF_REQUIRE_EQUAL(sink.values.size(), 1u);
  CAF_CHECK(sink.values[0]["before"]["doc"].is_null());
  CAF_CHECK_EQUAL(column(0, "after", "doc"),
                  R"({"$partial_json": [{"op": "remove", "path": "$.x"}]})");
}

CAF_TEST(corrupted partial rows are errors or records and never crashes) {
  feed_all({table_map()});
  auto good = partial_update(0x07, 0x07,
                             {full_row(before_doc(), many_diffs(), "a", "b")});
  CAF_REQUIRE_EQUAL(feed(good).message, "");
  CAF_REQUIRE_EQUAL(sink.values.size(), 1u);
  auto want = sink.values[0];
  std::mt19937 rng{7};
  size_t decoded = 0;
  size_t refused = 0;
  for (int round = 0; round < 3000; ++round) {
    auto e = good;
    // Leave the event header alone: corrupt the rows.
    for (int i = 0, n = 1 + static_cast<int>(rng() % 3); i < n; ++i)
      e[19 + 13 + rng() % (e.size() - 19 - 13)] = static_cast<uint8_t>(rng());
    auto at = "binlog at offset " + std::to_string(offset) + ": ";
    auto records = sink.values.size();
    if (auto err = feed(e)) {
      // An error says which event (rows before the broken one may have
      // gone out: the stream stops there).
      ++refused;
      if (err.message.compare(0, at.size(), at) != 0)
        CAF_FAIL("round " << round << ": " << err.message);
    } else {
      // A record is JSON (the sink parsed it) with both images.
      ++decoded;
      CAF_REQUIRE_GREATER(sink.values.size(), records);
      CAF_CHECK(sink.values.back().contains("after"));
    }
  }
  CAF_MESSAGE(decoded << " of 3000 corrupted events still decoded");
  // Both outcomes were met, and nothing of them stays behind: the intact
  // event decodes as before.
  CAF_CHECK_GREATER(decoded, 0u);
  CAF_CHECK_GREATER(refused, 0u);
  CAF_REQUIRE_EQUAL(feed(good).message, "");
  CAF_CHECK_EQUAL(sink.values.back()["before"], want["before"]);
  CAF_CHECK_EQUAL(sink.values.back()["after"], want["after"]);
}

CAF_TEST_FIXTURE_SCOPE_END()
