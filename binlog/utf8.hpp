#pragma once

// UTF-8 pieces shared by the JSON writer, the binary JSON printer and the
// charset conversion: one definition of what a valid sequence is.

#include <cstddef>
#include <cstdint>
#include <string>

namespace binlog::utf8 {

/// Length of the valid UTF-8 sequence at p (lead byte >= 0x80) before
/// `end`, or 0: overlong forms, surrogates and code points past U+10FFFF
/// are not valid.
inline size_t sequence_length(const uint8_t* p, const uint8_t* end) {
  uint8_t c = p[0];
  size_t n;
  uint32_t min;
  uint32_t cp;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
    min = 0x80;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    min = 0x800;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    min = 0x10000;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (static_cast<size_t>(end - p) < n)
    return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((p[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

/// Appends a code point of the Basic Multilingual Plane.
inline void append_bmp(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

/// The code point of a byte of MySQL's latin1, which is cp1252 with the
/// five undefined positions mapped straight through.
inline uint32_t latin1_code_point(uint8_t c) {
  static constexpr uint16_t cp1252_high[32] = {
    0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
    0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
    0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
    0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178};
  return c >= 0x80 && c < 0xa0 ? cp1252_high[c - 0x80] : c;
}

} // namespace binlog::utf8
