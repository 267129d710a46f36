//! Which header cell gives which field, for every format, and what happens when more than one
//! does (`amount,amount`, or `customer_name` beside `customer`): the file is refused when the
//! two columns disagree on any row, and a warning names the column used when they agree.

use super::source::{cell, Source};
use super::ImportError;
use crate::model::text::clean_line;
use std::fmt;

/// A second header cell for a field that already has its column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Duplicate {
    /// The field as the messages name it: "customer name", "amount" ...
    pub field: &'static str,
    pub used: usize,
    pub other: usize,
}

/// Picks the columns of a header row, remembering every field claimed by more than one.
pub(super) struct Picker<'k> {
    keys: &'k [String],
    duplicates: Vec<Duplicate>,
}

impl<'k> Picker<'k> {
    pub fn new(keys: &'k [String]) -> Self {
        Picker {
            keys,
            duplicates: Vec::new(),
        }
    }

    /// The column of `field`: the first header cell matching a synonym, trying synonyms in
    /// order of preference. Every other cell matching one of them is a duplicate.
    pub fn pick(&mut self, field: &'static str, synonyms: &[&str]) -> Option<usize> {
        let used = find(self.keys, synonyms)?;
        let others = self
            .keys
            .iter()
            .enumerate()
            .filter(|(other, key)| *other != used && synonyms.contains(&key.as_str()));
        for (other, _) in others {
            self.duplicates.push(Duplicate { field, used, other });
        }
        Some(used)
    }

    pub fn into_duplicates(self) -> Vec<Duplicate> {
        self.duplicates
    }
}

/// The names of the required columns a header lacks.
pub(super) fn missing(required: &[(&'static str, Option<usize>)]) -> Vec<&'static str> {
    required
        .iter()
        .filter(|(_, found)| found.is_none())
        .map(|(name, _)| *name)
        .collect()
}

/// The first header cell matching any synonym, trying synonyms in order of preference.
pub(super) fn find(keys: &[String], synonyms: &[&str]) -> Option<usize> {
    synonyms
        .iter()
        .find_map(|synonym| keys.iter().position(|k| k == synonym))
}

/// A header cell as messages name it: its text and its 1-based position.
struct Column<'h> {
    header: &'h [String],
    index: usize,
}

impl fmt::Display for Column<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.header.get(self.index).map_or("", String::as_str);
        write!(f, "{:?} (column {})", clean_line(text), self.index + 1)
    }
}

/// Reads every row once before the import when a field has two columns: the first row where
/// they disagree refuses the file; when they never do, a warning says which column is used.
pub(super) fn check_duplicates(
    source: &Source,
    header: &[String],
    duplicates: &[Duplicate],
    warn: &mut dyn FnMut(String),
) -> Result<(), ImportError> {
    if duplicates.is_empty() {
        return Ok(());
    }
    let column = |index| Column { header, index };
    let mut rows = source.rows()?;
    while let Some((line, record)) = rows.next()? {
        for duplicate in duplicates {
            let (first, second) = ordered(duplicate);
            let (first_value, second_value) = (cell(record, first), cell(record, second));
            if first_value != second_value {
                return Err(ImportError::ConflictingColumns {
                    file: source.file_name.to_string(),
                    first: column(first).to_string(),
                    second: column(second).to_string(),
                    field: duplicate.field,
                    line,
                    values: format!("{first_value:?} and {second_value:?}"),
                });
            }
        }
    }
    for duplicate in duplicates {
        let (first, second) = ordered(duplicate);
        let message = format!(
            "columns {} and {} both give the {} and agree on every row; {} is used",
            column(first),
            column(second),
            duplicate.field,
            column(duplicate.used),
        );
        warn(message);
    }
    Ok(())
}

/// The two columns in the order they stand in the header.
fn ordered(duplicate: &Duplicate) -> (usize, usize) {
    let Duplicate { used, other, .. } = *duplicate;
    (used.min(other), used.max(other))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &[&str]) -> Vec<String> {
        text.iter().map(std::string::ToString::to_string).collect()
    }

    #[test]
    fn the_preferred_synonym_wins_and_every_other_match_is_a_duplicate() {
        let header = keys(&["client", "amount", "customer", "amount"]);
        let mut picker = Picker::new(&header);
        assert_eq!(
            picker.pick("customer name", &["customer", "client"]),
            Some(2)
        );
        assert_eq!(picker.pick("amount", &["amount", "total"]), Some(1));
        assert_eq!(picker.pick("currency", &["currency"]), None);
        assert_eq!(
            picker.into_duplicates(),
            vec![
                Duplicate {
                    field: "customer name",
                    used: 2,
                    other: 0
                },
                Duplicate {
                    field: "amount",
                    used: 1,
                    other: 3
                },
            ]
        );
    }
}
