#include "kafka/client.hpp"

#include <cstring>
#include <mutex>
#include <string_view>

#include <spdlog/spdlog.h>

#include "messages/error.hpp"

namespace b2k::kafka {

namespace {

std::mutex security_mutex;
std::string security_text;

// librdkafka's own log lines go through spdlog, like ours. A broker
// connection that failed (FAIL) is retried by librdkafka: a warning; the
// error that stops us, if any, is our own line. Authentication and TLS
// failures among them are kept, so that an operation that then times out
// can name its cause (log lines come from librdkafka's threads at once,
// unlike error callbacks, which wait for a poll).
void log_line(const rd_kafka_t*, int level, const char* facility,
              const char* text) {
  auto lvl = level <= 3   ? spdlog::level::err
             : level == 4 ? spdlog::level::warn
             : level <= 6 ? spdlog::level::info
                          : spdlog::level::debug;
  std::string_view line = text;
  if (std::strcmp(facility, "FAIL") == 0) {
    if (lvl == spdlog::level::err)
      lvl = spdlog::level::warn;
    for (auto cause : {"SASL authentication error", "SASL handshake failed",
                       "SSL handshake failed", "Authentication failed"}) {
      auto at = line.find(cause);
      // "Local: ..." is our side closing a connection mid-way (a handle
      // being destroyed), not the broker's verdict.
      if (at == std::string_view::npos
          || line.find("Local: ", at) != std::string_view::npos)
        continue;
      auto what = line.substr(at);
      what = what.substr(0, what.find(" (after ")); // the timing
      std::lock_guard<std::mutex> guard{security_mutex};
      security_text = std::string{what};
      break;
    }
  } else if (lvl == spdlog::level::err
             && line.find("brokers are down") != std::string_view::npos) {
    lvl = spdlog::level::warn; // retried, and said by the FAIL lines
  }
  spdlog::log(lvl, "kafka: {}: {}", facility, text);
}

/// True for properties whose value is a secret (sasl.password,
/// ssl.key.password, ssl.keystore.password, sasl.oauthbearer.client.secret,
/// ssl.key.pem, ...): their values never go into a message.
bool is_secret(const std::string& key) {
  for (auto word :
       {"password", "secret", "ssl.key.pem", "sasl.oauthbearer.config"})
    if (key.find(word) != std::string::npos)
      return true;
  return false;
}

/// librdkafka's error text for `key`=`value`, without the value if it is a
/// secret (an invalid value is quoted in some of its messages).
std::string redact(const std::string& key, const std::string& value,
                   std::string text) {
  if (!is_secret(key) || value.empty())
    return text;
  for (auto at = text.find(value); at != std::string::npos;
       at = text.find(value, at))
    text.replace(at, value.size(), "(redacted)");
  return text;
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

property_list connection_properties(const property_list& all) {
  property_list result;
  for (auto& [k, v] : all)
    for (auto prefix : {"security.", "sasl.", "ssl.", "socket.", "client.id",
                        "broker.", "api.version"})
      if (k.compare(0, std::char_traits<char>::length(prefix), prefix) == 0) {
        result.emplace_back(k, v);
        break;
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
                               + redact(key, value, errstr));
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
    return caf::make_error(
      ec::kafka, std::string{"cannot create a Kafka client: "} + errstr);
  }
  return client_ptr{rk};
}

std::string security_failure() {
  std::lock_guard<std::mutex> guard{security_mutex};
  return security_text;
}

caf::error name_security_failure(caf::error err, const std::string& brokers) {
  auto cause = security_failure();
  if (!err || cause.empty())
    return err;
  // librdkafka's text names the broker; ours says what to check.
  auto hint = cause.find("SASL") != std::string::npos
                ? " (check sasl.mechanism, sasl.username and the password: "
                  "kafka-password-file or BINLOG2KAFKA_KAFKA_PASSWORD)"
                : " (check security.protocol and the ssl.* properties: "
                  "ssl.ca.location must hold the CA that signed the "
                  "broker's certificate)";
  return caf::make_error(ec::kafka,
                         "Kafka at " + brokers + ": " + cause + hint);
}

property_list producer_defaults() {
  return {
    {"enable.idempotence", "true"},
    {"acks", "all"},
    // 0 = no local timeout: a record waits for Kafka however long it is
    // away, and the pipeline stalls (bounded by credit) instead of failing.
    {"message.timeout.ms", "0"},
    // A single-row transaction waits at most 1 ms for company: at 1,000
    // tx/s, 5 ms (librdkafka's default) put p50 at 3 ms from commit to
    // Kafka, while a backlog fills batches long before either (bench/).
    {"linger.ms", "1"},
    {"batch.num.messages", "10000"},
    {"batch.size", "1000000"},
    {"compression.type", "lz4"},
    {"queue.buffering.max.messages", "2000000"},
    {"queue.buffering.max.kbytes", "2097151"},
    // A table's first rows may be read while the broker is away: its topic
    // (created by the broker on first use) must not be given up on after
    // librdkafka's default 30 s.
    {"topic.metadata.propagation.max.ms", "600000"},
  };
}

property_list transactional_producer_defaults() {
  auto result = producer_defaults();
  // The pipeline waits out a broker outage with its transaction open. The
  // coordinator aborts a transaction older than transaction.timeout.ms and
  // fences its producer, a fatal error: librdkafka's 60 s made an outage of
  // a minute end the process. 900 s is the broker's default
  // transaction.max.timeout.ms, the most it accepts.
  result.emplace_back("transaction.timeout.ms", "900000");
  // A request (EndTxn among them) may take this long before it is retried;
  // librdkafka wants it below transaction.timeout.ms.
  result.emplace_back("socket.timeout.ms", "60000");
  return result;
}

caf::error create_topic(rd_kafka_t* rk, const std::string& brokers,
                        const std::string& topic,
                        const property_list& configs) {
  constexpr int timeout_ms = 15000;
  char errstr[512];
  auto new_topic = rd_kafka_NewTopic_new(topic.c_str(), 1, -1, errstr,
                                         sizeof(errstr));
  if (new_topic == nullptr)
    return caf::make_error(ec::kafka,
                           "cannot create topic " + topic + ": " + errstr);
  for (auto& [key, value] : configs)
    rd_kafka_NewTopic_set_config(new_topic, key.c_str(), value.c_str());
  auto queue = rd_kafka_queue_new(rk);
  auto options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, errstr,
                                            sizeof(errstr));
  rd_kafka_CreateTopics(rk, &new_topic, 1, options, queue);
  // In slices, so that a broker that refuses our credentials (retried by
  // librdkafka, never answered) fails at once with that cause.
  rd_kafka_event_t* event = nullptr;
  for (int waited = 0; event == nullptr && waited < timeout_ms + 1000
                       && security_failure().empty();
       waited += 200)
    event = rd_kafka_queue_poll(queue, 200);
  caf::error result;
  if (event == nullptr && !security_failure().empty()) {
    result = name_security_failure(
      caf::make_error(ec::kafka, "cannot create topic " + topic), brokers);
  } else if (event == nullptr) {
    result = caf::make_error(ec::kafka, "no answer from Kafka at " + brokers
                                          + " while creating topic " + topic);
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    result = caf::make_error(ec::kafka, "cannot create topic " + topic + " on "
                                          + brokers + ": "
                                          + rd_kafka_event_error_string(event));
  } else {
    auto res = rd_kafka_event_CreateTopics_result(event);
    size_t n = 0;
    auto topics = rd_kafka_CreateTopics_result_topics(res, &n);
    for (size_t i = 0; i < n; ++i) {
      auto err = rd_kafka_topic_result_error(topics[i]);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR
          && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        result = caf::make_error(
          ec::kafka, "cannot create topic " + topic + ": "
                       + rd_kafka_topic_result_error_string(topics[i]));
    }
  }
  if (event != nullptr)
    rd_kafka_event_destroy(event);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_NewTopic_destroy(new_topic);
  rd_kafka_queue_destroy(queue);
  return result;
}

caf::error
create_topic(const std::string& brokers, const property_list& properties,
             const std::string& topic, const property_list& configs) {
  auto conf = make_conf(brokers, {}, connection_properties(properties));
  if (!conf)
    return conf.error();
  auto client = make_client(RD_KAFKA_PRODUCER, *conf);
  if (!client)
    return client.error();
  return create_topic(client->get(), brokers, topic, configs);
}

} // namespace b2k::kafka
