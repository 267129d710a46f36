// Setup and steps the E2E groups share: the app's test environment, the SMTP test server
// (aiosmtpd with STARTTLS and AUTH, from scripts/with-test-services.sh, which tests/e2e/run.sh
// runs the window under), an app of their own with extra environment, the demo opened from the
// first-run screen, and searching the customer list. Missing services fail the test, never skip it.
import { spawn } from "node:child_process";
import tls from "node:tls";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { Driver, repoRoot } from "./harness.mjs";

const INBOUND = path.join(repoRoot, "src-tauri/core/tests/fixtures/inbound");
const FIXTURE_REMINDER = "<mb1c2d3e.5f1e0c9a7b3d2e41a8c6f09d7e2b5a13@northwind.example>";

/** The Gmail reply fixture answering our message `messageId` ("Re: `subject`"), written now by `from`. */
export function replyTo({ messageId, subject, from }) {
  return readFileSync(path.join(INBOUND, "reply-gmail-paid.eml"), "utf8")
    .replaceAll(FIXTURE_REMINDER, messageId)
    // Dated a moment ahead: the header has whole seconds, the reminder was sent within this one.
    .replace(/^Date: .*$/m, `Date: ${new Date(Date.now() + 2000).toUTCString()}`)
    .replace(/^Subject: .*$/m, `Subject: Re: ${subject}`)
    .replace(/^From: .*$/m, `From: ${from}`);
}

/** Postfix's report that `address` does not exist (5.1.1), returning our message `messageId`. */
export function bounceOf({ messageId, address }) {
  return readFileSync(path.join(INBOUND, "dsn-postfix-hard.eml"), "utf8")
    .replaceAll(FIXTURE_REMINDER, messageId)
    .replaceAll("jordan@acme.example", address);
}

/**
 * Puts `raw` into `folder` of the test IMAP server's mailbox (LOGIN, APPEND over TLS on
 * `port`), as a customer's mail arrives. The local test server's certificate is not checked
 * here: this only delivers test mail; the app checks it.
 */
export function appendToImap({ port, user, password, raw, folder = "INBOX" }) {
  const body = Buffer.from(raw.replace(/\r?\n/g, "\r\n"));
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false });
    let said = "";
    let step = "greeting";
    const next = (to, line) => {
      step = to;
      said = "";
      socket.write(line);
    };
    socket.setTimeout(20_000, () => socket.destroy(new Error(`IMAP APPEND timed out at ${step}`)));
    socket.on("error", reject);
    socket.on("data", (chunk) => {
      said += chunk.toString();
      if (/^[ab] (NO|BAD)/m.test(said)) return socket.destroy(new Error(`IMAP refused at ${step}: ${said.trim()}`));
      if (step === "greeting" && /^\* OK/m.test(said)) next("login", `a LOGIN "${user}" "${password}"\r\n`);
      else if (step === "login" && /^a OK/m.test(said)) next("append", `b APPEND ${folder} {${body.length}}\r\n`);
      else if (step === "append" && /^\+/m.test(said)) {
        next("appended", body);
        socket.write("\r\n");
      } else if (step === "appended" && /^b OK/m.test(said)) {
        socket.end("c LOGOUT\r\n");
        resolve();
      }
    });
  });
}

/** The app's environment under test: this process's, with HOME and the XDG folders inside `home`
 * (the user's own settings and data stay untouched), `extra` on top, software rendering (no GPU
 * under Xvfb, and no dmabuf renderer warnings), and no DUEBOOK_DB from the caller's shell. */
export function appEnv(home, extra = {}) {
  const env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: path.join(home, ".local/share"),
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
    ...extra,
    WEBKIT_DISABLE_DMABUF_RENDERER: "1",
    NO_AT_BRIDGE: "1",
  };
  delete env.DUEBOOK_DB;
  return env;
}

/** A variable scripts/with-test-services.sh sets. */
export function testService(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the E2E tests through tests/e2e/run.sh (it uses scripts/with-test-services.sh)`);
  return value;
}

/** Starts one of tests/servers' scripts (`script`: the variable naming it) with `args`; `port`
 * resolves once it prints "READY <port>" (`ports`: every port of "READY <port> <port>…"). Stop
 * it with `child.kill()`; its standard input stays open meanwhile (the IMAP server stops when it
 * closes). */
function startTestServer(script, args, name) {
  const child = spawn(testService("DUEBOOK_TEST_PYTHON"), [testService(script), ...args], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const ports = new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (line) => {
      const match = /^READY (\d+(?: \d+)*)$/.exec(line.trim());
      if (match) resolve(match[1].split(" ").map(Number));
      else reject(new Error(`the ${name} did not start: ${JSON.stringify(line)}`));
    });
    child.once("exit", (code) => reject(new Error(`the ${name} exited (${code}) before listening`)));
  });
  return { child, ports, port: ports.then((p) => p[0]) };
}

/** Starts Dovecot (tests/servers/imap_server.py) for `user` / `password`; `ports` resolves to
 * [STARTTLS port, implicit TLS port]. */
export function startImapServer({ dir, user, password }) {
  mkdirSync(dir, { recursive: true });
  const args = [
    ...["--dir", dir, "--cert", testService("DUEBOOK_TEST_CERT"), "--key", testService("DUEBOOK_TEST_KEY")],
    ...["--user", user, "--password", password],
  ];
  return startTestServer("DUEBOOK_TEST_IMAP_SCRIPT", args, "IMAP test server");
}

/**
 * Starts aiosmtpd accepting `user` / `password`, saving what it receives as N.json in `dir`;
 * `extra` arguments at the end (`--introspect URL`: XOAUTH2 tokens checked there).
 */
export function startSmtpServer({ dir, user, password, extra = [] }) {
  mkdirSync(dir, { recursive: true });
  const args = [
    ...["--mode", "accept", "--cert", testService("DUEBOOK_TEST_CERT"), "--key", testService("DUEBOOK_TEST_KEY")],
    ...["--user", user, "--password", password, "--dir", dir, ...extra],
  ];
  return startTestServer("DUEBOOK_TEST_SMTP_SCRIPT", args, "SMTP test server");
}

/** Starts the local OAuth2 authorization server (tests/servers/oauth_server.py) in `dir`. */
export function startOAuthServer(dir) {
  mkdirSync(dir, { recursive: true });
  return startTestServer("DUEBOOK_TEST_OAUTH_SCRIPT", ["--dir", dir], "OAuth2 test server");
}

/** A tauri-driver of its own (so `env` can differ from the main run's) and the app on `db`. */
export async function launchApp({ binary, env, artifacts, db, link = null }) {
  const driver = new Driver({ binary, env, logFile: path.join(artifacts, "driver.log") });
  await driver.start();
  try {
    return { driver, session: await driver.session(["--db", db, ...(link ? [link] : [])]) };
  } catch (error) {
    await driver.stop();
    throw error;
  }
}

/** Runs `body(session)` in an app of its own (see launchApp), then closes the app whatever happens. */
export async function withApp(options, body) {
  const { driver, session } = await launchApp(options);
  try {
    return await body(session);
  } finally {
    try {
      await session.end();
    } finally {
      await driver.stop();
    }
  }
}

/** Types `search` into the list's search and waits until every name shown contains it (case
 * aside); resolves to those names. */
export async function searchNarrows(session, search, message) {
  await session.type("customer-search", search);
  return session.until(async () => {
    const names = await session.texts("customer-name");
    return names.length > 0 && names.every((n) => n.toLowerCase().includes(search.toLowerCase())) ? names : null;
  }, message);
}

/** Searches the list for `search`, clicks the row named exactly `name` and waits for its
 * customer screen. */
export async function openCustomerRow(session, search, name) {
  await session.type("customer-search", search);
  const row = await session.until(async () => {
    for (const candidate of await session.$$("customer-row")) {
      const text = await candidate.$('[data-testid="customer-name"]').getProperty("textContent");
      if (text === name) return candidate;
    }
    return null;
  }, `no row for ${name} after searching ${JSON.stringify(search)}`);
  await row.click();
  // The screen may still be loading: no name yet is "not yet", not a failure.
  await session.until(async () => {
    const shown = await session.$("detail-name");
    return (await shown.isExisting()) && (await shown.getText()) === name;
  }, `the customer screen does not show ${name}`);
}

/** Waits for the demo's customer list (the demo file is open). The app comes back to the view it
 * was last on in this file (an earlier journey may have left it on Reports): Customers first. */
export async function demoListShown(session) {
  await session.visible("demo-banner", 60_000);
  const customers = await session.$("view-customers");
  if ((await customers.isExisting()) && (await customers.getAttribute("aria-current")) !== "page") await customers.click();
  await session.until(async () => (await session.count("customer-row")) >= 10, "the demo list has fewer than 10 rows");
}

/** On the first-run screen of an empty database: "Open the demo", then its customer list. */
export async function openDemoFromFirstRun(session) {
  await session.visible("first-run", 30_000);
  await (await session.visible("open-demo")).click();
  await demoListShown(session);
}

/** Types the SMTP test server's account into Settings → Email (open): STARTTLS on 127.0.0.1:`port`
 * as `user` with `password`. Nothing is saved yet. */
export async function fillEmailAccount(session, { user, password, port }) {
  await session.type("account-name", "Duebook E2E");
  await session.type("account-from", user);
  await session.type("account-host", "127.0.0.1");
  await session.type("account-port", String(port));
  await (await session.visible("account-security")).selectByAttribute("value", "start_tls");
  await session.type("account-username", user);
  await session.type("account-password", password);
}

/** What the SMTP test server accepted, as it parsed each message (N.json in `dir`, oldest first). */
export function receivedMessages(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")));
}
