#define CAF_SUITE binlog.records_key_change

#include <caf/test/unit_test.hpp>

#include "messages/record_batch.hpp"
#include "records_test.hpp"

// Updates that change a primary key, on the real MariaDB binlog
// tests/data/mariadb_keychange.000001 (make_mariadb_keychange.sh): sent as
// Debezium sends them (RelationalChangeRecordEmitter), a delete of the old
// key with a header naming the new one, its tombstone (same header), a
// create of the new key with a header naming the old one; two events of
// their transaction. tests/interop compares the same against Debezium.

using namespace b2k::test;
using binlog::record_kind;

namespace {

std::string fixture() {
  return data_path("mariadb_keychange.000001");
}

binlog::record_options options(bool tombstones = true) {
  binlog::record_options o;
  o.tombstones = tombstones;
  o.transaction_topic = "{prefix}.transaction";
  o.include_databases = {"kc"};
  return o;
}

/// The payload of a value, with or without a schema.
json payload(const raw_record& r) {
  auto v = r.parsed();
  return v.contains("payload") ? v["payload"] : v;
}

/// The records of the transaction with `gtid` (BEGIN and END, the row
/// changes and the tombstones after them).
std::vector<raw_record> txn(const recorded& d, const std::string& gtid) {
  std::vector<raw_record> out;
  bool in_rows = false;
  for (auto& r : d.records()) {
    if (r.kind == record_kind::tombstone) {
      if (in_rows)
        out.push_back(r);
      continue;
    }
    auto v = payload(r);
    in_rows = r.kind == record_kind::change && v["source"]["gtid"] == gtid;
    if (in_rows || (r.kind == record_kind::transaction && v["id"] == gtid))
      out.push_back(r);
  }
  return out;
}

using header_list = std::vector<std::pair<std::string, std::string>>;

header_list newkey(const std::string& key) {
  return {{"__debezium.newkey", key}};
}

header_list oldkey(const std::string& key) {
  return {{"__debezium.oldkey", key}};
}

} // namespace

CAF_TEST(a key change is a delete and its tombstone and a create) {
  recorded d{fixture(), options()};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  auto t = txn(d, "0-1-14"); // UPDATE t SET id = 10 WHERE id = 1
  CAF_REQUIRE_EQUAL(t.size(), 5u);
  CAF_CHECK(t[0].kind == record_kind::transaction);
  auto& del = t[1];
  CAF_CHECK(del.kind == record_kind::change);
  CAF_CHECK_EQUAL(del.key, R"({"id":1})");
  CAF_CHECK_EQUAL(del.at({"op"}), "d");
  CAF_CHECK_EQUAL(del.at({"before"}).dump(), R"({"id":1,"v":"uno"})");
  CAF_CHECK(del.at({"after"}).is_null());
  CAF_CHECK(del.headers == newkey(R"({"id":10})"));
  auto& tomb = t[2];
  CAF_CHECK(tomb.kind == record_kind::tombstone);
  CAF_CHECK_EQUAL(tomb.key, R"({"id":1})");
  CAF_CHECK(tomb.headers == newkey(R"({"id":10})"));
  auto& create = t[3];
  CAF_CHECK(create.kind == record_kind::change);
  CAF_CHECK_EQUAL(create.key, R"({"id":10})");
  CAF_CHECK_EQUAL(create.at({"op"}), "c");
  CAF_CHECK(create.at({"before"}).is_null());
  CAF_CHECK_EQUAL(create.at({"after"}).dump(), R"({"id":10,"v":"uno"})");
  CAF_CHECK(create.headers == oldkey(R"({"id":1})"));
  // Both are events of the transaction, in the topic of the table.
  CAF_CHECK_EQUAL(del.at({"transaction", "total_order"}), 1);
  CAF_CHECK_EQUAL(create.at({"transaction", "total_order"}), 2);
  CAF_CHECK_EQUAL(create.at({"transaction", "data_collection_order"}), 2);
  CAF_CHECK_EQUAL(del.topic, create.topic);
  CAF_CHECK_EQUAL(t[4].at({"event_count"}), 2);
  CAF_CHECK_EQUAL(t[4].at({"data_collections"}).dump(),
                  R"([{"data_collection":"kc.t","event_count":2}])");
  // The row is complete only with the create.
  CAF_CHECK_EQUAL(del.row_in_txn, 0u);
  CAF_CHECK_EQUAL(tomb.row_in_txn, 0u);
  CAF_CHECK_EQUAL(create.row_in_txn, 1u);
}

CAF_TEST(several key changes in one statement keep the row order) {
  recorded d{fixture(), options()};
  auto t = txn(d, "0-1-15"); // ids 3 then 2 (ORDER BY id DESC) + 100
  CAF_REQUIRE_EQUAL(t.size(), 8u);
  CAF_CHECK_EQUAL(t[1].key, R"({"id":3})");
  CAF_CHECK_EQUAL(t[3].key, R"({"id":103})");
  CAF_CHECK_EQUAL(t[4].key, R"({"id":2})");
  CAF_CHECK(t[4].headers == newkey(R"({"id":102})"));
  CAF_CHECK_EQUAL(t[6].key, R"({"id":102})");
  CAF_CHECK_EQUAL(t[6].at({"transaction", "total_order"}), 4);
  CAF_CHECK_EQUAL(t[7].at({"event_count"}), 4);
  CAF_CHECK_EQUAL(t[6].row_in_txn, 2u);
}

CAF_TEST(a key of several columns changes inside a transaction) {
  recorded d{fixture(), options()};
  auto t = txn(d, "0-1-16");
  // BEGIN, d + tombstone + c of pair, c of t, u of pair (key kept), END
  CAF_REQUIRE_EQUAL(t.size(), 7u);
  CAF_CHECK_EQUAL(t[1].key, R"({"a":"p","b":19723})");
  CAF_CHECK(t[1].headers == newkey(R"({"a":"p","b":19724})"));
  CAF_CHECK_EQUAL(t[3].key, R"({"a":"p","b":19724})");
  CAF_CHECK(t[3].headers == oldkey(R"({"a":"p","b":19723})"));
  CAF_CHECK_EQUAL(t[4].at({"op"}), "c");
  CAF_CHECK_EQUAL(t[4].at({"transaction", "total_order"}), 3);
  CAF_CHECK_EQUAL(t[4].at({"transaction", "data_collection_order"}), 1);
  CAF_CHECK_EQUAL(t[5].at({"op"}), "u");
  CAF_CHECK(t[5].headers.empty());
  CAF_CHECK_EQUAL(t[5].at({"transaction", "data_collection_order"}), 3);
  CAF_CHECK_EQUAL(t[6].at({"data_collections"}).dump(),
                  R"([{"data_collection":"kc.pair","event_count":3},)"
                  R"({"data_collection":"kc.t","event_count":1}])");
}

CAF_TEST(updates that keep the key and updates of keyless tables stay updates) {
  recorded d{fixture(), options()};
  auto same = txn(d, "0-1-13"); // UPDATE t SET v = 'uno' WHERE id = 1
  CAF_REQUIRE_EQUAL(same.size(), 3u);
  CAF_CHECK_EQUAL(same[1].at({"op"}), "u");
  CAF_CHECK(same[1].headers.empty());
  auto keyless = txn(d, "0-1-17");
  CAF_REQUIRE_EQUAL(keyless.size(), 3u);
  CAF_CHECK_EQUAL(keyless[1].at({"op"}), "u");
  CAF_CHECK(keyless[1].key.empty());
}

CAF_TEST(tombstones off leaves a delete and a create) {
  recorded d{fixture(), options(false)};
  auto t = txn(d, "0-1-14");
  CAF_REQUIRE_EQUAL(t.size(), 4u);
  CAF_CHECK_EQUAL(t[1].at({"op"}), "d");
  CAF_CHECK_EQUAL(t[2].at({"op"}), "c");
  CAF_CHECK(d.of(record_kind::tombstone).empty());
}

CAF_TEST(a restart after any record sends the rest and loses nothing) {
  // A key change's row is complete with its create: a restart at the
  // delete's or the tombstone's position sends all three again.
  auto o = options();
  recorded full{fixture(), o};
  CAF_REQUIRE_EQUAL(full.err.message, "");
  auto& recs = full.records();
  check_restarts(full, fixture(), o, 3, [&](size_t i) {
    // The last record of its row.
    return recs[i].kind == record_kind::change
           && (i + 1 == recs.size()
               || recs[i + 1].row_in_txn != recs[i].row_in_txn
               || recs[i + 1].txn.pos != recs[i].txn.pos);
  });
}

CAF_TEST(schemas name the key and value types and follow a new table map) {
  auto o = options();
  o.schemas = true;
  recorded d{fixture(), o};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  auto before = txn(d, "0-1-14");
  auto after = txn(d, "0-1-19"); // after ALTER TABLE t ADD COLUMN w
  CAF_REQUIRE_EQUAL(before.size(), 5u);
  CAF_REQUIRE_EQUAL(after.size(), 5u);
  auto key = json::parse(before[1].key);
  CAF_CHECK_EQUAL(key["payload"].dump(), R"({"id":1})");
  CAF_CHECK_EQUAL(
    key["schema"].dump(),
    R"({"fields":[{"field":"id","optional":false,"type":"int32"}],)"
    R"("name":"binlog2kafka.kc.t.Key","optional":false,"type":"struct"})");
  // The header names the other key without a schema, as Kafka Connect's
  // SimpleHeaderConverter writes it.
  CAF_CHECK(before[1].headers == newkey(R"({"id":10})"));
  auto fields_of = [](const raw_record& r) {
    auto v = r.parsed();
    std::vector<std::string> names;
    for (auto& f : v["schema"]["fields"][1]["fields"]) // "after"
      names.push_back(f["field"]);
    return names;
  };
  CAF_CHECK_EQUAL(fields_of(before[3]), (std::vector<std::string>{"id", "v"}));
  CAF_CHECK_EQUAL(fields_of(after[3]),
                  (std::vector<std::string>{"id", "v", "w"}));
  auto v = after[3].parsed();
  CAF_CHECK_EQUAL(v["schema"]["name"], "binlog2kafka.kc.t.Envelope");
  CAF_CHECK_EQUAL(
    v["schema"]["fields"][1]["fields"][2].dump(),
    R"({"field":"w","name":"org.apache.kafka.connect.data.Decimal",)"
    R"("optional":false,"parameters":{"connect.decimal.precision":"5",)"
    R"("scale":"2"},"type":"bytes","version":1})");
  CAF_CHECK_EQUAL(v["payload"]["after"].dump(),
                  R"({"id":11,"v":"uno","w":"AJY="})");
  CAF_CHECK(after[2].null_value); // a tombstone has no schema either
  // Transaction records carry Debezium's schemas too.
  auto begin = after[0].parsed();
  CAF_CHECK_EQUAL(begin["schema"]["name"],
                  "io.debezium.connector.common.TransactionMetadataValue");
}

CAF_TEST(headers cross a batch and its serialization) {
  b2k::record_batch batch;
  batch.topics.push_back("binlog2kafka.kc.t");
  b2k::record_ref ref;
  ref.headers_offset = static_cast<uint32_t>(batch.data.size());
  b2k::header_block::append(batch.data, "__debezium.newkey", R"({"id":10})");
  ref.headers_size = static_cast<uint32_t>(batch.data.size());
  batch.records = {ref, b2k::record_ref{}};
  auto copy = serialized_copy(batch);
  header_list seen;
  CAF_CHECK(b2k::header_block::for_each(
    copy.headers(copy.records[0]), [&](std::string_view n, std::string_view v) {
      seen.emplace_back(std::string{n}, std::string{v});
    }));
  CAF_CHECK(seen == newkey(R"({"id":10})"));
  CAF_CHECK(copy.headers(copy.records[1]).empty());
  // A block cut short is refused, not read past its end.
  CAF_CHECK(
    !b2k::header_block::for_each(std::string_view{copy.data}.substr(0, 10),
                                 [](std::string_view, std::string_view) {}));
}
