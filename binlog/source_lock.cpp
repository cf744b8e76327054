#include "binlog/source_lock.hpp"

#include <mysql.h>

#include "binlog/checksum.hpp"
#include "binlog/connect_failure.hpp"

namespace binlog {

namespace {

// Lock names are limited to 64 characters.
std::string lock_name_for(const std::string& name) {
  std::string result = "binlog2kafka." + name;
  if (result.size() <= 64)
    return result;
  auto crc = crc32(reinterpret_cast<const uint8_t*>(name.data()), name.size());
  return result.substr(0, 55) + "." + std::to_string(crc);
}

std::string quoted(st_mysql* mysql, const std::string& text) {
  std::string out(text.size() * 2 + 1, '\0');
  auto n = mysql_real_escape_string(mysql, out.data(), text.data(),
                                    text.size());
  out.resize(n);
  return "'" + out + "'";
}

} // namespace

source_lock::~source_lock() {
  release();
}

void source_lock::release() {
  locked_ = false;
  if (mysql_ != nullptr) {
    mysql_close(mysql_); // the server frees the lock with the connection
    mysql_ = nullptr;
  }
}

error source_lock::acquire(const connection_options& options,
                           const std::string& name, std::chrono::seconds wait,
                           std::chrono::seconds idle_timeout) {
  if (auto err = connect(options, name, idle_timeout))
    return err;
  bool got = false;
  std::string holder;
  if (auto err = try_lock(wait, got, holder))
    return err;
  if (!got) {
    release();
    return {errc::locked,
            "another binlog2kafka named '" + name + "' is reading "
              + endpoint_ + " (it holds lock '" + lock_name_
              + "' on server connection " + holder
              + "); give each pipeline its own name, or set standby = true "
                "to wait for it"};
  }
  return {};
}

error source_lock::connect(const connection_options& options,
                           const std::string& name,
                           std::chrono::seconds idle_timeout) {
  release();
  endpoint_ = options.host + ":" + std::to_string(options.port);
  name_ = name;
  lock_name_ = lock_name_for(name);
  // A silent server must not hold the keep-alive ping (and the reader's
  // thread) forever: give up like a binlog read would.
  unsigned io_timeout = options.read_timeout_s > 0 ? options.read_timeout_s
                                                   : 30;
  mysql_ = new_handle(options, io_timeout, io_timeout);
  if (mysql_ == nullptr)
    return {errc::connection, "out of memory creating a MySQL connection"};
  auto fail = [&](errc code, const std::string& what) {
    error err{code, what};
    release();
    return err;
  };
  if (mysql_real_connect(mysql_, options.host.c_str(), options.user.c_str(),
                         options.password.c_str(), nullptr, options.port,
                         nullptr, 0)
      == nullptr) {
    auto code = mysql_errno(mysql_) == 1045 ? errc::access_denied
                : tls_setup_failed(mysql_)  ? errc::server_config
                                            : errc::connection;
    auto reason = connect_failure_reason(mysql_errno(mysql_),
                                         mysql_error(mysql_), options.host,
                                         options.port);
    return fail(code, "cannot connect to " + endpoint_
                        + " for the source lock: " + mysql_error(mysql_)
                        + (reason.empty() ? reason : ": " + reason)
                        + (code == errc::server_config
                             ? tls_failure_hint(mysql_, options)
                             : std::string{}));
  }
  auto timeout_sql = "SET SESSION wait_timeout = "
                     + std::to_string(idle_timeout.count());
  if (mysql_query(mysql_, timeout_sql.c_str()) != 0)
    return fail(errc::connection, std::string{"source lock on "} + endpoint_
                                    + ": " + mysql_error(mysql_));
  return {};
}

error source_lock::try_lock(std::chrono::seconds wait, bool& got,
                            std::string& holder) {
  got = false;
  if (mysql_ == nullptr)
    return {errc::connection, "the source lock's connection is not open"};
  auto sql = "SELECT GET_LOCK(" + quoted(mysql_, lock_name_) + ", "
             + std::to_string(wait.count()) + "), IS_USED_LOCK("
             + quoted(mysql_, lock_name_) + ")";
  if (mysql_query(mysql_, sql.c_str()) != 0) {
    error err{errc::connection, std::string{"source lock on "} + endpoint_
                                  + ": " + mysql_error(mysql_)};
    release();
    return err;
  }
  auto res = mysql_store_result(mysql_);
  auto row = res ? mysql_fetch_row(res) : nullptr;
  got = row != nullptr && row[0] != nullptr && std::string{row[0]} == "1";
  holder = row != nullptr && row[1] != nullptr ? row[1] : "?";
  if (res != nullptr)
    mysql_free_result(res);
  locked_ = got;
  return {};
}

error source_lock::keep_alive() {
  if (mysql_ == nullptr)
    return {errc::connection, "the source lock is not held"};
  if (mysql_ping(mysql_) != 0) {
    error err{errc::connection, "lost the source lock's connection to "
                                  + endpoint_ + ": " + mysql_error(mysql_)};
    release();
    return err;
  }
  return {};
}

} // namespace binlog
