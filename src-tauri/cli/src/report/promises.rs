//! `duebook report promises`: the promises due in a period, kept, broken and pending.

use super::{print, Output, Period};
use chrono::NaiveDate;
use clap::Args;
use duebook_core::store::Database;
use duebook_core::views::report::promises::promises_kept;

#[derive(Args)]
pub struct PromisesArgs {
    #[command(flatten)]
    period: Period,
    #[command(flatten)]
    output: Output,
}

pub fn run(db: &Database, args: PromisesArgs, today: NaiveDate) -> Result<(), String> {
    let (from, to) = args.period.days(today)?;
    let kept = promises_kept(db.conn(), from, to).map_err(|e| e.to_string())?;
    print(&kept.table(), &args.output)
}
