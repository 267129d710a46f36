//! Which layout a file has and where its header row is: a saved profile for the exact header,
//! the built-in layouts by their header names, or a mapping the user gave.

use super::decode::{self, header_key};
use super::mapping::profiles::{self, Profile};
use super::mapping::{self, ColumnMapping, MappingError};
use super::report::{DetectedFormat, ImportFormat};
use super::{columns, contact_list, generic, intacct, netsuite, quickbooks, xero, ImportError};
use crate::store::Database;

/// How the import finds the columns of the file.
#[derive(Debug, Clone, Copy)]
pub enum ColumnSource<'m> {
    /// Recognised from the header (`ImportOptions::format`). With `Auto`, a saved profile for
    /// the exact header row wins over the built-in layouts: the user made it for that file.
    Detect,
    /// This mapping, from the command line or the import dialog.
    Mapping(&'m ColumnMapping),
    /// The saved profile of this name.
    Profile(&'m str),
}

pub(super) enum Layout {
    Generic(generic::Columns),
    QuickbooksReport(quickbooks::Columns),
    QuickbooksContacts(contact_list::Columns),
    Xero(xero::Columns),
    NetsuiteReport(quickbooks::Columns),
    /// With the Status column, when there is one.
    NetsuiteSearch(generic::Columns, Option<usize>),
    /// With the State column, when there is one.
    Intacct(generic::Columns, Option<usize>),
}

impl Layout {
    pub fn format(&self) -> DetectedFormat {
        match self {
            Layout::Generic(_) => DetectedFormat::Generic,
            Layout::QuickbooksReport(_) => DetectedFormat::QuickbooksReport,
            Layout::QuickbooksContacts(_) => DetectedFormat::QuickbooksContacts,
            Layout::Xero(_) => DetectedFormat::Xero,
            Layout::NetsuiteReport(_) | Layout::NetsuiteSearch(..) => DetectedFormat::Netsuite,
            Layout::Intacct(..) => DetectedFormat::SageIntacct,
        }
    }

    /// Fields that more than one header cell gives.
    pub fn duplicates(&self) -> &[columns::Duplicate] {
        match self {
            Layout::Generic(columns)
            | Layout::NetsuiteSearch(columns, _)
            | Layout::Intacct(columns, _) => &columns.duplicates,
            Layout::QuickbooksReport(columns) | Layout::NetsuiteReport(columns) => {
                &columns.duplicates
            }
            Layout::QuickbooksContacts(columns) => &columns.duplicates,
            Layout::Xero(columns) => &columns.duplicates,
        }
    }
}

/// The header row found: its index among the records, its cells as written, its layout, and
/// the mapping (and profile) that read it, if one did.
pub(super) struct Found {
    pub header_index: usize,
    pub header: Vec<String>,
    pub layout: Layout,
    pub mapping: Option<ColumnMapping>,
    pub profile: Option<Profile>,
}

/// How far down title lines may push the header.
const HEADER_SEARCH_RECORDS: usize = 30;

/// The records that may be the header: the first non-blank ones, with their index.
pub(super) fn candidates(text: &str, delimiter: u8) -> Vec<(usize, Vec<String>)> {
    let mut reader = decode::reader(text, delimiter);
    reader
        .records()
        .take(HEADER_SEARCH_RECORDS)
        .map_while(Result::ok)
        .enumerate()
        .filter(|(_, record)| !record.iter().all(|c| header_key(c).is_empty()))
        .map(|(index, record)| (index, record.iter().map(str::to_string).collect()))
        .collect()
}

pub(super) fn find(
    db: &Database,
    text: &str,
    delimiter: u8,
    format: ImportFormat,
    how: ColumnSource,
    file_name: &str,
) -> Result<Found, ImportError> {
    let candidates = candidates(text, delimiter);
    match how {
        ColumnSource::Mapping(mapping) => mapped(&candidates, mapping.clone(), None, file_name),
        ColumnSource::Profile(name) => {
            let profile = profiles::get(db.conn(), name)?;
            mapped(
                &candidates,
                profile.mapping.clone(),
                Some(profile),
                file_name,
            )
        }
        ColumnSource::Detect => {
            if format == ImportFormat::Auto {
                if let Some(profile) = profiles::recognise(db.conn(), &candidates)? {
                    return mapped(
                        &candidates,
                        profile.mapping.clone(),
                        Some(profile),
                        file_name,
                    );
                }
            }
            let explicit = format != ImportFormat::Auto;
            let (header_index, header, layout) =
                detect_in(&candidates, &matchers(format), explicit, file_name)?;
            Ok(Found {
                header_index,
                header,
                layout,
                mapping: None,
                profile: None,
            })
        }
    }
}

/// The first candidate row the mapping reads; else why the first one cannot be read.
fn mapped(
    candidates: &[(usize, Vec<String>)],
    mapping: ColumnMapping,
    profile: Option<Profile>,
    file_name: &str,
) -> Result<Found, ImportError> {
    let refused = |source| ImportError::Mapping {
        file: file_name.to_string(),
        source,
    };
    mapping::check(&mapping).map_err(refused)?;
    let mut first_error = None;
    for (index, header) in candidates {
        let resolved = match mapping::resolve(&mapping, header) {
            Ok(resolved) => resolved,
            Err(error) => {
                first_error.get_or_insert(error);
                continue;
            }
        };
        let columns = generic::Columns::new(resolved)
            .map_err(|missing| refused(MappingError::Unmapped(missing)))?;
        return Ok(Found {
            header_index: *index,
            header: header.clone(),
            layout: Layout::Generic(columns),
            mapping: Some(mapping),
            profile,
        });
    }
    Err(match first_error {
        Some(error) => refused(error),
        None => ImportError::UnknownFormat {
            file: file_name.to_string(),
            first_line: "(nothing)".into(),
        },
    })
}

/// A layout's name (for "no header row with the columns ...") and its header recogniser.
pub(super) type Matcher<T> = (&'static str, fn(&[String]) -> Result<T, Vec<&'static str>>);

fn matchers(format: ImportFormat) -> Vec<Matcher<Layout>> {
    let xero: Matcher<Layout> = ("Xero invoice export", |k| {
        xero::columns(k).map(Layout::Xero)
    });
    let report: Matcher<Layout> = ("QuickBooks Online open invoices report", |k| {
        quickbooks::columns(k).map(Layout::QuickbooksReport)
    });
    let contacts: Matcher<Layout> = ("QuickBooks customer contact list", |k| {
        contact_list::columns(k).map(Layout::QuickbooksContacts)
    });
    let generic: Matcher<Layout> = ("generic invoice CSV", |k| {
        generic::columns(k).map(Layout::Generic)
    });
    let netsuite_report: Matcher<Layout> = ("NetSuite A/R Aging Detail report", |k| {
        netsuite::aging_columns(k).map(Layout::NetsuiteReport)
    });
    let netsuite_search: Matcher<Layout> = ("NetSuite open invoices search", |k| {
        netsuite::search_columns(k).map(|(columns, status)| Layout::NetsuiteSearch(columns, status))
    });
    let intacct: Matcher<Layout> = ("Sage Intacct invoice list or AR aging report", |k| {
        intacct::columns(k).map(|(columns, state)| Layout::Intacct(columns, state))
    });
    // Most specific first: a QuickBooks header would also satisfy the generic synonyms.
    match format {
        ImportFormat::Auto => vec![
            xero,
            report,
            netsuite_report,
            netsuite_search,
            intacct,
            generic,
            contacts,
        ],
        ImportFormat::Generic => vec![generic],
        ImportFormat::Quickbooks => vec![report, contacts],
        ImportFormat::Xero => vec![xero],
        ImportFormat::Netsuite => vec![netsuite_report, netsuite_search],
        ImportFormat::SageIntacct => vec![intacct],
    }
}

/// Finds the header row among the first records: its index, its cells and the layout it
/// belongs to. When the user named the layout (`explicit`), a miss names the missing columns.
pub(super) fn detect<T>(
    text: &str,
    delimiter: u8,
    matchers: &[Matcher<T>],
    explicit: bool,
    file_name: &str,
) -> Result<(usize, Vec<String>, T), ImportError> {
    detect_in(&candidates(text, delimiter), matchers, explicit, file_name)
}

fn detect_in<T>(
    candidates: &[(usize, Vec<String>)],
    matchers: &[Matcher<T>],
    explicit: bool,
    file_name: &str,
) -> Result<(usize, Vec<String>, T), ImportError> {
    let mut closest: Option<(&'static str, Vec<&'static str>)> = None;
    for (index, header) in candidates {
        let keys: Vec<String> = header.iter().map(|c| header_key(c)).collect();
        for (name, matcher) in matchers {
            match matcher(&keys) {
                Ok(layout) => return Ok((*index, header.clone(), layout)),
                Err(missing) => {
                    if closest
                        .as_ref()
                        .is_none_or(|(_, m)| missing.len() < m.len())
                    {
                        closest = Some((name, missing));
                    }
                }
            }
        }
    }
    let file = file_name.to_string();
    match (explicit, closest) {
        (false, _) | (_, None) => Err(ImportError::UnknownFormat {
            file,
            first_line: candidates.first().map_or_else(
                || "(nothing)".into(),
                |(_, cells)| shorten(&cells.join(",")),
            ),
        }),
        (_, Some((format, missing))) => Err(ImportError::MissingColumns {
            file,
            format,
            missing,
        }),
    }
}

fn shorten(line: &str) -> String {
    const MAX: usize = 120;
    match line.char_indices().nth(MAX) {
        Some((at, _)) => format!("{:?}…", &line[..at]),
        None => format!("{line:?}"),
    }
}
