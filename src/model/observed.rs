//! Observed: the workload measured by CloudWatch metrics (averages, peaks, quietest hour) and
//! the downsampling that lets a chart of 15 days of 1-minute points draw as fast as a short one.

use serde::Serialize;

use super::units::BYTES_PER_GIB;

/// One metric's time series, as a `GetMetricData` result: timestamps in epoch seconds, ascending.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricSeries {
    /// Query id.
    pub id: String,
    /// `AWS/ElastiCache` metric name, e.g. `BytesUsedForCache`.
    pub metric: String,
    /// Statistic: `Average`, `Sum`, `Maximum`…
    pub stat: String,
    /// `Name=Value` of the dimensions, e.g. `CacheClusterId=shop-prod-0001-001`.
    pub dimension: String,
    /// Period, seconds.
    pub period_secs: u32,
    /// `(epoch seconds, value)`, ascending by time.
    pub points: Vec<(i64, f64)>,
}

/// A workload figure measured over the window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Measured {
    /// Average over the window.
    pub avg: f64,
    /// Highest period value.
    pub peak: f64,
}

/// The workload derived from metrics.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Observed {
    /// First and last timestamp, epoch seconds.
    pub window: (i64, i64),
    /// Period of the finest series, seconds.
    pub period_secs: u32,
    /// Data (BytesUsedForCache), GiB.
    pub data_gib: Option<Measured>,
    /// Requests per second (TotalCmdsCount, or the sum of the `*Cmds` families).
    pub requests_per_sec: Option<Measured>,
    /// ECPU per second (ElastiCacheProcessingUnits), Serverless.
    pub ecpu_per_sec: Option<Measured>,
    /// Connections (CurrConnections), per node.
    pub connections: Option<Measured>,
    /// Evictions in the window (sum).
    pub evictions: Option<f64>,
    /// Engine CPU, percent (EngineCPUUtilization, or CPUUtilization).
    pub cpu_pct: Option<Measured>,
    /// Network in + out, bytes per second.
    pub network_bytes_per_sec: Option<Measured>,
    /// Lowest-traffic hour of the day, UTC.
    pub quiet_hour_utc: Option<u8>,
    /// Data growth, percent a month: the least-squares trend of the data series over a window
    /// of at least 7 days, as a share of its average (`None` on a shorter window).
    pub data_growth_pct_per_month: Option<f64>,
}

/// The charts a metrics file can fill, in display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Chart {
    /// Requests per second.
    Requests,
    /// ECPU per second (Serverless).
    Ecpu,
    /// Data, GiB.
    Memory,
    /// Evictions per period.
    Evictions,
    /// Connections.
    Connections,
    /// Engine CPU, percent.
    Cpu,
    /// Network, Gbps.
    Network,
}

impl Chart {
    /// Every chart, in display order.
    pub const ALL: [Chart; 7] =
        [Chart::Ecpu, Chart::Memory, Chart::Evictions, Chart::Connections, Chart::Cpu, Chart::Network, Chart::Requests];

    /// Stable id (reports): `requests_per_sec`, `memory_gib`…
    pub fn id(self) -> &'static str {
        match self {
            Chart::Requests => "requests_per_sec",
            Chart::Ecpu => "ecpu_per_sec",
            Chart::Memory => "memory_gib",
            Chart::Evictions => "evictions",
            Chart::Connections => "connections",
            Chart::Cpu => "cpu_pct",
            Chart::Network => "network_gbps",
        }
    }

    /// Title with unit.
    pub fn title(self) -> &'static str {
        match self {
            Chart::Requests => "requests/s",
            Chart::Ecpu => "ECPU/s",
            Chart::Memory => "memory GiB",
            Chart::Evictions => "evictions",
            Chart::Connections => "connections",
            Chart::Cpu => "engine CPU %",
            Chart::Network => "network Gbps",
        }
    }
}

/// Everything drawn from one metrics file: combined series per chart and the observed workload.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricsData {
    /// Where the series came from (file name, or "example").
    pub origin: String,
    /// Combined series per chart, `(epoch seconds, value)` ascending.
    pub charts: Vec<(Chart, Vec<(i64, f64)>)>,
    /// The derived workload.
    pub observed: Observed,
}

impl MetricsData {
    /// The series of one chart.
    pub fn chart(&self, chart: Chart) -> Option<&[(i64, f64)]> {
        self.charts.iter().find(|(c, _)| *c == chart).map(|(_, s)| s.as_slice())
    }
}

const GIB: f64 = BYTES_PER_GIB as f64;

fn is_command_family(metric: &str) -> bool {
    metric.ends_with("Cmds") && metric != "ThrottledCmds" && metric != "TotalCmdsCount"
}

/// Combine series point by point (same timestamps summed or maxed).
fn combine(
    series: &[&MetricSeries],
    how: fn(f64, f64) -> f64,
    scale: impl Fn(&MetricSeries, f64) -> f64,
) -> Vec<(i64, f64)> {
    merge(series.iter().map(|s| s.points.iter().map(|&(t, v)| (t, scale(s, v)))), how)
}

/// Merge point lists by timestamp, ascending, folding equal timestamps with `how`.
fn merge<I: IntoIterator<Item = (i64, f64)>>(
    lists: impl Iterator<Item = I>,
    how: fn(f64, f64) -> f64,
) -> Vec<(i64, f64)> {
    let mut all: Vec<(i64, f64)> = lists.flatten().collect();
    // stable, and linear on lists already in order: points of one timestamp fold in the order
    // they came, as they would into a map
    all.sort_by_key(|p| p.0);
    let mut merged: Vec<(i64, f64)> = Vec::with_capacity(all.len());
    for (t, v) in all {
        match merged.last_mut() {
            Some(last) if last.0 == t => last.1 = how(last.1, v),
            _ => merged.push((t, v)),
        }
    }
    merged
}

fn measure(points: &[(i64, f64)]) -> Option<Measured> {
    if points.is_empty() {
        return None;
    }
    let sum: f64 = points.iter().map(|p| p.1).sum();
    let peak = points.iter().map(|p| p.1).fold(f64::MIN, f64::max);
    Some(Measured { avg: sum / points.len() as f64, peak })
}

/// Seconds in the 730-hour month.
const SECONDS_PER_MONTH: f64 = 730.0 * 3600.0;
/// The shortest window a growth trend is read from.
const GROWTH_MIN_WINDOW_SECS: i64 = 7 * 86_400;

/// The least-squares slope of `points`, percent of their average a month (`None` under 7 days).
fn growth_pct_per_month(points: &[(i64, f64)]) -> Option<f64> {
    let (first, last) = (points.first()?.0, points.last()?.0);
    if last.saturating_sub(first) < GROWTH_MIN_WINDOW_SECS {
        return None;
    }
    let n = points.len() as f64;
    let mean_t = points.iter().map(|p| p.0.saturating_sub(first) as f64).sum::<f64>() / n;
    let mean_v = points.iter().map(|p| p.1).sum::<f64>() / n;
    if mean_v <= 0.0 {
        return None;
    }
    let (mut cov, mut var) = (0.0, 0.0);
    for &(t, v) in points {
        let dt = t.saturating_sub(first) as f64 - mean_t;
        cov += dt * (v - mean_v);
        var += dt * dt;
    }
    (var > 0.0).then(|| cov / var * SECONDS_PER_MONTH / mean_v * 100.0)
}

fn quiet_hour(points: &[(i64, f64)]) -> Option<u8> {
    if points.is_empty() {
        return None;
    }
    let mut sums = [0.0f64; 24];
    let mut counts = [0u32; 24];
    for &(t, v) in points {
        let hour = usize::try_from(t.rem_euclid(86_400) / 3600).unwrap_or(0);
        sums[hour] += v;
        counts[hour] += 1;
    }
    (0..24)
        .filter(|h| counts[*h] > 0)
        .min_by(|a, b| (sums[*a] / f64::from(counts[*a])).total_cmp(&(sums[*b] / f64::from(counts[*b]))))
        .and_then(|h| u8::try_from(h).ok())
}

/// Derive the charts and the observed workload from a metrics file's series.
///
/// Requests/s: `TotalCmdsCount`, else the sum of the `<Family>Cmds` series, else (Memcached)
/// of the `Cmd<Name>` series (Sum per period ÷ period). Data: `BytesUsedForCache` summed over
/// the series (export the primaries of a node-based cluster), else (Memcached)
/// `BytesUsedForCacheItems` summed over the nodes. Connections and CPU: the busiest node. Evictions: summed. Network:
/// `NetworkBytesIn` + `NetworkBytesOut` of the busiest node.
pub fn derive(series: &[MetricSeries], origin: &str) -> MetricsData {
    let by = |name: &str| series.iter().filter(|s| s.metric == name).collect::<Vec<_>>();
    let per_sec = |s: &MetricSeries, v: f64| if s.stat == "Sum" { v / f64::from(s.period_secs.max(1)) } else { v };
    let mut charts = Vec::new();

    let total = by("TotalCmdsCount");
    let families: Vec<&MetricSeries> = series.iter().filter(|s| is_command_family(&s.metric)).collect();
    // Memcached names its commands `Cmd<Name>` and its data `BytesUsedForCacheItems`
    let memcached_cmds: Vec<&MetricSeries> =
        series.iter().filter(|s| s.metric.starts_with("Cmd") && s.metric.len() > 3).collect();
    let requests = if !total.is_empty() {
        combine(&total, |a, b| a + b, per_sec)
    } else if !families.is_empty() {
        combine(&families, |a, b| a + b, per_sec)
    } else {
        combine(&memcached_cmds, |a, b| a + b, per_sec)
    };
    let ecpu = combine(&by("ElastiCacheProcessingUnits"), |a, b| a + b, per_sec);
    let mut data_series = by("BytesUsedForCache");
    if data_series.is_empty() {
        data_series = by("BytesUsedForCacheItems");
    }
    let memory = combine(&data_series, |a, b| a + b, |_, v| v / GIB);
    let evictions = combine(&by("Evictions"), |a, b| a + b, |_, v| v);
    let connections = combine(&by("CurrConnections"), f64::max, |_, v| v);
    let mut cpu_series = by("EngineCPUUtilization");
    if cpu_series.is_empty() {
        cpu_series = by("CPUUtilization");
    }
    let cpu = combine(&cpu_series, f64::max, |_, v| v);
    // in + out per node, then the busiest node at each point
    let mut net_by_node: std::collections::BTreeMap<&str, Vec<&MetricSeries>> = std::collections::BTreeMap::new();
    for s in series.iter().filter(|s| s.metric == "NetworkBytesIn" || s.metric == "NetworkBytesOut") {
        net_by_node.entry(s.dimension.as_str()).or_default().push(s);
    }
    let network = merge(net_by_node.values().map(|node| combine(node, |a, b| a + b, per_sec)), f64::max);

    let observed = Observed {
        window: (
            series.iter().filter_map(|s| s.points.first().map(|p| p.0)).min().unwrap_or(0),
            series.iter().filter_map(|s| s.points.last().map(|p| p.0)).max().unwrap_or(0),
        ),
        period_secs: series.iter().map(|s| s.period_secs).min().unwrap_or(0),
        data_gib: measure(&memory),
        requests_per_sec: measure(&requests),
        ecpu_per_sec: measure(&ecpu),
        connections: measure(&connections),
        evictions: (!evictions.is_empty()).then(|| evictions.iter().map(|p| p.1).sum()),
        cpu_pct: measure(&cpu),
        network_bytes_per_sec: measure(&network),
        quiet_hour_utc: quiet_hour(if requests.is_empty() { &cpu } else { &requests }),
        data_growth_pct_per_month: growth_pct_per_month(&memory),
    };
    for (chart, points) in [
        (Chart::Requests, requests),
        (Chart::Ecpu, ecpu),
        (Chart::Memory, memory),
        (Chart::Evictions, evictions),
        (Chart::Connections, connections),
        (Chart::Cpu, cpu),
        (Chart::Network, network.into_iter().map(|(t, v)| (t, v * 8.0 / 1e9)).collect()),
    ] {
        if !points.is_empty() {
            charts.push((chart, points));
        }
    }
    MetricsData { origin: origin.to_string(), charts, observed }
}

/// (bucket, lowest point, highest point) of the bucket being filled.
type Bucket = (usize, (i64, f64), (i64, f64));

/// Points of `series` within `[from, to]`, reduced to at most `2 × buckets` points by keeping the
/// minimum and maximum of each bucket (peaks survive). O(n) on the window; a window of 15 days
/// of 1-minute points draws as fast as a short one.
pub fn downsample(series: &[(i64, f64)], from: i64, to: i64, buckets: usize) -> Vec<(f64, f64)> {
    let start = series.partition_point(|p| p.0 < from);
    let end = series.partition_point(|p| p.0 <= to);
    let window = series.get(start..end).unwrap_or_default();
    if buckets == 0 || window.is_empty() {
        return Vec::new();
    }
    if window.len() <= buckets * 2 {
        return window.iter().map(|&(t, v)| (t as f64, v)).collect();
    }
    let span = to.saturating_sub(from).max(1) as f64;
    let mut out = Vec::with_capacity(buckets * 2);
    let mut current: Option<Bucket> = None;
    let flush = |out: &mut Vec<(f64, f64)>, lo: (i64, f64), hi: (i64, f64)| {
        let (a, b) = if lo.0 <= hi.0 { (lo, hi) } else { (hi, lo) };
        out.push((a.0 as f64, a.1));
        if b.0 != a.0 {
            out.push((b.0 as f64, b.1));
        }
    };
    for &(t, v) in window {
        let bucket = ((t.saturating_sub(from) as f64 / span) * buckets as f64).floor() as usize;
        match &mut current {
            Some((b, lo, hi)) if *b == bucket.min(buckets - 1) => {
                if v < lo.1 {
                    *lo = (t, v);
                }
                if v > hi.1 {
                    *hi = (t, v);
                }
            }
            _ => {
                if let Some((_, lo, hi)) = current.take() {
                    flush(&mut out, lo, hi);
                }
                current = Some((bucket.min(buckets - 1), (t, v), (t, v)));
            }
        }
    }
    if let Some((_, lo, hi)) = current {
        flush(&mut out, lo, hi);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_folds_each_timestamp_in_the_order_its_points_came() {
        // the map it replaced: the reference, bit for bit (float sums depend on their order)
        fn by_map(lists: &[Vec<(i64, f64)>], how: fn(f64, f64) -> f64) -> Vec<(i64, f64)> {
            let mut merged = std::collections::BTreeMap::new();
            for &(t, v) in lists.iter().flatten() {
                merged.entry(t).and_modify(|x| *x = how(*x, v)).or_insert(v);
            }
            merged.into_iter().collect()
        }
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..200 {
            let lists: Vec<Vec<(i64, f64)>> = (0..=round % 5)
                .map(|_| {
                    let mut list: Vec<(i64, f64)> = (0..next() % 40)
                        .map(|_| {
                            let t = i64::try_from(next() % 12).unwrap() * 60;
                            let v = [1e16, 1.0, -1e16, 0.1, 3.7e-3, f64::from(u32::try_from(next() % 1000).unwrap())]
                                [usize::try_from(next() % 6).unwrap()];
                            (t, v)
                        })
                        .collect();
                    if round % 2 == 0 {
                        list.sort_by_key(|p| p.0);
                    }
                    list
                })
                .collect();
            for how in [(|a, b| a + b) as fn(f64, f64) -> f64, f64::max] {
                let merged = merge(lists.iter().map(|l| l.iter().copied()), how);
                let reference = by_map(&lists, how);
                assert_eq!(merged.len(), reference.len(), "round {round}");
                for (a, b) in merged.iter().zip(&reference) {
                    assert!(a.0 == b.0 && a.1.to_bits() == b.1.to_bits(), "round {round}: {a:?} != {b:?}");
                }
            }
        }
    }

    fn series(metric: &str, stat: &str, period: u32, points: Vec<(i64, f64)>) -> MetricSeries {
        MetricSeries {
            id: metric.to_lowercase(),
            metric: metric.into(),
            stat: stat.into(),
            dimension: String::new(),
            period_secs: period,
            points,
        }
    }

    #[test]
    fn requests_come_from_the_command_families_per_second() {
        let get = series("GetTypeCmds", "Sum", 60, vec![(0, 600.0), (60, 1200.0)]);
        let set = series("SetTypeCmds", "Sum", 60, vec![(0, 60.0), (60, 60.0)]);
        let d = derive(&[get, set], "t");
        let r = d.observed.requests_per_sec.unwrap();
        assert!((r.peak - 21.0).abs() < 1e-9 && (r.avg - 16.0).abs() < 1e-9);
    }

    #[test]
    fn memcached_requests_and_data_come_from_its_own_metrics_over_every_node() {
        let on = |node: &str, s: MetricSeries| MetricSeries {
            dimension: format!("CacheClusterId=mc;CacheNodeId={node}"),
            ..s
        };
        let d = derive(
            &[
                on("0001", series("CmdGet", "Sum", 60, vec![(0, 600.0), (60, 1200.0)])),
                on("0001", series("CmdSet", "Sum", 60, vec![(0, 60.0), (60, 60.0)])),
                on("0002", series("CmdGet", "Sum", 60, vec![(0, 600.0), (60, 600.0)])),
                on("0001", series("BytesUsedForCacheItems", "Average", 60, vec![(0, GIB), (60, GIB)])),
                on("0002", series("BytesUsedForCacheItems", "Average", 60, vec![(0, 2.0 * GIB), (60, 2.0 * GIB)])),
                on("0001", series("GetHits", "Sum", 60, vec![(0, 1e9), (60, 1e9)])),
            ],
            "t",
        );
        let r = d.observed.requests_per_sec.unwrap();
        // 0: (600 + 60 + 600) / 60 = 21; 60: (1200 + 60 + 600) / 60 = 31; hits are not commands
        assert!((r.peak - 31.0).abs() < 1e-9 && (r.avg - 26.0).abs() < 1e-9, "{r:?}");
        let data = d.observed.data_gib.unwrap();
        assert!((data.avg - 3.0).abs() < 1e-9, "each node holds its own part: {data:?}");
        // a Redis OSS export's own series win where both are present
        let d = derive(
            &[
                series("GetTypeCmds", "Sum", 60, vec![(0, 60.0)]),
                series("CmdGet", "Sum", 60, vec![(0, 6000.0)]),
                series("BytesUsedForCache", "Average", 60, vec![(0, GIB)]),
                series("BytesUsedForCacheItems", "Average", 60, vec![(0, 9.0 * GIB)]),
            ],
            "t",
        );
        assert!((d.observed.requests_per_sec.unwrap().avg - 1.0).abs() < 1e-9);
        assert!((d.observed.data_gib.unwrap().avg - 1.0).abs() < 1e-9);
    }

    #[test]
    fn network_is_in_plus_out_of_the_busiest_node() {
        let on = |node: &str, s: MetricSeries| MetricSeries { dimension: format!("CacheClusterId={node}"), ..s };
        let d = derive(
            &[
                on("a", series("NetworkBytesIn", "Sum", 60, vec![(0, 600.0), (60, 60.0)])),
                on("a", series("NetworkBytesOut", "Sum", 60, vec![(0, 600.0), (60, 60.0)])),
                on("b", series("NetworkBytesIn", "Sum", 60, vec![(0, 60.0), (60, 900.0)])),
                on("b", series("NetworkBytesOut", "Sum", 60, vec![(0, 60.0), (60, 900.0)])),
            ],
            "t",
        );
        let n = d.observed.network_bytes_per_sec.unwrap();
        // a: 20 then 2 bytes/s; b: 2 then 30: the busiest node at each minute is 20, then 30
        assert!((n.peak - 30.0).abs() < 1e-9 && (n.avg - 25.0).abs() < 1e-9, "{n:?}");
    }

    #[test]
    fn the_quiet_hour_is_the_hour_with_the_least_traffic() {
        let points: Vec<(i64, f64)> = (0..48).map(|h| (h * 3600, if h % 24 == 4 { 1.0 } else { 10.0 })).collect();
        let d = derive(&[series("TotalCmdsCount", "Sum", 3600, points)], "t");
        assert_eq!(d.observed.quiet_hour_utc, Some(4));
    }

    #[test]
    fn issue_13_extreme_timestamps_never_overflow() {
        let points = vec![(i64::MIN, 1.0), (0, 2.0), (i64::MAX, 3.0)];
        let d = derive(&[series("BytesUsedForCache", "Average", 60, points.clone())], "t");
        assert_eq!(d.observed.window, (i64::MIN, i64::MAX));
        assert_eq!(downsample(&points, i64::MIN, i64::MAX, 1).len(), 2);
        assert_eq!(downsample(&points, i64::MAX, i64::MIN, 4).len(), 0);
    }

    #[test]
    fn downsampling_keeps_peaks_and_bounds_the_point_count() {
        let points: Vec<(i64, f64)> = (0..21_600)
            .map(|i| (i * 60, if i == 12_345 { 1e6 } else { f64::from(i32::try_from(i % 100).unwrap()) }))
            .collect();
        let out = downsample(&points, 0, 21_600 * 60, 200);
        assert!(out.len() <= 400);
        assert!(out.iter().any(|p| (p.1 - 1e6).abs() < 1e-9), "the spike survives");
        let zoomed = downsample(&points, 0, 86_400, 200);
        assert!(zoomed.iter().all(|p| p.0 <= 86_400.0));
    }
}
