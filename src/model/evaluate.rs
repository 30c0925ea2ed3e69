//! Evaluation: every option for one environment, priced line by line and checked for fit.
//!
//! The single entry point is [`evaluate`]: synchronous, pure and fast. Reports and the terminal
//! app both call it, so both show the same numbers.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::ModelError;
use super::capacity::{self, Constraint, Exclusion, Policy, UpstashCaps, Utilization};
use super::catalog::{Engine, NodeId};
use super::cost::{self, CostBreakdown};
use super::limits::{MAX_NODES_PER_CLUSTER, MEMCACHED_MAX_NODES};
use super::price::{PriceBook, SupportPeriod, Term};
use super::units::{format_unit_usd, format_usd, hours_per_month, to_f64};
use super::workload::{Backup, Current, Deployment, EngineVersion, EnvInputs, NodeLayout};

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
}

impl OptionKind {
    /// `serverless` / `node` / `upstash`.
    pub fn id(self) -> &'static str {
        match self {
            OptionKind::Serverless => "serverless",
            OptionKind::Node => "node",
            OptionKind::Upstash => "upstash",
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
    /// Resource use at peak.
    pub utilization: Utilization,
}

impl Evaluated {
    /// Whether it can serve the workload.
    pub fn feasible(&self) -> bool {
        self.exclusions.is_empty()
    }

    /// Monthly cost: the sum of its lines.
    pub fn monthly_usd(&self) -> Decimal {
        self.cost.monthly_usd()
    }

    /// The node-hour term, for node options.
    pub fn term(&self) -> Option<Term> {
        match &self.deployment {
            Deployment::Node { term, .. } => Some(*term),
            _ => None,
        }
    }

    /// Whether choosing it means a reserved commitment.
    pub fn commits(&self) -> bool {
        self.term().is_some_and(Term::is_reserved)
    }
}

/// Every option for one environment, plus what runs today.
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
}

/// The id of a deployment: `serverless/valkey`, `node/valkey/cache.r7g.large/1x2/on-demand`,
/// `node/valkey/cache.r7g.large/3x2-cluster/on-demand`, `upstash/payg`.
pub fn option_id(deployment: &Deployment, book: &PriceBook) -> String {
    match deployment {
        Deployment::Serverless { engine } => format!("serverless/{}", engine.id()),
        Deployment::Node { layout, term } => format!(
            "node/{}/{}/{}x{}{}/{}",
            layout.engine.id(),
            book.catalog.node(layout.node).name,
            layout.shards,
            1 + layout.replicas,
            if layout.cluster_mode { "-cluster" } else { "" },
            term.id()
        ),
        Deployment::Upstash { plan } => format!("upstash/{plan}"),
    }
}

/// Price and check one deployment for an environment.
pub fn assess(
    deployment: &Deployment,
    backup: &Backup,
    version: Option<&EngineVersion>,
    env: &EnvInputs,
    book: &PriceBook,
    policy: &Policy,
    as_of: NaiveDate,
) -> Result<Evaluated, ModelError> {
    let w = &env.workload;
    let (cost, exclusions, utilization, kind, notes) = match deployment {
        Deployment::Serverless { engine } => {
            let cost = cost::serverless(&env.region, *engine, w, backup, book)?;
            let (ex, ut) = capacity::check_serverless(*engine, env.app_engine, w);
            (cost, ex, ut, OptionKind::Serverless, Vec::new())
        }
        Deployment::Node { layout, term } => {
            let cost = cost::node(&env.region, layout, *term, backup, version, as_of, book)?;
            let node = book.catalog.node(layout.node);
            let (mut ex, ut) = capacity::check_node(layout, node, env.app_engine, w, policy);
            let mut notes = Vec::new();
            if env.ha && layout.engine != Engine::Memcached && layout.replicas == 0 {
                ex.push(Exclusion {
                    constraint: Constraint::Availability,
                    reason: "ha = true needs at least one replica per shard (Multi-AZ with automatic failover)".into(),
                });
            }
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
            (cost, ex, ut, OptionKind::Node, notes)
        }
        Deployment::Upstash { plan } => {
            let cost = cost::upstash(plan, w, book)?;
            let pricing = &book.upstash;
            let (caps, name) = if plan == "payg" {
                (
                    UpstashCaps::of_payg(&pricing.payg),
                    "pay-as-you-go".to_string(),
                )
            } else {
                let p = pricing
                    .plans
                    .iter()
                    .find(|p| &p.id == plan)
                    .ok_or_else(|| ModelError::UnknownUpstashPlan { plan: plan.clone() })?;
                (UpstashCaps::of_plan(p), format!("{} plan", p.name))
            };
            let commands = to_f64(cost::commands_per_month(w.requests_per_sec));
            let bandwidth = to_f64(cost::bandwidth_gb_per_month(w));
            let (ex, ut) = capacity::check_upstash(
                &name,
                &caps,
                env.app_engine,
                pricing.serves_region(&env.region),
                &env.region,
                w,
                commands,
                bandwidth,
            );
            let mut notes = Vec::new();
            if w.cross_slot_commands {
                notes.push(
                    "unverified: Upstash databases present one endpoint that is not in cluster mode, so multi-key commands across slots should work; test before relying on it".into(),
                );
            }
            (cost, ex, ut, OptionKind::Upstash, notes)
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
    })
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
    if layout.engine != Engine::Redis || book.support_period(version.major, as_of).is_some() {
        return None;
    }
    let starts = book.support_start(version.major)?;
    if starts <= as_of {
        return None;
    }
    let rate = book
        .region(&env.region)?
        .extended_support
        .get(&(layout.node, SupportPeriod::Years1To2))?;
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

/// The cheapest node of `family` (and its shard count) that holds the peak data; cluster mode
/// only when one node cannot hold it. `None` when the family has no priced node for `engine`.
fn family_layout(
    family: &str,
    engine: Engine,
    env: &EnvInputs,
    book: &PriceBook,
    policy: &Policy,
) -> Option<NodeLayout> {
    let replicas = if engine == Engine::Memcached {
        0
    } else {
        env.option_replicas()
    };
    let max_nodes = if engine == Engine::Memcached {
        MEMCACHED_MAX_NODES
    } else {
        MAX_NODES_PER_CLUSTER
    };
    let max_shards = (max_nodes / (1 + replicas)).max(1);
    let need = env.workload.peak_data_gib();
    let priced: Vec<(NodeId, Decimal)> = book
        .catalog
        .family(family)
        .filter(|(_, n)| n.supports(engine))
        .filter_map(|(id, _)| book.on_demand(&env.region, id, engine).map(|r| (id, r.usd)))
        .collect();
    let layout = |id: NodeId, shards: u32| NodeLayout {
        engine,
        node: id,
        shards,
        replicas,
        cluster_mode: engine != Engine::Memcached && shards > 1,
    };
    let fitting = priced.iter().filter_map(|&(id, hourly)| {
        let shards = capacity::shards_needed(book.catalog.node(id), need, policy);
        (shards <= max_shards).then(|| (layout(id, shards), hourly * Decimal::from(shards)))
    });
    // Prefer one shard (no cluster mode), then the lowest hourly cost, then fewer shards.
    let best = fitting.min_by(|(a, ca), (b, cb)| {
        (a.shards > 1)
            .cmp(&(b.shards > 1))
            .then(ca.cmp(cb))
            .then(a.shards.cmp(&b.shards))
    });
    if let Some((l, _)) = best {
        return Some(l);
    }
    // Nothing fits within the quota: the largest node at the most shards, excluded for memory.
    priced.last().map(|&(id, _)| layout(id, max_shards))
}

/// Price and check every option for one environment.
///
/// Options: Serverless for each engine priced in the region; for each node family and engine,
/// the cheapest node and shard count that holds the peak data, on demand and under every reserved
/// term the book has; Upstash pay-as-you-go and every flat plan. Options that cannot serve the
/// workload stay in the list, marked with the reason.
pub fn evaluate(
    env: &EnvInputs,
    book: &PriceBook,
    as_of: NaiveDate,
) -> Result<EnvEvaluation, ModelError> {
    if book.region(&env.region).is_none() {
        return Err(ModelError::UnknownRegion {
            region: env.region.clone(),
            available: book
                .region_names()
                .iter()
                .map(ToString::to_string)
                .collect(),
        });
    }
    let policy = Policy::default();
    let backup = env.option_backup();
    let mut options = Vec::new();
    let mut notes = Vec::new();

    for engine in Engine::ALL {
        if book.serverless(&env.region, engine).is_some() {
            options.push(assess(
                &Deployment::Serverless { engine },
                &backup,
                None,
                env,
                book,
                &policy,
                as_of,
            )?);
        } else {
            notes.push(format!(
                "ElastiCache Serverless {}: no embedded price for {} (capplan pricing refresh will fetch it)",
                engine.label(),
                env.region
            ));
        }
    }

    for engine in Engine::ALL {
        let mut unpriced = Vec::new();
        for family in book.catalog.families() {
            let Some(layout) = family_layout(family, engine, env, book, &policy) else {
                if book.catalog.family(family).any(|(_, n)| n.supports(engine)) {
                    unpriced.push(family);
                }
                continue;
            };
            let mut terms = vec![Term::OnDemand];
            terms.extend(book.reserved_terms(&env.region, layout.node, engine));
            for term in terms {
                let deployment = Deployment::Node { layout, term };
                options.push(assess(
                    &deployment,
                    &backup,
                    None,
                    env,
                    book,
                    &policy,
                    as_of,
                )?);
            }
        }
        if !unpriced.is_empty() {
            notes.push(format!(
                "node-based {}: no embedded price in {} for the {} famil{} (capplan pricing refresh will fetch them)",
                engine.label(),
                env.region,
                unpriced.join(", "),
                if unpriced.len() == 1 { "y" } else { "ies" }
            ));
        }
    }

    let mut plans = vec!["payg".to_string()];
    plans.extend(book.upstash.plans.iter().map(|p| p.id.clone()));
    for plan in plans {
        options.push(assess(
            &Deployment::Upstash { plan },
            &backup,
            None,
            env,
            book,
            &policy,
            as_of,
        )?);
    }

    options.sort_by(|a, b| {
        a.monthly_usd()
            .cmp(&b.monthly_usd())
            .then_with(|| a.id.cmp(&b.id))
    });

    let current = env
        .current
        .as_ref()
        .map(|c: &Current| {
            assess(
                &c.deployment,
                &c.backup,
                c.engine_version.as_ref(),
                env,
                book,
                &policy,
                as_of,
            )
        })
        .transpose()?;

    Ok(EnvEvaluation {
        inputs: env.clone(),
        options,
        current,
        notes,
    })
}
