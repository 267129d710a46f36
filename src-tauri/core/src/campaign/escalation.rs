//! How a customer climbs a campaign's overdue steps.
//!
//! The ladder is the campaign's overdue steps: due-date steps some days *after* the due date.
//! Steps before or on the due date and day-of-month (statement) steps are not on it: they go
//! out when reached, as before, and neither count as a rung nor are held back.
//!
//! With [`Escalation::OneStep`] (the default) a customer's level is the highest step their
//! open invoices received — from this campaign, or by hand (the same template sent from the
//! composer or the CLI). Their next message is at most the first rung above that level, however
//! far an invoice's age has gone, so a backlog starts at the first overdue step and a final
//! notice only follows the earlier ones, each at least the campaign's gap (and a day) after the
//! last. History of invoices paid since does not count: a new debt starts at the bottom.
//! [`Escalation::Jump`] sends the step the invoice's age reached at once.

use super::facts::{Facts, OpenInvoice};
use super::{Campaign, Escalation, Trigger};
use chrono::NaiveDate;

/// The positions of a campaign's overdue steps, ascending.
pub(super) struct Ladder {
    rungs: Vec<i64>,
    one_step: bool,
}

impl Ladder {
    pub(super) fn new(campaign: &Campaign) -> Ladder {
        let mut rungs: Vec<i64> = campaign
            .steps
            .iter()
            .filter(|s| matches!(s.trigger, Trigger::DueOffset(n) if n > 0))
            .map(|s| s.position)
            .collect();
        rungs.sort_unstable();
        Ladder {
            rungs,
            one_step: campaign.escalation == Escalation::OneStep,
        }
    }

    pub(super) fn is_rung(&self, position: i64) -> bool {
        self.rungs.binary_search(&position).is_ok()
    }

    /// The highest rung a message may reach for a customer at `level`: the first rung above
    /// it. None when nothing is held back (jumping, or the customer is past every rung).
    pub(super) fn cap(&self, level: Option<&Level>) -> Option<i64> {
        if !self.one_step {
            return None;
        }
        let floor = level.map_or(i64::MIN, |l| l.position);
        self.rungs.iter().copied().find(|r| *r > floor)
    }

    /// `position` held back to `cap` when it is a rung above it.
    pub(super) fn held(&self, position: i64, cap: Option<i64>) -> i64 {
        match cap {
            Some(cap) if position > cap && self.is_rung(position) => cap,
            _ => position,
        }
    }

    /// Whether one-step escalation applies to a message at `position`.
    pub(super) fn climbs(&self, position: i64) -> bool {
        self.one_step && self.is_rung(position)
    }
}

/// The highest step a customer's open invoices received, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Level {
    pub position: i64,
    pub on: NaiveDate,
    pub by_hand: bool,
}

/// A customer's level over their open invoices: this campaign's due-date reminders and rungs
/// whose template was sent by hand. Read only for one-step campaigns (else None).
pub(super) fn level(campaign: &Campaign, open: &[OpenInvoice], facts: &Facts) -> Option<Level> {
    let mut best: Option<Level> = None;
    let mut consider = |position: i64, on: NaiveDate, by_hand: bool| {
        let higher = best
            .as_ref()
            .is_none_or(|b| (position, on) > (b.position, b.on));
        if higher {
            best = Some(Level {
                position,
                on,
                by_hand,
            });
        }
    };
    for inv in open {
        if let Some(&(position, on)) = facts.step_sent.get(&inv.id) {
            consider(position, on, false);
        }
        for step in &campaign.steps {
            if !matches!(step.trigger, Trigger::DueOffset(n) if n > 0) {
                continue;
            }
            let templates = std::iter::once(&step.template_key).chain(&step.alt_template_key);
            for template in templates {
                if let Some(on) = facts.manual.on(inv.id, template) {
                    consider(step.position, on, true);
                }
            }
        }
    }
    best
}

/// Which step the customer is on and why, for a message at `top` (the step the oldest invoice's
/// age reached is `aged`).
pub(super) fn stage(
    campaign: &Campaign,
    ladder: &Ladder,
    level: Option<&Level>,
    top: i64,
    aged: i64,
    oldest: Option<(&str, i64)>,
) -> String {
    let name = |p: i64| campaign.step(p).map_or("?", |s| s.template_key.as_str());
    let overdue = oldest.map_or(String::new(), |(number, days)| {
        format!(", invoice {number} is {days} days overdue")
    });
    if !ladder.is_rung(top) {
        return format!(
            "{}: not an overdue step, so not part of the escalation",
            name(top)
        );
    }
    if !ladder.one_step {
        return format!(
            "jump: {}, the step the invoice's age reached{overdue}",
            name(top)
        );
    }
    let held = if aged > top {
        format!("; its age reached {}, one step at a time", name(aged))
    } else {
        String::new()
    };
    match level.filter(|l| ladder.is_rung(l.position)) {
        None => format!("first contact: starting at {}{overdue}{held}", name(top)),
        Some(l) => {
            let how = if l.by_hand { "sent by hand" } else { "sent" };
            let previous = format!("previous {} {how} on {}", name(l.position), l.on);
            if top > l.position {
                format!("next step: {} ({previous}){held}", name(top))
            } else {
                format!("stays at {} for a newer invoice ({previous})", name(top))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::{preset, NewCampaign, Step};

    fn friendly(escalation: Escalation) -> Campaign {
        Campaign::stored(
            1,
            NewCampaign {
                escalation,
                ..preset("friendly").expect("preset")
            },
        )
    }

    fn at(position: i64) -> Level {
        Level {
            position,
            on: "2026-01-05".parse().expect("date"),
            by_hand: false,
        }
    }

    #[test]
    fn the_ladder_is_the_overdue_steps_only() {
        let mut campaign = friendly(Escalation::OneStep);
        campaign.steps.push(Step::new(
            6,
            Trigger::DayOfMonth(1),
            "statement",
            super::super::Channel::Email,
        ));
        let ladder = Ladder::new(&campaign);
        assert_eq!(ladder.rungs, vec![2, 3, 4, 5]);
        assert!(!ladder.is_rung(1), "pre-due is not a rung");
        assert!(!ladder.is_rung(6), "a statement is not a rung");
    }

    #[test]
    fn one_step_caps_at_the_first_rung_above_the_level() {
        let ladder = Ladder::new(&friendly(Escalation::OneStep));
        assert_eq!(ladder.cap(None), Some(2), "first contact: overdue-1");
        assert_eq!(ladder.held(5, ladder.cap(None)), 2);
        assert_eq!(
            ladder.cap(Some(&at(1))),
            Some(2),
            "after pre-due: overdue-1"
        );
        assert_eq!(ladder.cap(Some(&at(2))), Some(3));
        assert_eq!(ladder.held(5, ladder.cap(Some(&at(3)))), 4);
        assert_eq!(
            ladder.held(3, ladder.cap(Some(&at(3)))),
            3,
            "never above its age"
        );
        assert_eq!(ladder.cap(Some(&at(5))), None, "past the last rung");
        assert_eq!(ladder.held(1, Some(2)), 1, "pre-due is never held");
    }

    #[test]
    fn jump_holds_nothing_back() {
        let ladder = Ladder::new(&friendly(Escalation::Jump));
        assert_eq!(ladder.cap(None), None);
        assert_eq!(ladder.held(5, ladder.cap(None)), 5);
        assert!(!ladder.climbs(5));
    }

    #[test]
    fn the_stage_says_where_the_customer_is_and_why() {
        let campaign = friendly(Escalation::OneStep);
        let ladder = Ladder::new(&campaign);
        let oldest = Some(("INV-7", 143));
        assert_eq!(
            stage(&campaign, &ladder, None, 2, 5, oldest),
            "first contact: starting at overdue-1, invoice INV-7 is 143 days overdue; \
             its age reached final-notice, one step at a time"
        );
        assert_eq!(
            stage(&campaign, &ladder, Some(&at(2)), 3, 3, oldest),
            "next step: overdue-2 (previous overdue-1 sent on 2026-01-05)"
        );
        let jump = friendly(Escalation::Jump);
        assert!(
            stage(&jump, &Ladder::new(&jump), None, 5, 5, oldest).starts_with("jump: final-notice")
        );
    }
}
