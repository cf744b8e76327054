#include "binlog/transaction_payload.hpp"

#include "binlog/bytes.hpp"

namespace binlog {

namespace {

enum payload_field : uint64_t {
  field_end_mark = 0,
  field_payload_size = 1,
  field_compression_type = 2,
  field_uncompressed_size = 3,
};

} // namespace

error parse_transaction_payload_header(const uint8_t* body, size_t size,
                                       transaction_payload_header& out) {
  cursor c{body, size};
  bool have_size = false;
  bool have_type = false;
  out = transaction_payload_header{};
  while (c.ok() && !c.empty()) {
    auto type = c.packed();
    if (!c.ok())
      break;
    if (type == field_end_mark) {
      if (!have_size || !have_type)
        return {errc::corrupt_event,
                std::string{"TRANSACTION_PAYLOAD header lacks its "}
                  + (have_size ? "compression type" : "payload size")};
      out.header_size = size - c.remaining();
      if (out.payload_size > c.remaining())
        return {errc::corrupt_event, "TRANSACTION_PAYLOAD header announces "
                                       + std::to_string(out.payload_size)
                                       + " bytes of payload, the event holds "
                                       + std::to_string(c.remaining())};
      return {};
    }
    auto length = c.packed();
    switch (type) {
      case field_payload_size:
        out.payload_size = c.packed();
        have_size = true;
        break;
      case field_compression_type:
        out.compression = c.packed();
        have_type = true;
        if (c.ok() && out.compression != payload_compression::zstd
            && out.compression != payload_compression::none)
          return {errc::corrupt_event,
                  "TRANSACTION_PAYLOAD has the unknown compression type "
                    + std::to_string(out.compression)};
        break;
      case field_uncompressed_size:
        out.uncompressed_size = c.packed();
        break;
      default:
        if (length > c.remaining())
          c.fail();
        else
          c.skip(static_cast<size_t>(length)); // a field of a later version
    }
  }
  return {errc::corrupt_event,
          "TRANSACTION_PAYLOAD header runs past the end of the event"};
}

} // namespace binlog
