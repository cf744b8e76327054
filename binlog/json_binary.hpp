#pragma once

#include <cstddef>
#include <cstdint>

#include "binlog/json_writer.hpp"

namespace binlog {

/// Writes a MySQL binary JSON document as a JSON string holding its text.
void write_json_binary(json_writer& out, const uint8_t* p, size_t size);

} // namespace binlog
