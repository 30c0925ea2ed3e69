//! Capacity: whether a deployment can carry a workload, and how much headroom it leaves.
//!
//! [`Demand`] is computed once per environment (peaks grown over the planning horizon). The
//! `*_utilization` functions are plain arithmetic (no allocation) so the recommender can check
//! hundreds of thousands of layouts a second; the `check_*` functions turn the same numbers into
//! [`Exclusion`]s with reasons a person can act on. Heuristics are labelled as such (see
//! [`HEURISTICS`]); limits come from `limits.rs`.

use rust_decimal::Decimal;
use serde::Serialize;

use super::catalog::{Engine, NodeType};
use super::limits::{
    DEFAULT_RESERVED_MEMORY, MAX_NODES_PER_CLUSTER, MAX_NODES_WITH_QUOTA_INCREASE, MAX_REPLICAS_PER_SHARD,
    MEMCACHED_MAX_NODES, SERVERLESS_MAX_CONNECTIONS, SERVERLESS_MAX_DATA_GB, SERVERLESS_MAX_ECPU_PER_SEC,
    SERVERLESS_SLOT_ECPU_PER_SEC, SERVERLESS_SLOT_ECPU_PER_SEC_READONLY,
};
use super::metering::ecpu_per_request_mix;
use super::price::{UpstashPayg, UpstashPlan};
use super::throughput::{
    Cluster, Layout as ThroughputLayout, Load, ReadRouting, Version, bindings, engine_requests_per_sec, threading,
};
use super::units::{decimal_from_f64, format_quantity, to_f64};
use super::workload::{Auth, EnvInputs, NodeLayout, Tier, UsageLimits, Workload};

/// Data tiering (r6gd): memory + SSD holds about this many times the memory (FACTS).
pub const DATA_TIERING_FACTOR: f64 = 4.8;
/// Data tiering fits when at most this share of the data is hot (FACTS).
pub const DATA_TIERING_MAX_HOT: f64 = 0.2;
/// Peak over average above which Serverless scaling may throttle a spike (capplan heuristic).
pub const SPIKY_PEAK_RATIO: f64 = 3.0;

/// Whether peak requests reach [`SPIKY_PEAK_RATIO`] times the average.
pub fn is_spiky(w: &Workload) -> bool {
    w.peak_requests_per_sec > Decimal::ZERO
        && to_f64(w.peak_requests_per_sec) >= SPIKY_PEAK_RATIO * to_f64(w.requests_per_sec).max(1e-9)
}
/// Memory a pub/sub adapter cluster needs per subscriber for output buffers, GiB (capplan
/// heuristic: the 32 MB pub/sub client-output-buffer hard limit).
pub const ADAPTER_BUFFER_GIB_PER_SUBSCRIBER: f64 = 0.03125;
/// Minimum memory for a pub/sub adapter cluster, GiB (capplan heuristic).
pub const ADAPTER_MIN_GIB: f64 = 0.25;

/// The heuristics the capacity model uses, labelled for reports (the engine-throughput curve's
/// anchor points are in [`THROUGHPUT_ANCHORS`](super::throughput::THROUGHPUT_ANCHORS)).
pub const HEURISTICS: &[&str] = &[
    "engine throughput: a calibrated heuristic per node size and engine version (its anchor points are listed with it); a request up to 1 KB costs one small request of engine time, larger values a little more (memory copies), not ECPU (a billing unit)",
    "burstable t3/t4g: the average load must fit the CPU-credit baseline (10 % per vCPU on micro, 20 % on small/medium)",
    "memory: peak data x (1.1 + 0.9 x write share) for fragmentation and copy-on-write on Valkey/Redis OSS (FACTS: 1.1-2x by write ratio), 1.1 on Memcached",
    "network: each node's inbound and outbound bytes on their own against the baseline (not burst) bandwidth: reads send values out, writes bring them in, the primary sends every write once more per replica, pub/sub delivers every message to every subscriber",
    "reads on replicas: with the reader endpoint (cluster mode off) reads spread evenly over the replicas, with READONLY (cluster mode on) over the whole shard; used only where the plan allows it (reads_from_replicas not false) and named as a client requirement",
    "pub/sub in cluster mode: PUBLISH reaches every node, so every node carries the whole pub/sub load",
    "pub/sub adapter: one publisher and one subscriber connection per subscriber instance (capplan heuristic)",
    "cross-AZ traffic: clients spread evenly over client_azs zones (default 3) reach a primary in one of them, so (n - 1) / n of the traffic crosses zones; reads served by a replica in each zone do not (capplan assumption; cross_az_fraction overrides it)",
];

/// The constraint an option breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Constraint {
    /// The app's protocol does not match the engine.
    Engine,
    /// Multi-key commands across hash slots fail in cluster mode (CROSSSLOT).
    CrossSlot,
    /// A feature the app needs is missing (keyspace notifications, SELECT, AUTH mode, TLS…).
    Compatibility,
    /// Data above usable memory or a plan's data cap.
    Memory,
    /// Engine CPU or a request-rate cap.
    Throughput,
    /// Network bandwidth or a plan's bandwidth cap.
    Bandwidth,
    /// Connections above maxclients.
    Connections,
    /// Commands per month above a plan's cap.
    Commands,
    /// Request or item size above a plan's cap.
    ItemSize,
    /// The service is not offered in the region.
    Region,
    /// Node, shard or replica count above the cluster quota.
    Quota,
    /// The environment needs replicas and Multi-AZ (`ha = true`) and the deployment has none.
    Availability,
    /// The plan's `[policy]` rules it out (burstable nodes in production, a vendor).
    Policy,
}

impl Constraint {
    /// Kebab-case id.
    pub fn id(self) -> &'static str {
        match self {
            Constraint::Engine => "engine",
            Constraint::CrossSlot => "cross-slot",
            Constraint::Compatibility => "compatibility",
            Constraint::Memory => "memory",
            Constraint::Throughput => "throughput",
            Constraint::Bandwidth => "bandwidth",
            Constraint::Connections => "connections",
            Constraint::Commands => "commands",
            Constraint::ItemSize => "item-size",
            Constraint::Region => "region",
            Constraint::Quota => "quota",
            Constraint::Availability => "availability",
            Constraint::Policy => "policy",
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
    /// An exclusion.
    pub fn new(constraint: Constraint, reason: impl Into<String>) -> Self {
        Exclusion { constraint, reason: reason.into() }
    }
}

/// Share of each resource used at peak over the planning horizon (1.0 = full); `None` where it
/// does not apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Utilization {
    /// Memory need / usable memory (or the data cap).
    pub memory: Option<f64>,
    /// Engine CPU need / capacity (or ECPU / command-rate cap).
    pub cpu: Option<f64>,
    /// Network need / baseline bandwidth (or the bandwidth cap).
    pub network: Option<f64>,
    /// Connections / maxclients.
    pub connections: Option<f64>,
}

impl Utilization {
    /// The highest share and its resource name.
    pub fn highest(&self) -> Option<(&'static str, f64)> {
        [("memory", self.memory), ("CPU", self.cpu), ("network", self.network), ("connections", self.connections)]
            .into_iter()
            .filter_map(|(n, v)| v.map(|v| (n, v)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// Sizing policy (plan keys under `[policy]` / `[env.NAME.policy]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Highest share of any node resource (memory, CPU, network, connections) planned at peak.
    pub headroom: f64,
    /// Months of growth the sizing plans for.
    pub horizon_months: u32,
    /// reserved-memory-percent as a share (0.25); micro and small nodes get at least 50 % / 30 %.
    pub reserved_memory: f64,
    /// Where burstable nodes may be recommended.
    pub burstable: Burstable,
    /// Share a simpler layout may cost above a cheaper one and still win (0.05).
    pub simplicity_margin: Decimal,
    /// Who may run the cache.
    pub vendors: Vec<Vendor>,
}

/// Where burstable (t3/t4g) nodes may be recommended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Burstable {
    /// Staging and development tiers only (AWS positions T nodes for development and test).
    #[default]
    NonProduction,
    /// Never.
    Never,
    /// In every tier.
    Always,
}

impl Burstable {
    /// Plan-file spelling.
    pub fn id(self) -> &'static str {
        match self {
            Burstable::NonProduction => "non-production",
            Burstable::Never => "never",
            Burstable::Always => "always",
        }
    }

    /// Whether burstable nodes may serve an environment of `tier`.
    pub fn allows(self, tier: Tier) -> bool {
        match self {
            Burstable::Always => true,
            Burstable::Never => false,
            Burstable::NonProduction => tier != Tier::Production,
        }
    }
}

/// Who may run the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    /// Amazon ElastiCache (Serverless and node-based).
    Aws,
    /// Upstash.
    Upstash,
}

impl Vendor {
    /// Plan-file spelling.
    pub fn id(self) -> &'static str {
        match self {
            Vendor::Aws => "aws",
            Vendor::Upstash => "upstash",
        }
    }
}

/// Share a layout with fewer shards or nodes may cost above a cheaper one and still win, by
/// default (5 %: the `simplicity_margin_pct` policy key).
pub const DEFAULT_SIMPLICITY_MARGIN: Decimal = Decimal::from_parts(5, 0, 0, false, 2);

impl Default for Policy {
    fn default() -> Self {
        Policy {
            headroom: 0.75,
            horizon_months: 12,
            reserved_memory: DEFAULT_RESERVED_MEMORY,
            burstable: Burstable::default(),
            simplicity_margin: DEFAULT_SIMPLICITY_MARGIN,
            vendors: vec![Vendor::Aws, Vendor::Upstash],
        }
    }
}

impl Policy {
    /// Reserved memory share for `node`: the policy's, raised to 50 % on micro and 30 % on small
    /// nodes as AWS advises.
    pub fn reserved_for(&self, node: &NodeType) -> f64 {
        match node.size() {
            "micro" => self.reserved_memory.max(0.5),
            "small" => self.reserved_memory.max(0.3),
            _ => self.reserved_memory,
        }
    }
}

/// Usable memory of one node, GiB: memory × (1 − reserved).
pub fn usable_memory_gib(node: &NodeType, policy: &Policy) -> f64 {
    node.memory_gib() * (1.0 - policy.reserved_for(node))
}

/// Data capacity of one node, GiB: usable memory, or with data tiering (r6gd, ≤ 20 % hot data)
/// usable memory × 4.8.
pub fn data_capacity_gib(node: &NodeType, policy: &Policy, hot_fraction: f64) -> f64 {
    let usable = usable_memory_gib(node, policy);
    if node.ssd_gib.is_some() && hot_fraction <= DATA_TIERING_MAX_HOT { usable * DATA_TIERING_FACTOR } else { usable }
}

/// What an environment asks at peak, grown over the planning horizon. Computed once.
#[derive(Clone, Debug, PartialEq)]
pub struct Demand {
    /// (1 + growth)^horizon.
    pub growth: f64,
    /// Peak data, GiB.
    pub data_gib: f64,
    /// Peak reads per second.
    pub reads: f64,
    /// Peak writes per second.
    pub writes: f64,
    /// Average requests per second (what a burstable node's credits must carry).
    pub avg_requests: f64,
    /// Average payload per request, KB.
    pub request_kb: f64,
    /// Peak pub/sub messages published per second.
    pub pubsub_msgs: f64,
    /// Average pub/sub messages published per second.
    pub avg_pubsub_msgs: f64,
    /// Pub/sub message size, KB.
    pub pubsub_kb: f64,
    /// Pub/sub subscribers.
    pub subscribers: f64,
    /// Client connections.
    pub connections: f64,
    /// Share of writes.
    pub write_ratio: f64,
    /// Share of traffic on the hottest key.
    pub hot_share: f64,
    /// Share of data that is hot.
    pub hot_fraction: f64,
    /// Peak ECPU/s on Serverless (per request over the size distribution).
    pub peak_ecpu: f64,
    /// Peak requests/s.
    pub peak_rps: f64,
}

impl Demand {
    /// The demand of `w` at peak, grown over `policy.horizon_months`.
    pub fn of(w: &Workload, policy: &Policy) -> Demand {
        let g = 1.0 + to_f64(w.growth_pct_per_month) / 100.0;
        let growth = g.powi(i32::try_from(policy.horizon_months).unwrap_or(i32::MAX));
        let ecpu = to_f64(ecpu_per_request_mix(&w.size_buckets()));
        let peak_rps = w.peak_rps() * growth;
        let write_ratio = w.write_ratio();
        Demand {
            growth,
            data_gib: w.peak_data_gib() * growth,
            reads: peak_rps * (1.0 - write_ratio),
            writes: peak_rps * write_ratio,
            avg_requests: to_f64(w.requests_per_sec) * growth,
            request_kb: to_f64(w.avg_request_kb),
            pubsub_msgs: to_f64(w.peak_pubsub_messages_per_sec.max(w.pubsub_messages_per_sec)) * growth,
            avg_pubsub_msgs: to_f64(w.pubsub_messages_per_sec) * growth,
            pubsub_kb: to_f64(w.pubsub_payload_kb),
            subscribers: f64::from(w.pubsub_subscribers),
            connections: f64::from(w.connections) * growth,
            write_ratio,
            hot_share: to_f64(w.hot_key_share).clamp(0.0, 1.0),
            hot_fraction: to_f64(w.hot_data_fraction).clamp(0.0, 1.0),
            peak_ecpu: peak_rps * ecpu,
            peak_rps,
        }
    }

    /// The state cluster's share of a split deployment: everything but pub/sub.
    #[must_use]
    pub fn without_pubsub(&self) -> Demand {
        Demand { pubsub_msgs: 0.0, avg_pubsub_msgs: 0.0, subscribers: 0.0, ..self.clone() }
    }

    /// The adapter cluster's share of a split deployment: pub/sub only, with buffer memory and
    /// one publisher and one subscriber connection per subscriber instance.
    #[must_use]
    pub fn pubsub_only(&self) -> Demand {
        Demand {
            data_gib: (self.subscribers * ADAPTER_BUFFER_GIB_PER_SUBSCRIBER).max(ADAPTER_MIN_GIB),
            reads: 0.0,
            writes: 0.0,
            avg_requests: 0.0,
            connections: self.subscribers * 2.0,
            hot_share: 0.0,
            peak_ecpu: 0.0,
            peak_rps: 0.0,
            hot_fraction: 1.0,
            ..self.clone()
        }
    }

    /// The load the throughput model checks, at peak (`average = false`) or on average (for CPU
    /// credits), with `memory_factor` applied to the data.
    pub fn load(&self, memory_factor: f64, average: bool) -> Load {
        let scale = if average && self.peak_rps > 0.0 { self.avg_requests / self.peak_rps } else { 1.0 };
        Load {
            reads_per_sec: self.reads * scale,
            writes_per_sec: self.writes * scale,
            read_kb: self.request_kb,
            write_kb: self.request_kb,
            pubsub_messages_per_sec: if average { self.avg_pubsub_msgs } else { self.pubsub_msgs },
            pubsub_subscribers: self.subscribers,
            pubsub_payload_kb: self.pubsub_kb,
            connections: self.connections,
            memory_gib: self.data_gib * memory_factor,
            hot_key_share: self.hot_share,
        }
    }
}

/// Small requests/s one node's engine serves (the calibrated throughput model; see
/// [`THROUGHPUT_ANCHORS`](super::throughput::THROUGHPUT_ANCHORS)). The one function reports,
/// alarms and the Metrics screen use for engine capacity.
pub fn node_requests_capacity(node: &NodeType, engine: Engine, version: Option<Version>) -> f64 {
    engine_requests_per_sec(node, engine, version)
}

/// Requests/s a node layout serves before its tightest request-bound resource (engine or
/// network) is full, for the demand's mix of reads, writes and sizes: the capacity line of the
/// Metrics screen, from the same model as the fit checks.
pub fn layout_requests_capacity(layout: &NodeLayout, node: &NodeType, demand: &Demand, policy: &Policy) -> f64 {
    let u = node_utilization(layout, node, demand, policy, None);
    let tightest = u.cpu.unwrap_or(0.0).max(u.network.unwrap_or(0.0));
    if demand.peak_rps > 0.0 && tightest > 0.0 {
        demand.peak_rps / tightest
    } else {
        node_requests_capacity(node, layout.engine, None) * f64::from(layout.shards.max(1))
    }
}

/// Share of the engine's full speed a burstable node sustains on CPU credits (1.0 otherwise).
pub fn credit_baseline_share(node: &NodeType) -> f64 {
    node.cpu_credit_baseline_pct.map_or(1.0, |pct| (f64::from(pct) / 100.0 * f64::from(node.vcpu)).min(1.0))
}

/// Memory factor for fragmentation and copy-on-write.
pub fn memory_factor(engine: Engine, write_ratio: f64) -> f64 {
    match engine {
        Engine::Memcached => 1.1,
        Engine::Valkey | Engine::Redis => 1.1 + 0.9 * write_ratio,
    }
}

/// Largest node count a layout's engine allows.
pub fn max_nodes(engine: Engine) -> u32 {
    if engine == Engine::Memcached { MEMCACHED_MAX_NODES } else { MAX_NODES_PER_CLUSTER }
}

/// What a quota increase allows beyond [`max_nodes`], in words.
pub fn quota_increase(engine: Engine) -> String {
    if engine == Engine::Memcached {
        "request a limit increase for more".to_string()
    } else {
        format!("a quota increase allows up to {MAX_NODES_WITH_QUOTA_INCREASE}")
    }
}

/// The throughput model's view of a node layout.
pub fn cluster_of<'a>(
    layout: &NodeLayout,
    node: &'a NodeType,
    demand: &Demand,
    policy: &Policy,
    version: Option<Version>,
) -> Cluster<'a> {
    Cluster {
        node,
        engine: layout.engine,
        version,
        layout: ThroughputLayout {
            shards: layout.shards,
            replicas: layout.replicas,
            cluster_mode: layout.cluster_mode,
            read_routing: ReadRouting::for_app(layout.replica_reads, layout.cluster_mode),
        },
        data_capacity_gib: data_capacity_gib(node, policy, demand.hot_fraction),
    }
}

/// Resource use of a node layout at peak, from the throughput model: memory, engine CPU (and on
/// burstable nodes the average load against the credit baseline), the tighter of network in and
/// out, and connections, each on the busiest node. Plain arithmetic, no allocation.
pub fn node_utilization(
    layout: &NodeLayout,
    node: &NodeType,
    demand: &Demand,
    policy: &Policy,
    version: Option<Version>,
) -> Utilization {
    let cluster = cluster_of(layout, node, demand, policy, version);
    let factor = memory_factor(layout.engine, demand.write_ratio);
    let [memory, engine, net_in, net_out, connections] = bindings(&cluster, &demand.load(factor, false));
    let mut cpu = engine.utilization;
    if node.is_burstable() {
        let [_, average, ..] = bindings(&cluster, &demand.load(factor, true));
        cpu = cpu.max(average.utilization / credit_baseline_share(node));
    }
    Utilization {
        memory: Some(memory.utilization),
        cpu: Some(cpu),
        network: Some(net_in.utilization.max(net_out.utilization)),
        connections: Some(connections.utilization),
    }
}

/// Why cluster mode cannot run the app at all: CROSSSLOT, SELECT, a client that is not
/// cluster-aware. Empty when cluster mode can work.
pub fn cluster_mode_exclusions(w: &Workload) -> Vec<Exclusion> {
    let mut out = Vec::new();
    if w.cross_slot_commands {
        out.push(Exclusion::new(Constraint::CrossSlot, cross_slot_reason("a cluster-mode-enabled cluster")));
    }
    if w.uses_select {
        out.push(Exclusion::new(
            Constraint::Compatibility,
            "cluster mode has database 0 only and the app SELECTs other databases; use cluster mode disabled",
        ));
    }
    if w.client_cluster_aware == Some(false) {
        out.push(Exclusion::new(
            Constraint::Compatibility,
            "the client is not cluster-aware (client_cluster_aware = false): in cluster mode it gets MOVED redirections it does not follow; use cluster mode disabled",
        ));
    }
    out
}

/// Why cluster mode should be chosen only when no single shard can hold the workload: the
/// client may not be cluster-aware, keyspace notifications are raised per node, classic PUBLISH
/// is broadcast to every node (FACTS: cluster mode changes what the app sees). Empty when
/// nothing argues against it.
pub fn cluster_mode_cautions(w: &Workload) -> Vec<&'static str> {
    let mut out = Vec::new();
    if w.client_cluster_aware.is_none() {
        out.push(
            "the client must be cluster-aware (client_cluster_aware is not stated; a standalone client gets MOVED)",
        );
    }
    if w.keyspace_notifications {
        out.push("keyspace notifications are raised on each node: the listener must subscribe on every primary");
    }
    if w.has_pubsub() {
        out.push("classic PUBLISH is broadcast to every node over the cluster bus (sharded SPUBLISH is not)");
    }
    out
}

/// Whether a layout is compatible with the app, the policy and the quotas, with the reasons it
/// is not (no capacity checks). The one place these rules live: the search, the brute force and
/// [`check_node`] all use it.
pub fn layout_exclusions(layout: &NodeLayout, node: &NodeType, env: &EnvInputs) -> Vec<Exclusion> {
    let w = &env.workload;
    let mut out = Vec::new();
    if !layout.engine.serves(env.app_engine) {
        out.push(Exclusion::new(Constraint::Engine, engine_reason(layout.engine, env.app_engine)));
    }
    if !node.supports(layout.engine) {
        out.push(Exclusion::new(Constraint::Engine, format!("{} does not run {}", node.name, layout.engine.label())));
    }
    if !env.policy.vendors.contains(&Vendor::Aws) {
        out.push(Exclusion::new(Constraint::Policy, "[policy] vendors rules out AWS (vendors = [\"upstash\"])"));
    }
    if layout.cluster_mode && layout.engine.speaks_redis() {
        out.extend(cluster_mode_exclusions(w));
    }
    if env.ha && layout.engine != Engine::Memcached && layout.replicas == 0 {
        out.push(Exclusion::new(
            Constraint::Availability,
            "ha = true needs at least one replica per shard (Multi-AZ with automatic failover)",
        ));
    }
    if node.is_burstable() && !env.policy.burstable.allows(env.tier) {
        out.push(Exclusion::new(
            Constraint::Policy,
            format!(
                "{} is burstable and this is a {} environment ([policy] burstable = \"{}\"): CPU credits run out under sustained load and the node is throttled",
                node.name,
                env.tier.id(),
                env.policy.burstable.id()
            ),
        ));
    }
    if layout.nodes() > max_nodes(layout.engine) {
        out.push(Exclusion::new(
            Constraint::Quota,
            format!(
                "{} nodes is above the default quota of {} nodes per cluster ({})",
                layout.nodes(),
                max_nodes(layout.engine),
                quota_increase(layout.engine)
            ),
        ));
    }
    if layout.replicas > MAX_REPLICAS_PER_SHARD {
        out.push(Exclusion::new(
            Constraint::Quota,
            format!("{} replicas per shard is above the limit of {MAX_REPLICAS_PER_SHARD}", layout.replicas),
        ));
    }
    out
}

/// Whether a layout is compatible with the app, the policy and the quotas (no capacity checks).
pub fn node_compatible(layout: &NodeLayout, node: &NodeType, env: &EnvInputs) -> bool {
    layout_exclusions(layout, node, env).is_empty()
}

/// Whether a share is over its limit (a share that is not a number always is).
fn exceeds(used: f64, limit: f64) -> bool {
    used.is_nan() || used > limit
}

/// Whether `u` stays within the policy's headroom on every resource.
pub fn within_headroom(u: &Utilization, policy: &Policy) -> bool {
    [u.memory, u.cpu, u.network, u.connections].into_iter().flatten().all(|v| v <= policy.headroom)
}

/// ` after N months of growth` when the demand was grown over N months, else nothing: written
/// only into the reasons that are written.
struct GrownOver(Option<u32>);

impl std::fmt::Display for GrownOver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(months) => write!(f, " after {months} months of growth"),
            None => Ok(()),
        }
    }
}

/// A share as a percentage: `0.75` → `75%`.
pub fn pct(v: f64) -> String {
    format!("{}%", fmt_f64((v * 100.0).min(1e9)))
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
        if app.speaks_redis() { "the Redis protocol" } else { "the Memcached protocol" },
        engine.label(),
        if engine.speaks_redis() { "the Redis protocol" } else { "the Memcached protocol" },
    )
}

/// Node-based fit with reasons: compatibility, quotas, and every resource against the headroom.
pub fn check_node(
    layout: &NodeLayout,
    node: &NodeType,
    env: &EnvInputs,
    demand: &Demand,
    version: Option<Version>,
) -> (Vec<Exclusion>, Utilization) {
    let policy = &env.policy;
    let mut out = layout_exclusions(layout, node, env);
    let u = node_utilization(layout, node, demand, policy, version);
    let head = policy.headroom;
    let grown = GrownOver((demand.growth > 1.0).then_some(policy.horizon_months));
    if let Some(m) = u.memory.filter(|m| exceeds(*m, head)) {
        let need = demand.data_gib * memory_factor(layout.engine, demand.write_ratio);
        let capacity = data_capacity_gib(node, policy, demand.hot_fraction) * f64::from(layout.shards);
        out.push(Exclusion::new(
            Constraint::Memory,
            format!(
                "needs {} GiB{grown} (peak data x {} for fragmentation/copy-on-write): {} of the {} GiB usable on {} x {} (limit {})",
                fmt_f64(need),
                fmt_f64(memory_factor(layout.engine, demand.write_ratio)),
                pct(m),
                fmt_f64(capacity),
                layout.shards,
                node.name,
                pct(head)
            ),
        ));
    }
    if let Some(c) = u.cpu.filter(|c| exceeds(*c, head)) {
        let burst = if node.is_burstable() {
            " (burstable: the average load counts against the CPU-credit baseline)"
        } else {
            ""
        };
        out.push(Exclusion::new(
            Constraint::Throughput,
            format!(
                "engine CPU at {} of {} at peak{grown}{burst} (limit {}; ~{} small requests/s per node with {}, a calibrated heuristic)",
                pct(c),
                node.name,
                pct(head),
                fmt_f64(node_requests_capacity(node, layout.engine, version)),
                threading(node, layout.engine, version).label()
            ),
        ));
    }
    if let Some(n) = u.network.filter(|n| exceeds(*n, head)) {
        out.push(Exclusion::new(
            Constraint::Bandwidth,
            format!(
                "network at {} of the {} Gbps baseline of {} at peak{grown}, the busier direction of the busiest node (limit {}; the burst is not sustained)",
                pct(n),
                fmt_f64(node.baseline_gbps),
                node.name,
                pct(head)
            ),
        ));
    }
    if let Some(c) = u.connections.filter(|c| exceeds(*c, head)) {
        out.push(Exclusion::new(
            Constraint::Connections,
            format!(
                "{} connections is {} of maxclients {} on {} (limit {})",
                fmt_f64(demand.connections),
                pct(c),
                node.maxclients,
                node.name,
                pct(head)
            ),
        ));
    }
    (out, u)
}

/// Serverless resource use: data, ECPU/s, connections against the per-cache limits.
pub fn serverless_utilization(demand: &Demand) -> Utilization {
    Utilization {
        memory: Some(demand.data_gib / SERVERLESS_MAX_DATA_GB),
        cpu: Some(demand.peak_ecpu / SERVERLESS_MAX_ECPU_PER_SEC),
        network: None,
        connections: Some(demand.connections / f64::from(SERVERLESS_MAX_CONNECTIONS)),
    }
}

/// Serverless fit: engine, cluster-mode compatibility, features, limits.
pub fn check_serverless(engine: Engine, env: &EnvInputs, demand: &Demand) -> (Vec<Exclusion>, Utilization) {
    let w = &env.workload;
    let mut out = Vec::new();
    if !env.policy.vendors.contains(&Vendor::Aws) {
        out.push(Exclusion::new(Constraint::Policy, "[policy] vendors rules out AWS (vendors = [\"upstash\"])"));
    }
    if !engine.serves(env.app_engine) {
        out.push(Exclusion::new(Constraint::Engine, engine_reason(engine, env.app_engine)));
    }
    if engine.speaks_redis() {
        if w.cross_slot_commands {
            out.push(Exclusion::new(Constraint::CrossSlot, cross_slot_reason("ElastiCache Serverless")));
        }
        if w.keyspace_notifications {
            out.push(Exclusion::new(
                Constraint::Compatibility,
                "ElastiCache Serverless has no keyspace notifications (no notify-keyspace-events, no PSUBSCRIBE to listen with)",
            ));
        }
        if w.pubsub_patterns {
            out.push(Exclusion::new(
                Constraint::Compatibility,
                "ElastiCache Serverless has no pattern subscriptions: PSUBSCRIBE, PUNSUBSCRIBE and PUBSUB NUMPAT are unavailable, and the app pattern-subscribes (the classic Socket.IO Redis adapter does)",
            ));
        }
        if w.uses_select {
            out.push(Exclusion::new(
                Constraint::Compatibility,
                "ElastiCache Serverless has database 0 only and the app SELECTs others",
            ));
        }
        if w.auth == Auth::Password {
            out.push(Exclusion::new(
                Constraint::Compatibility,
                "ElastiCache Serverless takes RBAC users (AUTH username password) or IAM, not the password-only AUTH token; switch the app to an RBAC user",
            ));
        }
    }
    if !w.tls {
        out.push(Exclusion::new(
            Constraint::Compatibility,
            "ElastiCache Serverless always requires TLS and the client does not use it",
        ));
    }
    let u = serverless_utilization(demand);
    if demand.data_gib > SERVERLESS_MAX_DATA_GB * env.policy.headroom {
        out.push(Exclusion::new(
            Constraint::Memory,
            format!(
                "needs {} GiB at peak: above {} of the Serverless maximum of {} GB per cache",
                fmt_f64(demand.data_gib),
                pct(env.policy.headroom),
                fmt_f64(SERVERLESS_MAX_DATA_GB)
            ),
        ));
    }
    if demand.peak_ecpu > SERVERLESS_MAX_ECPU_PER_SEC {
        out.push(Exclusion::new(
            Constraint::Throughput,
            format!(
                "peak {} ECPU/s is above the Serverless maximum of {} per cache",
                fmt_f64(demand.peak_ecpu),
                fmt_f64(SERVERLESS_MAX_ECPU_PER_SEC)
            ),
        ));
    }
    let slot_limit = if w.reads_from_replicas == Some(true) {
        SERVERLESS_SLOT_ECPU_PER_SEC_READONLY
    } else {
        SERVERLESS_SLOT_ECPU_PER_SEC
    };
    let hot = demand.peak_ecpu * demand.hot_share;
    if hot > slot_limit {
        out.push(Exclusion::new(
            Constraint::Throughput,
            format!(
                "the hottest key takes {} ECPU/s at peak: above the ~{} ECPU/s one hash slot serves{}",
                fmt_f64(hot),
                fmt_f64(slot_limit),
                if w.reads_from_replicas == Some(true) {
                    " with READONLY replica reads".to_string()
                } else {
                    format!(" ({} with READONLY replica reads)", fmt_f64(SERVERLESS_SLOT_ECPU_PER_SEC_READONLY))
                }
            ),
        ));
    }
    if demand.connections > f64::from(SERVERLESS_MAX_CONNECTIONS) {
        out.push(Exclusion::new(
            Constraint::Connections,
            format!(
                "{} connections is above the Serverless maximum of {} per cache",
                fmt_f64(demand.connections),
                fmt_f64(f64::from(SERVERLESS_MAX_CONNECTIONS))
            ),
        ));
    }
    (out, u)
}

/// A Serverless cache's configured usage limits against its load: exclusions where today's
/// peak already passes a maximum (data: keys with a TTL are evicted and writes fail with OOM;
/// ECPU: commands are throttled), notes where the peak grown over the horizon would.
pub fn usage_limit_checks(limits: &UsageLimits, today: &Demand, grown: &Demand) -> (Vec<Exclusion>, Vec<String>) {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let months = |d: &Demand| if d.growth > 1.0 { " after the planned growth" } else { "" };
    if let Some(max) = limits.max_data_gb.map(to_f64) {
        let what = "keys with a TTL are evicted and writes of keys without one fail with OOM";
        if today.data_gib > max {
            out.push(Exclusion::new(
                Constraint::Memory,
                format!(
                    "peak data {} GB is above the cache's max_data_gb limit of {}: {what}",
                    fmt_f64(today.data_gib),
                    fmt_f64(max)
                ),
            ));
        } else if grown.data_gib > max {
            notes.push(format!(
                "peak data reaches {} GB{}, above the cache's max_data_gb limit of {}: raise the limit before then ({what})",
                fmt_f64(grown.data_gib),
                months(grown),
                fmt_f64(max)
            ));
        }
    }
    if let Some(max) = limits.max_ecpu_per_sec.map(to_f64) {
        let what = "commands above it are throttled (ThrottledCmds)";
        let (now, later) = (today.peak_ecpu, grown.peak_ecpu);
        if now > max {
            out.push(Exclusion::new(
                Constraint::Throughput,
                format!(
                    "peak {} ECPU/s is above the cache's max_ecpu_per_sec limit of {}: {what}",
                    fmt_f64(now),
                    fmt_f64(max)
                ),
            ));
        } else if later > max {
            notes.push(format!(
                "peak ECPU reaches {}/s{}, above the cache's max_ecpu_per_sec limit of {}: raise the limit before then ({what})",
                fmt_f64(later),
                months(grown),
                fmt_f64(max)
            ));
        }
    }
    (out, notes)
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
    /// Largest request, KB.
    pub max_request_kb: f64,
}

impl UpstashCaps {
    /// Caps of a flat-priced plan.
    pub fn of_plan(plan: &UpstashPlan) -> Self {
        UpstashCaps {
            data_gib: to_f64(plan.data_gib),
            cmds_per_sec: plan.max_cmds_per_sec,
            monthly_commands: plan.monthly_commands,
            bandwidth_gb: Some(to_f64(plan.bandwidth_gb_month)),
            max_request_kb: to_f64(plan.max_request_mib.min(plan.max_record_mib)) * 1024.0,
        }
    }

    /// Caps of pay-as-you-go (bandwidth is billed above the free tier, not capped).
    pub fn of_payg(payg: &UpstashPayg) -> Self {
        UpstashCaps {
            data_gib: to_f64(payg.max_data_gib),
            cmds_per_sec: payg.max_cmds_per_sec,
            monthly_commands: None,
            bandwidth_gb: None,
            max_request_kb: to_f64(payg.max_request_mib.min(payg.max_record_mib)) * 1024.0,
        }
    }
}

/// What an Upstash check needs beyond the caps.
#[derive(Clone, Copy, Debug)]
pub struct UpstashUse {
    /// Commands per month.
    pub commands_per_month: f64,
    /// Bandwidth per month, GB.
    pub bandwidth_gb: f64,
    /// Upstash has databases in the region.
    pub region_served: bool,
}

/// Upstash fit: Redis protocol only, the region, IAM, and the plan's caps.
pub fn check_upstash(
    name: &str,
    caps: &UpstashCaps,
    env: &EnvInputs,
    demand: &Demand,
    usage: &UpstashUse,
) -> (Vec<Exclusion>, Utilization) {
    let w = &env.workload;
    let mut out = Vec::new();
    if !env.app_engine.speaks_redis() {
        out.push(Exclusion::new(
            Constraint::Engine,
            "the app speaks the Memcached protocol and Upstash speaks the Redis protocol",
        ));
    }
    if !env.policy.vendors.contains(&Vendor::Upstash) {
        out.push(Exclusion::new(Constraint::Policy, "[policy] vendors rules out Upstash (vendors = [\"aws\"])"));
    }
    if env.ha && caps.monthly_commands.is_some() {
        out.push(Exclusion::new(
            Constraint::Availability,
            format!("ha = true needs Upstash's multi-zone HA, which comes only with the Prod Pack on a paid plan; the {name} has none"),
        ));
    }
    if !usage.region_served {
        out.push(Exclusion::new(Constraint::Region, format!("Upstash has no database region in {}", env.region)));
    }
    if w.auth == Auth::Iam {
        out.push(Exclusion::new(Constraint::Compatibility, "Upstash does not take AWS IAM authentication"));
    }
    let head = env.policy.headroom;
    if demand.data_gib > caps.data_gib * head {
        out.push(Exclusion::new(
            Constraint::Memory,
            format!(
                "needs {} GiB at peak: above {} of the {name} cap of {} GiB",
                fmt_f64(demand.data_gib),
                pct(head),
                fmt_f64(caps.data_gib)
            ),
        ));
    }
    let cmd_rate = demand.peak_rps + demand.pubsub_msgs;
    if cmd_rate > f64::from(caps.cmds_per_sec) {
        out.push(Exclusion::new(
            Constraint::Throughput,
            format!(
                "peak {} commands/s is above the {name} cap of {}/s",
                fmt_f64(cmd_rate),
                fmt_f64(f64::from(caps.cmds_per_sec))
            ),
        ));
    }
    if let Some(limit) = caps.monthly_commands
        && usage.commands_per_month > limit as f64
    {
        out.push(Exclusion::new(
            Constraint::Commands,
            format!(
                "{} commands a month is above the {name} cap of {}",
                fmt_f64(usage.commands_per_month),
                fmt_f64(limit as f64)
            ),
        ));
    }
    if let Some(limit) = caps.bandwidth_gb
        && usage.bandwidth_gb > limit
    {
        out.push(Exclusion::new(
            Constraint::Bandwidth,
            format!(
                "{} GB of bandwidth a month is above the {name} cap of {} GB",
                fmt_f64(usage.bandwidth_gb),
                fmt_f64(limit)
            ),
        ));
    }
    if let Some(item) = w.max_item_kb.map(to_f64)
        && item > caps.max_request_kb
    {
        out.push(Exclusion::new(
            Constraint::ItemSize,
            format!(
                "items of {} KB are above the {name} request/record cap of {} KB",
                fmt_f64(item),
                fmt_f64(caps.max_request_kb)
            ),
        ));
    }
    let u = Utilization {
        memory: Some(demand.data_gib / caps.data_gib),
        cpu: Some(cmd_rate / f64::from(caps.cmds_per_sec)),
        network: caps.bandwidth_gb.map(|l| usage.bandwidth_gb / l),
        connections: None,
    };
    (out, u)
}

/// A capacity figure for people: at most two decimals, thousands separators.
pub fn fmt_f64(value: f64) -> String {
    if !value.is_finite() {
        return "∞".to_string();
    }
    decimal_from_f64((value * 100.0).round() / 100.0).map_or_else(|| format!("{value:.2}"), |d| format_quantity(d, 2))
}

/// `fmt_f64` of a decimal.
pub fn fmt_dec(value: Decimal) -> String {
    format_quantity(value, 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalog::NodeId;
    use crate::source::offline::embedded;

    fn node(name: &str) -> (NodeId, NodeType) {
        let book = embedded().unwrap();
        let id = book.catalog.find(name).unwrap();
        (id, book.catalog.node(id).clone())
    }

    #[test]
    fn small_and_micro_nodes_reserve_more_memory() {
        let p = Policy::default();
        assert!((p.reserved_for(&node("cache.t4g.micro").1) - 0.5).abs() < 1e-9);
        assert!((p.reserved_for(&node("cache.t4g.small").1) - 0.3).abs() < 1e-9);
        assert!((p.reserved_for(&node("cache.t4g.medium").1) - 0.25).abs() < 1e-9);
    }

    #[test]
    fn data_tiering_counts_only_when_little_data_is_hot() {
        let p = Policy::default();
        let (_, r6gd) = node("cache.r6gd.xlarge");
        assert!(data_capacity_gib(&r6gd, &p, 0.1) > 4.0 * data_capacity_gib(&r6gd, &p, 0.5));
    }

    #[test]
    fn pubsub_reaches_every_node_in_cluster_mode() {
        let (id, n) = node("cache.r7g.large");
        let w = Workload {
            peak_pubsub_messages_per_sec: Decimal::from(10_000),
            pubsub_subscribers: 10,
            ..Workload::default()
        };
        let d = Demand::of(&w, &Policy::default());
        let one = NodeLayout {
            engine: Engine::Valkey,
            node: id,
            shards: 1,
            replicas: 1,
            cluster_mode: false,
            replica_reads: false,
        };
        let four = NodeLayout { shards: 4, cluster_mode: true, ..one };
        let u1 = node_utilization(&one, &n, &d, &Policy::default(), None);
        let u4 = node_utilization(&four, &n, &d, &Policy::default(), None);
        assert_eq!(u1.network, u4.network, "sharding does not spread classic pub/sub");
    }
}
