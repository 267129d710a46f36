//! Applying rows inside the import's single transaction: customers matched by name key,
//! invoices created or updated by number, payments for lowered amounts due, contacts merged,
//! then (at the end) closing for full imports, derived figures and the `imports` record.
//!
//! Built for a million rows: statements are prepared once (`prepare_cached` in the query
//! modules), customers are cached by name key, a new invoice is one INSERT, and payments update
//! their invoice incrementally instead of re-summing.
//!
//! Invoices are here; customers and contacts in [`known`]; the end of an import in [`closing`].

mod closing;
mod known;
mod settle;

use super::report::{
    ChangeAction, DetectedFormat, ImportOptions, ImportReport, InvoiceChange, RowIssue,
    MAX_CREATED_LISTED, MAX_LISTED,
};
use super::row::{InvoiceRow, RowError, RowState};
use super::ImportError;
use crate::model::{
    format_minor, Currency, Invoice, InvoiceKind, InvoiceStatus, Money, NewInvoice,
};
use crate::store::payments::{NewPayment, PaymentSource};
use crate::store::{now_timestamp, DbError};
use crate::{store::credit, store::invoices, store::payments};
use chrono::NaiveDate;
use known::KnownCustomer;
use rusqlite::Connection;
use settle::PAID_ON_DATE;
use std::collections::{HashMap, HashSet};

/// Above this many touched customers one pass over all of them beats a long id list.
pub const REFRESH_ALL_ABOVE: usize = 5_000;

/// Where the currency came from when a row named none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    pub currency: Currency,
    /// False when the `home_currency` setting is unset (or unreadable) and USD was assumed.
    pub from_settings: bool,
}

pub(crate) struct Writer<'c> {
    conn: &'c Connection,
    today: NaiveDate,
    full: bool,
    format: DetectedFormat,
    pub home: Home,
    /// Set when some row used the home currency; the report then says which one.
    pub used_home: bool,
    /// Name key → index in `known`: one lookup per row gives the id and the contacts seen.
    customers: HashMap<String, usize>,
    known: Vec<KnownCustomer>,
    key: String,
    /// Reused for every insert and update so rows cost no allocations for it.
    scratch: NewInvoice,
    /// created_at/updated_at of everything this import writes.
    now: String,
    /// Invoices this file created, updated or confirmed, with the line that did it.
    in_file: HashMap<i64, u64>,
    /// Numbers of rows that were rejected or skipped: a full import must not close them.
    mentioned: HashSet<String>,
    kinds_in_file: [bool; 2],
    touched: HashSet<i64>,
    pub report: ImportReport,
}

fn kind_index(kind: InvoiceKind) -> usize {
    match kind {
        InvoiceKind::Invoice => 0,
        InvoiceKind::CreditNote => 1,
    }
}

impl<'c> Writer<'c> {
    pub fn new(
        conn: &'c Connection,
        options: &ImportOptions,
        home: Home,
        report: ImportReport,
    ) -> Self {
        let format = report.format;
        let scratch = NewInvoice {
            customer_id: 0,
            kind: InvoiceKind::Invoice,
            number: String::new(),
            issue_date: options.today,
            due_date: options.today,
            total: Money::new(0, home.currency.clone()),
            source: format!("import:{}", format.as_str()),
        };
        Writer {
            conn,
            today: options.today,
            full: options.full,
            format,
            home,
            used_home: false,
            customers: HashMap::new(),
            known: Vec::new(),
            key: String::new(),
            scratch,
            now: now_timestamp(),
            in_file: HashMap::new(),
            mentioned: HashSet::new(),
            kinds_in_file: [false; 2],
            touched: HashSet::new(),
            report,
        }
    }

    pub fn reject(&mut self, line: u64, error: RowError, number: Option<&str>) {
        self.mention(number);
        self.report.push_rejection(RowIssue {
            line: Some(line),
            message: error.to_string(),
        });
    }

    pub fn skip(&mut self, line: u64, reason: String, number: Option<&str>) {
        self.mention(number);
        self.report.push_skip(RowIssue {
            line: Some(line),
            message: reason,
        });
    }

    pub fn warn(&mut self, line: Option<u64>, message: String) {
        self.report.push_warning(RowIssue { line, message });
    }

    /// The import day: payments without a date of their own get it.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    fn mention(&mut self, number: Option<&str>) {
        if let Some(number) = number.filter(|n| self.full && !n.is_empty()) {
            self.mentioned.insert(number.to_string());
        }
    }

    /// Creates or updates the row's invoice. Returns false when it was rejected or skipped here
    /// (a repeated number, a voided invoice never imported). Errors are database errors only.
    pub fn apply_invoice(&mut self, row: &InvoiceRow) -> Result<bool, ImportError> {
        let customer = self.known_customer(row.customer)?;
        // The common case, a new invoice of a known customer, is a single INSERT.
        if let (Some(customer), false) = (customer, row.state == RowState::Void) {
            if let Some(id) = self.insert(row, self.known[customer].id)? {
                return self.applied(row, id, customer, true);
            }
        }
        let existing = invoices::find_by_number(self.conn, row.kind, &row.number)?;
        if let Some(first_line) = existing.as_ref().and_then(|i| self.in_file.get(&i.id)) {
            let error = RowError::Repeated {
                number: row.number.to_string(),
                first_line: *first_line,
            };
            self.reject(row.line, error, None);
            return Ok(false);
        }
        if row.state == RowState::Void && existing.is_none() {
            let reason = format!(
                "invoice {} is voided or deleted and was never imported",
                row.number
            );
            self.skip(row.line, reason, Some(&row.number));
            return Ok(false);
        }
        let customer = match customer {
            Some(index) => index,
            None => self.create_customer(row.customer)?,
        };
        let customer_id = self.known[customer].id;
        let (id, changed) = match existing {
            None => match self.insert(row, customer_id)? {
                Some(id) => (id, true),
                // Only a writer outside our write transaction could have added it meanwhile.
                None => {
                    let number = format!("invoice {} (added while importing)", row.number);
                    return Err(DbError::NotFound(number).into());
                }
            },
            Some(invoice) => self.update(row, customer_id, invoice)?,
        };
        self.applied(row, id, customer, changed)
    }

    /// What every imported invoice row leaves behind besides the invoice. Only customers whose
    /// invoices changed need their balances refreshed: an unchanged re-import refreshes none.
    fn applied(
        &mut self,
        row: &InvoiceRow,
        id: i64,
        customer: usize,
        changed: bool,
    ) -> Result<bool, ImportError> {
        let email = row.email.unwrap_or("");
        let (last_email, last_phone) = &self.known[customer].last_cells;
        let repeated = last_email == email && last_phone == row.phone;
        if !repeated && (!email.is_empty() || !row.phone.is_empty()) {
            self.merge_contact(customer, row.email, row.contact_name, row.phone)?;
            let (last_email, last_phone) = &mut self.known[customer].last_cells;
            last_email.clear();
            last_email.push_str(email);
            last_phone.clear();
            last_phone.push_str(row.phone);
        }
        if let Some(minor) = row.credit_limit {
            let limit = Money::new(minor, row.currency.clone());
            credit::import_limit(self.conn, self.known[customer].id, &limit)?;
        }
        self.in_file.insert(id, row.line);
        self.kinds_in_file[kind_index(row.kind)] = true;
        if changed {
            self.touched.insert(self.known[customer].id);
        }
        Ok(true)
    }

    /// Inserts a new invoice with what is already paid on it; None when the number exists.
    fn insert(&mut self, row: &InvoiceRow, customer_id: i64) -> Result<Option<i64>, ImportError> {
        // What the file says is paid becomes a payment: the payments table is where paid
        // amounts come from. The invoice row is written with it, so no UPDATE follows.
        let paid = row.total_minor - row.open_minor;
        self.fill_scratch(row, customer_id);
        let Some(id) = invoices::insert_new(self.conn, &self.scratch, paid, &self.now)? else {
            return Ok(None);
        };
        if paid != 0 {
            // A paid date from the file dates it; without one it was paid some time before.
            let payment = NewPayment {
                invoice_id: id,
                amount_minor: paid,
                paid_on: row.paid_on.unwrap_or(self.today),
                reference: Some(match row.paid_on {
                    Some(_) => PAID_ON_DATE,
                    None => payments::PAID_BEFORE_IMPORT,
                }),
                source: PaymentSource::Import,
            };
            payments::insert_unsynced(self.conn, &payment)?;
            self.report.payments_recorded += 1;
        }
        self.report.invoices_created += 1;
        // Created invoices are listed as a sample for the preview, not counted as unlisted.
        if self.report.invoices_created as usize <= MAX_CREATED_LISTED {
            let details = match (paid, row.open_minor) {
                (0, _) => Vec::new(),
                (_, 0) => vec!["already paid".to_string()],
                (paid, _) => vec![format!(
                    "{} already paid",
                    self.decimal(paid, &row.currency)
                )],
            };
            let change = self.change(ChangeAction::Created, row, None, details);
            self.report.push_change(change);
        }
        Ok(Some(id))
    }

    fn update(
        &mut self,
        row: &InvoiceRow,
        customer_id: i64,
        old: Invoice,
    ) -> Result<(i64, bool), ImportError> {
        let open_before = old.open_minor();
        let mut details = Vec::new();
        if row.state == RowState::Void {
            if old.status != InvoiceStatus::Void {
                invoices::set_status(self.conn, old.id, InvoiceStatus::Void)?;
                details.push("voided in the accounting system".to_string());
                self.touched.insert(old.customer_id);
            }
        } else {
            let terms_changed = self.update_terms(row, customer_id, &old, &mut details)?;
            if old.status == InvoiceStatus::Void {
                invoices::set_status(self.conn, old.id, InvoiceStatus::Open)?;
                details.push("no longer void".to_string());
            }
            self.settle_difference(row, &old, &mut details)?;
            if terms_changed || old.status == InvoiceStatus::Void {
                // A new total or a reopened invoice may settle it or open it again.
                payments::sync_invoice(self.conn, old.id)?;
            }
        }
        if details.is_empty() {
            self.report.invoices_unchanged += 1;
            return Ok((old.id, false));
        }
        self.report.invoices_updated += 1;
        if self.report.invoices_updated as usize <= MAX_LISTED {
            let before = self.decimal(open_before, &old.total.currency);
            let change = self.change(ChangeAction::Updated, row, Some(before), details);
            self.report.push_change(change);
        } else {
            self.report.unlisted += 1;
        }
        Ok((old.id, true))
    }

    /// Customer, dates, currency and total as the file has them now.
    fn update_terms(
        &mut self,
        row: &InvoiceRow,
        customer_id: i64,
        old: &Invoice,
        details: &mut Vec<String>,
    ) -> Result<bool, ImportError> {
        let before = details.len();
        if old.customer_id != customer_id {
            details.push(format!("moved to customer {}", row.customer));
            self.touched.insert(old.customer_id);
        }
        if old.issue_date != row.issue_date {
            details.push(format!(
                "issue date {} → {}",
                old.issue_date, row.issue_date
            ));
        }
        if old.due_date != row.due_date {
            details.push(format!("due date {} → {}", old.due_date, row.due_date));
        }
        if old.total.currency != row.currency || old.total.minor != row.total_minor {
            details.push(format!(
                "total {} → {} {}",
                old.total,
                self.decimal(row.total_minor, &row.currency),
                row.currency
            ));
        }
        if details.len() == before {
            return Ok(false);
        }
        self.fill_scratch(row, customer_id);
        invoices::update_terms(self.conn, old.id, &self.scratch)?;
        Ok(true)
    }

    /// Writes the row into the reused `NewInvoice`, keeping its buffers.
    fn fill_scratch(&mut self, row: &InvoiceRow, customer_id: i64) {
        let new = &mut self.scratch;
        new.customer_id = customer_id;
        new.kind = row.kind;
        new.number.clear();
        new.number.push_str(&row.number);
        new.issue_date = row.issue_date;
        new.due_date = row.due_date;
        new.total.minor = row.total_minor;
        if new.total.currency != row.currency {
            new.total.currency = row.currency.clone();
        }
    }

    fn change(
        &self,
        action: ChangeAction,
        row: &InvoiceRow,
        open_before: Option<String>,
        details: Vec<String>,
    ) -> InvoiceChange {
        InvoiceChange {
            action,
            line: Some(row.line),
            number: row.number.to_string(),
            kind: row.kind,
            customer: row.customer.to_string(),
            currency: row.currency.clone(),
            open_before,
            open_after: self.decimal(row.open_minor, &row.currency),
            details,
        }
    }

    fn decimal(&self, minor: i64, currency: &Currency) -> String {
        format_minor(minor, currency.decimals())
    }
}
