#define CAF_SUITE binlog.gtid_set

// MySQL's GTID set: its text form (as MySQL prints and accepts it) and its
// binary form (PREVIOUS_GTIDS, COM_BINLOG_DUMP_GTID), checked against bytes
// written by hand from the layout of Gtid_set::encode in MySQL's source.

#include <caf/test/unit_test.hpp>

#include "binlog/gtid_set.hpp"
#include "tests/unit/binlog/binlog_test.hpp"

using namespace b2k::test;

namespace {

constexpr const char* u1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
constexpr const char* u2 = "4e11fa47-71ca-11e1-9e33-c80aa9429562";

const bytes u1_bytes{0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca, 0x11, 0xe1,
                     0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42, 0x95, 0x62};

binlog::gtid_set::uuid sid(const bytes& b) {
  binlog::gtid_set::uuid out{};
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = b[i];
  return out;
}

// The canonical text of `text`, or "error: ..." if it does not parse.
std::string canonical(const std::string& text) {
  binlog::gtid_set set;
  auto err = binlog::parse_gtid_set(text, set);
  if (err) {
    CAF_CHECK_EQUAL(err.code, binlog::errc::bad_value);
    return "error: " + err.message;
  }
  return set.to_string();
}

bool rejected(const std::string& text) {
  binlog::gtid_set set;
  return static_cast<bool>(binlog::parse_gtid_set(text, set));
}

std::string decode_problem(const bytes& b) {
  binlog::gtid_set set;
  auto err = binlog::decode_gtid_set(b.data(), b.size(), set);
  if (err)
    CAF_CHECK_EQUAL(err.code, binlog::errc::corrupt_event);
  return err.message;
}

} // namespace

CAF_TEST(the canonical text reads back unchanged) {
  auto text = std::string{u1} + ":1-5:7-9," + u2 + ":1-3";
  CAF_CHECK_EQUAL(canonical(text), text);
  CAF_CHECK_EQUAL(canonical(std::string{u1} + ":7"), std::string{u1} + ":7");
  CAF_CHECK_EQUAL(canonical(""), "");
}

CAF_TEST(text is sorted merged and lowercased as MySQL prints it) {
  // Upper case, the uuids out of order, intervals unsorted, overlapping
  // and adjacent, the same uuid twice.
  CAF_CHECK_EQUAL(canonical("4E11FA47-71CA-11E1-9E33-C80AA9429562:3:1-2,"
                            + std::string{u1} + ":7-9:1-5:6," + u1 + ":4-8"),
                  std::string{u1} + ":1-9," + u2 + ":1-3");
  // @@gtid_executed puts a newline after each comma; spaces anywhere
  // between the parts.
  CAF_CHECK_EQUAL(canonical(std::string{"\n "} + u1 + " : 1 - 100 ,\n" + u2
                            + ":1-200\n"),
                  std::string{u1} + ":1-100," + u2 + ":1-200");
  CAF_CHECK_EQUAL(canonical(" \n\t"), "");
  // The largest transaction number MySQL hands out.
  CAF_CHECK_EQUAL(canonical(std::string{u1} + ":9223372036854775806"),
                  std::string{u1} + ":9223372036854775806");
}

CAF_TEST(tagged sets of MySQL 8.4) {
  // A uuid's untagged intervals first, then its tags in order, each with
  // the intervals that follow it; tags are compared in lower case.
  CAF_CHECK_EQUAL(canonical(std::string{u1} + ":mytag:1-2," + u1 + ":1-13"),
                  std::string{u1} + ":1-13:mytag:1-2");
  CAF_CHECK_EQUAL(canonical(std::string{u1} + ":B:1:a:2:4," + u2 + ":X_1:5"),
                  std::string{u1} + ":a:2:4:b:1," + u2 + ":x_1:5");
  CAF_CHECK_EQUAL(canonical(std::string{u1} + ":1-3:t1:5:7"),
                  std::string{u1} + ":1-3:t1:5:7");
  CAF_CHECK_EQUAL(canonical(std::string{u1} + ":_t:1"),
                  std::string{u1} + ":_t:1");
}

CAF_TEST(texts that are not gtid sets are refused with a reason) {
  auto u = std::string{u1};
  CAF_CHECK_EQUAL(canonical(u),
                  "error: uuid without transaction numbers "
                  "before offset 36");
  CAF_CHECK_EQUAL(canonical(u + ":0"),
                  "error: expected a transaction number or a tag at offset 37");
  CAF_CHECK_EQUAL(canonical(u + ":5-3"),
                  "error: interval 5-3 at offset 37 ends before it starts");
  CAF_CHECK_EQUAL(canonical("0-1-5"),
                  "error: expected a uuid (8-4-4-4-12 hex digits) at offset 0");
  CAF_CHECK(rejected("3e11fa47:1"));
  CAF_CHECK(rejected("3e11fa4771ca11e19e33c80aa9429562:1"));
  CAF_CHECK(rejected("3e11fa47-71ca-11e1-9e33-c80aa942956g:1"));
  CAF_CHECK(rejected(u + ":1,"));
  CAF_CHECK(rejected(u + ":1;"));
  CAF_CHECK(rejected(u + ":1-2-3"));
  CAF_CHECK(rejected(u + ":"));
  CAF_CHECK(rejected(u + ":-1"));
  CAF_CHECK(rejected(u + ":9223372036854775807")); // past the largest
  CAF_CHECK(rejected(u + ":99999999999999999999"));
  CAF_CHECK(rejected(u + ":tag"));
  CAF_CHECK(rejected(u + ":tag:other:1"));
  CAF_CHECK(rejected(u + ":" + std::string(33, 'a') + ":1"));
  CAF_CHECK(!rejected(u + ":" + std::string(32, 'a') + ":1"));
  CAF_CHECK(rejected(u + ":1:1tag:2")); // a tag starts with a letter or _
  // A failed parse leaves nothing behind.
  binlog::gtid_set set;
  CAF_CHECK(!binlog::parse_gtid_set(u + ":1", set));
  CAF_CHECK(binlog::parse_gtid_set(u + ":1,x", set));
  CAF_CHECK(set.empty());
}

CAF_TEST(add merges transactions into intervals) {
  binlog::gtid_set set;
  auto id = sid(u1_bytes);
  auto u = std::string{u1};
  CAF_CHECK(set.add(id, "", 1));
  CAF_CHECK(set.add(id, "", 2));
  CAF_CHECK(set.add(id, "", 3));
  CAF_CHECK_EQUAL(set.to_string(), u + ":1-3");
  CAF_CHECK(set.add(id, "", 5));
  CAF_CHECK_EQUAL(set.to_string(), u + ":1-3:5");
  CAF_CHECK(set.add(id, "", 4)); // closes the gap
  CAF_CHECK_EQUAL(set.to_string(), u + ":1-5");
  CAF_CHECK(set.add(id, "", 10));
  CAF_CHECK(set.add(id, "", 8));
  CAF_CHECK_EQUAL(set.to_string(), u + ":1-5:8:10");
  CAF_CHECK(set.add(id, "", 3)); // already there
  CAF_CHECK_EQUAL(set.to_string(), u + ":1-5:8:10");
  CAF_CHECK(set.add(id, "", 2, 9)); // 2..8 joins 1-5 and 8
  CAF_CHECK_EQUAL(set.to_string(), u + ":1-8:10");
  CAF_CHECK(set.add(id, "", 20, 30));
  CAF_CHECK(set.add(id, "", 12, 15));
  CAF_CHECK(set.add(id, "", 9, 25)); // spans three intervals
  CAF_CHECK_EQUAL(set.to_string(), u + ":1-29");
  CAF_CHECK(set.add(id, "Tag", 1));
  CAF_CHECK_EQUAL(set.to_string(), u + ":1-29:tag:1");
  CAF_CHECK(set.tagged());
  // Refused: no transaction 0, past the largest, a bad tag.
  CAF_CHECK(!set.add(id, "", 0));
  CAF_CHECK(!set.add(id, "", -4));
  CAF_CHECK(!set.add(id, "", binlog::gtid_set::max_gno + 1));
  CAF_CHECK(!set.add(id, "9lives", 1));
  CAF_CHECK(!set.add(id, "", 5, 5));
  CAF_CHECK_EQUAL(set.to_string(), u + ":1-29:tag:1");
  binlog::gtid_set other;
  CAF_CHECK(
    !binlog::parse_gtid_set(std::string{u2} + ":4," + u + ":30", other));
  set.add(other);
  CAF_CHECK_EQUAL(set.to_string(), u + ":1-30:tag:1," + std::string{u2} + ":4");
}

CAF_TEST(the binary form as Gtid_set encode writes it) {
  binlog::gtid_set set;
  CAF_REQUIRE(!binlog::parse_gtid_set(std::string{u1} + ":1-5:7", set));
  bytes expected;
  put_le(expected, 1, 8); // one uuid
  put_bytes(expected, u1_bytes);
  put_le(expected, 2, 8); // two intervals, end exclusive
  put_le(expected, 1, 8);
  put_le(expected, 6, 8);
  put_le(expected, 7, 8);
  put_le(expected, 8, 8);
  CAF_CHECK_EQUAL(hex(set.encode()), hex(expected));
  binlog::gtid_set back;
  CAF_CHECK_EQUAL(
    binlog::decode_gtid_set(expected.data(), expected.size(), back).message,
    "");
  CAF_CHECK(back == set);
  // Tagged: format 1 in the count word's first and last byte, the count in
  // between; each uuid followed by its tag's length (shifted left by one,
  // as one byte of a variable-length integer) and its bytes.
  CAF_REQUIRE(!binlog::parse_gtid_set(std::string{u1} + ":2:ab:3", set));
  expected.clear();
  put_bytes(expected, {0x01, 0x02, 0, 0, 0, 0, 0, 0x01});
  put_bytes(expected, u1_bytes);
  expected.push_back(0); // the empty tag
  put_le(expected, 1, 8);
  put_le(expected, 2, 8);
  put_le(expected, 3, 8);
  put_bytes(expected, u1_bytes);
  put_bytes(expected, {4, 'a', 'b'});
  put_le(expected, 1, 8);
  put_le(expected, 3, 8);
  put_le(expected, 4, 8);
  CAF_CHECK_EQUAL(hex(set.encode()), hex(expected));
  CAF_CHECK_EQUAL(
    binlog::decode_gtid_set(expected.data(), expected.size(), back).message,
    "");
  CAF_CHECK_EQUAL(back.to_string(), std::string{u1} + ":2:ab:3");
  // The empty set: a zero count.
  set.clear();
  CAF_CHECK_EQUAL(hex(set.encode()), hex(bytes(8, 0)));
}

CAF_TEST(malformed binary sets are refused) {
  bytes good;
  put_le(good, 1, 8);
  put_bytes(good, u1_bytes);
  put_le(good, 1, 8);
  put_le(good, 1, 8);
  put_le(good, 6, 8);
  CAF_CHECK_EQUAL(decode_problem(good), "");
  for (size_t n = 0; n < good.size(); ++n)
    CAF_CHECK_NOT_EQUAL(
      decode_problem(bytes(good.begin(), good.begin() + static_cast<long>(n))),
      "");
  auto trailing = good;
  trailing.push_back(0);
  CAF_CHECK_EQUAL(decode_problem(trailing),
                  "GTID set is followed by 1 unexpected bytes");
  auto format = good;
  format[7] = 2;
  CAF_CHECK_EQUAL(decode_problem(format), "GTID set has the unknown format 2");
  auto empty_interval = good;
  empty_interval[40] = 1; // end 1: empty
  CAF_CHECK_NOT_EQUAL(decode_problem(empty_interval), "");
  auto huge_count = good;
  huge_count[0] = 0xff;
  CAF_CHECK_NOT_EQUAL(decode_problem(huge_count), "");
  // Two intervals out of order.
  bytes unordered;
  put_le(unordered, 1, 8);
  put_bytes(unordered, u1_bytes);
  put_le(unordered, 2, 8);
  put_le(unordered, 5, 8);
  put_le(unordered, 6, 8);
  put_le(unordered, 1, 8);
  put_le(unordered, 2, 8);
  CAF_CHECK_NOT_EQUAL(decode_problem(unordered), "");
  // Tagged with a count word whose last byte does not repeat the format.
  bytes tagged{0x00, 0x01, 0, 0, 0, 0, 0, 0x01};
  put_bytes(tagged, u1_bytes);
  tagged.push_back(0);
  put_le(tagged, 0, 8);
  CAF_CHECK_NOT_EQUAL(decode_problem(tagged), "");
  tagged[0] = 0x01;
  CAF_CHECK_EQUAL(decode_problem(tagged), "");
}
