#include "binlog/xa.hpp"

#include "binlog/bytes.hpp"
#include "binlog/hex.hpp"

namespace binlog {

namespace {

void append_hex(std::string& out, const uint8_t* p, size_t n) {
  binlog::append_hex(out, {reinterpret_cast<const char*>(p), n});
}

} // namespace

std::string xid_key(int64_t format_id, const uint8_t* gtrid, size_t gtrid_len,
                    const uint8_t* bqual, size_t bqual_len) {
  std::string key = std::to_string(format_id) + ":";
  append_hex(key, gtrid, gtrid_len);
  key.push_back(':');
  append_hex(key, bqual, bqual_len);
  return key;
}

std::string xid_key_of_text(std::string_view text) {
  std::string parts[2];
  for (auto& part : parts) {
    while (!text.empty() && text.front() == ' ')
      text.remove_prefix(1);
    if (text.size() < 3 || (text[0] != 'X' && text[0] != 'x')
        || text[1] != '\'')
      return {};
    auto close = text.find('\'', 2);
    if (close == std::string_view::npos)
      return {};
    for (char c : text.substr(2, close - 2))
      part.push_back(
        static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c));
    text.remove_prefix(close + 1);
    if (text.empty() || text.front() != ',')
      return {};
    text.remove_prefix(1);
  }
  std::string format_id;
  for (char c : text) {
    if ((c < '0' || c > '9') && c != '-')
      break;
    format_id.push_back(c);
  }
  if (format_id.empty())
    return {};
  return format_id + ":" + parts[0] + ":" + parts[1];
}

error parse_xa_prepare(const uint8_t* body, size_t size,
                       xa_prepare_event& out) {
  cursor c{body, size};
  out.one_phase = c.u8() != 0;
  auto format_id = static_cast<int32_t>(c.u32());
  auto gtrid_len = c.u32();
  auto bqual_len = c.u32();
  auto gtrid = gtrid_len <= 64 ? c.bytes(gtrid_len) : nullptr;
  auto bqual = bqual_len <= 64 ? c.bytes(bqual_len) : nullptr;
  if (!c.ok() || gtrid == nullptr || bqual == nullptr)
    return {errc::corrupt_event, "XA_PREPARE event is corrupt"};
  out.xid = xid_key(format_id, gtrid, gtrid_len, bqual, bqual_len);
  return {};
}

void xa_buffer::start(std::string xid, const std::string& gtid,
                      const position& start) {
  reading_ = true;
  xid_ = std::move(xid);
  current_ = {};
  current_.gtid = gtid;
  current_.start = start;
}

error xa_buffer::keep(const std::string& file, uint64_t offset,
                      const uint8_t* event, size_t size) {
  current_.bytes += size;
  if (current_.bytes > max_bytes_)
    return {errc::unsupported,
            "XA transaction " + xid_ + " holds more than "
              + std::to_string(max_bytes_ >> 20)
              + " MiB of row events between XA START and XA PREPARE; "
                "they must wait in memory until its XA COMMIT"};
  current_.events.push_back(
    {file, offset, std::string{reinterpret_cast<const char*>(event), size}});
  return {};
}

xa_transaction xa_buffer::prepared() {
  reading_ = false;
  auto xa = std::move(current_);
  current_ = {};
  return xa;
}

bool xa_buffer::take(const std::string& xid, xa_transaction& out) {
  auto it = pending_.find(xid);
  if (it == pending_.end())
    return false;
  out = std::move(it->second);
  pending_.erase(it);
  return true;
}

} // namespace binlog
