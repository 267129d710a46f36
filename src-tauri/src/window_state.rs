//! The window comes back as it was left: size, position (on the monitor it was on, when that
//! monitor is still there) and maximised, by `tauri-plugin-window-state`. The plugin writes its
//! file only when the app exits normally; saving it again shortly after each move or resize
//! means a session that ends otherwise (a crash, a logout, a killed process) keeps it too.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tauri::{Manager, WebviewWindow, WindowEvent, Wry};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// How long the window must stay put before it is saved (a drag sends many moves).
const QUIET: Duration = Duration::from_millis(400);

pub fn plugin() -> tauri::plugin::TauriPlugin<Wry> {
    tauri_plugin_window_state::Builder::default().build()
}

/// Saves the window state [`QUIET`] after the last move or resize of `window`.
pub fn save_after_changes(window: &WebviewWindow) {
    let app = window.app_handle().clone();
    let changes = Arc::new(AtomicU64::new(0));
    window.on_window_event(move |event| {
        if !matches!(event, WindowEvent::Moved(_) | WindowEvent::Resized(_)) {
            return;
        }
        let this_change = changes.fetch_add(1, Ordering::SeqCst) + 1;
        let (app, changes) = (app.clone(), Arc::clone(&changes));
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(QUIET).await;
            if changes.load(Ordering::SeqCst) != this_change {
                return; // a later change saves
            }
            if let Err(e) = app.save_window_state(StateFlags::all()) {
                tracing::warn!("cannot save the window's size and position: {e}");
            }
        });
    });
}
