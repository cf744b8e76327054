#pragma once

#include <string>

namespace binlog {

/// What went wrong while reading a binlog. The reader actor maps these onto
/// the pipeline's error enum; the library itself knows nothing of CAF.
enum class errc {
  none = 0,
  /// A file or the server connection could not be read or written.
  io,
  /// The file does not start with the binlog magic number.
  bad_magic,
  /// An event ends before its header says it does.
  truncated,
  /// An event's CRC32 does not match its bytes.
  checksum_mismatch,
  /// An event's layout is inconsistent (a length past its end, and so on).
  corrupt_event,
  /// A rows event refers to a table id that no TABLE_MAP announced.
  unknown_table,
  /// The binlog uses something we cannot decode (encryption, old formats).
  unsupported,
  /// The server is not configured for row-based CDC.
  server_config,
  /// Connecting, authenticating or talking to the server failed.
  connection,
  /// The requested start position is no longer on the server.
  position_purged,
  /// The server refused our user or its privileges.
  access_denied,
  /// Another instance with the same source name holds the source lock.
  locked,
};

const char* to_string(errc code);

/// True for errors a retry cannot fix: the pipeline must stop, not reconnect.
bool is_fatal(errc code);

/// An error code with a one-line message that names the cause (and, for
/// decoding errors, the file and offset).
struct error {
  errc code = errc::none;
  std::string message;

  error() = default;
  error(errc c, std::string msg) : code(c), message(std::move(msg)) {
  }

  explicit operator bool() const {
    return code != errc::none;
  }
};

} // namespace binlog
