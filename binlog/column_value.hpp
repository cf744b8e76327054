#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "binlog/json_writer.hpp"
#include "binlog/table_map.hpp"

namespace binlog {

/// The two value modes of design.md ("Records"): `debezium`, every value as
/// Debezium's MySQL connector writes it with JsonConverter (shaped by its
/// options below), and `readable` (strings for decimals, dates and times).
enum class value_mode : uint8_t { debezium, readable };

/// Debezium's decimal.handling.mode: precise (Kafka Connect's Decimal, the
/// unscaled value's two's-complement bytes in base64), string, double.
enum class decimal_handling : uint8_t { precise, string, double_ };

/// Debezium's time.precision.mode: adaptive_time_microseconds (DATE as
/// epoch days, DATETIME as epoch ms or µs by its precision, TIME as µs) or
/// connect (Kafka Connect's Date, Timestamp in ms, Time in ms of the day).
enum class time_precision : uint8_t { adaptive_time_microseconds, connect };

/// Debezium's bigint.unsigned.handling.mode: long (a signed 64-bit number,
/// so values from 2^63 on wrap to negative) or precise (Decimal(20,0)).
enum class bigint_unsigned_handling : uint8_t { long_, precise };

/// Debezium's binary.handling.mode: bytes (base64 in JSON, a `bytes`
/// schema), base64, base64-url-safe, hex.
enum class binary_handling : uint8_t { bytes, base64, base64_url_safe, hex };

/// How column values are written; the defaults are Debezium's.
struct value_options {
  value_mode mode = value_mode::debezium;
  decimal_handling decimal = decimal_handling::precise;
  time_precision time = time_precision::adaptive_time_microseconds;
  bigint_unsigned_handling bigint_unsigned = bigint_unsigned_handling::long_;
  binary_handling binary = binary_handling::bytes;
};

/// Parse the options' names as Debezium spells them ("precise",
/// "adaptive_time_microseconds", "base64-url-safe", ...); false for any
/// other text.
bool parse(std::string_view text, value_mode& out);
bool parse(std::string_view text, decimal_handling& out);
bool parse(std::string_view text, time_precision& out);
bool parse(std::string_view text, bigint_unsigned_handling& out);
bool parse(std::string_view text, binary_handling& out);

/// Finds how many bytes the value of `col` at `p` takes. Returns false if
/// the value does not fit before `end` or the metadata is impossible.
bool value_size(const column& col, const uint8_t* p, const uint8_t* end,
                size_t& size);

/// Writes the JSON value of `col` (design.md, "Records") for the `size`
/// bytes at `p` that value_size measured.
void write_value(json_writer& out, const column& col, const uint8_t* p,
                 size_t size, const value_options& options);

/// Writes the value of `col` as Kafka Connect's SimpleHeaderConverter
/// writes it inside a key's struct, the form of Debezium's
/// __debezium.oldkey/newkey headers: as write_value, but strings quoted with
/// only `"` and `\` escaped, Decimals (precise) as Java's BigDecimal text,
/// Connect's Date, Time and Timestamp as its date formats.
void write_header_value(json_writer& out, const column& col, const uint8_t* p,
                        size_t size, const value_options& options);

/// Appends the Kafka Connect schema of `col`'s values under `options` as
/// JsonConverter writes it (schemas.enable=true), with Debezium's names
/// (io.debezium.time.*, org.apache.kafka.connect.data.Decimal, ...), up to
/// and without the closing brace, so that the caller can add "field".
void append_value_schema(std::string& out, const column& col,
                         const value_options& options);

} // namespace binlog
