#pragma once

// A snapshot chunk's records as record_encoder::encode_read wrote them
// (json), kept until the chunk's high watermark gives their source
// position. One buffer per chunk: no allocation per row once it has grown.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "binlog/position.hpp"

namespace binlog {

class chunk_records {
public:
  /// Keeps a record encoded with an unknown position (empty file, pos 0).
  void add(std::string_view key, std::string_view value);

  size_t size() const {
    return entries_.size();
  }

  bool empty() const {
    return entries_.empty();
  }

  /// The keys' and values' bytes kept.
  size_t bytes() const {
    return data_.size();
  }

  void clear();

  /// Calls `f(key, head, position, tail)` for each record in order, where
  /// head + position + tail is its value with `at` as source.file and
  /// source.pos. The views are valid only during the call.
  template <class F>
  void place(const position& at, F&& f) const {
    auto known = position_text(at);
    size_t offset = 0;
    for (auto& e : entries_) {
      std::string_view key{data_.data() + offset, e.key_size};
      std::string_view value{data_.data() + offset + e.key_size, e.value_size};
      offset += e.key_size + e.value_size;
      if (e.hole == npos)
        f(key, value, std::string_view{}, std::string_view{});
      else
        f(key, value.substr(0, e.hole), std::string_view{known},
          value.substr(e.hole + unknown_position.size()));
    }
  }

  /// What encode_read writes in the source block for an unknown position.
  static constexpr std::string_view unknown_position =
    "\"file\":\"\",\"pos\":0,";

  /// Where `value`'s source block holds unknown_position; npos if nowhere.
  static size_t unknown_position_offset(std::string_view value);

private:
  static constexpr uint32_t npos = UINT32_MAX;

  static std::string position_text(const position& at);

  struct entry {
    uint32_t key_size;
    uint32_t value_size;
    uint32_t hole; // of unknown_position in the value, or npos
  };

  std::string data_;
  std::vector<entry> entries_;
};

} // namespace binlog
