//! The shipped campaigns a user starts from.

use super::{Audience, Channel, NewCampaign, Step, Trigger};

/// Shipped preset names, as `duebook campaigns preset NAME` accepts them.
pub const PRESET_NAMES: &[&str] = &["friendly", "statements", "high-touch"];

/// The shipped campaigns, ready to [`create`]: by short name (see [`PRESET_NAMES`]).
pub fn preset(name: &str) -> Option<NewCampaign> {
    use Channel::{Call, Email};
    use Trigger::{DayOfMonth, DueOffset};
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
        _ => return None,
    };
    // Thanking a customer who paid after a reminder is part of the playbook the presets follow.
    Some(NewCampaign {
        thank_you: true,
        ..campaign
    })
}

/// All shipped presets.
pub fn presets() -> Vec<NewCampaign> {
    PRESET_NAMES.iter().filter_map(|n| preset(n)).collect()
}
