//! The decoded file as the formats read it: data rows after the header with their physical
//! line numbers, the file-wide day/month decision, and progress reporting.
//!
//! Every cell is cleaned here, once for every format: what an import stores (names, contacts,
//! numbers) is single-line text, so CR, LF, tabs and other controls become a space and bidi
//! overrides go before any format looks at a cell ([`clean_line`]).

use super::dates::{self, CellDate, DateOrder, Decision, Evidence, FixedOrder};
use super::decode::{reader, LineCounter};
use super::report::{ImportProgress, ImportStage};
use super::row::RowError;
use super::spreadsheet::{serial_date, Epoch};
use super::ImportError;
use crate::model::text::clean_line;
use chrono::NaiveDate;
use csv::StringRecord;
use std::cell::Cell;

pub(crate) struct Source<'t> {
    pub text: &'t str,
    pub file_name: &'t str,
    pub delimiter: u8,
    /// Semicolon-separated files come from locales that write "1.234,50".
    pub decimal_comma: bool,
    /// The header's index among the file's records (title lines are records too).
    pub header_index: usize,
    /// A workbook's day count: a bare number in a date column is a serial day number.
    pub epoch: Option<Epoch>,
}

impl<'t> Source<'t> {
    /// The records after the header.
    pub fn rows(&self) -> Result<Rows<'t>, ImportError> {
        let mut rows = Rows {
            reader: reader(self.text, self.delimiter),
            record: StringRecord::new(),
            cleaned: StringRecord::new(),
            lines: LineCounter::new(self.text),
            file_name: self.file_name.to_string(),
        };
        for _ in 0..=self.header_index {
            rows.next()?;
        }
        Ok(rows)
    }

    /// Which day/month order the dates in `columns` prove, over every data row.
    fn evidence(&self, columns: &[usize]) -> Evidence {
        let mut evidence = Evidence::default();
        let Ok(mut rows) = self.rows() else {
            return evidence;
        };
        // A malformed record ends the scan; the import pass reports it with its line.
        while let Ok(Some((_, record))) = rows.next() {
            for column in columns {
                if let Some(cell) = record.get(*column) {
                    evidence.observe(cell);
                }
            }
        }
        evidence
    }
}

/// A lending iterator over records: one `StringRecord` is reused for every row, and another for
/// the cleaned copy of the rows that need one.
pub(crate) struct Rows<'t> {
    reader: csv::Reader<&'t [u8]>,
    record: StringRecord,
    cleaned: StringRecord,
    lines: LineCounter<'t>,
    file_name: String,
}

impl Rows<'_> {
    /// The next record, its cells cleaned, and the physical line it starts on.
    pub fn next(&mut self) -> Result<Option<(u64, &StringRecord)>, ImportError> {
        let more = self.reader.read_record(&mut self.record).map_err(|e| {
            let line = e.position().map_or(0, |p| self.lines.line_at(p.byte()));
            ImportError::Csv {
                file: self.file_name.clone(),
                line,
                message: e.to_string(),
            }
        })?;
        if !more {
            return Ok(None);
        }
        let byte = self.record.position().map_or(0, csv::Position::byte);
        let line = self.lines.line_at(byte);
        if !self.record.iter().any(needs_cleaning) {
            return Ok(Some((line, &self.record)));
        }
        self.cleaned.clear();
        for cell in &self.record {
            self.cleaned.push_field(&clean_line(cell));
        }
        self.cleaned.set_position(self.record.position().cloned());
        Ok(Some((line, &self.cleaned)))
    }
}

/// Whether [`clean_line`] would change more than the ends of `cell`. Most cells are plain
/// printable ASCII with single spaces, which needs no allocation to tell.
fn needs_cleaning(cell: &str) -> bool {
    let cell = cell.trim();
    let plain = cell.bytes().all(|b| (b' '..=b'~').contains(&b)) && !cell.contains("  ");
    !plain && clean_line(cell) != cell
}

/// The cell at `index`, trimmed; empty when the row is shorter.
pub(crate) fn cell(record: &StringRecord, index: usize) -> &str {
    record.get(index).unwrap_or("").trim()
}

pub(crate) fn opt_cell(record: &StringRecord, index: Option<usize>) -> &str {
    index.map_or("", |i| cell(record, i))
}

pub(crate) fn is_blank(record: &StringRecord) -> bool {
    record.iter().all(|c| c.trim().is_empty())
}

/// Reads date cells, deciding day/month order from the whole file the first time a cell is
/// ambiguous (files with ISO or unambiguous dates never pay for the extra pass).
pub(crate) struct DateReader<'s, 't> {
    source: &'s Source<'t>,
    columns: Vec<usize>,
    default: Option<DateOrder>,
    /// The order a mapping chose: no evidence is read, every cell must fit it.
    fixed: Option<FixedOrder>,
    decision: Cell<Option<Decision>>,
}

impl<'s, 't> DateReader<'s, 't> {
    /// Reads the issue-date column and, when the file has one, the due-date column; both count
    /// as evidence for the day/month order.
    pub fn new(
        source: &'s Source<'t>,
        issue: usize,
        due: Option<usize>,
        default: Option<DateOrder>,
    ) -> Self {
        DateReader {
            source,
            columns: std::iter::once(issue).chain(due).collect(),
            default,
            fixed: None,
            decision: Cell::new(None),
        }
    }

    /// Reads numeric dates in `order` when one is given, instead of deciding from the file.
    pub fn with_order(self, order: Option<FixedOrder>) -> Self {
        DateReader {
            fixed: order,
            ..self
        }
    }

    /// The issue date and the due date (due on the issue date when the cell is empty),
    /// refusing a due date before the issue date.
    pub fn issue_and_due(
        &self,
        issue_column: &'static str,
        issue: &str,
        due_column: &'static str,
        due: &str,
    ) -> Result<(NaiveDate, NaiveDate), RowError> {
        let issue_date = self.date(issue_column, issue)?;
        let due_date = match due.trim() {
            "" => issue_date,
            text => self.date(due_column, text)?,
        };
        if due_date < issue_date {
            return Err(RowError::DueBeforeIssue {
                due: due_date,
                issue: issue_date,
            });
        }
        Ok((issue_date, due_date))
    }

    pub fn date(&self, column: &'static str, raw: &str) -> Result<NaiveDate, RowError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(RowError::Missing(column));
        }
        let owned = || value.to_string();
        if let Some(date) = self.source.epoch.and_then(|e| serial_date(value, e)) {
            return Ok(date);
        }
        if let Some(order) = self.fixed {
            return dates::parse_fixed(value, order).ok_or_else(|| RowError::BadDate {
                column,
                value: owned(),
            });
        }
        let cell = dates::parse(value).ok_or_else(|| RowError::BadDate {
            column,
            value: owned(),
        })?;
        if let CellDate::Exact(date) = cell {
            return Ok(date);
        }
        let decision = self.decision();
        cell.resolve(decision).ok_or_else(|| match decision {
            Decision::Conflicting => RowError::ConflictingDate {
                column,
                value: owned(),
            },
            _ => RowError::AmbiguousDate {
                column,
                value: owned(),
            },
        })
    }

    fn decision(&self) -> Decision {
        if let Some(decision) = self.decision.get() {
            return decision;
        }
        let decision = self.source.evidence(&self.columns).decide(self.default);
        self.decision.set(Some(decision));
        decision
    }
}

/// Calls the progress callback every few thousand rows.
pub(crate) struct Tracker<'p> {
    callback: &'p mut dyn FnMut(ImportProgress),
    bytes_total: u64,
    rows: u64,
}

const PROGRESS_EVERY: u64 = 5_000;

impl<'p> Tracker<'p> {
    pub fn new(callback: &'p mut dyn FnMut(ImportProgress), bytes_total: u64) -> Self {
        Tracker {
            callback,
            bytes_total,
            rows: 0,
        }
    }

    /// Counts a data row; `record` tells how far into the file it is.
    pub fn row(&mut self, record: &StringRecord) {
        self.rows += 1;
        if self.rows.is_multiple_of(PROGRESS_EVERY) {
            let byte = record.position().map_or(0, csv::Position::byte);
            self.report(ImportStage::Importing, byte);
        }
    }

    pub fn stage(&mut self, stage: ImportStage) {
        let done = match stage {
            ImportStage::Reading => 0,
            _ => self.bytes_total,
        };
        self.report(stage, done);
    }

    fn report(&mut self, stage: ImportStage, bytes_done: u64) {
        (self.callback)(ImportProgress {
            stage,
            bytes_done,
            bytes_total: self.bytes_total,
            rows_done: self.rows,
        });
    }
}
