#include "http/status_server.hpp"

namespace b2k::http {

// One self-contained page: no external assets, no build step, so it works
// offline and behind strict firewalls. It polls /status.json once a second
// (asking only for the chart samples it lacks) and draws the charts as SVG.
// The records view (#records=TOPIC) polls /records every two seconds.
const std::string& status_page() {
  static const std::string page = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>binlog2kafka</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<style>
  :root { --bg: #fff; --fg: #1d2127; --muted: #5f6b7a; --card: #f5f7fa;
          --line: #dde3ea; --read: #2f6fdb; --acked: #14915a; --lag: #c05621;
          --credit: #7b4fd6; --waiting: #b7791f; --bad: #c42b2b;
          --ok-bg: #d7f5dd; --warn-bg: #fff2c4; --bad-bg: #ffd6d6;
          --del: #ffe1e1; --add: #dcf5e3; }
  @media (prefers-color-scheme: dark) {
    :root { --bg: #14171c; --fg: #e4e8ee; --muted: #97a3b3; --card: #1e232b;
            --line: #313946; --read: #6ea2ff; --acked: #3ecf8e; --lag: #ff9a5c;
            --credit: #b49bff; --waiting: #f2c14e; --bad: #ff7b7b;
            --ok-bg: #1f4d2f; --warn-bg: #4d4215; --bad-bg: #5c2222;
            --del: #4a2323; --add: #1d4028; }
  }
  * { box-sizing: border-box; }
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; padding: 1em;
         background: var(--bg); color: var(--fg); }
  h1 { font-size: 1.3em; margin: 0; }
  h2 { font-size: 1.05em; margin: 1.4em 0 .5em; }
  header { display: flex; flex-wrap: wrap; gap: .5em 1em; align-items: center; }
  nav { display: flex; gap: .3em; margin: .8em 0; }
  nav a { padding: .3em .9em; border-radius: 1em; color: var(--fg);
          text-decoration: none; background: var(--card); }
  nav a.on { background: var(--read); color: #fff; }
  .muted { color: var(--muted); }
  .state, .badge { display: inline-block; padding: .1em .6em; border-radius: .8em;
           font-weight: 600; background: var(--card); }
  .running, .op-c { background: var(--ok-bg); }
  .reconnecting, .starting, .op-u, .standby { background: var(--warn-bg); }
  .failed, .op-d { background: var(--bad-bg); }
  .cards { display: grid; gap: .6em;
           grid-template-columns: repeat(auto-fit, minmax(10.5em, 1fr)); }
  .card { background: var(--card); border-radius: .5em; padding: .6em .8em;
          min-width: 0; }
  .card .k { color: var(--muted); font-size: .85em; }
  .card .v { font-size: 1.15em; font-weight: 600; overflow-wrap: anywhere; }
  .charts { display: grid; gap: .6em;
            grid-template-columns: repeat(auto-fit, minmax(17em, 1fr)); }
  .chart svg { width: 100%; height: 90px; display: block; }
  .chart .now { float: right; font-weight: 600; }
  .legend i { display: inline-block; width: .8em; height: .25em;
              vertical-align: middle; margin: 0 .2em 0 .5em; }
  .grid { stroke: var(--line); stroke-width: 1; }
  .scroll { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; }
  th, td { padding: .3em .6em .3em 0; text-align: left; vertical-align: top;
           border-bottom: 1px solid var(--line); }
  th { color: var(--muted); font-weight: 500; font-size: .85em; }
  td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
  code { font-size: .95em; overflow-wrap: anywhere; }
  .bar { height: .7em; background: var(--line); border-radius: .35em;
         overflow: hidden; }
  .bar div { height: 100%; background: var(--acked); }
  #offline { color: var(--bad); display: none; }
  .lvl-error, .lvl-critical { color: var(--bad); font-weight: 600; }
  .rec { background: var(--card); border-radius: .5em; padding: .5em .8em;
         margin-bottom: .5em; }
  .rec.fresh { outline: 2px solid var(--acked); }
  .rec .head { display: flex; flex-wrap: wrap; gap: .3em .8em; align-items: baseline; }
  .rec table { margin-top: .3em; table-layout: fixed; }
  .rec td, .rec th { overflow-wrap: anywhere; }
  .rec tr > :first-child { width: 28%; }
  td.old { background: var(--del); } td.new { background: var(--add); }
  select { font: inherit; max-width: 100%; padding: .2em; background: var(--card);
           color: var(--fg); border: 1px solid var(--line); border-radius: .3em; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<header>
  <h1>binlog2kafka <span id="name"></span></h1>
  <span id="state" class="state">…</span>
  <span id="role" class="badge" hidden></span>
  <span class="muted" id="source"></span>
  <span id="offline">no answer from the daemon</span>
</header>
<nav><a href="#" id="tab-overview" class="on">Overview</a><a href="#records" id="tab-records">Records</a></nav>

<main id="overview">
<div class="cards">
  <div class="card"><div class="k">records read</div><div class="v" id="rows">–</div></div>
  <div class="card"><div class="k">acknowledged by Kafka</div><div class="v" id="acked">–</div></div>
  <div class="card"><div class="k">lag</div><div class="v" id="lag">–</div></div>
  <div class="card"><div class="k">in flight</div><div class="v" id="inflight">–</div></div>
  <div class="card"><div class="k">waiting queue</div><div class="v" id="waiting">–</div></div>
  <div class="card"><div class="k">reconnects</div><div class="v" id="restarts">–</div></div>
  <div class="card"><div class="k">uptime</div><div class="v" id="uptime">–</div></div>
  <div class="card" id="txn-card" hidden><div class="k">Kafka transaction</div><div class="v" id="txn">–</div></div>
</div>
<div class="cards" style="margin-top:.6em">
  <div class="card"><div class="k">read position</div><div class="v"><code id="position">–</code></div></div>
  <div class="card"><div class="k">released position</div><div class="v"><code id="released">–</code></div></div>
  <div class="card"><div class="k">last error</div><div class="v" id="error">none</div></div>
</div>

<h2>Last 15 minutes</h2>
<div class="charts">
  <div class="card chart"><span class="k">records/s <span class="legend"><i style="background:var(--read)"></i>read<i style="background:var(--acked)"></i>acknowledged</span></span><span class="now" id="now-rate"></span><svg id="chart-rate" viewBox="0 0 300 90" preserveAspectRatio="none"></svg></div>
  <div class="card chart"><span class="k">lag, seconds</span><span class="now" id="now-lag"></span><svg id="chart-lag" viewBox="0 0 300 90" preserveAspectRatio="none"></svg></div>
  <div class="card chart"><span class="k">credit in use, bytes</span><span class="now" id="now-credit"></span><svg id="chart-credit" viewBox="0 0 300 90" preserveAspectRatio="none"></svg></div>
  <div class="card chart"><span class="k">waiting queue, batches</span><span class="now" id="now-waiting"></span><svg id="chart-waiting" viewBox="0 0 300 90" preserveAspectRatio="none"></svg></div>
</div>

<section id="snapshot" hidden>
<h2>Snapshot</h2>
<div class="scroll"><table><thead><tr><th>table</th><th>progress</th><th class="n">rows</th><th class="n">rate</th><th class="n">left</th></tr></thead><tbody id="snapshot-rows"></tbody></table></div>
</section>

<h2>Busiest tables <span class="muted" id="tables-seen"></span></h2>
<div class="scroll"><table>
<thead><tr><th>table</th><th class="n">rows/s</th><th class="n">last minute<br>c / u / d</th><th class="n">in all<br>c / u / d</th></tr></thead>
<tbody id="tables"><tr><td colspan="4" class="muted">no rows yet</td></tr></tbody>
</table></div>

<h2>Warnings and errors</h2>
<div class="scroll"><table><tbody id="log"><tr><td class="muted">none</td></tr></tbody></table></div>
</main>

<main id="records" hidden>
<p><label>topic <select id="topic"><option value="">…</option></select></label>
<span class="muted" id="records-note"></span></p>
<div id="record-list"></div>
</main>

<script>
"use strict";
// With http-token-read the data endpoints need the bearer token: open the
// page as /#token=TOKEN once; it stays for this tab.
const auth = (() => {
  const m = /(?:^|[#&])token=([^&]*)/.exec(location.hash);
  let t = null;
  try { if (m) sessionStorage.setItem("b2k-token", decodeURIComponent(m[1])); t = sessionStorage.getItem("b2k-token"); } catch (e) { t = m ? decodeURIComponent(m[1]) : null; }
  return t ? {Authorization: "Bearer " + t} : {};
})();
const $ = id => document.getElementById(id);
const WINDOW_MS = 15 * 60 * 1000;
let history = {ts_ms: [], read_per_second: [], acknowledged_per_second: [],
               lag_seconds: [], credit_in_use: [], waiting_batches: []};
function num(n) { return Number(n).toLocaleString("en-US"); }
function rate(r) { return num(Math.round(r)) + "/s"; }
function set(id, text) { $(id).textContent = text; }
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}
function pos(p) {
  if (!p || !p.file) return "–";
  let s = p.file + ":" + p.pos;
  if (p.skip_rows) s += " +" + p.skip_rows + " rows";
  if (p.gtid) s += " (" + p.gtid + ")";
  return s;
}
function bytes(n) {
  const u = ["B", "KiB", "MiB", "GiB"]; let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + u[i];
}
function duration(s) {
  s = Math.round(s);
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + " min" + (s % 60 ? " " + s % 60 + " s" : "");
  return Math.floor(s / 3600) + " h " + Math.floor(s % 3600 / 60) + " min";
}
function time(ms) { return new Date(ms).toLocaleTimeString(); }

// A chart: one polyline per series over the last 15 minutes, scaled to the
// largest value shown, with its top value written in the corner.
const SVG = "http://www.w3.org/2000/svg";
function chart(id, series, format) {
  const svg = $(id);
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const ts = history.ts_ms, now = ts.length ? ts[ts.length - 1] : Date.now();
  // 15 minutes once there are, the samples so far (a minute at least) before.
  const span = Math.min(WINDOW_MS, Math.max(60000, ts.length ? now - ts[0] : 0));
  let max = 0;
  for (const s of series) for (const v of history[s.key]) max = Math.max(max, v);
  const top = max > 0 ? max * 1.1 : 1;
  for (const y of [0.5, 89.5]) {
    const g = document.createElementNS(SVG, "line");
    g.setAttribute("x1", 0); g.setAttribute("x2", 300);
    g.setAttribute("y1", y); g.setAttribute("y2", y);
    g.setAttribute("class", "grid"); svg.appendChild(g);
  }
  for (const s of series) {
    const pts = [];
    history[s.key].forEach((v, i) => {
      const x = 300 - (now - ts[i]) / span * 300;
      if (x >= 0) pts.push(x.toFixed(1) + "," + (88 - v / top * 84).toFixed(1));
    });
    if (pts.length === 1) pts.push("300," + pts[0].split(",")[1]);
    const line = document.createElementNS(SVG, "polyline");
    line.setAttribute("points", pts.join(" "));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", "var(" + s.color + ")");
    line.setAttribute("stroke-width", "2");
    line.setAttribute("vector-effect", "non-scaling-stroke");
    line.setAttribute("data-points", pts.length);
    svg.appendChild(line);
  }
  const label = document.createElementNS(SVG, "text");
  label.setAttribute("x", 3); label.setAttribute("y", 12);
  label.setAttribute("font-size", "11"); label.setAttribute("fill", "var(--muted)");
  label.textContent = "max " + format(max);
  svg.appendChild(label);
  const when = document.createElementNS(SVG, "text");
  when.setAttribute("x", 297); when.setAttribute("y", 84); when.setAttribute("text-anchor", "end");
  when.setAttribute("font-size", "11"); when.setAttribute("fill", "var(--muted)");
  when.textContent = "last " + duration(span / 1000);
  svg.appendChild(when);
}

function addHistory(h) {
  for (const k in history) history[k].push(...h[k]);
  const cut = history.ts_ms.findIndex(t => t >= history.ts_ms[history.ts_ms.length - 1] - WINDOW_MS);
  if (cut > 0) for (const k in history) history[k].splice(0, cut);
}

function counts(c) { return num(c.c) + " / " + num(c.u) + " / " + num(c.d); }

function render(s) {
  set("name", s.name);
  const st = $("state"); st.textContent = s.state; st.className = "state " + s.state;
  const role = $("role");
  role.hidden = !s.role; role.textContent = s.role || ""; role.className = "badge " + (s.role || "");
  set("source", s.source ? "from " + s.source : "");
  set("lag", s.reader.caught_up ? "caught up" : s.reader.lag_seconds + " s");
  set("rows", num(s.reader.records) + " (" + rate(s.rates.records_per_second) + ")");
  set("acked", num(s.producer.delivered_records) + " (" + rate(s.rates.delivered_per_second) + ")");
  set("inflight", num(s.producer.in_flight_records) + " records, " + bytes(s.reader.credit_in_use));
  set("waiting", num(s.watcher.waiting_batches) + " batches");
  set("restarts", num(s.reader_restarts));
  set("uptime", duration(s.uptime_ms / 1000));
  set("position", pos(s.reader.position));
  set("released", pos(s.watcher.released));
  set("error", s.last_error || "none");
  const t = s.producer.transaction;
  $("txn-card").hidden = !t;
  if (t) set("txn", t.state + ", " + num(t.committed) + " committed, " + num(t.aborted) + " aborted"
             + (t.last_commit_ms ? ", last at " + time(t.last_commit_ms) : ""));

  const h = history, last = k => h[k].length ? h[k][h[k].length - 1] : 0;
  chart("chart-rate", [{key: "read_per_second", color: "--read"},
                       {key: "acknowledged_per_second", color: "--acked"}], num);
  chart("chart-lag", [{key: "lag_seconds", color: "--lag"}], v => v + " s");
  chart("chart-credit", [{key: "credit_in_use", color: "--credit"}], bytes);
  chart("chart-waiting", [{key: "waiting_batches", color: "--waiting"}], num);
  set("now-rate", rate(last("read_per_second")) + " / " + rate(last("acknowledged_per_second")));
  set("now-lag", last("lag_seconds") + " s");
  set("now-credit", bytes(last("credit_in_use")));
  set("now-waiting", num(last("waiting_batches")));

  const tb = $("tables"); tb.textContent = "";
  for (const x of s.tables) {
    const tr = el("tr");
    const name = el("td");
    name.appendChild(el("code", {}, x.table));
    if (!x.topic) name.appendChild(el("span", {class: "muted"}, " (not sent)"));
    tr.appendChild(name);
    tr.appendChild(el("td", {class: "n"}, x.rows_per_second.toFixed(1)));
    tr.appendChild(el("td", {class: "n"}, counts(x.last_minute)));
    tr.appendChild(el("td", {class: "n"}, counts(x.total)));
    tb.appendChild(tr);
  }
  if (!s.tables.length) tb.innerHTML = '<tr><td colspan="4" class="muted">no rows yet</td></tr>';
  set("tables-seen", s.tables_seen > s.tables.length ? "(top " + s.tables.length + " of " + s.tables_seen + ")" : "");

  $("snapshot").hidden = !s.snapshot.length;
  const sb = $("snapshot-rows"); sb.textContent = "";
  for (const x of s.snapshot) {
    const tr = el("tr"), part = x.rows_estimated ? Math.min(1, x.rows_done / x.rows_estimated) : 0;
    tr.appendChild(el("td", {}, x.table));
    const bar = el("td"), b = el("div", {class: "bar"}), fill = el("div", {style: "width:" + (part * 100).toFixed(1) + "%"});
    b.appendChild(fill); bar.appendChild(b); tr.appendChild(bar);
    tr.appendChild(el("td", {class: "n"}, num(x.rows_done) + (x.rows_estimated ? " of ~" + num(x.rows_estimated) : "")));
    tr.appendChild(el("td", {class: "n"}, rate(x.rate)));
    const left = x.rate > 0 && x.rows_estimated > x.rows_done ? duration((x.rows_estimated - x.rows_done) / x.rate) : part >= 1 ? "done" : "–";
    tr.appendChild(el("td", {class: "n"}, left));
    sb.appendChild(tr);
  }

  const lb = $("log"); lb.textContent = "";
  for (const l of s.recent_log.slice().reverse()) {
    const tr = el("tr");
    tr.appendChild(el("td", {class: "muted"}, time(l.ts_ms)));
    tr.appendChild(el("td", {class: "lvl-" + l.level}, l.level));
    tr.appendChild(el("td", {}, l.text));
    lb.appendChild(tr);
  }
  if (!s.recent_log.length) lb.innerHTML = '<tr><td class="muted">none</td></tr>';
}

let since = -1;
async function refresh() {
  try {
    const r = await fetch("status.json?since=" + since, {cache: "no-store", headers: auth});
    const s = await r.json();
    $("offline").style.display = "none";
    addHistory(s.history);
    if (history.ts_ms.length) since = history.ts_ms[history.ts_ms.length - 1];
    render(s);
  } catch (e) {
    $("offline").style.display = "inline";
  }
}

// -- records view: the newest records of a topic, read back from Kafka.
let seen = new Set(), firstLoad = true;
function cell(v) { return v === undefined ? "" : JSON.stringify(v); }
function recordView(r) {
  const v = r.value && r.value.payload !== undefined && r.value.schema !== undefined ? r.value.payload : r.value;
  const op = v === null ? "tombstone" : v && v.op ? v.op : "?";
  const id = r.partition + ":" + r.offset;
  const div = el("div", {class: "rec" + (firstLoad || seen.has(id) ? "" : " fresh"), "data-op": op});
  const head = el("div", {class: "head"});
  head.appendChild(el("span", {class: "badge op-" + op}, {c: "insert", u: "update", d: "delete", r: "snapshot", tombstone: "tombstone"}[op] || op));
  head.appendChild(el("code", {}, "key " + JSON.stringify(r.key)));
  head.appendChild(el("span", {class: "muted"}, time(r.ts_ms) + " · partition " + r.partition + " offset " + r.offset
    + (v && v.source && v.source.file ? " · " + v.source.file + ":" + v.source.pos : "")));
  div.appendChild(head);
  if (v && (v.before !== undefined || v.after !== undefined)) {
    const before = v.before || {}, after = v.after || {};
    const cols = Object.keys(Object.assign({}, before, after));
    // An update shows the columns it changed; an insert or delete all.
    const changed = cols.filter(c => JSON.stringify(before[c]) !== JSON.stringify(after[c]));
    const shown = op === "u" ? changed : cols;
    const t = el("table"), hr = el("tr");
    hr.appendChild(el("th", {}, "column"));
    if (v.before) hr.appendChild(el("th", {}, "before"));
    if (v.after) hr.appendChild(el("th", {}, "after"));
    t.appendChild(hr);
    for (const c of shown) {
      const tr = el("tr", {"data-column": c});
      tr.appendChild(el("td", {}, c));
      if (v.before) tr.appendChild(el("td", {class: op === "u" ? "old" : ""}, cell(before[c])));
      if (v.after) tr.appendChild(el("td", {class: op === "u" ? "new" : ""}, cell(after[c])));
      t.appendChild(tr);
    }
    if (op === "u" && !shown.length) div.appendChild(el("div", {class: "muted"}, "no column changed"));
    else div.appendChild(t);
    if (op === "u" && cols.length > shown.length)
      div.appendChild(el("div", {class: "muted"}, (cols.length - shown.length) + " unchanged column(s) not shown"));
  } else if (v !== null) {
    div.appendChild(el("code", {}, JSON.stringify(v)));
  }
  return div;
}
let recordsTimer = null;
async function loadRecords() {
  const topic = $("topic").value;
  if (!topic) return;
  try {
    const r = await fetch("records?limit=20&topic=" + encodeURIComponent(topic), {cache: "no-store", headers: auth});
    const j = await r.json();
    if (j.error) { set("records-note", j.error); return; }
    if (topic !== $("topic").value) return;
    const list = $("record-list"); list.textContent = "";
    for (const rec of j.records) list.appendChild(recordView(rec));
    seen = new Set(j.records.map(x => x.partition + ":" + x.offset));
    firstLoad = false;
    set("records-note", j.records.length ? "newest first, read from Kafka at " + new Date().toLocaleTimeString()
                                         : "no records in " + topic + " yet");
  } catch (e) { set("records-note", "no answer from the daemon"); }
}
async function loadTopics(want) {
  try {
    const j = await (await fetch("records/topics", {cache: "no-store", headers: auth})).json();
    if (j.error) { set("records-note", j.error); return; }
    const sel = $("topic"); sel.textContent = "";
    sel.appendChild(el("option", {value: ""}, j.topics.length ? "pick a topic" : "no topics yet"));
    for (const t of j.topics) sel.appendChild(el("option", {value: t}, t));
    if (want && !j.topics.includes(want)) sel.appendChild(el("option", {value: want}, want));
    sel.value = want || "";
  } catch (e) { set("records-note", "no answer from the daemon"); }
}
$("topic").addEventListener("change", () => { location.hash = "records=" + $("topic").value; });

async function route() {
  const m = location.hash.match(/^#records(?:=(.*))?$/);
  const records = !!m;
  $("overview").hidden = records; $("records").hidden = !records;
  $("tab-overview").className = records ? "" : "on";
  $("tab-records").className = records ? "on" : "";
  clearInterval(recordsTimer);
  if (!records) return;
  const topic = m[1] ? decodeURIComponent(m[1]) : "";
  firstLoad = true; $("record-list").textContent = "";
  await loadTopics(topic);
  loadRecords();
  recordsTimer = setInterval(loadRecords, 2000);
}
window.addEventListener("hashchange", route);
route();
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
)HTML";
  return page;
}

} // namespace b2k::http
