#!/usr/bin/env bash
# Keeps deploy/Dockerfile, deploy/docker-compose.yml (and what it mounts),
# deploy/binlog2kafka.service, deploy/binlog2kafka.ini and the README in step
# with the code. No Docker engine runs here, so instead:
#  - check_deploy_files.py reads the compose file and the Dockerfile: MySQL 8
#    with ROW/FULL binlogs, the init scripts' user and sample table, KRaft
#    Kafka, Kafdrop on :9000, the mounted ini agrees with the services and
#    secrets; Debian 12 stages whose packages provide CMakeLists.txt's
#    requirements (build) and every library the binary links (runtime), a
#    non-root user, the paths and the ENTRYPOINT;
#  - compose-go (docker compose v2's loader, tests/integration/composecheck,
#    built with Go, which this project's machines and CI have), and
#    `docker compose config` or `docker-compose config` when installed,
#    validate the compose file; with none of them the test fails;
#  - the binary parses every ini the deploy files use, knows every option they
#    (and the README) name, accepts their values (each reaches the point of
#    contacting Kafka: a closed port here), and every option it has is
#    documented in deploy/binlog2kafka.ini;
#  - the systemd unit passes `systemd-analyze verify` (package systemd,
#    which deploy/install-deps.sh installs; the test fails without it),
#    restarts on failure but
#    not on exit 2 (checked against the binary's exit codes), stops within its
#    TimeoutStopSec, and its ExecStart command line is accepted;
#  - MemoryDenyWriteExecute=yes suits the binary: it runs under the same
#    kernel rule (prctl PR_SET_MDWE), on kernels that have it (6.3+): an
#    older kernel is the one check this test skips, and it says so in its
#    last line.
# Starts no server.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REPO=$B2K_SOURCE_DIR
B=$B2K_BINARY
OUT=$STATE/out
FAILURES=0
rm -rf "$STATE"
mkdir -p "$OUT"
[[ -x $B ]] || fail "B2K_BINARY=$B is not an executable: build it first"

bad() {
  FAILURES=$((FAILURES + 1))
  log "FAIL $*"
}

# -- compose file and Dockerfile ----------------------------------------------
PYTHON=
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import yaml' 2>/dev/null; then
    PYTHON=$p
    break
  fi
done
if [[ -z $PYTHON && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  log "no Python with PyYAML: installing python3-yaml"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-yaml >"$OUT/apt.txt" 2>&1 ||
    { apt-get update -q >>"$OUT/apt.txt" 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-yaml >>"$OUT/apt.txt" 2>&1; } || true
  /usr/bin/python3 -c 'import yaml' 2>/dev/null && PYTHON=/usr/bin/python3
fi
[[ -n $PYTHON ]] || fail "no Python with PyYAML (apt-get install python3-yaml)"

INIS=$STATE/inis.txt
if CHECK_DEPLOY_INIS=$INIS "$PYTHON" "$ITEST_DIR/check_deploy_files.py" --repo "$REPO" --binary "$B" \
    >"$OUT/check_deploy_files.txt" 2>&1; then
  log "ok   $(tail -n 1 "$OUT/check_deploy_files.txt") ($(grep -c '^ok' "$OUT/check_deploy_files.txt") checks)"
else
  grep -v '^ok' "$OUT/check_deploy_files.txt" | sed 's/^/    /'
  bad "check_deploy_files.py (all lines in $OUT/check_deploy_files.txt)"
fi

COMPOSE=$REPO/deploy/docker-compose.yml
VALIDATED=0
# compose-go is what `docker compose` v2 loads files with (JSON schema,
# interpolation, paths): built from the Go module proxy where Go is
# installed (once; Go caches it).
if command -v go >/dev/null; then
  if (cd "$ITEST_DIR/composecheck" && timeout 600 go build -o "$STATE/composecheck" .) >"$OUT/composecheck-build.txt" 2>&1; then
    if "$STATE/composecheck" "$COMPOSE" >"$OUT/composecheck.txt" 2>&1; then
      log "ok   compose-go (docker compose v2's loader): $(tail -n 1 "$OUT/composecheck.txt")"
      VALIDATED=1
    else
      cat "$OUT/composecheck.txt"
      bad "compose-go rejects deploy/docker-compose.yml"
    fi
  else
    cat "$OUT/composecheck-build.txt"
    bad "could not build tests/integration/composecheck (Go module proxy reachable?)"
  fi
fi
if docker compose version >/dev/null 2>&1; then
  if docker compose -f "$COMPOSE" config -q >"$OUT/compose.txt" 2>&1; then
    log "ok   docker compose config: the compose file is valid"
  else
    cat "$OUT/compose.txt"
    bad "docker compose config"
  fi
elif command -v docker-compose >/dev/null; then
  if docker-compose -f "$COMPOSE" config -q >"$OUT/compose.txt" 2>&1; then
    log "ok   docker-compose config ($(docker-compose version --short 2>/dev/null)): the compose file is valid"
  else
    cat "$OUT/compose.txt"
    bad "docker-compose config"
  fi
elif [[ $VALIDATED -eq 0 ]]; then
  bad "nothing validated deploy/docker-compose.yml: install Go (>= 1.24, for tests/integration/composecheck) or docker compose"
fi

# -- options: every one named exists, every one that exists is documented -----
"$B" run --long-help >"$OUT/help.txt" 2>&1 || fail "binlog2kafka run --help failed"
mapfile -t OPTIONS < <(sed -n 's/^ *--binlog2kafka\.\([a-z0-9-]*\)[= ].*/\1/p' "$OUT/help.txt" | sort -u)
((${#OPTIONS[@]} > 20)) || fail "run --help lists only ${#OPTIONS[@]} binlog2kafka options"
grep -q -- '--config-file=' "$OUT/help.txt" || bad "run --help does not list --config-file (the ENTRYPOINT's)"
is_option() {
  local o
  for o in "${OPTIONS[@]}"; do [[ $o == "$1" ]] && return 0; done
  return 1
}

# Keys of the [binlog2kafka] group of an ini file, commented-out ones too
# (the example file lists every option as "; key = default").
ini_keys() {
  awk '/^\[/ { g = $0 } g == "[binlog2kafka]" && /^;? *[a-z][a-z0-9-]* *=/ {
         sub(/^; */, ""); sub(/ *=.*/, ""); print }' "$1" | sort -u
}

EXAMPLE=$REPO/deploy/binlog2kafka.ini
mapfile -t DOCUMENTED < <(ini_keys "$EXAMPLE")
for o in "${OPTIONS[@]}"; do
  # Not `printf | grep -q`: grep's early exit fails printf (pipefail).
  [[ " ${DOCUMENTED[*]} " == *" $o "* ]] ||
    bad "option $o is not documented in deploy/binlog2kafka.ini"
done
log "ok   the ${#OPTIONS[@]} options of run --help are all in deploy/binlog2kafka.ini"

# Options named in the deploy files and the README: ini keys, and
# --binlog2kafka.KEY on command lines.
named=0
while IFS=: read -r file key; do
  named=$((named + 1))
  is_option "$key" || bad "$file names the option '$key', which binlog2kafka does not have"
done < <(
  cd "$REPO" &&
    for f in deploy/binlog2kafka.ini deploy/compose/binlog2kafka.ini; do
      ini_keys "$f" | sed "s|^|$f:|"
    done
  cd "$REPO" && grep -oE -- '--binlog2kafka\.[a-z0-9-]+' README.md deploy/Dockerfile deploy/docker-compose.yml \
    deploy/binlog2kafka.service deploy/demo.sh | sed 's/--binlog2kafka\.//'
)
log "ok   the $named option names in the deploy files and the README exist"

# An ini parses (CAF's syntax: --dump-config) and its values pass every check
# (exit 2 would be a config error): the command then gets as far as
# contacting Kafka, which a closed port refuses at once. Extra arguments
# override what cannot hold here (the password file's path).
PASSWORD=$STATE/password
printf 'not-a-real-password\n' >"$PASSWORD"
CLOSED_BROKER=127.0.0.1:1
accepted() {
  local name=$1
  shift
  local log=$OUT/$name.log rc=
  : >"$log"
  "$@" --binlog2kafka.brokers=$CLOSED_BROKER >"$log" 2>&1 </dev/null &
  local pid=$! deadline=$((SECONDS + 30))
  while :; do
    if grep -q 'kafka: FAIL: .*127\.0\.0\.1:1[^0-9]' "$log"; then
      kill -TERM "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null || true
      log "ok   $name: options accepted (it went on to contact Kafka)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      rc=0
      wait "$pid" || rc=$?
      if [[ $rc -eq 1 ]] && grep -q "$CLOSED_BROKER" "$log"; then
        log "ok   $name: options accepted (exit 1 on the closed Kafka port)"
        return 0
      fi
      bad "$name: exit $rc: $(tail -n 1 "$log")"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      kill -KILL "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null || true
      bad "$name: neither an error nor a Kafka connection attempt within 30s"
      return 0
    fi
    sleep 0.1
  done
}

mapfile -t MOUNTED < "$INIS"
for ini in "$EXAMPLE" "${MOUNTED[@]}"; do
  rel=${ini#"$REPO"/}
  if "$B" run --config-file="$ini" --dump-config >"$OUT/dump-config.txt" 2>&1; then
    log "ok   $rel parses"
  else
    bad "$rel does not parse: $(tail -n 1 "$OUT/dump-config.txt")"
  fi
  accepted "position-${rel//\//_}" "$B" position --config-file="$ini" \
    --binlog2kafka.source-password-file="$PASSWORD"
done

# -- systemd unit -------------------------------------------------------------
UNIT=$REPO/deploy/binlog2kafka.service
unit_value() { sed -n "s/^$1=//p" "$UNIT" | tail -n 1; }
[[ $(unit_value Restart) == on-failure ]] || bad "the unit does not say Restart=on-failure"
[[ -n $(unit_value RestartSec) ]] || bad "the unit has no RestartSec (restart back-off)"
# Exit 2 is a usage/configuration error, 1 a runtime error: check the binary.
rc=0
"$B" run --binlog2kafka.no-such-option=1 >/dev/null 2>&1 || rc=$?
[[ $rc -eq 2 ]] || bad "a bad option exits $rc, not 2 (RestartPreventExitStatus in the unit)"
rc=0
"$B" dump --file=/nonexistent/binlog.000001 >/dev/null 2>&1 || rc=$?
[[ $rc -eq 1 ]] || bad "a runtime error exits $rc, not 1"
[[ " $(unit_value RestartPreventExitStatus) " == *" 2 "* ]] ||
  bad "the unit restarts on exit 2 (configuration errors): RestartPreventExitStatus=2 is missing"
stop=$(unit_value TimeoutStopSec)
stop=${stop%s}
if ! [[ $stop =~ ^[0-9]+$ ]] || ((stop <= 30)); then
  bad "TimeoutStopSec=$(unit_value TimeoutStopSec) is not longer than the default stop-timeout (30 s)"
fi
for directive in DynamicUser=yes NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
    MemoryDenyWriteExecute=yes "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" \
    LoadCredential=source-password:/etc/binlog2kafka/source.password; do
  grep -qx -- "$directive" "$UNIT" || bad "the unit lacks $directive"
done
grep -qE '^Environment=.*PASSWORD' "$UNIT" && bad "the unit puts a password in Environment= (systemctl show prints it)"
log "ok   the unit's restart, stop and hardening settings"

# Its ExecStart, with this binary, the example ini, a credentials directory.
CREDS=$STATE/credentials
mkdir -p "$CREDS"
cp "$PASSWORD" "$CREDS/source-password"
EXEC=$(awk '/^ExecStart=/ { s = 1 } s { line = line $0; if (!/\\$/) exit } END { print line }' "$UNIT" |
  sed -e 's/^ExecStart=//' -e 's/\\ */ /g')
EXEC=${EXEC//\/usr\/local\/bin\/binlog2kafka/$B}
EXEC=${EXEC//\/etc\/binlog2kafka\/binlog2kafka.ini/$EXAMPLE}
EXEC=${EXEC//%d/$CREDS}
read -r -a EXEC_ARGS <<<"$EXEC"
[[ ${EXEC_ARGS[0]} == "$B" && ${EXEC_ARGS[1]} == run ]] || bad "ExecStart does not run /usr/local/bin/binlog2kafka run: $EXEC"
accepted unit-execstart "${EXEC_ARGS[@]}"

if command -v systemd-analyze >/dev/null; then
  # verify wants the ExecStart binary to exist: point it at ours.
  sed "s#/usr/local/bin/binlog2kafka#$B#" "$UNIT" >"$STATE/binlog2kafka.service"
  if systemd-analyze verify "$STATE/binlog2kafka.service" >"$OUT/verify.txt" 2>&1; then
    log "ok   systemd-analyze verify deploy/binlog2kafka.service"
  else
    cat "$OUT/verify.txt"
    bad "systemd-analyze verify deploy/binlog2kafka.service"
  fi
  if systemd-analyze security --offline=yes "$STATE/binlog2kafka.service" >"$OUT/security.txt" 2>&1; then
    log "ok   $(grep -o 'Overall exposure level.*' "$OUT/security.txt")"
  fi
else
  bad "systemd-analyze is not installed (package systemd; deploy/install-deps.sh installs it): the unit is not verified"
fi

# -- MemoryDenyWriteExecute ------------------------------------------------------
# The kernel's PR_SET_MDWE (Linux 6.3+) is the rule systemd applies with
# MemoryDenyWriteExecute=yes: no mapping both writable and executable.
MDWE=$STATE/mdwe.py
cat >"$MDWE" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
    sys.exit(77)
os.execv(sys.argv[1], sys.argv[1:])
PY
rc=0
python3 "$MDWE" /bin/true || rc=$?
SKIPPED=
if [[ $rc -eq 77 ]]; then
  SKIPPED="MemoryDenyWriteExecute (kernel $(uname -r) has no PR_SET_MDWE)"
  log "SKIP MemoryDenyWriteExecute: this kernel ($(uname -r)) has no PR_SET_MDWE (Linux 6.3+)"
else
  fixture=$REPO/tests/data/binlogs/binlog_savepoint.000001
  rc=0
  python3 "$MDWE" "$B" dump --file="$fixture" >"$OUT/mdwe-dump.txt" 2>&1 || rc=$?
  [[ $rc -eq 0 ]] || bad "dump under PR_SET_MDWE exits $rc: $(tail -n 1 "$OUT/mdwe-dump.txt")"
  # TLS setup (OpenSSL), librdkafka and the MariaDB client library loaded.
  accepted mdwe-position python3 "$MDWE" "$B" position --config-file="$EXAMPLE" \
    --binlog2kafka.source-password-file="$PASSWORD" '--binlog2kafka.kafka=["security.protocol=SSL"]'
  log "ok   the binary runs under PR_SET_MDWE (MemoryDenyWriteExecute=yes)"
fi

[[ $FAILURES -eq 0 ]] || fail "$FAILURES check(s) failed"
log "all checks passed${SKIPPED:+; skipped: $SKIPPED}"
