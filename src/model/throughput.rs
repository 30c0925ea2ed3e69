//! Engine throughput: what one ElastiCache node serves, and which of its resources binds first.
//!
//! This module owns capplan's calibrated throughput model. It answers four questions with plain
//! arithmetic: how many small (≤ 1 KB), non-pipelined requests per second one node's engine
//! sustains ([`engine_requests_per_sec`]); how much more engine time a large request costs
//! ([`engine_cost_per_request`], flat up to 1 KB: it is *not* the Serverless ECPU billing unit);
//! how many bytes per second a primary or a replica sends and receives ([`network_bytes`], checked
//! against the node's *baseline* bandwidth in each direction, never the burst); and, for a layout
//! and a load, which resource binds and by how much ([`bottlenecks`], tightest first). How reads
//! spread over replicas is in [`read_shares`].
//!
//! AWS publishes no per-node-type requests/s table, only percentage uplifts and one absolute
//! point ("over 1 million requests per second per node" on r7g.4xlarge and larger, Redis OSS 7.1).
//! Every constant below cites the anchor it comes from (ids such as `A5` or `V5` refer to
//! `shared/data/aws/throughput_sources.md`; FACTS is `shared/design/FACTS.md`, section "Throughput
//! per node"); the curve between anchors is capplan's calibrated heuristic, and reports list it
//! from [`THROUGHPUT_ANCHORS`]. Nothing here does I/O, reads the clock or awaits.
//!
//! Left out on purpose: CPU credits of burstable nodes (their *average* load is limited by the
//! credit baseline, which the caller checks separately), pipelining (raises throughput several
//! times; capplan assumes none), TLS cost, packets-per-second allowances, the 5 Gbps single-flow
//! limit and the cluster-bus header of pub/sub messages in cluster mode.

use super::catalog::{Engine, NodeType};
use super::limits::MAX_REPLICAS_PER_SHARD;

/// Small non-pipelined GET/SET requests per second one engine thread serves without I/O threads
/// (V5: Valkey 7.2/8.0 on r6g.metal, 16–128 B, 50 clients, 103,894–109,010/s; FACTS "~100 k").
/// It is also the figure for every node without enhanced I/O (≤ 2 vCPU, all t-nodes).
pub const SINGLE_THREAD_REQUESTS_PER_SEC: f64 = 100_000.0;

/// Fewest vCPUs on which ElastiCache runs enhanced I/O (A2: "nodes with four or more vCPUs"; the
/// AWS supported-node-types table marks every `.large` and t-node "No").
pub const ENHANCED_IO_MIN_VCPU: u32 = 4;

/// Throughput of a 4-vCPU node with enhanced I/O over one thread (A1/A2: "up to 83 %").
pub const ENHANCED_IO_GAIN_AT_MIN_VCPU: f64 = 1.83;

/// vCPUs above which more I/O threads add nothing: command execution stays on one thread (V6),
/// and the 7.1 figure is the same "on r7g.4xlarge or larger" (A5–A7). capplan heuristic: flat
/// from 16 vCPU.
pub const ENHANCED_IO_SATURATION_VCPU: u32 = 16;

/// Graviton3 (m7g, r7g, c7gn) over Graviton2 (m6g, r6g) on nodes with enhanced I/O (A4: "up to
/// 28 % increased RPS ... on top of the improvement provided by enhanced I/O multiplexing").
/// Not applied to nodes without enhanced I/O (no source for them) nor to Memcached.
pub const GRAVITON3_GAIN: f64 = 1.28;

/// Redis OSS 7.1 (and every ElastiCache Valkey version) over 7.0 on nodes with at least
/// [`REDIS_7_1_MIN_PHYSICAL_CORES`] physical cores (A5/A6: "up to double the performance").
pub const REDIS_7_1_GAIN: f64 = 2.0;

/// Physical cores the 7.1 gain needs (A6: "at least 8 physical cores (`2xlarge` on Graviton, and
/// `4xlarge` on x86)").
pub const REDIS_7_1_MIN_PHYSICAL_CORES: u32 = 8;

/// Small requests/s of one cache.r7g.4xlarge on Redis OSS 7.1+ / Valkey (A5/A6/A7: "over 1 million
/// requests per second per node"; taken at the stated 1,000,000, not above it). With
/// [`GRAVITON3_GAIN`] and [`REDIS_7_1_GAIN`] it fixes the enhanced-I/O gain at 16 vCPU:
/// 1,000,000 / (100,000 × 1.28 × 2) = 3.906 (DERIVED).
pub const R7G_4XLARGE_REQUESTS_PER_SEC: f64 = 1_000_000.0;

/// Memcached small requests/s per vCPU: Memcached runs one worker thread per vCPU (capplan
/// heuristic: the single-thread figure per vCPU, no published ElastiCache measurement).
pub const MEMCACHED_REQUESTS_PER_VCPU: f64 = 100_000.0;

/// Values up to this size cost one small request of engine time (S4: "processing 10 bytes, 100
/// bytes, or 1000 bytes queries almost result in the same throughput"; S6: 16 B → 128 B costs
/// 3–10 %).
pub const FLAT_REQUEST_KB: f64 = 1.0;

/// KB above [`FLAT_REQUEST_KB`] that add one small request of engine time (capplan heuristic:
/// memory copies of the value in and out of buffers at ~10 GB/s per core against ~10 µs per
/// small request; S5/S7 say copies become noticeable above ~10 KB). 8 KB costs 1.22, 64 KB 2.97.
pub const KB_PER_EXTRA_REQUEST: f64 = 32.0;

/// Bytes each request adds in each direction besides its value: the command name, the key, RESP
/// framing and one set of TCP/IP headers (capplan heuristic, assuming keys of a few tens of bytes).
pub const PROTOCOL_OVERHEAD_BYTES: f64 = 100.0;

/// Engine time of delivering one pub/sub message to one subscriber, in small requests (capplan
/// heuristic: a buffer write, no parsing; the value capacity.rs uses).
pub const PUBSUB_DELIVERY_COST: f64 = 0.1;

/// Bytes per KB (sizes in plans are KiB, like the Serverless meter's KB).
pub const BYTES_PER_KB: f64 = 1024.0;

/// The anchor points of the throughput curve, one line each (value, node, engine version,
/// source), for reports to list under "calibrated heuristic".
pub const THROUGHPUT_ANCHORS: &[&str] = &[
    "~100,000 small non-pipelined requests/s per engine thread: Valkey 7.2/8.0, r6g.metal pinned to 2 cores, 16-128 B (Valkey project, valkey-io/valkey#1026; FACTS); used for every node without enhanced I/O (<= 2 vCPU, t-nodes)",
    "+83 % with enhanced I/O on nodes with >= 4 vCPU, Redis OSS 5.0.6+ (AWS blog \"Enhanced I/O multiplexing\" and What's New 2019-03)",
    "+28 % on Graviton3 (m7g, r7g, c7gn) over Graviton2 on nodes with enhanced I/O (AWS blog \"Achieve over 500 million requests per second per cluster\", 2023)",
    "x2 for Redis OSS 7.1+ and Valkey over 7.0 on >= 8 physical cores (2xlarge on Graviton, 4xlarge on x86) (same AWS blog; ElastiCache engine-versions docs)",
    "1,000,000 requests/s on cache.r7g.4xlarge, Redis OSS 7.1 / Valkey: \"over 1 million requests per second per node\" (AWS ElastiCache FAQ); flat above 16 vCPU",
    "between 4 and 16 vCPU the enhanced-I/O gain follows a power law in vCPU from 1.83 to 3.906 (= 1,000,000 / (100,000 x 1.28 x 2)): capplan's calibrated heuristic",
    "not applied: +72 % of enhanced I/O multiplexing (Redis OSS 7.0, r6g.xlarge) was measured at 5,200 concurrent clients (AWS blog); capplan counts ordinary client counts",
    "Valkey 8 counts like Redis OSS 7.1: AWS publishes no node-based Valkey 8 figure (the project's 1.19 M SET/s, c7g, 8 I/O threads, is self-managed)",
    "Memcached: 100,000 requests/s per vCPU (capplan heuristic, no published measurement)",
    "engine cost flat up to 1 KB (Valkey benchmark docs: 10, 100 or 1000 bytes almost the same throughput); +1 small request per 32 KB above it (capplan heuristic: memory copies, noticeable above ~10 KB per Valkey docs)",
    "network: value bytes + 100 bytes of protocol per request and direction (capplan heuristic), inbound and outbound each against the baseline Gbps (AWS node-types page), never the burst",
];

/// An engine version, major and minor (`7.1`, `6.2`). The patch level does not change throughput.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version {
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
}

impl Version {
    /// `major.minor`.
    pub const fn new(major: u32, minor: u32) -> Self {
        Version { major, minor }
    }

    /// Reads `7.1`, `6.2.6` or `7` (a missing minor is 0, so `7` means 7.0: no 7.1 gain).
    /// `None` for text that does not start with a number.
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.trim().split('.');
        let major = parts.next()?.trim().parse().ok()?;
        let minor = match parts.next() {
            Some(m) => m.trim().parse().ok()?,
            None => 0,
        };
        Some(Version { major, minor })
    }
}

/// How a node's engine spreads work over its vCPUs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Threading {
    /// One thread does everything (≤ 2 vCPU, t-nodes, Redis OSS before 5).
    SingleThread,
    /// Enhanced I/O threads handle the network; commands run on one thread (Redis OSS 5–7.0, or
    /// 7.1+ on fewer than 8 physical cores).
    EnhancedIo,
    /// Enhanced I/O with the Redis OSS 7.1 / Valkey improvements (≥ 8 physical cores).
    EnhancedIo71,
    /// Memcached: one worker thread per vCPU.
    MultiThreaded,
}

impl Threading {
    /// Words for reports.
    pub fn label(self) -> &'static str {
        match self {
            Threading::SingleThread => "single engine thread (no enhanced I/O)",
            Threading::EnhancedIo => "enhanced I/O",
            Threading::EnhancedIo71 => "enhanced I/O with the 7.1 improvements",
            Threading::MultiThreaded => "multi-threaded (Memcached)",
        }
    }
}

/// The Graviton generation of a node's family (`m6g` → 2, `r7g`/`c7gn` → 3, `t4g` → 2), `None`
/// on x86 (`m5`, `r5`, `t3`).
pub fn graviton_generation(node: &NodeType) -> Option<u32> {
    let family = node.family.as_str();
    let digits_at = family.find(|c: char| c.is_ascii_digit())?;
    let rest = &family[digits_at..];
    let digits_end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    if !rest[digits_end..].starts_with('g') {
        return None;
    }
    let generation: u32 = rest[..digits_end].parse().ok()?;
    Some(if generation >= 7 { 3 } else { 2 })
}

/// Physical cores: every vCPU on Graviton, half of them on x86 (two hyperthreads per core).
pub fn physical_cores(node: &NodeType) -> u32 {
    if graviton_generation(node).is_some() { node.vcpu } else { (node.vcpu / 2).max(1) }
}

/// Whether `engine` at `version` has the Redis OSS 7.1 improvements. Every ElastiCache Valkey
/// version has them; Redis OSS from 7.1; an unknown Redis OSS version is taken as the newest
/// ElastiCache offers (7.1), as for a new cluster.
fn has_7_1(engine: Engine, version: Option<Version>) -> bool {
    match engine {
        Engine::Valkey => true,
        Engine::Redis => version.is_none_or(|v| v >= Version::new(7, 1)),
        Engine::Memcached => false,
    }
}

/// How `node` runs `engine` at `version` (`None`: the newest ElastiCache offers).
pub fn threading(node: &NodeType, engine: Engine, version: Option<Version>) -> Threading {
    if engine == Engine::Memcached {
        return Threading::MultiThreaded;
    }
    let old_redis = engine == Engine::Redis && version.is_some_and(|v| v.major < 5);
    if node.is_burstable() || node.vcpu < ENHANCED_IO_MIN_VCPU || old_redis {
        Threading::SingleThread
    } else if has_7_1(engine, version) && physical_cores(node) >= REDIS_7_1_MIN_PHYSICAL_CORES {
        Threading::EnhancedIo71
    } else {
        Threading::EnhancedIo
    }
}

/// Enhanced-I/O throughput over one thread for `vcpu` vCPUs, before the Graviton3 and 7.1 gains:
/// 1 below 4 vCPU, 1.83 at 4 (A1), 3.906 at 16 (DERIVED from A4/A5/A7), a power law in between
/// (capplan's calibrated heuristic: 2.674 at 8), flat above 16.
pub fn enhanced_io_gain(vcpu: u32) -> f64 {
    if vcpu < ENHANCED_IO_MIN_VCPU {
        return 1.0;
    }
    let at_saturation =
        R7G_4XLARGE_REQUESTS_PER_SEC / (SINGLE_THREAD_REQUESTS_PER_SEC * GRAVITON3_GAIN * REDIS_7_1_GAIN);
    let span = f64::from(ENHANCED_IO_SATURATION_VCPU) / f64::from(ENHANCED_IO_MIN_VCPU);
    let exponent = (at_saturation / ENHANCED_IO_GAIN_AT_MIN_VCPU).ln() / span.ln();
    let ratio = f64::from(vcpu.min(ENHANCED_IO_SATURATION_VCPU)) / f64::from(ENHANCED_IO_MIN_VCPU);
    ENHANCED_IO_GAIN_AT_MIN_VCPU * ratio.powf(exponent)
}

/// Small (≤ 1 KB), non-pipelined requests per second one node's engine sustains at full CPU.
///
/// `version`: the engine version (`None`: the newest ElastiCache offers, Redis OSS 7.1 / Valkey 8).
/// Burstable nodes are rated at full speed here; their CPU credits limit the *average* load and
/// are checked elsewhere. Calibrated heuristic: see [`THROUGHPUT_ANCHORS`].
pub fn engine_requests_per_sec(node: &NodeType, engine: Engine, version: Option<Version>) -> f64 {
    match threading(node, engine, version) {
        Threading::MultiThreaded => MEMCACHED_REQUESTS_PER_VCPU * f64::from(node.vcpu),
        Threading::SingleThread => SINGLE_THREAD_REQUESTS_PER_SEC,
        t @ (Threading::EnhancedIo | Threading::EnhancedIo71) => {
            let cpu = if graviton_generation(node) == Some(3) { GRAVITON3_GAIN } else { 1.0 };
            let release = if t == Threading::EnhancedIo71 { REDIS_7_1_GAIN } else { 1.0 };
            SINGLE_THREAD_REQUESTS_PER_SEC * enhanced_io_gain(node.vcpu) * cpu * release
        }
    }
}

/// Engine time of one GET/SET moving `kb` KB of value, in small requests: 1 up to 1 KB, then
/// +1 per 32 KB (calibrated heuristic). Unlike `metering::ecpu_per_request` (the Serverless
/// *billing* unit, 8 for an 8 KB GET), an 8 KB GET costs 1.22 here.
pub fn engine_cost_per_request(kb: f64) -> f64 {
    1.0 + (kb - FLAT_REQUEST_KB).max(0.0) / KB_PER_EXTRA_REQUEST
}

/// Which node of a shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The shard's read/write primary.
    Primary,
    /// One of its read replicas.
    Replica,
}

impl Role {
    /// `primary` / `replica`.
    pub fn id(self) -> &'static str {
        match self {
            Role::Primary => "primary",
            Role::Replica => "replica",
        }
    }
}

/// Where a shard's reads go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ReadRouting {
    /// All reads on the primary (the default: replicas redirect reads without READONLY).
    #[default]
    Primary,
    /// Spread evenly over the primary and its replicas (a cluster-aware client that sends
    /// READONLY and reads from every node of the shard).
    Spread,
    /// Spread evenly over the replicas only (the reader endpoint, cluster mode disabled, which
    /// is documented "to evenly split incoming connections ... between all read replicas").
    Replicas,
}

impl ReadRouting {
    /// The routing an app that `reads_from_replicas` gets: the reader endpoint (replicas only)
    /// with cluster mode disabled, READONLY spread over the whole shard with cluster mode enabled.
    pub fn for_app(reads_from_replicas: bool, cluster_mode: bool) -> Self {
        match (reads_from_replicas, cluster_mode) {
            (false, _) => ReadRouting::Primary,
            (true, true) => ReadRouting::Spread,
            (true, false) => ReadRouting::Replicas,
        }
    }
}

/// Share of one shard's reads each node serves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReadShares {
    /// Share on the primary.
    pub primary: f64,
    /// Share on each replica.
    pub each_replica: f64,
}

/// How a shard's reads split over its primary and `replicas` replicas (1–5; with 0 every read
/// stays on the primary). Shares add up to 1. The reader endpoint splits connections, not
/// requests: an even split assumes connections carry similar load.
pub fn read_shares(routing: ReadRouting, replicas: u32) -> ReadShares {
    let r = f64::from(replicas);
    match routing {
        _ if replicas == 0 => ReadShares { primary: 1.0, each_replica: 0.0 },
        ReadRouting::Primary => ReadShares { primary: 1.0, each_replica: 0.0 },
        ReadRouting::Spread => ReadShares { primary: 1.0 / (1.0 + r), each_replica: 1.0 / (1.0 + r) },
        ReadRouting::Replicas => ReadShares { primary: 0.0, each_replica: 1.0 / r },
    }
}

/// The shape of a node-based cluster, as far as throughput is concerned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    /// Shards (node groups); 1 with cluster mode disabled.
    pub shards: u32,
    /// Replicas per shard (0–5).
    pub replicas: u32,
    /// Cluster mode enabled (pub/sub messages reach every node over the cluster bus).
    pub cluster_mode: bool,
    /// Where reads go.
    pub read_routing: ReadRouting,
}

/// What the whole cache is asked at peak, independent of the layout. Sizes are averages.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Load {
    /// Reads (GET and the like) per second.
    pub reads_per_sec: f64,
    /// Writes (SET and the like) per second.
    pub writes_per_sec: f64,
    /// Value returned by a read, KB.
    pub read_kb: f64,
    /// Value carried by a write, KB.
    pub write_kb: f64,
    /// Pub/sub messages published per second.
    pub pubsub_messages_per_sec: f64,
    /// Subscribers each message is delivered to.
    pub pubsub_subscribers: f64,
    /// Pub/sub message size, KB.
    pub pubsub_payload_kb: f64,
    /// Client connections one node holds (a cluster-aware client connects to every node).
    pub connections: f64,
    /// Memory the whole data set needs, GiB, fragmentation and copy-on-write included (the
    /// caller's memory model).
    pub memory_gib: f64,
    /// Share of requests on the hottest key (0–1): the hottest shard serves at least this much.
    pub hot_key_share: f64,
}

impl Load {
    /// Share of the requests the busiest shard serves: its even share, or the hot key's share
    /// when that is larger.
    pub fn shard_share(&self, shards: u32) -> f64 {
        (1.0 / f64::from(shards.max(1))).max(self.hot_key_share).clamp(0.0, 1.0)
    }
}

/// Requests per second one node of the busiest shard serves.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NodeRequests {
    /// Reads served by this node.
    pub reads_per_sec: f64,
    /// Writes this node executes (the primary from clients, a replica from the replication stream).
    pub writes_per_sec: f64,
}

/// Reads and writes one node in `role` of the busiest shard handles. A replica's numbers are
/// zero when the layout has no replicas.
pub fn node_requests(role: Role, layout: &Layout, load: &Load) -> NodeRequests {
    if role == Role::Replica && layout.replicas == 0 {
        return NodeRequests::default();
    }
    let share = load.shard_share(layout.shards);
    let split = read_shares(layout.read_routing, layout.replicas);
    let read_share = if role == Role::Primary { split.primary } else { split.each_replica };
    NodeRequests { reads_per_sec: load.reads_per_sec * share * read_share, writes_per_sec: load.writes_per_sec * share }
}

/// Bytes per second through one node's network interface, each direction on its own (the
/// baseline bandwidth applies to each).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Traffic {
    /// Received, bytes/s.
    pub inbound: f64,
    /// Sent, bytes/s.
    pub outbound: f64,
}

impl Traffic {
    /// Received, Gbps (10^9 bits/s).
    pub fn inbound_gbps(&self) -> f64 {
        bytes_to_gbps(self.inbound)
    }

    /// Sent, Gbps.
    pub fn outbound_gbps(&self) -> f64 {
        bytes_to_gbps(self.outbound)
    }
}

/// Bytes/s as Gbps (10^9 bits/s, as AWS quotes bandwidth).
pub fn bytes_to_gbps(bytes_per_sec: f64) -> f64 {
    bytes_per_sec * 8.0 / 1e9
}

/// Baseline bandwidth of `node` in each direction, bytes/s (the burst is not sustained).
pub fn baseline_bytes_per_sec(node: &NodeType) -> f64 {
    node.baseline_gbps * 1e9 / 8.0
}

/// Inbound and outbound bytes/s of one node in `role` of the busiest shard.
///
/// A read brings the command in and sends the value out; a write brings the value in and sends
/// a short reply out; each message carries [`PROTOCOL_OVERHEAD_BYTES`]. The primary sends every
/// write once more to each replica, which receives it. Pub/sub, taken at its worst on every node:
/// each message comes in once and goes out once per subscriber; the primary also forwards it once
/// per replica (cluster mode disabled) or once over the cluster bus (cluster mode enabled).
pub fn network_bytes(role: Role, layout: &Layout, load: &Load) -> Traffic {
    if role == Role::Replica && layout.replicas == 0 {
        return Traffic::default();
    }
    let n = node_requests(role, layout, load);
    let read_value = load.read_kb.max(0.0) * BYTES_PER_KB;
    let write_message = load.write_kb.max(0.0) * BYTES_PER_KB + PROTOCOL_OVERHEAD_BYTES;
    let message = load.pubsub_payload_kb.max(0.0) * BYTES_PER_KB + PROTOCOL_OVERHEAD_BYTES;
    let published = load.pubsub_messages_per_sec * message;
    let delivered = published * load.pubsub_subscribers;
    let inbound = n.reads_per_sec * PROTOCOL_OVERHEAD_BYTES + n.writes_per_sec * write_message + published;
    let mut outbound = n.reads_per_sec * (read_value + PROTOCOL_OVERHEAD_BYTES) + delivered;
    if role == Role::Primary {
        let replicas = f64::from(layout.replicas);
        let forwarded = if layout.cluster_mode { published } else { published * replicas };
        outbound += n.writes_per_sec * (PROTOCOL_OVERHEAD_BYTES + write_message * replicas) + forwarded;
    }
    Traffic { inbound, outbound }
}

/// Engine work of one node in `role` of the busiest shard, in small requests per second: its
/// reads and writes weighted by [`engine_cost_per_request`], plus every pub/sub message (1 each
/// and [`PUBSUB_DELIVERY_COST`] per delivery, on every node). Zero for a replica when there is none.
pub fn engine_load(role: Role, layout: &Layout, load: &Load) -> f64 {
    if role == Role::Replica && layout.replicas == 0 {
        return 0.0;
    }
    let n = node_requests(role, layout, load);
    n.reads_per_sec * engine_cost_per_request(load.read_kb)
        + n.writes_per_sec * engine_cost_per_request(load.write_kb)
        + load.pubsub_messages_per_sec * (1.0 + PUBSUB_DELIVERY_COST * load.pubsub_subscribers)
}

/// A resource of one node that a load can exhaust.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    /// Memory for the data.
    Memory,
    /// Engine CPU.
    Engine,
    /// Inbound network bandwidth (baseline).
    NetworkIn,
    /// Outbound network bandwidth (baseline).
    NetworkOut,
    /// Client connections against maxclients.
    Connections,
}

impl Resource {
    /// Every resource, in display order.
    pub const ALL: [Resource; 5] =
        [Resource::Memory, Resource::Engine, Resource::NetworkIn, Resource::NetworkOut, Resource::Connections];

    /// Kebab-case id.
    pub fn id(self) -> &'static str {
        match self {
            Resource::Memory => "memory",
            Resource::Engine => "engine",
            Resource::NetworkIn => "network-in",
            Resource::NetworkOut => "network-out",
            Resource::Connections => "connections",
        }
    }

    /// Words for reports.
    pub fn label(self) -> &'static str {
        match self {
            Resource::Memory => "memory",
            Resource::Engine => "engine CPU",
            Resource::NetworkIn => "network in",
            Resource::NetworkOut => "network out",
            Resource::Connections => "connections",
        }
    }
}

/// How much of one resource the busiest node uses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Binding {
    /// The resource.
    pub resource: Resource,
    /// The node role where it is tightest.
    pub role: Role,
    /// need / capacity (1.0 = full).
    pub utilization: f64,
    /// What the node needs: GiB (memory), small requests/s (engine), bytes/s (network),
    /// connections.
    pub need: f64,
    /// What the node has, in the same unit.
    pub capacity: f64,
}

impl Binding {
    fn of(resource: Resource, role: Role, need: f64, capacity: f64) -> Self {
        let utilization = if capacity > 0.0 {
            need / capacity
        } else if need > 0.0 {
            f64::INFINITY
        } else {
            0.0
        };
        Binding { resource, role, utilization, need, capacity }
    }

    /// Whether the resource is over `limit` (a share such as the 0.75 headroom).
    pub fn exceeds(&self, limit: f64) -> bool {
        self.utilization > limit + 1e-9
    }
}

/// A node-based cluster to check: node type, engine, version and layout.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cluster<'a> {
    /// Node type of every node.
    pub node: &'a NodeType,
    /// Engine.
    pub engine: Engine,
    /// Engine version (`None`: the newest ElastiCache offers).
    pub version: Option<Version>,
    /// Shards, replicas, cluster mode, read routing.
    pub layout: Layout,
    /// Data one node holds, GiB: usable memory after reserved memory (or with data tiering), the
    /// caller's policy.
    pub data_capacity_gib: f64,
}

/// Every resource's use on the busiest node, in [`Resource::ALL`] order, without allocating (for
/// the recommender's inner loop). For each resource the tighter of primary and replica counts.
pub fn bindings(cluster: &Cluster<'_>, load: &Load) -> [Binding; 5] {
    let layout = &cluster.layout;
    let engine_capacity = engine_requests_per_sec(cluster.node, cluster.engine, cluster.version);
    let bandwidth = baseline_bytes_per_sec(cluster.node);
    let worse = |a: Binding, b: Binding| if b.utilization > a.utilization { b } else { a };
    let per_role = |role: Role| {
        let traffic = network_bytes(role, layout, load);
        (
            Binding::of(Resource::Engine, role, engine_load(role, layout, load), engine_capacity),
            Binding::of(Resource::NetworkIn, role, traffic.inbound, bandwidth),
            Binding::of(Resource::NetworkOut, role, traffic.outbound, bandwidth),
        )
    };
    let (mut engine, mut net_in, mut net_out) = per_role(Role::Primary);
    if layout.replicas > 0 {
        let (e, i, o) = per_role(Role::Replica);
        engine = worse(engine, e);
        net_in = worse(net_in, i);
        net_out = worse(net_out, o);
    }
    let memory = Binding::of(
        Resource::Memory,
        Role::Primary,
        load.memory_gib / f64::from(layout.shards.max(1)),
        cluster.data_capacity_gib,
    );
    let connections =
        Binding::of(Resource::Connections, Role::Primary, load.connections, f64::from(cluster.node.maxclients));
    [memory, engine, net_in, net_out, connections]
}

/// Every resource's use on the busiest node, tightest first: the first entry is what binds.
/// `capplan explain` and the Metrics screen's capacity lines read this.
pub fn bottlenecks(cluster: &Cluster<'_>, load: &Load) -> Vec<Binding> {
    let mut out = bindings(cluster, load).to_vec();
    out.sort_by(|a, b| b.utilization.total_cmp(&a.utilization));
    out
}

/// The resource that binds first.
pub fn binding(cluster: &Cluster<'_>, load: &Load) -> Binding {
    let [first, rest @ ..] = bindings(cluster, load);
    rest.into_iter().fold(first, |a, b| if b.utilization > a.utilization { b } else { a })
}

/// The fewest replicas per shard, from the layout's own count up to 5, with which no resource of
/// any node is above `limit` (reads spread as the layout routes them); `None` if even 5 do not
/// do. More replicas relieve reads only; writes and replication grow the primary's outbound.
pub fn fewest_replicas(cluster: &Cluster<'_>, load: &Load, limit: f64) -> Option<u32> {
    (cluster.layout.replicas..=MAX_REPLICAS_PER_SHARD).find(|&replicas| {
        let c = Cluster { layout: Layout { replicas, ..cluster.layout }, ..*cluster };
        bindings(&c, load).iter().all(|b| !b.exceeds(limit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::offline::embedded;

    fn node(name: &str) -> NodeType {
        let book = embedded().unwrap();
        book.catalog.node(book.catalog.find(name).unwrap()).clone()
    }

    fn rps(name: &str, engine: Engine, version: Option<Version>) -> f64 {
        engine_requests_per_sec(&node(name), engine, version)
    }

    const V6_2: Option<Version> = Some(Version::new(6, 2));
    const V7_0: Option<Version> = Some(Version::new(7, 0));
    const V7_1: Option<Version> = Some(Version::new(7, 1));
    const V8: Option<Version> = Some(Version::new(8, 0));

    /// The issue's workload: 200,000 requests/s of 8 KB values, 98 % reads, 5 GB.
    fn issue_load() -> Load {
        Load {
            reads_per_sec: 196_000.0,
            writes_per_sec: 4_000.0,
            read_kb: 8.0,
            write_kb: 8.0,
            connections: 500.0,
            memory_gib: 5.0 * 1.12,
            ..Load::default()
        }
    }

    fn single_shard(n: &NodeType, engine: Engine, version: Option<Version>, replicas: u32) -> Cluster<'_> {
        Cluster {
            node: n,
            engine,
            version,
            layout: Layout { shards: 1, replicas, cluster_mode: true, read_routing: ReadRouting::Primary },
            data_capacity_gib: n.memory_gib() * 0.75,
        }
    }

    #[test]
    fn large_and_burstable_nodes_get_no_enhanced_io() {
        for name in ["cache.m7g.large", "cache.r7g.large", "cache.c7gn.large", "cache.t4g.medium", "cache.m5.large"] {
            for (engine, version) in [(Engine::Valkey, V8), (Engine::Redis, V6_2), (Engine::Redis, None)] {
                let r = rps(name, engine, version);
                assert!((r - 100_000.0).abs() < 1.0, "{name} {engine:?} {version:?}: {r}");
                assert_eq!(threading(&node(name), engine, version), Threading::SingleThread);
            }
        }
    }

    #[test]
    fn xlarge_gets_the_enhanced_io_gain_over_one_thread() {
        let g2 = rps("cache.r6g.xlarge", Engine::Redis, V6_2);
        assert!((g2 / SINGLE_THREAD_REQUESTS_PER_SEC - 1.83).abs() < 1e-9, "{g2}");
        // 4 Graviton cores: no 7.1 doubling yet
        assert!((rps("cache.r6g.xlarge", Engine::Valkey, V8) - g2).abs() < 1e-6);
    }

    #[test]
    fn graviton3_is_28_percent_over_graviton2_at_the_same_size() {
        for (g2, g3) in [("cache.r6g.xlarge", "cache.r7g.xlarge"), ("cache.m6g.2xlarge", "cache.m7g.2xlarge")] {
            for (engine, version) in [(Engine::Valkey, V8), (Engine::Redis, V6_2), (Engine::Redis, V7_1)] {
                let ratio = rps(g3, engine, version) / rps(g2, engine, version);
                assert!((ratio - 1.28).abs() < 1e-9, "{g3}/{g2} {engine:?} {version:?}: {ratio}");
            }
        }
        assert_eq!(graviton_generation(&node("cache.c7gn.2xlarge")), Some(3));
        assert_eq!(graviton_generation(&node("cache.r6gd.xlarge")), Some(2));
        assert_eq!(graviton_generation(&node("cache.t4g.micro")), Some(2));
        assert_eq!(graviton_generation(&node("cache.r5.large")), None);
    }

    #[test]
    fn r7g_4xlarge_on_7_1_or_valkey_serves_about_a_million() {
        for (engine, version) in
            [(Engine::Valkey, V8), (Engine::Valkey, None), (Engine::Redis, V7_1), (Engine::Redis, None)]
        {
            let r = rps("cache.r7g.4xlarge", engine, version);
            assert!((900_000.0..=1_300_000.0).contains(&r), "{engine:?} {version:?}: {r}");
        }
        // and "or larger": not less on 8xlarge and 16xlarge
        assert!(rps("cache.r7g.16xlarge", Engine::Valkey, V8) >= rps("cache.r7g.4xlarge", Engine::Valkey, V8));
    }

    #[test]
    fn redis_before_7_1_does_not_get_the_doubling() {
        for name in ["cache.r7g.2xlarge", "cache.r7g.4xlarge", "cache.m5.4xlarge"] {
            let new = rps(name, Engine::Redis, V7_1);
            for old in [V7_0, V6_2] {
                let r = rps(name, Engine::Redis, old);
                assert!((new / r - 2.0).abs() < 1e-9, "{name} {old:?}: {r} vs {new}");
            }
        }
        assert!(rps("cache.r7g.4xlarge", Engine::Redis, V7_0) < 600_000.0);
        // x86 has two hyperthreads per core: 8 physical cores only from 4xlarge (16 vCPU)
        assert_eq!(threading(&node("cache.m5.2xlarge"), Engine::Valkey, V8), Threading::EnhancedIo);
        assert_eq!(threading(&node("cache.m5.4xlarge"), Engine::Valkey, V8), Threading::EnhancedIo71);
        assert_eq!(threading(&node("cache.r7g.2xlarge"), Engine::Valkey, V8), Threading::EnhancedIo71);
        // Redis OSS 4 has no enhanced I/O at all
        assert!((rps("cache.r7g.4xlarge", Engine::Redis, Some(Version::new(4, 0))) - 100_000.0).abs() < 1.0);
    }

    #[test]
    fn throughput_never_falls_as_vcpus_grow_within_a_family() {
        let book = embedded().unwrap();
        for family in book.catalog.families() {
            let mut nodes: Vec<&NodeType> = book.catalog.family(family).map(|(_, n)| n).collect();
            nodes.sort_by_key(|n| n.vcpu);
            for engine in Engine::ALL {
                for version in [None, V6_2, V7_0, V7_1, V8] {
                    for pair in nodes.windows(2) {
                        let (a, b) = (pair[0], pair[1]);
                        let (ra, rb) =
                            (engine_requests_per_sec(a, engine, version), engine_requests_per_sec(b, engine, version));
                        assert!(rb >= ra, "{} {ra} > {} {rb} ({engine:?} {version:?})", a.name, b.name);
                    }
                }
            }
        }
    }

    #[test]
    fn memcached_scales_per_vcpu() {
        assert!((rps("cache.r7g.4xlarge", Engine::Memcached, None) - 1_600_000.0).abs() < 1.0);
        assert!((rps("cache.m7g.large", Engine::Memcached, None) - 200_000.0).abs() < 1.0);
    }

    #[test]
    fn engine_cost_is_flat_to_1_kb_and_far_below_the_ecpu_meter_above() {
        for kb in [0.0, 0.01, 0.5, 1.0] {
            assert!((engine_cost_per_request(kb) - 1.0).abs() < 1e-12);
        }
        let eight = engine_cost_per_request(8.0);
        assert!(eight > 1.0 && eight < 1.5, "{eight}");
        assert!(engine_cost_per_request(100.0) > engine_cost_per_request(10.0));
        assert!(engine_cost_per_request(1024.0) < 1024.0 / 10.0);
    }

    #[test]
    fn the_issues_8_kb_reads_move_13_gbps_out_of_the_primary() {
        let layout = Layout { shards: 1, replicas: 1, cluster_mode: true, read_routing: ReadRouting::Primary };
        let t = network_bytes(Role::Primary, &layout, &issue_load());
        // 200,000 x 8 KB x 8 bits = 13.1 Gbps of values; reads alone 196,000 x 8 KB = 12.85
        let payload = bytes_to_gbps(200_000.0 * 8.0 * 1024.0);
        assert!((payload - 13.107).abs() < 0.01);
        assert!(t.outbound_gbps() > 12.85 && t.outbound_gbps() < 13.6, "{}", t.outbound_gbps());
        assert!(t.inbound_gbps() < 0.5, "{}", t.inbound_gbps());
        let r = network_bytes(Role::Replica, &layout, &issue_load());
        assert!(r.outbound_gbps() < 0.01 && (r.inbound_gbps() - bytes_to_gbps(4_000.0 * 8292.0)).abs() < 1e-9);
    }

    #[test]
    fn large_gets_bind_on_network_out_on_m7g_and_r7g_but_fit_one_c7gn_2xlarge() {
        let load = issue_load();
        for family in ["m7g", "r7g"] {
            for size in ["large", "xlarge", "2xlarge", "4xlarge"] {
                let n = node(&format!("cache.{family}.{size}"));
                let c = single_shard(&n, Engine::Valkey, V8, 1);
                let b = bottlenecks(&c, &load);
                assert_eq!(b[0].resource, Resource::NetworkOut, "{}: {b:?}", n.name);
                assert_eq!(b[0].role, Role::Primary);
                assert!(b[0].utilization > 1.0, "{}: {b:?}", n.name);
            }
        }
        let n = node("cache.c7gn.2xlarge");
        let c = single_shard(&n, Engine::Valkey, V8, 1);
        let b = bottlenecks(&c, &load);
        assert!(b.iter().all(|b| !b.exceeds(0.75)), "{b:?}");
        assert!(b.iter().find(|b| b.resource == Resource::NetworkOut).unwrap().utilization < 0.6);
    }

    #[test]
    fn small_requests_bind_on_the_engine_of_a_large_node() {
        let n = node("cache.r7g.large");
        let load =
            Load { reads_per_sec: 100_000.0, read_kb: 0.5, write_kb: 0.5, connections: 100.0, ..Load::default() };
        let c = single_shard(&n, Engine::Valkey, V8, 0);
        let top = binding(&c, &load);
        assert_eq!(top.resource, Resource::Engine);
        assert!((top.utilization - 1.0).abs() < 1e-6, "{top:?}");
        let out = bindings(&c, &load)[3];
        assert_eq!(out.resource, Resource::NetworkOut);
        assert!(out.utilization < 0.7, "{out:?}");
    }

    #[test]
    fn replication_multiplies_the_primarys_outbound_for_writes() {
        let load =
            Load { reads_per_sec: 10_000.0, writes_per_sec: 50_000.0, read_kb: 4.0, write_kb: 4.0, ..Load::default() };
        let out = |replicas| {
            let layout = Layout { shards: 1, replicas, cluster_mode: false, read_routing: ReadRouting::Primary };
            network_bytes(Role::Primary, &layout, &load).outbound
        };
        let per_replica = 50_000.0 * (4.0 * 1024.0 + PROTOCOL_OVERHEAD_BYTES);
        for r in 1..=5 {
            assert!(out(r) > out(r - 1));
            assert!((out(r) - out(r - 1) - per_replica).abs() < 1e-6);
        }
    }

    #[test]
    fn reads_spread_over_replicas_and_shares_add_up() {
        for replicas in 0..=5 {
            for routing in [ReadRouting::Primary, ReadRouting::Spread, ReadRouting::Replicas] {
                let s = read_shares(routing, replicas);
                let total = s.primary + s.each_replica * f64::from(replicas);
                assert!((total - 1.0).abs() < 1e-12, "{routing:?} {replicas}");
            }
        }
        assert_eq!(read_shares(ReadRouting::Replicas, 0), ReadShares { primary: 1.0, each_replica: 0.0 });
        assert_eq!(ReadRouting::for_app(true, false), ReadRouting::Replicas);
        assert_eq!(ReadRouting::for_app(true, true), ReadRouting::Spread);
        assert_eq!(ReadRouting::for_app(false, true), ReadRouting::Primary);
        // spreading the issue's reads: 13.3 Gbps over an r7g.4xlarge shard (7.5 Gbps baseline)
        let n = node("cache.r7g.4xlarge");
        let mut c = single_shard(&n, Engine::Valkey, V8, 1);
        assert_eq!(fewest_replicas(&c, &issue_load(), 0.75), None);
        c.layout.read_routing = ReadRouting::Spread;
        assert_eq!(fewest_replicas(&c, &issue_load(), 0.75), Some(2));
    }

    #[test]
    fn pubsub_counts_every_delivery_out_and_forwards_to_replicas() {
        let load = Load {
            pubsub_messages_per_sec: 1_000.0,
            pubsub_subscribers: 10.0,
            pubsub_payload_kb: 1.0,
            ..Load::default()
        };
        let layout = Layout { shards: 1, replicas: 2, cluster_mode: false, read_routing: ReadRouting::Primary };
        let message = 1024.0 + PROTOCOL_OVERHEAD_BYTES;
        let p = network_bytes(Role::Primary, &layout, &load);
        assert!((p.inbound - 1_000.0 * message).abs() < 1e-6);
        assert!((p.outbound - 1_000.0 * message * 12.0).abs() < 1e-6);
        assert!((engine_load(Role::Replica, &layout, &load) - 2_000.0).abs() < 1e-9);
    }

    #[test]
    fn bottlenecks_are_sorted_tightest_first_and_cover_every_resource() {
        let n = node("cache.m7g.xlarge");
        let c = single_shard(&n, Engine::Redis, V6_2, 1);
        let b = bottlenecks(&c, &issue_load());
        assert_eq!(b.len(), Resource::ALL.len());
        assert!(b.windows(2).all(|w| w[0].utilization >= w[1].utilization));
        assert_eq!(b[0], binding(&c, &issue_load()));
    }

    #[test]
    fn versions_parse_major_and_minor() {
        assert_eq!(Version::parse("7.1"), Some(Version::new(7, 1)));
        assert_eq!(Version::parse("6.2.6"), Some(Version::new(6, 2)));
        assert_eq!(Version::parse("7"), Some(Version::new(7, 0)));
        assert_eq!(Version::parse(" 8.0 "), Some(Version::new(8, 0)));
        assert_eq!(Version::parse("latest"), None);
        assert!(Version::new(7, 1) > Version::new(6, 2) && Version::new(7, 0) < Version::new(7, 1));
    }

    #[test]
    fn every_anchor_line_names_its_source_or_its_label() {
        assert!(THROUGHPUT_ANCHORS.len() >= 6);
        for line in THROUGHPUT_ANCHORS {
            assert!(
                line.contains("AWS") || line.contains("Valkey") || line.contains("capplan"),
                "anchor without a source: {line}"
            );
        }
    }
}
