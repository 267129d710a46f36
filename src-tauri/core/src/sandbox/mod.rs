//! The sandbox: renders user-written tera templates (email parts, the company's payment link
//! pattern and reference format) with limits, so untrusted text can neither hang nor flood.
//!
//! - **a static check of the syntax tree** ([`check`]): only the listed filters, tests and
//!   functions; no `__tera_context`, macros, `extends`, `set_global`, filter sections, or `set`
//!   inside loops; loops over Duebook's lists or `range` only, nested at most two deep; includes
//!   of the caller's own parts only; `replace` with literal arguments that cannot re-create
//!   markup; and every expression's size bounded ([`limits`]) so chained filters and `~` cannot
//!   grow a string without limit;
//! - **bounded rendering** ([`render`]): a render writes into a buffer that refuses to grow past
//!   its limit or to go on past its deadline, so a runaway loop stops at its next write;
//! - problems are reported with line and column ([`TemplateIssue`], [`locate`]).
//!
//! It knows nothing of emails or the database: `mail::templates` builds its email engines on it,
//! `company` checks its payment link with it.

mod check;
mod engine;
pub mod limits;
mod locate;
mod render;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub(crate) use check::check_source;
pub use engine::escape_html;
pub(crate) use engine::{add_checked, base_engine};
pub use render::render_inline;
pub(crate) use render::{render_part, too_slow, Budget};

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

/// Why the sandbox refused a template or a render.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("template problem in the {0}")]
    Issue(TemplateIssue),
    #[error("{0}")]
    Invalid(String),
}

impl SandboxError {
    /// The located problem, when there is one.
    pub fn issue(&self) -> Option<&TemplateIssue> {
        match self {
            SandboxError::Issue(issue) => Some(issue),
            SandboxError::Invalid(_) => None,
        }
    }
}

/// A problem in `part`, at (line, column) when known.
pub(crate) fn issue(
    part: TemplatePart,
    pos: Option<(u32, u32)>,
    message: impl Into<String>,
) -> SandboxError {
    SandboxError::Issue(TemplateIssue {
        part,
        line: pos.map(|p| p.0),
        column: pos.map(|p| p.1),
        message: message.into(),
    })
}
