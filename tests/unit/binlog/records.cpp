#define CAF_SUITE binlog.records

#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "records_test.hpp"

// The Debezium envelope and its transaction metadata, on
// tests/data/mariadb_records.000001 (make_mariadb_records.sh): source blocks
// with every field Debezium's MySQL connector writes, transaction ids and
// orders, the transaction topic's BEGIN and END, and restarts that number
// rows as the first run did.

using namespace b2k::test;
using binlog::record_kind;

namespace {

// Transactions of the fixture: the offsets of their GTID events.
constexpr uint64_t txn_multi = 1556;  // 0-1-13: six rows over four tables
constexpr uint64_t txn_delete = 2753; // 0-1-14: one delete

binlog::record_options with_transactions() {
  auto o = run_defaults();
  o.transaction_topic = "{prefix}.transaction";
  return o;
}

std::vector<std::string> lines_of(const std::vector<raw_record>& records) {
  std::vector<std::string> out;
  for (auto& r : records)
    out.push_back(r.line());
  return out;
}

} // namespace

CAF_TEST(a row change is a Debezium envelope) {
  recorded d{records_fixture(), binlog::record_options{}};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  auto rows = d.in_transaction(txn_multi);
  CAF_REQUIRE_EQUAL(rows.size(), 6u);
  CAF_CHECK_EQUAL(
    rows[0].line(),
    R"({"topic":"binlog2kafka.shop.customers","key":{"id":1},"value":)"
    R"({"before":null,"after":{"id":1,"name":"Ada","email":"ada@example.com",)"
    R"("password_hash":"h1"},"op":"c","ts_ms":1700000000000,"source":)"
      + fixture_source("shop", "customers", 1828, 0, "0-1-13")
      + R"(,"transaction":{"id":"0-1-13","total_order":1,)"
        R"("data_collection_order":1}}})");
  CAF_CHECK_EQUAL(
    rows[4].line(),
    R"({"topic":"binlog2kafka.shop.customers","key":{"id":1},"value":)"
    R"({"before":{"id":1,"name":"Ada","email":"ada@example.com",)"
    R"("password_hash":"h1"},"after":{"id":1,"name":"Ada",)"
    R"("email":"ada@lovelace.org","password_hash":"h1"},"op":"u",)"
    R"("ts_ms":1700000000000,"source":)"
      + fixture_source("shop", "customers", 2457, 0, "0-1-13")
      + R"(,"transaction":{"id":"0-1-13","total_order":5,)"
        R"("data_collection_order":3}}})");
  // A table without a primary key: null key, partitioned by its name.
  CAF_CHECK_EQUAL(rows[2].key, "");
  CAF_CHECK_EQUAL(rows[2].partition_key, "shop.audit_log");
  CAF_CHECK_EQUAL(rows[0].partition_key, "");
  auto deletes = d.in_transaction(txn_delete);
  CAF_REQUIRE_EQUAL(deletes.size(), 1u); // tombstones are off here
  CAF_CHECK_EQUAL(
    deletes[0].line(),
    R"({"topic":"binlog2kafka.shop.customers","key":{"id":2},"value":)"
    R"({"before":{"id":2,"name":"Grace","email":"grace@example.com",)"
    R"("password_hash":"h2"},"after":null,"op":"d","ts_ms":1700000000000,)"
    R"("source":)"
      + fixture_source("shop", "customers", 2952, 0, "0-1-14")
      + R"(,"transaction":{"id":"0-1-14","total_order":1,)"
        R"("data_collection_order":1}}})");
}

CAF_TEST(the source block has Debezium's fields in Debezium's order) {
  recorded d{records_fixture(), binlog::record_options{}};
  auto rows = d.of(record_kind::change);
  CAF_REQUIRE(!rows.empty());
  for (auto& r : rows) {
    auto v = nlohmann::ordered_json::parse(r.value);
    std::vector<std::string> keys;
    for (auto& [k, _] : v.items())
      keys.push_back(k);
    CAF_CHECK_EQUAL(keys,
                    (std::vector<std::string>{"before", "after", "op", "ts_ms",
                                              "source", "transaction"}));
    keys.clear();
    for (auto& [k, _] : v["source"].items())
      keys.push_back(k);
    CAF_CHECK_EQUAL(keys, (std::vector<std::string>{
                            "version", "connector", "name", "ts_ms", "snapshot",
                            "db", "sequence", "table", "server_id", "gtid",
                            "file", "pos", "row", "thread", "query"}));
    CAF_CHECK_EQUAL(v["source"]["connector"], "mysql");
    CAF_CHECK_EQUAL(v["source"]["snapshot"], "false");
  }
}

CAF_TEST(transaction metadata counts rows per transaction and per table) {
  recorded d{records_fixture(), binlog::record_options{}};
  struct order {
    std::string topic;
    uint64_t total;
    uint64_t per_table;
    uint64_t row_in_txn;
  };
  std::vector<order> want{
    {"binlog2kafka.shop.customers", 1, 1, 1},
    {"binlog2kafka.shop.customers", 2, 2, 2},
    {"binlog2kafka.shop.audit_log", 3, 1, 3},
    {"binlog2kafka.other.t", 4, 1, 4},
    {"binlog2kafka.shop.customers", 5, 3, 5},
    {"binlog2kafka.shop.order_items", 6, 1, 6},
  };
  auto rows = d.in_transaction(txn_multi);
  CAF_REQUIRE_EQUAL(rows.size(), want.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    CAF_MESSAGE("row " << i + 1);
    auto t = rows[i].parsed()["transaction"];
    CAF_CHECK_EQUAL(rows[i].topic, want[i].topic);
    CAF_CHECK_EQUAL(t["id"], "0-1-13");
    CAF_CHECK_EQUAL(t["total_order"].get<uint64_t>(), want[i].total);
    CAF_CHECK_EQUAL(t["data_collection_order"].get<uint64_t>(),
                    want[i].per_table);
    CAF_CHECK_EQUAL(rows[i].row_in_txn, want[i].row_in_txn);
    CAF_CHECK_EQUAL(rows[i].txn.pos, txn_multi);
  }
}

CAF_TEST(without a GTID the id is the transaction start as Debezium writes it) {
  // MySQL 5.6, no GTIDs: BEGIN queries give the thread id.
  recorded d{fixture_path("ver_trunk_row_v2.001"), binlog::record_options{}};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  auto rows = d.of(record_kind::change);
  CAF_REQUIRE_GREATER_OR_EQUAL(rows.size(), 2u);
  CAF_CHECK_EQUAL(rows[0].txn.pos, 457u);
  auto v = rows[0].parsed();
  CAF_CHECK_EQUAL(v["transaction"]["id"], "file=ver_trunk_row_v2.001,pos=457");
  CAF_CHECK_EQUAL(v["source"]["thread"].get<int64_t>(), 1);
  CAF_CHECK(v["source"]["gtid"].is_null());
  // A MySQL 8 GTID.
  recorded g{fixture_path("binlog-invisible-columns.000001"),
             binlog::record_options{}};
  auto grows = g.of(record_kind::change);
  CAF_REQUIRE(!grows.empty());
  CAF_CHECK_EQUAL(grows[0].at({"transaction", "id"}),
                  "97c7af02-4c50-11ec-acd8-681842034964:3");
  CAF_CHECK_EQUAL(grows[0].at({"source", "thread"}).get<int64_t>(), 9);
}

CAF_TEST(the transaction topic has BEGIN before the first row and END at the commit) {
  recorded d{records_fixture(), with_transactions()};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  auto txn = d.in_transaction(txn_multi);
  CAF_REQUIRE_EQUAL(txn.size(), 8u);
  CAF_CHECK_EQUAL(
    txn[0].line(),
    R"({"topic":"binlog2kafka.transaction","key":{"id":"0-1-13"},)"
    R"("value":{"status":"BEGIN","id":"0-1-13","event_count":null,)"
    R"("data_collections":null,"ts_ms":1700000000000}})");
  CAF_CHECK_EQUAL(
    txn[7].line(),
    R"({"topic":"binlog2kafka.transaction","key":{"id":"0-1-13"},"value":)"
    R"({"status":"END","id":"0-1-13","event_count":6,"data_collections":[)"
    R"({"data_collection":"shop.customers","event_count":3},)"
    R"({"data_collection":"shop.audit_log","event_count":1},)"
    R"({"data_collection":"other.t","event_count":1},)"
    R"({"data_collection":"shop.order items","event_count":1}],)"
    R"("ts_ms":1700000000000}})");
  CAF_CHECK(txn[0].kind == record_kind::transaction);
  CAF_CHECK(txn[7].kind == record_kind::transaction);
  for (size_t i = 1; i < 7; ++i)
    CAF_CHECK(txn[i].kind == record_kind::change);
  // BEGIN goes with row 1 (complete once row 1 is), END with the commit.
  CAF_CHECK_EQUAL(txn[0].row_in_txn, 0u);
  CAF_CHECK_EQUAL(txn[7].row_in_txn, 6u);
  // END is the transaction's last record, before its end moves the
  // position: the same batch holds both.
  size_t end_index = 0;
  for (size_t i = 0; i < d.records().size(); ++i)
    if (d.records()[i].txn.pos == txn_multi)
      end_index = i;
  bool ended_after_end = false;
  for (auto n : d.sink.ends_after)
    ended_after_end = ended_after_end || n == end_index + 1;
  CAF_CHECK(ended_after_end);
  // Rows carry the same metadata as without the topic.
  recorded plain{records_fixture(), run_defaults()};
  auto plain_rows = plain.in_transaction(txn_multi);
  CAF_REQUIRE_EQUAL(plain_rows.size(), 6u);
  for (size_t i = 0; i < 6; ++i)
    CAF_CHECK_EQUAL(plain_rows[i].value, txn[i + 1].value);
}

CAF_TEST(the transaction topic is off by default and named by its option) {
  recorded d{records_fixture(), run_defaults()};
  CAF_CHECK(d.of(record_kind::transaction).empty());
  auto o = run_defaults();
  o.name = "orders";
  o.transaction_topic = "{prefix}.tx";
  recorded named{records_fixture(), o};
  auto txn = named.of(record_kind::transaction);
  CAF_REQUIRE(!txn.empty());
  for (auto& r : txn)
    CAF_CHECK_EQUAL(r.topic, "orders.tx");
}

CAF_TEST(a transaction that sends nothing has no BEGIN or END) {
  auto o = with_transactions();
  o.include_tables = {"shop\\.customers"};
  recorded d{records_fixture(), o};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  // 0-1-15 deletes from audit_log only; 0-1-21 is in the mysql schema.
  CAF_CHECK(d.in_transaction(3048).empty());
  CAF_CHECK(d.in_transaction(4823).empty());
  // 0-1-13 sends its three customers rows, and counts only them.
  auto txn = d.in_transaction(txn_multi);
  CAF_REQUIRE_EQUAL(txn.size(), 5u);
  CAF_CHECK_EQUAL(txn[4].value,
                  R"({"status":"END","id":"0-1-13","event_count":3,)"
                  R"("data_collections":[{"data_collection":"shop.customers",)"
                  R"("event_count":3}],"ts_ms":1700000000000})");
  CAF_CHECK_EQUAL(txn[3].at({"transaction", "total_order"}), 3);
}

CAF_TEST(a restart inside a transaction numbers its rows as the first run) {
  auto o = with_transactions();
  recorded full{records_fixture(), o};
  auto all = full.in_transaction(txn_multi);
  CAF_REQUIRE_EQUAL(all.size(), 8u);
  for (uint64_t skip = 0; skip <= 6; ++skip) {
    CAF_MESSAGE("skip_rows = " << skip);
    recorded again{records_fixture(), o, txn_multi, skip};
    CAF_REQUIRE_EQUAL(again.err.message, "");
    auto txn = again.in_transaction(txn_multi);
    // BEGIN was sent with row 1; the rows after `skip` and END follow.
    std::vector<raw_record> want;
    if (skip == 0)
      want.push_back(all[0]);
    for (size_t i = 1 + skip; i < all.size(); ++i)
      want.push_back(all[i]);
    CAF_CHECK_EQUAL(lines_of(txn), lines_of(want));
  }
  // Rows of a filtered table count towards skip_rows but not towards the
  // orders: other.t is row 4.
  o.exclude_tables = {"other\\.t"};
  recorded filtered{records_fixture(), o, txn_multi, 4};
  auto txn = filtered.in_transaction(txn_multi);
  CAF_REQUIRE_EQUAL(txn.size(), 3u);
  CAF_CHECK_EQUAL(txn[0].at({"transaction", "total_order"}), 4);
  CAF_CHECK_EQUAL(txn[0].row_in_txn, 5u);
  CAF_CHECK_EQUAL(txn[1].at({"transaction", "total_order"}), 5);
  CAF_CHECK_EQUAL(txn[2].at({"event_count"}), 5);
}

CAF_TEST(a restart after any record sends the rest and loses nothing) {
  // Every record's position, used as a restart point, gives the records
  // after it, in order. Where a position does not yet cover its record
  // (BEGIN goes with row 1, a delete with its tombstone, END and a schema
  // change with the transaction's end), that record comes again, with at
  // most the BEGIN before it; a complete record never does.
  auto o = with_transactions();
  o.skip_system_schemas = false;
  recorded full{records_fixture(), o};
  CAF_REQUIRE_EQUAL(full.err.message, "");
  auto& recs = full.records();
  check_restarts(full, records_fixture(), o, 1, [&](size_t i) {
    return recs[i].kind == record_kind::tombstone
           || (recs[i].kind == record_kind::change
               && !(i + 1 < recs.size()
                    && recs[i + 1].kind == record_kind::tombstone));
  });
  auto all = full.lines();
  // And at each transaction's end, the records after it.
  for (size_t e = 0; e < full.sink.ends.size(); ++e) {
    auto& end = full.sink.ends[e];
    recorded again{records_fixture(), o, end.pos, 0};
    std::vector<std::string> want(
      all.begin() + static_cast<long>(full.sink.ends_after[e]), all.end());
    CAF_CHECK_EQUAL(again.lines(), want);
  }
}

CAF_TEST(what run sends by default from the fixture) {
  recorded d{records_fixture(), run_defaults()};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  // 6 + 1 + 1 + 1 + 2 + 2 + 1 + 1 row changes (the mysql schema's insert is
  // skipped), a tombstone after each of the 3 deletes of customers, 15
  // schema changes (the mysql schema's CREATE and DROP are skipped).
  CAF_CHECK_EQUAL(d.of(record_kind::change).size(), 15u);
  CAF_CHECK_EQUAL(d.of(record_kind::tombstone).size(), 3u);
  CAF_CHECK_EQUAL(d.of(record_kind::schema_change).size(), 15u);
  CAF_CHECK(d.of(record_kind::transaction).empty());
  CAF_CHECK_EQUAL(d.stats.records, 33u);
  CAF_CHECK_EQUAL(d.stats.rows, 16u);
}
