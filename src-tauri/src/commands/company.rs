//! Settings → Company: the profile reminders and statements are signed with, and its logo.

use super::blocking;
use crate::dialogs;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::test_hooks::Dialog;
use duebook_core::company::{self, CompanyError, CompanyLogo, CompanyProfile};
use tauri::Window;

impl From<CompanyError> for CommandError {
    fn from(error: CompanyError) -> Self {
        match error {
            CompanyError::Db(e) => e.into(),
            e => CommandError::InvalidInput(e.to_string()),
        }
    }
}

/// Settings → Company.
#[tauri::command]
pub async fn company_profile(state: tauri::State<'_, AppState>) -> CommandResult<CompanyProfile> {
    state.with_db(|db| Ok(company::load(db.conn())?))
}

#[tauri::command]
pub async fn save_company_profile(
    state: tauri::State<'_, AppState>,
    profile: CompanyProfile,
) -> CommandResult<CompanyProfile> {
    state.with_db(|db| Ok(company::save(db.conn(), &profile)?))
}

/// "Choose logo…": a PNG or JPEG picked with the native dialog, checked and read (the profile
/// keeps the image itself; it is stored when the profile is saved). None when cancelled.
#[tauri::command]
pub async fn choose_company_logo(window: Window) -> CommandResult<Option<CompanyLogo>> {
    let picked = dialogs::open_path(
        &window,
        Dialog::Logo,
        dialogs::OpenDialog {
            title: "Choose your logo",
            filter_name: "PNG or JPEG image",
            extensions: &["png", "PNG", "jpg", "JPG", "jpeg", "JPEG"],
        },
    )
    .await;
    let Some(path) = picked else {
        return Ok(None);
    };
    blocking(move || Ok(Some(company::read_logo(&path)?))).await
}
