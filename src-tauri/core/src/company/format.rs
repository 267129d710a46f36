//! How money and dates read in every document and email: one format, unambiguous in every locale.

use crate::model::{Currency, Money};
use chrono::NaiveDate;

/// "€1,234.50", "-$12.00", "CHF 1,234.50", "¥1,500".
pub fn format_money(money: &Money) -> String {
    let decimal = money.decimal_string();
    let (sign, digits) = match decimal.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", decimal.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let number = if fraction.is_empty() {
        grouped
    } else {
        format!("{grouped}.{fraction}")
    };
    match symbol(&money.currency) {
        Some(s) => format!("{sign}{s}{number}"),
        None => format!("{sign}{} {number}", money.currency.code()),
    }
}

fn symbol(currency: &Currency) -> Option<&'static str> {
    Some(match currency.code() {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        "JPY" => "¥",
        "INR" => "₹",
        "AUD" => "A$",
        "CAD" => "CA$",
        "NZD" => "NZ$",
        "ILS" => "₪",
        "KRW" => "₩",
        _ => return None,
    })
}

/// "15 Mar 2024": unambiguous in every locale.
pub fn format_date(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(minor: i64, code: &str) -> Money {
        Money::new(minor, Currency::parse(code).unwrap())
    }

    #[test]
    fn money_is_formatted_with_symbol_or_code_and_grouping() {
        assert_eq!(format_money(&m(123450, "EUR")), "€1,234.50");
        assert_eq!(format_money(&m(-1200, "USD")), "-$12.00");
        assert_eq!(format_money(&m(150000, "JPY")), "¥150,000");
        assert_eq!(format_money(&m(123456789, "CHF")), "CHF 1,234,567.89");
        assert_eq!(format_money(&m(5, "GBP")), "£0.05");
    }
}
