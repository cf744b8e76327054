#include "binlog/record.hpp"

#include <cstring>
#include <regex>

#include "binlog/avro.hpp"
#include "binlog/column_value.hpp"
#include "binlog/json_writer.hpp"
#include "binlog/snapshot_marks.hpp"

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

// JsonConverter's schemas (schemas.enable=true) of the parts that do not
// depend on a table, with Debezium's names; the source block is ours, so
// it carries the MySQL connector's name without Debezium's ts_us/ts_ns.
constexpr std::string_view source_schema =
  R"({"type":"struct","fields":[)"
  R"({"type":"string","optional":false,"field":"version"},)"
  R"({"type":"string","optional":false,"field":"connector"},)"
  R"({"type":"string","optional":false,"field":"name"},)"
  R"({"type":"int64","optional":false,"field":"ts_ms"},)"
  R"({"type":"string","optional":true,"name":"io.debezium.data.Enum",)"
  R"("version":1,"parameters":{"allowed":"true,first,)"
  R"(first_in_data_collection,last_in_data_collection,last,false,)"
  R"(incremental"},"default":"false","field":"snapshot"},)"
  R"({"type":"string","optional":false,"field":"db"},)"
  R"({"type":"string","optional":true,"field":"sequence"},)"
  R"({"type":"string","optional":true,"field":"table"},)"
  R"({"type":"int64","optional":false,"field":"server_id"},)"
  R"({"type":"string","optional":true,"field":"gtid"},)"
  R"({"type":"string","optional":false,"field":"file"},)"
  R"({"type":"int64","optional":false,"field":"pos"},)"
  R"({"type":"int32","optional":false,"field":"row"},)"
  R"({"type":"int64","optional":true,"field":"thread"},)"
  R"({"type":"string","optional":true,"field":"query"}],)"
  R"("optional":false,"name":"io.debezium.connector.mysql.Source",)"
  R"("version":1,"field":"source"})";

constexpr std::string_view transaction_block_schema =
  R"({"type":"struct","fields":[)"
  R"({"type":"string","optional":false,"field":"id"},)"
  R"({"type":"int64","optional":false,"field":"total_order"},)"
  R"({"type":"int64","optional":false,"field":"data_collection_order"}],)"
  R"("optional":true,"name":"event.block","version":1,)"
  R"("field":"transaction"})";

constexpr std::string_view schema_change_key_schema =
  R"({"schema":{"type":"struct","fields":[)"
  R"({"type":"string","optional":false,"field":"databaseName"}],)"
  R"("optional":false,"name":"io.debezium.connector.mysql.SchemaChangeKey",)"
  R"("version":1},"payload":)";

constexpr std::string_view table_changes_schema =
  R"({"type":"array","items":{"type":"struct","fields":[)"
  R"({"type":"string","optional":false,"field":"type"},)"
  R"({"type":"string","optional":false,"field":"id"},)"
  R"({"type":"struct","fields":[)"
  R"({"type":"string","optional":true,"field":"defaultCharsetName"},)"
  R"({"type":"array","items":{"type":"string","optional":false},)"
  R"("optional":true,"field":"primaryKeyColumnNames"},)"
  R"({"type":"array","items":{"type":"struct","fields":[)"
  R"({"type":"string","optional":false,"field":"name"},)"
  R"({"type":"int32","optional":false,"field":"jdbcType"},)"
  R"({"type":"int32","optional":true,"field":"nativeType"},)"
  R"({"type":"string","optional":false,"field":"typeName"},)"
  R"({"type":"string","optional":true,"field":"typeExpression"},)"
  R"({"type":"string","optional":true,"field":"charsetName"},)"
  R"({"type":"int32","optional":true,"field":"length"},)"
  R"({"type":"int32","optional":true,"field":"scale"},)"
  R"({"type":"int32","optional":false,"field":"position"},)"
  R"({"type":"boolean","optional":true,"field":"optional"},)"
  R"({"type":"boolean","optional":true,"field":"autoIncremented"},)"
  R"({"type":"boolean","optional":true,"field":"generated"},)"
  R"({"type":"string","optional":true,"field":"comment"},)"
  R"({"type":"string","optional":true,"field":"defaultValueExpression"},)"
  R"({"type":"array","items":{"type":"string","optional":false},)"
  R"("optional":true,"field":"enumValues"}],"optional":false,)"
  R"("name":"io.debezium.connector.schema.Column","version":1},)"
  R"("optional":false,"field":"columns"},)"
  R"({"type":"string","optional":true,"field":"comment"}],)"
  R"("optional":true,"name":"io.debezium.connector.schema.Table",)"
  R"("version":1,"field":"table"}],"optional":false,)"
  R"("name":"io.debezium.connector.schema.Change","version":1},)"
  R"("optional":false,"field":"tableChanges"})";

constexpr std::string_view transaction_key_schema =
  R"({"schema":{"type":"struct","fields":[)"
  R"({"type":"string","optional":false,"field":"id"}],"optional":false,)"
  R"("name":"io.debezium.connector.common.TransactionMetadataKey",)"
  R"("version":1},"payload":)";

constexpr std::string_view transaction_value_schema =
  R"({"schema":{"type":"struct","fields":[)"
  R"({"type":"string","optional":false,"field":"status"},)"
  R"({"type":"string","optional":false,"field":"id"},)"
  R"({"type":"int64","optional":true,"field":"event_count"},)"
  R"({"type":"array","items":{"type":"struct","fields":[)"
  R"({"type":"string","optional":false,"field":"data_collection"},)"
  R"({"type":"int64","optional":false,"field":"event_count"}],)"
  R"("optional":true,"name":"event.collection","version":1},)"
  R"("optional":true,"field":"data_collections"},)"
  R"({"type":"int64","optional":false,"field":"ts_ms"}],)"
  R"("optional":false,)"
  R"("name":"io.debezium.connector.common.TransactionMetadataValue",)"
  R"("version":1},"payload":)";

/// The schema change value's schema, `{"schema":…,"payload":`.
const std::string& schema_change_value_schema() {
  static const std::string text = [] {
    std::string t = R"({"schema":{"type":"struct","fields":[)";
    t += source_schema;
    t += R"(,{"type":"int64","optional":false,"field":"ts_ms"},)"
         R"({"type":"string","optional":true,"field":"databaseName"},)"
         R"({"type":"string","optional":true,"field":"schemaName"},)"
         R"({"type":"string","optional":true,"field":"ddl"},)";
    t += table_changes_schema;
    t += R"(],"optional":false,)"
         R"("name":"io.debezium.connector.mysql.SchemaChangeValue",)"
         R"("version":1},"payload":)";
    return t;
  }();
  return text;
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

namespace {

/// What is wrong with `options`, or "".
std::string options_problem(const record_options& options) {
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
        return std::string{key} + ": '" + p + "' is not a regular expression ("
               + e.what() + ")";
      }
    }
  }
  if (options.schemas && options.values.mode != value_mode::debezium)
    return "schemas: Kafka Connect schemas are Debezium's, for value-mode "
           "debezium only";
  if (options.format == record_format::avro) {
    if (options.values.mode != value_mode::debezium)
      return "format: avro carries Debezium's values, for value-mode "
             "debezium only";
    if (options.schemas)
      return "schemas: JsonConverter's schemas are JSON; format avro keeps "
             "its schemas in the schema registry (schemas=false)";
    if (!options.registry)
      return "format: avro needs schema-registry-url";
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

} // namespace

error check_record_options(const record_options& options) {
  auto problem = options_problem(options);
  if (problem.empty())
    return {};
  return {errc::bad_value, std::move(problem)};
}

expected<record_encoder> record_encoder::make(record_options options) {
  if (auto err = check_record_options(options))
    return err;
  record_encoder out{std::move(options)};
  if (out.subjects_) {
    struct fixed_schemas {
      const std::string& topic;
      std::string_view key;
      std::string_view value;
      const avro::subjects_entry** entries;
    };
    for (auto& f :
         {fixed_schemas{out.schema_topic_, schema_change_key_schema,
                        schema_change_value_schema(), out.avro_schema_change_},
          fixed_schemas{out.transaction_topic_, transaction_key_schema,
                        transaction_value_schema, out.avro_transaction_}}) {
      if (f.topic.empty())
        continue;
      auto key = out.avro_schema(f.topic + "-key", f.key);
      if (!key)
        return key.error();
      auto value = out.avro_schema(f.topic + "-value", f.value);
      if (!value)
        return value.error();
      f.entries[0] = *key;
      f.entries[1] = *value;
    }
  }
  return out;
}

record_encoder::record_encoder(record_options options)
  : options_(std::move(options)), filter_(std::make_unique<record_filter>()) {
  if (options_.format == record_format::avro) {
    connect_schemas_ = true;
    subjects_ = std::make_unique<avro::subjects>(options_.registry);
  } else {
    connect_schemas_ = options_.schemas;
  }
  if (options_.topic_prefix.empty())
    options_.topic_prefix = options_.name;
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

bool record_encoder::table_included(std::string_view db,
                                    std::string_view table) const {
  if (options_.skip_system_schemas && is_system_schema(db))
    return false;
  std::string qualified{db};
  qualified += '.';
  qualified += table;
  return filter_->table_included(std::string{db}, qualified);
}

error record_encoder::prepare(table_info& info, bool with_schemas) const {
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
  info.key_schema.clear();
  info.value_schema.clear();
  info.avro_key = nullptr;
  info.avro_value = nullptr;
  if (info.skipped)
    return {};
  if (connect_schemas_ && with_schemas)
    write_table_schemas(info);
  auto topic = options_.topic_template;
  replace_all(topic, "{prefix}", options_.topic_prefix);
  replace_all(topic, "{db}", map.db);
  replace_all(topic, "{table}", map.table);
  info.topic = kafka_topic_name(topic);
  if (info.topic.size() > max_topic_length || info.topic == "."
      || info.topic == "..")
    return {errc::unsupported,
            "the topic of table " + info.qualified_name + ", '" + info.topic
              + "', is not a Kafka topic name (at most "
              + std::to_string(max_topic_length)
              + " characters, not '.' or '..'): change topic-template or "
                "topic-prefix, or leave the table out with exclude-tables"};
  if (subjects_ && with_schemas) {
    // A new table map with the same columns finds its schemas cached; a
    // changed one registers a new version (the registry checks it).
    if (!map.primary_key.empty()) {
      auto key = avro_schema(info.topic + "-key", info.key_schema);
      if (!key)
        return key.error();
      info.avro_key = *key;
    }
    auto value = avro_schema(info.topic + "-value", info.value_schema);
    if (!value)
      return value.error();
    info.avro_value = *value;
  }
  return {};
}

expected<const avro::subjects_entry*>
record_encoder::avro_schema(const std::string& subject,
                            std::string_view connect) const {
  // `{"schema":` … `,"payload":`: the Connect schema between them.
  constexpr std::string_view head = "{\"schema\":";
  constexpr std::string_view tail = ",\"payload\":";
  connect.remove_prefix(head.size());
  connect.remove_suffix(tail.size());
  return subjects_->resolve(subject, connect);
}

void record_encoder::to_avro(const avro::subjects_entry* key,
                             const avro::subjects_entry* value) {
  auto transcode = [this](const avro::subjects_entry* entry,
                          std::string& text) {
    if (text.empty())
      return; // a null key
    avro_out_.clear();
    if (entry == nullptr) {
      failure_ = {errc::bad_value, "Avro encoding: a record without a schema"};
    } else {
      avro::write_header(avro_out_, entry->id);
      if (auto err = avro::encode(*entry->root, text, avro_out_))
        failure_ = err;
    }
    if (failure_)
      avro_out_.clear();
    text.swap(avro_out_);
  };
  transcode(key, key_);
  transcode(value, value_);
}

void record_encoder::write_table_schemas(table_info& table) const {
  auto& map = table.map;
  // Debezium names a table's schemas after topic.prefix, not the topic.
  std::string base = options_.topic_prefix + "." + map.db + "." + map.table;
  auto field = [](std::string& out, const column& col,
                  const value_options& values) {
    append_value_schema(out, col, values);
    out += ",\"field\":";
    json_writer w{out};
    w.string(col.name);
    out += '}';
  };
  auto& k = table.key_schema;
  k = R"({"schema":{"type":"struct","fields":[)";
  for (size_t i = 0; i < map.primary_key.size(); ++i) {
    if (i > 0)
      k += ',';
    field(k, map.columns[map.primary_key[i]], options_.values);
  }
  k += R"(],"optional":false,"name":)";
  json_writer kw{k};
  kw.string(base + ".Key");
  k += R"(},"payload":)";
  std::string row = R"({"type":"struct","fields":[)";
  bool first = true;
  for (auto i : table.value_columns) {
    if (!first)
      row += ',';
    first = false;
    field(row, map.columns[i], options_.values);
  }
  row += R"(],"optional":true,"name":)";
  json_writer rw{row};
  rw.string(base + ".Value");
  auto& v = table.value_schema;
  v = R"({"schema":{"type":"struct","fields":[)";
  v += row;
  v += R"(,"field":"before"},)";
  v += row;
  v += R"(,"field":"after"},)";
  v += source_schema;
  v += ',';
  v += transaction_block_schema;
  v += R"(,{"type":"string","optional":false,"field":"op"},)"
       R"({"type":"int64","optional":true,"field":"ts_ms"}],)"
       R"("optional":false,"name":)";
  json_writer vw{v};
  vw.string(base + ".Envelope");
  v += R"(,"version":2},"payload":)";
}

void record_encoder::write_source_head(
  std::string& out, uint64_t ts_ms, std::string_view names,
  const event_header& header, const std::string& gtid, const std::string& file,
  uint64_t event_offset, std::string_view snapshot) const {
  json_writer h{out};
  h.raw("{\"version\":");
  h.string(source_version);
  h.raw(",\"connector\":\"mysql\",\"name\":");
  h.string(options_.name);
  h.raw(",\"ts_ms\":");
  h.integer(ts_ms);
  if (snapshot.empty()) {
    h.raw(",\"snapshot\":\"false\",");
  } else {
    h.raw(",\"snapshot\":");
    h.string(snapshot);
    h.raw(',');
  }
  h.raw(names);
  h.raw(",\"server_id\":");
  h.integer(header.server_id);
  h.raw(",\"gtid\":");
  if (gtid.empty())
    h.null();
  else
    h.string(gtid);
  h.raw(',');
  write_source_position(out, file, event_offset);
  h.raw(",\"row\":");
}

void write_source_position(std::string& out, std::string_view file,
                           uint64_t pos) {
  json_writer w{out};
  w.raw("\"file\":");
  w.string(file);
  w.raw(",\"pos\":");
  w.integer(pos);
}

void record_encoder::write_source_tail(std::string& out, int64_t thread) const {
  json_writer t{out};
  t.raw(",\"thread\":");
  if (thread < 0)
    t.null();
  else
    t.integer(thread);
  t.raw(",\"query\":null}");
}

void record_encoder::begin_event(const event_header& header,
                                 const std::string& file, uint64_t event_offset,
                                 const std::string& gtid,
                                 const std::string& transaction_id,
                                 int64_t thread, const table_info& table,
                                 row_op op) {
  // ts_ms is the event's commit time, not the time we read it, so that the
  // same binlog always gives the same records.
  uint64_t ts_ms = uint64_t{header.timestamp} * 1000;
  event_op_ = op == row_op::insert ? 'c' : op == row_op::update ? 'u' : 'd';
  source_head_.clear();
  json_writer h{source_head_};
  const char op_field[] = {',', '"', 'o', 'p', '"', ':', '"', event_op_, '"'};
  h.raw({op_field, sizeof(op_field)});
  h.raw(",\"ts_ms\":");
  h.integer(ts_ms);
  h.raw(",\"source\":");
  write_source_head(source_head_, ts_ms, table.source_names, header, gtid, file,
                    event_offset);
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
      write_value(w, columns[i], slot.data, slot.size, options_.values);
  }
  w.raw('}');
}

// Both are on every row's path: inlined there.
template <bool Header>
[[gnu::always_inline]] inline void
record_encoder::write_key(std::string& out, const table_info& table,
                          const std::vector<value_slot>* before,
                          const std::vector<value_slot>* after) const {
  // Key columns stay in the key even when exclude-columns drops them from
  // the value, as in Debezium.
  auto& columns = table.map.columns;
  json_writer k{out};
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
    else if constexpr (Header)
      write_header_value(k, columns[index], slot->data, slot->size,
                         options_.values);
    else
      write_value(k, columns[index], slot->data, slot->size, options_.values);
  }
  k.raw('}');
}

[[gnu::always_inline]] inline void
record_encoder::write_change(const table_info& table, char op,
                             uint32_t row_in_event, uint64_t total_order,
                             uint64_t collection_order,
                             const std::vector<value_slot>* before,
                             const std::vector<value_slot>* after) {
  value_.clear();
  if (options_.schemas)
    value_ += table.value_schema;
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
  if (op == event_op_) {
    w.raw(source_head_);
  } else {
    // A key change's delete or create in an update event: its own op.
    const char op_field[] = {',', '"', 'o', 'p', '"', ':', '"', op, '"'};
    w.raw({op_field, sizeof(op_field)});
    w.raw(std::string_view{source_head_}.substr(sizeof(op_field)));
  }
  w.integer(row_in_event);
  w.raw(source_tail_);
  w.integer(total_order);
  w.raw(",\"data_collection_order\":");
  w.integer(collection_order);
  w.raw("}}");
  if (options_.schemas)
    w.raw('}');
}

void record_encoder::encode(const table_info& table, uint32_t row_in_event,
                            uint64_t total_order, uint64_t collection_order,
                            const std::vector<value_slot>* before,
                            const std::vector<value_slot>* after) {
  header_count_ = 0;
  key_.clear();
  if (!table.map.primary_key.empty()) {
    if (options_.schemas)
      key_ += table.key_schema;
    write_key(key_, table, before, after);
    if (options_.schemas)
      key_ += '}';
  }
  write_change(table, event_op_, row_in_event, total_order, collection_order,
               before, after);
  if (subjects_)
    to_avro(table.avro_key, table.avro_value);
}

void record_encoder::encode_read(const table_info& table,
                                 const std::vector<value_slot>& row,
                                 uint64_t ts_ms, uint32_t server_id,
                                 const std::string& file, uint64_t pos,
                                 std::string_view snapshot) {
  header_count_ = 0;
  key_.clear();
  if (!table.map.primary_key.empty()) {
    if (options_.schemas)
      key_ += table.key_schema;
    write_key(key_, table, nullptr, &row);
    if (options_.schemas)
      key_ += '}';
  }
  value_.clear();
  if (options_.schemas)
    value_ += table.value_schema;
  json_writer w{value_};
  w.raw("{\"before\":null,\"after\":");
  write_image(table, row);
  w.raw(",\"op\":\"r\",\"ts_ms\":");
  w.integer(ts_ms);
  w.raw(",\"source\":");
  event_header header;
  header.server_id = server_id;
  write_source_head(value_, ts_ms, table.source_names, header, {}, file, pos,
                    snapshot);
  w.integer(0);
  write_source_tail(value_, -1);
  w.raw(",\"transaction\":null}");
  if (options_.schemas)
    w.raw('}');
}

error record_encoder::avro_record(const table_info& table, std::string& key,
                                  std::string& value) {
  key_.swap(key);
  value_.swap(value);
  to_avro(table.avro_key, table.avro_value);
  key_.swap(key);
  value_.swap(value);
  return failure_;
}

bool record_encoder::key_changed(const table_info& table,
                                 const std::vector<value_slot>& before,
                                 const std::vector<value_slot>& after) {
  bool same_bytes = true;
  for (auto index : table.map.primary_key) {
    auto& b = before[index];
    auto& a = after[index];
    if (a.state == value_slot::absent)
      continue; // a MINIMAL after-image leaves an unchanged key out
    if (a.state != b.state
        || (a.state == value_slot::present
            && (a.size != b.size
                || std::memcmp(a.data, b.data, a.size) != 0))) {
      same_bytes = false;
      break;
    }
  }
  if (same_bytes)
    return false;
  // Other bytes may still make the same key (two zero dates, say): Debezium
  // compares the keys it made.
  key_payload_.clear();
  write_key(key_payload_, table, &before, nullptr);
  other_key_.clear();
  write_key(other_key_, table, &before, &after);
  return key_payload_ != other_key_;
}

void record_encoder::encode_key_change(
  key_change_part part, const table_info& table, uint32_t row_in_event,
  uint64_t total_order, uint64_t collection_order,
  const std::vector<value_slot>& before, const std::vector<value_slot>& after) {
  bool remove = part == key_change_part::remove;
  // The record's own key, and the other one for the header (always without
  // a schema: Kafka Connect writes headers with its SimpleHeaderConverter).
  key_payload_.clear();
  other_key_.clear();
  write_key(key_payload_, table, &before, remove ? nullptr : &after);
  write_key<true>(other_key_, table, &before, remove ? &after : nullptr);
  key_.clear();
  if (options_.schemas)
    key_ += table.key_schema;
  key_ += key_payload_;
  if (options_.schemas)
    key_ += '}';
  header_.name = remove ? newkey_header : oldkey_header;
  header_.value = other_key_;
  header_count_ = 1;
  if (remove)
    write_change(table, 'd', row_in_event, total_order, collection_order,
                 &before, nullptr);
  else
    write_change(table, 'c', row_in_event, total_order, collection_order,
                 nullptr, &after);
  if (subjects_)
    to_avro(table.avro_key, table.avro_value);
}

void record_encoder::encode_schema_change(
  const event_header& header, const std::string& file, uint64_t event_offset,
  const std::string& gtid, int64_t thread, std::string_view database,
  std::string_view statement) {
  uint64_t ts_ms = uint64_t{header.timestamp} * 1000;
  header_count_ = 0;
  key_.clear();
  if (options_.schemas)
    key_ += schema_change_key_schema;
  json_writer k{key_};
  k.raw("{\"databaseName\":");
  k.string(database);
  k.raw('}');
  if (options_.schemas)
    k.raw('}');
  // The source block names the database; a statement has no one table.
  std::string names;
  json_writer n{names};
  n.raw("\"db\":");
  n.string(database);
  n.raw(",\"sequence\":null,\"table\":null");
  value_.clear();
  if (options_.schemas)
    value_ += schema_change_value_schema();
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
  if (options_.schemas)
    w.raw('}');
  if (subjects_)
    to_avro(avro_schema_change_[0], avro_schema_change_[1]);
}

void record_encoder::start_transaction_record(
  const std::string& transaction_id) {
  header_count_ = 0;
  key_.clear();
  if (options_.schemas)
    key_ += transaction_key_schema;
  json_writer k{key_};
  k.raw("{\"id\":");
  k.string(transaction_id);
  k.raw('}');
  if (options_.schemas)
    k.raw('}');
  value_.clear();
  if (options_.schemas)
    value_ += transaction_value_schema;
}

void record_encoder::encode_transaction_begin(const std::string& transaction_id,
                                              uint64_t ts_ms) {
  start_transaction_record(transaction_id);
  json_writer w{value_};
  w.raw("{\"status\":\"BEGIN\",\"id\":");
  w.string(transaction_id);
  w.raw(",\"event_count\":null,\"data_collections\":null,\"ts_ms\":");
  w.integer(ts_ms);
  w.raw('}');
  if (options_.schemas)
    w.raw('}');
  if (subjects_)
    to_avro(avro_transaction_[0], avro_transaction_[1]);
}

void record_encoder::encode_transaction_end(const std::string& transaction_id,
                                            uint64_t ts_ms, uint64_t events,
                                            const collection_count* collections,
                                            size_t collection_count) {
  start_transaction_record(transaction_id);
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
  if (options_.schemas)
    w.raw('}');
  if (subjects_)
    to_avro(avro_transaction_[0], avro_transaction_[1]);
}

size_t snapshot_mark_offset(std::string_view value, record_format format) {
  constexpr auto none = std::string_view::npos;
  if (format == record_format::json) {
    // The source block follows before and after, and nothing after it has
    // a "snapshot" field: the last one is the source's (a column's string
    // holding the text would have its quotes escaped).
    constexpr std::string_view field = "\"snapshot\":\"";
    auto at = value.rfind(field);
    if (at == none || value.substr(at + field.size(), 5) != "true\"")
      return none;
    return at + field.size();
  }
  // Avro: the source block is connector "mysql", name, ts_ms, then snapshot
  // as the string branch (0) of its union: 0x00, length 4 (0x08), "true".
  // It follows before and after: the last run of that shape is the
  // source's, whatever its snapshot says.
  constexpr std::string_view connector = "\x0amysql";
  auto varint = [&](size_t& at, uint64_t& out) {
    out = 0;
    for (int shift = 0; at < value.size() && shift < 64; shift += 7) {
      auto byte = static_cast<uint8_t>(value[at++]);
      out |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0)
        return true;
    }
    return false;
  };
  for (auto from = value.size(); from > 0;) {
    auto at = value.rfind(connector, from - 1);
    if (at == none)
      return none;
    from = at;
    size_t next = at + connector.size();
    uint64_t length = 0;
    uint64_t ts_ms = 0;
    if (!varint(next, length) || (length & 1) != 0
        || length / 2 > value.size() - next)
      continue;
    next += length / 2;
    if (!varint(next, ts_ms) || next >= value.size() || value[next] != '\0')
      continue;
    return value.substr(next, 6) == std::string_view{"\x00\x08true", 6}
             ? next + 2
             : none;
  }
  return none;
}

bool snapshot_mark_first(std::string_view value, record_format format,
                         std::string& out) {
  auto at = snapshot_mark_offset(value, format);
  if (at == std::string_view::npos || value.substr(at, 4) != "true")
    return false;
  out.append(value.substr(0, at));
  if (format == record_format::avro)
    out.back() = '\x0a'; // the string's length, 5 (zig-zag)
  out.append("first");
  out.append(value.substr(at + 4));
  return true;
}

} // namespace binlog
