//! `capplan init`: write the commented example plan, never overwriting a file.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{create_new, dir_of, missing_dir};
use crate::cli::InitArgs;
use crate::error::{Error, Result};
use crate::settings::{DEFAULT_PLAN, Settings};
use crate::source::aws::{self, AwsOptions};
use crate::source::discovered_plan;
use crate::source::discovery::discover_all;
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
pub fn exec(args: &InitArgs, settings: &Settings, plan_flag: Option<&Path>) -> Result<ExitCode> {
    let path = &target(args, plan_flag)?;
    if let Some(err) = missing_dir(path) {
        return Err(err);
    }
    if args.discover {
        return discover(args, settings, path);
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

/// `init --discover`: a plan of the caches the account runs in the regions asked for.
fn discover(args: &InitArgs, settings: &Settings, path: &Path) -> Result<ExitCode> {
    if settings.offline {
        return Err(Error::Usage(
            "init --discover asks AWS what runs; it cannot work --offline (drop --offline, or run `capplan init` for the example plan)"
                .into(),
        ));
    }
    if path.exists() {
        return Err(Error::Usage(format!(
            "'{}' already exists; capplan init never overwrites a plan (pass another path: capplan init --discover other.toml)",
            path.display()
        )));
    }
    let book = crate::source::prices::book()?;
    let book: &crate::model::price::PriceBook = &book;
    for region in &args.regions {
        if book.region(region).is_none() {
            return Err(Error::Usage(format!(
                "--region {region}: {}",
                crate::source::plan::unpriced_region(region, book)
            )));
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the AWS client: {e}")))?;
    let (caches, regions) = runtime.block_on(async {
        let options = AwsOptions {
            profile: settings.aws_profile.clone(),
            region: args.regions.first().cloned(),
            ..AwsOptions::default()
        }
        .with_env()?;
        let config = aws::load(&options).await?;
        let regions = if args.regions.is_empty() { vec![aws::region_of(&config)] } else { args.regions.clone() };
        eprintln!("looking for ElastiCache caches in {}…", regions.join(", "));
        let caches = discover_all(&config, &regions).await?;
        Ok::<_, crate::source::SourceError>((caches, regions))
    })?;
    let text = discovered_plan::plan_text(&caches, &regions, settings.as_of, book);
    // what is written must be a plan capplan reads
    crate::source::plan::parse_plan(&text, &path.display().to_string(), book)?;
    match create_new(path, text.as_bytes()) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            return Err(Error::Usage(format!("'{}' appeared meanwhile; nothing written", path.display())));
        }
        Err(source) => return Err(Error::Io { action: "create", path: path.to_path_buf(), source }),
    }
    let plan_arg = if path == Path::new(DEFAULT_PLAN) { String::new() } else { format!(" --plan {}", path.display()) };
    eprintln!(
        "wrote {}: {} cache(s) as environments; next: `capplan report{plan_arg} --all` (fetches 14 days of CloudWatch metrics for each)",
        path.display(),
        caches.len()
    );
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
        let none = InitArgs { path: None, discover: false, regions: Vec::new() };
        assert_eq!(target(&none, None).unwrap(), PathBuf::from("capplan.toml"));
        assert_eq!(target(&none, Some(Path::new("o.toml"))).unwrap(), PathBuf::from("o.toml"));
        let both = InitArgs { path: Some("a.toml".into()), discover: false, regions: Vec::new() };
        assert!(target(&both, Some(Path::new("b.toml"))).is_err());
        assert_eq!(target(&both, Some(Path::new("a.toml"))).unwrap(), PathBuf::from("a.toml"));
    }
}
