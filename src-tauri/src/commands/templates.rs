//! Settings → Templates: the editor's templates and fields, saving (checked first) and resetting
//! one, and the live preview for a real customer.

use super::blocking;
use super::mail_preview::HtmlPreviews;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::company::fields::{field_palette, TemplateField};
use duebook_core::mail::attachments::{self, TemplateOptions};
use duebook_core::mail::compose;
use duebook_core::mail::context::{self, PreviewFieldsError};
use duebook_core::mail::templates::{
    self, EmailTemplate, RenderedEmail, TemplateError, TemplatePart,
};
use duebook_core::model::validation::FieldError;
use serde::Serialize;
use tauri::{AppHandle, Manager};
use ts_rs::TS;

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
    use duebook_core::mail::templates::TemplateIssue;

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
