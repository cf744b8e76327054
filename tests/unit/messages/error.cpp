#define CAF_SUITE messages.error

// The mapping of binlog errors onto the pipeline's: which ones the
// supervisor retries (a dropped connection) and which stop the pipeline
// with their message.

#include "messages/error.hpp"

#include <caf/test/unit_test.hpp>

using namespace b2k;

namespace {

ec code_of(const caf::error& err) {
  CAF_REQUIRE_EQUAL(err.category(), caf::atom("b2k"));
  return static_cast<ec>(err.code());
}

} // namespace

CAF_TEST(binlog errors map onto the pipeline codes) {
  using binlog::errc;
  std::pair<errc, ec> cases[] = {
    {errc::io, ec::source_unavailable},
    {errc::connection, ec::source_unavailable},
    {errc::server_config, ec::source_config},
    {errc::access_denied, ec::source_access_denied},
    {errc::locked, ec::source_locked},
    {errc::position_purged, ec::position_purged},
    {errc::bad_magic, ec::corrupt_binlog},
    {errc::truncated, ec::corrupt_binlog},
    {errc::checksum_mismatch, ec::corrupt_binlog},
    {errc::corrupt_event, ec::corrupt_binlog},
    {errc::unknown_table, ec::corrupt_binlog},
    {errc::unsupported, ec::corrupt_binlog},
  };
  for (auto [from, to] : cases) {
    auto err = make_error(binlog::error{from, "what happened"});
    CAF_CHECK_EQUAL(to_string(code_of(err)), to_string(to));
    // The message travels with it: the user reads it.
    CAF_REQUIRE(err.context().match_elements<std::string>());
    CAF_CHECK_EQUAL(err.context().get_as<std::string>(0), "what happened");
  }
}

CAF_TEST(no binlog error is no error) {
  CAF_CHECK(!make_error(binlog::error{}));
}

CAF_TEST(only a lost source is retried) {
  CAF_CHECK(!is_fatal(ec::none));
  CAF_CHECK(!is_fatal(ec::source_unavailable));
  for (auto code : {ec::config, ec::source_config, ec::source_access_denied,
                    ec::source_locked, ec::position_purged, ec::corrupt_binlog,
                    ec::delivery_failed, ec::kafka, ec::commit_log})
    CAF_CHECK(is_fatal(code));
}

CAF_TEST(every code has a name) {
  for (uint8_t i = 0; i <= static_cast<uint8_t>(ec::commit_log); ++i)
    CAF_CHECK_NOT_EQUAL(std::string{to_string(static_cast<ec>(i))}, "unknown");
}
