#!/usr/bin/env bash
# The reader on one node, producer and watcher on another, over CAF's
# middleman with TLS on loopback (certificates made here with openssl(1),
# checked on both sides): peers without a valid certificate are refused
# (a certificate of another CA, plaintext, none at all: one line each, the
# node starts no reader), missing certificate files are one line at start;
# rows flow; kill -9 of the reader node makes the pipeline retry with
# back-off (it must not exit), and once the node is back the pipeline
# resumes from the released position: every row exactly once.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NODE_PORT=${B2K_ITEST_NODE_PORT:-$(itest_port 24280)}
NODE_LOG=$STATE/reader-node.log
TABLE=dist
TOPIC=$SOURCE_NAME.demo.$TABLE
NODE_PID=
PKI=$STATE/pki

# node_cert NAME CA: a certificate for either end of the link (no extended
# key usage: each side is client and server of its TLS context).
node_cert() {
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$PKI/$1.key" \
    -out "$PKI/$1.csr" >/dev/null 2>&1 &&
    openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/$2.pem" -CAkey "$PKI/$2.key" \
      -CAcreateserial -days 2 -out "$PKI/$1.pem" >/dev/null 2>&1 ||
    fail "openssl: cannot make the certificate $1"
}

# tls_args NAME: the link's options for the certificate NAME.
tls_args() {
  printf '%s\n' "--binlog2kafka.node-tls-cert=$PKI/$1.pem" \
    "--binlog2kafka.node-tls-key=$PKI/$1.key" "--binlog2kafka.node-tls-ca=$PKI/link-ca.pem"
}

node_start() {
  local args
  mapfile -t args < <(common_args; tls_args node)
  "$B2K_BINARY" reader-node "${args[@]}" \
    --binlog2kafka.reader-node-listen=127.0.0.1:$NODE_PORT </dev/null >>"$NODE_LOG" 2>&1 &
  NODE_PID=$!
  wait_for 30 "reader node listening on $NODE_PORT" \
    grep -q "listening on 127.0.0.1:$NODE_PORT (TLS" "$NODE_LOG"
}

# refused WHAT EXTRA_ARGS...: a pipeline named rogue with these link options
# exits 1 within 60 s with one error line saying the handshake failed.
refused() {
  local what=$1 out rc=0 args
  shift
  mapfile -t args < <(SOURCE_NAME=rogue common_args)
  out=$(timeout 60 "$B2K_BINARY" run "${args[@]}" \
    --binlog2kafka.reader-node=127.0.0.1:$NODE_PORT "$@" </dev/null 2>&1) || rc=$?
  local errors
  errors=$(grep -E '^[0-9T:.-]+ (error|critical) ' <<<"$out" || true)
  log "$what: exit status $rc; $errors"
  [[ $rc -eq 1 ]] || fail "$what: exit status $rc, expected 1"
  [[ $(wc -l <<<"$errors") -eq 1 && $errors == *"closed the link during the handshake"* ]] ||
    fail "$what: expected one error line about the refused handshake"
}

cleanup_node() { [[ -z $NODE_PID ]] || kill -KILL "$NODE_PID" 2>/dev/null || true; }
exit_trap_first cleanup_node

start_servers
mkdir -p "$PKI"
pki_ca "$PKI" link-ca
pki_ca "$PKI" other-ca
node_cert node link-ca
node_cert pipeline link-ca
node_cert rogue other-ca
sql -e "CREATE TABLE demo.$TABLE (id INT PRIMARY KEY, v INT)"

# Without the certificate files neither side starts.
mapfile -t args < <(common_args)
out=$("$B2K_BINARY" reader-node "${args[@]}" </dev/null 2>&1) && fail "reader-node started without node-tls files"
[[ $(wc -l <<<"$out") -eq 1 && $out == *"node-tls-cert: missing"* ]] || fail "reader-node without files: $out"
out=$("$B2K_BINARY" run "${args[@]}" --binlog2kafka.reader-node=127.0.0.1:$NODE_PORT \
  "--binlog2kafka.node-tls-cert=$PKI/pipeline.pem" "--binlog2kafka.node-tls-key=$PKI/node.key" \
  "--binlog2kafka.node-tls-ca=$PKI/link-ca.pem" </dev/null 2>&1) && fail "run started with a key of another certificate"
[[ $(wc -l <<<"$out") -eq 1 && $out == *"node-tls-key:"*"is not the key of node-tls-cert"* ]] ||
  fail "run with a wrong key: $out"

node_start
# Peers without a valid certificate are refused, and reach no reader.
mapfile -t rogue < <(tls_args rogue)
refused "a certificate of another CA" "${rogue[@]}"
refused "plaintext" --binlog2kafka.node-tls=off
# TLS 1.2: the server's refusal comes in the handshake (1.3 sends it after).
handshake=$(timeout 20 openssl s_client -tls1_2 -connect 127.0.0.1:$NODE_PORT \
  -CAfile "$PKI/link-ca.pem" </dev/null 2>&1) && fail "a TLS client without a certificate got through: $handshake"
grep -qiE 'alert|certificate required|handshake failure' <<<"$handshake" ||
  fail "no TLS alert for a client without a certificate: $(tail -n 5 <<<"$handshake")"
grep -q 'starting reader' "$NODE_LOG" && fail "the node started a reader for a refused peer"
log "refused: another CA's certificate, plaintext, no certificate (openssl s_client)"

mapfile -t pipeline_tls < <(tls_args pipeline)
daemon_start_ready --binlog2kafka.reader-node=127.0.0.1:$NODE_PORT "${pipeline_tls[@]}"
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
