//! Settings: what to set up for the recommended option (node type, replicas, Multi-AZ, eviction,
//! snapshots, windows, per-cluster settings of a split deployment).

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::capacity::{Demand, fmt_f64, pct};
use crate::model::catalog::{Engine, NodeType};
use crate::model::cost::{self};
use crate::model::evaluate::{Evaluated, OptionKind};
use crate::model::limits::{SERVERLESS_LIMIT_DATA_GB, SERVERLESS_LIMIT_ECPU_PER_SEC};
use crate::model::price::PriceBook;
use crate::model::units::decimal_from_f64;
use crate::model::workload::{Clients, Deployment, EnvInputs, NodeLayout, Role};

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

/// One parameter-group value to set, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Parameter {
    /// Parameter name (`maxmemory-policy`, `notify-keyspace-events`…).
    pub name: String,
    /// Value to set.
    pub value: String,
    /// Why.
    pub why: String,
}

/// Usage limits to configure on a Serverless cache (`CacheUsageLimits`): its cost guardrail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UsageLimitSettings {
    /// `DataStorage.Maximum`, GB.
    pub max_data_gb: Decimal,
    /// `ECPUPerSecond.Maximum`.
    pub max_ecpu_per_sec: Decimal,
    /// `ECPUPerSecond.Minimum`, only when the plan asks for one (it is billed even unused).
    pub min_ecpu_per_sec: Option<Decimal>,
    /// How they were sized.
    pub why: String,
}

/// What to set on an Upstash database (it has no parameter group).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UpstashSettings {
    /// The eviction switch (off: writes fail when the database is full).
    pub eviction: bool,
    /// Why.
    pub eviction_why: String,
    /// The Prod Pack (multi-zone HA, SLA, encryption at rest).
    pub prod_pack: bool,
    /// Read regions (each +50 % on Fixed, each write billed again on pay-as-you-go).
    pub read_regions: u32,
    /// How the app reaches it.
    pub access: String,
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
    /// `maxmemory-policy` (Serverless: fixed volatile-lru; `None` where the engine or service has
    /// none: Memcached, Upstash).
    pub maxmemory_policy: Option<String>,
    /// Why that policy.
    pub maxmemory_policy_why: String,
    /// Parameter-group values to set (node-based Valkey/Redis OSS), each with why.
    pub parameters: Vec<Parameter>,
    /// Serverless usage limits.
    pub usage_limits: Option<UsageLimitSettings>,
    /// Upstash settings.
    pub upstash: Option<UpstashSettings>,
    /// What the app or its client must do.
    pub client_requirements: Vec<String>,
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

/// `maxmemory-policy` from the role and the workload: `noeviction` where a lost key is lost data
/// (sessions, jobs, `must_not_evict`), `volatile-ttl` for rate-limit windows (the ones closest
/// to expiry matter least), otherwise `volatile-lru` when every key has a TTL and `allkeys-lru`
/// when not. Serverless has `volatile-lru` only; Memcached and Upstash have no such setting.
pub fn maxmemory_policy(env: &EnvInputs, engine: Engine, kind: OptionKind) -> (Option<String>, String) {
    let w = &env.workload;
    if kind == OptionKind::Upstash {
        return (
            None,
            "Upstash has no maxmemory-policy: eviction is an on/off switch per database (see upstash)".into(),
        );
    }
    if engine == Engine::Memcached {
        return (None, "Memcached has no maxmemory-policy: it evicts the least recently used items".into());
    }
    if kind == OptionKind::Serverless {
        let why = if env.role.eviction_is_loss() || w.must_not_evict {
            format!(
                "Serverless evicts keys with a TTL at the data limit and cannot be set to noeviction: keep max_data_gb well above the data and alarm on Evictions ({})",
                env.role.loss()
            )
        } else if w.keys_have_ttl {
            "Serverless evicts only keys with a TTL (volatile-lru); every key has one".to_string()
        } else {
            "Serverless evicts only keys with a TTL: keys without one are never evicted, and writes fail with OOM at the maximum".to_string()
        };
        return (Some("volatile-lru".into()), why);
    }
    let (policy, why) = if env.role.eviction_is_loss() || w.must_not_evict {
        let reason = if w.must_not_evict {
            "must_not_evict: the data must not vanish".to_string()
        } else {
            env.role.loss().to_string()
        };
        ("noeviction", format!("{reason}: writes fail instead of evicting, and the memory alarms page before that"))
    } else if env.role == Role::RateLimiter && w.keys_have_ttl {
        (
            "volatile-ttl",
            "rate-limit windows: under pressure evict the counters closest to expiry, whose windows are nearly over"
                .to_string(),
        )
    } else if w.keys_have_ttl {
        ("volatile-lru", "every key has a TTL: evict the least recently used of them".to_string())
    } else {
        ("allkeys-lru", "not every key has a TTL: evict the least recently used of all keys".to_string())
    };
    (Some(policy.to_string()), why)
}

/// Parameter-group values a node-based Valkey/Redis OSS cluster needs for this workload.
fn parameters(
    env: &EnvInputs,
    layout: &NodeLayout,
    node: &NodeType,
    maxmemory: Option<&String>,
    why: &str,
) -> Vec<Parameter> {
    if layout.engine == Engine::Memcached {
        return Vec::new();
    }
    let param = |name: &str, value: String, why: String| Parameter { name: name.into(), value, why };
    let mut out = Vec::new();
    if let Some(policy) = maxmemory {
        out.push(param("maxmemory-policy", policy.clone(), why.to_string()));
    }
    if env.workload.keyspace_notifications {
        out.push(param(
            "notify-keyspace-events",
            "Ex".into(),
            "the app listens for expirations: E (keyevent channel) + x (expired events); the default is empty, so without it the app silently gets nothing".into(),
        ));
    }
    out.push(param(
        "reserved-memory-percent",
        format!("{}", (env.policy.reserved_for(node) * 100.0).round()),
        format!(
            "memory kept for the engine and snapshots (copy-on-write); {} (sized with it)",
            match node.size() {
                "micro" => "AWS advises up to 50 % on micro nodes",
                "small" => "AWS advises 30 % on small nodes",
                _ => "the AWS default is 25 %",
            }
        ),
    ));
    out.push(param(
        "cluster-enabled",
        if layout.cluster_mode { "yes" } else { "no" }.into(),
        if layout.cluster_mode {
            "cluster mode: use a parameter group whose family is cluster-enabled".into()
        } else {
            "cluster mode disabled: one shard, one primary endpoint and a reader endpoint".into()
        },
    ));
    out
}

/// Serverless usage limits that hold the peak grown over the horizon within the headroom, and
/// stay within the API's bounds: whole GB, ECPU/s rounded up to a thousand.
fn usage_limits(env: &EnvInputs, demand: &Demand) -> UsageLimitSettings {
    let head = env.policy.headroom;
    let (data_min, data_max) = SERVERLESS_LIMIT_DATA_GB;
    let (ecpu_min, ecpu_max) = SERVERLESS_LIMIT_ECPU_PER_SEC;
    let data = (demand.data_gib / head).ceil().clamp(f64::from(data_min), f64::from(data_max));
    let ecpu = ((demand.peak_ecpu / head / 1000.0).ceil() * 1000.0).clamp(f64::from(ecpu_min), f64::from(ecpu_max));
    let grown = if demand.growth > 1.0 {
        format!(" after {} months of growth", env.policy.horizon_months)
    } else {
        String::new()
    };
    let min = env.workload.min_ecpu_per_sec;
    UsageLimitSettings {
        max_data_gb: decimal_from_f64(data).unwrap_or(Decimal::ONE),
        max_ecpu_per_sec: decimal_from_f64(ecpu).unwrap_or(Decimal::from(ecpu_min)),
        min_ecpu_per_sec: (min > Decimal::ZERO).then(|| min.max(Decimal::from(ecpu_min))),
        why: format!(
            "the peak{grown} ({} GiB of data, {} ECPU/s) within the {} headroom, rounded up (bounds: {data_min}-{data_max} GB, {ecpu_min}-{ecpu_max} ECPU/s); the maximums cap the bill: above them data is evicted and commands are throttled",
            fmt_f64(demand.data_gib),
            fmt_f64(demand.peak_ecpu),
            pct(head)
        ),
    }
}

/// What the client must do, from the option and the workload.
fn client_requirements(env: &EnvInputs, winner: &Evaluated) -> Vec<String> {
    let mut out = winner.requirements.clone();
    if env.workload.clients == Some(Clients::Lambda) {
        out.push(
            format!(
                "Lambda: create the client outside the handler so warm invocations reuse its connection (each new connection {}holds a client slot against maxclients until it times out)",
                if env.workload.tls { "costs a TLS handshake on the engine and " } else { "" }
            ),
        );
    }
    out
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
    let demand = Demand::of(&env.workload, &env.policy);
    let (policy, why) = maxmemory_policy(env, winner.deployment.engine(), winner.kind);
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
        parameters: Vec::new(),
        usage_limits: None,
        upstash: None,
        client_requirements: client_requirements(env, winner),
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
            let limits = usage_limits(env, &demand);
            s.alarms = serverless_alarms(env, &demand, &limits);
            s.usage_limits = Some(limits);
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
            s.parameters = parameters(env, layout, node, s.maxmemory_policy.as_ref(), &s.maxmemory_policy_why);
            s.alarms = node_alarms(node, layout, env, &demand);
        }
        Deployment::Split { adapter, state, .. } => {
            let (_, adapter_maintenance, _) = windows(env, 1);
            let cluster = |role: &str,
                           layout: &NodeLayout,
                           demand: &Demand,
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
                    alarms: node_alarms(node, layout, env, demand),
                }
            };
            let state_snap = (backup.retention_days > 0).then(|| snap.clone());
            s.clusters.push(cluster(
                "state",
                state,
                &demand.without_pubsub(),
                backup.retention_days,
                state_snap.clone(),
                maintenance.clone(),
                winner.cost.part_monthly_usd(cost::Part::State),
            ));
            s.clusters.push(cluster(
                "adapter",
                adapter,
                &demand.pubsub_only(),
                0,
                None,
                adapter_maintenance,
                winner.cost.part_monthly_usd(cost::Part::Adapter),
            ));
            let node = book.catalog.node(state.node);
            s.node_type = Some(node.name.clone());
            s.shards = Some(state.shards);
            s.replicas = Some(state.replicas);
            s.cluster_mode = Some(state.cluster_mode);
            s.multi_az = state.multi_az();
            s.automatic_failover = state.multi_az();
            s.snapshot_window = state_snap;
            s.maintenance_window = Some(maintenance);
            s.parameters = parameters(env, state, node, s.maxmemory_policy.as_ref(), &s.maxmemory_policy_why);
            s.alarms = node_alarms(node, state, env, &demand.without_pubsub());
        }
        Deployment::Upstash { .. } => {
            let loss = env.role.eviction_is_loss() || env.workload.must_not_evict;
            s.multi_az = env.ha;
            s.automatic_failover = env.ha;
            s.upstash = Some(UpstashSettings {
                eviction: !loss && env.role == Role::Cache,
                eviction_why: if loss {
                    format!("off: {}; writes fail when the database is full instead", env.role.loss())
                } else if env.role == Role::Cache {
                    "on: a cache may drop keys when full (Upstash's one algorithm, optimistic-volatile)".into()
                } else {
                    "off (the default): writes fail when the database is full; turn it on only if the app can lose keys".into()
                },
                prod_pack: env.ha,
                read_regions: 0,
                access: "over the internet with TLS (outside the VPC): from private subnets through a NAT gateway; the Redis protocol from long-lived servers, REST from edge functions".into(),
            });
        }
    }
    s
}
