//! `run-due` skips planning only while nothing a plan reads has changed: after a run that left
//! nothing to send, every kind of change (payment, promise, "stop" note, resolved dispute,
//! edited campaign, a new day, a queued message, ...) makes the next run plan again.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::campaign::run::{self, fingerprint};
use duebook_core::campaign::{self, Trigger};
use duebook_core::mail::compose;
use duebook_core::mail::outbox;
use duebook_core::model::{Currency, CustomerEdit, Money};
use duebook_core::store::payments::{self, ManualPayment};
use duebook_core::store::promises::{self, NewPromise};
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{
    block_on, customer, d, setup_mail, temp_db, StubMailer,
};
use duebook_core::test_support::mail::send_request;
use duebook_core::{store::customers, store::disputes, store::notes};
use std::path::PathBuf;

/// A Wednesday, 7 days after both invoices fell due: the "friendly" preset's step 2.
const DAY: &str = "2026-04-08";

/// A file whose run of DAY went out and left nothing to send: Alpha was emailed, Beta's only
/// invoice is disputed.
struct Settled {
    _dir: tempfile::TempDir,
    path: PathBuf,
    db: Database,
    campaign: i64,
    alpha: (i64, i64),
    beta_dispute: i64,
    mailer: StubMailer,
}

fn day() -> NaiveDate {
    d(DAY)
}

fn settled() -> Settled {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let (alpha, alpha_invoices) =
        customer(&db, "Alpha Ltd", Some("ap@alpha.example"), &["2026-04-01"]);
    let (_, beta_invoices) = customer(&db, "Beta GmbH", Some("ap@beta.example"), &["2026-04-01"]);
    let beta_dispute = disputes::open(db.conn(), beta_invoices[0], "wrong quantity").unwrap();
    let campaign = campaign::create(db.conn(), &campaign::preset("friendly").unwrap()).unwrap();
    let path = dir.path().join("test.sqlite");
    let mailer = StubMailer::default();
    let report = block_on(run::run_due(&path, &mailer, day(), false)).unwrap();
    assert_eq!(report.campaigns[0].messages.len(), 1, "Alpha is emailed");
    assert_eq!(mailer.count(), 1);
    assert!(
        fingerprint::unchanged_since(db.conn(), day())
            .unwrap()
            .is_some(),
        "the run recorded that nothing is left to send"
    );
    Settled {
        _dir: dir,
        path,
        db,
        campaign,
        alpha: (alpha, alpha_invoices[0]),
        beta_dispute,
        mailer,
    }
}

/// After `change`, the next run of DAY must plan again.
fn plans_again_after(change: impl FnOnce(&Settled)) {
    let s = settled();
    change(&s);
    assert_eq!(
        fingerprint::unchanged_since(s.db.conn(), day()).unwrap(),
        None,
        "a change must make the next run plan"
    );
}

#[test]
fn an_unchanged_file_is_recognised_and_a_real_run_settles_again() {
    let s = settled();
    // Reading (opening the file again, planning, previewing) changes nothing.
    let again = Database::open(&s.path).unwrap();
    campaign::plan::plan(again.conn(), s.campaign, day()).unwrap();
    assert!(fingerprint::unchanged_since(again.conn(), day())
        .unwrap()
        .is_some());
    // A run with nothing to send keeps it recorded.
    block_on(run::run_due(&s.path, &s.mailer, day(), false)).unwrap();
    assert_eq!(s.mailer.count(), 1, "nothing sent twice");
    assert!(fingerprint::unchanged_since(s.db.conn(), day())
        .unwrap()
        .is_some());
}

#[test]
fn a_change_that_makes_a_send_due_is_sent_by_the_next_run() {
    let s = settled();
    disputes::resolve(s.db.conn(), s.beta_dispute, "credit note agreed").unwrap();
    let report = block_on(run::run_due(&s.path, &s.mailer, day(), false)).unwrap();
    assert_eq!(report.campaigns[0].messages.len(), 1, "Beta is emailed now");
    assert_eq!(s.mailer.count(), 2);
}

#[test]
fn a_new_day_plans_again() {
    let s = settled();
    let next = day().succ_opt().unwrap();
    assert_eq!(
        fingerprint::unchanged_since(s.db.conn(), next).unwrap(),
        None
    );
}

#[test]
fn a_new_payment_plans_again() {
    plans_again_after(|s| {
        let payment = ManualPayment {
            invoice_id: s.alpha.1,
            amount: "10.00".into(),
            paid_on: day(),
            reference: None,
        };
        payments::record_manual(s.db.conn(), &payment, day()).unwrap();
    });
}

#[test]
fn a_new_promise_plans_again() {
    plans_again_after(|s| {
        let promise = NewPromise {
            customer_id: s.alpha.0,
            invoice_id: Some(s.alpha.1),
            amount: Money::new(5_000, Currency::parse("EUR").unwrap()),
            promised_date: d("2026-04-20"),
        };
        promises::add(s.db.conn(), &promise, day()).unwrap();
    });
}

#[test]
fn a_stop_note_plans_again() {
    plans_again_after(|s| {
        notes::add(s.db.conn(), s.alpha.0, "stop").unwrap();
    });
}

#[test]
fn a_resolved_dispute_plans_again() {
    plans_again_after(|s| {
        disputes::resolve(s.db.conn(), s.beta_dispute, "sorted").unwrap();
    });
}

#[test]
fn an_edited_campaign_plans_again() {
    plans_again_after(|s| {
        let mut edited = campaign::preset("friendly").unwrap();
        edited.steps[1].trigger = Trigger::DueOffset(5);
        campaign::update(s.db.conn(), s.campaign, &edited).unwrap();
    });
}

#[test]
fn a_campaign_switched_off_plans_again() {
    plans_again_after(|s| {
        campaign::set_active(s.db.conn(), s.campaign, false).unwrap();
    });
}

#[test]
fn a_queued_message_plans_again() {
    plans_again_after(|s| {
        let request = send_request(s.alpha.0, "overdue-2", Vec::new());
        let prepared = compose::prepare(s.db.conn(), &request, day()).unwrap();
        outbox::enqueue_prepared(s.db.conn(), &prepared, None).unwrap();
    });
}

#[test]
fn do_not_contact_and_tags_plan_again() {
    plans_again_after(|s| {
        customers::edit(s.db.conn(), s.alpha.0, &CustomerEdit::DoNotContact(true)).unwrap();
    });
    plans_again_after(|s| {
        let tags = CustomerEdit::Tags(vec!["key account".into()]);
        customers::edit(s.db.conn(), s.alpha.0, &tags).unwrap();
    });
}

#[test]
fn a_changed_contact_plans_again() {
    plans_again_after(|s| {
        s.db.conn()
            .execute(
                "UPDATE contacts SET email_bad = 1 WHERE customer_id = ?1",
                [s.alpha.0],
            )
            .unwrap();
    });
}

#[test]
fn an_invoice_edited_without_its_timestamp_plans_again() {
    // Exact where timestamps are not: an update that keeps `updated_at` still counts.
    plans_again_after(|s| {
        s.db.conn()
            .execute(
                "UPDATE invoices SET due_date = '2026-03-01' WHERE id = ?1",
                [s.alpha.1],
            )
            .unwrap();
    });
}

#[test]
fn a_deleted_and_reinserted_note_plans_again() {
    // Same count and same largest rowid afterwards: still a change.
    plans_again_after(|s| {
        let conn = s.db.conn();
        let id = notes::add(conn, s.alpha.0, "called, no answer").unwrap();
        notes::delete(conn, id).unwrap();
    });
}

#[test]
fn a_setting_plans_again() {
    plans_again_after(|s| {
        campaign::plan::set_stale_after_days(s.db.conn(), 30).unwrap();
    });
}

#[test]
fn changed_reminder_state_plans_again() {
    plans_again_after(|s| {
        s.db.conn()
            .execute(
                "UPDATE invoice_reminders SET sent_on = '2026-04-01' WHERE customer_id = ?1",
                [s.alpha.0],
            )
            .unwrap();
    });
}

#[test]
fn quiet_days_are_known_without_planning() {
    let s = settled();
    let saturday = d("2026-04-11");
    let quiet = run::quiet_everywhere(s.db.conn(), saturday)
        .unwrap()
        .unwrap();
    assert_eq!(quiet.len(), 1);
    assert!(quiet[0].1.contains("weekend"), "{}", quiet[0].1);
    assert!(run::quiet_everywhere(s.db.conn(), day()).unwrap().is_none());
    let mut weekdays = campaign::preset("friendly").unwrap();
    weekdays.quiet_weekends = false;
    campaign::update(s.db.conn(), s.campaign, &weekdays).unwrap();
    assert!(run::quiet_everywhere(s.db.conn(), saturday)
        .unwrap()
        .is_none());
}

#[test]
fn an_insert_alone_plans_again() {
    // Inserts fire no trigger (imports stay fast): the row count tells them. A bare INSERT,
    // as another program could write it, touches nothing else.
    plans_again_after(|s| {
        s.db.conn()
            .execute(
                "INSERT INTO notes (customer_id, body, created_at, updated_at)
                 VALUES (?1, 'stop', '2026-04-08T09:00:00Z', '2026-04-08T09:00:00Z')",
                [s.alpha.0],
            )
            .unwrap();
    });
}

/// An insert with REPLACE conflict resolution deletes the row it replaces without firing the
/// delete trigger that keeps the fingerprint exact (recursive triggers are off), so the code
/// must not use one.
#[test]
fn no_code_replaces_rows_behind_the_fingerprint() {
    fn sources(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs" || e == "sql") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    sources(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 20, "the sources were not found");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap().to_uppercase();
        for banned in ["OR REPLACE", "REPLACE INTO"] {
            assert!(
                !text.contains(banned),
                "{} uses {banned}: use INSERT ... ON CONFLICT DO UPDATE",
                file.display()
            );
        }
    }
}
