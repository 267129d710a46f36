//! Payment plans: open invoices turned into instalments agreed with the customer. Whether a plan
//! is kept, broken or still running is worked out from the payments recorded since it was
//! agreed, like a promise, so it never goes stale.

use super::Money;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Days after an instalment's date before a missing payment breaks the plan: a bank transfer
/// made on the day is often in the next import only.
pub const GRACE_DAYS: i64 = 3;

/// More instalments than five years of monthly ones is not a plan a small team keeps track of.
pub const MAX_INSTALMENTS: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PlanStatus {
    /// Instalments still to come and none missed: reminders follow the instalments.
    Active,
    /// Everything the plan covers is paid.
    Kept,
    /// An instalment passed its date (and the grace days) unpaid: the invoices are chased again.
    Broken,
    /// Ended by hand before it was kept or broken.
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InstalmentState {
    Paid,
    /// Partly covered by the payments so far.
    Part,
    /// Not covered and its date is to come (or within the grace days).
    Due,
    Missed,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Instalment {
    /// 1-based.
    pub seq: i64,
    pub due_date: NaiveDate,
    pub amount: Money,
    /// How much of it the payments since the plan was agreed cover.
    pub covered: Money,
    pub state: InstalmentState,
    /// `amount` as a decimal in its currency's precision, for display.
    pub amount_decimal: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PlanInvoice {
    pub id: i64,
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PaymentPlan {
    pub id: i64,
    pub customer_id: i64,
    pub total: Money,
    pub paid: Money,
    /// `total` and `paid` as decimals in the currency's precision, for display.
    pub total_decimal: String,
    pub paid_decimal: String,
    pub agreed_on: NaiveDate,
    pub note: String,
    pub invoices: Vec<PlanInvoice>,
    pub instalments: Vec<Instalment>,
    pub status: PlanStatus,
    /// The first day it counted as broken.
    pub broken_on: Option<NaiveDate>,
}

impl PaymentPlan {
    /// The first instalment not fully paid, while the plan runs.
    pub fn next_instalment(&self) -> Option<&Instalment> {
        (self.status == PlanStatus::Active)
            .then(|| {
                self.instalments
                    .iter()
                    .find(|i| i.state != InstalmentState::Paid)
            })
            .flatten()
    }
}

/// A plan's standing on `as_of`, from its instalments (date, amount in minor units, in order)
/// and the payments made toward it (day paid, amount), in any order.
pub fn standing(
    instalments: &[(NaiveDate, i64)],
    payments: &[(NaiveDate, i64)],
    as_of: NaiveDate,
) -> (PlanStatus, Option<NaiveDate>, Vec<(i64, InstalmentState)>) {
    let paid_by = |day: NaiveDate| -> i64 {
        payments
            .iter()
            .filter(|(on, _)| *on <= day)
            .fold(0i64, |sum, (_, amount)| sum.saturating_add(*amount))
    };
    let paid_now = paid_by(as_of);
    let mut states = Vec::with_capacity(instalments.len());
    let (mut before, mut broken_on) = (0i64, None);
    for (due, amount) in instalments {
        let last_day = *due + chrono::Duration::days(GRACE_DAYS);
        let through = before.saturating_add(*amount);
        if broken_on.is_none() && last_day < as_of && paid_by(last_day) < through {
            broken_on = last_day.succ_opt();
        }
        let covered = paid_now.saturating_sub(before).clamp(0, *amount);
        let state = if covered == *amount {
            InstalmentState::Paid
        } else if last_day < as_of {
            InstalmentState::Missed
        } else if covered > 0 {
            InstalmentState::Part
        } else {
            InstalmentState::Due
        };
        states.push((covered, state));
        before = through;
    }
    let status = if paid_now >= before {
        PlanStatus::Kept
    } else if broken_on.is_some() {
        PlanStatus::Broken
    } else {
        PlanStatus::Active
    };
    (status, broken_on, states)
}

/// `total` split into `count` instalments that differ by at most a cent, the larger first
/// (1000.00 in 3: 333.34, 333.33, 333.33). None when there is nothing to split.
pub fn split_equal(total: i64, count: usize) -> Option<Vec<i64>> {
    let n = i64::try_from(count).ok().filter(|n| *n > 0)?;
    if total <= 0 || total < n {
        return None;
    }
    let (base, rest) = (total / n, total % n);
    Some((0..n).map(|i| base + i64::from(i < rest)).collect())
}

/// `count` dates a month apart from `first` (the 31st falls back to a shorter month's last day).
pub fn monthly_dates(first: NaiveDate, count: usize) -> Option<Vec<NaiveDate>> {
    (0..u32::try_from(count).ok()?)
        .map(|k| first.checked_add_months(Months::new(k)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn equal_splits_add_up_and_dates_keep_the_month_end() {
        assert_eq!(split_equal(100_000, 3), Some(vec![33_334, 33_333, 33_333]));
        assert_eq!(split_equal(2, 3), None);
        assert_eq!(split_equal(100, 0), None);
        assert_eq!(
            monthly_dates(d("2027-01-31"), 3),
            Some(vec![d("2027-01-31"), d("2027-02-28"), d("2027-03-31")])
        );
    }

    #[test]
    fn a_plan_is_kept_broken_after_the_grace_days_or_active() {
        let plan = [(d("2027-01-10"), 300), (d("2027-02-10"), 300)];
        let (status, _, states) = standing(&plan, &[], d("2027-01-13"));
        assert_eq!(status, PlanStatus::Active);
        assert_eq!(states[0], (0, InstalmentState::Due));
        let (status, broken_on, states) = standing(&plan, &[], d("2027-01-14"));
        assert_eq!(
            (status, broken_on),
            (PlanStatus::Broken, Some(d("2027-01-14")))
        );
        assert_eq!(states[0].1, InstalmentState::Missed);
        // Paid within the grace days: still running, the second instalment partly covered.
        let paid = [(d("2027-01-12"), 400)];
        let (status, _, states) = standing(&plan, &paid, d("2027-01-20"));
        assert_eq!(status, PlanStatus::Active);
        assert_eq!(
            states,
            vec![(300, InstalmentState::Paid), (100, InstalmentState::Part)]
        );
        // Paid late: broken stays broken, though the money counts.
        let late = [(d("2027-01-20"), 300)];
        let (status, broken_on, _) = standing(&plan, &late, d("2027-01-25"));
        assert_eq!(
            (status, broken_on),
            (PlanStatus::Broken, Some(d("2027-01-14")))
        );
        let (status, _, _) = standing(&plan, &[(d("2027-01-05"), 600)], d("2027-03-01"));
        assert_eq!(status, PlanStatus::Kept);
    }

    proptest! {
        #[test]
        fn splits_always_add_up_to_the_cent(total in 1i64..i64::MAX / 2, count in 1usize..=MAX_INSTALMENTS) {
            if let Some(parts) = split_equal(total, count) {
                prop_assert_eq!(parts.iter().sum::<i64>(), total);
                prop_assert_eq!(parts.len(), count);
                prop_assert!(parts.iter().all(|p| *p > 0));
            }
        }

        #[test]
        fn standing_never_panics(amounts in prop::collection::vec(1i64..i64::MAX / 64, 1..8),
                                 paid in prop::collection::vec(-1_000i64..i64::MAX / 64, 0..8),
                                 offset in 0i64..400) {
            let first = d("2027-01-01");
            let plan: Vec<_> = amounts.iter().enumerate()
                .map(|(i, a)| (first + chrono::Duration::days(30 * i as i64), *a)).collect();
            let payments: Vec<_> = paid.iter().enumerate()
                .map(|(i, a)| (first + chrono::Duration::days(7 * i as i64), *a)).collect();
            let (_, _, states) = standing(&plan, &payments, first + chrono::Duration::days(offset));
            prop_assert_eq!(states.len(), plan.len());
        }
    }
}
