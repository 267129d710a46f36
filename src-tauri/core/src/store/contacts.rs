//! Queries on the `contacts` table.

use crate::model::text::clean_line;
use crate::model::validation::{self, optional_text, FieldError};
use crate::model::{Contact, ContactInput, NewContact};
use crate::store::derived;
use crate::store::{self, now_timestamp, DbResult};
use rusqlite::{params, Connection, OptionalExtension};

/// Stores a contact as given (imports and the demo come this way), each field cleaned into one
/// line; the edit screen goes through [`add`] and [`update`], which also validate.
pub fn insert(conn: &Connection, customer_id: i64, new: &NewContact) -> DbResult<i64> {
    let clean = |field: &Option<String>| field.as_deref().map(clean_line).filter(|f| !f.is_empty());
    conn.prepare_cached(
        "INSERT INTO contacts (customer_id, name, email, phone, role, is_billing, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![
        customer_id,
        clean(&new.name),
        clean(&new.email),
        clean(&new.phone),
        clean(&new.role),
        new.is_billing,
        now_timestamp()
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn for_customer(conn: &Connection, customer_id: i64) -> DbResult<Vec<Contact>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, customer_id, name, email, phone, role, is_billing, {BOUNCED} FROM contacts
             WHERE customer_id = ?1 ORDER BY is_billing DESC, id"
    ))?;
    let rows = stmt.query_map([customer_id], contact_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether the customer already has a contact with this email (case-insensitive).
pub fn has_email(conn: &Connection, customer_id: i64, email: &str) -> DbResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM contacts WHERE customer_id = ?1 AND lower(email) = lower(?2))",
        )?
        .query_row(params![customer_id, email], |r| r.get(0))?)
}

/// The customer's contact with this email (case-insensitive), if any. Imports merge into it.
pub fn find_by_email(conn: &Connection, customer_id: i64, email: &str) -> DbResult<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM contacts WHERE customer_id = ?1 AND lower(email) = lower(?2) LIMIT 1",
        )?
        .query_row(params![customer_id, clean_line(email)], |r| r.get(0))
        .optional()?)
}

/// The customers with a contact at exactly this address (case-insensitive), at most two: enough
/// to tell one customer from several. An inbound message's sender is matched this way.
pub fn customers_with_email(conn: &Connection, email: &str) -> DbResult<Vec<i64>> {
    // `lower(email)` and `email IS NOT NULL` as in the index contacts_email (migration 15).
    customer_ids(
        conn,
        "SELECT DISTINCT customer_id FROM contacts
         WHERE lower(email) = lower(?1) AND email IS NOT NULL LIMIT 2",
        &clean_line(email),
    )
}

/// The customers with a contact at `domain` (lower-case, e.g. "acme.example"), at most two.
pub fn customers_at_domain(conn: &Connection, domain: &str) -> DbResult<Vec<i64>> {
    // The expression of the index contacts_email_domain (migration 15).
    customer_ids(
        conn,
        "SELECT DISTINCT customer_id FROM contacts
         WHERE lower(substr(email, instr(email, '@') + 1)) = ?1 AND email IS NOT NULL LIMIT 2",
        domain,
    )
}

fn customer_ids(conn: &Connection, sql: &str, arg: &str) -> DbResult<Vec<i64>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let ids = stmt.query_map([arg], |r| r.get(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
}

/// The customer's contact with this phone text (cleaned as stored), if any.
pub fn find_by_phone(conn: &Connection, customer_id: i64, phone: &str) -> DbResult<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM contacts WHERE customer_id = ?1 AND phone = ?2 LIMIT 1")?
        .query_row(params![customer_id, clean_line(phone)], |r| r.get(0))
        .optional()?)
}

/// Fills the contact's empty name and phone from an import without overwriting what is there.
/// Returns whether anything changed.
pub fn fill_blanks(
    conn: &Connection,
    id: i64,
    name: Option<&str>,
    phone: Option<&str>,
) -> DbResult<bool> {
    let name = name.map(clean_line).filter(|n| !n.is_empty());
    let phone = phone.map(clean_line).filter(|p| !p.is_empty());
    let changed = conn
        .prepare_cached(
            "UPDATE contacts SET name = coalesce(name, ?2), phone = coalesce(phone, ?3), updated_at = ?4
             WHERE id = ?1 AND ((name IS NULL AND ?2 IS NOT NULL) OR (phone IS NULL AND ?3 IS NOT NULL))",
        )?
        .execute(params![id, name, phone, now_timestamp()])?;
    Ok(changed > 0)
}

/// Whether the customer has a billing contact (the first one an import adds becomes it).
pub fn has_billing(conn: &Connection, customer_id: i64) -> DbResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM contacts WHERE customer_id = ?1 AND is_billing = 1)",
        )?
        .query_row([customer_id], |r| r.get(0))?)
}

/// Adds a contact the user entered, validated; a new billing contact replaces the old one.
pub fn add(conn: &Connection, customer_id: i64, input: &ContactInput) -> DbResult<Contact> {
    let new = validate(input)?;
    if new.is_billing {
        clear_billing(conn, customer_id)?;
    }
    let id = insert(conn, customer_id, &new)?;
    derived::refresh_customers(conn, &[customer_id])?;
    get(conn, id)
}

/// Replaces a contact's fields with what the user entered, validated.
pub fn update(conn: &Connection, id: i64, input: &ContactInput) -> DbResult<Contact> {
    let new = validate(input)?;
    let existing = get(conn, id)?;
    if new.is_billing {
        clear_billing(conn, existing.customer_id)?;
    }
    conn.prepare_cached(
        "UPDATE contacts SET name = ?2, email = ?3, phone = ?4, role = ?5, is_billing = ?6,
                             email_bad = CASE WHEN lower(coalesce(email, '')) = lower(coalesce(?3, ''))
                                              THEN email_bad ELSE 0 END,
                             updated_at = ?7
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        new.name,
        new.email,
        new.phone,
        new.role,
        new.is_billing,
        now_timestamp()
    ])?;
    derived::refresh_customers(conn, &[existing.customer_id])?;
    get(conn, id)
}

pub fn delete(conn: &Connection, id: i64) -> DbResult<()> {
    let existing = get(conn, id)?;
    conn.prepare_cached("DELETE FROM contacts WHERE id = ?1")?
        .execute([id])?;
    derived::refresh_customers(conn, &[existing.customer_id])?;
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> DbResult<Contact> {
    store::get_by_id(
        conn,
        &format!("SELECT id, customer_id, name, email, phone, role, is_billing, {BOUNCED} FROM contacts WHERE id = ?1"),
        id,
        "contact",
        contact_from_row,
    )
}

/// Why the address is marked as not working, when it is (a bounce read from the mailbox).
const BOUNCED: &str =
    "CASE WHEN email_bad = 1 THEN coalesce(email_bad_reason, 'marked as not working') END";

fn contact_from_row(r: &rusqlite::Row) -> rusqlite::Result<Contact> {
    Ok(Contact {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        name: r.get(2)?,
        email: r.get(3)?,
        phone: r.get(4)?,
        role: r.get(5)?,
        is_billing: r.get(6)?,
        email_bounced: r.get(7)?,
    })
}

fn clear_billing(conn: &Connection, customer_id: i64) -> DbResult<()> {
    conn.prepare_cached("UPDATE contacts SET is_billing = 0 WHERE customer_id = ?1")?
        .execute([customer_id])?;
    Ok(())
}

/// What the user entered, each field cleaned into one line (a pasted line break or tab becomes a
/// space, bidi overrides go), then checked: an address that is still not one is refused.
fn validate(input: &ContactInput) -> Result<NewContact, FieldError> {
    let clean = |field: &Option<String>| field.as_deref().map(clean_line);
    let new = NewContact {
        name: optional_text("name", "The name", clean(&input.name).as_deref(), 200)?,
        email: validation::email("email", clean(&input.email).as_deref())?,
        phone: validation::phone("phone", clean(&input.phone).as_deref())?,
        role: optional_text("role", "The role", clean(&input.role).as_deref(), 100)?,
        is_billing: input.is_billing,
    };
    if new.name.is_none() && new.email.is_none() && new.phone.is_none() {
        return Err(FieldError::new(
            "name",
            "Give the contact a name, an email or a phone number",
        ));
    }
    Ok(new)
}
