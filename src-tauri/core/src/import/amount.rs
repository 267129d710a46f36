//! Amounts as exports write them: "1,234.50", "$9,595.89", "(120.00)", "-€1.234,50", "JPY 1500".
//!
//! The text is reduced to a plain decimal and handed to [`crate::model::parse_minor`], so the
//! currency's precision rules (JPY 0 digits, BHD 3) are the model's, not repeated here.

use crate::model::{parse_minor, Currency, MoneyError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("it is empty")]
    Empty,
    #[error("it is not a number")]
    NotANumber,
    #[error("it is in {found}, but the row's currency is {expected}")]
    OtherCurrency { found: String, expected: String },
    #[error("{currency} has {allowed} decimal places")]
    TooManyDecimals { currency: String, allowed: u32 },
    #[error("it is too large")]
    TooLarge,
}

/// Parses `text` into minor units of `currency`. `decimal_comma` says the file writes "1.234,50"
/// (semicolon-separated European exports); otherwise a lone comma followed by three digits is a
/// thousands separator and any other lone comma a decimal one.
pub fn parse_amount(
    text: &str,
    currency: &Currency,
    decimal_comma: bool,
) -> Result<i64, AmountError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AmountError::Empty);
    }
    if !decimal_comma && is_plain(text) {
        return minor(text, currency);
    }
    let (negative, body) = strip_sign(text)?;
    let body = strip_currency(body, currency)?;
    let (negative_inside, body) = strip_sign(body)?;
    let normalized = normalize_separators(body, decimal_comma)?;
    let value = minor(&normalized, currency)?;
    Ok(if negative != negative_inside {
        -value
    } else {
        value
    })
}

/// The common case needs no rewriting: "-1234.50".
fn is_plain(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

fn minor(plain: &str, currency: &Currency) -> Result<i64, AmountError> {
    parse_minor(plain, currency.decimals()).map_err(|e| match e {
        MoneyError::TooManyDecimals { allowed, .. } => AmountError::TooManyDecimals {
            currency: currency.code().to_string(),
            allowed,
        },
        MoneyError::TooLarge(_) => AmountError::TooLarge,
        _ => AmountError::NotANumber,
    })
}

/// Removes one layer of sign: parentheses, a leading or trailing minus (ASCII or U+2212) or a
/// leading plus. Returns whether it was negative.
fn strip_sign(text: &str) -> Result<(bool, &str), AmountError> {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix('(') {
        let inner = inner.strip_suffix(')').ok_or(AmountError::NotANumber)?;
        return Ok((true, inner.trim()));
    }
    for minus in ['-', '\u{2212}'] {
        if let Some(rest) = text.strip_prefix(minus) {
            return Ok((true, rest.trim_start()));
        }
        if let Some(rest) = text.strip_suffix(minus) {
            return Ok((true, rest.trim_end()));
        }
    }
    Ok((false, text.strip_prefix('+').unwrap_or(text).trim_start()))
}

/// Removes a currency symbol or code before or after the number, refusing one that names a
/// different currency than the row's.
fn strip_currency<'a>(text: &'a str, currency: &Currency) -> Result<&'a str, AmountError> {
    let is_marker = |c: char| {
        !(c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '\u{2212}' | '(' | ')' | '+'))
    };
    let start = text.find(|c: char| !is_marker(c)).unwrap_or(text.len());
    let end = text.rfind(|c: char| !is_marker(c)).map_or(start, |i| {
        i + text[i..].chars().next().map_or(1, char::len_utf8)
    });
    if start >= end {
        return Err(AmountError::NotANumber);
    }
    for marker in [&text[..start], &text[end..]] {
        check_marker(marker.trim(), currency)?;
    }
    Ok(&text[start..end])
}

fn check_marker(marker: &str, currency: &Currency) -> Result<(), AmountError> {
    if marker.is_empty() {
        return Ok(());
    }
    let implied: &[&str] = match marker {
        "$" => return Ok(()),
        "€" => &["EUR"],
        "£" => &["GBP"],
        "¥" | "￥" => &["JPY", "CNY"],
        "US$" => &["USD"],
        "A$" | "AU$" => &["AUD"],
        "NZ$" => &["NZD"],
        "C$" | "CA$" => &["CAD"],
        "HK$" => &["HKD"],
        "S$" => &["SGD"],
        code if code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()) => {
            return if code.eq_ignore_ascii_case(currency.code()) {
                Ok(())
            } else {
                Err(AmountError::OtherCurrency {
                    found: code.to_ascii_uppercase(),
                    expected: currency.code().to_string(),
                })
            };
        }
        _ => return Err(AmountError::NotANumber),
    };
    if implied.contains(&currency.code()) {
        Ok(())
    } else {
        Err(AmountError::OtherCurrency {
            found: marker.to_string(),
            expected: currency.code().to_string(),
        })
    }
}

/// "1,234.50" / "1.234,50" / "1 234,50" / "1'234.50" → "1234.50".
fn normalize_separators(text: &str, decimal_comma: bool) -> Result<String, AmountError> {
    let mut digits = String::with_capacity(text.len());
    let (mut dots, mut commas, mut last_sep) = (0, 0, None);
    for c in text.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '.' | ',' => {
                if c == '.' {
                    dots += 1;
                } else {
                    commas += 1;
                }
                last_sep = Some((c, digits.len()));
                digits.push(c);
            }
            // Group separators that are never decimal points.
            ' ' | '\u{a0}' | '\u{202f}' | '\'' | '\u{2019}' => {}
            _ => return Err(AmountError::NotANumber),
        }
    }
    let decimal = match (dots, commas, last_sep) {
        (0, 0, _) | (_, _, None) => None,
        (d, c, Some((sep, _))) if d > 0 && c > 0 => Some(sep),
        (0, 1, Some((_, at))) => {
            let after = digits.len() - at - 1;
            (decimal_comma || after != 3).then_some(',')
        }
        (1, 0, Some((_, at))) => {
            let after = digits.len() - at - 1;
            (!(decimal_comma && after == 3)).then_some('.')
        }
        _ => None,
    };
    let mut out = String::with_capacity(digits.len());
    for c in digits.chars() {
        match c {
            '.' | ',' if Some(c) == decimal => out.push('.'),
            '.' | ',' => {}
            _ => out.push(c),
        }
    }
    if out.matches('.').count() > 1 || out.is_empty() || out == "." {
        return Err(AmountError::NotANumber);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    fn usd(text: &str) -> Result<i64, AmountError> {
        parse_amount(text, &cur("USD"), false)
    }

    #[test]
    fn plain_and_grouped_amounts() {
        assert_eq!(usd("1234.5"), Ok(123450));
        assert_eq!(usd("1,234.50"), Ok(123450));
        assert_eq!(usd("$9,595.89"), Ok(959589));
        assert_eq!(usd("  12  "), Ok(1200));
        assert_eq!(usd("1,234,567.89"), Ok(123456789));
        assert_eq!(usd("1 234.50"), Ok(123450));
        assert_eq!(usd("1'234.50"), Ok(123450));
        assert_eq!(usd("US$ 10.00"), Ok(1000));
        assert_eq!(usd("10.00 USD"), Ok(1000));
        assert_eq!(usd("usd 10"), Ok(1000));
    }

    #[test]
    fn negatives_in_every_spelling() {
        assert_eq!(usd("-1,234.50"), Ok(-123450));
        assert_eq!(usd("(1,234.50)"), Ok(-123450));
        assert_eq!(usd("($1,234.50)"), Ok(-123450));
        assert_eq!(usd("-$5.00"), Ok(-500));
        assert_eq!(usd("$-5.00"), Ok(-500));
        assert_eq!(usd("5.00-"), Ok(-500));
        assert_eq!(usd("\u{2212}5"), Ok(-500));
    }

    #[test]
    fn european_decimal_commas() {
        let eur = cur("EUR");
        assert_eq!(parse_amount("€1.234,50", &eur, true), Ok(123450));
        assert_eq!(parse_amount("1.234,50 €", &eur, false), Ok(123450));
        assert_eq!(parse_amount("1 234,5", &eur, true), Ok(123450));
        assert_eq!(parse_amount("12,5", &eur, false), Ok(1250));
        assert_eq!(parse_amount("1.234", &eur, true), Ok(123400));
        assert_eq!(parse_amount("1,23", &eur, true), Ok(123));
        assert!(matches!(
            parse_amount("1,234", &eur, true),
            Err(AmountError::TooManyDecimals { .. })
        ));
    }

    #[test]
    fn currency_precision_comes_from_the_model() {
        assert_eq!(parse_amount("¥1,500", &cur("JPY"), false), Ok(1500));
        assert_eq!(parse_amount("£1,500.25", &cur("GBP"), false), Ok(150025));
        assert_eq!(parse_amount("1.250", &cur("BHD"), false), Ok(1250));
        assert_eq!(parse_amount("1580.9400", &cur("NZD"), false), Ok(158094));
        assert_eq!(
            parse_amount("1500.5", &cur("JPY"), false),
            Err(AmountError::TooManyDecimals {
                currency: "JPY".into(),
                allowed: 0
            })
        );
    }

    #[test]
    fn refuses_what_is_not_an_amount_or_another_currency() {
        for bad in [
            "",
            "abc",
            "1.2.3",
            "--",
            "$",
            "(12",
            "12 apples",
            "1e5",
            "N/A",
        ] {
            assert!(usd(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            usd("€12.00"),
            Err(AmountError::OtherCurrency {
                found: "€".into(),
                expected: "USD".into()
            })
        );
        assert_eq!(
            usd("12.00 EUR"),
            Err(AmountError::OtherCurrency {
                found: "EUR".into(),
                expected: "USD".into()
            })
        );
        assert_eq!(usd("99999999999999999999"), Err(AmountError::TooLarge));
    }
}
