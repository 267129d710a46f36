//! The `campaigns results` lines of the playbook's other parts, each printed only when the
//! campaign uses the part (the results leave it out otherwise).

use crate::terminal::for_terminal;
use duebook_core::campaign::results::{CampaignResults, ChargeTotal, Delivery};

fn delivery(d: &Delivery) -> String {
    format!(
        "{} sent, {} failed, {} waiting",
        d.sent, d.failed, d.waiting
    )
}

/// "8 (166.96 EUR), 2 (10.00 USD)", or "none".
fn per_currency(totals: &[ChargeTotal]) -> String {
    if totals.is_empty() {
        return "none".to_string();
    }
    totals
        .iter()
        .map(|t| format!("{} ({} {})", t.count, t.total, for_terminal(&t.currency)))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn print_parts(r: &CampaignResults) {
    if let Some(o) = &r.owner_notices {
        println!(
            "  owner notices: {}; {} of {} came the promised days before the customer's step",
            delivery(&o.delivery),
            o.told_ahead,
            o.step_went
        );
    }
    if let Some(d) = &r.digests {
        println!("  owner digests: {}", delivery(d));
    }
    if let Some(p) = &r.plans {
        println!(
            "  payment plans: {} plan(s), {} instalment reminder(s) sent, {} instalment(s) paid on time after one, {} plan(s) broken",
            p.plans, p.reminders_sent, p.paid_on_time, p.broken
        );
    }
    if let Some(f) = &r.fees {
        println!(
            "  late fees: charged {}; waived {}",
            per_currency(&f.charged),
            per_currency(&f.waived)
        );
    }
    if let Some(c) = &r.credit {
        println!(
            "  credit limit: notices {}; {} customer(s) on hold",
            delivery(&c.notices),
            c.on_hold
        );
    }
}
