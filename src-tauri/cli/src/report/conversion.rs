//! `duebook report conversion`: customers who paid or promised within 14 days of a reminder.

use super::{print, Output, Period};
use chrono::NaiveDate;
use clap::Args;
use duebook_core::store::Database;
use duebook_core::views::report::conversion::conversion;

#[derive(Args)]
pub struct ConversionArgs {
    /// The reminders sent in this period count.
    #[command(flatten)]
    period: Period,
    #[command(flatten)]
    output: Output,
}

pub fn run(db: &Database, args: ConversionArgs, today: NaiveDate) -> Result<(), String> {
    let (from, to) = args.period.days(today)?;
    let conversion = conversion(db.conn(), from, to).map_err(|e| e.to_string())?;
    print(&conversion.table(), &args.output)
}
