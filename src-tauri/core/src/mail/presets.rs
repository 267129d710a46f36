//! Well-known providers: server settings and the sending limits they publish (the README lists
//! each figure with its source).

use super::limits::{SendingLimits, CUSTOM_SERVER, LOCAL_SERVER};
use super::oauth::Provider;
use super::security::{is_local_host, Security};
use serde::Serialize;
use ts_rs::TS;

/// Host, port, security and sending limits for a well-known provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProviderPreset {
    pub id: &'static str,
    pub label: &'static str,
    pub host: &'static str,
    pub port: u16,
    pub security: Security,
    pub note: &'static str,
    /// The provider's published limits (what a new account starts with).
    pub limits: SendingLimits,
    /// Sign in with this provider (OAuth2) rather than store a password: where the provider
    /// supports it, since password login is being switched off or needs an app password.
    pub sign_in: Option<Provider>,
    /// Where replies are read, for the providers that offer IMAP.
    pub imap: Option<ImapPreset>,
}

/// A provider's IMAP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImapPreset {
    pub host: &'static str,
    pub port: u16,
    pub security: Security,
}

/// IMAP over TLS on port 993, as every preset's provider offers it.
const fn imap_tls(host: &'static str) -> Option<ImapPreset> {
    Some(ImapPreset {
        host,
        port: 993,
        security: Security::ImplicitTls,
    })
}

const fn limits(per_minute: Option<u32>, per_day: u32) -> SendingLimits {
    SendingLimits {
        per_minute,
        per_day: Some(per_day),
    }
}

pub const PRESETS: &[ProviderPreset] = &[
    ProviderPreset {
        id: "gmail",
        label: "Gmail",
        host: "smtp.gmail.com",
        port: 587,
        security: Security::StartTls,
        note: "Sign in with Google (no app password needed), or use an app password (Google Account → Security → 2-Step Verification → App passwords); your normal password is refused. 500 messages a day.",
        limits: limits(None, 500),
        sign_in: Some(Provider::Google),
        imap: imap_tls("imap.gmail.com"),
    },
    ProviderPreset {
        id: "google-workspace",
        label: "Google Workspace",
        host: "smtp.gmail.com",
        port: 587,
        security: Security::StartTls,
        note: "Sign in with Google (your administrator may forbid app passwords), or use an app password. 2,000 messages a day (500 on a trial account).",
        limits: limits(None, 2_000),
        sign_in: Some(Provider::Google),
        imap: imap_tls("imap.gmail.com"),
    },
    ProviderPreset {
        id: "microsoft365",
        label: "Microsoft 365 / Outlook.com",
        host: "smtp.office365.com",
        port: 587,
        security: Security::StartTls,
        note: "Sign in with Microsoft: password login (basic SMTP AUTH) is off by default for new tenants and being switched off for the rest; where SMTP AUTH is off altogether, send through Microsoft Graph. 30 messages a minute, 10,000 recipients a day.",
        limits: limits(Some(30), 10_000),
        sign_in: Some(Provider::Microsoft),
        imap: imap_tls("outlook.office365.com"),
    },
    ProviderPreset {
        id: "fastmail",
        label: "Fastmail",
        host: "smtp.fastmail.com",
        port: 465,
        security: Security::ImplicitTls,
        note: "Use an app password created under Settings → Privacy & Security.",
        limits: CUSTOM_SERVER,
        sign_in: None,
        imap: imap_tls("imap.fastmail.com"),
    },
    ProviderPreset {
        id: "icloud",
        label: "iCloud Mail",
        host: "smtp.mail.me.com",
        port: 587,
        security: Security::StartTls,
        note: "Use an app-specific password from appleid.apple.com. 1,000 messages a day.",
        limits: limits(None, 1_000),
        sign_in: None,
        imap: imap_tls("imap.mail.me.com"),
    },
    ProviderPreset {
        id: "yahoo",
        label: "Yahoo Mail",
        host: "smtp.mail.yahoo.com",
        port: 465,
        security: Security::ImplicitTls,
        note: "Use an app password from Account Security. 500 messages a day.",
        limits: limits(None, 500),
        sign_in: None,
        imap: imap_tls("imap.mail.yahoo.com"),
    },
    ProviderPreset {
        id: "zoho",
        label: "Zoho Mail",
        host: "smtp.zoho.com",
        port: 465,
        security: Security::ImplicitTls,
        note: "Use an app-specific password when two-factor authentication is on. 50 to 500 messages an hour, set by Zoho from your sending reputation.",
        limits: limits(Some(1), 500),
        sign_in: None,
        imap: imap_tls("imap.zoho.com"),
    },
];

pub fn preset(id: &str) -> Option<&'static ProviderPreset> {
    PRESETS
        .iter()
        .find(|p| p.id.eq_ignore_ascii_case(id.trim()))
}

/// The published figures for a server: those of the first preset on `host` (Gmail's, the
/// lower, for smtp.gmail.com), else a local server's or [`CUSTOM_SERVER`].
pub fn published_limits(host: &str) -> SendingLimits {
    let host = host.trim();
    PRESETS
        .iter()
        .find(|p| p.host.eq_ignore_ascii_case(host))
        .map(|p| p.limits)
        .unwrap_or(if is_local_host(host) {
            LOCAL_SERVER
        } else {
            CUSTOM_SERVER
        })
}
