//! Nothing fits: the closest option and what would make something fit.

use serde::Serialize;

use crate::model::capacity::{self, Constraint, fmt_f64, max_nodes, pct};
use crate::model::evaluate::Evaluated;
use crate::model::limits::SERVERLESS_MAX_CONNECTIONS;
use crate::model::price::PriceBook;
use crate::model::units::format_usd;
use crate::model::workload::{Deployment, EnvInputs};

use super::rank::rank;

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

pub(super) fn nothing_fits(env: &EnvInputs, options: &[Evaluated], book: &PriceBook) -> NothingFits {
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
