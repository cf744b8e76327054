#include "config/options.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <caf/config_option_adder.hpp>

#include "messages/error.hpp"

namespace b2k {

namespace {

constexpr auto run = command::run;
constexpr auto dump = command::dump;
constexpr auto position = command::position;
constexpr auto node = command::reader_node;
constexpr auto snapshot = command::snapshot;

using g = option_group;
using o = raw_options;

// The pipeline commands take every option of the config file, so that one
// file (and `run --help`) covers them all; the others show what they use.
const std::vector<option_spec> specs = {
  // -- source
  {"name", g::source, commands({run, position, node, dump, snapshot}), &o::name,
   "TEXT", "source name: topic prefix, commit-log key and source.name"},
  {"file", g::source, commands({dump}), &o::file, "FILE",
   "a binlog file to decode (once per file, in order)"},
  {"source", g::source, commands({run, node, dump}), &o::source, "URL",
   "MySQL/MariaDB to read: mysql://user@host:port (never with a password)"},
  {"source-password-file", g::source, commands({run, node, dump}),
   &o::source_password_file, "FILE", "file holding the source user's password"},
  {"source-password-env", g::source, commands({run, node, dump}),
   &o::source_password_env, "VAR",
   "environment variable holding the password (if no file is given)"},
  {"source-tls", g::source, commands({run, node, dump}), &o::source_tls, "MODE",
   "TLS to the source: off, required (encrypted, certificate not checked), "
   "verify-ca or verify-identity (also the host name)"},
  {"source-tls-ca", g::source, commands({run, node, dump}), &o::source_tls_ca,
   "FILE", "CA certificate file (PEM) that signed the source's certificate"},
  {"source-tls-cert", g::source, commands({run, node, dump}),
   &o::source_tls_cert, "FILE",
   "client certificate file (PEM), for users that REQUIRE X509"},
  {"source-tls-key", g::source, commands({run, node, dump}), &o::source_tls_key,
   "FILE", "the client certificate's private key file (PEM)"},
  {"server-id", g::source, commands({run, node, dump}), &o::server_id, "N",
   "our server id as a replica (unique among the server's replicas)"},
  {"heartbeat", g::source, commands({run, node}), &o::heartbeat, "DURATION",
   "server heartbeat period when idle"},
  {"read-timeout", g::source, commands({run, node}), &o::read_timeout,
   "DURATION", "reconnect when the server sends nothing for this long"},
  {"initial", g::source, commands({run, node}), &o::initial, "MODE",
   "where to start with an empty commit log: end or start"},
  {"resume-by", g::source, commands({run, node}), &o::resume_by, "MODE",
   "auto (file:pos on the same server, GTID on another one, as after a "
   "failover), position, or gtid (MariaDB, or MySQL with gtid_mode=ON)"},
  {"from", g::source, commands({run, dump}), &o::from, "FILE:POS",
   "start at FILE:POS instead of the commit log (dump: instead of the "
   "oldest binlog)"},
  // -- Kafka
  {"brokers", g::kafka, commands({run, position, snapshot}), &o::brokers,
   "HOST:PORT,...", "Kafka bootstrap servers"},
  {"kafka", g::kafka, commands({run, position, snapshot}), &o::kafka,
   "[KEY=VALUE,...]",
   "librdkafka properties, e.g. [\"linger.ms=5\",\"compression.type=lz4\"]"},
  {"kafka-password-file", g::kafka, commands({run, position, snapshot}),
   &o::kafka_password_file, "FILE",
   "file holding the Kafka SASL password (sets sasl.password)"},
  {"kafka-password-env", g::kafka, commands({run, position, snapshot}),
   &o::kafka_password_env, "VAR",
   "environment variable holding the Kafka SASL password (if no file is "
   "given and it is set)"},
  {"commit-topic", g::kafka, commands({run, position}), &o::commit_topic,
   "TOPIC", "commit-log topic (default: <name>.commits)"},
  // -- records
  {"topic-template", g::records, commands({run, node, dump}),
   &o::topic_template, "TEMPLATE",
   "topic per table: {prefix}, {db} and {table} are replaced"},
  {"topic-prefix", g::records, commands({run, node, dump}), &o::topic_prefix,
   "TEXT", "{prefix} (default: name)"},
  {"include-system-schemas", g::records, commands({run, node, dump}),
   &o::include_system_schemas, "true|false",
   "also send changes of mysql, sys, performance_schema (dump always shows "
   "them)"},
  {"tombstones", g::records, commands({run, node, dump}), &o::tombstones,
   "true|false",
   "after each delete of a table with a primary key, a record with the same "
   "key and a null value, for log compaction"},
  {"schema-topic", g::records, commands({run, node, dump}), &o::schema_topic,
   "TOPIC", "topic of DDL statements ({prefix} is replaced; \"\" = none)"},
  {"transaction-topic", g::records, commands({run, node, dump}),
   &o::transaction_topic, "TOPIC",
   "topic of transaction BEGIN/END records, e.g. \"{prefix}.transaction\" "
   "(\"\" = none)"},
  {"value-mode", g::records, commands({run, node, dump}), &o::value_mode,
   "MODE",
   "column values: debezium (exactly as Debezium's MySQL connector writes "
   "them, shaped by the four *-mode options) or readable (decimals, dates "
   "and times as strings)"},
  {"decimal-handling-mode", g::records, commands({run, node, dump}),
   &o::decimal_handling_mode, "MODE",
   "Debezium's decimal.handling.mode: precise, string or double"},
  {"time-precision-mode", g::records, commands({run, node, dump}),
   &o::time_precision_mode, "MODE",
   "Debezium's time.precision.mode: adaptive_time_microseconds or connect"},
  {"bigint-unsigned-handling-mode", g::records, commands({run, node, dump}),
   &o::bigint_unsigned_handling_mode, "MODE",
   "Debezium's bigint.unsigned.handling.mode: long or precise"},
  {"binary-handling-mode", g::records, commands({run, node, dump}),
   &o::binary_handling_mode, "MODE",
   "Debezium's binary.handling.mode: bytes, base64, base64-url-safe or hex"},
  {"schemas", g::records, commands({run, node, dump}), &o::schemas,
   "true|false",
   "keys and values in Kafka Connect's JsonConverter form with schemas, "
   "{\"schema\":...,\"payload\":...} (value-mode debezium)"},
  {"format", g::records, commands({run, node}), &o::format, "FORMAT",
   "json, or avro: keys and values in Avro with Confluent's wire format "
   "(magic byte, schema id, Avro binary), schemas registered in "
   "schema-registry-url as <topic>-key and <topic>-value (value-mode "
   "debezium)"},
  {"schema-registry-url", g::records, commands({run, node}),
   &o::schema_registry_url, "URL",
   "a Confluent-compatible schema registry, e.g. http://127.0.0.1:8081 or "
   "Apicurio's http://127.0.0.1:8080/apis/ccompat/v7 (format avro)"},
  {"include-databases", g::records, commands({run, node, dump}),
   &o::include_databases, "RE",
   "databases to send: regular expressions matching the whole name (none: "
   "all)"},
  {"exclude-databases", g::records, commands({run, node, dump}),
   &o::exclude_databases, "RE", "databases not to send: regular expressions"},
  {"include-tables", g::records, commands({run, node, dump}),
   &o::include_tables, "RE",
   "tables to send: regular expressions matching \"db.table\" (none: all)"},
  {"exclude-tables", g::records, commands({run, node, dump}),
   &o::exclude_tables, "RE",
   "tables not to send: regular expressions matching \"db.table\""},
  {"exclude-columns", g::records, commands({run, node, dump}),
   &o::exclude_columns, "RE",
   "columns left out of before/after: regular expressions matching "
   "\"db.table.column\""},
  // -- delivery
  {"delivery", g::delivery, commands({run}), &o::delivery, "MODE",
   "at-least-once, or exactly-once (Kafka transactions; read with "
   "isolation.level=read_committed)"},
  {"oversize", g::delivery, commands({run}), &o::oversize, "MODE",
   "a record larger than Kafka takes (the producer's message.max.bytes, the "
   "topic's max.message.bytes): fail (stop with one line), dead-letter (its "
   "key, table, position and size to <name>.dead-letter; the rest goes on) "
   "or truncate-columns (its largest column values become "
   "{\"__binlog2kafka_truncated\":{\"bytes\":N}} until it fits)"},
  {"batch-records", g::delivery, commands({run, node}), &o::batch_records, "N",
   "most records in one batch"},
  {"batch-bytes", g::delivery, commands({run, node}), &o::batch_bytes, "N",
   "most bytes in one batch"},
  {"batch-delay", g::delivery, commands({run, node}), &o::batch_delay,
   "DURATION", "longest a read batch waits to fill under load"},
  {"max-inflight-bytes", g::delivery, commands({run, node}),
   &o::max_inflight_bytes, "N", "credit: most bytes read but not yet in Kafka"},
  {"commit-interval", g::delivery, commands({run}), &o::commit_interval,
   "DURATION", "how often the released position is written to the commit log"},
  {"stop-timeout", g::delivery, commands({run}), &o::stop_timeout, "DURATION",
   "how long a graceful stop waits for Kafka"},
  // -- snapshot
  {"snapshot", g::snapshot, commands({run, node}), &o::snapshot, "MODE",
   "existing rows as op \"r\" records: initial (with an empty commit log, "
   "every included table, then the stream), never, initial-only (then "
   "exit) or when-needed (also when the committed position was purged)"},
  {"snapshot-chunk-rows", g::snapshot, commands({run, node}),
   &o::snapshot_chunk_rows, "N",
   "most rows read per chunk (by key, no locks); fewer when their records "
   "pass max-inflight-bytes / (2 x snapshot-parallelism)"},
  {"snapshot-parallelism", g::snapshot, commands({run, node}),
   &o::snapshot_parallelism, "N",
   "connections reading chunks at once, across and within tables"},
  {"tables", g::snapshot, commands({snapshot}), &o::tables, "RE",
   "tables to snapshot: regular expressions matching \"db.table\""},
  {"wait", g::snapshot, commands({snapshot}), &o::wait, "true|false",
   "wait until the snapshot is done, showing its progress on a terminal"},
  {"list", g::snapshot, commands({snapshot}), &o::list, "true|false",
   "list the snapshots running, queued and asked for, and the last ended"},
  {"cancel", g::snapshot, commands({snapshot}), &o::cancel, "ID",
   "cancel the running or a queued snapshot"},
  // -- operations
  {"standby", g::operations, commands({run, node}), &o::standby, "true|false",
   "wait while another instance with this name runs and take over when it "
   "goes"},
  {"lock-timeout", g::operations, commands({run, node}), &o::lock_timeout,
   "DURATION",
   "how long the server keeps the source lock of an instance that stopped "
   "answering; a standby takes over after at most this"},
  {"log-level", g::operations, commands({run, position, node, snapshot}),
   &o::log_level, "LEVEL", "error, warn, info, debug or trace"},
  {"progress-interval", g::operations, commands({run, node}),
   &o::progress_interval, "DURATION",
   "how often a progress line is logged (0 = never)"},
  {"http-listen", g::operations, commands({run}), &o::http_listen, "HOST:PORT",
   "/health, /metrics and the status page (off when empty; use 127.0.0.1 "
   "unless you mean to expose it)"},
  {"http-token-file", g::operations, commands({run}), &o::http_token_file,
   "FILE",
   "file holding the bearer token that POST and DELETE /snapshots need "
   "(none: they are refused)"},
  {"http-token-env", g::operations, commands({run}), &o::http_token_env, "VAR",
   "environment variable holding the token (if no file is given)"},
  {"http-token-read", g::operations, commands({run}), &o::http_token_read,
   "true|false",
   "the read-only endpoints (/status.json, /metrics, /records, GET "
   "/snapshots) need the token too (/health and the page's shell do not)"},
  {"health-lag-threshold", g::operations, commands({run}),
   &o::health_lag_threshold, "DURATION",
   "/health says lagging when this far behind the server"},
  {"reader-node", g::operations, commands({run}), &o::reader_node, "HOST:PORT",
   "a `binlog2kafka reader-node` to run the reader on (CAF's middleman over "
   "TLS, see node-tls); empty: read here"},
  {"reader-node-listen", g::operations, commands({run, node}),
   &o::reader_node_listen, "HOST:PORT",
   "where `binlog2kafka reader-node` listens (read by reader-node)"},
  {"node-tls", g::operations, commands({run, node}), &o::node_tls, "on|off",
   "the reader-node link over TLS with certificates checked on both sides "
   "(on), or in plaintext without authentication (off: a trusted network "
   "only); both sides must agree"},
  {"node-tls-cert", g::operations, commands({run, node}), &o::node_tls_cert,
   "FILE", "this side's certificate (PEM, chain) for the reader-node link"},
  {"node-tls-key", g::operations, commands({run, node}), &o::node_tls_key,
   "FILE", "the private key of node-tls-cert (PEM, unencrypted)"},
  {"node-tls-ca", g::operations, commands({run, node}), &o::node_tls_ca, "FILE",
   "the CA (PEM) that must have signed the other side's certificate"},
};

/// dump's name of an option, from before the options model.
constexpr std::pair<std::string_view, std::string_view> aliases[] = {
  {"password-file", "source-password-file"},
};

/// The options of the config file: those of the pipeline commands.
bool in_config_file(const option_spec& spec) {
  return spec.taken_by(run) || spec.taken_by(position) || spec.taken_by(node);
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

/// `text` for an error message, unless it may hold a secret (a password in
/// a `kafka` property, say): config errors end up in logs and journals.
std::string shown(const std::string& text) {
  std::string lower;
  for (auto c : text)
    lower.push_back(
      static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  for (auto word : {"password", "secret", "private key", "-----begin"})
    if (lower.find(word) != std::string::npos)
      return "(value not shown: it may hold a secret)";
  return text;
}

caf::error config_error(std::string text) {
  return caf::make_error(ec::config, std::move(text));
}

/// A syntax error of CAF's config-file parser as one line. CAF counts the
/// newline that ends a bad line before it notices: such an error is on the
/// line before.
std::string describe_syntax_error(const std::string& path,
                                  const caf::error& err) {
  auto code = static_cast<caf::pec>(err.code());
  size_t line = 0;
  size_t column = 0;
  auto ctx = caf::to_string(err.context());
  auto number_after = [&](std::string_view key) -> size_t {
    auto i = ctx.find(key);
    if (i == std::string::npos)
      return 0;
    return std::strtoul(ctx.c_str() + i + key.size(), nullptr, 10);
  };
  line = number_after("\"line\" = ");
  column = number_after("\"column\" = ");
  bool at_newline = code == caf::pec::unexpected_newline;
  if (at_newline && column <= 1 && line > 1)
    --line;
  std::string what;
  switch (code) {
    case caf::pec::unexpected_newline:
      what =
        "unexpected end of line (an unclosed quote or bracket, a "
        "missing value, or text after the value?)";
      break;
    case caf::pec::unexpected_eof:
      what = "unexpected end of the file";
      break;
    case caf::pec::unexpected_character:
      what = "unexpected character";
      break;
    default:
      what = caf::to_string(code);
  }
  return path + ": line " + std::to_string(line) + ": " + what;
}

template <class T>
std::string value_text(const T& x) {
  if constexpr (std::is_same_v<T, std::string>)
    return x.empty() ? std::string{} : "\"" + x + "\"";
  else if constexpr (std::is_same_v<T, bool>)
    return x ? "true" : "false";
  else if constexpr (std::is_same_v<T, std::vector<std::string>>)
    return x.empty() ? std::string{} : caf::deep_to_string(x);
  else if constexpr (std::is_same_v<T, caf::timespan>)
    return caf::to_string(caf::config_value{x});
  else
    return std::to_string(x);
}

caf::string_view caf_view(std::string_view x) {
  return {x.data(), x.size()};
}

void add_option(caf::config_option_adder& group, raw_options& out,
                const option_spec& spec) {
  std::visit(
    [&](auto member) {
      group.add(out.*member, caf_view(spec.key), caf_view(spec.help));
    },
    spec.field);
}

/// The defaults as `cmd` shows them.
raw_options defaults_of(command cmd) {
  raw_options result;
  if (cmd == dump) {
    result.server_id = defaults::dump_server_id;
    result.include_system_schemas = true;
    result.source.clear(); // --file or --source
  }
  return result;
}

/// Wraps `text` to lines of at most `width` characters after `indent`.
void wrap(std::ostringstream& out, std::string_view text, size_t indent,
          size_t width = 79) {
  size_t column = indent;
  out << std::string(indent, ' ');
  while (!text.empty()) {
    auto space = text.find(' ');
    auto word = text.substr(0, space);
    if (column > indent && column + 1 + word.size() > width) {
      out << '\n' << std::string(indent, ' ');
      column = indent;
    } else if (column > indent) {
      out << ' ';
      ++column;
    }
    out << word;
    column += word.size();
    text = space == std::string_view::npos ? std::string_view{}
                                           : text.substr(space + 1);
  }
  out << '\n';
}

} // namespace

std::string_view to_string(command x) {
  switch (x) {
    case command::run:
      return "run";
    case command::dump:
      return "dump";
    case command::position:
      return "position";
    case command::reader_node:
      return "reader-node";
    case command::snapshot:
      return "snapshot";
    case command::version:
      return "version";
  }
  return "?";
}

std::optional<command> parse_command(std::string_view text) {
  for (auto x : {command::run, command::dump, command::position,
                 command::reader_node, command::snapshot, command::version})
    if (to_string(x) == text)
      return x;
  return std::nullopt;
}

std::string_view to_string(option_group x) {
  switch (x) {
    case option_group::source:
      return "source";
    case option_group::kafka:
      return "Kafka";
    case option_group::records:
      return "records";
    case option_group::delivery:
      return "delivery";
    case option_group::snapshot:
      return "snapshot";
    case option_group::operations:
      return "operations";
  }
  return "?";
}

const std::vector<option_spec>& option_specs() {
  return specs;
}

const option_spec* find_option(command cmd, std::string_view key) {
  for (auto& [alias, name] : aliases)
    if (cmd == dump && key == alias)
      key = name;
  for (auto& spec : specs)
    if (spec.key == key && spec.taken_by(cmd))
      return &spec;
  return nullptr;
}

void add_options(caf::config_option_set& set, raw_options& out) {
  caf::config_option_adder group{set, "binlog2kafka"};
  for (auto& spec : specs)
    if (in_config_file(spec))
      add_option(group, out, spec);
}

bool is_help_flag(std::string_view arg) {
  return arg == "--help" || arg == "-h" || arg == "-?" || arg == "--long-help";
}

caf::error read_config_file(const std::string& path,
                            const caf::config_option_set& set,
                            const caf::config_option_set* others) {
  if (others == nullptr)
    others = &set;
  // Why it cannot be read, in words: CAF only says that it cannot.
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0)
    return config_error("cannot read config file \"" + path
                        + "\": " + std::strerror(errno));
  struct stat st {};
  bool directory = ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
  ::close(fd);
  if (directory)
    return config_error("cannot read config file \"" + path
                        + "\": " + std::strerror(EISDIR));
  // Untyped first, so that a value of the wrong type is named below
  // instead of being dropped quietly.
  std::ifstream in{path};
  caf::config_option_set untyped;
  caf::settings parsed;
  if (auto err = caf::actor_system_config::parse_config(in, untyped, parsed))
    return config_error(describe_syntax_error(path, err));
  for (auto& [group, value] : parsed) {
    auto dict = caf::get_if<caf::config_value::dictionary>(&value);
    auto& options = group == "binlog2kafka" ? set : *others;
    if (dict == nullptr) {
      if (options.qualified_name_lookup(group) == nullptr
          && options.qualified_name_lookup("global", group) == nullptr)
        return config_error(path + ": unknown key '" + group + "'");
      continue;
    }
    for (auto& [key, val] : *dict) {
      auto opt = options.qualified_name_lookup(group, key);
      if (opt == nullptr)
        return config_error(path + ": unknown key '" + key + "' in [" + group
                            + "] (binlog2kafka run --help lists every option)");
      if (opt->check(val))
        return config_error(
          path + ": " + group + "." + key + " = " + shown(caf::to_string(val))
          + " is not a "
          + std::string(opt->type_name().data(), opt->type_name().size()));
      if (group == "binlog2kafka")
        opt->store(val);
    }
  }
  return caf::none;
}

std::string describe_config_error(const caf::error& err) {
  if (err.category() == caf::atom("b2k")
      && err.context().match_elements<std::string>())
    return err.context().get_as<std::string>(0);
  if (err.category() == caf::atom("system")
      && static_cast<caf::sec>(err.code()) == caf::sec::cannot_open_file)
    return "cannot read config file " + caf::to_string(err.context());
  if (err.category() != caf::atom("parser"))
    return caf::to_string(err);
  auto code = static_cast<caf::pec>(err.code());
  // The context names the argument ("argument" = "--x=1") or the position
  // in the config file ("line" = 3, "column" = 7).
  auto ctx = caf::to_string(err.context());
  std::string where;
  auto arg = ctx.find("\"argument\" = \"");
  if (arg != std::string::npos) {
    auto start = arg + 14;
    auto end = ctx.find('"', start);
    auto argument = ctx.substr(start, end - start);
    auto eq = argument.find('=');
    if (eq != std::string::npos)
      argument = argument.substr(0, eq + 1) + shown(argument.substr(eq + 1));
    where = "'" + argument + "'";
  }
  switch (code) {
    case caf::pec::not_an_option:
      return "unknown option " + where
             + " (binlog2kafka run --help lists them all)";
    case caf::pec::missing_argument:
      return "missing value in " + where;
    default:
      return "invalid value in " + where + " (" + caf::to_string(code) + ")";
  }
}

// -- run, position, reader-node -----------------------------------------------

b2k_config::b2k_config() {
  // Sharing: idle workers wait on a condition variable. CAF's default,
  // work stealing, polls with short sleeps, which cost a third of the
  // pipeline's CPU on a 1M-row backlog (bench/, 2026-11-26) and delayed
  // messages to idle workers. [scheduler] policy in the file overrides it.
  set("scheduler.policy", caf::atom("sharing"));
  add_options(custom_options_, options);
}

caf::error b2k_config::parse_command_line(std::vector<std::string> args) {
  // The file first, with errors that say why and where; CAF reads it again
  // below with the command line over it.
  bool named = false;
  for (auto& arg : args)
    if (starts_with(arg, "--config-file=")) {
      config_file_ = arg.substr(14);
      named = true;
      break;
    }
  if (!named) {
    struct stat st {};
    if (::stat(config_file_path.c_str(), &st) == 0)
      config_file_ = config_file_path;
  }
  if (!config_file_.empty())
    if (auto err = read_config_file(config_file_, custom_options_))
      return err;
  // CAF 0.17 reads a boolean option on the command line only as a bare flag
  // (which sets it): take --binlog2kafka.KEY=true|false out and set it after
  // CAF's parse, so that it wins over the file as the others do.
  std::vector<std::pair<bool raw_options::*, bool>> bools;
  for (auto i = args.begin(); i != args.end();) {
    bool taken = false;
    if (starts_with(*i, "--binlog2kafka."))
      options_given_ = true;
    for (auto& spec : specs) {
      auto member = std::get_if<bool raw_options::*>(&spec.field);
      if (member == nullptr)
        continue;
      auto prefix = "--binlog2kafka." + std::string{spec.key} + "=";
      if (!starts_with(*i, prefix))
        continue;
      auto value = i->substr(prefix.size());
      if (value != "true" && value != "false")
        return config_error("invalid value in '" + *i + "' (true or false)");
      bools.emplace_back(*member, value == "true");
      taken = true;
    }
    i = taken ? args.erase(i) : i + 1;
  }
  if (auto err = parse(args))
    return err;
  for (auto& [member, value] : bools)
    options.*member = value;
  if (!remainder.empty())
    return config_error("unknown argument '" + remainder.front() + "'");
  return caf::none;
}

// -- dump, snapshot -----------------------------------------------------------

caf::error
parse_short_options(command cmd, const std::vector<std::string>& args,
                    raw_options& out, std::vector<std::string>* given) {
  out = defaults_of(cmd);
  caf::config_option_set set;
  add_options(set, out);
  // The options only these commands take are not in the config file.
  caf::config_option_adder own{set, "binlog2kafka"};
  for (auto& spec : specs)
    if (!in_config_file(spec))
      add_option(own, out, spec);
  struct cli_value {
    const option_spec* spec;
    std::string arg;
    std::string value;
    bool has_value;
  };
  std::vector<cli_value> values;
  std::string config_file;
  auto name = to_string(cmd);
  for (auto& arg : args) {
    if (!starts_with(arg, "--"))
      return config_error(std::string{name} + ": unexpected argument '" + arg
                          + "' (binlog2kafka " + std::string{name}
                          + " --help lists the options)");
    auto eq = arg.find('=');
    auto key = std::string_view{arg}.substr(2, eq == std::string::npos
                                                 ? std::string::npos
                                                 : eq - 2);
    auto value = eq == std::string::npos ? std::string{} : arg.substr(eq + 1);
    if (key == "config-file") {
      if (value.empty())
        return config_error("missing value in '" + arg + "'");
      config_file = value;
      continue;
    }
    auto spec = find_option(cmd, key);
    if (spec == nullptr)
      return config_error(std::string{name} + ": unknown option '" + arg
                          + "' (binlog2kafka " + std::string{name}
                          + " --help lists them)");
    values.push_back({spec, arg, value, eq != std::string::npos});
    if (given != nullptr)
      given->emplace_back(spec->key);
  }
  if (!config_file.empty()) {
    // dump reads beside a running pipeline: the file's server id is the
    // pipeline's.
    auto server_id = out.server_id;
    // The file's other groups are CAF's (they tune run's actor system).
    b2k_config caf_options;
    if (auto err = read_config_file(config_file, set,
                                    &caf_options.option_set()))
      return err;
    if (cmd == dump)
      out.server_id = server_id;
  }
  std::vector<const option_spec*> cleared;
  for (auto& [spec, arg, value, has_value] : values) {
    auto bad = [&arg = arg](const std::string& why) {
      return config_error("invalid value in '" + shown(arg) + "' (" + why
                          + ")");
    };
    if (auto list = std::get_if<std::vector<std::string> raw_options::*>(
          &spec->field)) {
      // Once per value; the first replaces what the file said.
      if (std::find(cleared.begin(), cleared.end(), spec) == cleared.end()) {
        (out.*(*list)).clear();
        cleared.push_back(spec);
      }
      if (!has_value)
        return config_error("missing value in '" + arg + "'");
      (out.*(*list)).push_back(value);
    } else if (auto text = std::get_if<std::string raw_options::*>(
                 &spec->field)) {
      if (!has_value)
        return config_error("missing value in '" + arg + "'");
      out.*(*text) = value; // verbatim: patterns, paths, URLs
    } else if (auto flag = std::get_if<bool raw_options::*>(&spec->field)) {
      if (has_value && value != "true" && value != "false")
        return bad("true or false");
      out.*(*flag) = !has_value || value == "true";
    } else {
      if (!has_value)
        return config_error("missing value in '" + arg + "'");
      auto opt = set.qualified_name_lookup("binlog2kafka", caf_view(spec->key));
      if (!opt->parse(value))
        return bad(
          "not a "
          + std::string(opt->type_name().data(), opt->type_name().size()));
    }
  }
  // dump shows every schema.
  if (cmd == dump)
    out.include_system_schemas = true;
  return caf::none;
}

// -- help -------------------------------------------------------------------------

std::string usage_text() {
  return R"(usage: binlog2kafka COMMAND [OPTIONS]

commands:
  run          read the binlog and send every row change to Kafka
  dump         decode binlog files or a server to stdout, one JSON line per
               record as `run` sends it
  position     print the position in the commit-log topic
  reader-node  run readers here for a pipeline on another node
  version      print the version

`binlog2kafka COMMAND --help` shows a command's options.
)";
}

std::string help_text(command cmd, bool long_help,
                      const caf::config_option_set* caf_options) {
  std::ostringstream out;
  bool caf_form = uses_caf_options(cmd);
  switch (cmd) {
    case command::run:
      out << "usage: binlog2kafka run [--config-file=FILE] "
             "[--binlog2kafka.KEY=VALUE ...]\n\n";
      wrap(out,
           "Reads the binlog as a replica and sends every row change to Kafka, "
           "resuming where its commit log says.",
           0);
      break;
    case command::position:
      out << "usage: binlog2kafka position [--config-file=FILE] "
             "[--binlog2kafka.KEY=VALUE ...]\n\n";
      wrap(out,
           "Prints the position in the commit-log topic of the pipeline "
           "`name`, as JSON. Takes run's config file.",
           0);
      break;
    case command::reader_node:
      out << "usage: binlog2kafka reader-node [--config-file=FILE] "
             "[--binlog2kafka.KEY=VALUE ...]\n\n";
      wrap(out,
           "Runs readers on this host for a pipeline on another node, which "
           "sets reader-node = \"THIS-HOST:PORT\". Takes the pipeline's config "
           "file: the source's address and password stay here.",
           0);
      break;
    case command::dump:
      out << "usage: binlog2kafka dump --file=FILE [--file=FILE ...] "
             "[OPTIONS]\n"
             "       binlog2kafka dump --source=mysql://USER@HOST:PORT "
             "[--from=FILE:POS] [OPTIONS]\n\n";
      wrap(out,
           "Decodes to stdout, one JSON line per record exactly as `run` would "
           "send it: {\"topic\":...,\"key\":...,\"value\":...}. With --source "
           "it reads from the oldest binlog (or --from) to the server's "
           "current end. It shows every schema, and binlogs without full row "
           "metadata (columns @1, @2, ...). --config-file=FILE takes the "
           "source and the record options from run's config file (not its "
           "server-id: dump reads beside a running pipeline). A list option "
           "is given once per value.",
           0);
      break;
    case command::snapshot:
      out << "usage: binlog2kafka snapshot --config-file=FILE --tables=RE "
             "[--tables=RE ...] [--wait]\n"
             "       binlog2kafka snapshot --config-file=FILE --list\n"
             "       binlog2kafka snapshot --config-file=FILE --cancel=ID "
             "[--wait]\n\n";
      wrap(out,
           "Asks the running pipeline (the config file's name) to snapshot "
           "the tables that match the patterns, while it streams: a signal "
           "on its topic <name>.signals, so no write access to the source "
           "is needed. Their existing rows arrive as op \"r\" records with "
           "source.snapshot \"incremental\". Prints the snapshot's id; a "
           "pattern that matches no included table is an error. --wait "
           "waits until the snapshot is done (a progress line on a "
           "terminal); --list shows the snapshots running, queued and asked "
           "for; --cancel=ID cancels one.",
           0);
      break;
    case command::version:
      return "usage: binlog2kafka version\n";
  }
  auto defaults = defaults_of(cmd);
  for (auto group : {g::source, g::kafka, g::records, g::delivery, g::snapshot,
                     g::operations}) {
    bool heading = false;
    for (auto& spec : specs) {
      if (spec.group != group || !spec.taken_by(cmd))
        continue;
      if (!heading) {
        out << '\n' << to_string(group) << ":\n";
        heading = true;
      }
      out << "  --" << (caf_form ? "binlog2kafka." : "") << spec.key << '='
          << spec.value << '\n';
      std::string text{spec.help};
      auto shown_default = std::visit(
        [&](auto member) { return value_text(defaults.*member); }, spec.field);
      if (!shown_default.empty())
        text += " (default: " + shown_default + ")";
      if (!caf_form
          && std::holds_alternative<std::vector<std::string> raw_options::*>(
            spec.field))
        text += "; once per value";
      wrap(out, text, 6);
    }
  }
  out << "\ngeneral:\n";
  out << "  --config-file=FILE\n";
  wrap(out,
       caf_form ? "the config file: its [binlog2kafka] group holds these "
                  "options without the prefix (default: caf-application.ini "
                  "in the working directory, if there is one); the command "
                  "line wins over it"
                : "run's config file: its [binlog2kafka] group; the command "
                  "line wins over it",
       6);
  out << "  --help, -h\n";
  wrap(out, "print this help to stdout and exit", 6);
  if (caf_form) {
    out << "  --long-help\n";
    wrap(out,
         "also list CAF's own options (scheduler, logger, middleman, ...), "
         "for the config file's other groups",
         6);
  }
  if (long_help && caf_options != nullptr) {
    out << "\nCAF's options (--GROUP.KEY=VALUE, or KEY = VALUE under [GROUP] "
           "in the config file):\n";
    for (auto& opt : *caf_options) {
      auto category = opt.category();
      if (category == "binlog2kafka" || category == "global")
        continue;
      out << "  --" << std::string(category.data(), category.size()) << '.'
          << std::string(opt.long_name().data(), opt.long_name().size()) << '='
          << std::string(opt.type_name().data(), opt.type_name().size())
          << '\n';
      wrap(out,
           std::string_view{opt.description().data(), opt.description().size()},
           6);
    }
  }
  return out.str();
}

} // namespace b2k
