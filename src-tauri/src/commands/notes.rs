//! Notes on a customer: add, edit, pin, delete (the window asks for confirmation first).

use crate::error::CommandResult;
use crate::state::AppState;
use duebook_core::model::Note;
use duebook_core::store::notes;
use tauri::State;

/// Saves a new note and returns it.
#[tauri::command]
pub async fn add_note(
    state: State<'_, AppState>,
    customer_id: i64,
    body: String,
) -> CommandResult<Note> {
    state.write(|conn| {
        let id = notes::add(conn, customer_id, &body)?;
        notes::get(conn, id)
    })
}

#[tauri::command]
pub async fn edit_note(
    state: State<'_, AppState>,
    note_id: i64,
    body: String,
) -> CommandResult<Note> {
    state.write(|conn| notes::edit(conn, note_id, &body))
}

#[tauri::command]
pub async fn set_note_pinned(
    state: State<'_, AppState>,
    note_id: i64,
    pinned: bool,
) -> CommandResult<Note> {
    state.write(|conn| notes::set_pinned(conn, note_id, pinned))
}

#[tauri::command]
pub async fn delete_note(state: State<'_, AppState>, note_id: i64) -> CommandResult<()> {
    state.write(|conn| notes::delete(conn, note_id))
}
