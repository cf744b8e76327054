#define CAF_SUITE binlog.dump_gtid

// The body of MySQL's COM_BINLOG_DUMP_GTID, checked against bytes written by
// hand from the layout that com_binlog_dump_gtid (sql/rpl_source.cc) reads:
// flags int2, server_id int4, name length int4 and name, position int8,
// data size int4 and the encoded GTID set.

#include <caf/test/unit_test.hpp>

#include "binlog/gtid_set.hpp"
#include "binlog/replication_client.hpp"
#include "tests/unit/binlog/binlog_test.hpp"

using namespace b2k::test;

namespace {

std::string hex(const bytes& b) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (auto byte : b) {
    out.push_back(digits[byte >> 4]);
    out.push_back(digits[byte & 0xf]);
  }
  return out;
}

std::string hex(const std::string& s) {
  return hex(bytes(s.begin(), s.end()));
}

} // namespace

CAF_TEST(the COM_BINLOG_DUMP_GTID body) {
  binlog::gtid_set set;
  CAF_REQUIRE(
    binlog::parse_gtid_set(std::string{"3e11fa47-71ca-11e1-9e33-c80aa9429562"} + ":1-5:7", set).empty());
  bytes expected{
    0x04, 0x00,             // flags: BINLOG_THROUGH_GTID
    0xe9, 0x03, 0x00, 0x00, // our server id, 1001
    0x00, 0x00, 0x00, 0x00, // binlog_name_info_size: no name
    0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // binlog_pos 4
    0x40, 0x00, 0x00, 0x00, // data_size: 64 bytes of SID block
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // n_sids 1
    0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca, 0x11, 0xe1, // the uuid
    0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42, 0x95, 0x62,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // n_intervals 2
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 1 ..
    0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // .. 6 (exclusive)
    0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 7 ..
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // .. 8
  };
  CAF_CHECK_EQUAL(hex(binlog::dump_gtid_packet(1001, set, false)),
                  hex(expected));
  // dump --source: BINLOG_DUMP_NON_BLOCK too.
  expected[0] = 0x05;
  CAF_CHECK_EQUAL(hex(binlog::dump_gtid_packet(1001, set, true)),
                  hex(expected));
  // The empty set (nothing executed yet): everything the server has.
  set.clear();
  bytes empty{0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
              0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00,
              0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  CAF_CHECK_EQUAL(hex(binlog::dump_gtid_packet(1, set, false)), hex(empty));
}
