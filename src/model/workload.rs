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
    /// The app sends reads to replicas (READONLY / reader endpoint).
    pub reads_from_replicas: bool,
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
            reads_from_replicas: false,
            auth: Auth::None,
            tls: true,
            max_item_kb: None,
            hot_key_share: Decimal::ZERO,
            hot_data_fraction: Decimal::ONE,
            keys_have_ttl: true,
            must_not_evict: false,
        }
    }
}

impl Workload {
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
            Deployment::Serverless { engine } => *engine,
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
    /// Needs replicas and Multi-AZ.
    pub ha: bool,
    /// Replicas per shard when `ha` (default 1).
    pub replicas: u32,
    /// The load.
    pub workload: Workload,
    /// Snapshot retention for the options (defaults by environment name).
    pub snapshot_retention_days: u32,
    /// What runs today.
    pub current: Option<Current>,
    /// Sizing policy (headroom, horizon, reserved memory).
    pub policy: Policy,
    /// Reserved terms the recommendation may use.
    pub commit: Commit,
    /// Monthly budget, USD.
    pub budget_usd: Option<Decimal>,
    /// Share of client traffic that crosses AZs (billed $0.01/GB each way).
    pub cross_az_fraction: Decimal,
    /// Lowest-traffic hour of the day, UTC, when metrics tell it.
    pub quiet_hour_utc: Option<u8>,
}

impl EnvInputs {
    /// An environment with defaults for everything but its name, region, engine and workload.
    pub fn new(name: &str, region: &str, app_engine: Engine, ha: bool, workload: Workload) -> Self {
        EnvInputs {
            name: name.to_string(),
            region: region.to_string(),
            app_engine,
            ha,
            replicas: 1,
            workload,
            snapshot_retention_days: default_snapshot_retention(name),
            current: None,
            policy: Policy::default(),
            commit: Commit::default(),
            budget_usd: None,
            cross_az_fraction: default_cross_az_fraction(ha),
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

/// Default share of client traffic crossing AZs: 0.5 with Multi-AZ (clients spread over two AZs
/// reach a primary in one of them), 0 without. A capplan assumption, listed in
/// [`HEURISTICS`](super::capacity::HEURISTICS).
pub fn default_cross_az_fraction(ha: bool) -> Decimal {
    if ha { Decimal::new(5, 1) } else { Decimal::ZERO }
}

/// Default snapshot retention by environment name: dev 1, staging 7, prod 7, others 1.
pub fn default_snapshot_retention(env: &str) -> u32 {
    let lower = env.to_ascii_lowercase();
    if lower.starts_with("prod") || lower.starts_with("stag") || lower == "live" { 7 } else { 1 }
}
