#pragma once

// The records that `run` sends and `dump` prints: topic, key and a
// Debezium-shaped value (design.md, "Records").

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "binlog/column_value.hpp"
#include "binlog/error.hpp"
#include "binlog/event.hpp"
#include "binlog/position.hpp"
#include "binlog/table_map.hpp"

namespace binlog {

namespace avro {
class registry;
class subjects;
struct subjects_entry;
} // namespace avro

/// One column's place in a decoded row image.
struct value_slot {
  enum state_type : uint8_t { absent, null, present };
  const uint8_t* data = nullptr;
  uint32_t size = 0;
  state_type state = absent;
};

/// `source.version`: ours, in the shape of Debezium's "2.5.0.Final", so
/// that a consumer that splits it finds numbers first.
constexpr std::string_view source_version = "0.1.0.binlog2kafka";

/// Kafka refuses longer topic names.
constexpr size_t max_topic_length = 249;

/// `name` with every character Kafka does not allow in a topic name (it
/// allows ASCII letters, digits, '.', '_' and '-') replaced by '_', one
/// '_' per UTF-8 character, as Debezium does.
std::string kafka_topic_name(std::string_view name);

/// What the decoder knows about a table, cached per table id.
struct table_info {
  table_map map;
  /// The TABLE_MAP body it was parsed from, to skip re-parsing repeats.
  std::string raw;
  std::string topic;
  /// `"name":` for every column, escaped once.
  std::vector<std::string> name_keys;
  /// The columns written in `before` and `after`, in table order: all but
  /// those exclude-columns names.
  std::vector<uint32_t> value_columns;
  /// `"db":"…","sequence":null,"table":"…"` for the source block.
  std::string source_names;
  /// "db.table": the partition key of rows without a primary key, the
  /// name filters match and the data_collection of transaction metadata.
  std::string qualified_name;
  /// With schemas on: `{"schema":…,"payload":` of the key and of the value
  /// (JsonConverter's form), made from the table map, so that a new map
  /// after a schema change gives the new schema without parsing DDL.
  std::string key_schema;
  std::string value_schema;
  /// With format avro: the Avro schemas (and registry ids) of the key and
  /// the value, owned by the encoder; no key schema without a primary key.
  const avro::subjects_entry* avro_key = nullptr;
  const avro::subjects_entry* avro_value = nullptr;
  /// Rows of this table are framed but not encoded: a system schema (run)
  /// or a table the include/exclude filters leave out.
  bool skipped = false;
  /// The decoder warned that this table's row images are partial.
  bool partial_warned = false;
  /// Where this table counts its rows in the open transaction
  /// (data_collection_order): valid while txn_serial is the decoder's.
  uint64_t txn_serial = 0;
  uint32_t txn_slot = 0;
  /// Where the decoder counts this table's rows (decoder::table_rows()):
  /// an index, so that counting costs no lookup per rows event.
  uint32_t rows_slot = 0;
};

/// How keys and values are serialized: JSON text, or Avro in the
/// Confluent wire format with schemas in a schema registry.
enum class record_format : uint8_t { json, avro };

/// Settings that shape records. The defaults give row changes only; `run`
/// and `dump` default to tombstones and the schema-change topic on
/// (config/settings.hpp has their defaults).
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
  /// A tombstone (same key, null value) after each delete of a table with
  /// a primary key, so that log compaction can drop the key.
  bool tombstones = false;
  /// Topic of schema-change records (DDL); `{prefix}` is replaced; none
  /// when empty.
  std::string schema_topic;
  /// Topic of transaction BEGIN/END records; `{prefix}` is replaced; none
  /// when empty.
  std::string transaction_topic;
  /// Regular expressions (ECMAScript, case-insensitive) matched against the
  /// whole name: databases, "db.table" and "db.table.column". Empty include
  /// lists include everything; an exclude match wins over an include.
  std::vector<std::string> include_databases;
  std::vector<std::string> exclude_databases;
  std::vector<std::string> include_tables;
  std::vector<std::string> exclude_tables;
  std::vector<std::string> exclude_columns;
  /// How column values are written: value-mode and Debezium's options.
  value_options values;
  /// JsonConverter's schemas.enable=true form for keys and values:
  /// {"schema":…,"payload":…} (value mode debezium only).
  bool schemas = false;
  /// avro: keys and values in Avro (Confluent's wire format: magic byte 0,
  /// the schema id in 4 bytes big-endian, the Avro binary), their schemas
  /// made from the Connect schemas of the JSON form and registered in
  /// `registry` under <topic>-key and <topic>-value (value mode debezium,
  /// schemas off).
  record_format format = record_format::json;
  std::shared_ptr<avro::registry> registry;
};

/// Checks the patterns and fixed topic names of `options`: errc::bad_value
/// with one line starting with the option's name, e.g.
/// "include-tables: 'shop.(' is not a regular expression (...)".
error check_record_options(const record_options& options);

/// What a record is.
enum class record_kind : uint8_t {
  change,        // a row change of a table
  tombstone,     // the null value after a delete
  schema_change, // a DDL statement, on the schema-change topic
  transaction,   // a transaction's BEGIN or END, on the transaction topic
};

/// A Kafka record header.
struct record_header {
  std::string_view name;
  std::string_view value;
};

/// The headers of the records of a primary-key change, as Debezium names
/// them: the delete (and its tombstone) names the new key, the create the
/// old one.
constexpr std::string_view newkey_header = "__debezium.newkey";
constexpr std::string_view oldkey_header = "__debezium.oldkey";

/// A record as the sink receives it: views into the decoder's buffers,
/// valid until the sink returns.
struct row_record {
  record_kind kind = record_kind::change;
  std::string_view topic;
  /// JSON object of the primary-key columns; empty for a null key.
  std::string_view key;
  /// The value's JSON; a tombstone has none (a null value in Kafka).
  std::string_view value;
  /// "db.table" for tables without a primary key, so a partition can be
  /// chosen that keeps their order.
  std::string_view partition_key;
  /// "db.table" of a row change or tombstone; empty for other records.
  std::string_view table;
  /// Kafka headers; most records have none.
  const record_header* headers = nullptr;
  size_t header_count = 0;
  /// The start of the transaction holding this record, and how many of its
  /// rows are complete once this record is delivered: released up to here,
  /// a restart resumes at {txn.file, txn.pos, skip_rows = row_in_txn}.
  /// A row's number counts from 1; a delete followed by its tombstone
  /// counts as complete only with the tombstone, so that a restart between
  /// the two sends both again rather than lose the tombstone.
  const position* txn = nullptr;
  uint64_t row_in_txn = 0;

  bool null_value() const {
    return kind == record_kind::tombstone;
  }
};

/// The rows a transaction sent for one table, for its END record.
struct collection_count {
  std::string name; // "db.table"
  uint64_t events = 0;
};

struct record_filter;

/// Builds topic, key and value of records into reused buffers.
class record_encoder {
public:
  /// An encoder for `options`, or what check_record_options finds wrong
  /// with them. With format avro, the schemas of the schema-change and
  /// transaction topics are registered here (errors as prepare's).
  static expected<record_encoder> make(record_options options);
  ~record_encoder();
  record_encoder(record_encoder&&) noexcept;
  record_encoder& operator=(record_encoder&&) noexcept;

  const record_options& options() const {
    return options_;
  }

  /// Fills the cached, per-table parts of `info` from its table map and
  /// applies the filters. Fails (errc::unsupported) when the table cannot
  /// be sent: its topic name is too long for Kafka. With format avro it
  /// registers the table's schemas if they are new (errc::connection when
  /// the registry cannot be reached, errc::registry when it refuses them);
  /// `with_schemas` false leaves schemas out, for a look at the filters.
  error prepare(table_info& info, bool with_schemas = true) const;

  /// With format avro: what went wrong turning a record into Avro, which
  /// only a bug can cause (the payload and the schema come from the same
  /// table map). The record is then empty.
  const error& failure() const {
    return failure_;
  }

  /// Whether schema changes of database `db` are sent (system schemas and
  /// the database filters).
  bool database_included(std::string_view db) const;

  /// Whether rows of table `db`.`table` are sent (system schemas and the
  /// database and table filters).
  bool table_included(std::string_view db, std::string_view table) const;

  /// The schema-change and transaction topics; empty when off.
  const std::string& schema_topic() const {
    return schema_topic_;
  }
  const std::string& transaction_topic() const {
    return transaction_topic_;
  }

  /// Per rows event: the constant parts of the source and transaction
  /// blocks. `thread` is the session's thread id, or negative if unknown.
  void begin_event(const event_header& header, const std::string& file,
                   uint64_t event_offset, const std::string& gtid,
                   const std::string& transaction_id, int64_t thread,
                   const table_info& table, row_op op);

  /// Encodes one row change. Either image may be null (insert, delete).
  /// `total_order` and `collection_order` place it in its transaction,
  /// counting from 1.
  void encode(const table_info& table, uint32_t row_in_event,
              uint64_t total_order, uint64_t collection_order,
              const std::vector<value_slot>* before,
              const std::vector<value_slot>* after);

  /// Encodes a snapshot's read of a row as Debezium does: op "r", before
  /// null, transaction null, source.snapshot = `snapshot` ("true", "first",
  /// "last", "incremental"), source file/pos where the stream stood when the
  /// row was sent; ts_ms is when it was read. With format avro, key and
  /// value are still JSON payloads, so that the caller can patch the
  /// source position in: avro_record then makes them Avro.
  void encode_read(const table_info& table, const std::vector<value_slot>& row,
                   uint64_t ts_ms, uint32_t server_id, const std::string& file,
                   uint64_t pos, std::string_view snapshot);

  /// With format avro: the JSON payloads `key` (empty for a null key) and
  /// `value` of a row of `table` (from encode_read) in the wire format.
  error avro_record(const table_info& table, std::string& key,
                    std::string& value);

  /// Whether an update changes the primary key (its key, as encoded,
  /// differs), so that it is sent as Debezium sends it: a delete of the old
  /// key, its tombstone, a create of the new key.
  bool key_changed(const table_info& table,
                   const std::vector<value_slot>& before,
                   const std::vector<value_slot>& after);

  /// The records of such an update: the delete (op "d", the before image,
  /// keyed by the old key, header __debezium.newkey) or the create (op "c",
  /// the after image, keyed by the new key, header __debezium.oldkey). Each
  /// counts as an event of its transaction, as in Debezium.
  enum class key_change_part : uint8_t { remove, create };
  void encode_key_change(key_change_part part, const table_info& table,
                         uint32_t row_in_event, uint64_t total_order,
                         uint64_t collection_order,
                         const std::vector<value_slot>& before,
                         const std::vector<value_slot>& after);

  /// Encodes a schema change: key {"databaseName"}, value in the shape of
  /// Debezium's schema change events. `statement` is UTF-8.
  void encode_schema_change(const event_header& header, const std::string& file,
                            uint64_t event_offset, const std::string& gtid,
                            int64_t thread, std::string_view database,
                            std::string_view statement);

  /// Encodes a transaction's BEGIN record.
  void encode_transaction_begin(const std::string& transaction_id,
                                uint64_t ts_ms);

  /// Encodes a transaction's END record with its event counts.
  void encode_transaction_end(const std::string& transaction_id, uint64_t ts_ms,
                              uint64_t events,
                              const collection_count* collections,
                              size_t collection_count);

  std::string_view key() const {
    return key_;
  }
  std::string_view value() const {
    return value_;
  }
  /// The headers of the record just encoded (and of the tombstone after
  /// it): none but for a key change.
  const record_header* headers() const {
    return header_count_ > 0 ? &header_ : nullptr;
  }
  size_t header_count() const {
    return header_count_;
  }

private:
  /// `options` passed check_record_options.
  explicit record_encoder(record_options options);

  void write_image(const table_info& table,
                   const std::vector<value_slot>& image);
  /// The key's JSON payload (without a schema) from `after`, or from
  /// `before` for columns `after` lacks; in a header's form (Kafka
  /// Connect's SimpleHeaderConverter) if `Header`.
  template <bool Header = false>
  void write_key(std::string& out, const table_info& table,
                 const std::vector<value_slot>* before,
                 const std::vector<value_slot>* after) const;
  /// The value of a row change with op `op` ('c', 'u' or 'd').
  void write_change(const table_info& table, char op, uint32_t row_in_event,
                    uint64_t total_order, uint64_t collection_order,
                    const std::vector<value_slot>* before,
                    const std::vector<value_slot>* after);
  /// A transaction record's key, and its value's schema (if any).
  void start_transaction_record(const std::string& transaction_id);
  /// table.key_schema and table.value_schema, from its table map.
  void write_table_schemas(table_info& table) const;
  /// The source block up to its `"row":`.
  void write_source_head(std::string& out, uint64_t ts_ms,
                         std::string_view names, const event_header& header,
                         const std::string& gtid, const std::string& file,
                         uint64_t event_offset,
                         std::string_view snapshot = {}) const;
  /// The source block after its row number.
  void write_source_tail(std::string& out, int64_t thread) const;
  /// Registers the Avro schema made from `connect` (JsonConverter's
  /// `{"schema":…,"payload":` prefix) under `subject`.
  expected<const avro::subjects_entry*>
  avro_schema(const std::string& subject, std::string_view connect) const;
  /// With format avro: key_ and value_ (JSON payloads) in the wire format.
  void to_avro(const avro::subjects_entry* key,
               const avro::subjects_entry* value);

  record_options options_;
  /// Connect schemas are made: schemas on, or format avro.
  bool connect_schemas_ = false;
  std::unique_ptr<record_filter> filter_;
  std::unique_ptr<avro::subjects> subjects_;
  const avro::subjects_entry* avro_schema_change_[2] = {};
  const avro::subjects_entry* avro_transaction_[2] = {};
  std::string avro_out_;
  error failure_;
  std::string schema_topic_;
  std::string transaction_topic_;
  std::string key_;
  std::string value_;
  std::string key_payload_;
  std::string other_key_; // the other key of a key change (its header)
  record_header header_;
  size_t header_count_ = 0;
  char event_op_ = 'c';     // of the rows event begun
  std::string source_head_; // `,"op":…,"ts_ms":…,"source":{…,"row":`
  std::string source_tail_; // `,"thread":…},"transaction":{…"total_order":`
};

/// Appends the source block's position fields, `"file":F,"pos":P`, as every
/// record writes them (snapshot records get theirs afterwards:
/// chunk_records).
void write_source_position(std::string& out, std::string_view file,
                           uint64_t pos);

/// Where the source.snapshot "true" that encode_read wrote is in a snapshot
/// record's encoded `value` (json or avro): the offset of the four bytes
/// that "last" may replace in place; npos if `value` has none. Columns may
/// hold the same text, so the search is for the source block's.
size_t snapshot_mark_offset(std::string_view value, record_format format);

} // namespace binlog
