#include "binlog/replication_client.hpp"

#include <cstdlib>
#include <cstring>
#include <string_view>

#include <mysql.h>
// After mysql.h, which declares what it uses.
#include <ma_pvio.h>

#include <poll.h>
#include <sys/socket.h>

#include "binlog/bytes.hpp"
#include "binlog/connect_failure.hpp"

namespace binlog {

namespace {

constexpr unsigned error_access_denied = 1045;
constexpr unsigned error_specific_access_denied = 1227;
constexpr unsigned error_binlog_read =
  1236; // ER_MASTER_FATAL_ERROR_READING_BINLOG
constexpr uint16_t dump_non_block = 1;
// COM_BINLOG_DUMP_GTID: the command byte (Connector/C names it
// COM_UNSUPPORTED) and its flag for "start after this GTID set".
constexpr int com_binlog_dump_gtid = 0x1e;
constexpr uint16_t dump_through_gtid = 4;

// MariaDB sends GTID and annotate events as themselves, not as QUERY events,
// only to replicas that say they understand them.
constexpr int mariadb_slave_capability_mine = 4;

void put_le(std::string& out, uint64_t x, size_t n) {
  for (size_t i = 0; i < n; ++i)
    out.push_back(static_cast<char>((x >> (8 * i)) & 0xff));
}

std::string upper(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
  return s;
}

constexpr unsigned error_ssl_connection = 2026; // CR_SSL_CONNECTION_ERROR

} // namespace

std::string dump_gtid_packet(uint32_t server_id, const gtid_set& executed,
                             bool non_blocking) {
  auto set = executed.encode();
  std::string out;
  put_le(out, dump_through_gtid | (non_blocking ? dump_non_block : 0), 2);
  put_le(out, server_id, 4);
  put_le(out, 0, 4); // no file name: the server finds the file
  put_le(out, 4, 8); // the position in that file: its first event
  put_le(out, set.size(), 4);
  out += set;
  return out;
}

std::string tls_failure_hint(st_mysql* mysql,
                             const connection_options& options) {
  std::string_view text = mysql_error(mysql);
  // The chain is checked in the handshake (OpenSSL's reason), the host name
  // after it (the client library's own words).
  if (options.tls_verify_identity
      && text.find("Validation of SSL server certificate failed")
           != std::string_view::npos)
    return " (source-tls = verify-identity: the server's certificate does "
           "not name the host '"
           + options.host
           + "' of source; connect by a name it holds, or use verify-ca)";
  if (!options.tls_ca.empty()
      && (text.find("certificate") != std::string_view::npos
          || text.find("verif") != std::string_view::npos))
    return " (the server's certificate does not verify against "
           "source-tls-ca '"
           + options.tls_ca + "')";
  return " (TLS to the source: check source-tls, source-tls-ca, "
         "source-tls-cert, source-tls-key and the server's TLS setup)";
}

namespace {

// Sets up TLS on a fresh handle (before mysql_real_connect) as `options`
// say: none, or required with the CA (chain checked when given), the client
// certificate and key, and the host name check for verify-identity.
void apply_tls(st_mysql* mysql, const connection_options& options) {
  bool use_tls = options.tls || !options.tls_ca.empty()
                 || !options.tls_cert.empty();
  if (!use_tls)
    return;
  auto path = [](const std::string& p) {
    return p.empty() ? nullptr : p.c_str();
  };
  // With a CA the server's certificate chain is verified during the
  // handshake; the host name check is extra (verify-identity).
  mysql_ssl_set(mysql, path(options.tls_key), path(options.tls_cert),
                path(options.tls_ca), nullptr, nullptr);
  my_bool enforce = 1;
  mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &enforce);
  my_bool verify = options.tls_verify_identity ? 1 : 0;
  mysql_optionsv(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
}

} // namespace

st_mysql* new_handle(const connection_options& options, unsigned read_timeout_s,
                     unsigned write_timeout_s) {
  st_mysql* mysql = mysql_init(nullptr);
  if (mysql == nullptr)
    return nullptr;
  unsigned connect_timeout = options.connect_timeout_s;
  mysql_optionsv(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  if (read_timeout_s > 0)
    mysql_optionsv(mysql, MYSQL_OPT_READ_TIMEOUT, &read_timeout_s);
  if (write_timeout_s > 0)
    mysql_optionsv(mysql, MYSQL_OPT_WRITE_TIMEOUT, &write_timeout_s);
  unsigned protocol = MYSQL_PROTOCOL_TCP;
  mysql_optionsv(mysql, MYSQL_OPT_PROTOCOL, &protocol);
  apply_tls(mysql, options);
  return mysql;
}

bool tls_setup_failed(st_mysql* mysql) {
  if (mysql_errno(mysql) != error_ssl_connection)
    return false;
  // The same code covers a connection dropped during the handshake, which a
  // retry may fix: only messages about certificates, keys or the server's
  // lack of TLS are setup problems.
  std::string_view text = mysql_error(mysql);
  for (auto word :
       {"certificate", "verif", "not support", "self-signed", "self signed",
        "hostname", "host name", "issuer", "PEM", "key values mismatch",
        "no such file", "No such file", "unable to", "Unable to"})
    if (text.find(word) != std::string_view::npos)
      return true;
  return false;
}

replication_client::replication_client() = default;

replication_client::~replication_client() {
  close();
}

void replication_client::close() {
  if (mysql_ != nullptr) {
    mysql_close(mysql_);
    mysql_ = nullptr;
  }
}

void replication_client::interrupt() {
  if (mysql_ != nullptr) {
    auto fd = mysql_get_socket(mysql_);
    if (fd >= 0)
      ::shutdown(fd, SHUT_RDWR);
  }
}

bool replication_client::data_pending() const {
  if (mysql_ == nullptr)
    return false;
  auto pvio = mysql_->net.pvio;
  if (pvio != nullptr && pvio->cache != nullptr
      && pvio->cache_pos < pvio->cache + pvio->cache_size)
    return true;
  pollfd pfd{mysql_get_socket(mysql_), POLLIN, 0};
  return ::poll(&pfd, 1, 0) > 0;
}

error replication_client::mysql_failure(const std::string& what) const {
  auto code = mysql_errno(mysql_);
  std::string text = what + " on " + endpoint_ + ": " + mysql_error(mysql_);
  if (auto reason = connect_failure_reason(code, mysql_error(mysql_),
                                           options_.host, options_.port);
      !reason.empty())
    text += ": " + reason;
  if (code == error_access_denied || code == error_specific_access_denied)
    return {errc::access_denied, text};
  if (code == error_binlog_read)
    return {errc::position_purged, text};
  if (tls_setup_failed(mysql_))
    return {errc::server_config, text + tls_failure_hint(mysql_, options_)};
  if (code >= 2000 && code < 3000) // client-side: connection problems
    return {errc::connection, text};
  return {errc::connection, text};
}

error replication_client::replication_failure(const std::string& what) const {
  auto code = mysql_errno(mysql_);
  // The user logged in a moment ago: a denial now is the privilege (MariaDB
  // says "Access denied for user ... (using password: YES)" to
  // COM_REGISTER_SLAVE without it), not the password.
  if (code == error_access_denied || code == error_specific_access_denied)
    return {errc::access_denied,
            what + " on " + endpoint_ + ": the user '" + options_.user
              + "' lacks the REPLICATION SLAVE privilege (the server says: "
              + mysql_error(mysql_) + "); GRANT REPLICATION SLAVE ON *.* TO "
              + "it"};
  return mysql_failure(what);
}

error replication_client::query(const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
    return mysql_failure("query '" + sql + "' failed");
  if (auto res = mysql_store_result(mysql_))
    mysql_free_result(res);
  return {};
}

error replication_client::connect(const connection_options& options) {
  close();
  options_ = options;
  endpoint_ = options.host + ":" + std::to_string(options.port);
  mysql_ = new_handle(options, options.read_timeout_s, 0);
  if (mysql_ == nullptr)
    return {errc::connection, "out of memory creating a MySQL connection"};
  if (mysql_real_connect(mysql_, options.host.c_str(), options.user.c_str(),
                         options.password.c_str(), nullptr, options.port,
                         nullptr, 0)
      == nullptr)
    return mysql_failure("cannot connect as '" + options.user + "'");
  const char* sql =
    "SELECT @@version, @@global.binlog_format, "
    "@@global.binlog_row_image, @@global.binlog_checksum, "
    "@@global.log_bin, @@global.server_id";
  if (mysql_query(mysql_, sql) != 0)
    return mysql_failure("reading the server's settings failed");
  auto res = mysql_store_result(mysql_);
  if (res == nullptr)
    return mysql_failure("reading the server's settings failed");
  if (auto row = mysql_fetch_row(res)) {
    auto get = [&](int i) { return std::string{row[i] ? row[i] : ""}; };
    settings_.version = get(0);
    settings_.binlog_format = upper(get(1));
    settings_.binlog_row_image = upper(get(2));
    settings_.binlog_checksum = upper(get(3));
    settings_.log_bin = get(4) == "1" || upper(get(4)) == "ON";
    settings_.server_id = static_cast<uint32_t>(std::stoul("0" + get(5)));
  }
  mysql_free_result(res);
  settings_.mariadb = settings_.version.find("MariaDB") != std::string::npos;
  // binlog_row_metadata exists from MySQL 8.0.1 and MariaDB 10.5.
  settings_.binlog_row_metadata.clear();
  if (mysql_query(mysql_, "SELECT @@global.binlog_row_metadata") == 0) {
    if (auto r = mysql_store_result(mysql_)) {
      if (auto row = mysql_fetch_row(r))
        settings_.binlog_row_metadata = upper(row[0] ? row[0] : "");
      mysql_free_result(r);
    }
  }
  settings_.gtid_mode.clear();
  if (!settings_.mariadb
      && mysql_query(mysql_, "SELECT @@global.gtid_mode") == 0) {
    if (auto r = mysql_store_result(mysql_)) {
      if (auto row = mysql_fetch_row(r))
        settings_.gtid_mode = upper(row[0] ? row[0] : "");
      mysql_free_result(r);
    }
  }
  checksum_ = settings_.binlog_checksum == "CRC32" ? checksum_alg::crc32
                                                   : checksum_alg::off;
  return {};
}

error replication_client::check_settings(bool require_full_metadata) const {
  auto where = " on " + endpoint_;
  if (!settings_.log_bin)
    return {errc::server_config,
            "the server" + where
              + " does not write a binary log (log_bin is OFF): start it "
                "with log_bin=ON, binlog_format=ROW, binlog_row_metadata=FULL"};
  if (settings_.binlog_format != "ROW")
    return {errc::server_config,
            "binlog_format is " + settings_.binlog_format + where
              + "; binlog2kafka needs ROW: SET GLOBAL binlog_format=ROW and "
                "set it in the server's config file"};
  if (require_full_metadata && settings_.binlog_row_metadata != "FULL")
    return {errc::server_config,
            "binlog_row_metadata is "
              + (settings_.binlog_row_metadata.empty()
                   ? std::string{"not supported"}
                   : settings_.binlog_row_metadata)
              + where
              + "; binlog2kafka needs FULL to name columns (MySQL 8.0.1+ or "
                "MariaDB 10.5+): SET GLOBAL binlog_row_metadata=FULL and set "
                "it in the server's config file"};
  if (settings_.server_id == options_.server_id)
    return {errc::server_config, "our replica server id "
                                   + std::to_string(options_.server_id)
                                   + " equals the server's own server_id"
                                   + where + "; choose another server-id"};
  return {};
}

error replication_client::current_end(position& out) {
  for (auto sql : {"SHOW MASTER STATUS", "SHOW BINARY LOG STATUS"}) {
    if (mysql_query(mysql_, sql) != 0)
      continue;
    auto res = mysql_store_result(mysql_);
    if (res == nullptr)
      continue;
    auto row = mysql_fetch_row(res);
    if (row != nullptr && row[0] != nullptr && row[1] != nullptr) {
      out = position{};
      out.file = row[0];
      out.pos = std::stoull(row[1]);
      mysql_free_result(res);
      return {};
    }
    mysql_free_result(res);
  }
  return {errc::server_config,
          "cannot read the binlog position" + (" on " + endpoint_)
            + " (SHOW MASTER STATUS returned nothing): is log_bin on and "
              "does the user have REPLICATION CLIENT (BINLOG MONITOR)?"};
}

error replication_client::first_file(std::string& out) {
  if (mysql_query(mysql_, "SHOW BINARY LOGS") != 0)
    return mysql_failure("SHOW BINARY LOGS failed");
  auto res = mysql_store_result(mysql_);
  if (res == nullptr)
    return mysql_failure("SHOW BINARY LOGS failed");
  auto row = mysql_fetch_row(res);
  if (row != nullptr && row[0] != nullptr)
    out = row[0];
  mysql_free_result(res);
  if (out.empty())
    return {errc::server_config,
            "the server on " + endpoint_ + " lists no binary logs"};
  return {};
}

std::string replication_client::gtid_state_at(const position& at) {
  if (!settings_.mariadb)
    return mysql_gtid_set_at(at);
  std::string file(at.file.size() * 2 + 1, '\0');
  file.resize(mysql_real_escape_string(mysql_, file.data(), at.file.data(),
                                       at.file.size()));
  auto sql = "SELECT BINLOG_GTID_POS('" + file + "', " + std::to_string(at.pos)
             + ")";
  std::string result;
  if (mysql_real_query(mysql_, sql.data(), sql.size()) == 0) {
    if (auto res = mysql_store_result(mysql_)) {
      if (auto row = mysql_fetch_row(res); row != nullptr && row[0] != nullptr)
        result = row[0];
      mysql_free_result(res);
    }
  }
  return result;
}

std::string replication_client::mysql_gtid_set_at(const position& at) {
  // MySQL has no BINLOG_GTID_POS. @@gtid_executed (or SHOW MASTER STATUS's
  // Executed_Gtid_Set) is read apart from the binlog position, and a commit
  // between the two would leave a transaction out. What is exact: the set
  // at the file's start plus every GTID before the position.
  if (!mysql_gtids())
    return {};
  std::string file(at.file.size() * 2 + 1, '\0');
  file.resize(mysql_real_escape_string(mysql_, file.data(), at.file.data(),
                                       at.file.size()));
  auto sql = "SHOW BINLOG EVENTS IN '" + file + "'";
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
    return {};
  auto res = mysql_use_result(mysql_); // streamed: a file may be large
  if (res == nullptr)
    return {};
  gtid_set state;
  bool have_start = false;
  bool ok = true;
  while (auto row = mysql_fetch_row(res)) {
    if (row[1] == nullptr || row[2] == nullptr)
      continue;
    if (std::strtoull(row[1], nullptr, 10) >= at.pos)
      break;
    std::string_view type = row[2];
    std::string_view info = row[5] != nullptr ? row[5] : "";
    gtid_set part;
    if (type == "Previous_gtids") {
      ok = !parse_gtid_set(info, part);
      have_start = true;
    } else if (type.substr(0, 4) == "Gtid") {
      // Gtid and Gtid_tagged: "SET @@SESSION.GTID_NEXT= 'uuid[:tag]:gno'".
      auto open = info.find('\'');
      auto close = open == std::string_view::npos ? open
                                                  : info.find('\'', open + 1);
      ok = close != std::string_view::npos
           && !parse_gtid_set(info.substr(open + 1, close - open - 1), part);
    }
    if (!ok)
      break;
    state.add(part);
  }
  mysql_free_result(res); // reads what is left of the file's rows
  if (!ok || !have_start)
    return {};
  return state.to_string();
}

error replication_client::start(const position& from, bool by_gtid) {
  gtid_set executed;
  if (by_gtid && !settings_.mariadb) {
    if (settings_.gtid_mode != "ON")
      return {errc::server_config,
              "resuming by GTID needs gtid_mode=ON, but the MySQL server on "
                + endpoint_ + " has gtid_mode="
                + (settings_.gtid_mode.empty() ? std::string{"unknown"}
                                               : settings_.gtid_mode)
                + "; start it by position with from=FILE:POS"};
    if (auto err = parse_gtid_set(from.gtid, executed))
      return {errc::unsupported,
              "cannot resume by GTID on the MySQL server "
              "on "
                + endpoint_ + ": '" + from.gtid + "' is not a MySQL GTID set ("
                + err.message + ")"};
  }
  // The server must send checksums as it writes them, so we can verify.
  if (auto err = query("SET @master_binlog_checksum = @@global.binlog_checksum,"
                       " @source_binlog_checksum = @@global.binlog_checksum"))
    return err;
  if (settings_.mariadb) {
    if (auto err = query("SET @mariadb_slave_capability = "
                         + std::to_string(mariadb_slave_capability_mine)))
      return err;
  }
  if (options_.heartbeat_ms > 0) {
    uint64_t ns = uint64_t{options_.heartbeat_ms} * 1000000;
    if (auto err = query("SET @master_heartbeat_period = "
                         + std::to_string(ns)))
      return err;
  }
  // Register, so the server lists us in SHOW SLAVE HOSTS.
  std::string reg;
  put_le(reg, options_.server_id, 4);
  reg.push_back(0);  // host name
  reg.push_back(0);  // user
  reg.push_back(0);  // password
  put_le(reg, 0, 2); // port
  put_le(reg, 0, 4); // replication rank
  put_le(reg, 0, 4); // master id
  if (mysql_->methods->db_command(mysql_, COM_REGISTER_SLAVE, reg.data(),
                                  reg.size(), 0, nullptr)
      != 0)
    return replication_failure("registering as a replica failed");
  if (by_gtid && !settings_.mariadb) {
    // The server starts after these GTIDs, wherever they are in its files.
    auto dump = dump_gtid_packet(options_.server_id, executed,
                                 options_.non_blocking);
    if (mysql_->methods->db_command(
          mysql_, static_cast<enum_server_command>(com_binlog_dump_gtid),
          dump.data(), dump.size(), 1, nullptr)
        != 0)
      return replication_failure("starting the binlog dump after GTID set "
                                 + from.gtid + " failed");
    return {};
  }
  if (by_gtid) {
    std::string state(from.gtid.size() * 2 + 1, '\0');
    state.resize(mysql_real_escape_string(mysql_, state.data(),
                                          from.gtid.data(), from.gtid.size()));
    // The server starts after these GTIDs, wherever they are in its files.
    if (auto err = query("SET @slave_connect_state = '" + state
                         + "', @slave_gtid_strict_mode = 0, "
                           "@slave_gtid_ignore_duplicates = 0"))
      return err;
  }
  std::string dump;
  put_le(dump, by_gtid || from.pos > 0xffffffffu ? 4 : from.pos, 4);
  put_le(dump, options_.non_blocking ? dump_non_block : 0, 2);
  put_le(dump, options_.server_id, 4);
  if (!by_gtid)
    dump.append(from.file);
  if (mysql_->methods->db_command(mysql_, COM_BINLOG_DUMP, dump.data(),
                                  dump.size(), 1, nullptr)
      != 0)
    return replication_failure(
      "starting the binlog dump at "
      + (by_gtid ? "GTID " + from.gtid : to_string(from)) + " failed");
  return {};
}

error replication_client::next(const uint8_t*& data, size_t& size) {
  auto len = mysql_net_read_packet(mysql_);
  // packet_error is a 32-bit -1, whatever the width of the return type.
  if (len == packet_error || len == 0)
    return mysql_failure("reading the binlog failed");
  const uint8_t* p = mysql_->net.read_pos;
  if (p[0] == 0xfe && len < 8) { // EOF: end of a non-blocking dump
    data = nullptr;
    size = 0;
    return {};
  }
  if (p[0] != 0x00)
    return {errc::corrupt_event, "unexpected packet from " + endpoint_
                                   + " in the binlog stream (first byte "
                                   + std::to_string(p[0]) + ")"};
  data = p + 1;
  size = len - 1;
  return {};
}

} // namespace binlog
