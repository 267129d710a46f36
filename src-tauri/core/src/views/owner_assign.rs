//! "Assign owner…" on the customer list: one owner for every customer the list's search and
//! filters match (all pages), counted first so the dialog can say how many it will change, then
//! written in the caller's one transaction through [`customers::set_owner`].

use crate::model::{CustomerListQuery, Owner};
use crate::store::{customers, json_ids, DbResult};
use crate::views::customer_list;
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

/// What giving the list one owner would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OwnerAssignment {
    /// Customers the list matches (all pages).
    pub matched: u32,
    /// Of those, the customers whose owner is not already this one.
    pub changing: u32,
}

/// How many customers `query` matches and how many of them `owner` (`None`: no owner) would change.
pub fn preview(
    conn: &Connection,
    query: &CustomerListQuery,
    owner: Option<&Owner>,
) -> DbResult<OwnerAssignment> {
    let ids = customer_list::all_ids(conn, query)?;
    let (name, email) = Owner::columns(owner);
    let kept: u32 = conn
        .prepare_cached(
            "SELECT count(*) FROM customers WHERE id IN (SELECT value FROM json_each(?1))
             AND owner_name IS ?2 AND owner_email IS ?3",
        )?
        .query_row((json_ids(&ids), name, email), |r| r.get(0))?;
    let matched = u32::try_from(ids.len()).unwrap_or(u32::MAX);
    Ok(OwnerAssignment {
        matched,
        changing: matched.saturating_sub(kept),
    })
}

/// Gives every customer `query` matches `owner` (`None` removes it), each change in their
/// timeline; returns how many changed. Run it inside one transaction (`Database::write`).
pub fn assign(
    conn: &Connection,
    query: &CustomerListQuery,
    owner: Option<&Owner>,
) -> DbResult<usize> {
    let ids = customer_list::all_ids(conn, query)?;
    customers::set_owner(conn, &ids, owner)
}
