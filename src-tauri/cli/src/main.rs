//! `duebook`: the command line over duebook-core, for imports, reports and scheduled jobs.
//! Every subcommand resolves the database exactly like the app does (see `paths`).

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::import::{self, ImportFormat, ImportOptions, ImportProgress, ImportReport};
use duebook_core::store::Database;
use duebook_core::{demo, paths, views::report};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod account;
mod campaigns;
mod mail;
mod statements;
mod templates;
mod terminal;

use terminal::for_terminal;

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
        #[arg(long, default_value_t = demo::STANDARD_CUSTOMERS)]
        customers: u32,
        #[arg(long, default_value_t = demo::STANDARD_SEED)]
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
    /// Import open invoices (or a QuickBooks customer contact list) from a CSV export.
    ///
    /// Exit status: 0 when the file was read, even if some rows were rejected (each is listed
    /// as "line N: reason"); 1 when nothing could be imported (unreadable file, unknown layout,
    /// every row rejected).
    Import {
        /// auto, generic, quickbooks or xero.
        #[arg(long, default_value = "auto", value_name = "FORMAT")]
        format: ImportFormat,
        /// The file lists every open invoice: close the open invoices it does not list.
        #[arg(long)]
        full: bool,
        /// Report what would change without writing anything.
        #[arg(long)]
        dry_run: bool,
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
    },
    /// The SMTP account reminders are sent through (password in the OS keychain).
    Account {
        #[command(subcommand)]
        action: account::AccountAction,
    },
    /// Send one email to a customer's billing contact from a template.
    ///
    /// Exit status: 0 sent, 1 failed or refused (the reason is printed), 3 uncertain (the
    /// connection broke after the message was handed over: check before resending).
    Send(mail::SendArgs),
    /// Messages that failed, are uncertain or wait in the queue; resend or resolve them.
    Outbox {
        #[command(subcommand)]
        action: mail::OutboxAction,
    },
    /// Write statement-of-account PDFs: every customer with a balance, or --customer ID.
    ///
    /// Customers without an email address are listed. Exit status: 0 when every statement
    /// was written, 1 when any failed.
    Statements(statements::StatementsArgs),
    /// Run the campaign steps due today: queue and send the emails, create the call tasks.
    ///
    /// Safe to run from cron or a timer as often as you like: each message has a unique key,
    /// only one process sends at a time, and after days switched off it sends what is due now
    /// once. Exit status: 0 done, 1 a message failed, 3 a message is uncertain.
    RunDue(campaigns::RunDueArgs),
    /// Reminder campaigns: list, create from a preset, preview the plan.
    Campaigns {
        #[command(subcommand)]
        action: campaigns::CampaignsAction,
    },
    /// Email templates: list, export to files, check files, set from files, reset, preview.
    Templates {
        #[command(subcommand)]
        action: templates::TemplatesAction,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprint!("{}", terminal::lines(&format!("error: {message}")));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let path = paths::resolve_db_path(cli.db.as_deref()).map_err(|e| e.to_string())?;
    announce_upgrade(&path)?;
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
                terminal::path(&path),
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
        Command::Import {
            format,
            full,
            dry_run,
            file,
        } => {
            let options = ImportOptions {
                format,
                full,
                dry_run,
                today,
            };
            return import_command(&path, &file, &options);
        }
        Command::Account { action } => return account::account(&path, action),
        Command::Send(args) => return mail::send(&path, args, today),
        Command::Outbox { action } => return mail::outbox(&path, action),
        Command::Statements(args) => return statements::statements(&path, args, today),
        Command::RunDue(args) => return campaigns::run_due(&path, args, today),
        Command::Campaigns { action } => return campaigns::campaigns(&path, action, today),
        Command::Templates { action } => return templates::templates(&path, action, today),
    }
    Ok(ExitCode::SUCCESS)
}

/// Opens (and so migrates) the file once before the command: what an upgrade changed in the
/// user's data goes to stderr, so scripted output stays as it was.
fn announce_upgrade(path: &Path) -> Result<(), String> {
    let db = Database::open(path).map_err(|e| e.to_string())?;
    for notice in db.notices() {
        eprintln!("note: {notice}");
    }
    Ok(())
}

fn import_command(
    db_path: &Path,
    file: &Path,
    options: &ImportOptions,
) -> Result<ExitCode, String> {
    let mut db = Database::open(db_path).map_err(|e| e.to_string())?;
    let show_progress = std::io::stderr().is_terminal();
    let mut progress = |p: ImportProgress| {
        if show_progress && p.bytes_total > 0 {
            eprint!("\rimporting: {:>3}%", p.bytes_done * 100 / p.bytes_total);
        }
    };
    let result = import::import_file(&mut db, file, options, &mut progress);
    if show_progress {
        eprint!("\r               \r");
    }
    let report = result.map_err(|e| e.to_string())?;
    print_import_report(&report);
    if report.nothing_imported() {
        return Err(format!(
            "every row of {} was rejected; nothing was imported",
            report.file_name
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn print_import_report(report: &ImportReport) {
    print!("{}", report.summary());
    let sections = [
        ("Rejected rows", &report.rejections),
        ("Skipped rows", &report.skipped),
        ("Warnings", &report.warnings),
    ];
    for (title, issues) in sections {
        if !issues.is_empty() {
            println!("{title}:");
            for issue in issues {
                println!("  {}", for_terminal(&issue.to_string()));
            }
        }
    }
    let changes: Vec<_> = report
        .changes
        .iter()
        .filter(|c| c.action != import::ChangeAction::Created)
        .collect();
    if !changes.is_empty() {
        println!("Changes:");
        for change in changes {
            let action = match change.action {
                import::ChangeAction::Closed => "closed",
                _ => "updated",
            };
            println!(
                "  {action} {} ({}): {}",
                for_terminal(&change.number),
                for_terminal(&change.customer),
                for_terminal(&change.details.join("; "))
            );
        }
    }
    if report.unlisted > 0 {
        println!("({} more rows or changes not listed)", report.unlisted);
    }
}
