#pragma once

// The options model: every option of every command once, with its help
// group, its help text and the commands that take it. The command-line
// parsers, the config-file checks and the help texts are built from it.
//
// Two forms, one model:
//   run, position, reader-node: CAF's config (the [binlog2kafka] group of
//     the config file, --binlog2kafka.KEY=VALUE, and CAF's own groups);
//   dump, snapshot: --KEY=VALUE (a list option once per value), and the
//     same config file with --config-file=F.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <caf/actor_system_config.hpp>
#include <caf/config_option_set.hpp>
#include <caf/error.hpp>
#include <caf/timespan.hpp>

#include "config/defaults.hpp"

namespace b2k {

enum class command : uint8_t {
  run,
  dump,
  position,
  reader_node,
  /// Asks a running pipeline to snapshot tables (or lists, or cancels).
  snapshot,
  version,
};

std::string_view to_string(command x);

/// The command named `text` ("reader-node"), or nothing.
std::optional<command> parse_command(std::string_view text);

/// The commands that read the pipeline's config with CAF's parser.
constexpr bool uses_caf_options(command x) {
  return x == command::run || x == command::position
         || x == command::reader_node;
}

/// The headings of `--help`, in this order.
enum class option_group : uint8_t {
  source,
  kafka,
  records,
  delivery,
  snapshot,
  operations,
};

std::string_view to_string(option_group x);

/// The options as given, before checking. Their defaults are defaults.hpp's.
struct raw_options {
  std::string name{defaults::name};
  std::string source{defaults::source};
  std::string source_password_file;
  std::string source_password_env{defaults::source_password_env};
  std::string source_tls{to_string(defaults::source_tls)};
  std::string source_tls_ca;
  std::string source_tls_cert;
  std::string source_tls_key;
  uint32_t server_id = defaults::server_id;
  caf::timespan heartbeat = defaults::heartbeat;
  caf::timespan read_timeout = defaults::read_timeout;
  std::string brokers{defaults::brokers};
  std::string topic_template{defaults::topic_template};
  std::string topic_prefix;
  std::string commit_topic;
  bool include_system_schemas = false;
  bool tombstones = defaults::tombstones;
  std::string schema_topic{defaults::schema_topic};
  std::string transaction_topic;
  std::string value_mode{defaults::value_mode};
  std::string decimal_handling_mode{defaults::decimal_handling_mode};
  std::string time_precision_mode{defaults::time_precision_mode};
  std::string bigint_unsigned_handling_mode{
    defaults::bigint_unsigned_handling_mode};
  std::string binary_handling_mode{defaults::binary_handling_mode};
  bool schemas = false;
  std::string format{"json"};
  std::string schema_registry_url;
  std::vector<std::string> include_databases;
  std::vector<std::string> exclude_databases;
  std::vector<std::string> include_tables;
  std::vector<std::string> exclude_tables;
  std::vector<std::string> exclude_columns;
  std::vector<std::string> kafka;
  std::string kafka_password_file;
  std::string kafka_password_env{defaults::kafka_password_env};
  std::string initial{to_string(defaults::initial)};
  std::string delivery{to_string(defaults::delivery)};
  std::string oversize{to_string(defaults::oversize)};
  std::string snapshot{to_string(defaults::snapshot)};
  uint64_t snapshot_chunk_rows = defaults::snapshot_chunk_rows;
  uint64_t snapshot_parallelism = defaults::snapshot_parallelism;
  std::string resume_by{to_string(defaults::resume_by)};
  std::string from;
  bool standby = false;
  caf::timespan lock_timeout = defaults::lock_timeout;
  uint64_t batch_records = defaults::batch_records;
  uint64_t batch_bytes = defaults::batch_bytes;
  caf::timespan batch_delay = defaults::batch_delay;
  uint64_t max_inflight_bytes = defaults::max_inflight_bytes;
  caf::timespan commit_interval = defaults::commit_interval;
  caf::timespan progress_interval = defaults::progress_interval;
  caf::timespan stop_timeout = defaults::stop_timeout;
  std::string log_level{defaults::log_level};
  std::string http_listen;
  std::string http_token_file;
  std::string http_token_env{defaults::http_token_env};
  bool http_token_read = false;
  caf::timespan health_lag_threshold = defaults::health_lag_threshold;
  std::string reader_node;
  std::string reader_node_listen{defaults::reader_node_listen};
  std::string node_tls{defaults::node_tls};
  std::string node_tls_cert;
  std::string node_tls_key;
  std::string node_tls_ca;
  // dump
  std::vector<std::string> file;
  // snapshot (issue 12)
  std::vector<std::string> tables;
  bool wait = false;
  bool list = false;
  std::string cancel;
};

/// Where an option's value goes.
using option_field = std::variant<
  std::string raw_options::*, std::vector<std::string> raw_options::*,
  bool raw_options::*, uint32_t raw_options::*, uint64_t raw_options::*,
  caf::timespan raw_options::*>;

/// A set of commands.
using command_set = uint8_t;

constexpr command_set commands(std::initializer_list<command> xs) {
  command_set result = 0;
  for (auto x : xs)
    result |= static_cast<command_set>(1u << static_cast<unsigned>(x));
  return result;
}

struct option_spec {
  /// The key in the config file and on the command line ("server-id").
  std::string_view key;
  option_group group;
  /// The commands that take it on their command line and show it in their
  /// help. The config file may hold every option of the pipeline commands
  /// (one file serves run, position, reader-node, dump and snapshot).
  command_set takes;
  option_field field;
  /// What the value is, in the help: "FILE", "N", "DURATION", ...
  std::string_view value;
  std::string_view help;

  bool taken_by(command x) const {
    return (takes & commands({x})) != 0;
  }
};

/// Every option, in help order within each group.
const std::vector<option_spec>& option_specs();

/// The option `key` as `cmd` takes it on its command line (dump's
/// `--password-file` is `source-password-file`), or null.
const option_spec* find_option(command cmd, std::string_view key);

/// Binds every option that the config file may hold to `out`, in the
/// [binlog2kafka] group of `set`.
void add_options(caf::config_option_set& set, raw_options& out);

/// CAF's actor system config for run, position and reader-node: the
/// options of the [binlog2kafka] group and CAF's own.
class b2k_config : public caf::actor_system_config {
public:
  b2k_config();

  /// Parses the config file and the command line. The config file is the
  /// one --config-file names, else caf-application.ini in the working
  /// directory if there is one. Errors name the option, or the file and
  /// its line; a key of the file that no option has is an error (a typo
  /// would otherwise be ignored), and so is a value of the wrong type.
  caf::error parse_command_line(std::vector<std::string> args);

  /// The config file that was read ("" if none).
  const std::string& config_file() const {
    return config_file_;
  }

  /// True if the command line set an option of ours.
  bool options_given() const {
    return options_given_;
  }

  /// The [binlog2kafka] group and CAF's options, for --long-help.
  const caf::config_option_set& option_set() const {
    return custom_options_;
  }

  raw_options options;

private:
  std::string config_file_;
  bool options_given_ = false;
};

/// The command line of dump or snapshot: --KEY=VALUE for the options `cmd`
/// takes (a list option once per value, a boolean also bare), and
/// --config-file=F. Errors name the argument, or the file and its line.
/// `given` (if any) gets the keys the command line set.
caf::error parse_short_options(command cmd,
                               const std::vector<std::string>& args,
                               raw_options& out,
                               std::vector<std::string>* given = nullptr);

/// Reads the [binlog2kafka] group of a config file into the options of
/// `set` and checks the other groups against `others` (default: `set`):
/// errors say why a file cannot be read (errno's text), name the file and
/// the line of a syntax error, and name an unknown key or a value of the
/// wrong type.
caf::error read_config_file(const std::string& path,
                            const caf::config_option_set& set,
                            const caf::config_option_set* others = nullptr);

/// One line for an error from the option parsers or from read_settings.
std::string describe_config_error(const caf::error& err);

/// True for --help, -h, -? and --long-help.
bool is_help_flag(std::string_view arg);

/// The help of `cmd`, for stdout. With `long_help` (run, position,
/// reader-node), CAF's own options follow ours (`caf_options`).
std::string help_text(command cmd, bool long_help = false,
                      const caf::config_option_set* caf_options = nullptr);

/// The overview of the commands (`binlog2kafka --help`).
std::string usage_text();

} // namespace b2k
