#include "kafka/client.hpp"

#include <spdlog/spdlog.h>

#include "messages/error.hpp"

namespace b2k::kafka {

namespace {

// librdkafka's own log lines go through spdlog, like ours.
void log_line(const rd_kafka_t*, int level, const char* facility,
              const char* text) {
  auto lvl = level <= 3   ? spdlog::level::err
             : level == 4 ? spdlog::level::warn
             : level <= 6 ? spdlog::level::info
                          : spdlog::level::debug;
  spdlog::log(lvl, "kafka: {}: {}", facility, text);
}

} // namespace

property_list parse_properties(const std::vector<std::string>& kvs) {
  property_list result;
  for (auto& kv : kvs) {
    auto eq = kv.find('=');
    if (eq == std::string::npos)
      continue; // read_settings refuses these
    result.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return result;
}

caf::expected<rd_kafka_conf_t*> make_conf(const std::string& brokers,
                                          const property_list& defaults,
                                          const property_list& overrides) {
  auto conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, log_line);
  char errstr[512];
  auto set = [&](const std::string& key, const std::string& value,
                 bool user) -> caf::error {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr,
                          sizeof(errstr))
        != RD_KAFKA_CONF_OK)
      return caf::make_error(ec::config,
                             std::string{user ? "binlog2kafka.kafka: " : ""}
                               + "librdkafka property " + key + ": "
                               + errstr);
    return caf::none;
  };
  auto fail = [&](caf::error err) {
    rd_kafka_conf_destroy(conf);
    return err;
  };
  if (auto err = set("bootstrap.servers", brokers, true))
    return fail(std::move(err));
  for (auto& [k, v] : defaults)
    if (auto err = set(k, v, false))
      return fail(std::move(err));
  for (auto& [k, v] : overrides)
    if (auto err = set(k, v, true))
      return fail(std::move(err));
  return conf;
}

caf::expected<client_ptr> make_client(rd_kafka_type_t type,
                                      rd_kafka_conf_t* conf) {
  char errstr[512];
  auto rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return caf::make_error(ec::kafka,
                           std::string{"cannot create a Kafka client: "}
                             + errstr);
  }
  return client_ptr{rk};
}

property_list producer_defaults() {
  return {
    {"enable.idempotence", "true"},
    {"acks", "all"},
    // 0 = no local timeout: a record waits for Kafka however long it is
    // away, and the pipeline stalls (bounded by credit) instead of failing.
    {"message.timeout.ms", "0"},
    {"linger.ms", "5"},
    {"batch.num.messages", "10000"},
    {"batch.size", "1000000"},
    {"compression.type", "lz4"},
    {"queue.buffering.max.messages", "2000000"},
    {"queue.buffering.max.kbytes", "2097151"},
  };
}

} // namespace b2k::kafka
