// End-to-end tests: the real built app (target/debug/duebook-app, UI embedded) in a real window
// under Xvfb, driven through WebDriver. Run by `make e2e` (tests/e2e/run.sh sets up Xvfb, D-Bus
// and the process group). Prints `N passed, N failed`; exits non-zero on any failure, and when
// the window cannot be driven at all — never skips.
//
//   node tests/e2e/run.mjs                      all tests (E2E_GROUPS=a,b: only those groups)
//   node tests/e2e/run.mjs --screenshot FILE [--screenshot-dark FILE]
//                                               only open the demo, pick a customer, save FILE in
//                                               the light theme (and the same in the dark theme)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { backupsTests } from "./backups.mjs";
import { campaignsTests } from "./campaigns.mjs";
import { conversationTests } from "./conversation.mjs";
import { customerScreenTests } from "./customer-screen.mjs";
import { emailTests } from "./email.mjs";
import { importsTests } from "./imports.mjs";
import { shellTests } from "./shell.mjs";
import { signInTests } from "./signin.mjs";
import { Driver, repoRoot, runTests } from "./harness.mjs";
import { reportsTests } from "./reports.mjs";
import { statementsTests } from "./statements.mjs";
import { appEnv, openDemoFromFirstRun, searchNarrows, withApp } from "./support.mjs";

const args = process.argv.slice(2);
const argument = (flag, fallback) => {
  const index = args.indexOf(flag);
  return index >= 0 ? path.resolve(args[index + 1] ?? fallback) : null;
};
const screenshotOnly = argument("--screenshot", "docs/screenshot.png");
const screenshotDark = argument("--screenshot-dark", "docs/screenshot-dark.png");

const binary = path.resolve(process.env.DUEBOOK_APP_BIN ?? path.join(repoRoot, "target/debug/duebook-app"));
const artifacts = path.join(repoRoot, "target/e2e");

function die(message) {
  console.log(`e2e: ${message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

if (!existsSync(binary)) die(`${binary} does not exist: build it with \`make app-build\``);
if (!process.env.DISPLAY) die("no display: run under Xvfb (`make e2e` does), e.g. xvfb-run -a node tests/e2e/run.mjs");
mkdirSync(artifacts, { recursive: true });

// Nothing touches real user data: a fresh HOME and XDG dirs, no DUEBOOK_DB from outside.
const scratch = mkdtempSync(path.join(os.tmpdir(), "duebook-e2e-"));
const home = path.join(scratch, "home");
const firstDb = path.join(scratch, "first", "duebook.sqlite");
const demoDb = path.join(scratch, "first", "demo.sqlite");
const ownDb = path.join(scratch, "own", "books.sqlite");
const newerDb = path.join(scratch, "other", "from-the-future.sqlite");
const notADb = path.join(scratch, "other", "invoices.sqlite");
// Import: a small generic export with one bad row (line 4), imported into a fresh database.
const importCsv = path.join(repoRoot, "tests/e2e/fixtures/import-generic.csv");
const importDb = path.join(scratch, "imported", "duebook.sqlite");
// A bigger generated export (for the progress bar), imported after "create my own database first".
const bulkCsv = path.join(scratch, "bulk", "open-invoices.csv");
const bulkOwnDb = path.join(scratch, "bulk", "mine.sqlite");
mkdirSync(path.dirname(newerDb), { recursive: true });
mkdirSync(path.dirname(ownDb), { recursive: true });
mkdirSync(home, { recursive: true });
const env = appEnv(home, {
  DUEBOOK_TEST_SAVE_PATH: ownDb,
  DUEBOOK_TEST_OPEN_PATH: demoDb,
  DUEBOOK_TEST_IMPORT_PATH: importCsv,
});

const driver = new Driver({ binary, env, logFile: path.join(artifacts, "driver.log") });
// Whatever ends this process (a crash, a closed output pipe), the app and WebKit go with it.
process.on("exit", () => driver.killTree("SIGKILL"));
process.stdout.on("error", () => process.exit(1));
let session = null;

function screenshot(file) {
  mkdirSync(path.dirname(file), { recursive: true });
  execFileSync("import", ["-window", "root", file], { stdio: "ignore", timeout: 20_000 });
}

async function endSession() {
  if (session) await session.end();
  session = null;
}

const assert = (condition, message) => {
  if (!condition) throw new Error(message);
};

async function openDemoAndPickCustomer({ search }) {
  session = await driver.session(["--db", firstDb]);
  await openDemoFromFirstRun(session);
  if (search) await searchNarrows(session, search, `the list did not narrow to customers matching "${search}"`);
  const row = (await session.$$("customer-row"))[0];
  const name = await row.$('[data-testid="customer-name"]').getText();
  await row.click();
  await session.until(async () => (await session.$("detail-name").getText()) === name, `the panel did not show ${name}`);
  await session.until(async () => (await session.count("invoice-row")) > 0, `no invoices shown for ${name}`);
  return name;
}

const tests = [
  [
    "an empty database opens on the first-run screen",
    async () => {
      session = await driver.session(["--db", firstDb]);
      await session.visible("first-run", 30_000);
      const file = await session.$("db-file").getProperty("textContent");
      assert(file.includes("duebook.sqlite"), `the top bar names ${JSON.stringify(file)}, not duebook.sqlite`);
      assert(!(await session.$("demo-banner").isExisting()), "an empty user database shows the demo banner");
      assert(await session.$("open-demo").isEnabled(), "the open-demo button is disabled");
      assert(
        (await session.browser.getTitle()) === "Duebook",
        `the document title is ${JSON.stringify(await session.browser.getTitle())}, not "Duebook"`,
      );
    },
  ],
  [
    "the demo opens from the first-run screen with the Demo data banner",
    async () => {
      await (await session.visible("open-demo")).click();
      await session.visible("demo-banner", 60_000);
      const rows = await session.until(async () => {
        const found = await session.count("customer-row");
        return found >= 10 ? found : 0;
      }, "the demo list has fewer than 10 rows");
      assert(existsSync(demoDb), `the demo was not written beside the user's database (${demoDb})`);
      const count = await session.$("customer-count").getText();
      assert(/\d+ customers/.test(count), `the count line says ${JSON.stringify(count)}`);
      const firstBalance = await (await session.$$("customer-row"))[0].getText();
      assert(/\d/.test(firstBalance), `the first row shows no amount: ${JSON.stringify(firstBalance)}`);
      console.log(`  ${rows} rows on the first page; ${count}`);
    },
  ],
  [
    "the list-painted mark reaches stderr",
    async () => {
      const line = await session.until(
        async () => driver.log.match(/^list-painted \d+$/m)?.[0],
        "the app printed no `list-painted <ms>` line",
        10_000,
      );
      console.log(`  ${line}`);
    },
  ],
  [
    "search narrows the list",
    async () => {
      const names = await searchNarrows(session, "northwind", "the list did not narrow to Northwind");
      assert(names.includes("Northwind Traders"), `Northwind Traders is not among ${JSON.stringify(names)}`);
      const count = await session.$("customer-count").getText();
      assert(/ of /.test(count), `the count line does not say "N of M": ${JSON.stringify(count)}`);
    },
  ],
  [
    "clicking a customer shows their invoices",
    async () => {
      const row = (await session.$$("customer-row"))[0];
      await row.click();
      await session.until(
        async () => (await session.$("detail-name").getText()) === "Northwind Traders",
        "the invoice panel does not show Northwind Traders",
      );
      const numbers = await session.until(async () => {
        const found = await session.texts("invoice-number");
        return found.length > 0 ? found : null;
      }, "no invoices are shown");
      assert(numbers.every((n) => n.trim().length > 0), `an invoice has no number: ${JSON.stringify(numbers)}`);
      const table = await session.$("invoice-table").getText();
      for (const heading of ["NUMBER", "ISSUED", "DUE", "TOTAL", "OPEN", "OVERDUE"])
        assert(table.toUpperCase().includes(heading), `the invoice table has no ${heading} column`);
      assert((await row.getAttribute("aria-current")) === "true", "the clicked row is not marked as selected");
      assert((await session.count("contact-row")) > 0, "the panel lists no contacts for Northwind Traders");
      await new Promise((r) => setTimeout(r, 300)); // let the compositor draw the frame
      screenshot(path.join(artifacts, "window.png"));
      console.log(`  ${numbers.length} invoices: ${numbers.slice(0, 4).join(", ")}…`);
    },
  ],
  [
    "customer text is shown as text, and odd search input is safe",
    async () => {
      const names = await searchNarrows(session, "brightwater", "Brightwater Dental <Group> was not found");
      assert(names.includes("Brightwater Dental <Group>"), `the name lost its markup text: ${JSON.stringify(names)}`);
      assert(!(await session.browser.$('[data-testid="customer-list"] group').isExisting()), "a customer name became HTML");
      for (const odd of [`o'brien "`, "(acme*", "-", "zzzz-no-such-customer"]) {
        await session.type("customer-search", odd);
        await session.until(
          async () =>
            (await session.$("no-match").isExisting()) || (await session.count("customer-row")) > 0,
          `the search ${JSON.stringify(odd)} showed neither rows nor "no match"`,
        );
        assert(!(await session.$("customer-error").isExisting()), `the search ${JSON.stringify(odd)} failed`);
      }
      await session.visible("no-match");
    },
  ],
  [
    "the strict CSP is in force and the app never trips it",
    async () => {
      const violations = await session.browser.execute(() => document.documentElement.dataset.cspViolations ?? "0");
      assert(violations === "0", `the app itself caused ${violations} CSP violation(s)`);
      const probe = await session.browser.execute(() => {
        let evalBlocked = false;
        try {
          // eslint-disable-next-line no-eval
          eval("1");
        } catch {
          evalBlocked = true;
        }
        const probe = document.createElement("div");
        probe.setAttribute("style", "width: 77px");
        document.body.append(probe);
        const inlineStyleBlocked = getComputedStyle(probe).width !== "77px";
        probe.remove();
        return { evalBlocked, inlineStyleBlocked };
      });
      assert(probe.evalBlocked, "eval() runs: the CSP is missing or allows unsafe-eval");
      assert(probe.inlineStyleBlocked, "inline style attributes apply: the CSP allows unsafe-inline styles");
    },
  ],
  [
    "creating my own database switches to it and is remembered at the next launch",
    async () => {
      await session.type("customer-search", "");
      await (await session.visible("demo-create")).click();
      await session.visible("first-run", 30_000);
      assert((await session.$("db-file").getProperty("textContent")).includes("books.sqlite"), "the top bar does not name books.sqlite");
      assert(!(await session.$("demo-banner").isExisting()), "the demo banner is still shown");
      assert(existsSync(ownDb), `${ownDb} was not created`);
      await endSession();
      // No --db and no DUEBOOK_DB: the remembered choice decides.
      session = await driver.session([]);
      await session.visible("first-run", 30_000);
      const file = await session.$("db-file").getProperty("textContent");
      assert(file.includes("books.sqlite"), `the next launch opened ${JSON.stringify(file)}, not books.sqlite`);
    },
  ],
  [
    "opening an existing database shows its customers",
    async () => {
      await (await session.visible("firstrun-open")).click();
      await session.visible("demo-banner", 30_000);
      await session.until(async () => (await session.count("customer-row")) > 0, "the opened database shows no customers");
      assert((await session.$("db-file").getProperty("textContent")).includes("demo.sqlite"), "the top bar does not name demo.sqlite");
      await endSession();
    },
  ],
  [
    "a database written by a newer Duebook is refused with a clear message",
    async () => {
      writeFileSync(newerDb, emptySqliteFile({ userVersion: 999 }));
      const before = readFileSync(newerDb);
      session = await driver.session(["--db", newerDb]);
      await session.visible("open-failed", 30_000);
      const reason = await session.$("open-failed-reason").getText();
      assert(/newer Duebook/i.test(reason), `the reason does not say a newer Duebook wrote it: ${JSON.stringify(reason)}`);
      assert(/999/.test(reason), `the reason does not name the file's version: ${JSON.stringify(reason)}`);
      await endSession();
      // Untouched: the version in the header and every page after the header. (The core currently
      // switches the journal mode to WAL before it reads the version, which rewrites header
      // bytes 18-19 and the change counters; that is not data, and reported upstream.)
      const after = readFileSync(newerDb);
      assert(after.readUInt32BE(60) === 999, `the file's user_version changed to ${after.readUInt32BE(60)}`);
      assert(after.subarray(100).equals(before.subarray(100)), "the newer database's pages were modified");
    },
  ],
  [
    "opening a file that is not a database says why and keeps the current one",
    async () => {
      writeFileSync(notADb, "Customer,Invoice,Amount\nAcme,1001,12.50\n".repeat(200));
      await withApp({ binary, env: { ...env, DUEBOOK_TEST_OPEN_PATH: notADb }, artifacts, db: demoDb }, async (s) => {
        await s.visible("demo-banner", 30_000);
        await (await s.visible("topbar-database")).click();
        await (await s.visible("topbar-open")).click();
        await s.visible("error");
        const message = await s.$("error-message").getText();
        assert(/not (a Duebook|an SQLite) database/i.test(message), `the error says ${JSON.stringify(message)}`);
        const file = await s.$("db-file").getProperty("textContent");
        assert(file.includes("demo.sqlite"), `the open database changed to ${JSON.stringify(file)}`);
        assert((await s.count("customer-row")) > 0, "the customer list is gone");
      });
    },
  ],
  [
    "a CSV file imports through the app: preview with the rejected row, then the new customer and invoices",
    async () => {
      session = await driver.session(["--db", importDb]);
      await session.visible("first-run", 30_000);
      await (await session.visible("import-file")).click();
      await session.visible("import-dialog");
      await session.until(
        async () => (await session.$("import-count-rejected").isExisting()) && (await session.$("import-run").isEnabled()),
        "the preview did not finish with an enabled Import button",
      );
      const text = async (id) => (await session.$(id).getText()).trim();
      assert((await text("import-file-name")) === "import-generic.csv", `the dialog names ${await text("import-file-name")}`);
      assert(/generic csv/i.test(await text("import-detected-format")), `detected format: ${await text("import-detected-format")}`);
      const counts = {
        customers: await text("import-count-customers"),
        created: await text("import-count-created"),
        updated: await text("import-count-updated"),
        closed: await text("import-count-closed"),
        rejected: await text("import-count-rejected"),
      };
      const expected = { customers: "2", created: "3", updated: "0", closed: "0", rejected: "1" };
      assert(JSON.stringify(counts) === JSON.stringify(expected), `preview counts ${JSON.stringify(counts)}, expected ${JSON.stringify(expected)}`);
      const rejections = await session.texts("import-rejection");
      assert(
        rejections.length === 1 && /^line 4: due date .* before issue date/.test(rejections[0]),
        `rejected rows listed: ${JSON.stringify(rejections)}`,
      );
      const warnings = await session.texts("import-warning");
      assert(warnings.some((w) => w.startsWith("line 5:") && w.includes("no due date")), `warnings: ${JSON.stringify(warnings)}`);
      assert(!(await session.$("import-demo-warning").isExisting()), "a user database shows the demo warning");
      assert((await session.$("first-run").isExisting()), "the preview wrote: the first-run screen is gone");
      await new Promise((r) => setTimeout(r, 300));
      screenshot(path.join(artifacts, "import-preview.png"));

      await (await session.$("import-run")).click();
      const summary = await (await session.visible("import-result", 30_000)).getText();
      assert(/2 new customers, 3 new invoices/.test(summary), `the result says ${JSON.stringify(summary)}`);
      assert(/1 row was rejected/.test(summary), `the result does not mention the rejected row: ${JSON.stringify(summary)}`);
      screenshot(path.join(artifacts, "import-result.png"));
      await (await session.visible("import-done")).click();
      await session.gone("import-dialog");

      const names = await session.until(async () => {
        const found = await session.texts("customer-name");
        return found.length === 2 ? found : null;
      }, "the list does not show the 2 imported customers");
      assert(names.includes("Quillfeather Bookbinders") && names.includes("Tidewell Ceramics"), `the list shows ${JSON.stringify(names)}`);
      let quill = null;
      for (const candidate of await session.$$("customer-row"))
        if ((await candidate.$('[data-testid="customer-name"]').getText()) === "Quillfeather Bookbinders") quill = candidate;
      assert(quill, "no row for Quillfeather Bookbinders");
      await quill.click();
      await session.until(async () => (await session.$("detail-name").getText()) === "Quillfeather Bookbinders", "the panel does not show Quillfeather Bookbinders");
      const numbers = await session.until(async () => {
        const found = await session.texts("invoice-number");
        return found.length > 0 ? found : null;
      }, "no invoices are shown for Quillfeather Bookbinders");
      assert(
        JSON.stringify([...numbers].sort()) === JSON.stringify(["QF-1001", "QF-1002"]),
        `Quillfeather's invoices are ${JSON.stringify(numbers)}, expected QF-1001 and QF-1002 (QF-1003 was rejected)`,
      );
      await endSession();
    },
  ],
  [
    "a file no layout knows opens the mapping step naming the fields to map; nothing is imported unmapped",
    async () => {
      const notAnExport = path.join(scratch, "other", "price-list.csv");
      writeFileSync(notAnExport, "Product,Price\nWidget,5.00\n");
      await withApp({ binary, env: { ...env, DUEBOOK_TEST_IMPORT_PATH: notAnExport }, artifacts, db: importDb }, async (s) => {
        await s.until(async () => (await s.count("customer-row")) === 2, "the imported database does not list 2 customers");
        await (await s.visible("topbar-import")).click();
        await s.visible("import-mapping");
        const names = await s.texts("import-map-name");
        assert(JSON.stringify(names) === JSON.stringify(["Product", "Price"]), `the columns shown are ${JSON.stringify(names)}`);
        const missing = await s.$("import-map-missing").getText();
        assert(/Customer name, Invoice number, Issue date, Amount/.test(missing), `the step says ${JSON.stringify(missing)}`);
        assert(!(await s.$("import-run").isEnabled()), "Import is offered for a file whose required fields are not mapped");
        await new Promise((r) => setTimeout(r, 300));
        screenshot(path.join(artifacts, "import-unknown-layout.png"));
        await (await s.$("import-cancel")).click();
        await s.gone("import-dialog");
        assert((await s.count("customer-row")) === 2, "the customer list changed");
      });
    },
  ],
  [
    "importing into the demo warns first; Esc closes, Tab stays inside; the progress bar moves",
    async () => {
      writeFileSync(bulkCsv, bulkExport(60_000), { flag: "w" });
      await withApp({ binary, env: { ...env, DUEBOOK_TEST_IMPORT_PATH: bulkCsv, DUEBOOK_TEST_SAVE_PATH: bulkOwnDb }, artifacts, db: demoDb }, async (s) => {
        await s.visible("demo-banner", 30_000);
        await (await s.visible("topbar-import")).click();
        await s.visible("import-dialog");
        await s.visible("import-demo-warning");
        await s.until(async () => (await s.$("import-run").isEnabled()), "the preview of the bulk file did not finish", 60_000);
        const label = (await s.$("import-run").getText()).trim();
        assert(label === "Import into the demo", `the import button on the demo says ${JSON.stringify(label)}`);
        await new Promise((r) => setTimeout(r, 300));
        screenshot(path.join(artifacts, "import-demo.png"));

        // Tab and Shift+Tab never leave the dialog.
        for (const keys of [["Tab"], ["Shift", "Tab"]]) {
          for (let i = 0; i < 14; i++) {
            await s.browser.keys(keys);
            const inside = await s.browser.execute(() => {
              const dialog = document.querySelector('[data-testid="import-dialog"]');
              return Boolean(dialog && dialog.contains(document.activeElement));
            });
            assert(inside, `focus left the import dialog after ${i + 1} × ${keys.join("+")}`);
          }
        }
        await s.browser.keys(["Escape"]);
        await s.gone("import-dialog");
        assert((await s.count("customer-row")) > 0, "the demo list is gone after closing the dialog");

        // Again, this time creating an own database first: the preview then targets it.
        await (await s.visible("topbar-import")).click();
        await (await s.visible("import-demo-create")).click();
        await s.until(
          async () => (await s.$("import-target").getText()).includes("mine.sqlite") && !(await s.$("import-demo-warning").isExisting()),
          "the dialog does not target the new database mine.sqlite",
          30_000,
        );
        await s.until(async () => (await s.$("import-run").isEnabled()), "the preview into mine.sqlite did not finish", 60_000);
        assert((await s.$("import-count-created").getText()).trim() === "60,000", `new invoices: ${await s.$("import-count-created").getText()}`);

        // Watch the bar from inside the page while the import runs.
        const stopWatching = await s.watchProgress("import-progress", 10);
        await (await s.$("import-run")).click();
        try {
          await s.until(
            async () => s.browser.execute(() => (document.querySelector('[data-testid="import-progress"] progress')?.position ?? -1) > 0.2),
            "no progress shown",
            20_000,
          );
          screenshot(path.join(artifacts, "import-progress.png"));
        } catch {
          // Too quick to catch: the assertion on the positions seen below decides.
        }
        await s.visible("import-result", 120_000);
        const { seen, between } = await stopWatching();
        assert(between.length >= 2, `the progress bar did not move: saw ${JSON.stringify([...new Set(seen)].slice(0, 20))}`);
        const summary = await s.$("import-result").getText();
        assert(/60,000 new invoices/.test(summary), `the result says ${JSON.stringify(summary)}`);
        await (await s.visible("import-done")).click();
        await s.gone("import-dialog");
        assert(!(await s.$("demo-banner").isExisting()), "the demo banner is shown over the new database");
        await s.until(async () => /1,500 customers/.test(await s.$("customer-count").getText()), "the list does not count 1,500 customers");
        console.log(`  progress bar positions seen while importing: ${between.length} distinct`);
      });
    },
  ],
];

tests.push(
  ...customerScreenTests({
    driver,
    get: () => session,
    set: (next) => (session = next),
    endSession,
    assert,
    screenshot,
    binary,
    env,
    artifacts,
    scratch,
    repoRoot,
    demoDb,
  }),
);

// Each area registers its journeys here; `E2E_GROUPS=email,statements` runs only those groups
// (each group starts its own session), all of them when unset.
const groups = { foundation: tests };
groups.statements = statementsTests({ binary, env, artifacts, scratch, assert, screenshot });
groups.email = emailTests({ binary, env, artifacts, scratch, assert, screenshot });
groups.conversation = conversationTests({ binary, env, artifacts, scratch, assert, screenshot });
groups.campaigns = campaignsTests({ binary, env, artifacts, scratch, assert, screenshot });
groups.signIn = signInTests({ binary, env, artifacts, scratch, assert, screenshot });
groups.reports = reportsTests({ binary, env, artifacts, scratch, assert, screenshot });
groups.backups = backupsTests({ binary, env, artifacts, scratch, assert, screenshot });
groups.imports = importsTests({ binary, env, artifacts, scratch, assert, screenshot });
groups.shell = shellTests({ binary, env, artifacts, scratch, assert, screenshot });

function selectedTests() {
  const wanted = (process.env.E2E_GROUPS ?? "").split(",").map((g) => g.trim()).filter(Boolean);
  const unknown = wanted.filter((g) => !(g in groups));
  if (unknown.length) die(`unknown E2E group(s) ${unknown.join(", ")}; known: ${Object.keys(groups).join(", ")}`);
  return (wanted.length ? wanted : Object.keys(groups)).flatMap((g) => groups[g]);
}

/** A generic export of `rows` invoices over 1,500 customers, ~60 bytes a row. */
function bulkExport(rows) {
  mkdirSync(path.dirname(bulkCsv), { recursive: true });
  const lines = ["Customer,Invoice Number,Invoice Date,Due Date,Amount,Currency"];
  for (let i = 0; i < rows; i++) {
    const day = String(1 + (i % 28)).padStart(2, "0");
    lines.push(`Bulk Customer ${i % 1500},BULK-${i},2026-01-${day},2026-03-${day},${100 + (i % 900)}.50,USD`);
  }
  return lines.join("\n") + "\n";
}

/** A valid, empty SQLite file (one page) whose header says `user_version`. */
function emptySqliteFile({ userVersion }) {
  const page = Buffer.alloc(4096);
  page.write("SQLite format 3\0", 0, "latin1");
  page.writeUInt16BE(4096, 16); // page size
  page[18] = 1; // write version: legacy journal
  page[19] = 1; // read version
  page[21] = 64; // max embedded payload fraction
  page[22] = 32; // min embedded payload fraction
  page[23] = 32; // leaf payload fraction
  page.writeUInt32BE(1, 24); // file change counter
  page.writeUInt32BE(1, 28); // size in pages
  page.writeUInt32BE(4, 44); // schema format
  page.writeUInt32BE(1, 56); // UTF-8
  page.writeUInt32BE(userVersion, 60);
  page.writeUInt32BE(1, 92); // version-valid-for = change counter
  page.writeUInt32BE(3045000, 96);
  page[100] = 0x0d; // page 1: an empty leaf table b-tree (sqlite_master)
  page.writeUInt16BE(4096, 105); // cell content starts at the end of the page
  return page;
}

async function main() {
  let result = { passed: 0, failed: 0 };
  try {
    await driver.start();
    if (screenshotOnly) {
      result = await runTests(
        [
          [
            "screenshot of the demo with a customer selected",
            async () => {
              await openDemoAndPickCustomer({ search: null });
              const themes = [["light", screenshotOnly]];
              if (screenshotDark) themes.push(["dark", screenshotDark]);
              for (const [theme, file] of themes) {
                await (await session.$("theme-select")).selectByAttribute("value", theme);
                await session.until(
                  async () => (await session.browser.execute(() => document.documentElement.dataset.theme)) === theme,
                  `the ${theme} theme was not applied`,
                );
                // No focus ring on a control in the picture.
                await session.browser.execute(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : null));
                await new Promise((r) => setTimeout(r, 500));
                screenshot(file);
                console.log(`  saved ${path.relative(process.cwd(), file)} (${theme})`);
              }
            },
          ],
        ],
        { driver },
      );
    } else {
      result = await runTests(selectedTests(), {
        driver,
        onFailure: async (name) => {
          const file = path.join(artifacts, `failure-${name.replace(/\W+/g, "-").slice(0, 60)}.png`);
          try {
            screenshot(file);
            console.log(`  screenshot: ${path.relative(repoRoot, file)}`);
          } catch {
            // No display left to capture.
          }
          console.log(`  --- last lines of ${path.relative(repoRoot, driver.logFile)} ---\n${driver.logTail(25).replace(/^/gm, "  | ")}`);
        },
      });
    }
  } catch (error) {
    console.log(`e2e: ${error?.stack ?? error}`);
    console.log(driver.logTail(40));
    result.failed += 1;
  } finally {
    await endSession().catch(() => {});
    await driver.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`${result.passed} passed, ${result.failed} failed`);
  process.exit(result.failed > 0 || result.passed === 0 ? 1 : 0);
}

main();
