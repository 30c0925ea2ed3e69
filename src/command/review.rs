//! `capplan review`: the monthly cost review. Reads each environment's metrics for the month
//! (a metrics file, or CloudWatch), evaluates it as the report does on the month's measured
//! workload, hands everything to the pure [`crate::model::review::review`], renders the result
//! and saves it as `capplan-review-YYYY-MM.json` beside the plan for next month's comparison.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::cli::ReviewArgs;
use crate::error::{Error, Result};
use crate::evaluation::{self, Evaluated, Gathered};
use crate::model::bill::{Bill, Month};
use crate::model::cost::Unit;
use crate::model::evaluate::OptionKind;
use crate::model::observed::{self, MetricSeries};
use crate::model::price::PriceBook;
use crate::model::review::{
    self, BillMatch, Capacity, ChartLink, EnvInput, NotReviewed, PreviousReview, PricedLine, PricedOption, Review,
};
use crate::model::workload::{Deployment, EnvInputs};
use crate::report::{EnvReport, OptionReport};
use crate::settings::{PlanSource, Settings};
use crate::source::MetricsLocation;
use crate::source::live::{self, LiveRequest};
use crate::source::plan::{MetricsOrigin, Plan, ReviewRef};
use crate::source::prices;

use super::{dir_of, same_file, write_atomically, write_atomically_with};

/// The month before the one `today` is in: what `--month` defaults to.
pub fn default_month(today: NaiveDate) -> Month {
    let this = Month { year: today.year(), month: today.month() };
    this.previous()
}

/// The file a review of `month` is saved as, in `dir`.
pub fn review_file(dir: &Path, month: Month) -> PathBuf {
    dir.join(format!("capplan-review-{month}.json"))
}

/// The folder beside the plan (the current folder for the bundled plan).
fn plan_dir(settings: &Settings) -> PathBuf {
    match &settings.plan {
        PlanSource::File(p) => dir_of(p).to_path_buf(),
        PlanSource::Bundled => PathBuf::from("."),
    }
}

/// An environment's share of the work: reviewed, skipped (the plan does not give what a review
/// needs), or failed (its metrics could not be had for the month).
enum Outcome {
    Input(Box<EnvInput>, Vec<ChartLink>),
    Skipped(NotReviewed),
    Failed(NotReviewed),
}

fn unit_of(id: &str) -> Option<Unit> {
    [
        Unit::NodeHour,
        Unit::GbHour,
        Unit::MillionEcpu,
        Unit::GbMonth,
        Unit::HundredThousandCommands,
        Unit::Gb,
        Unit::Month,
    ]
    .into_iter()
    .find(|u| u.id() == id)
}

fn label(o: &OptionReport) -> String {
    match (o.kind, &o.node_type, o.shards, o.replicas) {
        (OptionKind::Node, Some(node), Some(shards), Some(replicas)) => format!(
            "{} {} x {node} ({shards} shard{} x {} node{}), {}",
            o.engine.label(),
            shards * (1 + replicas),
            if shards == 1 { "" } else { "s" },
            1 + replicas,
            if replicas == 0 { "" } else { "s" },
            o.term.as_deref().unwrap_or("on-demand")
        ),
        (OptionKind::Serverless, ..) => format!("ElastiCache Serverless {}", o.engine.label()),
        (OptionKind::Upstash, ..) => format!("Upstash {}", o.plan.as_deref().unwrap_or("")),
        _ => o.id.clone(),
    }
}

fn priced(
    o: &OptionReport,
    env: &EnvReport,
    inputs: &EnvInputs,
    book: &PriceBook,
) -> std::result::Result<PricedOption, String> {
    let mut lines = Vec::new();
    for l in &o.lines {
        let unit = unit_of(l.unit).ok_or_else(|| format!("line '{}' has an unknown unit '{}'", l.item, l.unit))?;
        lines.push(PricedLine {
            item: l.item.clone(),
            quantity: l.quantity,
            unit,
            unit_usd: l.unit_usd,
            source: format!("{} ({})", l.price_source.id(), l.price_source.date()),
            unverified: l.unverified.clone(),
        });
    }
    let serverless = o.kind == OptionKind::Serverless;
    Ok(PricedOption {
        id: o.id.clone(),
        label: label(o),
        serverless,
        min_storage_gb: serverless
            .then(|| book.serverless(&env.region, o.engine).map(|r| r.min_storage_gb.gb))
            .flatten(),
        min_ecpu_per_sec: serverless.then_some(inputs.workload.min_ecpu_per_sec).filter(|m| *m > Decimal::ZERO),
        lines,
    })
}

/// What the current deployment is provisioned for.
fn capacity(inputs: &EnvInputs, current: &OptionReport, env: &EnvReport, book: &PriceBook) -> Capacity {
    let mut c = Capacity::default();
    match current.kind {
        OptionKind::Node | OptionKind::Split => {
            let name = current.state.as_ref().map(|s| s.node_type.as_str()).or(current.node_type.as_deref());
            let shards = current.state.as_ref().map(|s| s.shards).or(current.shards).unwrap_or(1);
            if let Some(node) = name.and_then(|n| book.catalog.find(n)).map(|id| book.catalog.node(id)) {
                let usable = 1.0 - env.policy.reserved_memory_pct / 100.0;
                c.memory_gib = Some(node.memory_gib() * usable * f64::from(shards.max(1)));
                c.connections = Some(f64::from(node.maxclients));
                c.network_gbps = Some(node.baseline_gbps);
            }
        }
        OptionKind::Serverless => {
            c.min_storage_gb = book.serverless(&env.region, current.engine).map(|r| r.min_storage_gb.gb);
            let limits = inputs.current.as_ref().and_then(|cur| match &cur.deployment {
                Deployment::Serverless { limits, .. } => limits.max_data_gb,
                _ => None,
            });
            c.max_data_gb = limits.map(crate::model::units::to_f64);
        }
        OptionKind::Upstash => {}
    }
    c
}

/// How a bill line is found to be this environment's: by the cache ids `[env.NAME.review]
/// resources` lists, the live cache `[env.NAME.metrics]` names and the clusters its metrics
/// file measured (member clusters `<group>-0001-001` give their group), or by the cost
/// allocation tag `[env.NAME.review] tag`.
fn bill_match(metrics: Option<&MetricsOrigin>, review: Option<&ReviewRef>, series: &[MetricSeries]) -> BillMatch {
    let mut ids: Vec<String> = review.map(|r| r.resources.clone()).unwrap_or_default();
    if let Some(MetricsOrigin::Aws(cache)) = metrics {
        ids.push(cache.id().to_string());
    }
    for s in series {
        for dim in s.dimension.split([';', ',']) {
            let Some((name, value)) = dim.split_once('=') else { continue };
            if !matches!(name.trim(), "CacheClusterId" | "clusterId") {
                continue;
            }
            let value = value.trim();
            // `<group>-0001-001` (or `<group>-001`): the group's id
            let group = member_group(value);
            for id in [group, value] {
                if !id.is_empty() && !ids.iter().any(|i| i == id) {
                    ids.push(id.to_string());
                }
            }
        }
    }
    BillMatch { resources: ids, tag: review.and_then(|r| r.tag.clone()) }
}

/// The replication group of a member cluster id (`shop-prod-0001-001` → `shop-prod`,
/// `shop-prod-001` → `shop-prod`); any other id as it is.
fn member_group(id: &str) -> &str {
    // ElastiCache numbers nodes with 3 digits and shards with 4: `shop-prod-2` is a cache
    let digits = |n: &str, len: usize| n.len() == len && n.bytes().all(|b| b.is_ascii_digit());
    match id.rsplit_once('-') {
        Some((rest, n)) if digits(n, 3) => match rest.rsplit_once('-') {
            Some((group, m)) if digits(m, 4) => group,
            _ => rest,
        },
        _ => id,
    }
}

/// The series of a location for `month`. A live cache is fetched from the month's start to now
/// (the user cache keeps the fetch by its window), then cut to the month.
fn month_series(
    location: &MetricsLocation,
    month: Month,
    settings: &Settings,
) -> std::result::Result<(Vec<MetricSeries>, Option<live::LiveMetrics>), String> {
    match location {
        MetricsLocation::Live(req) => {
            let now = chrono::Utc::now();
            let age_days = (now.timestamp() - month.start_epoch()).div_euclid(86_400) + 1;
            if age_days <= 0 {
                return Err(format!("{month} has not started yet"));
            }
            // CloudWatch keeps hourly data 455 days
            let days = u32::try_from(age_days).unwrap_or(u32::MAX);
            if days > 455 {
                return Err(format!(
                    "{month} is older than the 455 days CloudWatch keeps; review it from an exported metrics file"
                ));
            }
            let req = LiveRequest { days, offline: settings.offline, ..req.clone() };
            let fetched = live::load(&req, now).map_err(|e| e.to_string())?;
            let series = live::series(&fetched).map_err(|e| e.to_string())?;
            let kept = review::in_month(&live::for_workload(&fetched.discovered, series), month);
            if kept.is_empty() {
                return Err(format!(
                    "CloudWatch has no points of the {} in {month} (fetched {} days to {})",
                    live::describe(&req),
                    fetched.days,
                    fetched.fetched_at.format("%Y-%m-%d %H:%M UTC")
                ));
            }
            Ok((kept, Some(fetched)))
        }
        other => {
            let series = other.load().map_err(|e| format!("{e} (see the README for the metrics file shape)"))?;
            let kept = review::in_month(&series, month);
            if kept.is_empty() {
                let span = review::span(&series).map_or_else(
                    || "they hold no points".to_string(),
                    |(a, b)| format!("they run from {} to {}", day(a), day(b)),
                );
                return Err(format!(
                    "the metrics in {} cover none of {month} ({span}); choose the month they cover with --month",
                    other.name()
                ));
            }
            Ok((kept, None))
        }
    }
}

fn day(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).map_or_else(|| secs.to_string(), |d| d.format("%Y-%m-%d").to_string())
}

/// One environment's input to the review.
/// Where `--charts` draws, and the folder the review's links start from.
struct ChartsTo {
    dir: PathBuf,
    base: PathBuf,
}

fn env_input(
    plan: &Plan,
    inputs: &EnvInputs,
    month: Month,
    book: &PriceBook,
    settings: &Settings,
    charts_to: Option<&ChartsTo>,
) -> Result<Outcome> {
    let name = &inputs.name;
    let skip = |reason: String| Ok(Outcome::Skipped(NotReviewed { env: name.clone(), reason }));
    let fail = |reason: String| Ok(Outcome::Failed(NotReviewed { env: name.clone(), reason }));
    let Some(m) = plan.metrics_of(name) else {
        return skip(format!(
            "no metrics: add [env.{name}.metrics] with a file (a CloudWatch export) or a live cache to review it"
        ));
    };
    let live_cache = matches!(m.origin, MetricsOrigin::Aws(_));
    if inputs.current.is_none() && !live_cache {
        return skip(format!(
            "no current deployment: add [env.{name}.current] or name a live cache in [env.{name}.metrics]"
        ));
    }
    let location = settings.metrics_location(m, &inputs.region);
    let (series, fetched) = match month_series(&location, month, settings) {
        Ok(s) => s,
        Err(e) => return fail(format!("{}: {}: {e}", m.at, m.key())),
    };
    let gathered = Gathered { data: observed::derive(&series, &location.name()), live: fetched };
    let eval = evaluation::Inputs {
        env: inputs,
        metrics: Some(m),
        location: Some(&location),
        gathered: Ok(&gathered),
        use_measured: Some(true),
        adjust: None,
        offline: settings.offline,
        options: crate::report::OptionsFilter::All,
    };
    // the month's own date: Extended Support is billed from the 1st of the month it starts in,
    // so whether (and which year of) it applies is the reviewed month's, not today's
    let month_start = NaiveDate::from_ymd_opt(month.year, month.month, 1).unwrap_or(settings.as_of);
    let report = match evaluation::evaluate(&eval, book, &plan.origin, month_start) {
        Ok(Evaluated::Done { report, .. }) => report,
        Ok(Evaluated::Missing { reason, .. }) => return fail(reason),
        Err(e) => return fail(e.to_string()),
    };
    let Some(current) = report.current.as_ref() else {
        return skip(format!(
            "no current deployment: add [env.{name}.current] or name a live cache in [env.{name}.metrics]"
        ));
    };
    let current_priced = match priced(current, &report, inputs, book) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let recommended = match report.recommended().map(|r| priced(r, &report, inputs, book)).transpose() {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let mut notes = Vec::new();
    if recommended.is_none() {
        notes.push("nothing fits the month's measured workload: no recommended option to compare with".to_string());
    }
    let retention = inputs.current.as_ref().map_or(inputs.snapshot_retention_days, |c| c.backup.retention_days);
    // the month's series against the capacity of what runs and of the recommendation
    let charts = match charts_to {
        Some(to) => super::charts::write_env_charts(&report, inputs, Some(&gathered.data), book, &to.dir, &to.base)?
            .into_iter()
            .map(|c| ChartLink { chart: c.chart, title: c.title, svg: c.svg, png: c.png })
            .collect(),
        None => Vec::new(),
    };
    let input = EnvInput {
        env: name.clone(),
        metrics_origin: location.name(),
        capacity: capacity(inputs, current, &report, book),
        bill_match: bill_match(Some(&m.origin), plan.review_of(name), &series),
        series,
        current: current_priced,
        recommended,
        eviction_is_loss: inputs.role.eviction_is_loss() || inputs.workload.must_not_evict,
        headroom: inputs.policy.headroom,
        snapshot_retention_days: retention,
        notes,
    };
    Ok(Outcome::Input(Box::new(input), charts))
}

/// Read the previous month's review beside the plan: `Ok(None)` when there is none, `Err`
/// (a warning) when it cannot be read.
pub fn read_previous(path: &Path, month: Month) -> std::result::Result<Option<PreviousReview>, String> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read the previous review '{}': {e}", path.display())),
    };
    let previous: PreviousReview = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "the previous review '{}' is not a capplan review ({e}); no month-over-month changes are shown (delete it or write it again with `capplan review --month {}`)",
            path.display(),
            month.previous()
        )
    })?;
    if previous.month != month.previous() {
        return Err(format!(
            "the previous review '{}' is of {}, not {}; no month-over-month changes are shown",
            path.display(),
            previous.month,
            month.previous()
        ));
    }
    Ok(Some(previous))
}

/// Build the review of the environments `args` names for `month`, with `bill` when there is one.
pub fn build(args: &ReviewArgs, settings: &Settings, bill: Option<&Bill>) -> Result<(Review, Vec<String>)> {
    let month = args.month.unwrap_or_else(|| default_month(settings.as_of));
    if let Some(b) = bill
        && b.month != month
    {
        return Err(Error::Usage(format!(
            "the bill ({}) is of {}, the review of {month}: choose --month {} or the bill of {month}",
            b.source, b.month, b.month
        )));
    }
    let book = prices::book()?;
    let plan = settings.load_plan(&book)?;
    let selected: Vec<&EnvInputs> = match args.env.as_deref() {
        Some(name) => vec![plan.env(name).ok_or_else(|| {
            Error::Usage(format!(
                "no environment '{name}' in {}; environments: {}",
                plan.origin,
                plan.env_names().join(", ")
            ))
        })?],
        None => plan.envs.iter().collect(),
    };
    let output = args.output.as_deref().filter(|p| *p != Path::new("-"));
    let charts_to = match &args.charts {
        Some(dir) => {
            super::charts::prepare_dir(dir)?;
            Some(ChartsTo { dir: dir.clone(), base: super::charts::link_base(output) })
        }
        None => None,
    };
    let mut inputs = Vec::new();
    let mut charts = Vec::new();
    let mut not_reviewed = Vec::new();
    let mut failures = Vec::new();
    for env in selected {
        match env_input(&plan, env, month, &book, settings, charts_to.as_ref())? {
            Outcome::Input(i, c) => {
                charts.push((i.env.clone(), c));
                inputs.push(*i);
            }
            Outcome::Skipped(n) if args.env.is_some() => return Err(Error::Usage(format!("{}: {}", n.env, n.reason))),
            Outcome::Skipped(n) => not_reviewed.push(n),
            Outcome::Failed(n) if args.env.is_some() => return Err(Error::Usage(n.reason)),
            Outcome::Failed(n) => {
                failures.push(format!("{}: not reviewed: {}", n.env, n.reason));
                not_reviewed.push(n);
            }
        }
    }
    let dir = plan_dir(settings);
    let previous_path = review_file(&dir, month.previous());
    let (previous, warning) = match read_previous(&previous_path, month) {
        Ok(p) => (p, None),
        Err(w) => (None, Some(w)),
    };
    let mut review = review::review(month, &inputs, not_reviewed, bill, previous.as_ref());
    for (env, c) in charts {
        if let Some(e) = review.envs.iter_mut().find(|e| e.env == env) {
            e.charts = c;
        }
    }
    if let Some(w) = warning {
        eprintln!("warning: {w}");
        review.notes.push(w);
    }
    Ok((review, failures))
}

/// Run `capplan review`, with the bill `--bill` or `--cost-explorer` reads.
pub fn exec(args: &ReviewArgs, settings: &Settings) -> Result<ExitCode> {
    let bill = read_bill(args, settings)?;
    exec_with(args, settings, bill.as_ref())
}

/// The bill `--bill FILE` or `--cost-explorer` names, for the reviewed month.
fn read_bill(args: &ReviewArgs, settings: &Settings) -> Result<Option<Bill>> {
    let month = args.month.unwrap_or_else(|| default_month(settings.as_of));
    if let Some(path) = &args.bill {
        let bill = crate::source::bill::read_report(path, month)?;
        if bill.lines.is_empty() {
            eprintln!(
                "warning: {} has no ElastiCache charge (product code {}) in {month}: is it the report of that month?",
                path.display(),
                crate::source::bill::CUR_PRODUCT_CODE
            );
        }
        return Ok(Some(bill));
    }
    if !args.cost_explorer {
        return Ok(None);
    }
    if settings.offline {
        return Err(Error::Usage(
            "--cost-explorer reads the bill from AWS, which --offline rules out; use --bill FILE with a Cost and Usage Report export"
                .into(),
        ));
    }
    let tag = match &args.bill_tag {
        Some(t) => Some(t.clone()),
        None => {
            let book = prices::book()?;
            let plan = settings.load_plan(&book)?;
            let mut keys: Vec<&str> =
                plan.reviews.iter().filter_map(|r| r.tag.as_ref().map(|(k, _)| k.as_str())).collect();
            keys.sort_unstable();
            keys.dedup();
            match keys.as_slice() {
                [] => None,
                [one] => Some((*one).to_string()),
                many => {
                    return Err(Error::Usage(format!(
                        "the plan's [env.NAME.review] tags use the keys {}; Cost Explorer groups by one tag: choose it with --bill-tag KEY",
                        many.join(", ")
                    )));
                }
            }
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the AWS client: {e}")))?;
    eprintln!(
        "reading the ElastiCache bill of {month} from Cost Explorer{} ($0.01 per request)…",
        tag.as_deref().map_or_else(String::new, |t| format!(", by usage type and tag {t}"))
    );
    let bill = runtime.block_on(async {
        // Cost Explorer answers from us-east-1 whatever region the profile names
        let options = crate::source::aws::AwsOptions {
            profile: settings.aws_profile.clone(),
            region: Some("us-east-1".into()),
            ..Default::default()
        }
        .with_env()?;
        let config = crate::source::aws::load(&options).await?;
        crate::source::bill::cost_explorer(&config, month, tag.as_deref()).await
    })?;
    eprintln!("{}", bill.source);
    Ok(Some(bill))
}

/// Run `capplan review` with a bill read by the caller (`--bill`, `--cost-explorer`).
pub fn exec_with(args: &ReviewArgs, settings: &Settings, bill: Option<&Bill>) -> Result<ExitCode> {
    let output = args.output.as_deref().filter(|p| *p != Path::new("-"));
    if let (Some(out), PlanSource::File(plan)) = (output, &settings.plan)
        && same_file(out, plan)
    {
        return Err(Error::Usage(format!(
            "--output '{}' is the plan file itself; write the review somewhere else",
            out.display()
        )));
    }
    let (mut review, failures) = build(args, settings, bill)?;
    // a review of one environment is not saved: it would replace the month's review of them all
    let save = (!args.no_save && args.env.is_none() && !review.envs.is_empty())
        .then(|| review_file(&plan_dir(settings), review.month));
    if let Some(path) = &save {
        review.notes.push(format!(
            "saved as {} beside the plan: next month's review compares with it (--no-save skips)",
            path.file_name().map_or_else(String::new, |f| f.to_string_lossy().into_owned())
        ));
        let mut json = serde_json::to_vec_pretty(&review)
            .map_err(|e| Error::Usage(format!("the review cannot be written as JSON: {e}")))?;
        json.push(b'\n');
        write_atomically(path, &json)?;
        eprintln!("saved the review to {}", path.display());
    }
    let bytes = crate::report::review::render(&review, args.format)
        .map_err(|e| Error::Usage(format!("the review cannot be rendered: {e}")))?;
    match output {
        Some(path) => {
            write_atomically_with(path, |out| {
                out.write_all(&bytes).map_err(|source| Error::Io { action: "write", path: path.to_path_buf(), source })
            })?;
            eprintln!("wrote {}", path.display());
        }
        None => super::write_stdout(&bytes)?,
    }
    for f in &failures {
        eprintln!("error: {f}");
    }
    let under: Vec<&str> =
        review.envs.iter().filter(|e| e.verdict == review::Verdict::UnderProvisioned).map(|e| e.env.as_str()).collect();
    if !under.is_empty() {
        eprintln!("under-provisioned: {}", under.join(", "));
    }
    Ok(if !failures.is_empty() {
        ExitCode::from(2)
    } else if under.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_cluster_gives_its_group_and_another_cache_stays_itself() {
        assert_eq!(member_group("shop-prod-0001-001"), "shop-prod");
        assert_eq!(member_group("shop-prod-002"), "shop-prod");
        // caches named with a number are not members: they must not claim `shop-prod`'s bill
        assert_eq!(member_group("shop-prod-2"), "shop-prod-2");
        assert_eq!(member_group("shop-2026"), "shop-2026");
        assert_eq!(member_group("sandbox-cache"), "sandbox-cache");
    }

    #[test]
    fn the_default_month_is_the_previous_calendar_month() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(default_month(d(2026, 12, 2)).to_string(), "2026-11");
        assert_eq!(default_month(d(2027, 1, 31)).to_string(), "2026-12");
    }

    #[test]
    fn bill_lines_are_matched_by_the_clusters_the_metrics_measured() {
        let s = MetricSeries {
            id: "a".into(),
            metric: "CurrConnections".into(),
            stat: "Maximum".into(),
            dimension: "CacheClusterId=shop-prod-0001-002;CacheNodeId=0001".into(),
            period_secs: 60,
            points: vec![(0, 1.0)],
        };
        assert_eq!(bill_match(None, None, &[s]).resources, ["shop-prod", "shop-prod-0001-002"]);
    }
}
