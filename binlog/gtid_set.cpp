#include "binlog/gtid_set.hpp"

#include <algorithm>
#include <cstring>

#include "binlog/bytes.hpp"
#include "binlog/gtid.hpp"
#include "binlog/hex.hpp"

namespace binlog {

namespace {

constexpr size_t tag_max_length = 32;
// The count word's top byte names the format; 1 (tagged) also repeats in
// its low byte, the count sits in the six bytes between.
constexpr uint64_t format_tagged = 1;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
         || c == '\v';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// A tag as MySQL accepts it: a letter or '_', then letters, digits or '_',
// at most 32, compared in lower case.
bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > tag_max_length)
    return false;
  for (size_t i = 0; i < tag.size(); ++i) {
    char c = tag[i];
    if (!(is_alpha(c) || c == '_' || (i > 0 && is_digit(c))))
      return false;
  }
  return true;
}

std::string lower(std::string_view text) {
  std::string out{text};
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool source_less(const gtid_set::source& s, const gtid_set::uuid& sid,
                 std::string_view tag) {
  int c = std::memcmp(s.sid.data(), sid.data(), sid.size());
  return c < 0 || (c == 0 && std::string_view{s.tag} < tag);
}

void put_le64(std::string& out, uint64_t x) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((x >> (8 * i)) & 0xff));
}

// Reads the text form; `pos_` names the offset in error messages.
class text_parser {
public:
  explicit text_parser(std::string_view text) : text_(text) {
  }

  error run(gtid_set& out) {
    out.clear();
    skip_space();
    if (at_end())
      return {};
    for (;;) {
      gtid_set::uuid sid;
      if (!read_uuid(sid))
        return {errc::bad_value,
                "expected a uuid (8-4-4-4-12 hex digits) at offset "
                  + std::to_string(pos_)};
      std::string tag;
      bool numbers_for_tag = false;
      bool any_numbers = false;
      skip_space();
      while (peek() == ':') {
        ++pos_;
        skip_space();
        char c = peek();
        if (is_alpha(c) || c == '_') {
          if (!tag.empty() && !numbers_for_tag)
            return {errc::bad_value,
                    "tag '" + tag + "' without transaction numbers at offset "
                      + std::to_string(pos_)};
          auto start = pos_;
          tag.clear();
          while (!at_end()
                 && (is_alpha(peek()) || is_digit(peek()) || peek() == '_')) {
            char t = peek();
            tag.push_back(t >= 'A' && t <= 'Z' ? static_cast<char>(t + 32) : t);
            ++pos_;
          }
          if (tag.size() > tag_max_length)
            return {errc::bad_value, "tag at offset " + std::to_string(start)
                                       + " is longer " + "than 32 characters"};
          numbers_for_tag = false;
        } else {
          int64_t first = 0;
          int64_t last = 0;
          auto start = pos_;
          if (!read_gno(first))
            return {errc::bad_value,
                    "expected a transaction number or a tag at offset "
                      + std::to_string(start)};
          last = first;
          skip_space();
          if (peek() == '-') {
            ++pos_;
            skip_space();
            auto second = pos_;
            if (!read_gno(last))
              return {errc::bad_value,
                      "expected a transaction number at offset "
                        + std::to_string(second)};
            if (last < first)
              return {errc::bad_value, "interval " + std::to_string(first) + "-"
                                         + std::to_string(last) + " at offset "
                                         + std::to_string(start)
                                         + " ends before it starts"};
          }
          out.add(sid, tag, first, last + 1);
          numbers_for_tag = true;
          any_numbers = true;
        }
        skip_space();
      }
      if (!any_numbers || !numbers_for_tag)
        return {errc::bad_value,
                std::string{tag.empty() ? "uuid" : "tag '" + tag + "'"}
                  + " without transaction numbers before offset "
                  + std::to_string(pos_)};
      if (at_end())
        return {};
      if (peek() != ',')
        return {errc::bad_value, std::string{"unexpected '"} + peek()
                                   + "' at offset " + std::to_string(pos_)};
      ++pos_;
      skip_space();
    }
  }

private:
  bool at_end() const {
    return pos_ >= text_.size();
  }
  char peek() const {
    return at_end() ? '\0' : text_[pos_];
  }
  void skip_space() {
    while (!at_end() && is_space(text_[pos_]))
      ++pos_;
  }

  bool read_uuid(gtid_set::uuid& sid) {
    constexpr size_t length = 36;
    if (text_.size() - pos_ < length)
      return false;
    size_t byte = 0;
    for (size_t i = 0; i < length; i += 2) {
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (text_[pos_ + i] != '-')
          return false;
        ++i;
      }
      int hi = hex_digit_value(text_[pos_ + i]);
      int lo = hex_digit_value(text_[pos_ + i + 1]);
      if (hi < 0 || lo < 0)
        return false;
      sid[byte++] = static_cast<uint8_t>(hi << 4 | lo);
    }
    pos_ += length;
    return true;
  }

  bool read_gno(int64_t& gno) {
    if (!is_digit(peek()))
      return false;
    uint64_t value = 0;
    while (is_digit(peek())) {
      value = value * 10 + static_cast<uint64_t>(peek() - '0');
      if (value > static_cast<uint64_t>(gtid_set::max_gno))
        return false;
      ++pos_;
    }
    if (value < 1)
      return false;
    gno = static_cast<int64_t>(value);
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

} // namespace

bool gtid_set::tagged() const {
  for (auto& s : sources_)
    if (!s.tag.empty())
      return true;
  return false;
}

bool gtid_set::add(const uuid& sid, std::string_view tag, int64_t gno) {
  if (gno < 1 || gno > max_gno)
    return false;
  return add(sid, tag, gno, gno + 1);
}

bool gtid_set::add(const uuid& sid, std::string_view tag_text, int64_t start,
                   int64_t end) {
  if (start < 1 || end <= start || end - 1 > max_gno
      || (!tag_text.empty() && !valid_tag(tag_text)))
    return false;
  // MySQL compares tags without case and prints them in lower case.
  auto tag_lower = lower(tag_text);
  std::string_view tag = tag_lower;
  auto it = std::lower_bound(sources_.begin(), sources_.end(), sid,
                             [&](const source& s, const uuid& id) {
                               return source_less(s, id, tag);
                             });
  if (it == sources_.end() || it->sid != sid || it->tag != tag)
    it = sources_.insert(it, source{sid, std::string{tag}, {}});
  auto& ivs = it->intervals;
  // The common case: the next transaction of a source, at the end.
  if (!ivs.empty() && ivs.back().end >= start && ivs.back().start <= start) {
    ivs.back().end = std::max(ivs.back().end, end);
    return true;
  }
  // Otherwise merge with every interval it touches or overlaps.
  auto first = std::lower_bound(ivs.begin(), ivs.end(), start,
                                [](const interval& iv, int64_t s) {
                                  return iv.end < s;
                                });
  auto last = first;
  interval merged{start, end};
  while (last != ivs.end() && last->start <= end) {
    merged.start = std::min(merged.start, last->start);
    merged.end = std::max(merged.end, last->end);
    ++last;
  }
  first = ivs.erase(first, last);
  ivs.insert(first, merged);
  return true;
}

void gtid_set::add(const gtid_set& other) {
  for (auto& s : other.sources_)
    for (auto& iv : s.intervals)
      add(s.sid, s.tag, iv.start, iv.end);
}

std::string gtid_set::to_string() const {
  std::string out;
  const uuid* previous = nullptr;
  for (auto& s : sources_) {
    if (previous == nullptr || *previous != s.sid) {
      if (previous != nullptr)
        out.push_back(',');
      out += format_uuid(s.sid.data());
      previous = &s.sid;
    }
    if (!s.tag.empty()) {
      out.push_back(':');
      out += s.tag;
    }
    for (auto& iv : s.intervals) {
      out.push_back(':');
      out += std::to_string(iv.start);
      if (iv.end - 1 > iv.start) {
        out.push_back('-');
        out += std::to_string(iv.end - 1);
      }
    }
  }
  return out;
}

std::string gtid_set::encode() const {
  std::string out;
  bool with_tags = tagged();
  uint64_t count = sources_.size();
  put_le64(out, with_tags ? (format_tagged << 56) | (count << 8) | format_tagged
                          : count);
  for (auto& s : sources_) {
    out.append(reinterpret_cast<const char*>(s.sid.data()), s.sid.size());
    if (with_tags) {
      // A length below 128 is one byte of serialization's variable-length
      // integer: the value shifted left by one.
      out.push_back(static_cast<char>(s.tag.size() << 1));
      out += s.tag;
    }
    put_le64(out, s.intervals.size());
    for (auto& iv : s.intervals) {
      put_le64(out, static_cast<uint64_t>(iv.start));
      put_le64(out, static_cast<uint64_t>(iv.end));
    }
  }
  return out;
}

bool operator==(const gtid_set& x, const gtid_set& y) {
  if (x.sources_.size() != y.sources_.size())
    return false;
  for (size_t i = 0; i < x.sources_.size(); ++i) {
    auto& a = x.sources_[i];
    auto& b = y.sources_[i];
    if (a.sid != b.sid || a.tag != b.tag
        || a.intervals.size() != b.intervals.size())
      return false;
    for (size_t j = 0; j < a.intervals.size(); ++j)
      if (a.intervals[j].start != b.intervals[j].start
          || a.intervals[j].end != b.intervals[j].end)
        return false;
  }
  return true;
}

static error decode_gtid_set_into(const uint8_t* data, size_t size,
                                  gtid_set& out);

error parse_gtid_set(std::string_view text, gtid_set& out) {
  auto err = text_parser{text}.run(out);
  if (err)
    out.clear(); // nothing half-read
  return err;
}

error decode_gtid_set(const uint8_t* data, size_t size, gtid_set& out) {
  auto err = decode_gtid_set_into(data, size, out);
  if (err)
    out.clear();
  return err;
}

static error decode_gtid_set_into(const uint8_t* data, size_t size,
                                  gtid_set& out) {
  out.clear();
  cursor c{data, size};
  auto word = c.u64();
  if (!c.ok())
    return {errc::corrupt_event, "GTID set of " + std::to_string(size)
                                   + " bytes ends inside its 8-byte count"};
  auto format = word >> 56;
  uint64_t count = word;
  bool with_tags = false;
  if (format == format_tagged) {
    if ((word & 0xff) != format_tagged)
      return {errc::corrupt_event,
              "GTID set count word " + std::to_string(word)
                + " names the tagged format in its first byte only"};
    count = (word >> 8) & 0xffffffffffffULL;
    with_tags = true;
  } else if (format != 0) {
    return {errc::corrupt_event,
            "GTID set has the unknown format " + std::to_string(format)};
  }
  // A source takes at least a uuid and its interval count.
  if (count > c.remaining() / 24)
    return {errc::corrupt_event, "GTID set announces " + std::to_string(count)
                                   + " uuids in "
                                   + std::to_string(c.remaining()) + " bytes"};
  for (uint64_t i = 0; i < count; ++i) {
    gtid_set::uuid sid;
    auto sid_bytes = c.bytes(sid.size());
    std::string tag;
    if (with_tags) {
      auto length = c.u8();
      if (c.ok() && ((length & 1) != 0 || (length >> 1) > tag_max_length))
        return {errc::corrupt_event,
                "GTID set holds a tag of more than 32 bytes"};
      auto tag_bytes = c.bytes(length >> 1);
      if (c.ok())
        tag.assign(reinterpret_cast<const char*>(tag_bytes), length >> 1);
      if (c.ok() && !tag.empty() && !valid_tag(tag))
        return {errc::corrupt_event,
                "GTID set holds the invalid tag '" + tag + "'"};
    }
    auto intervals = c.u64();
    if (!c.ok())
      return {errc::corrupt_event, "GTID set ends inside uuid "
                                     + std::to_string(i + 1) + " of "
                                     + std::to_string(count)};
    std::memcpy(sid.data(), sid_bytes, sid.size());
    if (intervals > c.remaining() / 16)
      return {errc::corrupt_event,
              "GTID set announces " + std::to_string(intervals)
                + " intervals for " + format_uuid(sid.data()) + " in "
                + std::to_string(c.remaining()) + " bytes"};
    int64_t last = 0;
    for (uint64_t j = 0; j < intervals; ++j) {
      auto start = static_cast<int64_t>(c.u64());
      auto end = static_cast<int64_t>(c.u64());
      // Sorted, disjoint and not touching, as MySQL writes and requires.
      if (start <= last || end <= start)
        return {errc::corrupt_event,
                "GTID set interval " + std::to_string(start) + ".."
                  + std::to_string(end) + " of " + format_uuid(sid.data())
                  + " is out of order or empty"};
      last = end;
      out.add(sid, tag, start, end);
    }
  }
  if (!c.empty())
    return {errc::corrupt_event, "GTID set is followed by "
                                   + std::to_string(c.remaining())
                                   + " unexpected bytes"};
  return {};
}

bool is_mysql_gtid_text(std::string_view text) {
  return text.find(':') != std::string_view::npos;
}

} // namespace binlog
