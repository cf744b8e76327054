#pragma once

// Every default of binlog2kafka, once: the options' defaults (what
// `run --help` and deploy/binlog2kafka.ini show) and the fixed periods of
// the actors.

#include <chrono>
#include <cstdint>
#include <string_view>

#include "config/modes.hpp"

namespace b2k::defaults {

using namespace std::chrono_literals;

// -- options ------------------------------------------------------------------

constexpr std::string_view name = "binlog2kafka";
constexpr std::string_view source = "mysql://b2k@127.0.0.1:3306";
constexpr std::string_view source_password_env = "BINLOG2KAFKA_SOURCE_PASSWORD";
constexpr tls_mode source_tls = tls_mode::off;
constexpr uint32_t server_id = 4242;
/// `dump --source` reads beside a running pipeline: with the pipeline's
/// server id the server would drop the pipeline's connection for it.
constexpr uint32_t dump_server_id = 4243;
constexpr auto heartbeat = 1s;
constexpr auto read_timeout = 30s;
constexpr std::string_view brokers = "127.0.0.1:9092";
constexpr std::string_view topic_template = "{prefix}.{db}.{table}";
constexpr std::string_view schema_topic = "{prefix}";
constexpr bool tombstones = true;
constexpr std::string_view value_mode = "debezium";
constexpr std::string_view decimal_handling_mode = "precise";
constexpr std::string_view time_precision_mode = "adaptive_time_microseconds";
constexpr std::string_view bigint_unsigned_handling_mode = "long";
constexpr std::string_view binary_handling_mode = "bytes";
constexpr std::string_view kafka_password_env = "BINLOG2KAFKA_KAFKA_PASSWORD";
constexpr initial_position initial = initial_position::end;
constexpr snapshot_mode snapshot = snapshot_mode::initial;
constexpr uint64_t snapshot_chunk_rows = 8192;
constexpr uint64_t snapshot_parallelism = 2;
constexpr delivery_mode delivery = delivery_mode::at_least_once;
constexpr oversize_mode oversize = oversize_mode::fail;
constexpr resume_mode resume_by = resume_mode::automatic;
constexpr auto lock_timeout = 10s;
constexpr uint64_t batch_records = 10000;
constexpr uint64_t batch_bytes = 1 << 20;
constexpr auto batch_delay = 20ms;
constexpr uint64_t max_inflight_bytes = 64 << 20;
constexpr auto commit_interval = 200ms;
constexpr auto progress_interval = 10s;
constexpr auto stop_timeout = 30s;
constexpr std::string_view log_level = "info";
constexpr auto health_lag_threshold = 60s;
constexpr std::string_view reader_node_listen = "127.0.0.1:4280";
/// The reader-node link runs over TLS unless told otherwise.
constexpr std::string_view node_tls = "on";
/// The environment variable that holds the status server's bearer token
/// when no http-token-file is given.
constexpr std::string_view http_token_env = "BINLOG2KAFKA_HTTP_TOKEN";
/// CAF's default config file, read from the working directory when no
/// --config-file is given.
constexpr std::string_view config_file = "caf-application.ini";

// -- fixed ----------------------------------------------------------------------

/// How often the reader, the producer and the watcher report their metrics
/// to the status actor.
constexpr auto stats_period = 1s;
/// How often the status actor takes a sample for the charts (its history
/// holds 15 minutes of them).
constexpr auto sample_period = 1s;
/// How often the reader asks for new signals (on-demand snapshots).
constexpr auto signal_period = 1s;
/// Exactly-once: a transaction is committed early once it holds this many
/// records.
constexpr uint64_t transaction_records = 200000;
/// The supervisor's back-off before it restarts a reader: doubling from the
/// first to the last.
constexpr auto min_backoff = 1s;
constexpr auto max_backoff = 30s;

} // namespace b2k::defaults
