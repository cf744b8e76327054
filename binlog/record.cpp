#include "binlog/record.hpp"

#include "binlog/column_value.hpp"
#include "binlog/json_writer.hpp"

namespace binlog {

namespace {

bool is_system_schema(const std::string& db) {
  return db == "mysql" || db == "sys" || db == "information_schema"
         || db == "performance_schema";
}

void replace_all(std::string& text, std::string_view from,
                 std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

} // namespace

record_encoder::record_encoder(record_options options)
  : options_(std::move(options)) {
  if (options_.topic_prefix.empty())
    options_.topic_prefix = options_.name;
}

void record_encoder::prepare(table_info& info) const {
  auto& map = info.map;
  info.topic = options_.topic_template;
  replace_all(info.topic, "{prefix}", options_.topic_prefix);
  replace_all(info.topic, "{db}", map.db);
  replace_all(info.topic, "{table}", map.table);
  info.name_keys.resize(map.columns.size());
  for (size_t i = 0; i < map.columns.size(); ++i) {
    auto& key = info.name_keys[i];
    key.clear();
    json_writer w{key};
    w.key(map.columns[i].name);
  }
  info.source_names.clear();
  json_writer w{info.source_names};
  w.key("db");
  w.string(map.db);
  w.raw(",");
  w.key("table");
  w.string(map.table);
  info.qualified_name = map.db + "." + map.table;
  info.skipped = options_.skip_system_schemas && is_system_schema(map.db);
}

void record_encoder::begin_event(const event_header& header,
                                 const std::string& file,
                                 uint64_t event_offset,
                                 const std::string& gtid,
                                 const table_info& table, row_op op) {
  switch (op) {
    case row_op::insert:
      op_ = "\"c\"";
      break;
    case row_op::update:
      op_ = "\"u\"";
      break;
    default:
      op_ = "\"d\"";
  }
  // ts_ms is the event's commit time, not the time we read it, so that the
  // same binlog always gives the same records.
  uint64_t ts_ms = uint64_t{header.timestamp} * 1000;
  source_head_.clear();
  json_writer h{source_head_};
  h.raw(",\"ts_ms\":");
  h.integer(ts_ms);
  h.raw(",\"source\":{\"name\":");
  h.string(options_.name);
  h.raw(",\"server_id\":");
  h.integer(header.server_id);
  h.raw(",\"file\":");
  h.string(file);
  h.raw(",\"pos\":");
  h.integer(event_offset);
  h.raw(",\"row\":");
  source_tail_.clear();
  json_writer t{source_tail_};
  t.raw(",\"gtid\":");
  if (gtid.empty())
    t.null();
  else
    t.string(gtid);
  t.raw(',');
  t.raw(table.source_names);
  t.raw(",\"ts_ms\":");
  t.integer(ts_ms);
  t.raw("},\"transaction\":null}");
}

void record_encoder::write_image(const table_info& table,
                                 const std::vector<value_slot>& image) {
  json_writer w{value_};
  w.raw('{');
  bool first = true;
  auto& columns = table.map.columns;
  for (size_t i = 0; i < columns.size(); ++i) {
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
                            const std::vector<value_slot>* before,
                            const std::vector<value_slot>* after) {
  auto& columns = table.map.columns;
  key_.clear();
  if (!table.map.primary_key.empty()) {
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
  w.raw(",\"op\":");
  w.raw(op_);
  w.raw(source_head_);
  w.integer(row_in_event);
  w.raw(source_tail_);
}

} // namespace binlog
