//! `capplan report`: evaluate environments and render the report.

use std::process::ExitCode;

use crate::cli::ReportArgs;
use crate::error::{Error, Result};
use crate::model::observed::{self, MetricsData};
use crate::model::price::PriceBook;
use crate::model::workload::EnvInputs;
use crate::report::{self, AllReport, EnvReport, Format, Report};
use crate::settings::Settings;
use crate::source::plan::Plan;
use crate::source::prices;

use super::{same_file, write_atomically, write_stdout};
use crate::settings::PlanSource;

/// Load an environment's metrics file, if the plan names one, and derive what it measured.
fn measured(plan: &Plan, env: &str, settings: &Settings) -> Result<Option<MetricsData>> {
    let Some(m) = plan.metrics_of(env) else { return Ok(None) };
    let location = settings.metrics_location(m);
    let series = location.load().map_err(|e| {
        Error::Usage(format!("{}: env.{env}.metrics.file: {e} (see the README for the metrics file shape)", m.at))
    })?;
    Ok(Some(observed::derive(&series, &location.name())))
}

/// Evaluate one environment with its metrics, if the plan names a file.
fn env_report(plan: &Plan, inputs: &EnvInputs, book: &PriceBook, settings: &Settings) -> Result<EnvReport> {
    let metrics = measured(plan, &inputs.name, settings)?;
    Ok(report::evaluate_env(inputs, metrics.as_ref(), book, &plan.origin, settings.as_of)?)
}

/// Evaluate the environments named by `env` (all when `None`) and build the report.
fn build(plan: &Plan, env: Option<&str>, book: &PriceBook, settings: &Settings) -> Result<Report> {
    match env {
        Some(name) => {
            let inputs = plan.env(name).ok_or_else(|| {
                Error::Usage(format!(
                    "no environment '{name}' in {}; environments: {}",
                    plan.origin,
                    plan.env_names().join(", ")
                ))
            })?;
            Ok(Report::One(Box::new(env_report(plan, inputs, book, settings)?)))
        }
        None => {
            let envs = in_parallel(&plan.envs, |e| env_report(plan, e, book, settings))?;
            Ok(Report::All(AllReport::new(envs)))
        }
    }
}

/// `f` over `items` on every core (environments are independent; the model is pure and the
/// price book is shared), results in the items' order; the first error wins.
fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> Result<R> + Sync) -> Result<Vec<R>> {
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(items.len()).max(1);
    if workers == 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            items.chunks(chunk).map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<_>>())).collect();
        let mut out = Vec::with_capacity(items.len());
        for handle in handles {
            // a panic in a worker is a bug: propagate it as one
            let part = handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            for r in part {
                out.push(r?);
            }
        }
        Ok(out)
    })
}

/// Render `report` in `format` as bytes.
pub fn render_bytes(report: &Report, format: Format) -> Vec<u8> {
    let mut buf = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = report::render(report, format, &mut buf);
    buf
}

/// Run `capplan report`.
pub fn exec(args: &ReportArgs, settings: &Settings) -> Result<ExitCode> {
    // `-o -` is stdout, as for most Unix tools
    let output = args.output.as_deref().filter(|p| *p != std::path::Path::new("-"));
    if let (Some(out), PlanSource::File(plan)) = (output, &settings.plan)
        && same_file(out, plan)
    {
        return Err(Error::Usage(format!(
            "--output '{}' is the plan file itself; write the report somewhere else",
            out.display()
        )));
    }
    let book = prices::book()?;
    let plan = settings.load_plan(&book)?;
    let report = build(&plan, args.env.as_deref(), &book, settings)?;
    let bytes = render_bytes(&report, args.format);
    match output {
        Some(path) => {
            write_atomically(path, &bytes)?;
            eprintln!("wrote {}", path.display());
        }
        None => write_stdout(&bytes)?,
    }
    let problems = problems(&report);
    for p in &problems {
        eprintln!("{p}");
    }
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Environments with no feasible option or over their budget (exit status 1).
fn problems(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    for env in report.envs() {
        let r = &env.recommendation;
        if r.option_id.is_none() {
            let hint = r.nothing_fits.as_ref().and_then(|n| n.hints.first()).cloned();
            out.push(format!(
                "{}: nothing fits the workload{}",
                env.env,
                hint.map_or_else(String::new, |h| format!("; {h}"))
            ));
        }
        if let (Some(over), Some(budget)) = (r.over_budget_usd, env.policy.budget_usd) {
            out.push(format!(
                "{}: the cheapest option that fits is {} over the budget of {}/month",
                env.env,
                crate::model::units::format_usd(over),
                crate::model::units::format_usd(budget)
            ));
        }
    }
    out
}
