//! Syncing the mailbox against a real Dovecot (tests/servers/imap_server.py): a reply in INBOX
//! is kept and matched once however often the sync runs, unmatched mail leaves no trace, a
//! message too large to read is skipped with its reason (malformed MIME is read as far as it
//! goes), a new UIDVALIDITY reads the folder again without duplicates, the look-back window
//! leaves older mail out, the Sent folder settles an uncertain message, nothing in the mailbox
//! is flagged \Seen, and IDLE wakes for new mail.
#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::{NaiveDate, Utc};
use duebook_core::mail::imap::{FolderReport, FolderRole, SyncOptions, SyncReport};
use duebook_core::mail::{outbox, sync_account_mailbox, wait_for_account_mail};
use duebook_core::store::tasks;
use duebook_core::test_support::imap::{reading, ImapServer};
use duebook_core::test_support::inbound::{
    fixture, message, oversized, reminder_with_id, REMINDER_ID,
};
use duebook_core::test_support::mail::{mailer_options, queue_reminder, Setup};
use std::time::{Duration, Instant};

/// Acme's reminder in the outbox (the fixtures answer it), the account reading `server`.
fn acme(server: &ImapServer) -> (Setup, i64) {
    let s = reading(server, false);
    let reminder = reminder_with_id(&s, REMINDER_ID);
    (s, reminder)
}

fn today() -> NaiveDate {
    // The server dates each APPEND today: the window is counted from the real day.
    Utc::now().date_naive()
}

async fn sync(s: &Setup, server: &ImapServer) -> SyncReport {
    sync_account_mailbox(
        s.db.conn(),
        &s.secrets,
        &mailer_options(),
        &SyncOptions::new(today()),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", server.log()))
}

fn folder(report: &SyncReport, role: FolderRole) -> &FolderReport {
    report.folders.iter().find(|f| f.role == role).unwrap()
}

fn count(s: &Setup, sql: &str) -> i64 {
    s.db.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// A message nobody in the books sent.
fn stranger(subject: &str) -> Vec<u8> {
    message("newsletter@shop.example", subject, &[])
}

#[tokio::test]
async fn a_reply_is_kept_once_unmatched_mail_leaves_no_trace_and_nothing_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let (s, reminder) = acme(&server);
    server.append("INBOX", &stranger("Spring sale: 20 % off"));
    server.append("INBOX", &fixture("reply-gmail-paid.eml"));
    server.append("INBOX", &fixture("ooo-en.eml"));

    let first = sync(&s, &server).await;
    let inbox = folder(&first, FolderRole::Inbox);
    assert_eq!(
        (inbox.fetched, inbox.stored, inbox.unmatched, inbox.skipped),
        (3, 2, 1, 0),
        "{inbox:?}"
    );
    assert_eq!((inbox.replies, inbox.auto_replies), (1, 1), "{inbox:?}");
    assert_eq!(folder(&first, FolderRole::Sent).folder, "Sent");
    let answers: i64 = count(
        &s,
        "SELECT answers_id FROM messages WHERE inbound_kind = 'reply'",
    );
    assert_eq!(answers, reminder);
    assert_eq!(
        count(&s, "SELECT count(*) FROM messages WHERE direction = 'in'"),
        2
    );
    // The unmatched message: not a byte of it in the database.
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM messages WHERE subject LIKE '%Spring sale%'
             OR from_addr LIKE '%shop.example%' OR raw_mime LIKE '%Spring sale%'"
        ),
        0
    );
    let tasks_after_first = tasks::for_customer(s.db.conn(), s.customer).unwrap().len();
    assert_eq!(tasks_after_first, 1);

    let second = sync(&s, &server).await;
    let inbox = folder(&second, FolderRole::Inbox);
    assert_eq!(
        (inbox.fetched, inbox.stored, inbox.resynced),
        (0, 0, false),
        "{inbox:?}"
    );
    assert_eq!(
        count(&s, "SELECT count(*) FROM messages WHERE direction = 'in'"),
        2
    );
    assert_eq!(
        tasks::for_customer(s.db.conn(), s.customer).unwrap().len(),
        tasks_after_first
    );
    assert_eq!(
        server.seen("INBOX"),
        Vec::<u32>::new(),
        "the sync flagged messages \\Seen"
    );
}

#[tokio::test]
async fn a_message_too_large_to_read_is_skipped_by_its_size_and_the_next_ones_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let (s, _) = acme(&server);
    server.append("INBOX", &oversized());
    server.append("INBOX", &fixture("malformed.eml"));
    server.append("INBOX", &fixture("reply-outlook.eml"));

    let report = sync(&s, &server).await;
    let inbox = folder(&report, FolderRole::Inbox);
    // Skipped by its RFC822.SIZE: never downloaded, so not counted as read.
    assert_eq!(
        (inbox.skipped, inbox.fetched, inbox.stored),
        (1, 2, 2),
        "{inbox:?}"
    );
    assert_eq!(inbox.skipped_reasons.len(), 1);
    assert_eq!(inbox.skipped_reasons[0].uid, 1);
    assert!(
        inbox.skipped_reasons[0]
            .reason
            .contains("larger than the 50 MB read"),
        "{:?}",
        inbox.skipped_reasons
    );
    // Malformed MIME is read as far as it goes and kept (it answers our reminder).
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM messages WHERE rfc_message_id = '<broken.1@acme.example>'"
        ),
        1
    );
    // Skipped for good: the next sync does not look at it again.
    let again = sync(&s, &server).await;
    assert_eq!(folder(&again, FolderRole::Inbox).skipped, 0);
}

#[tokio::test]
async fn a_new_uid_validity_reads_the_folder_again_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let (s, _) = acme(&server);
    server.append("INBOX", &fixture("reply-gmail-paid.eml"));
    server.append("INBOX", &stranger("Your parcel"));
    assert_eq!(
        folder(&sync(&s, &server).await, FolderRole::Inbox).stored,
        1
    );
    let tasks_before = tasks::for_customer(s.db.conn(), s.customer).unwrap().len();

    server.change_uid_validity("INBOX", 4242);
    server.append("INBOX", &fixture("reply-apple.eml"));
    let report = sync(&s, &server).await;
    let inbox = folder(&report, FolderRole::Inbox);
    assert!(inbox.resynced, "{inbox:?}");
    assert_eq!(
        (
            inbox.fetched,
            inbox.already_kept,
            inbox.stored,
            inbox.unmatched
        ),
        (3, 1, 1, 1),
        "{inbox:?}"
    );
    let validity: i64 = count(
        &s,
        "SELECT uid_validity FROM mailbox_folders WHERE folder = 'INBOX'",
    );
    assert_eq!(validity, 4242);
    assert_eq!(
        count(&s, "SELECT count(*) FROM messages WHERE direction = 'in'"),
        2
    );
    assert_eq!(
        tasks::for_customer(s.db.conn(), s.customer).unwrap().len(),
        tasks_before + 1,
        "the reply kept before made a second task"
    );
}

#[tokio::test]
async fn the_look_back_window_leaves_older_mail_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let (s, _) = acme(&server);
    server.append_all(
        "INBOX",
        vec![
            (
                fixture("reply-outlook.eml"),
                Some("01-Jan-2020 10:00:00 +0000".into()),
            ),
            (fixture("reply-apple.eml"), None),
        ],
    );
    let mut options = SyncOptions::new(today());
    options.lookback_days = 30;
    let report = sync_account_mailbox(s.db.conn(), &s.secrets, &mailer_options(), &options)
        .await
        .unwrap();
    let inbox = folder(&report, FolderRole::Inbox);
    assert_eq!((inbox.fetched, inbox.stored), (1, 1), "{inbox:?}");
    let kept: String =
        s.db.conn()
            .query_row(
                "SELECT from_addr FROM messages WHERE direction = 'in'",
                [],
                |r| r.get(0),
            )
            .unwrap();
    assert!(!kept.is_empty());
    assert_eq!(
        count(&s, "SELECT count(*) FROM messages WHERE direction = 'in'"),
        1
    );
    // Its place is past the old message: a later sync does not fetch it either.
    assert_eq!(
        folder(&sync(&s, &server).await, FolderRole::Inbox).fetched,
        0
    );
}

#[tokio::test]
async fn an_uncertain_message_found_in_the_sent_folder_is_marked_sent_with_the_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let (s, reminder) = acme(&server);
    // Filed in Sent by the provider as it was sent: its own bytes, its own Message-ID.
    let sent = queue_reminder(&s, Vec::new());
    s.db.conn()
        .execute(
            "UPDATE messages SET state = 'uncertain' WHERE id IN (?1, ?2)",
            [reminder, sent],
        )
        .unwrap();
    server.append("Sent", &outbox::raw_mime(s.db.conn(), sent).unwrap());
    server.append(
        "Sent",
        &message("ar@northwind.example", "Lunch on Friday?", &[]),
    );

    let report = sync(&s, &server).await;
    let sent_folder = folder(&report, FolderRole::Sent);
    assert_eq!(
        (
            sent_folder.fetched,
            sent_folder.stored,
            sent_folder.unmatched,
            sent_folder.uncertain_resolved
        ),
        (2, 1, 1, 1),
        "{sent_folder:?}"
    );
    let found = outbox::get(s.db.conn(), sent).unwrap();
    assert_eq!(found.state, outbox::MessageState::Sent);
    let reason: String =
        s.db.conn()
            .query_row(
                "SELECT failure_reason || ' / ' || filed_in_sent_at FROM messages WHERE id = ?1",
                [sent],
                |r| r.get(0),
            )
            .unwrap();
    assert!(
        reason.starts_with(&format!(
            "Found in the mailbox's Sent folder on {}",
            today()
        )),
        "{reason}"
    );
    // The one not in the Sent folder stays uncertain: the user is asked, nothing is resent.
    assert_eq!(
        outbox::get(s.db.conn(), reminder).unwrap().state,
        outbox::MessageState::Uncertain
    );
    assert_eq!(
        count(&s, "SELECT count(*) FROM messages WHERE direction = 'in'"),
        0
    );
    let again = sync(&s, &server).await;
    assert_eq!(folder(&again, FolderRole::Sent).fetched, 0);
    assert_eq!(server.seen("Sent"), Vec::<u32>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_new_mail_wakes_when_a_message_arrives_and_not_before() {
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let (s, _) = acme(&server);
    let quiet = wait_for_account_mail(
        s.db.conn(),
        &s.secrets,
        &mailer_options(),
        Duration::from_millis(1500),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    assert!(!quiet, "woke with nothing new");

    let started = Instant::now();
    let options = mailer_options();
    let waiting = wait_for_account_mail(s.db.conn(), &s.secrets, &options, Duration::from_secs(30));
    let arriving = async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let raw = fixture("reply-apple.eml");
        let server = &server;
        tokio::task::block_in_place(|| server.append("INBOX", &raw));
    };
    let (woke, ()) = tokio::join!(waiting, arriving);
    assert!(woke.unwrap(), "did not wake");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        folder(&sync(&s, &server).await, FolderRole::Inbox).stored,
        1
    );
}

/// A reply to our reminder with a `size`-byte PDF attached (base64, as mail carries it).
fn reply_with_attachment(size: usize) -> Vec<u8> {
    use base64::Engine;
    let pdf: Vec<u8> = b"%PDF-1.4\n".iter().copied().cycle().take(size).collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&pdf);
    let mut raw = format!(
        "From: jordan@acme.example\r\nTo: ar@northwind.example\r\nSubject: Re: Reminder\r\n\
         Date: Tue, 13 Jan 2026 10:00:00 +0000\r\nMessage-ID: <big.1@acme.example>\r\n\
         In-Reply-To: {REMINDER_ID}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nAll our scans attached.\r\n--b1\r\n\
         Content-Type: application/pdf; name=\"scans.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"scans.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n"
    );
    for line in encoded.as_bytes().chunks(76) {
        raw.push_str(std::str::from_utf8(line).unwrap());
        raw.push_str("\r\n");
    }
    raw.push_str("--b1--\r\n");
    raw.into_bytes()
}

#[tokio::test]
async fn a_reply_with_a_20_mb_attachment_is_kept_and_its_attachment_opens_whole() {
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let (s, _) = acme(&server);
    let size = 20 * 1024 * 1024;
    server.append("INBOX", &reply_with_attachment(size));
    server.append("INBOX", &fixture("reply-outlook.eml"));

    let report = sync(&s, &server).await;
    let inbox = folder(&report, FolderRole::Inbox);
    assert_eq!((inbox.stored, inbox.skipped), (2, 0), "{inbox:?}");
    let (attachment, listed): (i64, i64) =
        s.db.conn()
            .query_row(
                "SELECT id, size_bytes FROM message_attachments WHERE file_name = 'scans.pdf'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
    assert_eq!(listed, size as i64);
    let file =
        duebook_core::mail::inbound::attachment::extract(s.db.conn(), s.customer, attachment)
            .unwrap();
    assert_eq!(
        (file.file_name.as_str(), file.bytes.len()),
        ("scans.pdf", size)
    );
    assert!(file.bytes.starts_with(b"%PDF-1.4"));
}
