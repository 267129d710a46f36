// Campaigns and the call list in the app (issue 7): a campaign from a preset, its plan preview
// (counts per step, excluded customers with reasons, a planned message fully rendered), switching
// it on through the backlog dialog (issue 14: the numbers, then a confirmation), a real
// run against a local SMTP server (aiosmtpd with STARTTLS and AUTH, the password in a real
// gnome-keyring) with its progress, then the Today call list worked with the keyboard: a promise
// logged on the first row takes it off the list and lands in the customer's timeline. The
// playbook's journeys (issue 20) are in campaign-playbook.mjs and run in their places below.
//
// Needs what scripts/with-test-services.sh prepares (target/test-services: the aiosmtpd venv and
// the localhost certificate) and gnome-keyring-daemon; fails when they are missing.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { playbookJourneys } from "./campaign-playbook.mjs";
import { repoRoot } from "./harness.mjs";
import { demoListShown, launchApp, openCustomerRow, startSmtpServer, testService } from "./support.mjs";

const SMTP_USER = "ar@northwind.example";
const SMTP_PASSWORD = "e2e-Campaign-pa55";

/**
 * @param {object} ctx
 * @param {string} ctx.binary
 * @param {Record<string, string>} ctx.env
 * @param {string} ctx.artifacts
 * @param {string} ctx.scratch
 * @param {(c: any, m: string) => void} ctx.assert
 * @param {(file: string) => void} ctx.screenshot
 */
export function campaignsTests(ctx) {
  const { binary, env, artifacts, scratch, assert, screenshot } = ctx;
  const dir = path.join(scratch, "campaigns");
  const db = path.join(dir, "demo.sqlite");
  const mailDir = path.join(dir, "received");
  const keyringHome = path.join(dir, "keyring");
  const callsCsv = path.join(dir, "calls.csv");
  const cli = path.join(repoRoot, "target/debug/duebook");
  const children = [];
  let driver = null;
  let session = null;

  const s = () => session;
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  /** One SQL statement on the demo file from another process; the first column of the first row. */
  const sql = (query) =>
    execFileSync(
      testService("DUEBOOK_TEST_PYTHON"),
      ["-c", "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nr = c.execute(sys.argv[2]).fetchall()\nc.commit()\nprint(r[0][0] if r else '')", db, query],
      { encoding: "utf8" },
    ).trim();
  const received = () => (existsSync(mailDir) ? readdirSync(mailDir).filter((f) => f.endsWith(".json")) : []);

  function keep(child) {
    children.push(child);
    process.on("exit", () => child.kill("SIGKILL"));
    return child;
  }

  /** An unlocked keyring on this run's D-Bus session: where the app and the CLI keep the password. */
  async function startKeyring() {
    mkdirSync(keyringHome, { recursive: true });
    const keyring = keep(
      spawn("gnome-keyring-daemon", ["--foreground", "--unlock", "--components=secrets"], {
        env: { ...env, XDG_DATA_HOME: keyringHome, XDG_RUNTIME_DIR: keyringHome },
        stdio: ["pipe", "ignore", "ignore"],
      }),
    );
    keyring.stdin.end("duebook-e2e");
    for (let i = 0; i < 100; i++) {
      try {
        const reply = execFileSync(
          "dbus-send",
          ["--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets"],
          { env, encoding: "utf8" },
        );
        if (reply.includes("true")) return;
      } catch {
        // The bus answers once the daemon registered.
      }
      await wait(100);
    }
    throw new Error("gnome-keyring-daemon did not come up on the session bus");
  }

  async function start() {
    mkdirSync(dir, { recursive: true });
    execFileSync(cli, ["--db", db, "demo"], { env, stdio: "ignore" });
    await startServices();
    // The scheduler (ticking every second here) waits until the last test moves this date back.
    sql("INSERT INTO settings (key, value) VALUES ('campaigns_next_run', '2999-01-01T00:00:00+00:00')");
    await launch();
  }

  /** The keyring and the SMTP server, and the sending account pointed at the server's port. */
  async function startServices() {
    await startKeyring();
    const server = startSmtpServer({ dir: mailDir, user: SMTP_USER, password: SMTP_PASSWORD });
    keep(server.child);
    const port = await server.port;
    execFileSync(
      cli,
      ["--db", db, "account", "set", "--from", SMTP_USER, "--name", "Dana Ortiz", "--host", "127.0.0.1"]
        .concat(["--port", String(port), "--security", "starttls", "--password-stdin"]),
      { env, input: `${SMTP_PASSWORD}\n`, stdio: ["pipe", "ignore", "inherit"] },
    );
  }

  async function launch() {
    ({ driver, session } = await launchApp({
      binary,
      env: {
        ...env,
        DUEBOOK_SMTP_CA_FILE: testService("DUEBOOK_TEST_CERT"),
        DUEBOOK_TEST_SAVE_PATH: callsCsv,
        DUEBOOK_TEST_SCHEDULER_TICK_MS: "1000",
        DUEBOOK_TEST_RUN_CHUNK_DELAY_MS: "400",
      },
      artifacts,
      db,
    }));
    await demoListShown(session);
  }

  async function stop() {
    if (session) await session.end();
    if (driver) await driver.stop();
    session = null;
    driver = null;
    for (const child of children.splice(0)) child.kill("SIGTERM");
  }

  const playbook = playbookJourneys({
    s,
    sql,
    wait,
    received,
    launch,
    startServices,
    stop,
    cli,
    db,
    env,
    binary,
    artifacts,
    assert,
    screenshot,
  });

  return [
    [
      "Campaigns → New from a preset → Preview: counts per step, excluded customers with reasons, a planned message rendered",
      async () => {
        await start();
        await (await s().visible("view-campaigns")).click();
        await s().visible("campaigns-view");
        await (await s().visible("campaign-new")).click();
        await s().visible("campaign-editor");
        const preset = await s().$("campaign-preset");
        await preset.selectByAttribute("value", "friendly");
        await s().until(async () => (await s().count("step-row")) === 5, "the friendly preset does not show 5 steps");
        await s().type("campaign-name", "E2E friendly reminders");
        // Quiet weekends off: the run must plan something whatever day the test runs on.
        const quiet = await s().$("campaign-quiet");
        if (await quiet.isSelected()) await quiet.click();
        assert(!(await s().$("campaign-editor-active").isExisting()), "a new campaign can be switched on before its backlog was shown");
        await (await s().$("campaign-save")).click();
        await s().gone("campaign-editor");
        await s().until(async () => (await s().$("campaign-title").getText()) === "E2E friendly reminders", "the new campaign is not selected");
        assert(!(await s().$("campaign-active").isSelected()), "the new campaign is switched on before any confirmation");

        await (await s().visible("plan-preview-button")).click();
        await s().visible("plan-preview", 30_000);
        const counts = await s().count("plan-count-row");
        assert(counts === 5, `the preview counts ${counts} steps, not 5`);
        const emails = (await s().texts("plan-count-emails")).map(Number);
        assert(emails.some((n) => n > 0), `no step plans an email: ${JSON.stringify(emails)}`);
        const reasons = await s().texts("excluded-reason");
        assert(reasons.length > 0 && reasons.every((r) => r.length > 0), `no excluded customer with a reason: ${JSON.stringify(reasons)}`);
        const excluded = await s().texts("excluded-customer");
        console.log(`  planned emails per step ${JSON.stringify(emails)}; excluded: ${excluded.map((n, i) => `${n} (${reasons[i]})`).join(", ")}`);

        screenshot(path.join(artifacts, "campaign-plan.png"));
        const firstPlanned = (await s().texts("planned-customer"))[0];
        await (await s().$("planned-open")).click();
        await s().visible("message-preview");
        const subject = await s().until(async () => (await s().$("message-subject").getText().catch(() => "")) || null, "the planned message was not rendered", 30_000);
        const body = await s().$("message-body").getText();
        assert(body.includes("INV-"), `the rendered message lists no invoice: ${JSON.stringify(body.slice(0, 200))}`);
        console.log(`  ${firstPlanned}: "${subject}"`);
        screenshot(path.join(artifacts, "campaign-message.png"));
        await (await s().$("message-preview-close")).click();
        await s().gone("message-preview");
      },
    ],
    [
      "Campaigns → switch on over the demo's backlog: the dialog shows who qualifies, the 90+ days overdue, the total and the days; Cancel keeps it off, Switch on makes it active",
      async () => {
        // The same numbers from the CLI, which refuses to confirm without a terminal but prints them.
        let printed = "";
        try {
          execFileSync(cli, ["--db", db, "campaigns", "activate", "1"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        } catch (e) {
          printed = String(e.stdout);
        }
        const cliQualifying = printed.match(/(\d+) customer\(s\) qualify today/)?.[1];
        const cliOverdue = printed.match(/(\d+) of them are 90\+ days overdue/)?.[1];
        assert(cliQualifying && cliOverdue, `the CLI printed no backlog: ${printed}`);

        const open = async () => {
          await (await s().$("campaign-active")).click();
          await s().visible("activate-dialog");
          return s().until(async () => (await s().$("activate-qualifying").getText().catch(() => "")) || null, "the dialog shows no backlog", 30_000);
        };
        await open();
        await (await s().$("activate-cancel")).click();
        await s().gone("activate-dialog");
        assert(!(await s().$("campaign-active").isSelected()), "Cancel switched the campaign on");

        const qualifying = await open();
        const overdue = await s().$("activate-overdue-90").getText();
        const total = await s().$("activate-total").getText();
        const days = await s().$("activate-days").getText();
        console.log(`  backlog: ${qualifying} qualify, ${overdue} 90+ days overdue, ${total}, ${days}`);
        assert(qualifying === cliQualifying && Number(qualifying) > 0, `the dialog says ${qualifying} qualify, the CLI ${cliQualifying}`);
        assert(overdue === cliOverdue, `the dialog says ${overdue} are 90+ days overdue, the CLI ${cliOverdue}`);
        assert(/\d/.test(total) && total !== "nothing", `no total: ${JSON.stringify(total)}`);
        assert(/^1\b/.test(days), `with no daily cap it takes one day, the dialog says ${JSON.stringify(days)}`);
        assert(await s().$("activate-catch-up-none").isSelected(), "the catch-up is chosen without asking");
        screenshot(path.join(artifacts, "campaign-activate.png"));

        await (await s().$("activate-confirm")).click();
        await s().gone("activate-dialog");
        await s().until(async () => await s().$("campaign-active").isSelected(), "the confirmed campaign is not shown active");
        const confirmed = sql("SELECT active || ',' || (confirmed_at IS NOT NULL) || ',' || coalesce(catch_up, '-') FROM campaigns WHERE id = 1");
        assert(confirmed === "1,1,-", `stored: ${confirmed}`);
      },
    ],
    [
      "Campaigns → Edit: renamed, step 5 moved to 120 days after due, a late fee, an early-payment offer; the list, steps and plan preview (with what each customer is charged) show the edit",
      async () => {
        const row = (await s().$$("campaign-row"))[0];
        await (await row.$('[data-testid="campaign-edit"]')).click();
        await s().visible("campaign-editor");
        assert(!(await s().$("campaign-preset").isExisting()), "the editor of a stored campaign offers presets");
        assert((await s().$("campaign-name").getValue()) === "E2E friendly reminders", "the editor is not prefilled with the name");
        await s().until(async () => (await s().count("step-row")) === 5, "the editor does not show the campaign's 5 steps");
        const days = (await s().$$("step-days"))[4];
        assert((await days.getValue()) === "90", `step 5 is prefilled with ${await days.getValue()} days, not 90`);
        await days.click();
        await s().browser.keys(["Control", "a"]);
        await s().browser.keys(["Backspace"]);
        await days.addValue("120");
        await s().type("campaign-name", "E2E firm reminders");
        await (await s().$("campaign-fees-on")).click();
        await s().type("campaign-fee", "40");
        // An early-payment offer on the first email step: 2.5 % off for 10 days.
        await (await s().$$("step-offer"))[0].setValue("2.5%");
        await (await s().$$("step-offer-days"))[0].setValue("10");
        await (await s().$("campaign-save")).click();
        await s().gone("campaign-editor");
        await s().until(async () => (await s().$("campaign-title").getText()) === "E2E firm reminders", "the edited name is not shown");
        assert((await s().texts("campaign-open")).includes("E2E firm reminders"), "the list does not show the new name");
        assert(await s().$("campaign-active").isSelected(), "the edit switched the campaign off");
        const steps = await s().texts("campaign-step");
        assert(steps[4]?.startsWith("120 days after due"), `step 5 reads ${JSON.stringify(steps[4])}`);
        assert(steps.some((t) => t.includes("offer 2.5 % for 10 day(s)")), `no step shows the offer: ${JSON.stringify(steps)}`);
        const offer = sql("SELECT offer FROM campaign_steps WHERE campaign_id = 1 AND offer IS NOT NULL");
        assert(offer.includes("2.5") && offer.includes("10"), `stored offer: ${offer}`);

        await (await s().visible("plan-preview-button")).click();
        await s().visible("plan-preview", 30_000);
        const when = await s().until(async () => {
          const cells = await s().browser.execute(() =>
            [...document.querySelectorAll('[data-testid="plan-count-row"]')].map((r) => r.children[1].textContent),
          );
          return cells.length === 5 ? cells : null;
        }, "the preview has no 5 count rows");
        assert(when[4] === "120 days after due", `the preview's step 5 is ${JSON.stringify(when[4])}`);
        // A fee of 40.00 per overdue invoice a reminder covers (no interest, no grace period).
        const fees = await s().until(async () => {
          const cells = await s().texts("planned-fees");
          return cells.some((c) => /\d+\.\d\d/.test(c)) ? cells : null;
        }, "the plan preview does not say what customers would be charged");
        const fee = sql("SELECT late_fees FROM campaigns WHERE id = 1");
        assert(fee.includes('"fee_minor":4000'), `stored late fees: ${fee}`);
        assert(fees.some((c) => c.includes("40.00")), `the preview's late fees: ${JSON.stringify(fees.slice(0, 5))}`);
        console.log(`  late fees in the plan: ${fees.slice(0, 4).join(", ")}`);
        await s().browser.execute(() => document.querySelector('[data-testid="planned-fees"]')?.scrollIntoView({ block: "center", inline: "nearest" }));
        screenshot(path.join(artifacts, "campaign-plan-fees.png"));
      },
    ],
    playbook.offerRules,
    [
      "Run now sends through the real SMTP server with a moving progress bar; Pause holds it, Resume goes on, Cancel takes the rest out of the queue",
      async () => {
        await s().browser.execute(() => {
          const seen = [];
          window.__runProgress = seen;
          window.__runTimer = setInterval(() => {
            const bar = document.querySelector('[data-testid="run-progress"] progress');
            if (bar) seen.push(bar.position);
          }, 20);
        });
        const counts = async () => {
          const text = await s().$("run-counts").getText().catch(() => "");
          const m = text.match(/^(\d+) of (\d+) emails: (\d+) sent, (\d+) failed, (\d+) uncertain(?:, (\d+) cancelled)?/);
          return m ? { text, done: +m[1], total: +m[2], sent: +m[3], failed: +m[4], uncertain: +m[5], cancelled: +(m[6] ?? 0) } : null;
        };
        const phase = () => s().$("run-phase").getAttribute("data-phase").catch(() => "");

        await (await s().visible("run-now")).click();
        await s().until(async () => ((await counts())?.done ?? 0) >= 5, "the run sent nothing", 60_000);
        await (await s().visible("run-pause")).click();
        await s().until(async () => (await phase()) === "paused", "the run did not pause");
        const paused = await counts();
        await wait(1_500);
        const still = await counts();
        assert(still.done === paused.done, `sending went on while paused: ${paused.text} → ${still.text}`);
        assert(received().length === paused.sent, `the server got ${received().length} while the run says ${paused.sent} sent`);
        assert(paused.done < paused.total, `the run was over before it could be paused: ${paused.text}`);

        await (await s().$("run-resume")).click();
        await s().until(async () => ((await counts())?.done ?? 0) > paused.done, "the run did not go on after Resume", 30_000);
        await (await s().visible("run-cancel")).click();
        await s().until(async () => ["cancelled", "finished"].includes(await phase()), "the run did not stop after Cancel", 30_000);
        const end = await counts();
        assert((await phase()) === "cancelled", `the run finished before Cancel landed: ${end.text}`);
        assert(end.failed === 0 && end.uncertain === 0, `messages failed: ${end.text}`);
        assert(end.cancelled > 0 && end.sent + end.cancelled === end.total, `sent and cancelled do not add up: ${end.text}`);
        await wait(1_000);
        assert(received().length === end.sent, `the server got ${received().length} messages, the run says ${end.sent} sent`);
        const seen = await s().browser.execute(() => {
          clearInterval(window.__runTimer);
          return window.__runProgress;
        });
        const between = [...new Set(seen.filter((v) => v > 0 && v < 1))];
        assert(between.length >= 2, `the progress bar did not move: ${JSON.stringify(seen.slice(0, 30))}`);
        const results = await s().$("run-results").getText();
        const calls = Number(results.match(/(\d+) call tasks/)?.[1] ?? 0);
        assert(calls > 0, `the customers without email got no call task: ${JSON.stringify(results)}`);
        const sentPerStep = await s().until(async () => {
          const sent = await s().browser.execute(() =>
            [...document.querySelectorAll('[data-testid="results-step"]')].map((row) => Number(row.children[2].textContent)),
          );
          return sent.length === 5 && sent.reduce((a, b) => a + b, 0) === end.sent ? sent : null;
        }, `the results per step do not add up to ${end.sent} sent`);
        console.log(`  ${end.text}; the server got ${received().length}; ${calls} call task(s); sent per step ${JSON.stringify(sentPerStep)}`);
        // The late fee set by the edit above has its results line: the charges the reminders recorded.
        const charged = sql(`SELECT group_concat(n || ' (' || t || ' ' || currency || ')', ', ') FROM (
          SELECT currency, COUNT(*) AS n, printf('%.2f', SUM(amount_minor) / 100.0) AS t FROM charges
          WHERE campaign_id = 1 GROUP BY currency ORDER BY currency)`);
        assert(charged && charged !== "None", "the run's reminders recorded no late fee");
        const feesLine = await s().until(async () => {
          const text = await s().$("results-fees").getText().catch(() => "");
          return text.includes(`charged ${charged};`) ? text : null;
        }, `the results have no late-fee line saying charged ${charged}`);
        assert(!(await s().$("results-credit").isExisting()), "a credit-limit line for a campaign without the rule");
        console.log(`  ${feesLine}`);
        await s().browser.execute(() => document.querySelector('[data-testid="results-fees"]')?.scrollIntoView({ block: "center", inline: "nearest" }));
        screenshot(path.join(artifacts, "campaign-results-parts.png"));
      },
    ],
    playbook.offerTaken,
    [
      "Today: the call list with phone links; 2 logs a promise on the first row with Enter; it leaves the list and shows in the timeline",
      async () => {
        await (await s().visible("view-today")).click();
        await s().visible("today-view");
        await s().until(async () => (await s().count("call-row")) > 0, "the Today list is empty after the run", 20_000);
        const before = await s().count("call-row");
        const firstRow = (await s().$$("call-row"))[0];
        const taskId = await firstRow.getAttribute("data-task-id");
        const customer = await firstRow.$('[data-testid="call-customer"]').getText();
        const phone = await firstRow.$('[data-testid="call-phone"]');
        if (await phone.isExisting()) {
          const href = await phone.getAttribute("href");
          assert(href.startsWith("tel:"), `the phone link is ${href}`);
        }

        screenshot(path.join(artifacts, "today.png"));
        await (await s().visible("today-export")).click();
        const exported = await s().until(async () => (existsSync(callsCsv) ? readFileSync(callsCsv, "utf8") : null), "the call list CSV was not written");
        assert(exported.split("\n")[1]?.includes(customer.replace(/"/g, '""')), `the CSV does not start with ${customer}`);

        await s().browser.execute(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
        await s().browser.keys(["2"]);
        await s().visible("call-outcome-dialog");
        assert(await s().$("outcome-promise").isSelected(), "key 2 did not choose the promise");
        screenshot(path.join(artifacts, "today-outcome.png"));
        const amount = await s().$("call-amount").getValue();
        assert(amount.length > 0, "the promised amount is not prefilled");
        const followUp = await s().until(async () => (await s().$("call-follow-up").getValue()) || null, "no follow-up date was suggested");
        const promised = await s().$("call-promised-date").getValue();
        const dayAfter = new Date(`${promised}T12:00:00Z`);
        dayAfter.setUTCDate(dayAfter.getUTCDate() + 1);
        assert(followUp === dayAfter.toISOString().slice(0, 10), `the follow-up ${followUp} is not the day after the promise ${promised}`);
        await s().browser.keys(["Enter"]);
        await s().gone("call-outcome-dialog");
        await s().until(async () => (await s().count("call-row")) === before - 1, `the list still has ${before} rows`);
        const ids = await s().browser.execute(() => [...document.querySelectorAll('[data-testid="call-row"]')].map((r) => r.getAttribute("data-task-id")));
        assert(!ids.includes(taskId), "the called row is still listed");
        const status = await s().$("today-status").getText();
        assert(status.startsWith(`${customer}: Promise`), `the view says ${JSON.stringify(status)}`);

        await (await s().visible("view-customers")).click();
        await openCustomerRow(s(), customer, customer);
        const titles = await s().until(async () => {
          const all = await s().texts("timeline-title");
          return all.some((t) => t === `Promise to pay by ${promised}`) ? all : null;
        }, `the timeline of ${customer} shows no promise by ${promised}`);
        assert(titles.some((t) => t.startsWith("Done: ")), "the completed call is not in the timeline");
        screenshot(path.join(artifacts, "today-promise.png"));
      },
    ],
    [
      "Campaigns → New from the year-end preset: its event date prefilled, a window set; the list shows both and the plan says nothing goes out outside the window",
      async () => {
        await (await s().visible("view-campaigns")).click();
        await (await s().visible("campaign-new")).click();
        await s().visible("campaign-editor");
        await (await s().$("campaign-preset")).selectByAttribute("value", "year-end");
        await s().until(async () => (await s().count("step-row")) === 1, "the year-end preset does not show its one step");
        const kind = await s().until(async () => (await s().$("campaign-event-kind").getValue().catch(() => "")) || null, "no event picker");
        assert(kind === "fiscal_year_end", `the event picker shows ${JSON.stringify(kind)}`);
        assert((await s().$("step-timing").getValue()) === "ebefore", "the step is not counted from the event");
        // Date inputs are set as a person's typing would end: the value, then an input event.
        await s().browser.execute(() => {
          for (const [id, value] of [["campaign-window-start", "2020-01-01"], ["campaign-window-end", "2020-01-31"]]) {
            const input = document.querySelector(`[data-testid="${id}"]`);
            input.value = value;
            input.dispatchEvent(new Event("input", { bubbles: true }));
          }
        });
        await (await s().$("campaign-save")).click();
        await s().gone("campaign-editor");
        await s().until(async () => (await s().$("campaign-title").getText()) === "Year-end close", "the new campaign is not selected");
        const schedule = await s().$("campaign-schedule").getText();
        assert(
          schedule === "sends only from 2020-01-01 to 2020-01-31 · event: the last working day of the fiscal year (ending in December)",
          `the campaign's window and event read ${JSON.stringify(schedule)}`,
        );
        const steps = await s().texts("campaign-step");
        assert(steps[0] === "10 days before the event: email with year-end", `the step reads ${JSON.stringify(steps[0])}`);
        await (await s().visible("plan-preview-button")).click();
        const quiet = await s().until(async () => (await s().$("plan-quiet").getText().catch(() => "")) || null, "the plan does not say why nothing goes out", 30_000);
        assert(quiet.includes("outside the campaign's window (from 2020-01-01 to 2020-01-31)"), `the plan says ${JSON.stringify(quiet)}`);
        screenshot(path.join(artifacts, "campaign-event.png"));
      },
    ],
    playbook.ownerNotices,
    playbook.secondStartLink,
    [
      "The scheduler runs by itself once the stored next-run time has passed (sending nothing twice) and sets the next for tomorrow 8:00",
      async () => {
        const sentBefore = received().length;
        sql("UPDATE settings SET value = '2000-01-01T00:00:00+00:00' WHERE key = 'campaigns_next_run'");
        await (await s().visible("view-campaigns")).click();
        await s().visible("run-panel");
        await s().until(
          async () =>
            (await s().$("run-kind").getText().catch(() => "")) === "Scheduled run" &&
            (await s().$("run-phase").getAttribute("data-phase").catch(() => "")) === "finished",
          "no scheduled run finished",
          20_000,
        );
        const next = new Date(sql("SELECT value FROM settings WHERE key = 'campaigns_next_run'"));
        const now = new Date();
        const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 8, 0, 0);
        assert(next.getTime() === tomorrow.getTime(), `the next run is ${next.toISOString()}, not ${tomorrow.toISOString()}`);
        await wait(1_000);
        assert(received().length === sentBefore, `the scheduled run sent ${received().length - sentBefore} message(s) again`);
        console.log(`  ${await s().$("run-counts").getText()}; next run ${next.toString()}`);
        await stop();
      },
    ],
    playbook.startedWithLink,
    playbook.thankYou,
    playbook.silence,
  ];
}
