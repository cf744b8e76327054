#include "binlog/json_binary.hpp"

namespace binlog {

// Placeholder until the binary JSON decoder lands: the document's bytes.
void write_json_binary(json_writer& out, const uint8_t* p, size_t size) {
  out.base64({reinterpret_cast<const char*>(p), size});
}

} // namespace binlog
