#include "binlog/format_description.hpp"

#include <cstdlib>
#include <cstring>

#include "binlog/bytes.hpp"

namespace binlog {

namespace {

constexpr size_t server_version_size = 50;

// Post-header lengths of binlog v4 as MySQL 5.6+ writes them, for decoding
// events that arrive before any FORMAT_DESCRIPTION (never in practice).
void fill_v4_defaults(std::array<uint8_t, 256>& len) {
  len.fill(0);
  auto set = [&](event_type t, uint8_t n) {
    len[static_cast<size_t>(t) - 1] = n;
  };
  set(event_type::query, 13);
  set(event_type::rotate, 8);
  set(event_type::format_description, 84);
  set(event_type::table_map, 8);
  set(event_type::write_rows_v1, 8);
  set(event_type::update_rows_v1, 8);
  set(event_type::delete_rows_v1, 8);
  set(event_type::write_rows_v2, 10);
  set(event_type::update_rows_v2, 10);
  set(event_type::delete_rows_v2, 10);
  set(event_type::partial_update_rows, 10);
  set(event_type::gtid, 42);
  set(event_type::anonymous_gtid, 42);
  set(event_type::mariadb_gtid, 19);
}

// The server versions of the pre-GA MySQL 5.1 trees that numbered events
// differently (MySQL's Format_description_event: 5.1.[1-5]-a_drop5*,
// 5.1.4-a_drop6*, 5.2.[0-2]-a_drop6*).
bool has_pre_ga_type_codes(const std::string& v) {
  if (v.size() < 13 || v[0] != '5' || v[1] != '.' || v[3] != '.'
      || v.compare(5, 7, "-a_drop") != 0)
    return false;
  return (v[2] == '1' && v[4] >= '1' && v[4] <= '5' && v[12] == '5')
         || (v[2] == '1' && v[4] == '4' && v[12] == '6')
         || (v[2] == '2' && v[4] >= '0' && v[4] <= '2' && v[12] == '6');
}

constexpr event_type pre_ga_permutation[23] = {
  event_type::unknown,
  event_type::start_v3,
  event_type::query,
  event_type::stop,
  event_type::rotate,
  event_type::intvar,
  event_type::load,
  event_type::slave,
  event_type::create_file,
  event_type::append_block,
  event_type::exec_load,
  event_type::delete_file,
  event_type::new_load,
  event_type::rand,
  event_type::user_var,
  event_type::format_description,
  event_type::table_map,
  event_type::pre_ga_write_rows,
  event_type::pre_ga_update_rows,
  event_type::pre_ga_delete_rows,
  event_type::xid,
  event_type::begin_load_query,
  event_type::execute_load_query,
};

} // namespace

event_type pre_ga_event_type(event_type written) {
  auto i = static_cast<size_t>(written);
  return i < 23 ? pre_ga_permutation[i] : written;
}

format_description format_description::v4_default() {
  format_description fd;
  fill_v4_defaults(fd.post_header_len);
  return fd;
}

bool version_at_least(const std::string& version, int major, int minor,
                      int patch) {
  int parts[3] = {0, 0, 0};
  const char* p = version.c_str();
  for (int i = 0; i < 3 && *p; ++i) {
    char* end = nullptr;
    parts[i] = static_cast<int>(std::strtol(p, &end, 10));
    if (end == p)
      break;
    p = end;
    if (*p == '.')
      ++p;
    else
      break;
  }
  if (parts[0] != major)
    return parts[0] > major;
  if (parts[1] != minor)
    return parts[1] > minor;
  return parts[2] >= patch;
}

error parse_format_description(const uint8_t* event, size_t size,
                               format_description& out) {
  if (size < header_size + 2 + server_version_size + 4 + 1)
    return {errc::truncated, "FORMAT_DESCRIPTION event too short"};
  cursor c{event + header_size, event + size};
  format_description fd;
  fd.binlog_version = c.u16();
  if (fd.binlog_version != 4)
    return {errc::unsupported,
            "binlog format version " + std::to_string(fd.binlog_version)
              + " (only version 4, MySQL 5.0 and later, is supported)"};
  auto ver = c.str(server_version_size);
  fd.server_version.assign(ver.data(), strnlen(ver.data(), ver.size()));
  fd.mariadb = fd.server_version.find("MariaDB") != std::string::npos;
  c.skip(4); // create timestamp
  fd.header_length = c.u8();
  if (fd.header_length < header_size)
    return {errc::corrupt_event, "FORMAT_DESCRIPTION header length "
                                   + std::to_string(fd.header_length)};
  // Servers that know checksums end the event with the algorithm byte and
  // the event's own CRC32, whether or not checksums are on.
  bool has_alg = fd.mariadb ? version_at_least(fd.server_version, 5, 3, 0)
                            : version_at_least(fd.server_version, 5, 6, 1);
  size_t tail = has_alg ? 1 + checksum_size : 0;
  if (c.remaining() < tail)
    return {errc::truncated, "FORMAT_DESCRIPTION event too short"};
  size_t n = c.remaining() - tail;
  if (n > fd.post_header_len.size())
    n = fd.post_header_len.size();
  auto lens = c.bytes(n);
  std::memcpy(fd.post_header_len.data(), lens, n);
  if (has_alg) {
    auto alg = event[size - checksum_size - 1];
    fd.checksum = alg == 1 ? checksum_alg::crc32 : checksum_alg::off;
  }
  if (has_pre_ga_type_codes(fd.server_version)) {
    if (n != 22)
      return {errc::unsupported, "FORMAT_DESCRIPTION of pre-GA server "
                                   + fd.server_version + " lists "
                                   + std::to_string(n)
                                   + " event types where 22 are expected"};
    // Index post_header_len by today's type codes.
    std::array<uint8_t, 256> written = fd.post_header_len;
    for (size_t i = 1; i < 23; ++i)
      fd.post_header_len[static_cast<size_t>(pre_ga_permutation[i]) - 1] =
        written[i - 1];
    fd.pre_ga_type_codes = true;
  }
  out = std::move(fd);
  return {};
}

} // namespace binlog
