//! The fields an email preview renders: the customer's fields from [`crate::company::fields`]
//! with the sender of the stored email account.

use crate::company::fields::{build, ContextInput, TemplateContext};
use crate::store::DbError;
use chrono::NaiveDate;
use rusqlite::Connection;

/// Why the fields for a preview could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PreviewFieldsError {
    #[error(transparent)]
    Company(#[from] crate::company::CompanyError),
    #[error(transparent)]
    Account(#[from] super::account::AccountError),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The fields a preview renders for a real customer, with the stored company profile and
/// sender (empty before an email account is set up). Only reads: callers holding a lock take it
/// for this and render after releasing it.
pub fn for_preview(
    conn: &Connection,
    customer_id: i64,
    as_of: NaiveDate,
) -> Result<TemplateContext, PreviewFieldsError> {
    let company = crate::company::load(conn)?;
    let sender = super::account::load(conn)?;
    Ok(build(
        conn,
        &ContextInput {
            customer_id,
            as_of,
            company: &company,
            sender_name: sender.as_ref().map_or("", |s| s.sender_name.as_str()),
            sender_email: sender.as_ref().map_or("", |s| s.from_address.as_str()),
        },
    )?)
}
