//! One spreadsheet cell as the text a CSV export would hold, and serial day numbers as dates.
//!
//! Amounts are binary floats in a workbook: 0.1 + 0.2 is stored as 0.30000000000000004, and a
//! CSV exporter (Excel itself) writes what the cell shows. Rounding to 15 significant digits
//! (Excel's own precision) removes that noise without touching a real value, and one decimal
//! digit is padded to two so "1234.5" reads as the cents it is.

use super::Epoch;
use calamine::{Data, ExcelDateTime};
use chrono::{Days, NaiveDate, NaiveTime};

/// The cell's text: numbers without binary noise, dates as ISO dates, errors as Excel shows
/// them ("#DIV/0!"), line breaks as spaces so every sheet row stays one line of text.
pub(super) fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.replace(['\r', '\n'], " "),
        Data::Int(value) => value.to_string(),
        Data::Float(value) => number(*value),
        Data::Bool(value) => if *value { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(value) => date_time(value),
        Data::DateTimeIso(text) | Data::DurationIso(text) => text.replace(['\r', '\n'], " "),
        Data::Error(error) => error.to_string(),
    }
}

/// `value` as a plain decimal: 15 significant digits at most, never an exponent, and at least
/// two decimals when it has any (1234.5 → "1234.50", 3 → "3").
fn number(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let rounded: f64 = format!("{value:.14e}").parse().unwrap_or(value);
    // -0 reads as a negative sign on nothing.
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    let mut text = rounded.to_string();
    if text
        .split_once('.')
        .is_some_and(|(_, fraction)| fraction.len() == 1)
    {
        text.push('0');
    }
    text
}

/// A date-formatted cell: "2026-03-04", with the time when it has one; a duration as its
/// number of days.
fn date_time(value: &ExcelDateTime) -> String {
    if value.is_duration() {
        return number(value.as_f64());
    }
    match value.as_datetime() {
        Some(moment) if moment.time() == NaiveTime::MIN => moment.date().to_string(),
        Some(moment) => moment.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => number(value.as_f64()),
    }
}

/// The date a serial day number in a date column means ("46085" or "46085.5"), when the text
/// is one and falls in 1900–2999. Excel counts 1900 as a leap year: day 60 is the
/// 29 February 1900 that never was, and days before it are one off from days after it.
pub(crate) fn serial_date(text: &str, epoch: Epoch) -> Option<NaiveDate> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) || whole.len() > 6 {
        return None;
    }
    let days: u64 = whole.parse().ok()?;
    let (start, offset) = match epoch {
        Epoch::Excel1904 => ((1904, 1, 1), days),
        Epoch::Excel1900 if days == 60 || days == 0 => return None,
        Epoch::Excel1900 if days < 60 => ((1899, 12, 31), days),
        Epoch::Excel1900 => ((1899, 12, 30), days),
    };
    let (year, month, day) = start;
    let date = NaiveDate::from_ymd_opt(year, month, day)?.checked_add_days(Days::new(offset))?;
    (1900..=2999)
        .contains(&chrono::Datelike::year(&date))
        .then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn numbers_lose_their_binary_noise_and_keep_their_cents() {
        assert_eq!(number(1234.5), "1234.50");
        assert_eq!(number(0.1 + 0.2), "0.30");
        assert_eq!(number(1001.0), "1001");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(-120.25), "-120.25");
        assert_eq!(number(0.125), "0.125");
        assert_eq!(number(1e20), "100000000000000000000");
        assert_eq!(number(1.1 * 3.0), "3.30");
        assert_eq!(number(0.07 * 100.0), "7");
        for cents in [1i64, 7, 10, 99, 123_456_789, -5, 999_999_999_999] {
            let text = number(cents as f64 / 100.0);
            let back: f64 = text.parse().unwrap();
            assert_eq!((back * 100.0).round() as i64, cents, "{text}");
        }
    }

    #[test]
    fn serial_days_count_from_the_workbook_epoch() {
        assert_eq!(
            serial_date("46085", Epoch::Excel1900),
            Some(d("2026-03-04"))
        );
        assert_eq!(
            serial_date("46085.75", Epoch::Excel1900),
            Some(d("2026-03-04"))
        );
        assert_eq!(
            serial_date("44623", Epoch::Excel1904),
            Some(d("2026-03-04"))
        );
        assert_eq!(serial_date("1", Epoch::Excel1900), Some(d("1900-01-01")));
        assert_eq!(serial_date("61", Epoch::Excel1900), Some(d("1900-03-01")));
        assert_eq!(serial_date("59", Epoch::Excel1900), Some(d("1900-02-28")));
        for not_a_serial in [
            "60",
            "0",
            "",
            "-5",
            "4.5e4",
            "12 345",
            "2026-03-04",
            "9999999",
        ] {
            assert_eq!(
                serial_date(not_a_serial, Epoch::Excel1900),
                None,
                "{not_a_serial}"
            );
        }
    }
}
