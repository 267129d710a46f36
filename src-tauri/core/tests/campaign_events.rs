//! Event campaigns over 120 days of `run-due`, one day at a time, against the real outbox: a
//! yearly event (the last working day of the fiscal year) whose steps cross a year boundary
//! sends to everyone with a balance once per occurrence, never twice after restarts, and again
//! the next year; a campaign with a window sends only inside it, and its plan says why not
//! outside.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::campaign::plan::{self, ExclusionReason};
use duebook_core::campaign::{self, Audience, EventDate, NewCampaign, Step, Trigger, Window};
use duebook_core::campaign::{CampaignError, Channel};
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{
    customer, d, invoice, setup_mail, simulate, simulate_days, temp_db, Log, StubMailer,
};
use duebook_core::test_support::ledger::record_payment;
use std::collections::BTreeMap;

fn in_segment(db: &Database, customer: i64, segment: &str) {
    db.conn()
        .execute(
            "UPDATE customers SET segment = ?2 WHERE id = ?1",
            rusqlite::params![customer, segment],
        )
        .unwrap();
}

fn segment(name: &str) -> Audience {
    Audience {
        segment: Some(name.into()),
        ..Audience::default()
    }
}

/// The fiscal year ends in December: its last working day in 2026 is Thursday the 31st. A
/// note ten days before (Monday 21 December) and one five days after (Tuesday 5 January).
fn year_end() -> NewCampaign {
    NewCampaign {
        audience: segment("event"),
        event: Some(EventDate::FiscalYearEnd { end_month: 12 }),
        // No gap: only the once-per-occurrence rule keeps a customer from a second note.
        min_gap_days: 0,
        ..NewCampaign::new(
            "Year-end close",
            vec![
                Step::new(1, Trigger::EventOffset(-10), "year-end", Channel::Email),
                Step::new(
                    2,
                    Trigger::EventOffset(5),
                    "statement-cover",
                    Channel::Email,
                ),
            ],
        )
    }
}

fn windowed() -> NewCampaign {
    NewCampaign {
        audience: segment("window"),
        window: Some(Window {
            start: d("2026-12-01"),
            end: d("2026-12-18"),
        }),
        ..campaign::preset("friendly").unwrap()
    }
}

fn by_customer(log: &Log) -> BTreeMap<i64, Vec<(NaiveDate, String, &'static str)>> {
    let mut by: BTreeMap<i64, Vec<_>> = BTreeMap::new();
    for (day, who, template, channel) in log {
        by.entry(*who)
            .or_default()
            .push((*day, template.clone(), *channel));
    }
    by
}

fn sent(day: &str, template: &str, channel: &'static str) -> (NaiveDate, String, &'static str) {
    (d(day), template.to_string(), channel)
}

#[test]
fn event_and_window_campaigns_send_on_their_days_once_per_occurrence() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let event_id = campaign::create(db.conn(), &year_end()).unwrap();
    let window_id = campaign::create(db.conn(), &windowed()).unwrap();
    // Not due until March, yet a balance: the year-end note goes to everyone with one.
    let (not_due, _) = customer(&db, "Not due", Some("n@n.example"), &["2027-03-01"]);
    let (overdue, _) = customer(&db, "Overdue", Some("o@o.example"), &["2026-10-01"]);
    let (paid, paid_invoices) = customer(&db, "Paid", Some("p@p.example"), &["2026-12-10"]);
    let (phone, _) = customer(&db, "Phone only", None, &["2026-12-01"]);
    let (grows, _) = customer(&db, "Grows", Some("g@g.example"), &["2026-12-05"]);
    let (late, _) = customer(&db, "Windowed", Some("w@w.example"), &["2026-11-01"]);
    for c in [not_due, overdue, paid, phone, grows] {
        in_segment(&db, c, "event");
    }
    in_segment(&db, late, "window");

    let path = dir.path().join("test.sqlite");
    let mailer = StubMailer::default();
    let mut outside = Vec::new();
    let mut whys: Vec<String> = Vec::new();
    let log = simulate_days(
        &path,
        (d("2026-11-01"), 120),
        &mailer,
        |today| {
            if today == d("2026-12-15") {
                record_payment(&db, paid_invoices[0], 10_000, today, None);
            }
            // A new invoice the day after the note: the occurrence is done for this customer.
            if today == d("2026-12-22") {
                invoice(&db, grows, "G-NEW", "2027-01-20");
            }
        },
        |report| {
            for c in &report.campaigns {
                if c.campaign_id == event_id {
                    whys.extend(c.plan.contacts.iter().map(|p| p.why.clone()));
                }
            }
            for c in report
                .campaigns
                .iter()
                .filter(|c| c.campaign_id == window_id)
            {
                for e in &c.plan.excluded {
                    if e.reason == ExclusionReason::OutsideWindow {
                        outside.push((c.plan.date, e.detail.clone()));
                    }
                }
            }
        },
    );
    let by = by_customer(&log);
    // The plan says which occurrence each note is for.
    assert!(
        whys.iter()
            .any(|w| w.contains("to step 1 (event of 2026-12-31)")),
        "{whys:?}"
    );
    assert!(
        whys.iter().all(|w| w.contains("(event of 2026-12-31)")),
        "{whys:?}"
    );
    for who in [not_due, overdue, grows] {
        assert_eq!(
            by[&who],
            [
                sent("2026-12-21", "year-end", "email"),
                sent("2027-01-05", "statement-cover", "email")
            ],
            "customer {who}"
        );
    }
    assert!(!by.contains_key(&paid), "{:?}", by.get(&paid));
    assert_eq!(
        by[&phone],
        [
            sent("2026-12-21", "year-end", "call"),
            sent("2027-01-05", "statement-cover", "call")
        ]
    );
    // The window campaign: its first step waited for the window (Tuesday 1 December), the
    // next came after the gap (the 16th), and the third, due on the 31st, never came.
    assert_eq!(
        by[&late],
        [
            sent("2026-12-01", "overdue-1", "email"),
            sent("2026-12-16", "overdue-2", "email")
        ]
    );
    let window_words = "outside the campaign's window (from 2026-12-01 to 2026-12-18)";
    assert!(outside.iter().all(|(_, detail)| detail == window_words));
    assert!(outside.iter().any(|(day, _)| *day == d("2026-12-31")));
    let window = d("2026-12-01")..=d("2026-12-18");
    assert!(outside.iter().all(|(day, _)| !window.contains(day)));
    assert!(outside.iter().any(|(day, _)| *day == d("2026-11-09")));
    let on_31st = plan::plan(db.conn(), window_id, d("2026-12-31")).unwrap();
    assert_eq!(on_31st.quiet_day.as_deref(), Some(window_words));

    // Restarted over the same days: nothing goes out twice.
    let again = simulate(&path, d("2026-12-01"), 40, &mailer);
    assert!(again.is_empty(), "{again:?}");

    // The next year's occurrence (Friday 31 December 2027): the notes go out again, once.
    let next = simulate(&path, d("2027-12-01"), 45, &mailer);
    let next = by_customer(&next);
    assert_eq!(
        next[&not_due],
        [
            sent("2027-12-21", "year-end", "email"),
            sent("2028-01-05", "statement-cover", "email")
        ]
    );
    assert_eq!(next[&phone].len(), 2);
    let results = campaign::results::results(db.conn(), event_id, d("2028-02-01")).unwrap();
    // Three emails per occurrence (the phone-only customer's are call tasks), one line each.
    assert_eq!(results.steps[0].outcomes.sent, 3 + 3);
    let lines: Vec<_> = results.steps[1]
        .occurrences
        .iter()
        .map(|o| (o.occurrence.as_str(), o.outcomes.sent))
        .collect();
    assert_eq!(lines, [("2026-12-31", 3), ("2027-12-31", 3)]);
}

#[test]
fn an_event_step_needs_an_event_date_and_a_window_must_not_end_before_it_starts() {
    let (_dir, db) = temp_db();
    let no_event = NewCampaign {
        event: None,
        ..year_end()
    };
    let refused = campaign::create(db.conn(), &no_event).unwrap_err();
    assert!(matches!(refused, CampaignError::Invalid(ref m) if m.contains("event date")));
    let backwards = NewCampaign {
        window: Some(Window {
            start: d("2026-12-18"),
            end: d("2026-12-01"),
        }),
        ..windowed()
    };
    let refused = campaign::create(db.conn(), &backwards).unwrap_err();
    assert!(refused
        .to_string()
        .contains("ends (2026-12-01) before it starts"));
    let bad_day = NewCampaign {
        event: Some(EventDate::Yearly { month: 2, day: 30 }),
        ..year_end()
    };
    assert!(campaign::create(db.conn(), &bad_day).is_err());
    // What is stored reads back the same.
    let id = campaign::create(db.conn(), &year_end()).unwrap();
    let back = campaign::get(db.conn(), id).unwrap();
    assert_eq!(back.event, year_end().event);
    assert_eq!(back.steps, year_end().steps);
    let id = campaign::create(db.conn(), &windowed()).unwrap();
    assert_eq!(
        campaign::get(db.conn(), id).unwrap().window,
        windowed().window
    );
}
