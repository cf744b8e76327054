#pragma once

// Bounds-checked reading of the little- and big-endian integers that binlog
// events are made of.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace binlog {

inline uint16_t load_le16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}

inline uint32_t load_le24(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8)
         | (static_cast<uint32_t>(p[2]) << 16);
}

inline uint32_t load_le32(const uint8_t* p) {
  uint32_t x;
  std::memcpy(&x, p, 4);
  return x; // the binlog is little-endian, like every host we build for
}

inline uint64_t load_le48(const uint8_t* p) {
  return static_cast<uint64_t>(load_le32(p))
         | (static_cast<uint64_t>(load_le16(p + 4)) << 32);
}

inline uint64_t load_le64(const uint8_t* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}

/// Reads `n` (at most 8) little-endian bytes.
inline uint64_t load_le(const uint8_t* p, size_t n) {
  uint64_t x = 0;
  for (size_t i = 0; i < n; ++i)
    x |= static_cast<uint64_t>(p[i]) << (8 * i);
  return x;
}

/// Reads `n` (at most 8) big-endian bytes.
inline uint64_t load_be(const uint8_t* p, size_t n) {
  uint64_t x = 0;
  for (size_t i = 0; i < n; ++i)
    x = (x << 8) | p[i];
  return x;
}

/// A read position in a byte range. Every read checks the bounds; after a
/// failed read `ok()` is false and all further reads return zero.
class cursor {
public:
  cursor() = default;
  cursor(const uint8_t* begin, const uint8_t* end) : p_(begin), end_(end) {
  }
  cursor(const uint8_t* begin, size_t size) : p_(begin), end_(begin + size) {
  }

  bool ok() const {
    return ok_;
  }
  size_t remaining() const {
    return static_cast<size_t>(end_ - p_);
  }
  bool empty() const {
    return p_ == end_;
  }
  const uint8_t* data() const {
    return p_;
  }
  const uint8_t* end() const {
    return end_;
  }

  bool has(size_t n) {
    if (ok_ && remaining() >= n)
      return true;
    ok_ = false;
    return false;
  }

  bool skip(size_t n) {
    if (!has(n))
      return false;
    p_ += n;
    return true;
  }

  uint8_t u8() {
    return has(1) ? *p_++ : 0;
  }
  uint16_t u16() {
    return fixed<uint16_t>(2);
  }
  uint32_t u24() {
    return fixed<uint32_t>(3);
  }
  uint32_t u32() {
    return fixed<uint32_t>(4);
  }
  uint64_t u48() {
    return fixed<uint64_t>(6);
  }
  uint64_t u64() {
    return fixed<uint64_t>(8);
  }
  uint64_t uint_n(size_t n) {
    return fixed<uint64_t>(n);
  }

  /// A length-encoded ("packed") integer as the client protocol defines it.
  uint64_t packed() {
    if (!has(1))
      return 0;
    uint8_t first = *p_++;
    if (first < 251)
      return first;
    switch (first) {
      case 252:
        return u16();
      case 253:
        return u24();
      case 254:
        return u64();
      default: // 251 is NULL, 255 is undefined: neither is a length here
        ok_ = false;
        return 0;
    }
  }

  const uint8_t* bytes(size_t n) {
    if (!has(n))
      return nullptr;
    auto result = p_;
    p_ += n;
    return result;
  }

  std::string_view str(size_t n) {
    auto b = bytes(n);
    return b ? std::string_view{reinterpret_cast<const char*>(b), n}
             : std::string_view{};
  }

  /// A string prefixed with its packed length.
  std::string_view packed_str() {
    auto n = packed();
    return str(static_cast<size_t>(n));
  }

  void fail() {
    ok_ = false;
  }

private:
  template <class T>
  T fixed(size_t n) {
    if (!has(n))
      return 0;
    auto x = static_cast<T>(load_le(p_, n));
    p_ += n;
    return x;
  }

  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  bool ok_ = true;
};

} // namespace binlog
