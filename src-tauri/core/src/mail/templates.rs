//! Email templates: the shipped set in `templates/`, the user's edited copies in the `templates`
//! table, and a safe tera renderer for both.
//!
//! User templates are untrusted text, so the renderer
//! - HTML-escapes every value in the HTML part, whatever the template is called (tera by default
//!   escapes only names ending in `.html`); the plain-text part and the subject are not escaped;
//! - replaces `get_env` with a function that fails and bounds `range`; templates are added as
//!   strings, never from files, so `include` can reach only Duebook's own partials (`_*.html`);
//! - checks each user template's syntax tree before use: no `safe` filter, no `set_global`, no
//!   `set` inside loops, no macros / `extends` / `import`, loops nested at most two deep, only
//!   the functions `range`, `now` and `throw`;
//! - stops rendering when a part grows past [`MAX_OUTPUT_BYTES`];
//! - reports a typo with its line and column ([`TemplateError`]) instead of a half-rendered email.

use crate::db::{now_timestamp, DbError};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use tera::ast::{Expr, ExprVal, FunctionCall, Node};
use tera::{Context, Tera};
use ts_rs::TS;

/// Longest template source accepted per part (subject, text or HTML).
pub const MAX_TEMPLATE_BYTES: usize = 64 * 1024;
/// Largest rendered text or HTML part.
pub const MAX_OUTPUT_BYTES: usize = 512 * 1024;
/// Largest rendered subject (after line breaks are folded into spaces).
pub const MAX_SUBJECT_CHARS: usize = 300;
/// Most items `range(...)` may produce.
pub const MAX_RANGE: usize = 500;
/// How deep `for` loops may nest.
pub const MAX_LOOP_DEPTH: usize = 2;
/// How many `set` statements one template may have.
pub const MAX_SETS: usize = 10;
const ALLOWED_FUNCTIONS: &[&str] = &["range", "now", "throw"];

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

/// The shipped templates: (key, name, description).
pub const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "welcome",
        "Welcome / new customer",
        "Introduces your billing contact and how to pay.",
    ),
    (
        "pre-due",
        "Friendly reminder before the due date",
        "A few days before invoices fall due.",
    ),
    ("due-today", "Due today", "On the due date."),
    (
        "overdue-1",
        "Overdue 1 (gentle)",
        "A week or so past due: probably an oversight.",
    ),
    (
        "overdue-2",
        "Overdue 2 (firm)",
        "About a month past due: asks for a date.",
    ),
    (
        "overdue-3",
        "Overdue 3 (over 60 days)",
        "Two months past due: escalation is near.",
    ),
    (
        "final-notice",
        "Final notice",
        "Last reminder before the account is passed on.",
    ),
    (
        "statement-cover",
        "Statement of account",
        "Cover email for the monthly statement.",
    ),
    ("thank-you", "Payment thank-you", "After a payment arrives."),
    (
        "promise-confirmation",
        "Promise-to-pay confirmation",
        "Confirms what the customer promised.",
    ),
    (
        "dispute-acknowledgement",
        "Dispute acknowledgement",
        "Confirms a query or dispute is being looked at.",
    ),
];

/// The shipped templates that ask for money: each must carry remittance details and a payment link.
pub const REMINDER_KEYS: &[&str] = &[
    "pre-due",
    "due-today",
    "overdue-1",
    "overdue-2",
    "overdue-3",
    "final-notice",
    "statement-cover",
];

macro_rules! shipped {
    ($key:literal) => {
        (
            $key,
            include_str!(concat!("../../../../templates/", $key, ".subject")),
            include_str!(concat!("../../../../templates/", $key, ".txt")),
            include_str!(concat!("../../../../templates/", $key, ".html")),
        )
    };
}

const SHIPPED: &[(&str, &str, &str, &str)] = &[
    shipped!("welcome"),
    shipped!("pre-due"),
    shipped!("due-today"),
    shipped!("overdue-1"),
    shipped!("overdue-2"),
    shipped!("overdue-3"),
    shipped!("final-notice"),
    shipped!("statement-cover"),
    shipped!("thank-you"),
    shipped!("promise-confirmation"),
    shipped!("dispute-acknowledgement"),
];

/// Shared pieces every template may `{% include %}`; not editable.
const PARTIALS_TEXT: &[(&str, &str)] = &[
    (
        "_invoices.txt",
        include_str!("../../../../templates/_invoices.txt"),
    ),
    (
        "_remittance.txt",
        include_str!("../../../../templates/_remittance.txt"),
    ),
    (
        "_signature.txt",
        include_str!("../../../../templates/_signature.txt"),
    ),
];
const PARTIALS_HTML: &[(&str, &str)] = &[
    (
        "_invoices.html",
        include_str!("../../../../templates/_invoices.html"),
    ),
    (
        "_remittance.html",
        include_str!("../../../../templates/_remittance.html"),
    ),
    (
        "_signature.html",
        include_str!("../../../../templates/_signature.html"),
    ),
];
/// Wraps every HTML body: logo, company name, accent colour. Gets the body as `body_html`.
const LAYOUT_HTML: &str = include_str!("../../../../templates/_layout.html");
const LAYOUT_NAME: &str = "_layout.html";

/// The shipped version of a template.
pub fn builtin(key: &str) -> Option<EmailTemplate> {
    let (_, subject, text, html) = SHIPPED.iter().find(|t| t.0 == key)?;
    let name = BUILTIN.iter().find(|b| b.0 == key).map_or(key, |b| b.1);
    Some(EmailTemplate {
        key: key.to_string(),
        name: name.to_string(),
        subject: subject.trim_end().to_string(),
        body_text: text.to_string(),
        body_html: html.to_string(),
        is_builtin: true,
        is_customized: false,
    })
}

/// Every template: the shipped ones (edited copies where the user changed them), then the
/// user's own, by name.
pub fn list(conn: &Connection) -> Result<Vec<EmailTemplate>, TemplateError> {
    let stored = stored_templates(conn)?;
    let mut out = Vec::new();
    for (key, _, _) in BUILTIN {
        match stored.get(*key) {
            Some(t) => out.push(t.clone()),
            None => out.extend(builtin(key)),
        }
    }
    let mut own: Vec<_> = stored.into_values().filter(|t| !t.is_builtin).collect();
    own.sort_by(|a, b| a.name.cmp(&b.name));
    out.extend(own);
    Ok(out)
}

/// The template to use for `key`: the user's copy if there is one, else the shipped one.
pub fn get(conn: &Connection, key: &str) -> Result<EmailTemplate, TemplateError> {
    let stored = conn
        .query_row(
            "SELECT key, name, subject, body_text, body_html FROM templates WHERE key = ?1",
            [key],
            template_from_row,
        )
        .optional()?;
    stored
        .or_else(|| builtin(key))
        .ok_or_else(|| TemplateError::NotFound(key.to_string()))
}

fn template_from_row(row: &rusqlite::Row) -> rusqlite::Result<EmailTemplate> {
    let key: String = row.get(0)?;
    let is_builtin = builtin(&key).is_some();
    Ok(EmailTemplate {
        name: row.get(1)?,
        subject: row.get(2)?,
        body_text: row.get(3)?,
        body_html: row.get::<_, Option<String>>(4)?.unwrap_or_default(),
        is_builtin,
        is_customized: is_builtin,
        key,
    })
}

fn stored_templates(conn: &Connection) -> Result<HashMap<String, EmailTemplate>, TemplateError> {
    let mut stmt =
        conn.prepare("SELECT key, name, subject, body_text, body_html FROM templates")?;
    let rows = stmt.query_map([], template_from_row)?;
    let mut map = HashMap::new();
    for row in rows {
        let t = row?;
        map.insert(t.key.clone(), t);
    }
    Ok(map)
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && !key.starts_with('-')
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Checks a template (syntax, forbidden constructs, and a render against sample data) and
/// saves it. A shipped template's edit is kept beside the default ("reset to default" drops it).
pub fn save(conn: &Connection, template: &EmailTemplate) -> Result<(), TemplateError> {
    if !valid_key(&template.key) {
        return Err(TemplateError::Invalid(format!(
            "{:?} is not a valid template key (use lower-case letters, digits and '-')",
            template.key
        )));
    }
    if template.name.trim().is_empty() {
        return Err(TemplateError::Invalid("the template needs a name".into()));
    }
    check(template)?;
    conn.execute(
        "INSERT INTO templates (key, name, subject, body_text, body_html, is_builtin, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)
         ON CONFLICT (key) DO UPDATE SET name = excluded.name, subject = excluded.subject,
             body_text = excluded.body_text, body_html = excluded.body_html,
             updated_at = excluded.updated_at",
        params![
            template.key,
            template.name.trim(),
            template.subject,
            template.body_text,
            template.body_html,
            now_timestamp()
        ],
    )?;
    Ok(())
}

/// Drops the user's edit of a shipped template, or deletes the user's own template.
pub fn reset(conn: &Connection, key: &str) -> Result<(), TemplateError> {
    let removed = conn.execute("DELETE FROM templates WHERE key = ?1", [key])?;
    if removed == 0 && builtin(key).is_none() {
        return Err(TemplateError::NotFound(key.to_string()));
    }
    Ok(())
}

/// Checks a template without saving it: syntax, forbidden constructs, and a render against
/// sample data (which catches misspelt field names).
pub fn check(template: &EmailTemplate) -> Result<(), TemplateError> {
    let renderer = Renderer::new(std::slice::from_ref(template))?;
    renderer.render(&template.key, &super::context::sample_context())?;
    Ok(())
}

/// A rendered message: subject, plain text and branded HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RenderedEmail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Compiled templates, ready to render many messages (build once per send run or preview).
pub struct Renderer {
    html: Tera,
    text: Tera,
    keys: Vec<String>,
    /// Template name → source, to locate render errors (tera keeps no source text).
    sources: HashMap<String, String>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("keys", &self.keys)
            .finish()
    }
}

impl Renderer {
    /// Compiles `templates` (checked as untrusted input) beside Duebook's partials.
    pub fn new(templates: &[EmailTemplate]) -> Result<Renderer, TemplateError> {
        let mut html = base_engine(true);
        let mut text = base_engine(false);
        html.add_raw_templates(PARTIALS_HTML.iter().copied())
            .and_then(|_| html.add_raw_template(LAYOUT_NAME, LAYOUT_HTML))
            .map_err(|e| TemplateError::Invalid(format!("shipped partial broken: {e}")))?;
        text.add_raw_templates(PARTIALS_TEXT.iter().copied())
            .map_err(|e| TemplateError::Invalid(format!("shipped partial broken: {e}")))?;
        let mut keys = Vec::new();
        let mut sources = HashMap::new();
        for t in templates {
            let parts = [
                (
                    TemplatePart::Subject,
                    &t.subject,
                    format!("{}.subject", t.key),
                ),
                (TemplatePart::Text, &t.body_text, format!("{}.txt", t.key)),
                (TemplatePart::Html, &t.body_html, format!("{}.html", t.key)),
            ];
            for (part, source, name) in parts {
                let engine = if part == TemplatePart::Html {
                    &mut html
                } else {
                    &mut text
                };
                add_checked(engine, part, &name, source)?;
                sources.insert(name, source.clone());
            }
            keys.push(t.key.clone());
        }
        Ok(Renderer {
            html,
            text,
            keys,
            sources,
        })
    }

    /// Every template Duebook ships plus the user's edits and own templates.
    pub fn from_db(conn: &Connection) -> Result<Renderer, TemplateError> {
        Renderer::new(&list(conn)?)
    }

    pub fn has(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
    }

    fn part(
        &self,
        engine: &Tera,
        name: &str,
        context: &Context,
        part: TemplatePart,
        limit: usize,
    ) -> Result<String, TemplateError> {
        let source = self.sources.get(name).map(String::as_str);
        render_part(engine, name, source, context, part, limit)
    }

    /// Renders subject, text and HTML for `key`.
    pub fn render(&self, key: &str, context: &Context) -> Result<RenderedEmail, TemplateError> {
        if !self.has(key) {
            return Err(TemplateError::NotFound(key.to_string()));
        }
        let subject = self.part(
            &self.text,
            &format!("{key}.subject"),
            context,
            TemplatePart::Subject,
            MAX_OUTPUT_BYTES,
        )?;
        let subject = fold_subject(&subject);
        if subject.is_empty() {
            return Err(issue(TemplatePart::Subject, None, "the subject is empty"));
        }
        if subject.chars().count() > MAX_SUBJECT_CHARS {
            return Err(issue(
                TemplatePart::Subject,
                None,
                format!("the subject is longer than {MAX_SUBJECT_CHARS} characters"),
            ));
        }
        let text = self.part(
            &self.text,
            &format!("{key}.txt"),
            context,
            TemplatePart::Text,
            MAX_OUTPUT_BYTES,
        )?;
        let body_html = self.part(
            &self.html,
            &format!("{key}.html"),
            context,
            TemplatePart::Html,
            MAX_OUTPUT_BYTES,
        )?;
        let mut layout_context = context.clone();
        layout_context.insert("body_html", &body_html);
        layout_context.insert("subject", &subject);
        let html = self.part(
            &self.html,
            LAYOUT_NAME,
            &layout_context,
            TemplatePart::Html,
            MAX_OUTPUT_BYTES + 16 * 1024,
        )?;
        Ok(RenderedEmail {
            subject,
            text: tidy_text(&text),
            html,
        })
    }
}

/// Renders a one-line pattern (payment link, remittance reference) with every value
/// percent-encoded (`url == true`) or as plain text.
pub fn render_inline(pattern: &str, context: &Context, url: bool) -> Result<String, String> {
    let engine = inline_engine(pattern, url)?;
    render_part(
        &engine,
        "inline",
        Some(pattern),
        context,
        TemplatePart::Text,
        4096,
    )
    .map(|s| s.trim().to_string())
    .map_err(|e| match e.issue() {
        Some(i) => i.message.clone(),
        None => e.to_string(),
    })
}

/// How many compiled inline patterns each thread keeps (the company's payment link and
/// reference format are rendered for every open invoice of every reminder).
const INLINE_CACHE: usize = 16;

thread_local! {
    static INLINE_ENGINES: std::cell::RefCell<HashMap<(bool, String), std::rc::Rc<Tera>>> =
        std::cell::RefCell::new(HashMap::new());
}

/// The checked, compiled engine for an inline pattern: built once per thread and pattern, since
/// building a tera engine and parsing the pattern costs far more than rendering it.
fn inline_engine(pattern: &str, url: bool) -> Result<std::rc::Rc<Tera>, String> {
    let key = (url, pattern.to_string());
    if let Some(engine) = INLINE_ENGINES.with(|c| c.borrow().get(&key).cloned()) {
        return Ok(engine);
    }
    let mut engine = base_engine(false);
    if url {
        engine.autoescape_on(vec![""]);
        engine.set_escape_fn(percent_encode);
    }
    add_checked(&mut engine, TemplatePart::Text, "inline", pattern).map_err(|e| e.to_string())?;
    let engine = std::rc::Rc::new(engine);
    INLINE_ENGINES.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= INLINE_CACHE {
            cache.clear();
        }
        cache.insert(key, engine.clone());
    });
    Ok(engine)
}

/// Escapes the five characters that matter in HTML text and quoted attributes (tera's own
/// escaper also turns `/` into `&#x2F;`, which garbles every link in the plain view of a mail).
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 16);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn percent_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for b in input.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn base_engine(html: bool) -> Tera {
    let mut tera = Tera::default();
    if html {
        // Every name: tera's default escapes only *.html, *.htm, *.xml.
        tera.autoescape_on(vec![""]);
        tera.set_escape_fn(self::escape_html);
    } else {
        tera.autoescape_on(vec![]);
    }
    tera.register_function("get_env", forbidden_get_env);
    tera.register_function("get_random", forbidden_get_random);
    tera.register_function("range", bounded_range);
    tera
}

fn forbidden_get_env(_: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    Err(tera::Error::msg(
        "get_env is not available in email templates",
    ))
}

fn forbidden_get_random(_: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    Err(tera::Error::msg(
        "get_random is not available in email templates",
    ))
}

fn bounded_range(args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let number = |name: &str, default: Option<i64>| -> tera::Result<i64> {
        match args.get(name) {
            Some(v) => v
                .as_i64()
                .ok_or_else(|| tera::Error::msg(format!("range: `{name}` must be a whole number"))),
            None => default.ok_or_else(|| tera::Error::msg("range needs an `end` argument")),
        }
    };
    let start = number("start", Some(0))?;
    let end = number("end", None)?;
    let step = number("step_by", Some(1))?;
    if step <= 0 {
        return Err(tera::Error::msg("range: `step_by` must be positive"));
    }
    if start > end {
        return Err(tera::Error::msg("range: `start` is greater than `end`"));
    }
    let count = (end - start) / step;
    if count > MAX_RANGE as i64 {
        return Err(tera::Error::msg(format!(
            "range is limited to {MAX_RANGE} items in email templates"
        )));
    }
    let items: Vec<i64> = (start..end).step_by(step as usize).collect();
    Ok(tera::to_value(items).unwrap_or(tera::Value::Null))
}

fn add_checked(
    engine: &mut Tera,
    part: TemplatePart,
    name: &str,
    source: &str,
) -> Result<(), TemplateError> {
    if source.len() > MAX_TEMPLATE_BYTES {
        return Err(issue(
            part,
            None,
            format!(
                "the template is longer than {} KiB",
                MAX_TEMPLATE_BYTES / 1024
            ),
        ));
    }
    let template =
        tera::Template::new(name, None, source).map_err(|e| syntax_issue(part, source, &e))?;
    if !template.macros.is_empty() || !template.imported_macro_files.is_empty() {
        return Err(forbidden(
            part,
            source,
            "macro",
            "macros are not available in email templates",
        ));
    }
    let partials: Vec<&str> = if part == TemplatePart::Html {
        PARTIALS_HTML.iter().map(|p| p.0).collect()
    } else {
        PARTIALS_TEXT.iter().map(|p| p.0).collect()
    };
    let mut walker = Walker {
        part,
        source,
        partials: &partials,
        sets: 0,
    };
    walker.nodes(&template.ast, 0)?;
    engine
        .add_raw_template(name, source)
        .map_err(|e| syntax_issue(part, source, &e))
}

struct Walker<'a> {
    part: TemplatePart,
    source: &'a str,
    partials: &'a [&'a str],
    sets: usize,
}

impl Walker<'_> {
    fn nodes(&mut self, nodes: &[Node], depth: usize) -> Result<(), TemplateError> {
        for node in nodes {
            self.node(node, depth)?;
        }
        Ok(())
    }

    fn deny(&self, needle: &str, message: &str) -> TemplateError {
        forbidden(self.part, self.source, needle, message)
    }

    fn node(&mut self, node: &Node, depth: usize) -> Result<(), TemplateError> {
        match node {
            Node::Super | Node::Text(_) | Node::Raw(..) | Node::Comment(..) => Ok(()),
            Node::Break(_) | Node::Continue(_) => Ok(()),
            Node::VariableBlock(_, expr) => self.expr(expr),
            Node::MacroDefinition(..) | Node::ImportMacro(..) => {
                Err(self.deny("macro", "macros are not available in email templates"))
            }
            Node::Extends(..) | Node::Block(..) => Err(self.deny(
                "{%",
                "extends and block are not available in email templates",
            )),
            Node::Include(_, names, _) => {
                for name in names {
                    if !self.partials.contains(&name.as_str()) {
                        return Err(self.deny(
                            name,
                            &format!(
                                "only Duebook's own parts can be included here ({}); {name:?} is not one",
                                self.partials.join(", ")
                            ),
                        ));
                    }
                }
                Ok(())
            }
            Node::Set(_, set) => {
                if set.global {
                    return Err(self.deny(
                        "set_global",
                        "set_global is not available in email templates",
                    ));
                }
                if depth > 0 {
                    return Err(self.deny("set", "set is not allowed inside a for loop"));
                }
                self.sets += 1;
                if self.sets > MAX_SETS {
                    return Err(self.deny(
                        "set",
                        &format!("a template may have at most {MAX_SETS} set statements"),
                    ));
                }
                self.expr(&set.value)
            }
            Node::FilterSection(_, section, _) => {
                self.call(&section.filter, true)?;
                self.nodes(&section.body, depth)
            }
            Node::Forloop(_, for_loop, _) => {
                if depth >= MAX_LOOP_DEPTH {
                    return Err(self.deny(
                        "for",
                        &format!("for loops may be nested at most {MAX_LOOP_DEPTH} deep"),
                    ));
                }
                self.expr(&for_loop.container)?;
                self.nodes(&for_loop.body, depth + 1)?;
                if let Some(empty) = &for_loop.empty_body {
                    self.nodes(empty, depth + 1)?;
                }
                Ok(())
            }
            Node::If(if_node, _) => {
                for (_, cond, body) in &if_node.conditions {
                    self.expr(cond)?;
                    self.nodes(body, depth)?;
                }
                if let Some((_, body)) = &if_node.otherwise {
                    self.nodes(body, depth)?;
                }
                Ok(())
            }
        }
    }

    fn call(&mut self, call: &FunctionCall, filter: bool) -> Result<(), TemplateError> {
        if filter && call.name == "safe" {
            return Err(self.deny(
                "safe",
                "the safe filter is not available: values are always escaped in the HTML part",
            ));
        }
        if !filter && !ALLOWED_FUNCTIONS.contains(&call.name.as_str()) {
            return Err(self.deny(
                &call.name,
                &format!(
                    "the function {}() is not available in email templates (allowed: {})",
                    call.name,
                    ALLOWED_FUNCTIONS.join(", ")
                ),
            ));
        }
        for arg in call.args.values() {
            self.expr(arg)?;
        }
        Ok(())
    }

    fn expr(&mut self, expr: &Expr) -> Result<(), TemplateError> {
        for filter in &expr.filters {
            self.call(filter, true)?;
        }
        self.val(&expr.val)
    }

    fn val(&mut self, val: &ExprVal) -> Result<(), TemplateError> {
        match val {
            ExprVal::String(_)
            | ExprVal::Int(_)
            | ExprVal::Float(_)
            | ExprVal::Bool(_)
            | ExprVal::Ident(_) => Ok(()),
            ExprVal::Math(m) => {
                self.expr(&m.lhs)?;
                self.expr(&m.rhs)
            }
            ExprVal::Logic(l) => {
                self.expr(&l.lhs)?;
                self.expr(&l.rhs)
            }
            ExprVal::In(i) => {
                self.expr(&i.lhs)?;
                self.expr(&i.rhs)
            }
            ExprVal::Test(t) => t.args.iter().try_for_each(|a| self.expr(a)),
            ExprVal::MacroCall(_) => {
                Err(self.deny("::", "macros are not available in email templates"))
            }
            ExprVal::FunctionCall(call) => self.call(call, false),
            ExprVal::Array(items) => items.iter().try_for_each(|a| self.expr(a)),
            ExprVal::StringConcat(c) => c.values.iter().try_for_each(|v| self.val(v)),
        }
    }
}

/// A forbidden construct, located at the first place `needle` appears in the source.
fn forbidden(part: TemplatePart, source: &str, needle: &str, message: &str) -> TemplateError {
    issue(part, locate(source, needle), message)
}

/// 1-based (line, column) of the first occurrence of `needle`, counting characters.
fn locate(source: &str, needle: &str) -> Option<(u32, u32)> {
    if needle.is_empty() {
        return None;
    }
    let offset = source.find(needle)?;
    Some(position(source, offset))
}

fn position(source: &str, offset: usize) -> (u32, u32) {
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..offset].chars().count() + 1;
    (line as u32, column as u32)
}

/// Turns tera's parse error (pest's " --> 3:12" block) into a located issue.
fn syntax_issue(part: TemplatePart, source: &str, error: &tera::Error) -> TemplateError {
    let full = error_chain(error);
    let pos = full.lines().find_map(|l| {
        let rest = l.trim_start().strip_prefix("--> ")?;
        let (line, column) = rest.trim().split_once(':')?;
        Some((line.parse().ok()?, column.parse().ok()?))
    });
    let expected = full
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("= "))
        .map(str::to_string);
    let message = match expected {
        Some(e) => format!("syntax error: {e}"),
        None => first_useful_line(&full),
    };
    let pos = pos.or_else(|| locate(source, "{%"));
    issue(part, pos, message)
}

fn first_useful_line(full: &str) -> String {
    full.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("Failed to parse"))
        .unwrap_or("the template cannot be read")
        .to_string()
}

fn error_chain(error: &tera::Error) -> String {
    let mut out = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        out.push('\n');
        out.push_str(&e.to_string());
        source = e.source();
    }
    out
}

/// A writer that refuses to grow past a limit, so a runaway loop stops early.
struct Limited {
    buf: Vec<u8>,
    limit: usize,
    exceeded: bool,
}

impl Write for Limited {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + data.len() > self.limit {
            self.exceeded = true;
            return Err(std::io::Error::other("output limit reached"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn render_part(
    engine: &Tera,
    name: &str,
    source: Option<&str>,
    context: &Context,
    part: TemplatePart,
    limit: usize,
) -> Result<String, TemplateError> {
    let mut out = Limited {
        buf: Vec::with_capacity(4096),
        limit,
        exceeded: false,
    };
    match engine.render_to(name, context, &mut out) {
        Ok(()) => String::from_utf8(out.buf)
            .map_err(|_| issue(part, None, "the result is not valid UTF-8")),
        Err(_) if out.exceeded => Err(issue(
            part,
            None,
            format!("the result is larger than {} KiB", limit / 1024),
        )),
        Err(e) => Err(render_issue(source, part, &e)),
    }
}

/// A render error (e.g. "Variable `custmer.name` not found"), located by the first
/// back-quoted name in the message.
fn render_issue(source: Option<&str>, part: TemplatePart, error: &tera::Error) -> TemplateError {
    let chain = error_chain(error);
    let message = chain
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("Failed to render"))
        .unwrap_or("the template could not be rendered");
    let message = match message.find(" while rendering '") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    };
    let needle = message
        .split('`')
        .nth(1)
        .map(|s| s.trim_end_matches("()").to_string());
    let pos = needle.and_then(|n| source.and_then(|src| locate(src, &n)));
    issue(part, pos, message)
}

/// Folds line breaks and runs of spaces in a rendered subject into single spaces.
fn fold_subject(subject: &str) -> String {
    subject.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Trims trailing spaces on each line and collapses 3+ blank lines (tags leave them behind).
fn tidy_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
