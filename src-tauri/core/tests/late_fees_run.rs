//! 120 days of `run-due` with late fees: charges are recorded on the reminders past the grace
//! period only (a fee once per invoice, interest as of each reminder's day, to the cent), none
//! when the campaign has no late fees, and a statutory rate that is not set stops the run
//! before anything is queued. A reminder that cannot be queued, or that is cancelled, leaves no
//! charges behind (a waived one stays).

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::campaign::fees::{simple_interest, InterestRate};
use duebook_core::campaign::{self, run, LateFees};
use duebook_core::mail::outbox;
use duebook_core::store::charges;
use duebook_core::test_support::campaign::{
    block_on, customer, d, friendly_campaign_db, setup_mail, simulate, store_raw, temp_db,
    StubMailer, INJECTED, POISONED_NAME,
};

fn late_fees(interest: InterestRate) -> LateFees {
    LateFees {
        fee_minor: Some(4000),
        interest: Some(interest),
        grace_days: 10,
    }
}

#[test]
fn charges_go_on_the_reminders_past_the_grace_period_only() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let mut friendly = campaign::preset("friendly").unwrap();
    friendly.late_fees = Some(late_fees(InterestRate::Annual { basis_points: 800 }));
    campaign::create(db.conn(), &friendly).unwrap();
    let due = "2026-07-15";
    let (who, invoices) = customer(&db, "A single", Some("a@a.example"), &[due]);
    let path = dir.path().join("test.sqlite");
    let log = simulate(&path, d("2026-07-01"), 120, &StubMailer::default());

    let reminded: Vec<NaiveDate> = log
        .iter()
        .filter(|(_, c, _, _)| *c == who)
        .map(|(day, _, _, _)| *day)
        .collect();
    let past_grace: Vec<NaiveDate> = reminded
        .iter()
        .copied()
        .filter(|day| (*day - d(due)).num_days() > 10)
        .collect();
    assert!(reminded.len() > past_grace.len(), "{reminded:?}");
    assert!(past_grace.len() >= 2, "{reminded:?}");

    let stored = charges::of_invoice(db.conn(), invoices[0]).unwrap();
    let fees: Vec<_> = stored.iter().filter(|c| c.kind == "fee").collect();
    assert_eq!(fees.len(), 1, "{stored:?}");
    assert_eq!(fees[0].amount_minor, 4000);
    assert_eq!(fees[0].as_of, past_grace[0].to_string());
    assert_eq!(fees[0].currency, "EUR");
    let interest: Vec<(String, i64)> = stored
        .iter()
        .filter(|c| c.kind == "interest")
        .map(|c| (c.as_of.clone(), c.amount_minor))
        .collect();
    let want: Vec<(String, i64)> = past_grace
        .iter()
        .map(|day| {
            let days = (*day - d(due)).num_days();
            (day.to_string(), simple_interest(10_000, 800, days).unwrap())
        })
        .collect();
    assert_eq!(interest, want);
}

#[test]
fn a_campaign_without_late_fees_records_none() {
    let (dir, db, _) = friendly_campaign_db();
    let (who, invoices) = customer(&db, "A single", Some("a@a.example"), &["2026-07-15"]);
    let path = dir.path().join("test.sqlite");
    let log = simulate(&path, d("2026-07-01"), 120, &StubMailer::default());
    assert!(log.iter().filter(|(_, c, _, _)| *c == who).count() >= 3);
    assert_eq!(charges::of_invoice(db.conn(), invoices[0]).unwrap(), vec![]);
}

#[test]
fn an_unset_statutory_rate_stops_the_run_before_anything_is_queued() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let mut friendly = campaign::preset("friendly").unwrap();
    friendly.late_fees = Some(late_fees(InterestRate::Statutory));
    campaign::create(db.conn(), &friendly).unwrap();
    customer(&db, "A single", Some("a@a.example"), &["2026-07-15"]);
    let path = dir.path().join("test.sqlite");
    let failed = block_on(run::run_due(
        &path,
        &StubMailer::default(),
        d("2026-08-17"),
        false,
    ));
    let text = failed.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains("reference rate"), "{text}");
    let queued: i64 = db
        .conn()
        .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(queued, 0);
}

#[test]
fn a_reminder_that_cannot_be_queued_leaves_no_charges_behind() {
    let (_dir, db) = temp_db();
    setup_mail(&db);
    let mut friendly = campaign::preset("friendly").unwrap();
    friendly.late_fees = Some(late_fees(InterestRate::Annual { basis_points: 800 }));
    campaign::create(db.conn(), &friendly).unwrap();
    let (bad, invoices) = customer(&db, "Acme", Some("ap@acme.example"), &["2026-03-01"]);
    store_raw(&db, bad, POISONED_NAME, "Jordan", Some(INJECTED));
    let path = db.path().to_path_buf();
    let today = d("2026-03-16");
    let report = block_on(run::run_due(&path, &StubMailer::default(), today, false)).unwrap();
    assert_eq!(
        report.campaigns[0].failed.len(),
        1,
        "{:?}",
        report.campaigns[0].failed
    );
    assert_eq!(charges::of_invoice(db.conn(), invoices[0]).unwrap(), vec![]);

    // Corrected, the next run records the charges with the email that shows them.
    db.conn()
        .execute(
            "UPDATE contacts SET email = 'ap@acme.example' WHERE customer_id = ?1",
            [bad],
        )
        .unwrap();
    let report = block_on(run::run_due(&path, &StubMailer::default(), today, false)).unwrap();
    assert!(
        report.campaigns[0].failed.is_empty(),
        "{:?}",
        report.campaigns[0].failed
    );
    let kinds: Vec<String> = charges::of_invoice(db.conn(), invoices[0])
        .unwrap()
        .into_iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(kinds, ["fee", "interest"]);
}

#[test]
fn a_cancelled_reminder_takes_its_charges_back_and_the_next_records_them_again() {
    let (_dir, db) = temp_db();
    setup_mail(&db);
    let mut friendly = campaign::preset("friendly").unwrap();
    friendly.late_fees = Some(late_fees(InterestRate::Annual { basis_points: 800 }));
    campaign::create(db.conn(), &friendly).unwrap();
    let (_, invoices) = customer(&db, "Acme", Some("ap@acme.example"), &["2026-03-01"]);
    let charged = || -> Vec<(String, String, bool)> {
        charges::of_invoice(db.conn(), invoices[0])
            .unwrap()
            .into_iter()
            .map(|c| (c.kind, c.as_of, c.waived_at.is_some()))
            .collect()
    };
    let queue = |day: &str| -> i64 {
        let report = run::enqueue_due(&db, d(day), false).unwrap();
        let messages = &report.campaigns[0].messages;
        assert_eq!(messages.len(), 1, "{day}: {messages:?}");
        messages[0]
    };
    let recorded = |day: &str| {
        vec![
            ("fee".to_string(), day.to_string(), false),
            ("interest".to_string(), day.to_string(), false),
        ]
    };

    let first = queue("2026-03-16");
    assert_eq!(charged(), recorded("2026-03-16"));
    outbox::cancel(db.conn(), first).unwrap();
    assert_eq!(charged(), vec![], "the cancelled reminder told nobody");

    // The step was given back: the next day's reminder charges afresh, as of its day.
    let second = queue("2026-03-17");
    assert_ne!(second, first);
    assert_eq!(charged(), recorded("2026-03-17"));
    let fee = charges::of_invoice(db.conn(), invoices[0]).unwrap()[0].id;
    assert!(charges::waive(db.conn(), fee, "test", "goodwill").unwrap());
    outbox::cancel(db.conn(), second).unwrap();
    assert_eq!(
        charged(),
        vec![("fee".to_string(), "2026-03-17".to_string(), true)],
        "a waiver is a decision: it stays"
    );
}
