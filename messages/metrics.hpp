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

/// Rows of one table, by operation. From the reader: those read since its
/// last report; in the status: totals, or the last minute's.
struct table_counts {
  /// "db.table"
  std::string table;
  /// Its topic; empty for a table that is read but not sent (a system
  /// schema, or left out by the include/exclude options).
  std::string topic;
  uint64_t inserts = 0;
  uint64_t updates = 0;
  uint64_t deletes = 0;
  /// Rows of a snapshot (op "r"), once snapshots exist.
  uint64_t snapshot_rows = 0;

  uint64_t rows() const {
    return inserts + updates + deletes + snapshot_rows;
  }
  table_counts& operator+=(const table_counts& other) {
    inserts += other.inserts;
    updates += other.updates;
    deletes += other.deletes;
    snapshot_rows += other.snapshot_rows;
    return *this;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, table_counts& x) {
  return f(caf::meta::type_name("table_counts"), x.table, x.topic, x.inserts,
           x.updates, x.deletes, x.snapshot_rows);
}

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
  /// Rows per table since the previous report (tables with rows only).
  std::vector<table_counts> tables;
  /// The source as host:port (never a user or password).
  std::string source;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reader_metrics& x) {
  return f(caf::meta::type_name("reader_metrics"), x.events, x.bytes, x.rows,
           x.records, x.transactions, x.events_by_type, x.position,
           x.lag_seconds, x.caught_up, x.credit_in_use, x.tables, x.source);
}

struct producer_metrics {
  uint64_t delivered_records = 0;
  uint64_t in_flight_records = 0;
  uint64_t in_flight_batches = 0;
  /// Records over Kafka's limit (oversize): sent to the dead-letter topic
  /// instead, or with truncated columns.
  uint64_t dead_letter_records = 0;
  uint64_t truncated_records = 0;
  /// Partitions of data topics seen to start again (the topic deleted and
  /// created again while binlog2kafka wrote to it).
  uint64_t recreated_partitions = 0;
  /// Exactly-once only (empty otherwise): the Kafka transaction, "idle"
  /// (none open) or "open"; how many were committed and aborted; records in
  /// the open one; when the last commit was (ms since the epoch, 0: none).
  std::string transaction_state;
  uint64_t transactions_committed = 0;
  uint64_t transactions_aborted = 0;
  uint64_t transaction_records = 0;
  int64_t last_commit_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, producer_metrics& x) {
  return f(caf::meta::type_name("producer_metrics"), x.delivered_records,
           x.in_flight_records, x.in_flight_batches, x.dead_letter_records,
           x.truncated_records, x.recreated_partitions, x.transaction_state,
           x.transactions_committed, x.transactions_aborted,
           x.transaction_records, x.last_commit_ms);
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

/// A snapshot's progress on one table (the snapshot feature reports these;
/// the status page shows them as progress bars with rate and ETA).
struct snapshot_table_progress {
  /// "db.table"
  std::string table;
  uint64_t rows_done = 0;
  /// The table's estimated row count (information_schema), 0: unknown.
  uint64_t rows_estimated = 0;
  uint64_t chunks = 0;
  /// Rows per second, recently.
  double rate = 0;
  /// Seconds left at that rate (-1: unknown).
  double eta_seconds = -1;
  bool done = false;
};

template <class Inspector>
typename Inspector::result_type
inspect(Inspector& f, snapshot_table_progress& x) {
  return f(caf::meta::type_name("snapshot_table_progress"), x.table,
           x.rows_done, x.rows_estimated, x.chunks, x.rate, x.eta_seconds,
           x.done);
}

/// Every table a snapshot is working on or finished (the whole list each
/// time; an empty list: no snapshot).
struct snapshot_metrics {
  std::vector<snapshot_table_progress> tables;
  /// The current (or last) snapshot's id ("" for the initial one).
  std::string id;
  bool running = false;
  /// On-demand snapshots waiting, and the newest ended ("ID done",
  /// "ID cancelled").
  std::vector<std::string> queued;
  std::vector<std::string> ended;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, snapshot_metrics& x) {
  return f(caf::meta::type_name("snapshot_metrics"), x.tables, x.id, x.running,
           x.queued, x.ended);
}

/// A warning or error line of the log, for the status page.
struct log_line {
  int64_t ts_ms = 0;
  /// "warning", "error" or "critical".
  std::string level;
  std::string text;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, log_line& x) {
  return f(caf::meta::type_name("log_line"), x.ts_ms, x.level, x.text);
}

/// One point of the charts: taken once a second by the status actor.
struct status_sample {
  /// Milliseconds since the epoch.
  int64_t ts_ms = 0;
  /// Records read (towards Kafka) and acknowledged per second.
  double read_per_second = 0;
  double acknowledged_per_second = 0;
  int64_t lag_seconds = 0;
  int64_t credit_in_use = 0;
  uint64_t waiting_batches = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, status_sample& x) {
  return f(caf::meta::type_name("status_sample"), x.ts_ms, x.read_per_second,
           x.acknowledged_per_second, x.lag_seconds, x.credit_in_use,
           x.waiting_batches);
}

/// A table in the status: its rows in all (since this process started)
/// and in the last minute, and its rate over the last minute.
struct table_status {
  table_counts total;
  table_counts last_minute;
  double rows_per_second = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, table_status& x) {
  return f(caf::meta::type_name("table_status"), x.total, x.last_minute,
           x.rows_per_second);
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
  /// "standby" while waiting for another instance to go (standby = true),
  /// else "active".
  std::string role;
  /// The charts: one sample a second, oldest first (15 minutes at most).
  std::vector<status_sample> history;
  /// The busiest tables (by rate, then by total), at most ten, and how
  /// many tables have had rows since the start.
  std::vector<table_status> top_tables;
  uint64_t tables_seen = 0;
  /// The newest warnings and errors of the log, oldest first (20 at most).
  std::vector<log_line> recent_log;
  /// A snapshot's progress per table (empty: none running or done).
  snapshot_metrics snapshot;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, status_snapshot& x) {
  return f(caf::meta::type_name("status_snapshot"), x.name, x.state,
           x.last_error, x.reader_restarts, x.reader, x.producer, x.watcher,
           x.rows_per_second, x.records_per_second, x.delivered_per_second,
           x.now_ms, x.uptime_ms, x.role, x.history, x.top_tables,
           x.tables_seen, x.recent_log, x.snapshot);
}

} // namespace b2k
