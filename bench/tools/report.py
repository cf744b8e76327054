#!/usr/bin/env python3
"""Writes bench/results/<date>[-quick].md and .png from bench/run.sh's
results.jsonl and meta.json, and (with --readme) replaces the README's
performance section (between the bench markers) with the same table."""
import argparse
import datetime
import json
import os
import re
import statistics
import subprocess

ap = argparse.ArgumentParser()
ap.add_argument("--results", required=True)
ap.add_argument("--meta", required=True)
ap.add_argument("--outdir", required=True)
ap.add_argument("--readme", default=None)
ap.add_argument("--producer-cpu", default=None)
ap.add_argument("--perf-threads", default=None)
a = ap.parse_args()

runs = [json.loads(l) for l in open(a.results) if l.strip()]
meta = json.load(open(a.meta))


def aggregate(records):
    """One pipeline record per tool, workload and pinning: the median of
    its runs (rows/s and CPU), with the spread (min-max rows/s) and count."""
    groups, out = {}, []
    for r in records:
        if r.get("kind") == "pipeline":
            key = (r["tool"], r["workload"], int(r.get("pinned") or 0))
            groups.setdefault(key, []).append(r)
        else:
            out.append(r)
    for rs in groups.values():
        rates = sorted(x.get("rows_per_s") or 0 for x in rs)
        m = dict(sorted(rs, key=lambda x: x.get("rows_per_s") or 0)[(len(rs) - 1) // 2])
        m["runs"] = len(rs)
        m["rate_min"], m["rate_max"] = rates[0], rates[-1]
        m["rows_per_s"] = statistics.median(rates)
        cpus = [x["cpu_window_s"] for x in rs if x.get("cpu_window_s") is not None]
        if cpus:
            m["cpu_window_s"] = statistics.median(cpus)
        m["peak_rss_mb"] = max((x.get("peak_rss_mb") or 0) for x in rs) or None
        m["complete"] = all(x.get("complete") for x in rs)
        out.append(m)
    return out


rows = aggregate(runs)
TOOLS = ["binlog2kafka", "debezium", "maxwell", "canal"]
NAMES = {"binlog2kafka": "binlog2kafka", "debezium": "Debezium", "maxwell": "Maxwell",
         "canal": "go-mysql canal", "mariadb-binlog": "mariadb-binlog -v",
         "python-mysql-replication": "python-mysql-replication"}
WL = {"W1": "W1 backlog", "W2": "W2 1,000 tx/s", "W3": "W3 mixed backlog",
      "W4": "W4 one big transaction", "W6": "W6 1,000 tables"}


def fmt(v, nd=0):
    if v is None:
        return "—"
    if isinstance(v, str):
        return v
    return f"{v:,.{nd}f}"


def get(kind, tool, workload=None, pinned=0):
    for r in rows:
        if r.get("kind") == kind and r.get("tool") == tool and (
                workload is None or r.get("workload") == workload) and (
                kind != "pipeline" or int(r.get("pinned") or 0) == pinned):
            return r
    return None


def rate_text(r):
    """Median rows/s, and with several runs their number and spread."""
    if not r or r.get("rows_per_s") is None:
        return "—"
    text = fmt(r["rows_per_s"])
    if (r.get("runs") or 1) > 1:
        text += f" (n={r['runs']}, {fmt(r['rate_min'])}–{fmt(r['rate_max'])})"
    return text


def workload_info(w):
    for r in rows:
        if r.get("kind") == "workload" and r.get("workload") == w:
            return r
    return {}


def per_m(cpu, n):
    if cpu is None or not n:
        return None
    return cpu / n * 1e6


now = datetime.datetime.now()
stem = now.strftime("%Y-%m-%d") + ("-quick" if meta["mode"] == "quick" else "")
os.makedirs(a.outdir, exist_ok=True)
md_path = os.path.join(a.outdir, stem + ".md")
png_path = os.path.join(a.outdir, stem + ".png")

# -- machine ---------------------------------------------------------------------
cpu_model = "?"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu_model = line.split(":", 1)[1].strip()
        break
cores = os.cpu_count()
mem_gb = int(open("/proc/meminfo").readline().split()[1]) / 1024 / 1024
loads = [r.get("load_at_start", r.get("load")) for r in rows
         if r.get("kind") in ("pipeline", "decode", "latency")]
loads = [float(x) for x in loads if x is not None]
kernel = os.uname().release

# -- main table --------------------------------------------------------------------
table = []  # (tool, workload, rows/s, p99, rss, cpu/M, ratio, load)
b2k = {}
for w in ("W1", "W3", "W4", "W6"):
    r = get("pipeline", "binlog2kafka", w)
    b2k[w] = r.get("rows_per_s") if r else None
b2k_p99 = (get("latency", "binlog2kafka") or {}).get("p99_ms")
notes = []
for w in ("W1", "W2", "W3", "W4", "W6"):
    for t in TOOLS:
        if t not in meta["tools"]:
            continue
        miss = get("missing", t, w)
        if miss:
            table.append((NAMES[t], WL[w], "not run", "—", "—", "—", "—", "—", "—"))
            continue
        r = get("pipeline", t, w)
        pinned = get("pipeline", t, w, 1)
        if r is None and w != "W2":
            r = pinned  # measured pinned only
        if r is None:
            continue
        if w == "W2":
            lat = get("latency", t) or {}
            n = r.get("rows") or r.get("expect")
            cpu = per_m(r.get("cpu_window_s"), n)
            p99 = lat.get("p99_ms")
            ratio = (f"{p99 / b2k_p99:.1f}× p99" if p99 and b2k_p99 and t != "binlog2kafka"
                     else ("1" if t == "binlog2kafka" else "—"))
            table.append((NAMES[t], WL[w], fmt(meta["w2_rate"]), "—", fmt(p99, 1),
                          fmt(r.get("peak_rss_mb")), fmt(cpu, 1), ratio,
                          fmt(r.get("load_at_start"), 2)))
            continue
        rate = r.get("rows_per_s")
        note = ""
        if not r.get("complete"):
            note = f" (incomplete: {r.get('count'):,} of {r.get('expect'):,} records"
            note += " after the time limit)" if r.get("timed_out") else ", the tool stopped)"
        cpu = per_m(r.get("cpu_window_s"), r.get("rows"))
        ratio = ("1" if t == "binlog2kafka" else
                 (f"{b2k[w] / rate:.1f}×" if rate and b2k.get(w) else "—"))
        table.append((NAMES[t], WL[w],
                      (rate_text(r) + note) if r is not pinned else "—",
                      rate_text(pinned), "—", fmt(r.get("peak_rss_mb")),
                      fmt(cpu, 1), ratio, fmt(r.get("load_at_start"), 2)))

dec_b = get("decode", "binlog2kafka")
for t in ("binlog2kafka", "mariadb-binlog", "python-mysql-replication"):
    r = get("decode", t)
    if not r:
        continue
    ratio = "1" if t == "binlog2kafka" else (
        f"{dec_b['rows_per_s'] / r['rows_per_s']:.1f}×" if dec_b and r.get("rows_per_s") else "—")
    table.append((NAMES[t], "decode only (W1 binlog)", fmt(r.get("rows_per_s")), "—", "—",
                  fmt(r.get("peak_rss_mb")), fmt(per_m(r.get("cpu_s"), r.get("rows")), 2),
                  ratio, fmt(r.get("load"), 2)))
big = None
for r in rows:
    if r.get("kind") == "pipeline" and str(r.get("workload", "")).startswith("big-"):
        big = r
if big:
    n = int(big["workload"].split("-", 1)[1])
    table.append(("binlog2kafka", f"{n:,}-row transaction", fmt(big.get("rows_per_s")), "—", "—",
                  fmt(big.get("peak_rss_mb")), fmt(per_m(big.get("cpu_window_s"), n), 1), "—",
                  fmt(big.get("load_at_start"), 2)))

HEAD = ("| tool | workload | rows/s | rows/s pinned | p99 ms | peak RSS MB | CPU s per M rows | ratio to binlog2kafka | load |\n"
        "|---|---|--:|--:|--:|--:|--:|--:|--:|\n")


def table_md():
    return HEAD + "".join("| " + " | ".join(r) + " |\n" for r in table)


# -- details -------------------------------------------------------------------------
details = ["| tool | workload | pinned | run | records expected | in Kafka | launch → first s | first → last s | rows/s | tool CPU s | broker CPU s | MariaDB CPU s | peak RSS MB | load |",
           "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
for r in runs:
    if r.get("kind") != "pipeline":
        continue
    details.append("| " + " | ".join([
        NAMES.get(r["tool"], r["tool"]), r["workload"], "yes" if r.get("pinned") else "no",
        fmt(r.get("run", 1)), fmt(r.get("expect")), fmt(r.get("count")),
        fmt(r.get("launch_to_first_s"), 1), fmt(r.get("drain_s"), 1), fmt(r.get("rows_per_s")),
        fmt(r.get("cpu_window_s"), 1), fmt(r.get("kafka_cpu_window_s"), 1),
        fmt(r.get("mariadb_cpu_window_s"), 1), fmt(r.get("peak_rss_mb")),
        fmt(r.get("load_at_start"), 2)]) + " |")
lat_lines = ["| tool | probe rows | p50 ms | p95 ms | p99 ms | max ms | load after |",
             "|---|--:|--:|--:|--:|--:|--:|"]
for r in rows:
    if r.get("kind") == "latency":
        lat_lines.append("| " + " | ".join([
            NAMES.get(r["tool"], r["tool"]), fmt(r.get("n")), fmt(r.get("p50_ms"), 1),
            fmt(r.get("p95_ms"), 1), fmt(r.get("p99_ms"), 1), fmt(r.get("max_ms"), 1),
            fmt(r.get("load"), 2)]) + " |")
dec_lines = ["| decoder | rows | binlog MB | wall s | CPU s | rows/s | peak RSS MB | load |",
             "|---|--:|--:|--:|--:|--:|--:|--:|"]
for r in rows:
    if r.get("kind") == "decode":
        dec_lines.append("| " + " | ".join([
            r.get("command", NAMES.get(r["tool"], r["tool"])), fmt(r.get("rows")),
            fmt(r.get("binlog_mb")), fmt(r.get("wall_s"), 2), fmt(r.get("cpu_s"), 2),
            fmt(r.get("rows_per_s")), fmt(r.get("peak_rss_mb")), fmt(r.get("load"), 2)]) + " |")

# -- targets ----------------------------------------------------------------------------
targets = []
w1 = get("pipeline", "binlog2kafka", "W1")
if w1 and w1.get("rows_per_s"):
    v = w1["rows_per_s"]
    targets.append(f"- W1 drain ≥ 300,000 rows/s: {v:,.0f} rows/s — "
                   + ("met" if v >= 300000 else "**not met**"))
    peers = [(t, get("pipeline", t, "W1")) for t in TOOLS[1:]]
    peers = [(t, r) for t, r in peers if r and r.get("rows_per_s")]
    if peers:
        worst = min(v / r["rows_per_s"] for t, r in peers)
        closest = min(peers, key=lambda p: v / p[1]["rows_per_s"])
        cpu = lambda r: (r.get("cpu_window_s") or 0) / (r.get("rows") or 1) * 1e6
        targets.append(f"- ≥ 10× each peer on W1: the closest peer is {worst:.1f}× slower — "
                       + ("met" if worst >= 10 else "**not met**")
                       + (f" ({NAMES.get(closest[0], closest[0])} needs "
                          f"{cpu(closest[1]) / max(cpu(w1), 1e-9):.1f}× binlog2kafka's CPU per row)"
                          if cpu(w1) > 0 else ""))
# What the broker takes on this machine, from librdkafka alone (issue 14:
# W1 and W4 at 0.9x kcat -P with binlog2kafka's settings, same run).
pc_runs = ([json.loads(l) for l in open(a.producer_cpu) if l.strip()]
           if a.producer_cpu and os.path.exists(a.producer_cpu) else [])
pc = {}
for r in pc_runs:
    pc.setdefault((r["tool"], int(r.get("pinned") or 0)), []).append(r)
for key, rs in list(pc.items()):
    rates = sorted(x.get("rows_per_s") or 0 for x in rs)
    m = dict(rs[0])
    m.update(runs=len(rs), rate_min=rates[0], rate_max=rates[-1],
             rows_per_s=statistics.median(rates),
             cpu_window_s=statistics.median([x.get("cpu_window_s") or 0 for x in rs]),
             kafka_cpu_window_s=statistics.median([x.get("kafka_cpu_window_s") or 0 for x in rs]))
    pc[key] = m
for p in (0, 1):
    kcat = pc.get(("kcat-b2kconf", p))
    if not kcat or not kcat.get("rows_per_s"):
        continue
    how = "pinned (tool on core 1, broker and MariaDB on core 0)" if p else "unpinned"
    for w in ("W1", "W4"):
        r = get("pipeline", "binlog2kafka", w, p)
        if r and r.get("rows_per_s"):
            ratio = r["rows_per_s"] / kcat["rows_per_s"]
            targets.append(f"- {w} ≥ 0.9× `kcat -P` ({how}): {rate_text(r)} rows/s vs "
                           f"kcat {rate_text(kcat)} records/s = {ratio:.2f}× — "
                           + ("met" if ratio >= 0.9 else "**not met**"))
    same = pc.get(("b2k", p))
    if same and same.get("rows_per_s"):
        targets.append(f"  - the same W1-shaped records through `binlog2kafka run` in "
                       f"bench/producer_cpu.sh ({how}): {rate_text(same)} rows/s = "
                       f"{same['rows_per_s'] / kcat['rows_per_s']:.2f}× kcat")
    # The yardstick: each tool's records sent by kcat, the two taking
    # turns run by run in bench/producer_cpu.sh (W4-shaped: before and after).
    for w, shape in (("W1", "w1"), ("W4", "w4")):
        b, k = pc.get((f"b2k-{shape}", p)), pc.get((f"kcat-{shape}", p))
        if b and k and b.get("rows_per_s") and k.get("rows_per_s"):
            ratio = b["rows_per_s"] / k["rows_per_s"]
            targets.append(f"- {w}-shaped records ≥ 0.9× `kcat -P` sending the same records, the two "
                           f"taking turns in bench/producer_cpu.sh ({how}): {rate_text(b)} rows/s vs "
                           f"kcat {rate_text(k)} records/s = {ratio:.2f}× — "
                           + ("met" if ratio >= 0.9 else "**not met**"))
for p in (0, 1):
    w3, w6 = get("pipeline", "binlog2kafka", "W3", p), get("pipeline", "binlog2kafka", "W6", p)
    if w3 and w6 and w3.get("rows_per_s") and w6.get("rows_per_s"):
        ratio = w6["rows_per_s"] / w3["rows_per_s"]
        targets.append(f"- W6 (1,000 tables, one topic each) ≥ 0.5× W3 ({'pinned' if p else 'unpinned'}): "
                       f"{rate_text(w6)} vs {rate_text(w3)} rows/s = {ratio:.2f}×, peak RSS "
                       f"{fmt(w6.get('peak_rss_mb'))} MB — " + ("met" if ratio >= 0.5 else "**not met**"))
if w1 and w1.get("rows_per_s") and w1.get("rows"):
    cpu_m = (w1.get("cpu_window_s") or 0) / w1["rows"] * 1e6
    targets.append(f"- W1 CPU ≤ 2.0 s per M rows: {cpu_m:.2f} s — "
                   + ("met" if cpu_m <= 2.0 else "**not met**"))
if b2k_p99 is not None:
    targets.append(f"- p99 < 50 ms at 1,000 tx/s: {b2k_p99:.1f} ms — "
                   + ("met" if b2k_p99 < 50 else "**not met**"))
if dec_b:
    targets.append(f"- decode ≥ 2,000,000 rows/s on one core: {dec_b['rows_per_s']:,.0f} rows/s — "
                   + ("met" if dec_b["rows_per_s"] >= 2e6 else "**not met**"))
if big:
    targets.append(f"- {big['workload'].split('-')[1]}-row transaction under 200 MB RSS: peak "
                   f"{big['peak_rss_mb']} MB in {big['launch_to_done_s']} s — "
                   + ("met" if big["peak_rss_mb"] < 200 and big.get("complete") else "**not met**"))

# -- chart ----------------------------------------------------------------------------------
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4), gridspec_kw={"width_ratios": [3, 1]})
    groups = ["W1", "W3", "W4", "decode"]
    series = ["binlog2kafka", "debezium", "maxwell", "canal", "mariadb-binlog",
              "python-mysql-replication"]
    colors = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#7f7f7f", "#bcbd22"]
    width = 0.13
    for i, s in enumerate(series):
        vals = []
        for g in groups:
            r = get("decode", s) if g == "decode" else get("pipeline", s, g)
            vals.append((r or {}).get("rows_per_s") or 0)
        if not any(vals):
            continue
        xs = [j + (i - 2.5) * width for j in range(len(groups))]
        ax1.bar(xs, vals, width, label=NAMES[s], color=colors[i])
    ax1.set_yscale("log")
    ax1.set_xticks(range(len(groups)))
    ax1.set_xticklabels(["W1 backlog", "W3 mixed", "W4 1 txn", "decode only"])
    ax1.set_ylabel("rows/s (log)")
    ax1.legend(fontsize=7, ncol=2)
    ax1.set_title(f"throughput ({meta['n']:,} rows)", fontsize=9)
    names, p99s = [], []
    for i, t in enumerate(TOOLS):
        r = get("latency", t)
        if r and r.get("p99_ms") is not None:
            names.append(NAMES[t].replace("go-mysql ", ""))
            p99s.append(r["p99_ms"])
    bars = ax2.bar(names, p99s, color=[colors[series.index(t)] for t in TOOLS
                                       if (get("latency", t) or {}).get("p99_ms") is not None])
    for b, v in zip(bars, p99s):
        ax2.annotate(f"{v:,.0f}", (b.get_x() + b.get_width() / 2, v), ha="center",
                     va="bottom", fontsize=7)
    ax2.set_yscale("log")
    ax2.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax2.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax2.set_title("W2 p99 ms at 1,000 tx/s", fontsize=9)
    ax2.tick_params(axis="x", labelsize=7, rotation=30)
    fig.tight_layout()
    fig.savefig(png_path, dpi=72)
    chart = True
except Exception as e:  # no chart rather than no results
    print(f"report: no chart: {e}")
    chart = False

# -- markdown ------------------------------------------------------------------------------
load_text = (f"{min(loads):.2f}–{max(loads):.2f} (1-minute load average at the start of each "
             "measurement, in the table)") if loads else "?"
tools_md = []
for t in TOOLS:
    if t not in meta["tools"]:
        continue
    m = meta["tools"][t]
    line = f"- **{NAMES[t]}**: {m['version']}. Settings that differ from its defaults: {m['settings']}."
    if m.get("unavailable"):
        line += f" **Not measured: {m['unavailable']}.**"
    tools_md.append(line)

wl = {w: workload_info(w) for w in ("W1", "W3", "W4", "W6")}
w6_text = (f"- W6: 1,000 tables shaped like sbtest1, {wl['W6'].get('rows', 0):,} rows written\n"
           "  round-robin (transactions of one INSERT into each table), one topic per\n"
           "  table, the topics created beforehand (1 partition).\n") if wl["W6"] else ""
md = f"""# Benchmark {now.strftime('%Y-%m-%d %H:%M')} ({meta['mode']} mode)

Made by `bench/run.sh{' --quick' if meta['mode'] == 'quick' else ''}` (binlog2kafka commit
{meta['commit']}). Every tool read the same binlog from the same MariaDB and
wrote to the same broker, one tool at a time, on this machine:

- {cores} cores ({cpu_model}), {mem_gb:.0f} GB memory, Linux {kernel}; shared
  with other engineers' builds and tests: load {load_text};
- MariaDB {meta['mariadb']} (deploy/mariadb.sh: ROW, FULL image and metadata,
  sync_binlog=0) and Kafka {meta['kafka']}, both on loopback; {meta['sysbench']}.

## Results

{table_md()}
- rows/s: row changes over the time from the first new record in the tool's
  topic to the last one expected (not from what the tool says): the
  broker's append times of the two (the bench's broker keeps
  `log.message.timestamp.type=LogAppendTime`), once the topics' end offsets,
  read every 100 ms, show them all; W2's rate is the offered load. With
  several runs: the median, then (n=runs, min–max).
- rows/s pinned: the same with the broker and MariaDB on core 0 and the
  tool on core 1 (`taskset`), so that they do not take turns on one core.
- p99 ms (W2 only): from the commit of a single-row transaction (its
  `UNIX_TIMESTAMP(NOW(6))` column) to the broker's append time of its record
  (`message.timestamp.type=LogAppendTime`), same clock (whole milliseconds:
  each latency reads up to 1 ms low).
- peak RSS: the kernel's VmHWM of the tool's process (the whole JVM for
  Debezium and Maxwell); CPU s per M rows: user+system CPU of the tool's
  process in the same window, per million rows.
- ratio: binlog2kafka's rows/s ÷ the tool's (how many times faster
  binlog2kafka is); for W2 the tool's p99 ÷ binlog2kafka's.

## Targets (reported, not asserted)

{chr(10).join(targets) if targets else '- (no binlog2kafka figures)'}

## Workloads

- W1: `sysbench oltp_insert prepare`, 1 table, {wl['W1'].get('rows', meta['n']):,} rows
  ({wl['W1'].get('binlog_mb', '?')} MB of binlog), written before the tool starts.
- W2: `sysbench bench/workloads/probe.lua --rate={meta['w2_rate']} --threads=2`,
  {meta['w2_rate'] * meta['w2_seconds']:,} single-row INSERT transactions
  ({meta['w2_seconds']} s), the tool streaming at the binlog's end.
- W3: `sysbench oltp_write_only --threads=2`, {meta['w3_events']:,} transactions:
  {wl['W3'].get('rows', 0):,} row changes, of them {wl['W3'].get('deletes', 0):,} deletes
  (binlog2kafka and Debezium also write a tombstone after each delete, by default).
- W4: `UPDATE sbtest1 SET k = k + 1` over all {wl['W4'].get('rows', 0):,} rows, one transaction.
{w6_text}- Decode only: each decoder on the W1 binlog file, pinned to one core
  (`taskset -c 1`), output to /dev/null, median of 3 (python-mysql-replication:
  one run, streaming the file from the server as its BinLogStreamReader does).
- Each backlog is drained by each tool from the binlog position before it
  (Debezium from its own offsets, which stood there); a run ends when the
  expected records are in Kafka, then the tool is stopped.

## Tools and settings

{chr(10).join(tools_md)}

Producer settings everywhere: acks=all and idempotence on; topics created by
the broker on first use (1 partition); the W2 probe topics pre-created with 1
partition and LogAppendTime. Before the first measurement the broker takes
a million lz4-compressed records from kcat (acks=all, idempotence on), so that
no tool pays for the broker JVM's warm-up: the first tool to meet a cold
broker was measured up to 2× slower.

## Details

Pipelines:

{chr(10).join(details)}

Latency (W2):

{chr(10).join(lat_lines)}

Decoders:

{chr(10).join(dec_lines)}
"""
if a.producer_cpu and os.path.exists(a.producer_cpu):
    md += """
## Where binlog2kafka's producer CPU goes (bench/producer_cpu.sh)

The W1-shaped records (one table, sysbench rows; W4-shaped in the -w4
runs) produced by `binlog2kafka run` and by `kcat -P` (librdkafka alone,
reading key/value lines from a file) into topics of their own, one run
after the other (the -w1 and -w4 pairs taking turns); CPU of the whole
process, of its librdkafka broker threads (`rdk:broker*`) and how often
they blocked (voluntary context switches: a wait in `poll()` with a
timeout, a lock), and the Kafka broker's CPU, per million records.

| run | what differs | pinned | rows/s | process CPU s/M | rdk:broker CPU s/M | rdk:broker blocking waits per M | Kafka CPU s/M | peak RSS MB | load |
|---|---|---|--:|--:|--:|--:|--:|--:|--:|
"""
    what = {"b2k": "binlog2kafka run, defaults (linger.ms=1, lz4, batch 10000/1 MB, idempotent, acks=all)",
            "b2k-nolz4": "kafka = [compression.type=none]",
            "b2k-linger50": "kafka = [linger.ms=50]", "b2k-linger20": "kafka = [linger.ms=20]",
            "kcat-b2kconf": "kcat -P with binlog2kafka's librdkafka settings",
            "kcat-nolz4": "the same, compression.type=none",
            "kcat-smallq": "the same, queue.buffering.max.messages=20000",
            "b2k-again": "binlog2kafka run, defaults, again",
            "kcat-defaults": "kcat -P, librdkafka defaults + acks=all, idempotence",
            "b2k-w1": "binlog2kafka run, defaults, taking turns with kcat-w1",
            "kcat-w1": "kcat -P, binlog2kafka's settings, taking turns with b2k-w1",
            "b2k-w4": "binlog2kafka run, defaults, W4-shaped records (UPDATE of every row)",
            "kcat-w4": "kcat -P, binlog2kafka's settings, the same W4-shaped records"}
    for (tool, p), r in pc.items():
        n = r.get("rows") or 1
        bt = r.get("rdk_broker_threads") or {}
        md += "| " + " | ".join([
            tool, what.get(tool, ""), "yes" if p else "no", rate_text(r),
            fmt((r.get("cpu_window_s") or 0) / n * 1e6, 2),
            fmt((bt.get("cpu_s") or 0) / n * 1e6, 2) if bt else "—",
            fmt((bt.get("wakeups") or 0) / n * 1e6) if bt else "—",
            fmt((r.get("kafka_cpu_window_s") or 0) / n * 1e6, 2),
            fmt(r.get("peak_rss_mb")), fmt(r.get("load_at_start"), 2)]) + " |\n"
    if a.perf_threads and os.path.exists(a.perf_threads):
        md += ("\n`perf record` (4 s) of the first binlog2kafka run, samples per thread:\n\n```\n"
               + "".join(l for l in open(a.perf_threads) if "%" in l)[:1500] + "```\n")
if chart:
    md += f"\n![throughput and latency]({os.path.basename(png_path)})\n"
with open(md_path, "w") as f:
    f.write(md)
print(f"report: wrote {md_path}" + (f" and {png_path}" if chart else ""))

if a.readme:
    text = open(a.readme).read()
    body = (f"<!-- bench:begin (bench/run.sh writes this section; edit bench/tools/report.py) -->\n"
            f"Measured by `bench/run.sh{' --quick' if meta['mode'] == 'quick' else ''}` on "
            f"{now.strftime('%Y-%m-%d')} on a {cores}-core, {mem_gb:.0f} GB machine shared with "
            f"other work (load {load_text.split(' (')[0]}), MariaDB and one Kafka broker on the "
            f"same machine, every tool with acks=all and idempotence; how and what: "
            f"[bench/results/{os.path.basename(md_path)}](bench/results/{os.path.basename(md_path)}).\n\n"
            + table_md() + "\n"
            + "\n".join(targets) + "\n<!-- bench:end -->\n")
    if "<!-- bench:begin" in text:
        text = re.sub(r"<!-- bench:begin.*?<!-- bench:end -->\n", lambda m: body, text, flags=re.S)
    else:
        section = ("## Performance\n\n" + body + "\nRun it yourself: `bench/run.sh --quick` "
                   "(a few minutes) or `bench/run.sh` (1M-row workloads and a 10M-row "
                   "transaction); `bench/decode.sh` and `bench/big_transaction.sh` alone.\n\n")
        if "\n## Layout" in text:
            text = text.replace("\n## Layout", "\n" + section + "## Layout", 1)
        else:
            text += "\n" + section
    with open(a.readme, "w") as f:
        f.write(text)
    print(f"report: updated the performance section of {a.readme}")
