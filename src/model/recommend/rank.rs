//! Ranking: which eligible option wins, and how options are named in the rationale.
//!
//! The order an expert would apply: options that break nothing and that the commit policy
//! allows; among them, those without a last-resort reservation (cluster mode for a client that
//! may not follow it…) unless nothing else fits; the cheapest of those; then, when the cheapest is
//! node-based, the simplest node layout (fewest shards, then nodes, cluster mode off, fewest
//! client requirements) that costs at most the policy's simplicity margin more.

use rust_decimal::Decimal;

use super::eligible;
use crate::model::catalog::Engine;
use crate::model::evaluate::{Evaluated, OptionKind};
use crate::model::price::PriceBook;
use crate::model::workload::{Deployment, EnvInputs};

/// The shape that makes a layout harder to run: shards, nodes, cluster mode, and what the client
/// must do. Serverless and Upstash have none.
pub(super) fn complexity(o: &Evaluated) -> (u32, u32, bool, usize) {
    let (shards, nodes, cluster) = match &o.deployment {
        Deployment::Node { layout, .. } => (layout.shards, layout.nodes(), layout.cluster_mode),
        Deployment::Split { adapter, state, .. } => {
            (adapter.shards + state.shards, adapter.nodes() + state.nodes(), adapter.cluster_mode || state.cluster_mode)
        }
        _ => (0, 0, false),
    };
    (shards, nodes, cluster, o.requirements.len())
}

/// Cheaper first; on a tie the one with no commitment, then fewer shards and nodes, cluster mode
/// off, then the id.
pub(super) fn rank(a: &Evaluated, b: &Evaluated) -> std::cmp::Ordering {
    rank_by(a, b, Evaluated::monthly_usd)
}

fn rank_by(a: &Evaluated, b: &Evaluated, cost: fn(&Evaluated) -> Decimal) -> std::cmp::Ordering {
    let (sa, na, ca, _) = complexity(a);
    let (sb, nb, cb, _) = complexity(b);
    cost(a)
        .cmp(&cost(b))
        .then(a.commits().cmp(&b.commits()))
        .then(sa.cmp(&sb))
        .then(na.cmp(&nb))
        .then(ca.cmp(&cb))
        .then_with(|| a.id.cmp(&b.id))
}

/// What the ranking decided.
pub(super) struct Choice<'a> {
    /// The recommended option.
    pub winner: &'a Evaluated,
    /// The cheapest option it was chosen against (the winner itself, or a cheaper one within the
    /// simplicity margin).
    pub cheapest: &'a Evaluated,
    /// Nothing without a last-resort reservation fits, so the winner has one.
    pub last_resort: bool,
    /// Cheaper eligible options set aside because they are a last resort.
    pub set_aside: Vec<&'a Evaluated>,
}

/// Choose among `options` with `cost` as each option's monthly cost (the full cost, or the cost
/// without unverified lines). `None` when nothing is eligible.
pub(super) fn choose<'a>(
    env: &EnvInputs,
    options: &'a [Evaluated],
    cost: fn(&Evaluated) -> Decimal,
) -> Option<Choice<'a>> {
    let eligible: Vec<&Evaluated> = options.iter().filter(|o| eligible(o, env)).collect();
    let preferred: Vec<&Evaluated> = eligible.iter().copied().filter(|o| o.last_resort.is_empty()).collect();
    let last_resort = preferred.is_empty();
    let pool = if last_resort { &eligible } else { &preferred };
    let cheapest = pool.iter().copied().min_by(|a, b| rank_by(a, b, cost))?;
    let set_aside: Vec<&Evaluated> = if last_resort {
        Vec::new()
    } else {
        eligible.iter().copied().filter(|o| !o.last_resort.is_empty() && cost(o) < cost(cheapest)).collect()
    };
    let is_nodes = |o: &Evaluated| matches!(o.kind, OptionKind::Node | OptionKind::Split);
    let winner = if is_nodes(cheapest) {
        let limit = cost(cheapest) * (Decimal::ONE + env.policy.simplicity_margin);
        pool.iter()
            .copied()
            .filter(|o| is_nodes(o) && cost(o) <= limit)
            .min_by(|a, b| complexity(a).cmp(&complexity(b)).then_with(|| rank_by(a, b, cost)))
            .unwrap_or(cheapest)
    } else {
        cheapest
    };
    Some(Choice { winner, cheapest, last_resort, set_aside })
}

/// The runner-up: the cheapest eligible option of another family (node type family, Serverless
/// engine, Upstash, split) than the winner.
pub(super) fn runner_up<'a>(
    env: &EnvInputs,
    options: &'a [Evaluated],
    winner: &Evaluated,
    book: &PriceBook,
) -> Option<&'a Evaluated> {
    let family = family_of(winner, book);
    options
        .iter()
        .filter(|o| eligible(o, env) && o.id != winner.id && family_of(o, book) != family)
        .min_by(|a, b| rank(a, b))
}

/// Why a feasible option at most as dear as the winner is not the recommendation, for every such
/// option: the commit policy, a last resort, the simplicity margin, or a tie lost.
pub(super) fn passed_over(env: &EnvInputs, options: &[Evaluated], choice: &Choice<'_>) -> Vec<PassedOver> {
    let winner = choice.winner;
    options
        .iter()
        .filter(|o| o.feasible() && o.id != winner.id && o.monthly_usd() <= winner.monthly_usd())
        .map(|o| {
            let reason = if !eligible(o, env) {
                match o.term() {
                    Some(t @ crate::model::price::Term::Reserved(..)) => match env.commit.length {
                        None => format!("{} reservation; the plan allows none (commit = \"none\")", t.id()),
                        Some(_) => format!(
                            "{} reservation; the plan allows commit = \"{}\", commit_payment = \"{}\"",
                            t.id(),
                            env.commit.id(),
                            env.commit.payment.id()
                        ),
                    },
                    _ => "not allowed by the plan's policy".to_string(),
                }
            } else if !o.last_resort.is_empty() && !choice.last_resort {
                format!("a last resort: {}", o.last_resort.join("; "))
            } else if o.monthly_usd() == winner.monthly_usd() {
                "same cost: the simpler layout wins the tie".to_string()
            } else {
                let (s, n, _, _) = complexity(o);
                format!(
                    "{} shard{} and {} node{}: the recommendation is simpler and within the {} simplicity margin",
                    s,
                    if s == 1 { "" } else { "s" },
                    n,
                    if n == 1 { "" } else { "s" },
                    crate::model::capacity::pct(crate::model::units::to_f64(env.policy.simplicity_margin))
                )
            };
            PassedOver { option_id: o.id.clone(), reason }
        })
        .collect()
}

/// A feasible option at most as dear as the recommendation, and why it is not it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PassedOver {
    /// The option.
    pub option_id: String,
    /// Why not.
    pub reason: String,
}

pub(super) fn kind_label(option: &Evaluated, book: &PriceBook) -> String {
    match &option.deployment {
        Deployment::Serverless { engine, .. } => format!("ElastiCache Serverless {}", engine.label()),
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

/// The family of `option`, for the runner-up.
pub(super) fn family_of<'b>(option: &Evaluated, book: &'b PriceBook) -> Family<'b> {
    match &option.deployment {
        Deployment::Node { layout, .. } => Family::Node(layout.engine, &book.catalog.node(layout.node).family),
        Deployment::Serverless { engine, .. } => Family::Serverless(*engine),
        Deployment::Upstash { .. } => Family::Upstash,
        Deployment::Split { state, .. } => Family::Split(state.engine),
    }
}

/// What the runner-up must differ in from the winner: a node type family of an engine, a
/// Serverless engine, Upstash, or a split deployment of an engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Family<'b> {
    /// Node-based: engine and node type family (`r7g`).
    Node(Engine, &'b str),
    /// Serverless, by engine.
    Serverless(Engine),
    /// Upstash, any plan.
    Upstash,
    /// Split adapter + state, by the state's engine.
    Split(Engine),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::capacity::Utilization;
    use crate::model::catalog::{Engine, NodeId};
    use crate::model::cost::{CostBreakdown, Line, Unit};
    use crate::model::price::{PriceKind, Provenance, Term};
    use crate::model::workload::{NodeLayout, Workload};
    use rust_decimal::Decimal;
    use std::sync::Arc;

    fn option(id: &str, shards: u32, usd: i64) -> Evaluated {
        let layout = NodeLayout {
            engine: Engine::Valkey,
            node: NodeId(0),
            shards,
            replicas: 1,
            cluster_mode: shards > 1,
            replica_reads: false,
        };
        let source = Arc::new(Provenance {
            kind: PriceKind::Derived,
            source_id: "t".into(),
            source: "test".into(),
            date: "2026".into(),
            note: None,
        });
        let line = Line {
            part: None,
            item: "nodes".into(),
            quantity: Decimal::ONE,
            unit: Unit::Month,
            unit_usd: Decimal::from(usd),
            source,
            unverified: None,
        };
        Evaluated {
            id: id.into(),
            kind: OptionKind::Node,
            deployment: Deployment::Node { layout, term: Term::OnDemand },
            cost: CostBreakdown { lines: vec![line], ..CostBreakdown::default() },
            exclusions: Vec::new(),
            notes: Vec::new(),
            utilization: Utilization::default(),
            last_resort: Vec::new(),
            requirements: Vec::new(),
            monthly: Decimal::from(usd),
        }
    }

    fn env(margin: Decimal) -> EnvInputs {
        let mut e = EnvInputs::new("t", "us-east-1", Engine::Valkey, true, Workload::default());
        e.policy.simplicity_margin = margin;
        e
    }

    #[test]
    fn at_a_tie_fewer_shards_and_cluster_mode_off_win() {
        let options = [option("a-cluster", 2, 100), option("b-single", 1, 100)];
        let choice = choose(&env(Decimal::ZERO), &options, Evaluated::monthly_usd).unwrap();
        assert_eq!(choice.winner.id, "b-single");
    }

    #[test]
    fn a_simpler_layout_within_the_margin_beats_a_cheaper_one_and_not_beyond() {
        let options = [option("cluster", 3, 100), option("single", 1, 104)];
        let within = choose(&env(Decimal::new(5, 2)), &options, Evaluated::monthly_usd).unwrap();
        assert_eq!((within.winner.id.as_str(), within.cheapest.id.as_str()), ("single", "cluster"));
        let beyond = [option("cluster", 3, 100), option("single", 1, 106)];
        let choice = choose(&env(Decimal::new(5, 2)), &beyond, Evaluated::monthly_usd).unwrap();
        assert_eq!(choice.winner.id, "cluster");
    }

    #[test]
    fn a_last_resort_wins_only_when_nothing_else_is_eligible() {
        let mut cluster = option("cluster", 2, 50);
        cluster.last_resort.push("cluster mode: the client must be cluster-aware".into());
        let options = [cluster.clone(), option("single", 1, 90)];
        let choice = choose(&env(Decimal::ZERO), &options, Evaluated::monthly_usd).unwrap();
        assert_eq!(choice.winner.id, "single");
        assert_eq!(choice.set_aside.len(), 1);
        let alone = [cluster];
        let choice = choose(&env(Decimal::ZERO), &alone, Evaluated::monthly_usd).unwrap();
        assert!(choice.last_resort && choice.winner.id == "cluster");
    }
}
