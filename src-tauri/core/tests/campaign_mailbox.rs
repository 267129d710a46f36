//! What the mailbox changes in campaigns, day by day with `run-due` over four months against
//! the real outbox: a customer's reply holds every step until the reply pause passes, an
//! out-of-office holds the next step until its return day, a hard bounce turns the steps into
//! call tasks, and a customer nobody heard from is reminded on the usual days — never twice.
//! Then, at the plan: a resumed customer is reminded again, a pause of 0 waits for the user,
//! and automatic replies and bounces are never taken for replies.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::campaign::plan::{self, ExclusionReason, Plan};
use duebook_core::campaign::{self};
use duebook_core::store::customers;
use duebook_core::test_support::campaign::{
    customer, d, friendly_campaign_db, simulate_days, StubMailer,
};
use duebook_core::test_support::inbound::{
    deliver, fixture, last_sent_id, written_on, REMINDER_ID,
};
use std::cell::Cell;
use std::collections::{BTreeMap, HashSet};

const DUE: &str = "2026-07-15";

fn reply_to(day: NaiveDate, from: &str, answered: &str, body: &str) -> Vec<u8> {
    let header = format!("In-Reply-To: {answered}");
    written_on(day, from, "Re: Your invoice", &[&header], body)
}

fn out_of_office(day: NaiveDate, from: &str, answered: &str, back: &str) -> Vec<u8> {
    let header = format!("In-Reply-To: {answered}");
    let body = format!("I am out of the office until {back} with limited access to email.");
    written_on(
        day,
        from,
        "Automatic reply: Your invoice",
        &[&header, "Auto-Submitted: auto-replied"],
        &body,
    )
}

/// Postfix's report that `address` does not exist, returning our message `answered`.
fn hard_bounce(address: &str, answered: &str) -> Vec<u8> {
    let text = String::from_utf8(fixture("dsn-postfix-hard.eml")).unwrap();
    text.replace(REMINDER_ID, answered)
        .replace("jordan@acme.example", address)
        .into_bytes()
}

fn reason_on(plan: &Plan, customer: i64) -> Option<(ExclusionReason, String)> {
    plan.excluded
        .iter()
        .find(|e| e.customer_id == customer)
        .map(|e| (e.reason, e.detail.clone()))
}

#[test]
fn replies_out_of_office_and_bounces_change_what_run_due_sends_over_months() {
    let (dir, db, id) = friendly_campaign_db();
    let (replier, _) = customer(&db, "Replier", Some("r@replier.example"), &[DUE]);
    let (away, _) = customer(&db, "Away", Some("a@away.example"), &[DUE]);
    let (gone, _) = customer(&db, "Gone", Some("g@gone.example"), &[DUE]);
    let (quiet, _) = customer(&db, "Quiet", Some("q@quiet.example"), &[DUE]);

    let path = dir.path().join("test.sqlite");
    let mailer = StubMailer::default();
    let day = Cell::new(d("2026-07-01"));
    let mut held = Vec::new();
    let log = simulate_days(
        &path,
        (d("2026-07-01"), 120),
        &mailer,
        |today| {
            day.set(today);
            let said = |c| last_sent_id(&db, c);
            if today == d("2026-07-29") {
                deliver(&db, &hard_bounce("g@gone.example", &said(gone)), today);
            }
            if today == d("2026-08-10") {
                let raw = reply_to(
                    today,
                    "r@replier.example",
                    &said(replier),
                    "We dispute the freight charge, call me.",
                );
                deliver(&db, &raw, today);
            }
            if today == d("2026-08-12") {
                deliver(
                    &db,
                    &out_of_office(today, "a@away.example", &said(away), "31 August 2026"),
                    today,
                );
            }
        },
        |report| {
            for c in &report.campaigns {
                for who in [replier, away] {
                    if let Some(r) = reason_on(&c.plan, who) {
                        held.push((day.get(), who, r));
                    }
                }
            }
        },
    );

    let mut by: BTreeMap<i64, Vec<(NaiveDate, String, &str)>> = BTreeMap::new();
    let mut once = HashSet::new();
    for (day, who, template, channel) in &log {
        assert!(
            once.insert((*who, template.clone())),
            "{who} got {template} twice"
        );
        by.entry(*who)
            .or_default()
            .push((*day, template.clone(), *channel));
    }
    let on = |who: i64, template: &str| {
        by[&who]
            .iter()
            .find(|(_, t, _)| t == template)
            .map(|(day, _, channel)| (*day, *channel))
    };
    // Nobody wrote: the usual days.
    assert_eq!(on(quiet, "overdue-2"), Some((d("2026-08-14"), "email")));
    // The reply on 10 August holds everything for the 14-day pause: overdue-2 waits until the
    // 24th, and the plan said why every day in between.
    assert_eq!(on(replier, "overdue-2"), Some((d("2026-08-24"), "email")));
    assert!(!by[&replier]
        .iter()
        .any(|(day, ..)| (d("2026-08-10")..d("2026-08-24")).contains(day)));
    let waits: Vec<_> = held.iter().filter(|(_, who, _)| *who == replier).collect();
    assert!(
        waits.iter().any(|(day, ..)| *day == d("2026-08-14")),
        "{waits:?}"
    );
    // (On weekends the plan says "quiet day" first: nothing goes out to anyone.)
    for (_, _, (reason, detail)) in waits.iter().filter(|w| w.2 .0 != ExclusionReason::QuietDay) {
        assert_eq!(*reason, ExclusionReason::Replied);
        assert!(
            detail.starts_with("waiting: replied on 2026-08-10"),
            "{detail}"
        );
        assert!(detail.contains("from 2026-08-24"), "{detail}");
    }
    // The out-of-office holds the next step until the stated return day.
    assert_eq!(on(away, "overdue-2"), Some((d("2026-08-31"), "email")));
    assert!(held.iter().any(|(day, who, (reason, detail))| *who == away
        && *day == d("2026-08-14")
        && *reason == ExclusionReason::Away
        && detail.contains("away until 2026-08-31")));
    // The bounce on 29 July: every later step is a call task, never an email to the address.
    let after_bounce: Vec<_> = by[&gone]
        .iter()
        .filter(|(day, ..)| *day > d("2026-07-29"))
        .collect();
    assert!(!after_bounce.is_empty());
    assert!(
        after_bounce.iter().all(|(.., channel)| *channel == "call"),
        "{after_bounce:?}"
    );
    // The results count the reply and the bounce against the step they answered (overdue-1).
    let results = campaign::results::results(db.conn(), id, d("2026-11-30")).unwrap();
    let counts: Vec<_> = results
        .steps
        .iter()
        .map(|s| {
            (
                s.template_key.as_str(),
                s.outcomes.replied,
                s.outcomes.bounced,
            )
        })
        .collect();
    assert_eq!(counts[1], ("overdue-1", 1, 1), "{counts:?}");
    assert_eq!(
        counts.iter().map(|c| c.1 + c.2).sum::<usize>(),
        2,
        "{counts:?}"
    );
    // Everyone reaches the final notice in the end: the mailbox delays, it does not forget.
    for who in [replier, away, gone, quiet] {
        assert!(on(who, "final-notice").is_some(), "{who}: {:?}", by[&who]);
    }
}

#[test]
fn a_resumed_customer_is_reminded_and_a_pause_of_zero_waits_for_the_user() {
    let (_dir, db, id) = friendly_campaign_db();
    let (c, _) = customer(&db, "Replier", Some("r@replier.example"), &["2026-04-05"]);
    let today = d("2026-04-14");
    let raw = written_on(
        d("2026-04-10"),
        "r@replier.example",
        "About INV",
        &[],
        "Paid yesterday.",
    );
    deliver(&db, &raw, today);
    let p = plan::plan(db.conn(), id, today).unwrap();
    let (reason, detail) = reason_on(&p, c).unwrap();
    assert_eq!(reason, ExclusionReason::Replied);
    assert!(detail.contains("replied on 2026-04-10"), "{detail}");
    assert_eq!(
        plan::reply_hold(db.conn(), c, today)
            .unwrap()
            .unwrap()
            .until,
        Some(d("2026-04-24"))
    );

    plan::set_reply_pause_days(db.conn(), 0).unwrap();
    let p = plan::plan(db.conn(), id, d("2026-09-01")).unwrap();
    assert!(
        reason_on(&p, c).unwrap().1.contains("when resumed"),
        "a pause of 0 never lapses"
    );
    assert!(plan::set_reply_pause_days(db.conn(), -1).is_err());
    assert!(plan::set_reply_pause_days(db.conn(), 400).is_err());

    customers::resume_reminders(db.conn(), c).unwrap();
    let p = plan::plan(db.conn(), id, today).unwrap();
    assert!(
        p.contacts.iter().any(|k| k.customer_id == c),
        "{:?}",
        p.excluded
    );
    assert_eq!(plan::reply_hold(db.conn(), c, today).unwrap(), None);
    assert!(customers::resume_reminders(db.conn(), 999_999).is_err());
}

#[test]
fn automatic_replies_and_bounces_are_not_replies() {
    let (_dir, db, id) = friendly_campaign_db();
    let (c, _) = customer(&db, "Somebody", Some("s@some.example"), &["2026-04-05"]);
    let today = d("2026-04-14");
    // An out-of-office without a return day, and a temporary bounce: reminders go on.
    let auto = written_on(
        d("2026-04-10"),
        "s@some.example",
        "Automatic reply",
        &["Auto-Submitted: auto-replied"],
        "I am out of the office.",
    );
    deliver(&db, &auto, today);
    let soft = String::from_utf8(fixture("dsn-gmail-soft.eml"))
        .unwrap()
        .replace("ana@bigbox.example", "s@some.example");
    deliver(&db, soft.as_bytes(), today);
    let p = plan::plan(db.conn(), id, today).unwrap();
    let planned = p.contacts.iter().find(|k| k.customer_id == c).unwrap();
    assert_eq!(
        planned.channel,
        campaign::Channel::Email,
        "{:?}",
        p.excluded
    );
}
