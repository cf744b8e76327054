#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (in build-fuzz/, or $B2K_FUZZ_BUILD)
# and runs them for a bounded time in all: the decoder half of it, the
# signal parser and the status server's request handling a quarter each.
#
# Usage: tests/fuzz/run.sh [seconds in all, default 60] [extra libFuzzer
#        flags...]
# New inputs go to the build tree; a crash, leak, hang or out-of-memory input
# is written to <build>/tests/fuzz/fuzz-artifacts/ and the script exits
# non-zero. Once fixed, copy that input into tests/fuzz/corpus/ as a
# regression seed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=${B2K_FUZZ_BUILD:-$REPO/build-fuzz}
SECONDS_PER_TARGET=${1:-60}
shift || true

command -v clang++ >/dev/null ||
  { echo "fuzz: clang++ not found: apt-get install -y clang" >&2; exit 1; }

CC=clang CXX=clang++ cmake -S "$REPO" -B "$BUILD" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DB2K_FUZZ=ON \
  -DB2K_FUZZ_SECONDS="$SECONDS_PER_TARGET" >/dev/null
ninja -C "$BUILD" -j"${B2K_JOBS:-2}" decoder_fuzz signal_fuzz http_fuzz

artifacts=$BUILD/tests/fuzz/fuzz-artifacts/
mkdir -p "$artifacts"
extra=("$@")
quarter=$(( SECONDS_PER_TARGET / 4 ))
[ "$quarter" -ge 1 ] || quarter=1
# target, seconds, seed corpus
for run in "decoder_fuzz $(( SECONDS_PER_TARGET - 2 * quarter )) corpus" \
           "signal_fuzz $quarter corpus_signal" \
           "http_fuzz $quarter corpus_http"; do
  read -r target seconds seeds <<<"$run"
  work=$BUILD/tests/fuzz/$seeds
  mkdir -p "$work"
  echo "fuzz: $target for ${seconds}s"
  "$BUILD/tests/fuzz/$target" -max_total_time="$seconds" \
    -rss_limit_mb=1024 -timeout=5 -print_final_stats=1 \
    -artifact_prefix="$artifacts" ${extra[@]+"${extra[@]}"} "$work" \
    "$HERE/$seeds"
done
