//! The tera engines templates compile into: Duebook's partials, the functions a template may
//! call, and the escaping rules of each part.

use super::check::check_source;
use super::limits::MAX_RANGE;
use super::locate::syntax_issue;
use super::{TemplateError, TemplatePart};
use std::collections::HashMap;
use tera::Tera;

/// Shared pieces every template may `{% include %}`; not editable.
const PARTIALS_TEXT: &[(&str, &str)] = &[
    (
        "_invoices.txt",
        include_str!("../../../../../templates/_invoices.txt"),
    ),
    (
        "_remittance.txt",
        include_str!("../../../../../templates/_remittance.txt"),
    ),
    (
        "_signature.txt",
        include_str!("../../../../../templates/_signature.txt"),
    ),
];
const PARTIALS_HTML: &[(&str, &str)] = &[
    (
        "_invoices.html",
        include_str!("../../../../../templates/_invoices.html"),
    ),
    (
        "_remittance.html",
        include_str!("../../../../../templates/_remittance.html"),
    ),
    (
        "_signature.html",
        include_str!("../../../../../templates/_signature.html"),
    ),
];
/// Wraps every HTML body: logo, company name, accent colour. Gets the body as `body_html`.
pub(super) const LAYOUT_HTML: &str = include_str!("../../../../../templates/_layout.html");
pub(super) const LAYOUT_NAME: &str = "_layout.html";

/// The partials a part may include.
pub(super) fn partial_names(part: TemplatePart) -> Vec<&'static str> {
    let partials = if part == TemplatePart::Html {
        PARTIALS_HTML
    } else {
        PARTIALS_TEXT
    };
    partials.iter().map(|p| p.0).collect()
}

/// An engine with Duebook's partials. Nothing is escaped by tera: the HTML part's context is
/// escaped before rendering (see [`super::render`]), so `escape` is a no-op there and `safe`
/// (which only stops tera's own escaping) cannot unescape anything.
pub(super) fn engine_for(part: TemplatePart) -> Result<Tera, TemplateError> {
    let mut tera = base_engine();
    let added = if part == TemplatePart::Html {
        tera.register_filter("escape", already_escaped);
        tera.register_filter("escape_xml", already_escaped);
        tera.add_raw_templates(PARTIALS_HTML.iter().copied())
            .and_then(|_| tera.add_raw_template(LAYOUT_NAME, LAYOUT_HTML))
    } else {
        tera.add_raw_templates(PARTIALS_TEXT.iter().copied())
    };
    added.map_err(|e| TemplateError::Invalid(format!("shipped partial broken: {e}")))?;
    Ok(tera)
}

pub(super) fn base_engine() -> Tera {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![]);
    tera.register_function("get_env", forbidden_get_env);
    tera.register_function("get_random", forbidden_get_random);
    tera.register_function("range", bounded_range);
    tera
}

/// Adds a user template to `engine` after the static check.
pub(super) fn add_checked(
    engine: &mut Tera,
    part: TemplatePart,
    name: &str,
    source: &str,
) -> Result<(), TemplateError> {
    check_source(part, source)?;
    engine
        .add_raw_template(name, source)
        .map_err(|e| syntax_issue(part, source, &e))
}

fn already_escaped(
    value: &tera::Value,
    _: &HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    Ok(value.clone())
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

pub(super) fn percent_encode(input: &str) -> String {
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
    // In i128: `end - start` overflows i64 for extreme arguments.
    let count = (i128::from(end) - i128::from(start)) / i128::from(step);
    if count > MAX_RANGE as i128 {
        return Err(tera::Error::msg(format!(
            "range is limited to {MAX_RANGE} items in email templates"
        )));
    }
    let items: Vec<i64> = (start..end).step_by(step as usize).collect();
    Ok(tera::to_value(items).unwrap_or(tera::Value::Null))
}
