#include "binlog/decimal.hpp"

#include <cstring>

namespace binlog {

namespace {

constexpr unsigned digits_per_word = 9;
constexpr unsigned bytes_for_digits[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

uint32_t read_be(const uint8_t* p, unsigned n, uint8_t mask) {
  uint32_t x = 0;
  for (unsigned i = 0; i < n; ++i)
    x = (x << 8) | static_cast<uint8_t>(p[i] ^ mask);
  return x;
}

// Writes exactly `width` digits of x, zero-padded, at o.
char* put_digits(char* o, uint32_t x, unsigned width) {
  for (unsigned i = width; i > 0; --i) {
    o[i - 1] = static_cast<char>('0' + x % 10);
    x /= 10;
  }
  return o + width;
}

} // namespace

size_t decimal_size(unsigned precision, unsigned scale) {
  unsigned intg = precision - scale;
  return (intg / digits_per_word) * 4 + bytes_for_digits[intg % digits_per_word]
         + (scale / digits_per_word) * 4
         + bytes_for_digits[scale % digits_per_word];
}

void append_decimal(std::string& out, const uint8_t* p, unsigned precision,
                    unsigned scale) {
  unsigned intg = precision - scale;
  unsigned intg_words = intg / digits_per_word;
  unsigned intg_rest = intg % digits_per_word;
  unsigned frac_words = scale / digits_per_word;
  unsigned frac_rest = scale % digits_per_word;
  // The high bit of the first byte is set for positive numbers; negative
  // numbers have all bits inverted.
  bool negative = (p[0] & 0x80) == 0;
  uint8_t mask = negative ? 0xff : 0x00;
  size_t size = decimal_size(precision, scale);
  uint8_t buf[32]; // DECIMAL(65,30) takes 30 bytes; callers check the bounds
  std::memcpy(buf, p, size);
  buf[0] ^= 0x80;
  const uint8_t* q = buf;
  // Up to 65 digits, a sign and a point.
  char digits[80];
  char* o = digits;
  bool leading = true;
  auto emit_int = [&](uint32_t x, unsigned width) {
    if (leading) {
      if (x == 0)
        return;
      char tmp[10];
      char* e = put_digits(tmp, x, width);
      char* s = tmp;
      while (s < e - 1 && *s == '0')
        ++s;
      std::memcpy(o, s, static_cast<size_t>(e - s));
      o += e - s;
      leading = false;
    } else {
      o = put_digits(o, x, width);
    }
  };
  if (intg_rest > 0) {
    auto n = bytes_for_digits[intg_rest];
    emit_int(read_be(q, n, mask), intg_rest);
    q += n;
  }
  for (unsigned i = 0; i < intg_words; ++i) {
    emit_int(read_be(q, 4, mask), digits_per_word);
    q += 4;
  }
  if (leading)
    *o++ = '0';
  bool all_zero = leading;
  if (scale > 0) {
    *o++ = '.';
    char* frac_start = o;
    for (unsigned i = 0; i < frac_words; ++i) {
      o = put_digits(o, read_be(q, 4, mask), digits_per_word);
      q += 4;
    }
    if (frac_rest > 0) {
      auto n = bytes_for_digits[frac_rest];
      o = put_digits(o, read_be(q, n, mask), frac_rest);
      q += n;
    }
    for (char* f = frac_start; f < o; ++f)
      if (*f != '0')
        all_zero = false;
  }
  if (negative && !all_zero)
    out.push_back('-');
  out.append(digits, static_cast<size_t>(o - digits));
}

} // namespace binlog
