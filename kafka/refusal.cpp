#include "kafka/refusal.hpp"

namespace b2k::kafka {

namespace {

std::string property(const property_list& properties, const std::string& key) {
  std::string value;
  for (auto& [k, v] : properties)
    if (k == key)
      value = v; // the last one wins, as in librdkafka
  return value;
}

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return s;
}

} // namespace

std::string principal_of(const property_list& properties) {
  auto protocol = lower(property(properties, "security.protocol"));
  if (protocol.rfind("sasl", 0) == 0) {
    auto mechanism = property(properties, "sasl.mechanism");
    if (mechanism.empty())
      mechanism = property(properties, "sasl.mechanisms");
    if (mechanism.empty() || mechanism == "GSSAPI")
      return "the Kerberos principal of sasl.kerberos.principal";
    if (mechanism == "OAUTHBEARER")
      return "the OAUTHBEARER token's principal";
    auto user = property(properties, "sasl.username");
    return "User:" + (user.empty() ? std::string{"(no sasl.username)"} : user);
  }
  if (protocol == "ssl")
    return "the principal of the client certificate (by default "
           "User:<its subject>)";
  return "User:ANONYMOUS";
}

bool is_missing_topic(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
      return true;
    default:
      return false;
  }
}

std::string describe_refusal(rd_kafka_resp_err_t err, const std::string& topic,
                             refused_record what, bool seen,
                             const std::string& brokers,
                             const property_list& properties) {
  bool commit = what == refused_record::commit_log;
  auto subject = commit ? "the commit-log record for topic " + topic
                        : "a record for topic " + topic;
  // What a restart does, the same for every cause.
  auto after = commit
                 ? std::string{" (the commit log keeps the position before; "
                               "fix the cause and restart: what followed it "
                               "is sent again)"}
                 : std::string{" (nothing after it is committed; fix the "
                               "cause and restart)"};
  std::string text = rd_kafka_err2str(err);
  // librdkafka's name for it and its text: "TOPIC_AUTHORIZATION_FAILED:
  // Broker: Topic authorization failed".
  std::string code = std::string{rd_kafka_err2name(err)} + ": " + text;
  switch (err) {
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED: {
      auto principal = principal_of(properties);
      auto user = principal.rfind("User:", 0) == 0 ? principal
                                                   : std::string{"User:NAME"};
      auto operations = commit ? std::string{"WRITE, READ and DESCRIBE"}
                               : std::string{"WRITE and DESCRIBE"};
      auto flags = commit ? std::string{" --operation Write --operation Read "
                                        "--operation Describe"}
                          : std::string{" --operation Write --operation "
                                        "Describe"};
      return "Kafka at " + brokers + " refused " + subject + ": the ACLs do "
             + "not allow " + principal + " to " + operations + " topic "
             + topic + " (" + code + "); allow it, e.g. kafka-acls.sh "
             + "--bootstrap-server " + brokers + " --add --allow-principal "
             + user + flags + " --topic " + topic + after;
    }
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
      return "Kafka at " + brokers + " refused " + subject + ": the ACLs do "
             + "not allow " + principal_of(properties)
             + " IDEMPOTENT_WRITE on the cluster, which the idempotent "
               "producer needs on brokers before Kafka 3.0 ("
             + code + "); allow it (kafka-acls.sh --add --allow-principal "
             + "... --operation IdempotentWrite --cluster)" + after;
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
      return "Kafka at " + brokers + " refused " + subject + ": the ACLs do "
             + "not allow " + principal_of(properties)
             + " to WRITE and DESCRIBE its transactional.id (" + code
             + "); allow it (kafka-acls.sh --add --allow-principal ... "
               "--operation Write --operation Describe --transactional-id "
               "ID)"
             + after;
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
      return "Kafka at " + brokers + " could not store " + subject
             + ": the broker's log directory failed (" + code
             + ": a full or broken disk; its log says which); free space or "
               "replace the disk, restart the broker"
             + after;
    default:
      break;
  }
  if (is_missing_topic(err) || (err == RD_KAFKA_RESP_ERR__DESTROY && seen)) {
    if (seen)
      return "topic " + topic + " disappeared while binlog2kafka wrote to it "
             + "(deleted? " + text + "): " + subject
             + " was not delivered, and what the topic held is gone; create "
               "it again (or let the broker: auto.create.topics.enable) and "
               "restart"
             + (commit ? std::string{}
                       : std::string{", then snapshot its table again to "
                                     "refill it"})
             + after;
    return "topic " + topic + " does not exist and was not created (" + text
           + "; create it, or let the broker create topics: "
             "auto.create.topics.enable)"
           + after;
  }
  return subject + " was not delivered: " + text + after;
}

} // namespace b2k::kafka
