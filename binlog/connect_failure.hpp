#pragma once

// Why a connection to the server could not be made, in words: the client
// library says "Can't connect to server on 'db' (115)", and 115
// (EINPROGRESS, from its non-blocking connect) stands for a refused
// connection as well as for a timeout.

#include <chrono>
#include <string>
#include <string_view>

namespace binlog {

/// The errno of a TCP connect to host:port (0: it connected), within
/// `timeout` (ETIMEDOUT after it).
int probe_tcp(const std::string& host, unsigned port,
              std::chrono::milliseconds timeout);

/// For a client error `code` (CR_CONN_HOST_ERROR 2003, CR_CONNECTION_ERROR
/// 2002, CR_UNKNOWN_HOST 2005) and its `message`, which ends in the system
/// error number: the reason and what to check ("connection refused: nothing
/// listens on db:3306 ..."). Empty for other errors. When the number does
/// not say (EINPROGRESS), a TCP connect of our own finds out (at most
/// `probe_timeout`).
std::string connect_failure_reason(
  unsigned code, std::string_view message, const std::string& host,
  unsigned port,
  std::chrono::milliseconds probe_timeout = std::chrono::seconds(3));

} // namespace binlog
