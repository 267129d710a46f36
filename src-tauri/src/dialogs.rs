//! Native save and open dialogs (rfd's async API: blocking dialogs hang on Linux), with test
//! seams: `DUEBOOK_TEST_SAVE_PATH` (the database commands use it as well) and one variable per
//! open dialog; when set, the dialog is not shown and that path is taken as the person's choice.

use crate::commands::database::TEST_SAVE_PATH_ENV;
use std::path::PathBuf;

pub struct SaveDialog<'a> {
    pub title: &'a str,
    pub file_name: &'a str,
    pub filter_name: &'a str,
    pub extensions: &'a [&'a str],
}

/// Where to save, or None when the person cancelled.
pub async fn save_path(window: &tauri::Window, dialog: SaveDialog<'_>) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(TEST_SAVE_PATH_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
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

/// Which file to open, or None when the person cancelled. When the environment variable
/// `test_seam` is set, the dialog is not shown and that path is taken as the person's choice.
pub async fn open_path(
    window: &tauri::Window,
    test_seam: &str,
    dialog: OpenDialog<'_>,
) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(test_seam).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let mut picker = rfd::AsyncFileDialog::new()
        .set_parent(window)
        .set_title(dialog.title);
    if !dialog.extensions.is_empty() {
        picker = picker.add_filter(dialog.filter_name, dialog.extensions);
    }
    picker.pick_file().await.map(|f| f.path().to_path_buf())
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
