#include "binlog/table_map.hpp"

#include "binlog/bytes.hpp"

namespace binlog {

namespace {

// Optional metadata field types (binlog_row_metadata=FULL).
enum optional_field : uint8_t {
  signedness = 1,
  default_charset = 2,
  column_charset = 3,
  column_name = 4,
  set_str_value = 5,
  enum_str_value = 6,
  geometry_type = 7,
  simple_primary_key = 8,
  primary_key_with_prefix = 9,
  enum_and_set_default_charset = 10,
  enum_and_set_column_charset = 11,
  column_visibility = 12,
};

bool is_character(uint8_t type, bool mariadb) {
  switch (type) {
    case field_type::string:
    case field_type::var_string:
    case field_type::varchar:
    case field_type::blob:
    case field_type::vector: // MySQL 9 lists VECTOR (binary) among them
      return true;
    case field_type::geometry:
      return mariadb; // MariaDB logs a charset for geometry, MySQL does not
    default:
      return false;
  }
}

bool is_enum_or_set(uint8_t type) {
  return type == field_type::enum_ || type == field_type::set;
}

// Reads the per-column metadata that the value layout depends on.
bool read_column_meta(cursor& c, uint8_t binlog_type, column& col) {
  col.type = binlog_type;
  switch (binlog_type) {
    case field_type::string:
    case field_type::enum_:
    case field_type::set: {
      uint8_t b0 = c.u8();
      uint8_t b1 = c.u8();
      uint8_t real = b0;
      uint16_t len = b1;
      if ((b0 & 0x30) != 0x30) {
        // CHAR longer than 255 bytes keeps two length bits in the type byte
        len = static_cast<uint16_t>(b1 | (((b0 & 0x30) ^ 0x30) << 4));
        real = static_cast<uint8_t>(b0 | 0x30);
      }
      if (real == field_type::enum_ || real == field_type::set)
        col.type = real;
      else
        col.type = field_type::string;
      col.meta = len;
      break;
    }
    case field_type::varchar:
    case field_type::var_string:
      col.meta = c.u16();
      break;
    case field_type::bit: {
      uint8_t bits = c.u8();
      uint8_t bytes = c.u8();
      col.meta = static_cast<uint16_t>(bytes * 8 + bits);
      break;
    }
    case field_type::newdecimal: {
      uint8_t precision = c.u8();
      uint8_t scale = c.u8();
      col.meta = static_cast<uint16_t>((precision << 8) | scale);
      break;
    }
    case field_type::blob:
    case field_type::geometry:
    case field_type::json:
    case field_type::vector:
    case field_type::float_:
    case field_type::double_:
    case field_type::time2:
    case field_type::datetime2:
    case field_type::timestamp2:
      col.meta = c.u8();
      break;
    case field_type::tiny_blob:
    case field_type::medium_blob:
    case field_type::long_blob:
    case field_type::typed_array:
      return false; // never written to a binlog by the servers we know
    default:
      col.meta = 0;
  }
  return c.ok();
}

// Calls f(column&) for each column that `select` picks, in table order.
template <class Select, class F>
void for_each_column(std::vector<column>& cols, Select select, F f) {
  for (auto& col : cols)
    if (select(col))
      f(col);
}

void apply_charsets(cursor c, bool with_default, std::vector<column>& cols,
                    bool (*select)(const column&, bool), bool mariadb) {
  std::vector<column*> picked;
  for (auto& col : cols)
    if (select(col, mariadb))
      picked.push_back(&col);
  if (with_default) {
    auto def = static_cast<uint32_t>(c.packed());
    for (auto* col : picked)
      col->collation = def;
    while (c.ok() && !c.empty()) {
      auto index = c.packed();
      auto collation = static_cast<uint32_t>(c.packed());
      if (c.ok() && index < picked.size())
        picked[index]->collation = collation;
    }
  } else {
    for (auto* col : picked) {
      if (c.empty())
        break;
      col->collation = static_cast<uint32_t>(c.packed());
    }
  }
}

bool select_character(const column& col, bool mariadb) {
  return is_character(col.type, mariadb);
}

bool select_enum_or_set(const column& col, bool) {
  return is_enum_or_set(col.type);
}

void read_members(cursor c, std::vector<column>& cols, uint8_t type) {
  for (auto& col : cols) {
    if (col.type != type)
      continue;
    if (c.empty())
      break;
    auto n = c.packed();
    if (!c.ok() || n > c.remaining())
      break;
    col.members.clear();
    col.members.reserve(n);
    for (uint64_t i = 0; i < n && c.ok(); ++i)
      col.members.emplace_back(c.packed_str());
  }
}

} // namespace

bool is_numeric(uint8_t type) {
  switch (type) {
    case field_type::tiny:
    case field_type::short_:
    case field_type::int24:
    case field_type::long_:
    case field_type::longlong:
    case field_type::newdecimal:
    case field_type::float_:
    case field_type::double_:
      return true;
    default:
      return false;
  }
}

error parse_table_map(const uint8_t* body, size_t size, uint8_t post_header_len,
                      bool mariadb, table_map& out) {
  cursor c{body, size};
  if (post_header_len == 6) {
    out.table_id = c.u32();
  } else {
    out.table_id = c.u48();
  }
  out.flags = c.u16();
  if (post_header_len > 8)
    c.skip(post_header_len - 8u);
  auto db_len = c.u8();
  out.db.assign(c.str(db_len));
  c.skip(1);
  auto table_len = c.u8();
  out.table.assign(c.str(table_len));
  c.skip(1);
  auto count = c.packed();
  if (!c.ok() || count > c.remaining() || count > 4096)
    return {errc::corrupt_event, "TABLE_MAP column count out of range"};
  auto types = c.bytes(count);
  auto meta_len = c.packed();
  auto meta = c.bytes(meta_len);
  auto null_bits = c.bytes((count + 7) / 8);
  if (!c.ok())
    return {errc::corrupt_event,
            "TABLE_MAP for " + out.db + "." + out.table + " ends early"};
  out.columns.assign(count, column{});
  out.primary_key.clear();
  out.has_names = out.has_signedness = out.has_charsets = false;
  out.json_columns = 0;
  out.ambiguous_temporal = false;
  cursor m{meta, meta_len};
  for (size_t i = 0; i < count; ++i) {
    auto& col = out.columns[i];
    if (types[i] == field_type::decimal)
      return {errc::unsupported,
              "TABLE_MAP for " + out.db + "." + out.table + ": column "
                + std::to_string(i + 1)
                + " is a pre-5.0 DECIMAL (type 0), which is unsupported: "
                  "ALTER TABLE ... FORCE on the server converts it"};
    if (mariadb
        && (types[i] == field_type::time || types[i] == field_type::datetime
            || types[i] == field_type::timestamp))
      out.ambiguous_temporal = true;
    if (!read_column_meta(m, types[i], col))
      return {errc::corrupt_event, "TABLE_MAP for " + out.db + "." + out.table
                                     + ": column " + std::to_string(i + 1)
                                     + " has type " + std::to_string(types[i])
                                     + " with bad metadata"};
    col.nullable = (null_bits[i / 8] >> (i % 8)) & 1;
    if (col.type == field_type::json)
      ++out.json_columns;
  }
  // Optional metadata: type, packed length, value.
  while (c.ok() && !c.empty()) {
    auto field = c.u8();
    auto len = c.packed();
    auto value = c.bytes(len);
    if (!c.ok())
      return {errc::corrupt_event, "TABLE_MAP for " + out.db + "." + out.table
                                     + ": optional metadata ends early"};
    cursor v{value, len};
    switch (field) {
      case signedness: {
        out.has_signedness = true;
        size_t bit = 0;
        for (auto& col : out.columns) {
          if (!is_numeric(col.type))
            continue;
          if (bit / 8 >= len)
            break;
          col.is_unsigned = (value[bit / 8] >> (7 - bit % 8)) & 1;
          ++bit;
        }
        break;
      }
      case default_charset:
        out.has_charsets = true;
        apply_charsets(v, true, out.columns, select_character, mariadb);
        break;
      case column_charset:
        out.has_charsets = true;
        apply_charsets(v, false, out.columns, select_character, mariadb);
        break;
      case enum_and_set_default_charset:
        apply_charsets(v, true, out.columns, select_enum_or_set, mariadb);
        break;
      case enum_and_set_column_charset:
        apply_charsets(v, false, out.columns, select_enum_or_set, mariadb);
        break;
      case column_name: {
        size_t i = 0;
        while (!v.empty() && i < out.columns.size() && v.ok())
          out.columns[i++].name.assign(v.packed_str());
        out.has_names = v.ok() && i == out.columns.size();
        break;
      }
      case set_str_value:
        read_members(v, out.columns, field_type::set);
        break;
      case enum_str_value:
        read_members(v, out.columns, field_type::enum_);
        break;
      case geometry_type:
        for_each_column(
          out.columns,
          [](const column& col) { return col.type == field_type::geometry; },
          [&](column& col) {
            if (!v.empty())
              col.geometry_type = static_cast<uint32_t>(v.packed());
          });
        break;
      case simple_primary_key:
        while (!v.empty() && v.ok()) {
          auto index = v.packed();
          if (v.ok() && index < count)
            out.primary_key.push_back(static_cast<uint32_t>(index));
        }
        break;
      case primary_key_with_prefix:
        while (!v.empty() && v.ok()) {
          auto index = v.packed();
          v.packed(); // prefix length: the key still names the whole column
          if (v.ok() && index < count)
            out.primary_key.push_back(static_cast<uint32_t>(index));
        }
        break;
      default:
        break; // visibility, vector dimensions, later additions
    }
  }
  if (!out.has_names)
    for (size_t i = 0; i < count; ++i)
      out.columns[i].name = "@" + std::to_string(i + 1);
  return {};
}

} // namespace binlog
