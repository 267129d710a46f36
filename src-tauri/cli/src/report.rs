//! `duebook report kpis`: collection KPIs per currency (DSO, best DSO, ADD, CEI, days to pay),
//! as text or JSON.

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use duebook_core::store::Database;
use duebook_core::views::report::kpis;
use std::path::Path;

#[derive(Subcommand)]
pub enum ReportAction {
    /// AR, DSO (countback and standard), best possible DSO, ADD, CEI and the average days to pay
    /// and late, per currency; "-" (null in JSON) where a figure would divide by nothing.
    Kpis(KpisArgs),
}

#[derive(Args)]
pub struct KpisArgs {
    /// The day D the figures are for (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<NaiveDate>,
    #[arg(long)]
    json: bool,
    /// N: the days of sales standard DSO divides by, and of invoices paid in full.
    #[arg(long, value_name = "N", default_value_t = kpis::DEFAULT_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=3660))]
    days: u32,
}

pub fn report(path: &Path, action: ReportAction, today: NaiveDate) -> Result<(), String> {
    match action {
        ReportAction::Kpis(args) => {
            let db = Database::open(path).map_err(|e| e.to_string())?;
            let kpis = kpis::kpis(db.conn(), args.as_of.unwrap_or(today), args.days)
                .map_err(|e| e.to_string())?;
            if args.json {
                println!("{}", kpis.to_json());
            } else {
                print!("{}", kpis.to_text());
            }
            Ok(())
        }
    }
}
