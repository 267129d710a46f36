// The Reports tab (issue 18) on the demo data: a KPI tile shows what `duebook report kpis --json`
// says for the same file and day, the tiles carry their change since last month, the aging and
// trend charts are really drawn under the production Content-Security-Policy (no violation
// reported, pixels on each canvas), the DSO trend ends at the tile's figure, the aging table view
// shows the figures `duebook aging --json` prints, and that table exports as CSV (Save dialog
// answered by DUEBOOK_TEST_SAVE_PATH); another as-of day and N give the CLI's figures too.
// Light and dark screenshots land in target/e2e.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./harness.mjs";
import { demoListShown, launchApp } from "./support.mjs";

/**
 * @param {object} ctx
 * @param {string} ctx.binary
 * @param {Record<string, string>} ctx.env
 * @param {string} ctx.artifacts
 * @param {string} ctx.scratch
 * @param {(c: any, m: string) => void} ctx.assert
 * @param {(file: string) => void} ctx.screenshot
 */
export function reportsTests(ctx) {
  const { binary, env, artifacts, scratch, assert, screenshot } = ctx;
  const dir = path.join(scratch, "reports");
  const db = path.join(dir, "demo.sqlite");
  const savedCsv = path.join(dir, "saved", "aging.csv");
  const cli = path.join(repoRoot, "target/debug/duebook");
  let driver = null;
  let session = null;

  /** A day in this machine's timezone, YYYY-MM-DD, as the window's date picker writes it. */
  const iso = (day) => {
    const pad = (n) => String(n).padStart(2, "0");
    return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
  };
  const today = () => iso(new Date());
  const cliJson = (args) => JSON.parse(execFileSync(cli, ["--db", db, ...args, "--json"], { env, encoding: "utf8" }));
  /** The raw figure (data-value) of the tile `key` in `currency`'s group. */
  const tileValue = (currency, key) =>
    session.browser.execute(
      (c, k) => document.querySelector(`[data-currency="${c}"] [data-testid="kpi-${k}"]`)?.getAttribute("data-value") ?? null,
      currency,
      key,
    );

  async function stop() {
    if (session) await session.end();
    if (driver) await driver.stop();
    session = null;
    driver = null;
  }

  /** How many pixels are drawn on the canvas inside `testId` (0 while there is none). */
  const inked = (testId) =>
    session.browser.execute((id) => {
      const canvas = document.querySelector(`[data-testid="${id}"] canvas`);
      if (!(canvas instanceof HTMLCanvasElement) || canvas.width === 0) return 0;
      const pixels = canvas.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
      let drawn = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) drawn += 1;
      return drawn;
    }, testId);

  /** Sets an input as a person's edit would (a date input takes no typed keys over WebDriver). */
  async function setInput(testId, value) {
    await session.browser.execute(
      (id, v) => {
        const input = document.querySelector(`[data-testid="${id}"]`);
        input.value = v;
        input.dispatchEvent(new Event("input", { bubbles: true }));
      },
      testId,
      value,
    );
  }

  async function scrollTo(testId) {
    await session.browser.execute((id) => document.querySelector(`[data-testid="${id}"]`)?.scrollIntoView({ block: "start" }), testId);
    await new Promise((r) => setTimeout(r, 300));
  }

  async function setTheme(theme) {
    await (await session.$("theme-select")).selectByAttribute("value", theme);
    await session.until(
      async () => (await session.browser.execute(() => document.documentElement.dataset.theme)) === theme,
      `the ${theme} theme was not applied`,
    );
    await session.browser.execute(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : null));
    await new Promise((r) => setTimeout(r, 400));
  }

  /** Cents of a decimal string (the demo's USD has two decimals). */
  const cents = (decimal) => Math.round(Number(decimal) * 100);
  const values = (selector) =>
    session.browser.execute((s) => [...document.querySelectorAll(s)].map((e) => e.getAttribute("data-value")), selector);

  return [
    [
      "Reports → a KPI tile matches `duebook report kpis --json`; every chart is drawn under the CSP; the DSO trend ends at the tile; the aging table matches `duebook aging --json` and exports as CSV; another day and N follow the CLI",
      async () => {
        mkdirSync(path.dirname(savedCsv), { recursive: true });
        assert(existsSync(cli), `${cli} is missing: make e2e builds it (make cli-build)`);
        execFileSync(cli, ["--db", db, "demo"], { env, stdio: "ignore" });
        try {
          ({ driver, session } = await launchApp({ binary, env: { ...env, DUEBOOK_TEST_SAVE_PATH: savedCsv }, artifacts, db }));
          await demoListShown(session);
          // Any inline style or eval the CSP blocks is reported here.
          await session.browser.execute(() => {
            window.__cspViolations = [];
            document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
          });

          await (await session.visible("view-reports")).click();
          await session.visible("report-kpis", 30_000);
          const asOf = today();
          assert((await session.$("report-as-of").getValue()) === asOf, `the date picker does not start on today (${asOf})`);
          const kpis = cliJson(["report", "kpis", "--as-of", asOf]);
          const usd = kpis.currencies.USD;
          assert(usd, `the CLI shows no USD figures: ${JSON.stringify(kpis)}`);
          await (await session.visible("report-currency-USD")).click();
          const countback = await session.until(() => tileValue("USD", "dso_countback"), "no USD DSO countback tile");
          assert(countback === usd.dso_countback.toFixed(2), `DSO countback: the tile says ${countback}, the CLI ${usd.dso_countback}`);
          const arTotal = await tileValue("USD", "ar_total");
          assert(arTotal === usd.ar_total, `AR: the tile says ${arTotal}, the CLI ${usd.ar_total}`);
          const shown = await session.browser.$('[data-currency="USD"] [data-testid="kpi-dso_countback"]').getText();
          assert(shown.includes(Number(usd.dso_countback).toFixed(2)), `the DSO tile reads ${JSON.stringify(shown)}`);
          const definition = await session.browser.$('[data-currency="USD"] [data-testid="kpi-cei"]').getAttribute("title");
          assert(/collected/.test(definition ?? ""), `the CEI tile's tooltip is ${JSON.stringify(definition)}`);
          await session.until(async () => (await session.count("kpi-change")) > 0, "no tile shows its change since last month");

          // The charts: canvases with something drawn on them, and nothing blocked by the CSP.
          await session.visible("aging-chart-USD", 30_000);
          await session.visible("trend-aging", 60_000);
          for (const chart of ["aging-chart-USD", "trend-dso", "trend-cei", "trend-aging"]) {
            const drawn = await session.until(() => inked(chart), `the chart ${chart} stays empty`);
            assert(drawn > 500, `only ${drawn} pixels drawn on the chart ${chart}`);
          }
          const violations = await session.browser.execute(() => window.__cspViolations);
          assert(violations.length === 0, `CSP violations: ${violations.join("; ")}`);
          for (const theme of ["light", "dark"]) {
            await setTheme(theme);
            await scrollTo("reports-view");
            screenshot(path.join(artifacts, `reports-${theme}.png`));
            await scrollTo("trend-cei");
            screenshot(path.join(artifacts, `reports-trends-${theme}.png`));
          }
          await setTheme("light");

          // The DSO trend's last point is the report's day: the same figure as the tile.
          await (await session.$("trend-dso-table-toggle")).click();
          const [points, lastDso] = await session.until(
            () =>
              session.browser.execute(() => {
                const rows = document.querySelectorAll('[data-testid="trend-dso-table"] tbody tr');
                const last = rows[rows.length - 1]?.querySelector('td[data-series="DSO (countback)"]');
                return last ? [rows.length, last.getAttribute("data-value")] : null;
              }),
            "the DSO trend has no table",
          );
          assert(points === 12, `the DSO trend has ${points} points, not 12 month ends`);
          assert(lastDso === usd.dso_countback.toFixed(2), `the trend ends at DSO ${lastDso}, the CLI says ${usd.dso_countback}`);

          // The table view carries the same figures as the CLI.
          const aging = cliJson(["aging", "--as-of", asOf]).currencies.USD;
          await (await session.$("aging-chart-USD-table-toggle")).click();
          await session.visible("aging-chart-USD-table");
          const cells = await session.browser.execute(() =>
            [...document.querySelectorAll('[data-testid="aging-chart-USD-table"] td')].map((td) => td.getAttribute("data-value")),
          );
          const expected = ["current", "1-30", "31-60", "61-90", "90+"].map((b) => aging[b]);
          assert(JSON.stringify(cells) === JSON.stringify(expected), `the table shows ${cells}, the CLI ${expected}`);
          const firstCell = await session.browser.$('[data-testid="aging-chart-USD-table"] td').getText();
          assert(firstCell.replace(/[^\d.]/g, "") === aging.current, `the current bucket reads ${JSON.stringify(firstCell)}`);

          await (await session.$("aging-chart-USD-export")).click();
          await session.until(() => existsSync(savedCsv), "the aging table was not exported");
          const csv = readFileSync(savedCsv, "utf8").trim().split("\n");
          assert(csv[0] === "Bucket,Open amount (USD)", `the CSV header is ${csv[0]}`);
          assert(csv[1] === `Current,${aging.current}`, `the CSV's first row is ${csv[1]}`);
          assert(csv.length === 6, `the CSV has ${csv.length} lines`);

          // Another day and another N: the tiles follow, as the CLI computes them.
          // The 15th four months back lies inside the demo's history, whenever the test runs.
          const now = new Date();
          const [pastDay, pastDays] = [iso(new Date(now.getFullYear(), now.getMonth() - 4, 15)), 30];
          const past = cliJson(["report", "kpis", "--as-of", pastDay, "--days", String(pastDays)]).currencies.USD;
          assert(past?.dso_standard != null, `the CLI has no USD standard DSO on ${pastDay}: ${JSON.stringify(past)}`);
          await setInput("report-as-of", pastDay);
          await setInput("report-days", String(pastDays));
          await session.until(
            async () => (await tileValue("USD", "dso_standard")) === past.dso_standard.toFixed(2),
            `the standard DSO tile does not show the CLI's ${past.dso_standard} for ${pastDay} over ${pastDays} days`,
          );
          assert((await tileValue("USD", "ar_total")) === past.ar_total, `AR on ${pastDay}: ${await tileValue("USD", "ar_total")}, the CLI ${past.ar_total}`);
        } catch (error) {
          // The window as it was, before it closes.
          screenshot(path.join(artifacts, "reports-failure.png"));
          throw error;
        } finally {
          await stop();
        }
      },
    ],
    [
      "Reports → the aging by customer adds up to the AR tile and drills down to invoices that add up to the row; the forecast's bars add up to its basis (`duebook report forecast --customers`); Save as PDF writes every table; a top overdue row opens the customer",
      () => lowerSections(),
    ],
  ];

  async function lowerSections() {
    const pdf = path.join(dir, "saved", "report.pdf");
    mkdirSync(path.dirname(pdf), { recursive: true });
    if (!existsSync(db)) execFileSync(cli, ["--db", db, "demo"], { env, stdio: "ignore" });
    try {
      ({ driver, session } = await launchApp({ binary, env: { ...env, DUEBOOK_TEST_SAVE_PATH: pdf }, artifacts, db }));
      await demoListShown(session);
      await (await session.visible("view-reports")).click();
      await session.visible("report-kpis", 30_000);
      await (await session.visible("report-currency-USD")).click();
      const arTotal = await session.until(() => tileValue("USD", "ar_total"), "no USD AR tile");

      // The aging report's total for the currency is the AR tile's.
      await session.visible("report-customer-aging", 60_000);
      const totals = await values('[data-testid="customer-aging-total"] td[data-value]');
      assert(totals.length === 6, `the aging report's total row has ${totals.length} figures`);
      assert(totals[5] === arTotal, `the aging report totals ${totals[5]}, the AR tile ${arTotal}`);
      const bucketSum = totals.slice(0, 5).reduce((sum, v) => sum + cents(v), 0);
      assert(bucketSum === cents(arTotal), `the buckets add up to ${bucketSum} cents, not ${arTotal}`);

      // A row's drill-down: its invoices' open amounts on the day add up to the row's total.
      const rowTotal = (await values('[data-testid="customer-aging-row"] td[data-value]'))[0];
      await (await session.browser.$('[data-testid="customer-aging-row"] button')).click();
      const opens = await session.until(async () => {
        const found = await values('[data-testid="customer-aging-invoices"] td[data-value]');
        return found.length > 0 ? found : null;
      }, "the drill-down shows no invoice");
      const drilled = opens.reduce((sum, v) => sum + cents(v), 0);
      assert(drilled === cents(rowTotal), `the drill-down's invoices add up to ${drilled} cents, the row says ${rowTotal}`);

      // The forecast's bars (overdue now, 8 weeks, later) add up to the basis the CLI prints.
      await session.visible("forecast-chart-USD", 60_000);
      await (await session.$("forecast-chart-USD-table-toggle")).click();
      const bars = await values('[data-testid="forecast-chart-USD-table"] td[data-value]');
      assert(bars.length === 10, `the forecast has ${bars.length} lines, not overdue + 8 weeks + later`);
      const basis = cliJson(["report", "forecast", "--customers", "--as-of", today()]).rows.filter((r) => r.currency === "USD");
      const expected = basis.reduce((sum, r) => sum + cents(r.open), 0);
      const forecast = bars.reduce((sum, v) => sum + cents(v), 0);
      assert(forecast === expected, `the forecast's lines add up to ${forecast} cents, its basis to ${expected}`);
      await (await session.$("forecast-basis-toggle")).click();
      await session.visible("report-forecast-basis");
      await (await session.$("forecast-chart-USD-table-toggle")).click();
      await session.visible("collected-chart-USD", 60_000);
      await session.visible("report-conversion", 60_000);
      await scrollTo("report-top-overdue");
      screenshot(path.join(artifacts, "reports-lower.png"));

      // Save as PDF: the file holds the tables, titles and figures.
      await (await session.$("report-save-pdf")).click();
      await session.until(() => existsSync(pdf), "the report PDF was not written");
      await session.visible("report-pdf-status");
      const text = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
      for (const title of ["Aging by customer USD", "Cash forecast USD", "Forecast basis USD", "Collected per month USD", "Campaign conversion", "KPIs"]) {
        assert(text.includes(title), `the PDF has no table ${JSON.stringify(title)}`);
      }
      assert(text.includes(arTotal), `the PDF does not show the AR total ${arTotal}`);
      copyFileSync(pdf, path.join(artifacts, "report.pdf"));

      // A top overdue row opens that customer on the Customers view.
      const first = await session.browser.$('[data-testid="top-overdue-row"] button');
      const name = await first.getText();
      await first.click();
      await session.until(
        async () => (await session.browser.$('[data-testid="detail-name"]').getText().catch(() => "")).includes(name),
        `the top overdue row did not open ${name}`,
      );
    } catch (error) {
      screenshot(path.join(artifacts, "reports-lower-failure.png"));
      throw error;
    } finally {
      await stop();
    }
  }
}
