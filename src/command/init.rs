//! `capplan init`: write the commented example plan, never overwriting a file.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{create_new, dir_of, missing_dir};
use crate::cli::InitArgs;
use crate::error::{Error, Result};
use crate::settings::DEFAULT_PLAN;
use crate::source::metrics::{EXAMPLE_METRICS, EXAMPLE_METRICS_NAME};
use crate::source::plan::EXAMPLE_PLAN;

/// Where `init` writes: the FILE argument, else `--plan`, else `./capplan.toml`.
fn target(args: &InitArgs, plan_flag: Option<&Path>) -> Result<PathBuf> {
    match (&args.path, plan_flag) {
        (Some(path), Some(plan)) if path != plan => Err(Error::Usage(format!(
            "capplan init was given two files: '{}' and --plan '{}'; name one",
            path.display(),
            plan.display()
        ))),
        (Some(path), _) => Ok(path.clone()),
        (None, Some(plan)) => Ok(plan.to_path_buf()),
        (None, None) => Ok(PathBuf::from(DEFAULT_PLAN)),
    }
}

/// The command that reports on the plan just written: `--plan` only when it is not the default.
fn next_step(path: &Path) -> String {
    if path == Path::new(DEFAULT_PLAN) || path == Path::new(".").join(DEFAULT_PLAN) {
        "capplan report --env prod".to_string()
    } else {
        format!("capplan report --plan {} --env prod", path.display())
    }
}

/// Create the plan file with the example plan; refuse if it exists. `plan_flag` is `--plan`.
pub fn exec(args: &InitArgs, plan_flag: Option<&Path>) -> Result<ExitCode> {
    let path = &target(args, plan_flag)?;
    if let Some(err) = missing_dir(path) {
        return Err(err);
    }
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
        "wrote {}: an example plan with dev, staging and prod; edit the figures, then run `{}`",
        path.display(),
        next_step(path)
    );
    // the example plan's prod environment reads an example metrics file beside it; the plan is
    // complete either way, so a problem with the example metrics is only a warning
    let metrics = dir_of(path).join(EXAMPLE_METRICS_NAME);
    let shown = if dir_of(path) == Path::new(".") { PathBuf::from(EXAMPLE_METRICS_NAME) } else { metrics.clone() };
    match create_new(&metrics, EXAMPLE_METRICS) {
        Ok(()) => eprintln!(
            "wrote {}: EXAMPLE CloudWatch metrics for prod (replace with an export of yours)",
            shown.display()
        ),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => eprintln!(
            "kept the existing {}: prod's `metrics` entry reads it (delete it and rerun init for the example)",
            shown.display()
        ),
        Err(e) => eprintln!(
            "warning: could not write {}: {e}; prod's `metrics` entry will point at a missing file",
            shown.display()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_step_names_a_plan_that_is_not_the_default() {
        assert_eq!(next_step(Path::new("capplan.toml")), "capplan report --env prod");
        assert_eq!(next_step(Path::new("sub/x.toml")), "capplan report --plan sub/x.toml --env prod");
    }

    #[test]
    fn init_writes_the_plan_flag_or_refuses_two_different_files() {
        let none = InitArgs { path: None };
        assert_eq!(target(&none, None).unwrap(), PathBuf::from("capplan.toml"));
        assert_eq!(target(&none, Some(Path::new("o.toml"))).unwrap(), PathBuf::from("o.toml"));
        let both = InitArgs { path: Some("a.toml".into()) };
        assert!(target(&both, Some(Path::new("b.toml"))).is_err());
        assert_eq!(target(&both, Some(Path::new("a.toml"))).unwrap(), PathBuf::from("a.toml"));
    }
}
