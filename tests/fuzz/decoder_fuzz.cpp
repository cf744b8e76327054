// libFuzzer target over the binlog decoder: event framing, every event
// type, table maps, row images and column values, compressed events.
//
// The first input byte picks how the rest is read:
//   0     the rest is a binlog file's events (the magic number is added);
//   1, 2  events after a MySQL 8 (1) or MariaDB 10.11 (2) FORMAT_DESCRIPTION;
//   3-255 the body of one rows event after a fixed FORMAT_DESCRIPTION and a
//         TABLE_MAP of a table with a column of every type, so that most
//         inputs reach the row decoder. The second byte picks the event type
//         and the server, the rest is the body after the table id.
// Checksums are not verified (a random input would never get past them),
// decompression is bounded at 16 MiB, and records must be valid JSON.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "binlog/decoder.hpp"
#include "binlog/file_source.hpp"

namespace {

using bytes = std::vector<uint8_t>;

void put_le(bytes& b, uint64_t x, size_t n) {
  for (size_t i = 0; i < n; ++i)
    b.push_back(static_cast<uint8_t>(x >> (8 * i)));
}

void put_str(bytes& b, const std::string& s) {
  b.insert(b.end(), s.begin(), s.end());
}

void put_field(bytes& b, uint8_t type, const bytes& value) {
  b.push_back(type);
  b.push_back(static_cast<uint8_t>(value.size())); // all under 251 bytes
  b.insert(b.end(), value.begin(), value.end());
}

bytes event(uint8_t type, const bytes& body) {
  bytes ev;
  put_le(ev, 1700000000, 4);
  ev.push_back(type);
  put_le(ev, 1, 4);
  put_le(ev, 19 + body.size() + 4, 4);
  put_le(ev, 0, 4);
  put_le(ev, 0, 2);
  ev.insert(ev.end(), body.begin(), body.end());
  put_le(ev, 0, 4); // checksum, not verified
  return ev;
}

// A FORMAT_DESCRIPTION with CRC32 on: MySQL 8.0 or MariaDB 10.11
// post-header lengths.
bytes format_description(bool mariadb) {
  bytes b;
  put_le(b, 4, 2);
  std::string version = mariadb ? "10.11.6-MariaDB-log" : "8.0.36";
  version.resize(50, '\0');
  put_str(b, version);
  put_le(b, 0, 4);
  b.push_back(19);
  bytes lens(mariadb ? 171 : 42, 0);
  auto set = [&](size_t type, uint8_t len) {
    if (type <= lens.size())
      lens[type - 1] = len;
  };
  set(2, 13);
  set(4, 8);
  set(15, mariadb ? 228 : 98);
  set(19, 8);
  for (size_t t = 23; t <= 25; ++t)
    set(t, 8);
  for (size_t t = 30; t <= 32; ++t)
    set(t, 10);
  set(33, 42);
  set(34, 42);
  set(39, 10);
  set(162, 19);
  set(165, 13);
  for (size_t t = 166; t <= 168; ++t)
    set(t, 8);
  for (size_t t = 169; t <= 171; ++t)
    set(t, 10);
  b.insert(b.end(), lens.begin(), lens.end());
  b.push_back(1); // CRC32
  return event(15, b);
}

// A table with a column of every type the row decoder knows, with full
// metadata: names, signedness, charsets, ENUM/SET strings, primary key.
bytes table_map() {
  struct col {
    uint8_t type;
    bytes meta;
  };
  const col cols[] = {
    {1, {}},         {2, {}},         {9, {}},          {3, {}},
    {8, {}},         {4, {4}},        {5, {8}},         {246, {10, 2}},
    {246, {65, 30}}, {13, {}},        {10, {}},         {11, {}},
    {12, {}},        {7, {}},         {19, {3}},        {18, {6}},
    {17, {2}},       {15, {20, 0}},   {15, {44, 1}},    {254, {254, 10}},
    {254, {247, 1}}, {254, {248, 2}}, {16, {2, 1}},     {252, {2}},
    {245, {4}},      {255, {4}},      {242, {4}},       {14, {}},
    {6, {}},         {16, {0, 8}},    {254, {254, 40}}, {252, {1}},
  };
  const size_t n = sizeof(cols) / sizeof(cols[0]);
  bytes b;
  put_le(b, 42, 6);
  put_le(b, 1, 2);
  b.push_back(2);
  put_str(b, "db");
  b.push_back(0);
  b.push_back(1);
  put_str(b, "t");
  b.push_back(0);
  b.push_back(static_cast<uint8_t>(n));
  bytes meta;
  for (auto& c : cols) {
    b.push_back(c.type);
    meta.insert(meta.end(), c.meta.begin(), c.meta.end());
  }
  b.push_back(static_cast<uint8_t>(meta.size()));
  b.insert(b.end(), meta.begin(), meta.end());
  for (size_t i = 0; i < (n + 7) / 8; ++i)
    b.push_back(0xff);
  put_field(b, 1, {0x55, 0xaa}); // signedness
  // Default charset utf8mb4, then latin1, cp1251, binary, ujis for some of
  // the character columns (index among them, collation).
  put_field(b, 2, {45, 1, 8, 2, 51, 3, 63, 5, 12});
  bytes names;
  for (size_t i = 0; i < n; ++i) {
    std::string name = "c" + std::to_string(i);
    names.push_back(static_cast<uint8_t>(name.size()));
    put_str(names, name);
  }
  b.push_back(4);
  b.push_back(static_cast<uint8_t>(names.size()));
  b.insert(b.end(), names.begin(), names.end());
  put_field(b, 5, {1, 2, 'x', ','});             // SET('x,')
  put_field(b, 6, {3, 1, 'a', 0, 2, '"', '\\'}); // ENUM('a','','"\\')
  put_field(b, 8, {0, 3});                       // primary key: c0, c3
  return event(19, b);
}

// Event types a rows body may be given, by the second input byte.
constexpr uint8_t rows_types[] = {23,  24,  25,  30,  31,  32,  39,
                                  166, 167, 168, 169, 170, 171, 40};

struct checking_sink : binlog::record_sink {
  size_t records = 0;
  void on_record(const binlog::row_record& rec) override {
    // Records must be valid JSON, whatever the bytes were. Parsing them
    // all would make inputs of many small rows time out: check the first.
    bool tombstone = rec.kind == binlog::record_kind::tombstone;
    if (tombstone != rec.value.empty())
      std::abort();
    if (++records <= 16
        && ((!tombstone && !nlohmann::json::accept(rec.value))
            || (!rec.key.empty() && !nlohmann::json::accept(rec.key))))
      std::abort();
    if (rec.txn == nullptr || rec.topic.empty())
      std::abort();
#ifdef B2K_FUZZ_PRINT // for looking at what an input decodes to
    std::fprintf(stderr, "%.*s\n", static_cast<int>(rec.value.size()),
                 rec.value.data());
#endif
  }
  void on_transaction_end(const binlog::position&) override {
  }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  static const bytes mysql_fde = format_description(false);
  static const bytes mariadb_fde = format_description(true);
  static const bytes table = table_map();
  bytes file{0xfe, 'b', 'i', 'n'};
  uint8_t mode = data[0];
  ++data;
  --size;
  if (mode == 0) {
    file.insert(file.end(), data, data + size);
  } else if (mode <= 2) {
    auto& fde = mode == 1 ? mysql_fde : mariadb_fde;
    file.insert(file.end(), fde.begin(), fde.end());
    file.insert(file.end(), data, data + size);
  } else {
    if (size < 1)
      return 0;
    uint8_t pick = data[0];
    ++data;
    --size;
    uint8_t type = rows_types[pick % sizeof(rows_types)];
    bool mariadb = type >= 160 || (pick & 0x80) != 0;
    auto& fde = mariadb ? mariadb_fde : mysql_fde;
    file.insert(file.end(), fde.begin(), fde.end());
    file.insert(file.end(), table.begin(), table.end());
    bytes body;
    if (type != 40)
      put_le(body, 42, 6); // the table id of the table map
    body.insert(body.end(), data, data + size);
    auto ev = event(type, body);
    file.insert(file.end(), ev.begin(), ev.end());
  }
  checking_sink sink;
  // Every kind of record on: tombstones, schema changes, transaction
  // boundaries.
  binlog::record_options options;
  options.tombstones = true;
  options.schema_topic = "{prefix}";
  options.transaction_topic = "{prefix}.transaction";
  binlog::decoder dec{*binlog::record_encoder::make(options), sink};
  dec.verify_checksums(false);
  dec.set_max_uncompressed(size_t{16} << 20);
  dec.set_max_xa_bytes(size_t{16} << 20);
  auto err = binlog::decode_buffer(file.data(), file.size(), "fuzz", dec);
#ifdef B2K_FUZZ_PRINT
  std::fprintf(stderr, "error: %s\n", err.message.c_str());
#endif
  (void)err;
  return 0;
}
