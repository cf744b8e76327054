#define CAF_SUITE kafka.transaction_faults

// The exactly-once producer against librdkafka's mock cluster, with faults
// timed inside the commit of a Kafka transaction: a slow EndTxn, EndTxn
// errors, and a successor that starts (as after a kill -9) while the
// predecessor waits for its EndTxn. Each test checks that its fault was
// served (the broker's error stack is empty afterwards). The mock cluster
// does not hide aborted records from a reader, so the topics are checked
// for data that no commit-log record covers, and the real broker's
// read_committed view is tested by tests/integration/test_exactly_once.sh.

#include "actors/producer.hpp"

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/test/unit_test.hpp>

#include "config/settings.hpp"
#include "kafka/client.hpp"
#include "kafka/commit_log.hpp"
#include "messages/error.hpp"
#include "tests/unit/fixtures.hpp"
#include "tests/unit/kafka/mock_cluster.hpp"

using namespace b2k;
using namespace b2k::test;
using namespace std::chrono_literals;

namespace {

constexpr int16_t end_txn_api = 26;
constexpr int32_t coordinator = 1; // the mock cluster has one broker
constexpr const char* topic_name = "txn.db.t";
constexpr const char* commit_topic = "txn.commits";

/// One broker (the transaction coordinator), the topic in two partitions.
struct one_broker : mock_cluster {
  one_broker() : mock_cluster(1) {
    create_topic(topic_name, 2);
  }

  /// The values of every record of `topic`, partition by partition.
  std::vector<std::string> values(const char* topic, int32_t partitions) {
    std::vector<std::string> result;
    for (auto& kv : read(topic, partitions))
      result.push_back(std::move(kv.second));
    return result;
  }

  size_t pending_end_txn_faults() {
    size_t n = 0;
    rd_kafka_mock_broker_error_stack_cnt(cluster, coordinator, end_txn_api, &n);
    return n;
  }
};

/// Batch `seq`: `n` records with values "<seq>:<i>", ending at seq * 100.
record_batch make_batch(uint64_t seq, size_t n) {
  return numbered_batch(topic_name, seq, n, 3);
}

settings_ptr eos_settings(const std::string& brokers) {
  return make_settings([&](settings& s) {
    s.name = "txn";
    s.kafka.brokers = brokers;
    s.kafka.commit_topic = commit_topic;
    s.kafka.delivery = delivery_mode::exactly_once;
    s.kafka.commit_interval = std::chrono::milliseconds(50);
    s.kafka.properties = {{"linger.ms", "2"},
                          {"retry.backoff.ms", "10"},
                          {"reconnect.backoff.max.ms", "200"}};
  });
}

struct fixture {
  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor probe{sys};
  one_broker kafka;
  std::vector<producer_actor> producers;

  producer_actor spawn_producer() {
    auto p = sys.spawn<caf::detached>(producer, eos_settings(kafka.bootstraps),
                                      status_actor{});
    auto watcher = sys.spawn(relay_watcher, caf::actor_cast<caf::actor>(probe));
    probe->send(p, atom::attach_v, watcher);
    producers.push_back(p);
    return p;
  }

  ~fixture() {
    for (auto& p : producers) {
      probe->monitor(p);
      probe->send_exit(p, caf::exit_reason::user_shutdown);
      bool down = false;
      while (!down)
        probe->receive([&](caf::down_msg&) { down = true; },
                       [](atom::delivered, uint64_t) {},
                       caf::after(60s) >> [&] { down = true; });
    }
  }

  std::set<uint64_t> await_delivered(size_t n) {
    std::set<uint64_t> seen;
    bool timed_out = false;
    while (seen.size() < n && !timed_out)
      probe->receive([&](atom::delivered,
                         uint64_t seq) { CAF_CHECK(seen.insert(seq).second); },
                     caf::after(60s) >> [&] { timed_out = true; });
    CAF_CHECK(!timed_out);
    return seen;
  }

  /// The commit log's positions, in order.
  std::vector<uint64_t> commit_positions() {
    std::vector<uint64_t> result;
    for (auto& rec : kafka.values(commit_topic, 1)) {
      auto c = kafka::decode_commit(rec);
      CAF_REQUIRE(c);
      result.push_back(c->pos.pos);
    }
    return result;
  }

  /// The topic holds batches 1..n, each record once.
  void check_topic(uint64_t n, size_t records) {
    auto values = kafka.values(topic_name, 2);
    std::multiset<std::string> got(values.begin(), values.end());
    std::multiset<std::string> want;
    for (uint64_t seq = 1; seq <= n; ++seq)
      for (size_t i = 0; i < records; ++i)
        want.insert(std::to_string(seq) + ":" + std::to_string(i));
    CAF_CHECK_EQUAL(got.size(), want.size());
    CAF_CHECK(got == want);
  }
};

std::set<uint64_t> seqs(uint64_t n) {
  std::set<uint64_t> result;
  for (uint64_t i = 1; i <= n; ++i)
    result.insert(i);
  return result;
}

} // namespace

CAF_TEST(the exactly-once producer outlives a broker outage of minutes) {
  // librdkafka's default transaction.timeout.ms (60 s) let the coordinator
  // abort the open transaction and fence the producer during a longer
  // outage: a fatal error. Ours is the broker's maximum, 15 min.
  auto props = kafka::transactional_producer_defaults();
  std::map<std::string, std::string> m(props.begin(), props.end());
  CAF_CHECK_EQUAL(m["transaction.timeout.ms"], "900000");
  CAF_CHECK_EQUAL(m["socket.timeout.ms"], "60000");
  CAF_CHECK_EQUAL(m["enable.idempotence"], "true");
  CAF_CHECK_EQUAL(m["message.timeout.ms"], "0");
  // librdkafka accepts them together with a transactional.id.
  props.emplace_back("transactional.id", "check");
  auto conf = kafka::make_conf("127.0.0.1:9", props, {});
  CAF_REQUIRE(conf);
  auto client = kafka::make_client(RD_KAFKA_PRODUCER, *conf);
  CAF_CHECK(client);
  // The at-least-once producer keeps librdkafka's defaults for both.
  for (auto& [k, v] : kafka::producer_defaults())
    CAF_CHECK(k != "transaction.timeout.ms" && k != "socket.timeout.ms");
}

CAF_TEST_FIXTURE_SCOPE(transaction_fault_tests, fixture)

CAF_TEST(a slow EndTxn delays the commit and loses or repeats nothing) {
  auto aut = spawn_producer();
  rd_kafka_mock_broker_push_request_error_rtts(kafka.cluster, coordinator,
                                               end_txn_api, 1,
                                               RD_KAFKA_RESP_ERR_NO_ERROR,
                                               1500);
  auto t0 = std::chrono::steady_clock::now();
  for (uint64_t seq = 1; seq <= 4; ++seq)
    probe->send(aut, make_batch(seq, 10));
  CAF_CHECK_EQUAL(await_delivered(4), seqs(4));
  CAF_CHECK_EQUAL(kafka.pending_end_txn_faults(), 0u); // it was served
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::steady_clock::now() - t0)
              .count();
  CAF_CHECK_GREATER_OR_EQUAL(ms, 1500);
  check_topic(4, 10);
  auto log = commit_positions();
  CAF_REQUIRE(!log.empty());
  CAF_CHECK_EQUAL(log.back(), 400u);
}

CAF_TEST(EndTxn errors are retried until the commit holds) {
  auto aut = spawn_producer();
  rd_kafka_mock_broker_push_request_error_rtts(
    kafka.cluster, coordinator, end_txn_api, 3,
    RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, 0,
    RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS, 0,
    RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, 0);
  for (uint64_t seq = 1; seq <= 3; ++seq)
    probe->send(aut, make_batch(seq, 10));
  CAF_CHECK_EQUAL(await_delivered(3), seqs(3));
  CAF_CHECK_EQUAL(kafka.pending_end_txn_faults(), 0u);
  check_topic(3, 10);
  auto log = commit_positions();
  CAF_REQUIRE(!log.empty());
  CAF_CHECK_EQUAL(log.back(), 300u);
  // Never backwards.
  for (size_t i = 1; i < log.size(); ++i)
    CAF_CHECK_LESS_OR_EQUAL(log[i - 1], log[i]);
}

// A kill -9 inside rd_kafka_commit_transaction, seen from the successor:
// the predecessor's EndTxn is on its way when the successor fences it and
// reads where to resume. That position must cover exactly the data in the
// topic: resuming there sends nothing twice and skips nothing.
CAF_TEST(a successor started during a commit resumes where the data ends) {
  auto first = spawn_producer();
  probe->send(first, make_batch(1, 10));
  CAF_CHECK_EQUAL(await_delivered(1), seqs(1));
  rd_kafka_mock_broker_push_request_error_rtts(kafka.cluster, coordinator,
                                               end_txn_api, 1,
                                               RD_KAFKA_RESP_ERR_NO_ERROR,
                                               4000);
  probe->send(first, make_batch(2, 10));
  probe->send(first, make_batch(3, 10));
  // The EndTxn was received: the first producer is inside its commit.
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (kafka.pending_end_txn_faults() > 0
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  CAF_REQUIRE_EQUAL(kafka.pending_end_txn_faults(), 0u);
  auto second = spawn_producer();
  binlog::position pos;
  probe->request(second, 60s, atom::resume_v)
    .receive([&](binlog::position& p) { pos = std::move(p); },
             [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
  CAF_CHECK_EQUAL(pos.file, "binlog.000001");
  // The transaction's own commit-log record covers batches 2 and 3.
  uint64_t resumed = pos.pos / 100;
  CAF_CHECK_EQUAL(resumed, 3u);
  // The successor sends what comes after its position, as the reader would.
  for (uint64_t seq = resumed + 1; seq <= 5; ++seq)
    probe->send(second, make_batch(seq, 10));
  std::set<uint64_t> seen;
  auto until = std::chrono::steady_clock::now() + 60s;
  while ((seen.count(4) == 0 || seen.count(5) == 0)
         && std::chrono::steady_clock::now() < until)
    probe->receive([&](atom::delivered, uint64_t seq) { seen.insert(seq); },
                   caf::after(1s) >> [] {});
  CAF_CHECK_EQUAL(seen.count(5), 1u);
  check_topic(5, 10);
  auto log = commit_positions();
  CAF_REQUIRE(!log.empty());
  CAF_CHECK_EQUAL(log.back(), 500u);
}

CAF_TEST_FIXTURE_SCOPE_END()
