#!/usr/bin/env bash
# `dump` shows a progress line (rows, rate, percent of the files) on stderr
# when stderr is a terminal and stdout is not, and nothing otherwise; the
# records on stdout are the same either way. The terminal is a pty from
# script(1). Starts no server.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v script >/dev/null || fail "script(1) not found (util-linux)"
OUT=$STATE/out
rm -rf "$STATE"
mkdir -p "$OUT"
FILE=$B2K_SOURCE_DIR/tests/data/mariadb_records.000001
files=()
for _ in $(seq 1 200); do files+=("--file=$FILE"); done

# Not a terminal: no progress line, stderr stays empty.
"$B2K_BINARY" dump "${files[@]}" >"$OUT/plain.jsonl" 2>"$OUT/plain.err" || fail "dump failed: $(cat "$OUT/plain.err")"
[[ ! -s $OUT/plain.err ]] || fail "dump wrote to stderr without a terminal: $(head -c 300 "$OUT/plain.err")"
records=$(wc -l <"$OUT/plain.jsonl")
((records > 0)) || fail "dump printed no records"

# stderr a terminal, stdout a file: the progress line, ending in a summary.
cmd=$(printf '%q ' "$B2K_BINARY" dump "${files[@]}")
script -qec "$cmd >$(printf '%q' "$OUT/tty.jsonl")" "$OUT/tty.typescript" >/dev/null </dev/null ||
  fail "dump under a terminal failed: $(tail -c 300 "$OUT/tty.typescript")"
cmp -s "$OUT/plain.jsonl" "$OUT/tty.jsonl" || fail "dump printed other records on a terminal"
python3 - "$OUT/tty.typescript" <<'PY' || fail "no progress line on the terminal (see $OUT/tty.typescript)"
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace", newline="").read()
# Each draw starts with a carriage return and erases the rest of the line.
draws = [d for d in re.split(r"\r", text) if d.startswith("dump: ")]
assert draws, repr(text[:300])
last = draws[-1]
m = re.match(r"dump: ([0-9,]+) rows in [0-9.]+ s \(([0-9,]+) rows/s\), 100%\x1b\[K$", last)
assert m, repr(last)
# The summary ends the line (the terminal shows \n as \r\n).
assert "100%\x1b[K\r\n" in text, "the summary line does not end with a newline"
assert int(m.group(1).replace(",", "")) > 0, last
print("dump progress: %d line(s), last: %s" % (len(draws), last[:-3]))
PY

# stdout a terminal too: the records are the progress, no line between them.
script -qec "$(printf '%q ' "$B2K_BINARY" dump "--file=$FILE")" "$OUT/both.typescript" >/dev/null </dev/null ||
  fail "dump to a terminal failed"
! grep -q "rows/s" "$OUT/both.typescript" || fail "a progress line among records printed to the terminal"
log "ok: progress line on a terminal only; $records records the same either way"
