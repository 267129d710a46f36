//! What `duebook run-due` and `duebook campaigns` print: plans, runs and results, every name,
//! template key and reason from the database through [`for_terminal`].

use crate::terminal::for_terminal;
use duebook_core::campaign::plan::Plan;
use duebook_core::campaign::results::{CampaignResults, Outcomes};
use duebook_core::campaign::{run, Channel};
use duebook_core::mail::outbox::MessageState;
use std::process::ExitCode;

pub fn print_stale(warning: Option<&String>) {
    if let Some(w) = warning {
        println!("warning: {}", for_terminal(w));
    }
}

pub fn print_plan(name: &str, plan: &Plan) {
    println!("{} — {}", for_terminal(name), plan.date);
    print_stale(plan.stale_data.as_ref());
    if let Some(q) = &plan.quiet_day {
        println!("  quiet day: {}; nothing is sent", for_terminal(q));
    }
    for c in &plan.contacts {
        let what = match c.channel {
            Channel::Email => "email",
            Channel::Call => "call task",
        };
        println!(
            "  {what:<9} {} (#{}): {} — {}; {}",
            for_terminal(&c.customer_name),
            c.customer_id,
            for_terminal(&c.template_key),
            for_terminal(&c.stage),
            for_terminal(&c.why)
        );
    }
    for e in &plan.excluded {
        println!(
            "  excluded  {} (#{}): {} — {}",
            for_terminal(&e.customer_name),
            e.customer_id,
            e.reason.as_str(),
            for_terminal(&e.detail)
        );
    }
    for s in &plan.counts {
        println!(
            "  step {} {:<16} {} email(s), {} call(s), {} excluded",
            s.position,
            for_terminal(&s.template_key),
            s.emails,
            s.calls,
            s.excluded
        );
    }
}

/// Prints what a run did. Exit status: 0 done, 1 a message failed or could not be prepared,
/// 3 a message is uncertain.
pub fn print_run(report: &run::RunReport) -> ExitCode {
    print_stale(report.stale_data.as_ref());
    let mut code = ExitCode::SUCCESS;
    for c in &report.campaigns {
        println!(
            "{}: {} email(s) queued, {} call task(s), {} excluded{}",
            for_terminal(&c.name),
            c.messages.len(),
            c.tasks.len(),
            c.plan.excluded.len(),
            c.plan
                .quiet_day
                .as_ref()
                .map(|q| format!(" (quiet day: {})", for_terminal(q)))
                .unwrap_or_default()
        );
        for (customer, reason) in &c.failed {
            eprintln!(
                "  customer {customer}: not prepared: {}",
                for_terminal(reason)
            );
            code = ExitCode::FAILURE;
        }
    }
    if !report.resumed.is_empty() {
        println!(
            "{} message(s) left queued by an interrupted run were sent now",
            report.resumed.len()
        );
    }
    if let Some(note) = &report.deferred {
        println!("{}", for_terminal(note));
    }
    if let Some(d) = &report.delivery {
        println!(
            "delivery: {} sent, {} failed, {} uncertain",
            d.sent.len(),
            d.failed.len(),
            d.uncertain.len()
        );
        if !d.failed.is_empty() {
            code = ExitCode::FAILURE;
        } else if !d.uncertain.is_empty() {
            code = ExitCode::from(3);
        }
        for id in &d.recovered {
            eprintln!(
                "message {id} was being sent when Duebook stopped: now {} (see `duebook outbox list`)",
                MessageState::Uncertain.as_str()
            );
        }
    }
    code
}

fn outcome_line(o: &Outcomes, window: i64) -> String {
    let rate = o
        .paid_rate
        .map_or("-".to_string(), |r| format!("{:.0}%", r * 100.0));
    let open = if o.window_open > 0 {
        format!(" ({} still inside the window)", o.window_open)
    } else {
        String::new()
    };
    format!(
        "{} sent, {} failed, {} uncertain, {} queued; within {window} days: {} paid ({rate}), {} promised, {} paid or promised{open}",
        o.sent, o.failed, o.uncertain, o.queued, o.paid, o.promised, o.paid_or_promised
    )
}

pub fn print_results(r: &CampaignResults) {
    println!("{} — results as of {}", for_terminal(&r.name), r.as_of);
    for s in &r.steps {
        println!(
            "  step {} {:<16} {}",
            s.position,
            for_terminal(&s.template_key),
            outcome_line(&s.outcomes, r.window_days)
        );
        for v in &s.variants {
            println!(
                "    variant {} {:<14} {}",
                v.variant.as_str().to_uppercase(),
                for_terminal(&v.template_key),
                outcome_line(&v.outcomes, r.window_days)
            );
        }
    }
}
