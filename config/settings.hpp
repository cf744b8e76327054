#pragma once

// The settings of one pipeline, checked: read once from the options
// (config/options.hpp) and handed to the actors, each of which reads the
// parts it needs.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/timespan.hpp>

#include "binlog/position.hpp"
#include "binlog/record.hpp"
#include "binlog/replication_client.hpp"
#include "config/defaults.hpp"
#include "config/modes.hpp"
#include "config/options.hpp"
#include "kafka/client.hpp"

namespace b2k {

/// The server to read, and where and how reading starts.
struct source_settings {
  /// Address, user, password, TLS, our server id, heartbeat and timeouts.
  binlog::connection_options connection;
  tls_mode tls = defaults::source_tls;
  initial_position initial = defaults::initial;
  resume_mode resume_by = defaults::resume_by;
  /// Start here instead of the commit log (empty: the commit log decides).
  binlog::position from;
  /// Wait for the source lock while another instance with our name holds
  /// it, and take over when it goes (a hot standby).
  bool standby = false;
  /// How long the server keeps the source lock of an instance that stopped
  /// answering: a standby takes over after at most this, and the lock is
  /// confirmed four times as often.
  caf::timespan lock_timeout = defaults::lock_timeout;
};

/// How the reader cuts what it reads into batches, and how much may be on
/// its way to Kafka.
struct batch_settings {
  uint64_t records = defaults::batch_records;
  uint64_t bytes = defaults::batch_bytes;
  caf::timespan delay = defaults::batch_delay;
  /// Credit: bytes read but not yet acknowledged by Kafka.
  uint64_t max_inflight_bytes = defaults::max_inflight_bytes;
};

struct kafka_settings {
  std::string brokers{defaults::brokers};
  /// librdkafka properties over our defaults (the SASL password included).
  kafka::property_list properties;
  std::string commit_topic;
  delivery_mode delivery = defaults::delivery;
  /// What a record larger than Kafka takes gets.
  oversize_mode oversize = defaults::oversize;
  /// How often the released position is written to the commit log (and,
  /// exactly-once, how long a transaction stays open).
  caf::timespan commit_interval = defaults::commit_interval;

  bool exactly_once() const {
    return delivery == delivery_mode::exactly_once;
  }
};

/// Existing rows as op "r" records (design.md, "Snapshots").
struct snapshot_settings {
  snapshot_mode mode = defaults::snapshot;
  uint64_t chunk_rows = defaults::snapshot_chunk_rows;
  uint64_t parallelism = defaults::snapshot_parallelism;
};

struct endpoint {
  std::string host;
  uint16_t port = 0;

  bool empty() const {
    return host.empty();
  }
  std::string to_string() const {
    return host + ":" + std::to_string(port);
  }
};

/// The settings of one pipeline.
struct settings {
  /// The source name: topic prefix, commit-log key, source.name.
  std::string name{defaults::name};
  source_settings source;
  binlog::record_options records;
  batch_settings batches;
  kafka_settings kafka;
  snapshot_settings snapshot;
  caf::timespan progress_interval = defaults::progress_interval;
  caf::timespan stop_timeout = defaults::stop_timeout;
  std::string log_level{defaults::log_level};
  /// /health, /metrics and the status page; off when empty.
  endpoint http;
  caf::timespan health_lag_threshold = defaults::health_lag_threshold;
  /// The bearer token of the status server's mutating requests (POST and
  /// DELETE /snapshots); none: they are refused.
  std::string http_token;
  /// The read-only endpoints need the token too.
  bool http_token_read = false;
  /// The reader runs on this reader node; here when empty.
  endpoint reader_node;
  /// Where `binlog2kafka reader-node` listens.
  endpoint reader_node_listen;
  /// The reader-node link: TLS (certificates checked on both sides) unless
  /// `tls` is off; the files are this side's certificate and key and the
  /// CA that signed the other side's.
  struct node_tls_settings {
    bool tls = true;
    std::string cert;
    std::string key;
    std::string ca;
  } node_tls;

  /// Where oversize = dead-letter sends what it could not send.
  std::string dead_letter_topic() const {
    return name + ".dead-letter";
  }

  /// Our Kafka transactional.id (exactly-once).
  std::string transactional_id() const {
    return "binlog2kafka." + name;
  }
};

/// Read once, shared by every actor of the pipeline.
using settings_ptr = std::shared_ptr<const settings>;

/// Checks the options and resolves the passwords; errors name the key,
/// with `prefix` ("binlog2kafka." for run's options, "--" for dump's).
caf::expected<settings>
read_settings(const raw_options& options,
              const std::string& prefix = "binlog2kafka.");

/// Sets the record options of `out` (topics, tombstones, filters) from the
/// options and checks them; errors name the key (`prefix` + key, e.g.
/// "binlog2kafka." or "--" for dump). Sets skip_system_schemas as `run`
/// does (dump shows every schema).
caf::error apply_record_options(const std::string& prefix,
                                const raw_options& options,
                                binlog::record_options& out);

/// "mysql://user@host:port" (a password in the URL is refused: it would
/// show in the process list); errors name `prefix` + "source".
caf::error parse_source_url(const std::string& url,
                            binlog::connection_options& out,
                            const std::string& prefix = "binlog2kafka.");

} // namespace b2k
