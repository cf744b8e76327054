#pragma once

// XA transactions. Their rows reach the binlog at XA PREPARE, but may be
// sent only once XA COMMIT says so (XA ROLLBACK drops them), which may come
// files later. Here: one spelling for an xid, MySQL's XA_PREPARE event, and
// the buffer that keeps a prepared transaction's events until then.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "binlog/error.hpp"
#include "binlog/position.hpp"

namespace binlog {

/// One spelling for an XA id, whether it comes in binary (MariaDB's GTID
/// event, XA_PREPARE) or as text (XA COMMIT's X'..',X'..',N):
/// "formatID:gtrid-in-hex:bqual-in-hex".
std::string xid_key(int64_t format_id, const uint8_t* gtrid, size_t gtrid_len,
                    const uint8_t* bqual, size_t bqual_len);

/// The key of "X'6162',X'',1" (how XA statements name their xid in the
/// binlog), or "" if `text` is not that.
std::string xid_key_of_text(std::string_view text);

/// MySQL's XA_PREPARE event: the end of an XA transaction's first phase.
struct xa_prepare_event {
  /// XA COMMIT ... ONE PHASE: prepared and committed at once.
  bool one_phase = false;
  std::string xid; // xid_key()
};

/// Reads the body of an XA_PREPARE event (after the common header, without
/// the checksum). Fails with errc::corrupt_event.
error parse_xa_prepare(const uint8_t* body, size_t size, xa_prepare_event& out);

/// An event of an XA transaction, kept until its XA COMMIT.
struct xa_event {
  std::string file;
  uint64_t offset = 0;
  std::string bytes; // the whole event, checksum included
};

/// The TABLE_MAP and rows events of one XA transaction, with the GTID and
/// the start they were written with.
struct xa_transaction {
  std::string gtid;
  position start;
  std::vector<xa_event> events;
  size_t bytes = 0;
};

/// The XA transaction being read (between XA START and XA PREPARE) and the
/// prepared ones that wait for their decision, by xid.
class xa_buffer {
public:
  /// The most bytes of events one transaction may hold (they wait in
  /// memory).
  void set_max_bytes(size_t bytes) {
    max_bytes_ = bytes;
  }
  size_t max_bytes() const {
    return max_bytes_;
  }

  /// Between XA START and XA PREPARE: the TABLE_MAP and rows events read
  /// now belong to the transaction and wait here.
  bool reading() const {
    return reading_;
  }

  /// XA START of `xid`, written with `gtid`, at `start`.
  void start(std::string xid, const std::string& gtid, const position& start);

  /// Keeps a whole event of the transaction being read. Fails
  /// (errc::unsupported) once the transaction holds more than the limit.
  error keep(const std::string& file, uint64_t offset, const uint8_t* event,
             size_t size);

  /// XA PREPARE: the transaction read since XA START, which is no longer
  /// being read.
  xa_transaction prepared();

  /// A prepared transaction waits for XA COMMIT or XA ROLLBACK of `xid`.
  void hold(const std::string& xid, xa_transaction xa) {
    pending_[xid] = std::move(xa);
  }

  /// The prepared transaction of `xid`, taken out; false if there is none
  /// (it was prepared before reading began).
  bool take(const std::string& xid, xa_transaction& out);

  /// Prepared transactions not yet decided.
  size_t pending() const {
    return pending_.size();
  }

  /// Reading starts elsewhere: what was being read is not part of it.
  /// Prepared transactions stay: their COMMIT may come in a later file.
  void stop_reading() {
    reading_ = false;
  }

private:
  bool reading_ = false;
  std::string xid_; // of the transaction being read, for messages
  xa_transaction current_;
  std::map<std::string, xa_transaction> pending_;
  size_t max_bytes_ = size_t{256} << 20;
};

} // namespace binlog
