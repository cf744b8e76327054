#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "binlog/error.hpp"

namespace binlog {

/// MySQL's column type codes (enum_field_types) as they appear in TABLE_MAP.
namespace field_type {
constexpr uint8_t decimal = 0;
constexpr uint8_t tiny = 1;
constexpr uint8_t short_ = 2;
constexpr uint8_t long_ = 3;
constexpr uint8_t float_ = 4;
constexpr uint8_t double_ = 5;
constexpr uint8_t null = 6;
constexpr uint8_t timestamp = 7;
constexpr uint8_t longlong = 8;
constexpr uint8_t int24 = 9;
constexpr uint8_t date = 10;
constexpr uint8_t time = 11;
constexpr uint8_t datetime = 12;
constexpr uint8_t year = 13;
constexpr uint8_t newdate = 14;
constexpr uint8_t varchar = 15;
constexpr uint8_t bit = 16;
constexpr uint8_t timestamp2 = 17;
constexpr uint8_t datetime2 = 18;
constexpr uint8_t time2 = 19;
constexpr uint8_t typed_array = 20;
constexpr uint8_t vector = 242;
constexpr uint8_t json = 245;
constexpr uint8_t newdecimal = 246;
constexpr uint8_t enum_ = 247;
constexpr uint8_t set = 248;
constexpr uint8_t tiny_blob = 249;
constexpr uint8_t medium_blob = 250;
constexpr uint8_t long_blob = 251;
constexpr uint8_t blob = 252;
constexpr uint8_t var_string = 253;
constexpr uint8_t string = 254;
constexpr uint8_t geometry = 255;
} // namespace field_type

/// The collation id of the binary pseudo-charset: BINARY, VARBINARY, BLOB.
constexpr uint32_t binary_collation = 63;

/// One column as a TABLE_MAP describes it, with the optional metadata of
/// binlog_row_metadata=FULL resolved onto it.
struct column {
  /// The type that decides the value's layout: STRING columns resolve to
  /// ENUM or SET where their metadata says so.
  uint8_t type = 0;
  /// For ENUM/SET/CHAR: the pack length or maximum byte length. For others
  /// the type's own metadata (see column_value.cpp).
  uint16_t meta = 0;
  bool nullable = true;
  bool is_unsigned = false;
  /// Collation id for character, ENUM and SET columns; 0 when unknown.
  uint32_t collation = 0;
  uint32_t geometry_type = 0;
  /// From the optional metadata; "@1", "@2", ... when the binlog has none.
  std::string name;
  /// ENUM or SET member names (empty when the binlog has none).
  std::vector<std::string> members;
};

/// A TABLE_MAP event: which table a table id stands for, until the end of
/// the statement.
struct table_map {
  uint64_t table_id = 0;
  uint16_t flags = 0;
  std::string db;
  std::string table;
  std::vector<column> columns;
  /// Column indexes of the primary key, in key order.
  std::vector<uint32_t> primary_key;
  /// Whether the optional metadata carried column names (full metadata).
  bool has_names = false;
  bool has_signedness = false;
  bool has_charsets = false;
  /// The number of JSON columns (for PARTIAL_UPDATE_ROWS bitmaps).
  size_t json_columns = 0;
  /// MariaDB TIME, DATETIME or TIMESTAMP columns in the pre-10.1 format
  /// (types 11, 12, 7): with fractional seconds they take more bytes, but
  /// the binlog does not say how many, so a row image could be misread.
  bool ambiguous_temporal = false;
};

/// Parses the body (after the common header, without the checksum) of a
/// TABLE_MAP event. `post_header_len` comes from the format description;
/// `mariadb` selects MariaDB's rules for which columns carry a charset.
error parse_table_map(const uint8_t* body, size_t size, uint8_t post_header_len,
                      bool mariadb, table_map& out);

/// True for types whose signedness the optional metadata records.
bool is_numeric(uint8_t type);

} // namespace binlog
