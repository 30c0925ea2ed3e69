//! `capplan report`: evaluate environments and render the report.

use std::process::ExitCode;

use crate::cli::ReportArgs;
use crate::error::{Error, Result};
use chrono::Utc;

use crate::model::measured_workload::measured_workload;
use crate::model::observed::{self, MetricsData};
use crate::model::price::PriceBook;
use crate::model::workload::EnvInputs;
use crate::model::workload::WorkloadSource;
use crate::report::{self, AllReport, EnvReport, Format, Measurements, MetricsReport, NotEvaluated, Report};
use crate::settings::Settings;
use crate::source::MetricsLocation;
use crate::source::live::{self, LiveMetrics};
use crate::source::plan::MetricsRef;
use crate::source::plan::Plan;
use crate::source::prices;

use super::{same_file, write_atomically, write_stdout};
use crate::settings::PlanSource;

/// An environment's report, or why it could not be made.
enum Evaluated {
    /// The report; `failure` when its metrics could not be had (the plan's figures were used).
    Done { report: Box<EnvReport>, failure: Option<String> },
    /// Its metrics could not be had and the plan gives no workload: nothing to evaluate.
    Missing { env: String, reason: String },
}

/// What an environment's metrics bring: the series, the fetch, the discovered cache.
struct Gathered {
    data: MetricsData,
    live: Option<LiveMetrics>,
}

/// Read (a file) or fetch (a live cache; the user cache with --offline) an environment's metrics.
fn gather(m: &MetricsRef, location: &MetricsLocation) -> std::result::Result<Gathered, String> {
    match location {
        MetricsLocation::Live(req) => {
            let fetched = live::load(req, Utc::now()).map_err(|e| format!("{}: {}: {e}", m.at, m.key()))?;
            let series = live::series(&fetched).map_err(|e| format!("{}: {}: {e}", m.at, m.key()))?;
            let series = live::for_workload(&fetched.discovered, series);
            Ok(Gathered { data: observed::derive(&series, &location.name()), live: Some(fetched) })
        }
        _ => {
            let series = location
                .load()
                .map_err(|e| format!("{}: {}: {e} (see the README for the metrics file shape)", m.at, m.key()))?;
            Ok(Gathered { data: observed::derive(&series, &location.name()), live: None })
        }
    }
}

/// The report's account of where the metrics came from.
fn source_report(
    m: &MetricsRef,
    location: &MetricsLocation,
    g: Option<&Gathered>,
    error: Option<&str>,
) -> MetricsReport {
    let live = g.and_then(|g| g.live.as_ref());
    let fetched_now = live.filter(|l| !l.from_cache);
    let (source, name, region, days) = match location {
        MetricsLocation::Live(req) => {
            ("cloudwatch", req.cache.id().to_string(), Some(req.region.clone()), Some(req.days))
        }
        other => ("file", other.name(), None, None),
    };
    MetricsReport {
        source: source.to_string(),
        name,
        region,
        days,
        fetched_at: live.map(|l| l.fetched_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        from_cache: live.is_some_and(|l| l.from_cache),
        api_calls: fetched_now.map_or(0, |l| l.stats.calls),
        metrics_requested: fetched_now.map_or(0, |l| l.stats.metrics_requested),
        cost_usd: fetched_now.map_or(rust_decimal::Decimal::ZERO, |l| l.stats.cost_usd),
        used_for_workload: m.use_measured && g.is_some(),
        error: error.map(ToString::to_string),
    }
}

/// Evaluate one environment with what its metrics measured and the cache they came from.
fn env_report(plan: &Plan, inputs: &EnvInputs, book: &PriceBook, settings: &Settings) -> Result<Evaluated> {
    let Some(m) = plan.metrics_of(&inputs.name) else {
        let report = report::evaluate_env(inputs, None, book, &plan.origin, settings.as_of)?;
        return Ok(Evaluated::Done { report: Box::new(report), failure: None });
    };
    let location = settings.metrics_location(m, &inputs.region);
    let gathered = match gather(m, &location) {
        Ok(g) => g,
        // a file the plan names is part of the plan: its errors are the plan's
        Err(e) if !matches!(location, MetricsLocation::Live(_)) => return Err(Error::Usage(e)),
        Err(e) if m.workload_from_metrics_only => {
            return Ok(Evaluated::Missing {
                env: inputs.name.clone(),
                reason: format!("{e}; the plan has no [env.{}.workload] to fall back on", inputs.name),
            });
        }
        Err(e) => {
            let measurements = Measurements {
                source: Some(source_report(m, &location, None, Some(&e))),
                notes: vec![format!("metrics unavailable, the plan's workload is used: {e}")],
                ..Measurements::default()
            };
            let report = report::evaluate_env_with(inputs, &measurements, book, &plan.origin, settings.as_of)?;
            return Ok(Evaluated::Done { report: Box::new(report), failure: Some(e) });
        }
    };
    let o = &gathered.data.observed;
    if m.workload_from_metrics_only && o.data_gib.is_none() && o.requests_per_sec.is_none() {
        return Ok(Evaluated::Missing {
            env: inputs.name.clone(),
            reason: format!(
                "{}: {}: {} has no data or request metrics for the window; add [env.{}.workload] with the figures",
                m.at,
                m.key(),
                location.name(),
                inputs.name
            ),
        });
    }
    let mut notes = Vec::new();
    if let Some(l) = gathered.live.as_ref().filter(|l| l.from_cache) {
        notes.push(format!(
            "--offline: metrics fetched {} from the user cache ({} days of {})",
            l.fetched_at.format("%Y-%m-%d %H:%M UTC"),
            l.days,
            l.discovered.id
        ));
    }
    let source = match &location {
        MetricsLocation::Live(_) => WorkloadSource::Cloudwatch,
        _ => WorkloadSource::File,
    };
    let workload = m.use_measured.then(|| {
        measured_workload(
            &inputs.name,
            &inputs.workload,
            !m.workload_from_metrics_only,
            &gathered.data.observed,
            source,
        )
    });
    let mut discovered_current = None;
    if let Some(l) = &gathered.live {
        let found = live::current_of(&l.discovered, inputs, book);
        match (&inputs.current, found) {
            (None, Ok(c)) => discovered_current = Some(c),
            (Some(planned), Ok(c)) => notes.extend(live::disagreements(planned, &c, &l.discovered, book)),
            (_, Err(why)) => notes.push(format!("what runs could not be priced from ElastiCache: {why}")),
        }
    }
    let measurements = Measurements {
        metrics: Some(&gathered.data),
        workload,
        discovered_current,
        source: Some(source_report(m, &location, Some(&gathered), None)),
        notes,
        plan_workload_written: !m.workload_from_metrics_only,
    };
    let report = report::evaluate_env_with(inputs, &measurements, book, &plan.origin, settings.as_of)?;
    Ok(Evaluated::Done { report: Box::new(report), failure: None })
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
    let (report, failures) = build(&plan, args.env.as_deref(), &book, settings)?;
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
