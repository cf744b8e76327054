// binlog2kafka: change-data-capture from MySQL and MariaDB into Kafka.
//
//   binlog2kafka run       the pipeline (reader → producer → watcher)
//   binlog2kafka dump      decode binlog files or a server to JSON lines
//   binlog2kafka position  print the committed position

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "actors/reader_node.hpp"
#include "actors/status.hpp"
#include "actors/supervisor.hpp"
#include "binlog/decoder.hpp"
#include "binlog/event.hpp"
#include "binlog/file_source.hpp"
#include "binlog/json_writer.hpp"
#include "binlog/replication_client.hpp"
#include "cli/progress_line.hpp"
#include "config/settings.hpp"
#include "http/status_server.hpp"
#include "kafka/commit_log.hpp"
#include "messages/error.hpp"

namespace {

constexpr const char* usage = R"(usage: binlog2kafka COMMAND [OPTIONS]

commands:
  run       read the binlog and send every row change to Kafka
            (options: --config-file=FILE, --binlog2kafka.KEY=VALUE;
             run `binlog2kafka run --help` for all of them)
  dump      decode to stdout, one JSON line per record as `run` sends it:
              dump --file=F [--file=G ...]
              dump --source=mysql://user@host:port [--from=FILE:POS]
                   [--password-file=F] [--server-id=N]
                   [--source-tls=off|required|verify-ca|verify-identity]
                   [--source-tls-ca=F] [--source-tls-cert=F --source-tls-key=F]
            (also --name=N, --topic-template=T, --topic-prefix=P,
             --tombstones=true|false, --schema-topic=T,
             --transaction-topic=T, --value-mode=debezium|readable,
             --decimal-handling-mode=M, --time-precision-mode=M,
             --bigint-unsigned-handling-mode=M, --binary-handling-mode=M,
             --schemas=true|false, --include-databases=RE,
             --exclude-databases=RE, --include-tables=RE,
             --exclude-tables=RE, --exclude-columns=RE (each repeatable),
             as run's options of the same names and defaults; dump shows
             the system schemas, --include-system-schemas is implied)
  position  print the position in the commit-log topic (same options as run)
  reader-node
            run readers here for a pipeline on another node (same config as
            run; the pipeline sets reader-node = "THIS-HOST:PORT", this side
            listens on reader-node-listen)
  version   print the version
)";

int fail(const std::string& message, int code = 2) {
  std::fprintf(stderr, "binlog2kafka: error: %s\n", message.c_str());
  return code;
}

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("binlog2kafka");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

// -- dump ---------------------------------------------------------------------

/// Writes each record as {"topic","key","value"} to stdout, straight from a
/// large buffer (no stdio: one copy per record, one write per megabyte).
class stdout_sink : public binlog::record_sink {
public:
  static constexpr size_t flush_at = 1 << 20;

  stdout_sink() {
    out_.reserve(flush_at + (1 << 16));
  }

  ~stdout_sink() override {
    flush();
  }

  void on_record(const binlog::row_record& r) override {
    // Runs of records share a topic: escape it once per run.
    if (r.topic != topic_) {
      topic_.assign(r.topic);
      topic_json_.clear();
      binlog::json_writer t{topic_json_};
      t.raw("{\"topic\":");
      t.string(r.topic);
      t.raw(",\"key\":");
    }
    binlog::json_writer w{out_};
    w.raw(topic_json_);
    if (r.key.empty())
      w.null();
    else
      w.raw(r.key);
    w.raw(",\"value\":");
    if (r.null_value())
      w.null(); // a tombstone
    else
      w.raw(r.value);
    if (r.header_count > 0) {
      w.raw(",\"headers\":{");
      for (size_t i = 0; i < r.header_count; ++i) {
        if (i > 0)
          w.raw(',');
        w.key(r.headers[i].name);
        w.string(r.headers[i].value);
      }
      w.raw('}');
    }
    w.raw("}\n");
    if (out_.size() >= flush_at)
      flush();
  }

  void on_warning(const std::string& what) override {
    std::fprintf(stderr, "binlog2kafka: warning: %s\n", what.c_str());
  }

  void on_transaction_end(const binlog::position&) override {
  }

  /// Writes what is buffered; false if stdout is gone (e.g. a closed pipe).
  bool flush() {
    size_t done = 0;
    while (done < out_.size()) {
      auto n = ::write(STDOUT_FILENO, out_.data() + done, out_.size() - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        out_.clear();
        return false;
      }
      done += static_cast<size_t>(n);
    }
    out_.clear();
    return true;
  }

private:
  std::string out_;
  std::string topic_;
  std::string topic_json_ = "{\"topic\":\"\",\"key\":";
};

bool take_flag(const std::string& arg, const char* name, std::string& out) {
  auto n = std::strlen(name);
  if (arg.compare(0, n, name) == 0 && arg.size() > n && arg[n] == '=') {
    out = arg.substr(n + 1);
    return true;
  }
  return false;
}

int run_dump(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  std::string source;
  std::string from;
  std::string password_file;
  std::string server_id = "4243";
  std::string tls = "off";
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  // Records as run makes them, with run's defaults.
  b2k::raw_options records;
  std::string tombstones = records.tombstones ? "true" : "false";
  std::string schemas = records.schemas ? "true" : "false";
  struct pattern_flag {
    const char* name;
    std::vector<std::string>* patterns;
  };
  const pattern_flag pattern_flags[] = {
    {"--include-databases", &records.include_databases},
    {"--exclude-databases", &records.exclude_databases},
    {"--include-tables", &records.include_tables},
    {"--exclude-tables", &records.exclude_tables},
    {"--exclude-columns", &records.exclude_columns},
  };
  for (auto& arg : args) {
    std::string value;
    bool pattern = false;
    for (auto& flag : pattern_flags)
      if (take_flag(arg, flag.name, value)) {
        flag.patterns->push_back(value);
        pattern = true;
      }
    if (pattern)
      continue;
    if (take_flag(arg, "--file", value))
      files.push_back(value);
    else if (take_flag(arg, "--source", source) || take_flag(arg, "--from", from)
             || take_flag(arg, "--password-file", password_file)
             || take_flag(arg, "--server-id", server_id)
             || take_flag(arg, "--source-tls", tls)
             || take_flag(arg, "--source-tls-ca", tls_ca)
             || take_flag(arg, "--source-tls-cert", tls_cert)
             || take_flag(arg, "--source-tls-key", tls_key)
             || take_flag(arg, "--name", records.name)
             || take_flag(arg, "--topic-template", records.topic_template)
             || take_flag(arg, "--topic-prefix", records.topic_prefix)
             || take_flag(arg, "--tombstones", tombstones)
             || take_flag(arg, "--schema-topic", records.schema_topic)
             || take_flag(arg, "--transaction-topic",
                          records.transaction_topic)
             || take_flag(arg, "--value-mode", records.value_mode)
             || take_flag(arg, "--decimal-handling-mode",
                          records.decimal_handling_mode)
             || take_flag(arg, "--time-precision-mode",
                          records.time_precision_mode)
             || take_flag(arg, "--bigint-unsigned-handling-mode",
                          records.bigint_unsigned_handling_mode)
             || take_flag(arg, "--binary-handling-mode",
                          records.binary_handling_mode)
             || take_flag(arg, "--schemas", schemas))
      continue;
    else if (arg == "--include-system-schemas")
      continue; // dump shows every schema already
    else
      return fail("dump: unknown option '" + arg + "'\n" + usage);
  }
  if (files.empty() == source.empty())
    return fail("dump needs either --file=F (one or more) or --source=URL");
  if (tombstones != "true" && tombstones != "false")
    return fail("--tombstones: must be true or false, not '" + tombstones
                + "'");
  records.tombstones = tombstones == "true";
  if (schemas != "true" && schemas != "false")
    return fail("--schemas: must be true or false, not '" + schemas + "'");
  records.schemas = schemas == "true";
  records.include_system_schemas = true; // dump shows every schema
  binlog::record_options options;
  if (auto err = b2k::apply_record_options("--", records, options))
    return fail(b2k::describe_config_error(err));
  std::signal(SIGPIPE, SIG_IGN); // `dump | head` ends quietly
  stdout_sink sink;
  binlog::decoder dec{options, sink};
  // rows, rate and percent of the files on a terminal (cli/progress_line)
  b2k::cli::progress_line progress{
    "dump", "rows", b2k::cli::progress_line::default_enabled()};
  progress.set_total(b2k::cli::file_sizes(files));
  uint64_t done = 0;
  for (auto& file : files) {
    auto err = binlog::decode_file(file, dec, 4, 0, [&](uint64_t at, uint64_t) {
      progress.update_at(dec.stats().rows, done + at,
                         std::chrono::steady_clock::now());
    });
    if (err) {
      sink.flush();
      progress.clear();
      return fail(err.message, 1);
    }
    done += b2k::cli::file_sizes({file});
  }
  if (!source.empty()) {
    binlog::connection_options conn;
    b2k::raw_options raw;
    raw.source = source;
    if (auto err = b2k::parse_source_url(source, conn))
      return fail(caf::to_string(err.context()));
    if (!password_file.empty()) {
      raw.source_password_file = password_file;
    }
    raw.server_id = static_cast<uint32_t>(std::stoul("0" + server_id));
    raw.source_tls = tls;
    raw.source_tls_ca = tls_ca;
    raw.source_tls_cert = tls_cert;
    raw.source_tls_key = tls_key;
    auto s = b2k::read_settings(raw);
    if (!s)
      return fail(s.error().context().match_elements<std::string>()
                    ? s.error().context().get_as<std::string>(0)
                    : caf::to_string(s.error()));
    conn = s->source;
    conn.non_blocking = true;
    binlog::replication_client client;
    if (auto err = client.connect(conn))
      return fail(err.message, 1);
    if (auto err = client.check_settings(false))
      return fail(err.message, 1);
    binlog::position start;
    if (!from.empty()) {
      auto p = binlog::parse_position(from);
      if (!p)
        return fail("dump: --from='" + from + "' is not FILE:POS");
      start = *p;
    } else if (auto err = client.first_file(start.file)) {
      return fail(err.message, 1);
    }
    dec.assume_checksum(client.checksum());
    dec.start_at(start);
    if (auto err = client.start(start))
      return fail(err.message, 1);
    for (;;) {
      const uint8_t* data = nullptr;
      size_t size = 0;
      if (auto err = client.next(data, size))
        return fail(err.message, 1);
      if (size == 0)
        break;
      auto h = binlog::parse_header(data);
      uint64_t offset = h.log_pos >= size ? h.log_pos - size : 0;
      if (auto err = dec.consume(data, size, offset)) {
        sink.flush();
        progress.clear();
        return fail(err.message, 1);
      }
      progress.update(dec.stats().rows, dec.stats().bytes);
    }
  }
  sink.flush();
  progress.finish(dec.stats().rows, done);
  return 0;
}

// -- run and position ---------------------------------------------------------

std::string error_text(const caf::error& err) {
  return b2k::describe_config_error(err);
}

b2k::reader_config reader_config_of(const b2k::settings& s) {
  b2k::reader_config cfg;
  cfg.source = s.source;
  cfg.records = s.records;
  cfg.initial = s.initial;
  cfg.resume_by = s.resume_by;
  cfg.batch_records = s.batch_records;
  cfg.batch_bytes = s.batch_bytes;
  cfg.batch_delay = s.batch_delay;
  cfg.max_inflight_bytes = s.max_inflight_bytes;
  cfg.progress_interval = s.progress_interval;
  cfg.standby = s.standby;
  cfg.lock_timeout = s.lock_timeout;
  return cfg;
}

/// Blocks SIGTERM and SIGINT in every thread (call before starting any), so
/// that wait_for_stop_signal() alone receives them.
sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

/// `binlog2kafka reader-node`: readers for a pipeline on another node. The
/// source's address and password are read here and never leave this node.
int run_reader_node(b2k::b2k_config& cfg) {
  auto s = b2k::read_settings(cfg.options);
  if (!s)
    return fail(error_text(s.error()));
  setup_logging(s->log_level);
  cfg.load<caf::io::middleman>();
  auto signals = block_stop_signals();
  caf::actor_system sys{cfg};
  auto node = sys.spawn(b2k::reader_node, reader_config_of(*s));
  auto port = sys.middleman().publish(node, s->reader_node_listen_port,
                                      s->reader_node_listen_host.c_str(), true);
  if (!port) {
    caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
    return fail("binlog2kafka.reader-node-listen: cannot listen on "
                  + s->reader_node_listen_host + ":"
                  + std::to_string(s->reader_node_listen_port) + ": "
                  + sys.render(port.error()),
                1);
  }
  spdlog::info("reader node for '{}' listening on {}:{}", s->name,
               s->reader_node_listen_host, *port);
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {}: reader node stopping", sig);
  caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
  return 0;
}

int run_pipeline(b2k::b2k_config& cfg, bool position_only) {
  auto s = b2k::read_settings(cfg.options);
  if (!s)
    return fail(error_text(s.error()));
  setup_logging(s->log_level);
  auto properties = b2k::kafka::parse_properties(s->kafka_properties);
  auto commit_topic = s->commit_topic_name();
  binlog::position start;
  if (position_only) {
    auto last = b2k::kafka::read_last_commit(s->brokers, properties,
                                             commit_topic, s->name);
    if (!last)
      return fail(error_text(last.error()), 1);
    if (!*last)
      return fail("no position for source '" + s->name + "' in "
                    + commit_topic,
                  1);
    std::printf("%s\n",
                b2k::kafka::encode_commit((*last)->pos, (*last)->ts_ms).c_str());
    return 0;
  }
  if (!s->from.empty()) {
    start = *binlog::parse_position(s->from);
    spdlog::info("starting at {} as --from says", binlog::to_string(start));
  } else if (auto err = b2k::kafka::ensure_commit_topic(s->brokers, properties,
                                                        commit_topic)) {
    return fail(error_text(err), 1);
  }
  // Without --from, the reader reads the commit log once it holds the
  // source lock (the producer reads it: see producer_state::resume_position).
  b2k::supervisor_config sup;
  sup.reader = reader_config_of(*s);
  sup.reader.start = start;
  sup.reader_node_host = s->reader_node_host;
  sup.reader_node_port = s->reader_node_port;
  sup.producer.brokers = s->brokers;
  sup.producer.properties = properties;
  sup.producer.commit_topic = commit_topic;
  sup.producer.commit_key = s->name;
  sup.producer.exactly_once = s->delivery == "exactly-once";
  sup.producer.transactional_id = "binlog2kafka." + s->name;
  sup.producer.transaction_interval = s->commit_interval;
  sup.commit_interval = s->commit_interval;
  sup.stop_timeout = s->stop_timeout;
  // Signals go to one thread that asks the supervisor to stop.
  auto signals = block_stop_signals();
  if (!s->reader_node_host.empty())
    cfg.load<caf::io::middleman>();
  caf::actor_system sys{cfg};
  auto status = sys.spawn(b2k::status, s->name);
  b2k::log_to_status warnings_to_status_page{status};
  sup.status = status;
  b2k::http::status_server http{
    sys, status,
    std::chrono::duration_cast<std::chrono::seconds>(s->health_lag_threshold)};
  if (!s->http_host.empty()) {
    http.serve_records(s->brokers, properties, s->records, commit_topic);
    if (auto err = http.start(s->http_host, s->http_port)) {
      caf::anon_send_exit(status, caf::exit_reason::user_shutdown);
      return fail(error_text(err));
    }
    spdlog::info("http: status page, /health and /metrics on http://{}:{}/",
                 s->http_host, s->http_port);
  }
  auto supervisor = sys.spawn(b2k::supervisor, sup);
  static std::atomic<bool> exiting{false};
  std::thread signal_thread{[signals, supervisor]() mutable {
    int sig = 0;
    bool asked = false;
    while (sigwait(&signals, &sig) == 0) {
      if (exiting)
        return; // woken by main to end
      if (asked) {
        // A second Ctrl-C means "now"; repeated SIGTERMs (as timeout(1)
        // sends them) are the same request.
        if (sig == SIGINT) {
          spdlog::warn("second interrupt: exiting without waiting for Kafka");
          std::_Exit(130);
        }
        continue;
      }
      asked = true;
      spdlog::info("signal {}: stopping gracefully", sig);
      caf::anon_send(supervisor, b2k::atom::stop_v);
    }
  }};
  caf::error reason;
  {
    caf::scoped_actor self{sys};
    self->monitor(supervisor);
    self->receive([&](const caf::down_msg& dm) { reason = dm.reason; });
  }
  exiting = true;
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  http.stop();
  caf::anon_send_exit(status, caf::exit_reason::user_shutdown);
  if (reason && reason != caf::exit_reason::user_shutdown) {
    spdlog::error("stopped: {}", error_text(reason));
    return 1;
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2)
    return fail(std::string{"no command given\n"} + usage);
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(usage, stdout);
    return 0;
  }
  if (command == "version" || command == "--version") {
    std::printf("binlog2kafka 0.1.0\n");
    return 0;
  }
  if (command == "dump")
    return run_dump(args);
  if (command == "run" || command == "position" || command == "reader-node") {
    b2k::b2k_config cfg;
    // CAF's --help shows only its own group; --long-help shows ours too.
    for (auto& arg : args)
      if (arg == "--help" || arg == "-h")
        arg = "--long-help";
    if (auto err = cfg.take_bool_arguments(args))
      return fail(b2k::describe_config_error(err));
    if (auto err = cfg.parse(args))
      return fail(b2k::describe_config_error(err));
    cfg.apply_bool_arguments();
    if (cfg.cli_helptext_printed)
      return 0;
    if (auto err = cfg.check_config_file())
      return fail(b2k::describe_config_error(err));
    if (!cfg.remainder.empty())
      return fail("unknown argument '" + cfg.remainder.front() + "'");
    if (command == "reader-node")
      return run_reader_node(cfg);
    return run_pipeline(cfg, command == "position");
  }
  return fail("unknown command '" + command + "'\n" + usage);
}
