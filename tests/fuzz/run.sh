#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (in build-fuzz/, or $B2K_FUZZ_BUILD)
# and runs each for a bounded time.
#
# Usage: tests/fuzz/run.sh [seconds per target, default 60] [extra libFuzzer
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
ninja -C "$BUILD" -j"${B2K_JOBS:-2}" decoder_fuzz

work=$BUILD/tests/fuzz/corpus
artifacts=$BUILD/tests/fuzz/fuzz-artifacts/
mkdir -p "$work" "$artifacts"
"$BUILD/tests/fuzz/decoder_fuzz" -max_total_time="$SECONDS_PER_TARGET" \
  -rss_limit_mb=1024 -timeout=5 -print_final_stats=1 \
  -artifact_prefix="$artifacts" "$@" "$work" "$HERE/corpus"
