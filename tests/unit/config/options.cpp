#define CAF_SUITE config.options

// The options model: the commands' help, dump's and snapshot's command
// lines, the config file as every command reads it, and the modes.

#include "config/options.hpp"

#include <cstdio>
#include <fstream>
#include <set>

#include <unistd.h>

#include <caf/test/unit_test.hpp>

#include "config/settings.hpp"
#include "tests/unit/fixtures.hpp"

using namespace b2k;
using b2k::test::temp_file;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Help text with its lines joined: what a wrapped line says.
std::string joined(const std::string& text) {
  std::string result;
  for (auto c : text)
    if (c != '\n' && c != ' ')
      result.push_back(c);
    else if (result.empty() || result.back() != ' ')
      result.push_back(' ');
  return result;
}

std::string short_error(command cmd, std::vector<std::string> args) {
  raw_options o;
  if (auto err = parse_short_options(cmd, args, o))
    return describe_config_error(err);
  return "";
}

} // namespace

CAF_TEST(every option has a key a group and help) {
  std::set<std::string_view> keys;
  for (auto& spec : option_specs()) {
    CAF_CHECK(!spec.key.empty());
    CAF_CHECK(!spec.help.empty());
    CAF_CHECK(!spec.value.empty());
    CAF_CHECK_NOT_EQUAL(spec.takes, 0u);
    CAF_CHECK(keys.insert(spec.key).second); // once
  }
}

CAF_TEST(run help shows our options grouped and CAF options only when long) {
  b2k_config cfg;
  auto help = help_text(command::run, false, &cfg.option_set());
  // Grouped, in this order.
  auto source = help.find("\nsource:\n");
  auto kafka = help.find("\nKafka:\n");
  auto records = help.find("\nrecords:\n");
  auto delivery = help.find("\ndelivery:\n");
  auto operations = help.find("\noperations:\n");
  CAF_REQUIRE(source != std::string::npos);
  CAF_CHECK(source < kafka && kafka < records && records < delivery
            && delivery < operations && operations != std::string::npos);
  // Every option of the config file, with its default.
  for (auto& spec : option_specs())
    if (spec.taken_by(command::run))
      CAF_CHECK(
        contains(help, "--binlog2kafka." + std::string{spec.key} + "="));
  CAF_CHECK(contains(joined(help), "(default: 4242)"));
  CAF_CHECK(contains(help, "--config-file=FILE"));
  CAF_CHECK(contains(help, "print this help to stdout"));
  CAF_CHECK(!contains(help, "STDERR"));
  CAF_CHECK(!contains(help, "--scheduler.policy"));
  CAF_CHECK(!contains(help, "--middleman."));
  auto long_help = help_text(command::run, true, &cfg.option_set());
  CAF_CHECK(contains(long_help, "--scheduler.policy"));
  CAF_CHECK(contains(long_help, "--logger."));
  // Ours first.
  CAF_CHECK(long_help.find("--binlog2kafka.name=")
            < long_help.find("--scheduler.policy"));
}

CAF_TEST(each command shows the options it takes) {
  auto dump = help_text(command::dump);
  CAF_CHECK(contains(dump, "usage: binlog2kafka dump --file=FILE"));
  CAF_CHECK(contains(dump, "  --file=FILE"));
  CAF_CHECK(contains(dump, "  --include-tables=RE"));
  CAF_CHECK(contains(joined(dump), "(default: 4243)")); // not the pipeline's
  CAF_CHECK(!contains(dump, "--binlog2kafka."));
  CAF_CHECK(!contains(dump, "--brokers"));
  auto position = help_text(command::position);
  CAF_CHECK(contains(position, "--binlog2kafka.brokers="));
  CAF_CHECK(contains(position, "--binlog2kafka.commit-topic="));
  CAF_CHECK(!contains(position, "--binlog2kafka.source="));
  auto node = help_text(command::reader_node);
  CAF_CHECK(contains(node, "--binlog2kafka.reader-node-listen="));
  CAF_CHECK(contains(node, "--binlog2kafka.source="));
  CAF_CHECK(!contains(node, "--binlog2kafka.brokers="));
  auto snapshot = help_text(command::snapshot);
  CAF_CHECK(contains(snapshot, "--tables=RE"));
  CAF_CHECK(contains(snapshot, "--wait=true|false"));
  CAF_CHECK(contains(snapshot, "\nsnapshot:\n"));
}

CAF_TEST(help flags) {
  for (auto arg : {"--help", "-h", "-?", "--long-help"})
    CAF_CHECK(is_help_flag(arg));
  CAF_CHECK(!is_help_flag("--helpful"));
  CAF_CHECK(!is_help_flag("help"));
}

CAF_TEST(commands by name) {
  for (auto cmd : {command::run, command::dump, command::position,
                   command::reader_node, command::snapshot, command::version})
    CAF_CHECK(parse_command(to_string(cmd)) == cmd);
  CAF_CHECK(!parse_command("frobnicate"));
  CAF_CHECK(parse_command("reader-node") == command::reader_node);
}

CAF_TEST(dump takes a list option once per value) {
  raw_options o;
  std::vector<std::string> given;
  CAF_REQUIRE(!parse_short_options(
    command::dump,
    {"--file=a.bin", "--file=b.bin", "--include-tables=shop\\..*",
     "--include-tables=other\\.t", "--tombstones=false", "--server-id=77",
     "--password-file=/run/pw", "--from=binlog.000002:4"},
    o, &given));
  CAF_CHECK_EQUAL(o.file, std::vector<std::string>({"a.bin", "b.bin"}));
  CAF_CHECK_EQUAL(o.include_tables,
                  std::vector<std::string>({"shop\\..*", "other\\.t"}));
  CAF_CHECK(!o.tombstones);
  CAF_CHECK_EQUAL(o.server_id, 77u);
  CAF_CHECK_EQUAL(o.source_password_file, "/run/pw");
  CAF_CHECK_EQUAL(o.from, "binlog.000002:4");
  CAF_CHECK(o.include_system_schemas); // dump shows every schema
  CAF_CHECK(std::count(given.begin(), given.end(), "file") == 2);
  CAF_CHECK(std::count(given.begin(), given.end(), "source") == 0);
}

CAF_TEST(dump has its own defaults) {
  raw_options o;
  CAF_REQUIRE(!parse_short_options(command::dump, {"--file=x"}, o));
  CAF_CHECK_EQUAL(o.server_id, defaults::dump_server_id);
  CAF_CHECK(o.source.empty()); // no server unless named
  CAF_CHECK(o.tombstones);
  CAF_CHECK_EQUAL(o.schema_topic, "{prefix}");
  // A bare boolean sets it.
  CAF_REQUIRE(!parse_short_options(command::dump,
                                   {"--tombstones=false", "--tombstones"}, o));
  CAF_CHECK(o.tombstones);
}

CAF_TEST(dump and snapshot read the config file of run) {
  temp_file ini{
    "[binlog2kafka]\nname = \"orders\"\nserver-id = 4242\n"
    "source = \"mysql://b2k@db:3306\"\nbrokers = \"k:9092\"\n"
    "include-tables = [\"shop\\\\..*\"]\n"
    "[scheduler]\npolicy = 'sharing'\n"};
  raw_options o;
  CAF_REQUIRE(!parse_short_options(
    command::dump, {"--config-file=" + ini.path, "--tombstones=false"}, o));
  CAF_CHECK_EQUAL(o.name, "orders");
  CAF_CHECK_EQUAL(o.source, "mysql://b2k@db:3306");
  CAF_CHECK_EQUAL(o.include_tables, std::vector<std::string>({"shop\\..*"}));
  CAF_CHECK(!o.tombstones);
  // Not the pipeline's server id: dump reads beside it.
  CAF_CHECK_EQUAL(o.server_id, defaults::dump_server_id);
  // The command line wins over the file, a list as a whole.
  CAF_REQUIRE(!parse_short_options(
    command::dump,
    {"--include-tables=a\\.b", "--config-file=" + ini.path, "--server-id=9"},
    o));
  CAF_CHECK_EQUAL(o.include_tables, std::vector<std::string>({"a\\.b"}));
  CAF_CHECK_EQUAL(o.server_id, 9u);
  // snapshot: the form of issue 12.
  CAF_REQUIRE(
    !parse_short_options(command::snapshot,
                         {"--config-file=" + ini.path, "--tables=shop\\.orders",
                          "--tables=shop\\.items", "--wait"},
                         o));
  CAF_CHECK_EQUAL(o.name, "orders");
  CAF_CHECK_EQUAL(o.brokers, "k:9092");
  CAF_CHECK_EQUAL(o.tables,
                  std::vector<std::string>({"shop\\.orders", "shop\\.items"}));
  CAF_CHECK(o.wait);
}

CAF_TEST(dump errors name the argument) {
  CAF_CHECK(contains(short_error(command::dump, {"--bogus"}),
                     "dump: unknown option '--bogus'"));
  CAF_CHECK(contains(short_error(command::dump, {"file.bin"}),
                     "dump: unexpected argument 'file.bin'"));
  // Options of other commands are not dump's.
  CAF_CHECK(contains(short_error(command::dump, {"--brokers=x:1"}),
                     "unknown option '--brokers=x:1'"));
  CAF_CHECK(contains(short_error(command::dump, {"--tables=x"}),
                     "unknown option '--tables=x'"));
  CAF_CHECK(contains(short_error(command::dump, {"--server-id=abc"}),
                     "invalid value in '--server-id=abc' (not a uint32)"));
  CAF_CHECK(contains(short_error(command::dump, {"--tombstones=maybe"}),
                     "'--tombstones=maybe' (true or false)"));
  CAF_CHECK(contains(short_error(command::dump, {"--file"}),
                     "missing value in '--file'"));
  CAF_CHECK(contains(short_error(command::dump, {"--config-file=/nonexistent"}),
                     "cannot read config file \"/nonexistent\": No such file"));
}

CAF_TEST(config file errors say why and where) {
  auto run_error = [](const std::vector<std::string>& args) {
    b2k_config cfg;
    auto err = cfg.parse_command_line(args);
    return err ? describe_config_error(err) : std::string{};
  };
  CAF_CHECK_EQUAL(run_error({"--config-file=/nonexistent.ini"}),
                  "cannot read config file \"/nonexistent.ini\": No such file "
                  "or directory");
  CAF_CHECK_EQUAL(run_error({"--config-file=/tmp"}),
                  "cannot read config file \"/tmp\": Is a directory");
  temp_file unclosed{"[binlog2kafka]\nname = \"orders\nbrokers = \"x\"\n"};
  CAF_CHECK(contains(run_error({"--config-file=" + unclosed.path}),
                     unclosed.path + ": line 2: unexpected end of line"));
  temp_file unknown{"[binlog2kafka]\n\nbogus-key = 1\n"};
  CAF_CHECK(contains(run_error({"--config-file=" + unknown.path}),
                     unknown.path + ": unknown key 'bogus-key'"));
  temp_file group{"[binlog2kafka]\nname = \"x\"\n[schedular]\npolicy = 'a'\n"};
  CAF_CHECK(contains(run_error({"--config-file=" + group.path}),
                     "unknown key 'policy' in [schedular]"));
}

CAF_TEST(the config file read and options given are known) {
  temp_file ini{"[binlog2kafka]\nname = \"orders\"\n"};
  b2k_config with_file;
  CAF_REQUIRE(!with_file.parse_command_line({"--config-file=" + ini.path}));
  CAF_CHECK_EQUAL(with_file.config_file(), ini.path);
  CAF_CHECK(!with_file.options_given());
  CAF_CHECK_EQUAL(with_file.options.name, "orders");
  b2k_config bare;
  CAF_REQUIRE(!bare.parse_command_line({}));
  // (No caf-application.ini in the test's working directory.)
  CAF_CHECK_EQUAL(bare.config_file(), "");
  CAF_CHECK(!bare.options_given());
  b2k_config with_options;
  CAF_REQUIRE(!with_options.parse_command_line({"--binlog2kafka.name=x"}));
  CAF_CHECK(with_options.options_given());
}

CAF_TEST(modes are parsed once and printed back) {
  for (auto text : {"end", "start"})
    CAF_CHECK_EQUAL(to_string(*parse_initial_position(text)), text);
  for (auto text : {"at-least-once", "exactly-once"})
    CAF_CHECK_EQUAL(to_string(*parse_delivery_mode(text)), text);
  for (auto text : {"auto", "position", "gtid"})
    CAF_CHECK_EQUAL(to_string(*parse_resume_mode(text)), text);
  for (auto text : {"off", "required", "verify-ca", "verify-identity"})
    CAF_CHECK_EQUAL(to_string(*parse_tls_mode(text)), text);
  CAF_CHECK(!parse_delivery_mode("exactly_once"));
  CAF_CHECK_EQUAL(mode_choices<resume_mode>(), "auto, position or gtid");
  CAF_CHECK_EQUAL(mode_choices<initial_position>(), "end or start");
  // In the settings, as enums.
  b2k_config cfg;
  CAF_REQUIRE(!cfg.parse_command_line({"--binlog2kafka.delivery=exactly-once",
                                       "--binlog2kafka.initial=start",
                                       "--binlog2kafka.resume-by=gtid"}));
  auto s = read_settings(cfg.options);
  CAF_REQUIRE(s);
  CAF_CHECK(s->kafka.delivery == delivery_mode::exactly_once);
  CAF_CHECK(s->kafka.exactly_once());
  CAF_CHECK(s->source.initial == initial_position::start);
  CAF_CHECK(s->source.resume_by == resume_mode::gtid);
  CAF_CHECK_EQUAL(s->kafka.commit_topic, "binlog2kafka.commits");
  CAF_CHECK_EQUAL(s->transactional_id(), "binlog2kafka.binlog2kafka");
}

CAF_TEST(dump names its keys with two dashes) {
  raw_options o;
  CAF_REQUIRE(!parse_short_options(
    command::dump, {"--source=mysql://u:pw@h", "--exclude-tables=("}, o));
  auto s = read_settings(o, "--");
  CAF_REQUIRE(!s);
  CAF_CHECK(contains(describe_config_error(s.error()),
                     "--source: the URL holds a password"));
}
