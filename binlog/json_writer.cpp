#include "binlog/json_writer.hpp"

#include "binlog/hex.hpp"
#include "binlog/utf8.hpp"

#include <array>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#  include <emmintrin.h>
#endif

namespace binlog {

namespace {

// 0: copy as is; 1: needs a backslash escape; 2: starts a multi-byte
// UTF-8 sequence (or is an invalid byte).
constexpr std::array<uint8_t, 256> make_class_table() {
  std::array<uint8_t, 256> t{};
  for (int i = 0; i < 0x20; ++i)
    t[i] = 1;
  t['"'] = 1;
  t['\\'] = 1;
  for (int i = 0x80; i < 0x100; ++i)
    t[i] = 2;
  return t;
}

constexpr auto char_class = make_class_table();

void escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out.append("\\\"", 2);
      break;
    case '\\':
      out.append("\\\\", 2);
      break;
    case '\n':
      out.append("\\n", 2);
      break;
    case '\r':
      out.append("\\r", 2);
      break;
    case '\t':
      out.append("\\t", 2);
      break;
    case '\b':
      out.append("\\b", 2);
      break;
    case '\f':
      out.append("\\f", 2);
      break;
    default: {
      char buf[6] = {
        '\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 0xf]};
      out.append(buf, 6);
    }
  }
}

} // namespace

void json_writer::number(double x) {
  if (!std::isfinite(x)) {
    null(); // JSON has no NaN or infinity; MySQL cannot store them either
    return;
  }
  char tmp[32];
  auto res = std::to_chars(tmp, tmp + sizeof(tmp), x);
  out_.append(tmp, static_cast<size_t>(res.ptr - tmp));
}

void json_writer::number(float x) {
  if (!std::isfinite(x)) {
    null();
    return;
  }
  char tmp[32];
  auto res = std::to_chars(tmp, tmp + sizeof(tmp), x);
  out_.append(tmp, static_cast<size_t>(res.ptr - tmp));
}

// The length of the run of bytes at p that need no escaping and no UTF-8
// check: most text is plain ASCII, so look at 16 bytes at a time.
static const unsigned char* plain_run(const unsigned char* p,
                                      const unsigned char* end) {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  while (end - p >= 16) {
    auto v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compare: bytes >= 0x80 are negative, so they count as < 0x20.
    auto special = _mm_or_si128(_mm_cmplt_epi8(v, space),
                                _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                             _mm_cmpeq_epi8(v, backslash)));
    auto mask = static_cast<unsigned>(_mm_movemask_epi8(special));
    if (mask != 0)
      return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  while (p < end && char_class[*p] == 0)
    ++p;
  return p;
}

void json_writer::escaped(std::string_view utf8) {
  auto p = reinterpret_cast<const unsigned char*>(utf8.data());
  auto end = p + utf8.size();
  while (p < end) {
    auto run = plain_run(p, end);
    if (run != p) {
      out_.append(reinterpret_cast<const char*>(p),
                  static_cast<size_t>(run - p));
      p = run;
      if (p == end)
        break;
    }
    if (char_class[*p] == 1) {
      escape(out_, *p);
      ++p;
    } else if (auto n = utf8::sequence_length(p, end); n > 0) {
      out_.append(reinterpret_cast<const char*>(p), n);
      p += n;
    } else {
      out_.append("\xef\xbf\xbd", 3);
      ++p;
    }
  }
}

void json_writer::string_latin1(std::string_view bytes) {
  out_.push_back('"');
  for (unsigned char c : bytes) {
    if (char_class[c] == 0)
      out_.push_back(static_cast<char>(c));
    else if (char_class[c] == 1)
      escape(out_, c);
    else
      utf8::append_bmp(out_, utf8::latin1_code_point(c));
  }
  out_.push_back('"');
}

void json_writer::base64(std::string_view bytes, bool url_safe) {
  static constexpr char standard[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static constexpr char url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const char* alphabet = url_safe ? url : standard;
  auto p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  size_t old = out_.size();
  out_.resize(old + 2 + (n + 2) / 3 * 4);
  char* o = &out_[old];
  *o++ = '"';
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    *o++ = alphabet[(v >> 18) & 63];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = alphabet[(v >> 6) & 63];
    *o++ = alphabet[v & 63];
  }
  if (i + 1 == n) {
    uint32_t v = p[i] << 16;
    *o++ = alphabet[(v >> 18) & 63];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = '=';
    *o++ = '=';
  } else if (i + 2 == n) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8);
    *o++ = alphabet[(v >> 18) & 63];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = alphabet[(v >> 6) & 63];
    *o++ = '=';
  }
  *o++ = '"';
}

void json_writer::hex(std::string_view bytes) {
  size_t old = out_.size();
  out_.resize(old + 2 + 2 * bytes.size());
  char* o = &out_[old];
  *o++ = '"';
  for (unsigned char c : bytes) {
    *o++ = hex_digits[c >> 4];
    *o++ = hex_digits[c & 15];
  }
  *o++ = '"';
}

} // namespace binlog
