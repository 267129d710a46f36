//! `make bench`: figures on a generated 100,000-customer / ~1,000,000-invoice database, each
//! beside a reference — the same question answered by the shortest raw-SQL program — measured
//! in the same run, since these machines are shared and noisy.
//!
//! `DUEBOOK_BENCH_CUSTOMERS` scales the data set down for a quick look; `DUEBOOK_BENCH_KEEP=DIR`
//! keeps the generated file in DIR and reuses it on the next run.

use chrono::NaiveDate;
use duebook_core::demo::{generate, DemoOptions};
use duebook_core::import::{self, ImportOptions};
use duebook_core::model::{CustomerListQuery, CustomerSort};
use duebook_core::store::Database;
use duebook_core::views::detail::customer_detail;
use duebook_core::{campaign, store::customers, views::customer_list, views::report};
use rusqlite::{params, Connection};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

#[path = "figures/reports.rs"]
mod reports;

const SAMPLES: usize = 1_000;

fn main() {
    let customers_wanted: u32 = std::env::var("DUEBOOK_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    let mut table = Table::default();

    let kept = std::env::var_os("DUEBOOK_BENCH_KEEP").map(std::path::PathBuf::from);
    let path = match &kept {
        Some(keep) => keep.join(format!("bench-{customers_wanted}.sqlite")),
        None => dir.path().join("bench.sqlite"),
    };
    let reuse = kept.is_some() && path.exists();
    let mut db = Database::open(&path).expect("open");
    if !reuse {
        let started = Instant::now();
        let summary = generate(
            &mut db,
            &DemoOptions {
                customers: customers_wanted,
                seed: 1,
                today: as_of,
            },
        )
        .expect("generate");
        let took = started.elapsed();
        let rows = total_rows(db.conn());
        println!(
            "generated {} customers, {} invoices, {} payments ({rows} rows in all tables) in {:.1} s = {:.0} rows/s",
            summary.customers,
            summary.invoices,
            summary.payments,
            took.as_secs_f64(),
            rows as f64 / took.as_secs_f64()
        );
    }
    let conn = db.conn();
    let ids = sample_ids(conn);
    let terms = sample_terms(conn);

    table.timed(
        "customer list, first page (50)",
        "< 20 ms",
        sample(|i| {
            let sort = if i % 2 == 0 {
                CustomerSort::MostOverdue
            } else {
                CustomerSort::Name
            };
            customer_list::list(conn, &list_query(None, sort, as_of)).expect("list");
        }),
        sample(|i| reference_first_page(conn, i % 2 == 0)),
    );
    table.timed(
        "customer detail (core)",
        "p95 < 1 ms",
        sample(|i| {
            customer_detail(conn, ids[i % ids.len()], as_of).expect("detail");
        }),
        sample(|i| reference_detail(conn, ids[i % ids.len()])),
    );
    for (kind, terms) in terms.iter().enumerate() {
        let label = [
            "search: name prefix (2-5 letters)",
            "search: contact email",
            "search: invoice number",
        ][kind];
        table.timed(
            label,
            "p95 < 1 ms",
            sample(|i| {
                let term = &terms[i % terms.len()];
                customer_list::list(
                    conn,
                    &list_query(Some(term), CustomerSort::MostOverdue, as_of),
                )
                .expect("search");
            }),
            sample(|i| reference_search(conn, &terms[i % terms.len()])),
        );
    }
    table.timed(
        "aging per currency, all open invoices",
        "-",
        sample_n(20, |_| {
            report::aging::aging(conn, as_of).expect("aging");
        }),
        sample_n(20, |_| reference_aging(conn, as_of)),
    );
    table.timed(
        "KPIs per currency (report kpis: AR, DSOs, ADD, CEI, days to pay)",
        "< 500 ms",
        sample_n(5, |_| {
            report::kpis::kpis(conn, as_of, 90).expect("kpis");
        }),
        sample_n(5, |_| reference_kpis(conn, as_of)),
    );
    let month_ends: Vec<NaiveDate> = report::trends::trends(conn, as_of, 12, 90)
        .expect("trends")
        .month_ends;
    table.timed(
        "KPI and aging trend, 12 month ends (Reports tab)",
        "< 300 ms",
        sample_n(5, |_| {
            report::trends::trends(conn, as_of, 12, 90).expect("trends");
        }),
        sample_n(1, |_| {
            for day in &month_ends {
                reference_kpis(conn, *day);
            }
        }),
    );
    reports::report_figures(conn, as_of, &ids, &mut table);
    campaign_figure(conn, as_of);
    drop(db);

    let statements = dir.path().join("statements");
    let figures =
        duebook_core::statement::benchmark(&path, &statements, as_of, 1_000).expect("statements");
    println!("{figures}");
    let _ = std::fs::remove_dir_all(&statements);

    import_figures(dir.path(), as_of, customers_wanted);
    table.print();
    let size = file_size(&path);
    println!("database size: {:.0} MB", size as f64 / 1e6);
    println!("peak RSS of this process: {} MB", peak_rss_mb());
}

fn list_query(search: Option<&str>, sort: CustomerSort, as_of: NaiveDate) -> CustomerListQuery {
    CustomerListQuery {
        search: search.map(str::to_string),
        sort,
        filters: Default::default(),
        limit: 50,
        offset: 0,
        as_of,
    }
}

/// Planning the "friendly" preset over every customer: who gets which reminder today and why
/// the others do not.
fn campaign_figure(conn: &Connection, as_of: NaiveDate) {
    let preset = campaign::preset("friendly").expect("preset");
    let id = match campaign::list(conn)
        .expect("list")
        .iter()
        .find(|c| c.name == preset.name)
    {
        Some(existing) => existing.id,
        None => campaign::create(conn, &preset).expect("create"),
    };
    let customers = customers::count(conn).expect("count");
    let started = Instant::now();
    let plan = campaign::plan::plan(conn, id, as_of).expect("plan");
    let took = started.elapsed();
    println!(
        "plan a campaign over {customers} customers: {:.0} ms ({} to contact, {} excluded with a reason) (goal < 1 s for 50,000)",
        took.as_secs_f64() * 1e3,
        plan.contacts.len(),
        plan.excluded.len()
    );
}

/// The generic CSV import of ten invoices per customer into a new file, beside the reference:
/// parse with the csv crate and insert customers and invoices with two prepared statements.
fn import_figures(dir: &Path, as_of: NaiveDate, customers: u32) {
    let rows = u64::from(customers) * 10;
    let csv_path = dir.join("invoices.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&csv_path).expect("csv"));
    import::write_generic_sample(&mut file, rows, u64::from(customers), 5, as_of).expect("write");
    drop(file);

    let ours_path = dir.join("import-ours.sqlite");
    let mut db = Database::open(&ours_path).expect("open");
    let started = Instant::now();
    let report = import::import_file(&mut db, &csv_path, &ImportOptions::new(as_of), &mut |_| {})
        .expect("import");
    let ours = started.elapsed();
    assert_eq!(report.rows_rejected, 0, "the sample imports cleanly");
    drop(db);

    let reference_path = dir.join("import-reference.sqlite");
    let started = Instant::now();
    reference_import(&reference_path, &csv_path);
    let reference = started.elapsed();
    println!(
        "import {rows} generic CSV rows: ours {:.2} s ({:.0} rows/s), reference {:.2} s ({:.0} rows/s), {:.1}× (goal < 10 s)",
        ours.as_secs_f64(),
        rows as f64 / ours.as_secs_f64(),
        reference.as_secs_f64(),
        rows as f64 / reference.as_secs_f64(),
        ours.as_secs_f64() / reference.as_secs_f64()
    );
    for path in [&csv_path, &ours_path, &reference_path] {
        let _ = std::fs::remove_file(path);
    }
}

fn reference_import(db_path: &Path, csv_path: &Path) {
    let mut db = Database::open(db_path).expect("open");
    let tx = db.conn_mut().transaction().expect("tx");
    let mut reader = csv::Reader::from_path(csv_path).expect("csv");
    let mut customer_ids: HashMap<String, i64> = HashMap::new();
    {
        let mut add_customer = tx
            .prepare("INSERT INTO customers (name, name_key, created_at, updated_at) VALUES (?1, ?2, '', '')")
            .expect("prepare");
        let mut add_invoice = tx
            .prepare(
                "INSERT INTO invoices (customer_id, kind, number, issue_date, due_date, currency,
                                       total_minor, paid_minor, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '', '')",
            )
            .expect("prepare");
        let mut record = csv::StringRecord::new();
        while reader.read_record(&mut record).expect("record") {
            let name = &record[0];
            let customer_id = if let Some(id) = customer_ids.get(name) {
                *id
            } else {
                add_customer
                    .execute(params![name, name.to_lowercase()])
                    .expect("customer");
                let id = tx.last_insert_rowid();
                customer_ids.insert(name.to_string(), id);
                id
            };
            let cents = |text: &str| -> i64 {
                let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
                whole.parse::<i64>().unwrap_or(0) * 100 + fraction.parse::<i64>().unwrap_or(0)
            };
            let total = cents(&record[5]);
            let kind = if total < 0 { "credit_note" } else { "invoice" };
            add_invoice
                .execute(params![
                    customer_id,
                    kind,
                    &record[2],
                    &record[3],
                    &record[4],
                    &record[7],
                    total,
                    total - cents(&record[6])
                ])
                .expect("invoice");
        }
    }
    tx.commit().expect("commit");
}

// ---- references: the shortest raw-SQL answer to each question ----

fn reference_first_page(conn: &Connection, by_due: bool) {
    let sql = if by_due {
        "SELECT id, name, oldest_open_due FROM customers
         ORDER BY coalesce(oldest_open_due, '9999-12-31'), name_key LIMIT 50"
    } else {
        "SELECT id, name, oldest_open_due FROM customers ORDER BY name_key LIMIT 50"
    };
    let mut stmt = conn.prepare_cached(sql).expect("prepare");
    let rows: Vec<(i64, String, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let ids = serde_json::to_string(&ids).expect("json");
    let mut stmt = conn
        .prepare_cached(
            "SELECT customer_id, currency, open_minor FROM customer_balances
             WHERE customer_id IN (SELECT value FROM json_each(?1))",
        )
        .expect("prepare");
    let _: Vec<(i64, String, i64)> = stmt
        .query_map([ids], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
}

fn reference_detail(conn: &Connection, id: i64) {
    let queries = [
        "SELECT id, name, segment, currency FROM customers WHERE id = ?1",
        "SELECT id, name, email, phone FROM contacts WHERE customer_id = ?1",
        "SELECT id, number, due_date, total_minor, paid_minor, currency FROM invoices
         WHERE customer_id = ?1",
        "SELECT id, body, created_at FROM notes WHERE customer_id = ?1
         ORDER BY created_at DESC LIMIT 20",
    ];
    for sql in queries {
        let mut stmt = conn.prepare_cached(sql).expect("prepare");
        let mut rows = stmt.query([id]).expect("query");
        while let Some(row) = rows.next().expect("row") {
            let _: i64 = row.get(0).expect("id");
        }
    }
}

fn reference_search(conn: &Connection, term: &str) {
    let fts = format!("\"{}\"*", term.replace('"', "\"\""));
    let sql = if term.contains(|c: char| c.is_ascii_digit()) {
        "SELECT id, number FROM invoices WHERE number >= ?1 LIMIT 50"
    } else {
        "SELECT rowid, name FROM customer_search WHERE customer_search MATCH ?1 LIMIT 50"
    };
    let mut stmt = conn.prepare_cached(sql).expect("prepare");
    let _: Vec<(i64, String)> = stmt
        .query_map(
            [if term.contains(|c: char| c.is_ascii_digit()) {
                term.to_string()
            } else {
                fts
            }],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
}

fn reference_aging(conn: &Connection, as_of: NaiveDate) {
    let mut stmt = conn
        .prepare_cached(
            "SELECT currency, CAST(julianday(?1) - julianday(due_date) AS INTEGER) / 30,
                    SUM(total_minor - paid_minor)
             FROM invoices WHERE status = 'open' GROUP BY 1, 2",
        )
        .expect("prepare");
    let _: Vec<(String, i64, i64)> = stmt
        .query_map(params![as_of.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
}

/// The sums the KPIs are made of, in plain SQL: per currency and month of issue, what was sold
/// up to `as_of`; per currency, what was paid up to it; and when each invoice paid in full got its
/// last payment.
fn reference_kpis(conn: &Connection, as_of: NaiveDate) {
    let as_of = as_of.to_string();
    let rows = |sql: &str| -> usize {
        let mut stmt = conn.prepare_cached(sql).expect("prepare");
        let n = stmt
            .query_map(params![as_of], |_| Ok(()))
            .expect("query")
            .count();
        n
    };
    rows(
        "SELECT currency, substr(issue_date, 1, 7), SUM(total_minor),
                SUM(CASE WHEN due_date >= ?1 THEN total_minor ELSE 0 END)
         FROM invoices WHERE status != 'void' AND issue_date <= ?1 GROUP BY 1, 2",
    );
    rows(
        "SELECT i.currency, SUM(p.amount_minor) FROM payments p JOIN invoices i ON i.id = p.invoice_id
         WHERE p.paid_on <= ?1 AND i.issue_date <= ?1 GROUP BY 1",
    );
    rows(
        "SELECT i.id, i.total_minor, i.due_date, MAX(p.paid_on) FROM invoices i
         JOIN payments p ON p.invoice_id = i.id
         WHERE i.status = 'paid' AND p.paid_on <= ?1 GROUP BY i.id",
    );
}

// ---- sampling and reporting ----

fn sample_ids(conn: &Connection) -> Vec<i64> {
    let mut rng = fastrand::Rng::with_seed(7);
    let max: i64 = conn
        .query_row("SELECT max(id) FROM customers", [], |r| r.get(0))
        .expect("max id");
    (0..SAMPLES).map(|_| rng.i64(1..=max)).collect()
}

/// What people type: 2–5 letter prefixes of real names, contact emails, invoice numbers.
fn sample_terms(conn: &Connection) -> [Vec<String>; 3] {
    let mut stmt = conn
        .prepare(
            "SELECT c.name, k.email, i.number FROM customers c
             JOIN contacts k ON k.customer_id = c.id JOIN invoices i ON i.customer_id = c.id
             WHERE c.id % 97 = 0 AND k.email IS NOT NULL GROUP BY c.id LIMIT 400",
        )
        .expect("prepare");
    let mut rng = fastrand::Rng::with_seed(11);
    let mut terms: [Vec<String>; 3] = Default::default();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .expect("query");
    for row in rows {
        let (name, email, number) = row.expect("row");
        let word = name.split_whitespace().next().unwrap_or("a").to_string();
        let len = rng.usize(2..=5).min(word.chars().count());
        terms[0].push(word.chars().take(len).collect());
        terms[1].push(email.split('@').next().unwrap_or("a").to_string());
        terms[2].push(number);
    }
    terms
}

fn sample(f: impl FnMut(usize)) -> Vec<Duration> {
    sample_n(SAMPLES, f)
}

fn sample_n(n: usize, mut f: impl FnMut(usize)) -> Vec<Duration> {
    f(0); // warm the statement cache and the pages
    (0..n)
        .map(|i| {
            let started = Instant::now();
            f(i);
            started.elapsed()
        })
        .collect()
}

#[derive(Default)]
struct Table {
    rows: Vec<[String; 6]>,
}

impl Table {
    fn timed(&mut self, what: &str, goal: &str, ours: Vec<Duration>, reference: Vec<Duration>) {
        let (o50, o95) = percentiles(ours);
        let (r50, r95) = percentiles(reference);
        self.rows.push([
            what.to_string(),
            format!("{} / {}", fmt(o50), fmt(o95)),
            format!("{} / {}", fmt(r50), fmt(r95)),
            format!("{:.2}×", o95.as_secs_f64() / r95.as_secs_f64().max(1e-9)),
            goal.to_string(),
            String::new(),
        ]);
    }

    fn print(&self) {
        println!();
        println!(
            "{:<40} {:>22} {:>22} {:>8}  goal",
            "figure", "ours p50 / p95", "reference p50 / p95", "p95 ×"
        );
        for row in &self.rows {
            println!(
                "{:<40} {:>22} {:>22} {:>8}  {}",
                row[0], row[1], row[2], row[3], row[4]
            );
        }
    }
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95))
}

fn fmt(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1_000.0 {
        format!("{us:.0} µs")
    } else {
        format!("{:.2} ms", us / 1_000.0)
    }
}

fn total_rows(conn: &Connection) -> i64 {
    [
        "customers",
        "contacts",
        "invoices",
        "payments",
        "notes",
        "promises",
        "disputes",
    ]
    .iter()
    .map(|t| {
        conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .expect("count")
    })
    .sum()
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
