//! The user's own mail account: SMTP settings (and, for reading replies, its IMAP server in
//! [`imap`]) in the database, passwords in the OS keychain.

mod checks;
pub mod imap;

use super::attention;
use super::limits::SendingLimits;
use super::oauth::{self, AuthMethod, OAuthSettings};
use super::presets;
use super::security::Security;
use crate::model::validation::FieldError;
use crate::secrets::{Password, SecretError, SecretStore};
use crate::store::settings;
use crate::store::DbError;
use checks::{check_password, check_server};
pub use imap::{imap_password, save_imap_password, ImapSettings};
use lettre::message::Mailbox;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

const ACCOUNT_KEY: &str = "mail_account";

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Invalid(String),
    /// A setting that is refused, named so the form shows the message beside it.
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error(
        "no email account is set up yet (set one in Settings → Email, or `duebook account set`)"
    )]
    NotConfigured,
    #[error("no password is stored for {0}; enter it in Settings → Email (or `duebook account set`), or sign in with Microsoft or Google (`duebook account login`)")]
    NoPassword(String),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Everything about the account except the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AccountSettings {
    /// The name recipients see, e.g. "Acme Accounts".
    pub sender_name: String,
    pub from_address: String,
    /// Where replies go when not to the From address.
    pub reply_to: Option<String>,
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    /// Messages per minute and per day; None: the provider's published figures for `host`
    /// (see [`limits_in_force`]). Settings stored before limits existed load as None.
    #[serde(default)]
    pub limits: Option<SendingLimits>,
    /// Password or OAuth2 sign-in; settings stored before sign-in existed load as a password.
    #[serde(default)]
    pub auth: AuthMethod,
    /// Where replies are read (IMAP); None until it is set up. Logs in as the SMTP account does
    /// (the same sign-in, or its own password, else the SMTP password).
    #[serde(default)]
    pub imap: Option<ImapSettings>,
}

/// What the settings screen shows: the settings, whether a password is stored, and warnings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AccountView {
    pub settings: AccountSettings,
    pub password_stored: bool,
    /// For an OAuth2 account: whether a sign-in (refresh token) is in the keychain.
    pub signed_in: bool,
    pub warnings: Vec<String>,
    /// The sending limits in force: the account's own, else the provider's published figures.
    pub limits_in_force: SendingLimits,
}

fn parse_address(field: &str, what: &str, text: &str) -> Result<lettre::Address, AccountError> {
    text.trim().parse::<lettre::Address>().map_err(|e| {
        FieldError::new(
            field,
            format!("{what} {:?} is not an email address ({e})", text.trim()),
        )
        .into()
    })
}

impl AccountSettings {
    /// Trims and checks every field; returns the cleaned settings or the first problem.
    pub fn validated(&self) -> Result<AccountSettings, AccountError> {
        let mut s = self.clone();
        s.sender_name = s.sender_name.trim().to_string();
        s.from_address = s.from_address.trim().to_string();
        s.reply_to = s
            .reply_to
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        s.host = s.host.trim().to_ascii_lowercase();
        s.username = s.username.trim().to_string();
        let refuse = |field: &str, message: String| Err(FieldError::new(field, message).into());
        if let Some(imap) = &s.imap {
            s.imap = Some(imap.validated()?);
        }
        if s.sender_name.chars().any(char::is_control) || s.sender_name.chars().count() > 100 {
            return refuse(
                "sender_name",
                "the sender name must be one line of at most 100 characters".into(),
            );
        }
        parse_address("from_address", "the From address", &s.from_address)?;
        if let Some(reply) = &s.reply_to {
            parse_address("reply_to", "the Reply-To address", reply)?;
        }
        check_server(("host", "port", "security"), &s.host, s.port, s.security)?;
        if s.username.is_empty() || s.username.chars().any(char::is_control) {
            return refuse("username", "the user name is missing".into());
        }
        if let Some(limits) = &s.limits {
            limits.check()?;
        }
        if let AuthMethod::OAuth2(o) = &s.auth {
            let clean = o
                .validated()
                .map_err(|e| FieldError::new("auth", e.to_string()))?;
            s.auth = AuthMethod::OAuth2(clean);
        }
        Ok(s)
    }

    /// Stands in for the account in a preview made before one is set up. The address uses
    /// the reserved `.invalid` domain, so nothing could ever be delivered to or from it.
    pub fn not_set_up() -> AccountSettings {
        let address = "email-account-not-set-up@example.invalid";
        AccountSettings {
            sender_name: String::new(),
            from_address: address.into(),
            reply_to: None,
            host: String::new(),
            port: 587,
            security: Security::StartTls,
            username: address.into(),
            limits: None,
            auth: AuthMethod::Password,
            imap: None,
        }
    }

    /// The From mailbox: "Acme Accounts <ar@acme.example>".
    pub fn from_mailbox(&self) -> Result<Mailbox, AccountError> {
        let address = parse_address("from_address", "the From address", &self.from_address)?;
        let name = (!self.sender_name.is_empty()).then(|| self.sender_name.clone());
        Ok(Mailbox::new(name, address))
    }

    pub fn reply_to_mailbox(&self) -> Result<Option<Mailbox>, AccountError> {
        self.reply_to
            .as_deref()
            .map(|r| {
                parse_address("reply_to", "the Reply-To address", r).map(|a| Mailbox::new(None, a))
            })
            .transpose()
    }

    /// The keychain entry holding this account's password.
    pub fn secret_account(&self) -> String {
        format!("smtp:{}@{}", self.username, self.host)
    }

    /// Things that will probably go wrong, said before they do.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let from = self.from_address.to_ascii_lowercase();
        let user = self.username.to_ascii_lowercase();
        if user.contains('@') && user != from {
            out.push(format!(
                "The From address {} differs from the account {}: many providers reject this (\"SendAsDenied\") or rewrite it unless it is an alias of the account.",
                self.from_address, self.username
            ));
        }
        let standard = matches!(
            (self.security, self.port),
            (Security::StartTls, 587 | 25 | 2525) | (Security::ImplicitTls, 465)
        );
        if !standard && self.security != Security::None {
            let usual = match self.security {
                Security::ImplicitTls => "465",
                _ => "587",
            };
            out.push(format!(
                "Port {} is unusual for {}; the usual port is {usual}.",
                self.port,
                match self.security {
                    Security::ImplicitTls => "TLS",
                    _ => "STARTTLS",
                }
            ));
        }
        out
    }
}

/// The limits in force for `settings`: its own, else the published figures for its host
/// ([`presets::published_limits`]).
pub fn limits_in_force(settings: &AccountSettings) -> SendingLimits {
    settings
        .limits
        .unwrap_or_else(|| presets::published_limits(&settings.host))
}

/// The stored settings, if an account is set up.
pub fn load(conn: &Connection) -> Result<Option<AccountSettings>, AccountError> {
    match settings::get(conn, ACCOUNT_KEY)? {
        None => Ok(None),
        Some(json) => serde_json::from_str(&json).map(Some).map_err(|e| {
            AccountError::Invalid(format!(
                "the stored email settings cannot be read ({e}); set the account again"
            ))
        }),
    }
}

pub fn require(conn: &Connection) -> Result<AccountSettings, AccountError> {
    load(conn)?.ok_or(AccountError::NotConfigured)
}

/// The settings screen's view of the account.
pub fn view(
    conn: &Connection,
    secrets: &dyn SecretStore,
) -> Result<Option<AccountView>, AccountError> {
    let Some(settings) = load(conn)? else {
        return Ok(None);
    };
    let mut warnings = settings.warnings();
    let mut stored = |entry: String, what: &str| match secrets.get(&entry) {
        Ok(p) => p.is_some(),
        Err(e) => {
            warnings.push(format!("The {what} cannot be read: {e}"));
            false
        }
    };
    let password_stored = stored(settings.secret_account(), "password");
    let signed_in = matches!(settings.auth, AuthMethod::OAuth2(_))
        && stored(oauth::refresh_token_key(&settings.username), "sign-in");
    Ok(Some(AccountView {
        limits_in_force: limits_in_force(&settings),
        settings,
        password_stored,
        signed_in,
        warnings,
    }))
}

/// The password for the account, from the keychain.
pub fn password(
    settings: &AccountSettings,
    secrets: &dyn SecretStore,
) -> Result<Password, AccountError> {
    secrets
        .get(&settings.secret_account())?
        .ok_or_else(|| AccountError::NoPassword(settings.secret_account()))
}

/// Validates and saves the account. `password`: a new password to store in the keychain, or
/// None to keep the stored one (moved along when the user name or host changes). Nothing is
/// changed when a field is wrong or the keychain refuses.
pub fn save(
    conn: &Connection,
    secrets: &dyn SecretStore,
    settings: &AccountSettings,
    password: Option<&Password>,
) -> Result<AccountView, AccountError> {
    let mut clean = settings.validated()?;
    let old = load(conn).ok().flatten();
    let new_account = clean.secret_account();
    let old_account = old.as_ref().map(AccountSettings::secret_account);
    match password {
        Some(p) => {
            check_password(p)?;
            secrets.set(&new_account, p)?;
            // A typed password is how the account logs in from now on (also after a sign-in),
            // and the fix for a refused login: the next run tries it.
            clean.auth = AuthMethod::Password;
            attention::clear_attention(conn)?;
        }
        None if matches!(clean.auth, AuthMethod::OAuth2(_)) => {}
        None => {
            if secrets.get(&new_account)?.is_none() {
                let moved = match &old_account {
                    Some(old) if *old != new_account => secrets.get(old)?,
                    _ => None,
                };
                match moved {
                    Some(p) => secrets.set(&new_account, &p)?,
                    None => return Err(AccountError::NoPassword(new_account)),
                }
            }
        }
    }
    store(conn, &clean)?;
    imap::carry_password(old.as_ref(), &clean, secrets)?;
    if let Some(old) = old_account.filter(|o| *o != new_account) {
        // The old entry is no longer used; failing to delete it must not undo the save.
        let _ = secrets.delete(&old);
    }
    let password_stored = secrets.get(&new_account)?.is_some();
    let signed_in = secrets
        .get(&oauth::refresh_token_key(&clean.username))?
        .is_some();
    Ok(AccountView {
        warnings: clean.warnings(),
        limits_in_force: limits_in_force(&clean),
        signed_in: signed_in && matches!(clean.auth, AuthMethod::OAuth2(_)),
        settings: clean,
        password_stored,
    })
}

fn store(conn: &Connection, clean: &AccountSettings) -> Result<(), AccountError> {
    let json = serde_json::to_string(clean)
        .map_err(|e| AccountError::Invalid(format!("cannot store the settings: {e}")))?;
    Ok(settings::set(conn, ACCOUNT_KEY, &json)?)
}

/// Saves the settings without touching the keychain: a new account that will sign in with
/// OAuth2 next (`duebook account login`), so it has no password to store.
pub fn save_without_password(
    conn: &Connection,
    settings: &AccountSettings,
) -> Result<AccountSettings, AccountError> {
    let clean = settings.validated()?;
    store(conn, &clean)?;
    Ok(clean)
}

/// After a successful sign-in: the account logs in with `oauth` from now on, and a login
/// problem it had is cleared (the next run tries the new sign-in).
pub fn use_oauth(conn: &Connection, oauth: OAuthSettings) -> Result<AccountSettings, AccountError> {
    let mut settings = require(conn)?;
    settings.auth = AuthMethod::OAuth2(oauth);
    let clean = settings.validated()?;
    store(conn, &clean)?;
    attention::clear_attention(conn)?;
    Ok(clean)
}

/// Deletes the account's settings, its password and its sign-in from the keychain.
pub fn remove(conn: &Connection, secrets: &dyn SecretStore) -> Result<bool, AccountError> {
    let Some(current) = load(conn)? else {
        return Ok(false);
    };
    secrets.delete(&current.secret_account())?;
    if let Some(imap) = &current.imap {
        secrets.delete(&imap.secret_account(&current))?;
    }
    oauth::sign_out(&current.username, secrets)?;
    conn.execute("DELETE FROM settings WHERE key = ?1", [ACCOUNT_KEY])
        .map_err(DbError::from)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::limits::{CUSTOM_SERVER, LOCAL_SERVER};

    #[test]
    fn the_preset_for_the_host_applies_until_the_user_sets_limits() {
        let mut s = AccountSettings::not_set_up();
        s.host = "smtp.office365.com".into();
        assert_eq!(limits_in_force(&s).per_minute, Some(30));
        assert_eq!(limits_in_force(&s).per_day, Some(10_000));
        s.host = "smtp.gmail.com".into();
        assert_eq!(limits_in_force(&s).per_day, Some(500));
        s.host = "mail.example.com".into();
        assert_eq!(limits_in_force(&s), CUSTOM_SERVER);
        s.host = "127.0.0.1".into();
        assert_eq!(limits_in_force(&s), LOCAL_SERVER);
        let own = SendingLimits {
            per_minute: Some(5),
            per_day: Some(50),
        };
        s.limits = Some(own);
        assert_eq!(limits_in_force(&s), own);
        assert!(SendingLimits {
            per_minute: Some(0),
            per_day: None
        }
        .check()
        .is_err());
    }

    #[test]
    fn settings_stored_before_limits_existed_still_load() {
        let old = r#"{"sender_name":"A","from_address":"a@b.example","reply_to":null,
            "host":"smtp.gmail.com","port":587,"security":"start_tls","username":"a@b.example"}"#;
        let s: AccountSettings = serde_json::from_str(old).unwrap();
        assert_eq!(s.limits, None);
        assert_eq!(limits_in_force(&s).per_day, Some(500));
    }
}
