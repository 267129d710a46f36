//! The one error type every command returns. The UI receives it as
//! `{ "kind": "...", "message": "...", "field"?: "..." }` (see `ui/src/lib/bindings/CommandError.ts`),
//! decides by `kind` and shows `message` to the person — next to the input named by `field` when a
//! value they typed was refused.

use duebook_core::demo::DemoError;
use duebook_core::import::mapping::profile_file::ProfileFileError;
use duebook_core::import::mapping::profiles::ProfileError;
use duebook_core::import::watched::WatchError;
use duebook_core::import::ImportError;
use duebook_core::model::validation::FieldError;
use duebook_core::paths::PathError;
use duebook_core::store::backup::BackupError;
use duebook_core::store::DbError;
use duebook_core::views::export::ExportError;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, TS)]
#[ts(as = "WireError")]
pub enum CommandError {
    /// The thing asked for (a customer, a file) does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request itself is wrong: a bad argument, a file that is not a Duebook database.
    #[error("{0}")]
    InvalidInput(String),
    /// A value the person typed was refused by the core's validation; sent as `invalid_input`
    /// with the `field` it concerns, so the window shows the message beside that input.
    #[error("{}", .0.message)]
    InvalidField(FieldError),
    /// The file was written by a newer Duebook; this version refuses to touch it.
    #[error("{0}")]
    NewerDatabase(String),
    /// The file is damaged (SQLite's check found bad pages): it was not opened, nor written;
    /// the window offers to restore a backup.
    #[error("{0}")]
    Damaged(String),
    /// No database is open (the last one failed to open).
    #[error("{0}")]
    NoDatabase(String),
    /// SQLite failed while reading or writing.
    #[error("{0}")]
    Database(String),
    /// The file system failed (permissions, disk full, missing directory).
    #[error("{0}")]
    Io(String),
    /// A CSV file could not be imported at all: unreadable, not CSV, a layout Duebook does not
    /// know, required columns missing. Nothing was written. (Single bad rows are not errors: the
    /// import report lists them.)
    #[error("{0}")]
    ImportFailed(String),
    /// A bug in Duebook (a worker panicked); the message says what to report.
    #[error("{0}")]
    Internal(String),
}

/// What the window receives: the kind decides, the message is for the person, the field (only
/// for `invalid_input`) names the input the message belongs next to.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, rename = "CommandError")]
pub struct WireError {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorKind {
    NotFound,
    InvalidInput,
    NewerDatabase,
    Damaged,
    NoDatabase,
    Database,
    Io,
    ImportFailed,
    Internal,
}

impl From<CommandError> for WireError {
    fn from(error: CommandError) -> Self {
        let (kind, message, field) = match error {
            CommandError::NotFound(m) => (ErrorKind::NotFound, m, None),
            CommandError::InvalidInput(m) => (ErrorKind::InvalidInput, m, None),
            CommandError::InvalidField(e) => (ErrorKind::InvalidInput, e.message, Some(e.field)),
            CommandError::NewerDatabase(m) => (ErrorKind::NewerDatabase, m, None),
            CommandError::Damaged(m) => (ErrorKind::Damaged, m, None),
            CommandError::NoDatabase(m) => (ErrorKind::NoDatabase, m, None),
            CommandError::Database(m) => (ErrorKind::Database, m, None),
            CommandError::Io(m) => (ErrorKind::Io, m, None),
            CommandError::ImportFailed(m) => (ErrorKind::ImportFailed, m, None),
            CommandError::Internal(m) => (ErrorKind::Internal, m, None),
        };
        WireError {
            kind,
            message,
            field,
        }
    }
}

impl Serialize for CommandError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        WireError::from(self.clone()).serialize(serializer)
    }
}

impl From<FieldError> for CommandError {
    fn from(error: FieldError) -> Self {
        CommandError::InvalidField(error)
    }
}

impl From<ExportError> for CommandError {
    fn from(error: ExportError) -> Self {
        match error {
            ExportError::Db(e) => e.into(),
            e @ ExportError::Write(_) => CommandError::Io(e.to_string()),
        }
    }
}

impl From<DbError> for CommandError {
    fn from(error: DbError) -> Self {
        let message = error.to_string();
        match error {
            DbError::Invalid(field) => CommandError::InvalidField(field),
            DbError::NotFound(_) => CommandError::NotFound(message),
            // Only a crafted or buggy request names another customer's record.
            DbError::OtherCustomer { .. } => CommandError::InvalidInput(message),
            DbError::NewerSchema { .. } => CommandError::NewerDatabase(message),
            DbError::NotADatabase { .. } => CommandError::InvalidInput(message),
            DbError::Open { .. } | DbError::Backup(_) => CommandError::Io(message),
            _ => CommandError::Database(message),
        }
    }
}

impl From<WatchError> for CommandError {
    fn from(error: WatchError) -> Self {
        let message = error.to_string();
        match error {
            WatchError::Db(e) => e.into(),
            WatchError::Relative(_) => CommandError::InvalidInput(message),
            WatchError::Folder { .. } | WatchError::Move { .. } | WatchError::Import(_) => {
                CommandError::Io(message)
            }
        }
    }
}

impl From<BackupError> for CommandError {
    fn from(error: BackupError) -> Self {
        let message = error.to_string();
        match error {
            BackupError::Db(e) => e.into(),
            BackupError::Damaged { .. } => CommandError::Damaged(message),
            BackupError::NotDuebook { .. } | BackupError::Retention { .. } => {
                CommandError::InvalidInput(message)
            }
            BackupError::Newer { .. } => CommandError::NewerDatabase(message),
            BackupError::Read { .. } | BackupError::Write { .. } | BackupError::Restore { .. } => {
                CommandError::Database(message)
            }
            BackupError::Folder { .. }
            | BackupError::Save { .. }
            | BackupError::Replace { .. }
            | BackupError::Move { .. } => CommandError::Io(message),
        }
    }
}

impl From<PathError> for CommandError {
    fn from(error: PathError) -> Self {
        CommandError::Io(error.to_string())
    }
}

impl From<std::io::Error> for CommandError {
    fn from(error: std::io::Error) -> Self {
        CommandError::Io(error.to_string())
    }
}

impl From<DemoError> for CommandError {
    fn from(error: DemoError) -> Self {
        match error {
            DemoError::Db(e) => e.into(),
            e @ DemoError::NotEmpty(_) => CommandError::InvalidInput(e.to_string()),
        }
    }
}

impl From<ImportError> for CommandError {
    fn from(error: ImportError) -> Self {
        match error {
            // SQLite failing mid-import is a database problem, not a problem with the file.
            ImportError::Db(e) => e.into(),
            other => CommandError::ImportFailed(other.to_string()),
        }
    }
}

impl From<ProfileError> for CommandError {
    fn from(error: ProfileError) -> Self {
        match error {
            ProfileError::Db(e) => e.into(),
            e @ ProfileError::NotFound(_) => CommandError::NotFound(e.to_string()),
            e @ ProfileError::Stored { .. } => CommandError::Database(e.to_string()),
            e => CommandError::InvalidInput(e.to_string()),
        }
    }
}

impl From<ProfileFileError> for CommandError {
    fn from(error: ProfileFileError) -> Self {
        match error {
            ProfileFileError::Profile(e) => e.into(),
            e @ (ProfileFileError::Read { .. } | ProfileFileError::Write { .. }) => {
                CommandError::Io(e.to_string())
            }
            e => CommandError::InvalidInput(e.to_string()),
        }
    }
}

/// A background task (`spawn_blocking`) that panicked or was cancelled.
impl From<tauri::Error> for CommandError {
    fn from(error: tauri::Error) -> Self {
        CommandError::Internal(format!(
            "a background task failed ({error}); please report this"
        ))
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_kind_and_message() {
        let json =
            serde_json::to_value(CommandError::NotFound("customer 7 not found".into())).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "kind": "not_found", "message": "customer 7 not found" })
        );
        let json = serde_json::to_value(CommandError::NewerDatabase("x".into())).unwrap();
        assert_eq!(json["kind"], "newer_database");
    }

    #[test]
    fn a_refused_value_is_invalid_input_with_its_field() {
        let error: CommandError = DbError::Invalid(FieldError::new("email", "not an email")).into();
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "kind": "invalid_input", "message": "not an email", "field": "email" })
        );
        assert_eq!(error.to_string(), "not an email");
        let json = serde_json::to_value(CommandError::InvalidInput("bad page".into())).unwrap();
        assert!(
            json.get("field").is_none(),
            "only field errors carry a field"
        );
    }

    #[test]
    fn another_customers_record_is_invalid_input_naming_it() {
        let error: CommandError = DbError::OtherCustomer {
            record: "invoice",
            id: 123,
        }
        .into();
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "kind": "invalid_input", "message": "invoice 123 belongs to another customer" })
        );
    }

    #[test]
    fn an_unusable_import_file_is_import_failed() {
        let error: CommandError = ImportError::UnknownFormat {
            file: "notes.csv".into(),
            first_line: "\"hello\"".into(),
        }
        .into();
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["kind"], "import_failed");
        assert!(json["message"].as_str().unwrap().contains("notes.csv"));
        let error: CommandError = ImportError::Db(DbError::NotFound("customer 1".into())).into();
        assert!(matches!(error, CommandError::NotFound(_)));
    }

    #[test]
    fn profile_errors_are_not_found_or_invalid_input() {
        let missing: CommandError = ProfileError::NotFound("Weekly".into()).into();
        assert_eq!(serde_json::to_value(&missing).unwrap()["kind"], "not_found");
        let taken: CommandError = ProfileError::NameTaken("Weekly".into()).into();
        assert_eq!(
            serde_json::to_value(&taken).unwrap()["kind"],
            "invalid_input"
        );
        let bad_file: CommandError = ProfileFileError::BadFile {
            path: "p.json".into(),
            reason: "not JSON".into(),
        }
        .into();
        let json = serde_json::to_value(&bad_file).unwrap();
        assert_eq!(json["kind"], "invalid_input");
        assert!(json["message"]
            .as_str()
            .unwrap()
            .contains("nothing was saved"));
    }

    #[test]
    fn a_newer_schema_is_its_own_kind() {
        let error: CommandError = DbError::NewerSchema {
            path: "/tmp/a.sqlite".into(),
            found: 9,
            supported: 1,
        }
        .into();
        assert!(matches!(error, CommandError::NewerDatabase(ref m) if m.contains("newer Duebook")));
    }
}
