//! `duebook demo`: fill a new database with realistic demo data.

use crate::terminal;
use chrono::NaiveDate;
use clap::Args;
use duebook_core::demo;
use duebook_core::store::Database;
use std::path::Path;

#[derive(Args)]
pub struct DemoArgs {
    #[arg(long, default_value_t = demo::STANDARD_CUSTOMERS)]
    customers: u32,
    #[arg(long, default_value_t = demo::STANDARD_SEED)]
    seed: u64,
    /// Date the data is generated around (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<NaiveDate>,
}

pub fn demo(path: &Path, args: DemoArgs, today: NaiveDate) -> Result<(), String> {
    let mut db = Database::open(path).map_err(|e| e.to_string())?;
    let options = demo::DemoOptions {
        customers: args.customers,
        seed: args.seed,
        today: args.today.unwrap_or(today),
    };
    let summary = demo::generate(&mut db, &options).map_err(|e| e.to_string())?;
    println!(
        "demo data written to {}: {} customers, {} invoices, {} payments",
        terminal::path(path),
        summary.customers,
        summary.invoices,
        summary.payments
    );
    Ok(())
}
