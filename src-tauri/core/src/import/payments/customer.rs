//! A payments row that names a customer and no invoice: the amount pays that customer's open
//! invoices in the row's currency, oldest due first (then oldest issued), each up to what is
//! due on it, the last one partly. More than all of them owe refuses the row whole. Without a
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
        let raw = cell(self.record, self.columns.amount);
        let minor = row::amount("amount", raw, &currency, self.decimal_comma)?;
        if minor <= 0 {
            return Err(Refusal::Invalid("The amount must be more than zero".into()).into());
        }
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
        let open: Vec<Invoice> = open
            .into_iter()
            .filter(|invoice| invoice.total.currency == currency && invoice.open_minor() > 0)
            .collect();
        let due: i64 = open.iter().map(Invoice::open_minor).sum();
        if minor > due {
            return Err(Refusal::MoreThanCustomerOwes {
                amount: Money::new(minor, currency.clone()),
                due: Money::new(due, currency),
                customer: name.to_string(),
            }
            .into());
        }
        let paid = spread(conn, open, minor, paid_on, &reference, today)?;
        Ok(Applied::Recorded {
            invoices: paid,
            replaced: false,
            by_customer: true,
        })
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

/// Pays the invoices in order until `minor` is used up; returns the invoices paid.
fn spread(
    conn: &Connection,
    open: Vec<Invoice>,
    mut minor: i64,
    paid_on: NaiveDate,
    reference: &str,
    today: NaiveDate,
) -> Result<Vec<Invoice>, ApplyError> {
    let mut paid = Vec::new();
    for invoice in open {
        if minor == 0 {
            break;
        }
        let part = invoice.open_minor().min(minor);
        let amount = Money::new(part, invoice.total.currency.clone());
        let checked = Checked {
            amount: &amount,
            paid_on,
            reference: Some(reference),
            source: PaymentSource::Import,
        };
        match payments::record_checked(conn, &invoice, &checked, today) {
            Ok(_) => {}
            Err(DbError::Invalid(error)) => return Err(Refusal::Invalid(error.message).into()),
            Err(error) => return Err(ApplyError::Db(error)),
        }
        minor -= part;
        paid.push(invoice);
    }
    Ok(paid)
}
