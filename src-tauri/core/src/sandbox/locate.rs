//! Where in a template's source a problem is: tera keeps no positions in its syntax tree, so a
//! forbidden construct is located by its first appearance and a parse error by pest's report.

use super::{issue, SandboxError, TemplatePart};

/// A forbidden construct, located at the first place `needle` appears in the source.
pub(super) fn forbidden(
    part: TemplatePart,
    source: &str,
    needle: &str,
    message: &str,
) -> SandboxError {
    issue(part, locate(source, needle), message)
}

/// 1-based (line, column) of the first occurrence of `needle`, counting characters.
pub(super) fn locate(source: &str, needle: &str) -> Option<(u32, u32)> {
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
pub(super) fn syntax_issue(part: TemplatePart, source: &str, error: &tera::Error) -> SandboxError {
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

/// A render error (e.g. "Variable `custmer.name` not found"), located by the first
/// back-quoted name in the message.
pub(super) fn render_issue(
    source: Option<&str>,
    part: TemplatePart,
    error: &tera::Error,
) -> SandboxError {
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
