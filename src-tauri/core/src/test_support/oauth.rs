//! The local OAuth2 authorization server (tests/servers/oauth_server.py, standing in for
//! Microsoft and Google, and for Graph and the Gmail API) and a stand-in for the person's
//! browser that follows its redirects.

use super::mail::{mailer_options, queue_reminder, required_env, setup, Setup, SmtpServer, USER};
use crate::mail::account;
use crate::mail::oauth::{
    begin_sign_in, OAuthError, OAuthSettings, Provider, SendVia, TokenSource,
};
use crate::mail::outbox::{self, DeliveryReport, RetryPolicy};
use crate::mail::security::Security;
use crate::mail::transport::AccountMailer;
use crate::secrets::{KeychainStore, Password, SecretStore};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// The scopes the tests ask for (Microsoft's, so a refresh token is issued).
pub const SCOPES: &[&str] = &["https://outlook.office.com/SMTP.Send", "offline_access"];

/// A running authorization server; killed on drop.
pub struct OAuthServer {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl OAuthServer {
    pub fn start(dir: &Path) -> OAuthServer {
        OAuthServer::start_with(dir, &[])
    }

    /// With extra arguments: `--access-ttl SECONDS`, `--deny`, `--user EMAIL`,
    /// `--client-secret SECRET`.
    pub fn start_with(dir: &Path, extra: &[&str]) -> OAuthServer {
        std::fs::create_dir_all(dir).expect("server dir");
        let mut child = Command::new(required_env("DUEBOOK_TEST_PYTHON"))
            .arg(required_env("DUEBOOK_TEST_OAUTH_SCRIPT"))
            .arg("--dir")
            .arg(dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the OAuth test server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("ready line");
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the OAuth test server did not start: {line:?}"));
        OAuthServer {
            child,
            port,
            dir: dir.to_path_buf(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// A custom provider pointing at this server.
    pub fn settings(&self) -> OAuthSettings {
        OAuthSettings {
            provider: Provider::Custom,
            client_id: "duebook-test-client".into(),
            tenant: None,
            authority: None,
            auth_url: Some(self.url("/authorize")),
            token_url: Some(self.url("/token")),
            scopes: SCOPES.iter().map(|s| (*s).to_string()).collect(),
            send_via: SendVia::Smtp,
            api_url: None,
        }
    }

    /// A custom provider pointing at this server that sends through its Microsoft Graph
    /// stand-in (`/v1.0/me/sendMail`), with Graph's scope.
    pub fn graph_settings(&self) -> OAuthSettings {
        OAuthSettings {
            scopes: vec![
                "https://graph.microsoft.com/Mail.Send".into(),
                "offline_access".into(),
            ],
            send_via: SendVia::MicrosoftGraph,
            api_url: Some(self.url("/v1.0")),
            ..self.settings()
        }
    }

    /// A custom provider pointing at this server that sends through its Gmail API stand-in
    /// (`/upload/gmail/v1/users/me/messages/send`), with the Gmail API's scope.
    pub fn gmail_settings(&self) -> OAuthSettings {
        OAuthSettings {
            scopes: vec![
                "https://www.googleapis.com/auth/gmail.send".into(),
                "offline_access".into(),
            ],
            send_via: SendVia::GmailApi,
            api_url: Some(self.url("")),
            ..self.settings()
        }
    }

    /// The messages its Graph stand-in accepted (the MIME bytes as posted), oldest first.
    pub fn graph_messages(&self) -> Vec<String> {
        self.api_messages("graph")
    }

    /// The messages its Gmail API stand-in accepted (the bytes as uploaded), oldest first.
    pub fn gmail_messages(&self) -> Vec<String> {
        self.api_messages("gmail")
    }

    fn api_messages(&self, api: &str) -> Vec<String> {
        let dir = self.dir.join(api);
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        names.sort();
        names
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("read"))
            .collect()
    }

    /// Every access token it issued stops working now.
    pub fn expire_access_tokens(&self) {
        self.admin("/admin/expire");
    }

    /// Every refresh token is revoked; with `code`, the next refresh fails with AADSTS`code`.
    pub fn revoke(&self, code: Option<u32>) {
        let query = code.map(|c| format!("?error={c}")).unwrap_or_default();
        self.admin(&format!("/admin/revoke{query}"));
    }

    /// The next Graph send is answered with `status` (and Retry-After: 1).
    pub fn fail_next_graph_send(&self, status: u16) {
        self.fail_next_api_send(status, "backendError");
    }

    /// The next Graph or Gmail send is answered with `status`, Google's `reason` and
    /// Retry-After: 1.
    pub fn fail_next_api_send(&self, status: u16, reason: &str) {
        self.admin(&format!("/admin/api-fail?status={status}&reason={reason}"));
    }

    fn admin(&self, path: &str) {
        let url = self.url(path);
        let status = std::thread::spawn(move || {
            tokio::runtime::Runtime::new()
                .expect("runtime")
                .block_on(async {
                    let client = crate::mail::oauth::http::client().expect("client");
                    client.post(url).send().await.map(|r| r.status())
                })
        })
        .join()
        .expect("admin thread")
        .expect("admin request");
        assert!(status.is_success(), "{path}: {status}");
    }

    /// The token requests so far, oldest first: "authorization_code ok", "refresh_token invalid_grant".
    pub fn token_requests(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("token-requests"))
            .map(|s| s.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// Every token it issued (access and refresh), to check none was written elsewhere.
    pub fn issued_tokens(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("issued-tokens"))
            .map(|s| s.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// An SMTP server (implicit TLS when asked) that checks XOAUTH2 tokens with this server.
    pub fn smtp_server(&self, dir: &Path, implicit_tls: bool) -> SmtpServer {
        self.spawn_smtp("accept", dir, implicit_tls)
    }

    /// Like [`OAuthServer::smtp_server`] (STARTTLS), misbehaving as `mode` says (smtp_server.py).
    pub fn smtp_server_in_mode(&self, mode: &str, dir: &Path) -> SmtpServer {
        self.spawn_smtp(mode, dir, false)
    }

    fn spawn_smtp(&self, mode: &str, dir: &Path, implicit_tls: bool) -> SmtpServer {
        let extra = ["--introspect".to_string(), self.url("/introspect")];
        SmtpServer::spawn(mode, dir, (implicit_tls, super::mail::USER, 0), &extra)
    }
}

impl Drop for OAuthServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Plays the person's browser: opens `url`, lets the provider approve, and follows its redirect
/// back to Duebook's loopback listener. Returns the page the loopback showed.
pub async fn follow_in_browser(url: &str) -> String {
    // Duebook's own client follows no redirects, so each step is seen.
    let browser = crate::mail::oauth::http::client().expect("client");
    let approval = browser.get(url).send().await.expect("authorize");
    let back = approval
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_else(|| {
            panic!(
                "no redirect from the authorization server: {}",
                approval.status()
            )
        })
        .to_string();
    browser
        .get(back)
        .send()
        .await
        .expect("loopback")
        .text()
        .await
        .expect("page")
}

/// A keychain of the real Secret Service (scripts/with-test-services.sh starts one) under a
/// service name of this test's own.
pub fn test_keychain() -> KeychainStore {
    KeychainStore::check_available().unwrap_or_else(|e| {
        panic!("no keychain ({e}): run the tests through scripts/with-test-services.sh")
    });
    KeychainStore::new(&format!(
        "app.duebook.desktop.oauth-test-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ))
}

/// Signs `mailbox` in with `settings`, the browser played by [`follow_in_browser`]; the refresh
/// token goes to `secrets`.
pub async fn sign_in_through_browser(
    settings: &OAuthSettings,
    mailbox: &str,
    secrets: impl SecretStore + 'static,
) -> TokenSource {
    sign_in_with_secret(settings, None, mailbox, secrets)
        .await
        .expect("signed in")
}

/// [`sign_in_through_browser`] with the registered app's client secret; Err: what finishing
/// the sign-in said.
pub async fn sign_in_with_secret(
    settings: &OAuthSettings,
    client_secret: Option<&str>,
    mailbox: &str,
    secrets: impl SecretStore + 'static,
) -> Result<TokenSource, OAuthError> {
    let pending = begin_sign_in(settings, Some(mailbox))
        .await
        .expect("begin the sign-in")
        .with_client_secret(client_secret.map(Password::new));
    let url = pending.url().to_string();
    let browser = tokio::spawn(async move { follow_in_browser(&url).await });
    let source = pending
        .finish(Duration::from_secs(20), mailbox, secrets)
        .await;
    let page = browser.await.expect("the browser");
    assert!(page.contains("Duebook is signed in"), "{page}");
    source
}

/// A database whose account is signed in at a local authorization server and sends the way its
/// settings chose (Graph, the Gmail API), with one reminder queued.
pub struct SignedInAccount {
    pub s: Setup,
    pub server: OAuthServer,
    pub mailer: AccountMailer,
    /// The queued reminder.
    pub message: i64,
}

impl SignedInAccount {
    /// The server started with `extra` arguments; `settings` picks the way out
    /// ([`OAuthServer::graph_settings`], [`OAuthServer::gmail_settings`]).
    pub async fn start(extra: &[&str], settings: fn(&OAuthServer) -> OAuthSettings) -> Self {
        let s = setup(2525, Security::StartTls);
        let server = OAuthServer::start_with(&s.dir.path().join("oauth"), extra);
        let settings = settings(&server);
        let keychain = test_keychain();
        sign_in_through_browser(&settings, USER, keychain.clone()).await;
        let stored = account::use_oauth(s.db.conn(), settings.clone()).expect("use the sign-in");
        let tokens = Arc::new(TokenSource::new(settings, USER, keychain));
        let mailer =
            crate::mail::signed_in_mailer(&stored, tokens, mailer_options()).expect("mailer");
        let message = queue_reminder(&s, Vec::new());
        SignedInAccount {
            s,
            server,
            mailer,
            message,
        }
    }

    /// Hands the queued messages to the mailer, as a delivery run does.
    pub async fn deliver(&mut self) -> DeliveryReport {
        outbox::deliver(
            self.s.db.conn_mut(),
            &self.mailer,
            None,
            &RetryPolicy::default(),
        )
        .await
        .expect("deliver")
    }

    /// How many refreshes the server granted.
    pub fn refreshes(&self) -> usize {
        (self.server.token_requests().iter())
            .filter(|r| *r == "refresh_token ok")
            .count()
    }
}
