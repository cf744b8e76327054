#pragma once

// A table read by SELECT for a snapshot, made to look like what the binlog
// shows of it: a table map built from information_schema, and each row's
// text values packed into the binlog's row-image layout, so that snapshot
// records come from the same encoder, with the same keys and values, as
// streamed ones (design.md, "Snapshots").

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "binlog/error.hpp"
#include "binlog/record.hpp"
#include "binlog/table_map.hpp"

namespace binlog {

/// One column as information_schema.COLUMNS describes it.
struct column_description {
  std::string name;
  std::string data_type;     // DATA_TYPE: "int", "varchar", ...
  std::string column_type;   // COLUMN_TYPE: "int(10) unsigned", "enum('a','b')"
  uint64_t octet_length = 0; // CHARACTER_OCTET_LENGTH
  unsigned precision = 0;    // NUMERIC_PRECISION
  unsigned scale = 0;        // NUMERIC_SCALE
  unsigned fsp = 0;          // DATETIME_PRECISION
  uint32_t collation = 0;    // the id of COLLATION_NAME; 63 when none
  std::string charset;       // CHARACTER_SET_NAME; empty when none
  bool nullable = true;
};

/// The table map the binlog would show for `columns`, with full metadata,
/// and `key` (column indexes in key order) as its primary key. Fails
/// (errc::unsupported) for a column type a snapshot cannot read exactly.
error make_table_map(std::string db, std::string table,
                     const std::vector<column_description>& columns,
                     std::vector<uint32_t> key, table_map& out);

/// What to SELECT for column `c` so that pack_value can pack it: the column
/// itself, or its number for ENUM, SET and BIT (`name` already quoted).
std::string select_expression(const column& c, const std::string& name);

/// Appends the row-image bytes of `text` (the server's text for the
/// expression above, with character_set_results binary and time_zone
/// '+00:00') for column `c` to `out`. errc::bad_value if the text is not a
/// value of that type.
error pack_value(const column& c, std::string_view text, std::string& out);

/// Packs DECIMAL(precision, scale) text ("-12.5") in MySQL's binary form.
error pack_decimal(std::string_view text, unsigned precision, unsigned scale,
                   std::string& out);

/// An SQL literal that compares with column `c` as its value `text` does
/// (text as select_expression gave it): numbers as they are, character
/// strings as hex in the column's character set, temporals quoted.
std::string key_literal(const column& c, const column_description& d,
                        std::string_view text);

/// Rows of one table packed into row images, reused across chunks.
class row_images {
public:
  /// Starts a new row.
  void begin_row(size_t columns);
  /// Packs the next column (null: `text` is null).
  error add(const column& c, const char* text, size_t size);
  /// The row's slots; valid until the next begin_row.
  const std::vector<value_slot>& slots();

private:
  std::string bytes_;
  std::vector<value_slot> slots_;
  std::vector<size_t> offsets_;
};

} // namespace binlog
