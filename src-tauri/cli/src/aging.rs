//! `duebook aging`: open receivables per currency in aging buckets, as a table or JSON.

use chrono::NaiveDate;
use clap::Args;
use duebook_core::store::Database;
use duebook_core::views::report;
use std::path::Path;

#[derive(Args)]
pub struct AgingArgs {
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<NaiveDate>,
    #[arg(long)]
    json: bool,
}

pub fn aging(path: &Path, args: AgingArgs, today: NaiveDate) -> Result<(), String> {
    let db = Database::open(path).map_err(|e| e.to_string())?;
    let aging =
        report::aging::aging(db.conn(), args.as_of.unwrap_or(today)).map_err(|e| e.to_string())?;
    if args.json {
        println!("{}", aging.to_json());
    } else {
        print!("{}", aging.to_table());
    }
    Ok(())
}
