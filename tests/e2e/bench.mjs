// Customer-screen benchmark (issue 4) on the real release app, driven through WebDriver under Xvfb
// (scripts/bench-ui.sh sets up Xvfb, D-Bus and the process group; `make bench` runs it).
// Inside the webview every timing goes through the IPC command path the UI uses
// (window.__TAURI_INTERNALS__.invoke, which @tauri-apps/api's invoke calls):
//   - customer_detail for 1,000 different customers (p50/p95)
//   - list_customers with search terms as a person types them (p50/p95)
//   - list_customers with each filter, and a sort change (max)
// then browses 1,000 customers in the UI list (a click on each row, waiting for its panel) and
// reads the memory (PSS/RSS from /proc/PID/smaps_rollup) of the app and its WebKit processes.
//
//   node tests/e2e/bench.mjs DB_PATH      (the database is copied; the copy is what the app opens)
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { descendants, Driver, repoRoot } from "./harness.mjs";
import { appEnv } from "./support.mjs";

const source = process.argv[2];
const binary = path.resolve(process.env.DUEBOOK_APP_BIN ?? path.join(repoRoot, "target/release/duebook-app"));
const BROWSE = Number(process.env.BENCH_BROWSE ?? 1000);
const DETAILS = Number(process.env.BENCH_DETAILS ?? 1000);

function die(message) {
  console.log(`bench-ui: ${message}`);
  process.exit(1);
}
if (!source || !existsSync(source)) die(`usage: node tests/e2e/bench.mjs DB_PATH (got ${source ?? "nothing"})`);
if (!existsSync(binary)) die(`${binary} does not exist: build it with \`npx tauri build --no-bundle\``);
if (!process.env.DISPLAY) die("no display: run under Xvfb (scripts/bench-ui.sh does)");

const artifacts = path.join(repoRoot, "target/e2e");
mkdirSync(artifacts, { recursive: true });
const scratch = mkdtempSync(path.join(os.tmpdir(), "duebook-bench-"));
const home = path.join(scratch, "home");
mkdirSync(home, { recursive: true });
const db = path.join(scratch, "bench.sqlite");
// A consistent copy: the WAL (if any) goes along with the main file.
copyFileSync(source, db);
for (const suffix of ["-wal", "-shm"]) if (existsSync(source + suffix)) copyFileSync(source + suffix, db + suffix);

const env = appEnv(home);

const driver = new Driver({ binary, env, logFile: path.join(artifacts, "bench-driver.log") });
process.on("exit", () => {
  driver.killTree("SIGKILL");
  rmSync(scratch, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};
// WebKit coarsens performance.now() to whole milliseconds.
const ms = (value) => `${value.toFixed(0)} ms`;

/** Runs `calls` ([command, args] pairs) one after the other in the webview, timing each invoke. */
async function timeCalls(session, calls) {
  return session.browser.executeAsync(async (list, done) => {
    const invoke = window.__TAURI_INTERNALS__.invoke;
    const out = [];
    try {
      for (const [command, args] of list) {
        const start = performance.now();
        const result = await invoke(command, args);
        const elapsed = performance.now() - start;
        out.push({ elapsed, total: result?.total ?? null });
      }
      done({ out });
    } catch (error) {
      done({ error: String(error?.message ?? JSON.stringify(error)) });
    }
  }, calls);
}

async function timed(session, calls) {
  const chunks = [];
  for (let i = 0; i < calls.length; i += 200) {
    const answer = await timeCalls(session, calls.slice(i, i + 200));
    if (answer.error) throw new Error(`invoke failed: ${answer.error}`);
    chunks.push(...answer.out);
  }
  return chunks;
}

async function call(session, command, args) {
  const answer = await session.browser.executeAsync(
    (command, args, done) =>
      window.__TAURI_INTERNALS__
        .invoke(command, args)
        .then((value) => done({ value }), (error) => done({ error: String(error?.message ?? JSON.stringify(error)) })),
    command,
    args,
  );
  if (answer.error) throw new Error(`${command} failed: ${answer.error}`);
  return answer.value;
}

function memory(pid, label) {
  let pss = 0;
  let rss = 0;
  const parts = [];
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, "utf8");
      const r = Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      const s = Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      // Private pages (USS): what this process alone holds, whoever else maps the same libraries.
      const u = ["Private_Clean", "Private_Dirty"].reduce((sum, key) => sum + Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(rollup)?.[1] ?? 0), 0);
      const name = readFileSync(`/proc/${p}/comm`, "utf8").trim();
      if (process.env.BENCH_SMAPS) writeFileSync(path.join(artifacts, `smaps-${label}-${name}-${p}`), readFileSync(`/proc/${p}/smaps`, "utf8"));
      pss += s;
      rss += r;
      parts.push(`${name} ${Math.round(s / 1024)} (private ${Math.round(u / 1024)})`);
    } catch {
      // Gone.
    }
  }
  return { pss: pss / 1024, rss: rss / 1024, parts };
}

const PAGE = 100;

async function main() {
  await driver.start();
  const session = await driver.session(["--db", db], { startTimeoutMs: 90_000 });
  await session.until(async () => (await session.count("customer-row")) > 0, "the list shows no rows", 60_000);
  const pid = session.pids[0];
  await session.browser.setTimeout({ script: 300_000 });

  // The customers to open: 10 pages of 100 spread over the whole list (by name), untimed.
  const first = await call(session, "list_customers", { search: null, sort: "name", offset: 0, limit: 1 });
  const total = first.total;
  const picked = [];
  for (let i = 0; i < Math.ceil(DETAILS / PAGE); i++) {
    const offset = Math.floor(((total - PAGE) * i) / Math.max(1, Math.ceil(DETAILS / PAGE) - 1));
    const page = await call(session, "list_customers", { search: null, sort: "name", offset, limit: PAGE });
    picked.push(...page.rows);
  }
  const ids = [...new Set(picked.map((row) => row.id))].slice(0, DETAILS);

  // customer_detail for 1,000 different customers.
  const detailTimes = (await timed(session, ids.map((customerId) => ["customer_detail", { customerId }]))).map((r) => r.elapsed);

  // Search terms as typed: prefixes of real names, an email and an invoice number.
  const sample = await call(session, "customer_detail", { customerId: ids[Math.floor(ids.length / 3)] });
  const email =
    sample.contacts.find((c) => c.email)?.email ??
    (await (async () => {
      for (const id of ids.slice(0, 50)) {
        const d = await call(session, "customer_detail", { customerId: id });
        const found = d.contacts.find((c) => c.email)?.email;
        if (found) return found;
      }
      return null;
    })());
  const invoice = sample.invoices[0];
  const invoiceNumber = invoice?.number ?? invoice?.invoice?.number ?? null;
  // Three names spread over the list (the 7th, 421st and 877th of the default 1,000).
  const names = [0.007, 0.421, 0.877].map((at) => picked.find((row) => row.id === ids[Math.floor(at * ids.length)]).name);
  const terms = [names[0], names[1].split(/\s+/)[0], names[2], email, invoiceNumber].filter(Boolean);
  const typed = [];
  for (const term of terms) for (let n = 1; n <= term.length; n++) typed.push(term.slice(0, n));
  const query = (search, filters = {}, sort = "most_overdue") => ["list_customers", { search, sort, filters, offset: 0, limit: PAGE }];
  const searchTimes = (await timed(session, typed.map((term) => query(term)))).map((r) => r.elapsed);

  // Each filter on its own, and the sort changes: the median of 3 runs each.
  const facets = await call(session, "list_facets", {});
  const filters = [
    ["aging 90+", { aging_bucket: "90+" }],
    ["aging 1-30", { aging_bucket: "1-30" }],
    ["aging current", { aging_bucket: "current" }],
    [`currency ${facets.currencies[0]}`, { currency: facets.currencies[0] }],
    [`currency ${facets.currencies.at(-1)}`, { currency: facets.currencies.at(-1) }],
    [`segment ${facets.segments[0]}`, { segment: facets.segments[0] }],
    // A tag no customer has still runs the tag query (the generated database has no tags).
    [`tag ${facets.tags[0] ?? "vip (none tagged)"}`, { tag: facets.tags[0] ?? "vip" }],
    ["open promise", { open_promise: true }],
    ["broken promise", { broken_promise: true }],
    ["disputed", { disputed: true }],
    ["do not contact", { do_not_contact: true }],
    ["no email", { no_email: true }],
  ].filter(([, f]) => Object.values(f).every((v) => v !== undefined));
  const sorts = ["balance", "name", "last_contact", "next_follow_up", "most_overdue"];
  const filterRows = [];
  for (const [label, f] of filters) {
    const runs = await timed(session, [query(null, f), query(null, f), query(null, f)]);
    filterRows.push({ label, elapsed: quantile(runs.map((r) => r.elapsed), 0.5), first: runs[0].elapsed, total: runs[0].total });
  }
  for (const sort of sorts) {
    const runs = await timed(session, [query(null, {}, sort), query(null, {}, sort), query(null, {}, sort)]);
    filterRows.push({ label: `sort ${sort}`, elapsed: quantile(runs.map((r) => r.elapsed), 0.5), first: runs[0].elapsed, total: runs[0].total });
  }

  const memoryBefore = memory(pid, "before");

  // Browse: click each of the first 1,000 rows of the list and wait for its panel to render.
  const browseStart = Date.now();
  const openTimes = [];
  for (let from = 0; from < BROWSE; from += 100) {
    const answer = await session.browser.executeAsync(
      async (from, to, done) => {
        const wait = async (check, what) => {
          const deadline = performance.now() + 10_000;
          for (;;) {
            const value = check();
            if (value) return value;
            if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
            await new Promise((r) => requestAnimationFrame(r));
          }
        };
        const times = [];
        try {
          const viewport = document.querySelector('[data-testid="customer-list"]');
          for (let index = from; index < to; index++) {
            const selector = `[data-testid="customer-row"][data-index="${index}"]`;
            if (!document.querySelector(selector)) {
              viewport.scrollTop = Math.max(0, index * 56 - 100);
              viewport.dispatchEvent(new Event("scroll"));
            }
            const row = await wait(() => document.querySelector(selector), `row ${index}`);
            row.scrollIntoView({ block: "nearest" });
            const name = row.querySelector('[data-testid="customer-name"]').textContent;
            const start = performance.now();
            row.click();
            await wait(
              () =>
                document.querySelector('[data-testid="detail-name"]')?.textContent === name &&
                document.querySelector(".detail-body") &&
                !document.querySelector('[data-testid="customer-panel"] [role="status"]'),
              `the panel of ${name}`,
            );
            times.push(performance.now() - start);
          }
          done({ times });
        } catch (error) {
          done({ error: String(error?.message ?? error), times });
        }
      },
      from,
      Math.min(BROWSE, from + 100),
    );
    if (answer.error) throw new Error(`browsing: ${answer.error}`);
    openTimes.push(...answer.times);
  }
  const browseSeconds = (Date.now() - browseStart) / 1000;
  await sleep(2000);
  const memoryAfter = memory(pid, "after");
  const SETTLE = Number(process.env.BENCH_SETTLE ?? 0);
  if (SETTLE > 0) {
    await sleep(SETTLE * 1000);
    const settled = memory(pid, "settled");
    console.log(`  memory ${SETTLE} s later: ${Math.round(settled.pss)} MB PSS = ${settled.parts.join(" + ")}`);
  }

  const p = (values, q) => ms(quantile(values, q));
  const worstFilter = filterRows.filter((r) => !r.label.startsWith("sort")).reduce((a, b) => (b.elapsed > a.elapsed ? b : a));
  const worstSort = filterRows.filter((r) => r.label.startsWith("sort")).reduce((a, b) => (b.elapsed > a.elapsed ? b : a));
  const verdict = (ok) => (ok ? "ok" : "OVER");
  console.log(`customer screen on ${total.toLocaleString("en")} customers (release app, WebDriver, IPC timings in the webview):`);
  console.log(`  ${"figure".padEnd(54)} ${"measured".padEnd(24)} goal      `);
  const line = (label, value, goal, ok) => console.log(`  ${label.padEnd(54)} ${value.padEnd(24)} ${goal.padEnd(9)} ${verdict(ok)}`);
  line(`open a customer: customer_detail x${detailTimes.length}`, `p50 ${p(detailTimes, 0.5)}, p95 ${p(detailTimes, 0.95)}`, "p95 < 20", quantile(detailTimes, 0.95) < 20);
  line(`search as you type: list_customers x${searchTimes.length}`, `p50 ${p(searchTimes, 0.5)}, p95 ${p(searchTimes, 0.95)}`, "p95 < 30", quantile(searchTimes, 0.95) < 30);
  line(`apply a filter (worst: ${worstFilter.label})`, `max ${ms(worstFilter.elapsed)}`, "< 50", worstFilter.elapsed < 50);
  line(`change the sort (worst: ${worstSort.label})`, `max ${ms(worstSort.elapsed)}`, "< 50", worstSort.elapsed < 50);
  line(`memory after browsing ${openTimes.length} customers (PSS)`, `${Math.round(memoryAfter.pss)} MB`, "< 300 MB", memoryAfter.pss < 300);
  console.log(`  search terms typed: ${terms.map((t) => JSON.stringify(t)).join(", ")}`);
  console.log(`  filters and sorts (median of 3, first run in brackets, matches):`);
  for (const r of filterRows) console.log(`    ${r.label.padEnd(30)} ${ms(r.elapsed).padStart(9)}  (${ms(r.first)})  ${r.total}`);
  console.log(`  browsing: ${openTimes.length} rows clicked in ${browseSeconds.toFixed(1)} s; click to rendered panel p50 ${p(openTimes, 0.5)}, p95 ${p(openTimes, 0.95)}`);
  console.log(`  memory before browsing: ${Math.round(memoryBefore.pss)} MB PSS (${Math.round(memoryBefore.rss)} MB RSS) = ${memoryBefore.parts.join(" + ")}`);
  console.log(`  memory after browsing:  ${Math.round(memoryAfter.pss)} MB PSS (${Math.round(memoryAfter.rss)} MB RSS, shared pages counted in each) = ${memoryAfter.parts.join(" + ")}`);
  await session.end();
  await driver.stop();
}

main().then(
  () => process.exit(0),
  async (error) => {
    console.log(`bench-ui: ${String(error?.stack ?? error).split("\n").slice(0, 6).join("\n  ")}`);
    console.log(driver.logTail(20));
    await driver.stop().catch(() => {});
    process.exit(1);
  },
);
