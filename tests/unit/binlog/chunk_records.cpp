#define CAF_SUITE binlog.chunk_records

// A snapshot chunk's records, encoded before their source position is
// known and given it afterwards, must equal records encoded with the
// position from the start, whatever the row holds.

#include <caf/test/unit_test.hpp>

#include <array>
#include <string>
#include <vector>

#include "binlog/chunk_records.hpp"
#include "binlog/snapshot_table.hpp"
#include "records_test.hpp"

using namespace b2k::test;

namespace {

// shop.files (id INT, file VARCHAR, pos INT, n INT): a row with file ''
// and pos 0 holds the text of an unknown source position in its after
// image.
struct fixture {
  binlog::table_info table;
  std::vector<std::vector<std::string>> packed;

  fixture() {
    namespace ft = binlog::field_type;
    table.map.db = "shop";
    table.map.table = "files";
    table.map.has_names = true;
    auto id = col(ft::long_);
    id.name = "id";
    id.nullable = false;
    auto file = col(ft::varchar, 255, false, 45);
    file.name = "file";
    auto pos = col(ft::long_);
    pos.name = "pos";
    auto n = col(ft::long_);
    n.name = "n";
    table.map.columns = {id, file, pos, n};
    table.map.primary_key = {0};
    for (auto& [i, f, p] : std::vector<std::array<std::string, 3>>{
           {"1", "", "0"}, {"2", "a\"b", "7"}, {"3", "", "0"}}) {
      std::vector<std::string> row(4);
      CAF_REQUIRE(!binlog::pack_value(id, i, row[0]));
      CAF_REQUIRE(!binlog::pack_value(file, f, row[1]));
      CAF_REQUIRE(!binlog::pack_value(pos, p, row[2]));
      CAF_REQUIRE(!binlog::pack_value(n, "5", row[3]));
      packed.push_back(std::move(row));
    }
  }

  std::vector<binlog::value_slot> slots(size_t i) const {
    std::vector<binlog::value_slot> row;
    for (auto& p : packed[i])
      row.push_back({reinterpret_cast<const uint8_t*>(p.data()),
                     static_cast<uint32_t>(p.size()),
                     binlog::value_slot::present});
    return row;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(chunk_records_tests, fixture)

CAF_TEST(placed records equal records encoded with their position) {
  auto encoder = binlog::record_encoder::make(run_defaults());
  CAF_REQUIRE(encoder);
  auto info = table;
  CAF_REQUIRE_EQUAL(encoder->prepare(info).message, "");
  binlog::position high;
  high.file = "mysql\"bin.000012"; // a quote: escaped as the encoder does
  high.pos = 15517877;
  binlog::chunk_records chunk;
  std::vector<std::pair<std::string, std::string>> expected;
  for (size_t i = 0; i < packed.size(); ++i) {
    encoder->encode_read(info, slots(i), 1700000000000, 1, {}, 0, "true");
    chunk.add(encoder->key(), encoder->value());
    encoder->encode_read(info, slots(i), 1700000000000, 1, high.file, high.pos,
                         "true");
    expected.emplace_back(encoder->key(), encoder->value());
  }
  CAF_CHECK_EQUAL(chunk.size(), 3u);
  std::vector<std::pair<std::string, std::string>> placed;
  chunk.place(high, [&](std::string_view key, std::string_view head,
                        std::string_view mid, std::string_view tail) {
    placed.emplace_back(std::string{key}, std::string{head} + std::string{mid}
                                            + std::string{tail});
  });
  CAF_REQUIRE_EQUAL(placed.size(), expected.size());
  for (size_t i = 0; i < placed.size(); ++i) {
    CAF_CHECK_EQUAL(placed[i].first, expected[i].first);
    CAF_CHECK_EQUAL(placed[i].second, expected[i].second);
  }
  // The row's own "file":"","pos":0 stays in its after image.
  CAF_CHECK(placed[0].second.find(R"("after":{"id":1,"file":"","pos":0,"n":5})")
            != std::string::npos);
}

CAF_TEST(cleared records start over) {
  binlog::chunk_records chunk;
  chunk.add("k1", R"({"source":{"file":"","pos":0,"row":0}})");
  chunk.clear();
  CAF_CHECK(chunk.empty());
  chunk.add("k2", "no position here");
  binlog::position at;
  at.file = "b.000001";
  at.pos = 4;
  std::vector<std::string> seen;
  chunk.place(at, [&](std::string_view key, std::string_view head,
                      std::string_view mid, std::string_view tail) {
    CAF_CHECK(mid.empty());
    CAF_CHECK(tail.empty());
    seen.push_back(std::string{key} + "=" + std::string{head});
  });
  CAF_REQUIRE_EQUAL(seen.size(), 1u);
  CAF_CHECK_EQUAL(seen[0], "k2=no position here");
}

CAF_TEST_FIXTURE_SCOPE_END()
