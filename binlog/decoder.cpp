#include "binlog/decoder.hpp"

#include "binlog/bytes.hpp"
#include "binlog/charset.hpp"
#include "binlog/checksum.hpp"
#include "binlog/table_map.hpp"

namespace binlog {

record_sink::~record_sink() = default;

void record_sink::on_warning(const std::string&) {
  // Sinks that have no one to tell drop it.
}

decoder::decoder(record_encoder encoder, record_sink& sink)
  : sink_(sink),
    encoder_(std::move(encoder)),
    format_(format_description::v4_default()) {
}

void decoder::start_at(const position& from) {
  pos_.start_at(from);
  tables_.clear();
  // XA transactions prepared in an earlier file stay pending: their COMMIT
  // may come in a later one.
  xa_.stop_reading();
  flavor_.forget_open();
}

error decoder::fail(errc code, uint64_t offset, const std::string& what) const {
  auto& name = !origin_.empty() ? origin_ : pos_.file();
  return {code, (name.empty() ? std::string{"binlog"} : name) + " at offset "
                  + std::to_string(offset) + nested_ + ": " + what};
}

error decoder::consume(const uint8_t* event, size_t size, uint64_t offset) {
  if (size < header_size)
    return fail(errc::truncated, offset,
                "event of " + std::to_string(size)
                  + " bytes is shorter than its header");
  auto h = parse_header(event);
  if (format_.pre_ga_type_codes)
    h.type = pre_ga_event_type(h.type);
  if (h.event_size != size)
    return fail(errc::corrupt_event, offset,
                "event length " + std::to_string(h.event_size)
                  + " does not match the " + std::to_string(size)
                  + " bytes read");
  if (!replaying_) {
    ++stats_.events;
    stats_.bytes += size;
    ++stats_.events_by_type[static_cast<uint8_t>(h.type)];
  }
  if (h.timestamp != 0)
    last_timestamp_ = h.timestamp;
  if (h.type == event_type::format_description) {
    format_description fd;
    if (auto err = parse_format_description(event, size, fd))
      return fail(err, offset);
    if (fd.checksum == checksum_alg::crc32 && verify_checksums_
        && !checksum_matches(event, size))
      return fail(errc::checksum_mismatch, offset,
                  "checksum mismatch in FORMAT_DESCRIPTION event");
    format_ = std::move(fd);
    // A new file (or a server restart) forgets every table id.
    tables_.clear();
    return {};
  }
  size_t body_size = size - header_size;
  if (format_.checksum == checksum_alg::crc32) {
    if (body_size < checksum_size)
      return fail(errc::truncated, offset, "event too short for its checksum");
    body_size -= checksum_size;
    if (verify_checksums_ && h.type != event_type::heartbeat
        && !checksum_matches(event, size))
      return fail(errc::checksum_mismatch, offset,
                  std::string{"checksum mismatch in "} + to_string(h.type)
                    + " event");
  }
  event_row_base_ = 0;
  if (xa_.reading() && !replaying_
      && (h.type == event_type::table_map
          || row_op_of(h.type) != row_op::none)) {
    // Not sent before its XA COMMIT: keep it until then.
    if (auto err = xa_.keep(pos_.file(), offset, event, size))
      return fail(err, offset);
    return {};
  }
  return dispatch(h, event + header_size, body_size, offset, offset + size);
}

error decoder::dispatch(const event_header& h, const uint8_t* body, size_t size,
                        uint64_t offset, uint64_t next) {
  switch (h.type) {
    case event_type::rotate:
      return on_rotate(h, body, size, offset);
    case event_type::query:
      return on_query(h, body, size, offset, next);
    case event_type::xid:
      return on_xid(h, body, size, offset, next);
    case event_type::xa_prepare:
      return on_xa_prepare(body, size, offset, next);
    case event_type::table_map:
      return on_table_map(body, size, offset);
    case event_type::write_rows_v1:
    case event_type::update_rows_v1:
    case event_type::delete_rows_v1:
    case event_type::write_rows_v2:
    case event_type::update_rows_v2:
    case event_type::delete_rows_v2:
    case event_type::partial_update_rows:
      return on_rows(h, body, size, offset);
    case event_type::mariadb_gtid:
    case event_type::gtid:
    case event_type::anonymous_gtid:
    case event_type::gtid_tagged:
      return on_gtid(h, body, size, offset);
    case event_type::mariadb_gtid_list:
    case event_type::previous_gtids:
      return on_gtid_state(h, body, size, offset);
    case event_type::transaction_payload:
      return on_payload(body, size, offset, next);
    case event_type::mariadb_query_compressed:
      return on_compressed_query(h, body, size, offset, next);
    case event_type::execute_load_query:
      // LOAD DATA logged as a statement (its file in BEGIN_LOAD_QUERY
      // events before it): only check_capture has a use for it.
      if (check_capture_)
        return on_query(h, body, size, offset, next);
      return {};
    case event_type::mariadb_write_rows_compressed_v1:
    case event_type::mariadb_update_rows_compressed_v1:
    case event_type::mariadb_delete_rows_compressed_v1:
    case event_type::mariadb_write_rows_compressed:
    case event_type::mariadb_update_rows_compressed:
    case event_type::mariadb_delete_rows_compressed:
      return on_compressed_rows(h, body, size, offset);
    case event_type::pre_ga_write_rows:
    case event_type::pre_ga_update_rows:
    case event_type::pre_ga_delete_rows:
    case event_type::mariadb_start_encryption:
      return on_unsupported(h, offset);
    default:
      // Everything else (heartbeats, checkpoints, annotations,
      // INTVAR/RAND/USER_VAR, unknown types) is skipped by its length.
      return {};
  }
}

error decoder::on_unsupported(const event_header& h, uint64_t offset) {
  if (h.type == event_type::mariadb_start_encryption)
    return fail(errc::unsupported, offset,
                "the binlog is encrypted (encrypt_binlog=ON); binlog2kafka "
                "reads unencrypted binlogs only");
  // Skipping would lose rows silently.
  return fail(errc::unsupported, offset,
              std::string{to_string(h.type)}
                + " event: the row format of pre-GA MySQL 5.1 builds "
                  "(5.1.0 to 5.1.15 and their drop builds) is not "
                  "supported");
}

void decoder::begin_transaction(uint64_t offset, bool explicit_begin) {
  if (pos_.open()) {
    if (explicit_begin)
      pos_.set_has_begin(true);
    return;
  }
  // Starts after the GTID state before it: a replica given that state
  // sends this transaction again.
  pos_.begin(offset, explicit_begin, flavor_.state());
  meta_.begin();
}

void decoder::end_transaction(uint64_t next) {
  // END comes with the commit, in the batch that moves the position past
  // the transaction; a transaction that sent nothing has none (nor BEGIN).
  if (pos_.open() && meta_.events() > 0
      && !encoder_.transaction_topic().empty()) {
    encoder_.encode_transaction_end(transaction_id(),
                                    uint64_t{last_timestamp_} * 1000,
                                    meta_.events(), meta_.collections(),
                                    meta_.collections_used());
    emit(record_kind::transaction, encoder_.transaction_topic(), pos_.rows());
  }
  meta_.end();
  flavor_.end();
  ++stats_.transactions;
  sink_.on_transaction_end(pos_.end(next, flavor_.state()));
}

void decoder::emit(record_kind kind, std::string_view topic,
                   uint64_t row_in_txn, std::string_view partition_key) {
  row_record rec;
  rec.kind = kind;
  rec.topic = topic;
  rec.key = encoder_.key();
  if (kind != record_kind::tombstone)
    rec.value = encoder_.value();
  rec.partition_key = partition_key;
  if (kind == record_kind::change || kind == record_kind::tombstone)
    rec.table = rows_table_;
  rec.headers = encoder_.headers();
  rec.header_count = encoder_.header_count();
  rec.txn = &pos_.release_point(row_in_txn, rec.row_in_txn);
  ++stats_.records;
  sink_.on_record(rec);
}

error decoder::on_rotate(const event_header& h, const uint8_t* body,
                         size_t size, uint64_t offset) {
  rotate_event rotate;
  if (auto err = parse_rotate(body, size, rotate))
    return fail(err, offset);
  if (!follow_rotate_)
    return {};
  pos_.set_file(std::string{rotate.file});
  // Between transactions the position moves to the new file at once: an
  // idle source must not leave its resume point in a file that may be
  // purged (the commit log would then point at nothing). (The artificial
  // ROTATE that opens a stream only names the start.)
  if (!pos_.open() && rotate.pos >= 4 && !(h.flags & flag_artificial))
    sink_.on_transaction_end(pos_.after(rotate.pos, flavor_.state()));
  return {};
}

error decoder::on_xid(const event_header& h, const uint8_t* body, size_t size,
                      uint64_t offset, uint64_t next) {
  xid_event xid;
  if (auto err = parse_xid(format_.post_header(h.type), body, size, xid))
    return fail(err, offset);
  end_transaction(next); // even a commit of nothing moves the position
  return {};
}

error decoder::on_gtid(const event_header& h, const uint8_t* body, size_t size,
                       uint64_t offset) {
  if (auto err = parse_gtid_event(h, body, size, gtid_event_))
    return fail(err, offset);
  if (pos_.open())
    return fail(errc::corrupt_event, offset,
                "GTID event inside an open transaction");
  begin_transaction(offset, false);
  flavor_.begin(gtid_event_);
  if (gtid_event_.kind != gtid_event::source::mariadb)
    return {};
  // MariaDB's GTID event stands for BEGIN, except a standalone one (DDL),
  // whose transaction is its one QUERY.
  pos_.set_has_begin(!gtid_event_.standalone);
  if (gtid_event_.xa_start) // the rows that follow wait for XA COMMIT
    xa_.start(gtid_event_.xid, flavor_.transaction_gtid(), pos_.start());
  return {};
}

error decoder::on_gtid_state(const event_header& h, const uint8_t* body,
                             size_t size, uint64_t offset) {
  // Only between transactions; a state that cannot be read only costs the
  // positions their GTID (the file and offset are what we read by).
  if (pos_.open())
    return {};
  if (h.type == event_type::mariadb_gtid_list) {
    flavor_.on_gtid_list(body, size);
    return {};
  }
  if (auto err = flavor_.on_previous_gtids(body, size))
    sink_.on_warning("PREVIOUS_GTIDS at " + pos_.file() + ":"
                     + std::to_string(offset) + " cannot be read ("
                     + err.message
                     + "): positions carry no GTID until the next file");
  return {};
}

error decoder::on_query(const event_header& h, const uint8_t* body, size_t size,
                        uint64_t offset, uint64_t next) {
  query_event query;
  if (auto err = parse_query_event(h.type, format_.post_header(h.type), body,
                                   size, query))
    return fail(err, offset);
  return on_query(h, query, offset, next);
}

error decoder::on_query(const event_header& h, const query_event& query,
                        uint64_t offset, uint64_t next) {
  auto statement = trim_statement(query.statement);
  auto kind = classify_statement(statement, xid_);
  switch (kind) {
    case statement_kind::begin:
      begin_transaction(offset, true);
      meta_.set_thread(query.thread_id);
      return {};
    case statement_kind::xa_start:
      begin_transaction(offset, true);
      if (!xa_.reading())
        xa_.start(xid_, flavor_.transaction_gtid(), pos_.start());
      return {};
    case statement_kind::xa_end:
    case statement_kind::rollback_to_savepoint:
      return {}; // the transaction goes on
    case statement_kind::xa_commit:
    case statement_kind::xa_rollback:
      if (!pos_.open())
        begin_transaction(offset, false);
      return on_xa_end(kind == statement_kind::xa_commit, xid_, offset, next);
    case statement_kind::commit:
      if (!pos_.open())
        begin_transaction(offset, false);
      end_transaction(next);
      return {};
    case statement_kind::other:
      break;
  }
  if (check_capture_)
    if (auto err = check_statement(query, statement, offset, next))
      return err;
  if (pos_.open() && pos_.has_begin()) {
    // A statement inside BEGIN … COMMIT: a SAVEPOINT, or the CREATE TABLE
    // of MariaDB's CREATE TABLE … SELECT, whose rows follow.
    on_statement(h, offset, query, statement);
    return {};
  }
  // DDL and other statements outside a transaction stand alone.
  if (!pos_.open())
    begin_transaction(offset, false);
  on_statement(h, offset, query, statement);
  end_transaction(next);
  return {};
}

error decoder::check_statement(const query_event& query,
                               std::string_view statement, uint64_t offset,
                               uint64_t next) {
  to_utf8(query_client_collation(query.status_vars, query.status_size),
          statement, statement_utf8_);
  if (!statement_changes_rows(statement_utf8_, statement_tables_))
    return {};
  std::string what;
  for (auto& t : statement_tables_) {
    auto& db = t.db.empty() ? query.db : t.db;
    if (!db.empty() && encoder_.table_included(db, t.table)) {
      what = "a change of " + std::string{db} + "." + t.table;
      break;
    }
  }
  if (what.empty() && statement_tables_.empty()
      && (query.db.empty() || encoder_.database_included(query.db))) {
    // Its tables cannot be read: name what ran, and where.
    auto excerpt = statement_utf8_.substr(0, 120);
    for (auto& c : excerpt)
      if (c == '\n' || c == '\r' || c == '\t')
        c = ' ';
    what = "a statement in database '" + std::string{query.db} + "' ('"
           + excerpt + (statement_utf8_.size() > 120 ? "...'" : "'")
           + ") that may change included tables";
  }
  if (what.empty())
    return {};
  return fail(errc::server_config, offset,
              what
                + " was logged as a statement (binlog_format STATEMENT or "
                  "MIXED), so its rows cannot be captured: set "
                  "binlog_format=ROW on the server (SET GLOBAL and its config "
                  "file); every start stops here until from= moves the "
                  "position past such events by hand (this one ends at "
                + pos_.file() + ":" + std::to_string(next)
                + "), and their rows are not sent: snapshot the tables again");
}

void decoder::check_row_image(const rows_event& event, table_info& table) {
  auto whole = [&](const uint8_t* bits) {
    for (uint64_t i = 0; i < event.width; ++i)
      if (!(bits[i / 8] & (1u << (i % 8))))
        return false;
    return true;
  };
  if (whole(event.present1)
      && (event.op != row_op::update || whole(event.present2)))
    return;
  table.partial_warned = true;
  partial_warned_.insert(table.qualified_name);
  sink_.on_warning(
    "table " + table.qualified_name + " has partial row images at "
    + pos_.file() + ":" + std::to_string(pos_.start().pos)
    + " (binlog_row_image is MINIMAL or NOBLOB on the server): its records "
      "leave out the columns the server did not log; set "
      "binlog_row_image=FULL for whole rows (this warning is given once per "
      "table)");
}

void decoder::on_statement(const event_header& h, uint64_t offset,
                           const query_event& query,
                           std::string_view statement) {
  // Rows still to skip after a restart come after this statement, so it
  // was delivered before.
  if (encoder_.schema_topic().empty() || pos_.rows_to_skip() > 0
      || !is_schema_statement(statement))
    return;
  // Keywords and quotes are ASCII in every charset a client may use, but
  // multi-byte characters may hold a backquote's byte: convert first.
  to_utf8(query_client_collation(query.status_vars, query.status_size),
          statement, statement_utf8_);
  auto database = ddl_database(statement_utf8_, query.db);
  if (!encoder_.database_included(database))
    return;
  encoder_.encode_schema_change(h, pos_.file(), offset,
                                flavor_.transaction_gtid(), query.thread_id,
                                database, statement_utf8_);
  emit(record_kind::schema_change, encoder_.schema_topic(), pos_.rows());
}

error decoder::on_xa_prepare(const uint8_t* body, size_t size, uint64_t offset,
                             uint64_t next) {
  xa_prepare_event prepare;
  if (auto err = parse_xa_prepare(body, size, prepare))
    return fail(err, offset);
  if (!xa_.reading()) {
    // Its XA START came before where we began reading.
    sink_.on_warning("XA PREPARE of " + prepare.xid + " at " + pos_.file()
                     + ":" + std::to_string(offset)
                     + " without its XA START: its rows were before the "
                       "start position and are not sent");
    end_transaction(next);
    return {};
  }
  auto xa = xa_.prepared();
  if (prepare.one_phase) {
    // MySQL's XA COMMIT ... ONE PHASE: prepared and committed at once.
    if (auto err = replay_xa(xa))
      return err;
    end_transaction(next);
    return {};
  }
  // From now on a restart begins at this transaction's start (or an older
  // undecided one's), and skips the rows sent since.
  pos_.anchor_at(xa.start);
  xa_.hold(prepare.xid, std::move(xa));
  end_transaction(next);
  return {};
}

error decoder::on_xa_end(bool commit, const std::string& xid, uint64_t offset,
                         uint64_t next) {
  xa_transaction xa;
  if (!xa_.take(xid, xa)) {
    if (commit)
      sink_.on_warning("XA COMMIT of " + xid + " at " + pos_.file() + ":"
                       + std::to_string(offset)
                       + ": it was prepared before the start position, so "
                         "its rows are not sent");
  } else if (commit) {
    if (auto err = replay_xa(xa))
      return err;
  }
  if (!pos_.open())
    begin_transaction(offset, false);
  // Once nothing is undecided, positions are plain again, after this event.
  if (xa_.pending() == 0)
    pos_.release_anchor();
  end_transaction(next);
  return {};
}

error decoder::replay_xa(const xa_transaction& xa) {
  // The committed rows, sent as the rows of the transaction being read (the
  // XA COMMIT), but with the GTID and positions they were written with.
  if (!pos_.open())
    begin_transaction(xa.start.pos, true);
  auto file = pos_.file();
  auto gtid = flavor_.swap_transaction_gtid(xa.gtid);
  replaying_ = true;
  error result;
  for (auto& ev : xa.events) {
    pos_.set_file(ev.file);
    result = consume(reinterpret_cast<const uint8_t*>(ev.bytes.data()),
                     ev.bytes.size(), ev.offset);
    if (result)
      break;
  }
  replaying_ = false;
  pos_.set_file(std::move(file));
  flavor_.swap_transaction_gtid(std::move(gtid));
  return result;
}

error decoder::on_table_map(const uint8_t* body, size_t size, uint64_t offset) {
  if (format_.pre_ga_type_codes)
    return fail(errc::unsupported, offset,
                "TABLE_MAP event of pre-GA MySQL 5.1 build "
                  + format_.server_version
                  + ": row-based binlogs of pre-GA builds are not supported");
  auto post = format_.post_header(event_type::table_map);
  cursor c{body, size};
  uint64_t id = post == 6 ? c.u32() : c.u48();
  if (!c.ok())
    return fail(errc::truncated, offset, "TABLE_MAP event too short");
  auto& info = tables_[id];
  std::string_view raw{reinterpret_cast<const char*>(body), size};
  if (!info.raw.empty() && info.raw == raw)
    return {}; // the same table map again: keep what we parsed
  if (auto err = parse_table_map(body, size, post, format_.mariadb, info.map)) {
    tables_.erase(id);
    return fail(err, offset);
  }
  info.raw.assign(raw);
  if (auto err = encoder_.prepare(info)) {
    tables_.erase(id);
    return fail(err, offset);
  }
  auto [slot, added] = rows_slots_.try_emplace(
    info.qualified_name, static_cast<uint32_t>(rows_by_table_.size()));
  if (added) {
    table_rows counts;
    counts.table = info.qualified_name;
    counts.topic = info.topic;
    counts.skipped = info.skipped;
    rows_by_table_.push_back(std::move(counts));
  }
  info.rows_slot = slot->second;
  if (check_capture_ && !info.skipped && !info.map.has_names)
    return fail(errc::server_config, offset,
                "the TABLE_MAP of " + info.qualified_name
                  + " holds no column names (binlog_row_metadata is no "
                    "longer FULL on the server), so its rows cannot be "
                    "captured: set binlog_row_metadata=FULL (SET GLOBAL "
                    "and the server's config file); every start stops here "
                    "until from= moves the position past the events written "
                    "without it by hand, and their rows are not sent: "
                    "snapshot the tables again");
  info.partial_warned = partial_warned_.count(info.qualified_name) > 0;
  return {};
}

error decoder::on_rows(const event_header& h, const uint8_t* body, size_t size,
                       uint64_t offset) {
  rows_event event;
  if (auto err = parse_rows_event(h.type, format_.post_header(h.type), body,
                                  size, event))
    return fail(err, offset);
  return on_row_images(h, event, body + event.head_size, body + size, offset);
}

error decoder::on_row_images(const event_header& h, rows_event event,
                             const uint8_t* p, const uint8_t* end,
                             uint64_t offset) {
  auto it = tables_.find(event.table_id);
  if (it == tables_.end())
    return fail(errc::unknown_table, offset,
                std::string{to_string(h.type)} + " event for table id "
                  + std::to_string(event.table_id)
                  + " that no TABLE_MAP event announced");
  auto& table = it->second;
  if (event.width != table.map.columns.size())
    return fail(errc::corrupt_event, offset,
                std::string{to_string(h.type)} + " event has "
                  + std::to_string(event.width) + " columns but TABLE_MAP of "
                  + table.qualified_name + " has "
                  + std::to_string(table.map.columns.size()));
  if (!pos_.open())
    begin_transaction(offset, false);
  if (check_capture_ && !table.skipped && !table.partial_warned)
    check_row_image(event, table);
  uint64_t* table_events = nullptr;
  if (!table.skipped) {
    rows_table_ = table.qualified_name;
    table_events = &meta_.table_events(table);
    encoder_.begin_event(h, pos_.file(), offset, flavor_.transaction_gtid(),
                         transaction_id(), meta_.thread(), table, event.op);
  }
  // Frame every row before emitting any where a misread layout is
  // possible, so that it stops the stream before a wrong record goes out.
  if (table.map.ambiguous_temporal)
    if (auto err = rows_.check_framing(event, table, p, end))
      return fail(err, offset);
  uint32_t row = event_row_base_;
  while (p < end) {
    if (auto err = rows_.read(event, table, p, end, row))
      return fail(err, offset);
    auto row_in_txn = pos_.count_row();
    ++stats_.rows;
    auto this_row = row++;
    if (table.skipped) {
      pos_.skip_row();
      continue;
    }
    // A key change is a delete and a create: two events, as in Debezium.
    bool key_change = event.op == row_op::update
                      && !table.map.primary_key.empty()
                      && encoder_.key_changed(table, rows_.before(),
                                              rows_.after());
    // Counted before the skip: a restart numbers the rows it sends as the
    // first run did.
    auto total_order = meta_.count_event();
    auto collection_order = ++*table_events;
    if (key_change) {
      meta_.count_event();
      ++*table_events;
    }
    if (pos_.skip_row())
      continue;
    if (total_order == 1 && !encoder_.transaction_topic().empty()) {
      // BEGIN goes with the transaction's first row, which is sent with it.
      encoder_.encode_transaction_begin(transaction_id(),
                                        uint64_t{h.timestamp} * 1000);
      emit(record_kind::transaction, encoder_.transaction_topic(),
           row_in_txn - 1);
    }
    if (key_change) {
      // The row is complete with the create, the last of its records.
      using part = record_encoder::key_change_part;
      encoder_.encode_key_change(part::remove, table, this_row, total_order,
                                 collection_order, rows_.before(),
                                 rows_.after());
      emit(record_kind::change, table.topic, row_in_txn - 1);
      if (encoder_.options().tombstones)
        emit(record_kind::tombstone, table.topic, row_in_txn - 1);
      encoder_.encode_key_change(part::create, table, this_row, total_order + 1,
                                 collection_order + 1, rows_.before(),
                                 rows_.after());
      emit(record_kind::change, table.topic, row_in_txn);
      continue;
    }
    encoder_.encode(table, this_row, total_order, collection_order,
                    event.op == row_op::insert ? nullptr : &rows_.before(),
                    event.op == row_op::remove ? nullptr : &rows_.after());
    bool keyless = table.map.primary_key.empty();
    bool tombstone = event.op == row_op::remove && !keyless
                     && encoder_.options().tombstones;
    // A delete is complete with its tombstone: the skip count of a restart
    // counts rows, so it must not pass the row before the tombstone is out.
    emit(record_kind::change, table.topic,
         tombstone ? row_in_txn - 1 : row_in_txn,
         keyless ? std::string_view{table.qualified_name} : std::string_view{});
    if (tombstone)
      emit(record_kind::tombstone, table.topic, row_in_txn);
  }
  // (sticky: a schema change's or a transaction record's failure stops
  // the stream at the next rows event)
  if (auto& err = encoder_.failure())
    return fail(err.code, offset, err.message);
  // Counted per event, not per row: the hot loop stays as it was.
  auto& counts = rows_by_table_[table.rows_slot];
  auto rows = row - event_row_base_;
  if (event.op == row_op::insert)
    counts.inserts += rows;
  else if (event.op == row_op::update)
    counts.updates += rows;
  else
    counts.deletes += rows;
  event_row_base_ = row;
  return {};
}

} // namespace binlog
