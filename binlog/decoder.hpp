#pragma once

// The event stream decoder: feeds on whole events, in binlog order, from a
// file or a replication connection, and hands each row change to a sink as
// an encoded record. Each event family has its parser (event.hpp,
// table_map.hpp, rows_event.hpp, query_event.hpp, gtid.hpp, xa.hpp, ...);
// the state that spans events has its owner: where a restart begins
// (stream_position), the open transaction's metadata, XA transactions
// waiting for their decision (xa_buffer) and the GTID state of a MySQL or
// MariaDB source (flavor). The decoder only dispatches and wires them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "binlog/compression.hpp"
#include "binlog/error.hpp"
#include "binlog/event.hpp"
#include "binlog/flavor.hpp"
#include "binlog/format_description.hpp"
#include "binlog/gtid.hpp"
#include "binlog/position.hpp"
#include "binlog/query_event.hpp"
#include "binlog/record.hpp"
#include "binlog/rows_event.hpp"
#include "binlog/stream_position.hpp"
#include "binlog/transaction_metadata.hpp"
#include "binlog/xa.hpp"

namespace binlog {

/// Receives what the decoder finds.
class record_sink {
public:
  virtual ~record_sink();

  /// One record, encoded: a row change, or (when the options ask for
  /// them) a tombstone, a schema change or a transaction boundary.
  virtual void on_record(const row_record& record) = 0;

  /// A transaction (or a statement outside one, such as DDL) ended; reading
  /// resumes at `next` after everything before it is delivered.
  virtual void on_transaction_end(const position& next) = 0;

  /// Something the user should hear of that does not stop decoding.
  virtual void on_warning(const std::string& what);
};

/// Counters for progress lines and metrics.
struct decoder_stats {
  uint64_t events = 0;
  uint64_t rows = 0;
  uint64_t records = 0;
  uint64_t transactions = 0;
  uint64_t bytes = 0;
  std::array<uint64_t, 256> events_by_type{};
};

/// Rows of one table read so far, by operation (skipped tables included),
/// for per-table metrics.
struct table_rows {
  std::string table; // "db.table"
  std::string topic;
  bool skipped = false;
  uint64_t inserts = 0;
  uint64_t updates = 0;
  uint64_t deletes = 0;
};

class decoder {
public:
  decoder(record_encoder encoder, record_sink& sink);

  /// Where the events that follow come from. A non-zero `skip_rows` drops
  /// that many rows of the first transaction (they were delivered before).
  void start_at(const position& from);

  /// The most bytes of events an XA transaction may hold between its
  /// PREPARE and its COMMIT (they wait in memory).
  void set_max_xa_bytes(size_t bytes) {
    xa_.set_max_bytes(bytes);
  }

  /// The GTID state: where reading stands, as a replica would give it to
  /// start after it. MariaDB: "domain-server-seq,..." (@slave_connect_state);
  /// a GTID_LIST event (a file's start) sets it too. MySQL: the executed GTID
  /// set "uuid:1-5,..." (COM_BINLOG_DUMP_GTID); a PREVIOUS_GTIDS event sets
  /// it too. Set it when reading starts mid-file. Fails only on a text with
  /// a ':' (MySQL's) that is not a GTID set. An empty state on MySQL stays
  /// unknown (positions carry no GTID) until the next PREVIOUS_GTIDS: a set
  /// missing earlier transactions would have them sent again.
  error set_gtid_state(std::string_view state) {
    return flavor_.set_state(state);
  }
  const std::string& gtid_state() const {
    return flavor_.state();
  }

  /// Whether a MySQL source's GTID set is kept (on by default). Off for a
  /// server with gtid_mode other than ON: its positions carry no GTID.
  void track_mysql_gtids(bool on) {
    flavor_.track_mysql_gtids(on);
  }

  /// XA transactions prepared and not yet committed or rolled back.
  size_t xa_pending() const {
    return xa_.pending();
  }

  /// Whether to check CRC32s (on by default).
  void verify_checksums(bool on) {
    verify_checksums_ = on;
  }

  /// Names the input in error messages (a file's path); without it they
  /// name the binlog file that the events belong to.
  void set_origin(std::string origin) {
    origin_ = std::move(origin);
  }

  /// Whether a ROTATE event renames the current file (on by default, as a
  /// replication stream needs). Off for a file read from disk: its records
  /// must name that file, even when it is a relay log whose ROTATE events
  /// name the source's binlog.
  void follow_rotate(bool on) {
    follow_rotate_ = on;
  }

  /// The largest decompressed TRANSACTION_PAYLOAD or MariaDB compressed
  /// event accepted; a header announcing more is an error, not an
  /// allocation.
  void set_max_uncompressed(size_t bytes) {
    max_uncompressed_ = bytes;
  }

  /// The checksum setting of a stream before its FORMAT_DESCRIPTION arrives
  /// (the server's fake ROTATE comes first).
  void assume_checksum(checksum_alg alg) {
    format_.checksum = alg;
  }

  /// Whether to check that rows can be captured (off by default; `run`
  /// turns it on, `dump` decodes what it finds): a row change of an
  /// included table logged as a statement (binlog_format STATEMENT or
  /// MIXED) or a TABLE_MAP of an included table without column names
  /// (binlog_row_metadata not FULL) stops decoding with errc::server_config;
  /// partial row images (binlog_row_image MINIMAL or NOBLOB) of an included
  /// table are sent as they are, with one warning per table.
  void check_capture(bool on) {
    check_capture_ = on;
  }

  /// Decodes one whole event that starts at `offset` in the current file.
  error consume(const uint8_t* event, size_t size, uint64_t offset);

  const std::string& file() const {
    return pos_.file();
  }
  const decoder_stats& stats() const {
    return stats_;
  }
  /// Every table seen, in the order first seen; entries stay where they
  /// are (an index names a table for as long as the decoder lives).
  const std::vector<table_rows>& rows_by_table() const {
    return rows_by_table_;
  }
  const format_description& format() const {
    return format_;
  }
  bool in_transaction() const {
    return pos_.open();
  }
  /// Timestamp of the newest event (for lag), 0 before the first.
  uint32_t last_timestamp() const {
    return last_timestamp_;
  }

private:
  error fail(errc code, uint64_t offset, const std::string& what) const;
  error fail(const error& err, uint64_t offset) const {
    return fail(err.code, offset, err.message);
  }
  /// Decodes an event whose framing and checksum were checked: `body` is
  /// what follows the common header, without the checksum.
  error dispatch(const event_header& h, const uint8_t* body, size_t size,
                 uint64_t offset, uint64_t next);
  // One handler per event family.
  error on_rotate(const event_header& h, const uint8_t* body, size_t size,
                  uint64_t offset);
  error on_xid(const event_header& h, const uint8_t* body, size_t size,
               uint64_t offset, uint64_t next);
  error on_query(const event_header& h, const uint8_t* body, size_t size,
                 uint64_t offset, uint64_t next);
  error on_query(const event_header& h, const query_event& query,
                 uint64_t offset, uint64_t next);
  error on_table_map(const uint8_t* body, size_t size, uint64_t offset);
  error on_rows(const event_header& h, const uint8_t* body, size_t size,
                uint64_t offset);
  /// The row images of a rows event, at [p, end).
  error on_row_images(const event_header& h, rows_event event, const uint8_t* p,
                      const uint8_t* end, uint64_t offset);
  error on_gtid(const event_header& h, const uint8_t* body, size_t size,
                uint64_t offset);
  /// GTID_LIST or PREVIOUS_GTIDS: the GTID state at a file's start.
  error on_gtid_state(const event_header& h, const uint8_t* body, size_t size,
                      uint64_t offset);
  error on_xa_prepare(const uint8_t* body, size_t size, uint64_t offset,
                      uint64_t next);
  /// XA COMMIT or XA ROLLBACK of `xid`: sends or drops what it prepared.
  error on_xa_end(bool commit, const std::string& xid, uint64_t offset,
                  uint64_t next);
  /// Sends the events of a committed XA transaction as if read here.
  error replay_xa(const xa_transaction& xa);
  /// Events we cannot decode and must not skip.
  error on_unsupported(const event_header& h, uint64_t offset);
  // Compressed events (compressed_events.cpp).
  error on_payload(const uint8_t* body, size_t size, uint64_t offset,
                   uint64_t next);
  error on_compressed_query(const event_header& h, const uint8_t* body,
                            size_t size, uint64_t offset, uint64_t next);
  error on_compressed_rows(const event_header& h, const uint8_t* body,
                           size_t size, uint64_t offset);
  /// Inflates MariaDB's compressed part of an event at [p, end) into
  /// event_buf_.
  error inflate(const uint8_t* p, const uint8_t* end);

  void begin_transaction(uint64_t offset, bool explicit_begin);
  void end_transaction(uint64_t next);
  /// check_capture: fails if `statement` changes rows of an included table.
  error check_statement(const query_event& query, std::string_view statement,
                        uint64_t offset, uint64_t next);
  /// check_capture: warns once per table of partial row images.
  void check_row_image(const rows_event& event, table_info& table);
  /// A statement of a QUERY event that may belong on the schema topic.
  void on_statement(const event_header& h, uint64_t offset,
                    const query_event& query, std::string_view statement);
  /// The open transaction's id.
  const std::string& transaction_id() {
    return meta_.id(flavor_.transaction_gtid(), pos_.start());
  }
  /// Hands the encoder's key and value to the sink.
  void emit(record_kind kind, std::string_view topic, uint64_t row_in_txn,
            std::string_view partition_key = {});

  record_sink& sink_;
  record_encoder encoder_;
  format_description format_;
  bool verify_checksums_ = true;
  std::string origin_;
  bool follow_rotate_ = true;
  bool check_capture_ = false;
  // Tables warned of for partial row images (table ids change, names stay).
  std::unordered_set<std::string> partial_warned_;
  std::vector<statement_table> statement_tables_;
  std::unordered_map<uint64_t, table_info> tables_;
  stream_position pos_;
  /// "db.table" of the rows event being emitted.
  std::string_view rows_table_;
  flavor flavor_;
  transaction_metadata meta_;
  xa_buffer xa_;
  row_reader rows_;
  // source.row of the next row in the event at the current offset: rows
  // events inside one TRANSACTION_PAYLOAD share its offset and keep counting.
  uint32_t event_row_base_ = 0;
  // Parsed events and texts, reused.
  gtid_event gtid_event_;
  std::string xid_;
  std::string statement_utf8_; // a schema statement converted to UTF-8
  // Compressed events: the limit, the zstd context and reused output
  // buffers, one for TRANSACTION_PAYLOAD, one for a MariaDB compressed
  // event (which may sit inside a payload in a forged stream).
  size_t max_uncompressed_ = default_max_uncompressed;
  zstd_decompressor zstd_;
  std::vector<uint8_t> payload_buf_;
  std::vector<uint8_t> event_buf_;
  // Inside a TRANSACTION_PAYLOAD: where, for error messages.
  std::string nested_;
  // Replaying a committed XA transaction's events.
  bool replaying_ = false;
  uint32_t last_timestamp_ = 0;
  decoder_stats stats_;
  // Per-table row counts; a table's slot is found by name only when its
  // TABLE_MAP is parsed, so a rows event adds to it without a lookup.
  std::vector<table_rows> rows_by_table_;
  std::unordered_map<std::string, uint32_t> rows_slots_;
};

} // namespace binlog
