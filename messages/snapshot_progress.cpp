#include "messages/snapshot_progress.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "messages/snapshot_signal.hpp"

namespace b2k {

std::string snapshot_progress::to_json() const {
  nlohmann::json j;
  j["incremental"] = incremental;
  j["done"] = done;
  j["after"] = nlohmann::json::object();
  for (auto& [table, key] : after)
    j["after"][table] = key;
  j["finished"] = finished;
  if (!ranges.empty()) {
    j["ranges"] = nlohmann::json::object();
    for (auto& [table, list] : ranges) {
      auto& out = j["ranges"][table] = nlohmann::json::array();
      for (auto& r : list)
        if (!r.done)
          out.push_back({{"after", r.after}, {"to", r.to}});
    }
  }
  if (!filters.empty())
    j["filters"] = filters;
  if (!id.empty())
    j["id"] = id;
  if (!tables.empty())
    j["tables"] = tables;
  if (!earlier.empty())
    j["earlier"] = earlier;
  if (!rows.empty()) {
    j["rows"] = nlohmann::json::object();
    for (auto& [table, counts] : rows)
      j["rows"][table] = {counts.first, counts.second};
  }
  if (!queued.empty()) {
    auto& q = j["queued"] = nlohmann::json::array();
    for (auto& r : queued)
      q.push_back({{"id", r.id}, {"tables", r.tables}});
  }
  if (!ended.empty()) {
    auto& e = j["ended"] = nlohmann::json::array();
    for (auto& [ended_id, state] : ended)
      e.push_back({ended_id, state});
  }
  if (signals >= 0)
    j["signals"] = signals;
  // Table names may hold bytes that are not UTF-8.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<snapshot_progress>
snapshot_progress::parse(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return std::nullopt;
  snapshot_progress out;
  try {
    out.incremental = j.value("incremental", false);
    out.done = j.value("done", false);
    if (auto a = j.find("after"); a != j.end() && a->is_object())
      for (auto& [table, key] : a->items())
        out.after[table] = key.get<std::vector<std::string>>();
    out.filters = j.value("filters", std::string{});
    if (auto r = j.find("ranges"); r != j.end() && r->is_object())
      for (auto& [table, list] : r->items()) {
        auto& parsed = out.ranges[table];
        for (auto& x : list) {
          snapshot_range range;
          range.after = x.at("after").get<std::vector<std::string>>();
          range.to = x.at("to").get<std::vector<std::string>>();
          parsed.push_back(std::move(range));
        }
      }
    if (auto f = j.find("finished"); f != j.end() && f->is_array())
      for (auto& t : *f)
        out.finished.insert(t.get<std::string>());
    out.id = j.value("id", std::string{});
    if (auto t = j.find("tables"); t != j.end() && t->is_array())
      out.tables = t->get<std::vector<std::string>>();
    if (auto e = j.find("earlier"); e != j.end() && e->is_array())
      for (auto& t : *e)
        out.earlier.insert(t.get<std::string>());
    if (auto r = j.find("rows"); r != j.end() && r->is_object())
      for (auto& [table, counts] : r->items())
        out.rows[table] = {counts.at(0).get<uint64_t>(),
                           counts.at(1).get<uint64_t>()};
    if (auto q = j.find("queued"); q != j.end() && q->is_array())
      for (auto& r : *q)
        out.queued.push_back({r.at("id").get<std::string>(),
                              r.at("tables").get<std::vector<std::string>>()});
    if (auto e = j.find("ended"); e != j.end() && e->is_array())
      for (auto& x : *e)
        out.ended.emplace_back(x.at(0).get<std::string>(),
                               x.at(1).get<std::string>());
    out.signals = j.value("signals", int64_t{-1});
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  return out;
}

std::pair<uint64_t, uint64_t> snapshot_progress::row_totals() const {
  std::pair<uint64_t, uint64_t> total{0, 0};
  for (auto& [table, counts] : rows) {
    total.first += counts.first;
    total.second += std::max(counts.first, counts.second);
  }
  return total;
}

void snapshot_progress::end(const std::string& state) {
  if (!id.empty())
    note_ended(id, state);
}

void snapshot_progress::note_ended(const std::string& which,
                                   const std::string& state) {
  ended.emplace_back(which, state);
  if (ended.size() > max_ended)
    ended.erase(ended.begin());
}

bool snapshot_progress::wants(const std::string& name) const {
  return tables.empty() ? earlier.count(name) == 0
                        : table_matches(tables, name);
}

std::string snapshot_progress::state_of(const std::string& which) const {
  if (which.empty())
    return "";
  if (which == id && !done)
    return "running";
  for (auto& r : queued)
    if (r.id == which)
      return "queued";
  for (auto it = ended.rbegin(); it != ended.rend(); ++it)
    if (it->first == which)
      return it->second;
  return "";
}

} // namespace b2k
