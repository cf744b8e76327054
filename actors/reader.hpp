#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/stateful_actor.hpp>

#include "actors/actors.hpp"
#include "binlog/decoder.hpp"
#include "binlog/replication_client.hpp"
#include "binlog/source_lock.hpp"

namespace b2k {

struct reader_config {
  binlog::connection_options source;
  binlog::record_options records;
  /// Where to start; with an empty file, where `initial` says.
  binlog::position start;
  std::string initial = "end";
  /// "auto" (by file and offset on the same server, by GTID on another),
  /// "position" or "gtid".
  std::string resume_by = "auto";
  uint64_t batch_records = 10000;
  uint64_t batch_bytes = 1 << 20;
  caf::timespan batch_delay = std::chrono::milliseconds(20);
  uint64_t max_inflight_bytes = 64 << 20;
  /// Sequence numbers start at epoch << 40, so that batches of a restarted
  /// reader never collide with those of the one before.
  uint64_t epoch = 0;
  caf::timespan progress_interval = std::chrono::seconds(10);
  /// Wait for the source lock while another instance with our name holds
  /// it, and take over when it goes (only the first reader of a pipeline:
  /// a restarted one that finds the lock taken was replaced and stops).
  bool standby = false;
  /// How long the server keeps the lock of an instance that stopped
  /// answering (the lock connection's wait_timeout): a standby takes over
  /// after at most this, and the lock is confirmed four times as often.
  caf::timespan lock_timeout = std::chrono::seconds(10);
  /// Where to report metrics (none in tests).
  status_actor status;
};

struct reader_state : binlog::record_sink {
  using clock = std::chrono::steady_clock;

  static inline const char* name = "reader";

  reader_actor::pointer self = nullptr;
  reader_config config;
  producer_actor producer;
  watcher_actor watcher;
  binlog::replication_client client;
  /// Keeps a second instance with our name off this server.
  binlog::source_lock lock;
  /// The server's server_id, stamped on every position.
  uint32_t server_id = 0;
  std::unique_ptr<binlog::decoder> decoder;
  record_batch batch;
  uint64_t next_seq = 1;
  /// Bytes we may still send before the watcher releases some.
  int64_t credit = 0;
  /// Where to resume after everything decoded so far.
  binlog::position resume;
  /// The end position of the last batch sent.
  binlog::position sent;
  bool reading = false;
  /// Asked to stop (graceful stop): reads nothing more, keeps the lock
  /// until the pipeline has written its final position.
  bool stopped = false;
  bool standby_reported = false;
  std::chrono::system_clock::time_point lease_until;
  bool transaction_ended = false;
  bool caught_up = false;
  clock::time_point batch_started;
  clock::time_point last_progress;
  uint64_t rows_at_last_progress = 0;

  reader_state();

  /// Connects and checks the server's settings.
  caf::error connect();
  /// Takes the source lock; a standby keeps trying (atom::lock).
  void take_lock();
  /// The lock is ours: tell the watcher, then start where it says.
  void on_locked();
  /// Resolves the start position and starts the dump.
  caf::error start(binlog::position from);
  /// Tells the watcher until when the lock is certainly ours, from a
  /// confirmation that began at `confirmed` (before the server saw it).
  void send_lease(std::chrono::system_clock::time_point confirmed);
  /// True while the last confirmation of the lock is recent enough.
  bool lease_valid() const;
  /// Reads until the time slice, the credit or the stream runs out.
  void read();
  /// Sends the batch (or just the moved position) downstream; false (and
  /// the reader quits) if the source lock is no longer ours.
  bool flush();
  /// Pings the lock's connection and renews the lease; quits if it is lost.
  bool confirm_lock();
  void log_progress(clock::time_point now);
  int64_t lag_seconds() const;
  reader_metrics metrics() const;
  /// Rows per table since the last call (tables with rows only).
  std::vector<table_counts> table_deltas();
  /// The decoder's per-table counts at the last table_deltas(), by slot.
  std::vector<binlog::table_rows> tables_reported;

  void on_record(const binlog::row_record& record) override;
  void on_transaction_end(const binlog::position& next) override;
  void on_warning(const std::string& what) override;
};

reader_actor::behavior_type
reader(reader_actor::stateful_pointer<reader_state> self, reader_config config,
       watcher_actor watcher, producer_actor producer);

} // namespace b2k
