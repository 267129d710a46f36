//! `duebook campaigns activate ID`: the backlog the campaign would work through, then the
//! user's confirmation (asked on a terminal, or given with `--yes`); `deactivate ID`.

use crate::terminal::for_terminal;
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use duebook_core::campaign::activation::{self, Backlog};
use duebook_core::campaign::{self, CatchUp};
use rusqlite::Connection;
use std::io::{BufRead, IsTerminal, Write};

#[derive(Args)]
pub struct ActivateArgs {
    id: i64,
    /// Confirm without asking (what a script or a timer's setup does).
    #[arg(long)]
    yes: bool,
    /// Customers already past the first overdue step get a gentle first message instead of
    /// their step: `tidy-up` ("we are tidying up our accounts", the default) or `statement`.
    #[arg(long, value_enum, num_args = 0..=1, default_missing_value = "tidy-up")]
    catch_up: Option<CatchUpArg>,
    /// Count as if today were this date.
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<NaiveDate>,
}

#[derive(Clone, Copy, ValueEnum)]
enum CatchUpArg {
    TidyUp,
    Statement,
}

impl From<CatchUpArg> for CatchUp {
    fn from(arg: CatchUpArg) -> CatchUp {
        match arg {
            CatchUpArg::TidyUp => CatchUp::TidyUp,
            CatchUpArg::Statement => CatchUp::Statement,
        }
    }
}

pub fn activate(conn: &Connection, args: ActivateArgs, today: NaiveDate) -> Result<(), String> {
    let err = |e: campaign::CampaignError| e.to_string();
    let backlog = activation::backlog(conn, args.id, args.today.unwrap_or(today)).map_err(err)?;
    let catch_up = args.catch_up.map(CatchUp::from);
    print_backlog(&backlog, catch_up);
    if !args.yes && !confirmed_on_terminal()? {
        return Err(format!(
            "campaign {} was not switched on; nothing was sent",
            args.id
        ));
    }
    activation::activate(conn, args.id, catch_up).map_err(err)?;
    println!(
        "campaign {} is active: it sends from the next run{}",
        args.id,
        catch_up.map_or(String::new(), |c| format!(
            ", starting customers past the first overdue step with {}",
            c.describe()
        ))
    );
    Ok(())
}

pub fn deactivate(conn: &Connection, id: i64) -> Result<(), String> {
    campaign::set_active(conn, id, false).map_err(|e| e.to_string())?;
    println!("campaign {id} is switched off: it sends nothing until activated again");
    Ok(())
}

/// Asks on the terminal; without one, refuses (a script must say `--yes`).
fn confirmed_on_terminal() -> Result<bool, String> {
    if !std::io::stdin().is_terminal() {
        return Err(
            "not confirmed: no terminal to ask on; run again with --yes to switch it on".into(),
        );
    }
    print!("Switch it on? [y/N] ");
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

fn print_backlog(b: &Backlog, catch_up: Option<CatchUp>) {
    println!(
        "campaign {}: {} — {}",
        b.campaign_id,
        for_terminal(&b.name),
        b.date
    );
    if let Some(at) = &b.confirmed_at {
        println!("  confirmed before, on {}", for_terminal(at));
    }
    println!(
        "  {} customer(s) qualify today ({} by email, {} as call tasks); {} of them are 90+ days overdue",
        b.qualifying,
        b.emails,
        b.qualifying - b.emails,
        b.overdue_90
    );
    let owed: Vec<String> = b
        .totals
        .iter()
        .map(|t| format!("{} {}", t.amount, for_terminal(&t.currency)))
        .collect();
    if !owed.is_empty() {
        println!("  their open invoices: {}", owed.join(", "));
    }
    match b.daily_limit {
        Some(limit) => println!(
            "  at {limit} emails a day, reaching them all takes {} day(s) of sending",
            b.days_needed
        ),
        None => println!("  with no daily limit, they are all emailed in the first run"),
    }
    if !b.catch_up_possible {
        println!("  catch-up: not available (the campaign jumps to the invoice's age)");
    } else if let Some(c) = catch_up {
        println!(
            "  catch-up: {} customer(s) past the first overdue step start with {}",
            b.past_first_step,
            c.describe()
        );
    } else {
        println!(
            "  {} customer(s) are past the first overdue step; --catch-up starts them with a gentle message",
            b.past_first_step
        );
    }
}
