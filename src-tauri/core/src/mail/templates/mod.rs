//! Email templates: the shipped set in `templates/`, the user's edited copies in the `templates`
//! table, and a renderer for both on top of the [`crate::sandbox`] (which checks and bounds every
//! user template; see there for the static check and the limits).
//!
//! User templates are untrusted text (a shared template is enough to attack with), so on top of
//! the sandbox:
//! - **escaping by construction** ([`render`]): for the HTML part every string of the render
//!   context (and every key) is HTML-escaped *before* rendering and tera's own escaping is off, so
//!   customer text is escaped exactly once however the template combines it (`~`, `split`, `join`,
//!   `safe`, loops, `set`); `escape` is a no-op there and `safe` cannot unescape anything. Only
//!   what Duebook builds itself (the rendered body placed in `_layout.html`) goes in unescaped;
//! - **includes of Duebook's own partials only** ([`engine`]);
//! - **bounded rendering** ([`render`]): one render runs on a worker thread with a time budget and
//!   an output cap, so a hostile template gets a clear error within [`limits::RENDER_BUDGET`] and
//!   never takes the process or a lock down with it;
//! - typos are reported with line and column ([`TemplateError`]) instead of a half-rendered email.

mod check;
mod engine;
mod render;
mod store;

use crate::sandbox::SandboxError;
use crate::store::DbError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::sandbox::limits::{self, MAX_OUTPUT_BYTES, MAX_SUBJECT_CHARS, MAX_TEMPLATE_BYTES};
pub use crate::sandbox::{escape_html, TemplateIssue, TemplatePart};
pub use check::{check, problems, CheckedTemplate};
pub use render::Renderer;
pub use store::{
    builtin, get, list, reset, save, store, valid_key, BUILTIN, INTERNAL_KEYS, REMINDER_KEYS,
};

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template problem in the {0}")]
    Issue(TemplateIssue),
    #[error("there is no template {0:?}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<SandboxError> for TemplateError {
    fn from(e: SandboxError) -> Self {
        match e {
            SandboxError::Issue(issue) => TemplateError::Issue(issue),
            SandboxError::Invalid(message) => TemplateError::Invalid(message),
        }
    }
}

impl From<rusqlite::Error> for TemplateError {
    fn from(e: rusqlite::Error) -> Self {
        TemplateError::Db(DbError::Sqlite(e))
    }
}

impl TemplateError {
    /// The located problem, when there is one (for the editor to underline).
    pub fn issue(&self) -> Option<&TemplateIssue> {
        match self {
            TemplateError::Issue(issue) => Some(issue),
            _ => None,
        }
    }
}

fn issue(part: TemplatePart, message: impl Into<String>) -> TemplateError {
    crate::sandbox::issue(part, None, message).into()
}

/// A template as the editor shows it: shipped default or the user's edited copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EmailTemplate {
    /// e.g. "overdue-1"; lower-case letters, digits and '-'.
    pub key: String,
    pub name: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// Shipped with Duebook ("reset to default" restores the shipped text).
    pub is_builtin: bool,
    /// A shipped template the user has edited.
    pub is_customized: bool,
}

impl EmailTemplate {
    /// The source of one part.
    pub fn source(&self, part: TemplatePart) -> &str {
        match part {
            TemplatePart::Subject => &self.subject,
            TemplatePart::Text => &self.body_text,
            TemplatePart::Html => &self.body_html,
        }
    }
}

/// A rendered message: subject, plain text and branded HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RenderedEmail {
    pub subject: String,
    pub text: String,
    pub html: String,
}
