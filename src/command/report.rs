//! `capplan report`: evaluate environments and render the report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::ReportArgs;
use crate::error::{Error, Result};
use chrono::Utc;

use std::collections::HashMap;

use crate::evaluation::{self, Evaluated, Fetch, gather, gathered_live};
use crate::model::observed::MetricsData;
use crate::model::price::PriceBook;
use crate::model::workload::EnvInputs;
use crate::report::stream::{AllWriter, Chunk};
use crate::report::{self, EnvReport, Format, NotEvaluated, OptionsFilter, Report};
use crate::settings::Settings;
use crate::source::MetricsLocation;
use crate::source::SourceError;
use crate::source::live::{self, LiveMetrics, LiveRequest};
use crate::source::plan::Plan;
use crate::source::prices;

use super::{charts, same_file, write_atomically_with};
use crate::settings::PlanSource;

/// Evaluate one environment with what its metrics measured and the cache they came from, its
/// report listing the options `options` keeps; the series too, when there are any (the charts
/// draw them).
pub(crate) fn env_report(
    plan: &Plan,
    inputs: &EnvInputs,
    book: &PriceBook,
    settings: &Settings,
    options: OptionsFilter,
    prefetched: &Prefetched,
) -> Result<(Evaluated, Option<MetricsData>)> {
    let m = plan.metrics_of(&inputs.name);
    let location = m.map(|m| settings.metrics_location(m, &inputs.region));
    let gathered = match (m, &location) {
        (Some(m), Some(location)) => {
            let result = match prefetched.of(location) {
                Some(fetched) => gathered_live(m, location, fetched),
                None => gather(m, location, Fetch::Now, Utc::now()),
            };
            match result {
                Ok(g) => Some(Ok(g)),
                // a file the plan names is part of the plan: its errors are the plan's
                Err(e) if !matches!(location, MetricsLocation::Live(_)) => return Err(Error::Usage(e)),
                Err(e) => Some(Err(e)),
            }
        }
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
        options,
    };
    let evaluated = evaluation::evaluate(&inputs, book, &plan.origin, settings.as_of)?;
    Ok((evaluated, gathered.and_then(std::result::Result::ok).map(|g| g.data)))
}

/// The live caches of a plan, fetched together before its environments are evaluated: one
/// listing and one set of shared `GetMetricData` calls per region ([`live::load_all`]), not a
/// lookup and a fetch per environment.
#[derive(Debug, Default)]
pub(crate) struct Prefetched(HashMap<LiveRequest, std::result::Result<LiveMetrics, SourceError>>);

impl Prefetched {
    /// Fetch every live cache `plan`'s environments name, when there are more than one (one is
    /// fetched as the environment is evaluated); says on stderr what it fetches.
    fn of_plan(plan: &Plan, settings: &Settings) -> Prefetched {
        let mut reqs: Vec<LiveRequest> = Vec::new();
        for env in &plan.envs {
            if let Some(m) = plan.metrics_of(&env.name)
                && let MetricsLocation::Live(req) = settings.metrics_location(m, &env.region)
                && !reqs.contains(&req)
            {
                reqs.push(req);
            }
        }
        if reqs.len() < 2 {
            return Prefetched::default();
        }
        let fetched = live::load_all(&reqs, Utc::now(), &|line| eprintln!("{line}"));
        Prefetched(reqs.into_iter().zip(fetched).collect())
    }

    /// The fetch of a live location, when it was made.
    fn of(&self, location: &MetricsLocation) -> Option<std::result::Result<LiveMetrics, SourceError>> {
        match location {
            MetricsLocation::Live(req) => self.0.get(req).cloned(),
            _ => None,
        }
    }
}

/// Where `--charts` writes and what the report's links are relative to.
struct ChartsTo<'a> {
    /// The folder the charts go to.
    dir: &'a Path,
    /// The folder the links start from.
    base: PathBuf,
}

/// With `--charts`: draw the environment's charts and list them in its report.
fn add_charts(
    report: &mut EnvReport,
    inputs: &EnvInputs,
    metrics: Option<&MetricsData>,
    book: &PriceBook,
    to: Option<&ChartsTo<'_>>,
) -> Result<()> {
    if let Some(to) = to {
        report.charts = charts::write_env_charts(report, inputs, metrics, book, to.dir, &to.base)?;
    }
    Ok(())
}

/// Environments evaluated at once beyond the workers' own: how far the evaluation may run ahead
/// of the writing (bounds what waits in memory to be written).
const AHEAD_PER_WORKER: usize = 4;

/// What a report run found beside the report itself.
#[derive(Debug, Default)]
struct Found {
    /// Environments with no feasible option or over their budget (exit status 1).
    problems: Vec<String>,
    /// Metrics that could not be had, environments not evaluated (exit status 2).
    failures: Vec<String>,
}

/// An I/O error writing the report to `to`.
fn write_error(source: std::io::Error, to: Option<&Path>) -> Error {
    Error::Io { action: "write", path: to.map_or_else(|| "stdout".into(), Path::to_path_buf), source }
}

/// A report that cannot be rendered (a value JSON cannot hold).
fn render_error(format: Format, e: &std::io::Error) -> Error {
    Error::Usage(format!("the report cannot be written as {format:?}: {e}"))
}

/// Write what `write` writes to `output` (atomically), or to stdout, where a closed pipe
/// (`capplan report | head`) ends the writing without an error.
fn write_to(output: Option<&Path>, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    match output {
        Some(path) => {
            write_atomically_with(path, write)?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            match write(&mut out).and_then(|()| out.flush().map_err(|e| write_error(e, None))) {
                Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
                    // nothing more can be written: drop what is buffered rather than flush it again
                    let _ = out.into_parts();
                    Ok(())
                }
                other => other,
            }
        }
    }
}

/// The report of one environment, its options as `--options` lists them, written to `out`.
fn one(
    plan: &Plan,
    name: &str,
    book: &PriceBook,
    settings: &Settings,
    args: &ReportArgs,
    charts_to: Option<&ChartsTo<'_>>,
    out: &mut dyn Write,
    to: Option<&Path>,
) -> Result<Found> {
    let inputs = plan.env(name).ok_or_else(|| {
        Error::Usage(format!(
            "no environment '{name}' in {}; environments: {}",
            plan.origin,
            plan.env_names().join(", ")
        ))
    })?;
    let (evaluated, metrics) = env_report(plan, inputs, book, settings, args.options_filter(), &Prefetched::default())?;
    let (mut report, failure) = match evaluated {
        Evaluated::Done { report, failure } => (report, failure),
        Evaluated::Missing { reason, .. } => return Err(Error::Usage(reason)),
    };
    add_charts(&mut report, inputs, metrics.as_ref(), book, charts_to)?;
    let found = Found { problems: problems(&report), failures: failure.into_iter().collect() };
    let bytes = render_bytes(&Report::One(report), args.format)?;
    out.write_all(&bytes).map_err(|e| write_error(e, to))?;
    Ok(found)
}

/// One environment, evaluated and rendered by a worker, on its way to the writer.
enum Done {
    /// Its part of the report and what it found.
    Chunk(Box<Chunk>, Found),
    /// It could not be evaluated.
    Missing(NotEvaluated),
}

/// The report of every environment, written to `out` as the environments are evaluated (on
/// every core, written in plan order), each listing its options as `--options` says.
fn all(
    plan: &Plan,
    book: &PriceBook,
    settings: &Settings,
    args: &ReportArgs,
    charts_to: Option<&ChartsTo<'_>>,
    out: &mut dyn Write,
    to: Option<&Path>,
) -> Result<Found> {
    let (format, filter) = (args.format, args.options_filter());
    let prefetched = Prefetched::of_plan(plan, settings);
    let work = |inputs: &EnvInputs| -> Result<Done> {
        let (evaluated, metrics) = env_report(plan, inputs, book, settings, filter, &prefetched)?;
        Ok(match evaluated {
            Evaluated::Done { mut report, failure } => {
                add_charts(&mut report, inputs, metrics.as_ref(), book, charts_to)?;
                let found = Found { problems: problems(&report), failures: failure.into_iter().collect() };
                let chunk = Chunk::of(&report, format).map_err(|e| render_error(format, &e))?;
                Done::Chunk(Box::new(chunk), found)
            }
            Evaluated::Missing { env, reason } => Done::Missing(NotEvaluated { env, reason }),
        })
    };
    let mut writer = AllWriter::new(format, out);
    let mut found = Found::default();
    let mut missing = Vec::new();
    let ahead = rayon::current_num_threads() * AHEAD_PER_WORKER;
    // an environment with metrics reads them before it is evaluated: start it first
    let slow = |inputs: &EnvInputs| plan.metrics_of(&inputs.name).is_some();
    in_order(&plan.envs, ahead, slow, work, |done| {
        match done? {
            Done::Chunk(chunk, f) => {
                writer.write(&chunk).map_err(|e| write_error(e, to))?;
                found.problems.extend(f.problems);
                found.failures.extend(f.failures);
            }
            Done::Missing(m) => {
                found.failures.push(format!("{}: not evaluated: {}", m.env, m.reason));
                missing.push(m);
            }
        }
        Ok(())
    })?;
    writer.finish(&missing).map_err(|e| write_error(e, to))?;
    Ok(found)
}

/// `work` on each of `items` on every core (rayon's pool), and `sink` on each result in the
/// items' order as soon as it and those before it are done. At most `ahead` items are under way
/// or waiting for the sink at any time, so memory stays bounded whatever the number of items.
/// Items are taken window by window (`ahead` at a time, in order), and within a window the
/// `slow` ones first, so that a long item overlaps short ones instead of ending the window
/// alone. The first error `sink` returns stops the work and is returned; a panic in `work` is a
/// bug and propagates as one.
fn in_order<T: Sync, R: Send>(
    items: &[T],
    ahead: usize,
    slow: impl Fn(&T) -> bool,
    work: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(R) -> Result<()>,
) -> Result<()> {
    use rayon::iter::{ParallelBridge, ParallelIterator};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc;

    let ahead = ahead.max(1);
    let taking = taking_order(items, ahead, slow);
    let stop = AtomicBool::new(false);
    // one ticket per item that may be taken: `ahead` to start with, one more per item sunk
    let (tickets, ticket) = mpsc::channel::<()>();
    for _ in 0..ahead {
        let _ = tickets.send(());
    }
    let (done_tx, done) = mpsc::channel::<(usize, R)>();
    std::thread::scope(|scope| {
        let (stop, work) = (&stop, &work);
        scope.spawn(move || {
            taking
                .iter()
                .map(|&i| (i, &items[i]))
                .map_while(move |item| (ticket.recv().is_ok() && !stop.load(Ordering::Relaxed)).then_some(item))
                .par_bridge()
                .for_each_with(done_tx, |tx, (i, item)| {
                    if !stop.load(Ordering::Relaxed) {
                        // the receiver is gone only once the sink has stopped
                        let _ = tx.send((i, work(item)));
                    }
                });
        });
        let mut pending = std::collections::BTreeMap::new();
        let mut next = 0;
        let mut sunk = || -> Result<()> {
            for (i, r) in &done {
                pending.insert(i, r);
                while let Some(r) = pending.remove(&next) {
                    next += 1;
                    sink(r)?;
                    let _ = tickets.send(());
                }
            }
            Ok(())
        };
        let result = sunk();
        // on an error no more items are taken, and what is under way is not waited for
        stop.store(true, Ordering::Relaxed);
        drop(tickets);
        drop(done);
        result
    })
}

/// The order [`in_order`] takes `items` in: window by window of `ahead`, the `slow` ones of a
/// window first. Windows never wait on each other: when all `ahead` tickets are held, every
/// held item is in the window being taken (the ones before it are sunk), so the next item to
/// sink has been taken, or a ticket is free to take it.
fn taking_order<T>(items: &[T], ahead: usize, slow: impl Fn(&T) -> bool) -> Vec<usize> {
    (0..items.len())
        .step_by(ahead.max(1))
        .flat_map(|start| {
            let window = start..(start + ahead.max(1)).min(items.len());
            let (first, then): (Vec<usize>, Vec<usize>) = window.partition(|&i| slow(&items[i]));
            first.into_iter().chain(then)
        })
        .collect()
}

/// Render `report` in `format` as bytes, or why it cannot be rendered (a value JSON cannot hold).
pub fn render_bytes(report: &Report, format: Format) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    report::render(report, format, &mut buf).map_err(|e| render_error(format, &e))?;
    Ok(buf)
}

/// Run `capplan report`.
pub fn exec(args: &ReportArgs, settings: &Settings) -> Result<ExitCode> {
    // `-o -` is stdout, as for most Unix tools
    let output = args.output.as_deref().filter(|p| *p != Path::new("-"));
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
    let charts_to = match &args.charts {
        Some(dir) => {
            charts::prepare_dir(dir)?;
            Some(ChartsTo { dir, base: charts::link_base(output) })
        }
        None => None,
    };
    let charts_to = charts_to.as_ref();
    let mut found = Found::default();
    write_to(output, |out| {
        found = match args.env.as_deref() {
            Some(name) => one(&plan, name, &book, settings, args, charts_to, out, output)?,
            None => all(&plan, &book, settings, args, charts_to, out, output)?,
        };
        Ok(())
    })?;
    for p in &found.problems {
        eprintln!("{p}");
    }
    for f in &found.failures {
        eprintln!("error: {f}");
    }
    Ok(if !found.failures.is_empty() {
        ExitCode::from(2)
    } else if found.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// What makes the environment exit 1: no feasible option, or over its budget.
fn problems(env: &EnvReport) -> Vec<String> {
    let mut out = Vec::new();
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
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Results come in the items' order whatever order the workers finish in, and no more than
    /// `ahead` items are under way or waiting at once.
    #[test]
    fn in_order_sinks_in_order_and_runs_at_most_ahead() {
        let items: Vec<u64> = (0..200).collect();
        let (under_way, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let sunk_count = AtomicUsize::new(0);
        let mut sunk = Vec::new();
        in_order(
            &items,
            6,
            |&i| i % 5 == 3,
            |&i| {
                let now = under_way.fetch_add(1, Ordering::SeqCst) + 1 - sunk_count.load(Ordering::SeqCst);
                most.fetch_max(now, Ordering::SeqCst);
                // later items often finish first
                std::thread::sleep(std::time::Duration::from_micros((i * 7919) % 500));
                i
            },
            |i| {
                sunk.push(i);
                sunk_count.fetch_add(1, Ordering::SeqCst);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(sunk, items);
        assert!(most.load(Ordering::SeqCst) <= 6, "{} at once", most.load(Ordering::SeqCst));
    }

    /// The slow items of each window are taken first, each item once, windows in order.
    #[test]
    fn the_slow_items_of_a_window_are_taken_first() {
        let items: Vec<u32> = (0..10).collect();
        assert_eq!(taking_order(&items, 4, |&i| i == 2 || i == 3 || i == 9), [2, 3, 0, 1, 4, 5, 6, 7, 9, 8]);
        assert_eq!(taking_order(&items, 1, |&i| i % 2 == 0), (0..10).collect::<Vec<_>>());
        assert_eq!(taking_order(&items, 0, |_| true), (0..10).collect::<Vec<_>>());
        assert_eq!(taking_order(&items, 32, |&i| i >= 8), [8, 9, 0, 1, 2, 3, 4, 5, 6, 7]);
        assert!(taking_order(&Vec::<u32>::new(), 4, |_| true).is_empty());
    }

    /// The first error the sink returns stops the work and is the result.
    #[test]
    fn in_order_stops_at_the_first_error() {
        let items: Vec<u32> = (0..1000).collect();
        let worked = AtomicUsize::new(0);
        let mut sunk = Vec::new();
        let err = in_order(
            &items,
            4,
            |&i| i % 2 == 1,
            |&i| {
                worked.fetch_add(1, Ordering::SeqCst);
                i
            },
            |i| {
                if i == 10 {
                    return Err(Error::Usage("stop at 10".into()));
                }
                sunk.push(i);
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "stop at 10");
        assert_eq!(sunk, (0..10).collect::<Vec<_>>());
        assert!(worked.load(Ordering::SeqCst) < 30, "{} items worked on", worked.load(Ordering::SeqCst));
    }
}
