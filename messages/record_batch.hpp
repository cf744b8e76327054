#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "binlog/position.hpp"

namespace binlog {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, position& x) {
  return f(caf::meta::type_name("position"), x.file, x.pos, x.gtid, x.skip_rows,
           x.server_id, x.snapshot);
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
  /// Kafka headers (most records have none), packed in the buffer as
  /// header_block describes.
  uint32_t headers_offset = 0;
  uint32_t headers_size = 0;
  /// A tombstone: the value is null, not empty.
  bool value_null = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record_ref& x) {
  return f(caf::meta::type_name("record_ref"), x.topic, x.key_offset,
           x.key_size, x.value_offset, x.value_size, x.partition_key_offset,
           x.partition_key_size, x.headers_offset, x.headers_size,
           x.value_null);
}

/// A record's headers in a batch's buffer: for each, the name's size (4
/// bytes, little-endian), the name, the value's size (4 bytes), the value.
namespace header_block {

inline void append(std::string& out, std::string_view name,
                   std::string_view value) {
  auto put = [&](std::string_view s) {
    auto n = static_cast<uint32_t>(s.size());
    char size[4] = {static_cast<char>(n), static_cast<char>(n >> 8),
                    static_cast<char>(n >> 16), static_cast<char>(n >> 24)};
    out.append(size, 4);
    out.append(s);
  };
  put(name);
  put(value);
}

/// Calls f(name, value) for each header of `block`; false if the block is
/// malformed.
template <class F>
bool for_each(std::string_view block, F f) {
  auto take = [&](std::string_view& s) {
    if (block.size() < 4)
      return false;
    auto b = reinterpret_cast<const unsigned char*>(block.data());
    uint32_t n = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t{b[3]} << 24);
    if (block.size() - 4 < n)
      return false;
    s = block.substr(4, n);
    block.remove_prefix(4 + size_t{n});
    return true;
  };
  while (!block.empty()) {
    std::string_view name;
    std::string_view value;
    if (!take(name) || !take(value))
      return false;
    f(name, value);
  }
  return true;
}

} // namespace header_block

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

  /// The index of `name` in topics, added if new. Most batches hold a few
  /// topics: searched from the back. Past a few (a batch of many tables'
  /// rows holds hundreds), by the name's hash: a linear search per record
  /// made such batches quadratic.
  uint32_t topic_index(std::string_view name) {
    if (topics.size() <= few_topics) {
      for (auto i = static_cast<uint32_t>(topics.size()); i > 0; --i)
        if (topics[i - 1] == name)
          return i - 1;
      return add_topic(name, std::hash<std::string_view>{}(name));
    }
    auto hash = std::hash<std::string_view>{}(name);
    if (topic_hashes.empty())
      for (uint32_t i = 0; i < topics.size(); ++i)
        topic_hashes.emplace(std::hash<std::string_view>{}(topics[i]), i);
    for (auto [i, end] = topic_hashes.equal_range(hash); i != end; ++i)
      if (topics[i->second] == name)
        return i->second;
    return add_topic(name, hash);
  }
  /// Empties the batch for reuse (its buffers stay allocated).
  void clear() {
    topics.clear();
    topic_hashes.clear();
    data.clear();
    records.clear();
  }
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
  std::string_view headers(const record_ref& r) const {
    return std::string_view{data}.substr(r.headers_offset, r.headers_size);
  }
  /// What the batch weighs against the reader's credit.
  uint64_t bytes() const {
    return data.size() + records.size() * sizeof(record_ref);
  }

private:
  static constexpr size_t few_topics = 8;
  /// Topic indexes by the hash of their name, once there are more than
  /// few_topics (empty until then); not part of the message.
  std::unordered_multimap<size_t, uint32_t> topic_hashes;

  uint32_t add_topic(std::string_view name, size_t hash) {
    auto index = static_cast<uint32_t>(topics.size());
    topics.emplace_back(name);
    if (!topic_hashes.empty())
      topic_hashes.emplace(hash, index);
    return index;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record_batch& x) {
  return f(caf::meta::type_name("record_batch"), x.seq, x.topics, x.data,
           x.records, x.end);
}

} // namespace b2k
