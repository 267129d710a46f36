//! The payments an invoice row implies: a lower amount due than stored is a payment, dated the
//! import day unless the file gives the day it was paid; a dated one takes the place of the
//! payments earlier imports could only date on their own day.

use super::{ImportError, Writer};
use crate::import::row::InvoiceRow;
use crate::model::{Invoice, InvoiceKind};
use crate::store::payments::{self, NewPayment, PaymentSource};
use chrono::NaiveDate;

/// The reference of a payment dated by a file's paid date.
pub(super) const PAID_ON_DATE: &str = "paid date from an import";

impl Writer<'_> {
    /// A lower amount due than stored is a payment of the difference; a higher one (a bounced
    /// payment, a corrected total) is recorded as a negative payment, with a warning.
    pub(super) fn settle_difference(
        &mut self,
        row: &InvoiceRow,
        old: &Invoice,
        details: &mut Vec<String>,
    ) -> Result<(), ImportError> {
        let due_now = row.total_minor - old.paid_minor;
        let difference = due_now - row.open_minor;
        let dated = row
            .paid_on
            .filter(|_| row.kind == InvoiceKind::Invoice && difference >= 0);
        if let Some(paid_on) = dated {
            return self.settle_dated(row, old, paid_on, difference, details);
        }
        if difference == 0 {
            return Ok(());
        }
        let lowered = row.open_minor.abs() < due_now.abs();
        let (was, now) = (
            self.decimal(due_now, &row.currency),
            self.decimal(row.open_minor, &row.currency),
        );
        let paid = self.decimal(difference, &row.currency);
        if lowered {
            self.record_payment(
                old.id,
                difference,
                PaymentSource::Import,
                payments::LOWERED_BY_IMPORT,
            )?;
            details.push(format!(
                "amount due {was} → {now}: payment of {paid} recorded"
            ));
        } else {
            self.record_payment(
                old.id,
                difference,
                PaymentSource::Import,
                "amount due raised by an import",
            )?;
            details.push(format!(
                "amount due {was} → {now}: {paid} recorded as a reversed payment"
            ));
            self.warn(
                Some(row.line),
                format!(
                    "the amount due on invoice {} went up from {was} to {now}",
                    row.number
                ),
            );
        }
        Ok(())
    }

    /// The file says when the invoice was paid: what is newly paid, and what earlier imports
    /// inferred on or after that day, become one payment on it. The total paid is what the file
    /// says; a re-import finds nothing left to date and records nothing.
    fn settle_dated(
        &mut self,
        row: &InvoiceRow,
        old: &Invoice,
        paid_on: NaiveDate,
        difference: i64,
        details: &mut Vec<String>,
    ) -> Result<(), ImportError> {
        let inferred = payments::inferred_since(self.conn, old.id, paid_on)?;
        let amount = difference + inferred;
        if amount == 0 {
            return Ok(());
        }
        let payment = NewPayment {
            invoice_id: old.id,
            amount_minor: amount,
            paid_on,
            reference: Some(PAID_ON_DATE),
            source: PaymentSource::Import,
        };
        payments::record_dated(self.conn, &payment)?;
        self.report.payments_recorded += 1;
        let paid = self.decimal(amount, &row.currency);
        details.push(match inferred {
            0 => format!("payment of {paid} on {paid_on} recorded"),
            _ => format!(
                "payment of {paid} on {paid_on} recorded, in place of {} an import had dated \
                 its own day",
                self.decimal(inferred, &row.currency)
            ),
        });
        Ok(())
    }

    pub(super) fn record_payment(
        &mut self,
        invoice_id: i64,
        amount_minor: i64,
        source: PaymentSource,
        reference: &str,
    ) -> Result<(), ImportError> {
        let payment = NewPayment {
            invoice_id,
            amount_minor,
            paid_on: self.today,
            reference: Some(reference),
            source,
        };
        payments::record_applied(self.conn, &payment)?;
        self.report.payments_recorded += 1;
        Ok(())
    }
}
