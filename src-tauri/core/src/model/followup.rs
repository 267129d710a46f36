use super::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PromiseStatus {
    /// The date has not passed and the money has not arrived yet.
    Pending,
    /// Payments since the promise cover the promised amount.
    Kept,
    /// The date passed without the promised amount arriving.
    Broken,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Promise {
    pub id: i64,
    pub customer_id: i64,
    pub invoice_id: Option<i64>,
    pub invoice_number: Option<String>,
    pub amount: Money,
    pub amount_decimal: String,
    pub promised_date: NaiveDate,
    pub status: PromiseStatus,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Dispute {
    pub id: i64,
    pub customer_id: i64,
    pub invoice_id: Option<i64>,
    pub invoice_number: Option<String>,
    pub reason: String,
    pub opened_at: String,
    pub resolved_at: Option<String>,
    pub resolution: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TaskKind {
    Call,
    Email,
    Other,
}

impl TaskKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Call => "call",
            TaskKind::Email => "email",
            TaskKind::Other => "other",
        }
    }

    pub fn from_db(text: &str) -> TaskKind {
        match text {
            "call" => TaskKind::Call,
            "email" => TaskKind::Email,
            _ => TaskKind::Other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Task {
    pub id: i64,
    pub customer_id: i64,
    pub kind: TaskKind,
    pub title: String,
    pub due_date: NaiveDate,
    pub done_at: Option<String>,
    pub outcome: Option<String>,
}
