#include "kafka/commit_log.hpp"

#include <chrono>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "kafka/topic_config.hpp"
#include "messages/error.hpp"

namespace b2k::kafka {

namespace {

constexpr int timeout_ms = 15000;

} // namespace

std::string encode_commit(const binlog::position& pos, uint64_t ts_ms) {
  nlohmann::json j;
  j["file"] = pos.file;
  j["pos"] = pos.pos;
  j["gtid"] = pos.gtid.empty() ? nlohmann::json(nullptr)
                               : nlohmann::json(pos.gtid);
  j["skip_rows"] = pos.skip_rows;
  if (pos.server_id != 0)
    j["server_id"] = pos.server_id;
  if (!pos.snapshot.empty())
    j["snapshot"] = nlohmann::json::parse(pos.snapshot, nullptr, false);
  j["ts_ms"] = ts_ms;
  return j.dump();
}

std::optional<commit_record> decode_commit(std::string_view value) {
  auto j = nlohmann::json::parse(value, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return std::nullopt;
  auto file = j.find("file");
  auto pos = j.find("pos");
  if (file == j.end() || !file->is_string() || pos == j.end()
      || !pos->is_number_unsigned())
    return std::nullopt;
  binlog::position result;
  result.file = file->get<std::string>();
  result.pos = pos->get<uint64_t>();
  if (auto gtid = j.find("gtid"); gtid != j.end() && gtid->is_string())
    result.gtid = gtid->get<std::string>();
  if (auto id = j.find("server_id"); id != j.end() && id->is_number_unsigned())
    result.server_id = id->get<uint32_t>();
  if (auto skip = j.find("skip_rows");
      skip != j.end() && skip->is_number_unsigned())
    result.skip_rows = skip->get<uint64_t>();
  if (auto snap = j.find("snapshot"); snap != j.end() && snap->is_object())
    result.snapshot = snap->dump();
  if (result.file.empty() || result.pos < 4)
    return std::nullopt;
  commit_record record;
  record.pos = std::move(result);
  if (auto ts = j.find("ts_ms"); ts != j.end() && ts->is_number_unsigned())
    record.ts_ms = ts->get<uint64_t>();
  return record;
}

commit_log::commit_log(std::string brokers, property_list properties,
                       std::string topic, std::string key)
  : brokers_(std::move(brokers)),
    properties_(std::move(properties)),
    topic_(std::move(topic)),
    key_(std::move(key)) {
}

rd_kafka_resp_err_t commit_log::produce(rd_kafka_t* rk, rd_kafka_topic_t* rkt,
                                        const binlog::position& pos,
                                        void* opaque) const {
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  auto value = encode_commit(pos, static_cast<uint64_t>(now));
  return rd_kafka_producev(rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(0),
                           RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                           RD_KAFKA_V_VALUE(value.data(), value.size()),
                           RD_KAFKA_V_KEY(key_.data(), key_.size()),
                           RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
}

std::string
retention_warning(const std::string& topic,
                  const std::map<std::string, std::string>& entries) {
  constexpr int64_t week_ms = 7 * 24 * 3600 * 1000LL;
  auto policy = entries.count("cleanup.policy") > 0
                  ? entries.at("cleanup.policy")
                  : std::string{"delete"};
  auto retention = number_entry(entries, "retention.ms");
  bool compact = policy.find("compact") != std::string::npos;
  bool deletes = policy.find("delete") != std::string::npos;
  auto retention_text = retention && *retention >= 0
                          ? std::to_string(*retention) + " ms"
                          : std::string{"unlimited"};
  if (!compact)
    return "commit-log topic " + topic + " has cleanup.policy=" + policy
           + " (retention.ms " + retention_text
           + "), not compact: the position could be lost once its segment "
             "is deleted, and a restart would begin as `initial` says; set "
             "cleanup.policy=compact on it";
  if (deletes && retention && *retention >= 0 && *retention < week_ms)
    return "commit-log topic " + topic + " has cleanup.policy=" + policy
           + " with retention.ms " + retention_text
           + ": the position could be lost after a stop that long, and a "
             "restart would begin as `initial` says; set "
             "cleanup.policy=compact (or retention.ms=-1) on it";
  return {};
}

caf::error commit_log::ensure_topic() const {
  auto conf = make_conf(brokers_, {}, connection_properties(properties_));
  if (!conf)
    return conf.error();
  auto client = make_client(RD_KAFKA_PRODUCER, *conf);
  if (!client)
    return client.error();
  auto rk = client->get();
  auto result = create_topic(rk, brokers_, topic_,
                             {{"cleanup.policy", "compact"}});
  // One we did not create may have been set up otherwise. Not fatal: the
  // user may mean it (and may not be allowed to describe it).
  if (!result) {
    if (auto entries = describe_topic(rk, topic_, timeout_ms)) {
      if (auto warning = retention_warning(topic_, *entries); !warning.empty())
        spdlog::warn("{}", warning);
    } else {
      spdlog::debug("cannot check the commit-log topic's cleanup.policy: {}",
                    caf::to_string(entries.error()));
    }
  }
  return result;
}

namespace {

/// Errors a topic has right after it was created, until its leader is known.
bool is_transient(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
      return true;
    default:
      return false;
  }
}

/// One attempt; `err` tells the caller whether another one may help.
caf::expected<std::optional<commit_record>>
read_last_commit_once(rd_kafka_t* rk, const std::string& brokers,
                      const std::string& topic, const std::string& key,
                      rd_kafka_resp_err_t& err) {
  int64_t low = 0;
  int64_t high = 0;
  err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), 0, &low, &high,
                                         timeout_ms);
  if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
    err = RD_KAFKA_RESP_ERR_NO_ERROR;
    return std::optional<commit_record>{};
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return caf::make_error(ec::kafka, "cannot read the commit log " + topic
                                        + " from " + brokers + ": "
                                        + rd_kafka_err2str(err));
  auto rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  // Read backwards in windows until a record with our key turns up.
  constexpr int64_t window = 256;
  int64_t end = high;
  std::optional<commit_record> found;
  caf::error failure;
  while (end > low && !found && !failure) {
    int64_t start = std::max(low, end - window);
    if (rd_kafka_consume_start(rkt, 0, start) != 0) {
      err = rd_kafka_last_error();
      failure = caf::make_error(ec::kafka, "cannot read the commit log " + topic
                                             + ": " + rd_kafka_err2str(err));
      break;
    }
    for (;;) {
      auto msg = rd_kafka_consume(rkt, 0, timeout_ms);
      if (msg == nullptr) {
        err = RD_KAFKA_RESP_ERR__TIMED_OUT;
        failure = caf::make_error(ec::kafka, "timed out reading the commit log "
                                               + topic + " from " + brokers);
        break;
      }
      if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        rd_kafka_message_destroy(msg);
        break;
      }
      if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        err = msg->err;
        failure = caf::make_error(ec::kafka, "cannot read the commit log "
                                               + topic + ": "
                                               + rd_kafka_message_errstr(msg));
        rd_kafka_message_destroy(msg);
        break;
      }
      bool past = msg->offset >= end;
      if (!past && msg->key_len == key.size()
          && key.compare(0, key.size(), static_cast<const char*>(msg->key),
                         msg->key_len)
               == 0) {
        if (msg->payload == nullptr) {
          found.reset(); // a tombstone: the source was reset
        } else if (auto pos = decode_commit(
                     {static_cast<const char*>(msg->payload), msg->len})) {
          found = std::move(pos);
        } else {
          err = RD_KAFKA_RESP_ERR_NO_ERROR;
          failure = caf::make_error(
            ec::commit_log, "commit log " + topic + " offset "
                              + std::to_string(msg->offset)
                              + " holds a value that is not a position");
        }
      }
      rd_kafka_message_destroy(msg);
      if (past || failure)
        break;
    }
    rd_kafka_consume_stop(rkt, 0);
    end = start;
  }
  rd_kafka_topic_destroy(rkt);
  if (failure)
    return failure;
  return found;
}

} // namespace

caf::expected<std::optional<commit_record>> commit_log::read_last() const {
  auto& brokers = brokers_;
  auto& topic = topic_;
  auto& key = key_;
  auto conf = make_conf(brokers,
                        {{"enable.partition.eof", "true"},
                         {"isolation.level", "read_committed"},
                         {"group.id", "binlog2kafka-commit-reader"}},
                        connection_properties(properties_));
  if (!conf)
    return conf.error();
  auto client = make_client(RD_KAFKA_CONSUMER, *conf);
  if (!client)
    return client.error();
  // No topic, no position (and no waiting for one to appear).
  {
    auto rkt = rd_kafka_topic_new(client->get(), topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    auto err = rd_kafka_metadata(client->get(), 0, rkt, &md, timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && !security_failure().empty()) {
      if (md != nullptr)
        rd_kafka_metadata_destroy(md);
      rd_kafka_topic_destroy(rkt);
      return name_security_failure(
        caf::make_error(ec::kafka, "cannot read the commit log " + topic),
        brokers);
    }
    bool missing = err == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1
                   && md->topics[0].err
                        == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    if (md != nullptr)
      rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    if (missing)
      return std::optional<commit_record>{};
  }
  // A topic we just created has no leader for a moment: retry what its
  // youth explains, for a bounded time.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto backoff = std::chrono::milliseconds(100);
  for (;;) {
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    auto result = read_last_commit_once(client->get(), brokers, topic, key,
                                        err);
    if (result || !is_transient(err)
        || std::chrono::steady_clock::now() + backoff > deadline)
      return result;
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
}

} // namespace b2k::kafka
