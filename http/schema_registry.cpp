#include "http/schema_registry.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace b2k::http {

namespace {

/// The registry's answer on one line, at most a few hundred characters.
std::string one_line(std::string text) {
  for (auto& c : text)
    if (c == '\n' || c == '\r' || c == '\t')
      c = ' ';
  if (text.size() > 400)
    text = text.substr(0, 400) + "...";
  return text;
}

/// Why no answer came, for a person.
std::string no_answer(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection:
      return "cannot connect (is it running?)";
    case httplib::Error::ConnectionTimeout:
      return "connecting timed out";
    case httplib::Error::Read:
      return "no answer (read failed or timed out)";
    case httplib::Error::Write:
      return "sending failed";
    default:
      return httplib::to_string(e);
  }
}

} // namespace

std::string check_registry_url(const std::string& url) {
  if (url.rfind("http://", 0) != 0)
    return "schema-registry-url: '" + url
           + "' is not http://HOST[:PORT][/PATH] (https is not supported)";
  if (url.size() == 7 || url[7] == '/' || url[7] == ':')
    return "schema-registry-url: '" + url + "' names no host";
  return {};
}

schema_registry::schema_registry(std::string url) : url_(std::move(url)) {
  while (!url_.empty() && url_.back() == '/')
    url_.pop_back();
  auto slash = url_.find('/', 7);
  origin_ = url_.substr(0, slash);
  if (slash != std::string::npos)
    path_ = url_.substr(slash);
}

binlog::expected<int32_t>
schema_registry::register_schema(const std::string& subject,
                                 const std::string& avro_schema) {
  using binlog::errc;
  httplib::Client client{origin_};
  client.set_connection_timeout(5);
  client.set_read_timeout(30);
  client.set_write_timeout(30);
  nlohmann::json body{{"schema", avro_schema}};
  // Subjects are topic names plus -key/-value: no character needs escaping.
  auto what = "schema registry " + url_ + ": subject '" + subject + "': ";
  auto res = client.Post(path_ + "/subjects/" + subject + "/versions",
                         body.dump(), "application/vnd.schemaregistry.v1+json");
  if (!res)
    return binlog::error{errc::connection, what + "cannot register the schema: "
                                             + no_answer(res.error())};
  auto answer = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status == 200 && answer.is_object() && answer.contains("id")
      && answer["id"].is_number_integer())
    return answer["id"].get<int32_t>();
  std::string message = res->body;
  if (answer.is_object() && answer.contains("message")
      && answer["message"].is_string())
    message = answer["message"].get<std::string>();
  auto code = res->status >= 500 ? errc::connection : errc::registry;
  return binlog::error{code, what + "refused (HTTP "
                               + std::to_string(res->status)
                               + "): " + one_line(message)};
}

} // namespace b2k::http
