#pragma once

// What the status actor remembers over time: the samples behind the status
// page's charts and the rows per table. Plain data structures, no actor:
// the status actor owns them and tests drive them with explicit times.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "messages/metrics.hpp"

namespace b2k {

/// Keeps the newest `capacity` items; older ones drop out.
template <class T>
class ring_buffer {
public:
  explicit ring_buffer(size_t capacity) : items_(capacity) {
  }

  void push(T x) {
    if (items_.empty())
      return;
    items_[(first_ + size_) % items_.size()] = std::move(x);
    if (size_ < items_.size())
      ++size_;
    else
      first_ = (first_ + 1) % items_.size();
  }

  size_t size() const {
    return size_;
  }
  size_t capacity() const {
    return items_.size();
  }
  bool empty() const {
    return size_ == 0;
  }

  /// The i-th oldest item.
  const T& operator[](size_t i) const {
    return items_[(first_ + i) % items_.size()];
  }
  const T& back() const {
    return (*this)[size_ - 1];
  }

  /// Oldest first.
  std::vector<T> to_vector() const {
    std::vector<T> out;
    out.reserve(size_);
    for (size_t i = 0; i < size_; ++i)
      out.push_back((*this)[i]);
    return out;
  }

private:
  std::vector<T> items_;
  size_t first_ = 0;
  size_t size_ = 0;
};

/// Rows per table: totals, and per-second counts of the last minute for
/// the tables that had rows in it (idle tables cost only their totals).
class table_activity {
public:
  static constexpr int64_t window_seconds = 60;

  /// Adds rows of `delta.table` read during second `second` (of a
  /// monotonic clock; seconds never go back).
  void add(const table_counts& delta, int64_t second);

  /// Forgets per-second counts older than the last minute.
  void expire(int64_t now_second);

  /// The `n` busiest tables at `now_second`, by rows in the last minute
  /// (then by total rows, then by name). The rate divides by a minute, or
  /// by `seconds_observed` when the counting began less than a minute ago.
  std::vector<table_status> top(size_t n, int64_t now_second,
                                int64_t seconds_observed) const;

  /// Tables that had rows since counting began.
  size_t size() const {
    return tables_.size();
  }

private:
  struct second_counts {
    int64_t second = 0;
    uint64_t inserts = 0;
    uint64_t updates = 0;
    uint64_t deletes = 0;
    uint64_t snapshot_rows = 0;
  };
  struct entry {
    table_counts total;
    std::deque<second_counts> recent;
  };
  std::unordered_map<std::string, entry> tables_;
};

} // namespace b2k
