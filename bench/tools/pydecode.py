#!/usr/bin/env python3
"""Decode-only rows/s of python-mysql-replication (PyPI mysql-replication).

    pydecode.py --port P --user U --password-file F --file binlog.000007
                --rows N --out results.jsonl

What the library does: it connects as a replica and streams the binlog from
FILE:4 (BinLogStreamReader, non-blocking), decoding every row event into
Python dicts; this counts the rows of WRITE/UPDATE/DELETE events until N
(or the end of the binlog) and reports rows/s and CPU seconds.
"""
import argparse
import json
import resource
import sys
import time

from pymysqlreplication import BinLogStreamReader
from pymysqlreplication.row_event import (DeleteRowsEvent, UpdateRowsEvent,
                                          WriteRowsEvent)

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--user", required=True)
ap.add_argument("--password-file", required=True)
ap.add_argument("--file", required=True)
ap.add_argument("--rows", type=int, required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--field", action="append", default=[])
a = ap.parse_args()

password = open(a.password_file).read().strip()
t0 = time.monotonic()
r0 = resource.getrusage(resource.RUSAGE_SELF)
stream = BinLogStreamReader(
    connection_settings={"host": "127.0.0.1", "port": a.port, "user": a.user,
                         "passwd": password},
    server_id=5403, log_file=a.file, log_pos=4, resume_stream=True,
    blocking=False,
    only_events=[WriteRowsEvent, UpdateRowsEvent, DeleteRowsEvent])
n = 0
for ev in stream:
    for row in ev.rows:  # decodes the row into a dict of column values
        n += 1
    if n >= a.rows:
        break
stream.close()
wall = time.monotonic() - t0
r1 = resource.getrusage(resource.RUSAGE_SELF)
cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
res = {"kind": "decode", "tool": "python-mysql-replication", "rows": n,
       "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
       "rows_per_s": round(n / wall, 1),
       "peak_rss_mb": round(r1.ru_maxrss / 1024, 1)}
for kv in a.field:
    k, v = kv.split("=", 1)
    res[k] = v
with open(a.out, "a") as f:
    f.write(json.dumps(res) + "\n")
print(json.dumps(res), file=sys.stderr)
