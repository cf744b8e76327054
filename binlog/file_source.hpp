#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "binlog/decoder.hpp"
#include "binlog/error.hpp"

namespace binlog {

/// Feeds every event of a binlog file to `dec`, starting at `from.pos` (the
/// FORMAT_DESCRIPTION at offset 4 is always read first). Errors name the
/// file and the offset of the event. `progress`, if given, hears of the
/// offset reached about once per megabyte and at the end.
using file_progress = std::function<void(uint64_t offset, uint64_t size)>;
error decode_file(const std::string& path, decoder& dec, uint64_t start_pos = 4,
                  uint64_t skip_rows = 0, const file_progress& progress = {});

/// The same for a binlog file's bytes in memory; errors name `name`.
error decode_buffer(const uint8_t* data, size_t size, const std::string& name,
                    decoder& dec, uint64_t start_pos = 4,
                    uint64_t skip_rows = 0);

} // namespace binlog
