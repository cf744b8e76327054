#pragma once

// Marks of snapshot records that change their length ("true" -> "first"),
// set where the records are merged (actors/reader.cpp); the in-place
// "last" is record.hpp's snapshot_mark_offset.

#include <string>
#include <string_view>

#include "binlog/record.hpp"

namespace binlog {

/// Appends `value` to `out` with its source.snapshot "true" made "first"
/// (one byte longer; in Avro the string's length too); false, and nothing
/// appended, if `value` has no such mark.
bool snapshot_mark_first(std::string_view value, record_format format,
                         std::string& out);

} // namespace binlog
