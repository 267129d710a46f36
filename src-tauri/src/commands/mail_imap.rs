//! Settings → Email → **Test IMAP**: logs in to the mailbox where replies arrive, with the
//! settings as typed, finds the Sent folder and looks at INBOX read-only. Nothing is saved and
//! nothing in the mailbox changes.

use super::mail::ConnectionProblem;
use crate::error::CommandResult;
use duebook_core::mail::account::AccountSettings;
use duebook_core::mail::imap::{self, ImapReport};
use duebook_core::mail::smtp::MailError;
use duebook_core::mail::{self as core_mail, MailSetupError};
use duebook_core::secrets::{KeychainStore, Password};
use serde::Serialize;
use ts_rs::TS;

/// What "Test IMAP" found: the report, or the step that failed and what to do.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImapTest {
    pub report: Option<ImapReport>,
    pub problem: Option<ConnectionProblem>,
}

/// `imap_password` None: IMAP's stored password, else the SMTP one (a signed-in account uses
/// its sign-in).
#[tauri::command]
pub async fn test_imap_account(
    settings: AccountSettings,
    imap_password: Option<Password>,
) -> CommandResult<ImapTest> {
    let settings = settings.validated()?;
    let options = core_mail::mailer_options()?;
    let tested = core_mail::test_imap_connection(
        &settings,
        imap_password,
        &KeychainStore::default(),
        &options,
    )
    .await;
    Ok(match tested {
        Ok(report) => ImapTest {
            report: Some(report),
            problem: None,
        },
        Err(MailSetupError::Mail(e)) => ImapTest {
            report: None,
            problem: Some(imap_problem(&e)),
        },
        Err(e) => return Err(e.into()),
    })
}

/// What went wrong with the mailbox, its step named in IMAP's words (the IMAP login, reading the
/// folders) rather than SMTP's.
pub fn imap_problem(error: &MailError) -> ConnectionProblem {
    let mut problem = ConnectionProblem::from(error);
    problem.step_label = imap::describe_step(problem.step).into();
    problem
}
