//! One environment's evaluation, as `capplan report` and the app both make it: read or fetch
//! its metrics ([`gather`]), turn them into the measured workload, the discovered `current` and
//! the account of the fetch, and evaluate ([`evaluate`]). One path, so the app shows what the
//! report prints.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::model::ModelError;
use crate::model::measured_workload::measured_workload;
use crate::model::observed::{self, MetricsData};
use crate::model::price::PriceBook;
use crate::model::workload::{EnvInputs, Workload, WorkloadSource};
use crate::report::{self, EnvReport, Measurements, MetricsReport, OptionsFilter};
use crate::source::MetricsLocation;
use crate::source::live::{self, LiveMetrics};
use crate::source::plan::MetricsRef;

/// What an environment's metrics bring: the series and what they measured, and for a live
/// cache the fetch (the discovered cache, what it cost).
#[derive(Clone, Debug, PartialEq)]
pub struct Gathered {
    /// The series and the derived observations.
    pub data: MetricsData,
    /// The fetch, for a live cache.
    pub live: Option<LiveMetrics>,
}

impl Gathered {
    /// The same without the series (the derived figures and the fetch's account stay): what
    /// an environment out of view keeps.
    #[must_use]
    pub fn trimmed(&self) -> Gathered {
        Gathered {
            data: MetricsData {
                origin: self.data.origin.clone(),
                charts: Vec::new(),
                observed: self.data.observed.clone(),
            },
            live: self.live.as_ref().map(|l| LiveMetrics { series: serde_json::Value::Null, ..l.clone() }),
        }
    }
}

/// How a live cache's metrics are had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fetch {
    /// Fetch them now (the report; the app's refetch). With `--offline`, the user cache.
    Now,
    /// The last fetch in the user cache when there is one, else fetch now (the app opening).
    CachedFirst,
}

/// Read (a file) or fetch (a live cache) an environment's metrics. Blocking (a live fetch runs
/// its own runtime): call it off the event loop. Errors name the plan key and the source.
pub fn gather(
    m: &MetricsRef,
    location: &MetricsLocation,
    fetch: Fetch,
    now: DateTime<Utc>,
) -> Result<Gathered, String> {
    match location {
        MetricsLocation::Live(req) => {
            let cached = match fetch {
                Fetch::CachedFirst => live::cached(req).ok().flatten(),
                Fetch::Now => None,
            };
            let fetched = match cached {
                Some(c) => Ok(c),
                None => live::load(req, now),
            };
            gathered_live(m, location, fetched)
        }
        _ => {
            let series = location
                .load()
                .map_err(|e| format!("{}: {}: {e} (see the README for the metrics file shape)", m.at, m.key()))?;
            Ok(Gathered { data: observed::derive(&series, &location.name()), live: None })
        }
    }
}

/// A live cache's metrics as [`gather`] gives them, from a fetch already made (one of
/// [`live::load_all`]'s, whose series wait in the user cache). Errors name the plan key.
pub fn gathered_live(
    m: &MetricsRef,
    location: &MetricsLocation,
    fetched: Result<LiveMetrics, crate::source::SourceError>,
) -> Result<Gathered, String> {
    let at = |e: crate::source::SourceError| format!("{}: {}: {e}", m.at, m.key());
    let fetched = match location {
        MetricsLocation::Live(req) => fetched.and_then(|f| live::with_series(req, f)).map_err(at)?,
        _ => fetched.map_err(at)?,
    };
    let series = live::series(&fetched).map_err(at)?;
    let series = live::for_workload(&fetched.discovered, series);
    Ok(Gathered { data: observed::derive(&series, &location.name()), live: Some(fetched) })
}

/// An environment's report, or why it could not be made.
#[derive(Clone, Debug)]
pub enum Evaluated {
    /// The report; `failure` when its metrics could not be had (the plan's figures were used).
    Done {
        /// The report.
        report: Box<EnvReport>,
        /// Why the metrics are missing from it.
        failure: Option<String>,
    },
    /// Its metrics could not be had and the plan gives no workload: nothing to evaluate.
    Missing {
        /// Environment.
        env: String,
        /// Why.
        reason: String,
    },
}

/// What to evaluate an environment with beyond its plan: its metrics, and the app's what-if.
pub struct Inputs<'a> {
    /// The environment as the plan (and a what-if on engine or HA) says it.
    pub env: &'a EnvInputs,
    /// `[env.X.metrics]`, when the plan has it.
    pub metrics: Option<&'a MetricsRef>,
    /// Where they are.
    pub location: Option<&'a MetricsLocation>,
    /// What was read, or why nothing was (ignored without `metrics`).
    pub gathered: Result<&'a Gathered, String>,
    /// Use the measured workload (`None`: as the plan says, `workload = "measured" | "plan"`).
    pub use_measured: Option<bool>,
    /// A change to the workload that is used, measured or planned (the app's what-if).
    pub adjust: Option<&'a dyn Fn(&mut Workload)>,
    /// `--offline`: say so where the user cache stood in for a fetch.
    pub offline: bool,
    /// Which options the report lists (`--options`; the app lists them all).
    pub options: OptionsFilter,
}

/// Whether the environment's figures come from its metrics: as the plan says, unless overridden.
pub fn uses_measured(m: &MetricsRef, over: Option<bool>) -> bool {
    m.workload_from_metrics_only || over.unwrap_or(m.use_measured)
}

/// Evaluate one environment with what its metrics measured and the cache they came from. Pure
/// given what was gathered.
pub fn evaluate(
    i: &Inputs<'_>,
    book: &PriceBook,
    plan: &str,
    as_of: chrono::NaiveDate,
) -> Result<Evaluated, ModelError> {
    let adjusted = |w: &Workload| {
        let mut w = w.clone();
        if let Some(f) = i.adjust {
            f(&mut w);
        }
        w
    };
    let mut inputs = i.env.clone();
    inputs.workload = adjusted(&i.env.workload);
    let (Some(m), Some(location)) = (i.metrics, i.location) else {
        let report = report::evaluate_env_with(&inputs, &Measurements::default(), book, plan, as_of, i.options)?;
        return Ok(Evaluated::Done { report: Box::new(report), failure: None });
    };
    let g = match &i.gathered {
        Ok(g) => *g,
        Err(e) if m.workload_from_metrics_only => {
            return Ok(Evaluated::Missing {
                env: inputs.name.clone(),
                reason: format!("{e}; the plan has no [env.{}.workload] to fall back on", inputs.name),
            });
        }
        Err(e) => {
            let measurements = Measurements {
                source: Some(source_report(location, None, Some(e), false)),
                notes: vec![format!("metrics unavailable, the plan's workload is used: {e}")],
                ..Measurements::default()
            };
            let report = report::evaluate_env_with(&inputs, &measurements, book, plan, as_of, i.options)?;
            return Ok(Evaluated::Done { report: Box::new(report), failure: Some(e.clone()) });
        }
    };
    let o = &g.data.observed;
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
    if let Some(l) = g.live.as_ref().filter(|l| l.from_cache) {
        let why = if i.offline { "--offline: metrics" } else { "metrics" };
        notes.push(format!(
            "{why} fetched {} from the user cache ({} days of {})",
            l.fetched_at.format("%Y-%m-%d %H:%M UTC"),
            l.days,
            l.discovered.id
        ));
    }
    let source = match location {
        MetricsLocation::Live(_) => WorkloadSource::Cloudwatch,
        _ => WorkloadSource::File,
    };
    let measured = uses_measured(m, i.use_measured);
    let workload = measured.then(|| {
        let mut w = measured_workload(&inputs.name, &i.env.workload, !m.workload_from_metrics_only, o, source);
        w.workload = adjusted(&w.workload);
        w
    });
    let mut discovered_current = None;
    if let Some(l) = &g.live {
        let found = live::current_of(&l.discovered, &inputs, book);
        match (&inputs.current, found) {
            (None, Ok(c)) => discovered_current = Some(c),
            (Some(planned), Ok(c)) => notes.extend(live::disagreements(planned, &c, &l.discovered, book)),
            (_, Err(why)) => notes.push(format!("what runs could not be priced from ElastiCache: {why}")),
        }
    }
    let measurements = Measurements {
        metrics: Some(&g.data),
        workload,
        discovered_current,
        source: Some(source_report(location, Some(g), None, measured)),
        notes,
        plan_workload_written: !m.workload_from_metrics_only,
    };
    let report = report::evaluate_env_with(&inputs, &measurements, book, plan, as_of, i.options)?;
    Ok(Evaluated::Done { report: Box::new(report), failure: None })
}

/// The report's account of where the metrics came from.
fn source_report(
    location: &MetricsLocation,
    g: Option<&Gathered>,
    error: Option<&str>,
    used_for_workload: bool,
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
        calls_shared_with: fetched_now.map_or(0, |l| l.stats.shared_with),
        metrics_requested: fetched_now.map_or(0, |l| l.stats.metrics_requested),
        cost_usd: fetched_now.map_or(Decimal::ZERO, |l| l.stats.cost_usd),
        used_for_workload: used_for_workload && g.is_some(),
        error: error.map(ToString::to_string),
    }
}
