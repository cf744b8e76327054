#include "binlog/gtid.hpp"

#include <cstring>

#include "binlog/bytes.hpp"
#include "binlog/hex.hpp"
#include "binlog/xa.hpp"

namespace binlog {

namespace {

// A reader of MySQL's serialization format (variable_length_integers.h):
// the number of trailing one bits of the first byte, plus one, is the
// length of the integer in bytes (1 to 9); the value follows those bits,
// little-endian.
class varlen_reader {
public:
  varlen_reader(const uint8_t* p, const uint8_t* end) : p_(p), end_(end) {
  }

  bool ok() const {
    return ok_;
  }
  bool at_end() const {
    return p_ >= end_;
  }
  const uint8_t* pos() const {
    return p_;
  }

  uint64_t u() {
    if (!ok_ || p_ >= end_) {
      ok_ = false;
      return 0;
    }
    uint8_t first = *p_;
    size_t n = 1;
    while (n < 9 && ((first >> (n - 1)) & 1))
      ++n;
    if (static_cast<size_t>(end_ - p_) < n) {
      ok_ = false;
      return 0;
    }
    uint64_t value = n < 8 ? static_cast<uint64_t>(first >> n) : 0;
    uint64_t rest = 0;
    for (size_t i = 1; i < n; ++i)
      rest |= static_cast<uint64_t>(p_[i]) << (8 * (i - 1));
    if (n > 1)
      value |= rest << (n == 9 ? 0 : 8 - n);
    p_ += n;
    return value;
  }

  int64_t s() {
    auto x = u();
    return static_cast<int64_t>((x >> 1) ^ (~(x & 1) + 1));
  }

  bool bytes(size_t n) {
    if (!ok_ || static_cast<size_t>(end_ - p_) < n) {
      ok_ = false;
      return false;
    }
    p_ += n;
    return true;
  }

private:
  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

// Field ids of Gtid_event::define_fields() in libs/mysql/binlog/event.
enum gtid_field : uint64_t {
  field_flags = 0,
  field_uuid = 1,
  field_gno = 2,
  field_tag = 3,
};

constexpr size_t tag_max_length = 32;

// MariaDB GTID event flags.
constexpr uint8_t gtid_standalone = 0x01;
constexpr uint8_t gtid_group_commit_id = 0x02;
constexpr uint8_t gtid_prepared_xa = 0x40;
constexpr uint8_t gtid_completed_xa = 0x80;

error parse_mariadb_gtid(const event_header& h, const uint8_t* body,
                         size_t size, gtid_event& out) {
  cursor c{body, size};
  uint64_t seq = c.u64();
  uint32_t domain = c.u32();
  uint8_t flags = c.u8();
  if (flags & gtid_group_commit_id)
    c.skip(8);
  out.xid.clear();
  if (flags & (gtid_prepared_xa | gtid_completed_xa)) {
    auto format_id = static_cast<int32_t>(c.u32());
    auto gtrid_len = c.u8();
    auto bqual_len = c.u8();
    auto gtrid = c.bytes(gtrid_len);
    auto bqual = c.bytes(bqual_len);
    if (c.ok())
      out.xid = xid_key(format_id, gtrid, gtrid_len, bqual, bqual_len);
  }
  if (!c.ok())
    return {errc::corrupt_event, "GTID event too short"};
  out.kind = gtid_event::source::mariadb;
  out.mariadb = {domain, h.server_id, seq};
  out.text = std::to_string(domain) + "-" + std::to_string(h.server_id) + "-"
             + std::to_string(seq);
  out.standalone = (flags & gtid_standalone) != 0;
  out.xa_start = (flags & gtid_prepared_xa) != 0;
  return {};
}

error parse_mysql_gtid(const event_header& h, const uint8_t* body, size_t size,
                       gtid_event& out) {
  cursor c{body, size};
  c.skip(1); // flags
  auto sid = c.bytes(16);
  uint64_t gno = c.u64();
  if (!c.ok())
    return {errc::corrupt_event, "GTID event too short"};
  out.standalone = false;
  out.xa_start = false;
  if (h.type == event_type::anonymous_gtid) {
    out.kind = gtid_event::source::anonymous;
    out.text.clear();
    return {};
  }
  out.kind = gtid_event::source::mysql;
  std::memcpy(out.mysql.sid.data(), sid, 16);
  out.mysql.tag.clear();
  out.mysql.gno = static_cast<int64_t>(gno);
  out.text = format_uuid(sid) + ":" + std::to_string(gno);
  return {};
}

} // namespace

std::string format_uuid(const uint8_t* p) {
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out.push_back('-');
    out.push_back(hex_digits[p[i] >> 4]);
    out.push_back(hex_digits[p[i] & 0xf]);
  }
  return out;
}

std::string to_string(const mysql_gtid& gtid) {
  auto text = format_uuid(gtid.sid.data());
  text.push_back(':');
  if (!gtid.tag.empty()) {
    text += gtid.tag;
    text.push_back(':');
  }
  text += std::to_string(gtid.gno);
  return text;
}

error parse_gtid_tagged(const uint8_t* body, size_t size, mysql_gtid& gtid) {
  varlen_reader r{body, body + size};
  r.u(); // serialization format version
  auto message_size = r.u();
  if (!r.ok())
    return {errc::corrupt_event,
            "GTID_TAGGED event ends inside its message header"};
  if (message_size > size)
    return {errc::corrupt_event, "GTID_TAGGED message size "
                                   + std::to_string(message_size)
                                   + " exceeds the event body of "
                                   + std::to_string(size) + " bytes"};
  r = varlen_reader{r.pos(), body + message_size};
  r.u(); // last non-ignorable field id
  auto& uuid = gtid.sid;
  bool have_uuid = false;
  bool have_gno = false;
  int64_t gno = 0;
  auto& tag = gtid.tag;
  tag.clear();
  // Fields come in id order; the ones after the tag do not matter here.
  while (r.ok() && !r.at_end()) {
    auto id = r.u();
    if (!r.ok())
      break;
    if (id == field_flags) {
      r.u();
    } else if (id == field_uuid) {
      for (auto& byte : uuid)
        byte = static_cast<uint8_t>(r.u());
      have_uuid = true;
    } else if (id == field_gno) {
      gno = r.s();
      have_gno = true;
    } else if (id == field_tag) {
      auto n = r.u();
      if (!r.ok() || n > tag_max_length)
        return {errc::corrupt_event, "GTID_TAGGED event has a tag of "
                                       + std::to_string(n)
                                       + " bytes (at most 32 are allowed)"};
      auto at = r.pos();
      if (r.bytes(static_cast<size_t>(n)))
        tag.assign(reinterpret_cast<const char*>(at), static_cast<size_t>(n));
      break;
    } else {
      break; // a later field: the tag was left out, so it is empty
    }
  }
  if (!r.ok() || !have_uuid || !have_gno)
    return {errc::corrupt_event,
            "GTID_TAGGED event ends before its uuid and transaction number"};
  if (gno < 1)
    return {errc::corrupt_event, "GTID_TAGGED event has the transaction number "
                                   + std::to_string(gno)
                                   + " (must be at least 1)"};
  gtid.gno = gno;
  return {};
}

error parse_gtid_event(const event_header& h, const uint8_t* body, size_t size,
                       gtid_event& out) {
  switch (h.type) {
    case event_type::mariadb_gtid:
      return parse_mariadb_gtid(h, body, size, out);
    case event_type::gtid_tagged:
      if (auto err = parse_gtid_tagged(body, size, out.mysql))
        return err;
      out.kind = gtid_event::source::mysql;
      out.text = to_string(out.mysql);
      out.standalone = false;
      out.xa_start = false;
      return {};
    default:
      return parse_mysql_gtid(h, body, size, out);
  }
}

error parse_gtid_list(const uint8_t* body, size_t size,
                      std::vector<mariadb_gtid>& out) {
  cursor c{body, size};
  auto count = c.u32() & 0x0fffffffu; // the high bits are flags
  if (!c.ok() || count > c.remaining() / 16)
    return {errc::corrupt_event, "GTID_LIST event too short"};
  out.clear();
  for (uint32_t i = 0; i < count; ++i) {
    auto domain = c.u32();
    auto server = c.u32();
    auto seq = c.u64();
    out.push_back({domain, server, seq});
  }
  return {};
}

} // namespace binlog
