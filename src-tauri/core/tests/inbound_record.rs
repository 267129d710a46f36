//! What a matched inbound message changes, in a real database: a reply is kept with a Today
//! task, a permanent bounce marks the address bad and asks for a call, a temporary one and an
//! out-of-office only are kept, the same message twice changes nothing the second time, and an
//! unmatched message leaves no trace.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::mail::inbound::{decide, record, Recorded};
use duebook_core::mail::security::Security;
use duebook_core::store::{contacts, tasks};
use duebook_core::test_support::inbound::{fixture, message, reminder_with_id, REMINDER_ID};
use duebook_core::test_support::mail::{setup_for, Setup};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 14).unwrap()
}

fn acme() -> (Setup, i64) {
    let s = setup_for(2525, Security::None, "Acme Ltd", "jordan@acme.example");
    let reminder = reminder_with_id(&s, REMINDER_ID);
    (s, reminder)
}

fn keep(s: &Setup, raw: &[u8]) -> Recorded {
    let decision = decide(s.db.conn(), raw).unwrap();
    record(s.db.conn(), &decision, raw, today()).unwrap()
}

fn count(s: &Setup, sql: &str) -> i64 {
    s.db.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_reply_is_kept_once_with_one_task_to_read_it() {
    let (s, reminder) = acme();
    let raw = fixture("reply-gmail-paid.eml");
    let Recorded::Stored { id } = keep(&s, &raw) else {
        panic!("not stored")
    };
    let (kind, rule, answers, hint, customer): (String, String, i64, bool, i64) =
        s.db.conn()
            .query_row(
                "SELECT inbound_kind, match_rule, answers_id, paid_hint, customer_id FROM messages
             WHERE id = ?1 AND direction = 'in' AND state = 'received'",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
    assert_eq!(
        (kind.as_str(), rule.as_str(), answers, hint, customer),
        ("reply", "reply_headers", reminder, true, s.customer)
    );
    let open = tasks::for_customer(s.db.conn(), s.customer).unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert!(
        open[0].title.starts_with("Reply from "),
        "{}",
        open[0].title
    );
    assert!(
        open[0].title.contains("read and decide"),
        "{}",
        open[0].title
    );
    assert_eq!(open[0].due_date, today());

    // Found again (another folder, a new UIDVALIDITY): nothing changes.
    assert_eq!(keep(&s, &raw), Recorded::AlreadyKept { id });
    assert_eq!(
        tasks::for_customer(s.db.conn(), s.customer).unwrap().len(),
        1
    );
    assert_eq!(
        count(&s, "SELECT count(*) FROM messages WHERE direction = 'in'"),
        1
    );
}

#[test]
fn a_hard_bounce_marks_the_address_bad_and_asks_for_a_call() {
    let (s, _) = acme();
    assert!(matches!(
        keep(&s, &fixture("dsn-postfix-hard.eml")),
        Recorded::Stored { .. }
    ));
    let contact = &contacts::for_customer(s.db.conn(), s.customer).unwrap()[0];
    let (bad, reason): (bool, String) =
        s.db.conn()
            .query_row(
                "SELECT email_bad, email_bad_reason FROM contacts WHERE id = ?1",
                [contact.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
    assert!(bad);
    assert!(reason.contains("5.1.1"), "{reason}");
    let open = tasks::for_customer(s.db.conn(), s.customer).unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert!(
        open[0].title.contains("jordan@acme.example"),
        "{}",
        open[0].title
    );
    assert_eq!(count(&s, "SELECT has_email FROM customers"), 0);
    // The report's parts say what they are.
    let names: Vec<String> =
        s.db.conn()
            .prepare("SELECT file_name FROM message_attachments ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
    assert_eq!(
        names,
        ["delivery report.txt", "returned message.eml"],
        "{names:?}"
    );
}

#[test]
fn a_soft_bounce_and_an_out_of_office_are_kept_and_change_nothing_else() {
    let (s, _) = acme();
    for name in ["dsn-gmail-soft.eml", "ooo-de.eml"] {
        assert!(
            matches!(keep(&s, &fixture(name)), Recorded::Stored { .. }),
            "{name}"
        );
    }
    assert!(tasks::for_customer(s.db.conn(), s.customer)
        .unwrap()
        .is_empty());
    assert_eq!(
        count(&s, "SELECT count(*) FROM contacts WHERE email_bad = 1"),
        0
    );
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM messages WHERE return_date IS NOT NULL"
        ),
        1
    );
}

#[test]
fn an_unmatched_message_leaves_no_trace() {
    let (s, _) = acme();
    let before = count(&s, "SELECT total_changes()");
    let raw = message("stranger@elsewhere.example", "Lunch on Friday?", &[]);
    assert_eq!(keep(&s, &raw), Recorded::Unmatched);
    assert_eq!(count(&s, "SELECT total_changes()"), before);
    assert_eq!(
        count(&s, "SELECT count(*) FROM messages WHERE direction = 'in'"),
        0
    );
}

#[test]
fn two_syncs_at_once_keep_each_message_once() {
    // The app's sync and `duebook inbox sync` from cron, on two connections to one file.
    let (s, _) = acme();
    let path = s.db.path().to_path_buf();
    let replies: Vec<Vec<u8>> = (0..40)
        .map(|n| {
            let subject = format!("Re: Reminder {n}");
            message("jordan@acme.example", &subject, &[])
        })
        .collect();
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let (path, replies) = (path.clone(), replies.clone());
            std::thread::spawn(move || {
                let db = duebook_core::store::Database::open(&path).unwrap();
                for raw in &replies {
                    let decision = decide(db.conn(), raw).unwrap();
                    record(db.conn(), &decision, raw, today()).unwrap();
                }
            })
        })
        .collect();
    for run in runs {
        run.join().expect("a sync failed");
    }
    assert_eq!(
        count(&s, "SELECT count(*) FROM messages WHERE direction = 'in'"),
        40
    );
    assert_eq!(count(&s, "SELECT count(*) FROM tasks"), 40);
}
