//! Where passwords live: the OS keychain, never the database.
//!
//! [`SecretStore`] is the small interface the mail code uses. [`KeychainStore`] is the real one
//! (`keyring` 4 with its platform stores: Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows). [`MemoryStore`] keeps secrets in a map for unit tests of logic that only
//! needs *a* store; tests of the keychain itself use [`KeychainStore`] against a real Secret Service.
//!
//! A secret travels as a [`Password`], whose `Debug` prints `***` and which has no `Display`, no
//! `Serialize` and no `Clone`, so it cannot slip into a log line, an error message or a JSON reply.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

/// The keychain "service" Duebook's secrets are filed under.
pub const SERVICE: &str = crate::APP_IDENTIFIER;

/// A password or app password. Never printed, never serialized.
pub struct Password(String);

impl Password {
    pub fn new(secret: impl Into<String>) -> Password {
        Password(secret.into())
    }

    /// The secret itself, for the one place that must hand it on (the SMTP login).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Drop for Password {
    fn drop(&mut self) {
        // Best effort: overwrite the bytes before the allocation is freed.
        let bytes = std::mem::take(&mut self.0).into_bytes();
        let mut bytes = bytes;
        bytes.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&bytes);
    }
}

/// The UI sends a password once, when the account is saved.
impl<'de> serde::Deserialize<'de> for Password {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Password)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("no keychain is available on this computer ({detail}); Duebook stores passwords only in the OS keychain (Secret Service on Linux: install and start gnome-keyring or KWallet)")]
    NoKeychain { detail: String },
    #[error("the keychain is locked or refused access ({detail}); unlock it and try again")]
    Locked { detail: String },
    #[error("the keychain failed: {detail}")]
    Platform { detail: String },
    #[error("the keychain holds more than one password for {account}; remove the extra entries with your keychain tool")]
    Ambiguous { account: String },
    #[error("the password stored for {account} is not valid text")]
    BadEncoding { account: String },
    #[error("{0}")]
    Invalid(String),
}

/// A place to keep secrets by account name (e.g. `smtp:me@example.com@smtp.example.com`).
pub trait SecretStore: Send + Sync {
    fn set(&self, account: &str, secret: &Password) -> Result<(), SecretError>;
    /// `Ok(None)` when nothing is stored for the account.
    fn get(&self, account: &str) -> Result<Option<Password>, SecretError>;
    /// Deleting what is not there is not an error.
    fn delete(&self, account: &str) -> Result<(), SecretError>;
}

/// The OS keychain through `keyring` (its default `v1` features: the real platform stores).
#[derive(Debug, Clone)]
pub struct KeychainStore {
    service: String,
}

impl Default for KeychainStore {
    fn default() -> Self {
        KeychainStore::new(SERVICE)
    }
}

impl KeychainStore {
    /// A store filing entries under `service` (tests use their own service name).
    pub fn new(service: &str) -> KeychainStore {
        KeychainStore {
            service: service.to_string(),
        }
    }

    /// Whether a keychain can be reached at all, as a plain sentence when it cannot.
    pub fn check_available() -> Result<(), SecretError> {
        match keyring::Entry::store_status() {
            Ok(()) => Ok(()),
            Err(e) => Err(SecretError::NoKeychain {
                detail: e.to_string(),
            }),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, SecretError> {
        if account.trim().is_empty() {
            return Err(SecretError::Invalid(
                "the keychain account name is empty".into(),
            ));
        }
        keyring::Entry::new(&self.service, account).map_err(|e| classify(e, account))
    }
}

fn classify(error: keyring::Error, account: &str) -> SecretError {
    match error {
        keyring::Error::NoDefaultStore => SecretError::NoKeychain {
            detail: match keyring::Entry::store_status() {
                Err(e) => e.to_string(),
                Ok(()) => "no default store".into(),
            },
        },
        keyring::Error::NoStorageAccess(e) => SecretError::Locked {
            detail: e.to_string(),
        },
        keyring::Error::Ambiguous(_) => SecretError::Ambiguous {
            account: account.to_string(),
        },
        keyring::Error::BadEncoding(_) => SecretError::BadEncoding {
            account: account.to_string(),
        },
        keyring::Error::Invalid(what, why) => SecretError::Invalid(format!("{what}: {why}")),
        other => SecretError::Platform {
            detail: other.to_string(),
        },
    }
}

impl SecretStore for KeychainStore {
    fn set(&self, account: &str, secret: &Password) -> Result<(), SecretError> {
        if secret.is_empty() {
            return Err(SecretError::Invalid("the password is empty".into()));
        }
        self.entry(account)?
            .set_password(secret.expose())
            .map_err(|e| classify(e, account))
    }

    fn get(&self, account: &str) -> Result<Option<Password>, SecretError> {
        match self.entry(account)?.get_password() {
            Ok(secret) => Ok(Some(Password(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e, account)),
        }
    }

    fn delete(&self, account: &str) -> Result<(), SecretError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(classify(e, account)),
        }
    }
}

/// Secrets in a map: for unit tests of logic only. Never used by the app or the CLI.
#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, String>>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("accounts", &self.map().keys().collect::<Vec<_>>())
            .finish()
    }
}

impl SecretStore for MemoryStore {
    fn set(&self, account: &str, secret: &Password) -> Result<(), SecretError> {
        if secret.is_empty() {
            return Err(SecretError::Invalid("the password is empty".into()));
        }
        self.map()
            .insert(account.to_string(), secret.expose().to_string());
        Ok(())
    }

    fn get(&self, account: &str) -> Result<Option<Password>, SecretError> {
        Ok(self.map().get(account).map(|s| Password(s.clone())))
    }

    fn delete(&self, account: &str) -> Result<(), SecretError> {
        self.map().remove(account);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_prints() {
        let p = Password::new("hunter2");
        assert_eq!(format!("{p:?}"), "***");
        assert_eq!(format!("{:?}", Some(&p)), "Some(***)");
        let parsed: Password = serde_json::from_str("\"s3cret\"").unwrap();
        assert_eq!(parsed.expose(), "s3cret");
    }

    #[test]
    fn the_memory_store_sets_reads_and_deletes() {
        let store = MemoryStore::new();
        assert!(store.get("a").unwrap().is_none());
        store.set("a", &Password::new("x")).unwrap();
        assert_eq!(store.get("a").unwrap().unwrap().expose(), "x");
        assert!(store.set("a", &Password::new("")).is_err());
        store.delete("a").unwrap();
        store.delete("a").unwrap();
        assert!(store.get("a").unwrap().is_none());
        assert!(!format!("{store:?}").contains('x'));
    }
}
