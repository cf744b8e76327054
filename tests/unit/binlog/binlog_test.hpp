#pragma once

// Helpers for the binlog suites: decode a file into parsed records, read
// and write byte files, and build events from their documented layouts.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <ftw.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "binlog/checksum.hpp"
#include "binlog/decoder.hpp"
#include "binlog/file_source.hpp"
#include "binlog/hex.hpp"

namespace b2k::test {

using nlohmann::json;
using bytes = std::vector<uint8_t>;

/// One record as the sink saw it, parsed.
struct decoded_record {
  std::string topic;
  json key; // null for a null key
  json value;
  std::string raw; // the value as the decoder wrote it
  std::string partition_key;
  binlog::position txn;
  uint64_t row_in_txn = 0;

  const json& before() const {
    return value["before"];
  }
  const json& after() const {
    return value["after"];
  }
  const json& source() const {
    return value["source"];
  }
  std::string op() const {
    return value["op"].get<std::string>();
  }
};

struct collecting_sink : binlog::record_sink {
  std::vector<decoded_record> records;
  std::vector<binlog::position> ends;
  /// For each of `ends`: how many records came before it.
  std::vector<size_t> ends_after;

  void on_record(const binlog::row_record& rec) override {
    decoded_record r;
    r.topic = std::string{rec.topic};
    r.key = rec.key.empty() ? json{} : json::parse(rec.key);
    r.value = json::parse(rec.value);
    r.raw = std::string{rec.value};
    r.partition_key = std::string{rec.partition_key};
    if (rec.txn != nullptr)
      r.txn = *rec.txn;
    r.row_in_txn = rec.row_in_txn;
    records.push_back(std::move(r));
  }

  void on_transaction_end(const binlog::position& next) override {
    ends.push_back(next);
    ends_after.push_back(records.size());
  }
};

inline std::string fixture_path(const std::string& name) {
  return std::string{B2K_FIXTURES_DIR} + "/" + name;
}

inline std::string data_path(const std::string& name) {
  return std::string{B2K_TEST_DATA_DIR} + "/" + name;
}

/// Record options with readable values: the suites that check how values
/// are decoded from real binlogs expect design.md's readable table.
inline binlog::record_options readable_options() {
  binlog::record_options o;
  o.values.mode = binlog::value_mode::readable;
  return o;
}

/// Decodes a whole file (or from `start`, skipping `skip_rows`), with
/// readable values unless `options` say otherwise.
struct decoded {
  collecting_sink sink;
  binlog::error err;
  binlog::decoder_stats stats;

  explicit decoded(const std::string& path, uint64_t start = 4,
                   uint64_t skip_rows = 0, size_t max_uncompressed = 0,
                   binlog::record_options options = readable_options()) {
    binlog::decoder dec{*binlog::record_encoder::make(std::move(options)),
                        sink};
    if (max_uncompressed > 0)
      dec.set_max_uncompressed(max_uncompressed);
    err = binlog::decode_file(path, dec, start, skip_rows);
    stats = dec.stats();
  }

  const std::vector<decoded_record>& records() const {
    return sink.records;
  }
};

inline bytes read_bytes(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  return bytes{std::istreambuf_iterator<char>{in}, {}};
}

inline void write_bytes(const std::string& path, const bytes& data) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out.write(reinterpret_cast<const char*>(data.data()),
            static_cast<std::streamsize>(data.size()));
}

/// A directory under /tmp, removed with its files when this goes away.
struct temp_dir {
  std::string path;

  temp_dir() {
    char name[] = "/tmp/b2k-binlog-test.XXXXXX";
    if (mkdtemp(name) != nullptr)
      path = name;
  }
  ~temp_dir() {
    if (!path.empty())
      nftw(
        path.c_str(),
        [](const char* p, const struct stat*, int, struct FTW*) {
          return ::remove(p);
        },
        8, FTW_DEPTH | FTW_PHYS);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  std::string file(const std::string& name) const {
    return path + "/" + name;
  }
};

/// Writes `data` to a file of the temp dir and decodes it.
inline std::string put_file(const temp_dir& dir, const std::string& name,
                            const bytes& data) {
  auto path = dir.file(name);
  write_bytes(path, data);
  return path;
}

// -- building events -------------------------------------------------------

inline void put_le(bytes& out, uint64_t x, size_t n) {
  for (size_t i = 0; i < n; ++i)
    out.push_back(static_cast<uint8_t>(x >> (8 * i)));
}

inline void put_be(bytes& out, uint64_t x, size_t n) {
  for (size_t i = n; i > 0; --i)
    out.push_back(static_cast<uint8_t>(x >> (8 * (i - 1))));
}

/// The client protocol's length-encoded integer.
inline void put_packed(bytes& out, uint64_t x) {
  if (x < 251) {
    out.push_back(static_cast<uint8_t>(x));
  } else if (x < 0x10000) {
    out.push_back(252);
    put_le(out, x, 2);
  } else if (x < 0x1000000) {
    out.push_back(253);
    put_le(out, x, 3);
  } else {
    out.push_back(254);
    put_le(out, x, 8);
  }
}

inline void put_bytes(bytes& out, const bytes& more) {
  out.insert(out.end(), more.begin(), more.end());
}

inline void put_str(bytes& out, std::string_view s) {
  out.insert(out.end(), s.begin(), s.end());
}

/// Recomputes the CRC32 in the last four bytes of a whole event.
inline void reseal(bytes& event) {
  auto crc = binlog::crc32(event.data(), event.size() - 4);
  for (size_t i = 0; i < 4; ++i)
    event[event.size() - 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
}

/// A whole v4 event: common header, `body`, and a CRC32 if `checksum`.
inline bytes make_event(uint8_t type, const bytes& body, bool checksum = true,
                        uint32_t timestamp = 1700000000,
                        uint32_t server_id = 1) {
  bytes ev;
  uint32_t size = static_cast<uint32_t>(19 + body.size() + (checksum ? 4 : 0));
  put_le(ev, timestamp, 4);
  ev.push_back(type);
  put_le(ev, server_id, 4);
  put_le(ev, size, 4);
  put_le(ev, 0, 4); // log_pos: the decoder does not rely on it
  put_le(ev, 0, 2);
  put_bytes(ev, body);
  if (checksum) {
    put_le(ev, 0, 4);
    reseal(ev);
  }
  return ev;
}

/// The bytes of the event at `offset` of a file (its length from the
/// header).
inline bytes event_at(const bytes& file, size_t offset) {
  uint32_t size = static_cast<uint32_t>(file[offset + 9])
                  | (static_cast<uint32_t>(file[offset + 10]) << 8)
                  | (static_cast<uint32_t>(file[offset + 11]) << 16)
                  | (static_cast<uint32_t>(file[offset + 12]) << 24);
  return bytes(file.begin() + static_cast<long>(offset),
               file.begin() + static_cast<long>(offset + size));
}

/// A binlog file: the magic number, then whole events.
struct binlog_bytes {
  bytes data;

  // Assigned, not brace-initialized: GCC 12 warns of its own
  // initializer_list copy as "maybe uninitialized" at -O2.
  binlog_bytes() {
    static constexpr uint8_t magic[] = {0xfe, 'b', 'i', 'n'};
    data.assign(std::begin(magic), std::end(magic));
  }

  /// Appends an event and returns its offset.
  size_t add(const bytes& event) {
    auto at = data.size();
    put_bytes(data, event);
    return at;
  }
};

/// The FORMAT_DESCRIPTION of a real MySQL 8.0.32 binlog with CRC32
/// (../shared/fixtures/binlogs/transaction_compression.000001).
inline bytes mysql8_fde() {
  return event_at(read_bytes(fixture_path("transaction_compression.000001")),
                  4);
}

/// The FORMAT_DESCRIPTION of a real MariaDB 10.11 binlog with CRC32.
inline bytes mariadb_fde() {
  return event_at(read_bytes(data_path("mariadb_compressed.000001")), 4);
}

/// A TABLE_MAP body (6-byte table id, as every server since 5.1 writes).
/// `meta` is the packed per-column metadata, `optional` the optional
/// metadata fields (type, packed length, value) already encoded.
inline bytes table_map_body(uint64_t table_id, std::string_view db,
                            std::string_view table, const bytes& types,
                            const bytes& meta, const bytes& optional = {},
                            uint8_t null_bits = 0xff) {
  bytes b;
  put_le(b, table_id, 6);
  put_le(b, 1, 2); // flags
  b.push_back(static_cast<uint8_t>(db.size()));
  put_str(b, db);
  b.push_back(0);
  b.push_back(static_cast<uint8_t>(table.size()));
  put_str(b, table);
  b.push_back(0);
  put_packed(b, types.size());
  put_bytes(b, types);
  put_packed(b, meta.size());
  put_bytes(b, meta);
  for (size_t i = 0; i < (types.size() + 7) / 8; ++i)
    b.push_back(null_bits);
  put_bytes(b, optional);
  return b;
}

/// An optional metadata field of a TABLE_MAP.
inline bytes optional_field(uint8_t type, const bytes& value) {
  bytes b{type};
  put_packed(b, value.size());
  put_bytes(b, value);
  return b;
}

/// COLUMN_NAME optional metadata.
inline bytes column_names(const std::vector<std::string>& names) {
  bytes v;
  for (auto& n : names) {
    put_packed(v, n.size());
    put_str(v, n);
  }
  return optional_field(4, v);
}

/// A rows event body. `v2` adds the extra-data length (and `extra`);
/// `images` is the row data: for each row its null bitmap and values.
inline bytes rows_body(uint64_t table_id, size_t width, bool v2, bool update,
                       const bytes& images, const bytes& extra = {}) {
  bytes b;
  put_le(b, table_id, 6);
  put_le(b, 1, 2); // STMT_END_F
  if (v2) {
    put_le(b, 2 + extra.size(), 2);
    put_bytes(b, extra);
  }
  put_packed(b, width);
  for (int i = 0; i < (update ? 2 : 1); ++i)
    for (size_t j = 0; j < (width + 7) / 8; ++j)
      b.push_back(0xff); // every column present
  put_bytes(b, images);
  return b;
}

/// A QUERY event's body (no header, no checksum) as MySQL writes it.
inline bytes query_body(std::string_view db, std::string_view query) {
  bytes b;
  put_le(b, 7, 4); // thread id
  put_le(b, 0, 4); // execution time
  b.push_back(static_cast<uint8_t>(db.size()));
  put_le(b, 0, 2); // error code
  put_le(b, 0, 2); // status variables length
  put_str(b, db);
  b.push_back(0);
  put_str(b, query);
  return b;
}

/// A MySQL 8 GTID event's body for 10111213-1415-1617-1819-1a1b1c1d1e1f:gno.
inline bytes gtid_body(uint64_t gno) {
  bytes b{1};
  for (int i = 0; i < 16; ++i)
    b.push_back(static_cast<uint8_t>(0x10 + i));
  put_le(b, gno, 8);
  b.push_back(2); // logical timestamps
  put_le(b, 0, 8);
  put_le(b, 1, 8);
  return b;
}

/// test.t (id INT primary key, name VARCHAR(20) utf8mb4) as table id 42.
inline bytes test_table_map() {
  bytes optional = column_names({"id", "name"});
  put_bytes(optional, optional_field(8, {0}));   // simple primary key
  put_bytes(optional, optional_field(2, {255})); // default charset
  return table_map_body(42, "test", "t", {3, 15}, {80, 0}, optional);
}

/// A row image of test.t.
inline bytes test_row(uint32_t id, std::string_view name) {
  bytes b{0}; // null bitmap
  put_le(b, id, 4);
  b.push_back(static_cast<uint8_t>(name.size()));
  put_str(b, name);
  return b;
}

/// A column of `type` as a table map describes it.
inline binlog::column col(uint8_t type, uint16_t meta = 0,
                          bool is_unsigned = false, uint32_t collation = 0) {
  binlog::column c;
  c.type = type;
  c.meta = meta;
  c.is_unsigned = is_unsigned;
  c.collation = collation;
  return c;
}

/// Hex, so that a failed check shows the bytes.
inline std::string hex(const bytes& b) {
  return binlog::to_hex({reinterpret_cast<const char*>(b.data()), b.size()});
}

inline std::string hex(const std::string& s) {
  return binlog::to_hex(s);
}

} // namespace b2k::test
