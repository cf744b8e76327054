#pragma once

// Event framing: the common header every binlog event starts with, the
// event type codes of MySQL and MariaDB, and the two events that only mark
// a boundary: ROTATE (the next file) and XID (a commit).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "binlog/error.hpp"

namespace binlog {

constexpr uint8_t binlog_magic[4] = {0xfe, 'b', 'i', 'n'};
constexpr size_t header_size = 19; // binlog format v4
constexpr size_t checksum_size = 4;

enum class event_type : uint8_t {
  unknown = 0,
  start_v3 = 1,
  query = 2,
  stop = 3,
  rotate = 4,
  intvar = 5,
  load = 6,
  slave = 7,
  create_file = 8,
  append_block = 9,
  exec_load = 10,
  delete_file = 11,
  new_load = 12,
  rand = 13,
  user_var = 14,
  format_description = 15,
  xid = 16,
  begin_load_query = 17,
  execute_load_query = 18,
  table_map = 19,
  pre_ga_write_rows = 20,
  pre_ga_update_rows = 21,
  pre_ga_delete_rows = 22,
  write_rows_v1 = 23,
  update_rows_v1 = 24,
  delete_rows_v1 = 25,
  incident = 26,
  heartbeat = 27,
  ignorable = 28,
  rows_query = 29,
  write_rows_v2 = 30,
  update_rows_v2 = 31,
  delete_rows_v2 = 32,
  gtid = 33,
  anonymous_gtid = 34,
  previous_gtids = 35,
  transaction_context = 36,
  view_change = 37,
  xa_prepare = 38,
  partial_update_rows = 39,
  transaction_payload = 40,
  heartbeat_v2 = 41,
  gtid_tagged = 42,
  // MariaDB
  mariadb_annotate_rows = 160,
  mariadb_binlog_checkpoint = 161,
  mariadb_gtid = 162,
  mariadb_gtid_list = 163,
  mariadb_start_encryption = 164,
  mariadb_query_compressed = 165,
  mariadb_write_rows_compressed_v1 = 166,
  mariadb_update_rows_compressed_v1 = 167,
  mariadb_delete_rows_compressed_v1 = 168,
  mariadb_write_rows_compressed = 169,
  mariadb_update_rows_compressed = 170,
  mariadb_delete_rows_compressed = 171,
};

const char* to_string(event_type type);

/// Header flags we look at.
constexpr uint16_t flag_artificial = 0x20; // fake ROTATE / FDE from the server

/// The common header of a v4 event.
struct event_header {
  uint32_t timestamp = 0;
  event_type type = event_type::unknown;
  uint32_t server_id = 0;
  uint32_t event_size = 0; // header + body + checksum
  uint32_t log_pos = 0;    // offset just after this event (0 for artificial)
  uint16_t flags = 0;
};

/// Reads the header at `p`, which must hold at least header_size bytes.
event_header parse_header(const uint8_t* p);

/// The kind of row change a rows event carries, or none.
enum class row_op : uint8_t { none, insert, update, remove };

row_op row_op_of(event_type type);

/// A ROTATE event: reading goes on in `file` at `pos`.
struct rotate_event {
  uint64_t pos = 0;
  std::string_view file; // a view into the event
};

/// Reads the body of a ROTATE event (after the common header, without the
/// checksum). Fails (errc::corrupt_event) when it names no file.
error parse_rotate(const uint8_t* body, size_t size, rotate_event& out);

/// An XID event: the commit of a transaction of a transactional engine.
struct xid_event {
  uint64_t xid = 0;
};

/// Reads the body of an XID event; `post_header_len` comes from the format
/// description. Fails (errc::corrupt_event) on a body of another size: the
/// event is then not what its type code says (pre-GA 5.1 builds gave 16 to
/// TABLE_MAP), and no transaction may end on it.
error parse_xid(uint8_t post_header_len, const uint8_t* body, size_t size,
                xid_event& out);

} // namespace binlog
