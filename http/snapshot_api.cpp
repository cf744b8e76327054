#include "http/snapshot_api.hpp"

#include <cctype>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace b2k::http {

namespace {

std::string error_body(const std::string& what) {
  return nlohmann::json{{"error", what}}.dump(
    -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

reply refuse(int code, const std::string& what) {
  return reply{code, error_body(what)};
}

// Compares without stopping at the first difference: the time a request
// takes says nothing about how much of the token it guessed. `token` is
// not empty.
bool same_secret(const std::string& given, const std::string& token) {
  unsigned char diff = given.size() == token.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ token[i % token.size()]);
  return diff == 0;
}

void send_reply(httplib::Response& res, const reply& r) {
  res.status = r.code;
  res.set_header("Cache-Control", "no-store");
  if (r.code == 401)
    res.set_header("WWW-Authenticate", "Bearer realm=\"binlog2kafka\"");
  res.set_content(r.body, "application/json");
}

} // namespace

reply check_access(const access_policy& policy,
                   const std::string& authorization, bool change) {
  if (policy.token.empty()) {
    if (!change)
      return reply{0, {}};
    return refuse(403,
                  "changes over HTTP are off: no token is configured "
                  "(http-token-file or BINLOG2KAFKA_HTTP_TOKEN)");
  }
  constexpr std::string_view scheme = "bearer ";
  bool bearer = authorization.size() > scheme.size();
  for (size_t i = 0; bearer && i < scheme.size(); ++i)
    bearer = std::tolower(static_cast<unsigned char>(authorization[i]))
             == scheme[i];
  if (!bearer)
    return refuse(401, "needs the header Authorization: Bearer TOKEN");
  if (!same_secret(authorization.substr(scheme.size()), policy.token))
    return refuse(401, "wrong token");
  return reply{0, {}};
}

bool is_protected_read(const std::string& method, const std::string& path) {
  if (method != "GET" && method != "HEAD")
    return false;
  // The page's shell holds no data, and load balancers ask /health.
  return path != "/" && path != "/health";
}

reply post_snapshot(const snapshot_control& control, const std::string& body) {
  if (body.size() > max_request_body)
    return refuse(413, "the body is longer than "
                         + std::to_string(max_request_body) + " bytes");
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return refuse(400,
                  "the body must be a JSON object: "
                  "{\"tables\":[\"db\\\\.table\",...]}");
  for (auto& [key, value] : j.items())
    if (key != "tables")
      return refuse(400, "unknown key \"" + key.substr(0, 64)
                           + "\" (only \"tables\")");
  snapshot_signal sig;
  sig.type = signal_type::execute_snapshot;
  sig.id = make_snapshot_id();
  auto tables = j.find("tables");
  if (tables == j.end() || !tables->is_array() || tables->empty())
    return refuse(400, "\"tables\" must be a list of patterns");
  if (tables->size() > max_signal_tables)
    return refuse(400, "more than " + std::to_string(max_signal_tables)
                         + " table patterns");
  for (auto& t : *tables) {
    if (!t.is_string())
      return refuse(400, "a table pattern that is not a string");
    std::string why;
    auto pattern = t.get<std::string>();
    if (!valid_table_pattern(pattern, why))
      return refuse(400, why);
    sig.tables.push_back(std::move(pattern));
  }
  if (auto err = control.send(sig); !err.empty())
    return refuse(502, err);
  return reply{202, nlohmann::json{{"id", sig.id}, {"state", "asked"}}.dump()};
}

reply cancel_snapshot(const snapshot_control& control, const std::string& id) {
  if (!valid_snapshot_id(id))
    return refuse(400, "not a snapshot id");
  auto state = control.state_of(id);
  if (state != "running" && state != "queued")
    return refuse(404, "no snapshot " + id + " is running or queued"
                         + (state.empty() ? "" : " (it is " + state + ")"));
  snapshot_signal sig;
  sig.type = signal_type::cancel_snapshot;
  sig.id = id;
  if (auto err = control.send(sig); !err.empty())
    return refuse(502, err);
  return reply{202,
               nlohmann::json{{"id", id}, {"state", "cancel asked"}}.dump()};
}

void install_snapshot_api(httplib::Server& server, access_policy policy,
                          snapshot_control control) {
  server.set_payload_max_length(max_request_body);
  server.set_pre_routing_handler([policy](const httplib::Request& req,
                                          httplib::Response& res) {
    if (!policy.protect_reads || !is_protected_read(req.method, req.path))
      return httplib::Server::HandlerResponse::Unhandled;
    auto r = check_access(policy, req.get_header_value("Authorization"), false);
    if (r.code == 0)
      return httplib::Server::HandlerResponse::Unhandled;
    send_reply(res, r);
    return httplib::Server::HandlerResponse::Handled;
  });
  server.Get("/snapshots",
             [control](const httplib::Request&, httplib::Response& res) {
               send_reply(res, reply{200, control.list()});
             });
  server.Post("/snapshots", [policy, control](const httplib::Request& req,
                                              httplib::Response& res) {
    auto r = check_access(policy, req.get_header_value("Authorization"), true);
    send_reply(res, r.code != 0 ? r : post_snapshot(control, req.body));
  });
  server.Delete(R"(/snapshots/([^/]*))", [policy,
                                          control](const httplib::Request& req,
                                                   httplib::Response& res) {
    auto r = check_access(policy, req.get_header_value("Authorization"), true);
    send_reply(res, r.code != 0 ? r : cancel_snapshot(control, req.matches[1]));
  });
}

} // namespace b2k::http
