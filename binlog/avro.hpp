#pragma once

// Avro records in the Confluent wire format (design.md, "Records"): Avro
// schemas made from the Kafka Connect schemas of the JSON form as
// Confluent's AvroConverter makes them (so that they are the schemas
// Debezium with AvroConverter registers), values encoded from the
// JsonConverter payload, and the ids a schema registry gives them.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "binlog/error.hpp"

namespace binlog::avro {

/// One node of an Avro schema made from a Kafka Connect schema: what the
/// encoder needs to write a value of it.
struct node {
  enum kind_type : uint8_t {
    boolean,
    int_,
    long_,
    float_,
    double_,
    bytes, // base64 text in the JSON payload
    string,
    record,
    array,
  };
  kind_type kind = string;
  /// A union with null: ["null", T], or [T, "null"] when the Connect
  /// schema has a default value.
  bool optional = false;
  bool null_first = true;
  /// record: the JSON payload's field names and their nodes, in order.
  std::vector<std::pair<std::string, std::shared_ptr<const node>>> fields;
  /// array: its items.
  std::shared_ptr<const node> items;
};

/// An Avro schema made from a Connect schema.
struct schema {
  std::shared_ptr<const node> root;
  /// The Avro schema's JSON, as registered.
  std::string text;
};

/// The Avro schema of a Connect schema in JsonConverter's JSON form
/// (`{"type":"struct","fields":[...],"name":...}`), made as Confluent's
/// AvroData makes it with its defaults: structs are records named after
/// the Connect name (namespace up to its last '.'), optional schemas are
/// unions with null (default null), int8/int16 are ints with connect.type,
/// Connect's Decimal is bytes with logicalType decimal, Date, Time and
/// Timestamp have their logical types, and connect.name, connect.version,
/// connect.parameters and connect.default keep the Connect schema's
/// metadata. Names are made valid Avro names as Debezium's
/// schema.name.adjustment.mode=avro does (every other character becomes
/// '_'). errc::bad_value if the text is not such a schema.
expected<schema> from_connect(std::string_view connect_schema);

/// `name` with every character Avro does not allow in a name replaced by
/// '_' (and a leading digit too).
std::string adjust_name(std::string_view name);

/// Appends Avro's binary encoding of the JSON `payload` (JsonConverter's
/// form: bytes as base64) under `root`. errc::bad_value if the payload does
/// not fit the schema.
error encode(const node& root, std::string_view payload, std::string& out);

/// Appends `value` as Avro's zigzag variable-length long (int and long
/// share it).
void write_long(std::string& out, int64_t value);

/// Appends the Confluent wire format's header: magic byte 0, then the
/// schema id as 4 bytes big-endian.
void write_header(std::string& out, int32_t schema_id);

/// Where schemas are registered. Implementations name the registry, the
/// subject and its answer in their one-line errors: errc::connection when
/// the registry cannot be reached (the reader retries), errc::registry
/// when it refuses the schema (incompatible, invalid: fatal).
class registry {
public:
  virtual ~registry();
  /// The id of `avro_schema` under `subject`, registered if new.
  virtual expected<int32_t> register_schema(const std::string& subject,
                                            const std::string& avro_schema) = 0;
};

/// A schema of a subject: the Connect schema it was made from, the Avro
/// schema's root and its id in the registry.
struct subjects_entry {
  std::string connect_schema;
  std::shared_ptr<const node> root;
  int32_t id = 0;
};

/// The Avro schemas and ids of one encoder's subjects: a Connect schema
/// is converted and registered once per subject (a new table map with the
/// same columns costs a string compare), a changed one registers a new
/// version.
class subjects {
public:
  explicit subjects(std::shared_ptr<registry> registry)
    : registry_(std::move(registry)) {
  }

  using entry = subjects_entry;

  /// The entry of `connect_schema` under `subject`, converted and
  /// registered if it is new there.
  expected<const entry*> resolve(const std::string& subject,
                                 std::string_view connect_schema);

private:
  std::shared_ptr<registry> registry_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<entry>>>
    by_subject_;
};

} // namespace binlog::avro
