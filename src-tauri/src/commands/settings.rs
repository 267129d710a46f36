//! Settings kept in the database: the theme, the customer list's sort and filters, and where
//! the window was (view and customer).

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use duebook_core::model::{CustomerFilters, CustomerSort};
use duebook_core::store::settings::{self, Theme};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

/// How the customer list is sorted and filtered; restored at the next launch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct ListView {
    pub sort: CustomerSort,
    pub filters: CustomerFilters,
}

/// Where the window was on this file: its main view ("customers", "today", ...; the window
/// ignores one it does not know) and the customer open. Restored at the next start.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct LastPlace {
    pub view: String,
    pub customer_id: Option<i64>,
}

/// The theme setting (System when none is saved, or no database is open).
#[tauri::command]
pub async fn get_theme(state: State<'_, AppState>) -> CommandResult<Theme> {
    match state.with_db(|db| Ok(settings::theme(db.conn())?)) {
        Err(CommandError::NoDatabase(_)) => Ok(Theme::System),
        other => other,
    }
}

#[tauri::command]
pub async fn set_theme(state: State<'_, AppState>, theme: Theme) -> CommandResult<()> {
    state.write(|conn| settings::set_theme(conn, theme))
}

/// The saved sort and filters; the default view when none is saved or the saved one is from an
/// older or newer version and no longer reads.
#[tauri::command]
pub async fn get_list_view(state: State<'_, AppState>) -> CommandResult<ListView> {
    read_json(&state, settings::LIST_VIEW)
}

#[tauri::command]
pub async fn set_list_view(state: State<'_, AppState>, view: ListView) -> CommandResult<()> {
    write_json(&state, settings::LIST_VIEW, &view)
}

/// The place saved for this file; the default (nothing to restore) when none is saved or it no
/// longer reads.
#[tauri::command]
pub async fn get_last_place(state: State<'_, AppState>) -> CommandResult<LastPlace> {
    read_json(&state, settings::LAST_PLACE)
}

#[tauri::command]
pub async fn set_last_place(state: State<'_, AppState>, place: LastPlace) -> CommandResult<()> {
    write_json(&state, settings::LAST_PLACE, &place)
}

/// The setting `key` as JSON; the default when none is saved or the saved one is from an older
/// or newer version and no longer reads.
fn read_json<T: DeserializeOwned + Default>(state: &AppState, key: &str) -> CommandResult<T> {
    state.with_db(|db| {
        Ok(settings::get(db.conn(), key)?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default())
    })
}

fn write_json<T: Serialize>(state: &AppState, key: &str, value: &T) -> CommandResult<()> {
    let json = serde_json::to_string(value)
        .map_err(|e| CommandError::Internal(format!("cannot save {key}: {e}")))?;
    state.write(|conn| settings::set(conn, key, &json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_place_reads_back_and_a_partial_one_has_defaults() {
        let place = LastPlace {
            view: "today".into(),
            customer_id: Some(42),
        };
        let json = serde_json::to_string(&place).unwrap();
        assert_eq!(serde_json::from_str::<LastPlace>(&json).unwrap(), place);
        let older: LastPlace = serde_json::from_str(r#"{"view":"reports","later":1}"#).unwrap();
        assert_eq!((older.view.as_str(), older.customer_id), ("reports", None));
    }

    #[test]
    fn a_saved_view_reads_back_and_unknown_fields_are_ignored() {
        let view = ListView {
            sort: CustomerSort::Balance,
            filters: CustomerFilters {
                disputed: true,
                currency: Some("EUR".into()),
                ..Default::default()
            },
        };
        let json = serde_json::to_string(&view).unwrap();
        assert_eq!(serde_json::from_str::<ListView>(&json).unwrap(), view);
        let older: ListView = serde_json::from_str(r#"{"sort":"name","later":1}"#).unwrap();
        assert_eq!(older.sort, CustomerSort::Name);
        assert!(serde_json::from_str::<ListView>(r#"{"sort":"nonsense"}"#).is_err());
    }
}
