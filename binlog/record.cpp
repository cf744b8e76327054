#include "binlog/record.hpp"

#include <regex>
#include <stdexcept>

#include "binlog/column_value.hpp"
#include "binlog/json_writer.hpp"

namespace binlog {

namespace {

bool is_system_schema(std::string_view db) {
  return db == "mysql" || db == "sys" || db == "information_schema"
         || db == "performance_schema";
}

void replace_all(std::string& text, std::string_view from,
                 std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

bool is_topic_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
         || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/// The first character of `text` that Kafka refuses in a topic name, as
/// text for a message ("' '", or "'é'"), or empty.
std::string first_bad_topic_char(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (is_topic_char(text[i]))
      continue;
    size_t n = 1;
    while (i + n < text.size()
           && (static_cast<unsigned char>(text[i + n]) & 0xc0) == 0x80)
      ++n;
    return "'" + std::string{text.substr(i, n)} + "'";
  }
  return {};
}

std::regex compile(const std::string& pattern) {
  return std::regex{pattern, std::regex::ECMAScript | std::regex::icase};
}

std::vector<std::regex> compile_all(const std::vector<std::string>& patterns) {
  std::vector<std::regex> result;
  result.reserve(patterns.size());
  for (auto& p : patterns)
    result.push_back(compile(p));
  return result;
}

bool any_match(const std::vector<std::regex>& patterns,
               const std::string& name) {
  for (auto& re : patterns)
    if (std::regex_match(name, re))
      return true;
  return false;
}

/// Where `{prefix}` is the only placeholder: the schema and transaction
/// topics.
std::string fixed_topic(const std::string& pattern, const std::string& prefix) {
  auto topic = pattern;
  replace_all(topic, "{prefix}", prefix);
  return topic;
}

std::string prefix_of(const record_options& options) {
  return options.topic_prefix.empty() ? options.name : options.topic_prefix;
}

} // namespace

std::string kafka_topic_name(std::string_view name) {
  std::string topic;
  topic.reserve(name.size());
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (is_topic_char(c)) {
      topic.push_back(c);
      continue;
    }
    topic.push_back('_');
    // One '_' for a whole UTF-8 character: skip its continuation bytes.
    if (static_cast<unsigned char>(c) >= 0xc0)
      while (i + 1 < name.size()
             && (static_cast<unsigned char>(name[i + 1]) & 0xc0) == 0x80)
        ++i;
  }
  return topic;
}

/// The compiled include/exclude patterns.
struct record_filter {
  std::vector<std::regex> include_databases;
  std::vector<std::regex> exclude_databases;
  std::vector<std::regex> include_tables;
  std::vector<std::regex> exclude_tables;
  std::vector<std::regex> exclude_columns;

  bool database_included(const std::string& db) const {
    return (include_databases.empty() || any_match(include_databases, db))
           && !any_match(exclude_databases, db);
  }

  bool table_included(const std::string& db,
                      const std::string& qualified) const {
    return database_included(db)
           && (include_tables.empty() || any_match(include_tables, qualified))
           && !any_match(exclude_tables, qualified);
  }
};

std::string check_record_options(const record_options& options) {
  struct list {
    const char* key;
    const std::vector<std::string>* patterns;
  };
  for (auto [key, patterns] :
       {list{"include-databases", &options.include_databases},
        list{"exclude-databases", &options.exclude_databases},
        list{"include-tables", &options.include_tables},
        list{"exclude-tables", &options.exclude_tables},
        list{"exclude-columns", &options.exclude_columns}}) {
    for (auto& p : *patterns) {
      try {
        compile(p);
      } catch (const std::regex_error& e) {
        return std::string{key} + ": '" + p
               + "' is not a regular expression (" + e.what() + ")";
      }
    }
  }
  auto prefix = prefix_of(options);
  auto bad = first_bad_topic_char(prefix);
  if (!bad.empty())
    return std::string{options.topic_prefix.empty() ? "name" : "topic-prefix"}
           + ": '" + prefix + "' has " + bad
           + ", which Kafka does not allow in topic names (letters, digits, "
             "'.', '_' and '-')"
           + (options.topic_prefix.empty() ? "; set topic-prefix" : "");
  auto literal = options.topic_template;
  replace_all(literal, "{prefix}", "");
  replace_all(literal, "{db}", "");
  replace_all(literal, "{table}", "");
  bad = first_bad_topic_char(literal);
  if (!bad.empty())
    return "topic-template: '" + options.topic_template + "' has " + bad
           + ", which Kafka does not allow in topic names (letters, digits, "
             "'.', '_' and '-'; {prefix}, {db} and {table} are replaced)";
  auto shortest = options.topic_template;
  replace_all(shortest, "{prefix}", prefix);
  replace_all(shortest, "{db}", "");
  replace_all(shortest, "{table}", "");
  if (shortest.size() > max_topic_length)
    return "topic-template: the topic names it makes are longer than "
           "Kafka's limit of "
           + std::to_string(max_topic_length) + " characters";
  struct fixed {
    const char* key;
    const std::string* pattern;
  };
  for (auto [key, pattern] :
       {fixed{"schema-topic", &options.schema_topic},
        fixed{"transaction-topic", &options.transaction_topic}}) {
    if (pattern->empty())
      continue;
    if (pattern->find("{db}") != std::string::npos
        || pattern->find("{table}") != std::string::npos)
      return std::string{key} + ": '" + *pattern
             + "' names one topic: only {prefix} is replaced in it";
    auto topic = fixed_topic(*pattern, prefix);
    bad = first_bad_topic_char(topic);
    if (!bad.empty())
      return std::string{key} + ": '" + topic + "' has " + bad
             + ", which Kafka does not allow in topic names (letters, "
               "digits, '.', '_' and '-')";
    if (topic.size() > max_topic_length || topic == "." || topic == "..")
      return std::string{key} + ": '" + topic
             + "' is not a Kafka topic name (at most "
             + std::to_string(max_topic_length)
             + " characters, not '.' or '..')";
  }
  return {};
}

record_encoder::record_encoder(record_options options)
  : options_(std::move(options)), filter_(std::make_unique<record_filter>()) {
  if (options_.topic_prefix.empty())
    options_.topic_prefix = options_.name;
  auto problem = check_record_options(options_);
  if (!problem.empty())
    throw std::invalid_argument(problem);
  filter_->include_databases = compile_all(options_.include_databases);
  filter_->exclude_databases = compile_all(options_.exclude_databases);
  filter_->include_tables = compile_all(options_.include_tables);
  filter_->exclude_tables = compile_all(options_.exclude_tables);
  filter_->exclude_columns = compile_all(options_.exclude_columns);
  if (!options_.schema_topic.empty())
    schema_topic_ = fixed_topic(options_.schema_topic, options_.topic_prefix);
  if (!options_.transaction_topic.empty())
    transaction_topic_ = fixed_topic(options_.transaction_topic,
                                     options_.topic_prefix);
}

record_encoder::~record_encoder() = default;
record_encoder::record_encoder(record_encoder&&) noexcept = default;
record_encoder& record_encoder::operator=(record_encoder&&) noexcept = default;

bool record_encoder::database_included(std::string_view db) const {
  if (options_.skip_system_schemas && is_system_schema(db))
    return false;
  return filter_->database_included(std::string{db});
}

std::string record_encoder::prepare(table_info& info) const {
  auto& map = info.map;
  info.qualified_name = map.db + "." + map.table;
  info.skipped = (options_.skip_system_schemas && is_system_schema(map.db))
                 || !filter_->table_included(map.db, info.qualified_name);
  info.txn_serial = 0;
  info.name_keys.resize(map.columns.size());
  info.value_columns.clear();
  for (size_t i = 0; i < map.columns.size(); ++i) {
    auto& key = info.name_keys[i];
    key.clear();
    json_writer w{key};
    w.key(map.columns[i].name);
    if (filter_->exclude_columns.empty()
        || !any_match(filter_->exclude_columns,
                      info.qualified_name + "." + map.columns[i].name))
      info.value_columns.push_back(static_cast<uint32_t>(i));
  }
  info.source_names.clear();
  json_writer w{info.source_names};
  w.key("db");
  w.string(map.db);
  w.raw(",\"sequence\":null,");
  w.key("table");
  w.string(map.table);
  info.topic.clear();
  if (info.skipped)
    return {};
  auto topic = options_.topic_template;
  replace_all(topic, "{prefix}", options_.topic_prefix);
  replace_all(topic, "{db}", map.db);
  replace_all(topic, "{table}", map.table);
  info.topic = kafka_topic_name(topic);
  if (info.topic.size() > max_topic_length || info.topic == "."
      || info.topic == "..")
    return "the topic of table " + info.qualified_name + ", '" + info.topic
           + "', is not a Kafka topic name (at most "
           + std::to_string(max_topic_length)
           + " characters, not '.' or '..'): change topic-template or "
             "topic-prefix, or leave the table out with exclude-tables";
  return {};
}

void record_encoder::write_source_head(std::string& out, uint64_t ts_ms,
                                       std::string_view names,
                                       const event_header& header,
                                       const std::string& gtid,
                                       const std::string& file,
                                       uint64_t event_offset) const {
  json_writer h{out};
  h.raw("{\"version\":");
  h.string(source_version);
  h.raw(",\"connector\":\"mysql\",\"name\":");
  h.string(options_.name);
  h.raw(",\"ts_ms\":");
  h.integer(ts_ms);
  h.raw(",\"snapshot\":\"false\",");
  h.raw(names);
  h.raw(",\"server_id\":");
  h.integer(header.server_id);
  h.raw(",\"gtid\":");
  if (gtid.empty())
    h.null();
  else
    h.string(gtid);
  h.raw(",\"file\":");
  h.string(file);
  h.raw(",\"pos\":");
  h.integer(event_offset);
  h.raw(",\"row\":");
}

void record_encoder::write_source_tail(std::string& out,
                                       int64_t thread) const {
  json_writer t{out};
  t.raw(",\"thread\":");
  if (thread < 0)
    t.null();
  else
    t.integer(thread);
  t.raw(",\"query\":null}");
}

void record_encoder::begin_event(const event_header& header,
                                 const std::string& file,
                                 uint64_t event_offset,
                                 const std::string& gtid,
                                 const std::string& transaction_id,
                                 int64_t thread, const table_info& table,
                                 row_op op) {
  // ts_ms is the event's commit time, not the time we read it, so that the
  // same binlog always gives the same records.
  uint64_t ts_ms = uint64_t{header.timestamp} * 1000;
  source_head_.clear();
  json_writer h{source_head_};
  switch (op) {
    case row_op::insert:
      h.raw(",\"op\":\"c\"");
      break;
    case row_op::update:
      h.raw(",\"op\":\"u\"");
      break;
    default:
      h.raw(",\"op\":\"d\"");
  }
  h.raw(",\"ts_ms\":");
  h.integer(ts_ms);
  h.raw(",\"source\":");
  write_source_head(source_head_, ts_ms, table.source_names, header, gtid,
                    file, event_offset);
  source_tail_.clear();
  write_source_tail(source_tail_, thread);
  json_writer t{source_tail_};
  t.raw(",\"transaction\":{\"id\":");
  t.string(transaction_id);
  t.raw(",\"total_order\":");
}

void record_encoder::write_image(const table_info& table,
                                 const std::vector<value_slot>& image) {
  json_writer w{value_};
  w.raw('{');
  bool first = true;
  auto& columns = table.map.columns;
  for (auto i : table.value_columns) {
    auto& slot = image[i];
    if (slot.state == value_slot::absent)
      continue; // partial images leave the column out, not null
    if (!first)
      w.raw(',');
    first = false;
    w.raw(table.name_keys[i]);
    if (slot.state == value_slot::null)
      w.null();
    else
      write_value(w, columns[i], slot.data, slot.size);
  }
  w.raw('}');
}

void record_encoder::encode(const table_info& table, uint32_t row_in_event,
                            uint64_t total_order, uint64_t collection_order,
                            const std::vector<value_slot>* before,
                            const std::vector<value_slot>* after) {
  auto& columns = table.map.columns;
  key_.clear();
  if (!table.map.primary_key.empty()) {
    // Key columns stay in the key even when exclude-columns drops them
    // from the value, as in Debezium.
    json_writer k{key_};
    k.raw('{');
    bool first = true;
    for (auto index : table.map.primary_key) {
      // MINIMAL after-images of updates may lack the key: use the before.
      const value_slot* slot = nullptr;
      if (after != nullptr && (*after)[index].state != value_slot::absent)
        slot = &(*after)[index];
      else if (before != nullptr)
        slot = &(*before)[index];
      if (slot == nullptr || slot->state == value_slot::absent)
        continue;
      if (!first)
        k.raw(',');
      first = false;
      k.raw(table.name_keys[index]);
      if (slot->state == value_slot::null)
        k.null();
      else
        write_value(k, columns[index], slot->data, slot->size);
    }
    k.raw('}');
  }
  value_.clear();
  json_writer w{value_};
  w.raw("{\"before\":");
  if (before != nullptr)
    write_image(table, *before);
  else
    w.null();
  w.raw(",\"after\":");
  if (after != nullptr)
    write_image(table, *after);
  else
    w.null();
  w.raw(source_head_);
  w.integer(row_in_event);
  w.raw(source_tail_);
  w.integer(total_order);
  w.raw(",\"data_collection_order\":");
  w.integer(collection_order);
  w.raw("}}");
}

void record_encoder::encode_schema_change(const event_header& header,
                                          const std::string& file,
                                          uint64_t event_offset,
                                          const std::string& gtid,
                                          int64_t thread,
                                          std::string_view database,
                                          std::string_view statement) {
  uint64_t ts_ms = uint64_t{header.timestamp} * 1000;
  key_.clear();
  json_writer k{key_};
  k.raw("{\"databaseName\":");
  k.string(database);
  k.raw('}');
  // The source block names the database; a statement has no one table.
  std::string names;
  json_writer n{names};
  n.raw("\"db\":");
  n.string(database);
  n.raw(",\"sequence\":null,\"table\":null");
  value_.clear();
  json_writer w{value_};
  w.raw("{\"source\":");
  write_source_head(value_, ts_ms, names, header, gtid, file, event_offset);
  w.integer(0);
  write_source_tail(value_, thread);
  w.raw(",\"ts_ms\":");
  w.integer(ts_ms);
  w.raw(",\"databaseName\":");
  w.string(database);
  w.raw(",\"schemaName\":null,\"ddl\":");
  w.string(statement);
  // Debezium lists the tables' new definitions here; we parse no DDL.
  w.raw(",\"tableChanges\":[]}");
}

void record_encoder::encode_transaction_begin(
  const std::string& transaction_id, uint64_t ts_ms) {
  key_.clear();
  json_writer k{key_};
  k.raw("{\"id\":");
  k.string(transaction_id);
  k.raw('}');
  value_.clear();
  json_writer w{value_};
  w.raw("{\"status\":\"BEGIN\",\"id\":");
  w.string(transaction_id);
  w.raw(",\"event_count\":null,\"data_collections\":null,\"ts_ms\":");
  w.integer(ts_ms);
  w.raw('}');
}

void record_encoder::encode_transaction_end(
  const std::string& transaction_id, uint64_t ts_ms, uint64_t events,
  const collection_count* collections, size_t collection_count) {
  key_.clear();
  json_writer k{key_};
  k.raw("{\"id\":");
  k.string(transaction_id);
  k.raw('}');
  value_.clear();
  json_writer w{value_};
  w.raw("{\"status\":\"END\",\"id\":");
  w.string(transaction_id);
  w.raw(",\"event_count\":");
  w.integer(events);
  w.raw(",\"data_collections\":[");
  for (size_t i = 0; i < collection_count; ++i) {
    if (i > 0)
      w.raw(',');
    w.raw("{\"data_collection\":");
    w.string(collections[i].name);
    w.raw(",\"event_count\":");
    w.integer(collections[i].events);
    w.raw('}');
  }
  w.raw("],\"ts_ms\":");
  w.integer(ts_ms);
  w.raw('}');
}

} // namespace binlog
