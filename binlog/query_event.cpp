#include "binlog/query_event.hpp"

#include "binlog/bytes.hpp"
#include "binlog/xa.hpp"

namespace binlog {

namespace {

// Status variable codes (MySQL's and MariaDB's log_event.h). Each has a
// length of its own; an unknown code ends the walk, as it does in the
// servers, since nothing says how long it is.
enum status_var : uint8_t {
  q_flags2 = 0,
  q_sql_mode = 1,
  q_catalog = 2,
  q_auto_increment = 3,
  q_charset = 4,
  q_time_zone = 5,
  q_catalog_nz = 6,
  q_lc_time_names = 7,
  q_charset_database = 8,
  q_table_map_for_update = 9,
  q_master_data_written = 10,
  q_invoker = 11,
  q_updated_db_names = 12,
  q_microseconds = 13,
  q_explicit_defaults_for_timestamp = 16,
  q_ddl_logged_with_xid = 17,
  q_default_collation_for_utf8mb4 = 18,
  q_sql_require_primary_key = 19,
  q_default_table_encryption = 20,
  // MariaDB
  q_hrnow = 128,
  q_xid = 129,
  q_gtid_flags3 = 130,
  q_character_set_collations = 131,
};

// MariaDB's Q_GTID_FLAGS3 bits that add an 8-byte sequence number.
constexpr uint8_t fl_commit_alter_e1 = 0x02;
constexpr uint8_t fl_rollback_alter_e1 = 0x04;

// More databases than this in Q_UPDATED_DB_NAMES and none is listed.
constexpr uint8_t over_max_dbs = 254;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
         || c == '\v';
}

bool is_word_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
         || (c >= '0' && c <= '9') || c == '_' || c == '$' || u >= 0x80;
}

char upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

bool equals_keyword(std::string_view word, std::string_view keyword) {
  if (word.size() != keyword.size())
    return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (upper(word[i]) != keyword[i])
      return false;
  return true;
}

/// Reads SQL words, quoted identifiers and punctuation, skipping spaces and
/// comments. Versioned comments (`/*!50100 ... */`) are read as SQL, the
/// way the server runs them.
class sql_scanner {
public:
  explicit sql_scanner(std::string_view text) : text_(text) {
  }

  /// The next token: a word, an identifier without its quotes (doubled
  /// quotes inside stay doubled, which names never have in practice), or
  /// one punctuation character; empty at the end.
  std::string_view next(bool& quoted) {
    skip_space();
    quoted = false;
    if (at_ >= text_.size())
      return {};
    char c = text_[at_];
    if (c == '`' || c == '"') {
      quoted = true;
      size_t start = ++at_;
      while (at_ < text_.size()) {
        if (text_[at_] == c) {
          if (at_ + 1 < text_.size() && text_[at_ + 1] == c) {
            at_ += 2;
            continue;
          }
          break;
        }
        ++at_;
      }
      auto token = text_.substr(start, at_ - start);
      if (at_ < text_.size())
        ++at_; // the closing quote
      return token;
    }
    size_t start = at_;
    if (c == '\'') {
      // A string literal is one token: its words are no SQL.
      for (++at_; at_ < text_.size(); ++at_) {
        if (text_[at_] == '\\')
          ++at_;
        else if (text_[at_] == '\'')
          break;
      }
      if (at_ < text_.size())
        ++at_;
      return text_.substr(start, at_ - start);
    }
    if (is_word_char(c)) {
      while (at_ < text_.size() && is_word_char(text_[at_]))
        ++at_;
    } else {
      ++at_;
    }
    return text_.substr(start, at_ - start);
  }

  std::string_view next() {
    bool quoted;
    return next(quoted);
  }

  /// True, and the token consumed, if the next token is `punct`.
  bool accept(char punct) {
    skip_space();
    if (at_ < text_.size() && text_[at_] == punct) {
      ++at_;
      return true;
    }
    return false;
  }

private:
  void skip_space() {
    while (at_ < text_.size()) {
      char c = text_[at_];
      if (is_space(c)) {
        ++at_;
      } else if (text_.compare(at_, 3, "/*!") == 0) {
        at_ += 3;
        while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9')
          ++at_;
        ++open_versioned_;
      } else if (open_versioned_ > 0 && text_.compare(at_, 2, "*/") == 0) {
        at_ += 2;
        --open_versioned_;
      } else if (text_.compare(at_, 2, "/*") == 0) {
        auto end = text_.find("*/", at_ + 2);
        at_ = end == std::string_view::npos ? text_.size() : end + 2;
      } else if (c == '#' || text_.compare(at_, 3, "-- ") == 0) {
        auto end = text_.find('\n', at_);
        at_ = end == std::string_view::npos ? text_.size() : end + 1;
      } else {
        return;
      }
    }
  }

  std::string_view text_;
  size_t at_ = 0;
  int open_versioned_ = 0;
};

// Transaction control is matched as the server writes it: a keyword, then
// white space, ';' or the end.
bool starts_with_word(std::string_view text, std::string_view word) {
  if (text.size() < word.size())
    return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (upper(text[i]) != word[i])
      return false;
  return text.size() == word.size() || text[word.size()] == ' '
         || text[word.size()] == '\t' || text[word.size()] == '\n'
         || text[word.size()] == ';' || text[word.size()] == '\r';
}

bool is_name(std::string_view token, bool quoted) {
  return quoted || (!token.empty() && is_word_char(token.front()));
}

// Reads `name` or `db.name` (and `name.*` of a multi-table DELETE) whose
// first part is `first`.
statement_table read_table(sql_scanner& scan, std::string_view first) {
  statement_table t;
  t.table = std::string{first};
  auto after_dot = scan;
  if (!after_dot.accept('.'))
    return t;
  bool quoted = false;
  auto second = after_dot.next(quoted);
  if (second == "*") {
    scan = after_dot;
    return t;
  }
  if (!is_name(second, quoted))
    return t;
  scan = after_dot;
  t.db = std::move(t.table);
  t.table = std::string{second};
  return t;
}

// The tables of UPDATE's or DELETE's table lists, from the scanner's place
// to `end` (SET of UPDATE) or WHERE, ORDER, LIMIT, RETURNING: a name is read
// at the start, after FROM, USING, JOIN and a comma, outside parentheses.
void read_table_lists(sql_scanner& scan, std::string_view end,
                      std::vector<statement_table>& tables) {
  bool expect_name = true;
  int depth = 0;
  while (true) {
    bool quoted = false;
    auto token = scan.next(quoted);
    if (token.empty())
      return;
    if (!quoted && token == "(") {
      ++depth;
      continue;
    }
    if (!quoted && token == ")") {
      depth = depth > 0 ? depth - 1 : 0;
      continue;
    }
    if (depth > 0)
      continue;
    if (!quoted
        && (equals_keyword(token, end) || equals_keyword(token, "WHERE")
            || equals_keyword(token, "ORDER") || equals_keyword(token, "LIMIT")
            || equals_keyword(token, "RETURNING")))
      return;
    if (!quoted
        && (token == "," || equals_keyword(token, "FROM")
            || equals_keyword(token, "USING") || equals_keyword(token, "JOIN")
            || equals_keyword(token, "STRAIGHT_JOIN"))) {
      expect_name = true;
      continue;
    }
    if (expect_name && !quoted
        && (equals_keyword(token, "LOW_PRIORITY")
            || equals_keyword(token, "QUICK")
            || equals_keyword(token, "IGNORE")))
      continue; // UPDATE's and DELETE's modifiers
    if (expect_name && is_name(token, quoted)) {
      tables.push_back(read_table(scan, token));
      expect_name = false;
    }
  }
}

// Skips the modifiers of a DML verb; returns the first other token.
std::string_view skip_modifiers(sql_scanner& scan, bool& quoted) {
  static constexpr std::string_view modifiers[] = {
    "LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "QUICK", "INTO",
  };
  while (true) {
    auto token = scan.next(quoted);
    bool modifier = false;
    if (!quoted)
      for (auto m : modifiers)
        modifier = modifier || equals_keyword(token, m);
    if (!modifier)
      return token;
  }
}

} // namespace

bool statement_changes_rows(std::string_view statement,
                            std::vector<statement_table>& tables) {
  tables.clear();
  sql_scanner scan{statement};
  bool quoted = false;
  auto verb = scan.next(quoted);
  if (quoted)
    return false;
  if (equals_keyword(verb, "INSERT") || equals_keyword(verb, "REPLACE")) {
    auto name = skip_modifiers(scan, quoted);
    if (is_name(name, quoted))
      tables.push_back(read_table(scan, name));
    return true;
  }
  if (equals_keyword(verb, "UPDATE")) {
    read_table_lists(scan, "SET", tables);
    return true;
  }
  if (equals_keyword(verb, "DELETE")) {
    read_table_lists(scan, "WHERE", tables);
    return true;
  }
  if (equals_keyword(verb, "LOAD")) {
    // LOAD DATA|XML ... INTO TABLE name
    for (auto token = scan.next(quoted); !token.empty();
         token = scan.next(quoted)) {
      if (quoted || !equals_keyword(token, "INTO"))
        continue;
      if (!equals_keyword(scan.next(quoted), "TABLE"))
        break;
      auto name = scan.next(quoted);
      if (is_name(name, quoted))
        tables.push_back(read_table(scan, name));
      break;
    }
    return true;
  }
  // WITH ... INSERT/UPDATE/DELETE: a SELECT alone is never logged.
  return equals_keyword(verb, "WITH");
}

error parse_query_event(event_type type, uint8_t post_header_len,
                        const uint8_t* body, size_t size, query_event& out) {
  // QUERY_COMPRESSED keeps all but the statement as it is
  // (query_event_uncompress in MariaDB); its post-header must hold the
  // status variables' length, and a compressed statement must follow.
  bool compressed = type == event_type::mariadb_query_compressed;
  auto post = post_header_len;
  cursor c{body, size};
  out.thread_id = c.u32();
  c.skip(4); // execution time
  size_t db_len = c.u8();
  c.skip(2); // error code
  size_t status_len = post >= 13 || compressed ? c.u16() : 0;
  if (post > 13)
    c.skip(post - 13u);
  out.status_vars = c.bytes(status_len);
  out.status_size = status_len;
  out.db = c.str(db_len);
  c.skip(1); // the database name's NUL
  if (compressed ? !c.ok() || post < 13 || c.empty() : !c.ok())
    return {errc::corrupt_event,
            std::string{to_string(type)} + " event body of "
              + std::to_string(size) + " bytes is "
              + (compressed ? "too short for" : "shorter than") + " its "
              + std::to_string(post) + "-byte post-header, "
              + std::to_string(status_len) + " bytes of status variables and "
              + std::to_string(db_len + 1) + " bytes of database name"};
  out.head_size = size - c.remaining();
  out.statement = c.str(c.remaining());
  return {};
}

std::string_view trim_statement(std::string_view statement) {
  while (!statement.empty()
         && (statement.front() == ' ' || statement.front() == '\n'
             || statement.front() == '\t' || statement.front() == '\r'))
    statement.remove_prefix(1);
  return statement;
}

statement_kind classify_statement(std::string_view statement,
                                  std::string& xid) {
  if (starts_with_word(statement, "BEGIN"))
    return statement_kind::begin;
  if (starts_with_word(statement, "XA")) {
    auto rest = trim_statement(statement.substr(2));
    if (starts_with_word(rest, "START") || starts_with_word(rest, "BEGIN")) {
      xid = xid_key_of_text(trim_statement(rest.substr(5)));
      return statement_kind::xa_start;
    }
    if (starts_with_word(rest, "END"))
      return statement_kind::xa_end;
    bool commit = starts_with_word(rest, "COMMIT");
    if (commit || starts_with_word(rest, "ROLLBACK")) {
      xid = xid_key_of_text(trim_statement(rest.substr(commit ? 6 : 8)));
      if (!xid.empty())
        return commit ? statement_kind::xa_commit : statement_kind::xa_rollback;
    }
    return statement_kind::commit;
  }
  if (starts_with_word(statement, "ROLLBACK"))
    return starts_with_word(trim_statement(statement.substr(8)), "TO")
             ? statement_kind::rollback_to_savepoint
             : statement_kind::commit;
  if (starts_with_word(statement, "COMMIT"))
    return statement_kind::commit;
  return statement_kind::other;
}

uint32_t query_client_collation(const uint8_t* status_vars, size_t size) {
  cursor c{status_vars, size};
  while (c.ok() && !c.empty()) {
    switch (c.u8()) {
      case q_flags2:
      case q_master_data_written:
        c.skip(4);
        break;
      case q_sql_mode:
      case q_table_map_for_update:
      case q_ddl_logged_with_xid:
      case q_xid:
        c.skip(8);
        break;
      case q_catalog: // 5.0.0-5.0.3: length, text, NUL
        c.skip(c.u8() + 1u);
        break;
      case q_auto_increment:
        c.skip(4);
        break;
      case q_charset: {
        uint32_t client = c.u16();
        return c.ok() ? client : 0;
      }
      case q_time_zone:
      case q_catalog_nz:
        c.skip(c.u8());
        break;
      case q_lc_time_names:
      case q_charset_database:
      case q_default_collation_for_utf8mb4:
        c.skip(2);
        break;
      case q_invoker:
        c.skip(c.u8()); // user
        c.skip(c.u8()); // host
        break;
      case q_updated_db_names: {
        uint8_t count = c.u8();
        if (count == over_max_dbs)
          break;
        for (uint8_t i = 0; i < count && c.ok(); ++i)
          while (c.ok() && c.u8() != 0) {
          }
        break;
      }
      case q_microseconds:
      case q_hrnow:
        c.skip(3);
        break;
      case q_explicit_defaults_for_timestamp:
      case q_sql_require_primary_key:
      case q_default_table_encryption:
        c.skip(1);
        break;
      case q_gtid_flags3: {
        uint8_t flags = c.u8();
        if (flags & (fl_commit_alter_e1 | fl_rollback_alter_e1))
          c.skip(8);
        break;
      }
      case q_character_set_collations: // MariaDB 11.2+: pairs of ids
        c.skip(c.u8() * size_t{4});
        break;
      default:
        return 0;
    }
  }
  return 0;
}

bool is_schema_statement(std::string_view statement) {
  // MySQL stands a comment in for events an old replica cannot handle.
  size_t first = 0;
  while (first < statement.size() && is_space(statement[first]))
    ++first;
  if (first == statement.size() || statement[first] == '#')
    return false;
  sql_scanner scan{statement};
  auto word = scan.next();
  if (word.empty())
    return false;
  // Account management (GRANT, SET PASSWORD, CREATE USER ... IDENTIFIED
  // BY ...) is no schema change, and it carries password hashes.
  static constexpr std::string_view not_schema[] = {
    "BEGIN",  "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "XA",     "INSERT",
    "UPDATE", "DELETE", "REPLACE",  "LOAD",      "GRANT",   "REVOKE", "SET",
  };
  for (auto keyword : not_schema)
    if (equals_keyword(word, keyword))
      return false;
  if (equals_keyword(word, "CREATE") || equals_keyword(word, "ALTER")
      || equals_keyword(word, "DROP") || equals_keyword(word, "RENAME")) {
    bool quoted = false;
    auto object = scan.next(quoted);
    while (
      !quoted
      && (equals_keyword(object, "OR") || equals_keyword(object, "REPLACE")))
      object = scan.next(quoted);
    if (!quoted
        && (equals_keyword(object, "USER") || equals_keyword(object, "ROLE")
            || equals_keyword(object, "SERVER")))
      return false;
  }
  return true;
}

std::string ddl_database(std::string_view statement,
                         std::string_view default_db) {
  sql_scanner scan{statement};
  auto verb = scan.next();
  bool truncate = equals_keyword(verb, "TRUNCATE");
  if (!truncate && !equals_keyword(verb, "CREATE")
      && !equals_keyword(verb, "ALTER") && !equals_keyword(verb, "DROP")
      && !equals_keyword(verb, "RENAME"))
    return std::string{default_db};
  // Modifiers between the verb and the object: CREATE OR REPLACE TEMPORARY
  // TABLE, ALTER ONLINE IGNORE TABLE. Anything else (VIEW with a DEFINER,
  // INDEX ... ON, USER) keeps the statement's own database.
  bool quoted = false;
  auto object = scan.next(quoted);
  while (!quoted
         && (equals_keyword(object, "OR") || equals_keyword(object, "REPLACE")
             || equals_keyword(object, "TEMPORARY")
             || equals_keyword(object, "ONLINE")
             || equals_keyword(object, "IGNORE")))
    object = scan.next(quoted);
  bool database = !quoted
                  && (equals_keyword(object, "DATABASE")
                      || equals_keyword(object, "SCHEMA"));
  auto name = object;
  bool name_quoted = quoted;
  if (database || (!quoted && equals_keyword(object, "TABLE"))) {
    name = scan.next(name_quoted);
    if (!name_quoted && equals_keyword(name, "IF")) {
      auto next = scan.next();
      if (equals_keyword(next, "NOT"))
        scan.next(); // EXISTS
      name = scan.next(name_quoted);
    }
  } else if (!truncate) {
    return std::string{default_db};
  }
  // TRUNCATE [TABLE] name: without TABLE, `object` already is the name.
  if (name.empty() || (!name_quoted && !is_word_char(name.front())))
    return std::string{default_db};
  if (database)
    return std::string{name};
  if (scan.accept('.'))
    return std::string{name};
  return std::string{default_db};
}

} // namespace binlog
