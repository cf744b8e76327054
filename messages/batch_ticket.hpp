#pragma once

#include <cstdint>

#include <caf/meta/type_name.hpp>

#include "messages/record_batch.hpp"

namespace b2k {

/// Reader → watcher: a batch was read. The watcher queues tickets in read
/// order and releases each once Kafka has acknowledged its batch and every
/// batch before it.
struct batch_ticket {
  /// The batch's sequence number (record_batch::seq).
  uint64_t seq = 0;
  /// Where to resume once the batch and every one before it are in Kafka.
  binlog::position end;
  /// What the batch weighs against the reader's credit; given back to the
  /// reader when the ticket is released.
  uint64_t bytes = 0;

  friend bool operator==(const batch_ticket& x, const batch_ticket& y) {
    return x.seq == y.seq && x.end == y.end && x.bytes == y.bytes;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batch_ticket& x) {
  return f(caf::meta::type_name("batch_ticket"), x.seq, x.end, x.bytes);
}

} // namespace b2k
