#pragma once

// The signal topic `<name>.signals`: one partition of requests to the
// running pipeline (on-demand snapshots and their cancellation), written by
// `binlog2kafka snapshot` and the status server and read by the pipeline
// from the offset its commit log records. Talking through Kafka needs no
// write access to the source.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "kafka/client.hpp"

namespace b2k::kafka {

/// "<name>.signals"
std::string signal_topic_name(const std::string& name);

/// Creates the signal topic unless it exists (one partition; the broker's
/// retention: a signal is taken within seconds).
caf::error ensure_signal_topic(const std::string& brokers,
                               const property_list& properties,
                               const std::string& topic);

/// Writes one signal (key: the snapshot id) and waits until Kafka has it.
caf::error
send_signal(const std::string& brokers, const property_list& properties,
            const std::string& topic, const std::string& key,
            const std::string& value, std::chrono::milliseconds timeout);

/// A message of the signal topic, as read (not yet checked).
struct raw_signal {
  int64_t offset = 0;
  std::string value;
  /// A null value (nothing to read).
  bool null = false;
};

/// Reads the signal topic from a given offset on. Blocking calls, each
/// bounded by its timeout.
class signal_reader {
public:
  signal_reader(std::string brokers, property_list properties,
                std::string topic);
  ~signal_reader();
  signal_reader(const signal_reader&) = delete;
  signal_reader& operator=(const signal_reader&) = delete;

  /// The messages from offset `from` on (-1: from the topic's first) up to
  /// the end or `max` of them, waiting at most `wait` for the first;
  /// `next` is the offset after the last one read (`from` if none, the
  /// topic's first offset if `from` is -1 and the topic is empty or gone).
  caf::error read(int64_t from, size_t max, std::chrono::milliseconds wait,
                  std::vector<raw_signal>& out, int64_t& next);

private:
  caf::error connect();
  void stop();

  std::string brokers_;
  property_list properties_;
  std::string topic_;
  client_ptr client_;
  struct rd_kafka_topic_s* topic_handle_ = nullptr;
  /// Where the running consume continues (-2: none running).
  int64_t consuming_at_ = -2;
};

} // namespace b2k::kafka
