//! `duebook report kpis` over the hand-checked history (see `test_support::kpis`): the JSON
//! shape and values issue 18 asks for, and one readable block per currency.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::test_support::kpis::{hand_checked_history, HAND_AS_OF};
use duebook_core::test_support::temp_db;
use serde_json::json;
use support::{duebook, stderr, stdout};

fn history() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, db) = temp_db();
    hand_checked_history(&db);
    let path = db.path().to_path_buf();
    drop(db);
    (dir, path)
}

#[test]
fn kpis_as_json_have_decimal_amounts_two_decimal_days_and_nulls() {
    let (_dir, path) = history();
    let out = duebook(&path, &["report", "kpis", "--as-of", HAND_AS_OF, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let got: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let want = json!({
        "as_of": "2024-03-10",
        "currencies": {
            "EUR": {
                "ar_total": "0.00", "ar_current": "0.00", "ar_overdue": "0.00",
                "dso_countback": 0.0, "dso_standard": 0.0, "best_dso": 0.0, "add": 0.0,
                "cei": 100.0, "average_days_to_pay": 34.25, "average_days_late": 5.0
            },
            "JPY": {
                "ar_total": "-500", "ar_current": "0", "ar_overdue": "-500",
                "dso_countback": 0.0, "dso_standard": null, "best_dso": null, "add": null,
                "cei": null, "average_days_to_pay": null, "average_days_late": null
            },
            "USD": {
                "ar_total": "5450.00", "ar_current": "3900.00", "ar_overdue": "1550.00",
                "dso_countback": 54.5, "dso_standard": 70.07, "best_dso": 50.14, "add": 19.93,
                "cei": 50.0, "average_days_to_pay": null, "average_days_late": null
            }
        }
    });
    assert_eq!(got, want);
}

#[test]
fn kpis_as_text_name_each_figure_per_currency() {
    let (_dir, path) = history();
    let out = duebook(&path, &["report", "kpis", "--as-of", HAND_AS_OF]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "KPIs as of 2024-03-10 (sales and payments of the last 90 days; CEI from 2024-03-01)\n"
        ),
        "{text}"
    );
    let block = |code: &str| {
        let start = text.find(&format!("\n{code}\n")).unwrap();
        let rest = &text[start + 1..];
        rest[..rest.find("\n\n").unwrap_or(rest.len())].to_string()
    };
    let usd = block("USD");
    for line in [
        "AR total",
        "5450.00",
        "DSO (countback)",
        "54.50",
        "DSO (standard)",
        "70.07",
        "Best possible DSO",
        "50.14",
        "Average days delinquent (ADD)",
        "19.93",
        "Collection effectiveness index (CEI, %)",
        "50.00",
    ] {
        assert!(usd.contains(line), "{line} missing in\n{usd}");
    }
    let undefined = block("JPY").lines().filter(|l| l.ends_with(" -")).count();
    assert_eq!(undefined, 6, "{}", block("JPY"));
}

#[test]
fn days_choose_the_window_and_zero_is_refused() {
    let (_dir, path) = history();
    let out = duebook(
        &path,
        &[
            "report", "kpis", "--as-of", HAND_AS_OF, "--json", "--days", "30",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let got: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    // The last 30 days (02-10 ..= 03-10) sold 3900.00: 5450 / 3900 × 30.
    assert_eq!(got["currencies"]["USD"]["dso_standard"], json!(41.92));
    let out = duebook(&path, &["report", "kpis", "--days", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
}
