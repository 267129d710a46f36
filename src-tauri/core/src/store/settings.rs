//! Key/value settings stored in the database (not in a separate store file).

use crate::store::DbResult;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// ISO 4217 code used when an import names no currency (QuickBooks reports never do).
pub const HOME_CURRENCY: &str = "home_currency";
/// Set to "1" in files written by `duebook demo`; the app shows a "Demo data" banner.
pub const IS_DEMO: &str = "is_demo";
/// The user's company name.
pub const COMPANY_NAME: &str = "company_name";
/// "light", "dark" or "system" (the default).
pub const THEME: &str = "theme";
/// The customer list's sort and filters as JSON, restored at the next launch.
pub const LIST_VIEW: &str = "customer_list_view";
/// The window's main view and open customer when it last showed this file (JSON).
pub const LAST_PLACE: &str = "last_place";

pub fn get(conn: &Connection, key: &str) -> DbResult<Option<String>> {
    // Cached: read for every message a run prepares (company profile, account).
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub fn set(conn: &Connection, key: &str, value: &str) -> DbResult<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

/// The colour scheme; System follows the desktop (which WebKitGTK may misreport, hence the
/// explicit choices).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

pub fn theme(conn: &Connection) -> DbResult<Theme> {
    Ok(get(conn, THEME)?
        .and_then(|text| serde_json::from_value(serde_json::Value::String(text)).ok())
        .unwrap_or_default())
}

pub fn set_theme(conn: &Connection, theme: Theme) -> DbResult<()> {
    let text = match theme {
        Theme::System => "system",
        Theme::Light => "light",
        Theme::Dark => "dark",
    };
    set(conn, THEME, text)
}

pub fn is_demo(conn: &Connection) -> DbResult<bool> {
    Ok(get(conn, IS_DEMO)?.as_deref() == Some("1"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_db;

    #[test]
    fn set_overwrites_and_get_reads_back() {
        let (_dir, db) = temp_db();
        assert_eq!(get(db.conn(), HOME_CURRENCY).unwrap(), None);
        set(db.conn(), HOME_CURRENCY, "USD").unwrap();
        set(db.conn(), HOME_CURRENCY, "EUR").unwrap();
        assert_eq!(
            get(db.conn(), HOME_CURRENCY).unwrap().as_deref(),
            Some("EUR")
        );
        assert!(!is_demo(db.conn()).unwrap());
    }

    #[test]
    fn theme_defaults_to_system_and_round_trips() {
        let (_dir, db) = temp_db();
        assert_eq!(theme(db.conn()).unwrap(), Theme::System);
        set_theme(db.conn(), Theme::Dark).unwrap();
        assert_eq!(theme(db.conn()).unwrap(), Theme::Dark);
        set(db.conn(), THEME, "purple").unwrap();
        assert_eq!(
            theme(db.conn()).unwrap(),
            Theme::System,
            "unknown values fall back"
        );
    }
}
