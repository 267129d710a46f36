//! `duebook fees ...`: the statutory rate late-fee campaigns charge (a reference rate such as
//! the Bank of England base rate or the ECB's, plus points: 8 in the UK and the EU).

use clap::Subcommand;
use duebook_core::campaign::fees::{self, StatutoryRate};
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
}

pub fn fees(db_path: &Path, action: FeesAction) -> Result<ExitCode, String> {
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
