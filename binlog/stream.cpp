#include "binlog/stream.hpp"

#include <utility>

namespace binlog {

stream::stream(source& src, record_encoder encoder, record_sink& sink)
  : source_(src), decoder_(std::move(encoder), sink) {
}

error stream::start(const position& from, bool by_gtid, bool carry_gtid_state) {
  decoder_.assume_checksum(source_.checksum());
  decoder_.start_at(from);
  if (carry_gtid_state) {
    // A MySQL server without gtid_mode=ON has no usable GTIDs: its
    // positions carry none.
    if (!source_.settings().mariadb)
      decoder_.track_mysql_gtids(source_.mysql_gtids());
    if (auto err = decoder_.set_gtid_state(
          by_gtid ? from.gtid : source_.gtid_state_at(from)))
      return err;
  }
  return source_.start(from, by_gtid);
}

error stream::next(event& ev) {
  const uint8_t* data = nullptr;
  ev.size = 0;
  ev.end = 0;
  if (auto err = source_.next(data, ev.size))
    return err;
  if (ev.size == 0)
    return {};
  ev.type = ev.size > 4 ? static_cast<event_type>(data[4])
                        : event_type::unknown;
  // Events carry where the next one starts: this one starts its size before.
  uint64_t offset = 0;
  if (ev.size >= header_size) {
    auto h = parse_header(data);
    ev.end = h.log_pos;
    if (h.log_pos >= ev.size)
      offset = h.log_pos - ev.size;
  }
  return decoder_.consume(data, ev.size, offset);
}

} // namespace binlog
