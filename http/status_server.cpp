#include "http/status_server.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include <caf/scoped_actor.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "kafka/recent_records.hpp"
#include "messages/error.hpp"

namespace b2k::http {

namespace {

// Label values escape backslash, quote and newline.
std::string label(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"')
      out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

nlohmann::json position_json(const binlog::position& p) {
  return {{"file", p.file},
          {"pos", p.pos},
          {"gtid",
           p.gtid.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.gtid)},
          {"skip_rows", p.skip_rows}};
}

// The one line of one of our errors.
std::string error_line(const caf::error& err) {
  if (err.context().match_elements<std::string>())
    return err.context().get_as<std::string>(0);
  return caf::to_string(err);
}

bool serving(pipeline_state s) {
  return s == pipeline_state::running;
}

// A standby is healthy: it waits, ready to take over.
bool healthy(pipeline_state s) {
  return serving(s) || s == pipeline_state::standby;
}

} // namespace

health health_of(const status_snapshot& s, std::chrono::seconds lag_threshold) {
  nlohmann::json j;
  health h;
  if (!serving(s.state)) {
    if (!healthy(s.state))
      h.code = 503;
    j["status"] = to_string(s.state);
  } else if (s.reader.lag_seconds > lag_threshold.count()) {
    j["status"] = "lagging";
  } else {
    j["status"] = "ready";
  }
  j["state"] = to_string(s.state);
  j["lag_seconds"] = s.reader.lag_seconds;
  if (!s.last_error.empty())
    j["last_error"] = s.last_error;
  h.body = j.dump();
  return h;
}

std::string render_metrics(const status_snapshot& s) {
  std::ostringstream out;
  auto src = "source=\"" + label(s.name) + "\"";
  auto metric = [&](const char* name, const char* type, const char* help,
                    auto value, const std::string& extra = {}) {
    out << "# HELP binlog2kafka_" << name << ' ' << help << '\n'
        << "# TYPE binlog2kafka_" << name << ' ' << type << '\n'
        << "binlog2kafka_" << name << '{' << src << extra << "} " << value
        << '\n';
  };
  metric("up", "gauge", "1 while the pipeline runs, 0 otherwise.",
         serving(s.state) ? 1 : 0,
         ",state=\"" + std::string{to_string(s.state)} + "\"");
  metric("rows_read_total", "counter", "Row changes decoded from the binlog.",
         s.reader.rows);
  metric("records_read_total", "counter",
         "Row changes sent towards Kafka (skipped schemas excluded).",
         s.reader.records);
  metric("records_acknowledged_total", "counter", "Records Kafka acknowledged.",
         s.producer.delivered_records);
  metric("records_dead_letter_total", "counter",
         "Records over Kafka's size limit sent to the dead-letter topic "
         "instead (oversize = dead-letter).",
         s.producer.dead_letter_records);
  metric("records_truncated_total", "counter",
         "Records over Kafka's size limit sent with truncated columns "
         "(oversize = truncate-columns).",
         s.producer.truncated_records);
  metric("partitions_recreated_total", "counter",
         "Partitions of data topics that started again while binlog2kafka "
         "wrote to them: the topic was deleted and created again, and what "
         "it held is gone.",
         s.producer.recreated_partitions);
  metric("records_in_flight", "gauge",
         "Records handed to librdkafka and not yet acknowledged.",
         s.producer.in_flight_records);
  metric("bytes_read_total", "counter", "Binlog bytes read.", s.reader.bytes);
  metric("transactions_total", "counter", "Transactions read.",
         s.reader.transactions);
  out << "# HELP binlog2kafka_events_total Binlog events read, by type.\n"
      << "# TYPE binlog2kafka_events_total counter\n";
  for (auto& [type, count] : s.reader.events_by_type)
    out << "binlog2kafka_events_total{" << src << ",type=\"" << label(type)
        << "\"} " << count << '\n';
  metric("lag_seconds", "gauge",
         "Seconds behind the server's newest event (0 when caught up).",
         s.reader.lag_seconds);
  metric("waiting_batches", "gauge",
         "Read batches not yet released (the waiting queue's depth).",
         s.watcher.waiting_batches);
  metric("acknowledged_early_batches", "gauge",
         "Acknowledged batches waiting for an earlier one.",
         s.watcher.acknowledged_early);
  metric("credit_in_use_bytes", "gauge",
         "Bytes read but not yet released (bounded by max-inflight-bytes).",
         s.reader.credit_in_use);
  metric("released_batches_total", "counter", "Batches released in order.",
         s.watcher.released_batches);
  metric("released_position", "gauge",
         "Offset of the released position in its binlog file.",
         s.watcher.released.pos,
         ",file=\"" + label(s.watcher.released.file) + "\"");
  metric("reader_restarts_total", "counter",
         "Times the reader reconnected after losing the server.",
         s.reader_restarts);
  metric("uptime_seconds", "gauge", "Seconds since start.",
         s.uptime_ms / 1000.0);
  metric("snapshot_running", "gauge",
         "1 while a snapshot reads tables, 0 otherwise.",
         s.snapshot.running ? 1 : 0);
  auto per_table = [&](const char* name, const char* type, const char* help,
                       auto value) {
    if (s.snapshot.tables.empty())
      return;
    out << "# HELP binlog2kafka_" << name << ' ' << help << '\n'
        << "# TYPE binlog2kafka_" << name << ' ' << type << '\n';
    for (auto& t : s.snapshot.tables)
      out << "binlog2kafka_" << name << '{' << src << ",table=\""
          << label(t.table) << "\"} " << value(t) << '\n';
  };
  per_table("snapshot_rows_total", "counter",
            "Rows of the table the snapshot sent (op r).",
            [](auto& t) { return t.rows_done; });
  per_table("snapshot_rows_estimated", "gauge",
            "The table's estimated rows (information_schema).",
            [](auto& t) { return t.rows_estimated; });
  per_table("snapshot_chunks_total", "counter",
            "Chunks of the table the snapshot sent.",
            [](auto& t) { return t.chunks; });
  per_table("snapshot_rows_per_second", "gauge",
            "The table's snapshot rate (0 once done).",
            [](auto& t) { return t.rate; });
  per_table("snapshot_eta_seconds", "gauge",
            "Seconds until the table is read at its rate (-1: unknown).",
            [](auto& t) { return t.eta_seconds; });
  return out.str();
}

namespace {

nlohmann::json counts_json(const table_counts& c) {
  return {{"c", c.inserts},
          {"u", c.updates},
          {"d", c.deletes},
          {"r", c.snapshot_rows},
          {"rows", c.rows()}};
}

// The charts' samples as columns: one array per series, oldest first.
nlohmann::json history_json(const std::vector<status_sample>& samples,
                            int64_t since_ms) {
  nlohmann::json ts = nlohmann::json::array();
  nlohmann::json read = nlohmann::json::array();
  nlohmann::json acked = nlohmann::json::array();
  nlohmann::json lag = nlohmann::json::array();
  nlohmann::json credit = nlohmann::json::array();
  nlohmann::json waiting = nlohmann::json::array();
  for (auto& x : samples) {
    if (x.ts_ms <= since_ms)
      continue;
    ts.push_back(x.ts_ms);
    // Whole records per second are precise enough for a chart.
    read.push_back(std::llround(x.read_per_second));
    acked.push_back(std::llround(x.acknowledged_per_second));
    lag.push_back(x.lag_seconds);
    credit.push_back(x.credit_in_use);
    waiting.push_back(x.waiting_batches);
  }
  return {{"ts_ms", ts},
          {"read_per_second", read},
          {"acknowledged_per_second", acked},
          {"lag_seconds", lag},
          {"credit_in_use", credit},
          {"waiting_batches", waiting}};
}

nlohmann::json snapshot_tables_json(const snapshot_metrics& m) {
  nlohmann::json tables = nlohmann::json::array();
  for (auto& t : m.tables)
    tables.push_back(
      {{"table", t.table},
       {"rows_done", t.rows_done},
       {"rows_estimated", t.rows_estimated},
       {"chunks", t.chunks},
       {"rate", t.rate},
       {"eta_seconds", t.eta_seconds < 0 ? nlohmann::json(nullptr)
                                         : nlohmann::json(t.eta_seconds)},
       {"done", t.done}});
  return tables;
}

// The snapshot running (or the last), those queued and those ended.
nlohmann::json snapshots_json(const snapshot_metrics& m) {
  nlohmann::json ended = nlohmann::json::array();
  for (auto& e : m.ended) {
    auto space = e.find(' ');
    ended.push_back(
      {{"id", e.substr(0, space)},
       {"state",
        space == std::string::npos ? std::string{} : e.substr(space + 1)}});
  }
  return {{"id", m.id.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.id)},
          {"running", m.running},
          {"tables", snapshot_tables_json(m)},
          {"queued", m.queued},
          {"ended", ended}};
}

} // namespace

std::string render_snapshots(const status_snapshot& s) {
  return snapshots_json(s.snapshot)
    .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string snapshot_state(const status_snapshot& s, const std::string& id) {
  auto& m = s.snapshot;
  if (id.empty())
    return "";
  if (m.id == id && m.running)
    return "running";
  for (auto& q : m.queued)
    if (q == id)
      return "queued";
  for (auto it = m.ended.rbegin(); it != m.ended.rend(); ++it)
    if (it->compare(0, id.size() + 1, id + " ") == 0)
      return it->substr(id.size() + 1);
  return "";
}

std::string render_json(const status_snapshot& s, int64_t history_since_ms) {
  nlohmann::json events = nlohmann::json::object();
  for (auto& [type, count] : s.reader.events_by_type)
    events[type] = count;
  nlohmann::json tables = nlohmann::json::array();
  for (auto& t : s.top_tables)
    tables.push_back(
      {{"table", t.total.table},
       {"topic", t.total.topic.empty() ? nlohmann::json(nullptr)
                                       : nlohmann::json(t.total.topic)},
       {"rows_per_second", t.rows_per_second},
       {"last_minute", counts_json(t.last_minute)},
       {"total", counts_json(t.total)}});
  nlohmann::json log = nlohmann::json::array();
  for (auto& l : s.recent_log)
    log.push_back({{"ts_ms", l.ts_ms}, {"level", l.level}, {"text", l.text}});
  auto snapshot = snapshot_tables_json(s.snapshot);
  nlohmann::json transaction = nullptr;
  if (!s.producer.transaction_state.empty())
    transaction = {{"state", s.producer.transaction_state},
                   {"committed", s.producer.transactions_committed},
                   {"aborted", s.producer.transactions_aborted},
                   {"records", s.producer.transaction_records},
                   {"last_commit_ms", s.producer.last_commit_ms}};
  nlohmann::json j{
    {"name", s.name},
    {"state", to_string(s.state)},
    {"role", s.role.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.role)},
    {"source", s.reader.source},
    {"last_error", s.last_error},
    {"reader_restarts", s.reader_restarts},
    {"now_ms", s.now_ms},
    {"uptime_ms", s.uptime_ms},
    {"reader",
     {{"rows", s.reader.rows},
      {"records", s.reader.records},
      {"events", s.reader.events},
      {"bytes", s.reader.bytes},
      {"transactions", s.reader.transactions},
      {"events_by_type", events},
      {"position", position_json(s.reader.position)},
      {"lag_seconds", s.reader.lag_seconds},
      {"caught_up", s.reader.caught_up},
      {"credit_in_use", s.reader.credit_in_use}}},
    {"producer",
     {{"delivered_records", s.producer.delivered_records},
      {"in_flight_records", s.producer.in_flight_records},
      {"in_flight_batches", s.producer.in_flight_batches},
      {"transaction", transaction}}},
    {"watcher",
     {{"waiting_batches", s.watcher.waiting_batches},
      {"waiting_bytes", s.watcher.waiting_bytes},
      {"acknowledged_early", s.watcher.acknowledged_early},
      {"released_batches", s.watcher.released_batches},
      {"released", position_json(s.watcher.released)}}},
    {"rates",
     {{"rows_per_second", s.rows_per_second},
      {"records_per_second", s.records_per_second},
      {"delivered_per_second", s.delivered_per_second}}},
    {"history", history_json(s.history, history_since_ms)},
    {"tables", tables},
    {"tables_seen", s.tables_seen},
    {"recent_log", log},
    {"snapshot", snapshot},
    {"snapshots", snapshots_json(s.snapshot)},
  };
  // Log lines and table names may hold bytes that are not UTF-8.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string topic_name_prefix(const binlog::record_options& options) {
  auto topic = options.topic_template;
  auto prefix = options.topic_prefix.empty() ? options.name
                                             : options.topic_prefix;
  for (auto at = topic.find("{prefix}"); at != std::string::npos;
       at = topic.find("{prefix}", at + prefix.size()))
    topic.replace(at, 8, prefix);
  auto first = std::min(topic.find("{db}"), topic.find("{table}"));
  // Without a per-table placeholder every table shares one topic.
  return binlog::kafka_topic_name(topic.substr(0, first));
}

namespace {

// JSON text as JSON, anything else as a string.
nlohmann::json json_or_text(const std::optional<std::string>& text) {
  if (!text)
    return nullptr;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded())
    return *text;
  return j;
}

} // namespace

std::string render_records(const std::string& topic,
                           const std::vector<kafka_record_view>& records) {
  nlohmann::json list = nlohmann::json::array();
  for (auto& r : records)
    list.push_back({{"partition", r.partition},
                    {"offset", r.offset},
                    {"ts_ms", r.ts_ms},
                    {"key", json_or_text(r.key)},
                    {"value", json_or_text(r.value)}});
  nlohmann::json j{{"topic", topic}, {"records", list}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void status_server::serve_snapshots(
  access_policy policy,
  std::function<std::string(const snapshot_signal&)> send) {
  serve_snapshots_ = true;
  policy_ = std::move(policy);
  send_signal_ = std::move(send);
}

void status_server::serve_records(const std::string& brokers,
                                  const kafka::property_list& properties,
                                  const binlog::record_options& records,
                                  const std::string& commit_topic) {
  records_ = std::make_unique<kafka::recent_records>(brokers, properties);
  topic_prefix_ = topic_name_prefix(records);
  hidden_topics_ = {commit_topic};
}

status_server::status_server(caf::actor_system& sys, status_actor status,
                             std::chrono::seconds lag_threshold)
  : sys_(sys), status_(std::move(status)), lag_threshold_(lag_threshold) {
}

status_server::~status_server() {
  stop();
}

bool status_server::snapshot(status_snapshot& out) {
  caf::scoped_actor self{sys_};
  bool ok = false;
  self->request(status_, std::chrono::seconds(2), atom::snapshot_v)
    .receive(
      [&](status_snapshot& s) {
        out = std::move(s);
        ok = true;
      },
      [&](caf::error&) {});
  return ok;
}

caf::error status_server::start(const std::string& host, uint16_t port) {
  server_ = std::make_unique<httplib::Server>();
  if (serve_snapshots_) {
    snapshot_control control;
    control.send = send_signal_;
    control.list = [this] {
      status_snapshot s;
      if (!snapshot(s))
        return std::string{"{\"error\":\"status unavailable\"}"};
      return render_snapshots(s);
    };
    control.state_of = [this](const std::string& id) {
      status_snapshot s;
      return snapshot(s) ? snapshot_state(s, id) : std::string{};
    };
    install_snapshot_api(*server_, policy_, std::move(control));
  }
  auto unavailable = [](httplib::Response& res) {
    res.status = 503;
    res.set_content("{\"status\":\"unavailable\"}", "application/json");
  };
  server_->Get("/health", [this, unavailable](const httplib::Request&,
                                              httplib::Response& res) {
    status_snapshot s;
    if (!snapshot(s))
      return unavailable(res);
    auto h = health_of(s, lag_threshold_);
    res.status = h.code;
    res.set_content(h.body, "application/json");
  });
  server_->Get("/metrics", [this, unavailable](const httplib::Request&,
                                               httplib::Response& res) {
    status_snapshot s;
    if (!snapshot(s))
      return unavailable(res);
    res.set_content(render_metrics(s), "text/plain; version=0.0.4");
  });
  server_->Get("/status.json", [this, unavailable](const httplib::Request& req,
                                                   httplib::Response& res) {
    status_snapshot s;
    if (!snapshot(s))
      return unavailable(res);
    // ?since=MS: only the chart samples after MS (the page asks for what
    // it has not yet got).
    int64_t since = -1;
    if (req.has_param("since"))
      since = std::strtoll(req.get_param_value("since").c_str(), nullptr, 10);
    res.set_header("Cache-Control", "no-store");
    res.set_content(render_json(s, since), "application/json");
  });
  // The records view: Kafka's newest records of our topics, read on demand
  // on this server's threads (each request bounded by a timeout).
  auto json_error = [](httplib::Response& res, int code,
                       const std::string& what) {
    res.status = code;
    res.set_header("Cache-Control", "no-store");
    res.set_content(nlohmann::json{{"error", what}}.dump(
                      -1, ' ', false, nlohmann::json::error_handler_t::replace),
                    "application/json");
  };
  server_->Get("/records/topics", [this, json_error](const httplib::Request&,
                                                     httplib::Response& res) {
    if (!records_)
      return json_error(res, 404, "the records view is off");
    auto topics = records_->topics(topic_prefix_, hidden_topics_,
                                   std::chrono::seconds(3));
    if (!topics)
      return json_error(res, 502, error_line(topics.error()));
    res.set_header("Cache-Control", "no-store");
    res.set_content(
      nlohmann::json{{"prefix", topic_prefix_}, {"topics", *topics}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace),
      "application/json");
  });
  server_->Get("/records", [this, json_error](const httplib::Request& req,
                                              httplib::Response& res) {
    if (!records_)
      return json_error(res, 404, "the records view is off");
    auto topic = req.get_param_value("topic");
    if (topic.empty()
        || topic.compare(0, topic_prefix_.size(), topic_prefix_) != 0
        || std::find(hidden_topics_.begin(), hidden_topics_.end(), topic)
             != hidden_topics_.end())
      return json_error(res, 403,
                        "topic '" + topic + "' is not one of this pipeline's "
                          "(they start with '" + topic_prefix_ + "')");
    size_t limit = 20;
    if (req.has_param("limit"))
      limit = std::clamp<size_t>(
        std::strtoul(req.get_param_value("limit").c_str(), nullptr, 10), 1,
        200);
    auto got = records_->latest(topic, limit, std::chrono::seconds(3));
    if (!got)
      return json_error(res, got.error() == ec::config ? 404 : 502,
                        error_line(got.error()));
    std::vector<kafka_record_view> view;
    view.reserve(got->size());
    for (auto& r : *got)
      view.push_back(kafka_record_view{topic, r.partition, r.offset, r.ts_ms,
                                       std::move(r.key), std::move(r.value)});
    res.set_header("Cache-Control", "no-store");
    res.set_content(render_records(topic, view), "application/json");
  });
  server_->Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(status_page(), "text/html; charset=utf-8");
  });
  // httplib's default also sets SO_REUSEPORT, which would let a second
  // daemon share our port without a word: only allow a quick restart.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  if (!server_->bind_to_port(host.c_str(), port))
    return caf::make_error(ec::config,
                           "binlog2kafka.http-listen: cannot listen on " + host
                             + ":" + std::to_string(port)
                             + " (in use, or not an address of this host)");
  thread_ = std::thread{[this] { server_->listen_after_bind(); }};
  return caf::none;
}

void status_server::stop() {
  if (server_)
    server_->stop();
  if (thread_.joinable())
    thread_.join();
}

} // namespace b2k::http
