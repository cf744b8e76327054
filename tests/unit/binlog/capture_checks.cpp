#define CAF_SUITE binlog.capture_checks

#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "binlog/query_event.hpp"
#include "binlog_test.hpp"

// What `run` checks while it reads (decoder::check_capture), since the
// server's settings may change after it connected: a row change logged as
// a statement (binlog_format STATEMENT or MIXED) or a table map without
// column names (binlog_row_metadata MINIMAL) of an included table stops
// decoding; partial row images (binlog_row_image MINIMAL or NOBLOB) are
// sent with one warning per table. And which statements change rows of
// which tables.

using namespace b2k::test;

namespace {

struct warning_sink : collecting_sink {
  std::vector<std::string> warnings;

  void on_warning(const std::string& what) override {
    warnings.push_back(what);
  }
};

binlog::record_options run_options() {
  binlog::record_options o;
  o.skip_system_schemas = true;
  o.exclude_tables = {"test\\.skipped"};
  return o;
}

struct fixture {
  warning_sink sink;
  binlog::decoder dec{*binlog::record_encoder::make(run_options()), sink};
  uint64_t offset = 4;

  fixture() {
    binlog::position from;
    from.file = "binlog.000001";
    dec.start_at(from);
    dec.check_capture(true);
  }

  binlog::error feed(const bytes& event) {
    auto err = dec.consume(event.data(), event.size(), offset);
    offset += event.size();
    return err;
  }

  binlog::error statement(std::string_view db, std::string_view sql) {
    if (auto err = feed(make_event(2, query_body(db, "BEGIN"), false)))
      return err;
    if (auto err = feed(make_event(2, query_body(db, sql), false)))
      return err;
    return feed(make_event(16, bytes(8, 9), false));
  }
};

// test.t's table map without its optional metadata (no column names).
bytes unnamed_table_map() {
  return table_map_body(42, "test", "t", {3, 15}, {80, 0});
}

// A DELETE_ROWS_V2 body of test.t with a before-image of the id only, as
// binlog_row_image=MINIMAL writes it.
bytes minimal_delete(uint32_t id) {
  bytes b;
  put_le(b, 42, 6);
  put_le(b, 1, 2); // STMT_END_F
  put_le(b, 2, 2); // no extra data
  put_packed(b, 2);
  b.push_back(0x01); // only column 1 (id)
  b.push_back(0);    // null bitmap of the one present column
  put_le(b, id, 4);
  return b;
}

std::vector<std::string> tables_of(std::string_view sql) {
  std::vector<binlog::statement_table> tables;
  std::vector<std::string> out;
  if (!binlog::statement_changes_rows(sql, tables))
    return {"(no row change)"};
  for (auto& t : tables)
    out.push_back(t.db.empty() ? t.table : t.db + "." + t.table);
  return out;
}

using names = std::vector<std::string>;

constexpr auto npos = std::string::npos;

} // namespace

CAF_TEST(which statements change rows of which tables) {
  CAF_CHECK_EQUAL(tables_of("INSERT INTO t VALUES (1)"), names{"t"});
  CAF_CHECK_EQUAL(tables_of("insert low_priority ignore into `shop`.`o` "
                            "(a) select * from x"),
                  names{"shop.o"});
  CAF_CHECK_EQUAL(tables_of("REPLACE shop.o SET a = 1"), names{"shop.o"});
  CAF_CHECK_EQUAL(tables_of("/* app */ INSERT INTO t VALUES (1)"), names{"t"});
  CAF_CHECK_EQUAL(tables_of("UPDATE IGNORE t SET a = 'x FROM y'"), names{"t"});
  CAF_CHECK_EQUAL(tables_of("UPDATE a.t1 x JOIN t2 ON x.i = t2.i, t3 "
                            "SET x.v = 1"),
                  (names{"a.t1", "t2", "t3"}));
  CAF_CHECK_EQUAL(tables_of("DELETE QUICK FROM t WHERE id IN (SELECT i "
                            "FROM u)"),
                  names{"t"});
  CAF_CHECK_EQUAL(tables_of("DELETE t1.*, t2 FROM t1 INNER JOIN t2 "
                            "WHERE t1.id = t2.id"),
                  (names{"t1", "t2", "t1", "t2"}));
  CAF_CHECK_EQUAL(tables_of("DELETE FROM t1 USING t1, db.t2"),
                  (names{"t1", "t1", "db.t2"}));
  CAF_CHECK_EQUAL(tables_of("LOAD DATA INFILE '../tmp/SQL_LOAD-1-2-3.data' "
                            "INTO TABLE `t` FIELDS TERMINATED BY ','"),
                  names{"t"});
  CAF_CHECK_EQUAL(tables_of("WITH c AS (SELECT 1) UPDATE t SET a = 1"),
                  names{});
  for (auto sql :
       {"CREATE TABLE t (id INT)", "ALTER TABLE t ADD c INT", "TRUNCATE t",
        "DROP TABLE t", "GRANT SELECT ON *.* TO u", "SAVEPOINT a", "`INSERT`"})
    CAF_CHECK_EQUAL(tables_of(sql), names{"(no row change)"});
}

CAF_TEST(a row change of an included table logged as a statement stops) {
  fixture f;
  CAF_REQUIRE_EQUAL(
    f.statement("test", "INSERT INTO skipped VALUES (1)").message, "");
  CAF_REQUIRE_EQUAL(f.statement("mysql", "UPDATE user SET x = 1").message, "");
  CAF_REQUIRE_EQUAL(f.statement("test", "CREATE TABLE t2 (id INT)").message,
                    "");
  auto at = f.offset;
  auto err = f.statement("test", "UPDATE t SET name = 'x' WHERE id = 1");
  CAF_CHECK(err.code == binlog::errc::server_config);
  CAF_CHECK_NOT_EQUAL(err.message.find("binlog.000001 at offset "), npos);
  CAF_CHECK_NOT_EQUAL(err.message.find("a change of test.t was logged as a "
                                       "statement (binlog_format STATEMENT "
                                       "or MIXED)"),
                      npos);
  CAF_CHECK_NOT_EQUAL(err.message.find("from="), npos);
  // Its position is the statement's (after BEGIN), and where it ends.
  auto begin = make_event(2, query_body("test", "BEGIN"), false);
  CAF_CHECK_NOT_EQUAL(
    err.message.find(" at offset " + std::to_string(at + begin.size()) + ": "),
    npos);
  CAF_CHECK(f.sink.records.empty());
}

CAF_TEST(a statement whose tables cannot be read stops when its database is
           included) {
  fixture f;
  auto err = f.statement("test", "WITH c AS (SELECT 1) DELETE FROM t");
  CAF_CHECK(err.code == binlog::errc::server_config);
  CAF_CHECK_NOT_EQUAL(err.message.find("a statement in database 'test' "
                                       "('WITH c AS (SELECT 1) DELETE FROM "
                                       "t')"),
                      npos);
  fixture g;
  CAF_CHECK_EQUAL(
    g.statement("mysql", "WITH c AS (SELECT 1) DELETE FROM t").message, "");
}

CAF_TEST(without check_capture statements and unnamed maps are decoded) {
  fixture f;
  f.dec.check_capture(false);
  CAF_CHECK_EQUAL(f.statement("test", "UPDATE t SET name = 'x'").message, "");
  CAF_CHECK_EQUAL(f.feed(make_event(19, unnamed_table_map(), false)).message,
                  "");
}

CAF_TEST(a table map without column names of an included table stops) {
  fixture f;
  CAF_REQUIRE_EQUAL(
    f.feed(make_event(19, table_map_body(43, "test", "skipped", {3}, {}, {}),
                      false))
      .message,
    "");
  auto err = f.feed(make_event(19, unnamed_table_map(), false));
  CAF_CHECK(err.code == binlog::errc::server_config);
  CAF_CHECK_NOT_EQUAL(err.message.find("the TABLE_MAP of test.t holds no "
                                       "column names (binlog_row_metadata is "
                                       "no longer FULL"),
                      npos);
}

CAF_TEST(partial row images are sent with one warning per table) {
  fixture f;
  for (uint32_t id = 1; id <= 2; ++id) {
    CAF_REQUIRE_EQUAL(
      f.feed(make_event(2, query_body("test", "BEGIN"), false)).message, "");
    CAF_REQUIRE_EQUAL(f.feed(make_event(19, test_table_map(), false)).message,
                      "");
    CAF_REQUIRE_EQUAL(f.feed(make_event(32, minimal_delete(id), false)).message,
                      "");
    CAF_REQUIRE_EQUAL(f.feed(make_event(16, bytes(8, 9), false)).message, "");
  }
  // A new file forgets table ids, not the warning.
  binlog::position next_file;
  next_file.file = "binlog.000002";
  f.dec.start_at(next_file);
  f.dec.check_capture(true);
  CAF_REQUIRE_EQUAL(f.feed(make_event(19, test_table_map(), false)).message,
                    "");
  CAF_REQUIRE_EQUAL(f.feed(make_event(32, minimal_delete(3), false)).message,
                    "");
  CAF_REQUIRE_EQUAL(f.sink.warnings.size(), 1u);
  CAF_CHECK_NOT_EQUAL(f.sink.warnings[0].find(
                        "table test.t has partial row images at "
                        "binlog.000001:4 (binlog_row_image is MINIMAL or "
                        "NOBLOB"),
                      npos);
  // Three deletes (each with its tombstone when those are on), the before
  // image holding the key only.
  size_t deletes = 0;
  for (auto& r : f.sink.records) {
    if (r.value.is_null())
      continue;
    ++deletes;
    CAF_CHECK_EQUAL(r.op(), "d");
    CAF_CHECK_EQUAL(r.before().size(), 1u);
    CAF_CHECK(r.before().contains("id"));
  }
  CAF_CHECK_EQUAL(deletes, 3u);
}
