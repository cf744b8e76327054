#!/usr/bin/env bash
# PENDING (fails on the current daemon; not run by ctest). test_purged_position
# with the message check of failure mode 6: starting at a purged position
# must log ONE error line that names the committed position (FILE:POS) and
# says it was purged. Today two lines say "reading the binlog failed on
# HOST:PORT: Could not find first log file name in binary log index file"
# (the reader's and the final "stopped: ..."), without the position.
PURGED_MESSAGE_CHECK=1
# shellcheck source=tests/integration/test_purged_position.sh
source "$(dirname "${BASH_SOURCE[0]}")/../test_purged_position.sh"
