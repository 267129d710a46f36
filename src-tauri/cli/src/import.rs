//! `duebook import`: open invoices (or a QuickBooks customer contact list) from a CSV export or
//! a workbook (.xlsx, .xls, .ods; `--sheet` picks the sheet),
//! with a progress line on a terminal and every rejected, skipped or changed row listed; with
//! `--payments`, the payments received from a payments file.

use crate::terminal::for_terminal;
use chrono::NaiveDate;
use clap::Args;
use duebook_core::import::{
    self, payments, ImportFormat, ImportOptions, ImportProgress, ImportReport, RowIssue,
};
use duebook_core::store::Database;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct ImportArgs {
    /// auto, generic, quickbooks, xero, netsuite or intacct.
    #[arg(long, default_value = "auto", value_name = "FORMAT")]
    format: ImportFormat,
    /// The file lists every open invoice: close the open invoices it does not list.
    #[arg(long)]
    full: bool,
    /// The file lists payments received (invoice number or customer, payment date, amount), or
    /// is QuickBooks' Invoices and Received Payments report, not invoices.
    #[arg(long, conflicts_with_all = ["format", "full"])]
    payments: bool,
    /// Report what would change without writing anything.
    #[arg(long)]
    dry_run: bool,
    /// The sheet to read from a workbook (.xlsx, .xls, .ods); the first one when not given.
    #[arg(long, value_name = "NAME", conflicts_with = "payments")]
    sheet: Option<String>,
    #[arg(value_name = "FILE.csv")]
    file: PathBuf,
}

pub fn import(db_path: &Path, args: ImportArgs, today: NaiveDate) -> Result<ExitCode, String> {
    if args.payments {
        return import_payments(db_path, &args, today);
    }
    let options = ImportOptions {
        format: args.format,
        full: args.full,
        dry_run: args.dry_run,
        today,
        sheet: args.sheet,
    };
    let mut db = Database::open(db_path).map_err(|e| e.to_string())?;
    let show_progress = std::io::stderr().is_terminal();
    let mut progress = |p: ImportProgress| {
        if show_progress && p.bytes_total > 0 {
            eprint!("\rimporting: {:>3}%", p.bytes_done * 100 / p.bytes_total);
        }
    };
    let result = import::import_file(&mut db, &args.file, &options, &mut progress);
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

fn import_payments(
    db_path: &Path,
    args: &ImportArgs,
    today: NaiveDate,
) -> Result<ExitCode, String> {
    let mut db = Database::open(db_path).map_err(|e| e.to_string())?;
    let report = payments::import_payments_file(&mut db, &args.file, today, args.dry_run)
        .map_err(|e| e.to_string())?;
    print!("{}", report.summary());
    print_sections(&[
        ("Rejected rows", &report.rejections),
        ("Already imported", &report.repeats),
        ("Warnings", &report.warnings),
    ]);
    if report.nothing_imported() {
        return Err(format!(
            "every row of {} was rejected; nothing was imported",
            report.file_name
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn print_sections(sections: &[(&str, &Vec<RowIssue>)]) {
    for (title, issues) in sections {
        if !issues.is_empty() {
            println!("{title}:");
            for issue in *issues {
                println!("  {}", for_terminal(&issue.to_string()));
            }
        }
    }
}

fn print_import_report(report: &ImportReport) {
    print!("{}", report.summary());
    print_sections(&[
        ("Rejected rows", &report.rejections),
        ("Skipped rows", &report.skipped),
        ("Warnings", &report.warnings),
    ]);
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
