//! Risks: what breaks first as load grows (with the months to the limit), and what to know about the
//! chosen kind of deployment.

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::capacity::{self, Demand, Policy, Utilization, fmt_f64, node_utilization, pct, usable_memory_gib};
use crate::model::catalog::Engine;
use crate::model::evaluate::{Evaluated, OptionKind, max_utilization};
use crate::model::price::PriceBook;
use crate::model::units::{format_usd, to_f64};
use crate::model::workload::{Deployment, EnvInputs, Role};

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

pub(super) fn months_until(used: f64, limit: f64, monthly_growth: f64) -> Option<f64> {
    if used <= 0.0 || monthly_growth <= 0.0 {
        return None;
    }
    if used >= limit {
        return Some(0.0);
    }
    Some((limit / used).ln() / (1.0 + monthly_growth).ln())
}

pub(super) fn risks(env: &EnvInputs, winner: &Evaluated, book: &PriceBook, as_of: NaiveDate) -> Vec<Risk> {
    let w = &env.workload;
    let g = to_f64(w.growth_pct_per_month) / 100.0;
    let today_policy = Policy { horizon_months: 0, ..env.policy.clone() };
    let today = Demand::of(w, &today_policy);
    let (u, limit, limit_name) = match &winner.deployment {
        Deployment::Node { layout, .. } => (
            node_utilization(layout, book.catalog.node(layout.node), &today, &env.policy, None),
            env.policy.headroom,
            format!("the {} planning limit", pct(env.policy.headroom)),
        ),
        Deployment::Split { adapter, state, .. } => {
            let a = node_utilization(adapter, book.catalog.node(adapter.node), &today.pubsub_only(), &env.policy, None);
            let s = node_utilization(state, book.catalog.node(state.node), &today.without_pubsub(), &env.policy, None);
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

pub(super) fn qualitative_risks(env: &EnvInputs, winner: &Evaluated, book: &PriceBook) -> Vec<Risk> {
    let w = &env.workload;
    let mut out = Vec::new();
    let risk = |resource: &str, message: String| Risk {
        resource: resource.into(),
        message,
        months_to_limit: None,
        date: None,
    };
    let spiky = capacity::is_spiky(w);
    let holds_state = env.role.eviction_is_loss() || w.must_not_evict;
    if !w.tls && winner.kind != OptionKind::Upstash {
        out.push(risk(
            "security",
            if holds_state || env.role == Role::SessionStore {
                format!(
                    "transit encryption is off (tls = false) for a {} that holds user data: session tokens cross the network in clear text; turn on in-transit encryption and connect with rediss://",
                    env.role.id()
                )
            } else {
                "transit encryption is off (tls = false): traffic crosses the network in clear text".to_string()
            },
        ));
    }
    let retention = env.snapshot_retention_days;
    let backs_up = !matches!(winner.kind, OptionKind::Upstash) && winner.deployment.engine() != Engine::Memcached;
    if holds_state && backs_up && retention == 0 {
        let replicas = match &winner.deployment {
            Deployment::Node { layout, .. } => layout.replicas,
            Deployment::Split { state, .. } => state.replicas,
            _ => 1,
        };
        out.push(risk(
            "durability",
            if replicas == 0 {
                format!(
                    "a {} with no snapshots and no replica loses everything when its node fails or is replaced ({}); keep at least one snapshot a day (the first one is free)",
                    env.role.id(),
                    env.role.loss()
                )
            } else {
                format!(
                    "a {} with no snapshots cannot be restored after a bad deploy or a deleted key pattern ({}); keep at least one snapshot a day (the first one is free)",
                    env.role.id(),
                    env.role.loss()
                )
            },
        ));
    }
    if w.churns_connections() {
        let small = match &winner.deployment {
            Deployment::Node { layout, .. } => Some(book.catalog.node(layout.node)),
            Deployment::Split { state, .. } => Some(book.catalog.node(state.node)),
            _ => None,
        }
        .filter(|n| n.vcpu < 4);
        out.push(risk(
            "connections",
            match (small, w.tls) {
                (Some(node), true) => format!(
                    "Lambda clients open connections often: each one is a TLS handshake on the engine's CPU, and {} (under 4 vCPU) has no enhanced I/O or TLS offload; reuse the client across invocations and watch NewConnections",
                    node.name
                ),
                _ => "Lambda clients open connections often: reuse the client across invocations (create it outside the handler) and watch NewConnections".to_string(),
            },
        ));
    }
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
                    format!(
                        "unverified: how pub/sub deliveries are metered is not published; priced at the high end ({}/month), {}/month if they are not metered; check the first bill",
                        format_usd(winner.monthly_usd()),
                        format_usd(winner.verified_monthly_usd())
                    ),
                ));
            }
            if holds_state {
                out.push(risk(
                    "eviction",
                    format!(
                        "Serverless cannot be set to noeviction: at max_data_gb it evicts keys with a TTL, and {}; keep the limit well above the data",
                        env.role.loss()
                    ),
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
                "Upstash runs outside your VPC: traffic leaves AWS's private network; from private subnets it goes through a NAT gateway (NAT processing and data transfer out are billed by AWS, not priced here)".into(),
            ));
            if !env.ha {
                out.push(risk(
                    "availability",
                    "single zone: without the Prod Pack an Upstash database has no multi-zone high availability".into(),
                ));
            }
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
