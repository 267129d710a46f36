//! `duebook statements`: statement-of-account PDFs into a folder, on every core.

use crate::terminal::{self, for_terminal};
use chrono::NaiveDate;
use clap::Args;
use duebook_core::statement::{self, BulkOptions, BulkProgress, Selection, StatementOptions};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

#[derive(Args)]
pub struct StatementsArgs {
    /// Statement date (default: today). Activity after it is left out.
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<NaiveDate>,
    /// First day of the period the activity table covers (default: the first day of the month
    /// before the statement date's month).
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<NaiveDate>,
    /// Folder to write the PDFs into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Only this customer (repeatable); without it, every customer with an open balance.
    #[arg(long = "customer", value_name = "ID")]
    customers: Vec<i64>,
}

/// Exit status: 0 when every statement was written, 1 when any failed.
pub fn statements(
    db_path: &Path,
    args: StatementsArgs,
    today: NaiveDate,
) -> Result<ExitCode, String> {
    let as_of = args.as_of.unwrap_or(today);
    let options = BulkOptions {
        statement: StatementOptions {
            as_of,
            period_start: args.from,
        },
        selection: if args.customers.is_empty() {
            Selection::WithBalance
        } else {
            Selection::Customers(args.customers)
        },
        threads: None,
    };
    let show_progress = std::io::stderr().is_terminal();
    let progress = |p: BulkProgress| {
        if show_progress {
            eprint!("\rstatements: {}/{}", p.done, p.total);
        }
    };
    let result = statement::write_all(
        db_path,
        &args.out,
        &options,
        &progress,
        &AtomicBool::new(false),
    );
    if show_progress {
        eprint!("\r                              \r");
    }
    let summary = result.map_err(|e| e.to_string())?;
    println!(
        "wrote {} statement{} to {} (as of {as_of}, activity from {}) in {:.2} s",
        summary.written.len(),
        if summary.written.len() == 1 { "" } else { "s" },
        terminal::path(&args.out),
        options.statement.period_start(),
        summary.elapsed.as_secs_f64(),
    );
    if summary.planned == 0 {
        println!("(no customer has an open balance)");
    }
    if !summary.without_email.is_empty() {
        println!(
            "No email address for {} customer{} (their statements are written, but cannot be emailed):",
            summary.without_email.len(),
            if summary.without_email.len() == 1 { "" } else { "s" }
        );
        for p in &summary.without_email {
            println!(
                "  #{} {}  {}",
                p.customer_id,
                for_terminal(&p.customer_name),
                for_terminal(&p.file_name)
            );
        }
    }
    for f in &summary.failed {
        eprintln!(
            "failed: #{} {}: {}",
            f.customer_id,
            for_terminal(&f.customer_name),
            for_terminal(&f.error)
        );
    }
    Ok(if summary.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
