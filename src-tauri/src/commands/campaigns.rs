//! Campaigns in the window: the list with its active switch, new campaigns (from a shipped
//! preset, edited before saving) and edits of existing ones, the plan preview with any planned message fully rendered, and
//! runs started by hand (see [`crate::scheduler`]).
//!
//! Campaigns travel as the core's own serde shapes (`Campaign`, `NewCampaign`, `Plan`); ts-rs
//! generates their TypeScript in `ui/src/lib/bindings`.

use crate::commands::mail_send::{template_choices, TemplateChoice};
use crate::commands::parse_date;
use crate::error::{CommandError, CommandResult};
use crate::scheduler::{self, RunProgress, Scheduler};
use crate::state::AppState;
use duebook_core::campaign::activation::{self, Backlog};
use duebook_core::campaign::plan::charges::CustomerCharges;
use duebook_core::campaign::plan::{self, Plan};
use duebook_core::campaign::results::{self, CampaignResults};
use duebook_core::campaign::{self, Campaign, CampaignError, CatchUp, NewCampaign};
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::mail::compose::{self, ComposeError, EmailPreview, SendRequest};
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

pub(crate) fn campaign_error(error: CampaignError) -> CommandError {
    match error {
        CampaignError::Db(e) => e.into(),
        CampaignError::Backup(e) => e.into(),
        CampaignError::NotFound(_) => CommandError::NotFound(error.to_string()),
        other => CommandError::InvalidInput(other.to_string()),
    }
}

fn compose_error(error: ComposeError) -> CommandError {
    match error {
        ComposeError::Db(e) => e.into(),
        other => CommandError::InvalidInput(other.to_string()),
    }
}

/// A shipped campaign, by the short name `duebook campaigns preset` takes.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CampaignPreset {
    pub key: String,
    pub campaign: NewCampaign,
}

#[tauri::command]
pub async fn list_campaigns(state: State<'_, AppState>) -> CommandResult<Vec<Campaign>> {
    state.with_db(|db| campaign::list(db.conn()).map_err(campaign_error))
}

#[tauri::command]
pub async fn campaign_presets() -> CommandResult<Vec<CampaignPreset>> {
    Ok(campaign::PRESET_NAMES
        .iter()
        .filter_map(|key| {
            campaign::preset(key).map(|campaign| CampaignPreset {
                key: (*key).to_string(),
                campaign,
            })
        })
        .collect())
}

#[tauri::command]
pub async fn campaign_templates(state: State<'_, AppState>) -> CommandResult<Vec<TemplateChoice>> {
    state.with_db(|db| template_choices(db.conn()))
}

/// Saves a new campaign; returns its id. A campaign is checked whole: nothing is saved when a
/// step or the audience is refused. It sends nothing until its activation is confirmed.
#[tauri::command]
pub async fn create_campaign(
    state: State<'_, AppState>,
    campaign: NewCampaign,
) -> CommandResult<i64> {
    state.with_db(|db| campaign::create_pending(db.conn(), &campaign).map_err(campaign_error))
}

/// Saves an edited campaign, checked whole like a new one. Invoices keep the steps they
/// received, by position, so an edit never sends a step again (see `campaign::update`).
#[tauri::command]
pub async fn update_campaign(
    state: State<'_, AppState>,
    campaign_id: i64,
    campaign: NewCampaign,
) -> CommandResult<()> {
    state.with_db(|db| campaign::update(db.conn(), campaign_id, &campaign).map_err(campaign_error))
}

/// Switches a campaign off, or on again once its activation was confirmed (a campaign never
/// confirmed is switched on with [`activate_campaign`]).
#[tauri::command]
pub async fn set_campaign_active(
    state: State<'_, AppState>,
    campaign_id: i64,
    active: bool,
) -> CommandResult<()> {
    state.with_db(|db| campaign::set_active(db.conn(), campaign_id, active).map_err(campaign_error))
}

/// What switching the campaign on would work through today: the activate dialog's numbers.
#[tauri::command]
pub async fn campaign_backlog(app: AppHandle, campaign_id: i64) -> CommandResult<Backlog> {
    let today = SystemClock.today();
    tauri::async_runtime::spawn_blocking(move || {
        app.state::<AppState>().with_db(|db| {
            activation::backlog(db.conn(), campaign_id, today).map_err(campaign_error)
        })
    })
    .await?
}

/// Switches the campaign on, confirming its backlog, with the catch-up chosen (None: none).
#[tauri::command]
pub async fn activate_campaign(
    state: State<'_, AppState>,
    campaign_id: i64,
    catch_up: Option<CatchUp>,
) -> CommandResult<()> {
    state.with_db(|db| {
        activation::activate(db.conn(), campaign_id, catch_up).map_err(campaign_error)
    })
}

/// The day a plan is for: the given `YYYY-MM-DD`, or today.
fn plan_date(date: Option<String>) -> CommandResult<chrono::NaiveDate> {
    match date {
        Some(text) => Ok(parse_date("date", "The plan date", &text)?),
        None => Ok(SystemClock.today()),
    }
}

/// Who the campaign would contact on `date` (default today) and why the others are left out.
#[tauri::command]
pub async fn plan_campaign(
    app: AppHandle,
    campaign_id: i64,
    date: Option<String>,
) -> CommandResult<Plan> {
    let date = plan_date(date)?;
    tauri::async_runtime::spawn_blocking(move || {
        app.state::<AppState>()
            .with_db(|db| plan::plan(db.conn(), campaign_id, date).map_err(campaign_error))
    })
    .await?
}

/// What each customer the campaign reminds on `date` (default today) would be charged in late
/// fees and interest (empty when the campaign charges none).
#[tauri::command]
pub async fn campaign_fees_preview(
    app: AppHandle,
    campaign_id: i64,
    date: Option<String>,
) -> CommandResult<Vec<CustomerCharges>> {
    let date = plan_date(date)?;
    tauri::async_runtime::spawn_blocking(move || {
        app.state::<AppState>().with_db(|db| {
            plan::charges::preview(db.conn(), campaign_id, date).map_err(campaign_error)
        })
    })
    .await?
}

/// What the campaign's messages achieved so far, per step and A/B variant.
#[tauri::command]
pub async fn campaign_results(
    state: State<'_, AppState>,
    campaign_id: i64,
) -> CommandResult<CampaignResults> {
    let today = SystemClock.today();
    state.with_db(|db| results::results(db.conn(), campaign_id, today).map_err(campaign_error))
}

/// A planned message exactly as it would be sent.
#[tauri::command]
pub async fn preview_campaign_message(
    state: State<'_, AppState>,
    customer_id: i64,
    template_key: String,
) -> CommandResult<EmailPreview> {
    let request = SendRequest {
        customer_id,
        template_key,
        attachments: Vec::new(),
    };
    let today = SystemClock.today();
    state.with_db(|db| {
        compose::prepare(db.conn(), &request, today)
            .map(|prepared| prepared.preview)
            .map_err(compose_error)
    })
}

/// "Run now": queues what the active campaigns plan for today and sends it with progress
/// (`dry_run`: only counts).
#[tauri::command]
pub async fn start_campaign_run(app: AppHandle, dry_run: bool) -> CommandResult<RunProgress> {
    scheduler::start(&app, true, dry_run)
}

#[tauri::command]
pub async fn pause_campaign_run(scheduler: State<'_, Scheduler>) -> CommandResult<()> {
    scheduler.set_paused(true)
}

#[tauri::command]
pub async fn resume_campaign_run(scheduler: State<'_, Scheduler>) -> CommandResult<()> {
    scheduler.set_paused(false)
}

#[tauri::command]
pub async fn cancel_campaign_run(scheduler: State<'_, Scheduler>) -> CommandResult<()> {
    scheduler.request_cancel()
}

/// The run under way, or the last one since the app started.
#[tauri::command]
pub async fn campaign_run_status(
    scheduler: State<'_, Scheduler>,
) -> CommandResult<Option<RunProgress>> {
    Ok(scheduler.status())
}
