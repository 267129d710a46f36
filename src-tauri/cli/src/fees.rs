//! `duebook fees ...`: the statutory rate late-fee campaigns charge (a reference rate such as
//! the Bank of England base rate or the ECB's, plus points: 8 in the UK and the EU).

use chrono::NaiveDate;
use clap::Subcommand;
use duebook_core::campaign::fees::{self, StatutoryRate};
use duebook_core::campaign::plan::charges::{self, CustomerCharges};
use duebook_core::model::text::for_terminal;
use duebook_core::model::{format_minor, Currency};
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
        println!("{}", for_terminal(&customer.customer_name));
        for line in &customer.lines {
            let decimals = Currency::parse(&line.currency).map_or(2, |c| c.decimals());
            println!(
                "    {}\t{}\t{} {}",
                for_terminal(&line.number),
                line.charge.kind.as_str(),
                format_minor(line.charge.amount_minor, decimals),
                for_terminal(&line.currency)
            );
        }
    }
}
