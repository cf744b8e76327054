#!/usr/bin/env bash
# The test command of the README: everything on a fresh Debian 12 machine.
#
#   bash tests/run.sh [ctest args...]      e.g. bash tests/run.sh -L unit
#
# 1. deploy/install-deps.sh (apt-get installs only what is missing; needs
#    root or sudo),
# 2. a Debug build with AddressSanitizer and UBSan in build-debug/,
# 3. ctest --output-on-failure in build-debug/ with every label (unit and
#    integration) unless the arguments say otherwise, one test at a time;
#    B2K_TEST_JOBS=2 runs two at once (tests with servers take one of two
#    "servers" slots, tests/resources.json, each on ports of its own, and
#    the mutation check compiles on one core). Not the default yet: under
#    -j2, integration.distributed once hung at exit after SIGTERM (not yet
#    understood; see the note of stop 26),
# 4. without arguments: the libFuzzer target over the decoder for a bounded
#    time (B2K_FUZZ_SECONDS, 60 by default; 0 skips it), built with clang in
#    build-fuzz/.
# The integration tests start their own MariaDB and Kafka on 127.0.0.1 ports
# 23306/29092/29093 (23406/29192/29193 in the second slot) with state under
# build-debug/itest/, so a running demo (13306/19092, .state/) is left
# alone. Exits non-zero on any failure.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$REPO/build-debug
cd "$REPO"

t0=$SECONDS
phase() { echo "== tests/run.sh: $* (+$((SECONDS - t0))s)"; }

phase "installing missing Debian packages (deploy/install-deps.sh)"
bash deploy/install-deps.sh

phase "configuring a Debug build with sanitizers in $BUILD"
cmake -S "$REPO" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DB2K_SANITIZE=ON

phase "building (ninja -j2)"
ninja -C "$BUILD" -j2

source "$REPO/tests/sanitizers/options.sh"

jobs=${B2K_TEST_JOBS:-1}
[[ $jobs -le 1 ]] || export B2K_MUTATE_JOBS=${B2K_MUTATE_JOBS:-1}
phase "running ctest --output-on-failure -j$jobs $*"
cd "$BUILD"
rc=0
ctest --output-on-failure -j"$jobs" --resource-spec-file "$REPO/tests/resources.json" "$@" || rc=$?
phase "ctest exited with $rc"

if [[ $# -eq 0 && ${B2K_FUZZ_SECONDS:-60} -gt 0 ]]; then
  phase "fuzzing for ${B2K_FUZZ_SECONDS:-60}s: the decoder, the signal parser, the HTTP requests (tests/fuzz/run.sh)"
  bash "$REPO/tests/fuzz/run.sh" "${B2K_FUZZ_SECONDS:-60}" >"$BUILD/fuzz.log" 2>&1 || {
    tail -n 40 "$BUILD/fuzz.log"
    echo "tests/run.sh: the fuzzer found a crash, a hang or a leak (see above)"
    rc=1
  }
  grep -E '^(Done|stat::number_of_executed_units)' "$BUILD/fuzz.log" || true
fi
phase "done: exit $rc"
exit "$rc"
