//! Tauri commands, one module per screen area. Each is async, takes typed arguments, calls
//! `duebook_core` and returns `Result<T, CommandError>`; a value the core refuses comes back as
//! `invalid_input` with the field it concerns.

pub mod about;
pub mod backup_settings;
pub mod backups;
pub mod call_list;
pub mod campaigns;
pub mod company;
pub mod contacts;
pub mod conversation;
pub mod customers;
pub mod database;
pub mod diagnostics;
pub mod export;
pub mod fees;
pub mod first_run;
pub mod import;
pub mod import_mapping;
pub mod import_profiles;
pub mod invoices;
pub mod mail;
pub mod mail_imap;
pub mod mail_preview;
pub mod mail_send;
pub mod mail_sign_in;
pub mod notes;
pub mod plans;
pub mod replies;
pub mod report_views;
pub mod reports;
pub mod settings;
pub mod statements;
pub mod tasks;
pub mod templates;
pub mod timeline;
pub mod watched_folder;

use crate::error::CommandResult;
use chrono::NaiveDate;
use duebook_core::model::validation::FieldError;

/// Runs blocking work (keychain D-Bus round trips that may wait for an unlock prompt, file reads,
/// template checks) off the async runtime's workers.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    tauri::async_runtime::spawn_blocking(work).await?
}

/// A date from a form field (`YYYY-MM-DD`, what `<input type="date">` sends), or a field error.
pub fn parse_date(field: &str, label: &str, text: &str) -> Result<NaiveDate, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(
            field,
            format!("{label} is missing: pick a date"),
        ));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            field,
            format!("{label} {text:?} is not a date (expected YYYY-MM-DD)"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates_from_forms() {
        assert_eq!(
            parse_date("paid_on", "The date", " 2026-03-05 ")
                .unwrap()
                .to_string(),
            "2026-03-05"
        );
        let blank = parse_date("paid_on", "The date", "").unwrap_err();
        assert_eq!(blank.field, "paid_on");
        assert!(blank.message.contains("pick a date"));
        assert!(parse_date("due_date", "The due date", "2026-02-30").is_err());
    }
}
