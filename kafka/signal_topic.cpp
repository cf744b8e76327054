#include "kafka/signal_topic.hpp"

#include <atomic>

#include <librdkafka/rdkafka.h>

#include "messages/error.hpp"

namespace b2k::kafka {

std::string signal_topic_name(const std::string& name) {
  return name + ".signals";
}

caf::error ensure_signal_topic(const std::string& brokers,
                               const property_list& properties,
                               const std::string& topic) {
  return create_topic(brokers, properties, topic, {});
}

namespace {

// The delivery report of the one signal sent.
void on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  static_cast<std::atomic<int>*>(opaque)->store(static_cast<int>(msg->err));
}

} // namespace

caf::error
send_signal(const std::string& brokers, const property_list& properties,
            const std::string& topic, const std::string& key,
            const std::string& value, std::chrono::milliseconds timeout) {
  auto timeout_text = std::to_string(timeout.count());
  auto conf = make_conf(brokers,
                        {{"enable.idempotence", "true"},
                         {"acks", "all"},
                         {"message.timeout.ms", timeout_text}},
                        connection_properties(properties));
  if (!conf)
    return conf.error();
  // Delivery state: -1 until the report came.
  std::atomic<int> result{-1};
  rd_kafka_conf_set_dr_msg_cb(*conf, on_delivery);
  rd_kafka_conf_set_opaque(*conf, &result);
  auto client = make_client(RD_KAFKA_PRODUCER, *conf);
  if (!client)
    return client.error();
  auto rk = client->get();
  auto err = rd_kafka_producev(
    rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(0),
    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
    RD_KAFKA_V_KEY(key.data(), key.size()),
    RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
    RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return caf::make_error(ec::kafka, "cannot write to the signal topic "
                                        + topic + ": " + rd_kafka_err2str(err));
  rd_kafka_flush(rk, static_cast<int>(timeout.count()) + 1000);
  auto delivered = result.load();
  if (delivered == -1)
    return name_security_failure(
      caf::make_error(ec::kafka, "no answer from Kafka at " + brokers
                                   + " while writing to the signal topic "
                                   + topic),
      brokers);
  if (delivered != RD_KAFKA_RESP_ERR_NO_ERROR)
    return caf::make_error(ec::kafka,
                           "cannot write to the signal topic " + topic + ": "
                             + rd_kafka_err2str(
                               static_cast<rd_kafka_resp_err_t>(delivered)));
  return caf::none;
}

signal_reader::signal_reader(std::string brokers, property_list properties,
                             std::string topic)
  : brokers_(std::move(brokers)),
    properties_(std::move(properties)),
    topic_(std::move(topic)) {
}

signal_reader::~signal_reader() {
  stop();
  if (topic_handle_ != nullptr)
    rd_kafka_topic_destroy(topic_handle_);
}

caf::error signal_reader::connect() {
  auto conf = make_conf(brokers_,
                        {{"enable.partition.eof", "true"},
                         {"isolation.level", "read_committed"},
                         // An offset the broker no longer has (retention):
                         // go on with the oldest it has.
                         {"auto.offset.reset", "earliest"},
                         {"group.id", "binlog2kafka-signal-reader"}},
                        connection_properties(properties_));
  if (!conf)
    return conf.error();
  auto client = make_client(RD_KAFKA_CONSUMER, *conf);
  if (!client)
    return client.error();
  client_ = std::move(*client);
  topic_handle_ = rd_kafka_topic_new(client_.get(), topic_.c_str(), nullptr);
  return caf::none;
}

void signal_reader::stop() {
  if (consuming_at_ != -2 && topic_handle_ != nullptr)
    rd_kafka_consume_stop(topic_handle_, 0);
  consuming_at_ = -2;
}

caf::error signal_reader::read(int64_t from, size_t max,
                               std::chrono::milliseconds wait,
                               std::vector<raw_signal>& out, int64_t& next) {
  next = from;
  if (!client_)
    if (auto err = connect())
      return err;
  if (consuming_at_ != from) {
    stop();
    auto start = from < 0 ? RD_KAFKA_OFFSET_BEGINNING : from;
    if (rd_kafka_consume_start(topic_handle_, 0, start) != 0)
      return caf::make_error(ec::kafka,
                             "cannot read the signal topic " + topic_ + ": "
                               + rd_kafka_err2str(rd_kafka_last_error()));
    consuming_at_ = from;
  }
  auto timeout = static_cast<int>(wait.count());
  caf::error failure;
  while (out.size() < max) {
    auto msg = rd_kafka_consume(topic_handle_, 0, timeout);
    if (msg == nullptr)
      break; // nothing (more) within the wait
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      rd_kafka_message_destroy(msg);
      break;
    }
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      failure = caf::make_error(ec::kafka, "cannot read the signal topic "
                                             + topic_ + ": "
                                             + rd_kafka_message_errstr(msg));
      rd_kafka_message_destroy(msg);
      stop(); // start again at `next` on the next call
      break;
    }
    raw_signal s;
    s.offset = msg->offset;
    s.null = msg->payload == nullptr;
    if (!s.null)
      s.value.assign(static_cast<const char*>(msg->payload), msg->len);
    next = msg->offset + 1;
    rd_kafka_message_destroy(msg);
    out.push_back(std::move(s));
    timeout = 0; // the rest only if it is there already
  }
  if (consuming_at_ != -2)
    consuming_at_ = next;
  return failure;
}

} // namespace b2k::kafka
