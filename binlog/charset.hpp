#pragma once

#include <cstdint>
#include <string_view>

#include "binlog/json_writer.hpp"

namespace binlog {

/// How a character column's bytes become a JSON string.
enum class charset_kind : uint8_t {
  utf8,   // utf8mb4, utf8mb3, ascii, and collations we do not know
  latin1, // cp1252, converted by a table
  binary, // BINARY, VARBINARY, BLOB: base64
  other,  // converted to UTF-8 with iconv
};

/// The kind of charset a collation id (from the table map) belongs to.
charset_kind charset_of(uint32_t collation);

/// Writes a JSON string converted from the collation's charset to UTF-8.
void write_converted(json_writer& out, uint32_t collation,
                     std::string_view bytes);

/// Converts text in the collation's charset to UTF-8 into `out` (replaced);
/// bytes that do not convert become U+FFFD. UTF-8 and binary text is copied
/// as it is (the JSON writer replaces invalid UTF-8 later).
void to_utf8(uint32_t collation, std::string_view bytes, std::string& out);

} // namespace binlog
