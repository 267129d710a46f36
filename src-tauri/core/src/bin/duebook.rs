//! `duebook`: the command line over duebook-core, for imports, reports and scheduled jobs.
//! Every subcommand resolves the database exactly like the app does (see `paths`).

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::db::Database;
use duebook_core::{demo, paths, report};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "duebook",
    version,
    about = "Duebook: collections for small finance teams"
)]
struct Cli {
    /// The database file (default: $DUEBOOK_DB, else the app's current database).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fill a new database with realistic demo data (refuses a file that has customers).
    Demo {
        #[arg(long, default_value_t = 60)]
        customers: u32,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Date the data is generated around (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<NaiveDate>,
    },
    /// Open receivables per currency in aging buckets.
    Aging {
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let path = paths::resolve_db_path(cli.db.as_deref()).map_err(|e| e.to_string())?;
    let today = SystemClock.today();
    match cli.command {
        Command::Demo {
            customers,
            seed,
            today: on,
        } => {
            let mut db = Database::open(&path).map_err(|e| e.to_string())?;
            let options = demo::DemoOptions {
                customers,
                seed,
                today: on.unwrap_or(today),
            };
            let summary = demo::generate(&mut db, &options).map_err(|e| e.to_string())?;
            println!(
                "demo data written to {}: {} customers, {} invoices, {} payments",
                path.display(),
                summary.customers,
                summary.invoices,
                summary.payments
            );
        }
        Command::Aging { as_of, json } => {
            let db = Database::open(&path).map_err(|e| e.to_string())?;
            let aging = report::aging::aging(db.conn(), as_of.unwrap_or(today))
                .map_err(|e| e.to_string())?;
            if json {
                println!("{}", aging.to_json());
            } else {
                print!("{}", aging.to_table());
            }
        }
    }
    Ok(())
}
