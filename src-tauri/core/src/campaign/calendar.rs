//! When a campaign's steps are reached on a date, and which dates are quiet (weekends,
//! holidays, days outside the campaign's window).

use super::{Campaign, Trigger};
use chrono::{Datelike, NaiveDate, Weekday};

/// Why `date` is a quiet day for the campaign, if it is.
pub fn quiet_day(campaign: &Campaign, date: NaiveDate) -> Option<String> {
    if let Some(outside) = outside_window(campaign, date) {
        return Some(outside);
    }
    if campaign.quiet_weekends && matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        return Some(format!("{date} is a weekend"));
    }
    if campaign.holidays.contains(&date) {
        return Some(format!("{date} is on the holiday list"));
    }
    None
}

/// Why `date` is outside the campaign's window, if it is.
pub fn outside_window(campaign: &Campaign, date: NaiveDate) -> Option<String> {
    let window = campaign.window?;
    (!window.contains(date)).then(|| window.outside())
}

/// Days an event step stays reached from its day: a run missed while the machine was off
/// still sends it; much later a year-end note would be wrong, so then it is not sent at all.
pub const EVENT_STEP_DAYS: i64 = 7;

fn last_day_of_month(year: i32, month: u32) -> u32 {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .map_or(28, |d| d.day())
}

/// The most recent day D of a month on or before `today` (D clamped to the month's length).
fn month_occurrence(day: u32, today: NaiveDate) -> NaiveDate {
    let this = day.min(last_day_of_month(today.year(), today.month()));
    if today.day() >= this {
        return today.with_day(this).unwrap_or(today);
    }
    let (y, m) = if today.month() == 1 {
        (today.year() - 1, 12)
    } else {
        (today.year(), today.month() - 1)
    };
    let d = day.min(last_day_of_month(y, m));
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(today)
}

/// When a campaign's steps are reached, as of one date: a due-date step by invoices due on or
/// before its cutoff (the date minus its offset), a day-of-month step by every open invoice, in
/// the month of its latest occurrence; an event step by every open invoice, for
/// [`EVENT_STEP_DAYS`] from its day before its event's latest occurrence.
pub(crate) struct Reach {
    /// In step order: (position, threshold).
    steps: Vec<(i64, Threshold)>,
}

enum Threshold {
    /// Reached by invoices due on or before this date (also kept as ISO text).
    DueBy(NaiveDate, String),
    /// Always reached; the period ('YYYY-MM') of the latest occurrence.
    Period(String),
    /// An event step on its days: reached by every invoice; the period is the event's
    /// occurrence ('YYYY-MM-DD'), which a customer gets once.
    Occurrence(String),
    /// An event step outside its days (or without an event date): reached by none.
    Unreached,
}

impl Reach {
    pub(crate) fn new(campaign: &Campaign, today: NaiveDate) -> Reach {
        let threshold = |trigger| match trigger {
            Trigger::DueOffset(n) => {
                let by = today - chrono::Duration::days(n);
                Threshold::DueBy(by, by.to_string())
            }
            Trigger::DayOfMonth(d) => {
                Threshold::Period(month_occurrence(d, today).format("%Y-%m").to_string())
            }
            Trigger::EventOffset(n) => event_threshold(campaign, n, today),
        };
        Reach {
            steps: campaign
                .steps
                .iter()
                .map(|s| (s.position, threshold(s.trigger)))
                .collect(),
        }
    }

    /// The most advanced step reached by an invoice due on `due`, with its period ('' for a
    /// due-date step).
    pub(crate) fn target(&self, due: NaiveDate) -> Option<(i64, &str)> {
        self.find(|by, _| due <= by)
    }

    /// [`Reach::target`] for a due date as stored: ISO dates compare as text, which spares
    /// parsing every open invoice's date.
    pub(crate) fn target_of_text(&self, due: &str) -> Option<(i64, &str)> {
        let due = due.get(..10).unwrap_or(due);
        self.find(|_, by| due <= by)
    }

    fn find(&self, due_by: impl Fn(NaiveDate, &str) -> bool) -> Option<(i64, &str)> {
        self.steps.iter().rev().find_map(|(position, t)| match t {
            Threshold::DueBy(date, text) => due_by(*date, text).then_some((*position, "")),
            Threshold::Period(period) | Threshold::Occurrence(period) => {
                Some((*position, period.as_str()))
            }
            Threshold::Unreached => None,
        })
    }

    /// Due dates from which on (as ISO text) no step is reached yet; None when every invoice
    /// reaches some step (a day-of-month step).
    pub(crate) fn unreached_from(&self) -> Option<String> {
        let mut latest: Option<NaiveDate> = None;
        for (_, threshold) in &self.steps {
            match threshold {
                Threshold::DueBy(date, _) => latest = latest.max(Some(*date)),
                Threshold::Period(_) | Threshold::Occurrence(_) => return None,
                Threshold::Unreached => {}
            }
        }
        latest.and_then(|d| d.succ_opt()).map(|d| d.to_string())
    }

    /// The current period of a day-of-month step, or the occurrence of an event step on its
    /// days (None for a due-date step).
    pub(crate) fn period_of(&self, position: i64) -> Option<&str> {
        self.steps.iter().find_map(|(p, t)| match t {
            Threshold::Period(period) | Threshold::Occurrence(period) if *p == position => {
                Some(period.as_str())
            }
            _ => None,
        })
    }

    /// Whether step `position` is an event step on its days: a customer gets it once per
    /// occurrence, whatever invoices come and go.
    pub(crate) fn per_occurrence(&self, position: i64) -> bool {
        self.steps
            .iter()
            .any(|(p, t)| *p == position && matches!(t, Threshold::Occurrence(_)))
    }
}

/// An event step's threshold on `today`: reached for [`EVENT_STEP_DAYS`] from its day.
fn event_threshold(campaign: &Campaign, offset: i64, today: NaiveDate) -> Threshold {
    let Some(event) = campaign.event else {
        return Threshold::Unreached;
    };
    match event.latest_step_day(offset, today, &campaign.holidays) {
        Some((occurrence, day)) if (today - day).num_days() < EVENT_STEP_DAYS => {
            Threshold::Occurrence(occurrence.to_string())
        }
        _ => Threshold::Unreached,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::{preset, Channel, Escalation, NewCampaign, Step};

    fn campaign_with(steps: Vec<Step>) -> Campaign {
        Campaign::stored(
            1,
            NewCampaign {
                steps,
                escalation: Escalation::Jump,
                ..preset("friendly").expect("preset")
            },
        )
    }

    #[test]
    fn a_due_date_as_text_reaches_the_same_step_as_the_date() {
        let today: NaiveDate = "2026-03-31".parse().expect("date");
        let mut steps = preset("friendly").expect("preset").steps;
        steps.push(Step::new(
            9,
            Trigger::DayOfMonth(31),
            "statement",
            Channel::Email,
        ));
        for campaign in [
            campaign_with(preset("friendly").expect("preset").steps),
            campaign_with(steps),
        ] {
            let reach = Reach::new(&campaign, today);
            for offset in -120..120 {
                let due = today + chrono::Duration::days(offset);
                let want = reach.target(due);
                assert_eq!(reach.target_of_text(&due.to_string()), want, "{due}");
                assert_eq!(reach.target_of_text(&format!("{due}T00:00:00")), want);
            }
        }
    }

    #[test]
    fn a_day_of_month_step_is_reached_by_every_invoice_in_its_latest_month() {
        let campaign = campaign_with(vec![Step::new(
            1,
            Trigger::DayOfMonth(31),
            "statement",
            Channel::Email,
        )]);
        // February has no 31st: its last day stands in; before it, January's counts.
        let reach = Reach::new(&campaign, "2026-02-27".parse().expect("date"));
        let far_future = "2027-01-01".parse().expect("date");
        assert_eq!(reach.target(far_future), Some((1, "2026-01")));
        assert_eq!(reach.period_of(1), Some("2026-01"));
        let reach = Reach::new(&campaign, "2026-02-28".parse().expect("date"));
        assert_eq!(reach.target(far_future), Some((1, "2026-02")));
    }
}
