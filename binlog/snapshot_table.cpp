#include "binlog/snapshot_table.hpp"

#include <charconv>
#include <cstring>
#include <ctime>

#include "binlog/decimal.hpp"
#include "binlog/hex.hpp"

namespace binlog {

namespace {

constexpr unsigned digits_per_word = 9;
constexpr unsigned bytes_for_digits[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

void put_le(std::string& out, uint64_t x, size_t n) {
  for (size_t i = 0; i < n; ++i)
    out.push_back(static_cast<char>((x >> (8 * i)) & 0xff));
}

void put_be(std::string& out, uint64_t x, size_t n) {
  for (size_t i = n; i > 0; --i)
    out.push_back(static_cast<char>((x >> (8 * (i - 1))) & 0xff));
}

error bad(const column& c, std::string_view text) {
  return {errc::bad_value, "column " + c.name + ": cannot read '"
                             + std::string{text} + "' as its type"};
}

// ENUM('a','b,c','it''s') or SET(...): the quoted members, unescaped.
std::vector<std::string> members_of(std::string_view type) {
  std::vector<std::string> out;
  auto open = type.find('(');
  if (open == std::string_view::npos)
    return out;
  std::string cur;
  bool in = false;
  for (size_t i = open + 1; i < type.size(); ++i) {
    char ch = type[i];
    if (!in) {
      if (ch == '\'')
        in = true, cur.clear();
      continue;
    }
    if (ch == '\'') {
      if (i + 1 < type.size() && type[i + 1] == '\'') {
        cur.push_back('\'');
        ++i;
        continue;
      }
      in = false;
      out.push_back(cur);
      continue;
    }
    if (ch == '\\' && i + 1 < type.size()) {
      cur.push_back(type[++i]);
      continue;
    }
    cur.push_back(ch);
  }
  return out;
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && p == text.data() + text.size();
}

// Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS[.ffffff]" or a time
// "[-]HHH:MM:SS[.ffffff]" into numbers; false if malformed.
struct parsed_temporal {
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  uint32_t micros = 0;
  bool negative = false;
};

bool parse_fraction(std::string_view text, uint32_t& micros) {
  micros = 0;
  if (text.empty())
    return true;
  if (text[0] != '.' || text.size() > 7)
    return false;
  uint32_t scale = 100000;
  for (size_t i = 1; i < text.size(); ++i, scale /= 10) {
    if (text[i] < '0' || text[i] > '9')
      return false;
    micros += static_cast<uint32_t>(text[i] - '0') * scale;
  }
  return true;
}

bool parse_date(std::string_view t, parsed_temporal& out) {
  if (t.size() < 10 || t[4] != '-' || t[7] != '-')
    return false;
  return parse_number(t.substr(0, 4), out.year)
         && parse_number(t.substr(5, 2), out.month)
         && parse_number(t.substr(8, 2), out.day);
}

bool parse_clock(std::string_view t, parsed_temporal& out) {
  if (!t.empty() && t[0] == '-') {
    out.negative = true;
    t.remove_prefix(1);
  }
  auto c1 = t.find(':');
  if (c1 == std::string_view::npos || t.size() < c1 + 6 || t[c1 + 3] != ':')
    return false;
  return parse_number(t.substr(0, c1), out.hour)
         && parse_number(t.substr(c1 + 1, 2), out.minute)
         && parse_number(t.substr(c1 + 4, 2), out.second)
         && parse_fraction(t.substr(c1 + 6), out.micros);
}

bool parse_datetime(std::string_view t, parsed_temporal& out) {
  if (!parse_date(t, out))
    return false;
  if (t.size() == 10)
    return true;
  if (t[10] != ' ' && t[10] != 'T')
    return false;
  return parse_clock(t.substr(11), out) && !out.negative;
}

// The fraction's bytes for `fsp` digits (read_fraction's inverse).
void put_fraction(std::string& out, uint32_t micros, uint16_t fsp) {
  switch ((fsp + 1) / 2) {
    case 1:
      out.push_back(static_cast<char>(micros / 10000));
      break;
    case 2:
      put_be(out, micros / 100, 2);
      break;
    case 3:
      put_be(out, micros, 3);
      break;
    default:
      break;
  }
}

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool is_string_key(const column& c) {
  return c.type == field_type::string || c.type == field_type::varchar
         || c.type == field_type::var_string || c.type == field_type::blob;
}

} // namespace

error make_table_map(std::string db, std::string table,
                     const std::vector<column_description>& columns,
                     std::vector<uint32_t> key, table_map& out) {
  out = table_map{};
  out.db = std::move(db);
  out.table = std::move(table);
  out.has_names = out.has_signedness = out.has_charsets = true;
  out.primary_key = std::move(key);
  for (auto& d : columns) {
    column c;
    c.name = d.name;
    c.nullable = d.nullable;
    c.is_unsigned = d.column_type.find("unsigned") != std::string::npos;
    c.collation = d.collation;
    auto& t = d.data_type;
    auto unsupported = [&] {
      return error{errc::unsupported,
                   out.db + "." + out.table + ": column " + d.name + " of type "
                     + d.column_type + " cannot be read exactly by a snapshot"};
    };
    if (t == "tinyint" || t == "bool" || t == "boolean") {
      c.type = field_type::tiny;
    } else if (t == "smallint") {
      c.type = field_type::short_;
    } else if (t == "mediumint") {
      c.type = field_type::int24;
    } else if (t == "int" || t == "integer") {
      c.type = field_type::long_;
    } else if (t == "bigint") {
      c.type = field_type::longlong;
    } else if (t == "float") {
      c.type = field_type::float_;
      c.meta = 4;
    } else if (t == "double" || t == "real") {
      c.type = field_type::double_;
      c.meta = 8;
    } else if (t == "decimal" || t == "numeric") {
      c.type = field_type::newdecimal;
      c.meta = static_cast<uint16_t>((d.precision << 8) | d.scale);
    } else if (t == "date") {
      c.type = field_type::date;
    } else if (t == "datetime") {
      c.type = field_type::datetime2;
      c.meta = static_cast<uint16_t>(d.fsp);
    } else if (t == "timestamp") {
      c.type = field_type::timestamp2;
      c.meta = static_cast<uint16_t>(d.fsp);
    } else if (t == "time") {
      c.type = field_type::time2;
      c.meta = static_cast<uint16_t>(d.fsp);
    } else if (t == "year") {
      c.type = field_type::year;
    } else if (t == "char" || t == "binary") {
      c.type = field_type::string;
      c.meta = static_cast<uint16_t>(d.octet_length);
    } else if (t == "varchar" || t == "varbinary") {
      c.type = field_type::varchar;
      c.meta = static_cast<uint16_t>(d.octet_length);
    } else if (t == "tinytext" || t == "tinyblob") {
      c.type = field_type::blob;
      c.meta = 1;
    } else if (t == "text" || t == "blob") {
      c.type = field_type::blob;
      c.meta = 2;
    } else if (t == "mediumtext" || t == "mediumblob") {
      c.type = field_type::blob;
      c.meta = 3;
    } else if (t == "longtext" || t == "longblob") {
      c.type = field_type::blob;
      c.meta = 4;
    } else if (t == "enum" || t == "set") {
      c.members = members_of(d.column_type);
      if (t == "enum") {
        c.type = field_type::enum_;
        c.meta = c.members.size() < 256 ? 1 : 2;
      } else {
        c.type = field_type::set;
        auto bytes = (c.members.size() + 7) / 8;
        c.meta = static_cast<uint16_t>(bytes > 4 ? 8 : bytes == 0 ? 1 : bytes);
      }
    } else if (t == "bit") {
      c.type = field_type::bit;
      c.meta = static_cast<uint16_t>(d.precision);
    } else if (t == "geometry" || t == "point" || t == "linestring"
               || t == "polygon" || t == "multipoint" || t == "multilinestring"
               || t == "multipolygon" || t == "geometrycollection") {
      static const char* kinds[] = {"geometry",     "point",
                                    "linestring",   "polygon",
                                    "multipoint",   "multilinestring",
                                    "multipolygon", "geometrycollection"};
      c.type = field_type::geometry;
      c.meta = 4;
      for (uint32_t i = 0; i < 8; ++i)
        if (t == kinds[i])
          c.geometry_type = i;
    } else {
      // MySQL's JSON is binary in the binlog, and newer types (VECTOR) have
      // layouts a text read does not give back.
      return unsupported();
    }
    out.columns.push_back(std::move(c));
  }
  return {};
}

std::string select_expression(const column& c, const std::string& name) {
  if (c.type == field_type::enum_ || c.type == field_type::set
      || c.type == field_type::bit)
    return name + "+0";
  return name;
}

error pack_decimal(std::string_view text, unsigned precision, unsigned scale,
                   std::string& out) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  auto dot = text.find('.');
  auto int_text = text.substr(0, dot);
  auto frac_text = dot == std::string_view::npos ? std::string_view{}
                                                 : text.substr(dot + 1);
  unsigned intg = precision - scale;
  while (int_text.size() > intg && !int_text.empty() && int_text[0] == '0')
    int_text.remove_prefix(1);
  if (int_text.size() > intg || frac_text.size() > scale)
    return {errc::bad_value, "'" + std::string{text} + "' does not fit DECIMAL("
                               + std::to_string(precision) + ","
                               + std::to_string(scale) + ")"};
  std::string digits(intg - int_text.size(), '0');
  digits += int_text;
  digits += frac_text;
  digits.append(scale - frac_text.size(), '0');
  for (char ch : digits)
    if (ch < '0' || ch > '9')
      return {errc::bad_value, "'" + std::string{text} + "' is not a number"};
  std::string bytes;
  size_t at = 0;
  auto group = [&](unsigned n) {
    uint32_t x = 0;
    for (unsigned i = 0; i < n; ++i)
      x = x * 10 + static_cast<uint32_t>(digits[at++] - '0');
    put_be(bytes, x, bytes_for_digits[n]);
  };
  if (intg % digits_per_word > 0)
    group(intg % digits_per_word);
  for (unsigned i = 0; i < intg / digits_per_word; ++i)
    group(digits_per_word);
  for (unsigned i = 0; i < scale / digits_per_word; ++i)
    group(digits_per_word);
  if (scale % digits_per_word > 0)
    group(scale % digits_per_word);
  if (negative)
    for (auto& b : bytes)
      b = static_cast<char>(~b);
  if (!bytes.empty())
    bytes[0] = static_cast<char>(bytes[0] ^ 0x80);
  out += bytes;
  return {};
}

error pack_value(const column& c, std::string_view text, std::string& out) {
  auto integer = [&](size_t n) -> error {
    if (c.is_unsigned || c.type == field_type::bit || c.type == field_type::set
        || c.type == field_type::enum_) {
      uint64_t v = 0;
      if (!parse_number(text, v))
        return bad(c, text);
      if (c.type == field_type::bit)
        put_be(out, v, n);
      else
        put_le(out, v, n);
    } else {
      int64_t v = 0;
      if (!parse_number(text, v))
        return bad(c, text);
      put_le(out, static_cast<uint64_t>(v), n);
    }
    return {};
  };
  switch (c.type) {
    case field_type::tiny:
      return integer(1);
    case field_type::short_:
      return integer(2);
    case field_type::int24:
      return integer(3);
    case field_type::long_:
      return integer(4);
    case field_type::longlong:
      return integer(8);
    case field_type::enum_:
    case field_type::set:
      return integer(c.meta);
    case field_type::bit:
      return integer((c.meta + 7u) / 8u);
    case field_type::year: {
      unsigned y = 0;
      if (!parse_number(text, y))
        return bad(c, text);
      out.push_back(static_cast<char>(y == 0 ? 0 : y - 1900));
      return {};
    }
    case field_type::float_: {
      float f = std::strtof(std::string{text}.c_str(), nullptr);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      put_le(out, bits, 4);
      return {};
    }
    case field_type::double_: {
      double f = std::strtod(std::string{text}.c_str(), nullptr);
      uint64_t bits;
      std::memcpy(&bits, &f, 8);
      put_le(out, bits, 8);
      return {};
    }
    case field_type::newdecimal:
      return pack_decimal(text, c.meta >> 8, c.meta & 0xff, out);
    case field_type::date: {
      parsed_temporal t;
      if (!parse_date(text, t) || text.size() != 10)
        return bad(c, text);
      put_le(out, t.day | (t.month << 5) | (t.year << 9), 3);
      return {};
    }
    case field_type::datetime2: {
      parsed_temporal t;
      if (!parse_datetime(text, t))
        return bad(c, text);
      uint64_t ym = uint64_t{t.year} * 13 + t.month;
      uint64_t packed = (((ym << 5) | t.day) << 17) | (uint64_t{t.hour} << 12)
                        | (t.minute << 6) | t.second;
      put_be(out, packed + 0x8000000000ULL, 5);
      put_fraction(out, t.micros, c.meta);
      return {};
    }
    case field_type::timestamp2: {
      parsed_temporal t;
      if (!parse_datetime(text, t))
        return bad(c, text);
      int64_t secs = 0;
      if (t.year != 0 || t.month != 0 || t.day != 0)
        secs = days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600
               + t.minute * 60 + t.second;
      put_be(out, static_cast<uint64_t>(secs), 4);
      put_fraction(out, t.micros, c.meta);
      return {};
    }
    case field_type::time2: {
      parsed_temporal t;
      if (!parse_clock(text, t))
        return bad(c, text);
      int64_t packed = (((int64_t{t.hour} << 12) | (t.minute << 6) | t.second)
                        << 24)
                       + t.micros;
      if (t.negative)
        packed = -packed;
      if (c.meta >= 5) {
        put_be(out, static_cast<uint64_t>(packed + 0x800000000000LL), 6);
        return {};
      }
      int64_t ipart = packed >> 24; // floor, as the server stores it
      int64_t frac = packed % (int64_t{1} << 24);
      put_be(out, static_cast<uint64_t>(ipart + 0x800000LL), 3);
      if (c.meta == 1 || c.meta == 2)
        out.push_back(static_cast<char>(static_cast<int8_t>(frac / 10000)));
      else if (c.meta == 3 || c.meta == 4)
        put_be(out, static_cast<uint16_t>(static_cast<int16_t>(frac / 100)), 2);
      return {};
    }
    case field_type::string:
    case field_type::varchar:
    case field_type::var_string:
      put_le(out, text.size(), c.meta < 256 ? 1 : 2);
      out += text;
      return {};
    case field_type::blob:
    case field_type::geometry:
      put_le(out, text.size(), c.meta);
      out += text;
      return {};
    default:
      return bad(c, text);
  }
}

std::string key_literal(const column& c, const column_description& d,
                        std::string_view text) {
  if (is_string_key(c)) {
    if (c.collation == binary_collation || d.charset.empty())
      return "X'" + to_hex(text) + "'";
    return "_" + d.charset + " X'" + to_hex(text) + "'";
  }
  switch (c.type) {
    case field_type::date:
    case field_type::datetime2:
    case field_type::timestamp2:
    case field_type::time2:
      return "'" + std::string{text} + "'";
    default:
      return std::string{text}; // numbers (ENUM, SET, BIT by their number)
  }
}

void row_images::begin_row(size_t columns) {
  bytes_.clear();
  offsets_.clear();
  slots_.assign(columns, value_slot{});
}

error row_images::add(const column& c, const char* text, size_t size) {
  auto i = offsets_.size();
  offsets_.push_back(bytes_.size());
  if (text == nullptr) {
    slots_[i].state = value_slot::null;
    return {};
  }
  slots_[i].state = value_slot::present;
  return pack_value(c, {text, size}, bytes_);
}

const std::vector<value_slot>& row_images::slots() {
  auto base = reinterpret_cast<const uint8_t*>(bytes_.data());
  for (size_t i = 0; i < offsets_.size(); ++i) {
    if (slots_[i].state != value_slot::present)
      continue;
    auto end = i + 1 < offsets_.size() ? offsets_[i + 1] : bytes_.size();
    slots_[i].data = base + offsets_[i];
    slots_[i].size = static_cast<uint32_t>(end - offsets_[i]);
  }
  return slots_;
}

} // namespace binlog
