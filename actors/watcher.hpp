#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_set>

#include <caf/stateful_actor.hpp>
#include <caf/timespan.hpp>

#include "actors/actors.hpp"

namespace b2k {

struct watcher_state {
  static inline const char* name = "watcher";

  watcher_actor::pointer self = nullptr;
  producer_actor producer;
  reader_actor reader;
  status_actor status;
  /// Batches in the order they were read. Only the watcher touches it.
  std::deque<batch_ticket> waiting;
  /// Acknowledged batches not yet released (acknowledgements may come
  /// before their batch and in any order).
  std::unordered_set<uint64_t> commit_map;
  /// Where a restart resumes: everything before it is in Kafka.
  binlog::position released;
  /// The sequence number of the batch `released` follows (0: none yet).
  uint64_t released_seq = 0;
  /// The position last handed to the commit log, and its sequence number.
  binlog::position written;
  uint64_t written_seq = 0;
  /// The newest commit-log record this instance knows of: the one it read
  /// when it first resumed from the commit log, or wrote last since. None:
  /// it neither read nor wrote one (a start at --from, before any write).
  std::optional<binlog::position> known;
  bool older_warned = false;
  /// Until when (milliseconds since the epoch) the reader's source lock is
  /// certainly ours. No commit-log record is written past it: an instance
  /// that was paused and lost its lock to a standby must not overwrite the
  /// standby's position. No lease yet: the lock is not ours to check (tests).
  int64_t lease_until_ms = -1;
  bool lease_warned = false;
  caf::timespan commit_interval{};
  bool commit_pending = false;
  uint64_t released_batches = 0;

  /// Releases the head of the queue while it is acknowledged.
  void release();
  /// Hands the released position to the commit log if it moved and the
  /// source lock is still ours.
  void write_commit();
  bool lease_valid() const;
  /// Where a restarted reader resumes, given the commit log's newest record
  /// `last` read after it took the source lock again: the released position,
  /// unless another instance (a standby) wrote the commit log while this one
  /// had lost the lock; then `last`, which the watcher now releases from.
  binlog::position resume_after_restart(binlog::position last);
  watcher_metrics metrics() const;
};

/// `start` is the position reading started from: released until the first
/// batch is. Commit-log writes are coalesced to one per `commit_interval`.
watcher_actor::behavior_type
watcher(watcher_actor::stateful_pointer<watcher_state> self,
        producer_actor producer, binlog::position start,
        caf::timespan commit_interval);

} // namespace b2k
