#pragma once

// Why Kafka refused a record for good, said as one line that names the
// cause (topic, principal and ACL operation, disk) and what to do about it.

#include <string>

#include <librdkafka/rdkafka.h>

#include "kafka/client.hpp"

namespace b2k::kafka {

/// The principal the broker sees for a client with these properties:
/// "User:NAME" for SASL PLAIN/SCRAM, "User:ANONYMOUS" without
/// authentication, else a description of where it comes from.
std::string principal_of(const property_list& properties);

/// What was refused.
enum class refused_record {
  data,       ///< a row's record for a data topic
  commit_log, ///< the commit-log record with the released position
};

/// One line for a record that librdkafka gave up on (`err`, its delivery
/// report's error) for `topic`. `seen` says whether a record for the topic
/// was delivered before (the topic existed), `brokers` where it went.
std::string describe_refusal(rd_kafka_resp_err_t err, const std::string& topic,
                             refused_record what, bool seen,
                             const std::string& brokers,
                             const property_list& properties);

/// True for the errors that say the topic or its partition is not there
/// (deleted, or never created).
bool is_missing_topic(rd_kafka_resp_err_t err);

} // namespace b2k::kafka
