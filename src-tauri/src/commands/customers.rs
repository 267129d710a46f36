//! The customer list (one page at a time, with why each row matched the search) and the customer
//! screen: the detail, edits to the customer's own fields, and the choices the filters offer.

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::model::{
    Customer, CustomerEdit, CustomerFilters, CustomerListQuery, CustomerRow, CustomerSort, Owner,
};
use duebook_core::store::{account_owners, customers};
use duebook_core::views::customer_list;
use duebook_core::views::detail::{self, CustomerDetail};
use duebook_core::views::owner_assign::{self, OwnerAssignment};
use duebook_core::views::search_match::{self, SearchMatch};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

/// The most rows one call may ask for; the list pages.
pub const MAX_PAGE: u32 = 500;

/// One page of the list; `matches` is empty without a search.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CustomerListPage {
    pub rows: Vec<CustomerRow>,
    /// Customers matching the search and filters (all pages).
    pub total: u32,
    pub matches: Vec<SearchMatch>,
}

/// What the list's filter menus offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ListFacets {
    pub tags: Vec<String>,
    pub segments: Vec<String>,
    /// Account owners in use, as `Name <email>`.
    pub owners: Vec<String>,
    /// Currencies with open invoices.
    pub currencies: Vec<String>,
}

/// The query the list and its CSV export share.
pub fn list_query(
    search: Option<String>,
    sort: Option<CustomerSort>,
    filters: Option<CustomerFilters>,
    offset: u32,
    limit: u32,
) -> CustomerListQuery {
    CustomerListQuery {
        search: search.filter(|s| !s.trim().is_empty()),
        sort: sort.unwrap_or_default(),
        filters: filters.unwrap_or_default(),
        limit,
        offset,
        as_of: SystemClock.today(),
    }
}

/// One page of the customer list, filtered by `search` (names, contacts, invoice numbers) and
/// `filters`, in the order `sort`.
#[tauri::command]
pub async fn list_customers(
    state: State<'_, AppState>,
    search: Option<String>,
    sort: Option<CustomerSort>,
    filters: Option<CustomerFilters>,
    offset: u32,
    limit: u32,
) -> CommandResult<CustomerListPage> {
    if limit == 0 || limit > MAX_PAGE {
        return Err(CommandError::InvalidInput(format!(
            "a page holds 1 to {MAX_PAGE} customers, not {limit}"
        )));
    }
    let query = list_query(search, sort, filters, offset, limit);
    state.with_db(|db| {
        let page = customer_list::list(db.conn(), &query)?;
        let matches = match &query.search {
            Some(search) => search_match::explain(db.conn(), &page.rows, search, query.as_of)?,
            None => Vec::new(),
        };
        Ok(CustomerListPage {
            rows: page.rows,
            total: page.total,
            matches,
        })
    })
}

/// Everything the customer screen shows: the customer, balances, contacts, invoices (open ones
/// first, days overdue as of today), notes, tasks, promises and disputes.
#[tauri::command]
pub async fn customer_detail(
    state: State<'_, AppState>,
    customer_id: i64,
) -> CommandResult<CustomerDetail> {
    let as_of = SystemClock.today();
    state.with_db(|db| Ok(detail::customer_detail(db.conn(), customer_id, as_of)?))
}

/// Saves one change to the customer (name, segment, terms, channel, do-not-contact, tags, a
/// custom field) and returns the customer as saved.
#[tauri::command]
pub async fn edit_customer(
    state: State<'_, AppState>,
    customer_id: i64,
    edit: CustomerEdit,
) -> CommandResult<Customer> {
    state.write(|conn| customers::edit(conn, customer_id, &edit))
}

/// The account owner holds the customer's reminders, for a reason the campaign plans show.
#[tauri::command]
pub async fn hold_for_owner(
    state: State<'_, AppState>,
    customer_id: i64,
    reason: String,
) -> CommandResult<()> {
    state.write(|conn| account_owners::hold(conn, customer_id, &reason))
}

/// Ends the owner's hold: reminders may go out again.
#[tauri::command]
pub async fn release_owner_hold(state: State<'_, AppState>, customer_id: i64) -> CommandResult<()> {
    state.write(|conn| account_owners::release(conn, customer_id))
}

/// "Assign owner…" on the list, before the click: how many customers the list as searched and
/// filtered holds, and how many of them `owner` (`Name <email>`, an email or a name; blank: no
/// owner) would change. A refused owner is a field error on `owner`.
#[tauri::command]
pub async fn preview_list_owner(
    state: State<'_, AppState>,
    search: Option<String>,
    filters: Option<CustomerFilters>,
    owner: String,
) -> CommandResult<OwnerAssignment> {
    let owner = Owner::parse("owner", &owner)?;
    let query = list_query(search, None, filters, 0, u32::MAX);
    state.with_db(|db| Ok(owner_assign::preview(db.conn(), &query, owner.as_ref())?))
}

/// "Assign owner…" on the list: gives every customer the list's search and filters match (all
/// pages, read in the same transaction as the write) `owner`; returns how many changed.
#[tauri::command]
pub async fn assign_list_owner(
    state: State<'_, AppState>,
    search: Option<String>,
    filters: Option<CustomerFilters>,
    owner: String,
) -> CommandResult<u32> {
    let owner = Owner::parse("owner", &owner)?;
    let query = list_query(search, None, filters, 0, u32::MAX);
    let changed = state.write(|conn| owner_assign::assign(conn, &query, owner.as_ref()))?;
    Ok(u32::try_from(changed).unwrap_or(u32::MAX))
}

/// The tags, segments and currencies the filters offer.
#[tauri::command]
pub async fn list_facets(state: State<'_, AppState>) -> CommandResult<ListFacets> {
    state.with_db(|db| {
        let conn = db.conn();
        Ok(ListFacets {
            tags: customers::all_tags(conn)?,
            segments: customers::all_segments(conn)?,
            owners: account_owners::all(conn)?
                .iter()
                .map(Owner::display)
                .collect(),
            currencies: customers::currencies_in_use(conn)?,
        })
    })
}
