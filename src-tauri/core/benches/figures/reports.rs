//! The report views' figures (issue 18), each beside the shortest plain SQL asking the same
//! question of the same file.

use super::{sample_n, Table};
use chrono::{Days, NaiveDate};
use duebook_core::views::report;
use rusqlite::{params, Connection};

/// Runs per figure: each reads the whole file, so a few runs give a stable median.
const RUNS: usize = 5;

pub fn report_figures(conn: &Connection, as_of: NaiveDate, ids: &[i64], table: &mut Table) {
    let back = |days| as_of.checked_sub_days(Days::new(days)).expect("date");
    // Aged on a past day, so the payments dated after it count too.
    let past = back(45);
    table.timed(
        "aging by customer, 45 days back",
        "< 1 s",
        sample_n(RUNS, |_| {
            report::customer_aging::customer_aging(conn, past).expect("aging");
        }),
        sample_n(RUNS, |_| reference_aging(conn, past)),
    );
    table.timed(
        "aging drill-down, one customer",
        "< 10 ms",
        sample_n(200, |i| {
            report::customer_aging::invoices_as_of(conn, ids[i % ids.len()], past).expect("drill");
        }),
        sample_n(200, |i| {
            reference_drill_down(conn, ids[i % ids.len()], past);
        }),
    );
    table.timed(
        "top 10 overdue customers per currency",
        "< 1 s",
        sample_n(RUNS, |_| {
            report::top_overdue::top_overdue(conn, as_of).expect("top");
        }),
        sample_n(RUNS, |_| reference_top(conn, as_of)),
    );
    table.timed(
        "cash forecast, 8 weeks",
        "< 1 s",
        sample_n(RUNS, |_| {
            report::forecast::forecast(conn, as_of).expect("forecast");
        }),
        sample_n(RUNS, |_| reference_forecast(conn)),
    );
    table.timed(
        "collected per month, 12 months",
        "< 1 s",
        sample_n(RUNS, |_| {
            report::collected::collected(conn, as_of).expect("collected");
        }),
        sample_n(RUNS, |_| {
            rows(conn, COLLECTED, &back(365).to_string());
        }),
    );
    table.timed(
        "promises kept, 90 days",
        "< 1 s",
        sample_n(RUNS, |_| {
            report::promises::promises_kept(conn, back(89), as_of).expect("promises");
        }),
        sample_n(RUNS, |_| {
            rows(conn, PROMISES, &back(89).to_string());
        }),
    );
    table.timed(
        "campaign conversion, 90 days",
        "< 1 s",
        sample_n(RUNS, |_| {
            report::conversion::conversion(conn, back(89), as_of).expect("conversion");
        }),
        sample_n(RUNS, |_| {
            rows(conn, CONVERSION, &back(89).to_string());
        }),
    );
    table.timed(
        "paying habits, one customer",
        "< 1 ms",
        sample_n(200, |i| {
            report::paying::customer_habits(conn, ids[i % ids.len()]).expect("habits");
        }),
        sample_n(200, |i| {
            rows(conn, HABIT, &ids[i % ids.len()].to_string());
        }),
    );
}

const COLLECTED: &str = "SELECT i.currency, substr(p.paid_on, 1, 7), SUM(p.amount_minor)
     FROM payments p JOIN invoices i ON i.id = p.invoice_id
     WHERE p.paid_on >= ?1 AND i.kind = 'invoice' GROUP BY 1, 2";
const PROMISES: &str =
    "SELECT currency, COUNT(*) FROM promises WHERE promised_date >= ?1 GROUP BY 1";
const CONVERSION: &str = "SELECT campaign_id, step_position, variant, COUNT(DISTINCT customer_id)
     FROM invoice_reminders WHERE sent_on >= ?1 GROUP BY 1, 2, 3";
const HABIT: &str = "SELECT i.currency, SUM(i.total_minor), MAX(p.paid_on) FROM invoices i
     JOIN payments p ON p.invoice_id = i.id WHERE i.customer_id = ?1 AND i.status = 'paid'
     GROUP BY i.id";

/// Runs `sql` with `param` as ?1 and reads every row.
fn rows(conn: &Connection, sql: &str, param: &str) -> usize {
    let mut stmt = conn.prepare_cached(sql).expect("prepare");
    let n = stmt
        .query_map(params![param], |_| Ok(()))
        .expect("query")
        .count();
    n
}

/// The definition as it reads: each invoice issued by the day, less its payments dated by then.
fn reference_aging(conn: &Connection, day: NaiveDate) {
    rows(
        conn,
        "SELECT i.customer_id, i.currency, CAST(julianday(?1) - julianday(i.due_date) AS INTEGER) / 30,
                SUM(i.total_minor - coalesce(p.paid, 0))
         FROM invoices i LEFT JOIN (SELECT invoice_id, SUM(amount_minor) AS paid FROM payments
                                    WHERE paid_on <= ?1 GROUP BY invoice_id) p ON p.invoice_id = i.id
         WHERE i.status <> 'void' AND i.issue_date <= ?1 GROUP BY 1, 2, 3",
        &day.to_string(),
    );
}

fn reference_drill_down(conn: &Connection, customer_id: i64, day: NaiveDate) {
    let mut stmt = conn
        .prepare_cached(
            "SELECT i.id, i.total_minor - (SELECT coalesce(SUM(amount_minor), 0) FROM payments p
                                           WHERE p.invoice_id = i.id AND p.paid_on <= ?2)
             FROM invoices i WHERE i.customer_id = ?1 AND i.issue_date <= ?2",
        )
        .expect("prepare");
    let _ = stmt
        .query_map(params![customer_id, day.to_string()], |_| Ok(()))
        .expect("query")
        .count();
}

fn reference_top(conn: &Connection, day: NaiveDate) {
    rows(
        conn,
        "SELECT currency, customer_id, SUM(total_minor - paid_minor) AS overdue FROM invoices
         WHERE status = 'open' AND due_date < ?1 GROUP BY 1, 2 ORDER BY 1, 3 DESC",
        &day.to_string(),
    );
}

/// Open balances by due date, and each customer's days late over its paid invoices.
fn reference_forecast(conn: &Connection) {
    rows(
        conn,
        "SELECT customer_id, currency, due_date, SUM(total_minor - paid_minor) FROM invoices
         WHERE status = 'open' AND kind = 'invoice' AND ?1 = ?1 GROUP BY 1, 2, 3",
        "",
    );
    rows(
        conn,
        "SELECT i.customer_id, i.currency, i.total_minor, MAX(p.paid_on) FROM invoices i
         JOIN payments p ON p.invoice_id = i.id
         WHERE i.status = 'paid' AND i.kind = 'invoice' AND ?1 = ?1 GROUP BY i.id",
        "",
    );
}
