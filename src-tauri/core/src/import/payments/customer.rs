//! A payments row that names a customer and no invoice: the amount pays that customer's
//! invoices in the row's currency, oldest due first (then oldest issued), each up to what it
//! can take, the last one partly. Payments imports inferred (dated their own day, on or after
//! the payment's date) are replaced first, since the ledger already counted that money; then
//! open invoices are paid. More than all of that refuses the row whole. Without a
//! currency, the customer must have been invoiced in one only.

use super::{Applied, ApplyError, Refusal, Row};
use crate::import::row::{self, RowError};
use crate::import::source::{cell, opt_cell};
use crate::model::{format_minor, Currency, Invoice, Money};
use crate::store::payments::{self, Checked, PaymentSource};
use crate::store::{customers, invoices, DbError};
use chrono::NaiveDate;
use rusqlite::Connection;

impl Row<'_> {
    pub(super) fn apply_to_customer(
        &self,
        conn: &Connection,
        name: &str,
        today: NaiveDate,
    ) -> Result<Applied, ApplyError> {
        let paid_on = self
            .dates
            .date("payment date", cell(self.record, self.columns.date))?;
        let customer_id = customers::find_id_by_name(conn, name)
            .map_err(ApplyError::Db)?
            .ok_or_else(|| Refusal::UnknownCustomer(name.to_string()))?;
        let open = invoices::open_for_customer(conn, customer_id).map_err(ApplyError::Db)?;
        let currency = self.currency_of(conn, name, customer_id)?;
        let minor = self.amount(&currency)?;
        if paid_on > today {
            return Err(Refusal::Invalid(format!("{paid_on} is in the future")).into());
        }
        let reference = self.split_reference(minor, &currency);
        let recorded = payments::is_recorded_for_customer(
            conn,
            customer_id,
            currency.code(),
            paid_on,
            &reference,
        )
        .map_err(ApplyError::Db)?;
        if recorded {
            return Ok(Applied::Repeat(format!("a payment by {name}")));
        }
        let due: i64 = open
            .iter()
            .filter(|invoice| invoice.total.currency == currency)
            .map(|invoice| invoice.open_minor().max(0))
            .sum();
        let plan = plan(conn, customer_id, &currency, paid_on, open)?;
        let owed: i64 = plan.iter().map(|(_, most)| most).sum();
        if minor > owed {
            let more = |amount| Money::new(amount, currency.clone());
            return Err(Refusal::MoreThanCustomerOwes {
                amount: more(minor),
                due: more(due),
                customer: name.to_string(),
                inferred: match owed - due {
                    0 => String::new(),
                    over => format!(" plus the {} an import found paid undated", more(over)),
                },
            }
            .into());
        }
        let (invoices, replaced) = spread(conn, plan, minor, paid_on, &reference, today)?;
        Ok(Applied::Recorded {
            invoices,
            replaced,
            by_customer: true,
        })
    }

    /// The amount paid, more than zero. QuickBooks reports may show a payment as a credit
    /// (negative); its transaction type already says it is a payment.
    fn amount(&self, currency: &Currency) -> Result<i64, ApplyError> {
        let raw = cell(self.record, self.columns.amount);
        let minor = row::amount("amount", raw, currency, self.decimal_comma)?;
        let minor = match self.columns.kind {
            Some(_) => minor.abs(),
            None => minor,
        };
        if minor <= 0 {
            return Err(Refusal::Invalid("The amount must be more than zero".into()).into());
        }
        Ok(minor)
    }

    /// The row's currency; without one, the one currency the customer was ever invoiced in
    /// (not just the open invoices', which would change as payments are imported).
    fn currency_of(
        &self,
        conn: &Connection,
        name: &str,
        customer_id: i64,
    ) -> Result<Currency, ApplyError> {
        let code = opt_cell(self.record, self.columns.currency).trim();
        if !code.is_empty() {
            return Currency::parse(code)
                .map_err(|_| RowError::UnknownCurrency(code.to_string()).into());
        }
        let codes = invoices::customer_currencies(conn, customer_id).map_err(ApplyError::Db)?;
        match codes.as_slice() {
            [one] => {
                Currency::parse(one).map_err(|_| RowError::UnknownCurrency(one.clone()).into())
            }
            [] => Err(Refusal::NothingOwed(name.to_string()).into()),
            _ => Err(Refusal::WhichCurrency {
                customer: name.to_string(),
                currencies: codes.join(", "),
            }
            .into()),
        }
    }

    /// The reference every part of the payment is recorded with: the row's, marked with the
    /// whole amount, so a re-import finds the payment again whatever it paid.
    fn split_reference(&self, minor: i64, currency: &Currency) -> String {
        let amount = format_minor(minor, currency.decimals());
        let by = format!("payment of {amount} {} by customer", currency.code());
        match opt_cell(self.record, self.columns.reference).trim() {
            "" => by,
            reference => format!("{reference} ({by})"),
        }
    }
}

/// What the payment may go to, in order, with the most each can take: first what imports
/// inferred on or after its date (money the ledger already had, seen late), then the open
/// invoices; each oldest due first.
fn plan(
    conn: &Connection,
    customer_id: i64,
    currency: &Currency,
    paid_on: NaiveDate,
    open: Vec<Invoice>,
) -> Result<Vec<(Invoice, i64)>, ApplyError> {
    let inferred = payments::inferred_for_customer(conn, customer_id, currency.code(), paid_on)
        .map_err(ApplyError::Db)?;
    let mut plan = Vec::new();
    for (id, amount) in inferred {
        plan.push((invoices::get(conn, id).map_err(ApplyError::Db)?, amount));
    }
    let open = open
        .into_iter()
        .filter(|invoice| invoice.total.currency == *currency && invoice.open_minor() > 0)
        .map(|invoice| {
            let due = invoice.open_minor();
            (invoice, due)
        });
    plan.extend(open);
    Ok(plan)
}

/// Pays along the plan until `minor` is used up; returns the invoices paid and whether any
/// inferred payment was replaced.
fn spread(
    conn: &Connection,
    plan: Vec<(Invoice, i64)>,
    mut minor: i64,
    paid_on: NaiveDate,
    reference: &str,
    today: NaiveDate,
) -> Result<(Vec<Invoice>, bool), ApplyError> {
    let (mut paid, mut replaced) = (Vec::new(), false);
    for (invoice, most) in plan {
        if minor == 0 {
            break;
        }
        let part = most.min(minor);
        let amount = Money::new(part, invoice.total.currency.clone());
        let checked = Checked {
            amount: &amount,
            paid_on,
            reference: Some(reference),
            source: PaymentSource::Import,
        };
        match payments::record_replacing(conn, &invoice, &checked, today) {
            Ok(taken) => replaced |= taken > 0,
            Err(DbError::Invalid(error)) => return Err(Refusal::Invalid(error.message).into()),
            Err(error) => return Err(ApplyError::Db(error)),
        }
        minor -= part;
        paid.push(invoice);
    }
    Ok((paid, replaced))
}
