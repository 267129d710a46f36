use super::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InvoiceKind {
    Invoice,
    /// Negative total: money the customer may deduct.
    CreditNote,
}

impl InvoiceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceKind::Invoice => "invoice",
            InvoiceKind::CreditNote => "credit_note",
        }
    }

    pub fn from_db(text: &str) -> InvoiceKind {
        if text == "credit_note" {
            InvoiceKind::CreditNote
        } else {
            InvoiceKind::Invoice
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InvoiceStatus {
    Open,
    Paid,
    Void,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Open => "open",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Void => "void",
        }
    }

    pub fn from_db(text: &str) -> InvoiceStatus {
        match text {
            "paid" => InvoiceStatus::Paid,
            "void" => InvoiceStatus::Void,
            _ => InvoiceStatus::Open,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Invoice {
    pub id: i64,
    pub customer_id: i64,
    pub kind: InvoiceKind,
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub total: Money,
    pub paid_minor: i64,
    pub status: InvoiceStatus,
}

impl Invoice {
    /// What is still due (negative for an unused credit note).
    pub fn open_minor(&self) -> i64 {
        match self.status {
            InvoiceStatus::Open => self.total.minor - self.paid_minor,
            InvoiceStatus::Paid | InvoiceStatus::Void => 0,
        }
    }

    /// Days past due on `as_of`; zero or negative while not yet due.
    pub fn days_overdue(&self, as_of: NaiveDate) -> i64 {
        (as_of - self.due_date).num_days()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewInvoice {
    pub customer_id: i64,
    pub kind: InvoiceKind,
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub total: Money,
    /// Where it came from: "manual", "demo", "import:generic" ...
    pub source: String,
}

/// An invoice as the customer screen lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InvoiceRow {
    pub invoice: Invoice,
    pub open: Money,
    pub total_decimal: String,
    pub paid_decimal: String,
    pub open_decimal: String,
    /// Positive when past due.
    pub days_overdue: i64,
}
