//! Search: for each node type and engine, the cheapest layout (shards × replicas, reads on the
//! primaries or the replicas) that fits under every term; and the brute-force search the property
//! tests compare it with.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::capacity::{self, Demand, max_nodes, memory_factor, node_utilization, within_headroom};
use crate::model::catalog::{Engine, NodeId, NodeType};
use crate::model::cost::{self, CrossAzGb, Traffic};
use crate::model::limits::MAX_REPLICAS_PER_SHARD;
use crate::model::price::{PriceBook, Term};
use crate::model::units::{rough_f64, to_f64};
use crate::model::workload::{EnvInputs, NodeLayout};

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

/// One layout priced under one term.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Priced {
    /// The layout.
    pub layout: NodeLayout,
    /// Monthly cost.
    pub monthly: Decimal,
    /// Upfront cash.
    pub upfront: Decimal,
}

/// The cheapest fitting layout of one node type and engine under each term (layouts differ in
/// cost by more than their nodes: reads served by replicas in every zone cross no zone).
#[derive(Clone, Debug, PartialEq)]
pub struct NodeResult {
    /// The on-demand choice (the fallback at the largest size when nothing fits).
    pub layout: NodeLayout,
    /// Fits capacity, quotas and the layout-dependent compatibility (CROSSSLOT, SELECT, HA).
    pub fits: bool,
    /// The choice per term of [`Term::ALL`], where the book prices it.
    pub per_term: [Option<Priced>; Term::ALL.len()],
}

impl NodeResult {
    /// Monthly cost under `term`.
    pub fn monthly(&self, term: Term) -> Option<Decimal> {
        self.per_term[term.index()].map(|p| p.monthly)
    }

    /// The layout chosen under `term`.
    pub fn layout_for(&self, term: Term) -> Option<NodeLayout> {
        self.per_term[term.index()].map(|p| p.layout)
    }
}

/// Whether layouts may serve reads from replicas: never for Memcached or where the plan says
/// `reads_from_replicas = false`; always where the app does; where the plan does not say, both
/// ways (a layout relies on it only when that is what makes it fit or pays), except for roles
/// that read their writes at once (sessions, queues), where a replica's lag would lose them.
pub fn replica_reads_options(env: &EnvInputs, engine: Engine) -> &'static [bool] {
    match (engine, env.workload.reads_from_replicas) {
        (Engine::Memcached, _) | (_, Some(false)) => &[false],
        (_, Some(true)) => &[true],
        // sessions and jobs are read right after they are written: a replica may not have them yet
        (_, None) if env.role.eviction_is_loss() => &[false],
        (_, None) => &[false, true],
    }
}

/// Replica counts an environment allows for `engine`: the HA minimum, and up to five when reads
/// go to the replicas (more replicas only help reads).
pub fn replica_range(env: &EnvInputs, engine: Engine, replica_reads: bool) -> std::ops::RangeInclusive<u32> {
    if engine == Engine::Memcached {
        return 0..=0;
    }
    let min = env.option_replicas();
    if replica_reads { min.max(1)..=MAX_REPLICAS_PER_SHARD } else { min..=min }
}

/// Search the layouts of one node type: for each way of serving reads and each replica count,
/// the fewest shards that fit (more shards only add cost); then, under each term, the cheapest of
/// those (fewer nodes on a tie). `None` when the node type has no on-demand price for `engine`
/// in the region.
#[allow(clippy::too_many_arguments)]
pub fn search_node(
    node_id: NodeId,
    engine: Engine,
    env: &EnvInputs,
    demand: &Demand,
    pricing: &cost::NodePricing<'_>,
    traffic: &Traffic,
    cross_az: &CrossAzGb,
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
    // cluster mode: impossible (CROSSSLOT, SELECT, a client that is not cluster-aware), a last
    // resort (an unknown client, keyspace notifications, classic pub/sub), or allowed
    let forbidden = engine.speaks_redis() && !capacity::cluster_mode_exclusions(w).is_empty();
    let reluctant = engine.speaks_redis() && !capacity::cluster_mode_cautions(w).is_empty();
    let single_shard = mode == SearchMode::Adapter || forbidden || reluctant;
    let find = |single_shard: bool, stats: &mut SearchStats| {
        fitting_layouts(node_id, node, engine, env, demand, single_shard, stats)
    };
    let mut candidates = find(single_shard, stats);
    let mut fits = !candidates.is_empty();
    if candidates.is_empty() {
        if mode == SearchMode::Single && (forbidden || reluctant) {
            // the cluster-mode layout that would fit: excluded (CROSSSLOT…) or a last resort
            candidates = find(false, stats);
            fits = !candidates.is_empty() && !forbidden;
        }
        if candidates.is_empty() {
            candidates = vec![fallback_layout(node_id, node, engine, env, demand, single_shard || forbidden)];
        }
    }
    // the simpler candidate (no replica reads, fewer nodes) within the simplicity margin of the
    // cheapest: replica reads that save cents of cross-AZ traffic are not worth their stale reads
    let key = |l: &NodeLayout| (l.replica_reads, l.nodes(), l.shards);
    let margin = Decimal::ONE + env.policy.simplicity_margin;
    // cross-AZ traffic depends only on the zones reads are served from (`cross_az` of `traffic`)
    let with_cross_az: Vec<(NodeLayout, Decimal, f64)> = candidates
        .iter()
        .map(|layout| {
            let gb = cross_az.get(env, traffic, cost::read_azs(layout));
            (*layout, gb, rough_f64(gb))
        })
        .collect();
    // every candidate is priced first in floating point, from the node type's rate per
    // node-hour looked up once a term; only those that may be within the margin of the cheapest
    // are priced exactly (the bound is loose by far more than the floating-point error, so the
    // exact choice below is the one pricing every candidate exactly would make)
    let margin_f = to_f64(margin).max(1.0);
    let mut estimates: Vec<f64> = Vec::with_capacity(with_cross_az.len());
    let mut per_term = [None; Term::ALL.len()];
    for term in Term::ALL {
        // every candidate is a layout of this node type and engine
        let Some(price) = cost::NodeTermPrice::of(pricing, node_id, engine, term) else { continue };
        estimates.clear();
        estimates.extend(with_cross_az.iter().map(|(layout, _, gb)| price.rough_monthly_usd(layout, *gb)));
        stats.prices_computed += estimates.len() as u64;
        let least = estimates.iter().copied().fold(f64::INFINITY, f64::min);
        // far from overflow (and from the bound's rounding): otherwise every candidate exactly
        let exact_all = !(least.is_finite() && least < ROUGH_LIMIT_USD);
        let bound = least * margin_f * (1.0 + ROUGH_SLACK);
        let priced: Vec<Priced> = with_cross_az
            .iter()
            .zip(&estimates)
            .filter(|(_, estimate)| exact_all || **estimate <= bound)
            .filter_map(|((layout, cross_az, _), _)| {
                price.monthly_usd(layout, *cross_az).map(|(monthly, upfront)| Priced {
                    layout: *layout,
                    monthly,
                    upfront,
                })
            })
            .collect();
        let Some(cheapest) = priced.iter().map(|p| p.monthly).min() else { continue };
        per_term[term.index()] = priced
            .into_iter()
            .filter(|p| p.monthly <= cheapest * margin)
            .min_by(|a, b| key(&a.layout).cmp(&key(&b.layout)).then_with(|| a.monthly.cmp(&b.monthly)));
    }
    let layout = per_term[Term::OnDemand.index()].map_or(candidates[0], |p| p.layout);
    Some(NodeResult { layout, fits, per_term })
}

/// Relative slack of the floating-point pre-selection: f64 sums and products of a few exact
/// decimals are off by about 1e-15 of the value; 1e-9 keeps every candidate the exact prices
/// could find within the margin.
const ROUGH_SLACK: f64 = 1e-9;

/// Above this monthly estimate (USD) the search prices every candidate exactly: overflow checks
/// and rounding then decide, as they do without the pre-selection.
const ROUGH_LIMIT_USD: f64 = 1e18;

pub(super) fn layout_of(
    node_id: NodeId,
    engine: Engine,
    shards: u32,
    replicas: u32,
    replica_reads: bool,
) -> NodeLayout {
    NodeLayout {
        engine,
        node: node_id,
        shards,
        replicas,
        cluster_mode: engine != Engine::Memcached && shards > 1,
        replica_reads: replica_reads && replicas > 0,
    }
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

/// For each way of serving reads and each allowed replica count, the fewest shards that fit:
/// the candidates the cheapest is chosen from.
pub(super) fn fitting_layouts(
    node_id: NodeId,
    node: &NodeType,
    engine: Engine,
    env: &EnvInputs,
    demand: &Demand,
    single_shard: bool,
    stats: &mut SearchStats,
) -> Vec<NodeLayout> {
    let policy = &env.policy;
    let first = memory_shards(node, engine, env, demand);
    let mut out = Vec::new();
    for &reads in replica_reads_options(env, engine) {
        for r in replica_range(env, engine, reads) {
            for s in first..=max_shards(engine, r, single_shard) {
                let layout = layout_of(node_id, engine, s, r, reads);
                stats.layouts_checked += 1;
                let u = node_utilization(&layout, node, demand, policy, None);
                if within_headroom(&u, policy) {
                    out.push(layout);
                    break;
                }
                // connections do not spread over shards: more shards will not help
                if u.connections.is_some_and(|c| c > policy.headroom) {
                    break;
                }
            }
        }
    }
    out
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
    let reads = replica_reads_options(env, engine) == [true];
    let r = *replica_range(env, engine, reads).start();
    let shards = memory_shards(node, engine, env, demand).clamp(1, max_shards(engine, r, single_shard));
    layout_of(node_id, engine, shards, r, reads)
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
    let traffic = Traffic::of(&env.workload);
    let mut best: Option<(Decimal, NodeLayout, Term)> = None;
    for &id in nodes {
        let node = book.catalog.node(id);
        if !node.supports(engine) || book.on_demand(&env.region, id, engine).is_none() {
            continue;
        }
        for (&reads, r) in replica_reads_options(env, engine)
            .iter()
            .flat_map(|reads| replica_range(env, engine, *reads).map(move |r| (reads, r)))
        {
            for s in 1..=(max_nodes(engine) / (1 + r)).max(1) {
                let layout = layout_of(id, engine, s, r, reads);
                stats.layouts_checked += 1;
                let u = node_utilization(&layout, node, demand, &env.policy, None);
                let fits = within_headroom(&u, &env.policy) && capacity::node_compatible(&layout, node, env);
                let cross_az = cost::cross_az_gb(env, &traffic, cost::read_azs(&layout));
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
