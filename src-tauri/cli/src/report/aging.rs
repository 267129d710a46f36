//! `duebook report aging`: open amounts per customer in aging buckets on a day, one customer's
//! invoices as they stood then (`--customer`), or the most overdue customers (`--top`).

use super::{print, Output};
use chrono::NaiveDate;
use clap::Args;
use duebook_core::store::Database;
use duebook_core::views::report::customer_aging::{customer_aging, invoices_as_of, invoices_table};
use duebook_core::views::report::top_overdue::TopOverdue;

#[derive(Args)]
pub struct AgingArgs {
    /// The day the invoices are aged on (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<NaiveDate>,
    /// This customer's invoices open on the day instead.
    #[arg(long, value_name = "ID", conflicts_with = "top")]
    customer: Option<i64>,
    /// The 10 customers with the most overdue per currency instead.
    #[arg(long)]
    top: bool,
    #[command(flatten)]
    output: Output,
}

pub fn run(db: &Database, args: AgingArgs, today: NaiveDate) -> Result<(), String> {
    let as_of = args.as_of.unwrap_or(today);
    let table = match args.customer {
        Some(id) => {
            let invoices = invoices_as_of(db.conn(), id, as_of).map_err(|e| e.to_string())?;
            invoices_table(id, as_of, &invoices)
        }
        None => {
            let aging = customer_aging(db.conn(), as_of).map_err(|e| e.to_string())?;
            if args.top {
                TopOverdue::from_aging(&aging).table()
            } else {
                aging.table()
            }
        }
    };
    print(&table, &args.output)
}
