#pragma once

// Helpers for the record suites (records*.cpp): decode a binlog with given
// record options and keep every record as the sink saw it, raw.

#include <string>
#include <vector>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "binlog_test.hpp"
#include "messages/record_batch.hpp"

namespace b2k::test {

/// One record as the sink saw it, its JSON kept as written.
struct raw_record {
  binlog::record_kind kind = binlog::record_kind::change;
  std::string topic;
  std::string key;   // empty: null key
  std::string value; // empty with null_value: a tombstone
  bool null_value = false;
  std::string partition_key;
  binlog::position txn;
  uint64_t row_in_txn = 0;
  std::vector<std::pair<std::string, std::string>> headers;

  json parsed() const {
    return null_value ? json{} : json::parse(value);
  }
  /// A field of the value, by value (a reference into parsed() would not
  /// outlive a CAF_CHECK's argument).
  json at(std::initializer_list<const char*> path) const {
    auto v = parsed();
    for (auto key : path) {
      json inner = v[key];
      v = std::move(inner);
    }
    return v;
  }
  /// As `dump` prints it (header values unescaped).
  std::string line() const {
    std::string h;
    for (auto& [name, text] : headers)
      h += (h.empty() ? R"(,"headers":{")" : R"(,")") + name + R"(":")" + text
           + '"';
    if (!h.empty())
      h += '}';
    return R"({"topic":")" + topic + R"(","key":)"
           + (key.empty() ? std::string{"null"} : key) + R"(,"value":)"
           + (null_value ? std::string{"null"} : value) + h + "}";
  }
};

struct raw_sink : binlog::record_sink {
  std::vector<raw_record> records;
  std::vector<binlog::position> ends;
  /// For each transaction end: how many records came before it.
  std::vector<size_t> ends_after;

  void on_record(const binlog::row_record& rec) override {
    raw_record r;
    r.kind = rec.kind;
    r.topic = std::string{rec.topic};
    r.key = std::string{rec.key};
    r.value = std::string{rec.value};
    r.null_value = rec.null_value();
    r.partition_key = std::string{rec.partition_key};
    if (rec.txn != nullptr)
      r.txn = *rec.txn;
    r.row_in_txn = rec.row_in_txn;
    for (size_t i = 0; i < rec.header_count; ++i)
      r.headers.emplace_back(rec.headers[i].name, rec.headers[i].value);
    records.push_back(std::move(r));
  }

  void on_transaction_end(const binlog::position& next) override {
    ends.push_back(next);
    ends_after.push_back(records.size());
  }
};

/// Decodes a whole file (or from `start`, skipping `skip_rows`) with
/// `options`.
struct recorded {
  raw_sink sink;
  binlog::error err;
  binlog::decoder_stats stats;

  recorded(const std::string& path, const binlog::record_options& options,
           uint64_t start = 4, uint64_t skip_rows = 0) {
    auto encoder = binlog::record_encoder::make(options);
    if (!encoder) {
      err = encoder.error();
      return;
    }
    binlog::decoder dec{std::move(*encoder), sink};
    err = binlog::decode_file(path, dec, start, skip_rows);
    stats = dec.stats();
  }

  const std::vector<raw_record>& records() const {
    return sink.records;
  }

  /// The records of one kind.
  std::vector<raw_record> of(binlog::record_kind kind) const {
    std::vector<raw_record> out;
    for (auto& r : sink.records)
      if (r.kind == kind)
        out.push_back(r);
    return out;
  }

  /// Every record as `dump` prints it.
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (auto& r : sink.records)
      out.push_back(r.line());
    return out;
  }

  /// The records whose position is transaction `pos`.
  std::vector<raw_record> in_transaction(uint64_t pos) const {
    std::vector<raw_record> out;
    for (auto& r : sink.records)
      if (r.txn.pos == pos)
        out.push_back(r);
    return out;
  }
};

/// `batch` after CAF's binary serialization and back, as it crosses nodes.
inline b2k::record_batch serialized_copy(b2k::record_batch batch) {
  std::vector<char> buf;
  caf::binary_serializer out{nullptr, buf};
  CAF_REQUIRE(!out(batch));
  b2k::record_batch copy;
  caf::binary_deserializer in{nullptr, buf};
  CAF_REQUIRE(!in(copy));
  return copy;
}

/// Restarts decoding of `path` at every record of `full` (its transaction's
/// position and row) and checks that the records after it come, in order,
/// and nothing is lost: what comes is a tail of `full` that starts at most
/// `repeats` records before the next one, and right after the record when
/// `covered(i)` says its position covers it.
template <class Covered>
void check_restarts(const recorded& full, const std::string& path,
                    const binlog::record_options& o, size_t repeats,
                    Covered covered) {
  auto all = full.lines();
  auto& recs = full.records();
  for (size_t i = 0; i < recs.size(); ++i) {
    auto& r = recs[i];
    recorded again{path, o, r.txn.pos, r.row_in_txn};
    CAF_REQUIRE_EQUAL(again.err.message, "");
    auto got = again.lines();
    CAF_REQUIRE_LESS_OR_EQUAL(got.size(), all.size());
    auto from = all.size() - got.size();
    std::vector<std::string> tail(all.begin() + static_cast<long>(from),
                                  all.end());
    bool ok = got == tail && from <= i + 1 && from + repeats >= i
              && (!covered(i) || from == i + 1);
    if (!ok)
      CAF_FAIL("restart after record " << i << " (" << r.line() << ") at skip "
                                       << r.row_in_txn << " sent " << got.size()
                                       << " records, from " << from);
  }
}

/// tests/data/mariadb_records.000001 (make_mariadb_records.sh).
inline std::string records_fixture() {
  return data_path("mariadb_records.000001");
}

/// The options `run` starts from: tombstones and the schema topic on.
inline binlog::record_options run_defaults() {
  binlog::record_options o;
  o.tombstones = true;
  o.schema_topic = "{prefix}";
  o.skip_system_schemas = true;
  return o;
}

/// The source block of a record of the fixture, as the encoder writes it.
/// An empty `table` is a schema change's null table; `thread` is the JSON
/// of the thread id (MariaDB's rows events name none).
inline std::string fixture_source(const std::string& db,
                                  const std::string& table, uint64_t pos,
                                  uint64_t row, const std::string& gtid,
                                  const std::string& thread = "null") {
  return R"({"version":"0.1.0.binlog2kafka","connector":"mysql",)"
         R"("name":"binlog2kafka","ts_ms":1700000000000,"snapshot":"false",)"
         R"("db":")"
         + db + R"(","sequence":null,"table":)"
         + (table.empty() ? std::string{"null"} : "\"" + table + "\"")
         + R"(,"server_id":1,"gtid":")" + gtid
         + R"(","file":"mariadb_records.000001","pos":)" + std::to_string(pos)
         + R"(,"row":)" + std::to_string(row) + R"(,"thread":)" + thread
         + R"(,"query":null})";
}

} // namespace b2k::test
