#pragma once

// Rows events: WRITE/UPDATE/DELETE_ROWS v1 and v2, MySQL's
// PARTIAL_UPDATE_ROWS and MariaDB's compressed ones. Their head names the
// table and the columns each row image holds; the row images follow and
// are decoded into value slots that point into the event's bytes
// (column_value.hpp turns a slot into JSON).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "binlog/error.hpp"
#include "binlog/event.hpp"
#include "binlog/json_diff.hpp"
#include "binlog/record.hpp"
#include "binlog/table_map.hpp"

namespace binlog {

/// The head of a rows event, up to its row images. (MariaDB's compressed
/// rows events compress only what follows it.)
struct rows_event {
  event_type type = event_type::unknown;
  row_op op = row_op::none;
  uint64_t table_id = 0;
  uint16_t flags = 0;
  /// The table's column count, as the event gives it.
  uint64_t width = 0;
  /// Bitmaps over the columns: those in the first image of each row (the
  /// before-image; an insert's after-image), and those in an update's
  /// after-image (else the same as present1).
  const uint8_t* present1 = nullptr;
  const uint8_t* present2 = nullptr;
  /// Bytes from the body's start to the first row image.
  size_t head_size = 0;
};

/// Reads the head of a rows event's body (after the common header, without
/// the checksum); `post_header_len` comes from the format description.
/// Fails with errc::corrupt_event.
error parse_rows_event(event_type type, uint8_t post_header_len,
                       const uint8_t* body, size_t size, rows_event& out);

/// Reads one row image at `p` and moves `p` past it: for each column of
/// `map`, whether the image holds it (bit set in `present`), whether it is
/// NULL, and where its value's bytes are. False if the image does not fit
/// before `end`.
bool read_row_image(const table_map& map, const uint8_t*& p, const uint8_t* end,
                    const uint8_t* present, std::vector<value_slot>& slots);

/// Decodes the rows of rows events one at a time into a before- and an
/// after-image, with every JSON value checked and PARTIAL_UPDATE_ROWS diffs
/// made whole documents. Reuses its buffers.
class row_reader {
public:
  /// Frames every row of the event at [p, end) without keeping any, so
  /// that a misread layout stops the stream before a record goes out: for
  /// tables whose rows may be misread (table_map::ambiguous_temporal).
  /// Fails with errc::unsupported.
  error check_framing(const rows_event& event, const table_info& table,
                      const uint8_t* p, const uint8_t* end);

  /// Reads the row at `p` (row `row` of the event, for messages) and moves
  /// `p` past it. JSON values are checked and resolved unless the table is
  /// skipped. Fails with errc::corrupt_event.
  [[gnu::always_inline]] error read(const rows_event& event,
                                    const table_info& table, const uint8_t*& p,
                                    const uint8_t* end, uint32_t row) {
    // Inline: this runs once per row.
    const uint8_t* row_start = p;
    auto& first = event.op == row_op::insert ? after_ : before_;
    if (!read_row_image(table.map, p, end, event.present1, first))
      return row_error(event, table, row, bad_first_image);
    // PARTIAL_UPDATE_ROWS: which JSON values of the after-image are diffs.
    const uint8_t* partial_bits = nullptr;
    if (event.type == event_type::partial_update_rows
        && !read_partial_json_head(table.map, p, end, partial_bits))
      return row_error(event, table, row, bad_value_options);
    if (event.op == row_op::update
        && !read_row_image(table.map, p, end, event.present2, after_))
      return row_error(event, table, row, bad_after_image);
    if (p == row_start) // no column in the images: the rows would never end
      return row_error(event, table, row, no_columns);
    if (table.map.json_columns > 0 && !table.skipped)
      return check_json(event, table, partial_bits, row);
    return {};
  }

  /// The images of the row read last: an insert has no before-image, a
  /// delete no after-image.
  const std::vector<value_slot>& before() const {
    return before_;
  }
  const std::vector<value_slot>& after() const {
    return after_;
  }

private:
  enum row_problem {
    bad_first_image,
    bad_value_options,
    bad_after_image,
    no_columns
  };
  static error row_error(const rows_event& event, const table_info& table,
                         uint32_t row, row_problem problem);
  /// Malformed JSON is a decoding error, with the event's offset; diffs
  /// become whole documents before the record is encoded.
  error check_json(const rows_event& event, const table_info& table,
                   const uint8_t* partial_bits, uint32_t row);

  std::vector<value_slot> before_;
  std::vector<value_slot> after_;
  // Whole documents made from PARTIAL_UPDATE_ROWS JSON diffs.
  partial_json_resolver partial_json_;
};

} // namespace binlog
