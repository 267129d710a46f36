//! `duebook send ...` and `duebook outbox ...`: send reminders on a machine without a window
//! (the account is set up with `duebook account`, see `account.rs`).

use crate::account::print_warnings;
use crate::terminal::{self, for_terminal};
use clap::{Args, Subcommand};
use duebook_core::mail;
use duebook_core::mail::attention;
use duebook_core::mail::compose::{self, SendRequest};
use duebook_core::mail::outbox::{self, MessageState, OutboxMessage, RetryPolicy};
use duebook_core::mail::transport::AccountMailer;
use duebook_core::store::Database;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct SendArgs {
    #[arg(long, value_name = "ID")]
    customer: i64,
    /// Template key, e.g. overdue-1 (see `duebook templates`).
    #[arg(long, value_name = "KEY")]
    template: String,
    /// Attach a file (repeatable).
    #[arg(long, value_name = "FILE")]
    attach: Vec<PathBuf>,
    /// Show the exact message without storing or sending anything.
    #[arg(long)]
    dry_run: bool,
    /// A unique key for this send: running the same command twice sends once.
    #[arg(long, value_name = "KEY")]
    key: Option<String>,
}

#[derive(Subcommand)]
pub enum OutboxAction {
    /// List messages (default: those that need a decision or are waiting).
    List {
        /// queued, sending, sent, failed or uncertain.
        #[arg(long)]
        state: Option<String>,
        #[arg(long, value_name = "ID")]
        customer: Option<i64>,
    },
    /// Send every queued message that is due.
    Send,
    /// Queue a failed or uncertain message again (same Message-ID), then send it.
    Resend { id: i64 },
    /// Record that an uncertain message did arrive.
    MarkSent { id: i64 },
    /// Take a queued message out of the queue, or give up on a failed one.
    Cancel { id: i64 },
}

pub(crate) fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the network runtime: {e}"))
}

pub(crate) fn mailer(db: &Database) -> Result<AccountMailer, String> {
    mail::account_mailer(db.conn()).map_err(err)
}

pub fn send(db_path: &Path, args: SendArgs, today: chrono::NaiveDate) -> Result<ExitCode, String> {
    let mut db = Database::open(db_path).map_err(err)?;
    let request = SendRequest {
        customer_id: args.customer,
        template_key: args.template,
        attachments: args.attach,
    };
    let prepared = compose::prepare(db.conn(), &request, today).map_err(err)?;
    let p = &prepared.preview;
    if args.dry_run {
        println!("From:     {}", for_terminal(&p.from));
        if let Some(r) = &p.reply_to {
            println!("Reply-To: {}", for_terminal(r));
        }
        println!("To:       {}", for_terminal(&p.to.join(", ")));
        println!("Subject:  {}", for_terminal(&p.subject));
        for a in &p.attachments {
            println!(
                "Attach:   {} ({}, {} bytes)",
                for_terminal(&a.file_name),
                for_terminal(&a.content_type),
                a.size_bytes
            );
        }
        print_warnings(&p.warnings);
        println!();
        print!("{}", terminal::lines(&p.text));
        println!("(dry run: nothing was stored or sent)");
        return Ok(ExitCode::SUCCESS);
    }
    // Build the mailer first: a missing password must not leave a queued message behind.
    let m = mailer(&db)?;
    for w in &p.warnings {
        eprintln!("warning: {}", for_terminal(w));
    }
    let recovered = outbox::recover_interrupted(db.conn()).map_err(err)?;
    report_recovered(&recovered);
    let id = outbox::enqueue_prepared(db.conn(), &prepared, args.key).map_err(err)?;
    deliver(&mut db, &m, Some(&[id]))
}

fn report_recovered(ids: &[i64]) {
    for id in ids {
        eprintln!("message {id} was being sent when Duebook stopped: now uncertain (see `duebook outbox list`)");
    }
}

fn deliver(db: &mut Database, m: &AccountMailer, only: Option<&[i64]>) -> Result<ExitCode, String> {
    let rt = runtime()?;
    let report = rt
        .block_on(outbox::deliver(
            db.conn_mut(),
            m,
            only,
            &RetryPolicy::default(),
        ))
        .map_err(err)?;
    rt.block_on(m.close());
    report_recovered(&report.recovered);
    let mut code = ExitCode::SUCCESS;
    if report.login_refused.is_some() {
        print_attention(db.conn())?;
        code = ExitCode::FAILURE;
    }
    if let Some(at) = &report.next_retry_at {
        println!(
            "{} message(s) stay queued for another attempt (the first at {at})",
            report.waiting
        );
    }
    let ids: Vec<i64> = report
        .sent
        .iter()
        .chain(&report.failed)
        .chain(&report.uncertain)
        .copied()
        .collect();
    for id in ids {
        let msg = outbox::get(db.conn(), id).map_err(err)?;
        print_message(&msg);
        match msg.state {
            MessageState::Failed => code = ExitCode::FAILURE,
            MessageState::Uncertain => code = ExitCode::from(3),
            _ => {}
        }
    }
    Ok(code)
}

/// The account's "needs attention" state (a refused login), if any, with the fix.
pub(crate) fn print_attention(conn: &rusqlite::Connection) -> Result<(), String> {
    if let Some(a) = attention::account_attention(conn).map_err(err)? {
        println!(
            "Account:   NEEDS ATTENTION since {}: {}\n           {}",
            a.since,
            for_terminal(&a.problem),
            for_terminal(&a.fix)
        );
    }
    Ok(())
}

fn print_message(m: &OutboxMessage) {
    let detail = match m.state {
        MessageState::Sent => m.server_reply.clone().unwrap_or_default(),
        _ => m.failure_reason.clone().unwrap_or_default(),
    };
    println!(
        "{:<9} message {} to {}: {}{}",
        m.state.as_str(),
        m.id,
        for_terminal(&m.to_addrs.join(", ")),
        for_terminal(&m.subject),
        if detail.is_empty() {
            String::new()
        } else {
            format!("\n          {}", for_terminal(&detail))
        }
    );
}

pub fn outbox(db_path: &Path, action: OutboxAction) -> Result<ExitCode, String> {
    let mut db = Database::open(db_path).map_err(err)?;
    match action {
        OutboxAction::List { state, customer } => {
            let recovered = outbox::recover_interrupted(db.conn()).map_err(err)?;
            report_recovered(&recovered);
            let messages = match (state, customer) {
                (_, Some(c)) => outbox::list_for_customer(db.conn(), c).map_err(err)?,
                (Some(s), None) => {
                    let state = MessageState::parse(&s).ok_or_else(|| {
                        format!("{s:?} is not a state (queued, sending, sent, failed, uncertain)")
                    })?;
                    outbox::list_by_state(db.conn(), state).map_err(err)?
                }
                (None, None) => {
                    let mut all = Vec::new();
                    for s in [
                        MessageState::Uncertain,
                        MessageState::Failed,
                        MessageState::Queued,
                        MessageState::Sending,
                    ] {
                        all.extend(outbox::list_by_state(db.conn(), s).map_err(err)?);
                    }
                    all
                }
            };
            print_attention(db.conn())?;
            if messages.is_empty() {
                println!("no messages");
            }
            for m in &messages {
                print_message(m);
            }
            Ok(ExitCode::SUCCESS)
        }
        OutboxAction::Send => {
            let m = mailer(&db)?;
            deliver(&mut db, &m, None)
        }
        OutboxAction::Resend { id } => {
            outbox::resend(db.conn(), id).map_err(err)?;
            let m = mailer(&db)?;
            deliver(&mut db, &m, Some(&[id]))
        }
        OutboxAction::MarkSent { id } => {
            print_message(&outbox::mark_sent(db.conn(), id).map_err(err)?);
            Ok(ExitCode::SUCCESS)
        }
        OutboxAction::Cancel { id } => {
            print_message(&outbox::cancel(db.conn(), id).map_err(err)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
