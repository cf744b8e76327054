#include "http/status_server.hpp"

namespace b2k::http {

// One self-contained page: no external assets, so it works offline and
// behind strict firewalls. It polls /status.json once a second.
const std::string& status_page() {
  static const std::string page = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>binlog2kafka</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
  h1 { font-size: 1.3em; margin: 0 0 .2em; }
  .state { display: inline-block; padding: .1em .6em; border-radius: .8em;
           font-weight: 600; }
  .running { background: #d7f5dd; } .reconnecting, .starting { background: #fff2c4; }
  .failed { background: #ffd6d6; } .stopping { background: #e4e4e4; }
  table { border-collapse: collapse; margin-top: 1em; }
  td { padding: .25em 1em .25em 0; vertical-align: top; }
  td:first-child { color: #666; }
  code { font-size: 1em; }
  #error { color: #a00; white-space: pre-wrap; }
  #offline { color: #a00; display: none; }
</style>
</head>
<body>
<h1>binlog2kafka <span id="name"></span></h1>
<div><span id="state" class="state">…</span> <span id="offline">(no answer from the daemon)</span></div>
<table>
  <tr><td>read position</td><td><code id="position">–</code></td></tr>
  <tr><td>released position</td><td><code id="released">–</code></td></tr>
  <tr><td>lag</td><td id="lag">–</td></tr>
  <tr><td>rows read</td><td id="rows">–</td></tr>
  <tr><td>records acknowledged</td><td id="acked">–</td></tr>
  <tr><td>in flight</td><td id="inflight">–</td></tr>
  <tr><td>waiting queue</td><td id="waiting">–</td></tr>
  <tr><td>reconnects</td><td id="restarts">–</td></tr>
  <tr><td>uptime</td><td id="uptime">–</td></tr>
  <tr><td>last error</td><td id="error">none</td></tr>
</table>
<script>
function pos(p) {
  if (!p || !p.file) return "–";
  let s = p.file + ":" + p.pos;
  if (p.skip_rows) s += " +" + p.skip_rows + " rows";
  if (p.gtid) s += " (" + p.gtid + ")";
  return s;
}
function num(n) { return Number(n).toLocaleString("en-US"); }
function rate(r) { return num(Math.round(r)) + "/s"; }
function set(id, text) { document.getElementById(id).textContent = text; }
async function refresh() {
  try {
    const s = await (await fetch("status.json", {cache: "no-store"})).json();
    document.getElementById("offline").style.display = "none";
    set("name", s.name);
    const st = document.getElementById("state");
    st.textContent = s.state; st.className = "state " + s.state;
    set("position", pos(s.reader.position));
    set("released", pos(s.watcher.released));
    set("lag", s.reader.caught_up ? "caught up" : s.reader.lag_seconds + " s");
    set("rows", num(s.reader.rows) + " (" + rate(s.rates.rows_per_second) + ")");
    set("acked", num(s.producer.delivered_records) + " ("
        + rate(s.rates.delivered_per_second) + ")");
    set("inflight", num(s.producer.in_flight_records) + " records, "
        + num(s.reader.credit_in_use) + " bytes of credit");
    set("waiting", num(s.watcher.waiting_batches) + " batches");
    set("restarts", num(s.reader_restarts));
    set("uptime", Math.round(s.uptime_ms / 1000) + " s");
    set("error", s.last_error || "none");
  } catch (e) {
    document.getElementById("offline").style.display = "inline";
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
)HTML";
  return page;
}

} // namespace b2k::http
