#define CAF_SUITE binlog.records_filters

#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "config/settings.hpp"
#include "records_test.hpp"

// Include/exclude filters by database, table and column (regular
// expressions matched against the whole name, case-insensitive, as
// Debezium's), applied before anything is encoded; topic names mapped to
// what Kafka allows; the checks of the options.

using namespace b2k::test;
using binlog::record_kind;

namespace {

constexpr uint64_t txn_multi = 1556; // 0-1-13: six rows over four tables

std::vector<std::string> change_topics(const recorded& d) {
  std::vector<std::string> out;
  for (auto& r : d.of(record_kind::change))
    out.push_back(r.topic);
  return out;
}

std::string check(binlog::record_options o) {
  auto err = binlog::check_record_options(o);
  if (err)
    CAF_CHECK_EQUAL(err.code, binlog::errc::bad_value);
  return err.message;
}

} // namespace

CAF_TEST(include and exclude tables) {
  auto o = run_defaults();
  o.include_tables = {"shop\\.customers"};
  recorded d{records_fixture(), o};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  // 3 rows in 0-1-13, the delete of 2, inserts and deletes of 3 and 4.
  CAF_CHECK_EQUAL(change_topics(d),
                  std::vector<std::string>(8, "binlog2kafka.shop.customers"));
  CAF_CHECK_EQUAL(d.of(record_kind::tombstone).size(), 3u);
  // Filtered rows are still read (their positions count), not sent.
  CAF_CHECK_EQUAL(d.stats.rows, 16u);
  // The whole name must match, in any case.
  o.include_tables = {"shop\\.cust"};
  recorded partial{records_fixture(), o};
  CAF_CHECK(partial.of(record_kind::change).empty());
  o.include_tables = {"SHOP\\.Customers"};
  recorded upper{records_fixture(), o};
  CAF_CHECK_EQUAL(upper.of(record_kind::change).size(), 8u);
  // Excluding: everything but customers and the mysql schema (skipped).
  o.include_tables.clear();
  o.exclude_tables = {"shop\\.customers", "other\\..*"};
  recorded rest{records_fixture(), o};
  CAF_CHECK_EQUAL(change_topics(rest),
                  (std::vector<std::string>{
                    "binlog2kafka.shop.audit_log",
                    "binlog2kafka.shop.order_items",
                    "binlog2kafka.shop.audit_log", "binlog2kafka.shop.prix__",
                    "binlog2kafka.shop.copy", "binlog2kafka.shop._"}));
}

CAF_TEST(include and exclude databases) {
  auto o = run_defaults();
  o.include_databases = {"other"};
  recorded d{records_fixture(), o};
  CAF_CHECK_EQUAL(change_topics(d),
                  (std::vector<std::string>{"binlog2kafka.other.t"}));
  o.include_databases = {"shop", "other"};
  o.exclude_databases = {"oth.*"};
  recorded e{records_fixture(), o};
  CAF_CHECK_EQUAL(e.of(record_kind::change).size(), 14u);
  // Both kinds together: tables of the included databases, less the
  // excluded tables.
  o.include_databases = {"shop"};
  o.exclude_databases.clear();
  o.exclude_tables = {"shop\\.(audit_log|copy|order items|prix_€|表)"};
  recorded both{records_fixture(), o};
  CAF_CHECK_EQUAL(change_topics(both),
                  std::vector<std::string>(8, "binlog2kafka.shop.customers"));
}

CAF_TEST(filtered tables do not count in transaction metadata) {
  auto o = run_defaults();
  o.transaction_topic = "{prefix}.transaction";
  o.exclude_tables = {"other\\.t", "shop\\.audit_log"};
  recorded d{records_fixture(), o};
  auto txn = d.in_transaction(txn_multi);
  CAF_REQUIRE_EQUAL(txn.size(), 6u);
  std::vector<uint64_t> total;
  for (size_t i = 1; i < 5; ++i)
    total.push_back(txn[i].parsed()["transaction"]["total_order"]);
  CAF_CHECK_EQUAL(total, (std::vector<uint64_t>{1, 2, 3, 4}));
  CAF_CHECK_EQUAL(txn[5].value,
                  R"({"status":"END","id":"0-1-13","event_count":4,)"
                  R"("data_collections":[{"data_collection":"shop.customers",)"
                  R"("event_count":3},{"data_collection":"shop.order items",)"
                  R"("event_count":1}],"ts_ms":1700000000000})");
  // Rows keep their row numbers in the transaction: positions count every
  // row, sent or not.
  CAF_CHECK_EQUAL(txn[3].row_in_txn, 5u);
  CAF_CHECK_EQUAL(txn[4].row_in_txn, 6u);
}

CAF_TEST(excluded columns are never written but keys keep theirs) {
  auto o = run_defaults();
  o.exclude_columns = {"shop\\.customers\\.(email|password_hash)"};
  recorded d{records_fixture(), o};
  auto txn = d.in_transaction(txn_multi);
  CAF_REQUIRE_EQUAL(txn.size(), 6u);
  CAF_CHECK_EQUAL(
    txn[0].line(),
    R"({"topic":"binlog2kafka.shop.customers","key":{"id":1},"value":)"
    R"({"before":null,"after":{"id":1,"name":"Ada"},"op":"c",)"
    R"("ts_ms":1700000000000,"source":)"
      + fixture_source("shop", "customers", 1828, 0, "0-1-13")
      + R"(,"transaction":{"id":"0-1-13","total_order":1,)"
        R"("data_collection_order":1}}})");
  CAF_CHECK_EQUAL(txn[4].at({"before"}).dump(), R"({"id":1,"name":"Ada"})");
  CAF_CHECK_EQUAL(txn[4].at({"after"}).dump(), R"({"id":1,"name":"Ada"})");
  for (auto& r : d.of(record_kind::change))
    CAF_CHECK_EQUAL(r.value.find("password_hash"), std::string::npos);
  // Other tables are untouched.
  CAF_CHECK_EQUAL(txn[3].at({"after"}).dump(), R"({"id":1,"v":10})");
  // The key column out of the value: still the key, as in Debezium.
  o.exclude_columns = {"shop\\.customers\\.ID"};
  recorded no_id{records_fixture(), o};
  auto first = no_id.in_transaction(txn_multi)[0];
  CAF_CHECK_EQUAL(first.key, R"({"id":1})");
  CAF_CHECK_EQUAL(first.parsed()["after"].dump(),
                  R"({"email":"ada@example.com","name":"Ada",)"
                  R"("password_hash":"h1"})");
}

CAF_TEST(topic names keep to what Kafka allows) {
  using binlog::kafka_topic_name;
  CAF_CHECK_EQUAL(kafka_topic_name("a.b-c_D9"), "a.b-c_D9");
  CAF_CHECK_EQUAL(kafka_topic_name("order items"), "order_items");
  CAF_CHECK_EQUAL(kafka_topic_name("prix_€"), "prix__");
  CAF_CHECK_EQUAL(kafka_topic_name("表"), "_");
  CAF_CHECK_EQUAL(kafka_topic_name("café$x"), "caf__x");
  CAF_CHECK_EQUAL(kafka_topic_name("\xff\xfe"), "__");
  CAF_CHECK_EQUAL(kafka_topic_name("a\x80z"), "a_z");
  recorded d{records_fixture(), run_defaults()};
  std::vector<std::string> tables;
  for (auto& r : d.of(record_kind::change))
    if (r.topic == "binlog2kafka.shop.order_items"
        || r.topic == "binlog2kafka.shop.prix__"
        || r.topic == "binlog2kafka.shop._")
      tables.push_back(r.parsed()["source"]["table"]);
  // source.table keeps the table's name.
  CAF_CHECK_EQUAL(tables,
                  (std::vector<std::string>{"order items", "prix_€", "表"}));
}

CAF_TEST(a topic name longer than Kafka allows stops at the table map) {
  auto o = run_defaults();
  o.topic_prefix = std::string(240, 'p');
  // binlog2kafka.<240>.shop.customers is 255 characters.
  recorded d{records_fixture(), o};
  auto want_end =
    "', is not a Kafka topic name (at most 249 characters, "
    "not '.' or '..'): change topic-template or topic-prefix, "
    "or leave the table out with exclude-tables";
  auto& msg = d.err.message;
  CAF_CHECK(d.err.code == binlog::errc::unsupported);
  CAF_CHECK_EQUAL(msg.substr(0, records_fixture().size()), records_fixture());
  CAF_CHECK_NOT_EQUAL(msg.find(": the topic of table shop.customers, '"
                               + o.topic_prefix + ".shop.customers"),
                      std::string::npos);
  CAF_CHECK_EQUAL(msg.substr(msg.size() - std::string{want_end}.size()),
                  want_end);
  // other.t fits (248): a table left out by the filters is no error.
  o.include_tables = {"other\\.t"};
  recorded fits{records_fixture(), o};
  CAF_CHECK_EQUAL(fits.err.message, "");
  CAF_CHECK_EQUAL(fits.of(record_kind::change).size(), 1u);
}

CAF_TEST(options are checked with one line naming the option) {
  binlog::record_options o;
  CAF_CHECK_EQUAL(check(o), "");
  o.include_tables = {"shop\\.customers", "shop.("};
  auto bad_regex = check(o);
  std::string want = "include-tables: 'shop.(' is not a regular expression (";
  CAF_CHECK_EQUAL(bad_regex.substr(0, want.size()), want);
  CAF_CHECK_EQUAL(bad_regex.find('\n'), std::string::npos);
  o = {};
  o.exclude_columns = {"*"};
  want = "exclude-columns: '*' is not a regular expression (";
  CAF_CHECK_EQUAL(check(o).substr(0, want.size()), want);
  o = {};
  o.topic_template = "{prefix}/{db}";
  CAF_CHECK_EQUAL(check(o),
                  "topic-template: '{prefix}/{db}' has '/', which Kafka does "
                  "not allow in topic names (letters, digits, '.', '_' and "
                  "'-'; {prefix}, {db} and {table} are replaced)");
  o = {};
  o.name = "my app";
  CAF_CHECK_EQUAL(check(o),
                  "name: 'my app' has ' ', which Kafka does not "
                  "allow in topic names (letters, digits, '.', '_' "
                  "and '-'); set topic-prefix");
  o.topic_prefix = "my_app";
  CAF_CHECK_EQUAL(check(o), "");
  o = {};
  o.topic_prefix = std::string(250, 'p');
  CAF_CHECK_EQUAL(check(o),
                  "topic-template: the topic names it makes are "
                  "longer than Kafka's limit of 249 characters");
  o = {};
  o.schema_topic = "{prefix}.{db}";
  CAF_CHECK_EQUAL(check(o),
                  "schema-topic: '{prefix}.{db}' names one topic: "
                  "only {prefix} is replaced in it");
  o = {};
  o.transaction_topic = "{prefix}.tx#";
  CAF_CHECK_EQUAL(check(o),
                  "transaction-topic: 'binlog2kafka.tx#' has '#', which Kafka "
                  "does not allow in topic names (letters, digits, '.', '_' "
                  "and '-')");
  // The encoder refuses what the check refuses.
  auto enc = binlog::record_encoder::make(o);
  CAF_REQUIRE(!enc);
  CAF_CHECK_EQUAL(enc.error().message, check(o));
  CAF_CHECK(binlog::record_encoder::make({}));
}

CAF_TEST(run and dump name the key of a bad option) {
  b2k::raw_options raw;
  binlog::record_options out;
  CAF_CHECK(!b2k::apply_record_options("binlog2kafka.", raw, out));
  // run's defaults: tombstones and the schema topic on, system schemas
  // skipped.
  CAF_CHECK(out.tombstones);
  CAF_CHECK_EQUAL(out.schema_topic, "{prefix}");
  CAF_CHECK_EQUAL(out.transaction_topic, "");
  CAF_CHECK(out.skip_system_schemas);
  raw.exclude_databases = {"("};
  auto err = b2k::apply_record_options("binlog2kafka.", raw, out);
  CAF_CHECK_EQUAL(b2k::describe_config_error(err).substr(0, 50),
                  "binlog2kafka.exclude-databases: '(' is not a regul");
  err = b2k::apply_record_options("--", raw, out);
  CAF_CHECK_EQUAL(b2k::describe_config_error(err).substr(0, 29),
                  "--exclude-databases: '(' is n");
  raw.exclude_databases.clear();
  raw.topic_template.clear();
  err = b2k::apply_record_options("--", raw, out);
  CAF_CHECK_EQUAL(b2k::describe_config_error(err),
                  "--topic-template: must not be empty");
}
