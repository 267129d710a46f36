//! A table of the Reports tab as the window shows it — the KPI tiles, a chart's numbers, the
//! aging report — with raw values (decimal strings, ISO dates) rather than the locale's
//! formatting: what its CSV and the whole report's PDF are made of. Tables arrive from the
//! window, so [`ShownTable::check`] bounds them and makes their text one clean line per cell
//! before anything is written.

use crate::model::text::clean_line;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The most rows and columns a table may have (a year of weeks per currency fits easily).
pub const MAX_ROWS: usize = 100_000;
pub const MAX_COLUMNS: usize = 64;
/// The longest cell, heading or name, in characters.
pub const MAX_CELL_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct ShownTable {
    /// The table's title; it names the CSV file ("KPIs 2026-03-31" → `kpis-2026-03-31.csv`).
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShownTableError {
    #[error("the table has no columns")]
    NoColumns,
    #[error("the table has {0} columns; at most {MAX_COLUMNS} can be exported")]
    TooManyColumns(usize),
    #[error("the table has {0} rows; at most {MAX_ROWS} can be exported")]
    TooManyRows(usize),
    #[error("row {row} has {cells} cells for {columns} columns")]
    Ragged {
        row: usize,
        cells: usize,
        columns: usize,
    },
    #[error("a cell of row {row} is longer than {MAX_CELL_CHARS} characters")]
    LongCell { row: usize },
}

impl ShownTable {
    /// The table with every name, heading and cell made one clean line, or why it cannot be
    /// exported as it is.
    pub fn check(&self) -> Result<ShownTable, ShownTableError> {
        if self.columns.is_empty() {
            return Err(ShownTableError::NoColumns);
        }
        if self.columns.len() > MAX_COLUMNS {
            return Err(ShownTableError::TooManyColumns(self.columns.len()));
        }
        if self.rows.len() > MAX_ROWS {
            return Err(ShownTableError::TooManyRows(self.rows.len()));
        }
        let clean = |row: usize, text: &str| {
            if text.chars().count() > MAX_CELL_CHARS {
                return Err(ShownTableError::LongCell { row });
            }
            Ok(clean_line(text))
        };
        let columns = self.columns.len();
        let rows = (self.rows.iter().enumerate())
            .map(|(n, cells)| {
                if cells.len() != columns {
                    return Err(ShownTableError::Ragged {
                        row: n + 1,
                        cells: cells.len(),
                        columns,
                    });
                }
                cells.iter().map(|cell| clean(n + 1, cell)).collect()
            })
            .collect::<Result<_, _>>()?;
        Ok(ShownTable {
            name: clean(0, &self.name)?,
            columns: (self.columns.iter())
                .map(|c| clean(0, c))
                .collect::<Result<_, _>>()?,
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn table(columns: &[&str], rows: &[&[&str]]) -> ShownTable {
        ShownTable {
            name: "KPIs".into(),
            columns: columns.iter().map(ToString::to_string).collect(),
            rows: (rows.iter())
                .map(|r| r.iter().map(ToString::to_string).collect())
                .collect(),
        }
    }

    #[test]
    fn a_ragged_or_empty_table_is_refused_with_the_row() {
        let ragged = table(&["a", "b"], &[&["1", "2"], &["3"]]);
        assert_eq!(
            ragged.check(),
            Err(ShownTableError::Ragged {
                row: 2,
                cells: 1,
                columns: 2
            })
        );
        assert_eq!(table(&[], &[]).check(), Err(ShownTableError::NoColumns));
    }

    proptest! {
        #[test]
        fn any_text_comes_out_as_clean_lines_or_a_refusal(
            name in "\\PC*", cell in any::<String>(), heading in "[\\x00-\\x1f\\u{202e}a-z]{0,20}",
        ) {
            let t = ShownTable { name, columns: vec![heading], rows: vec![vec![cell]] };
            if let Ok(clean) = t.check() {
                let texts = std::iter::once(&clean.name).chain(&clean.columns).chain(&clean.rows[0]);
                for text in texts {
                    prop_assert!(crate::model::text::is_clean_line(text), "{text:?}");
                }
            }
        }
    }
}
