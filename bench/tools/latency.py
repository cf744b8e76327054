#!/usr/bin/env python3
"""Commit -> Kafka latency of the probe rows.

    latency.py --brokers B --topic T --offset O --count N --skip S
               --tool X --out results.jsonl [--field k=v ...]

Reads N records of partition 0 of T from offset O (topics pre-created with
one partition and message.timestamp.type=LogAppendTime, so a record's
timestamp is the moment the broker appended it), takes the probe's
"ts_us" (the row's UNIX_TIMESTAMP(NOW(6)) in microseconds, evaluated by
MariaDB when the single-row INSERT ran, just before its commit) from the
value, whatever the envelope (Debezium, Maxwell, ours), and prints and
appends p50/p95/p99/max of append_time - ts_us. Same machine, one clock.
The first S records (warm-up rows) are left out.
"""
import argparse
import json
import re
import sys

from confluent_kafka import Consumer, TopicPartition, TIMESTAMP_LOG_APPEND_TIME

from record import add_fields, append

ap = argparse.ArgumentParser()
ap.add_argument("--brokers", required=True)
ap.add_argument("--topic", required=True)
ap.add_argument("--offset", type=int, required=True)
ap.add_argument("--count", type=int, required=True)
ap.add_argument("--skip", type=int, default=0)
ap.add_argument("--tool", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--field", action="append", default=[])
a = ap.parse_args()

c = Consumer({"bootstrap.servers": a.brokers, "group.id": "bench-latency",
              "enable.auto.commit": False, "log_level": 3})
c.assign([TopicPartition(a.topic, 0, a.offset)])
rx = re.compile(rb'"ts_us"\s*:\s*(\d+)')
lat = []
seen = 0
kinds = set()
idle = 0
while seen < a.count and idle < 50:
    msgs = c.consume(num_messages=10000, timeout=0.2)
    if not msgs:
        idle += 1
        continue
    idle = 0
    for m in msgs:
        if m.error():
            continue
        seen += 1
        if seen <= a.skip or m.value() is None:
            continue
        t = rx.search(m.value())
        if not t:
            continue
        kind, ts_ms = m.timestamp()
        kinds.add(kind)
        lat.append(ts_ms - int(t.group(1)) / 1000.0)
c.close()
lat.sort()


def pct(p):
    if not lat:
        return None
    i = min(len(lat) - 1, max(0, int(round(p / 100.0 * len(lat) + 0.5)) - 1))
    return round(lat[i], 2)


res = {"kind": "latency", "tool": a.tool, "workload": "W2", "n": len(lat),
       "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
       "max_ms": round(lat[-1], 2) if lat else None,
       "log_append_time": kinds == {TIMESTAMP_LOG_APPEND_TIME}}
add_fields(res, a.field)
append(a.out, res)
print(json.dumps(res), file=sys.stderr)
