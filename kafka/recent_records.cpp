#include "kafka/recent_records.hpp"

#include <algorithm>

#include "messages/error.hpp"

namespace b2k::kafka {

namespace {

using clock = std::chrono::steady_clock;

int remaining_ms(clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - clock::now())
                .count();
  return left > 0 ? static_cast<int>(left) : 0;
}

} // namespace

recent_records::recent_records(std::string brokers,
                               const property_list& properties)
  : brokers_(std::move(brokers)),
    properties_(connection_properties(properties)) {
}

recent_records::~recent_records() = default;

caf::error recent_records::connect() {
  if (client_)
    return caf::none;
  auto conf = make_conf(brokers_,
                        {{"enable.partition.eof", "true"},
                         {"isolation.level", "read_committed"},
                         {"enable.auto.commit", "false"},
                         {"group.id", "binlog2kafka-status-page"}},
                        properties_);
  if (!conf)
    return conf.error();
  auto client = make_client(RD_KAFKA_CONSUMER, *conf);
  if (!client)
    return client.error();
  client_ = std::move(*client);
  return caf::none;
}

caf::expected<std::vector<std::string>>
recent_records::topics(const std::string& prefix,
                       const std::vector<std::string>& except,
                       std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (auto err = connect())
    return err;
  const rd_kafka_metadata_t* md = nullptr;
  auto err = rd_kafka_metadata(client_.get(), 1, nullptr, &md,
                               static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return caf::make_error(ec::kafka, std::string{"cannot list the topics of "}
                                        + brokers_ + ": "
                                        + rd_kafka_err2str(err));
  std::vector<std::string> names;
  for (int i = 0; i < md->topic_cnt; ++i) {
    std::string name = md->topics[i].topic;
    if (name.compare(0, prefix.size(), prefix) != 0 || name.rfind("__", 0) == 0
        || std::find(except.begin(), except.end(), name) != except.end())
      continue;
    names.push_back(std::move(name));
  }
  rd_kafka_metadata_destroy(md);
  std::sort(names.begin(), names.end());
  return names;
}

caf::expected<std::vector<kafka_record>>
recent_records::latest(const std::string& topic, size_t per_partition,
                       std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto deadline = clock::now() + timeout;
  if (auto err = connect())
    return err;
  auto rk = client_.get();
  auto rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  if (rkt == nullptr)
    return caf::make_error(ec::kafka, "cannot open topic " + topic);
  std::vector<kafka_record> out;
  caf::error failure;
  const rd_kafka_metadata_t* md = nullptr;
  auto err = rd_kafka_metadata(rk, 0, rkt, &md, remaining_ms(deadline));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1
      || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1)
      err = md->topics[0].err;
    failure = caf::make_error(
      err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ? ec::config : ec::kafka,
      "cannot read topic " + topic + ": " + rd_kafka_err2str(err));
  } else {
    for (int p = 0; p < md->topics[0].partition_cnt && !failure; ++p) {
      auto partition = md->topics[0].partitions[p].id;
      int64_t low = 0;
      int64_t high = 0;
      err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, &low,
                                             &high, remaining_ms(deadline));
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        failure = caf::make_error(ec::kafka, "cannot read the offsets of "
                                               + topic + ": "
                                               + rd_kafka_err2str(err));
        break;
      }
      if (high <= low)
        continue;
      auto start = std::max(low, high - static_cast<int64_t>(per_partition));
      if (rd_kafka_consume_start(rkt, partition, start) != 0) {
        failure = caf::make_error(ec::kafka,
                                  "cannot read topic " + topic + ": "
                                    + rd_kafka_err2str(rd_kafka_last_error()));
        break;
      }
      for (;;) {
        auto left = remaining_ms(deadline);
        if (left == 0)
          break; // what we have is the answer
        auto msg = rd_kafka_consume(rkt, partition, left);
        if (msg == nullptr)
          break;
        bool end = msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
        if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
          kafka_record r;
          r.partition = partition;
          r.offset = msg->offset;
          r.ts_ms = rd_kafka_message_timestamp(msg, nullptr);
          if (msg->key != nullptr)
            r.key.emplace(static_cast<const char*>(msg->key), msg->key_len);
          if (msg->payload != nullptr)
            r.value.emplace(static_cast<const char*>(msg->payload), msg->len);
          out.push_back(std::move(r));
          end = msg->offset + 1 >= high;
        } else if (!end) {
          failure = caf::make_error(ec::kafka,
                                    "cannot read topic " + topic + ": "
                                      + rd_kafka_message_errstr(msg));
        }
        rd_kafka_message_destroy(msg);
        if (end || failure)
          break;
      }
      rd_kafka_consume_stop(rkt, partition);
    }
  }
  if (md != nullptr)
    rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(rkt);
  if (failure)
    return failure;
  std::stable_sort(out.begin(), out.end(),
                   [](const kafka_record& a, const kafka_record& b) {
                     if (a.ts_ms != b.ts_ms)
                       return a.ts_ms > b.ts_ms;
                     return a.offset > b.offset;
                   });
  return out;
}

} // namespace b2k::kafka
