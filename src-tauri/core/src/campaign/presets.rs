//! The shipped campaigns a user starts from.

use super::{Audience, Channel, EventDate, NewCampaign, Step, Trigger};

/// Shipped preset names, as `duebook campaigns preset NAME` accepts them.
pub const PRESET_NAMES: &[&str] = &[
    "friendly",
    "statements",
    "high-touch",
    "year-end",
    "tax-season",
    "escalation-silence",
    "owner-digest",
];

/// The gap of the event presets: a customer reminded by another campaign last week still gets
/// the event's note within the days its step stays reached.
const EVENT_GAP_DAYS: i64 = 7;

/// The shipped campaigns, ready to [`create`]: by short name (see [`PRESET_NAMES`]).
pub fn preset(name: &str) -> Option<NewCampaign> {
    use Channel::{Call, Email};
    use Trigger::{DayOfMonth, DueOffset, EventOffset};
    let step = Step::new;
    let campaign = match name {
        "friendly" => NewCampaign::new(
            "Friendly pre-due + 3 overdue steps + final notice",
            vec![
                step(1, DueOffset(-3), "pre-due", Email),
                step(2, DueOffset(7), "overdue-1", Email),
                step(3, DueOffset(30), "overdue-2", Email),
                step(4, DueOffset(60), "overdue-3", Email),
                step(5, DueOffset(90), "final-notice", Email),
            ],
        ),
        "statements" => NewCampaign {
            // A statement is expected monthly whatever the last reminder was.
            min_gap_days: 0,
            ..NewCampaign::new(
                "Monthly statements",
                vec![step(1, DayOfMonth(1), "statement-cover", Email)],
            )
        },
        "high-touch" => NewCampaign {
            audience: Audience {
                min_balance_minor: Some(500_000),
                ..Audience::default()
            },
            ..NewCampaign::new(
                "High-touch: email then call",
                vec![
                    step(1, DueOffset(-5), "pre-due", Email),
                    step(2, DueOffset(1), "overdue-1", Email),
                    step(3, DueOffset(10), "overdue-1", Call),
                    step(4, DueOffset(30), "overdue-2", Email),
                    step(5, DueOffset(45), "overdue-3", Call),
                    step(6, DueOffset(60), "final-notice", Email),
                ],
            )
        },
        "year-end" => NewCampaign {
            // Ten days before the close: time to pay, or to reconcile, before the books shut.
            event: Some(EventDate::FiscalYearEnd { end_month: 12 }),
            min_gap_days: EVENT_GAP_DAYS,
            ..NewCampaign::new(
                "Year-end close",
                vec![step(1, EventOffset(-10), "year-end", Email)],
            )
        },
        "tax-season" => NewCampaign {
            // A month before the US filing day, when customers gather their records.
            event: Some(EventDate::Yearly { month: 4, day: 15 }),
            min_gap_days: EVENT_GAP_DAYS,
            ..NewCampaign::new(
                "Tax season",
                vec![step(1, EventOffset(-30), "tax-season", Email)],
            )
        },
        "escalation-silence" => NewCampaign {
            audience: Audience {
                no_reply_to_last: Some(3),
                ..Audience::default()
            },
            ..NewCampaign::new(
                "Escalation on silence: no reply to the last 3 reminders",
                vec![
                    step(1, DueOffset(30), "escalation-silence", Email),
                    step(2, DueOffset(45), "escalation-silence", Call),
                ],
            )
        },
        // No steps of its own: each account owner's weekly digest (see `plan::digest`).
        "owner-digest" => NewCampaign {
            owner_digest: true,
            ..NewCampaign::new("Weekly digest for account owners", Vec::new())
        },
        _ => return None,
    };
    // Thanking a customer who paid after a reminder is part of the playbook the presets follow
    // (the digest reminds nobody).
    Some(NewCampaign {
        thank_you: !campaign.owner_digest,
        ..campaign
    })
}

/// All shipped presets.
pub fn presets() -> Vec<NewCampaign> {
    PRESET_NAMES.iter().filter_map(|n| preset(n)).collect()
}
