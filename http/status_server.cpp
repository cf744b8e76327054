#include "http/status_server.hpp"

#include <cstdio>
#include <sstream>

#include <caf/scoped_actor.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

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
          {"gtid", p.gtid.empty() ? nlohmann::json(nullptr)
                                  : nlohmann::json(p.gtid)},
          {"skip_rows", p.skip_rows}};
}

bool serving(pipeline_state s) {
  return s == pipeline_state::running;
}

// A standby is healthy: it waits, ready to take over.
bool healthy(pipeline_state s) {
  return serving(s) || s == pipeline_state::standby;
}

} // namespace

health health_of(const status_snapshot& s,
                 std::chrono::seconds lag_threshold) {
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
  metric("rows_read_total", "counter",
         "Row changes decoded from the binlog.", s.reader.rows);
  metric("records_read_total", "counter",
         "Row changes sent towards Kafka (skipped schemas excluded).",
         s.reader.records);
  metric("records_acknowledged_total", "counter",
         "Records Kafka acknowledged.", s.producer.delivered_records);
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
  return out.str();
}

std::string render_json(const status_snapshot& s) {
  nlohmann::json events = nlohmann::json::object();
  for (auto& [type, count] : s.reader.events_by_type)
    events[type] = count;
  nlohmann::json j{
    {"name", s.name},
    {"state", to_string(s.state)},
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
      {"in_flight_batches", s.producer.in_flight_batches}}},
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
  };
  return j.dump();
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
  server_->Get("/status.json", [this, unavailable](const httplib::Request&,
                                                   httplib::Response& res) {
    status_snapshot s;
    if (!snapshot(s))
      return unavailable(res);
    res.set_header("Cache-Control", "no-store");
    res.set_content(render_json(s), "application/json");
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
