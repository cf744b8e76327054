#include "actors/snapshot.hpp"

#include <algorithm>
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

// Appends a record whose value is `head` + `mid` + `tail` to `batch` as the
// reader does with streamed ones.
void append(record_batch& batch, std::string_view topic, std::string_view key,
            std::string_view head, std::string_view mid, std::string_view tail,
            std::string_view partition_key) {
  record_ref ref;
  ref.topic = batch.topic_index(topic);
  auto& data = batch.data;
  ref.key_offset = static_cast<uint32_t>(data.size());
  ref.key_size = static_cast<uint32_t>(key.size());
  data.append(key);
  ref.value_offset = static_cast<uint32_t>(data.size());
  ref.value_size = static_cast<uint32_t>(head.size() + mid.size()
                                         + tail.size());
  data.append(head);
  data.append(mid);
  data.append(tail);
  ref.partition_key_offset = static_cast<uint32_t>(data.size());
  ref.partition_key_size = static_cast<uint32_t>(partition_key.size());
  data.append(partition_key);
  batch.records.push_back(ref);
}

// The rows are encoded before their source position is known (the high
// watermark): it goes in after the fact, and with format = avro the records
// become Avro only then.
binlog::error
append_at(binlog::record_encoder& encoder, const binlog::table_info& info,
          record_batch& batch, const binlog::chunk_records& encoded,
          const binlog::position& high, std::string_view partition_key) {
  binlog::error failed;
  auto avro = encoder.options().format == binlog::record_format::avro;
  std::string key;
  std::string value;
  encoded.place(high, [&](std::string_view k, std::string_view head,
                          std::string_view mid, std::string_view tail) {
    if (failed)
      return;
    if (!avro) {
      append(batch, info.topic, k, head, mid, tail, partition_key);
      return;
    }
    key.assign(k);
    value.assign(head).append(mid).append(tail);
    if (auto e = encoder.avro_record(info, key, value)) {
      failed = std::move(e);
      return;
    }
    append(batch, info.topic, key, value, {}, {}, partition_key);
  });
  return failed;
}

// A table's first chunk: enough rows to learn their size, few enough that
// rows of megabytes do not make it huge.
constexpr uint64_t first_chunk_rows = 256;

// The smallest chunk budget, whatever max-inflight-bytes says.
constexpr uint64_t min_chunk_bytes = 1 << 20;

} // namespace

void snapshot_state::size_next(uint64_t rows, uint64_t bytes) {
  auto most = config.settings->snapshot.chunk_rows;
  if (rows == 0 || bytes == 0) {
    chunk_rows = most;
    return;
  }
  auto fit = static_cast<uint64_t>(static_cast<double>(chunk_bytes)
                                   * static_cast<double>(rows)
                                   / static_cast<double>(bytes));
  chunk_rows = std::clamp<uint64_t>(fit, 1, most);
}

bool snapshot_state::add_read(const std::vector<binlog::value_slot>& row,
                              uint64_t ts) {
  encoder->encode_read(info, row, ts, config.server_id, {}, 0,
                       snapshot_marker());
  encoded.add(encoder->key(), encoder->value());
  return !chunk_full();
}

bool snapshot_state::chunk_full() const {
  return encoded.bytes() >= chunk_bytes;
}

const char* snapshot_state::snapshot_marker() {
  // "first" and "last" are the reader's to mark: it knows which records
  // of all lanes go out first and last.
  return config.progress.incremental ? "incremental" : "true";
}

caf::error snapshot_state::plan() {
  auto& s = *config.settings;
  chunk_bytes = std::max<uint64_t>(
    min_chunk_bytes,
    s.batches.max_inflight_bytes / (2 * std::max<uint64_t>(1, config.lanes)));
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
    if (!config.progress.wants(name))
      continue;
    if (auto r = config.progress.ranges.find(name);
        r != config.progress.ranges.end()) {
      for (size_t j = 0; j < r->second.size(); ++j)
        if (!r->second[j].done && i++ % config.lanes == config.lane)
          tables.push_back({name, static_cast<int32_t>(j)});
      continue;
    }
    if (i++ % config.lanes == config.lane)
      tables.push_back({name, -1});
  }
  return caf::none;
}

bool snapshot_state::open_next_table() {
  while (!tables.empty()) {
    auto name = tables.front().table;
    range = tables.front().range;
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
    auto from_hex = [](const std::vector<std::string>& hexes) {
      std::vector<std::string> out;
      for (auto& hex : hexes) {
        std::string text;
        binlog::from_hex(hex, text);
        out.push_back(std::move(text));
      }
      return out;
    };
    after.clear();
    to.clear();
    if (range >= 0) {
      auto& r = config.progress.ranges[name][static_cast<size_t>(range)];
      after = from_hex(r.after);
      to = from_hex(r.to);
    } else if (auto it = config.progress.after.find(name);
               it != config.progress.after.end()) {
      after = from_hex(it->second);
    }
    // Without a key, or with one that cannot be read in chunks: one
    // consistent read, if the reader planned one (it said why not).
    keyless = current.map.primary_key.empty()
              || !binlog::chunk_key_problem(current).empty();
    whole_begun = false;
    chunk_rows = std::min(first_chunk_rows,
                          config.settings->snapshot.chunk_rows);
    if (keyless && config.keyless.count(name) == 0)
      continue;
    if (keyless) {
      spdlog::info(
        "snapshot: reading {} (about {} rows) in one consistent read{}", name,
        current.estimated_rows,
        config.progress.after.count(name) > 0
          ? "; read again from its start (it was begun before the restart, "
            "and a consistent read cannot go on: its rows sent before are "
            "sent again)"
          : "");
      have_current = true;
      return true;
    }
    if (range >= 0)
      spdlog::info("snapshot: reading {} (about {} rows), key range {} of {}",
                   name, current.estimated_rows, range + 1,
                   config.progress.ranges[name].size());
    else
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
  if (keyless) {
    next_piece();
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
        chunk.range = range;
        auto limit = chunk_rows;
        uint64_t rows = 0;
        std::vector<std::string> last;
        auto ts = now_ms();
        // The rows are encoded as they are read; their source position is
        // the high watermark, known only once the chunk is read.
        binlog::position high;
        encoded.clear();
        auto on_row = [&](const std::vector<binlog::value_slot>& row,
                          std::vector<std::string>& key) {
          last = key;
          return add_read(row, ts);
        };
        if (auto err = sql.read_chunk(current, after, to, limit, on_row,
                                      rows)) {
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
        if (auto e = append_at(*encoder, info, chunk.records, encoded, high,
                               {})) {
          self->quit(make_error(e));
          return;
        }
        size_next(rows, encoded.bytes());
        if (rows < limit && !chunk_full()) {
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

void snapshot_state::next_piece() {
  auto name = current.qualified_name();
  auto on_id = [this, name](uint64_t id) {
    snapshot_chunk chunk;
    chunk.id = id;
    chunk.table = name;
    chunk.keyless = true;
    chunk.rows_estimated = current.estimated_rows;
    auto finish = [&](const binlog::error& err) {
      spdlog::warn(
        "snapshot: {} is not snapshotted (its changes from here on are "
        "streamed): {}",
        name, err.message);
      have_current = false;
      chunk.table_done = true;
    };
    bool go = true;
    if (!whole_begun) {
      if (auto err = sql.begin_whole(current, whole_at)) {
        if (err.code != binlog::errc::unknown_table
            && err.code != binlog::errc::access_denied
            && err.code != binlog::errc::unsupported) {
          self->quit(make_error(err));
          return;
        }
        finish(err);
        go = false;
      } else {
        whole_begun = true;
      }
    }
    if (go) {
      auto limit = chunk_rows;
      uint64_t rows = 0;
      auto ts = now_ms();
      encoded.clear();
      auto on_row = [&](const std::vector<binlog::value_slot>& row,
                        std::vector<std::string>&) {
        return add_read(row, ts);
      };
      if (auto err = sql.read_more(current, limit, on_row, rows)) {
        if (err.code != binlog::errc::unknown_table
            && err.code != binlog::errc::access_denied) {
          self->quit(make_error(err));
          return;
        }
        finish(err);
      } else if (rows < limit && !chunk_full()) {
        chunk.table_done = true;
        have_current = false;
      }
      size_next(rows, encoded.bytes());
      chunk.high = whole_at;
      // Without a key: kept in the table's partition, as the stream's
      // records of it.
      if (auto e = append_at(*encoder, info, chunk.records, encoded, whole_at,
                             current.map.primary_key.empty() ? name
                                                             : std::string{})) {
        self->quit(make_error(e));
        return;
      }
    }
    if (chunk.table_done) {
      chunk.lane_last = tables.empty();
      announced_last = announced_last || chunk.lane_last;
    }
    self->request(reader, caf::infinite, std::move(chunk))
      .await([this](uint64_t) { self->send(self, atom::read_v); },
             [this](caf::error& err) { self->quit(err); });
  };
  auto on_err = [this](caf::error& err) { self->quit(err); };
  // The first piece holds the stream until it names the read's position;
  // the others only need a number.
  if (!whole_begun)
    self->request(reader, caf::infinite, atom::watermark_v, name, true)
      .await(on_id, on_err);
  else
    self->request(reader, caf::infinite, atom::watermark_v, std::string{})
      .await(on_id, on_err);
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
