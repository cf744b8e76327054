#include "actors/reader.hpp"

#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/snapshot.hpp"
#include "binlog/event.hpp"
#include "binlog/hex.hpp"
#include "binlog/record.hpp"
#include "binlog/snapshot_marks.hpp"
#include "binlog/snapshot_reader.hpp"
#include "config/defaults.hpp"
#include "messages/error.hpp"

namespace b2k {

namespace {

// How long one read message may keep the mailbox waiting.
constexpr auto time_slice = std::chrono::milliseconds(50);

// How long a standby's GET_LOCK waits before it lets the mailbox in.
constexpr auto standby_try = std::chrono::seconds(2);

// The confirmed lock is ours this much less than the server's idle timeout:
// room for the ping's way to the server and for clocks of other nodes.
constexpr auto lease_margin = std::chrono::seconds(1);

// A change read up to this long before a chunk's low watermark still wins
// over the chunk: a transaction is in the binlog a moment before a reader
// on another connection sees it.
constexpr auto visibility_grace = std::chrono::seconds(2);

// How often an idle stream is polled while a snapshot runs.
constexpr auto snapshot_poll = std::chrono::milliseconds(2);

std::chrono::seconds whole_seconds(caf::timespan x) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(x);
  return s.count() < 2 ? std::chrono::seconds(2) : s;
}

} // namespace

reader_state::reader_state() = default;

caf::error reader_state::connect() {
  if (!source)
    source = config.open_source(*source_cfg);
  return make_error(source->connect(true));
}

void reader_state::send_lease(std::chrono::system_clock::time_point confirmed) {
  if (config.lock_taken)
    config.lock_taken->store(true);
  lease_until = confirmed + whole_seconds(source_cfg->lock_timeout)
                - lease_margin;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
              lease_until.time_since_epoch())
              .count();
  self->send(watcher, atom::lease_v, static_cast<int64_t>(ms));
}

bool reader_state::lease_valid() const {
  return std::chrono::system_clock::now() < lease_until;
}

void reader_state::take_lock() {
  auto idle = whole_seconds(source_cfg->lock_timeout);
  auto asked = std::chrono::system_clock::now();
  auto& name = config.settings->name;
  // A standby waits until its pipeline held the lock once; a restarted
  // reader after that which finds the lock taken was replaced while it was
  // away.
  bool held_before = config.lock_taken ? config.lock_taken->load()
                                       : config.epoch > 1;
  if (!source_cfg->standby || held_before) {
    // A restarted reader may find the lock still held by its predecessor's
    // connection if the network dropped it: the server frees it after the
    // idle timeout, so wait a little longer than that.
    if (auto err = source->acquire_lock(name, idle + std::chrono::seconds(5),
                                        idle)) {
      self->quit(make_error(err));
      return;
    }
    send_lease(asked);
    on_locked();
    return;
  }
  if (!source->lock_held() && !standby_reported) {
    if (auto err = source->connect_lock(name, idle)) {
      self->quit(make_error(err));
      return;
    }
  }
  bool got = false;
  std::string holder;
  if (auto err = source->try_lock(standby_try, got, holder)) {
    self->quit(make_error(err));
    return;
  }
  if (!got) {
    if (!standby_reported) {
      spdlog::info(
        "standby: another binlog2kafka named '{}' holds the "
        "source lock (server connection {}); taking over when it "
        "goes",
        name, holder);
      if (config.status)
        self->send(config.status, atom::state_v, pipeline_state::standby,
                   std::string{"waiting for the source lock (held by server "
                               "connection "}
                     + holder + ")");
      standby_reported = true;
    }
    self->send(self, atom::lock_v);
    return;
  }
  send_lease(asked);
  // A restarted reader on this path was a standby too (its waiting
  // connection broke): it takes over as well.
  if (standby_reported || config.epoch > 1) {
    spdlog::info("standby: took the source lock; taking over");
    // The replication connection idled while we waited.
    if (auto err = connect()) {
      self->quit(err);
      return;
    }
    if (config.status)
      self->send(config.status, atom::state_v, pipeline_state::running,
                 std::string{});
  }
  on_locked();
}

void reader_state::on_locked() {
  self->delayed_send(self, whole_seconds(source_cfg->lock_timeout) / 4,
                     atom::keepalive_v);
  auto begin = [this](binlog::position from) {
    if (auto err = start(std::move(from))) {
      self->quit(err);
      return;
    }
    reading = true;
    self->send(self, atom::read_v);
  };
  if (!config.start.empty()) {
    begin(config.start);
    return;
  }
  // Only now, with the lock held, may the commit log be read: a
  // predecessor may have written it until a moment ago.
  self->request(watcher, caf::infinite, atom::resume_v)
    .await([begin](binlog::position& from) { begin(std::move(from)); },
           [this](caf::error& err) { self->quit(err); });
}

caf::error reader_state::start(binlog::position from) {
  bool fresh = from.file.empty();
  auto mode = config.settings->snapshot.mode;
  if (fresh && mode != snapshot_mode::never) {
    // The snapshot reads what exists: the stream starts at the end.
    if (auto err = source->current_end(from))
      return make_error(err);
  } else if (from.file.empty()) {
    if (source_cfg->initial == initial_position::start) {
      from = binlog::position{};
      if (auto err = source->first_file(from.file))
        return make_error(err);
    } else if (auto err = source->current_end(from)) {
      return make_error(err);
    }
  }
  auto& server = source->settings();
  auto& conn = source_cfg->connection;
  server_id = server.server_id;
  // A position names a file of the server it came from. On another server
  // (a failover to a replica) only its GTID state means the same.
  bool by_gtid = source_cfg->resume_by == resume_mode::gtid;
  if (source_cfg->resume_by == resume_mode::automatic && from.server_id != 0
      && from.server_id != server_id) {
    if (from.gtid.empty())
      return caf::make_error(
        ec::source_config,
        "the resume position " + binlog::to_string(from)
          + " is of server id " + std::to_string(from.server_id)
          + ", but " + conn.host + ":" + std::to_string(conn.port)
          + " is server id "
          + std::to_string(server_id)
          + ", and the position holds no GTID to find the same place there; "
            "set from=FILE:POS for this server");
    spdlog::warn(
      "reader: the server id changed from {} to {} (a failover?): "
      "resuming by GTID {}",
      from.server_id, server_id, from.gtid);
    by_gtid = true;
  }
  if (by_gtid && from.gtid.empty())
    return caf::make_error(ec::config,
                           "binlog2kafka.resume-by: gtid, but the position "
                             + binlog::to_string(from) + " holds no GTID");
  if (!by_gtid && !from.file.empty()) {
    // Tell a purged position from other failures, in one line that names
    // it: the server's own error does not say which position it was.
    std::string oldest;
    if (!source->first_file(oldest)
        && binlog::binlog_file_before(from.file, oldest)
        && mode == snapshot_mode::when_needed) {
      spdlog::warn(
        "reader: the resume position {} was purged from the "
        "server (its oldest binlog is now {}): snapshot = "
        "when-needed, so every table is read again",
        binlog::to_string(from), oldest);
      if (auto err = source->current_end(from))
        return make_error(err);
      from.snapshot.clear();
      fresh = true;
    } else if (!oldest.empty() && binlog::binlog_file_before(from.file, oldest))
      return caf::make_error(
        ec::position_purged,
        "the resume position " + binlog::to_string(from)
          + " was purged from the server (its oldest binlog is now " + oldest
          + "): the changes in between are gone; start again with from= "
            "or an empty commit log, and keep binlogs longer than "
            "binlog2kafka may be stopped (expire_logs_days)");
  }
  spdlog::info("reader: connected to {} ({}), reading from {}",
               conn.host + ":" + std::to_string(conn.port), server.version,
               by_gtid ? "GTID " + from.gtid : binlog::to_string(from));
  auto encoder = binlog::record_encoder::make(config.settings->records);
  if (!encoder)
    return make_error(encoder.error());
  // Every position we hand on carries the GTID state (a later failover
  // resumes by it).
  stream = std::make_unique<binlog::stream>(*source, std::move(*encoder),
                                            *this);
  // Rows logged as statements or without column names stop us: the
  // server's settings may change after the checks of connect().
  stream->dec().check_capture(true);
  if (auto err = stream->start(from, by_gtid, true))
    return make_error(err);
  from.server_id = server_id;
  if (from.gtid.empty())
    from.gtid = stream->dec().gtid_state();
  stream_file = from.file;
  stream_end = from.pos;
  plan_snapshot(from, fresh);
  from.snapshot = progress_json;
  resume = from;
  // Released from the start: a crash before the first delivery resumes here,
  // not at a later "end" that would skip what was written in between.
  sent = from;
  auto seq = next_seq++;
  self->send(watcher, atom::enqueue_v, batch_ticket{seq, from, 0});
  self->send(watcher, atom::delivered_v, seq);
  if (snapshot_only && (!progress || progress->done)) {
    spdlog::info("snapshot: initial-only, and {}: nothing to do",
                 progress ? "the commit log says the snapshot is done"
                          : "the commit log holds a position without a "
                            "snapshot in progress");
    stopped = true;
    self->quit();
    return caf::none;
  }
  if (progress && !progress->done)
    if (auto err = start_lanes())
      return err;
  return caf::none;
}

void reader_state::plan_snapshot(const binlog::position& from, bool fresh) {
  auto mode = config.settings->snapshot.mode;
  snapshot_only = mode == snapshot_mode::initial_only;
  std::optional<snapshot_progress> p;
  if (!from.snapshot.empty()) {
    p = snapshot_progress::parse(from.snapshot);
    if (!p)
      spdlog::warn(
        "reader: the commit log's snapshot progress is not "
        "readable: no snapshot is resumed");
  }
  auto filters = filters_text();
  if (!p && fresh && mode != snapshot_mode::never) {
    p = snapshot_progress{};
    p->filters = filters;
  } else if (p && p->done && mode != snapshot_mode::never && !p->filters.empty()
             && p->filters != filters) {
    spdlog::info(
      "snapshot: the table filters changed since the last "
      "snapshot: reading the tables they now include that it did "
      "not read (source.snapshot \"incremental\")");
    p->done = false;
    p->incremental = true;
    p->after.clear();
    p->filters = filters;
    p->id.clear();
    p->tables.clear();
    p->rows.clear();
  }
  if (!p)
    return;
  progress = std::move(p);
  progress_json = progress->to_json();
  if (progress->done)
    return;
  // Counts go on where they stopped.
  for (auto& [table, counts] : progress->rows) {
    auto& tp = snapshot_tables[table];
    tp.rows = counts.first;
    tp.estimated = counts.second;
    tp.done = progress->finished.count(table) > 0;
    tp.rows_at_start = tp.rows;
    tp.started = clock::now();
  }
  if (progress->after.empty() && progress->finished.empty()
      && progress->ranges.empty())
    spdlog::info(
      "snapshot: reading every included table ({} lanes, {} rows "
      "per chunk) while the binlog streams from {}",
      config.settings->snapshot.parallelism,
      config.settings->snapshot.chunk_rows, binlog::to_string(from));
  else
    spdlog::info(
      "snapshot: going on where it stopped ({} tables done, {} "
      "begun)",
      progress->finished.size(), progress->after.size());
}

caf::error reader_state::plan_keyless(binlog::snapshot_reader& sql) {
  keyless_planned.clear();
  std::vector<std::pair<std::string, std::string>> tables;
  if (auto err = sql.list_keyless_tables(tables))
    return make_error(err);
  auto encoder = binlog::record_encoder::make(config.settings->records);
  if (!encoder)
    return make_error(encoder.error());
  std::vector<binlog::snapshot_table> candidates;
  std::string names;
  for (auto& [db, table] : tables) {
    binlog::table_info stub;
    stub.map.db = db;
    stub.map.table = table;
    auto name = db + "." + table;
    if (encoder->prepare(stub, false) || stub.skipped
        || progress->finished.count(name) > 0 || !progress->wants(name))
      continue;
    candidates.emplace_back();
    candidates.back().db = db;
    candidates.back().table = table;
    names += (names.empty() ? "" : ", ") + name;
  }
  if (candidates.empty())
    return caf::none;
  if (!sql.consistent_position_known()) {
    spdlog::warn(
      "snapshot: this server does not say which binlog position a "
      "consistent read matches (MySQL has no binlog_snapshot_file, and "
      "finding it would take a lock): tables without a primary key or "
      "unique NOT NULL key, or whose key cannot be read in chunks, are not "
      "snapshotted (their changes are streamed): {}",
      names);
    return caf::none;
  }
  for (auto& t : candidates) {
    auto name = t.qualified_name();
    auto db = t.db, table = t.table; // describe starts `t` anew
    auto err = sql.describe(db, table, t);
    if (!err)
      err = sql.probe(t);
    if (err.code == binlog::errc::unknown_table)
      continue;
    if (err.code == binlog::errc::access_denied
        || err.code == binlog::errc::unsupported) {
      spdlog::warn(
        "snapshot: {} is not snapshotted (its changes are streamed): {}", name,
        err.message);
      continue;
    }
    if (err)
      return make_error(err);
    if (t.map.primary_key.empty()) {
      keyless_planned.insert(name);
    } else if (auto problem = binlog::chunk_key_problem(t); !problem.empty()) {
      spdlog::warn(
        "snapshot: {} cannot be read in chunks ({}): it is read in one "
        "consistent read instead",
        name, problem);
      keyless_planned.insert(name);
    }
  }
  // An initial snapshot (or one of tables new to the filters) holds their
  // changes from the start: the topic is then the read's rows and the
  // changes after it. An on-demand one holds them only from the moment its
  // lane begins the read (a table's changes are not held back for the
  // whole snapshot, nor lost if it is cancelled before it gets there).
  if (progress->id.empty())
    keyless_pending.insert(keyless_planned.begin(), keyless_planned.end());
  return caf::none;
}

caf::error reader_state::plan_ranges(binlog::snapshot_reader& sql) {
  auto lanes = static_cast<uint64_t>(config.settings->snapshot.parallelism);
  auto chunk_rows = static_cast<uint64_t>(config.settings->snapshot.chunk_rows);
  // A range is worth a lane when it holds a few chunks.
  auto min_range = 4 * chunk_rows;
  if (lanes < 2)
    return caf::none;
  std::vector<std::pair<std::string, std::string>> tables;
  if (auto err = sql.list_tables(tables, 2 * min_range))
    return make_error(err);
  auto encoder = binlog::record_encoder::make(config.settings->records);
  if (!encoder)
    return make_error(encoder.error());
  for (auto& [db, table] : tables) {
    binlog::table_info stub;
    stub.map.db = db;
    stub.map.table = table;
    auto name = db + "." + table;
    if (encoder->prepare(stub, false) || stub.skipped
        || progress->finished.count(name) > 0 || progress->after.count(name) > 0
        || progress->ranges.count(name) > 0 || keyless_planned.count(name) > 0
        || !progress->wants(name))
      continue;
    binlog::snapshot_table t;
    // Whatever is wrong with it, the lane that reads it says.
    if (sql.describe(db, table, t) || t.map.primary_key.empty()
        || !binlog::chunk_key_problem(t).empty())
      continue;
    auto parts = static_cast<uint32_t>(
      std::min(lanes, t.estimated_rows / min_range));
    std::vector<std::vector<std::string>> bounds;
    if (parts < 2)
      continue;
    if (auto err = sql.split(t, parts, bounds)) {
      if (err.code == binlog::errc::connection)
        return make_error(err);
      continue;
    }
    if (bounds.empty())
      continue;
    auto hex = [](const std::vector<std::string>& key) {
      std::vector<std::string> out;
      for (auto& k : key)
        out.push_back(binlog::to_hex(k));
      return out;
    };
    auto& list = progress->ranges[name];
    for (size_t i = 0; i <= bounds.size(); ++i) {
      snapshot_range r;
      if (i > 0)
        r.after = hex(bounds[i - 1]);
      if (i < bounds.size())
        r.to = hex(bounds[i]);
      list.push_back(std::move(r));
    }
    spdlog::info(
      "snapshot: {} (about {} rows) is read in {} key ranges at once", name,
      t.estimated_rows, list.size());
  }
  return caf::none;
}

bool reader_state::stream_passed(const binlog::position& at) const {
  if (at.file.empty())
    return true;
  if (stream_file == at.file)
    return stream_end >= at.pos;
  return binlog::binlog_file_before(at.file, stream_file);
}

bool reader_state::keyless_wait() const {
  for (auto& [table, at] : keyless_reads)
    if (!at || stream_passed(*at))
      return true;
  return false;
}

void reader_state::wake() {
  if (!reading && !stopped && stream && credit > 0 && !keyless_wait()) {
    reading = true;
    self->send(self, atom::read_v);
  }
}

uint64_t reader_state::open_chunk_for(const std::string& table) {
  auto id = next_chunk_id++;
  auto& c = chunks[id];
  c.table = table;
  c.low = clock::now();
  if (!table.empty())
    watched[table];
  return id;
}

void reader_state::emit_chunks() {
  // Never inside a transaction: a restart's skip count must stay its own.
  // Nor without credit: chunks wait (and their lanes with them) until Kafka
  // has taken what was sent, so that memory stays bounded.
  if (stream->dec().in_transaction() || credit <= 0)
    return;
  auto passed = [this](const binlog::position& high) {
    return stream_passed(high);
  };
  bool emitted = false;
  bool ended = false;
  bool keyless_done = false;
  if (!progress)
    progress.emplace(); // a lane without a planned snapshot (tests)
  for (auto it = chunks.begin(); it != chunks.end();) {
    auto& c = it->second;
    if (!c.arrived || !passed(c.chunk.high)) {
      ++it;
      continue;
    }
    if (emitted && credit - static_cast<int64_t>(batch.bytes()) <= 0)
      break; // the rest waits for credit
    uint64_t sent_rows = 0;
    auto& records = c.chunk.records;
    if (c.chunk.keyless) {
      // A piece of a consistent read: the stream holds every change of
      // its table after the read's position until the last piece is out.
      if (batch.records.empty() && !records.records.empty())
        batch_started = clock::now();
      for (auto& ref : records.records) {
        append_snapshot_record(records, ref);
        ++sent_rows;
      }
      if (c.chunk.table_done) {
        keyless_pending.erase(c.chunk.table);
        keyless_reads.erase(c.chunk.table);
        keyless_done = true;
      }
    } else if (!records.records.empty()) {
      auto& changes = watched[c.table].changed;
      auto since = c.low - visibility_grace;
      if (batch.records.empty())
        batch_started = clock::now();
      for (auto& ref : records.records) {
        auto key = records.key(ref);
        // A key the stream changed since the chunk began: the stream's row
        // is as new or newer, and was (or will be) sent in its place.
        if (auto ch = changes.find(std::string{key});
            ch != changes.end() && ch->second >= since)
          continue;
        append_snapshot_record(records, ref);
        ++sent_rows;
      }
    }
    auto& chunk = c.chunk;
    // The last lane's last chunk ends an initial snapshot: its last record
    // (or the newest one still in the batch) is "last", as Debezium marks it.
    if (chunk.lane_last && lanes_reading > 0 && --lanes_reading == 0
        && !progress->incremental && last_snapshot_record)
      mark_last(*last_snapshot_record);
    if (chunk.lane_done) {
      if (lanes_running > 0)
        --lanes_running;
    } else {
      auto& tp = snapshot_tables[chunk.table];
      if (tp.chunks == 0 && tp.rows == 0)
        tp.started = clock::now();
      tp.rows += records.records.size();
      tp.estimated = chunk.rows_estimated;
      ++tp.chunks;
      progress->rows[chunk.table] = {tp.rows, tp.estimated};
      bool finished = chunk.table_done;
      if (chunk.range >= 0) {
        // A key range of a split table: the table is done with its last.
        auto& list = progress->ranges[chunk.table];
        if (static_cast<size_t>(chunk.range) < list.size()) {
          auto& r = list[static_cast<size_t>(chunk.range)];
          if (chunk.table_done)
            r.done = true;
          else
            r.after = chunk.after;
        }
        finished = std::all_of(list.begin(), list.end(),
                               [](const snapshot_range& r) { return r.done; });
      }
      if (finished) {
        tp.done = true;
        progress->after.erase(chunk.table);
        progress->ranges.erase(chunk.table);
        progress->finished.insert(chunk.table);
        watched.erase(chunk.table);
        spdlog::info("snapshot: {} done: {} rows in {} chunks", chunk.table,
                     tp.rows, tp.chunks);
      } else if (chunk.keyless) {
        // Begun: a restart reads it again from its start.
        progress->after[chunk.table] = {};
      } else {
        if (chunk.range < 0)
          progress->after[chunk.table] = chunk.after;
        // Changes older than every open chunk of the table (other ranges
        // may have some) can no longer matter to it.
        auto oldest = clock::now();
        for (auto& [id, other] : chunks)
          if (id != it->first && other.table == chunk.table)
            oldest = std::min(oldest, other.low);
        auto& changes = watched[chunk.table].changed;
        auto old = oldest - visibility_grace;
        for (auto ch = changes.begin(); ch != changes.end();)
          ch = ch->second < old ? changes.erase(ch) : std::next(ch);
      }
    }
    if (lanes_running == 0 && !progress->done) {
      progress->done = true;
      watched.clear();
      uint64_t rows = 0;
      for (auto& [name, tp] : snapshot_tables)
        rows += tp.rows;
      auto secs = std::chrono::duration<double>(clock::now() - snapshot_started)
                    .count();
      spdlog::info(
        "snapshot: done: {} rows of {} tables in {:.1f} s ({:.0f} "
        "rows/s); streaming goes on",
        rows, snapshot_tables.size(), secs,
        secs > 0 ? static_cast<double>(rows) / secs : 0.0);
      if (!progress->id.empty()) {
        if (snapshot_tables.empty())
          spdlog::warn(
            "snapshot {}: no included table matches its patterns "
            "(--tables): nothing read",
            progress->id);
        progress->end("done");
      }
      lanes.clear();
      ended = true;
    }
    progress_json = progress->to_json();
    resume.snapshot = progress_json;
    c.promise.deliver(sent_rows);
    it = chunks.erase(it);
    emitted = true;
  }
  if (!emitted)
    return;
  if (ended && !snapshot_only)
    next_queued();
  flush();
  if (keyless_done)
    wake();
  if (snapshot_only && progress->done) {
    spdlog::info(
      "snapshot: initial-only: stopping once every record is in "
      "Kafka");
    stopped = true;
    reading = false;
    self->quit();
  }
}

snapshot_metrics reader_state::snapshot_stats() const {
  snapshot_metrics m;
  auto now = clock::now();
  for (auto& [name, tp] : snapshot_tables) {
    snapshot_table_progress t;
    t.table = name;
    t.rows_done = tp.rows;
    t.rows_estimated = tp.done ? tp.rows : std::max(tp.estimated, tp.rows);
    t.chunks = tp.chunks;
    t.done = tp.done;
    auto secs = std::chrono::duration<double>(now - tp.started).count();
    if (!tp.done && secs > 0 && tp.rows > tp.rows_at_start) {
      t.rate = static_cast<double>(tp.rows - tp.rows_at_start) / secs;
      t.eta_seconds = static_cast<double>(t.rows_estimated - tp.rows) / t.rate;
    }
    m.tables.push_back(std::move(t));
  }
  if (progress) {
    m.id = progress->id;
    m.running = !progress->done;
    for (auto& q : progress->queued)
      m.queued.push_back(q.id);
    for (auto& [id, state] : progress->ended)
      m.ended.push_back(id + " " + state);
  }
  return m;
}

std::string reader_state::filters_text() const {
  auto& r = config.settings->records;
  std::string filters;
  for (auto* list : {&r.include_databases, &r.exclude_databases,
                     &r.include_tables, &r.exclude_tables}) {
    for (auto& x : *list)
      filters += x + '\n';
    filters += '|';
  }
  filters += r.skip_system_schemas ? "s" : "a";
  return filters;
}

caf::error reader_state::start_lanes() {
  bool fresh_snapshot = !progress->incremental && progress->after.empty()
                        && progress->finished.empty()
                        && progress->ranges.empty();
  keyless_pending.clear();
  keyless_reads.clear();
  {
    binlog::snapshot_reader sql;
    if (auto err = sql.connect(source_cfg->connection))
      return make_error(err);
    if (auto err = plan_keyless(sql))
      return err;
    if (auto err = plan_ranges(sql))
      return err;
  }
  progress_json = progress->to_json();
  resume.snapshot = progress_json;
  first_pending = fresh_snapshot;
  auto n = static_cast<uint32_t>(config.settings->snapshot.parallelism);
  lanes_running = n;
  lanes_reading = n;
  snapshot_started = clock::now();
  for (uint32_t i = 0; i < n; ++i) {
    snapshot_lane_config lane;
    lane.settings = config.settings;
    lane.lane = i;
    lane.lanes = n;
    lane.progress = *progress;
    lane.server_id = server_id;
    lane.keyless = keyless_planned;
    auto handle = self->system().spawn<caf::detached>(
      b2k::snapshot, std::move(lane), caf::actor_cast<reader_actor>(self));
    // A lane that fails takes the reader with it (the supervisor restarts
    // both from the released position); the reader's end ends the lanes.
    self->link_to(handle);
    lanes.push_back(std::move(handle));
  }
  return caf::none;
}

void reader_state::append_snapshot_record(const record_batch& from,
                                          const record_ref& ref) {
  record_ref out = ref;
  out.topic = batch.topic_index(from.topic(ref));
  out.key_offset = static_cast<uint32_t>(batch.data.size());
  batch.data.append(from.key(ref));
  out.value_offset = static_cast<uint32_t>(batch.data.size());
  auto value = from.value(ref);
  // The first record out of a fresh initial snapshot is "first", as
  // Debezium marks it: only here is it known which lane's row that is.
  if (first_pending
      && binlog::snapshot_mark_first(value, config.settings->records.format,
                                     batch.data))
    out.value_size = ref.value_size + 1;
  else
    batch.data.append(value);
  first_pending = false;
  out.partition_key_offset = static_cast<uint32_t>(batch.data.size());
  batch.data.append(from.partition_key(ref));
  out.headers_size = 0;
  batch.records.push_back(out);
  last_snapshot_record = batch.records.size() - 1;
}

void reader_state::mark_last(size_t index) {
  auto& ref = batch.records[index];
  std::string_view value{batch.data.data() + ref.value_offset, ref.value_size};
  auto at = binlog::snapshot_mark_offset(value,
                                         config.settings->records.format);
  if (at != std::string_view::npos)
    batch.data.replace(ref.value_offset + at, 4, "last");
}

void reader_state::poll_signals() {
  if (!signals || signals_asked || !stream || stopped)
    return;
  signals_asked = true;
  auto from = progress ? progress->signals : int64_t{-1};
  self->request(signals, std::chrono::seconds(30), atom::signals_v, from)
    .then(
      [this](signal_batch& got) {
        signals_asked = false;
        take_signals(got);
      },
      [this](caf::error& err) {
        signals_asked = false;
        spdlog::debug("reader: no signals: {}", self->system().render(err));
      });
}

void reader_state::take_signals(signal_batch& got) {
  if (!stream || stopped)
    return; // a later reader asks again
  auto taken = progress ? progress->signals : int64_t{-1};
  if (got.signals.empty() && got.next_offset == taken)
    return;
  if (!progress) {
    // No snapshot ever ran here: one that is done records the offset.
    progress.emplace();
    progress->done = true;
    progress->filters = filters_text();
  }
  for (auto& s : got.signals) {
    if (s.type == signal_type::cancel_snapshot) {
      cancel_snapshot(s.id);
      continue;
    }
    auto state = progress->state_of(s.id);
    if (state == "running" || state == "queued") {
      spdlog::info("snapshot {}: asked again while {}: nothing to do", s.id,
                   state);
    } else if (!progress->done) {
      progress->queued.push_back({s.id, s.tables});
      spdlog::info("snapshot {}: queued behind {}", s.id,
                   progress->id.empty() ? std::string{"the running snapshot"}
                                        : "snapshot " + progress->id);
    } else {
      start_on_demand(s.id, s.tables);
    }
  }
  // Taken: the commit log records it with the next position, so that a
  // restart does not take these signals again.
  progress->signals = got.next_offset;
  progress_json = progress->to_json();
  flush();
}

void reader_state::start_on_demand(std::string id,
                                   std::vector<std::string> tables) {
  auto& p = *progress;
  p.earlier.insert(p.finished.begin(), p.finished.end());
  p.finished.clear();
  p.after.clear();
  p.ranges.clear();
  p.rows.clear();
  p.id = std::move(id);
  p.tables = std::move(tables);
  p.incremental = true;
  p.done = false;
  snapshot_tables.clear();
  std::string patterns;
  for (auto& t : p.tables)
    patterns += (patterns.empty() ? "" : ", ") + t;
  spdlog::info(
    "snapshot {}: reading the included tables matching {} while the "
    "binlog streams (source.snapshot \"incremental\")",
    p.id, patterns);
  progress_json = p.to_json();
  if (auto err = start_lanes()) {
    // Not begun (the source did not answer): the supervisor restarts the
    // reader, which goes on with it.
    self->quit(err);
  }
}

bool reader_state::from_cancelled_lane() const {
  auto& sender = self->current_sender();
  return sender
         && std::find(cancelled_lanes.begin(), cancelled_lanes.end(),
                      sender->address())
              != cancelled_lanes.end();
}

void reader_state::cancel_snapshot(const std::string& id) {
  auto state = progress ? progress->state_of(id) : std::string{};
  if (state == "running") {
    for (auto& lane : lanes) {
      self->unlink_from(lane);
      cancelled_lanes.push_back(lane.address());
      self->send_exit(lane, caf::exit_reason::user_shutdown);
    }
    lanes.clear();
    lanes_running = 0;
    lanes_reading = 0;
    // Their chunks between watermarks go nowhere.
    chunks.clear();
    watched.clear();
    // A consistent read begun no longer holds its table's changes, which
    // the stream sends again from here on.
    for (auto& [table, at] : keyless_reads)
      spdlog::warn(
        "snapshot {}: cancelled during the consistent read of {}: its "
        "changes written while the read began are neither streamed nor "
        "surely among the rows sent",
        id, table);
    keyless_reads.clear();
    keyless_pending.clear();
    keyless_planned.clear();
    progress->ranges.clear();
    uint64_t rows = 0;
    for (auto& [name, tp] : snapshot_tables)
      rows += tp.rows;
    progress->done = true;
    progress->after.clear();
    progress->end("cancelled");
    spdlog::info("snapshot {}: cancelled ({} rows of {} tables sent)", id, rows,
                 snapshot_tables.size());
    next_queued();
    wake();
    return;
  }
  if (state == "queued") {
    auto& q = progress->queued;
    q.erase(std::remove_if(q.begin(), q.end(),
                           [&](auto& r) { return r.id == id; }),
            q.end());
    progress->note_ended(id, "cancelled");
    spdlog::info("snapshot {}: cancelled before it began", id);
    return;
  }
  spdlog::warn(
    "signals: cancel-snapshot {}: no such snapshot is running or "
    "queued{}: ignored",
    id, state.empty() ? "" : " (it is " + state + ")");
}

void reader_state::next_queued() {
  if (!progress || !progress->done || progress->queued.empty())
    return;
  auto next = std::move(progress->queued.front());
  progress->queued.erase(progress->queued.begin());
  start_on_demand(std::move(next.id), std::move(next.tables));
}

void reader_state::on_record(const binlog::row_record& r) {
  if (!keyless_pending.empty() && !r.table.empty()
      && keyless_pending.count(r.table) > 0) {
    // Its consistent read holds this change (it is before the read's
    // position: the stream stops there until the read is out).
    resume.file = r.txn->file;
    resume.pos = r.txn->pos;
    resume.gtid = r.txn->gtid;
    resume.skip_rows = r.row_in_txn;
    resume.server_id = server_id;
    return;
  }
  if (!watched.empty() && !r.table.empty()) {
    if (auto it = watched.find(r.table); it != watched.end())
      it->second.changed[std::string{r.key}] = clock::now();
  }
  if (batch.records.empty())
    batch_started = clock::now();
  record_ref ref;
  ref.topic = batch.topic_index(r.topic);
  auto& data = batch.data;
  ref.key_offset = static_cast<uint32_t>(data.size());
  ref.key_size = static_cast<uint32_t>(r.key.size());
  data.append(r.key);
  ref.value_offset = static_cast<uint32_t>(data.size());
  ref.value_size = static_cast<uint32_t>(r.value.size());
  ref.value_null = r.null_value();
  data.append(r.value);
  ref.partition_key_offset = static_cast<uint32_t>(data.size());
  ref.partition_key_size = static_cast<uint32_t>(r.partition_key.size());
  data.append(r.partition_key);
  if (r.header_count > 0) {
    ref.headers_offset = static_cast<uint32_t>(data.size());
    for (size_t i = 0; i < r.header_count; ++i)
      header_block::append(data, r.headers[i].name, r.headers[i].value);
    ref.headers_size = static_cast<uint32_t>(data.size() - ref.headers_offset);
  }
  batch.records.push_back(ref);
  resume.file = r.txn->file;
  resume.pos = r.txn->pos;
  resume.gtid = r.txn->gtid;
  resume.skip_rows = r.row_in_txn;
  resume.server_id = server_id;
}

void reader_state::on_transaction_end(const binlog::position& next) {
  resume = next;
  resume.server_id = server_id;
  transaction_ended = true;
}

void reader_state::on_warning(const std::string& what) {
  spdlog::warn("reader: {}", what);
}

bool reader_state::confirm_lock() {
  auto asked = std::chrono::system_clock::now();
  if (auto err = source->keep_lock_alive()) {
    self->quit(make_error(err));
    return false;
  }
  send_lease(asked);
  return true;
}

bool reader_state::flush() {
  resume.snapshot = progress_json;
  if (batch.records.empty() && resume == sent)
    return true;
  // After a pause (SIGSTOP, a frozen VM) longer than the lock's timeout a
  // standby may have taken over: nothing more may go out unless the lock
  // is still ours.
  if (!lease_valid() && !confirm_lock())
    return false;
  batch.seq = next_seq++;
  resume.snapshot = progress_json;
  batch.end = resume;
  sent = resume;
  auto bytes = batch.bytes();
  credit -= static_cast<int64_t>(bytes);
  self->send(watcher, atom::enqueue_v,
             batch_ticket{batch.seq, batch.end, bytes});
  if (batch.records.empty()) {
    // Nothing for Kafka: only the position moved (DDL, filtered tables).
    self->send(watcher, atom::delivered_v, batch.seq);
    batch.end = {};
  } else {
    self->send(producer, std::move(batch));
    batch = record_batch{};
    batch.data.reserve(batches->bytes + (batches->bytes >> 2));
  }
  batch.clear();
  last_snapshot_record.reset();
  return true;
}

int64_t reader_state::lag_seconds() const {
  // At the end of the binlog (the server sends heartbeats) we are not
  // behind, however old the last event is.
  auto ts = stream ? stream->dec().last_timestamp() : 0;
  if (caught_up || ts == 0)
    return 0;
  auto lag = static_cast<int64_t>(std::time(nullptr))
             - static_cast<int64_t>(ts);
  return lag < 0 ? 0 : lag;
}

reader_metrics reader_state::metrics() const {
  reader_metrics m;
  if (stream) {
    auto& s = stream->dec().stats();
    m.events = s.events;
    m.bytes = s.bytes;
    m.rows = s.rows;
    m.records = s.records;
    m.transactions = s.transactions;
    for (size_t i = 0; i < s.events_by_type.size(); ++i)
      if (s.events_by_type[i] > 0)
        m.events_by_type.emplace_back(binlog::to_string(
                                        static_cast<binlog::event_type>(i)),
                                      s.events_by_type[i]);
  }
  m.position = resume;
  m.source = source_cfg->connection.host + ":"
             + std::to_string(source_cfg->connection.port);
  m.lag_seconds = lag_seconds();
  m.caught_up = caught_up;
  m.credit_in_use = static_cast<int64_t>(batches->max_inflight_bytes) - credit;
  return m;
}

std::vector<table_counts> reader_state::table_deltas() {
  std::vector<table_counts> out;
  if (!stream)
    return out;
  auto& now = stream->dec().rows_by_table();
  tables_reported.resize(now.size());
  for (size_t i = 0; i < now.size(); ++i) {
    auto& was = tables_reported[i];
    if (now[i].inserts == was.inserts && now[i].updates == was.updates
        && now[i].deletes == was.deletes)
      continue;
    table_counts d;
    d.table = now[i].table;
    d.topic = now[i].topic;
    d.inserts = now[i].inserts - was.inserts;
    d.updates = now[i].updates - was.updates;
    d.deletes = now[i].deletes - was.deletes;
    out.push_back(std::move(d));
    was.inserts = now[i].inserts;
    was.updates = now[i].updates;
    was.deletes = now[i].deletes;
  }
  return out;
}

void reader_state::log_progress(clock::time_point now) {
  auto interval = config.settings->progress_interval;
  if (interval.count() == 0 || now - last_progress < interval)
    return;
  auto& stats = stream->dec().stats();
  auto secs = std::chrono::duration<double>(now - last_progress).count();
  auto rate = static_cast<double>(stats.rows - rows_at_last_progress) / secs;
  auto lag = lag_seconds();
  spdlog::info(
    "reader: {} rows read ({:.0f} rows/s), at {}, {} s behind the "
    "server",
    stats.rows, rate, binlog::to_string(resume), lag);
  last_progress = now;
  rows_at_last_progress = stats.rows;
}

void reader_state::read() {
  if (stopped)
    return;
  auto slice_end = clock::now() + time_slice;
  while (credit > 0) {
    if (keyless_wait()) {
      // A consistent read of a keyless table holds the stream here: until
      // it names its position, or while its rows go out there.
      flush();
      reading = false;
      return;
    }
    if (lanes_running > 0 && !source->data_pending()) {
      // A snapshot's chunks wait for the mailbox: no blocking read (up to a
      // heartbeat long) while nothing is there to read.
      self->delayed_send(self, snapshot_poll, atom::read_v);
      return;
    }
    transaction_ended = false;
    caught_up = false;
    binlog::stream::event ev;
    if (auto err = stream->next(ev)) {
      // What was read and decoded completely may still go out.
      if (flush())
        self->quit(make_error(err));
      return;
    }
    if (ev.size == 0)
      break; // end of a non-blocking dump
    if (ev.type == binlog::event_type::rotate) {
      // A real ROTATE ends its file (the decoder has moved on already); the
      // one a dump starts with only names the file.
      if (ev.end != 0) {
        stream_end = ev.end;
      } else if (stream->dec().file() != stream_file) {
        stream_file = stream->dec().file();
        stream_end = 4;
      }
    } else if (ev.end != 0 && ev.type != binlog::event_type::heartbeat
               && ev.type != binlog::event_type::heartbeat_v2) {
      stream_file = stream->dec().file();
      stream_end = ev.end;
    }
    if (!chunks.empty()) {
      emit_chunks();
      if (stopped)
        return;
    }
    auto now = clock::now();
    if (batch.records.size() >= batches->records
        || batch.data.size() >= batches->bytes) {
      if (!flush())
        return;
    } else if (ev.type == binlog::event_type::heartbeat) {
      caught_up = true;
      if (!flush())
        return;
      log_progress(now);
      break; // idle: let the mailbox in
    } else if (!batch.records.empty() || resume != sent) {
      // Hand the batch over when nothing more is waiting on the connection,
      // after any event: the last events of a backlog are often a ROTATE and
      // the next file's FORMAT_DESCRIPTION, which end no transaction, and the
      // next read would block until the heartbeat. Under load, flush at a
      // transaction's end once the batch has waited long enough.
      if (((transaction_ended && now - batch_started >= batches->delay)
           || !source->data_pending())
          && !flush())
        return;
    }
    if (now >= slice_end) {
      log_progress(now);
      break;
    }
  }
  if (credit > 0) {
    self->send(self, atom::read_v);
  } else {
    reading = false; // resumed by credit from the watcher
  }
}

reader_actor::behavior_type
reader(reader_actor::stateful_pointer<reader_state> self, reader_config config,
       watcher_actor watcher, producer_actor producer) {
  auto& st = self->state;
  st.self = self;
  st.config = std::move(config);
  if (!st.config.open_source)
    st.config.open_source = [](const source_settings& source) {
      return std::make_unique<binlog::server_source>(source.connection);
    };
  st.source_cfg = &st.config.settings->source;
  st.batches = &st.config.settings->batches;
  st.watcher = std::move(watcher);
  st.producer = std::move(producer);
  st.credit = static_cast<int64_t>(st.batches->max_inflight_bytes);
  st.next_seq = (st.config.epoch << 40) + 1;
  st.batch.data.reserve(st.batches->bytes + (st.batches->bytes >> 2));
  st.last_progress = reader_state::clock::now();
  self->send(st.watcher, atom::attach_v, caf::actor_cast<reader_actor>(self));
  // Without the watcher or the producer (a pipeline on another node that
  // went away) reading on would only hold the source lock: stop.
  self->monitor(st.watcher);
  self->monitor(st.producer);
  self->set_down_handler([self](const caf::down_msg& dm) {
    spdlog::warn("reader: the pipeline's {} is gone ({}); stopping",
                 dm.source == self->state.watcher.address() ? "watcher"
                                                            : "producer",
                 caf::to_string(dm.reason));
    self->quit(dm.reason);
  });
  if (auto err = st.connect()) {
    self->quit(err);
    return reader_actor::behavior_type::make_empty_behavior();
  }
  self->send(self, atom::lock_v);
  if (st.config.status)
    self->send(self, atom::stats_due_v);
  return {
    [self](atom::stats_due) {
      auto& st = self->state;
      auto m = st.metrics();
      m.tables = st.table_deltas();
      self->send(st.config.status, atom::stats_v, std::move(m));
      if (!st.snapshot_tables.empty()
          || (st.progress && !st.progress->ended.empty()))
        self->send(st.config.status, atom::stats_v, st.snapshot_stats());
      self->delayed_send(self, defaults::stats_period, atom::stats_due_v);
    },
    [self](atom::lock) { self->state.take_lock(); },
    [self](atom::read) { self->state.read(); },
    // On a timer, not in the read loop: the lock must stay ours while we
    // wait for credit too.
    [self](atom::keepalive) {
      auto& st = self->state;
      if (!st.confirm_lock())
        return;
      self->delayed_send(self, whole_seconds(st.source_cfg->lock_timeout) / 4,
                         atom::keepalive_v);
    },
    [self](atom::credit, uint64_t bytes) {
      auto& st = self->state;
      st.credit += static_cast<int64_t>(bytes);
      if (!st.chunks.empty() && st.stream && !st.stopped)
        st.emit_chunks();
      if (!st.reading && !st.stopped && st.stream && st.credit > 0) {
        st.reading = true;
        self->send(self, atom::read_v);
      }
    },
    [self](atom::watermark, std::string& table) -> caf::result<uint64_t> {
      if (self->state.from_cancelled_lane())
        return caf::make_error(ec::config, "snapshot cancelled");
      return self->state.open_chunk_for(table);
    },
    [self](atom::watermark, std::string& table, bool) -> caf::result<uint64_t> {
      auto& st = self->state;
      if (st.from_cancelled_lane())
        return caf::make_error(ec::config, "snapshot cancelled");
      st.keyless_reads[table] = std::nullopt;
      st.keyless_pending.insert(table);
      return st.open_chunk_for(std::string{});
    },
    [self](atom::attach, signal_actor& signals) {
      self->state.signals = std::move(signals);
      self->send(self, atom::signals_due_v);
    },
    [self](atom::signals_due) {
      auto& st = self->state;
      if (st.stopped)
        return;
      st.poll_signals();
      self->delayed_send(self, defaults::signal_period, atom::signals_due_v);
    },
    [self](snapshot_chunk& chunk) -> caf::result<uint64_t> {
      auto& st = self->state;
      auto it = st.chunks.find(chunk.id);
      if (it == st.chunks.end())
        return caf::make_error(ec::config, "unknown snapshot chunk");
      if (chunk.keyless)
        if (auto r = st.keyless_reads.find(chunk.table);
            r != st.keyless_reads.end() && !r->second) {
          if (chunk.high.file.empty()) {
            // Not read after all (gone, or not readable): the lane said
            // why; its changes are streamed from here on.
            st.keyless_reads.erase(r);
            st.keyless_pending.erase(chunk.table);
          } else {
            if (st.stream_file != chunk.high.file
                || st.stream_end != chunk.high.pos) {
              if (st.stream_passed(chunk.high))
                spdlog::error(
                  "snapshot: the stream ({}:{}) is past the position of "
                  "the consistent read of {} ({}:{}): changes in between "
                  "may be missing",
                  st.stream_file, st.stream_end, chunk.table, chunk.high.file,
                  chunk.high.pos);
            }
            r->second = chunk.high;
          }
          st.wake();
        }
      it->second.arrived = true;
      it->second.chunk = std::move(chunk);
      auto promise = self->make_response_promise<uint64_t>();
      it->second.promise = promise;
      if (st.stream)
        st.emit_chunks();
      return promise;
    },
    [self](atom::stop) {
      // A graceful stop: read nothing more, but keep the lock (and its
      // keep-alive) until the supervisor lets us go after the final
      // commit-log write, so that no successor starts before it.
      auto& st = self->state;
      st.stopped = true;
      st.reading = false;
      return st.sent;
    },
  };
}

reader_actor
spawn_detached_reader(caf::actor_system& sys, const reader_config& cfg,
                      watcher_actor watcher, producer_actor producer) {
  return sys.spawn<caf::detached>(reader, cfg, std::move(watcher),
                                  std::move(producer));
}

} // namespace b2k
