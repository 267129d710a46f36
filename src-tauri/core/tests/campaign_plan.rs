//! Planning rules: escalation, grouping, gap, stops, quiet days, cap, no email → call.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::campaign::plan::{plan, ExclusionReason, Plan};
use duebook_core::campaign::{self, Channel, Escalation, NewCampaign};
use duebook_core::store::payments::{self, ManualPayment};
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{customer, d, invoice, promise_to_pay, temp_db};
use duebook_core::{store::disputes, store::notes};
use rusqlite::params;

fn friendly(db: &Database) -> i64 {
    campaign::create(db.conn(), &campaign::preset("friendly").unwrap()).unwrap()
}

/// A preset set to jump to the step each invoice's age reached (one step at a time is
/// `campaign_escalation.rs`'s subject).
fn jumping(db: &Database, preset: &str) -> i64 {
    let new = NewCampaign {
        escalation: Escalation::Jump,
        ..campaign::preset(preset).unwrap()
    };
    campaign::create(db.conn(), &new).unwrap()
}

fn reason(plan: &Plan, customer: i64) -> Option<ExclusionReason> {
    plan.excluded
        .iter()
        .find(|e| e.customer_id == customer)
        .map(|e| e.reason)
}

fn step_of(plan: &Plan, customer: i64) -> Option<(i64, Channel)> {
    plan.contacts
        .iter()
        .find(|c| c.customer_id == customer)
        .map(|c| (c.step_position, c.channel))
}

/// Pretends the campaign reached `invoice` at `position` on `on`.
fn mark(db: &Database, campaign: i64, customer: i64, invoice: i64, position: i64, on: &str) {
    db.conn()
        .execute(
            "INSERT INTO invoice_reminders (invoice_id, campaign_id, step_position, customer_id,
                 template_key, channel, sent_on) VALUES (?1, ?2, ?3, ?4, 'x', 'email', ?5)",
            params![invoice, campaign, position, customer, on],
        )
        .unwrap();
}

// 2026-04-15 is a Wednesday.
const TODAY: &str = "2026-04-15";

#[test]
fn one_message_per_customer_at_the_most_advanced_step_listing_all_open_invoices() {
    let (_dir, db) = temp_db();
    let id = jumping(&db, "friendly");
    // due in 2 days (pre-due reached), 10 days ago (overdue-1), 35 days ago (overdue-2)
    let (a, a_inv) = customer(
        &db,
        "Alpha",
        Some("a@alpha.example"),
        &["2026-04-17", "2026-04-05", "2026-03-11"],
    );
    let (b, _) = customer(&db, "Bravo", Some("b@bravo.example"), &["2026-04-17"]);
    let (c, _) = customer(&db, "Charlie", Some("c@c.example"), &["2026-05-30"]);
    let plan = plan(db.conn(), id, d(TODAY)).unwrap();
    assert_eq!(plan.contacts.len(), 2, "{plan:#?}");
    let alpha = &plan.contacts[0];
    assert_eq!(alpha.customer_id, a, "most advanced first");
    assert_eq!(alpha.step_position, 3);
    assert_eq!(alpha.template_key, "overdue-2");
    assert_eq!(alpha.open_invoice_ids.len(), 3);
    let mut steps: Vec<_> = alpha
        .invoices
        .iter()
        .map(|i| (i.invoice_id, i.step_position))
        .collect();
    steps.sort();
    let mut want = vec![(a_inv[0], 1), (a_inv[1], 2), (a_inv[2], 3)];
    want.sort();
    assert_eq!(steps, want, "each invoice advances to its own step");
    assert_eq!(
        alpha.send_key,
        format!("campaign:{id}:step:3:customer:{a}:2026-04-15")
    );
    assert!(alpha.why.contains("overdue-2"), "{}", alpha.why);
    assert_eq!(step_of(&plan, b), Some((1, Channel::Email)));
    assert_eq!(step_of(&plan, c), None, "nothing due yet");
    assert_eq!(reason(&plan, c), None);
    let counts: Vec<_> = plan.counts.iter().map(|c| (c.position, c.emails)).collect();
    assert_eq!(counts, [(1, 1), (2, 0), (3, 1), (4, 0), (5, 0)]);
}

#[test]
fn steps_are_never_repeated_and_catch_up_skips_to_the_reached_step() {
    let (_dir, db) = temp_db();
    let id = jumping(&db, "friendly");
    let (a, inv) = customer(&db, "Alpha", Some("a@alpha.example"), &["2026-03-01"]);
    // 45 days overdue, never reminded: only overdue-2 (step 3), not steps 1 and 2 as well.
    let p = plan(db.conn(), id, d(TODAY)).unwrap();
    assert_eq!(step_of(&p, a), Some((3, Channel::Email)));
    mark(&db, id, a, inv[0], 3, "2026-03-20");
    let p = plan(db.conn(), id, d(TODAY)).unwrap();
    assert!(p.contacts.is_empty() && p.excluded.is_empty(), "{p:#?}");
}

#[test]
fn a_manual_send_of_the_same_template_counts_as_the_step() {
    let (_dir, db) = temp_db();
    let id = friendly(&db);
    let (a, inv) = customer(&db, "Alpha", Some("a@alpha.example"), &["2026-04-05"]);
    let conn = db.conn();
    conn.execute(
        "INSERT INTO messages (customer_id, direction, send_key, template_key, subject, state, created_at)
         VALUES (?1, 'out', 'manual:1', 'overdue-1', 's', 'sent', '2026-03-01T09:00:00Z')",
        [a],
    )
    .unwrap();
    let msg = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO message_invoices (message_id, invoice_id) VALUES (?1, ?2)",
        params![msg, inv[0]],
    )
    .unwrap();
    let p = plan(conn, id, d(TODAY)).unwrap();
    assert_eq!(step_of(&p, a), None, "{p:#?}");
}

#[test]
fn the_minimum_gap_holds_the_next_step_back() {
    let (_dir, db) = temp_db();
    let id = friendly(&db);
    let (a, inv) = customer(&db, "Alpha", Some("a@alpha.example"), &["2026-04-05"]);
    mark(&db, id, a, inv[0], 1, "2026-04-02");
    // Its only invoice was reminded within the gap: counted as between steps, not listed.
    let p = plan(db.conn(), id, d(TODAY)).unwrap();
    assert_eq!(reason(&p, a), None);
    assert_eq!(step_of(&p, a), None);
    assert_eq!(p.between_steps, 1);
    // A new invoice reaching a step brings the customer back to the rules: held by the gap.
    invoice(&db, a, "NEW-1", "2026-04-05");
    let p = plan(db.conn(), id, d(TODAY)).unwrap();
    assert_eq!(reason(&p, a), Some(ExclusionReason::ContactedWithinGap));
    assert_eq!(p.counts[1].excluded, 1);
    assert_eq!(p.between_steps, 0, "listed, so not counted");
    let p = plan(db.conn(), id, d("2026-04-17")).unwrap();
    assert_eq!(step_of(&p, a), Some((2, Channel::Email)), "15 days later");
    assert_eq!(p.between_steps, 0);
}

#[test]
fn disputes_promises_replies_stop_notes_and_do_not_contact_stop_reminders() {
    let (_dir, db) = temp_db();
    let id = friendly(&db);
    let conn = db.conn();
    let (disputed, inv) = customer(&db, "Disputed", Some("x@d.example"), &["2026-04-05"]);
    disputes::open(conn, inv[0], "wrong price").unwrap();
    let (partly, pinv) = customer(
        &db,
        "Partly",
        Some("x@p.example"),
        &["2026-04-05", "2026-03-11"],
    );
    disputes::open(conn, pinv[1], "not delivered").unwrap();
    let (promised, prinv) = customer(&db, "Promised", Some("x@pr.example"), &["2026-04-05"]);
    promise_to_pay(&db, promised, prinv[0], "2026-04-20", "2026-04-10");
    let (dnc, _) = customer(&db, "Do Not", Some("x@dnc.example"), &["2026-04-05"]);
    conn.execute(
        "UPDATE customers SET do_not_contact = 1 WHERE id = ?1",
        [dnc],
    )
    .unwrap();
    let (stop, _) = customer(&db, "Stopper", Some("x@s.example"), &["2026-04-05"]);
    notes::add(conn, stop, "STOP: talking to their lawyer").unwrap();
    let (replied, _) = customer(&db, "Replier", Some("x@r.example"), &["2026-04-05"]);
    conn.execute(
        "INSERT INTO messages (customer_id, direction, subject, state, created_at)
         VALUES (?1, 'in', 'Re: invoice', 'received', '2026-04-10T08:00:00Z')",
        [replied],
    )
    .unwrap();

    let p = plan(conn, id, d(TODAY)).unwrap();
    assert_eq!(reason(&p, disputed), Some(ExclusionReason::Disputed));
    assert_eq!(reason(&p, promised), Some(ExclusionReason::PromisePending));
    assert_eq!(reason(&p, dnc), Some(ExclusionReason::DoNotContact));
    assert_eq!(reason(&p, stop), Some(ExclusionReason::StopNote));
    assert_eq!(reason(&p, replied), Some(ExclusionReason::Replied));
    // Only the undisputed invoice drives Partly's message.
    let partly_msg = p.contacts.iter().find(|c| c.customer_id == partly).unwrap();
    assert_eq!(partly_msg.step_position, 2);
    assert_eq!(partly_msg.invoices.len(), 1);
    assert_eq!(partly_msg.invoices[0].invoice_id, pinv[0]);
    assert_eq!(p.contacts.len(), 1);

    // The promise breaks (date passed unpaid): reminders resume.
    let p = plan(conn, id, d("2026-04-21")).unwrap();
    assert_eq!(step_of(&p, promised), Some((2, Channel::Email)));
}

#[test]
fn customers_without_email_get_a_call_task_and_call_steps_are_calls() {
    let (_dir, db) = temp_db();
    let id = friendly(&db);
    let (phone_only, _) = customer(&db, "Phone Only", None, &["2026-04-05"]);
    let p = plan(db.conn(), id, d(TODAY)).unwrap();
    let c = &p.contacts[0];
    assert_eq!(
        (c.customer_id, c.channel, c.no_email),
        (phone_only, Channel::Call, true)
    );
    assert_eq!(p.counts[1].calls, 1);

    let high = jumping(&db, "high-touch");
    let (big, _) = customer(&db, "Big", Some("big@b.example"), &["2026-04-03"]);
    db.conn()
        .execute(
            "UPDATE customer_balances SET open_minor = 900000 WHERE customer_id = ?1",
            [big],
        )
        .unwrap();
    let p = plan(db.conn(), high, d(TODAY)).unwrap();
    assert_eq!(step_of(&p, big), Some((3, Channel::Call)), "{p:#?}");
    assert_eq!(
        step_of(&p, phone_only),
        None,
        "below the high-touch balance"
    );
}

#[test]
fn quiet_days_and_the_daily_cap() {
    let (_dir, db) = temp_db();
    let preset = campaign::preset("friendly").unwrap();
    let id = campaign::create(
        db.conn(),
        &NewCampaign {
            daily_cap: Some(2),
            holidays: vec![d("2026-04-16")],
            ..preset
        },
    )
    .unwrap();
    let ids: Vec<i64> = ["2026-04-05", "2026-03-01", "2026-04-06", "2026-04-07"]
        .iter()
        .enumerate()
        .map(|(n, due)| {
            customer(
                &db,
                &format!("C{n}"),
                Some(&format!("c{n}@x.example")),
                &[due],
            )
            .0
        })
        .collect();
    let p = plan(db.conn(), id, d(TODAY)).unwrap();
    let planned: Vec<i64> = p.contacts.iter().map(|c| c.customer_id).collect();
    assert_eq!(planned, [ids[1], ids[0]], "most advanced, then oldest debt");
    let capped: Vec<_> = p
        .excluded
        .iter()
        .filter(|e| e.reason == ExclusionReason::OverDailyCap)
        .map(|e| e.customer_id)
        .collect();
    assert_eq!(capped, [ids[2], ids[3]]);

    for quiet in ["2026-04-16", "2026-04-18", "2026-04-19"] {
        let p = plan(db.conn(), id, d(quiet)).unwrap();
        assert!(p.quiet_day.is_some() && p.contacts.is_empty(), "{quiet}");
        assert_eq!(reason(&p, ids[0]), Some(ExclusionReason::QuietDay));
    }
}

#[test]
fn audience_rules_select_customers() {
    let (_dir, db) = temp_db();
    let (a, _) = customer(&db, "Alpha", Some("a@a.example"), &["2026-04-05"]);
    let (b, _) = customer(&db, "Bravo", Some("b@b.example"), &["2026-01-05"]);
    db.conn()
        .execute("UPDATE customers SET segment = 'Retail' WHERE id = ?1", [b])
        .unwrap();
    db.conn()
        .execute(
            "INSERT INTO customer_tags (customer_id, tag) VALUES (?1, 'vip')",
            [a],
        )
        .unwrap();
    let mut preset = campaign::preset("friendly").unwrap();
    preset.audience.segment = Some("Retail".into());
    let retail = campaign::create(db.conn(), &preset).unwrap();
    let mut preset = campaign::preset("friendly").unwrap();
    preset.audience.tags = vec!["vip".into()];
    preset.audience.max_days_overdue = Some(30);
    let vip = campaign::create(db.conn(), &preset).unwrap();
    let mut preset = campaign::preset("friendly").unwrap();
    preset.audience.currency = Some("USD".into());
    let usd = campaign::create(db.conn(), &preset).unwrap();
    let who = |id| -> Vec<i64> {
        plan(db.conn(), id, d(TODAY))
            .unwrap()
            .contacts
            .iter()
            .map(|c| c.customer_id)
            .collect()
    };
    assert_eq!(who(retail), [b]);
    assert_eq!(who(vip), [a]);
    assert!(who(usd).is_empty());
}

#[test]
fn monthly_statements_go_once_per_month() {
    let (_dir, db) = temp_db();
    let id = campaign::create(db.conn(), &campaign::preset("statements").unwrap()).unwrap();
    let (a, inv) = customer(&db, "Alpha", Some("a@a.example"), &["2026-05-20"]);
    let p = plan(db.conn(), id, d("2026-04-01")).unwrap();
    let c = &p.contacts[0];
    assert_eq!(
        (c.customer_id, c.template_key.as_str()),
        (a, "statement-cover")
    );
    assert_eq!(c.invoices[0].period, "2026-04");
    db.conn()
        .execute(
            "INSERT INTO invoice_reminders (invoice_id, campaign_id, step_position, period, customer_id,
                 template_key, channel, sent_on) VALUES (?1, ?2, 1, '2026-04', ?3, 'statement-cover', 'email', '2026-04-01')",
            params![inv[0], id, a],
        )
        .unwrap();
    assert!(plan(db.conn(), id, d(TODAY)).unwrap().contacts.is_empty());
    assert_eq!(
        plan(db.conn(), id, d("2026-05-01")).unwrap().contacts.len(),
        1
    );
}

#[test]
fn a_customer_whose_reminded_invoices_were_all_paid_is_listed_as_paid() {
    let (_dir, db) = temp_db();
    let id = friendly(&db);
    let (a, a_inv) = customer(&db, "Alpha", Some("a@alpha.example"), &["2026-04-05"]);
    let (b, b_inv) = customer(
        &db,
        "Bravo",
        Some("b@bravo.example"),
        &["2026-04-05", "2026-04-30"],
    );
    mark(&db, id, a, a_inv[0], 2, "2026-04-06");
    mark(&db, id, b, b_inv[0], 2, "2026-04-06");
    for invoice in [a_inv[0], b_inv[0]] {
        let payment = ManualPayment {
            invoice_id: invoice,
            amount: "100.00".into(),
            paid_on: d("2026-04-10"),
            reference: None,
        };
        payments::record_manual(db.conn(), &payment, d("2026-04-10")).unwrap();
    }
    let p = plan(db.conn(), id, d(TODAY)).unwrap();
    assert_eq!(reason(&p, a), Some(ExclusionReason::Paid), "{p:#?}");
    assert_eq!(reason(&p, b), None, "Bravo still owes an invoice: {p:#?}");
    // 90 days after the reminder the payment is old news.
    let p = plan(db.conn(), id, d("2026-07-06")).unwrap();
    assert_eq!(reason(&p, a), None, "{p:#?}");
}

#[test]
fn invoices_with_any_id_and_due_dates_stored_with_a_time_are_planned_once() {
    let (_dir, db) = temp_db();
    let id = friendly(&db);
    let (a, inv) = customer(&db, "Alpha", Some("a@alpha.example"), &["2026-04-05"]);
    let (b, b_inv) = customer(&db, "Bravo", Some("b@bravo.example"), &["2026-04-05"]);
    let conn = db.conn();
    // A hand-edited file: an id far beyond the others, and a due date with a time of day.
    let far = 1_i64 << 40;
    conn.execute(
        "UPDATE invoices SET id = ?1 WHERE id = ?2",
        params![far, inv[0]],
    )
    .unwrap();
    conn.execute(
        "UPDATE invoices SET due_date = due_date || 'T00:00:00' WHERE id = ?1",
        [b_inv[0]],
    )
    .unwrap();
    let p = plan(conn, id, d(TODAY)).unwrap();
    assert_eq!(step_of(&p, a), Some((2, Channel::Email)), "{p:#?}");
    assert_eq!(step_of(&p, b), Some((2, Channel::Email)), "{p:#?}");
    mark(&db, id, a, far, 2, TODAY);
    mark(&db, id, b, b_inv[0], 2, TODAY);
    let p = plan(conn, id, d("2026-04-16")).unwrap();
    assert!(p.contacts.is_empty() && p.excluded.is_empty(), "{p:#?}");
}

#[test]
fn a_note_stops_reminders_only_when_it_starts_with_the_word_stop() {
    let (_dir, db) = temp_db();
    let id = friendly(&db);
    let cases = [
        ("stop", true),
        ("  Stop please, they are paying by instalments", true),
        ("STOP: talking to their lawyer", true),
        ("stopped paying last year", false),
        ("Unstoppable: keep going", false),
    ];
    let customers: Vec<(i64, bool)> = cases
        .iter()
        .enumerate()
        .map(|(n, (note, stops))| {
            let email = format!("ap{n}@notes.example");
            let (c, _) = customer(&db, &format!("Noted {n}"), Some(&email), &["2026-04-05"]);
            notes::add(db.conn(), c, note).unwrap();
            (c, *stops)
        })
        .collect();
    let p = plan(db.conn(), id, d(TODAY)).unwrap();
    for (c, stops) in customers {
        let stopped = reason(&p, c) == Some(ExclusionReason::StopNote);
        assert_eq!(stopped, stops, "customer {c}: {p:#?}");
        assert_eq!(step_of(&p, c).is_some(), !stops);
    }
}
