#pragma once

#include <optional>
#include <string>
#include <utility>

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
  /// A value handed to the library is malformed: record options, a GTID
  /// set's text.
  bad_value,
  /// The schema registry refused a schema (incompatible, invalid).
  registry,
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

/// A value, or the error that kept it from being made. For factories,
/// where there is no object to fill; functions that fill one return an
/// `error` instead.
template <class T>
class expected {
public:
  expected(T value) : value_(std::move(value)) {
  }
  /// `err` must be an error (not errc::none).
  expected(binlog::error err) : error_(std::move(err)) {
  }

  explicit operator bool() const {
    return value_.has_value();
  }
  T& operator*() & {
    return *value_;
  }
  const T& operator*() const& {
    return *value_;
  }
  T&& operator*() && {
    return std::move(*value_);
  }
  T* operator->() {
    return &*value_;
  }
  const T* operator->() const {
    return &*value_;
  }
  const binlog::error& error() const {
    return error_;
  }

private:
  std::optional<T> value_;
  binlog::error error_;
};

} // namespace binlog
