#pragma once

// What the producer's fault suites share: librdkafka's in-process mock
// cluster, a reader of its topics, numbered test batches and a stand-in for
// the watcher.

#include <string>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/send.hpp>
#include <librdkafka/rdkafka_mock.h>

#include "actors/actors.hpp"
#include "messages/record_batch.hpp"

namespace b2k::test {

/// A mock cluster of `brokers` brokers hosted by its own librdkafka handle.
struct mock_cluster {
  rd_kafka_t* host = nullptr;
  rd_kafka_mock_cluster_t* cluster = nullptr;
  std::string bootstraps;
  int brokers;

  explicit mock_cluster(int brokers) : brokers(brokers) {
    char errstr[256];
    auto conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr));
    host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    cluster = rd_kafka_mock_cluster_new(host, brokers);
    bootstraps = rd_kafka_mock_cluster_bootstraps(cluster);
  }

  mock_cluster(const mock_cluster&) = delete;
  mock_cluster& operator=(const mock_cluster&) = delete;

  ~mock_cluster() {
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(host);
  }

  void create_topic(const char* topic, int partitions) {
    rd_kafka_mock_topic_create(cluster, topic, partitions, brokers);
  }

  void set_all_brokers(bool up) {
    for (int32_t id = 1; id <= brokers; ++id)
      if (up)
        rd_kafka_mock_broker_set_up(cluster, id);
      else
        rd_kafka_mock_broker_set_down(cluster, id);
  }

  /// Every record of `topic` as (key, value), partition by partition, each
  /// in offset order. (The mock cluster hides no aborted record.)
  std::vector<std::pair<std::string, std::string>> read(const char* topic,
                                                        int32_t partitions) {
    std::vector<std::pair<std::string, std::string>> result;
    char errstr[256];
    auto conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps.c_str(), errstr,
                      sizeof(errstr));
    rd_kafka_conf_set(conf, "enable.partition.eof", "true", errstr,
                      sizeof(errstr));
    rd_kafka_conf_set(conf, "group.id", "verifier", errstr, sizeof(errstr));
    auto rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    auto rkt = rd_kafka_topic_new(rk, topic, nullptr);
    for (int32_t p = 0; p < partitions; ++p) {
      rd_kafka_consume_start(rkt, p, RD_KAFKA_OFFSET_BEGINNING);
      for (;;) {
        auto msg = rd_kafka_consume(rkt, p, 10000);
        if (msg == nullptr)
          break;
        bool eof = msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
        if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR)
          result.emplace_back(
            std::string(static_cast<const char*>(msg->key), msg->key_len),
            std::string(static_cast<const char*>(msg->payload), msg->len));
        rd_kafka_message_destroy(msg);
        if (eof)
          break;
      }
      rd_kafka_consume_stop(rkt, p);
    }
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return result;
  }
};

/// Batch `seq` for `topic`: `n` records with keys {"id":k} for k in
/// [0, keys) and values "<seq>:<i>", so that per-key order can be checked
/// across batches; it ends at binlog.000001:seq*100.
inline record_batch numbered_batch(const char* topic, uint64_t seq, size_t n,
                                   size_t keys) {
  record_batch b;
  b.seq = seq;
  b.topics.emplace_back(topic);
  for (size_t i = 0; i < n; ++i) {
    record_ref r;
    auto key = "{\"id\":" + std::to_string(i % keys) + "}";
    auto value = std::to_string(seq) + ":" + std::to_string(i);
    r.key_offset = static_cast<uint32_t>(b.data.size());
    r.key_size = static_cast<uint32_t>(key.size());
    b.data += key;
    r.value_offset = static_cast<uint32_t>(b.data.size());
    r.value_size = static_cast<uint32_t>(value.size());
    b.data += value;
    b.records.push_back(r);
  }
  b.end.file = "binlog.000001";
  b.end.pos = seq * 100;
  return b;
}

/// Stands in for the watcher: passes each delivered batch on to `probe`.
/// (The producer's handle of the watcher has nothing else.)
inline delivery_listener_actor::behavior_type
relay_watcher(delivery_listener_actor::pointer, caf::actor probe) {
  return {
    [probe](atom::delivered, uint64_t seq) {
      caf::anon_send(probe, atom::delivered_v, seq);
    },
  };
}

} // namespace b2k::test
