//! Search: for each node type and engine, the smallest layout (shards × replicas) that fits, priced
//! under every term; and the brute-force search the property tests compare it with.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::capacity::{self, Demand, max_nodes, memory_factor, node_utilization, within_headroom};
use crate::model::catalog::{Engine, NodeId, NodeType};
use crate::model::cost::{self, Traffic};
use crate::model::limits::MAX_REPLICAS_PER_SHARD;
use crate::model::price::{PriceBook, Term};
use crate::model::workload::{Backup, EnvInputs, NodeLayout};

/// How much work a search did (for benchmarks and the report).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SearchStats {
    /// Node layouts checked for fit.
    pub layouts_checked: u64,
    /// Layout × term prices computed.
    pub prices_computed: u64,
}

/// What a layout search looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchMode {
    /// One cluster serving the whole workload (cluster mode when it needs more than one shard).
    Single,
    /// The pub/sub adapter of a split deployment: one shard, cluster mode disabled.
    Adapter,
}

/// The smallest layout of one node type and engine that fits, priced under every term.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeResult {
    /// The layout (the fallback at the largest size when nothing fits).
    pub layout: NodeLayout,
    /// Fits capacity, quotas and the layout-dependent compatibility (CROSSSLOT, SELECT, HA).
    pub fits: bool,
    /// `(monthly, upfront)` per term of [`Term::ALL`], where the book prices it.
    pub costs: [Option<(Decimal, Decimal)>; Term::ALL.len()],
}

impl NodeResult {
    /// Monthly cost under `term`.
    pub fn monthly(&self, term: Term) -> Option<Decimal> {
        self.costs[term.index()].map(|c| c.0)
    }
}

/// Replica counts an environment allows for `engine`: the HA minimum, and up to five more when
/// the app reads from replicas.
pub fn replica_range(env: &EnvInputs, engine: Engine) -> std::ops::RangeInclusive<u32> {
    if engine == Engine::Memcached {
        return 0..=0;
    }
    let min = env.option_replicas();
    let max = if env.workload.reads_from_replicas { MAX_REPLICAS_PER_SHARD } else { min };
    min..=max.max(min)
}

/// Search the layouts of one node type: for each replica count, the fewest shards that fit
/// (more shards only add cost), then the layout with the fewest nodes. `None` when the node type
/// has no on-demand price for `engine` in the region.
#[allow(clippy::too_many_arguments)]
pub fn search_node(
    node_id: NodeId,
    engine: Engine,
    env: &EnvInputs,
    demand: &Demand,
    backup: &Backup,
    cross_az_gb: Decimal,
    mode: SearchMode,
    book: &PriceBook,
    stats: &mut SearchStats,
) -> Option<NodeResult> {
    book.on_demand(&env.region, node_id, engine)?;
    let node = book.catalog.node(node_id);
    if !node.supports(engine) {
        return None;
    }
    let w = &env.workload;
    let cluster_incompatible = engine.speaks_redis() && (w.cross_slot_commands || w.uses_select);
    let single_shard = mode == SearchMode::Adapter || cluster_incompatible;
    let find = |single_shard: bool, stats: &mut SearchStats| {
        smallest_fitting(node_id, node, engine, env, demand, single_shard, stats)
    };
    let (layout, fits) = match find(single_shard, stats) {
        Some(layout) => (layout, true),
        None => match (mode, cluster_incompatible) {
            // list the cluster-mode layout that would fit, excluded for CROSSSLOT/SELECT
            (SearchMode::Single, true) => match find(false, stats) {
                Some(layout) => (layout, false),
                None => (fallback_layout(node_id, node, engine, env, demand, true), false),
            },
            _ => (fallback_layout(node_id, node, engine, env, demand, single_shard), false),
        },
    };
    let mut costs = [None; Term::ALL.len()];
    for term in Term::ALL {
        stats.prices_computed += 1;
        costs[term.index()] = cost::node_monthly_usd(&env.region, &layout, term, backup, cross_az_gb, book);
    }
    Some(NodeResult { layout, fits, costs })
}

pub(super) fn layout_of(node_id: NodeId, engine: Engine, shards: u32, replicas: u32) -> NodeLayout {
    NodeLayout { engine, node: node_id, shards, replicas, cluster_mode: engine != Engine::Memcached && shards > 1 }
}

/// The fewest shards needed for memory alone, at least one.
pub(super) fn memory_shards(node: &NodeType, engine: Engine, env: &EnvInputs, demand: &Demand) -> u32 {
    let policy = &env.policy;
    let capacity = capacity::data_capacity_gib(node, policy, demand.hot_fraction) * policy.headroom;
    let need = demand.data_gib * memory_factor(engine, demand.write_ratio);
    let shards = need / capacity;
    // no data needs one shard; a need that is not a finite number (or no capacity) fits nowhere
    if !shards.is_finite() || capacity <= 0.0 { u32::MAX } else { shards.ceil().clamp(1.0, f64::from(u32::MAX)) as u32 }
}

pub(super) fn max_shards(engine: Engine, replicas: u32, single_shard: bool) -> u32 {
    if single_shard { 1 } else { (max_nodes(engine) / (1 + replicas)).max(1) }
}

/// For each allowed replica count, the fewest shards that fit; then the layout with the fewest nodes.
pub(super) fn smallest_fitting(
    node_id: NodeId,
    node: &NodeType,
    engine: Engine,
    env: &EnvInputs,
    demand: &Demand,
    single_shard: bool,
    stats: &mut SearchStats,
) -> Option<NodeLayout> {
    let policy = &env.policy;
    let first = memory_shards(node, engine, env, demand);
    let mut best: Option<NodeLayout> = None;
    for r in replica_range(env, engine) {
        for s in first..=max_shards(engine, r, single_shard) {
            let layout = layout_of(node_id, engine, s, r);
            stats.layouts_checked += 1;
            let u = node_utilization(&layout, node, demand, policy, env.workload.reads_from_replicas);
            if within_headroom(&u, policy) {
                if best.is_none_or(|b| layout.nodes() < b.nodes()) {
                    best = Some(layout);
                }
                break;
            }
            // connections do not spread over shards: more shards will not help
            if u.connections.is_some_and(|c| c > policy.headroom) {
                break;
            }
        }
    }
    best
}

/// The layout shown when nothing fits: enough shards for memory, within the quota.
pub(super) fn fallback_layout(
    node_id: NodeId,
    node: &NodeType,
    engine: Engine,
    env: &EnvInputs,
    demand: &Demand,
    single_shard: bool,
) -> NodeLayout {
    let r = *replica_range(env, engine).start();
    let shards = memory_shards(node, engine, env, demand).clamp(1, max_shards(engine, r, single_shard));
    layout_of(node_id, engine, shards, r)
}

/// Every layout of every node type for `engine`, for brute-force checks and benchmarks: each
/// node type × replica count × shard count, checked and priced under every term. Returns the
/// cheapest fitting `(monthly, layout, term)` among terms the environment may commit to.
pub fn brute_force(
    env: &EnvInputs,
    demand: &Demand,
    nodes: &[NodeId],
    engine: Engine,
    book: &PriceBook,
    stats: &mut SearchStats,
) -> Option<(Decimal, NodeLayout, Term)> {
    let backup = env.option_backup();
    let cross_az = Traffic::of(&env.workload).total_gb() * env.cross_az_fraction;
    let mut best: Option<(Decimal, NodeLayout, Term)> = None;
    for &id in nodes {
        let node = book.catalog.node(id);
        if !node.supports(engine) || book.on_demand(&env.region, id, engine).is_none() {
            continue;
        }
        for r in replica_range(env, engine) {
            for s in 1..=(max_nodes(engine) / (1 + r)).max(1) {
                let layout = NodeLayout {
                    engine,
                    node: id,
                    shards: s,
                    replicas: r,
                    cluster_mode: engine != Engine::Memcached && s > 1,
                };
                stats.layouts_checked += 1;
                let u = node_utilization(&layout, node, demand, &env.policy, env.workload.reads_from_replicas);
                let fits = within_headroom(&u, &env.policy) && capacity::node_compatible(&layout, node, env);
                for term in Term::ALL {
                    stats.prices_computed += 1;
                    let Some((monthly, _)) =
                        cost::node_monthly_usd(&env.region, &layout, term, &backup, cross_az, book)
                    else {
                        continue;
                    };
                    if fits && env.commit.allows(term) && best.as_ref().is_none_or(|b| monthly < b.0) {
                        best = Some((monthly, layout, term));
                    }
                }
            }
        }
    }
    best
}
