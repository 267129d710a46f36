//! The tera engine user templates compile into: the functions a template may call, and adding
//! a template only after the static check.

use super::check::check_source;
use super::limits::MAX_RANGE;
use super::locate::syntax_issue;
use super::{SandboxError, TemplatePart};
use std::collections::HashMap;
use tera::Tera;

/// An engine whose functions are limited: no environment, no randomness, a bounded `range`.
/// Nothing is escaped unless the caller turns escaping on.
pub(crate) fn base_engine() -> Tera {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![]);
    tera.register_function("get_env", forbidden_get_env);
    tera.register_function("get_random", forbidden_get_random);
    tera.register_function("range", bounded_range);
    tera
}

/// Adds a user template to `engine` after the static check; it may include only the templates
/// named in `includable` (the caller's own parts).
pub(crate) fn add_checked(
    engine: &mut Tera,
    part: TemplatePart,
    name: &str,
    source: &str,
    includable: &[&str],
) -> Result<(), SandboxError> {
    check_source(part, source, includable)?;
    engine
        .add_raw_template(name, source)
        .map_err(|e| syntax_issue(part, source, &e))
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
