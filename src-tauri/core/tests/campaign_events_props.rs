//! Property tests: whatever event date, window, event offsets and "no reply to the last N" a
//! campaign file (or a hand-edited database) holds, storing it is refused with a reason or
//! accepted, and planning it on any day never panics.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::campaign::{
    self, plan, Audience, Channel, EventDate, NewCampaign, Step, Trigger, Window,
};
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{customer, temp_db};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn date() -> impl Strategy<Value = NaiveDate> {
    (1900i32..2200, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

fn event() -> impl Strategy<Value = EventDate> {
    prop_oneof![
        3 => date().prop_map(EventDate::OnDate),
        1 => (any::<u32>(), any::<u32>()).prop_map(|(month, day)| EventDate::Yearly { month, day }),
        3 => (0u32..=13, 1u32..=31).prop_map(|(month, day)| EventDate::Yearly { month, day }),
        1 => any::<u32>().prop_map(|end_month| EventDate::FiscalYearEnd { end_month }),
        3 => (1u32..=12).prop_map(|end_month| EventDate::FiscalYearEnd { end_month }),
    ]
}

fn offset() -> impl Strategy<Value = i64> {
    prop_oneof![1 => any::<i64>(), 6 => -400i64..400]
}

fn plan_any_day(db: &Database, id: i64, today: NaiveDate) {
    // A refusal is fine (an unreadable campaign); a panic is not.
    let _ = plan::plan(db.conn(), id, today);
}

#[test]
fn any_event_campaign_is_refused_or_planned_without_panicking() {
    let (_dir, db) = temp_db();
    customer(&db, "Alpha", Some("a@alpha.example"), &["2026-12-01"]);
    let strategy = (
        proptest::option::weighted(0.9, event()),
        proptest::option::of((date(), date(), 0u8..4)),
        proptest::collection::vec(offset(), 1..3),
        proptest::option::of(prop_oneof![any::<i64>(), -2i64..60]),
        date(),
    );
    let accepted = std::cell::Cell::new(0);
    let mut runner = TestRunner::new(Config {
        cases: 200,
        ..Config::default()
    });
    runner
        .run(&strategy, |(event, window, offsets, silent, today)| {
            let steps = offsets
                .iter()
                .enumerate()
                .map(|(n, o)| {
                    Step::new(n as i64 + 1, Trigger::EventOffset(*o), "year-end", Channel::Email)
                })
                .collect();
            let new = NewCampaign {
                event,
                // Mostly the right way round: a backwards window is refused.
                window: window.map(|(a, b, way)| match way {
                    0 => Window { start: b, end: a },
                    _ => Window {
                        start: a.min(b),
                        end: a.max(b),
                    },
                }),
                audience: Audience {
                    no_reply_to_last: silent,
                    ..Audience::default()
                },
                ..NewCampaign::new("Event", steps)
            };
            if let Ok(id) = campaign::create(db.conn(), &new) {
                accepted.set(accepted.get() + 1);
                plan_any_day(&db, id, today);
                // The same campaign after a hand edit of the file: any offset, any JSON.
                db.conn()
                    .execute(
                        "UPDATE campaign_steps SET event_offset_days = ?2 WHERE campaign_id = ?1",
                        rusqlite::params![id, offsets[0]],
                    )
                    .unwrap();
                plan_any_day(&db, id, today);
                db.conn()
                    .execute(
                        "UPDATE campaigns SET event = '{\"yearly\": {\"month\": 99}}' WHERE id = ?1",
                        [id],
                    )
                    .unwrap();
                prop_assert!(campaign::get(db.conn(), id).is_err());
            }
            Ok(())
        })
        .unwrap();
    // Both sides were tried: refusals and campaigns planned.
    assert!(accepted.get() > 10, "{}", accepted.get());
}
