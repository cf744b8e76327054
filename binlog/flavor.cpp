#include "binlog/flavor.hpp"

#include <cstdio>

namespace binlog {

error flavor::set_state(std::string_view text) {
  domains_.clear();
  executed_.clear();
  mysql_known_ = false;
  merge_previous_ = false;
  if (is_mysql_gtid_text(text)) {
    if (auto err = parse_gtid_set(text, executed_)) {
      write_state();
      return {errc::unsupported,
              "the GTID state '" + std::string{text}
                + "' is not a MySQL GTID set: " + err.message};
    }
    mysql_known_ = track_mysql_;
    merge_previous_ = mysql_known_;
    write_state();
    return {};
  }
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{}
                                           : text.substr(comma + 1);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    unsigned long domain = 0;
    unsigned long server = 0;
    unsigned long long seq = 0;
    std::string part{item};
    if (std::sscanf(part.c_str(), "%lu-%lu-%llu", &domain, &server, &seq) == 3)
      domains_[static_cast<uint32_t>(domain)] = {static_cast<uint32_t>(domain),
                                                 static_cast<uint32_t>(server),
                                                 seq};
  }
  write_state();
  return {};
}

void flavor::on_gtid_list(const uint8_t* body, size_t size) {
  if (parse_gtid_list(body, size, gtid_list_))
    return;
  domains_.clear();
  mysql_known_ = false;
  for (auto& gtid : gtid_list_)
    domains_[gtid.domain] = gtid;
  write_state();
}

error flavor::on_previous_gtids(const uint8_t* body, size_t size) {
  if (!track_mysql_)
    return {};
  domains_.clear();
  gtid_set at_start;
  auto err = decode_gtid_set(body, size, at_start);
  if (merge_previous_ && !err)
    executed_.add(at_start);
  else
    executed_ = std::move(at_start);
  merge_previous_ = false;
  mysql_known_ = !err;
  if (err)
    executed_.clear();
  write_state();
  return err;
}

void flavor::begin(const gtid_event& event) {
  switch (event.kind) {
    case gtid_event::source::mariadb:
      transaction_gtid_ = event.text;
      open_mariadb_ = true;
      open_mariadb_gtid_ = event.mariadb;
      break;
    case gtid_event::source::mysql:
      transaction_gtid_ = event.text;
      open_mysql_ = true;
      open_mysql_gtid_ = event.mysql;
      break;
    case gtid_event::source::anonymous:
      break;
  }
}

void flavor::end() {
  transaction_gtid_.clear();
  if (open_mariadb_) {
    domains_[open_mariadb_gtid_.domain] = open_mariadb_gtid_;
    write_state();
    open_mariadb_ = false;
  }
  if (open_mysql_) {
    if (mysql_known_) {
      executed_.add(open_mysql_gtid_.sid, open_mysql_gtid_.tag,
                    open_mysql_gtid_.gno);
      write_state();
    }
    open_mysql_ = false;
  }
}

void flavor::write_state() {
  if (mysql_known_) {
    state_text_ = executed_.to_string();
    return;
  }
  state_text_.clear();
  for (auto& [domain, gtid] : domains_) {
    if (!state_text_.empty())
      state_text_.push_back(',');
    state_text_ += std::to_string(domain);
    state_text_.push_back('-');
    state_text_ += std::to_string(gtid.server);
    state_text_.push_back('-');
    state_text_ += std::to_string(gtid.seq);
  }
}

} // namespace binlog
