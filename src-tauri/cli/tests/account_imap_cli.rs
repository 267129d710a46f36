//! `duebook account set --imap-...` and `duebook account test` against the real SMTP test server
//! and a real Dovecot: both logins are tested, each failure named by its step.
#![allow(clippy::unwrap_used)]

mod support;

use duebook_core::test_support::imap::{ImapServer, IMAP_PASSWORD};
use duebook_core::test_support::mail::{SmtpServer, PASSWORD, USER};
use support::{account_set, duebook, duebook_smtp, ok_text, refused_text};

fn message(n: u32) -> Vec<u8> {
    format!("From: ap@acme.example\r\nTo: {USER}\r\nSubject: Re: reminder {n}\r\n\r\nPaid.\r\n")
        .into_bytes()
}

#[test]
fn account_test_logs_in_to_smtp_and_then_to_imap() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("books.sqlite");
    let smtp = SmtpServer::start("accept", &dir.path().join("smtp"));
    let imap = ImapServer::start(&dir.path().join("imap"), None);
    imap.append("INBOX", &message(1));
    imap.append("INBOX", &message(2));
    let port = imap.port.to_string();
    let imap_args = [
        "--imap-host",
        "localhost",
        "--imap-port",
        &port,
        "--imap-security",
        "starttls",
        "--imap-password-stdin",
    ];
    let both = format!("{PASSWORD}\n{IMAP_PASSWORD}");
    let set = ok_text(&account_set(&db, &smtp.port.to_string(), &imap_args, &both));
    assert!(
        set.contains("IMAP password saved in the OS keychain"),
        "{set}"
    );
    let show = ok_text(&duebook(&db, &["account", "show"]));
    assert!(
        show.contains(&format!("IMAP:      localhost:{port} (starttls) as {USER}")),
        "{show}"
    );
    let test = ok_text(&duebook_smtp(&db, &["account", "test"], None));
    assert!(test.contains("OK: connected to localhost"), "{test}");
    assert!(
        test.contains("IMAP OK: connected to localhost") && test.contains("with password"),
        "{test}"
    );
    assert!(
        test.contains("Sent folder: Sent, 2 messages in INBOX"),
        "{test}"
    );
    ok_text(&duebook(
        &db,
        &["account", "set", "--keep-password", "--no-imap"],
    ));
    let show = ok_text(&duebook(&db, &["account", "show"]));
    assert!(show.contains("IMAP:      not set up"), "{show}");
    let test = ok_text(&duebook_smtp(&db, &["account", "test"], None));
    assert!(!test.contains("IMAP"), "{test}");
}

#[test]
fn a_refused_imap_password_fails_the_test_naming_the_imap_login() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("books.sqlite");
    let smtp = SmtpServer::start("accept", &dir.path().join("smtp"));
    let imap = ImapServer::start(&dir.path().join("imap"), None);
    let port = imap.tls_port.to_string();
    // Its own host name, so its keychain entry is not the other test's.
    let imap_args = [
        "--imap-host",
        "127.0.0.1",
        "--imap-port",
        &port,
        "--imap-password-stdin",
    ];
    let both = format!("{PASSWORD}\nnot-the-imap-password");
    ok_text(&account_set(&db, &smtp.port.to_string(), &imap_args, &both));
    let test = refused_text(&duebook_smtp(&db, &["account", "test"], None));
    assert!(test.contains("OK: connected to localhost"), "{test}");
    assert!(
        test.contains("the IMAP test failed at IMAP login")
            && test.contains("AUTHENTICATIONFAILED"),
        "{test}"
    );
    assert!(
        test.contains("What to do: check that IMAP is switched on"),
        "{test}"
    );
    assert!(!test.contains("not-the-imap-password"), "{test}");
}

#[test]
fn a_preset_brings_its_providers_imap_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("books.sqlite");
    let args = ["account", "set", "--preset", "gmail", "--from", USER];
    ok_text(&duebook(&db, &args));
    let show = ok_text(&duebook(&db, &["account", "show"]));
    assert!(
        show.contains(&format!("IMAP:      imap.gmail.com:993 (tls) as {USER}")),
        "{show}"
    );
}

#[test]
fn saving_sent_reminders_to_the_sent_folder_is_switched_on_and_off_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("books.sqlite");
    let gmail = ["account", "set", "--preset", "gmail", "--from", USER];
    let shown = |expected: &str| {
        let show = ok_text(&duebook(&db, &["account", "show"]));
        let line = format!("as {USER}; sent reminders saved to the Sent folder: {expected}");
        assert!(show.contains(&line), "{show}");
    };
    ok_text(&duebook(&db, &gmail));
    shown("off");
    ok_text(&duebook(
        &db,
        &[&gmail[..], &["--imap-save-sent", "on"]].concat(),
    ));
    shown("on");
    // Setting the account again without the option keeps it.
    ok_text(&duebook(&db, &gmail));
    shown("on");
    let json = ok_text(&duebook(&db, &["account", "show", "--json"]));
    assert!(json.contains("\"save_sent\": true"), "{json}");
    let refused = refused_text(&duebook(
        &db,
        &[&gmail[..], &["--imap-save-sent", "yes"]].concat(),
    ));
    assert!(refused.contains("on or off"), "{refused}");
    ok_text(&duebook(
        &db,
        &[&gmail[..], &["--imap-save-sent", "off"]].concat(),
    ));
    shown("off");
}
