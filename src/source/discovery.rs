//! Discovery: which caches an AWS account has, read from ElastiCache (`DescribeServerlessCaches`,
//! `DescribeReplicationGroups`, `DescribeCacheClusters`, every page) into plain [`Discovered`]
//! values that the planner and the CloudWatch fetch use without any SDK type.
//!
//! The mapping from SDK shapes is pure ([`from_serverless`], [`from_replication_group`],
//! [`from_cache_cluster`]) and unit-tested; [`discover_all`] and [`discover_one`] are the thin
//! async shells around it.

use aws_sdk_elasticache::Client;
use aws_sdk_elasticache::types::{CacheCluster, ClusterMode, MultiAzStatus, ReplicationGroup, ServerlessCache};
use serde::{Deserialize, Serialize};

use super::SourceError;
use super::aws::{Context, SdkConfig, is_not_found, map_error, region_of};
use crate::model::catalog::Engine;

/// What kind of cache it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CacheKind {
    /// ElastiCache Serverless (Valkey, Redis OSS or Memcached).
    Serverless,
    /// A node-based Valkey or Redis OSS replication group (cluster mode on or off).
    ReplicationGroup,
    /// A single-node Valkey or Redis OSS cluster outside any replication group.
    Standalone,
    /// A node-based Memcached cluster.
    Memcached,
}

/// A node's role in its shard, as ElastiCache reports it (cluster-mode-disabled groups only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Takes writes.
    Primary,
    /// A read replica.
    Replica,
}

/// One cache node, as CloudWatch names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// `CacheClusterId` dimension, e.g. `shop-0001-001`.
    pub cluster_id: String,
    /// `CacheNodeId` dimension, e.g. `0001`.
    pub node_id: String,
    /// Shard (node group id, e.g. `0001`); every Memcached node is its own shard.
    pub shard: String,
    /// Role, when ElastiCache says.
    pub role: Option<Role>,
}

/// Serverless usage limits (`CacheUsageLimits`); `None` where none is set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageLimits {
    /// Maximum data stored, GB.
    pub max_data_gb: Option<i32>,
    /// Minimum (billed) data stored, GB.
    pub min_data_gb: Option<i32>,
    /// Maximum ECPU per second.
    pub max_ecpu_per_sec: Option<i32>,
    /// Minimum (billed) ECPU per second.
    pub min_ecpu_per_sec: Option<i32>,
}

/// One cache as discovered, in plain Rust.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovered {
    /// Kind.
    pub kind: CacheKind,
    /// Replication group id, cluster id or serverless cache name.
    pub id: String,
    /// Region.
    pub region: String,
    /// ARN, when reported.
    pub arn: Option<String>,
    /// Status (`available`, `modifying`…).
    pub status: Option<String>,
    /// Engine.
    pub engine: Engine,
    /// Engine version, e.g. `7.1` (Serverless: the full version, else the major one).
    pub engine_version: Option<String>,
    /// Node type, e.g. `cache.r7g.large` (none for Serverless).
    pub node_type: Option<String>,
    /// Shards (node groups); Memcached: nodes; Serverless: 0.
    pub shards: u32,
    /// Replicas per shard (the largest shard's); 0 for Memcached, standalone and Serverless.
    pub replicas_per_shard: u32,
    /// Member cluster ids, e.g. `shop-0001-001` (a standalone cluster: itself).
    pub members: Vec<String>,
    /// Nodes as CloudWatch names them (empty for Serverless).
    pub nodes: Vec<Node>,
    /// Cluster mode enabled (Serverless: always).
    pub cluster_mode: bool,
    /// Multi-AZ with automatic failover.
    pub multi_az: bool,
    /// Automatic snapshots kept, days (0 = none).
    pub snapshot_retention_days: u32,
    /// Daily snapshot window (UTC), e.g. `04:00-05:00` (Serverless: the start time).
    pub snapshot_window: Option<String>,
    /// Weekly maintenance window, e.g. `sun:05:00-sun:06:00`.
    pub maintenance_window: Option<String>,
    /// Serverless usage limits.
    pub limits: Option<UsageLimits>,
}

/// The engine named by ElastiCache (`valkey`, `redis`, `memcached`), Redis OSS when unknown.
pub fn engine_of(name: Option<&str>) -> Engine {
    match name.map(str::to_ascii_lowercase).as_deref() {
        Some("valkey") => Engine::Valkey,
        Some("memcached") => Engine::Memcached,
        _ => Engine::Redis,
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn days(n: Option<i32>) -> u32 {
    n.and_then(|d| u32::try_from(d).ok()).unwrap_or(0)
}

/// A Serverless cache.
pub fn from_serverless(cache: &ServerlessCache, region: &str) -> Discovered {
    let limits = cache.cache_usage_limits().map(|l| UsageLimits {
        max_data_gb: l.data_storage().and_then(aws_sdk_elasticache::types::DataStorage::maximum),
        min_data_gb: l.data_storage().and_then(aws_sdk_elasticache::types::DataStorage::minimum),
        max_ecpu_per_sec: l.ecpu_per_second().and_then(aws_sdk_elasticache::types::EcpuPerSecond::maximum),
        min_ecpu_per_sec: l.ecpu_per_second().and_then(aws_sdk_elasticache::types::EcpuPerSecond::minimum),
    });
    Discovered {
        kind: CacheKind::Serverless,
        id: cache.serverless_cache_name().unwrap_or_default().to_string(),
        region: region.to_string(),
        arn: cache.arn().map(str::to_string),
        status: cache.status().map(str::to_string),
        engine: engine_of(cache.engine()),
        engine_version: cache.full_engine_version().or(cache.major_engine_version()).map(str::to_string),
        node_type: None,
        shards: 0,
        replicas_per_shard: 0,
        members: Vec::new(),
        nodes: Vec::new(),
        cluster_mode: true,
        multi_az: true,
        snapshot_retention_days: days(cache.snapshot_retention_limit()),
        snapshot_window: cache.daily_snapshot_time().map(str::to_string),
        maintenance_window: None,
        limits,
    }
}

/// A replication group; `clusters` are its member clusters from `DescribeCacheClusters` (they
/// carry the engine version and maintenance window; any subset, or none, will do).
///
/// Every member of a Valkey or Redis OSS replication group is a one-node cluster whose node is
/// `0001`, which is what CloudWatch's `CacheNodeId` dimension names.
pub fn from_replication_group(group: &ReplicationGroup, clusters: &[CacheCluster], region: &str) -> Discovered {
    let id = group.replication_group_id().unwrap_or_default().to_string();
    let members: Vec<String> = group.member_clusters().to_vec();
    let member = clusters
        .iter()
        .find(|c| {
            c.replication_group_id() == Some(id.as_str())
                && c.cache_cluster_id().is_some_and(|m| members.iter().any(|x| x == m))
        })
        .or_else(|| clusters.iter().find(|c| c.replication_group_id() == Some(id.as_str())));
    let mut nodes = Vec::new();
    let mut replicas = 0usize;
    for group in group.node_groups() {
        let shard = group.node_group_id().unwrap_or("0001").to_string();
        replicas = replicas.max(group.node_group_members().len().saturating_sub(1));
        for m in group.node_group_members() {
            nodes.push(Node {
                cluster_id: m.cache_cluster_id().unwrap_or_default().to_string(),
                node_id: "0001".to_string(),
                shard: shard.clone(),
                role: match m.current_role() {
                    Some("primary") => Some(Role::Primary),
                    Some("replica") => Some(Role::Replica),
                    _ => None,
                },
            });
        }
    }
    let shards = count(group.node_groups().len().max(1));
    if nodes.is_empty() {
        // no node group detail: members in order, one shard
        nodes = members
            .iter()
            .map(|m| Node { cluster_id: m.clone(), node_id: "0001".to_string(), shard: "0001".to_string(), role: None })
            .collect();
        replicas = members.len().saturating_sub(1);
    }
    let cluster_mode = group.cluster_enabled().unwrap_or(false)
        || matches!(group.cluster_mode(), Some(ClusterMode::Enabled | ClusterMode::Compatible));
    Discovered {
        kind: CacheKind::ReplicationGroup,
        id,
        region: region.to_string(),
        arn: group.arn().map(str::to_string),
        status: group.status().map(str::to_string),
        engine: engine_of(group.engine().or_else(|| member.and_then(CacheCluster::engine))),
        engine_version: member.and_then(CacheCluster::engine_version).map(str::to_string),
        node_type: group
            .cache_node_type()
            .or_else(|| member.and_then(CacheCluster::cache_node_type))
            .map(str::to_string),
        shards,
        replicas_per_shard: count(replicas),
        members,
        nodes,
        cluster_mode,
        multi_az: matches!(group.multi_az(), Some(MultiAzStatus::Enabled)),
        snapshot_retention_days: days(group.snapshot_retention_limit()),
        snapshot_window: group.snapshot_window().map(str::to_string),
        maintenance_window: member.and_then(CacheCluster::preferred_maintenance_window).map(str::to_string),
        limits: None,
    }
}

/// A cache cluster outside any replication group: a standalone Valkey/Redis OSS node or a
/// Memcached cluster (nodes `0001`…, as CloudWatch's `CacheNodeId` names them).
pub fn from_cache_cluster(cluster: &CacheCluster, region: &str) -> Discovered {
    let id = cluster.cache_cluster_id().unwrap_or_default().to_string();
    let engine = engine_of(cluster.engine());
    let memcached = engine == Engine::Memcached;
    let mut node_ids: Vec<String> =
        cluster.cache_nodes().iter().filter_map(|n| n.cache_node_id().map(str::to_string)).collect();
    if node_ids.is_empty() {
        let n = cluster.num_cache_nodes().and_then(|n| usize::try_from(n).ok()).unwrap_or(1).max(1);
        node_ids = (1..=n).map(|i| format!("{i:04}")).collect();
    }
    let nodes: Vec<Node> = node_ids
        .iter()
        .map(|node| Node {
            cluster_id: id.clone(),
            node_id: node.clone(),
            shard: if memcached { node.clone() } else { "0001".to_string() },
            role: (!memcached).then_some(Role::Primary),
        })
        .collect();
    Discovered {
        kind: if memcached { CacheKind::Memcached } else { CacheKind::Standalone },
        id: id.clone(),
        region: region.to_string(),
        arn: cluster.arn().map(str::to_string),
        status: cluster.cache_cluster_status().map(str::to_string),
        engine,
        engine_version: cluster.engine_version().map(str::to_string),
        node_type: cluster.cache_node_type().map(str::to_string),
        shards: if memcached { count(nodes.len()) } else { 1 },
        replicas_per_shard: 0,
        members: vec![id],
        nodes,
        cluster_mode: false,
        multi_az: false,
        snapshot_retention_days: days(cluster.snapshot_retention_limit()),
        snapshot_window: cluster.snapshot_window().map(str::to_string),
        maintenance_window: cluster.preferred_maintenance_window().map(str::to_string),
        limits: None,
    }
}

/// Join the three listings: Serverless caches, replication groups (with their member
/// clusters), then clusters that belong to no group. Sorted by kind, then id.
pub fn join(
    serverless: &[ServerlessCache],
    groups: &[ReplicationGroup],
    clusters: &[CacheCluster],
    region: &str,
) -> Vec<Discovered> {
    let mut out: Vec<Discovered> = serverless.iter().map(|c| from_serverless(c, region)).collect();
    out.extend(groups.iter().map(|g| from_replication_group(g, clusters, region)));
    out.extend(
        clusters
            .iter()
            .filter(|c| c.replication_group_id().is_none_or(str::is_empty))
            .map(|c| from_cache_cluster(c, region)),
    );
    out.sort_by(|a, b| (a.kind as u8, &a.id).cmp(&(b.kind as u8, &b.id)));
    out
}

fn client(config: &SdkConfig, region: Option<&str>) -> Client {
    let mut builder = aws_sdk_elasticache::config::Builder::from(config);
    if let Some(region) = region {
        builder = builder.region(aws_config::Region::new(region.to_string()));
    }
    Client::from_conf(builder.build())
}

async fn list_serverless(client: &Client, ctx: &Context) -> Result<Vec<ServerlessCache>, SourceError> {
    let mut out = Vec::new();
    let mut pages = client.describe_serverless_caches().into_paginator().send();
    while let Some(page) = pages.next().await {
        out.extend(page.map_err(|e| map_error(ctx, &e))?.serverless_caches().iter().cloned());
    }
    Ok(out)
}

async fn list_groups(client: &Client, ctx: &Context) -> Result<Vec<ReplicationGroup>, SourceError> {
    let mut out = Vec::new();
    let mut pages = client.describe_replication_groups().into_paginator().send();
    while let Some(page) = pages.next().await {
        out.extend(page.map_err(|e| map_error(ctx, &e))?.replication_groups().iter().cloned());
    }
    Ok(out)
}

async fn list_clusters(client: &Client, ctx: &Context, id: Option<&str>) -> Result<Vec<CacheCluster>, SourceError> {
    let mut out = Vec::new();
    let mut pages = client
        .describe_cache_clusters()
        .set_cache_cluster_id(id.map(str::to_string))
        .show_cache_node_info(true)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        out.extend(page.map_err(|e| map_error(ctx, &e))?.cache_clusters().iter().cloned());
    }
    Ok(out)
}

/// Every cache in `regions` (the configuration's own region when empty), every page of every
/// listing; regions are read one after the other, the three listings of a region at once.
pub async fn discover_all(config: &SdkConfig, regions: &[String]) -> Result<Vec<Discovered>, SourceError> {
    let regions: Vec<String> = if regions.is_empty() { vec![region_of(config)] } else { regions.to_vec() };
    let mut out = Vec::new();
    for region in &regions {
        let client = client(config, Some(region));
        let ctx = |action| Context { region: region.clone(), ..Context::new(config, action, "all caches") };
        let (s, g, c) = (
            ctx("elasticache:DescribeServerlessCaches"),
            ctx("elasticache:DescribeReplicationGroups"),
            ctx("elasticache:DescribeCacheClusters"),
        );
        let (serverless, groups, clusters) =
            tokio::join!(list_serverless(&client, &s), list_groups(&client, &g), list_clusters(&client, &c, None));
        out.extend(join(&serverless?, &groups?, &clusters?, region));
    }
    Ok(out)
}

/// One cache by id: a replication group, a Serverless cache or a cache cluster, tried in that
/// order. An id that is none of them is [`SourceError::AwsNotFound`].
pub async fn discover_one(config: &SdkConfig, id: &str) -> Result<Discovered, SourceError> {
    let region = region_of(config);
    let client = client(config, None);

    let ctx = Context::new(config, "elasticache:DescribeReplicationGroups", id);
    match client.describe_replication_groups().replication_group_id(id).send().await {
        Ok(out) => {
            if let Some(group) = out.replication_groups().first() {
                let ctx = Context::new(config, "elasticache:DescribeCacheClusters", id);
                let members = match group.member_clusters().first() {
                    Some(first) => list_clusters(&client, &ctx, Some(first)).await?,
                    None => Vec::new(),
                };
                return Ok(from_replication_group(group, &members, &region));
            }
        }
        Err(e) if is_not_found(aws_sdk_elasticache::error::ProvideErrorMetadata::code(&e)) => {}
        Err(e) => return Err(map_error(&ctx, &e)),
    }

    let ctx = Context::new(config, "elasticache:DescribeServerlessCaches", id);
    match client.describe_serverless_caches().serverless_cache_name(id).send().await {
        Ok(out) => {
            if let Some(cache) = out.serverless_caches().first() {
                return Ok(from_serverless(cache, &region));
            }
        }
        Err(e) if is_not_found(aws_sdk_elasticache::error::ProvideErrorMetadata::code(&e)) => {}
        Err(e) => return Err(map_error(&ctx, &e)),
    }

    let ctx = Context::new(config, "elasticache:DescribeCacheClusters", id);
    match client.describe_cache_clusters().cache_cluster_id(id).show_cache_node_info(true).send().await {
        Ok(out) => {
            if let Some(cluster) = out.cache_clusters().first() {
                if let Some(group) = cluster.replication_group_id().filter(|g| !g.is_empty()) {
                    // a member id: describe its group
                    return Box::pin(discover_one(config, group)).await;
                }
                return Ok(from_cache_cluster(cluster, &region));
            }
            Err(SourceError::AwsNotFound { subject: id.to_string(), region, code: "no such cache".to_string() })
        }
        Err(e) if is_not_found(aws_sdk_elasticache::error::ProvideErrorMetadata::code(&e)) => {
            Err(SourceError::AwsNotFound { subject: id.to_string(), region, code: "CacheClusterNotFound".to_string() })
        }
        Err(e) => Err(map_error(&ctx, &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_elasticache::types::{
        CacheNode, CacheUsageLimits, DataStorage, DataStorageUnit, EcpuPerSecond, NodeGroup, NodeGroupMember,
    };

    fn group() -> ReplicationGroup {
        let shard = |n: &str| {
            NodeGroup::builder()
                .node_group_id(n)
                .node_group_members(NodeGroupMember::builder().cache_cluster_id(format!("shop-{n}-001")).build())
                .node_group_members(NodeGroupMember::builder().cache_cluster_id(format!("shop-{n}-002")).build())
                .build()
        };
        ReplicationGroup::builder()
            .replication_group_id("shop")
            .member_clusters("shop-0001-001")
            .member_clusters("shop-0001-002")
            .member_clusters("shop-0002-001")
            .member_clusters("shop-0002-002")
            .node_groups(shard("0001"))
            .node_groups(shard("0002"))
            .cluster_enabled(true)
            .multi_az(MultiAzStatus::Enabled)
            .cache_node_type("cache.r7g.large")
            .engine("valkey")
            .snapshot_retention_limit(5)
            .snapshot_window("04:00-05:00")
            .build()
    }

    #[test]
    fn a_replication_group_maps_with_its_members() {
        let member = CacheCluster::builder()
            .cache_cluster_id("shop-0001-001")
            .replication_group_id("shop")
            .engine("valkey")
            .engine_version("8.0.1")
            .preferred_maintenance_window("sun:05:00-sun:06:00")
            .build();
        let d = from_replication_group(&group(), &[member], "eu-west-1");
        assert_eq!(d.kind, CacheKind::ReplicationGroup);
        assert_eq!((d.shards, d.replicas_per_shard, d.cluster_mode, d.multi_az), (2, 1, true, true));
        assert_eq!(d.engine, Engine::Valkey);
        assert_eq!(d.engine_version.as_deref(), Some("8.0.1"));
        assert_eq!(d.maintenance_window.as_deref(), Some("sun:05:00-sun:06:00"));
        assert_eq!(d.members.len(), 4);
        assert_eq!(d.nodes.iter().map(|n| n.node_id.as_str()).collect::<Vec<_>>(), ["0001"; 4]);
        assert_eq!(d.nodes[2].shard, "0002");
        assert_eq!((d.snapshot_retention_days, d.snapshot_window.as_deref()), (5, Some("04:00-05:00")));
    }

    #[test]
    fn memcached_nodes_are_shards_and_standalone_clusters_are_one_node() {
        let mc = CacheCluster::builder()
            .cache_cluster_id("mc")
            .engine("memcached")
            .num_cache_nodes(3)
            .cache_nodes(CacheNode::builder().cache_node_id("0001").build())
            .cache_nodes(CacheNode::builder().cache_node_id("0002").build())
            .cache_nodes(CacheNode::builder().cache_node_id("0003").build())
            .build();
        let d = from_cache_cluster(&mc, "us-east-1");
        assert_eq!((d.kind, d.shards, d.nodes.len()), (CacheKind::Memcached, 3, 3));
        let solo = CacheCluster::builder().cache_cluster_id("solo").engine("redis").num_cache_nodes(1).build();
        let d = from_cache_cluster(&solo, "us-east-1");
        assert_eq!((d.kind, d.shards, d.replicas_per_shard), (CacheKind::Standalone, 1, 0));
        assert_eq!(d.nodes[0].node_id, "0001");
    }

    #[test]
    fn serverless_limits_map_and_members_are_not_listed_twice() {
        let sls = ServerlessCache::builder()
            .serverless_cache_name("sessions")
            .engine("valkey")
            .major_engine_version("8")
            .cache_usage_limits(
                CacheUsageLimits::builder()
                    .data_storage(DataStorage::builder().maximum(100).unit(DataStorageUnit::Gb).build())
                    .ecpu_per_second(EcpuPerSecond::builder().maximum(50_000).build())
                    .build(),
            )
            .build();
        let member = CacheCluster::builder().cache_cluster_id("shop-0001-001").replication_group_id("shop").build();
        let all = join(&[sls], &[group()], &[member], "us-east-1");
        assert_eq!(all.len(), 2, "the member cluster belongs to its group");
        let s = &all[0];
        assert_eq!(s.kind, CacheKind::Serverless);
        assert_eq!(s.engine_version.as_deref(), Some("8"));
        let limits = s.limits.unwrap();
        assert_eq!((limits.max_data_gb, limits.max_ecpu_per_sec, limits.min_data_gb), (Some(100), Some(50_000), None));
    }
}
