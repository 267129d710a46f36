// End-to-end journeys through the customer screen (issue 4), run by run.mjs after its own tests.
// They work on the demo file the earlier tests created and change it as a person would: notes,
// payments, promises, disputes, contacts, the theme, filters, an export, a CLI import.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { Driver } from "./harness.mjs";
import { openCustomerRow } from "./support.mjs";


/** "$12,345.67" / "£310.00" → 12345.67 (en-US formatting under the test locale). */
export function amountOf(text) {
  const n = Number(String(text).replace(/[^0-9.-]/g, ""));
  if (Number.isNaN(n)) throw new Error(`not an amount: ${JSON.stringify(text)}`);
  return n;
}

/**
 * @param {object} ctx
 * @param {import("./harness.mjs").Driver} ctx.driver
 * @param {() => import("./harness.mjs").Session} ctx.get      the current session
 * @param {(s: any) => void} ctx.set                             replaces the current session
 * @param {() => Promise<void>} ctx.endSession
 * @param {(c: any, m: string) => void} ctx.assert
 * @param {(file: string) => void} ctx.screenshot
 */
export function customerScreenTests(ctx) {
  const { driver, assert, screenshot, endSession, binary, env, artifacts, scratch, repoRoot, demoDb } = ctx;
  const s = () => ctx.get();
  const cli = path.join(repoRoot, "target/debug/duebook");
  const exportCsv = path.join(scratch, "exports", "gbp-customers.csv");
  const bigDb = path.join(scratch, "big", "hundred-thousand.sqlite");

  async function launch(db, session = driver) {
    const opened = await session.session(["--db", db]);
    await opened.until(async () => (await opened.count("customer-row")) > 0, `the list of ${db} shows no rows`, 30_000);
    return opened;
  }

  /** Searches, clicks the row named `name` and waits for its customer screen. */
  async function openCustomer(search, name) {
    const session = s();
    await openCustomerRow(session, search, name);
    await session.until(async () => (await session.count("invoice-row")) > 0, `no invoices shown for ${name}`);
  }

  /** The first invoice row that is open, not disputed and still has more than `atLeast` due. */
  async function openInvoiceRow({ atLeast = 0, notStatus = [] } = {}) {
    const session = s();
    for (const row of await session.$$("invoice-row")) {
      const status = await row.$('[data-testid="invoice-status"]').getText();
      if (notStatus.some((bad) => status.includes(bad)) || !(await row.$('[data-testid="invoice-actions"]').isExisting())) continue;
      const open = amountOf(await row.$('[data-testid="invoice-open"]').getText());
      if (open > atLeast) return row;
    }
    throw new Error("no open invoice to work with");
  }

  async function invoiceAction(row, action) {
    const session = s();
    await (await row.$('[data-testid="invoice-actions"]')).click();
    await session.visible("invoice-menu");
    await (await session.visible(action)).click();
  }

  async function balanceOpen() {
    return amountOf(await s().$("balance-open").getText());
  }

  /** Text/background pairs of the theme in force below 4.5:1 (UI boundaries below 3:1). */
  async function contrastProblems() {
    return s().browser.execute(() => {
      const style = getComputedStyle(document.documentElement);
      const hex = (name) => style.getPropertyValue(`--${name}`).trim();
      const lum = (h) => {
        const c = [1, 3, 5]
          .map((i) => parseInt(h.slice(i, i + 2), 16) / 255)
          .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
      };
      const ratio = (a, b) => {
        const [x, y] = [lum(hex(a)), lum(hex(b))].sort((p, q) => q - p);
        return (x + 0.05) / (y + 0.05);
      };
      const text = [
        ["text", "bg"], ["text", "surface"], ["text", "surface-2"], ["text", "selected"], ["text", "demo-bg"],
        ["muted", "bg"], ["muted", "surface"], ["muted", "surface-2"], ["muted", "selected"],
        ["accent", "surface"], ["accent-text", "accent"], ["accent-text", "accent-strong"],
        ["error-text", "surface"], ["error-text", "error-bg"], ["danger-text", "danger"], ["mark-text", "mark-bg"],
        ["d30", "d30-bg"], ["d60", "d60-bg"], ["d90", "d90-bg"], ["d90plus", "d90plus-bg"],
        ["st-open", "st-open-bg"], ["st-paid", "st-paid-bg"], ["st-partial", "st-partial-bg"], ["st-disputed", "st-disputed-bg"],
        ["st-promised", "st-promised-bg"], ["st-broken", "st-broken-bg"], ["st-credit", "st-credit-bg"],
      ];
      const ui = [["focus", "surface"], ["focus", "bg"], ["focus", "selected"], ["border-strong", "surface"]];
      return [
        ...text.filter(([a, b]) => ratio(a, b) < 4.5).map(([a, b]) => `${a} on ${b}: ${ratio(a, b).toFixed(2)}`),
        ...ui.filter(([a, b]) => ratio(a, b) < 3).map(([a, b]) => `${a} on ${b}: ${ratio(a, b).toFixed(2)}`),
      ];
    });
  }

  async function timelineTitles() {
    return s().texts("timeline-title");
  }

  return [
    [
      "search → open → add a note → record a partial payment: the balance, the status and the list follow",
      async () => {
        ctx.set(await launch(demoDb));
        const session = s();
        await openCustomer("northwind", "Northwind Traders");
        const reasons = await session.texts("match-reason");
        assert(reasons.length === 0, `a name match shows another reason: ${JSON.stringify(reasons)}`);

        const note = `Spoke to Kara: payment run on Friday <b>not bold</b> ${Date.now()}`;
        await session.type("note-input", note);
        await (await session.$("note-add")).click();
        await session.until(async () => (await session.texts("note-body")).includes(note), "the new note is not listed");
        assert((await session.$("note-input").getValue()) === "", "the note field was not cleared after saving");
        assert(!(await session.browser.$('[data-testid="note-body"] b').isExisting()), "a note's text became HTML");

        const before = await balanceOpen();
        const row = await openInvoiceRow({ atLeast: 20, notStatus: ["Disputed"] });
        const number = await row.$('[data-testid="invoice-number"]').getText();
        const openBefore = amountOf(await row.$('[data-testid="invoice-open"]').getText());
        await invoiceAction(row, "action-pay");
        await session.visible("payment-dialog");
        await (await session.$("payment-partial")).click();
        await session.type("payment-amount", "12.34");
        await session.type("payment-reference", "E2E-PARTIAL");
        await (await session.$("payment-save")).click();
        await session.gone("payment-dialog");
        const after = await session.until(async () => {
          const now = await balanceOpen();
          return Math.abs(before - now - 12.34) < 0.001 ? now : null;
        }, `the open balance did not drop by 12.34 from ${before}`);
        const statuses = await session.until(async () => {
          for (const r of await session.$$("invoice-row"))
            if ((await r.$('[data-testid="invoice-number"]').getText()) === number) {
              const open = amountOf(await r.$('[data-testid="invoice-open"]').getText());
              const status = await r.$('[data-testid="invoice-status"]').getText();
              return Math.abs(openBefore - open - 12.34) < 0.001 ? status : null;
            }
          return null;
        }, `invoice ${number} does not show 12.34 less due`);
        assert(/Partially paid/.test(statuses), `invoice ${number} says ${JSON.stringify(statuses)}, not "Partially paid"`);
        await session.until(async () => (await timelineTitles()).includes("Payment received"), "the payment is not in the timeline");
        // The list row shows the new balance too.
        await session.until(async () => {
          const text = await session.browser.execute(() => document.querySelector('[data-testid="customer-row"][aria-selected="true"] .amount')?.textContent ?? "");
          return text && Math.abs(amountOf(text) - after) < 0.001;
        }, "the list row does not show the new balance");
        console.log(`  ${number}: paid 12.34; open balance ${before} → ${after}`);
      },
    ],
    [
      "a promise to pay is saved and shows in the timeline",
      async () => {
        const session = s();
        await (await session.$("add-promise")).click();
        await session.visible("promise-dialog");
        // More than the demo's payment dated today: the core counts every payment dated on or after
        // the day the promise was made, so a smaller promise would show as kept at once.
        await session.type("promise-amount", "50000");
        const date = await session.$("promise-date").getValue();
        await (await session.$("promise-save")).click();
        await session.gone("promise-dialog");
        await session.until(async () => (await timelineTitles()).includes(`Promise to pay by ${date}`), `no "Promise to pay by ${date}" in the timeline`);
        const promises = await session.texts("promise-row");
        assert(promises.some((p) => /Pending/.test(p) && /50,000\.00/.test(p)), `the promises list shows ${JSON.stringify(promises)}`);
        // The timeline filter narrows to promises.
        await (await session.$("timeline-filter-promise")).click();
        await session.until(async () => {
          const kinds = await session.browser.execute(() =>
            [...document.querySelectorAll('[data-testid="timeline-entry"]')].map((e) => e.getAttribute("data-kind")),
          );
          return kinds.length > 0 && kinds.every((k) => k === "promise");
        }, "the Promises filter does not narrow the timeline to promises");
        await (await session.$("timeline-all")).click();
      },
    ],
    [
      "an invoice is disputed with a reason, then the dispute is resolved",
      async () => {
        const session = s();
        const row = await openInvoiceRow({ notStatus: ["Disputed"] });
        const number = await row.$('[data-testid="invoice-number"]').getText();
        await invoiceAction(row, "action-dispute");
        await session.visible("dispute-dialog");
        await session.type("dispute-dialog-text", "Goods arrived damaged");
        await (await session.$("dispute-dialog-save")).click();
        await session.gone("dispute-dialog");
        await session.until(async () => {
          for (const r of await session.$$("invoice-row"))
            if ((await r.$('[data-testid="invoice-number"]').getText()) === number)
              return /Disputed/.test(await r.$('[data-testid="invoice-status"]').getText());
          return false;
        }, `invoice ${number} is not shown as Disputed`);
        assert((await session.texts("dispute-reason")).includes("Goods arrived damaged"), "the dispute's reason is not listed");
        await session.until(async () => (await timelineTitles()).includes("Disputed"), "the dispute is not in the timeline");
        await new Promise((r) => setTimeout(r, 200));
        screenshot(path.join(artifacts, "customer-disputed.png"));

        await (await session.$("dispute-resolve")).click();
        await session.visible("resolve-dialog");
        await session.type("resolve-dialog-text", "Credit note agreed");
        await (await session.$("resolve-dialog-save")).click();
        await session.gone("resolve-dialog");
        await session.until(async () => (await timelineTitles()).includes("Dispute resolved"), "the resolution is not in the timeline");
        const rows = await session.texts("dispute-row");
        assert(rows.some((r) => /Resolved/.test(r) && /Credit note agreed/.test(r)), `the disputes list shows ${JSON.stringify(rows)}`);
      },
    ],
    [
      "a credit limit is set and the customer put on hold: the badge shows in the list, then comes off",
      async () => {
        const session = s();
        await openCustomer("northwind", "Northwind Traders");
        await session.type("credit-limit-input", "5000");
        await session.browser.keys(["Tab"]);
        await session.until(async () => (await session.$("credit-limit-input").getValue()) === "5000.00", "the credit limit was not saved");
        await session.type("hold-reason", "Over the limit (E2E)");
        await (await session.$("hold")).click();
        await session.until(
          async () => (await session.texts("hold-status")).some((t) => t.includes("Over the limit (E2E)")),
          "the hold is not shown on the customer screen",
        );
        await session.until(async () => (await session.count("hold-badge")) > 0, "the list shows no on-hold badge");
        await (await session.$("unhold")).click();
        await session.visible("hold-reason");
        await session.until(async () => (await session.count("hold-badge")) === 0, "the on-hold badge stayed in the list");
      },
    ],
    [
      "Assign owner… gives every customer of a filtered list one owner: the dialog counts them, a bad email is refused by its field, the CLI counts the same",
      async () => {
        const session = s();
        const owner = "E2E Owner <e2e.owner@seller.example>";
        const ownersList = () => execFileSync(cli, ["--db", demoDb, "owners", "list"], { env, encoding: "utf8" });
        await session.type("customer-search", "");
        await (await session.$("filter-toggle")).click();
        await session.visible("filter-panel");
        const segment = await session.until(async () => {
          const options = await session.$("filter-segment").$$("option");
          return options.length > 1 ? options[1].getValue() : null;
        }, "the segment filter offers no segment");
        await (await session.$("filter-segment")).selectByAttribute("value", segment);
        const shown = await session.until(async () => {
          const text = (await session.$("customer-count").getText()).trim();
          return /^[\d,]+ of [\d,]+ customers$/.test(text) ? text : null;
        }, `the segment filter ${segment} did not narrow the list`);
        const matched = Number(shown.split(" of ")[0].replace(/,/g, ""));
        assert(matched > 1, `segment ${segment} holds ${shown}`);
        try {
          await (await session.$("assign-owner")).click();
          await session.visible("owner-assign-dialog");
          await session.type("owner-assign-input", "Bad <bad@>");
          await (await session.$("owner-assign-save")).click();
          const refused = await (await session.visible("owner-assign-error")).getText();
          assert(refused.includes("is not an email address"), `the refusal reads ${JSON.stringify(refused)}`);
          assert(!ownersList().includes("bad@"), "a refused owner was stored");
          await session.type("owner-assign-input", owner);
          const counted = await session.until(async () => {
            const text = await session.$("owner-assign-count").getText();
            return text.startsWith("Changes the owner of") ? text : null;
          }, "the dialog does not count the customers it changes");
          assert(counted.includes(`of the ${matched} customers in this list`), `the dialog says ${JSON.stringify(counted)} for ${matched} customers`);
          screenshot(path.join(artifacts, "owner-assign.png"));
          await (await session.$("owner-assign-save")).click();
          await session.gone("owner-assign-dialog");
          const changed = Number(counted.match(/^Changes the owner of (\d+)/)?.[1]);
          const status = await (await session.visible("assign-owner-status")).getText();
          assert(status.startsWith(`${changed} customers given ${owner}`), `the list says ${JSON.stringify(status)}`);

          await (await session.$$("customer-row"))[0].click();
          await session.until(async () => (await session.$("owner-input").getValue().catch(() => "")) === owner, `the customer screen does not show ${owner}`);
          const line = ownersList().split("\n").find((l) => l.startsWith(owner));
          assert(line?.includes(`\t${matched} customers\t`), `duebook owners list says ${JSON.stringify(line)} for ${matched} customers`);
          console.log(`  segment ${segment}: ${status}; CLI: ${JSON.stringify(line)}`);
        } finally {
          // The later journeys search the whole list.
          if (await session.$("owner-assign-dialog").isExisting()) await session.browser.keys(["Escape"]);
          await (await session.$("filter-clear")).click();
          await (await session.$("filter-toggle")).click();
        }
        await session.until(async () => /^[\d,]+ customers$/.test((await session.$("customer-count").getText()).trim()), "Clear all did not remove the filter");
      },
    ],
    [
      "a payment plan splits open invoices into monthly instalments, marks them on a plan, and is cancelled",
      async () => {
        const session = s();
        await openCustomer("northwind", "Northwind Traders");
        await (await session.visible("add-plan")).click();
        await session.visible("plan-dialog");
        const boxes = await session.$$("plan-invoice");
        assert(boxes.length > 0, "the plan dialog offers no open invoice");
        let checked = 0;
        for (const box of boxes) if (await box.isSelected()) checked++;
        if (checked === 0) await boxes[0].click();
        await session.type("plan-count", "3");
        const shown = await session.until(async () => {
          const rows = await session.texts("plan-preview-row");
          return rows.length === 3 ? rows.join(" | ") : null;
        }, "the preview does not list 3 instalments");
        await session.type("plan-note", "Agreed with Sam on the phone (E2E)");
        await new Promise((r) => setTimeout(r, 200));
        screenshot(path.join(artifacts, "payment-plan-dialog.png"));
        await (await session.$("plan-save")).click();
        await session.gone("plan-dialog");
        await session.until(async () => (await session.texts("plan-status")).includes("◷ Running"), "the plan is not shown as running");
        const instalments = await session.texts("plan-instalment");
        assert(instalments.length === 3, `the plan lists ${instalments.length} instalments: ${shown}`);
        const statuses = await session.texts("invoice-status");
        assert(statuses.some((t) => t.includes("On a plan")), `no invoice shows "On a plan": ${statuses.join(" | ")}`);
        await session.until(async () => (await timelineTitles()).some((t) => t.startsWith("Payment plan agreed")), "the plan is not in the timeline");
        await (await session.$("plans-section")).scrollIntoView({ block: "center" });
        await new Promise((r) => setTimeout(r, 300));
        screenshot(path.join(artifacts, "payment-plan.png"));
        await (await session.$("plan-cancel")).click();
        await (await session.visible("plan-cancel-confirm-confirm")).click();
        await session.until(async () => (await session.texts("plan-status")).includes("– Cancelled"), "the plan is not shown as cancelled");
      },
    ],
    [
      "a refused value shows next to its field and keeps what was typed",
      async () => {
        const session = s();
        await (await session.$("contact-add")).click();
        await session.visible("contact-form");
        await session.type("contact-name", "Pat Example");
        await session.type("contact-email", "pat.example-at-nowhere");
        await (await session.$("contact-save")).click();
        const message = await (await session.visible("contact-email-error")).getText();
        assert(/not an email address/.test(message), `the email error says ${JSON.stringify(message)}`);
        assert((await session.$("contact-email").getValue()) === "pat.example-at-nowhere", "the typed email was lost");
        assert((await session.$("contact-name").getValue()) === "Pat Example", "the typed name was lost");
        assert((await session.$("contact-email").getAttribute("aria-invalid")) === "true", "the email field is not marked invalid");
        await session.type("contact-email", "pat@example.com");
        await (await session.$("contact-save")).click();
        await session.gone("contact-form");
        await session.until(async () => (await session.texts("contact-email-text")).includes("pat@example.com"), "the corrected contact is not listed");

        // A payment larger than what is due: the message sits under the amount, which stays.
        const row = await openInvoiceRow({ notStatus: [] });
        await invoiceAction(row, "action-pay");
        await session.visible("payment-dialog");
        await (await session.$("payment-partial")).click();
        await session.type("payment-amount", "99999999");
        await (await session.$("payment-save")).click();
        const amountError = await (await session.visible("payment-amount-error")).getText();
        assert(/more than/.test(amountError), `the amount error says ${JSON.stringify(amountError)}`);
        assert((await session.$("payment-amount").getValue()) === "99999999", "the typed amount was lost");
        assert(await session.$("payment-dialog").isDisplayed(), "the dialog closed on an error");
        await new Promise((r) => setTimeout(r, 200));
        screenshot(path.join(artifacts, "field-error.png"));
        await session.browser.keys(["Escape"]);
        await session.gone("payment-dialog");
      },
    ],
    [
      "notes are edited, pinned and deleted (after a confirmation drawn in the page); tasks complete with an outcome",
      async () => {
        const session = s();
        const note = `Temporary note ${Date.now()}`;
        await session.type("note-input", note);
        await (await session.$("note-add")).click();
        const rowOf = async (text) => {
          for (const row of await session.$$("note-row"))
            if ((await row.$('[data-testid="note-body"]').isExisting()) && (await row.$('[data-testid="note-body"]').getText()) === text) return row;
          return null;
        };
        let row = await session.until(() => rowOf(note), "the new note is not listed");
        await (await row.$('[data-testid="note-edit"]')).click();
        await session.type("note-edit-input", `${note} (edited)`);
        await (await session.$("note-save")).click();
        row = await session.until(() => rowOf(`${note} (edited)`), "the edited note is not listed");
        await (await row.$('[data-testid="note-pin"]')).click();
        await session.until(async () => {
          const first = (await session.$$("note-row"))[0];
          return first && (await first.getText()).includes(`${note} (edited)`) && (await first.$('[data-testid="note-pinned"]').isExisting());
        }, "the pinned note is not first and marked pinned");
        row = await rowOf(`${note} (edited)`);
        await (await row.$('[data-testid="note-delete"]')).click();
        await session.visible("confirm-delete-note");
        const question = await session.$("confirm-delete-note").getText();
        assert(question.includes(`${note} (edited)`), `the confirmation does not quote the note: ${JSON.stringify(question)}`);
        await (await session.$("confirm-delete-note-cancel")).click();
        await session.gone("confirm-delete-note");
        assert(await rowOf(`${note} (edited)`), "Cancel deleted the note");
        row = await rowOf(`${note} (edited)`);
        await (await row.$('[data-testid="note-delete"]')).click();
        await (await session.visible("confirm-delete-note-confirm")).click();
        await session.gone("confirm-delete-note");
        await session.until(async () => !(await rowOf(`${note} (edited)`)), "the note was not deleted");

        // A follow-up task, completed with an outcome that lands in the timeline.
        await session.type("task-title", "Call about the overdue invoices");
        await (await session.$("task-add")).click();
        const task = await session.until(async () => {
          for (const r of await session.$$("task-row")) if ((await r.getText()).includes("Call about the overdue invoices")) return r;
          return null;
        }, "the task is not listed");
        await (await task.$('[data-testid="task-complete"]')).click();
        await session.type("task-outcome", "Left a voicemail");
        await (await session.$("task-complete-save")).click();
        await session.until(async () => (await timelineTitles()).includes("Done: Call about the overdue invoices"), "the completed task is not in the timeline");

        // A custom field, and do-not-contact with its badge and its line in the timeline.
        await session.type("custom-field-key", "Account no.");
        await session.type("custom-field-new-value", "=HYPERLINK(\"x\")");
        await (await session.$("custom-field-add")).click();
        await session.until(async () => (await session.texts("custom-field-text")).includes('=HYPERLINK("x")'), "the custom field is not shown");
        await (await session.$("dnc-toggle")).click();
        await session.visible("dnc-badge");
        await session.until(async () => (await timelineTitles()).some((t) => /do not contact/i.test(t)), "do-not-contact is not in the timeline");
        await (await session.$("dnc-toggle")).click();
        await session.gone("dnc-badge");
      },
    ],
    [
      "keyboard only: / searches, arrows and j/k move, Enter opens, Esc goes back, ? lists the shortcuts",
      async () => {
        const session = s();
        const { browser } = session;
        const active = () => browser.execute(() => document.activeElement?.getAttribute("data-testid") ?? document.activeElement?.tagName);
        await browser.execute(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : null));
        await browser.keys(["/"]);
        await session.until(async () => (await active()) === "customer-search", "/ did not focus the search");
        await browser.keys(["Control", "a"]);
        await browser.keys(["Backspace"]);
        await browser.keys([..."northw"]);
        await session.until(async () => (await session.texts("customer-name")).includes("Northwind Traders"), "typing did not search");
        // Esc clears the search; ↓ moves into the (whole) list.
        await browser.keys(["Escape"]);
        await session.until(
          async () =>
            /^[\d,]+ customers$/.test((await session.$("customer-count").getText()).trim()) &&
            (await session.count("customer-row")) > 2 &&
            (await session.count("customer-row-loading")) === 0,
          "Esc did not clear the search",
        );
        await browser.keys(["ArrowDown"]);
        await session.until(async () => (await active()) === "customer-list", "↓ from the search did not move into the list");
        const highlighted = () =>
          browser.execute(() => {
            const list = document.querySelector('[data-testid="customer-list"]');
            const id = list?.getAttribute("aria-activedescendant");
            const row = id ? document.getElementById(id) : null;
            return row ? { index: Number(row.getAttribute("data-index")), name: row.querySelector('[data-testid="customer-name"]')?.textContent } : null;
          });
        const start = await session.until(highlighted, "no row is highlighted in the list");
        assert(start.index === 0, `the first row is not highlighted: ${JSON.stringify(start)}`);
        await browser.keys(["ArrowDown"]);
        await browser.keys(["j"]);
        await browser.keys(["k"]);
        const moved = await highlighted();
        assert(moved && moved.index === 1, `↓ j k should end on the second row, not ${JSON.stringify(moved)}`);
        await browser.keys(["Enter"]);
        await session.until(async () => (await session.$("detail-name").getText()) === moved.name, `Enter did not open ${moved.name}`);
        await session.until(async () => (await active()) === "detail-name", "Enter did not move focus to the customer");
        await browser.keys(["Escape"]);
        await session.until(async () => (await active()) === "customer-list", "Esc did not go back to the list");
        await browser.keys(["?"]);
        await session.visible("help-overlay");
        const help = await session.$("help-overlay").getText();
        for (const what of ["Search customers", "Open the highlighted customer", "Back to the list"])
          assert(help.includes(what), `the shortcuts list does not mention ${what}`);
        await new Promise((r) => setTimeout(r, 200));
        screenshot(path.join(artifacts, "shortcuts.png"));
        await browser.keys(["Escape"]);
        await session.gone("help-overlay");
        await session.until(async () => (await active()) === "customer-list", "closing the shortcuts did not return focus to the list");
        // Esc in an empty search goes to the list.
        await browser.keys(["/"]);
        await session.until(async () => (await active()) === "customer-search", "/ did not focus the search again");
        await browser.keys(["Escape"]);
        await session.until(async () => (await active()) === "customer-list", "Esc in the empty search did not go to the list");
      },
    ],
    [
      "an import by the CLI shows up in the open window without a restart",
      async () => {
        const session = s();
        assert(existsSync(cli), `${cli} is missing: make e2e builds it (cargo build -p duebook-cli --bin duebook)`);
        const before = (await session.$("customer-count").getText()).trim();
        execFileSync(cli, ["import", "--db", demoDb, path.join(repoRoot, "tests/e2e/fixtures/import-generic.csv")], {
          env,
          stdio: "pipe",
        });
        const after = await session.until(async () => {
          const text = (await session.$("customer-count").getText()).trim();
          return text !== before ? text : null;
        }, `the count stayed ${before} after the CLI imported 2 customers`, 15_000);
        assert(/62 customers/.test(after), `the count says ${JSON.stringify(after)}, expected 62 customers`);
        await session.type("customer-search", "QF-100");
        const reason = await session.until(async () => (await session.texts("match-reason"))[0], "a search by invoice number shows no reason");
        assert(/Invoice: QF-100\d/.test(reason), `the match reason says ${JSON.stringify(reason)}`);
        for (const odd of ['"', "*", "AND", "NOT -", "acme-corp"]) {
          await session.type("customer-search", odd);
          await session.until(
            async () => (await session.$("no-match").isExisting()) || (await session.count("customer-row")) > 0,
            `the search ${JSON.stringify(odd)} showed neither rows nor "no match"`,
          );
          assert(!(await session.$("customer-error").isExisting()), `the search ${JSON.stringify(odd)} failed`);
        }
        await session.type("customer-search", "");
      },
    ],
    [
      "Ctrl + and Ctrl - zoom the page",
      async () => {
        const { browser } = s();
        const width = () => browser.execute(() => window.innerWidth);
        const before = await width();
        await browser.execute(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : null));
        await browser.keys(["Control", "="]);
        const bigger = await s().until(async () => ((await width()) < before ? width() : null), "Ctrl + did not zoom in");
        await browser.keys(["Control", "-"]);
        await s().until(async () => (await width()) === before, `Ctrl - did not zoom back (${bigger} → ${before})`);
      },
    ],
    [
      "the CSP is still never tripped after all that",
      async () => {
        const violations = await s().browser.execute(() => document.documentElement.dataset.cspViolations ?? "0");
        assert(violations === "0", `the app caused ${violations} CSP violation(s)`);
      },
    ],
    [
      "the theme setting applies at once and persists across a relaunch",
      async () => {
        let session = s();
        const theme = () => session.browser.execute(() => document.documentElement.dataset.theme);
        const background = () => session.browser.execute(() => getComputedStyle(document.documentElement).backgroundColor);
        const light = await background();
        await (await session.$("theme-select")).selectByAttribute("value", "dark");
        await session.until(async () => (await theme()) === "dark", "choosing Dark did not switch the theme");
        const dark = await background();
        assert(dark !== light, `the background stayed ${light}`);
        const darkProblems = await contrastProblems();
        assert(darkProblems.length === 0, `dark theme contrast below WCAG AA: ${darkProblems.join("; ")}`);
        await endSession();
        ctx.set(await launch(demoDb));
        session = s();
        await session.until(async () => (await theme()) === "dark", "the dark theme did not survive a relaunch");
        assert((await session.$("theme-select").getValue()) === "dark", "the theme control does not say Dark");
        await (await session.$("theme-select")).selectByAttribute("value", "light");
        await session.until(async () => (await theme()) === "light", "choosing Light did not switch the theme");
        const lightProblems = await contrastProblems();
        assert(lightProblems.length === 0, `light theme contrast below WCAG AA: ${lightProblems.join("; ")}`);
        await endSession();
      },
    ],
    [
      "the filtered list exports to CSV through the save dialog, and the filters persist",
      async () => {
        mkdirSync(path.dirname(exportCsv), { recursive: true });
        rmSync(exportCsv, { force: true });
        const other = new Driver({ binary, env: { ...env, DUEBOOK_TEST_SAVE_PATH: exportCsv }, logFile: path.join(artifacts, "driver.log") });
        await other.start();
        try {
          let session = await launch(demoDb, other);
          try {
            await (await session.$("filter-toggle")).click();
            await session.visible("filter-panel");
            await (await session.$("filter-currency")).selectByAttribute("value", "GBP");
            const count = await session.until(async () => {
              const text = (await session.$("customer-count").getText()).trim();
              return /^[\d,]+ of [\d,]+ customers$/.test(text) ? text : null;
            }, "the currency filter did not narrow the list");
            const matched = Number(count.split(" of ")[0].replace(/,/g, ""));
            assert(matched > 0 && matched < 62, `GBP matches ${count}`);
            await (await session.$("export-list")).click();
            const status = await (await session.visible("export-status")).getText();
            assert(status.includes(`Saved ${matched} customers to gbp-customers.csv`), `the export says ${JSON.stringify(status)}`);
            const lines = readFileSync(exportCsv, "utf8").trim().split(/\r?\n/);
            assert(lines[0].startsWith("Customer,Segment,Currency,Open,Overdue"), `the CSV header is ${JSON.stringify(lines[0])}`);
            const rows = lines.slice(1);
            assert(rows.length >= matched, `${rows.length} CSV rows for ${matched} customers`);
            assert(rows.some((r) => r.includes("Brightwater Dental <Group>")), "Brightwater Dental (GBP) is not in the export");
            assert(rows.some((r) => r.includes(",GBP,")), "no GBP balance in the export");
            console.log(`  exported ${matched} GBP customers, ${rows.length} rows`);
            // One customer's invoices, through the same dialog.
            const brightwater = await session.until(async () => {
              for (const row of await session.$$("customer-row"))
                if ((await row.$('[data-testid="customer-name"]').getProperty("textContent")) === "Brightwater Dental <Group>") return row;
              return null;
            }, "Brightwater Dental is not in the GBP list");
            await brightwater.click();
            await session.until(async () => (await session.count("invoice-row")) > 0, "no invoices for Brightwater Dental");
            const invoiceCount = await session.count("invoice-row");
            await (await session.$("export-invoices")).click();
            const saved = await (await session.visible("export-invoices-status")).getText();
            assert(saved.includes(`Saved ${invoiceCount} invoices to gbp-customers.csv`), `the invoice export says ${JSON.stringify(saved)}`);
            const invoiceLines = readFileSync(exportCsv, "utf8").trim().split(/\r?\n/);
            assert(invoiceLines[0].startsWith("Number,Kind,Issue date,Due date,Currency,Total,Paid,Open"), `the invoice CSV header is ${JSON.stringify(invoiceLines[0])}`);
            assert(invoiceLines.length === invoiceCount + 1, `${invoiceLines.length - 1} invoice rows for ${invoiceCount} invoices`);
            await session.end();
            // Relaunch: the filter is still set.
            session = await launch(demoDb, other);
            await session.until(async () => (await session.texts("filter-chip")).some((c) => c.includes("Currency GBP")), "the currency filter was not restored");
            await session.until(async () => (await session.$("customer-count").getText()).trim() === count, `the restored list does not count ${count}`);
            await (await session.$("filter-clear")).click();
            await session.until(async () => /^[\d,]+ customers$/.test((await session.$("customer-count").getText()).trim()), "Clear all did not remove the filter");
          } finally {
            await session.end();
          }
        } finally {
          await other.stop();
        }
      },
    ],
    [
      "100,000 customers: only the rows in view are in the page, and scrolling pages the rest in",
      async () => {
        assert(existsSync(cli), `${cli} is missing`);
        const started = Date.now();
        execFileSync(cli, ["demo", "--customers", "100000", "--db", bigDb], { env, stdio: "pipe", timeout: 300_000 });
        console.log(`  generated 100,000 customers in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        ctx.set(await launch(bigDb));
        const session = s();
        await session.until(async () => /100,000 customers/.test(await session.$("customer-count").getText()), "the list does not count 100,000 customers");
        const rendered = await session.count("customer-row");
        assert(rendered > 5 && rendered < 80, `${rendered} rows are in the page`);
        // Jump to the middle and to the end: rows arrive and are the right ones.
        for (const [label, fraction] of [["middle", 0.5], ["end", 1]]) {
          const t0 = Date.now();
          await session.browser.execute((f) => {
            const list = document.querySelector('[data-testid="customer-list"]');
            list.scrollTop = (list.scrollHeight - list.clientHeight) * f;
          }, fraction);
          const indexes = await session.until(async () => {
            const found = await session.browser.execute(() =>
              [...document.querySelectorAll('[data-testid="customer-row"]')].map((r) => Number(r.getAttribute("data-index"))),
            );
            const loading = await session.count("customer-row-loading");
            return found.length > 5 && loading === 0 ? found : null;
          }, `no rows arrived at the ${label}`);
          const expected = Math.floor(99_999 * fraction);
          assert(Math.max(...indexes) >= expected - 40, `at the ${label} the rows are ${Math.min(...indexes)}–${Math.max(...indexes)}`);
          assert(indexes.length < 80, `${indexes.length} rows in the page at the ${label}`);
          console.log(`  ${label}: rows ${Math.min(...indexes)}–${Math.max(...indexes)} shown ${Date.now() - t0} ms after the jump`);
        }
        // Keyboard: Home goes back to the first row.
        await session.$("customer-list").click();
        await session.browser.keys(["Home"]);
        await session.until(
          async () => (await session.browser.execute(() => document.querySelector('[data-testid="customer-list"]').scrollTop)) === 0,
          "Home did not scroll back to the top",
        );
        await session.type("customer-search", "northwind");
        await session.until(async () => (await session.count("customer-row")) > 0, "search on 100,000 customers found nothing");
        await endSession();
        rmSync(path.dirname(bigDb), { recursive: true, force: true });
      },
    ],
  ];
}
