#pragma once

// The QUERY event (and MariaDB's QUERY_COMPRESSED): its parts, what its
// statement does to the transaction around it, and what the schema-change
// records need: the client's character set from the status variables,
// whether a statement changes the schema, and which database it changes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "binlog/error.hpp"
#include "binlog/event.hpp"

namespace binlog {

/// A QUERY event: a statement, the database it ran in and the session's
/// status variables.
struct query_event {
  uint32_t thread_id = 0;
  std::string_view db;
  const uint8_t* status_vars = nullptr;
  size_t status_size = 0;
  /// The statement as logged (compressed in QUERY_COMPRESSED).
  std::string_view statement;
  /// Bytes from the body's start to the statement.
  size_t head_size = 0;
};

/// Reads the body of a QUERY or QUERY_COMPRESSED event (after the common
/// header, without the checksum); `post_header_len` comes from the format
/// description. Fails with errc::corrupt_event.
error parse_query_event(event_type type, uint8_t post_header_len,
                        const uint8_t* body, size_t size, query_event& out);

/// The statement without the white space before it.
std::string_view trim_statement(std::string_view statement);

/// What a statement does to the transaction around it.
enum class statement_kind : uint8_t {
  /// BEGIN.
  begin,
  /// COMMIT or ROLLBACK, and XA statements other than those below: the
  /// transaction ends here.
  commit,
  /// ROLLBACK TO SAVEPOINT: the transaction goes on.
  rollback_to_savepoint,
  /// MySQL's XA START (MariaDB's is in its GTID event).
  xa_start,
  /// XA END: the transaction goes on to its XA PREPARE.
  xa_end,
  /// XA COMMIT or XA ROLLBACK of a prepared transaction named by its xid.
  xa_commit,
  xa_rollback,
  /// Anything else: DDL, SAVEPOINT, a statement logged as such.
  other,
};

/// Classifies a statement (trimmed). For XA START, XA COMMIT and XA
/// ROLLBACK, sets `xid` to the key (xid_key_of_text) of the xid it names.
statement_kind classify_statement(std::string_view statement, std::string& xid);

/// The collation id of character_set_client (Q_CHARSET_CODE) in a QUERY
/// event's status variables, or 0 when they do not say (then the statement
/// is taken as UTF-8).
uint32_t query_client_collation(const uint8_t* status_vars, size_t size);

/// True for statements that belong on the schema-change topic: everything a
/// QUERY event holds except transaction control (BEGIN, COMMIT, ROLLBACK,
/// SAVEPOINT, RELEASE, XA), row changes logged as statements (INSERT,
/// UPDATE, DELETE, REPLACE, LOAD), account management (GRANT, REVOKE, SET
/// PASSWORD, CREATE/ALTER/DROP/RENAME USER, ROLE or SERVER, which carry
/// password hashes) and comments that stand for skipped events.
bool is_schema_statement(std::string_view statement);

/// A table a statement names: `db` is empty when the statement does not
/// qualify it (then it is in the statement's own database).
struct statement_table {
  std::string db;
  std::string table;
};

/// True for a statement that changes rows (INSERT, REPLACE, UPDATE, DELETE,
/// LOAD DATA, or one starting with WITH): in a binlog it means the rows
/// were logged as a statement (binlog_format STATEMENT or MIXED), not as
/// rows events. `tables` gets the tables whose rows it may change: the
/// target of INSERT, REPLACE and LOAD; for UPDATE and DELETE every table
/// named in their table lists (their targets are among them; aliases too).
/// Empty when the statement's tables cannot be read. `statement` is UTF-8.
bool statement_changes_rows(std::string_view statement,
                            std::vector<statement_table>& tables);

/// The database a schema statement changes: the name after CREATE/ALTER/DROP
/// DATABASE (or SCHEMA), the qualifier of a `db.table` after TABLE, or else
/// `default_db`, the database the statement ran in (USE). `statement` is
/// UTF-8.
std::string ddl_database(std::string_view statement,
                         std::string_view default_db);

} // namespace binlog
