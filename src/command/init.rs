//! `capplan init`: write the commented example plan, never overwriting a file.

use std::io::ErrorKind;
use std::process::ExitCode;

use super::{create_new, dir_of};
use crate::cli::InitArgs;
use crate::error::{Error, Result};
use crate::source::metrics::{EXAMPLE_METRICS, EXAMPLE_METRICS_NAME};
use crate::source::plan::EXAMPLE_PLAN;

/// Create `args.path` with the example plan; refuse if it exists.
pub fn exec(args: &InitArgs) -> Result<ExitCode> {
    let path = &args.path;
    match create_new(path, EXAMPLE_PLAN.as_bytes()) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            return Err(Error::Usage(format!(
                "'{}' already exists; capplan init never overwrites a plan (edit it, or pass another path: capplan init other.toml)",
                path.display()
            )));
        }
        Err(source) => return Err(Error::Io { action: "create", path: path.clone(), source }),
    }
    eprintln!(
        "wrote {}: an example plan with dev, staging and prod; edit the figures, then run `capplan report --env prod`",
        path.display()
    );
    // the example plan's prod environment reads an example metrics file beside it; the plan is
    // complete either way, so a problem with the example metrics is only a warning
    let metrics = dir_of(path).join(EXAMPLE_METRICS_NAME);
    match create_new(&metrics, EXAMPLE_METRICS) {
        Ok(()) => eprintln!(
            "wrote {}: EXAMPLE CloudWatch metrics for prod (replace with an export of yours)",
            metrics.display()
        ),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => eprintln!(
            "kept the existing {}: prod's `metrics` entry reads it (delete it and rerun init for the example)",
            metrics.display()
        ),
        Err(e) => eprintln!(
            "warning: could not write {}: {e}; prod's `metrics` entry will point at a missing file",
            metrics.display()
        ),
    }
    Ok(ExitCode::SUCCESS)
}
