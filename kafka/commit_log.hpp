#pragma once

// The commit-log topic: one compacted partition, records keyed by the
// source name whose value says where a restart resumes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>
#include <librdkafka/rdkafka.h>

#include "binlog/position.hpp"
#include "kafka/client.hpp"

namespace b2k::kafka {

/// {"file":…,"pos":…,"gtid":…,"skip_rows":…,"ts_ms":…}
std::string encode_commit(const binlog::position& pos, uint64_t ts_ms);

/// A commit-log record's value.
struct commit_record {
  binlog::position pos;
  /// When it was written (milliseconds since the epoch).
  uint64_t ts_ms = 0;
};

/// The record in a commit-log value, or nothing if it is not one.
std::optional<commit_record> decode_commit(std::string_view value);

/// Creates the topic (one partition, compacted) unless it exists.
caf::error ensure_commit_topic(const std::string& brokers,
                               const property_list& properties,
                               const std::string& topic);

/// The newest record for `key`, or nothing for a new source.
caf::expected<std::optional<commit_record>>
read_last_commit(const std::string& brokers, const property_list& properties,
                 const std::string& topic, const std::string& key);

} // namespace b2k::kafka
