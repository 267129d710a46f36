// Drives the real Duebook binary through tauri-driver (npm @crabnebula/tauri-driver-linux-x64-gnu) and
// WebKitWebDriver. Knows the measured flakiness of this stack (see RECIPES.md):
// - tauri-driver's proxy sometimes answers HTTP 500 "connection reset/closed" in the first second
//   of a session: session creation is retried on exactly that, at most 3 times;
// - if the app dies at start, WebKitWebDriver waits forever: the app process is watched and the
//   session attempt fails fast;
// - WebKit helpers outlive the session: tauri-driver runs in its own process group, killed at the end.
import { spawn } from "node:child_process";
import { createWriteStream, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, timeoutMs, isAlive) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error("tauri-driver exited before it listened");
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`tauri-driver did not listen on port ${port} within ${timeoutMs} ms`);
}

/** PIDs of running processes whose executable is `binary`. */
export function appPids(binary) {
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/exe`) === binary) pids.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return pids;
}

/** All processes below `root`, from /proc (children before grandchildren). */
export function descendants(root) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // Gone.
    }
  }
  const found = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signalAll(pids, signal) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone already.
    }
  }
}

function isAlive(pid) {
  try {
    // A zombie still answers kill(0); /proc status tells.
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return !/^State:\s+Z/m.test(status);
  } catch {
    return false;
  }
}

/** The binary's log (stdout/stderr of tauri-driver, WebKitWebDriver and the app). */
export class Driver {
  constructor({ binary, env, logFile }) {
    this.binary = realpathSync(binary);
    this.env = env;
    this.logFile = logFile;
    this.log = "";
  }

  async start() {
    this.port = await freePort();
    this.nativePort = await freePort();
    const cli = path.join(repoRoot, "tests/e2e/tauri-driver.cjs");
    const logStream = createWriteStream(this.logFile, { flags: "a" });
    this.process = spawn(
      process.execPath,
      [cli, "--port", String(this.port), "--native-port", String(this.nativePort)],
      // Same process group as the run (tests/e2e/run.sh kills that group at the end).
      { env: this.env, stdio: ["ignore", "pipe", "pipe"] },
    );
    const collect = (chunk) => {
      const text = chunk.toString();
      this.log += text;
      if (this.log.length > 1_000_000) this.log = this.log.slice(-500_000);
      logStream.write(chunk);
    };
    this.process.stdout.on("data", collect);
    this.process.stderr.on("data", collect);
    this.exited = false;
    this.process.on("exit", () => {
      this.exited = true;
      logStream.end();
    });
    await waitForPort(this.port, 20_000, () => !this.exited);
  }

  /** Starts the app with `args` and returns a WebDriver session on its window. */
  async session(args, { attempts = 3, startTimeoutMs = 60_000 } = {}) {
    let lastError;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const before = new Set(appPids(this.binary));
      const started = Date.now();
      try {
        return await this.#attempt(args, before, startTimeoutMs);
      } catch (error) {
        lastError = error;
        const message = String(error?.message ?? error);
        // tauri-driver's proxy answers HTTP 500 with this text when WebKitWebDriver is not ready.
        const transient = /connection (reset|closed)/i.test(message);
        const early = Date.now() - started < 15_000;
        if (!(transient && early) || attempt === attempts) {
          // Without a session nothing after this can run: the runner stops here.
          error.noSession = true;
          throw error;
        }
        console.log(`  (session attempt ${attempt} hit tauri-driver's "${message.slice(0, 80)}"; retrying)`);
        this.killApps(before);
        await sleep(500);
      }
    }
    throw lastError;
  }

  async #attempt(args, before, startTimeoutMs) {
    let settled = false;
    const watchdog = new Promise((_, reject) => {
      const started = Date.now();
      let pid = null;
      const tick = () => {
        if (settled) return;
        if (this.exited) return reject(new Error("tauri-driver exited while starting the app"));
        if (pid === null) {
          pid = appPids(this.binary).find((p) => !before.has(p)) ?? null;
          if (pid === null && Date.now() - started > 20_000)
            return reject(new Error(`the app (${this.binary}) was not started within 20 s`));
        } else if (!isAlive(pid)) {
          return reject(new Error(`the app exited during start (pid ${pid}); see the log below`));
        }
        if (Date.now() - started > startTimeoutMs)
          return reject(new Error(`no WebDriver session within ${startTimeoutMs} ms`));
        setTimeout(tick, 200);
      };
      tick();
    });
    const creating = remote({
      hostname: "127.0.0.1",
      port: this.port,
      logLevel: "silent",
      connectionRetryCount: 0,
      connectionRetryTimeout: startTimeoutMs,
      capabilities: {
        "tauri:options": { application: this.binary, args },
        "wdio:enforceWebDriverClassic": true,
      },
    });
    try {
      const browser = await Promise.race([creating, watchdog]);
      return new Session(browser, this);
    } finally {
      settled = true;
      // A session that arrives after the watchdog fired is abandoned with the process group.
      creating.catch(() => {});
    }
  }

  /** Kills the app processes, except those in `keep`. */
  killApps(keep = new Set()) {
    for (const pid of appPids(this.binary).filter((p) => !keep.has(p))) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }

  /** Kills tauri-driver and everything it started (WebKitWebDriver, the app, WebKit helpers). */
  async stop() {
    if (!this.process?.pid) return;
    // One list for both signals: once tauri-driver is gone its children are re-parented.
    const tree = [this.process.pid, ...descendants(this.process.pid)];
    signalAll(tree, "SIGTERM");
    await sleep(500);
    signalAll(tree, "SIGKILL");
    this.killApps();
  }

  /** Synchronous, so it also works from a process "exit" handler. */
  killTree(signal) {
    if (this.process?.pid) signalAll([this.process.pid, ...descendants(this.process.pid)], signal);
  }

  logTail(lines = 40) {
    return this.log.trimEnd().split("\n").slice(-lines).join("\n");
  }
}

export class Session {
  constructor(browser, driver) {
    this.browser = browser;
    this.driver = driver;
    this.pids = appPids(driver.binary);
  }

  /** Fails as soon as the app process has died, instead of waiting for a WebDriver timeout. */
  assertAlive() {
    if (this.pids.length > 0 && !this.pids.some(isAlive))
      throw new Error("the app process died; see the log below");
  }

  $(testId) {
    return this.browser.$(`[data-testid="${testId}"]`);
  }

  $$(testId) {
    return this.browser.$$(`[data-testid="${testId}"]`);
  }

  async visible(testId, timeout = 15_000) {
    this.assertAlive();
    const element = this.$(testId);
    await element.waitForDisplayed({
      timeout,
      timeoutMsg: `[data-testid="${testId}"] was not shown within ${timeout} ms`,
    });
    return element;
  }

  async gone(testId, timeout = 10_000) {
    this.assertAlive();
    await this.$(testId).waitForDisplayed({
      timeout,
      reverse: true,
      timeoutMsg: `[data-testid="${testId}"] was still shown after ${timeout} ms`,
    });
  }

  /** Waits until `check()` returns a truthy value and returns it. */
  async until(check, message, timeout = 15_000) {
    let value;
    await this.browser.waitUntil(
      async () => {
        this.assertAlive();
        value = await check();
        return Boolean(value);
      },
      { timeout, interval: 150, timeoutMsg: message },
    );
    return value;
  }

  /** Types into a field after clearing it the way a person does (WebDriver "clear" fires no input event). */
  async type(testId, text) {
    const field = await this.visible(testId);
    await field.click();
    await this.browser.keys(["Control", "a"]);
    await this.browser.keys(["Backspace"]);
    if (text) await field.addValue(text);
  }

  /** The text of every element with this test id, in one round trip. */
  async texts(testId) {
    return this.browser.execute(
      (id) => [...document.querySelectorAll(`[data-testid="${id}"]`)].map((e) => e.textContent?.trim() ?? ""),
      testId,
    );
  }

  async count(testId) {
    return this.browser.execute((id) => document.querySelectorAll(`[data-testid="${id}"]`).length, testId);
  }

  /** Records, from inside the page every `everyMs`, each position the <progress> inside `testId`
   * shows (too quick a bar for WebDriver round trips). Resolves to `stop`, which ends the recording
   * and resolves to the positions seen and the distinct ones strictly between 0 and 1. */
  async watchProgress(testId, everyMs) {
    await this.browser.execute(
      (id, ms) => {
        const seen = [];
        window.__progressSeen = seen;
        window.__progressTimer = setInterval(() => {
          const bar = document.querySelector(`[data-testid="${id}"] progress`);
          if (bar && bar.position >= 0) seen.push(bar.position);
        }, ms);
      },
      testId,
      everyMs,
    );
    return async () => {
      const seen = await this.browser.execute(() => {
        clearInterval(window.__progressTimer);
        return window.__progressSeen;
      });
      return { seen, between: [...new Set(seen.filter((v) => v > 0 && v < 1))] };
    };
  }

  async end() {
    try {
      await this.browser.deleteSession();
    } catch {
      // The process group is killed at the end anyway.
    }
    // WebKitWebDriver closes the window; make sure the app is gone before the next launch.
    const deadline = Date.now() + 5_000;
    while (this.pids.some(isAlive) && Date.now() < deadline) await sleep(100);
    for (const pid of this.pids) {
      if (isAlive(pid)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Gone.
        }
      }
    }
  }
}

/** Runs the named tests in order and prints `N passed, N failed`. */
export async function runTests(tests, { driver, onFailure }) {
  let passed = 0;
  let failed = 0;
  let fatal = null;
  for (const [name, body] of tests) {
    if (fatal) {
      failed++;
      console.log(`not ok - ${name} (not run: ${fatal})`);
      continue;
    }
    const started = Date.now();
    try {
      await body();
      passed++;
      console.log(`ok - ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed++;
      console.log(`not ok - ${name} (${Date.now() - started} ms)\n  ${String(error?.stack ?? error).split("\n").slice(0, 6).join("\n  ")}`);
      if (onFailure) await onFailure(name).catch(() => {});
      if (driver.exited) fatal = "tauri-driver is gone";
      else if (error?.noSession || /app process died/.test(String(error?.message)))
        fatal = "the app could not be driven";
    }
  }
  return { passed, failed };
}
