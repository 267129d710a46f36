//! From a file's bytes to text and a CSV dialect.
//!
//! Exports arrive as UTF-8 (with or without a byte-order mark), as Windows-1252 from older
//! Windows tools, now and then as UTF-16 from Excel's "Unicode text" (with or without a
//! byte-order mark), and separated by commas,
//! semicolons (European Excel) or tabs. Parsing itself is the csv crate's job; this module only
//! decides what to hand it and maps its byte offsets back to the physical line numbers a person
//! sees in an editor.

use std::borrow::Cow;

/// Why bytes could not be turned into CSV text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the file is empty")]
    Empty,
    #[error("it looks like UTF-{0} text without a byte-order mark, but it is damaged (a broken character or a missing byte): save it again as \"CSV UTF-8\"")]
    DamagedUtf16(&'static str),
    #[error("it looks like UTF-32 text, which Duebook does not read: save it as \"CSV UTF-8\"")]
    Utf32,
    /// What the bytes look like: "a PDF document", "binary data" ...
    #[error("it looks like {0}, not CSV text")]
    Binary(&'static str),
}

/// The text of a file and the encoding it was read in.
#[derive(Debug)]
pub struct Decoded<'b> {
    pub text: Cow<'b, str>,
    /// "UTF-8", "UTF-8 with BOM", "UTF-16LE", "UTF-16BE", "UTF-16LE without BOM",
    /// "UTF-16BE without BOM" or "Windows-1252".
    pub encoding: &'static str,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes a CSV file. Bytes that are not valid UTF-8 are read as Windows-1252: that is what
/// Excel and older accounting tools on Windows write, and every byte sequence is valid in it.
pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    // UTF-32's little-endian byte-order mark starts with UTF-16's.
    if bytes.starts_with(b"\xFF\xFE\0\0") || bytes.starts_with(b"\0\0\xFE\xFF") {
        return Err(DecodeError::Utf32);
    }
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        if encoding != encoding_rs::UTF_8 {
            let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
            return Ok(Decoded {
                text: Cow::Owned(text.into_owned()),
                encoding: encoding.name(),
            });
        }
    }
    if let Some(what) = known_binary(bytes) {
        return Err(DecodeError::Binary(what));
    }
    let (body, with_bom) = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    if body.iter().take(SAMPLE).any(|b| *b == 0) {
        return without_bom(body);
    }
    if let Ok(text) = std::str::from_utf8(body) {
        Ok(Decoded {
            text: Cow::Borrowed(text),
            encoding: if with_bom { "UTF-8 with BOM" } else { "UTF-8" },
        })
    } else {
        let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(body);
        Ok(Decoded {
            text: Cow::Owned(text.into_owned()),
            encoding: "Windows-1252",
        })
    }
}

/// How much of a file is looked at to tell text from binary data.
const SAMPLE: usize = 8192;

/// Files people pick by mistake, by their first bytes.
fn known_binary(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: [(&[u8], &str); 6] = [
        (b"%PDF-", "a PDF document"),
        (b"SQLite format 3\0", "an SQLite database"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"Rar!", "a RAR archive"),
    ];
    SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, what)| *what)
}

/// Text with NUL bytes and no byte-order mark: UTF-16 or UTF-32 written without one, or
/// binary data.
fn without_bom(bytes: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    if looks_like_utf32(bytes) {
        return Err(DecodeError::Utf32);
    }
    let Some((encoding, name)) = utf16_order(bytes) else {
        return Err(DecodeError::Binary("binary data"));
    };
    let order = if encoding == encoding_rs::UTF_16LE {
        "16LE"
    } else {
        "16BE"
    };
    let text = encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(DecodeError::DamagedUtf16(order))?;
    if text.contains('\0') {
        return Err(DecodeError::Binary("binary data"));
    }
    Ok(Decoded {
        text: Cow::Owned(text.into_owned()),
        encoding: name,
    })
}

/// A byte of a character below U+0100 that text holds: printable, tab, line break, Latin-1.
fn is_text_byte(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | b'\r' | b' '..=b'~' | 0xA0..=0xFF)
}

/// UTF-16's byte order, from the sample: in a CSV file the delimiters, digits and line breaks
/// are characters below U+0100, each a text byte beside a NUL, and the NUL falls on the same
/// side of every pair. Binary data has NULs too, but not in that pattern.
fn utf16_order(bytes: &[u8]) -> Option<(&'static encoding_rs::Encoding, &'static str)> {
    let sample = &bytes[..bytes.len().min(SAMPLE)];
    let pairs = sample.chunks_exact(2);
    let total = pairs.len();
    let (mut little, mut big) = (0, 0);
    for pair in pairs {
        little += usize::from(pair[1] == 0 && is_text_byte(pair[0]));
        big += usize::from(pair[0] == 0 && is_text_byte(pair[1]));
    }
    // At least a quarter of the characters, and almost all NULs on one side.
    let clear = |ours: usize, theirs: usize| total >= 4 && ours * 4 >= total && theirs * 16 <= ours;
    if clear(little, big) {
        Some((encoding_rs::UTF_16LE, "UTF-16LE without BOM"))
    } else if clear(big, little) {
        Some((encoding_rs::UTF_16BE, "UTF-16BE without BOM"))
    } else {
        None
    }
}

/// UTF-32: characters below U+10000 have two NUL bytes on the same side of every four.
fn looks_like_utf32(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(SAMPLE)];
    let quads = sample.chunks_exact(4);
    let total = quads.len();
    let little = quads
        .clone()
        .filter(|q| q[2] == 0 && q[3] == 0 && q[0] != 0)
        .count();
    let big = quads
        .filter(|q| q[0] == 0 && q[1] == 0 && q[3] != 0)
        .count();
    total >= 2 && little.max(big) * 10 >= total * 9
}

/// Comma, semicolon or tab: whichever is most frequent (outside quotes) on the widest of the
/// first lines. Title lines of report exports have few separators; the header has the most.
pub fn sniff_delimiter(text: &str) -> u8 {
    let mut best = (0usize, b',');
    for line in text.lines().take(30) {
        let counts = count_outside_quotes(line);
        let total: usize = counts.iter().map(|(n, _)| n).sum();
        if total > best.0 {
            let (_, delimiter) = counts
                .iter()
                .copied()
                .max_by_key(|(n, _)| *n)
                .unwrap_or(best);
            best = (total, delimiter);
        }
    }
    best.1
}

fn count_outside_quotes(line: &str) -> [(usize, u8); 3] {
    let mut counts = [(0, b','), (0, b';'), (0, b'\t')];
    let mut quoted = false;
    for byte in line.bytes() {
        match byte {
            b'"' => quoted = !quoted,
            _ if quoted => {}
            _ => {
                if let Some(slot) = counts.iter_mut().find(|(_, d)| *d == byte) {
                    slot.0 += 1;
                }
            }
        }
    }
    counts
}

/// A csv reader over the whole text: no header handling (report exports put title lines
/// first) and rows of any width (group and total rows are shorter).
pub fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
}

/// How a header cell is compared: lower case, letters and digits only, so "Invoice No.",
/// "invoice_no" and "*InvoiceNo" are the same column.
pub fn header_key(cell: &str) -> String {
    cell.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Maps record start offsets to physical line numbers, counting title and blank lines.
///
/// The csv crate's own line counter skips blank lines, and a record's byte position is where
/// the previous record ended, so the record proper starts after any line breaks from there.
pub struct LineCounter<'t> {
    text: &'t [u8],
    offset: usize,
    line: u64,
}

impl<'t> LineCounter<'t> {
    pub fn new(text: &'t str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The line a record at `byte` starts on. Offsets must not decrease between calls.
    pub fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.offset {
            let newlines = self.text[self.offset..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.line += newlines as u64;
            self.offset = start;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utf8_with_and_without_bom() {
        let plain = decode("Café,1\n".as_bytes()).unwrap();
        assert_eq!(plain.text, "Café,1\n");
        assert_eq!(plain.encoding, "UTF-8");
        let bom = decode(b"\xEF\xBB\xBFname\r\n").unwrap();
        assert_eq!(bom.text, "name\r\n");
        assert_eq!(bom.encoding, "UTF-8 with BOM");
    }

    #[test]
    fn invalid_utf8_is_read_as_windows_1252() {
        let decoded = decode(b"Caf\xE9 \x80 Na\xEFve\n").unwrap();
        assert_eq!(decoded.text, "Café € Naïve\n");
        assert_eq!(decoded.encoding, "Windows-1252");
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "a,é\n".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.text, "a,é\n");
        assert_eq!(decoded.encoding, "UTF-16LE");
    }

    #[test]
    fn refuses_what_is_not_csv_text() {
        assert_eq!(decode(b"").unwrap_err(), DecodeError::Empty);
        assert_eq!(
            decode(b"ab\0cd").unwrap_err(),
            DecodeError::Binary("binary data")
        );
        assert_eq!(
            decode(b"%PDF-1.4 rest").unwrap_err(),
            DecodeError::Binary("a PDF document")
        );
    }

    #[test]
    fn utf16_without_bom_is_told_from_binary_data_by_where_its_nuls_fall() {
        let little: Vec<u8> = "name,amount\nAcme,1\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let decoded = decode(&little).unwrap();
        assert_eq!(decoded.text, "name,amount\nAcme,1\n");
        assert_eq!(decoded.encoding, "UTF-16LE without BOM");
        let big: Vec<u8> = "a,b\n".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&big).unwrap().encoding, "UTF-16BE without BOM");
        let utf32: Vec<u8> = "\u{feff}a,b\n"
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        assert_eq!(decode(&utf32).unwrap_err(), DecodeError::Utf32);
        // NULs on both sides, or beside bytes that are no text, are binary data.
        let binary = [0u8, 1, 2, 0, 0, 0, 7, 0, 0, 3, 0, 0, 9, 9, 0, 0];
        assert_eq!(
            decode(&binary).unwrap_err(),
            DecodeError::Binary("binary data")
        );
    }

    #[test]
    fn sniffs_the_delimiter_from_the_widest_line() {
        assert_eq!(
            sniff_delimiter("Company\nReport\n\n,Date,Num,Amount\n"),
            b','
        );
        assert_eq!(sniff_delimiter("name;amount;date\nA;\"1,5\";x\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter("\"a;b;c\",d,e\n"), b',');
    }

    #[test]
    fn header_keys_ignore_case_spaces_and_punctuation() {
        assert_eq!(header_key("Invoice No."), "invoiceno");
        assert_eq!(header_key(" *ContactName"), "contactname");
        assert_eq!(header_key("open_balance"), "openbalance");
        assert_eq!(header_key("E-mail"), "email");
    }

    #[test]
    fn line_numbers_count_blank_and_quoted_lines() {
        let text = "Title\n\n,Date,Num\r\nA,\"multi\nline\",x\r\n\r\n,,\nTOTAL,1,2\n";
        let mut rdr = reader(text, b',');
        let mut counter = LineCounter::new(text);
        let lines: Vec<u64> = rdr
            .records()
            .map(|r| counter.line_at(r.unwrap().position().unwrap().byte()))
            .collect();
        assert_eq!(lines, vec![1, 3, 4, 7, 8]);
    }
}
