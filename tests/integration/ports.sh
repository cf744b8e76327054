# shellcheck shell=bash
# Sourced by lib.sh (and before it by tests that pick ports of their own).
# `ctest -j2` (tests/run.sh) runs two tests with servers at once: each holds
# one slot of the "servers" resource (tests/resources.json), and slot N moves
# every default port of the tests up by 100 × N.
ITEST_SLOT=0
if [[ ${CTEST_RESOURCE_GROUP_0_SERVERS:-} =~ id:([0-9]+) ]]; then
  ITEST_SLOT=${BASH_REMATCH[1]}
fi
# itest_port BASE: BASE in slot 0, BASE + 100 × N in slot N.
itest_port() { echo $(($1 + 100 * ITEST_SLOT)); }
