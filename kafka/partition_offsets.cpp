#include "kafka/partition_offsets.hpp"

namespace b2k::kafka {

bool partition_offsets::note(const void* topic, int32_t partition,
                             int64_t offset) {
  if (offset < 0)
    return false;
  key k{topic, partition};
  if (last_highest_ == nullptr || !(k == last_)) {
    auto [i, added] = highest_.try_emplace(k, -1);
    last_ = k;
    last_highest_ = &i->second;
  }
  if (offset > *last_highest_) {
    *last_highest_ = offset;
    return false;
  }
  replaced_ = *last_highest_;
  *last_highest_ = offset;
  return true;
}

int64_t partition_offsets::highest(const void* topic, int32_t partition) const {
  auto i = highest_.find(key{topic, partition});
  return i == highest_.end() ? -1 : i->second;
}

std::string describe_recreated(const std::string& topic, int32_t partition,
                               int64_t offset, int64_t highest) {
  return "topic " + topic + " was deleted and created again while "
         + "binlog2kafka wrote to it (partition " + std::to_string(partition)
         + " took a record at offset " + std::to_string(offset)
         + ", after one at offset " + std::to_string(highest)
         + "): what it held before is gone, and binlog2kafka goes on into "
           "the new topic; snapshot the table again to refill it, e.g. "
           "binlog2kafka snapshot --config-file=FILE --tables='DB\\.TABLE'";
}

} // namespace b2k::kafka
