//! Payment plans in 120 days of `run-due` (issue 20, part 4): while a plan is kept its invoices
//! take no campaign step and each instalment gets one reminder a few days before its date; a
//! missed instalment breaks the plan and the campaign chases the invoices again.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::campaign::plan::ExclusionReason;
use duebook_core::campaign::{plan, run};
use duebook_core::store::plans;
use duebook_core::test_support::campaign::{
    block_on, custom_plan, customer, d, friendly_campaign_db, pay, queued, simulate_days,
    StubMailer,
};
use std::collections::BTreeMap;

#[test]
fn instalments_replace_reminders_while_kept_and_reminders_resume_when_broken() {
    let (dir, db, id) = friendly_campaign_db();
    let path = dir.path().join("test.sqlite");
    let (acme, acme_invoices) = customer(
        &db,
        "Acme",
        Some("ap@acme.example"),
        &["2026-06-20", "2026-06-20"],
    );
    let (brill, brill_invoices) = customer(&db, "Brill", Some("ap@brill.example"), &["2026-06-20"]);
    let (carl, _) = customer(&db, "Carl", Some("ap@carl.example"), &["2026-06-20"]);
    // Acme keeps its plan; Brill pays the first instalment and misses the second.
    let plans = [
        custom_plan(
            acme,
            &acme_invoices,
            &[("2026-07-15", "100.00"), ("2026-08-14", "100.00")],
        ),
        custom_plan(
            brill,
            &brill_invoices,
            &[("2026-07-20", "50.00"), ("2026-08-20", "50.00")],
        ),
    ];
    for input in &plans {
        plans::create(db.conn(), input, d("2026-07-01")).unwrap();
    }

    let mailer = StubMailer::default();
    let mut reminders_by_day: BTreeMap<NaiveDate, Vec<i64>> = BTreeMap::new();
    let mut previews = BTreeMap::new();
    let log = simulate_days(
        &path,
        (d("2026-07-01"), 120),
        &mailer,
        |day| {
            match day.to_string().as_str() {
                "2026-07-14" => pay(&db, acme_invoices[0], 10_000, day),
                "2026-08-14" => pay(&db, acme_invoices[1], 10_000, day),
                "2026-07-20" => pay(&db, brill_invoices[0], 5_000, day),
                _ => {}
            }
            previews.insert(day, plan::plan(db.conn(), id, day).unwrap());
        },
        |report| {
            let sent: Vec<i64> = report
                .instalments
                .iter()
                .filter(|i| i.skipped.is_none())
                .map(|i| i.customer_id)
                .collect();
            assert_eq!(sent.len(), report.instalment_messages.len());
            if !sent.is_empty() {
                reminders_by_day.insert(report.date, sent);
            }
            // A restart the same day sends no instalment reminder again.
            let again = block_on(run::run_due(&path, &mailer, report.date, false)).unwrap();
            assert!(again.instalment_messages.is_empty(), "{}", report.date);
        },
    );

    // One reminder per instalment, on the first weekday of the three days before it.
    let expected: BTreeMap<NaiveDate, Vec<i64>> = [
        (d("2026-07-13"), vec![acme]), // the 12th is a Sunday
        (d("2026-07-17"), vec![brill]),
        (d("2026-08-11"), vec![acme]),
        (d("2026-08-17"), vec![brill]),
    ]
    .into();
    assert_eq!(reminders_by_day, expected);
    assert_eq!(queued(&db, "instalment-reminder").len(), 4, "nothing twice");

    // The run's log holds campaign messages only (instalment reminders are the plan's).
    let days = |who: i64, thanks: bool| -> Vec<NaiveDate> {
        log.iter()
            .filter(|(_, c, template, _)| *c == who && (template == "thank-you") == thanks)
            .map(|(day, ..)| *day)
            .collect()
    };
    let campaign_days = |who| days(who, false);
    assert!(
        campaign_days(acme).is_empty(),
        "Acme kept its plan: {:?}",
        campaign_days(acme)
    );
    // Each invoice paid after its instalment reminder is thanked on the next run day (the
    // 14 August payment on the Monday after).
    assert_eq!(days(acme, true), [d("2026-07-15"), d("2026-08-17")]);
    let brill_days = campaign_days(brill);
    assert!(
        !brill_days.is_empty(),
        "Brill's broken plan is chased again"
    );
    assert!(
        brill_days.iter().all(|day| *day >= d("2026-08-24")),
        "not before the plan broke (20 Aug + 3 grace days): {brill_days:?}"
    );
    assert_eq!(
        campaign_days(carl).first(),
        Some(&d("2026-07-01")),
        "no plan: reminded at once"
    );

    // The broken plan put one call on the Today list, on the day it broke, at the top.
    let calls: Vec<(String, String)> = db
        .conn()
        .prepare("SELECT title, due_date FROM tasks WHERE customer_id = ?1 AND title LIKE '%payment plan%'")
        .unwrap()
        .query_map([brill], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].1, "2026-08-24");
    assert!(
        calls[0]
            .0
            .contains("instalment 2 (due 2026-08-20, 50.00 EUR) missed"),
        "{calls:?}"
    );
    let today = duebook_core::views::call_list::today(db.conn(), d("2026-08-24")).unwrap();
    assert!(
        today
            .iter()
            .any(|r| r.customer_id == brill && r.broken_plan),
        "{today:?}"
    );

    // The plan says why Brill was not contacted, with what is due next.
    let excluded = previews[&d("2026-08-03")]
        .excluded
        .iter()
        .find(|e| e.customer_id == brill)
        .cloned()
        .unwrap();
    assert_eq!(excluded.reason, ExclusionReason::OnPaymentPlan);
    assert!(
        excluded
            .detail
            .contains("next instalment 50.00 EUR on 2026-08-20"),
        "{}",
        excluded.detail
    );

    // The reminder names the instalment, what is paid and what remains.
    let body: String = db
        .conn()
        .query_row(
            "SELECT body_text FROM messages WHERE template_key = 'instalment-reminder'
             AND customer_id = ?1 ORDER BY id DESC LIMIT 1",
            [brill],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        body.contains("instalment 2 of 2, €50.00, is due on 20 Aug 2026"),
        "{body}"
    );
    assert!(
        body.contains("Paid so far €50.00; €50.00 remains."),
        "{body}"
    );
}
