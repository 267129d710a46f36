// Email from the app (issue 5), against a real SMTP server (aiosmtpd with STARTTLS and AUTH, from
// scripts/with-test-services.sh, which run.sh runs the window under) and the real Secret Service
// of the E2E D-Bus session: set up the account in Settings, see a wrong password refused with the
// server's 535 reply, then send an overdue reminder from the customer screen and find it at the
// server — once, multipart, the customer's name HTML-escaped, the attached file intact — and the
// password nowhere in the database file; then the customer's reply, put into the real IMAP
// mailbox (Dovecot), shows on their screen without a click (the app waits in IMAP IDLE).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  appendToImap,
  fillEmailAccount,
  launchApp,
  receivedMessages,
  openCustomerRow,
  openDemoFromFirstRun,
  replyTo,
  startImapServer,
  startSmtpServer,
  testService,
} from "./support.mjs";

const USER = "e2e-sender@duebook.test";
const PASSWORD = "e2e-Right-Password-7f3k";
const CUSTOMER = "Brightwater Dental <Group>";


/**
 * @param {object} ctx
 * @param {string} ctx.binary
 * @param {Record<string, string>} ctx.env
 * @param {string} ctx.artifacts
 * @param {string} ctx.scratch
 * @param {(c: any, m: string) => void} ctx.assert
 * @param {(file: string) => void} ctx.screenshot
 */
export function emailTests(ctx) {
  const { binary, env, artifacts, scratch, assert, screenshot } = ctx;
  const dir = path.join(scratch, "email");
  const db = path.join(dir, "duebook.sqlite");
  const demoDb = path.join(dir, "demo.sqlite");
  const inbox = path.join(dir, "server");
  // "Attach file…" takes this file instead of showing the native dialog.
  const attachment = path.join(dir, "payment-plan.txt");
  const attachmentText = "Payment plan agreed on the phone: 3 instalments.\n";
  let server = null;
  let imapServer = null;
  let port = 0;
  /** The reminder the second test sent, as the server received it: the third answers it. */
  let reminder = null;
  let driver = null;
  let session = null;

  async function stop() {
    if (session) await session.end();
    if (driver) await driver.stop();
    server?.child.kill("SIGTERM");
    imapServer?.child.kill("SIGTERM");
    imapServer = null;
    session = null;
    driver = null;
    server = null;
  }

  async function openCustomer() {
    await openCustomerRow(session, "brightwater", CUSTOMER);
  }

  const fillAccount = (password) => fillEmailAccount(session, { user: USER, password, port });

  /** IMAP beside SMTP: Dovecot over TLS with the SMTP password; a wrong IMAP password names the
   * IMAP login; the right settings are saved with the account. */
  async function connectImap() {
    imapServer = startImapServer({ dir: path.join(dir, "imap"), user: USER, password: PASSWORD });
    const [, imapsPort] = await imapServer.ports;
    await (await session.visible("imap-on")).click();
    await session.type("imap-host", "127.0.0.1");
    await session.type("imap-port", String(imapsPort));
    const testImap = async () => {
      await (await session.visible("imap-test")).click();
      const result = await session.visible("imap-test-result", 30_000);
      return { ok: (await result.getAttribute("data-ok")) === "true", text: await result.getText() };
    };
    await session.type("imap-password", "not-the-imap-password");
    const refused = await testImap();
    assert(!refused.ok && /Failed at IMAP login/.test(refused.text), `a wrong IMAP password was not refused at the login: ${refused.text}`);
    await session.type("imap-password", "");
    const passed = await testImap();
    assert(passed.ok, `IMAP with the SMTP password did not connect: ${passed.text}`);
    assert(/Sent folder: Sent; 0 messages in INBOX/.test(passed.text), `the IMAP test does not show the folders: ${passed.text}`);
    await (await session.$("account-save")).click();
    await session.visible("account-saved");
    assert((await session.$("imap-host").getValue()) === "127.0.0.1", "the IMAP server was not kept after saving");
    // Saved, the account can sign in instead (the panel no longer asks to save first).
    await session.visible("sign-in-microsoft");
  }

  async function testConnection() {
    await (await session.visible("account-test")).click();
    await session.visible("account-test-result", 30_000);
    return {
      ok: (await session.$("account-test-result").getAttribute("data-ok")) === "true",
      text: await session.$("account-test-result").getText(),
    };
  }

  return [
    [
      "Settings: a wrong password shows the server's 535 reply, the right one connects",
      // A failure leaves the app open for the harness's screenshot; the next test stops it.
      async () => {
        server = startSmtpServer({ dir: inbox, user: USER, password: PASSWORD });
        port = await server.port;
        mkdirSync(dir, { recursive: true });
        writeFileSync(attachment, attachmentText);
        ({ driver, session } = await launchApp({
          binary,
          env: { ...env, DUEBOOK_SMTP_CA_FILE: testService("DUEBOOK_TEST_CERT"), DUEBOOK_TEST_ATTACH_PATH: attachment },
          artifacts,
          db,
        }));
        await openDemoFromFirstRun(session);

        // Before any account the composer already shows the message; Send waits for the account.
        await openCustomer();
        await (await session.visible("email-button")).click();
        await (await session.visible("composer-template")).selectByAttribute("value", "overdue-1");
        const from = await session.until(
          async () => (await session.$("composer-from").getText().catch(() => "")) || null,
          "the composer shows no preview before an account is set up",
          20_000,
        );
        assert(/not-set-up/.test(from), `the From line does not say the account is missing: ${from}`);
        await session.visible("composer-no-account");
        screenshot(path.join(artifacts, "email-composer-no-account.png"));
        assert(!(await session.$("composer-send").isEnabled()), "Send is offered without an email account");
        await (await session.$("composer-cancel")).click();
        await session.gone("composer");

        await (await session.visible("topbar-settings")).click();
        await session.visible("settings-email");
        assert(!(await session.$("keychain-problem").isExisting()), "Settings says the keychain is unavailable");
        await fillAccount("not-the-password");
        // A refused setting is shown beside its input, and nothing is saved.
        await session.type("account-host", "bad host!");
        await (await session.$("account-save")).click();
        const hostError = await (await session.visible("account-host-error")).getText();
        assert(/not a server name/.test(hostError), `the host's error is not beside it: ${hostError}`);
        await session.type("account-host", "127.0.0.1");
        const refused = await testConnection();
        assert(!refused.ok, `a wrong password passed the connection test: ${refused.text}`);
        assert(/535/.test(refused.text), `the refusal does not show the server's 535 reply: ${JSON.stringify(refused.text)}`);
        assert(/Failed at SMTP AUTH \(logging in\)/.test(refused.text), `the refusal does not name the failed step: ${JSON.stringify(refused.text)}`);
        assert(/What to do: check the user name/.test(refused.text), `the refusal does not say what to do: ${JSON.stringify(refused.text)}`);

        await session.type("account-password", PASSWORD);
        const passed = await testConnection();
        assert(passed.ok, `the right password did not connect: ${JSON.stringify(passed.text)}`);
        assert(/encrypted/.test(passed.text) && !/not encrypted/.test(passed.text), `the connection was not encrypted: ${passed.text}`);

        await (await session.$("account-save")).click();
        await session.visible("password-stored");
        const typed = await session.$("account-password").getValue();
        assert(typed === "", "the password field was filled back after saving");
        await connectImap();
        screenshot(path.join(artifacts, "email-settings.png"));

        // A template typo is reported beside its field with its line, and nothing is saved.
        await (await session.$("settings-tab-templates")).click();
        await session.visible("template-body_html");
        await session.type("template-body_html", "<p>Hello {{ customer.nmae }</p>");
        const problem = await session.until(
          async () => (await session.$("template-body_html-error").getText().catch(() => "")) || null,
          "a broken HTML body shows no error beside it",
        );
        assert(/line 1, column \d+/.test(problem), `the template error does not give line and column: ${JSON.stringify(problem)}`);
        screenshot(path.join(artifacts, "email-template-error.png"));
        await (await session.$("settings-close")).click();
        await session.gone("settings-dialog");
      },
    ],
    [
      "an overdue reminder sent from the customer screen arrives once and shows as sent",
      async () => {
        try {
          assert(session, "the previous test did not start the app");
          await openCustomer();

          await (await session.visible("email-button")).click();
          await session.visible("composer");
          await (await session.visible("composer-template")).selectByAttribute("value", "overdue-1");
          // overdue-1 names the customer in its subject (the body greets the contact).
          const subject = await session.until(async () => {
            const shown = await session.$("composer-subject").getText().catch(() => "");
            return shown.includes(CUSTOMER) ? shown : null;
          }, "the preview does not show the customer's name", 20_000);
          const to = await session.$("composer-to").getText();
          const text = await session.$("composer-text").getText();
          assert(to.includes("@") && text.length > 0, `the preview has no recipient or text: ${to} / ${text}`);
          console.log(`  "${subject}" to ${to}`);
          screenshot(path.join(artifacts, "email-composer.png"));
          await (await session.$("composer-show-html")).click();
          await session.visible("composer-html");
          await new Promise((r) => setTimeout(r, 500)); // the frame loads from mailpreview:
          screenshot(path.join(artifacts, "email-composer-html.png"));
          const violations = await session.browser.execute(() => document.documentElement.dataset.cspViolations ?? "0");
          assert(violations === "0", `showing the HTML preview broke the app's CSP ${violations} times`);
          // Remote images stay blocked until asked for, then that preview is served again with them.
          const blockedSrc = await session.$("composer-html").getAttribute("src");
          await (await session.visible("composer-html-load-remote")).click();
          await session.visible("composer-html-remote-shown");
          const remoteSrc = await session.$("composer-html").getAttribute("src");
          assert(remoteSrc && remoteSrc !== blockedSrc, `"Load remote images" did not reload the preview: ${blockedSrc} -> ${remoteSrc}`);
          await (await session.$("composer-attach")).click();
          await session.until(
            async () => (await session.$("composer-attachments").getText().catch(() => "")).includes("payment-plan.txt"),
            "the attached file does not show in the preview",
          );

          await (await session.$("composer-send")).click();
          await session.gone("composer", 15_000);
          await session.until(async () => {
            const states = await session.texts("message-state");
            return states.includes("Sent");
          }, "the customer's emails never show the reminder as sent", 60_000);
          await session.until(
            async () => (await session.texts("timeline-title")).some((t) => t.startsWith("Email sent:") && t.includes(subject)),
            "the timeline does not show the sent email",
          );
          screenshot(path.join(artifacts, "email-sent.png"));

          const messages = receivedMessages(inbox);
          const matching = messages.filter((m) => m.headers.Subject === subject);
          assert(matching.length === 1, `the server received ${matching.length} messages with the subject ${JSON.stringify(subject)}`);
          const message = matching[0];
          assert(message.login === USER, `the server saw the login ${message.login}`);
          const types = message.parts.map((p) => p.content_type);
          assert(types.includes("multipart/alternative") && types.includes("text/plain") && types.includes("text/html"), `not multipart text + HTML: ${types.join(", ")}`);
          const attached = message.parts.find((p) => p.filename === "payment-plan.txt");
          assert(attached, `the attachment did not arrive: ${types.join(", ")}`);
          assert(Buffer.from(attached.base64, "base64").toString() === attachmentText, "the attachment's bytes changed on the way");
          const html = message.parts.find((p) => p.content_type === "text/html").text;
          assert(html.includes("Brightwater Dental &lt;Group&gt;"), "the customer's name is not HTML-escaped in the HTML part");
          assert(!html.includes(CUSTOMER), "the customer's name appears unescaped in the HTML part");

          for (const file of [demoDb, `${demoDb}-wal`, db, `${db}-wal`].filter(existsSync)) {
            assert(!readFileSync(file).includes(Buffer.from(PASSWORD)), `the password is stored in ${path.basename(file)}`);
          }
          reminder = { id: message.headers["Message-ID"], subject, to };
        } catch (e) {
          screenshot(path.join(artifacts, "email-failure.png"));
          await stop();
          throw e;
        }
      },
    ],
    [
      "the customer's reply arrives in the mailbox and shows on their screen by itself (IMAP IDLE)",
      async () => {
        try {
          assert(session && reminder, "the previous test did not send the reminder");
          const [, imapsPort] = await imapServer.ports;
          const raw = replyTo({ messageId: reminder.id, subject: reminder.subject, from: reminder.to });
          await appendToImap({ port: imapsPort, user: USER, password: PASSWORD, raw });
          // No click: the app waits in IDLE and syncs when the message lands.
          await session.until(
            async () => (await session.texts("message-state")).includes("Reply"),
            "the reply put in the mailbox never showed on the customer screen",
            60_000,
          );
          const read = await (await session.visible("inbox-status")).getText();
          assert(/^Replies read /.test(read), `the Emails section says ${JSON.stringify(read)}`);
          await session.visible("reply-hold");
          await session.until(
            async () => (await session.texts("timeline-title")).some((t) => t === `Reply received: Re: ${reminder.subject}`),
            "the timeline does not say Reply received",
          );
          // Looking again by hand finds nothing new and keeps nothing twice.
          await (await session.visible("check-replies")).click();
          await session.until(
            async () => /^Replies read /.test(await session.$("inbox-status").getText()),
            "Check for replies did not finish",
            30_000,
          );
          const replies = (await session.texts("message-state")).filter((t) => t === "Reply");
          assert(replies.length === 1, `the reply shows ${replies.length} times`);
          screenshot(path.join(artifacts, "email-reply-arrived.png"));
        } catch (e) {
          screenshot(path.join(artifacts, "email-failure.png"));
          throw e;
        } finally {
          await stop();
        }
      },
    ],
  ];
}
