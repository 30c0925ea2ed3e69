//! Ranking: which eligible option wins, and how options are named in the rationale.

use crate::model::evaluate::Evaluated;
use crate::model::price::PriceBook;
use crate::model::workload::Deployment;

/// Cheaper first; on a tie the one with no commitment, then fewer nodes, then the id.
pub(super) fn rank(a: &Evaluated, b: &Evaluated) -> std::cmp::Ordering {
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

pub(super) fn kind_label(option: &Evaluated, book: &PriceBook) -> String {
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

pub(super) fn family_of(option: &Evaluated, book: &PriceBook) -> String {
    match &option.deployment {
        Deployment::Node { layout, .. } => {
            format!("node/{}/{}", layout.engine.id(), book.catalog.node(layout.node).family)
        }
        Deployment::Serverless { engine } => format!("serverless/{}", engine.id()),
        Deployment::Upstash { .. } => "upstash".to_string(),
        Deployment::Split { state, .. } => format!("split/{}", state.engine.id()),
    }
}
