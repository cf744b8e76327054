#define CAF_SUITE kafka.partition_offsets

// A partition that starts again under the producer (its topic deleted and
// created again): a delivered offset not above the highest one before.

#include "kafka/partition_offsets.hpp"

#include <string>

#include <caf/test/unit_test.hpp>

using namespace b2k::kafka;

namespace {

// Two topic handles: only their addresses count.
char handles[2];
const void* const topic_a = &handles[0];
const void* const topic_b = &handles[1];

} // namespace

CAF_TEST(rising offsets are the same partition) {
  partition_offsets offsets;
  for (int64_t i = 0; i < 100; ++i)
    CAF_CHECK(!offsets.note(topic_a, 0, i));
  // Gaps are normal: transaction markers, other producers.
  CAF_CHECK(!offsets.note(topic_a, 0, 150));
  CAF_CHECK_EQUAL(offsets.highest(topic_a, 0), 150);
  CAF_CHECK_EQUAL(offsets.highest(topic_a, 1), -1);
}

CAF_TEST(an offset at or below the highest is a new partition once) {
  partition_offsets offsets;
  for (int64_t i = 0; i < 50; ++i)
    offsets.note(topic_a, 0, i);
  CAF_CHECK(offsets.note(topic_a, 0, 0));
  CAF_CHECK_EQUAL(offsets.replaced(), 49);
  // The new partition's offsets go on from there.
  CAF_CHECK(!offsets.note(topic_a, 0, 1));
  CAF_CHECK(!offsets.note(topic_a, 0, 2));
  CAF_CHECK_EQUAL(offsets.highest(topic_a, 0), 2);
  // The same offset again counts too (a partition created again at once
  // with as many records from another producer is not told apart).
  CAF_CHECK(offsets.note(topic_a, 0, 2));
  CAF_CHECK_EQUAL(offsets.replaced(), 2);
}

CAF_TEST(partitions and topics are apart) {
  partition_offsets offsets;
  CAF_CHECK(!offsets.note(topic_a, 0, 10));
  // Another partition, another topic: lower offsets are their own.
  CAF_CHECK(!offsets.note(topic_a, 1, 3));
  CAF_CHECK(!offsets.note(topic_b, 0, 5));
  CAF_CHECK(!offsets.note(topic_a, 0, 11));
  CAF_CHECK(!offsets.note(topic_a, 1, 4));
  CAF_CHECK(offsets.note(topic_b, 0, 0));
  CAF_CHECK_EQUAL(offsets.replaced(), 5);
  CAF_CHECK_EQUAL(offsets.highest(topic_a, 0), 11);
  CAF_CHECK_EQUAL(offsets.highest(topic_a, 1), 4);
  CAF_CHECK_EQUAL(offsets.highest(topic_b, 0), 0);
}

CAF_TEST(unknown offsets are ignored) {
  partition_offsets offsets;
  CAF_CHECK(!offsets.note(topic_a, 0, 7));
  // RD_KAFKA_OFFSET_INVALID (-1001, acks=0) and -1.
  CAF_CHECK(!offsets.note(topic_a, 0, -1001));
  CAF_CHECK(!offsets.note(topic_a, 0, -1));
  CAF_CHECK_EQUAL(offsets.highest(topic_a, 0), 7);
  CAF_CHECK(!offsets.note(topic_a, 0, 8));
}

CAF_TEST(many partitions keep their marks) {
  partition_offsets offsets;
  // Interleaved, so the last-partition shortcut is not what answers.
  for (int64_t round = 0; round < 3; ++round)
    for (int32_t p = 0; p < 64; ++p)
      CAF_CHECK(!offsets.note(topic_a, p, round * 10 + p % 7));
  for (int32_t p = 0; p < 64; ++p)
    CAF_CHECK_EQUAL(offsets.highest(topic_a, p), 20 + p % 7);
  CAF_CHECK(offsets.note(topic_a, 33, 20 + 33 % 7));
}

CAF_TEST(the warning names the topic and partition and what to do) {
  auto line = describe_recreated("itest.demo.t", 2, 0, 49);
  CAF_MESSAGE(line);
  for (const char* part :
       {"topic itest.demo.t was deleted and created again while binlog2kafka "
        "wrote to it",
        "partition 2 took a record at offset 0, after one at offset 49",
        "what it held before is gone", "snapshot the table again",
        "binlog2kafka snapshot --config-file="})
    CAF_CHECK(line.find(part) != std::string::npos);
}
