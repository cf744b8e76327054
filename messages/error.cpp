#include "messages/error.hpp"

namespace b2k {

const char* to_string(ec code) {
  switch (code) {
    case ec::none:
      return "none";
    case ec::config:
      return "config";
    case ec::source_unavailable:
      return "source_unavailable";
    case ec::source_config:
      return "source_config";
    case ec::source_access_denied:
      return "source_access_denied";
    case ec::source_locked:
      return "source_locked";
    case ec::position_purged:
      return "position_purged";
    case ec::corrupt_binlog:
      return "corrupt_binlog";
    case ec::delivery_failed:
      return "delivery_failed";
    case ec::kafka:
      return "kafka";
    case ec::commit_log:
      return "commit_log";
    case ec::schema_registry:
      return "schema_registry";
  }
  return "unknown";
}

bool is_fatal(ec code) {
  return code != ec::none && code != ec::source_unavailable;
}

caf::error make_error(const binlog::error& err) {
  auto code = ec::corrupt_binlog;
  switch (err.code) {
    case binlog::errc::none:
      return caf::none;
    case binlog::errc::io:
    case binlog::errc::connection:
      code = ec::source_unavailable;
      break;
    case binlog::errc::server_config:
      code = ec::source_config;
      break;
    case binlog::errc::access_denied:
      code = ec::source_access_denied;
      break;
    case binlog::errc::locked:
      code = ec::source_locked;
      break;
    case binlog::errc::position_purged:
      code = ec::position_purged;
      break;
    case binlog::errc::bad_value:
      code = ec::config;
      break;
    case binlog::errc::registry:
      code = ec::schema_registry;
      break;
    case binlog::errc::bad_magic:
    case binlog::errc::truncated:
    case binlog::errc::checksum_mismatch:
    case binlog::errc::corrupt_event:
    case binlog::errc::unknown_table:
    case binlog::errc::unsupported:
      code = ec::corrupt_binlog;
      break;
  }
  return caf::make_error(code, err.message);
}

} // namespace b2k
