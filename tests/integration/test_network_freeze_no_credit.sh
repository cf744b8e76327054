#!/usr/bin/env bash
# A silent MariaDB (blackholed by tcp_proxy.py, failure mode 4) while the
# reader waits for credit because Kafka is down (failure mode 13): once
# /metrics shows the credit used up (credit_in_use_bytes at
# max-inflight-bytes; the test fails if that never happens), the reader
# is not in a binlog read then, only its source-lock keep-alive talks to the
# server, and that connection has the same read timeout as the binlog's. The
# reader must notice within read-timeout (5 s here, 20 s allowed) and log a
# reconnection attempt; after heal and the broker's return, nothing may be
# missing.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
faults_trap

PROXY_LISTEN=${B2K_ITEST_PROXY_PORT:-$((MARIADB_PORT + 1))}
NOTICE_LIMIT=20
INFLIGHT=1048576
kafka_ctl() { server_env "$B2K_SOURCE_DIR/deploy/kafka.sh" "$@"; }
attempt_lines() { grep -c 'reconnecting in' "$DAEMON_LOG" || true; }

start_servers
workload_setup
proxy_start "$PROXY_LISTEN"
daemon_start_ready --binlog2kafka.source="mysql://b2k@127.0.0.1:$PROXY_LISTEN" \
  --binlog2kafka.heartbeat=1s --binlog2kafka.read-timeout=5s \
  --binlog2kafka.max-inflight-bytes=$INFLIGHT --binlog2kafka.http-listen=127.0.0.1:$HTTP_PORT
workload_start --seed 41 --rate 100 --duration 60
sleep 5 # the pipeline streams for a while
kafka_ctl stop
# The reader reads on until its credit is used up, then waits for Kafka.
credit_used_up() {
  local used
  used=$(daemon_metric credit_in_use_bytes) || { echo "/metrics did not answer"; return 1; }
  ((${used%.*} >= INFLIGHT)) || { echo "credit in use: $used of $INFLIGHT bytes"; return 1; }
}
wait_for 60 "the reader used up its $INFLIGHT bytes of credit with Kafka down" credit_used_up
log "credit used up: $(daemon_metric credit_in_use_bytes) of $INFLIGHT bytes in use, $(daemon_metric waiting_batches) batches waiting"
attempts0=$(attempt_lines)
lines0=$(wc -l <"$DAEMON_LOG")
t_black=$SECONDS
log "blackhole: $(proxy_ctl blackhole)"
noticed=
while ((SECONDS - t_black < NOTICE_LIMIT + 10)); do
  if (($(attempt_lines) > attempts0)); then
    noticed=$((SECONDS - t_black))
    break
  fi
  sleep 0.5
done
log "daemon log lines since the blackhole:"
tail -n +$((lines0 + 1)) "$DAEMON_LOG" | { grep -v ' kafka: ' || echo "(none but librdkafka's)"; } | sed "s/^/[$TEST_NAME]     /"
log "heal: $(proxy_ctl heal)"
kafka_ctl start
result=ok
if [[ -z $noticed ]]; then
  result="no reconnection attempt within $((NOTICE_LIMIT + 10))s of a silent server while waiting for credit: the reader hangs"
elif ((noticed > NOTICE_LIMIT)); then
  result="the reader noticed the silent server only after ${noticed}s (limit ${NOTICE_LIMIT}s)"
fi
workload_wait 180
wait_caught_up 300
audit --wait 60
log "SUMMARY network_freeze_no_credit: noticed_after_s=${noticed:-never} missing=$AUDIT_MISSING duplicates=$AUDIT_DUPLICATES seconds=$((SECONDS - T0))"
[[ $result == ok ]] || fail "$result"
[[ $AUDIT_RC -eq 0 ]] || fail "the audit failed: missing $AUDIT_MISSING"
daemon_stop
