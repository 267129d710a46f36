//! The return date an out-of-office message states, best effort: "back on 12 January",
//! "until 2026-01-12", "bis 12.01.2026", "jusqu'au 12 janvier", "hasta el 12 de enero".
//!
//! A date counts only when a return word stands shortly before it ("until", "back", "bis",
//! "jusqu'au", "hasta" ...), so "away from 5 January until 12 January" gives the 12th. The date
//! stated is returned as it is ("until the 12th" gives the 12th, not the 13th): the caller
//! delays to it. A date without a year is the next such day on or after the day the message
//! was sent; a numeric date that reads both ways (03/04/2026) is none.

use chrono::{Datelike, NaiveDate};
use regex::Regex;
use std::sync::LazyLock;

/// Bytes before a date searched for a return word.
const LOOK_BEHIND: usize = 40;

/// Words that introduce the day someone is back, lower-case, in English, German, French and
/// Spanish.
#[rustfmt::skip]
const RETURN_WORDS: &[&str] = &[
    "until", "till", "back", "return", "through", "bis", "zurück", "wieder", "ab dem",
    "jusqu'au", "jusqu’au", "retour", "à partir du", "hasta", "regreso", "vuelta", "volveré",
    "a partir del",
];

/// Month names and their common abbreviations in the four languages.
#[rustfmt::skip]
const MONTHS: &[(&str, u32)] = &[
    ("january", 1), ("jan", 1), ("januar", 1), ("jänner", 1), ("janvier", 1), ("janv", 1), ("enero", 1), ("ene", 1),
    ("february", 2), ("feb", 2), ("februar", 2), ("février", 2), ("févr", 2), ("fevrier", 2), ("febrero", 2),
    ("march", 3), ("mar", 3), ("märz", 3), ("mär", 3), ("mars", 3), ("marzo", 3),
    ("april", 4), ("apr", 4), ("avril", 4), ("avr", 4), ("abril", 4), ("abr", 4),
    ("may", 5), ("mai", 5), ("mayo", 5),
    ("june", 6), ("jun", 6), ("juni", 6), ("juin", 6), ("junio", 6),
    ("july", 7), ("jul", 7), ("juli", 7), ("juillet", 7), ("juil", 7), ("julio", 7),
    ("august", 8), ("aug", 8), ("août", 8), ("aout", 8), ("agosto", 8), ("ago", 8),
    ("september", 9), ("sep", 9), ("sept", 9), ("septembre", 9), ("septiembre", 9), ("setiembre", 9),
    ("october", 10), ("oct", 10), ("oktober", 10), ("okt", 10), ("octobre", 10), ("octubre", 10),
    ("november", 11), ("nov", 11), ("novembre", 11), ("noviembre", 11),
    ("december", 12), ("dec", 12), ("dezember", 12), ("dez", 12), ("décembre", 12), ("déc", 12), ("diciembre", 12), ("dic", 12),
];

/// ISO dates, numeric day-month(-year) dates, "12 January 2026" and "January 12, 2026".
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    let mut names: Vec<&str> = MONTHS.iter().map(|m| m.0).collect();
    // Longest first, so "january" is tried before "jan".
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let month = names.join("|");
    Regex::new(&format!(
        r"(?x)
        \b(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}})\b
      | \b(?P<a>\d{{1,2}})(?P<sep>[./])(?P<b>\d{{1,2}})(?:[./](?P<ny>\d{{4}}))?(?:\b|\.)
      | \b(?P<dd>\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?(?P<dmon>{month})\b\.?(?:,?\s+(?:de\s+)?(?P<dy>\d{{4}}))?
      | \b(?P<mmon>{month})\b\.?\s+(?P<md>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<my>\d{{4}}))?
        "
    ))
    .expect("a constant pattern")
});

/// The return date stated in `text`, if it states one simply; `sent` decides a missing year.
pub fn return_date(text: &str, sent: Option<NaiveDate>) -> Option<NaiveDate> {
    let lower = text.to_lowercase();
    DATE.captures_iter(&lower).find_map(|c| {
        let start = c.get(0)?.start();
        if !after_return_word(&lower, start) {
            return None;
        }
        date_of(&c, sent)
    })
}

fn after_return_word(text: &str, start: usize) -> bool {
    let mut from = start.saturating_sub(LOOK_BEHIND);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = &text[from..start];
    RETURN_WORDS.iter().any(|w| before.contains(w))
}

fn date_of(c: &regex::Captures, sent: Option<NaiveDate>) -> Option<NaiveDate> {
    let num = |name: &str| c.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
    let year = |name: &str| c.name(name).and_then(|m| m.as_str().parse::<i32>().ok());
    let month = |name: &str| c.name(name).and_then(|m| month_number(m.as_str()));
    if let Some(y) = year("iy") {
        return NaiveDate::from_ymd_opt(y, num("im")?, num("id")?);
    }
    if let (Some(a), Some(b)) = (num("a"), num("b")) {
        let slash = c.name("sep").is_some_and(|s| s.as_str() == "/");
        let (day, month) = day_month(a, b, slash)?;
        return dated(year("ny"), month, day, sent);
    }
    if let (Some(day), Some(m)) = (num("dd"), month("dmon")) {
        return dated(year("dy"), m, day, sent);
    }
    dated(year("my"), month("mmon")?, num("md")?, sent)
}

/// Day and month of a numeric date: dots are day first (German, French, Spanish); a slash
/// reads both ways in English, so it counts only when one reading is impossible.
fn day_month(a: u32, b: u32, slash: bool) -> Option<(u32, u32)> {
    match (slash, a > 12, b > 12) {
        (false, _, _) => Some((a, b)),
        (true, true, false) => Some((a, b)),
        (true, false, true) => Some((b, a)),
        _ => None,
    }
}

fn month_number(word: &str) -> Option<u32> {
    MONTHS.iter().find(|(name, _)| *name == word).map(|m| m.1)
}

/// The date, with a missing year taken as the next such day on or after `sent`.
fn dated(year: Option<i32>, month: u32, day: u32, sent: Option<NaiveDate>) -> Option<NaiveDate> {
    if let Some(y) = year {
        return NaiveDate::from_ymd_opt(y, month, day);
    }
    let sent = sent?;
    [sent.year(), sent.year() + 1]
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .find(|d| *d >= sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn stated_return_dates_in_four_languages() {
        let sent = Some(d("2026-01-02"));
        for (text, expected) in [
            ("I am back on 12 January.", Some("2026-01-12")),
            ("Out of the office until 2026-01-12", Some("2026-01-12")),
            ("Ich bin bis 12.01.2026 nicht im Büro", Some("2026-01-12")),
            ("vom 02.01. bis 12.01. abwesend", Some("2026-01-12")),
            ("Je serai de retour le 12 janvier 2026.", Some("2026-01-12")),
            ("Estaré fuera hasta el 12 de enero.", Some("2026-01-12")),
            ("Returning on January 12th, 2026", Some("2026-01-12")),
            ("Away from 5 January until 9 January", Some("2026-01-09")),
            ("back on 20 december", Some("2026-12-20")),
            ("back 03/04/2026", None),
            ("back 13/04/2026", Some("2026-04-13")),
            ("I am away with limited access.", None),
            ("back on 31 February", None),
            ("Invoice 12 January 2026 attached", None),
        ] {
            assert_eq!(return_date(text, sent), expected.map(d), "{text}");
        }
        assert_eq!(return_date("back on 12 January", None), None);
    }
}
