//! One attachment of a kept message, taken back out of the message's bytes (`raw_mime`) to be
//! opened: only a message of the customer asked about, only from bytes Duebook kept, written
//! to a private file (0600, in a folder of its own, 0700) under a cleaned file name.

use crate::private_fs;
use crate::store::DbError;
use mail_parser::MessageParser;
use rusqlite::{params, Connection, OptionalExtension};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Longest file name written, in characters (before the extension is counted).
const MAX_NAME: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    #[error("there is no attachment {0} for this customer")]
    NotFound(i64),
    #[error(
        "the message is too large to have been kept; open the attachment in your mail program"
    )]
    NotKept,
    #[error("the attachment cannot be read from the message")]
    Unreadable,
    #[error("the attachment cannot be saved for opening: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for AttachmentError {
    fn from(e: rusqlite::Error) -> Self {
        AttachmentError::Db(e.into())
    }
}

/// An attachment's decoded bytes under a file name safe to write.
#[derive(Clone, PartialEq, Eq)]
pub struct AttachmentFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for AttachmentFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttachmentFile")
            .field("file_name", &self.file_name)
            .field("size", &self.bytes.len())
            .finish()
    }
}

/// Attachment `attachment_id` (a `message_attachments` row) of one of `customer_id`'s messages.
pub fn extract(
    conn: &Connection,
    customer_id: i64,
    attachment_id: i64,
) -> Result<AttachmentFile, AttachmentError> {
    let found: Option<(String, Option<Vec<u8>>, u32)> = conn
        .prepare_cached(
            "SELECT a.file_name, m.raw_mime,
                    (SELECT count(*) FROM message_attachments b
                      WHERE b.message_id = a.message_id AND b.id < a.id)
               FROM message_attachments a JOIN messages m ON m.id = a.message_id
              WHERE a.id = ?1 AND m.customer_id = ?2",
        )?
        .query_row(params![attachment_id, customer_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let (name, raw, position) = found.ok_or(AttachmentError::NotFound(attachment_id))?;
    let raw = raw.ok_or(AttachmentError::NotKept)?;
    // The rows were written in the order the parser lists the attachments, so the row's
    // position among its message's rows is the attachment's position in the message.
    let message = MessageParser::default()
        .parse(&raw)
        .ok_or(AttachmentError::Unreadable)?;
    let part = message
        .attachment(position)
        .ok_or(AttachmentError::Unreadable)?;
    Ok(AttachmentFile {
        file_name: safe_file_name(&name),
        bytes: part.contents().to_vec(),
    })
}

/// Writes `file` into a new private folder under `dir` (created 0700 when missing) and
/// returns its path: each opening gets a folder of its own, so names never collide and
/// nothing already there is overwritten.
pub fn save_privately(dir: &Path, file: &AttachmentFile) -> Result<PathBuf, AttachmentError> {
    private_fs::create_dir_all(dir)?;
    let folder = dir.join(format!("{:016x}", fastrand::u64(..)));
    private_fs::create_dir_all(&folder)?;
    let path = folder.join(&file.file_name);
    let mut out = private_fs::create_new_file(&path)?;
    out.write_all(&file.bytes)?;
    out.sync_all()?;
    Ok(path)
}

/// `name` as a plain file name: letters, digits, spaces and `.-_()` kept, anything else
/// (path separators, control and direction characters, quotes) becomes `_`; no leading dot
/// (a hidden file) and at most [`MAX_NAME`] characters, keeping the extension.
pub fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| {
            let plain = c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_' | '(' | ')');
            if plain && !c.is_control() {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches(['.', ' ']).trim_end();
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.chars().count() <= 10 => (stem, ext),
        _ => (cleaned, ""),
    };
    let stem: String = stem.chars().take(MAX_NAME).collect();
    match (stem.is_empty(), ext.is_empty()) {
        (true, _) => "attachment".into(),
        (false, true) => stem,
        (false, false) => format!("{stem}.{ext}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_made_plain() {
        assert_eq!(
            safe_file_name("remittance advice.pdf"),
            "remittance advice.pdf"
        );
        assert_eq!(safe_file_name("../../.bashrc"), "_.._.bashrc");
        assert_eq!(safe_file_name(".hidden"), "hidden");
        assert_eq!(safe_file_name("a/b\\c:d.txt"), "a_b_c_d.txt");
        assert_eq!(safe_file_name("invoice\u{202E}fdp.exe"), "invoice_fdp.exe");
        assert_eq!(safe_file_name(""), "attachment");
        assert_eq!(safe_file_name("..."), "attachment");
        let long = format!("{}.pdf", "x".repeat(500));
        assert_eq!(
            safe_file_name(&long),
            format!("{}.pdf", "x".repeat(MAX_NAME))
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_and_never_overwrites() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = AttachmentFile {
            file_name: "a.txt".into(),
            bytes: b"hello".to_vec(),
        };
        let first = save_privately(&dir.path().join("open"), &file).unwrap();
        let second = save_privately(&dir.path().join("open"), &file).unwrap();
        assert_ne!(first, second);
        assert_eq!(std::fs::read(&first).unwrap(), b"hello");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&first), 0o600);
        assert_eq!(mode(first.parent().unwrap()), 0o700);
    }
}
