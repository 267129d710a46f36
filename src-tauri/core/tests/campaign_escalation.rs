//! One step at a time (the default): a backlog starts at the first overdue step and climbs one
//! step per message, never faster than the gap, with steps sent by hand counted; "jump" still
//! goes straight to the step the invoice's age reached.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::Days;
use duebook_core::campaign::plan::{plan, ExclusionReason};
use duebook_core::campaign::{self, run, Escalation, NewCampaign};
use duebook_core::test_support::campaign::backlog::{
    backlog_file, friendly, position, steps_by_customer, START,
};
use duebook_core::test_support::campaign::{
    block_on, customer, d, setup_mail, simulate, temp_db, StubMailer,
};
use rusqlite::params;
use std::collections::HashSet;

#[test]
fn a_backlog_climbs_one_step_at_a_time_over_120_days() {
    let dir = tempfile::tempdir().unwrap();
    let (path, customers) = backlog_file(dir.path(), Escalation::OneStep);
    let mailer = StubMailer::default();
    let log = simulate(&path, d(START), 120, &mailer);
    assert_eq!(mailer.count(), log.len(), "every message delivered once");

    let mut seen_day = HashSet::new();
    for (day, customer, _, _) in &log {
        assert!(
            seen_day.insert((*day, *customer)),
            "{customer}: two messages on {day}"
        );
    }
    let by = steps_by_customer(&log);
    let first_overdue = position("overdue-1");
    for (customer, steps) in &by {
        let (_, first) = steps[0];
        assert!(
            first <= first_overdue,
            "{customer}: first message at step {first}: {steps:?}"
        );
        for pair in steps.windows(2) {
            let ((before, from), (after, to)) = (pair[0], pair[1]);
            assert!(to <= from + 1, "{customer} jumped {from} → {to}: {steps:?}");
            assert!(
                (after - before).num_days() >= campaign::DEFAULT_MIN_GAP_DAYS,
                "{customer}: {before} → {after} is inside the gap"
            );
        }
    }
    // Everyone 90+ days overdue got the final notice in the end, after every earlier step.
    let final_notice = position("final-notice");
    for (customer, days) in customers.iter().filter(|(_, days)| *days >= 90) {
        // A newer invoice reaching a step later gets its reminder in the final notice's tone.
        let got: Vec<i64> = by[customer].iter().map(|(_, p)| *p).collect();
        assert_eq!(
            got[..4],
            [2, 3, 4, final_notice],
            "{customer}, {days} days overdue"
        );
        assert!(got[4..].iter().all(|p| *p == final_notice), "{got:?}");
    }
    let day_one_finals = log
        .iter()
        .filter(|(day, _, t, _)| *day == d(START) && t == "final-notice")
        .count();
    assert_eq!(day_one_finals, 0, "no final notice out of nowhere");
}

#[test]
fn jump_still_sends_the_step_the_invoice_age_reached_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (path, customers) = backlog_file(dir.path(), Escalation::Jump);
    let log = simulate(&path, d(START), 1, &StubMailer::default());
    let by = steps_by_customer(&log);
    for (customer, days) in &customers {
        let want = match days {
            0 => 1,
            10..=29 => 2,
            30..=59 => 3,
            60..=89 => 4,
            _ => 5,
        };
        assert_eq!(by[customer], vec![(d(START), want)], "{days} days overdue");
    }
}

#[test]
fn the_plan_says_where_each_customer_is_and_why() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let id = campaign::create(db.conn(), &friendly(Escalation::OneStep)).unwrap();
    let start = d(START);
    let due = (start - Days::new(143)).to_string();
    let (a, _) = customer(&db, "Alpha", Some("a@alpha.example"), &[&due]);

    let p = plan(db.conn(), id, start).unwrap();
    assert_eq!(p.contacts.len(), 1);
    assert_eq!(p.contacts[0].step_position, 2);
    assert_eq!(
        p.contacts[0].stage,
        format!(
            "first contact: starting at overdue-1, invoice INV-{a}-0 is 143 days overdue; \
             its age reached final-notice, one step at a time"
        )
    );
    let path = dir.path().join("test.sqlite");
    block_on(run::run_due(&path, &StubMailer::default(), start, false)).unwrap();

    // Inside the gap: left out and counted as between steps (the stage says where it goes next
    // once the gap has passed, below).
    let p = plan(db.conn(), id, d("2026-07-10")).unwrap();
    assert!(p.contacts.is_empty() && p.excluded.is_empty(), "{p:#?}");
    assert_eq!(p.between_steps, 1);

    let p = plan(db.conn(), id, d("2026-07-16")).unwrap();
    assert_eq!(p.contacts[0].step_position, 3);
    assert_eq!(
        p.contacts[0].stage,
        "next step: overdue-2 (previous overdue-1 sent on 2026-07-01); \
         its age reached final-notice, one step at a time"
    );
}

#[test]
fn a_reminder_sent_by_hand_counts_as_a_step() {
    let (_dir, db) = temp_db();
    let id = campaign::create(db.conn(), &friendly(Escalation::OneStep)).unwrap();
    let start = d(START);
    let due = (start - Days::new(143)).to_string();
    let (a, inv) = customer(&db, "Alpha", Some("a@alpha.example"), &[&due]);
    let conn = db.conn();
    conn.execute(
        "INSERT INTO messages (customer_id, direction, send_key, template_key, subject, state,
                               created_at, sent_at)
         VALUES (?1, 'out', 'manual:1', 'overdue-1', 's', 'sent', ?2, ?2)",
        params![a, "2026-06-10T09:00:00Z"],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO message_invoices (message_id, invoice_id) VALUES (?1, ?2)",
        params![conn.last_insert_rowid(), inv[0]],
    )
    .unwrap();

    let p = plan(conn, id, start).unwrap();
    assert_eq!(p.contacts[0].step_position, 3, "{p:#?}");
    assert!(
        p.contacts[0]
            .stage
            .starts_with("next step: overdue-2 (previous overdue-1 sent by hand on 2026-06-10)"),
        "{}",
        p.contacts[0].stage
    );
    // The hand-sent reminder also starts the gap.
    let p = plan(conn, id, d("2026-06-15")).unwrap();
    assert_eq!(p.excluded[0].reason, ExclusionReason::ContactedWithinGap);
    assert_eq!(p.excluded[0].step_position, Some(3));
}

#[test]
fn before_due_steps_are_not_held_back_and_do_not_count_as_a_rung() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let id = campaign::create(db.conn(), &friendly(Escalation::OneStep)).unwrap();
    let (a, _) = customer(&db, "Alpha", Some("a@alpha.example"), &["2026-07-03"]);
    let p = plan(db.conn(), id, d(START)).unwrap();
    assert_eq!(p.contacts[0].step_position, 1, "pre-due as always");
    let path = dir.path().join("test.sqlite");
    block_on(run::run_due(&path, &StubMailer::default(), d(START), false)).unwrap();
    // 60 days overdue later: after the pre-due reminder, the first overdue step comes first.
    let p = plan(db.conn(), id, d("2026-09-01")).unwrap();
    assert_eq!(p.contacts[0].customer_id, a);
    assert_eq!(p.contacts[0].step_position, 2);
    assert!(p.contacts[0]
        .stage
        .starts_with("first contact: starting at overdue-1"));
}

#[test]
fn without_a_gap_a_step_up_still_waits_a_day() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let no_gap = NewCampaign {
        min_gap_days: 0,
        ..friendly(Escalation::OneStep)
    };
    let id = campaign::create(db.conn(), &no_gap).unwrap();
    let due = (d(START) - Days::new(143)).to_string();
    customer(&db, "Alpha", Some("a@alpha.example"), &[&due]);
    let path = dir.path().join("test.sqlite");
    let mailer = StubMailer::default();
    for _ in 0..3 {
        block_on(run::run_due(&path, &mailer, d(START), false)).unwrap();
    }
    assert_eq!(
        mailer.count(),
        1,
        "one step a day, however often run-due runs"
    );
    let p = plan(db.conn(), id, d("2026-07-02")).unwrap();
    assert_eq!(p.contacts[0].step_position, 3);
}
