//! Figure (1): preparing reminders (data from the database, then the templates), and the
//! template engine alone on contexts built beforehand.

use crate::report::{verdict, Row};
use crate::setup::{distinct_templates, reminder_requests};
use chrono::NaiveDate;
use duebook_core::company;
use duebook_core::company::fields::{self, ContextInput};
use duebook_core::mail::account::AccountSettings;
use duebook_core::mail::compose::{self, PreparedEmail, SendRequest};
use duebook_core::mail::templates::Renderer;
use duebook_core::store::Database;
use std::time::{Duration, Instant};

pub struct Rendered {
    /// The first prepared reminders, for the send figures.
    pub to_send: Vec<PreparedEmail>,
    pub rows: Vec<Row>,
}

pub fn figures(
    db: &Database,
    account: &AccountSettings,
    as_of: NaiveDate,
    render_count: usize,
    send_count: usize,
) -> Rendered {
    let requests = reminder_requests(db, as_of, render_count);
    let (renderer, to_send, render_full) = prepare_all(db, account, &requests, as_of, send_count);
    let render_only = templates_alone(db, account, &renderer, &requests, as_of);
    let rows = vec![
        Row::new(
            format!(
                "prepare {} reminders (data from the DB + templates)",
                requests.len()
            ),
            format!("{:.0} ms", render_full.as_secs_f64() * 1e3),
            format!("{:.0}/s", requests.len() as f64 / render_full.as_secs_f64()),
            "< 1 s",
            verdict(render_full < Duration::from_secs(1)),
        ),
        Row::new(
            "  of which templates alone (subject, text, HTML)".to_string(),
            format!("{:.0} ms", render_only.as_secs_f64() * 1e3),
            format!("{:.0}/s", requests.len() as f64 / render_only.as_secs_f64()),
            "< 1 s",
            verdict(render_only < Duration::from_secs(1)),
        ),
    ];
    Rendered { to_send, rows }
}

/// Loads the templates and prepares every request, keeping the first `send_count`; the time
/// taken includes loading the templates.
fn prepare_all(
    db: &Database,
    account: &AccountSettings,
    requests: &[SendRequest],
    as_of: NaiveDate,
    send_count: usize,
) -> (Renderer, Vec<PreparedEmail>, Duration) {
    let started = Instant::now();
    let renderer = Renderer::from_db(db.conn()).expect("templates");
    let mut to_send: Vec<PreparedEmail> = Vec::with_capacity(send_count);
    let mut bytes = 0usize;
    for request in requests {
        let prepared =
            compose::prepare_with(db.conn(), &renderer, account, request, as_of).expect("prepare");
        bytes += prepared.email.text.len() + prepared.email.html.len();
        if to_send.len() < send_count {
            to_send.push(prepared);
        }
    }
    let took = started.elapsed();
    println!(
        "prepared {} reminders ({} templates, {:.1} KB of text + HTML each on average) in {:.0} ms",
        requests.len(),
        distinct_templates(requests),
        bytes as f64 / requests.len() as f64 / 1024.0,
        took.as_secs_f64() * 1e3
    );
    (renderer, to_send, took)
}

/// The template engine alone, on contexts built beforehand (not timed).
fn templates_alone(
    db: &Database,
    account: &AccountSettings,
    renderer: &Renderer,
    requests: &[SendRequest],
    as_of: NaiveDate,
) -> Duration {
    let company = company::load(db.conn()).expect("company");
    let contexts: Vec<(String, tera::Context)> = requests
        .iter()
        .map(|r| {
            let ctx = fields::build(
                db.conn(),
                &ContextInput {
                    customer_id: r.customer_id,
                    as_of,
                    company: &company,
                    sender_name: &account.sender_name,
                    sender_email: &account.from_address,
                },
            )
            .expect("context");
            (r.template_key.clone(), ctx.to_tera())
        })
        .collect();
    let started = Instant::now();
    for (key, ctx) in contexts {
        std::hint::black_box(renderer.render(&key, ctx).expect("render"));
    }
    started.elapsed()
}
