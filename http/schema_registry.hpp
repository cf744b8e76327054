#pragma once

// A client of a Confluent-compatible schema registry's REST API (Confluent
// Schema Registry, Apicurio Registry's /apis/ccompat/v7, ...): registers
// the Avro schemas of the avro record format.

#include <string>

#include "binlog/avro.hpp"
#include "binlog/error.hpp"

namespace b2k::http {

class schema_registry final : public binlog::avro::registry {
public:
  /// `url` is the API's base, e.g. "http://127.0.0.1:8081" or
  /// "http://127.0.0.1:8080/apis/ccompat/v7"; check_registry_url says
  /// whether it is usable.
  explicit schema_registry(std::string url);

  /// POST <url>/subjects/<subject>/versions. One-line errors naming the
  /// registry, the subject and its answer: errc::connection when it
  /// cannot be reached or fails (HTTP 5xx), errc::registry when it refuses
  /// the schema (HTTP 4xx: incompatible, invalid, unauthorized).
  binlog::expected<int32_t>
  register_schema(const std::string& subject,
                  const std::string& avro_schema) override;

private:
  std::string url_;
  std::string origin_; // scheme://host:port
  std::string path_;   // the base path, without a trailing '/'
};

/// What is wrong with `url` as a schema-registry-url, or "" if nothing:
/// it must be http://HOST[:PORT][/PATH].
std::string check_registry_url(const std::string& url);

} // namespace b2k::http
