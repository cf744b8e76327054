#define CAF_SUITE binlog.records_ddl

#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "binlog/query_event.hpp"
#include "records_test.hpp"

// Schema changes: DDL statements of QUERY events on the schema-change topic
// in the shape of Debezium's schema change events, converted to UTF-8 from
// the client's character set, with the database they change; and the
// statement classification and status-variable walk behind them.

using namespace b2k::test;
using binlog::record_kind;

namespace {

std::vector<std::string> statements(const recorded& d) {
  std::vector<std::string> out;
  for (auto& r : d.of(record_kind::schema_change))
    out.push_back(r.parsed()["ddl"].get<std::string>());
  return out;
}

std::string ddl_line(const std::string& db, uint64_t pos,
                     const std::string& gtid, const std::string& thread,
                     const std::string& ddl_json) {
  return R"({"topic":"binlog2kafka","key":{"databaseName":")" + db
         + R"("},"value":{"source":)"
         + fixture_source(db, "", pos, 0, gtid, thread)
         + R"(,"ts_ms":1700000000000,"databaseName":")" + db
         + R"(","schemaName":null,"ddl":)" + ddl_json
         + R"(,"tableChanges":[]}})";
}

bytes status_vars(std::initializer_list<int> values) {
  bytes out;
  for (auto b : values)
    out.push_back(static_cast<uint8_t>(b));
  return out;
}

uint32_t collation_of(const bytes& vars) {
  return binlog::query_client_collation(vars.data(), vars.size());
}

} // namespace

CAF_TEST(a DDL statement is a Debezium schema change event) {
  recorded d{records_fixture(), run_defaults()};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  auto ddl = d.of(record_kind::schema_change);
  CAF_REQUIRE_EQUAL(ddl.size(), 15u);
  CAF_CHECK_EQUAL(ddl[0].line(), ddl_line("shop", 381, "0-1-6", "8",
                                          R"("CREATE DATABASE shop")"));
  CAF_CHECK_EQUAL(ddl[1].line(),
                  ddl_line("shop", 550, "0-1-7", "8",
                           R"("CREATE TABLE customers (id INT PRIMARY KEY, )"
                           R"(name VARCHAR(40),\n  email VARCHAR(60), )"
                           R"x(password_hash VARCHAR(60))")x"));
  // A schema change is a transaction of its own: its position is the
  // GTID event, and it is complete with that transaction's end.
  CAF_CHECK_EQUAL(ddl[0].txn.pos, 339u);
  CAF_CHECK_EQUAL(ddl[0].row_in_txn, 0u);
  CAF_CHECK_EQUAL(ddl[0].partition_key, "");
}

CAF_TEST(the database is the one the statement changes) {
  recorded d{records_fixture(), run_defaults()};
  auto ddl = d.of(record_kind::schema_change);
  CAF_REQUIRE_EQUAL(ddl.size(), 15u);
  // Run in `shop` (USE shop), changing `other`.
  CAF_CHECK_EQUAL(ddl[5].line(), ddl_line("other", 1301, "0-1-11", "8",
                                          R"("CREATE DATABASE other")"));
  CAF_CHECK_EQUAL(ddl[6].line(),
                  ddl_line("other", 1432, "0-1-12", "8",
                           R"("CREATE TABLE other.t (id INT PRIMARY KEY, )"
                           R"x(v INT)")x"));
  std::vector<std::string> dbs;
  for (auto& r : ddl)
    dbs.push_back(r.parsed()["databaseName"].get<std::string>());
  CAF_CHECK_EQUAL(dbs,
                  (std::vector<std::string>{"shop", "shop", "shop", "shop",
                                            "shop", "other", "other", "shop",
                                            "shop", "shop", "shop", "other",
                                            "other", "other", "other"}));
}

CAF_TEST(statements in other client charsets arrive as UTF-8) {
  recorded d{records_fixture(), run_defaults()};
  auto ddl = d.of(record_kind::schema_change);
  CAF_REQUIRE_EQUAL(ddl.size(), 15u);
  // latin1 (cp1252: 0x80 is the euro sign), koi8r, and sjis, whose 表 and
  // ソ end in 0x5C, a backslash in ASCII.
  CAF_CHECK_EQUAL(ddl[8].line(),
                  ddl_line("shop", 5275, "0-1-23", "9",
                           R"("ALTER TABLE customers COMMENT 'café €'")"));
  CAF_CHECK_EQUAL(ddl[9].line(),
                  ddl_line("shop", 5431, "0-1-24", "10",
                           R"("ALTER TABLE customers COMMENT 'привет'")"));
  CAF_CHECK_EQUAL(ddl[10].line(),
                  ddl_line("shop", 5587, "0-1-25", "11",
                           R"("CREATE TABLE `表` (id INT PRIMARY KEY) )"
                           R"(COMMENT 'ソ表'")"));
}

CAF_TEST(the CREATE of CREATE TABLE SELECT comes before its rows) {
  // MariaDB writes it inside the transaction of its rows.
  recorded d{records_fixture(), run_defaults()};
  auto txn = d.in_transaction(4255);
  CAF_REQUIRE_EQUAL(txn.size(), 2u);
  CAF_CHECK(txn[0].kind == record_kind::schema_change);
  CAF_CHECK_EQUAL(txn[0].at({"ddl"}),
                  "CREATE TABLE `copy` (\n  `id` int(11) NOT NULL,\n  `name` "
                  "varchar(40) DEFAULT NULL\n)");
  CAF_CHECK_EQUAL(txn[0].row_in_txn, 0u);
  CAF_CHECK(txn[1].kind == record_kind::change);
  CAF_CHECK_EQUAL(txn[1].topic, "binlog2kafka.shop.copy");
  // A restart after the row does not send the statement again.
  recorded again{records_fixture(), run_defaults(), 4255, 1};
  CAF_CHECK(again.in_transaction(4255).empty());
  recorded from_start{records_fixture(), run_defaults(), 4255, 0};
  CAF_CHECK_EQUAL(from_start.in_transaction(4255).size(), 2u);
}

CAF_TEST(system schemas and database filters apply to schema changes) {
  auto o = run_defaults();
  o.skip_system_schemas = false; // as dump
  recorded all{records_fixture(), o};
  auto ddl = statements(all);
  CAF_REQUIRE_EQUAL(ddl.size(), 17u);
  CAF_CHECK_EQUAL(ddl[8], "CREATE TABLE mysql.b2k_probe (id INT PRIMARY KEY)");
  CAF_CHECK_EQUAL(ddl[9],
                  "DROP TABLE `mysql`.`b2k_probe` /* generated by "
                  "server */");
  o.include_databases = {"OTHER"}; // case-insensitive, as Debezium
  recorded other{records_fixture(), o};
  CAF_CHECK_EQUAL(statements(other),
                  (std::vector<std::string>{
                    "CREATE DATABASE other",
                    "CREATE TABLE other.t (id INT PRIMARY KEY, v INT)",
                    "TRUNCATE TABLE other.t",
                    "RENAME TABLE other.t TO other.t2",
                    "DROP TABLE `other`.`t2` /* generated by server */",
                    "DROP DATABASE other"}));
  o.include_databases.clear();
  o.exclude_databases = {"shop|mysql"};
  recorded not_shop{records_fixture(), o};
  CAF_CHECK_EQUAL(statements(not_shop).size(), 6u);
}

CAF_TEST(the schema topic is named by its option and can be off) {
  auto o = run_defaults();
  o.schema_topic = "";
  recorded off{records_fixture(), o};
  CAF_CHECK(off.of(record_kind::schema_change).empty());
  o.name = "orders";
  o.schema_topic = "{prefix}.schema-changes";
  recorded named{records_fixture(), o};
  auto ddl = named.of(record_kind::schema_change);
  CAF_REQUIRE_EQUAL(ddl.size(), 15u);
  CAF_CHECK_EQUAL(ddl[0].topic, "orders.schema-changes");
  CAF_CHECK_EQUAL(ddl[0].at({"source", "name"}), "orders");
}

CAF_TEST(account management never reaches the schema topic) {
  // MySQL 8: ALTER USER ... IDENTIFIED WITH ... AS '<password hash>'.
  auto o = run_defaults();
  o.skip_system_schemas = false; // the tables are in the mysql schema
  recorded d{fixture_path("binlog-invisible-columns.000001"), o};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  auto ddl = statements(d);
  CAF_REQUIRE(!ddl.empty());
  for (auto& s : ddl)
    CAF_CHECK_EQUAL(s.find("IDENTIFIED"), std::string::npos);
  CAF_CHECK_EQUAL(ddl[0].substr(0, 16), "CREATE TABLE t1 ");
  std::vector<std::string> sent;
  for (auto s :
       {"GRANT ALL ON *.* TO 'a'@'%'", "REVOKE ALL ON *.* FROM a",
        "SET PASSWORD FOR a = PASSWORD('x')",
        "CREATE USER 'a'@'%' IDENTIFIED BY 'x'", "CREATE OR REPLACE USER a",
        "ALTER USER a IDENTIFIED BY 'y'", "DROP USER IF EXISTS a",
        "RENAME USER a TO b", "CREATE ROLE r", "DROP ROLE r",
        "CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS "
        "(PASSWORD 'x')"})
    if (binlog::is_schema_statement(s))
      sent.push_back(s);
  CAF_CHECK_EQUAL(sent, std::vector<std::string>{});
}

CAF_TEST(which statements are schema changes) {
  std::vector<std::string> wrong;
  for (auto s :
       {"CREATE TABLE t (a INT)", "  alter table t add b int",
        "DROP DATABASE d", "RENAME TABLE a TO b", "TRUNCATE t",
        "CREATE INDEX i ON t (a)", "CREATE VIEW v AS SELECT 1",
        "/* comment */ DROP TABLE t", "/*!40000 ALTER TABLE t DISABLE KEYS */",
        "CREATE DEFINER=`root`@`localhost` PROCEDURE p() SELECT 1",
        "FLUSH TABLES", "ANALYZE TABLE t", "OPTIMIZE TABLE t"})
    if (!binlog::is_schema_statement(s))
      wrong.push_back(s);
  for (auto s :
       {"BEGIN", "COMMIT", "ROLLBACK", "ROLLBACK TO SAVEPOINT a", "SAVEPOINT a",
        "RELEASE SAVEPOINT a", "XA START 'x'", "INSERT INTO t VALUES (1)",
        "update t set a = 1", "DELETE FROM t", "REPLACE INTO t VALUES (1)",
        "LOAD DATA INFILE 'f' INTO TABLE t",
        "# Dummy event replacing event type 160 that slave cannot "
        "handle.",
        "", "   "})
    if (binlog::is_schema_statement(s))
      wrong.push_back(s);
  CAF_CHECK_EQUAL(wrong, std::vector<std::string>{});
}

CAF_TEST(the database of a statement) {
  using binlog::ddl_database;
  struct sample {
    const char* statement;
    const char* db;
  };
  for (auto [statement, db] : {
         sample{"CREATE DATABASE shop", "shop"},
         sample{"CREATE SCHEMA IF NOT EXISTS `my db`", "my db"},
         sample{"drop database if exists x", "x"},
         sample{"ALTER DATABASE d CHARACTER SET utf8mb4", "d"},
         sample{"CREATE TABLE other.t (a INT)", "other"},
         sample{"CREATE TABLE `o.x`.`t` (a INT)", "o.x"},
         sample{"CREATE TABLE t (a INT)", "dflt"},
         sample{"CREATE TABLE `a.b` (a INT)", "dflt"},
         sample{"CREATE OR REPLACE TEMPORARY TABLE o.t (a INT)", "o"},
         sample{"CREATE TABLE IF NOT EXISTS o.t (a INT)", "o"},
         sample{"DROP TABLE IF EXISTS `o`.`t` /* generated by server */", "o"},
         sample{"ALTER ONLINE IGNORE TABLE o.t ADD b INT", "o"},
         sample{"TRUNCATE o.t", "o"},
         sample{"TRUNCATE TABLE o.t", "o"},
         sample{"TRUNCATE TABLE t", "dflt"},
         sample{"RENAME TABLE o.t TO o.u", "o"},
         sample{"/*!40000 ALTER TABLE o.t DISABLE KEYS */", "o"},
         sample{"CREATE /* why */ TABLE o . t (a INT)", "o"},
         sample{"CREATE INDEX i ON o.t (a)", "dflt"},
         sample{"CREATE VIEW o.v AS SELECT 1", "dflt"},
         sample{"FLUSH TABLES", "dflt"},
         sample{"", "dflt"},
       })
    CAF_CHECK_EQUAL(ddl_database(statement, "dflt"), db);
}

CAF_TEST(the client charset from the status variables) {
  // MySQL 8's order: flags2, sql_mode, catalog, auto_increment, charset.
  CAF_CHECK_EQUAL(collation_of(status_vars(
                    {0, 0, 0,   0,   0,                     // Q_FLAGS2
                     1, 0, 0,   0,   0,   0,   0,   0,  0,  // Q_SQL_MODE
                     6, 3, 's', 't', 'd',                   // Q_CATALOG_NZ
                     3, 1, 0,   1,   0,                     // Q_AUTO_INCREMENT
                     4, 8, 0,   8,   0,   33,  0,           // Q_CHARSET latin1
                     5, 6, 'S', 'Y', 'S', 'T', 'E', 'M'})), // Q_TIME_ZONE
                  8u);
  // MariaDB 11.5+ writes Q_CHARACTER_SET_COLLATIONS (131) before the
  // charset; MySQL's invoker, updated db names and microseconds too.
  CAF_CHECK_EQUAL(collation_of(status_vars(
                    {131, 2,   45,  0,  46, 0,   224, 0,   255, 0,  11, 1,
                     'u', 1,   'h', 12, 2,  'a', 0,   'b', 0,   13, 1,  2,
                     3,   128, 1,   2,  3,  129, 1,   2,   3,   4,  5,  6,
                     7,   8,   130, 0,  4,  95,  0,   95,  0,   8,  0})),
                  95u);
  // MariaDB's GTID_FLAGS3 with a sequence number after it.
  CAF_CHECK_EQUAL(collation_of(status_vars(
                    {130, 2, 1, 2, 3, 4, 5, 6, 7, 8, 4, 28, 0, 28, 0, 8, 0})),
                  28u);
  // Nothing says where an unknown code ends: UTF-8 is assumed.
  CAF_CHECK_EQUAL(collation_of(status_vars({99, 4, 8, 0, 8, 0, 8, 0})), 0u);
  // Cut short.
  CAF_CHECK_EQUAL(collation_of(status_vars({4, 8})), 0u);
  CAF_CHECK_EQUAL(collation_of(status_vars({})), 0u);
}

CAF_TEST(compressed QUERY events are schema changes too) {
  recorded d{data_path("mariadb_compressed.000001"), run_defaults()};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  auto ddl = statements(d);
  CAF_REQUIRE(!ddl.empty());
  bool found_create = false;
  for (auto& s : ddl)
    found_create = found_create || s.rfind("CREATE TABLE", 0) == 0;
  CAF_CHECK(found_create);
}
