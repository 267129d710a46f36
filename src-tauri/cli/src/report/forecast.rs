//! `duebook report forecast`: open invoices expected by week for the next 8 weeks.

use super::{print, Output};
use chrono::NaiveDate;
use clap::Args;
use duebook_core::store::Database;
use duebook_core::views::report::forecast::forecast;

#[derive(Args)]
pub struct ForecastArgs {
    /// The first day of week 1 (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<NaiveDate>,
    /// The basis per customer instead: open balance, the shift in days and where it came from.
    #[arg(long)]
    customers: bool,
    #[command(flatten)]
    output: Output,
}

pub fn run(db: &Database, args: ForecastArgs, today: NaiveDate) -> Result<(), String> {
    let forecast = forecast(db.conn(), args.as_of.unwrap_or(today)).map_err(|e| e.to_string())?;
    let table = match args.customers {
        true => forecast.customers_table(),
        false => forecast.table(),
    };
    print(&table, &args.output)
}
