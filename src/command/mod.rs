//! Subcommands: each maps its flags onto the library and returns an exit code.

pub mod init;
pub mod report;

use std::io::{self, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// Write `bytes` to `path` atomically: a temporary file beside it, then a rename, so a reader
/// never sees a half-written file and a failure leaves any earlier file intact.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let io_err = |source: io::Error| Error::Io { action: "write", path: path.to_path_buf(), source };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "cannot write '{}': directory '{}' does not exist",
            path.display(),
            dir.display()
        )));
    }
    let mut tmp = tempfile::Builder::new().prefix(".capplan-").suffix(".tmp").tempfile_in(dir).map_err(io_err)?;
    tmp.write_all(bytes).map_err(io_err)?;
    tmp.as_file().sync_all().map_err(io_err)?;
    tmp.persist(path).map_err(|e| io_err(e.error))?;
    Ok(())
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
