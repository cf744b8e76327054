#pragma once

// Transaction metadata of the open transaction, as Debezium writes it in a
// record's `transaction` block and on the transaction topic: its id, the
// thread id of its BEGIN, its rows of sent tables so far (total_order) and
// the same per table in the order they came (data_collection_order). Rows
// are counted also while a restart skips them, so that a restart numbers
// the rows it sends as the first run did.

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "binlog/position.hpp"
#include "binlog/record.hpp"

namespace binlog {

class transaction_metadata {
public:
  /// A transaction begins: nothing counted, no id, no thread.
  void begin() {
    id_.clear();
    thread_ = -1;
    events_ = 0;
    ++serial_;
    collections_used_ = 0;
  }

  /// The transaction ends.
  void end() {
    events_ = 0;
    collections_used_ = 0;
  }

  /// The thread id of the session, from its BEGIN; negative if unknown.
  int64_t thread() const {
    return thread_;
  }
  void set_thread(int64_t thread) {
    thread_ = thread;
  }

  /// The transaction's id: its GTID, or Debezium's "file=F,pos=P" of its
  /// start. Made at the first ask, into a reused buffer.
  const std::string& id(const std::string& gtid, const position& start);

  /// Counts a row of a sent table; returns its total_order (from 1).
  uint64_t count_event() {
    return ++events_;
  }
  /// Rows of sent tables so far.
  uint64_t events() const {
    return events_;
  }

  /// The transaction's row count for `table`, to count its rows
  /// (data_collection_order).
  uint64_t& table_events(table_info& table);

  /// The row counts per table, in the order the tables came.
  const collection_count* collections() const {
    return collections_.data();
  }
  size_t collections_used() const {
    return collections_used_;
  }

private:
  std::string id_;
  int64_t thread_ = -1;
  uint64_t events_ = 0;
  uint64_t serial_ = 0; // tells transactions apart for table_info
  // Reused across transactions: only the first collections_used_ count.
  std::vector<collection_count> collections_;
  size_t collections_used_ = 0;
  // Each table's slot in collections_, valid while its serial is serial_;
  // kept across transactions (one entry per table ever seen).
  struct slot_of {
    uint64_t serial = 0;
    uint32_t slot = 0;
  };
  std::unordered_map<std::string, slot_of> slots_;
};

} // namespace binlog
