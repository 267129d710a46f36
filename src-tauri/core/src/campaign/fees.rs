//! Late fees and interest (off by default): what a campaign may charge on an overdue invoice,
//! and the arithmetic, in integer minor units. Imports nothing of the campaign.
//!
//! - The fixed fee is per invoice, charged once whatever the number of reminders (as the UK
//!   Late Payment Act's fixed sum and the EU directive's EUR 40 are), in the invoice's own
//!   currency's minor units.
//! - Interest is simple daily interest on the invoice's open amount: `open × rate × days / 365`
//!   (actual days, 365 a year, leap years included: 29 February is one more day at 1/365, as the
//!   UK Act counts). `days` runs from the day after the due date to the day of the charge.
//! - Nothing is charged within the grace period (days past due ≤ `grace_days`); after it, both
//!   count from the due date.
//! - Interest is rounded once per invoice, half up to the minor unit, with exact integer maths.

use crate::model::format_minor;
use crate::store::{settings, DbError};
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FeeError {
    #[error("the campaign charges the statutory rate, but no reference rate is set: set it in Settings → Late fees, or with `duebook fees rate --reference 4.0 --points 8`")]
    NoStatutoryRate,
    #[error("{0}")]
    Invalid(String),
    #[error("the interest on {open_minor} minor units is too large to compute")]
    TooLarge { open_minor: i64 },
}

/// Rates are in basis points: hundredths of a percent (800 = 8 %).
pub const MAX_RATE_BASIS_POINTS: i64 = 100_000;
/// The largest fixed fee, in minor units (one million in major units of a 2-decimal currency).
pub const MAX_FEE_MINOR: i64 = 100_000_000;
pub const MAX_GRACE_DAYS: i64 = 365;
const DAYS_A_YEAR: i128 = 365;
const BASIS_POINTS: i128 = 10_000;

/// A campaign's late fees. Every part is optional; an absent `LateFees` charges nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct LateFees {
    /// A fixed fee per overdue invoice, in the invoice currency's minor units.
    pub fee_minor: Option<i64>,
    pub interest: Option<InterestRate>,
    /// No charge until the invoice is more than this many days past due.
    pub grace_days: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InterestRate {
    /// A rate the campaign names: 800 basis points = 8 % a year.
    Annual { basis_points: i64 },
    /// The user's reference rate plus points (see [`StatutoryRate`]), read on the day charged.
    Statutory,
}

/// The statutory rate: a reference rate (the Bank of England base rate, the ECB's main
/// refinancing rate) plus points (8 in the UK Act and the EU directive), both set by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StatutoryRate {
    pub reference_basis_points: i64,
    pub points_basis_points: i64,
}

impl StatutoryRate {
    pub fn annual_basis_points(&self) -> i64 {
        // Saturating: a hand-edited setting must not overflow (it then fails as too large).
        self.reference_basis_points
            .saturating_add(self.points_basis_points)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChargeKind {
    Fee,
    Interest,
}

impl ChargeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChargeKind::Fee => "fee",
            ChargeKind::Interest => "interest",
        }
    }
}

/// One charge on one invoice, in the invoice's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Charge {
    pub kind: ChargeKind,
    pub amount_minor: i64,
}

/// Where the statutory rate is kept (JSON of [`StatutoryRate`]).
const STATUTORY_RATE: &str = "fees_statutory_rate";

pub fn statutory_rate(conn: &Connection) -> Result<Option<StatutoryRate>, DbError> {
    // An unreadable value reads as unset: a charge then says the rate is missing.
    Ok(settings::get(conn, STATUTORY_RATE)?.and_then(|text| serde_json::from_str(&text).ok()))
}

pub fn set_statutory_rate(conn: &Connection, rate: StatutoryRate) -> Result<(), FeeError> {
    validate_rate(rate.reference_basis_points, "the reference rate")?;
    validate_rate(rate.points_basis_points, "the points")?;
    let text = serde_json::to_string(&rate).map_err(|e| FeeError::Invalid(e.to_string()))?;
    settings::set(conn, STATUTORY_RATE, &text).map_err(|e| FeeError::Invalid(e.to_string()))
}

fn validate_rate(basis_points: i64, what: &str) -> Result<(), FeeError> {
    if (0..=MAX_RATE_BASIS_POINTS).contains(&basis_points) {
        Ok(())
    } else {
        Err(FeeError::Invalid(format!(
            "{what} is a percentage from 0 to {}",
            MAX_RATE_BASIS_POINTS / 100
        )))
    }
}

impl LateFees {
    /// Why it cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), FeeError> {
        let invalid = |m: &str| Err(FeeError::Invalid(m.to_string()));
        if matches!(self.fee_minor, Some(f) if !(0..=MAX_FEE_MINOR).contains(&f)) {
            return invalid("a late fee is from 0 to 1,000,000.00");
        }
        if !(0..=MAX_GRACE_DAYS).contains(&self.grace_days) {
            return invalid("the grace period is from 0 to 365 days");
        }
        if let Some(InterestRate::Annual { basis_points }) = self.interest {
            validate_rate(basis_points, "an interest rate")?;
        }
        Ok(())
    }

    /// Whether it charges anything at all.
    pub fn charges_anything(&self) -> bool {
        self.fee_minor.is_some_and(|f| f > 0) || self.interest.is_some()
    }

    /// The annual rate this charges on the day, if it charges interest.
    pub fn annual_basis_points(
        &self,
        statutory: Option<StatutoryRate>,
    ) -> Result<Option<i64>, FeeError> {
        match self.interest {
            None => Ok(None),
            Some(InterestRate::Annual { basis_points }) => Ok(Some(basis_points)),
            Some(InterestRate::Statutory) => statutory
                .map(|r| Some(r.annual_basis_points()))
                .ok_or(FeeError::NoStatutoryRate),
        }
    }

    /// What an invoice due on `due` with `open_minor` left to pay is charged as of `as_of`:
    /// nothing before the grace period has passed, nor on a credit or a settled invoice.
    pub fn charges(
        &self,
        statutory: Option<StatutoryRate>,
        due: NaiveDate,
        open_minor: i64,
        as_of: NaiveDate,
    ) -> Result<Vec<Charge>, FeeError> {
        let days = (as_of - due).num_days();
        if open_minor <= 0 || days <= 0 || days <= self.grace_days {
            return Ok(Vec::new());
        }
        let mut charges = Vec::new();
        if let Some(fee) = self.fee_minor.filter(|f| *f > 0) {
            charges.push(Charge {
                kind: ChargeKind::Fee,
                amount_minor: fee,
            });
        }
        if let Some(rate) = self.annual_basis_points(statutory)? {
            let amount =
                simple_interest(open_minor, rate, days).ok_or(FeeError::TooLarge { open_minor })?;
            if amount > 0 {
                charges.push(Charge {
                    kind: ChargeKind::Interest,
                    amount_minor: amount,
                });
            }
        }
        Ok(charges)
    }
}

/// `principal × rate × days / 365`, rounded half up to the minor unit; None if the result
/// does not fit. Negative inputs give 0 (no interest on a credit, nor for negative time).
pub fn simple_interest(principal_minor: i64, basis_points: i64, days: i64) -> Option<i64> {
    if principal_minor <= 0 || basis_points <= 0 || days <= 0 {
        return Some(0);
    }
    // Each factor is below 2^63, so the product of three is below 2^189: too big for i128 in
    // theory; checked multiplication says so instead of wrapping.
    let numerator = i128::from(principal_minor)
        .checked_mul(i128::from(basis_points))?
        .checked_mul(i128::from(days))?;
    let denominator = BASIS_POINTS * DAYS_A_YEAR;
    let rounded = (numerator + denominator / 2) / denominator;
    i64::try_from(rounded).ok()
}

/// Parses a percentage such as "4", "4.0" or "5.25" into basis points (at most two decimals).
pub fn parse_percent(text: &str) -> Result<i64, FeeError> {
    let bad = || {
        FeeError::Invalid(format!(
            "{:?} is not a percentage such as 4.25",
            text.trim()
        ))
    };
    let text = text.trim().trim_end_matches('%').trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || digits(fraction)) || fraction.len() > 2 {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
    Ok(whole * 100 + fraction)
}

/// Hundredths as a decimal: 525 basis points → "5.25" (percent), 4000 cents → "40.00".
pub fn hundredths(n: i64) -> String {
    format_minor(n, 2)
}

/// The campaign's words for its late fees ("a fixed fee of 40.00 per invoice and interest at
/// 8.00 % a year, after 7 days' grace"); the fee reads in a two-decimal currency.
pub fn describe(fees: &LateFees) -> String {
    let mut parts = Vec::new();
    if let Some(fee) = fees.fee_minor.filter(|f| *f > 0) {
        parts.push(format!("a fixed fee of {} per invoice", hundredths(fee)));
    }
    match fees.interest {
        Some(InterestRate::Annual { basis_points }) => {
            parts.push(format!("interest at {} % a year", hundredths(basis_points)));
        }
        Some(InterestRate::Statutory) => parts.push("interest at the statutory rate".to_string()),
        None => {}
    }
    if parts.is_empty() {
        return "no late fees".to_string();
    }
    let grace = match fees.grace_days {
        0 => "from the day after the due date".to_string(),
        n => format!("after {n} days' grace"),
    };
    format!("{}, {grace}", parts.join(" and "))
}
