#!/usr/bin/env bash
# Kafka refuses a write by ACL (issue 15 item 2): a broker with KRaft's
# StandardAuthorizer and a SASL/PLAIN user b2k on its own listener
# (KAFKA_PORT+2); b2k may do everything under the prefix "itest." but what
# a DENY ACL takes away:
#  1. WRITE on the data topic itest.demo.t denied: binlog2kafka stops with one
#     line naming the topic, User:b2k and the operation; the committed
#     position stays before the refused rows; the ACL removed, a restart
#     sends them;
#  2. WRITE on the commit-log topic itest.commits denied: rows still reach
#     their topics, but the first commit-log record stops it with one line
#     naming that topic (before this, it warned and ran on with a position
#     that never moved); the ACL removed, a restart goes on from the old
#     position (the rows again: at-least-once duplicates);
# then the topics, read from the start and applied by key, equal SELECT.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

SASL_PORT=$((KAFKA_PORT + 2))
SASL_USER=b2k
SASL_PASSWORD=Acl-$RANDOM$RANDOM
B2K_KAFKA_EXTRA_PROPERTIES=$(kafka_sasl_acl_properties "$SASL_PORT" "$SASL_USER" "$SASL_PASSWORD")
export B2K_KAFKA_EXTRA_PROPERTIES
write_password() { (umask 077 && printf '%s\n' "$SASL_PASSWORD" >"$STATE/kafka.password"); }
start_servers_prepared write_password

SASL=(--binlog2kafka.brokers="127.0.0.1:$SASL_PORT"
      --binlog2kafka.kafka-password-file="$STATE/kafka.password"
      '--binlog2kafka.kafka=["security.protocol=SASL_PLAINTEXT","sasl.mechanism=PLAIN","sasl.username=b2k"]')
DATA_TOPIC=$SOURCE_NAME.demo.t
COMMIT_TOPIC=$SOURCE_NAME.commits

sql <<'SQL'
CREATE TABLE demo.t (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB;
CREATE TABLE demo.u (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB;
SQL
# Everything under "itest." (topics are created by the broker on first use),
# and the cluster operations a producer needs; then take WRITE away.
kafka_acl --add --allow-principal "User:$SASL_USER" --operation All \
  --resource-pattern-type prefixed --topic "$SOURCE_NAME." --cluster
kafka_acl --add --deny-principal "User:$SASL_USER" --operation Write --topic "$DATA_TOPIC"
log "ACLs: User:$SASL_USER may do All on topics $SOURCE_NAME.* and the cluster, not WRITE $DATA_TOPIC"

# -- 1. data topic denied --------------------------------------------------------
daemon_start_ready "${SASL[@]}"
sql -e "INSERT INTO demo.u SELECT seq, 1 FROM demo.seq_1_to_20"
wait_caught_up 60
before=$(committed_position)
mark=$(wc -l <"$DAEMON_LOG")
sql -e "INSERT INTO demo.t SELECT seq, 1 FROM demo.seq_1_to_50"
sql -e "INSERT INTO demo.u SELECT seq, 2 FROM demo.seq_21_to_30"
expect_stop "$mark"
[[ $STOP_LINE == *"refused a record for topic $DATA_TOPIC: the ACLs do not allow User:$SASL_USER to WRITE and DESCRIBE topic $DATA_TOPIC (TOPIC_AUTHORIZATION_FAILED"* ]] ||
  fail "the stop line does not name the topic, the principal and the operation"
after=$(committed_position)
[[ $after == "$before" ]] || fail "the committed position moved past the refused rows: $before -> $after"
[[ $(topic_count "$DATA_TOPIC") -eq 0 ]] || fail "$DATA_TOPIC holds records although WRITE was denied"
log "ok: stopped with one line, committed position still $after"

kafka_acl --remove --deny-principal "User:$SASL_USER" --operation Write --topic "$DATA_TOPIC"
daemon_start_ready "${SASL[@]}"
wait_caught_up 60
log "ok: WRITE allowed again; the restart caught up"

# -- 2. commit-log topic denied ------------------------------------------------
kafka_acl --add --deny-principal "User:$SASL_USER" --operation Write --topic "$COMMIT_TOPIC"
before=$(committed_position)
mark=$(wc -l <"$DAEMON_LOG")
sql -e "INSERT INTO demo.t SELECT seq, 3 FROM demo.seq_51_to_80; UPDATE demo.u SET v = 3 WHERE id <= 5"
expect_stop "$mark"
[[ $STOP_LINE == *"refused the commit-log record for topic $COMMIT_TOPIC: the ACLs do not allow User:$SASL_USER to WRITE, READ and DESCRIBE topic $COMMIT_TOPIC"* ]] ||
  fail "the stop line does not name the commit-log topic, the principal and the operation"
after=$(committed_position)
[[ $after == "$before" ]] || fail "the committed position moved although its topic refused writes: $before -> $after"
log "ok: stopped with one line, committed position still $after"

kafka_acl --remove --deny-principal "User:$SASL_USER" --operation Write --topic "$COMMIT_TOPIC"
daemon_start_ready "${SASL[@]}"
sql -e "INSERT INTO demo.t VALUES (1000, 4)"
wait_caught_up 60
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with $DAEMON_RC after SIGTERM"

python3 "$ITEST_DIR/materialize.py" tables --brokers "$BROKERS" --prefix "$SOURCE_NAME" \
  --defaults-file="$MARIADB_CNF" --user="$(id -un)" demo.t demo.u ||
  fail "materialized topics differ from the tables"
log "SUMMARY kafka_acl: records t=$(topic_count "$DATA_TOPIC") u=$(topic_count "$SOURCE_NAME.demo.u") seconds=$((SECONDS - T0))"
