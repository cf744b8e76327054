#include "messages/snapshot_progress.hpp"

#include <nlohmann/json.hpp>

namespace b2k {

std::string to_hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char ch : bytes) {
    out.push_back(digits[ch >> 4]);
    out.push_back(digits[ch & 15]);
  }
  return out;
}

bool from_hex(std::string_view hex, std::string& out) {
  if (hex.size() % 2 != 0)
    return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]);
    int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0)
      return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

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
