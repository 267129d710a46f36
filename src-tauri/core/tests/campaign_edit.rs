//! Editing a stored campaign: checked like a new one, and reminder state kept per invoice by
//! step position, so an edit never sends an invoice a step again (nor an earlier one).

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::campaign::{self, plan, run, CampaignError, Escalation, NewCampaign, Trigger};
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{
    block_on, customer, d, setup_mail, temp_db, StubMailer,
};

fn step_ids(db: &Database, campaign: i64) -> Vec<(i64, i64)> {
    db.conn()
        .prepare("SELECT position, id FROM campaign_steps WHERE campaign_id = ?1 ORDER BY position")
        .unwrap()
        .query_map([campaign], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The customers `campaign` contacts on `date`, with the step.
fn planned(db: &Database, campaign: i64, date: &str) -> Vec<(i64, i64)> {
    plan::plan(db.conn(), campaign, d(date))
        .unwrap()
        .contacts
        .iter()
        .map(|c| (c.customer_id, c.step_position))
        .collect()
}

/// Jumping to the step the invoice's age reached, so a run reaches the step an edit moves.
fn friendly() -> NewCampaign {
    NewCampaign {
        quiet_weekends: false,
        escalation: Escalation::Jump,
        ..campaign::preset("friendly").unwrap()
    }
}

/// A sending database with Alpha Ltd (one invoice due `due`) under [`friendly`], after a run
/// on `day`; returns (the folder's guard, the database, the campaign, Alpha, messages sent).
fn alpha_after_a_run(due: &str, day: &str) -> (tempfile::TempDir, Database, i64, i64, usize) {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let (alpha, _) = customer(&db, "Alpha Ltd", Some("ap@alpha.example"), &[due]);
    let id = campaign::create(db.conn(), &friendly()).unwrap();
    let mailer = StubMailer::default();
    block_on(run::run_due(db.path(), &mailer, d(day), false)).unwrap();
    (dir, db, id, alpha, mailer.count())
}

#[test]
fn an_edit_replaces_the_rules_and_keeps_kept_steps_ids() {
    let (_dir, db) = temp_db();
    let id = campaign::create(db.conn(), &friendly()).unwrap();
    let before = step_ids(&db, id);
    let mut edited = friendly();
    edited.name = "  Firm dunning ".into();
    edited.min_gap_days = 10;
    edited.daily_cap = Some(50);
    edited.escalation = Escalation::OneStep;
    edited.steps[1].trigger = Trigger::DueOffset(5);
    edited.steps[1].template_key = "overdue-2".into();
    edited.steps.truncate(4);
    campaign::update(db.conn(), id, &edited).unwrap();

    let got = campaign::get(db.conn(), id).unwrap();
    assert_eq!(got.name, "Firm dunning");
    assert_eq!((got.min_gap_days, got.daily_cap), (10, Some(50)));
    assert_eq!(got.escalation, Escalation::OneStep);
    assert_eq!(got.steps, edited.steps);
    // Messages point at steps for the results: positions kept keep their ids.
    assert_eq!(step_ids(&db, id), before[..4].to_vec());
}

#[test]
fn a_refused_edit_changes_nothing() {
    let (_dir, db) = temp_db();
    let id = campaign::create(db.conn(), &friendly()).unwrap();
    let stored = campaign::get(db.conn(), id).unwrap();
    let cases: Vec<(NewCampaign, &str)> = vec![
        (
            NewCampaign {
                name: " ".into(),
                ..friendly()
            },
            "needs a name",
        ),
        (
            NewCampaign {
                steps: vec![],
                ..friendly()
            },
            "at least one step",
        ),
        (
            NewCampaign {
                min_gap_days: -1,
                ..friendly()
            },
            "cannot be negative",
        ),
        (
            NewCampaign {
                daily_cap: Some(0),
                ..friendly()
            },
            "at least 1",
        ),
        (
            {
                let mut same = friendly();
                same.steps[1].position = 1;
                same
            },
            "same position",
        ),
    ];
    for (edit, message) in cases {
        match campaign::update(db.conn(), id, &edit) {
            Err(CampaignError::Invalid(m)) => assert!(m.contains(message), "{m}"),
            other => panic!("expected {message:?}, got {other:?}"),
        }
        assert_eq!(campaign::get(db.conn(), id).unwrap(), stored);
    }
    assert!(matches!(
        campaign::update(db.conn(), 99, &friendly()),
        Err(CampaignError::NotFound(99))
    ));
}

#[test]
fn a_step_received_is_not_sent_again_when_its_timing_changes() {
    // Alpha reaches step 2 (7 days after due) on the 8th.
    let (_dir, db, id, alpha, sent) = alpha_after_a_run("2026-04-01", "2026-04-08");
    assert_eq!(sent, 1);
    // Beta, new, would reach it only on the 11th.
    let (beta, _) = customer(&db, "Beta GmbH", Some("ap@beta.example"), &["2026-04-04"]);
    assert_eq!(planned(&db, id, "2026-04-09"), vec![(beta, 1)]);

    // Step 2 now comes 5 days after due, under a firmer template.
    let mut edited = friendly();
    edited.steps[1].trigger = Trigger::DueOffset(5);
    edited.steps[1].template_key = "overdue-2".into();
    campaign::update(db.conn(), id, &edited).unwrap();
    let next = planned(&db, id, "2026-04-09");
    assert_eq!(
        next,
        vec![(beta, 2)],
        "Beta gets the moved step; Alpha had it"
    );
    assert!(!next.iter().any(|(c, _)| *c == alpha));
}

#[test]
fn invoices_past_a_removed_last_step_get_nothing_more() {
    // 90 days after due: the final notice (step 5), skipping the steps missed while off.
    let (_dir, db, id, _, sent) = alpha_after_a_run("2026-01-05", "2026-04-05");
    assert_eq!(sent, 1);

    let mut shorter = friendly();
    shorter.steps.truncate(4);
    campaign::update(db.conn(), id, &shorter).unwrap();
    // Step 4 is the last reached now, but the invoice went past it: nothing goes backwards.
    assert_eq!(planned(&db, id, "2026-05-15"), vec![]);

    // Another customer's invoice still goes through the shorter campaign.
    let (beta, _) = customer(&db, "Beta GmbH", Some("ap@beta.example"), &["2026-05-01"]);
    assert_eq!(planned(&db, id, "2026-05-15"), vec![(beta, 2)]);
}

#[test]
fn renumbered_steps_keep_state_by_position() {
    // 30 days after due: step 3 (overdue-2).
    let (_dir, db, id, alpha, sent) = alpha_after_a_run("2026-01-01", "2026-01-31");
    assert_eq!(sent, 1);

    // Step 3 removed, steps 4 and 5 move up to 3 and 4.
    let mut edited = friendly();
    edited.steps.remove(2);
    for (n, step) in edited.steps.iter_mut().enumerate() {
        step.position = n as i64 + 1;
    }
    campaign::update(db.conn(), id, &edited).unwrap();
    // Position 3 (now overdue-3, 60 days) counts as received: not sent at 60 days...
    assert_eq!(planned(&db, id, "2026-03-02"), vec![]);
    // ...and the campaign goes on with position 4 (the final notice) at 90 days.
    let plan = plan::plan(db.conn(), id, d("2026-04-01")).unwrap();
    assert_eq!(plan.contacts.len(), 1);
    assert_eq!(plan.contacts[0].customer_id, alpha);
    assert_eq!(
        (
            plan.contacts[0].step_position,
            plan.contacts[0].template_key.as_str()
        ),
        (4, "final-notice")
    );
}
