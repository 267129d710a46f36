//! CSV exports: the customer list as currently searched, filtered and sorted (every page), and one
//! customer's invoices. The native save dialog asks where; the file is written privately next to
//! its final name first and renamed when complete, so a failed export never leaves half a file
//! behind and a planted symlink is never followed.
//! Formula-like cells are neutralised by the core.

use crate::commands::customers::list_query;
use crate::dialogs::{file_stem, save_path, SaveDialog};
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::model::{CustomerFilters, CustomerSort};
use duebook_core::private_fs;
use duebook_core::store::customers;
use duebook_core::views::export::{self, ExportError};
use rusqlite::Connection;
use serde::Serialize;
use std::io::Write;
use std::path::Path;
use tauri::{AppHandle, Manager, Window};
use ts_rs::TS;

/// Where an export was written and how many customers or invoices it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ExportResult {
    pub path: String,
    pub file_name: String,
    pub count: u32,
}

/// "Export CSV" on the list: every customer the current search and filters match, in list order.
/// `None` when the person cancelled the dialog.
#[tauri::command]
pub async fn export_customers(
    app: AppHandle,
    window: Window,
    search: Option<String>,
    sort: Option<CustomerSort>,
    filters: Option<CustomerFilters>,
) -> CommandResult<Option<ExportResult>> {
    app.state::<AppState>().db_path()?;
    let file_name = format!("customers-{}.csv", SystemClock.today());
    let query = list_query(search, sort, filters, 0, u32::MAX);
    export_csv(
        app,
        &window,
        "Export the customer list",
        &file_name,
        move |conn, out| export::customers_csv(conn, &query, out),
    )
    .await
}

/// "Export invoices" on the customer screen: all of this customer's invoices.
#[tauri::command]
pub async fn export_invoices(
    app: AppHandle,
    window: Window,
    customer_id: i64,
) -> CommandResult<Option<ExportResult>> {
    let name = app
        .state::<AppState>()
        .with_db(|db| Ok(customers::get(db.conn(), customer_id)?.name))?;
    let today = SystemClock.today();
    let file_name = format!("invoices-{}-{today}.csv", file_stem(&name));
    export_csv(
        app,
        &window,
        "Export this customer's invoices",
        &file_name,
        move |conn, out| export::invoices_csv(conn, customer_id, today, out),
    )
    .await
}

/// Asks where to save the CSV file `file_name` (`None`: the person cancelled), then writes it
/// with `write` from the open database, off the async runtime.
pub(crate) async fn export_csv(
    app: AppHandle,
    window: &Window,
    title: &str,
    file_name: &str,
    write: impl FnOnce(&Connection, &mut dyn Write) -> Result<usize, ExportError> + Send + 'static,
) -> CommandResult<Option<ExportResult>> {
    let dialog = SaveDialog {
        title,
        file_name,
        filter_name: "CSV file",
        extensions: &["csv"],
    };
    let Some(path) = save_path(window, dialog).await else {
        return Ok(None);
    };
    let written = tauri::async_runtime::spawn_blocking(move || {
        app.state::<AppState>().with_db(|db| {
            write_atomically(&path, |out| write(db.conn(), out)).map(|count| result(&path, count))
        })
    })
    .await??;
    Ok(Some(written))
}

fn result(path: &Path, count: usize) -> ExportResult {
    ExportResult {
        path: path.display().to_string(),
        file_name: path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        count: u32::try_from(count).unwrap_or(u32::MAX),
    }
}

/// Writes through `write` into a private temporary file beside `path`, then renames it over
/// `path` (see [`private_fs::write_atomically`]).
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<usize, ExportError>,
) -> CommandResult<usize> {
    private_fs::write_atomically(path, write).map_err(|e| match e {
        ExportError::Write(e) => CommandError::Io(format!("cannot write {}: {e}", path.display())),
        e => e.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_export_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.csv");
        let written = write_atomically(&path, |out| {
            out.write_all(b"a,b\n")?;
            Ok(1)
        })
        .unwrap();
        assert_eq!(written, 1);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b\n");
        let failed = write_atomically(&dir.path().join("broken.csv"), |_| {
            Err(ExportError::Db(duebook_core::store::DbError::NotFound(
                "customer 9".into(),
            )))
        });
        assert!(matches!(failed, Err(CommandError::NotFound(_))));
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only list.csv: {left:?}");
    }

    #[cfg(unix)]
    #[test]
    fn an_export_is_private_and_never_follows_a_planted_symlink() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        // The temporary name exports used to write through.
        std::os::unix::fs::symlink(&victim, dir.path().join(".list.csv.part")).unwrap();
        let path = dir.path().join("list.csv");
        write_atomically(&path, |out| {
            out.write_all(b"a,b\n")?;
            Ok(1)
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b\n");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
