// libFuzzer target over the signal parser (messages/snapshot_signal): any
// bytes on the signal topic are refused with a reason or read as a signal
// that survives a round trip, never a crash, a hang or a huge allocation
// (table patterns are compiled here as the pipeline compiles them).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "messages/snapshot_signal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  b2k::snapshot_signal s;
  std::string why;
  if (!b2k::parse_signal(text, s, why)) {
    if (why.empty())
      std::abort(); // a refusal always says why
    return 0;
  }
  // What was accepted is valid, and reads back the same.
  if (!b2k::valid_snapshot_id(s.id))
    std::abort();
  b2k::snapshot_signal back;
  if (!b2k::parse_signal(b2k::to_json(s), back, why) || back.id != s.id
      || back.type != s.type || back.tables != s.tables)
    std::abort();
  (void)b2k::table_matches(s.tables, "shop.orders");
  return 0;
}
