#define CAF_SUITE binlog.connect_failure

#include "binlog/connect_failure.hpp"

#include <cerrno>

#include <caf/test/unit_test.hpp>

using binlog::connect_failure_reason;

namespace {

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

CAF_TEST(an unreachable server is named in words) {
  auto refused = connect_failure_reason(
    2003, "Can't connect to server on '127.0.0.1' (111)", "127.0.0.1", 1);
  CAF_CHECK(starts_with(refused,
                        "connection refused: nothing listens on "
                        "127.0.0.1:1"));
  CAF_CHECK(
    starts_with(connect_failure_reason(
                  2003, "Can't connect to server on 'db' (110)", "db", 3306),
                "timed out: no answer from db:3306"));
  CAF_CHECK_EQUAL(connect_failure_reason(
                    2003, "Can't connect to server on 'db' (113)", "db", 3306),
                  "no route to host db:3306");
  CAF_CHECK(
    starts_with(connect_failure_reason(
                  2003, "Can't connect to server on 'db' (101)", "db", 3306),
                "network unreachable"));
  CAF_CHECK(starts_with(
    connect_failure_reason(2005, "Unknown server host 'dbb' (-2)", "dbb", 3306),
    "unknown host"));
}

// Connector/C's non-blocking connect reports EINPROGRESS (115) for a refused
// connection as for a timeout: a connect of our own tells them apart.
CAF_TEST(an ambiguous error is probed) {
  CAF_CHECK_EQUAL(binlog::probe_tcp("127.0.0.1", 1, std::chrono::seconds(3)),
                  ECONNREFUSED);
  CAF_CHECK(starts_with(
    connect_failure_reason(2003, "Can't connect to server on '127.0.0.1' (115)",
                           "127.0.0.1", 1),
    "connection refused: nothing listens on 127.0.0.1:1"));
}

CAF_TEST(other errors get no reason) {
  CAF_CHECK_EQUAL(
    connect_failure_reason(1045,
                           "Access denied for user 'b2k'@'localhost' (using "
                           "password: YES)",
                           "db", 3306),
    "");
  CAF_CHECK_EQUAL(connect_failure_reason(2003, "no number here", "db", 3306),
                  "");
}
