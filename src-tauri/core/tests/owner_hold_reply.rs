//! An account owner answers an owner notice with "Hold: …" (issue 20, part 2): the mailbox sync
//! against a real Dovecot holds the customer with that reason, keeps nothing of the owner's mail
//! as the customer's, and leaves the same words from anyone else to the usual reading.
#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::{NaiveDate, Utc};
use duebook_core::campaign;
use duebook_core::mail::imap::{FolderRole, SyncOptions};
use duebook_core::mail::sync_account_mailbox;
use duebook_core::model::Owner;
use duebook_core::store::{account_owners, customers};
use duebook_core::test_support::imap::{reading, ImapServer};
use duebook_core::test_support::inbound::written_on;
use duebook_core::test_support::mail::{mailer_options, queue_reminder, Setup};

const NOTICE_ID: &str = "<notice.1@northwind.example>";

/// An owner notice about the setup's customer, sent with `NOTICE_ID`, to its owner Sam.
fn notice_to_sam(s: &Setup) {
    let conn = s.db.conn();
    let owner = Owner::parse("owner", "Sam Lee <sam@northwind.example>").unwrap();
    customers::set_owner(conn, &[s.customer], owner.as_ref()).unwrap();
    let campaign_id = campaign::create(conn, &campaign::preset("friendly").unwrap()).unwrap();
    let message = queue_reminder(s, Vec::new());
    conn.execute(
        "UPDATE messages SET rfc_message_id = ?2, customer_id = NULL, template_key = 'owner-notice'
         WHERE id = ?1",
        rusqlite::params![message, NOTICE_ID],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO owner_notices (campaign_id, step_position, period, invoice_id, customer_id,
                                    notified_on, step_on, message_id)
         SELECT ?1, 3, '', id, customer_id, '2026-03-10', '2026-03-13', ?2 FROM invoices
         WHERE customer_id = ?3 LIMIT 1",
        rusqlite::params![campaign_id, message, s.customer],
    )
    .unwrap();
}

fn reply(from: &str, body: &str) -> Vec<u8> {
    let day = NaiveDate::from_ymd_opt(2026, 3, 11).unwrap();
    let answering = format!("In-Reply-To: {NOTICE_ID}");
    written_on(
        day,
        from,
        "Re: Acme Ltd: overdue-2 goes out on 13 Mar",
        &[&answering],
        body,
    )
}

#[tokio::test]
async fn the_owners_hold_reply_holds_the_customer_and_nobody_elses_does() {
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let s = reading(&server, false);
    notice_to_sam(&s);
    // Someone else quoting the notice with the same word is not the owner.
    server.append(
        "INBOX",
        &reply("eve@elsewhere.example", "Hold: stop everything"),
    );
    server.append(
        "INBOX",
        &reply(
            "Sam.Lee <SAM@northwind.example>",
            "Hold: renewal under negotiation\n\n> On 10 Mar ...",
        ),
    );
    let options = SyncOptions::new(Utc::now().date_naive());
    let report = sync_account_mailbox(s.db.conn(), &s.secrets, &mailer_options(), &options)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    let inbox = report
        .folders
        .iter()
        .find(|f| f.role == FolderRole::Inbox)
        .unwrap();
    assert_eq!(inbox.owner_holds, 1, "{inbox:?}");
    assert_eq!(
        account_owners::held(s.db.conn(), s.customer)
            .unwrap()
            .as_deref(),
        Some("renewal under negotiation")
    );
    let kept: i64 =
        s.db.conn()
            .query_row(
                "SELECT count(*) FROM messages WHERE direction = 'in' AND from_addr LIKE '%sam@%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(kept, 0, "the owner's mail is not kept as the customer's");
    let history: String =
        s.db.conn()
            .query_row(
                "SELECT summary FROM activity WHERE customer_id = ?1 AND kind = 'owner_hold'",
                [s.customer],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(history, "Held by the owner: renewal under negotiation");
}
