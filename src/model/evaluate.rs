//! Evaluation: every option for one environment, priced line by line, checked for fit, and the
//! recommendation.
//!
//! The single entry point is [`evaluate`]: synchronous, pure and fast. Reports and the terminal
//! app both call it, so both show the same numbers.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::ModelError;
use super::capacity::{self, Constraint, Demand, Exclusion, UpstashCaps, UpstashUse, Utilization};
use super::catalog::Engine;
use super::cost::{self, CostBreakdown, CrossAzGb, Traffic};
use super::price::{PriceBook, SupportPeriod, Term};
use super::recommend::{self, NodeResult, Outcome, SearchMode, SearchStats};
use super::throughput::Version;
use super::units::{format_unit_usd, format_usd, hours_per_month, rough_f64, to_f64};
use super::workload::{Backup, Current, Deployment, EngineVersion, EnvInputs, NodeLayout, UsageLimits, Workload};

/// The kind of an option.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OptionKind {
    /// ElastiCache Serverless.
    Serverless,
    /// Node-based ElastiCache.
    Node,
    /// Upstash Redis.
    Upstash,
    /// A pub/sub adapter cluster plus a state cluster.
    Split,
}

impl OptionKind {
    /// `serverless` / `node` / `upstash` / `split`.
    pub fn id(self) -> &'static str {
        match self {
            OptionKind::Serverless => "serverless",
            OptionKind::Node => "node",
            OptionKind::Upstash => "upstash",
            OptionKind::Split => "split",
        }
    }
}

/// One option, priced and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluated {
    /// Stable readable id, e.g. `node/valkey/cache.r7g.large/1x2/on-demand`.
    pub id: String,
    /// Kind.
    pub kind: OptionKind,
    /// What it is.
    pub deployment: Deployment,
    /// Its monthly lines.
    pub cost: CostBreakdown,
    /// Constraints it breaks (empty = feasible).
    pub exclusions: Vec<Exclusion>,
    /// Things to know that do not exclude it.
    pub notes: Vec<String>,
    /// Resource use at peak over the planning horizon.
    pub utilization: Utilization,
    /// Why an expert would choose it only when nothing without these fits (cluster mode for a
    /// client that may not follow it…); empty = no such reservation.
    pub last_resort: Vec<String>,
    /// What the app or its client must do for this option to work as priced.
    pub requirements: Vec<String>,
    /// The sum of `cost`'s lines, computed once when it was assessed (ranking compares it often).
    pub(crate) monthly: Decimal,
}

impl Evaluated {
    /// Whether it can serve the workload.
    pub fn feasible(&self) -> bool {
        self.exclusions.is_empty()
    }

    /// Monthly cost: the sum of its lines.
    pub fn monthly_usd(&self) -> Decimal {
        self.monthly
    }

    /// Monthly cost without its unverified lines (the low end of its range).
    pub fn verified_monthly_usd(&self) -> Decimal {
        self.cost.verified_monthly_usd()
    }

    /// The node-hour term, for node-based options.
    pub fn term(&self) -> Option<Term> {
        self.deployment.term()
    }

    /// Whether choosing it means a reserved commitment.
    pub fn commits(&self) -> bool {
        self.term().is_some_and(Term::is_reserved)
    }
}

/// Every option for one environment, what runs today, and the recommendation.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvEvaluation {
    /// The inputs evaluated.
    pub inputs: EnvInputs,
    /// Options sorted by monthly cost (then id).
    pub options: Vec<Evaluated>,
    /// The current deployment, costed the same way.
    pub current: Option<Evaluated>,
    /// What could not be evaluated and why (no embedded price…).
    pub notes: Vec<String>,
    /// The recommendation, or what would fit.
    pub outcome: Outcome,
    /// How much the search checked.
    pub stats: SearchStats,
}

impl EnvEvaluation {
    /// Cheapest feasible option with no reserved commitment.
    pub fn cheapest_on_demand(&self) -> Option<&Evaluated> {
        self.options.iter().find(|o| o.feasible() && !o.commits())
    }

    /// Cheapest feasible option with a reserved commitment.
    pub fn cheapest_reserved(&self) -> Option<&Evaluated> {
        self.options.iter().find(|o| o.feasible() && o.commits())
    }

    /// Look an option up by id.
    pub fn option(&self, id: &str) -> Option<&Evaluated> {
        self.options.iter().find(|o| o.id == id)
    }

    /// The recommended option.
    pub fn recommended(&self) -> Option<&Evaluated> {
        self.outcome.recommendation().and_then(|r| self.option(&r.option_id))
    }
}

/// `3x2-cluster`: shards × nodes per shard, whether cluster mode is on, and whether reads are
/// served by replicas (`1x3-replica-reads`), appended to `out`.
fn push_layout_shape(out: &mut String, layout: &NodeLayout) {
    push_count(out, layout.shards);
    out.push('x');
    push_count(out, 1 + layout.replicas);
    if layout.cluster_mode {
        out.push_str("-cluster");
    }
    if layout.replica_reads {
        out.push_str("-replica-reads");
    }
}

/// `n` in decimal digits (an option id is made for every option of every environment: most
/// counts are one digit, written without `fmt`).
fn push_count(out: &mut String, n: u32) {
    match u8::try_from(n) {
        Ok(digit @ 0..=9) => out.push(char::from(b'0' + digit)),
        _ => {
            use std::fmt::Write as _;
            // writing to a String cannot fail
            let _ = write!(out, "{n}");
        }
    }
}

fn push_layout_id(out: &mut String, layout: &NodeLayout, book: &PriceBook) {
    out.push_str(&book.catalog.node(layout.node).name);
    out.push('-');
    push_layout_shape(out, layout);
}

/// The id of a deployment: `serverless/valkey`, `node/valkey/cache.r7g.large/1x2/on-demand`,
/// `node/valkey/cache.r7g.large/3x2-cluster/on-demand`, `upstash/payg`,
/// `split/valkey/cache.c7gn.large-1x2+cache.r7g.large-1x2/on-demand`.
pub fn option_id(deployment: &Deployment, book: &PriceBook) -> String {
    match deployment {
        Deployment::Serverless { engine, .. } => format!("serverless/{}", engine.id()),
        Deployment::Node { layout, term } => {
            let mut id = String::with_capacity(64);
            id.push_str("node/");
            id.push_str(layout.engine.id());
            id.push('/');
            id.push_str(&book.catalog.node(layout.node).name);
            id.push('/');
            push_layout_shape(&mut id, layout);
            id.push('/');
            id.push_str(term.id());
            id
        }
        Deployment::Upstash { plan } => format!("upstash/{plan}"),
        Deployment::Split { adapter, state, term } => {
            let mut id = String::with_capacity(96);
            id.push_str("split/");
            id.push_str(state.engine.id());
            id.push('/');
            push_layout_id(&mut id, adapter, book);
            id.push('+');
            push_layout_id(&mut id, state, book);
            id.push('/');
            id.push_str(term.id());
            id
        }
    }
}

/// A warning when an end-of-life Redis OSS version will start paying Extended Support.
fn support_note(
    layout: &NodeLayout,
    version: Option<&EngineVersion>,
    env: &EnvInputs,
    book: &PriceBook,
    as_of: NaiveDate,
) -> Option<String> {
    let version = version?;
    if layout.engine != Engine::Redis {
        return None;
    }
    let starts = book.support_start(version.major)?;
    if book.support_period(version.major, as_of).is_some() {
        let ends = starts.checked_add_months(chrono::Months::new(36))?;
        return Some(if as_of >= ends {
            format!(
                "Redis OSS {} is past the three years of Extended Support (ended {ends}): upgrade the engine; the year-3 surcharge is shown",
                version.text
            )
        } else {
            format!(
                "Redis OSS {} is in Extended Support (surcharge line above) until {ends}: upgrade or move to Valkey",
                version.text
            )
        });
    }
    if starts <= as_of {
        return None;
    }
    let rate = book.region(&env.region)?.extended_support.get(&(layout.node, SupportPeriod::Years1To2))?;
    let monthly = rate.usd * Decimal::from(layout.nodes()) * hours_per_month();
    Some(format!(
        "Redis OSS {} reaches the end of standard support: from {starts} Extended Support adds {}/month for these {} nodes ({}/node-hour, {}); upgrade or move to Valkey before then",
        version.text,
        format_usd(monthly),
        layout.nodes(),
        format_unit_usd(rate.usd),
        rate.source.kind
    ))
}

fn prefixed(prefix: &str, exclusions: Vec<Exclusion>) -> Vec<Exclusion> {
    exclusions
        .into_iter()
        .map(|e| Exclusion { constraint: e.constraint, reason: format!("{prefix}{}", e.reason) })
        .collect()
}

/// Each resource's higher share of two clusters (a split deployment's adapter and state).
pub(crate) fn max_utilization(a: Utilization, b: Utilization) -> Utilization {
    let m = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    Utilization {
        memory: m(a.memory, b.memory),
        cpu: m(a.cpu, b.cpu),
        network: m(a.network, b.network),
        connections: m(a.connections, b.connections),
    }
}

/// Price and check one deployment for an environment (`demand` is `Demand::of(env)`).
pub fn assess(
    deployment: &Deployment,
    backup: &Backup,
    version: Option<&EngineVersion>,
    env: &EnvInputs,
    demand: &Demand,
    book: &PriceBook,
    as_of: NaiveDate,
) -> Result<Evaluated, ModelError> {
    let of_env = OfEnv::of(env, demand, backup, book);
    assess_in(deployment, backup, version, env, &of_env, book, as_of)
}

/// What every option of an environment shares, computed once: its demand, traffic and cross-AZ
/// traffic by the zones reads are served from.
struct OfEnv<'a> {
    demand: &'a Demand,
    traffic: Traffic,
    cross_az: CrossAzGb,
    /// The snapshot line of a node-based option with this backup.
    snapshots: (Backup, Option<cost::Line>),
    /// What a node-based option's layout asks of the client (no prefix).
    cluster_texts: ClusterTexts,
}

/// What a layout with replica reads or cluster mode asks of the client and why an expert would
/// avoid it, in words, each starting with `prefix` (`adapter: ` for a split's adapter): the
/// same for every option of an environment, so written once.
struct ClusterTexts {
    /// Replica reads without cluster mode (the reader endpoint), then with it.
    replica_reads: [String; 2],
    /// Why cluster mode is a last resort for this workload.
    cautions: Vec<String>,
    /// What cluster mode asks of the client.
    cluster_client: String,
}

impl ClusterTexts {
    fn of(w: &Workload, prefix: &str) -> Self {
        let replica_reads = |to: &str| {
            format!(
                "{prefix}reads from replicas: the client sends reads to the {to}, and the app accepts reads that lag the primary by the replication delay; the cross-AZ line assumes each read stays in its client's zone, which takes an AZ-aware client (read from the nearest replica) — the reader endpoint alone spreads reads over zones (reads_from_replicas is not stated; set it to false to rule this out)"
            )
        };
        ClusterTexts {
            replica_reads: [
                replica_reads("reader endpoint"),
                replica_reads("replicas after READONLY (a cluster-aware client with replica reads on)"),
            ],
            cautions: capacity::cluster_mode_cautions(w).iter().map(|c| format!("{prefix}cluster mode: {c}")).collect(),
            cluster_client: format!(
                "{prefix}cluster mode: a cluster-aware client (follows MOVED/ASK), and every multi-key command on keys of one hash slot"
            ),
        }
    }
}

impl<'a> OfEnv<'a> {
    fn of(env: &EnvInputs, demand: &'a Demand, backup: &Backup, book: &PriceBook) -> Self {
        let traffic = Traffic::of(&env.workload);
        OfEnv {
            demand,
            cross_az: CrossAzGb::of(env, &traffic),
            traffic,
            snapshots: (*backup, cost::snapshot_line("", &env.region, backup, book)),
            cluster_texts: ClusterTexts::of(&env.workload, ""),
        }
    }
}

/// [`assess`] with what the environment's options share.
fn assess_in(
    deployment: &Deployment,
    backup: &Backup,
    version: Option<&EngineVersion>,
    env: &EnvInputs,
    of_env: &OfEnv<'_>,
    book: &PriceBook,
    as_of: NaiveDate,
) -> Result<Evaluated, ModelError> {
    let w = &env.workload;
    let (demand, traffic) = (of_env.demand, &of_env.traffic);
    let engine_version = version.and_then(|v| Version::parse(&v.text));
    let mut notes = Vec::new();
    let mut last_resort = Vec::new();
    let mut requirements = Vec::new();
    let mut cluster_mode = |layout: &NodeLayout, prefix: &str| {
        let replica_reads = layout.replica_reads && w.reads_from_replicas != Some(true);
        let cluster = layout.cluster_mode && layout.engine.speaks_redis();
        if !replica_reads && !cluster {
            return;
        }
        // a split's adapter or state writes its own, prefixed (only when it has something to say)
        let prefixed;
        let texts = if prefix.is_empty() {
            &of_env.cluster_texts
        } else {
            prefixed = ClusterTexts::of(w, prefix);
            &prefixed
        };
        if replica_reads {
            requirements.push(texts.replica_reads[usize::from(layout.cluster_mode)].clone());
        }
        if cluster {
            last_resort.extend(texts.cautions.iter().cloned());
            requirements.push(texts.cluster_client.clone());
        }
    };
    let (cost, monthly, exclusions, utilization, kind) = match deployment {
        Deployment::Serverless { engine, limits } => {
            let cross_az = of_env.cross_az.get(env, traffic, 1);
            let cost = cost::serverless(&env.region, *engine, w, backup, cross_az, book)?;
            let (cost, monthly) = checked(cost, deployment, env, book)?;
            let (mut ex, ut) = capacity::check_serverless(*engine, env, demand);
            let today = Demand::of(w, &capacity::Policy { horizon_months: 0, ..env.policy.clone() });
            let (over, grown) = capacity::usage_limit_checks(limits, &today, demand);
            ex.extend(over);
            notes.extend(grown);
            if engine.speaks_redis() && w.client_cluster_aware != Some(true) {
                notes.push(
                    "Serverless runs in cluster mode behind one endpoint that owns every hash slot: a standalone client connects, but multi-key commands across slots fail with CROSSSLOT and only database 0 exists".into(),
                );
            }
            if cost.lines.iter().any(|l| l.unverified.is_some() && l.unit == cost::Unit::MillionEcpu) {
                notes.push(format!(
                    "pub/sub metering is unverified: this option costs {} at the low end (deliveries not metered) and {} at the high end (shown)",
                    format_usd(cost.verified_monthly_usd()),
                    format_usd(monthly)
                ));
            }
            (cost, monthly, ex, ut, OptionKind::Serverless)
        }
        Deployment::Node { layout, term } => {
            let cross_az = of_env.cross_az.get(env, traffic, cost::read_azs(layout));
            let cost = if of_env.snapshots.0 == *backup {
                let snapshots = of_env.snapshots.1.as_ref();
                cost::node_with_snapshots(&env.region, layout, *term, snapshots, version, cross_az, as_of, book)?
            } else {
                cost::node(&env.region, layout, *term, backup, version, cross_az, as_of, book)?
            };
            let (cost, monthly) = checked(cost, deployment, env, book)?;
            let node = book.catalog.node(layout.node);
            let (ex, ut) = capacity::check_node(layout, node, env, demand, engine_version);
            cluster_mode(layout, "");
            if env.ha && layout.engine == Engine::Memcached {
                notes.push(
                    "Memcached has no replicas: spread the nodes over AZs (AZMode cross-az); a node failure loses its share of the keys".into(),
                );
            }
            if let Some(note) = support_note(layout, version, env, book, as_of) {
                notes.push(note);
            }
            if term.is_reserved() && !cost.upfront_known {
                notes.push("the source publishes only the amortized rate of this offer: upfront cash unknown".into());
            }
            (cost, monthly, ex, ut, OptionKind::Node)
        }
        Deployment::Split { adapter, state, term } => {
            let cross_az = (
                cost::cross_az_gb(env, &traffic.pubsub_only(), 1),
                cost::cross_az_gb(env, &traffic.requests_only(), cost::read_azs(state)),
            );
            let cost = cost::split(&env.region, adapter, state, *term, backup, cross_az, book)?;
            let (cost, monthly) = checked(cost, deployment, env, book)?;
            let adapter_node = book.catalog.node(adapter.node);
            let (ea, ua) = capacity::check_node(adapter, adapter_node, env, &demand.pubsub_only(), engine_version);
            let state_node = book.catalog.node(state.node);
            let (es, us) = capacity::check_node(state, state_node, env, &demand.without_pubsub(), engine_version);
            let mut ex = prefixed("adapter: ", ea);
            ex.extend(prefixed("state: ", es));
            cluster_mode(adapter, "adapter: ");
            cluster_mode(state, "state: ");
            if !w.has_pubsub() {
                ex.push(Exclusion::new(
                    Constraint::Compatibility,
                    "a split deployment is for workloads with pub/sub (pubsub_messages_per_sec)",
                ));
            }
            (cost, monthly, ex, max_utilization(ua, us), OptionKind::Split)
        }
        Deployment::Upstash { plan } => {
            // multi-zone HA on Upstash comes only with the Prod Pack (FACTS), on paid plans
            let cost = cost::upstash(plan, w, env.ha && plan != "free", book)?;
            let (cost, monthly) = checked(cost, deployment, env, book)?;
            let pricing = &book.upstash;
            let (caps, name) = if plan == "payg" {
                (UpstashCaps::of_payg(&pricing.payg), "pay-as-you-go".to_string())
            } else {
                let p = pricing
                    .plans
                    .iter()
                    .find(|p| &p.id == plan)
                    .ok_or_else(|| ModelError::UnknownUpstashPlan { plan: plan.clone() })?;
                (UpstashCaps::of_plan(p), format!("{} plan", p.name))
            };
            let usage = UpstashUse {
                commands_per_month: to_f64(cost::upstash_commands_per_month(w)),
                bandwidth_gb: to_f64(traffic.total_gb()),
                region_served: pricing.serves_region(&env.region),
            };
            let (ex, ut) = capacity::check_upstash(&name, &caps, env, demand, &usage);
            if w.cross_slot_commands {
                notes.push(
                    "unverified: Upstash databases present one endpoint that is not in cluster mode, so multi-key commands across slots should work; test before relying on it".into(),
                );
            }
            if w.keyspace_notifications || w.uses_select || !w.tls {
                notes.push(
                    "unverified: check Upstash supports the app's keyspace notifications, SELECT and non-TLS needs"
                        .into(),
                );
            }
            notes.push(
                "Upstash is reached over the internet, outside the VPC: from private subnets that is NAT gateway egress (NAT processing and data transfer out are billed by AWS, not included here)".into(),
            );
            if env.current.as_ref().is_some_and(|c| !matches!(c.deployment, Deployment::Upstash { .. })) {
                last_resort.push(
                    "the environment runs on ElastiCache today: moving it to Upstash adds a vendor and takes the cache out of the VPC (internet access, NAT egress from private subnets)".into(),
                );
            }
            (cost, monthly, ex, ut, OptionKind::Upstash)
        }
    };
    Ok(Evaluated {
        id: option_id(deployment, book),
        kind,
        deployment: deployment.clone(),
        cost,
        exclusions,
        notes,
        utilization,
        last_resort,
        requirements,
        monthly,
    })
}

/// `cost` and its total, once its lines are known to sum without overflow and below
/// [`cost::max_monthly_usd`]; the evaluation error naming the option otherwise.
fn checked(
    cost: CostBreakdown,
    deployment: &Deployment,
    env: &EnvInputs,
    book: &PriceBook,
) -> Result<(CostBreakdown, Decimal), ModelError> {
    match cost.checked_monthly_usd(&book.catalog) {
        Ok(total) => Ok((cost, total)),
        Err(line) => Err(ModelError::Overflow {
            env: env.name.clone(),
            what: format!("{} ({line})", option_id(deployment, book)),
        }),
    }
}

/// Price and check every option for one environment, and recommend one.
///
/// Options: Serverless for each engine priced in the region; for every node type and every engine
/// that speaks the app's protocol, the cheapest layout (shards × replicas) that fits — or the
/// closest one, excluded with the reason — under every term the book prices (other layouts of a
/// type are checked but not listed); a split deployment (pub/sub adapter + state) per engine and
/// term when the workload has pub/sub; Upstash pay-as-you-go and every flat plan. Options that
/// cannot serve the workload stay in the list, marked with the reason.
pub fn evaluate(env: &EnvInputs, book: &PriceBook, as_of: NaiveDate) -> Result<EnvEvaluation, ModelError> {
    if book.region(&env.region).is_none() {
        return Err(ModelError::UnknownRegion {
            region: env.region.clone(),
            available: book.region_names().iter().map(ToString::to_string).collect(),
        });
    }
    env.workload.validate().map_err(|error| ModelError::Workload {
        env: env.name.clone(),
        from: env.workload.source,
        error,
    })?;
    let demand = Demand::of(&env.workload, &env.policy);
    let backup = env.option_backup();
    let of_env = OfEnv::of(env, &demand, &backup, book);
    let traffic = of_env.traffic;
    let mut stats = SearchStats::default();
    // room for every option (Serverless and Upstash, a node type of each engine under each term,
    // a split per engine and term): options are large and an environment has hundreds
    let engines = Engine::ALL.iter().filter(|e| e.serves(env.app_engine)).count();
    let mut options = Vec::with_capacity(
        Engine::ALL.len() + engines * (book.catalog.len() + 2) * Term::ALL.len() + book.upstash.plans.len() + 1,
    );
    let mut notes = Vec::new();

    for engine in Engine::ALL {
        if book.serverless(&env.region, engine).is_some() {
            let serverless = Deployment::Serverless { engine, limits: UsageLimits::default() };
            options.push(assess_in(&serverless, &backup, None, env, &of_env, book, as_of)?);
        } else {
            notes.push(format!(
                "ElastiCache Serverless {}: no embedded price for {} (this version prices only what is embedded)",
                engine.label(),
                env.region
            ));
        }
    }

    // node layouts of an engine that does not speak the app's protocol can never be chosen:
    // they are not searched (Serverless keeps one excluded option per engine to say why)
    let pricing = cost::NodePricing::of(&env.region, &backup, book);
    for engine in Engine::ALL.into_iter().filter(|e| e.serves(env.app_engine)) {
        let mut unpriced = Vec::new();
        for family in book.catalog.families() {
            let results: Vec<NodeResult> = book
                .catalog
                .family(family)
                .filter_map(|(id, _)| {
                    recommend::search_node(
                        id,
                        engine,
                        env,
                        &demand,
                        &pricing,
                        &traffic,
                        &of_env.cross_az,
                        SearchMode::Single,
                        book,
                        &mut stats,
                    )
                })
                .collect();
            if results.is_empty() {
                if book.catalog.family(family).any(|(_, n)| n.supports(engine)) {
                    unpriced.push(family);
                }
                continue;
            }
            // every node type: its smallest layout that fits (or the closest, excluded), under
            // every term the book prices
            for result in &results {
                for term in Term::ALL {
                    if let Some(layout) = result.layout_for(term) {
                        let deployment = Deployment::Node { layout, term };
                        options.push(assess_in(&deployment, &backup, None, env, &of_env, book, as_of)?);
                    }
                }
            }
        }
        if !unpriced.is_empty() {
            notes.push(format!(
                "node-based {}: no embedded price in {} for the {} famil{} (this version prices only what is embedded)",
                engine.label(),
                env.region,
                unpriced.join(", "),
                if unpriced.len() == 1 { "y" } else { "ies" }
            ));
        }
    }

    if env.workload.has_pubsub() {
        options.extend(split_options(env, &of_env, &backup, book, as_of, &mut stats)?);
    }

    let mut plans = vec!["payg".to_string()];
    plans.extend(book.upstash.plans.iter().map(|p| p.id.clone()));
    for plan in plans {
        options.push(assess_in(&Deployment::Upstash { plan }, &backup, None, env, &of_env, book, as_of)?);
    }

    let options = cheapest_first(options);

    let current = env
        .current
        .as_ref()
        .map(|c: &Current| assess_in(&c.deployment, &c.backup, c.engine_version.as_ref(), env, &of_env, book, as_of))
        .transpose()?;

    let outcome = recommend::recommend(env, &options, book, as_of)?;
    Ok(EnvEvaluation { inputs: env.clone(), options, current, notes, outcome, stats })
}

/// `options` by monthly cost, then id: each cost (an exact sum over its lines) computed once,
/// the options moved once.
fn cheapest_first(mut options: Vec<Evaluated>) -> Vec<Evaluated> {
    let costs: Vec<(Decimal, &str)> = options.iter().map(|o| (o.monthly, o.id.as_str())).collect();
    let order = cost_order(&costs);
    permute(&mut options, &order);
    options
}

/// Relative distance of two costs' `f64` values beyond which they are in the order of those
/// values: far above their rounding (a few 1e-16 of the value, [`rough_f64`]).
const ROUGH_ORDER_SLACK: f64 = 1e-9;

/// The positions of `costs` (exact monthly cost, id) by cost, then id, then position: the
/// exact order, for a fraction of the work of comparing decimals (each comparison rescales).
/// The costs are sorted by their `f64` values; neighbours further apart than
/// [`ROUGH_ORDER_SLACK`] are in their exact order (the rounding cannot swap them), so only each
/// run of neighbours closer than that is sorted again, exactly.
fn cost_order(costs: &[(Decimal, &str)]) -> Vec<usize> {
    let mut order: Vec<(f64, usize)> = costs.iter().enumerate().map(|(i, (cost, _))| (rough_f64(*cost), i)).collect();
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let exact = |a: &(f64, usize), b: &(f64, usize)| {
        let ((cost_a, id_a), (cost_b, id_b)) = (costs[a.1], costs[b.1]);
        cost_a.cmp(&cost_b).then_with(|| id_a.cmp(id_b)).then(a.1.cmp(&b.1))
    };
    // rough values are finite: every decimal is far below f64::MAX
    let apart = |a: f64, b: f64| (a - b).abs() > ROUGH_ORDER_SLACK * a.abs().max(b.abs());
    let mut run = 0;
    for i in 1..=order.len() {
        if i == order.len() || apart(order[i - 1].0, order[i].0) {
            if i - run > 1 {
                order[run..i].sort_unstable_by(exact);
            }
            run = i;
        }
    }
    order.into_iter().map(|(_, i)| i).collect()
}

/// Put `items` in `order` in place (position `i` takes the item that was at `order[i]`; `order`
/// is a permutation of the positions): swaps instead of a second vector of large items.
fn permute<T>(items: &mut [T], order: &[usize]) {
    for i in 0..items.len() {
        // the item first at `order[i]` was swapped away from every position before `i` it sat
        // at: follow it to where it is now
        let mut at = order[i];
        while at < i {
            at = order[at];
        }
        items.swap(i, at);
    }
}

/// Split deployments: per engine and term, the cheapest adapter (one shard, sized for pub/sub)
/// plus the cheapest state cluster (sized for memory and requests).
fn split_options(
    env: &EnvInputs,
    of_env: &OfEnv<'_>,
    backup: &Backup,
    book: &PriceBook,
    as_of: NaiveDate,
    stats: &mut SearchStats,
) -> Result<Vec<Evaluated>, ModelError> {
    let mut out = Vec::new();
    let no_backup = Backup { retention_days: 0, snapshot_gb: Decimal::ZERO };
    let (pubsub, requests) = (of_env.traffic.pubsub_only(), of_env.traffic.requests_only());
    let (pubsub_cross_az, requests_cross_az) = (CrossAzGb::of(env, &pubsub), CrossAzGb::of(env, &requests));
    for engine in [Engine::Valkey, Engine::Redis] {
        if !engine.serves(env.app_engine) {
            continue;
        }
        let adapter_demand = of_env.demand.pubsub_only();
        let state_demand = of_env.demand.without_pubsub();
        let search = |mode, d: &Demand, b: &Backup, t: &Traffic, c: &CrossAzGb, stats: &mut SearchStats| {
            let pricing = cost::NodePricing::of(&env.region, b, book);
            book.catalog
                .nodes()
                .filter_map(|(id, _)| recommend::search_node(id, engine, env, d, &pricing, t, c, mode, book, stats))
                .collect::<Vec<NodeResult>>()
        };
        let adapter_results =
            search(SearchMode::Adapter, &adapter_demand, &no_backup, &pubsub, &pubsub_cross_az, stats);
        let state_results = search(SearchMode::Single, &state_demand, backup, &requests, &requests_cross_az, stats);
        let cheapest = |results: &[NodeResult], term: Term| -> Option<NodeLayout> {
            results
                .iter()
                .filter(|r| r.fits)
                .filter_map(|r| r.per_term[term.index()])
                .min_by(|a, b| a.monthly.cmp(&b.monthly).then(a.layout.nodes().cmp(&b.layout.nodes())))
                .map(|p| p.layout)
        };
        // when nothing fits, show the closest: the adapter with the most bandwidth, the largest state
        let fallback = |results: &[NodeResult], key: &dyn Fn(&NodeLayout) -> f64| -> Option<NodeLayout> {
            results.iter().map(|r| r.layout).max_by(|a, b| key(a).total_cmp(&key(b)))
        };
        for term in Term::ALL {
            let adapter = cheapest(&adapter_results, term).or_else(|| {
                (term == Term::OnDemand)
                    .then(|| fallback(&adapter_results, &|l| book.catalog.node(l.node).baseline_gbps))
                    .flatten()
            });
            let state = cheapest(&state_results, term).or_else(|| {
                (term == Term::OnDemand)
                    .then(|| fallback(&state_results, &|l| book.catalog.node(l.node).memory_gib()))
                    .flatten()
            });
            if let (Some(adapter), Some(state)) = (adapter, state)
                && book.on_demand(&env.region, adapter.node, engine).is_some()
                && (term == Term::OnDemand
                    || (book.reserved(&env.region, adapter.node, engine, term).is_some()
                        && book.reserved(&env.region, state.node, engine, term).is_some()))
            {
                let deployment = Deployment::Split { adapter, state, term };
                out.push(assess_in(&deployment, backup, None, env, of_env, book, as_of)?);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::workload::{Workload, WorkloadSource};
    use crate::source::offline::embedded;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn env(w: Workload) -> EnvInputs {
        EnvInputs::new("prod", "us-east-1", Engine::Valkey, true, w)
    }

    /// Permuting in place gives what collecting the items in that order gives, for every
    /// permutation of up to 6 items and pseudo-random ones of up to 300.
    #[test]
    fn a_count_in_an_option_id_is_its_decimal_digits() {
        for n in (0..=1000).chain([u32::MAX - 1, u32::MAX]) {
            let mut out = String::from("x");
            push_count(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn permuting_in_place_puts_every_item_where_the_order_says() {
        fn check(order: &[usize]) {
            let mut items: Vec<String> = (0..order.len()).map(|i| format!("item {i}")).collect();
            let want: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
            permute(&mut items, order);
            assert_eq!(items, want, "{order:?}");
        }
        fn all(prefix: &mut Vec<usize>, n: usize) {
            if prefix.len() == n {
                check(prefix);
                return;
            }
            for i in 0..n {
                if !prefix.contains(&i) {
                    prefix.push(i);
                    all(prefix, n);
                    prefix.pop();
                }
            }
        }
        for n in 0..=6 {
            all(&mut Vec::new(), n);
        }
        let mut seed: u64 = 7;
        for n in [7, 50, 300] {
            for _ in 0..20 {
                let mut order: Vec<usize> = (0..n).collect();
                for i in (1..n).rev() {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    order.swap(i, usize::try_from(seed >> 33).unwrap() % (i + 1));
                }
                check(&order);
            }
        }
    }

    /// Ordering costs through their `f64` values first gives the exact order: for equal costs
    /// at different scales, costs a last digit apart at every scale, negative and large ones,
    /// and pseudo-random pairs near one another, with ids that tie too, in shuffled orders.
    #[test]
    fn ordering_costs_roughly_first_gives_the_exact_order() {
        let dec = |s: &str| s.parse::<Decimal>().unwrap();
        let mut values = vec![
            dec("0"),
            dec("0.00"),
            dec("1"),
            dec("1.0000000000000000000000000000"),
            dec("1.0000000000000000000000000001"),
            dec("0.9999999999999999999999999999"),
            dec("-3.5"),
            dec("-3.50000000000000000001"),
            dec("79228162514264337593543950335"),
            dec("79228162514264337593543950334"),
            dec("12345.678901234567890123"),
            dec("12345.678901234567890124"),
            dec("0.0000000000000000000000000001"),
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            seed >> 11
        };
        for _ in 0..400 {
            let base =
                Decimal::new(i64::try_from(next() % 10_000_000_000).unwrap(), u32::try_from(next() % 12).unwrap());
            let nudge = Decimal::new(i64::try_from(next() % 1000).unwrap() - 500, u32::try_from(next() % 28).unwrap());
            values.push(base);
            values.push(base + nudge);
        }
        // every value twice, under ids that tie among themselves
        let ids = ["b", "a", "c", "a"];
        let mut costs: Vec<(Decimal, &str)> =
            values.iter().chain(&values).enumerate().map(|(i, v)| (*v, ids[i % ids.len()])).collect();
        for _ in 0..10 {
            let exact = {
                let mut order: Vec<usize> = (0..costs.len()).collect();
                order.sort_by(|&a, &b| costs[a].0.cmp(&costs[b].0).then(costs[a].1.cmp(costs[b].1)).then(a.cmp(&b)));
                order
            };
            assert_eq!(cost_order(&costs), exact);
            for i in (1..costs.len()).rev() {
                costs.swap(i, usize::try_from(next()).unwrap() % (i + 1));
            }
        }
    }

    #[test]
    fn issue_13_a_workload_out_of_bounds_is_an_evaluation_error_not_a_panic() {
        // TotalCmdsCount = 1e28 a period made 3e25 requests/s: commands_per_month overflowed
        let huge = Decimal::from_i128_with_scale(10i128.pow(25) * 3, 0);
        let w = Workload {
            requests_per_sec: huge,
            peak_requests_per_sec: huge,
            source: WorkloadSource::File,
            ..Workload::default()
        };
        let err = evaluate(&env(w), embedded().unwrap(), as_of()).unwrap_err();
        assert!(matches!(&err, ModelError::Workload { error, .. } if error.key == "requests_per_sec"), "{err:?}");
        let text = err.to_string();
        assert!(text.starts_with("environment 'prod': the measured workload's requests_per_sec is 3"), "{text}");
        assert!(text.contains("workload = \"plan\" in [env.prod.metrics]"), "{text}");
        let planned = Workload { data_gb: huge, peak_data_gb: huge, ..Workload::default() };
        let text = evaluate(&env(planned), embedded().unwrap(), as_of()).unwrap_err().to_string();
        assert!(text.contains("workload data_gb is") && text.contains("[env.prod.workload]"), "{text}");
    }

    #[test]
    fn issue_13_money_that_overflows_is_an_evaluation_error_not_a_panic() {
        let mut book = embedded().unwrap().clone();
        let mut region = book.region("us-east-1").unwrap().clone();
        let absurd = Decimal::from_i128_with_scale(10i128.pow(24), 0);
        for rates in region.serverless.values_mut() {
            rates.ecpu_per_million.usd = absurd;
        }
        book.regions.insert("us-east-1".into(), region);
        let max = Decimal::from(crate::model::workload::MAX_PER_SEC);
        let w = Workload {
            requests_per_sec: max,
            peak_requests_per_sec: max,
            avg_request_kb: Decimal::from(crate::model::workload::MAX_SIZE_KB),
            ..Workload::default()
        };
        let err = evaluate(&env(w), &book, as_of()).unwrap_err();
        assert!(matches!(&err, ModelError::Overflow { what, .. } if what.contains("serverless/")), "{err:?}");
        assert!(err.to_string().contains("ECPU"), "{err}");
    }
}
