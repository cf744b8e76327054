#pragma once

// Reads the newest records of a topic back from Kafka, for the status
// page's records view: what consumers see, not what the daemon holds. Each
// call blocks (bounded by a timeout), so it runs on the HTTP server's
// threads, never on CAF's.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "kafka/client.hpp"

namespace b2k::kafka {

struct kafka_record {
  int32_t partition = 0;
  int64_t offset = 0;
  /// The record's timestamp (ms since the epoch).
  int64_t ts_ms = 0;
  std::optional<std::string> key;
  /// None for a tombstone.
  std::optional<std::string> value;
};

class recent_records {
public:
  /// `properties`: the user's (only connection and security ones apply).
  recent_records(std::string brokers, const property_list& properties);
  ~recent_records();

  /// The names of the cluster's topics that start with `prefix`, sorted,
  /// without Kafka's internal ones and those in `except`.
  caf::expected<std::vector<std::string>>
  topics(const std::string& prefix, const std::vector<std::string>& except,
         std::chrono::milliseconds timeout);

  /// The newest `per_partition` records of every partition of `topic` (read
  /// committed), newest first by timestamp. Waits at most about `timeout`;
  /// what arrived by then is the answer.
  caf::expected<std::vector<kafka_record>>
  latest(const std::string& topic, size_t per_partition,
         std::chrono::milliseconds timeout);

private:
  caf::error connect();

  std::string brokers_;
  property_list properties_;
  // One consumer for every request, made at the first: requests take turns.
  std::mutex mutex_;
  client_ptr client_;
};

} // namespace b2k::kafka
