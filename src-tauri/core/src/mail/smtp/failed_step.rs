//! "Test connection" says which step failed — finding the server, connecting, encryption, the
//! sign-in token, the login (and whether the organisation refuses SMTP logins altogether) or
//! sending — and what to do about it, in the same words for the settings screen and the CLI.

use super::diagnose::smtp_auth_off;
use super::{MailError, Stage};
use serde::Serialize;
use ts_rs::TS;

/// The step of connecting and logging in that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FailedStep {
    /// The settings themselves (nothing was tried).
    Settings,
    Dns,
    Connect,
    Tls,
    /// Getting an access token from Microsoft, Google or the sign-in server.
    Token,
    /// The server refused the login (password or token).
    Login,
    /// The organisation (Microsoft 365 tenant) has SMTP AUTH switched off for every mailbox.
    LoginOffForOrganisation,
    /// After logging in: the server refused the sender, a recipient or the message.
    Sending,
}

impl FailedStep {
    /// The step in a few words, e.g. "TLS (setting up encryption)".
    pub fn describe(self) -> &'static str {
        match self {
            FailedStep::Settings => "checking the settings",
            FailedStep::Dns => "DNS (finding the server)",
            FailedStep::Connect => "connecting to the server",
            FailedStep::Tls => "TLS (setting up encryption)",
            FailedStep::Token => "getting a sign-in token",
            FailedStep::Login => "SMTP AUTH (logging in)",
            FailedStep::LoginOffForOrganisation => "SMTP AUTH (refused for the whole organisation)",
            FailedStep::Sending => "sending",
        }
    }

    fn of_stage(stage: Stage) -> FailedStep {
        match stage {
            Stage::Dns => FailedStep::Dns,
            Stage::Connect | Stage::Greeting => FailedStep::Connect,
            Stage::Tls => FailedStep::Tls,
            Stage::Auth => FailedStep::Login,
            Stage::MailFrom | Stage::RcptTo | Stage::Data | Stage::AfterData => FailedStep::Sending,
        }
    }
}

impl MailError {
    /// Which step this error stopped.
    pub fn failed_step(&self) -> FailedStep {
        match self {
            MailError::Dns { .. } => FailedStep::Dns,
            MailError::Refused { .. } | MailError::Unreachable { .. } => FailedStep::Connect,
            MailError::Tls { .. } | MailError::NoStartTls { .. } => FailedStep::Tls,
            MailError::SignIn { .. } => FailedStep::Token,
            MailError::Auth { reply, .. } if smtp_auth_off(reply) => {
                FailedStep::LoginOffForOrganisation
            }
            MailError::Auth { .. } => FailedStep::Login,
            MailError::Timeout { stage, .. }
            | MailError::Rejected { stage, .. }
            | MailError::Connection { stage, .. } => FailedStep::of_stage(*stage),
            MailError::Invalid(_) => FailedStep::Settings,
        }
    }

    /// What to do about it. The messages of DNS, connection and STARTTLS failures already end
    /// in their fix; the rest get the specific hint, or the step's usual remedy.
    pub fn fix(&self) -> Option<String> {
        match self {
            MailError::SignIn { .. } => {
                Some("sign in again in Settings → Email (or `duebook account login`)".into())
            }
            MailError::Auth { hint, .. } => hint.clone().or_else(|| {
                Some("check the user name and password in Settings → Email (or `duebook account set`) and save them again".into())
            }),
            MailError::Tls { hint, .. } => hint.clone().or_else(|| {
                Some("check the security setting (TLS on 465, STARTTLS on 587) and this computer's date and time".into())
            }),
            MailError::Timeout { hint, stage } => hint.clone().or_else(|| {
                matches!(stage, Stage::Dns | Stage::Connect | Stage::Greeting | Stage::Tls).then(|| {
                    "check the server name and port, and that a firewall or VPN does not block it"
                        .into()
                })
            }),
            MailError::Rejected { code, .. } if (400..500).contains(code) => {
                Some("the server is busy or limiting you: try again later".into())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::smtp::{auth_hint, LoginKind};

    fn refused(host: &str, reply: &str, kind: LoginKind) -> MailError {
        MailError::Auth {
            reply: reply.into(),
            hint: auth_hint(host, reply, kind),
        }
    }

    #[test]
    fn a_tenant_without_smtp_auth_is_its_own_step_with_the_graph_fix() {
        let e = refused(
            "smtp.office365.com",
            "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
            LoginKind::OAuth2,
        );
        assert_eq!(e.failed_step(), FailedStep::LoginOffForOrganisation);
        let fix = e.fix().unwrap();
        assert!(fix.contains("Send through Microsoft Graph"), "{fix}");
        assert!(e.login_fix().contains("queued messages stay queued"));
    }

    #[test]
    fn a_refused_token_login_is_not_told_to_check_the_password() {
        let e = refused(
            "smtp.office365.com",
            "535 5.7.3 Authentication unsuccessful",
            LoginKind::OAuth2,
        );
        assert_eq!(e.failed_step(), FailedStep::Login);
        let fix = e.fix().unwrap();
        assert!(
            fix.starts_with("Microsoft 365 accepted the sign-in"),
            "{fix}"
        );
        assert!(e.login_fix().starts_with("Microsoft 365 accepted"));
        assert!(!fix.contains("password"), "{fix}");
        let password = refused("mail.example.com", "535 5.7.8 bad", LoginKind::Password);
        assert!(password.fix().unwrap().contains("user name"));
        let no_hint = MailError::Auth {
            reply: "535 no".into(),
            hint: None,
        };
        assert!(no_hint
            .login_fix()
            .starts_with("Check the user name and password"));
    }

    #[test]
    fn each_stage_names_its_step() {
        let timeout = |stage| MailError::Timeout { stage, hint: None };
        assert_eq!(timeout(Stage::Greeting).failed_step(), FailedStep::Connect);
        assert!(timeout(Stage::Greeting).fix().unwrap().contains("firewall"));
        assert_eq!(timeout(Stage::RcptTo).failed_step(), FailedStep::Sending);
        assert_eq!(timeout(Stage::RcptTo).fix(), None);
        let token = MailError::SignIn {
            detail: "Microsoft asks you to sign in again".into(),
            transient: false,
        };
        assert_eq!(token.failed_step(), FailedStep::Token);
        assert!(token.login_fix().starts_with("Sign in again"));
        let dns = MailError::Dns {
            host: "smtp.example.invalid".into(),
            detail: "not found".into(),
        };
        assert_eq!(dns.failed_step().describe(), "DNS (finding the server)");
        let tls = MailError::Tls {
            detail: "bad".into(),
            hint: None,
        };
        assert_eq!(tls.failed_step(), FailedStep::Tls);
        assert!(tls.fix().unwrap().contains("STARTTLS"));
    }
}
