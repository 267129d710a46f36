//! What happens to an invoice on the customer screen: a payment recorded by hand (full or
//! partial), a dispute opened and resolved, a promise to pay, a late fee or interest waived.

use crate::commands::parse_date;
use crate::error::CommandResult;
use crate::state::AppState;
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::store::charges::{self, StoredCharge};
use duebook_core::store::disputes;
use duebook_core::store::payments::{self, ManualPayment};
use duebook_core::store::promises::{self, PromiseInput};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

/// A payment as the form sends it: `amount` a decimal in the invoice's currency, `paid_on`
/// `YYYY-MM-DD`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct PaymentForm {
    pub invoice_id: i64,
    pub amount: String,
    pub paid_on: String,
    pub reference: Option<String>,
}

/// A promise to pay as the form sends it: for one invoice or (no `invoice_id`) the account.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct PromiseForm {
    pub customer_id: i64,
    pub invoice_id: Option<i64>,
    pub amount: String,
    pub currency: String,
    pub promised_date: String,
}

/// Records a payment against the invoice; the invoice's status and the customer's balances
/// follow. Returns the payment's id.
#[tauri::command]
pub async fn record_payment(
    state: State<'_, AppState>,
    payment: PaymentForm,
) -> CommandResult<i64> {
    let paid_on = parse_date("paid_on", "The payment date", &payment.paid_on)?;
    let manual = ManualPayment {
        invoice_id: payment.invoice_id,
        amount: payment.amount,
        paid_on,
        reference: payment.reference,
    };
    let today = SystemClock.today();
    state.write(|conn| payments::record_manual(conn, &manual, today))
}

/// Records a promise to pay; it shows as broken once its date passes unpaid.
#[tauri::command]
pub async fn add_promise(state: State<'_, AppState>, promise: PromiseForm) -> CommandResult<i64> {
    let promised_date = parse_date("promised_date", "The promised date", &promise.promised_date)?;
    let input = PromiseInput {
        customer_id: promise.customer_id,
        invoice_id: promise.invoice_id,
        amount: promise.amount,
        currency: promise.currency,
        promised_date,
    };
    let today = SystemClock.today();
    state.write(|conn| promises::add_entered(conn, &input, today))
}

/// Marks the invoice disputed with the customer's reason. Returns the dispute's id.
#[tauri::command]
pub async fn open_dispute(
    state: State<'_, AppState>,
    invoice_id: i64,
    reason: String,
) -> CommandResult<i64> {
    state.write(|conn| disputes::open(conn, invoice_id, &reason))
}

/// Closes the dispute with how it was settled.
#[tauri::command]
pub async fn resolve_dispute(
    state: State<'_, AppState>,
    dispute_id: i64,
    resolution: String,
) -> CommandResult<()> {
    state.write(|conn| disputes::resolve(conn, dispute_id, &resolution))
}

/// The customer's late fees and interest as the customer screen lists them: per invoice its fee
/// and its latest interest, waived ones included (shown struck through with the reason).
#[tauri::command]
pub async fn customer_charges(
    state: State<'_, AppState>,
    customer_id: i64,
) -> CommandResult<Vec<StoredCharge>> {
    state.with_db(|db| Ok(charges::current_of_customer(db.conn(), customer_id, None)?))
}

/// Waives one of the customer's charges with a reason (the core refuses another customer's
/// charge and an empty reason); false when it was already waived.
#[tauri::command]
pub async fn waive_charge(
    state: State<'_, AppState>,
    customer_id: i64,
    charge_id: i64,
    reason: String,
) -> CommandResult<bool> {
    state.write(|conn| charges::waive_for_customer(conn, customer_id, charge_id, &reason))
}
