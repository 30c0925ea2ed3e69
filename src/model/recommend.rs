//! The recommender: search every node layout, rank the options that fit, and explain the winner
//! (settings, rationale, break-even, risks) — or say what would fit when nothing does.

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use super::ModelError;
use super::capacity::{
    self, Constraint, Demand, Policy, Utilization, fmt_f64, max_nodes, memory_factor, node_utilization, pct,
    usable_memory_gib, within_headroom,
};
use super::catalog::{Engine, NodeId, NodeType};
use super::cost::{self, Traffic};
use super::evaluate::{Evaluated, OptionKind, assess, max_utilization};
use super::limits::{MAX_REPLICAS_PER_SHARD, SERVERLESS_MAX_CONNECTIONS, SERVERLESS_MAX_DATA_GB};
use super::price::{PriceBook, Term};
use super::units::{BYTES_PER_GIB, HOURS_PER_MONTH, decimal_from_f64, format_usd, to_f64};
use super::workload::{Backup, Deployment, EnvInputs, NodeLayout, Workload};

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

fn layout_of(node_id: NodeId, engine: Engine, shards: u32, replicas: u32) -> NodeLayout {
    NodeLayout { engine, node: node_id, shards, replicas, cluster_mode: engine != Engine::Memcached && shards > 1 }
}

/// The fewest shards needed for memory alone, at least one.
fn memory_shards(node: &NodeType, engine: Engine, env: &EnvInputs, demand: &Demand) -> u32 {
    let policy = &env.policy;
    let capacity = capacity::data_capacity_gib(node, policy, demand.hot_fraction) * policy.headroom;
    let need = demand.data_gib * memory_factor(engine, demand.write_ratio);
    let shards = need / capacity;
    // no data needs one shard; a need that is not a finite number (or no capacity) fits nowhere
    if !shards.is_finite() || capacity <= 0.0 { u32::MAX } else { shards.ceil().clamp(1.0, f64::from(u32::MAX)) as u32 }
}

fn max_shards(engine: Engine, replicas: u32, single_shard: bool) -> u32 {
    if single_shard { 1 } else { (max_nodes(engine) / (1 + replicas)).max(1) }
}

/// For each allowed replica count, the fewest shards that fit; then the layout with the fewest nodes.
fn smallest_fitting(
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
fn fallback_layout(
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

/// One CloudWatch alarm to set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alarm {
    /// `AWS/ElastiCache` metric.
    pub metric: String,
    /// Statistic and period, e.g. `Average over 5 minutes`.
    pub statistic: String,
    /// `>=`, `>`, `<=`.
    pub comparison: String,
    /// Threshold in the metric's unit.
    pub threshold: Decimal,
    /// `warning` or `critical`.
    pub severity: String,
    /// Why this threshold (and its source).
    pub why: String,
}

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
    /// `maxmemory-policy` (Serverless: fixed volatile-lru).
    pub maxmemory_policy: String,
    /// Why that policy.
    pub maxmemory_policy_why: String,
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

/// Something that breaks first as load grows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Risk {
    /// `memory`, `CPU`, `network`, `connections`, `budget`, `throttling`…
    pub resource: String,
    /// What and when.
    pub message: String,
    /// Months until the policy's headroom limit is reached, with growth.
    pub months_to_limit: Option<f64>,
    /// The date that happens.
    pub date: Option<NaiveDate>,
}

/// Where Serverless and the best node option cost the same.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServerlessBreakEven {
    /// The Serverless option.
    pub serverless_id: String,
    /// The node option.
    pub node_id: String,
    /// Average requests/s at which they cost the same (data as planned); `None` when they never do.
    pub requests_per_sec: Option<Decimal>,
    /// Average data, GiB, at which they cost the same (requests as planned); `None` when they never do.
    pub data_gb: Option<Decimal>,
    /// In words.
    pub summary: Vec<String>,
}

/// When a reservation pays for itself.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReservedBreakEven {
    /// The reserved option.
    pub option_id: String,
    /// Its term.
    pub term: String,
    /// Months of use within the term after which it is cheaper than on-demand.
    pub months: Decimal,
    /// Length of the term, months.
    pub term_months: u32,
    /// Monthly saving against on-demand once committed.
    pub monthly_saving_usd: Decimal,
    /// Upfront cash.
    pub upfront_usd: Option<Decimal>,
}

/// Break-even points.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BreakEven {
    /// Serverless against the best node option.
    pub serverless_vs_node: Option<ServerlessBreakEven>,
    /// Why a break-even is missing.
    pub notes: Vec<String>,
    /// Reserved terms against on-demand for the node layout recommended (or the best node option).
    pub reserved: Vec<ReservedBreakEven>,
}

/// The answer for one environment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recommendation {
    /// Id of the recommended entry of `options`.
    pub option_id: String,
    /// What to set up.
    pub settings: Settings,
    /// Why it won and what the runner-up would save or risk.
    pub rationale: Vec<String>,
    /// What breaks first as load grows.
    pub risks: Vec<Risk>,
    /// Break-even points.
    pub break_even: BreakEven,
    /// How far the monthly cost is above `budget_usd`.
    pub over_budget_usd: Option<Decimal>,
}

/// When no option fits: the closest one and what would make something fit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NothingFits {
    /// The option that breaks the fewest constraints and, among those, misses by the least.
    pub closest: Option<String>,
    /// That option's cost and what it fails on, in words.
    pub closest_summary: Option<String>,
    /// What would make something fit, in words.
    pub hints: Vec<String>,
}

impl NothingFits {
    /// Everything to say, the closest option first.
    pub fn lines(&self) -> impl Iterator<Item = &String> {
        self.closest_summary.iter().chain(&self.hints)
    }
}

/// The recommendation, or why there is none.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// An option fits.
    Recommended(Box<Recommendation>),
    /// Nothing fits.
    NothingFits(NothingFits),
}

impl Outcome {
    /// The recommendation, if any.
    pub fn recommendation(&self) -> Option<&Recommendation> {
        match self {
            Outcome::Recommended(r) => Some(r),
            Outcome::NothingFits(_) => None,
        }
    }
}

/// Whether the environment may choose `option` (its term within the commit policy).
pub fn eligible(option: &Evaluated, env: &EnvInputs) -> bool {
    option.feasible() && option.deployment.term().is_none_or(|t| env.commit.allows(t))
}

fn kind_label(option: &Evaluated, book: &PriceBook) -> String {
    match &option.deployment {
        Deployment::Serverless { engine } => format!("ElastiCache Serverless {}", engine.label()),
        Deployment::Node { layout, term } => format!(
            "{} {} x {} ({})",
            layout.engine.label(),
            layout.nodes(),
            book.catalog.node(layout.node).name,
            term.label()
        ),
        Deployment::Upstash { plan } => format!("Upstash {plan}"),
        Deployment::Split { adapter, state, term } => format!(
            "split {}: adapter {} x {} + state {} x {} ({})",
            state.engine.label(),
            adapter.nodes(),
            book.catalog.node(adapter.node).name,
            state.nodes(),
            book.catalog.node(state.node).name,
            term.label()
        ),
    }
}

fn family_of(option: &Evaluated, book: &PriceBook) -> String {
    match &option.deployment {
        Deployment::Node { layout, .. } => {
            format!("node/{}/{}", layout.engine.id(), book.catalog.node(layout.node).family)
        }
        Deployment::Serverless { engine } => format!("serverless/{}", engine.id()),
        Deployment::Upstash { .. } => "upstash".to_string(),
        Deployment::Split { state, .. } => format!("split/{}", state.engine.id()),
    }
}

fn utilization_words(u: &Utilization) -> String {
    let parts: Vec<String> =
        [("memory", u.memory), ("CPU", u.cpu), ("network", u.network), ("connections", u.connections)]
            .into_iter()
            .filter_map(|(n, v)| v.map(|v| format!("{n} {}", pct(v))))
            .collect();
    parts.join(", ")
}

/// Rank the options and explain the winner.
pub fn recommend(
    env: &EnvInputs,
    options: &[Evaluated],
    book: &PriceBook,
    as_of: NaiveDate,
) -> Result<Outcome, ModelError> {
    let Some(winner) = options.iter().filter(|o| eligible(o, env)).min_by(|a, b| rank(a, b)) else {
        return Ok(Outcome::NothingFits(nothing_fits(env, options, book)));
    };
    let rationale = rationale(env, options, winner, book);
    let settings = settings(env, winner, book);
    let break_even = break_even(env, options, winner, book, as_of)?;
    let mut risks = risks(env, winner, book, as_of);
    let over_budget_usd = env.budget_usd.filter(|b| winner.monthly_usd() > *b).map(|b| winner.monthly_usd() - b);
    if let (Some(over), Some(budget)) = (over_budget_usd, env.budget_usd) {
        risks.insert(
            0,
            Risk {
                resource: "budget".into(),
                message: format!(
                    "the cheapest option that fits costs {}/month: {} over the budget of {}",
                    format_usd(winner.monthly_usd()),
                    format_usd(over),
                    format_usd(budget)
                ),
                months_to_limit: Some(0.0),
                date: Some(as_of),
            },
        );
    }
    Ok(Outcome::Recommended(Box::new(Recommendation {
        option_id: winner.id.clone(),
        settings,
        rationale,
        risks,
        break_even,
        over_budget_usd,
    })))
}

/// Cheaper first; on a tie the one with no commitment, then fewer nodes, then the id.
fn rank(a: &Evaluated, b: &Evaluated) -> std::cmp::Ordering {
    let nodes = |o: &Evaluated| match &o.deployment {
        Deployment::Node { layout, .. } => layout.nodes(),
        Deployment::Split { adapter, state, .. } => adapter.nodes() + state.nodes(),
        _ => 0,
    };
    a.monthly_usd()
        .cmp(&b.monthly_usd())
        .then(a.commits().cmp(&b.commits()))
        .then(nodes(a).cmp(&nodes(b)))
        .then_with(|| a.id.cmp(&b.id))
}

fn rationale(env: &EnvInputs, options: &[Evaluated], winner: &Evaluated, book: &PriceBook) -> Vec<String> {
    let mut out = Vec::new();
    let policy = if env.commit.length.is_none() {
        "no reserved commitment (commit = \"none\")".to_string()
    } else {
        format!("commitments up to {} {}", env.commit.id(), env.commit.payment.id())
    };
    out.push(format!(
        "{} is the cheapest option that fits: {}/month, with {policy}",
        kind_label(winner, book),
        format_usd(winner.monthly_usd())
    ));
    let headroom = pct(env.policy.headroom);
    let grown = if env.workload.growth_pct_per_month > Decimal::ZERO {
        format!(
            " after {} months of {}%/month growth",
            env.policy.horizon_months,
            env.workload.growth_pct_per_month.normalize()
        )
    } else {
        String::new()
    };
    let used = utilization_words(&winner.utilization);
    if !used.is_empty() {
        let of = match winner.kind {
            OptionKind::Serverless => "of the Serverless per-cache limits".to_string(),
            OptionKind::Upstash => "of the plan's caps".to_string(),
            _ => format!("(node limit {headroom})"),
        };
        out.push(format!("at peak{grown} it uses {used} {of}"));
    }
    // the cheapest excluded option of each kind and reason (options are sorted by cost)
    let mut seen = Vec::new();
    let mut cheaper = Vec::new();
    for o in options.iter().filter(|o| o.monthly_usd() < winner.monthly_usd() && !o.feasible()) {
        let Some(first) = o.exclusions.first() else { continue };
        if first.constraint == Constraint::Engine || seen.contains(&(o.kind, first.constraint)) {
            continue;
        }
        seen.push((o.kind, first.constraint));
        cheaper.push(format!("{} ({})", o.id, first.constraint.id()));
    }
    cheaper.truncate(5);
    if !cheaper.is_empty() {
        out.push(format!("cheaper options do not fit: {}", cheaper.join(", ")));
    }
    let family = family_of(winner, book);
    let runner = options
        .iter()
        .filter(|o| eligible(o, env) && o.id != winner.id && family_of(o, book) != family)
        .min_by(|a, b| rank(a, b));
    if let Some(r) = runner {
        let delta = r.monthly_usd() - winner.monthly_usd();
        let risk = runner_risk(r, env);
        out.push(format!(
            "runner-up: {} ({}) at {}/month, {} more{}",
            r.id,
            kind_label(r, book),
            format_usd(r.monthly_usd()),
            format_usd(delta),
            risk
        ));
    }
    // what a commitment the policy does not allow would save
    if let Some(reserved) = options
        .iter()
        .filter(|o| o.feasible() && o.commits() && !eligible(o, env) && o.monthly_usd() < winner.monthly_usd())
        .min_by(|a, b| rank(a, b))
        && let Some(Term::Reserved(length, payment)) = reserved.term()
    {
        let upfront = if reserved.cost.upfront_known {
            format!("{} upfront", format_usd(reserved.cost.upfront_usd))
        } else {
            "upfront not published".to_string()
        };
        out.push(format!(
            "a {} {} reservation would save a further {}/month: {} at {}/month amortized ({upfront}); allow it with commit = \"{}\", commit_payment = \"{}\"",
            length.id(),
            payment.id(),
            format_usd(winner.monthly_usd() - reserved.monthly_usd()),
            reserved.id,
            format_usd(reserved.monthly_usd()),
            length.id(),
            payment.id()
        ));
    }
    out
}

fn runner_risk(option: &Evaluated, env: &EnvInputs) -> String {
    match option.kind {
        OptionKind::Serverless => {
            if capacity::is_spiky(&env.workload) {
                "; pays per use, but a sudden spike may throttle while it scales".to_string()
            } else {
                "; pays per use and scales without resizing".to_string()
            }
        }
        OptionKind::Upstash => "; a third-party service outside your VPC (REST adds ~6 ms per GET)".to_string(),
        _ => option
            .utilization
            .highest()
            .map_or_else(String::new, |(r, v)| format!("; its tightest resource is {r} at {}", pct(v))),
    }
}

/// `maxmemory-policy` from the workload: noeviction when data must not vanish, volatile-lru when
/// every key has a TTL, allkeys-lru otherwise.
pub fn maxmemory_policy(w: &Workload, engine: Engine, kind: OptionKind) -> (String, String) {
    if engine == Engine::Memcached {
        return ("(Memcached evicts least recently used items)".into(), "Memcached has no maxmemory-policy".into());
    }
    if kind == OptionKind::Serverless {
        let why = if w.keys_have_ttl {
            "Serverless evicts only keys with a TTL (volatile-lru); every key has one".to_string()
        } else {
            "Serverless evicts only keys with a TTL: keys without one are never evicted, and writes fail with OOM at the maximum".to_string()
        };
        return ("volatile-lru".into(), why);
    }
    if w.must_not_evict {
        (
            "noeviction".into(),
            "the data must not vanish (must_not_evict): writes fail instead of evicting; alarm on memory".into(),
        )
    } else if w.keys_have_ttl {
        ("volatile-lru".into(), "every key has a TTL: evict the least recently used of them".into())
    } else {
        ("allkeys-lru".into(), "not every key has a TTL: evict the least recently used of all keys".into())
    }
}

fn windows(env: &EnvInputs, offset_hours: u32) -> (String, String, String) {
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

fn node_alarms(node: &NodeType, engine: Engine, layout: &NodeLayout) -> Vec<Alarm> {
    let mut out = Vec::new();
    let alarm =
        |metric: &str, statistic: &str, comparison: &str, threshold: Decimal, severity: &str, why: &str| Alarm {
            metric: metric.into(),
            statistic: statistic.into(),
            comparison: comparison.into(),
            threshold,
            severity: severity.into(),
            why: why.into(),
        };
    if engine != Engine::Memcached {
        out.push(alarm(
            "DatabaseMemoryUsagePercentage",
            "Average over 5 minutes",
            ">=",
            Decimal::from(80),
            "warning",
            "rule of thumb: warn at 80 % of maxmemory",
        ));
        out.push(alarm(
            "DatabaseMemoryUsagePercentage",
            "Average over 5 minutes",
            ">=",
            Decimal::from(90),
            "critical",
            "rule of thumb: critical at 90 %; evictions or OOM follow",
        ));
    }
    if engine == Engine::Memcached {
        out.push(alarm(
            "CPUUtilization",
            "Average over 5 minutes",
            ">=",
            Decimal::from(90),
            "critical",
            "Memcached is multi-threaded: watch host CPU at 90 % (rule of thumb)",
        ));
    } else if node.vcpu <= 2 {
        let threshold = (Decimal::from(90) / Decimal::from(node.vcpu)).round_dp(1);
        out.push(alarm(
            "CPUUtilization",
            "Average over 5 minutes",
            ">=",
            threshold,
            "critical",
            "on <= 2 vCPU the engine thread shares the host: alarm at 90 / vCPUs (rule of thumb)",
        ));
    } else {
        out.push(alarm(
            "EngineCPUUtilization",
            "Average over 5 minutes",
            ">=",
            Decimal::from(90),
            "critical",
            "on >= 4 vCPU watch the engine thread: 90 % (rule of thumb)",
        ));
    }
    if node.is_burstable() {
        out.push(alarm(
            "CPUCreditBalance",
            "Minimum over 5 minutes",
            "<=",
            Decimal::ZERO,
            "warning",
            "a burstable node out of credits is throttled to its baseline",
        ));
    }
    out.push(alarm(
        "Evictions",
        "Sum over 5 minutes",
        ">",
        Decimal::ZERO,
        "warning",
        "sustained evictions mean the dataset outgrew the cache",
    ));
    let conn = (Decimal::from(node.maxclients) * ALARM_SHARE_OF_LIMIT).round();
    out.push(alarm(
        "CurrConnections",
        "Maximum over 5 minutes",
        ">=",
        conn,
        "warning",
        "80 % of maxclients (capplan rule of thumb, as for memory)",
    ));
    for metric in ["NetworkBandwidthInAllowanceExceeded", "NetworkBandwidthOutAllowanceExceeded"] {
        out.push(alarm(
            metric,
            "Sum over 5 minutes",
            ">",
            Decimal::ZERO,
            "warning",
            "packets queued or dropped above the baseline bandwidth",
        ));
    }
    out.push(alarm(
        "SwapUsage",
        "Average over 5 minutes",
        ">",
        Decimal::from(50 * 1024 * 1024),
        "warning",
        "swap above 50 MB is a warning sign (bytes)",
    ));
    if layout.replicas > 0 && engine != Engine::Memcached {
        out.push(alarm(
            "ReplicationLag",
            "Maximum over 5 minutes",
            ">",
            Decimal::ONE,
            "warning",
            "replicas more than a second behind (seconds; capplan rule of thumb)",
        ));
    }
    out
}

/// Share of a hard limit (connections, Serverless data) a warning alarm fires at: the 80 % FACTS
/// gives for memory, applied to the other limits.
const ALARM_SHARE_OF_LIMIT: Decimal = Decimal::from_parts(8, 0, 0, false, 1);

fn serverless_alarms() -> Vec<Alarm> {
    let max_bytes = decimal_from_f64(SERVERLESS_MAX_DATA_GB).unwrap_or_default() * Decimal::from(BYTES_PER_GIB);
    let alarm = |metric: &str, statistic: &str, threshold: Decimal, severity: &str, why: &str| Alarm {
        metric: metric.into(),
        statistic: statistic.into(),
        comparison: if threshold.is_zero() { ">".into() } else { ">=".into() },
        threshold,
        severity: severity.into(),
        why: why.into(),
    };
    vec![
        alarm(
            "ThrottledCmds",
            "Sum over 5 minutes",
            Decimal::ZERO,
            "critical",
            "requests throttled while the cache scales or at a limit",
        ),
        alarm("Evictions", "Sum over 5 minutes", Decimal::ZERO, "warning", "keys with a TTL are being evicted"),
        alarm(
            "BytesUsedForCache",
            "Maximum over 5 minutes",
            (max_bytes * ALARM_SHARE_OF_LIMIT).round(),
            "warning",
            &format!(
                "80 % of the {} GB per-cache maximum (bytes; capplan rule of thumb, as for memory)",
                fmt_f64(SERVERLESS_MAX_DATA_GB)
            ),
        ),
        alarm(
            "CurrConnections",
            "Maximum over 5 minutes",
            (Decimal::from(SERVERLESS_MAX_CONNECTIONS) * ALARM_SHARE_OF_LIMIT).round(),
            "warning",
            &format!(
                "80 % of the {}-connection maximum (capplan rule of thumb, as for memory)",
                fmt_f64(f64::from(SERVERLESS_MAX_CONNECTIONS))
            ),
        ),
    ]
}

fn settings(env: &EnvInputs, winner: &Evaluated, book: &PriceBook) -> Settings {
    let w = &env.workload;
    let (policy, why) = maxmemory_policy(w, winner.deployment.engine(), winner.kind);
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
            s.alarms = serverless_alarms();
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
            s.alarms = node_alarms(node, layout.engine, layout);
        }
        Deployment::Split { adapter, state, .. } => {
            let (_, adapter_maintenance, _) = windows(env, 1);
            let cluster = |role: &str,
                           layout: &NodeLayout,
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
                    alarms: node_alarms(node, layout.engine, layout),
                }
            };
            let state_snap = (backup.retention_days > 0).then(|| snap.clone());
            s.clusters.push(cluster(
                "state",
                state,
                backup.retention_days,
                state_snap.clone(),
                maintenance.clone(),
                winner.cost.part_monthly_usd(cost::Part::State),
            ));
            s.clusters.push(cluster(
                "adapter",
                adapter,
                0,
                None,
                adapter_maintenance,
                winner.cost.part_monthly_usd(cost::Part::Adapter),
            ));
            s.node_type = Some(book.catalog.node(state.node).name.clone());
            s.shards = Some(state.shards);
            s.replicas = Some(state.replicas);
            s.cluster_mode = Some(state.cluster_mode);
            s.multi_az = state.multi_az();
            s.automatic_failover = state.multi_az();
            s.snapshot_window = state_snap;
            s.maintenance_window = Some(maintenance);
            s.alarms = node_alarms(book.catalog.node(state.node), state.engine, state);
        }
        Deployment::Upstash { .. } => {
            s.multi_az = false;
        }
    }
    s
}

/// Monthly cost of `deployment` for a workload scaled by `f`.
fn cost_with<F: Fn(&mut Workload)>(
    option: &Evaluated,
    env: &EnvInputs,
    book: &PriceBook,
    as_of: NaiveDate,
    change: F,
) -> Result<(Decimal, bool), ModelError> {
    let mut scaled = env.clone();
    change(&mut scaled.workload);
    let demand = Demand::of(&scaled.workload, &scaled.policy);
    let e = assess(&option.deployment, &scaled.option_backup(), None, &scaled, &demand, book, as_of)?;
    Ok((e.monthly_usd(), e.feasible()))
}

/// Where two costs that are affine in one variable meet: `x0 + (b(x0) − a(x0)) / (slope_a − slope_b)`.
fn crossing(x0: Decimal, a0: Decimal, a1: Decimal, b0: Decimal, b1: Decimal, step: Decimal) -> Option<Decimal> {
    let slope = (a1 - a0 - (b1 - b0)) / step;
    if slope.is_zero() {
        return None;
    }
    let x = x0 + (b0 - a0) / slope;
    (x >= Decimal::ZERO).then(|| x.round_dp(2))
}

fn break_even(
    env: &EnvInputs,
    options: &[Evaluated],
    winner: &Evaluated,
    book: &PriceBook,
    as_of: NaiveDate,
) -> Result<BreakEven, ModelError> {
    let best_node = if matches!(winner.kind, OptionKind::Node | OptionKind::Split) {
        Some(winner)
    } else {
        options
            .iter()
            .filter(|o| eligible(o, env) && matches!(o.kind, OptionKind::Node | OptionKind::Split))
            .min_by(|a, b| rank(a, b))
    };
    let serverless =
        options.iter().filter(|o| o.kind == OptionKind::Serverless && o.feasible()).min_by(|a, b| rank(a, b));
    let mut notes = Vec::new();
    let serverless_vs_node = match (serverless, best_node) {
        (Some(s), Some(n)) => Some(serverless_break_even(env, s, n, book, as_of)?),
        (None, _) => {
            let why = options
                .iter()
                .find(|o| o.kind == OptionKind::Serverless && o.deployment.engine().serves(env.app_engine))
                .and_then(|o| o.exclusions.first())
                .map_or_else(|| "no Serverless price in this region".to_string(), |e| e.reason.clone());
            notes.push(format!("Serverless against nodes: not computed, no Serverless option fits ({why})"));
            None
        }
        (Some(_), None) => {
            notes.push("Serverless against nodes: not computed, no node-based option fits".to_string());
            None
        }
    };
    let mut reserved = Vec::new();
    if let Some(n) = best_node {
        let on_demand_id = n.id.rsplit_once('/').map(|(base, _)| format!("{base}/on-demand"));
        let on_demand = options.iter().find(|o| Some(&o.id) == on_demand_id.as_ref());
        if let Some(od) = on_demand {
            let base = od.id.trim_end_matches("on-demand");
            for r in options.iter().filter(|o| o.commits() && o.id.starts_with(base)) {
                let Some(Term::Reserved(length, _)) = r.term() else { continue };
                let term_months = length.years() * 12;
                // only the node-hours differ between the terms; snapshots and traffic cost the same
                let node_usd = |o: &Evaluated| -> Decimal {
                    o.cost.lines.iter().filter(|l| l.unit == cost::Unit::NodeHour).map(cost::Line::monthly_usd).sum()
                };
                let (od_nodes, rsv_nodes) = (node_usd(od), node_usd(r));
                if od_nodes <= Decimal::ZERO {
                    continue;
                }
                // the whole term's node cost, over the on-demand node cost of one month
                let term_cost = rsv_nodes * length.hours() / Decimal::from(HOURS_PER_MONTH);
                reserved.push(ReservedBreakEven {
                    option_id: r.id.clone(),
                    term: r.term().map(Term::id).unwrap_or_default(),
                    months: (term_cost / od_nodes).round_dp(1),
                    term_months,
                    monthly_saving_usd: od.monthly_usd() - r.monthly_usd(),
                    upfront_usd: r.cost.upfront_known.then_some(r.cost.upfront_usd),
                });
            }
        }
    }
    Ok(BreakEven { serverless_vs_node, notes, reserved })
}

fn serverless_break_even(
    env: &EnvInputs,
    s: &Evaluated,
    n: &Evaluated,
    book: &PriceBook,
    as_of: NaiveDate,
) -> Result<ServerlessBreakEven, ModelError> {
    let w = &env.workload;
    let mut summary = Vec::new();
    // requests: both costs are affine in the average request rate
    let r0 = w.requests_per_sec;
    let step = Decimal::from(1000);
    let (s0, _) = cost_with(s, env, book, as_of, |_| {})?;
    let (s1, _) = cost_with(s, env, book, as_of, |w| w.requests_per_sec += step)?;
    let (n0, _) = cost_with(n, env, book, as_of, |_| {})?;
    let (n1, _) = cost_with(n, env, book, as_of, |w| w.requests_per_sec += step)?;
    let requests = if w.min_ecpu_per_sec > Decimal::ZERO { None } else { crossing(r0, s0, s1, n0, n1, step) };
    match requests {
        Some(r) => {
            let ratio = if r0 > Decimal::ZERO { w.peak_requests_per_sec / r0 } else { Decimal::ONE };
            let (_, fits) = cost_with(n, env, book, as_of, |w| {
                w.requests_per_sec = r;
                w.peak_requests_per_sec = (r * ratio).max(r);
            })?;
            summary.push(format!(
                "at {} req/s on average (today {}), {} costs as much as {}{}",
                capacity::fmt_dec(r),
                capacity::fmt_dec(r0),
                s.id,
                n.id,
                if fits { String::new() } else { format!(" — though {} would no longer fit that load", n.id) }
            ));
        }
        None if s0 < n0 => {
            summary.push(format!("{} stays cheaper than {} at any request rate with this data", s.id, n.id));
        }
        None => summary.push(format!("{} costs more than {} even with no requests", s.id, n.id)),
    }
    // data: both costs are affine in the average data size above Serverless's minimum metered
    // storage (flat below it), so measure the slopes from there
    let d0 = w.data_gb;
    let floor = book.serverless(&env.region, s.deployment.engine()).map_or(Decimal::ZERO, |r| r.min_storage_gb.usd);
    let base = d0.max(floor);
    let with_data = |option: &Evaluated, d: Decimal| {
        cost_with(option, env, book, as_of, |w| {
            w.peak_data_gb += d - w.data_gb;
            w.data_gb = d;
        })
    };
    let dstep = Decimal::from(10);
    let (sb, nb) = if base == d0 { (s0, n0) } else { (with_data(s, base)?.0, with_data(n, base)?.0) };
    let (sd1, _) = with_data(s, base + dstep)?;
    let (nd1, _) = with_data(n, base + dstep)?;
    let data = crossing(base, sb, sd1, nb, nd1, dstep).filter(|d| *d >= floor);
    match data {
        Some(d) => {
            let (_, fits) = with_data(n, d)?;
            summary.push(format!(
                "at {} GiB of data on average (today {}), {} costs as much as {}{}",
                capacity::fmt_dec(d),
                capacity::fmt_dec(d0),
                s.id,
                n.id,
                if fits { String::new() } else { format!(" — though {} would no longer hold that data", n.id) }
            ));
        }
        None if s0 < n0 => {
            summary.push(format!("{} stays cheaper than {} at any data size at this request rate", s.id, n.id));
        }
        None => summary.push(format!("{} costs more than {} even with no data", s.id, n.id)),
    }
    Ok(ServerlessBreakEven {
        serverless_id: s.id.clone(),
        node_id: n.id.clone(),
        requests_per_sec: requests,
        data_gb: data,
        summary,
    })
}

fn months_until(used: f64, limit: f64, monthly_growth: f64) -> Option<f64> {
    if used <= 0.0 || monthly_growth <= 0.0 {
        return None;
    }
    if used >= limit {
        return Some(0.0);
    }
    Some((limit / used).ln() / (1.0 + monthly_growth).ln())
}

fn risks(env: &EnvInputs, winner: &Evaluated, book: &PriceBook, as_of: NaiveDate) -> Vec<Risk> {
    let w = &env.workload;
    let g = to_f64(w.growth_pct_per_month) / 100.0;
    let today_policy = Policy { horizon_months: 0, ..env.policy.clone() };
    let today = Demand::of(w, &today_policy);
    let (u, limit, limit_name) = match &winner.deployment {
        Deployment::Node { layout, .. } => (
            node_utilization(layout, book.catalog.node(layout.node), &today, &env.policy, w.reads_from_replicas),
            env.policy.headroom,
            format!("the {} planning limit", pct(env.policy.headroom)),
        ),
        Deployment::Split { adapter, state, .. } => {
            let a =
                node_utilization(adapter, book.catalog.node(adapter.node), &today.pubsub_only(), &env.policy, false);
            let s = node_utilization(
                state,
                book.catalog.node(state.node),
                &today.without_pubsub(),
                &env.policy,
                w.reads_from_replicas,
            );
            // the adapter's memory holds output buffers, not data: only the state's grows with data
            (
                max_utilization(Utilization { memory: None, ..a }, s),
                env.policy.headroom,
                format!("the {} planning limit", pct(env.policy.headroom)),
            )
        }
        Deployment::Serverless { .. } => {
            (capacity::serverless_utilization(&today), 1.0, "the per-cache limit".to_string())
        }
        Deployment::Upstash { .. } => {
            // plan caps are what the option's own utilization measures; scale it back to today
            let scale = 1.0 / Demand::of(w, &env.policy).growth;
            let s = |v: Option<f64>| v.map(|v| v * scale);
            (
                Utilization {
                    memory: s(winner.utilization.memory),
                    cpu: s(winner.utilization.cpu),
                    network: s(winner.utilization.network),
                    connections: None,
                },
                1.0,
                "the plan's cap".to_string(),
            )
        }
    };
    let mut out: Vec<Risk> =
        [("memory", u.memory), ("CPU", u.cpu), ("network", u.network), ("connections", u.connections)]
            .into_iter()
            .filter_map(|(name, v)| v.map(|v| (name, v)))
            .map(|(name, v)| {
                let months = months_until(v, limit, g);
                let date =
                    months.and_then(|m| as_of.checked_add_months(Months::new(m.floor().clamp(0.0, 1200.0) as u32)));
                let message = match months {
                    Some(m) if m <= 0.0 => format!("{name}: {} at peak today, already past {limit_name}", pct(v)),
                    Some(m) => format!(
                        "{name}: {} at peak today; reaches {limit_name} in {} months ({}) at {}%/month growth",
                        pct(v),
                        fmt_f64(m.min(9999.0)),
                        date.map_or_else(String::new, |d| d.format("%Y-%m").to_string()),
                        fmt_f64(g * 100.0)
                    ),
                    None if g <= 0.0 && v > 0.0 => format!(
                        "{name}: {} at peak today; {limit_name} is {}x today's load (no growth_pct_per_month set)",
                        pct(v),
                        fmt_f64(limit / v)
                    ),
                    None => format!("{name}: unused"),
                };
                Risk { resource: name.to_string(), message, months_to_limit: months, date }
            })
            .filter(|r| !r.message.ends_with("unused"))
            .collect();
    out.sort_by(|a, b| match (a.months_to_limit, b.months_to_limit) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    if let Some(first) = out.first_mut()
        && first.months_to_limit.is_some()
    {
        first.message = format!("breaks first: {}", first.message);
    }
    out.extend(qualitative_risks(env, winner, book));
    out
}

fn qualitative_risks(env: &EnvInputs, winner: &Evaluated, book: &PriceBook) -> Vec<Risk> {
    let w = &env.workload;
    let mut out = Vec::new();
    let risk = |resource: &str, message: String| Risk {
        resource: resource.into(),
        message,
        months_to_limit: None,
        date: None,
    };
    let spiky = capacity::is_spiky(w);
    match &winner.deployment {
        Deployment::Serverless { .. } => {
            if spiky {
                out.push(risk(
                    "throttling",
                    format!("peak is {}x or more the average: Serverless scales in minutes, so a sudden spike may be throttled (alarm on ThrottledCmds; a min_ecpu_per_sec keeps capacity warm at a price)", fmt_f64(capacity::SPIKY_PEAK_RATIO)),
                ));
            }
            if !w.keys_have_ttl {
                out.push(risk(
                    "eviction",
                    "Serverless evicts only keys with a TTL: keys without one stay, and writes fail with OOM at the maximum".into(),
                ));
            }
            if w.has_pubsub() {
                out.push(risk(
                    "metering",
                    "unverified: PUBLISH/SUBSCRIBE are said not to be metered in ECPUs (SPUBLISH is); check the first bill".into(),
                ));
            }
            if w.min_ecpu_per_sec > Decimal::ZERO {
                out.push(risk("cost", "a configured minimum ECPU/s is billed every hour, used or not".into()));
            }
        }
        Deployment::Node { layout, .. } => {
            let node = book.catalog.node(layout.node);
            if node.is_burstable() {
                out.push(risk(
                    "CPU credits",
                    format!(
                        "{} is burstable: sustained load above its CPU-credit baseline drains credits and is throttled",
                        node.name
                    ),
                ));
            }
            if layout.cluster_mode && w.has_pubsub() {
                out.push(risk(
                    "pub/sub",
                    "classic PUBLISH in cluster mode reaches every node: pub/sub load does not spread over shards (SPUBLISH does)".into(),
                ));
            }
            if node.ssd_gib.is_some() && to_f64(w.hot_data_fraction) <= capacity::DATA_TIERING_MAX_HOT {
                out.push(risk("latency", "data tiering: reads that hit SSD take ~300 µs longer".into()));
            }
            if layout.engine == Engine::Memcached && env.ha {
                out.push(risk(
                    "availability",
                    "Memcached has no replicas: a node failure loses its share of the keys".into(),
                ));
            }
            let usable = usable_memory_gib(node, &env.policy);
            if usable < 1.0 {
                out.push(risk(
                    "memory",
                    format!(
                        "{} keeps {}% of its memory reserved: usable {} GiB",
                        node.name,
                        fmt_f64(env.policy.reserved_for(node) * 100.0),
                        fmt_f64(usable)
                    ),
                ));
            }
        }
        Deployment::Upstash { .. } => {
            out.push(risk(
                "latency",
                "Upstash over REST adds ~6 ms per GET in-region; use the Redis protocol (TCP) from long-lived servers"
                    .into(),
            ));
            out.push(risk(
                "network",
                "Upstash runs outside your VPC: traffic leaves AWS's private network unless you peer".into(),
            ));
        }
        Deployment::Split { .. } => {
            out.push(risk(
                "operations",
                "two clusters to run: their maintenance windows are an hour apart so they never restart together"
                    .into(),
            ));
        }
    }
    out
}

fn nothing_fits(env: &EnvInputs, options: &[Evaluated], book: &PriceBook) -> NothingFits {
    let closest =
        options.iter().filter(|o| !o.exclusions.iter().any(|e| e.constraint == Constraint::Engine)).min_by(|a, b| {
            let shortfall = |o: &Evaluated| o.utilization.highest().map_or(0.0, |(_, v)| v);
            a.exclusions.len().cmp(&b.exclusions.len()).then(shortfall(a).total_cmp(&shortfall(b))).then(rank(a, b))
        });
    let mut hints = Vec::new();
    if options.iter().any(Evaluated::feasible) && env.commit.length.is_some() {
        hints.push(format!(
            "options fit only under a commitment other than commit = \"{}\" {}",
            env.commit.id(),
            env.commit.payment.id()
        ));
    }
    let closest_summary = closest.map(|c| {
        format!(
            "closest: {} at {}/month, which fails on: {}",
            c.id,
            format_usd(c.monthly_usd()),
            c.exclusions.iter().map(|e| e.reason.as_str()).collect::<Vec<_>>().join("; ")
        )
    });
    let w = &env.workload;
    // a hint for each constraint the closest option fails (every option's, when none is close)
    let fails = |c: Constraint| match closest {
        Some(o) => o.exclusions.iter().any(|e| e.constraint == c),
        None => options.iter().any(|o| o.exclusions.iter().any(|e| e.constraint == c)),
    };
    if w.cross_slot_commands
        && options.iter().any(|o| o.exclusions.iter().any(|e| e.constraint == Constraint::CrossSlot))
    {
        hints.push(
            "needs cluster mode off (CROSSSLOT): only a single-shard node-based cluster can run the app as it is; put related keys under one {hash tag} to open cluster mode and Serverless"
                .into(),
        );
    }
    if fails(Constraint::Memory) {
        let engine = closest.map_or(env.app_engine, |c| c.deployment.engine());
        hints.push(format!(
            "memory: the data does not fit at {} headroom; layouts stop at the default quota of {} nodes per cluster ({}), or relax [policy] headroom, or keep less data",
            pct(env.policy.headroom),
            max_nodes(engine),
            capacity::quota_increase(engine)
        ));
    }
    if fails(Constraint::Throughput) || fails(Constraint::Bandwidth) {
        hints.push(
            "throughput/network: spread load with more shards (needs cluster mode), reads_from_replicas, sharded pub/sub (SPUBLISH), or a split deployment"
                .into(),
        );
    }
    if fails(Constraint::Connections) {
        let limit = match closest.map(|c| &c.deployment) {
            Some(Deployment::Node { layout, .. } | Deployment::Split { state: layout, .. }) => {
                let node = book.catalog.node(layout.node);
                format!("maxclients is {} per {} node", fmt_f64(f64::from(node.maxclients)), node.name)
            }
            _ => format!("{} per Serverless cache", fmt_f64(f64::from(SERVERLESS_MAX_CONNECTIONS))),
        };
        hints.push(format!("connections: pool or multiplex client connections ({limit})"));
    }
    if fails(Constraint::Compatibility) {
        hints.push("compatibility: see the excluded options for the feature each one lacks".into());
    }
    NothingFits { closest: closest.map(|c| c.id.clone()), closest_summary, hints }
}
