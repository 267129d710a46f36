//! The catch-up message (chosen at activation, see [`super::activation`]): when a customer's
//! first message in the campaign is the catch-up template instead of their step, and how the
//! plan says so.

use super::escalation::{Ladder, Level};
use super::{Campaign, CatchUp};

/// The catch-up template for a message at `top`, when it is the customer's first on the
/// campaign's overdue steps and their invoice's age is past that step (`aged`).
pub(super) fn catch_up_template(
    campaign: &Campaign,
    ladder: &Ladder,
    level: Option<&Level>,
    top: i64,
    aged: i64,
) -> Option<&'static str> {
    let catch_up = campaign.catch_up?;
    let first_on_ladder = level.is_none_or(|l| !ladder.is_rung(l.position));
    (ladder.climbs(top) && first_on_ladder && aged > top).then(|| catch_up.template_key())
}

/// The plan's stage line of a catch-up message.
pub(super) fn catch_up_stage(campaign: &Campaign, top: i64, oldest: Option<(&str, i64)>) -> String {
    let step = campaign.step(top).map_or("?", |s| s.template_key.as_str());
    let overdue = oldest.map_or(String::new(), |(number, days)| {
        format!(", invoice {number} is {days} days overdue")
    });
    format!("first contact: catch-up instead of {step}{overdue}; then one step at a time")
}

/// Whether `template` on a campaign message is its statement catch-up (which carries the
/// customer's statement as a PDF).
pub(super) fn is_statement_catch_up(campaign: &Campaign, template: &str) -> bool {
    campaign.catch_up == Some(CatchUp::Statement) && template == CatchUp::Statement.template_key()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catch_up_reads_back_and_unknown_values_mean_none() {
        for c in [CatchUp::TidyUp, CatchUp::Statement] {
            assert_eq!(CatchUp::from_db(c.as_str()), Some(c));
        }
        assert_eq!(CatchUp::from_db("loud"), None);
    }
}
