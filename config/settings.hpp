#pragma once

// Every option of binlog2kafka, with its default, read from CAF's config
// (caf-application.ini, --config-file, --binlog2kafka.key=value).

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor_system_config.hpp>
#include <caf/expected.hpp>
#include <caf/timespan.hpp>

#include "binlog/position.hpp"
#include "binlog/record.hpp"
#include "binlog/replication_client.hpp"

namespace b2k {

/// The settings of one pipeline, validated.
struct settings {
  /// The source name: topic prefix, commit-log key, source.name.
  std::string name = "binlog2kafka";
  binlog::connection_options source;
  std::string password_file;
  /// source-tls as given: off, required, verify-ca or verify-identity.
  std::string source_tls = "off";
  binlog::record_options records;
  std::string brokers = "127.0.0.1:9092";
  /// The commit-log topic; `<name>.commits` when empty.
  std::string commit_topic;
  /// librdkafka properties, "key=value", passed through.
  std::vector<std::string> kafka_properties;
  /// Where to start when the commit log is empty: "end" (the server's current
  /// position) or "start" (the oldest binlog the server has).
  std::string initial = "end";
  /// "at-least-once" (a crash may duplicate) or "exactly-once" (Kafka
  /// transactions; consumers read with isolation.level=read_committed).
  std::string delivery = "at-least-once";
  /// How a restart finds its place: "auto" (file and offset on the same
  /// server, GTID on another server, e.g. after a failover), "position" or
  /// "gtid" (MariaDB, or MySQL with gtid_mode=ON).
  std::string resume_by = "auto";
  /// Start here instead of the commit log ("FILE:POS").
  std::string from;
  /// Wait for the source lock held by another instance with this name and
  /// take over when it goes (a hot standby).
  bool standby = false;
  /// How long the server keeps the source lock of an instance that stopped
  /// answering: how soon a standby takes over from a paused or cut-off one.
  caf::timespan lock_timeout = std::chrono::seconds(10);
  uint64_t batch_records = 10000;
  uint64_t batch_bytes = 1 << 20;
  caf::timespan batch_delay = std::chrono::milliseconds(20);
  uint64_t max_inflight_bytes = 64 << 20;
  caf::timespan commit_interval = std::chrono::milliseconds(200);
  caf::timespan progress_interval = std::chrono::seconds(10);
  caf::timespan stop_timeout = std::chrono::seconds(30);
  std::string log_level = "info";
  /// host:port of the HTTP endpoint (/health, /metrics, status page); off
  /// when empty.
  std::string http_host;
  uint16_t http_port = 0;
  caf::timespan health_lag_threshold = std::chrono::seconds(60);
  /// The reader runs on this reader node (host:port); here when empty.
  std::string reader_node_host;
  uint16_t reader_node_port = 0;
  /// Where `binlog2kafka reader-node` listens.
  std::string reader_node_listen_host = "127.0.0.1";
  uint16_t reader_node_listen_port = 4280;

  std::string commit_topic_name() const {
    return commit_topic.empty() ? name + ".commits" : commit_topic;
  }
};

/// The options as given, before checking.
struct raw_options {
  std::string name = "binlog2kafka";
  std::string source = "mysql://b2k@127.0.0.1:3306";
  std::string source_password_file;
  std::string source_password_env = "BINLOG2KAFKA_SOURCE_PASSWORD";
  std::string source_tls = "off";
  std::string source_tls_ca;
  std::string source_tls_cert;
  std::string source_tls_key;
  uint32_t server_id = 4242;
  caf::timespan heartbeat = std::chrono::seconds(1);
  caf::timespan read_timeout = std::chrono::seconds(30);
  std::string brokers = "127.0.0.1:9092";
  std::string topic_template = "{prefix}.{db}.{table}";
  std::string topic_prefix;
  std::string commit_topic;
  bool include_system_schemas = false;
  bool tombstones = true;
  std::string schema_topic = "{prefix}";
  std::string transaction_topic;
  std::string value_mode = "debezium";
  std::string decimal_handling_mode = "precise";
  std::string time_precision_mode = "adaptive_time_microseconds";
  std::string bigint_unsigned_handling_mode = "long";
  std::string binary_handling_mode = "bytes";
  bool schemas = false;
  std::vector<std::string> include_databases;
  std::vector<std::string> exclude_databases;
  std::vector<std::string> include_tables;
  std::vector<std::string> exclude_tables;
  std::vector<std::string> exclude_columns;
  std::vector<std::string> kafka;
  std::string kafka_password_file;
  std::string kafka_password_env = "BINLOG2KAFKA_KAFKA_PASSWORD";
  std::string initial = "end";
  std::string delivery = "at-least-once";
  std::string resume_by = "auto";
  std::string from;
  bool standby = false;
  caf::timespan lock_timeout = std::chrono::seconds(10);
  uint64_t batch_records = 10000;
  uint64_t batch_bytes = 1 << 20;
  caf::timespan batch_delay = std::chrono::milliseconds(20);
  uint64_t max_inflight_bytes = 64 << 20;
  caf::timespan commit_interval = std::chrono::milliseconds(200);
  caf::timespan progress_interval = std::chrono::seconds(10);
  caf::timespan stop_timeout = std::chrono::seconds(30);
  std::string log_level = "info";
  std::string http_listen;
  caf::timespan health_lag_threshold = std::chrono::seconds(60);
  std::string reader_node;
  std::string reader_node_listen = "127.0.0.1:4280";
};

/// CAF's actor system config with our message types and the options of the
/// [binlog2kafka] group.
class b2k_config : public caf::actor_system_config {
public:
  b2k_config();

  /// After parse(): fails on a key of the config file that no option has
  /// (a typo would otherwise be ignored) and on a value of the wrong type.
  caf::error check_config_file() const;

  raw_options options;

  /// CAF 0.17 reads a boolean option on the command line only as a bare
  /// flag (`--binlog2kafka.tombstones`, which sets it); a value after it is
  /// an error. This takes `--binlog2kafka.KEY=true|false` of our boolean
  /// options out of `args` before parse(); apply_bool_arguments() sets them
  /// after it, so that they win over the config file as the other
  /// command-line options do. Errors name the argument.
  caf::error take_bool_arguments(std::vector<std::string>& args);
  void apply_bool_arguments();

private:
  std::vector<std::pair<bool raw_options::*, bool>> bool_arguments_;
};

/// Checks the options and resolves the password; errors name the key.
caf::expected<settings> read_settings(const raw_options& options);

/// One line for an error from CAF's config parser or from read_settings.
std::string describe_config_error(const caf::error& err);

/// Sets the record options of `out` (topics, tombstones, filters) from the
/// options and checks them; errors name the key (`prefix` + key, e.g.
/// "binlog2kafka." or "--" for dump). Sets skip_system_schemas as `run`
/// does (dump shows every schema).
caf::error apply_record_options(const std::string& prefix,
                                const raw_options& options,
                                binlog::record_options& out);

/// Sets the TLS fields of `out` from source-tls (off, required, verify-ca,
/// verify-identity) and the CA, certificate and key files; errors name the
/// key (`prefix` + "source-tls...", e.g. "binlog2kafka." or "--" for dump).
caf::error apply_source_tls(const std::string& prefix, const std::string& mode,
                            const std::string& ca, const std::string& cert,
                            const std::string& key,
                            binlog::connection_options& out);

/// "mysql://user@host:port" (a password in the URL is refused: it would
/// show in the process list).
caf::error parse_source_url(const std::string& url,
                            binlog::connection_options& out);

} // namespace b2k
