//! Settings: what to set up for the recommended option (node type, replicas, Multi-AZ, eviction,
//! snapshots, windows, per-cluster settings of a split deployment).

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::catalog::Engine;
use crate::model::cost::{self};
use crate::model::evaluate::{Evaluated, OptionKind};
use crate::model::price::PriceBook;
use crate::model::workload::{Deployment, EnvInputs, NodeLayout, Workload};

use super::alarms::{Alarm, node_alarms, serverless_alarms};

/// Settings of one node-based cluster.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClusterSettings {
    /// `adapter`, `state` or `cluster`.
    pub role: String,
    /// Node type.
    pub node_type: String,
    /// Shards.
    pub shards: u32,
    /// Replicas per shard.
    pub replicas: u32,
    /// Cluster mode.
    pub cluster_mode: bool,
    /// Multi-AZ.
    pub multi_az: bool,
    /// Automatic failover.
    pub automatic_failover: bool,
    /// Snapshot retention, days (0 = off).
    pub snapshot_retention_days: u32,
    /// Daily snapshot window, UTC.
    pub snapshot_window: Option<String>,
    /// Weekly maintenance window, UTC.
    pub maintenance_window: String,
    /// Monthly cost of this cluster.
    pub monthly_usd: Decimal,
    /// Alarms to set.
    pub alarms: Vec<Alarm>,
}

/// What to set up for the recommended option.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Settings {
    /// The option's kind.
    pub kind: OptionKind,
    /// Engine.
    pub engine: Engine,
    /// Node type (node options).
    pub node_type: Option<String>,
    /// Shards (node options).
    pub shards: Option<u32>,
    /// Replicas per shard (node options).
    pub replicas: Option<u32>,
    /// Cluster mode (node options).
    pub cluster_mode: Option<bool>,
    /// Multi-AZ.
    pub multi_az: bool,
    /// Automatic failover.
    pub automatic_failover: bool,
    /// `maxmemory-policy` (Serverless: fixed volatile-lru).
    pub maxmemory_policy: String,
    /// Why that policy.
    pub maxmemory_policy_why: String,
    /// Snapshot retention, days.
    pub snapshot_retention_days: u32,
    /// Monthly cost of the snapshots beyond the free one.
    pub backup_monthly_usd: Decimal,
    /// Daily snapshot window, UTC.
    pub snapshot_window: Option<String>,
    /// Weekly maintenance window, UTC.
    pub maintenance_window: Option<String>,
    /// Where the windows come from.
    pub windows_basis: String,
    /// Alarms to set.
    pub alarms: Vec<Alarm>,
    /// Per-cluster settings of a split deployment (adapter, state).
    pub clusters: Vec<ClusterSettings>,
}

/// `maxmemory-policy` from the workload: noeviction when data must not vanish, volatile-lru when
/// every key has a TTL, allkeys-lru otherwise.
pub fn maxmemory_policy(w: &Workload, engine: Engine, kind: OptionKind) -> (String, String) {
    if engine == Engine::Memcached {
        return ("(Memcached evicts least recently used items)".into(), "Memcached has no maxmemory-policy".into());
    }
    if kind == OptionKind::Serverless {
        let why = if w.keys_have_ttl {
            "Serverless evicts only keys with a TTL (volatile-lru); every key has one".to_string()
        } else {
            "Serverless evicts only keys with a TTL: keys without one are never evicted, and writes fail with OOM at the maximum".to_string()
        };
        return ("volatile-lru".into(), why);
    }
    if w.must_not_evict {
        (
            "noeviction".into(),
            "the data must not vanish (must_not_evict): writes fail instead of evicting; alarm on memory".into(),
        )
    } else if w.keys_have_ttl {
        ("volatile-lru".into(), "every key has a TTL: evict the least recently used of them".into())
    } else {
        ("allkeys-lru".into(), "not every key has a TTL: evict the least recently used of all keys".into())
    }
}

pub(super) fn windows(env: &EnvInputs, offset_hours: u32) -> (String, String, String) {
    let (hour, basis) = match env.quiet_hour_utc {
        Some(h) => (u32::from(h), format!("the lowest-traffic hour in the metrics ({h:02}:00 UTC)")),
        None => {
            (3, "a default quiet hour (03:00 UTC); give the env metrics to use its lowest-traffic hour".to_string())
        }
    };
    let snap = format!("{:02}:00-{:02}:00", hour % 24, (hour + 1) % 24);
    let m = (hour + 1 + offset_hours) % 24;
    let maintenance = format!("sun:{:02}:00-sun:{:02}:00", m, (m + 1) % 24);
    (snap, maintenance, basis)
}

pub(super) fn settings(env: &EnvInputs, winner: &Evaluated, book: &PriceBook) -> Settings {
    let w = &env.workload;
    let (policy, why) = maxmemory_policy(w, winner.deployment.engine(), winner.kind);
    let backup = env.option_backup();
    let no_backups = (winner.deployment.engine() == Engine::Memcached && winner.kind == OptionKind::Node)
        || backup.retention_days == 0
        || winner.kind == OptionKind::Upstash;
    let backup_usd = if no_backups { Decimal::ZERO } else { cost::backup_usd(&env.region, &backup, book) };
    let (snap, maintenance, basis) = windows(env, 0);
    let mut s = Settings {
        kind: winner.kind,
        engine: winner.deployment.engine(),
        node_type: None,
        shards: None,
        replicas: None,
        cluster_mode: None,
        multi_az: false,
        automatic_failover: false,
        maxmemory_policy: policy,
        maxmemory_policy_why: why,
        snapshot_retention_days: if winner.kind == OptionKind::Upstash { 0 } else { backup.retention_days },
        backup_monthly_usd: backup_usd,
        snapshot_window: None,
        maintenance_window: None,
        windows_basis: basis,
        alarms: Vec::new(),
        clusters: Vec::new(),
    };
    match &winner.deployment {
        Deployment::Serverless { .. } => {
            s.multi_az = true;
            s.automatic_failover = true;
            s.snapshot_window = (backup.retention_days > 0).then(|| snap.clone());
            s.alarms = serverless_alarms();
        }
        Deployment::Node { layout, .. } => {
            let node = book.catalog.node(layout.node);
            s.node_type = Some(node.name.clone());
            s.shards = Some(layout.shards);
            s.replicas = Some(layout.replicas);
            s.cluster_mode = Some(layout.cluster_mode);
            s.multi_az = layout.multi_az() && layout.engine != Engine::Memcached;
            s.automatic_failover = s.multi_az;
            if layout.engine == Engine::Memcached {
                s.snapshot_retention_days = 0;
            } else {
                s.snapshot_window = (backup.retention_days > 0).then(|| snap.clone());
            }
            s.maintenance_window = Some(maintenance);
            s.alarms = node_alarms(node, layout.engine, layout);
        }
        Deployment::Split { adapter, state, .. } => {
            let (_, adapter_maintenance, _) = windows(env, 1);
            let cluster = |role: &str,
                           layout: &NodeLayout,
                           retention: u32,
                           window: Option<String>,
                           maintenance: String,
                           monthly| {
                let node = book.catalog.node(layout.node);
                ClusterSettings {
                    role: role.into(),
                    node_type: node.name.clone(),
                    shards: layout.shards,
                    replicas: layout.replicas,
                    cluster_mode: layout.cluster_mode,
                    multi_az: layout.multi_az(),
                    automatic_failover: layout.multi_az(),
                    snapshot_retention_days: retention,
                    snapshot_window: window,
                    maintenance_window: maintenance,
                    monthly_usd: monthly,
                    alarms: node_alarms(node, layout.engine, layout),
                }
            };
            let state_snap = (backup.retention_days > 0).then(|| snap.clone());
            s.clusters.push(cluster(
                "state",
                state,
                backup.retention_days,
                state_snap.clone(),
                maintenance.clone(),
                winner.cost.part_monthly_usd(cost::Part::State),
            ));
            s.clusters.push(cluster(
                "adapter",
                adapter,
                0,
                None,
                adapter_maintenance,
                winner.cost.part_monthly_usd(cost::Part::Adapter),
            ));
            s.node_type = Some(book.catalog.node(state.node).name.clone());
            s.shards = Some(state.shards);
            s.replicas = Some(state.replicas);
            s.cluster_mode = Some(state.cluster_mode);
            s.multi_az = state.multi_az();
            s.automatic_failover = state.multi_az();
            s.snapshot_window = state_snap;
            s.maintenance_window = Some(maintenance);
            s.alarms = node_alarms(book.catalog.node(state.node), state.engine, state);
        }
        Deployment::Upstash { .. } => {
            s.multi_az = false;
        }
    }
    s
}
