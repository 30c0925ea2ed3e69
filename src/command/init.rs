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
    let wrote_metrics = match OpenOptions::new().write(true).create_new(true).open(&metrics) {
        Ok(mut f) => {
            let written = f.write_all(EXAMPLE_METRICS).and_then(|()| f.sync_all());
            if let Err(source) = written {
                drop(f);
                let _ = std::fs::remove_file(&metrics);
                return Err(Error::Io { action: "write", path: metrics, source });
            }
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
        Err(source) => return Err(Error::Io { action: "create", path: metrics, source }),
    };
    eprintln!(
        "wrote {}: an example plan with dev, staging and prod; edit the figures, then run `capplan report --env prod`",
        path.display()
    );
    if wrote_metrics {
        eprintln!("wrote {}: EXAMPLE CloudWatch metrics for prod (replace with an export of yours)", metrics.display());
    }
    Ok(ExitCode::SUCCESS)
}
