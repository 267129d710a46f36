//! The rules for one customer: which of their open invoices moves to which step, whether
//! something stops the customer or one invoice, the gap, and the message they get.

use super::super::calendar::Reach;
use super::super::catch_up;
use super::super::escalation::{self, Ladder, Level};
use super::super::facts::silence::Verdict;
use super::super::facts::{CustomerRow, Facts, OpenInvoice};
use super::super::in_flight::InFlight;
use super::super::send_key;
use super::super::{Campaign, Channel, Escalation};
use super::audience::in_audience;
use super::room::Urgency;
use super::{Excluded, ExclusionReason, PlannedContact, PlannedInvoice};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

/// What the rules decide for one customer.
pub(super) enum Decision {
    Contact(PlannedContact),
    Exclude(Excluded),
    /// Nothing due, or not in the audience: the plan does not mention them.
    Nothing,
}

/// What every customer's rules read: the campaign, the date and the facts loaded for the plan.
pub(super) struct Rules<'a> {
    pub campaign: &'a Campaign,
    pub today: NaiveDate,
    pub reach: &'a Reach,
    pub ladder: &'a Ladder,
    pub facts: &'a Facts,
    pub in_flight: &'a HashMap<i64, InFlight>,
}

/// Where one customer's open invoices stand.
struct Standing<'f> {
    /// Invoices at a step they have not received and nothing stops.
    due: Vec<PlannedInvoice>,
    /// The most advanced step any unstopped open invoice reached (held back to the cap).
    top_reached: Option<i64>,
    /// The same before holding back: the step the invoice's age reached.
    aged_top: Option<i64>,
    /// The oldest unstopped invoice: number and days overdue.
    oldest: Option<(&'f str, i64)>,
    /// Why an invoice with a step due is stopped (the first such invoice).
    stopped: Option<(ExclusionReason, String)>,
}

impl Rules<'_> {
    pub fn decide(&self, customer_id: i64, c: &CustomerRow) -> Decision {
        let facts = self.facts;
        let exclude = |reason, step, detail| {
            Decision::Exclude(Excluded {
                customer_id,
                customer_name: c.name.clone(),
                reason,
                step_position: step,
                detail,
            })
        };
        let open = facts
            .invoices
            .get(&customer_id)
            .map_or(&[][..], Vec::as_slice);
        if open.is_empty() {
            return match facts.paid_since_reminder.contains(&customer_id) {
                true => exclude(
                    ExclusionReason::Paid,
                    None,
                    "every reminded invoice is paid".into(),
                ),
                false => Decision::Nothing,
            };
        }
        if !self.in_audience(customer_id, c) {
            return Decision::Nothing;
        }
        let silent = match facts.silence.of(customer_id) {
            Verdict::Pass(note) => note,
            Verdict::Out => return Decision::Nothing,
            Verdict::Unknown(detail) => {
                return exclude(ExclusionReason::RepliesNotRead, None, detail);
            }
        };
        let level = (self.campaign.escalation == Escalation::OneStep)
            .then(|| escalation::level(self.campaign, open, facts))
            .flatten();
        let standing = self.standing(customer_id, open, level.as_ref());
        // Its last message has not gone out: that step is not done, and nothing follows it yet.
        if let Some(flight) = self.in_flight.get(&customer_id) {
            let detail = flight.detail.clone();
            return exclude(ExclusionReason::Retrying, standing.top_reached, detail);
        }
        // The message's tone: the most advanced step any (unstopped) open invoice has reached,
        // received or not; sent only when some invoice has a step not received yet.
        let top = (!standing.due.is_empty())
            .then_some(standing.top_reached)
            .flatten();
        if let Some((reason, detail)) = self.customer_stop(customer_id, c, top, &standing) {
            return exclude(reason, top, detail);
        }
        let Some(top) = top else {
            return match standing.stopped {
                Some((reason, detail)) => exclude(reason, None, detail),
                None => Decision::Nothing,
            };
        };
        if let Some(detail) = self.within_gap(customer_id, top, level.as_ref()) {
            return exclude(ExclusionReason::ContactedWithinGap, Some(top), detail);
        }
        match self.contact(customer_id, c, open, top, level.as_ref(), standing) {
            Some(mut contact) => {
                if let Some(note) = silent {
                    contact.why.push_str(&format!("; {note}"));
                }
                Decision::Contact(contact)
            }
            None => Decision::Nothing,
        }
    }

    fn in_audience(&self, customer_id: i64, c: &CustomerRow) -> bool {
        let empty = HashSet::new();
        let facts = self.facts;
        let tags = facts.tags.get(&customer_id).unwrap_or(&empty);
        let balances = facts
            .balances
            .get(&customer_id)
            .map_or(&[][..], Vec::as_slice);
        let late_payer = facts.late_payers.contains(&customer_id);
        in_audience(
            &self.campaign.audience,
            c,
            tags,
            balances,
            late_payer,
            self.today,
        )
    }

    /// Each invoice's most advanced reached step (held back to the cap); the ones not received
    /// yet are due unless the invoice is disputed or promised.
    fn standing<'f>(
        &self,
        customer_id: i64,
        open: &'f [OpenInvoice],
        level: Option<&Level>,
    ) -> Standing<'f> {
        let (facts, cap) = (self.facts, self.ladder.cap(level));
        let mut s = Standing {
            due: Vec::new(),
            top_reached: None,
            aged_top: None,
            oldest: None,
            stopped: None,
        };
        for inv in open {
            let Some((aged, period)) = self.reach.target(inv.due) else {
                continue;
            };
            let position = self.ladder.held(aged, cap);
            let Some(step) = self.campaign.step(position) else {
                continue;
            };
            let received = facts.received.has(inv.id, position, period)
                || facts.received.customer_has(customer_id, position)
                || (period.is_empty() && facts.manual.on(inv.id, &step.template_key).is_some());
            let disputed = facts.disputed_invoices.contains(&inv.id);
            let promised = facts.promised_invoices.contains(&inv.id);
            let planned = facts.planned_invoices.get(&inv.id);
            if let Some(detail) = planned {
                // Its instalments are what is due, not the invoice: it takes no step while the
                // plan is kept, and ages on as usual once it is broken.
                s.stopped
                    .get_or_insert((ExclusionReason::OnPaymentPlan, detail.clone()));
                continue;
            }
            if !disputed && !promised {
                s.top_reached = s.top_reached.max(Some(position));
                s.aged_top = s.aged_top.max(Some(aged));
                s.oldest
                    .get_or_insert((&inv.number, (self.today - inv.due).num_days()));
            }
            if received {
                continue;
            }
            if disputed || promised {
                s.stopped.get_or_insert(match disputed {
                    true => (
                        ExclusionReason::Disputed,
                        format!("invoice {} is disputed", inv.number),
                    ),
                    false => (
                        ExclusionReason::PromisePending,
                        format!("a payment is promised for invoice {}", inv.number),
                    ),
                });
                continue;
            }
            s.due.push(PlannedInvoice {
                invoice_id: inv.id,
                number: inv.number.clone(),
                step_position: position,
                period: period.to_string(),
            });
        }
        s
    }

    /// What stops the whole customer, when something is due or stopped on one invoice.
    fn customer_stop(
        &self,
        customer_id: i64,
        c: &CustomerRow,
        top: Option<i64>,
        standing: &Standing,
    ) -> Option<(ExclusionReason, String)> {
        if top.is_none() && standing.stopped.is_none() {
            return None; // nothing due: nothing to stop
        }
        let facts = self.facts;
        let stop = |reason, detail: &str| Some((reason, detail.to_string()));
        if c.do_not_contact {
            stop(ExclusionReason::DoNotContact, "marked do not contact")
        } else if let Some(reason) = facts.owner_holds.get(&customer_id) {
            let detail = format!("held by the owner: {reason}");
            Some((ExclusionReason::HeldByOwner, detail))
        } else if facts.stop_notes.contains(&customer_id) {
            stop(ExclusionReason::StopNote, "a note says stop")
        } else if let Some(reply) = facts.replied.get(&customer_id) {
            Some((ExclusionReason::Replied, reply.detail()))
        } else if let Some(away) = facts.away.get(&customer_id) {
            let detail = format!(
                "away until {} (automatic reply on {}); the next step waits until then",
                away.back_on, away.said_on
            );
            Some((ExclusionReason::Away, detail))
        } else if facts.disputed_customers.contains(&customer_id) {
            stop(ExclusionReason::Disputed, "the account is disputed")
        } else if facts.promised_customers.contains(&customer_id) {
            stop(ExclusionReason::PromisePending, "a payment is promised")
        } else {
            None
        }
    }

    /// Why the customer waits for the gap, if they do. A step up the ladder waits at least a
    /// day, whatever the gap.
    fn within_gap(&self, customer_id: i64, top: i64, level: Option<&Level>) -> Option<String> {
        let climbing = self.ladder.climbs(top) && level.is_none_or(|l| top > l.position);
        let gap = match climbing {
            true => self.campaign.min_gap_days.max(1),
            false => self.campaign.min_gap_days,
        };
        let last = self.facts.last_contact.get(&customer_id)?;
        let days = (self.today - *last).num_days();
        (days < gap)
            .then(|| format!("last contacted {last} ({days} days ago; the gap is {gap} days)"))
    }

    /// The message for a customer with `top` due: template (catch-up, A/B variant), channel
    /// (a call without a usable email), stage, why and urgency.
    fn contact(
        &self,
        customer_id: i64,
        c: &CustomerRow,
        open: &[OpenInvoice],
        top: i64,
        level: Option<&Level>,
        standing: Standing,
    ) -> Option<PlannedContact> {
        let (campaign, facts) = (self.campaign, self.facts);
        let step = campaign.step(top)?;
        let aged = standing.aged_top.unwrap_or(top);
        let catch_up = catch_up::catch_up_template(campaign, self.ladder, level, top, aged);
        let (variant, template) = match catch_up {
            Some(template) => (None, template),
            None => step.variant_for(campaign.id, customer_id),
        };
        let no_email = step.channel == Channel::Email && !facts.has_email.contains(&customer_id);
        let moving = standing
            .due
            .iter()
            .map(|i| match i.period.len() {
                // An event step's period is the event's day.
                10 => format!(
                    "{} to step {} (event of {})",
                    i.number, i.step_position, i.period
                ),
                _ => format!("{} to step {}", i.number, i.step_position),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut why = format!(
            "{moving}; tone of step {top} ({template}), the most advanced reached; lists {} open invoice(s)",
            open.len()
        );
        if let Some(v) = variant {
            why.push_str(&format!("; A/B variant {}", v.as_str().to_uppercase()));
        }
        if no_email {
            match facts.bounced.get(&customer_id) {
                Some(bounced) => why.push_str(&format!(
                    "; no usable email address ({bounced}), so a call task instead"
                )),
                None => why.push_str("; no usable email address, so a call task instead"),
            }
        }
        let balances = facts
            .balances
            .get(&customer_id)
            .map_or(&[][..], Vec::as_slice);
        let broken_promise = facts.broken_promises.contains(&customer_id);
        Some(PlannedContact {
            customer_id,
            customer_name: c.name.clone(),
            step_position: top,
            template_key: template.to_string(),
            variant,
            channel: if no_email {
                Channel::Call
            } else {
                step.channel
            },
            no_email,
            invoices: standing.due,
            open_invoice_ids: open.iter().map(|i| i.id).collect(),
            send_key: send_key(campaign.id, top, customer_id, self.today),
            stage: match catch_up {
                Some(_) => catch_up::catch_up_stage(campaign, top, standing.oldest),
                None => escalation::stage(campaign, self.ladder, level, top, aged, standing.oldest),
            },
            why,
            urgency: Urgency::of(balances, c.oldest_open_due, broken_promise, self.today),
            offer: None,
        })
    }
}
