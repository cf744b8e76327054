#pragma once

// MySQL's binary JSON (the storage format of JSON columns, also used in
// row images and in PARTIAL_UPDATE_ROWS diffs), turned into the text that
// MySQL's CAST(col AS CHAR) prints: `{"a": 1, "b": [true, null]}`.
//
// The format (sql-common/json_binary.cc in mysql-server): a document is a
// type byte and a value. Objects and arrays come in a small (16-bit offsets)
// and a large (32-bit offsets) form: element count, byte size, then key
// entries (objects), value entries, keys and values. Literals and 16-bit
// integers (32-bit ones in the large form) sit inline in the value entry.

#include <cstddef>
#include <cstdint>
#include <string>

#include "binlog/json_writer.hpp"

namespace binlog {

namespace jsonb {

// Value type codes.
constexpr uint8_t small_object = 0x0;
constexpr uint8_t large_object = 0x1;
constexpr uint8_t small_array = 0x2;
constexpr uint8_t large_array = 0x3;
constexpr uint8_t literal = 0x4;
constexpr uint8_t int16 = 0x5;
constexpr uint8_t uint16 = 0x6;
constexpr uint8_t int32 = 0x7;
constexpr uint8_t uint32 = 0x8;
constexpr uint8_t int64 = 0x9;
constexpr uint8_t uint64 = 0xa;
constexpr uint8_t double_ = 0xb;
constexpr uint8_t string = 0xc;
constexpr uint8_t opaque = 0xf;

// Literal values.
constexpr uint8_t literal_null = 0x0;
constexpr uint8_t literal_true = 0x1;
constexpr uint8_t literal_false = 0x2;

/// MySQL refuses to print documents nested deeper than this
/// (JSON_DOCUMENT_MAX_DEPTH); so do we.
constexpr size_t max_depth = 100;

inline bool is_container(uint8_t type) {
  return type <= large_array;
}
inline bool is_object(uint8_t type) {
  return type == small_object || type == large_object;
}
inline bool is_large(uint8_t type) {
  return type == large_object || type == large_array;
}

/// Whether a value of `type` sits inside its value entry.
inline bool is_inlined(uint8_t type, bool large) {
  return type == literal || type == int16 || type == uint16
         || (large && (type == int32 || type == uint32));
}

/// Reads the variable-length length of strings and opaque values (7 bits a
/// byte, least significant first, at most 5 bytes, at most 2^32 - 1).
bool read_variable_length(const uint8_t* p, size_t avail, uint32_t& length,
                          size_t& used);

/// The exact number of bytes the value of `type` at `p` takes (for a
/// container: its header's byte size), reading at most `avail` bytes.
/// Containers are not checked inside.
bool value_extent(uint8_t type, const uint8_t* p, size_t avail, size_t& size);

} // namespace jsonb

/// Why a document could not be read: a short reason and the byte offset
/// in the document where it was found.
struct json_binary_error {
  const char* reason = nullptr;
  size_t offset = 0;
};

/// Checks that a document can be printed (every offset and length inside
/// it, known types, nesting of at most 100 levels, no more values than its
/// size allows) without printing it. An empty document is JSON null.
bool check_json_binary(const uint8_t* p, size_t size,
                       json_binary_error* error = nullptr);

/// Appends the document's text, exactly as MySQL prints it. On a malformed
/// document appends nothing and returns false.
bool append_json_text(std::string& out, const uint8_t* p, size_t size,
                      json_binary_error* error = nullptr);

/// Writes the document as a JSON string holding its text: the same bytes
/// as `out.string(text)` with the text from append_json_text, written in
/// one pass. On a malformed document writes null and returns false (the
/// decoder checks documents before records are encoded).
bool write_json_binary(json_writer& out, const uint8_t* p, size_t size);

/// Formats a double as MySQL prints it in JSON text (my_gcvt with a field
/// width of 34, then ".0" when that has neither a point nor an exponent):
/// 1.0, 0.1, 1e300, 1.5e-7 as 0.00000015, 1e15 as 1e15, 1e14 as
/// 100000000000000.0. `buf` needs 40 bytes; returns the length.
size_t format_json_double(double x, char* buf);

} // namespace binlog
