//! `duebook import`: open invoices (or a QuickBooks customer contact list) from a CSV export or
//! a workbook (.xlsx, .xls, .ods; `--sheet` picks the sheet),
//! with a progress line on a terminal and every rejected, skipped or changed row listed; with
//! `--payments`, the payments received from a payments file; with `--map`, any invoice file
//! through a column mapping (saved as a profile with `--save-profile`).

use crate::terminal::for_terminal;
use chrono::NaiveDate;
use clap::Args;
use duebook_core::import::mapping::{profiles, ColumnMapping, DateOrder, DecimalStyle};
use duebook_core::import::{
    self, payments, ColumnSource, ImportFormat, ImportOptions, ImportProgress, ImportReport,
    RowIssue,
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
    #[command(flatten)]
    mapping: MappingArgs,
    #[arg(value_name = "FILE.csv")]
    file: PathBuf,
}

/// Reading a file whose headers Duebook does not know: a column mapping, or a saved profile.
#[derive(Args)]
struct MappingArgs {
    /// Which column gives which field: FIELD=COLUMN,... with the field names of the README's
    /// generic CSV table (customer_name, invoice_number, issue_date, amount, due_date, ...);
    /// custom.NAME=COLUMN keeps a column on the customer as the custom field NAME.
    #[arg(long, value_name = "FIELD=COLUMN,...", conflicts_with_all = ["format", "payments", "profile"])]
    map: Option<String>,
    /// How numeric dates are written (default: decided from the file's dates).
    #[arg(long, requires = "map", value_name = "dmy|mdy|ymd")]
    date_order: Option<DateOrder>,
    /// How decimals are written: point (1,234.56) or comma (1.234,56); default: comma in
    /// semicolon-separated files.
    #[arg(long, requires = "map", value_name = "comma|point")]
    decimal: Option<DecimalStyle>,
    /// The currency of rows with an empty currency cell (default: the home currency).
    #[arg(long, requires = "map", value_name = "CODE")]
    currency: Option<String>,
    /// After importing, save the mapping as a profile: the next file with the same header row
    /// is imported with it without --map.
    #[arg(long, requires = "map", value_name = "NAME")]
    save_profile: Option<String>,
    /// Read the file with this saved profile.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["format", "payments"])]
    profile: Option<String>,
}

impl MappingArgs {
    fn mapping(&self) -> Result<Option<ColumnMapping>, String> {
        let Some(pairs) = &self.map else {
            return Ok(None);
        };
        Ok(Some(ColumnMapping {
            date_order: self.date_order.unwrap_or_default(),
            decimal: self.decimal.unwrap_or_default(),
            currency: self.currency.clone(),
            ..ColumnMapping::from_pairs(pairs).map_err(|e| format!("--map: {e}"))?
        }))
    }
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
    let mapping = args.mapping.mapping()?;
    let columns = match (&mapping, &args.mapping.profile) {
        (Some(mapping), _) => ColumnSource::Mapping(mapping),
        (None, Some(name)) => ColumnSource::Profile(name),
        (None, None) => ColumnSource::Detect,
    };
    let to_save = match (&args.mapping.save_profile, &mapping) {
        (Some(name), Some(mapping)) => Some(
            import::new_profile_for(&db, name, mapping, &args.file, options.sheet.as_deref())
                .map_err(|e| e.to_string())?,
        ),
        _ => None,
    };
    let show_progress = std::io::stderr().is_terminal();
    let mut progress = |p: ImportProgress| {
        if show_progress && p.bytes_total > 0 {
            eprint!("\rimporting: {:>3}%", p.bytes_done * 100 / p.bytes_total);
        }
    };
    let result = import::import_file_with(&mut db, &args.file, &options, columns, &mut progress);
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
    if let (Some(new), Some(mapping)) = (to_save, &mapping) {
        if args.dry_run {
            println!(
                "dry run: the profile {} was not saved",
                for_terminal(&new.name)
            );
        } else {
            profiles::save(db.conn(), &new.name, mapping, &new.header)
                .map_err(|e| e.to_string())?;
            println!("Saved the import profile {}", for_terminal(&new.name));
        }
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
