//! Subcommands: each maps its flags onto the library and returns an exit code.

pub mod charts;
pub mod docs;
pub mod init;
pub mod pricing;
pub mod profile;
pub mod report;
pub mod review;
pub mod terraform;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where a write to `path` really lands: a symlink's target (followed, even when dangling).
fn resolve(path: &Path) -> PathBuf {
    let mut target = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&target) {
            Ok(m) if m.file_type().is_symlink() => match std::fs::read_link(&target) {
                Ok(next) if next.is_absolute() => target = next,
                Ok(next) => target = target.parent().unwrap_or(Path::new(".")).join(next),
                Err(_) => break,
            },
            _ => break,
        }
    }
    target
}

/// The folder `path` is in (`.` for a bare file name).
pub fn dir_of(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// A temporary file in `dir` that becomes a file with the usual permissions (0666 less the
/// umask) when persisted.
fn temp_in(dir: &Path) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".capplan-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

/// The OS error behind `err`, without the temporary file's path that `tempfile` adds: messages
/// name the path the user gave, never an internal one.
fn without_temp_path(err: io::Error) -> io::Error {
    // tempfile wraps the OS error as "<error> at path \"<temp file>\"" and hides the OS error
    // from `source()`: keep the words before the path
    if err.get_ref().is_some() {
        let text = err.to_string();
        if let Some((head, _)) = text.rsplit_once(" at path ") {
            return io::Error::new(err.kind(), head.to_string());
        }
    }
    err
}

/// An error when the folder `path` would be written in does not exist (or is a file).
pub fn missing_dir(path: &Path) -> Option<Error> {
    no_dir(path, dir_of(path))
}

/// An error naming `path` when `dir`, the folder it would be written in, is not a folder.
fn no_dir(path: &Path, dir: &Path) -> Option<Error> {
    if dir.is_dir() {
        return None;
    }
    let why = if dir.exists() {
        format!("'{}' is a file, not a directory", dir.display())
    } else {
        format!("directory '{}' does not exist (create it first)", dir.display())
    };
    Some(Error::Usage(format!("cannot write '{}': {why}", path.display())))
}

/// Fail now, before a long run, when `path` cannot be written as [`write_atomically`] would
/// write it: its folder must exist and take a new file (probed with a temporary file that is
/// removed at once), and an existing target that is not a regular file must open for writing.
pub fn check_writable(path: &Path) -> Result<()> {
    let io_err =
        |source: io::Error| Error::Io { action: "write", path: path.to_path_buf(), source: without_temp_path(source) };
    let target = resolve(path);
    match std::fs::metadata(&target) {
        Ok(m) if m.is_dir() => {
            Err(Error::Usage(format!("cannot write '{}': it is a directory; name a file", path.display())))
        }
        Ok(m) if !m.is_file() => std::fs::OpenOptions::new().write(true).open(&target).map(drop).map_err(io_err),
        _ => match no_dir(path, dir_of(&target)) {
            Some(err) => Err(err),
            None => temp_in(dir_of(&target)).map(drop).map_err(io_err),
        },
    }
}

/// Create `path` with `bytes`, failing with [`io::ErrorKind::AlreadyExists`] if it exists: the
/// file appears whole or not at all, and nothing is ever overwritten.
pub fn create_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let write = || -> io::Result<()> {
        let mut tmp = temp_in(dir_of(path))?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist_noclobber(path).map(drop).map_err(|e| e.error)
    };
    write().map_err(without_temp_path)
}

/// Write `bytes` to `path` atomically: a temporary file beside the real target (symlinks are
/// followed), then a rename, so a reader never sees a half-written file and a failure leaves any
/// earlier file intact. A target that exists but is not a regular file (`/dev/null`, a pipe) is
/// written in place. A new file gets the usual permissions (0666 less the umask); an existing
/// one keeps its own.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically_with(path, |out| {
        out.write_all(bytes).map_err(|source| Error::Io {
            action: "write",
            path: path.to_path_buf(),
            source: without_temp_path(source),
        })
    })
}

/// [`write_atomically`] what `write` writes, as it writes it (buffered): the file appears when
/// `write` returns `Ok` and everything is on disk; when it fails, the earlier file is intact.
/// Errors `write` makes of the writer's own are its to word (an [`Error::Io`] naming `path`).
pub fn write_atomically_with(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let io_err =
        |source: io::Error| Error::Io { action: "write", path: path.to_path_buf(), source: without_temp_path(source) };
    let target = resolve(path);
    let existing = std::fs::metadata(&target);
    match &existing {
        Ok(m) if m.is_dir() => {
            return Err(Error::Usage(format!("cannot write '{}': it is a directory; name a file", path.display())));
        }
        Ok(m) if !m.is_file() => {
            let f = std::fs::OpenOptions::new().write(true).open(&target).map_err(io_err)?;
            let mut out = io::BufWriter::new(f);
            write(&mut out)?;
            return out.flush().map_err(io_err);
        }
        _ => {}
    }
    let dir = dir_of(&target);
    if let Some(err) = no_dir(path, dir) {
        return Err(err);
    }
    let tmp = temp_in(dir).map_err(io_err)?;
    if let Ok(existing) = existing {
        tmp.as_file().set_permissions(existing.permissions()).map_err(io_err)?;
    }
    let mut out = io::BufWriter::with_capacity(1 << 16, tmp);
    // the writer's own errors name the temporary file: say the file asked for instead
    write(&mut out).map_err(|e| match e {
        Error::Io { action, path, source } => Error::Io { action, path, source: without_temp_path(source) },
        other => other,
    })?;
    let tmp = out.into_inner().map_err(|e| io_err(e.into_error()))?;
    tmp.as_file().sync_all().map_err(io_err)?;
    tmp.persist(&target).map_err(|e| io_err(e.error))?;
    Ok(())
}

/// Whether two paths name the same existing file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Write to stdout; a closed pipe (`capplan report | head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(Error::Io { action: "write", path: "stdout".into(), source: e })
        }
        _ => Ok(()),
    }
}
