//! Spreadsheets (.xlsx, .xls, .ods) read into the same text the CSV path reads, so every layout
//! works from a workbook as from its CSV export.
//!
//! The kind is told by the bytes, not the file's name: xlsx and ods are zip archives (an ods
//! names its mimetype first), xls is an OLE compound file, and so is an xlsx saved with a
//! password (its content then sits encrypted in an `EncryptedPackage` stream). One sheet is
//! read, the first or the one asked for; each of its rows becomes one line of CSV text at the
//! line of its row number, so "line N" in a rejection is row N of the sheet. Cells become text
//! as [`cells`] says; formula cells give the value the workbook saved with them.

mod cells;

pub(crate) use cells::serial_date;

use super::decode::{self, DecodeError};
use super::ImportError;
use crate::model::text::clean_line;
use calamine::{Data, Ods, OdsError, Range, Reader, Xls, XlsError, Xlsx};
use std::borrow::Cow;
use std::io::Cursor;

/// Why a workbook could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error(
        "it is protected by a password: open it, save a copy without a password, and import that"
    )]
    Password,
    #[error("it looks like {kind}, but it cannot be read (damaged or incomplete?): {detail}")]
    Damaged { kind: &'static str, detail: String },
    #[error("it has no sheet named {wanted:?}; its sheets are {}", list(.sheets))]
    NoSuchSheet { wanted: String, sheets: Vec<String> },
    #[error("it has no sheets")]
    NoSheets,
    #[error("a sheet ({0:?}) was asked for, but it is a CSV file, not a workbook")]
    NotAWorkbook(String),
}

fn list(sheets: &[String]) -> String {
    sheets
        .iter()
        .map(|name| format!("{name:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How the workbook counts days: Excel on Windows (and LibreOffice) from 1900, old Mac Excel
/// workbooks from 1904.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Epoch {
    Excel1900,
    Excel1904,
}

/// One sheet as CSV text.
struct Sheet {
    pub text: String,
    /// "Excel workbook, sheet "Invoices"": what the report says the file was read as.
    pub read_as: String,
    /// How serial day numbers in date columns count.
    pub epoch: Epoch,
    /// Every sheet of the workbook, in order.
    pub sheets: Vec<String>,
}

#[derive(Clone, Copy)]
enum Kind {
    Xlsx,
    Xls,
    Ods,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Xlsx => "an Excel workbook (.xlsx)",
            Kind::Xls => "an Excel 97-2003 workbook (.xls)",
            Kind::Ods => "an OpenDocument spreadsheet (.ods)",
        }
    }
}

const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// An ods stores its uncompressed `mimetype` entry first: its name at byte 30, its text after.
const ODS_MIMETYPE: &[u8] = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet";

/// A file as the layouts read it: CSV text, decoded or made from a workbook's sheet.
pub(crate) struct FileText<'b> {
    pub text: Cow<'b, str>,
    /// The encoding ("UTF-8", "Windows-1252" ...) or the workbook and sheet read.
    pub read_as: String,
    pub delimiter: u8,
    /// Set for a workbook: a bare number in a date column is a serial day number.
    pub epoch: Option<Epoch>,
    /// A workbook's sheets, in order, for the window to offer; empty for a CSV file.
    pub sheets: Vec<String>,
}

/// The text of `bytes`: the sheet `sheet` (or the first) of a workbook, else the decoded CSV.
pub(crate) fn file_text<'b>(
    file_name: &str,
    bytes: &'b [u8],
    sheet: Option<&str>,
) -> Result<FileText<'b>, ImportError> {
    let refused = |reason| ImportError::Sheet {
        file: file_name.to_string(),
        reason,
    };
    if let Some(kind) = kind(bytes) {
        let read = read(bytes, kind, sheet).map_err(refused)?;
        return Ok(FileText {
            text: Cow::Owned(read.text),
            read_as: read.read_as,
            delimiter: b',',
            epoch: Some(read.epoch),
            sheets: read.sheets,
        });
    }
    if let Some(sheet) = sheet {
        return Err(refused(SheetError::NotAWorkbook(clean_line(sheet))));
    }
    let decoded = decode::decode(bytes).map_err(|reason: DecodeError| ImportError::NotCsv {
        file: file_name.to_string(),
        reason,
    })?;
    let delimiter = decode::sniff_delimiter(&decoded.text);
    Ok(FileText {
        text: decoded.text,
        read_as: decoded.encoding.to_string(),
        delimiter,
        epoch: None,
        sheets: Vec::new(),
    })
}

fn kind(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(ZIP) {
        let ods = bytes.get(30..30 + ODS_MIMETYPE.len()) == Some(ODS_MIMETYPE);
        Some(if ods { Kind::Ods } else { Kind::Xlsx })
    } else if bytes.starts_with(OLE) {
        Some(Kind::Xls)
    } else {
        None
    }
}

/// Reads the sheet named `wanted` (the first one when None) of the workbook in `bytes`.
fn read(bytes: &[u8], kind: Kind, wanted: Option<&str>) -> Result<Sheet, SheetError> {
    let damaged = |detail: String| SheetError::Damaged {
        kind: kind.describe(),
        detail: shorten(&clean_line(&detail)),
    };
    let cursor = Cursor::new(bytes);
    let ((name, range, sheets), epoch) = match kind {
        Kind::Xlsx => {
            let mut book: Xlsx<_> = Xlsx::new(cursor).map_err(|e| damaged(e.to_string()))?;
            let epoch = epoch_of(book.has_1904_epoch());
            (pick(&mut book, wanted, damaged)?, epoch)
        }
        Kind::Xls if is_encrypted_ooxml(bytes) => return Err(SheetError::Password),
        Kind::Xls => {
            let mut book: Xls<_> = Xls::new(cursor).map_err(|e| match e {
                XlsError::Password => SheetError::Password,
                other => damaged(other.to_string()),
            })?;
            let epoch = epoch_of(book.has_1904_epoch());
            (pick(&mut book, wanted, damaged)?, epoch)
        }
        Kind::Ods => {
            let mut book: Ods<_> = Ods::new(cursor).map_err(|e| match e {
                OdsError::Password => SheetError::Password,
                other => damaged(other.to_string()),
            })?;
            // OpenDocument dates are typed cells; a bare number counts from 1899-12-30 as
            // LibreOffice's default, which is Excel's 1900 count from March 1900 on.
            (pick(&mut book, wanted, damaged)?, Epoch::Excel1900)
        }
    };
    let kind_name = match kind {
        Kind::Ods => "OpenDocument spreadsheet",
        Kind::Xlsx | Kind::Xls => "Excel workbook",
    };
    Ok(Sheet {
        text: to_text(&range).map_err(damaged)?,
        read_as: format!("{kind_name}, sheet {:?}", shorten(&clean_line(&name))),
        epoch,
        sheets,
    })
}

fn epoch_of(is_1904: bool) -> Epoch {
    if is_1904 {
        Epoch::Excel1904
    } else {
        Epoch::Excel1900
    }
}

/// The sheet asked for (or the first), its cells, and the names of all sheets.
fn pick<R, RS>(
    book: &mut R,
    wanted: Option<&str>,
    damaged: impl Fn(String) -> SheetError,
) -> Result<(String, Range<Data>, Vec<String>), SheetError>
where
    R: Reader<RS>,
    R::Error: std::fmt::Display,
    RS: std::io::Read + std::io::Seek,
{
    let sheets = book.sheet_names();
    let name = match wanted {
        None => sheets.first().cloned().ok_or(SheetError::NoSheets)?,
        Some(wanted) => sheets
            .iter()
            .find(|name| name.as_str() == wanted)
            .or_else(|| sheets.iter().find(|name| name.eq_ignore_ascii_case(wanted)))
            .cloned()
            .ok_or_else(|| SheetError::NoSuchSheet {
                wanted: clean_line(wanted),
                sheets: sheets.iter().map(|name| clean_line(name)).collect(),
            })?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| damaged(e.to_string()))?;
    let sheets = sheets.iter().map(|name| clean_line(name)).collect();
    Ok((name, range, sheets))
}

/// A password-protected xlsx: an OLE file holding an `EncryptedPackage` stream, whose name
/// its directory spells in UTF-16LE.
fn is_encrypted_ooxml(bytes: &[u8]) -> bool {
    let name: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    bytes.windows(name.len()).any(|window| window == name)
}

/// The sheet as CSV text, one line per row from row 1 (rows above the first used one are
/// blank lines), without the empty rows after the last used one.
fn to_text(range: &Range<Data>) -> Result<String, String> {
    let first_row = range.start().map_or(0, |(row, _)| row);
    let mut text = "\n".repeat(first_row as usize);
    let last_used = range
        .rows()
        .rposition(|row| row.iter().any(|cell| !matches!(cell, Data::Empty)));
    let Some(last_used) = last_used else {
        return Ok(text);
    };
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    for row in range.rows().take(last_used + 1) {
        let cells: Vec<String> = row.iter().map(cells::text).collect();
        writer.write_record(&cells).map_err(|e| e.to_string())?;
    }
    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
    // Every cell was a String, so the bytes are UTF-8.
    text.push_str(&String::from_utf8_lossy(&bytes));
    Ok(text)
}

fn shorten(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
