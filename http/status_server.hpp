#pragma once

// The HTTP endpoint for people and for monitoring: /health, Prometheus
// /metrics, /status.json and a small live status page at /. It runs on its
// own thread and asks the status actor for a snapshot per request.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/error.hpp>

#include "actors/actors.hpp"
#include "binlog/record.hpp"
#include "http/snapshot_api.hpp"
#include "kafka/client.hpp"

namespace httplib {
class Server;
}

namespace b2k::kafka {
class recent_records;
}

namespace b2k::http {

/// What /health answers: an HTTP status code and a JSON body.
struct health {
  int code = 200;
  std::string body;
};

/// ready (200), lagging (200, more than `lag_threshold` behind), or not
/// serving (503: starting, reconnecting, stopping, failed).
health health_of(const status_snapshot& s, std::chrono::seconds lag_threshold);

/// Prometheus text exposition format (version 0.0.4).
std::string render_metrics(const status_snapshot& s);

/// Everything as JSON, for the status page and for scripts; the charts'
/// samples only after `history_since_ms` (all by default).
std::string render_json(const status_snapshot& s,
                        int64_t history_since_ms = -1);

/// GET /snapshots: the snapshot running (its tables' progress), queued and
/// ended.
std::string render_snapshots(const status_snapshot& s);

/// The state of snapshot `id` as the status says ("running", "queued",
/// "done", "cancelled"; "" if unknown).
std::string snapshot_state(const status_snapshot& s, const std::string& id);

/// The status page (static HTML; it polls /status.json).
const std::string& status_page();

/// The part of every topic name that `options` make before the first
/// per-table placeholder ("{prefix}.{db}.{table}" with prefix "shop":
/// "shop."): the records view offers only topics that start with it.
std::string topic_name_prefix(const binlog::record_options& options);

/// The records view's JSON of records read back from Kafka: key and value
/// parsed where they are JSON, newest first.
struct kafka_record_view {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t ts_ms = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
};
std::string render_records(const std::string& topic,
                           const std::vector<kafka_record_view>& records);

class status_server {
public:
  status_server(caf::actor_system& sys, status_actor status,
                std::chrono::seconds lag_threshold);
  ~status_server();

  /// Serves the records view (/records, /records/topics): the newest records
  /// of this pipeline's topics read back from Kafka. Call before start().
  void serve_records(const std::string& brokers,
                     const kafka::property_list& properties,
                     const binlog::record_options& records,
                     const std::string& commit_topic);

  /// Serves POST, GET and DELETE /snapshots (`send` writes a signal to the
  /// signal topic: "" or why not) and checks the bearer token of `policy`.
  /// Call before start().
  void serve_snapshots(access_policy policy,
                       std::function<std::string(const snapshot_signal&)> send);

  /// Binds `host:port` and serves on a thread of its own. Fails with one line
  /// if the address cannot be bound.
  caf::error start(const std::string& host, uint16_t port);

  void stop();

private:
  bool snapshot(status_snapshot& out);

  caf::actor_system& sys_;
  status_actor status_;
  std::chrono::seconds lag_threshold_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  // The records view (none until serve_records()).
  std::unique_ptr<kafka::recent_records> records_;
  std::string topic_prefix_;
  std::vector<std::string> hidden_topics_;
  // The snapshot endpoints (none until serve_snapshots()).
  bool serve_snapshots_ = false;
  access_policy policy_;
  std::function<std::string(const snapshot_signal&)> send_signal_;
};

} // namespace b2k::http
