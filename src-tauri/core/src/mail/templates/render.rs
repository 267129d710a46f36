//! Rendering: each message on a worker thread with a time budget and an output cap, the HTML
//! part from a context whose every string is already escaped. The worker lives as long as its
//! [`Renderer`] (a thread per message cost more than rendering a reminder); one that overran
//! its budget is left to stop on its own and the next message gets a new worker.

use super::engine::{self, add_checked, LAYOUT_NAME};
use super::limits::{MAX_FIELD_BYTES, MAX_OUTPUT_BYTES, MAX_SUBJECT_CHARS, RENDER_BUDGET};
use super::{issue, EmailTemplate, RenderedEmail, TemplateError, TemplatePart};
use crate::sandbox::{escape_html, render_part, too_slow, Budget};
use std::collections::HashMap;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};
use tera::{Context, Tera, Value};

/// How long past the budget the caller waits for a worker before giving up on it (the worker
/// stops itself at its next write once the budget is spent).
const WORKER_GRACE: Duration = Duration::from_millis(300);

/// Compiled templates, ready to render many messages (build once per send run or preview).
pub struct Renderer {
    engines: Arc<Engines>,
    /// The worker thread's queue, started at the first render.
    worker: Mutex<Option<mpsc::Sender<Job>>>,
}

/// One message to render and where the result goes.
struct Job {
    key: String,
    context: Context,
    deadline: Instant,
    done: mpsc::SyncSender<Result<RenderedEmail, TemplateError>>,
}

/// Shared with the worker threads that render.
struct Engines {
    html: Tera,
    text: Tera,
    keys: Vec<String>,
    /// Template name → source, to locate render errors (tera keeps no source text).
    sources: HashMap<String, String>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("keys", &self.engines.keys)
            .finish()
    }
}

impl Renderer {
    /// Compiles `templates` (checked as untrusted input) beside Duebook's partials.
    pub fn new(templates: &[EmailTemplate]) -> Result<Renderer, TemplateError> {
        let mut html = engine::engine_for(TemplatePart::Html)?;
        let mut text = engine::engine_for(TemplatePart::Text)?;
        let mut keys = Vec::new();
        let mut sources = HashMap::new();
        for t in templates {
            for part in TemplatePart::ALL {
                let name = part.file_name(&t.key);
                let engine = if part == TemplatePart::Html {
                    &mut html
                } else {
                    &mut text
                };
                add_checked(engine, part, &name, t.source(part))?;
                sources.insert(name, t.source(part).to_string());
            }
            keys.push(t.key.clone());
        }
        let engines = Engines {
            html,
            text,
            keys,
            sources,
        };
        Ok(Renderer {
            engines: Arc::new(engines),
            worker: Mutex::new(None),
        })
    }

    /// Every template Duebook ships plus the user's edits and own templates.
    pub fn from_db(conn: &rusqlite::Connection) -> Result<Renderer, TemplateError> {
        Renderer::new(&super::list(conn)?)
    }

    pub fn has(&self, key: &str) -> bool {
        self.engines.keys.iter().any(|k| k == key)
    }

    /// Renders subject, text and HTML for `key` on the worker thread: an error, not a hang, when
    /// the template needs more than [`RENDER_BUDGET`] or writes more than [`MAX_OUTPUT_BYTES`].
    pub fn render(&self, key: &str, context: Context) -> Result<RenderedEmail, TemplateError> {
        if !self.has(key) {
            return Err(TemplateError::NotFound(key.to_string()));
        }
        let (done, result) = mpsc::sync_channel(1);
        let job = Job {
            key: key.to_string(),
            context,
            deadline: Instant::now() + RENDER_BUDGET,
            done,
        };
        // A poisoned lock only means another render panicked: the queue inside is still usable.
        let mut worker = self
            .worker
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let queue = match worker.take() {
            Some(queue) => queue,
            None => self.start_worker()?,
        };
        // A send fails only when the worker is gone (it panicked): the job never ran.
        let answer = match queue.send(job) {
            Ok(()) => result.recv_timeout(RENDER_BUDGET + WORKER_GRACE),
            Err(_) => Err(mpsc::RecvTimeoutError::Disconnected),
        };
        match answer {
            Ok(rendered) => {
                *worker = Some(queue);
                rendered
            }
            // The worker is left behind (its queue dropped, it ends after this job).
            Err(mpsc::RecvTimeoutError::Timeout) => Err(too_slow(TemplatePart::Html).into()),
            // The worker ended without an answer: it panicked (a bug, never the template's).
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(TemplateError::Invalid(
                "rendering failed unexpectedly; please report this template".into(),
            )),
        }
    }

    /// A thread that renders jobs until its queue is dropped.
    fn start_worker(&self) -> Result<mpsc::Sender<Job>, TemplateError> {
        let (queue, jobs) = mpsc::channel::<Job>();
        let engines = Arc::clone(&self.engines);
        std::thread::Builder::new()
            .name("template-render".into())
            .spawn(move || {
                for job in jobs {
                    // The receiver is gone only when the caller gave up waiting.
                    let _ = job
                        .done
                        .send(engines.render(&job.key, job.context, job.deadline));
                }
            })
            .map_err(|e| TemplateError::Invalid(format!("cannot start rendering: {e}")))?;
        Ok(queue)
    }
}

impl Engines {
    fn part(
        &self,
        part: TemplatePart,
        name: &str,
        context: &Context,
        budget: Budget,
    ) -> Result<String, TemplateError> {
        let engine = if part == TemplatePart::Html {
            &self.html
        } else {
            &self.text
        };
        let source = self.sources.get(name).map(String::as_str);
        Ok(render_part(engine, name, source, context, part, budget)?)
    }

    fn render(
        &self,
        key: &str,
        context: Context,
        deadline: Instant,
    ) -> Result<RenderedEmail, TemplateError> {
        let budget = Budget {
            limit: MAX_OUTPUT_BYTES,
            deadline,
        };
        let (text_context, mut html_context) = contexts(context)?;
        let part = |part: TemplatePart, context: &Context| {
            self.part(part, &part.file_name(key), context, budget)
        };
        let subject = fold_subject(&part(TemplatePart::Subject, &text_context)?);
        check_subject(&subject)?;
        let text = part(TemplatePart::Text, &text_context)?;
        let body_html = part(TemplatePart::Html, &html_context)?;
        // What Duebook built itself goes in as it is: the escaped body, the escaped subject.
        html_context.insert("body_html", &body_html);
        html_context.insert("subject", &escape_html(&subject));
        let layout_budget = Budget {
            limit: MAX_OUTPUT_BYTES + 16 * 1024,
            deadline,
        };
        let html = self.part(
            TemplatePart::Html,
            LAYOUT_NAME,
            &html_context,
            layout_budget,
        )?;
        Ok(RenderedEmail {
            subject,
            text: tidy_text(&text),
            html,
        })
    }
}

fn check_subject(subject: &str) -> Result<(), TemplateError> {
    if subject.is_empty() {
        return Err(issue(TemplatePart::Subject, "the subject is empty"));
    }
    if subject.chars().count() > MAX_SUBJECT_CHARS {
        return Err(issue(
            TemplatePart::Subject,
            format!("the subject is longer than {MAX_SUBJECT_CHARS} characters"),
        ));
    }
    Ok(())
}

/// The context for the subject and text part (strings cut to [`MAX_FIELD_BYTES`]) and for the
/// HTML part (the same, every string and key HTML-escaped).
fn contexts(context: Context) -> Result<(Context, Context), TemplateError> {
    let mut value = context.into_json();
    cut_long_strings(&mut value);
    let text = Context::from_value(value.clone());
    escape_strings(&mut value);
    let html = Context::from_value(value);
    match (text, html) {
        (Ok(text), Ok(html)) => Ok((text, html)),
        (Err(e), _) | (_, Err(e)) => Err(TemplateError::Invalid(format!(
            "the template fields cannot be prepared: {e}"
        ))),
    }
}

fn cut_long_strings(value: &mut Value) {
    match value {
        Value::String(s) if s.len() > MAX_FIELD_BYTES => {
            let mut end = MAX_FIELD_BYTES;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s.truncate(end);
            s.push('…');
        }
        Value::Array(items) => items.iter_mut().for_each(cut_long_strings),
        Value::Object(map) => map.values_mut().for_each(cut_long_strings),
        _ => {}
    }
}

/// Escapes every string and every object key: whatever a template does with the values, the
/// customer's text reaches the HTML escaped, and exactly once (tera escapes nothing itself).
fn escape_strings(value: &mut Value) {
    match value {
        Value::String(s) => *s = escape_html(s),
        Value::Array(items) => items.iter_mut().for_each(escape_strings),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut item) in entries {
                escape_strings(&mut item);
                map.insert(escape_html(&key), item);
            }
        }
        _ => {}
    }
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
