// binlog2kafka: change-data-capture from MySQL and MariaDB into Kafka.
//
//   binlog2kafka run          the pipeline (reader → producer → watcher)
//   binlog2kafka dump         decode binlog files or a server to JSON lines
//   binlog2kafka position     print the committed position
//   binlog2kafka reader-node  readers for a pipeline on another node
//   binlog2kafka snapshot     ask a running pipeline to snapshot tables
//
// Each command is a small function over the shared pieces: the options
// model (config/options.hpp), the settings (config/settings.hpp), the
// reading loop (binlog/stream.hpp) and the commit log (kafka/commit_log.hpp).

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
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

#include "actors/actors.hpp"
#include "actors/reader_node.hpp"
#include "actors/signals.hpp"
#include "actors/status.hpp"
#include "actors/supervisor.hpp"
#include "binlog/decoder.hpp"
#include "binlog/file_source.hpp"
#include "binlog/json_writer.hpp"
#include "binlog/snapshot_reader.hpp"
#include "binlog/source.hpp"
#include "binlog/stream.hpp"
#include "cli/progress_line.hpp"
#include "config/node_link.hpp"
#include "config/options.hpp"
#include "config/settings.hpp"
#include "http/status_server.hpp"
#include "kafka/commit_log.hpp"
#include "kafka/signal_topic.hpp"
#include "messages/error.hpp"
#include "messages/snapshot_progress.hpp"
#include "messages/snapshot_signal.hpp"

namespace {

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

int run_dump(const std::vector<std::string>& args) {
  b2k::raw_options raw;
  std::vector<std::string> given;
  if (auto err = b2k::parse_short_options(b2k::command::dump, args, raw,
                                          &given))
    return fail(b2k::describe_config_error(err));
  auto on_command_line = [&](const char* key) {
    return std::find(given.begin(), given.end(), key) != given.end();
  };
  if (on_command_line("file") && on_command_line("source"))
    return fail(
      "dump needs either --file=F (one or more) or --source=URL, "
      "not both");
  if (raw.file.empty() && raw.source.empty())
    return fail("dump needs either --file=F (one or more) or --source=URL");
  std::signal(SIGPIPE, SIG_IGN); // `dump | head` ends quietly
  stdout_sink sink;
  // rows, rate and percent of the files on a terminal (cli/progress_line)
  b2k::cli::progress_line progress{"dump", "rows",
                                   b2k::cli::progress_line::default_enabled()};
  if (!raw.file.empty()) {
    binlog::record_options records;
    if (auto err = b2k::apply_record_options("--", raw, records))
      return fail(b2k::describe_config_error(err));
    auto encoder = binlog::record_encoder::make(records);
    if (!encoder)
      return fail(encoder.error().message);
    binlog::decoder dec{std::move(*encoder), sink};
    progress.set_total(b2k::cli::file_sizes(raw.file));
    uint64_t done = 0;
    for (auto& file : raw.file) {
      auto err = binlog::decode_file(
        file, dec, 4, 0, [&](uint64_t at, uint64_t) {
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
    sink.flush();
    progress.finish(dec.stats().rows, done);
    return 0;
  }
  auto s = b2k::read_settings(raw, "--");
  if (!s)
    return fail(b2k::describe_config_error(s.error()));
  auto conn = s->source.connection;
  conn.non_blocking = true; // up to the server's current end
  auto encoder = binlog::record_encoder::make(s->records);
  if (!encoder)
    return fail(encoder.error().message);
  binlog::server_source source{conn};
  binlog::stream stream{source, std::move(*encoder), sink};
  if (auto err = source.connect(false))
    return fail(err.message, 1);
  auto start = s->source.from;
  if (start.empty())
    if (auto err = source.first_file(start.file))
      return fail(err.message, 1);
  if (auto err = stream.start(start, false, false))
    return fail(err.message, 1);
  for (;;) {
    binlog::stream::event ev;
    if (auto err = stream.next(ev)) {
      sink.flush();
      progress.clear();
      return fail(err.message, 1);
    }
    if (ev.size == 0)
      break;
    progress.update(stream.dec().stats().rows, stream.dec().stats().bytes);
  }
  sink.flush();
  progress.finish(stream.dec().stats().rows, 0);
  return 0;
}

std::string error_text(const caf::error& err) {
  return b2k::describe_config_error(err);
}

// -- snapshot -----------------------------------------------------------------

/// The tables of the source that the pipeline includes ("db.table"), as its
/// snapshot lanes see them.
caf::error included_tables(const b2k::settings& s,
                           std::vector<std::string>& out) {
  auto encoder = binlog::record_encoder::make(s.records);
  if (!encoder)
    return caf::make_error(b2k::ec::config, encoder.error().message);
  binlog::snapshot_reader sql;
  if (auto err = sql.connect(s.source.connection))
    return b2k::make_error(err);
  std::vector<std::pair<std::string, std::string>> all;
  if (auto err = sql.list_tables(all))
    return b2k::make_error(err);
  for (auto& [db, table] : all) {
    binlog::table_info stub;
    stub.map.db = db;
    stub.map.table = table;
    if (!encoder->prepare(stub) && !stub.skipped)
      out.push_back(db + "." + table);
  }
  return caf::none;
}

/// The snapshot progress in the commit log (none: no position yet, or no
/// snapshot ever ran).
caf::expected<std::optional<b2k::snapshot_progress>>
committed_progress(const b2k::settings& s) {
  b2k::kafka::commit_log log{s.kafka.brokers, s.kafka.properties,
                             s.kafka.commit_topic, s.name};
  auto last = log.read_last();
  if (!last)
    return last.error();
  if (!*last || (*last)->pos.snapshot.empty())
    return std::optional<b2k::snapshot_progress>{};
  return b2k::snapshot_progress::parse((*last)->pos.snapshot);
}

/// The signals in the topic that the pipeline has not taken yet.
caf::error pending_signals(const b2k::settings& s, int64_t from,
                           std::vector<b2k::snapshot_signal>& out) {
  b2k::kafka::signal_reader reader{s.kafka.brokers, s.kafka.properties,
                                   b2k::kafka::signal_topic_name(s.name)};
  for (;;) {
    std::vector<b2k::kafka::raw_signal> raw;
    int64_t next = from;
    if (auto err = reader.read(from, 1000, std::chrono::seconds(3), raw, next))
      return err;
    for (auto& r : raw) {
      b2k::snapshot_signal sig;
      std::string why;
      if (!r.null && b2k::parse_signal(r.value, sig, why))
        out.push_back(std::move(sig));
    }
    if (raw.empty() || next == from)
      return caf::none;
    from = next;
  }
}

std::string joined(const std::vector<std::string>& xs) {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : ", ") + x;
  return out;
}

/// --list: the snapshots running, queued, asked for, and the last ended.
int list_snapshots(const b2k::settings& s) {
  auto p = committed_progress(s);
  if (!p)
    return fail(error_text(p.error()), 1);
  std::vector<b2k::snapshot_signal> pending;
  if (auto err = pending_signals(s, *p ? (*p)->signals : -1, pending))
    return fail(error_text(err), 1);
  size_t shown = 0;
  if (*p) {
    auto& x = **p;
    if (!x.done) {
      auto [rows, estimated] = x.row_totals();
      std::printf("%s\trunning\t%s\t%s of ~%s rows, %zu tables done\n",
                  x.id.empty() ? "(initial)" : x.id.c_str(),
                  x.tables.empty() ? "every included table"
                                   : joined(x.tables).c_str(),
                  b2k::cli::with_commas(rows).c_str(),
                  b2k::cli::with_commas(estimated).c_str(), x.finished.size());
      ++shown;
    }
    for (auto& q : x.queued) {
      std::printf("%s\tqueued\t%s\n", q.id.c_str(), joined(q.tables).c_str());
      ++shown;
    }
  }
  for (auto& sig : pending) {
    if (sig.type == b2k::signal_type::execute_snapshot)
      std::printf("%s\tasked\t%s\n", sig.id.c_str(),
                  joined(sig.tables).c_str());
    else
      std::printf("%s\tcancel asked\n", sig.id.c_str());
    ++shown;
  }
  if (*p)
    for (auto& [id, state] : (*p)->ended)
      std::printf("%s\t%s\n", id.c_str(), state.c_str());
  if (shown == 0)
    std::printf("no snapshot of '%s' is running, queued or asked for\n",
                s.name.c_str());
  return 0;
}

/// --wait: until snapshot `id` ended (as the commit log says), with a
/// progress line on a terminal. `want`: the state that is success.
int wait_for_snapshot(const b2k::settings& s, const std::string& id,
                      const std::string& want) {
  b2k::cli::progress_line line{"snapshot " + id, "rows",
                               isatty(STDERR_FILENO) == 1};
  auto started = std::chrono::steady_clock::now();
  bool hinted = false;
  for (;;) {
    auto p = committed_progress(s);
    if (!p) {
      line.clear();
      return fail(error_text(p.error()), 1);
    }
    auto state = *p ? (*p)->state_of(id) : std::string{};
    auto now = std::chrono::steady_clock::now();
    if (state == "done" || state == "cancelled") {
      auto rows = (*p)->row_totals().first;
      if (state == "done" && (*p)->id == id) {
        line.finish_at(rows, rows, now);
        std::printf("snapshot %s: done: %s rows of %zu tables\n", id.c_str(),
                    b2k::cli::with_commas(rows).c_str(), (*p)->rows.size());
      } else {
        line.clear();
        std::printf("snapshot %s: %s\n", id.c_str(), state.c_str());
      }
      return state == want ? 0 : 1;
    }
    if (state == "running" && (*p)->id == id) {
      auto [rows, estimated] = (*p)->row_totals();
      line.set_total(estimated);
      line.update_at(rows, rows, now);
    } else if (state.empty() && !hinted
               && now - started > std::chrono::seconds(30)) {
      line.clear();
      std::fprintf(stderr,
                   "binlog2kafka: snapshot %s: the pipeline '%s' has not "
                   "taken it yet (is it running?); still waiting\n",
                   id.c_str(), s.name.c_str());
      hinted = true;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

int run_snapshot(const std::vector<std::string>& args) {
  b2k::raw_options raw;
  if (auto err = b2k::parse_short_options(b2k::command::snapshot, args, raw))
    return fail(b2k::describe_config_error(err));
  int modes = (raw.tables.empty() ? 0 : 1) + (raw.list ? 1 : 0)
              + (raw.cancel.empty() ? 0 : 1);
  if (modes != 1)
    return fail(
      "snapshot needs one of --tables=RE (once per pattern), --list or "
      "--cancel=ID");
  auto s = b2k::read_settings(raw, "--");
  if (!s)
    return fail(error_text(s.error()));
  setup_logging(s->log_level);
  if (raw.list)
    return list_snapshots(*s);
  auto topic = b2k::kafka::signal_topic_name(s->name);
  b2k::snapshot_signal sig;
  if (!raw.cancel.empty()) {
    if (!b2k::valid_snapshot_id(raw.cancel))
      return fail("--cancel=" + raw.cancel + ": not a snapshot id");
    auto p = committed_progress(*s);
    if (!p)
      return fail(error_text(p.error()), 1);
    auto state = *p ? (*p)->state_of(raw.cancel) : std::string{};
    if (state.empty()) {
      std::vector<b2k::snapshot_signal> pending;
      if (auto err = pending_signals(*s, *p ? (*p)->signals : -1, pending))
        return fail(error_text(err), 1);
      for (auto& x : pending)
        if (x.type == b2k::signal_type::execute_snapshot && x.id == raw.cancel)
          state = "asked";
    }
    if (state != "running" && state != "queued" && state != "asked")
      return fail("--cancel=" + raw.cancel + ": no snapshot of '" + s->name
                    + "' with that id is running, queued or asked for"
                    + (state.empty() ? "" : " (it is " + state + ")")
                    + "; binlog2kafka snapshot --list shows them",
                  1);
    sig.type = b2k::signal_type::cancel_snapshot;
    sig.id = raw.cancel;
  } else {
    for (auto& pattern : raw.tables) {
      std::string why;
      if (!b2k::valid_table_pattern(pattern, why))
        return fail("--tables=" + pattern + ": " + why);
    }
    std::vector<std::string> included;
    if (auto err = included_tables(*s, included))
      return fail(error_text(err), 1);
    size_t matched = 0;
    for (auto& pattern : raw.tables) {
      size_t n = 0;
      for (auto& t : included)
        n += b2k::table_matches({pattern}, t) ? 1 : 0;
      if (n == 0)
        return fail("--tables=" + pattern + " matches no table that '"
                    + s->name + "' includes (" + std::to_string(included.size())
                    + " included tables; patterns match the whole "
                      "\"db.table\")");
    }
    for (auto& t : included)
      matched += b2k::table_matches(raw.tables, t) ? 1 : 0;
    sig.type = b2k::signal_type::execute_snapshot;
    sig.id = b2k::make_snapshot_id();
    sig.tables = raw.tables;
    std::fprintf(stderr, "binlog2kafka: snapshot %s: %zu tables\n",
                 sig.id.c_str(), matched);
  }
  if (auto err = b2k::kafka::ensure_signal_topic(s->kafka.brokers,
                                                 s->kafka.properties, topic))
    return fail(error_text(err), 1);
  if (auto err = b2k::kafka::send_signal(s->kafka.brokers, s->kafka.properties,
                                         topic, sig.id, b2k::to_json(sig),
                                         std::chrono::seconds(15)))
    return fail(error_text(err), 1);
  std::printf("%s\n", sig.id.c_str());
  std::fflush(stdout);
  if (!raw.wait)
    return 0;
  return wait_for_snapshot(*s, sig.id,
                           sig.type == b2k::signal_type::cancel_snapshot
                             ? "cancelled"
                             : "done");
}

// -- run, position, reader-node ------------------------------------------------

/// Blocks SIGTERM and SIGINT in every thread (call before starting any), so
/// that sigwait() alone receives them.
sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

/// The settings of run, position and reader-node from the config file and
/// the command line. Nothing, and the exit code in `rc`, when the command
/// ends here: a bad option (after one line on stderr), or CAF's
/// --dump-config.
std::optional<b2k::settings_ptr>
read_pipeline_options(b2k::command cmd, const std::vector<std::string>& args,
                      b2k::b2k_config& cfg, int& rc) {
  rc = 2;
  if (auto err = cfg.parse_command_line(args)) {
    fail(b2k::describe_config_error(err));
    return std::nullopt;
  }
  if (cfg.cli_helptext_printed) {
    rc = 0;
    return std::nullopt;
  }
  if (cfg.config_file().empty() && !cfg.options_given()) {
    // Not an error (a container may set everything by default), but the
    // first thing a new user needs to know.
    std::error_code ec;
    auto where = std::filesystem::current_path(ec) / cfg.config_file_path;
    b2k::raw_options defaults;
    std::fprintf(stderr,
                 "binlog2kafka: warning: %s: no config file: none given "
                 "(--config-file=FILE) and no %s; going on with the defaults "
                 "(source %s, brokers %s)\n",
                 std::string{to_string(cmd)}.c_str(), where.c_str(),
                 defaults.source.c_str(), defaults.brokers.c_str());
  }
  auto s = b2k::read_settings(cfg.options);
  if (!s) {
    fail(error_text(s.error()));
    return std::nullopt;
  }
  setup_logging(s->log_level);
  return std::make_shared<const b2k::settings>(std::move(*s));
}

/// `binlog2kafka position`: the committed position, as JSON.
int print_position(const b2k::settings& s) {
  b2k::kafka::commit_log log{s.kafka.brokers, s.kafka.properties,
                             s.kafka.commit_topic, s.name};
  auto last = log.read_last();
  if (!last)
    return fail(error_text(last.error()), 1);
  if (!*last)
    return fail("no position for source '" + s.name + "' in " + log.topic(), 1);
  std::printf("%s\n",
              b2k::kafka::encode_commit((*last)->pos, (*last)->ts_ms).c_str());
  return 0;
}

/// `binlog2kafka reader-node`: readers for a pipeline on another node. The
/// source's address and password are read here and never leave this node.
int run_reader_node(b2k::b2k_config& cfg, const b2k::settings_ptr& s) {
  if (auto problem = b2k::load_node_link(cfg, *s); !problem.empty())
    return fail(problem);
  auto signals = block_stop_signals();
  caf::actor_system sys{cfg};
  auto node = sys.spawn(b2k::reader_node, s,
                        b2k::reader_factory{b2k::spawn_detached_reader});
  auto& listen = s->reader_node_listen;
  auto port = b2k::publish_reader_node(node, *s);
  if (!port) {
    caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
    return fail("binlog2kafka.reader-node-listen: cannot listen on "
                  + listen.to_string() + ": " + sys.render(port.error()),
                1);
  }
  spdlog::info("reader node for '{}' listening on {}:{} ({})", s->name,
               listen.host, *port,
               s->node_tls.tls ? "TLS, certificates checked on both sides"
                               : "plaintext, no authentication: node-tls = "
                                 "off");
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {}: reader node stopping", sig);
  caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
  return 0;
}

/// Bounds the end of the process once the pipeline has stopped (its final
/// position confirmed by Kafka, or its failure known): should the actor
/// system's shutdown not end within the limit (a node link or a library
/// thread that does not stop: seen once, under load, with a reader node),
/// one warning and the pipeline's exit status instead of a process that
/// only SIGKILL ends. Declared before the actor system, to outlive it.
class exit_deadline {
public:
  ~exit_deadline() {
    if (!thread_.joinable())
      return;
    done_.set_value();
    thread_.join();
  }

  void arm(std::chrono::seconds limit, int status) {
    thread_ = std::thread{[limit, status, done = done_.get_future()] {
      if (done.wait_for(limit) == std::future_status::ready)
        return;
      spdlog::warn(
        "exit: the actor system did not shut down within {} s "
        "of the pipeline's stop; exiting with status {}",
        limit.count(), status);
      spdlog::default_logger()->flush();
      std::_Exit(status);
    }};
  }

private:
  std::promise<void> done_;
  std::thread thread_;
};

/// `binlog2kafka run`: the pipeline, until a signal or a fatal error.
int run_pipeline(b2k::b2k_config& cfg, const b2k::settings_ptr& s) {
  if (!s->source.from.empty()) {
    spdlog::info("starting at {} as --from says",
                 binlog::to_string(s->source.from));
  } else {
    // The reader reads the commit log once it holds the source lock (the
    // producer does: see producer_state::resume_position).
    b2k::kafka::commit_log log{s->kafka.brokers, s->kafka.properties,
                               s->kafka.commit_topic, s->name};
    if (auto err = log.ensure_topic())
      return fail(error_text(err), 1);
  }
  // On-demand snapshots come through the signal topic.
  bool take_signals = s->snapshot.mode != b2k::snapshot_mode::initial_only;
  if (take_signals) {
    auto topic = b2k::kafka::signal_topic_name(s->name);
    if (auto err = b2k::kafka::ensure_signal_topic(s->kafka.brokers,
                                                   s->kafka.properties, topic))
      spdlog::warn(
        "signals: {}: on-demand snapshots wait until the topic "
        "exists",
        error_text(err));
  }
  // Signals go to one thread that asks the supervisor to stop.
  auto signals = block_stop_signals();
  if (!s->reader_node.empty())
    if (auto problem = b2k::load_node_link(cfg, *s); !problem.empty())
      return fail(problem);
  exit_deadline deadline;
  caf::actor_system sys{cfg};
  auto status = sys.spawn(b2k::status, s->name);
  b2k::log_to_status warnings_to_status_page{status};
  b2k::http::status_server http{
    sys, status,
    std::chrono::duration_cast<std::chrono::seconds>(s->health_lag_threshold)};
  if (!s->http.empty()) {
    http.serve_records(s->kafka.brokers, s->kafka.properties, s->records,
                       s->kafka.commit_topic);
    b2k::http::access_policy policy;
    policy.token = s->http_token;
    policy.protect_reads = s->http_token_read;
    http.serve_snapshots(policy, [s](const b2k::snapshot_signal& sig) {
      auto err = b2k::kafka::send_signal(s->kafka.brokers, s->kafka.properties,
                                         b2k::kafka::signal_topic_name(s->name),
                                         sig.id, b2k::to_json(sig),
                                         std::chrono::seconds(10));
      if (!err)
        spdlog::info("http: snapshot {}: {} asked over HTTP", sig.id,
                     b2k::to_string(sig.type));
      return err ? error_text(err) : std::string{};
    });
    if (auto err = http.start(s->http.host, s->http.port)) {
      caf::anon_send_exit(status, caf::exit_reason::user_shutdown);
      return fail(error_text(err));
    }
    spdlog::info("http: status page, /health and /metrics on http://{}/",
                 s->http.to_string());
  }
  b2k::supervisor_config sup;
  sup.settings = s;
  sup.status = status;
  if (take_signals)
    sup.spawn_signals = [](caf::actor_system& sys, const b2k::settings_ptr& s) {
      return sys.spawn<caf::detached>(b2k::signals, s);
    };
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
  bool failed = reason && reason != caf::exit_reason::user_shutdown;
  if (failed)
    spdlog::error("stopped: {}", error_text(reason));
  deadline.arm(std::chrono::seconds(10), failed ? 1 : 0);
  exiting = true;
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  http.stop();
  caf::anon_send_exit(status, caf::exit_reason::user_shutdown);
  return failed ? 1 : 0;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2)
    return fail("no command given\n" + b2k::usage_text());
  std::string word = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (word == "--help" || word == "-h" || word == "help") {
    std::fputs(b2k::usage_text().c_str(), stdout);
    return 0;
  }
  if (word == "--version")
    word = "version";
  auto cmd = b2k::parse_command(word);
  if (!cmd)
    return fail("unknown command '" + word + "'\n" + b2k::usage_text());
  b2k::b2k_config cfg;
  b2k::add_types(cfg);
  for (auto& arg : args)
    if (b2k::is_help_flag(arg)) {
      auto text = b2k::help_text(*cmd, arg == "--long-help", &cfg.option_set());
      std::fputs(text.c_str(), stdout);
      return 0;
    }
  switch (*cmd) {
    case b2k::command::version:
      std::printf("binlog2kafka 0.1.0\n");
      return 0;
    case b2k::command::dump:
      return run_dump(args);
    case b2k::command::run:
    case b2k::command::position:
    case b2k::command::reader_node: {
      int rc = 0;
      auto s = read_pipeline_options(*cmd, args, cfg, rc);
      if (!s)
        return rc;
      if (*cmd == b2k::command::position)
        return print_position(**s);
      if (*cmd == b2k::command::reader_node)
        return run_reader_node(cfg, *s);
      return run_pipeline(cfg, *s);
    }
    case b2k::command::snapshot:
      return run_snapshot(args);
  }
  return fail("unknown command '" + word + "'");
}
