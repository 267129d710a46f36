//! `duebook customers ...`: a customer's credit limit and "on hold" flag.

use crate::terminal::for_terminal;
use clap::Subcommand;
use duebook_core::model::{CustomerEdit, LimitInput};
use duebook_core::store::{customers, Database};
use std::path::Path;

#[derive(Subcommand)]
pub enum CustomersAction {
    /// Set the credit limit (`none` removes it), in `--currency` or else the customer's currency
    /// (or the one currency they owe in).
    Limit {
        id: i64,
        /// An amount such as 5000 or 5000.50; `none` removes the limit.
        #[arg(allow_hyphen_values = true)]
        amount: String,
        #[arg(long, value_name = "CODE")]
        currency: Option<String>,
    },
    /// Put the customer on hold (no further credit), saying why.
    Hold {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Take the customer off hold.
    Unhold { id: i64 },
}

pub fn customers(path: &Path, action: CustomersAction) -> Result<(), String> {
    let db = Database::open(path).map_err(|e| e.to_string())?;
    let (id, edit) = match action {
        CustomersAction::Limit {
            id,
            amount,
            currency,
        } => {
            let limit = (!amount.trim().eq_ignore_ascii_case("none"))
                .then_some(LimitInput { amount, currency });
            (id, CustomerEdit::CreditLimit(limit))
        }
        CustomersAction::Hold { id, reason } => (id, CustomerEdit::Hold(Some(reason))),
        CustomersAction::Unhold { id } => (id, CustomerEdit::Hold(None)),
    };
    let customer = customers::edit(db.conn(), id, &edit).map_err(|e| e.to_string())?;
    let name = for_terminal(&customer.name);
    match &customer.credit_limit {
        Some(limit) => println!(
            "{name} (#{id}): credit limit {} {}",
            limit.decimal_string(),
            limit.currency.code()
        ),
        None => println!("{name} (#{id}): no credit limit"),
    }
    match &customer.hold {
        Some(hold) => println!(
            "on hold since {} ({}): {}",
            hold.set_on,
            for_terminal(&hold.set_by),
            for_terminal(&hold.reason)
        ),
        None => println!("not on hold"),
    }
    Ok(())
}
