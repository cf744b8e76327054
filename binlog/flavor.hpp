#pragma once

// What differs between a MySQL and a MariaDB source, as far as the decoder
// cares: their kinds of GTID and the GTID state that a position carries.
// MariaDB keeps one GTID per replication domain ("domain-server-seq,...",
// what @slave_connect_state takes); MySQL keeps the set of executed
// transactions ("uuid:1-5,...", what COM_BINLOG_DUMP_GTID takes), and only
// with gtid_mode=ON. Either state is set from outside (where reading
// starts), from the event at a file's start (GTID_LIST, PREVIOUS_GTIDS) and
// grows by each transaction's GTID when the transaction ends.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "binlog/error.hpp"
#include "binlog/gtid.hpp"
#include "binlog/gtid_set.hpp"

namespace binlog {

class flavor {
public:
  /// Sets the state: a MySQL GTID set if `text` holds a ':', else MariaDB's
  /// "domain-server-seq,..." (unreadable items are left out). Fails
  /// (errc::unsupported) on a text with a ':' that is not a GTID set. A
  /// MySQL set is taken only while MySQL GTIDs are tracked, and joins the
  /// set of the next PREVIOUS_GTIDS instead of giving way to it: a dump
  /// started by GTID skips what that file holds of it.
  error set_state(std::string_view text);

  /// The state as of the last transaction that ended, as text; empty when
  /// unknown.
  const std::string& state() const {
    return state_text_;
  }

  /// Whether a MySQL source's GTID set is kept (on by default). Off for a
  /// server with gtid_mode other than ON: its positions carry no GTID.
  void track_mysql_gtids(bool on) {
    track_mysql_ = on;
  }

  /// MariaDB's GTID_LIST at a file's start: the state from now on. One that
  /// cannot be read is skipped (the state only informs positions).
  void on_gtid_list(const uint8_t* body, size_t size);

  /// MySQL's PREVIOUS_GTIDS at a file's start: the executed set from now
  /// on. One that cannot be read leaves the state unknown (positions carry
  /// no GTID) rather than wrong, and is returned for a warning.
  error on_previous_gtids(const uint8_t* body, size_t size);

  /// A transaction opened by `event`: its GTID joins the state when it
  /// ends.
  void begin(const gtid_event& event);

  /// The open transaction's GTID as source.gtid shows it ("" if none).
  const std::string& transaction_gtid() const {
    return transaction_gtid_;
  }
  /// Puts `gtid` in place of the open transaction's for a while (events of
  /// an XA transaction sent at its XA COMMIT carry the GTID they were
  /// written with); returns the one it replaces.
  std::string swap_transaction_gtid(std::string gtid) {
    std::swap(gtid, transaction_gtid_);
    return gtid;
  }

  /// The open transaction ended (committed, rolled back or XA-prepared:
  /// either way its GTID counts as executed): its GTID joins the state.
  void end();

  /// Reading starts elsewhere: the open transaction's MySQL GTID is not
  /// part of it.
  void forget_open() {
    open_mysql_ = false;
  }

private:
  void write_state();

  // MariaDB: the GTID per domain.
  std::map<uint32_t, mariadb_gtid> domains_;
  std::vector<mariadb_gtid> gtid_list_; // reused by on_gtid_list
  // MySQL: the executed set, when known; merge_previous_: see set_state().
  bool track_mysql_ = true;
  bool mysql_known_ = false;
  bool merge_previous_ = false;
  gtid_set executed_;
  // The state's text: the MySQL set when known, else MariaDB's domains.
  std::string state_text_;
  // The open transaction's GTID.
  std::string transaction_gtid_;
  bool open_mariadb_ = false;
  mariadb_gtid open_mariadb_gtid_;
  bool open_mysql_ = false;
  mysql_gtid open_mysql_gtid_;
};

} // namespace binlog
