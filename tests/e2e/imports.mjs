// Imports from any ledger (issue 21). The import dialog's mapping step: a German export no
// layout knows is mapped in the window, previewed as the mapping changes, saved as a profile and
// imported, its region column kept on each customer as a custom field; the next file with its
// header is read by the profile unasked; Settings → Import profiles renames, exports and deletes
// it, and imports the exported file back. Imports without the dialog: Settings → Watched folder watches
// a folder a scheduled export lands in; a file dropped there is imported once it stops changing
// and the window says so, a file that is not a ledger export is rejected with its reason, and
// the list shows both.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./harness.mjs";
import { openCustomerRow, searchNarrows, withApp } from "./support.mjs";

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
      "a German export is mapped in the import dialog (a custom field too), saved as a profile that reads the next one, renamed, exported, deleted and imported back",
      async () => {
        const dir = path.join(scratch, "mapping");
        mkdirSync(dir, { recursive: true });
        const db = path.join(dir, "books.sqlite");
        const german = path.join(dir, "offene-posten.csv");
        writeFileSync(german, GERMAN_HEADER + GERMAN_WEEK_1);
        const profileFile = path.join(dir, "datev.duebook-profile.json");
        execFileSync(cli, ["--db", db, "import", csv], { env, stdio: "ignore" });
        const appEnv = { ...env, DUEBOOK_TEST_IMPORT_PATH: german, DUEBOOK_TEST_SAVE_PATH: profileFile };
        await withApp({ binary, env: appEnv, artifacts, db }, async (s) => {
          await (await s.visible("topbar-import")).click();
          await s.visible("import-mapping");
          const missing = await (await s.visible("import-map-missing")).getText();
          assert(/Customer name, Invoice number, Issue date, Amount/.test(missing), `the step says ${missing}`);
          assert(!(await s.$("import-run").isEnabled()), "Import is offered before the required fields are mapped");
          screenshot(path.join(artifacts, "import-mapping-start.png"));
          const names = await s.texts("import-map-name");
          const fields = await s.$$("import-map-field");
          for (const [column, field] of Object.entries(GERMAN_MAPPING)) {
            assert(names.includes(column), `no column ${column} among ${names.join(", ")}`);
            await fields[names.indexOf(column)].selectByAttribute("value", field);
          }
          // The region column is kept on each customer as the custom field "Region".
          await fields[names.indexOf("Gebiet")].selectByAttribute("value", "custom");
          const customName = await s.visible("import-map-custom-name");
          assert((await customName.getValue()) === "Gebiet", `the custom field is named ${await customName.getValue()}`);
          await s.type("import-map-custom-name", "Region");
          await s.browser.keys(["Tab"]);
          await (await s.$("import-map-date-order")).selectByAttribute("value", "dmy");
          await (await s.$("import-map-decimal")).selectByAttribute("value", "comma");
          await s.type("import-map-currency", "eur");
          await s.type("import-map-profile-name", "DATEV Offene Posten");
          await s.browser.keys(["Tab"]);
          await s.gone("import-map-missing");
          await s.until(
            async () => (await s.$("import-run").isEnabled()) && (await s.$("import-count-created").getText()) === "3",
            `the preview does not count 3 new invoices: ${await s.$("import-count-created").getText().catch(() => "none")}`,
          );
          assert((await s.$("import-count-rejected").getText()) === "1", "the preview does not reject 1 row");
          const rejected = await s.texts("import-rejection");
          assert(rejected[0]?.startsWith("line 5:"), `the rejected row reads ${rejected[0]}`);
          await new Promise((r) => setTimeout(r, 300));
          screenshot(path.join(artifacts, "import-mapping.png"));

          await (await s.$("import-run")).click();
          const result = await (await s.visible("import-result", 30_000)).getText();
          assert(/3 new invoices/.test(result) && /profile “DATEV Offene Posten”/.test(result), `the result says ${result}`);
          await (await s.$("import-done")).click();
          await s.gone("import-dialog");
          await openCustomerRow(s, "Müller", "Müller GmbH");
          const kept = await s.until(async () => {
            const shown = await s.texts("custom-field");
            return shown.length > 0 ? shown : null;
          }, "Müller GmbH shows no custom field");
          assert(kept.some((t) => t.includes("Region") && t.includes("Nord")), `its custom fields: ${kept.join(" | ")}`);

          // The next week's file: same header, recognised by the profile, nothing to map.
          writeFileSync(german, GERMAN_HEADER + GERMAN_WEEK_2);
          await (await s.visible("topbar-import")).click();
          await s.until(
            async () => (await s.$("import-detected-format").getText()).includes("DATEV Offene Posten"),
            "the second file is not read by the saved profile",
          );
          assert(!(await s.$("import-mapping").isExisting()), "the mapping step opened for a file the profile reads");
          await s.until(async () => (await s.$("import-run").isEnabled()), "the profile's preview did not finish");
          assert((await s.$("import-count-created").getText()) === "1", "the second file does not add 1 invoice");
          await (await s.$("import-run")).click();
          await s.visible("import-result", 30_000);
          await (await s.$("import-done")).click();
          await s.gone("import-dialog");

          await (await s.visible("topbar-settings")).click();
          await (await s.visible("settings-tab-profiles")).click();
          const listed = async () => s.texts("import-profile-name");
          await s.until(async () => (await listed()).length === 1, "the profile is not listed");
          assert((await listed())[0] === "DATEV Offene Posten", `listed: ${await listed()}`);
          const columns = (await s.texts("import-profile-columns"))[0];
          assert(columns.includes("Customer name ← Kunde"), `its columns: ${columns}`);
          assert(columns.includes("“Region” ← Gebiet"), `its columns: ${columns}`);
          await (await s.$("import-profile-rename")).click();
          await s.type("import-profile-new-name", "DATEV weekly");
          await (await s.$("import-profile-rename-save")).click();
          await s.until(async () => (await listed())[0] === "DATEV weekly", "the profile was not renamed");
          screenshot(path.join(artifacts, "settings-import-profiles.png"));
          await (await s.$("import-profile-export")).click();
          await s.visible("import-profiles-notice");
          const exported = JSON.parse(readFileSync(profileFile, "utf8"));
          assert(JSON.stringify(exported).includes('"Region":"Gebiet"'), `the exported file: ${JSON.stringify(exported)}`);
          await (await s.$("import-profile-delete")).click();
          await (await s.visible("import-profile-confirm-confirm")).click();
          await s.visible("import-profiles-empty");
        });
        // Another computer, or after a clean-up: the exported file brings the profile back.
        await withApp({ binary, env: { ...env, DUEBOOK_TEST_IMPORT_PATH: profileFile }, artifacts, db }, async (s) => {
          await (await s.visible("topbar-settings")).click();
          await (await s.visible("settings-tab-profiles")).click();
          await s.visible("import-profiles-empty");
          await (await s.$("import-profile-import")).click();
          await s.until(async () => (await s.texts("import-profile-name"))[0] === "DATEV weekly", "the profile file was not imported");
          const columns = (await s.texts("import-profile-columns"))[0];
          assert(columns.includes("“Region” ← Gebiet"), `the imported profile's columns: ${columns}`);
        });
      },
    ],
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

const GERMAN_HEADER = "Kunde;Rechnungs-Nr.;Rechnungsdatum;Fällig am;Betrag;Offen;E-Mail;Gebiet\n";
// Line 5 has a date that does not exist: rejected with its reason.
const GERMAN_WEEK_1 =
  "Müller GmbH;RE-1001;03.02.2026;05.03.2026;1.234,56;1.234,56;buchhaltung@mueller.example;Nord\n" +
  "Müller GmbH;RE-1002;04.02.2026;06.03.2026;12.000,00;2.000,50;;Nord\n" +
  "Schmidt & Söhne KG;RE-1003;01.03.2026;31.03.2026;99,90;99,90;;Süd\n" +
  "Weber AG;RE-1004;31.02.2026;15.03.2026;10,00;10,00;;\n";
const GERMAN_WEEK_2 =
  "Müller GmbH;RE-1001;03.02.2026;05.03.2026;1.234,56;1.234,56;buchhaltung@mueller.example;Nord\n" +
  "Weber AG;RE-1005;02.03.2026;01.04.2026;2.500,00;2.500,00;;West\n";
const GERMAN_MAPPING = {
  Kunde: "customer_name",
  "Rechnungs-Nr.": "invoice_number",
  Rechnungsdatum: "issue_date",
  "Fällig am": "due_date",
  Betrag: "amount",
  Offen: "amount_due",
};
