//! Sending through a real SMTP server (aiosmtpd on 127.0.0.1 with STARTTLS and AUTH, started by
//! each test): headers and parts as received, login failures, 4xx retries, 5xx failures, a
//! server that dies mid-DATA, and connection errors. Run through scripts/with-test-services.sh.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::mail::account::{self, AccountError, AccountSettings};
use duebook_core::mail::outbox::{self, DeliveryReport, MessageState, OutboxMessage, RetryPolicy};
use duebook_core::mail::security::Security;
use duebook_core::mail::smtp::{MailError, MailerOptions, SmtpMailer};
use duebook_core::mail::transport::AccountMailer;
use duebook_core::mail::{self, smtp::Stage};
use duebook_core::secrets::{KeychainStore, MemoryStore, Password, SecretStore};
use duebook_core::store::Database;
use duebook_core::test_support::mail::*;
use std::time::Duration;

fn quick() -> RetryPolicy {
    RetryPolicy {
        backoffs: vec![Duration::from_millis(200), Duration::from_millis(400)],
        wait_in_run: Duration::from_secs(1),
        concurrency: 2,
        sending_day: None,
    }
}

/// Runs the outbox once through `m` with the [`quick`] retry policy.
async fn deliver_once(db: &mut Database, m: &AccountMailer) -> DeliveryReport {
    outbox::deliver(db.conn_mut(), m, None, &quick())
        .await
        .unwrap()
}

/// The outbox row of message `id`.
fn message(db: &Database, id: i64) -> OutboxMessage {
    outbox::get(db.conn(), id).unwrap()
}

/// A test server answering as `mode` (STARTTLS), a database set up to send through it, and one
/// reminder queued there.
fn reminder_queued_for(mode: &str) -> (tempfile::TempDir, SmtpServer, Setup, i64) {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(mode, &tmp.path().join("srv"));
    let s = setup(server.port, Security::StartTls);
    let id = queue_reminder(&s, vec![]);
    (tmp, server, s, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_arrives_with_our_headers_parts_and_attachment() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("accept", &tmp.path().join("srv"));
    let mut s = setup(server.port, Security::StartTls);
    // The real keychain for this one: the password never touches the database.
    let keychain = KeychainStore::new(&format!("app.duebook.desktop.test-{}", std::process::id()));
    account::save(
        s.db.conn(),
        &keychain,
        &account(server.port, Security::StartTls),
        Some(&Password::new(PASSWORD)),
    )
    .unwrap();
    let attachment = s.dir.path().join("INV-2001 copy.pdf");
    let bytes: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&attachment, &bytes).unwrap();
    let id = queue_reminder(&s, vec![attachment]);
    let queued = message(&s.db, id);
    let message_id = queued
        .rfc_message_id
        .clone()
        .expect("Message-ID stored before sending");

    let m = mail::mailer_for_account(s.db.conn(), &keychain, mailer_options()).unwrap();
    let report = deliver_once(&mut s.db, &m).await;
    assert_eq!(report.sent, vec![id]);
    let sent = message(&s.db, id);
    assert_eq!(sent.state, MessageState::Sent);
    assert_eq!(sent.attempts, 1);
    assert!(
        sent.server_reply
            .as_deref()
            .unwrap_or("")
            .starts_with("250"),
        "{:?}",
        sent.server_reply
    );
    assert_eq!(sent.rfc_message_id.as_deref(), Some(message_id.as_str()));
    assert_eq!(sent.attachments.len(), 1);

    let got = server.received();
    assert_eq!(got.len(), 1);
    let msg = &got[0];
    let h = &msg["headers"];
    assert_eq!(h["Message-ID"], message_id.as_str());
    assert_eq!(h["From"], "Northwind Accounts <ar@northwind.example>");
    assert_eq!(h["Reply-To"], "billing@northwind.example");
    assert_eq!(h["To"], "Jordan Smith <ap@acme.example>");
    assert!(
        h["Subject"].as_str().unwrap().contains("Acme <script>"),
        "{h}"
    );
    assert_eq!(msg["login"], USER);
    assert_eq!(msg["mail_from"], USER);
    assert_eq!(msg["rcpt_tos"][0], "ap@acme.example");
    assert_eq!(msg["content_type"], "multipart/mixed");
    let parts = msg["parts"].as_array().unwrap();
    let types: Vec<&str> = parts
        .iter()
        .map(|p| p["content_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "text/html",
            "application/pdf"
        ]
    );
    let text = parts[2]["text"].as_str().unwrap();
    let html = parts[3]["text"].as_str().unwrap();
    assert!(
        text.contains("Dear Jordan") && text.contains("INV-2001"),
        "{text}"
    );
    assert!(
        html.contains("Acme &lt;script&gt;alert(1)&lt;/script&gt; Ltd"),
        "{html}"
    );
    assert!(!html.contains("<script>"));
    assert!(html.contains("GB33BUKB20201555555555") && text.contains("https://pay.example.com/"));
    assert_eq!(parts[4]["filename"], "INV-2001 copy.pdf");
    let decoded = base64_decode(parts[4]["base64"].as_str().unwrap());
    assert_eq!(decoded, bytes, "attachment bytes arrive unchanged");

    // The password is nowhere in the data directory: not in the database, not in its WAL.
    drop(m);
    let hits = files_containing(s.dir.path(), PASSWORD.as_bytes());
    assert!(hits.is_empty(), "password found in {hits:?}");
    assert!(
        s.dir.path().join("test.sqlite-wal").exists() || s.dir.path().join("test.sqlite").exists()
    );
    // ... and the messages the user sees never contain it.
    assert!(!format!("{sent:?}").contains(PASSWORD));
    keychain
        .delete(&account(server.port, Security::StartTls).secret_account())
        .unwrap();
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in text
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
    {
        let v = ALPHABET.iter().position(|a| *a == c).expect("base64") as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implicit_tls_works_and_test_connection_reports_it() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start_with("accept", &tmp.path().join("srv"), true);
    let mut s = setup(server.port, Security::ImplicitTls);
    let m = mailer(&s);
    let report = m.test_connection().await.expect("test connection");
    assert!(report.encrypted && report.authenticated);
    let id = queue_reminder(&s, vec![]);
    deliver_once(&mut s.db, &m).await;
    assert_eq!(message(&s.db, id).state, MessageState::Sent);
    assert_eq!(server.received().len(), 1);
    assert_eq!(
        server.received()[0]["content_type"],
        "multipart/alternative"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_surfaces_535_and_the_message_waits() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("auth-fail", &tmp.path().join("srv"));
    let mut s = setup(server.port, Security::StartTls);
    let m = mailer(&s);
    let err = m.test_connection().await.unwrap_err();
    match &err {
        MailError::Auth { reply, hint } => {
            assert!(reply.starts_with("535"), "{reply}");
            assert!(
                hint.as_deref().unwrap_or("").contains("password"),
                "{hint:?}"
            );
        }
        other => panic!("expected an auth error, got {other:?}"),
    }
    assert!(!err.to_string().contains(PASSWORD));
    let id = queue_reminder(&s, vec![]);
    let report = deliver_once(&mut s.db, &m).await;
    assert!(report.failed.is_empty());
    assert!(report.login_refused.is_some());
    let msg = message(&s.db, id);
    assert_eq!((msg.state, msg.attempts), (MessageState::Queued, 0));
    let reason = msg.failure_reason.unwrap();
    assert!(
        reason.contains("535") && reason.contains("refused the login"),
        "{reason}"
    );
    assert!(!reason.contains(PASSWORD));
    assert!(server.received().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn microsoft_365_basic_auth_off_is_explained() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("auth-m365", &tmp.path().join("srv"));
    let s = setup(server.port, Security::StartTls);
    let err = mailer(&s).test_connection().await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("5.7.139"), "{text}");
    assert!(
        text.contains("basic authentication") && text.contains("sign in with Microsoft"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_451_is_retried_and_the_message_arrives_once() {
    let (_tmp, server, mut s, id) = reminder_queued_for("451-then-250");
    let m = mailer(&s);
    let report = deliver_once(&mut s.db, &m).await;
    assert_eq!(report.sent, vec![id]);
    assert_eq!(report.retries, 1);
    let msg = message(&s.db, id);
    assert_eq!((msg.state, msg.attempts), (MessageState::Sent, 2));
    assert_eq!(server.data_count(), 2, "two attempts reached the server");
    assert_eq!(server.received().len(), 1, "one copy was accepted");
    // Running the outbox again sends nothing more.
    deliver_once(&mut s.db, &m).await;
    assert_eq!(server.data_count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_550_fails_with_the_servers_reason() {
    let (_tmp, server, mut s, id) = reminder_queued_for("550");
    let m = mailer(&s);
    deliver_once(&mut s.db, &m).await;
    let msg = message(&s.db, id);
    assert_eq!((msg.state, msg.attempts), (MessageState::Failed, 1));
    let reason = msg.failure_reason.unwrap();
    assert!(
        reason.contains("550") && reason.contains("looks like spam"),
        "{reason}"
    );
    assert_eq!(server.data_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_data_leaves_the_message_uncertain_and_it_is_never_resent() {
    let tmp = tempfile::tempdir().unwrap();
    let srv_dir = tmp.path().join("srv");
    let mut server = SmtpServer::start("die-mid-data", &srv_dir);
    let mut s = setup(server.port, Security::StartTls);
    let id = queue_reminder(&s, vec![]);
    let m = mailer(&s);
    let report = deliver_once(&mut s.db, &m).await;
    server.wait_dead();
    assert_eq!(report.uncertain, vec![id]);
    let msg = message(&s.db, id);
    assert_eq!(msg.state, MessageState::Uncertain);
    assert!(msg
        .failure_reason
        .unwrap()
        .contains("may have been delivered"));
    assert_eq!(server.data_count(), 1);

    // Restart both: the server (accepting now) and Duebook (a fresh connection and mailer).
    let server = SmtpServer::start("accept", &srv_dir);
    let path = s.db.path().to_path_buf();
    drop(s.db);
    let mut db = Database::open(&path).unwrap();
    account::save(
        db.conn(),
        &s.secrets,
        &account(server.port, Security::StartTls),
        None,
    )
    .unwrap();
    assert!(outbox::recover_interrupted(db.conn()).unwrap().is_empty());
    let m = mail::mailer_for_account(db.conn(), &s.secrets, mailer_options()).unwrap();
    let report = deliver_once(&mut db, &m).await;
    assert!(report.sent.is_empty());
    assert_eq!(message(&db, id).state, MessageState::Uncertain);
    assert_eq!(server.data_count(), 1, "no second copy");
    assert!(server.received().is_empty());

    // Only the user's decision sends it again — the same message, same Message-ID.
    outbox::resend(db.conn(), id).unwrap();
    deliver_once(&mut db, &m).await;
    let after = message(&db, id);
    assert_eq!(after.state, MessageState::Sent);
    assert_eq!(
        server.received()[0]["headers"]["Message-ID"],
        after.rfc_message_id.unwrap().as_str()
    );
    s.db = db;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_reply_after_data_times_out_as_uncertain() {
    let (_tmp, server, mut s, id) = reminder_queued_for("hang-after-data");
    let mut opts = mailer_options();
    opts.timeouts.data = Duration::from_millis(800);
    let m = mail::mailer_for_account(s.db.conn(), &s.secrets, opts).unwrap();
    deliver_once(&mut s.db, &m).await;
    let msg = message(&s.db, id);
    assert_eq!((msg.state, msg.attempts), (MessageState::Uncertain, 1));
    assert_eq!(server.data_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_problems_are_named() {
    // Refused: nothing listens on this port.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let s = setup(port, Security::StartTls);
    let err = mailer(&s).test_connection().await.unwrap_err();
    assert!(matches!(err, MailError::Refused { .. }), "{err:?}");
    assert!(err.to_string().contains("refused the connection on port"));

    // A certificate this computer does not trust (no extra root given).
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("accept", &tmp.path().join("srv"));
    let untrusted = SmtpMailer::new(
        &account(server.port, Security::StartTls),
        &Password::new(PASSWORD),
        MailerOptions::default(),
    )
    .unwrap();
    let err = untrusted.test_connection().await.unwrap_err();
    match &err {
        MailError::Tls { detail, .. } => {
            assert!(detail.contains("not signed by an authority"), "{detail}");
        }
        other => panic!("expected a TLS error, got {other:?}"),
    }

    // STARTTLS against an implicit-TLS port: no greeting comes.
    let tls_server = SmtpServer::start_with("accept", &tmp.path().join("srv2"), true);
    let mut opts = mailer_options();
    opts.timeouts.connect = Duration::from_millis(500);
    opts.timeouts.command = Duration::from_millis(500);
    let wrong = SmtpMailer::new(
        &account(tls_server.port, Security::StartTls),
        &Password::new(PASSWORD),
        opts,
    )
    .unwrap();
    let err = wrong.test_connection().await.unwrap_err();
    assert!(
        matches!(
            err,
            MailError::Timeout {
                stage: Stage::Greeting,
                ..
            } | MailError::Connection { .. }
        ),
        "{err:?}"
    );

    // Unknown host names fail in DNS (or time out there when no resolver answers).
    let mut nowhere = account(25, Security::StartTls);
    nowhere.host = "no-such-host.invalid".into();
    let mut opts = mailer_options();
    opts.timeouts.connect = Duration::from_secs(3);
    let err = SmtpMailer::new(&nowhere, &Password::new(PASSWORD), opts)
        .unwrap()
        .test_connection()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            MailError::Dns { .. }
                | MailError::Timeout {
                    stage: Stage::Dns,
                    ..
                }
        ),
        "{err:?}"
    );
}

#[test]
fn bad_account_settings_are_refused_and_change_nothing() {
    let (_dir, db) = temp_db();
    let secrets = MemoryStore::new();
    let good = account(587, Security::StartTls);
    account::save(db.conn(), &secrets, &good, Some(&Password::new(PASSWORD))).unwrap();
    // Each refusal names the setting, so the form shows it beside that field.
    let cases: Vec<(AccountSettings, (&str, &str))> = vec![
        (
            AccountSettings {
                from_address: "not an address".into(),
                ..good.clone()
            },
            ("from_address", "not an email address"),
        ),
        (
            AccountSettings {
                host: "smtp.example.com".into(),
                security: Security::None,
                ..good.clone()
            },
            ("security", "unencrypted"),
        ),
        (
            AccountSettings {
                host: "bad host!".into(),
                ..good.clone()
            },
            ("host", "not a server name"),
        ),
        (
            AccountSettings {
                port: 0,
                ..good.clone()
            },
            ("port", "port"),
        ),
        (
            AccountSettings {
                username: " ".into(),
                ..good.clone()
            },
            ("username", "user name"),
        ),
        (
            AccountSettings {
                reply_to: Some("x@".into()),
                ..good.clone()
            },
            ("reply_to", "Reply-To"),
        ),
    ];
    for (bad, (field, expected)) in cases {
        let err =
            account::save(db.conn(), &secrets, &bad, Some(&Password::new("other"))).unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
        let AccountError::Field(refused) = &err else {
            panic!("not a field error: {err:?}");
        };
        assert_eq!(refused.field, field, "{err}");
        assert_eq!(account::load(db.conn()).unwrap().unwrap(), good);
        assert_eq!(
            secrets
                .get(&good.secret_account())
                .unwrap()
                .unwrap()
                .expose(),
            PASSWORD
        );
    }
    let err = account::save(db.conn(), &secrets, &good, Some(&Password::new(""))).unwrap_err();
    assert!(err.to_string().contains("empty"));
    // A different From address than the account is allowed but warned about.
    let alias = AccountSettings {
        from_address: "billing@northwind.example".into(),
        ..good.clone()
    };
    let view = account::save(db.conn(), &secrets, &alias, None).unwrap();
    assert!(
        view.warnings
            .iter()
            .any(|w| w.contains("differs from the account")),
        "{:?}",
        view.warnings
    );
    // Local servers may run without TLS.
    let local = AccountSettings {
        host: "127.0.0.1".into(),
        port: 2525,
        security: Security::None,
        ..good
    };
    assert!(account::save(db.conn(), &secrets, &local, None).is_ok());
}
