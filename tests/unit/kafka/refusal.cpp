#define CAF_SUITE kafka.refusal

// The one line for a record Kafka refused for good: it names the topic, the
// principal and the ACL operation, a deleted topic, or the broker's disk.

#include "kafka/refusal.hpp"

#include <string>

#include <caf/test/unit_test.hpp>

using namespace b2k::kafka;

namespace {

const property_list sasl_plain = {{"security.protocol", "SASL_PLAINTEXT"},
                                  {"sasl.mechanism", "PLAIN"},
                                  {"sasl.username", "b2k"},
                                  {"sasl.password", "secret-pw"}};

bool has(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos)
    return true;
  CAF_MESSAGE("'" << part << "' not in: " << text);
  return false;
}

} // namespace

CAF_TEST(the principal comes from the security settings) {
  CAF_CHECK_EQUAL(principal_of(sasl_plain), "User:b2k");
  CAF_CHECK_EQUAL(principal_of({{"security.protocol", "sasl_ssl"},
                                {"sasl.mechanisms", "SCRAM-SHA-256"},
                                {"sasl.username", "a"},
                                {"sasl.username", "b"}}),
                  "User:b");
  CAF_CHECK_EQUAL(principal_of({}), "User:ANONYMOUS");
  CAF_CHECK(
    has(principal_of({{"security.protocol", "SSL"}}), "client certificate"));
  CAF_CHECK(has(principal_of({{"security.protocol", "SASL_SSL"},
                              {"sasl.mechanism", "GSSAPI"}}),
                "Kerberos"));
}

CAF_TEST(a denied data topic names principal operation and topic) {
  auto line = describe_refusal(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                               "itest.demo.t", refused_record::data, false,
                               "127.0.0.1:9094", sasl_plain);
  CAF_CHECK(has(line, "refused a record for topic itest.demo.t"));
  CAF_CHECK(has(line,
                "not allow User:b2k to WRITE and DESCRIBE topic "
                "itest.demo.t (TOPIC_AUTHORIZATION_FAILED: Broker: Topic "
                "authorization failed)"));
  CAF_CHECK(has(line,
                "--allow-principal User:b2k --operation Write "
                "--operation Describe --topic itest.demo.t"));
  CAF_CHECK(has(line, "nothing after it is committed"));
  CAF_CHECK(line.find("secret-pw") == std::string::npos);
  CAF_CHECK(line.find('\n') == std::string::npos);
}

CAF_TEST(a denied commit log asks for READ too) {
  auto line = describe_refusal(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                               "itest.commits", refused_record::commit_log,
                               true, "b:1", sasl_plain);
  CAF_CHECK(has(line, "refused the commit-log record for topic itest.commits"));
  CAF_CHECK(has(line, "WRITE, READ and DESCRIBE topic itest.commits"));
  CAF_CHECK(has(line, "--operation Read"));
  CAF_CHECK(has(line, "the commit log keeps the position before"));
}

CAF_TEST(a topic that went away is told from one never created) {
  auto deleted = describe_refusal(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
                                  "itest.demo.t", refused_record::data, true,
                                  "b:1", {});
  CAF_CHECK(has(deleted,
                "topic itest.demo.t disappeared while binlog2kafka "
                "wrote to it (deleted?"));
  CAF_CHECK(has(deleted, "snapshot its table again"));
  // In-flight records of a removed partition fail as destroyed.
  auto destroyed = describe_refusal(RD_KAFKA_RESP_ERR__DESTROY, "x.t",
                                    refused_record::data, true, "b:1", {});
  CAF_CHECK(has(destroyed, "topic x.t disappeared"));
  auto never = describe_refusal(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, "x.t",
                                refused_record::data, false, "b:1", {});
  CAF_CHECK(has(never, "topic x.t does not exist and was not created"));
  CAF_CHECK(has(never, "auto.create.topics.enable"));
  CAF_CHECK(never.find("disappeared") == std::string::npos);
}

CAF_TEST(a failed log directory names the disk) {
  auto line = describe_refusal(RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR, "x.t",
                               refused_record::data, true, "b:1", {});
  CAF_CHECK(has(line, "log directory failed (KAFKA_STORAGE_ERROR"));
  CAF_CHECK(has(line, "full or broken disk"));
}

CAF_TEST(other errors keep librdkafka text) {
  auto line = describe_refusal(RD_KAFKA_RESP_ERR_INVALID_RECORD, "x.t",
                               refused_record::data, true, "b:1", {});
  CAF_CHECK(has(line, "a record for topic x.t was not delivered: "));
  CAF_CHECK(has(line, rd_kafka_err2str(RD_KAFKA_RESP_ERR_INVALID_RECORD)));
}
