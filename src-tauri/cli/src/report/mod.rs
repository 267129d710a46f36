//! `duebook report ...`: collection reports, one command per file, each as text (names escaped
//! for the terminal), `--json` (amounts as decimal strings) or `--csv` (a header, one row a line).

mod aging;
mod collected;
mod conversion;
mod forecast;
mod kpis;
mod promises;

use chrono::{Days, NaiveDate};
use clap::{Args, Subcommand};
use duebook_core::store::Database;
use duebook_core::views::report::table::ReportTable;
use std::path::Path;

#[derive(Subcommand)]
pub enum ReportAction {
    /// AR, DSO (countback and standard), best possible DSO, ADD, CEI and the average days to pay
    /// and late, per currency; "-" (null in JSON) where a figure would divide by nothing.
    Kpis(kpis::KpisArgs),
    /// Open amounts per customer and currency in aging buckets on a day; `--customer ID` lists
    /// that customer's invoices as they stood on it, `--top` the 10 most overdue customers.
    Aging(aging::AgingArgs),
    /// Open invoices expected by week for the next 8 weeks: due dates shifted by each customer's
    /// average days late (`--customers` shows each shift and where it came from).
    Forecast(forecast::ForecastArgs),
    /// Payments received on invoices per currency per month, the last 12 months.
    Collected(collected::CollectedArgs),
    /// Promises due in a period and how many were kept.
    Promises(promises::PromisesArgs),
    /// Customers who paid or promised within 14 days of a campaign reminder, per campaign, step
    /// and A/B variant.
    Conversion(conversion::ConversionArgs),
}

/// How a report is printed.
#[derive(Args)]
pub struct Output {
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    #[arg(long)]
    csv: bool,
}

/// A period of days ending on `--to` (default: today).
#[derive(Args)]
pub struct Period {
    /// The first day (default: 89 days before the last, so 90 days in all).
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<NaiveDate>,
    /// The last day (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: Option<NaiveDate>,
}

impl Period {
    fn days(&self, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), String> {
        let to = self.to.unwrap_or(today);
        let from = self
            .from
            .unwrap_or_else(|| to.checked_sub_days(Days::new(89)).unwrap_or(NaiveDate::MIN));
        if from > to {
            return Err(format!("--from {from} is after --to {to}"));
        }
        Ok((from, to))
    }
}

pub fn report(path: &Path, action: ReportAction, today: NaiveDate) -> Result<(), String> {
    let db = Database::open(path).map_err(|e| e.to_string())?;
    match action {
        ReportAction::Kpis(args) => kpis::run(&db, args, today),
        ReportAction::Aging(args) => aging::run(&db, args, today),
        ReportAction::Forecast(args) => forecast::run(&db, args, today),
        ReportAction::Collected(args) => collected::run(&db, args, today),
        ReportAction::Promises(args) => promises::run(&db, args, today),
        ReportAction::Conversion(args) => conversion::run(&db, args, today),
    }
}

/// Prints `table` as the user asked.
fn print(table: &ReportTable, output: &Output) -> Result<(), String> {
    if output.json {
        println!("{}", table.to_json());
    } else if output.csv {
        print!("{}", table.to_csv(true).map_err(|e| e.to_string())?);
    } else {
        print!("{}", table.to_text());
    }
    Ok(())
}
