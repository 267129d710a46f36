//! The IMAP test server: real Dovecot, started by tests/servers/imap_server.py (path in
//! `DUEBOOK_TEST_IMAP_SCRIPT`, set by scripts/with-test-services.sh), with the user [`USER`] and
//! [`IMAP_PASSWORD`], STARTTLS and implicit TLS ports, the test certificate, and XOAUTH2 checked
//! at an OAuth test server when one is given.

use super::mail::{required_env, setup_for, Setup, USER};
use crate::mail::account::{self, ImapSettings};
use crate::mail::security::Security;
use crate::secrets::Password;
use chrono::{DateTime, FixedOffset};
use futures_util::TryStreamExt;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

type TestSession = async_imap::Session<tokio::net::TcpStream>;

/// The IMAP password of the test user (not the SMTP one, so a test sees which was used).
pub const IMAP_PASSWORD: &str = "imap-Pa55word-quux";

/// Acme's books whose account reads `server`'s mailbox over STARTTLS, the IMAP password in the
/// setup's keychain; sent reminders saved to the Sent folder when `save_sent`.
pub fn reading(server: &ImapServer, save_sent: bool) -> Setup {
    let s = setup_for(2525, Security::None, "Acme Ltd", "jordan@acme.example");
    let mut settings = account::require(s.db.conn()).expect("the account");
    let imap = ImapSettings {
        host: "localhost".into(),
        port: server.port,
        security: Security::StartTls,
        username: None,
        save_sent,
    };
    settings.imap = Some(imap.clone());
    account::save(s.db.conn(), &s.secrets, &settings, None).expect("save the account");
    account::save_imap_password(&settings, &imap, &s.secrets, &Password::new(IMAP_PASSWORD))
        .expect("store the IMAP password");
    s
}

/// A message of a folder, as [`ImapServer::messages`] found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderMessage {
    pub message_id: String,
    pub seen: bool,
    pub internal_date: Option<DateTime<FixedOffset>>,
}

impl FolderMessage {
    fn of(fetch: &async_imap::types::Fetch) -> FolderMessage {
        let id = fetch.envelope().and_then(|e| e.message_id.as_deref());
        FolderMessage {
            message_id: String::from_utf8_lossy(id.unwrap_or_default()).into_owned(),
            seen: fetch.flags().any(|f| f == async_imap::types::Flag::Seen),
            internal_date: fetch.internal_date(),
        }
    }
}

/// A running Dovecot; stopped, with every process it started, on drop.
pub struct ImapServer {
    child: Child,
    /// Closing it tells the launcher to stop Dovecot.
    stdin: Option<ChildStdin>,
    /// STARTTLS (plain LOGIN also allowed before it, on 127.0.0.1).
    pub port: u16,
    /// Implicit TLS.
    pub tls_port: u16,
    pub dir: PathBuf,
}

impl ImapServer {
    /// Starts Dovecot with its files (log) in `dir`; `introspect_url`: the OAuth test server's
    /// `/introspect`, which turns XOAUTH2 on.
    pub fn start(dir: &Path, introspect_url: Option<&str>) -> ImapServer {
        std::fs::create_dir_all(dir).expect("server dir");
        let mut cmd = Command::new(required_env("DUEBOOK_TEST_PYTHON"));
        cmd.arg(required_env("DUEBOOK_TEST_IMAP_SCRIPT"))
            .arg("--dir")
            .arg(dir)
            .args(["--cert", &required_env("DUEBOOK_TEST_CERT")])
            .args(["--key", &required_env("DUEBOOK_TEST_KEY")])
            .args(["--user", USER, "--password", IMAP_PASSWORD])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            // Its own process group, so drop can end Dovecot's children too.
            .process_group(0);
        if let Some(url) = introspect_url {
            cmd.args(["--introspect", url]);
        }
        let mut child = cmd.spawn().expect("start the IMAP test server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("ready line");
        let ports: Vec<u16> = line
            .trim()
            .strip_prefix("READY ")
            .map(|p| p.split(' ').filter_map(|n| n.parse().ok()).collect())
            .unwrap_or_default();
        let [port, tls_port] = ports[..] else {
            panic!("the IMAP test server did not start (is dovecot-imapd installed? scripts/install-deps.sh): {line:?}");
        };
        ImapServer {
            stdin: child.stdin.take(),
            child,
            port,
            tls_port,
            dir: dir.to_path_buf(),
        }
    }

    /// Puts `raw` (a whole message) into the user's `folder` by IMAP APPEND, as a mail client
    /// or a delivery would.
    pub fn append(&self, folder: &str, raw: &[u8]) {
        self.append_all(folder, vec![(raw.to_vec(), None)]);
    }

    /// APPENDs each message to `folder` on one connection, with its internal date (the day
    /// it arrived, e.g. "01-Jan-2020 10:00:00 +0000") when one is given.
    pub fn append_all(&self, folder: &str, messages: Vec<(Vec<u8>, Option<String>)>) {
        let folder = folder.to_string();
        self.session(move |mut session| async move {
            for (raw, date) in &messages {
                let date = date.as_ref().map(|d| format!("\"{d}\""));
                session.append(&folder, None, date.as_deref(), raw).await?;
            }
            session.logout().await
        });
    }

    /// The UIDs of `folder`'s messages flagged `\Seen` (looked at read-only).
    pub fn seen(&self, folder: &str) -> Vec<u32> {
        let folder = folder.to_string();
        let mut seen: Vec<u32> = self
            .session(move |mut session| async move {
                session.examine(&folder).await?;
                let seen = session.uid_search("SEEN").await?;
                session.logout().await?;
                Ok(seen)
            })
            .into_iter()
            .collect();
        seen.sort_unstable();
        seen
    }

    /// Every message of `folder` (looked at read-only): its Message-ID, whether it is flagged
    /// `\Seen`, and its internal date.
    pub fn messages(&self, folder: &str) -> Vec<FolderMessage> {
        let folder = folder.to_string();
        self.session(move |mut session| async move {
            let mailbox = session.examine(&folder).await?;
            if mailbox.exists == 0 {
                session.logout().await?;
                return Ok(Vec::new());
            }
            let fetched: Vec<_> = session
                .fetch("1:*", "(ENVELOPE FLAGS INTERNALDATE)")
                .await?
                .try_collect()
                .await?;
            session.logout().await?;
            Ok(fetched.iter().map(FolderMessage::of).collect())
        })
    }

    /// Gives `folder` a new UIDVALIDITY, as a server does when it rebuilds a folder's index:
    /// every UID the client knew is void (Dovecot's `doveadm mailbox update`).
    pub fn change_uid_validity(&self, folder: &str, uid_validity: u32) {
        let state = std::fs::read_to_string(self.dir.join("state-dir")).expect("state-dir");
        let status = Command::new("doveadm")
            .arg("-c")
            .arg(Path::new(state.trim()).join("dovecot.conf"))
            .args(["mailbox", "update", "-u", USER, "--uid-validity"])
            .arg(uid_validity.to_string())
            .arg(folder)
            .status()
            .expect("run doveadm");
        assert!(status.success(), "doveadm mailbox update: {status}");
    }

    /// Runs `work` on a session logged in as the test user, on a thread of its own (the tests
    /// calling it may already be inside a runtime).
    fn session<T, F>(&self, work: impl FnOnce(TestSession) -> F + Send + 'static) -> T
    where
        T: Send + 'static,
        F: std::future::Future<Output = async_imap::error::Result<T>>,
    {
        let port = self.port;
        std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().expect("runtime");
            let talk = async {
                let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
                let mut client = async_imap::Client::new(tcp);
                client.read_response().await?;
                let session = client
                    .login(USER, IMAP_PASSWORD)
                    .await
                    .map_err(|(e, _)| e)?;
                work(session).await
            };
            rt.block_on(async { tokio::time::timeout(Duration::from_secs(300), talk).await })
                .expect("the IMAP test server did not answer within 5 minutes")
        })
        .join()
        .expect("IMAP thread")
        .expect("IMAP session")
    }

    /// Dovecot's log so far (copied into `dir` when it stops).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        // EOF on its standard input: the launcher stops Dovecot and removes its files.
        drop(self.stdin.take());
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Still there: end the whole group (the launcher and every Dovecot process).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}
