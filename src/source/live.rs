//! One environment's live cache: discover it in ElastiCache, fetch its CloudWatch series, and
//! keep both in the user cache (`metrics/<region>/<kind>-<id>-<days>d.json`) so reports and the
//! app work offline afterwards. Also what the discovered cache means for the plan: its `current`
//! deployment, and where the plan's own `current` disagrees with it.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

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
#[derive(Clone, Debug, PartialEq, Eq)]
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
    if req.offline {
        return cached(req)?.ok_or_else(|| SourceError::Offline {
            what: format!("metrics of the {}", describe(req)),
            hint: "run once without --offline (with AWS access) to fetch and cache them".into(),
        });
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SourceError::Aws { action: "start".into(), message: e.to_string() })?;
    let live = runtime.block_on(fetch(req, now))?;
    let bytes = serde_json::to_vec(&live).map_err(|e| SourceError::Cache(e.to_string()))?;
    user_cache::write(&cache_file(req)?, &bytes)?;
    Ok(live)
}

async fn fetch(req: &LiveRequest, now: DateTime<Utc>) -> Result<LiveMetrics, SourceError> {
    let options =
        AwsOptions { profile: req.profile.clone(), region: Some(req.region.clone()), ..AwsOptions::default() }
            .with_env()?;
    let config = aws::load(&options).await?;
    let discovered = discovery::discover_one(&config, req.cache.id()).await?;
    check_kind(req, &discovered)?;
    let (series, stats) = cloudwatch::fetch(&config, &Target::of(&discovered), req.days, now).await?;
    let export: serde_json::Value = serde_json::from_str(&cloudwatch::to_export_json(&series))
        .map_err(|e| SourceError::Cache(format!("the fetched series cannot be kept: {e}")))?;
    Ok(LiveMetrics {
        schema_version: CACHE_SCHEMA,
        fetched_at: now,
        days: req.days,
        discovered,
        stats,
        series: export,
        from_cache: false,
    })
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
