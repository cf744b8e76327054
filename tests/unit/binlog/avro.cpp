#define CAF_SUITE binlog.avro

// The avro record format: Avro's binary encoding (known bytes for known
// values), Avro schemas made from Connect schemas as Confluent's AvroData
// makes them, the Confluent wire format, and the records of the fixture
// with their schemas registered per subject (a registry stand-in here;
// tests/interop/test_avro.sh runs the real Apicurio Registry and reads the
// records back with Apache Avro).

#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "binlog/avro.hpp"
#include "binlog/snapshot_marks.hpp"
#include "binlog/snapshot_table.hpp"
#include "records_test.hpp"

using namespace b2k::test;
namespace avro = binlog::avro;

namespace {

std::string long_hex(int64_t v) {
  std::string out;
  avro::write_long(out, v);
  return hex(out);
}

/// Registers in memory: one id per distinct (subject, schema), in order.
struct registry_stand_in : avro::registry {
  std::map<std::string, std::vector<std::string>> subjects;
  std::vector<std::string> schemas; // by id - 1
  std::string refuse;               // a subject to refuse

  binlog::expected<int32_t>
  register_schema(const std::string& subject,
                  const std::string& schema) override {
    if (subject == refuse)
      return binlog::error{binlog::errc::registry,
                           "registry: subject '" + subject + "' refused"};
    auto& versions = subjects[subject];
    if (versions.empty() || versions.back() != schema)
      versions.push_back(schema);
    for (size_t i = 0; i < schemas.size(); ++i)
      if (schemas[i] == schema)
        return static_cast<int32_t>(i + 1);
    schemas.push_back(schema);
    return static_cast<int32_t>(schemas.size());
  }
};

// A Connect schema with each kind of thing Debezium's schemas hold.
constexpr std::string_view sample_schema =
  R"({"type":"struct","fields":[)"
  R"({"type":"int16","optional":true,"field":"a"},)"
  R"({"type":"bytes","optional":false,)"
  R"("name":"org.apache.kafka.connect.data.Decimal","version":1,)"
  R"("parameters":{"scale":"2","connect.decimal.precision":"5"},"field":"d"},)"
  R"({"type":"int32","optional":true,"name":"io.debezium.time.Date",)"
  R"("version":1,"field":"dt"},)"
  R"({"type":"struct","fields":[{"type":"string","optional":false,)"
  R"("field":"s"}],"optional":true,"name":"p.db.t-1.Value","field":"before"},)"
  R"({"type":"struct","fields":[{"type":"string","optional":false,)"
  R"("field":"s"}],"optional":true,"name":"p.db.t-1.Value","field":"after"},)"
  R"({"type":"string","optional":true,"name":"io.debezium.data.Enum",)"
  R"("version":1,"parameters":{"allowed":"true,false"},"default":"false",)"
  R"("field":"snapshot"},)"
  R"({"type":"array","items":{"type":"string","optional":false},)"
  R"("optional":true,"field":"list"},)"
  R"({"type":"float","optional":false,"field":"f"},)"
  R"({"type":"double","optional":false,"field":"g"},)"
  R"({"type":"boolean","optional":false,"field":"b"},)"
  R"({"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.)"
  R"(Timestamp","version":1,"field":"ts"}],)"
  R"("optional":false,"name":"p.db.t-1.Envelope","version":2})";

} // namespace

CAF_TEST(longs are zigzag varints) {
  CAF_CHECK_EQUAL(long_hex(0), "00");
  CAF_CHECK_EQUAL(long_hex(-1), "01");
  CAF_CHECK_EQUAL(long_hex(1), "02");
  CAF_CHECK_EQUAL(long_hex(-64), "7f");
  CAF_CHECK_EQUAL(long_hex(64), "8001");
  CAF_CHECK_EQUAL(long_hex(-8193), "818001");
  CAF_CHECK_EQUAL(long_hex(INT64_MAX), "feffffffffffffffff01");
  CAF_CHECK_EQUAL(long_hex(INT64_MIN), "ffffffffffffffffff01");
}

CAF_TEST(the wire format starts with magic byte 0 and the id big - endian) {
  std::string out;
  avro::write_header(out, 258);
  CAF_CHECK_EQUAL(hex(out), "0000000102");
  out.clear();
  avro::write_header(out, 0x7fffffff);
  CAF_CHECK_EQUAL(hex(out), "007fffffff");
}

CAF_TEST(avro names keep letters digits and underscores) {
  CAF_CHECK_EQUAL(avro::adjust_name("order-items"), "order_items");
  CAF_CHECK_EQUAL(avro::adjust_name("1st"), "_st");
  CAF_CHECK_EQUAL(avro::adjust_name("caf\xc3\xa9"), "caf__");
  CAF_CHECK_EQUAL(avro::adjust_name("ok_1"), "ok_1");
}

CAF_TEST(connect schemas become the avro schemas of AvroData) {
  auto s = avro::from_connect(sample_schema);
  CAF_REQUIRE_EQUAL(s.error().message, "");
  CAF_CHECK_EQUAL(
    s->text,
    R"({"type":"record","name":"Envelope","namespace":"p.db.t_1","fields":[)"
    R"({"name":"a","type":["null",{"type":"int","connect.type":"int16"}],)"
    R"("default":null},)"
    R"({"name":"d","type":{"type":"bytes","scale":2,"precision":5,)"
    R"("connect.version":1,"connect.parameters":{"scale":"2",)"
    R"("connect.decimal.precision":"5"},)"
    R"("connect.name":"org.apache.kafka.connect.data.Decimal",)"
    R"("logicalType":"decimal"}},)"
    R"({"name":"dt","type":["null",{"type":"int","connect.version":1,)"
    R"("connect.name":"io.debezium.time.Date"}],"default":null},)"
    R"({"name":"before","type":["null",{"type":"record","name":"Value",)"
    R"("namespace":"p.db.t_1","fields":[{"name":"s","type":"string"}],)"
    R"("connect.name":"p.db.t_1.Value"}],"default":null},)"
    R"({"name":"after","type":["null","p.db.t_1.Value"],"default":null},)"
    R"({"name":"snapshot","type":[{"type":"string","connect.version":1,)"
    R"("connect.parameters":{"allowed":"true,false"},)"
    R"("connect.default":"false","connect.name":"io.debezium.data.Enum"},)"
    R"("null"],"default":"false"},)"
    R"({"name":"list","type":["null",{"type":"array","items":"string"}],)"
    R"("default":null},)"
    R"({"name":"f","type":"float"},{"name":"g","type":"double"},)"
    R"({"name":"b","type":"boolean"},)"
    R"({"name":"ts","type":{"type":"long","connect.version":1,)"
    R"("connect.name":"org.apache.kafka.connect.data.Timestamp",)"
    R"("logicalType":"timestamp-millis"}}],)"
    R"("connect.version":2,"connect.name":"p.db.t_1.Envelope"})");
}

CAF_TEST(payloads encode to known bytes) {
  auto s = avro::from_connect(sample_schema);
  CAF_REQUIRE_EQUAL(s.error().message, "");
  std::string out;
  auto err = avro::encode(
    *s->root,
    R"({"a":-1,"d":"AQI=","dt":null,"before":null,"after":{"s":"hi"},)"
    R"("snapshot":"true","list":["x"],"f":1.5,"g":-2.0,"b":true,)"
    R"("ts":1700000000000})",
    out);
  CAF_REQUIRE_EQUAL(err.message, "");
  CAF_CHECK_EQUAL(hex(out),
                  "0201"             // a: union branch 1, -1
                  "040102"           // d: 2 bytes 01 02
                  "00"               // dt: null
                  "00"               // before: null
                  "02046869"         // after: branch 1, s = "hi"
                  "000874727565"     // snapshot: branch 0, "true"
                  "0202027800"       // list: one block of 1, "x", end
                  "0000c03f"         // f: 1.5
                  "00000000000000c0" // g: -2.0
                  "01"               // b: true
                  "80a0abfef962");   // ts: 1700000000000
}

CAF_TEST(payloads that do not fit the schema are refused) {
  auto s = avro::from_connect(sample_schema);
  CAF_REQUIRE_EQUAL(s.error().message, "");
  std::string out;
  auto err = avro::encode(*s->root, R"({"a":1,"d":null})", out);
  CAF_CHECK_EQUAL(err.code, binlog::errc::bad_value);
  CAF_CHECK_EQUAL(err.message,
                  "Avro encoding: $.d: a value expected, not null");
  err = avro::encode(*s->root, R"({"a":3000000000})", out);
  CAF_CHECK_EQUAL(err.message,
                  "Avro encoding: $.a: an int expected, not 3000000000");
  err = avro::encode(*s->root, R"({"a":1,"d":"AQI=","dt":"x"})", out);
  CAF_CHECK_EQUAL(err.message,
                  "Avro encoding: $.dt: an integer expected, not \"x\"");
  CAF_CHECK(!avro::from_connect(R"({"type":"map"})"));
  CAF_CHECK(!avro::from_connect("not json"));
}

CAF_TEST(the fixture records in avro are the json payloads under their schemas) {
  auto registry = std::make_shared<registry_stand_in>();
  auto options = run_defaults();
  options.transaction_topic = "{prefix}.transaction";
  auto json_options = options;
  json_options.schemas = true;
  options.format = binlog::record_format::avro;
  options.registry = registry;
  recorded json{records_fixture(), json_options};
  recorded avro_run{records_fixture(), options};
  CAF_REQUIRE_EQUAL(json.err.message, "");
  CAF_REQUIRE_EQUAL(avro_run.err.message, "");
  CAF_REQUIRE_EQUAL(avro_run.records().size(), json.records().size());
  CAF_REQUIRE(json.records().size() > 10);
  // Each record: magic byte, the id of the Avro schema of its Connect
  // schema as registered under <topic>-key/-value, the payload's encoding.
  auto expect = [&](const std::string& subject, const std::string& with_schema,
                    const std::string& got) {
    // (ordered: the Connect schema's text as written, parameters in order)
    auto doc = nlohmann::ordered_json::parse(with_schema);
    auto schema = avro::from_connect(doc["schema"].dump());
    CAF_REQUIRE_EQUAL(schema.error().message, "");
    auto& versions = registry->subjects[subject];
    CAF_CHECK(std::find(versions.begin(), versions.end(), schema->text)
              != versions.end());
    int32_t id = 0;
    for (size_t i = 0; i < registry->schemas.size(); ++i)
      if (registry->schemas[i] == schema->text)
        id = static_cast<int32_t>(i + 1);
    std::string want;
    avro::write_header(want, id);
    CAF_REQUIRE_EQUAL(
      avro::encode(*schema->root, doc["payload"].dump(), want).message, "");
    CAF_CHECK_EQUAL(hex(got), hex(want));
  };
  size_t tombstones = 0, keyless = 0;
  for (size_t i = 0; i < json.records().size(); ++i) {
    auto& j = json.records()[i];
    auto& a = avro_run.records()[i];
    CAF_CHECK_EQUAL(a.topic, j.topic);
    CAF_CHECK_EQUAL(a.null_value, j.null_value);
    CAF_CHECK(a.headers == j.headers);
    if (j.key.empty()) {
      CAF_CHECK_EQUAL(a.key, "");
      ++keyless;
    } else {
      expect(j.topic + "-key", j.key, a.key);
    }
    if (j.null_value)
      ++tombstones;
    else
      expect(j.topic + "-value", j.value, a.value);
  }
  CAF_CHECK(tombstones > 0);
  CAF_CHECK(keyless > 0);
  CAF_CHECK_EQUAL(registry->subjects.count("binlog2kafka-value"), 1u);
  CAF_CHECK_EQUAL(registry->subjects.count("binlog2kafka.transaction-key"), 1u);
  CAF_CHECK_EQUAL(registry->subjects.count("binlog2kafka.shop.customers-key"),
                  1u);
}

CAF_TEST(a refused schema stops the decoder with the registry line) {
  auto registry = std::make_shared<registry_stand_in>();
  registry->refuse = "binlog2kafka.shop.customers-value";
  auto options = run_defaults();
  options.format = binlog::record_format::avro;
  options.registry = registry;
  recorded d{records_fixture(), options};
  CAF_CHECK_EQUAL(d.err.code, binlog::errc::registry);
  CAF_CHECK(d.err.message.find(
              "registry: subject 'binlog2kafka.shop.customers-value' refused")
            != std::string::npos);
  CAF_CHECK(d.records().empty()
            || d.records().back().topic != registry->refuse);
}

CAF_TEST(avro needs a registry value mode debezium and no json schemas) {
  auto options = run_defaults();
  options.format = binlog::record_format::avro;
  CAF_CHECK_EQUAL(binlog::check_record_options(options).message,
                  "format: avro needs schema-registry-url");
  options.registry = std::make_shared<registry_stand_in>();
  options.schemas = true;
  CAF_CHECK_EQUAL(binlog::check_record_options(options).code,
                  binlog::errc::bad_value);
  options.schemas = false;
  options.values.mode = binlog::value_mode::readable;
  CAF_CHECK_EQUAL(binlog::check_record_options(options).code,
                  binlog::errc::bad_value);
}

CAF_TEST(the snapshot mark is the source block's not a column's) {
  // A column named "snapshot" holding "true" (json) and bytes shaped like
  // the source block's start (avro) come before the source block.
  namespace ft = binlog::field_type;
  binlog::table_info table;
  table.map.db = "shop";
  table.map.table = "flags";
  table.map.has_names = true;
  auto id = col(ft::long_);
  id.name = "id";
  id.nullable = false;
  auto flag = col(ft::varchar, 255, false, 45);
  flag.name = "snapshot";
  auto note = col(ft::blob, 2, false, binlog::binary_collation);
  note.name = "note";
  table.map.columns = {id, flag, note};
  table.map.primary_key = {0};
  std::vector<std::string> packed(3);
  CAF_REQUIRE(!binlog::pack_value(id, "1", packed[0]));
  CAF_REQUIRE(!binlog::pack_value(flag, "true", packed[1]));
  CAF_REQUIRE(!binlog::pack_value(note,
                                  std::string_view{"\x0amysql\x04"
                                                   "ab\x02\x00\x08true",
                                                   14},
                                  packed[2]));
  std::vector<binlog::value_slot> row;
  for (auto& p : packed)
    row.push_back({reinterpret_cast<const uint8_t*>(p.data()),
                   static_cast<uint32_t>(p.size()),
                   binlog::value_slot::present});
  for (auto format :
       {binlog::record_format::json, binlog::record_format::avro}) {
    auto options = run_defaults();
    options.format = format;
    if (format == binlog::record_format::avro)
      options.registry = std::make_shared<registry_stand_in>();
    auto encoder = binlog::record_encoder::make(options);
    CAF_REQUIRE(encoder);
    auto info = table;
    CAF_REQUIRE_EQUAL(encoder->prepare(info).message, "");
    auto encode = [&](std::string_view snapshot) {
      encoder->encode_read(info, row, 1700000000000, 1, "b.000001", 4,
                           snapshot);
      std::string key{encoder->key()};
      std::string value{encoder->value()};
      if (format == binlog::record_format::avro)
        CAF_REQUIRE_EQUAL(encoder->avro_record(info, key, value).message, "");
      return value;
    };
    auto value = encode("true");
    auto at = binlog::snapshot_mark_offset(value, format);
    CAF_REQUIRE(at != std::string::npos);
    value.replace(at, 4, "last");
    CAF_CHECK_EQUAL(hex(value), hex(encode("last")));
    CAF_CHECK_EQUAL(binlog::snapshot_mark_offset(encode("first"), format),
                    std::string::npos);
    // "first" is one byte longer: made from "true", it equals the record
    // encoded with "first" (Avro: the string's length changes too).
    std::string first = "prefix";
    CAF_REQUIRE(binlog::snapshot_mark_first(encode("true"), format, first));
    CAF_CHECK_EQUAL(hex(first), hex("prefix" + encode("first")));
    std::string none;
    CAF_CHECK(!binlog::snapshot_mark_first(encode("first"), format, none));
    CAF_CHECK(none.empty());
  }
}
