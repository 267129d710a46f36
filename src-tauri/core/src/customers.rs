//! Queries on the `customers` table, and the customer list.

use crate::db::{now_timestamp, DbError, DbResult};
use crate::model::{
    customer_name_key, Balance, Channel, Currency, Customer, CustomerListQuery, CustomerPage,
    CustomerRow, CustomerSort, Money, NewCustomer,
};
use crate::search::{fts_query, invoice_number_range};
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::{HashMap, HashSet};

/// The longest name accepted; longer text is almost always a broken import column.
pub const MAX_NAME_CHARS: usize = 255;

pub fn insert(conn: &Connection, new: &NewCustomer) -> DbResult<i64> {
    let now = now_timestamp();
    conn.prepare_cached(
        "INSERT INTO customers (name, name_key, segment, currency, terms_days, preferred_channel,
                                created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![
        new.name,
        customer_name_key(&new.name),
        new.segment,
        new.currency.as_ref().map(Currency::code),
        new.terms_days,
        new.preferred_channel.as_str(),
        now,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The customer whose name matches `name` (trimmed, NFC, case-insensitive).
pub fn find_id_by_name(conn: &Connection, name: &str) -> DbResult<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM customers WHERE name_key = ?1")?
        .query_row([customer_name_key(name)], |r| r.get(0))
        .optional()?)
}

pub fn get(conn: &Connection, id: i64) -> DbResult<Customer> {
    conn.query_row(
        "SELECT id, name, segment, currency, terms_days, preferred_channel, do_not_contact
         FROM customers WHERE id = ?1",
        [id],
        customer_from_row,
    )
    .optional()?
    .ok_or_else(|| DbError::NotFound(format!("customer {id}")))
}

pub fn count(conn: &Connection) -> DbResult<u32> {
    Ok(conn.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?)
}

fn customer_from_row(row: &Row) -> rusqlite::Result<Customer> {
    let currency: Option<String> = row.get(3)?;
    let channel: String = row.get(5)?;
    Ok(Customer {
        id: row.get(0)?,
        name: row.get(1)?,
        segment: row.get(2)?,
        currency: currency.and_then(|c| Currency::parse(&c).ok()),
        terms_days: row.get(4)?,
        preferred_channel: Channel::from_db(&channel),
        do_not_contact: row.get(6)?,
    })
}

/// Up to this many search hits are sorted by SQLite directly; broader searches walk the
/// customers in list order instead and keep the hits, which stays fast when hits are dense.
const DIRECT_SORT_MAX: usize = 2_000;

const COLUMNS: &str = "c.id, c.name, c.segment, c.oldest_open_due, c.last_contact_at";

/// One page of the customer list, filtered by the search text and sorted.
pub fn list(conn: &Connection, query: &CustomerListQuery) -> DbResult<CustomerPage> {
    let order = match query.sort {
        CustomerSort::MostOverdue => "coalesce(c.oldest_open_due, '9999-12-31'), c.name_key",
        CustomerSort::Name => "c.name_key",
    };
    let text = query.search.as_deref().unwrap_or("");
    let (fts, number) = (fts_query(text), invoice_number_range(text));
    if fts.is_none() && number.is_none() {
        let sql = format!("SELECT {COLUMNS} FROM customers c ORDER BY {order} LIMIT ?1 OFFSET ?2");
        let rows = page_rows(conn, &sql, params![query.limit, query.offset], query)?;
        let rows = attach_balances(conn, rows, query.as_of)?;
        return Ok(CustomerPage {
            rows,
            total: count(conn)?,
        });
    }
    let hits = search_hits(conn, fts.as_deref(), number)?;
    let page = page_of_hits(conn, &hits, order, query)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM customers c WHERE c.id IN (SELECT value FROM json_each(?1))
         ORDER BY {order}"
    );
    let rows = page_rows(conn, &sql, [json_ids(&page)], query)?;
    let rows = attach_balances(conn, rows, query.as_of)?;
    Ok(CustomerPage {
        rows,
        total: hits.len() as u32,
    })
}

/// Customers whose name or contacts match the FTS query, and customers with an invoice number
/// in the prefix range.
fn search_hits(
    conn: &Connection,
    fts: Option<&str>,
    number: Option<(String, String)>,
) -> DbResult<HashSet<i64>> {
    let mut hits = HashSet::new();
    if let Some(fts) = fts {
        let mut stmt = conn
            .prepare_cached("SELECT rowid FROM customer_search WHERE customer_search MATCH ?1")?;
        for id in stmt.query_map([fts], |r| r.get(0))? {
            hits.insert(id?);
        }
    }
    if let Some((low, high)) = number {
        let mut stmt = conn.prepare_cached(
            "SELECT customer_id FROM invoices
             WHERE number >= ?1 COLLATE NOCASE AND number < ?2 COLLATE NOCASE",
        )?;
        for id in stmt.query_map([low, high], |r| r.get(0))? {
            hits.insert(id?);
        }
    }
    Ok(hits)
}

/// The ids of the requested page of hits, in list order.
fn page_of_hits(
    conn: &Connection,
    hits: &HashSet<i64>,
    order: &str,
    query: &CustomerListQuery,
) -> DbResult<Vec<i64>> {
    if hits.len() <= DIRECT_SORT_MAX {
        let ids: Vec<i64> = hits.iter().copied().collect();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT c.id FROM customers c WHERE c.id IN (SELECT value FROM json_each(?1))
             ORDER BY {order} LIMIT ?2 OFFSET ?3"
        ))?;
        let ids = stmt.query_map(params![json_ids(&ids), query.limit, query.offset], |r| {
            r.get(0)
        })?;
        return Ok(ids.collect::<Result<_, _>>()?);
    }
    let mut stmt =
        conn.prepare_cached(&format!("SELECT c.id FROM customers c ORDER BY {order}"))?;
    let mut rows = stmt.query([])?;
    let (skip, take) = (query.offset as usize, query.limit as usize);
    let mut seen = 0;
    let mut page = Vec::with_capacity(take);
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        if hits.contains(&id) {
            seen += 1;
            if seen > skip {
                page.push(id);
                if page.len() == take {
                    break;
                }
            }
        }
    }
    Ok(page)
}

fn json_ids(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

fn page_rows(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    query: &CustomerListQuery,
) -> DbResult<Vec<CustomerRow>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, |row| {
        let oldest_due: Option<String> = row.get(3)?;
        let oldest_due_date = oldest_due.and_then(|d| d.parse::<NaiveDate>().ok());
        Ok(CustomerRow {
            id: row.get(0)?,
            name: row.get(1)?,
            segment: row.get(2)?,
            oldest_due_date,
            oldest_days_overdue: oldest_due_date
                .map(|due| (query.as_of - due).num_days())
                .filter(|days| *days > 0),
            last_contact_at: row.get(4)?,
            balances: Vec::new(),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Fills in each row's open and overdue amounts per currency, in two indexed queries.
fn attach_balances(
    conn: &Connection,
    mut rows: Vec<CustomerRow>,
    as_of: NaiveDate,
) -> DbResult<Vec<CustomerRow>> {
    let ids = json_ids(&rows.iter().map(|r| r.id).collect::<Vec<_>>());
    let mut overdue: HashMap<(i64, String), i64> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, currency, SUM(total_minor - paid_minor) FROM invoices
         WHERE status = 'open' AND customer_id IN (SELECT value FROM json_each(?1)) AND due_date < ?2
         GROUP BY customer_id, currency",
    )?;
    for row in stmt.query_map(params![ids, as_of.to_string()], |r| {
        Ok(((r.get(0)?, r.get(1)?), r.get(2)?))
    })? {
        let (key, minor) = row?;
        overdue.insert(key, minor);
    }
    let mut by_customer: HashMap<i64, Vec<Balance>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, currency, open_minor FROM customer_balances
         WHERE customer_id IN (SELECT value FROM json_each(?1)) AND open_minor != 0
         ORDER BY customer_id, open_minor DESC",
    )?;
    for row in stmt.query_map([&ids], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?))
    })? {
        let (customer_id, code, open_minor) = row?;
        let Ok(currency) = Currency::parse(&code) else {
            continue;
        };
        let overdue_minor = overdue.get(&(customer_id, code)).copied().unwrap_or(0);
        by_customer.entry(customer_id).or_default().push(balance(
            open_minor,
            overdue_minor,
            currency,
        ));
    }
    for row in &mut rows {
        row.balances = by_customer.remove(&row.id).unwrap_or_default();
    }
    Ok(rows)
}

fn balance(open_minor: i64, overdue_minor: i64, currency: Currency) -> Balance {
    let open = Money::new(open_minor, currency.clone());
    let overdue = Money::new(overdue_minor, currency);
    Balance {
        open_decimal: open.decimal_string(),
        overdue_decimal: overdue.decimal_string(),
        open,
        overdue,
    }
}
