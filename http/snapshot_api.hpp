#pragma once

// The status server's control surface: POST /snapshots (ask for a
// snapshot), GET /snapshots (list), DELETE /snapshots/ID (cancel), and the
// bearer token that guards them (and, if asked, the read-only endpoints).
// The work itself goes through the signal topic like the CLI's; these
// functions know nothing of CAF or Kafka (the fuzzer drives them with
// stand-ins).

#include <functional>
#include <string>
#include <vector>

#include "messages/snapshot_signal.hpp"

namespace httplib {
class Server;
}

namespace b2k::http {

/// Who may do what.
struct access_policy {
  /// The bearer token; empty: none configured, so changes are refused.
  std::string token;
  /// The read-only endpoints need the token too.
  bool protect_reads = false;
};

/// An HTTP answer: status and JSON body.
struct reply {
  int code = 200;
  std::string body;
};

/// Whether a request with this Authorization header may go on: a reply
/// with code 0 if so, else 401 (no or a wrong token) or 403 (changes
/// without a token configured).
reply check_access(const access_policy& policy,
                   const std::string& authorization, bool change);

/// True for the paths that only read (and that protect_reads guards).
bool is_protected_read(const std::string& method, const std::string& path);

/// What the endpoints do, as functions.
struct snapshot_control {
  /// Writes a signal to the signal topic: "" or one line saying why not.
  std::function<std::string(const snapshot_signal&)> send;
  /// The snapshots running, queued and ended, as JSON.
  std::function<std::string()> list;
  /// The state of snapshot `id` ("running", "queued", ...; "" if unknown).
  std::function<std::string(const std::string&)> state_of;
};

/// POST /snapshots with {"tables":["RE",...]}: 202 and {"id":…}.
reply post_snapshot(const snapshot_control& control, const std::string& body);

/// DELETE /snapshots/ID: 202 once the cancel is on its way, 404 for an id
/// that is neither running nor queued.
reply cancel_snapshot(const snapshot_control& control, const std::string& id);

/// The largest request body accepted.
constexpr size_t max_request_body = 64 * 1024;

/// Installs the /snapshots routes and the token checks on `server` (before
/// its other routes are used).
void install_snapshot_api(httplib::Server& server, access_policy policy,
                          snapshot_control control);

} // namespace b2k::http
