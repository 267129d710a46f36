//! Files that hold customer data — the database, its WAL and shared-memory files, backups,
//! statements and exports — are the user's alone: on Unix they are created 0600 in folders
//! created 0700, and older ones left readable by others are tightened when Duebook opens them.
//! Saves go through a temporary file with a random name, created exclusively beside the target
//! (a planted symlink is never followed), and renamed over it when complete.
//! Elsewhere (Windows) the user's profile folder already keeps other accounts out, and the
//! permission parts do nothing.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Creates `dir` and any missing parents; on Unix the folders it creates are 0700. Folders
/// that exist are left as they are.
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates the empty file `path` (failing if it exists), 0600 on Unix.
pub fn create_new_file(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Takes the group's and others' permissions off `path` (a file or a folder), if it exists.
/// Symlinks are not followed; a missing path is not an error.
pub fn restrict(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let metadata = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let mode = metadata.permissions().mode();
        if metadata.file_type().is_symlink() || mode & 0o077 == 0 {
            return Ok(());
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Writes `path` whole or not at all: `write` fills a new temporary file (random name, created
/// exclusively, 0600) in the same folder, which is synced and then renamed over `path`. On any
/// error the temporary file is removed and `path` is untouched.
pub fn write_atomically<T, E>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<io::Error>,
{
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // The start of the name tells a person what the leftover of a crash was; all of it could
    // make the temporary name too long for the file system.
    let name: String = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy())
        .chars()
        .take(40)
        .collect();
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".part")
        .tempfile_in(dir)?;
    let value = {
        let mut out = BufWriter::new(temp.as_file_mut());
        let value = write(&mut out)?;
        out.flush()?;
        value
    };
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(value)
}

/// Reading and setting permission bits, for the tests here and in [`crate::store::database`].
#[cfg(all(test, unix))]
pub(crate) mod test_modes {
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    /// The permission bits of a file or folder (rwx for user, group and others).
    pub(crate) fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    pub(crate) fn set_mode(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("set mode");
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::test_modes::{mode, set_mode};
    use super::*;

    #[test]
    fn new_folders_are_0700_and_new_files_0600() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        create_dir_all(&nested).unwrap();
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&nested), 0o700);
        let file = nested.join("f");
        create_new_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert!(
            create_new_file(&file).is_err(),
            "never opens an existing file"
        );
    }

    #[test]
    fn restrict_only_takes_permissions_away() {
        let dir = tempfile::tempdir().unwrap();
        let open = dir.path().join("open");
        std::fs::write(&open, "x").unwrap();
        set_mode(&open, 0o664);
        restrict(&open).unwrap();
        assert_eq!(mode(&open), 0o600);
        let read_only = dir.path().join("read-only");
        std::fs::write(&read_only, "x").unwrap();
        set_mode(&read_only, 0o444);
        restrict(&read_only).unwrap();
        assert_eq!(mode(&read_only), 0o400);
        restrict(&dir.path().join("missing")).unwrap();
    }

    #[test]
    fn an_atomic_write_is_private_and_never_follows_a_planted_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        // Where the old code wrote its temporary file.
        std::os::unix::fs::symlink(&victim, dir.path().join(".list.csv.part")).unwrap();
        let path = dir.path().join("list.csv");
        let written: Result<usize, io::Error> = write_atomically(&path, |out| {
            out.write_all(b"a,b\n")?;
            Ok(1)
        });
        assert_eq!(written.unwrap(), 1);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b\n");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    }

    #[test]
    fn a_name_as_long_as_the_file_system_allows_can_be_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("{}.pdf", "s".repeat(251)));
        let written: Result<(), io::Error> = write_atomically(&path, |out| out.write_all(b"x"));
        written.unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"x");
    }

    #[test]
    fn a_failed_atomic_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.pdf");
        std::fs::write(&path, "old").unwrap();
        let failed: Result<(), io::Error> = write_atomically(&path, |out| {
            out.write_all(b"half")?;
            Err(io::Error::other("broken"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
