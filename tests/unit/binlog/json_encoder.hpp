#pragma once

// A small binary JSON encoder for the tests, written from the format
// description in sql-common/json_binary.cc: a value is its type code and
// its bytes; objects take their members in the order given (MySQL's order
// is by key length, then bytes).

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace b2k::test {

using bytes = std::vector<uint8_t>;

inline void put_le(bytes& b, size_t at, uint64_t x, size_t n) {
  for (size_t i = 0; i < n; ++i)
    b[at + i] = static_cast<uint8_t>(x >> (8 * i));
}

inline void append_le(bytes& b, uint64_t x, size_t n) {
  b.resize(b.size() + n);
  put_le(b, b.size() - n, x, n);
}

inline bytes varlen(size_t n) {
  bytes out;
  do {
    auto byte = static_cast<uint8_t>(n & 0x7f);
    n >>= 7;
    out.push_back(n != 0 ? byte | 0x80 : byte);
  } while (n != 0);
  return out;
}

/// A value: its type code and its bytes.
struct jv {
  uint8_t type;
  bytes payload;
};

inline jv lit(uint8_t x) {
  return {0x4, {x}};
}
inline jv i16(int16_t x) {
  bytes b;
  append_le(b, static_cast<uint16_t>(x), 2);
  return {0x5, b};
}
inline jv str(const std::string& s) {
  bytes b = varlen(s.size());
  b.insert(b.end(), s.begin(), s.end());
  return {0xc, b};
}
inline jv dbl(double x) {
  bytes b(8);
  std::memcpy(b.data(), &x, 8);
  return {0xb, b};
}
inline jv opq(uint8_t field, const bytes& data) {
  bytes b{field};
  auto n = varlen(data.size());
  b.insert(b.end(), n.begin(), n.end());
  b.insert(b.end(), data.begin(), data.end());
  return {0xf, b};
}

inline bool inlined(uint8_t type, bool large) {
  return type == 0x4 || type == 0x5 || type == 0x6
         || (large && (type == 0x7 || type == 0x8));
}

inline jv container(bool object,
                    const std::vector<std::pair<std::string, jv>>& m,
                    bool large) {
  size_t off = large ? 4 : 2;
  size_t n = m.size();
  size_t header = 2 * off + (object ? n * (off + 2) : 0) + n * (off + 1);
  bytes b(header);
  put_le(b, 0, n, off);
  size_t value_entries = 2 * off + (object ? n * (off + 2) : 0);
  if (object) {
    for (size_t i = 0; i < n; ++i) {
      put_le(b, 2 * off + i * (off + 2), b.size(), off);
      put_le(b, 2 * off + i * (off + 2) + off, m[i].first.size(), 2);
      b.insert(b.end(), m[i].first.begin(), m[i].first.end());
    }
  }
  for (size_t i = 0; i < n; ++i) {
    const jv& v = m[i].second;
    size_t entry = value_entries + i * (off + 1);
    b[entry] = v.type;
    if (inlined(v.type, large)) {
      uint64_t x = v.payload[0];
      if (v.payload.size() >= 2)
        x = v.payload[0] | (v.payload[1] << 8);
      if (v.type == 0x5 && large)
        x = static_cast<uint64_t>(
          static_cast<int64_t>(static_cast<int16_t>(x)));
      if (v.payload.size() == 4)
        x = v.payload[0] | (v.payload[1] << 8) | (v.payload[2] << 16)
            | (uint64_t{v.payload[3]} << 24);
      put_le(b, entry + 1, x, off);
    } else {
      put_le(b, entry + 1, b.size(), off);
      b.insert(b.end(), v.payload.begin(), v.payload.end());
    }
  }
  put_le(b, off, b.size(), off);
  return {static_cast<uint8_t>((object ? 0x0 : 0x2) | (large ? 1 : 0)), b};
}

inline jv obj(const std::vector<std::pair<std::string, jv>>& m,
              bool large = false) {
  return container(true, m, large);
}
inline jv arr(const std::vector<jv>& values, bool large = false) {
  std::vector<std::pair<std::string, jv>> m;
  for (auto& v : values)
    m.emplace_back("", v);
  return container(false, m, large);
}

/// A whole document: the type byte, then the value.
inline bytes doc(const jv& v) {
  bytes b{v.type};
  b.insert(b.end(), v.payload.begin(), v.payload.end());
  return b;
}

} // namespace b2k::test
