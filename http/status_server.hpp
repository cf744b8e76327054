#pragma once

// The HTTP endpoint for people and for monitoring: /health, Prometheus
// /metrics, /status.json and a small live status page at /. It runs on its
// own thread and asks the status actor for a snapshot per request.

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/error.hpp>

#include "actors/actors.hpp"

namespace httplib {
class Server;
}

namespace b2k::http {

/// What /health answers: an HTTP status code and a JSON body.
struct health {
  int code = 200;
  std::string body;
};

/// ready (200), lagging (200, more than `lag_threshold` behind), or not
/// serving (503: starting, reconnecting, stopping, failed).
health health_of(const status_snapshot& s, std::chrono::seconds lag_threshold);

/// Prometheus text exposition format (version 0.0.4).
std::string render_metrics(const status_snapshot& s);

/// Everything as JSON, for the status page and for scripts.
std::string render_json(const status_snapshot& s);

/// The status page (static HTML; it polls /status.json).
const std::string& status_page();

class status_server {
public:
  status_server(caf::actor_system& sys, status_actor status,
                std::chrono::seconds lag_threshold);
  ~status_server();

  /// Binds `host:port` and serves on a thread of its own. Fails with one line
  /// if the address cannot be bound.
  caf::error start(const std::string& host, uint16_t port);

  void stop();

private:
  bool snapshot(status_snapshot& out);

  caf::actor_system& sys_;
  status_actor status_;
  std::chrono::seconds lag_threshold_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

} // namespace b2k::http
