//! `duebook owners ...`: account owners — who looks after which customers, and giving many
//! customers one owner at once.

use clap::Subcommand;
use duebook_core::model::text::for_terminal;
use duebook_core::model::{Currency, Money, Owner};
use duebook_core::store::{account_owners, customers, Database};
use std::path::Path;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum OwnersAction {
    /// Every owner with their customers' count and what those customers owe.
    List,
    /// Give customers an owner: `Name <email>`, an email or a name ("" removes it).
    Assign {
        owner: String,
        /// Customer ids, comma-separated.
        #[arg(
            long,
            value_delimiter = ',',
            conflicts_with = "segment",
            required_unless_present = "segment"
        )]
        customers: Vec<i64>,
        /// Every customer in this segment.
        #[arg(long)]
        segment: Option<String>,
    },
    /// The owner holds a customer's reminders, for a reason campaigns show in their plan.
    Hold { customer: i64, reason: String },
    /// End the owner's hold on a customer.
    Release { customer: i64 },
}

pub fn owners(db_path: &Path, action: OwnersAction) -> Result<ExitCode, String> {
    let mut db = Database::open(db_path).map_err(|e| e.to_string())?;
    match action {
        OwnersAction::List => list(&db),
        OwnersAction::Assign {
            owner,
            customers,
            segment,
        } => assign(&mut db, &owner, customers, segment.as_deref()),
        OwnersAction::Hold { customer, reason } => {
            db.write(|tx| account_owners::hold(tx, customer, &reason))
                .map_err(|e| e.to_string())?;
            println!("Reminders to customer {customer} are held by the owner");
            Ok(ExitCode::SUCCESS)
        }
        OwnersAction::Release { customer } => {
            db.write(|tx| account_owners::release(tx, customer))
                .map_err(|e| e.to_string())?;
            println!("Reminders to customer {customer} may go out again");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn list(db: &Database) -> Result<ExitCode, String> {
    let all = account_owners::summaries(db.conn()).map_err(|e| e.to_string())?;
    if all.is_empty() {
        println!("No account owners (give customers one with `duebook owners assign`).");
    }
    for summary in all {
        let open: Vec<String> = summary
            .open
            .iter()
            .map(|(code, minor)| match Currency::parse(code) {
                Ok(currency) => Money::new(*minor, currency).to_string(),
                Err(_) => format!("{minor} {code}"),
            })
            .collect();
        let open = if open.is_empty() {
            "nothing open".into()
        } else {
            open.join(", ")
        };
        let noun = if summary.customers == 1 {
            "customer"
        } else {
            "customers"
        };
        println!(
            "{}\t{} {noun}\t{open}",
            for_terminal(&summary.owner.display()),
            summary.customers
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn assign(
    db: &mut Database,
    text: &str,
    ids: Vec<i64>,
    segment: Option<&str>,
) -> Result<ExitCode, String> {
    let owner = Owner::parse("owner", text).map_err(|e| e.message)?;
    let ids = match segment {
        Some(segment) => {
            account_owners::ids_in_segment(db.conn(), segment).map_err(|e| e.to_string())?
        }
        None => ids,
    };
    if ids.is_empty() {
        return Err(match segment {
            Some(segment) => format!("No customer is in the segment {}", for_terminal(segment)),
            None => "No customers given (--customers ID,ID or --segment NAME)".into(),
        });
    }
    for id in &ids {
        customers::get(db.conn(), *id).map_err(|e| e.to_string())?;
    }
    let changed = db
        .write(|tx| customers::set_owner(tx, &ids, owner.as_ref()))
        .map_err(|e| e.to_string())?;
    let who = owner.map_or("no owner".into(), |o| {
        for_terminal(&o.display()).into_owned()
    });
    let unchanged = ids.len() - changed;
    println!("{changed} customers given {who} ({unchanged} already had it)");
    Ok(ExitCode::SUCCESS)
}
