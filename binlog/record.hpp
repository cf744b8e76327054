#pragma once

// The records that `run` sends and `dump` prints: topic, key and a
// Debezium-shaped value (design.md, "Records").

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "binlog/event.hpp"
#include "binlog/position.hpp"
#include "binlog/table_map.hpp"

namespace binlog {

/// One column's place in a decoded row image.
struct value_slot {
  enum state_type : uint8_t { absent, null, present };
  const uint8_t* data = nullptr;
  uint32_t size = 0;
  state_type state = absent;
};

/// What the decoder knows about a table, cached per table id.
struct table_info {
  table_map map;
  /// The TABLE_MAP body it was parsed from, to skip re-parsing repeats.
  std::string raw;
  std::string topic;
  /// `"name":` for every column, escaped once.
  std::vector<std::string> name_keys;
  /// `"db":"…","table":"…"` for the source block.
  std::string source_names;
  /// "db.table": the partition key of rows without a primary key.
  std::string qualified_name;
  /// Rows of this table are decoded but not emitted (system schemas).
  bool skipped = false;
};

/// Settings that shape records.
struct record_options {
  /// The source name: the default topic prefix and `source.name`.
  std::string name = "binlog2kafka";
  /// Topic template; `{prefix}`, `{db}` and `{table}` are replaced.
  std::string topic_template = "{prefix}.{db}.{table}";
  /// Defaults to `name` when empty.
  std::string topic_prefix;
  /// Skip mysql, sys, information_schema and performance_schema (run does,
  /// dump does not).
  bool skip_system_schemas = false;
};

/// A record as the sink receives it: views into the decoder's buffers,
/// valid until the sink returns.
struct row_record {
  std::string_view topic;
  /// JSON object of the primary-key columns; empty for a null key.
  std::string_view key;
  std::string_view value;
  /// "db.table" for tables without a primary key, so a partition can be
  /// chosen that keeps their order.
  std::string_view partition_key;
  /// The start of the transaction holding this row, and the row's number in
  /// that transaction counting from 1: released up to here, a restart resumes
  /// at {txn.file, txn.pos, skip_rows = row_in_txn}.
  const position* txn = nullptr;
  uint64_t row_in_txn = 0;
};

/// Builds topic, key and value of row changes into reused buffers.
class record_encoder {
public:
  explicit record_encoder(record_options options);

  const record_options& options() const {
    return options_;
  }

  /// Fills the cached, per-table parts of `info` from its table map.
  void prepare(table_info& info) const;

  /// Per rows event: the constant parts of the source block.
  void begin_event(const event_header& header, const std::string& file,
                   uint64_t event_offset, const std::string& gtid,
                   const table_info& table, row_op op);

  /// Encodes one row change. Either image may be null (insert, delete).
  void encode(const table_info& table, uint32_t row_in_event,
              const std::vector<value_slot>* before,
              const std::vector<value_slot>* after);

  std::string_view key() const {
    return key_;
  }
  std::string_view value() const {
    return value_;
  }

private:
  void write_image(const table_info& table,
                   const std::vector<value_slot>& image);

  record_options options_;
  std::string key_;
  std::string value_;
  std::string source_head_; // `"ts_ms":…,"source":{"name":…,…,"pos":N,`
  std::string source_tail_; // `"gtid":…,"db":…,"table":…,"ts_ms":…},…}`
  const char* op_ = "\"c\"";
};

} // namespace binlog
