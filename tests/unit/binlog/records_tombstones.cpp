#define CAF_SUITE binlog.records_tombstones

#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "messages/record_batch.hpp"
#include "records_test.hpp"

// Tombstones after deletes: a record with the delete's key and a null
// value, for tables with a primary key; positions that never let a restart
// lose one; and the null value kept through a batch.

using namespace b2k::test;
using binlog::record_kind;

namespace {

constexpr uint64_t txn_delete = 2753;      // 0-1-14: DELETE id 2
constexpr uint64_t txn_keyless = 3048;     // 0-1-15: DELETE FROM audit_log
constexpr uint64_t txn_two_deletes = 3928; // 0-1-18: DELETE id 3 and 4

std::string delete_line(int id, const std::string& name,
                        const std::string& email, const std::string& hash,
                        uint64_t row, uint64_t order) {
  auto n = std::to_string(id);
  return R"({"topic":"binlog2kafka.shop.customers","key":{"id":)" + n
         + R"(},"value":{"before":{"id":)" + n + R"(,"name":")" + name
         + R"(","email":")" + email + R"(","password_hash":")" + hash
         + R"("},"after":null,"op":"d","ts_ms":1700000000000,"source":)"
         + fixture_source("shop", "customers", 4133, row, "0-1-18")
         + R"(,"transaction":{"id":"0-1-18","total_order":)"
         + std::to_string(order) + R"(,"data_collection_order":)"
         + std::to_string(order) + "}}}";
}

std::string tombstone_line(int id) {
  return R"({"topic":"binlog2kafka.shop.customers","key":{"id":)"
         + std::to_string(id) + R"(},"value":null})";
}

} // namespace

CAF_TEST(a tombstone follows each delete of a table with a primary key) {
  recorded d{records_fixture(), run_defaults()};
  CAF_REQUIRE_EQUAL(d.err.message, "");
  auto one = d.in_transaction(txn_delete);
  CAF_REQUIRE_EQUAL(one.size(), 2u);
  CAF_CHECK(one[0].kind == record_kind::change);
  CAF_CHECK_EQUAL(one[0].at({"op"}), "d");
  CAF_CHECK(one[1].kind == record_kind::tombstone);
  CAF_CHECK(one[1].null_value);
  CAF_CHECK_EQUAL(one[1].value, "");
  CAF_CHECK_EQUAL(one[1].line(), tombstone_line(2));
  CAF_CHECK_EQUAL(one[1].key, one[0].key);
  CAF_CHECK_EQUAL(one[1].topic, one[0].topic);
  CAF_CHECK_EQUAL(one[1].partition_key, "");
  // Two rows of one event: each delete is followed by its own tombstone.
  auto two = d.in_transaction(txn_two_deletes);
  CAF_REQUIRE_EQUAL(two.size(), 4u);
  CAF_CHECK_EQUAL(two[0].line(),
                  delete_line(3, "Linus", "l@example.com", "h3", 0, 1));
  CAF_CHECK_EQUAL(two[1].line(), tombstone_line(3));
  CAF_CHECK_EQUAL(two[2].line(),
                  delete_line(4, "Barbara", "b@example.com", "h4", 1, 2));
  CAF_CHECK_EQUAL(two[3].line(), tombstone_line(4));
}

CAF_TEST(a delete is complete only with its tombstone) {
  recorded d{records_fixture(), run_defaults()};
  auto two = d.in_transaction(txn_two_deletes);
  CAF_REQUIRE_EQUAL(two.size(), 4u);
  // The tombstone shares its delete's row number; the delete alone leaves
  // the position before its row.
  CAF_CHECK_EQUAL(two[0].row_in_txn, 0u);
  CAF_CHECK_EQUAL(two[1].row_in_txn, 1u);
  CAF_CHECK_EQUAL(two[2].row_in_txn, 1u);
  CAF_CHECK_EQUAL(two[3].row_in_txn, 2u);
  // A batch that ended after a delete but before its tombstone restarts
  // there: the delete goes out again, the tombstone is not lost.
  for (size_t i = 0; i < two.size(); ++i) {
    CAF_MESSAGE("restart after record " << i);
    recorded again{records_fixture(), run_defaults(), txn_two_deletes,
                   two[i].row_in_txn};
    auto got = again.in_transaction(txn_two_deletes);
    size_t from = two[i].kind == record_kind::change ? i : i + 1;
    std::vector<std::string> want;
    for (size_t j = from; j < two.size(); ++j)
      want.push_back(two[j].line());
    std::vector<std::string> lines;
    for (auto& r : got)
      lines.push_back(r.line());
    CAF_CHECK_EQUAL(lines, want);
  }
}

CAF_TEST(deletes of tables without a primary key have no tombstone) {
  recorded d{records_fixture(), run_defaults()};
  auto keyless = d.in_transaction(txn_keyless);
  CAF_REQUIRE_EQUAL(keyless.size(), 1u);
  CAF_CHECK_EQUAL(keyless[0].at({"op"}), "d");
  CAF_CHECK_EQUAL(keyless[0].key, "");
  CAF_CHECK_EQUAL(keyless[0].partition_key, "shop.audit_log");
  CAF_CHECK_EQUAL(keyless[0].row_in_txn, 1u);
}

CAF_TEST(tombstones off) {
  auto o = run_defaults();
  o.tombstones = false;
  recorded d{records_fixture(), o};
  CAF_CHECK(d.of(record_kind::tombstone).empty());
  auto two = d.in_transaction(txn_two_deletes);
  CAF_REQUIRE_EQUAL(two.size(), 2u);
  // Without a tombstone to wait for, a delete is complete at once.
  CAF_CHECK_EQUAL(two[0].row_in_txn, 1u);
  CAF_CHECK_EQUAL(two[1].row_in_txn, 2u);
}

CAF_TEST(tombstones are not transaction events) {
  auto o = run_defaults();
  o.transaction_topic = "{prefix}.transaction";
  recorded d{records_fixture(), o};
  auto two = d.in_transaction(txn_two_deletes);
  CAF_REQUIRE_EQUAL(two.size(), 6u);
  CAF_CHECK(two[2].kind == record_kind::tombstone);
  CAF_CHECK_EQUAL(two[5].at({"event_count"}), 2);
  CAF_CHECK_EQUAL(two[3].at({"transaction", "total_order"}), 2);
}

CAF_TEST(a tombstone stays null in a batch and through its serialization) {
  // The reader keeps the flag, the producer sends RD_KAFKA_V_VALUE(NULL, 0)
  // for it; a remote reader's batches cross the network serialized.
  b2k::record_batch batch;
  batch.seq = 7;
  batch.topics.push_back("binlog2kafka.shop.customers");
  batch.data = R"({"id":2}{"id":2})";
  b2k::record_ref del;
  del.key_size = 8;
  b2k::record_ref tomb;
  tomb.key_offset = 8;
  tomb.key_size = 8;
  tomb.value_offset = 16;
  tomb.value_null = true;
  batch.records = {del, tomb};
  auto copy = serialized_copy(batch);
  CAF_REQUIRE_EQUAL(copy.records.size(), 2u);
  CAF_CHECK(!copy.records[0].value_null);
  CAF_CHECK(copy.records[1].value_null);
  CAF_CHECK_EQUAL(copy.key(copy.records[1]), R"({"id":2})");
  CAF_CHECK_EQUAL(copy.value(copy.records[1]), "");
}
