//! CloudWatch: a cache's metrics for the last days, fetched with the fewest `GetMetricData`
//! calls, as the same [`MetricSeries`] a metrics file gives (so `observed::derive` works on
//! either), and written back as a `GetMetricData` export that [`super::metrics::parse`] reads.
//!
//! Planning is pure: [`window`] picks the period by age (60 s within 15 days, 300 s within 63,
//! 3600 s beyond), [`queries`] names one query per metric and node, and [`pack`] lays them into
//! calls of at most 500 queries and 100,800 datapoints. Each call covers one time range, so a
//! plan is a set of rectangles (queries × periods); [`pack`] picks groups of queries and splits
//! each group's window into equal slices, choosing the combination with the fewest calls. The
//! count meets the lower bound [`min_calls`] = ⌈max(queries / 500, datapoints / 100,800)⌉, so
//! is minimal, for every window of 1 to 15 whole days at 60 s (the default 14 days among them)
//! and 1 to 1,200 queries (checked exhaustively); at 300 s and 3600 s under 1 % of sizes take
//! one call more than the bound, and some shapes cannot meet the bound with any plan (two
//! rectangles must share a straight cut: see the tests).
//! [`fetch_many`] is the thin async shell: every cache of a region shares the calls (500 caches
//! take the fewest calls for all of their queries, not the sum of each cache's), started under
//! a [`Pace`] below the API's rate limit with a few in flight; it follows `NextToken` and
//! counts calls, metrics requested and their price in [`FetchStats`], for the whole fetch and
//! each cache's share, and a failed call fails only the caches whose queries it carried.

use chrono::{DateTime, TimeZone, Utc};
use futures_util::StreamExt;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::primitives::DateTime as AwsDateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};

use super::SourceError;
use super::aws::{Context, SdkConfig, map_error};
use super::discovery::{CacheKind, Discovered, Node};
use crate::model::observed::MetricSeries;

/// CloudWatch namespace of every ElastiCache metric.
pub const NAMESPACE: &str = "AWS/ElastiCache";
/// Queries per `GetMetricData` call.
pub const MAX_QUERIES: usize = 500;
/// Datapoints per `GetMetricData` call.
pub const MAX_DATAPOINTS: u64 = 100_800;
/// Price of one metric requested, USD ($0.01 per 1,000).
pub const USD_PER_METRIC: Decimal = Decimal::from_parts(1, 0, 0, false, 5);
/// `GetMetricData` transactions per second an account may make in a region (the default quota).
pub const QUOTA_PER_SEC: u32 = 50;
/// `GetMetricData` calls started per second at most: half the quota, the other half left to the
/// dashboards and tools that share it (and to the jitter between a start and its arrival).
pub const CALLS_PER_SEC: u32 = QUOTA_PER_SEC / 2;
/// Calls in flight at once.
const PARALLEL: usize = 8;

const DAY: i64 = 86_400;

/// What to fetch metrics of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Target {
    /// A Serverless cache (dimension `clusterId`).
    Serverless {
        /// Cache name.
        name: String,
    },
    /// Node-based Valkey or Redis OSS (dimensions `CacheClusterId` + `CacheNodeId`).
    Nodes {
        /// Replication group or cluster id.
        cache_id: String,
        /// Every node.
        nodes: Vec<Node>,
    },
    /// Node-based Memcached (dimensions `CacheClusterId` + `CacheNodeId`).
    Memcached {
        /// Cluster id.
        cache_id: String,
        /// Every node.
        nodes: Vec<Node>,
    },
}

impl Target {
    /// The target for a discovered cache.
    pub fn of(cache: &Discovered) -> Target {
        match cache.kind {
            CacheKind::Serverless => Target::Serverless { name: cache.id.clone() },
            CacheKind::Memcached => Target::Memcached { cache_id: cache.id.clone(), nodes: cache.nodes.clone() },
            CacheKind::ReplicationGroup | CacheKind::Standalone => {
                Target::Nodes { cache_id: cache.id.clone(), nodes: cache.nodes.clone() }
            }
        }
    }

    /// A node-based Valkey/Redis OSS cache named by its member clusters, one node each, in
    /// shards of `per_shard` members (`<id>-0001-001`, `<id>-0001-002`, …).
    pub fn members(cache_id: &str, members: &[&str], per_shard: usize) -> Target {
        let nodes = members
            .iter()
            .enumerate()
            .map(|(i, m)| Node {
                cluster_id: (*m).to_string(),
                node_id: "0001".to_string(),
                shard: format!("{:04}", i / per_shard.max(1) + 1),
                role: None,
            })
            .collect();
        Target::Nodes { cache_id: cache_id.to_string(), nodes }
    }

    /// Name in messages.
    pub fn id(&self) -> &str {
        match self {
            Target::Serverless { name } => name,
            Target::Nodes { cache_id, .. } | Target::Memcached { cache_id, .. } => cache_id,
        }
    }
}

/// Which nodes of a node-based cache a metric is asked of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum On {
    /// Not on nodes.
    None,
    /// Every node.
    Every,
    /// One node per shard (the primary where known): data, which replicas mirror and
    /// `derive` sums.
    OnePerShard,
}

/// A metric and the statistic that answers what capplan asks of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricSpec {
    /// `AWS/ElastiCache` metric name.
    pub name: &'static str,
    /// Statistic.
    pub stat: &'static str,
    /// Asked of Serverless caches.
    pub serverless: bool,
    /// Asked of Valkey/Redis OSS nodes.
    pub nodes: On,
    /// Asked of every Memcached node.
    pub memcached: bool,
}

const fn spec(name: &'static str, stat: &'static str, serverless: bool, nodes: On, memcached: bool) -> MetricSpec {
    MetricSpec { name, stat, serverless, nodes, memcached }
}

/// The metrics fetched by default: what `observed::derive` reads, plus the signs of pressure
/// (throttling, bandwidth allowance, swap), connections churn, pub/sub and hit rates.
/// Sums are per period (derive divides by the period), gauges are averages or maxima.
pub const METRICS: &[MetricSpec] = &[
    spec("BytesUsedForCache", "Average", true, On::OnePerShard, false),
    spec("ElastiCacheProcessingUnits", "Sum", true, On::None, false),
    spec("TotalCmdsCount", "Sum", true, On::None, false),
    spec("GetTypeCmds", "Sum", false, On::Every, false),
    spec("SetTypeCmds", "Sum", false, On::Every, false),
    spec("PubSubBasedCmds", "Sum", true, On::Every, false),
    spec("CurrConnections", "Maximum", true, On::Every, true),
    spec("NewConnections", "Sum", true, On::Every, true),
    spec("EngineCPUUtilization", "Average", false, On::Every, false),
    spec("CPUUtilization", "Average", false, On::Every, true),
    spec("NetworkBytesIn", "Sum", true, On::Every, true),
    spec("NetworkBytesOut", "Sum", true, On::Every, true),
    spec("Evictions", "Sum", true, On::Every, true),
    spec("ThrottledCmds", "Sum", true, On::None, false),
    spec("NetworkBandwidthInAllowanceExceeded", "Sum", false, On::Every, true),
    spec("NetworkBandwidthOutAllowanceExceeded", "Sum", false, On::Every, true),
    spec("SwapUsage", "Maximum", false, On::Every, true),
    spec("CacheHits", "Sum", true, On::Every, false),
    spec("CacheMisses", "Sum", true, On::Every, false),
    spec("BytesUsedForCacheItems", "Average", false, On::None, true),
    spec("CmdGet", "Sum", false, On::None, true),
    spec("CmdSet", "Sum", false, On::None, true),
    spec("GetHits", "Sum", false, On::None, true),
    spec("GetMisses", "Sum", false, On::None, true),
];

/// One metric query: a metric, its statistic, and the dimensions of one cache or node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Query {
    /// Query id, unique in a plan (`^[a-z][a-zA-Z0-9_]*$`).
    pub id: String,
    /// Metric name.
    pub metric: String,
    /// Statistic.
    pub stat: String,
    /// `(name, value)` dimensions.
    pub dimensions: Vec<(String, String)>,
}

/// The time range of a fetch: `[start, end)` epoch seconds, aligned to `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Window {
    /// First second.
    pub start: i64,
    /// One past the last second.
    pub end: i64,
    /// Period, seconds.
    pub period: u32,
}

impl Window {
    /// Periods in the window (datapoints per query at most).
    pub fn periods(&self) -> u64 {
        let span = u64::try_from((self.end - self.start).max(0)).unwrap_or(0);
        span.div_ceil(u64::from(self.period.max(1)))
    }
}

/// One `GetMetricData` call: queries over one time range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Call {
    /// Time range (a slice of the fetch window).
    pub window: Window,
    /// Queries.
    pub queries: Vec<Query>,
}

impl Call {
    /// Datapoints this call can return at most.
    pub fn datapoints(&self) -> u64 {
        self.window.periods() * self.queries.len() as u64
    }
}

/// The period CloudWatch still holds at full resolution for data from `start`: 60 s for data
/// less than 15 days old, 300 s for less than 63 days, 3600 s beyond.
pub fn period_for(start: i64, now: i64) -> u32 {
    match now - start {
        age if age < 15 * DAY => 60,
        age if age < 63 * DAY => 300,
        _ => 3600,
    }
}

/// The last `days` days before `now`, at the finest period retained that far back, aligned to
/// it (CloudWatch buckets start at the start time, and misaligned periods return nothing).
pub fn window(days: u32, now: i64) -> Window {
    let span = i64::from(days.max(1)) * DAY;
    let aligned = |period: u32| {
        let end = now.div_euclid(i64::from(period)) * i64::from(period);
        Window { start: end - span, end, period }
    };
    [60, 300].into_iter().map(aligned).find(|w| period_for(w.start, now) <= w.period).unwrap_or_else(|| aligned(3600))
}

fn query_id(metric: &str, dims: &[(String, String)], seen: &mut BTreeMap<String, usize>) -> String {
    let mut id = metric.to_ascii_lowercase();
    for (_, value) in dims {
        id.push('_');
        id.extend(value.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }));
    }
    let n = seen.entry(id.clone()).or_insert(0);
    *n += 1;
    if *n > 1 { format!("{id}_{n}") } else { id }
}

fn node_dims(node: &Node) -> Vec<(String, String)> {
    vec![("CacheClusterId".to_string(), node.cluster_id.clone()), ("CacheNodeId".to_string(), node.node_id.clone())]
}

/// One node per shard: the primary where known, else the first listed.
fn one_per_shard(nodes: &[Node]) -> Vec<&Node> {
    let mut by_shard: BTreeMap<&str, &Node> = BTreeMap::new();
    for n in nodes {
        let current = by_shard.entry(n.shard.as_str()).or_insert(n);
        if n.role == Some(super::discovery::Role::Primary) && current.role != Some(super::discovery::Role::Primary) {
            *current = n;
        }
    }
    let mut out: Vec<&Node> = by_shard.into_values().collect();
    out.sort_by_key(|n| nodes.iter().position(|x| std::ptr::eq(x, *n)));
    out
}

/// The queries for `targets`: each metric of `metrics` that applies, for each target (Serverless)
/// or node (node-based), in target order.
pub fn queries(targets: &[Target], metrics: &[MetricSpec]) -> Vec<Query> {
    queries_per_target(targets, metrics).into_iter().flatten().collect()
}

/// [`queries`], one list per target (ids unique across all of them): what each target of a
/// shared fetch asks.
pub fn queries_per_target(targets: &[Target], metrics: &[MetricSpec]) -> Vec<Vec<Query>> {
    let mut seen = BTreeMap::new();
    let mut push = |metric: &MetricSpec, dims: Vec<(String, String)>, out: &mut Vec<Query>| {
        out.push(Query {
            id: query_id(metric.name, &dims, &mut seen),
            metric: metric.name.to_string(),
            stat: metric.stat.to_string(),
            dimensions: dims,
        });
    };
    let mut all = Vec::with_capacity(targets.len());
    for target in targets {
        let mut out = Vec::new();
        match target {
            Target::Serverless { name } => {
                for m in metrics.iter().filter(|m| m.serverless) {
                    push(m, vec![("clusterId".to_string(), name.clone())], &mut out);
                }
            }
            Target::Nodes { nodes, .. } | Target::Memcached { nodes, .. } => {
                let memcached = matches!(target, Target::Memcached { .. });
                let data_nodes = one_per_shard(nodes);
                for node in nodes {
                    for m in metrics {
                        let wanted = if memcached {
                            m.memcached
                        } else {
                            match m.nodes {
                                On::None => false,
                                On::Every => true,
                                On::OnePerShard => data_nodes.iter().any(|n| std::ptr::eq(*n, node)),
                            }
                        };
                        if wanted {
                            push(m, node_dims(node), &mut out);
                        }
                    }
                }
            }
        }
        all.push(out);
    }
    all
}

/// The fewest calls any plan needs: ⌈max(queries / 500, queries × periods / 100,800)⌉.
pub fn min_calls(queries: usize, periods: u64) -> u64 {
    let q = queries as u64;
    q.div_ceil(MAX_QUERIES as u64).max((q * periods).div_ceil(MAX_DATAPOINTS))
}

/// The shape of a plan: groups of `(queries, slices)`: each group's queries go together, its
/// window cut into `slices` equal parts, one call each. Fewest calls first, then fewest
/// metrics requested (a query in `s` slices is requested `s` times).
///
/// For `s` slices a group holds at most `b(s) = min(500, ⌊100,800 / ⌈periods / s⌉⌋)` queries,
/// so the cheapest plan is a multiset of slice counts whose `b(s)` add up to the queries:
/// an unbounded knapsack, solved exactly by dynamic programming over the query count.
pub fn shape(queries: usize, periods: u64) -> Vec<(usize, u64)> {
    let (options, best) = table(queries, periods);
    let mut groups = Vec::new();
    let mut n = queries;
    while n > 0 {
        let (slices, capacity) = options[best[n].2];
        let take = capacity.min(n);
        groups.push((take, slices));
        n -= take;
    }
    groups
}

/// `(slices, capacity)`: a group whose window is cut in `slices` holds `capacity` queries.
type SliceOption = (u64, usize);
/// `(calls, metrics requested, option index)` of the best plan for a query count.
type Best = (u64, u64, usize);

/// Slice options `(slices, capacity)` for `periods`, and the best plan `(calls, metrics
/// requested, option)` for every query count up to `queries`.
fn table(queries: usize, periods: u64) -> (Vec<SliceOption>, Vec<Best>) {
    let periods = periods.max(1);
    // options with growing capacity; stop once a group can hold every query (or 500)
    let mut options: Vec<SliceOption> = Vec::new();
    let mut slices = 1u64;
    loop {
        let width = periods.div_ceil(slices);
        let capacity = usize::try_from(MAX_DATAPOINTS / width).unwrap_or(usize::MAX).min(MAX_QUERIES);
        if capacity > 0 && options.last().is_none_or(|&(_, c)| capacity > c) {
            options.push((slices, capacity));
        }
        if capacity >= MAX_QUERIES.min(queries.max(1)) || slices >= periods {
            break;
        }
        slices += 1;
    }
    let mut best: Vec<Best> = vec![(0, 0, usize::MAX); queries + 1];
    for n in 1..=queries {
        let mut choice = (u64::MAX, u64::MAX, 0);
        for (i, &(slices, capacity)) in options.iter().enumerate() {
            let take = capacity.min(n);
            let (calls, metrics, _) = best[n - take];
            let candidate = (calls + slices, metrics + slices * take as u64, i);
            if (candidate.0, candidate.1) < (choice.0, choice.1) {
                choice = candidate;
            }
        }
        best[n] = choice;
    }
    (options, best)
}

/// Lay `queries` over `window` into calls (see [`shape`]): every call at most 500 queries and
/// 100,800 datapoints, every (query, period) asked exactly once.
pub fn pack(queries: &[Query], window: Window) -> Vec<Call> {
    let periods = window.periods();
    let period = i64::from(window.period.max(1));
    let mut calls = Vec::new();
    let mut rest = queries;
    for (size, slices) in shape(queries.len(), periods) {
        let (group, tail) = rest.split_at(size);
        rest = tail;
        let width = i64::try_from(periods.div_ceil(slices)).unwrap_or(i64::MAX) * period;
        let mut start = window.start;
        while start < window.end {
            let end = (start + width).min(window.end);
            calls.push(Call { window: Window { start, end, period: window.period }, queries: group.to_vec() });
            start = end;
        }
    }
    calls
}

/// The whole plan for `targets` over `[start, end)` seen at `now`: the period by age, the
/// queries for `metrics`, packed into the fewest calls.
pub fn plan_queries(targets: &[Target], metrics: &[MetricSpec], start: i64, end: i64, now: i64) -> Vec<Call> {
    let period = period_for(start, now);
    let p = i64::from(period);
    let window = Window { start: start.div_euclid(p) * p, end: end.div_euclid(p) * p, period };
    pack(&queries(targets, metrics), window)
}

/// What a fetch cost.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FetchStats {
    /// `GetMetricData` requests sent (pages included).
    pub calls: u64,
    /// Metrics requested (queries per request, summed): what CloudWatch bills.
    pub metrics_requested: u64,
    /// Datapoints received.
    pub datapoints: u64,
    /// Price of the metrics requested, USD ($0.01 per 1,000).
    pub cost_usd: Decimal,
    /// The window fetched.
    pub window: Option<Window>,
    /// Other caches whose queries went in the same calls (a shared fetch: `calls` counts
    /// every call that carried this cache's queries, some of them also others').
    #[serde(default)]
    pub shared_with: u64,
}

impl FetchStats {
    fn add(&mut self, other: &FetchStats) {
        self.calls += other.calls;
        self.metrics_requested += other.metrics_requested;
        self.datapoints += other.datapoints;
        self.cost_usd = Decimal::from(self.metrics_requested) * USD_PER_METRIC;
    }
}

/// The series of a plan's queries from the points each id received (ids merged across time
/// slices, sorted, one point per timestamp).
pub fn to_series(queries: &[Query], period: u32, mut points: BTreeMap<String, Vec<(i64, f64)>>) -> Vec<MetricSeries> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for q in queries {
        if !seen.insert(q.id.clone()) {
            continue;
        }
        let mut p = points.remove(&q.id).unwrap_or_default();
        p.sort_by_key(|x| x.0);
        p.dedup_by_key(|x| x.0);
        out.push(MetricSeries {
            id: q.id.clone(),
            metric: q.metric.clone(),
            stat: q.stat.clone(),
            dimension: q.dimensions.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join(";"),
            period_secs: period,
            points: p,
        });
    }
    out
}

/// Series as a `GetMetricData` export (`MetricDataQueries` beside `MetricDataResults`), the
/// shape [`super::metrics::parse`] reads: fetched metrics cached to a file reread offline.
pub fn to_export_json(series: &[MetricSeries]) -> String {
    let queries: Vec<serde_json::Value> = series
        .iter()
        .map(|s| {
            let dims: Vec<serde_json::Value> = s
                .dimension
                .split(';')
                .filter(|d| !d.is_empty())
                .map(|d| {
                    let (name, value) = d.split_once('=').unwrap_or((d, ""));
                    serde_json::json!({"Name": name, "Value": value})
                })
                .collect();
            serde_json::json!({
                "Id": s.id,
                "Label": s.metric,
                "MetricStat": {
                    "Metric": {"Namespace": NAMESPACE, "MetricName": s.metric, "Dimensions": dims},
                    "Period": s.period_secs,
                    "Stat": s.stat,
                },
                "ReturnData": true,
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = series
        .iter()
        .map(|s| {
            let stamps: Vec<String> = s
                .points
                .iter()
                .map(|(t, _)| {
                    Utc.timestamp_opt(*t, 0).single().map_or_else(|| t.to_string(), |d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                })
                .collect();
            let values: Vec<f64> = s.points.iter().map(|p| p.1).collect();
            serde_json::json!({"Id": s.id, "Label": s.metric, "Timestamps": stamps, "Values": values, "StatusCode": "Complete"})
        })
        .collect();
    let doc = serde_json::json!({"MetricDataQueries": queries, "MetricDataResults": results, "Messages": []});
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn sdk_query(q: &Query, period: u32) -> MetricDataQuery {
    let dims = q.dimensions.iter().map(|(n, v)| Dimension::builder().name(n).value(v).build()).collect();
    let metric = Metric::builder().namespace(NAMESPACE).metric_name(&q.metric).set_dimensions(Some(dims)).build();
    let stat =
        MetricStat::builder().metric(metric).period(i32::try_from(period).unwrap_or(i32::MAX)).stat(&q.stat).build();
    MetricDataQuery::builder().id(&q.id).metric_stat(stat).return_data(true).build()
}

type Points = Vec<(String, Vec<(i64, f64)>)>;

/// Call starts spaced `1 / rate` apart: calls asked for at once start one gap after another,
/// so no second ever holds more than `rate` starts, however many are in flight.
#[derive(Debug)]
pub struct Pace {
    gap: Duration,
    next: std::sync::Mutex<Option<Instant>>,
}

impl Pace {
    /// At most `rate` starts per second.
    pub fn per_second(rate: u32) -> Pace {
        Pace { gap: Duration::from_secs(1) / rate.max(1), next: std::sync::Mutex::new(None) }
    }

    /// When a call asked for at `now` may start (reserved: the next one starts a gap later).
    pub fn reserve(&self, now: Instant) -> Instant {
        let mut next = self.next.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let at = next.map_or(now, |n| n.max(now));
        *next = Some(at + self.gap);
        at
    }

    /// Wait for this call's start.
    pub async fn wait(&self) {
        let at = self.reserve(Instant::now());
        tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
    }
}

async fn run_call(
    client: &Client,
    ctx: &Context,
    pace: &Pace,
    call: &Call,
) -> Result<(Points, FetchStats), SourceError> {
    let mut stats = FetchStats::default();
    let mut points: Points = Vec::new();
    let mut token: Option<String> = None;
    let queries: Vec<MetricDataQuery> = call.queries.iter().map(|q| sdk_query(q, call.window.period)).collect();
    loop {
        pace.wait().await;
        let out = client
            .get_metric_data()
            .start_time(AwsDateTime::from_secs(call.window.start))
            .end_time(AwsDateTime::from_secs(call.window.end))
            .scan_by(ScanBy::TimestampAscending)
            .set_metric_data_queries(Some(queries.clone()))
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| map_error(ctx, &e))?;
        stats.calls += 1;
        stats.metrics_requested += queries.len() as u64;
        for r in out.metric_data_results() {
            let id = r.id().unwrap_or_default().to_string();
            let pts: Vec<(i64, f64)> = r
                .timestamps()
                .iter()
                .zip(r.values())
                .map(|(t, v)| (t.secs(), *v))
                .filter(|(_, v)| v.is_finite())
                .collect();
            stats.datapoints += pts.len() as u64;
            points.push((id, pts));
        }
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok((points, stats))
}

/// What one target of a shared fetch received: its series and its share of the fetch
/// (the calls that carried its queries, the metrics it requested), or why the calls that
/// carried its queries failed.
pub type TargetFetch = Result<(Vec<MetricSeries>, FetchStats), SourceError>;

/// How a shared call's failure names what it was fetching: the first caches and how many more.
fn subject_of(ids: &[&str]) -> String {
    match ids {
        [] => "no cache".to_string(),
        [one] => (*one).to_string(),
        [first, second] => format!("{first}, {second}"),
        [first, rest @ ..] => format!("{first} and {} other caches", rest.len()),
    }
}

/// Metrics of every target for the last `days` days before `now`, all targets sharing the
/// fewest calls ([`pack`]): 500 caches of a region in one plan, each call started under
/// `pace` with at most a few in flight. `each` gets every target as soon as the calls that
/// carry its queries are done (its series and share of the fetch, or the error of a call that
/// carried its queries; the others still get theirs), so only those calls' points wait in
/// memory. Returns the whole fetch's account (every call once).
pub async fn fetch_many(
    config: &SdkConfig,
    targets: &[Target],
    days: u32,
    now: DateTime<Utc>,
    pace: &Pace,
    mut each: impl FnMut(usize, TargetFetch),
) -> FetchStats {
    let w = window(days, now.timestamp());
    let per_target = queries_per_target(targets, METRICS);
    let owner: std::collections::HashMap<&str, usize> =
        per_target.iter().enumerate().flat_map(|(t, qs)| qs.iter().map(move |q| (q.id.as_str(), t))).collect();
    let all: Vec<Query> = per_target.iter().flatten().cloned().collect();
    let calls = pack(&all, w);
    // the targets each call carries, and the call after which each target is complete
    let carried: Vec<Vec<(usize, u64)>> = calls
        .iter()
        .map(|call| {
            let mut in_call: BTreeMap<usize, u64> = BTreeMap::new();
            for q in &call.queries {
                *in_call.entry(owner[q.id.as_str()]).or_default() += 1;
            }
            in_call.into_iter().collect()
        })
        .collect();
    let mut complete_after: Vec<Vec<usize>> = vec![Vec::new(); calls.len()];
    let mut last = vec![None; targets.len()];
    for (c, in_call) in carried.iter().enumerate() {
        for &(t, _) in in_call {
            last[t] = Some(c);
        }
    }
    for (t, at) in last.iter().enumerate() {
        match at {
            Some(c) => complete_after[*c].push(t),
            // nothing to ask of it (a cache without nodes): complete, and empty
            None => each(t, Partial::new(w).finish(&per_target[t], w.period)),
        }
    }
    let mut state: Vec<Partial> = vec![Partial::new(w); targets.len()];
    let client = Client::new(config);
    let requests = calls.iter().zip(&carried).map(|(call, in_call)| {
        let ids: Vec<&str> = in_call.iter().map(|&(t, _)| targets[t].id()).collect();
        let ctx = Context::new(config, "cloudwatch:GetMetricData", subject_of(&ids));
        let client = &client;
        async move { run_call(client, &ctx, pace, call).await }
    });
    let mut results = futures_util::stream::iter(requests).buffered(PARALLEL);
    let mut total = FetchStats { window: Some(w), ..FetchStats::default() };
    let mut c = 0;
    while let Some(result) = results.next().await {
        let in_call = &carried[c];
        for &(t, _) in in_call {
            state[t].sharing.extend(in_call.iter().map(|&(o, _)| o).filter(|&o| o != t));
        }
        match result {
            Ok((got, s)) => {
                total.add(&s);
                for &(t, n) in in_call {
                    state[t].stats.calls += s.calls;
                    state[t].stats.metrics_requested += n * s.calls;
                }
                for (id, pts) in got {
                    let Some(&t) = owner.get(id.as_str()) else { continue };
                    state[t].stats.datapoints += pts.len() as u64;
                    state[t].points.entry(id).or_default().extend(pts);
                }
            }
            Err(e) => {
                for &(t, _) in in_call {
                    state[t].failed.get_or_insert_with(|| e.clone());
                }
            }
        }
        for &t in &complete_after[c] {
            let done = std::mem::replace(&mut state[t], Partial::new(w));
            each(t, done.finish(&per_target[t], w.period));
        }
        c += 1;
    }
    total
}

/// What a target of a shared fetch has received so far.
#[derive(Clone, Debug)]
struct Partial {
    stats: FetchStats,
    points: BTreeMap<String, Vec<(i64, f64)>>,
    sharing: std::collections::BTreeSet<usize>,
    failed: Option<SourceError>,
}

impl Partial {
    fn new(w: Window) -> Partial {
        Partial {
            stats: FetchStats { window: Some(w), ..FetchStats::default() },
            points: BTreeMap::new(),
            sharing: std::collections::BTreeSet::new(),
            failed: None,
        }
    }

    fn finish(self, queries: &[Query], period: u32) -> TargetFetch {
        if let Some(e) = self.failed {
            return Err(e);
        }
        let mut stats = self.stats;
        stats.cost_usd = Decimal::from(stats.metrics_requested) * USD_PER_METRIC;
        stats.shared_with = self.sharing.len() as u64;
        Ok((to_series(queries, period, self.points), stats))
    }
}

/// Metrics of one cache for the last `days` days before `now` (14 is the usual choice).
pub async fn fetch(
    config: &SdkConfig,
    target: &Target,
    days: u32,
    now: DateTime<Utc>,
) -> Result<(Vec<MetricSeries>, FetchStats), SourceError> {
    let pace = Pace::per_second(CALLS_PER_SEC);
    let mut got = None;
    fetch_many(config, std::slice::from_ref(target), days, now, &pace, |_, fetched| got = Some(fetched)).await;
    got.unwrap_or_else(|| {
        Err(SourceError::Aws { action: "cloudwatch:GetMetricData".into(), message: "nothing was fetched".into() })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_queries(n: usize) -> Vec<Query> {
        (0..n)
            .map(|i| Query { id: format!("q{i}"), metric: "M".into(), stat: "Sum".into(), dimensions: Vec::new() })
            .collect()
    }

    fn calls_of(q: usize, periods: u64) -> u64 {
        shape(q, periods).iter().map(|(_, s)| s).sum()
    }

    /// Calls for every query count up to `max`, from one table.
    fn calls_upto(max: usize, periods: u64) -> Vec<u64> {
        table(max, periods).1.iter().map(|b| b.0).collect()
    }

    /// Every (query, period) cell is asked once, and every call keeps both limits.
    fn check_cover(calls: &[Call], queries: usize, w: Window) {
        let mut cells: BTreeMap<String, u64> = BTreeMap::new();
        for c in calls {
            assert!(c.queries.len() <= MAX_QUERIES, "{} queries", c.queries.len());
            assert!(c.datapoints() <= MAX_DATAPOINTS, "{} datapoints", c.datapoints());
            assert!(c.window.start >= w.start && c.window.end <= w.end && c.window.start < c.window.end);
            assert_eq!((c.window.start - w.start) % i64::from(w.period), 0, "slices stay aligned to the period");
            for q in &c.queries {
                *cells.entry(q.id.clone()).or_default() += c.window.periods();
            }
        }
        assert_eq!(cells.len(), queries);
        assert!(cells.values().all(|&n| n == w.periods()), "each query covers the window exactly once");
    }

    #[test]
    fn the_period_follows_the_age_of_the_window() {
        let now = 1_800_000_000;
        assert_eq!(window(14, now).period, 60);
        assert_eq!(window(15, now).period, 300, "the oldest minute of 15 days is past the 15-day retention");
        assert_eq!(window(63, now).period, 3600);
        assert_eq!(window(62, now).period, 300);
        assert_eq!(window(400, now).period, 3600);
        let w = window(14, now);
        assert_eq!((w.end % 60, w.end - w.start, w.periods()), (0, 14 * DAY, 20_160));
        assert!(w.end <= now && now - w.end < 60);
    }

    #[test]
    fn call_counts_meet_the_lower_bound_for_every_size_at_one_minute() {
        // every whole-day window at 60 s, 1 to 1,200 queries: exactly ⌈max(q/500, q·p/100,800)⌉
        for days in 1..=15u64 {
            let periods = days * 1440;
            let calls = calls_upto(1200, periods);
            for (q, &got) in calls.iter().enumerate().skip(1) {
                assert_eq!(got, min_calls(q, periods), "{q} queries × {days} days");
            }
        }
    }

    #[test]
    fn call_counts_for_metrics_times_targets_times_days() {
        // N metrics × M targets (nodes) × D days, as `queries` builds them
        for (n, m, d) in [
            (1, 1, 14),
            (15, 4, 14),
            (15, 5, 14),
            (12, 6, 7),
            (15, 30, 14),
            (13, 100, 14),
            (15, 60, 1),
            (8, 1, 2),
            (15, 3, 3),
        ] {
            let nodes: Vec<String> = (0..m).map(|i| format!("c-{i:04}-001")).collect();
            let refs: Vec<&str> = nodes.iter().map(String::as_str).collect();
            let target = Target::members("c", &refs, 1);
            let metrics: Vec<MetricSpec> = METRICS.iter().filter(|s| s.nodes == On::Every).take(n).copied().collect();
            assert_eq!(metrics.len(), n);
            let now = 1_800_000_000;
            let w = window(d, now);
            let calls = plan_queries(std::slice::from_ref(&target), &metrics, w.start, w.end, now);
            let q = n * m as usize;
            assert_eq!(calls.len() as u64, min_calls(q, w.periods()), "{n} metrics × {m} targets × {d} days");
            check_cover(&calls, q, w);
        }
        // the query limit binds on short windows: 1,200 queries over 3 hours at 60 s
        let w = Window { start: 0, end: 3 * 3600, period: 60 };
        let calls = pack(&fake_queries(1200), w);
        assert_eq!(calls.len(), 3);
        check_cover(&calls, 1200, w);
    }

    #[test]
    fn the_table_and_the_shape_agree() {
        for (q, periods) in [(1, 20_160), (37, 20_160), (499, 288), (777, 4_608), (1200, 21_600)] {
            assert_eq!(calls_upto(q, periods)[q], calls_of(q, periods));
            assert_eq!(shape(q, periods).iter().map(|g| g.0).sum::<usize>(), q);
        }
    }

    #[test]
    fn coarser_periods_stay_within_one_call_of_the_bound() {
        let (mut over, mut sizes) = (Vec::new(), 0);
        for (period, days) in [(300u64, 15..=63u64), (3600, 63..=455)] {
            for d in days {
                let periods = d * 86_400 / period;
                let calls = calls_upto(1000, periods);
                for (q, &got) in calls.iter().enumerate().skip(1) {
                    let bound = min_calls(q, periods);
                    assert!(got == bound || got == bound + 1, "{q} × {d} days at {period} s: {got} vs {bound}");
                    sizes += 1;
                    if got > bound {
                        over.push((period, d, q));
                    }
                }
            }
        }
        // e.g. 153 queries × 16 days at 300 s: 705,024 datapoints fit 7 calls only if the
        // rectangles tile the grid with less than 0.1 % waste
        assert!(over.contains(&(300, 16, 153)));
        assert!(over.len() * 100 < sizes, "one call over the bound for {} of {sizes} sizes", over.len());
    }

    #[test]
    fn some_shapes_cannot_meet_the_bound() {
        // 11 queries × 18,327 periods: 201,597 datapoints, the bound is 2 calls; two rectangles
        // tiling a rectangle share one straight cut: by queries, 6 × 18,327 > 100,800; by time,
        // 11 × 9,164 > 100,800. So 3 is the minimum, and the plan finds it.
        assert_eq!(min_calls(11, 18_327), 2);
        assert!((0..=11).all(|a| a.max(11 - a) * 18_327 > MAX_DATAPOINTS));
        assert!((0..=18_327u64).all(|t| 11 * t.max(18_327 - t) > MAX_DATAPOINTS));
        assert_eq!(calls_of(11, 18_327), 3);
        let w = Window { start: 0, end: 18_327 * 60, period: 60 };
        let calls = pack(&fake_queries(11), w);
        assert_eq!(calls.len(), 3);
        check_cover(&calls, 11, w);
    }

    #[test]
    fn ties_prefer_fewer_metrics_requested() {
        // 5 queries × 14 days fit one call; splitting time would request each twice
        assert_eq!(shape(5, 20_160), vec![(5, 1)]);
        // 14 queries × 15 days at 60 s: 3 calls either way; whole windows would need 4
        let s = shape(14, 21_600);
        assert_eq!(s.iter().map(|g| g.1).sum::<u64>(), 3);
    }

    #[test]
    fn queries_name_serverless_caches_and_every_node() {
        let targets = [
            Target::Serverless { name: "sessions".into() },
            Target::members("shop", &["shop-0001-001", "shop-0001-002", "shop-0002-001", "shop-0002-002"], 2),
        ];
        let qs = queries(&targets, METRICS);
        let sls: Vec<&Query> = qs.iter().filter(|q| q.dimensions[0].0 == "clusterId").collect();
        assert!(sls.iter().any(|q| q.metric == "ElastiCacheProcessingUnits" && q.stat == "Sum"));
        assert!(sls.iter().all(|q| q.dimensions == [("clusterId".to_string(), "sessions".to_string())]));
        let bytes: Vec<&str> = qs
            .iter()
            .filter(|q| q.metric == "BytesUsedForCache" && q.dimensions[0].0 == "CacheClusterId")
            .map(|q| q.dimensions[0].1.as_str())
            .collect();
        assert_eq!(bytes, ["shop-0001-001", "shop-0002-001"], "data once per shard");
        let cpu = qs.iter().filter(|q| q.metric == "EngineCPUUtilization").count();
        assert_eq!(cpu, 4, "engine CPU on every node");
        assert!(
            qs.iter()
                .filter(|q| q.dimensions.len() == 2)
                .all(|q| q.dimensions[1] == ("CacheNodeId".into(), "0001".into()))
        );
        let ids: std::collections::BTreeSet<&str> = qs.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids.len(), qs.len(), "ids are unique");
        assert!(qs.iter().all(|q| q.id.starts_with(|c: char| c.is_ascii_lowercase())
            && q.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')));
    }

    #[test]
    fn the_export_reads_back_as_the_same_series() {
        let qs = queries(&[Target::members("shop", &["shop-0001-001"], 1)], METRICS);
        let mut points = BTreeMap::new();
        for (i, q) in qs.iter().enumerate() {
            points.insert(q.id.clone(), vec![(1_800_000_060, i as f64 + 0.5), (1_800_000_000, 2.0)]);
        }
        let series = to_series(&qs, 60, points);
        assert_eq!(series[0].points[0].0, 1_800_000_000, "sorted ascending");
        let json = to_export_json(&series);
        let back = super::super::metrics::parse(json.as_bytes(), "cached.json").unwrap();
        assert_eq!(back, series);
    }

    #[test]
    fn issue_13_the_pace_never_starts_more_than_its_rate_in_a_second() {
        let pace = Pace::per_second(CALLS_PER_SEC);
        let t0 = Instant::now();
        // 200 calls asked for at once (and some a little later): one every 40 ms
        let mut starts: Vec<Instant> = (0..200).map(|_| pace.reserve(t0)).collect();
        starts.push(pace.reserve(t0 + Duration::from_millis(100)));
        assert_eq!(starts[0], t0, "the first starts at once");
        assert_eq!(starts[199] - t0, Duration::from_millis(40) * 199);
        assert!(starts.windows(2).all(|w| w[1] - w[0] == Duration::from_millis(40)), "evenly spaced");
        for (i, s) in starts.iter().enumerate() {
            let in_second = starts[i..].iter().take_while(|t| **t < *s + Duration::from_secs(1)).count();
            assert!(in_second <= CALLS_PER_SEC as usize, "{in_second} starts within a second of the {i}th");
        }
        // after a quiet spell, a call starts when asked
        let later = t0 + Duration::from_mins(1);
        assert_eq!(pace.reserve(later), later);
        assert_eq!(pace.reserve(later), later + Duration::from_millis(40));
    }

    #[test]
    fn issue_13_five_hundred_caches_together_take_fewer_calls_than_one_by_one() {
        let names: Vec<String> = (0..500).map(|i| format!("c{i:03}")).collect();
        let targets: Vec<Target> = names.iter().map(|n| Target::members(n, &[n.as_str()], 1)).collect();
        let now = 1_800_000_000;
        for (days, together, one_by_one) in [(14, 1600, 2000), (1, 115, 500)] {
            let w = window(days, now);
            let calls = plan_queries(&targets, METRICS, w.start, w.end, now);
            check_cover(&calls, 500 * 16, w);
            assert_eq!(calls.len(), together, "{days} days");
            assert_eq!(calls.len() as u64, min_calls(500 * 16, w.periods()));
            let alone: usize =
                targets.iter().map(|t| plan_queries(std::slice::from_ref(t), METRICS, w.start, w.end, now).len()).sum();
            assert_eq!(alone, one_by_one, "{days} days, a fetch per cache");
        }
    }

    #[test]
    fn queries_per_target_are_the_queries_split_at_each_target() {
        let targets = [
            Target::members("a", &["a-0001-001", "a-0001-002"], 2),
            Target::Serverless { name: "a-0001-001".into() },
            Target::members("a", &["a-0001-001"], 1),
        ];
        let per = queries_per_target(&targets, METRICS);
        assert_eq!(per.iter().flatten().cloned().collect::<Vec<_>>(), queries(&targets, METRICS));
        assert_eq!(per.iter().map(Vec::len).collect::<Vec<_>>(), [15 * 2 + 1, 12, 16]);
        let ids: std::collections::BTreeSet<&str> = per.iter().flatten().map(|q| q.id.as_str()).collect();
        assert_eq!(ids.len(), 31 + 12 + 16, "ids stay unique across targets, even for a cache named twice");
    }

    #[test]
    fn cost_is_a_cent_per_thousand_metrics() {
        let mut s = FetchStats::default();
        s.add(&FetchStats { calls: 2, metrics_requested: 1500, datapoints: 10, ..FetchStats::default() });
        assert_eq!(s.cost_usd, Decimal::new(15, 3));
    }
}
