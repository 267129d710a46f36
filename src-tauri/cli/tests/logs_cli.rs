//! The log file: a send the server refuses leaves its reason in `duebook`'s log, and never the
//! password. Run through scripts/with-test-services.sh (the real keychain and SMTP server).

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::test_support::mail::*;
use support::{duebook_smtp, ok_text, refused_text, server_args};

#[test]
fn a_refused_login_is_logged_with_its_reason_and_without_the_password() {
    let tmp = tempfile::tempdir().unwrap();
    // Its own login, so its keychain entry never meets another test's.
    let login = format!("logs-{}@northwind.example", std::process::id());
    let server = SmtpServer::start_for("auth-fail", &tmp.path().join("srv"), false, &login);
    let (dir, db) = temp_db();
    seed_company(&db);
    let customer = seed_customer(&db, "Acme Trading", "ap@acme.example").to_string();
    let path = db.path().to_path_buf();
    drop(db);
    let port = server.port.to_string();
    let mut account = vec!["account", "set", "--from", USER, "--username", &login];
    account.extend(&server_args(&port)[..4]);
    account.push("--password-stdin");
    ok_text(&duebook_smtp(&path, &account, Some(PASSWORD)));

    let send = ["send", "--customer", &customer, "--template", "overdue-1"];
    let mut cmd = support::smtp_command(&path, &send);
    cmd.env("DUEBOOK_LOG", "debug");
    let said = refused_text(&support::run(cmd, None));
    assert!(said.contains("535"), "{said}");

    // support::command_in: HOME is the database's folder, the data directory `data` in it.
    let logs = dir.path().join("data/app.duebook.desktop/logs");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&logs).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o700, "the log folder is the user's alone");
    let files: Vec<_> = std::fs::read_dir(&logs).unwrap().flatten().collect();
    assert_eq!(files.len(), 1, "one file for today: {files:?}");
    let name = files[0].file_name().to_string_lossy().into_owned();
    assert!(
        name.starts_with("duebook.") && name.ends_with(".log"),
        "{name}"
    );
    let bytes = std::fs::read(files[0].path()).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains(" INFO duebook: duebook "), "{text}");
    assert!(
        text.contains(" WARN duebook_core::mail::outbox::deliver: email not sent: ")
            && text.contains("535 5.7.8"),
        "{text}"
    );
    let secret = PASSWORD.as_bytes();
    assert!(
        !bytes.windows(secret.len()).any(|w| w == secret),
        "the password is in the log: {text}"
    );
    ok_text(&duebook_smtp(&path, &["account", "remove"], None));
}
