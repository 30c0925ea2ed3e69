//! Capacity: whether a deployment can carry a workload, and how much headroom it leaves.
//!
//! Every check returns the constraints it breaks as [`Exclusion`]s with a reason a person can act
//! on, and a [`Utilization`] (share of each resource used at peak) for headroom displays.

use serde::Serialize;

use super::catalog::{Engine, NodeType};
use super::limits::{
    DEFAULT_RESERVED_MEMORY, SERVERLESS_MAX_CONNECTIONS, SERVERLESS_MAX_DATA_GB,
    SERVERLESS_MAX_ECPU_PER_SEC,
};
use super::metering::ecpu_per_request;
use super::price::{UpstashPayg, UpstashPlan};
use super::units::{format_quantity, to_f64};
use super::workload::{NodeLayout, Workload};

/// The constraint an option breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Constraint {
    /// The app's protocol does not match the engine.
    Engine,
    /// Multi-key commands across hash slots fail in cluster mode (CROSSSLOT).
    CrossSlot,
    /// Data above usable memory or a plan's data cap.
    Memory,
    /// Connections above maxclients.
    Connections,
    /// Requests or ECPU per second above a limit.
    Throughput,
    /// Bandwidth above a plan's cap.
    Bandwidth,
    /// Commands per month above a plan's cap.
    Commands,
    /// The service is not offered in the region.
    Region,
    /// Node or shard count above the cluster quota.
    Quota,
    /// The environment needs replicas and Multi-AZ (`ha = true`) and the deployment has none.
    Availability,
}

impl Constraint {
    /// Kebab-case id.
    pub fn id(self) -> &'static str {
        match self {
            Constraint::Engine => "engine",
            Constraint::CrossSlot => "cross-slot",
            Constraint::Memory => "memory",
            Constraint::Connections => "connections",
            Constraint::Throughput => "throughput",
            Constraint::Bandwidth => "bandwidth",
            Constraint::Commands => "commands",
            Constraint::Region => "region",
            Constraint::Quota => "quota",
            Constraint::Availability => "availability",
        }
    }
}

/// Why an option cannot serve the workload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exclusion {
    /// Which constraint.
    pub constraint: Constraint,
    /// What breaks and what would fix it.
    pub reason: String,
}

impl Exclusion {
    fn new(constraint: Constraint, reason: impl Into<String>) -> Self {
        Exclusion {
            constraint,
            reason: reason.into(),
        }
    }
}

/// Share of each resource used at peak (1.0 = full); `None` where it does not apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Utilization {
    /// Peak data / usable memory (or the plan's data cap).
    pub memory: Option<f64>,
    /// Peak engine CPU / available.
    pub cpu: Option<f64>,
    /// Peak network / baseline bandwidth.
    pub network: Option<f64>,
    /// Peak connections / maxclients.
    pub connections: Option<f64>,
}

/// Sizing policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Share of node memory reserved for the engine (reserved-memory-percent), 0–1.
    pub reserved_memory: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            reserved_memory: DEFAULT_RESERVED_MEMORY,
        }
    }
}

/// Usable memory of one node, GiB: memory × (1 − reserved).
pub fn usable_memory_gib(node: &NodeType, policy: &Policy) -> f64 {
    node.memory_gib() * (1.0 - policy.reserved_memory)
}

/// Shards of `node` needed to hold `need_gib`, at least one.
pub fn shards_needed(node: &NodeType, need_gib: f64, policy: &Policy) -> u32 {
    let usable = usable_memory_gib(node, policy);
    if usable <= 0.0 {
        return u32::MAX;
    }
    let shards = (need_gib / usable).ceil();
    if shards > f64::from(u32::MAX) {
        u32::MAX
    } else {
        (shards as u32).max(1)
    }
}

fn cross_slot_reason(what: &str) -> String {
    format!(
        "CROSSSLOT: {what} runs in cluster mode, and the app's multi-key commands across hash slots would fail; \
         use a cluster-mode-disabled node-based cluster, or put related keys under one {{hash tag}}"
    )
}

fn engine_reason(engine: Engine, app: Engine) -> String {
    format!(
        "the app speaks {} and {} speaks {}",
        if app.speaks_redis() {
            "the Redis protocol"
        } else {
            "the Memcached protocol"
        },
        engine.label(),
        if engine.speaks_redis() {
            "the Redis protocol"
        } else {
            "the Memcached protocol"
        },
    )
}

/// Node-based fit: engine, cluster mode vs cross-slot commands, memory, connections.
pub fn check_node(
    layout: &NodeLayout,
    node: &NodeType,
    app: Engine,
    workload: &Workload,
    policy: &Policy,
) -> (Vec<Exclusion>, Utilization) {
    let mut out = Vec::new();
    if !layout.engine.serves(app) {
        out.push(Exclusion::new(
            Constraint::Engine,
            engine_reason(layout.engine, app),
        ));
    }
    if layout.cluster_mode && workload.cross_slot_commands && layout.engine.speaks_redis() {
        out.push(Exclusion::new(
            Constraint::CrossSlot,
            cross_slot_reason("a cluster-mode-enabled cluster"),
        ));
    }
    let usable = usable_memory_gib(node, policy) * f64::from(layout.shards);
    let peak = workload.peak_data_gib();
    if peak > usable {
        out.push(Exclusion::new(
            Constraint::Memory,
            format!(
                "peak data {} GiB is above the usable memory of {} x {} ({} GiB after {}% reserved)",
                format_quantity(workload.peak_data_gb, 2),
                layout.shards,
                node.name,
                fmt_f64(usable),
                fmt_f64(policy.reserved_memory * 100.0)
            ),
        ));
    }
    if workload.connections > node.maxclients {
        out.push(Exclusion::new(
            Constraint::Connections,
            format!(
                "{} connections is above maxclients {} of {}",
                workload.connections, node.maxclients, node.name
            ),
        ));
    }
    let utilization = Utilization {
        memory: Some(ratio(peak, usable)),
        cpu: None,
        network: None,
        connections: Some(ratio(
            f64::from(workload.connections),
            f64::from(node.maxclients),
        )),
    };
    (out, utilization)
}

/// Serverless fit: engine, cross-slot (always cluster mode), data, ECPU/s and connection limits.
pub fn check_serverless(
    engine: Engine,
    app: Engine,
    workload: &Workload,
) -> (Vec<Exclusion>, Utilization) {
    let mut out = Vec::new();
    if !engine.serves(app) {
        out.push(Exclusion::new(
            Constraint::Engine,
            engine_reason(engine, app),
        ));
    }
    if workload.cross_slot_commands && engine.speaks_redis() {
        out.push(Exclusion::new(
            Constraint::CrossSlot,
            cross_slot_reason("ElastiCache Serverless"),
        ));
    }
    let peak = workload.peak_data_gib();
    if peak > SERVERLESS_MAX_DATA_GB {
        out.push(Exclusion::new(
            Constraint::Memory,
            format!(
                "peak data {} GiB is above the Serverless maximum of 5,000 GB per cache",
                format_quantity(workload.peak_data_gb, 2)
            ),
        ));
    }
    let peak_ecpu = workload.peak_rps() * to_f64(ecpu_per_request(workload.avg_request_kb));
    if peak_ecpu > SERVERLESS_MAX_ECPU_PER_SEC {
        out.push(Exclusion::new(
            Constraint::Throughput,
            format!(
                "peak {} ECPU/s is above the Serverless maximum of 15,000,000 per cache",
                fmt_f64(peak_ecpu)
            ),
        ));
    }
    if workload.connections > SERVERLESS_MAX_CONNECTIONS {
        out.push(Exclusion::new(
            Constraint::Connections,
            format!(
                "{} connections is above the Serverless maximum of 65,000 per cache",
                workload.connections
            ),
        ));
    }
    let utilization = Utilization {
        memory: Some(ratio(peak, SERVERLESS_MAX_DATA_GB)),
        cpu: Some(ratio(peak_ecpu, SERVERLESS_MAX_ECPU_PER_SEC)),
        network: None,
        connections: Some(ratio(
            f64::from(workload.connections),
            f64::from(SERVERLESS_MAX_CONNECTIONS),
        )),
    };
    (out, utilization)
}

/// The caps an Upstash plan puts on a database.
#[derive(Clone, Copy, Debug)]
pub struct UpstashCaps {
    /// Data, GiB.
    pub data_gib: f64,
    /// Commands per second.
    pub cmds_per_sec: u32,
    /// Commands per month, when capped.
    pub monthly_commands: Option<u64>,
    /// Bandwidth per month, GB, when capped.
    pub bandwidth_gb: Option<f64>,
}

impl UpstashCaps {
    /// Caps of a flat-priced plan.
    pub fn of_plan(plan: &UpstashPlan) -> Self {
        UpstashCaps {
            data_gib: to_f64(plan.data_gib),
            cmds_per_sec: plan.max_cmds_per_sec,
            monthly_commands: plan.monthly_commands,
            bandwidth_gb: Some(to_f64(plan.bandwidth_gb_month)),
        }
    }

    /// Caps of pay-as-you-go (bandwidth is billed above the free tier, not capped).
    pub fn of_payg(payg: &UpstashPayg) -> Self {
        UpstashCaps {
            data_gib: to_f64(payg.max_data_gib),
            cmds_per_sec: payg.max_cmds_per_sec,
            monthly_commands: None,
            bandwidth_gb: None,
        }
    }
}

/// Upstash fit: Redis protocol only, the region, and the plan's caps.
pub fn check_upstash(
    name: &str,
    caps: &UpstashCaps,
    app: Engine,
    region_served: bool,
    region: &str,
    workload: &Workload,
    commands_per_month: f64,
    bandwidth_gb: f64,
) -> (Vec<Exclusion>, Utilization) {
    let mut out = Vec::new();
    if !app.speaks_redis() {
        out.push(Exclusion::new(
            Constraint::Engine,
            "the app speaks the Memcached protocol and Upstash speaks the Redis protocol",
        ));
    }
    if !region_served {
        out.push(Exclusion::new(
            Constraint::Region,
            format!("Upstash has no database region in {region}"),
        ));
    }
    let peak = workload.peak_data_gib();
    if peak > caps.data_gib {
        out.push(Exclusion::new(
            Constraint::Memory,
            format!(
                "peak data {} GiB is above the {name} cap of {} GiB",
                format_quantity(workload.peak_data_gb, 2),
                fmt_f64(caps.data_gib)
            ),
        ));
    }
    let rps = workload.peak_rps();
    if rps > f64::from(caps.cmds_per_sec) {
        out.push(Exclusion::new(
            Constraint::Throughput,
            format!(
                "peak {} commands/s is above the {name} cap of {}/s",
                fmt_f64(rps),
                caps.cmds_per_sec
            ),
        ));
    }
    if let Some(limit) = caps.monthly_commands
        && commands_per_month > limit as f64
    {
        out.push(Exclusion::new(
            Constraint::Commands,
            format!(
                "{} commands a month is above the {name} cap of {}",
                fmt_f64(commands_per_month),
                fmt_f64(limit as f64)
            ),
        ));
    }
    if let Some(limit) = caps.bandwidth_gb
        && bandwidth_gb > limit
    {
        out.push(Exclusion::new(
            Constraint::Bandwidth,
            format!(
                "{} GB of bandwidth a month is above the {name} cap of {} GB",
                fmt_f64(bandwidth_gb),
                fmt_f64(limit)
            ),
        ));
    }
    let utilization = Utilization {
        memory: Some(ratio(peak, caps.data_gib)),
        cpu: Some(ratio(rps, f64::from(caps.cmds_per_sec))),
        network: caps.bandwidth_gb.map(|l| ratio(bandwidth_gb, l)),
        connections: None,
    };
    (out, utilization)
}

fn ratio(used: f64, available: f64) -> f64 {
    if available <= 0.0 {
        if used <= 0.0 { 0.0 } else { f64::INFINITY }
    } else {
        used / available
    }
}

/// A capacity figure for people: at most two decimals, thousands separators.
pub fn fmt_f64(value: f64) -> String {
    super::units::decimal_from_f64((value * 100.0).round() / 100.0)
        .map_or_else(|| format!("{value:.2}"), |d| format_quantity(d, 2))
}
