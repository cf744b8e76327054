#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/actors.hpp"
#include "config/settings.hpp"
#include "kafka/client.hpp"
#include "kafka/commit_log.hpp"
#include "kafka/oversize.hpp"
#include "kafka/partition_offsets.hpp"

namespace b2k {

/// Exactly-once: the Kafka transaction that collects batches and the
/// commit-log record that covers them. Only an exactly-once producer has
/// one.
struct transaction_state {
  /// init_transactions done: a predecessor with our transactional.id is
  /// fenced.
  bool initialized = false;
  bool open = false;
  /// A transaction_due timer is on its way.
  bool timer = false;
  /// The batches in the open transaction.
  std::vector<uint64_t> seqs;
  uint64_t records = 0;
  /// What the open transaction's commit-log record will say: the end of its
  /// last batch (or a release with no data), and that batch's seq.
  binlog::position end;
  uint64_t end_seq = 0;
  /// For the status page: transactions committed and aborted, and when the
  /// last commit was (ms since the epoch).
  uint64_t commits = 0;
  uint64_t aborts = 0;
  int64_t last_commit_ms = 0;
};

/// Asks the producer to poll librdkafka when librdkafka has something for
/// it (a delivery report, an error): called on a librdkafka thread, so it
/// only sends a message, at most one until the producer has polled.
struct poll_waker {
  caf::weak_actor_ptr producer;
  std::atomic<bool> pending{false};
};

struct producer_state {
  static inline const char* name = "producer";

  /// A batch whose records are in librdkafka's hands. The batch's buffer
  /// stays here until the last delivery report: librdkafka reads from it.
  struct in_flight {
    record_batch batch;
    size_t remaining = 0;
  };

  producer_actor::pointer self = nullptr;
  settings_ptr config;
  /// Where to report metrics (none in tests).
  status_actor status;
  delivery_listener_actor watcher;
  std::optional<kafka::commit_log> commit_log;
  kafka::client_ptr client;
  /// librdkafka's main queue (what rd_kafka_poll serves), whose event
  /// callback wakes us through `waker`.
  rd_kafka_queue_t* main_queue = nullptr;
  std::unique_ptr<poll_waker> waker;
  std::unordered_map<std::string, rd_kafka_topic_t*> topics;
  /// The handles of the batch being produced, by its topic index.
  std::vector<rd_kafka_topic_t*> rkts;
  std::unordered_map<rd_kafka_topic_t*, int32_t> partition_counts;
  /// Topics that took a record (one that then fails was deleted), and the
  /// last one, which spares a lookup per record.
  std::unordered_set<rd_kafka_topic_t*> delivered_topics;
  rd_kafka_topic_t* last_delivered_topic = nullptr;
  /// The highest offset delivered to each partition of the data topics: one
  /// that starts again was created again (check_recreated). Those counted
  /// (a /metrics counter), and the topics named once in a warning.
  kafka::partition_offsets delivered_offsets;
  uint64_t recreated_partitions = 0;
  std::unordered_set<rd_kafka_topic_t*> recreated_warned;
  /// The limit on one record for each topic, read from the broker when the
  /// topic is first needed (again later while it is not known for sure).
  struct topic_limit {
    kafka::record_limit limit;
    bool known = false;
    std::chrono::steady_clock::time_point retry_at;
  };
  std::unordered_map<std::string, topic_limit> limits;
  /// The producer's message.max.bytes, and the brokers' (what a topic
  /// created by the broker gets), once read.
  uint64_t producer_max = kafka::default_producer_max;
  std::optional<uint64_t> broker_max;
  /// Records over their limit that went to the dead-letter topic, and those
  /// sent with truncated columns.
  uint64_t dead_letter_records = 0;
  uint64_t truncated_records = 0;
  std::unordered_map<uint64_t, in_flight> batches;
  /// Records handed to librdkafka whose delivery is not yet reported.
  uint64_t outstanding = 0;
  /// The fallback poll timer is on its way.
  bool polling = false;
  bool closing = false;
  /// The first delivery that failed for good: the pipeline must stop.
  caf::error failure;
  /// Delivery reports served so far, and how many there were at the last
  /// stall check (when records wait and none comes, topics are checked).
  uint64_t reports = 0;
  uint64_t reports_at_check = 0;
  std::chrono::steady_clock::time_point next_stall_check;
  /// Topics named once in a warning that records wait for them.
  std::unordered_set<std::string> waiting_warned;
  std::vector<caf::typed_response_promise<uint64_t>> drain_waiters;
  uint64_t delivered_records = 0;
  /// Exactly-once only.
  std::optional<transaction_state> txn;

  /// The sequence number that the newest commit-log record follows
  /// (at-least-once: handed to librdkafka; exactly-once: committed). A
  /// record for an older or equal one is never written: the commit log
  /// never goes backwards.
  uint64_t written_seq = 0;

  ~producer_state();

  rd_kafka_topic_t* topic(std::string_view name);
  int32_t partition_for(rd_kafka_topic_t* rkt, std::string_view key);
  /// The limit on one record of topic `name` (reads the broker's
  /// configuration the first time: blocks up to a few seconds).
  const kafka::record_limit& limit_of(const std::string& name);
  /// Handles for the topics of `batch` not yet in rkts.
  void add_batch_topics(const record_batch& batch);
  /// Applies `oversize` to the records of `batch` over their limit: false
  /// (and failure set) if one cannot be sent.
  bool fit_records(record_batch& batch);
  void send(record_batch&& batch);
  /// Hands the records of a batch that is already in `batches` to librdkafka.
  bool produce(in_flight& entry);
  /// Queues a commit-log record for `pos`, which follows batch `seq`.
  bool produce_commit(uint64_t seq, const binlog::position& pos);
  /// A release from the watcher: batch `seq` and all before it are in Kafka.
  void checkpoint(uint64_t seq, const binlog::position& pos);
  /// The newest position in the commit log, read after fencing (exactly-once).
  caf::expected<binlog::position> resume_position();
  // Exactly-once.
  bool begin_transaction();
  /// Commits the open transaction with a commit-log record for its end;
  /// aborts and sends its batches again if Kafka says so.
  void commit_transaction();
  caf::error init_transactions();
  /// Serves librdkafka's delivery reports; `from_timer` for the fallback
  /// timer's poll.
  void poll(bool from_timer);
  /// Records wait and no delivery report came for a while: a topic that
  /// does not exist on a broker that will not create it stops the pipeline
  /// (librdkafka would wait topic.metadata.propagation.max.ms, 10 min, in
  /// silence); one the broker may still create gets a warning.
  void check_stall();
  void schedule_poll();
  /// Has librdkafka wake us (poll_waker) when its main queue gets
  /// something; call once, after the client is made.
  void enable_wake_ups();
  /// Called from librdkafka's delivery report callback (inside poll()).
  void on_delivery(const rd_kafka_message_t* msg);
  /// A data record delivered: warns once per topic if its partition started
  /// again (the topic was deleted and created again while running, and the
  /// producer went on into the new one without an error).
  void check_recreated(const rd_kafka_message_t* msg);
  /// Fails pending drains and stops the actor with `failure`.
  void check_failure();
  /// Answers drain requests if nothing is in flight any more.
  void answer_drains();
};

/// Spawn it detached: librdkafka's calls block (metadata for the partition
/// of a table without a key, a full queue, transactions, the commit-log
/// read).
producer_actor::behavior_type
producer(producer_actor::stateful_pointer<producer_state> self,
         settings_ptr config, status_actor status);

} // namespace b2k
