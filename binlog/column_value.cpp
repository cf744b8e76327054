#include "binlog/column_value.hpp"

#include <cstring>

#include "binlog/bytes.hpp"
#include "binlog/charset.hpp"
#include "binlog/decimal.hpp"
#include "binlog/json_binary.hpp"

namespace binlog {

namespace {

// Bytes of the length prefix of a VARCHAR/CHAR value with this maximum.
size_t string_prefix(uint16_t max_length) {
  return max_length < 256 ? 1 : 2;
}

size_t fraction_bytes(uint16_t fsp) {
  return (fsp + 1u) / 2u;
}

char* put2(char* o, unsigned x) {
  o[0] = static_cast<char>('0' + x / 10 % 10);
  o[1] = static_cast<char>('0' + x % 10);
  return o + 2;
}

char* put4(char* o, unsigned x) {
  o[0] = static_cast<char>('0' + x / 1000 % 10);
  o[1] = static_cast<char>('0' + x / 100 % 10);
  o[2] = static_cast<char>('0' + x / 10 % 10);
  o[3] = static_cast<char>('0' + x % 10);
  return o + 4;
}

// ".ffffff" truncated to fsp digits; nothing when fsp is 0.
char* put_fraction(char* o, uint32_t micros, uint16_t fsp) {
  if (fsp == 0)
    return o;
  if (fsp > 6)
    fsp = 6;
  *o++ = '.';
  char tmp[6];
  for (int i = 5; i >= 0; --i) {
    tmp[i] = static_cast<char>('0' + micros % 10);
    micros /= 10;
  }
  std::memcpy(o, tmp, fsp);
  return o + fsp;
}

// The fractional part of TIME2/DATETIME2/TIMESTAMP2 in microseconds.
uint32_t read_fraction(const uint8_t* p, uint16_t fsp) {
  switch (fsp) {
    case 1:
    case 2:
      return p[0] * 10000u;
    case 3:
    case 4:
      return static_cast<uint32_t>(load_be(p, 2)) * 100u;
    case 5:
    case 6:
      return static_cast<uint32_t>(load_be(p, 3));
    default:
      return 0;
  }
}

char* put_date(char* o, unsigned year, unsigned month, unsigned day) {
  o = put4(o, year);
  *o++ = '-';
  o = put2(o, month);
  *o++ = '-';
  return put2(o, day);
}

char* put_clock(char* o, unsigned hour, unsigned minute, unsigned second) {
  if (hour >= 100) {
    o[0] = static_cast<char>('0' + hour / 100 % 10);
    ++o;
  }
  o = put2(o, hour);
  *o++ = ':';
  o = put2(o, minute);
  *o++ = ':';
  return put2(o, second);
}

// Converts seconds since the epoch to a UTC civil date and time.
void civil_from_epoch(int64_t secs, unsigned& year, unsigned& month,
                      unsigned& day, unsigned& hour, unsigned& minute,
                      unsigned& second) {
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  hour = static_cast<unsigned>(rem / 3600);
  minute = static_cast<unsigned>(rem % 3600 / 60);
  second = static_cast<unsigned>(rem % 60);
  // Howard Hinnant's days-to-civil algorithm.
  days += 719468;
  int64_t era = days / 146097;
  int64_t doe = days - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  year = static_cast<unsigned>(y + (month <= 2));
}

void write_timestamp(json_writer& out, uint32_t secs, uint32_t micros,
                     uint16_t fsp) {
  char buf[40];
  char* o = buf;
  *o++ = '"';
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (secs != 0)
    civil_from_epoch(secs, year, month, day, hour, minute, second);
  o = put_date(o, year, month, day);
  *o++ = 'T';
  o = put_clock(o, hour, minute, second);
  o = put_fraction(o, micros, fsp);
  *o++ = 'Z';
  *o++ = '"';
  out.raw({buf, static_cast<size_t>(o - buf)});
}

void write_datetime(json_writer& out, unsigned year, unsigned month,
                    unsigned day, unsigned hour, unsigned minute,
                    unsigned second, uint32_t micros, uint16_t fsp) {
  char buf[40];
  char* o = buf;
  *o++ = '"';
  o = put_date(o, year, month, day);
  *o++ = ' ';
  o = put_clock(o, hour, minute, second);
  o = put_fraction(o, micros, fsp);
  *o++ = '"';
  out.raw({buf, static_cast<size_t>(o - buf)});
}

void write_time(json_writer& out, bool negative, unsigned hour,
                unsigned minute, unsigned second, uint32_t micros,
                uint16_t fsp) {
  char buf[40];
  char* o = buf;
  *o++ = '"';
  if (negative)
    *o++ = '-';
  o = put_clock(o, hour, minute, second);
  o = put_fraction(o, micros, fsp);
  *o++ = '"';
  out.raw({buf, static_cast<size_t>(o - buf)});
}

void write_time2(json_writer& out, const uint8_t* p, uint16_t fsp) {
  // TIME2 stores a signed packed value biased to sort as unsigned bytes:
  // hour (10 bits), minute (6), second (6), then the fraction.
  int64_t packed;
  if (fsp >= 5) {
    packed = static_cast<int64_t>(load_be(p, 6)) - 0x800000000000LL;
  } else {
    int64_t intpart = static_cast<int64_t>(load_be(p, 3)) - 0x800000LL;
    int64_t frac = 0;
    if (fsp == 1 || fsp == 2) {
      frac = p[3];
      if (intpart < 0 && frac != 0) {
        // negative values keep the fraction in reverse order
        intpart += 1;
        frac -= 0x100;
      }
      frac *= 10000;
    } else if (fsp == 3 || fsp == 4) {
      frac = static_cast<int64_t>(load_be(p + 3, 2));
      if (intpart < 0 && frac != 0) {
        intpart += 1;
        frac -= 0x10000;
      }
      frac *= 100;
    }
    packed = intpart * (int64_t{1} << 24) + frac;
  }
  bool negative = packed < 0;
  uint64_t mag = negative ? static_cast<uint64_t>(-packed)
                          : static_cast<uint64_t>(packed);
  uint64_t hms = mag >> 24;
  auto micros = static_cast<uint32_t>(mag % (1u << 24));
  write_time(out, negative, static_cast<unsigned>((hms >> 12) % 1024),
             static_cast<unsigned>((hms >> 6) % 64),
             static_cast<unsigned>(hms % 64), micros, fsp);
}

void write_datetime2(json_writer& out, const uint8_t* p, uint16_t fsp) {
  int64_t intpart = static_cast<int64_t>(load_be(p, 5)) - 0x8000000000LL;
  uint32_t micros = read_fraction(p + 5, fsp);
  if (intpart < 0)
    intpart = -intpart; // DATETIME is never negative; guard corrupt bytes
  uint64_t ymd = static_cast<uint64_t>(intpart) >> 17;
  uint64_t ym = ymd >> 5;
  uint64_t hms = static_cast<uint64_t>(intpart) % (1u << 17);
  write_datetime(out, static_cast<unsigned>(ym / 13),
                 static_cast<unsigned>(ym % 13),
                 static_cast<unsigned>(ymd % 32),
                 static_cast<unsigned>(hms >> 12),
                 static_cast<unsigned>((hms >> 6) % 64),
                 static_cast<unsigned>(hms % 64), micros, fsp);
}

void write_text(json_writer& out, uint32_t collation, const uint8_t* p,
                size_t n) {
  std::string_view bytes{reinterpret_cast<const char*>(p), n};
  switch (charset_of(collation)) {
    case charset_kind::binary:
      out.base64(bytes);
      break;
    case charset_kind::latin1:
      out.string_latin1(bytes);
      break;
    case charset_kind::other:
      write_converted(out, collation, bytes);
      break;
    default:
      out.string(bytes);
  }
}

void write_bit_number(json_writer& out, const uint8_t* p, size_t n) {
  out.integer(load_be(p, n > 8 ? 8 : n));
}

void write_members(json_writer& out, const column& col, uint64_t bits) {
  auto& buf = out.buffer();
  buf.push_back('"');
  bool first = true;
  for (size_t i = 0; i < col.members.size() && i < 64; ++i) {
    if ((bits >> i) & 1) {
      if (!first)
        buf.push_back(',');
      first = false;
      out.escaped(col.members[i]);
    }
  }
  buf.push_back('"');
}

} // namespace

bool value_size(const column& col, const uint8_t* p, const uint8_t* end,
                size_t& size) {
  auto avail = static_cast<size_t>(end - p);
  auto prefixed = [&](size_t prefix) {
    if (avail < prefix)
      return false;
    size = prefix + load_le(p, prefix);
    return size <= avail;
  };
  auto fixed = [&](size_t n) {
    size = n;
    return n <= avail;
  };
  switch (col.type) {
    case field_type::tiny:
    case field_type::year:
      return fixed(1);
    case field_type::short_:
      return fixed(2);
    case field_type::int24:
    case field_type::date:
    case field_type::newdate:
    case field_type::time:
      return fixed(3);
    case field_type::long_:
    case field_type::timestamp:
    case field_type::float_:
      return fixed(4);
    case field_type::longlong:
    case field_type::double_:
    case field_type::datetime:
      return fixed(8);
    case field_type::null:
      return fixed(0);
    case field_type::timestamp2:
      return col.meta <= 6 && fixed(4 + fraction_bytes(col.meta));
    case field_type::datetime2:
      return col.meta <= 6 && fixed(5 + fraction_bytes(col.meta));
    case field_type::time2:
      return col.meta <= 6 && fixed(3 + fraction_bytes(col.meta));
    case field_type::newdecimal: {
      unsigned precision = col.meta >> 8;
      unsigned scale = col.meta & 0xff;
      if (precision == 0 || precision > 65 || scale > 30 || scale > precision)
        return false;
      return fixed(decimal_size(precision, scale));
    }
    case field_type::bit:
      return col.meta <= 64 && fixed((col.meta + 7u) / 8u);
    case field_type::enum_:
      return (col.meta == 1 || col.meta == 2) && fixed(col.meta);
    case field_type::set:
      return col.meta >= 1 && col.meta <= 8 && fixed(col.meta);
    case field_type::varchar:
    case field_type::var_string:
    case field_type::string:
      return prefixed(string_prefix(col.meta));
    case field_type::blob:
    case field_type::geometry:
    case field_type::json:
    case field_type::vector:
      return col.meta >= 1 && col.meta <= 4 && prefixed(col.meta);
    default:
      return false;
  }
}

void write_value(json_writer& out, const column& col, const uint8_t* p,
                 size_t size) {
  switch (col.type) {
    case field_type::tiny:
      if (col.is_unsigned)
        out.integer(static_cast<unsigned>(p[0]));
      else
        out.integer(static_cast<int>(static_cast<int8_t>(p[0])));
      break;
    case field_type::short_:
      if (col.is_unsigned)
        out.integer(static_cast<unsigned>(load_le16(p)));
      else
        out.integer(static_cast<int>(static_cast<int16_t>(load_le16(p))));
      break;
    case field_type::int24: {
      uint32_t x = load_le24(p);
      if (col.is_unsigned)
        out.integer(x);
      else
        out.integer(static_cast<int32_t>(x << 8) >> 8);
      break;
    }
    case field_type::long_:
      if (col.is_unsigned)
        out.integer(load_le32(p));
      else
        out.integer(static_cast<int32_t>(load_le32(p)));
      break;
    case field_type::longlong:
      if (col.is_unsigned)
        out.integer(load_le64(p));
      else
        out.integer(static_cast<int64_t>(load_le64(p)));
      break;
    case field_type::year:
      out.integer(p[0] == 0 ? 0u : 1900u + p[0]);
      break;
    case field_type::float_: {
      float x;
      std::memcpy(&x, p, 4);
      out.number(x);
      break;
    }
    case field_type::double_: {
      double x;
      std::memcpy(&x, p, 8);
      out.number(x);
      break;
    }
    case field_type::newdecimal:
      out.raw('"');
      append_decimal(out.buffer(), p, col.meta >> 8, col.meta & 0xff);
      out.raw('"');
      break;
    case field_type::bit:
      write_bit_number(out, p, size);
      break;
    case field_type::date:
    case field_type::newdate: {
      uint32_t x = load_le24(p);
      char buf[16];
      buf[0] = '"';
      char* o = put_date(buf + 1, x >> 9, (x >> 5) & 15, x & 31);
      *o++ = '"';
      out.raw({buf, static_cast<size_t>(o - buf)});
      break;
    }
    case field_type::time: {
      int32_t x = static_cast<int32_t>(load_le24(p) << 8) >> 8;
      bool negative = x < 0;
      uint32_t v = negative ? static_cast<uint32_t>(-x)
                            : static_cast<uint32_t>(x);
      write_time(out, negative, v / 10000, v / 100 % 100, v % 100, 0, 0);
      break;
    }
    case field_type::datetime: {
      uint64_t x = load_le64(p);
      uint64_t d = x / 1000000;
      uint64_t t = x % 1000000;
      write_datetime(out, static_cast<unsigned>(d / 10000 % 10000),
                     static_cast<unsigned>(d / 100 % 100),
                     static_cast<unsigned>(d % 100),
                     static_cast<unsigned>(t / 10000),
                     static_cast<unsigned>(t / 100 % 100),
                     static_cast<unsigned>(t % 100), 0, 0);
      break;
    }
    case field_type::timestamp:
      write_timestamp(out, load_le32(p), 0, 0);
      break;
    case field_type::timestamp2:
      write_timestamp(out, static_cast<uint32_t>(load_be(p, 4)),
                      read_fraction(p + 4, col.meta), col.meta);
      break;
    case field_type::datetime2:
      write_datetime2(out, p, col.meta);
      break;
    case field_type::time2:
      write_time2(out, p, col.meta);
      break;
    case field_type::enum_: {
      auto index = load_le(p, col.meta);
      if (col.members.empty())
        out.integer(index);
      else if (index == 0 || index > col.members.size())
        out.string(""); // MySQL's "invalid value" enum member
      else
        out.string(col.members[index - 1]);
      break;
    }
    case field_type::set: {
      auto bits = load_le(p, col.meta);
      if (col.members.empty())
        out.integer(bits);
      else
        write_members(out, col, bits);
      break;
    }
    case field_type::varchar:
    case field_type::var_string:
    case field_type::string: {
      auto prefix = string_prefix(col.meta);
      if (col.type == field_type::string && col.collation == binary_collation
          && size - prefix < col.meta) {
        // The binlog drops the trailing zero bytes of BINARY(n) (as it
        // drops CHAR's trailing spaces): put them back, the value has n.
        thread_local std::string padded;
        padded.assign(reinterpret_cast<const char*>(p + prefix),
                      size - prefix);
        padded.resize(col.meta, '\0');
        out.base64(padded);
        break;
      }
      write_text(out, col.collation, p + prefix, size - prefix);
      break;
    }
    case field_type::blob: {
      // TEXT and BLOB share the type; only the charset tells them apart, and
      // without charset metadata the bytes are sent as they are (base64).
      auto prefix = col.meta;
      if (col.collation == 0)
        out.base64({reinterpret_cast<const char*>(p + prefix), size - prefix});
      else
        write_text(out, col.collation, p + prefix, size - prefix);
      break;
    }
    case field_type::json: {
      auto prefix = col.meta;
      write_json_binary(out, p + prefix, size - prefix);
      break;
    }
    case field_type::geometry:
    case field_type::vector: {
      auto prefix = col.meta;
      out.base64({reinterpret_cast<const char*>(p + prefix), size - prefix});
      break;
    }
    case field_type::null:
    default:
      out.null();
  }
}

} // namespace binlog
