//! What became of a payments row: recorded, already imported, or refused with a reason.

use crate::import::row::RowError;
use crate::model::{Currency, Invoice, Money};
use crate::store::DbError;

/// Why a payment row was not recorded. The message follows "line N: ".
#[derive(Debug, thiserror::Error)]
pub(super) enum Refusal {
    #[error(transparent)]
    Row(#[from] RowError),
    #[error("a payment under no customer heading")]
    NoGroup,
    #[error("no customer named {0:?}")]
    UnknownCustomer(String),
    #[error("{0:?} has no invoices")]
    NothingOwed(String),
    #[error("{customer:?} is invoiced in {currencies}: give the payment's currency")]
    WhichCurrency {
        customer: String,
        currencies: String,
    },
    #[error("{amount} is more than the {due} {customer:?} owes on open invoices{inferred}")]
    MoreThanCustomerOwes {
        amount: Money,
        due: Money,
        customer: String,
        /// What imports inferred paid on or after the payment's date, which it could replace.
        inferred: String,
    },
    #[error("no invoice numbered {0:?}")]
    UnknownInvoice(String),
    #[error("invoice {number} is not {customer:?}'s")]
    OtherCustomer { number: String, customer: String },
    #[error("invoice {0} is void")]
    Void(String),
    #[error("currency {row} is not the currency of invoice {number} ({invoice})")]
    OtherCurrency {
        row: String,
        number: String,
        invoice: Currency,
    },
    #[error("{0}")]
    Invalid(String),
}

pub(super) enum Applied {
    /// The invoices the row paid (as they were before); whether the payment took the place of
    /// inferred ones; whether the row named a customer and no invoice.
    Recorded {
        invoices: Vec<Invoice>,
        replaced: bool,
        by_customer: bool,
    },
    /// Already recorded by an earlier import (or an earlier row of this file): which payment.
    Repeat(String),
}

pub(super) enum ApplyError {
    Refused(Refusal),
    Db(DbError),
}

impl From<Refusal> for ApplyError {
    fn from(refusal: Refusal) -> Self {
        ApplyError::Refused(refusal)
    }
}

impl From<RowError> for ApplyError {
    fn from(error: RowError) -> Self {
        ApplyError::Refused(error.into())
    }
}
