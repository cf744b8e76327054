#pragma once

// Configuration the broker holds, read with the admin API
// (DescribeConfigs) on any handle: a topic's max.message.bytes and
// cleanup.policy, a broker's message.max.bytes.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <caf/expected.hpp>
#include <librdkafka/rdkafka.h>

namespace b2k::kafka {

using config_entries = std::map<std::string, std::string>;

/// The configuration of topic `topic`. Blocks up to `timeout_ms`. An error
/// names the topic and the cause; `missing` (if given) is set when the
/// topic does not exist.
caf::expected<config_entries>
describe_topic(rd_kafka_t* rk, const std::string& topic, int timeout_ms,
               bool* missing = nullptr);

/// The configuration of one broker of the cluster (the first the metadata
/// names): what a topic created now gets by default.
caf::expected<config_entries> describe_any_broker(rd_kafka_t* rk,
                                                  int timeout_ms);

/// The entry `name` of `entries` as a number, if there and numeric.
std::optional<int64_t> number_entry(const config_entries& entries,
                                    const std::string& name);

/// The producer's message.max.bytes as configured on `rk`.
uint64_t producer_message_max_bytes(rd_kafka_t* rk);

} // namespace b2k::kafka
