#include "binlog/chunk_records.hpp"

#include "binlog/record.hpp"

namespace binlog {

void chunk_records::add(std::string_view key, std::string_view value) {
  auto hole = unknown_position_offset(value);
  entries_.push_back(
    {static_cast<uint32_t>(key.size()), static_cast<uint32_t>(value.size()),
     hole == std::string_view::npos ? npos : static_cast<uint32_t>(hole)});
  data_.append(key);
  data_.append(value);
}

void chunk_records::clear() {
  // Kept for the next chunk unless a chunk of large rows made it large.
  constexpr size_t keep = 64u << 20;
  if (data_.capacity() > keep)
    std::string{}.swap(data_);
  data_.clear();
  entries_.clear();
}

size_t chunk_records::unknown_position_offset(std::string_view value) {
  // The source block follows before and after, and only "transaction"
  // follows it: the last occurrence is the source's. A row's columns named
  // file and pos may hold the same text; a string column's cannot (its
  // quotes are escaped).
  return value.rfind(unknown_position);
}

std::string chunk_records::position_text(const position& at) {
  std::string out;
  write_source_position(out, at.file, at.pos);
  out += ',';
  return out;
}

} // namespace binlog
