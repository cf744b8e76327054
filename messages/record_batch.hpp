#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "binlog/position.hpp"

namespace binlog {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, position& x) {
  return f(caf::meta::type_name("position"), x.file, x.pos, x.gtid,
           x.skip_rows, x.server_id);
}

} // namespace binlog

namespace b2k {

/// Where one record's parts lie in its batch's buffer.
struct record_ref {
  uint32_t topic = 0; // index into record_batch::topics
  uint32_t key_offset = 0;
  uint32_t key_size = 0; // 0: null key
  uint32_t value_offset = 0;
  uint32_t value_size = 0;
  /// "db.table" for tables without a primary key (partition choice).
  uint32_t partition_key_offset = 0;
  uint32_t partition_key_size = 0;
  /// A tombstone: the value is null, not empty.
  bool value_null = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record_ref& x) {
  return f(caf::meta::type_name("record_ref"), x.topic, x.key_offset,
           x.key_size, x.value_offset, x.value_size, x.partition_key_offset,
           x.partition_key_size, x.value_null);
}

/// Records read in one go, in binlog order, all in one buffer so that a
/// batch costs a few allocations whatever its size.
struct record_batch {
  /// Batches are numbered in read order from 1; the watcher releases them
  /// in that order.
  uint64_t seq = 0;
  std::vector<std::string> topics;
  std::string data;
  std::vector<record_ref> records;
  /// Where to resume once this batch and every batch before it are in Kafka.
  binlog::position end;

  std::string_view topic(const record_ref& r) const {
    return topics[r.topic];
  }
  std::string_view key(const record_ref& r) const {
    return std::string_view{data}.substr(r.key_offset, r.key_size);
  }
  std::string_view value(const record_ref& r) const {
    return std::string_view{data}.substr(r.value_offset, r.value_size);
  }
  std::string_view partition_key(const record_ref& r) const {
    return std::string_view{data}.substr(r.partition_key_offset,
                                         r.partition_key_size);
  }
  /// What the batch weighs against the reader's credit.
  uint64_t bytes() const {
    return data.size() + records.size() * sizeof(record_ref);
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record_batch& x) {
  return f(caf::meta::type_name("record_batch"), x.seq, x.topics, x.data,
           x.records, x.end);
}

} // namespace b2k
