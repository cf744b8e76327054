#include "binlog/charset.hpp"

#include "binlog/utf8.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <iconv.h>
#include <mysql.h>

namespace binlog {

namespace {

constexpr size_t known_collations = 2048;

charset_kind classify(uint32_t collation) {
  if (collation == 63)
    return charset_kind::binary;
  auto cs = mariadb_get_charset_by_nr(collation);
  if (cs == nullptr || cs->csname == nullptr)
    return charset_kind::utf8; // newer collation ids: utf8mb4 in practice
  std::string_view name{cs->csname};
  if (name.compare(0, 4, "utf8") == 0 || name == "ascii")
    return charset_kind::utf8;
  if (name == "latin1")
    return charset_kind::latin1;
  if (name == "binary")
    return charset_kind::binary;
  return charset_kind::other;
}

const std::array<charset_kind, known_collations>& collation_table() {
  static const auto table = [] {
    std::array<charset_kind, known_collations> t{};
    for (uint32_t i = 0; i < known_collations; ++i)
      t[i] = classify(i);
    return t;
  }();
  return table;
}

// glibc iconv's name for a MySQL/MariaDB character set. Connector/C's own
// mariadb_convert_string is built without iconv on Debian (it fails with
// ENOTSUP), so we call iconv ourselves.
const char* iconv_name(std::string_view csname) {
  static constexpr std::pair<std::string_view, const char*> names[] = {
    {"armscii8", "ARMSCII-8"},  {"big5", "BIG5"},
    {"cp1250", "CP1250"},       {"cp1251", "CP1251"},
    {"cp1256", "CP1256"},       {"cp1257", "CP1257"},
    {"cp850", "CP850"},         {"cp852", "CP852"},
    {"cp866", "CP866"},         {"cp932", "CP932"},
    {"dec8", "DEC-MCS"},        {"eucjpms", "EUC-JP-MS"},
    {"euckr", "EUC-KR"},        {"gb18030", "GB18030"},
    {"gb2312", "GB2312"},       {"gbk", "GBK"},
    {"geostd8", "GEORGIAN-PS"}, {"greek", "ISO-8859-7"},
    {"hebrew", "ISO-8859-8"},   {"hp8", "HP-ROMAN8"},
    {"koi8r", "KOI8-R"},        {"koi8u", "KOI8-U"},
    {"latin2", "ISO-8859-2"},   {"latin5", "ISO-8859-9"},
    {"latin7", "ISO-8859-13"},  {"macce", "MAC-CENTRALEUROPE"},
    {"macroman", "MACINTOSH"},  {"sjis", "SJIS"},
    {"swe7", "ISO646-SE"},      {"tis620", "TIS-620"},
    {"ucs2", "UCS-2BE"},        {"ujis", "EUC-JP"},
    {"utf16", "UTF-16BE"},      {"utf16le", "UTF-16LE"},
    {"utf32", "UTF-32BE"},
  };
  for (auto& [mysql, iconv] : names)
    if (mysql == csname)
      return iconv;
  return nullptr;
}

const iconv_t no_converter = reinterpret_cast<iconv_t>(-1);

// One converter per collation and thread, opened on first use.
iconv_t converter(uint32_t collation) {
  struct cache {
    std::vector<iconv_t> open;
    std::vector<bool> tried;
    ~cache() {
      for (auto cd : open)
        if (cd != no_converter)
          iconv_close(cd);
    }
  };
  thread_local cache c;
  if (collation >= known_collations)
    return no_converter;
  if (c.open.empty()) {
    c.open.assign(known_collations, no_converter);
    c.tried.assign(known_collations, false);
  }
  if (!c.tried[collation]) {
    c.tried[collation] = true;
    auto cs = mariadb_get_charset_by_nr(collation);
    auto name = cs != nullptr && cs->csname != nullptr ? iconv_name(cs->csname)
                                                       : nullptr;
    if (name != nullptr)
      c.open[collation] = iconv_open("UTF-8", name);
  }
  return c.open[collation];
}

} // namespace

charset_kind charset_of(uint32_t collation) {
  if (collation < known_collations)
    return collation_table()[collation];
  return classify(collation);
}

namespace {

// Converts `bytes` with `cd` into `converted` (resized to fit, the used
// length returned); bytes that do not convert become U+FFFD.
size_t convert(iconv_t cd, std::string_view bytes, std::string& converted) {
  iconv(cd, nullptr, nullptr, nullptr, nullptr); // reset the shift state
  // A character grows to at most 3 bytes of UTF-8 per input byte (4 for 4
  // input bytes); U+FFFD takes 3 for every bad byte.
  converted.resize(bytes.size() * 3 + 16);
  auto in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  size_t used = 0;
  while (in_left > 0) {
    char* o = converted.data() + used;
    size_t o_left = converted.size() - used;
    auto rc = iconv(cd, &in, &in_left, &o, &o_left);
    used = converted.size() - o_left;
    if (rc != static_cast<size_t>(-1))
      break;
    if (errno == E2BIG) {
      converted.resize(converted.size() * 2);
      continue;
    }
    // EILSEQ or EINVAL (a sequence cut short): mark it and go on after it.
    if (converted.size() - used < 3)
      converted.resize(converted.size() * 2);
    std::memcpy(converted.data() + used, "\xef\xbf\xbd", 3);
    used += 3;
    ++in;
    --in_left;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
  }
  return used;
}

} // namespace

void write_converted(json_writer& out, uint32_t collation,
                     std::string_view bytes) {
  auto cd = converter(collation);
  if (cd == no_converter) {
    out.string(bytes); // a charset iconv lacks: as UTF-8, U+FFFD if invalid
    return;
  }
  thread_local std::string converted;
  auto used = convert(cd, bytes, converted);
  out.string({converted.data(), used});
}

void to_utf8(uint32_t collation, std::string_view bytes, std::string& out) {
  out.clear();
  auto kind = charset_of(collation);
  if (kind == charset_kind::latin1) {
    for (unsigned char c : bytes)
      utf8::append_bmp(out, utf8::latin1_code_point(c));
    return;
  }
  auto cd = kind == charset_kind::other ? converter(collation) : no_converter;
  if (cd == no_converter) {
    out.assign(bytes);
    return;
  }
  out.resize(convert(cd, bytes, out));
}

} // namespace binlog
