#include "binlog/error.hpp"

namespace binlog {

const char* to_string(errc code) {
  switch (code) {
    case errc::none:
      return "none";
    case errc::io:
      return "io";
    case errc::bad_magic:
      return "bad_magic";
    case errc::truncated:
      return "truncated";
    case errc::checksum_mismatch:
      return "checksum_mismatch";
    case errc::corrupt_event:
      return "corrupt_event";
    case errc::unknown_table:
      return "unknown_table";
    case errc::unsupported:
      return "unsupported";
    case errc::server_config:
      return "server_config";
    case errc::connection:
      return "connection";
    case errc::position_purged:
      return "position_purged";
    case errc::access_denied:
      return "access_denied";
    case errc::locked:
      return "locked";
    case errc::bad_value:
      return "bad_value";
    case errc::registry:
      return "registry";
  }
  return "unknown";
}

bool is_fatal(errc code) {
  switch (code) {
    case errc::none:
    case errc::io:
    case errc::connection:
      return false;
    default:
      return true;
  }
}

} // namespace binlog
