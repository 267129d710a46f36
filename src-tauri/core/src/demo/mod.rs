//! Deterministic, realistic demo data: companies with contacts, invoices spread over every
//! aging bucket and several currencies, payments (some partial), notes, promises and disputes.
//! The same seed and date always give the same file. Demo data goes into its own file only.

use crate::model::{
    Channel, Currency, InvoiceKind, Money, NewContact, NewCustomer, NewInvoice, TaskKind,
};
use crate::store::payments::{NewPayment, PaymentSource};
use crate::store::{Database, DbError, DbResult};
use crate::{
    store::contacts, store::customers, store::derived, store::invoices, store::notes,
    store::payments, store::settings, store::tasks,
};
use chrono::{Days, NaiveDate};
use rusqlite::params;

mod generator;
mod words;

use generator::Generator;
pub(crate) use words::{PREFIXES, TRADES};

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub customers: u32,
    pub seed: u64,
    /// Invoices are dated relative to this day so the aging looks the same whenever it runs.
    pub today: NaiveDate,
}

/// The demo the app and `duebook demo` create by default.
pub const STANDARD_CUSTOMERS: u32 = 60;
pub const STANDARD_SEED: u64 = 42;

impl DemoOptions {
    pub fn standard(today: NaiveDate) -> Self {
        DemoOptions {
            customers: STANDARD_CUSTOMERS,
            seed: STANDARD_SEED,
            today,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub customers: u32,
    pub invoices: u32,
    pub payments: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("{0} already holds customers; demo data only goes into a file of its own")]
    NotEmpty(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for DemoError {
    fn from(e: rusqlite::Error) -> Self {
        DemoError::Db(e.into())
    }
}

/// Fills an empty database with demo data and marks it as a demo file.
pub fn generate(db: &mut Database, options: &DemoOptions) -> Result<DemoSummary, DemoError> {
    if customers::count(db.conn())? > 0 {
        return Err(DemoError::NotEmpty(db.path().display().to_string()));
    }
    let tx = db.conn_mut().transaction()?;
    let mut generator = Generator::new(options.seed, options.today);
    for index in 0..options.customers {
        generator.customer(&tx, index as usize)?;
    }
    payments::sync_all(&tx)?;
    derived::refresh_all(&tx)?;
    settings::set(&tx, settings::IS_DEMO, "1")?;
    settings::set(&tx, settings::HOME_CURRENCY, "USD")?;
    settings::set(&tx, settings::COMPANY_NAME, "Demo Supplies Co.")?;
    tx.commit()?;
    db.conn().execute_batch("PRAGMA optimize")?;
    Ok(generator.summary())
}
