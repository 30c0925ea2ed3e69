//! One environment's live cache: discover it in ElastiCache, fetch its CloudWatch series, and
//! keep both in the user cache (`metrics/<region>/<kind>-<id>-<days>d.json`) so reports and the
//! app work offline afterwards. Also what the discovered cache means for the plan: its `current`
//! deployment, and where the plan's own `current` disagrees with it.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::SourceError;
use super::aws::{self, AwsOptions};
use super::cloudwatch::{self, FetchStats, Target};
use super::discovery::{self, CacheKind, Discovered, Role};
use super::plan::AwsCacheRef;
use super::user_cache;
use crate::model::observed::MetricSeries;
use crate::model::price::{PriceBook, Term};
use crate::model::workload::{Backup, Current, Deployment, EngineVersion, EnvInputs, NodeLayout, UsageLimits};

/// Version of the cached file's shape.
const CACHE_SCHEMA: u32 = 1;

/// What to fetch for one environment.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LiveRequest {
    /// The cache, as the plan names it.
    pub cache: AwsCacheRef,
    /// Its region (the environment's).
    pub region: String,
    /// Days of metrics.
    pub days: u32,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--offline`: the user cache only.
    pub offline: bool,
}

/// A fetch, as cached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveMetrics {
    /// Shape version.
    pub schema_version: u32,
    /// When it was fetched.
    pub fetched_at: DateTime<Utc>,
    /// Days asked for.
    pub days: u32,
    /// The cache as ElastiCache described it.
    pub discovered: Discovered,
    /// What the fetch cost.
    pub stats: FetchStats,
    /// The series as a `GetMetricData` export (what `metrics::parse` reads).
    pub series: serde_json::Value,
    /// Read from the user cache rather than fetched now.
    #[serde(skip)]
    pub from_cache: bool,
}

fn kind_name(cache: &AwsCacheRef) -> &'static str {
    match cache {
        AwsCacheRef::Serverless(_) => "serverless",
        AwsCacheRef::ReplicationGroup(_) => "replication-group",
        AwsCacheRef::CacheCluster(_) => "cache-cluster",
    }
}

/// The cache file of a request: one per cache and window, since two environments may name the
/// same cache with different `days` (ids are letters, digits and hyphens: the plan checks).
pub fn cache_file(req: &LiveRequest) -> Result<std::path::PathBuf, SourceError> {
    user_cache::path(&format!("metrics/{}/{}-{}-{}d.json", req.region, kind_name(&req.cache), req.cache.id(), req.days))
}

/// Where a fetch was kept before the file named its window (still read when its days match).
fn older_cache_file(req: &LiveRequest) -> Result<std::path::PathBuf, SourceError> {
    user_cache::path(&format!("metrics/{}/{}-{}.json", req.region, kind_name(&req.cache), req.cache.id()))
}

/// How the cache is described in messages: `replication group 'shop-prod' in us-east-1`.
pub fn describe(req: &LiveRequest) -> String {
    let kind = match req.cache {
        AwsCacheRef::Serverless(_) => "Serverless cache",
        AwsCacheRef::ReplicationGroup(_) => "replication group",
        AwsCacheRef::CacheCluster(_) => "cache cluster",
    };
    format!("{kind} '{}' in {}", req.cache.id(), req.region)
}

/// Read the cached fetch of `req` (its cache, its window); `Ok(None)` when there is none.
pub fn cached(req: &LiveRequest) -> Result<Option<LiveMetrics>, SourceError> {
    for path in [cache_file(req)?, older_cache_file(req)?] {
        let Some(bytes) = user_cache::read(&path)? else { continue };
        let mut live: LiveMetrics = serde_json::from_slice(&bytes).map_err(|e| SourceError::UserCache {
            path: path.clone(),
            message: format!("unreadable ({e}): delete it, or fetch again without --offline"),
        })?;
        // another version's shape, or (the older file) another environment's window
        if live.schema_version != CACHE_SCHEMA || live.days != req.days {
            continue;
        }
        live.from_cache = true;
        return Ok(Some(live));
    }
    Ok(None)
}

/// The series of a fetch, as `metrics::parse` reads them.
pub fn series(live: &LiveMetrics) -> Result<Vec<MetricSeries>, SourceError> {
    let text = serde_json::to_vec(&live.series).map_err(|e| SourceError::Cache(e.to_string()))?;
    super::metrics::parse(&text, &format!("cached metrics of '{}'", live.discovered.id))
}

/// Discover the cache and fetch its metrics now (or, with `offline`, read the last fetch), and
/// cache the fetch. Blocking: runs its own single-threaded runtime (call it off any runtime).
pub fn load(req: &LiveRequest, now: DateTime<Utc>) -> Result<LiveMetrics, SourceError> {
    let mut out = load_all(std::slice::from_ref(req), now, &|_| {});
    let one = out
        .pop()
        .unwrap_or_else(|| Err(SourceError::Aws { action: "fetch".into(), message: "nothing was fetched".into() }));
    one.and_then(|kept| with_series(req, kept))
}

/// [`load`] for many caches at once, each request its own result, each fetch cached as
/// [`load`] caches it. The caches of one region and profile are discovered together (one
/// listing, not a lookup each) and share the `GetMetricData` calls of their window: 500 caches
/// take the fewest calls for all their queries, paced under the API's rate limit; regions are
/// fetched at the same time. `say` hears what is being fetched (a long fetch is not silent).
///
/// A fetched result is returned without its series (they wait in the user cache, so 500
/// caches' minutes never sit in memory at once): [`with_series`] reads them back.
pub fn load_all(
    reqs: &[LiveRequest],
    now: DateTime<Utc>,
    say: &(dyn Fn(&str) + Sync),
) -> Vec<Result<LiveMetrics, SourceError>> {
    let mut out: Vec<Option<Result<LiveMetrics, SourceError>>> = vec![None; reqs.len()];
    let mut online: BTreeMap<(&str, Option<&str>), Vec<usize>> = BTreeMap::new();
    for (i, req) in reqs.iter().enumerate() {
        if req.offline {
            out[i] = Some(cached(req).and_then(|c| {
                c.ok_or_else(|| SourceError::Offline {
                    what: format!("metrics of the {}", describe(req)),
                    hint: "run once without --offline (with AWS access) to fetch and cache them".into(),
                })
            }));
        } else {
            online.entry((req.region.as_str(), req.profile.as_deref())).or_default().push(i);
        }
    }
    if !online.is_empty() {
        match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => {
                let regions = online.values().map(|group| fetch_region(reqs, group, now, say));
                for fetched in runtime.block_on(futures_util::future::join_all(regions)) {
                    for (i, r) in fetched {
                        out[i] = Some(r);
                    }
                }
            }
            Err(e) => {
                for &i in online.values().flatten() {
                    out[i] = Some(Err(SourceError::Aws { action: "start".into(), message: e.to_string() }));
                }
            }
        }
    }
    out.into_iter()
        .map(|r| r.unwrap_or_else(|| Err(SourceError::Aws { action: "fetch".into(), message: "not fetched".into() })))
        .collect()
}

/// A fetch [`load_all`] returned, with its series read back from the user cache where they
/// wait (one fetched earlier, or read from the cache, already has them).
pub fn with_series(req: &LiveRequest, kept: LiveMetrics) -> Result<LiveMetrics, SourceError> {
    if !kept.series.is_null() {
        return Ok(kept);
    }
    let path = cache_file(req)?;
    let reread = cached(req)?.filter(|c| c.fetched_at == kept.fetched_at).ok_or_else(|| SourceError::UserCache {
        path,
        message: "the metrics just fetched are no longer there: fetch again".into(),
    })?;
    Ok(LiveMetrics { series: reread.series, ..kept })
}

/// The requests `group` of one region and profile: discover their caches, fetch each window's
/// caches together, cache every fetch.
async fn fetch_region(
    reqs: &[LiveRequest],
    group: &[usize],
    now: DateTime<Utc>,
    say: &(dyn Fn(&str) + Sync),
) -> Vec<(usize, Result<LiveMetrics, SourceError>)> {
    let first = &reqs[group[0]];
    let all_fail = |e: SourceError| group.iter().map(|&i| (i, Err(e.clone()))).collect::<Vec<_>>();
    let options = match (AwsOptions {
        profile: first.profile.clone(),
        region: Some(first.region.clone()),
        ..AwsOptions::default()
    })
    .with_env()
    {
        Ok(o) => o,
        Err(e) => return all_fail(e),
    };
    let config = match aws::load(&options).await {
        Ok(c) => c,
        Err(e) => return all_fail(e),
    };
    let mut ids: Vec<&str> = group.iter().map(|&i| reqs[i].cache.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    let found = discover(&config, &ids).await;

    let mut out = Vec::new();
    // by window: the caches each fetches, and which requests each cache answers
    let mut by_days: BTreeMap<u32, Vec<(usize, Discovered)>> = BTreeMap::new();
    for &i in group {
        let req = &reqs[i];
        match found.get(req.cache.id()).cloned().unwrap_or_else(|| Err(not_found(req))) {
            Ok(d) => match check_kind(req, &d) {
                Ok(()) => by_days.entry(req.days).or_default().push((i, d)),
                Err(e) => out.push((i, Err(e))),
            },
            Err(e) => out.push((i, Err(e))),
        }
    }
    let pace = cloudwatch::Pace::per_second(cloudwatch::CALLS_PER_SEC);
    for (days, asked) in by_days {
        let mut caches: Vec<&Discovered> = Vec::new();
        let mut answers: Vec<Vec<usize>> = Vec::new();
        for (i, d) in &asked {
            match caches.iter().position(|c| c.id == d.id) {
                Some(t) => answers[t].push(*i),
                None => {
                    caches.push(d);
                    answers.push(vec![*i]);
                }
            }
        }
        let targets: Vec<Target> = caches.iter().map(|d| Target::of(d)).collect();
        if targets.len() > 1 {
            let planned = cloudwatch::pack(
                &cloudwatch::queries(&targets, cloudwatch::METRICS),
                cloudwatch::window(days, now.timestamp()),
            )
            .len();
            say(&format!(
                "fetching {days} days of CloudWatch metrics of {} caches in {}: {planned} GetMetricData calls, at most {} a second",
                targets.len(),
                first.region,
                cloudwatch::CALLS_PER_SEC
            ));
        }
        let total = cloudwatch::fetch_many(&config, &targets, days, now, &pace, |t, fetched| {
            let kept = fetched.and_then(|(series, stats)| keep(&reqs[answers[t][0]], caches[t], &series, stats, now));
            for &i in &answers[t] {
                // two environments naming one cache and window share the fetch (and its file)
                out.push((i, kept.clone()));
            }
        })
        .await;
        if targets.len() > 1 {
            say(&format!(
                "fetched {} caches in {}: {} calls, {} metrics requested, ${} ($0.01 per 1,000 metrics)",
                targets.len(),
                first.region,
                total.calls,
                total.metrics_requested,
                total.cost_usd.normalize()
            ));
        }
    }
    out
}

fn not_found(req: &LiveRequest) -> SourceError {
    SourceError::AwsNotFound {
        subject: req.cache.id().to_string(),
        region: req.region.clone(),
        code: "no such cache".into(),
    }
}

/// The caches `ids` names: one lookup for one cache; for more, one listing of the region (a
/// member id finds its group), or a lookup each when the listing is refused.
async fn discover(config: &aws::SdkConfig, ids: &[&str]) -> BTreeMap<String, Result<Discovered, SourceError>> {
    let mut out = BTreeMap::new();
    if ids.len() > 1
        && let Ok(all) = discovery::discover_all(config, &[]).await
    {
        let region = aws::region_of(config);
        for id in ids {
            let d = all.iter().find(|d| d.id == *id).or_else(|| all.iter().find(|d| d.members.iter().any(|m| m == id)));
            let found = d.cloned().ok_or_else(|| SourceError::AwsNotFound {
                subject: (*id).to_string(),
                region: region.clone(),
                code: "no such cache".into(),
            });
            out.insert((*id).to_string(), found);
        }
        return out;
    }
    for id in ids {
        out.insert((*id).to_string(), discovery::discover_one(config, id).await);
    }
    out
}

/// A cache's fetch as the user cache keeps it: written, and returned without its series.
fn keep(
    req: &LiveRequest,
    discovered: &Discovered,
    series: &[MetricSeries],
    stats: FetchStats,
    now: DateTime<Utc>,
) -> Result<LiveMetrics, SourceError> {
    let export: serde_json::Value = serde_json::from_str(&cloudwatch::to_export_json(series))
        .map_err(|e| SourceError::Cache(format!("the fetched series cannot be kept: {e}")))?;
    let live = LiveMetrics {
        schema_version: CACHE_SCHEMA,
        fetched_at: now,
        days: req.days,
        discovered: discovered.clone(),
        stats,
        series: export,
        from_cache: false,
    };
    let bytes = serde_json::to_vec(&live).map_err(|e| SourceError::Cache(e.to_string()))?;
    user_cache::write(&cache_file(req)?, &bytes)?;
    Ok(LiveMetrics { series: serde_json::Value::Null, ..live })
}

/// The plan names the cache with the key of its kind.
fn check_kind(req: &LiveRequest, d: &Discovered) -> Result<(), SourceError> {
    let fits = matches!(
        (&req.cache, d.kind),
        (AwsCacheRef::Serverless(_), CacheKind::Serverless)
            | (AwsCacheRef::ReplicationGroup(_), CacheKind::ReplicationGroup)
            | (AwsCacheRef::CacheCluster(_), CacheKind::Standalone | CacheKind::Memcached)
    );
    if fits {
        return Ok(());
    }
    let (is, key) = match d.kind {
        CacheKind::Serverless => ("a Serverless cache", "serverless_cache"),
        CacheKind::ReplicationGroup => ("a replication group", "replication_group"),
        CacheKind::Standalone | CacheKind::Memcached => ("a cache cluster", "cache_cluster"),
    };
    Err(SourceError::WrongCacheKind {
        id: req.cache.id().to_string(),
        message: format!("it is {is} in {}: name it with {key} = \"{}\"", d.region, d.id),
    })
}

/// The series a workload is derived from: a replica executes every write its primary
/// replicates, so a replica's `SetTypeCmds` are the primary's writes again and are left out
/// (where ElastiCache names the roles).
pub fn for_workload(d: &Discovered, series: Vec<MetricSeries>) -> Vec<MetricSeries> {
    let replicas: Vec<String> = d
        .nodes
        .iter()
        .filter(|n| n.role == Some(Role::Replica))
        .map(|n| format!("CacheClusterId={}", n.cluster_id))
        .collect();
    series
        .into_iter()
        .filter(|s| !(s.metric == "SetTypeCmds" && replicas.iter().any(|r| s.dimension.split(';').any(|d| d == r))))
        .collect()
}

/// The deployment a discovered cache is, as the plan's `current` would say it. Reserved nodes
/// are bought apart from the cache (not read): the nodes are priced on demand.
pub fn current_of(d: &Discovered, env: &EnvInputs, book: &PriceBook) -> Result<Current, String> {
    let backup = Backup { retention_days: d.snapshot_retention_days, snapshot_gb: env.workload.data_gb };
    let engine_version = d.engine_version.as_deref().and_then(|v| {
        let major = v.split('.').next()?.parse().ok()?;
        Some(EngineVersion { major, text: v.to_string() })
    });
    let deployment = match d.kind {
        CacheKind::Serverless => {
            let limits = d.limits.unwrap_or_default();
            Deployment::Serverless {
                engine: d.engine,
                limits: UsageLimits {
                    max_data_gb: limits.max_data_gb.map(Decimal::from),
                    max_ecpu_per_sec: limits.max_ecpu_per_sec.map(Decimal::from),
                },
            }
        }
        CacheKind::ReplicationGroup | CacheKind::Standalone | CacheKind::Memcached => {
            let name = d.node_type.as_deref().ok_or_else(|| format!("'{}' reports no node type", d.id))?;
            let node = book
                .catalog
                .find(name)
                .ok_or_else(|| format!("'{}' runs {name}, a node type capplan has no prices for", d.id))?;
            Deployment::Node {
                layout: NodeLayout {
                    engine: d.engine,
                    node,
                    shards: d.shards.max(1),
                    replicas: d.replicas_per_shard,
                    cluster_mode: d.cluster_mode,
                    replica_reads: false,
                },
                term: Term::OnDemand,
            }
        }
    };
    Ok(Current { deployment, backup, engine_version, snapshot_gb_written: false })
}

/// Where the plan's `current` and the discovered cache disagree (the plan's is used).
pub fn disagreements(plan: &Current, found: &Current, d: &Discovered, book: &PriceBook) -> Vec<String> {
    let mut out = Vec::new();
    let mut differ = |what: &str, plan: String, aws: String| {
        if plan != aws {
            out.push(format!(
                "current {what}: the plan says {plan}, ElastiCache says {aws} for '{}'; the plan's is used",
                d.id
            ));
        }
    };
    differ("engine", plan.deployment.engine().label().to_string(), found.deployment.engine().label().to_string());
    match (&plan.deployment, &found.deployment) {
        (Deployment::Node { layout: p, .. }, Deployment::Node { layout: f, .. }) => {
            differ("node type", book.catalog.node(p.node).name.clone(), book.catalog.node(f.node).name.clone());
            differ("shards", p.shards.to_string(), f.shards.to_string());
            differ("replicas per shard", p.replicas.to_string(), f.replicas.to_string());
            differ("cluster mode", on_off(p.cluster_mode), on_off(f.cluster_mode));
        }
        (p, f) => differ("kind", kind_of(p).to_string(), kind_of(f).to_string()),
    }
    differ(
        "snapshot retention",
        format!("{} days", plan.backup.retention_days),
        format!("{} days", found.backup.retention_days),
    );
    out
}

fn on_off(on: bool) -> String {
    if on { "on".into() } else { "off".into() }
}

fn kind_of(d: &Deployment) -> &'static str {
    match d {
        Deployment::Serverless { .. } => "serverless",
        Deployment::Node { .. } => "node",
        Deployment::Upstash { .. } => "upstash",
        Deployment::Split { .. } => "split",
    }
}
