//! Alarms: the CloudWatch alarms to set for the recommended option, each with its threshold and why.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::capacity::fmt_f64;
use crate::model::catalog::{Engine, NodeType};
use crate::model::limits::{SERVERLESS_MAX_CONNECTIONS, SERVERLESS_MAX_DATA_GB};
use crate::model::units::{BYTES_PER_GIB, decimal_from_f64};
use crate::model::workload::NodeLayout;

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

/// Share of a hard limit (connections, Serverless data) a warning alarm fires at: the 80 % FACTS
/// gives for memory, applied to the other limits.
pub(super) const ALARM_SHARE_OF_LIMIT: Decimal = Decimal::from_parts(8, 0, 0, false, 1);

pub(super) fn node_alarms(node: &NodeType, engine: Engine, layout: &NodeLayout) -> Vec<Alarm> {
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

pub(super) fn serverless_alarms() -> Vec<Alarm> {
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
