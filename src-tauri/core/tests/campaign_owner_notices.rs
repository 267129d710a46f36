//! Owner notices over 120 days of `run-due`: a step with "tell the owner 3 days before" emails
//! the customer's account owner before every customer-facing step, at least 3 days ahead and
//! exactly once; the customer's steps go exactly as for a customer without an owner; without an
//! owner, or an owner without an address, nobody is told and the plan says why.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::campaign::{self, plan, NewCampaign};
use duebook_core::model::Owner;
use duebook_core::store::{customers, Database};
use duebook_core::test_support::campaign::{
    block_on, customer, d, setup_mail, simulate_days, temp_db, StubMailer,
};
use std::collections::BTreeMap;

const DAYS: i64 = 3;

fn told_before_every_step() -> NewCampaign {
    let mut new = NewCampaign {
        thank_you: false,
        ..campaign::preset("friendly").unwrap()
    };
    for step in &mut new.steps {
        step.notify_owner_days = Some(DAYS);
    }
    new
}

fn set_owner(db: &Database, id: i64, name: Option<&str>, email: Option<&str>) {
    let owner = Owner {
        name: name.map(str::to_string),
        email: email.map(str::to_string),
    };
    customers::set_owner(db.conn(), &[id], Some(&owner)).unwrap();
}

/// The days `customer` got a customer-facing email.
fn steps_of(log: &[(NaiveDate, i64, String, &str)], customer: i64) -> Vec<NaiveDate> {
    log.iter()
        .filter(|l| l.1 == customer && l.2 != "owner-notice")
        .map(|l| l.0)
        .collect()
}

/// Per day a step was announced for, how many days ahead each notice about it was sent, for
/// `customer`, read from what the runs recorded.
fn notices_of(db: &Database, customer: i64) -> BTreeMap<NaiveDate, Vec<i64>> {
    let mut stmt = db
        .conn()
        .prepare(
            "SELECT DISTINCT message_id, step_on, notified_on FROM owner_notices
             WHERE customer_id = ?1",
        )
        .unwrap();
    let rows = stmt
        .query_map([customer], |r| {
            Ok((d(&r.get::<_, String>(1)?), d(&r.get::<_, String>(2)?)))
        })
        .unwrap();
    let mut out: BTreeMap<NaiveDate, Vec<i64>> = BTreeMap::new();
    for row in rows {
        let (step_on, told) = row.unwrap();
        out.entry(step_on)
            .or_default()
            .push((step_on - told).num_days());
    }
    out
}

#[test]
fn the_owner_hears_of_every_step_days_before_the_customer_and_once() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let dues = ["2026-07-20", "2026-08-12"];
    let (alpha, _) = customer(&db, "Alpha", Some("ap@alpha.example"), &dues);
    set_owner(&db, alpha, Some("Sam Lee"), Some("sam@northwind.example"));
    let (beta, _) = customer(&db, "Beta", Some("ap@beta.example"), &dues);
    let (gamma, _) = customer(&db, "Gamma", Some("ap@gamma.example"), &dues);
    set_owner(&db, gamma, Some("Kim Ode"), None);
    let id = campaign::create(db.conn(), &told_before_every_step()).unwrap();
    let path = dir.path().join("test.sqlite");
    let mailer = StubMailer::default();
    let log = simulate_days(&path, (d("2026-07-01"), 120), &mailer, |_| {}, |_| {});

    let alpha_steps = steps_of(&log, alpha);
    assert!(alpha_steps.len() >= 5, "{alpha_steps:?}");
    // The owner's notices do not move the customer's steps.
    assert_eq!(alpha_steps, steps_of(&log, beta));
    assert_eq!(alpha_steps, steps_of(&log, gamma));
    // One notice per step, before it, at least DAYS days ahead.
    let notices = notices_of(&db, alpha);
    let announced: Vec<NaiveDate> = notices.keys().copied().collect();
    assert_eq!(announced, alpha_steps);
    for (step, ahead) in &notices {
        assert_eq!(ahead.len(), 1, "{step:?} told {ahead:?}");
        assert!(ahead[0] >= DAYS, "{step:?} told only {ahead:?} days ahead");
    }
    let owner_emails = log.iter().filter(|l| l.2 == "owner-notice").count();
    assert_eq!(owner_emails, alpha_steps.len(), "exactly once each");
    assert!(log
        .iter()
        .filter(|l| l.2 == "owner-notice")
        .all(|l| l.1 == alpha));
    assert!(notices_of(&db, beta).is_empty() && notices_of(&db, gamma).is_empty());

    // The notice goes to the owner, names the customer and links to them in the app.
    let (to, body, customer_id): (String, String, Option<i64>) = db
        .conn()
        .query_row(
            "SELECT to_addrs, body_text, customer_id FROM messages
             WHERE template_key = 'owner-notice' ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(to.contains("sam@northwind.example"), "{to}");
    assert_eq!(customer_id, None, "an owner's reply is not the customer's");
    assert!(body.contains("Hello Sam Lee"), "{body}");
    assert!(body.contains("You look after Alpha"), "{body}");
    assert!(
        body.contains(&format!("duebook://customer/{alpha}")),
        "{body}"
    );
    assert!(body.contains(&format!("INV-{alpha}-0")), "{body}");

    // A rerun of a notice day tells nobody again.
    let first_told = log.iter().find(|l| l.2 == "owner-notice").unwrap().0;
    let again = block_on(campaign::run::run_due(&path, &mailer, first_told, false)).unwrap();
    assert!(again.campaigns[0].plan.owner_notices.is_empty());
    assert!(plan::plan(db.conn(), id, first_told)
        .unwrap()
        .owner_notices
        .is_empty());
}

#[test]
fn the_plan_says_who_is_told_and_why_an_owner_is_not() {
    let (_dir, db) = temp_db();
    setup_mail(&db);
    // Due Monday 20 July: the pre-due step goes on Friday 17 July.
    let due = ["2026-07-20"];
    let (alpha, _) = customer(&db, "Alpha", Some("ap@alpha.example"), &due);
    set_owner(&db, alpha, Some("Sam Lee"), Some("sam@northwind.example"));
    let (beta, _) = customer(&db, "Beta", Some("ap@beta.example"), &due);
    let (gamma, _) = customer(&db, "Gamma", Some("ap@gamma.example"), &due);
    set_owner(&db, gamma, Some("Kim Ode"), None);
    let id = campaign::create(db.conn(), &told_before_every_step()).unwrap();

    let why = |day: &str| -> BTreeMap<i64, String> {
        let plan = plan::plan(db.conn(), id, d(day)).unwrap();
        plan.owner_notices
            .into_iter()
            .map(|n| (n.customer_id, n.why))
            .collect()
    };
    // Monday 13 July: Friday is 4 days away, not yet.
    assert!(why("2026-07-13").is_empty());
    // Tuesday 14 July: 3 days before.
    let told = why("2026-07-14");
    assert_eq!(
        told[&alpha],
        "owner Sam Lee notified on 2026-07-14 before pre-due on 2026-07-17"
    );
    assert_eq!(
        told[&beta],
        "owner not told before pre-due on 2026-07-17: the customer has no owner"
    );
    assert_eq!(
        told[&gamma],
        "owner Kim Ode not told before pre-due on 2026-07-17: no email address for them"
    );
    // A weekend tells nobody.
    assert!(why("2026-07-11").is_empty());

    // The owner's template is never a step's: it is written to the owner, not the customer.
    let mut to_customers = told_before_every_step();
    to_customers.steps[0].template_key = "owner-notice".into();
    let refused = campaign::create(db.conn(), &to_customers).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("an owner's template cannot be a step's"),
        "{refused}"
    );
}

#[test]
fn a_step_across_the_weekend_is_told_on_the_friday_before() {
    let (_dir, db) = temp_db();
    setup_mail(&db);
    // Due Friday 24 July: pre-due goes on Tuesday 21 July; 3 days before is Saturday.
    let (alpha, _) = customer(&db, "Alpha", Some("ap@alpha.example"), &["2026-07-24"]);
    set_owner(&db, alpha, None, Some("sam@northwind.example"));
    let id = campaign::create(db.conn(), &told_before_every_step()).unwrap();
    let plan = plan::plan(db.conn(), id, d("2026-07-17")).unwrap();
    assert_eq!(plan.owner_notices.len(), 1);
    assert_eq!(plan.owner_notices[0].step_on, d("2026-07-21"));
    assert_eq!(
        plan.owner_notices[0].owner.as_deref(),
        Some("sam@northwind.example")
    );
    assert!(plan::plan(db.conn(), id, d("2026-07-16"))
        .unwrap()
        .owner_notices
        .is_empty());
}
