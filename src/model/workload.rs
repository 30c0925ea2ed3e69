//! What an environment asks of its cache: the workload, its requirements and what runs today.

use rust_decimal::Decimal;

use super::catalog::{Engine, NodeId};
use super::price::Term;
use super::units::to_f64;

/// The load one environment puts on its cache (averages for cost, peaks for sizing).
#[derive(Clone, Debug, PartialEq)]
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
}

impl Deployment {
    /// The engine the deployment runs (Upstash speaks Redis OSS).
    pub fn engine(&self) -> Engine {
        match self {
            Deployment::Serverless { engine } => *engine,
            Deployment::Node { layout, .. } => layout.engine,
            Deployment::Upstash { .. } => Engine::Redis,
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
}

impl EnvInputs {
    /// Replicas per shard the options get: `replicas` when `ha`, else none.
    pub fn option_replicas(&self) -> u32 {
        if self.ha { self.replicas.max(1) } else { 0 }
    }

    /// Snapshot settings the options get: the env's retention, one snapshot ≈ the average data.
    pub fn option_backup(&self) -> Backup {
        Backup {
            retention_days: self.snapshot_retention_days,
            snapshot_gb: self.workload.data_gb,
        }
    }
}

/// Default snapshot retention by environment name: dev 1, staging 7, prod 7, others 1.
pub fn default_snapshot_retention(env: &str) -> u32 {
    let lower = env.to_ascii_lowercase();
    if lower.starts_with("prod") || lower.starts_with("stag") || lower == "live" {
        7
    } else {
        1
    }
}
