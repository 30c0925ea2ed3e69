//! The monthly review: what each environment's cache used in a calendar month (from its
//! metrics), what it is provisioned for, what it cost for the month's actual hours, what the
//! recommended option would have cost, and the verdict (right-sized, over-provisioned,
//! under-provisioned, idle) with the measured figures behind it; with a bill, the model's lines
//! reconciled with what AWS charged by usage type; with last month's review, the changes.
//!
//! Pure: no I/O and no clock. The month, the metrics, the priced options, the bill and the
//! previous review come in as values ([`review`]); the command layer reads them.
//!
//! **Sustained** means the 95th percentile of the hourly values over the hours the metrics
//! cover (each hour the mean of its points; evictions and throttling the sum), never a single
//! peak: [`SUSTAINED`].

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::bill::{Bill, BilledLine, Month, UsageCategory};
use super::cost::Unit;
use super::observed::{self, Chart, MetricSeries};
use super::units::{HOURS_PER_MONTH, decimal_from_f64, format_quantity, format_unit_usd, format_usd};

/// Version of the review JSON.
pub const SCHEMA_VERSION: u32 = 1;

/// What "sustained" means in every verdict.
pub const SUSTAINED: &str =
    "sustained = the 95th percentile (p95) of the hourly values over the hours the metrics cover, not a single peak";

/// Over-provisioned: engine CPU p95 below this, percent (FACTS rule of thumb) ...
pub const OVER_CPU_PCT: f64 = 20.0;
/// ... and memory p95 below this share of the usable memory, percent.
pub const OVER_MEMORY_PCT: f64 = 30.0;
/// Idle: fewer requests per second than this on average ...
pub const IDLE_REQUESTS_PER_SEC: f64 = 1.0;
/// ... and at most this many client connections (p95).
pub const IDLE_CONNECTIONS: f64 = 2.0;
/// Idle without request metrics: engine CPU p95 below this, percent (FACTS: CPU < 2 %).
pub const IDLE_CPU_PCT: f64 = 2.0;
/// Under-provisioned: swap p95 above this, MB (FACTS: `SwapUsage` > 50 MB is a warning sign).
pub const SWAP_LIMIT_MB: f64 = 50.0;
/// Under-provisioned: engine CPU p95 at or above this, percent (FACTS: alarm at 90 %).
pub const CPU_LIMIT_PCT: f64 = 90.0;
/// Evictions are sustained for a role that may evict when more than this share of the hours,
/// percent, has any (that is, the p95 of hourly evictions is above zero).
pub const EVICTING_HOURS_PCT: f64 = 5.0;
/// A reconciliation row is flagged when |billed − modelled| is above this, USD ...
pub const RECONCILE_MIN_USD: Decimal = Decimal::ONE;
/// ... or above this percent of the modelled amount, whichever is larger.
pub const RECONCILE_PCT: u32 = 5;

const MB: f64 = 1024.0 * 1024.0;

/// What the current deployment (or an option) is provisioned for, per metric.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Capacity {
    /// Memory usable for data over all shards, GiB (node memory × (1 − reserved %) × shards).
    pub memory_gib: Option<f64>,
    /// maxclients per node.
    pub connections: Option<f64>,
    /// Baseline network per node, Gbps.
    pub network_gbps: Option<f64>,
    /// Serverless: the minimum storage metered, GB.
    pub min_storage_gb: Option<Decimal>,
    /// Serverless: the configured maximum data, GB.
    pub max_data_gb: Option<f64>,
}

/// One priced line of an option, for the planning month of 730 hours (what the cost model made).
#[derive(Clone, Debug, PartialEq)]
pub struct PricedLine {
    /// What is billed.
    pub item: String,
    /// Quantity for the 730-hour month, in `unit`s.
    pub quantity: Decimal,
    /// Unit.
    pub unit: Unit,
    /// USD per unit.
    pub unit_usd: Decimal,
    /// Where the unit price comes from (source id and date).
    pub source: String,
    /// Why the quantity rests on an assumption (an unverified line).
    pub unverified: Option<String>,
}

/// An option as the cost model priced it.
#[derive(Clone, Debug, PartialEq)]
pub struct PricedOption {
    /// Option id (`node:valkey:cache.r7g.large:1x2:od`).
    pub id: String,
    /// In words: `2 x cache.r7g.large, on-demand`.
    pub label: String,
    /// Serverless: storage and ECPU come from the measured series.
    pub serverless: bool,
    /// Serverless: the minimum metered storage, GB.
    pub min_storage_gb: Option<Decimal>,
    /// Serverless: a configured minimum ECPU/s (`CacheUsageLimits`), billed each hour the
    /// cache uses less.
    pub min_ecpu_per_sec: Option<Decimal>,
    /// Its lines for the planning month.
    pub lines: Vec<PricedLine>,
}

/// How an environment's bill lines are found: by resource id or by a cost allocation tag.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BillMatch {
    /// Cache ids: a replication group, cache cluster or Serverless cache id (member clusters
    /// `<id>-0001-001` and ARNs ending in the id match too).
    pub resources: Vec<String>,
    /// `key=value` of a cost allocation tag.
    pub tag: Option<(String, String)>,
}

impl BillMatch {
    /// Whether `line` is this environment's.
    pub fn matches(&self, line: &BilledLine) -> bool {
        if let Some((k, v)) = &self.tag
            && line.tags.iter().any(|(lk, lv)| lk == k && lv == v)
        {
            return true;
        }
        line.resource.as_deref().is_some_and(|r| self.resources.iter().any(|id| resource_is(r, id)))
    }
}

/// Whether a billed resource (an id or an ARN) is the cache `id` or one of its member clusters.
///
/// ```
/// use capplan::model::review::resource_is;
/// assert!(resource_is("arn:aws:elasticache:us-east-1:111122223333:cluster:shop-prod-0001-002", "shop-prod"));
/// assert!(resource_is("shop-prod", "shop-prod"));
/// assert!(!resource_is("shop-production", "shop-prod"));
/// assert!(resource_is("shop-prod-002", "shop-prod"));
/// // another cache whose name only adds a number is not a member
/// assert!(!resource_is("shop-prod-2", "shop-prod"));
/// assert!(!resource_is("shop-prod-2026", "shop-prod"));
/// ```
pub fn resource_is(resource: &str, id: &str) -> bool {
    if id.is_empty() {
        return false;
    }
    let last = resource.rsplit([':', '/']).next().unwrap_or(resource);
    if last == id {
        return true;
    }
    // a member cluster: `<id>-0001-001` (cluster mode) or `<id>-001` (ElastiCache's own
    // numbering; `<id>-2` or `<id>-2026` is another cache)
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    last.strip_prefix(id).and_then(|rest| rest.strip_prefix('-')).is_some_and(|rest| match rest.split_once('-') {
        None => digits(rest, 3),
        Some((shard, node)) => digits(shard, 4) && digits(node, 3),
    })
}

/// Everything one environment brings to the review.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvInput {
    /// Environment.
    pub env: String,
    /// Where the metrics came from (file or cache), for the output.
    pub metrics_origin: String,
    /// The metrics' series restricted to the month ([`in_month`]).
    pub series: Vec<MetricSeries>,
    /// What runs.
    pub current: PricedOption,
    /// What it is provisioned for.
    pub capacity: Capacity,
    /// The recommendation for the month's measured workload (`None`: nothing fits).
    pub recommended: Option<PricedOption>,
    /// Evicting a key loses data (session store, queue, `must_not_evict`).
    pub eviction_is_loss: bool,
    /// Policy headroom (share of memory planned at peak), 0–1.
    pub headroom: f64,
    /// Snapshot retention of the current deployment, days.
    pub snapshot_retention_days: u32,
    /// How its bill lines are found.
    pub bill_match: BillMatch,
    /// Notes from gathering (a fetch from the user cache…).
    pub notes: Vec<String>,
}

/// The verdict on one environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Used within its capacity, neither short of it nor far below it.
    RightSized,
    /// Sustained engine CPU and memory far below the capacity.
    OverProvisioned,
    /// Evictions, throttling, swap, bandwidth allowance exceeded or memory above the headroom.
    UnderProvisioned,
    /// Essentially no commands and no clients.
    Idle,
}

impl Verdict {
    /// As written in the output.
    pub fn id(self) -> &'static str {
        match self {
            Verdict::RightSized => "right-sized",
            Verdict::OverProvisioned => "over-provisioned",
            Verdict::UnderProvisioned => "under-provisioned",
            Verdict::Idle => "idle",
        }
    }
}

/// A measured figure behind a verdict, with its threshold.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reason {
    /// Metric id: `cpu_pct_p95`, `memory_pct_p95`, `evictions`, `throttled_cmds`…
    pub metric: String,
    /// The measured value.
    pub value: f64,
    /// The threshold it was compared with.
    pub threshold: f64,
    /// In words: `engine CPU p95 11.2 % < 20 %`.
    pub text: String,
}

/// One usage figure over the month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UsageRow {
    /// Metric id (`memory_gib`, `cpu_pct`, `requests_per_sec`…).
    pub metric: String,
    /// Title with unit.
    #[serde(default)]
    pub title: String,
    /// Mean of the hourly values.
    pub avg: f64,
    /// 95th percentile of the hourly values.
    pub p95: f64,
    /// Highest single value.
    pub peak: f64,
    /// What the deployment is provisioned for, same unit.
    #[serde(default)]
    pub provisioned: Option<f64>,
    /// p95 as a percent of `provisioned`.
    #[serde(default)]
    pub p95_pct: Option<f64>,
}

/// What the metrics covered of the month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Coverage {
    /// Where the metrics came from.
    pub origin: String,
    /// First point, RFC 3339.
    pub from: String,
    /// Last point, RFC 3339.
    pub to: String,
    /// Days of the month with at least one point.
    pub days: u32,
    /// Days in the month.
    pub days_in_month: u32,
    /// Hours of the month with at least one point.
    pub hours: u32,
    /// Hours in the month.
    pub hours_in_month: u32,
    /// In words, when the month is not covered whole.
    pub note: Option<String>,
}

/// One line of an option for the month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonthLine {
    /// What is billed.
    pub item: String,
    /// The bill's group it falls in.
    pub usage_type: UsageCategory,
    /// Quantity for the month.
    pub quantity: Decimal,
    /// Unit.
    pub unit: String,
    /// USD per unit (the cost model's).
    pub unit_usd: Decimal,
    /// `quantity × unit_usd`.
    pub usd: Decimal,
    /// Where the unit price comes from.
    pub price_source: String,
    /// How the quantity was had: `744 h in 2026-10`, `measured`, `derived: …`.
    pub basis: String,
    /// Why the quantity rests on an assumption (an unverified line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unverified: Option<String>,
}

/// An option's cost for the month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OptionMonth {
    /// Option id.
    pub id: String,
    /// In words.
    pub label: String,
    /// Its lines for the month.
    pub lines: Vec<MonthLine>,
    /// Their sum.
    pub usd: Decimal,
}

/// One usage type of the bill against the model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReconciliationRow {
    /// The group (`node-usage`, `cached-data`…).
    pub usage_type: UsageCategory,
    /// What AWS charged.
    pub billed_usd: Decimal,
    /// What the model's lines for the month say.
    pub modelled_usd: Decimal,
    /// billed − modelled.
    pub delta_usd: Decimal,
    /// |delta| above the threshold ([`RECONCILE_MIN_USD`], [`RECONCILE_PCT`]).
    pub flagged: bool,
    /// The likely cause of a flagged difference.
    pub likely_cause: Option<String>,
}

/// A billed line no environment claims.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnassignedLine {
    /// Usage type as billed.
    pub usage_type: String,
    /// The resource, when the bill names it.
    pub resource: Option<String>,
    /// Amount.
    pub usd: Decimal,
    /// Why it is likely there.
    pub likely_cause: String,
}

/// A figure last month and this month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Delta {
    /// What (`modelled_usd`, `billed_usd`, `memory_gib avg`…).
    pub metric: String,
    /// Last month.
    pub before: f64,
    /// This month.
    pub after: f64,
    /// after − before.
    pub delta: f64,
}

/// An environment's change against the previous review.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// The previous review's month.
    pub since: Month,
    /// Its verdict then.
    pub verdict_before: Option<Verdict>,
    /// Modelled cost then.
    pub modelled_usd_before: Decimal,
    /// Modelled cost change.
    pub modelled_delta_usd: Decimal,
    /// Billed change, when both months have a bill.
    pub billed_delta_usd: Option<Decimal>,
    /// Usage changes (avg and p95 of each metric in both reviews).
    pub usage: Vec<Delta>,
}

/// Counted events over the month (sums of the period values).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Events {
    /// Keys evicted.
    pub evictions: Option<f64>,
    /// Commands throttled (Serverless).
    pub throttled_cmds: Option<f64>,
    /// Packets queued or dropped for exceeding the network allowance (in + out).
    pub bandwidth_allowance_exceeded: Option<f64>,
}

/// The review of one environment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EnvReview {
    /// Environment.
    pub env: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The measured figures behind it.
    pub reasons: Vec<Reason>,
    /// What the current deployment cost for the month, by the model.
    pub modelled_usd: Decimal,
    /// What AWS charged for it (null without a bill).
    pub billed_usd: Option<Decimal>,
    /// What the recommended option would have cost for the month (null: nothing fits).
    pub recommended_usd: Option<Decimal>,
    /// modelled − recommended: a saving, negative when it must grow (the risk).
    pub saving_usd: Option<Decimal>,
    /// What the metrics covered.
    pub coverage: Coverage,
    /// Usage over the month against what is provisioned.
    pub usage: Vec<UsageRow>,
    /// Counted events.
    pub events: Events,
    /// The current deployment's lines for the month.
    pub current: OptionMonth,
    /// The recommended option's lines for the month.
    pub recommended: Option<OptionMonth>,
    /// The bill against the model, by usage type (empty without a bill).
    pub reconciliation: Vec<ReconciliationRow>,
    /// Against the previous review.
    pub change: Option<Change>,
    /// Notes.
    pub notes: Vec<String>,
    /// The charts `--charts` drew of it (filled by the command that drew them; none without).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub charts: Vec<ChartLink>,
}

/// A chart file of an environment, by paths relative to the review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChartLink {
    /// `cost-vs-requests`, or the metric id (`memory_gib`, `cpu_pct`, `connections`…).
    pub chart: String,
    /// What it shows.
    pub title: String,
    /// The SVG file, `/`-separated, relative to the review's folder.
    pub svg: String,
    /// The PNG file, the same way.
    pub png: String,
}

/// An environment left out of the review, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotReviewed {
    /// Environment.
    pub env: String,
    /// Why, and how to fix it.
    pub reason: String,
}

/// The largest changes against the previous review.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mover {
    /// Environment.
    pub env: String,
    /// What changed.
    pub metric: String,
    /// Change, USD.
    pub delta_usd: Decimal,
}

/// Totals over the reviewed environments.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ReviewTotals {
    /// Sum of `modelled_usd`.
    pub modelled_usd: Decimal,
    /// Sum of `billed_usd` over the environments, when there is a bill.
    pub billed_usd: Option<Decimal>,
    /// Sum of `recommended_usd`.
    pub recommended_usd: Decimal,
    /// Sum of `saving_usd`.
    pub saving_usd: Decimal,
    /// Billed lines no environment claims.
    pub unassigned_usd: Option<Decimal>,
}

/// The thresholds the verdicts and the reconciliation use (stated in every output).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Thresholds {
    /// What sustained means.
    pub sustained: String,
    /// Over-provisioned below, percent.
    pub over_cpu_pct: f64,
    /// Over-provisioned below, percent of usable memory.
    pub over_memory_pct: f64,
    /// Idle below, average.
    pub idle_requests_per_sec: f64,
    /// Idle at or below, p95.
    pub idle_connections: f64,
    /// Under-provisioned above, MB p95.
    pub swap_mb: f64,
    /// Under-provisioned at or above, percent p95.
    pub cpu_pct: f64,
    /// Reconciliation flags a difference above the larger of this and `reconcile_pct` …
    pub reconcile_min_usd: Decimal,
    /// … percent of the modelled amount.
    pub reconcile_pct: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            sustained: SUSTAINED.to_string(),
            over_cpu_pct: OVER_CPU_PCT,
            over_memory_pct: OVER_MEMORY_PCT,
            idle_requests_per_sec: IDLE_REQUESTS_PER_SEC,
            idle_connections: IDLE_CONNECTIONS,
            swap_mb: SWAP_LIMIT_MB,
            cpu_pct: CPU_LIMIT_PCT,
            reconcile_min_usd: RECONCILE_MIN_USD,
            reconcile_pct: RECONCILE_PCT,
        }
    }
}

/// The monthly review.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Review {
    /// JSON schema version.
    pub schema_version: u32,
    /// The month.
    pub month: Month,
    /// Its hours.
    pub hours: u32,
    /// The thresholds used.
    pub thresholds: Thresholds,
    /// Where the bill came from (null without one).
    pub bill_source: Option<String>,
    /// The previous review compared with.
    pub previous_month: Option<Month>,
    /// One entry per reviewed environment, in plan order.
    pub envs: Vec<EnvReview>,
    /// Environments that could not be reviewed, and why.
    pub not_reviewed: Vec<NotReviewed>,
    /// Billed lines matching no environment ("not in any environment").
    pub unassigned: Vec<UnassignedLine>,
    /// The largest cost changes against the previous review, largest first.
    pub top_movers: Vec<Mover>,
    /// Totals.
    pub totals: ReviewTotals,
    /// Notes (where the review was saved, a previous review that could not be read).
    pub notes: Vec<String>,
}

impl Review {
    /// Whether any environment is under-provisioned.
    pub fn any_under_provisioned(&self) -> bool {
        self.envs.iter().any(|e| e.verdict == Verdict::UnderProvisioned)
    }
}

/// A previous review as read back from its JSON (only what the comparison needs; unknown
/// fields are ignored so older and newer files read).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PreviousReview {
    /// Its month.
    pub month: Month,
    /// Its environments.
    #[serde(default)]
    pub envs: Vec<PreviousEnv>,
}

/// One environment of a previous review.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PreviousEnv {
    /// Environment.
    pub env: String,
    /// Verdict then.
    #[serde(default)]
    pub verdict: Option<Verdict>,
    /// Modelled then.
    pub modelled_usd: Decimal,
    /// Billed then.
    #[serde(default)]
    pub billed_usd: Option<Decimal>,
    /// Usage then.
    #[serde(default)]
    pub usage: Vec<UsageRow>,
}

// ---------------------------------------------------------------------------------------------
// metrics of the month

/// The points of `series` within `month` (series left with none are dropped).
pub fn in_month(series: &[MetricSeries], month: Month) -> Vec<MetricSeries> {
    let (start, end) = (month.start_epoch(), month.end_epoch());
    series
        .iter()
        .filter_map(|s| {
            let points: Vec<(i64, f64)> = s.points.iter().copied().filter(|p| (start..end).contains(&p.0)).collect();
            (!points.is_empty()).then(|| MetricSeries { points, ..s.clone() })
        })
        .collect()
}

/// The first and last timestamps of `series`, epoch seconds.
pub fn span(series: &[MetricSeries]) -> Option<(i64, i64)> {
    let first = series.iter().filter_map(|s| s.points.first().map(|p| p.0)).min()?;
    let last = series.iter().filter_map(|s| s.points.last().map(|p| p.0)).max()?;
    Some((first, last))
}

fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map_or_else(|| secs.to_string(), |d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// What `series` (already within the month) cover of it.
pub fn coverage(series: &[MetricSeries], month: Month, origin: &str) -> Coverage {
    let start = month.start_epoch();
    let mut hours = BTreeSet::new();
    for s in series {
        for p in &s.points {
            hours.insert((p.0 - start).div_euclid(3600));
        }
    }
    let days: BTreeSet<i64> = hours.iter().map(|h| h.div_euclid(24)).collect();
    let (from, to) = span(series).unwrap_or((start, start));
    let days_n = u32::try_from(days.len()).unwrap_or(u32::MAX);
    let hours_n = u32::try_from(hours.len()).unwrap_or(u32::MAX);
    let note = (hours_n < month.hours()).then(|| {
        format!(
            "metrics cover {days_n} of {} days ({hours_n} of {} hours); usage figures are from those days, costs for the whole month",
            month.days(),
            month.hours()
        )
    });
    Coverage {
        origin: origin.to_string(),
        from: rfc3339(from),
        to: rfc3339(to),
        days: days_n,
        days_in_month: month.days(),
        hours: hours_n,
        hours_in_month: month.hours(),
        note,
    }
}

/// Hourly values of `points`: the mean (or the sum) of the points in each hour.
fn hourly(points: &[(i64, f64)], sum: bool) -> Vec<f64> {
    let mut by_hour: BTreeMap<i64, (f64, u32)> = BTreeMap::new();
    for &(t, v) in points {
        let e = by_hour.entry(t.div_euclid(3600)).or_insert((0.0, 0));
        e.0 += v;
        e.1 += 1;
    }
    by_hour.into_values().map(|(s, n)| if sum { s } else { s / f64::from(n.max(1)) }).collect()
}

/// The p-th percentile (nearest rank) of `values`.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// avg / p95 of the hourly values and the highest point.
fn usage_of(points: &[(i64, f64)], sum: bool) -> Option<(f64, f64, f64)> {
    if points.is_empty() {
        return None;
    }
    let h = hourly(points, sum);
    let avg = h.iter().sum::<f64>() / h.len() as f64;
    let peak = if sum {
        h.iter().copied().fold(f64::MIN, f64::max)
    } else {
        points.iter().map(|p| p.1).fold(f64::MIN, f64::max)
    };
    Some((round3(avg), round3(percentile(&h, 95.0)), round3(peak)))
}

/// Points of one metric merged over its series (max at equal timestamps), scaled.
fn merged(series: &[MetricSeries], metric: &str, how: fn(f64, f64) -> f64, scale: f64) -> Vec<(i64, f64)> {
    let mut out: BTreeMap<i64, f64> = BTreeMap::new();
    for s in series.iter().filter(|s| s.metric == metric) {
        for &(t, v) in &s.points {
            out.entry(t).and_modify(|x| *x = how(*x, v * scale)).or_insert(v * scale);
        }
    }
    out.into_iter().collect()
}

fn total(series: &[MetricSeries], metrics: &[&str]) -> Option<f64> {
    let found: Vec<&MetricSeries> = series.iter().filter(|s| metrics.contains(&s.metric.as_str())).collect();
    (!found.is_empty()).then(|| found.iter().flat_map(|s| s.points.iter().map(|p| p.1)).sum())
}

/// What the month's metrics say, in the figures the verdict and the costs use.
#[derive(Clone, Debug, Default, PartialEq)]
struct Measured {
    rows: Vec<UsageRow>,
    events: Events,
    evicting_hours_pct: Option<f64>,
    swap_mb: Option<(f64, f64, f64)>,
    /// Data stored, GiB: the average of each covered hour (Serverless GB-hours are their sum,
    /// each hour at least the option's minimum).
    data_hourly: Option<Vec<f64>>,
    /// ElastiCacheProcessingUnits summed per hour over the covered hours.
    ecpu_hourly: Option<Vec<f64>>,
}

impl Measured {
    fn row(&self, metric: &str) -> Option<&UsageRow> {
        self.rows.iter().find(|r| r.metric == metric)
    }
}

fn measure(series: &[MetricSeries], capacity: &Capacity) -> Measured {
    let data = observed::derive(series, "");
    let mut rows = Vec::new();
    let provisioned = |chart: Chart| match chart {
        Chart::Memory => capacity.memory_gib.or(capacity.max_data_gb),
        Chart::Connections => capacity.connections,
        Chart::Cpu => Some(100.0),
        Chart::Network => capacity.network_gbps,
        _ => None,
    };
    for chart in [Chart::Memory, Chart::Cpu, Chart::Requests, Chart::Ecpu, Chart::Connections, Chart::Network] {
        let Some(points) = data.chart(chart) else { continue };
        let Some((avg, p95, peak)) = usage_of(points, false) else { continue };
        let cap = provisioned(chart).filter(|c| *c > 0.0);
        rows.push(UsageRow {
            metric: chart.id().to_string(),
            title: chart.title().to_string(),
            avg,
            p95,
            peak,
            provisioned: cap.map(round3),
            p95_pct: cap.map(|c| round3(p95 / c * 100.0)),
        });
    }
    let swap = merged(series, "SwapUsage", f64::max, 1.0 / MB);
    let swap_mb = usage_of(&swap, false);
    if let Some((avg, p95, peak)) = swap_mb {
        rows.push(UsageRow {
            metric: "swap_mb".into(),
            title: "swap MB".into(),
            avg,
            p95,
            peak,
            provisioned: None,
            p95_pct: None,
        });
    }
    let evictions = data.chart(Chart::Evictions).map(|p| hourly(p, true));
    let evicting_hours_pct = evictions
        .as_ref()
        .filter(|h| !h.is_empty())
        .map(|h| h.iter().filter(|v| **v > 0.0).count() as f64 / h.len() as f64 * 100.0);
    let events = Events {
        evictions: total(series, &["Evictions"]),
        throttled_cmds: total(series, &["ThrottledCmds"]),
        bandwidth_allowance_exceeded: total(
            series,
            &["NetworkBandwidthInAllowanceExceeded", "NetworkBandwidthOutAllowanceExceeded"],
        ),
    };
    let data_hourly = data.chart(Chart::Memory).map(|p| hourly(p, false));
    let ecpu_hourly = {
        let sums: Vec<(i64, f64)> = series
            .iter()
            .filter(|s| s.metric == "ElastiCacheProcessingUnits" && s.stat == "Sum")
            .flat_map(|s| s.points.iter().copied())
            .collect();
        (!sums.is_empty()).then(|| hourly(&sums, true))
    };
    Measured { rows, events, evicting_hours_pct, swap_mb, data_hourly, ecpu_hourly }
}

// ---------------------------------------------------------------------------------------------
// verdict

fn reason(metric: &str, value: f64, threshold: f64, text: String) -> Reason {
    Reason { metric: metric.to_string(), value: round3(value), threshold, text }
}

fn pct(v: f64) -> String {
    format_quantity(decimal_from_f64(v).unwrap_or_default(), 1)
}

fn num(v: f64) -> String {
    format_quantity(decimal_from_f64(v).unwrap_or_default(), 2)
}

/// The verdict and the figures behind it. Under-provisioned wins over everything, idle over
/// over-provisioned.
fn verdict(m: &Measured, input: &EnvInput) -> (Verdict, Vec<Reason>) {
    let mut under = Vec::new();
    if let Some(ev) = m.events.evictions.filter(|e| *e > 0.0) {
        if input.eviction_is_loss {
            under.push(reason(
                "evictions",
                ev,
                0.0,
                format!("{} keys evicted > 0, and evicting loses data in this role", num(ev)),
            ));
        } else if let Some(share) = m.evicting_hours_pct.filter(|s| *s > EVICTING_HOURS_PCT) {
            under.push(reason(
                "evicting_hours_pct",
                share,
                EVICTING_HOURS_PCT,
                format!(
                    "evictions in {} % of the hours > {} % ({} keys evicted): the data outgrew the cache",
                    pct(share),
                    pct(EVICTING_HOURS_PCT),
                    num(ev)
                ),
            ));
        }
    }
    if let Some(t) = m.events.throttled_cmds.filter(|t| *t > 0.0) {
        under.push(reason("throttled_cmds", t, 0.0, format!("{} commands throttled > 0", num(t))));
    }
    if let Some((_, p95, _)) = m.swap_mb.filter(|s| s.1 > SWAP_LIMIT_MB) {
        under.push(reason(
            "swap_mb_p95",
            p95,
            SWAP_LIMIT_MB,
            format!("swap p95 {} MB > {} MB", num(p95), num(SWAP_LIMIT_MB)),
        ));
    }
    if let Some(a) = m.events.bandwidth_allowance_exceeded.filter(|a| *a > 0.0) {
        under.push(reason(
            "bandwidth_allowance_exceeded",
            a,
            0.0,
            format!("network bandwidth allowance exceeded {} times > 0", num(a)),
        ));
    }
    let memory_pct = m.row("memory_gib").and_then(|r| r.p95_pct);
    let headroom_pct = input.headroom * 100.0;
    if let Some(p) = memory_pct.filter(|p| *p > headroom_pct) {
        under.push(reason(
            "memory_pct_p95",
            p,
            headroom_pct,
            format!("memory p95 {} % of usable > {} % headroom", pct(p), pct(headroom_pct)),
        ));
    }
    let cpu = m.row("cpu_pct").map(|r| r.p95);
    if let Some(c) = cpu.filter(|c| *c >= CPU_LIMIT_PCT) {
        under.push(reason(
            "cpu_pct_p95",
            c,
            CPU_LIMIT_PCT,
            format!("engine CPU p95 {} % >= {} %", pct(c), pct(CPU_LIMIT_PCT)),
        ));
    }
    if !under.is_empty() {
        return (Verdict::UnderProvisioned, under);
    }

    let requests = m.row("requests_per_sec").map(|r| r.avg);
    let connections = m.row("connections").map(|r| r.p95);
    let mut idle = Vec::new();
    let quiet = match (requests, cpu) {
        (Some(r), _) => {
            idle.push(reason(
                "requests_per_sec_avg",
                r,
                IDLE_REQUESTS_PER_SEC,
                format!("requests {}/s on average < {}/s", num(r), num(IDLE_REQUESTS_PER_SEC)),
            ));
            r < IDLE_REQUESTS_PER_SEC
        }
        (None, Some(c)) => {
            idle.push(reason(
                "cpu_pct_p95",
                c,
                IDLE_CPU_PCT,
                format!("engine CPU p95 {} % < {} %", pct(c), pct(IDLE_CPU_PCT)),
            ));
            c < IDLE_CPU_PCT
        }
        (None, None) => false,
    };
    let no_clients = connections.is_none_or(|c| c <= IDLE_CONNECTIONS);
    if let Some(c) = connections {
        idle.push(reason(
            "connections_p95",
            c,
            IDLE_CONNECTIONS,
            format!("connections p95 {} <= {}", num(c), num(IDLE_CONNECTIONS)),
        ));
    }
    // Serverless: only the minimum storage billed
    let minimum_only = !input.current.serverless
        || match (m.row("memory_gib"), input.capacity.min_storage_gb) {
            (Some(r), Some(min)) => {
                let min = super::units::to_f64(min);
                idle.push(reason(
                    "data_gib_avg",
                    r.avg,
                    min,
                    format!("data {} GiB on average <= the {} GB minimum billed", num(r.avg), num(min)),
                ));
                r.avg <= min
            }
            _ => true,
        };
    if quiet && no_clients && minimum_only {
        return (Verdict::Idle, idle);
    }

    let mut figures = Vec::new();
    if let Some(c) = cpu {
        let op = if c < OVER_CPU_PCT { "<" } else { ">=" };
        figures.push(reason(
            "cpu_pct_p95",
            c,
            OVER_CPU_PCT,
            format!("engine CPU p95 {} % {op} {} %", pct(c), pct(OVER_CPU_PCT)),
        ));
    }
    if let Some(p) = memory_pct {
        let op = if p < OVER_MEMORY_PCT { "<" } else { ">=" };
        figures.push(reason(
            "memory_pct_p95",
            p,
            OVER_MEMORY_PCT,
            format!("memory p95 {} % of usable {op} {} %", pct(p), pct(OVER_MEMORY_PCT)),
        ));
    }
    let over = matches!((cpu, memory_pct), (Some(c), Some(p)) if c < OVER_CPU_PCT && p < OVER_MEMORY_PCT);
    if over {
        return (Verdict::OverProvisioned, figures);
    }
    if cpu.is_none() && !input.current.serverless {
        figures.push(reason(
            "cpu_pct_p95",
            0.0,
            OVER_CPU_PCT,
            "engine CPU not in the metrics: over-provisioning not judged".into(),
        ));
    }
    if memory_pct.is_none() && !input.current.serverless {
        figures.push(reason(
            "memory_pct_p95",
            0.0,
            OVER_MEMORY_PCT,
            "memory (BytesUsedForCache) not in the metrics: over-provisioning not judged".into(),
        ));
    }
    (Verdict::RightSized, figures)
}

// ---------------------------------------------------------------------------------------------
// month costs

/// The bill's group a model line falls in.
pub fn category_of(line: &PricedLine) -> UsageCategory {
    match line.unit {
        Unit::NodeHour if line.item.contains("Extended Support") => UsageCategory::ExtendedSupport,
        Unit::NodeHour => UsageCategory::NodeUsage,
        Unit::GbHour => UsageCategory::CachedData,
        Unit::MillionEcpu => UsageCategory::ProcessingUnits,
        Unit::GbMonth => UsageCategory::BackupUsage,
        Unit::Gb => UsageCategory::DataTransfer,
        Unit::HundredThousandCommands | Unit::Month => UsageCategory::Other,
    }
}

/// A model line's quantity for the month's hours instead of the planning month's 730.
fn scaled(quantity: Decimal, month: Month) -> Option<Decimal> {
    quantity.checked_mul(Decimal::from(month.hours()))?.checked_div(Decimal::from(HOURS_PER_MONTH))
}

fn month_line(line: &PricedLine, quantity: Decimal, basis: String) -> Result<MonthLine, String> {
    let quantity = quantity.round_dp(6);
    let usd = quantity.checked_mul(line.unit_usd).ok_or_else(|| format!("'{}' overflows", line.item))?;
    Ok(MonthLine {
        item: line.item.clone(),
        usage_type: category_of(line),
        quantity,
        unit: line.unit.id().to_string(),
        unit_usd: line.unit_usd,
        usd,
        price_source: line.source.clone(),
        basis,
        unverified: line.unverified.clone(),
    })
}

/// An option's lines for the month: node-hours (and anything else billed by the hour) for
/// the month's actual hours; Serverless data GB-hours and ECPU from the measured series (scaled
/// from the covered hours to the month when the metrics cover only part of it); snapshots as one
/// month of storage; a flat plan as one month.
fn month_cost(option: &PricedOption, month: Month, m: &Measured, hours_covered: u32) -> Result<OptionMonth, String> {
    let h = month.hours();
    let per_hours = format!("{h} h in {month}");
    // a series scales from the hours it covers itself: another metric's hours would count an
    // hour it has no value for as zero
    let scale_note_of = |what: &str, covered: u32| {
        if covered >= h {
            format!("measured: {what} over the month")
        } else {
            format!("derived: {what} over {covered} covered hours, scaled to {h} h")
        }
    };
    let scale_note = |what: &str| scale_note_of(what, hours_covered);
    let to_month_of = |v: f64, covered: u32| -> Option<Decimal> {
        let covered = f64::from(covered.clamp(1, h));
        decimal_from_f64(v * f64::from(h) / covered)
    };
    let to_month = |v: f64| to_month_of(v, hours_covered);
    let mut lines = Vec::new();
    let mut ecpu_done = false;
    for line in &option.lines {
        let too_big = || format!("'{}' overflows for the month", line.item);
        let l = match line.unit {
            Unit::GbHour if option.serverless && m.data_hourly.is_some() => {
                // each hour bills at least this option's engine minimum (the current
                // deployment's minimum may be another engine's, or none for nodes)
                let min = option.min_storage_gb.map_or(0.0, super::units::to_f64);
                let data = m.data_hourly.as_deref().unwrap_or_default();
                let gbh: f64 = data.iter().map(|v| v.max(min)).sum();
                let data_hours = u32::try_from(data.len()).unwrap_or(u32::MAX);
                let q = to_month_of(gbh, data_hours).ok_or_else(too_big)?;
                let mut l = month_line(
                    line,
                    q,
                    scale_note_of("Σ hourly average data GiB (never below the minimum)", data_hours),
                )?;
                l.item = "Data stored (measured GB-hours)".into();
                l
            }
            Unit::MillionEcpu if option.serverless && m.ecpu_hourly.is_some() => {
                if ecpu_done {
                    continue; // the measured ECPU include every metered command
                }
                ecpu_done = true;
                // a configured minimum is billed each hour the cache uses less
                let min_per_hour = option.min_ecpu_per_sec.map_or(0.0, |m| super::units::to_f64(m) * 3600.0);
                let hours = m.ecpu_hourly.as_deref().unwrap_or_default();
                let ecpu: f64 = hours.iter().map(|h| h.max(min_per_hour)).sum();
                let q = to_month(ecpu / 1e6).ok_or_else(too_big)?;
                let what = match option.min_ecpu_per_sec {
                    Some(min) if min > Decimal::ZERO => format!(
                        "Σ ElastiCacheProcessingUnits per hour, at least the configured minimum {} ECPU/s",
                        format_quantity(min, 2)
                    ),
                    _ => "Σ ElastiCacheProcessingUnits".to_string(),
                };
                let mut l = month_line(line, q, scale_note(&what))?;
                l.item = "ECPU (measured)".into();
                l.unverified = None;
                l
            }
            Unit::NodeHour | Unit::GbHour | Unit::MillionEcpu | Unit::HundredThousandCommands => {
                let q = scaled(line.quantity, month).ok_or_else(too_big)?;
                let basis = if line.unit == Unit::NodeHour {
                    per_hours.clone()
                } else {
                    format!("derived: the model's quantity for {HOURS_PER_MONTH} h scaled to {h} h")
                };
                month_line(line, q, basis)?
            }
            Unit::Gb => {
                let q = scaled(line.quantity, month).ok_or_else(too_big)?;
                month_line(line, q, format!("derived: the workload's traffic for {HOURS_PER_MONTH} h scaled to {h} h"))?
            }
            Unit::GbMonth | Unit::Month => month_line(line, line.quantity, "one month".into())?,
        };
        lines.push(l);
    }
    let mut usd = Decimal::ZERO;
    for l in &lines {
        usd = usd.checked_add(l.usd).ok_or_else(|| format!("the cost of '{}' overflows", option.label))?;
    }
    Ok(OptionMonth { id: option.id.clone(), label: option.label.clone(), lines, usd })
}

// ---------------------------------------------------------------------------------------------
// reconciliation

/// Whether a difference is worth a look: |delta| > max($1, 5 % of modelled).
///
/// ```
/// use capplan::model::review::flagged;
/// use rust_decimal::Decimal;
/// assert!(!flagged(Decimal::from(4), Decimal::from(100))); // within 5 %
/// assert!(flagged(Decimal::from(-6), Decimal::from(100)));
/// assert!(!flagged(Decimal::ONE, Decimal::from(3))); // within $1
/// ```
pub fn flagged(delta: Decimal, modelled: Decimal) -> bool {
    let share = modelled.abs() * Decimal::from(RECONCILE_PCT) / Decimal::from(100);
    delta.abs() > share.max(RECONCILE_MIN_USD)
}

fn sum_usd<'a>(lines: impl Iterator<Item = &'a BilledLine>) -> Decimal {
    lines.fold(Decimal::ZERO, |a, l| a.saturating_add(l.usd))
}

fn quantity_of<'a>(lines: impl Iterator<Item = &'a BilledLine>) -> Option<Decimal> {
    lines.map(|l| l.quantity).try_fold(Decimal::ZERO, |a, q| q.map(|q| a.saturating_add(q)))
}

/// The likely cause of a flagged difference in `category`.
fn cause(
    category: UsageCategory,
    delta: Decimal,
    billed: &[&BilledLine],
    modelled: &[&MonthLine],
    retention_days: u32,
) -> String {
    let more = delta > Decimal::ZERO;
    let billed_qty = quantity_of(billed.iter().copied());
    let model_qty: Decimal = modelled.iter().map(|l| l.quantity).sum();
    let model_usd: Decimal = modelled.iter().map(|l| l.usd).sum();
    let billed_usd = sum_usd(billed.iter().copied());
    let unit_price = |usd: Decimal, q: Decimal| (!q.is_zero()).then(|| (usd / q).round_dp(4));
    match category {
        UsageCategory::NodeUsage | UsageCategory::ExtendedSupport => {
            let extended = category == UsageCategory::ExtendedSupport;
            if extended && more && model_qty.is_zero() {
                // billed hours against none modelled: not an extra node, an engine version the
                // plan does not name
                return "Extended Support the plan does not expect: an end-of-life Redis OSS version (set engine_version in [env.X.current])".into();
            }
            if let Some(q) = billed_qty.filter(|q| !q.is_zero()) {
                let (b, m) = (unit_price(billed_usd, q), unit_price(model_usd, model_qty));
                // hours a reservation covers are billed on the cache at $0 (DiscountedUsage);
                // the reservation's fee is a HeavyUsage line of its own, not the cache's
                if let (Some(b), Some(m)) = (b, m)
                    && !extended
                    && b < m / Decimal::TWO
                    && q >= model_qty * Decimal::new(99, 2)
                {
                    return format!(
                        "node-hours covered by a reservation (billed {}/hr on the cache vs {}/hr in the model): the reservation's fee is billed on its own HeavyUsage line, not on the cache",
                        format_unit_usd(b),
                        format_unit_usd(m)
                    );
                }
                if let (Some(b), Some(m)) = (b, m)
                    && (b - m).abs() > m * Decimal::new(1, 2)
                    && (q - model_qty).abs() <= model_qty * Decimal::new(1, 2)
                {
                    return format!(
                        "a price change (billed {}/hr vs {}/hr in the model)",
                        format_unit_usd(b),
                        format_unit_usd(m)
                    );
                }
                if q > model_qty {
                    return format!(
                        "more node-hours than the plan says ({} billed vs {}): a forgotten cache or an extra replica{}",
                        format_quantity(q, 0),
                        format_quantity(model_qty, 0),
                        if extended { " on an end-of-life engine" } else { "" }
                    );
                }
                if q < model_qty {
                    return format!(
                        "fewer node-hours than the plan says ({} billed vs {}): nodes removed or added during the month, or the plan's current is out of date",
                        format_quantity(q, 0),
                        format_quantity(model_qty, 0)
                    );
                }
                return "a reservation or a discount the plan does not name (the hours match)".into();
            }
            if extended && more {
                return "Extended Support the plan does not expect: an end-of-life Redis OSS version (set engine_version in [env.X.current])".into();
            }
            if more {
                "more nodes than the plan says (a forgotten cache or an extra replica), or a price change".into()
            } else {
                "a reservation the plan does not name, or fewer nodes than the plan says".into()
            }
        }
        UsageCategory::BackupUsage => {
            if more {
                format!(
                    "unmodelled snapshots (retention {retention_days} day{} in the plan; manual snapshots are kept until deleted)",
                    if retention_days == 1 { "" } else { "s" }
                )
            } else {
                format!(
                    "fewer snapshots kept than the plan's retention of {retention_days} day{}",
                    if retention_days == 1 { "" } else { "s" }
                )
            }
        }
        UsageCategory::DataTransfer => {
            if more {
                "cross-AZ traffic above the model (clients in other zones than the primary; see client_azs, cross_az_fraction)".into()
            } else {
                "less cross-AZ traffic than the model assumes (clients in the primary's zone)".into()
            }
        }
        UsageCategory::CachedData | UsageCategory::ProcessingUnits => {
            if let (Some(q), Some(m)) = (billed_qty.filter(|q| !q.is_zero()), unit_price(model_usd, model_qty)) {
                let b = (billed_usd / q).round_dp(9);
                if (b - m).abs() > m * Decimal::new(1, 2) {
                    return format!(
                        "a price change (billed {} vs {} per unit in the model)",
                        format_unit_usd(b),
                        format_unit_usd(m)
                    );
                }
            }
            if more {
                "more usage than the metrics show (metrics that miss part of the month, or a forgotten Serverless cache)".into()
            } else {
                "less usage than the model (the metrics scaled from part of the month)".into()
            }
        }
        UsageCategory::Other => "not modelled: a reservation's upfront fee, tax, credits or a support charge".into(),
    }
}

/// Why an environment the bill has no line for differs from its model.
pub const NOTHING_BILLED: &str = "no billed line matches this environment: the bill may be of another account, or the cache is named differently (add its ids or a tag under [env.NAME.review])";

/// Why the model's cross-AZ line has no counterpart in the cache's bill.
pub const CLIENT_SIDE_TRANSFER: &str = "cross-AZ client traffic is billed to the clients' side (EC2, Lambda data transfer), not to the cache: not in its bill";

/// The bill's lines of one environment against its modelled lines, by usage type. Rows where
/// both are zero are left out; a model line of data transfer with nothing billed is explained,
/// not flagged (the clients pay it).
pub fn reconcile(billed: &[&BilledLine], modelled: &OptionMonth, retention_days: u32) -> Vec<ReconciliationRow> {
    let mut rows = Vec::new();
    for category in UsageCategory::ALL {
        let b: Vec<&BilledLine> = billed.iter().copied().filter(|l| l.category() == category).collect();
        let m: Vec<&MonthLine> = modelled.lines.iter().filter(|l| l.usage_type == category).collect();
        if b.is_empty() && m.is_empty() {
            continue;
        }
        let billed_usd = sum_usd(b.iter().copied());
        let modelled_usd = m.iter().fold(Decimal::ZERO, |a, l| a.saturating_add(l.usd));
        if billed_usd.is_zero() && modelled_usd.is_zero() {
            continue;
        }
        let delta = billed_usd.saturating_sub(modelled_usd);
        let (flag, likely_cause) = if billed.is_empty() {
            (flagged(delta, modelled_usd), Some(NOTHING_BILLED.to_string()))
        } else if category == UsageCategory::DataTransfer && b.is_empty() {
            // the model's cross-AZ line is charged to the clients (EC2, Lambda), not to the cache
            (false, Some(CLIENT_SIDE_TRANSFER.to_string()))
        } else {
            let flag = flagged(delta, modelled_usd);
            (flag, flag.then(|| cause(category, delta, &b, &m, retention_days)))
        };
        rows.push(ReconciliationRow {
            usage_type: category,
            billed_usd,
            modelled_usd,
            delta_usd: delta,
            flagged: flag,
            likely_cause,
        });
    }
    rows
}

// ---------------------------------------------------------------------------------------------
// the review

fn change(env: &EnvReview, before: &PreviousEnv, since: Month) -> Change {
    let mut usage = Vec::new();
    for now in &env.usage {
        if let Some(then) = before.usage.iter().find(|u| u.metric == now.metric) {
            for (stat, b, a) in [("avg", then.avg, now.avg), ("p95", then.p95, now.p95)] {
                usage.push(Delta {
                    metric: format!("{} {stat}", now.metric),
                    before: b,
                    after: a,
                    delta: round3(a - b),
                });
            }
        }
    }
    Change {
        since,
        verdict_before: before.verdict,
        modelled_usd_before: before.modelled_usd,
        modelled_delta_usd: env.modelled_usd.saturating_sub(before.modelled_usd),
        billed_delta_usd: env.billed_usd.zip(before.billed_usd).map(|(a, b)| a.saturating_sub(b)),
        usage,
    }
}

/// Review one environment against its share of the bill (`None`: no bill).
fn review_env(
    month: Month,
    input: &EnvInput,
    bill_lines: Option<&[&BilledLine]>,
    previous: Option<&PreviousReview>,
) -> Result<EnvReview, String> {
    let cov = coverage(&input.series, month, &input.metrics_origin);
    let m = measure(&input.series, &input.capacity);
    let (verdict, reasons) = verdict(&m, input);
    let current = month_cost(&input.current, month, &m, cov.hours)?;
    let recommended = input.recommended.as_ref().map(|r| month_cost(r, month, &m, cov.hours)).transpose()?;
    let billed_usd = bill_lines.map(|l| sum_usd(l.iter().copied()));
    let reconciliation = bill_lines.map(|l| reconcile(l, &current, input.snapshot_retention_days)).unwrap_or_default();
    let mut notes = input.notes.clone();
    notes.extend(cov.note.clone());
    if verdict == Verdict::Idle {
        notes.push(format!("idle: deleting the cache saves {} a month", format_usd(current.usd)));
    }
    let mut env = EnvReview {
        env: input.env.clone(),
        verdict,
        reasons,
        modelled_usd: current.usd,
        billed_usd,
        recommended_usd: recommended.as_ref().map(|r| r.usd),
        saving_usd: recommended.as_ref().map(|r| current.usd.saturating_sub(r.usd)),
        coverage: cov,
        usage: m.rows,
        events: m.events,
        current,
        recommended,
        reconciliation,
        change: None,
        notes,
        charts: Vec::new(),
    };
    if let Some(p) = previous
        && let Some(before) = p.envs.iter().find(|e| e.env == env.env)
    {
        env.change = Some(change(&env, before, p.month));
    }
    Ok(env)
}

/// The monthly review of `envs` for `month`. `bill` (what AWS charged, from Cost Explorer or a
/// Cost and Usage Report) is split among the environments by [`BillMatch`] (first match in plan
/// order wins) and reconciled with each one's modelled lines; lines no environment claims are
/// listed as "not in any environment". `previous` is last month's review. An environment whose
/// cost cannot be computed (an overflow) is listed in `not_reviewed`.
pub fn review(
    month: Month,
    envs: &[EnvInput],
    not_reviewed: Vec<NotReviewed>,
    bill: Option<&Bill>,
    previous: Option<&PreviousReview>,
) -> Review {
    let mut claimed: Vec<Vec<&BilledLine>> = vec![Vec::new(); envs.len()];
    let mut unassigned = Vec::new();
    if let Some(bill) = bill {
        for line in &bill.lines {
            match envs.iter().position(|e| e.bill_match.matches(line)) {
                Some(i) => claimed[i].push(line),
                None => unassigned.push(UnassignedLine {
                    usage_type: line.usage_type.clone(),
                    resource: line.resource.clone(),
                    usd: line.usd,
                    likely_cause: if line.category() == UsageCategory::Other {
                        "not tied to a cache: a reservation's upfront fee, tax or credits".into()
                    } else if line.usage_type.contains("HeavyUsage") {
                        "a reserved node's fee (HeavyUsage: billed on the reservation, not on a cache): what the environments' reserved nodes cost".into()
                    } else {
                        "a forgotten cache: it matches no environment's resources or tag".into()
                    },
                }),
            }
        }
    }
    let mut out = Vec::new();
    let mut not_reviewed = not_reviewed;
    for (input, lines) in envs.iter().zip(&claimed) {
        match review_env(month, input, bill.map(|_| lines.as_slice()), previous) {
            Ok(env) => out.push(env),
            Err(reason) => not_reviewed.push(NotReviewed { env: input.env.clone(), reason }),
        }
    }
    let mut movers: Vec<Mover> = out
        .iter()
        .filter_map(|e| e.change.as_ref().map(|c| (e, c)))
        .flat_map(|(e, c)| {
            let mut v =
                vec![Mover { env: e.env.clone(), metric: "modelled_usd".into(), delta_usd: c.modelled_delta_usd }];
            if let Some(b) = c.billed_delta_usd {
                v.push(Mover { env: e.env.clone(), metric: "billed_usd".into(), delta_usd: b });
            }
            v
        })
        .filter(|m| !m.delta_usd.is_zero())
        .collect();
    movers.sort_by(|a, b| b.delta_usd.abs().cmp(&a.delta_usd.abs()).then_with(|| a.env.cmp(&b.env)));
    movers.truncate(5);
    let sum = |f: &dyn Fn(&EnvReview) -> Decimal| out.iter().fold(Decimal::ZERO, |a, e| a.saturating_add(f(e)));
    let totals = ReviewTotals {
        modelled_usd: sum(&|e| e.modelled_usd),
        billed_usd: bill.map(|_| sum(&|e| e.billed_usd.unwrap_or_default())),
        recommended_usd: sum(&|e| e.recommended_usd.unwrap_or_default()),
        saving_usd: sum(&|e| e.saving_usd.unwrap_or_default()),
        unassigned_usd: bill.map(|_| unassigned.iter().fold(Decimal::ZERO, |a, l| a.saturating_add(l.usd))),
    };
    Review {
        schema_version: SCHEMA_VERSION,
        month,
        hours: month.hours(),
        thresholds: Thresholds::default(),
        bill_source: bill.map(|b| b.source.clone()),
        previous_month: previous.map(|p| p.month),
        envs: out,
        not_reviewed,
        unassigned,
        top_movers: movers,
        totals,
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(text: &str) -> Month {
        Month::parse(text).unwrap()
    }

    /// One value every 5 minutes over the first `days` days of `m`.
    fn series(m: Month, metric: &str, stat: &str, days: u32, value: impl Fn(i64) -> f64) -> MetricSeries {
        let start = m.start_epoch();
        let points = (0..i64::from(days) * 288).map(|i| (start + i * 300, value(i))).collect();
        MetricSeries {
            id: metric.to_lowercase(),
            metric: metric.into(),
            stat: stat.into(),
            dimension: "CacheClusterId=shop-0001-001".into(),
            period_secs: 300,
            points,
        }
    }

    fn node_option(nodes: u32, rate: &str) -> PricedOption {
        PricedOption {
            id: "node".into(),
            label: format!("{nodes} x cache.r7g.large, on-demand"),
            serverless: false,
            min_storage_gb: None,
            min_ecpu_per_sec: None,
            lines: vec![PricedLine {
                item: format!("{nodes} x cache.r7g.large, on-demand"),
                quantity: Decimal::from(nodes * 730),
                unit: Unit::NodeHour,
                unit_usd: rate.parse().unwrap(),
                source: "test".into(),
                unverified: None,
            }],
        }
    }

    fn input(m: Month, series: &[MetricSeries]) -> EnvInput {
        EnvInput {
            env: "prod".into(),
            metrics_origin: "test".into(),
            series: in_month(series, m),
            current: node_option(2, "0.2"),
            capacity: Capacity { memory_gib: Some(10.0), connections: Some(65_000.0), ..Capacity::default() },
            recommended: Some(node_option(1, "0.2")),
            eviction_is_loss: false,
            headroom: 0.75,
            snapshot_retention_days: 7,
            bill_match: BillMatch { resources: vec!["shop".into()], tag: None },
            notes: Vec::new(),
        }
    }

    fn busy(m: Month, cpu: f64, memory_gib: f64) -> Vec<MetricSeries> {
        vec![
            series(m, "EngineCPUUtilization", "Average", m.days(), |_| cpu),
            series(m, "BytesUsedForCache", "Average", m.days(), |_| memory_gib * 1024.0 * 1024.0 * 1024.0),
            series(m, "TotalCmdsCount", "Sum", m.days(), |_| 300_000.0),
            series(m, "CurrConnections", "Maximum", m.days(), |_| 50.0),
        ]
    }

    fn verdict_of(i: &EnvInput) -> (Verdict, Vec<Reason>) {
        let r = review(month("2026-10"), std::slice::from_ref(i), Vec::new(), None, None);
        let e = &r.envs[0];
        (e.verdict, e.reasons.clone())
    }

    #[test]
    fn over_provisioned_needs_both_cpu_and_memory_below_their_thresholds() {
        let m = month("2026-10");
        let (v, reasons) = verdict_of(&input(m, &busy(m, 11.2, 2.0)));
        assert_eq!(v, Verdict::OverProvisioned);
        assert_eq!(reasons[0].text, "engine CPU p95 11.2 % < 20 %");
        assert_eq!(reasons[1].text, "memory p95 20 % of usable < 30 %");
        // at the threshold it is not below it
        assert_eq!(verdict_of(&input(m, &busy(m, 20.0, 2.0))).0, Verdict::RightSized);
        assert_eq!(verdict_of(&input(m, &busy(m, 19.9, 3.0))).0, Verdict::RightSized);
        assert_eq!(verdict_of(&input(m, &busy(m, 19.9, 2.99))).0, Verdict::OverProvisioned);
    }

    #[test]
    fn sustained_is_the_p95_of_hourly_values_not_a_peak() {
        let m = month("2026-10");
        let mut s = busy(m, 10.0, 2.0);
        // one hour a day at 95 % CPU: 31 of 744 hours (4.2 %) stays under the p95
        s[0] = series(m, "EngineCPUUtilization", "Average", 31, |i| if i % 288 < 12 { 95.0 } else { 10.0 });
        let i = input(m, &s);
        assert_eq!(verdict_of(&i).0, Verdict::OverProvisioned);
        let r = review(m, std::slice::from_ref(&i), Vec::new(), None, None);
        let cpu = r.envs[0].usage.iter().find(|u| u.metric == "cpu_pct").unwrap();
        assert_eq!((cpu.p95, cpu.peak), (10.0, 95.0));
    }

    #[test]
    fn under_provisioned_wins_and_names_each_sign() {
        let m = month("2026-10");
        let mut s = busy(m, 10.0, 2.0);
        s.push(series(m, "SwapUsage", "Maximum", 31, |_| 51.0 * 1024.0 * 1024.0));
        s.push(series(m, "NetworkBandwidthOutAllowanceExceeded", "Sum", 31, |i| if i == 7 { 3.0 } else { 0.0 }));
        let (v, reasons) = verdict_of(&input(m, &s));
        assert_eq!(v, Verdict::UnderProvisioned);
        let texts: Vec<&str> = reasons.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["swap p95 51 MB > 50 MB", "network bandwidth allowance exceeded 3 times > 0"]);
        // 50 MB is not above 50 MB
        let mut s = busy(m, 10.0, 2.0);
        s.push(series(m, "SwapUsage", "Maximum", 31, |_| 50.0 * 1024.0 * 1024.0));
        assert_eq!(verdict_of(&input(m, &s)).0, Verdict::OverProvisioned);
        // memory above the headroom
        assert_eq!(verdict_of(&input(m, &busy(m, 40.0, 7.6))).0, Verdict::UnderProvisioned);
        assert_eq!(verdict_of(&input(m, &busy(m, 40.0, 7.5))).0, Verdict::RightSized);
    }

    #[test]
    fn one_eviction_is_under_provisioning_only_where_eviction_loses_data() {
        let m = month("2026-10");
        let mut s = busy(m, 30.0, 5.0);
        s.push(series(m, "Evictions", "Sum", 31, |i| if i == 100 { 1.0 } else { 0.0 }));
        let mut i = input(m, &s);
        assert_eq!(verdict_of(&i).0, Verdict::RightSized);
        i.eviction_is_loss = true;
        assert_eq!(verdict_of(&i).0, Verdict::UnderProvisioned);
        // a cache evicting in more than 5 % of the hours: sustained
        s.pop();
        s.push(series(m, "Evictions", "Sum", 31, |i| if i % 288 < 24 { 10.0 } else { 0.0 }));
        let (v, reasons) = verdict_of(&input(m, &s));
        assert_eq!(v, Verdict::UnderProvisioned);
        assert!(reasons[0].text.starts_with("evictions in 8.3 % of the hours > 5 %"), "{}", reasons[0].text);
    }

    #[test]
    fn idle_is_no_commands_and_no_clients() {
        let m = month("2026-10");
        let idle = |rps: f64, conns: f64| {
            vec![
                series(m, "EngineCPUUtilization", "Average", 31, |_| 1.0),
                series(m, "BytesUsedForCache", "Average", 31, |_| 1e6),
                series(m, "TotalCmdsCount", "Sum", 31, move |_| rps * 300.0),
                series(m, "CurrConnections", "Maximum", 31, move |_| conns),
            ]
        };
        assert_eq!(verdict_of(&input(m, &idle(0.5, 2.0))).0, Verdict::Idle);
        assert_eq!(verdict_of(&input(m, &idle(1.0, 2.0))).0, Verdict::OverProvisioned);
        assert_eq!(verdict_of(&input(m, &idle(0.5, 3.0))).0, Verdict::OverProvisioned);
    }

    #[test]
    fn node_hours_are_the_months_actual_hours() {
        for (text, hours) in [("2026-10", 744), ("2026-02", 672), ("2028-02", 696), ("2026-11", 720)] {
            let m = month(text);
            let r = review(m, &[input(m, &busy(m, 30.0, 5.0))], Vec::new(), None, None);
            let line = &r.envs[0].current.lines[0];
            assert_eq!(line.quantity, Decimal::from(2 * hours), "{text}");
            assert_eq!(line.basis, format!("{hours} h in {text}"));
            assert_eq!(r.envs[0].modelled_usd, Decimal::from(2 * hours) * Decimal::new(2, 1));
            assert_eq!(r.envs[0].saving_usd, Some(Decimal::from(hours) * Decimal::new(2, 1)));
        }
    }

    #[test]
    fn serverless_storage_and_ecpu_come_from_the_measured_series_scaled_to_the_month() {
        let m = month("2026-11");
        let mut i = input(
            m,
            &[
                series(m, "BytesUsedForCache", "Average", 15, |_| 0.05 * 1024.0 * 1024.0 * 1024.0),
                series(m, "ElastiCacheProcessingUnits", "Sum", 15, |_| 1000.0),
            ],
        );
        let line = |unit, q: i64| PricedLine {
            item: "x".into(),
            quantity: Decimal::from(q),
            unit,
            unit_usd: Decimal::ONE,
            source: "t".into(),
            unverified: None,
        };
        i.current = PricedOption {
            id: "serverless".into(),
            label: "Serverless Valkey".into(),
            serverless: true,
            min_storage_gb: Some(Decimal::new(1, 1)),
            min_ecpu_per_sec: None,
            lines: vec![line(Unit::GbHour, 73), line(Unit::MillionEcpu, 5), line(Unit::MillionEcpu, 1)],
        };
        i.capacity.min_storage_gb = Some(Decimal::new(1, 1));
        let i0 = i.clone();
        let r = review(m, &[i], Vec::new(), None, None);
        let e = &r.envs[0];
        assert_eq!(e.coverage.days, 15);
        assert_eq!(
            e.coverage.note.as_deref(),
            Some(
                "metrics cover 15 of 30 days (360 of 720 hours); usage figures are from those days, costs for the whole month"
            )
        );
        // 0.05 GiB is below the 0.1 GB minimum: 0.1 × 720 GB-hours
        assert_eq!(e.current.lines[0].quantity, Decimal::new(72, 0));
        // 1000 ECPU × 288 × 15 days = 4.32 M, doubled to the month; one ECPU line only
        assert_eq!(e.current.lines.len(), 2);
        assert_eq!(e.current.lines[1].quantity, Decimal::new(864, 2));
        assert!(e.current.lines[1].basis.starts_with("derived: Σ ElastiCacheProcessingUnits over 360 covered hours"));
        // a configured minimum of 1 ECPU/s bills 3,600 an hour where 12,000 were used: no change;
        // of 10 ECPU/s, 36,000 an hour
        let mut i = i0.clone();
        i.current.min_ecpu_per_sec = Some(Decimal::from(10));
        let r = review(m, &[i], Vec::new(), None, None);
        assert_eq!(r.envs[0].current.lines[1].quantity, Decimal::new(2592, 2));
        assert!(r.envs[0].current.lines[1].basis.contains("at least the configured minimum 10 ECPU/s"));
    }

    #[test]
    fn a_recommended_serverless_cache_bills_its_own_minimum_storage() {
        // a node-based cache today (no Serverless minimum of its own) holding 0.3 GiB; the
        // recommendation is Serverless Redis OSS, which meters at least 1 GB each hour
        let m = month("2026-10");
        let mut i = input(m, &busy(m, 1.0, 0.3));
        i.recommended = Some(PricedOption {
            id: "serverless/redis".into(),
            label: "Serverless Redis OSS".into(),
            serverless: true,
            min_storage_gb: Some(Decimal::ONE),
            min_ecpu_per_sec: None,
            lines: vec![PricedLine {
                item: "Data stored".into(),
                quantity: Decimal::from(730),
                unit: Unit::GbHour,
                unit_usd: Decimal::new(125, 3),
                source: "t".into(),
                unverified: None,
            }],
        });
        let r = review(m, &[i], Vec::new(), None, None);
        let line = &r.envs[0].recommended.as_ref().unwrap().lines[0];
        assert_eq!(line.quantity, Decimal::from(744), "1 GB × 744 h, not 0.3 × 744");
        assert_eq!(line.usd, Decimal::from(93));
    }

    #[test]
    fn serverless_storage_scales_from_the_hours_its_own_series_covers() {
        // engine figures over the whole month, the data series over its first 15 days only:
        // 1 GiB stored is 744 GB-hours, not 360 (15 days) taken as the whole month
        let m = month("2026-10");
        let mut i = input(
            m,
            &[
                series(m, "TotalCmdsCount", "Sum", m.days(), |_| 3_000.0),
                series(m, "BytesUsedForCache", "Average", 15, |_| 1024.0 * 1024.0 * 1024.0),
            ],
        );
        i.current = PricedOption {
            id: "serverless".into(),
            label: "Serverless Valkey".into(),
            serverless: true,
            min_storage_gb: Some(Decimal::new(1, 1)),
            min_ecpu_per_sec: None,
            lines: vec![PricedLine {
                item: "x".into(),
                quantity: Decimal::from(730),
                unit: Unit::GbHour,
                unit_usd: Decimal::ONE,
                source: "t".into(),
                unverified: None,
            }],
        };
        let r = review(m, &[i], Vec::new(), None, None);
        let line = &r.envs[0].current.lines[0];
        assert_eq!(line.quantity, Decimal::from(744), "{}", line.basis);
        assert!(line.basis.contains("over 360 covered hours, scaled to 744 h"), "{}", line.basis);
    }

    fn billed(usage_type: &str, resource: &str, usd: i64, quantity: Option<i64>) -> BilledLine {
        BilledLine {
            usage_type: usage_type.into(),
            resource: Some(resource.into()),
            tags: Vec::new(),
            usd: Decimal::from(usd),
            quantity: quantity.map(Decimal::from),
            unit: None,
        }
    }

    #[test]
    fn reconciliation_flags_differences_and_names_their_likely_cause() {
        let m = month("2026-10");
        let mut i = input(m, &busy(m, 30.0, 5.0));
        i.current.lines.push(PricedLine {
            item: "Snapshots".into(),
            quantity: Decimal::from(48),
            unit: Unit::GbMonth,
            unit_usd: Decimal::new(85, 3),
            source: "t".into(),
            unverified: None,
        });
        let bill = Bill {
            month: m,
            source: "test bill".into(),
            lines: vec![
                // 1488 node-hours at 0.25 instead of 0.2: a price change
                billed(
                    "USE1-NodeUsage:cache.r7g.large",
                    "arn:aws:elasticache:us-east-1:1:cluster:shop-0001-001",
                    372,
                    Some(1488),
                ),
                billed("USE1-BackupUsage", "shop", 30, None),
                billed("USE1-DataTransfer-Regional-Bytes", "shop-0001-002", 12, None),
                billed("USE1-NodeUsage:cache.m7g.large", "old-cache-0001-001", 99, Some(744)),
            ],
        };
        let r = review(m, &[i], Vec::new(), Some(&bill), None);
        let e = &r.envs[0];
        assert_eq!(e.billed_usd, Some(Decimal::from(414)));
        let rows: Vec<(&str, bool, Option<&str>)> =
            e.reconciliation.iter().map(|r| (r.usage_type.id(), r.flagged, r.likely_cause.as_deref())).collect();
        assert_eq!(rows[0], ("node-usage", true, Some("a price change (billed $0.25/hr vs $0.2/hr in the model)")));
        assert_eq!(rows[1].0, "backup-usage");
        assert!(rows[1].2.unwrap().starts_with("unmodelled snapshots (retention 7 days in the plan"));
        assert!(rows[2].2.unwrap().starts_with("cross-AZ traffic"));
        assert_eq!(r.unassigned.len(), 1);
        assert_eq!(r.unassigned[0].likely_cause, "a forgotten cache: it matches no environment's resources or tag");
        assert_eq!(r.totals.unassigned_usd, Some(Decimal::from(99)));
    }

    #[test]
    fn more_node_hours_than_modelled_is_a_forgotten_cache_or_an_extra_replica() {
        let m = month("2026-10");
        let i = input(m, &busy(m, 30.0, 5.0));
        let bill = Bill {
            month: m,
            source: "t".into(),
            lines: vec![billed("NodeUsage:cache.r7g.large", "shop-0001-003", 446, Some(2232))],
        };
        let r = review(m, &[i], Vec::new(), Some(&bill), None);
        let cause = r.envs[0].reconciliation[0].likely_cause.clone().unwrap();
        assert!(cause.starts_with("more node-hours than the plan says (2,232 billed vs 1,488)"), "{cause}");
    }

    #[test]
    fn reserved_hours_billed_at_zero_and_the_reservation_fee_are_named_as_such() {
        // a Cost and Usage Report bills reserved node-hours on the cache at $0 (DiscountedUsage)
        // and the recurring fee on the reservation (RIFee, usage type HeavyUsage): neither is a
        // price change nor a forgotten cache
        let m = month("2026-10");
        let i = input(m, &busy(m, 30.0, 5.0));
        let bill = Bill {
            month: m,
            source: "t".into(),
            lines: vec![
                billed("NodeUsage:cache.r7g.large", "shop-0001-001", 0, Some(1488)),
                billed(
                    "HeavyUsage:cache.r7g.large",
                    "arn:aws:elasticache:us-east-1:1:reserved-instance:ri-1",
                    180,
                    Some(1488),
                ),
            ],
        };
        let r = review(m, &[i], Vec::new(), Some(&bill), None);
        let cause = r.envs[0].reconciliation[0].likely_cause.clone().unwrap();
        assert!(cause.starts_with("node-hours covered by a reservation (billed $0/hr"), "{cause}");
        assert_eq!(r.unassigned.len(), 1);
        assert!(r.unassigned[0].likely_cause.starts_with("a reserved node's fee"), "{}", r.unassigned[0].likely_cause);
    }

    #[test]
    fn extended_support_the_plan_does_not_model_is_named_as_such() {
        // the plan names no engine_version: the bill's Extended Support hours are not an
        // extra replica
        let m = month("2026-10");
        let i = input(m, &busy(m, 30.0, 5.0));
        let bill = Bill {
            month: m,
            source: "t".into(),
            lines: vec![
                billed("NodeUsage:cache.r7g.large", "shop-0001-001", 298, Some(1488)),
                billed("ExtendedSupportYr1_Yr2-NodeUsage:cache.r7g.large", "shop-0001-001", 260, Some(1488)),
            ],
        };
        let r = review(m, &[i], Vec::new(), Some(&bill), None);
        let row = r.envs[0].reconciliation.iter().find(|r| r.usage_type == UsageCategory::ExtendedSupport).unwrap();
        let cause = row.likely_cause.as_deref().unwrap();
        assert!(cause.starts_with("Extended Support the plan does not expect"), "{cause}");
    }

    #[test]
    fn the_flag_threshold_is_the_larger_of_a_dollar_and_five_percent() {
        assert!(!flagged(Decimal::ONE, Decimal::from(10)));
        assert!(flagged(Decimal::new(101, 2), Decimal::from(10)));
        assert!(!flagged(Decimal::from(5), Decimal::from(100)));
        assert!(flagged(Decimal::new(501, 2), Decimal::from(100)));
        assert!(flagged(Decimal::new(-501, 2), Decimal::from(100)));
    }

    #[test]
    fn resources_match_by_id_member_or_arn_and_tags_match_by_key_and_value() {
        assert!(resource_is("shop-prod", "shop-prod"));
        assert!(resource_is("shop-prod-0001-001", "shop-prod"));
        assert!(resource_is("arn:aws:elasticache:us-east-1:1:replicationgroup:shop-prod", "shop-prod"));
        assert!(!resource_is("shop-prod-2", "shop"));
        assert!(!resource_is("shop-production", "shop-prod"));
        assert!(!resource_is("shop-prod", ""));
        let m = BillMatch { resources: Vec::new(), tag: Some(("Environment".into(), "prod".into())) };
        let mut line = billed("NodeUsage", "x", 1, None);
        assert!(!m.matches(&line));
        line.tags.push(("Environment".into(), "prod".into()));
        assert!(m.matches(&line));
    }

    #[test]
    fn the_previous_review_gives_deltas_and_top_movers() {
        let m = month("2026-10");
        let prev: PreviousReview = serde_json::from_str(
            r#"{"schema_version": 1, "month": "2026-09", "envs": [{"env": "prod", "verdict": "right-sized",
                "modelled_usd": 200, "billed_usd": null, "usage": [{"metric": "cpu_pct", "title": "t",
                "avg": 20, "p95": 25, "peak": 40}], "other": true}]}"#,
        )
        .unwrap();
        let r = review(m, &[input(m, &busy(m, 30.0, 5.0))], Vec::new(), None, Some(&prev));
        let c = r.envs[0].change.as_ref().unwrap();
        assert_eq!(c.modelled_delta_usd, Decimal::new(976, 1));
        assert_eq!(c.usage[1].metric, "cpu_pct p95");
        assert!((c.usage[1].delta - 5.0).abs() < 1e-9);
        assert_eq!(r.top_movers[0].env, "prod");
        assert_eq!(r.previous_month, Some(month("2026-09")));
    }

    #[test]
    fn metrics_outside_the_month_are_left_out() {
        let m = month("2026-10");
        let s = series(m.previous(), "EngineCPUUtilization", "Average", 30, |_| 5.0);
        assert!(in_month(std::slice::from_ref(&s), m).is_empty());
        assert_eq!(in_month(&[s], m.previous()).len(), 1);
    }
}
