// Statements of account in the app (issue 6): one customer's statement previewed and saved with
// Save as… (test seam DUEBOOK_TEST_SAVE_PATH), then every customer's with a balance saved into a
// folder (DUEBOOK_TEST_FOLDER_PATH) with a progress bar, and a run cancelled midway. The app runs
// with a pause after each statement (DUEBOOK_TEST_BULK_DELAY_MS) so Cancel lands mid-run. Late
// fees (one waived) and a payment plan agreed with the CLI show in the preview as the CLI lists them.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { amountOf } from "./customer-screen.mjs";
import { repoRoot } from "./harness.mjs";
import { launchApp, openDemoFromFirstRun, testService } from "./support.mjs";

/**
 * @param {object} ctx
 * @param {string} ctx.binary
 * @param {Record<string, string>} ctx.env
 * @param {string} ctx.artifacts
 * @param {string} ctx.scratch
 * @param {(c: any, m: string) => void} ctx.assert
 * @param {(file: string) => void} ctx.screenshot
 */
export function statementsTests(ctx) {
  const { binary, env, artifacts, scratch, assert, screenshot } = ctx;
  const dir = path.join(scratch, "statements");
  const firstDb = path.join(dir, "duebook.sqlite");
  const savedPdf = path.join(dir, "saved", "statement.pdf");
  const folder = path.join(dir, "all");
  const cli = path.join(repoRoot, "target/debug/duebook");
  let driver = null;
  let session = null;

  /** Runs one SQL statement on the demo file as another program would (the app reads it next
   * time it asks); the first column of the first row, or "". */
  const sqlite = (sql) =>
    execFileSync(
      testService("DUEBOOK_TEST_PYTHON"),
      [
        "-c",
        "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nr = c.execute(sys.argv[2]).fetchall()\nc.commit()\nprint(r[0][0] if r else '')",
        path.join(dir, "demo.sqlite"),
        sql,
      ],
      { encoding: "utf8" },
    ).trim();

  /** The name of a customer of the demo file with an open balance and no contact email. */
  const withoutEmail = () =>
    sqlite(`SELECT c.name FROM customers c
         WHERE NOT EXISTS (SELECT 1 FROM contacts k WHERE k.customer_id = c.id AND k.email IS NOT NULL)
           AND EXISTS (SELECT 1 FROM invoices i WHERE i.customer_id = c.id AND i.status = 'open')
         ORDER BY c.name LIMIT 1`);

  const pdfsIn = (where) => (existsSync(where) ? readdirSync(where).filter((f) => f.endsWith(".pdf")) : []);

  async function start() {
    mkdirSync(path.dirname(savedPdf), { recursive: true });
    ({ driver, session } = await launchApp({
      binary,
      env: { ...env, DUEBOOK_TEST_SAVE_PATH: savedPdf, DUEBOOK_TEST_FOLDER_PATH: folder, DUEBOOK_TEST_BULK_DELAY_MS: "120" },
      artifacts,
      db: firstDb,
    }));
    await openDemoFromFirstRun(session);
  }

  async function stop() {
    if (session) await session.end();
    if (driver) await driver.stop();
    session = null;
    driver = null;
  }

  /** Opens the bulk dialog and returns how many customers it plans statements for. */
  async function openBulk() {
    await (await session.visible("topbar-statements")).click();
    await session.visible("bulk-statements");
    const total = await session.until(async () => {
      const text = await session.$("bulk-total").getText().catch(() => "");
      return /^\d+ customers?$/.test(text.trim()) ? Number(text.trim().split(" ")[0]) : null;
    }, "the bulk dialog does not count the customers");
    return total;
  }

  async function summaryText() {
    await session.visible("bulk-summary", 120_000);
    return (await session.$("bulk-summary-text").getText()).trim();
  }

  return [
    [
      "Statement → the preview shows the closing balance and the PDF's size → Save as writes the PDF",
      async () => {
        await start();
        const row = (await session.$$("customer-row"))[0];
        const name = await row.$('[data-testid="customer-name"]').getText();
        await row.click();
        await session.until(async () => (await session.$("detail-name").getText()) === name, `the panel did not show ${name}`);
        await session.until(async () => (await session.count("balance")) > 0, `no balance shown for ${name}`);
        const currency = await session.browser.$('[data-testid="balance"]').getAttribute("data-currency");
        const open = amountOf(await session.browser.$('[data-testid="balance"] [data-testid="balance-open"]').getText());

        await (await session.visible("statement-open")).click();
        await session.visible("statement-dialog");
        await session.visible("statement-preview", 30_000);
        assert((await session.$("statement-customer").getText()) === name, "the preview names another customer");
        const closing = await session.until(
          async () => session.browser.$(`[data-testid="statement-section"][data-currency="${currency}"] [data-testid="statement-closing"]`).getText().catch(() => null),
          `the preview has no ${currency} section`,
        );
        assert(amountOf(closing) === open, `the closing balance ${closing} is not the open balance ${open} ${currency}`);
        const facts = await session.until(async () => {
          const text = await session.$("statement-pdf-facts").getText();
          return /PDF: \d+ pages?, [\d.,]+ ?kB/.test(text) ? text : null;
        }, "the dialog does not show the PDF's page count and size");
        screenshot(path.join(artifacts, "statement-preview.png"));

        await (await session.$("statement-save")).click();
        const done = await (await session.visible("statement-done", 30_000)).getText();
        assert(done.includes(savedPdf), `the dialog says ${JSON.stringify(done)}`);
        assert(existsSync(savedPdf), `${savedPdf} was not written`);
        const bytes = readFileSync(savedPdf);
        assert(bytes.subarray(0, 4).toString("latin1") === "%PDF", "the saved file is not a PDF");
        const text = execFileSync("pdftotext", ["-enc", "UTF-8", savedPdf, "-"], { encoding: "utf8" });
        assert(text.includes(name), `pdftotext does not find ${name} in the saved statement`);
        console.log(`  ${name}: closing ${closing}; ${facts.trim()}`);
        await session.browser.keys(["Escape"]);
        await session.gone("statement-dialog");
      },
    ],
    [
      "Settings → Late fees: a bad reference rate is refused by its field and nothing is kept; 4.25 + 8 is saved and the campaign editor's statutory interest shows it",
      async () => {
        const stored = () => sqlite("SELECT value FROM settings WHERE key = 'fees_statutory_rate'");
        await (await session.visible("topbar-settings")).click();
        await (await session.visible("settings-tab-fees")).click();
        const now = async () => (await session.visible("late-fees-current")).getText();
        assert((await now()) === "Now: no statutory rate is set yet.", `a fresh file shows ${JSON.stringify(await now())}`);
        await session.type("late-fees-reference", "four");
        await (await session.$("late-fees-save")).click();
        const refused = await session.until(async () => (await session.texts("late-fees-reference-error"))[0], "a bad rate is not refused by its field");
        assert(refused.includes('"four" is not a percentage'), `the field says ${JSON.stringify(refused)}`);
        assert(stored() === "", `a refused rate was kept: ${stored()}`);
        await session.type("late-fees-reference", "4.25");
        await session.type("late-fees-points", "8");
        await (await session.$("late-fees-save")).click();
        await session.visible("late-fees-saved");
        assert((await now()) === "Now: 4.25 % + 8.00 points = 12.25 % a year.", `after saving: ${JSON.stringify(await now())}`);
        const kept = JSON.parse(stored());
        assert(kept.reference_basis_points === 425 && kept.points_basis_points === 800, `the file holds ${stored()}`);
        screenshot(path.join(artifacts, "settings-late-fees.png"));
        await (await session.$("settings-close")).click();
        await session.gone("settings-dialog");

        // A campaign choosing the statutory rate says which rate that is now.
        await (await session.visible("view-campaigns")).click();
        const create = await session.visible("campaign-new");
        await session.until(() => create.isEnabled(), "New campaign… stays disabled");
        await create.click();
        await (await session.visible("campaign-fees-on")).click();
        const interest = await session.visible("campaign-interest");
        await interest.selectByAttribute("value", "statutory");
        const hint = await (await session.visible("campaign-statutory-now")).getText();
        assert(hint.includes("12.25 % a year"), `the editor says ${JSON.stringify(hint)}`);
        await session.browser.keys(["Escape"]);
        await session.gone("campaign-editor");
        await (await session.visible("view-customers")).click();
        await session.visible("customer-row");
      },
    ],
    [
      "Late fees → a charge recorded on an invoice is listed on the customer screen → Waive asks a reason → struck through with it",
      async () => {
        const row = (await session.$$("customer-row"))[1];
        const name = await row.$('[data-testid="customer-name"]').getText();
        const quoted = name.replaceAll("'", "''");
        const invoice = sqlite(`SELECT i.id FROM invoices i JOIN customers c ON c.id = i.customer_id
          WHERE c.name = '${quoted}' AND i.status = 'open' ORDER BY i.due_date LIMIT 1`);
        assert(/^\d+$/.test(invoice), `${name} has no open invoice`);
        // What a campaign with late fees records when it queues a reminder.
        sqlite(`INSERT INTO charges (invoice_id, kind, amount_minor, currency, as_of, created_at)
          SELECT id, 'fee', 4000, currency, date('now'), datetime('now') FROM invoices WHERE id = ${invoice}`);
        await row.click();
        await session.until(async () => (await session.$("detail-name").getText()) === name, `the panel did not show ${name}`);
        await session.visible("charges-section");
        assert((await session.count("charge-row")) === 1, "the charge is not listed once");
        await (await session.visible("charge-waive")).click();
        await session.visible("waive-dialog");
        await (await session.$("waive-dialog-save")).click();
        await session.until(async () => (await session.texts("waive-dialog")).join(" ").includes("cannot be empty"), "an empty reason is not refused");
        await session.type("waive-dialog-text", "Goodwill: first late payment");
        await (await session.$("waive-dialog-save")).click();
        await session.gone("waive-dialog");
        await session.visible("charge-waived");
        const reason = (await session.texts("charge-waived-reason")).join(" ");
        assert(reason.includes("Goodwill: first late payment"), `the waived charge shows ${JSON.stringify(reason)}`);
        assert((await session.count("charge-waive")) === 0, "a waived charge still offers Waive");
        const stored = sqlite(`SELECT waived_reason FROM charges WHERE invoice_id = ${invoice}`);
        assert(stored === "Goodwill: first late payment", `the file holds ${JSON.stringify(stored)}`);
        screenshot(path.join(artifacts, "charge-waived.png"));
      },
    ],
    [
      "Statement with a payment plan and late fees → the preview lists the instalments and the charges as the CLI does, the waived fee left out",
      async () => {
        // The customer of the journey above: its oldest open invoice has a waived fee of 40.00.
        const invoice = sqlite("SELECT invoice_id FROM charges WHERE waived_reason = 'Goodwill: first late payment'");
        assert(/^\d+$/.test(invoice), "the waived charge of the journey before is missing");
        const who = sqlite(`SELECT customer_id FROM invoices WHERE id = ${invoice}`);
        const number = sqlite(`SELECT number FROM invoices WHERE id = ${invoice}`);
        const name = await session.$("detail-name").getText();
        assert(name === sqlite(`SELECT name FROM customers WHERE id = ${who}`), `the panel shows ${name}, not the customer with the waived fee`);
        sqlite(`INSERT INTO charges (invoice_id, kind, amount_minor, currency, as_of, created_at)
          SELECT id, 'interest', 1234, currency, date('now'), datetime('now') FROM invoices WHERE id = ${invoice}`);
        // A plan agreed 20 days ago in three monthly instalments from 5 days ago; the first one paid.
        const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
        const duebook = (...args) => execFileSync(cli, ["--db", path.join(dir, "demo.sqlite"), ...args], { env, encoding: "utf8" });
        duebook("plans", "create", "--customer", who, "--invoices", number, "--instalments", "3", "--first", day(-5), "--today", day(-20));
        // Recorded after the plan (a plan counts the payments recorded since it was created).
        sqlite(`INSERT INTO payments (invoice_id, amount_minor, paid_on, reference, created_at)
          SELECT ${invoice}, i.amount_minor, '${day(-10)}', 'PLAN-1', p.created_at
          FROM payment_plan_instalments i JOIN payment_plans p ON p.id = i.plan_id
          WHERE i.seq = 1 AND p.id = (SELECT max(plan_id) FROM payment_plan_invoices WHERE invoice_id = ${invoice})`);
        const cliInstalments = [...duebook("plans", "list", "--customer", who).matchAll(/^\s+(\d+)\. (\d{4}-\d\d-\d\d)\s+(\S+)\s+(\w+)$/gm)].map(
          ([, seq, due, amount, state]) => ({ seq, due, amount: amountOf(amount), state }),
        );
        assert(cliInstalments.map((i) => i.state).join(",") === "paid,due,due", `the CLI lists ${JSON.stringify(cliInstalments)}`);
        const cliCharges = duebook("fees", "list", "--customer", who)
          .split("\n")
          .filter((line) => line.includes(`invoice ${number}\t`) && !line.includes("waived:"))
          .map((line) => amountOf(line.split("\t")[3]));

        await (await session.visible("statement-open")).click();
        await session.visible("statement-preview", 30_000);
        await session.visible("statement-plan");
        const rows = await session.$$("statement-instalment");
        const shown = [];
        for (const row of rows) {
          shown.push({
            due: await row.getAttribute("data-date"),
            amount: amountOf(await row.$('[data-testid="statement-instalment-amount"]').getText()),
            state: await row.getAttribute("data-state"),
            status: await row.$('[data-testid="statement-instalment-status"]').getText(),
          });
        }
        const expected = cliInstalments.map((i) => `${i.due} ${i.amount} ${i.state}`).join("; ");
        assert(shown.map((i) => `${i.due} ${i.amount} ${i.state}`).join("; ") === expected, `the preview's plan ${JSON.stringify(shown)} is not the CLI's ${expected}`);
        assert(shown.map((i) => i.status).join(",") === "Paid,Due,Due", `the preview says ${shown.map((i) => i.status)}`);
        const summary = await session.$("statement-plan-summary").getText();
        assert(/^Agreed on .+ for .+: .+ in 3 instalment\(s\)\. Paid so far .+; .+ remains\.$/.test(summary.trim()), `the plan reads ${JSON.stringify(summary)}`);

        const charges = [];
        for (const row of await session.$$("statement-charge")) {
          charges.push({ invoice: await row.getAttribute("data-invoice"), amount: amountOf(await row.$('[data-testid="statement-charge-amount"]').getText()), text: await row.getText() });
        }
        const ours = charges.filter((c) => c.invoice === number);
        assert(ours.map((c) => c.amount).join(",") === cliCharges.join(","), `the preview lists ${JSON.stringify(ours)}, the CLI ${cliCharges}`);
        assert(ours.length === 1 && ours[0].text.includes("Interest"), `the preview lists ${JSON.stringify(ours)}`);
        assert(!ours.some((c) => c.text.includes("Late payment fee")), `the waived fee is in the preview: ${JSON.stringify(ours)}`);
        const total = charges.reduce((sum, c) => sum + c.amount, 0);
        assert(Math.abs(amountOf(await session.$("statement-fees-total").getText()) - total) < 0.005, "the total is not the sum of the lines");
        assert((await session.texts("statement-fees")).join(" ").includes("not included in the balance"), "the fees are not set apart from the balance");
        await session.browser.execute(() => document.querySelector('[data-testid="statement-plan"]')?.scrollIntoView({ block: "start" }));
        screenshot(path.join(artifacts, "statement-plan-fees.png"));
        console.log(`  ${name}: plan ${expected}; charges ${cliCharges.join(", ")}`);
        await session.browser.keys(["Escape"]);
        await session.gone("statement-dialog");
      },
    ],
    [
      "a customer without a billing email: the dialog says so and Email it is off",
      async () => {
        // A demo customer with a balance and no contact with an email address.
        const wanted = withoutEmail();
        assert(wanted, "the demo has no customer with a balance and no email address");
        await session.type("customer-search", wanted);
        const row = await session.until(async () => {
          for (const candidate of await session.$$("customer-row")) {
            const name = await candidate.$('[data-testid="customer-name"]').getProperty("textContent");
            if (name === wanted) return candidate;
          }
          return null;
        }, `no row for ${wanted}`);
        await row.click();
        await session.until(async () => (await session.$("detail-name").getText()) === wanted, `${wanted} is not shown`);
        await (await session.visible("statement-open")).click();
        await session.visible("statement-preview", 30_000);
        const says = await (await session.visible("statement-no-email")).getText();
        assert(/No billing email/.test(says), `the dialog says ${JSON.stringify(says)}`);
        assert(!(await session.$("statement-email").isEnabled()), "Email it is enabled without an email address");
        await session.browser.keys(["Escape"]);
        await session.gone("statement-dialog");
      },
    ],
    [
      "Statements for all customers with a balance: counts, the customers without email by name, a moving progress bar, N PDFs",
      async () => {
        const total = await openBulk();
        assert(total >= 10, `only ${total} customers planned`);
        const withEmail = Number(await session.$("bulk-with-email").getText());
        const without = Number(await session.$("bulk-without-email").getText());
        assert(withEmail + without === total, `${withEmail} with and ${without} without email do not add up to ${total}`);
        const listed = await session.texts("bulk-without-name");
        assert(listed.length === without && listed.every((n) => n !== ""), `the customers without email are not listed by name: ${JSON.stringify(listed)}`);
        console.log(`  ${total} customers with a balance, ${without} without email: ${listed.join(", ")}`);
        rmSync(folder, { recursive: true, force: true });
        const stopWatching = await session.watchProgress("bulk-progress", 20);
        await (await session.$("bulk-save")).click();
        await session.visible("bulk-progress");
        const summary = await summaryText();
        const { seen, between } = await stopWatching();
        assert(between.length >= 2, `the progress bar did not move: ${JSON.stringify(seen.slice(0, 20))}`);
        assert(summary === `Saved ${total} of ${total} statements.`, `the summary says ${JSON.stringify(summary)}`);
        const files = pdfsIn(folder);
        assert(files.length === total, `${files.length} PDFs in ${folder}, expected ${total}`);
        assert(readFileSync(path.join(folder, files[0])).subarray(0, 4).toString("latin1") === "%PDF", `${files[0]} is not a PDF`);
        await (await session.$("bulk-close")).click();
        await session.gone("bulk-statements");
      },
    ],
    [
      "Cancel midway: fewer than N PDFs are written and the summary says it was cancelled",
      async () => {
        try {
          const total = await openBulk();
          rmSync(folder, { recursive: true, force: true });
          await (await session.$("bulk-save")).click();
          await session.until(async () => {
            const text = await session.$("bulk-progress").getText().catch(() => "");
            const done = /(\d+) of \d+/.exec(text);
            return done && Number(done[1]) >= 3;
          }, "the run made no progress");
          await (await session.$("bulk-cancel")).click();
          const summary = await summaryText();
          const match = /^Cancelled: Saved (\d+) of (\d+) statements\.$/.exec(summary);
          assert(match, `the summary does not say it was cancelled: ${JSON.stringify(summary)}`);
          const written = Number(match[1]);
          assert(Number(match[2]) === total && written < total, `saved ${written} of ${match[2]} (planned ${total})`);
          const files = pdfsIn(folder);
          assert(files.length === written, `${files.length} PDFs in the folder, the summary says ${written}`);
          screenshot(path.join(artifacts, "statements-cancelled.png"));
          console.log(`  cancelled after ${written} of ${total} statements`);
        } finally {
          await stop();
        }
      },
    ],
  ];
}
