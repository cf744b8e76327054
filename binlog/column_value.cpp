#include "binlog/column_value.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

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

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days-from-civil algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  auto yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/// A DATE, DATETIME or TIMESTAMP taken apart.
struct civil_time {
  unsigned year = 0, month = 0, day = 0;
  unsigned hour = 0, minute = 0, second = 0;
  uint32_t micros = 0;
};

/// A TIME taken apart: a signed duration of up to 838 hours.
struct duration {
  bool negative = false;
  unsigned hour = 0, minute = 0, second = 0;
  uint32_t micros = 0;

  int64_t total_micros() const {
    int64_t m = ((int64_t{hour} * 60 + minute) * 60 + second) * 1000000
                + micros;
    return negative ? -m : m;
  }
};

civil_time read_date(const uint8_t* p) {
  uint32_t x = load_le24(p);
  civil_time c;
  c.year = x >> 9;
  c.month = (x >> 5) & 15;
  c.day = x & 31;
  return c;
}

civil_time read_datetime(const uint8_t* p) {
  uint64_t x = load_le64(p);
  uint64_t d = x / 1000000;
  uint64_t t = x % 1000000;
  civil_time c;
  c.year = static_cast<unsigned>(d / 10000 % 10000);
  c.month = static_cast<unsigned>(d / 100 % 100);
  c.day = static_cast<unsigned>(d % 100);
  c.hour = static_cast<unsigned>(t / 10000);
  c.minute = static_cast<unsigned>(t / 100 % 100);
  c.second = static_cast<unsigned>(t % 100);
  return c;
}

civil_time read_datetime2(const uint8_t* p, uint16_t fsp) {
  int64_t intpart = static_cast<int64_t>(load_be(p, 5)) - 0x8000000000LL;
  if (intpart < 0)
    intpart = -intpart; // DATETIME is never negative; guard corrupt bytes
  uint64_t ymd = static_cast<uint64_t>(intpart) >> 17;
  uint64_t ym = ymd >> 5;
  uint64_t hms = static_cast<uint64_t>(intpart) % (1u << 17);
  civil_time c;
  c.year = static_cast<unsigned>(ym / 13);
  c.month = static_cast<unsigned>(ym % 13);
  c.day = static_cast<unsigned>(ymd % 32);
  c.hour = static_cast<unsigned>(hms >> 12);
  c.minute = static_cast<unsigned>((hms >> 6) % 64);
  c.second = static_cast<unsigned>(hms % 64);
  c.micros = read_fraction(p + 5, fsp);
  return c;
}

duration read_time(const uint8_t* p) {
  int32_t x = static_cast<int32_t>(load_le24(p) << 8) >> 8;
  duration d;
  d.negative = x < 0;
  uint32_t v = d.negative ? static_cast<uint32_t>(-x)
                          : static_cast<uint32_t>(x);
  d.hour = v / 10000;
  d.minute = v / 100 % 100;
  d.second = v % 100;
  return d;
}

duration read_time2(const uint8_t* p, uint16_t fsp) {
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
  duration d;
  d.negative = packed < 0;
  uint64_t mag = d.negative ? static_cast<uint64_t>(-packed)
                            : static_cast<uint64_t>(packed);
  uint64_t hms = mag >> 24;
  d.micros = static_cast<uint32_t>(mag % (1u << 24));
  d.hour = static_cast<unsigned>((hms >> 12) % 1024);
  d.minute = static_cast<unsigned>((hms >> 6) % 64);
  d.second = static_cast<unsigned>(hms % 64);
  return d;
}

// -- readable values ----------------------------------------------------------

void write_iso_date(json_writer& out, const civil_time& c) {
  char buf[16];
  buf[0] = '"';
  char* o = put_date(buf + 1, c.year, c.month, c.day);
  *o++ = '"';
  out.raw({buf, static_cast<size_t>(o - buf)});
}

/// "YYYY-MM-DDTHH:MM:SS[.f]" with fsp fraction digits, and a "Z" for UTC.
void write_iso_datetime(json_writer& out, const civil_time& c, uint16_t fsp,
                        bool utc) {
  char buf[40];
  char* o = buf;
  *o++ = '"';
  o = put_date(o, c.year, c.month, c.day);
  *o++ = 'T';
  o = put_clock(o, c.hour, c.minute, c.second);
  o = put_fraction(o, c.micros, fsp);
  if (utc)
    *o++ = 'Z';
  *o++ = '"';
  out.raw({buf, static_cast<size_t>(o - buf)});
}

void write_clock(json_writer& out, const duration& d, uint16_t fsp) {
  char buf[40];
  char* o = buf;
  *o++ = '"';
  if (d.negative)
    *o++ = '-';
  o = put_clock(o, d.hour, d.minute, d.second);
  o = put_fraction(o, d.micros, fsp);
  *o++ = '"';
  out.raw({buf, static_cast<size_t>(o - buf)});
}

civil_time utc_of(uint32_t secs, uint32_t micros) {
  civil_time c;
  civil_from_epoch(secs, c.year, c.month, c.day, c.hour, c.minute, c.second);
  c.micros = micros;
  return c;
}

/// Zero dates ("0000-00-00", "2024-00-15") are null in readable mode.
bool readable_zero(const civil_time& c) {
  return c.month == 0 || c.day == 0;
}

// -- Debezium's values ----------------------------------------------------------

/// Debezium reads a date with a zero year, month or day as none: null in a
/// nullable column, else the fallback (the epoch) of its converter.
bool debezium_zero(const civil_time& c) {
  return c.year == 0 || c.month == 0 || c.day == 0;
}

/// Debezium's time adjuster (enable.time.adjuster, on by default): years
/// 0-69 are 2000-2069 and 70-99 are 1970-1999, as MySQL reads two-digit
/// years.
unsigned debezium_year(unsigned year) {
  if (year < 70)
    return year + 2000;
  if (year < 100)
    return year + 1900;
  return year;
}

int64_t epoch_micros(const civil_time& c) {
  int64_t days = days_from_civil(debezium_year(c.year), c.month, c.day);
  return ((days * 24 + c.hour) * 60 + c.minute) * int64_t{60000000}
         + int64_t{c.second} * 1000000 + c.micros;
}

void write_debezium_date(json_writer& out, const column& col,
                         const civil_time& c) {
  if (debezium_zero(c)) {
    if (col.nullable)
      out.null();
    else
      out.integer(0);
    return;
  }
  out.integer(days_from_civil(debezium_year(c.year), c.month, c.day));
}

void write_debezium_datetime(json_writer& out, const column& col,
                             const civil_time& c, uint16_t fsp,
                             const value_options& options) {
  if (debezium_zero(c)) {
    if (col.nullable)
      out.null();
    else
      out.integer(0);
    return;
  }
  auto micros = epoch_micros(c);
  if (options.time == time_precision::connect || fsp <= 3)
    out.integer(floor_div(micros, 1000));
  else
    out.integer(micros);
}

/// ZonedTimestamp: ISO-8601 in UTC with exactly fsp fraction digits.
void write_debezium_timestamp(json_writer& out, const column& col,
                              uint32_t secs, uint32_t micros, uint16_t fsp) {
  if (secs == 0 && micros == 0) {
    // Debezium 3.6 reads the zero TIMESTAMP as none (3.5 as the epoch).
    if (col.nullable)
      out.null();
    else
      out.raw("\"1970-01-01T00:00:00Z\"");
    return;
  }
  write_iso_datetime(out, utc_of(secs, micros), fsp, true);
}

void write_debezium_time(json_writer& out, const duration& d,
                         const value_options& options) {
  auto micros = d.total_micros();
  if (options.time == time_precision::connect) {
    // Kafka Connect's Time holds 00:00:00 to 24:00:00 only; Debezium
    // leaves other values null (and stops at a NOT NULL column).
    if (micros < 0 || micros > int64_t{86400} * 1000000)
      out.null();
    else
      out.integer(micros / 1000);
    return;
  }
  out.integer(micros);
}

/// BigInteger.toByteArray() of a non-negative or negative magnitude held in
/// 32-bit limbs (least significant first): the shortest big-endian two's
/// complement bytes.
size_t twos_complement_bytes(uint32_t* limbs, size_t n, bool negative,
                             uint8_t* out) {
  uint8_t be[4 * 8 + 1];
  size_t len = 0;
  if (negative) {
    // two's complement: invert and add one
    uint64_t carry = 1;
    for (size_t i = 0; i < n; ++i) {
      uint64_t v = uint64_t{static_cast<uint32_t>(~limbs[i])} + carry;
      limbs[i] = static_cast<uint32_t>(v);
      carry = v >> 32;
    }
  }
  for (size_t i = n; i > 0; --i)
    for (int b = 3; b >= 0; --b)
      be[len++] = static_cast<uint8_t>(limbs[i - 1] >> (8 * b));
  // Drop leading bytes that only repeat the sign.
  size_t start = 0;
  uint8_t fill = negative ? 0xff : 0x00;
  while (start + 1 < len && be[start] == fill
         && ((be[start + 1] & 0x80) != 0) == negative)
    ++start;
  size_t size = len - start;
  std::memcpy(out, be + start, size);
  return size;
}

// The rarer types are kept out of write_value (noinline), so that the
// common ones (integers, strings) stay inlined there.

/// Kafka Connect's Decimal in JSON: the base64 of the unscaled value's
/// two's-complement bytes, from its decimal digits.
void write_unscaled(json_writer& out, std::string_view digits) {
  uint32_t limbs[8] = {};
  bool negative = false;
  for (char ch : digits) {
    if (ch == '-') {
      negative = true;
      continue;
    }
    if (ch < '0' || ch > '9')
      continue; // the point
    uint64_t carry = static_cast<uint64_t>(ch - '0');
    for (auto& limb : limbs) {
      uint64_t v = uint64_t{limb} * 10 + carry;
      limb = static_cast<uint32_t>(v);
      carry = v >> 32;
    }
  }
  uint8_t bytes[40];
  auto n = twos_complement_bytes(limbs, 8, negative, bytes);
  out.base64({reinterpret_cast<const char*>(bytes), n});
}

[[gnu::noinline]] void write_unsigned_decimal(json_writer& out, uint64_t x) {
  uint32_t limbs[3] = {static_cast<uint32_t>(x), static_cast<uint32_t>(x >> 32),
                       0};
  uint8_t bytes[16];
  auto n = twos_complement_bytes(limbs, 3, false, bytes);
  out.base64({reinterpret_cast<const char*>(bytes), n});
}

[[gnu::noinline]] void write_decimal(json_writer& out, const column& col,
                                     const uint8_t* p,
                                     const value_options& options) {
  unsigned precision = col.meta >> 8;
  unsigned scale = col.meta & 0xff;
  if (options.mode == value_mode::readable
      || options.decimal == decimal_handling::string) {
    out.raw('"');
    append_decimal(out.buffer(), p, precision, scale);
    out.raw('"');
    return;
  }
  std::string digits;
  digits.reserve(80);
  append_decimal(digits, p, precision, scale);
  if (options.decimal == decimal_handling::double_) {
    out.number(std::strtod(digits.c_str(), nullptr));
    return;
  }
  write_unscaled(out, digits);
}

[[gnu::noinline]] void write_binary(json_writer& out, std::string_view bytes,
                                    const value_options& options) {
  if (options.mode == value_mode::readable) {
    out.base64(bytes);
    return;
  }
  switch (options.binary) {
    case binary_handling::base64_url_safe:
      out.base64(bytes, true);
      break;
    case binary_handling::hex:
      out.hex(bytes);
      break;
    default:
      out.base64(bytes);
  }
}

void write_text(json_writer& out, uint32_t collation, const uint8_t* p,
                size_t n, const value_options& options) {
  std::string_view bytes{reinterpret_cast<const char*>(p), n};
  switch (charset_of(collation)) {
    case charset_kind::binary:
      write_binary(out, bytes, options);
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

[[gnu::noinline]] void write_bits(json_writer& out, const column& col,
                                  const uint8_t* p, size_t n,
                                  const value_options& options) {
  if (col.meta == 1) {
    out.boolean((p[0] & 1) != 0);
    return;
  }
  if (options.mode == value_mode::readable) {
    out.integer(load_be(p, n > 8 ? 8 : n));
    return;
  }
  // io.debezium.data.Bits: the value's bytes, least significant first.
  uint8_t le[8];
  for (size_t i = 0; i < n && i < 8; ++i)
    le[i] = p[n - 1 - i];
  out.base64({reinterpret_cast<const char*>(le), n > 8 ? 8 : n});
}

[[gnu::noinline]] void write_members(json_writer& out, const column& col,
                                     uint64_t bits) {
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

/// Debezium's Geometry {"wkb","srid"} (or Point {"x","y","wkb","srid"})
/// from MySQL's bytes: a little-endian SRID, then the WKB.
[[gnu::noinline]] void write_geometry(json_writer& out, const column& col,
                                      const uint8_t* p, size_t n) {
  std::string_view wkb;
  uint32_t srid = 0;
  if (n >= 4) {
    srid = load_le32(p);
    wkb = {reinterpret_cast<const char*>(p + 4), n - 4};
  }
  out.raw('{');
  if (col.geometry_type == 1) { // POINT
    if (wkb.size() == 21 && (wkb[0] == 0 || wkb[0] == 1)) {
      bool little = wkb[0] == 1;
      double xy[2];
      for (int i = 0; i < 2; ++i) {
        uint8_t b[8];
        std::memcpy(b, wkb.data() + 5 + 8 * i, 8);
        if (!little)
          std::reverse(b, b + 8);
        std::memcpy(&xy[i], b, 8);
      }
      out.raw("\"x\":");
      out.number(xy[0]);
      out.raw(",\"y\":");
      out.number(xy[1]);
    } else {
      out.raw("\"x\":null,\"y\":null");
    }
    out.raw(',');
  }
  out.raw("\"wkb\":");
  out.base64(wkb);
  out.raw(",\"srid\":");
  if (srid == 0)
    out.null();
  else
    out.integer(srid);
  out.raw('}');
}

/// Debezium's FloatVector: a JSON array of the 32-bit floats.
[[gnu::noinline]] void write_float_vector(json_writer& out, const uint8_t* p,
                                          size_t n) {
  out.raw('[');
  for (size_t i = 0; i + 4 <= n; i += 4) {
    if (i > 0)
      out.raw(',');
    float x;
    std::memcpy(&x, p + i, 4);
    out.number(x);
  }
  out.raw(']');
}

[[gnu::noinline]] void write_temporal(json_writer& out, const column& col,
                                      const uint8_t* p,
                                      const value_options& options) {
  bool readable = options.mode == value_mode::readable;
  switch (col.type) {
    case field_type::date:
    case field_type::newdate: {
      auto c = read_date(p);
      if (!readable)
        write_debezium_date(out, col, c);
      else if (readable_zero(c))
        out.null();
      else
        write_iso_date(out, c);
      break;
    }
    case field_type::datetime:
    case field_type::datetime2: {
      uint16_t fsp = col.type == field_type::datetime ? 0 : col.meta;
      auto c = col.type == field_type::datetime ? read_datetime(p)
                                                : read_datetime2(p, fsp);
      if (!readable)
        write_debezium_datetime(out, col, c, fsp, options);
      else if (readable_zero(c))
        out.null();
      else
        write_iso_datetime(out, c, fsp, false);
      break;
    }
    case field_type::timestamp:
    case field_type::timestamp2: {
      bool v2 = col.type == field_type::timestamp2;
      uint16_t fsp = v2 ? col.meta : 0;
      uint32_t secs = v2 ? static_cast<uint32_t>(load_be(p, 4)) : load_le32(p);
      uint32_t micros = v2 ? read_fraction(p + 4, fsp) : 0;
      if (!readable)
        write_debezium_timestamp(out, col, secs, micros, fsp);
      else if (secs == 0 && micros == 0)
        out.null();
      else
        write_iso_datetime(out, utc_of(secs, micros), fsp, true);
      break;
    }
    default: { // time, time2
      uint16_t fsp = col.type == field_type::time ? 0 : col.meta;
      auto d = col.type == field_type::time ? read_time(p) : read_time2(p, fsp);
      if (readable)
        write_clock(out, d, fsp);
      else
        write_debezium_time(out, d, options);
    }
  }
}

} // namespace

bool parse(std::string_view text, value_mode& out) {
  if (text == "debezium")
    out = value_mode::debezium;
  else if (text == "readable")
    out = value_mode::readable;
  else
    return false;
  return true;
}

bool parse(std::string_view text, decimal_handling& out) {
  if (text == "precise")
    out = decimal_handling::precise;
  else if (text == "string")
    out = decimal_handling::string;
  else if (text == "double")
    out = decimal_handling::double_;
  else
    return false;
  return true;
}

bool parse(std::string_view text, time_precision& out) {
  if (text == "adaptive_time_microseconds")
    out = time_precision::adaptive_time_microseconds;
  else if (text == "connect")
    out = time_precision::connect;
  else
    return false;
  return true;
}

bool parse(std::string_view text, bigint_unsigned_handling& out) {
  if (text == "long")
    out = bigint_unsigned_handling::long_;
  else if (text == "precise")
    out = bigint_unsigned_handling::precise;
  else
    return false;
  return true;
}

bool parse(std::string_view text, binary_handling& out) {
  if (text == "bytes")
    out = binary_handling::bytes;
  else if (text == "base64")
    out = binary_handling::base64;
  else if (text == "base64-url-safe")
    out = binary_handling::base64_url_safe;
  else if (text == "hex")
    out = binary_handling::hex;
  else
    return false;
  return true;
}

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

// Flattened: the integer formatting of the common types inlined here.
[[gnu::flatten]] void write_value(json_writer& out, const column& col,
                                  const uint8_t* p, size_t size,
                                  const value_options& options) {
  bool readable = options.mode == value_mode::readable;
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
      if (!col.is_unsigned
          || (!readable
              && options.bigint_unsigned == bigint_unsigned_handling::long_))
        out.integer(static_cast<int64_t>(load_le64(p)));
      else if (readable)
        out.integer(load_le64(p));
      else
        write_unsigned_decimal(out, load_le64(p));
      break;
    case field_type::year:
      // Debezium reads YEAR as 1900 + the stored byte, 0000 as 1900.
      out.integer(p[0] == 0 && readable ? 0u : 1900u + p[0]);
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
      write_decimal(out, col, p, options);
      break;
    case field_type::bit:
      write_bits(out, col, p, size, options);
      break;
    case field_type::date:
    case field_type::newdate:
    case field_type::time:
    case field_type::datetime:
    case field_type::timestamp:
    case field_type::timestamp2:
    case field_type::datetime2:
    case field_type::time2:
      write_temporal(out, col, p, options);
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
        padded.assign(reinterpret_cast<const char*>(p + prefix), size - prefix);
        padded.resize(col.meta, '\0');
        write_binary(out, padded, options);
        break;
      }
      write_text(out, col.collation, p + prefix, size - prefix, options);
      break;
    }
    case field_type::blob: {
      // TEXT and BLOB share the type; only the charset tells them apart, and
      // without charset metadata the bytes are sent as they are (binary).
      auto prefix = col.meta;
      if (col.collation == 0)
        write_binary(out,
                     {reinterpret_cast<const char*>(p + prefix), size - prefix},
                     options);
      else
        write_text(out, col.collation, p + prefix, size - prefix, options);
      break;
    }
    case field_type::json: {
      auto prefix = col.meta;
      write_json_binary(out, p + prefix, size - prefix);
      break;
    }
    case field_type::geometry: {
      auto prefix = col.meta;
      if (readable)
        out.base64({reinterpret_cast<const char*>(p + prefix), size - prefix});
      else
        write_geometry(out, col, p + prefix, size - prefix);
      break;
    }
    case field_type::vector: {
      auto prefix = col.meta;
      if (readable)
        out.base64({reinterpret_cast<const char*>(p + prefix), size - prefix});
      else
        write_float_vector(out, p + prefix, size - prefix);
      break;
    }
    case field_type::null:
    default:
      out.null();
  }
}

namespace {

/// Java's BigDecimal.toString() of a decimal's digits ("-12.30"): plain,
/// unless the exponent is below -6 ("1E-7", "0E-30").
void append_java_decimal(std::string& out, std::string_view text) {
  bool negative = !text.empty() && text[0] == '-';
  std::string unscaled;
  size_t scale = 0;
  bool point = false;
  for (char c : text) {
    if (c == '.')
      point = true;
    else if (c >= '0' && c <= '9') {
      unscaled.push_back(c);
      if (point)
        ++scale;
    }
  }
  auto first = unscaled.find_first_not_of('0');
  unscaled = first == std::string::npos ? "0" : unscaled.substr(first);
  auto adjusted = static_cast<long>(unscaled.size()) - 1
                  - static_cast<long>(scale);
  if (negative && unscaled != "0")
    out.push_back('-');
  if (adjusted >= -6) {
    // plain, as the text is, without its leading zeros
    if (scale == 0) {
      out += unscaled;
    } else if (unscaled.size() > scale) {
      out.append(unscaled, 0, unscaled.size() - scale);
      out.push_back('.');
      out.append(unscaled, unscaled.size() - scale, scale);
    } else {
      out += "0.";
      out.append(scale - unscaled.size(), '0');
      out += unscaled;
    }
    return;
  }
  out.push_back(unscaled[0]);
  if (unscaled.size() > 1) {
    out.push_back('.');
    out.append(unscaled, 1, std::string::npos);
  }
  out.push_back('E');
  out += std::to_string(adjusted);
}

/// Kafka Connect's Values.convertToString of a java.util.Date (Connect's
/// Date, Time and Timestamp): the format follows the value, not the
/// schema: before one day after the epoch (negative ones included) the
/// time of day, at midnight the date, else date and time.
void append_connect_date(std::string& out, int64_t millis) {
  constexpr int64_t day = 86400000;
  char tmp[40];
  char* o = tmp;
  auto tod = millis - floor_div(millis, day) * day;
  auto clock = [&](int64_t ms) {
    o = put_clock(o, static_cast<unsigned>(ms / 3600000),
                  static_cast<unsigned>(ms / 60000 % 60),
                  static_cast<unsigned>(ms / 1000 % 60));
    o = put_fraction(o, static_cast<uint32_t>(ms % 1000) * 1000, 3);
    *o++ = 'Z';
  };
  if (millis < day) {
    clock(tod);
  } else {
    civil_time c;
    civil_from_epoch(millis / 1000, c.year, c.month, c.day, c.hour, c.minute,
                     c.second);
    o = put_date(o, c.year, c.month, c.day);
    if (tod != 0) {
      *o++ = 'T';
      clock(tod);
    }
  }
  out.append(tmp, static_cast<size_t>(o - tmp));
}

} // namespace

void write_header_value(json_writer& out, const column& col, const uint8_t* p,
                        size_t size, const value_options& options) {
  auto& buf = out.buffer();
  bool dbz = options.mode == value_mode::debezium;
  bool connect = dbz && options.time == time_precision::connect;
  switch (col.type) {
    case field_type::newdecimal:
      if (dbz && options.decimal == decimal_handling::precise) {
        std::string digits;
        append_decimal(digits, p, col.meta >> 8, col.meta & 0xff);
        append_java_decimal(buf, digits);
        return;
      }
      break;
    case field_type::longlong:
      if (dbz && col.is_unsigned
          && options.bigint_unsigned == bigint_unsigned_handling::precise) {
        out.integer(load_le64(p));
        return;
      }
      break;
    case field_type::date:
    case field_type::newdate: {
      auto c = read_date(p);
      if (connect && !debezium_zero(c)) {
        append_connect_date(buf, days_from_civil(debezium_year(c.year), c.month,
                                                 c.day)
                                   * 86400000);
        return;
      }
      break;
    }
    case field_type::datetime:
    case field_type::datetime2: {
      auto c = col.type == field_type::datetime ? read_datetime(p)
                                                : read_datetime2(p, col.meta);
      if (connect && !debezium_zero(c)) {
        append_connect_date(buf, floor_div(epoch_micros(c), 1000));
        return;
      }
      break;
    }
    case field_type::time:
    case field_type::time2: {
      auto d = col.type == field_type::time ? read_time(p)
                                            : read_time2(p, col.meta);
      auto micros = d.total_micros();
      if (connect && micros >= 0 && micros <= int64_t{86400} * 1000000) {
        append_connect_date(buf, micros / 1000);
        return;
      }
      break;
    }
    case field_type::varchar:
    case field_type::var_string:
    case field_type::string:
    case field_type::blob:
      if (col.collation != 0 && col.collation != binary_collation) {
        // Values.convertToString escapes only quotes and backslashes.
        std::string text;
        json_writer t{text};
        write_value(t, col, p, size, options);
        buf.push_back('"');
        for (size_t i = 1; i + 1 < text.size(); ++i) {
          char c = text[i];
          if (c == '\\' && i + 2 < text.size()) {
            char e = text[++i];
            switch (e) {
              case 'n':
                buf.push_back('\n');
                break;
              case 'r':
                buf.push_back('\r');
                break;
              case 't':
                buf.push_back('\t');
                break;
              case 'b':
                buf.push_back('\b');
                break;
              case 'f':
                buf.push_back('\f');
                break;
              case 'u': {
                auto cp = std::strtoul(text.substr(i + 1, 4).c_str(), nullptr,
                                       16);
                i += 4;
                buf.push_back(static_cast<char>(cp)); // control characters
                break;
              }
              default: // '"', '\\', '/'
                if (e == '"' || e == '\\')
                  buf.push_back('\\');
                buf.push_back(e);
            }
          } else {
            buf.push_back(c);
          }
        }
        buf.push_back('"');
        return;
      }
      break;
    default:
      break;
  }
  write_value(out, col, p, size, options);
}

namespace {

void schema_type(std::string& out, const char* type, bool optional) {
  out += "{\"type\":\"";
  out += type;
  out += optional ? "\",\"optional\":true" : "\",\"optional\":false";
}

void schema_name(std::string& out, const char* name) {
  out += ",\"name\":\"";
  out += name;
  out += "\",\"version\":1";
}

/// ENUM and SET members as Debezium lists them in "allowed".
void schema_allowed(std::string& out, const column& col) {
  std::string allowed;
  for (size_t i = 0; i < col.members.size(); ++i) {
    if (i > 0)
      allowed += ',';
    allowed += col.members[i];
  }
  out += ",\"parameters\":{\"allowed\":";
  json_writer w{out};
  w.string(allowed);
  out += '}';
}

bool is_binary(const column& col) {
  if (col.type == field_type::blob)
    return col.collation == 0 || col.collation == binary_collation;
  return col.collation == binary_collation;
}

} // namespace

void append_value_schema(std::string& out, const column& col,
                         const value_options& options) {
  bool opt = col.nullable;
  bool connect = options.time == time_precision::connect;
  switch (col.type) {
    case field_type::tiny:
      schema_type(out, "int16", opt);
      break;
    case field_type::short_:
      schema_type(out, col.is_unsigned ? "int32" : "int16", opt);
      break;
    case field_type::int24:
      schema_type(out, "int32", opt);
      break;
    case field_type::long_:
      schema_type(out, col.is_unsigned ? "int64" : "int32", opt);
      break;
    case field_type::longlong:
      if (col.is_unsigned
          && options.bigint_unsigned == bigint_unsigned_handling::precise) {
        schema_type(out, "bytes", opt);
        schema_name(out, "org.apache.kafka.connect.data.Decimal");
        out +=
          ",\"parameters\":{\"scale\":\"0\","
          "\"connect.decimal.precision\":\"20\"}";
      } else {
        schema_type(out, "int64", opt);
      }
      break;
    case field_type::year:
      schema_type(out, "int32", opt);
      schema_name(out, "io.debezium.time.Year");
      break;
    case field_type::float_:
      schema_type(out, "float", opt);
      break;
    case field_type::double_:
      schema_type(out, "double", opt);
      break;
    case field_type::newdecimal:
      switch (options.decimal) {
        case decimal_handling::precise:
          schema_type(out, "bytes", opt);
          schema_name(out, "org.apache.kafka.connect.data.Decimal");
          out += ",\"parameters\":{\"scale\":\""
                 + std::to_string(col.meta & 0xff)
                 + "\",\"connect.decimal.precision\":\""
                 + std::to_string(col.meta >> 8) + "\"}";
          break;
        case decimal_handling::string:
          schema_type(out, "string", opt);
          break;
        default:
          schema_type(out, "double", opt);
      }
      break;
    case field_type::bit:
      if (col.meta == 1) {
        schema_type(out, "boolean", opt);
      } else {
        schema_type(out, "bytes", opt);
        schema_name(out, "io.debezium.data.Bits");
        out += ",\"parameters\":{\"length\":\"" + std::to_string(col.meta)
               + "\"}";
      }
      break;
    case field_type::date:
    case field_type::newdate:
      schema_type(out, "int32", opt);
      schema_name(out, connect ? "org.apache.kafka.connect.data.Date"
                               : "io.debezium.time.Date");
      break;
    case field_type::datetime:
    case field_type::datetime2: {
      uint16_t fsp = col.type == field_type::datetime ? 0 : col.meta;
      schema_type(out, "int64", opt);
      schema_name(out, connect    ? "org.apache.kafka.connect.data.Timestamp"
                       : fsp <= 3 ? "io.debezium.time.Timestamp"
                                  : "io.debezium.time.MicroTimestamp");
      break;
    }
    case field_type::timestamp:
    case field_type::timestamp2:
      schema_type(out, "string", opt);
      schema_name(out, "io.debezium.time.ZonedTimestamp");
      break;
    case field_type::time:
    case field_type::time2:
      schema_type(out, connect ? "int32" : "int64", opt);
      schema_name(out, connect ? "org.apache.kafka.connect.data.Time"
                               : "io.debezium.time.MicroTime");
      break;
    case field_type::enum_:
    case field_type::set:
      schema_type(out, "string", opt);
      schema_name(out, col.type == field_type::enum_
                         ? "io.debezium.data.Enum"
                         : "io.debezium.data.EnumSet");
      schema_allowed(out, col);
      break;
    case field_type::varchar:
    case field_type::var_string:
    case field_type::string:
    case field_type::blob:
      schema_type(out,
                  is_binary(col) && options.binary == binary_handling::bytes
                    ? "bytes"
                    : "string",
                  opt);
      break;
    case field_type::json:
      schema_type(out, "string", opt);
      schema_name(out, "io.debezium.data.Json");
      break;
    case field_type::geometry:
      if (col.geometry_type == 1) {
        out +=
          "{\"type\":\"struct\",\"fields\":["
          "{\"type\":\"double\",\"optional\":false,\"field\":\"x\"},"
          "{\"type\":\"double\",\"optional\":false,\"field\":\"y\"},"
          "{\"type\":\"bytes\",\"optional\":true,\"field\":\"wkb\"},"
          "{\"type\":\"int32\",\"optional\":true,\"field\":\"srid\"}],";
        out += opt ? "\"optional\":true" : "\"optional\":false";
        out +=
          ",\"name\":\"io.debezium.data.geometry.Point\",\"version\":1,"
          "\"doc\":\"Geometry (POINT)\"";
      } else {
        out +=
          "{\"type\":\"struct\",\"fields\":["
          "{\"type\":\"bytes\",\"optional\":false,\"field\":\"wkb\"},"
          "{\"type\":\"int32\",\"optional\":true,\"field\":\"srid\"}],";
        out += opt ? "\"optional\":true" : "\"optional\":false";
        out +=
          ",\"name\":\"io.debezium.data.geometry.Geometry\",\"version\":1,"
          "\"doc\":\"Geometry\"";
      }
      break;
    case field_type::vector:
      out +=
        "{\"type\":\"array\",\"items\":{\"type\":\"float\","
        "\"optional\":true},";
      out += opt ? "\"optional\":true" : "\"optional\":false";
      out += ",\"name\":\"io.debezium.data.FloatVector\",\"version\":1";
      break;
    default:
      schema_type(out, "string", true);
  }
}

} // namespace binlog
