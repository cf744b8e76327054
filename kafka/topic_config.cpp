#include "kafka/topic_config.hpp"

#include <cstdlib>

#include "messages/error.hpp"

namespace b2k::kafka {

namespace {

caf::expected<config_entries>
describe(rd_kafka_t* rk, rd_kafka_ResourceType_t type, const std::string& name,
         int timeout_ms, bool* missing) {
  auto what = (type == RD_KAFKA_RESOURCE_TOPIC ? "topic " : "broker ") + name;
  auto resource = rd_kafka_ConfigResource_new(type, name.c_str());
  auto options = rd_kafka_AdminOptions_new(rk,
                                           RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
  char errstr[256];
  rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, errstr,
                                            sizeof(errstr));
  auto queue = rd_kafka_queue_new(rk);
  rd_kafka_DescribeConfigs(rk, &resource, 1, options, queue);
  auto event = rd_kafka_queue_poll(queue, timeout_ms + 1000);
  caf::expected<config_entries> result{config_entries{}};
  if (event == nullptr) {
    result = caf::make_error(ec::kafka, "no answer describing " + what);
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    result = caf::make_error(ec::kafka, "cannot describe " + what + ": "
                                          + rd_kafka_event_error_string(event));
  } else {
    auto res = rd_kafka_event_DescribeConfigs_result(event);
    size_t n = 0;
    auto resources = rd_kafka_DescribeConfigs_result_resources(res, &n);
    for (size_t i = 0; i < n; ++i) {
      auto err = rd_kafka_ConfigResource_error(resources[i]);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (missing != nullptr)
          *missing = err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
        auto text = rd_kafka_ConfigResource_error_string(resources[i]);
        result = caf::make_error(
          ec::kafka, "cannot describe " + what + ": "
                       + (text != nullptr ? text : rd_kafka_err2str(err)));
        break;
      }
      size_t count = 0;
      auto entries = rd_kafka_ConfigResource_configs(resources[i], &count);
      for (size_t j = 0; j < count; ++j) {
        auto value = rd_kafka_ConfigEntry_value(entries[j]);
        (*result)[rd_kafka_ConfigEntry_name(entries[j])] = value != nullptr
                                                             ? value
                                                             : "";
      }
    }
  }
  if (event != nullptr)
    rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_ConfigResource_destroy(resource);
  return result;
}

} // namespace

caf::expected<config_entries> describe_topic(rd_kafka_t* rk,
                                             const std::string& topic,
                                             int timeout_ms, bool* missing) {
  if (missing != nullptr)
    *missing = false;
  return describe(rk, RD_KAFKA_RESOURCE_TOPIC, topic, timeout_ms, missing);
}

caf::expected<config_entries> describe_any_broker(rd_kafka_t* rk,
                                                  int timeout_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  auto err = rd_kafka_metadata(rk, 0, nullptr, &md, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR || md->broker_cnt == 0) {
    if (md != nullptr)
      rd_kafka_metadata_destroy(md);
    return caf::make_error(ec::kafka, std::string{"cannot list the brokers: "}
                                        + rd_kafka_err2str(err));
  }
  auto id = std::to_string(md->brokers[0].id);
  rd_kafka_metadata_destroy(md);
  return describe(rk, RD_KAFKA_RESOURCE_BROKER, id, timeout_ms, nullptr);
}

std::optional<int64_t> number_entry(const config_entries& entries,
                                    const std::string& name) {
  auto i = entries.find(name);
  if (i == entries.end() || i->second.empty())
    return std::nullopt;
  char* end = nullptr;
  auto x = std::strtoll(i->second.c_str(), &end, 10);
  if (end == nullptr || *end != '\0')
    return std::nullopt;
  return x;
}

uint64_t producer_message_max_bytes(rd_kafka_t* rk) {
  char value[64];
  size_t size = sizeof(value);
  if (rd_kafka_conf_get(rd_kafka_conf(rk), "message.max.bytes", value, &size)
      != RD_KAFKA_CONF_OK)
    return 1000000;
  return std::strtoull(value, nullptr, 10);
}

} // namespace b2k::kafka
