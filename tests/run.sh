#!/usr/bin/env bash
# The test command of the README: everything on a fresh Debian 12 machine.
#
#   bash tests/run.sh [ctest args...]      e.g. bash tests/run.sh -L unit
#
# 1. deploy/install-deps.sh (apt-get installs only what is missing; needs
#    root or sudo),
# 2. a Debug build with AddressSanitizer and UBSan in build-debug/,
# 3. ctest --output-on-failure in build-debug/ with every label (unit and
#    integration) unless the arguments say otherwise.
# The integration tests start their own MariaDB and Kafka on 127.0.0.1 ports
# 23306/29092/29093 with state under build-debug/itest/, so a running demo
# (13306/19092, .state/) is left alone. Exits non-zero on any failure.
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

phase "running ctest --output-on-failure $*"
cd "$BUILD"
rc=0
ctest --output-on-failure "$@" || rc=$?
phase "done: ctest exited with $rc"
exit "$rc"
