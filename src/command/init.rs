//! `capplan init`: write the commented example plan, never overwriting a file.

use std::fs::OpenOptions;
use std::io::Write;
use std::process::ExitCode;

use crate::cli::InitArgs;
use crate::error::{Error, Result};
use crate::source::metrics::{EXAMPLE_METRICS, EXAMPLE_METRICS_NAME};
use crate::source::plan::EXAMPLE_PLAN;

/// Create `args.path` with the example plan; refuse if it exists.
pub fn exec(args: &InitArgs) -> Result<ExitCode> {
    let path = &args.path;
    let mut file = match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Error::Usage(format!(
                "'{}' already exists; capplan init never overwrites a plan (edit it, or pass another path: capplan init other.toml)",
                path.display()
            )));
        }
        Err(source) => {
            return Err(Error::Io { action: "create", path: path.clone(), source });
        }
    };
    let written = file.write_all(EXAMPLE_PLAN.as_bytes()).and_then(|()| file.sync_all());
    if let Err(source) = written {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(Error::Io { action: "write", path: path.clone(), source });
    }
    // the example plan's prod environment reads an example metrics file beside it
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let metrics = dir.join(EXAMPLE_METRICS_NAME);
    eprintln!(
        "wrote {}: an example plan with dev, staging and prod; edit the figures, then run `capplan report --env prod`",
        path.display()
    );
    // the plan is complete either way: a problem with the example metrics is only a warning
    match OpenOptions::new().write(true).create_new(true).open(&metrics) {
        Ok(mut f) => match f.write_all(EXAMPLE_METRICS).and_then(|()| f.sync_all()) {
            Ok(()) => eprintln!(
                "wrote {}: EXAMPLE CloudWatch metrics for prod (replace with an export of yours)",
                metrics.display()
            ),
            Err(e) => {
                drop(f);
                let _ = std::fs::remove_file(&metrics);
                eprintln!(
                    "warning: could not write {}: {e}; prod's `metrics` entry will point at a missing file",
                    metrics.display()
                );
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => eprintln!(
            "kept the existing {}: prod's `metrics` entry reads it (delete it and rerun init for the example)",
            metrics.display()
        ),
        Err(e) => eprintln!(
            "warning: could not create {}: {e}; prod's `metrics` entry will point at a missing file",
            metrics.display()
        ),
    }
    Ok(ExitCode::SUCCESS)
}
