#define CAF_SUITE kafka.producer_faults

// The producer against librdkafka's in-process mock cluster: injected
// errors, brokers down and up, slow round trips. Whatever happens, every
// record reaches the topic exactly once and in order per key, and a batch is
// reported delivered only when all of its records are.

#include "actors/producer.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/test/unit_test.hpp>

#include "config/settings.hpp"
#include "kafka/commit_log.hpp"
#include "messages/error.hpp"
#include "tests/unit/fixtures.hpp"
#include "tests/unit/kafka/mock_cluster.hpp"

using namespace b2k;
using namespace b2k::test;
using namespace std::chrono_literals;

namespace {

constexpr int16_t produce_api = 0;
constexpr const char* topic_name = "faults.db.t";

/// Three brokers, the topic in four partitions.
struct three_brokers : mock_cluster {
  three_brokers() : mock_cluster(3) {
    create_topic(topic_name, 4);
  }

  /// Every record of the topic: key -> values in partition order.
  std::map<std::string, std::vector<std::string>> read_all() {
    std::map<std::string, std::vector<std::string>> result;
    for (auto& [key, value] : read(topic_name, 4))
      result[key].push_back(std::move(value));
    return result;
  }
};

record_batch make_batch(uint64_t seq, size_t n, size_t keys) {
  return numbered_batch(topic_name, seq, n, keys);
}

/// The producer's settings against the mock cluster.
settings_ptr producer_settings(const std::string& brokers, bool exactly_once) {
  return make_settings([&](settings& s) {
    s.name = "faults";
    s.kafka.brokers = brokers;
    s.kafka.commit_topic = "faults.commits";
    s.kafka.delivery = exactly_once ? delivery_mode::exactly_once
                                    : delivery_mode::at_least_once;
    // How long a transaction collects batches.
    s.kafka.commit_interval = std::chrono::milliseconds(50);
    s.kafka.properties = {{"linger.ms", "2"},
                          {"retry.backoff.ms", "10"},
                          {"reconnect.backoff.max.ms", "200"},
                          {"topic.metadata.refresh.interval.ms", "1000"}};
  });
}

struct fixture {
  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor probe{sys};
  three_brokers kafka;
  producer_actor aut;

  explicit fixture(bool exactly_once = false) {
    // Detached, as the supervisor spawns it.
    aut = sys.spawn<caf::detached>(
      producer, producer_settings(kafka.bootstraps, exactly_once),
      status_actor{});
    auto watcher = sys.spawn(relay_watcher, caf::actor_cast<caf::actor>(probe));
    probe->send(aut, atom::attach_v, watcher);
  }

  ~fixture() {
    // Stop the producer before the mock cluster goes away.
    probe->monitor(aut);
    probe->send_exit(aut, caf::exit_reason::user_shutdown);
    bool down = false;
    while (!down)
      probe->receive([&](caf::down_msg&) { down = true; },
                     [](atom::delivered, uint64_t) {},
                     caf::after(30s) >> [&] { down = true; });
  }

  /// Waits for the delivery of every seq in `expected` (30 s at most).
  std::set<uint64_t> await_delivered(std::set<uint64_t> expected) {
    std::set<uint64_t> seen;
    bool timed_out = false;
    while (seen.size() < expected.size() && !timed_out) {
      probe->receive(
        [&](atom::delivered, uint64_t seq) {
          CAF_CHECK(seen.insert(seq).second); // each batch reported once
        },
        caf::after(30s) >> [&] { timed_out = true; });
    }
    CAF_CHECK(!timed_out);
    return seen;
  }

  /// Checks that the topic holds every record of `batches` exactly once and
  /// in order per key.
  void check_topic(uint64_t batches, size_t n, size_t keys) {
    auto records = kafka.read_all();
    size_t total = 0;
    for (auto& [key, values] : records)
      total += values.size();
    CAF_CHECK_EQUAL(total, batches * n);
    for (size_t k = 0; k < keys; ++k) {
      auto key = "{\"id\":" + std::to_string(k) + "}";
      std::vector<std::string> expected;
      for (uint64_t seq = 1; seq <= batches; ++seq)
        for (size_t i = k; i < n; i += keys)
          expected.push_back(std::to_string(seq) + ":" + std::to_string(i));
      CAF_CHECK_EQUAL(records[key], expected);
    }
  }
};

std::set<uint64_t> seqs(uint64_t n) {
  std::set<uint64_t> result;
  for (uint64_t i = 1; i <= n; ++i)
    result.insert(i);
  return result;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(producer_fault_tests, fixture)

CAF_TEST(every record arrives once and in order per key) {
  for (uint64_t seq = 1; seq <= 20; ++seq)
    probe->send(aut, make_batch(seq, 100, 7));
  CAF_CHECK_EQUAL(await_delivered(seqs(20)), seqs(20));
  check_topic(20, 100, 7);
}

CAF_TEST(retriable produce errors lose and duplicate nothing) {
  rd_kafka_mock_push_request_errors(
    kafka.cluster, produce_api, 8, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
    RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT,
    RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
    RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
    RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR__TRANSPORT,
    RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT);
  for (uint64_t seq = 1; seq <= 20; ++seq)
    probe->send(aut, make_batch(seq, 100, 7));
  CAF_CHECK_EQUAL(await_delivered(seqs(20)), seqs(20));
  check_topic(20, 100, 7);
}

CAF_TEST(records wait while every broker is down and go out when one is up) {
  // Let the producer get its idempotence id first.
  probe->send(aut, make_batch(1, 10, 3));
  CAF_CHECK_EQUAL(await_delivered(seqs(1)), seqs(1));
  kafka.set_all_brokers(false);
  for (uint64_t seq = 2; seq <= 10; ++seq)
    probe->send(aut, make_batch(seq, 10, 3));
  // Nothing can be acknowledged while the cluster is away.
  bool delivered_while_down = false;
  probe->receive([&](atom::delivered,
                     uint64_t) { delivered_while_down = true; },
                 caf::after(1500ms) >> [] {});
  CAF_CHECK(!delivered_while_down);
  kafka.set_all_brokers(true);
  std::set<uint64_t> rest;
  for (uint64_t seq = 2; seq <= 10; ++seq)
    rest.insert(seq);
  CAF_CHECK_EQUAL(await_delivered(rest), rest);
  check_topic(10, 10, 3);
}

CAF_TEST(slow round trips delay but keep order) {
  for (int32_t id = 1; id <= 3; ++id)
    rd_kafka_mock_broker_set_rtt(kafka.cluster, id, 200);
  for (uint64_t seq = 1; seq <= 10; ++seq)
    probe->send(aut, make_batch(seq, 50, 5));
  CAF_CHECK_EQUAL(await_delivered(seqs(10)), seqs(10));
  check_topic(10, 50, 5);
}

CAF_TEST(drain answers once nothing is in flight) {
  for (uint64_t seq = 1; seq <= 5; ++seq)
    probe->send(aut, make_batch(seq, 100, 5));
  uint64_t drained = 1;
  probe->request(aut, 30s, atom::drain_v)
    .receive([&](uint64_t n) { drained = n; },
             [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
  CAF_CHECK_EQUAL(drained, 0u);
  // Everything was delivered before drain answered.
  std::set<uint64_t> seen;
  while (seen.size() < 5)
    probe->receive([&](atom::delivered, uint64_t seq) { seen.insert(seq); },
                   caf::after(1s) >> [&] { CAF_FAIL("delivery missing"); });
  check_topic(5, 100, 5);
}

CAF_TEST(a record refused for good stops the producer with a clear error) {
  // Authorization failures are not retried: the batch must not be reported
  // delivered, and the producer must stop with delivery_failed.
  std::vector<rd_kafka_resp_err_t> errors(
    50, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  rd_kafka_mock_push_request_errors_array(kafka.cluster, produce_api,
                                          errors.size(), errors.data());
  probe->monitor(aut);
  probe->send(aut, make_batch(1, 5, 1));
  caf::error reason;
  bool delivered = false;
  bool down = false;
  while (!down)
    probe->receive([&](atom::delivered, uint64_t) { delivered = true; },
                   [&](caf::down_msg& dm) {
                     reason = dm.reason;
                     down = true;
                   },
                   caf::after(30s) >>
                     [&] { CAF_FAIL("the producer did not stop"); });
  CAF_CHECK(!delivered);
  CAF_CHECK_EQUAL(reason.category(), caf::atom("b2k"));
  CAF_CHECK_EQUAL(static_cast<b2k::ec>(reason.code()),
                  b2k::ec::delivery_failed);
  auto text = describe_config_error(reason);
  CAF_MESSAGE("error: " << text);
  CAF_CHECK(text.find(topic_name) != std::string::npos);
  CAF_CHECK(text.find("authoriz") != std::string::npos
            || text.find("Authoriz") != std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

struct eos_fixture : fixture {
  eos_fixture() : fixture(true) {
  }

  /// The commit-log records, in order.
  std::vector<std::string> commits() {
    std::vector<std::string> result;
    char errstr[256];
    auto conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", kafka.bootstraps.c_str(),
                      errstr, sizeof(errstr));
    rd_kafka_conf_set(conf, "enable.partition.eof", "true", errstr,
                      sizeof(errstr));
    rd_kafka_conf_set(conf, "group.id", "verifier", errstr, sizeof(errstr));
    auto rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    auto rkt = rd_kafka_topic_new(rk, "faults.commits", nullptr);
    rd_kafka_consume_start(rkt, 0, RD_KAFKA_OFFSET_BEGINNING);
    for (;;) {
      auto msg = rd_kafka_consume(rkt, 0, 10000);
      if (msg == nullptr)
        break;
      bool eof = msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
      if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR)
        result.emplace_back(static_cast<const char*>(msg->payload), msg->len);
      rd_kafka_message_destroy(msg);
      if (eof)
        break;
    }
    rd_kafka_consume_stop(rkt, 0);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return result;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(exactly_once_tests, eos_fixture)

CAF_TEST(transactions carry the batches and the position that covers them) {
  for (uint64_t seq = 1; seq <= 10; ++seq)
    probe->send(aut, make_batch(seq, 50, 5));
  CAF_CHECK_EQUAL(await_delivered(seqs(10)), seqs(10));
  check_topic(10, 50, 5);
  auto log = commits();
  CAF_REQUIRE(!log.empty());
  // The last transaction recorded the end of the last batch.
  CAF_CHECK(log.back().find("\"pos\":1000") != std::string::npos);
}

CAF_TEST(an aborted transaction is sent again) {
  // A produce request refused for good makes the transaction abortable: the
  // producer must abort and send the batches again in a new transaction.
  rd_kafka_mock_push_request_errors(kafka.cluster, produce_api, 1,
                                    RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  for (uint64_t seq = 1; seq <= 5; ++seq)
    probe->send(aut, make_batch(seq, 20, 4));
  CAF_CHECK_EQUAL(await_delivered(seqs(5)), seqs(5));
  // Reported is not enough: the records are in the topic. The mock cluster
  // does not hide aborted records from read_committed consumers, so each
  // key shows what each aborted attempt wrote before it failed (a prefix of
  // its records; librdkafka may need more than one) followed by every
  // record once, in order: the committed transaction that sent them again.
  auto records = kafka.read_all();
  for (size_t k = 0; k < 4; ++k) {
    auto key = "{\"id\":" + std::to_string(k) + "}";
    std::vector<std::string> expected;
    for (uint64_t seq = 1; seq <= 5; ++seq)
      for (size_t i = k; i < 20; i += 4)
        expected.push_back(std::to_string(seq) + ":" + std::to_string(i));
    auto& got = records[key];
    CAF_REQUIRE_GREATER_OR_EQUAL(got.size(), expected.size());
    auto committed = got.end() - static_cast<long>(expected.size());
    CAF_CHECK_EQUAL(std::vector<std::string>(committed, got.end()), expected);
    // The aborted attempts: runs that each start at the first record.
    for (auto run = got.begin(); run != committed;) {
      auto next = std::find(run + 1, committed, expected.front());
      auto n = static_cast<size_t>(next - run);
      CAF_REQUIRE_LESS_OR_EQUAL(n, expected.size());
      CAF_CHECK(std::equal(run, next, expected.begin()));
      run = next;
    }
  }
  // And the commit log says the last batch is in.
  auto log = commits();
  CAF_REQUIRE(!log.empty());
  auto last = kafka::decode_commit(log.back());
  CAF_REQUIRE(last);
  CAF_CHECK_EQUAL(last->pos.pos, 500u);
}

// A release from the watcher that arrives after the producer committed a
// newer transaction (the watcher learns of deliveries later) must not move
// the commit log back: a kill -9 would then resume before committed data.
CAF_TEST(a late release never moves the commit log backwards) {
  for (uint64_t seq = 1; seq <= 3; ++seq)
    probe->send(aut, make_batch(seq, 10, 2));
  CAF_CHECK_EQUAL(await_delivered(seqs(3)), seqs(3));
  auto before = commits();
  CAF_REQUIRE(!before.empty());
  CAF_CHECK(before.back().find("\"pos\":300") != std::string::npos);
  // The watcher's release of batch 2, on its way while batch 3 committed.
  probe->send(aut, atom::checkpoint_v, uint64_t{2}, make_batch(2, 0, 1).end);
  // A newer one with no data of its own (DDL) goes in a transaction alone.
  auto ddl = make_batch(5, 0, 1).end;
  probe->send(aut, atom::checkpoint_v, uint64_t{5}, ddl);
  uint64_t drained = 1;
  probe->request(aut, 30s, atom::drain_v)
    .receive([&](uint64_t n) { drained = n; },
             [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
  CAF_CHECK_EQUAL(drained, 0u);
  auto after = commits();
  CAF_REQUIRE_EQUAL(after.size(), before.size() + 1);
  CAF_CHECK(after.back().find("\"pos\":500") != std::string::npos);
  // Never backwards.
  uint64_t last = 0;
  for (auto& rec : after) {
    auto pos = kafka::decode_commit(rec);
    CAF_REQUIRE(pos);
    CAF_CHECK_LESS_OR_EQUAL(last, pos->pos.pos);
    last = pos->pos.pos;
  }
}

// A new instance learns where to resume only after it fenced the old one,
// so that the old one's last transaction is decided and visible.
CAF_TEST(resume reads the last committed position after fencing) {
  for (uint64_t seq = 1; seq <= 4; ++seq)
    probe->send(aut, make_batch(seq, 10, 2));
  CAF_CHECK_EQUAL(await_delivered(seqs(4)), seqs(4));
  auto successor = sys.spawn<caf::detached>(
    producer, producer_settings(kafka.bootstraps, true), status_actor{});
  binlog::position pos;
  probe->request(successor, 60s, atom::resume_v)
    .receive([&](binlog::position& p) { pos = std::move(p); },
             [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
  CAF_CHECK_EQUAL(pos.file, "binlog.000001");
  CAF_CHECK_EQUAL(pos.pos, 400u);
  probe->send_exit(successor, caf::exit_reason::user_shutdown);
}

CAF_TEST(drain commits the open transaction) {
  probe->send(aut, make_batch(1, 10, 2));
  uint64_t drained = 1;
  probe->request(aut, 30s, atom::drain_v)
    .receive([&](uint64_t n) { drained = n; },
             [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
  CAF_CHECK_EQUAL(drained, 0u);
  CAF_CHECK_EQUAL(await_delivered(seqs(1)), seqs(1));
}

CAF_TEST_FIXTURE_SCOPE_END()
