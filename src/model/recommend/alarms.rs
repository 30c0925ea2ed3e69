//! Alarms: the CloudWatch alarms to set for the recommended option, each with its threshold and
//! why, relative to the plan (connections against the planned peak, data and ECPU against the
//! cache's own usage limits) and to the role (`Evictions` pages where eviction is data loss).

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::capacity::{Demand, fmt_f64};
use crate::model::catalog::{Engine, NodeType};
use crate::model::units::{BYTES_PER_GIB, decimal_from_f64};
use crate::model::workload::{EnvInputs, NodeLayout, Tier};

use super::settings::UsageLimitSettings;

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

/// Share of a hard limit (connections, Serverless data and ECPU limits) a warning alarm fires at:
/// the 80 % FACTS gives for memory, applied to the other limits.
const ALARM_SHARE_OF_LIMIT: Decimal = Decimal::from_parts(8, 0, 0, false, 1);

fn alarm(metric: &str, statistic: &str, comparison: &str, threshold: Decimal, severity: &str, why: &str) -> Alarm {
    Alarm {
        metric: metric.into(),
        statistic: statistic.into(),
        comparison: comparison.into(),
        threshold,
        severity: severity.into(),
        why: why.into(),
    }
}

/// Whole units, rounded up.
fn ceil(value: f64) -> Decimal {
    decimal_from_f64(value.ceil()).unwrap_or(Decimal::MAX)
}

/// `Evictions`: critical where eviction loses data the app cannot rebuild (sessions, jobs,
/// `must_not_evict`), a warning elsewhere.
fn evictions(env: &EnvInputs) -> Alarm {
    if env.role.eviction_is_loss() || env.workload.must_not_evict {
        alarm(
            "Evictions",
            "Sum over 5 minutes",
            ">",
            Decimal::ZERO,
            "critical",
            &format!("any eviction is data loss for a {} ({})", env.role.id(), env.role.loss()),
        )
    } else {
        alarm(
            "Evictions",
            "Sum over 5 minutes",
            ">",
            Decimal::ZERO,
            "warning",
            "sustained evictions mean the dataset outgrew the cache",
        )
    }
}

/// `CurrConnections` above what the plan sized for: the planned peak, grown over the horizon and
/// divided by the headroom, and never above 80 % of the hard `limit`.
fn connections(env: &EnvInputs, demand: &Demand, limit: u32, limit_name: &str) -> Alarm {
    let hard = (Decimal::from(limit) * ALARM_SHARE_OF_LIMIT).round();
    let planned = ceil(demand.connections / env.policy.headroom);
    if demand.connections > 0.0 && planned < hard {
        alarm(
            "CurrConnections",
            "Maximum over 5 minutes",
            ">=",
            planned,
            "warning",
            &format!(
                "above the planned peak of {} connections with the {} headroom: the plan no longer holds (a connection leak, or clients that do not reuse connections)",
                fmt_f64(demand.connections),
                crate::model::capacity::pct(env.policy.headroom)
            ),
        )
    } else {
        alarm(
            "CurrConnections",
            "Maximum over 5 minutes",
            ">=",
            hard,
            "warning",
            &format!("80 % of {limit_name} (capplan rule of thumb, as for memory)"),
        )
    }
}

/// `NewConnections` for clients that churn connections (Lambda): above the planned rate, or —
/// when the plan gives none — more new connections in 5 minutes than the planned open ones.
fn new_connections(env: &EnvInputs, demand: &Demand) -> Option<Alarm> {
    let w = &env.workload;
    if !w.churns_connections() {
        return None;
    }
    let five_minutes = 300.0;
    Some(match w.new_connections_per_sec {
        Some(rate) if rate > Decimal::ZERO => alarm(
            "NewConnections",
            "Sum over 5 minutes",
            ">",
            ceil(crate::model::units::to_f64(rate) * demand.growth * five_minutes / env.policy.headroom),
            "warning",
            &format!(
                "above the planned {}/s with the headroom: each new connection costs a handshake (TLS: engine CPU); reuse clients across invocations",
                rate.normalize()
            ),
        ),
        _ => alarm(
            "NewConnections",
            "Sum over 5 minutes",
            ">",
            ceil(demand.connections.max(1.0)),
            "warning",
            "more new connections in 5 minutes than the planned open connections: clients are not reusing them (create the client outside the Lambda handler)",
        ),
    })
}

/// Outside production nobody is paged: critical alarms become warnings.
fn by_tier(mut alarms: Vec<Alarm>, tier: Tier) -> Vec<Alarm> {
    if tier != Tier::Production {
        for a in alarms.iter_mut().filter(|a| a.severity == "critical") {
            a.severity = "warning".into();
            a.why = format!("{} ({} tier: a warning, not a page)", a.why, tier.id());
        }
    }
    alarms
}

pub(super) fn node_alarms(node: &NodeType, layout: &NodeLayout, env: &EnvInputs, demand: &Demand) -> Vec<Alarm> {
    let engine = layout.engine;
    let mut out = Vec::new();
    if engine != Engine::Memcached {
        out.push(alarm(
            "DatabaseMemoryUsagePercentage",
            "Average over 5 minutes",
            ">=",
            Decimal::from(80),
            "warning",
            "rule of thumb: warn at 80 % of maxmemory",
        ));
        let noeviction = env.role.eviction_is_loss() || env.workload.must_not_evict;
        out.push(alarm(
            "DatabaseMemoryUsagePercentage",
            "Average over 5 minutes",
            ">=",
            Decimal::from(90),
            "critical",
            if noeviction {
                "rule of thumb: critical at 90 %; with noeviction, writes fail with OOM when it is full"
            } else {
                "rule of thumb: critical at 90 %; evictions follow"
            },
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
    out.push(evictions(env));
    out.push(connections(env, demand, node.maxclients, &format!("maxclients {}", node.maxclients)));
    out.extend(new_connections(env, demand));
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
    by_tier(out, env.tier)
}

pub(super) fn serverless_alarms(env: &EnvInputs, demand: &Demand, limits: &UsageLimitSettings) -> Vec<Alarm> {
    let bytes = limits.max_data_gb * Decimal::from(BYTES_PER_GIB);
    let mut out = vec![
        alarm(
            "ThrottledCmds",
            "Sum over 5 minutes",
            ">",
            Decimal::ZERO,
            "critical",
            "requests throttled while the cache scales or at its max_ecpu_per_sec limit",
        ),
        evictions(env),
        alarm(
            "BytesUsedForCache",
            "Maximum over 5 minutes",
            ">=",
            (bytes * ALARM_SHARE_OF_LIMIT).round(),
            "warning",
            &format!(
                "80 % of the cache's max_data_gb limit of {} GB (bytes; at the limit keys with a TTL are evicted and other writes fail; capplan rule of thumb, as for memory)",
                limits.max_data_gb
            ),
        ),
        alarm(
            "ElastiCacheProcessingUnits",
            "Sum over 1 minute",
            ">=",
            (limits.max_ecpu_per_sec * Decimal::from(60) * ALARM_SHARE_OF_LIMIT).round(),
            "warning",
            &format!(
                "80 % of the cache's max_ecpu_per_sec limit of {} for a minute (ECPU per minute; above the limit commands are throttled)",
                limits.max_ecpu_per_sec
            ),
        ),
        connections(
            env,
            demand,
            crate::model::limits::SERVERLESS_MAX_CONNECTIONS,
            &format!("the {}-connection maximum", fmt_f64(f64::from(crate::model::limits::SERVERLESS_MAX_CONNECTIONS))),
        ),
    ];
    out.extend(new_connections(env, demand));
    by_tier(out, env.tier)
}
