//! First activation on a backlog (issue 14 item 6): a campaign sends nothing until its
//! activation is confirmed after the backlog summary; the summary's numbers come from the plan;
//! campaigns already active before the confirmation existed count as confirmed; the catch-up
//! starts customers past the first overdue step gently, then one step at a time.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::campaign::activation::{self, Backlog, BacklogTotal};
use duebook_core::campaign::{self, run, CatchUp, Escalation, NewCampaign};
use duebook_core::store::Database;
use duebook_core::test_support::campaign::backlog::{pending_backlog_file, START};
use duebook_core::test_support::campaign::{block_on, d, simulate, temp_db, StubMailer};
use duebook_core::test_support::count;
use duebook_core::test_support::migration::back_to_version_15;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn friendly() -> NewCampaign {
    campaign::preset("friendly").unwrap()
}

fn summary(path: &Path, day: &str) -> Backlog {
    let db = Database::open(path).unwrap();
    activation::backlog(db.conn(), 1, d(day)).unwrap()
}

/// A backlog file for the friendly campaign (see [`pending_backlog_file`]), activated with
/// `catch_up`; returns its path and the backlog's (customer, days overdue).
fn activated_backlog(dir: &Path, catch_up: CatchUp) -> (PathBuf, Vec<(i64, u64)>) {
    let (path, customers) = pending_backlog_file(dir, &friendly());
    let db = Database::open(&path).unwrap();
    activation::activate(db.conn(), 1, Some(catch_up)).unwrap();
    (path, customers)
}

#[test]
fn the_summary_counts_the_backlog_through_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let capped = NewCampaign {
        daily_cap: Some(7),
        ..friendly()
    };
    let (path, _) = pending_backlog_file(dir.path(), &capped);
    let b = summary(&path, START);
    // Everyone has a step due: 0 days overdue is the pre-due step.
    assert_eq!(b.qualifying, 41);
    assert_eq!(b.emails, 41);
    // 90, 100, … 400 days.
    assert_eq!(b.overdue_90, 32);
    // 41 invoices and 9 second ones, 100.00 EUR each.
    assert_eq!(
        b.totals,
        vec![BacklogTotal {
            currency: "EUR".into(),
            amount: "5000.00".into()
        }]
    );
    assert_eq!(b.daily_limit, Some(7));
    assert_eq!(b.days_needed, 6, "41 emails at 7 a day");
    assert!(b.catch_up_possible);
    // 30 days overdue and more: past overdue-1, where a first contact starts.
    assert_eq!(b.past_first_step, 38);
    assert_eq!(b.confirmed_at, None);

    // A weekend and the cap hold nothing back from the count: it is the whole backlog.
    let saturday = summary(&path, "2026-07-04");
    assert_eq!(saturday.qualifying, 41);

    // Nothing was written: still not confirmed, nothing queued.
    let db = Database::open(&path).unwrap();
    assert_eq!(count(&db, "SELECT count(*) FROM messages"), 0);
}

#[test]
fn without_a_limit_the_backlog_goes_out_in_a_day_and_jump_offers_no_catch_up() {
    let dir = tempfile::tempdir().unwrap();
    let jump = NewCampaign {
        escalation: Escalation::Jump,
        ..friendly()
    };
    let (path, _) = pending_backlog_file(dir.path(), &jump);
    let b = summary(&path, START);
    assert_eq!((b.daily_limit, b.days_needed), (None, 1));
    assert!(!b.catch_up_possible);
    assert_eq!(b.past_first_step, 0);

    let db = Database::open(&path).unwrap();
    let refused = activation::activate(db.conn(), 1, Some(CatchUp::TidyUp));
    assert!(
        matches!(&refused, Err(campaign::CampaignError::Invalid(m)) if m.contains("one-step")),
        "{refused:?}"
    );
    assert!(
        !campaign::get(db.conn(), 1).unwrap().sends(),
        "refused: nothing changed"
    );
}

#[test]
fn the_migration_confirms_campaigns_that_were_already_active() {
    let (dir, db) = temp_db();
    let active = campaign::create(db.conn(), &friendly()).unwrap();
    let off = campaign::create(
        db.conn(),
        &NewCampaign {
            active: false,
            ..friendly()
        },
    )
    .unwrap();
    // Back to the schema before version 14, as a user's file was.
    back_to_version_15(db.conn());
    db.conn()
        .execute_batch(
            "ALTER TABLE campaigns DROP COLUMN confirmed_at;
             ALTER TABLE campaigns DROP COLUMN catch_up;
             PRAGMA user_version = 13;",
        )
        .unwrap();
    drop(db);
    let db = Database::open(&dir.path().join("test.sqlite")).unwrap();
    let active = campaign::get(db.conn(), active).unwrap();
    assert!(active.confirmed_at.is_some() && active.sends());
    let off = campaign::get(db.conn(), off).unwrap();
    assert_eq!(off.confirmed_at, None, "a campaign that was off still asks");
    assert_eq!(active.catch_up, None);
}

/// The friendly preset's position of a template; the catch-up stands for overdue-1.
fn position(template: &str) -> i64 {
    let template = if template == "catch-up" {
        "overdue-1"
    } else {
        template
    };
    friendly()
        .steps
        .iter()
        .find(|s| s.template_key == template)
        .map(|s| s.position)
        .unwrap_or_else(|| panic!("no step {template}"))
}

#[test]
fn the_catch_up_is_the_first_message_then_one_step_at_a_time_over_120_days() {
    let dir = tempfile::tempdir().unwrap();
    let (path, customers) = activated_backlog(dir.path(), CatchUp::TidyUp);
    let mailer = StubMailer::default();
    let log = simulate(&path, d(START), 120, &mailer);

    let mut by: BTreeMap<i64, Vec<(chrono::NaiveDate, String)>> = BTreeMap::new();
    for (day, customer, template, _) in &log {
        by.entry(*customer)
            .or_default()
            .push((*day, template.clone()));
    }
    for (customer, days) in &customers {
        let got = &by[customer];
        let templates: Vec<&str> = got.iter().map(|(_, t)| t.as_str()).collect();
        let catch_ups = templates.iter().filter(|t| **t == "catch-up").count();
        if *days >= 30 {
            assert_eq!(
                templates[0], "catch-up",
                "{days} days overdue: {templates:?}"
            );
            assert_eq!(got[0].0, d(START), "sent on the first day");
        } else {
            assert_ne!(
                templates[0], "catch-up",
                "{days} days: not past the first step"
            );
        }
        assert!(catch_ups <= 1, "{days} days overdue: {templates:?}");
        for pair in got.windows(2) {
            let ((before, from), (after, to)) = (&pair[0], &pair[1]);
            let (from, to) = (position(from), position(to));
            assert!(to <= from + 1, "{days} days: {from} → {to}: {templates:?}");
            assert!((*after - *before).num_days() >= campaign::DEFAULT_MIN_GAP_DAYS);
        }
    }
    // 90+ days overdue: the catch-up, then overdue-2, overdue-3 and the final notice.
    for (customer, days) in customers.iter().filter(|(_, days)| *days >= 90) {
        let templates: Vec<&str> = by[customer].iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            templates[..4],
            ["catch-up", "overdue-2", "overdue-3", "final-notice"],
            "{days} days overdue"
        );
    }
}

#[test]
fn the_statement_catch_up_carries_the_statement() {
    let dir = tempfile::tempdir().unwrap();
    let (path, customers) = activated_backlog(dir.path(), CatchUp::Statement);
    let mailer = StubMailer::default();
    let report = block_on(run::run_due(&path, &mailer, d(START), false)).unwrap();
    assert!(
        report.campaigns[0].failed.is_empty(),
        "{:?}",
        report.campaigns[0].failed
    );
    let templates: BTreeMap<i64, String> = report.campaigns[0]
        .plan
        .contacts
        .iter()
        .map(|c| (c.customer_id, c.template_key.clone()))
        .collect();
    let (ten_days, _) = customers[1];
    let (hundred_days, _) = customers[10];
    assert_eq!(templates[&ten_days], "overdue-1");
    assert_eq!(templates[&hundred_days], "statement-cover");
    let raw: Vec<String> = mailer
        .sent
        .lock()
        .unwrap()
        .iter()
        .map(|m| String::from_utf8_lossy(m).into_owned())
        .collect();
    let with_pdf = raw.iter().filter(|m| m.contains("application/pdf")).count();
    assert_eq!(
        with_pdf, 38,
        "one statement per customer past the first step"
    );
}
