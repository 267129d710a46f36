//! Dates as exports write them: "2026-03-04", "03/04/2026", "4 Mar 2026", "Mar 4, 2026".
//!
//! "03/04/2026" is 3 April in a UK file and March 4 in a US one. The cell alone cannot say, so
//! it stays [`CellDate::Ambiguous`] until the file's other dates decide: any date with a day
//! above 12 in one position and not the other proves the order for the whole file.

use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// DD/MM/YYYY (UK, AU, NZ, most of Europe).
    DayFirst,
    /// MM/DD/YYYY (US).
    MonthFirst,
}

/// An order the user chose for a file's numeric dates (a mapping's date order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixedOrder {
    Dmy,
    Mdy,
    Ymd,
}

/// What one cell says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellDate {
    Exact(NaiveDate),
    /// Both numbers could be the month.
    Ambiguous {
        first: u32,
        second: u32,
        year: i32,
    },
}

/// What a whole file says about the order of day and month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Known(DateOrder),
    NoEvidence,
    /// Some rows prove day-first and others month-first.
    Conflicting,
}

/// Counts of cells that prove each order.
#[derive(Debug, Default, Clone, Copy)]
pub struct Evidence {
    day_first: u64,
    month_first: u64,
}

impl Evidence {
    pub fn observe(&mut self, text: &str) {
        match proves(text) {
            Some(DateOrder::DayFirst) => self.day_first += 1,
            Some(DateOrder::MonthFirst) => self.month_first += 1,
            None => {}
        }
    }

    /// `default` is a format's documented order, used only when no cell proves either.
    pub fn decide(&self, default: Option<DateOrder>) -> Decision {
        match (self.day_first > 0, self.month_first > 0) {
            (true, false) => Decision::Known(DateOrder::DayFirst),
            (false, true) => Decision::Known(DateOrder::MonthFirst),
            (true, true) => Decision::Conflicting,
            (false, false) => default.map_or(Decision::NoEvidence, Decision::Known),
        }
    }
}

impl CellDate {
    /// The date under the file's decision; None while an ambiguous cell stays undecided.
    pub fn resolve(self, decision: Decision) -> Option<NaiveDate> {
        match (self, decision) {
            (CellDate::Exact(date), _) => Some(date),
            (
                CellDate::Ambiguous {
                    first,
                    second,
                    year,
                },
                Decision::Known(order),
            ) => {
                let (month, day) = match order {
                    DateOrder::DayFirst => (second, first),
                    DateOrder::MonthFirst => (first, second),
                };
                NaiveDate::from_ymd_opt(year, month, day)
            }
            (CellDate::Ambiguous { .. }, _) => None,
        }
    }
}

/// Reads one cell; None when it is not a date in any accepted spelling.
pub fn parse(text: &str) -> Option<CellDate> {
    let text = strip_time(text.trim());
    if let Some(parts) = numeric_parts(text) {
        return numeric(parts);
    }
    textual(text).map(CellDate::Exact)
}

/// Reads one cell in the order the user chose: a numeric date must be valid in that order (a
/// four-digit first part is always the year); "4 Mar 2026" says its own order.
pub fn parse_fixed(text: &str, order: FixedOrder) -> Option<NaiveDate> {
    let text = strip_time(text.trim());
    let Some([a, b, c]) = numeric_parts(text) else {
        return textual(text);
    };
    let (y, m, d) = match order {
        _ if a.len() == 4 => (a, b, c),
        FixedOrder::Dmy => (c, b, a),
        FixedOrder::Mdy => (c, a, b),
        FixedOrder::Ymd => (a, b, c),
    };
    if m.len() > 2 || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year(y)?, m.parse().ok()?, d.parse().ok()?)
}

/// The order a cell proves on its own: "13/04/2026" proves day-first.
pub fn proves(text: &str) -> Option<DateOrder> {
    let [a, b, c] = numeric_parts(strip_time(text.trim()))?;
    if a.len() == 4 {
        return None;
    }
    let (first, second) = (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?);
    year(c)?;
    match (first > 12, second > 12) {
        (true, false) if second >= 1 && first <= 31 => Some(DateOrder::DayFirst),
        (false, true) if first >= 1 && second <= 31 => Some(DateOrder::MonthFirst),
        _ => None,
    }
}

/// "2026-03-04 00:00:00" and "2026-03-04T00:00:00Z" carry a time nobody asked for.
fn strip_time(text: &str) -> &str {
    match text.find([' ', 'T']) {
        Some(i) if text[i + 1..].contains(':') && text[..i].bytes().any(|b| b.is_ascii_digit()) => {
            &text[..i]
        }
        _ => text,
    }
}

/// "03/04/2026", "2026-03-04", "04.03.26" as three digit groups.
fn numeric_parts(text: &str) -> Option<[&str; 3]> {
    let separator = text.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let mut parts = text.split(separator);
    let found = [parts.next()?, parts.next()?, parts.next()?];
    let digits = |p: &str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
    (parts.next().is_none() && found.iter().all(|p| digits(p))).then_some(found)
}

fn numeric([a, b, c]: [&str; 3]) -> Option<CellDate> {
    if a.len() == 4 {
        let date = NaiveDate::from_ymd_opt(year(a)?, b.parse().ok()?, c.parse().ok()?)?;
        return Some(CellDate::Exact(date));
    }
    if a.len() > 2 || b.len() > 2 {
        return None;
    }
    let (first, second, year) = (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?, year(c)?);
    let exact = |month, day| NaiveDate::from_ymd_opt(year, month, day).map(CellDate::Exact);
    match (first > 12, second > 12) {
        (true, true) => None,
        (true, false) => exact(second, first),
        (false, true) => exact(first, second),
        // The same number twice reads the same either way.
        (false, false) if first == second => exact(first, second),
        (false, false) if first == 0 || second == 0 => None,
        (false, false) => Some(CellDate::Ambiguous {
            first,
            second,
            year,
        }),
    }
}

/// Four-digit years, or two digits meaning 20xx. Anything outside 1900–2999 is a typo.
fn year(text: &str) -> Option<i32> {
    let value: i32 = text.parse().ok()?;
    match text.len() {
        2 => Some(2000 + value),
        4 if (1900..=2999).contains(&value) => Some(value),
        _ => None,
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// "4 Mar 2026", "04-Mar-2026", "March 4, 2026", "2026-Mar-04".
fn textual(text: &str) -> Option<NaiveDate> {
    let mut tokens = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '-' | '.' | '/'))
        .filter(|t| !t.is_empty());
    let found = [tokens.next()?, tokens.next()?, tokens.next()?];
    let month_at = found.iter().position(|t| month(t).is_some())?;
    let month_number = month(found[month_at])?;
    let (day, year_text) = match month_at {
        0 => (found[1], found[2]),
        1 if found[0].len() == 4 => (found[2], found[0]),
        1 => (found[0], found[2]),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year(year_text)?, month_number, day.parse().ok()?)
}

fn month(token: &str) -> Option<u32> {
    if token.len() < 3 || !token.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let lower = token.to_ascii_lowercase();
    let index = MONTHS.iter().position(|m| lower.starts_with(m))?;
    // "Mar" and "March" both name March; "Marble" does not.
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ][index];
    (full.starts_with(&lower) || lower == "sept").then_some(index as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn iso_and_textual_dates_are_exact() {
        assert_eq!(parse("2026-03-04"), Some(CellDate::Exact(d(2026, 3, 4))));
        assert_eq!(parse("2026/3/4"), Some(CellDate::Exact(d(2026, 3, 4))));
        assert_eq!(
            parse("2026-03-04 00:00:00"),
            Some(CellDate::Exact(d(2026, 3, 4)))
        );
        assert_eq!(
            parse("2026-03-04T10:00:00Z"),
            Some(CellDate::Exact(d(2026, 3, 4)))
        );
        assert_eq!(parse("4 Mar 2026"), Some(CellDate::Exact(d(2026, 3, 4))));
        assert_eq!(parse("04-Mar-2026"), Some(CellDate::Exact(d(2026, 3, 4))));
        assert_eq!(parse("March 4, 2026"), Some(CellDate::Exact(d(2026, 3, 4))));
        assert_eq!(parse("4 Sept 2026"), Some(CellDate::Exact(d(2026, 9, 4))));
    }

    #[test]
    fn slash_dates_with_a_day_over_12_are_exact_and_prove_the_order() {
        assert_eq!(parse("13/04/2026"), Some(CellDate::Exact(d(2026, 4, 13))));
        assert_eq!(parse("04/13/2026"), Some(CellDate::Exact(d(2026, 4, 13))));
        assert_eq!(parse("05/05/2026"), Some(CellDate::Exact(d(2026, 5, 5))));
        assert_eq!(parse("13.04.26"), Some(CellDate::Exact(d(2026, 4, 13))));
        assert_eq!(proves("13/04/2026"), Some(DateOrder::DayFirst));
        assert_eq!(proves("04/13/2026"), Some(DateOrder::MonthFirst));
        assert_eq!(proves("03/04/2026"), None);
        assert_eq!(proves("2026-04-13"), None);
    }

    #[test]
    fn ambiguous_dates_wait_for_the_file() {
        let cell = parse("03/04/2026").unwrap();
        assert!(matches!(cell, CellDate::Ambiguous { .. }));
        assert_eq!(
            cell.resolve(Decision::Known(DateOrder::DayFirst)),
            Some(d(2026, 4, 3))
        );
        assert_eq!(
            cell.resolve(Decision::Known(DateOrder::MonthFirst)),
            Some(d(2026, 3, 4))
        );
        assert_eq!(cell.resolve(Decision::NoEvidence), None);
        assert_eq!(cell.resolve(Decision::Conflicting), None);
    }

    #[test]
    fn evidence_decides_or_conflicts() {
        let mut evidence = Evidence::default();
        evidence.observe("03/04/2026");
        assert_eq!(evidence.decide(None), Decision::NoEvidence);
        assert_eq!(
            evidence.decide(Some(DateOrder::MonthFirst)),
            Decision::Known(DateOrder::MonthFirst)
        );
        evidence.observe("25/04/2026");
        assert_eq!(
            evidence.decide(Some(DateOrder::MonthFirst)),
            Decision::Known(DateOrder::DayFirst)
        );
        evidence.observe("04/25/2026");
        assert_eq!(evidence.decide(None), Decision::Conflicting);
    }

    #[test]
    fn a_chosen_order_reads_every_numeric_date_that_way() {
        assert_eq!(
            parse_fixed("03.04.2026", FixedOrder::Dmy),
            Some(d(2026, 4, 3))
        );
        assert_eq!(
            parse_fixed("03/04/26", FixedOrder::Mdy),
            Some(d(2026, 3, 4))
        );
        assert_eq!(
            parse_fixed("26/03/04", FixedOrder::Ymd),
            Some(d(2026, 3, 4))
        );
        assert_eq!(
            parse_fixed("2026-03-04", FixedOrder::Dmy),
            Some(d(2026, 3, 4))
        );
        assert_eq!(
            parse_fixed("4 Mar 2026", FixedOrder::Mdy),
            Some(d(2026, 3, 4))
        );
        assert_eq!(parse_fixed("04/13/2026", FixedOrder::Dmy), None);
        assert_eq!(
            parse_fixed("13/04/2026", FixedOrder::Dmy),
            Some(d(2026, 4, 13))
        );
    }

    #[test]
    fn what_is_not_a_date() {
        for bad in [
            "",
            "31/31/2026",
            "2026-02-30",
            "00/05/2026",
            "tomorrow",
            "12345",
            "1/2/3",
            "Marble 4 2026",
            "05/05/0001",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
