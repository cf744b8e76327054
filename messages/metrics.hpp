#pragma once

// What each actor reports about itself, about once a second, to the status
// actor that serves /metrics, /health and the status page.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/record_batch.hpp"

namespace b2k {

struct reader_metrics {
  uint64_t events = 0;
  uint64_t bytes = 0;
  uint64_t rows = 0;
  /// Row changes sent downstream (rows of skipped schemas are not).
  uint64_t records = 0;
  uint64_t transactions = 0;
  /// Event counts by type name, for the types seen.
  std::vector<std::pair<std::string, uint64_t>> events_by_type;
  /// Where reading would resume after everything read so far.
  binlog::position position;
  /// Seconds behind the server's newest event; 0 when caught up.
  int64_t lag_seconds = 0;
  bool caught_up = false;
  /// Bytes read but not yet released (credit in use).
  int64_t credit_in_use = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reader_metrics& x) {
  return f(caf::meta::type_name("reader_metrics"), x.events, x.bytes, x.rows,
           x.records, x.transactions, x.events_by_type, x.position,
           x.lag_seconds, x.caught_up, x.credit_in_use);
}

struct producer_metrics {
  uint64_t delivered_records = 0;
  uint64_t in_flight_records = 0;
  uint64_t in_flight_batches = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, producer_metrics& x) {
  return f(caf::meta::type_name("producer_metrics"), x.delivered_records,
           x.in_flight_records, x.in_flight_batches);
}

struct watcher_metrics {
  /// Batches read and not yet released (the waiting queue).
  uint64_t waiting_batches = 0;
  uint64_t waiting_bytes = 0;
  /// Acknowledged batches waiting for an earlier one (the commit map).
  uint64_t acknowledged_early = 0;
  uint64_t released_batches = 0;
  binlog::position released;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, watcher_metrics& x) {
  return f(caf::meta::type_name("watcher_metrics"), x.waiting_batches,
           x.waiting_bytes, x.acknowledged_early, x.released_batches,
           x.released);
}

/// The pipeline as a whole, as /health reports it.
enum class pipeline_state : uint8_t {
  starting,
  /// Waiting for another instance with the same name to go (standby).
  standby,
  running,
  reconnecting,
  stopping,
  failed,
};

const char* to_string(pipeline_state x);

/// Everything the status actor knows, with rates over the last interval.
struct status_snapshot {
  std::string name;
  pipeline_state state = pipeline_state::starting;
  std::string last_error;
  uint64_t reader_restarts = 0;
  reader_metrics reader;
  producer_metrics producer;
  watcher_metrics watcher;
  double rows_per_second = 0;
  double records_per_second = 0;
  double delivered_per_second = 0;
  /// Milliseconds since the epoch when this was taken, and since start.
  int64_t now_ms = 0;
  int64_t uptime_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, status_snapshot& x) {
  return f(caf::meta::type_name("status_snapshot"), x.name, x.state,
           x.last_error, x.reader_restarts, x.reader, x.producer, x.watcher,
           x.rows_per_second, x.records_per_second, x.delivered_per_second,
           x.now_ms, x.uptime_ms);
}

} // namespace b2k
