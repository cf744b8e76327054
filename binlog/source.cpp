#include "binlog/source.hpp"

#include <utility>

namespace binlog {

source::~source() = default;

server_source::server_source(connection_options options)
  : options_(std::move(options)) {
}

error server_source::connect(bool require_full_metadata) {
  if (auto err = client_.connect(options_))
    return err;
  return client_.check_settings(require_full_metadata);
}

const server_settings& server_source::settings() const {
  return client_.settings();
}

checksum_alg server_source::checksum() const {
  return client_.checksum();
}

bool server_source::mysql_gtids() const {
  return client_.mysql_gtids();
}

error server_source::first_file(std::string& out) {
  return client_.first_file(out);
}

error server_source::current_end(position& out) {
  return client_.current_end(out);
}

std::string server_source::gtid_state_at(const position& at) {
  return client_.gtid_state_at(at);
}

error server_source::start(const position& from, bool by_gtid) {
  return client_.start(from, by_gtid);
}

error server_source::next(const uint8_t*& data, size_t& size) {
  return client_.next(data, size);
}

bool server_source::data_pending() const {
  return client_.data_pending();
}

error server_source::acquire_lock(const std::string& name,
                                  std::chrono::seconds wait,
                                  std::chrono::seconds idle_timeout) {
  return lock_.acquire(options_, name, wait, idle_timeout);
}

error server_source::connect_lock(const std::string& name,
                                  std::chrono::seconds idle_timeout) {
  return lock_.connect(options_, name, idle_timeout);
}

error server_source::try_lock(std::chrono::seconds wait, bool& got,
                              std::string& holder) {
  return lock_.try_lock(wait, got, holder);
}

error server_source::keep_lock_alive() {
  return lock_.keep_alive();
}

bool server_source::lock_held() const {
  return lock_.held();
}

} // namespace binlog
