//! `duebook fees ...`: the statutory rate late-fee campaigns charge (a reference rate such as
//! the Bank of England base rate or the ECB's, plus points: 8 in the UK and the EU).

use chrono::NaiveDate;
use clap::Subcommand;
use duebook_core::campaign::fees::{self, StatutoryRate};
use duebook_core::campaign::plan::charges::{self, CustomerCharges};
use duebook_core::model::text::for_terminal;
use duebook_core::model::{format_minor, Currency};
use duebook_core::store::charges::{self as store_charges, StoredCharge};
use duebook_core::store::Database;
use std::path::Path;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum FeesAction {
    /// Show the statutory rate, or set it: `--reference 4.0 --points 8` (percent, at most two
    /// decimals). Campaigns whose interest is "statutory" charge their sum from then on.
    Rate {
        #[arg(long, requires = "points")]
        reference: Option<String>,
        #[arg(long, requires = "reference")]
        points: Option<String>,
    },
    /// A customer's recorded charges (id, invoice, kind, amount, day; waived ones with the reason).
    List {
        #[arg(long)]
        customer: i64,
    },
    /// Waive a recorded charge: it stays on record, struck, with the reason.
    Waive {
        charge: i64,
        #[arg(long)]
        reason: String,
    },
    /// What each customer the campaign reminds today would be charged (nothing is recorded).
    Preview {
        #[arg(long)]
        campaign: i64,
        /// Plan as of this day instead of today.
        #[arg(long)]
        today: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
}

pub fn fees(db_path: &Path, action: FeesAction, today: NaiveDate) -> Result<ExitCode, String> {
    let db = Database::open(db_path).map_err(|e| e.to_string())?;
    let conn = db.conn();
    match action {
        FeesAction::Rate {
            reference: Some(reference),
            points: Some(points),
        } => {
            let rate = StatutoryRate {
                reference_basis_points: fees::parse_percent(&reference)
                    .map_err(|e| e.to_string())?,
                points_basis_points: fees::parse_percent(&points).map_err(|e| e.to_string())?,
            };
            fees::set_statutory_rate(conn, rate).map_err(|e| e.to_string())?;
            print_rate(Some(rate));
        }
        FeesAction::Rate { .. } => {
            print_rate(fees::statutory_rate(conn).map_err(|e| e.to_string())?);
        }
        FeesAction::List { customer } => {
            let list = store_charges::of_customer(conn, customer).map_err(|e| e.to_string())?;
            print_charges(&list);
        }
        FeesAction::Waive { charge, reason } => {
            if reason.trim().is_empty() {
                return Err("a waiver needs a reason (--reason TEXT)".to_string());
            }
            let done = store_charges::waive(conn, charge, "duebook fees waive", &reason)
                .map_err(|e| e.to_string())?;
            if !done {
                return Err(format!("there is no unwaived charge {charge}"));
            }
            println!("Waived charge {charge}");
        }
        FeesAction::Preview {
            campaign,
            today: day,
            json,
        } => {
            let day = day.unwrap_or(today);
            let preview = charges::preview(conn, campaign, day).map_err(|e| e.to_string())?;
            if json {
                let text = serde_json::to_string_pretty(&preview).map_err(|e| e.to_string())?;
                println!("{text}");
            } else {
                print_preview(&preview, day);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_rate(rate: Option<StatutoryRate>) {
    match rate {
        Some(r) => println!(
            "Statutory rate: {} % (reference {} % + {} points)",
            fees::hundredths(r.annual_basis_points()),
            fees::hundredths(r.reference_basis_points),
            fees::hundredths(r.points_basis_points)
        ),
        None => println!(
            "No statutory rate set (set it with `duebook fees rate --reference 4.0 --points 8`)."
        ),
    }
}

fn print_preview(preview: &[CustomerCharges], day: NaiveDate) {
    if preview.is_empty() {
        println!("No reminder of this campaign on {day} carries late fees or interest.");
    }
    for customer in preview {
        println!(
            "{}\t{}",
            for_terminal(&customer.customer_name),
            for_terminal(&customer.total)
        );
        for line in &customer.lines {
            println!(
                "    {}\t{}\t{}",
                for_terminal(&line.number),
                line.charge.kind.as_str(),
                amount(line.charge.amount_minor, &line.currency)
            );
        }
    }
}

fn amount(minor: i64, currency: &str) -> String {
    let decimals = Currency::parse(currency).map_or(2, |c| c.decimals());
    format!(
        "{} {}",
        format_minor(minor, decimals),
        for_terminal(currency)
    )
}

fn print_charges(list: &[StoredCharge]) {
    if list.is_empty() {
        println!("No late fees or interest recorded.");
    }
    for c in list {
        let waived = c
            .waived_reason
            .as_deref()
            .map(|r| format!("\twaived: {}", for_terminal(r)))
            .unwrap_or_default();
        println!(
            "{}\tinvoice {}\t{}\t{}\tas of {}{waived}",
            c.id,
            for_terminal(&c.invoice_number),
            for_terminal(&c.kind),
            amount(c.amount_minor, &c.currency),
            c.as_of
        );
    }
}
