//! The password lives in the real OS keychain (gnome-keyring's Secret Service in the test
//! session that scripts/with-test-services.sh starts), never in the database.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::mail::account;
use duebook_core::mail::security::Security;
use duebook_core::secrets::{KeychainStore, Password, SecretStore};
use duebook_core::test_support::mail::*;
use std::process::Command;

fn store(test: &str) -> KeychainStore {
    KeychainStore::check_available().unwrap_or_else(|e| {
        panic!("no Secret Service: run through scripts/with-test-services.sh ({e})")
    });
    KeychainStore::new(&format!(
        "app.duebook.desktop.test.{test}.{}",
        std::process::id()
    ))
}

/// What `secret-tool` (libsecret, independent of our code) finds for the entry.
fn secret_tool_lookup(service: &str, user: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", user])
        .output()
        .expect("secret-tool (package libsecret-tools)");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).to_string())
        .filter(|s| !s.is_empty())
}

#[test]
fn save_read_back_and_delete_in_the_real_secret_service() {
    let service = format!("app.duebook.desktop.test.raw.{}", std::process::id());
    drop(store("probe"));
    let keychain = KeychainStore::new(&service);
    let user = "smtp:someone@smtp.example.com";
    assert!(keychain.get(user).unwrap().is_none());
    keychain.set(user, &Password::new(PASSWORD)).unwrap();
    assert_eq!(keychain.get(user).unwrap().unwrap().expose(), PASSWORD);
    // Really in gnome-keyring, as another program sees it.
    assert_eq!(
        secret_tool_lookup(&service, user).as_deref(),
        Some(PASSWORD)
    );
    keychain.set(user, &Password::new("changed")).unwrap();
    assert_eq!(keychain.get(user).unwrap().unwrap().expose(), "changed");
    keychain.delete(user).unwrap();
    assert!(keychain.get(user).unwrap().is_none());
    assert_eq!(secret_tool_lookup(&service, user), None);
    keychain.delete(user).unwrap();
    assert!(keychain.set(user, &Password::new("")).is_err());
}

#[test]
fn the_account_keeps_its_password_in_the_keychain_only() {
    let (dir, db) = temp_db();
    let keychain = store("account");
    let settings = account(587, Security::StartTls);
    let view = account::save(
        db.conn(),
        &keychain,
        &settings,
        Some(&Password::new(PASSWORD)),
    )
    .unwrap();
    assert!(view.password_stored);
    assert!(!format!("{view:?}").contains(PASSWORD));
    assert!(!serde_json::to_string(&view).unwrap().contains(PASSWORD));
    assert_eq!(
        account::password(&settings, &keychain).unwrap().expose(),
        PASSWORD
    );

    // Saving without a password keeps it; a new user name moves it to the new entry.
    let mut renamed = settings.clone();
    renamed.username = "other@northwind.example".into();
    account::save(db.conn(), &keychain, &renamed, None).unwrap();
    assert_eq!(
        account::password(&renamed, &keychain).unwrap().expose(),
        PASSWORD
    );
    assert!(keychain.get(&settings.secret_account()).unwrap().is_none());

    let on_disk = files_containing(dir.path(), PASSWORD.as_bytes());
    assert!(on_disk.is_empty(), "password found in {on_disk:?}");

    assert!(account::remove(db.conn(), &keychain).unwrap());
    assert!(keychain.get(&renamed.secret_account()).unwrap().is_none());
    assert!(account::load(db.conn()).unwrap().is_none());
    assert!(!account::remove(db.conn(), &keychain).unwrap());
    let err = account::save(db.conn(), &keychain, &settings, None).unwrap_err();
    assert!(err.to_string().contains("no password is stored"), "{err}");
}
