#include "messages/snapshot_signal.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <regex>

#include <nlohmann/json.hpp>

namespace b2k {

namespace {

// std::regex copies a sub-pattern once per repetition of a {n,m}
// quantifier, and nested quantifiers multiply: a signal must not be able to
// make the pipeline compile a pattern of millions of states.
constexpr unsigned max_brace_count = 32;
constexpr unsigned max_brace_quantifiers = 2;

bool brace_quantifiers_bounded(const std::string& pattern, std::string& why) {
  unsigned quantifiers = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
      continue;
    }
    if (pattern[i] != '{')
      continue;
    ++quantifiers;
    unsigned long n = 0;
    for (size_t j = i + 1; j < pattern.size(); ++j) {
      char c = pattern[j];
      if (c >= '0' && c <= '9') {
        n = n * 10 + static_cast<unsigned long>(c - '0');
        if (n > max_brace_count) {
          why = "a repetition count over " + std::to_string(max_brace_count);
          return false;
        }
      } else if (c == ',') {
        n = 0;
      } else {
        break;
      }
    }
  }
  if (quantifiers > max_brace_quantifiers) {
    why = "more than " + std::to_string(max_brace_quantifiers)
          + " {n,m} repetitions";
    return false;
  }
  return true;
}

bool fail(std::string& why, std::string text) {
  why = std::move(text);
  return false;
}

} // namespace

const char* to_string(signal_type x) {
  switch (x) {
    case signal_type::execute_snapshot:
      return "execute-snapshot";
    case signal_type::cancel_snapshot:
      return "cancel-snapshot";
  }
  return "?";
}

bool valid_snapshot_id(std::string_view id) {
  if (id.empty() || id.size() > 64)
    return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

bool valid_table_pattern(const std::string& pattern, std::string& why) {
  if (pattern.empty())
    return fail(why, "an empty table pattern");
  if (pattern.size() > max_table_pattern)
    return fail(why, "a table pattern longer than "
                       + std::to_string(max_table_pattern) + " characters");
  // A table name never needs a back-reference, and libstdc++ reads the
  // number after a backslash into a long without an overflow check.
  for (size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] != '\\')
      continue;
    if (pattern[i + 1] >= '0' && pattern[i + 1] <= '9')
      return fail(why, "table pattern '" + pattern
                         + "' has a back-reference (\\" + pattern[i + 1]
                         + "), which a table name never needs");
    ++i;
  }
  std::string bound;
  if (!brace_quantifiers_bounded(pattern, bound))
    return fail(why, "table pattern '" + pattern + "' has " + bound);
  try {
    std::regex re{pattern, std::regex::ECMAScript | std::regex::icase};
  } catch (const std::regex_error& e) {
    return fail(why, "table pattern '" + pattern
                       + "' is not a regular expression (" + e.what() + ")");
  }
  return true;
}

bool table_matches(const std::vector<std::string>& patterns,
                   const std::string& table) {
  for (auto& p : patterns) {
    try {
      std::regex re{p, std::regex::ECMAScript | std::regex::icase};
      if (std::regex_match(table, re))
        return true;
    } catch (const std::regex_error&) {
    }
  }
  return false;
}

bool parse_signal(std::string_view text, snapshot_signal& out,
                  std::string& why) {
  if (text.size() > max_signal_size)
    return fail(why,
                "longer than " + std::to_string(max_signal_size) + " bytes");
  auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded())
    return fail(why, "not JSON");
  if (!j.is_object())
    return fail(why, "not a JSON object");
  auto type = j.find("type");
  if (type == j.end() || !type->is_string())
    return fail(why, "no \"type\" string");
  snapshot_signal s;
  auto& t = type->get_ref<const std::string&>();
  if (t == "execute-snapshot")
    s.type = signal_type::execute_snapshot;
  else if (t == "cancel-snapshot")
    s.type = signal_type::cancel_snapshot;
  else
    return fail(why, "unknown type \"" + t.substr(0, 64)
                       + "\" (known: execute-snapshot, cancel-snapshot)");
  for (auto& [key, value] : j.items()) {
    if (key == "type" || key == "id"
        || (key == "tables" && s.type == signal_type::execute_snapshot))
      continue;
    return fail(why, "unknown key \"" + key.substr(0, 64) + "\" in a " + t
                       + " signal");
  }
  auto id = j.find("id");
  if (id == j.end() || !id->is_string())
    return fail(why, "no \"id\" string");
  s.id = id->get<std::string>();
  if (!valid_snapshot_id(s.id))
    return fail(why,
                "\"id\" is not 1-64 characters of A-Z, a-z, 0-9, '.', "
                "'_', '-'");
  if (s.type == signal_type::execute_snapshot) {
    auto tables = j.find("tables");
    if (tables == j.end() || !tables->is_array() || tables->empty())
      return fail(why, "no \"tables\" list of patterns");
    if (tables->size() > max_signal_tables)
      return fail(why, "more than " + std::to_string(max_signal_tables)
                         + " table patterns");
    for (auto& p : *tables) {
      if (!p.is_string())
        return fail(why, "a table pattern that is not a string");
      auto pattern = p.get<std::string>();
      if (!valid_table_pattern(pattern, why))
        return false;
      s.tables.push_back(std::move(pattern));
    }
  }
  out = std::move(s);
  return true;
}

std::string to_json(const snapshot_signal& x) {
  nlohmann::json j{{"type", to_string(x.type)}, {"id", x.id}};
  if (x.type == signal_type::execute_snapshot)
    j["tables"] = x.tables;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string make_snapshot_id() {
  auto now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &tm);
  std::random_device rd;
  char random[8];
  std::snprintf(random, sizeof random, "%04x", rd() & 0xffff);
  return std::string{text} + "-" + random;
}

} // namespace b2k
