#pragma once

// Records larger than Kafka takes: the limit that applies to a topic, a
// record's size as the limits count it, and what `oversize` makes of a
// record over it (a dead-letter record, or one with truncated columns).
// Plain functions on bytes: no librdkafka handle, no actor.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace b2k::kafka {

/// librdkafka counts a record against message.max.bytes with at most this
/// much framing (RD_KAFKAP_MESSAGE_V2_MAX_OVERHEAD, rounded up).
constexpr uint64_t record_overhead = 40;
/// A broker counts a record batch against max.message.bytes with its
/// 61-byte header: a record alone in its batch must fit with it.
constexpr uint64_t batch_overhead = 61;

/// Records up to this size are not checked against their topic's limit
/// (nor is it read for them): no topic is set up to take less. Larger ones
/// are, before they are sent.
constexpr uint64_t small_record = 64 * 1024;

/// librdkafka's and Kafka's defaults, for messages when nothing was read.
constexpr uint64_t default_producer_max = 1000000;

/// The limit on one record for a topic, and which setting makes it.
struct record_limit {
  /// The most bytes of key, value and headers one record may have.
  uint64_t bytes = 0;
  /// "the producer's message.max.bytes" or "topic T's max.message.bytes".
  std::string bound_by;
  /// Both settings as read, for the message (0: the topic's is unknown).
  uint64_t producer_max = 0;
  uint64_t topic_max = 0;
};

/// The smaller of the producer's message.max.bytes and the topic's
/// max.message.bytes (if known), less their framing.
record_limit limit_for(const std::string& topic, uint64_t producer_max,
                       std::optional<uint64_t> topic_max);

/// What a limit counts of a record.
inline uint64_t record_size(std::string_view key, std::string_view value,
                            uint64_t headers_size) {
  return key.size() + value.size() + headers_size;
}

/// Where a record comes from, read from its value (a Debezium envelope,
/// with or without Kafka Connect's schema): empty fields for records that
/// say nothing of it (DDL, transaction markers).
struct record_origin {
  /// "db.table"; empty if the value names none.
  std::string table;
  std::string file;
  uint64_t pos = 0;
  uint64_t row = 0;
  std::string gtid;
  std::string op;
};

record_origin origin_of(std::string_view value);

/// The value of a dead-letter record: the record's table, topic, key, size,
/// the limit and its source position; never its value.
/// {"table":…,"topic":…,"key":…,"size":N,"limit":N,"bound_by":…,
///  "op":…,"source":{"file":…,"pos":N,"row":N,"gtid":…}}
std::string dead_letter_value(const record_origin& origin,
                              std::string_view topic, std::string_view key,
                              uint64_t size, const record_limit& limit);

/// What truncate_columns did.
struct truncation {
  std::string value;
  /// "before.col" / "after.col", largest first, with their sizes.
  std::vector<std::pair<std::string, uint64_t>> replaced;
};

/// The marker that stands for a column value of `bytes` bytes.
std::string truncation_marker(uint64_t bytes);

/// `value` with the largest column values of its before and after images
/// (in "payload" with schemas) replaced by truncation_marker(their size in
/// the record's JSON), one at a time, largest first, until the value is at
/// most `max_value_size` bytes; the rest of the value byte for byte as it
/// was. Nothing if it cannot be made to fit (or is not an envelope).
std::optional<truncation> truncate_columns(std::string_view value,
                                           uint64_t max_value_size);

/// One line for a record that does not fit: its table, key (shortened), size,
/// the limit and the two settings to raise.
std::string describe_oversize(const record_origin& origin,
                              std::string_view topic, std::string_view key,
                              uint64_t size, const record_limit& limit);

} // namespace b2k::kafka
