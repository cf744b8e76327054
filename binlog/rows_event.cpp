#include "binlog/rows_event.hpp"

#include <string>

#include "binlog/bytes.hpp"
#include "binlog/column_value.hpp"

namespace binlog {

namespace {

// Without -mpopcnt, __builtin_popcount is a call into libgcc: a byte's
// count inline is cheaper, and a row image has a bitmap per row.
unsigned bits_set(unsigned byte) {
  byte = byte - ((byte >> 1) & 0x55u);
  byte = (byte & 0x33u) + ((byte >> 2) & 0x33u);
  return (byte + (byte >> 4)) & 0x0fu;
}

size_t popcount_prefix(const uint8_t* bitmap, size_t bits) {
  size_t n = 0;
  for (size_t i = 0; i < bits / 8; ++i)
    n += bits_set(bitmap[i]);
  if (bits % 8 != 0)
    n += bits_set(bitmap[bits / 8] & ((1u << (bits % 8)) - 1));
  return n;
}

} // namespace

error parse_rows_event(event_type type, uint8_t post_header_len,
                       const uint8_t* body, size_t size, rows_event& out) {
  out.type = type;
  out.op = row_op_of(type);
  cursor c{body, size};
  out.table_id = post_header_len == 6 ? c.u32() : c.u48();
  out.flags = c.u16();
  if (post_header_len >= 10) {
    uint16_t extra = c.u16();
    if (extra < 2)
      return {errc::corrupt_event, "rows event extra data length below 2"};
    c.skip(extra - 2u); // extra row info (NDB, partitions): not needed
  }
  out.width = c.packed();
  if (c.ok() && out.width <= 4096) {
    auto bitmap_size = static_cast<size_t>((out.width + 7) / 8);
    out.present1 = c.bytes(bitmap_size);
    out.present2 = out.op == row_op::update ? c.bytes(bitmap_size)
                                            : out.present1;
  }
  if (!c.ok() || out.width > 4096)
    return {errc::corrupt_event,
            std::string{to_string(type)} + " event header is corrupt"};
  out.head_size = size - c.remaining();
  return {};
}

bool read_row_image(const table_map& map, const uint8_t*& p, const uint8_t* end,
                    const uint8_t* present, std::vector<value_slot>& slots) {
  size_t n = map.columns.size();
  slots.resize(n);
  // Locals, not the references: value_size might change what they refer to
  // as far as the compiler knows, and this runs for every row.
  const column* columns = map.columns.data();
  value_slot* out = slots.data();
  const uint8_t* at = p;
  size_t present_count = popcount_prefix(present, n);
  size_t null_bytes = (present_count + 7) / 8;
  if (static_cast<size_t>(end - at) < null_bytes)
    return false;
  const uint8_t* nulls = at;
  at += null_bytes;
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    auto& slot = out[i];
    if (!((present[i / 8] >> (i % 8)) & 1)) {
      slot.state = value_slot::absent;
      continue;
    }
    bool is_null = (nulls[k / 8] >> (k % 8)) & 1;
    ++k;
    if (is_null) {
      slot.state = value_slot::null;
      continue;
    }
    size_t size;
    if (!value_size(columns[i], at, end, size)) {
      p = at;
      return false;
    }
    slot.state = value_slot::present;
    slot.data = at;
    slot.size = static_cast<uint32_t>(size);
    at += size;
  }
  p = at;
  return true;
}

error row_reader::check_framing(const rows_event& event,
                                const table_info& table, const uint8_t* p,
                                const uint8_t* end) {
  while (p < end) {
    const uint8_t* row_start = p;
    auto& first = event.op == row_op::insert ? after_ : before_;
    if (!read_row_image(table.map, p, end, event.present1, first)
        || (event.op == row_op::update
            && !read_row_image(table.map, p, end, event.present2, after_)))
      return {errc::unsupported,
              std::string{"the rows of "} + to_string(event.type) + " on "
                + table.qualified_name
                + " do not fit the event: the table has TIME, DATETIME or "
                  "TIMESTAMP columns in MariaDB's pre-10.1 format, whose "
                  "fractional-second precision the binlog does not record; "
                  "ALTER TABLE ... FORCE with mysql56_temporal_format=ON "
                  "converts them"};
    if (p == row_start)
      return {}; // rows of no columns: read() says so
  }
  return {};
}

error row_reader::row_error(const rows_event& event, const table_info& table,
                            uint32_t row, row_problem problem) {
  switch (problem) {
    case bad_first_image:
      return {errc::corrupt_event, "row " + std::to_string(row) + " of "
                                     + to_string(event.type) + " on "
                                     + table.qualified_name
                                     + " runs past the end of the event"};
    case bad_value_options:
      return {errc::corrupt_event, "value options of row " + std::to_string(row)
                                     + " on " + table.qualified_name
                                     + " run past the end of the event"};
    case bad_after_image:
      return {errc::corrupt_event, "after-image of row " + std::to_string(row)
                                     + " on " + table.qualified_name
                                     + " runs past the end of the event"};
    case no_columns:
      break;
  }
  return {errc::corrupt_event,
          std::string{to_string(event.type)} + " on " + table.qualified_name
            + " has rows of no columns (empty column bitmaps)"};
}

error row_reader::check_json(const rows_event& event, const table_info& table,
                             const uint8_t* partial_bits, uint32_t row) {
  auto& first = event.op == row_op::insert ? after_ : before_;
  auto err = check_json_columns(table.map, first, nullptr);
  if (!err && event.op == row_op::update) {
    err = check_json_columns(table.map, after_, partial_bits);
    if (!err)
      err = partial_json_.resolve(table.map, partial_bits, before_, after_);
  }
  if (err)
    return {errc::corrupt_event, "row " + std::to_string(row) + " of "
                                   + to_string(event.type) + " on "
                                   + table.qualified_name + ": " + err.message};
  return {};
}

} // namespace binlog
