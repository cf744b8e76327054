#include "binlog/charset.hpp"

#include <array>
#include <cstring>
#include <string>

#include <mysql.h>

namespace binlog {

namespace {

constexpr size_t known_collations = 2048;

charset_kind classify(uint32_t collation) {
  if (collation == 63)
    return charset_kind::binary;
  auto cs = mariadb_get_charset_by_nr(collation);
  if (cs == nullptr || cs->csname == nullptr)
    return charset_kind::utf8; // newer collation ids: utf8mb4 in practice
  std::string_view name{cs->csname};
  if (name.compare(0, 4, "utf8") == 0 || name == "ascii")
    return charset_kind::utf8;
  if (name == "latin1")
    return charset_kind::latin1;
  if (name == "binary")
    return charset_kind::binary;
  return charset_kind::other;
}

const std::array<charset_kind, known_collations>& collation_table() {
  static const auto table = [] {
    std::array<charset_kind, known_collations> t{};
    for (uint32_t i = 0; i < known_collations; ++i)
      t[i] = classify(i);
    return t;
  }();
  return table;
}

} // namespace

charset_kind charset_of(uint32_t collation) {
  if (collation < known_collations)
    return collation_table()[collation];
  return classify(collation);
}

void write_converted(json_writer& out, uint32_t collation,
                     std::string_view bytes) {
  auto from = mariadb_get_charset_by_nr(collation);
  static auto to = mariadb_get_charset_by_name("utf8mb4");
  if (from == nullptr || to == nullptr) {
    out.string(bytes);
    return;
  }
  thread_local std::string converted;
  // A character takes at most 4 bytes in UTF-8, and at least 1 byte before.
  converted.resize(bytes.size() * 4 + 4);
  size_t from_len = bytes.size();
  size_t to_len = converted.size();
  int err = 0;
  auto n = mariadb_convert_string(bytes.data(), &from_len,
                                  const_cast<MARIADB_CHARSET_INFO*>(from),
                                  converted.data(), &to_len,
                                  const_cast<MARIADB_CHARSET_INFO*>(to), &err);
  if (err != 0 || n == static_cast<size_t>(-1)) {
    out.string(bytes); // invalid bytes end up as U+FFFD
    return;
  }
  out.string({converted.data(), n});
}

} // namespace binlog
