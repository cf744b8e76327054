#pragma once

// The typed interfaces of the pipeline's actors. Core actors talk to each
// other through these handles only.

#include <cstdint>

#include <caf/actor_system_config.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/type_ids.hpp"

namespace b2k {

/// Collects the metrics the others report and answers /metrics, /health and
/// the status page.
using status_actor = caf::typed_actor<
  // Latest metrics of the reader, the producer, the watcher.
  caf::reacts_to<atom::stats, reader_metrics>,
  caf::reacts_to<atom::stats, producer_metrics>,
  caf::reacts_to<atom::stats, watcher_metrics>,
  // A snapshot's progress per table (the whole list each time).
  caf::reacts_to<atom::stats, snapshot_metrics>,
  // The pipeline's state, with the error that caused it (if any).
  caf::reacts_to<atom::state, pipeline_state, std::string>,
  // A warning or error line of the log (the newest 20 are kept).
  caf::reacts_to<atom::log, log_line>,
  // Timer: a sample for the charts, once a second.
  caf::reacts_to<atom::sample>,
  // Everything, with rates, the charts' history and the busiest tables.
  caf::replies_to<atom::snapshot>::with<status_snapshot>>;

/// Reads the signal topic (on-demand snapshots) for the reader. Runs
/// detached: its reads block.
using signal_actor = caf::typed_actor<
  // The signals from this offset on (-1: the topic's first), checked: one
  // that is not a valid signal is a warning line and left out.
  caf::replies_to<atom::signals, int64_t>::with<signal_batch>>;

/// Reads the binlog as a replica and sends row changes downstream. Runs
/// detached: its reads block.
using reader_actor = caf::typed_actor<
  // Reads events until the batch is full, the credit is spent or the time
  // slice is over, then lets the mailbox in.
  caf::reacts_to<atom::read>,
  // Bytes that left the pipeline: that much more may be read.
  caf::reacts_to<atom::credit, uint64_t>,
  // Timer: pings the source lock's connection and renews the lease.
  caf::reacts_to<atom::keepalive>,
  // Takes the source lock (a standby tries again until it gets it).
  caf::reacts_to<atom::lock>,
  // Graceful stop: reads no more but keeps the lock until it is stopped;
  // answers with the end of the last batch sent.
  caf::replies_to<atom::stop>::with<binlog::position>,
  // Timer: reports metrics.
  caf::reacts_to<atom::stats_due>,
  // A snapshot lane starts a chunk of table "db.table": answers its id.
  caf::replies_to<atom::watermark, std::string>::with<uint64_t>,
  // A lane begins the consistent read of a table without a chunk key: the
  // stream holds until the read's first piece names its position.
  caf::replies_to<atom::watermark, std::string, bool>::with<uint64_t>,
  // A chunk read: answered (with the rows sent) once it went out at its
  // high watermark.
  caf::replies_to<snapshot_chunk>::with<uint64_t>,
  // The signal topic's reader (on-demand snapshots), and the timer that
  // asks it for new signals.
  caf::reacts_to<atom::attach, signal_actor>,
  caf::reacts_to<atom::signals_due>>;

/// Reads existing rows of tables chunk by chunk for the reader (one lane
/// of a snapshot). Runs detached: its SQL reads block.
using snapshot_actor = caf::typed_actor<
  // Read the next chunk.
  caf::reacts_to<atom::read>>;

/// Hears that Kafka acknowledged every record of a batch: the watcher, as
/// the producer sees it (the two need each other's handles).
using delivery_listener_actor =
  caf::typed_actor<caf::reacts_to<atom::delivered, uint64_t>>;

/// Hands records to librdkafka and reports complete batches to the watcher.
/// Runs detached: librdkafka's metadata, queue and transaction calls and
/// the commit-log read block.
using producer_actor = caf::typed_actor<
  // The watcher that hears of delivered batches (set once, before any batch).
  caf::reacts_to<atom::attach, delivery_listener_actor>,
  // Sends every record of the batch to Kafka.
  caf::reacts_to<record_batch>,
  // Writes a released position to the commit-log topic, unless a record as
  // new (by the sequence number of the batch it follows) was written: the
  // commit log never goes backwards.
  caf::reacts_to<atom::checkpoint, uint64_t, binlog::position>,
  // Where reading starts: the newest position in the commit log (empty if
  // none), read after fencing the predecessor's Kafka transactions.
  caf::replies_to<atom::resume>::with<binlog::position>,
  // Answers (with 0) once no record is in flight any more.
  caf::replies_to<atom::drain>::with<uint64_t>,
  // Timer: serves librdkafka's delivery reports.
  caf::reacts_to<atom::poll>,
  // Timer (exactly-once): commits the open transaction.
  caf::reacts_to<atom::transaction_due>,
  // Timer: reports metrics.
  caf::reacts_to<atom::stats_due>>;

/// Alone owns the waiting queue and the commit map: releases positions in
/// read order once Kafka has acknowledged everything before them.
using watcher_actor = delivery_listener_actor::extend<
  // The reader that gets credit back as batches are released.
  caf::reacts_to<atom::attach, reader_actor>,
  // A batch was read (in read order).
  caf::reacts_to<atom::enqueue, batch_ticket>,
  // (And, from delivery_listener_actor, atom::delivered with a batch's seq:
  // in any order, possibly before the batch was enqueued.)
  // The newest released position.
  caf::replies_to<atom::released>::with<binlog::position>,
  // Where a reader holding the source lock starts: the released position, or
  // the commit log's if none or if another instance wrote it since (producer).
  caf::replies_to<atom::resume>::with<binlog::position>,
  // The source lock is certainly ours until this time (milliseconds since
  // the epoch): no commit-log record is written after it.
  caf::reacts_to<atom::lease, int64_t>,
  // Graceful stop: hands the released position to the commit log now and
  // answers with it.
  caf::replies_to<atom::final_checkpoint>::with<binlog::position>,
  // Timer: hands the released position to the commit log if it moved.
  caf::reacts_to<atom::checkpoint_due>,
  // The status actor to report to, and the timer that reports.
  caf::reacts_to<atom::attach, status_actor>, caf::reacts_to<atom::stats_due>>;

/// Runs readers on the database's side for a pipeline on another node
/// (through CAF's middleman): `binlog2kafka reader-node`.
using reader_node_actor = caf::typed_actor<
  // Starts a reader for the pipeline `name` at a position, sending to the
  // given watcher and producer; answers with the reader. The source's
  // address and password stay on this node.
  caf::replies_to<atom::launch, std::string, binlog::position, uint64_t,
                  watcher_actor, producer_actor,
                  status_actor>::with<reader_actor>>;

/// Spawns, monitors and restarts the others.
using supervisor_actor = caf::typed_actor<
  // Stops gracefully: no new reads, deliveries finish, final commit.
  caf::reacts_to<atom::stop>,
  // Timer: starts the reader again after a back-off.
  caf::reacts_to<atom::restart>>;

/// Registers the messages, the handles and the error category with an actor
/// system config: main's and the tests' alike.
void add_types(caf::actor_system_config& cfg);

} // namespace b2k

// The handles travel in messages, across nodes too (a reader on another
// node): register them like the messages.
CAF_BEGIN_TYPE_ID_BLOCK(b2k_handles, caf::id_block::b2k::end)

  CAF_ADD_TYPE_ID(b2k_handles, (b2k::reader_actor))
  CAF_ADD_TYPE_ID(b2k_handles, (b2k::producer_actor))
  CAF_ADD_TYPE_ID(b2k_handles, (b2k::delivery_listener_actor))
  CAF_ADD_TYPE_ID(b2k_handles, (b2k::watcher_actor))
  CAF_ADD_TYPE_ID(b2k_handles, (b2k::status_actor))
  CAF_ADD_TYPE_ID(b2k_handles, (b2k::reader_node_actor))
  CAF_ADD_TYPE_ID(b2k_handles, (b2k::snapshot_actor))
  CAF_ADD_TYPE_ID(b2k_handles, (b2k::signal_actor))

CAF_END_TYPE_ID_BLOCK(b2k_handles)
