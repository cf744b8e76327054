#pragma once

// The event stream decoder: feeds on whole events, in binlog order, from a
// file or a replication connection, keeps the state that spans events
// (format description, table maps, the open transaction) and hands each row
// change to a sink as an encoded record.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "binlog/compression.hpp"
#include "binlog/error.hpp"
#include "binlog/event.hpp"
#include "binlog/format_description.hpp"
#include "binlog/gtid.hpp"
#include "binlog/gtid_set.hpp"
#include "binlog/json_diff.hpp"
#include "binlog/position.hpp"
#include "binlog/record.hpp"

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
    max_xa_bytes_ = bytes;
  }

  /// The GTID state: where reading stands, as a replica would give it to
  /// start after it. MariaDB: "domain-server-seq,..." (@slave_connect_state);
  /// a GTID_LIST event (a file's start) sets it too. MySQL: the executed GTID
  /// set "uuid:1-5,..." (COM_BINLOG_DUMP_GTID); a PREVIOUS_GTIDS event sets
  /// it too. Set it when reading starts mid-file. Fails only on a text with
  /// a ':' (MySQL's) that is not a GTID set. An empty state on MySQL stays
  /// unknown (positions carry no GTID) until the next PREVIOUS_GTIDS: a set
  /// missing earlier transactions would have them sent again.
  error set_gtid_state(std::string_view state);
  const std::string& gtid_state() const {
    return gtid_state_text_;
  }

  /// Whether a MySQL source's GTID set is kept (on by default). Off for a
  /// server with gtid_mode other than ON: its positions carry no GTID.
  void track_mysql_gtids(bool on) {
    track_mysql_gtids_ = on;
  }

  /// XA transactions prepared and not yet committed or rolled back.
  size_t xa_pending() const {
    return xa_pending_.size();
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

  /// Decodes one whole event that starts at `offset` in the current file.
  error consume(const uint8_t* event, size_t size, uint64_t offset);

  const std::string& file() const {
    return file_;
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
    return in_txn_;
  }
  /// Timestamp of the newest event (for lag), 0 before the first.
  uint32_t last_timestamp() const {
    return last_timestamp_;
  }

private:
  /// An event of an XA transaction, kept until its XA COMMIT.
  struct xa_event {
    std::string file;
    uint64_t offset = 0;
    std::string bytes; // the whole event, checksum included
  };
  struct xa_transaction {
    std::string gtid;
    position start;
    std::vector<xa_event> events;
    size_t bytes = 0;
  };

  error fail(errc code, uint64_t offset, const std::string& what) const;
  /// Decodes an event whose framing and checksum were checked: `body` is
  /// what follows the common header, without the checksum.
  error dispatch(const event_header& h, const uint8_t* body, size_t body_size,
                 uint64_t offset, uint64_t next);
  error on_payload(const uint8_t* body, size_t size, uint64_t offset,
                   uint64_t next);
  error on_compressed_query(const event_header& h, const uint8_t* body,
                            size_t size, uint64_t offset, uint64_t next);
  error on_compressed_rows(const event_header& h, const uint8_t* body,
                           size_t size, uint64_t offset);
  error on_query(const event_header& h, const uint8_t* body, size_t size,
                 uint64_t offset, uint64_t next);
  error on_table_map(const uint8_t* body, size_t size, uint64_t offset);
  error on_rows(const event_header& h, const uint8_t* body, size_t size,
                uint64_t offset);
  error check_framing(const event_header& h, const table_info& table,
                      const uint8_t* p, const uint8_t* end,
                      const uint8_t* present1, const uint8_t* present2,
                      uint64_t offset);
  bool read_image(const table_info& table, const uint8_t*& p,
                  const uint8_t* end, const uint8_t* present,
                  std::vector<value_slot>& slots);
  void begin_transaction(uint64_t offset, bool explicit_begin);
  void end_transaction(uint64_t next);
  /// A statement of a QUERY event that may belong on the schema topic.
  void on_statement(const event_header& h, uint64_t offset, uint32_t thread,
                    std::string_view db, const uint8_t* status_vars,
                    size_t status_size, std::string_view statement);
  /// The open transaction's id: its GTID, or Debezium's
  /// "file=F,pos=P" of its start.
  const std::string& transaction_id();
  /// The open transaction's row count for `table` (data_collection_order).
  uint64_t& collection_events(table_info& table);
  /// Hands the encoder's key and value to the sink.
  void emit(record_kind kind, std::string_view topic, uint64_t row_in_txn,
            std::string_view partition_key = {});
  /// Where reading resumes after everything so far, at a transaction's end.
  position position_after(uint64_t next) const;
  // XA.
  error on_xa_prepare(const uint8_t* body, size_t size, uint64_t offset,
                      uint64_t next);
  /// XA COMMIT or XA ROLLBACK of `xid`: sends or drops what it prepared.
  error on_xa_end(bool commit, const std::string& xid, uint64_t offset,
                  uint64_t next);
  /// Sends the events of a committed XA transaction as if read here.
  error replay_xa(const xa_transaction& xa);

  record_sink& sink_;
  record_encoder encoder_;
  format_description format_;
  bool verify_checksums_ = true;
  std::string file_;
  std::string origin_;
  bool follow_rotate_ = true;
  size_t max_uncompressed_ = default_max_uncompressed;
  zstd_decompressor zstd_;
  // Reused output buffers: one for TRANSACTION_PAYLOAD, one for a MariaDB
  // compressed event (which may sit inside a payload in a forged stream).
  std::vector<uint8_t> payload_buf_;
  std::vector<uint8_t> event_buf_;
  // Inside a TRANSACTION_PAYLOAD: where, for error messages.
  std::string nested_;
  // source.row of the next row in the event at the current offset: rows
  // events inside one TRANSACTION_PAYLOAD share its offset and keep counting.
  uint32_t event_row_base_ = 0;
  std::unordered_map<uint64_t, table_info> tables_;
  std::vector<value_slot> before_;
  std::vector<value_slot> after_;
  // Whole documents made from PARTIAL_UPDATE_ROWS JSON diffs.
  partial_json_resolver partial_json_;
  // The open transaction.
  bool in_txn_ = false;
  bool txn_has_begin_ = false;
  position txn_;
  uint64_t rows_in_txn_ = 0;
  uint64_t skip_rows_ = 0;
  std::string gtid_; // GTID of the open transaction, for source.gtid
  // Transaction metadata of the open transaction: its id, the thread id of
  // its BEGIN (-1 if none), its rows of sent tables so far (total_order,
  // counted also while skip_rows skips them, so that a restart numbers them
  // the same) and the same per table, in the order they came.
  std::string txn_id_;
  int64_t thread_ = -1;
  uint64_t txn_events_ = 0;
  uint64_t txn_serial_ = 0; // tells transactions apart for table_info
  std::vector<collection_count> txn_collections_;
  size_t txn_collections_used_ = 0;
  std::string statement_utf8_; // a schema statement converted to UTF-8
  // XA transactions: their rows reach the binlog at XA PREPARE, but may be
  // sent only once XA COMMIT says so (XA ROLLBACK drops them). Between the
  // two, their TABLE_MAP and rows events wait here, and a restart must begin
  // at the oldest undecided one's start (the anchor), skipping the rows sent
  // since then.
  bool in_xa_ = false;        // between XA START and XA PREPARE
  std::string xa_xid_;        // of the XA transaction being read
  xa_transaction xa_current_;
  std::map<std::string, xa_transaction> xa_pending_; // by xid
  size_t max_xa_bytes_ = size_t{256} << 20;
  bool replaying_ = false;
  // MariaDB's GTID state, as of the last transaction that ended, and the
  // GTID of the open transaction, which joins it at its end.
  struct gtid_entry {
    uint32_t server = 0;
    uint64_t seq = 0;
  };
  std::map<uint32_t, gtid_entry> gtid_state_;
  std::string gtid_state_text_;
  bool txn_gtid_set_ = false;
  uint32_t txn_domain_ = 0;
  gtid_entry txn_gtid_;
  // MySQL's executed GTID set in the same way: known from a PREVIOUS_GTIDS
  // event or set_gtid_state(), and the open transaction's GTID, which joins
  // it at its end. gtid_state_text_ shows whichever the source has.
  bool track_mysql_gtids_ = true;
  bool mysql_state_known_ = false;
  // The first PREVIOUS_GTIDS after set_gtid_state() joins the set given
  // instead of replacing it: a dump started by GTID skips the transactions
  // of that file we have, so they would be missing otherwise.
  bool merge_previous_gtids_ = false;
  gtid_set mysql_gtids_;
  bool txn_mysql_gtid_set_ = false;
  mysql_gtid txn_mysql_gtid_;
  void write_gtid_state();
  // With XA transactions undecided: where a restart begins, and the rows
  // counted since.
  bool anchored_ = false;
  position anchor_;
  uint64_t rows_since_anchor_ = 0;
  uint32_t last_timestamp_ = 0;
  decoder_stats stats_;
  // Per-table row counts; a table's slot is found by name only when its
  // TABLE_MAP is parsed, so a rows event adds to it without a lookup.
  std::vector<table_rows> rows_by_table_;
  std::unordered_map<std::string, uint32_t> rows_slots_;
};

} // namespace binlog
