//! The user cache directory: refreshed prices and fetched CloudWatch series live here, so
//! reports and the app work offline after one fetch. `CAPPLAN_CACHE_DIR` overrides the place
//! (tests, CI); otherwise the platform's cache directory (`$XDG_CACHE_HOME/capplan`,
//! `~/.cache/capplan` on Linux). Every write is atomic: a temp file in the same folder, synced,
//! then renamed over the old one, so a crash mid-write leaves the old file whole. The temp file
//! a process killed mid-write leaves behind is removed by a later write in the same folder.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::SourceError;

/// The environment variable that overrides the cache directory.
pub const CACHE_DIR_ENV: &str = "CAPPLAN_CACHE_DIR";

/// The cache directory (not created): `CAPPLAN_CACHE_DIR`, else the platform's cache dir.
pub fn dir() -> Result<PathBuf, SourceError> {
    if let Some(dir) = std::env::var_os(CACHE_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "capplan").map(|p| p.cache_dir().to_path_buf()).ok_or_else(|| {
        SourceError::UserCache {
            path: PathBuf::new(),
            message: format!("no home directory to keep a cache in: set {CACHE_DIR_ENV} to a writable folder"),
        }
    })
}

/// `relative` inside the cache directory.
pub fn path(relative: &str) -> Result<PathBuf, SourceError> {
    Ok(dir()?.join(relative))
}

/// Read a cached file; `Ok(None)` when it does not exist.
pub fn read(path: &Path) -> Result<Option<Vec<u8>>, SourceError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SourceError::UserCache { path: path.to_path_buf(), message: format!("cannot read: {e}") }),
    }
}

/// The prefix and suffix of the temporary files writes go through.
const TEMP_PREFIX: &str = ".capplan-";
const TEMP_SUFFIX: &str = ".tmp";
/// A temporary file older than this is a killed process's leftover, not a write in progress.
pub const STALE_TEMP_AGE: Duration = Duration::from_hours(1);

/// Remove the temporary files (`.capplan-*.tmp`) in `folder` last changed more than `age` ago:
/// what a process killed mid-write left behind (a younger one may be another process's write in
/// progress). Returns how many were removed; a file that cannot be removed is left alone.
pub fn sweep(folder: &Path, age: Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(folder) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        let stale = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|elapsed| elapsed > age);
        if stale && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Write `bytes` to `path` atomically, creating its folders; then remove the stale temporary
/// files of killed writes in its folder ([`sweep`]).
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), SourceError> {
    let fail = |what: &str, e: std::io::Error| SourceError::UserCache {
        path: path.to_path_buf(),
        message: format!("{what}: {e} (set {CACHE_DIR_ENV} to a writable folder)"),
    };
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder).map_err(|e| fail("cannot create the cache folder", e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(folder)
        .map_err(|e| fail("cannot write", e))?;
    tmp.write_all(bytes).map_err(|e| fail("cannot write", e))?;
    tmp.as_file().sync_all().map_err(|e| fail("cannot write", e))?;
    tmp.persist(path).map_err(|e| fail("cannot replace", e.error))?;
    sweep(folder, STALE_TEMP_AGE);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_whole_and_replace_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("prices").join("us-east-1.json");
        assert_eq!(read(&file).unwrap(), None);
        write(&file, b"old").unwrap();
        write(&file, b"new and longer").unwrap();
        assert_eq!(read(&file).unwrap().as_deref(), Some(&b"new and longer"[..]));
        let leftovers: Vec<_> = std::fs::read_dir(file.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(leftovers, ["us-east-1.json"], "no temp file is left behind");
    }

    #[test]
    fn a_write_removes_what_killed_writes_left_behind_but_not_a_write_in_progress() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(".capplan-killed.tmp");
        let fresh = dir.path().join(".capplan-running.tmp");
        let other = dir.path().join("notes.tmp");
        for f in [&stale, &fresh, &other] {
            std::fs::write(f, b"half").unwrap();
        }
        let old = std::time::SystemTime::now() - STALE_TEMP_AGE - Duration::from_mins(1);
        for f in [&stale, &other] {
            std::fs::File::options().write(true).open(f).unwrap().set_modified(old).unwrap();
        }
        write(&dir.path().join("manifest.json"), b"{}").unwrap();
        assert!(!stale.exists(), "a killed write's leftover is removed");
        assert!(fresh.exists() && other.exists(), "a write in progress and other files are kept");
    }

    #[test]
    fn an_unwritable_place_is_an_error_that_names_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"x").unwrap();
        let err = write(&blocker.join("below.json"), b"x").unwrap_err();
        assert!(err.to_string().contains(CACHE_DIR_ENV), "{err}");
    }
}
