#define CAF_SUITE config.settings

#include "config/settings.hpp"

#include <cstdio>
#include <fstream>
#include <optional>

#include <unistd.h>

#include <caf/test/unit_test.hpp>

#include "tests/unit/fixtures.hpp"

using namespace b2k;
using b2k::test::temp_file;

namespace {

std::string message_of(const caf::error& err) {
  return describe_config_error(err);
}

/// Parses `args` and the config file holding `ini`; returns the first error
/// as the user would read it, or "" when all is well.
std::string parse(std::vector<std::string> args, const std::string& ini = "") {
  b2k_config cfg;
  std::optional<temp_file> file;
  if (!ini.empty()) {
    file.emplace(ini);
    args.push_back("--config-file=" + file->path);
  }
  std::string result;
  if (auto err = cfg.parse_command_line(args))
    result = message_of(err);
  else if (auto s = read_settings(cfg.options); !s)
    result = message_of(s.error());
  return result;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

CAF_TEST(defaults are valid) {
  CAF_CHECK_EQUAL(parse({}), "");
}

CAF_TEST(source urls) {
  binlog::connection_options conn;
  CAF_CHECK(!parse_source_url("mysql://repl@db.example:3307", conn));
  CAF_CHECK_EQUAL(conn.user, "repl");
  CAF_CHECK_EQUAL(conn.host, "db.example");
  CAF_CHECK_EQUAL(conn.port, 3307u);
  CAF_CHECK(!parse_source_url("mysql://repl@10.0.0.1", conn));
  CAF_CHECK_EQUAL(conn.port, 3306u);
  CAF_CHECK(contains(message_of(parse_source_url("postgres://x@y", conn)),
                     "must start with mysql://"));
  CAF_CHECK(
    contains(message_of(parse_source_url("mysql://host:1", conn)), "no user"));
  CAF_CHECK(contains(message_of(parse_source_url("mysql://u@h:99999", conn)),
                     "bad port"));
  // A password in the URL would show in the process list.
  CAF_CHECK(
    contains(message_of(parse_source_url("mysql://u:pw@h", conn)), "password"));
}

CAF_TEST(command line errors name the option) {
  CAF_CHECK(contains(parse({"--binlog2kafka.nmae=x"}),
                     "unknown option '--binlog2kafka.nmae=x'"));
  CAF_CHECK(contains(parse({"--binlog2kafka.server-id=abc"}),
                     "--binlog2kafka.server-id=abc"));
  CAF_CHECK(contains(parse({"--binlog2kafka.server-id=0"}),
                     "binlog2kafka.server-id: must not be 0"));
  CAF_CHECK(
    contains(parse({"--binlog2kafka.initial=middle"}), "binlog2kafka.initial"));
  CAF_CHECK(contains(parse({"--binlog2kafka.from=binlog.000001"}),
                     "binlog2kafka.from"));
  CAF_CHECK(contains(parse({"--binlog2kafka.kafka=[\"linger.ms\"]"}),
                     "binlog2kafka.kafka: 'linger.ms' is not key=value"));
  CAF_CHECK(
    contains(parse({"--binlog2kafka.source-password-file=/nonexistent"}),
             "binlog2kafka.source-password-file: cannot read"));
  CAF_CHECK(contains(parse({"--binlog2kafka.max-inflight-bytes=10"}),
                     "binlog2kafka.max-inflight-bytes"));
}

CAF_TEST(config file errors name the key) {
  CAF_CHECK_EQUAL(parse({}, "[binlog2kafka]\nname=\"orders\"\n"), "");
  CAF_CHECK(contains(parse({}, "[binlog2kafka]\nnmae=\"orders\"\n"),
                     "unknown key 'nmae' in [binlog2kafka]"));
  CAF_CHECK(contains(parse({}, "[binlog2kfka]\nname=\"orders\"\n"),
                     "unknown key 'name' in [binlog2kfka]"));
  CAF_CHECK(contains(parse({}, "[binlog2kafka]\nserver-id=\"abc\"\n"),
                     "binlog2kafka.server-id = \"abc\" is not a uint32"));
  // The file and the line that is wrong (CAF's parser says the next one).
  auto missing = parse({}, "[binlog2kafka]\nname=\nbrokers=\"x\"\n");
  CAF_CHECK(contains(missing, ": line 2: unexpected end of line"));
  CAF_CHECK(contains(missing, "/tmp/b2k-test-"));
  auto unclosed = parse({}, "[binlog2kafka]\n\nname=\"orders\nbrokers=\"x\"\n");
  CAF_CHECK(contains(unclosed, ": line 3: unexpected end of line"));
}

CAF_TEST(the password comes from a file or the environment) {
  char name[] = "/tmp/b2k-pw-XXXXXX";
  int fd = mkstemp(name);
  CAF_REQUIRE(fd >= 0);
  close(fd);
  std::ofstream{name} << "s3cret\n";
  b2k_config cfg;
  CAF_REQUIRE(!cfg.parse_command_line(
    {std::string{"--binlog2kafka.source-password-file="} + name}));
  auto s = read_settings(cfg.options);
  CAF_REQUIRE(s);
  CAF_CHECK_EQUAL(s->source.connection.password, "s3cret");
  std::remove(name);
  setenv("B2K_TEST_PASSWORD", "from-env", 1);
  b2k_config cfg2;
  CAF_REQUIRE(!cfg2.parse_command_line(
    {"--binlog2kafka.source-password-env=B2K_TEST_PASSWORD"}));
  auto s2 = read_settings(cfg2.options);
  CAF_REQUIRE(s2);
  CAF_CHECK_EQUAL(s2->source.connection.password, "from-env");
}

namespace {

caf::expected<settings> settings_of(std::vector<std::string> args) {
  b2k_config cfg;
  if (auto err = cfg.parse_command_line(args))
    return err;
  return read_settings(cfg.options);
}

} // namespace

CAF_TEST(source tls modes) {
  temp_file ca{"-----BEGIN CERTIFICATE-----\n"};
  temp_file cert{"cert"};
  temp_file key{"key"};
  auto ca_arg = "--binlog2kafka.source-tls-ca=" + ca.path;
  // Off by default: no TLS fields set.
  auto s = settings_of({});
  CAF_REQUIRE(s);
  CAF_CHECK(!s->source.connection.tls);
  CAF_CHECK(s->source.tls == tls_mode::off);
  // required: encrypted, no CA needed.
  s = settings_of({"--binlog2kafka.source-tls=required"});
  CAF_REQUIRE(s);
  CAF_CHECK(s->source.tls == tls_mode::required);
  CAF_CHECK(s->source.connection.tls);
  CAF_CHECK(!s->source.connection.tls_verify_identity);
  CAF_CHECK(s->source.connection.tls_ca.empty());
  s = settings_of({"--binlog2kafka.source-tls=verify-ca", ca_arg});
  CAF_REQUIRE(s);
  CAF_CHECK(s->source.connection.tls);
  CAF_CHECK(!s->source.connection.tls_verify_identity);
  CAF_CHECK_EQUAL(s->source.connection.tls_ca, ca.path);
  s = settings_of({"--binlog2kafka.source-tls=verify-identity", ca_arg,
                   "--binlog2kafka.source-tls-cert=" + cert.path,
                   "--binlog2kafka.source-tls-key=" + key.path});
  CAF_REQUIRE(s);
  CAF_CHECK(s->source.tls == tls_mode::verify_identity);
  CAF_CHECK(s->source.connection.tls_verify_identity);
  CAF_CHECK_EQUAL(s->source.connection.tls_cert, cert.path);
  CAF_CHECK_EQUAL(s->source.connection.tls_key, key.path);
  // In a config file too.
  CAF_CHECK_EQUAL(parse({},
                        "[binlog2kafka]\nsource-tls=\"verify-identity\"\n"
                        "source-tls-ca=\""
                          + ca.path + "\"\n"),
                  "");
}

CAF_TEST(source tls errors name the key) {
  temp_file ca{"ca"};
  temp_file cert{"cert"};
  auto ca_arg = "--binlog2kafka.source-tls-ca=" + ca.path;
  CAF_CHECK(contains(parse({"--binlog2kafka.source-tls=yes"}),
                     "binlog2kafka.source-tls: must be off, required, "
                     "verify-ca or verify-identity, not 'yes'"));
  // Verifying needs a CA.
  CAF_CHECK(
    contains(parse({"--binlog2kafka.source-tls=verify-ca"}),
             "binlog2kafka.source-tls-ca: source-tls = verify-ca needs"));
  CAF_CHECK(
    contains(parse({"--binlog2kafka.source-tls=verify-identity"}),
             "binlog2kafka.source-tls-ca: source-tls = verify-identity"));
  // Files while TLS is off would give a false sense of security.
  CAF_CHECK(contains(parse({ca_arg}), "binlog2kafka.source-tls: is off, but"));
  CAF_CHECK(
    contains(parse({"--binlog2kafka.source-tls=required",
                    "--binlog2kafka.source-tls-ca=/nonexistent/ca.pem"}),
             "binlog2kafka.source-tls-ca: cannot read "
             "'/nonexistent/ca.pem'"));
  CAF_CHECK(contains(parse({"--binlog2kafka.source-tls=required",
                            "--binlog2kafka.source-tls-ca=/tmp"}),
                     "binlog2kafka.source-tls-ca: cannot read '/tmp'"));
  // A certificate without its key and the other way round.
  CAF_CHECK(contains(parse({"--binlog2kafka.source-tls=verify-ca", ca_arg,
                            "--binlog2kafka.source-tls-cert=" + cert.path}),
                     "binlog2kafka.source-tls-key: source-tls-cert and "
                     "source-tls-key go together"));
  CAF_CHECK(contains(parse({"--binlog2kafka.source-tls=verify-ca", ca_arg,
                            "--binlog2kafka.source-tls-key=" + cert.path}),
                     "binlog2kafka.source-tls-cert: source-tls-cert and"));
  CAF_CHECK(contains(parse({}, "[binlog2kafka]\nsource-tls=1\n"),
                     "binlog2kafka.source-tls = 1 is not a"));
}

CAF_TEST(the kafka password comes from a file or the environment) {
  temp_file pw{"kafka-s3cret\n"};
  auto has = [](const settings& s, const std::string& kv) {
    for (auto& [k, v] : s.kafka.properties)
      if (k + "=" + v == kv)
        return true;
    return false;
  };
  unsetenv("BINLOG2KAFKA_KAFKA_PASSWORD");
  auto s = settings_of({});
  CAF_REQUIRE(s);
  CAF_CHECK(s->kafka.properties.empty());
  s = settings_of({"--binlog2kafka.kafka-password-file=" + pw.path});
  CAF_REQUIRE(s);
  CAF_CHECK(has(*s, "sasl.password=kafka-s3cret"));
  // The default variable, and another one by name; an empty one is unset.
  setenv("BINLOG2KAFKA_KAFKA_PASSWORD", "from-env", 1);
  s = settings_of({"--binlog2kafka.kafka=[\"sasl.username=b2k\"]"});
  CAF_REQUIRE(s);
  CAF_CHECK(has(*s, "sasl.password=from-env"));
  CAF_CHECK(has(*s, "sasl.username=b2k"));
  // The file wins over the variable.
  s = settings_of({"--binlog2kafka.kafka-password-file=" + pw.path});
  CAF_REQUIRE(s);
  CAF_CHECK(has(*s, "sasl.password=kafka-s3cret"));
  CAF_CHECK(!has(*s, "sasl.password=from-env"));
  unsetenv("BINLOG2KAFKA_KAFKA_PASSWORD");
  setenv("B2K_TEST_KAFKA_PW", "other", 1);
  s = settings_of({"--binlog2kafka.kafka-password-env=B2K_TEST_KAFKA_PW"});
  CAF_REQUIRE(s);
  CAF_CHECK(has(*s, "sasl.password=other"));
  setenv("B2K_TEST_KAFKA_PW", "", 1);
  s = settings_of({"--binlog2kafka.kafka-password-env=B2K_TEST_KAFKA_PW"});
  CAF_REQUIRE(s);
  CAF_CHECK(s->kafka.properties.empty());
  unsetenv("B2K_TEST_KAFKA_PW");
  // Errors name the key; a password given twice is refused.
  CAF_CHECK(contains(parse({"--binlog2kafka.kafka-password-file=/nonexistent"}),
                     "binlog2kafka.kafka-password-file: cannot read "
                     "'/nonexistent'"));
  CAF_CHECK(contains(parse({"--binlog2kafka.kafka-password-file=/tmp"}),
                     "binlog2kafka.kafka-password-file: cannot read '/tmp'"));
  auto twice = parse({"--binlog2kafka.kafka-password-file=" + pw.path,
                      "--binlog2kafka.kafka=[\"sasl.password=x\"]"});
  CAF_CHECK(contains(twice,
                     "binlog2kafka.kafka: sasl.password is set here "
                     "and by kafka-password-file: keep one"));
  // The message never holds the password.
  CAF_CHECK(!contains(twice, "kafka-s3cret"));
}

CAF_TEST(config errors do not show secrets) {
  // A value of the wrong type is named, but not shown when it may hold a
  // password: config errors go to logs and journals.
  auto err = parse({}, "[binlog2kafka]\nkafka = \"sasl.password=hunter2\"\n");
  CAF_CHECK(contains(err, "binlog2kafka.kafka = (value not shown"));
  CAF_CHECK(!contains(err, "hunter2"));
  CAF_CHECK(contains(parse({}, "[binlog2kafka]\nkafka = \"linger.ms=5\"\n"),
                     "binlog2kafka.kafka = \"linger.ms=5\" is not a"));
  err = parse({"--binlog2kafka.server-id=Password-hunter2"});
  CAF_CHECK(contains(err, "'--binlog2kafka.server-id=(value not shown"));
  CAF_CHECK(!contains(err, "hunter2"));
}

CAF_TEST(the scheduler shares by default and the file can change it) {
  auto policy_of = [](std::vector<std::string> args) {
    b2k_config cfg;
    CAF_REQUIRE(!cfg.parse_command_line(args));
    return caf::get_or(cfg, "scheduler.policy", caf::atom("unset"));
  };
  CAF_CHECK_EQUAL(policy_of({}), caf::atom("sharing"));
  CAF_CHECK_EQUAL(policy_of({"--scheduler.policy=stealing"}),
                  caf::atom("stealing"));
  CAF_CHECK_EQUAL(parse({}, "[scheduler]\npolicy='stealing'\n"), "");
}
