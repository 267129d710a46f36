//! Bounded rendering: a render writes into a buffer that refuses to grow past its limit or to go
//! on past its deadline, so a runaway loop stops at its next write; and the one-line patterns
//! (payment link, remittance reference), compiled once per thread.

use super::engine::{add_checked, base_engine, percent_encode};
use super::limits::RENDER_BUDGET;
use super::locate::render_issue;
use super::{issue, SandboxError, TemplatePart};
use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;
use tera::{Context, Tera};

/// Renders a one-line pattern (payment link, remittance reference) with every value
/// percent-encoded (`url == true`) or as plain text.
pub fn render_inline(pattern: &str, context: &Context, url: bool) -> Result<String, String> {
    let engine = inline_engine(pattern, url)?;
    let budget = Budget {
        limit: 4096,
        deadline: Instant::now() + RENDER_BUDGET,
    };
    render_part(
        &engine,
        "inline",
        Some(pattern),
        context,
        TemplatePart::Text,
        budget,
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
    let mut engine = base_engine();
    if url {
        engine.autoescape_on(vec![""]);
        engine.set_escape_fn(percent_encode);
    }
    add_checked(&mut engine, TemplatePart::Text, "inline", pattern, &[])
        .map_err(|e| e.to_string())?;
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

/// How much one part may write, and until when.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    pub(crate) limit: usize,
    pub(crate) deadline: Instant,
}

/// Why a [`Limited`] writer refused more.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Refused {
    TooLarge,
    TooSlow,
}

/// A writer that refuses to grow past a limit or to go on past a deadline, so a runaway loop
/// stops at its next write.
struct Limited {
    buf: Vec<u8>,
    budget: Budget,
    refused: Option<Refused>,
}

impl Write for Limited {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + data.len() > self.budget.limit {
            self.refused = Some(Refused::TooLarge);
            return Err(std::io::Error::other("output limit reached"));
        }
        if Instant::now() > self.budget.deadline {
            self.refused = Some(Refused::TooSlow);
            return Err(std::io::Error::other("time budget spent"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Renders template `name` of `engine` within `budget`; `source` locates a render error.
pub(crate) fn render_part(
    engine: &Tera,
    name: &str,
    source: Option<&str>,
    context: &Context,
    part: TemplatePart,
    budget: Budget,
) -> Result<String, SandboxError> {
    let mut out = Limited {
        buf: Vec::with_capacity(4096),
        budget,
        refused: None,
    };
    let rendered = engine.render_to(name, context, &mut out);
    match (rendered, out.refused) {
        (_, Some(Refused::TooLarge)) => Err(issue(
            part,
            None,
            format!("the result is larger than {} KiB", budget.limit / 1024),
        )),
        (_, Some(Refused::TooSlow)) => Err(too_slow(part)),
        (Ok(()), None) => String::from_utf8(out.buf)
            .map_err(|_| issue(part, None, "the result is not valid UTF-8")),
        (Err(e), None) => Err(render_issue(source, part, &e)),
    }
}

/// The error of a render that ran out of time.
pub(crate) fn too_slow(part: TemplatePart) -> SandboxError {
    issue(
        part,
        None,
        format!(
            "rendering took longer than {} s; the template does too much work",
            RENDER_BUDGET.as_secs_f32()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inline_pattern_is_percent_encoded_and_may_include_nothing() {
        let mut context = Context::new();
        context.insert("number", "INV 7/å");
        let link = render_inline("https://pay.example/{{ number }}", &context, true);
        assert_eq!(link.as_deref(), Ok("https://pay.example/INV%207%2F%C3%A5"));
        let included = render_inline("{% include \"_invoices.txt\" %}", &context, false);
        assert!(included.is_err_and(|e| e.ends_with("include is not available here")));
    }
}
