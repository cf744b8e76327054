#pragma once

// A partition that starts again under a running producer: the topic was
// deleted and created again (by hand, or by a broker that creates topics on
// first use), and what it held is gone. The idempotent producer goes on
// into the new partition without an error, so the delivery reports' offsets
// are the only sign.

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

namespace b2k::kafka {

/// The highest offset delivered to each partition of each topic.
class partition_offsets {
public:
  /// Notes a record delivered at `offset` to `partition` of `topic` (a
  /// handle that stays the same for the topic). True if the offset is not
  /// above the highest one noted for that partition: the partition is a new
  /// one, whose offset becomes the one to pass. An offset below 0 (unknown,
  /// e.g. acks=0) is ignored.
  bool note(const void* topic, int32_t partition, int64_t offset);

  /// After note() returned true: the highest offset of the partition that
  /// the new one replaced.
  int64_t replaced() const {
    return replaced_;
  }

  /// The highest offset noted for the partition, -1 if none.
  int64_t highest(const void* topic, int32_t partition) const;

private:
  struct key {
    const void* topic;
    int32_t partition;
    bool operator==(const key& other) const {
      return topic == other.topic && partition == other.partition;
    }
  };
  struct key_hash {
    size_t operator()(const key& k) const {
      return std::hash<const void*>{}(k.topic) * 31
             + static_cast<size_t>(k.partition);
    }
  };
  std::unordered_map<key, int64_t, key_hash> highest_;
  /// The last partition noted: the records of a batch come in runs for one
  /// partition, which then cost no lookup. (Elements of an unordered_map
  /// stay where they are when it grows.)
  key last_{nullptr, -1};
  int64_t* last_highest_ = nullptr;
  int64_t replaced_ = -1;
};

/// The warning for a partition that started again: `offset` was delivered
/// after `highest`.
std::string describe_recreated(const std::string& topic, int32_t partition,
                               int64_t offset, int64_t highest);

} // namespace b2k::kafka
