//! `duebook account ...` and `duebook send ...` end to end: the real binary, the real keychain
//! and a real SMTP server. Run through scripts/with-test-services.sh.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::test_support::mail::*;
use std::process::{Command, Stdio};
use support::{
    account_set, duebook_smtp as duebook, ok_text, refused_text, server_args, smtp_command, text,
};

/// A database file with the company and one customer (a billing contact at `email`, two open
/// invoices), closed so the binary can open it; returns (the folder's guard, its path, the
/// customer's id).
fn customer_file(name: &str, email: &str) -> (tempfile::TempDir, std::path::PathBuf, i64) {
    let (dir, db) = temp_db();
    seed_company(&db);
    let customer = seed_customer(&db, name, email);
    (dir, db.path().to_path_buf(), customer)
}

#[test]
fn set_up_the_account_and_send_a_reminder_headless() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("accept", &tmp.path().join("srv"));
    let (dir, path, customer) = customer_file("Acme Trading", "ap@acme.example");
    let port = server.port.to_string();
    let id = customer.to_string();

    // A password is never taken as an argument.
    refused_text(&duebook(
        &path,
        &["account", "set", "--password", PASSWORD],
        None,
    ));
    // Without a terminal, it must come from standard input.
    let mut no_password = vec!["account", "set", "--from", USER];
    no_password.extend(&server_args(&port)[..4]);
    let said = refused_text(&duebook(&path, &no_password, None));
    assert!(said.contains("--password-stdin"), "{said}");

    let reply_to = ["--reply-to", "billing@northwind.example"];
    let said = ok_text(&account_set(&path, &port, &reply_to, PASSWORD));
    assert!(!said.contains(PASSWORD));

    let shown = ok_text(&duebook(&path, &["account", "show"], None));
    assert!(
        shown.contains("stored in the OS keychain") && shown.contains(&format!("localhost:{port}")),
        "{shown}"
    );
    assert!(!shown.contains(PASSWORD));

    let said = ok_text(&duebook(&path, &["account", "test"], None));
    assert!(said.contains("OK: connected"), "{said}");
    let to_me = ["account", "test", "--send-to", "me@northwind.example"];
    ok_text(&duebook(&path, &to_me, None));
    let test_mail = server.received();
    assert_eq!(test_mail.len(), 1);
    assert_eq!(test_mail[0]["headers"]["Subject"], "Duebook test email");
    assert_eq!(test_mail[0]["rcpt_tos"][0], "me@northwind.example");

    let send = |customer: &str, template: &str, extra: &[&str]| {
        let mut args = vec!["send", "--customer", customer, "--template", template];
        args.extend_from_slice(extra);
        duebook(&path, &args, None)
    };
    let preview = ok_text(&send(&id, "overdue-1", &["--dry-run"]));
    assert!(
        preview.contains("To:       Jordan Smith <ap@acme.example>"),
        "{preview}"
    );
    assert!(preview.contains("Subject:") && preview.contains("nothing was stored or sent"));
    assert_eq!(server.received().len(), 1);

    let said = ok_text(&send(&id, "overdue-1", &["--key", "cli-1"]));
    assert!(said.starts_with("sent"), "{said}");
    assert_eq!(server.received().len(), 2);
    // The same key again: refused, not sent twice.
    let said = refused_text(&send(&id, "overdue-1", &["--key", "cli-1"]));
    assert!(said.contains("already queued"), "{said}");
    assert_eq!(server.received().len(), 2);
    // Bad input: a clear error, nothing stored.
    let said = refused_text(&send("999999", "overdue-1", &[]));
    assert!(said.contains("no customer 999999"), "{said}");
    let said = text(&send(&id, "nope", &[]));
    assert!(said.contains("no template"), "{said}");

    let o = duebook(&path, &["outbox", "list", "--customer", &id], None);
    assert!(text(&o).contains("sent "), "{}", text(&o));

    let hits = files_containing(dir.path(), PASSWORD.as_bytes());
    assert!(hits.is_empty(), "password found in {hits:?}");

    ok_text(&duebook(&path, &["account", "remove"], None));
    let lookup = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "app.duebook.desktop",
            "username",
            &format!("smtp:{USER}@localhost"),
        ])
        .output()
        .unwrap();
    assert!(lookup.stdout.is_empty(), "the keychain entry is gone");
    refused_text(&duebook(&path, &["account", "show"], None));
}

#[test]
fn a_send_killed_mid_data_becomes_uncertain_and_is_not_sent_again() {
    let tmp = tempfile::tempdir().unwrap();
    // Its own login, so its keychain entry never meets the other test's.
    let secrets_user = format!("kill-{}@northwind.example", std::process::id());
    let hanging = SmtpServer::start_for(
        "hang-after-data",
        &tmp.path().join("srv"),
        false,
        &secrets_user,
    );
    let (_dir, path, customer) = customer_file("Globex", "ap@globex.example");
    let port = hanging.port.to_string();
    let mut own_login = vec![
        "account",
        "set",
        "--from",
        USER,
        "--username",
        &secrets_user,
    ];
    own_login.extend(&server_args(&port)[..4]);
    own_login.push("--password-stdin");
    ok_text(&duebook(&path, &own_login, Some(PASSWORD)));

    // `duebook send` hands the message over, then is killed while waiting for the verdict.
    let mut child = smtp_command(
        &path,
        &[
            "send",
            "--customer",
            &customer.to_string(),
            "--template",
            "overdue-2",
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let start = std::time::Instant::now();
    while hanging.data_count() == 0 {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "the message never arrived"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // The next command finds the orphan and makes it uncertain; sending the queue skips it.
    let o = duebook(&path, &["outbox", "list"], None);
    let listed = text(&o);
    assert!(
        listed.contains("uncertain") && listed.contains("Duebook stopped while sending"),
        "{listed}"
    );
    drop(hanging);
    let server = SmtpServer::start_for("accept", &tmp.path().join("srv2"), false, &secrets_user);
    let port = server.port.to_string();
    let new_port = ["account", "set", "--port", &port, "--keep-password"];
    ok_text(&duebook(&path, &new_port, None));
    ok_text(&duebook(&path, &["outbox", "send"], None));
    assert_eq!(server.data_count(), 0, "no second copy");
    ok_text(&duebook(&path, &["account", "remove"], None));
}
