#include "binlog/snapshot_reader.hpp"

#include <charconv>
#include <cstdint>
#include <map>
#include <set>
#include <string_view>

#include <mysql.h>

#include "binlog/connect_failure.hpp"

namespace binlog {

namespace {

std::string quote_name(const std::string& name) {
  std::string out = "`";
  for (char ch : name) {
    if (ch == '`')
      out.push_back('`');
    out.push_back(ch);
  }
  out.push_back('`');
  return out;
}

struct result {
  MYSQL_RES* res = nullptr;
  ~result() {
    if (res != nullptr)
      mysql_free_result(res);
  }
};

} // namespace

std::string chunk_key_problem(const snapshot_table& t) {
  for (auto i : t.map.primary_key) {
    auto& c = t.columns[i];
    if (c.data_type == "float" || c.data_type == "double")
      return "its key column " + c.name + " is " + c.column_type
             + ", which the server does not print exactly enough to go on "
               "after it";
  }
  return {};
}

snapshot_reader::snapshot_reader() = default;

snapshot_reader::~snapshot_reader() {
  end_whole();
  if (mysql_ != nullptr)
    mysql_close(mysql_);
}

error snapshot_reader::failure(const std::string& what) const {
  auto code = mysql_errno(mysql_);
  std::string text = what + " on " + endpoint_ + ": " + mysql_error(mysql_);
  if (code == 1142 || code == 1143 || code == 1044 || code == 1045
      || code == 1227)
    return {errc::access_denied, text};
  if (code == 1146 || code == 1049)
    return {errc::unknown_table, text};
  return {errc::connection, text};
}

error snapshot_reader::connect(const connection_options& options) {
  end_whole();
  if (mysql_ != nullptr)
    mysql_close(mysql_);
  endpoint_ = options.host + ":" + std::to_string(options.port);
  unsigned io_timeout = options.read_timeout_s > 0 ? options.read_timeout_s
                                                   : 30;
  mysql_ = new_handle(options, io_timeout, io_timeout);
  if (mysql_ == nullptr)
    return {errc::connection, "out of memory creating a MySQL connection"};
  mysql_optionsv(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (mysql_real_connect(mysql_, options.host.c_str(), options.user.c_str(),
                         options.password.c_str(), nullptr, options.port,
                         nullptr, 0)
      == nullptr) {
    auto reason = connect_failure_reason(mysql_errno(mysql_),
                                         mysql_error(mysql_), options.host,
                                         options.port);
    auto err = failure("cannot connect for the snapshot");
    if (!reason.empty())
      err.message += ": " + reason;
    return err;
  }
  // Values as the columns store them (no conversion), TIMESTAMP in UTC,
  // and nothing this session does can write.
  for (auto sql :
       {"SET SESSION character_set_results = binary",
        "SET SESSION time_zone = '+00:00'", "SET SESSION TRANSACTION READ ONLY",
        "SET SESSION sql_mode = ''"})
    if (mysql_query(mysql_, sql) != 0)
      return failure(std::string{"'"} + sql + "' failed");
  return {};
}

error snapshot_reader::list_tables(
  std::vector<std::pair<std::string, std::string>>& out, uint64_t min_rows) {
  std::string sql =
    "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE "
    "TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN ('mysql', 'sys', "
    "'information_schema', 'performance_schema')";
  if (min_rows > 0)
    sql += " AND TABLE_ROWS >= " + std::to_string(min_rows);
  sql += " ORDER BY TABLE_SCHEMA, TABLE_NAME";
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
    return failure("listing the tables failed");
  result r{mysql_store_result(mysql_)};
  if (r.res == nullptr)
    return failure("listing the tables failed");
  out.clear();
  while (auto row = mysql_fetch_row(r.res))
    out.emplace_back(row[0], row[1]);
  if (!out.empty())
    return {};
  // information_schema lists only the tables the user has a privilege on:
  // none may be a server without tables, or a user without SELECT, whose
  // snapshot would read nothing and say nothing.
  const char* privileges =
    "SELECT CURRENT_USER(), (SELECT COUNT(*) FROM "
    "information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE = 'SELECT') + "
    "(SELECT COUNT(*) FROM information_schema.SCHEMA_PRIVILEGES WHERE "
    "PRIVILEGE_TYPE = 'SELECT') + (SELECT COUNT(*) FROM "
    "information_schema.TABLE_PRIVILEGES WHERE PRIVILEGE_TYPE = 'SELECT')";
  if (mysql_query(mysql_, privileges) != 0)
    return failure("reading the user's privileges failed");
  result p{mysql_store_result(mysql_)};
  auto row = p.res != nullptr ? mysql_fetch_row(p.res) : nullptr;
  if (row != nullptr && row[1] != nullptr && std::string_view{row[1]} == "0")
    return {errc::access_denied,
            "the snapshot can read no table on " + endpoint_ + ": the user "
              + (row[0] != nullptr ? row[0] : "")
              + " lacks the SELECT privilege; GRANT SELECT ON *.* (or on the "
                "included databases) TO it, or set snapshot = never"};
  return {};
}

error snapshot_reader::describe(const std::string& db, const std::string& table,
                                snapshot_table& out) {
  out = snapshot_table{};
  out.db = db;
  out.table = table;
  auto literal = [&](const std::string& s) {
    std::string buf(s.size() * 2 + 1, '\0');
    buf.resize(
      mysql_real_escape_string(mysql_, buf.data(), s.data(), s.size()));
    return "'" + buf + "'";
  };
  auto where = " WHERE TABLE_SCHEMA = " + literal(db)
               + " AND TABLE_NAME = " + literal(table);
  auto sql =
    "SELECT c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, "
    "c.CHARACTER_OCTET_LENGTH, c.NUMERIC_PRECISION, "
    "c.NUMERIC_SCALE, c.DATETIME_PRECISION, COALESCE(co.ID, 63), "
    "c.CHARACTER_SET_NAME, c.IS_NULLABLE FROM "
    "information_schema.COLUMNS c LEFT JOIN "
    "information_schema.COLLATIONS co ON co.COLLATION_NAME = "
    "c.COLLATION_NAME"
    + std::string{" WHERE c.TABLE_SCHEMA = "} + literal(db)
    + " AND c.TABLE_NAME = " + literal(table) + " ORDER BY c.ORDINAL_POSITION";
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
    return failure("describing " + db + "." + table + " failed");
  {
    result r{mysql_store_result(mysql_)};
    if (r.res == nullptr)
      return failure("describing " + db + "." + table + " failed");
    auto num = [](const char* s) -> uint64_t {
      return s == nullptr ? 0 : std::strtoull(s, nullptr, 10);
    };
    while (auto row = mysql_fetch_row(r.res)) {
      column_description d;
      d.name = row[0];
      d.data_type = row[1] ? row[1] : "";
      d.column_type = row[2] ? row[2] : "";
      d.octet_length = num(row[3]);
      d.precision = static_cast<unsigned>(num(row[4]));
      d.scale = static_cast<unsigned>(num(row[5]));
      d.fsp = static_cast<unsigned>(num(row[6]));
      d.collation = static_cast<uint32_t>(num(row[7]));
      d.charset = row[8] ? row[8] : "";
      d.nullable = row[9] != nullptr && std::string{row[9]} == "YES";
      out.columns.push_back(std::move(d));
    }
  }
  if (out.columns.empty())
    return {errc::unknown_table, db + "." + table + " does not exist"};
  // The chunk key: PRIMARY, else the first UNIQUE key of NOT NULL columns
  // (which the server itself promotes to primary key, also in the binlog's
  // table map; information_schema marks it PRI).
  sql =
    "SELECT INDEX_NAME, COLUMN_NAME, NON_UNIQUE FROM "
    "information_schema.STATISTICS"
    + where + " ORDER BY INDEX_NAME = 'PRIMARY' DESC, SEQ_IN_INDEX";
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
    return failure("reading the keys of " + db + "." + table + " failed");
  std::map<std::string, std::vector<std::string>> unique;
  std::vector<std::string> order;
  {
    result r{mysql_store_result(mysql_)};
    if (r.res == nullptr)
      return failure("reading the keys of " + db + "." + table + " failed");
    while (auto row = mysql_fetch_row(r.res)) {
      if (std::string{row[2]} != "0")
        continue;
      if (unique.find(row[0]) == unique.end())
        order.push_back(row[0]);
      unique[row[0]].push_back(row[1]);
    }
  }
  std::vector<uint32_t> key;
  auto index_of = [&](const std::string& name) -> int {
    for (size_t i = 0; i < out.columns.size(); ++i)
      if (out.columns[i].name == name)
        return static_cast<int>(i);
    return -1;
  };
  for (auto& name : order) {
    std::vector<uint32_t> cols;
    bool usable = true;
    for (auto& c : unique[name]) {
      auto i = index_of(c);
      if (i < 0 || out.columns[static_cast<size_t>(i)].nullable) {
        usable = false;
        break;
      }
      cols.push_back(static_cast<uint32_t>(i));
    }
    if (usable) {
      key = std::move(cols);
      break;
    }
  }
  if (auto err = make_table_map(db, table, out.columns, std::move(key),
                                out.map))
    return err;
  sql = "SELECT TABLE_ROWS FROM information_schema.TABLES" + where;
  if (mysql_real_query(mysql_, sql.data(), sql.size()) == 0) {
    result r{mysql_store_result(mysql_)};
    if (r.res != nullptr)
      if (auto row = mysql_fetch_row(r.res); row != nullptr && row[0])
        out.estimated_rows = std::strtoull(row[0], nullptr, 10);
  }
  return {};
}

error snapshot_reader::end_position(position& out) {
  for (auto sql : {"SHOW MASTER STATUS", "SHOW BINARY LOG STATUS"}) {
    if (mysql_query(mysql_, sql) != 0)
      continue;
    result r{mysql_store_result(mysql_)};
    if (r.res == nullptr)
      continue;
    auto row = mysql_fetch_row(r.res);
    if (row != nullptr && row[0] != nullptr && row[1] != nullptr) {
      out = position{};
      out.file = row[0];
      out.pos = std::strtoull(row[1], nullptr, 10);
      return {};
    }
  }
  return failure("cannot read the binlog position (SHOW MASTER STATUS)");
}

std::string snapshot_reader::column_list(const snapshot_table& t) const {
  auto& cols = t.map.columns;
  std::string list;
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i > 0)
      list += ", ";
    list += select_expression(cols[i], quote_name(cols[i].name));
  }
  return list;
}

error snapshot_reader::fetch(MYSQL_RES* res, const snapshot_table& t,
                             uint64_t limit, const row_handler& on_row,
                             uint64_t& rows, bool& end) {
  rows = 0;
  end = false;
  auto& cols = t.map.columns;
  std::vector<std::string> key(t.map.primary_key.size());
  error bad;
  while (rows < limit) {
    auto row = mysql_fetch_row(res);
    if (row == nullptr) {
      end = true;
      break;
    }
    auto lengths = mysql_fetch_lengths(res);
    images_.begin_row(cols.size());
    for (size_t i = 0; i < cols.size() && !bad; ++i)
      bad = images_.add(cols[i], row[i], lengths[i]);
    if (bad) {
      while (mysql_fetch_row(res) != nullptr) {
      }
      bad.message = t.qualified_name() + ": " + bad.message;
      return bad;
    }
    for (size_t k = 0; k < key.size(); ++k) {
      auto i = t.map.primary_key[k];
      key[k].assign(row[i], lengths[i]);
    }
    ++rows;
    if (!on_row(images_.slots(), key))
      break;
  }
  if (end && mysql_errno(mysql_) != 0)
    return failure("reading " + t.qualified_name() + " failed");
  return {};
}

error snapshot_reader::select(const snapshot_table& t, const std::string& sql,
                              const row_handler& on_row, uint64_t& rows) {
  rows = 0;
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
    return failure("reading " + t.qualified_name() + " failed");
  // Row by row from the server: a chunk is never held twice.
  result r{mysql_use_result(mysql_)};
  if (r.res == nullptr)
    return failure("reading " + t.qualified_name() + " failed");
  bool end = false;
  auto err = fetch(r.res, t, UINT64_MAX, on_row, rows, end);
  return err;
}

std::string
snapshot_reader::key_condition(const snapshot_table& t,
                               const std::vector<std::string>& values,
                               bool after) const {
  // (k1, k2) > (v1, v2) or <= spelled out, so that every server uses the
  // key's index for it.
  auto& cols = t.map.columns;
  auto& key = t.map.primary_key;
  std::string cond;
  for (size_t k = 0; k < key.size(); ++k) {
    std::string term;
    for (size_t j = 0; j < k; ++j)
      term += quote_name(cols[key[j]].name) + " = "
              + key_literal(cols[key[j]], t.columns[key[j]], values[j])
              + " AND ";
    auto op = after ? " > " : k + 1 == key.size() ? " <= " : " < ";
    term += quote_name(cols[key[k]].name) + op
            + key_literal(cols[key[k]], t.columns[key[k]], values[k]);
    cond += (cond.empty() ? "(" : " OR (") + term + ")";
  }
  return "(" + cond + ")";
}

std::string snapshot_reader::key_order(const snapshot_table& t) const {
  std::string order;
  for (auto i : t.map.primary_key)
    order += (order.empty() ? "" : ", ") + quote_name(t.map.columns[i].name);
  return order;
}

error snapshot_reader::read_chunk(const snapshot_table& t,
                                  const std::vector<std::string>& after,
                                  const std::vector<std::string>& to,
                                  uint64_t limit, const row_handler& on_row,
                                  uint64_t& rows) {
  std::string sql = "SELECT " + column_list(t) + " FROM " + quote_name(t.db)
                    + "." + quote_name(t.table);
  std::string where;
  if (!after.empty())
    where = key_condition(t, after, true);
  if (!to.empty())
    where += (where.empty() ? "" : " AND ") + key_condition(t, to, false);
  if (!where.empty())
    sql += " WHERE " + where;
  sql += " ORDER BY " + key_order(t) + " LIMIT " + std::to_string(limit);
  return select(t, sql, on_row, rows);
}

error snapshot_reader::split(const snapshot_table& t, uint32_t parts,
                             std::vector<std::vector<std::string>>& out) {
  out.clear();
  if (parts < 2 || t.map.primary_key.empty())
    return {};
  auto& cols = t.map.columns;
  auto& key = t.map.primary_key;
  auto from = quote_name(t.db) + "." + quote_name(t.table);
  auto one_row = [&](const std::string& sql,
                     std::vector<std::string>& row) -> error {
    row.clear();
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
      return failure("splitting " + t.qualified_name() + " failed");
    result r{mysql_store_result(mysql_)};
    if (r.res == nullptr)
      return failure("splitting " + t.qualified_name() + " failed");
    if (auto x = mysql_fetch_row(r.res)) {
      auto lengths = mysql_fetch_lengths(r.res);
      for (unsigned i = 0; i < mysql_num_fields(r.res); ++i) {
        if (x[i] == nullptr)
          return {};
        row.emplace_back(x[i], lengths[i]);
      }
    }
    return {};
  };
  auto& first = t.columns[key[0]];
  static const std::set<std::string> integers = {"tinyint", "smallint",
                                                 "mediumint", "int", "bigint"};
  if (key.size() == 1 && integers.count(first.data_type) > 0) {
    // An integer key: split its span evenly (two index lookups).
    auto name = quote_name(cols[key[0]].name);
    std::vector<std::string> span;
    if (auto err = one_row(
          "SELECT MIN(" + name + "), MAX(" + name + ") FROM " + from, span))
      return err;
    int64_t lo = 0, hi = 0;
    if (span.size() == 2
        && std::from_chars(span[0].data(), span[0].data() + span[0].size(), lo)
               .ec
             == std::errc{}
        && std::from_chars(span[1].data(), span[1].data() + span[1].size(), hi)
               .ec
             == std::errc{}) {
      auto width = static_cast<long double>(hi) - static_cast<long double>(lo);
      int64_t last = lo;
      for (uint32_t i = 1; i < parts; ++i) {
        // In long double: the span of a BIGINT does not fit in one.
        auto b = static_cast<int64_t>(static_cast<long double>(lo)
                                      + width * i / parts);
        if (b <= last || b >= hi)
          continue;
        out.push_back({std::to_string(b)});
        last = b;
      }
      return {};
    }
  }
  // Any other key: every (rows / parts)-th key, each from the one before
  // (one pass over the key's index).
  auto step = t.estimated_rows / parts;
  if (step == 0)
    return {};
  std::string list;
  for (auto i : key)
    list += (list.empty() ? "" : ", ")
            + select_expression(cols[i], quote_name(cols[i].name));
  for (uint32_t i = 1; i < parts; ++i) {
    auto sql = "SELECT " + list + " FROM " + from;
    if (!out.empty())
      sql += " WHERE " + key_condition(t, out.back(), true);
    sql += " ORDER BY " + key_order(t) + " LIMIT 1 OFFSET "
           + std::to_string(step - 1);
    std::vector<std::string> row;
    if (auto err = one_row(sql, row))
      return err;
    if (row.size() != key.size())
      break; // fewer rows than estimated
    out.push_back(std::move(row));
  }
  return {};
}

error snapshot_reader::list_keyless_tables(
  std::vector<std::pair<std::string, std::string>>& out) {
  // STATISTICS.NULLABLE is 'YES' for a nullable column of an index: a
  // UNIQUE index without one is a chunk key (describe picks it).
  const char* sql =
    "SELECT t.TABLE_SCHEMA, t.TABLE_NAME FROM information_schema.TABLES t "
    "WHERE t.TABLE_TYPE = 'BASE TABLE' AND t.TABLE_SCHEMA NOT IN ('mysql', "
    "'sys', 'information_schema', 'performance_schema') AND (NOT EXISTS ("
    "SELECT 1 FROM information_schema.STATISTICS s WHERE s.TABLE_SCHEMA = "
    "t.TABLE_SCHEMA AND s.TABLE_NAME = t.TABLE_NAME AND s.NON_UNIQUE = 0 "
    "GROUP BY s.INDEX_NAME HAVING SUM(s.NULLABLE = 'YES') = 0) OR EXISTS ("
    "SELECT 1 FROM information_schema.STATISTICS s JOIN "
    "information_schema.COLUMNS c ON c.TABLE_SCHEMA = s.TABLE_SCHEMA AND "
    "c.TABLE_NAME = s.TABLE_NAME AND c.COLUMN_NAME = s.COLUMN_NAME WHERE "
    "s.TABLE_SCHEMA = t.TABLE_SCHEMA AND s.TABLE_NAME = t.TABLE_NAME AND "
    "s.NON_UNIQUE = 0 AND c.DATA_TYPE IN ('float', 'double'))) ORDER BY "
    "t.TABLE_SCHEMA, t.TABLE_NAME";
  if (mysql_query(mysql_, sql) != 0)
    return failure("listing the tables without a key failed");
  result r{mysql_store_result(mysql_)};
  if (r.res == nullptr)
    return failure("listing the tables without a key failed");
  out.clear();
  while (auto row = mysql_fetch_row(r.res))
    out.emplace_back(row[0], row[1]);
  return {};
}

bool snapshot_reader::consistent_position_known() {
  if (mysql_query(mysql_, "SHOW STATUS LIKE 'binlog_snapshot_file'") != 0)
    return false;
  result r{mysql_store_result(mysql_)};
  return r.res != nullptr && mysql_fetch_row(r.res) != nullptr;
}

error snapshot_reader::probe(const snapshot_table& t) {
  auto sql = "SELECT 1 FROM " + quote_name(t.db) + "." + quote_name(t.table)
             + " LIMIT 0";
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
    return failure("reading " + t.qualified_name() + " failed");
  result r{mysql_store_result(mysql_)};
  return {};
}

error snapshot_reader::begin_whole(const snapshot_table& t, position& at) {
  end_whole();
  // The rows go out in pieces as the stream takes them: the server must
  // wait for us that long.
  if (mysql_query(mysql_, "SET SESSION net_write_timeout = 86400") != 0)
    return failure("setting net_write_timeout");
  if (mysql_query(mysql_,
                  "START TRANSACTION WITH CONSISTENT SNAPSHOT, "
                  "READ ONLY")
      != 0)
    return failure("starting a consistent read of " + t.qualified_name());
  auto fail = [&](error err) {
    mysql_query(mysql_, "COMMIT");
    return err;
  };
  if (mysql_query(mysql_, "SHOW STATUS LIKE 'binlog_snapshot_%'") != 0)
    return fail(failure("reading binlog_snapshot_file"));
  {
    result r{mysql_store_result(mysql_)};
    at = position{};
    while (r.res != nullptr)
      if (auto row = mysql_fetch_row(r.res)) {
        std::string name = row[0];
        if (name == "Binlog_snapshot_file" && row[1])
          at.file = row[1];
        else if (name == "Binlog_snapshot_position" && row[1])
          at.pos = std::strtoull(row[1], nullptr, 10);
      } else {
        break;
      }
  }
  if (at.file.empty())
    return fail({errc::unsupported,
                 t.qualified_name()
                   + " has no primary key or unique NOT NULL key, and this "
                     "server does not say which binlog position a "
                     "consistent read matches (MariaDB's "
                     "binlog_snapshot_file)"});
  auto sql = "SELECT " + column_list(t) + " FROM " + quote_name(t.db) + "."
             + quote_name(t.table);
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
    return fail(failure("reading " + t.qualified_name() + " failed"));
  whole_ = mysql_use_result(mysql_);
  if (whole_ == nullptr)
    return fail(failure("reading " + t.qualified_name() + " failed"));
  return {};
}

error snapshot_reader::read_more(const snapshot_table& t, uint64_t limit,
                                 const row_handler& on_row, uint64_t& rows) {
  rows = 0;
  if (whole_ == nullptr)
    return {};
  bool end = false;
  auto err = fetch(whole_, t, limit, on_row, rows, end);
  if (err || end)
    end_whole();
  return err;
}

void snapshot_reader::end_whole() {
  if (whole_ == nullptr)
    return;
  mysql_free_result(whole_); // reads what is left of it
  whole_ = nullptr;
  mysql_query(mysql_, "COMMIT");
}

} // namespace binlog
