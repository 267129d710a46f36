//! Escalation on silence over 120 days of `run-due`: the friendly campaign reminds everyone;
//! an escalation campaign ("no reply to the last 3 reminders") writes only to customers who
//! did not answer, replies read through the real inbound path (decide, then record). Until
//! the mailbox is read, the rule cannot know and the plan says so per customer.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::campaign::plan::{self, ExclusionReason, REPLIES_NOT_READ};
use duebook_core::campaign::{self, Audience, CampaignError, NewCampaign};
use duebook_core::test_support::campaign::{
    customer, d, friendly_campaign_db, simulate_days, temp_db, StubMailer,
};
use duebook_core::test_support::inbound::{deliver, inbox_read, last_sent_id, written_on};
use std::collections::BTreeMap;

const DUE: &str = "2026-07-15";

fn escalation() -> NewCampaign {
    campaign::preset("escalation-silence").unwrap()
}

#[test]
fn only_customers_silent_after_three_reminders_are_escalated() {
    let (dir, db, _) = friendly_campaign_db();
    let id = campaign::create(db.conn(), &escalation()).unwrap();
    let (silent, _) = customer(&db, "Silent", Some("s@silent.example"), &[DUE]);
    let (answers, _) = customer(&db, "Answers", Some("a@answers.example"), &[DUE]);
    let (auto, _) = customer(&db, "Only away", Some("o@away.example"), &[DUE]);

    // Before the mailbox is read, nobody can be called silent: the plan says so, per customer.
    let unread = plan::plan(db.conn(), id, d("2026-08-31")).unwrap();
    assert!(unread.contacts.is_empty(), "{:?}", unread.contacts);
    for who in [silent, answers, auto] {
        let e = unread
            .excluded
            .iter()
            .find(|e| e.customer_id == who)
            .unwrap();
        assert_eq!(e.reason, ExclusionReason::RepliesNotRead);
        assert_eq!(e.detail, REPLIES_NOT_READ);
    }
    inbox_read(&db);

    let path = dir.path().join("test.sqlite");
    let mailer = StubMailer::default();
    let mut whys = Vec::new();
    let log = simulate_days(
        &path,
        (d("2026-07-01"), 120),
        &mailer,
        |today| {
            // A reply to the overdue-2 reminder (sent on 14 August), through the inbound path.
            if today == d("2026-08-17") {
                let header = format!("In-Reply-To: {}", last_sent_id(&db, answers));
                let raw = written_on(
                    today,
                    "a@answers.example",
                    "Re: Your invoice",
                    &[&header],
                    "Paying next week, sorry.",
                );
                deliver(&db, &raw, today);
            }
            // An out-of-office is not an answer.
            if today == d("2026-08-18") {
                let header = format!("In-Reply-To: {}", last_sent_id(&db, auto));
                let raw = written_on(
                    today,
                    "o@away.example",
                    "Automatic reply: Your invoice",
                    &[&header, "Auto-Submitted: auto-replied"],
                    "I am out of the office with limited access to email.",
                );
                deliver(&db, &raw, today);
            }
        },
        |report| {
            for c in report.campaigns.iter().filter(|c| c.campaign_id == id) {
                whys.extend(c.plan.contacts.iter().map(|p| p.why.clone()));
            }
        },
    );
    let mut by: BTreeMap<i64, Vec<(NaiveDate, String, &str)>> = BTreeMap::new();
    for (day, who, template, channel) in &log {
        by.entry(*who)
            .or_default()
            .push((*day, template.clone(), *channel));
    }
    let escalated = |who: i64| -> Vec<(NaiveDate, &str)> {
        by[&who]
            .iter()
            .filter(|(_, t, _)| t == "escalation-silence")
            .map(|(day, _, channel)| (*day, *channel))
            .collect()
    };
    // Pre-due (13 July), overdue-1 (28 July), overdue-2 (14 August): three unanswered. The
    // escalation's email waits for the gap after overdue-2 (Monday 31 August); the friendly
    // campaign's overdue-3 goes out after the next gap (15 September), the call after that.
    assert_eq!(
        escalated(silent),
        [(d("2026-08-31"), "email"), (d("2026-09-30"), "call")],
        "{:?}",
        by[&silent]
    );
    assert_eq!(escalated(auto), escalated(silent));
    // The reply on the 17th answered the last three; the three after it (overdue-3, the final
    // notice, ...) come later than the 120 days hold.
    assert!(escalated(answers).is_empty(), "{:?}", by[&answers]);

    // The plan said why each one was escalated: the oldest of the last three reminders.
    assert_eq!(whys.len(), 4, "{whys:?}");
    assert!(
        whys[0].ends_with("no reply to the last 3 reminder(s), since 2026-07-13"),
        "{whys:?}"
    );
    assert!(
        whys[3].ends_with("no reply to the last 3 reminder(s), since 2026-08-14"),
        "{whys:?}"
    );
}

#[test]
fn the_silence_rule_needs_at_least_one_reminder() {
    let (_dir, db) = temp_db();
    for n in [0, -1, 51] {
        let bad = NewCampaign {
            audience: Audience {
                no_reply_to_last: Some(n),
                ..Audience::default()
            },
            ..escalation()
        };
        let refused = campaign::create(db.conn(), &bad).unwrap_err();
        assert!(matches!(refused, CampaignError::Invalid(ref m) if m.contains("no reply")));
    }
}
