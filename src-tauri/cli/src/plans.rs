//! `duebook plans ...`: payment plans — a customer's open invoices paid in agreed instalments,
//! reminded per instalment while kept and chased again by the campaigns once broken.

use chrono::NaiveDate;
use clap::Subcommand;
use duebook_core::model::plan::{PaymentPlan, PlanStatus};
use duebook_core::model::text::for_terminal;
use duebook_core::model::InvoiceKind;
use duebook_core::store::plans::{self, InstalmentInput, PlanInput, PlanSplit};
use duebook_core::store::{customers, invoices, Database};
use std::path::Path;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum PlansAction {
    /// Agree a plan: the customer's open invoices paid in instalments that add up to their
    /// balance (an equal monthly split, or dates and amounts of your own).
    Create {
        #[arg(long)]
        customer: i64,
        /// Invoice numbers, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        invoices: Vec<String>,
        /// An equal split into this many monthly instalments (with --first).
        #[arg(long, requires = "first", conflicts_with = "schedule")]
        instalments: Option<usize>,
        /// The first instalment's date; the others follow a month apart.
        #[arg(long, value_name = "YYYY-MM-DD")]
        first: Option<NaiveDate>,
        /// Instalments of your own: DATE=AMOUNT,DATE=AMOUNT (they must add up to the balance).
        #[arg(
            long,
            value_name = "DATE=AMOUNT,...",
            required_unless_present = "instalments"
        )]
        schedule: Option<String>,
        /// What was agreed, with whom.
        #[arg(long, default_value = "")]
        note: String,
        /// Agree it as if today were this date.
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<NaiveDate>,
    },
    /// Plans and their instalments as they stand (one customer's, cancelled ones too; else every
    /// plan not cancelled).
    List {
        #[arg(long)]
        customer: Option<i64>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<NaiveDate>,
    },
    /// End a plan by hand: the campaigns chase its invoices again.
    Cancel {
        plan: i64,
        #[arg(long)]
        customer: i64,
    },
}

pub fn plans(db_path: &Path, action: PlansAction, today: NaiveDate) -> Result<ExitCode, String> {
    let mut db = Database::open(db_path).map_err(|e| e.to_string())?;
    match action {
        PlansAction::Create {
            customer,
            invoices,
            instalments,
            first,
            schedule,
            note,
            today: as_of,
        } => {
            let split = match (instalments, first, schedule) {
                (Some(count), Some(first), _) => PlanSplit::Equal { count, first },
                (_, _, Some(text)) => PlanSplit::Custom {
                    instalments: parse_schedule(&text)?,
                },
                _ => return Err("give --instalments N --first DATE, or --schedule".into()),
            };
            let invoice_ids = invoice_ids(&db, &invoices)?;
            let input = PlanInput {
                customer_id: customer,
                invoice_ids,
                split,
                note,
            };
            let day = as_of.unwrap_or(today);
            let id = db
                .write(|tx| plans::create(tx, &input, day))
                .map_err(|e| e.to_string())?;
            let plan = plans::for_customer(db.conn(), customer, day)
                .map_err(|e| e.to_string())?
                .into_iter()
                .find(|p| p.id == id)
                .ok_or("the plan was not saved")?;
            println!("Payment plan {id} agreed:");
            print_plan(&db, &plan);
        }
        PlansAction::List {
            customer,
            today: as_of,
        } => {
            let day = as_of.unwrap_or(today);
            let all = match customer {
                Some(id) => plans::for_customer(db.conn(), id, day),
                None => plans::all_standing(db.conn(), day),
            }
            .map_err(|e| e.to_string())?;
            if all.is_empty() {
                println!("No payment plans (agree one with `duebook plans create`).");
            }
            for plan in &all {
                print_plan(&db, plan);
            }
        }
        PlansAction::Cancel { plan, customer } => {
            db.write(|tx| plans::cancel(tx, customer, plan))
                .map_err(|e| e.to_string())?;
            println!("Payment plan {plan} cancelled: the campaigns chase its invoices again");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `2027-01-15=250.00,2027-02-15=250.00`.
fn parse_schedule(text: &str) -> Result<Vec<InstalmentInput>, String> {
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            let (date, amount) = pair.split_once('=').ok_or_else(|| {
                format!("--schedule: {:?} is not DATE=AMOUNT", for_terminal(pair))
            })?;
            let due_date = date.trim().parse().map_err(|_| {
                format!(
                    "--schedule: {:?} is not a date (YYYY-MM-DD)",
                    for_terminal(date)
                )
            })?;
            Ok(InstalmentInput {
                due_date,
                amount: amount.trim().to_string(),
            })
        })
        .collect()
}

fn invoice_ids(db: &Database, numbers: &[String]) -> Result<Vec<i64>, String> {
    numbers
        .iter()
        .map(|number| {
            invoices::find_by_number(db.conn(), InvoiceKind::Invoice, number.trim())
                .map_err(|e| e.to_string())?
                .map(|invoice| invoice.id)
                .ok_or_else(|| format!("no invoice {:?}", for_terminal(number)))
        })
        .collect()
}

fn print_plan(db: &Database, plan: &PaymentPlan) {
    let name = customers::get(db.conn(), plan.customer_id)
        .map(|c| c.name)
        .unwrap_or_default();
    let numbers: Vec<&str> = plan.invoices.iter().map(|i| i.number.as_str()).collect();
    let status = match (plan.status, plan.broken_on) {
        (PlanStatus::Broken, Some(day)) => format!("broken on {day}"),
        (status, _) => format!("{status:?}").to_lowercase(),
    };
    println!(
        "Plan {}  {} (customer {})  {status}  {} {}, paid {}; {}",
        plan.id,
        for_terminal(&name),
        plan.customer_id,
        plan.total.decimal_string(),
        plan.total.currency.code(),
        plan.paid.decimal_string(),
        for_terminal(&numbers.join(", "))
    );
    for i in &plan.instalments {
        let state = format!("{:?}", i.state).to_lowercase();
        println!(
            "  {}. {}  {}  {state}",
            i.seq,
            i.due_date,
            i.amount.decimal_string()
        );
    }
}
