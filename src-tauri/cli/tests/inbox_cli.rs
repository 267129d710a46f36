//! `duebook inbox sync` against a real Dovecot, its passwords in the real keychain: the JSON
//! report's counts, the human lines with the skipped reasons and the sent reminders saved to
//! the Sent folder, the failed step named with exit
//! status 1, and a sync killed (SIGKILL) mid-way through a few thousand messages that the next
//! sync finishes with nothing twice and nothing missed.
#![allow(clippy::unwrap_used)]

mod support;

use duebook_core::mail::account;
use duebook_core::mail::security::Security;
use duebook_core::secrets::{KeychainStore, Password};
use duebook_core::store::Database;
use duebook_core::test_support::imap::ImapServer;
use duebook_core::test_support::inbound::{
    fixture, message, oversized, reminder_with_id, REMINDER_ID,
};
use duebook_core::test_support::mail::{setup_for, Setup, PASSWORD};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::{duebook_smtp, ok_text, read_replies_from, refused_text, smtp_command};

/// Acme's books with our reminder, the account reading Dovecot on `imap_port`, both passwords
/// in the keychain; the database's path.
fn books(imap_port: u16) -> (Setup, PathBuf) {
    let s = setup_for(2525, Security::None, "Acme Ltd", "jordan@acme.example");
    reminder_with_id(&s, REMINDER_ID);
    account::save(
        s.db.conn(),
        &KeychainStore::default(),
        &account::require(s.db.conn()).unwrap(),
        Some(&Password::new(PASSWORD)),
    )
    .unwrap();
    let path = s.dir.path().join("test.sqlite");
    read_replies_from(&path, imap_port);
    (s, path)
}

/// A reply to our reminder, numbered.
fn reply(n: usize) -> Vec<u8> {
    let answers = format!("In-Reply-To: {REMINDER_ID}");
    message(
        "jordan@acme.example",
        &format!("Re: reminder ({n})"),
        &[&answers],
    )
}

fn stranger(n: usize) -> Vec<u8> {
    message("news@shop.example", &format!("Offer {n}"), &[])
}

fn count(db: &Path, sql: &str) -> i64 {
    Database::open(db)
        .unwrap()
        .conn()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn inbox_sync_reports_in_json_and_in_lines_with_the_skipped_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let (_s, db) = books(server.port);
    server.append("INBOX", &oversized());
    server.append("INBOX", &fixture("reply-gmail-paid.eml"));
    server.append("INBOX", &stranger(1));

    let json = ok_text(&duebook_smtp(&db, &["inbox", "sync", "--json"], None));
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let inbox = &report["folders"][0];
    assert_eq!(inbox["folder"], "INBOX", "{json}");
    for (field, expected) in [
        ("fetched", 2),
        ("stored", 1),
        ("replies", 1),
        ("unmatched", 1),
        ("skipped", 1),
    ] {
        assert_eq!(inbox[field], expected, "{field}: {json}");
    }
    assert_eq!(inbox["skipped_reasons"][0]["uid"], 1, "{json}");
    assert_eq!(report["folders"][1]["role"], "sent", "{json}");

    server.append("INBOX", &reply(2));
    let text = ok_text(&duebook_smtp(&db, &["inbox", "sync"], None));
    assert!(
        text.contains("INBOX: 1 read, 1 kept (1 replies, 0 automatic replies, 0 bounces)"),
        "{text}"
    );
    assert!(text.contains("Sent: 0 read"), "{text}");
    assert!(text.contains("0 saved to it"), "{text}");
    assert!(text.contains("Total: 1 read, 1 kept"), "{text}");
    assert_eq!(
        count(&db, "SELECT count(*) FROM messages WHERE direction = 'in'"),
        2
    );

    // Switched on, our sent reminder is saved to the Sent folder, and the line says so.
    let sent_now = "UPDATE messages SET state = 'sent', sent_at = strftime('%Y-%m-%dT%H:%M:%fZ')
                    WHERE direction = 'out'";
    Database::open(&db)
        .unwrap()
        .conn()
        .execute(sent_now, [])
        .unwrap();
    let on = [
        "account",
        "set",
        "--keep-password",
        "--imap-save-sent",
        "on",
    ];
    ok_text(&duebook_smtp(&db, &on, None));
    let text = ok_text(&duebook_smtp(&db, &["inbox", "sync"], None));
    assert!(text.contains("1 saved to it"), "{text}");
    let filed = "SELECT count(*) FROM messages WHERE filed_in_sent_at IS NOT NULL";
    assert_eq!(count(&db, filed), 1);
}

#[test]
fn a_mailbox_out_of_reach_names_the_failed_step_with_status_1() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let (_s, db) = books(port);
    let out = duebook_smtp(&db, &["inbox", "sync"], None);
    assert_eq!(out.status.code(), Some(1));
    let text = refused_text(&out);
    assert!(text.contains("the inbox sync failed at"), "{text}");
    assert!(text.contains("connect"), "{text}");
}

#[test]
fn a_sync_killed_mid_way_is_finished_by_the_next_with_nothing_twice_and_nothing_missed() {
    const MESSAGES: usize = 4_000;
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let (_s, db) = books(server.port);
    let mail: Vec<(Vec<u8>, Option<String>)> = (0..MESSAGES)
        .map(|n| {
            (
                if n.is_multiple_of(10) {
                    reply(n)
                } else {
                    stranger(n)
                },
                None,
            )
        })
        .collect();
    server.append_all("INBOX", mail);
    let replies = (MESSAGES / 10) as i64;

    let mut child = smtp_command(&db, &["inbox", "sync"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let kept = "SELECT count(*) FROM messages WHERE direction = 'in'";
    while count(&db, kept) == 0 {
        assert!(child.try_wait().unwrap().is_none(), "the sync ended first");
        assert!(started.elapsed() < Duration::from_secs(60), "nothing kept");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let at_kill = count(&db, kept);
    assert!(at_kill < replies, "the sync had finished: {at_kill}");

    ok_text(&duebook_smtp(&db, &["inbox", "sync"], None));
    assert_eq!(count(&db, kept), replies);
    assert_eq!(
        count(
            &db,
            "SELECT count(DISTINCT mailbox_key) FROM messages WHERE direction = 'in'"
        ),
        replies
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM tasks WHERE title LIKE 'Reply from %'"
        ),
        replies
    );
    let last: i64 = count(
        &db,
        "SELECT last_uid FROM mailbox_folders WHERE folder = 'INBOX'",
    );
    assert_eq!(last, MESSAGES as i64);
}
