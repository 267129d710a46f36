//! Duebook's window: a thin Tauri shell over `duebook_core`.

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod delivery;
mod dialogs;
mod error;
mod inbox;
mod links;
mod scheduler;
mod state;
mod test_hooks;
mod watch;
mod watched_folder;
mod webkit_env;
mod window_state;

use duebook_core::model::link::link_argument;
use state::{AppState, Session, StartClock};
use std::ffi::OsString;
use std::path::PathBuf;
use tauri::Manager;

fn main() {
    let started = StartClock::now();
    // Without a log file the window still works; it says so on stderr.
    if let Err(e) = duebook_core::logs::init("duebook-app") {
        eprintln!("duebook-app: no log file: {e}");
    }
    tracing::info!(
        "duebook-app {} ({}) starting",
        duebook_core::VERSION,
        commands::about::COMMIT
    );
    webkit_env::prepare();
    let (user_db, session) = open_user_database();
    let result = window(AppState::new(user_db, session, started))
        .invoke_handler(command_handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("duebook-app: cannot open the window: {e}");
        std::process::exit(1);
    }
}

/// The database the window opens (`--db`, else the user's), and the session on it. Exits on a
/// bad command line; a file that fails to open still gives a window, which shows why.
fn open_user_database() -> (PathBuf, Session) {
    let cli_db = match db_argument(std::env::args_os().skip(1)) {
        Ok(path) => path,
        Err(message) => {
            eprintln!(
                "duebook-app: {message}\nusage: duebook-app [--db PATH] [duebook://customer/ID]"
            );
            std::process::exit(2);
        }
    };
    let user_db = match duebook_core::paths::resolve_db_path(cli_db.as_deref()) {
        Ok(path) => path,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("duebook-app: {e}");
            std::process::exit(1);
        }
    };
    let session = Session::open(&user_db);
    if let Err(e) = &session.db {
        // The window still opens and shows this, with a way to pick another file.
        tracing::error!("cannot open the database: {e}");
        eprintln!("duebook-app: {e}");
    }
    (user_db, session)
}

/// The app's plugins, shared state, preview scheme and background work, before its commands.
fn window(state: AppState) -> tauri::Builder<tauri::Wry> {
    tauri::Builder::default()
        // First plugin, so a second launch focuses this window instead of opening the same
        // database twice.
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
            links::hand_over(app, &args);
        }))
        .plugin(tauri_plugin_notification::init())
        .plugin(window_state::plugin())
        .manage(state)
        .manage(links::StartLink::from_args(&lossy_args()))
        .manage(scheduler::Scheduler::default())
        .manage(delivery::Delivery::default())
        .manage(inbox::Inbox::default())
        .manage(commands::mail_send::PickedFiles::default())
        .manage(commands::mail_preview::HtmlPreviews::default())
        .register_uri_scheme_protocol(commands::mail_preview::SCHEME, |ctx, request| {
            let previews = ctx
                .app_handle()
                .state::<commands::mail_preview::HtmlPreviews>();
            previews.serve(&request)
        })
        .manage(commands::statements::BulkJobs::default())
        .setup(|app| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.set_title(&commands::about::window_title());
                window_state::save_after_changes(&window);
            }
            watch::spawn(app.handle().clone());
            scheduler::spawn(app.handle().clone());
            inbox::spawn(app.handle().clone());
            watched_folder::spawn(app.handle().clone());
            delivery::resume(app.handle());
            commands::backups::after_open(app.handle());
            Ok(())
        })
}

/// Every command the window may call.
fn command_handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        commands::campaigns::list_campaigns,
        commands::campaigns::campaign_presets,
        commands::campaigns::campaign_templates,
        commands::campaigns::create_campaign,
        commands::campaigns::update_campaign,
        commands::campaigns::set_campaign_active,
        commands::campaigns::campaign_backlog,
        commands::campaigns::activate_campaign,
        commands::campaigns::plan_campaign,
        commands::campaigns::campaign_fees_preview,
        commands::campaigns::campaign_results,
        commands::replies::reply_hold,
        commands::replies::resume_reminders,
        commands::replies::reply_pause_days,
        commands::replies::set_reply_pause_days,
        commands::campaigns::preview_campaign_message,
        commands::campaigns::start_campaign_run,
        commands::campaigns::pause_campaign_run,
        commands::campaigns::resume_campaign_run,
        commands::campaigns::cancel_campaign_run,
        commands::campaigns::campaign_run_status,
        commands::call_list::call_list,
        commands::call_list::suggest_follow_up,
        commands::call_list::log_call_outcome,
        commands::call_list::export_call_list,
        commands::database::database_status,
        commands::database::take_database_notices,
        links::take_start_link,
        links::customer_link_id,
        commands::database::open_demo,
        commands::database::create_database,
        commands::database::open_database,
        commands::customers::list_customers,
        commands::customers::customer_detail,
        commands::customers::edit_customer,
        commands::customers::hold_for_owner,
        commands::customers::release_owner_hold,
        commands::customers::preview_list_owner,
        commands::customers::assign_list_owner,
        commands::customers::list_facets,
        commands::contacts::add_contact,
        commands::contacts::update_contact,
        commands::contacts::delete_contact,
        commands::notes::add_note,
        commands::notes::edit_note,
        commands::notes::set_note_pinned,
        commands::notes::delete_note,
        commands::tasks::add_task,
        commands::tasks::complete_task,
        commands::invoices::record_payment,
        commands::invoices::add_promise,
        commands::plans::create_payment_plan,
        commands::plans::payment_plan_schedule,
        commands::plans::cancel_payment_plan,
        commands::invoices::open_dispute,
        commands::invoices::resolve_dispute,
        commands::invoices::customer_charges,
        commands::invoices::waive_charge,
        commands::fees::statutory_rate,
        commands::fees::save_statutory_rate,
        commands::timeline::customer_timeline,
        commands::export::export_customers,
        commands::export::export_invoices,
        commands::settings::get_theme,
        commands::settings::set_theme,
        commands::settings::get_list_view,
        commands::settings::set_list_view,
        commands::diagnostics::mark_list_painted,
        commands::import::choose_import_file,
        commands::import::preview_import,
        commands::import::run_import,
        commands::import_mapping::inspect_import,
        commands::import_mapping::preview_mapped_import,
        commands::import_mapping::run_mapped_import,
        commands::import_profiles::list_import_profiles,
        commands::import_profiles::rename_import_profile,
        commands::import_profiles::delete_import_profile,
        commands::import_profiles::export_import_profile,
        commands::import_profiles::import_import_profile,
        commands::mail::email_settings,
        commands::mail::save_email_account,
        commands::backup_settings::backup_settings,
        commands::backup_settings::choose_backup_folder,
        commands::backup_settings::use_default_backup_folder,
        commands::backup_settings::save_backup_retention,
        commands::backups::backup_now,
        commands::watched_folder::watched_folder,
        commands::watched_folder::choose_watched_folder,
        commands::watched_folder::set_watched_full,
        commands::watched_folder::stop_watching,
        commands::backups::list_backups,
        commands::backups::restore_backup,
        inbox::check_replies,
        inbox::inbox_status,
        commands::mail::remove_email_account,
        commands::mail_sign_in::sign_in_email_account,
        commands::mail_sign_in::sign_out_email_account,
        commands::mail::test_email_account,
        commands::mail_imap::test_imap_account,
        commands::company::company_profile,
        commands::company::save_company_profile,
        commands::company::choose_company_logo,
        commands::templates::email_templates,
        commands::templates::template_options,
        commands::templates::save_email_template,
        commands::templates::reset_email_template,
        commands::templates::preview_email_template,
        commands::mail_send::compose_options,
        commands::mail_send::choose_attachment,
        commands::mail_send::link_invoice_file,
        commands::mail_send::preview_email,
        commands::mail_preview::load_remote_images,
        commands::mail_send::send_email,
        commands::mail_send::resend_message,
        commands::mail_send::mark_message_sent,
        commands::mail_send::outbox_attention,
        commands::mail_send::resume_delivery,
        commands::conversation::customer_conversation,
        commands::conversation::read_message,
        commands::conversation::open_message_attachment,
        commands::conversation::e2e_receive_message,
        commands::statements::statement_preview,
        commands::statements::save_statement,
        commands::statements::email_statement,
        commands::statements::plan_statements,
        commands::statements::save_all_statements,
        commands::statements::send_all_statements,
        commands::statements::cancel_statements,
        commands::reports::report_kpis,
        commands::reports::report_trends,
        commands::reports::export_report_table,
        commands::about::about,
        commands::about::open_log_folder,
        commands::about::diagnostics,
        commands::settings::get_last_place,
        commands::settings::set_last_place,
        commands::first_run::first_run_checklist,
        commands::report_views::report_customer_aging,
        commands::report_views::report_aging_invoices,
        commands::report_views::report_forecast,
        commands::report_views::report_collected,
        commands::report_views::report_follow_up,
        commands::report_views::save_report_pdf,
    ]
}

/// The command line as text (what is not UTF-8 replaced, never a panic).
fn lossy_args() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// `--db PATH` or `--db=PATH`. Other arguments are ignored with a warning (launchers add their own,
/// e.g. macOS `-psn_…`).
fn db_argument(args: impl IntoIterator<Item = OsString>) -> Result<Option<PathBuf>, String> {
    let mut args = args.into_iter();
    let mut db = None;
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if text == "--db" {
            let path = args.next().ok_or("--db needs a path")?;
            db = Some(PathBuf::from(path));
        } else if let Some(path) = text.strip_prefix("--db=") {
            db = Some(PathBuf::from(path));
        } else if link_argument([&*text]).is_some() {
            // A duebook:// link: the window opens it (see `links`).
        } else {
            eprintln!("duebook-app: ignoring unknown argument {text:?}");
        }
    }
    Ok(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn reads_the_db_argument_in_both_spellings() {
        assert_eq!(db_argument(args(&[])).unwrap(), None);
        assert_eq!(
            db_argument(args(&["--db", "/tmp/a.sqlite"])).unwrap(),
            Some(PathBuf::from("/tmp/a.sqlite"))
        );
        assert_eq!(
            db_argument(args(&["--db=/tmp/b.sqlite"])).unwrap(),
            Some(PathBuf::from("/tmp/b.sqlite"))
        );
        assert!(db_argument(args(&["--db"])).is_err());
        assert_eq!(db_argument(args(&["--frobnicate"])).unwrap(), None);
        let with_link = ["--db", "/tmp/a.sqlite", "duebook://customer/3"];
        assert_eq!(
            db_argument(args(&with_link)).unwrap(),
            Some(PathBuf::from("/tmp/a.sqlite"))
        );
    }

    #[test]
    fn the_packages_register_the_link_scheme() {
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let schemes = &config["plugins"]["deep-link"]["desktop"]["schemes"];
        assert_eq!(
            schemes,
            &serde_json::json!([duebook_core::model::link::LINK_SCHEME])
        );
    }

    #[test]
    fn the_tauri_identifier_is_the_cores() {
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        assert_eq!(config["identifier"], duebook_core::APP_IDENTIFIER);
        assert_eq!(config["app"]["windows"][0]["title"], "Duebook");
    }
}
