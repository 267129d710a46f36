//! A deterministic generic CSV of any size: what `make bench` imports, and what tests use to
//! check that big files import cleanly.

use chrono::{Days, NaiveDate};
use std::io::{self, Write};

// The demo's company names, so benchmark data looks like demo data.
use crate::demo::{PREFIXES, TRADES};
/// (code, weight out of 100).
const CURRENCIES: &[(&str, u32)] = &[("USD", 70), ("EUR", 15), ("GBP", 10), ("JPY", 5)];

/// Writes a header and `rows` invoices spread over `customers` customers: ISO dates over the
/// last 400 days, terms of 14–60 days, about one in five partly paid and one in twenty a credit
/// note, four currencies. The same arguments always write the same bytes.
pub fn write_generic_sample(
    out: &mut dyn Write,
    rows: u64,
    customers: u64,
    seed: u64,
    today: NaiveDate,
) -> io::Result<()> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let customers = customers.max(1);
    writeln!(
        out,
        "customer_name,email,invoice_number,issue_date,due_date,amount,amount_due,currency"
    )?;
    for i in 0..rows {
        let customer = (i * 7919) % customers;
        let name = format!(
            "{} {} {}",
            PREFIXES[(customer % PREFIXES.len() as u64) as usize],
            TRADES[((customer / PREFIXES.len() as u64) % TRADES.len() as u64) as usize],
            customer
        );
        let issue = today - Days::new(rng.u64(0..400));
        let due = issue + Days::new([14, 30, 30, 45, 60][rng.usize(0..5)]);
        let (code, decimals) = currency(&mut rng);
        let mut total = rng.i64(5_000..2_000_000) / if decimals == 0 { 100 } else { 1 };
        let mut open = match rng.u32(0..100) {
            0..=79 => total,
            _ => total * i64::from(rng.u32(10..90)) / 100,
        };
        if rng.u32(0..100) < 5 {
            total = -total;
            open = -open;
        }
        writeln!(
            out,
            "\"{name}\",ap@customer{customer}.example,INV-{i:07},{issue},{due},{},{},{code}",
            decimal(total, decimals),
            decimal(open, decimals),
        )?;
    }
    Ok(())
}

fn currency(rng: &mut fastrand::Rng) -> (&'static str, u32) {
    let mut pick = rng.u32(0..100);
    for (code, weight) in CURRENCIES {
        if pick < *weight {
            return (code, if *code == "JPY" { 0 } else { 2 });
        }
        pick -= weight;
    }
    ("USD", 2)
}

fn decimal(minor: i64, decimals: u32) -> String {
    crate::model::format_minor(minor, decimals)
}
