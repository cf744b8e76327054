#!/usr/bin/env python3
"""kill -9 a process the moment its log shows a line, for fault tests that
must hit a narrow window (e.g. between "committing Kafka transaction" and
the commit's end: a shell loop polling the log every 0.1 s is too slow).

    kill_on_log.py --log FILE --offset BYTES --pid PID --pattern REGEX
                   [--skip N] [--timeout SECONDS] [--freeze-pid PID2]

Follows FILE from byte BYTES (polling every millisecond), skips the first N
matching lines, and on the next one sends SIGKILL to PID and prints that
line. Exit status 0 after the kill, 3 if PID exited or the timeout passed
first (nothing killed).

With --freeze-pid, PID2 (e.g. the Kafka broker) is stopped with SIGSTOP
first and continued with SIGCONT at the end, whatever happens, and the log
is followed from where it ends once PID2 is stopped (not from BYTES): what
PID asks of PID2 after a line written then (e.g. the broker's answer to the
EndTxn of "committing Kafka transaction N") cannot come before the kill,
however late a loaded machine lets this script follow the log.
"""

import argparse
import os
import re
import signal
import sys
import time


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) is not alive.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--log", required=True)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--pattern", required=True)
    ap.add_argument("--skip", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--freeze-pid", type=int, default=0)
    args = ap.parse_args()
    if not args.freeze_pid:
        return follow(args)
    # (SIGTERM ends the script through the finally below.)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.kill(args.freeze_pid, signal.SIGSTOP)
    try:
        args.offset = max(args.offset, os.path.getsize(args.log))
        return follow(args)
    finally:
        os.kill(args.freeze_pid, signal.SIGCONT)


def follow(args):
    pattern = re.compile(args.pattern)
    deadline = time.monotonic() + args.timeout
    skip = args.skip
    with open(args.log, "rb") as f:
        f.seek(args.offset)
        partial = b""
        while True:
            chunk = f.read()
            if chunk:
                partial += chunk
                *lines, partial = partial.split(b"\n")
                for raw in lines:
                    line = raw.decode("utf-8", "replace")
                    if not pattern.search(line):
                        continue
                    if skip > 0:
                        skip -= 1
                        continue
                    try:
                        os.kill(args.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        print(f"kill_on_log: pid {args.pid} exited before: {line}")
                        return 3
                    print(line)
                    return 0
                continue
            if not alive(args.pid):
                print(f"kill_on_log: pid {args.pid} exited; no match")
                return 3
            if time.monotonic() > deadline:
                print(f"kill_on_log: no match of {args.pattern!r} within {args.timeout}s")
                return 3
            time.sleep(0.001)


if __name__ == "__main__":
    sys.exit(main())
