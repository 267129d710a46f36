//! Money as integer minor units of an ISO 4217 currency — never floats.

use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MoneyError {
    #[error("unknown currency code {0:?} (expected an ISO 4217 code such as USD, EUR, GBP)")]
    UnknownCurrency(String),
    #[error("{0:?} is not an amount")]
    NotAnAmount(String),
    #[error("{amount:?} has more than {allowed} decimal places")]
    TooManyDecimals { amount: String, allowed: u32 },
    #[error("{0:?} is too large")]
    TooLarge(String),
}

/// A validated ISO 4217 currency code, e.g. "EUR".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, TS)]
#[ts(export, type = "string")]
pub struct Currency(String);

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

impl Currency {
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let upper = code.trim().to_ascii_uppercase();
        match iso_currency::Currency::from_code(&upper) {
            Some(_) => Ok(Currency(upper)),
            None => Err(MoneyError::UnknownCurrency(code.trim().to_string())),
        }
    }

    pub fn code(&self) -> &str {
        &self.0
    }

    /// Digits after the decimal point: 2 for EUR, 0 for JPY, 3 for BHD.
    pub fn decimals(&self) -> u32 {
        iso_currency::Currency::from_code(&self.0)
            .and_then(iso_currency::Currency::exponent)
            .map(u32::from)
            .unwrap_or(2)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An amount in minor units (cents, pence, yen) of one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// Parses a plain decimal such as "1234.5" or "-12.00" in this currency's precision.
    /// Thousands separators and symbols are the importers' business, not this function's.
    pub fn parse_decimal(text: &str, currency: &Currency) -> Result<Self, MoneyError> {
        let minor = parse_minor(text, currency.decimals())?;
        Ok(Money::new(minor, currency.clone()))
    }

    /// The amount as a decimal string with the currency's digits, e.g. "1234.50", "-7", "0.125".
    pub fn decimal_string(&self) -> String {
        format_minor(self.minor, self.currency.decimals())
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.decimal_string(), self.currency)
    }
}

/// Formats minor units as a decimal string with exactly `decimals` digits after the point.
pub fn format_minor(minor: i64, decimals: u32) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    if decimals == 0 {
        return format!("{sign}{abs}");
    }
    let scale = 10u64.pow(decimals);
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = decimals as usize
    )
}

/// Parses "-1234.5" into minor units with `decimals` digits; rejects extra precision.
pub fn parse_minor(text: &str, decimals: u32) -> Result<i64, MoneyError> {
    let trimmed = text.trim();
    let not_amount = || MoneyError::NotAnAmount(trimmed.to_string());
    let (negative, unsigned) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return Err(not_amount());
    }
    let significant = fraction.trim_end_matches('0');
    if significant.len() > decimals as usize {
        return Err(MoneyError::TooManyDecimals {
            amount: trimmed.to_string(),
            allowed: decimals,
        });
    }
    let too_large = || MoneyError::TooLarge(trimmed.to_string());
    let whole_value: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_large())?
    };
    let padded = format!("{significant:0<width$}", width = decimals as usize);
    let fraction_value: i64 = if padded.is_empty() {
        0
    } else {
        padded.parse().map_err(|_| not_amount())?
    };
    let minor = whole_value
        .checked_mul(10i64.pow(decimals))
        .and_then(|v| v.checked_add(fraction_value))
        .ok_or_else(too_large)?;
    Ok(if negative { -minor } else { minor })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    #[test]
    fn currency_decimals_follow_iso_4217() {
        assert_eq!(cur("usd").decimals(), 2);
        assert_eq!(cur("JPY").decimals(), 0);
        assert_eq!(cur("BHD").decimals(), 3);
        assert_eq!(
            Currency::parse("XYZ"),
            Err(MoneyError::UnknownCurrency("XYZ".into()))
        );
    }

    #[test]
    fn parses_and_formats_in_the_currency_precision() {
        assert_eq!(
            Money::parse_decimal("1234.5", &cur("EUR")).unwrap().minor,
            123450
        );
        assert_eq!(
            Money::parse_decimal("-0.05", &cur("EUR")).unwrap().minor,
            -5
        );
        assert_eq!(
            Money::parse_decimal("1500", &cur("JPY")).unwrap().minor,
            1500
        );
        assert_eq!(
            Money::parse_decimal("1.250", &cur("BHD")).unwrap().minor,
            1250
        );
        assert_eq!(Money::new(123450, cur("EUR")).decimal_string(), "1234.50");
        assert_eq!(Money::new(-5, cur("EUR")).decimal_string(), "-0.05");
        assert_eq!(Money::new(1500, cur("JPY")).decimal_string(), "1500");
        assert_eq!(Money::new(1250, cur("BHD")).decimal_string(), "1.250");
    }

    #[test]
    fn rejects_what_is_not_an_amount() {
        for bad in ["", "-", ".", "1.2.3", "abc", "1,000", "1e5", "--1"] {
            assert!(parse_minor(bad, 2).is_err(), "{bad:?} should be rejected");
        }
        assert!(matches!(
            parse_minor("1.5", 0),
            Err(MoneyError::TooManyDecimals { .. })
        ));
        assert_eq!(parse_minor("1.50", 1).unwrap(), 15);
        assert!(matches!(
            parse_minor("99999999999999999999", 2),
            Err(MoneyError::TooLarge(_))
        ));
    }
}
