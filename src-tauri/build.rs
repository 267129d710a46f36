//! Declares the app's commands so the capability in `capabilities/default.json` can grant exactly
//! these (a command missing here cannot be called from the window).

const COMMANDS: &[&str] = &[
    "list_campaigns",
    "campaign_presets",
    "campaign_templates",
    "create_campaign",
    "update_campaign",
    "set_campaign_active",
    "campaign_backlog",
    "activate_campaign",
    "plan_campaign",
    "campaign_fees_preview",
    "campaign_results",
    "reply_hold",
    "check_replies",
    "inbox_status",
    "resume_reminders",
    "hold_for_owner",
    "release_owner_hold",
    "preview_list_owner",
    "assign_list_owner",
    "reply_pause_days",
    "set_reply_pause_days",
    "preview_campaign_message",
    "start_campaign_run",
    "pause_campaign_run",
    "resume_campaign_run",
    "cancel_campaign_run",
    "campaign_run_status",
    "call_list",
    "suggest_follow_up",
    "log_call_outcome",
    "export_call_list",
    "database_status",
    "take_database_notices",
    "take_start_link",
    "customer_link_id",
    "open_demo",
    "create_database",
    "open_database",
    "list_customers",
    "customer_detail",
    "edit_customer",
    "list_facets",
    "add_contact",
    "update_contact",
    "delete_contact",
    "add_note",
    "edit_note",
    "set_note_pinned",
    "delete_note",
    "add_task",
    "complete_task",
    "record_payment",
    "add_promise",
    "create_payment_plan",
    "payment_plan_schedule",
    "cancel_payment_plan",
    "open_dispute",
    "resolve_dispute",
    "customer_charges",
    "waive_charge",
    "statutory_rate",
    "save_statutory_rate",
    "customer_timeline",
    "export_customers",
    "export_invoices",
    "get_theme",
    "set_theme",
    "get_list_view",
    "set_list_view",
    "mark_list_painted",
    "choose_import_file",
    "preview_import",
    "run_import",
    "inspect_import",
    "preview_mapped_import",
    "run_mapped_import",
    "list_import_profiles",
    "rename_import_profile",
    "delete_import_profile",
    "export_import_profile",
    "import_import_profile",
    "email_settings",
    "save_email_account",
    "remove_email_account",
    "sign_in_email_account",
    "sign_out_email_account",
    "test_email_account",
    "test_imap_account",
    "company_profile",
    "save_company_profile",
    "choose_company_logo",
    "email_templates",
    "template_options",
    "save_email_template",
    "reset_email_template",
    "preview_email_template",
    "compose_options",
    "choose_attachment",
    "link_invoice_file",
    "preview_email",
    "load_remote_images",
    "send_email",
    "resend_message",
    "mark_message_sent",
    "outbox_attention",
    "resume_delivery",
    "customer_conversation",
    "read_message",
    "open_message_attachment",
    "e2e_receive_message",
    "statement_preview",
    "save_statement",
    "email_statement",
    "plan_statements",
    "save_all_statements",
    "send_all_statements",
    "cancel_statements",
    "report_kpis",
    "report_trends",
    "export_report_table",
    "backup_settings",
    "choose_backup_folder",
    "use_default_backup_folder",
    "save_backup_retention",
    "backup_now",
    "watched_folder",
    "choose_watched_folder",
    "set_watched_full",
    "stop_watching",
    "list_backups",
    "restore_backup",
    "about",
    "open_log_folder",
    "diagnostics",
    "get_last_place",
    "set_last_place",
    "first_run_checklist",
    "report_customer_aging",
    "report_aging_invoices",
    "report_forecast",
    "report_collected",
    "report_follow_up",
    "save_report_pdf",
];

fn main() {
    commit();
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri build script failed");
}

/// `DUEBOOK_COMMIT` for the About box: the variable itself when set (a build from a source
/// tarball), else `git rev-parse --short HEAD`, else "unknown". Rebuilt when HEAD moves.
fn commit() {
    println!("cargo:rerun-if-env-changed=DUEBOOK_COMMIT");
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .filter(|text| !text.is_empty())
    };
    // HEAD, and the branch file it points to (in the common dir when this is a worktree).
    if let Some(head) = git(&["rev-parse", "--path-format=absolute", "--git-path", "HEAD"]) {
        println!("cargo:rerun-if-changed={head}");
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        // A packed ref has no file of its own (and a missing file would rebuild every time).
        let file = git(&["rev-parse", "--path-format=absolute", "--git-path", &branch]);
        if let Some(file) = file.filter(|f| std::path::Path::new(f).exists()) {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    let commit = std::env::var("DUEBOOK_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short", "HEAD"]))
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=DUEBOOK_COMMIT={commit}");
}
