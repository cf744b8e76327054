#!/usr/bin/env python3
"""Runs one CDC tool and measures it from the outside.

    monitor.py --tool T --workload W --topics A,B --expect N --rows R
               --out results.jsonl --log tool.log [--timeout S]
               [--pid-of kafka=PID --pid-of mariadb=PID]
               [--until-log REGEX] [--progress FILE] [--field k=v ...]
               -- COMMAND [ARGS...]

Starts COMMAND in its own session (output to --log), then every 100 ms:
  - sums the end offsets of --topics in Kafka (librdkafka's ListOffsets via
    confluent-kafka), minus what they held before the start: the records
    that are really in Kafka, whatever the tool says;
  - reads the tool's /proc/<pid>/stat (utime+stime) and /proc/<pid>/status
    (VmRSS, VmHWM), and the CPU of the other --pid-of processes.
It is done when N new records are in the topics (or, with --until-log, when
the tool's log matches REGEX), or after --timeout seconds. Then it stops the
tool (SIGTERM to its process group, SIGKILL after 60 s) and appends one JSON
line to --out: the drain window (first new record -> N-th: the broker's
append times of the two where the topics keep append times, else the 100 ms
samples), rows/s (R rows of change over that window; N may count tombstones
too), peak RSS (the kernel's
VmHWM), CPU seconds in the window and in total, and those of the others.
"""
import argparse
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time

from confluent_kafka import (Consumer, TopicPartition,
                             TIMESTAMP_LOG_APPEND_TIME)

from record import add_fields, append

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # fields[0] is state (field 3); utime is field 14, stime 15.
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return None


def thread_stats(pid, prefix="rdk:broker"):
    """CPU seconds and voluntary context switches (wake-ups) of the
    process's threads whose name starts with prefix (librdkafka's broker
    threads)."""
    cpu = 0.0
    switches = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                if not f.read().startswith(prefix):
                    continue
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / TICK
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        switches += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return {"cpu_s": round(cpu, 2), "wakeups": switches}


def memory_kb(pid):
    rss = hwm = None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


class Offsets:
    def __init__(self, brokers, topics):
        self.topics = topics
        self.consumer = Consumer({
            "bootstrap.servers": brokers,
            "group.id": "bench-monitor",
            "enable.auto.commit": False,
            "log_level": 3,
        })
        self.partitions = {}

    def ends(self):
        """{(topic, partition): end offset} of every partition there is."""
        md = self.consumer.list_topics(timeout=5)
        parts = []
        for t in self.topics:
            tm = md.topics.get(t)
            if tm is None or tm.error is not None:
                continue
            parts += [TopicPartition(t, p, -1) for p in tm.partitions]
        if not parts:
            return {}
        # Timestamp -1 asks for the latest offset (the high watermark): one
        # ListOffsets for all partitions, not one request each (W6 has 1,000
        # topics, and a tick must stay near 100 ms).
        return {(tp.topic, tp.partition): max(tp.offset, 0) for tp in
                self.consumer.offsets_for_times(parts, timeout=5)}

    def append_window(self, start):
        """The broker's append times (ms) of the first and the last record
        written after `start` ({(topic, partition): offset}), or None when
        the topics do not keep append times (message.timestamp.type is
        CreateTime: a tool's own clock) or a record cannot be read. Exact
        where the 100 ms sampling is not: a short drain ends between two
        samples."""
        try:
            ends = self.ends()
        except Exception as e:
            print(f"monitor: append window: {e}", file=sys.stderr)
            return None
        first, last = {}, {}
        for tp, end in ends.items():
            begin = start.get(tp, 0)
            if end > begin:
                first[tp], last[tp] = begin, end - 1
        if not first:
            return None
        stamps = {}
        # Each partition read at its first new record, then at its last
        # (the same one when it has one): a fetch brings the partition's
        # next batch, of which only the record at that offset counts.
        for which, offsets in (("first", first), ("last", last)):
            self.consumer.assign([TopicPartition(t, p, o)
                                  for (t, p), o in offsets.items()])
            need = dict(offsets)
            deadline = time.monotonic() + 60
            while need and time.monotonic() < deadline:
                m = self.consumer.poll(1.0)
                if m is None or m.error() is not None:
                    continue
                k = (m.topic(), m.partition())
                if need.get(k) != m.offset():
                    continue
                kind, ts = m.timestamp()
                if kind != TIMESTAMP_LOG_APPEND_TIME:
                    self.consumer.unassign()
                    return None
                stamps.setdefault(which, []).append(ts)
                del need[k]
            self.consumer.unassign()
            if need:
                print(f"monitor: append window: {len(need)} partitions "
                      "unread", file=sys.stderr)
                return None
        return min(stamps["first"]), max(stamps["last"])

    def total(self, previous=0):
        try:
            return sum(self.ends().values())
        except Exception as e:  # a slow broker: keep the last count
            print(f"monitor: offsets: {e}", file=sys.stderr)
            return previous


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--workload", required=True)
    ap.add_argument("--brokers", required=True)
    ap.add_argument("--topics", default="")
    ap.add_argument("--expect", type=int, default=0)
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--out", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--pid-of", action="append", default=[])
    ap.add_argument("--until-log", default=None)
    ap.add_argument("--progress", default=None)
    ap.add_argument("--field", action="append", default=[])
    ap.add_argument("--cwd", default=None)
    ap.add_argument("--stop-grace", type=float, default=60)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command")
    topics = [t for t in a.topics.split(",") if t]
    offsets = Offsets(a.brokers, topics) if topics else None
    # Where each partition stands before the start: the base of the count
    # and of the append window.
    try:
        start = offsets.ends() if offsets else {}
        base = sum(start.values())
    except Exception as e:  # a slow broker: no append window
        print(f"monitor: offsets: {e}", file=sys.stderr)
        start, base = None, 0
    others = dict(kv.split("=", 1) for kv in a.pid_of)
    other_cpu0 = {k: cpu_seconds(v) for k, v in others.items()}
    rx = re.compile(a.until_log) if a.until_log else None

    logf = open(a.log, "ab")
    t_launch = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True,
                            cwd=a.cwd)
    pid = proc.pid

    def stop_child(signum, _frame):
        # Stopped from outside (Ctrl-C, the harness): take the tool along.
        try:
            os.killpg(pid, signal.SIGTERM)
            proc.wait(timeout=a.stop_grace)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop_child)
    signal.signal(signal.SIGINT, stop_child)
    try:
        return measure(a, proc, pid, offsets, base, start, others, other_cpu0, rx,
                       logf, t_launch)
    except BaseException:
        if proc.poll() is None:
            os.killpg(pid, signal.SIGKILL)
        raise


def measure(a, proc, pid, offsets, base, start, others, other_cpu0, rx, logf,
            t_launch):
    t_first = t_done = None
    cpu_first = cpu_done = None
    other_first = {}
    other_done = {}
    count = 0
    peak_rss = 0
    last_cpu = 0.0
    timed_out = False
    exited = None
    log_pos = 0
    last_threads = None
    threads_first = None
    while True:
        now = time.monotonic()
        if offsets:
            count = offsets.total(count + base) - base
        c = cpu_seconds(pid)
        if c is not None:
            last_cpu = c
        rss, hwm = memory_kb(pid)
        peak_rss = max(peak_rss, rss or 0, hwm or 0)
        bt = thread_stats(pid)
        if bt and bt["cpu_s"] > 0:  # not yet a zombie
            last_threads = bt
        if t_first is None and count > 0:
            threads_first = last_threads
            t_first, cpu_first = now, last_cpu
            other_first = {k: cpu_seconds(v) for k, v in others.items()}
        done = offsets is not None and a.expect > 0 and count >= a.expect
        if rx is not None:
            try:
                with open(a.log, "rb") as f:
                    f.seek(log_pos)
                    chunk = f.read()
                if rx.search(chunk.decode("utf-8", "replace")):
                    done = True
                log_pos += max(0, len(chunk) - 4096)
            except OSError:
                pass
        if a.progress:
            with open(a.progress + ".tmp", "w") as f:
                f.write(f"{count}\n")
            os.replace(a.progress + ".tmp", a.progress)
        if done:
            t_done, cpu_done = now, last_cpu
            other_done = {k: cpu_seconds(v) for k, v in others.items()}
            break
        if proc.poll() is not None:
            exited = proc.returncode
            # A producer that exits when it is done (kcat -P): its last
            # records may show in the offsets a moment later.
            for _ in range(30):
                if not offsets or a.expect <= 0 or count >= a.expect:
                    break
                time.sleep(0.1)
                count = offsets.total(count + base) - base
            if offsets and a.expect > 0 and count >= a.expect:
                exited = None
                if t_first is None:
                    t_first, cpu_first = now, last_cpu
            now = time.monotonic()
            t_done, cpu_done = now, last_cpu
            other_done = {k: cpu_seconds(v) for k, v in others.items()}
            break
        if now - t_launch > a.timeout:
            timed_out = True
            t_done, cpu_done = now, last_cpu
            other_done = {k: cpu_seconds(v) for k, v in others.items()}
            break
        time.sleep(0.1)

    # librdkafka's broker threads, if any, before the process goes away.
    broker_threads = thread_stats(pid)
    if not broker_threads or broker_threads["cpu_s"] == 0:
        broker_threads = last_threads
    # The kernel's own peak, read before the process goes away.
    rss, hwm = memory_kb(pid)
    peak_rss = max(peak_rss, rss or 0, hwm or 0)
    total_cpu = cpu_seconds(pid) or last_cpu
    if proc.poll() is not None:
        # Reaped: its own accounting, exact to the end (the only child).
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        total_cpu = ru.ru_utime + ru.ru_stime
        cpu_done = total_cpu
    if proc.poll() is None:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=a.stop_grace)
        except subprocess.TimeoutExpired:
            os.killpg(pid, signal.SIGKILL)
            proc.wait()
    stop_rc = proc.returncode if exited is None else exited
    logf.close()

    res = {
        "kind": "pipeline",
        "tool": a.tool,
        "workload": a.workload,
        "expect": a.expect,
        "count": count,
        "complete": bool(a.expect) and count >= a.expect,
        "timed_out": timed_out,
        "exited_early": exited,
        "stop_rc": stop_rc,
        "launch_to_first_s": None if t_first is None else round(t_first - t_launch, 3),
        "launch_to_done_s": round(t_done - t_launch, 3),
        "peak_rss_mb": round(peak_rss / 1024, 1),
        "cpu_total_s": round(total_cpu, 2),
        "load1": float(open("/proc/loadavg").read().split()[0]),
    }
    if broker_threads and broker_threads["cpu_s"] > 0:
        # In the drain window, like cpu_window_s.
        f = threads_first or {"cpu_s": 0, "wakeups": 0}
        res["rdk_broker_threads"] = {
            "cpu_s": round(broker_threads["cpu_s"] - f["cpu_s"], 2),
            "wakeups": broker_threads["wakeups"] - f["wakeups"]}
    if t_first is not None:
        window = max(t_done - t_first, 0.1)
        res["drain_s_sampled"] = round(window, 3)
        # The broker's append times of the first and the last record, where
        # the topics keep them: exact to the millisecond.
        appended = (offsets.append_window(start)
                    if res["complete"] and start is not None else None)
        if appended is not None:
            window = max((appended[1] - appended[0]) / 1000, 0.001)
        res["drain_window"] = "append-time" if appended else "sampled"
        rows = a.rows if a.rows is not None else a.expect
        done_rows = rows if res["complete"] else int(rows * count / max(a.expect, 1))
        res.update({
            "drain_s": round(window, 3),
            "rows": rows,
            "rows_per_s": round(done_rows / window, 1),
            "cpu_window_s": round(cpu_done - cpu_first, 2),
        })
        for k in others:
            if other_first.get(k) is not None and other_done.get(k) is not None:
                res[f"{k}_cpu_window_s"] = round(other_done[k] - other_first[k], 2)
    for k in others:
        if other_cpu0.get(k) is not None and other_done.get(k) is not None:
            res[f"{k}_cpu_total_s"] = round(other_done[k] - other_cpu0[k], 2)
    add_fields(res, a.field)
    append(a.out, res)
    print(json.dumps(res), file=sys.stderr)
    return 0 if (res["complete"] or rx is not None) and not timed_out else 1


if __name__ == "__main__":
    sys.exit(main())
