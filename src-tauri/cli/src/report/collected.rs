//! `duebook report collected`: payments received on invoices per currency per month.

use super::{print, Output};
use chrono::NaiveDate;
use clap::Args;
use duebook_core::store::Database;
use duebook_core::views::report::collected::collected;

#[derive(Args)]
pub struct CollectedArgs {
    /// The last day counted; its month is the last of the 12 (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<NaiveDate>,
    #[command(flatten)]
    output: Output,
}

pub fn run(db: &Database, args: CollectedArgs, today: NaiveDate) -> Result<(), String> {
    let collected = collected(db.conn(), args.as_of.unwrap_or(today)).map_err(|e| e.to_string())?;
    print(&collected.table(), &args.output)
}
