//! The customer list and the panel of the selected customer.

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::customer_list;
use duebook_core::detail::{self, CustomerDetail};
use duebook_core::model::{CustomerFilters, CustomerListQuery, CustomerPage, CustomerSort};
use tauri::State;

/// The most rows one call may ask for; the list pages.
pub const MAX_PAGE: u32 = 500;

/// One page of the customer list, filtered by `search` (names, contacts, invoice numbers).
#[tauri::command]
pub async fn list_customers(
    state: State<'_, AppState>,
    search: Option<String>,
    sort: Option<CustomerSort>,
    filters: Option<CustomerFilters>,
    offset: u32,
    limit: u32,
) -> CommandResult<CustomerPage> {
    if limit == 0 || limit > MAX_PAGE {
        return Err(CommandError::InvalidInput(format!(
            "a page holds 1 to {MAX_PAGE} customers, not {limit}"
        )));
    }
    let query = CustomerListQuery {
        search: search.filter(|s| !s.trim().is_empty()),
        sort: sort.unwrap_or_default(),
        filters: filters.unwrap_or_default(),
        limit,
        offset,
        as_of: SystemClock.today(),
    };
    state.with_db(|db| Ok(customer_list::list(db.conn(), &query)?))
}

/// Everything the customer panel shows: the customer, contacts, invoices (open ones first, days
/// overdue as of today) and recent notes.
#[tauri::command]
pub async fn customer_detail(
    state: State<'_, AppState>,
    customer_id: i64,
) -> CommandResult<CustomerDetail> {
    let as_of = SystemClock.today();
    state.with_db(|db| Ok(detail::customer_detail(db.conn(), customer_id, as_of)?))
}
