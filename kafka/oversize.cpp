#include "kafka/oversize.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace b2k::kafka {

namespace {

constexpr auto npos = std::string_view::npos;

// A scanner that finds where values lie in JSON text without rebuilding
// it: truncation replaces a few values and leaves every other byte as the
// encoder wrote it (number forms, key order, the schema).

size_t skip_space(std::string_view text, size_t i) {
  while (i < text.size()
         && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r'
             || text[i] == '\t'))
    ++i;
  return i;
}

/// The end of the string starting at text[i] == '"', or npos.
size_t skip_string(std::string_view text, size_t i) {
  for (++i; i < text.size(); ++i) {
    if (text[i] == '\\')
      ++i;
    else if (text[i] == '"')
      return i + 1;
  }
  return npos;
}

/// The end of the value starting at text[i], or npos.
size_t skip_value(std::string_view text, size_t i) {
  if (i >= text.size())
    return npos;
  if (text[i] == '"')
    return skip_string(text, i);
  if (text[i] != '{' && text[i] != '[') {
    while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']'
           && text[i] != ' ' && text[i] != '\n')
      ++i;
    return i;
  }
  // Containers: count depth, step over strings.
  size_t depth = 0;
  for (; i < text.size(); ++i) {
    auto c = text[i];
    if (c == '"') {
      i = skip_string(text, i);
      if (i == npos)
        return npos;
      --i;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0)
        return i + 1;
    }
  }
  return npos;
}

struct member {
  std::string_view name; // without quotes, escapes as written
  size_t value_begin = 0;
  size_t value_end = 0;
};

/// The members of the object starting at text[i] (offsets into text), or
/// nothing if it is not an object.
std::optional<std::vector<member>> members(std::string_view text, size_t i) {
  i = skip_space(text, i);
  if (i >= text.size() || text[i] != '{')
    return std::nullopt;
  std::vector<member> result;
  i = skip_space(text, i + 1);
  if (i < text.size() && text[i] == '}')
    return result;
  for (;;) {
    if (i >= text.size() || text[i] != '"')
      return std::nullopt;
    auto name_end = skip_string(text, i);
    if (name_end == npos)
      return std::nullopt;
    member m;
    m.name = text.substr(i + 1, name_end - i - 2);
    i = skip_space(text, name_end);
    if (i >= text.size() || text[i] != ':')
      return std::nullopt;
    i = skip_space(text, i + 1);
    m.value_begin = i;
    m.value_end = skip_value(text, i);
    if (m.value_end == npos)
      return std::nullopt;
    result.push_back(m);
    i = skip_space(text, m.value_end);
    if (i < text.size() && text[i] == ',') {
      i = skip_space(text, i + 1);
      continue;
    }
    if (i < text.size() && text[i] == '}')
      return result;
    return std::nullopt;
  }
}

const member* find(const std::vector<member>& ms, std::string_view name) {
  for (auto& m : ms)
    if (m.name == name)
      return &m;
  return nullptr;
}

/// The envelope's members: the top level, or "payload" with schemas.
std::optional<std::vector<member>> envelope(std::string_view value) {
  auto top = members(value, 0);
  if (!top)
    return std::nullopt;
  if (find(*top, "schema") != nullptr)
    if (auto payload = find(*top, "payload"))
      return members(value, payload->value_begin);
  return top;
}

std::string shortened(std::string_view text, size_t most = 200) {
  if (text.size() <= most)
    return std::string{text};
  return std::string{text.substr(0, most)} + "...";
}

} // namespace

record_limit limit_for(const std::string& topic, uint64_t producer_max,
                       std::optional<uint64_t> topic_max) {
  record_limit result;
  result.producer_max = producer_max;
  result.topic_max = topic_max.value_or(0);
  auto by_producer = producer_max > record_overhead
                       ? producer_max - record_overhead
                       : 0;
  result.bytes = by_producer;
  result.bound_by = "the producer's message.max.bytes";
  if (topic_max) {
    auto framing = record_overhead + batch_overhead;
    auto by_topic = *topic_max > framing ? *topic_max - framing : 0;
    if (by_topic < by_producer) {
      result.bytes = by_topic;
      result.bound_by = "topic " + topic + "'s max.message.bytes";
    }
  }
  return result;
}

record_origin origin_of(std::string_view value) {
  record_origin result;
  auto env = envelope(value);
  if (!env)
    return result;
  if (auto op = find(*env, "op")) {
    auto j = nlohmann::json::parse(
      value.substr(op->value_begin, op->value_end - op->value_begin), nullptr,
      false);
    if (j.is_string())
      result.op = j.get<std::string>();
  }
  auto source = find(*env, "source");
  if (source == nullptr)
    return result;
  // The source block is small: parse just it.
  auto j = nlohmann::json::parse(
    value.substr(source->value_begin, source->value_end - source->value_begin),
    nullptr, false);
  if (!j.is_object())
    return result;
  auto text = [&](const char* name) {
    auto i = j.find(name);
    return i != j.end() && i->is_string() ? i->get<std::string>()
                                          : std::string{};
  };
  auto number = [&](const char* name) {
    auto i = j.find(name);
    return i != j.end() && i->is_number_unsigned() ? i->get<uint64_t>()
                                                   : uint64_t{0};
  };
  auto db = text("db");
  auto table = text("table");
  if (!db.empty() || !table.empty())
    result.table = db + "." + table;
  result.file = text("file");
  result.pos = number("pos");
  result.row = number("row");
  result.gtid = text("gtid");
  return result;
}

std::string dead_letter_value(const record_origin& origin,
                              std::string_view topic, std::string_view key,
                              uint64_t size, const record_limit& limit) {
  nlohmann::json j;
  j["table"] = origin.table.empty() ? nlohmann::json(nullptr)
                                    : nlohmann::json(origin.table);
  j["topic"] = std::string{topic};
  auto parsed_key = key.empty() ? nlohmann::json(nullptr)
                                : nlohmann::json::parse(key, nullptr, false);
  j["key"] = parsed_key.is_discarded() ? nlohmann::json(std::string{key})
                                       : parsed_key;
  j["size"] = size;
  j["limit"] = limit.bytes;
  j["bound_by"] = limit.bound_by;
  j["op"] = origin.op.empty() ? nlohmann::json(nullptr)
                              : nlohmann::json(origin.op);
  j["source"] = {{"file", origin.file},
                 {"pos", origin.pos},
                 {"row", origin.row},
                 {"gtid", origin.gtid.empty() ? nlohmann::json(nullptr)
                                              : nlohmann::json(origin.gtid)}};
  return j.dump();
}

std::string truncation_marker(uint64_t bytes) {
  return "{\"__binlog2kafka_truncated\":{\"bytes\":" + std::to_string(bytes)
         + "}}";
}

std::optional<truncation> truncate_columns(std::string_view value,
                                           uint64_t max_value_size) {
  if (value.size() <= max_value_size)
    return truncation{std::string{value}, {}};
  auto env = envelope(value);
  if (!env)
    return std::nullopt;
  struct column {
    std::string name;
    size_t begin;
    size_t end;
    uint64_t size() const {
      return end - begin;
    }
  };
  std::vector<column> columns;
  for (auto image : {"before", "after"}) {
    auto m = find(*env, image);
    if (m == nullptr)
      continue;
    auto cols = members(value, m->value_begin);
    if (!cols)
      continue; // null
    for (auto& c : *cols)
      columns.push_back({std::string{image} + "." + std::string{c.name},
                         c.value_begin, c.value_end});
  }
  std::stable_sort(columns.begin(), columns.end(),
                   [](auto& x, auto& y) { return x.size() > y.size(); });
  // Choose first, then splice once.
  uint64_t size = value.size();
  size_t chosen = 0;
  while (size > max_value_size && chosen < columns.size()) {
    auto& c = columns[chosen];
    auto marker = truncation_marker(c.size()).size();
    if (marker >= c.size())
      break; // the rest are smaller than a marker: it cannot fit
    size -= c.size() - marker;
    ++chosen;
  }
  if (size > max_value_size)
    return std::nullopt;
  truncation result;
  std::vector<column> replaced(columns.begin(), columns.begin() + chosen);
  for (auto& c : replaced)
    result.replaced.emplace_back(c.name, c.size());
  std::sort(replaced.begin(), replaced.end(),
            [](auto& x, auto& y) { return x.begin < y.begin; });
  result.value.reserve(size);
  size_t at = 0;
  for (auto& c : replaced) {
    result.value.append(value.substr(at, c.begin - at));
    result.value += truncation_marker(c.size());
    at = c.end;
  }
  result.value.append(value.substr(at));
  return result;
}

std::string describe_oversize(const record_origin& origin,
                              std::string_view topic, std::string_view key,
                              uint64_t size, const record_limit& limit) {
  std::string what = origin.table.empty()
                       ? "a record for topic " + std::string{topic}
                       : "a record of " + origin.table;
  if (!key.empty())
    what += " with key " + shortened(key);
  if (!origin.file.empty())
    what += " (" + origin.file + ":" + std::to_string(origin.pos) + ", row "
            + std::to_string(origin.row) + ")";
  std::string topic_max = limit.topic_max > 0 ? std::to_string(limit.topic_max)
                                              : std::string{"unknown"};
  return what + " is " + std::to_string(size) + " bytes, over the limit of "
         + std::to_string(limit.bytes) + " set by " + limit.bound_by
         + " (producer message.max.bytes = "
         + std::to_string(limit.producer_max) + ", topic " + std::string{topic}
         + " max.message.bytes = " + topic_max
         + "): raise both (kafka = [\"message.max.bytes=N\"] and the topic's "
           "max.message.bytes), or set oversize = dead-letter or "
           "truncate-columns";
}

} // namespace b2k::kafka
