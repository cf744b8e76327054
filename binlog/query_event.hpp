#pragma once

// What the schema-change records need from a QUERY event: the client's
// character set from the status variables, whether a statement changes the
// schema, and which database it changes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace binlog {

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

/// The database a schema statement changes: the name after CREATE/ALTER/DROP
/// DATABASE (or SCHEMA), the qualifier of a `db.table` after TABLE, or else
/// `default_db`, the database the statement ran in (USE). `statement` is
/// UTF-8.
std::string ddl_database(std::string_view statement,
                         std::string_view default_db);

} // namespace binlog
