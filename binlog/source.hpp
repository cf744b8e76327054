#pragma once

// Where a reader's events come from: a MySQL or MariaDB server (its
// replication stream, and the lock that keeps a second reader of the same
// name off it), or in tests a list of events.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "binlog/error.hpp"
#include "binlog/position.hpp"
#include "binlog/replication_client.hpp"
#include "binlog/source_lock.hpp"

namespace binlog {

class source {
public:
  virtual ~source();

  // -- the replication stream (replication_client has the details) --------

  /// Connects and checks the server's settings (full row metadata too when
  /// `require_full_metadata`).
  virtual error connect(bool require_full_metadata) = 0;
  virtual const server_settings& settings() const = 0;
  virtual checksum_alg checksum() const = 0;
  virtual bool mysql_gtids() const = 0;
  virtual error first_file(std::string& out) = 0;
  virtual error current_end(position& out) = 0;
  virtual std::string gtid_state_at(const position& at) = 0;
  virtual error start(const position& from, bool by_gtid) = 0;
  /// The next whole event; `size` 0 at the end of a non-blocking dump.
  virtual error next(const uint8_t*& data, size_t& size) = 0;
  virtual bool data_pending() const = 0;

  // -- the source lock (source_lock has the details) ---------------------

  virtual error acquire_lock(const std::string& name, std::chrono::seconds wait,
                             std::chrono::seconds idle_timeout) = 0;
  virtual error connect_lock(const std::string& name,
                             std::chrono::seconds idle_timeout) = 0;
  virtual error try_lock(std::chrono::seconds wait, bool& got,
                         std::string& holder) = 0;
  virtual error keep_lock_alive() = 0;
  virtual bool lock_held() const = 0;
};

/// A server, through MariaDB Connector/C.
class server_source : public source {
public:
  explicit server_source(connection_options options);

  error connect(bool require_full_metadata) override;
  const server_settings& settings() const override;
  checksum_alg checksum() const override;
  bool mysql_gtids() const override;
  error first_file(std::string& out) override;
  error current_end(position& out) override;
  std::string gtid_state_at(const position& at) override;
  error start(const position& from, bool by_gtid) override;
  error next(const uint8_t*& data, size_t& size) override;
  bool data_pending() const override;

  error acquire_lock(const std::string& name, std::chrono::seconds wait,
                     std::chrono::seconds idle_timeout) override;
  error connect_lock(const std::string& name,
                     std::chrono::seconds idle_timeout) override;
  error try_lock(std::chrono::seconds wait, bool& got,
                 std::string& holder) override;
  error keep_lock_alive() override;
  bool lock_held() const override;

private:
  connection_options options_;
  replication_client client_;
  source_lock lock_;
};

} // namespace binlog
