//! A reminder step counts when its message was delivered, not when it was queued: an outage
//! keeps the customer on the step ("retrying: ..." in the plan, no later step stacked on top),
//! a permanent failure gives the step back, and a sent message moves the customer on.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::campaign::plan::{ExclusionReason, Plan};
use duebook_core::campaign::run;
use duebook_core::mail::outbox::{self, MessageState};
use duebook_core::mail::smtp::{MailError, SendError, Stage};
use duebook_core::model::text::is_clean_line;
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{
    block_on, customer, d, friendly_campaign_db, StubMailer,
};

fn down() -> Option<SendError> {
    Some(SendError::NotSent(MailError::Refused {
        host: "smtp.example".into(),
        port: 587,
    }))
}

fn refused_for_good() -> Option<SendError> {
    Some(SendError::NotSent(MailError::Rejected {
        code: 550,
        reply: "5.1.1 mailbox unavailable".into(),
        stage: Stage::RcptTo,
    }))
}

fn plan(db: &Database, day: &str) -> Plan {
    run::plan_all(db.conn(), d(day)).unwrap().remove(0).1
}

/// The step planned for `customer`, or the reason it is left out and its detail.
fn fate(p: &Plan, customer: i64) -> Result<i64, (ExclusionReason, String)> {
    if let Some(c) = p.contacts.iter().find(|c| c.customer_id == customer) {
        return Ok(c.step_position);
    }
    let e = p
        .excluded
        .iter()
        .find(|e| e.customer_id == customer)
        .unwrap_or_else(|| panic!("customer {customer} is neither planned nor excluded: {p:#?}"));
    Err((e.reason, e.detail.clone()))
}

/// Makes every waiting retry due now (time passes).
/// On each of `days`, `customer` is left out as retrying, the detail starting with `starts`
/// and containing `says`.
fn retrying_on(db: &Database, customer: i64, days: &[&str], starts: &str, says: &str) {
    for day in days {
        let (reason, detail) = fate(&plan(db, day), customer).unwrap_err();
        assert_eq!(reason, ExclusionReason::Retrying, "{day}");
        assert!(
            detail.starts_with(starts) && detail.contains(says),
            "{day}: {detail}"
        );
    }
}

fn retries_due(db: &Database) {
    db.conn()
        .execute(
            "UPDATE messages SET next_attempt_at = '2000-01-01T00:00:00.000Z' WHERE state = 'queued'",
            [],
        )
        .unwrap();
}

#[test]
fn an_outage_keeps_the_step_a_permanent_failure_gives_it_back_a_send_moves_on() {
    let (dir, db, _) = friendly_campaign_db();
    let (a, _) = customer(&db, "Alpha", Some("a@alpha.example"), &["2026-04-05"]);
    let path = dir.path().join("test.sqlite");
    let server = StubMailer::default();

    // Day 10 overdue: step 2 is queued, the server is down.
    server.answer_all(down());
    let first = block_on(run::run_due(&path, &server, d("2026-04-15"), false)).unwrap();
    let id = first.campaigns[0].messages[0];
    assert_eq!(
        outbox::get(db.conn(), id).unwrap().state,
        MessageState::Queued
    );

    // The plan says why the customer gets nothing, also once step 3 is due: never two at once.
    let days = ["2026-04-16", "2026-05-06"];
    retrying_on(
        &db,
        a,
        &days,
        "retrying: the last attempt failed on ",
        "refused",
    );

    // The server refuses for good: the customer stays on the step and waits for the user's
    // decision; nothing is sent to that address again by itself.
    server.answer_all(refused_for_good());
    retries_due(&db);
    block_on(run::run_due(&path, &server, d("2026-04-16"), false)).unwrap();
    assert_eq!(
        outbox::get(db.conn(), id).unwrap().state,
        MessageState::Failed
    );
    retrying_on(
        &db,
        a,
        &["2026-04-17", "2026-05-06"],
        "waiting for your decision: the last attempt failed on ",
        "(resend or cancel it in the outbox)",
    );

    // The user gives up on that message: the step was given back, the customer is offered it
    // again (the same step, not the next).
    outbox::cancel(db.conn(), id).unwrap();
    assert_eq!(fate(&plan(&db, "2026-04-17"), a), Ok(2));

    // It goes out: the step counts and nothing more is due until step 3.
    server.answer_all(None);
    let sent = block_on(run::run_due(&path, &server, d("2026-04-17"), false)).unwrap();
    assert_eq!(sent.delivery.unwrap().sent.len(), 1);
    assert_eq!(server.count(), 1);
    let p = plan(&db, "2026-04-18");
    assert!(p.contacts.is_empty() && p.excluded.is_empty(), "{p:#?}");
    assert_eq!(fate(&plan(&db, "2026-05-06"), a), Ok(3));
}

#[test]
fn cancelling_a_waiting_message_gives_the_step_back() {
    let (dir, db, _) = friendly_campaign_db();
    let (a, _) = customer(&db, "Alpha", Some("a@alpha.example"), &["2026-04-05"]);
    let server = StubMailer::default();
    server.answer_all(down());
    let path = dir.path().join("test.sqlite");
    let first = block_on(run::run_due(&path, &server, d("2026-04-15"), false)).unwrap();
    outbox::cancel(db.conn(), first.campaigns[0].messages[0]).unwrap();
    assert_eq!(fate(&plan(&db, "2026-04-16"), a), Ok(2));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]
    /// A server's 4xx text, whatever it holds, reaches the plan as one clean line.
    #[test]
    fn any_4xx_text_becomes_a_clean_retrying_line(reply in "\\PC*|[\\x00-\\x1f\\u{202e}\\n]*") {
        let (dir, db, _) = friendly_campaign_db();
        let (a, _) = customer(&db, "Alpha", Some("a@alpha.example"), &["2026-04-05"]);
        let server = StubMailer::default();
        server.answer_all(Some(SendError::NotSent(MailError::Rejected {
            code: 451,
            reply,
            stage: Stage::AfterData,
        })));
        let path = dir.path().join("test.sqlite");
        block_on(run::run_due(&path, &server, d("2026-04-15"), false)).unwrap();
        let (reason, detail) = fate(&plan(&db, "2026-04-16"), a).unwrap_err();
        proptest::prop_assert_eq!(reason, ExclusionReason::Retrying);
        proptest::prop_assert!(is_clean_line(&detail), "{:?}", detail);
    }
}
