#!/usr/bin/env bash
# The reader on one node, producer and watcher on another, over CAF's
# middleman on loopback: rows flow; kill -9 of the reader node makes the
# pipeline retry with back-off (it must not exit), and once the node is back
# the pipeline resumes from the released position: every row exactly once.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NODE_PORT=${B2K_ITEST_NODE_PORT:-24280}
NODE_LOG=$STATE/reader-node.log
TABLE=dist
TOPIC=$SOURCE_NAME.demo.$TABLE
NODE_PID=

node_start() {
  local args
  mapfile -t args < <(common_args)
  "$B2K_BINARY" reader-node "${args[@]}" \
    --binlog2kafka.reader-node-listen=127.0.0.1:$NODE_PORT </dev/null >>"$NODE_LOG" 2>&1 &
  NODE_PID=$!
  wait_for 30 "reader node listening on $NODE_PORT" \
    grep -q "listening on 127.0.0.1:$NODE_PORT" "$NODE_LOG"
}

cleanup_node() { [[ -z $NODE_PID ]] || kill -KILL "$NODE_PID" 2>/dev/null || true; }
# itest_cleanup reads the test's exit status from $?: hand it through.
trap 'rc=$?; cleanup_node; (exit $rc); itest_cleanup' EXIT

start_servers
sql -e "CREATE TABLE demo.$TABLE (id INT PRIMARY KEY, v INT)"
node_start
daemon_start_ready --binlog2kafka.reader-node=127.0.0.1:$NODE_PORT
grep -q "reader running on node 127.0.0.1:$NODE_PORT" "$DAEMON_LOG" \
  || fail "the pipeline does not say its reader runs on the node"

insert_rows() { # FROM TO
  local i
  for ((i = $1; i <= $2; i += 50)); do
    sql demo -e "INSERT INTO $TABLE SELECT seq, seq FROM seq_${i}_to_$((i + 49))"
  done
}
insert_rows 1 500
wait_caught_up

# The reader node dies: the pipeline keeps running and retries.
kill -KILL "$NODE_PID"
wait "$NODE_PID" 2>/dev/null || true
NODE_PID=
insert_rows 501 1000
wait_for 30 "the pipeline notices the lost node" \
  grep -q "lost the connection to the reader node" "$DAEMON_LOG"
wait_for 30 "the pipeline retries the unreachable node" \
  grep -q "reader node 127.0.0.1:$NODE_PORT unreachable" "$DAEMON_LOG"
daemon_running || fail "the pipeline exited when its reader node died"

node_start
insert_rows 1001 1500
wait_caught_up
[[ $(grep -c "reader running on node" "$DAEMON_LOG") -ge 2 ]] \
  || fail "the reader did not start again on the node"

for ((id = 1; id <= 1500; id++)); do
  printf '{"id":%d}\tc\t%d\n' "$id" "$id"
done >"$STATE/expected.tsv"
verify --topic "$TOPIC" --expect "$STATE/expected.tsv" --tag v --max-duplicates 0 \
  || fail "the topic does not hold every row exactly once"

daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "SIGTERM: exit status $DAEMON_RC"
kill -TERM "$NODE_PID"
wait "$NODE_PID" || fail "the reader node did not stop cleanly"
NODE_PID=
log "distributed: 1500 rows exactly once across a reader-node kill -9"
