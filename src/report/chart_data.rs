//! What a report's charts show, computed (pure, no I/O) from an environment's report, its
//! inputs and its metric series: the monthly cost of the best Serverless, node and Upstash
//! options against the request rate with the points where they break even, and the metric
//! history against the capacity of the current and the recommended configuration.
//! [`super::charts`] draws it.

use chrono::NaiveDate;

use super::{EnvReport, OptionReport};
use crate::model::ModelError;
use crate::model::capacity::{Constraint, data_capacity_gib};
use crate::model::evaluate::{Evaluated, OptionKind, evaluate};
use crate::model::limits::{SERVERLESS_MAX_CONNECTIONS, SERVERLESS_MAX_DATA_GB, SERVERLESS_MAX_ECPU_PER_SEC};
use crate::model::observed::{Chart, MetricsData, downsample};
use crate::model::price::PriceBook;
use crate::model::recommend::cost_at_requests;
use crate::model::units::{decimal_from_f64, format_quantity, to_f64};
use crate::model::workload::EnvInputs;

/// Points a cost curve is sampled at per decade of request rate.
const POINTS_PER_DECADE: usize = 16;
/// Decades below and above today's rate the curves are computed over, before the plotted
/// range is narrowed to what matters (today and the break-even points).
const DECADES_AROUND_TODAY: i32 = 4;
/// Bisection steps that locate a break-even between two samples.
const BISECTION_STEPS: usize = 40;
/// Most points a metric history keeps (min and max of each bucket, so peaks survive).
const HISTORY_BUCKETS: usize = 600;
/// A capacity more than this many times the series' peak is named, not drawn (it would flatten
/// the series against the axis).
pub const OFF_SCALE_FACTOR: f64 = 20.0;

/// One environment's charts.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvCharts {
    /// Environment.
    pub env: String,
    /// Monthly cost against request rate (`None` when no option could be costed).
    pub cost: Option<CostChart>,
    /// Metric histories against capacity, in [`METRIC_CHARTS`] order (only those with data).
    pub metrics: Vec<MetricChart>,
}

/// Monthly cost against the average request rate.
#[derive(Clone, Debug, PartialEq)]
pub struct CostChart {
    /// Environment.
    pub env: String,
    /// Today's average requests/s.
    pub today_rps: f64,
    /// Plotted request-rate range, requests/s (a log axis: both ends positive).
    pub x_range: (f64, f64),
    /// One curve per option kind.
    pub series: Vec<CostSeries>,
    /// Where two curves cross, within the plotted range.
    pub break_evens: Vec<BreakEvenPoint>,
}

/// One option's monthly cost at each request rate.
#[derive(Clone, Debug, PartialEq)]
pub struct CostSeries {
    /// Option id in the report.
    pub option_id: String,
    /// Kind (serverless, node, split or upstash).
    pub kind: OptionKind,
    /// Legend label, e.g. `Serverless Valkey`.
    pub label: String,
    /// What the kind is called in a break-even label: `Serverless`, `nodes`, `Upstash`.
    pub short: &'static str,
    /// Why it does not fit today's workload, when it does not.
    pub excluded: Option<String>,
    /// Samples, ascending by rate.
    pub points: Vec<CostPoint>,
}

/// One sample of a cost curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CostPoint {
    /// Average requests/s.
    pub rps: f64,
    /// Monthly cost, USD.
    pub usd: f64,
    /// Whether the option still carries that load.
    pub fits: bool,
}

/// Where two options cost the same.
#[derive(Clone, Debug, PartialEq)]
pub struct BreakEvenPoint {
    /// Average requests/s.
    pub rps: f64,
    /// Monthly cost there, USD.
    pub usd: f64,
    /// The two series' labels.
    pub between: (String, String),
    /// The short names of those of the two that no longer carry that load (empty: both do).
    pub not_fitting: Vec<&'static str>,
}

/// The metrics drawn against capacity, in order.
pub const METRIC_CHARTS: [Chart; 4] = [Chart::Memory, Chart::Ecpu, Chart::Cpu, Chart::Connections];

/// A metric's history against capacity.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricChart {
    /// Environment.
    pub env: String,
    /// Which metric.
    pub chart: Chart,
    /// What it measures, e.g. `memory used (BytesUsedForCache)`.
    pub what: String,
    /// Where the series came from (the metrics file or the cache).
    pub source: String,
    /// Unit of the values, e.g. `GiB`.
    pub unit: String,
    /// `(epoch seconds, value)`, ascending, downsampled.
    pub points: Vec<(i64, f64)>,
    /// Capacity lines within the scale.
    pub capacities: Vec<CapacityMark>,
    /// Capacities too far above the data to draw, in words.
    pub off_scale: Vec<String>,
}

/// A capacity line.
#[derive(Clone, Debug, PartialEq)]
pub struct CapacityMark {
    /// The value, in the chart's unit.
    pub value: f64,
    /// Whose: `current`, `recommended`, or `current and recommended`.
    pub whose: String,
    /// Label, e.g. `current: cache.r6g.xlarge, 1 shard × 2 nodes (19.7 GiB)`.
    pub label: String,
    /// The label on the line itself: `current: 19.7 GiB`.
    pub short: String,
}

/// The charts of one environment: its report (as `capplan report` or the review made it), the
/// inputs the plan gives it, its metric series when it has any, and the price book. Pure: the
/// cost curves re-evaluate the model at scaled request rates.
pub fn env_charts(
    report: &EnvReport,
    inputs: &EnvInputs,
    metrics: Option<&MetricsData>,
    book: &PriceBook,
) -> Result<EnvCharts, ModelError> {
    Ok(EnvCharts {
        env: report.env.clone(),
        cost: cost_chart(report, inputs, book)?,
        metrics: metrics.map(|m| metric_charts(report, inputs, m, book)).unwrap_or_default(),
    })
}

/// The inputs the report was evaluated with: the plan's, with the workload it used (measured
/// figures replace the plan's).
fn used_inputs(report: &EnvReport, inputs: &EnvInputs) -> EnvInputs {
    let mut used = inputs.clone();
    used.workload = report.workload.figures.clone();
    used
}

/// Whether an exclusion is about who may run the cache or what protocol it speaks, so a
/// cost curve of it means nothing.
fn ruled_out(o: &Evaluated) -> bool {
    o.exclusions.iter().any(|e| matches!(e.constraint, Constraint::Engine | Constraint::Policy | Constraint::Region))
}

/// The option of each kind the cost chart draws: the break-even's Serverless and node options
/// (the recommendation when it is node-based), the recommended or cheapest fitting Upstash
/// option; failing a fit, the cheapest of the kind not ruled out (drawn as not fitting).
fn chosen<'a>(report: &EnvReport, options: &'a [Evaluated]) -> Vec<&'a Evaluated> {
    let by_id = |id: Option<&str>| id.and_then(|id| options.iter().find(|o| o.id == id));
    let be = report.recommendation.break_even.as_ref().and_then(|b| b.serverless_vs_node.as_ref());
    let recommended = by_id(report.recommendation.option_id.as_deref());
    let best = |kinds: &[OptionKind]| {
        let of_kind = || options.iter().filter(|o| kinds.contains(&o.kind) && !ruled_out(o));
        // options are sorted by monthly cost
        of_kind().find(|o| o.feasible()).or_else(|| of_kind().next())
    };
    let serverless = by_id(be.map(|b| b.serverless_id.as_str())).or_else(|| best(&[OptionKind::Serverless]));
    let node = by_id(be.map(|b| b.node_id.as_str()))
        .or_else(|| recommended.filter(|r| matches!(r.kind, OptionKind::Node | OptionKind::Split)))
        .or_else(|| best(&[OptionKind::Node, OptionKind::Split]));
    let upstash = recommended.filter(|r| r.kind == OptionKind::Upstash).or_else(|| best(&[OptionKind::Upstash]));
    [serverless, node, upstash].into_iter().flatten().collect()
}

/// `cache.r6g.xlarge, 1 shard × 2 nodes` (node options), for labels.
fn layout_words(node_type: &str, shards: Option<u32>, nodes: Option<u32>) -> String {
    let shards = shards.unwrap_or(1);
    let nodes = nodes.unwrap_or(shards);
    format!(
        "{node_type}, {shards} shard{} × {} node{}",
        if shards == 1 { "" } else { "s" },
        nodes / shards.max(1),
        if nodes / shards.max(1) == 1 { "" } else { "s" }
    )
}

/// `on-demand`, `1-year reserved, no upfront`: a term id in words.
fn term_words(term: &str) -> String {
    match term.split_once('-') {
        Some((years, payment)) if years.ends_with("yr") => {
            format!("{}-year reserved, {}", years.trim_end_matches("yr"), payment.replace('-', " "))
        }
        _ => term.to_string(),
    }
}

/// `Upstash fixed 100 GB plan`, `Upstash pay-as-you-go`: an Upstash plan id in words.
fn upstash_words(plan: &str) -> String {
    match plan.strip_prefix("fixed-").and_then(|size| size.strip_suffix("gb")) {
        Some(gb) => format!("Upstash fixed {gb} GB plan"),
        None if plan == "payg" => "Upstash pay-as-you-go".to_string(),
        None => format!("Upstash {plan} plan"),
    }
}

/// The legend label of an option: `Serverless Valkey`, `Valkey on cache.r6g.xlarge, 1 shard ×
/// 2 nodes, 1-year reserved, no upfront`, `Upstash fixed 100 GB plan`.
pub fn option_label(o: &OptionReport) -> String {
    match o.kind {
        OptionKind::Serverless => format!("Serverless {}", o.engine.label()),
        OptionKind::Node | OptionKind::Split => format!(
            "{}{} on {}, {}",
            if o.kind == OptionKind::Split { "split: " } else { "" },
            o.engine.label(),
            layout_words(
                o.node_type.as_deref().unwrap_or("?"),
                o.shards,
                o.nodes.map(|n| {
                    // a split's node count covers both clusters: show the state cluster's
                    o.state.as_ref().map_or(n, |s| s.nodes)
                })
            ),
            term_words(o.term.as_deref().unwrap_or("on-demand"))
        ),
        OptionKind::Upstash => upstash_words(o.plan.as_deref().unwrap_or("")),
    }
}

/// `count` rates spread evenly on a log scale over `[lo, hi]`.
fn log_space(lo: f64, hi: f64, per_decade: usize) -> Vec<f64> {
    let (a, b) = (lo.log10(), hi.log10());
    let n = (((b - a) * per_decade as f64).ceil() as usize).max(1);
    (0..=n).map(|i| 10f64.powf(a + (b - a) * i as f64 / n as f64)).collect()
}

fn cost_point(
    o: &Evaluated,
    env: &EnvInputs,
    book: &PriceBook,
    as_of: NaiveDate,
    rps: f64,
) -> Result<CostPoint, ModelError> {
    let rate = decimal_from_f64(rps).unwrap_or_default().round_dp(4);
    let (usd, fits) = cost_at_requests(o, env, book, as_of, rate)?;
    Ok(CostPoint { rps, usd: to_f64(usd), fits })
}

/// The cost chart, or `None` when no option of any kind can be costed.
fn cost_chart(report: &EnvReport, inputs: &EnvInputs, book: &PriceBook) -> Result<Option<CostChart>, ModelError> {
    let used = used_inputs(report, inputs);
    let as_of = report.evaluated_on;
    let eval = evaluate(&used, book, as_of)?;
    let options = chosen(report, &eval.options);
    if options.is_empty() {
        return Ok(None);
    }
    let today = to_f64(used.workload.requests_per_sec);
    // a rate of zero has no place on a log axis: centre an idle cache on 1 request/s
    let centre = if today > 0.0 { today } else { 1.0 };
    let span = 10f64.powi(DECADES_AROUND_TODAY);
    let rates = log_space(centre / span, centre * span, POINTS_PER_DECADE);
    let mut series = Vec::new();
    for o in &options {
        let report_option = super::option_report(o, book);
        let points = rates.iter().map(|&r| cost_point(o, &used, book, as_of, r)).collect::<Result<Vec<_>, _>>()?;
        series.push(CostSeries {
            option_id: o.id.clone(),
            kind: o.kind,
            label: option_label(&report_option),
            short: match o.kind {
                OptionKind::Serverless => "Serverless",
                OptionKind::Node | OptionKind::Split => "nodes",
                OptionKind::Upstash => "Upstash",
            },
            excluded: o.exclusions.first().map(|e| e.constraint.id().to_string()),
            points,
        });
    }
    let mut break_evens = Vec::new();
    for (i, a) in series.iter().enumerate() {
        for (j, b) in series.iter().enumerate().skip(i + 1) {
            for k in 1..rates.len() {
                let d0 = a.points[k - 1].usd - b.points[k - 1].usd;
                let d1 = a.points[k].usd - b.points[k].usd;
                if !(d0 < 0.0 && d1 >= 0.0 || d0 > 0.0 && d1 <= 0.0) {
                    continue;
                }
                let (mut lo, mut hi) = (rates[k - 1], rates[k]);
                for _ in 0..BISECTION_STEPS {
                    let mid = (lo * hi).sqrt();
                    let d = cost_point(options[i], &used, book, as_of, mid)?.usd
                        - cost_point(options[j], &used, book, as_of, mid)?.usd;
                    if d.signum() == d0.signum() && d != 0.0 {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                let (pa, pb) =
                    (cost_point(options[i], &used, book, as_of, hi)?, cost_point(options[j], &used, book, as_of, hi)?);
                let not_fitting: Vec<&'static str> =
                    [(pa.fits, a.short), (pb.fits, b.short)].into_iter().filter(|f| !f.0).map(|f| f.1).collect();
                // a break-even with an option that no longer carries the load says nothing, but
                // the one the report states (Serverless against nodes) is always shown
                let reported = [a.kind, b.kind].contains(&OptionKind::Serverless)
                    && [a.kind, b.kind].iter().any(|k| matches!(k, OptionKind::Node | OptionKind::Split));
                if not_fitting.is_empty() || reported {
                    break_evens.push(BreakEvenPoint {
                        rps: hi,
                        usd: f64::midpoint(pa.usd, pb.usd),
                        between: (a.label.clone(), b.label.clone()),
                        not_fitting,
                    });
                }
            }
        }
    }
    break_evens.sort_by(|a, b| a.rps.total_cmp(&b.rps));
    // plot today and the break-even points, with a decade below and half of one above
    let (mut lo, mut hi) = (centre, centre);
    for b in &break_evens {
        lo = lo.min(b.rps);
        hi = hi.max(b.rps);
    }
    let x_range = ((lo / 10.0).max(rates[0]), (hi * 5.0).min(rates[rates.len() - 1]));
    // the curves again over exactly that range, so they reach both ends of the axis
    let shown = log_space(x_range.0, x_range.1, POINTS_PER_DECADE);
    for (s, o) in series.iter_mut().zip(&options) {
        s.points = shown.iter().map(|&r| cost_point(o, &used, book, as_of, r)).collect::<Result<Vec<_>, _>>()?;
    }
    break_evens.retain(|b| b.rps >= x_range.0 && b.rps <= x_range.1);
    Ok(Some(CostChart { env: report.env.clone(), today_rps: today, x_range, series, break_evens }))
}

/// An option's capacity on a charted metric, in the chart's unit: what the report's capacity
/// lines say for the recommendation, computed the same way for any option (node types from
/// the catalog, Serverless maximums or its usage limits). Upstash has none.
pub fn option_capacity(o: &OptionReport, chart: Chart, inputs: &EnvInputs, book: &PriceBook) -> Option<f64> {
    match o.kind {
        OptionKind::Node | OptionKind::Split => {
            let node = book.catalog.node(book.catalog.find(o.node_type.as_deref()?)?);
            let policy = &inputs.policy;
            match chart {
                Chart::Memory => Some(
                    data_capacity_gib(node, policy, to_f64(inputs.workload.hot_data_fraction))
                        * f64::from(o.shards.unwrap_or(1).max(1)),
                ),
                Chart::Connections => Some(f64::from(node.maxclients)),
                Chart::Cpu => Some(policy.headroom * 100.0),
                _ => None,
            }
        }
        OptionKind::Serverless => {
            let limits = o.usage_limits.unwrap_or_default();
            match chart {
                Chart::Memory => Some(limits.max_data_gb.map_or(SERVERLESS_MAX_DATA_GB, to_f64)),
                Chart::Ecpu => Some(limits.max_ecpu_per_sec.map_or(SERVERLESS_MAX_ECPU_PER_SEC, to_f64)),
                Chart::Connections => Some(f64::from(SERVERLESS_MAX_CONNECTIONS)),
                _ => None,
            }
        }
        OptionKind::Upstash => None,
    }
}

/// What an option is, briefly, for a capacity label.
fn option_brief(o: &OptionReport) -> String {
    match o.kind {
        OptionKind::Node | OptionKind::Split => {
            layout_words(o.node_type.as_deref().unwrap_or("?"), o.shards, o.state.as_ref().map(|s| s.nodes).or(o.nodes))
        }
        OptionKind::Serverless => format!("Serverless {}", o.engine.label()),
        OptionKind::Upstash => upstash_words(o.plan.as_deref().unwrap_or("")),
    }
}

/// `19.7 GiB`, `65,000 connections`, `75 %`: a capacity with its unit.
pub fn amount_with_unit(value: f64, chart: Chart) -> String {
    let digits = u32::from(value < 100.0);
    let number = decimal_from_f64(value).map_or_else(|| format!("{value}"), |d| format_quantity(d, digits));
    match chart {
        Chart::Cpu => format!("{number} %"),
        Chart::Connections => format!("{number} connections per node"),
        other => format!("{number} {}", unit_of(other)),
    }
}

/// The unit a metric chart's values are in.
pub fn unit_of(chart: Chart) -> &'static str {
    match chart {
        Chart::Requests => "requests/s",
        Chart::Ecpu => "ECPU/s",
        Chart::Memory => "GiB",
        Chart::Evictions => "evictions",
        Chart::Connections => "connections",
        Chart::Cpu => "%",
        Chart::Network => "Gbps",
    }
}

/// What a metric chart measures, in words.
fn what_of(chart: Chart) -> &'static str {
    match chart {
        Chart::Memory => "memory used for data (BytesUsedForCache)",
        Chart::Ecpu => "ECPU per second (ElastiCacheProcessingUnits)",
        Chart::Cpu => "engine CPU (EngineCPUUtilization, busiest node)",
        Chart::Connections => "client connections (CurrConnections, busiest node)",
        Chart::Requests => "requests per second",
        Chart::Evictions => "evictions",
        Chart::Network => "network in + out, busiest node",
    }
}

fn metric_charts(report: &EnvReport, inputs: &EnvInputs, m: &MetricsData, book: &PriceBook) -> Vec<MetricChart> {
    let mut out = Vec::new();
    for chart in METRIC_CHARTS {
        let Some(series) = m.chart(chart).filter(|s| !s.is_empty()) else { continue };
        let (from, to) = (series[0].0, series[series.len() - 1].0);
        let points: Vec<(i64, f64)> =
            downsample(series, from, to, HISTORY_BUCKETS).into_iter().map(|(t, v)| (t as i64, v)).collect();
        let peak = series.iter().map(|p| p.1).fold(0.0, f64::max);
        // (whose, value, what it is): one line for current and recommended when they are equal
        let mut marks: Vec<(String, f64, String)> = Vec::new();
        for (whose, option) in [("current", report.current.as_ref()), ("recommended", report.recommended())] {
            let Some(o) = option else { continue };
            let Some(value) = option_capacity(o, chart, inputs, book) else { continue };
            let brief = option_brief(o);
            if let Some(same) = marks.iter_mut().find(|m| (m.1 - value).abs() <= value.abs() * 1e-9) {
                same.2 = if same.2 == brief { brief } else { format!("{} {}; {whose} {brief}", same.0, same.2) };
                same.0 = format!("{} and {whose}", same.0);
            } else {
                marks.push((whose.to_string(), value, brief));
            }
        }
        let (mut capacities, mut off_scale) = (Vec::new(), Vec::new());
        for (whose, value, brief) in marks {
            let amount = amount_with_unit(value, chart);
            let what = match chart {
                Chart::Cpu => ", engine CPU planned at peak (headroom)",
                Chart::Memory if brief.contains("cache.") => " usable for data",
                _ => "",
            };
            if peak > 0.0 && value > peak * OFF_SCALE_FACTOR {
                off_scale.push(format!("{whose} capacity {amount}: far above the data, not drawn"));
            } else {
                capacities.push(CapacityMark {
                    value,
                    label: format!("{whose}: {brief} ({amount}{what})"),
                    short: format!("{whose}: {amount}"),
                    whose,
                });
            }
        }
        out.push(MetricChart {
            env: report.env.clone(),
            chart,
            what: what_of(chart).to_string(),
            source: m.origin.clone(),
            unit: unit_of(chart).to_string(),
            points,
            capacities,
            off_scale,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::observed::derive;
    use crate::report::evaluate_env;
    use crate::source::metrics::{EXAMPLE_METRICS, EXAMPLE_METRICS_NAME, parse};
    use crate::source::offline::embedded;
    use crate::source::plan::{EXAMPLE_PLAN, EXAMPLE_PLAN_NAME, parse_plan};
    use rust_decimal::Decimal;

    /// An environment of the bundled plan, evaluated as the report does (prod with its metrics).
    fn bundled(env: &str) -> (EnvReport, EnvInputs, Option<MetricsData>, &'static PriceBook) {
        let book = embedded().unwrap();
        let plan = parse_plan(EXAMPLE_PLAN, EXAMPLE_PLAN_NAME, book).unwrap();
        let inputs = plan.env(env).unwrap().clone();
        let metrics =
            (env == "prod").then(|| derive(&parse(EXAMPLE_METRICS, EXAMPLE_METRICS_NAME).unwrap(), "example"));
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let report = evaluate_env(&inputs, metrics.as_ref(), book, "plan", as_of).unwrap();
        (report, inputs, metrics, book)
    }

    /// The Serverless-against-nodes break-even the chart marks is the one the report states,
    /// inside the plotted range, where both curves cost the same.
    #[test]
    fn the_break_even_is_the_reports_and_lies_within_the_range() {
        for env in ["dev", "staging"] {
            let (report, inputs, _, book) = bundled(env);
            let stated = report.recommendation.break_even.as_ref().unwrap().serverless_vs_node.as_ref().unwrap();
            let stated_rps = to_f64(stated.requests_per_sec.unwrap());
            let chart = cost_chart(&report, &inputs, book).unwrap().unwrap();
            let kinds: Vec<OptionKind> = chart.series.iter().map(|s| s.kind).collect();
            assert_eq!(kinds, [OptionKind::Serverless, OptionKind::Node, OptionKind::Upstash], "{env}");
            assert_eq!(chart.series[0].option_id, stated.serverless_id);
            assert_eq!(chart.series[1].option_id, stated.node_id);
            let b = chart
                .break_evens
                .iter()
                .find(|b| b.between == (chart.series[0].label.clone(), chart.series[1].label.clone()))
                .unwrap_or_else(|| panic!("{env}: no Serverless/node break-even in {:?}", chart.break_evens));
            assert!((b.rps - stated_rps).abs() / stated_rps < 0.005, "{env}: {} against {stated_rps}", b.rps);
            assert!(chart.x_range.0 < b.rps && b.rps < chart.x_range.1, "{env}: {:?}", chart.x_range);
            assert!(chart.x_range.0 < chart.today_rps && chart.today_rps < chart.x_range.1);
        }
    }

    /// Each curve passes through the option's own monthly cost at today's rate, its points
    /// ascend in rate, and a node layout that carries today's load stops fitting as the load
    /// grows.
    #[test]
    fn curves_pass_through_todays_cost() {
        let (report, inputs, _, book) = bundled("dev");
        let chart = cost_chart(&report, &inputs, book).unwrap().unwrap();
        for s in &chart.series {
            assert!(s.points.windows(2).all(|w| w[0].rps < w[1].rps), "{}", s.label);
            let today = report.options.iter().find(|o| o.id == s.option_id).unwrap();
            let used = used_inputs(&report, &inputs);
            let eval = evaluate(&used, book, report.evaluated_on).unwrap();
            let option = eval.option(&s.option_id).unwrap();
            let p = cost_point(option, &used, book, report.evaluated_on, chart.today_rps).unwrap();
            assert!(
                (p.usd - to_f64(today.monthly_usd)).abs() < 0.01,
                "{}: {} against {}",
                s.label,
                p.usd,
                today.monthly_usd
            );
            assert!(p.fits == today.feasible);
        }
        let node = chart.series.iter().find(|s| s.kind == OptionKind::Node).unwrap();
        assert!(node.points.first().unwrap().fits && !node.points.last().unwrap().fits);
    }

    /// The metric charts draw memory, CPU and connections of prod against the capacity of the
    /// current and recommended configurations: the recommendation's values are the report's
    /// capacity lines, and a capacity far above the data is named instead of drawn.
    #[test]
    fn metric_charts_carry_the_capacity_lines() {
        let (report, inputs, metrics, book) = bundled("prod");
        let charts = env_charts(&report, &inputs, metrics.as_ref(), book).unwrap();
        let which: Vec<Chart> = charts.metrics.iter().map(|m| m.chart).collect();
        assert_eq!(which, [Chart::Memory, Chart::Cpu, Chart::Connections]);
        let recommended = report.recommended().unwrap();
        for line in &report.capacity_lines {
            let Some(chart) = METRIC_CHARTS.into_iter().find(|c| c.id() == line.metric) else { continue };
            let value = option_capacity(recommended, chart, &inputs, book).unwrap();
            assert!((value - line.value).abs() < 1e-9, "{}: {value} against {}", line.metric, line.value);
        }
        let memory = &charts.metrics[0];
        assert_eq!(memory.unit, "GiB");
        assert_eq!(memory.capacities.len(), 1, "current and recommended share one line: {:?}", memory.capacities);
        assert!(memory.capacities[0].whose == "current and recommended");
        assert!(
            memory.capacities[0].label.contains("cache.r6g.xlarge, 1 shard × 2 nodes (19.7 GiB usable for data)"),
            "{:?}",
            memory.capacities
        );
        assert!(memory.points.len() <= 2 * HISTORY_BUCKETS && !memory.points.is_empty());
        let connections = &charts.metrics[2];
        assert!(connections.capacities.is_empty() && connections.off_scale.len() == 1, "{connections:?}");
        assert!(connections.off_scale[0].contains("65,000 connections per node"));
    }

    #[test]
    fn serverless_capacity_is_its_usage_limit_when_set() {
        let (report, inputs, _, book) = bundled("staging");
        let mut current = report.current.clone().unwrap();
        assert_eq!(current.kind, OptionKind::Serverless);
        assert_eq!(option_capacity(&current, Chart::Memory, &inputs, book), Some(SERVERLESS_MAX_DATA_GB));
        current.usage_limits =
            Some(crate::model::workload::UsageLimits { max_data_gb: Some(Decimal::from(10)), max_ecpu_per_sec: None });
        assert_eq!(option_capacity(&current, Chart::Memory, &inputs, book), Some(10.0));
        assert_eq!(option_capacity(&current, Chart::Cpu, &inputs, book), None);
    }

    #[test]
    fn terms_and_plans_read_as_words() {
        assert_eq!(term_words("on-demand"), "on-demand");
        assert_eq!(term_words("1yr-no-upfront"), "1-year reserved, no upfront");
        assert_eq!(term_words("3yr-all-upfront"), "3-year reserved, all upfront");
        assert_eq!(upstash_words("fixed-100gb"), "Upstash fixed 100 GB plan");
        assert_eq!(upstash_words("payg"), "Upstash pay-as-you-go");
        assert_eq!(upstash_words("free"), "Upstash free plan");
    }

    #[test]
    fn log_space_covers_the_range_evenly() {
        let r = log_space(1.0, 1000.0, 4);
        assert_eq!(r.len(), 13);
        assert!((r[0] - 1.0).abs() < 1e-9 && (r[12] - 1000.0).abs() < 1e-6);
        assert!((r[4] - 10.0).abs() < 1e-9);
    }
}
