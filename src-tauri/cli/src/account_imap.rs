//! The IMAP side of `duebook account`: `set --imap-host ...` (where replies are read), its line
//! in `show`, and its part of `test`. Its password, when it differs from the SMTP one, comes from
//! standard input (--imap-password-stdin) and goes to the OS keychain only.

use crate::account::{failed_test, secret_from_stdin};
use crate::mail::{err, runtime};
use crate::terminal::for_terminal;
use clap::Args;
use duebook_core::mail::account::{self, AccountSettings, ImapSettings};
use duebook_core::mail::imap;
use duebook_core::mail::presets::ProviderPreset;
use duebook_core::mail::security::Security;
use duebook_core::mail::{self, MailSetupError};
use duebook_core::secrets::KeychainStore;

#[derive(Args, Default)]
pub struct ImapArgs {
    /// The IMAP server replies are read from (e.g. imap.gmail.com).
    #[arg(long, value_name = "HOST")]
    imap_host: Option<String>,
    /// Default 993 for tls, 143 for starttls.
    #[arg(long, value_name = "PORT")]
    imap_port: Option<u16>,
    /// tls (default), starttls or none (none only for a server on this computer).
    #[arg(long, value_name = "tls|starttls|none")]
    imap_security: Option<String>,
    /// The IMAP login name when it differs from the SMTP one.
    #[arg(long, value_name = "NAME")]
    imap_username: Option<String>,
    /// Read an IMAP password that differs from the SMTP one from standard input (after the
    /// SMTP password's line when --password-stdin is given too); without it IMAP uses the SMTP
    /// password (or the sign-in).
    #[arg(long)]
    imap_password_stdin: bool,
    /// Save sent reminders to the Sent folder (IMAP APPEND) at each `duebook inbox sync`, for
    /// mailboxes that do not do it themselves (Gmail and Microsoft 365 do). Default off.
    #[arg(long, value_name = "on|off", value_parser = on_off)]
    imap_save_sent: Option<bool>,
    /// Stop reading replies: forget the IMAP server (and its own password).
    #[arg(long, conflicts_with_all = ["imap_host", "imap_port", "imap_security", "imap_username", "imap_password_stdin", "imap_save_sent"])]
    no_imap: bool,
}

/// The IMAP server as the options ask, each unset option falling back to the preset's server
/// (as the SMTP fields do), then to the stored one.
pub fn imap_from(
    args: &ImapArgs,
    preset: Option<&ProviderPreset>,
    current: Option<&AccountSettings>,
) -> Result<Option<ImapSettings>, String> {
    if args.no_imap {
        return Ok(None);
    }
    let stored = current.and_then(|c| c.imap.clone());
    let from_preset = preset.and_then(|p| p.imap).map(|i| ImapSettings {
        host: i.host.to_string(),
        port: i.port,
        security: i.security,
        username: stored.as_ref().and_then(|s| s.username.clone()),
        save_sent: stored.as_ref().is_some_and(|s| s.save_sent),
    });
    let stored = match args.imap_host {
        None => from_preset.or(stored),
        Some(_) => stored,
    };
    let Some(host) = args
        .imap_host
        .clone()
        .or_else(|| stored.as_ref().map(|i| i.host.clone()))
    else {
        let asked = args.imap_port.is_some() || args.imap_security.is_some();
        if asked || args.imap_password_stdin || args.imap_save_sent.is_some() {
            return Err("--imap-host is required to set up IMAP".into());
        }
        return Ok(None);
    };
    let security = match &args.imap_security {
        Some(s) => Security::parse(s).map_err(err)?,
        None => stored
            .as_ref()
            .map_or(Security::ImplicitTls, |i| i.security),
    };
    let port = args
        .imap_port
        .or_else(|| {
            stored
                .as_ref()
                .filter(|i| i.security == security)
                .map(|i| i.port)
        })
        .unwrap_or(match security {
            Security::ImplicitTls => 993,
            _ => 143,
        });
    let save_sent = args
        .imap_save_sent
        .unwrap_or_else(|| stored.as_ref().is_some_and(|i| i.save_sent));
    let username = match &args.imap_username {
        Some(u) => Some(u.clone()),
        None => stored.and_then(|i| i.username),
    };
    Ok(Some(ImapSettings {
        host,
        port,
        security,
        username,
        save_sent,
    }))
}

/// `--imap-save-sent`'s value.
fn on_off(value: &str) -> Result<bool, String> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err("on or off".into()),
    }
}

/// After the account is saved: the IMAP password, when one is given, to the keychain.
pub fn save_password(
    args: &ImapArgs,
    saved: &AccountSettings,
    keychain: &KeychainStore,
) -> Result<(), String> {
    if !args.imap_password_stdin {
        return Ok(());
    }
    let Some(imap) = &saved.imap else {
        return Err("--imap-password-stdin needs an IMAP server (--imap-host)".into());
    };
    let password = secret_from_stdin("IMAP password")?;
    account::save_imap_password(saved, imap, keychain, &password).map_err(err)?;
    println!("IMAP password saved in the OS keychain");
    Ok(())
}

/// The `show` line: "IMAP:      imap.example.com:993 (tls) as NAME", and whether sent
/// reminders are saved to the Sent folder.
pub fn show_line(settings: &AccountSettings) -> String {
    match &settings.imap {
        None => "not set up (replies are not read; `duebook account set --imap-host ...`)".into(),
        Some(i) => format!(
            "{}:{} ({}) as {}; sent reminders saved to the Sent folder: {}",
            for_terminal(&i.host),
            i.port,
            i.security.as_str(),
            for_terminal(i.login_name(settings)),
            if i.save_sent { "on" } else { "off" }
        ),
    }
}

/// Tests IMAP when it is set up: the OK line, or the failed step and what to do.
pub fn test(settings: &AccountSettings) -> Option<Result<(), String>> {
    settings.imap.as_ref()?;
    Some(run_test(settings))
}

fn run_test(settings: &AccountSettings) -> Result<(), String> {
    let options = mail::mailer_options().map_err(err)?;
    let tested = runtime()?.block_on(mail::test_imap_connection(
        settings,
        None,
        &KeychainStore::default(),
        &options,
    ));
    match tested {
        Ok(r) => {
            println!(
                "IMAP OK: connected to {}:{} ({}), logged in with {}. Sent folder: {}, {} messages in INBOX",
                for_terminal(&r.host),
                r.port,
                if r.encrypted { "encrypted" } else { "NOT encrypted" },
                r.auth_method,
                r.sent_folder.as_deref().map_or("none found".into(), for_terminal),
                r.inbox_messages
            );
            Ok(())
        }
        Err(MailSetupError::Mail(e)) => Err(failed_test(
            "IMAP test",
            imap::describe_step(e.failed_step()),
            &e,
        )),
        Err(e) => Err(format!("the IMAP test failed: {e}")),
    }
}
