#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/actors.hpp"
#include "binlog/source.hpp"
#include "binlog/stream.hpp"
#include "config/settings.hpp"
#include "messages/snapshot_progress.hpp"

namespace binlog {
class snapshot_reader;
}

namespace b2k {

/// Opens the source a reader reads (a server; a list of events in tests).
using source_factory =
  std::function<std::unique_ptr<binlog::source>(const source_settings&)>;

/// One reader's run: the pipeline's settings and what differs per run.
struct reader_config {
  settings_ptr settings;
  /// Where to start; empty (always on a restart): where the watcher says (the
  /// released position, else the commit log's, else where `initial` says).
  binlog::position start;
  /// Sequence numbers start at epoch << 40, so that batches of a restarted
  /// reader never collide with those of the one before. The first reader of
  /// a pipeline has epoch 1.
  uint64_t epoch = 1;
  /// Set once a reader of this pipeline held the source lock (shared by
  /// the supervisor's readers). A standby's reader waits for the lock while
  /// none ever held it, restarted or not (its waiting connection may break);
  /// a restarted one after that finds the lock taken only when it was
  /// replaced, and stops. None (a reader node's): only epoch 1 waits.
  std::shared_ptr<std::atomic<bool>> lock_taken;
  /// Where to report metrics (none in tests).
  status_actor status;
  /// The server of settings->source by default.
  source_factory open_source;
};

/// How a reader comes to life (the supervisor's and the reader node's);
/// the real one is spawned detached, tests put stand-ins here.
using reader_factory = std::function<reader_actor(
  caf::actor_system&, const reader_config&, watcher_actor, producer_actor)>;

/// The real one: detached, since its reads block.
reader_actor
spawn_detached_reader(caf::actor_system& sys, const reader_config& cfg,
                      watcher_actor watcher, producer_actor producer);

struct reader_state : binlog::record_sink {
  using clock = std::chrono::steady_clock;

  static inline const char* name = "reader";

  reader_actor::pointer self = nullptr;
  reader_config config;
  /// Mode initial-only: stop once the snapshot is done.
  bool snapshot_only = false;
  /// Views of config.settings.
  const source_settings* source_cfg = nullptr;
  const batch_settings* batches = nullptr;
  producer_actor producer;
  watcher_actor watcher;
  std::unique_ptr<binlog::source> source;
  /// The reading loop; made when reading starts.
  std::unique_ptr<binlog::stream> stream;
  /// The server's server_id, stamped on every position.
  uint32_t server_id = 0;
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

  // -- snapshots (design.md, "Snapshots") --------------------------------

  /// A table a snapshot reads: when the stream last changed each key.
  struct watched_table {
    std::unordered_map<std::string, clock::time_point> changed;
  };
  /// A chunk between its watermarks.
  struct open_chunk {
    std::string table;
    /// When the lane asked for it (its low watermark, as the reader saw it).
    clock::time_point low;
    bool arrived = false;
    snapshot_chunk chunk;
    caf::typed_response_promise<uint64_t> promise;
  };
  /// Per table of a snapshot: rows sent, chunks, for progress.
  struct table_progress {
    uint64_t rows = 0;
    uint64_t estimated = 0;
    uint64_t chunks = 0;
    bool done = false;
    /// When its first chunk here went out, with the rows before (a resumed
    /// snapshot's), for its rate.
    clock::time_point started;
    uint64_t rows_at_start = 0;
  };
  std::vector<snapshot_actor> lanes;
  uint32_t lanes_running = 0;
  /// The snapshot's progress as of the last chunk sent; empty when none.
  std::optional<snapshot_progress> progress;
  std::string progress_json;
  std::map<std::string, watched_table, std::less<>> watched;
  std::map<uint64_t, open_chunk> chunks;
  uint64_t next_chunk_id = 1;
  std::map<std::string, table_progress> snapshot_tables;
  clock::time_point snapshot_started;
  /// Where the stream stands: the file and the end of the last event read.
  std::string stream_file;
  uint64_t stream_end = 0;
  /// Tables without a chunk key that the snapshot reads in one consistent
  /// read: their streamed changes are not sent until the read's rows went
  /// out at its position (the read holds them all).
  std::set<std::string, std::less<>> keyless_pending;
  /// Their reads begun: the position each matches once its first piece
  /// named it. The stream waits for the first piece, then stops at the
  /// position until the last piece went out, so that every change of the
  /// table after it follows the rows.
  std::map<std::string, std::optional<binlog::position>> keyless_reads;
  /// The tables the running snapshot reads so (its lanes are told).
  std::set<std::string> keyless_planned;

  // -- on demand (signals) ------------------------------------------------

  /// The signal topic's reader (none: no on-demand snapshots), and whether
  /// an ask is on its way.
  signal_actor signals;
  bool signals_asked = false;
  /// Lanes of a cancelled snapshot: what they still send is refused.
  std::vector<caf::actor_addr> cancelled_lanes;
  /// Lanes that have not yet handed over their last chunk: when the last
  /// one does, its last record is the snapshot's last ("last").
  uint32_t lanes_reading = 0;
  /// The batch's newest snapshot record (its index), if any.
  std::optional<size_t> last_snapshot_record;

  /// Plans the snapshot in `progress` (keyless reads, key ranges) and
  /// spawns its lanes.
  caf::error start_lanes();
  /// Asks the signal actor for signals after those taken.
  void poll_signals();
  /// Acts on signals and records the offset after them.
  void take_signals(signal_batch& batch);
  /// Begins an on-demand snapshot of the tables matching `tables`.
  void start_on_demand(std::string id, std::vector<std::string> tables);
  /// Cancels the running or a queued on-demand snapshot.
  void cancel_snapshot(const std::string& id);
  /// The current snapshot ended: the next queued one begins.
  void next_queued();
  /// True if the current message comes from a cancelled snapshot's lane.
  bool from_cancelled_lane() const;
  /// The table filters, in a form that tells a change.
  std::string filters_text() const;
  /// Copies a lane's record into the batch (the first of a fresh initial
  /// snapshot marked "first").
  void append_snapshot_record(const record_batch& from, const record_ref& ref);
  /// The next snapshot record out is the first of a fresh initial one.
  bool first_pending = false;
  /// Marks the batch's record `index` as the snapshot's last.
  void mark_last(size_t index);

  /// Finds the included tables without a chunk key that a consistent read
  /// can snapshot (before the stream reads anything).
  caf::error plan_keyless(binlog::snapshot_reader& sql);
  /// Splits the large tables that no lane began into key ranges that the
  /// lanes read at once (snapshot-parallelism within a table).
  caf::error plan_ranges(binlog::snapshot_reader& sql);
  /// Whether the stream has reached `at`.
  bool stream_passed(const binlog::position& at) const;
  /// Whether a consistent read holds the stream where it is.
  bool keyless_wait() const;
  /// Reads on if reading stopped for a keyless read.
  void wake();
  /// Decides whether `from` begins or continues a snapshot, and starts the
  /// lanes if so; `fresh`: the commit log held no position.
  void plan_snapshot(const binlog::position& from, bool fresh);
  /// A lane starts a chunk of `table` (its low watermark).
  uint64_t open_chunk_for(const std::string& table);
  /// Sends the chunks whose high watermark the stream has passed, at a
  /// transaction boundary.
  void emit_chunks();
  snapshot_metrics snapshot_stats() const;

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
