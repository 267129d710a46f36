// The collections playbook's journeys in the campaigns group (issue 20): an offer's rules in the
// editor and an offer taken on the customer screen, owner notices and the duebook:// links they
// carry, the thank-you on payment, and escalation on silence. They run in the order
// campaigns.mjs places them, on its demo file, app and servers (`world`).
import { execFileSync, spawn } from "node:child_process";
import path from "node:path";
import { openCustomerRow, testService, withApp } from "./support.mjs";

/**
 * @param {object} world what campaigns.mjs shares: its session, demo file, CLI and servers
 * @returns {Record<string, [string, () => Promise<void>]>} the journeys by name
 */
export function playbookJourneys(world) {
  const { s, sql, wait, received, launch, startServices, stop, cli, db, env, binary, artifacts, assert, screenshot } = world;
  return {
    offerRules: [
      "Campaigns → Edit: the offer's rules — a balance typed wrong is shown beside its field and nothing is saved; a balance range saved, shown on reopening, stored, and the plan preview says who gets no offer and why",
      async () => {
        const openEditor = async () => {
          await (await (await s().$$("campaign-row"))[0].$('[data-testid="campaign-edit"]')).click();
          await s().visible("campaign-editor");
          return s().visible("offer-max-balance");
        };
        const showOffer = () =>
          s().browser.execute(() => document.querySelector('[data-testid="step-offer-fields"]')?.scrollIntoView({ block: "center" }));
        const storedOffer = () => JSON.parse(sql("SELECT offer FROM campaign_steps WHERE campaign_id = 1 AND position = 1"));
        await openEditor();
        // Wrong: not an amount, then a range upside down. Each is shown beside its field as typed.
        await s().type("offer-min-balance", "abc");
        const notAmount = await (await s().visible("offer-min-balance-error")).getText();
        assert(notAmount.includes('"abc" is not an amount'), `beside the balance: ${JSON.stringify(notAmount)}`);
        await (await s().$("campaign-save")).click();
        const refused = await (await s().visible("campaign-editor-error")).getText();
        assert(refused.includes("Step 1's offer") && refused.includes("abc"), `the editor's error: ${JSON.stringify(refused)}`);
        assert((await s().$("offer-min-balance").getValue()) === "abc", "the typed balance was not kept");
        await s().type("offer-min-balance", "60000");
        await s().type("offer-max-balance", "50000");
        const upsideDown = await (await s().visible("offer-max-balance-error")).getText();
        assert(upsideDown.includes("below the balance from"), `beside the balance to: ${JSON.stringify(upsideDown)}`);
        await showOffer();
        screenshot(path.join(artifacts, "campaign-offer-rule-error.png"));
        await (await s().$("campaign-save")).click();
        await s().until(async () => (await s().$("campaign-editor-error").getText()).includes("below the balance from"), "min above max was not refused");
        assert(storedOffer().max_balance_minor === undefined, `a refused rule was stored: ${JSON.stringify(storedOffer())}`);
        // Right: only customers owing at most 50,000.00 (face value) get the offer.
        await s().type("offer-min-balance", "");
        await s().until(async () => !(await s().$("offer-max-balance-error").isExisting()), "the error stayed once the range was right");
        await (await s().$("campaign-save")).click();
        await s().gone("campaign-editor");
        const shown = JSON.parse(execFileSync(cli, ["--db", db, "campaigns", "show", "1"], { env, encoding: "utf8" }));
        const offer = shown.steps[0].offer;
        assert(offer.max_balance_minor === 5000000 && offer.min_balance_minor === undefined && offer.percent === "2.5", `campaigns show: ${JSON.stringify(offer)}`);
        const steps = await s().texts("campaign-step");
        assert(steps[0].includes("balance up to 50000.00"), `step 1 reads ${JSON.stringify(steps[0])}`);

        // Reopened, the editor shows the rule; closed unchanged, nothing changes.
        assert((await (await openEditor()).getValue()) === "50000", "the reopened editor does not show the balance rule");
        assert((await s().$("offer-min-balance").getValue()) === "", "the reopened editor shows a minimum that was not set");
        await showOffer();
        screenshot(path.join(artifacts, "campaign-offer-rules.png"));
        await (await s().$("campaign-save")).click();
        await s().gone("campaign-editor");
        assert(JSON.stringify(storedOffer()) === JSON.stringify(offer), `a save without change altered the offer: ${JSON.stringify(storedOffer())}`);

        await (await s().visible("plan-preview-button")).click();
        await s().visible("plan-preview", 30_000);
        const rows = await s().until(async () => {
          const all = await s().browser.execute(() =>
            [...document.querySelectorAll('[data-testid="planned-row"]')].map((r) => [
              r.querySelector('[data-testid="planned-customer"]')?.textContent ?? "",
              r.querySelector(".why")?.textContent ?? "",
            ]),
          );
          return all.some(([, why]) => why.includes("offer")) ? all : null;
        }, "no planned row mentions the offer");
        const excluded = rows.filter(([, why]) => why.includes("no offer: balance above 50000.00"));
        const offered = rows.filter(([, why]) => /offer 2\.5 % until \d{4}-\d\d-\d\d/.test(why));
        console.log(`  offer: made to ${offered.map(([n]) => n).join(", ")}; not to ${excluded.map(([n]) => n).join(", ")}`);
        assert(excluded.length > 0, `nobody is refused the offer for the balance: ${JSON.stringify(rows)}`);
        assert(offered.length > 0, `nobody gets the offer: ${JSON.stringify(rows)}`);
        await s().browser.execute(() =>
          [...document.querySelectorAll('[data-testid="planned-row"]')]
            .find((r) => r.textContent.includes("no offer: balance above"))
            ?.querySelector(".why")
            ?.scrollIntoView({ block: "center", inline: "end" }),
        );
        screenshot(path.join(artifacts, "campaign-plan-offer.png"));
      },
    ],
    offerTaken: [
      "An invoice offered 2.5 % off shows the offer on the customer screen; paid in full inside the window it reads 'Offer taken' and the campaign's results count it",
      async () => {
        // What the campaign records when an offering email is queued (core tests cover that part).
        const invoice = sql(`SELECT i.id FROM invoices i WHERE i.status = 'open' AND i.kind = 'invoice'
          AND i.total_minor > i.paid_minor AND NOT EXISTS (SELECT 1 FROM invoice_offers o WHERE o.invoice_id = i.id)
          ORDER BY i.id LIMIT 1`);
        assert(/^\d+$/.test(invoice), "no open invoice to offer on");
        const before = sql("SELECT count(*) FROM invoice_offers WHERE campaign_id = 1");
        sql(`INSERT INTO invoice_offers (invoice_id, campaign_id, step_position, percent_basis_points, currency,
               discount_minor, open_minor, valid_until, made_on)
             SELECT id, 1, 99, 250, currency, ((total_minor - paid_minor) * 250 + 5000) / 10000, total_minor - paid_minor,
                    date('now', 'localtime', '+9 days'), date('now', 'localtime') FROM invoices WHERE id = ${invoice}`);
        const [name, number] = sql(`SELECT c.name || char(9) || i.number FROM invoices i JOIN customers c ON c.id = i.customer_id
          WHERE i.id = ${invoice}`).split("\t");
        await (await s().visible("view-customers")).click();
        await openCustomerRow(s(), name, name);
        // Rows are reused as the list re-sorts (a paid invoice moves down): found by number each time.
        const rowOf = () =>
          s().until(async () => {
            for (const r of await s().$$("invoice-row")) if ((await r.$('[data-testid="invoice-number"]').getText()) === number) return r;
            return null;
          }, `${name} shows no invoice ${number}`);
        const status = async () => (await (await rowOf()).$('[data-testid="invoice-status"]').getText()).replace(/\s+/g, " ");
        assert(/Offer 2\.5 % off until \w+ \d+, \d{4}/.test(await status()), `the invoice's status reads ${JSON.stringify(await status())}`);
        await (await (await rowOf()).$('[data-testid="invoice-actions"]')).click();
        await (await s().visible("action-pay")).click();
        await s().visible("payment-dialog");
        await (await s().$("payment-full")).click();
        await (await s().$("payment-save")).click();
        await s().gone("payment-dialog");
        const taken = await s().until(async () => ((await status()).includes("Offer taken") ? await status() : null), "the paid invoice does not read 'Offer taken'");
        assert(taken.includes("Paid"), `the paid invoice reads ${JSON.stringify(taken)}`);
        await (await rowOf()).scrollIntoView({ block: "center" });
        screenshot(path.join(artifacts, "invoice-offer-taken.png"));

        await (await s().visible("view-campaigns")).click();
        await (await s().visible("campaign-open")).click();
        const made = Number(before) + 1;
        await s().until(
          async () => (await s().$("results-offers").getText().catch(() => "")).includes(`${made} made, 1 taken`),
          `the results do not count ${made} made, 1 taken`,
        );
      },
    ],
    ownerNotices: [
      "A campaign whose steps tell the account owner 3 days before: the plan preview says who is told and why an owner is not",
      async () => {
        sql("UPDATE customers SET owner_name = 'Sam Lee', owner_email = 'sam@northwind.example' WHERE id % 2 = 0");
        await (await s().visible("view-campaigns")).click();
        await (await s().visible("campaign-new")).click();
        await s().visible("campaign-editor");
        await (await s().$("campaign-preset")).selectByAttribute("value", "friendly");
        await s().until(async () => (await s().count("step-row")) === 5, "the friendly preset does not show 5 steps");
        await s().type("campaign-name", "E2E owners told");
        for (const input of await s().$$("step-owner-days")) await input.setValue("3");
        const quiet = await s().$("campaign-quiet");
        if (await quiet.isSelected()) await quiet.click();
        await (await s().$("campaign-save")).click();
        await s().gone("campaign-editor");
        await (await s().visible("plan-preview-button")).click();
        await s().visible("plan-preview", 30_000);
        const rows = await s().until(async () => ((await s().count("owner-notice-row")) > 0 ? s().texts("owner-notice-row") : null), "the plan lists no owner notice", 30_000);
        assert(rows.some((r) => r.includes("owner Sam Lee notified on")), `no owner is told: ${JSON.stringify(rows.slice(0, 3))}`);
        assert(rows.some((r) => r.includes("the customer has no owner")), `no customer without an owner: ${JSON.stringify(rows.slice(0, 3))}`);
        console.log(`  ${rows.length} owner line(s), e.g. ${JSON.stringify(rows[0])}`);
        const steps = await s().texts("campaign-step");
        assert(steps[0].endsWith("; the owner is told 3 day(s) before"), `the step reads ${JSON.stringify(steps[0])}`);
        await (await s().$("owner-notice-row")).scrollIntoView();
        screenshot(path.join(artifacts, "campaign-owner-notices.png"));
      },
    ],
    secondStartLink: [
      "A second start with duebook://customer/ID (an owner notice's link) shows that customer in the open window; a link to no customer says why",
      async () => {
        const id = sql("SELECT min(id) FROM customers");
        const name = sql(`SELECT name FROM customers WHERE id = ${Number(id)}`);
        /** Starts the app again with `link`: the single-instance plugin hands it to the open window. */
        const handOver = (link) =>
          new Promise((resolve, reject) => {
            const second = spawn(binary, ["--db", db, link], { env, stdio: "ignore" });
            const timer = setTimeout(() => {
              second.kill("SIGKILL");
              reject(new Error("the second start did not hand over and exit"));
            }, 30_000);
            second.on("exit", () => {
              clearTimeout(timer);
              resolve();
            });
          });
        await (await s().visible("view-campaigns")).click();
        await handOver(`duebook://customer/${id}`);
        await s().until(async () => (await s().$("detail-name").getText().catch(() => "")) === name, `the link did not open ${name}`);
        screenshot(path.join(artifacts, "campaign-owner-link.png"));
        await handOver("duebook://customer/99999999");
        const unknown = await s().until(async () => (await s().$("error-message").getText().catch(() => "")) || null, "no message for a customer the file lacks");
        assert(unknown.includes("has no customer 99999999"), `the message reads ${JSON.stringify(unknown)}`);
        await handOver("duebook://invoice/3");
        await s().until(
          async () => (await s().$("error-message").getText().catch(() => "")).includes("does not name a customer"),
          "no message for a link that names no customer",
        );
        console.log(`  opened ${name} from its link; refused: ${JSON.stringify(unknown)}`);
      },
    ],
    startedWithLink: [
      "Started with duebook://customer/ID (a link clicked in an owner notice), the app opens on that customer",
      async () => {
        const id = Number(sql("SELECT id FROM customers ORDER BY id LIMIT 1 OFFSET 5"));
        const name = sql(`SELECT name FROM customers WHERE id = ${id}`);
        await withApp({ binary, env, artifacts, db, link: `duebook://customer/${id}` }, async (app) => {
          await app.until(async () => (await app.$("detail-name").getText().catch(() => "")) === name, `the app did not open on ${name}`, 60_000);
        });
        console.log(`  opened on ${name}`);
      },
    ],
    thankYou: [
      "Thank-you on payment: two reminded invoices paid by hand in the app the same day bring one thank-you the next day (outbox, server, timeline); a rerun thanks nobody again",
      async () => {
        await startServices();
        await launch();
        const cliEnv = { ...env, DUEBOOK_SMTP_CA_FILE: testService("DUEBOOK_TEST_CERT") };
        const duebook = (...args) => execFileSync(cli, ["--db", db, ...args], { env: cliEnv, encoding: "utf8" });
        const [today, tomorrow] = [sql("SELECT date('now', 'localtime')"), sql("SELECT date('now', 'localtime', '+1 day')")];
        // A customer the run reminded about two invoices that are still open.
        const id = Number(
          sql(`SELECT r.customer_id FROM invoice_reminders r JOIN invoices i ON i.id = r.invoice_id
               WHERE i.status = 'open' AND i.kind = 'invoice' AND r.channel = 'email'
               GROUP BY r.customer_id HAVING count(DISTINCT r.invoice_id) >= 2 ORDER BY r.customer_id LIMIT 1`),
        );
        assert(id > 0, "the run reminded nobody about two open invoices");
        const name = sql(`SELECT name FROM customers WHERE id = ${id}`);
        const numbers = sql(
          `SELECT group_concat(number) FROM (SELECT DISTINCT i.number FROM invoice_reminders r JOIN invoices i ON i.id = r.invoice_id
           WHERE r.customer_id = ${id} AND i.status = 'open' ORDER BY i.number LIMIT 2)`,
        ).split(",");
        await (await s().visible("view-customers")).click();
        await openCustomerRow(s(), name, name);
        for (const number of numbers) {
          const row = await s().until(async () => {
            for (const r of await s().$$("invoice-row")) if ((await r.$('[data-testid="invoice-number"]').getText()) === number) return r;
            return null;
          }, `${name} shows no invoice ${number}`);
          await (await row.$('[data-testid="invoice-actions"]')).click();
          await (await s().visible("action-pay")).click();
          await s().visible("payment-dialog");
          await (await s().$("payment-full")).click();
          await (await s().$("payment-save")).click();
          await s().gone("payment-dialog");
          await s().until(() => sql(`SELECT status FROM invoices WHERE customer_id = ${id} AND number = '${number}'`) === "paid", `${number} is not paid`);
        }
        const waiting = duebook("campaigns", "plan", "1", "--today", today);
        assert(waiting.includes(`no thanks ${name} (#${id}): waiting a day`), `the payment day's plan: ${waiting}`);
        duebook("run-due", "--today", today);
        const planned = duebook("campaigns", "plan", "1", "--today", tomorrow);
        const line = planned.split("\n").find((l) => l.includes(`thank-you ${name} (#${id})`)) ?? "";
        assert(numbers.every((n) => line.includes(n)) && line.includes("after a reminder"), `tomorrow's plan thanks ${JSON.stringify(line)}`);
        const thanked = () =>
          sql(`SELECT count(*) || ' ' || group_concat(state) FROM messages WHERE send_key LIKE 'campaign:%:thanks:customer:${id}:%'`);
        const sentBefore = received().length;
        duebook("run-due", "--today", tomorrow);
        assert(thanked() === "1 sent", `the thank-you messages to ${name}: ${thanked()}`);
        const subject = sql(`SELECT subject FROM messages WHERE send_key LIKE 'campaign:%:thanks:customer:${id}:%'`);
        assert(subject === "Thank you for your payments", `the thank-you's subject: ${JSON.stringify(subject)}`);
        assert(received().length > sentBefore, "the SMTP server received nothing");
        duebook("run-due", "--today", tomorrow);
        assert(thanked() === "1 sent", `a rerun thanked ${name} again: ${thanked()}`);
        const invoices = sql(`SELECT count(*) FROM payment_thanks WHERE customer_id = ${id} AND thanked_on = '${tomorrow}'`);
        assert(invoices === "2", `${invoices} invoice(s) thanked for, not 2`);
        await s().until(
          async () => (await s().texts("timeline-title")).includes(`Email sent: ${subject}`),
          "the customer's timeline does not show the thank-you",
          30_000,
        );
        console.log(`  ${name}: paid ${numbers.join(", ")} by hand; one thank-you on ${tomorrow}: ${JSON.stringify(line.trim())}`);
        await s().browser.execute(
          (title) => [...document.querySelectorAll('[data-testid="timeline-title"]')].find((t) => t.textContent.trim() === title)?.scrollIntoView({ block: "center" }),
          `Email sent: ${subject}`,
        );
        await wait(300);
        screenshot(path.join(artifacts, "campaign-thank-you.png"));
      },
    ],
    silence: [
      "Campaigns → New with 'No reply to the last 2': the plan says per customer that replies are not read; once the inbox was read, that reason is gone",
      async () => {
        await (await s().visible("view-campaigns")).click();
        await (await s().visible("campaign-new")).click();
        await s().visible("campaign-editor");
        await (await s().$("campaign-preset")).selectByAttribute("value", "friendly");
        await s().until(async () => (await s().count("step-row")) === 5, "the friendly preset does not show 5 steps");
        await s().type("campaign-name", "E2E silence");
        await s().type("audience-no-reply", "2");
        const quiet = await s().$("campaign-quiet");
        if (await quiet.isSelected()) await quiet.click();
        await (await s().$("campaign-save")).click();
        await s().gone("campaign-editor");
        await s().until(async () => (await s().$("campaign-title").getText()) === "E2E silence", "the new campaign is not selected");
        const audience = sql("SELECT audience FROM campaigns WHERE name = 'E2E silence'");
        assert(audience.includes('"no_reply_to_last":2'), `stored audience: ${audience}`);
        const notRead = "replies are not read: connect the mailbox's IMAP to use 'no reply to the last N'";
        await (await s().visible("plan-preview-button")).click();
        await s().visible("plan-preview", 30_000);
        /** The customers of the plan's excluded rows whose text includes `text`. */
        const excludedFor = (text) =>
          s().browser.execute(
            (t) =>
              [...document.querySelectorAll('[data-testid="excluded-row"]')]
                .filter((r) => r.textContent.includes(t))
                .map((r) => r.querySelector('[data-testid="excluded-customer"]').textContent),
            text,
          );
        const unknown = await s().until(async () => {
          const names = await excludedFor(notRead);
          return names.length > 0 ? names : null;
        }, "the plan does not say the replies are not read", 30_000);
        await s().browser.execute(() =>
          [...document.querySelectorAll('[data-testid="excluded-row"]')].find((r) => r.textContent.includes("replies are not read"))?.scrollIntoView({ block: "center" }),
        );
        screenshot(path.join(artifacts, "campaign-silence.png"));
        // The mailbox read once (as an IMAP sync records it): silence can now be judged.
        sql("INSERT INTO mailbox_folders (folder, uid_validity, last_uid, synced_at) VALUES ('INBOX', 1, 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
        await (await s().visible("plan-preview-button")).click();
        await s().until(async () => {
          const excluded = await s().texts("excluded-row");
          return (await s().count("plan-preview")) > 0 && !excluded.some((r) => r.includes(notRead));
        }, "the plan still says the replies are not read", 30_000);
        const planned = await s().texts("planned-row");
        assert(planned.every((r) => r.includes("no reply to the last 2 reminder(s), since")), `a planned customer is not silent: ${JSON.stringify(planned.slice(0, 3))}`);
        // Fewer than 2 reminders sent: not silent by this rule, so not in the audience at all.
        const reminders = (name) =>
          Number(
            sql(`SELECT count(*) FROM messages m JOIN customers c ON c.id = m.customer_id
                 WHERE c.name = '${name.replaceAll("'", "''")}' AND m.direction = 'out' AND m.state = 'sent'
                   AND EXISTS (SELECT 1 FROM message_invoices mi WHERE mi.message_id = m.id)`),
          );
        const fewer = unknown.filter((name) => reminders(name) < 2);
        const shown = [...(await s().texts("excluded-customer")), ...(await s().texts("planned-customer"))];
        assert(fewer.length > 0 && fewer.every((name) => !shown.includes(name)), `customers with fewer than 2 reminders are still shown: ${JSON.stringify(fewer.filter((n) => shown.includes(n)))}`);
        console.log(`  not read: ${unknown.length} customer(s); once read: ${fewer.length} with fewer than 2 reminders left out, ${planned.length} silent customer(s) planned`);
        await stop();
      },
    ],
  };
}
