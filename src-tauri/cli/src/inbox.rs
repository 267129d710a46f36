//! `duebook inbox sync`: reads the mailbox's INBOX and Sent folder once (read-only) and keeps
//! the customers' replies, automatic replies and bounces; for cron or a timer, as often as
//! wanted — only what is new is read. One line per folder, the totals and why any message was
//! skipped; `--json` prints the whole report.

use crate::account::failed_test;
use crate::mail::{err, runtime};
use crate::terminal::for_terminal;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use duebook_core::mail::imap::{
    self, FolderReport, FolderRole, SyncError, SyncOptions, SyncReport,
};
use duebook_core::mail::{self, sync_account_mailbox};
use duebook_core::secrets::KeychainStore;
use duebook_core::store::Database;
use std::path::Path;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum InboxAction {
    /// Read what is new in INBOX and the Sent folder: replies pause reminders and add a task,
    /// bounces mark the address, our uncertain messages found in Sent are marked sent.
    ///
    /// Nothing in the mailbox changes (nothing is marked read, moved or deleted); mail that is
    /// not a customer's is only counted. Exit status: 0 read, 1 the mailbox could not be read
    /// (the failed step is named).
    Sync(SyncArgs),
}

#[derive(Args)]
pub struct SyncArgs {
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// How far back a folder's first sync reads, in days.
    #[arg(long, value_name = "N", default_value_t = imap::sync::DEFAULT_LOOKBACK_DAYS)]
    lookback_days: u32,
}

pub fn inbox(db_path: &Path, action: InboxAction, today: NaiveDate) -> Result<ExitCode, String> {
    match action {
        InboxAction::Sync(args) => sync(db_path, args, today),
    }
}

fn sync(db_path: &Path, args: SyncArgs, today: NaiveDate) -> Result<ExitCode, String> {
    let db = Database::open(db_path).map_err(err)?;
    let mail_options = mail::mailer_options().map_err(err)?;
    let mut options = SyncOptions::new(today);
    options.lookback_days = args.lookback_days;
    let synced = runtime()?.block_on(sync_account_mailbox(
        db.conn(),
        &KeychainStore::default(),
        &mail_options,
        &options,
    ));
    let report = match synced {
        Ok(report) => report,
        Err(SyncError::Mail(e)) => {
            return Err(failed_test(
                "inbox sync",
                imap::describe_step(e.failed_step()),
                &e,
            ))
        }
        Err(e) => return Err(format!("the inbox sync failed: {e}")),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).map_err(err)?);
    } else {
        print_report(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(report: &SyncReport) {
    for f in &report.folders {
        println!("{}", folder_line(f));
        for s in &f.skipped_reasons {
            println!("  skipped UID {}: {}", s.uid, for_terminal(&s.reason));
        }
        if f.skipped as usize > f.skipped_reasons.len() {
            println!(
                "  ... and {} more skipped",
                f.skipped as usize - f.skipped_reasons.len()
            );
        }
        if let Some(why) = &f.filing_stopped {
            println!("  saving sent reminders stopped: {}", for_terminal(why));
        }
    }
    let total = |n: fn(&FolderReport) -> u32| report.folders.iter().map(n).sum::<u32>();
    println!(
        "Total: {} read, {} kept, {} replies, {} automatic replies, {} bounces, {} uncertain resolved, {} skipped in {:.1} s",
        total(|f| f.fetched),
        total(|f| f.stored),
        total(|f| f.replies),
        total(|f| f.auto_replies),
        total(|f| f.bounces),
        total(|f| f.uncertain_resolved),
        total(|f| f.skipped),
        report.elapsed_ms as f64 / 1000.0
    );
}

/// "INBOX: 12 read, 3 kept (2 replies, 1 bounce), 1 already kept, 8 not a customer's, 0 skipped".
fn folder_line(f: &FolderReport) -> String {
    let mut line = format!("{}: {} read", for_terminal(&f.folder), f.fetched);
    if f.role == FolderRole::Sent {
        line.push_str(&format!(
            ", {} of ours found ({} uncertain now sent), {} not ours, {} saved to it",
            f.stored, f.uncertain_resolved, f.unmatched, f.filed
        ));
    } else {
        line.push_str(&format!(
            ", {} kept ({} replies, {} automatic replies, {} bounces), {} not a customer's",
            f.stored, f.replies, f.auto_replies, f.bounces, f.unmatched
        ));
        if f.owner_holds > 0 {
            line.push_str(&format!(", {} held by their owner's reply", f.owner_holds));
        }
    }
    line.push_str(&format!(
        ", {} already kept, {} skipped",
        f.already_kept, f.skipped
    ));
    if f.resynced {
        line.push_str(" (the folder's UIDVALIDITY changed: read again from the look-back window)");
    }
    line
}
