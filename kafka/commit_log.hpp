#pragma once

// The commit-log topic: one compacted partition, records keyed by the
// source name whose value says where a restart resumes.

#include <cstdint>
#include <map>
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

/// A warning (one line) if the commit-log topic's configuration can lose
/// the position: cleanup.policy without compact, or with delete and a
/// retention.ms under a week; "" if it keeps it. `entries` as
/// DescribeConfigs reports them.
std::string
retention_warning(const std::string& topic,
                  const std::map<std::string, std::string>& entries);

/// The commit log of one pipeline: its topic, and our key in it. Everything
/// that reads or writes it goes through here.
class commit_log {
public:
  commit_log(std::string brokers, property_list properties, std::string topic,
             std::string key);

  const std::string& topic() const {
    return topic_;
  }
  const std::string& key() const {
    return key_;
  }

  /// Creates the topic (one partition, compacted) unless it exists; warns
  /// (retention_warning) if an existing one can lose the position.
  caf::error ensure_topic() const;

  /// The newest record for our key (read_committed), or nothing for a new
  /// source. Blocks: up to 15 s per request, 30 s of retries for a topic
  /// just created.
  caf::expected<std::optional<commit_record>> read_last() const;

  /// Queues a record for `pos` on the producer `rk` (a copy of the value;
  /// `rkt` is `rk`'s handle of topic()); `opaque` comes back with its
  /// delivery report.
  rd_kafka_resp_err_t produce(rd_kafka_t* rk, rd_kafka_topic_t* rkt,
                              const binlog::position& pos, void* opaque) const;

private:
  std::string brokers_;
  property_list properties_;
  std::string topic_;
  std::string key_;
};

} // namespace b2k::kafka
