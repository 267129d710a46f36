//! `duebook report kpis`: collection KPIs per currency (DSO, best DSO, ADD, CEI, days to pay).

use super::{print, Output};
use chrono::NaiveDate;
use clap::Args;
use duebook_core::store::Database;
use duebook_core::views::report::kpis::{self, Kpis};
use duebook_core::views::report::table::{amount, Cell, ReportTable};

#[derive(Args)]
pub struct KpisArgs {
    /// The day D the figures are for (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<NaiveDate>,
    #[command(flatten)]
    output: Output,
    /// N: the days of sales standard DSO divides by, and of invoices paid in full.
    #[arg(long, value_name = "N", default_value_t = kpis::DEFAULT_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=3660))]
    days: u32,
}

pub fn run(db: &Database, args: KpisArgs, today: NaiveDate) -> Result<(), String> {
    let kpis =
        kpis::kpis(db.conn(), args.as_of.unwrap_or(today), args.days).map_err(|e| e.to_string())?;
    if args.output.csv {
        return print(&csv_table(&kpis), &args.output);
    }
    if args.output.json {
        println!("{}", kpis.to_json());
    } else {
        print!("{}", kpis.to_text());
    }
    Ok(())
}

/// One row per currency, the columns named as in the JSON.
fn csv_table(kpis: &Kpis) -> ReportTable {
    let rows = kpis.currencies.iter().map(|(code, k)| {
        let mut cells = vec![Cell::Plain(code.clone())];
        cells.extend([k.ar_total, k.ar_current, k.ar_overdue].map(|minor| amount(minor, code)));
        cells.extend(
            [
                k.dso_countback,
                k.dso_standard,
                k.best_dso,
                k.add,
                k.cei,
                k.average_days_to_pay,
                k.average_days_late,
            ]
            .map(Cell::Figure),
        );
        cells
    });
    ReportTable {
        title: format!("KPIs as of {}", kpis.as_of),
        meta: vec![("as_of", kpis.as_of.to_string())],
        columns: vec![
            "currency",
            "ar_total",
            "ar_current",
            "ar_overdue",
            "dso_countback",
            "dso_standard",
            "best_dso",
            "add",
            "cei",
            "average_days_to_pay",
            "average_days_late",
        ],
        rows: rows.collect(),
    }
}
