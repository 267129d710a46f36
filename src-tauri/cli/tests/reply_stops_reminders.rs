//! The promise, end to end with the real binaries and servers: `run-due` sends a reminder
//! (aiosmtpd), the customer answers it into the real mailbox (Dovecot), `duebook inbox sync`
//! reads the answer, and `run-due --today` a few days later reminds the customer who stayed
//! silent but sends nothing to the one who replied, while the plan says why. Run through
//! scripts/with-test-services.sh.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use chrono::NaiveDate;
use duebook_core::test_support::imap::ImapServer;
use duebook_core::test_support::inbound::{last_sent_id, written_on};
use duebook_core::test_support::mail::SmtpServer;
use support::campaign::campaign_file;
use support::{duebook_smtp as duebook, ok_text, read_replies_from};

#[test]
fn a_reply_read_from_the_mailbox_stops_the_next_reminder_and_the_plan_says_why() {
    let smtp = SmtpServer::start("accept", &tempfile::tempdir().unwrap().keep());
    let imap_dir = tempfile::tempdir().unwrap();
    let imap = ImapServer::start(imap_dir.path(), None);
    let (_dir, path) = campaign_file(2, &smtp);
    read_replies_from(&path, imap.port);

    // Both customers get their first overdue reminder.
    ok_text(&duebook(&path, &["run-due", "--today", "2026-04-15"], None));
    let to = |address: &str| {
        smtp.received()
            .iter()
            .filter(|m| m["rcpt_tos"].to_string().contains(address))
            .count()
    };
    assert_eq!((to("c0@x.example"), to("c1@x.example")), (1, 1));

    // Customer 0 answers it on 1 May; the sync reads the answer.
    let db = duebook_core::store::Database::open(&path).unwrap();
    let answered = format!("In-Reply-To: {}", last_sent_id(&db, 1));
    let day = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
    let body = "We paid half on Friday, the rest follows next week.";
    imap.append(
        "INBOX",
        &written_on(day, "c0@x.example", "Re: reminder", &[&answered], body),
    );
    let synced = ok_text(&duebook(&path, &["inbox", "sync", "--json"], None));
    let report: serde_json::Value = serde_json::from_str(&synced).unwrap();
    assert_eq!(report["folders"][0]["replies"], 1, "{synced}");

    // A few days later the next step is due for both: only the silent customer gets it.
    let plan = ok_text(&duebook(
        &path,
        &["campaigns", "plan", "1", "--today", "2026-05-06"],
        None,
    ));
    assert!(plan.contains("waiting: replied on 2026-05-01"), "{plan}");
    ok_text(&duebook(&path, &["run-due", "--today", "2026-05-06"], None));
    assert_eq!((to("c0@x.example"), to("c1@x.example")), (1, 2));
    // Syncing again changes nothing.
    let again = ok_text(&duebook(&path, &["inbox", "sync", "--json"], None));
    let report: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(report["folders"][0]["stored"], 0, "{again}");
}
