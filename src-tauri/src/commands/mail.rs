//! Settings → Email, Company and Templates: the SMTP account (password to the OS keychain, never
//! back to the window), "Test connection" / "Send test email" with a precise reason when they
//! fail, the company profile, and the template editor with its live preview.
//!
//! Keychain and network calls run off the async runtime's workers or on it as futures; SQLite
//! goes through the window's connection like every other command.

use super::mail_preview::HtmlPreviews;
use crate::dialogs;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::test_hooks::Dialog;
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::company::fields::{field_palette, TemplateField};
use duebook_core::company::{self, CompanyError, CompanyLogo, CompanyProfile};
use duebook_core::mail::account::{self, AccountError, AccountSettings, AccountView};
use duebook_core::mail::attachments::{self, TemplateOptions};
use duebook_core::mail::compose::{self, ComposeError};
use duebook_core::mail::context::{self, PreviewFieldsError};
use duebook_core::mail::outbox::OutboxError;
use duebook_core::mail::presets::{self, ProviderPreset};
use duebook_core::mail::smtp::{ConnectionReport, MailError, SmtpMailer, Stage};
use duebook_core::mail::templates::{
    self, EmailTemplate, RenderedEmail, TemplateError, TemplatePart,
};
use duebook_core::mail::{self as core_mail, MailSetupError};
use duebook_core::model::validation::FieldError;
use duebook_core::secrets::{KeychainStore, Password, SecretError};
use serde::Serialize;
use tauri::{AppHandle, Manager, Window};
use ts_rs::TS;

impl From<AccountError> for CommandError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Db(e) => e.into(),
            AccountError::Field(e) => CommandError::InvalidField(e),
            e @ AccountError::Secret(_) => CommandError::Io(e.to_string()),
            e => CommandError::InvalidInput(e.to_string()),
        }
    }
}

impl From<CompanyError> for CommandError {
    fn from(error: CompanyError) -> Self {
        match error {
            CompanyError::Db(e) => e.into(),
            e => CommandError::InvalidInput(e.to_string()),
        }
    }
}

impl From<TemplateError> for CommandError {
    fn from(error: TemplateError) -> Self {
        match error {
            TemplateError::Db(e) => e.into(),
            TemplateError::Issue(issue) => CommandError::InvalidField(FieldError::new(
                part_field(issue.part),
                issue.to_string(),
            )),
            e @ TemplateError::NotFound(_) => CommandError::NotFound(e.to_string()),
            e @ TemplateError::Invalid(_) => CommandError::InvalidInput(e.to_string()),
        }
    }
}

/// The editor input a template problem is shown beside.
fn part_field(part: TemplatePart) -> &'static str {
    match part {
        TemplatePart::Subject => "subject",
        TemplatePart::Text => "body_text",
        TemplatePart::Html => "body_html",
    }
}

impl From<ComposeError> for CommandError {
    fn from(error: ComposeError) -> Self {
        match error {
            ComposeError::Account(e) => e.into(),
            ComposeError::Template(e) => e.into(),
            ComposeError::Company(e) => e.into(),
            ComposeError::Db(e) => e.into(),
            e @ ComposeError::Attachment { .. } => CommandError::Io(e.to_string()),
            e @ (ComposeError::Invalid(_) | ComposeError::Header { .. }) => {
                CommandError::InvalidInput(e.to_string())
            }
        }
    }
}

impl From<OutboxError> for CommandError {
    fn from(error: OutboxError) -> Self {
        match error {
            OutboxError::Db(e) => e.into(),
            e @ OutboxError::NotFound(_) => CommandError::NotFound(e.to_string()),
            e => CommandError::InvalidInput(e.to_string()),
        }
    }
}

impl From<SecretError> for CommandError {
    fn from(error: SecretError) -> Self {
        CommandError::Io(error.to_string())
    }
}

/// Runs keychain work (D-Bus round trips that may wait for an unlock prompt) off the runtime.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    tauri::async_runtime::spawn_blocking(work).await?
}

/// What Settings → Email shows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EmailSettings {
    /// None until an account is saved.
    pub account: Option<AccountView>,
    pub presets: Vec<ProviderPreset>,
    /// Why passwords cannot be stored on this computer (no keychain, locked); None when fine.
    pub keychain_problem: Option<String>,
}

#[tauri::command]
pub async fn email_settings(app: AppHandle) -> CommandResult<EmailSettings> {
    blocking(move || {
        let keychain_problem = KeychainStore::check_available()
            .err()
            .map(|e| e.to_string());
        let account = app
            .state::<AppState>()
            .with_db(|db| Ok(account::view(db.conn(), &KeychainStore::default())?))?;
        Ok(EmailSettings {
            account,
            presets: presets::PRESETS.to_vec(),
            keychain_problem,
        })
    })
    .await
}

/// Saves the account; `password` None keeps the stored one. The password goes to the keychain
/// only and is never sent back.
#[tauri::command]
pub async fn save_email_account(
    app: AppHandle,
    settings: AccountSettings,
    password: Option<Password>,
) -> CommandResult<AccountView> {
    blocking(move || {
        app.state::<AppState>().with_db(|db| {
            Ok(account::save(
                db.conn(),
                &KeychainStore::default(),
                &settings,
                password.as_ref(),
            )?)
        })
    })
    .await
}

/// Deletes the account's settings and its keychain password; false when there was none.
#[tauri::command]
pub async fn remove_email_account(app: AppHandle) -> CommandResult<bool> {
    blocking(move || {
        app.state::<AppState>()
            .with_db(|db| Ok(account::remove(db.conn(), &KeychainStore::default())?))
    })
    .await
}

/// What went wrong talking to the server, for the settings screen to show plainly.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionProblem {
    /// dns, refused, unreachable, tls, no_starttls, auth, sign_in (no token: the OAuth2 sign-in
    /// is gone or its server out of reach), timeout, rejected, connection, invalid.
    pub kind: String,
    /// The whole explanation, e.g. "the server refused the login: 535 5.7.8 …".
    pub message: String,
    /// The server's own words, when it said something.
    pub server_reply: Option<String>,
    /// What to do about it (app passwords for Gmail, SMTP AUTH for Microsoft 365 …).
    pub hint: Option<String>,
    pub stage: Option<Stage>,
}

impl From<&MailError> for ConnectionProblem {
    fn from(error: &MailError) -> Self {
        let (kind, server_reply, hint, stage) = match error {
            MailError::Dns { .. } => ("dns", None, None, Some(Stage::Dns)),
            MailError::Refused { .. } => ("refused", None, None, Some(Stage::Connect)),
            MailError::Unreachable { .. } => ("unreachable", None, None, Some(Stage::Connect)),
            MailError::Tls { hint, .. } => ("tls", None, hint.clone(), Some(Stage::Tls)),
            MailError::NoStartTls { .. } => ("no_starttls", None, None, Some(Stage::Tls)),
            MailError::Auth { reply, hint } => {
                ("auth", Some(reply.clone()), hint.clone(), Some(Stage::Auth))
            }
            MailError::Timeout { stage, hint } => ("timeout", None, hint.clone(), Some(*stage)),
            MailError::Rejected { reply, stage, code } => (
                "rejected",
                Some(format!("{code} {reply}")),
                None,
                Some(*stage),
            ),
            MailError::Connection { stage, .. } => ("connection", None, None, Some(*stage)),
            MailError::SignIn { .. } => ("sign_in", None, None, Some(Stage::Auth)),
            MailError::Invalid(_) => ("invalid", None, None, None),
        };
        ConnectionProblem {
            kind: kind.into(),
            message: error.to_string(),
            server_reply,
            hint,
            stage,
        }
    }
}

/// "Test connection" / "Send test email": what happened.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionTest {
    pub report: Option<ConnectionReport>,
    pub problem: Option<ConnectionProblem>,
    /// The server's reply to the test email, when one was sent.
    pub test_email_reply: Option<String>,
    /// Where the test email went.
    pub test_email_to: Option<String>,
    pub warnings: Vec<String>,
}

/// Connects, sets up TLS and logs in with the settings as typed (`password` None: the stored
/// one); with `send_test_email`, also sends a short email to the From address. Nothing is saved.
#[tauri::command]
pub async fn test_email_account(
    settings: AccountSettings,
    password: Option<Password>,
    send_test_email: bool,
) -> CommandResult<ConnectionTest> {
    let settings = settings.validated()?;
    let mailer = {
        let settings = settings.clone();
        blocking(move || mailer_for(&settings, password)).await?
    };
    let mut outcome = ConnectionTest {
        report: None,
        problem: None,
        test_email_reply: None,
        test_email_to: None,
        warnings: settings.warnings(),
    };
    match mailer.test_connection().await {
        Ok(report) => outcome.report = Some(report),
        Err(e) => outcome.problem = Some(ConnectionProblem::from(&e)),
    }
    if send_test_email && outcome.problem.is_none() {
        let to = settings.from_address.clone();
        let reply = core_mail::send_test_email(&mailer, &settings, &to).await;
        outcome.test_email_to = Some(to);
        match reply {
            Ok(reply) => outcome.test_email_reply = Some(reply),
            Err(message) => {
                outcome.problem = Some(ConnectionProblem {
                    kind: "rejected".into(),
                    message,
                    server_reply: None,
                    hint: None,
                    stage: None,
                });
            }
        }
    }
    mailer.close().await;
    Ok(outcome)
}

fn mailer_for(settings: &AccountSettings, typed: Option<Password>) -> CommandResult<SmtpMailer> {
    core_mail::mailer_with(settings, typed).map_err(|e| match e {
        MailSetupError::Account(e) => e.into(),
        MailSetupError::Mail(e) => CommandError::InvalidInput(e.to_string()),
    })
}

/// Settings → Company.
#[tauri::command]
pub async fn company_profile(state: tauri::State<'_, AppState>) -> CommandResult<CompanyProfile> {
    state.with_db(|db| Ok(company::load(db.conn())?))
}

#[tauri::command]
pub async fn save_company_profile(
    state: tauri::State<'_, AppState>,
    profile: CompanyProfile,
) -> CommandResult<CompanyProfile> {
    state.with_db(|db| Ok(company::save(db.conn(), &profile)?))
}

/// "Choose logo…": a PNG or JPEG picked with the native dialog, checked and read (the profile
/// keeps the image itself; it is stored when the profile is saved). None when cancelled.
#[tauri::command]
pub async fn choose_company_logo(window: Window) -> CommandResult<Option<CompanyLogo>> {
    let picked = dialogs::open_path(
        &window,
        Dialog::Logo,
        dialogs::OpenDialog {
            title: "Choose your logo",
            filter_name: "PNG or JPEG image",
            extensions: &["png", "PNG", "jpg", "JPG", "jpeg", "JPEG"],
        },
    )
    .await;
    let Some(path) = picked else {
        return Ok(None);
    };
    blocking(move || Ok(Some(company::read_logo(&path)?))).await
}

/// Settings → Templates: every template and the documented fields.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TemplateLibrary {
    pub templates: Vec<EmailTemplate>,
    pub fields: Vec<TemplateField>,
}

#[tauri::command]
pub async fn email_templates(state: tauri::State<'_, AppState>) -> CommandResult<TemplateLibrary> {
    state.with_db(|db| {
        Ok(TemplateLibrary {
            templates: templates::list(db.conn())?,
            fields: field_palette(),
        })
    })
}

#[tauri::command]
pub async fn template_options(
    state: tauri::State<'_, AppState>,
    key: String,
) -> CommandResult<TemplateOptions> {
    state.with_db(|db| Ok(attachments::template_options(db.conn(), &key)?))
}

/// Checks and saves a template with its options; a problem comes back as `invalid_input` with
/// the field (subject, body_text, body_html) and its line and column. Returns it as stored.
#[tauri::command]
pub async fn save_email_template(
    app: AppHandle,
    template: EmailTemplate,
    options: TemplateOptions,
) -> CommandResult<EmailTemplate> {
    blocking(move || save_template(&app.state::<AppState>(), &template, options)).await
}

/// The check renders the template (on a worker, within its time budget) before the session is
/// taken, so other commands go on answering meanwhile; the session is held only to write.
fn save_template(
    state: &AppState,
    template: &EmailTemplate,
    options: TemplateOptions,
) -> CommandResult<EmailTemplate> {
    let checked = templates::check(template)?;
    state.with_db(|db| {
        let tx = db.conn().unchecked_transaction().map_err(db_error)?;
        templates::store(&tx, &checked)?;
        attachments::set_template_options(&tx, &template.key, options)?;
        tx.commit().map_err(db_error)?;
        Ok(templates::get(db.conn(), &template.key)?)
    })
}

fn db_error(error: rusqlite::Error) -> CommandError {
    duebook_core::store::DbError::from(error).into()
}

/// "Reset to default": the shipped text again (the template's options stay).
#[tauri::command]
pub async fn reset_email_template(
    state: tauri::State<'_, AppState>,
    key: String,
) -> CommandResult<EmailTemplate> {
    state.with_db(|db| {
        templates::reset(db.conn(), &key)?;
        Ok(templates::get(db.conn(), &key)?)
    })
}

/// The template editor's live preview, and where a frame shows its HTML.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TemplatePreview {
    pub rendered: RenderedEmail,
    /// The HTML body's address for a sandboxed frame (see [`super::mail_preview`]).
    pub html_url: String,
}

/// The live preview: `template` as typed, rendered for a real customer.
#[tauri::command]
pub async fn preview_email_template(
    app: AppHandle,
    template: EmailTemplate,
    customer_id: i64,
) -> CommandResult<TemplatePreview> {
    let today = SystemClock.today();
    let worker = app.clone();
    let rendered = blocking(move || {
        preview_template(&worker.state::<AppState>(), &template, customer_id, today)
    })
    .await?;
    let previews = app.state::<HtmlPreviews>();
    Ok(TemplatePreview {
        html_url: previews.publish(rendered.html.clone()),
        rendered,
    })
}

/// Reads the customer's fields under the session, then renders with the session released.
fn preview_template(
    state: &AppState,
    template: &EmailTemplate,
    customer_id: i64,
    today: chrono::NaiveDate,
) -> CommandResult<RenderedEmail> {
    let fields = state.with_db(|db| Ok(context::for_preview(db.conn(), customer_id, today)?))?;
    Ok(compose::render_preview(template, &fields)?)
}

impl From<PreviewFieldsError> for CommandError {
    fn from(error: PreviewFieldsError) -> Self {
        match error {
            PreviewFieldsError::Company(e) => e.into(),
            PreviewFieldsError::Account(e) => e.into(),
            PreviewFieldsError::Db(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use duebook_core::mail::smtp::auth_hint;
    use duebook_core::mail::templates::TemplateIssue;

    #[test]
    fn a_refused_login_keeps_the_servers_reply_and_the_app_password_hint() {
        let reply = "535 5.7.8 Username and Password not accepted";
        let problem = ConnectionProblem::from(&MailError::Auth {
            reply: reply.into(),
            hint: auth_hint("smtp.gmail.com", reply),
        });
        assert_eq!(problem.kind, "auth");
        assert_eq!(problem.stage, Some(Stage::Auth));
        assert_eq!(problem.server_reply.as_deref(), Some(reply));
        assert!(problem.message.contains(reply), "{}", problem.message);
        assert!(problem.hint.unwrap_or_default().contains("app password"));
    }

    #[test]
    fn a_template_problem_is_shown_beside_its_part_with_line_and_column() {
        let error: CommandError = TemplateError::Issue(TemplateIssue {
            part: TemplatePart::Html,
            line: Some(3),
            column: Some(14),
            message: "unexpected `}`".into(),
        })
        .into();
        let wire = serde_json::to_value(&error).unwrap();
        assert_eq!(wire["kind"], "invalid_input");
        assert_eq!(wire["field"], "body_html");
        assert_eq!(
            wire["message"],
            "HTML body, line 3, column 14: unexpected `}`"
        );
    }

    /// Passes the static check but keeps a render busy: 250 000 loop turns per part.
    fn slow_template() -> EmailTemplate {
        let busy = "{% for i in range(end=500) %}{% for j in range(end=500) %}{% if i == j and i < 0 %}x{% endif %}{% endfor %}{% endfor %}Hi";
        EmailTemplate {
            key: "slow".into(),
            name: "Slow".into(),
            subject: busy.into(),
            body_text: busy.into(),
            body_html: busy.into(),
            is_builtin: false,
            is_customized: false,
        }
    }

    #[test]
    fn other_commands_get_the_session_while_a_template_is_checked() {
        use crate::state::{Session, StartClock};
        use std::time::{Duration, Instant};
        let path = std::env::temp_dir().join(format!(
            "duebook-template-lock-{}.sqlite",
            std::process::id()
        ));
        let state = AppState::new(path.clone(), Session::open(&path), StartClock::now());
        let slow = slow_template();
        let started = Instant::now();
        let _ = templates::check(&slow);
        let render_time = started.elapsed();
        assert!(
            render_time > Duration::from_millis(200),
            "the template renders in {render_time:?}: too fast to show a blocked session"
        );
        std::thread::scope(|scope| {
            let saving = scope.spawn(|| save_template(&state, &slow, TemplateOptions::default()));
            std::thread::sleep(render_time / 4);
            let asked = Instant::now();
            let answered = state.with_db(|db| Ok(templates::list(db.conn())?.len()));
            let waited = asked.elapsed();
            assert_eq!(answered.unwrap(), templates::BUILTIN.len());
            assert!(
                waited < render_time / 4,
                "another command waited {waited:?} for the session (the render takes {render_time:?})"
            );
            // Saved or refused as too slow: either way it was decided without the session.
            let _ = saving.join();
        });
        drop(state);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
