//! What an environment asks of its cache: the workload, its requirements and what runs today.

use rust_decimal::Decimal;

use super::capacity::Policy;
use super::catalog::{Engine, NodeId};
use super::price::{Payment, Term, TermLength};
use super::units::to_f64;

/// How the app authenticates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Auth {
    /// No authentication.
    #[default]
    None,
    /// The legacy password-only `AUTH token`.
    Password,
    /// RBAC users (`AUTH username password`).
    Rbac,
    /// IAM authentication.
    Iam,
}

impl Auth {
    /// Plan-file spelling.
    pub fn id(self) -> &'static str {
        match self {
            Auth::None => "none",
            Auth::Password => "password",
            Auth::Rbac => "rbac",
            Auth::Iam => "iam",
        }
    }
}

/// What the cache is for: decides the defaults an expert would pick (eviction, snapshots, which
/// alarms page) and what a loss means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A cache in front of a database: losing keys costs a miss.
    #[default]
    Cache,
    /// Login or OAuth sessions: losing a key logs a user out mid-flow.
    SessionStore,
    /// A pub/sub adapter (Socket.IO and the like) and its presence state.
    Pubsub,
    /// A job queue or stream: losing a key loses a job.
    Queue,
    /// Rate-limit counters: short-lived windows.
    RateLimiter,
}

impl Role {
    /// Plan-file spelling.
    pub fn id(self) -> &'static str {
        match self {
            Role::Cache => "cache",
            Role::SessionStore => "session-store",
            Role::Pubsub => "pubsub",
            Role::Queue => "queue",
            Role::RateLimiter => "rate-limiter",
        }
    }

    /// Whether evicting a key loses data the app cannot rebuild (`noeviction`, and `Evictions`
    /// pages).
    pub fn eviction_is_loss(self) -> bool {
        matches!(self, Role::SessionStore | Role::Queue)
    }

    /// Whether the data is short-lived and rebuilt by the app (pub/sub presence, rate-limit
    /// windows): one snapshot (free) is enough in every tier.
    pub fn ephemeral(self) -> bool {
        matches!(self, Role::Pubsub | Role::RateLimiter)
    }

    /// What losing the data means, for the rationale.
    pub fn loss(self) -> &'static str {
        match self {
            Role::Cache => "a lost key is a cache miss: the app reads the database again",
            Role::SessionStore => "a lost session logs its user out mid-flow",
            Role::Pubsub => "pub/sub messages are not stored; lost presence state is rebuilt as clients reconnect",
            Role::Queue => "a lost key is a lost job",
            Role::RateLimiter => "a lost counter lets a client past its limit for one window",
        }
    }
}

/// What the environment is for: production, staging or development.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// Serves users: no burstable nodes, alarms page.
    Production,
    /// Pre-production: production-like, cheaper choices acceptable.
    Staging,
    /// Development and test.
    Development,
}

impl Tier {
    /// The default: production when the environment asks for HA, else development.
    pub fn default_for(ha: bool) -> Tier {
        if ha { Tier::Production } else { Tier::Development }
    }

    /// Plan-file spelling.
    pub fn id(self) -> &'static str {
        match self {
            Tier::Production => "production",
            Tier::Staging => "staging",
            Tier::Development => "development",
        }
    }
}

/// Where the app's clients run: decides connection churn and its alarms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Clients {
    /// AWS Lambda: execution environments come and go, connections churn.
    Lambda,
    /// Containers (ECS, EKS): long-lived processes with pools.
    Containers,
    /// Long-lived servers with pools.
    Servers,
}

impl Clients {
    /// Plan-file spelling.
    pub fn id(self) -> &'static str {
        match self {
            Clients::Lambda => "lambda",
            Clients::Containers => "containers",
            Clients::Servers => "servers",
        }
    }
}

/// Where an environment's workload figures come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadSource {
    /// Written by hand in the plan.
    #[default]
    Plan,
    /// Measured by `capplan profile` on a live server and written into the plan.
    Profile,
    /// Measured by CloudWatch, fetched live (or from the user cache).
    Cloudwatch,
    /// Measured by CloudWatch, read from a metrics file.
    File,
}

/// One bucket of a request-size distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SizeBucket {
    /// Payload moved per request in this bucket, KB.
    pub kb: Decimal,
    /// Share of requests in this bucket, 0–1 (the buckets sum to 1).
    pub share: Decimal,
}

/// Serverless usage limits (`CacheUsageLimits`): what a configured cache caps itself at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct UsageLimits {
    /// `DataStorage.Maximum`, GB.
    pub max_data_gb: Option<Decimal>,
    /// `ECPUPerSecond.Maximum`.
    pub max_ecpu_per_sec: Option<Decimal>,
}

/// The load one environment puts on its cache (averages for cost, peaks for sizing).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Workload {
    /// Average stored data, GiB.
    pub data_gb: Decimal,
    /// Peak stored data, GiB (defaults to the average).
    pub peak_data_gb: Decimal,
    /// Average requests per second.
    pub requests_per_sec: Decimal,
    /// Peak requests per second (defaults to the average).
    pub peak_requests_per_sec: Decimal,
    /// Average payload moved per request in either direction, KB (1,024 bytes).
    pub avg_request_kb: Decimal,
    /// Share of requests that are reads, 0–1.
    pub read_ratio: Decimal,
    /// Client connections open at peak.
    pub connections: u32,
    /// Configured serverless minimum ECPU/s (billed even when unused).
    pub min_ecpu_per_sec: Decimal,
    /// The app issues multi-key commands whose keys hash to different slots.
    pub cross_slot_commands: bool,
    /// Growth of data and load per month, percent.
    pub growth_pct_per_month: Decimal,
    /// Pub/sub messages published per second, on average (cost).
    pub pubsub_messages_per_sec: Decimal,
    /// Pub/sub messages published per second at peak (sizing; defaults to the average).
    pub peak_pubsub_messages_per_sec: Decimal,
    /// Average pub/sub message size, KB.
    pub pubsub_payload_kb: Decimal,
    /// Subscribers receiving each message (e.g. Socket.IO server instances).
    pub pubsub_subscribers: u32,
    /// The app relies on keyspace notifications.
    pub keyspace_notifications: bool,
    /// The app SELECTs databases other than 0.
    pub uses_select: bool,
    /// Whether reads may go to replicas (READONLY / the reader endpoint): `Some(true)` the app
    /// does, `Some(false)` it must not, `None` the recommender may rely on it and says so.
    pub reads_from_replicas: Option<bool>,
    /// How the app authenticates.
    pub auth: Auth,
    /// The client connects with TLS.
    pub tls: bool,
    /// Largest item or request, KB.
    pub max_item_kb: Option<Decimal>,
    /// Share of traffic on the hottest key (0–1), for per-slot and per-shard limits.
    pub hot_key_share: Decimal,
    /// Share of the data that is hot (0–1), for data tiering.
    pub hot_data_fraction: Decimal,
    /// Every key has a TTL (volatile-lru can evict).
    pub keys_have_ttl: bool,
    /// Data must never be evicted (noeviction).
    pub must_not_evict: bool,
    /// The app pattern-subscribes (PSUBSCRIBE): the classic Socket.IO adapter does.
    pub pubsub_patterns: bool,
    /// The client follows cluster redirections (MOVED/ASK): `None` = not known.
    pub client_cluster_aware: Option<bool>,
    /// Where the clients run, when stated.
    pub clients: Option<Clients>,
    /// New connections per second at peak, when stated (Lambda clients churn).
    pub new_connections_per_sec: Option<Decimal>,
    /// Availability Zones the clients run in (cross-AZ traffic follows from it).
    pub client_azs: u32,
    /// Request-size distribution; empty = every request moves `avg_request_kb`.
    pub request_sizes: Vec<SizeBucket>,
    /// Where the figures come from.
    pub source: WorkloadSource,
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            data_gb: Decimal::ZERO,
            peak_data_gb: Decimal::ZERO,
            requests_per_sec: Decimal::ZERO,
            peak_requests_per_sec: Decimal::ZERO,
            avg_request_kb: Decimal::ONE,
            read_ratio: Decimal::new(8, 1),
            connections: 0,
            min_ecpu_per_sec: Decimal::ZERO,
            cross_slot_commands: false,
            growth_pct_per_month: Decimal::ZERO,
            pubsub_messages_per_sec: Decimal::ZERO,
            peak_pubsub_messages_per_sec: Decimal::ZERO,
            pubsub_payload_kb: Decimal::ONE,
            pubsub_subscribers: 0,
            keyspace_notifications: false,
            uses_select: false,
            reads_from_replicas: None,
            auth: Auth::None,
            tls: true,
            max_item_kb: None,
            hot_key_share: Decimal::ZERO,
            hot_data_fraction: Decimal::ONE,
            keys_have_ttl: true,
            must_not_evict: false,
            pubsub_patterns: false,
            client_cluster_aware: None,
            clients: None,
            new_connections_per_sec: None,
            client_azs: DEFAULT_CLIENT_AZS,
            request_sizes: Vec::new(),
            source: WorkloadSource::Plan,
        }
    }
}

/// Availability Zones clients run in when the plan does not say (a typical three-AZ VPC).
pub const DEFAULT_CLIENT_AZS: u32 = 3;

// The bounds every workload figure is held to, written in a plan or measured. They are sanity
// bounds of capplan's own, far above any cache that runs, and they keep every product the cost
// model forms far inside what an exact decimal holds.

/// Data sizes, GiB: up to 10 PiB.
pub const MAX_DATA_GB: u64 = 10_000_000;
/// Rates per second (requests, messages, ECPU, new connections): up to a billion.
pub const MAX_PER_SEC: u64 = 1_000_000_000;
/// Payload and item sizes, KB: up to 512 MiB (Redis's largest value).
pub const MAX_SIZE_KB: u64 = 524_288;
/// Growth, percent per month: up to doubling every month.
pub const MAX_GROWTH_PCT: u64 = 100;
/// Client connections at peak.
pub const MAX_CONNECTIONS: u32 = 10_000_000;
/// Subscribers receiving each pub/sub message.
pub const MAX_PUBSUB_SUBSCRIBERS: u32 = 1_000_000;
/// Availability Zones clients run in (AWS regions have 3 to 6).
pub const MAX_CLIENT_AZS: u32 = 6;

/// A workload figure outside the bounds every workload is held to.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{key} is {value}: {expected}")]
pub struct OutOfBounds {
    /// The workload key, as the plan spells it (`peak_requests_per_sec`).
    pub key: &'static str,
    /// The value, as shown.
    pub value: String,
    /// What is accepted.
    pub expected: String,
}

fn at_most(key: &'static str, value: Decimal, max: u64) -> Result<(), OutOfBounds> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(OutOfBounds {
            key,
            value: value.normalize().to_string(),
            expected: "expected a number >= 0".into(),
        });
    }
    if value > Decimal::from(max) {
        return Err(OutOfBounds {
            key,
            value: value.normalize().to_string(),
            expected: format!("expected at most {max}, the most capplan plans for"),
        });
    }
    Ok(())
}

fn share(key: &'static str, value: Decimal) -> Result<(), OutOfBounds> {
    if value.is_sign_negative() && !value.is_zero() || value > Decimal::ONE {
        return Err(OutOfBounds {
            key,
            value: value.normalize().to_string(),
            expected: "expected a share between 0 and 1".into(),
        });
    }
    Ok(())
}

fn count(key: &'static str, value: u32, min: u32, max: u32) -> Result<(), OutOfBounds> {
    if value < min || value > max {
        return Err(OutOfBounds {
            key,
            value: value.to_string(),
            expected: format!("expected a whole number from {min} to {max}"),
        });
    }
    Ok(())
}

fn peak_at_least(key: &'static str, avg_key: &str, avg: Decimal, peak: Decimal) -> Result<(), OutOfBounds> {
    if peak < avg {
        return Err(OutOfBounds {
            key,
            value: peak.normalize().to_string(),
            expected: format!("the peak is at least the average {avg_key} {}", avg.normalize()),
        });
    }
    Ok(())
}

impl Workload {
    /// The workload, if every figure is within the bounds every workload is held to (the plan
    /// parser's, for figures written and measured alike): the one gate a workload passes before
    /// it is evaluated. Returns the first key out of bounds.
    ///
    /// ```
    /// use capplan::model::workload::Workload;
    /// use rust_decimal::Decimal;
    ///
    /// let ok = Workload { data_gb: Decimal::from(8), peak_data_gb: Decimal::from(8), ..Workload::default() };
    /// assert!(ok.validated().is_ok());
    /// let huge = Workload { requests_per_sec: Decimal::from(10_000_000_000u64), ..Workload::default() };
    /// assert_eq!(huge.validated().unwrap_err().key, "requests_per_sec");
    /// ```
    pub fn validated(self) -> Result<Workload, OutOfBounds> {
        self.validate()?;
        Ok(self)
    }

    /// [`Workload::validated`] without taking the workload.
    pub fn validate(&self) -> Result<(), OutOfBounds> {
        at_most("data_gb", self.data_gb, MAX_DATA_GB)?;
        at_most("peak_data_gb", self.peak_data_gb, MAX_DATA_GB)?;
        peak_at_least("peak_data_gb", "data_gb", self.data_gb, self.peak_data_gb)?;
        at_most("requests_per_sec", self.requests_per_sec, MAX_PER_SEC)?;
        at_most("peak_requests_per_sec", self.peak_requests_per_sec, MAX_PER_SEC)?;
        peak_at_least("peak_requests_per_sec", "requests_per_sec", self.requests_per_sec, self.peak_requests_per_sec)?;
        at_most("avg_request_kb", self.avg_request_kb, MAX_SIZE_KB)?;
        share("read_ratio", self.read_ratio)?;
        count("connections", self.connections, 0, MAX_CONNECTIONS)?;
        at_most("min_ecpu_per_sec", self.min_ecpu_per_sec, MAX_PER_SEC)?;
        at_most("growth_pct_per_month", self.growth_pct_per_month, MAX_GROWTH_PCT)?;
        at_most("pubsub_messages_per_sec", self.pubsub_messages_per_sec, MAX_PER_SEC)?;
        at_most("peak_pubsub_messages_per_sec", self.peak_pubsub_messages_per_sec, MAX_PER_SEC)?;
        peak_at_least(
            "peak_pubsub_messages_per_sec",
            "pubsub_messages_per_sec",
            self.pubsub_messages_per_sec,
            self.peak_pubsub_messages_per_sec,
        )?;
        at_most("pubsub_payload_kb", self.pubsub_payload_kb, MAX_SIZE_KB)?;
        count("pubsub_subscribers", self.pubsub_subscribers, 0, MAX_PUBSUB_SUBSCRIBERS)?;
        if let Some(kb) = self.max_item_kb {
            at_most("max_item_kb", kb, MAX_SIZE_KB)?;
        }
        share("hot_key_share", self.hot_key_share)?;
        share("hot_data_fraction", self.hot_data_fraction)?;
        if let Some(rate) = self.new_connections_per_sec {
            at_most("new_connections_per_sec", rate, MAX_PER_SEC)?;
        }
        count("client_azs", self.client_azs, 1, MAX_CLIENT_AZS)?;
        for bucket in &self.request_sizes {
            at_most("request_sizes.kb", bucket.kb, MAX_SIZE_KB)?;
            share("request_sizes.share", bucket.share)?;
        }
        Ok(())
    }

    /// Peak data, GiB, as `f64` for capacity checks.
    pub fn peak_data_gib(&self) -> f64 {
        to_f64(self.peak_data_gb)
    }

    /// Peak requests/s as `f64`.
    pub fn peak_rps(&self) -> f64 {
        to_f64(self.peak_requests_per_sec)
    }

    /// Whether the workload publishes pub/sub messages.
    pub fn has_pubsub(&self) -> bool {
        self.pubsub_messages_per_sec > Decimal::ZERO || self.peak_pubsub_messages_per_sec > Decimal::ZERO
    }

    /// Share of requests that are writes, 0–1.
    pub fn write_ratio(&self) -> f64 {
        (1.0 - to_f64(self.read_ratio)).clamp(0.0, 1.0)
    }

    /// The request-size distribution: the plan's buckets, or one bucket of `avg_request_kb`.
    pub fn size_buckets(&self) -> Vec<SizeBucket> {
        if self.request_sizes.is_empty() {
            vec![SizeBucket { kb: self.avg_request_kb, share: Decimal::ONE }]
        } else {
            self.request_sizes.clone()
        }
    }

    /// Whether the clients churn connections (Lambda, or a stated rate of new connections).
    pub fn churns_connections(&self) -> bool {
        self.clients == Some(Clients::Lambda) || self.new_connections_per_sec.is_some_and(|r| r > Decimal::ZERO)
    }
}

/// What an environment may commit to for reserved nodes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Commit {
    /// `None` = on-demand only (the default); otherwise the longest term allowed.
    pub length: Option<TermLength>,
    /// How a commitment is paid.
    pub payment: Payment,
}

impl Commit {
    /// Whether the recommendation may use `term`.
    pub fn allows(&self, term: Term) -> bool {
        match (term, self.length) {
            (Term::OnDemand, _) => true,
            (Term::Reserved(..), None) => false,
            (Term::Reserved(length, payment), Some(max)) => length.years() <= max.years() && payment == self.payment,
        }
    }

    /// `none`, `1yr`, `3yr`.
    pub fn id(&self) -> &'static str {
        self.length.map_or("none", TermLength::id)
    }
}

/// Snapshot settings of a deployment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backup {
    /// Snapshots kept (one a day): retention in days; 0 turns backups off.
    pub retention_days: u32,
    /// Size of one snapshot, GiB.
    pub snapshot_gb: Decimal,
}

/// An engine version such as `7.2` or `6.2.6`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineVersion {
    /// Major version.
    pub major: u32,
    /// As written.
    pub text: String,
}

/// A node-based deployment's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeLayout {
    /// Engine the nodes run.
    pub engine: Engine,
    /// Node type.
    pub node: NodeId,
    /// Shards (node groups); 1 when cluster mode is off.
    pub shards: u32,
    /// Replicas per shard (0 for Memcached).
    pub replicas: u32,
    /// Cluster mode enabled (keys spread over hash slots; CROSSSLOT applies).
    pub cluster_mode: bool,
    /// Reads are served by the replicas (the reader endpoint with cluster mode off, READONLY
    /// with it on), not only by the primaries.
    pub replica_reads: bool,
}

impl NodeLayout {
    /// Nodes billed: shards × (1 + replicas).
    pub fn nodes(&self) -> u32 {
        self.shards * (1 + self.replicas)
    }

    /// Multi-AZ with automatic failover needs a replica in every shard.
    pub fn multi_az(&self) -> bool {
        self.replicas >= 1
    }
}

/// What a deployment is, independent of its cost.
#[derive(Clone, Debug, PartialEq)]
pub enum Deployment {
    /// ElastiCache Serverless.
    Serverless {
        /// Engine.
        engine: Engine,
        /// Usage limits the cache is configured with (a current cache; options have none).
        limits: UsageLimits,
    },
    /// Node-based ElastiCache.
    Node {
        /// Shape.
        layout: NodeLayout,
        /// How node-hours are bought.
        term: Term,
    },
    /// Upstash Redis.
    Upstash {
        /// Plan id: `payg`, `free`, `fixed-10gb`…
        plan: String,
    },
    /// A pub/sub adapter cluster beside a state cluster, each sized for its own load.
    Split {
        /// The pub/sub adapter (cluster mode disabled, sized for network).
        adapter: NodeLayout,
        /// The state cluster (sized for memory and requests).
        state: NodeLayout,
        /// How node-hours are bought (both clusters).
        term: Term,
    },
}

impl Deployment {
    /// The engine the deployment runs (Upstash speaks Redis OSS).
    pub fn engine(&self) -> Engine {
        match self {
            Deployment::Serverless { engine, .. } => *engine,
            Deployment::Node { layout, .. } => layout.engine,
            Deployment::Upstash { .. } => Engine::Redis,
            Deployment::Split { state, .. } => state.engine,
        }
    }

    /// The node-hour term, for node-based deployments.
    pub fn term(&self) -> Option<Term> {
        match self {
            Deployment::Node { term, .. } | Deployment::Split { term, .. } => Some(*term),
            _ => None,
        }
    }
}

/// What runs today, as the plan describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Current {
    /// The deployment.
    pub deployment: Deployment,
    /// Snapshot settings.
    pub backup: Backup,
    /// Engine version, when given (EOL Redis OSS adds Extended Support).
    pub engine_version: Option<EngineVersion>,
    /// `snapshot_gb` was written in the plan; otherwise it is the workload's data and follows
    /// it when metrics measure the data.
    pub snapshot_gb_written: bool,
}

/// Everything the model needs about one environment.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvInputs {
    /// `prod`, `staging`…
    pub name: String,
    /// AWS region code.
    pub region: String,
    /// The protocol the app speaks.
    pub app_engine: Engine,
    /// What the cache is for.
    pub role: Role,
    /// Production, staging or development.
    pub tier: Tier,
    /// Needs replicas and Multi-AZ.
    pub ha: bool,
    /// Replicas per shard when `ha` (default 1).
    pub replicas: u32,
    /// The load.
    pub workload: Workload,
    /// Snapshot retention for the options (defaults from the role and tier).
    pub snapshot_retention_days: u32,
    /// What runs today.
    pub current: Option<Current>,
    /// Sizing policy (headroom, horizon, reserved memory).
    pub policy: Policy,
    /// Reserved terms the recommendation may use.
    pub commit: Commit,
    /// Monthly budget, USD.
    pub budget_usd: Option<Decimal>,
    /// Share of client traffic that crosses AZs (billed $0.01/GB each way), when the plan fixes
    /// it; otherwise it follows from `client_azs` and each option's layout.
    pub cross_az_fraction: Option<Decimal>,
    /// Lowest-traffic hour of the day, UTC, when metrics tell it.
    pub quiet_hour_utc: Option<u8>,
}

impl EnvInputs {
    /// An environment with defaults for everything but its name, region, engine and workload.
    pub fn new(name: &str, region: &str, app_engine: Engine, ha: bool, workload: Workload) -> Self {
        let tier = Tier::default_for(ha);
        EnvInputs {
            name: name.to_string(),
            region: region.to_string(),
            app_engine,
            role: Role::Cache,
            tier,
            ha,
            replicas: 1,
            workload,
            snapshot_retention_days: default_snapshot_retention(Role::Cache, tier),
            current: None,
            policy: Policy::default(),
            commit: Commit::default(),
            budget_usd: None,
            cross_az_fraction: None,
            quiet_hour_utc: None,
        }
    }

    /// Replicas per shard the options get: `replicas` when `ha`, else none.
    pub fn option_replicas(&self) -> u32 {
        if self.ha { self.replicas.max(1) } else { 0 }
    }

    /// Snapshot settings the options get: the env's retention, one snapshot ≈ the average data.
    pub fn option_backup(&self) -> Backup {
        Backup { retention_days: self.snapshot_retention_days, snapshot_gb: self.workload.data_gb }
    }
}

/// Share of client traffic that crosses AZs for a deployment whose data is served from `read_azs`
/// zones (1: a primary, or one endpoint; more when reads go to replicas spread over zones):
/// clients spread evenly over `client_azs` zones reach writes in one zone, and reads in any zone
/// that has a copy. The plan's `cross_az_fraction` overrides it. A capplan assumption, listed
/// in [`HEURISTICS`](super::capacity::HEURISTICS).
pub fn cross_az_share(env: &EnvInputs, read_azs: u32) -> Decimal {
    if let Some(fixed) = env.cross_az_fraction {
        return fixed;
    }
    let w = &env.workload;
    let zones = Decimal::from(w.client_azs.max(1));
    let away = |served: u32| (zones - Decimal::from(served.clamp(1, w.client_azs.max(1)))) / zones;
    if read_azs > 1 {
        let writes = Decimal::ONE - w.read_ratio;
        writes * away(1) + w.read_ratio * away(read_azs)
    } else {
        primary_cross_az_share(env)
    }
}

/// Share of client traffic that crosses AZs to reach a primary (or one endpoint) in one zone:
/// writes, pub/sub, and reads when they do not go to replicas. The plan's `cross_az_fraction`
/// overrides it.
pub fn primary_cross_az_share(env: &EnvInputs) -> Decimal {
    env.cross_az_fraction.unwrap_or_else(|| {
        let zones = Decimal::from(env.workload.client_azs.max(1));
        (zones - Decimal::ONE) / zones
    })
}

/// Default snapshot retention from the role and tier: 7 days in production and staging, 1 in
/// development (FACTS rule of thumb); roles whose data is short-lived (pub/sub, rate limits)
/// keep 1 day everywhere, which is the free snapshot.
pub fn default_snapshot_retention(role: Role, tier: Tier) -> u32 {
    if role.ephemeral() {
        return 1;
    }
    match tier {
        Tier::Production | Tier::Staging => 7,
        Tier::Development => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok() -> Workload {
        Workload { data_gb: Decimal::from(8), peak_data_gb: Decimal::from(10), ..Workload::default() }
    }

    #[test]
    fn a_workload_within_bounds_passes_and_the_defaults_do() {
        assert!(Workload::default().validate().is_ok());
        assert_eq!(ok().validated(), Ok(ok()));
        let max = Workload {
            data_gb: Decimal::from(MAX_DATA_GB),
            peak_data_gb: Decimal::from(MAX_DATA_GB),
            requests_per_sec: Decimal::from(MAX_PER_SEC),
            peak_requests_per_sec: Decimal::from(MAX_PER_SEC),
            avg_request_kb: Decimal::from(MAX_SIZE_KB),
            connections: MAX_CONNECTIONS,
            growth_pct_per_month: Decimal::from(MAX_GROWTH_PCT),
            pubsub_subscribers: MAX_PUBSUB_SUBSCRIBERS,
            client_azs: MAX_CLIENT_AZS,
            ..Workload::default()
        };
        assert!(max.validate().is_ok(), "{:?}", max.validate());
    }

    type Change<'a> = Box<dyn Fn(&mut Workload) + 'a>;

    #[test]
    fn issue_13_every_figure_out_of_bounds_is_named() {
        let huge = Decimal::from_i128_with_scale(10i128.pow(20), 0);
        let cases: Vec<(&str, Change)> = vec![
            ("data_gb", Box::new(|w| w.data_gb = huge)),
            ("peak_data_gb", Box::new(|w| w.peak_data_gb = Decimal::ONE)),
            ("requests_per_sec", Box::new(|w| w.requests_per_sec = huge)),
            ("peak_requests_per_sec", Box::new(|w| w.peak_requests_per_sec = huge)),
            ("avg_request_kb", Box::new(|w| w.avg_request_kb = Decimal::from(MAX_SIZE_KB + 1))),
            ("read_ratio", Box::new(|w| w.read_ratio = Decimal::TWO)),
            ("connections", Box::new(|w| w.connections = MAX_CONNECTIONS + 1)),
            ("growth_pct_per_month", Box::new(|w| w.growth_pct_per_month = Decimal::from(101))),
            ("pubsub_messages_per_sec", Box::new(|w| w.pubsub_messages_per_sec = -Decimal::ONE)),
            ("pubsub_subscribers", Box::new(|w| w.pubsub_subscribers = u32::MAX)),
            ("max_item_kb", Box::new(|w| w.max_item_kb = Some(huge))),
            ("hot_key_share", Box::new(|w| w.hot_key_share = Decimal::TEN)),
            ("new_connections_per_sec", Box::new(|w| w.new_connections_per_sec = Some(huge))),
            ("client_azs", Box::new(|w| w.client_azs = 0)),
            ("request_sizes.kb", Box::new(|w| w.request_sizes = vec![SizeBucket { kb: huge, share: Decimal::ONE }])),
        ];
        for (key, change) in cases {
            let mut w = ok();
            change(&mut w);
            let err = w.validated().unwrap_err();
            assert_eq!(err.key, key, "{err}");
            assert!(err.to_string().starts_with(key), "{err}");
        }
        let mut w = ok();
        w.requests_per_sec = huge;
        w.peak_requests_per_sec = huge;
        assert_eq!(
            w.validate().unwrap_err().to_string(),
            "requests_per_sec is 100000000000000000000: expected at most 1000000000, the most capplan plans for"
        );
    }
}
