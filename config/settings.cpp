#include "config/settings.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "messages/error.hpp"
#include "actors/actors.hpp"
#include "messages/type_ids.hpp"

namespace b2k {

b2k_config::b2k_config() {
  add_message_types<caf::id_block::b2k>();
  add_message_types<caf::id_block::b2k_handles>();
  add_error_category(caf::atom("b2k"),
                     [](uint8_t code, caf::atom_value, const caf::message& ctx) {
                       auto what = std::string{to_string(static_cast<ec>(code))};
                       if (ctx.match_elements<std::string>())
                         return ctx.get_as<std::string>(0);
                       return what;
                     });
  // Sharing: idle workers wait on a condition variable. CAF's default,
  // work stealing, polls with short sleeps, which cost a third of the
  // pipeline's CPU on a 1M-row backlog (bench/, 2026-11-26) and delayed
  // messages to idle workers. [scheduler] policy in the file overrides it.
  set("scheduler.policy", caf::atom("sharing"));
  auto& o = options;
  opt_group{custom_options_, "binlog2kafka"}
    .add(o.name, "name", "source name: topic prefix and commit-log key")
    .add(o.source, "source", "MySQL/MariaDB to read: mysql://user@host:port")
    .add(o.source_password_file, "source-password-file",
         "file holding the source user's password")
    .add(o.source_password_env, "source-password-env",
         "environment variable holding the password (if no file is given)")
    .add(o.source_tls, "source-tls",
         "TLS to the source: off, required (encrypted, certificate not "
         "checked), verify-ca or verify-identity (also the host name)")
    .add(o.source_tls_ca, "source-tls-ca",
         "CA certificate file (PEM) that signed the source's certificate")
    .add(o.source_tls_cert, "source-tls-cert",
         "client certificate file (PEM), for users that REQUIRE X509")
    .add(o.source_tls_key, "source-tls-key",
         "the client certificate's private key file (PEM)")
    .add(o.server_id, "server-id", "our server id as a replica (unique)")
    .add(o.heartbeat, "heartbeat", "server heartbeat period when idle")
    .add(o.read_timeout, "read-timeout",
         "reconnect when the server sends nothing for this long")
    .add(o.brokers, "brokers", "Kafka bootstrap servers")
    .add(o.topic_template, "topic-template",
         "topic per table: {prefix}, {db} and {table} are replaced")
    .add(o.topic_prefix, "topic-prefix", "{prefix} (default: name)")
    .add(o.commit_topic, "commit-topic",
         "commit-log topic (default: <name>.commits)")
    .add(o.include_system_schemas, "include-system-schemas",
         "also send changes of mysql, sys, performance_schema")
    .add(o.tombstones, "tombstones",
         "after each delete of a table with a primary key, a record with "
         "the same key and a null value, for log compaction (on by default; "
         "--binlog2kafka.tombstones=false turns it off)")
    .add(o.schema_topic, "schema-topic",
         "topic of DDL statements ({prefix} is replaced; \"\" = none)")
    .add(o.transaction_topic, "transaction-topic",
         "topic of transaction BEGIN/END records, e.g. "
         "\"{prefix}.transaction\" (default \"\" = none)")
    .add(o.value_mode, "value-mode",
         "column values: debezium (exactly as Debezium's MySQL connector "
         "writes them, shaped by the four *-mode options) or readable "
         "(decimals, dates and times as strings)")
    .add(o.decimal_handling_mode, "decimal-handling-mode",
         "Debezium's decimal.handling.mode: precise, string or double")
    .add(o.time_precision_mode, "time-precision-mode",
         "Debezium's time.precision.mode: adaptive_time_microseconds or "
         "connect")
    .add(o.bigint_unsigned_handling_mode, "bigint-unsigned-handling-mode",
         "Debezium's bigint.unsigned.handling.mode: long or precise")
    .add(o.binary_handling_mode, "binary-handling-mode",
         "Debezium's binary.handling.mode: bytes, base64, base64-url-safe "
         "or hex")
    .add(o.schemas, "schemas",
         "keys and values in Kafka Connect's JsonConverter form with "
         "schemas, {\"schema\":…,\"payload\":…} (value-mode debezium; off "
         "by default)")
    .add(o.include_databases, "include-databases",
         "databases to send: regular expressions matching the whole name "
         "(default [] = all)")
    .add(o.exclude_databases, "exclude-databases",
         "databases not to send: regular expressions")
    .add(o.include_tables, "include-tables",
         "tables to send: regular expressions matching \"db.table\" "
         "(default [] = all)")
    .add(o.exclude_tables, "exclude-tables",
         "tables not to send: regular expressions matching \"db.table\"")
    .add(o.exclude_columns, "exclude-columns",
         "columns left out of before/after: regular expressions matching "
         "\"db.table.column\"")
    .add(o.kafka, "kafka",
         "librdkafka properties, e.g. [\"linger.ms=5\",\"compression.type=lz4\"]")
    .add(o.kafka_password_file, "kafka-password-file",
         "file holding the Kafka SASL password (sets sasl.password)")
    .add(o.kafka_password_env, "kafka-password-env",
         "environment variable holding the Kafka SASL password (if no file "
         "is given and it is set)")
    .add(o.initial, "initial",
         "where to start with an empty commit log: end or start")
    .add(o.delivery, "delivery",
         "at-least-once, or exactly-once (Kafka transactions; read with "
         "isolation.level=read_committed)")
    .add(o.resume_by, "resume-by",
         "auto (file:pos on the same server, GTID on another one, as after "
         "a failover), position, or gtid (MariaDB, or MySQL with "
         "gtid_mode=ON)")
    .add(o.from, "from", "start at FILE:POS instead of the commit log")
    .add(o.standby, "standby",
         "wait while another instance with this name runs and take over "
         "when it goes (--binlog2kafka.standby=true)")
    .add(o.lock_timeout, "lock-timeout",
         "how long the server keeps the source lock of an instance that "
         "stopped answering; a standby takes over after at most this")
    .add(o.batch_records, "batch-records", "most records in one batch")
    .add(o.batch_bytes, "batch-bytes", "most bytes in one batch")
    .add(o.batch_delay, "batch-delay",
         "longest a read batch waits to fill under load")
    .add(o.max_inflight_bytes, "max-inflight-bytes",
         "credit: most bytes read but not yet in Kafka")
    .add(o.commit_interval, "commit-interval",
         "how often the released position is written to the commit log")
    .add(o.progress_interval, "progress-interval",
         "how often a progress line is logged (0 = never)")
    .add(o.stop_timeout, "stop-timeout",
         "how long a graceful stop waits for Kafka")
    .add(o.log_level, "log-level", "error, warn, info, debug or trace")
    .add(o.http_listen, "http-listen",
         "HOST:PORT for /health, /metrics and the status page (off when "
         "empty; use 127.0.0.1 unless you mean to expose it)")
    .add(o.health_lag_threshold, "health-lag-threshold",
         "/health says lagging when this far behind the server")
    .add(o.reader_node, "reader-node",
         "HOST:PORT of a `binlog2kafka reader-node` to run the reader on "
         "(through CAF's middleman); empty: read here")
    .add(o.reader_node_listen, "reader-node-listen",
         "HOST:PORT that `binlog2kafka reader-node` listens on");
}

namespace {

/// `text` for an error message, unless it may hold a secret (a password in
/// a `kafka` property, say): config errors end up in logs and journals.
std::string shown(const std::string& text) {
  std::string lower;
  for (auto c : text)
    lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a'
                                                           : c));
  for (auto word : {"password", "secret", "private key", "-----begin"})
    if (lower.find(word) != std::string::npos)
      return "(value not shown: it may hold a secret)";
  return text;
}

} // namespace

caf::error b2k_config::take_bool_arguments(std::vector<std::string>& args) {
  static constexpr std::pair<std::string_view, bool raw_options::*> bools[] = {
    {"--binlog2kafka.include-system-schemas=",
     &raw_options::include_system_schemas},
    {"--binlog2kafka.tombstones=", &raw_options::tombstones},
    {"--binlog2kafka.standby=", &raw_options::standby},
    {"--binlog2kafka.schemas=", &raw_options::schemas},
  };
  for (auto i = args.begin(); i != args.end();) {
    bool taken = false;
    for (auto& [prefix, member] : bools) {
      if (i->compare(0, prefix.size(), prefix) != 0)
        continue;
      auto value = i->substr(prefix.size());
      if (value != "true" && value != "false")
        return caf::make_error(ec::config, "invalid value in '" + *i
                                             + "' (true or false)");
      bool_arguments_.emplace_back(member, value == "true");
      taken = true;
    }
    i = taken ? args.erase(i) : i + 1;
  }
  return caf::none;
}

void b2k_config::apply_bool_arguments() {
  for (auto& [member, value] : bool_arguments_)
    options.*member = value;
}

caf::error b2k_config::check_config_file() const {
  auto path = config_file_path.empty() ? std::string{"caf-application.ini"}
                                       : config_file_path;
  // CAF itself refuses an explicit --config-file it cannot open; the default
  // caf-application.ini is optional.
  if (!std::ifstream{path})
    return caf::none;
  // Untyped, so that values of the wrong type reach our check below
  // instead of being dropped quietly.
  auto parsed = parse_config_file(path.c_str());
  if (!parsed) {
    auto what = describe_config_error(parsed.error());
    return caf::make_error(ec::config, path + ": " + what);
  }
  for (auto& [group, value] : *parsed) {
    auto dict = caf::get_if<caf::config_value::dictionary>(&value);
    if (dict == nullptr) {
      if (custom_options_.qualified_name_lookup(group) == nullptr
          && custom_options_.qualified_name_lookup("global", group) == nullptr)
        return caf::make_error(ec::config, path + ": unknown key '" + group
                                             + "'");
      continue;
    }
    for (auto& [key, val] : *dict) {
      auto opt = custom_options_.qualified_name_lookup(group, key);
      if (opt == nullptr)
        return caf::make_error(
          ec::config, path + ": unknown key '" + key + "' in [" + group
                        + "] (binlog2kafka run --help lists every option)");
      if (opt->check(val))
        return caf::make_error(ec::config,
                               path + ": " + group + "." + key + " = "
                                 + shown(caf::to_string(val)) + " is not a "
                                 + std::string(opt->type_name().data(),
                                               opt->type_name().size()));
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
  } else if (auto line = ctx.find("\"line\" = "); line != std::string::npos) {
    auto digits = line + 9;
    auto end = digits;
    while (end < ctx.size() && ctx[end] >= '0' && ctx[end] <= '9')
      ++end;
    where = "the config file at line " + ctx.substr(digits, end - digits);
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

namespace {

/// Reads a password file (trailing newlines dropped); errors name `key`.
caf::error read_secret_file(const std::string& key, const std::string& path,
                            std::string& out) {
  std::error_code ec_fs;
  std::ifstream in{path};
  // A directory opens fine as a stream but reads as nothing.
  if (!in || std::filesystem::is_directory(path, ec_fs))
    return caf::make_error(ec::config, "binlog2kafka." + key + ": cannot read '"
                                         + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return caf::none;
}

bool readable_file(const std::string& path) {
  std::error_code ec_fs;
  return std::ifstream{path}.good()
         && std::filesystem::is_regular_file(path, ec_fs);
}

} // namespace

caf::error apply_record_options(const std::string& prefix,
                                const raw_options& o,
                                binlog::record_options& out) {
  if (o.topic_template.empty())
    return caf::make_error(ec::config,
                           prefix + "topic-template: must not be empty");
  out.name = o.name;
  out.topic_template = o.topic_template;
  out.topic_prefix = o.topic_prefix;
  out.skip_system_schemas = !o.include_system_schemas;
  out.tombstones = o.tombstones;
  out.schema_topic = o.schema_topic;
  out.transaction_topic = o.transaction_topic;
  out.include_databases = o.include_databases;
  out.exclude_databases = o.exclude_databases;
  out.include_tables = o.include_tables;
  out.exclude_tables = o.exclude_tables;
  out.exclude_columns = o.exclude_columns;
  auto& v = out.values;
  struct choice {
    const char* key;
    const std::string* text;
    bool ok;
    const char* allowed;
  };
  for (auto& c :
       {choice{"value-mode", &o.value_mode, binlog::parse(o.value_mode, v.mode),
               "debezium or readable"},
        choice{"decimal-handling-mode", &o.decimal_handling_mode,
               binlog::parse(o.decimal_handling_mode, v.decimal),
               "precise, string or double"},
        choice{"time-precision-mode", &o.time_precision_mode,
               binlog::parse(o.time_precision_mode, v.time),
               "adaptive_time_microseconds or connect"},
        choice{"bigint-unsigned-handling-mode",
               &o.bigint_unsigned_handling_mode,
               binlog::parse(o.bigint_unsigned_handling_mode,
                             v.bigint_unsigned),
               "long or precise"},
        choice{"binary-handling-mode", &o.binary_handling_mode,
               binlog::parse(o.binary_handling_mode, v.binary),
               "bytes, base64, base64-url-safe or hex"}})
    if (!c.ok)
      return caf::make_error(ec::config, prefix + c.key + ": must be "
                                           + c.allowed + ", not '" + *c.text
                                           + "'");
  out.schemas = o.schemas;
  auto problem = binlog::check_record_options(out);
  if (!problem.empty())
    return caf::make_error(ec::config, prefix + problem);
  return caf::none;
}

caf::error apply_source_tls(const std::string& prefix, const std::string& mode,
                            const std::string& ca, const std::string& cert,
                            const std::string& key,
                            binlog::connection_options& out) {
  auto bad = [&](const std::string& name, const std::string& why) {
    return caf::make_error(ec::config, prefix + name + ": " + why);
  };
  bool verify_ca = mode == "verify-ca";
  bool verify_identity = mode == "verify-identity";
  if (mode != "off" && mode != "required" && !verify_ca && !verify_identity)
    return bad("source-tls", "must be off, required, verify-ca or "
                             "verify-identity, not '" + mode + "'");
  if (mode == "off") {
    if (!ca.empty() || !cert.empty() || !key.empty())
      return bad("source-tls",
                 "is off, but source-tls-ca, -cert or -key is set: set "
                 "source-tls to verify-identity (or verify-ca, required) or "
                 "remove them");
    out.tls = false;
    out.tls_verify_identity = false;
    out.tls_ca.clear();
    out.tls_cert.clear();
    out.tls_key.clear();
    return caf::none;
  }
  if ((verify_ca || verify_identity) && ca.empty())
    return bad("source-tls-ca",
               "source-tls = " + mode
                 + " needs the CA certificate file that signed the server's "
                   "certificate (the system bundle "
                   "/etc/ssl/certs/ca-certificates.crt for a public CA)");
  if (cert.empty() != key.empty())
    return bad(cert.empty() ? "source-tls-cert" : "source-tls-key",
               "source-tls-cert and source-tls-key go together (the client "
               "certificate and its private key)");
  for (auto [name, path] : {std::pair{"source-tls-ca", &ca},
                            std::pair{"source-tls-cert", &cert},
                            std::pair{"source-tls-key", &key}})
    if (!path->empty() && !readable_file(*path))
      return bad(name, "cannot read '" + *path + "'");
  out.tls = true;
  out.tls_verify_identity = verify_identity;
  out.tls_ca = ca;
  out.tls_cert = cert;
  out.tls_key = key;
  return caf::none;
}

caf::error parse_source_url(const std::string& url,
                            binlog::connection_options& out) {
  const std::string scheme = "mysql://";
  auto bad = [&](const std::string& why) {
    return caf::make_error(ec::config, "binlog2kafka.source: '" + url
                                         + "' is not a source URL (" + why
                                         + "); expected "
                                           "mysql://user@host:port");
  };
  if (url.compare(0, scheme.size(), scheme) != 0)
    return bad("it must start with mysql://");
  auto rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  if (slash != std::string::npos)
    rest = rest.substr(0, slash);
  auto at = rest.rfind('@');
  if (at == std::string::npos)
    return bad("no user");
  auto user = rest.substr(0, at);
  if (user.find(':') != std::string::npos)
    return caf::make_error(
      ec::config, "binlog2kafka.source: the URL holds a password, which would "
                  "show in the process list; use source-password-file or the "
                  "BINLOG2KAFKA_SOURCE_PASSWORD environment variable");
  auto hostport = rest.substr(at + 1);
  unsigned port = 3306;
  auto colon = hostport.rfind(':');
  std::string host = hostport;
  if (colon != std::string::npos) {
    host = hostport.substr(0, colon);
    auto digits = hostport.substr(colon + 1);
    char* end = nullptr;
    auto p = std::strtoul(digits.c_str(), &end, 10);
    if (digits.empty() || *end != '\0' || p == 0 || p > 65535)
      return bad("bad port '" + digits + "'");
    port = static_cast<unsigned>(p);
  }
  if (user.empty() || host.empty())
    return bad(user.empty() ? "no user" : "no host");
  out.user = user;
  out.host = host;
  out.port = port;
  return caf::none;
}

caf::expected<settings> read_settings(const raw_options& o) {
  settings s;
  auto bad = [](const std::string& key, const std::string& why) {
    return caf::make_error(ec::config, "binlog2kafka." + key + ": " + why);
  };
  if (o.name.empty())
    return bad("name", "must not be empty");
  s.name = o.name;
  if (auto err = parse_source_url(o.source, s.source))
    return err;
  if (!o.source_password_file.empty()) {
    if (auto err = read_secret_file("source-password-file",
                                    o.source_password_file, s.source.password))
      return err;
    s.password_file = o.source_password_file;
  } else if (!o.source_password_env.empty()) {
    if (auto pw = std::getenv(o.source_password_env.c_str()))
      s.source.password = pw;
  }
  if (auto err = apply_source_tls("binlog2kafka.", o.source_tls,
                                  o.source_tls_ca, o.source_tls_cert,
                                  o.source_tls_key, s.source))
    return err;
  s.source_tls = o.source_tls;
  if (o.server_id == 0)
    return bad("server-id", "must not be 0");
  s.source.server_id = o.server_id;
  s.source.heartbeat_ms = static_cast<unsigned>(
    std::chrono::duration_cast<std::chrono::milliseconds>(o.heartbeat).count());
  s.source.read_timeout_s = static_cast<unsigned>(
    std::chrono::duration_cast<std::chrono::seconds>(o.read_timeout).count());
  if (o.heartbeat.count() > 0 && o.read_timeout <= o.heartbeat)
    return bad("read-timeout", "must be longer than heartbeat");
  if (o.brokers.empty())
    return bad("brokers", "must not be empty");
  s.brokers = o.brokers;
  if (auto err = apply_record_options("binlog2kafka.", o, s.records))
    return err;
  s.commit_topic = o.commit_topic;
  for (auto& kv : o.kafka)
    if (kv.find('=') == std::string::npos || kv.front() == '=')
      return bad("kafka", "'" + kv + "' is not key=value");
  s.kafka_properties = o.kafka;
  // The Kafka SASL password from a file or the environment, so that it
  // needs to be neither in argv nor in the config file.
  std::string kafka_password;
  std::string kafka_password_from;
  if (!o.kafka_password_file.empty()) {
    if (auto err = read_secret_file("kafka-password-file",
                                    o.kafka_password_file, kafka_password))
      return err;
    kafka_password_from = "kafka-password-file";
  } else if (!o.kafka_password_env.empty()) {
    if (auto pw = std::getenv(o.kafka_password_env.c_str()); pw && *pw) {
      kafka_password = pw;
      kafka_password_from = "the environment variable " + o.kafka_password_env;
    }
  }
  if (!kafka_password_from.empty()) {
    for (auto& kv : o.kafka)
      if (kv.compare(0, 14, "sasl.password=") == 0)
        return bad("kafka", "sasl.password is set here and by "
                              + kafka_password_from + ": keep one");
    s.kafka_properties.push_back("sasl.password=" + kafka_password);
  }
  if (o.initial != "end" && o.initial != "start")
    return bad("initial", "must be end or start, not '" + o.initial + "'");
  s.initial = o.initial;
  if (o.delivery != "at-least-once" && o.delivery != "exactly-once")
    return bad("delivery", "must be at-least-once or exactly-once, not '"
                             + o.delivery + "'");
  s.delivery = o.delivery;
  if (o.resume_by != "auto" && o.resume_by != "position"
      && o.resume_by != "gtid")
    return bad("resume-by", "must be auto, position or gtid, not '"
                              + o.resume_by + "'");
  s.resume_by = o.resume_by;
  if (!o.from.empty() && !binlog::parse_position(o.from))
    return bad("from", "'" + o.from + "' is not FILE:POS (POS >= 4)");
  s.from = o.from;
  s.standby = o.standby;
  if (o.lock_timeout < std::chrono::seconds(2))
    return bad("lock-timeout", "must be at least 2s");
  s.lock_timeout = o.lock_timeout;
  if (o.batch_records == 0)
    return bad("batch-records", "must be at least 1");
  s.batch_records = o.batch_records;
  if (o.batch_bytes < 1024)
    return bad("batch-bytes", "must be at least 1024");
  s.batch_bytes = o.batch_bytes;
  s.batch_delay = o.batch_delay;
  if (o.max_inflight_bytes < o.batch_bytes)
    return bad("max-inflight-bytes", "must be at least batch-bytes");
  s.max_inflight_bytes = o.max_inflight_bytes;
  s.commit_interval = o.commit_interval;
  s.progress_interval = o.progress_interval;
  s.stop_timeout = o.stop_timeout;
  static const char* levels[] = {"error", "warn", "info", "debug", "trace",
                                 "off"};
  bool known = false;
  for (auto l : levels)
    known = known || o.log_level == l;
  if (!known)
    return bad("log-level", "must be error, warn, info, debug or trace, not '"
                              + o.log_level + "'");
  s.log_level = o.log_level;
  // "host:port" options.
  auto endpoint = [&](const std::string& key, const std::string& text,
                      std::string& host, uint16_t& port) -> caf::error {
    auto colon = text.rfind(':');
    char* end = nullptr;
    auto p = colon == std::string::npos
               ? 0
               : std::strtoul(text.c_str() + colon + 1, &end, 10);
    if (colon == std::string::npos || colon == 0 || p == 0 || p > 65535
        || *end != '\0')
      return bad(key, "'" + text + "' is not HOST:PORT (e.g. 127.0.0.1:8585)");
    host = text.substr(0, colon);
    port = static_cast<uint16_t>(p);
    return caf::none;
  };
  if (!o.http_listen.empty())
    if (auto err = endpoint("http-listen", o.http_listen, s.http_host,
                            s.http_port))
      return err;
  if (!o.reader_node.empty())
    if (auto err = endpoint("reader-node", o.reader_node, s.reader_node_host,
                            s.reader_node_port))
      return err;
  if (auto err = endpoint("reader-node-listen", o.reader_node_listen,
                          s.reader_node_listen_host,
                          s.reader_node_listen_port))
    return err;
  s.health_lag_threshold = o.health_lag_threshold;
  return s;
}

} // namespace b2k
