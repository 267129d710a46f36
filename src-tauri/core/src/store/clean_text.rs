//! Migration 9's data step: single-line text stored before every way in cleaned it (customer
//! names and segments, contact fields, task titles, campaign names) is cleaned now with
//! [`clean_line`] — Unicode work SQL cannot do, so it runs in Rust inside the migration's
//! transaction.
//!
//! Customer names are unique (by `name_key`): a cleaned name that another customer already has
//! gets the customer's number added ("Acme Ltd (#12)"), so nothing is merged behind the user's
//! back and the upgrade never fails on it.

use crate::model::customer_name_key;
use crate::model::text::{clean_line, is_clean_line};
use rusqlite::{params, Connection, OptionalExtension};

/// How many rows the cleaning changed, per kind.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Cleaned {
    pub customers: usize,
    /// Of those, the ones whose cleaned name was taken and got their number added.
    pub renamed: usize,
    pub contacts: usize,
    pub tasks: usize,
    pub campaigns: usize,
}

impl Cleaned {
    fn total(&self) -> usize {
        self.customers + self.contacts + self.tasks + self.campaigns
    }

    /// What the user is told, or None when nothing changed.
    pub fn notice(&self) -> Option<String> {
        if self.total() == 0 {
            return None;
        }
        let mut notice = format!(
            "Database upgrade: line breaks and other control characters were cleaned out of {} record(s) ({} customer(s), {} contact(s), {} task(s), {} campaign(s)).",
            self.total(),
            self.customers,
            self.contacts,
            self.tasks,
            self.campaigns
        );
        if self.renamed > 0 {
            notice.push_str(&format!(
                " {} customer(s) had a cleaned name another customer already has and got their number added, e.g. \"Acme Ltd (#12)\".",
                self.renamed
            ));
        }
        Some(notice)
    }
}

/// The data step: cleans every table and returns the notice for the user (None: nothing to do).
pub(super) fn run(conn: &Connection) -> rusqlite::Result<Option<String>> {
    let (customers, renamed, mut touched) = clean_customers(conn)?;
    let (contacts, contact_customers) = clean_contacts(conn)?;
    touched.extend(contact_customers);
    touched.sort_unstable();
    touched.dedup();
    // Names and contacts feed the search index and the has-email flag.
    // (It fails with SQLite errors only; anything else is passed on boxed.)
    crate::store::derived::refresh_customers(conn, &touched).map_err(|e| match e {
        super::DbError::Sqlite(e) => e,
        other => rusqlite::Error::ToSqlConversionFailure(Box::new(other)),
    })?;
    let cleaned = Cleaned {
        customers,
        renamed,
        contacts,
        tasks: clean_column(conn, "tasks", "title", "Task")?,
        campaigns: clean_column(conn, "campaigns", "name", "Campaign")?,
    };
    Ok(cleaned.notice())
}

/// Returns (customers changed, of those renamed to stay unique, their ids).
fn clean_customers(conn: &Connection) -> rusqlite::Result<(usize, usize, Vec<i64>)> {
    let rows: Vec<(i64, String, Option<String>)> = conn
        .prepare("SELECT id, name, segment FROM customers ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let (mut renamed, mut changed) = (0, Vec::new());
    for (id, name, segment) in rows {
        let segment_clean = segment.as_deref().is_none_or(is_clean_line);
        if is_clean_line(&name) && segment_clean {
            continue;
        }
        let (name, was_taken) = unique_name(conn, id, &name)?;
        renamed += usize::from(was_taken);
        conn.execute(
            "UPDATE customers SET name = ?2, name_key = ?3, segment = ?4 WHERE id = ?1",
            params![
                id,
                name,
                customer_name_key(&name),
                cleaned(segment.as_deref())
            ],
        )?;
        changed.push(id);
    }
    Ok((changed.len(), renamed, changed))
}

/// `name` cleaned, with the customer's number added while another customer has it; and
/// whether the number was needed.
fn unique_name(conn: &Connection, id: i64, name: &str) -> rusqlite::Result<(String, bool)> {
    let base = Some(clean_line(name))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("Customer {id}"));
    let taken = |candidate: &str| -> rusqlite::Result<bool> {
        Ok(conn
            .query_row(
                "SELECT id FROM customers WHERE name_key = ?1 AND id != ?2",
                params![customer_name_key(candidate), id],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .is_some())
    };
    if !taken(&base)? {
        return Ok((base, false));
    }
    let mut candidate = format!("{base} (#{id})");
    let mut n = 2;
    while taken(&candidate)? {
        candidate = format!("{base} (#{id}-{n})");
        n += 1;
    }
    Ok((candidate, true))
}

/// None for nothing, or for what is left of blank text after cleaning.
fn cleaned(text: Option<&str>) -> Option<String> {
    text.map(clean_line).filter(|t| !t.is_empty())
}

/// Returns (contacts changed, their customers).
fn clean_contacts(conn: &Connection) -> rusqlite::Result<(usize, Vec<i64>)> {
    type Row = (i64, i64, [Option<String>; 4]);
    let rows: Vec<Row> = conn
        .prepare("SELECT id, customer_id, name, email, phone, role FROM contacts ORDER BY id")?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?],
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut customers = Vec::new();
    for (id, customer_id, fields) in rows {
        let clean = fields.clone().map(|f| cleaned(f.as_deref()));
        if clean == fields {
            continue;
        }
        let [name, email, phone, role] = clean;
        conn.execute(
            "UPDATE contacts SET name = ?2, email = ?3, phone = ?4, role = ?5 WHERE id = ?1",
            params![id, name, email, phone, role],
        )?;
        customers.push(customer_id);
    }
    Ok((customers.len(), customers))
}

/// Cleans the NOT NULL text `column` of `table` (both literals of this module); text with
/// nothing left becomes `blank`. Returns how many rows changed.
fn clean_column(
    conn: &Connection,
    table: &str,
    column: &str,
    blank: &str,
) -> rusqlite::Result<usize> {
    let rows: Vec<(i64, String)> = conn
        .prepare(&format!("SELECT id, {column} FROM {table}"))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut update = conn.prepare(&format!("UPDATE {table} SET {column} = ?2 WHERE id = ?1"))?;
    let mut changed = 0;
    for (id, text) in rows.into_iter().filter(|(_, t)| !is_clean_line(t)) {
        let clean = Some(clean_line(&text))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| blank.to_string());
        update.execute(params![id, clean])?;
        changed += 1;
    }
    Ok(changed)
}
