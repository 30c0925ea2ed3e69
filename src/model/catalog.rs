//! The node catalog: engines, node types and their specs (memory, vCPU, network, maxclients).

use serde::{Deserialize, Serialize};
use std::fmt;

use super::units::BYTES_PER_GIB;

/// A cache engine. In plan files and JSON: `valkey`, `redis` (Redis OSS), `memcached`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Valkey (Redis-protocol compatible; 20 % cheaper nodes than Redis OSS).
    Valkey,
    /// Redis OSS.
    Redis,
    /// Memcached (its own protocol; no replicas, no backups on nodes).
    Memcached,
}

impl Engine {
    /// Every engine, in display order.
    pub const ALL: [Engine; 3] = [Engine::Valkey, Engine::Redis, Engine::Memcached];

    /// The plan-file / JSON spelling.
    pub fn id(self) -> &'static str {
        match self {
            Engine::Valkey => "valkey",
            Engine::Redis => "redis",
            Engine::Memcached => "memcached",
        }
    }

    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            Engine::Valkey => "Valkey",
            Engine::Redis => "Redis OSS",
            Engine::Memcached => "Memcached",
        }
    }

    /// Index for per-engine tables.
    pub fn index(self) -> usize {
        match self {
            Engine::Valkey => 0,
            Engine::Redis => 1,
            Engine::Memcached => 2,
        }
    }

    /// Whether an application written for `app` runs on this engine unchanged: Valkey and
    /// Redis OSS speak the same protocol; Memcached apps run on Memcached only.
    pub fn serves(self, app: Engine) -> bool {
        match app {
            Engine::Valkey | Engine::Redis => matches!(self, Engine::Valkey | Engine::Redis),
            Engine::Memcached => self == Engine::Memcached,
        }
    }

    /// Whether the engine speaks the Redis protocol (and so could be replaced by Upstash).
    pub fn speaks_redis(self) -> bool {
        matches!(self, Engine::Valkey | Engine::Redis)
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Index of a node type in its [`Catalog`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub usize);

/// One ElastiCache node type and its specs.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeType {
    /// `cache.r7g.large`.
    pub name: String,
    /// `r7g`.
    pub family: String,
    /// vCPUs.
    pub vcpu: u32,
    /// Memory from the engine's maxmemory, in bytes (authoritative).
    pub memory_bytes: u64,
    /// Baseline network bandwidth, Gbps (size on this, not the burst).
    pub baseline_gbps: f64,
    /// "Up to" burst bandwidth, Gbps, where it differs from the baseline.
    pub burst_gbps: Option<f64>,
    /// Local SSD for data tiering (r6gd), GiB.
    pub ssd_gib: Option<f64>,
    /// CPU-credit baseline per vCPU for burstable types (t3/t4g), percent.
    pub cpu_credit_baseline_pct: Option<u32>,
    /// Connection limit per node.
    pub maxclients: u32,
    /// Engines this node type runs.
    pub engines: Vec<Engine>,
}

impl NodeType {
    /// Node memory in GiB.
    pub fn memory_gib(&self) -> f64 {
        self.memory_bytes as f64 / BYTES_PER_GIB as f64
    }

    /// Whether the type earns CPU credits (t3, t4g).
    pub fn is_burstable(&self) -> bool {
        self.cpu_credit_baseline_pct.is_some()
    }

    /// Whether the type runs `engine`.
    pub fn supports(&self, engine: Engine) -> bool {
        self.engines.contains(&engine)
    }

    /// `large`, `xlarge`, `micro`…
    pub fn size(&self) -> &str {
        // the bytes after the last dot (a dot is ASCII: the cut is a character boundary); asked
        // for every layout the search checks, so not through `rsplit`'s char searcher
        match self.name.bytes().rposition(|b| b == b'.') {
            Some(dot) => &self.name[dot + 1..],
            None => &self.name,
        }
    }
}

/// Every node type capplan knows, in a stable order (family, then memory).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    nodes: Vec<NodeType>,
    /// Each name's node type (the first of a name, in catalog order), for [`Catalog::find`].
    by_name: std::collections::HashMap<String, NodeId>,
}

impl Catalog {
    /// A catalog of `nodes`, sorted by family then memory.
    pub fn new(mut nodes: Vec<NodeType>) -> Self {
        nodes.sort_by(|a, b| {
            a.family
                .cmp(&b.family)
                .then(a.memory_bytes.cmp(&b.memory_bytes))
                .then(a.vcpu.cmp(&b.vcpu))
                .then(a.name.cmp(&b.name))
        });
        let mut by_name = std::collections::HashMap::with_capacity(nodes.len());
        for (i, n) in nodes.iter().enumerate() {
            by_name.entry(n.name.clone()).or_insert(NodeId(i));
        }
        Catalog { nodes, by_name }
    }

    /// All node types.
    pub fn nodes(&self) -> impl Iterator<Item = (NodeId, &NodeType)> {
        self.nodes.iter().enumerate().map(|(i, n)| (NodeId(i), n))
    }

    /// Number of node types.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the catalog is empty.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The node type at `id`.
    ///
    /// # Panics
    /// If `id` did not come from this catalog.
    pub fn node(&self, id: NodeId) -> &NodeType {
        &self.nodes[id.0]
    }

    /// Look a node type up by name.
    pub fn find(&self, name: &str) -> Option<NodeId> {
        self.by_name.get(name).copied()
    }

    /// Families in catalog order.
    pub fn families(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for n in &self.nodes {
            if out.last() != Some(&n.family.as_str()) {
                out.push(&n.family);
            }
        }
        out
    }

    /// Node types of one family, smallest first.
    pub fn family(&self, family: &str) -> impl Iterator<Item = (NodeId, &NodeType)> {
        self.nodes().filter(move |(_, n)| n.family == family)
    }

    /// All node-type names (for error messages).
    pub fn names(&self) -> Vec<&str> {
        self.nodes.iter().map(|n| n.name.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valkey_and_redis_apps_are_interchangeable_memcached_is_not() {
        assert!(Engine::Valkey.serves(Engine::Redis));
        assert!(Engine::Redis.serves(Engine::Valkey));
        assert!(!Engine::Memcached.serves(Engine::Redis));
        assert!(!Engine::Valkey.serves(Engine::Memcached));
        assert!(Engine::Memcached.serves(Engine::Memcached));
    }
}
