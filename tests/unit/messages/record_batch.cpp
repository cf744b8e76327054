#define CAF_SUITE messages.record_batch

// A batch names each of its topics once, whatever the number of topics
// (found by hash past a few) and however they were added.

#include "messages/record_batch.hpp"

#include <caf/test/unit_test.hpp>

using namespace b2k;

CAF_TEST(topic indexes stay the same beyond a few topics) {
  record_batch batch;
  std::vector<std::string> names;
  for (int i = 0; i < 1000; ++i)
    names.push_back("prefix.db.table_" + std::to_string(i));
  for (uint32_t i = 0; i < names.size(); ++i)
    CAF_CHECK_EQUAL(batch.topic_index(names[i]), i);
  for (int round = 0; round < 2; ++round)
    for (auto i = static_cast<uint32_t>(names.size()); i > 0; --i)
      CAF_CHECK_EQUAL(batch.topic_index(names[i - 1]), i - 1);
  CAF_CHECK_EQUAL(batch.topics.size(), names.size());
  CAF_CHECK_EQUAL(batch.topics[999], names[999]);
}

CAF_TEST(topics added directly are found) {
  // Tests and the snapshot lane fill topics themselves.
  record_batch batch;
  for (int i = 0; i < 20; ++i)
    batch.topics.push_back("t" + std::to_string(i));
  CAF_CHECK_EQUAL(batch.topic_index("t17"), 17u);
  CAF_CHECK_EQUAL(batch.topic_index("t3"), 3u);
  CAF_CHECK_EQUAL(batch.topic_index("new"), 20u);
  CAF_CHECK_EQUAL(batch.topic_index("new"), 20u);
}

CAF_TEST(a cleared batch starts its topics anew) {
  record_batch batch;
  for (int i = 0; i < 20; ++i)
    batch.topic_index("t" + std::to_string(i));
  batch.data = "x";
  batch.records.emplace_back();
  batch.clear();
  CAF_CHECK(batch.topics.empty());
  CAF_CHECK(batch.data.empty());
  CAF_CHECK(batch.records.empty());
  for (int round = 0; round < 2; ++round)
    for (int i = 19; i >= 0; --i)
      CAF_CHECK_EQUAL(batch.topic_index("t" + std::to_string(i)),
                      static_cast<uint32_t>(19 - i));
  CAF_CHECK_EQUAL(batch.topics.size(), 20u);
}
