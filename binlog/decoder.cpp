#include "binlog/decoder.hpp"

#include <charconv>
#include <cstdio>
#include <cstring>

#include "binlog/bytes.hpp"
#include "binlog/charset.hpp"
#include "binlog/checksum.hpp"
#include "binlog/column_value.hpp"
#include "binlog/gtid.hpp"
#include "binlog/json_diff.hpp"
#include "binlog/query_event.hpp"
#include "binlog/table_map.hpp"

namespace binlog {

record_sink::~record_sink() = default;

void record_sink::on_warning(const std::string&) {
  // Sinks that have no one to tell drop it.
}

namespace {

// MariaDB GTID event flags.
constexpr uint8_t gtid_standalone = 0x01;
constexpr uint8_t gtid_group_commit_id = 0x02;
constexpr uint8_t gtid_prepared_xa = 0x40;
constexpr uint8_t gtid_completed_xa = 0x80;

constexpr char hex_digit[] = "0123456789abcdef";

/// One spelling for an XA id, whether it comes in binary (MariaDB's GTID
/// event, XA_PREPARE) or as text (the X'..',X'..',N of XA COMMIT).
std::string xid_key(int64_t format_id, const uint8_t* gtrid, size_t gtrid_len,
                    const uint8_t* bqual, size_t bqual_len) {
  std::string key = std::to_string(format_id) + ":";
  for (size_t i = 0; i < gtrid_len; ++i) {
    key.push_back(hex_digit[gtrid[i] >> 4]);
    key.push_back(hex_digit[gtrid[i] & 0xf]);
  }
  key.push_back(':');
  for (size_t i = 0; i < bqual_len; ++i) {
    key.push_back(hex_digit[bqual[i] >> 4]);
    key.push_back(hex_digit[bqual[i] & 0xf]);
  }
  return key;
}

/// The key of "X'6162',X'',1" (how XA statements name their xid in the
/// binlog), or "" if `text` is not that.
std::string xid_key_of_text(std::string_view text) {
  std::string parts[2];
  for (auto& part : parts) {
    while (!text.empty() && text.front() == ' ')
      text.remove_prefix(1);
    if (text.size() < 3 || (text[0] != 'X' && text[0] != 'x') || text[1] != '\'')
      return {};
    auto close = text.find('\'', 2);
    if (close == std::string_view::npos)
      return {};
    for (char c : text.substr(2, close - 2))
      part.push_back(static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c));
    text.remove_prefix(close + 1);
    if (text.empty() || text.front() != ',')
      return {};
    text.remove_prefix(1);
  }
  std::string format_id;
  for (char c : text) {
    if ((c < '0' || c > '9') && c != '-')
      break;
    format_id.push_back(c);
  }
  if (format_id.empty())
    return {};
  return format_id + ":" + parts[0] + ":" + parts[1];
}

bool starts_with_word(std::string_view text, std::string_view word) {
  if (text.size() < word.size())
    return false;
  for (size_t i = 0; i < word.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
    if (c != word[i])
      return false;
  }
  return text.size() == word.size() || text[word.size()] == ' '
         || text[word.size()] == '\t' || text[word.size()] == '\n'
         || text[word.size()] == ';' || text[word.size()] == '\r';
}

std::string_view trim_left(std::string_view text) {
  while (!text.empty()
         && (text.front() == ' ' || text.front() == '\n'
             || text.front() == '\t' || text.front() == '\r'))
    text.remove_prefix(1);
  return text;
}

size_t popcount_prefix(const uint8_t* bitmap, size_t bits) {
  size_t n = 0;
  for (size_t i = 0; i < bits / 8; ++i)
    n += static_cast<size_t>(__builtin_popcount(bitmap[i]));
  if (bits % 8 != 0)
    n += static_cast<size_t>(
      __builtin_popcount(bitmap[bits / 8] & ((1u << (bits % 8)) - 1)));
  return n;
}

} // namespace

decoder::decoder(record_encoder encoder, record_sink& sink)
  : sink_(sink),
    encoder_(std::move(encoder)),
    format_(format_description::v4_default()) {
}

void decoder::start_at(const position& from) {
  file_ = from.file;
  skip_rows_ = from.skip_rows;
  in_txn_ = false;
  tables_.clear();
  // XA transactions prepared in an earlier file stay pending: their COMMIT
  // may come in a later one.
  in_xa_ = false;
  txn_mysql_gtid_set_ = false;
}

error decoder::fail(errc code, uint64_t offset,
                    const std::string& what) const {
  auto& name = !origin_.empty() ? origin_ : file_;
  return {code, (name.empty() ? std::string{"binlog"} : name) + " at offset "
                  + std::to_string(offset) + nested_ + ": " + what};
}

error decoder::set_gtid_state(std::string_view state) {
  gtid_state_.clear();
  mysql_gtids_.clear();
  mysql_state_known_ = false;
  merge_previous_gtids_ = false;
  if (is_mysql_gtid_text(state)) {
    if (auto err = parse_gtid_set(state, mysql_gtids_)) {
      mysql_gtids_.clear();
      write_gtid_state();
      return {errc::unsupported, "the GTID state '" + std::string{state}
                                   + "' is not a MySQL GTID set: " + err.message};
    }
    mysql_state_known_ = track_mysql_gtids_;
    merge_previous_gtids_ = mysql_state_known_;
    write_gtid_state();
    return {};
  }
  while (!state.empty()) {
    auto comma = state.find(',');
    auto item = state.substr(0, comma);
    state = comma == std::string_view::npos ? std::string_view{}
                                            : state.substr(comma + 1);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    unsigned long domain = 0;
    unsigned long server = 0;
    unsigned long long seq = 0;
    std::string text{item};
    if (std::sscanf(text.c_str(), "%lu-%lu-%llu", &domain, &server, &seq) == 3)
      gtid_state_[static_cast<uint32_t>(domain)]
        = {static_cast<uint32_t>(server), seq};
  }
  write_gtid_state();
  return {};
}

void decoder::write_gtid_state() {
  if (mysql_state_known_) {
    gtid_state_text_ = mysql_gtids_.to_string();
    return;
  }
  gtid_state_text_.clear();
  for (auto& [domain, entry] : gtid_state_) {
    if (!gtid_state_text_.empty())
      gtid_state_text_.push_back(',');
    gtid_state_text_ += std::to_string(domain);
    gtid_state_text_.push_back('-');
    gtid_state_text_ += std::to_string(entry.server);
    gtid_state_text_.push_back('-');
    gtid_state_text_ += std::to_string(entry.seq);
  }
}

void decoder::begin_transaction(uint64_t offset, bool explicit_begin) {
  if (in_txn_) {
    txn_has_begin_ = txn_has_begin_ || explicit_begin;
    return;
  }
  in_txn_ = true;
  txn_has_begin_ = explicit_begin;
  txn_.file = file_;
  txn_.pos = offset;
  txn_.skip_rows = 0;
  // The state before the transaction: a replica given it resends this one.
  txn_.gtid = gtid_state_text_;
  rows_in_txn_ = 0;
  txn_id_.clear();
  thread_ = -1;
  txn_events_ = 0;
  ++txn_serial_;
  txn_collections_used_ = 0;
}

const std::string& decoder::transaction_id() {
  // Built at the first row: the GTID event that opens a transaction comes
  // before its GTID is known.
  if (txn_id_.empty()) {
    if (!gtid_.empty()) {
      txn_id_.assign(gtid_);
    } else {
      // Into the reused buffer: no allocation per transaction.
      char pos[24];
      auto end = std::to_chars(pos, pos + sizeof(pos), txn_.pos).ptr;
      txn_id_.assign("file=");
      txn_id_.append(txn_.file);
      txn_id_.append(",pos=");
      txn_id_.append(pos, static_cast<size_t>(end - pos));
    }
  }
  return txn_id_;
}

uint64_t& decoder::collection_events(table_info& table) {
  if (table.txn_serial == txn_serial_)
    return txn_collections_[table.txn_slot].events;
  // A new TABLE_MAP may give the same table another id: find it by name.
  size_t slot = 0;
  while (slot < txn_collections_used_
         && txn_collections_[slot].name != table.qualified_name)
    ++slot;
  if (slot == txn_collections_used_) {
    if (slot == txn_collections_.size())
      txn_collections_.emplace_back();
    txn_collections_[slot].name.assign(table.qualified_name);
    txn_collections_[slot].events = 0;
    ++txn_collections_used_;
  }
  table.txn_serial = txn_serial_;
  table.txn_slot = static_cast<uint32_t>(slot);
  return txn_collections_[slot].events;
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
  rec.headers = encoder_.headers();
  rec.header_count = encoder_.header_count();
  if (anchored_) {
    // The same row counted from the anchor instead of the transaction.
    rec.txn = &anchor_;
    rec.row_in_txn = rows_since_anchor_ - (rows_in_txn_ - row_in_txn);
  } else {
    rec.txn = &txn_;
    rec.row_in_txn = row_in_txn;
  }
  ++stats_.records;
  sink_.on_record(rec);
}

void decoder::end_transaction(uint64_t next) {
  // END comes with the commit, in the batch that moves the position past
  // the transaction; a transaction that sent nothing has none (nor BEGIN).
  if (in_txn_ && txn_events_ > 0 && !encoder_.transaction_topic().empty()) {
    encoder_.encode_transaction_end(
      transaction_id(), uint64_t{last_timestamp_} * 1000, txn_events_,
      txn_collections_.data(), txn_collections_used_);
    emit(record_kind::transaction, encoder_.transaction_topic(), rows_in_txn_);
  }
  in_txn_ = false;
  txn_has_begin_ = false;
  gtid_.clear();
  txn_events_ = 0;
  txn_collections_used_ = 0;
  if (txn_gtid_set_) {
    gtid_state_[txn_domain_] = txn_gtid_;
    write_gtid_state();
    txn_gtid_set_ = false;
  }
  if (txn_mysql_gtid_set_) {
    // Committed, rolled back or XA-prepared: MySQL counts the GTID as
    // executed either way.
    if (mysql_state_known_) {
      mysql_gtids_.add(txn_mysql_gtid_.sid, txn_mysql_gtid_.tag,
                       txn_mysql_gtid_.gno);
      write_gtid_state();
    }
    txn_mysql_gtid_set_ = false;
  }
  // A skip applies to the transaction we resumed inside, or with XA
  // transactions undecided to everything since the anchor.
  if (!anchored_)
    skip_rows_ = 0;
  ++stats_.transactions;
  sink_.on_transaction_end(position_after(next));
}

position decoder::position_after(uint64_t next) const {
  if (anchored_) {
    auto at = anchor_;
    at.skip_rows = rows_since_anchor_;
    return at;
  }
  position after;
  after.file = file_;
  after.pos = next;
  after.gtid = gtid_state_text_;
  return after;
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
  uint64_t next = offset + size;
  if (h.type == event_type::format_description) {
    format_description fd;
    if (auto err = parse_format_description(event, size, fd))
      return fail(err.code, offset, err.message);
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
  if (in_xa_ && !replaying_ && (h.type == event_type::table_map
                                || row_op_of(h.type) != row_op::none)) {
    // Not sent before its XA COMMIT: keep it until then.
    xa_current_.bytes += size;
    if (xa_current_.bytes > max_xa_bytes_)
      return fail(errc::unsupported, offset,
                  "XA transaction " + xa_xid_ + " holds more than "
                    + std::to_string(max_xa_bytes_ >> 20)
                    + " MiB of row events between XA START and XA PREPARE; "
                      "they must wait in memory until its XA COMMIT");
    xa_current_.events.push_back(
      {file_, offset,
       std::string{reinterpret_cast<const char*>(event), size}});
    return {};
  }
  return dispatch(h, event + header_size, body_size, offset, next);
}

error decoder::on_xa_prepare(const uint8_t* body, size_t size,
                             uint64_t offset, uint64_t next) {
  cursor c{body, size};
  auto one_phase = c.u8();
  auto format_id = static_cast<int32_t>(c.u32());
  auto gtrid_len = c.u32();
  auto bqual_len = c.u32();
  auto gtrid = gtrid_len <= 64 ? c.bytes(gtrid_len) : nullptr;
  auto bqual = bqual_len <= 64 ? c.bytes(bqual_len) : nullptr;
  if (!c.ok() || gtrid == nullptr || bqual == nullptr)
    return fail(errc::corrupt_event, offset, "XA_PREPARE event is corrupt");
  auto xid = xid_key(format_id, gtrid, gtrid_len, bqual, bqual_len);
  if (!in_xa_) {
    // Its XA START came before where we began reading.
    sink_.on_warning("XA PREPARE of " + xid + " at " + file_ + ":"
                     + std::to_string(offset)
                     + " without its XA START: its rows were before the "
                       "start position and are not sent");
    end_transaction(next);
    return {};
  }
  in_xa_ = false;
  auto xa = std::move(xa_current_);
  xa_current_ = {};
  if (one_phase) {
    // MySQL's XA COMMIT ... ONE PHASE: prepared and committed at once.
    if (auto err = replay_xa(xa))
      return err;
    end_transaction(next);
    return {};
  }
  if (!anchored_) {
    // From now on a restart begins at this transaction's start, and skips
    // the rows sent since.
    anchored_ = true;
    anchor_ = xa.start;
    anchor_.skip_rows = 0;
    rows_since_anchor_ = 0;
  }
  xa_pending_[xid] = std::move(xa);
  end_transaction(next);
  return {};
}

error decoder::on_xa_end(bool commit, const std::string& xid, uint64_t offset,
                         uint64_t next) {
  auto it = xa_pending_.find(xid);
  if (it == xa_pending_.end()) {
    if (commit)
      sink_.on_warning("XA COMMIT of " + xid + " at " + file_ + ":"
                       + std::to_string(offset)
                       + ": it was prepared before the start position, so "
                         "its rows are not sent");
  } else {
    auto xa = std::move(it->second);
    xa_pending_.erase(it);
    if (commit)
      if (auto err = replay_xa(xa))
        return err;
  }
  if (!in_txn_)
    begin_transaction(offset, false);
  // Once nothing is undecided, positions are plain again, after this event.
  if (xa_pending_.empty() && anchored_) {
    anchored_ = false;
    rows_since_anchor_ = 0;
  }
  end_transaction(next);
  return {};
}

error decoder::replay_xa(const xa_transaction& xa) {
  // The committed rows, sent as the rows of the transaction being read (the
  // XA COMMIT), but with the GTID and positions they were written with.
  if (!in_txn_)
    begin_transaction(xa.start.pos, true);
  auto file = file_;
  auto gtid = gtid_;
  gtid_ = xa.gtid;
  replaying_ = true;
  error result;
  for (auto& ev : xa.events) {
    file_ = ev.file;
    result = consume(reinterpret_cast<const uint8_t*>(ev.bytes.data()),
                     ev.bytes.size(), ev.offset);
    if (result)
      break;
  }
  replaying_ = false;
  file_ = std::move(file);
  gtid_ = std::move(gtid);
  return result;
}

error decoder::dispatch(const event_header& h, const uint8_t* body,
                        size_t body_size, uint64_t offset, uint64_t next) {
  switch (h.type) {
    case event_type::rotate: {
      cursor c{body, body_size};
      uint64_t pos = c.u64();
      auto name = std::string{c.str(c.remaining())};
      if (!c.ok() || name.empty())
        return fail(errc::corrupt_event, offset, "ROTATE without a file name");
      if (follow_rotate_) {
        file_ = std::move(name);
        // Between transactions the position moves to the new file at once:
        // an idle source must not leave its resume point in a file that may
        // be purged (the commit log would then point at nothing).
        // (The artificial ROTATE that opens a stream only names the start.)
        if (!in_txn_ && pos >= 4 && !(h.flags & flag_artificial))
          sink_.on_transaction_end(position_after(pos));
      }
      return {};
    }
    case event_type::query:
      return on_query(h, body, body_size, offset, next);
    case event_type::xid:
      // A wrong size means the event is not what its type code says (pre-GA
      // 5.1 builds gave 16 to TABLE_MAP): never end a transaction on it.
      if (body_size != size_t{8} + format_.post_header(h.type))
        return fail(errc::corrupt_event, offset,
                    "XID event body is " + std::to_string(body_size)
                      + " bytes, an XID event has "
                      + std::to_string(size_t{8} + format_.post_header(h.type))
                      + " (is this binlog from a server with other event "
                        "type codes?)");
      end_transaction(next); // even a commit of nothing moves the position
      return {};
    case event_type::xa_prepare:
      return on_xa_prepare(body, body_size, offset, next);
    case event_type::transaction_payload:
      return on_payload(body, body_size, offset, next);
    case event_type::mariadb_query_compressed:
      return on_compressed_query(h, body, body_size, offset, next);
    case event_type::mariadb_write_rows_compressed_v1:
    case event_type::mariadb_update_rows_compressed_v1:
    case event_type::mariadb_delete_rows_compressed_v1:
    case event_type::mariadb_write_rows_compressed:
    case event_type::mariadb_update_rows_compressed:
    case event_type::mariadb_delete_rows_compressed:
      return on_compressed_rows(h, body, body_size, offset);
    case event_type::pre_ga_write_rows:
    case event_type::pre_ga_update_rows:
    case event_type::pre_ga_delete_rows:
      // Skipping would lose rows silently.
      return fail(errc::unsupported, offset,
                  std::string{to_string(h.type)}
                    + " event: the row format of pre-GA MySQL 5.1 builds "
                      "(5.1.0 to 5.1.15 and their drop builds) is not "
                      "supported");
    case event_type::table_map:
      return on_table_map(body, body_size, offset);
    case event_type::write_rows_v1:
    case event_type::update_rows_v1:
    case event_type::delete_rows_v1:
    case event_type::write_rows_v2:
    case event_type::update_rows_v2:
    case event_type::delete_rows_v2:
    case event_type::partial_update_rows:
      return on_rows(h, body, body_size, offset);
    case event_type::mariadb_gtid: {
      cursor c{body, body_size};
      uint64_t seq = c.u64();
      uint32_t domain = c.u32();
      uint8_t flags = c.u8();
      if (flags & gtid_group_commit_id)
        c.skip(8);
      std::string xid;
      if (flags & (gtid_prepared_xa | gtid_completed_xa)) {
        auto format_id = static_cast<int32_t>(c.u32());
        auto gtrid_len = c.u8();
        auto bqual_len = c.u8();
        auto gtrid = c.bytes(gtrid_len);
        auto bqual = c.bytes(bqual_len);
        if (c.ok())
          xid = xid_key(format_id, gtrid, gtrid_len, bqual, bqual_len);
      }
      if (!c.ok())
        return fail(errc::corrupt_event, offset, "GTID event too short");
      if (in_txn_)
        return fail(errc::corrupt_event, offset,
                    "GTID event inside an open transaction");
      begin_transaction(offset, false);
      gtid_ = std::to_string(domain) + "-" + std::to_string(h.server_id)
              + "-" + std::to_string(seq);
      txn_gtid_set_ = true;
      txn_domain_ = domain;
      txn_gtid_ = {h.server_id, seq};
      // MariaDB's GTID event stands for BEGIN, except a standalone one (DDL),
      // whose transaction is its one QUERY.
      txn_has_begin_ = !(flags & gtid_standalone);
      if (flags & gtid_prepared_xa) {
        // XA START: the rows that follow wait for XA COMMIT.
        in_xa_ = true;
        xa_xid_ = std::move(xid);
        xa_current_ = {};
        xa_current_.gtid = gtid_;
        xa_current_.start = txn_;
      }
      return {};
    }
    case event_type::gtid:
    case event_type::anonymous_gtid: {
      cursor c{body, body_size};
      c.skip(1);
      auto sid = c.bytes(16);
      uint64_t gno = c.u64();
      if (!c.ok())
        return fail(errc::corrupt_event, offset, "GTID event too short");
      if (in_txn_)
        return fail(errc::corrupt_event, offset,
                    "GTID event inside an open transaction");
      begin_transaction(offset, false);
      if (h.type == event_type::gtid) {
        gtid_ = format_uuid(sid) + ":" + std::to_string(gno);
        std::memcpy(txn_mysql_gtid_.sid.data(), sid, 16);
        txn_mysql_gtid_.tag.clear();
        txn_mysql_gtid_.gno = static_cast<int64_t>(gno);
        txn_mysql_gtid_set_ = true;
      }
      return {};
    }
    case event_type::gtid_tagged: {
      if (auto err = parse_gtid_tagged(body, body_size, txn_mysql_gtid_))
        return fail(errc::corrupt_event, offset, err.message);
      if (in_txn_)
        return fail(errc::corrupt_event, offset,
                    "GTID event inside an open transaction");
      begin_transaction(offset, false);
      gtid_ = to_string(txn_mysql_gtid_);
      txn_mysql_gtid_set_ = true;
      return {};
    }
    case event_type::previous_gtids: {
      // MySQL's executed GTID set at the start of a file. Like GTID_LIST it
      // only informs positions: one we cannot read leaves the set unknown
      // (positions carry no GTID) rather than wrong.
      if (in_txn_ || !track_mysql_gtids_)
        return {};
      gtid_state_.clear();
      gtid_set at_start;
      auto err = decode_gtid_set(body, body_size, at_start);
      if (merge_previous_gtids_ && !err)
        mysql_gtids_.add(at_start);
      else
        mysql_gtids_ = std::move(at_start);
      merge_previous_gtids_ = false;
      mysql_state_known_ = !err;
      if (err) {
        mysql_gtids_.clear();
        sink_.on_warning("PREVIOUS_GTIDS at " + file_ + ":"
                         + std::to_string(offset) + " cannot be read ("
                         + err.message
                         + "): positions carry no GTID until the next file");
      }
      write_gtid_state();
      return {};
    }
    case event_type::mariadb_gtid_list: {
      // The GTID state at the start of a file. It only informs positions
      // (the file and offset are what we read by): one we cannot read is
      // skipped like any other event we do not need.
      cursor c{body, body_size};
      auto count = c.u32() & 0x0fffffffu;
      if (!c.ok() || count > c.remaining() / 16 || in_txn_)
        return {};
      gtid_state_.clear();
      mysql_state_known_ = false;
      for (uint32_t i = 0; i < count; ++i) {
        auto domain = c.u32();
        auto server = c.u32();
        auto seq = c.u64();
        gtid_state_[domain] = {server, seq};
      }
      write_gtid_state();
      return {};
    }
    case event_type::mariadb_start_encryption:
      return fail(errc::unsupported, offset,
                  "the binlog is encrypted (encrypt_binlog=ON); binlog2kafka "
                  "reads unencrypted binlogs only");
    default:
      // Everything else (heartbeats, GTID lists, checkpoints, annotations,
      // INTVAR/RAND/USER_VAR, unknown types) is skipped by its length.
      return {};
  }
}

error decoder::on_query(const event_header& h, const uint8_t* body,
                        size_t size, uint64_t offset, uint64_t next) {
  cursor c{body, size};
  auto post = format_.post_header(event_type::query);
  uint32_t thread = c.u32();
  c.skip(4); // execution time
  auto db_len = c.u8();
  c.skip(2); // error code
  uint16_t status_len = post >= 13 ? c.u16() : 0;
  if (post > 13)
    c.skip(post - 13u);
  const uint8_t* status_vars = c.bytes(status_len);
  auto db = c.str(db_len);
  c.skip(1); // the database name's NUL
  if (!c.ok())
    return fail(errc::corrupt_event, offset,
                std::string{to_string(h.type)} + " event body of "
                  + std::to_string(size) + " bytes is shorter than its "
                  + std::to_string(post) + "-byte post-header, "
                  + std::to_string(status_len)
                  + " bytes of status variables and "
                  + std::to_string(db_len + 1u)
                  + " bytes of database name");
  auto query = trim_left(c.str(c.remaining()));
  if (starts_with_word(query, "BEGIN")) {
    begin_transaction(offset, true);
    thread_ = thread;
    return {};
  }
  if (starts_with_word(query, "COMMIT") || starts_with_word(query, "ROLLBACK")
      || starts_with_word(query, "XA")) {
    if (starts_with_word(query, "XA")) {
      auto rest = trim_left(query.substr(2));
      if (starts_with_word(rest, "START") || starts_with_word(rest, "BEGIN")) {
        // MySQL's XA START (MariaDB's is in its GTID event).
        begin_transaction(offset, true);
        if (!in_xa_) {
          in_xa_ = true;
          xa_xid_ = xid_key_of_text(trim_left(rest.substr(5)));
          xa_current_ = {};
          xa_current_.gtid = gtid_;
          xa_current_.start = txn_;
        }
        return {};
      }
      if (starts_with_word(rest, "END"))
        return {};
      bool commit = starts_with_word(rest, "COMMIT");
      if (commit || starts_with_word(rest, "ROLLBACK")) {
        auto xid = xid_key_of_text(trim_left(rest.substr(commit ? 6 : 8)));
        if (!xid.empty()) {
          if (!in_txn_)
            begin_transaction(offset, false);
          return on_xa_end(commit, xid, offset, next);
        }
      }
    }
    if (starts_with_word(query, "ROLLBACK")) {
      auto rest = trim_left(query.substr(8));
      if (starts_with_word(rest, "TO"))
        return {}; // ROLLBACK TO SAVEPOINT stays inside the transaction
    }
    if (!in_txn_)
      begin_transaction(offset, false);
    end_transaction(next);
    return {};
  }
  if (in_txn_ && txn_has_begin_) {
    // A statement inside BEGIN … COMMIT: a SAVEPOINT, or the CREATE TABLE
    // of MariaDB's CREATE TABLE … SELECT, whose rows follow.
    on_statement(h, offset, thread, db, status_vars, status_len, query);
    return {};
  }
  // DDL and other statements outside a transaction stand alone.
  if (!in_txn_)
    begin_transaction(offset, false);
  on_statement(h, offset, thread, db, status_vars, status_len, query);
  end_transaction(next);
  return {};
}

void decoder::on_statement(const event_header& h, uint64_t offset,
                           uint32_t thread, std::string_view db,
                           const uint8_t* status_vars, size_t status_size,
                           std::string_view statement) {
  // Rows still to skip after a restart come after this statement, so it
  // was delivered before.
  if (encoder_.schema_topic().empty() || skip_rows_ > 0
      || !is_schema_statement(statement))
    return;
  // Keywords and quotes are ASCII in every charset a client may use, but
  // multi-byte characters may hold a backquote's byte: convert first.
  to_utf8(query_client_collation(status_vars, status_size), statement,
          statement_utf8_);
  auto database = ddl_database(statement_utf8_, db);
  if (!encoder_.database_included(database))
    return;
  encoder_.encode_schema_change(h, file_, offset, gtid_, thread, database,
                                statement_utf8_);
  emit(record_kind::schema_change, encoder_.schema_topic(), rows_in_txn_);
}

error decoder::on_table_map(const uint8_t* body, size_t size,
                            uint64_t offset) {
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
    return fail(err.code, offset, err.message);
  }
  info.raw.assign(raw);
  if (auto err = encoder_.prepare(info)) {
    tables_.erase(id);
    return fail(err.code, offset, err.message);
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
  return {};
}

bool decoder::read_image(const table_info& table, const uint8_t*& p,
                         const uint8_t* end, const uint8_t* present,
                         std::vector<value_slot>& slots) {
  auto& columns = table.map.columns;
  size_t n = columns.size();
  slots.resize(n);
  size_t present_count = popcount_prefix(present, n);
  size_t null_bytes = (present_count + 7) / 8;
  if (static_cast<size_t>(end - p) < null_bytes)
    return false;
  const uint8_t* nulls = p;
  p += null_bytes;
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    auto& slot = slots[i];
    if (!((present[i / 8] >> (i % 8)) & 1)) {
      slot.state = value_slot::absent;
      continue;
    }
    bool is_null = (nulls[k / 8] >> (k % 8)) & 1;
    ++k;
    if (is_null) {
      slot.state = value_slot::null;
      continue;
    }
    size_t size;
    if (!value_size(columns[i], p, end, size))
      return false;
    slot.state = value_slot::present;
    slot.data = p;
    slot.size = static_cast<uint32_t>(size);
    p += size;
  }
  return true;
}

error decoder::check_framing(const event_header& h, const table_info& table,
                             const uint8_t* p, const uint8_t* end,
                             const uint8_t* present1,
                             const uint8_t* present2, uint64_t offset) {
  // Frame every row before emitting any, so that a misread layout stops
  // the stream before a wrong record goes out.
  auto op = row_op_of(h.type);
  while (p < end) {
    const uint8_t* row_start = p;
    auto& first = op == row_op::insert ? after_ : before_;
    if (!read_image(table, p, end, present1, first)
        || (op == row_op::update && !read_image(table, p, end, present2,
                                                 after_)))
      return fail(errc::unsupported, offset,
                  std::string{"the rows of "} + to_string(h.type) + " on "
                    + table.qualified_name
                    + " do not fit the event: the table has TIME, DATETIME "
                      "or TIMESTAMP columns in MariaDB's pre-10.1 format, "
                      "whose fractional-second precision the binlog does "
                      "not record; ALTER TABLE ... FORCE with "
                      "mysql56_temporal_format=ON converts them");
    if (p == row_start)
      return {}; // rows of no columns: on_rows says so
  }
  return {};
}

error decoder::on_rows(const event_header& h, const uint8_t* body, size_t size,
                       uint64_t offset) {
  auto op = row_op_of(h.type);
  auto post = format_.post_header(h.type);
  cursor c{body, size};
  uint64_t table_id = post == 6 ? c.u32() : c.u48();
  c.u16(); // flags
  if (post >= 10) {
    uint16_t extra = c.u16();
    if (extra < 2)
      return fail(errc::corrupt_event, offset,
                  "rows event extra data length below 2");
    c.skip(extra - 2u); // extra row info (NDB, partitions): not needed
  }
  auto width = c.packed();
  if (!c.ok() || width > 4096)
    return fail(errc::corrupt_event, offset,
                std::string{to_string(h.type)} + " event header is corrupt");
  auto present1 = c.bytes((width + 7) / 8);
  auto present2 = op == row_op::update ? c.bytes((width + 7) / 8) : present1;
  if (!c.ok())
    return fail(errc::corrupt_event, offset,
                std::string{to_string(h.type)} + " event header is corrupt");
  auto it = tables_.find(table_id);
  if (it == tables_.end())
    return fail(errc::unknown_table, offset,
                std::string{to_string(h.type)} + " event for table id "
                  + std::to_string(table_id)
                  + " that no TABLE_MAP event announced");
  auto& table = it->second;
  if (width != table.map.columns.size())
    return fail(errc::corrupt_event, offset,
                std::string{to_string(h.type)} + " event has "
                  + std::to_string(width) + " columns but TABLE_MAP of "
                  + table.qualified_name + " has "
                  + std::to_string(table.map.columns.size()));
  if (!in_txn_)
    begin_transaction(offset, false);
  uint64_t* table_events = nullptr;
  if (!table.skipped) {
    table_events = &collection_events(table);
    encoder_.begin_event(h, file_, offset, gtid_, transaction_id(), thread_,
                         table, op);
  }
  const uint8_t* p = c.data();
  const uint8_t* end = body + size;
  if (table.map.ambiguous_temporal)
    if (auto err = check_framing(h, table, p, end, present1, present2, offset))
      return err;
  uint32_t row = event_row_base_;
  while (p < end) {
    const uint8_t* row_start = p;
    auto& first = op == row_op::insert ? after_ : before_;
    if (!read_image(table, p, end, present1, first))
      return fail(errc::corrupt_event, offset,
                  "row " + std::to_string(row) + " of "
                    + to_string(h.type) + " on " + table.qualified_name
                    + " runs past the end of the event");
    // PARTIAL_UPDATE_ROWS: which JSON values of the after-image are diffs.
    const uint8_t* partial_bits = nullptr;
    if (h.type == event_type::partial_update_rows
        && !read_partial_json_head(table.map, p, end, partial_bits))
      return fail(errc::corrupt_event, offset,
                  "value options of row " + std::to_string(row) + " on "
                    + table.qualified_name
                    + " run past the end of the event");
    if (op == row_op::update && !read_image(table, p, end, present2, after_))
      return fail(errc::corrupt_event, offset,
                  "after-image of row " + std::to_string(row) + " on "
                    + table.qualified_name
                    + " runs past the end of the event");
    if (p == row_start) // no column in the images: the rows would never end
      return fail(errc::corrupt_event, offset,
                  std::string{to_string(h.type)} + " on "
                    + table.qualified_name
                    + " has rows of no columns (empty column bitmaps)");
    if (table.map.json_columns > 0 && !table.skipped) {
      // Malformed JSON is a decoding error here, with the event's offset;
      // diffs become whole documents before the record is encoded.
      std::string why;
      bool ok = check_json_columns(table.map, first, nullptr, why)
                && (op != row_op::update
                    || (check_json_columns(table.map, after_, partial_bits, why)
                        && partial_json_.resolve(table.map, partial_bits,
                                                 before_, after_, why)));
      if (!ok)
        return fail(errc::corrupt_event, offset,
                    "row " + std::to_string(row) + " of " + to_string(h.type)
                      + " on " + table.qualified_name + ": " + why);
    }
    ++rows_in_txn_;
    if (anchored_)
      ++rows_since_anchor_;
    ++stats_.rows;
    auto this_row = row++;
    if (table.skipped) {
      if (skip_rows_ > 0)
        --skip_rows_;
      continue;
    }
    // A key change is a delete and a create: two events, as in Debezium.
    bool key_change = op == row_op::update && !table.map.primary_key.empty()
                      && encoder_.key_changed(table, before_, after_);
    // Counted before the skip: a restart numbers the rows it sends as the
    // first run did.
    auto total_order = ++txn_events_;
    auto collection_order = ++*table_events;
    if (key_change) {
      ++txn_events_;
      ++*table_events;
    }
    if (skip_rows_ > 0) {
      --skip_rows_;
      continue;
    }
    if (total_order == 1 && !encoder_.transaction_topic().empty()) {
      // BEGIN goes with the transaction's first row, which is sent with it.
      encoder_.encode_transaction_begin(transaction_id(),
                                        uint64_t{h.timestamp} * 1000);
      emit(record_kind::transaction, encoder_.transaction_topic(),
           rows_in_txn_ - 1);
    }
    if (key_change) {
      // The row is complete with the create, the last of its records.
      using part = record_encoder::key_change_part;
      encoder_.encode_key_change(part::remove, table, this_row, total_order,
                                 collection_order, before_, after_);
      emit(record_kind::change, table.topic, rows_in_txn_ - 1);
      if (encoder_.options().tombstones)
        emit(record_kind::tombstone, table.topic, rows_in_txn_ - 1);
      encoder_.encode_key_change(part::create, table, this_row,
                                 total_order + 1, collection_order + 1,
                                 before_, after_);
      emit(record_kind::change, table.topic, rows_in_txn_);
      continue;
    }
    encoder_.encode(table, this_row, total_order, collection_order,
                    op == row_op::insert ? nullptr : &before_,
                    op == row_op::remove ? nullptr : &after_);
    bool keyless = table.map.primary_key.empty();
    bool tombstone = op == row_op::remove && !keyless
                     && encoder_.options().tombstones;
    // A delete is complete with its tombstone: the skip count of a restart
    // counts rows, so it must not pass the row before the tombstone is out.
    emit(record_kind::change, table.topic,
         tombstone ? rows_in_txn_ - 1 : rows_in_txn_,
         keyless ? std::string_view{table.qualified_name} : std::string_view{});
    if (tombstone)
      emit(record_kind::tombstone, table.topic, rows_in_txn_);
  }
  // Counted per event, not per row: the hot loop stays as it was.
  auto& counts = rows_by_table_[table.rows_slot];
  auto rows = row - event_row_base_;
  if (op == row_op::insert)
    counts.inserts += rows;
  else if (op == row_op::update)
    counts.updates += rows;
  else
    counts.deletes += rows;
  event_row_base_ = row;
  return {};
}

} // namespace binlog
