//! `duebook account login` / `logout`: sign the account in with Microsoft, Google or a custom
//! OAuth2 server in the browser (PKCE, loopback redirect), so it sends with XOAUTH2 instead of a
//! password; or forget that sign-in.

use crate::account::secret_from_stdin;
use crate::mail::{err, runtime};
use crate::terminal::for_terminal;
use clap::Args;
use duebook_core::mail::account;
use duebook_core::mail::oauth::{
    self, client_secret, AuthMethod, OAuthSettings, Provider, SendVia,
};
use duebook_core::secrets::KeychainStore;
use duebook_core::store::Database;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Args)]
pub struct LoginArgs {
    /// microsoft, google or custom.
    #[arg(long)]
    provider: String,
    /// The registered app's client ID (default: the one stored, or this build's own).
    #[arg(long, value_name = "ID")]
    client_id: Option<String>,
    /// Microsoft directory: common, organizations, your domain or the tenant ID.
    #[arg(long)]
    tenant: Option<String>,
    /// microsoft: the sign-in address of a national cloud (e.g. https://login.microsoftonline.us).
    #[arg(long, value_name = "URL")]
    authority: Option<String>,
    /// The mailbox to sign in as (default: the account's user name).
    #[arg(long, value_name = "EMAIL")]
    login_hint: Option<String>,
    /// custom: the authorization endpoint.
    #[arg(long, value_name = "URL")]
    auth_url: Option<String>,
    /// custom: the token endpoint.
    #[arg(long, value_name = "URL")]
    token_url: Option<String>,
    /// A scope to ask for (repeatable; default: the provider's mail scopes).
    #[arg(long = "scope", value_name = "SCOPE")]
    scopes: Vec<String>,
    /// Read the registered app's client secret from the first line of standard input (Google's
    /// Desktop app clients have one); it goes to the OS keychain. Without it, a sign-in again
    /// with the same client uses the stored one.
    #[arg(long)]
    client_secret_stdin: bool,
    /// smtp (XOAUTH2, the default); graph: Microsoft Graph's sendMail, for an organisation that
    /// has switched SMTP AUTH off (535 5.7.139); gmail: the Gmail API, for a Google mailbox
    /// whose SMTP is off.
    #[arg(long, value_name = "smtp|graph|gmail")]
    send_via: Option<String>,
    /// The mail API's address (default https://graph.microsoft.com/v1.0 for Graph,
    /// https://gmail.googleapis.com for Gmail): a national cloud or a test server.
    #[arg(long, alias = "graph-url", value_name = "URL")]
    api_url: Option<String>,
    /// Only print the address to open; do not start a browser.
    #[arg(long)]
    no_browser: bool,
    /// Seconds to wait for the sign-in in the browser.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    wait: u64,
}

pub fn login(db: &Database, args: LoginArgs) -> Result<ExitCode, String> {
    let current = account::require(db.conn()).map_err(err)?;
    let settings = oauth_settings(&current.auth, &args)?;
    let keychain = KeychainStore::default();
    let typed = match args.client_secret_stdin {
        true => Some(secret_from_stdin("client secret")?),
        false => None,
    };
    let secret = client_secret::for_sign_in(
        typed,
        &current.auth,
        &settings,
        &current.username,
        &keychain,
    )
    .map_err(err)?;
    let hint = args
        .login_hint
        .clone()
        .unwrap_or_else(|| current.username.clone());
    let rt = runtime()?;
    let pending = rt
        .block_on(oauth::begin_sign_in(&settings, Some(&hint)))
        .map_err(err)?
        .with_client_secret(secret);
    println!("Sign in to {} in your browser:", settings.provider.label());
    println!("  {}", pending.url());
    if !args.no_browser {
        if let Err(e) = oauth::open_in_browser(pending.url()) {
            eprintln!("{}", for_terminal(&e.to_string()));
        }
    }
    println!("Waiting for the browser (up to {} seconds)...", args.wait);
    let tokens = rt
        .block_on(pending.finish(Duration::from_secs(args.wait), &current.username, keychain))
        .map_err(err)?;
    let clean = settings.validated().map_err(err)?;
    account::use_oauth(db.conn(), clean).map_err(err)?;
    println!(
        "Signed in: {} now sends with {} (OAuth2, {}); the refresh token is in the OS keychain",
        for_terminal(tokens.mailbox()),
        settings.provider.label(),
        way_out(settings.send_via)
    );
    Ok(ExitCode::SUCCESS)
}

pub fn logout(db: &Database) -> Result<ExitCode, String> {
    let current = account::require(db.conn()).map_err(err)?;
    oauth::sign_out(&current.username, &KeychainStore::default()).map_err(err)?;
    println!(
        "signed out: the sign-in for {} is removed from the OS keychain (`duebook account login` signs in again)",
        for_terminal(&current.username)
    );
    Ok(ExitCode::SUCCESS)
}

/// How a signed-in account's messages leave, for messages.
pub(crate) fn way_out(send_via: SendVia) -> &'static str {
    match send_via {
        SendVia::Smtp => "XOAUTH2",
        SendVia::MicrosoftGraph => "through Microsoft Graph",
        SendVia::GmailApi => "through the Gmail API",
    }
}

fn send_via(text: &str) -> Result<SendVia, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "smtp" => Ok(SendVia::Smtp),
        "graph" | "microsoft-graph" => Ok(SendVia::MicrosoftGraph),
        "gmail" | "gmail-api" => Ok(SendVia::GmailApi),
        other => Err(format!(
            "--send-via takes smtp, graph or gmail, not {:?}",
            for_terminal(other)
        )),
    }
}

/// The flags over what is stored: a stored client ID (or tenant, or custom endpoints) is kept
/// when the same provider signs in again.
fn oauth_settings(stored: &AuthMethod, args: &LoginArgs) -> Result<OAuthSettings, String> {
    let provider = Provider::parse(&args.provider).map_err(err)?;
    let before = match stored {
        AuthMethod::OAuth2(s) if s.provider == provider => Some(s),
        _ => None,
    };
    let kept = |field: fn(&OAuthSettings) -> Option<String>| before.and_then(field);
    let settings = OAuthSettings {
        provider,
        client_id: (args.client_id.clone())
            .or_else(|| kept(|b| Some(b.client_id.clone())))
            .unwrap_or_default(),
        tenant: args.tenant.clone().or_else(|| kept(|b| b.tenant.clone())),
        authority: (args.authority.clone()).or_else(|| kept(|b| b.authority.clone())),
        auth_url: args
            .auth_url
            .clone()
            .or_else(|| kept(|b| b.auth_url.clone())),
        token_url: args
            .token_url
            .clone()
            .or_else(|| kept(|b| b.token_url.clone())),
        scopes: match (&args.scopes[..], before) {
            ([], Some(b)) => b.scopes.clone(),
            (given, _) => given.to_vec(),
        },
        send_via: match args.send_via.as_deref() {
            Some(text) => send_via(text)?,
            None => before.map(|b| b.send_via).unwrap_or_default(),
        },
        api_url: args.api_url.clone().or_else(|| kept(|b| b.api_url.clone())),
    };
    settings.validated().map_err(err)
}
