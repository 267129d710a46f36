// Signing in with OAuth2 from Settings → Email (issue 16), against the local authorization server
// (tests/servers/oauth_server.py) and an SMTP server that checks XOAUTH2 tokens with it. The
// person's browser is played by tests/servers/browser.py as $BROWSER: it approves and follows the
// redirect back to the app's loopback listener. The account is set up and first signed in with
// Microsoft by the CLI, the local server standing in for Microsoft's sign-in address
// (`--authority`, which a national cloud also uses); the app shows it signed in, signs out, signs
// in again with the "Sign in with Microsoft" button through the browser, tests the connection
// over XOAUTH2 and sends a test email.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./harness.mjs";
import { launchApp, startOAuthServer, startSmtpServer, testService } from "./support.mjs";

const USER = "ar@northwind.example";

/**
 * @param {object} ctx
 * @param {string} ctx.binary
 * @param {Record<string, string>} ctx.env
 * @param {string} ctx.artifacts
 * @param {string} ctx.scratch
 * @param {(c: any, m: string) => void} ctx.assert
 * @param {(file: string) => void} ctx.screenshot
 */
export function signInTests({ binary, env, artifacts, scratch, assert, screenshot }) {
  const dir = path.join(scratch, "sign-in");
  const db = path.join(dir, "duebook.sqlite");
  const inbox = path.join(dir, "received");
  const cli = path.join(repoRoot, "target/debug/duebook");

  /** The account on `smtpPort`, signed in with Microsoft by the CLI, the server on `oauthPort` as Microsoft. */
  function signedInWithCli(appEnv, smtpPort, oauthPort) {
    const server = ["--host", "127.0.0.1", "--port", String(smtpPort), "--security", "starttls"];
    execFileSync(cli, ["--db", db, "account", "set", "--from", USER, "--name", "E2E", ...server, "--no-password"], { env: appEnv });
    const microsoft = ["--provider", "microsoft", "--client-id", "duebook-e2e", "--authority", `http://127.0.0.1:${oauthPort}`];
    execFileSync(cli, ["--db", db, "account", "login", ...microsoft, "--wait", "30"], { env: appEnv, stdio: "ignore" });
  }

  return [
    [
      "Settings: signed in with Microsoft, sign out, Sign in with Microsoft in the browser, test and send over XOAUTH2",
      async () => {
        mkdirSync(dir, { recursive: true });
        const oauth = startOAuthServer(path.join(dir, "oauth"));
        const oauthPort = await oauth.port;
        const introspect = ["--introspect", `http://127.0.0.1:${oauthPort}/introspect`];
        const smtp = startSmtpServer({ dir: inbox, user: USER, password: "not-used", extra: introspect });
        const appEnv = { ...env, BROWSER: testService("DUEBOOK_TEST_BROWSER"), DUEBOOK_SMTP_CA_FILE: testService("DUEBOOK_TEST_CERT") };
        let driver = null;
        let session = null;
        try {
          signedInWithCli(appEnv, await smtp.port, oauthPort);
          ({ driver, session } = await launchApp({ binary, env: appEnv, artifacts, db }));
          const signedIn = async (want) =>
            session.until(
              async () => (await session.$("sign-in-state").getAttribute("data-signed-in").catch(() => null)) === want || null,
              `Settings never showed signed-in = ${want}`,
              40_000,
            );
          await (await session.visible("topbar-settings")).click();
          await session.visible("settings-email");
          await signedIn("true");
          await (await session.visible("sign-out")).click();
          await signedIn("false");
          await (await session.visible("sign-in-microsoft")).click();
          await signedIn("true");
          const state = await (await session.visible("sign-in-state")).getText();
          assert(/Signed in with Microsoft/.test(state), `the panel does not say Microsoft: ${state}`);
          screenshot(path.join(artifacts, "email-signed-in.png"));
          await (await session.visible("account-test")).click();
          const result = await session.visible("account-test-result", 30_000);
          const text = await result.getText();
          assert((await result.getAttribute("data-ok")) === "true", `the connection test failed: ${text}`);
          assert(/OAuth2 \(XOAUTH2\)/.test(text), `the test does not say it logged in with OAuth2: ${text}`);
          await (await session.visible("account-send-test")).click();
          await session.until(
            () => existsSync(inbox) && readdirSync(inbox).some((f) => f.endsWith(".json")),
            "the test email sent over XOAUTH2 never reached the server",
            30_000,
          );
        } catch (error) {
          if (session) screenshot(path.join(artifacts, "sign-in-failure.png"));
          throw error;
        } finally {
          await session?.end().catch(() => {});
          await driver?.stop();
          oauth.child.kill();
          smtp.child.kill();
        }
      },
    ],
  ];
}
