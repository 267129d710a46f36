//! Building the mailer the way every sender does (the app's delivery loop and campaign runs,
//! its account screen, the CLI): the account's settings, its password from the system keychain
//! and the transport options, with a CA certificate from the environment when one is given.

use super::account::{self, AccountSettings};
use super::smtp::{MailerOptions, SmtpMailer};
use super::{mailer_for_account, MailSetupError};
use crate::secrets::{KeychainStore, Password};
use rusqlite::Connection;

/// The stored account as a mailer, its password read from the system keychain.
pub fn account_mailer(conn: &Connection) -> Result<SmtpMailer, MailSetupError> {
    mailer_for_account(conn, &KeychainStore::default(), options()?)
}

/// A mailer for `settings` not stored yet (the account screen's "Test connection"): with the
/// password the person typed, or else the one in the system keychain.
pub fn mailer_with(
    settings: &AccountSettings,
    typed: Option<Password>,
) -> Result<SmtpMailer, MailSetupError> {
    let password = match typed.filter(|p| !p.is_empty()) {
        Some(p) => p,
        None => account::password(settings, &KeychainStore::default())?,
    };
    Ok(SmtpMailer::new(settings, &password, options()?)?)
}

fn options() -> Result<MailerOptions, MailSetupError> {
    Ok(MailerOptions::default().with_env_ca()?)
}
