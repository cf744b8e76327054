#pragma once

// The typed messages the actors exchange: their type IDs and atoms, in one
// block registered once in the actor system config.

#include <caf/type_id.hpp>

#include "messages/metrics.hpp"
#include "messages/record_batch.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(b2k, caf::first_custom_type_id)

  CAF_ADD_TYPE_ID(b2k, (binlog::position))
  CAF_ADD_TYPE_ID(b2k, (b2k::record_batch))
  CAF_ADD_TYPE_ID(b2k, (b2k::reader_metrics))
  CAF_ADD_TYPE_ID(b2k, (b2k::producer_metrics))
  CAF_ADD_TYPE_ID(b2k, (b2k::watcher_metrics))
  CAF_ADD_TYPE_ID(b2k, (b2k::status_snapshot))
  CAF_ADD_TYPE_ID(b2k, (b2k::pipeline_state))
  CAF_ADD_TYPE_ID(b2k, (b2k::log_line))
  CAF_ADD_TYPE_ID(b2k, (b2k::snapshot_metrics))

  // Reader: read the next events.
  CAF_ADD_ATOM(b2k, b2k::atom, read, "read")
  // Watcher → reader: bytes released downstream that may be read again.
  CAF_ADD_ATOM(b2k, b2k::atom, credit, "credit")
  // Reader → watcher: a batch was read (in read order).
  CAF_ADD_ATOM(b2k, b2k::atom, enqueue, "enqueue")
  // Producer → watcher: every record of a batch is in Kafka.
  CAF_ADD_ATOM(b2k, b2k::atom, delivered, "delivered")
  // Reader → watcher: this reader receives credit from now on.
  CAF_ADD_ATOM(b2k, b2k::atom, attach, "attach")
  // Ask for the released position.
  CAF_ADD_ATOM(b2k, b2k::atom, released, "released")
  // Watcher: timer that writes the released position to the commit log.
  CAF_ADD_ATOM(b2k, b2k::atom, commit, "commit")
  // Watcher → producer: write this released position (with the sequence
  // number of the batch it follows) to the commit log.
  CAF_ADD_ATOM(b2k, b2k::atom, checkpoint, "checkpoint")
  // Reader → watcher → producer: where reading starts, decided once the
  // source lock is held (exactly-once: after fencing the predecessor).
  CAF_ADD_ATOM(b2k, b2k::atom, resume, "resume")
  // Reader → watcher: the source lock is certainly ours until then.
  CAF_ADD_ATOM(b2k, b2k::atom, lease, "lease")
  // Write the commit log now and answer with the position written.
  CAF_ADD_ATOM(b2k, b2k::atom, flush, "flush")
  // Producer: answer once nothing is in flight any more.
  CAF_ADD_ATOM(b2k, b2k::atom, drain, "drain")
  // Producer: serve librdkafka's delivery reports.
  CAF_ADD_ATOM(b2k, b2k::atom, poll, "poll")
  // Supervisor: stop gracefully; restart the reader after back-off.
  CAF_ADD_ATOM(b2k, b2k::atom, stop, "stop")
  CAF_ADD_ATOM(b2k, b2k::atom, restart, "restart")
  // Reader: keep the source lock's connection alive.
  CAF_ADD_ATOM(b2k, b2k::atom, keepalive, "keepalive")
  // Reader: take the source lock (a standby keeps trying).
  CAF_ADD_ATOM(b2k, b2k::atom, lock, "lock")
  // Reader node: start a reader here for a pipeline elsewhere.
  CAF_ADD_ATOM(b2k, b2k::atom, launch, "launch")
  // Periodic progress line.
  CAF_ADD_ATOM(b2k, b2k::atom, progress, "progress")
  // Timer: report metrics to the status actor; also the report itself.
  CAF_ADD_ATOM(b2k, b2k::atom, stats, "stats")
  // Supervisor → status: the pipeline's state changed.
  CAF_ADD_ATOM(b2k, b2k::atom, state, "state")
  // Ask the status actor for everything it knows.
  CAF_ADD_ATOM(b2k, b2k::atom, snapshot, "snapshot")
  // Status: a warning or error line of the log.
  CAF_ADD_ATOM(b2k, b2k::atom, log, "log")
  // Status timer: take a sample for the charts.
  CAF_ADD_ATOM(b2k, b2k::atom, sample, "sample")

CAF_END_TYPE_ID_BLOCK(b2k)
