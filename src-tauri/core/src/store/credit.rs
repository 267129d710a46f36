//! A customer's credit limit and "on hold" flag (`customers.credit_limit_*`, `on_hold*`,
//! migration 18).
//!
//! Currency rule: a limit is in one currency, the one given with it, else the customer's own
//! currency, else the one currency the customer owes money in; with none of these it is refused
//! (say which currency). Balances are compared with the limit in that currency only.

use crate::model::text::clean_line;
use crate::model::validation::{required_text, FieldError};
use crate::model::{Currency, Hold, LimitInput, Money};
use crate::store::{activity, DbResult};
use chrono::NaiveDate;
use rusqlite::{params, Connection, Row};

/// Who a hold set by hand is set by.
pub const SET_BY_HAND: &str = "you";

/// The longest hold reason kept.
const MAX_REASON_CHARS: usize = 200;

/// Sets (or with None removes) customer `id`'s credit limit, per the currency rule above.
pub fn set_limit(conn: &Connection, id: i64, limit: Option<&LimitInput>) -> DbResult<()> {
    let money = limit.map(|l| limit_money(conn, id, l)).transpose()?;
    conn.execute(
        "UPDATE customers SET credit_limit_minor = ?2, credit_limit_currency = ?3 WHERE id = ?1",
        params![
            id,
            money.as_ref().map(|m| m.minor),
            money.as_ref().map(|m| m.currency.code())
        ],
    )?;
    let summary = match &money {
        Some(m) => format!(
            "Credit limit set to {} {}",
            m.decimal_string(),
            m.currency.code()
        ),
        None => "Credit limit removed".to_string(),
    };
    activity::record(conn, id, None, "credit_limit", &summary)?;
    Ok(())
}

/// Sets the limit an import file gives, only when it differs (a re-import writes nothing).
pub fn import_limit(conn: &Connection, id: i64, limit: &Money) -> DbResult<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE customers SET credit_limit_minor = ?2, credit_limit_currency = ?3
             WHERE id = ?1 AND (credit_limit_minor IS NOT ?2 OR credit_limit_currency IS NOT ?3)",
        )?
        .execute(params![id, limit.minor, limit.currency.code()])?;
    if changed > 0 {
        let summary = format!(
            "Credit limit set to {} {} by an import",
            limit.decimal_string(),
            limit.currency.code()
        );
        activity::record(conn, id, None, "credit_limit", &summary)?;
    }
    Ok(())
}

fn limit_money(conn: &Connection, id: i64, limit: &LimitInput) -> DbResult<Money> {
    let field = |message: String| FieldError::new("credit_limit", message);
    let code = match limit.currency.as_deref().map(str::trim) {
        Some(code) if !code.is_empty() => code.to_uppercase(),
        _ => limit_currency(conn, id)?.ok_or_else(|| {
            field("Say which currency the limit is in: the customer has no currency of their own and does not owe in exactly one".into())
        })?,
    };
    let currency = Currency::parse(&code).map_err(|e| field(format!("Currency: {e}")))?;
    let money = Money::parse_decimal(limit.amount.trim(), &currency)
        .map_err(|e| field(format!("Credit limit: {e}")))?;
    if money.minor < 0 {
        return Err(field("A credit limit cannot be negative".into()).into());
    }
    Ok(money)
}

/// The customer's own currency, else the only currency they owe in.
fn limit_currency(conn: &Connection, id: i64) -> DbResult<Option<String>> {
    Ok(conn.query_row(
        "SELECT coalesce(currency,
                         (SELECT CASE WHEN COUNT(*) = 1 THEN MIN(currency) END
                          FROM customer_balances WHERE customer_id = ?1 AND open_minor != 0))
         FROM customers WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

/// Puts customer `id` on hold with `reason` (set by `set_by` on `on`), or with None takes
/// them off hold. Recorded in the customer's activity either way.
pub fn set_hold(
    conn: &Connection,
    id: i64,
    reason: Option<&str>,
    set_by: &str,
    on: NaiveDate,
) -> DbResult<()> {
    match reason {
        Some(reason) => {
            let reason =
                required_text("hold", "The reason", &clean_line(reason), MAX_REASON_CHARS)?;
            conn.execute(
                "UPDATE customers SET on_hold = 1, on_hold_reason = ?2, on_hold_by = ?3,
                                      on_hold_on = ?4 WHERE id = ?1",
                params![id, reason, set_by, on.to_string()],
            )?;
            activity::record(conn, id, None, "hold", &format!("Put on hold: {reason}"))?;
        }
        None => {
            conn.execute(
                "UPDATE customers SET on_hold = 0, on_hold_reason = NULL, on_hold_by = NULL,
                                      on_hold_on = NULL WHERE id = ?1",
                [id],
            )?;
            activity::record(conn, id, None, "hold", "Taken off hold")?;
        }
    }
    Ok(())
}

/// The columns [`from_row`] reads, in its order.
pub const COLUMNS: &str =
    "credit_limit_minor, credit_limit_currency, on_hold, on_hold_reason, on_hold_by, on_hold_on";

/// The credit limit and hold read from [`COLUMNS`], starting at column `at`.
pub fn from_row(row: &Row, at: usize) -> rusqlite::Result<(Option<Money>, Option<Hold>)> {
    let minor: Option<i64> = row.get(at)?;
    let code: Option<String> = row.get(at + 1)?;
    let limit = match (minor, code.as_deref().map(Currency::parse)) {
        (Some(minor), Some(Ok(currency))) => Some(Money::new(minor, currency)),
        _ => None,
    };
    let hold = match row.get::<_, bool>(at + 2)? {
        false => None,
        true => Some(Hold {
            reason: row.get::<_, Option<String>>(at + 3)?.unwrap_or_default(),
            set_by: row.get::<_, Option<String>>(at + 4)?.unwrap_or_default(),
            set_on: row
                .get::<_, Option<String>>(at + 5)?
                .and_then(|d| d.parse().ok())
                .unwrap_or_default(),
        }),
    };
    Ok((limit, hold))
}
