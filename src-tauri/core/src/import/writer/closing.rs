//! The end of an import: closing what a full import's file omits, the home-currency note,
//! derived figures and the `imports` record.

use super::super::history;
use super::super::report::{ChangeAction, DetectedFormat, ImportReport, InvoiceChange, MAX_LISTED};
use super::{kind_index, ImportError, Writer, REFRESH_ALL_ABOVE};
use crate::model::Invoice;
use crate::store::payments::{self, PaymentSource};
use crate::{store::customers, store::derived, store::invoices};

impl Writer<'_> {
    /// Closing, derived figures and the `imports` row; returns the finished report.
    pub fn finish(mut self, write_history: bool) -> Result<ImportReport, ImportError> {
        if self.full {
            self.close_missing()?;
        }
        self.home_currency_note();
        let touched: Vec<i64> = self.touched.iter().copied().collect();
        if touched.len() > REFRESH_ALL_ABOVE {
            derived::refresh_all(self.conn)?;
        } else {
            derived::refresh_customers(self.conn, &touched)?;
        }
        if write_history {
            self.report.import_id = Some(history::record(self.conn, &self.report)?);
        }
        // Formats that group rows find some problems out of order; people read by line.
        for issues in [
            &mut self.report.rejections,
            &mut self.report.skipped,
            &mut self.report.warnings,
        ] {
            issues.sort_by_key(|issue| issue.line.unwrap_or(u64::MAX));
        }
        Ok(self.report)
    }

    fn home_currency_note(&mut self) {
        if !self.used_home {
            return;
        }
        let code = self.home.currency.code().to_string();
        let message = if self.home.from_settings {
            format!("rows without a currency were imported in {code}, the home currency")
        } else {
            format!(
                "rows without a currency were imported in {code}: no home currency is set (setting \"home_currency\")"
            )
        };
        self.warn(None, message);
    }

    /// With `--full` the file lists every open invoice: the ones it omits were paid.
    fn close_missing(&mut self) -> Result<(), ImportError> {
        if self.format == DetectedFormat::QuickbooksContacts {
            self.warn(
                None,
                "--full applies to invoice files; a contact list closes nothing".into(),
            );
            return Ok(());
        }
        if self.in_file.is_empty() {
            let message =
                "--full was ignored: no invoice from the file was imported, so none was closed";
            self.warn(None, message.into());
            return Ok(());
        }
        let mut kept = [0u64; 2];
        let mut open = invoices::open_ids(self.conn)?;
        // Index order is by currency; people read closings in the order they were created.
        open.sort_unstable_by_key(|(id, _, _)| *id);
        for (id, number, kind) in open {
            if self.in_file.contains_key(&id) || self.mentioned.contains(&number) {
                continue;
            }
            // A report exported without credit memos says nothing about them.
            if !self.kinds_in_file[kind_index(kind)] {
                kept[kind_index(kind)] += 1;
                continue;
            }
            self.close(invoices::get(self.conn, id)?)?;
        }
        for (count, what) in kept.iter().zip(["invoices", "credit notes"]) {
            if *count > 0 {
                self.warn(
                    None,
                    format!("the file lists no {what}, so {count} open {what} were left open"),
                );
            }
        }
        Ok(())
    }

    fn close(&mut self, invoice: Invoice) -> Result<(), ImportError> {
        let open = invoice.open_minor();
        if open != 0 {
            self.record_payment(
                invoice.id,
                open,
                PaymentSource::Closed,
                payments::MISSING_FROM_FULL_IMPORT,
            )?;
        } else {
            // Nothing left to pay but still marked open (a zero total): settle the status.
            payments::sync_invoice(self.conn, invoice.id)?;
        }
        self.touched.insert(invoice.customer_id);
        self.report.invoices_closed += 1;
        if self.report.invoices_closed as usize > MAX_LISTED {
            self.report.unlisted += 1;
            return Ok(());
        }
        let currency = invoice.total.currency.clone();
        let change = InvoiceChange {
            action: ChangeAction::Closed,
            line: None,
            customer: customers::get(self.conn, invoice.customer_id)?.name,
            open_before: Some(self.decimal(open, &currency)),
            open_after: self.decimal(0, &currency),
            details: vec![format!(
                "not in the file: {} recorded as paid",
                self.decimal(open, &currency)
            )],
            number: invoice.number,
            kind: invoice.kind,
            currency,
        };
        self.report.push_change(change);
        Ok(())
    }
}
