#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>

#include "binlog/error.hpp"

namespace b2k {

/// Every error that crosses an actor boundary. Fatal ones stop the
/// pipeline; the others make the supervisor restart what failed.
enum class ec : uint8_t {
  none = 0,
  /// Bad configuration: an unknown or missing option, a wrong value.
  config,
  /// The MySQL/MariaDB connection failed or dropped (retried).
  source_unavailable,
  /// The server is not set up for CDC (binlog_format, row metadata).
  source_config,
  /// The server refused our user.
  source_access_denied,
  /// Another instance with the same name reads the same server.
  source_locked,
  /// The resume position is no longer on the server.
  position_purged,
  /// A binlog event could not be decoded.
  corrupt_binlog,
  /// Kafka refused a record for good (too large, not authorized, ...).
  delivery_failed,
  /// Kafka could not be reached or configured.
  kafka,
  /// The commit-log topic holds something we cannot read.
  commit_log,
  /// The schema registry refused a schema (avro format).
  schema_registry,
};

const char* to_string(ec code);

/// True if a restart cannot help.
bool is_fatal(ec code);

/// Maps a binlog library error onto ours.
caf::error make_error(const binlog::error& err);

} // namespace b2k

CAF_ERROR_CODE_ENUM(b2k::ec, "b2k")
