#include "config/settings.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include "http/schema_registry.hpp"
#include "messages/error.hpp"

namespace b2k {

namespace {

/// Reads a password file (trailing newlines dropped); errors name `key`.
caf::error read_secret_file(const std::string& key, const std::string& path,
                            std::string& out) {
  // `key` is the whole name ("binlog2kafka.source-password-file").
  std::error_code ec_fs;
  std::ifstream in{path};
  // A directory opens fine as a stream but reads as nothing.
  if (!in || std::filesystem::is_directory(path, ec_fs))
    return caf::make_error(ec::config, key + ": cannot read '" + path + "'");
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

/// Sets the TLS fields of `out` from source-tls and the CA, certificate
/// and key files; errors name the key (`prefix` + "source-tls...").
caf::error apply_source_tls(const std::string& prefix, const raw_options& o,
                            tls_mode& mode, binlog::connection_options& out) {
  auto bad = [&](const std::string& name, const std::string& why) {
    return caf::make_error(ec::config, prefix + name + ": " + why);
  };
  auto parsed = parse_tls_mode(o.source_tls);
  if (!parsed)
    return bad("source-tls", "must be " + mode_choices<tls_mode>() + ", not '"
                               + o.source_tls + "'");
  mode = *parsed;
  auto& ca = o.source_tls_ca;
  auto& cert = o.source_tls_cert;
  auto& key = o.source_tls_key;
  if (mode == tls_mode::off) {
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
  bool verifies = mode == tls_mode::verify_ca
                  || mode == tls_mode::verify_identity;
  if (verifies && ca.empty())
    return bad("source-tls-ca",
               "source-tls = " + o.source_tls
                 + " needs the CA certificate file that signed the server's "
                   "certificate (the system bundle "
                   "/etc/ssl/certs/ca-certificates.crt for a public CA)");
  if (cert.empty() != key.empty())
    return bad(cert.empty() ? "source-tls-cert" : "source-tls-key",
               "source-tls-cert and source-tls-key go together (the client "
               "certificate and its private key)");
  for (auto [name, path] :
       {std::pair{"source-tls-ca", &ca}, std::pair{"source-tls-cert", &cert},
        std::pair{"source-tls-key", &key}})
    if (!path->empty() && !readable_file(*path))
      return bad(name, "cannot read '" + *path + "'");
  out.tls = true;
  out.tls_verify_identity = mode == tls_mode::verify_identity;
  out.tls_ca = ca;
  out.tls_cert = cert;
  out.tls_key = key;
  return caf::none;
}

/// A mode option's value as its enum; errors name the key and the choices.
template <class Mode>
caf::error parse_mode(const std::string& key, const std::string& text,
                      std::optional<Mode> (*parse)(std::string_view),
                      Mode& out) {
  auto mode = parse(text);
  if (!mode)
    return caf::make_error(ec::config, key + ": must be " + mode_choices<Mode>()
                                         + ", not '" + text + "'");
  out = *mode;
  return caf::none;
}

/// A "host:port" option; errors name the key.
caf::error parse_endpoint(const std::string& key, const std::string& text,
                          endpoint& out) {
  auto colon = text.rfind(':');
  char* end = nullptr;
  auto p = colon == std::string::npos
             ? 0
             : std::strtoul(text.c_str() + colon + 1, &end, 10);
  if (colon == std::string::npos || colon == 0 || p == 0 || p > 65535
      || *end != '\0')
    return caf::make_error(ec::config,
                           key + ": '" + text
                             + "' is not HOST:PORT (e.g. 127.0.0.1:8585)");
  out.host = text.substr(0, colon);
  out.port = static_cast<uint16_t>(p);
  return caf::none;
}

} // namespace

caf::error apply_record_options(const std::string& prefix, const raw_options& o,
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
        choice{
          "bigint-unsigned-handling-mode", &o.bigint_unsigned_handling_mode,
          binlog::parse(o.bigint_unsigned_handling_mode, v.bigint_unsigned),
          "long or precise"},
        choice{"binary-handling-mode", &o.binary_handling_mode,
               binlog::parse(o.binary_handling_mode, v.binary),
               "bytes, base64, base64-url-safe or hex"}})
    if (!c.ok)
      return caf::make_error(ec::config, prefix + c.key + ": must be "
                                           + c.allowed + ", not '" + *c.text
                                           + "'");
  out.schemas = o.schemas;
  if (o.format == "avro") {
    out.format = binlog::record_format::avro;
  } else if (o.format != "json") {
    return caf::make_error(ec::config, prefix + "format: must be json or "
                                         "avro, not '" + o.format + "'");
  }
  if (!o.schema_registry_url.empty()) {
    if (out.format != binlog::record_format::avro)
      return caf::make_error(ec::config,
                             prefix + "schema-registry-url: only for format "
                                      "avro");
    auto problem = http::check_registry_url(o.schema_registry_url);
    if (!problem.empty())
      return caf::make_error(ec::config, prefix + problem);
    out.registry = std::make_shared<http::schema_registry>(
      o.schema_registry_url);
  }
  if (auto err = binlog::check_record_options(out))
    return caf::make_error(ec::config, prefix + err.message);
  return caf::none;
}

caf::error parse_source_url(const std::string& url,
                            binlog::connection_options& out,
                            const std::string& prefix) {
  const std::string scheme = "mysql://";
  auto bad = [&](const std::string& why) {
    return caf::make_error(ec::config, prefix + "source: '" + url
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
      ec::config, prefix + "source: the URL holds a password, which would "
                           "show in the process list; use source-password-file "
                           "or the BINLOG2KAFKA_SOURCE_PASSWORD environment "
                           "variable");
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

caf::expected<settings> read_settings(const raw_options& o,
                                      const std::string& prefix) {
  settings s;
  auto bad = [&](const std::string& key, const std::string& why) {
    return caf::make_error(ec::config, prefix + key + ": " + why);
  };
  if (o.name.empty())
    return bad("name", "must not be empty");
  s.name = o.name;
  // -- source
  auto& conn = s.source.connection;
  if (auto err = parse_source_url(o.source, conn, prefix))
    return err;
  if (!o.source_password_file.empty()) {
    if (auto err = read_secret_file(prefix + "source-password-file",
                                    o.source_password_file, conn.password))
      return err;
  } else if (!o.source_password_env.empty()) {
    if (auto pw = std::getenv(o.source_password_env.c_str()))
      conn.password = pw;
  }
  if (auto err = apply_source_tls(prefix, o, s.source.tls, conn))
    return err;
  if (o.server_id == 0)
    return bad("server-id", "must not be 0");
  conn.server_id = o.server_id;
  conn.heartbeat_ms = static_cast<unsigned>(
    std::chrono::duration_cast<std::chrono::milliseconds>(o.heartbeat).count());
  conn.read_timeout_s = static_cast<unsigned>(
    std::chrono::duration_cast<std::chrono::seconds>(o.read_timeout).count());
  if (o.heartbeat.count() > 0 && o.read_timeout <= o.heartbeat)
    return bad("read-timeout", "must be longer than heartbeat");
  if (auto err = parse_mode(prefix + "initial", o.initial,
                            parse_initial_position, s.source.initial))
    return err;
  if (auto err = parse_mode(prefix + "snapshot", o.snapshot,
                            parse_snapshot_mode, s.snapshot.mode))
    return err;
  if (o.snapshot_chunk_rows == 0)
    return bad("snapshot-chunk-rows", "must be at least 1");
  s.snapshot.chunk_rows = o.snapshot_chunk_rows;
  if (o.snapshot_parallelism == 0 || o.snapshot_parallelism > 64)
    return bad("snapshot-parallelism", "must be 1 to 64");
  s.snapshot.parallelism = o.snapshot_parallelism;
  if (auto err = parse_mode(prefix + "resume-by", o.resume_by,
                            parse_resume_mode, s.source.resume_by))
    return err;
  if (!o.from.empty()) {
    auto from = binlog::parse_position(o.from);
    if (!from)
      return bad("from", "'" + o.from + "' is not FILE:POS (POS >= 4)");
    s.source.from = *from;
  }
  s.source.standby = o.standby;
  if (o.lock_timeout < std::chrono::seconds(2))
    return bad("lock-timeout", "must be at least 2s");
  s.source.lock_timeout = o.lock_timeout;
  // -- records
  if (auto err = apply_record_options(prefix, o, s.records))
    return err;
  // -- Kafka
  if (o.brokers.empty())
    return bad("brokers", "must not be empty");
  s.kafka.brokers = o.brokers;
  s.kafka.commit_topic = o.commit_topic.empty() ? o.name + ".commits"
                                                : o.commit_topic;
  for (auto& kv : o.kafka)
    if (kv.find('=') == std::string::npos || kv.front() == '=')
      return bad("kafka", "'" + kv + "' is not key=value");
  auto kafka_properties = o.kafka;
  // The Kafka SASL password from a file or the environment, so that it
  // needs to be neither in argv nor in the config file.
  std::string kafka_password;
  std::string kafka_password_from;
  if (!o.kafka_password_file.empty()) {
    if (auto err = read_secret_file(prefix + "kafka-password-file",
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
    kafka_properties.push_back("sasl.password=" + kafka_password);
  }
  s.kafka.properties = kafka::parse_properties(kafka_properties);
  if (auto err = parse_mode(prefix + "delivery", o.delivery,
                            parse_delivery_mode, s.kafka.delivery))
    return err;
  if (auto err = parse_mode(prefix + "oversize", o.oversize,
                            parse_oversize_mode, s.kafka.oversize))
    return err;
  s.kafka.commit_interval = o.commit_interval;
  // -- batches
  if (o.batch_records == 0)
    return bad("batch-records", "must be at least 1");
  s.batches.records = o.batch_records;
  if (o.batch_bytes < 1024)
    return bad("batch-bytes", "must be at least 1024");
  s.batches.bytes = o.batch_bytes;
  s.batches.delay = o.batch_delay;
  if (o.max_inflight_bytes < o.batch_bytes)
    return bad("max-inflight-bytes", "must be at least batch-bytes");
  s.batches.max_inflight_bytes = o.max_inflight_bytes;
  // -- operations
  s.progress_interval = o.progress_interval;
  s.stop_timeout = o.stop_timeout;
  static const char* levels[] = {"error", "warn",  "info",
                                 "debug", "trace", "off"};
  bool known = false;
  for (auto l : levels)
    known = known || o.log_level == l;
  if (!known)
    return bad("log-level", "must be error, warn, info, debug or trace, not '"
                              + o.log_level + "'");
  s.log_level = o.log_level;
  if (!o.http_listen.empty())
    if (auto err = parse_endpoint(prefix + "http-listen", o.http_listen,
                                  s.http))
      return err;
  if (!o.reader_node.empty())
    if (auto err = parse_endpoint(prefix + "reader-node", o.reader_node,
                                  s.reader_node))
      return err;
  if (auto err = parse_endpoint(prefix + "reader-node-listen",
                                o.reader_node_listen, s.reader_node_listen))
    return err;
  if (o.node_tls != "on" && o.node_tls != "off")
    return bad("node-tls", "must be on or off, not '" + o.node_tls + "'");
  s.node_tls.tls = o.node_tls == "on";
  s.node_tls.cert = o.node_tls_cert;
  s.node_tls.key = o.node_tls_key;
  s.node_tls.ca = o.node_tls_ca;
  s.health_lag_threshold = o.health_lag_threshold;
  // The status server's bearer token, like the passwords: from a file, else
  // the environment.
  if (!o.http_token_file.empty()) {
    if (auto err = read_secret_file(prefix + "http-token-file",
                                    o.http_token_file, s.http_token))
      return err;
    if (s.http_token.empty())
      return bad("http-token-file",
                 "'" + o.http_token_file + "' holds no token");
  } else if (!o.http_token_env.empty()) {
    if (auto token = std::getenv(o.http_token_env.c_str()))
      s.http_token = token;
  }
  s.http_token_read = o.http_token_read;
  if (s.http_token_read && s.http_token.empty())
    return bad("http-token-read",
               "needs a token (http-token-file or $" + o.http_token_env + ")");
  return s;
}

} // namespace b2k
