//! Helpers for the inbound-mail tests: the fixture messages (`tests/fixtures/inbound/`), a
//! reminder in the outbox under the Message-ID the fixtures answer, small raw messages and one
//! too large to read.

use super::mail::{queue_reminder, Setup};
use crate::mail::inbound::parse::MAX_RAW;
use crate::mail::inbound::{decide, record, Recorded};
use crate::store::Database;
use chrono::NaiveDate;
use std::path::PathBuf;

/// The Message-ID of our reminder that the fixtures reply to and bounce.
pub const REMINDER_ID: &str = "<mb1c2d3e.5f1e0c9a7b3d2e41a8c6f09d7e2b5a13@northwind.example>";

/// The bytes of `tests/fixtures/inbound/NAME`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/inbound")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Queues a reminder to the setup's customer (see [`queue_reminder`]) and gives it
/// `rfc_message_id`, as if the fixtures had answered it; returns the message's id.
pub fn reminder_with_id(s: &Setup, rfc_message_id: &str) -> i64 {
    let id = queue_reminder(s, Vec::new());
    s.db.conn()
        .execute(
            "UPDATE messages SET rfc_message_id = ?2 WHERE id = ?1",
            rusqlite::params![id, rfc_message_id],
        )
        .expect("set the Message-ID");
    id
}

/// A plain-text message from `from` with `subject` and any `extra` header lines.
pub fn message(from: &str, subject: &str, extra: &[&str]) -> Vec<u8> {
    let day = NaiveDate::from_ymd_opt(2026, 1, 13).expect("a date");
    written_on(day, from, subject, extra, "Thanks, we will look into it.")
}

/// A plain-text message from `from`, dated 09:00 UTC on `day`, with `subject`, any `extra`
/// header lines and `body`.
pub fn written_on(
    day: NaiveDate,
    from: &str,
    subject: &str,
    extra: &[&str],
    body: &str,
) -> Vec<u8> {
    let mut raw = format!(
        "From: {from}\r\nTo: ar@northwind.example\r\nSubject: {subject}\r\n\
         Date: {} 09:00:00 +0000\r\nMessage-ID: <t.{}@test.example>\r\n",
        day.format("%a, %d %b %Y"),
        fastrand::u64(..)
    );
    for line in extra {
        raw.push_str(line);
        raw.push_str("\r\n");
    }
    raw.push_str("Content-Type: text/plain; charset=utf-8\r\n\r\n");
    raw.push_str(body);
    raw.push_str("\r\n");
    raw.into_bytes()
}

/// The Message-ID of the latest message we sent the customer.
pub fn last_sent_id(db: &Database, customer_id: i64) -> String {
    db.conn()
        .query_row(
            "SELECT rfc_message_id FROM messages WHERE customer_id = ?1 AND direction = 'out'
             ORDER BY id DESC LIMIT 1",
            [customer_id],
            |r| r.get(0),
        )
        .expect("a message sent to the customer")
}

/// Reads `raw` as the mailbox sync does (decide, then record) on `today`.
pub fn deliver(db: &Database, raw: &[u8], today: NaiveDate) -> Recorded {
    let decision = decide(db.conn(), raw).expect("a readable message");
    record(db.conn(), &decision, raw, today).expect("recorded")
}

/// A message from Acme's contact over the [`MAX_RAW`] bytes a sync reads (a scan of everything).
pub fn oversized() -> Vec<u8> {
    let mut raw = message("jordan@acme.example", "Scans of every invoice", &[]);
    let line = [b'A'; 76];
    while raw.len() <= MAX_RAW {
        raw.extend_from_slice(&line);
        raw.extend_from_slice(b"\r\n");
    }
    raw
}

/// Records that the mailbox's INBOX was read once, as the first IMAP sync does: from then on
/// the plan knows replies (the silence rule can judge).
pub fn inbox_read(db: &Database) {
    db.conn()
        .execute(
            "INSERT INTO mailbox_folders (folder, uid_validity, last_uid, synced_at)
             VALUES ('INBOX', 1, 0, '2026-01-01T00:00:00.000Z')",
            [],
        )
        .expect("INBOX read");
}
