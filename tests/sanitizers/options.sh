# shellcheck shell=bash
# Sanitizer settings for the Debug+ASan/UBSan build, sourced by tests/run.sh
# (for every ctest test) and tests/integration/lib.sh (a test run by hand).
# Values already in the environment win.
#  - ASan: stop at the first error; leak checking on, with the suppressions
#    in lsan.supp (empty today) rather than detect_leaks=0.
#  - UBSan: a stack trace, and stop (the build also has
#    -fno-sanitize-recover=undefined).
B2K_SANITIZERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$B2K_SANITIZERS_DIR/lsan.supp:print_suppressions=0}
