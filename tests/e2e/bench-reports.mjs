// Reports tab benchmark (issue 18) on the real release app under Xvfb (scripts/bench-ui.sh DB
// reports): from the click on "Reports", when each section is first painted — the KPI tiles, the
// charts, the top overdue, the forecast, collected, promises and conversion, the aging by
// customer. A section counts as painted at the second animation frame after it entered the DOM
// (the frame that drew it has been presented). Opened twice: a cold and a warm run.
//
//   node tests/e2e/bench-reports.mjs DB_PATH      (the database is copied; the copy is opened)
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Driver, repoRoot } from "./harness.mjs";
import { appEnv } from "./support.mjs";

const source = process.argv[2];
const binary = path.resolve(process.env.DUEBOOK_APP_BIN ?? path.join(repoRoot, "target/release/duebook-app"));
/** The tiles' goal (issue 18): painted within 300 ms of the click. */
const TILES_GOAL_MS = 300;

function die(message) {
  console.log(`bench-reports: ${message}`);
  process.exit(1);
}
if (!source || !existsSync(source)) die(`usage: node tests/e2e/bench-reports.mjs DB_PATH (got ${source ?? "nothing"})`);
if (!existsSync(binary)) die(`${binary} does not exist: build it with \`npx tauri build --no-bundle\``);
if (!process.env.DISPLAY) die("no display: run under Xvfb (scripts/bench-ui.sh does)");

const artifacts = path.join(repoRoot, "target/e2e");
mkdirSync(artifacts, { recursive: true });
const scratch = mkdtempSync(path.join(os.tmpdir(), "duebook-bench-reports-"));
const home = path.join(scratch, "home");
mkdirSync(home, { recursive: true });
const db = path.join(scratch, "bench.sqlite");
copyFileSync(source, db);
for (const suffix of ["-wal", "-shm"]) if (existsSync(source + suffix)) copyFileSync(source + suffix, db + suffix);

const driver = new Driver({ binary, env: appEnv(home), logFile: path.join(artifacts, "bench-reports-driver.log") });
process.on("exit", () => {
  driver.killTree("SIGKILL");
  rmSync(scratch, { recursive: true, force: true });
});

/** The sections, in the order the tab fills them, by the element that shows each. */
const SECTIONS = [
  ["KPI tiles", '[data-testid="kpi-currency"]'],
  ["aging chart", '[data-testid^="aging-chart-"] canvas'],
  ["trend charts", '[data-testid="trend-aging"] canvas'],
  ["top 10 overdue", '[data-testid="report-top-overdue"]'],
  ["cash forecast", '[data-testid^="forecast-chart-"] canvas'],
  ["collected per month", '[data-testid^="collected-chart-"] canvas'],
  ["promises and conversion", '[data-testid="report-conversion"]'],
  ["aging by customer", '[data-testid="customer-aging-row"]'],
];

/** Clicks "Reports" in the webview and times each section's first paint from the click. */
async function openReports(session) {
  const answer = await session.browser.executeAsync(
    (sections, done) => {
      const painted = {};
      const start = performance.now();
      const check = () => {
        for (const [label, selector] of sections) {
          if (painted[label] !== undefined || !document.querySelector(selector)) continue;
          painted[label] = null;
          requestAnimationFrame(() => requestAnimationFrame(() => (painted[label] = performance.now() - start)));
        }
        const times = Object.values(painted);
        if (times.length === sections.length && times.every((t) => t !== null)) {
          observer.disconnect();
          done(painted);
        }
      };
      const observer = new MutationObserver(check);
      observer.observe(document.body, { childList: true, subtree: true });
      setInterval(check, 20);
      document.querySelector('[data-testid="view-reports"]').click();
    },
    SECTIONS,
  );
  return answer;
}

async function main() {
  await driver.start();
  const session = await driver.session(["--db", db], { startTimeoutMs: 90_000 });
  await session.until(async () => (await session.count("customer-row")) > 0, "the list shows no rows", 60_000);
  await session.browser.setTimeout({ script: 300_000 });
  const runs = [];
  for (let run = 0; run < 2; run++) {
    runs.push(await openReports(session));
    await (await session.visible("view-customers")).click();
    await session.until(async () => (await session.count("customer-row")) > 0, "the list did not come back", 60_000);
  }
  console.log("Reports tab on the release app (from the click on Reports to each section's first paint):");
  console.log(`  ${"section".padEnd(26)} ${"cold".padStart(9)} ${"warm".padStart(9)}`);
  for (const [label] of SECTIONS) {
    console.log(`  ${label.padEnd(26)} ${`${runs[0][label].toFixed(0)} ms`.padStart(9)} ${`${runs[1][label].toFixed(0)} ms`.padStart(9)}`);
  }
  const tiles = Math.max(runs[0]["KPI tiles"], runs[1]["KPI tiles"]);
  console.log(`  tiles within ${TILES_GOAL_MS} ms: ${tiles <= TILES_GOAL_MS ? "yes" : "NO"}`);
  await session.end();
  await driver.stop();
}

main().then(
  () => process.exit(0),
  async (error) => {
    console.log(`bench-reports: ${String(error?.stack ?? error).split("\n").slice(0, 6).join("\n  ")}`);
    console.log(driver.logTail(20));
    await driver.stop().catch(() => {});
    process.exit(1);
  },
);
