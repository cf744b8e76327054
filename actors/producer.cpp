#include "actors/producer.hpp"

#include <chrono>

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "binlog/checksum.hpp"
#include "config/defaults.hpp"
#include "kafka/commit_log.hpp"
#include "kafka/oversize.hpp"
#include "kafka/partition_offsets.hpp"
#include "kafka/refusal.hpp"
#include "kafka/topic_config.hpp"
#include "messages/error.hpp"

namespace b2k {

namespace {

// Commit-log records carry this as their opaque, batches their seq (> 0).
constexpr uintptr_t commit_opaque = 0;

// Reading a topic's configuration: how long to wait for the broker, and
// when to ask again while the answer is not final (a topic the broker has
// not created yet, a broker that did not answer).
constexpr int describe_timeout_ms = 5000;
constexpr auto describe_retry = std::chrono::seconds{30};

// Records that wait this long without any delivery report get their topics
// checked.
constexpr auto stall_period = std::chrono::seconds{10};

// Delivery reports are served when librdkafka's main queue signals them
// (wake_producer); while records are in flight a timer polls this often
// too, should a wake-up ever be missed. (A 1 ms timer woke two threads
// 1,000 times a second for the whole of a drain.)
constexpr auto poll_fallback_interval = std::chrono::milliseconds{100};

// Served by rd_kafka_poll like delivery reports. Transient errors (brokers
// down) are already in the log and librdkafka retries them; a fatal one
// (idempotence broken) means no further record can be trusted in order.
void client_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto st = static_cast<producer_state*>(opaque);
  if (err != RD_KAFKA_RESP_ERR__FATAL) {
    spdlog::debug("kafka: {}", reason);
    return;
  }
  char text[512];
  rd_kafka_fatal_error(rk, text, sizeof(text));
  if (!st->failure)
    st->failure = caf::make_error(
      ec::delivery_failed, std::string{"Kafka producer failed: "} + text);
}

void delivery_report(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  static_cast<producer_state*>(opaque)->on_delivery(msg);
}

// librdkafka calls this on its own thread when its main queue goes from
// empty to not empty; it must not call librdkafka.
void wake_producer(rd_kafka_t*, void* opaque) {
  auto waker = static_cast<poll_waker*>(opaque);
  if (waker->pending.exchange(true))
    return;
  if (auto producer = waker->producer.lock())
    caf::anon_send(caf::actor_cast<producer_actor>(producer), atom::poll_v);
}

} // namespace

producer_state::~producer_state() {
  if (!client)
    return;
  // Nothing queued can be released any more (the watcher did not see it
  // delivered), so a restart sends it again: drop it, then close librdkafka
  // while the batches it reads from still exist.
  closing = true;
  if (main_queue != nullptr) {
    // Returns once no callback runs any more.
    rd_kafka_queue_cb_event_enable(main_queue, nullptr, nullptr);
    rd_kafka_queue_destroy(main_queue);
    main_queue = nullptr;
  }
  rd_kafka_purge(client.get(),
                 RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(client.get(), 0);
  for (auto& [name, rkt] : topics)
    rd_kafka_topic_destroy(rkt);
  topics.clear();
  client.reset();
}

rd_kafka_topic_t* producer_state::topic(std::string_view name) {
  auto key = std::string{name};
  auto i = topics.find(key);
  if (i != topics.end())
    return i->second;
  auto rkt = rd_kafka_topic_new(client.get(), key.c_str(), nullptr);
  topics.emplace(std::move(key), rkt);
  return rkt;
}

int32_t producer_state::partition_for(rd_kafka_topic_t* rkt,
                                      std::string_view key) {
  // Rows of a table without a primary key all go to one partition, chosen
  // from "db.table", so that their order holds.
  auto i = partition_counts.find(rkt);
  int32_t count = 0;
  if (i == partition_counts.end()) {
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(client.get(), 0, rkt, &md, 10000)
          == RD_KAFKA_RESP_ERR_NO_ERROR
        && md->topic_cnt == 1 && md->topics[0].err == 0)
      count = md->topics[0].partition_cnt;
    if (md != nullptr)
      rd_kafka_metadata_destroy(md);
    if (count > 0)
      partition_counts.emplace(rkt, count);
  } else {
    count = i->second;
  }
  if (count <= 0)
    return 0; // the topic is being created: one partition by default
  auto hash = binlog::crc32(reinterpret_cast<const uint8_t*>(key.data()),
                            key.size());
  return static_cast<int32_t>(hash % static_cast<uint32_t>(count));
}

void producer_state::send(record_batch&& incoming) {
  auto seq = incoming.seq;
  if (incoming.records.empty()) {
    self->send(watcher, atom::delivered_v, seq);
    return;
  }
  if (txn && !txn->open && !begin_transaction())
    return;
  // Move the batch to its final place before librdkafka sees its bytes.
  auto& entry = batches[seq];
  entry.batch = std::move(incoming);
  if (!produce(entry))
    return;
  if (txn) {
    txn->seqs.push_back(seq);
    txn->end = entry.batch.end;
    txn->end_seq = seq;
    txn->records += entry.batch.records.size();
    if (txn->records >= defaults::transaction_records) {
      commit_transaction();
    } else if (!txn->timer) {
      txn->timer = true;
      self->delayed_send(self, config->kafka.commit_interval,
                         atom::transaction_due_v);
    }
  }
  schedule_poll();
}

const kafka::record_limit& producer_state::limit_of(const std::string& name) {
  auto now = std::chrono::steady_clock::now();
  auto& entry = limits[name];
  if (entry.known || (entry.limit.bytes > 0 && now < entry.retry_at))
    return entry.limit;
  bool missing = false;
  std::optional<uint64_t> topic_max;
  auto entries = kafka::describe_topic(client.get(), name, describe_timeout_ms,
                                       &missing);
  bool first = entry.limit.bytes == 0;
  if (entries) {
    if (auto x = kafka::number_entry(*entries, "max.message.bytes"))
      topic_max = static_cast<uint64_t>(*x);
    entry.known = true;
  } else if (missing) {
    // The broker creates it with its own message.max.bytes (auto-create):
    // check against that now, and read the topic's own once it exists.
    if (!broker_max)
      if (auto broker = kafka::describe_any_broker(client.get(),
                                                   describe_timeout_ms))
        if (auto x = kafka::number_entry(*broker, "message.max.bytes"))
          broker_max = static_cast<uint64_t>(*x);
    topic_max = broker_max;
  } else if (first) {
    spdlog::warn(
      "producer: {}; records for it are checked against the "
      "producer's message.max.bytes only",
      self->system().render(entries.error()));
  }
  entry.limit = kafka::limit_for(name, producer_max, topic_max);
  entry.retry_at = now + describe_retry;
  if (entry.known && topic_max && *topic_max < producer_max)
    spdlog::warn(
      "producer: topic {}'s max.message.bytes ({}) is below the "
      "producer's message.max.bytes ({}): the broker refuses a "
      "batch of small records larger than the topic's limit; set "
      "kafka = [\"message.max.bytes={}\"] or raise the topic's",
      name, *topic_max, producer_max, *topic_max);
  return entry.limit;
}

void producer_state::add_batch_topics(const record_batch& batch) {
  for (auto i = rkts.size(); i < batch.topics.size(); ++i)
    rkts.push_back(topic(batch.topics[i]));
}

bool producer_state::fit_records(record_batch& batch) {
  auto mode = config->kafka.oversize;
  for (auto& r : batch.records) {
    auto key = batch.key(r);
    auto value = batch.value(r);
    auto size = kafka::record_size(key, value, r.headers_size);
    // Most records are far below any limit: only a larger one needs its
    // topic's, read from the broker the first time.
    if (size <= kafka::small_record
        && size + kafka::record_overhead <= producer_max)
      continue;
    auto& limit = limit_of(std::string{batch.topic(r)});
    if (size <= limit.bytes)
      continue;
    auto origin = kafka::origin_of(value);
    std::string topic_name{batch.topic(r)};
    auto what = kafka::describe_oversize(origin, topic_name, key, size, limit);
    std::string replacement;
    if (mode == oversize_mode::fail) {
      failure = caf::make_error(ec::delivery_failed, what);
      check_failure();
      return false;
    }
    if (mode == oversize_mode::truncate_columns) {
      auto room = limit.bytes
                  - std::min(limit.bytes, key.size() + r.headers_size);
      auto cut = kafka::truncate_columns(value, room);
      if (!cut) {
        failure = caf::make_error(
          ec::delivery_failed,
          what.substr(0, what.find(": raise both"))
            + ": replacing its column values by markers does not make it fit "
              "(raise the limits, or set oversize = dead-letter)");
        check_failure();
        return false;
      }
      std::string columns;
      for (auto& [name, bytes] : cut->replaced)
        columns += (columns.empty() ? "" : ", ") + name + " ("
                   + std::to_string(bytes) + " bytes)";
      spdlog::warn(
        "producer: {} is {} bytes, over the limit of {}: sent with "
        "truncated columns {} (oversize = truncate-columns)",
        origin.table.empty() ? topic_name : origin.table, size, limit.bytes,
        columns);
      replacement = std::move(cut->value);
      ++truncated_records;
    } else {
      auto dead_letter = config->dead_letter_topic();
      spdlog::warn(
        "producer: {}; sent its key and position to {} instead "
        "(oversize = dead-letter)",
        what.substr(0, what.find(": raise both")), dead_letter);
      replacement = kafka::dead_letter_value(origin, topic_name, key, size,
                                             limit);
      r.topic = batch.topic_index(dead_letter);
      r.headers_size = 0;
      ++dead_letter_records;
    }
    // Appending may move the buffer: nothing of this batch is in
    // librdkafka's hands yet.
    r.value_offset = static_cast<uint32_t>(batch.data.size());
    r.value_size = static_cast<uint32_t>(replacement.size());
    r.value_null = false;
    batch.data += replacement;
  }
  add_batch_topics(batch);
  return true;
}

bool producer_state::produce(in_flight& entry) {
  auto& batch = entry.batch;
  entry.remaining = batch.records.size();
  auto seq = batch.seq;
  // A batch names its few topics once: look their handles and limits up
  // per batch, not per record (a string and a hash each).
  rkts.clear();
  add_batch_topics(batch);
  if (!fit_records(batch))
    return false;
  for (auto& r : batch.records) {
    auto rkt = rkts[r.topic];
    auto key = batch.key(r);
    auto value = batch.value(r);
    // A tombstone's value is null, which Kafka tells apart from empty.
    auto value_data = r.value_null ? nullptr : const_cast<char*>(value.data());
    int32_t partition = RD_KAFKA_PARTITION_UA;
    if (key.empty())
      partition = partition_for(rkt, batch.partition_key(r));
    // Headers only for the few records that have some (key changes);
    // librdkafka owns them once a producev succeeds.
    rd_kafka_headers_t* headers = nullptr;
    if (r.headers_size > 0) {
      headers = rd_kafka_headers_new(1);
      header_block::for_each(batch.headers(r), [&](std::string_view name,
                                                   std::string_view value) {
        rd_kafka_header_add(headers, name.data(),
                            static_cast<ssize_t>(name.size()), value.data(),
                            static_cast<ssize_t>(value.size()));
      });
    }
    for (;;) {
      auto err =
        headers != nullptr
          ? rd_kafka_producev(
            client.get(), RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(partition),
            RD_KAFKA_V_VALUE(value_data, r.value_null ? 0 : value.size()),
            RD_KAFKA_V_KEY(key.empty() ? nullptr : key.data(), key.size()),
            RD_KAFKA_V_HEADERS(headers),
            RD_KAFKA_V_OPAQUE(
              reinterpret_cast<void*>(static_cast<uintptr_t>(seq))),
            RD_KAFKA_V_END)
          : rd_kafka_producev(
            client.get(), RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(partition),
            RD_KAFKA_V_VALUE(value_data, r.value_null ? 0 : value.size()),
            RD_KAFKA_V_KEY(key.empty() ? nullptr : key.data(), key.size()),
            RD_KAFKA_V_OPAQUE(
              reinterpret_cast<void*>(static_cast<uintptr_t>(seq))),
            RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        break;
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        // Credit keeps us below the queue limits; if a user lowered them,
        // wait for deliveries rather than drop the record.
        rd_kafka_poll(client.get(), 10);
        continue;
      }
      if (headers != nullptr)
        rd_kafka_headers_destroy(headers);
      failure = caf::make_error(ec::delivery_failed,
                                "cannot hand a record for topic "
                                  + std::string{batch.topic(r)}
                                  + " to librdkafka: " + rd_kafka_err2str(err));
      check_failure();
      return false;
    }
    ++outstanding;
  }
  return true;
}

bool producer_state::produce_commit(uint64_t seq, const binlog::position& pos) {
  // The invariant every path below keeps; cheap enough to check always.
  if (seq <= written_seq) {
    failure = caf::make_error(ec::commit_log,
                              "internal error: commit-log record for batch "
                                + std::to_string(seq) + " ("
                                + binlog::to_string(pos)
                                + ") would not be newer than batch "
                                + std::to_string(written_seq) + "'s");
    check_failure();
    return false;
  }
  auto err = commit_log->produce(client.get(), topic(commit_log->topic()), pos,
                                 reinterpret_cast<void*>(commit_opaque));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::log(txn ? spdlog::level::debug : spdlog::level::warn,
                "producer: cannot queue commit-log record for {}: {}",
                binlog::to_string(pos), rd_kafka_err2str(err));
    return false;
  }
  ++outstanding;
  return true;
}

void producer_state::checkpoint(uint64_t seq, const binlog::position& pos) {
  // A release not newer than what the commit log already says (in
  // exactly-once mode, what a transaction recorded with its data while this
  // release was on its way) must not be written: it would move the commit
  // log backwards, and a restart would send committed data again.
  if (seq <= written_seq)
    return;
  if (!txn) {
    // Not fatal if it fails: the next release writes a newer position.
    if (produce_commit(seq, pos)) {
      written_seq = seq;
      schedule_poll();
    }
    return;
  }
  // A release while a transaction is open is older than what that
  // transaction will record (its batches are not released yet). One with
  // none open (DDL, filtered tables) gets a transaction of its own.
  if (txn->open)
    return;
  if (!begin_transaction())
    return;
  txn->end = pos;
  txn->end_seq = seq;
  commit_transaction();
}

caf::expected<binlog::position> producer_state::resume_position() {
  if (txn && !txn->initialized) {
    // Fences a predecessor with our transactional.id and waits until its
    // last transaction is decided (aborted, or its commit completed), so
    // that the commit log read next shows every committed transaction's
    // position.
    if (auto err = init_transactions())
      return err;
    txn->initialized = true;
  }
  auto last = commit_log->read_last();
  if (!last)
    return last.error();
  if (!*last) {
    spdlog::info("producer: no position for '{}' in commit log {}",
                 commit_log->key(), commit_log->topic());
    return binlog::position{};
  }
  spdlog::info("resuming at {} from commit log {}",
               binlog::to_string((*last)->pos), commit_log->topic());
  return (*last)->pos;
}

bool producer_state::begin_transaction() {
  if (!txn->initialized) {
    // Not at start: only once the reader holds the source lock (it sends
    // nothing before), so a second instance that will be refused never
    // fences the running one. Also fences a zombie with our
    // transactional.id and aborts what it left open.
    if (auto err = init_transactions()) {
      failure = std::move(err);
      check_failure();
      return false;
    }
    txn->initialized = true;
  }
  auto err = rd_kafka_begin_transaction(client.get());
  if (err != nullptr) {
    failure = caf::make_error(ec::delivery_failed,
                              std::string{"cannot begin a Kafka transaction: "}
                                + rd_kafka_error_string(err));
    rd_kafka_error_destroy(err);
    check_failure();
    return false;
  }
  txn->open = true;
  return true;
}

void producer_state::commit_transaction() {
  if (!txn || !txn->open)
    return;
  constexpr int timeout_ms = 60000;
  // Abort, then send every batch of the transaction again in a new one:
  // nothing of the aborted one is visible to read_committed consumers.
  auto abort_and_resend = [&](const std::string& why) {
    spdlog::warn(
      "producer: Kafka transaction aborted ({}); sending its {} "
      "batches again",
      why, txn->seqs.size());
    ++txn->aborts;
    if (auto abort = rd_kafka_abort_transaction(client.get(), timeout_ms)) {
      failure = caf::make_error(
        ec::delivery_failed, std::string{"cannot abort a Kafka transaction: "}
                               + rd_kafka_error_string(abort));
      rd_kafka_error_destroy(abort);
      check_failure();
      return false;
    }
    rd_kafka_poll(client.get(), 0); // serve the aborted deliveries
    if (!begin_transaction())
      return false;
    for (auto seq : txn->seqs)
      if (!produce(batches[seq]))
        return false;
    return true;
  };
  for (bool committed = false; !committed;) {
    // Never commit data without the position that covers it: a restart
    // would send it again.
    if (!produce_commit(txn->end_seq, txn->end)) {
      if (failure)
        return;
      if (!abort_and_resend("the commit-log record could not be added"))
        return;
      continue;
    }
    // (The fault tests kill -9 between these two lines: log-level debug.)
    spdlog::debug(
      "producer: committing Kafka transaction {} ({} batches, "
      "position {})",
      txn->commits + 1, txn->seqs.size(), binlog::to_string(txn->end));
    for (;;) {
      auto err = rd_kafka_commit_transaction(client.get(), timeout_ms);
      if (err == nullptr) {
        committed = true;
        break;
      }
      std::string what = rd_kafka_error_string(err);
      bool retriable = rd_kafka_error_is_retriable(err);
      bool abortable = rd_kafka_error_txn_requires_abort(err);
      rd_kafka_error_destroy(err);
      if (retriable) {
        // The transaction, its commit-log record included, is still open.
        spdlog::warn(
          "producer: committing the transaction failed ({}); "
          "retrying",
          what);
        continue;
      }
      if (!abortable) {
        failure = caf::make_error(ec::delivery_failed,
                                  "Kafka transaction failed: " + what);
        check_failure();
        return;
      }
      if (!abort_and_resend(what))
        return;
      break; // the new transaction needs its commit-log record
    }
  }
  // Everything in the transaction is in Kafka, visibly and atomically.
  rd_kafka_poll(client.get(), 0);
  for (auto seq : txn->seqs) {
    batches.erase(seq);
    self->send(watcher, atom::delivered_v, seq);
  }
  written_seq = txn->end_seq;
  ++txn->commits;
  spdlog::debug("producer: committed Kafka transaction {}", txn->commits);
  txn->last_commit_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  txn->seqs.clear();
  txn->records = 0;
  txn->open = false;
  answer_drains();
}

caf::error producer_state::init_transactions() {
  auto err = rd_kafka_init_transactions(client.get(), 60000);
  if (err == nullptr)
    return caf::none;
  auto result = caf::make_error(
    ec::kafka, "cannot start Kafka transactions for transactional.id "
                 + config->transactional_id() + ": "
                 + rd_kafka_error_string(err));
  rd_kafka_error_destroy(err);
  return result;
}

void producer_state::on_delivery(const rd_kafka_message_t* msg) {
  if (outstanding > 0)
    --outstanding;
  if (closing)
    return;
  ++reports;
  auto seq = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(msg->_private));
  // Before the exactly-once return: a topic created again takes the
  // transaction's records as silently as the idempotent producer's. (The
  // commit log needs only its newest record, which the new topic holds.)
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR && seq != commit_opaque)
    check_recreated(msg);
  // In a transaction, only its commit says what is in Kafka; failed
  // deliveries make the commit fail, and the transaction is sent again.
  if (txn)
    return;
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // librdkafka retries what may pass (no local timeout): what it reports
    // failed is refused for good, the commit-log record included (else the
    // pipeline would run on and its position never move).
    if (!failure) {
      std::string topic = rd_kafka_topic_name(msg->rkt);
      failure = caf::make_error(
        ec::delivery_failed,
        kafka::describe_refusal(msg->err, topic,
                                seq == commit_opaque
                                  ? kafka::refused_record::commit_log
                                  : kafka::refused_record::data,
                                delivered_topics.count(msg->rkt) > 0,
                                config->kafka.brokers,
                                config->kafka.properties));
    }
    return;
  }
  // Which topics took a record: one that then fails existed (deleted?).
  if (msg->rkt != last_delivered_topic) {
    last_delivered_topic = msg->rkt;
    delivered_topics.insert(msg->rkt);
  }
  if (seq == commit_opaque)
    return;
  ++delivered_records;
  auto i = batches.find(seq);
  if (i == batches.end())
    return;
  if (--i->second.remaining == 0) {
    batches.erase(i);
    self->send(watcher, atom::delivered_v, seq);
  }
}

void producer_state::check_recreated(const rd_kafka_message_t* msg) {
  if (!delivered_offsets.note(msg->rkt, msg->partition, msg->offset))
    return;
  ++recreated_partitions;
  // One line per topic: each of its partitions, and each record, says the
  // same.
  if (recreated_warned.insert(msg->rkt).second)
    spdlog::warn("producer: {}",
                 kafka::describe_recreated(rd_kafka_topic_name(msg->rkt),
                                           msg->partition, msg->offset,
                                           delivered_offsets.replaced()));
}

void producer_state::check_failure() {
  if (!failure)
    return;
  for (auto& rp : drain_waiters)
    rp.deliver(failure);
  drain_waiters.clear();
  self->quit(failure);
}

void producer_state::poll(bool from_timer) {
  if (from_timer)
    polling = false;
  // Reset before polling: whatever arrives from now on wakes us again.
  waker->pending.store(false);
  rd_kafka_poll(client.get(), 0);
  if (failure) {
    check_failure();
    return;
  }
  if (outstanding > 0) {
    auto now = std::chrono::steady_clock::now();
    if (reports != reports_at_check
        || next_stall_check == std::chrono::steady_clock::time_point{}) {
      reports_at_check = reports;
      next_stall_check = now + stall_period;
    } else if (now >= next_stall_check) {
      next_stall_check = now + stall_period;
      check_stall();
      if (failure) {
        check_failure();
        return;
      }
    }
    schedule_poll();
    return;
  }
  next_stall_check = {};
  answer_drains();
}

void producer_state::check_stall() {
  // Only the topics this handle knows; an unreachable broker answers
  // nothing, and waiting for it is right (librdkafka says it is down).
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(client.get(), 0, nullptr, &md, describe_timeout_ms)
      != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (md != nullptr)
      rd_kafka_metadata_destroy(md);
    return;
  }
  std::vector<std::string> missing;
  for (int i = 0; i < md->topic_cnt; ++i)
    if (kafka::is_missing_topic(md->topics[i].err))
      missing.emplace_back(md->topics[i].topic);
  rd_kafka_metadata_destroy(md);
  if (missing.empty())
    return;
  std::optional<bool> creates;
  if (auto broker = kafka::describe_any_broker(client.get(),
                                               describe_timeout_ms)) {
    auto i = broker->find("auto.create.topics.enable");
    if (i != broker->end())
      creates = i->second == "true";
  }
  for (auto& name : missing) {
    auto rkt = topics.find(name);
    bool seen = rkt != topics.end() && delivered_topics.count(rkt->second) > 0;
    if (creates && !*creates) {
      failure = caf::make_error(
        ec::delivery_failed,
        kafka::describe_refusal(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, name,
                                name == commit_log->topic()
                                  ? kafka::refused_record::commit_log
                                  : kafka::refused_record::data,
                                seen, config->kafka.brokers,
                                config->kafka.properties));
      return;
    }
    if (waiting_warned.insert(name).second)
      spdlog::warn(
        "producer: records wait for topic {}, which does not "
        "exist{}; create it (binlog2kafka waits for it, at most "
        "topic.metadata.propagation.max.ms)",
        name,
        creates ? " yet (the broker creates topics on first use)"
                : " (the broker's auto.create.topics.enable "
                  "could not be read)");
  }
}

void producer_state::answer_drains() {
  if (outstanding > 0 || (txn && txn->open))
    return;
  for (auto& rp : drain_waiters)
    rp.deliver(uint64_t{0});
  drain_waiters.clear();
}

void producer_state::schedule_poll() {
  if (polling)
    return;
  polling = true;
  self->delayed_send(self, poll_fallback_interval, atom::poll_v);
}

void producer_state::enable_wake_ups() {
  waker = std::make_unique<poll_waker>();
  waker->producer = caf::actor_cast<caf::weak_actor_ptr>(self);
  main_queue = rd_kafka_queue_get_main(client.get());
  rd_kafka_queue_cb_event_enable(main_queue, wake_producer, waker.get());
}

producer_actor::behavior_type
producer(producer_actor::stateful_pointer<producer_state> self,
         settings_ptr config, status_actor status) {
  auto& st = self->state;
  st.self = self;
  st.config = std::move(config);
  st.status = std::move(status);
  auto& kc = st.config->kafka;
  st.commit_log.emplace(kc.brokers, kc.properties, kc.commit_topic,
                        st.config->name);
  auto properties = kc.exactly_once() ? kafka::transactional_producer_defaults()
                                      : kafka::producer_defaults();
  if (kc.exactly_once()) {
    st.txn.emplace();
    properties.emplace_back("transactional.id", st.config->transactional_id());
  }
  auto conf = kafka::make_conf(kc.brokers, properties, kc.properties);
  if (!conf) {
    self->quit(conf.error());
    return producer_actor::behavior_type::make_empty_behavior();
  }
  rd_kafka_conf_set_opaque(*conf, &st);
  rd_kafka_conf_set_dr_msg_cb(*conf, delivery_report);
  rd_kafka_conf_set_error_cb(*conf, client_error);
  auto client = kafka::make_client(RD_KAFKA_PRODUCER, *conf);
  if (!client) {
    self->quit(client.error());
    return producer_actor::behavior_type::make_empty_behavior();
  }
  st.client = std::move(*client);
  st.enable_wake_ups();
  st.producer_max = kafka::producer_message_max_bytes(st.client.get());
  if (st.status)
    self->send(self, atom::stats_due_v);
  return {
    [self](atom::attach, delivery_listener_actor& watcher) {
      self->state.watcher = std::move(watcher);
    },
    [self](record_batch& batch) { self->state.send(std::move(batch)); },
    [self](atom::checkpoint, uint64_t seq, binlog::position& pos) {
      self->state.checkpoint(seq, pos);
    },
    [self](atom::resume) -> caf::result<binlog::position> {
      auto pos = self->state.resume_position();
      if (!pos)
        return pos.error();
      return std::move(*pos);
    },
    [self](atom::drain) -> caf::result<uint64_t> {
      auto& st = self->state;
      st.commit_transaction();
      if (st.failure)
        return st.failure;
      if (st.outstanding == 0 && !(st.txn && st.txn->open))
        return uint64_t{0};
      auto rp = self->make_response_promise<uint64_t>();
      st.drain_waiters.push_back(rp);
      st.schedule_poll();
      return rp;
    },
    [self](atom::transaction_due) {
      auto& st = self->state;
      if (st.txn)
        st.txn->timer = false;
      st.commit_transaction();
    },
    [self](atom::stats_due) {
      auto& st = self->state;
      producer_metrics m;
      m.delivered_records = st.delivered_records;
      m.in_flight_records = st.outstanding;
      m.in_flight_batches = st.batches.size();
      m.dead_letter_records = st.dead_letter_records;
      m.truncated_records = st.truncated_records;
      m.recreated_partitions = st.recreated_partitions;
      if (st.txn) {
        m.transaction_state = st.txn->open ? "open" : "idle";
        m.transactions_committed = st.txn->commits;
        m.transactions_aborted = st.txn->aborts;
        m.transaction_records = st.txn->records;
        m.last_commit_ms = st.txn->last_commit_ms;
      }
      self->send(st.status, atom::stats_v, m);
      self->delayed_send(self, defaults::stats_period, atom::stats_due_v);
    },
    [self](atom::poll) {
      // The fallback timer's message comes from us, the waker's from no one.
      self->state.poll(self->current_sender() == self->ctrl());
    },
  };
}

} // namespace b2k
