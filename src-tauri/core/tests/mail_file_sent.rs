//! "Save sent reminders to the Sent folder" against a real Dovecot (tests/servers/imap_server.py):
//! with the option on, a sent reminder is added to Sent once (flagged \Seen, dated when it was
//! sent) and a second sync adds nothing; one the provider filed itself is not added again; with
//! the option off, nothing is added; a message the server refuses stops saving for that sync,
//! with the reason, and nothing is marked.
#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::{DateTime, Utc};
use duebook_core::mail::imap::{FolderReport, FolderRole, SyncOptions, SyncReport};
use duebook_core::mail::{outbox, sync_account_mailbox};
use duebook_core::test_support::imap::{reading, FolderMessage, ImapServer};
use duebook_core::test_support::mail::{mailer_options, queue_reminder, Setup};

/// The account reading `server`, saving sent reminders to Sent when `save_sent`.
fn account(server: &ImapServer, save_sent: bool) -> Setup {
    reading(server, save_sent)
}

/// A reminder sent by SMTP two hours ago: its id and Message-ID.
fn sent_reminder(s: &Setup) -> (i64, String) {
    let id = queue_reminder(s, Vec::new());
    let sent_at = (Utc::now() - chrono::Duration::hours(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    s.db.conn()
        .execute(
            "UPDATE messages SET state = 'sent', sent_at = ?2 WHERE id = ?1",
            rusqlite::params![id, sent_at],
        )
        .unwrap();
    let rfc_id = outbox::get(s.db.conn(), id).unwrap().rfc_message_id;
    (id, rfc_id.unwrap())
}

async fn sync(s: &Setup, server: &ImapServer) -> SyncReport {
    sync_account_mailbox(
        s.db.conn(),
        &s.secrets,
        &mailer_options(),
        &SyncOptions::new(Utc::now().date_naive()),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", server.log()))
}

fn sent_folder(report: &SyncReport) -> &FolderReport {
    let sent = report.folders.iter().find(|f| f.role == FolderRole::Sent);
    sent.unwrap()
}

fn filed_at(s: &Setup, id: i64) -> Option<String> {
    s.db.conn()
        .query_row(
            "SELECT filed_in_sent_at FROM messages WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
}

fn with_id<'a>(messages: &'a [FolderMessage], rfc_id: &str) -> Vec<&'a FolderMessage> {
    messages.iter().filter(|m| m.message_id == rfc_id).collect()
}

#[tokio::test]
async fn a_sent_reminder_is_saved_to_sent_once_seen_and_dated_when_it_was_sent() {
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let s = account(&server, true);
    let (id, rfc_id) = sent_reminder(&s);
    // Still queued: not sent, so not saved.
    let queued = queue_reminder(&s, Vec::new());

    let first = sync(&s, &server).await;
    assert_eq!(sent_folder(&first).filed, 1, "{first:?}");
    assert_eq!(sent_folder(&first).filing_stopped, None);
    assert!(filed_at(&s, id).is_some());
    assert_eq!(filed_at(&s, queued), None);
    let messages = server.messages("Sent");
    assert_eq!(messages.len(), 1, "{messages:?}");
    let saved = with_id(&messages, &rfc_id);
    assert_eq!(saved.len(), 1, "{messages:?}");
    assert!(saved[0].seen, "{messages:?}");
    let sent_at = outbox::get(s.db.conn(), id).unwrap().sent_at.unwrap();
    let sent_at = DateTime::parse_from_rfc3339(&sent_at).unwrap();
    let dated = saved[0].internal_date.unwrap();
    assert_eq!(
        dated.timestamp(),
        sent_at.timestamp(),
        "{dated} vs {sent_at}"
    );

    // The next sync reads the saved message back as ours and adds nothing.
    let second = sync(&s, &server).await;
    let sent = sent_folder(&second);
    assert_eq!((sent.filed, sent.already_kept), (0, 1), "{sent:?}");
    assert_eq!(with_id(&server.messages("Sent"), &rfc_id).len(), 1);
    // Nothing else in the mailbox was written: INBOX is untouched.
    assert!(server.messages("INBOX").is_empty());
}

#[tokio::test]
async fn a_reminder_the_provider_filed_itself_is_not_saved_again() {
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let s = account(&server, true);
    let (filed_by_provider, provider_id) = sent_reminder(&s);
    let (not_filed, our_id) = sent_reminder(&s);
    server.append(
        "Sent",
        &outbox::raw_mime(s.db.conn(), filed_by_provider).unwrap(),
    );

    let report = sync(&s, &server).await;
    let sent = sent_folder(&report);
    assert_eq!((sent.stored, sent.filed), (1, 1), "{sent:?}");
    assert!(filed_at(&s, filed_by_provider).is_some());
    assert!(filed_at(&s, not_filed).is_some());
    let messages = server.messages("Sent");
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(with_id(&messages, &provider_id).len(), 1, "{messages:?}");
    assert_eq!(with_id(&messages, &our_id).len(), 1, "{messages:?}");
}

#[tokio::test]
async fn with_the_option_off_nothing_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let s = account(&server, false);
    let (id, _) = sent_reminder(&s);

    let report = sync(&s, &server).await;
    assert_eq!(sent_folder(&report).filed, 0, "{report:?}");
    assert!(server.messages("Sent").is_empty());
    assert_eq!(filed_at(&s, id), None);
}

#[tokio::test]
async fn a_message_the_server_refuses_stops_saving_for_this_sync_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let s = account(&server, true);
    let (refused, _) = sent_reminder(&s);
    let (next, _) = sent_reminder(&s);
    // No bytes: Dovecot will not save an empty message.
    s.db.conn()
        .execute(
            "UPDATE messages SET raw_mime = X'' WHERE id = ?1",
            [refused],
        )
        .unwrap();

    let report = sync(&s, &server).await;
    let sent = sent_folder(&report);
    assert_eq!(sent.filed, 0, "{sent:?}");
    let why = sent.filing_stopped.as_deref().unwrap_or_default();
    assert!(
        why.starts_with("the server refused to save a sent message to Sent: "),
        "{sent:?}"
    );
    // Neither is marked: the next sync tries again.
    assert_eq!((filed_at(&s, refused), filed_at(&s, next)), (None, None));
    assert!(server.messages("Sent").is_empty());
}
