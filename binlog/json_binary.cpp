#include "binlog/json_binary.hpp"

#include "binlog/utf8.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#  include <emmintrin.h>
#endif

#include "binlog/bytes.hpp"
#include "binlog/decimal.hpp"
#include "binlog/hex.hpp"
#include "binlog/table_map.hpp"

namespace binlog {

namespace jsonb {

bool read_variable_length(const uint8_t* p, size_t avail, uint32_t& length,
                          size_t& used) {
  uint64_t value = 0;
  size_t max = std::min<size_t>(avail, 5);
  for (size_t i = 0; i < max; ++i) {
    value |= static_cast<uint64_t>(p[i] & 0x7f) << (7 * i);
    if ((p[i] & 0x80) == 0) {
      if (value > 0xffffffffu)
        return false;
      length = static_cast<uint32_t>(value);
      used = i + 1;
      return true;
    }
  }
  return false;
}

bool value_extent(uint8_t type, const uint8_t* p, size_t avail, size_t& size) {
  auto fixed = [&](size_t n) {
    size = n;
    return n <= avail;
  };
  switch (type) {
    case small_object:
    case small_array:
      if (avail < 4)
        return false;
      size = load_le16(p + 2);
      return size >= 4 && size <= avail;
    case large_object:
    case large_array:
      if (avail < 8)
        return false;
      size = load_le32(p + 4);
      return size >= 8 && size <= avail;
    case literal:
      return fixed(1);
    case int16:
    case uint16:
      return fixed(2);
    case int32:
    case uint32:
      return fixed(4);
    case int64:
    case uint64:
    case double_:
      return fixed(8);
    case string: {
      uint32_t length;
      size_t used;
      if (!read_variable_length(p, avail, length, used))
        return false;
      return fixed(used + length);
    }
    case opaque: {
      uint32_t length;
      size_t used;
      if (avail < 1 || !read_variable_length(p + 1, avail - 1, length, used))
        return false;
      return fixed(1 + used + length);
    }
    default:
      return false;
  }
}

} // namespace jsonb

namespace {

// How a string byte is printed: 0 as it is, 1 escaped (MySQL's
// double_quote: `"`, `\` and control characters), 2 checked as UTF-8
// (embedded form only: the result must be valid in a JSON string).
template <bool Embedded>
constexpr std::array<uint8_t, 256> make_byte_classes() {
  std::array<uint8_t, 256> t{};
  for (int i = 0; i < 0x20; ++i)
    t[i] = 1;
  t['"'] = 1;
  t['\\'] = 1;
  if (Embedded)
    for (int i = 0x80; i < 0x100; ++i)
      t[i] = 2;
  return t;
}

template <bool Embedded>
constexpr std::array<uint8_t, 256> byte_classes = make_byte_classes<Embedded>();

#if defined(__SSE2__)
// A bit per byte of the 16 at p that does not print as it is.
template <bool Embedded>
unsigned special_bytes(const uint8_t* p) {
  auto v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i low;
  if constexpr (Embedded) // signed: bytes >= 0x80 count as below 0x20
    low = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
  else // unsigned: min(v, 0x1f) == v
    low = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
  auto special = _mm_or_si128(
    low, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                      _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
  return static_cast<unsigned>(_mm_movemask_epi8(special));
}
#endif

// Appends to a std::string through a raw pointer: a writer reserves the
// most it may write, writes, and commits the new end. The string grows
// ahead of need and is trimmed once at the end, so a document costs one
// resize and no allocation once the capacity fits the largest record.
class text_buffer {
public:
  text_buffer(std::string& s, size_t expected) : s_(s), start_(s.size()) {
    s_.resize(start_ + expected);
    cur_ = &s_[start_];
    end_ = s_.data() + s_.size();
  }

  char* reserve(size_t n) {
    if (static_cast<size_t>(end_ - cur_) < n)
      grow(n);
    return cur_;
  }
  void commit(char* end) {
    cur_ = end;
  }
  void put(const char* text, size_t n) {
    char* o = reserve(n);
    std::memcpy(o, text, n);
    cur_ = o + n;
  }
  void put(char c) {
    *reserve(1) = c;
    ++cur_;
  }
  void finish() {
    s_.resize(static_cast<size_t>(cur_ - s_.data()));
  }
  void discard() {
    s_.resize(start_);
  }

private:
  void grow(size_t n) {
    auto used = static_cast<size_t>(cur_ - s_.data());
    s_.resize(std::max(used + n, s_.size() + s_.size() / 2 + 64));
    cur_ = &s_[used];
    end_ = s_.data() + s_.size();
  }

  std::string& s_;
  size_t start_;
  // The write position and the end of the resized string.
  char* cur_;
  char* end_;
};

// Where the walker's output goes. `check_sink` prints nothing (validation);
// `printing_sink<false>` prints MySQL's text; `printing_sink<true>` prints
// that text escaped as the inside of a JSON string, in the same pass.
struct check_sink {
  static constexpr bool prints = false;
  void put(const char*, size_t) {
  }
  void put(char) {
  }
  void quote() {
  }
  void escaped_newline() {
  }
  void string(const uint8_t*, size_t, const uint8_t*, bool = false) {
  }
};

template <bool Embedded>
class printing_sink {
public:
  static constexpr bool prints = true;

  explicit printing_sink(text_buffer& out) : out_(out) {
  }

  void put(const char* text, size_t n) {
    out_.put(text, n);
  }
  void put(char c) {
    out_.put(c);
  }
  void quote() {
    if constexpr (Embedded)
      out_.put("\\\"", 2);
    else
      out_.put('"');
  }
  /// A line break inside a string, as double_quote() escapes it.
  void escaped_newline() {
    if constexpr (Embedded)
      out_.put("\\\\n", 3);
    else
      out_.put("\\n", 2);
  }

  /// A quoted string as MySQL's double_quote() writes it: `"`, `\` and
  /// control characters escaped, all other bytes as they are; ": " after
  /// it for a key. Bytes up to `readable` may be loaded (not printed).
  void string(const uint8_t* p, size_t n, const uint8_t* readable,
              bool key = false) {
    const uint8_t* end = p + n;
    // Worst case per byte: a control character, "\\u00XX" embedded; plus
    // room for a 16-byte store. Long strings go in bounded chunks to keep
    // the reservation small.
    size_t first = std::min<size_t>(n, 4096);
    char* o = out_.reserve(first * 7 + 32);
    if (Embedded)
      *o++ = '\\';
    *o++ = '"';
    const uint8_t* chunk_end = p + first;
    for (;;) {
      o = escape(o, p, chunk_end, end, readable);
      if (p >= end)
        break;
      out_.commit(o);
      size_t next = std::min<size_t>(static_cast<size_t>(end - p), 4096);
      o = out_.reserve(next * 7 + 32);
      chunk_end = p + next;
    }
    if (Embedded)
      *o++ = '\\';
    *o++ = '"';
    if (key) {
      *o++ = ':';
      *o++ = ' ';
    }
    out_.commit(o);
  }

private:
  // Escapes the bytes from p up to at least chunk_end (a UTF-8 sequence may
  // run past it, up to end). `o` has room for 7 bytes per input byte and
  // 32 more.
  static char* escape(char* o, const uint8_t*& p, const uint8_t* chunk_end,
                      const uint8_t* end, const uint8_t* readable) {
    while (p < chunk_end) {
#if defined(__SSE2__)
      if (readable - p >= 16) {
        // Copy 16 bytes at once (the room allows it) and keep those before
        // the first special one or the end of the chunk: short strings
        // inside a document take one step.
        unsigned mask = special_bytes<Embedded>(p);
        auto left = static_cast<size_t>(chunk_end - p);
        if (left < 16)
          mask |= (0xffffu << left) & 0xffffu;
        _mm_storeu_si128(reinterpret_cast<__m128i*>(o),
                         _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
        unsigned plain = mask == 0 ? 16 : __builtin_ctz(mask);
        o += plain;
        p += plain;
        if (mask == 0 || p == chunk_end)
          continue;
      }
#endif
      uint8_t c = *p;
      if (byte_classes<Embedded>[c] == 0) {
        *o++ = static_cast<char>(c);
        ++p;
        continue;
      }
      if (Embedded && c >= 0x80) {
        auto len = utf8::sequence_length(p, end);
        if (len == 0) {
          std::memcpy(o, "\xef\xbf\xbd", 3); // as json_writer does
          o += 3;
          ++p;
        } else {
          std::memcpy(o, p, len);
          o += len;
          p += len;
        }
        continue;
      }
      if (Embedded)
        *o++ = '\\'; // escape the backslash of MySQL's escape
      *o++ = '\\';
      switch (c) {
        case '"':
          if (Embedded)
            *o++ = '\\';
          *o++ = '"';
          break;
        case '\\':
          if (Embedded)
            *o++ = '\\';
          *o++ = '\\';
          break;
        case '\b':
          *o++ = 'b';
          break;
        case '\t':
          *o++ = 't';
          break;
        case '\n':
          *o++ = 'n';
          break;
        case '\f':
          *o++ = 'f';
          break;
        case '\r':
          *o++ = 'r';
          break;
        default:
          *o++ = 'u';
          *o++ = '0';
          *o++ = '0';
          *o++ = hex_digits[c >> 4];
          *o++ = hex_digits[c & 0xf];
      }
      ++p;
    }
    return o;
  }

  text_buffer& out_;
};

char* put_two_digits(char* o, uint64_t v) {
  if (v >= 100)
    v = 0; // MySQL's format_two_digits prints "00" for what does not fit
  o[0] = static_cast<char>('0' + v / 10);
  o[1] = static_cast<char>('0' + v % 10);
  return o + 2;
}

char* put_micros(char* o, uint64_t micros) {
  *o++ = '.';
  micros %= 1000000;
  for (int i = 5; i >= 0; --i) {
    o[i] = static_cast<char>('0' + micros % 10);
    micros /= 10;
  }
  return o + 6;
}

// DATE, DATETIME, TIMESTAMP and TIME opaque values hold MySQL's packed
// 64-bit form (TIME_to_longlong_*_packed); JSON prints them with six
// fraction digits (my_TIME_to_str with precision 6).
size_t format_temporal(uint8_t field, int64_t packed, char* buf) {
  char* o = buf;
  bool negative = packed < 0;
  uint64_t mag = negative ? 0 - static_cast<uint64_t>(packed)
                          : static_cast<uint64_t>(packed);
  uint64_t micros = mag % (uint64_t{1} << 24);
  uint64_t intpart = mag >> 24;
  if (field == field_type::time) {
    if (negative)
      *o++ = '-';
    uint64_t hour = (intpart >> 12) % 1024;
    char tmp[8];
    auto res = std::to_chars(tmp, tmp + sizeof(tmp), hour);
    if (res.ptr - tmp < 2)
      *o++ = '0';
    std::memcpy(o, tmp, static_cast<size_t>(res.ptr - tmp));
    o += res.ptr - tmp;
    *o++ = ':';
    o = put_two_digits(o, (intpart >> 6) % 64);
    *o++ = ':';
    o = put_two_digits(o, intpart % 64);
    o = put_micros(o, micros);
    return static_cast<size_t>(o - buf);
  }
  uint64_t ymd = intpart >> 17;
  uint64_t ym = ymd >> 5;
  uint64_t hms = intpart % (1u << 17);
  uint64_t year = ym / 13;
  o = put_two_digits(o, year / 100);
  o = put_two_digits(o, year % 100);
  *o++ = '-';
  o = put_two_digits(o, ym % 13);
  *o++ = '-';
  o = put_two_digits(o, ymd % 32);
  if (field == field_type::date)
    return static_cast<size_t>(o - buf);
  *o++ = ' ';
  o = put_two_digits(o, hms >> 12);
  *o++ = ':';
  o = put_two_digits(o, (hms >> 6) % 64);
  *o++ = ':';
  o = put_two_digits(o, hms % 64);
  o = put_micros(o, micros);
  return static_cast<size_t>(o - buf);
}

// Walks a document the way MySQL's printer (wrapper_to_string over
// json_binary::Value) does, with the same checks, and prints to the sink.
template <class Sink>
class walker {
public:
  walker(Sink& sink, const uint8_t* doc, size_t size)
    : sink_(sink),
      doc_(doc),
      doc_end_(doc + size),
      // Every value of a well-formed document has bytes of its own (an
      // entry or a header, its string bytes), so more visits than bytes
      // means offsets that share values: refuse instead of printing
      // exponentially much.
      budget_(2 * size + 16) {
  }

  bool document(size_t size) {
    if (size == 0) {
      sink_.put("null", 4); // MySQL reads an empty value as JSON null
      return true;
    }
    return value(doc_[0], doc_ + 1, size - 1, 0);
  }

  json_binary_error error() const {
    return error_;
  }

private:
  bool fail(const char* reason, const uint8_t* at) {
    if (error_.reason == nullptr) {
      error_.reason = reason;
      error_.offset = static_cast<size_t>(at - doc_);
    }
    return false;
  }

  bool spend(size_t n, const uint8_t* at) {
    if (budget_ < n)
      return fail("values overlap (more values than the document has bytes)",
                  at);
    budget_ -= n;
    return true;
  }

  template <class Integer>
  void integer(Integer x) {
    if constexpr (Sink::prints) {
      char tmp[24];
      auto res = std::to_chars(tmp, tmp + sizeof(tmp), x);
      sink_.put(tmp, static_cast<size_t>(res.ptr - tmp));
    }
  }

  bool value(uint8_t type, const uint8_t* p, size_t len, size_t depth) {
    if (!spend(1, p))
      return false;
    switch (type) {
      case jsonb::small_object:
      case jsonb::large_object:
      case jsonb::small_array:
      case jsonb::large_array:
        return container(type, p, len, depth);
      case jsonb::literal:
        if (len < 1)
          return fail("literal runs past the end", p);
        switch (p[0]) {
          case jsonb::literal_null:
            sink_.put("null", 4);
            return true;
          case jsonb::literal_true:
            sink_.put("true", 4);
            return true;
          case jsonb::literal_false:
            sink_.put("false", 5);
            return true;
          default:
            return fail("unknown literal", p);
        }
      case jsonb::int16:
        if (len < 2)
          return fail("int16 runs past the end", p);
        integer(static_cast<int16_t>(load_le16(p)));
        return true;
      case jsonb::uint16:
        if (len < 2)
          return fail("uint16 runs past the end", p);
        integer(load_le16(p));
        return true;
      case jsonb::int32:
        if (len < 4)
          return fail("int32 runs past the end", p);
        integer(static_cast<int32_t>(load_le32(p)));
        return true;
      case jsonb::uint32:
        if (len < 4)
          return fail("uint32 runs past the end", p);
        integer(load_le32(p));
        return true;
      case jsonb::int64:
        if (len < 8)
          return fail("int64 runs past the end", p);
        integer(static_cast<int64_t>(load_le64(p)));
        return true;
      case jsonb::uint64:
        if (len < 8)
          return fail("uint64 runs past the end", p);
        integer(load_le64(p));
        return true;
      case jsonb::double_: {
        if (len < 8)
          return fail("double runs past the end", p);
        if constexpr (Sink::prints) {
          double x;
          std::memcpy(&x, p, 8);
          char tmp[40];
          sink_.put(tmp, format_json_double(x, tmp));
        }
        return true;
      }
      case jsonb::string: {
        uint32_t n;
        size_t used;
        if (!jsonb::read_variable_length(p, len, n, used))
          return fail("bad string length", p);
        if (len - used < n)
          return fail("string runs past the end", p);
        if (!spend(n, p))
          return false;
        sink_.string(p + used, n, doc_end_);
        return true;
      }
      case jsonb::opaque:
        return opaque(p, len);
      default:
        return fail("unknown value type", p);
    }
  }

  bool opaque(const uint8_t* p, size_t len) {
    if (len < 1)
      return fail("opaque value runs past the end", p);
    uint8_t field = p[0];
    uint32_t n;
    size_t used;
    if (!jsonb::read_variable_length(p + 1, len - 1, n, used))
      return fail("bad opaque value length", p);
    if (len - 1 - used < n)
      return fail("opaque value runs past the end", p);
    if (!spend(n, p))
      return false;
    const uint8_t* data = p + 1 + used;
    switch (field) {
      case field_type::newdecimal: {
        // Precision and scale, then the DECIMAL's binary form; printed as
        // a number with `scale` digits after the point.
        if (n < 2)
          return fail("DECIMAL value without precision and scale", p);
        unsigned precision = data[0];
        unsigned scale = data[1];
        if (precision == 0 && scale == 0 && n == 2) {
          sink_.put('0');
          return true;
        }
        if (precision == 0 || precision > 65 || scale > 30 || scale > precision
            || decimal_size(precision, scale) != n - 2)
          return fail("bad DECIMAL value", p);
        if constexpr (Sink::prints) {
          // Reused per thread: no allocation per value.
          thread_local std::string text;
          text.clear();
          append_decimal(text, data + 2, precision, scale);
          sink_.put(text.data(), text.size());
        }
        return true;
      }
      case field_type::date:
      case field_type::time:
      case field_type::datetime:
      case field_type::timestamp: {
        if (n != 8)
          return fail("date or time value is not 8 bytes", p);
        if constexpr (Sink::prints) {
          char tmp[48];
          auto size = format_temporal(field,
                                      static_cast<int64_t>(load_le64(data)),
                                      tmp);
          sink_.quote();
          sink_.put(tmp, size);
          sink_.quote();
        }
        return true;
      }
      default:
        if constexpr (Sink::prints)
          base64(field, data, n);
        return true;
    }
  }

  // "base64:type<field>:<base64>", as MySQL's base64_encode writes it: a
  // newline after every 76 characters, which the string escaping turns
  // into "\n".
  void base64(uint8_t field, const uint8_t* data, size_t n) {
    static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    sink_.quote();
    char head[24] = "base64:type";
    char* o = head + 11;
    o = std::to_chars(o, head + sizeof(head), static_cast<unsigned>(field)).ptr;
    *o++ = ':';
    sink_.put(head, static_cast<size_t>(o - head));
    // 57 input bytes make one 76-character line.
    char line[80];
    for (size_t i = 0; i < n; i += 57) {
      if (i > 0)
        sink_.escaped_newline();
      size_t end = std::min(n, i + 57);
      o = line;
      size_t j = i;
      for (; j + 3 <= end; j += 3) {
        uint32_t v = (uint32_t{data[j]} << 16) | (uint32_t{data[j + 1]} << 8)
                     | data[j + 2];
        *o++ = alphabet[(v >> 18) & 63];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = alphabet[(v >> 6) & 63];
        *o++ = alphabet[v & 63];
      }
      if (j + 1 == end) {
        uint32_t v = uint32_t{data[j]} << 16;
        *o++ = alphabet[(v >> 18) & 63];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = '=';
        *o++ = '=';
      } else if (j + 2 == end) {
        uint32_t v = (uint32_t{data[j]} << 16) | (uint32_t{data[j + 1]} << 8);
        *o++ = alphabet[(v >> 18) & 63];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = alphabet[(v >> 6) & 63];
        *o++ = '=';
      }
      sink_.put(line, static_cast<size_t>(o - line));
    }
    sink_.quote();
  }

  bool container(uint8_t type, const uint8_t* p, size_t len, size_t depth) {
    if (depth >= jsonb::max_depth)
      return fail("nested deeper than 100 levels", p);
    bool large = jsonb::is_large(type);
    bool object = jsonb::is_object(type);
    size_t offset_size = large ? 4 : 2;
    size_t key_entry_size = offset_size + 2;
    size_t value_entry_size = offset_size + 1;
    if (len < 2 * offset_size)
      return fail("object or array header runs past the end", p);
    uint64_t count = large ? load_le32(p) : load_le16(p);
    uint64_t bytes = large ? load_le32(p + offset_size)
                           : load_le16(p + offset_size);
    if (bytes > len)
      return fail("object or array runs past the end", p);
    uint64_t header = 2 * offset_size + count * (object ? key_entry_size : 0)
                      + count * value_entry_size;
    if (header > bytes)
      return fail("object or array entries run past its end", p);
    const uint8_t* key_entries = p + 2 * offset_size;
    const uint8_t* value_entries = key_entries
                                   + (object ? count * key_entry_size : 0);
    sink_.put(object ? '{' : '[');
    for (size_t i = 0; i < count; ++i) {
      if (i > 0)
        sink_.put(", ", 2);
      if (object) {
        const uint8_t* entry = key_entries + i * key_entry_size;
        uint64_t key_offset = large ? load_le32(entry) : load_le16(entry);
        size_t key_length = load_le16(entry + offset_size);
        if (key_offset < header || key_offset + key_length > bytes)
          return fail("key outside its object", entry);
        if (!spend(key_length, entry))
          return false;
        sink_.string(p + key_offset, key_length, doc_end_, true);
      }
      const uint8_t* entry = value_entries + i * value_entry_size;
      uint8_t child = entry[0];
      if (jsonb::is_inlined(child, large)) {
        if (!value(child, entry + 1, offset_size, depth + 1))
          return false;
        continue;
      }
      uint64_t value_offset = large ? load_le32(entry + 1)
                                    : load_le16(entry + 1);
      auto entry_end = static_cast<uint64_t>(entry - p) + value_entry_size;
      if (value_offset > bytes || value_offset < entry_end)
        return fail("value outside its object or array", entry);
      if (!value(child, p + value_offset,
                 static_cast<size_t>(bytes - value_offset), depth + 1))
        return false;
    }
    sink_.put(object ? '}' : ']');
    return true;
  }

  Sink& sink_;
  const uint8_t* doc_;
  const uint8_t* doc_end_;
  size_t budget_;
  json_binary_error error_;
};

// Text is about as long as the binary form; more is reserved as needed.
size_t expected_text_size(size_t binary_size) {
  return binary_size + binary_size / 2 + 32;
}

void set_error(json_binary_error* out, const json_binary_error& error) {
  if (out != nullptr)
    *out = error;
}

} // namespace

bool check_json_binary(const uint8_t* p, size_t size,
                       json_binary_error* error) {
  check_sink sink;
  walker<check_sink> w{sink, p, size};
  if (w.document(size))
    return true;
  set_error(error, w.error());
  return false;
}

bool append_json_text(std::string& out, const uint8_t* p, size_t size,
                      json_binary_error* error) {
  text_buffer buffer{out, expected_text_size(size)};
  printing_sink<false> sink{buffer};
  walker<printing_sink<false>> w{sink, p, size};
  if (!w.document(size)) {
    buffer.discard();
    set_error(error, w.error());
    return false;
  }
  buffer.finish();
  return true;
}

bool write_json_binary(json_writer& out, const uint8_t* p, size_t size) {
  auto& s = out.buffer();
  auto start = s.size();
  text_buffer buffer{s, expected_text_size(size)};
  printing_sink<true> sink{buffer};
  buffer.put('"');
  walker<printing_sink<true>> w{sink, p, size};
  if (!w.document(size)) {
    buffer.discard();
    s.resize(start);
    out.null();
    return false;
  }
  buffer.put('"');
  buffer.finish();
  return true;
}

size_t format_json_double(double x, char* buf) {
  char* o = buf;
  if (!std::isfinite(x)) {
    // MySQL's dtoa gives "0" for these (its overflow case); JSON appends
    // ".0". Binary JSON written by MySQL never holds them.
    std::memcpy(buf, "0.0", 3);
    return 3;
  }
  if (std::signbit(x)) {
    *o++ = '-';
    x = -x;
  }
  if (x == 0) {
    std::memcpy(o, "0.0", 3);
    return static_cast<size_t>(o + 3 - buf);
  }
  // The shortest digits that read back as x, as dtoa's mode 0 gives them.
  char sci[32];
  auto res = std::to_chars(sci, sci + sizeof(sci), x,
                           std::chars_format::scientific);
  char digits[20];
  int len = 0;
  const char* s = sci;
  for (; s < res.ptr && *s != 'e'; ++s)
    if (*s != '.')
      digits[len++] = *s;
  int exponent = 0;
  std::from_chars(s + 1 + (s[1] == '+'), res.ptr, exponent);
  int decpt = exponent + 1; // x = 0.DIGITS * 10^decpt
  // my_gcvt's choice at width 34: 'f' unless that needs more than 14
  // zeros after the point, or more than 15 digits before it beyond the
  // significant ones.
  bool fixed = (decpt >= -14 && decpt <= 15) || (decpt > 15 && len > decpt);
  if (fixed) {
    if (decpt <= 0) {
      *o++ = '0';
      *o++ = '.';
      for (int i = decpt; i < 0; ++i)
        *o++ = '0';
      std::memcpy(o, digits, static_cast<size_t>(len));
      o += len;
    } else if (decpt < len) {
      std::memcpy(o, digits, static_cast<size_t>(decpt));
      o += decpt;
      *o++ = '.';
      std::memcpy(o, digits + decpt, static_cast<size_t>(len - decpt));
      o += len - decpt;
    } else {
      std::memcpy(o, digits, static_cast<size_t>(len));
      o += len;
      for (int i = len; i < decpt; ++i)
        *o++ = '0';
      // No point and no exponent: JSON marks it as a double.
      *o++ = '.';
      *o++ = '0';
    }
    return static_cast<size_t>(o - buf);
  }
  *o++ = digits[0];
  if (len > 1) {
    *o++ = '.';
    std::memcpy(o, digits + 1, static_cast<size_t>(len - 1));
    o += len - 1;
  }
  *o++ = 'e';
  int e = decpt - 1;
  if (e < 0) {
    *o++ = '-';
    e = -e;
  }
  o = std::to_chars(o, o + 4, e).ptr;
  return static_cast<size_t>(o - buf);
}

} // namespace binlog
