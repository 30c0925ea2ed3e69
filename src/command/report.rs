//! `capplan report`: evaluate environments and render the report.

use std::process::ExitCode;

use crate::cli::ReportArgs;
use crate::error::{Error, Result};
use chrono::Utc;

use crate::evaluation::{self, Evaluated, Fetch, gather};
use crate::model::price::PriceBook;
use crate::model::workload::EnvInputs;
use crate::report::{self, AllReport, Format, NotEvaluated, Report};
use crate::settings::Settings;
use crate::source::MetricsLocation;
use crate::source::plan::Plan;
use crate::source::prices;

use super::{same_file, write_atomically, write_stdout};
use crate::settings::PlanSource;

/// Evaluate one environment with what its metrics measured and the cache they came from.
fn env_report(plan: &Plan, inputs: &EnvInputs, book: &PriceBook, settings: &Settings) -> Result<Evaluated> {
    let m = plan.metrics_of(&inputs.name);
    let location = m.map(|m| settings.metrics_location(m, &inputs.region));
    let gathered = match (m, &location) {
        (Some(m), Some(location)) => match gather(m, location, Fetch::Now, Utc::now()) {
            Ok(g) => Some(Ok(g)),
            // a file the plan names is part of the plan: its errors are the plan's
            Err(e) if !matches!(location, MetricsLocation::Live(_)) => return Err(Error::Usage(e)),
            Err(e) => Some(Err(e)),
        },
        _ => None,
    };
    let inputs = evaluation::Inputs {
        env: inputs,
        metrics: m,
        location: location.as_ref(),
        gathered: match &gathered {
            Some(Ok(g)) => Ok(g),
            Some(Err(e)) => Err(e.clone()),
            None => Err("no metrics".into()),
        },
        use_measured: None,
        adjust: None,
        offline: settings.offline,
    };
    Ok(evaluation::evaluate(&inputs, book, &plan.origin, settings.as_of)?)
}

/// Evaluate the environments named by `env` (all when `None`) and build the report; the
/// failures to report after it (metrics that could not be had).
fn build(plan: &Plan, env: Option<&str>, book: &PriceBook, settings: &Settings) -> Result<(Report, Vec<String>)> {
    match env {
        Some(name) => {
            let inputs = plan.env(name).ok_or_else(|| {
                Error::Usage(format!(
                    "no environment '{name}' in {}; environments: {}",
                    plan.origin,
                    plan.env_names().join(", ")
                ))
            })?;
            match env_report(plan, inputs, book, settings)? {
                Evaluated::Done { report, failure } => Ok((Report::One(report), failure.into_iter().collect())),
                Evaluated::Missing { reason, .. } => Err(Error::Usage(reason)),
            }
        }
        None => {
            let outcomes = in_parallel(&plan.envs, |e| env_report(plan, e, book, settings))?;
            let (mut envs, mut missing, mut failures) = (Vec::new(), Vec::new(), Vec::new());
            for outcome in outcomes {
                match outcome {
                    Evaluated::Done { report, failure } => {
                        envs.push(*report);
                        failures.extend(failure);
                    }
                    Evaluated::Missing { env, reason } => {
                        failures.push(format!("{env}: not evaluated: {reason}"));
                        missing.push(NotEvaluated { env, reason });
                    }
                }
            }
            let mut all = AllReport::new(envs);
            all.not_evaluated = missing;
            Ok((Report::All(all), failures))
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

/// Render `report` in `format` as bytes, or why it cannot be rendered (a value JSON cannot hold).
pub fn render_bytes(report: &Report, format: Format) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    report::render(report, format, &mut buf)
        .map_err(|e| Error::Usage(format!("the report cannot be written as {format:?}: {e}")))?;
    Ok(buf)
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
    let (report, failures) = build(&plan, args.env.as_deref(), &book, settings)?;
    let bytes = render_bytes(&report, args.format)?;
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
    for f in &failures {
        eprintln!("error: {f}");
    }
    Ok(if !failures.is_empty() {
        ExitCode::from(2)
    } else if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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
