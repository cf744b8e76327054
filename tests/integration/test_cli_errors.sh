#!/usr/bin/env bash
# Bad input gets a clear error that names the cause, and a non-zero exit:
# unknown options, a server whose binlog_format is STATEMENT (or whose
# binlog_row_metadata is not FULL), a wrong password, an unreadable password
# file, `dump` of a file that is not a binlog, a truncated or corrupt binlog,
# a bad --from, a purged position, a second instance with the same name,
# `position` for a source that has none, an unreachable source, a missing
# or broken config file. And the other side: every command's --help
# prints its usage to stdout and exits 0, and `run` without a config file
# says so before it tries the defaults.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FAILURES=0
OUT=$STATE/out

# check NAME MODE PATTERN -- COMMAND...
#   MODE one-line: stderr must be exactly one line, matching PATTERN
#        first-line: the first line of stderr must match PATTERN
#        any-line: some line of stderr must match PATTERN (run's log)
# The command must exit non-zero (and not hang: 60 s limit).
check() {
  local name=$1 mode=$2 pattern=$3
  shift 4
  local rc=0
  timeout -s KILL 60 "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" </dev/null || rc=$?
  local err problem=
  err=$(cat "$OUT/$name.err")
  if [[ $rc -eq 0 ]]; then
    problem="exit status 0"
  elif [[ $rc -eq 137 ]]; then
    problem="no exit within 60s"
  else
    case $mode in
      one-line)
        [[ $(wc -l <"$OUT/$name.err") -eq 1 ]] || problem="stderr is not one line"
        grep -qE -- "$pattern" <<<"$err" || problem="stderr does not match /$pattern/" ;;
      first-line)
        head -n 1 <<<"$err" | has_line -E -- "$pattern" || problem="first line of stderr does not match /$pattern/" ;;
      any-line)
        grep -qE -- "$pattern" <<<"$err" || problem="no line of stderr matches /$pattern/" ;;
    esac
  fi
  if [[ -z $problem ]]; then
    log "ok   $name (exit $rc): $(grep -E -m 1 -- "$pattern" <<<"$err")"
    return 0
  fi
  FAILURES=$((FAILURES + 1))
  log "FAIL $name: $problem; exit $rc; stderr:"
  sed 's/^/    /' "$OUT/$name.err" | tail -n 10
}

# expect NAME CONDITION...: counts a failure unless the condition holds.
expect() {
  local name=$1
  shift
  if "$@"; then
    log "ok   $name"
  else
    FAILURES=$((FAILURES + 1))
    log "FAIL $name"
  fi
}

start_servers
mkdir -p "$OUT"
mapfile -t ARGS < <(common_args)
B=$B2K_BINARY

# -- help ---------------------------------------------------------------------
for cmd in run dump position reader-node snapshot; do
  rc=0
  "$B" "$cmd" --help >"$OUT/help-$cmd.out" 2>"$OUT/help-$cmd.err" </dev/null || rc=$?
  expect "$cmd --help exits 0 (exit $rc)" test "$rc" -eq 0
  expect "$cmd --help prints its usage to stdout" \
    grep -q "^usage: binlog2kafka $cmd" "$OUT/help-$cmd.out"
  expect "$cmd --help writes nothing to stderr" test ! -s "$OUT/help-$cmd.err"
done
expect "dump -h is dump's help" grep -q -- '^  --file=FILE' \
  <("$B" dump -h 2>&1)
# run: our options first, grouped; CAF's only under --long-help.
headings=$(grep -E '^(source|Kafka|records|delivery|operations|general):$' "$OUT/help-run.out" | tr '\n' ' ')
expect "run --help groups the options (got: $headings)" \
  test "$headings" = "source: Kafka: records: delivery: operations: general: "
expect "run --help does not list CAF's options" \
  bash -c "! grep -q -- '--scheduler\.\|--middleman\.\|--logger\.' '$OUT/help-run.out'"
expect "run --help says it prints to stdout" grep -q 'print this help to stdout' "$OUT/help-run.out"
"$B" run --long-help >"$OUT/long-help-run.out" 2>&1
expect "run --long-help lists CAF's options after ours" \
  awk '/--binlog2kafka\.name=/ { ours = NR } /--scheduler\.policy=/ { caf = NR }
       END { exit !(ours && caf && ours < caf) }' "$OUT/long-help-run.out"

# -- no config file -----------------------------------------------------------
# With neither a config file nor options, run says so (and where it looked)
# before it tries the defaults.
mkdir -p "$OUT/no-config"
(cd "$OUT/no-config" && exec "$B" run) >"$OUT/no_config.out" 2>"$OUT/no_config.err" </dev/null &
no_config_pid=$!
wait_for 30 "run without a config file to say so" grep -q 'no config file' "$OUT/no_config.err"
kill "$no_config_pid" 2>/dev/null || true
wait "$no_config_pid" 2>/dev/null || true
expect "run without a config file says where it looked: $(head -n 1 "$OUT/no_config.err")" \
  grep -qE "^binlog2kafka: warning: run: no config file: none given \(--config-file=FILE\) and no .*/no-config/caf-application\.ini" \
  <(head -n 1 "$OUT/no_config.err")

# -- options ------------------------------------------------------------------
check run_unknown_option one-line "unknown option '--binlog2kafka\.bogus=1'" -- \
  "$B" run "${ARGS[@]}" --binlog2kafka.bogus=1
check run_unknown_argument one-line "unknown argument 'extra'" -- \
  "$B" run "${ARGS[@]}" extra
check dump_unknown_option first-line "unknown option '--bogus'" -- \
  "$B" dump --bogus
check unknown_command first-line "unknown command 'frobnicate'" -- \
  "$B" frobnicate
check bad_from one-line "binlog2kafka\.from: 'xyz' is not FILE:POS" -- \
  "$B" run "${ARGS[@]}" --binlog2kafka.from=xyz
check bad_initial one-line "binlog2kafka\.initial: must be end or start" -- \
  "$B" run "${ARGS[@]}" --binlog2kafka.initial=middle
check password_in_url one-line "holds a password" -- \
  "$B" run "${ARGS[@]}" --binlog2kafka.source="mysql://b2k:secret@127.0.0.1:$MARIADB_PORT"
printf '[binlog2kafka]\nbogus-key=1\n' >"$OUT/unknown-key.ini"
# (Were the key ignored, the missing password file would stop the run at once
# with another error, instead of going on to connect with defaults.)
check config_unknown_key one-line "unknown-key.ini: unknown key 'bogus-key'" -- \
  "$B" run --config-file="$OUT/unknown-key.ini" --binlog2kafka.source-password-file="$OUT/no-such-password"
printf '[binlog2kafka]\nserver-id="many"\n' >"$OUT/wrong-type.ini"
check config_wrong_type one-line "wrong-type.ini: .*server-id" -- \
  "$B" run --config-file="$OUT/wrong-type.ini"
check config_file_missing one-line "cannot read config file \"$OUT/no-such\.ini\": No such file or directory" -- \
  "$B" run --config-file="$OUT/no-such.ini"
check config_file_directory one-line "cannot read config file \"$OUT\": Is a directory" -- \
  "$B" run --config-file="$OUT"
printf '[binlog2kafka]\nname = "demo"\nsource = "mysql://b2k@127.0.0.1:1\nbrokers = "x"\n' >"$OUT/unclosed.ini"
check config_unclosed_quote one-line "unclosed\.ini: line 3: unexpected end of line" -- \
  "$B" run --config-file="$OUT/unclosed.ini"
check dump_config_missing one-line "cannot read config file \"$OUT/no-such\.ini\": No such file" -- \
  "$B" dump --config-file="$OUT/no-such.ini" --file=x

# -- password -----------------------------------------------------------------
check password_file_missing one-line "source-password-file: cannot read '$OUT/no-such-password'" -- \
  "$B" run "${ARGS[@]}" --binlog2kafka.source-password-file="$OUT/no-such-password"
# Root reads a mode-000 file anyway: as root, the check runs as nobody
# (setpriv, util-linux), with a copy of the binary and the sanitizers'
# suppressions in a directory nobody can reach (the build tree may be under
# a home nobody cannot enter).
printf 'b2k-secret' >"$OUT/unreadable-password"
chmod 000 "$OUT/unreadable-password"
AS_USER=()
B_UNPRIV=$B
if [[ $(id -u) -eq 0 ]]; then
  command -v setpriv >/dev/null || fail "setpriv not found (util-linux; deploy/install-deps.sh installs it)"
  UNPRIV=$(mktemp -d /tmp/b2k-cli-errors.XXXXXX)
  chmod 755 "$UNPRIV"
  cp "$B" "$UNPRIV/binlog2kafka"
  cp "$B2K_SANITIZERS_DIR/lsan.supp" "$UNPRIV/lsan.supp"
  chmod 755 "$UNPRIV/binlog2kafka" && chmod 644 "$UNPRIV/lsan.supp"
  mv "$OUT/unreadable-password" "$UNPRIV/unreadable-password"
  B_UNPRIV=$UNPRIV/binlog2kafka
  AS_USER=(env "LSAN_OPTIONS=${LSAN_OPTIONS//$B2K_SANITIZERS_DIR/$UNPRIV}"
    setpriv --reuid=nobody --regid=nogroup --clear-groups)
  # The same command reads a readable file as nobody: only the mode differs.
  printf 'b2k-secret' >"$UNPRIV/readable-password"
  chmod 644 "$UNPRIV/readable-password"
  rc=0
  "${AS_USER[@]}" "$B_UNPRIV" run "${ARGS[@]}" --binlog2kafka.source-password-file="$UNPRIV/readable-password" \
    --binlog2kafka.from=xyz >"$OUT/as_nobody.out" 2>"$OUT/as_nobody.err" </dev/null || rc=$?
  expect "as nobody, a readable password file passes (the run stops at the bad --from next, exit $rc)" \
    grep -q "binlog2kafka\.from: 'xyz' is not FILE:POS" "$OUT/as_nobody.err"
  log "password_file_unreadable runs as $("${AS_USER[@]}" id -un) (uid $("${AS_USER[@]}" id -u))"
  PASSWORD_DIR=$UNPRIV
else
  PASSWORD_DIR=$OUT
fi
check password_file_unreadable one-line "source-password-file: cannot read '$PASSWORD_DIR/unreadable-password'" -- \
  "${AS_USER[@]}" "$B_UNPRIV" run "${ARGS[@]}" --binlog2kafka.source-password-file="$PASSWORD_DIR/unreadable-password"
[[ -z ${UNPRIV:-} ]] || rm -rf "$UNPRIV"
check password_file_is_directory one-line "source-password-file: cannot read" -- \
  "$B" run "${ARGS[@]}" --binlog2kafka.source-password-file="$OUT"
printf 'not-the-password\n' >"$OUT/wrong-password"
check wrong_password any-line "error.*Access denied for user 'b2k'" -- \
  "$B" run "${ARGS[@]}" --binlog2kafka.source-password-file="$OUT/wrong-password"
check dump_wrong_password one-line "Access denied for user 'b2k'" -- \
  "$B" dump --source="$SOURCE_URL" --password-file="$OUT/wrong-password"

# -- an unreachable source ------------------------------------------------------
# Nothing listens on port 1: the reason in words, not "(111)".
check dump_connection_refused one-line "127\.0\.0\.1:1: .*connection refused: nothing listens on 127\.0\.0\.1:1" -- \
  "$B" dump --source=mysql://b2k@127.0.0.1:1 --password-file="$PASSWORD_FILE"
# run retries it; a SIGTERM before any connection stops it cleanly.
# (timeout: it cannot outlive the test if the test fails early)
timeout -s KILL 120 "$B" run "${ARGS[@]}" --binlog2kafka.name=unreachable \
  --binlog2kafka.source=mysql://b2k@127.0.0.1:1 >"$OUT/unreachable.out" 2>"$OUT/unreachable.err" </dev/null &
unreachable_pid=$!
wait_for 60 "run to log the refused connection" grep -q 'connection refused' "$OUT/unreachable.err"
kill -TERM "$unreachable_pid"
rc=0
wait "$unreachable_pid" || rc=$?
expect "run names the refused connection in words: $(grep -m 1 'connection refused' "$OUT/unreachable.err")" \
  grep -q 'reader: cannot connect .*connection refused: nothing listens on 127\.0\.0\.1:1' "$OUT/unreachable.err"
expect "SIGTERM before the first connection exits 0 (exit $rc)" test "$rc" -eq 0
expect "SIGTERM before the first connection names no position" \
  bash -c "! grep -q 'stopped at :' '$OUT/unreachable.err' && grep -q 'stopped before reading anything' '$OUT/unreachable.err'"

# -- server settings ----------------------------------------------------------
restore_settings() {
  sql -e "SET GLOBAL binlog_format=ROW; SET GLOBAL binlog_row_metadata=FULL"
}
sql -e "SET GLOBAL binlog_format=STATEMENT"
check binlog_format_statement any-line "error.*binlog_format is STATEMENT.*needs ROW" -- \
  "$B" run "${ARGS[@]}"
restore_settings
sql -e "SET GLOBAL binlog_row_metadata=MINIMAL"
check binlog_row_metadata_minimal any-line "error.*binlog_row_metadata is MINIMAL.*needs FULL" -- \
  "$B" run "${ARGS[@]}"
restore_settings
[[ $(sql -e "SELECT @@global.binlog_format, @@global.binlog_row_metadata") == $'ROW\tFULL' ]] ||
  fail "could not restore binlog_format=ROW, binlog_row_metadata=FULL"

# -- a second instance with the same name -----------------------------------
# (It waits for the source lock for a while before it gives up.)
daemon_start_ready
check second_instance any-line "error.*another binlog2kafka named '$SOURCE_NAME'" -- \
  "$B" run "${ARGS[@]}"
daemon_running || fail "the first instance stopped when the second one was refused"
daemon_stop
[[ $DAEMON_RC -eq 0 ]] || fail "binlog2kafka exited with status $DAEMON_RC after SIGTERM, expected 0"

# -- purged position ----------------------------------------------------------
sql -e "CREATE TABLE demo.cli (id INT PRIMARY KEY); INSERT INTO demo.cli VALUES (1); FLUSH BINARY LOGS"
first=$(sql -e "SHOW BINARY LOGS" | awk 'NR == 1 {print $1}')
last=$(master_status | awk '{print $1}')
# MariaDB purges a file only once its binlog checkpoint has passed: retry.
purged() {
  sql -e "PURGE BINARY LOGS TO '$last'"
  ! sql -e "SHOW BINARY LOGS" | has_line "^${first}[[:space:]]"
}
wait_for 30 "the server purged $first" purged
check purged_position any-line "error.*(purged|Could not find first log file)" -- \
  "$B" run "${ARGS[@]}" --binlog2kafka.from="$first:4"

# -- dump of bad files --------------------------------------------------------
check dump_missing_file one-line "cannot open $OUT/no-such-file" -- \
  "$B" dump --file="$OUT/no-such-file"
printf 'this is not a binlog\n' >"$OUT/text-file"
check dump_not_a_binlog one-line "$OUT/text-file: not a binlog file" -- \
  "$B" dump --file="$OUT/text-file"
: >"$OUT/empty-file"
check dump_empty_file one-line "$OUT/empty-file: not a binlog file" -- \
  "$B" dump --file="$OUT/empty-file"

# A complete binlog (rotated away, so the server no longer writes to it) with
# rows in it, then copies cut or damaged in the middle of its rows event.
sql -e "INSERT INTO demo.cli VALUES (2),(3); FLUSH BINARY LOGS"
binlog=$(sql -e "SHOW BINARY LOGS" | awk '{f[NR] = $1} END {print f[NR - 1]}')
cp "$STATE/mariadb/data/$binlog" "$OUT/complete.bin"
"$B" dump --file="$OUT/complete.bin" >"$OUT/complete.json" ||
  fail "dump of the complete binlog $binlog failed"
grep -q '"after":{"id":3}' "$OUT/complete.json" ||
  fail "dump of the complete binlog $binlog does not show the inserted row"
# SHOW BINLOG EVENTS: Log_name Pos Event_type Server_id End_log_pos Info
read -r rows_pos rows_end < <(sql -e "SHOW BINLOG EVENTS IN '$binlog'" |
  awk -F '\t' '$3 ~ /^Write_rows/ {print $2, $5; exit}')
[[ -n $rows_pos && -n $rows_end ]] || fail "no Write_rows event in $binlog"
middle=$(((rows_pos + rows_end) / 2))
head -c "$middle" "$OUT/complete.bin" >"$OUT/truncated.bin"
check dump_truncated one-line "$OUT/truncated.bin at offset $rows_pos: .*past the end of the file" -- \
  "$B" dump --file="$OUT/truncated.bin"
# Cut inside the header of the first event.
head -c 12 "$OUT/complete.bin" >"$OUT/truncated-header.bin"
check dump_truncated_header one-line "$OUT/truncated-header.bin at offset 4: truncated event header" -- \
  "$B" dump --file="$OUT/truncated-header.bin"
# A flipped byte in the row data: the CRC32 check catches it.
cp "$OUT/complete.bin" "$OUT/corrupt.bin"
printf '\xff' | dd of="$OUT/corrupt.bin" bs=1 seek=$((rows_end - 8)) conv=notrunc status=none
check dump_bad_checksum one-line "$OUT/corrupt.bin at offset $rows_pos: checksum mismatch" -- \
  "$B" dump --file="$OUT/corrupt.bin"

# -- position -----------------------------------------------------------------
check position_none one-line "nobody" -- \
  "$B" position --binlog2kafka.name=nobody --binlog2kafka.brokers="$BROKERS"

[[ $FAILURES -eq 0 ]] || fail "$FAILURES check(s) failed"
