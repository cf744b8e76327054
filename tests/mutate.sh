#!/usr/bin/env bash
# The mutation check (issue 17 item 2): small, named bugs of the kind we
# fear, put one at a time into a scratch copy of the sources; the unit suites
# that guard that code must fail on each. A mutation they miss ("survived")
# fails the check, and so does one whose anchor (the exact code text it
# changes) is no longer in the file: a refactor must carry the list along.
#
#   bash tests/mutate.sh            all mutations
#   bash tests/mutate.sh NAME...    only these (names as in the table)
#   bash tests/mutate.sh --list     the names, files and suites
#
# The copy and its build (non-sanitized, -O1, ccache when there is one) live
# in $B2K_MUTATE_DIR (build-mutate/ by default; ctest points it into its
# build dir) and are reused: a second run rebuilds only what changed. Only
# the mutated file and the test binary are rebuilt per mutation, and only
# the suites (and tests) named for it run. The source tree is never touched.
# New core logic comes with its mutations: add them below, next to the
# suite that must catch them.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${B2K_MUTATE_DIR:-$REPO/build-mutate}
SRC=$WORK/src
BUILD=$WORK/build
LOGS=$WORK/logs
OPT=${B2K_MUTATE_OPT:--O1}
TEST_TIMEOUT=${B2K_MUTATE_TEST_TIMEOUT:-240}

names=() files=() suites=() tests=() olds=() news=()
# mutation NAME FILE SUITES TESTS OLD NEW
#   SUITES: CAF suite names separated by '|'; TESTS: a CAF test-name regex
#   ("" for every test of the suites). OLD must occur exactly once in FILE.
mutation() {
  names+=("$1") files+=("$2") suites+=("$3") tests+=("$4") olds+=("$5")
  news+=("$6")
}

# --- the watcher: releases only acknowledged prefixes, gives credit back,
# --- writes the commit log (also on a graceful stop), only under its lease
mutation watcher.release_on_any_ack actors/watcher.cpp actors.watcher "" \
  'auto acked = commit_map.find(head.seq);' \
  'auto acked = commit_map.begin();'
mutation watcher.half_credit actors/watcher.cpp actors.watcher "" \
  'self->send(reader, atom::credit_v, freed);' \
  'self->send(reader, atom::credit_v, freed / 2);'
mutation watcher.stop_skips_final_write actors/watcher.cpp actors.watcher "" \
  '      st.write_commit();
      return st.written;' \
  '      return st.written;'
mutation watcher.writes_without_lease actors/watcher.cpp actors.watcher "" \
  '  if (!lease_valid()) {' \
  '  if (false) {'

# --- the reader: spends credit per batch, stops at none, resumes with more
mutation reader.credit_not_spent actors/reader.cpp actors.reader "" \
  '  credit -= static_cast<int64_t>(bytes);' \
  ''
mutation reader.credit_replaced actors/reader.cpp actors.reader "" \
  'st.credit += static_cast<int64_t>(bytes);' \
  'st.credit = static_cast<int64_t>(bytes);'

# --- the producer: the commit log never moves back; exactly-once commits
# --- carry their position; an aborted transaction is sent again
mutation producer.late_release_written actors/producer.cpp \
  kafka.producer_faults 'late release' \
  '  if (seq <= written_seq)
    return;
  if (!txn) {' \
  '  if (!txn) {'
mutation producer.commit_without_position actors/producer.cpp \
  kafka.producer_faults 'position that covers' \
  '    if (!produce_commit(txn->end_seq, txn->end)) {' \
  '    if (false) {'
mutation producer.abort_not_resent actors/producer.cpp \
  kafka.producer_faults 'aborted transaction' \
  '    for (auto seq : txn->seqs)
      if (!produce(batches[seq]))
        return false;
    return true;' \
  '    return true;'

# --- the commit-log record
mutation commit_log.skip_rows_dropped kafka/commit_log.cpp kafka.commit_log "" \
  '  j["skip_rows"] = pos.skip_rows;' \
  '  j["skip_rows"] = 0;'

# --- a partition that starts again (its topic deleted and created again)
mutation partition_offsets.equal_passes kafka/partition_offsets.cpp \
  kafka.partition_offsets "" \
  '  if (offset > *last_highest_) {' \
  '  if (offset >= *last_highest_) {'
mutation partition_offsets.partition_ignored kafka/partition_offsets.cpp \
  kafka.partition_offsets "" \
  '  key k{topic, partition};' \
  '  key k{topic, 0};'

# --- positions: skip_rows, and XA transactions anchoring them
mutation position.row_released_early binlog/stream_position.cpp \
  binlog.records "restart" \
  '  row_out = row;
  return start_;' \
  '  row_out = row + 1;
  return start_;'
mutation decoder.skip_ignored binlog/decoder.cpp binlog.records "restart" \
  '    if (pos_.skip_row())
      continue;
    if (total_order == 1' \
  '    pos_.skip_row();
    if (total_order == 1'
mutation xa.skip_plus_one binlog/stream_position.cpp binlog.xa "" \
  'at.skip_rows = rows_since_anchor_;' \
  'at.skip_rows = rows_since_anchor_ + 1;'
mutation xa.newest_anchor binlog/stream_position.cpp binlog.xa "" \
  '  if (anchored_)
    return;
  anchored_ = true;' \
  '  anchored_ = true;'
mutation xa.anchor_released_early binlog/decoder.cpp binlog.xa "" \
  '  if (xa_.pending() == 0)
    pos_.release_anchor();' \
  '  pos_.release_anchor();'

# --- tombstones and key changes
mutation tombstone.dropped binlog/decoder.cpp binlog.records_tombstones "" \
  '    if (tombstone)
      emit(record_kind::tombstone, table.topic, row_in_txn);' \
  ''
mutation tombstone.delete_complete_early binlog/decoder.cpp binlog.records "restart" \
  '         tombstone ? row_in_txn - 1 : row_in_txn,' \
  '         row_in_txn,'
mutation key_change.as_update binlog/decoder.cpp binlog.records_key_change "" \
  '    bool key_change = event.op == row_op::update' \
  '    bool key_change = false && event.op == row_op::update'
mutation key_change.delete_complete binlog/decoder.cpp binlog.records_key_change "restart" \
  '      emit(record_kind::change, table.topic, row_in_txn - 1);
      if (encoder_.options().tombstones)' \
  '      emit(record_kind::change, table.topic, row_in_txn);
      if (encoder_.options().tombstones)'

# --- snapshots: a chunk goes out once the stream passed its high watermark,
# --- without the keys the stream changed since its low one, never inside a
# --- transaction
mutation snapshot.changed_keys_sent actors/reader.cpp actors.reader "chunk|watermark" \
  '            ch != changes.end() && ch->second >= since)' \
  '            ch != changes.end() && ch->second >= since && false)'
mutation snapshot.before_high_watermark actors/reader.cpp actors.reader "chunk|watermark" \
  '    if (!c.arrived || !passed(c.chunk.high)) {' \
  '    if (!c.arrived || (false && !passed(c.chunk.high))) {'
mutation snapshot.high_watermark_off_by_one actors/reader.cpp actors.reader "chunk|watermark" \
  '    return stream_end >= at.pos;' \
  '    return stream_end > at.pos;'
mutation snapshot.chunk_inside_transaction actors/reader.cpp actors.reader "chunk|watermark" \
  '  if (stream->dec().in_transaction() || credit <= 0)
    return;
  auto passed' \
  '  if (credit <= 0)
    return;
  auto passed'
mutation snapshot.position_in_a_column binlog/chunk_records.cpp binlog.chunk_records "" \
  'return value.rfind(unknown_position);' \
  'return value.find(unknown_position);'

if [[ ${1:-} == --list ]]; then
  for i in "${!names[@]}"; do
    printf '%-34s %-28s %s%s\n' "${names[$i]}" "${files[$i]}" "${suites[$i]}" \
      "${tests[$i]:+ -t ${tests[$i]}}"
  done
  exit 0
fi

# Which mutations: all, or the ones named.
selected=()
if [[ $# -eq 0 ]]; then
  selected=("${!names[@]}")
else
  for want in "$@"; do
    found=
    for i in "${!names[@]}"; do
      [[ ${names[$i]} == "$want" ]] && { selected+=("$i"); found=1; }
    done
    [[ -n $found ]] || { echo "mutate.sh: no mutation named $want" >&2; exit 2; }
  done
fi

# Replaces OLD by NEW in FILE; fails (exit 3) unless OLD occurs exactly once.
replace() {
  OLD=$2 NEW=$3 python3 - "$1" <<'EOF'
import os, sys
path = sys.argv[1]
old, new = os.environ["OLD"], os.environ["NEW"]
text = open(path).read()
n = text.count(old)
if n != 1:
    print(f"{path}: the anchor occurs {n} times, not once:\n{old}", file=sys.stderr)
    sys.exit(3)
open(path, "w").write(text.replace(old, new))
EOF
}

# Every anchor first, against the real tree: a stale list fails at once.
stale=0
for i in "${selected[@]}"; do
  n=$(OLD=${olds[$i]} python3 -c 'import os,sys; print(open(sys.argv[1]).read().count(os.environ["OLD"]))' "$REPO/${files[$i]}" 2>/dev/null || echo missing)
  if [[ $n != 1 ]]; then
    echo "mutate.sh: ${names[$i]}: its anchor occurs $n times in ${files[$i]}, not once (the code changed: update the mutation):" >&2
    printf '%s\n' "${olds[$i]}" | sed 's/^/    /' >&2
    stale=1
  fi
done
[[ $stale -eq 0 ]] || exit 1

t0=$SECONDS
mkdir -p "$SRC" "$BUILD" "$LOGS"
# The copy follows the tree; rsync writes only files whose content differs
# (with a new mtime), so that ninja rebuilds just those.
sync_tree() {
  (cd "$REPO" && { git ls-files -co --exclude-standard 2>/dev/null || find . -type f -not -path './build*' -not -path './.git/*'; }) \
    | grep -v '^build' >"$WORK/files"
  rsync -rl --checksum --files-from="$WORK/files" "$REPO/" "$SRC/"
}
sync_tree

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$WORK}
fi
if [[ ! -f $BUILD/build.ninja ]]; then
  cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_CXX_FLAGS="$OPT -g0" -DB2K_SANITIZE=OFF "${launcher[@]}" \
    >"$LOGS/configure.log" 2>&1 || { cat "$LOGS/configure.log"; exit 1; }
fi
jobs=${B2K_MUTATE_JOBS:-$(nproc)}
build() {
  ninja -C "$BUILD" -j"$jobs" b2k_unit_tests >"$1" 2>&1
}

run_suites() { # SUITES TESTS LOG
  local args=(-r "$TEST_TIMEOUT" -n -v 4 -s "^(${1//./\\.})$")
  [[ -n $2 ]] && args+=(-t "$2")
  # In a subshell: a suite that aborts is told in its log, not here.
  (
    timeout $((TEST_TIMEOUT + 60)) "$BUILD/tests/b2k_unit_tests" "${args[@]}" \
      >"$3" 2>&1
    exit $?
  ) 2>>"$3"
}

echo "== mutate.sh: building the unmutated copy in $BUILD ($OPT)"
build "$LOGS/build-base.log" || { tail -n 40 "$LOGS/build-base.log"; exit 1; }
echo "== mutate.sh: built (+$((SECONDS - t0))s); the suites must pass unmutated"
# The union of what the mutations run, grouped by suite and test filter.
declare -A base_runs=()
for i in "${selected[@]}"; do
  base_runs["${suites[$i]}#${tests[$i]}"]=1
done
for key in "${!base_runs[@]}"; do
  s=${key%%#*} t=${key#*#}
  log=$LOGS/base-${s//|/+}.log
  if ! run_suites "$s" "$t" "$log"; then
    tail -n 40 "$log"
    echo "mutate.sh: $s${t:+ (-t $t)} fails without any mutation: fix that first"
    exit 1
  fi
done
echo "== mutate.sh: baseline green (+$((SECONDS - t0))s)"

printf '%-34s %-40s %-9s %5s\n' MUTATION SUITE RESULT SECONDS
survived=()
current=""
for i in "${selected[@]}"; do
  name=${names[$i]} file=${files[$i]}
  started=$SECONDS
  # One mutation at a time: the file it changes is the original plus it.
  cp "$REPO/$file" "$SRC/$file"
  replace "$SRC/$file" "${olds[$i]}" "${news[$i]}"
  current=$file
  log=$LOGS/$name.log
  if ! build "$log.build"; then
    # A mutation that does not compile proves nothing: fix the list.
    result="no-build"
    survived+=("$name (does not compile: $log.build)")
  elif run_suites "${suites[$i]}" "${tests[$i]}" "$log"; then
    result="SURVIVED"
    survived+=("$name")
  else
    result="caught"
  fi
  printf '%-34s %-40s %-9s %5d\n' "$name" \
    "${suites[$i]}${tests[$i]:+ -t ${tests[$i]}}" "$result" $((SECONDS - started))
  cp "$REPO/$file" "$SRC/$file"
done

echo "== mutate.sh: ${#selected[@]} mutations in $((SECONDS - t0))s"
if [[ ${#survived[@]} -gt 0 ]]; then
  echo "mutate.sh: survived (no suite failed): ${survived[*]}"
  echo "  logs in $LOGS; a suite that should catch one needs a sharper test"
  exit 1
fi
echo "mutate.sh: every mutation was caught"
