// Imports without the dialog (issue 21): Settings → Watched folder watches a folder a scheduled
// export lands in; a file dropped there is imported once it stops changing and the window says
// so, a file that is not a ledger export is rejected with its reason, and the list shows both.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./harness.mjs";
import { searchNarrows, withApp } from "./support.mjs";

/**
 * @param {object} ctx
 * @param {string} ctx.binary
 * @param {Record<string, string>} ctx.env
 * @param {string} ctx.artifacts
 * @param {string} ctx.scratch
 * @param {(c: any, m: string) => void} ctx.assert
 * @param {(file: string) => void} ctx.screenshot
 */
export function importsTests(ctx) {
  const { binary, env, artifacts, scratch, assert, screenshot } = ctx;
  const cli = path.join(repoRoot, "target/debug/duebook");
  const csv = path.join(repoRoot, "tests/e2e/fixtures/import-generic.csv");

  return [
    [
      "Settings → Watched folder imports a dropped export, rejects a stray file with its reason, and lists both",
      async () => {
        const dir = path.join(scratch, "watched");
        const db = path.join(dir, "books.sqlite");
        const folder = path.join(dir, "Ledger exports");
        mkdirSync(folder, { recursive: true });
        execFileSync(cli, ["--db", db, "import", csv], { env, stdio: "ignore" });
        const watchEnv = { ...env, DUEBOOK_TEST_WATCHED_FOLDER_PATH: folder, DUEBOOK_TEST_WATCHED_MS: "300" };
        await withApp({ binary, env: watchEnv, artifacts, db }, async (session) => {
          await (await session.visible("topbar-settings")).click();
          await (await session.visible("settings-tab-watched")).click();
          const status = async () => (await session.visible("watched-status")).getText();
          assert((await status()).startsWith("Off"), `before: ${await status()}`);
          await (await session.visible("watched-choose")).click();
          await session.until(async () => (await status()) === `Watching ${folder}`, "the folder is not watched");
          assert(existsSync(path.join(folder, "imported")), "imported/ was not made");
          await (await session.$("settings-close")).click();

          writeFileSync(
            path.join(folder, "weekly-export.csv"),
            "Customer,Invoice Number,Invoice Date,Due Date,Amount,Currency\n" +
              "Watched Waterworks,WW-1,2026-02-01,2026-03-01,640.00,EUR\n",
          );
          writeFileSync(path.join(folder, "minutes.csv"), "Meeting minutes\nnothing to import here\n");
          const lines = await session.until(async () => {
            const shown = await session.texts("watched-notice-text");
            return shown.length >= 2 ? shown : null;
          }, "the window does not say what the watched folder took", 30_000);
          assert(
            lines.some((l) => l.startsWith("weekly-export.csv: 1 invoice created")),
            `the notice says ${lines.join(" | ")}`,
          );
          assert(lines.some((l) => l.startsWith("minutes.csv: not imported")), `the notice says ${lines.join(" | ")}`);
          await searchNarrows(session, "Watched", "the imported customer is not listed");
          screenshot(path.join(artifacts, "watched-notice.png"));

          await (await session.visible("topbar-settings")).click();
          await (await session.visible("settings-tab-watched")).click();
          const names = await session.until(async () => {
            const shown = await session.texts("watched-file-name");
            return shown.length === 2 ? shown : null;
          }, "the list does not show the two files");
          const statuses = await session.texts("watched-file-status");
          const rejected = names.indexOf("minutes.csv");
          assert(statuses[rejected] === "rejected", `minutes.csv is ${statuses[rejected]}`);
          const reports = await session.texts("watched-file-report");
          assert(reports[rejected].includes("cannot import minutes.csv"), `its report: ${reports[rejected]}`);
          const rows = await session.$$("watched-file");
          await rows[rejected].click();
          screenshot(path.join(artifacts, "settings-watched.png"));
        });
      },
    ],
  ];
}
