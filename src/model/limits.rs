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
/// Valkey/Redis OSS: nodes per cluster with a quota increase (AWS docs "Working with shards").
pub const MAX_NODES_WITH_QUOTA_INCREASE: u32 = 500;
/// Valkey/Redis OSS: replicas per shard (AWS docs "Working with shards": up to 5).
pub const MAX_REPLICAS_PER_SHARD: u32 = 5;
/// Memcached: nodes per cluster without a limit increase (CreateCacheCluster `NumCacheNodes` 1–40).
pub const MEMCACHED_MAX_NODES: u32 = 40;
/// Reserved memory share of a node kept for the engine and snapshots (AWS default 25 %).
pub const DEFAULT_RESERVED_MEMORY: f64 = 0.25;

/// ElastiCache Serverless: ECPU/s one hash slot serves (FACTS: ~30 K).
pub const SERVERLESS_SLOT_ECPU_PER_SEC: f64 = 30_000.0;
/// ElastiCache Serverless: ECPU/s one hash slot serves with READONLY replica reads (FACTS: 90 K).
pub const SERVERLESS_SLOT_ECPU_PER_SEC_READONLY: f64 = 90_000.0;

/// ElastiCache Serverless usage limits: bounds of `DataStorage` minimum and maximum, GB (FACTS:
/// `CacheUsageLimits`, from the Terraform provider and the aws-cdk construct that validate them).
pub const SERVERLESS_LIMIT_DATA_GB: (u32, u32) = (1, 5_000);
/// ElastiCache Serverless usage limits: bounds of `ECPUPerSecond` minimum and maximum (FACTS).
pub const SERVERLESS_LIMIT_ECPU_PER_SEC: (u32, u32) = (1_000, 15_000_000);
