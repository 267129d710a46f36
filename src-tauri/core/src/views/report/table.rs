//! One shape for every report's rows, so the CLI (text, `--json`, `--csv`) and the Reports
//! tab's CSV export all print them the same way: amounts as decimal strings in the currency's
//! decimals, names escaped for the terminal in text and neutralised as formulas in CSV.

use crate::model::text::for_terminal;
use crate::model::{format_minor, Currency};
use crate::views::export::neutralise;
use serde_json::{Map, Value};

/// One cell of a report row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text from the user's data (a customer name, an invoice number).
    Text(String),
    /// Text of ours: a date, a currency code, a label.
    Plain(String),
    /// An amount as a decimal string (see [`amount`]).
    Amount(String),
    Count(i64),
    /// A number of days; `None` where there is none.
    Days(Option<i64>),
    /// Days, a rate or a percentage; `None` where it is undefined.
    Figure(Option<f64>),
    /// Nothing to show here (null in JSON).
    Empty,
}

/// `minor` units of the currency `code` as a decimal string (two decimals for an unknown code).
pub fn amount(minor: i64, code: &str) -> Cell {
    Cell::Amount(format_minor(minor, decimals(code)))
}

pub fn decimals(code: &str) -> u32 {
    Currency::parse(code).map_or(2, |c| c.decimals())
}

/// A report as rows under named columns, with the values it was asked for (`as_of`, a period).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportTable {
    /// The first line of the text output.
    pub title: String,
    /// Top-level JSON fields besides `rows`, e.g. `as_of`.
    pub meta: Vec<(&'static str, String)>,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Cell {
    fn json(&self) -> Value {
        match self {
            Cell::Text(s) | Cell::Plain(s) | Cell::Amount(s) => Value::from(s.as_str()),
            Cell::Count(n) => Value::from(*n),
            Cell::Days(n) => n.map_or(Value::Null, Value::from),
            Cell::Figure(f) => f.map_or(Value::Null, Value::from),
            Cell::Empty => Value::Null,
        }
    }

    fn csv(&self, escaped: bool) -> String {
        match self {
            Cell::Text(s) if escaped => neutralise(&for_terminal(s)),
            Cell::Text(s) => neutralise(s),
            Cell::Plain(s) | Cell::Amount(s) => s.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Days(n) => n.map(|n| n.to_string()).unwrap_or_default(),
            Cell::Figure(f) => f.map(|f| format!("{f:.2}")).unwrap_or_default(),
            Cell::Empty => String::new(),
        }
    }

    fn terminal(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Plain(s) => for_terminal(s).into_owned(),
            Cell::Figure(None) | Cell::Days(None) => "-".into(),
            other => other.csv(true),
        }
    }

    fn right_aligned(&self) -> bool {
        matches!(
            self,
            Cell::Amount(_) | Cell::Count(_) | Cell::Days(_) | Cell::Figure(_)
        )
    }
}

impl ReportTable {
    /// `{"as_of": "...", ..., "rows": [{"column": value, ...}, ...]}`.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        for (key, value) in &self.meta {
            out.insert((*key).into(), Value::from(value.as_str()));
        }
        let rows = self.rows.iter().map(|row| {
            let fields: Map<String, Value> = self
                .columns
                .iter()
                .zip(row)
                .map(|(column, cell)| ((*column).to_string(), cell.json()))
                .collect();
            Value::from(fields)
        });
        out.insert("rows".into(), Value::Array(rows.collect()));
        Value::from(out)
    }

    /// A header line with the column names, then one line per row; with `escaped`, text from
    /// the user's data goes through [`for_terminal`] (the CLI prints CSV to a terminal too).
    pub fn to_csv(&self, escaped: bool) -> Result<String, csv::Error> {
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record(&self.columns)?;
        for row in &self.rows {
            csv.write_record(row.iter().map(|cell| cell.csv(escaped)))?;
        }
        let bytes = csv
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))?;
        // Every cell was a Rust string, so the bytes are UTF-8.
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The title, then the columns aligned (numbers to the right), for the terminal.
    pub fn to_text(&self) -> String {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| row.iter().map(Cell::terminal).collect())
            .collect();
        let widths: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(n, column)| {
                let widest = cells
                    .iter()
                    .filter_map(|row| row.get(n))
                    .map(|c| c.chars().count());
                widest.chain([column.len()]).max().unwrap_or(0)
            })
            .collect();
        let right: Vec<bool> = (0..self.columns.len())
            .map(|n| {
                self.rows
                    .first()
                    .and_then(|r| r.get(n))
                    .is_some_and(Cell::right_aligned)
            })
            .collect();
        let line = |values: Vec<&str>| {
            let padded: Vec<String> = values
                .iter()
                .zip(&widths)
                .zip(&right)
                .map(|((value, width), right)| match right {
                    true => format!("{value:>width$}"),
                    false => format!("{value:<width$}"),
                })
                .collect();
            format!("{}\n", padded.join("  ").trim_end())
        };
        let mut out = format!("{}\n", for_terminal(&self.title));
        out.push_str(&line(self.columns.clone()));
        for row in &cells {
            out.push_str(&line(row.iter().map(String::as_str).collect()));
        }
        if self.rows.is_empty() {
            out.push_str("(nothing to show)\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> ReportTable {
        ReportTable {
            title: "Test as of 2024-01-31".into(),
            meta: vec![("as_of", "2024-01-31".into())],
            columns: vec!["currency", "name", "open", "days"],
            rows: vec![
                vec![
                    Cell::Plain("USD".into()),
                    Cell::Text("=Evil\u{1b}[2J".into()),
                    amount(-12_345, "USD"),
                    Cell::Figure(None),
                ],
                vec![
                    Cell::Plain("JPY".into()),
                    Cell::Text("Plain, Ltd".into()),
                    amount(500, "JPY"),
                    Cell::Figure(Some(3.5)),
                ],
            ],
        }
    }

    #[test]
    fn csv_neutralises_names_but_not_amounts() {
        let csv = table().to_csv(false).unwrap();
        assert_eq!(
            csv,
            "currency,name,open,days\nUSD,'=Evil\u{1b}[2J,-123.45,\nJPY,\"Plain, Ltd\",500,3.50\n"
        );
        let escaped = table().to_csv(true).unwrap();
        assert!(escaped.contains("USD,'=Evil\\u{1b}[2J,"), "{escaped}");
    }

    #[test]
    fn json_keeps_amounts_as_strings_and_undefined_figures_as_null() {
        let json = table().to_json();
        assert_eq!(json["as_of"], "2024-01-31");
        assert_eq!(json["rows"][0]["open"], "-123.45");
        assert_eq!(json["rows"][0]["days"], Value::Null);
        assert_eq!(json["rows"][1]["days"], 3.5);
    }

    #[test]
    fn text_escapes_names_and_aligns_numbers_right() {
        let text = table().to_text();
        assert!(!text.contains('\u{1b}'), "{text}");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Test as of 2024-01-31");
        assert!(lines[2].contains("-123.45"), "{text}");
        assert!(lines[3].ends_with("3.50"), "{text}");
        assert_eq!(lines[2].find("-123.45"), lines[3].find("    500"));
    }
}
