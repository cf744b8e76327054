#pragma once

// Appends JSON text to a reused buffer. No allocation once the buffer has
// grown to the size of the largest record.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace binlog {

class json_writer {
public:
  explicit json_writer(std::string& out) : out_(out) {
  }

  std::string& buffer() {
    return out_;
  }

  void raw(std::string_view text) {
    out_.append(text.data(), text.size());
  }
  void raw(char c) {
    out_.push_back(c);
  }

  void null() {
    raw("null");
  }
  void boolean(bool x) {
    raw(x ? std::string_view{"true"} : std::string_view{"false"});
  }

  template <class Integer>
  void integer(Integer x) {
    char tmp[24];
    auto res = std::to_chars(tmp, tmp + sizeof(tmp), x);
    out_.append(tmp, static_cast<size_t>(res.ptr - tmp));
  }

  /// Shortest text that reads back as the same double.
  void number(double x);
  /// Shortest text that reads back as the same float.
  void number(float x);

  /// A JSON string from UTF-8 bytes; invalid sequences become U+FFFD.
  void string(std::string_view utf8) {
    out_.push_back('"');
    escaped(utf8);
    out_.push_back('"');
  }

  /// The inside of a JSON string, without the quotes.
  void escaped(std::string_view utf8);

  /// A JSON string from Latin-1 (MySQL's latin1 is cp1252) bytes.
  void string_latin1(std::string_view bytes);

  /// A JSON string holding the base64 of `bytes` (RFC 4648's URL-safe
  /// alphabet, padded, when `url_safe`).
  void base64(std::string_view bytes, bool url_safe = false);

  /// A JSON string holding the lower-case hex digits of `bytes`.
  void hex(std::string_view bytes);

  /// `"name":`, for names that need no escaping beyond what string() does.
  void key(std::string_view name) {
    string(name);
    raw(':');
  }

private:
  std::string& out_;
};

} // namespace binlog
