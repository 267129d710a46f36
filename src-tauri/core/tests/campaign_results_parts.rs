//! The results lines of the playbook's other parts over 120 days of `run-due`: owner notices
//! (sent, failed, told ahead as promised), the owners' weekly digest, payment plans (instalment
//! reminders, instalments paid on time, plans broken), late fees (charged and waived, per
//! currency, to the cent) and the credit rule (notices, holds). Each expected count is worked
//! out from the scenario; a campaign that does not use a part has no line for it.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::{Datelike, NaiveDate};
use duebook_core::campaign::fees::{simple_interest, InterestRate};
use duebook_core::campaign::results::{self, ChargeTotal, Delivery};
use duebook_core::campaign::{self, CreditRule, LateFees, NewCampaign};
use duebook_core::model::{CustomerEdit, LimitInput, Owner};
use duebook_core::store::plans;
use duebook_core::store::{charges, customers, Database};
use duebook_core::test_support::campaign::{
    custom_plan, customer, d, pay, setup_mail, simulate_days, temp_db, Log, StubMailer,
};
use std::collections::BTreeSet;

const NOTIFY_DAYS: i64 = 3;
const GRACE_DAYS: i64 = 10;
const FEE: i64 = 4000;
const RATE: i64 = 800;

/// The friendly preset with every part but the digest: owner notices, fees, a credit rule.
fn everything() -> NewCampaign {
    let mut new = NewCampaign {
        thank_you: false,
        late_fees: Some(LateFees {
            fee_minor: Some(FEE),
            interest: Some(InterestRate::Annual { basis_points: RATE }),
            grace_days: GRACE_DAYS,
        }),
        credit_rule: Some(CreditRule {
            percent: 100,
            notice: true,
            hold: true,
        }),
        ..campaign::preset("friendly").unwrap()
    };
    for step in &mut new.steps {
        step.notify_owner_days = Some(NOTIFY_DAYS);
    }
    new
}

fn set_owner(db: &Database, id: i64, name: &str, email: &str) {
    let owner = Owner {
        name: Some(name.into()),
        email: Some(email.into()),
    };
    customers::set_owner(db.conn(), &[id], Some(&owner)).unwrap();
}

fn set_limit(db: &Database, id: i64, amount: &str) {
    let edit = CustomerEdit::CreditLimit(Some(LimitInput {
        amount: amount.into(),
        currency: None,
    }));
    customers::edit(db.conn(), id, &edit).unwrap();
}

fn plan_of(
    db: &Database,
    (customer_id, invoice): (i64, i64),
    parts: &[(&str, &str)],
    on: NaiveDate,
) {
    let input = custom_plan(customer_id, &[invoice], parts);
    plans::create(db.conn(), &input, on).unwrap();
}

/// The days `customer` got a reminder (not an owner's notice, nor a credit notice).
fn reminders_of(log: &Log, customer: i64) -> Vec<NaiveDate> {
    log.iter()
        .filter(|l| l.1 == customer && l.2 != "owner-notice" && l.2 != "credit-limit")
        .map(|l| l.0)
        .collect()
}

/// (notices, of them followed by the customer's step, of those at least NOTIFY_DAYS before it).
fn notices_of(log: &Log, customer: i64) -> (usize, usize, usize) {
    let steps = reminders_of(log, customer);
    let told: Vec<NaiveDate> = log
        .iter()
        .filter(|l| l.1 == customer && l.2 == "owner-notice")
        .map(|l| l.0)
        .collect();
    let next = |day: &NaiveDate| steps.iter().find(|s| *s >= day).copied();
    let went: Vec<i64> = told
        .iter()
        .filter_map(|t| next(t).map(|s| (s - *t).num_days()))
        .collect();
    let ahead = went.iter().filter(|n| **n >= NOTIFY_DAYS).count();
    (told.len(), went.len(), ahead)
}

/// What the campaign charged one invoice of 100.00 EUR due `due` (its fee and latest interest,
/// recorded on the reminders past the grace period), with `open` left to pay on a day.
fn charged(
    log: &Log,
    customer: i64,
    due: NaiveDate,
    open: impl Fn(NaiveDate) -> i64,
) -> Option<i64> {
    let last = reminders_of(log, customer)
        .into_iter()
        .filter(|day| (*day - due).num_days() > GRACE_DAYS)
        .max()?;
    Some(FEE + simple_interest(open(last), RATE, (last - due).num_days()).unwrap())
}

fn iso_weeks(days: impl Iterator<Item = NaiveDate>) -> usize {
    days.map(|day| day.iso_week())
        .collect::<BTreeSet<_>>()
        .len()
}

#[test]
fn each_part_the_campaign_uses_has_its_line_with_exact_counts() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let id = campaign::create(db.conn(), &everything()).unwrap();
    let digest = campaign::create(db.conn(), &campaign::preset("owner-digest").unwrap()).unwrap();
    let due = "2026-07-20";
    // Alpha's owner hears of each step ahead; Bravo's owner's address refuses mail; Charlie's
    // owner arrives the day before the first step, too late to be told 3 days ahead.
    let (alpha, alpha_invoices) = customer(&db, "Alpha", Some("ap@alpha.example"), &[due]);
    set_owner(&db, alpha, "Sam Lee", "sam@northwind.example");
    let (bravo, _) = customer(&db, "Bravo", Some("ap@bravo.example"), &[due]);
    set_owner(&db, bravo, "Bo Ray", "bounce@northwind.example");
    let (charlie, _) = customer(&db, "Charlie", Some("ap@charlie.example"), &[due]);
    // Over their limits from the first day: a notice for Delta, a hold for both.
    let late = ["2026-12-31", "2026-12-31"];
    let (delta, _) = customer(&db, "Delta", Some("ap@delta.example"), &late);
    set_limit(&db, delta, "150");
    let (echo, _) = customer(&db, "Echo", None, &late);
    set_limit(&db, echo, "150");
    // Foxtrot, reminded first, agrees a plan, pays its first instalment on time, misses the
    // second. Golf's plan is kept before the campaign ever reminds it: not this campaign's.
    let (foxtrot, fox) = customer(&db, "Foxtrot", Some("ap@foxtrot.example"), &["2026-06-20"]);
    let (golf, golf_invoices) = customer(&db, "Golf", Some("ap@golf.example"), &["2026-07-25"]);
    plan_of(
        &db,
        (golf, golf_invoices[0]),
        &[("2026-07-24", "100.00")],
        d("2026-07-01"),
    );

    let path = dir.path().join("test.sqlite");
    let mailer = StubMailer::picky();
    let (start, days) = (d("2026-07-01"), 120);
    let mut foxtrot_reminders = 0;
    let log = simulate_days(
        &path,
        (start, days),
        &mailer,
        |day| match day.to_string().as_str() {
            "2026-07-06" => plan_of(
                &db,
                (foxtrot, fox[0]),
                &[("2026-07-15", "50.00"), ("2026-08-14", "50.00")],
                day,
            ),
            "2026-07-14" => pay(&db, fox[0], 5000, day),
            "2026-07-16" => set_owner(&db, charlie, "Cy Moe", "cy@northwind.example"),
            "2026-07-23" => pay(&db, golf_invoices[0], 10_000, day),
            _ => {}
        },
        |report| {
            let to_foxtrot = report
                .instalments
                .iter()
                .filter(|i| i.customer_id == foxtrot);
            foxtrot_reminders += to_foxtrot.filter(|i| i.skipped.is_none()).count();
        },
    );
    let last_day = start + chrono::Days::new(days - 1);
    let alpha_fee = charges::of_invoice(db.conn(), alpha_invoices[0]).unwrap()[0].id;
    assert!(charges::waive(db.conn(), alpha_fee, "test", "goodwill").unwrap());
    let r = results::results(db.conn(), id, last_day).unwrap();

    // Owner notices: Bravo's all failed; Charlie's first told 1 day ahead only.
    let [a, b, c] = [alpha, bravo, charlie].map(|who| notices_of(&log, who));
    assert!(a.0 >= 5 && b.0 >= 5 && c.0 >= 5, "{a:?} {b:?} {c:?}");
    assert!(c.2 < c.1, "Charlie's first notice is late: {c:?}");
    let owners = r.owner_notices.unwrap();
    let delivery = Delivery {
        sent: a.0 + c.0,
        failed: b.0,
        waiting: 0,
    };
    assert_eq!(owners.delivery, delivery);
    assert_eq!(owners.step_went, a.1 + c.1);
    assert_eq!(owners.told_ahead, a.2 + c.2);

    // Payment plans: Foxtrot's only, reminded before the plan.
    assert!(reminders_of(&log, foxtrot)[0] < d("2026-07-06"));
    let plans = r.plans.unwrap();
    assert_eq!(foxtrot_reminders, 2);
    assert_eq!(
        (
            plans.plans,
            plans.reminders_sent,
            plans.paid_on_time,
            plans.broken
        ),
        (1, foxtrot_reminders, 1, 1)
    );

    // Late fees: a fee and the latest interest per charged invoice; Alpha's fee waived.
    let full = |_: NaiveDate| 10_000;
    let fox_open = |day: NaiveDate| if day >= d("2026-07-14") { 5000 } else { 10_000 };
    let each: Vec<i64> = [
        charged(&log, alpha, d(due), full),
        charged(&log, bravo, d(due), full),
        charged(&log, charlie, d(due), full),
        charged(&log, foxtrot, d("2026-06-20"), fox_open),
    ]
    .into_iter()
    .map(Option::unwrap)
    .collect();
    let total: i64 = each.iter().sum();
    let fees = r.fees.unwrap();
    let eur = |count: usize, minor: i64| ChargeTotal {
        currency: "EUR".into(),
        count,
        total_minor: minor,
        total: format!("{}.{:02}", minor / 100, minor % 100),
    };
    assert_eq!(fees.charged, vec![eur(2 * each.len(), total)]);
    assert_eq!(fees.waived, vec![eur(1, FEE)]);

    // The credit rule: Delta's notice, both on hold.
    let notices = log.iter().filter(|l| l.2 == "credit-limit").count();
    assert_eq!(notices, 1);
    let credit = r.credit.unwrap();
    assert_eq!(credit.notices.sent, notices);
    assert_eq!(credit.on_hold, [delta, echo].len());
    assert_eq!(r.digests, None, "the campaign sends no digest");

    // The digest campaign: one a week to each owner with an address, Bravo's refused; Charlie's
    // owner from the week they arrived. It has no other line.
    let every_day = (0..days).map(|n| start + chrono::Days::new(n));
    let weeks = iso_weeks(every_day.clone());
    let weeks_of_cy = iso_weeks(every_day.filter(|day| *day >= d("2026-07-16")));
    let r = results::results(db.conn(), digest, last_day).unwrap();
    let expected = Delivery {
        sent: weeks + weeks_of_cy,
        failed: weeks,
        waiting: 0,
    };
    assert_eq!(r.digests, Some(expected));
    assert_eq!(
        (r.owner_notices, r.plans, r.fees, r.credit),
        (None, None, None, None)
    );
}
