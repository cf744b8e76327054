#include "actors/snapshot.hpp"

#include <chrono>

#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "binlog/hex.hpp"
#include "messages/error.hpp"

namespace b2k {

namespace {

uint64_t now_ms() {
  return static_cast<uint64_t>(
    std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch())
      .count());
}

// Appends the encoder's record to `batch` as the reader does with streamed
// ones.
void append(record_batch& batch, std::string_view topic, std::string_view key,
            std::string_view value, std::string_view partition_key) {
  record_ref ref;
  ref.topic = batch.topic_index(topic);
  auto& data = batch.data;
  ref.key_offset = static_cast<uint32_t>(data.size());
  ref.key_size = static_cast<uint32_t>(key.size());
  data.append(key);
  ref.value_offset = static_cast<uint32_t>(data.size());
  ref.value_size = static_cast<uint32_t>(value.size());
  data.append(value);
  ref.partition_key_offset = static_cast<uint32_t>(data.size());
  ref.partition_key_size = static_cast<uint32_t>(partition_key.size());
  data.append(partition_key);
  batch.records.push_back(ref);
}

} // namespace

caf::error snapshot_state::plan() {
  auto& s = *config.settings;
  auto enc = binlog::record_encoder::make(s.records);
  if (!enc)
    return make_error(enc.error());
  encoder = std::make_unique<binlog::record_encoder>(std::move(*enc));
  if (auto err = sql.connect(s.source.connection))
    return make_error(err);
  std::vector<std::pair<std::string, std::string>> all;
  if (auto err = sql.list_tables(all))
    return make_error(err);
  uint32_t i = 0;
  for (auto& [db, table] : all) {
    binlog::table_info stub;
    stub.map.db = db;
    stub.map.table = table;
    if (encoder->prepare(stub, false) || stub.skipped)
      continue;
    auto name = db + "." + table;
    if (config.progress.finished.count(name) > 0)
      continue;
    // On demand: the tables asked for; else those no snapshot read yet.
    if (config.progress.tables.empty()
          ? config.progress.earlier.count(name) > 0
          : !table_matches(config.progress.tables, name))
      continue;
    if (i++ % config.lanes == config.lane)
      tables.push_back(name);
  }
  first_record = config.lane == 0 && !config.progress.incremental
                 && config.progress.after.empty()
                 && config.progress.finished.empty();
  return caf::none;
}

bool snapshot_state::open_next_table() {
  while (!tables.empty()) {
    auto name = tables.front();
    tables.erase(tables.begin());
    auto dot = name.find('.');
    auto err = sql.describe(name.substr(0, dot), name.substr(dot + 1), current);
    if (err.code == binlog::errc::unknown_table) {
      spdlog::warn("snapshot: {} is gone (dropped or renamed): skipped", name);
      continue;
    }
    if (err.code == binlog::errc::access_denied
        || err.code == binlog::errc::unsupported) {
      spdlog::warn(
        "snapshot: {} is not snapshotted (its changes are "
        "streamed): {}",
        name, err.message);
      continue;
    }
    if (err) {
      self->quit(make_error(err));
      return false;
    }
    info = binlog::table_info{};
    info.map = current.map;
    if (auto e = encoder->prepare(info)) {
      self->quit(make_error(e));
      return false;
    }
    after.clear();
    if (auto it = config.progress.after.find(name);
        it != config.progress.after.end())
      for (auto& hex : it->second) {
        std::string text;
        binlog::from_hex(hex, text);
        after.push_back(std::move(text));
      }
    if (current.map.primary_key.empty()) {
      spdlog::warn(
        "snapshot: {} has no primary key and no unique key of NOT "
        "NULL columns: its rows are not snapshotted (its changes "
        "are streamed)",
        name);
      continue;
    }
    spdlog::info("snapshot: reading {} (about {} rows){}", name,
                 current.estimated_rows,
                 after.empty() ? "" : ", going on after its last chunk");
    have_current = true;
    return true;
  }
  return false;
}

void snapshot_state::next_chunk() {
  if (!have_current && !open_next_table()) {
    if (self->getf(caf::abstract_actor::is_terminated_flag))
      return;
    // Nothing (more) for this lane: say so, and stop.
    snapshot_chunk last;
    last.lane_done = true;
    last.lane_last = !announced_last;
    self->request(reader, caf::infinite, atom::watermark_v, std::string{})
      .await(
        [this, last](uint64_t id) mutable {
          last.id = id;
          self->request(reader, caf::infinite, std::move(last))
            .await([this](uint64_t) { self->quit(); },
                   [this](caf::error& err) { self->quit(err); });
        },
        [this](caf::error& err) { self->quit(err); });
    return;
  }
  auto name = current.qualified_name();
  self->request(reader, caf::infinite, atom::watermark_v, name)
    .await(
      [this, name](uint64_t id) {
        snapshot_chunk chunk;
        chunk.id = id;
        chunk.table = name;
        chunk.rows_estimated = current.estimated_rows;
        auto limit = config.settings->snapshot.chunk_rows;
        uint64_t rows = 0;
        std::vector<std::string> last;
        auto ts = now_ms();
        // The rows are encoded once the high watermark is known: it is
        // their source position. Until then they are kept as images.
        binlog::position high;
        std::vector<std::pair<std::string, std::string>> encoded;
        auto on_row = [&](const std::vector<binlog::value_slot>& row,
                          std::vector<std::string>& key) {
          encoder->encode_read(info, row, ts, config.server_id, {}, 0,
                               config.progress.incremental ? "incremental"
                               : first_record              ? "first"
                                                           : "true");
          first_record = false;
          encoded.emplace_back(std::string{encoder->key()},
                               std::string{encoder->value()});
          last = key;
        };
        if (auto err = sql.read_chunk(current, after, limit, on_row, rows)) {
          if (err.code == binlog::errc::unknown_table
              || err.code == binlog::errc::access_denied) {
            spdlog::warn(
              "snapshot: {} is not snapshotted (its changes are "
              "streamed): {}",
              name, err.message);
            have_current = false;
            chunk.table_done = true;
          } else {
            self->quit(make_error(err));
            return;
          }
        }
        if (auto err = sql.end_position(high)) {
          self->quit(make_error(err));
          return;
        }
        chunk.high = high;
        // The source position goes in after the fact: patch "file"/"pos".
        const std::string_view unknown = "\"file\":\"\",\"pos\":0,";
        auto known = "\"file\":\"" + high.file
                     + "\",\"pos\":" + std::to_string(high.pos) + ",";
        for (auto& [key, value] : encoded) {
          auto at = value.find(unknown);
          if (at != std::string::npos)
            value.replace(at, unknown.size(), known);
          if (encoder->options().format == binlog::record_format::avro)
            if (auto e = encoder->avro_record(info, key, value)) {
              self->quit(make_error(e));
              return;
            }
          append(chunk.records, info.topic, key, value, {});
        }
        if (rows < limit) {
          chunk.table_done = true;
          have_current = false;
          chunk.lane_last = tables.empty();
          announced_last = announced_last || chunk.lane_last;
        } else {
          for (auto& k : last)
            chunk.after.push_back(binlog::to_hex(k));
          after = std::move(last);
        }
        self->request(reader, caf::infinite, std::move(chunk))
          .await([this](uint64_t) { self->send(self, atom::read_v); },
                 [this](caf::error& err) { self->quit(err); });
      },
      [this](caf::error& err) { self->quit(err); });
}

snapshot_actor::behavior_type
snapshot(snapshot_actor::stateful_pointer<snapshot_state> self,
         snapshot_lane_config config, reader_actor reader) {
  auto& st = self->state;
  st.self = self;
  st.config = std::move(config);
  st.reader = std::move(reader);
  if (auto err = st.plan()) {
    self->quit(err);
    return snapshot_actor::behavior_type::make_empty_behavior();
  }
  self->send(self, atom::read_v);
  return {
    [self](atom::read) { self->state.next_chunk(); },
  };
}

} // namespace b2k
