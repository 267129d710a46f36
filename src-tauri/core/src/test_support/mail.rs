//! Helpers for the mail tests: a seeded database, and the real test services that
//! `scripts/with-test-services.sh` provides (aiosmtpd with STARTTLS and AUTH, gnome-keyring).
//! Missing services make the tests fail, never skip.

pub use super::temp_db;
use crate::company::{self, CompanyProfile, Remittance};
use crate::mail::account::{self, AccountSettings};
use crate::mail::compose::{self, SendRequest};
use crate::mail::outbox;
use crate::mail::security::Security;
use crate::mail::smtp::{MailerOptions, Timeouts};
use crate::mail::transport::AccountMailer;
use crate::model::{Currency, InvoiceKind, Money, NewContact, NewCustomer, NewInvoice};
use crate::secrets::{MemoryStore, Password};
use crate::store::Database;
use crate::{store::contacts, store::customers, store::derived, store::invoices};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "s3cret-Pa55word-xyzzy";
pub const USER: &str = "ar@northwind.example";

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 15).expect("date")
}

pub fn money(minor: i64, code: &str) -> Money {
    Money::new(minor, Currency::parse(code).expect("currency"))
}

/// Adds Jordan Smith as the billing contact of `customer_id`.
pub fn billing_contact(db: &Database, customer_id: i64, email: Option<&str>, phone: Option<&str>) {
    contacts::insert(
        db.conn(),
        customer_id,
        &NewContact {
            name: Some("Jordan Smith".into()),
            email: email.map(String::from),
            phone: phone.map(String::from),
            is_billing: true,
            ..NewContact::default()
        },
    )
    .expect("contact");
}

/// A customer with a billing contact and two open invoices (one overdue); returns its id.
pub fn seed_customer(db: &Database, name: &str, email: &str) -> i64 {
    let conn = db.conn();
    let id = customers::insert(conn, &NewCustomer::named(name)).expect("customer");
    billing_contact(db, id, Some(email), None);
    for (number, due, minor) in [
        ("INV-2001", "2026-03-01", 123450),
        ("INV-2002", "2026-05-01", 9900),
    ] {
        let due: NaiveDate = due.parse().expect("date");
        invoices::insert(
            conn,
            &NewInvoice {
                customer_id: id,
                kind: InvoiceKind::Invoice,
                number: format!("{number}-{id}"),
                issue_date: due - chrono::Days::new(30),
                due_date: due,
                total: money(minor, "EUR"),
                source: "manual".into(),
            },
        )
        .expect("invoice");
    }
    derived::refresh_customers(conn, &[id]).expect("refresh");
    id
}

pub fn seed_company(db: &Database) {
    company::save(
        db.conn(),
        &CompanyProfile {
            name: "Northwind Supplies Ltd".into(),
            signature: "Dana Ortiz\nAccounts Receivable".into(),
            remittance: Remittance {
                bank_name: "Example Bank".into(),
                account_number: "GB33BUKB20201555555555".into(),
                bank_code: "BUKBGB22".into(),
                reference_format: "{{ invoice.number }}".into(),
                ..Remittance::default()
            },
            payment_link_pattern: "https://pay.example.com/{{ invoice.number }}".into(),
            ..CompanyProfile::default()
        },
    )
    .expect("company");
}

pub fn account(port: u16, security: Security) -> AccountSettings {
    AccountSettings {
        sender_name: "Northwind Accounts".into(),
        from_address: USER.into(),
        reply_to: Some("billing@northwind.example".into()),
        host: "localhost".into(),
        port,
        security,
        username: USER.into(),
        limits: None,
        auth: Default::default(),
        imap: None,
    }
}

/// Fails the test with a pointer to the script when a service variable is missing.
/// Trusts the test server's certificate; timeouts short enough for a test, long enough for CI.
pub fn mailer_options() -> MailerOptions {
    MailerOptions {
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            command: Duration::from_secs(10),
            data: Duration::from_secs(10),
        },
        extra_roots_pem: vec![cert_pem()],
        hello_name: Some("duebook.test".into()),
        ..MailerOptions::default()
    }
}

pub fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the tests through scripts/with-test-services.sh (the Makefile does)")
    })
}

pub fn cert_pem() -> Vec<u8> {
    std::fs::read(required_env("DUEBOOK_TEST_CERT")).expect("read test certificate")
}

/// A running aiosmtpd (tests/servers/smtp_server.py); killed on drop.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl SmtpServer {
    /// Starts the server in `mode` (accept, auth-fail, 451-then-250, 550, die-mid-data,
    /// hang-after-data); received messages land in `dir` as N.eml + N.json.
    pub fn start(mode: &str, dir: &Path) -> SmtpServer {
        SmtpServer::start_with(mode, dir, false)
    }

    pub fn start_with(mode: &str, dir: &Path, implicit_tls: bool) -> SmtpServer {
        SmtpServer::start_for(mode, dir, implicit_tls, USER)
    }

    /// A server that accepts the login `user` (with [`PASSWORD`]).
    pub fn start_for(mode: &str, dir: &Path, implicit_tls: bool, user: &str) -> SmtpServer {
        SmtpServer::start_on(mode, dir, implicit_tls, user, 0)
    }

    /// A STARTTLS server on `port` (0: any free port), e.g. one brought back after an outage.
    pub fn start_on(
        mode: &str,
        dir: &Path,
        implicit_tls: bool,
        user: &str,
        port: u16,
    ) -> SmtpServer {
        SmtpServer::spawn(mode, dir, (implicit_tls, user, port), &[])
    }

    /// An accepting STARTTLS server with a provider's limits: past `daily_limit` messages a
    /// day (the day the test writes with [`SmtpServer::set_day`]) Gmail's 550 5.4.5, and
    /// 421 4.7.0 "try again in 1 second" to the first `throttle_first` messages.
    pub fn start_limited(dir: &Path, daily_limit: u32, throttle_first: u32) -> SmtpServer {
        let extra = [
            "--daily-limit".to_string(),
            daily_limit.to_string(),
            "--throttle-first".to_string(),
            throttle_first.to_string(),
        ];
        SmtpServer::spawn("accept", dir, (false, USER, 0), &extra)
    }

    /// The day the server counts its daily limit on (a simulated date).
    pub fn set_day(&self, day: NaiveDate) {
        std::fs::write(self.dir.join("day"), day.to_string()).expect("write the day");
    }

    /// Per day (see [`SmtpServer::set_day`]), the message bodies handed over, taken or not.
    pub fn data_by_day(&self) -> BTreeMap<String, u32> {
        let mut by = BTreeMap::new();
        for day in std::fs::read_to_string(self.dir.join("data-count"))
            .unwrap_or_default()
            .lines()
        {
            *by.entry(day.to_string()).or_default() += 1;
        }
        by
    }

    /// The Message-IDs the server refused in a listing file ("throttled", "over-quota").
    pub fn refused(&self, listing: &str) -> Vec<String> {
        std::fs::read_to_string(self.dir.join(listing))
            .map(|s| s.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// A server in `mode` with extra command-line arguments (see tests/servers/smtp_server.py).
    pub fn spawn(
        mode: &str,
        dir: &Path,
        (implicit_tls, user, port): (bool, &str, u16),
        extra: &[String],
    ) -> SmtpServer {
        let python = required_env("DUEBOOK_TEST_PYTHON");
        let script = required_env("DUEBOOK_TEST_SMTP_SCRIPT");
        std::fs::create_dir_all(dir).expect("server dir");
        let mut cmd = Command::new(python);
        cmd.arg(script)
            .args(["--mode", mode])
            .args(["--cert", &required_env("DUEBOOK_TEST_CERT")])
            .args(["--key", &required_env("DUEBOOK_TEST_KEY")])
            .args(["--user", user, "--password", PASSWORD])
            .args(["--port", &port.to_string()])
            .arg("--dir")
            .arg(dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if implicit_tls {
            cmd.arg("--implicit-tls");
        }
        let mut child = cmd.spawn().expect("start aiosmtpd");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("server ready line");
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP test server did not start: {line:?}"));
        SmtpServer {
            child,
            port,
            dir: dir.to_path_buf(),
        }
    }

    /// Waits until the process has ended (modes that die on purpose).
    pub fn wait_dead(&mut self) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the SMTP test server did not stop");
    }

    /// Received messages, as the server parsed them (oldest first).
    pub fn received(&self) -> Vec<serde_json::Value> {
        received(&self.dir)
    }

    /// How many logins were tried (AUTH commands that reached the authenticator).
    pub fn auth_count(&self) -> usize {
        std::fs::read_to_string(self.dir.join("auth-count"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }

    /// How many DATA commands reached the end of the message body (accepted or not).
    pub fn data_count(&self) -> usize {
        std::fs::read_to_string(self.dir.join("data-count"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }
}

pub fn received(dir: &Path) -> Vec<serde_json::Value> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p: &PathBuf| p.extension().is_some_and(|e| e == "json"));
    files.sort_by_key(|p| {
        p.file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(0)
    });
    files
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json"))
        .collect()
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every file under `dir` whose bytes contain `needle` (the database, its WAL, logs ...).
pub fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    hits.push(path);
                }
            }
        }
    }
    hits
}

/// A database with a company, one customer and the test account (password in memory).
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub db: Database,
    pub customer: i64,
    pub secrets: MemoryStore,
}

pub fn setup(port: u16, security: Security) -> Setup {
    setup_for(
        port,
        security,
        "Acme <script>alert(1)</script> Ltd",
        "ap@acme.example",
    )
}

/// As [`setup`], for a customer of another name and address.
pub fn setup_for(port: u16, security: Security, name: &str, email: &str) -> Setup {
    let (dir, db) = temp_db();
    seed_company(&db);
    let customer = seed_customer(&db, name, email);
    let secrets = MemoryStore::new();
    save_account(&db, &secrets, port, security);
    Setup {
        dir,
        db,
        customer,
        secrets,
    }
}

/// Saves [`account`] with [`PASSWORD`] in `secrets`.
pub fn save_account(db: &Database, secrets: &MemoryStore, port: u16, security: Security) {
    account::save(
        db.conn(),
        secrets,
        &account(port, security),
        Some(&Password::new(PASSWORD)),
    )
    .expect("save account");
}

/// A request to send template `key` to `customer_id` with `attachments`.
pub fn send_request(customer_id: i64, key: &str, attachments: Vec<PathBuf>) -> SendRequest {
    SendRequest {
        customer_id,
        template_key: key.into(),
        attachments,
    }
}

pub fn queue_reminder(s: &Setup, attachments: Vec<PathBuf>) -> i64 {
    let request = send_request(s.customer, "overdue-1", attachments);
    let prepared = compose::prepare(s.db.conn(), &request, today()).expect("prepare");
    outbox::enqueue_prepared(s.db.conn(), &prepared, None).expect("enqueue")
}

pub fn mailer(s: &Setup) -> AccountMailer {
    crate::mail::mailer_for_account(s.db.conn(), &s.secrets, mailer_options()).expect("mailer")
}
