//! What `duebook run-due` and `duebook campaigns` print: plans, runs and results, every name,
//! template key and reason from the database through [`for_terminal`].

use crate::terminal::for_terminal;
use duebook_core::campaign::plan::Plan;
use duebook_core::campaign::results::{CampaignResults, Outcomes};
use duebook_core::campaign::summary::RunSummary;
use duebook_core::campaign::thanks::THANKS_STEP;
use duebook_core::campaign::{run, Channel};
use duebook_core::mail::outbox::MessageState;

pub fn print_stale(warning: Option<&String>) {
    if let Some(w) = warning {
        println!("warning: {}", for_terminal(w));
    }
}

pub fn print_plan(name: &str, plan: &Plan) {
    println!("{} — {}", for_terminal(name), plan.date);
    print_stale(plan.stale_data.as_ref());
    if let Some(note) = &plan.unconfirmed {
        println!("  {}", for_terminal(note));
    }
    if let Some(q) = &plan.quiet_day {
        println!("  quiet day: {}; nothing is sent", for_terminal(q));
    }
    if let Some(p) = &plan.sending_paused {
        println!("  {}; emails stay queued until then", for_terminal(p));
    }
    for c in &plan.contacts {
        let what = match c.channel {
            Channel::Email => "email",
            Channel::Call => "call task",
        };
        let rest = format!(
            "{} — {}; {}",
            for_terminal(&c.template_key),
            for_terminal(&c.stage),
            for_terminal(&c.why)
        );
        customer_line(what, &c.customer_name, c.customer_id, &rest);
    }
    for e in &plan.excluded {
        let rest = format!("{} — {}", e.reason.as_str(), for_terminal(&e.detail));
        customer_line("excluded", &e.customer_name, e.customer_id, &rest);
    }
    for t in &plan.thanks {
        customer_line(
            "thank-you",
            &t.customer_name,
            t.customer_id,
            &for_terminal(&t.why),
        );
    }
    for c in &plan.credit {
        let what = match (c.notice, c.hold) {
            (true, true) => "notice and hold",
            (true, false) => "notice",
            (false, true) => "hold",
            (false, false) => "noted",
        };
        let rest = format!("{what} — {}", for_terminal(&c.why));
        customer_line("credit", &c.customer_name, c.customer_id, &rest);
    }
    for n in &plan.owner_notices {
        let what = match n.owner_email {
            Some(_) => "owner told",
            None => "owner not told",
        };
        customer_line(what, &n.customer_name, n.customer_id, &for_terminal(&n.why));
    }
    for d in &plan.digests {
        let what = match d.owner_email {
            Some(_) => "digest",
            None => "no digest",
        };
        let customers = d.customers.len();
        println!(
            "  {what:<9} {}: {customers} customer(s); {}",
            for_terminal(&d.owner),
            for_terminal(&d.why)
        );
    }
    for t in &plan.thanks_skipped {
        let rest = format!("{} — {}", t.reason.as_str(), for_terminal(&t.detail));
        customer_line("no thanks", &t.customer_name, t.customer_id, &rest);
    }
    if plan.between_steps > 0 {
        println!(
            "  between steps: {} customer(s) reminded within the gap; their next step waits for it",
            plan.between_steps
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

/// Prints what a run planned and queued; what became of it is [`print_summary`]'s.
pub fn print_run(report: &run::RunReport) {
    print_stale(report.stale_data.as_ref());
    print_instalments(report);
    for c in &report.campaigns {
        println!(
            "{}: {} email(s) queued{}, {} call task(s), {} excluded{}",
            for_terminal(&c.name),
            c.messages.len(),
            match c.thank_yous.len() {
                0 => String::new(),
                n => format!(" ({n} of them thank-yous)"),
            },
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
        }
    }
    if !report.resumed.is_empty() {
        println!(
            "{} message(s) left queued by an interrupted run were handed over now",
            report.resumed.len()
        );
    }
    if let Some(note) = &report.deferred {
        println!("{}", for_terminal(note));
    }
}

/// Payment plan instalments reminded today (or, on a dry run, to be), and the ones skipped.
pub fn print_instalments(report: &run::RunReport) {
    for i in &report.instalments {
        let what = format!(
            "{}: payment plan {}, instalment {} ({} due {})",
            for_terminal(&i.customer_name),
            i.plan_id,
            i.seq,
            i.amount,
            i.due_date
        );
        match (&i.skipped, report.dry_run) {
            (Some(why), _) => println!("{what}: no reminder ({})", for_terminal(why)),
            (None, true) => println!("{what}: reminder would be queued"),
            (None, false) => println!("{what}: reminder queued"),
        }
    }
    for (customer, reason) in &report.instalment_failed {
        eprintln!(
            "  customer {customer}: instalment reminder not prepared: {}",
            for_terminal(reason)
        );
    }
}

/// Reason lines printed per list; the rest are counted (all are in `--json`).
const REASON_LINES: usize = 10;

/// The end of every `run-due`: sent, failed and why, deferred, and what waits for a decision.
pub fn print_summary(s: &RunSummary) {
    println!("summary{}:", if s.dry_run { " (dry run)" } else { "" });
    if s.sent.is_empty() {
        println!("  sent: nothing");
    }
    for sent in &s.sent {
        let campaign = sent.campaign.as_deref().map_or_else(
            || format!("deleted campaign {}", sent.campaign_id),
            |name| for_terminal(name).into_owned(),
        );
        match sent.step {
            THANKS_STEP => println!("  sent {}: {campaign}, thank-you", sent.count),
            step => println!("  sent {}: {campaign}, step {step}", sent.count),
        }
    }
    reason_lines(
        "  ",
        s.failed
            .iter()
            .map(|f| ("failed in this run", f.count, &f.reason)),
    );
    if let Some(d) = &s.deferred {
        let when = d
            .next_attempt_at
            .map_or("due for the next run".to_string(), |t| {
                let local = t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M");
                format!("next attempt at {local}")
            });
        println!("  deferred: {} queued, {when}", d.queued);
    }
    if let Some(p) = &s.paused {
        println!("  {}", for_terminal(p));
    }
    for line in &s.daily_limit {
        println!("  {}", for_terminal(line));
    }
    if s.recovered > 0 {
        println!(
            "  {} message(s) were being sent when Duebook stopped: now uncertain",
            s.recovered
        );
    }
    for c in &s.not_confirmed {
        println!(
            "  campaign {} {}: {}",
            c.campaign_id,
            for_terminal(&c.name),
            for_terminal(&c.note)
        );
    }
    if let Some(account) = &s.account {
        println!("  sending stopped: {}", for_terminal(&account.problem));
        println!("    what to do: {}", for_terminal(&account.fix));
    }
    if s.waiting.is_empty() {
        if s.account.is_none() {
            println!("  nothing needs you: no campaign message failed or is uncertain");
        }
        return;
    }
    println!(
        "  waiting for your decision (see `duebook outbox list`): {} failed, {} uncertain",
        s.waiting_in(MessageState::Failed),
        s.waiting_in(MessageState::Uncertain)
    );
    reason_lines(
        "    ",
        s.waiting
            .iter()
            .map(|w| (w.state.as_str(), w.count, &w.reason)),
    );
}

/// One line per (label, count, reason), the reason through [`for_terminal`] (a server's reply
/// may hold line breaks or escapes), at most [`REASON_LINES`] of them.
fn reason_lines<'a>(
    indent: &str,
    lines: impl ExactSizeIterator<Item = (&'a str, i64, &'a String)>,
) {
    let total = lines.len();
    for (label, count, reason) in lines.take(REASON_LINES) {
        println!("{indent}{label} {count}: {}", for_terminal(reason));
    }
    if total > REASON_LINES {
        println!(
            "{indent}… and {} more reason(s) (see `duebook outbox list` or `run-due --json`)",
            total - REASON_LINES
        );
    }
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
        "{} sent, {} failed, {} uncertain, {} queued; within {window} days: {} paid ({rate}), {} promised, {} paid or promised{open}; {} replied, {} bounced",
        o.sent, o.failed, o.uncertain, o.queued, o.paid, o.promised, o.paid_or_promised, o.replied, o.bounced
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
        for o in &s.occurrences {
            println!(
                "    event of {}  {}",
                o.occurrence,
                outcome_line(&o.outcomes, r.window_days)
            );
        }
    }
    let t = &r.thank_yous;
    println!(
        "  thank-yous: {} sent, {} failed, {} waiting; {} invoice(s) thanked for",
        t.sent, t.failed, t.waiting, t.invoices
    );
    println!(
        "  early-payment offers: {} made, {} taken",
        r.offers.made, r.offers.taken
    );
    super::print_parts::print_parts(r);
}

/// `  LABEL     Name (#ID): REST`: one customer's line of the plan, the label padded so the
/// names line up. `rest` is already safe for the terminal.
fn customer_line(label: &str, name: &str, id: i64, rest: &str) {
    println!("  {label:<9} {} (#{id}): {rest}", for_terminal(name));
}
