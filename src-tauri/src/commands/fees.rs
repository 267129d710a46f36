//! Settings → Late fees: the statutory rate (a reference rate such as the Bank of England base
//! rate or the ECB's, plus points) that campaigns charging "the statutory rate" use. It is the
//! user's to keep current: Duebook fetches no rates.

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use duebook_core::campaign::fees::{self, FeeError, StatutoryRate};
use duebook_core::model::validation::FieldError;
use tauri::State;

/// The rate set, or None before it is.
#[tauri::command]
pub async fn statutory_rate(state: State<'_, AppState>) -> CommandResult<Option<StatutoryRate>> {
    state.with_db(|db| Ok(fees::statutory_rate(db.conn())?))
}

/// Sets the rate from the two percentages as typed ("4.25", "8"); a refused one is named by its
/// field and nothing changes.
#[tauri::command]
pub async fn save_statutory_rate(
    state: State<'_, AppState>,
    reference: String,
    points: String,
) -> CommandResult<StatutoryRate> {
    let rate = StatutoryRate {
        reference_basis_points: percent("reference", "The reference rate", &reference)?,
        points_basis_points: percent("points", "The points", &points)?,
    };
    state.with_db(|db| {
        fees::set_statutory_rate(db.conn(), rate)
            .map_err(|e| CommandError::InvalidInput(e.to_string()))
    })?;
    Ok(rate)
}

/// Hundredths of a percent, or the field's error: within 0 to the largest rate a campaign takes.
fn percent(field: &str, label: &str, text: &str) -> CommandResult<i64> {
    let refused =
        |e: FeeError| CommandError::InvalidField(FieldError::new(field, format!("{label}: {e}")));
    let basis_points = fees::parse_percent(text).map_err(refused)?;
    if basis_points > fees::MAX_RATE_BASIS_POINTS {
        let most = fees::MAX_RATE_BASIS_POINTS / 100;
        let message = format!("{label} is a percentage from 0 to {most}");
        return Err(CommandError::InvalidField(FieldError::new(field, message)));
    }
    Ok(basis_points)
}
