#pragma once

// One reader per source name: a named lock (GET_LOCK) on the server, held by
// a connection of its own for as long as the pipeline runs. The server frees
// it when that connection ends, however the process ends.

#include <chrono>
#include <string>

#include "binlog/error.hpp"
#include "binlog/replication_client.hpp"

struct st_mysql;

namespace binlog {

class source_lock {
public:
  source_lock() = default;
  ~source_lock();
  source_lock(const source_lock&) = delete;
  source_lock& operator=(const source_lock&) = delete;

  /// Takes the lock for `name`, waiting up to `wait` for a holder that is
  /// going away (a connection of a process that died is dropped by the
  /// server after its wait_timeout, which we set to `idle_timeout`).
  error acquire(const connection_options& options, const std::string& name,
                std::chrono::seconds wait, std::chrono::seconds idle_timeout);

  /// The two steps of acquire(), for a standby that keeps trying: connects
  /// (the lock not yet taken)...
  error connect(const connection_options& options, const std::string& name,
                std::chrono::seconds idle_timeout);
  /// ...and tries to take it, waiting up to `wait`. Sets `got`; when the
  /// lock is held by another, `holder` names its server connection.
  error try_lock(std::chrono::seconds wait, bool& got, std::string& holder);

  /// Keeps the lock's connection from timing out; call more often than
  /// `idle_timeout`. Fails if the connection (and so the lock) was lost.
  error keep_alive();

  bool held() const {
    return mysql_ != nullptr && locked_;
  }

  void release();

private:
  st_mysql* mysql_ = nullptr;
  bool locked_ = false;
  std::string name_;
  std::string lock_name_;
  std::string endpoint_;
};

} // namespace binlog
