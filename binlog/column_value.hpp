#pragma once

#include <cstddef>
#include <cstdint>

#include "binlog/json_writer.hpp"
#include "binlog/table_map.hpp"

namespace binlog {

/// Finds how many bytes the value of `col` at `p` takes. Returns false if
/// the value does not fit before `end` or the metadata is impossible.
bool value_size(const column& col, const uint8_t* p, const uint8_t* end,
                size_t& size);

/// Writes the JSON value of `col` (design.md, "Records") for the `size`
/// bytes at `p` that value_size measured.
void write_value(json_writer& out, const column& col, const uint8_t* p,
                 size_t size);

} // namespace binlog
