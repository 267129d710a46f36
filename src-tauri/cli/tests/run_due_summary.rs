//! Every `duebook run-due` tells the truth at its end: the failed and uncertain campaign messages
//! waiting in the outbox (not only the tick's own), grouped by reason with counts, and an exit
//! status of 0 only when nothing needs the user, 1 for a failed message, 3 for an uncertain one
//! (3 wins). The messages fail or stay uncertain through the real outbox (the library's run
//! with a mailer that refuses some addresses); the ticks are the real binary on the same file.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::campaign::run;
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{
    block_on, customer, d, friendly_campaign_db, ok, StubMailer,
};
use std::path::{Path, PathBuf};
use support::{duebook as cli, text};

/// A Wednesday, 10 days after the invoices fell due: the "friendly" preset's overdue-1.
const DAY: &str = "2026-04-15";

/// A file with the "friendly" campaign and one customer per address (an invoice due
/// 2026-04-05 each), after the library ran DAY through [`StubMailer`].
fn after_a_run(addresses: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let (dir, db) = friendly_campaign_for(addresses);
    let path = db.path().to_path_buf();
    drop(db);
    block_on(run::run_due(&path, &StubMailer::picky(), d(DAY), false)).unwrap();
    (dir, path)
}

/// A database with a sending account, the "friendly" campaign and one customer per address
/// ("Customer 0", "Customer 1", ...), each with an invoice due 2026-04-05.
fn friendly_campaign_for(addresses: &[&str]) -> (tempfile::TempDir, Database) {
    let (dir, db, _) = friendly_campaign_db();
    for (i, address) in addresses.iter().enumerate() {
        customer(
            &db,
            &format!("Customer {i}"),
            Some(address),
            &["2026-04-05"],
        );
    }
    (dir, db)
}

fn tick(path: &Path, day: &str) -> (Option<i32>, String) {
    let out = cli(path, &["run-due", "--today", day]);
    (out.status.code(), text(&out))
}

fn sql(path: &Path, statement: &str) {
    rusqlite::Connection::open(path)
        .unwrap()
        .execute(statement, [])
        .unwrap();
}

fn message_id(path: &Path, state: &str) -> String {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("SELECT id FROM messages WHERE state = ?1", [state], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
        .to_string()
}

#[test]
fn failed_messages_waiting_make_even_an_unchanged_tick_exit_1_with_their_reasons() {
    let (_dir, path) = after_a_run(&[
        "bounce1@a.example",
        "bounce2@b.example",
        "full@c.example",
        "ok@d.example",
    ]);

    let (code, out) = tick(&path, DAY);
    assert!(out.contains("nothing changed since the run at"), "{out}");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("summary:\n  sent: nothing\n"), "{out}");
    assert!(
        out.contains(
            "  waiting for your decision (see `duebook outbox list`): 3 failed, 0 uncertain\n    failed 2: 550 no such user\n    failed 1: 552 mailbox full\n"
        ),
        "one line per reason, most frequent first: {out}"
    );
    assert!(!out.contains("nothing needs you"), "{out}");

    // The same as JSON, for scripts.
    let json = cli(&path, &["run-due", "--today", DAY, "--json"]);
    assert_eq!(json.status.code(), Some(1));
    let summary: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(summary["attention"], "failed");
    assert_eq!(summary["waiting"][0]["state"], "failed");
    assert_eq!(summary["waiting"][0]["reason"], "550 no such user");
    assert_eq!(summary["waiting"][0]["count"], 2);
    assert_eq!(summary["waiting"].as_array().unwrap().len(), 2);

    // A dry run tells the same truth.
    let dry = cli(&path, &["run-due", "--dry-run", "--today", DAY]);
    assert_eq!(dry.status.code(), Some(1), "{}", text(&dry));
    assert!(text(&dry).contains("summary (dry run):"), "{}", text(&dry));
    assert!(
        text(&dry).contains("3 failed, 0 uncertain"),
        "{}",
        text(&dry)
    );

    // A new day plans again, sends nothing new, and still says so.
    let (code, out) = tick(&path, "2026-04-16");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("3 failed, 0 uncertain"), "{out}");
}

#[test]
fn an_uncertain_message_exits_3_even_beside_a_failed_one() {
    let (_dir, path) = after_a_run(&["bounce@a.example", "lost@b.example"]);
    // A server reply may carry anything; it is printed inert.
    sql(
        &path,
        "UPDATE messages SET failure_reason = '550 '||char(27)||']0;pwned'||char(7)||char(10)||'no such user'
         WHERE state = 'failed'",
    );

    let (code, out) = tick(&path, DAY);
    assert_eq!(code, Some(3), "uncertain outranks failed: {out}");
    assert!(
        out.contains("1 failed, 1 uncertain\n    uncertain 1: The message was handed to the server but no confirmation came back"),
        "{out}"
    );
    assert!(
        out.contains("    failed 1: 550 \\u{1b}]0;pwned\\u{7}\\nno such user\n"),
        "{out}"
    );
    assert!(!out.contains('\u{1b}'), "{out:?}");

    // The user checked the Sent folder: marked sent, only the failed one is left.
    ok(&cli(
        &path,
        &["outbox", "mark-sent", &message_id(&path, "uncertain")],
    ));
    let (code, out) = tick(&path, DAY);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("1 failed, 0 uncertain"), "{out}");
}

#[test]
fn a_message_a_crash_left_sending_is_reported_uncertain_and_exits_3() {
    let (dir, db) = friendly_campaign_for(&["ap@alpha.example"]);
    run::enqueue_due(&db, d(DAY), false).unwrap();
    // The runner claimed it and died before the server answered (no lease is held).
    db.conn()
        .execute("UPDATE messages SET state = 'sending', attempts = 1", [])
        .unwrap();
    drop(db);
    let path = dir.path().join("test.sqlite");

    // No password in any keychain here: recovering needs neither keychain nor network.
    let (code, out) = tick(&path, DAY);
    assert_eq!(code, Some(3), "{out}");
    assert!(
        out.contains("  1 message(s) were being sent when Duebook stopped: now uncertain\n"),
        "{out}"
    );
    assert!(
        out.contains("0 failed, 1 uncertain\n    uncertain 1: Duebook stopped while sending"),
        "{out}"
    );
    message_id(&path, "uncertain");

    // The next tick has nothing to recover but the decision still waits.
    let (code, out) = tick(&path, DAY);
    assert_eq!(code, Some(3), "{out}");
    assert!(!out.contains("were being sent"), "{out}");
    assert!(out.contains("0 failed, 1 uncertain"), "{out}");
}

#[test]
fn a_cancelled_message_waits_for_nothing() {
    let (dir, db) = friendly_campaign_for(&["ap@alpha.example"]);
    run::enqueue_due(&db, d(DAY), false).unwrap();
    drop(db);
    let path = dir.path().join("test.sqlite");
    ok(&cli(
        &path,
        &["outbox", "cancel", &message_id(&path, "queued")],
    ));

    let (code, out) = tick(&path, DAY);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("  nothing needs you: no campaign message failed or is uncertain"),
        "{out}"
    );
}

#[test]
fn a_failure_is_settled_by_a_later_message_to_the_same_customer() {
    // A message that could not even be prepared (an address a header cannot hold) holds the
    // customer on nothing: once the user corrects the address, the next run reaches them.
    let (dir, db) = friendly_campaign_for(&["ap@a.example"]);
    let path = db.path().to_path_buf();
    drop(db);
    sql(
        &path,
        "UPDATE contacts SET email = 'ap@a.example
Bcc: x@y.example'",
    );
    block_on(run::run_due(&path, &StubMailer::picky(), d(DAY), false)).unwrap();
    message_id(&path, "failed");
    sql(&path, "UPDATE contacts SET email = 'ap@a.example'");
    block_on(run::run_due(
        &path,
        &StubMailer::picky(),
        d("2026-05-06"),
        false,
    ))
    .unwrap();
    message_id(&path, "sent");

    let (code, out) = tick(&path, "2026-05-06");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("nothing needs you"), "{out}");
    drop(dir);
}
