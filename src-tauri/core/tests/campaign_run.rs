//! Running campaigns: outbox messages with unique keys, reminder state, call tasks, delivery,
//! reruns and crashes that never duplicate, dry runs that write nothing.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::campaign::{self, run, Escalation, NewCampaign};
use duebook_core::mail::outbox::{self, MessageState};
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{
    block_on, customer, d, friendly_campaign_db, setup_mail, temp_db, StubMailer,
};

fn count(db: &Database, sql: &str) -> i64 {
    db.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_run_queues_delivers_records_state_and_creates_call_tasks() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    // Jumping: the message takes the tone of the most advanced step an invoice reached.
    let jumping = NewCampaign {
        escalation: Escalation::Jump,
        ..campaign::preset("friendly").unwrap()
    };
    let id = campaign::create(db.conn(), &jumping).unwrap();
    let (a, a_inv) = customer(
        &db,
        "Alpha",
        Some("a@alpha.example"),
        &["2026-04-05", "2026-03-11"],
    );
    let (p, _) = customer(&db, "Phone", None, &["2026-04-05"]);
    let path = dir.path().join("test.sqlite");
    let mailer = StubMailer::default();

    let report = block_on(run::run_due(&path, &mailer, d("2026-04-15"), false)).unwrap();
    let run = &report.campaigns[0];
    assert!(run.failed.is_empty(), "{:?}", run.failed);
    assert_eq!(run.messages.len(), 1);
    assert_eq!(run.tasks.len(), 1);
    assert_eq!(mailer.count(), 1);
    let delivery = report.delivery.as_ref().unwrap();
    assert_eq!(delivery.sent, run.messages);

    let msg = outbox::get(db.conn(), run.messages[0]).unwrap();
    assert_eq!(msg.state, MessageState::Sent);
    assert_eq!(msg.customer_id, Some(a));
    assert_eq!(msg.template_key.as_deref(), Some("overdue-2"));
    assert_eq!(
        msg.send_key.as_deref(),
        Some(format!("campaign:{id}:step:3:customer:{a}:2026-04-15").as_str())
    );
    let mut invs = msg.invoice_ids.clone();
    invs.sort();
    let mut want = a_inv.clone();
    want.sort();
    assert_eq!(invs, want, "the message lists every open invoice");
    let raw = String::from_utf8_lossy(&mailer.sent.lock().unwrap()[0]).to_string();
    assert!(raw.contains(&format!("INV-{a}-0")) && raw.contains(&format!("INV-{a}-1")));

    let states: Vec<(i64, i64, Option<i64>)> = db
        .conn()
        .prepare("SELECT invoice_id, step_position, message_id FROM invoice_reminders WHERE customer_id = ?1 ORDER BY invoice_id")
        .unwrap()
        .query_map([a], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        states,
        [(a_inv[0], 2, Some(msg.id)), (a_inv[1], 3, Some(msg.id))]
    );
    let task = duebook_core::store::tasks::get(db.conn(), run.tasks[0]).unwrap();
    assert_eq!(task.customer_id, p);
    assert!(task.title.contains("no email"), "{}", task.title);
    assert_eq!(count(&db, "SELECT count(*) FROM campaign_runs"), 1);

    // Same day again, and the next days: nothing new (gap, state).
    for day in ["2026-04-15", "2026-04-16", "2026-04-20"] {
        let again = block_on(run::run_due(&path, &mailer, d(day), false)).unwrap();
        assert!(again.campaigns[0].messages.is_empty(), "{day}");
        assert!(again.campaigns[0].tasks.is_empty(), "{day}");
    }
    assert_eq!(mailer.count(), 1);
    assert_eq!(count(&db, "SELECT count(*) FROM tasks"), 1);
}

#[test]
fn a_dry_run_writes_and_sends_nothing() {
    let (dir, db, _) = friendly_campaign_db();
    customer(&db, "Alpha", Some("a@alpha.example"), &["2026-04-05"]);
    customer(&db, "Phone", None, &["2026-04-05"]);
    let mailer = StubMailer::default();
    let path = dir.path().join("test.sqlite");
    let report = block_on(run::run_due(&path, &mailer, d("2026-04-15"), true)).unwrap();
    assert!(report.dry_run);
    assert_eq!(report.campaigns[0].plan.contacts.len(), 2);
    assert_eq!(mailer.count(), 0);
    for table in ["messages", "tasks", "invoice_reminders", "campaign_runs"] {
        assert_eq!(
            count(&db, &format!("SELECT count(*) FROM {table}")),
            0,
            "{table}"
        );
    }
}

#[test]
fn a_crash_between_enqueue_and_state_is_repaired_without_a_second_message() {
    let (dir, db, id) = friendly_campaign_db();
    let (a, inv) = customer(&db, "Alpha", Some("a@alpha.example"), &["2026-04-05"]);
    // Queue only (no delivery), then lose the state write, as if the process died there.
    let report = run::enqueue_due(&db, d("2026-04-15"), false).unwrap();
    let queued = report.campaigns[0].messages.clone();
    assert_eq!(queued.len(), 1);
    db.conn()
        .execute("DELETE FROM invoice_reminders", [])
        .unwrap();

    // Rerun on the same day: state is repaired from the key, nothing new is queued, and the
    // message left queued is delivered.
    let path = dir.path().join("test.sqlite");
    let mailer = StubMailer::default();
    let again = block_on(run::run_due(&path, &mailer, d("2026-04-15"), false)).unwrap();
    assert!(again.campaigns[0].messages.is_empty());
    assert_eq!(again.resumed, queued);
    assert_eq!(count(&db, "SELECT count(*) FROM invoice_reminders"), 1);

    // Lose the state again and rerun on a later day: reconcile restores it from the key.
    db.conn()
        .execute("DELETE FROM invoice_reminders", [])
        .unwrap();
    let later = block_on(run::run_due(&path, &mailer, d("2026-04-20"), false)).unwrap();
    assert!(later.campaigns[0].messages.is_empty());
    let (step, on): (i64, String) = db
        .conn()
        .query_row(
            "SELECT step_position, sent_on FROM invoice_reminders WHERE invoice_id = ?1 AND campaign_id = ?2",
            [inv[0], id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((step, on.as_str()), (2, "2026-04-15"));
    assert_eq!(mailer.count(), 1);
    let _ = a;

    // Without anything to repair from, the plan queues the same key again: the outbox finds
    // it taken, the existing message is reused and the state recorded.
    db.conn()
        .execute("DELETE FROM invoice_reminders", [])
        .unwrap();
    db.conn()
        .execute("DELETE FROM message_invoices", [])
        .unwrap();
    let direct = run::enqueue_due(&db, d("2026-04-15"), false).unwrap();
    assert_eq!(direct.campaigns[0].already_queued, queued);
    assert_eq!(direct.campaigns[0].messages, queued);
    assert_eq!(count(&db, "SELECT count(*) FROM messages"), 1);
    assert_eq!(count(&db, "SELECT count(*) FROM invoice_reminders"), 1);
    assert_eq!(mailer.count(), 1, "the queued message is delivered once");
    assert_eq!(count(&db, "SELECT count(*) FROM messages"), 1);
}

#[test]
fn catch_up_after_days_off_sends_once() {
    let (dir, db, _) = friendly_campaign_db();
    // Pre-due, overdue-1 and overdue-2 all passed while the machine was off: one message, at
    // the first overdue step (one step at a time, the default).
    customer(&db, "Alpha", Some("a@alpha.example"), &["2026-03-10"]);
    let path = dir.path().join("test.sqlite");
    let mailer = StubMailer::default();
    let report = block_on(run::run_due(&path, &mailer, d("2026-04-15"), false)).unwrap();
    assert_eq!(report.campaigns[0].messages.len(), 1);
    let m = outbox::get(db.conn(), report.campaigns[0].messages[0]).unwrap();
    assert_eq!(m.template_key.as_deref(), Some("overdue-1"));
    assert_eq!(mailer.count(), 1);
}

#[test]
fn send_keys_parse_back() {
    assert_eq!(
        campaign::parse_send_key("campaign:3:step:2:customer:41:2026-04-15"),
        Some((3, 2, 41, d("2026-04-15")))
    );
    assert_eq!(campaign::parse_send_key("manual:abc"), None);
}

#[test]
fn two_runners_at_once_never_duplicate() {
    let (dir, db, _) = friendly_campaign_db();
    for n in 0..30 {
        let due = if n % 2 == 0 {
            "2026-04-05"
        } else {
            "2026-03-01"
        };
        customer(
            &db,
            &format!("C{n}"),
            Some(&format!("c{n}@x.example")),
            &[due],
        );
    }
    let path = dir.path().join("test.sqlite");
    let mailer = std::sync::Arc::new(StubMailer::default());
    let runners: Vec<_> = (0..2)
        .map(|_| {
            let path = path.clone();
            let mailer = mailer.clone();
            std::thread::spawn(move || {
                block_on(run::run_due(&path, &*mailer, d("2026-04-15"), false)).unwrap()
            })
        })
        .collect();
    for r in runners {
        r.join().unwrap();
    }
    // Whatever a busy runner left queued, the next run sends.
    block_on(run::run_due(&path, &*mailer, d("2026-04-15"), false)).unwrap();
    assert_eq!(count(&db, "SELECT count(*) FROM messages"), 30);
    assert_eq!(
        count(&db, "SELECT count(DISTINCT customer_id) FROM messages"),
        30
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM messages WHERE state = 'sent'"),
        30
    );
    assert_eq!(mailer.count(), 30, "each message handed to SMTP once");
}

#[test]
fn a_message_left_sending_by_a_dead_runner_becomes_uncertain_not_resent() {
    let (dir, db, _) = friendly_campaign_db();
    customer(&db, "Alpha", Some("a@alpha.example"), &["2026-04-05"]);
    let queued = run::enqueue_due(&db, d("2026-04-15"), false)
        .unwrap()
        .campaigns[0]
        .messages
        .clone();
    // The runner claimed it and died before the server answered (no lease is held).
    db.conn()
        .execute("UPDATE messages SET state = 'sending', attempts = 1", [])
        .unwrap();

    let path = dir.path().join("test.sqlite");
    let mailer = StubMailer::default();
    let again = block_on(run::run_due(&path, &mailer, d("2026-04-15"), false)).unwrap();
    assert!(
        again.campaigns[0].messages.is_empty(),
        "nothing new to queue"
    );
    assert_eq!(again.delivery.unwrap().recovered, queued);
    assert_eq!(mailer.count(), 0, "never sent a second time on its own");
    let msg = outbox::get(db.conn(), queued[0]).unwrap();
    assert_eq!(msg.state, MessageState::Uncertain);
}
