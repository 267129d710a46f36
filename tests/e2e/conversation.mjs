// Two-way email on the customer screen (issue 17, item 6), against the real SMTP test server: send
// a reminder, let a reply to it arrive as the mailbox sync keeps one (the e2e-hooks command
// e2e_receive_message runs the same decide + record on the app's database, with the Gmail reply
// fixture of core/tests/fixtures/inbound/ addressed to the reminder just sent), see it in the
// reminder's thread as a reply, read it (text, and its HTML sanitised with remote images blocked),
// open its attachment, Reply from the screen in our own words, and find at the server that the answer names the
// customer's message in In-Reply-To and References and carries the words as typed.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./harness.mjs";
import {
  bounceOf,
  fillEmailAccount,
  launchApp,
  openCustomerRow,
  openDemoFromFirstRun,
  receivedMessages,
  replyTo,
  startSmtpServer,
  testService,
} from "./support.mjs";

const USER = "e2e-sender@duebook.test";
const PASSWORD = "e2e-Right-Password-7f3k";
const CUSTOMER = "Brightwater Dental <Group>";
const WORDS = "Thank you, Esme: we will match the remittance for Brightwater <Group> this week.";
const THEIR_ID = "<CAKx9vT3rF0nG7yq2o3+Zq8dQk1w5mE_p2aVb9LxJ4sPZ0hQe6A@mail.gmail.com>";


/**
 * @param {object} ctx
 * @param {string} ctx.binary
 * @param {Record<string, string>} ctx.env
 * @param {string} ctx.artifacts
 * @param {string} ctx.scratch
 * @param {(c: any, m: string) => void} ctx.assert
 * @param {(file: string) => void} ctx.screenshot
 */
export function conversationTests(ctx) {
  const { binary, env, artifacts, scratch, assert, screenshot } = ctx;
  const dir = path.join(scratch, "conversation");
  const inbox = path.join(dir, "server");
  // "Open" runs this instead of the desktop's opener (there is none under Xvfb): it notes the path.
  const opener = path.join(dir, "opener.sh");
  const openedLog = path.join(dir, "opened.txt");

  /** Open beside the reply's attachment: a private copy in the app's cache folder is opened. */
  async function openAttachment(session, reply) {
    await (await reply.$('[data-testid="message-attachment-open"]')).click();
    const said = await (await session.visible("message-attachment-opened")).getText();
    assert(said === "Opened Remittance_Advice_INV-2001.pdf.", `Open says ${JSON.stringify(said)}`);
    const opened = await session.until(() => (existsSync(openedLog) ? readFileSync(openedLog, "utf8").trim() : null), "the opener was not run");
    assert(opened.startsWith(path.join(env.XDG_CACHE_HOME, "app.duebook.desktop", "attachments")), `opened outside the app's cache: ${opened}`);
    assert(path.basename(opened) === "Remittance_Advice_INV-2001.pdf", `opened ${opened}`);
    assert((statSync(opened).mode & 0o777) === 0o600, `the copy is readable by others: ${(statSync(opened).mode & 0o777).toString(8)}`);
    assert(readFileSync(opened).subarray(0, 8).toString() === "%PDF-1.4", "the opened file is not the attached PDF");
  }

  /** Settings → Email: the test server's account, saved. */
  async function setUpAccount(session, port) {
    await (await session.visible("topbar-settings")).click();
    await session.visible("settings-email");
    await fillEmailAccount(session, { user: USER, password: PASSWORD, port });
    await (await session.$("account-save")).click();
    await session.visible("password-stored");
    await (await session.$("settings-close")).click();
    await session.gone("settings-dialog");
  }

  /** Sends the composer's message once its subject shows; resolves to the preview's subject and To. */
  async function sendFromComposer(session, wanted) {
    const subject = await session.until(async () => {
      const shown = await session.$("composer-subject").getText().catch(() => "");
      return wanted(shown) ? shown : null;
    }, "the composer shows no preview", 20_000);
    const to = await session.$("composer-to").getText();
    await (await session.$("composer-send")).click();
    await session.gone("composer", 15_000);
    return { subject, to };
  }

  /** The thread (element) holding the message `id`, once it has `count` messages. */
  async function threadOf(session, id, count, message) {
    return session.until(async () => {
      for (const thread of await session.$$("thread")) {
        const has = await thread.$(`[data-testid="message"][data-id="${id}"]`).isExisting();
        if (has && Number(await thread.getAttribute("data-count")) === count) return thread;
      }
      return null;
    }, message, 60_000);
  }

  return [
    [
      "a reply to a reminder shows in its thread, reads safely, and Reply sends a threaded answer",
      async () => {
        mkdirSync(dir, { recursive: true });
        writeFileSync(opener, `#!/bin/sh\nprintf '%s\\n' "$1" > '${openedLog}'\n`, { mode: 0o755 });
        const server = startSmtpServer({ dir: inbox, user: USER, password: PASSWORD });
        let driver = null;
        let session = null;
        try {
          const port = await server.port;
          ({ driver, session } = await launchApp({
            binary,
            env: { ...env, DUEBOOK_SMTP_CA_FILE: testService("DUEBOOK_TEST_CERT"), DUEBOOK_TEST_OPENER: opener },
            artifacts,
            db: path.join(dir, "duebook.sqlite"),
          }));
          await openDemoFromFirstRun(session);
          await setUpAccount(session, port);
          await openCustomerRow(session, "brightwater", CUSTOMER);

          // The reminder, sent and confirmed by the server.
          await (await session.visible("email-button")).click();
          await (await session.visible("composer-template")).selectByAttribute("value", "overdue-1");
          const reminder = await sendFromComposer(session, (s) => s.includes(CUSTOMER));
          const sent = await session.until(
            () => receivedMessages(inbox).find((m) => m.headers.Subject === reminder.subject) ?? null,
            "the reminder never reached the SMTP server",
            60_000,
          );
          const ourId = sent.headers["Message-ID"];
          assert(/^<[^<>\s]+@[^<>\s]+>$/.test(ourId), `the reminder's Message-ID is ${ourId}`);

          // The customer answers; the mailbox sync keeps it.
          const raw = replyTo({ messageId: ourId, subject: reminder.subject, from: reminder.to });
          const recorded = await session.browser.execute(
            (message) => window.__TAURI_INTERNALS__.invoke("e2e_receive_message", { raw: message }),
            raw,
          );
          assert(/^Stored \{ id: \d+ \}$/.test(recorded), `the reply was not kept: ${recorded}`);
          const replyId = Number(/\d+/.exec(recorded)[0]);

          const thread = await threadOf(session, replyId, 2, "the reply is not in the reminder's thread");
          const reply = await thread.$(`[data-testid="message"][data-id="${replyId}"]`);
          assert((await reply.getAttribute("data-direction")) === "in", "the reply is not shown as received");
          assert((await reply.$('[data-testid="message-state"]').getText()) === "Reply", "the reply's badge does not say Reply");
          const snippet = await reply.$('[data-testid="message-snippet"]').getText();
          assert(/Paid yesterday/.test(snippet), `the reply's own words are not shown: ${snippet}`);
          await reply.$('[data-testid="message-paid-hint"]').waitForDisplayed();
          const attached = await reply.$('[data-testid="message-attachment"]').getText();
          assert(attached === "Remittance_Advice_INV-2001.pdf", `the remittance is not listed: ${attached}`);
          await session.until(
            async () => (await session.texts("timeline-title")).some((t) => t === `Reply received: Re: ${reminder.subject}`),
            "the timeline does not say Reply received",
          );
          // The reply holds the customer's reminders, and the screen says so.
          const hold = await (await session.visible("reply-hold")).getText();
          assert(/Replied .*: reminders wait until /.test(hold), `the header says ${JSON.stringify(hold)}`);

          // Read it: the text, then the HTML in its sandboxed frame with remote images blocked.
          await (await reply.$('[data-testid="message-read"]')).click();
          const text = await (await session.visible("message-text")).getText();
          assert(/Paid yesterday, remittance attached/.test(text), `the reply's text is not shown: ${text}`);
          await (await session.visible("message-show-html")).click();
          const frame = await session.visible("message-html");
          assert((await frame.getAttribute("sandbox")) === "", "the HTML frame is not sandboxed");
          await session.visible("message-html-blocked");
          assert(!(await session.$("message-html-load-remote").isExisting()), "a received message offers to load remote images");
          await new Promise((r) => setTimeout(r, 500)); // the frame loads from mailpreview:
          const violations = await session.browser.execute(() => document.documentElement.dataset.cspViolations ?? "0");
          assert(violations === "0", `showing the reply's HTML broke the app's CSP ${violations} times`);
          await session.browser.execute(() => document.querySelector('[data-testid="customer-emails"]')?.scrollIntoView());
          screenshot(path.join(repoRoot, "docs/conversation.png"));

          await openAttachment(session, reply);

          // Reply from the screen: "Re: …" to the person who wrote, threaded under their message.
          await (await reply.$('[data-testid="message-reply"]')).click();
          await session.visible("composer");
          await session.type("composer-words", WORDS);
          await session.until(
            async () => (await session.$("composer-text").getText().catch(() => "")).includes("Thank you, Esme"),
            "the preview does not show the reply's own words",
            20_000,
          );
          screenshot(path.join(artifacts, "conversation-reply-composer.png"));
          const answer = await sendFromComposer(session, (s) => s === `Re: ${reminder.subject}`);
          assert(answer.to === reminder.to, `the reply goes to ${answer.to}, not the sender ${reminder.to}`);
          await threadOf(session, replyId, 3, "the answer is not in the same thread");
          const arrived = await session.until(
            () => receivedMessages(inbox).find((m) => m.headers.Subject === answer.subject) ?? null,
            "the answer never reached the SMTP server",
            60_000,
          );
          const references = (arrived.headers.References ?? "").split(/\s+/);
          assert(arrived.headers["In-Reply-To"] === THEIR_ID, `In-Reply-To is ${arrived.headers["In-Reply-To"]}`);
          assert(references.join(" ") === `${ourId} ${THEIR_ID}`, `References is ${arrived.headers.References}`);
          const plain = arrived.parts.find((p) => p.content_type === "text/plain")?.text ?? "";
          const html = arrived.parts.find((p) => p.content_type === "text/html")?.text ?? "";
          assert(plain.includes("Thank you, Esme") && plain.includes("<Group>"), `the words did not arrive as typed: ${plain}`);
          assert(html.includes("&lt;Group&gt;") && !html.includes("<Group>"), `the words are not escaped in the HTML part: ${html}`);
          screenshot(path.join(artifacts, "conversation-answered.png"));

          // Dealt with: reminders go on.
          await (await session.visible("resume-reminders")).click();
          await session.gone("reply-hold");

          // The answer bounces for good (Postfix's report): the contact's address is marked,
          // with the server's reason, and reminders skip it.
          const address = /<([^<>]+)>/.exec(answer.to)?.[1] ?? answer.to;
          const bounce = bounceOf({ messageId: arrived.headers["Message-ID"], address });
          const bounced = await session.browser.execute(
            (message) => window.__TAURI_INTERNALS__.invoke("e2e_receive_message", { raw: message }),
            bounce,
          );
          assert(/^Stored /.test(bounced), `the bounce was not kept: ${bounced}`);
          const badge = await session.visible("contact-email-bounced", 20_000);
          const why = await badge.getAttribute("title");
          assert(/5\.1\.1/.test(why), `the contact does not say why the address bounced: ${why}`);
          await badge.scrollIntoView({ block: "center" });
          screenshot(path.join(artifacts, "conversation-bounced.png"));
        } catch (e) {
          screenshot(path.join(artifacts, "conversation-failure.png"));
          throw e;
        } finally {
          if (session) await session.end();
          if (driver) await driver.stop();
          server.child.kill("SIGTERM");
        }
      },
    ],
  ];
}
