// Backups in the app (issue 19): Database → Back up now lists the backups with their reason and
// counts; Restore… asks, says the current file is backed up first, and reopens the restored file;
// a damaged file is not opened and its screen restores the newest good backup. The files are
// made with the `duebook` CLI (an import, a manual backup) before the app opens them. Settings →
// Backups moves them into a chosen folder and back, and keeps the numbers the person chose.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./harness.mjs";
import { withApp } from "./support.mjs";

/**
 * @param {object} ctx
 * @param {string} ctx.binary
 * @param {Record<string, string>} ctx.env
 * @param {string} ctx.artifacts
 * @param {string} ctx.scratch
 * @param {(c: any, m: string) => void} ctx.assert
 * @param {(file: string) => void} ctx.screenshot
 */
export function backupsTests(ctx) {
  const { binary, env, artifacts, scratch, assert, screenshot } = ctx;
  const dir = path.join(scratch, "backups");
  const cli = path.join(repoRoot, "target/debug/duebook");
  const csv = path.join(repoRoot, "tests/e2e/fixtures/import-generic.csv");

  /** A database holding the fixture's customers (and its before-import backup). */
  function imported(name) {
    const db = path.join(dir, name, "books.sqlite");
    mkdirSync(path.dirname(db), { recursive: true });
    execFileSync(cli, ["--db", db, "import", csv], { env, stdio: "ignore" });
    return db;
  }

  async function menu(session, item) {
    await (await session.visible("topbar-database")).click();
    await (await session.visible(item)).click();
    await session.visible("backups");
  }

  const reasons = async (session) => session.texts("backup-reason");

  async function restoreChosen(session) {
    await (await session.visible("restore-choose")).click();
    const text = await (await session.visible("restore-confirm-text")).getText();
    assert(text.includes("backed up first"), `the confirmation says ${JSON.stringify(text)}`);
    await (await session.$("restore-confirm")).click();
    await session.gone("backups", 30_000);
  }

  return [
    [
      "Database → Back up now lists it with its reason and counts; Restore… goes back to before the import and forth again",
      async () => {
        const db = imported("restore");
        await withApp({ binary, env, artifacts, db }, async (session) => {
          await session.until(async () => (await session.count("customer-row")) > 0, "the imported customers are not listed");
          const customers = await session.count("customer-row");

          await menu(session, "topbar-backup");
          const made = await (await session.visible("backup-made")).getText();
          assert(made.includes(path.join(path.dirname(db), "backups")), `Back up now says ${JSON.stringify(made)}`);
          const listed = await session.until(async () => {
            const shown = await reasons(session);
            return shown.length >= 2 ? shown : null;
          }, "the dialog does not list the backups");
          assert(listed[0] === "Made by you" && listed.includes("Before an import"), `reasons: ${listed.join(", ")}`);
          const counts = await session.texts("backup-counts");
          assert(counts[0].startsWith(`${customers} customers`), `the newest backup holds ${counts[0]}`);
          screenshot(path.join(artifacts, "backups-dialog.png"));
          await (await session.$("backups-close")).click();
          await session.gone("backups");

          // Back to the file as it was before the import: no customers.
          await menu(session, "topbar-restore");
          const rows = await session.until(async () => {
            const shown = await session.$$("backup-row");
            return shown.length >= 2 ? shown : null;
          }, "Restore… lists no backups");
          const beforeImport = (await reasons(session)).indexOf("Before an import");
          await rows[beforeImport].click();
          await restoreChosen(session);
          await session.visible("first-run", 20_000);

          // And forth: the newest backup is the file the restore replaced.
          await menu(session, "topbar-restore");
          await session.until(async () => (await reasons(session))[0] === "Before a restore", "the replaced file was not backed up");
          await restoreChosen(session);
          await session.until(
            async () => (await session.count("customer-row")) === customers,
            "the restored customers are not listed",
            20_000,
          );
        });
      },
    ],
    [
      "A damaged file is not opened, nor written; its screen restores the newest good backup",
      async () => {
        const db = imported("damaged");
        execFileSync(cli, ["--db", db, "backup"], { env, stdio: "ignore" });
        // Every page but the first (the header and the start of the schema) turned to garbage.
        const bytes = readFileSync(db);
        for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
        writeFileSync(db, bytes);
        await withApp({ binary, env, artifacts, db }, async (session) => {
          await session.visible("open-failed-damaged", 20_000);
          const reason = await session.$("open-failed-reason").getText();
          assert(reason.includes("damaged"), `the screen says ${JSON.stringify(reason)}`);
          assert(Buffer.compare(readFileSync(db), bytes) === 0, "the damaged file was written");
          screenshot(path.join(artifacts, "backups-damaged.png"));
          await (await session.visible("open-failed-restore")).click();
          await session.visible("backups");
          const first = await session.until(async () => (await reasons(session))[0], "no backups are listed");
          assert(first === "Made by you", `the newest good backup is ${first}`);
          await restoreChosen(session);
          await session.until(async () => (await session.count("customer-row")) > 0, "the restored file shows no customers", 20_000);
        });
      },
    ],
    [
      "Settings → Backups moves the backups into a chosen folder and back, and keeps the numbers chosen",
      async () => {
        const db = imported("settings");
        const home = path.join(path.dirname(db), "backups");
        const synced = path.join(dir, "settings", "Cloud Drive", "Duebook");
        const folderEnv = { ...env, DUEBOOK_TEST_BACKUP_FOLDER_PATH: synced };
        await withApp({ binary, env: folderEnv, artifacts, db }, async (session) => {
          // Opening the file makes the day's backup beside the import's.
          await session.until(async () => readdirSync(home).length === 2, "no daily backup was made on open");
          await (await session.visible("topbar-settings")).click();
          await (await session.visible("settings-tab-backups")).click();
          const shown = async () => (await session.visible("backup-folder")).getText();
          assert((await shown()) === home, `the folder shown is ${await shown()}`);

          await (await session.visible("backup-folder-choose")).click();
          const said = await session.until(
            async () => (await session.texts("backup-settings-saved"))[0],
            "choosing a folder says nothing",
          );
          assert(said.includes("2 backups moved along"), `it says ${JSON.stringify(said)}`);
          assert((await shown()) === synced, `the folder shown is ${await shown()}`);
          assert(readdirSync(synced).length === 2 && readdirSync(home).length === 0, "the backups did not move");

          await session.type("backup-keep-daily", "0");
          await (await session.$("backup-keep-save")).click();
          const refused = await (await session.visible("backup-settings-error")).getText();
          assert(refused.includes("keep from 1 to 3660"), `0 daily backups: ${JSON.stringify(refused)}`);
          await session.type("backup-keep-daily", "14");
          await (await session.$("backup-keep-save")).click();
          await session.visible("backup-settings-saved");
          const kept = execFileSync(cli, ["--db", db, "backup", "keep"], { env }).toString();
          assert(kept.startsWith("keeps 14 daily"), `the CLI reads ${JSON.stringify(kept)}`);
          screenshot(path.join(artifacts, "settings-backups.png"));

          await (await session.visible("backup-folder-default")).click();
          await session.until(async () => (await shown()) === home, "the folder did not go back to the default");
          assert(readdirSync(home).length === 2 && readdirSync(synced).length === 0, "the backups did not move back");
        });
      },
    ],
  ];
}
