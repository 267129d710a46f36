//! Email templates: the shipped set in `templates/`, the user's edited copies in the `templates`
//! table, and a safe tera renderer for both.
//!
//! User templates are untrusted text (a shared template is enough to attack with), so:
//! - **escaping by construction** ([`render`]): for the HTML part every string of the render
//!   context (and every key) is HTML-escaped *before* rendering and tera's own escaping is off, so
//!   customer text is escaped exactly once however the template combines it (`~`, `split`, `join`,
//!   `safe`, loops, `set`); `escape` is a no-op there and `safe` cannot unescape anything. Only
//!   what Duebook builds itself (the rendered body placed in `_layout.html`) goes in unescaped;
//! - **a static check of the syntax tree** ([`check`]): only the listed filters, tests and
//!   functions; no `__tera_context`, macros, `extends`, `set_global`, filter sections, or `set`
//!   inside loops; loops over Duebook's lists or `range` only, nested at most two deep; `replace`
//!   with literal arguments that cannot re-create markup; and every expression's size bounded
//!   ([`limits`]) so chained filters and `~` cannot grow a string without limit;
//! - **bounded rendering** ([`render`]): one render runs on a worker thread with a time budget and
//!   an output cap, so a hostile template gets a clear error within [`limits::RENDER_BUDGET`] and
//!   never takes the process or a lock down with it;
//! - typos are reported with line and column ([`TemplateError`]) instead of a half-rendered email.

mod check;
mod engine;
pub mod limits;
mod locate;
mod render;
mod store;

use crate::store::DbError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use check::{check, problems, CheckedTemplate};
pub use engine::escape_html;
pub use limits::{MAX_OUTPUT_BYTES, MAX_SUBJECT_CHARS, MAX_TEMPLATE_BYTES};
pub use render::{render_inline, Renderer};
pub use store::{builtin, get, list, reset, save, store, valid_key, BUILTIN, REMINDER_KEYS};

/// Which part of a template a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TemplatePart {
    Subject,
    Text,
    Html,
}

impl TemplatePart {
    fn label(self) -> &'static str {
        match self {
            TemplatePart::Subject => "subject",
            TemplatePart::Text => "plain-text body",
            TemplatePart::Html => "HTML body",
        }
    }

    /// The file a part is kept in, as in the repository's `templates/` folder and
    /// `duebook templates export`: `overdue-1.subject`, `overdue-1.txt`, `overdue-1.html`.
    pub fn file_name(self, key: &str) -> String {
        let extension = match self {
            TemplatePart::Subject => "subject",
            TemplatePart::Text => "txt",
            TemplatePart::Html => "html",
        };
        format!("{key}.{extension}")
    }

    pub const ALL: [TemplatePart; 3] = [
        TemplatePart::Subject,
        TemplatePart::Text,
        TemplatePart::Html,
    ];
}

/// A problem in a template, with where it is when that is known (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateIssue {
    pub part: TemplatePart,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

impl std::fmt::Display for TemplateIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.part.label())?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
            if let Some(column) = self.column {
                write!(f, ", column {column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

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

fn issue(part: TemplatePart, pos: Option<(u32, u32)>, message: impl Into<String>) -> TemplateError {
    TemplateError::Issue(TemplateIssue {
        part,
        line: pos.map(|p| p.0),
        column: pos.map(|p| p.1),
        message: message.into(),
    })
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
