//! `duebook watched [set DIR [--full] | off | run | history]`: the folder a scheduled export
//! lands in. The app imports from it while open; `duebook run-due` (and `watched run`) before
//! the day's reminders, so they go out on the newest figures.

use crate::terminal::{self, for_terminal};
use chrono::NaiveDate;
use clap::Subcommand;
use duebook_core::import::watched::{self, Outcome, WatchedFolder};
use duebook_core::store::Database;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// How long a file must stay unchanged before it is taken, unless told otherwise.
pub const SETTLE: Duration = Duration::from_secs(5);

#[derive(Subcommand)]
pub enum WatchedAction {
    /// Watch DIR: each new file is imported and moved to DIR/imported or DIR/rejected.
    Set {
        dir: PathBuf,
        /// Each file lists every open invoice: close the open invoices it omits.
        #[arg(long)]
        full: bool,
    },
    /// Stop watching (the folder and its files stay as they are).
    Off,
    /// Import the whole files now.
    Run {
        /// Seconds a file must stay unchanged before it is read.
        #[arg(long, default_value_t = SETTLE.as_secs())]
        settle: u64,
    },
    /// What the folder took, newest first.
    History {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
}

pub fn watched(
    db_path: &Path,
    action: Option<WatchedAction>,
    today: NaiveDate,
) -> Result<ExitCode, String> {
    let mut db = Database::open(db_path).map_err(|e| e.to_string())?;
    match action {
        None => {}
        Some(WatchedAction::Set { dir, full }) => {
            let folder = std::path::absolute(&dir).map_err(|e| e.to_string())?;
            let chosen = WatchedFolder {
                folder: folder.to_string_lossy().into_owned(),
                full,
            };
            watched::set_watched(db.conn(), Some(&chosen)).map_err(|e| e.to_string())?;
        }
        Some(WatchedAction::Off) => {
            watched::set_watched(db.conn(), None).map_err(|e| e.to_string())?;
        }
        Some(WatchedAction::Run { settle }) => {
            if watched::watched(db.conn())
                .map_err(|e| e.to_string())?
                .is_none()
            {
                println!("no watched folder");
                return Ok(ExitCode::SUCCESS);
            }
            return run(&mut db, Duration::from_secs(settle), today, |t| {
                print!("{t}");
            });
        }
        Some(WatchedAction::History { limit, json }) => return history(&db, limit, json),
    }
    show(&db)
}

fn show(db: &Database) -> Result<ExitCode, String> {
    match watched::watched(db.conn()).map_err(|e| e.to_string())? {
        Some(w) => {
            let full = if w.full {
                " (each file lists every open invoice)"
            } else {
                ""
            };
            println!("watching {}{full}", for_terminal(&w.folder));
        }
        None => println!("no watched folder"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Imports what the watched folder holds, if one is set; `say`s a line a file (on standard
/// error for `run-due`, whose standard output may be JSON). Fails when a file was rejected, so
/// a timer's status shows it.
pub fn run(
    db: &mut Database,
    settle: Duration,
    today: NaiveDate,
    say: fn(&str),
) -> Result<ExitCode, String> {
    let Some(chosen) = watched::watched(db.conn()).map_err(|e| e.to_string())? else {
        return Ok(ExitCode::SUCCESS);
    };
    let outcomes = watched::sweep_once(db, &chosen, settle, today).map_err(|e| e.to_string())?;
    let mut rejected = false;
    for outcome in &outcomes {
        match outcome {
            Outcome::Imported { file, report } => say(&terminal::lines(&format!(
                "watched folder: {file}: {}",
                report.summary()
            ))),
            Outcome::Rejected { file, reason } => {
                rejected = true;
                say(&terminal::lines(&format!(
                    "watched folder: {file} rejected: {reason}"
                )));
            }
        }
    }
    Ok(if rejected {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn history(db: &Database, limit: usize, json: bool) -> Result<ExitCode, String> {
    let Some(chosen) = watched::watched(db.conn()).map_err(|e| e.to_string())? else {
        println!("no watched folder");
        return Ok(ExitCode::SUCCESS);
    };
    let files = watched::history(Path::new(&chosen.folder), limit).map_err(|e| e.to_string())?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&files).map_err(|e| e.to_string())?
        );
        return Ok(ExitCode::SUCCESS);
    }
    for f in &files {
        let status = if f.imported { "imported" } else { "rejected" };
        let first = f.report.lines().next().unwrap_or("");
        println!(
            "{}  {status}  {}  {}",
            &f.at[..f.at.len().min(19)],
            for_terminal(&f.file),
            for_terminal(first)
        );
    }
    Ok(ExitCode::SUCCESS)
}
