#include "actors/status_history.hpp"

#include <algorithm>

namespace b2k {

void table_activity::add(const table_counts& delta, int64_t second) {
  if (delta.rows() == 0)
    return;
  auto& e = tables_[delta.table];
  if (e.total.table.empty())
    e.total.table = delta.table;
  if (!delta.topic.empty())
    e.total.topic = delta.topic;
  e.total += delta;
  if (e.recent.empty() || e.recent.back().second != second)
    e.recent.push_back(second_counts{second, 0, 0, 0, 0});
  auto& s = e.recent.back();
  s.inserts += delta.inserts;
  s.updates += delta.updates;
  s.deletes += delta.deletes;
  s.snapshot_rows += delta.snapshot_rows;
  // A table with steady rows adds one entry a second: trim as we go.
  while (e.recent.front().second <= second - window_seconds)
    e.recent.pop_front();
}

void table_activity::expire(int64_t now_second) {
  for (auto& [name, e] : tables_)
    while (!e.recent.empty()
           && e.recent.front().second <= now_second - window_seconds)
      e.recent.pop_front();
}

std::vector<table_status> table_activity::top(size_t n, int64_t now_second,
                                              int64_t seconds_observed) const {
  std::vector<table_status> all;
  all.reserve(tables_.size());
  auto span = std::clamp<int64_t>(seconds_observed, 1, window_seconds);
  for (auto& [name, e] : tables_) {
    table_status t;
    t.total = e.total;
    t.last_minute.table = e.total.table;
    t.last_minute.topic = e.total.topic;
    for (auto& s : e.recent) {
      if (s.second <= now_second - window_seconds)
        continue;
      t.last_minute.inserts += s.inserts;
      t.last_minute.updates += s.updates;
      t.last_minute.deletes += s.deletes;
      t.last_minute.snapshot_rows += s.snapshot_rows;
    }
    t.rows_per_second = static_cast<double>(t.last_minute.rows())
                        / static_cast<double>(span);
    all.push_back(std::move(t));
  }
  auto busier = [](const table_status& a, const table_status& b) {
    if (a.last_minute.rows() != b.last_minute.rows())
      return a.last_minute.rows() > b.last_minute.rows();
    if (a.total.rows() != b.total.rows())
      return a.total.rows() > b.total.rows();
    return a.total.table < b.total.table;
  };
  n = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<ptrdiff_t>(n),
                    all.end(), busier);
  all.resize(n);
  return all;
}

} // namespace b2k
