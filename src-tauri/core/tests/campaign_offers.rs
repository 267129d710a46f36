//! Early-payment offers over 120 days of `run-due`: a step's offer is recorded once per invoice
//! and step with the message that made it (and forgotten when that message fails for good), shown in that email (and not in a step without one),
//! taken only by a payment in full inside its window; the rules choose who gets it and the plan
//! says why the others do not; a campaign file's offer is checked.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::campaign::plan;
use duebook_core::campaign::results;
use duebook_core::campaign::{self, CampaignError, NewCampaign, Offer, UsuallyLate};
use duebook_core::store::offers::{self, OfferStanding};
use duebook_core::store::{derived, Database};
use duebook_core::test_support::campaign::{
    customer, d, invoice, setup_mail, simulate_days, temp_db, StubMailer,
};
use duebook_core::test_support::ledger::record_payment;

fn percent(p: &str, valid_days: i64) -> Offer {
    Offer {
        percent: Some(p.into()),
        amount: None,
        valid_days,
        segment: None,
        usually_late: None,
        min_balance_minor: None,
        max_balance_minor: None,
    }
}

/// The friendly preset with an offer on its first two steps (pre-due and overdue-1).
fn with_offers(offer: &Offer) -> NewCampaign {
    let mut new = campaign::preset("friendly").unwrap();
    new.thank_you = false;
    for step in new.steps.iter_mut().filter(|s| s.position <= 2) {
        step.offer = Some(offer.clone());
    }
    new
}

/// (step, made_on, valid_until, discount, message id) of each offer on `invoice`.
type Row = (i64, NaiveDate, NaiveDate, i64, Option<i64>);

fn offers_of(db: &Database, invoice: i64) -> Vec<Row> {
    let mut stmt = db
        .conn()
        .prepare(
            "SELECT step_position, made_on, valid_until, discount_minor, message_id
             FROM invoice_offers WHERE invoice_id = ?1 ORDER BY step_position",
        )
        .unwrap();
    let rows = stmt
        .query_map([invoice], |r| {
            Ok((
                r.get(0)?,
                d(&r.get::<_, String>(1)?),
                d(&r.get::<_, String>(2)?),
                r.get(3)?,
                r.get(4)?,
            ))
        })
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

fn body_of(db: &Database, message: i64) -> (String, String) {
    db.conn()
        .query_row(
            "SELECT body_text, body_html FROM messages WHERE id = ?1",
            [message],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

#[test]
fn offers_are_recorded_once_shown_and_taken_only_inside_their_window() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let due = "2026-07-20";
    let (early, early_inv) = customer(&db, "Early payer", Some("ap@early.example"), &[due]);
    let (late, late_inv) = customer(&db, "Late payer", Some("ap@late.example"), &[due]);
    let (never, never_inv) = customer(&db, "Never pays", Some("ap@never.example"), &[due]);
    let id = campaign::create(db.conn(), &with_offers(&percent("2.5", 10))).unwrap();
    let path = dir.path().join("test.sqlite");
    let (mut early_paid, mut late_paid) = (None, None);
    let log = simulate_days(
        &path,
        (d("2026-07-01"), 120),
        &StubMailer::default(),
        |today| {
            // Early pays the day after its first offer; Late the day after its last one ends.
            let early_offers = offers_of(&db, early_inv[0]);
            if early_paid.is_none() && early_offers.first().is_some_and(|o| o.1 < today) {
                record_payment(&db, early_inv[0], 10_000, today, None);
                early_paid = Some(today);
            }
            let late_offers = offers_of(&db, late_inv[0]);
            if late_paid.is_none() && late_offers.len() == 2 && late_offers[1].2 < today {
                record_payment(&db, late_inv[0], 10_000, today, None);
                late_paid = Some(today);
            }
            derived::refresh_customers(db.conn(), &[early, late]).unwrap();
        },
        |_| {},
    );
    assert!(early_paid.is_some() && late_paid.is_some());

    // Never-pays got every step; only the first two made an offer, each once, on the day its
    // email went, valid 10 days counting that day, 2.5 % of 100.00.
    let emails: Vec<(NaiveDate, &str)> = log
        .iter()
        .filter(|l| l.1 == never)
        .map(|l| (l.0, l.2.as_str()))
        .collect();
    assert!(emails.len() >= 5, "{emails:?}");
    let rows = offers_of(&db, never_inv[0]);
    assert_eq!(rows.len(), 2, "{rows:?}");
    for ((step, made, until, discount, message), template) in
        rows.iter().zip(["pre-due", "overdue-1"])
    {
        assert!(
            emails.contains(&(*made, template)),
            "step {step}: {emails:?}"
        );
        assert_eq!((*until - *made).num_days(), 9);
        assert_eq!(*discount, 250);
        let (text, html) = body_of(&db, message.unwrap());
        assert!(text.contains("Early-payment offer"), "{text}");
        assert!(text.contains("take 2.5 % (€2.50) off: €97.50"), "{text}");
        assert!(html.contains("Early-payment offer"), "{html}");
    }
    // A step without an offer says nothing of one.
    let later: Vec<i64> = db
        .conn()
        .prepare("SELECT id FROM messages WHERE customer_id = ?1 AND template_key = 'overdue-2'")
        .unwrap()
        .query_map([never], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(later.len(), 1);
    assert!(!body_of(&db, later[0]).0.contains("offer"));

    // Early paid inside its first offer's window: it had one offer, taken. Late paid after
    // both of its offers ended: two offers, none taken.
    assert_eq!(offers_of(&db, early_inv[0]).len(), 1);
    assert_eq!(offers_of(&db, late_inv[0]).len(), 2);
    let r = results::results(db.conn(), id, d("2026-10-28")).unwrap();
    assert_eq!((r.offers.made, r.offers.taken), (5, 1));
    // The customer screen shows each invoice's latest offer and where it stands.
    let standing = |who: i64, day: &str| -> Vec<(i64, OfferStanding, String)> {
        offers::for_customer(db.conn(), who, d(day))
            .unwrap()
            .into_iter()
            .map(|o| (o.invoice_id, o.standing, o.discount))
            .collect()
    };
    let (taken, lapsed) = (OfferStanding::Taken, OfferStanding::Lapsed);
    assert_eq!(
        standing(early, "2026-10-28"),
        [(early_inv[0], taken, "2.50".into())]
    );
    assert_eq!(
        standing(late, "2026-10-28"),
        [(late_inv[0], lapsed, "2.50".into())]
    );
    let (_, last_made, last_until, ..) = rows[1];
    let running = (never_inv[0], OfferStanding::Running, "2.50".to_string());
    assert_eq!(standing(never, &last_made.to_string()), [running]);
    assert_eq!(
        standing(never, &last_until.to_string())[0].1,
        OfferStanding::Running
    );
    let after = last_until.succ_opt().unwrap().to_string();
    assert_eq!(standing(never, &after)[0].1, lapsed);

    // A message that fails for good made no offer.
    let first = rows[0].4.unwrap();
    db.conn()
        .execute(
            "UPDATE messages SET state = 'failed' WHERE id = ?1",
            [first],
        )
        .unwrap();
    assert_eq!(offers_of(&db, never_inv[0]).len(), 1);
}

fn campaign_offering(db: &Database, offer: Offer) -> i64 {
    let mut new = campaign::preset("friendly").unwrap();
    new.steps.retain(|s| s.position == 2);
    new.steps[0].offer = Some(offer);
    campaign::create(db.conn(), &new).unwrap()
}

fn set_segment(db: &Database, id: i64, segment: &str) {
    db.conn()
        .execute(
            "UPDATE customers SET segment = ?2 WHERE id = ?1",
            rusqlite::params![id, segment],
        )
        .unwrap();
}

/// (offered?, why) of each contact of the plan, by customer.
fn offered(db: &Database, campaign_id: i64, on: &str) -> Vec<(i64, bool, String)> {
    plan::plan(db.conn(), campaign_id, d(on))
        .unwrap()
        .contacts
        .iter()
        .map(|c| (c.customer_id, c.offer.is_some(), c.why.clone()))
        .collect()
}

fn find(list: &[(i64, bool, String)], who: i64) -> (bool, String) {
    let (_, yes, why) = list.iter().find(|c| c.0 == who).unwrap();
    (*yes, why.clone())
}

#[test]
fn the_rules_choose_who_gets_the_offer_and_the_plan_says_why_not() {
    let (_dir, db) = temp_db();
    let due = ["2026-04-01"];
    let (retail, _) = customer(&db, "Retail", Some("a@r.example"), &due);
    let (big, _) = customer(
        &db,
        "Big retail",
        Some("a@b.example"),
        &["2026-04-01", "2026-04-01"],
    );
    let (trade, _) = customer(&db, "Trade", Some("a@t.example"), &due);
    for (who, seg) in [(retail, "retail"), (big, "retail"), (trade, "trade")] {
        set_segment(&db, who, seg);
    }
    let id = campaign_offering(
        &db,
        Offer {
            segment: Some("retail".into()),
            max_balance_minor: Some(15_000),
            ..percent("3", 14)
        },
    );
    let plan = offered(&db, id, "2026-04-08");
    assert_eq!(
        plan.len(),
        3,
        "everyone is reminded, offer or not: {plan:?}"
    );
    let (yes, why) = find(&plan, retail);
    assert!(yes && why.contains("offer 3 % until 2026-04-21"), "{why}");
    let (yes, why) = find(&plan, big);
    assert!(
        !yes && why.contains("no offer: balance above 150.00"),
        "{why}"
    );
    let (yes, why) = find(&plan, trade);
    assert!(
        !yes && why.contains("no offer: not in segment retail"),
        "{why}"
    );

    // Usually late only: a customer who paid two invoices 20 and 30 days late gets it.
    let (slow, paid) = customer(
        &db,
        "Slow",
        Some("a@s.example"),
        &["2026-01-10", "2026-02-10"],
    );
    record_payment(&db, paid[0], 10_000, d("2026-01-30"), None);
    record_payment(&db, paid[1], 10_000, d("2026-03-12"), None);
    invoice(&db, slow, "SLOW-3", "2026-04-01");
    derived::refresh_customers(db.conn(), &[slow]).unwrap();
    let late_only = campaign_offering(
        &db,
        Offer {
            usually_late: Some(UsuallyLate {
                min_average_days_late: 10,
            }),
            ..percent("3", 14)
        },
    );
    let plan = offered(&db, late_only, "2026-04-08");
    assert!(find(&plan, slow).0, "{plan:?}");
    let (yes, why) = find(&plan, retail);
    assert!(
        !yes && why.contains("no offer: does not usually pay late"),
        "{why}"
    );
}

#[test]
fn a_campaign_refuses_an_offer_it_cannot_make() {
    let (_dir, db) = temp_db();
    let amount = |a: &str| Offer {
        percent: None,
        amount: Some(a.into()),
        ..percent("1", 10)
    };
    let refused = [
        (percent("0", 10), "more than 0 and at most 50"),
        (percent("50.01", 10), "more than 0 and at most 50"),
        (percent("two", 10), "a number such as 2.5"),
        (percent("2.5", 0), "valid for 1 to 90 days"),
        (percent("2.5", 91), "valid for 1 to 90 days"),
        (amount("0"), "more than 0"),
        (amount("-5"), "more than 0"),
        (amount("25,00"), "an amount such as 25.00"),
        (
            Offer {
                amount: Some("5".into()),
                ..percent("2", 10)
            },
            "either a percent or an amount",
        ),
        (
            Offer {
                min_balance_minor: Some(20_000),
                max_balance_minor: Some(10_000),
                ..percent("2", 10)
            },
            "minimum balance is above its maximum",
        ),
        (
            Offer {
                usually_late: Some(UsuallyLate {
                    min_average_days_late: 0,
                }),
                ..percent("2", 10)
            },
            "at least 1 day late",
        ),
    ];
    for (offer, reason) in refused {
        let mut new = campaign::preset("friendly").unwrap();
        new.steps[0].offer = Some(offer.clone());
        let err = campaign::create(db.conn(), &new).unwrap_err();
        assert!(
            matches!(&err, CampaignError::Invalid(why) if why.contains(reason)),
            "{offer:?}: {err:?}"
        );
    }
    for offer in [percent("50", 90), amount("25.00"), percent("0.01", 1)] {
        let mut new = campaign::preset("friendly").unwrap();
        new.steps[0].offer = Some(offer.clone());
        let id = campaign::create(db.conn(), &new).unwrap();
        assert_eq!(
            campaign::get(db.conn(), id).unwrap().steps[0].offer,
            Some(offer)
        );
    }
    // A blank segment is no rule; a segment is cleaned like the audience's.
    let mut new = campaign::preset("friendly").unwrap();
    for (step, segment) in new.steps.iter_mut().zip(["  ", " Retail\n"]) {
        step.offer = Some(Offer {
            segment: Some(segment.into()),
            ..percent("2", 10)
        });
    }
    let stored = campaign::get(db.conn(), campaign::create(db.conn(), &new).unwrap()).unwrap();
    assert_eq!(stored.steps[0].offer.as_ref().unwrap().segment, None);
    assert_eq!(
        stored.steps[1].offer.as_ref().unwrap().segment.as_deref(),
        Some("Retail")
    );
}
