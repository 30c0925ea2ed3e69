//! Service limits and quotas the fit checks use, each with where it is documented.

/// ElastiCache Serverless: maximum data per cache, GB (FACTS: ElastiCache Serverless limits).
pub const SERVERLESS_MAX_DATA_GB: f64 = 5_000.0;
/// ElastiCache Serverless: maximum ECPU per second per cache (FACTS).
pub const SERVERLESS_MAX_ECPU_PER_SEC: f64 = 15_000_000.0;
/// ElastiCache Serverless: maximum connections per cache (FACTS).
pub const SERVERLESS_MAX_CONNECTIONS: u32 = 65_000;
/// Valkey/Redis OSS: nodes per cluster, default quota (AWS docs "Working with shards":
/// up to 90 nodes per cluster; up to 500 with a quota increase).
pub const MAX_NODES_PER_CLUSTER: u32 = 90;
/// Valkey/Redis OSS: replicas per shard (AWS docs "Working with shards": up to 5).
pub const MAX_REPLICAS_PER_SHARD: u32 = 5;
/// Memcached: nodes per cluster without a limit increase (CreateCacheCluster `NumCacheNodes` 1–40).
pub const MEMCACHED_MAX_NODES: u32 = 40;
/// Reserved memory share of a node kept for the engine and snapshots (AWS default 25 %).
pub const DEFAULT_RESERVED_MEMORY: f64 = 0.25;

/// Where each limit comes from, for reports.
pub const SOURCES: &[(&str, &str)] = &[
    ("serverless limits", "FACTS: 5,000 GB, 15 M ECPU/s, 65,000 connections per cache"),
    (
        "nodes per cluster",
        "docs.aws.amazon.com/AmazonElastiCache/latest/dg/Shards.html: 90 nodes, 5 replicas per shard",
    ),
    ("memcached nodes", "CreateCacheCluster NumCacheNodes: 1-40 without a limit increase"),
    (
        "reserved memory",
        "reserved-memory-percent default 25 %; AWS advises 30 % on small and up to 50 % on micro nodes",
    ),
    ("serverless slot", "FACTS: ~30 K ECPU/s per hash slot, 90 K with READONLY replica reads"),
];

/// ElastiCache Serverless: ECPU/s one hash slot serves (FACTS: ~30 K).
pub const SERVERLESS_SLOT_ECPU_PER_SEC: f64 = 30_000.0;
/// ElastiCache Serverless: ECPU/s one hash slot serves with READONLY replica reads (FACTS: 90 K).
pub const SERVERLESS_SLOT_ECPU_PER_SEC_READONLY: f64 = 90_000.0;
