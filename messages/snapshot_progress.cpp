#include "messages/snapshot_progress.hpp"

#include <nlohmann/json.hpp>

namespace b2k {

std::string snapshot_progress::to_json() const {
  nlohmann::json j;
  j["incremental"] = incremental;
  j["done"] = done;
  j["after"] = nlohmann::json::object();
  for (auto& [table, key] : after)
    j["after"][table] = key;
  j["finished"] = finished;
  if (!filters.empty())
    j["filters"] = filters;
  return j.dump();
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
    if (auto f = j.find("finished"); f != j.end() && f->is_array())
      for (auto& t : *f)
        out.finished.insert(t.get<std::string>());
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  return out;
}

} // namespace b2k
