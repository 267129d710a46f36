//! Queries on the `customers` table (and its tags): create, find, read, edit.

use crate::model::text::clean_line;
use crate::model::validation::{optional_text, required_text, FieldError};
use crate::model::{
    customer_name_key, Channel, Currency, Customer, CustomerEdit, NewCustomer, Owner,
};
use crate::store::{self, now_timestamp, DbResult};
use crate::{store::activity, store::credit, store::derived};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::BTreeMap;

/// The longest name accepted; longer text is almost always a broken import column.
pub const MAX_NAME_CHARS: usize = 255;
/// A custom field's name and value, typed on the customer screen or read by an import.
pub const MAX_FIELD_NAME_CHARS: usize = 60;
pub const MAX_FIELD_VALUE_CHARS: usize = 1_000;

/// Stores a new customer. Its name and segment are cleaned into one line each (imports and
/// the demo come this way); a name with nothing left after cleaning is refused.
pub fn insert(conn: &Connection, new: &NewCustomer) -> DbResult<i64> {
    let name = required_text("name", "The name", &clean_line(&new.name), MAX_NAME_CHARS)?;
    let segment = new
        .segment
        .as_deref()
        .map(clean_line)
        .filter(|s| !s.is_empty());
    let now = now_timestamp();
    conn.prepare_cached(
        "INSERT INTO customers (name, name_key, segment, currency, terms_days, preferred_channel,
                                created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![
        name,
        customer_name_key(&name),
        segment,
        new.currency.as_ref().map(Currency::code),
        new.terms_days,
        new.preferred_channel.as_str(),
        now,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The customer whose name matches `name` as stored: cleaned into one line, NFC,
/// case-insensitive.
pub fn find_id_by_name(conn: &Connection, name: &str) -> DbResult<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM customers WHERE name_key = ?1")?
        .query_row([customer_name_key(&clean_line(name))], |r| r.get(0))
        .optional()?)
}

pub fn get(conn: &Connection, id: i64) -> DbResult<Customer> {
    let mut customer = store::get_by_id(
        conn,
        &format!(
            "SELECT id, name, segment, currency, terms_days, preferred_channel, do_not_contact,
                    custom_fields, owner_name, owner_email, owner_hold, {}
             FROM customers WHERE id = ?1",
            credit::COLUMNS
        ),
        id,
        "customer",
        customer_from_row,
    )?;
    customer.tags = tags(conn, id)?;
    Ok(customer)
}

pub fn tags(conn: &Connection, id: i64) -> DbResult<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT tag FROM customer_tags WHERE customer_id = ?1 ORDER BY tag")?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every tag in use, for the filter menu.
pub fn all_tags(conn: &Connection) -> DbResult<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT DISTINCT tag FROM customer_tags ORDER BY tag")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every currency someone owes money in, for the filter menu.
pub fn currencies_in_use(conn: &Connection) -> DbResult<Vec<String>> {
    // customer_balances_open leads with currency, so this skips through the index.
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT currency FROM customer_balances WHERE open_minor != 0 ORDER BY currency",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every segment in use, for the filter menu.
pub fn all_segments(conn: &Connection) -> DbResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT segment FROM customers WHERE segment IS NOT NULL ORDER BY segment",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Applies one edit, validated, and returns the customer as saved.
pub fn edit(conn: &Connection, id: i64, edit: &CustomerEdit) -> DbResult<Customer> {
    let before = get(conn, id)?;
    match edit {
        CustomerEdit::Name(name) => rename(conn, id, name)?,
        CustomerEdit::Segment(segment) => {
            let segment = segment.as_deref().map(clean_line);
            let segment = optional_text("segment", "The segment", segment.as_deref(), 80)?;
            set_column(conn, id, "segment", &segment)?;
        }
        CustomerEdit::TermsDays(days) => {
            if matches!(days, Some(d) if !(0..=365).contains(d)) {
                return Err(
                    FieldError::new("terms_days", "Payment terms are 0 to 365 days").into(),
                );
            }
            set_column(conn, id, "terms_days", days)?;
        }
        CustomerEdit::PreferredChannel(channel) => {
            set_column(conn, id, "preferred_channel", &channel.as_str())?;
        }
        CustomerEdit::DoNotContact(on) => {
            set_column(conn, id, "do_not_contact", on)?;
            if *on != before.do_not_contact {
                let summary = if *on {
                    "Marked do not contact: no reminders are sent"
                } else {
                    "Do not contact removed: reminders may be sent again"
                };
                activity::record(conn, id, None, "do_not_contact", summary)?;
            }
        }
        CustomerEdit::Tags(tags) => set_tags(conn, id, tags)?,
        CustomerEdit::CustomField { key, value } => {
            set_custom_field(conn, id, before.custom_fields, key, value.as_deref())?;
        }
        CustomerEdit::CreditLimit(limit) => credit::set_limit(conn, id, limit.as_ref())?,
        CustomerEdit::Hold(reason) => {
            let today = crate::clock::Clock::today(&crate::clock::SystemClock);
            credit::set_hold(conn, id, reason.as_deref(), credit::SET_BY_HAND, today)?;
        }
        CustomerEdit::Owner(text) => {
            let owner = Owner::parse("owner", text)?;
            set_owner(conn, &[id], owner.as_ref())?;
        }
    }
    get(conn, id)
}

fn rename(conn: &Connection, id: i64, name: &str) -> DbResult<()> {
    let name = required_text("name", "The name", &clean_line(name), MAX_NAME_CHARS)?;
    if let Some(other) = find_id_by_name(conn, &name)?.filter(|other| *other != id) {
        return Err(FieldError::new(
            "name",
            format!("Another customer (#{other}) is already called {name:?}"),
        )
        .into());
    }
    conn.prepare_cached(
        "UPDATE customers SET name = ?2, name_key = ?3, updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![id, name, customer_name_key(&name), now_timestamp()])?;
    derived::refresh_customers(conn, &[id])
}

/// `column` is one of this module's literals, never user input.
/// The user read the customer's reply and lets reminders go on: a reply received before now no
/// longer holds them (campaign/facts/mailbox.rs). Refuses an unknown customer.
pub fn resume_reminders(conn: &Connection, id: i64) -> DbResult<()> {
    get(conn, id)?;
    conn.prepare_cached("UPDATE customers SET replies_resumed_at = ?2 WHERE id = ?1")?
        .execute(params![id, now_timestamp()])?;
    activity::record(
        conn,
        id,
        None,
        "reminders_resumed",
        "Reminders resumed after the customer's reply",
    )?;
    Ok(())
}

fn set_column(
    conn: &Connection,
    id: i64,
    column: &str,
    value: &dyn rusqlite::ToSql,
) -> DbResult<()> {
    conn.prepare_cached(&format!(
        "UPDATE customers SET {column} = ?2, updated_at = ?3 WHERE id = ?1"
    ))?
    .execute(params![id, value, now_timestamp()])?;
    Ok(())
}

/// Gives these customers `owner` (None: no owner), recording the change on each whose owner
/// changed. Returns how many changed.
pub fn set_owner(conn: &Connection, ids: &[i64], owner: Option<&Owner>) -> DbResult<usize> {
    let (name, email) = Owner::columns(owner);
    let summary = match owner {
        Some(owner) => format!("Account owner set to {}", owner.display()),
        None => "Account owner removed".to_string(),
    };
    let mut update = conn.prepare_cached(
        "UPDATE customers SET owner_name = ?2, owner_email = ?3, updated_at = ?4
         WHERE id = ?1 AND (owner_name IS NOT ?2 OR owner_email IS NOT ?3)",
    )?;
    let mut changed = 0;
    for id in ids {
        if update.execute(params![id, name, email, now_timestamp()])? == 1 {
            activity::record(conn, *id, None, "owner", &summary)?;
            changed += 1;
        }
    }
    Ok(changed)
}

fn set_tags(conn: &Connection, id: i64, tags: &[String]) -> DbResult<()> {
    let mut clean = Vec::new();
    for tag in tags {
        if let Some(tag) = optional_text("tags", "A tag", Some(&clean_line(tag)), 40)? {
            if !clean.iter().any(|t: &String| t.eq_ignore_ascii_case(&tag)) {
                clean.push(tag);
            }
        }
    }
    conn.prepare_cached("DELETE FROM customer_tags WHERE customer_id = ?1")?
        .execute([id])?;
    let mut insert =
        conn.prepare_cached("INSERT INTO customer_tags (customer_id, tag) VALUES (?1, ?2)")?;
    for tag in &clean {
        insert.execute(params![id, tag])?;
    }
    Ok(())
}

fn set_custom_field(
    conn: &Connection,
    id: i64,
    mut fields: BTreeMap<String, String>,
    key: &str,
    value: Option<&str>,
) -> DbResult<()> {
    let key = required_text(
        "custom_field",
        "The field name",
        &clean_line(key),
        MAX_FIELD_NAME_CHARS,
    )?;
    match optional_text("custom_field", "The value", value, MAX_FIELD_VALUE_CHARS)? {
        Some(value) => fields.insert(key, value),
        None => fields.remove(&key),
    };
    let json = serde_json::to_string(&fields).unwrap_or_else(|_| "{}".into());
    set_column(conn, id, "custom_fields", &json)
}

/// Sets the custom fields an import row gives (name, value), keeping the others; a blank value
/// leaves its field as it is. Writes only when a value changed; returns whether one did.
pub fn merge_custom_fields(conn: &Connection, id: i64, fields: &[(&str, &str)]) -> DbResult<bool> {
    let stored: String = conn
        .prepare_cached("SELECT custom_fields FROM customers WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?;
    let mut current: BTreeMap<String, String> = serde_json::from_str(&stored).unwrap_or_default();
    let mut changed = false;
    for (name, value) in fields {
        let name = required_text(
            "custom_field",
            "The field name",
            &clean_line(name),
            MAX_FIELD_NAME_CHARS,
        )?;
        let value = clean_line(value);
        let Some(value) = optional_text(
            "custom_field",
            "The value",
            Some(&value),
            MAX_FIELD_VALUE_CHARS,
        )?
        else {
            continue;
        };
        if current.get(&name) != Some(&value) {
            current.insert(name, value);
            changed = true;
        }
    }
    if changed {
        let json = serde_json::to_string(&current).unwrap_or_else(|_| "{}".into());
        set_column(conn, id, "custom_fields", &json)?;
    }
    Ok(changed)
}

pub fn count(conn: &Connection) -> DbResult<u32> {
    Ok(conn.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?)
}

fn customer_from_row(row: &Row) -> rusqlite::Result<Customer> {
    let currency: Option<String> = row.get(3)?;
    let channel: String = row.get(5)?;
    let custom_fields: String = row.get(7)?;
    let (credit_limit, hold) = credit::from_row(row, 11)?;
    Ok(Customer {
        credit_limit,
        hold,
        tags: Vec::new(),
        // A hand-edited file with broken JSON shows no custom fields rather than failing.
        custom_fields: serde_json::from_str(&custom_fields).unwrap_or_default(),
        id: row.get(0)?,
        name: row.get(1)?,
        segment: row.get(2)?,
        currency: currency.and_then(|c| Currency::parse(&c).ok()),
        terms_days: row.get(4)?,
        preferred_channel: Channel::from_db(&channel),
        do_not_contact: row.get(6)?,
        owner: Owner::from_columns(row.get(8)?, row.get(9)?),
        owner_hold: row.get(10)?,
    })
}
