//! `duebook backup [--to DIR]`, `duebook backup list [--json]`, `duebook backup folder [DIR]`,
//! `duebook backup keep [--daily N ...]`, `duebook restore FILE [--yes]`.

use crate::terminal;
use chrono::{Local, Utc};
use clap::{Args, Subcommand};
use duebook_core::store::backup::{self, BackupInfo, Reason, Retention};
use duebook_core::store::Database;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    action: Option<BackupAction>,
    /// Write the backup into this folder instead of the database's backup folder.
    #[arg(long, value_name = "DIR")]
    to: Option<PathBuf>,
}

#[derive(Subcommand)]
enum BackupAction {
    /// The database's backups, newest first: when, why, and how many customers and invoices.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show the backup folder, or choose one (a synced folder works): `backup folder DIR`;
    /// `backup folder --default` goes back to `backups/` beside the database. The backups
    /// already made move along.
    Folder {
        dir: Option<PathBuf>,
        #[arg(long, conflicts_with = "dir")]
        default: bool,
    },
    /// Show how many automatic backups are kept, or change it (the next backup applies it).
    Keep(KeepArgs),
}

#[derive(Args)]
struct KeepArgs {
    /// The newest backup of each of this many days (1 to 3660).
    #[arg(long)]
    daily: Option<u32>,
    /// The newest backup of each of this many ISO weeks (0 to 520).
    #[arg(long)]
    weekly: Option<u32>,
    /// The newest backup of each of this many months (0 to 120).
    #[arg(long)]
    monthly: Option<u32>,
    /// The newest of each kind made before an import, a send, an upgrade or a restore (1 to 1000).
    #[arg(long)]
    per_reason: Option<u32>,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// The backup file to restore (see `duebook backup list`).
    file: PathBuf,
    /// Restore without asking (needed when not run in a terminal).
    #[arg(long)]
    yes: bool,
}

pub fn backup(db: &Path, args: BackupArgs) -> Result<ExitCode, String> {
    match args.action {
        Some(BackupAction::List { json }) => list(db, json),
        Some(BackupAction::Folder { dir, default }) => folder(db, dir, default),
        Some(BackupAction::Keep(args)) => keep(db, args),
        None => {
            let folder = args.to.unwrap_or_else(|| backup::folder_of(db));
            let made =
                backup::make(db, &folder, Reason::Manual, Utc::now()).map_err(|e| e.to_string())?;
            println!("backed up to {}", terminal::path(&made));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn folder(db: &Path, dir: Option<PathBuf>, default: bool) -> Result<ExitCode, String> {
    if dir.is_some() || default {
        let open = Database::open(db).map_err(|e| e.to_string())?;
        // Absolute: a relative folder would depend on where the command was run.
        let chosen = match dir {
            Some(dir) => Some(std::path::absolute(&dir).map_err(|e| e.to_string())?),
            None => None,
        };
        let moved = backup::change_folder(&open, chosen.as_deref()).map_err(|e| e.to_string())?;
        if moved > 0 {
            println!("moved {moved} backup(s) into the new folder");
        }
    }
    println!("{}", terminal::path(&backup::folder_of(db)));
    Ok(ExitCode::SUCCESS)
}

fn keep(db: &Path, args: KeepArgs) -> Result<ExitCode, String> {
    let open = Database::open(db).map_err(|e| e.to_string())?;
    let mut rule = Retention::of(open.conn()).map_err(|e| e.to_string())?;
    let changes = [
        (args.daily, &mut rule.daily),
        (args.weekly, &mut rule.weekly),
        (args.monthly, &mut rule.monthly),
        (args.per_reason, &mut rule.per_reason),
    ];
    let mut changed = false;
    for (given, field) in changes {
        if let Some(value) = given {
            *field = value;
            changed = true;
        }
    }
    if changed {
        rule.save(open.conn()).map_err(|e| e.to_string())?;
    }
    println!(
        "keeps {} daily, {} weekly and {} monthly backups, the newest {} made before each \
         import, send, upgrade or restore, and every one made by hand",
        rule.daily, rule.weekly, rule.monthly, rule.per_reason
    );
    Ok(ExitCode::SUCCESS)
}

fn list(db: &Path, json: bool) -> Result<ExitCode, String> {
    let folder = backup::folder_of(db);
    let backups = backup::list(db, &folder).map_err(|e| e.to_string())?;
    if json {
        let text = serde_json::to_string_pretty(&backups).map_err(|e| e.to_string())?;
        println!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    if backups.is_empty() {
        println!("no backups in {}", terminal::path(&folder));
    }
    for b in &backups {
        println!("{}", line(b));
    }
    Ok(ExitCode::SUCCESS)
}

/// `2026-12-07 17:13  daily             120 customers  1,340 invoices  /path/...`
fn line(b: &BackupInfo) -> String {
    let when = chrono::DateTime::parse_from_rfc3339(&b.made_at)
        .map(|t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| b.made_at.clone());
    let counts = match (b.customers, b.invoices) {
        (Some(c), Some(i)) => format!("{c:>7} customers {i:>9} invoices"),
        _ => format!("{:>35}", "(unreadable)"),
    };
    let path = terminal::for_terminal(&b.path);
    format!("{when}  {:<16} {counts}  {path}", b.reason.as_str())
}

pub fn restore(db: &Path, args: RestoreArgs) -> Result<ExitCode, String> {
    let shown = terminal::path;
    if !args.yes && !confirmed(&shown(&args.file), &shown(db))? {
        println!("nothing was restored");
        return Ok(ExitCode::FAILURE);
    }
    let folder = backup::folder_of(db);
    let done = backup::restore(db, &args.file, &folder).map_err(|e| e.to_string())?;
    if let Some(safety) = &done.safety_backup {
        println!(
            "the file it replaced was backed up to {}",
            terminal::for_terminal(safety)
        );
    }
    println!("restored {} into {}", shown(&args.file), shown(db));
    Ok(ExitCode::SUCCESS)
}

/// Asks on the terminal; without one, `--yes` is the only way to say yes.
fn confirmed(file: &str, db: &str) -> Result<bool, String> {
    if !std::io::stdin().is_terminal() {
        return Err(
            "restore replaces the database: add --yes to restore without a terminal".into(),
        );
    }
    print!("Restore {file} over {db}? The current file is backed up first. [y/N] ");
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| e.to_string())?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
