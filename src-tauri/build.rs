//! Declares the app's commands so the capability in `capabilities/default.json` can grant exactly
//! these (a command missing here cannot be called from the window).

const COMMANDS: &[&str] = &[
    "database_status",
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
    "open_dispute",
    "resolve_dispute",
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
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri build script failed");
}
