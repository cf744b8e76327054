#!/usr/bin/env bash
# Security against real servers on loopback:
#  - TLS to MariaDB 10.11 (a throwaway CA and certificates made with openssl
#    in the state dir; the b2k user REQUIREs SSL): rows flow with
#    source-tls = verify-identity, verify-ca and required; a wrong CA and a
#    certificate whose name does not match are one clear error line each
#    (run and dump --source); a client certificate for a user that
#    REQUIREs X509;
#  - Kafka over SASL_PLAINTEXT with SCRAM-SHA-256 and with PLAIN, and over SSL,
#    librdkafka properties passed through with --binlog2kafka.kafka: rows
#    arrive; a wrong SASL password is one clear error line naming it;
#  - passwords from a file or the environment only: neither the MariaDB nor
#    the Kafka password appears in the daemon's log (at debug level, with
#    librdkafka's conf and security debug on), in `ps` output or in
#    /proc/<pid>/cmdline.
# Ports: MariaDB 33307, Kafka PLAINTEXT 39092, controller 39093,
# SASL_PLAINTEXT 39094, SSL 39095 (B2K_ITEST_* move them; +100 in ctest's
# second servers slot).
# shellcheck source=tests/integration/ports.sh
source "$(dirname "${BASH_SOURCE[0]}")/ports.sh"
export B2K_ITEST_MARIADB_PORT=${B2K_ITEST_MARIADB_PORT:-$(itest_port 33307)}
export B2K_ITEST_KAFKA_PORT=${B2K_ITEST_KAFKA_PORT:-$(itest_port 39092)}
export B2K_ITEST_KAFKA_CONTROLLER_PORT=${B2K_ITEST_KAFKA_CONTROLLER_PORT:-$(itest_port 39093)}
SASL_PORT=${B2K_ITEST_KAFKA_SASL_PORT:-$(itest_port 39094)}
SSL_PORT=${B2K_ITEST_KAFKA_SSL_PORT:-$(itest_port 39095)}
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PKI=$STATE/pki
OUT=$STATE/out
# Passwords made up for this run: the checks below look for them.
SOURCE_PASSWORD=Src-$RANDOM$RANDOM-tls
SCRAM_PASSWORD=Scram-$RANDOM$RANDOM-pw
PLAIN_PASSWORD=Plain-$RANDOM$RANDOM-pw
KEYSTORE_PASSWORD=Keystore-$RANDOM$RANDOM
FAILURES=0

# The CA, a second CA that signed nothing the servers use, MariaDB's
# certificate for the name "localhost" only (so 127.0.0.1 does not match it),
# Kafka's for localhost and 127.0.0.1, and a client certificate.
make_pki() {
  pki_ca "$PKI" ca
  pki_ca "$PKI" other-ca
  pki_cert "$PKI" ca mariadb "DNS:localhost"
  pki_cert "$PKI" ca kafka "DNS:localhost,IP:127.0.0.1"
  pki_cert "$PKI" ca client "DNS:b2k" client
  openssl pkcs12 -export -in "$PKI/kafka.pem" -inkey "$PKI/kafka.key" -name kafka \
    -out "$PKI/kafka.p12" -passout "pass:$KEYSTORE_PASSWORD" >/dev/null 2>&1 ||
    fail "openssl: cannot make Kafka's PKCS#12 keystore"
  (umask 077
   printf '%s\n' "$SCRAM_PASSWORD" >"$PKI/scram.password"
   printf 'wrong-%s\n' "$SCRAM_PASSWORD" >"$PKI/wrong.password")
  log "made a throwaway CA and certificates in $PKI"
}

export B2K_MARIADB_EXTRA_CNF="ssl_ca = $STATE/pki/ca.pem
ssl_cert = $STATE/pki/mariadb.pem
ssl_key = $STATE/pki/mariadb.key"
export B2K_KAFKA_EXTRA_PROPERTIES="listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_PLAINTEXT://127.0.0.1:$SASL_PORT,SSL://127.0.0.1:$SSL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_PLAINTEXT://127.0.0.1:$SASL_PORT,SSL://127.0.0.1:$SSL_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL
listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_b2k=\"$PLAIN_PASSWORD\";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.ssl.ssl.keystore.type=PKCS12
listener.name.ssl.ssl.keystore.location=$STATE/pki/kafka.p12
listener.name.ssl.ssl.keystore.password=$KEYSTORE_PASSWORD"

start_servers_prepared make_pki
mkdir -p "$OUT"

# -- servers: users, table, SCRAM credentials ---------------------------------
# b2k gets this run's password and must use TLS; b2kx509 must show a client
# certificate signed by our CA.
sql <<SQL
ALTER USER 'b2k'@'127.0.0.1' IDENTIFIED BY '$SOURCE_PASSWORD' REQUIRE SSL;
ALTER USER 'b2k'@'localhost' IDENTIFIED BY '$SOURCE_PASSWORD' REQUIRE SSL;
CREATE USER 'b2kx509'@'127.0.0.1' IDENTIFIED BY '$SOURCE_PASSWORD' REQUIRE X509;
GRANT SELECT, RELOAD, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'b2kx509'@'127.0.0.1';
CREATE TABLE demo.t (id INT PRIMARY KEY, v VARCHAR(32));
SQL
(umask 077 && printf '%s\n' "$SOURCE_PASSWORD" >"$PKI/source.password")
log "b2k REQUIREs SSL, b2kx509 REQUIREs X509"

server_env "$B2K_SOURCE_DIR/deploy/kafka.sh" class kafka.admin.ConfigCommand \
  --bootstrap-server "$BROKERS" --alter --entity-type users --entity-name b2k \
  --add-config "SCRAM-SHA-256=[iterations=4096,password=$SCRAM_PASSWORD]" >"$OUT/scram-user.txt" 2>&1 ||
  { cat "$OUT/scram-user.txt" >&2; fail "cannot create the SCRAM-SHA-256 user b2k"; }
# kcat reads the credentials from a file (not argv); the user is known to the
# broker once the metadata with it is applied.
printf 'security.protocol=SASL_PLAINTEXT\nsasl.mechanisms=SCRAM-SHA-256\nsasl.username=b2k\nsasl.password=%s\n' \
  "$SCRAM_PASSWORD" >"$PKI/kcat-scram.conf"
wait_for 30 "SCRAM-SHA-256 login of b2k on 127.0.0.1:$SASL_PORT" \
  kcat -F "$PKI/kcat-scram.conf" -b "127.0.0.1:$SASL_PORT" -L -m 5
log "Kafka: SCRAM-SHA-256 user b2k; PLAIN user b2k; SASL_PLAINTEXT on $SASL_PORT, SSL on $SSL_PORT"

B=$B2K_BINARY
SOURCE_LOCALHOST=mysql://b2k@localhost:$MARIADB_PORT
# The source password from a file (lib.sh's file holds the old one).
SOURCE_FILE=(--binlog2kafka.source-password-file="$PKI/source.password")
TLS_IDENTITY=(--binlog2kafka.source="$SOURCE_LOCALHOST" --binlog2kafka.source-tls=verify-identity
              --binlog2kafka.source-tls-ca="$PKI/ca.pem")
SCRAM=(--binlog2kafka.brokers="127.0.0.1:$SASL_PORT"
       '--binlog2kafka.kafka=["security.protocol=SASL_PLAINTEXT","sasl.mechanism=SCRAM-SHA-256","sasl.username=b2k"]')
NEXT_ID=1

# -- checks -------------------------------------------------------------------

# expect_error NAME PATTERN -- COMMAND...: COMMAND fails (non-zero, within
# 60 s); its last line of output matches PATTERN, and so does every line at
# error level (one cause, said clearly, not buried in other errors).
expect_error() {
  local name=$1 pattern=$2
  shift 3
  local rc=0 problem=
  timeout -s KILL 60 "$@" >"$OUT/$name.out" 2>&1 </dev/null || rc=$?
  local last
  last=$(tail -n 1 "$OUT/$name.out")
  if [[ $rc -eq 0 ]]; then
    problem="exit status 0"
  elif [[ $rc -eq 137 ]]; then
    problem="no exit within 60s"
  elif ! grep -qE -- "$pattern" <<<"$last"; then
    problem="the last line does not match /$pattern/"
  elif grep -E '^binlog2kafka: error:| error ' "$OUT/$name.out" | grep -vqE -- "$pattern"; then
    problem="another error line: $(grep -E '^binlog2kafka: error:| error ' "$OUT/$name.out" |
      grep -vE -- "$pattern" | head -n 1)"
  fi
  if [[ -z $problem ]]; then
    log "ok   $name (exit $rc): $last"
    return 0
  fi
  FAILURES=$((FAILURES + 1))
  log "FAIL $name: $problem; exit $rc; output:"
  sed 's/^/    /' "$OUT/$name.out" | tail -n 10
}

# expect_ok NAME -- COMMAND...: COMMAND exits 0 (output in $OUT/NAME.out).
expect_ok() {
  local name=$1
  shift 2
  local rc=0
  timeout -s KILL 60 "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" </dev/null || rc=$?
  if [[ $rc -eq 0 ]]; then
    log "ok   $name"
    return 0
  fi
  FAILURES=$((FAILURES + 1))
  log "FAIL $name: exit $rc; stderr:"
  sed 's/^/    /' "$OUT/$name.err" | tail -n 10
}

# insert_rows N: N new rows in demo.t, one transaction.
insert_rows() {
  local values=() i
  for ((i = 0; i < $1; i++)); do
    values+=("($((NEXT_ID + i)), 'row $((NEXT_ID + i))')")
  done
  NEXT_ID=$((NEXT_ID + $1))
  sql demo -e "INSERT INTO t VALUES $(IFS=,; echo "${values[*]}")"
}

topic_has() {
  local n
  n=$(topic_count "$1")
  [[ $n -eq $2 ]] || { echo "$1 has $n records, expected $2"; return 1; }
}

# deliver NAME [run options...]: starts the daemon as source NAME, writes 50
# rows, waits for them in NAME.demo.t, stops it (exit 0).
deliver() {
  SOURCE_NAME=$1
  shift
  daemon_start_ready "$@"
  insert_rows 50
  wait_for 60 "50 records in $SOURCE_NAME.demo.t" topic_has "$SOURCE_NAME.demo.t" 50
  [[ $CHECK_ARGV -eq 0 ]] || check_argv
  daemon_stop 60
  [[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka ($SOURCE_NAME) exited with $DAEMON_RC after SIGTERM"
  log "ok   $SOURCE_NAME: 50 rows delivered"
}
CHECK_ARGV=0

# The running daemon's command line and `ps` output hold no password.
check_argv() {
  local secret ps_out cmdline
  ps_out=$(ps -eo pid,args --width 100000)
  cmdline=$(tr '\0' ' ' <"/proc/$DAEMON_PID/cmdline")
  [[ $cmdline == *"binlog2kafka"* ]] || fail "no command line for pid $DAEMON_PID"
  for secret in "$SOURCE_PASSWORD" "$SCRAM_PASSWORD" "$PLAIN_PASSWORD"; do
    if grep -qF -- "$secret" <<<"$ps_out$cmdline"; then
      FAILURES=$((FAILURES + 1))
      log "FAIL a password is in the process list or /proc/$DAEMON_PID/cmdline"
      return 0
    fi
  done
  log "ok   $SOURCE_NAME: no password in ps output or /proc/$DAEMON_PID/cmdline"
}

# --- MariaDB over TLS: dump --source -----------------------------------------
expect_error dump_tls_off "Access denied for user 'b2k'" -- \
  "$B" dump --source="$SOURCE_URL" --password-file="$PKI/source.password"
insert_rows 1
for mode in required verify-ca; do
  ca=()
  [[ $mode == required ]] || ca=(--source-tls-ca="$PKI/ca.pem")
  expect_ok "dump_tls_$mode" -- "$B" dump --source="$SOURCE_URL" \
    --password-file="$PKI/source.password" --source-tls=$mode "${ca[@]}"
done
expect_ok dump_tls_verify_identity -- "$B" dump --source="$SOURCE_LOCALHOST" \
  --password-file="$PKI/source.password" --source-tls=verify-identity --source-tls-ca="$PKI/ca.pem"
grep -q '"after":{"id":1,' "$OUT/dump_tls_verify_identity.out" || fail "dump over TLS did not show row 1"
expect_error dump_tls_wrong_ca "does not verify against source-tls-ca '$PKI/other-ca.pem'" -- \
  "$B" dump --source="$SOURCE_URL" --password-file="$PKI/source.password" \
  --source-tls=verify-ca --source-tls-ca="$PKI/other-ca.pem"
expect_error dump_tls_name_mismatch "certificate does not name the host '127.0.0.1'" -- \
  "$B" dump --source="$SOURCE_URL" --password-file="$PKI/source.password" \
  --source-tls=verify-identity --source-tls-ca="$PKI/ca.pem"
expect_error dump_tls_bad_mode "source-tls: must be off, required, verify-ca or verify-identity" -- \
  "$B" dump --source="$SOURCE_URL" --password-file="$PKI/source.password" --source-tls=on
# A user that REQUIREs X509: refused without a client certificate, served with.
X509_URL=mysql://b2kx509@127.0.0.1:$MARIADB_PORT
expect_error dump_x509_without_cert "Access denied for user 'b2kx509'" -- \
  "$B" dump --source="$X509_URL" --password-file="$PKI/source.password" \
  --source-tls=verify-ca --source-tls-ca="$PKI/ca.pem"
expect_ok dump_x509_with_cert -- "$B" dump --source="$X509_URL" \
  --password-file="$PKI/source.password" --source-tls=verify-ca --source-tls-ca="$PKI/ca.pem" \
  --source-tls-cert="$PKI/client.pem" --source-tls-key="$PKI/client.key"

# --- run: TLS errors stop the pipeline (no retry loop) --------------------------
mapfile -t ARGS < <(common_args)
expect_error run_tls_wrong_ca "does not verify against source-tls-ca" -- \
  "$B" run "${ARGS[@]}" "${SOURCE_FILE[@]}" --binlog2kafka.source-tls=verify-ca \
  --binlog2kafka.source-tls-ca="$PKI/other-ca.pem"
expect_error run_tls_name_mismatch "certificate does not name the host '127.0.0.1'" -- \
  "$B" run "${ARGS[@]}" "${SOURCE_FILE[@]}" --binlog2kafka.source-tls=verify-identity \
  --binlog2kafka.source-tls-ca="$PKI/ca.pem"
expect_error run_tls_ca_missing "binlog2kafka.source-tls-ca: source-tls = verify-ca needs" -- \
  "$B" run "${ARGS[@]}" "${SOURCE_FILE[@]}" --binlog2kafka.source-tls=verify-ca

# --- Kafka: a wrong SASL password, a wrong CA -----------------------------------
expect_error run_sasl_wrong_password \
  "Kafka at 127.0.0.1:$SASL_PORT: SASL authentication error: Authentication failed .*invalid credentials" -- \
  "$B" run "${ARGS[@]}" "${SOURCE_FILE[@]}" "${TLS_IDENTITY[@]}" "${SCRAM[@]}" \
  --binlog2kafka.kafka-password-file="$PKI/wrong.password"
expect_error position_sasl_wrong_password "SASL authentication error: Authentication failed" -- \
  "$B" position "${ARGS[@]}" "${SCRAM[@]}" --binlog2kafka.kafka-password-file="$PKI/wrong.password"
expect_error run_ssl_wrong_ca "Kafka at 127.0.0.1:$SSL_PORT: SSL handshake failed: .*certificate verify failed" -- \
  "$B" run "${ARGS[@]}" "${SOURCE_FILE[@]}" "${TLS_IDENTITY[@]}" --binlog2kafka.brokers="127.0.0.1:$SSL_PORT" \
  "--binlog2kafka.kafka=[\"security.protocol=SSL\",\"ssl.ca.location=$PKI/other-ca.pem\"]"
expect_error run_kafka_password_twice "binlog2kafka.kafka: sasl.password is set here and by kafka-password-file" -- \
  "$B" run "${ARGS[@]}" "${SOURCE_FILE[@]}" --binlog2kafka.kafka-password-file="$PKI/scram.password" \
  '--binlog2kafka.kafka=["sasl.password=x"]'

# --- rows flow -------------------------------------------------------------------
# 1. MariaDB verify-identity + Kafka SASL/SCRAM-SHA-256. The source password
#    comes from the environment, Kafka's from kafka-password-file; debug
#    logging here and in librdkafka (conf, security, broker: what would print
#    a configuration or a handshake).
CHECK_ARGV=1
BINLOG2KAFKA_SOURCE_PASSWORD=$SOURCE_PASSWORD deliver tls_scram \
  --binlog2kafka.source-password-file='""' "${TLS_IDENTITY[@]}" "${SCRAM[@]}" \
  --binlog2kafka.kafka-password-file="$PKI/scram.password" --binlog2kafka.log-level=debug \
  '--binlog2kafka.kafka=["security.protocol=SASL_PLAINTEXT","sasl.mechanism=SCRAM-SHA-256","sasl.username=b2k","debug=conf,security,broker,generic"]'
# 2. MariaDB verify-ca + Kafka SASL/PLAIN, Kafka's password from the
#    environment.
BINLOG2KAFKA_KAFKA_PASSWORD=$PLAIN_PASSWORD deliver tls_plain "${SOURCE_FILE[@]}" \
  --binlog2kafka.source-tls=verify-ca --binlog2kafka.source-tls-ca="$PKI/ca.pem" \
  --binlog2kafka.brokers="127.0.0.1:$SASL_PORT" \
  '--binlog2kafka.kafka=["security.protocol=SASL_PLAINTEXT","sasl.mechanism=PLAIN","sasl.username=b2k"]'
# 3. MariaDB required (encrypted, not verified) + Kafka over SSL, verified
#    against our CA (librdkafka checks the broker's name by default).
deliver tls_ssl "${SOURCE_FILE[@]}" --binlog2kafka.source-tls=required \
  --binlog2kafka.brokers="127.0.0.1:$SSL_PORT" \
  "--binlog2kafka.kafka=[\"security.protocol=SSL\",\"ssl.ca.location=$PKI/ca.pem\"]"
# The server saw TLS connections from the daemon (b2k cannot connect without).
log "server TLS handshakes: $(sql -e "SHOW GLOBAL STATUS LIKE 'Ssl_accepts'" | awk '{print $2}')"

# --- no password in any log or output --------------------------------------------
for secret in "$SOURCE_PASSWORD" "$SCRAM_PASSWORD" "$PLAIN_PASSWORD" "wrong-$SCRAM_PASSWORD"; do
  if hits=$(grep -lF -- "$secret" "$DAEMON_LOG" "$OUT"/*.out "$OUT"/*.err 2>/dev/null); then
    FAILURES=$((FAILURES + 1))
    log "FAIL a password is in: $hits"
  fi
done
grep -q 'sasl.password = \[redacted\]' "$DAEMON_LOG" ||
  fail "librdkafka's configuration dump (debug=conf) is not in the log: the password check above saw less than it should"
log "ok   no password in $DAEMON_LOG ($(wc -l <"$DAEMON_LOG") lines, librdkafka debug included) or the outputs in $OUT"

[[ $FAILURES -eq 0 ]] || fail "$FAILURES check(s) failed"
