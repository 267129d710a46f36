// The desktop shell (issue 19): the welcome's checklist and what it remembers, Help → About,
// Open log folder and Copy diagnostics, and the window's size, view and customer restored after a
// restart. Its own HOME, so the log folder and the saved window state are this group's alone.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./harness.mjs";
import { appEnv, demoListShown, launchApp } from "./support.mjs";

/** The workspace version: the one About must show. */
function workspaceVersion() {
  const toml = readFileSync(path.join(repoRoot, "Cargo.toml"), "utf8");
  const match = /\[workspace\.package\][^[]*?\nversion = "([^"]+)"/.exec(toml);
  if (!match) throw new Error("no [workspace.package] version in Cargo.toml");
  return match[1];
}

/**
 * @param {object} ctx
 * @param {string} ctx.binary
 * @param {string} ctx.artifacts
 * @param {string} ctx.scratch
 * @param {(c: any, m: string) => void} ctx.assert
 * @param {(file: string) => void} ctx.screenshot
 */
export function shellTests(ctx) {
  const { binary, artifacts, scratch, assert, screenshot } = ctx;
  const dir = path.join(scratch, "shell");
  const home = path.join(dir, "home");
  const userDb = path.join(dir, "books", "duebook.sqlite");
  const demoDb = path.join(dir, "books", "demo.sqlite");
  // "Open log folder" runs this instead of the desktop's opener: it notes what it was given.
  const opener = path.join(dir, "opener.sh");
  const opened = path.join(dir, "opened.txt");
  const env = () => appEnv(home, { DUEBOOK_TEST_OPENER: opener });
  let driver = null;
  let session = null;

  async function start(db) {
    ({ driver, session } = await launchApp({ binary, env: env(), artifacts, db }));
  }

  async function stop() {
    if (session) await session.end();
    if (driver) await driver.stop();
    session = null;
    driver = null;
  }

  const doneFlags = async () => {
    const flags = {};
    for (const step of ["demo", "import", "mailbox"])
      flags[step] = await session.$(`checklist-${step}`).getAttribute("data-done");
    return flags;
  };

  async function openHelp() {
    await (await session.visible("help-button")).click();
    await session.visible("help-overlay");
  }

  return [
    [
      "shell: the welcome lists three steps, none done yet",
      async () => {
        mkdirSync(home, { recursive: true });
        writeFileSync(opener, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
        chmodSync(opener, 0o755);
        await start(userDb);
        await session.visible("first-run-checklist", 30_000);
        const flags = await doneFlags();
        assert(Object.values(flags).every((f) => f === "false"), `steps already done: ${JSON.stringify(flags)}`);
        for (const id of ["open-demo", "import-file", "connect-mailbox"])
          assert(await session.$(id).isEnabled(), `${id} is disabled`);
        await new Promise((r) => setTimeout(r, 300));
        screenshot(path.join(artifacts, "first-run-checklist.png"));
      },
    ],
    [
      "shell: Help → About shows the version, the commit and where the files are",
      async () => {
        await openHelp();
        await (await session.visible("help-about")).click();
        const version = await (await session.visible("about-version")).getText();
        assert(version === workspaceVersion(), `About says version ${JSON.stringify(version)}`);
        const commit = await session.$("about-commit").getText();
        assert(/^([0-9a-f]{7,}|unknown)$/.test(commit), `About says commit ${JSON.stringify(commit)}`);
        const database = await session.$("about-database").getText();
        assert(database === userDb, `About names the database ${JSON.stringify(database)}`);
        const logs = await session.$("about-logs").getText();
        assert(logs === path.join(home, ".local/share/app.duebook.desktop/logs"), `About names the logs ${logs}`);
        // The native title bar says which version it is, too.
        const windows = execFileSync("xwininfo", ["-root", "-tree"], { encoding: "utf8" });
        assert(windows.includes(`"Duebook ${version}"`), `no window is titled "Duebook ${version}"`);
        await new Promise((r) => setTimeout(r, 300));
        screenshot(path.join(artifacts, "about.png"));
      },
    ],
    [
      "shell: Help → Open log folder opens the folder with the app's log in it",
      async () => {
        await (await session.visible("help-open-logs")).click();
        const note = await (await session.visible("log-folder-note")).getText();
        const logs = path.join(home, ".local/share/app.duebook.desktop/logs");
        assert(note === `Opened ${logs}`, `the note says ${JSON.stringify(note)}`);
        await session.until(() => existsSync(opened), "the opener was not run");
        assert(readFileSync(opened, "utf8") === logs, `the opener got ${readFileSync(opened, "utf8")}`);
      },
    ],
    [
      "shell: Copy diagnostics shows the version and counts and copies them",
      async () => {
        await (await session.visible("help-diagnostics")).click();
        const text = await session.until(async () => {
          const value = await session.$("diagnostics-text").getValue().catch(() => "");
          return value.includes("Counts:") ? value : null;
        }, "the diagnostics text has no counts");
        assert(text.startsWith(`Duebook ${workspaceVersion()} (`), `diagnostics start ${JSON.stringify(text.slice(0, 40))}`);
        assert(/Counts: 0 customers, 0 invoices/.test(text), `counts of an empty file: ${text}`);
        assert(text.includes("Last warnings and errors"), text);
        const copied = await session.until(async () => {
          const status = await session.$("diagnostics-copied").getText();
          return status === "Copying…" ? null : status;
        }, "the copy never ended");
        assert(copied.startsWith("Copied to the clipboard"), `copy status ${JSON.stringify(copied)}`);
        // The page may write the clipboard but not read it back (WebKit refuses readText).
        console.log(`  ${copied} (${text.split("\n").length} lines)`);
        await new Promise((r) => setTimeout(r, 300));
        screenshot(path.join(artifacts, "diagnostics.png"));
        await (await session.visible("help-close")).click();
        await session.gone("help-overlay");
      },
    ],
    [
      "shell: the demo ticks its step, and the tick is still there after a restart",
      async () => {
        await (await session.visible("open-demo")).click();
        await demoListShown(session);
        await stop();
        await start(userDb);
        await session.visible("first-run-checklist", 30_000);
        const flags = await doneFlags();
        assert(
          flags.demo === "true" && flags.import === "false" && flags.mailbox === "false",
          `after the demo and a restart: ${JSON.stringify(flags)}`,
        );
        await stop();
      },
    ],
    [
      "shell: the window's size, the view and the customer come back after a restart",
      async () => {
        await start(demoDb);
        await demoListShown(session);
        await session.browser.setWindowRect(null, null, 1100, 720);
        const row = (await session.$$("customer-row"))[2];
        const name = await row.$('[data-testid="customer-name"]').getText();
        await row.click();
        await session.until(async () => (await session.$("detail-name").getText()) === name, `${name} did not open`);
        await (await session.visible("view-today")).click();
        // The place is saved at once, the window state 0.4 s after the last resize.
        await new Promise((r) => setTimeout(r, 1500));
        await stop();

        await start(demoDb);
        await session.until(
          async () => (await session.$("view-today").getAttribute("aria-current")) === "page",
          "the window did not come back on Today",
          30_000,
        );
        const rect = await session.browser.getWindowRect();
        assert(Math.abs(rect.width - 1100) <= 40 && Math.abs(rect.height - 720) <= 40, `the window is ${rect.width}×${rect.height}`);
        await (await session.visible("view-customers")).click();
        await session.until(async () => (await session.$("detail-name").getText().catch(() => "")) === name, `${name} is not open again`);
        console.log(`  ${rect.width}×${rect.height}, Today, then ${name}`);
        await stop();
      },
    ],
  ];
}
