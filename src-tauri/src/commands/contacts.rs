//! A customer's contacts: add, edit, delete. Email and phone are checked by the core; a refused
//! value comes back as `invalid_input` with the field it concerns.

use crate::error::CommandResult;
use crate::state::AppState;
use duebook_core::model::{Contact, ContactInput};
use duebook_core::store::contacts;
use tauri::State;

#[tauri::command]
pub async fn add_contact(
    state: State<'_, AppState>,
    customer_id: i64,
    contact: ContactInput,
) -> CommandResult<Contact> {
    state.write(|conn| contacts::add(conn, customer_id, &contact))
}

#[tauri::command]
pub async fn update_contact(
    state: State<'_, AppState>,
    contact_id: i64,
    contact: ContactInput,
) -> CommandResult<Contact> {
    state.write(|conn| contacts::update(conn, contact_id, &contact))
}

#[tauri::command]
pub async fn delete_contact(state: State<'_, AppState>, contact_id: i64) -> CommandResult<()> {
    state.write(|conn| contacts::delete(conn, contact_id))
}
