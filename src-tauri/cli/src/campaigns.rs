//! `duebook run-due` and `duebook campaigns ...`: run due campaign steps from cron / systemd
//! timers / Task Scheduler, and list, create (from presets), edit (as JSON) and preview campaigns.

mod activate;
mod print;
mod print_parts;

use crate::terminal::{self, for_terminal};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use duebook_core::campaign::run::fingerprint;
use duebook_core::campaign::summary::{self, Attention};
use duebook_core::campaign::{self, plan, results, run, thanks, NewCampaign, PRESET_NAMES};
use duebook_core::mail;
use duebook_core::store::{backup, customers, Database};
use print::{print_instalments, print_plan, print_results, print_run, print_stale, print_summary};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct RunDueArgs {
    /// Show what would be sent and why others are left out; write and send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Run as if today were this date (simulate a schedule day by day).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<NaiveDate>,
    /// Print only the closing summary, as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum CampaignsAction {
    /// Every campaign with its steps.
    List,
    /// Create a campaign from a shipped preset: friendly, statements, high-touch, year-end,
    /// tax-season or escalation-silence. It sends
    /// nothing until `campaigns activate` confirms the backlog it would work through.
    Preset { name: String },
    /// Show the backlog the campaign would work through (who qualifies today, how many are 90+
    /// days overdue, what they owe, how many days the daily limit takes), then switch it on
    /// once confirmed.
    Activate(activate::ActivateArgs),
    /// Switch a campaign off.
    Deactivate { id: i64 },
    /// Preview a campaign: who gets which message today, and why the others do not.
    Plan {
        id: i64,
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// One campaign as JSON: edit it and give it back to `campaigns update`.
    Show { id: i64 },
    /// Replace a campaign's name, audience, steps and rules with a JSON file (`-`: standard
    /// input) shaped like `campaigns show`'s output. Invoices keep the steps they received.
    /// `"escalation": "one_step"` (the default when left out) climbs the overdue steps one at a
    /// time; `"jump"` sends the step the invoice's age reached. `"window": {"start", "end"}`
    /// sends only on those days; `"event"` (`{"on_date": "2026-12-15"}`, `{"yearly": {"month":
    /// 12, "day": 15}}`, `{"fiscal_year_end": {"end_month": 6}}`) is what `{"event_offset": N}`
    /// steps count from; `"audience": {"no_reply_to_last": N}` keeps customers silent after N
    /// reminders; `"late_fees"` (`{"fee_minor": 4000, "interest": {"annual": {"basis_points":
    /// 800}} or "statutory", "grace_days": 7}`) charges late fees (see `duebook fees`).
    Update { id: i64, file: PathBuf },
    /// Show or set after how many days without an import plans warn that balances may be stale.
    StaleAfter { days: Option<i64> },
    /// Show or set how many days a customer's reply holds their reminders back (0: until
    /// resumed on the customer screen or with `campaigns resume`).
    ReplyPause { days: Option<i64> },
    /// Let reminders go on for a customer whose reply holds them back (you read and answered it).
    Resume { customer_id: i64 },
    /// Per step (and A/B variant): sent, failed, uncertain, then paid or promised within 14 days.
    Results {
        id: i64,
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// How a tick ended before its summary.
enum Ended {
    /// Every active campaign is on a quiet day: each one's line.
    Quiet(String),
    /// Nothing changed since the run at this time that left nothing to send.
    Unchanged(chrono::DateTime<chrono::Utc>),
    /// Planned (and, unless a dry run or nothing was planned, queued and delivered).
    Ran(run::RunReport),
}

/// `duebook run-due`: every tick, fast or not, ends with the summary of [`summary::summarize`];
/// the exit status is its [`Attention`]: 0 clear, 1 failed or the account cannot send (sign in
/// again, or fix the password), 3 uncertain.
pub fn run_due(db_path: &Path, args: RunDueArgs, today: NaiveDate) -> Result<ExitCode, String> {
    let today = args.today.unwrap_or(today);
    let mut db = Database::open(db_path).map_err(err)?;
    let (ended, recovered) = if args.dry_run {
        let report = run::enqueue_due(&db, today, true).map_err(err)?;
        (Ended::Ran(report), Vec::new())
    } else {
        // The day's backup must not stop the day's reminders: a failure is said, not fatal.
        if let Err(e) = backup::daily_if_due(&db, chrono::Utc::now()) {
            eprint!(
                "{}",
                terminal::lines(&format!("warning: the daily backup failed: {e}"))
            );
        }
        // The newest export first, so the reminders go out on it; a rejected file is said in
        // its report and the watched folder's `rejected/`, and does not stop the reminders.
        let say = |text: &str| eprint!("{text}");
        if let Err(e) = crate::watched::run(&mut db, crate::watched::SETTLE, today, say) {
            eprint!(
                "{}",
                terminal::lines(&format!("warning: the watched folder: {e}"))
            );
        }
        // Before the fast paths, so a crash's leftovers are reported even on a quiet day.
        let recovered = fingerprint::recover_crashed(db.conn()).map_err(err)?;
        (tick(&db, db_path, today)?, recovered)
    };
    let report = match &ended {
        Ended::Ran(report) => Some(report),
        _ => None,
    };
    let summary = summary::summarize(db.conn(), today, report, &recovered).map_err(err)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary).map_err(err)?);
    } else {
        print_ended(&db, today, &ended)?;
        print_summary(&summary);
    }
    Ok(match summary.attention {
        Attention::Clear => ExitCode::SUCCESS,
        Attention::Failed | Attention::Account => ExitCode::FAILURE,
        Attention::Uncertain => ExitCode::from(3),
    })
}

/// A real tick: a fast path when it can, else plans, queues and delivers.
fn tick(db: &Database, db_path: &Path, today: NaiveDate) -> Result<Ended, String> {
    if let Some(note) = quiet_everywhere(db, today)? {
        return Ok(Ended::Quiet(note));
    }
    if let Some(ended) = nothing_to_send(db, today)? {
        return Ok(ended);
    }
    // Build the mailer first: a missing password must not leave queued messages behind.
    let mailer = mail::account_mailer(db.conn()).map_err(err)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the network runtime: {e}"))?;
    let report = rt
        .block_on(run::run_due(db_path, &mailer, today, false))
        .map_err(err)?;
    rt.block_on(mailer.close());
    Ok(Ended::Ran(report))
}

fn print_ended(db: &Database, today: NaiveDate, ended: &Ended) -> Result<(), String> {
    match ended {
        Ended::Quiet(note) => {
            print_stale(plan::stale_warning(db.conn(), today).map_err(err)?.as_ref());
            println!("{note}");
        }
        Ended::Unchanged(at) => {
            print_stale(plan::stale_warning(db.conn(), today).map_err(err)?.as_ref());
            let at = at.with_timezone(&chrono::Local).format("%H:%M");
            println!("nothing changed since the run at {at}: nothing to send");
        }
        Ended::Ran(report) if report.dry_run => {
            if report.campaigns.is_empty() {
                print_stale(report.stale_data.as_ref());
            }
            print_instalments(report);
            for c in &report.campaigns {
                print_plan(&c.name, &c.plan);
            }
            println!("(dry run: nothing was stored or sent)");
        }
        Ended::Ran(report) => print_run(report),
    }
    Ok(())
}

/// What the usual cron tick found, read in one transaction with the fingerprint.
enum Tick {
    /// Nothing changed since the run at this time that left nothing to send.
    Unchanged(chrono::DateTime<chrono::Utc>),
    /// Planned: nothing to queue or deliver.
    NothingPlanned(run::RunReport),
}

/// The usual cron tick, without keychain or network when there is nothing to send: when
/// nothing the plan reads changed since the last run that left nothing to send, says so
/// without planning; otherwise plans, and when nothing is to be queued or delivered reports it
/// and remembers the inputs, so the next tick of the day need not plan. None when there is
/// something to send.
fn nothing_to_send(db: &Database, today: NaiveDate) -> Result<Option<Ended>, String> {
    let conn = db.conn();
    // The closure's connection is `db`'s, inside the read transaction.
    let (tick, inputs) = fingerprint::with_fingerprint(conn, today, |conn, inputs| {
        if !fingerprint::outbox_idle(conn)? {
            return Ok(None);
        }
        if let Some(at) = fingerprint::recorded_unchanged(conn, inputs)? {
            return Ok(Some(Tick::Unchanged(at)));
        }
        let preview = run::enqueue_due(db, today, true)?;
        Ok((!preview.plans_anything()).then_some(Tick::NothingPlanned(preview)))
    })
    .map_err(err)?;
    Ok(match tick {
        None => None,
        Some(Tick::Unchanged(at)) => Some(Ended::Unchanged(at)),
        Some(Tick::NothingPlanned(preview)) => {
            // Payments seen today are thanked by a later day's run: note them now, since
            // this tick does not run.
            thanks::notice(conn, today).map_err(err)?;
            fingerprint::record(conn, &inputs).map_err(err)?;
            Some(Ended::Ran(run::RunReport {
                dry_run: false,
                ..preview
            }))
        }
    })
}

/// When the outbox is idle and every active campaign is on a quiet day: why nothing is sent.
fn quiet_everywhere(db: &Database, today: NaiveDate) -> Result<Option<String>, String> {
    let conn = db.conn();
    if !fingerprint::outbox_idle(conn).map_err(err)? {
        return Ok(None);
    }
    let quiet = run::quiet_everywhere(conn, today).map_err(err)?;
    Ok(quiet.map(|campaigns| {
        campaigns
            .iter()
            .map(|(c, reason)| {
                format!(
                    "{}: quiet day ({}): nothing is sent",
                    for_terminal(&c.name),
                    for_terminal(reason)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }))
}

pub fn campaigns(
    db_path: &Path,
    action: CampaignsAction,
    today: NaiveDate,
) -> Result<ExitCode, String> {
    let db = Database::open(db_path).map_err(err)?;
    let conn = db.conn();
    match action {
        CampaignsAction::List => {
            for c in campaign::list(conn).map_err(err)? {
                println!(
                    "{:>4}  {}{}  (escalation: {}; gap {} days{})",
                    c.id,
                    for_terminal(&c.name),
                    match (c.active, c.confirmed_at.is_some()) {
                        (false, _) => " [inactive]",
                        (true, false) => " [not confirmed: duebook campaigns activate ID]",
                        (true, true) => "",
                    },
                    c.escalation.describe(),
                    c.min_gap_days,
                    c.daily_cap
                        .map(|n| format!(", at most {n} emails a day"))
                        .unwrap_or_default()
                );
                if let Some(w) = c.window {
                    println!("        sends only from {} to {}", w.start, w.end);
                }
                if let Some(e) = c.event {
                    println!("        event: {}", e.describe());
                }
                if let Some(fees) = c.late_fees.filter(campaign::LateFees::charges_anything) {
                    println!("        late fees: {}", campaign::fees::describe(&fees));
                }
                if c.owner_digest {
                    println!("        a weekly digest to each account owner");
                }
                for s in &c.steps {
                    let when = s.trigger.describe();
                    let owner = s
                        .notify_owner_days
                        .map(|n| format!(", owner told {n} day(s) before"))
                        .unwrap_or_default();
                    let offer = s
                        .offer
                        .as_ref()
                        .map(|o| {
                            let what = o.describe();
                            let what = for_terminal(&what);
                            format!(", offer {what} for {} day(s)", o.valid_days)
                        })
                        .unwrap_or_default();
                    println!(
                        "        {}. {when}: {} ({}){owner}{offer}",
                        s.position,
                        for_terminal(&s.template_key),
                        s.channel.as_str()
                    );
                }
            }
        }
        CampaignsAction::Preset { name } => {
            let preset = campaign::preset(&name).ok_or_else(|| {
                format!(
                    "no preset {name:?}; choose one of {}",
                    PRESET_NAMES.join(", ")
                )
            })?;
            let id = campaign::create_pending(conn, &preset).map_err(err)?;
            println!("created campaign {id}: {}", preset.name);
            println!(
                "it sends nothing until you review its backlog and confirm: duebook campaigns activate {id}"
            );
        }
        CampaignsAction::Activate(args) => activate::activate(conn, args, today)?,
        CampaignsAction::Deactivate { id } => activate::deactivate(conn, id)?,
        CampaignsAction::Plan {
            id,
            today: on,
            json,
        } => {
            let c = campaign::get(conn, id).map_err(err)?;
            let p = plan::plan_campaign(conn, &c, on.unwrap_or(today)).map_err(err)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&p).map_err(err)?);
            } else {
                print_plan(&c.name, &p);
            }
        }
        CampaignsAction::Show { id } => {
            let c = campaign::get(conn, id).map_err(err)?;
            println!("{}", serde_json::to_string_pretty(&c).map_err(err)?);
        }
        CampaignsAction::Update { id, file } => {
            let edited = read_campaign(&file)?;
            campaign::update(conn, id, &edited).map_err(err)?;
            println!(
                "updated campaign {id}: {}",
                for_terminal(edited.name.trim())
            );
        }
        CampaignsAction::StaleAfter { days } => {
            if let Some(days) = days {
                plan::set_stale_after_days(conn, days).map_err(err)?;
            }
            println!(
                "plans warn when the newest import is more than {} days old",
                plan::stale_after_days(conn).map_err(err)?
            );
        }
        CampaignsAction::ReplyPause { days } => {
            if let Some(days) = days {
                plan::set_reply_pause_days(conn, days).map_err(err)?;
            }
            match plan::reply_pause_days(conn).map_err(err)? {
                0 => println!("a reply holds reminders back until they are resumed"),
                days => println!("a reply holds reminders back for {days} days, or until resumed"),
            }
        }
        CampaignsAction::Resume { customer_id } => {
            customers::resume_reminders(conn, customer_id).map_err(err)?;
            println!("reminders go on for customer {customer_id}");
        }
        CampaignsAction::Results {
            id,
            today: on,
            json,
        } => {
            let r = results::results(conn, id, on.unwrap_or(today)).map_err(err)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r).map_err(err)?);
            } else {
                print_results(&r);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A campaign as JSON from `file`, or from standard input for `-`.
fn read_campaign(file: &Path) -> Result<NewCampaign, String> {
    let text = if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(file)
    }
    .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a campaign in JSON: {e}", file.display()))
}
