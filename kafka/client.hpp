#pragma once

// librdkafka handles built from our settings: our defaults first, the
// user's properties over them.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/expected.hpp>
#include <librdkafka/rdkafka.h>

namespace b2k::kafka {

struct client_deleter {
  void operator()(rd_kafka_t* rk) const {
    rd_kafka_destroy(rk);
  }
};

using client_ptr = std::unique_ptr<rd_kafka_t, client_deleter>;

using property_list = std::vector<std::pair<std::string, std::string>>;

/// Splits "key=value" strings.
property_list parse_properties(const std::vector<std::string>& kvs);

/// The connection and security properties of `all`: those that apply to
/// admin and consumer handles (the rest are producer tuning).
property_list connection_properties(const property_list& all);

/// Builds a configuration: `defaults`, then `overrides` (the user's). Errors
/// name the property.
caf::expected<rd_kafka_conf_t*> make_conf(const std::string& brokers,
                                          const property_list& defaults,
                                          const property_list& overrides);

/// A producer or consumer handle that owns `conf`.
caf::expected<client_ptr> make_client(rd_kafka_type_t type,
                                      rd_kafka_conf_t* conf);

/// The last authentication (SASL) or TLS failure that an admin or consumer
/// handle of this process reported ("" if none). librdkafka retries these,
/// so the operation that waited for the broker only sees a timeout.
std::string security_failure();

/// `err`, or if a handle reported an authentication or TLS failure, an
/// error that names that cause (and what to check) instead of the timeout.
caf::error name_security_failure(caf::error err, const std::string& brokers);

/// Producer settings that never lose or reorder a record (idempotence,
/// acks=all, no local timeout: the pipeline stalls instead of dropping) and
/// batch for throughput with little latency.
property_list producer_defaults();

/// producer_defaults() plus what a transactional producer needs to outlive
/// a long broker outage (transaction.timeout.ms of 15 min).
property_list transactional_producer_defaults();

/// Creates `topic` (one partition, the broker's replication factor, the
/// topic `configs`) unless it exists. Errors name the topic and the cause.
caf::error create_topic(const std::string& brokers,
                        const property_list& properties,
                        const std::string& topic, const property_list& configs);

/// The same through the client `rk` (whose bootstrap servers are `brokers`),
/// for callers that go on using it.
caf::error create_topic(rd_kafka_t* rk, const std::string& brokers,
                        const std::string& topic, const property_list& configs);

} // namespace b2k::kafka
