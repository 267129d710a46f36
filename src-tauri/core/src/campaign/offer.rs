//! Early-payment offers a campaign step can carry (issue 20, part 3): a discount, a percentage
//! or an amount off each invoice the step's email reminds, valid for some days, and the rules
//! choosing who gets it. Recorded per invoice by `store::offers` when the email is queued.

use super::UsuallyLate;
use crate::company::fields::percent_text;
use crate::model::{format_minor, parse_minor};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const MAX_PERCENT_BASIS_POINTS: i64 = 5_000;
pub const MAX_VALID_DAYS: i64 = 90;
/// The largest amount off, in hundredths (one million in major units).
pub const MAX_AMOUNT_HUNDREDTHS: i64 = 100_000_000;

/// A step's offer: `{"percent": "2.5", "valid_days": 10}` or `{"amount": "25.00", ...}`, with
/// optional rules (all must hold): the customer's segment, usually late payers only, and the
/// open balance range (summed at face value across currencies, as the audience does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Offer {
    /// Percent off the open amount, "2.5" (more than 0, at most 50, two decimals at most).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<String>,
    /// An amount off each invoice, in its currency's major units ("25.00").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// Days the offer runs from the email's day (1 to 90); the last day counts.
    pub valid_days: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usually_late: Option<UsuallyLate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_balance_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_balance_minor: Option<i64>,
}

impl Offer {
    /// The percentage in basis points, if it is a percentage; why not, if it cannot be used.
    pub fn percent_basis_points(&self) -> Result<Option<i64>, String> {
        let Some(text) = &self.percent else {
            return Ok(None);
        };
        let bp = parse_minor(text.trim().trim_end_matches('%'), 2).map_err(|_| {
            format!(
                "an offer's percent {:?} is a number such as 2.5",
                text.trim()
            )
        })?;
        if bp <= 0 || bp > MAX_PERCENT_BASIS_POINTS {
            return Err("an offer's percent is more than 0 and at most 50".into());
        }
        Ok(Some(bp))
    }

    /// Why the offer cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        match (&self.percent, &self.amount) {
            (Some(_), None) => {
                self.percent_basis_points()?;
            }
            (None, Some(text)) => {
                let bad = || {
                    format!(
                        "an offer's amount {:?} is an amount such as 25.00",
                        text.trim()
                    )
                };
                let hundredths = parse_minor(text, 2).map_err(|_| bad())?;
                if hundredths <= 0 || hundredths > MAX_AMOUNT_HUNDREDTHS {
                    return Err("an offer's amount is more than 0 and at most 1,000,000.00".into());
                }
            }
            _ => return Err("an offer is either a percent or an amount".into()),
        }
        if !(1..=MAX_VALID_DAYS).contains(&self.valid_days) {
            return Err("an offer is valid for 1 to 90 days".into());
        }
        if matches!((self.min_balance_minor, self.max_balance_minor), (Some(a), Some(b)) if a > b) {
            return Err("an offer's minimum balance is above its maximum".into());
        }
        if matches!(self.usually_late, Some(u) if u.min_average_days_late < 1) {
            return Err(
                "an offer's \"usually late\" needs an average of at least 1 day late".into(),
            );
        }
        Ok(())
    }

    /// "2.5 %" or "25.00 off each invoice", read from the checked numbers ("nothing" when the
    /// offer is not valid, which a stored campaign's never is).
    pub fn describe(&self) -> String {
        if let Ok(Some(bp)) = self.percent_basis_points() {
            return format!("{} %", percent_text(bp));
        }
        match self.amount.as_deref().map(|a| parse_minor(a, 2)) {
            Some(Ok(hundredths)) if self.percent.is_none() => {
                format!("{} off each invoice", format_minor(hundredths, 2))
            }
            _ => "nothing".into(),
        }
    }
}
