//! The workload an environment is evaluated with when its metrics are to be used
//! (`[env.X.metrics] workload = "measured"`, the default): what CloudWatch (or a metrics file)
//! measured replaces the plan's figures, values the metrics cannot tell stay the plan's, and a
//! plan figure well above what was measured is reported, not silently dropped.

use rust_decimal::Decimal;
use serde::Serialize;

use super::observed::Observed;
use super::units::{decimal_from_f64, format_quantity};
use super::workload::{Workload, WorkloadSource};

/// A plan figure this much above the measured one is worth a note (10 %).
const DISAGREEMENT: f64 = 1.10;

/// The workload used, and what the metrics changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MeasuredWorkload {
    /// The workload to evaluate.
    pub workload: Workload,
    /// Measured ECPU/s, average (Serverless).
    pub ecpu_per_sec: Option<Decimal>,
    /// Evictions per day, measured.
    pub evictions_per_day: Option<Decimal>,
    /// The quietest hour of the day, UTC.
    pub quietest_hour_utc: Option<u8>,
    /// The workload keys the metrics set.
    pub from_metrics: Vec<&'static str>,
    /// Where the plan and the metrics disagree, and what was used.
    pub notes: Vec<String>,
}

/// A measured figure as a decimal. A figure too large for a decimal becomes the largest one
/// (it then fails [`Workload::validate`] by name), never zero; only NaN has none.
fn dec(value: f64, places: u32) -> Option<Decimal> {
    if value.is_nan() {
        return None;
    }
    Some(
        decimal_from_f64(value)
            .map_or(if value > 0.0 { Decimal::MAX } else { Decimal::ZERO }, |d| d.round_dp(places).normalize()),
    )
}

/// `plan` with the figures `observed` measured. `plan_written`: the environment has a
/// `[env.X.workload]` table (its figures are the plan's; otherwise defaults stand in for what
/// the metrics cannot tell). `days`: the window, for the per-day figures and the notes.
pub fn measured_workload(
    env: &str,
    plan: &Workload,
    plan_written: bool,
    observed: &Observed,
    source: WorkloadSource,
) -> MeasuredWorkload {
    let mut w = plan.clone();
    w.source = source;
    let mut from_metrics = Vec::new();
    let mut notes = Vec::new();
    let days = (observed.window.1.saturating_sub(observed.window.0) as f64 / 86_400.0).max(1.0 / 24.0);
    let mut higher_in_plan = |key: &str, planned: Decimal, measured: f64, unit: &str| {
        if plan_written && super::units::to_f64(planned) > measured * DISAGREEMENT {
            notes.push(format!(
                "the plan's {key} ({} {unit}) is above the measured peak ({} {unit} over {} days): the measured one is used; `workload = \"plan\"` in [env.{env}.metrics] sizes for the plan's",
                format_quantity(planned, 2),
                format_quantity(dec(measured, 2).unwrap_or_default(), 2),
                format_quantity(dec(days, 1).unwrap_or_default(), 1),
            ));
        }
    };

    if let Some(data) = observed.data_gib
        && let (Some(avg), Some(peak)) = (dec(data.avg.max(0.001), 3), dec(data.peak.max(data.avg).max(0.001), 3))
    {
        higher_in_plan("peak_data_gb", plan.peak_data_gb, data.peak, "GiB");
        w.data_gb = avg;
        w.peak_data_gb = peak;
        from_metrics.extend(["data_gb", "peak_data_gb"]);
    }
    if let Some(rps) = observed.requests_per_sec
        && let (Some(avg), Some(peak)) = (dec(rps.avg, 2), dec(rps.peak.max(rps.avg), 2))
    {
        higher_in_plan("peak_requests_per_sec", plan.peak_requests_per_sec, rps.peak, "requests/s");
        w.requests_per_sec = avg;
        w.peak_requests_per_sec = peak;
        from_metrics.extend(["requests_per_sec", "peak_requests_per_sec"]);
    }
    let ecpu_per_sec = observed.ecpu_per_sec.and_then(|e| dec(e.avg, 2));
    // ECPU per request is max(1, KB moved): above 1 it is the average size; at 1 requests
    // move at most 1 KB (CPU-heavy commands would only make the size look larger)
    if let (Some(ecpu), Some(rps)) = (observed.ecpu_per_sec, observed.requests_per_sec)
        && rps.avg > 0.0
        && w.request_sizes.is_empty()
    {
        let per_request = ecpu.avg / rps.avg;
        let kb = if per_request > 1.0 { dec(per_request, 3) } else { Some(w.avg_request_kb.min(Decimal::ONE)) };
        if let Some(kb) = kb {
            w.avg_request_kb = kb;
            from_metrics.push("avg_request_kb");
        }
    }
    if let Some(conns) = observed.connections
        && conns.peak >= 0.0
    {
        // saturates: a peak beyond u32 fails the workload's bounds by name
        let peak = conns.peak.ceil().min(f64::from(u32::MAX)) as u32;
        higher_in_plan("connections", Decimal::from(plan.connections), conns.peak, "connections");
        w.connections = peak.max(1);
        from_metrics.push("connections");
    }
    if let Some(growth) = observed.data_growth_pct_per_month.and_then(|g| dec(g.max(0.0), 1)) {
        w.growth_pct_per_month = growth;
        from_metrics.push("growth_pct_per_month");
    }
    MeasuredWorkload {
        workload: w,
        ecpu_per_sec,
        evictions_per_day: observed.evictions.and_then(|e| dec(e / days, 1)),
        quietest_hour_utc: observed.quiet_hour_utc,
        from_metrics,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::observed::Measured;
    use rust_decimal_macros::dec;

    fn observed() -> Observed {
        Observed {
            window: (0, 14 * 86_400),
            period_secs: 300,
            data_gib: Some(Measured { avg: 7.99, peak: 8.37 }),
            requests_per_sec: Some(Measured { avg: 2405.77, peak: 6638.47 }),
            ecpu_per_sec: None,
            connections: Some(Measured { avg: 301.0, peak: 402.0 }),
            evictions: Some(506.0),
            cpu_pct: None,
            network_bytes_per_sec: None,
            quiet_hour_utc: Some(3),
            data_growth_pct_per_month: Some(2.04),
        }
    }

    fn plan() -> Workload {
        Workload {
            data_gb: dec!(8),
            peak_data_gb: dec!(9),
            requests_per_sec: dec!(2500),
            peak_requests_per_sec: dec!(7500),
            connections: 400,
            avg_request_kb: dec!(1),
            ..Workload::default()
        }
    }

    #[test]
    fn measured_figures_replace_the_plans_and_a_higher_planned_peak_is_noted() {
        let m = measured_workload("prod", &plan(), true, &observed(), WorkloadSource::Cloudwatch);
        let w = &m.workload;
        assert_eq!((w.data_gb, w.peak_data_gb), (dec!(7.99), dec!(8.37)));
        assert_eq!((w.requests_per_sec, w.peak_requests_per_sec), (dec!(2405.77), dec!(6638.47)));
        assert_eq!(w.connections, 402);
        assert_eq!(w.growth_pct_per_month, dec!(2));
        assert_eq!(w.source, WorkloadSource::Cloudwatch);
        assert_eq!(w.avg_request_kb, dec!(1), "no ECPU series: the plan's size stays");
        assert_eq!(m.evictions_per_day, Some(dec!(36.1)));
        assert_eq!(m.quietest_hour_utc, Some(3));
        assert_eq!(m.notes.len(), 1, "{:?}", m.notes);
        assert!(m.notes[0].contains("peak_requests_per_sec (7,500 requests/s)"), "{:?}", m.notes);
        assert!(m.notes[0].contains("workload = \"plan\""), "{:?}", m.notes);
    }

    #[test]
    fn ecpu_per_request_above_one_is_the_request_size() {
        let mut o = observed();
        o.ecpu_per_sec = Some(Measured { avg: 2405.77 * 3.2, peak: 0.0 });
        let m = measured_workload("prod", &plan(), true, &o, WorkloadSource::Cloudwatch);
        assert_eq!(m.workload.avg_request_kb, dec!(3.2));
        o.ecpu_per_sec = Some(Measured { avg: 2405.77, peak: 0.0 });
        let mut big = plan();
        big.avg_request_kb = dec!(4);
        let m = measured_workload("prod", &big, true, &o, WorkloadSource::Cloudwatch);
        assert_eq!(m.workload.avg_request_kb, dec!(1), "1 ECPU a request: at most 1 KB moved");
    }

    #[test]
    fn issue_13_an_oversized_measured_value_fails_the_bounds_by_name_never_becomes_zero() {
        let mut o = observed();
        o.requests_per_sec = Some(Measured { avg: 1e40, peak: 1e40 });
        o.connections = Some(Measured { avg: 1e12, peak: 1e12 });
        let m = measured_workload("prod", &plan(), true, &o, WorkloadSource::File);
        assert_eq!(m.workload.requests_per_sec, Decimal::MAX, "too large for a decimal: the largest, not 0");
        assert_eq!(m.workload.connections, u32::MAX);
        assert_eq!(m.workload.validate().unwrap_err().key, "requests_per_sec");
        assert!(m.notes.iter().all(|n| !n.contains("(0 ")), "{:?}", m.notes);
        o.requests_per_sec = Some(Measured { avg: 10.0, peak: 20.0 });
        let m = measured_workload("prod", &plan(), true, &o, WorkloadSource::File);
        assert_eq!(m.workload.validate().unwrap_err().key, "connections");
    }

    #[test]
    fn without_a_written_workload_nothing_is_a_disagreement() {
        let m = measured_workload("prod", &Workload::default(), false, &observed(), WorkloadSource::File);
        assert!(m.notes.is_empty(), "{:?}", m.notes);
        assert_eq!(m.workload.source, WorkloadSource::File);
    }
}
