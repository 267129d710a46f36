//! Native save and open dialogs (rfd's async API: blocking dialogs hang on Linux). In an E2E
//! build the tests answer them instead (see [`test_hooks`]).

use crate::test_hooks::{self, Dialog};
use std::path::PathBuf;

pub struct SaveDialog<'a> {
    pub title: &'a str,
    pub file_name: &'a str,
    pub filter_name: &'a str,
    pub extensions: &'a [&'a str],
}

/// Where to save, or None when the person cancelled.
pub async fn save_path(window: &tauri::Window, dialog: SaveDialog<'_>) -> Option<PathBuf> {
    if let Some(path) = test_hooks::chosen_path(Dialog::Save) {
        return Some(path);
    }
    rfd::AsyncFileDialog::new()
        .set_parent(window)
        .set_title(dialog.title)
        .set_file_name(dialog.file_name)
        .add_filter(dialog.filter_name, dialog.extensions)
        .save_file()
        .await
        .map(|f| f.path().to_path_buf())
}

pub struct OpenDialog<'a> {
    pub title: &'a str,
    pub filter_name: &'a str,
    /// Empty: any file.
    pub extensions: &'a [&'a str],
}

/// Which file to open, or None when the person cancelled. `seam` names the dialog for the
/// E2E tests.
pub async fn open_path(
    window: &tauri::Window,
    seam: Dialog,
    dialog: OpenDialog<'_>,
) -> Option<PathBuf> {
    if let Some(path) = test_hooks::chosen_path(seam) {
        return Some(path);
    }
    let mut picker = rfd::AsyncFileDialog::new()
        .set_parent(window)
        .set_title(dialog.title);
    if !dialog.extensions.is_empty() {
        picker = picker.add_filter(dialog.filter_name, dialog.extensions);
    }
    picker.pick_file().await.map(|f| f.path().to_path_buf())
}

/// Which folder, or None when the person cancelled. `seam` names the dialog for the E2E tests.
pub async fn folder_path(window: &tauri::Window, seam: Dialog, title: &str) -> Option<PathBuf> {
    if let Some(path) = test_hooks::chosen_path(seam) {
        return Some(path);
    }
    rfd::AsyncFileDialog::new()
        .set_parent(window)
        .set_title(title)
        .pick_folder()
        .await
        .map(|f| f.path().to_path_buf())
}

/// Opens `path` (a file or a folder) with the desktop's program for it, or with the E2E tests'
/// stand-in (there is no desktop under Xvfb).
pub fn open_on_desktop(path: &std::path::Path) -> std::io::Result<()> {
    match test_hooks::opener() {
        Some(program) => std::process::Command::new(program)
            .arg(path)
            .spawn()
            .map(drop),
        None => duebook_core::mail::oauth::open_with_desktop(path),
    }
}

/// A file name from text a person wrote (a customer's name): letters, digits, dashes.
pub fn file_stem(text: &str) -> String {
    let mut stem = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            stem.extend(c.to_lowercase());
        } else if !stem.ends_with('-') && !stem.is_empty() {
            stem.push('-');
        }
        if stem.chars().count() >= 60 {
            break;
        }
    }
    let stem = stem.trim_end_matches('-').to_string();
    if stem.is_empty() {
        "customer".into()
    } else {
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn file_stems_keep_letters_and_digits() {
        assert_eq!(
            file_stem("Brightwater Dental <Group>"),
            "brightwater-dental-group"
        );
        assert_eq!(file_stem("../../etc/passwd"), "etc-passwd");
        assert_eq!(file_stem("Café Ölmann"), "café-ölmann");
        assert_eq!(file_stem("***"), "customer");
    }
}
