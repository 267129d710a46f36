//! The account's IMAP server, where replies are read. Part of the account (not of `mail::imap`,
//! which connects): the account holds it, and `mail::imap` builds on the account and SMTP's
//! errors, so keeping the settings here keeps the imports one way.
//!
//! The login: a signed-in (OAuth2) account uses its sign-in's token (XOAUTH2), else the IMAP
//! password when one was given (its own keychain entry, [`ImapSettings::secret_account`]), else
//! the SMTP password, which most providers share.

use super::checks::{check_password, check_server};
use super::{password, AccountError, AccountSettings};
use crate::mail::security::Security;
use crate::model::validation::FieldError;
use crate::secrets::{Password, SecretStore};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The IMAP server of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImapSettings {
    pub host: String,
    /// Usually 993 (TLS) or 143 (STARTTLS).
    pub port: u16,
    pub security: Security,
    /// The login name when it differs from the SMTP one; None: the SMTP user name.
    #[serde(default)]
    pub username: Option<String>,
    /// Save our sent reminders to the Sent folder (IMAP APPEND), for providers that do not
    /// file mail sent by SMTP there themselves (Gmail and Microsoft 365 do). Off by default,
    /// and for accounts stored before it existed.
    #[serde(default)]
    pub save_sent: bool,
}

impl ImapSettings {
    /// Trimmed and checked like the SMTP fields; a refusal names `imap.host`, `imap.port`, ...
    pub fn validated(&self) -> Result<ImapSettings, FieldError> {
        let host = self.host.trim().to_ascii_lowercase();
        check_server(
            ("imap.host", "imap.port", "imap.security"),
            &host,
            self.port,
            self.security,
        )?;
        let username = self
            .username
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string);
        if username
            .as_deref()
            .is_some_and(|u| u.chars().any(char::is_control))
        {
            return Err(FieldError::new(
                "imap.username",
                "the IMAP user name must be one line",
            ));
        }
        Ok(ImapSettings {
            host,
            port: self.port,
            security: self.security,
            username,
            save_sent: self.save_sent,
        })
    }

    /// The name IMAP logs in with: its own, else the account's.
    pub fn login_name<'a>(&'a self, account: &'a AccountSettings) -> &'a str {
        self.username.as_deref().unwrap_or(&account.username)
    }

    /// The keychain entry of an IMAP password given on its own.
    pub fn secret_account(&self, account: &AccountSettings) -> String {
        format!("imap:{}@{}", self.login_name(account), self.host)
    }
}

/// The password IMAP logs in with: its own entry, else the SMTP password.
pub fn imap_password(
    account: &AccountSettings,
    imap: &ImapSettings,
    secrets: &dyn SecretStore,
) -> Result<Password, AccountError> {
    match secrets.get(&imap.secret_account(account))? {
        Some(p) => Ok(p),
        None => password(account, secrets),
    }
}

/// Stores a password for IMAP alone (when it differs from the SMTP one).
pub fn save_imap_password(
    account: &AccountSettings,
    imap: &ImapSettings,
    secrets: &dyn SecretStore,
    typed: &Password,
) -> Result<(), AccountError> {
    check_password(typed)?;
    Ok(secrets.set(&imap.secret_account(account), typed)?)
}

/// When the IMAP server or user name changes, its own password moves to the new entry; when IMAP
/// is removed, the entry goes.
pub(super) fn carry_password(
    old: Option<&AccountSettings>,
    new: &AccountSettings,
    secrets: &dyn SecretStore,
) -> Result<(), AccountError> {
    let Some(old_key) = old.and_then(|o| o.imap.as_ref().map(|i| i.secret_account(o))) else {
        return Ok(());
    };
    let new_key = new.imap.as_ref().map(|i| i.secret_account(new));
    if new_key.as_deref() == Some(old_key.as_str()) {
        return Ok(());
    }
    if let (Some(key), Some(p)) = (&new_key, secrets.get(&old_key)?) {
        if secrets.get(key)?.is_none() {
            secrets.set(key, &p)?;
        }
    }
    // The old entry is no longer used; failing to delete it must not undo the save.
    let _ = secrets.delete(&old_key);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemoryStore;

    fn imap(host: &str, security: Security) -> ImapSettings {
        ImapSettings {
            host: host.into(),
            port: 993,
            security,
            username: Some("  ".into()),
            save_sent: false,
        }
    }

    #[test]
    fn fields_are_checked_like_smtp_and_named_as_imap() {
        let clean = imap(" IMAP.Example.com ", Security::ImplicitTls)
            .validated()
            .unwrap();
        assert_eq!(clean.host, "imap.example.com");
        assert_eq!(clean.username, None);
        let bad = imap("imap example", Security::ImplicitTls).validated();
        assert_eq!(bad.unwrap_err().field, "imap.host");
        let plain = imap("imap.example.com", Security::None).validated();
        assert_eq!(plain.unwrap_err().field, "imap.security");
        assert!(imap("127.0.0.1", Security::None).validated().is_ok());
    }

    #[test]
    fn an_account_stored_before_save_sent_loads_with_it_off() {
        let stored = r#"{"host":"imap.example.com","port":993,"security":"implicit_tls"}"#;
        let loaded: ImapSettings = serde_json::from_str(stored).unwrap();
        assert!(!loaded.save_sent);
    }

    #[test]
    fn its_own_password_else_the_smtp_one() {
        let mut account = AccountSettings::not_set_up();
        account.username = "ar@example.com".into();
        let settings = imap("imap.example.com", Security::ImplicitTls)
            .validated()
            .unwrap();
        let secrets = MemoryStore::new();
        assert!(matches!(
            imap_password(&account, &settings, &secrets),
            Err(AccountError::NoPassword(_))
        ));
        secrets
            .set(&account.secret_account(), &Password::new("smtp-pw"))
            .unwrap();
        let got = imap_password(&account, &settings, &secrets).unwrap();
        assert_eq!(got.expose(), "smtp-pw");
        save_imap_password(&account, &settings, &secrets, &Password::new("imap-pw")).unwrap();
        let got = imap_password(&account, &settings, &secrets).unwrap();
        assert_eq!(got.expose(), "imap-pw");
        assert_eq!(
            settings.secret_account(&account),
            "imap:ar@example.com@imap.example.com"
        );
        let mut moved = account.clone();
        moved.imap = Some(ImapSettings {
            host: "mail.example.com".into(),
            ..settings.clone()
        });
        let mut before = account.clone();
        before.imap = Some(settings.clone());
        carry_password(Some(&before), &moved, &secrets).unwrap();
        let got = imap_password(&moved, moved.imap.as_ref().unwrap(), &secrets).unwrap();
        assert_eq!(got.expose(), "imap-pw");
        assert!(secrets
            .get(&settings.secret_account(&account))
            .unwrap()
            .is_none());
        let mut without = moved.clone();
        without.imap = None;
        carry_password(Some(&moved), &without, &secrets).unwrap();
        let entry = moved.imap.as_ref().unwrap().secret_account(&moved);
        assert!(secrets.get(&entry).unwrap().is_none());
    }
}
