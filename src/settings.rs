//! Settings: the command line resolved once into what the run needs (plan source, date, mode).

use chrono::NaiveDate;
use std::path::{Path, PathBuf};

use crate::cli::Cli;
use crate::error::{Error, Result};
use crate::model::price::PriceBook;
use crate::source::live::LiveRequest;
use crate::source::metrics::EXAMPLE_METRICS_NAME;
use crate::source::plan::{EXAMPLE_PLAN, EXAMPLE_PLAN_NAME, MetricsOrigin, MetricsRef, Plan, parse_plan, plan_text};
use crate::source::{MetricsLocation, SourceError};

/// The plan file used when `--plan` is not given and it exists.
pub const DEFAULT_PLAN: &str = "capplan.toml";

/// Where the plan comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanSource {
    /// A file.
    File(PathBuf),
    /// The bundled example (no ./capplan.toml and no --plan).
    Bundled,
}

/// Validated settings for one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Plan source.
    pub plan: PlanSource,
    /// Never touch the network.
    pub offline: bool,
    /// AWS profile for the live sources (`--profile`); `None` follows the standard chain.
    pub aws_profile: Option<String>,
    /// Date the evaluation is for.
    pub as_of: NaiveDate,
    /// `NO_COLOR` is set: the terminal app draws without colors.
    pub no_color: bool,
}

impl Settings {
    /// Resolve the command line; `today` comes from the caller (the model never reads the clock).
    pub fn from_cli(cli: &Cli, today: NaiveDate, cwd: &Path, no_color: bool) -> Settings {
        let plan = match &cli.plan {
            Some(path) => PlanSource::File(path.clone()),
            None if cwd.join(DEFAULT_PLAN).is_file() => PlanSource::File(PathBuf::from(DEFAULT_PLAN)),
            None => PlanSource::Bundled,
        };
        Settings {
            plan,
            offline: cli.offline,
            aws_profile: cli.profile.clone(),
            as_of: cli.as_of.unwrap_or(today),
            no_color,
        }
    }

    /// How the plan is named in reports.
    pub fn plan_name(&self) -> String {
        match &self.plan {
            PlanSource::File(path) => path.display().to_string(),
            PlanSource::Bundled => EXAMPLE_PLAN_NAME.to_string(),
        }
    }

    /// Where an environment's profile file is: relative to the plan file's folder.
    pub fn profile_path(&self, p: &crate::source::plan::ProfileRef) -> PathBuf {
        match &self.plan {
            PlanSource::Bundled => PathBuf::from(&p.file),
            PlanSource::File(plan) => crate::command::dir_of(plan).join(&p.file),
        }
    }

    /// Where an environment's metrics come from: a file relative to the plan file's folder (the
    /// bundled plan's example file is compiled in), or a live cache in `region`.
    pub fn metrics_location(&self, m: &MetricsRef, region: &str) -> MetricsLocation {
        match (&m.origin, &self.plan) {
            (MetricsOrigin::File(file), PlanSource::Bundled) if file == EXAMPLE_METRICS_NAME => {
                MetricsLocation::Example
            }
            (MetricsOrigin::File(file), PlanSource::Bundled) => MetricsLocation::File(PathBuf::from(file)),
            (MetricsOrigin::File(file), PlanSource::File(plan)) => {
                MetricsLocation::File(crate::command::dir_of(plan).join(file))
            }
            (MetricsOrigin::Aws(cache), _) => MetricsLocation::Live(LiveRequest {
                cache: cache.clone(),
                region: region.to_string(),
                days: m.days,
                profile: self.aws_profile.clone(),
                offline: self.offline,
            }),
        }
    }

    /// Read and validate the plan. Validating reads the prices of the regions it names; when one
    /// of them cannot be read, that (a pricing cache error) is the error, not "unknown region".
    pub fn load_plan(&self, book: &PriceBook) -> Result<Plan> {
        let parsed = match &self.plan {
            PlanSource::Bundled => parse_plan(EXAMPLE_PLAN, EXAMPLE_PLAN_NAME, book),
            PlanSource::File(path) => {
                let bytes = std::fs::read(path).map_err(|source| {
                    if source.kind() == std::io::ErrorKind::NotFound {
                        Error::Usage(format!(
                            "no plan file '{}' (check the path, or write a commented example there with `capplan init {}`)",
                            path.display(),
                            path.display()
                        ))
                    } else {
                        Error::Io { action: "read plan", path: path.clone(), source }
                    }
                })?;
                let name = path.display().to_string();
                parse_plan(plan_text(&bytes, &name)?, &name, book)
            }
        };
        let mut plan = parsed.map_err(|e| match book.regions.errors().first() {
            Some(unreadable) => Error::Source(SourceError::from((*unreadable).clone())),
            None => Error::Plan(e),
        })?;
        // `[env.NAME.current] terraform = "DIR"`: read the module, relative to the plan's folder
        let plan_dir = match &self.plan {
            PlanSource::File(path) => path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")),
            PlanSource::Bundled => Path::new("."),
        };
        for r in plan.terraform.clone() {
            if let Some(env) = plan.envs.iter_mut().find(|e| e.name == r.env) {
                env.current = Some(crate::source::terraform::read_current(&r, plan_dir, env, book)?);
            }
        }
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::offline::{CACHE, REGION_CHUNKS, parse_cache};

    #[test]
    fn a_plan_in_a_region_whose_prices_cannot_be_read_is_a_pricing_cache_error() {
        let chunks: Vec<(&'static str, &'static [u8])> = REGION_CHUNKS
            .iter()
            .map(|(code, bytes)| (*code, if *code == "us-east-1" { &b"{\"schema_version\": 2"[..] } else { *bytes }))
            .collect();
        let book = parse_cache(CACHE, &chunks, "test").unwrap();
        let settings = Settings {
            plan: PlanSource::Bundled,
            offline: true,
            aws_profile: None,
            as_of: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            no_color: true,
        };
        let err = settings.load_plan(&book).unwrap_err();
        assert!(matches!(err, Error::Source(SourceError::Cache(_))), "{err:?}");
        assert!(err.to_string().contains("prices for region 'us-east-1' cannot be read"), "{err}");
        let book = parse_cache(CACHE, REGION_CHUNKS, "test").unwrap();
        assert!(settings.load_plan(&book).is_ok());
    }
}
