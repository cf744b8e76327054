// Drives the status page of a running daemon in headless Chromium (Debian's,
// through playwright-core) for tests/integration/test_http.sh: the charts
// have data and draw, the busiest-tables list counts the test table, the
// records view shows a change made while it is open (read back from Kafka),
// and the page works at a phone's width in dark mode. Screenshots go to
// $OUT and are checked: a PNG of the expected width, and pixels of the
// chart lines' colours where the charts are.
//
// Last, a snapshot of a large table is started and the page shows its
// progress: a bar part-filled (checked in the screenshot's pixels), the
// rows, the rate and the time left.
//
// Environment: PLAYWRIGHT (path of the playwright-core package), CHROMIUM,
// URL, OUT, TOPIC, TABLE ("db.table"), SQL (JSON argv of a mariadb client
// that reads SQL on stdin), CHANGE (an UPDATE of column `v` of the row
// with id 1 to 'changed'), SNAPSHOT (JSON argv of `binlog2kafka snapshot`
// for SNAPSHOT_TABLE: prints the snapshot's id, written to $OUT/snapshot-id).
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const { chromium } = require(process.env.PLAYWRIGHT);

const { URL: url, OUT: out, TOPIC: topic, TABLE: table } = process.env;
const timeout = 30000;

function log(msg) { console.log("status_page: " + msg); }
function fail(msg) { console.error("status_page: FAIL: " + msg); process.exit(1); }
function check(cond, msg) { if (!cond) fail(msg); }

// Width, height and size of a PNG file (from its IHDR chunk).
function pngSize(file) {
  const b = fs.readFileSync(file);
  check(b.length > 1000 && b.toString("latin1", 1, 4) === "PNG",
        file + " is not a PNG screenshot (" + b.length + " bytes)");
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), bytes: b.length };
}

// Pixels of `png` within a small distance of each of `colors` (RGB), and the
// top-left pixel: decoded by the page's own canvas (no image library).
async function pixels(page, png, colors) {
  return page.evaluate(async ({ data, colors }) => {
    const img = new Image();
    img.src = "data:image/png;base64," + data;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width; c.height = img.height;
    const ctx = c.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const near = colors.map(() => 0);
    for (let i = 0; i < d.length; i += 4)
      colors.forEach((col, k) => {
        if (Math.abs(d[i] - col[0]) + Math.abs(d[i + 1] - col[1]) + Math.abs(d[i + 2] - col[2]) < 40)
          near[k]++;
      });
    return { near, corner: [d[0], d[1], d[2]], width: c.width, height: c.height };
  }, { data: png.toString("base64"), colors });
}

// The overview: charts with at least `points` samples, the table listed.
async function overview(page, points, counts) {
  await page.goto(url + "/", { timeout });
  await page.waitForFunction(n => {
    const lines = document.querySelectorAll("#chart-rate polyline, #chart-lag polyline, #chart-credit polyline, #chart-waiting polyline");
    return lines.length === 5 && [...lines].every(l => Number(l.dataset.points) >= n);
  }, points, { timeout });
  await page.waitForFunction(([t, c]) => {
    const tr = document.querySelector("#tables tr");
    return tr && tr.children[0].textContent === t && tr.children[3].textContent === c;
  }, [table, counts], { timeout });
  const row = await page.$eval("#tables tr", tr => [...tr.children].map(td => td.textContent));
  log("busiest table: " + row.join(" | "));
  check(row[0] === table, "the busiest table is " + row[0] + ", not " + table);
  check(row[3] === counts, "rows of " + table + " in all: " + row[3] + ", expected " + counts + " (c / u / d)");
  check(row[2] === counts, "rows of " + table + " in the last minute: " + row[2] + ", expected " + counts);
  check((await page.textContent("#state")) === "running", "state is not running");
}

async function screenshot(target, name, expectWidth) {
  const file = path.join(out, name);
  const png = await target.screenshot({ path: file, fullPage: true });
  const size = pngSize(file);
  check(size.width === expectWidth, name + " is " + size.width + " px wide, expected " + expectWidth);
  log(name + ": " + size.width + "x" + size.height + ", " + size.bytes + " bytes");
  return png;
}

async function chartDraws(page, name, colors) {
  const chart = await page.$("#chart-rate");
  const png = await chart.screenshot({ path: path.join(out, name) });
  const p = await pixels(page, png, colors);
  log(name + ": " + p.width + "x" + p.height + ", pixels of the read/acknowledged lines: " + p.near.join("/"));
  // The acknowledged line is drawn over the read line: at least its pixels.
  check(p.near[1] > 40, name + ": the chart drew no acknowledged line (" + p.near.join("/") + " pixels)");
  return p;
}

(async () => {
  fs.mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    // 1. Desktop, light.
    const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
    const page = await desk.newPage();
    page.on("pageerror", e => fail("script error on the page: " + e.message));
    await overview(page, 3, "3 / 1 / 0");
    await screenshot(page, "desktop-light.png", 1280);
    const light = await chartDraws(page, "chart-light.png", [[47, 111, 219], [20, 145, 90]]);
    check(light.corner.reduce((a, b) => a + b) > 600, "light mode: the chart's background is not light: " + light.corner);

    // 2. Records view: the newest records of the topic, then a change made
    // while it is open shows up as an update with the changed column.
    await page.goto(url + "/#records=" + encodeURIComponent(topic), { timeout });
    await page.waitForFunction(() => document.querySelectorAll("#record-list .rec").length >= 4, null, { timeout });
    const ops = await page.$$eval("#record-list .rec", rs => rs.map(r => r.dataset.op));
    log("records view before the change: ops " + ops.join(","));
    check(ops[0] === "u" && ops.filter(o => o === "c").length === 3, "records view: expected the update first and 3 inserts, got " + ops);
    execFileSync(JSON.parse(process.env.SQL)[0], JSON.parse(process.env.SQL).slice(1), { input: process.env.CHANGE });
    await page.waitForFunction(() => {
      const r = document.querySelector("#record-list .rec");
      const v = r && r.querySelector('tr[data-column="v"]');
      return r && r.dataset.op === "u" && r.classList.contains("fresh") && v
        && v.querySelector("td.old").textContent === '"a"' && v.querySelector("td.new").textContent === '"changed"';
    }, null, { timeout });
    const shown = await page.$$eval("#record-list .rec:first-child tr[data-column]", rs => rs.map(r => r.dataset.column));
    check(shown.length === 1 && shown[0] === "v", "the update shows columns " + shown + ", expected only the changed v");
    log("records view: the new update of id 1 is first, v \"a\" -> \"changed\"");
    await screenshot(page, "records-light.png", 1280);
    await desk.close();

    // 3. A phone (390 px wide) in dark mode.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "dark",
                                             isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
    const mobile = await phone.newPage();
    mobile.on("pageerror", e => fail("script error on the page: " + e.message));
    await overview(mobile, 3, "3 / 2 / 0");
    const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth);
    check(overflow <= 390, "on a phone the page is " + overflow + " px wide: it scrolls sideways");
    const bg = await mobile.evaluate(() => getComputedStyle(document.body).backgroundColor);
    log("phone, dark: page width " + overflow + " px, background " + bg);
    await screenshot(mobile, "phone-dark.png", 390);
    const dark = await chartDraws(mobile, "chart-dark.png", [[110, 162, 255], [62, 207, 142]]);
    check(dark.corner.reduce((a, b) => a + b) < 200, "dark mode: the chart's background is not dark: " + dark.corner);
    await mobile.goto(url + "/#records=" + encodeURIComponent(topic), { timeout });
    await mobile.waitForFunction(() => document.querySelectorAll("#record-list .rec").length >= 5, null, { timeout });
    const recordsWidth = await mobile.evaluate(() => document.documentElement.scrollWidth);
    check(recordsWidth <= 390, "on a phone the records view is " + recordsWidth + " px wide");
    await screenshot(mobile, "phone-dark-records.png", 390);
    await phone.close();

    // 4. A snapshot's progress per table: a bar, rows, rate and time left.
    const argv = JSON.parse(process.env.SNAPSHOT);
    const id = execFileSync(argv[0], argv.slice(1)).toString().trim().split("\n")[0];
    fs.writeFileSync(path.join(out, "snapshot-id"), id + "\n");
    log("snapshot " + id + " of " + process.env.SNAPSHOT_TABLE + " started");
    const snap = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
    const sp = await snap.newPage();
    sp.on("pageerror", e => fail("script error on the page: " + e.message));
    await sp.goto(url + "/", { timeout });
    // Part of the table read, and a rate to tell the time left by.
    await sp.waitForFunction(t => {
      const tr = [...document.querySelectorAll("#snapshot-rows tr")].find(r => r.children[0].textContent === t);
      const fill = tr && tr.querySelector(".bar div");
      const part = fill ? parseFloat(fill.style.width) : 0;
      return !document.getElementById("snapshot").hidden && part >= 3 && part < 90
        && /^[1-9][0-9,]*\/s$/.test(tr.children[3].textContent)
        && /^[0-9]+ (s|min|h)/.test(tr.children[4].textContent);
    }, process.env.SNAPSHOT_TABLE, { timeout: 2 * timeout });
    const cells = await sp.$eval("#snapshot-rows tr", tr => [...tr.children].map(td => td.textContent));
    const part = await sp.$eval("#snapshot-rows tr .bar div", d => parseFloat(d.style.width));
    log("snapshot progress: " + cells.join(" | ") + " | bar " + part + "%");
    check(/^[0-9,]+ of ~[0-9,]+$/.test(cells[2]), "the snapshot's rows cell is " + cells[2]);
    await (await sp.$("#snapshot")).screenshot({ path: path.join(out, "snapshot-progress.png") });
    // In the bar's own pixels: its filled part (--acked) and its rest
    // (--line) in about the proportion the rows say.
    // (The rows are drawn anew each second: clip the page where the bar is,
    // rather than hold on to an element that may be replaced.)
    await sp.$eval("#snapshot-rows tr .bar", b => b.scrollIntoView());
    const box = await sp.$eval("#snapshot-rows tr .bar", b => {
      const r = b.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    });
    const png = await sp.screenshot({ path: path.join(out, "snapshot-bar.png"), clip: box });
    const p = await pixels(sp, png, [[20, 145, 90], [221, 227, 234]]);
    const filled = p.near[0] / Math.max(1, p.near[0] + p.near[1]);
    log("snapshot-bar.png: " + p.width + "x" + p.height + " px, filled/rest pixels " + p.near.join("/")
        + " (" + (filled * 100).toFixed(1) + "% filled)");
    check(box.width >= 100, "the progress bar is " + box.width + " px wide, too narrow to read");
    check(p.near[0] > 0 && p.near[1] > 0, "the progress bar does not show both a filled part and a rest: " + p.near.join("/"));
    check(Math.abs(filled * 100 - part) < 15, "the bar is " + (filled * 100).toFixed(1) + "% filled, the rows say " + part + "%");
    await screenshot(sp, "desktop-snapshot.png", 1280);
    await snap.close();
  } finally {
    await browser.close();
  }
  log("ok");
})().catch(e => fail(e.stack || String(e)));
