#pragma once

// A replica's connection to MySQL or MariaDB over libmysqlclient (MariaDB
// Connector/C): checks the server's settings, registers, sends the binlog
// dump command and hands back each event's raw bytes for the decoder.

#include <cstddef>
#include <cstdint>
#include <string>

#include "binlog/error.hpp"
#include "binlog/format_description.hpp"
#include "binlog/gtid_set.hpp"
#include "binlog/position.hpp"

struct st_mysql;

namespace binlog {

struct connection_options {
  std::string host = "127.0.0.1";
  unsigned port = 3306;
  std::string user;
  std::string password;
  /// Our server id as a replica; must differ from every other replica's.
  uint32_t server_id = 0;
  /// The server sends a heartbeat when idle this long, so a dead connection
  /// is noticed and a quiet stream still returns control to the reader.
  unsigned heartbeat_ms = 1000;
  unsigned connect_timeout_s = 10;
  /// A read that waits this long without even a heartbeat fails.
  unsigned read_timeout_s = 30;
  /// Return at the end of the binlog instead of waiting (dump --source).
  bool non_blocking = false;
  /// TLS: on when `tls` is true or any of the paths is set.
  bool tls = false;
  bool tls_verify_identity = false;
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
};

/// A fresh handle set up as `options` say (connect timeout, TCP, TLS),
/// with reads bounded by `read_timeout_s` and writes by `write_timeout_s`
/// (0: unbounded); nullptr when out of memory.
st_mysql* new_handle(const connection_options& options, unsigned read_timeout_s,
                     unsigned write_timeout_s);

/// True when the last error on `mysql` is a TLS setup problem that no retry
/// fixes (a certificate that does not verify, a server without TLS), not a
/// dropped connection.
bool tls_setup_failed(st_mysql* mysql);

/// What to check, for the end of a TLS setup error's message.
std::string tls_failure_hint(st_mysql* mysql,
                             const connection_options& options);

/// What the server's settings are, as far as CDC cares.
struct server_settings {
  std::string version;
  bool mariadb = false;
  std::string binlog_format;
  std::string binlog_row_image;
  std::string binlog_row_metadata;
  std::string binlog_checksum;
  bool log_bin = false;
  uint32_t server_id = 0;
  /// MySQL's @@global.gtid_mode ("ON", "OFF", ...); empty on MariaDB.
  std::string gtid_mode;
};

/// The body of MySQL's COM_BINLOG_DUMP_GTID (after the command byte 0x1e;
/// see com_binlog_dump_gtid in MySQL's sql/rpl_source.cc): flags int2
/// (BINLOG_THROUGH_GTID, plus BINLOG_DUMP_NON_BLOCK if `non_blocking`),
/// server_id int4, an empty file name (int4 length 0), position int8 4,
/// then the encoded `executed` set behind its int4 length. The server sends
/// every transaction not in `executed`, from its oldest file that has one.
std::string dump_gtid_packet(uint32_t server_id, const gtid_set& executed,
                             bool non_blocking);

class replication_client {
public:
  replication_client();
  ~replication_client();
  replication_client(const replication_client&) = delete;
  replication_client& operator=(const replication_client&) = delete;

  /// Connects and reads the server's settings.
  error connect(const connection_options& options);

  const server_settings& settings() const {
    return settings_;
  }

  /// Fails with a clear message unless the server logs full row images with
  /// full metadata (binlog_format=ROW, binlog_row_metadata=FULL).
  error check_settings(bool require_full_metadata) const;

  /// The server's current binlog end (SHOW MASTER STATUS).
  error current_end(position& out);

  /// The oldest binlog file the server still has.
  error first_file(std::string& out);

  /// Registers as a replica and starts the binlog dump at `from`, by its
  /// file and offset or by its GTID state (MariaDB's @slave_connect_state,
  /// MySQL's COM_BINLOG_DUMP_GTID, which needs gtid_mode=ON).
  error start(const position& from, bool by_gtid = false);

  /// The GTID state at a file position, empty if the server cannot tell or
  /// (MySQL) has gtid_mode other than ON. MariaDB: BINLOG_GTID_POS. MySQL:
  /// the file's Previous_gtids plus its GTIDs before the position, from
  /// SHOW BINLOG EVENTS (this reads the file up to there, as
  /// BINLOG_GTID_POS does on MariaDB).
  std::string gtid_state_at(const position& at);

  /// MySQL with gtid_mode=ON: positions can carry the executed GTID set.
  bool mysql_gtids() const {
    return !settings_.mariadb && settings_.gtid_mode == "ON";
  }

  /// Blocks for the next event. On success `data`/`size` hold the whole
  /// event (header, body, checksum) until the next call. At the end of a
  /// non-blocking dump, returns no error and sets `size` to 0.
  error next(const uint8_t*& data, size_t& size);

  /// The server's checksum setting, for the decoder's first events.
  checksum_alg checksum() const {
    return checksum_;
  }

  /// True if more of the stream is already here (buffered or readable), so
  /// that next() would not wait.
  bool data_pending() const;

  /// Makes a blocked next() return; safe to call from another thread.
  void interrupt();

  void close();

private:
  error query(const std::string& sql);
  std::string mysql_gtid_set_at(const position& at);
  error mysql_failure(const std::string& what) const;
  /// A failure of the replication commands, where a denial names the
  /// missing privilege.
  error replication_failure(const std::string& what) const;

  st_mysql* mysql_ = nullptr;
  connection_options options_;
  server_settings settings_;
  checksum_alg checksum_ = checksum_alg::off;
  std::string endpoint_;
};

} // namespace binlog
