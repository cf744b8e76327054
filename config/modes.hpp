#pragma once

// The options that choose a mode, as enums: parsed once when the options
// are read, printed with to_string in messages.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace b2k {

/// `initial`: where a pipeline starts when its commit log holds no position.
enum class initial_position : uint8_t {
  /// The server's current binlog end.
  end,
  /// The oldest binlog the server has.
  start,
};

/// `snapshot`: whether existing rows are read as op "r" records.
enum class snapshot_mode : uint8_t {
  /// Never: only changes from the binlog (`initial` applies).
  never,
  /// With an empty commit log: every included table, then the stream.
  initial,
  /// As initial, then exit.
  initial_only,
  /// As initial, and again when the committed position was purged.
  when_needed,
};

/// `delivery`.
enum class delivery_mode : uint8_t {
  /// A crash may send a row twice, never skip one.
  at_least_once,
  /// Kafka transactions hold each batch and the commit-log record covering
  /// it; consumers read with isolation.level=read_committed.
  exactly_once,
};

/// `resume-by`: how a restart finds its place in the binlog.
enum class resume_mode : uint8_t {
  /// By file and offset on the same server, by GTID on another one (after a
  /// failover).
  automatic,
  position,
  gtid,
};

/// `source-tls`.
enum class tls_mode : uint8_t {
  off,
  /// Encrypted; the server's certificate is not checked.
  required,
  verify_ca,
  /// verify_ca, and the certificate names the host.
  verify_identity,
};

/// `oversize`: a record larger than Kafka takes (the producer's
/// message.max.bytes, the topic's max.message.bytes).
enum class oversize_mode : uint8_t {
  /// Stop with one line naming the record, its size, the limit and the
  /// settings to raise.
  fail,
  /// Its key, table, position and size go to `<name>.dead-letter`.
  dead_letter,
  /// Its largest column values become {"__binlog2kafka_truncated":
  /// {"bytes":N}} until it fits.
  truncate_columns,
};

std::string_view to_string(initial_position x);
std::string_view to_string(delivery_mode x);
std::string_view to_string(resume_mode x);
std::string_view to_string(tls_mode x);
std::string_view to_string(snapshot_mode x);
std::string_view to_string(oversize_mode x);

/// The mode named `text` (as to_string prints it), or nothing.
std::optional<initial_position> parse_initial_position(std::string_view text);
std::optional<delivery_mode> parse_delivery_mode(std::string_view text);
std::optional<resume_mode> parse_resume_mode(std::string_view text);
std::optional<tls_mode> parse_tls_mode(std::string_view text);
std::optional<snapshot_mode> parse_snapshot_mode(std::string_view text);
std::optional<oversize_mode> parse_oversize_mode(std::string_view text);

/// The names a mode takes, for messages: "end or start".
template <class Mode>
std::string mode_choices();

} // namespace b2k
