#pragma once

// The typed messages the actors exchange: their type IDs and atoms, in one
// block registered once in the actor system config.

#include <caf/type_id.hpp>

#include "messages/batch_ticket.hpp"
#include "messages/metrics.hpp"
#include "messages/record_batch.hpp"
#include "messages/snapshot_chunk.hpp"
#include "messages/snapshot_signal.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(b2k, caf::first_custom_type_id)

  CAF_ADD_TYPE_ID(b2k, (binlog::position))
  CAF_ADD_TYPE_ID(b2k, (b2k::record_batch))
  CAF_ADD_TYPE_ID(b2k, (b2k::batch_ticket))
  CAF_ADD_TYPE_ID(b2k, (b2k::reader_metrics))
  CAF_ADD_TYPE_ID(b2k, (b2k::producer_metrics))
  CAF_ADD_TYPE_ID(b2k, (b2k::watcher_metrics))
  CAF_ADD_TYPE_ID(b2k, (b2k::status_snapshot))
  CAF_ADD_TYPE_ID(b2k, (b2k::pipeline_state))
  CAF_ADD_TYPE_ID(b2k, (b2k::log_line))
  CAF_ADD_TYPE_ID(b2k, (b2k::snapshot_metrics))
  CAF_ADD_TYPE_ID(b2k, (b2k::snapshot_chunk))
  CAF_ADD_TYPE_ID(b2k, (b2k::snapshot_signal))
  CAF_ADD_TYPE_ID(b2k, (b2k::signal_batch))
  CAF_ADD_TYPE_ID(b2k, (b2k::signal_type))

  // Each atom has one meaning. Timers end in _due.

  // Reader: read the next events.
  CAF_ADD_ATOM(b2k, b2k::atom, read, "read")
  // Watcher → reader: bytes released downstream that may be read again.
  CAF_ADD_ATOM(b2k, b2k::atom, credit, "credit")
  // Reader → watcher: a batch was read (in read order).
  CAF_ADD_ATOM(b2k, b2k::atom, enqueue, "enqueue")
  // Producer (or reader) → watcher: every record of a batch is in Kafka.
  CAF_ADD_ATOM(b2k, b2k::atom, delivered, "delivered")
  // Here is the actor to talk to: the reader to the watcher, the watcher to
  // the producer, the status actor to the watcher.
  CAF_ADD_ATOM(b2k, b2k::atom, attach, "attach")
  // Ask the watcher for the released position.
  CAF_ADD_ATOM(b2k, b2k::atom, released, "released")
  // Watcher → producer: write this released position (with the sequence
  // number of the batch it follows) to the commit log.
  CAF_ADD_ATOM(b2k, b2k::atom, checkpoint, "checkpoint")
  // Watcher timer: the commit interval passed; hand the released position
  // to the producer if it moved.
  CAF_ADD_ATOM(b2k, b2k::atom, checkpoint_due, "ckpt_due")
  // Supervisor → watcher (graceful stop): hand the released position to the
  // producer now and answer with it.
  CAF_ADD_ATOM(b2k, b2k::atom, final_checkpoint, "final_ckpt")
  // Producer timer (exactly-once): commit the open Kafka transaction.
  CAF_ADD_ATOM(b2k, b2k::atom, transaction_due, "txn_due")
  // Reader → watcher → producer: where reading starts, decided once the
  // source lock is held (exactly-once: after fencing the predecessor).
  CAF_ADD_ATOM(b2k, b2k::atom, resume, "resume")
  // Reader → watcher: the source lock is certainly ours until then.
  CAF_ADD_ATOM(b2k, b2k::atom, lease, "lease")
  // Producer: answer once nothing is in flight any more.
  CAF_ADD_ATOM(b2k, b2k::atom, drain, "drain")
  // Producer timer: serve librdkafka's delivery reports.
  CAF_ADD_ATOM(b2k, b2k::atom, poll, "poll")
  // Stop gracefully: the supervisor stops the pipeline, the reader stops
  // reading.
  CAF_ADD_ATOM(b2k, b2k::atom, stop, "stop")
  // Supervisor timer: restart the reader after its back-off.
  CAF_ADD_ATOM(b2k, b2k::atom, restart, "restart")
  // Reader timer: keep the source lock's connection alive.
  CAF_ADD_ATOM(b2k, b2k::atom, keepalive, "keepalive")
  // Reader: take the source lock (a standby keeps trying).
  CAF_ADD_ATOM(b2k, b2k::atom, lock, "lock")
  // Reader node: start a reader here for a pipeline elsewhere.
  CAF_ADD_ATOM(b2k, b2k::atom, launch, "launch")
  // Reader, producer, watcher → status: their metrics.
  CAF_ADD_ATOM(b2k, b2k::atom, stats, "stats")
  // Reader, producer, watcher timer: report metrics to the status actor.
  CAF_ADD_ATOM(b2k, b2k::atom, stats_due, "stats_due")
  // Supervisor → status: the pipeline's state changed.
  CAF_ADD_ATOM(b2k, b2k::atom, state, "state")
  // Ask the status actor for everything it knows.
  CAF_ADD_ATOM(b2k, b2k::atom, snapshot, "snapshot")
  // Status: a warning or error line of the log.
  CAF_ADD_ATOM(b2k, b2k::atom, log, "log")
  // Snapshot lane → reader: a chunk of this table is about to be read; the
  // reader notes the table's changes from now on and answers the chunk's id.
  CAF_ADD_ATOM(b2k, b2k::atom, watermark, "watermark")
  // Status timer: take a sample for the charts.
  CAF_ADD_ATOM(b2k, b2k::atom, sample, "sample")
  // Reader → signal actor: the signals from this offset on.
  CAF_ADD_ATOM(b2k, b2k::atom, signals, "signals")
  // Reader timer: ask for new signals.
  CAF_ADD_ATOM(b2k, b2k::atom, signals_due, "sig_due")

CAF_END_TYPE_ID_BLOCK(b2k)
