//! What the import dialog shows before a mapping is chosen: the file's columns with a few
//! sample values, the layout recognised (or the saved profile), and the mapping the generic
//! header names suggest, for the person to correct.

use super::decode::header_key;
use super::layout::{self, ColumnSource};
use super::mapping::{self, ColumnMapping, Field};
use super::report::{DetectedFormat, ImportFormat};
use super::source::Source;
use super::ImportError;
use crate::store::Database;
use serde::{Deserialize, Serialize};
use std::path::Path;
use ts_rs::TS;

/// Sample values shown per column.
pub const SAMPLES: usize = 5;
/// Rows read looking for samples, so a sparse column of a huge file costs little.
const SAMPLE_ROWS: usize = 1_000;
/// A sample longer than this is cut (with "…").
const SAMPLE_CHARS: usize = 80;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InspectedColumn {
    /// The header cell as written (cleaned to one line).
    pub name: String,
    /// Up to five non-empty values from the first rows.
    pub samples: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Inspection {
    pub file_name: String,
    /// The encoding, or for a workbook its kind and the sheet read.
    pub encoding: String,
    /// A workbook's sheets, in order (empty for a CSV file): the window offers the choice.
    pub sheets: Vec<String>,
    pub columns: Vec<InspectedColumn>,
    /// The built-in layout its header names are recognised as; None when it needs a mapping
    /// (or a saved profile reads it).
    pub layout: Option<DetectedFormat>,
    /// The saved profile for this header row, which an import would use unasked.
    pub profile: Option<String>,
    /// The profile's mapping, else what the generic header names suggest.
    pub suggested: ColumnMapping,
    /// Required fields the suggestion leaves unmapped.
    pub unmapped: Vec<Field>,
}

/// Reads the file at `path` (a workbook's sheet `sheet`, else its first) without importing
/// anything.
pub fn inspect(db: &Database, path: &Path, sheet: Option<&str>) -> Result<Inspection, ImportError> {
    let (file_name, bytes) = super::read(path)?;
    let read = super::spreadsheet::file_text(&file_name, &bytes, sheet)?;
    let (text, delimiter): (&str, u8) = (&read.text, read.delimiter);
    let found = layout::find(
        db,
        text,
        delimiter,
        ImportFormat::Auto,
        ColumnSource::Detect,
        &file_name,
    );
    let (header_index, header, layout, profile) = match found {
        Ok(found) => {
            let layout = found.mapping.is_none().then(|| found.layout.format());
            (found.header_index, found.header, layout, found.profile)
        }
        Err(ImportError::UnknownFormat { .. }) => {
            let first = layout::candidates(text, delimiter).into_iter().next();
            let (index, header) = first.ok_or_else(|| ImportError::UnknownFormat {
                file: file_name.clone(),
                first_line: "(nothing)".into(),
            })?;
            (index, header, None, None)
        }
        Err(other) => return Err(other),
    };
    let source = Source {
        text,
        file_name: &file_name,
        delimiter,
        decimal_comma: delimiter == b';',
        header_index,
        epoch: read.epoch,
    };
    let suggested = match &profile {
        Some(profile) => profile.mapping.clone(),
        None => {
            let keys: Vec<String> = header.iter().map(|h| header_key(h)).collect();
            mapping::by_synonyms(&keys).to_mapping(&header)
        }
    };
    let unmapped = Field::ALL
        .into_iter()
        .filter(|f| f.required() && !suggested.columns.contains_key(f))
        .collect();
    Ok(Inspection {
        columns: columns(&source, &header)?,
        file_name,
        encoding: read.read_as.clone(),
        sheets: read.sheets.clone(),
        layout,
        profile: profile.map(|p| p.name),
        suggested,
        unmapped,
    })
}

/// Each header cell with the first few values below it.
fn columns(source: &Source, header: &[String]) -> Result<Vec<InspectedColumn>, ImportError> {
    let mut columns: Vec<InspectedColumn> = header
        .iter()
        .map(|name| InspectedColumn {
            name: crate::model::text::clean_line(name),
            samples: Vec::new(),
        })
        .collect();
    let mut rows = source.rows()?;
    let mut read = 0;
    while let Some((_, record)) = rows.next()? {
        for (column, value) in columns.iter_mut().zip(record.iter()) {
            let value = value.trim();
            if !value.is_empty() && column.samples.len() < SAMPLES {
                column.samples.push(cut(value));
            }
        }
        read += 1;
        if read >= SAMPLE_ROWS || columns.iter().all(|c| c.samples.len() == SAMPLES) {
            break;
        }
    }
    Ok(columns)
}

fn cut(value: &str) -> String {
    match value.char_indices().nth(SAMPLE_CHARS) {
        Some((at, _)) => format!("{}…", &value[..at]),
        None => value.to_string(),
    }
}
