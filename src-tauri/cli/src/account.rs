//! `duebook account ...`: set up the SMTP account (server, login, sending limits), show it,
//! test it, remove it. The password is read from a prompt or from standard input, never from an
//! argument (arguments show up in `ps` and shell history).

use crate::account_imap::{self, ImapArgs};
use crate::account_login::{self, LoginArgs};
use crate::mail::{err, mailer, print_attention, runtime};
use crate::terminal::for_terminal;
use clap::{Args, Subcommand};
use duebook_core::mail;
use duebook_core::mail::account::{self, AccountSettings};
use duebook_core::mail::limits::{self, SendingLimits};
use duebook_core::mail::oauth::{AuthMethod, Provider};
use duebook_core::mail::presets::{self, ProviderPreset};
use duebook_core::mail::security::Security;
use duebook_core::secrets::{KeychainStore, Password};
use duebook_core::store::Database;
use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AccountAction {
    /// Set up or change the SMTP account. Fields not given keep their current value.
    ///
    /// The password goes to the OS keychain: typed at a prompt, or read from standard input
    /// with --password-stdin (e.g. `secret-tool lookup ... | duebook account set --password-stdin`).
    Set(SetArgs),
    /// Show the account (never the password).
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Connect, set up TLS and log in to SMTP (with --send-to, also send a test email), then to
    /// IMAP when it is set up.
    Test {
        #[arg(long, value_name = "EMAIL")]
        send_to: Option<String>,
    },
    /// Delete the account's settings, its password and its sign-in from the keychain.
    Remove,
    /// Sign in with Microsoft, Google or a custom OAuth2 server in the browser, so the account
    /// sends with XOAUTH2 and needs no password (see the README for the client ID).
    Login(LoginArgs),
    /// Forget the account's OAuth2 sign-in (its refresh token in the keychain).
    Logout,
}

#[derive(Args)]
pub struct SetArgs {
    /// Fill host, port, security, sending limits and the IMAP server for a provider: gmail,
    /// google-workspace, microsoft365, fastmail, icloud, yahoo, zoho.
    #[arg(long)]
    preset: Option<String>,
    /// The From address.
    #[arg(long, value_name = "EMAIL")]
    from: Option<String>,
    /// The sender name recipients see.
    #[arg(long)]
    name: Option<String>,
    /// Where replies go ("" to clear).
    #[arg(long, value_name = "EMAIL")]
    reply_to: Option<String>,
    #[arg(long)]
    host: Option<String>,
    #[arg(long)]
    port: Option<u16>,
    /// starttls, tls or none (none only for a server on this computer).
    #[arg(long)]
    security: Option<String>,
    /// The login name (default: the From address).
    #[arg(long)]
    username: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long, conflicts_with = "keep_password")]
    password_stdin: bool,
    /// Keep the stored password (or the OAuth2 sign-in).
    #[arg(long)]
    keep_password: bool,
    /// Store no password: the account signs in next with `duebook account login`.
    #[arg(long, conflicts_with_all = ["keep_password", "password_stdin"])]
    no_password: bool,
    /// At most this many messages a minute, or "none" (default: the provider's figure).
    #[arg(long, value_name = "N|none")]
    per_minute: Option<String>,
    /// At most this many messages a day, or "none" (default: the provider's figure).
    #[arg(long, value_name = "N|none")]
    per_day: Option<String>,
    // Boxed: the IMAP options would make this the one large variant of every command.
    #[command(flatten)]
    imap: Box<ImapArgs>,
}

pub fn account(db_path: &Path, action: AccountAction) -> Result<ExitCode, String> {
    let db = Database::open(db_path).map_err(err)?;
    let keychain = KeychainStore::default();
    match action {
        AccountAction::Set(args) => set(&db, &keychain, args),
        AccountAction::Show { json } => {
            let Some(view) = account::view(db.conn(), &keychain).map_err(err)? else {
                return Err("no email account is set up (use `duebook account set`)".into());
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&view).map_err(err)?);
            } else {
                let s = &view.settings;
                let from = s.from_mailbox().map_err(err)?.to_string();
                println!("From:      {}", for_terminal(&from));
                if let Some(r) = &s.reply_to {
                    println!("Reply-To:  {}", for_terminal(r));
                }
                println!(
                    "Server:    {}:{} ({})",
                    for_terminal(&s.host),
                    s.port,
                    s.security.as_str()
                );
                println!("User name: {}", for_terminal(&s.username));
                println!(
                    "Limits:    {} ({})",
                    limits::describe(&account::limits_in_force(s)),
                    if s.limits.is_some() {
                        "set for this account"
                    } else {
                        "the published figures for this server"
                    }
                );
                println!("Login:     {}", login_line(&view));
                println!("IMAP:      {}", account_imap::show_line(s));
                print_warnings(&view.warnings);
                print_attention(db.conn())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        AccountAction::Test { send_to } => {
            let settings = account::require(db.conn()).map_err(err)?;
            let smtp = test_smtp(&db, &settings, send_to);
            let failures: Vec<String> = [Some(smtp), account_imap::test(&settings)]
                .into_iter()
                .flatten()
                .filter_map(Result::err)
                .collect();
            match failures.is_empty() {
                true => Ok(ExitCode::SUCCESS),
                false => Err(failures.join("\n")),
            }
        }
        AccountAction::Login(args) => account_login::login(&db, args),
        AccountAction::Logout => account_login::logout(&db),
        AccountAction::Remove => {
            if account::remove(db.conn(), &keychain).map_err(err)? {
                println!("email account and its keychain password removed");
            } else {
                println!("no email account was set up");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Tests the SMTP login (and sends a test email to `send_to`), printing the OK line.
fn test_smtp(
    db: &Database,
    settings: &AccountSettings,
    send_to: Option<String>,
) -> Result<(), String> {
    let m = mailer(db)?;
    let rt = runtime()?;
    let report = rt
        .block_on(m.test_connection())
        .map_err(|e| failed_test("connection test", e.failed_step().describe(), &e))?;
    println!(
        "OK: connected to {}:{} ({}), logged in as {} with {}",
        for_terminal(&report.host),
        report.port,
        if report.encrypted {
            "encrypted"
        } else {
            "NOT encrypted"
        },
        for_terminal(&settings.username),
        report.auth_method
    );
    print_warnings(&settings.warnings());
    if let Some(to) = send_to {
        let reply = rt.block_on(mail::send_test_email(&m, settings, &to))?;
        println!(
            "test email to {} accepted: {}",
            for_terminal(&to),
            for_terminal(&reply)
        );
    }
    rt.block_on(m.close());
    Ok(())
}

/// The limits to store: a chosen preset's (or the current ones on the same server), with
/// `--per-minute` / `--per-day` over them. None: follow the provider's published figures.
/// A failed test ("connection test", "IMAP test"): the step that failed in `step`'s words, what
/// happened and what to do (main prints it line by line, made safe for the terminal).
pub(crate) fn failed_test(test: &str, step: &str, error: &mail::smtp::MailError) -> String {
    let mut text = format!("the {test} failed at {step}: {error}");
    if let Some(fix) = error.fix() {
        text.push_str(&format!("\nWhat to do: {fix}"));
    }
    text
}

fn limits_from(
    per_minute: &Option<String>,
    per_day: &Option<String>,
    preset: Option<&ProviderPreset>,
    current: Option<&AccountSettings>,
    host: &str,
) -> Result<Option<SendingLimits>, String> {
    let base = match (preset, current) {
        (Some(p), _) => Some(p.limits),
        (None, Some(c)) if c.host.eq_ignore_ascii_case(host.trim()) => c.limits,
        _ => None,
    };
    if per_minute.is_none() && per_day.is_none() {
        return Ok(base);
    }
    let parse = |flag: &str, text: &str| -> Result<Option<u32>, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" | "off" => Ok(None),
            n => n.parse().map(Some).map_err(|_| {
                format!(
                    "{flag} takes a number or \"none\", not {:?}",
                    for_terminal(text)
                )
            }),
        }
    };
    let mut limits = base.unwrap_or_else(|| presets::published_limits(host));
    if let Some(text) = per_minute {
        limits.per_minute = parse("--per-minute", text)?;
    }
    if let Some(text) = per_day {
        limits.per_day = parse("--per-day", text)?;
    }
    Ok(Some(limits))
}

fn set(db: &Database, keychain: &KeychainStore, args: SetArgs) -> Result<ExitCode, String> {
    let current = account::load(db.conn()).map_err(err)?;
    let preset = preset_named(args.preset.as_deref())?;
    // Check the fields before asking for a password.
    let settings = settings_from(&args, preset, current.as_ref())?
        .validated()
        .map_err(err)?;
    // Presets whose provider offers sign-in store no password unless one is given.
    let sign_in = preset.and_then(|p| p.sign_in);
    if args.no_password || (sign_in.is_some() && !args.password_stdin && !args.keep_password) {
        let saved = account::save_without_password(db.conn(), &settings).map_err(err)?;
        account_imap::save_password(&args.imap, &saved, keychain)?;
        let provider = sign_in.map_or("microsoft|google", |p| match p {
            Provider::Google => "google",
            _ => "microsoft",
        });
        println!(
            "email account saved without a password: sign in next with `duebook account login --provider {provider}` (to use a password instead, give --password-stdin)"
        );
        if let Some(p) = preset.filter(|p| p.sign_in.is_some()) {
            println!("{}: {}", p.label, p.note);
        }
        print_warnings(&saved.warnings());
        return Ok(ExitCode::SUCCESS);
    }
    let password = password_for(&args, preset, current.is_some())?;
    let view = account::save(db.conn(), keychain, &settings, password.as_ref()).map_err(err)?;
    account_imap::save_password(&args.imap, &view.settings, keychain)?;
    println!(
        "email account saved: {} via {}:{} ({}); {} in the OS keychain",
        for_terminal(&view.settings.from_address),
        for_terminal(&view.settings.host),
        view.settings.port,
        view.settings.security.as_str(),
        match view.settings.auth {
            AuthMethod::Password => "password",
            AuthMethod::OAuth2(_) => "sign-in",
        }
    );
    print_warnings(&view.warnings);
    Ok(ExitCode::SUCCESS)
}

/// The preset `--preset` names, if any; an unknown one is an error listing the known ones.
fn preset_named(id: Option<&str>) -> Result<Option<&'static ProviderPreset>, String> {
    let Some(id) = id else {
        return Ok(None);
    };
    presets::preset(id).map(Some).ok_or_else(|| {
        let ids: Vec<&str> = presets::PRESETS.iter().map(|p| p.id).collect();
        format!("unknown preset {id:?} (known: {})", ids.join(", "))
    })
}

/// The account as the options ask, each unset option falling back to the preset, then to the
/// stored account, then to a default.
fn settings_from(
    args: &SetArgs,
    preset: Option<&ProviderPreset>,
    current: Option<&AccountSettings>,
) -> Result<AccountSettings, String> {
    let security = match &args.security {
        Some(s) => Some(Security::parse(s).map_err(err)?),
        None => preset.map(|p| p.security),
    };
    let from = args
        .from
        .clone()
        .or_else(|| current.map(|c| c.from_address.clone()))
        .ok_or("--from is required for a new account")?;
    let host = args
        .host
        .clone()
        .or_else(|| preset.map(|p| p.host.to_string()))
        .or_else(|| current.map(|c| c.host.clone()))
        .ok_or("--host (or --preset) is required for a new account")?;
    let security = security
        .or_else(|| current.map(|c| c.security))
        .unwrap_or(Security::StartTls);
    let port = args
        .port
        .or_else(|| preset.map(|p| p.port))
        .or_else(|| current.filter(|c| c.security == security).map(|c| c.port))
        .unwrap_or(match security {
            Security::ImplicitTls => 465,
            _ => 587,
        });
    let settings = AccountSettings {
        sender_name: args
            .name
            .clone()
            .or_else(|| current.map(|c| c.sender_name.clone()))
            .unwrap_or_default(),
        reply_to: match &args.reply_to {
            Some(r) if r.trim().is_empty() => None,
            Some(r) => Some(r.clone()),
            None => current.and_then(|c| c.reply_to.clone()),
        },
        username: args
            .username
            .clone()
            .or_else(|| current.map(|c| c.username.clone()))
            .unwrap_or_else(|| from.clone()),
        limits: limits_from(&args.per_minute, &args.per_day, preset, current, &host)?,
        from_address: from,
        host,
        port,
        security,
        auth: current.as_ref().map(|c| c.auth.clone()).unwrap_or_default(),
        imap: account_imap::imap_from(&args.imap, preset, current)?,
    };
    Ok(settings)
}

/// The password: none to keep the stored one, else a line from standard input or typed at a
/// prompt.
fn password_for(
    args: &SetArgs,
    preset: Option<&ProviderPreset>,
    has_stored: bool,
) -> Result<Option<Password>, String> {
    let password = if args.keep_password {
        None
    } else if args.password_stdin {
        Some(secret_from_stdin("password")?)
    } else if std::io::stdin().is_terminal() {
        if let Some(p) = preset {
            eprintln!("{}: {}", p.label, p.note);
        }
        let prompt = if has_stored {
            "SMTP password or app password (Enter keeps the stored one): "
        } else {
            "SMTP password or app password: "
        };
        let typed = rpassword::prompt_password(prompt)
            .map_err(|e| format!("cannot read the password: {e}"))?;
        (!typed.is_empty()).then(|| Password::new(typed))
    } else {
        return Err(
            "no password given: pipe it in with --password-stdin, or use --keep-password".into(),
        );
    };
    Ok(password)
}

/// A secret (`what`: "password", "client secret") from the first line of standard input, so it
/// never shows in `ps` or the shell history.
pub(crate) fn secret_from_stdin(what: &str) -> Result<Password, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the {what} from standard input: {e}"))?;
    let trimmed = line.trim_end_matches(['\r', '\n']).to_string();
    line.clear();
    Ok(Password::new(trimmed))
}

/// How the account logs in, and whether that can work now.
fn login_line(view: &account::AccountView) -> String {
    match (&view.settings.auth, view.signed_in, view.password_stored) {
        (AuthMethod::OAuth2(o), true, _) => format!(
            "signed in with {} (OAuth2, {})",
            o.provider.label(),
            account_login::way_out(o.send_via)
        ),
        (AuthMethod::OAuth2(o), false, _) => format!(
            "NOT signed in with {} (run `duebook account login`)",
            o.provider.label()
        ),
        (AuthMethod::Password, _, true) => "password, stored in the OS keychain".into(),
        (AuthMethod::Password, _, false) => {
            "NO password stored (run `duebook account set`, or `duebook account login`)".into()
        }
    }
}

pub(crate) fn print_warnings(warnings: &[String]) {
    for w in warnings {
        println!("warning: {}", for_terminal(w));
    }
}
