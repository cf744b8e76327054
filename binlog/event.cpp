#include "binlog/event.hpp"

#include <string>

#include "binlog/bytes.hpp"

namespace binlog {

const char* to_string(event_type type) {
  switch (type) {
    case event_type::unknown:
      return "UNKNOWN";
    case event_type::start_v3:
      return "START_V3";
    case event_type::query:
      return "QUERY";
    case event_type::stop:
      return "STOP";
    case event_type::rotate:
      return "ROTATE";
    case event_type::intvar:
      return "INTVAR";
    case event_type::load:
      return "LOAD";
    case event_type::slave:
      return "SLAVE";
    case event_type::create_file:
      return "CREATE_FILE";
    case event_type::append_block:
      return "APPEND_BLOCK";
    case event_type::exec_load:
      return "EXEC_LOAD";
    case event_type::delete_file:
      return "DELETE_FILE";
    case event_type::new_load:
      return "NEW_LOAD";
    case event_type::rand:
      return "RAND";
    case event_type::user_var:
      return "USER_VAR";
    case event_type::format_description:
      return "FORMAT_DESCRIPTION";
    case event_type::xid:
      return "XID";
    case event_type::begin_load_query:
      return "BEGIN_LOAD_QUERY";
    case event_type::execute_load_query:
      return "EXECUTE_LOAD_QUERY";
    case event_type::table_map:
      return "TABLE_MAP";
    case event_type::pre_ga_write_rows:
      return "PRE_GA_WRITE_ROWS";
    case event_type::pre_ga_update_rows:
      return "PRE_GA_UPDATE_ROWS";
    case event_type::pre_ga_delete_rows:
      return "PRE_GA_DELETE_ROWS";
    case event_type::write_rows_v1:
      return "WRITE_ROWS_V1";
    case event_type::update_rows_v1:
      return "UPDATE_ROWS_V1";
    case event_type::delete_rows_v1:
      return "DELETE_ROWS_V1";
    case event_type::incident:
      return "INCIDENT";
    case event_type::heartbeat:
      return "HEARTBEAT";
    case event_type::ignorable:
      return "IGNORABLE";
    case event_type::rows_query:
      return "ROWS_QUERY";
    case event_type::write_rows_v2:
      return "WRITE_ROWS";
    case event_type::update_rows_v2:
      return "UPDATE_ROWS";
    case event_type::delete_rows_v2:
      return "DELETE_ROWS";
    case event_type::gtid:
      return "GTID";
    case event_type::anonymous_gtid:
      return "ANONYMOUS_GTID";
    case event_type::previous_gtids:
      return "PREVIOUS_GTIDS";
    case event_type::transaction_context:
      return "TRANSACTION_CONTEXT";
    case event_type::view_change:
      return "VIEW_CHANGE";
    case event_type::xa_prepare:
      return "XA_PREPARE";
    case event_type::partial_update_rows:
      return "PARTIAL_UPDATE_ROWS";
    case event_type::transaction_payload:
      return "TRANSACTION_PAYLOAD";
    case event_type::heartbeat_v2:
      return "HEARTBEAT_V2";
    case event_type::gtid_tagged:
      return "GTID_TAGGED";
    case event_type::mariadb_annotate_rows:
      return "ANNOTATE_ROWS";
    case event_type::mariadb_binlog_checkpoint:
      return "BINLOG_CHECKPOINT";
    case event_type::mariadb_gtid:
      return "MARIADB_GTID";
    case event_type::mariadb_gtid_list:
      return "GTID_LIST";
    case event_type::mariadb_start_encryption:
      return "START_ENCRYPTION";
    case event_type::mariadb_query_compressed:
      return "QUERY_COMPRESSED";
    case event_type::mariadb_write_rows_compressed_v1:
      return "WRITE_ROWS_COMPRESSED_V1";
    case event_type::mariadb_update_rows_compressed_v1:
      return "UPDATE_ROWS_COMPRESSED_V1";
    case event_type::mariadb_delete_rows_compressed_v1:
      return "DELETE_ROWS_COMPRESSED_V1";
    case event_type::mariadb_write_rows_compressed:
      return "WRITE_ROWS_COMPRESSED";
    case event_type::mariadb_update_rows_compressed:
      return "UPDATE_ROWS_COMPRESSED";
    case event_type::mariadb_delete_rows_compressed:
      return "DELETE_ROWS_COMPRESSED";
  }
  return "UNKNOWN";
}

event_header parse_header(const uint8_t* p) {
  event_header h;
  h.timestamp = load_le32(p);
  h.type = static_cast<event_type>(p[4]);
  h.server_id = load_le32(p + 5);
  h.event_size = load_le32(p + 9);
  h.log_pos = load_le32(p + 13);
  h.flags = load_le16(p + 17);
  return h;
}

row_op row_op_of(event_type type) {
  switch (type) {
    case event_type::write_rows_v1:
    case event_type::write_rows_v2:
    case event_type::mariadb_write_rows_compressed_v1:
    case event_type::mariadb_write_rows_compressed:
      return row_op::insert;
    case event_type::update_rows_v1:
    case event_type::update_rows_v2:
    case event_type::partial_update_rows:
    case event_type::mariadb_update_rows_compressed_v1:
    case event_type::mariadb_update_rows_compressed:
      return row_op::update;
    case event_type::delete_rows_v1:
    case event_type::delete_rows_v2:
    case event_type::mariadb_delete_rows_compressed_v1:
    case event_type::mariadb_delete_rows_compressed:
      return row_op::remove;
    default:
      return row_op::none;
  }
}

error parse_rotate(const uint8_t* body, size_t size, rotate_event& out) {
  cursor c{body, size};
  out.pos = c.u64();
  out.file = c.str(c.remaining());
  if (!c.ok() || out.file.empty())
    return {errc::corrupt_event, "ROTATE without a file name"};
  return {};
}

error parse_xid(uint8_t post_header_len, const uint8_t* body, size_t size,
                xid_event& out) {
  size_t expected = size_t{8} + post_header_len;
  if (size != expected)
    return {errc::corrupt_event,
            "XID event body is " + std::to_string(size)
              + " bytes, an XID event has " + std::to_string(expected)
              + " (is this binlog from a server with other event type "
                "codes?)"};
  out.xid = load_le64(body + post_header_len);
  return {};
}

} // namespace binlog
