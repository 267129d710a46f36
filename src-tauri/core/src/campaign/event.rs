//! Event campaigns: the window a campaign sends in, and the event date its event steps count
//! from (one day, or one that comes back every year). Imports nothing of the campaign.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The days a campaign may send on, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Window {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Window {
    pub fn contains(&self, date: NaiveDate) -> bool {
        (self.start..=self.end).contains(&date)
    }

    /// The plan's words for a day outside it.
    pub fn outside(&self) -> String {
        format!(
            "outside the campaign's window (from {} to {})",
            self.start, self.end
        )
    }
}

/// The date a campaign's event steps count from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EventDate {
    /// Once: "2026-12-15".
    OnDate(NaiveDate),
    /// Every year on this day ("every 15 December"); 29 February is the 28th in other years.
    Yearly { month: u32, day: u32 },
    /// The last working day (Monday to Friday, not on the campaign's holiday list) of the
    /// fiscal year that ends with month `end_month`.
    FiscalYearEnd { end_month: u32 },
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(month: u32) -> &'static str {
    let index = usize::try_from(month.clamp(1, 12) - 1).unwrap_or(0);
    MONTHS[index]
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

impl EventDate {
    /// Why it cannot be used, if it cannot.
    pub fn invalid(&self) -> Option<&'static str> {
        match *self {
            EventDate::OnDate(_) => None,
            EventDate::Yearly { month, day } => {
                // 2024 is a leap year: 29 February is a valid yearly day.
                let ok = (1..=12).contains(&month)
                    && NaiveDate::from_ymd_opt(2024, month, day).is_some();
                (!ok).then_some("a yearly event needs a real day of a month (1–12)")
            }
            EventDate::FiscalYearEnd { end_month } => (!(1..=12).contains(&end_month))
                .then_some("the fiscal year's last month is between 1 and 12"),
        }
    }

    /// "2026-12-15", "every 15 December", "the last working day of the fiscal year (ending in
    /// June)".
    pub fn describe(&self) -> String {
        match *self {
            EventDate::OnDate(date) => date.to_string(),
            EventDate::Yearly { month, day } => format!("every {day} {}", month_name(month)),
            EventDate::FiscalYearEnd { end_month } => format!(
                "the last working day of the fiscal year (ending in {})",
                month_name(end_month)
            ),
        }
    }

    /// The event's day in `year`, if it has one there.
    pub fn in_year(&self, year: i32, holidays: &[NaiveDate]) -> Option<NaiveDate> {
        match *self {
            EventDate::OnDate(date) => (date.year() == year).then_some(date),
            EventDate::Yearly { month, day } => NaiveDate::from_ymd_opt(year, month, day)
                .or_else(|| last_day_of_month(year, month).filter(|d| d.day() < day)),
            EventDate::FiscalYearEnd { end_month } => {
                let mut date = last_day_of_month(year, end_month)?;
                // A month always has a working day; the bound keeps a hand-made holiday list
                // covering a whole month from looping on.
                for _ in 0..31 {
                    let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
                    if !weekend && !holidays.contains(&date) {
                        return Some(date);
                    }
                    date = date.pred_opt()?;
                }
                None
            }
        }
    }

    /// The latest occurrence whose day plus `offset` days is on or before `today`, with that
    /// day (the step's day), looking one year back and ahead (an offset may cross a year).
    pub fn latest_step_day(
        &self,
        offset: i64,
        today: NaiveDate,
        holidays: &[NaiveDate],
    ) -> Option<(NaiveDate, NaiveDate)> {
        (today.year() - 1..=today.year() + 1)
            .rev()
            .filter_map(|year| self.in_year(year, holidays))
            .filter_map(|occurrence| {
                // A stored offset is checked, but a hand-edited file's must not panic here.
                let day = occurrence.checked_add_signed(chrono::Duration::try_days(offset)?)?;
                (day <= today).then_some((occurrence, day))
            })
            .next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn yearly_days_and_the_fiscal_year_end_fall_where_people_expect() {
        let feb29 = EventDate::Yearly { month: 2, day: 29 };
        assert_eq!(feb29.in_year(2028, &[]), Some(d("2028-02-29")));
        assert_eq!(feb29.in_year(2027, &[]), Some(d("2027-02-28")));
        // June 2027 ends on a Wednesday; December 2026 on a Thursday, the 31st a holiday.
        let fiscal = EventDate::FiscalYearEnd { end_month: 6 };
        assert_eq!(fiscal.in_year(2027, &[]), Some(d("2027-06-30")));
        let fiscal = EventDate::FiscalYearEnd { end_month: 12 };
        assert_eq!(
            fiscal.in_year(2026, &[d("2026-12-31")]),
            Some(d("2026-12-30"))
        );
        // January 2027 ends on a Sunday: Friday the 29th.
        let fiscal = EventDate::FiscalYearEnd { end_month: 1 };
        assert_eq!(fiscal.in_year(2027, &[]), Some(d("2027-01-29")));
        assert_eq!(
            EventDate::Yearly { month: 12, day: 15 }.describe(),
            "every 15 December"
        );
        assert!(EventDate::Yearly { month: 2, day: 30 }.invalid().is_some());
        assert!(EventDate::Yearly { month: 13, day: 1 }.invalid().is_some());
        assert!(EventDate::FiscalYearEnd { end_month: 0 }
            .invalid()
            .is_some());
    }

    #[test]
    fn a_step_before_a_january_event_counts_from_next_years_occurrence() {
        let event = EventDate::Yearly { month: 1, day: 10 };
        // 20 days before 10 January 2027 is 21 December 2026.
        assert_eq!(
            event.latest_step_day(-20, d("2026-12-22"), &[]),
            Some((d("2027-01-10"), d("2026-12-21")))
        );
        assert_eq!(
            event.latest_step_day(-20, d("2026-12-20"), &[]),
            Some((d("2026-01-10"), d("2025-12-21")))
        );
        let once = EventDate::OnDate(d("2026-12-15"));
        assert_eq!(once.latest_step_day(0, d("2026-12-14"), &[]), None);
        assert_eq!(once.latest_step_day(i64::MIN, d("2026-12-14"), &[]), None);
        assert_eq!(once.latest_step_day(i64::MAX, d("2026-12-14"), &[]), None);
        assert_eq!(
            once.latest_step_day(0, d("2027-03-01"), &[]),
            Some((d("2026-12-15"), d("2026-12-15")))
        );
    }
}
