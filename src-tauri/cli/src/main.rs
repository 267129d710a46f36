//! `duebook`: the command line over duebook-core, for imports, reports and scheduled jobs.
//! Every subcommand resolves the database exactly like the app does (see `paths`).

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::paths;
use duebook_core::store::Database;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod account;
mod account_imap;
mod account_login;
mod aging;
mod backup;
mod campaigns;
mod customers;
mod demo;
mod fees;
mod import;
mod inbox;
mod mail;
mod owners;
mod plans;
mod profiles;
mod report;
mod statements;
mod templates;
mod terminal;
mod watched;

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
    Demo(demo::DemoArgs),
    /// Open receivables per currency in aging buckets.
    Aging(aging::AgingArgs),
    /// Collection reports: KPIs, aging by customer, cash forecast, collected, promises, conversion.
    Report {
        #[command(subcommand)]
        action: report::ReportAction,
    },
    /// Import open invoices (or a QuickBooks customer contact list) from a CSV export; with
    /// `--payments`, the payments received listed in a payments file.
    ///
    /// Exit status: 0 when the file was read, even if some rows were rejected (each is listed
    /// as "line N: reason"); 1 when nothing could be imported (unreadable file, unknown layout,
    /// every row rejected).
    Import(import::ImportArgs),
    /// Saved import profiles: column mappings recognised by a file's header row.
    Profiles {
        #[command(subcommand)]
        action: profiles::ProfilesAction,
    },
    /// Account owners: who looks after which customers (`list`, `assign`).
    Owners {
        #[command(subcommand)]
        action: owners::OwnersAction,
    },
    /// Late fees and interest: the statutory rate (reference rate plus points).
    Fees {
        #[command(subcommand)]
        action: fees::FeesAction,
    },
    /// Payment plans: open invoices paid in agreed instalments (`create`, `list`, `cancel`).
    Plans {
        #[command(subcommand)]
        action: plans::PlansAction,
    },
    /// The SMTP account reminders are sent through (password in the OS keychain).
    Account {
        #[command(subcommand)]
        action: account::AccountAction,
    },
    /// The mailbox replies arrive in: `inbox sync` reads what is new (for cron or a timer).
    Inbox {
        #[command(subcommand)]
        action: inbox::InboxAction,
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
    /// A customer's credit limit and "on hold" flag.
    Customers {
        #[command(subcommand)]
        action: customers::CustomersAction,
    },
    /// Email templates: list, export to files, check files, set from files, reset, preview.
    Templates {
        #[command(subcommand)]
        action: templates::TemplatesAction,
    },
    /// Back the database up now (`backup`, `backup --to DIR`), or list its backups (`backup list`).
    ///
    /// Backups are consistent while the app or a timer writes. Automatic ones are made daily
    /// and before every import, bulk send and migration, in `backups/` beside the database.
    Backup(backup::BackupArgs),
    /// Restore a backup into the database; the current file is backed up first. A damaged,
    /// foreign or newer file is refused.
    Restore(backup::RestoreArgs),
    /// The watched folder (off by default): where a scheduled export lands. Each new file is
    /// imported (its layout or saved profile recognised) and moved to `imported/` or
    /// `rejected/` with a report; the app does it while open, `run-due` before the reminders.
    Watched {
        #[command(subcommand)]
        action: Option<watched::WatchedAction>,
    },
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // Beside the app's log: what a timer's `run-due` did is there to read afterwards.
    if let Err(e) = duebook_core::logs::init("duebook") {
        eprintln!("warning: no log file: {e}");
    }
    tracing::info!(
        "duebook {} {}",
        duebook_core::VERSION,
        command_name(&matches)
    );
    match run(cli) {
        Ok(code) => {
            tracing::info!("finished");
            code
        }
        Err(message) => {
            tracing::error!("{message}");
            eprint!("{}", terminal::lines(&format!("error: {message}")));
            ExitCode::FAILURE
        }
    }
}

/// The subcommand's names (`run-due`, `account set`) as clap parsed them: the log names what
/// ran, never a value given on the command line.
fn command_name(matches: &clap::ArgMatches) -> String {
    let mut words = Vec::new();
    let mut at = matches;
    while let Some((name, sub)) = at.subcommand() {
        words.push(name);
        at = sub;
    }
    words.join(" ")
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let path = paths::resolve_db_path(cli.db.as_deref()).map_err(|e| e.to_string())?;
    // A restore must work on a file that no longer opens; a backup copies it as it is.
    match cli.command {
        Command::Restore(args) => return backup::restore(&path, args),
        Command::Backup(args) => return backup::backup(&path, args),
        _ => announce_upgrade(&path)?,
    }
    let today = SystemClock.today();
    match cli.command {
        Command::Demo(args) => demo::demo(&path, args, today)?,
        Command::Aging(args) => aging::aging(&path, args, today)?,
        Command::Report { action } => report::report(&path, action, today)?,
        Command::Import(args) => return import::import(&path, args, today),
        Command::Profiles { action } => return profiles::profiles(&path, action),
        Command::Owners { action } => return owners::owners(&path, action),
        Command::Fees { action } => return fees::fees(&path, action, today),
        Command::Plans { action } => return plans::plans(&path, action, today),
        Command::Account { action } => return account::account(&path, action),
        Command::Inbox { action } => return inbox::inbox(&path, action, today),
        Command::Send(args) => return mail::send(&path, args, today),
        Command::Outbox { action } => return mail::outbox(&path, action),
        Command::Statements(args) => return statements::statements(&path, args, today),
        Command::RunDue(args) => return campaigns::run_due(&path, args, today),
        Command::Campaigns { action } => return campaigns::campaigns(&path, action, today),
        Command::Templates { action } => return templates::templates(&path, action, today),
        Command::Watched { action } => return watched::watched(&path, action, today),
        Command::Customers { action } => customers::customers(&path, action)?,
        Command::Backup(_) | Command::Restore(_) => {}
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

#[cfg(test)]
mod tests {
    use super::{command_name, Cli};
    use clap::CommandFactory;

    fn named(args: &[&str]) -> String {
        let matches =
            Cli::command().get_matches_from(std::iter::once("duebook").chain(args.iter().copied()));
        command_name(&matches)
    }

    #[test]
    fn the_log_names_the_subcommand_and_no_value() {
        assert_eq!(
            named(&["--db", "/home/a/books.sqlite", "run-due"]),
            "run-due"
        );
        assert_eq!(named(&["account", "show"]), "account show");
        assert_eq!(
            named(&["send", "--customer", "5", "--template", "t"]),
            "send"
        );
        assert_eq!(named(&["import", "/tmp/acme.csv"]), "import");
    }
}
