//! The customer list: one page, searched, filtered and sorted, with balances per currency.
//!
//! Without search or filters a page is read straight from the index of the chosen order. Search
//! and each filter produce a set of customer ids (each from its own small index); the
//! intersection is then either sorted by SQLite (small sets) or picked out while walking the
//! customers in list order (large sets), so every combination stays fast on 100,000 customers.

use crate::model::{
    AgingBucket, Balance, Currency, CustomerFilters, CustomerListQuery, CustomerPage, CustomerRow,
    CustomerSort, Money, Owner, PromiseStatus,
};
use crate::store::{account_owners, customers, disputes, promises};
use crate::store::{json_ids, DbResult};
use crate::views::search::{fts_query, invoice_number_range};
use chrono::{Days, NaiveDate};
use rusqlite::{params, Connection};
use std::collections::HashMap;

/// Up to this many matching customers are sorted by SQLite directly; more are picked out while
/// walking the customers in list order, which is fast when matches are dense.
const DIRECT_SORT_MAX: usize = 2_000;

const COLUMNS: &str = "c.id, c.name, c.segment, c.oldest_open_due, c.last_contact_at,
    c.next_follow_up, c.on_hold, c.on_hold_reason, c.credit_limit_minor, c.credit_limit_currency,
    c.owner_name, c.owner_email";

/// One page of the customer list.
pub fn list(conn: &Connection, query: &CustomerListQuery) -> DbResult<CustomerPage> {
    let order = order_by(query.sort);
    let Some(matches) = matching_ids(conn, query)? else {
        let sql = format!("SELECT {COLUMNS} FROM customers c ORDER BY {order} LIMIT ?1 OFFSET ?2");
        let rows = page_rows(conn, &sql, params![query.limit, query.offset], query.as_of)?;
        return Ok(CustomerPage {
            rows: attach_balances(conn, rows, query.as_of)?,
            total: customers::count(conn)?,
        });
    };
    let page = page_of(conn, &matches, order, query)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM customers c WHERE c.id IN (SELECT value FROM json_each(?1))
         ORDER BY {order}"
    );
    let rows = page_rows(conn, &sql, [json_ids(&page)], query.as_of)?;
    Ok(CustomerPage {
        rows: attach_balances(conn, rows, query.as_of)?,
        total: matches.len() as u32,
    })
}

/// Every customer the query matches, in list order (for CSV export of the current view).
pub fn all_ids(conn: &Connection, query: &CustomerListQuery) -> DbResult<Vec<i64>> {
    let order = order_by(query.sort);
    let matches = matching_ids(conn, query)?;
    let mut stmt =
        conn.prepare_cached(&format!("SELECT c.id FROM customers c ORDER BY {order}"))?;
    let ids = stmt.query_map([], |r| r.get::<_, i64>(0))?;
    let mut out = Vec::new();
    for id in ids {
        let id = id?;
        if matches.as_ref().is_none_or(|m| m.contains(id)) {
            out.push(id);
        }
    }
    Ok(out)
}

/// Rows for these customers (in the given order), with balances.
pub fn rows_for(conn: &Connection, ids: &[i64], as_of: NaiveDate) -> DbResult<Vec<CustomerRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM customers c WHERE c.id IN (SELECT value FROM json_each(?1))"
    );
    let rows = page_rows(conn, &sql, [json_ids(ids)], as_of)?;
    let mut by_id: HashMap<i64, CustomerRow> = attach_balances(conn, rows, as_of)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

fn order_by(sort: CustomerSort) -> &'static str {
    // Each matches an index in the schema exactly, so SQLite reads pages without sorting.
    match sort {
        CustomerSort::MostOverdue => "coalesce(c.oldest_open_due, '9999-12-31'), c.name_key",
        CustomerSort::Balance => "c.open_sort_key DESC, c.name_key",
        CustomerSort::Name => "c.name_key",
        CustomerSort::LastContact => "coalesce(c.last_contact_at, ''), c.name_key",
        CustomerSort::NextFollowUp => "coalesce(c.next_follow_up, '9999-12-31'), c.name_key",
    }
}

/// The ids matching the search and filters, or None when neither narrows the list.
fn matching_ids(conn: &Connection, query: &CustomerListQuery) -> DbResult<Option<IdSet>> {
    let mut sets = filter_sets(conn, &query.filters, query.as_of)?;
    let text = query.search.as_deref().unwrap_or("");
    let (fts, number) = (fts_query(text), invoice_number_range(text));
    if fts.is_some() || number.is_some() {
        sets.push(search_hits(conn, fts.as_deref(), number)?);
    }
    // Intersect starting from the smallest set.
    sets.sort_by_key(IdSet::len);
    let mut sets = sets.into_iter();
    let Some(mut result) = sets.next() else {
        return Ok(None);
    };
    for set in sets {
        result.0.retain(|id| set.contains(*id));
    }
    Ok(Some(result))
}

fn filter_sets(conn: &Connection, f: &CustomerFilters, as_of: NaiveDate) -> DbResult<Vec<IdSet>> {
    let mut sets = Vec::new();
    if let Some(bucket) = f.aging_bucket {
        let (from, to) = bucket_due_range(bucket, as_of);
        sets.push(ids(
            conn,
            "SELECT id FROM customers WHERE coalesce(oldest_open_due, '9999-12-31') BETWEEN ?1 AND ?2",
            &[&from, &to],
        )?);
    }
    if let Some(currency) = &f.currency {
        sets.push(ids(
            conn,
            "SELECT customer_id FROM customer_balances WHERE currency = ?1 AND open_minor != 0",
            &[&currency.to_ascii_uppercase()],
        )?);
    }
    if let Some(segment) = &f.segment {
        sets.push(ids(
            conn,
            "SELECT id FROM customers WHERE segment = ?1",
            &[segment],
        )?);
    }
    if let Some(owner) = &f.owner {
        sets.push(account_owners::ids_of(conn, owner)?.into());
    }
    if let Some(tag) = &f.tag {
        sets.push(ids(
            conn,
            "SELECT customer_id FROM customer_tags WHERE tag = ?1",
            &[tag],
        )?);
    }
    if f.open_promise {
        sets.push(promises::customers_with(conn, PromiseStatus::Pending, as_of)?.into());
    }
    if f.broken_promise {
        sets.push(promises::customers_with(conn, PromiseStatus::Broken, as_of)?.into());
    }
    if f.disputed {
        sets.push(disputes::disputed_customers(conn)?.into());
    }
    if f.do_not_contact {
        sets.push(ids(
            conn,
            "SELECT id FROM customers WHERE do_not_contact = 1",
            &[],
        )?);
    }
    if f.no_email {
        sets.push(ids(
            conn,
            "SELECT id FROM customers WHERE has_email = 0",
            &[],
        )?);
    }
    Ok(sets)
}

/// The due dates whose age on `as_of` falls in the bucket (inclusive bounds).
fn bucket_due_range(bucket: AgingBucket, as_of: NaiveDate) -> (String, String) {
    let ago = |days: u64| {
        as_of
            .checked_sub_days(Days::new(days))
            .unwrap_or(NaiveDate::MIN)
            .to_string()
    };
    match bucket {
        AgingBucket::Current => (as_of.to_string(), "9999-12-30".to_string()),
        AgingBucket::Days1To30 => (ago(30), ago(1)),
        AgingBucket::Days31To60 => (ago(60), ago(31)),
        AgingBucket::Days61To90 => (ago(90), ago(61)),
        AgingBucket::Over90 => ("0000-01-01".to_string(), ago(91)),
    }
}

fn ids(conn: &Connection, sql: &str, params: &[&dyn rusqlite::ToSql]) -> DbResult<IdSet> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, |r| r.get(0))?;
    Ok(IdSet::from(rows.collect::<Result<Vec<i64>, _>>()?))
}

/// Customer ids, sorted and unique. FTS and index scans deliver ids mostly in order, so
/// building one is nearly free, and membership is a binary search — cheaper than hashing
/// tens of thousands of ids for a two-letter search.
struct IdSet(Vec<i64>);

impl IdSet {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn contains(&self, id: i64) -> bool {
        self.0.binary_search(&id).is_ok()
    }

    fn union(mut self, other: IdSet) -> IdSet {
        self.0.extend(other.0);
        IdSet::from(self.0)
    }
}

impl From<Vec<i64>> for IdSet {
    fn from(mut ids: Vec<i64>) -> Self {
        ids.sort_unstable();
        ids.dedup();
        IdSet(ids)
    }
}

/// Customers whose name or contacts match the FTS query, and customers with an invoice number
/// in the prefix range.
fn search_hits(
    conn: &Connection,
    fts: Option<&str>,
    number: Option<(String, String)>,
) -> DbResult<IdSet> {
    let mut hits = IdSet(Vec::new());
    if let Some(fts) = fts {
        hits = ids(
            conn,
            "SELECT rowid FROM customer_search WHERE customer_search MATCH ?1",
            &[&fts],
        )?;
    }
    if let Some((low, high)) = number {
        let by_number = ids(
            conn,
            "SELECT customer_id FROM invoices
             WHERE number >= ?1 COLLATE NOCASE AND number < ?2 COLLATE NOCASE",
            &[&low, &high],
        )?;
        hits = hits.union(by_number);
    }
    Ok(hits)
}

/// The ids of the requested page of matches, in list order.
fn page_of(
    conn: &Connection,
    matches: &IdSet,
    order: &str,
    query: &CustomerListQuery,
) -> DbResult<Vec<i64>> {
    if matches.len() <= DIRECT_SORT_MAX {
        let ids = &matches.0;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT c.id FROM customers c WHERE c.id IN (SELECT value FROM json_each(?1))
             ORDER BY {order} LIMIT ?2 OFFSET ?3"
        ))?;
        let ids = stmt.query_map(params![json_ids(ids), query.limit, query.offset], |r| {
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
        if matches.contains(id) {
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

fn page_rows(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    as_of: NaiveDate,
) -> DbResult<Vec<CustomerRow>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, |row| {
        let oldest_due: Option<NaiveDate> = row.get(3)?;
        Ok(CustomerRow {
            id: row.get(0)?,
            name: row.get(1)?,
            segment: row.get(2)?,
            oldest_due_date: oldest_due,
            oldest_days_overdue: oldest_due
                .map(|due| (as_of - due).num_days())
                .filter(|days| *days > 0),
            last_contact_at: row.get(4)?,
            next_follow_up: row.get(5)?,
            on_hold: match row.get::<_, bool>(6)? {
                true => Some(row.get::<_, Option<String>>(7)?.unwrap_or_default()),
                false => None,
            },
            credit_limit: match (
                row.get::<_, Option<i64>>(8)?,
                row.get::<_, Option<String>>(9)?,
            ) {
                (Some(minor), Some(code)) => {
                    Currency::parse(&code).ok().map(|c| Money::new(minor, c))
                }
                _ => None,
            },
            owner: Owner::from_columns(row.get(10)?, row.get(11)?).map(|o| o.display()),
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
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut by_customer = balances(conn, &ids, as_of)?;
    for row in &mut rows {
        row.balances = by_customer.remove(&row.id).unwrap_or_default();
    }
    Ok(rows)
}

/// Open and overdue amounts per currency for these customers, largest first.
pub fn balances(
    conn: &Connection,
    customer_ids: &[i64],
    as_of: NaiveDate,
) -> DbResult<HashMap<i64, Vec<Balance>>> {
    let ids = json_ids(customer_ids);
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
    Ok(by_customer)
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
