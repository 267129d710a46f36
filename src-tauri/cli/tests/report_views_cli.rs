//! `duebook report aging|forecast|collected|promises|conversion` (and `kpis --csv`) over a small
//! hand-checked history: the JSON and CSV shapes (amounts as decimal strings), and a hostile
//! customer name escaped in the text and CSV output.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::model::{Currency, Money};
use duebook_core::test_support::campaign::{customer, d, store_raw};
use duebook_core::test_support::ledger::{add_invoice, record_payment};
use duebook_core::test_support::temp_db;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use support::{duebook, ok_text, stderr};

const EVIL: &str = "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J Ltd";

/// Acme (USD): 100.00 due 31 Jan with 40.00 paid on 10 Feb, 200.00 due 2 Mar, a 25.00 credit
/// note of 5 Feb. Evil (EUR): 50.00 due 20 Jan paid on 1 Feb (12 days late), 80.00 due 20 Feb.
fn history() -> (tempfile::TempDir, PathBuf, i64, i64) {
    let (dir, db) = temp_db();
    let usd = |minor| Money::new(minor, Currency::parse("USD").unwrap());
    let eur = |minor| Money::new(minor, Currency::parse("EUR").unwrap());
    let (acme, _) = customer(&db, "Acme", None, &[]);
    let i1 = add_invoice(
        &db,
        acme,
        "A-1",
        d("2024-01-01"),
        d("2024-01-31"),
        usd(10_000),
    );
    record_payment(&db, i1, 4_000, d("2024-02-10"), None);
    add_invoice(
        &db,
        acme,
        "A-2",
        d("2024-02-01"),
        d("2024-03-02"),
        usd(20_000),
    );
    add_invoice(
        &db,
        acme,
        "A-CN",
        d("2024-02-05"),
        d("2024-02-05"),
        usd(-2_500),
    );
    let (evil, _) = customer(&db, "Evil", None, &[]);
    store_raw(&db, evil, EVIL, "Evil AP", None);
    let e1 = add_invoice(
        &db,
        evil,
        "E-1",
        d("2024-01-15"),
        d("2024-01-20"),
        eur(5_000),
    );
    record_payment(&db, e1, 5_000, d("2024-02-01"), None);
    add_invoice(
        &db,
        evil,
        "E-2",
        d("2024-02-10"),
        d("2024-02-20"),
        eur(8_000),
    );
    let path = db.path().to_path_buf();
    drop(db);
    (dir, path, acme, evil)
}

fn json_of(path: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok_text(&duebook(path, args))).unwrap()
}

#[test]
fn aging_by_customer_as_json_has_decimal_buckets_per_customer() {
    let (_dir, path, acme, evil) = history();
    let got = json_of(
        &path,
        &["report", "aging", "--as-of", "2024-03-01", "--json"],
    );
    let want = json!({
        "as_of": "2024-03-01",
        "rows": [
            {"currency": "EUR", "customer_id": evil, "name": EVIL, "current": "0.00",
             "1-30": "80.00", "31-60": "0.00", "61-90": "0.00", "90+": "0.00", "total": "80.00",
             "oldest_days_past_due": 10},
            {"currency": "USD", "customer_id": acme, "name": "Acme", "current": "200.00",
             "1-30": "35.00", "31-60": "0.00", "61-90": "0.00", "90+": "0.00", "total": "235.00",
             "oldest_days_past_due": 30},
        ]
    });
    assert_eq!(got, want);
}

#[test]
fn the_drill_down_lists_what_was_open_on_the_day() {
    let (_dir, path, acme, _) = history();
    let id = acme.to_string();
    let args = [
        "report",
        "aging",
        "--as-of",
        "2024-02-05",
        "--customer",
        &id,
        "--csv",
    ];
    let csv = ok_text(&duebook(&path, &args));
    assert_eq!(
        csv,
        "number,kind,currency,issue_date,due_date,total,open,days_past_due\n\
         A-1,invoice,USD,2024-01-01,2024-01-31,100.00,100.00,5\n\
         A-CN,credit_note,USD,2024-02-05,2024-02-05,-25.00,-25.00,0\n\
         A-2,invoice,USD,2024-02-01,2024-03-02,200.00,200.00,0\n"
    );
}

#[test]
fn text_and_csv_output_escape_the_customer_name() {
    let (_dir, path, _, _) = history();
    for args in [
        &["report", "aging", "--as-of", "2024-03-01"][..],
        &["report", "aging", "--as-of", "2024-03-01", "--top"],
        &["report", "forecast", "--as-of", "2024-03-01", "--customers"],
        &["report", "aging", "--as-of", "2024-03-01", "--csv"],
    ] {
        let text = ok_text(&duebook(&path, args));
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
        assert!(text.contains("Evil\\u{1b}]0;pwned"), "{args:?}: {text}");
    }
}

#[test]
fn the_forecast_shows_each_week_and_the_basis_per_customer() {
    let (_dir, path, acme, evil) = history();
    let args = ["report", "forecast", "--as-of", "2024-03-01", "--json"];
    let rows = json_of(&path, &args)["rows"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 20, "ten lines per currency");
    let line = |currency: &str, label: &str| {
        rows.iter()
            .find(|r| r["currency"] == currency && r["line"] == label)
            .unwrap()
            .clone()
    };
    // Evil's 80.00 was due 20 Feb, shifted by its 12 days late: 3 Mar, week 1.
    let week1 = line("EUR", "week 1");
    assert_eq!(
        (&week1["expected"], &week1["invoices"]),
        (&json!("80.00"), &json!(1))
    );
    assert_eq!(week1["from"], "2024-03-01");
    // Acme has no history and USD none either: unshifted, 60.00 overdue now, 200.00 in week 1.
    assert_eq!(line("USD", "overdue, expected now")["expected"], "60.00");
    assert_eq!(line("USD", "week 1")["expected"], "200.00");
    assert_eq!(
        line("USD", "week 1")["currency_average_days_late"],
        Value::Null
    );

    let args = [
        "report",
        "forecast",
        "--as-of",
        "2024-03-01",
        "--customers",
        "--csv",
    ];
    let csv = ok_text(&duebook(&path, &args));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("currency,customer_id,name,open,invoices,shift_days,shift_source")
    );
    let escaped = r"Evil\u{1b}]0;pwned\u{7}\u{1b}[2J Ltd";
    assert_eq!(
        lines.next(),
        Some(format!("EUR,{evil},{escaped},80.00,1,12,customer").as_str())
    );
    assert_eq!(
        lines.next(),
        Some(format!("USD,{acme},Acme,260.00,2,0,no history").as_str())
    );
}

#[test]
fn collected_counts_payments_per_month_for_twelve_months() {
    let (_dir, path, _, _) = history();
    let csv = ok_text(&duebook(
        &path,
        &["report", "collected", "--as-of", "2024-03-01", "--csv"],
    ));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "currency,month,collected,payments");
    assert_eq!(lines.len(), 1 + 2 * 12, "{csv}");
    assert!(lines.contains(&"EUR,2024-02,50.00,1"), "{csv}");
    assert!(lines.contains(&"USD,2024-02,40.00,1"), "{csv}");
    assert!(lines.contains(&"USD,2023-04,0.00,0"), "{csv}");
}

#[test]
fn promises_and_conversion_print_their_periods() {
    let (_dir, path, _, _) = history();
    let args = [
        "report",
        "promises",
        "--from",
        "2024-01-01",
        "--to",
        "2024-03-31",
        "--json",
    ];
    let got = json_of(&path, &args);
    let want = json!({
        "from": "2024-01-01", "to": "2024-03-31",
        "rows": [{"currency": "all", "due": 0, "kept": 0, "broken": 0, "pending": 0,
                  "kept_percent": null, "promised": null, "promised_kept": null}]
    });
    assert_eq!(got, want);
    let csv = ok_text(&duebook(
        &path,
        &["report", "conversion", "--to", "2024-03-31", "--csv"],
    ));
    assert_eq!(
        csv,
        "campaign_id,campaign,step,variant,reminded,converted,converted_percent,window_open\n"
    );
    let backwards = [
        "report",
        "promises",
        "--from",
        "2024-03-31",
        "--to",
        "2024-01-01",
    ];
    let out = duebook(&path, &backwards);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is after"), "{}", stderr(&out));
}

#[test]
fn kpis_as_csv_and_json_with_csv_refused() {
    let (_dir, path, _, _) = history();
    let csv = ok_text(&duebook(
        &path,
        &["report", "kpis", "--as-of", "2024-03-01", "--csv"],
    ));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("currency,ar_total,ar_current,ar_overdue,dso_countback"));
    assert!(lines[2].starts_with("USD,235.00,200.00,35.00,"), "{csv}");
    let both = duebook(&path, &["report", "aging", "--json", "--csv"]);
    assert!(!both.status.success());
    assert!(
        stderr(&both).contains("cannot be used with"),
        "{}",
        stderr(&both)
    );
}
