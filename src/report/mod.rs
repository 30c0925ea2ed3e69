//! Reports: one [`EnvReport`] structure per environment, rendered as Markdown, JSON or CSV.
//!
//! Views never compute prices: they render what [`crate::model::evaluate`] produced, so the
//! report and the terminal app always show the same numbers.

pub mod chart_data;
pub mod charts;
pub mod csv;
pub mod json;
pub mod json_decimal;
pub mod markdown;
pub mod options;
pub mod profile;
pub mod review;
pub mod stream;
pub mod terraform;

pub use options::OptionsFilter;

use chrono::{DateTime, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::Arc;

use crate::model::ModelError;
use crate::model::capacity::{Burstable, Vendor};
use crate::model::capacity::{HEURISTICS, Utilization};
use crate::model::catalog::Engine;
use crate::model::cost::{Line, Part};
use crate::model::evaluate::{EnvEvaluation, Evaluated, OptionKind, evaluate};
use crate::model::measured_workload::MeasuredWorkload;
use crate::model::observed::{Measured, MetricsData, Observed};
use crate::model::price::{PriceBook, PriceKind, Source, Term};
use crate::model::recommend::{BreakEven, NothingFits, Outcome, Risk, SavingsPlanAlternative, Settings, Sizing};
use crate::model::throughput::THROUGHPUT_ANCHORS;
use crate::model::workload::{Current, Deployment, EnvInputs, NodeLayout, Role, Tier, UsageLimits, Workload};

/// Version of the JSON report schema (`assets/report.schema.json`): 2 added `search`'s
/// `options_evaluated`, `options_feasible` and `options_filter` (`--options`) and put `--all`'s
/// `totals` after `envs` (and later `metrics.calls_shared_with`, a field added).
pub const SCHEMA_VERSION: u32 = 2;
/// Prices older than this many days are flagged as stale.
pub const STALE_AFTER_DAYS: i64 = 90;

/// How old prices are, in words: `61 days old`, or, when they are dated after the evaluation
/// date (`--as-of` in the past), `dated 274 days after the evaluation date`.
pub fn price_age_words(age_days: i64) -> String {
    if age_days < 0 {
        format!(
            "dated {} day{} after the evaluation date: they may not be the prices that applied then",
            -age_days,
            if age_days == -1 { "" } else { "s" }
        )
    } else {
        format!("{age_days} day{} old", if age_days == 1 { "" } else { "s" })
    }
}

/// The first day a price's date can mean: `2026-10-02`, `2026-09` (the 1st), `2026` (1 January).
pub fn price_date(text: &str) -> Option<NaiveDate> {
    let mut parts = text.trim().trim_end_matches('+').splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next().map_or(Some(1), |m| m.parse().ok())?;
    let day = parts.next().map_or(Some(1), |d| d.parse().ok())?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Markdown that renders well on GitHub.
    Md,
    /// JSON (schema in assets/report.schema.json).
    Json,
    /// CSV, one row per line item.
    Csv,
}

/// Where prices came from and how old they are.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PricingInfo {
    /// As-of date of the price book.
    pub as_of: NaiveDate,
    /// What the book was loaded from.
    pub origin: String,
    /// The date of the oldest price the recommendation uses (the cache's date when nothing is
    /// recommended): what the age is measured from.
    pub oldest_used: NaiveDate,
    /// Days between `oldest_used` and the evaluation date.
    pub age_days: i64,
    /// Older than 90 days.
    pub stale: bool,
    /// Sources cited by this report's lines.
    pub sources: Vec<SourceInfo>,
}

/// One cited source.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SourceInfo {
    /// Stable id.
    pub id: String,
    /// Kind of evidence.
    pub kind: PriceKind,
    /// Human-readable source.
    pub source: String,
    /// As-of date.
    pub date: String,
    /// Where to find it.
    pub locator: String,
}

/// Where one price came from: its provenance, shared with the price book (no copy per line),
/// written as `kind`, `id`, `source`, `date` and, for derived prices, `note`.
///
/// In an environment's report every line citing one source shares one of these, its JSON
/// written once ([`Citations`]): a report lists hundreds of lines citing a dozen sources, and
/// escaping each source's text on every line was a tenth of writing the report. That JSON is a
/// raw fragment laid out at depth 0; the report's JSON writers ([`json::pretty_at`]) indent it to
/// where it sits (any other `serde_json` writer gives the same value, its layout aside).
#[derive(Clone, Debug)]
pub struct PriceSourceReport(Arc<Cited>);

#[derive(Debug)]
struct Cited {
    source: Source,
    /// The object as pretty JSON at depth 0, when written once for many lines.
    json: Option<Box<serde_json::value::RawValue>>,
}

impl PartialEq for PriceSourceReport {
    fn eq(&self, other: &Self) -> bool {
        self.0.source == other.0.source
    }
}

impl PriceSourceReport {
    /// The source of one line, written out on its own.
    fn plain(source: &Source) -> Self {
        PriceSourceReport(Arc::new(Cited { source: source.clone(), json: None }))
    }

    /// The source of many lines: its JSON written once, here.
    fn rendered(source: &Source) -> Self {
        // laid out by the writer that will indent it (`json::pretty_at`), at depth 0
        let json = json::pretty_at(&Self::plain(source), 0, 0)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| serde_json::value::RawValue::from_string(text).ok());
        PriceSourceReport(Arc::new(Cited { source: source.clone(), json }))
    }

    /// Kind of evidence.
    pub fn kind(&self) -> PriceKind {
        self.0.source.kind
    }

    /// Source id.
    pub fn id(&self) -> &str {
        &self.0.source.source_id
    }

    /// Human-readable source.
    pub fn source(&self) -> &str {
        &self.0.source.source
    }

    /// As-of date.
    pub fn date(&self) -> &str {
        &self.0.source.date
    }

    /// Derivation or caveat.
    pub fn note(&self) -> Option<&str> {
        self.0.source.note.as_deref()
    }
}

impl Serialize for PriceSourceReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        if let Some(json) = &self.0.json {
            return json.serialize(serializer);
        }
        let p = &self.0.source;
        let mut out = serializer.serialize_struct("PriceSourceReport", 4 + usize::from(p.note.is_some()))?;
        out.serialize_field("kind", &p.kind)?;
        out.serialize_field("id", &p.source_id)?;
        out.serialize_field("source", &p.source)?;
        out.serialize_field("date", &p.date)?;
        if let Some(note) = &p.note {
            out.serialize_field("note", note)?;
        }
        out.end()
    }
}

/// The price sources one report cites, each written once for every line citing it (see
/// [`PriceSourceReport`]). Known by the address of the book's provenance, alive while the
/// report is made.
#[derive(Default)]
struct Citations(foldhash::HashMap<*const crate::model::price::Provenance, PriceSourceReport>);

impl Citations {
    fn of(&mut self, source: &Source) -> PriceSourceReport {
        self.0.entry(Arc::as_ptr(source)).or_insert_with(|| PriceSourceReport::rendered(source)).clone()
    }
}

/// One line item.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineReport {
    /// What is billed.
    pub item: String,
    /// Quantity in `unit`s.
    #[serde(serialize_with = "json_decimal::number")]
    pub quantity: Decimal,
    /// Unit.
    pub unit: &'static str,
    /// USD per unit.
    #[serde(serialize_with = "json_decimal::number")]
    pub unit_usd: Decimal,
    /// `quantity` × `unit_usd`.
    #[serde(serialize_with = "json_decimal::number")]
    pub monthly_usd: Decimal,
    /// Where the unit price comes from.
    pub price_source: PriceSourceReport,
    /// Why the quantity rests on an assumption no source confirms (an unverified line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unverified: Option<String>,
}

/// A broken constraint.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExclusionReport {
    /// Constraint id (`cross-slot`, `memory`, …).
    pub constraint: String,
    /// Why, in words.
    pub reason: String,
}

/// One option (or the current deployment), priced and checked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OptionReport {
    /// Stable readable id.
    pub id: String,
    /// `serverless` | `node` | `upstash`.
    pub kind: OptionKind,
    /// Engine it runs (`redis` for Upstash).
    pub engine: Engine,
    /// Node type (node options).
    pub node_type: Option<String>,
    /// Cluster mode (node options).
    pub cluster_mode: Option<bool>,
    /// Shards (node options; Memcached: nodes).
    pub shards: Option<u32>,
    /// Replicas per shard (node options).
    pub replicas: Option<u32>,
    /// Nodes billed (node options).
    pub nodes: Option<u32>,
    /// Reads served by replicas (node options).
    pub replica_reads: Option<bool>,
    /// A Serverless cache's configured usage limits (what runs today).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_limits: Option<UsageLimits>,
    /// `on-demand`, `1yr-no-upfront`… (node options).
    pub term: Option<String>,
    /// Upstash plan id.
    pub plan: Option<String>,
    /// Can serve the workload.
    pub feasible: bool,
    /// Why not, when not.
    pub excluded_reasons: Vec<String>,
    /// The same, with constraint ids.
    pub exclusions: Vec<ExclusionReport>,
    /// Monthly cost (sum of lines, reserved upfront amortized; unverified lines at their high end).
    #[serde(serialize_with = "json_decimal::number")]
    pub monthly_usd: Decimal,
    /// The low end when unverified lines are priced: the monthly cost without them.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "json_decimal::optional")]
    pub monthly_usd_low: Option<Decimal>,
    /// Upfront cash for reserved nodes; `null` when the source does not publish it.
    #[serde(serialize_with = "json_decimal::optional")]
    pub upfront_usd: Option<Decimal>,
    /// Share of each resource used at peak.
    pub utilization: Utilization,
    /// Things to know.
    pub notes: Vec<String>,
    /// Why an expert would choose it only when nothing else fits (empty: no such reservation).
    pub last_resort: Vec<String>,
    /// For a feasible option at most as dear as the recommendation: why it is not the
    /// recommendation (the commit policy, a last resort, the simplicity margin).
    pub why_not_recommended: Option<String>,
    /// What the app or its client must do for it to work as priced.
    pub requirements: Vec<String>,
    /// Line items.
    pub lines: Vec<LineReport>,
    /// Split deployments: the pub/sub adapter cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adapter: Option<ClusterReport>,
    /// Split deployments: the state cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<ClusterReport>,
    /// `current` only: it was read from ElastiCache (`metrics` names the cache), not the plan.
    pub discovered: bool,
}

/// One cluster of a split deployment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClusterReport {
    /// Node type.
    pub node_type: String,
    /// Shards.
    pub shards: u32,
    /// Replicas per shard.
    pub replicas: u32,
    /// Cluster mode.
    pub cluster_mode: bool,
    /// Nodes billed.
    pub nodes: u32,
    /// Monthly cost of this cluster (its lines).
    pub monthly_usd: Decimal,
}

/// The recommendation, or what would fit when nothing does.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecommendationReport {
    /// Id of the recommended entry of `options`; `null` when nothing fits.
    pub option_id: Option<String>,
    /// Its monthly cost.
    pub monthly_usd: Option<Decimal>,
    /// Its upfront cash (reserved terms).
    pub upfront_usd: Option<Decimal>,
    /// What to set up.
    pub settings: Option<Settings>,
    /// Why it won, and what the runner-up would save or risk.
    pub rationale: Vec<String>,
    /// What breaks first as load grows.
    pub risks: Vec<Risk>,
    /// Break-even points.
    pub break_even: Option<BreakEven>,
    /// How far above `budget_usd` the winner is.
    pub over_budget_usd: Option<Decimal>,
    /// When nothing fits: the closest option and what would fit.
    pub nothing_fits: Option<NothingFits>,
    /// The oldest price the recommended option uses (its date, kind and source id).
    pub oldest_price: Option<PriceSourceReport>,
    /// Which resource binds, for the recommended option and the runner-up.
    pub sizing: Vec<Sizing>,
    /// A Database Savings Plan as an alternative commitment (unverified rates).
    pub savings_plan: Option<SavingsPlanAlternative>,
}

/// The workload an environment was evaluated with: the plan's figures, or the measured ones
/// (`source`), with what only metrics tell. Reads as the [`Workload`] it wraps.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorkloadReport {
    /// The figures used.
    #[serde(flatten)]
    pub figures: Workload,
    /// Measured ECPU/s, average (Serverless).
    pub ecpu_per_sec: Option<Decimal>,
    /// Measured evictions per day.
    pub evictions_per_day: Option<Decimal>,
    /// The quietest hour, UTC (snapshot and maintenance windows start from it).
    pub quietest_hour_utc: Option<u8>,
    /// The keys whose values came from metrics.
    pub from_metrics: Vec<String>,
    /// The plan's own figures, when measured ones replaced them.
    pub plan_figures: Option<PlanFigures>,
}

/// The plan's figures that measured ones replace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanFigures {
    /// Average data, GiB.
    pub data_gb: Decimal,
    /// Peak data, GiB.
    pub peak_data_gb: Decimal,
    /// Average requests/s.
    pub requests_per_sec: Decimal,
    /// Peak requests/s.
    pub peak_requests_per_sec: Decimal,
    /// Connections at peak.
    pub connections: u32,
}

impl WorkloadReport {
    /// The plan's figures, nothing measured.
    pub fn plain(figures: Workload) -> Self {
        WorkloadReport {
            figures,
            ecpu_per_sec: None,
            evictions_per_day: None,
            quietest_hour_utc: None,
            from_metrics: Vec::new(),
            plan_figures: None,
        }
    }
}

impl std::ops::Deref for WorkloadReport {
    type Target = Workload;
    fn deref(&self) -> &Workload {
        &self.figures
    }
}

impl std::ops::DerefMut for WorkloadReport {
    fn deref_mut(&mut self) -> &mut Workload {
        &mut self.figures
    }
}

/// Where an environment's metrics came from and what fetching them cost.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricsReport {
    /// `cloudwatch` (a live cache) or `file`.
    pub source: String,
    /// The cache id (live) or the file.
    pub name: String,
    /// Region (live).
    pub region: Option<String>,
    /// Days fetched (live).
    pub days: Option<u32>,
    /// When the series were fetched (live), RFC 3339.
    pub fetched_at: Option<String>,
    /// Read from the user cache (`--offline`, or the last fetch when this one failed).
    pub from_cache: bool,
    /// `GetMetricData` calls the fetch made (pages included); 0 when read from a file or cache.
    pub api_calls: u64,
    /// Other caches whose queries went in the same calls (the plan's caches of a region are
    /// fetched together): `api_calls` counts every call that carried this cache's queries.
    pub calls_shared_with: u64,
    /// Metrics requested (what CloudWatch bills).
    pub metrics_requested: u64,
    /// What they cost, USD ($0.01 per 1,000 metrics requested).
    pub cost_usd: Decimal,
    /// The measured figures replaced the plan's (`workload = "measured"`).
    pub used_for_workload: bool,
    /// What went wrong, when the metrics could not be had (the plan's figures were used).
    pub error: Option<String>,
}

/// What the environment's metrics measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MeasuredReport {
    /// The metrics file.
    pub file: String,
    /// First timestamp.
    pub from: String,
    /// Last timestamp.
    pub to: String,
    /// Period, seconds.
    pub period_secs: u32,
    /// Data, GiB.
    pub data_gib: Option<Measured>,
    /// Requests per second.
    pub requests_per_sec: Option<Measured>,
    /// ECPU per second (Serverless).
    pub ecpu_per_sec: Option<Measured>,
    /// Connections per node.
    pub connections: Option<Measured>,
    /// Evictions in the window.
    pub evictions: Option<f64>,
    /// Engine CPU, percent.
    pub cpu_pct: Option<Measured>,
    /// Network in + out, Gbps.
    pub network_gbps: Option<Measured>,
    /// Lowest-traffic hour, UTC (snapshot and maintenance windows start from it).
    pub quiet_hour_utc: Option<u8>,
}

impl MeasuredReport {
    /// The report form of an observed workload.
    pub fn new(file: &str, o: &Observed) -> Self {
        let iso = |t: i64| {
            DateTime::from_timestamp(t, 0).map_or_else(String::new, |d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        };
        MeasuredReport {
            file: file.to_string(),
            from: iso(o.window.0),
            to: iso(o.window.1),
            period_secs: o.period_secs,
            data_gib: o.data_gib,
            requests_per_sec: o.requests_per_sec,
            ecpu_per_sec: o.ecpu_per_sec,
            connections: o.connections,
            evictions: o.evictions,
            cpu_pct: o.cpu_pct,
            network_gbps: o
                .network_bytes_per_sec
                .map(|m| Measured { avg: m.avg * 8.0 / 1e9, peak: m.peak * 8.0 / 1e9 }),
            quiet_hour_utc: o.quiet_hour_utc,
        }
    }
}

/// The sizing policy used.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyReport {
    /// Highest share of a node resource planned at peak.
    pub headroom: f64,
    /// Months of growth sized for.
    pub horizon_months: u32,
    /// reserved-memory-percent.
    pub reserved_memory_pct: f64,
    /// Reserved terms the recommendation may use: `none`, `1yr`, `3yr`.
    pub commit: String,
    /// Payment option for a commitment.
    pub commit_payment: String,
    /// Monthly budget.
    pub budget_usd: Option<Decimal>,
    /// Share of client traffic crossing AZs when the plan fixes it (`null`: it follows from
    /// `client_azs` and each option's layout).
    pub cross_az_fraction: Option<Decimal>,
    /// Availability Zones the clients run in.
    pub client_azs: u32,
    /// Where burstable nodes may be recommended.
    pub burstable: Burstable,
    /// Share a simpler layout may cost above the cheapest fit and still win.
    pub simplicity_margin: Decimal,
    /// Who may run the cache.
    pub vendors: Vec<Vendor>,
    /// Heuristics the capacity model uses.
    pub heuristics: Vec<String>,
    /// The anchor points of the calibrated engine-throughput heuristic.
    pub throughput_anchors: Vec<String>,
}

/// How much the search checked, and which of its options the report lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SearchReport {
    /// Node layouts checked for fit.
    pub layouts_checked: u64,
    /// Layout × term prices computed.
    pub prices_computed: u64,
    /// Options evaluated and explained.
    pub options_evaluated: usize,
    /// Of which fit the workload.
    pub options_feasible: usize,
    /// Options in `options[]`.
    pub options_listed: usize,
    /// Which options are listed (`--options`).
    pub options_filter: OptionsFilter,
}

/// The cheapest feasible options.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cheapest {
    /// Cheapest feasible without a reserved commitment.
    pub on_demand: Option<String>,
    /// Cheapest feasible with a reserved commitment.
    pub reserved: Option<String>,
}

/// Everything a report says about one environment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EnvReport {
    /// JSON schema version.
    pub schema_version: u32,
    /// Environment name.
    pub env: String,
    /// AWS region.
    pub region: String,
    /// The protocol the app speaks.
    pub engine: Engine,
    /// Needs replicas + Multi-AZ.
    pub ha: bool,
    /// What the cache is for.
    pub role: Role,
    /// Production, staging or development.
    pub tier: Tier,
    /// Plan file it came from.
    pub plan: String,
    /// Date the evaluation is for.
    pub evaluated_on: NaiveDate,
    /// Prices used.
    pub pricing: PricingInfo,
    /// Workload used: the plan's, or what metrics measured (`workload.source`).
    pub workload: WorkloadReport,
    /// Sizing policy and commitment rules used.
    pub policy: PolicyReport,
    /// The answer: what to run and how to set it up.
    pub recommendation: RecommendationReport,
    /// How much the search checked.
    pub search: SearchReport,
    /// What the metrics measured.
    pub measured: Option<MeasuredReport>,
    /// Where the metrics came from and what fetching them cost.
    pub metrics: Option<MetricsReport>,
    /// A what-if the figures were computed under instead of the plan's (terminal app exports).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what_if: Option<String>,
    /// What runs today.
    pub current: Option<OptionReport>,
    /// Cheapest feasible options.
    pub cheapest: Cheapest,
    /// Every option evaluated, cheapest first.
    pub options: Vec<OptionReport>,
    /// What could not be evaluated and why.
    pub notes: Vec<String>,
    /// The recommended option's capacity on each metric a chart shows (the lines drawn over
    /// the measured series).
    pub capacity_lines: Vec<CapacityLine>,
    /// Chart files written for this environment (`report --charts DIR`); absent without them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub charts: Vec<ChartFile>,
}

/// One chart written for an environment, as SVG and PNG.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChartFile {
    /// `cost-vs-requests`, or the metric id (`memory_gib`, `ecpu_per_sec`, `cpu_pct`, `connections`).
    pub chart: String,
    /// What it shows.
    pub title: String,
    /// The SVG file, relative to the report (the Markdown file's folder with `--output`, else
    /// the current folder), `/`-separated.
    pub svg: String,
    /// The PNG file, the same way.
    pub png: String,
}

/// The recommended option's capacity on one metric.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CapacityLine {
    /// Metric id: `requests_per_sec`, `ecpu_per_sec`, `memory_gib`, `connections`, `cpu_pct`, `network_gbps`.
    pub metric: String,
    /// The capacity, in `unit`.
    pub value: f64,
    /// Unit of `value`.
    pub unit: String,
    /// What the line means.
    pub label: String,
}

/// The recommended option's capacity lines, from the model's own functions: requests/s from the
/// throughput model at the workload's mix, memory usable for data, maxclients, the CPU headroom
/// and the network baseline of a node; Serverless's per-cache maximums. Upstash has none.
fn capacity_lines(eval: &EnvEvaluation, book: &PriceBook) -> Vec<CapacityLine> {
    use crate::model::capacity::{Demand, data_capacity_gib, layout_requests_capacity};
    use crate::model::limits::{SERVERLESS_MAX_CONNECTIONS, SERVERLESS_MAX_DATA_GB, SERVERLESS_MAX_ECPU_PER_SEC};
    use crate::model::observed::Chart;
    use crate::model::units::to_f64;
    let Some(option) = eval.recommended() else { return Vec::new() };
    let w = &eval.inputs.workload;
    let policy = &eval.inputs.policy;
    let line = |chart: Chart, value: f64, unit: &str, label: &str| CapacityLine {
        metric: chart.id().to_string(),
        value,
        unit: unit.to_string(),
        label: label.to_string(),
    };
    match &option.deployment {
        Deployment::Node { layout, .. } | Deployment::Split { state: layout, .. } => {
            let node = book.catalog.node(layout.node);
            let demand = Demand::of(w, policy).without_pubsub();
            vec![
                line(
                    Chart::Requests,
                    layout_requests_capacity(layout, node, &demand, policy).round(),
                    "requests/s",
                    "served before the engine or network is full, at the workload's mix",
                ),
                line(
                    Chart::Memory,
                    data_capacity_gib(node, policy, to_f64(w.hot_data_fraction)) * f64::from(layout.shards.max(1)),
                    "GiB",
                    "usable for data within headroom",
                ),
                line(Chart::Connections, f64::from(node.maxclients), "connections", "maxclients per node"),
                line(Chart::Cpu, policy.headroom * 100.0, "%", "engine CPU planned at peak (headroom)"),
                line(Chart::Network, node.baseline_gbps, "Gbps", "baseline bandwidth per node"),
            ]
        }
        Deployment::Serverless { .. } => {
            let weight = to_f64(crate::model::metering::ecpu_per_request_mix(&w.size_buckets())).max(1e-9);
            vec![
                line(
                    Chart::Requests,
                    (SERVERLESS_MAX_ECPU_PER_SEC / weight).round(),
                    "requests/s",
                    "Serverless maximum at the request-size mix",
                ),
                line(Chart::Ecpu, SERVERLESS_MAX_ECPU_PER_SEC, "ECPU/s", "Serverless maximum per cache"),
                line(Chart::Memory, SERVERLESS_MAX_DATA_GB, "GiB", "Serverless maximum per cache"),
                line(
                    Chart::Connections,
                    f64::from(SERVERLESS_MAX_CONNECTIONS),
                    "connections",
                    "Serverless maximum per cache",
                ),
            ]
        }
        Deployment::Upstash { .. } => Vec::new(),
    }
}

/// A report over several environments.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AllReport {
    /// JSON schema version.
    pub schema_version: u32,
    /// One entry per environment, in plan order.
    pub envs: Vec<EnvReport>,
    /// Environments that could not be evaluated (their metrics could not be had and the plan
    /// gives no workload of its own), and why; not in the totals.
    pub not_evaluated: Vec<NotEvaluated>,
    /// Totals across environments (last: a streamed report knows them only at its end).
    pub totals: Totals,
}

/// An environment left out of a report, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotEvaluated {
    /// Environment.
    pub env: String,
    /// What is missing and how to get it.
    pub reason: String,
}

impl AllReport {
    /// The report of every environment, with their totals.
    pub fn new(envs: Vec<EnvReport>) -> Self {
        AllReport { schema_version: SCHEMA_VERSION, totals: totals(&envs), envs, not_evaluated: Vec::new() }
    }
}

/// Monthly totals across environments.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Sum of the current deployments that the plan describes.
    pub current_monthly_usd: Decimal,
    /// Environments with a `current` deployment.
    pub envs_with_current: usize,
    /// Sum of the recommended options.
    pub recommended_monthly_usd: Decimal,
    /// Upfront cash the recommended reservations need (known fees only).
    pub recommended_upfront_usd: Decimal,
    /// Recommended reservations whose upfront fee is not published (not in the sum above).
    pub recommended_upfront_unknown: usize,
    /// Environments where nothing fits.
    pub envs_without_fit: usize,
    /// Sum of the cheapest feasible options without commitment.
    pub cheapest_on_demand_monthly_usd: Decimal,
    /// Sum of the cheapest feasible options with a reservation (or without, where none is cheaper).
    pub cheapest_with_reservations_monthly_usd: Decimal,
    /// Upfront cash those reservations need (known upfront fees only).
    pub reservations_upfront_usd: Decimal,
}

/// A rendered report: one environment or all of them.
#[derive(Clone, Debug, PartialEq)]
pub enum Report {
    /// `--env NAME`.
    One(Box<EnvReport>),
    /// `--all`.
    All(AllReport),
}

impl Report {
    /// Environments in the report.
    pub fn envs(&self) -> &[EnvReport] {
        match self {
            Report::One(env) => std::slice::from_ref(env),
            Report::All(all) => &all.envs,
        }
    }
}

fn line_report(line: &Line, book: &PriceBook, citations: Option<&mut Citations>) -> LineReport {
    let price_source = match citations {
        Some(citations) => citations.of(&line.source),
        None => PriceSourceReport::plain(&line.source),
    };
    LineReport {
        item: line.item.text(&book.catalog).into_owned(),
        quantity: line.quantity,
        unit: line.unit.id(),
        unit_usd: line.unit_usd,
        monthly_usd: line.monthly_usd(),
        price_source,
        unverified: line.unverified.clone(),
    }
}

/// The report form of one evaluated option.
pub fn option_report(option: &Evaluated, book: &PriceBook) -> OptionReport {
    option_report_citing(option, book, None)
}

/// [`option_report`], its lines citing their sources through `citations` when given.
fn option_report_citing(option: &Evaluated, book: &PriceBook, mut citations: Option<&mut Citations>) -> OptionReport {
    let (node_type, cluster_mode, shards, replicas, nodes, term, plan) = match &option.deployment {
        Deployment::Node { layout, term } => (
            Some(book.catalog.node(layout.node).name.clone()),
            Some(layout.cluster_mode),
            Some(layout.shards),
            Some(layout.replicas),
            Some(layout.nodes()),
            Some(term.id().to_string()),
            None,
        ),
        Deployment::Upstash { plan } => (None, None, None, None, None, None, Some(plan.clone())),
        Deployment::Serverless { .. } => (None, None, None, None, None, None, None),
        Deployment::Split { state, adapter, term } => (
            Some(book.catalog.node(state.node).name.clone()),
            Some(state.cluster_mode),
            Some(state.shards),
            Some(state.replicas),
            Some(state.nodes() + adapter.nodes()),
            Some(term.id().to_string()),
            None,
        ),
    };
    let replica_reads = match &option.deployment {
        Deployment::Node { layout, .. } | Deployment::Split { state: layout, .. } => Some(layout.replica_reads),
        _ => None,
    };
    let cluster = |layout: &NodeLayout, part: Part| ClusterReport {
        node_type: book.catalog.node(layout.node).name.clone(),
        shards: layout.shards,
        replicas: layout.replicas,
        cluster_mode: layout.cluster_mode,
        nodes: layout.nodes(),
        monthly_usd: option.cost.part_monthly_usd(part),
    };
    let (adapter, state) = match &option.deployment {
        Deployment::Split { adapter, state, .. } => {
            (Some(cluster(adapter, Part::Adapter)), Some(cluster(state, Part::State)))
        }
        _ => (None, None),
    };
    let upfront = match option.term() {
        Some(Term::Reserved(..)) if !option.cost.upfront_known => None,
        _ => Some(option.cost.upfront_usd),
    };
    OptionReport {
        id: option.id.clone(),
        kind: option.kind,
        engine: option.deployment.engine(),
        node_type,
        cluster_mode,
        shards,
        replicas,
        nodes,
        replica_reads,
        usage_limits: match &option.deployment {
            Deployment::Serverless { limits, .. } if *limits != UsageLimits::default() => Some(*limits),
            _ => None,
        },
        term,
        plan,
        feasible: option.feasible(),
        excluded_reasons: option.exclusions.iter().map(|e| e.reason.clone()).collect(),
        exclusions: option
            .exclusions
            .iter()
            .map(|e| ExclusionReport { constraint: e.constraint.id().to_string(), reason: e.reason.clone() })
            .collect(),
        monthly_usd: option.monthly_usd(),
        monthly_usd_low: (option.verified_monthly_usd() != option.monthly_usd()).then(|| option.verified_monthly_usd()),
        upfront_usd: upfront,
        utilization: option.utilization,
        notes: option.notes.clone(),
        last_resort: option.last_resort.clone(),
        why_not_recommended: None,
        requirements: option.requirements.clone(),
        lines: option.cost.lines.iter().map(|l| line_report(l, book, citations.as_deref_mut())).collect(),
        adapter,
        state,
        discovered: false,
    }
}

fn recommendation_report(eval: &EnvEvaluation) -> RecommendationReport {
    match &eval.outcome {
        Outcome::Recommended(r) => {
            let winner = eval.option(&r.option_id);
            RecommendationReport {
                option_id: Some(r.option_id.clone()),
                monthly_usd: winner.map(Evaluated::monthly_usd),
                upfront_usd: winner.filter(|w| w.cost.upfront_known).map(|w| w.cost.upfront_usd),
                settings: Some(r.settings.clone()),
                rationale: r.rationale.clone(),
                risks: r.risks.clone(),
                break_even: Some(r.break_even.clone()),
                over_budget_usd: r.over_budget_usd,
                nothing_fits: None,
                oldest_price: winner.and_then(|w| {
                    w.cost
                        .lines
                        .iter()
                        .map(|l| &l.source)
                        .min_by(|a, b| a.date.cmp(&b.date).then(a.source_id.cmp(&b.source_id)))
                        .map(PriceSourceReport::plain)
                }),
                sizing: r.sizing.clone(),
                savings_plan: r.savings_plan.clone(),
            }
        }
        Outcome::NothingFits(n) => RecommendationReport {
            option_id: None,
            monthly_usd: None,
            upfront_usd: None,
            settings: None,
            rationale: Vec::new(),
            risks: Vec::new(),
            break_even: None,
            over_budget_usd: None,
            nothing_fits: Some(n.clone()),
            oldest_price: None,
            sizing: Vec::new(),
            savings_plan: None,
        },
    }
}

/// Evaluate one environment and build its report. With metrics, the quietest measured hour
/// starts the snapshot and maintenance windows, and the report carries what they measured.
pub fn evaluate_env(
    inputs: &EnvInputs,
    metrics: Option<&MetricsData>,
    book: &PriceBook,
    plan: &str,
    evaluated_on: NaiveDate,
) -> Result<EnvReport, ModelError> {
    evaluate_env_with(
        inputs,
        &Measurements { metrics, ..Measurements::default() },
        book,
        plan,
        evaluated_on,
        OptionsFilter::All,
    )
}

/// What an environment's metrics and its discovered cache bring to its evaluation.
#[derive(Clone, Debug, Default)]
pub struct Measurements<'a> {
    /// The series and what they measured.
    pub metrics: Option<&'a MetricsData>,
    /// The workload the measured figures make (`workload = "measured"`).
    pub workload: Option<MeasuredWorkload>,
    /// What runs, as ElastiCache describes it, when the plan has no `current`.
    pub discovered_current: Option<Current>,
    /// Where the metrics came from and what they cost.
    pub source: Option<MetricsReport>,
    /// Notes for the report (disagreements, what is missing).
    pub notes: Vec<String>,
    /// The plan has an `[env.X.workload]` of its own (its figures are shown beside the measured).
    pub plan_workload_written: bool,
}

/// [`evaluate_env`] with the measured workload, a discovered `current` and the fetch's report,
/// listing the options `listed` keeps.
pub fn evaluate_env_with(
    inputs: &EnvInputs,
    m: &Measurements<'_>,
    book: &PriceBook,
    plan: &str,
    evaluated_on: NaiveDate,
    listed: OptionsFilter,
) -> Result<EnvReport, ModelError> {
    let mut used = inputs.clone();
    if let Some(metrics) = m.metrics {
        used.quiet_hour_utc = metrics.observed.quiet_hour_utc;
    }
    if let Some(w) = &m.workload {
        used.workload = w.workload.clone();
    }
    let discovered = used.current.is_none() && m.discovered_current.is_some();
    if discovered {
        used.current.clone_from(&m.discovered_current);
    }
    if let Some(c) = used.current.as_mut().filter(|c| !c.snapshot_gb_written) {
        // the snapshot is as big as the data the workload now says (measured, when metrics
        // replace the plan's figures), unless the plan gives its size
        c.backup.snapshot_gb = used.workload.data_gb;
    }
    let eval = evaluate(&used, book, evaluated_on)?;
    let mut report = env_report_listed(&eval, book, plan, evaluated_on, listed);
    report.measured = m.metrics.map(|d| MeasuredReport::new(&d.origin, &d.observed));
    if let Some(w) = &m.workload {
        report.workload.ecpu_per_sec = w.ecpu_per_sec;
        report.workload.evictions_per_day = w.evictions_per_day;
        report.workload.quietest_hour_utc = w.quietest_hour_utc;
        report.workload.from_metrics = w.from_metrics.iter().map(ToString::to_string).collect();
        let p = &inputs.workload;
        report.workload.plan_figures = (m.plan_workload_written && !w.from_metrics.is_empty()).then_some(PlanFigures {
            data_gb: p.data_gb,
            peak_data_gb: p.peak_data_gb,
            requests_per_sec: p.requests_per_sec,
            peak_requests_per_sec: p.peak_requests_per_sec,
            connections: p.connections,
        });
        report.notes.extend(w.notes.iter().cloned());
    } else if let Some(d) = m.metrics {
        report.workload.quietest_hour_utc = d.observed.quiet_hour_utc;
    }
    if discovered && let Some(c) = report.current.as_mut() {
        c.discovered = true;
    }
    report.metrics.clone_from(&m.source);
    report.notes.extend(m.notes.iter().cloned());
    Ok(report)
}

/// The report of an evaluated environment (no measured workload), every option listed.
pub fn env_report(eval: &EnvEvaluation, book: &PriceBook, plan: &str, evaluated_on: NaiveDate) -> EnvReport {
    env_report_listed(eval, book, plan, evaluated_on, OptionsFilter::All)
}

/// The report of an evaluated environment listing the options `filter` keeps (the same as
/// [`env_report`] then [`options::select`], without building the reports of the options left
/// out).
pub fn env_report_listed(
    eval: &EnvEvaluation,
    book: &PriceBook,
    plan: &str,
    evaluated_on: NaiveDate,
    filter: OptionsFilter,
) -> EnvReport {
    let mut report = env_report_without_options(eval, book, plan, evaluated_on);
    let keep = options::listed(&report, &eval.options, book, filter);
    let listed: Vec<&Evaluated> = eval.options.iter().zip(&keep).filter_map(|(o, k)| k.then_some(o)).collect();
    // keyed by borrowed strings: an environment has thousands of lines and a dozen sources
    let mut cited: BTreeMap<(&str, PriceKind, &str), &crate::model::price::Source> = BTreeMap::new();
    for option in listed.iter().copied().chain(eval.current.iter()) {
        for line in &option.cost.lines {
            let p = &line.source;
            cited.entry((p.source_id.as_str(), p.kind, p.date.as_str())).or_insert(p);
        }
    }
    report.pricing.sources = cited
        .into_values()
        .map(|p| SourceInfo {
            id: p.source_id.clone(),
            kind: p.kind,
            source: p.source.clone(),
            date: p.date.clone(),
            locator: book.sources.get(&p.source_id).map(|m| m.locator.clone()).unwrap_or_default(),
        })
        .collect();
    let passed_over: foldhash::HashMap<&str, &str> = eval
        .outcome
        .recommendation()
        .map(|r| r.passed_over.iter().map(|p| (p.option_id.as_str(), p.reason.as_str())).collect())
        .unwrap_or_default();
    let mut citations = Citations::default();
    report.options = listed
        .into_iter()
        .map(|o| {
            let mut report = option_report_citing(o, book, Some(&mut citations));
            report.why_not_recommended = passed_over.get(o.id.as_str()).map(|r| (*r).to_string());
            report
        })
        .collect();
    report.search.options_listed = report.options.len();
    report.search.options_filter = filter;
    report
}

/// Everything of an environment's report but its options and the price sources they cite.
fn env_report_without_options(
    eval: &EnvEvaluation,
    book: &PriceBook,
    plan: &str,
    evaluated_on: NaiveDate,
) -> EnvReport {
    let w = &eval.inputs.workload;
    let recommended = eval.recommended();
    let oldest_used = recommended
        .and_then(|w| w.cost.lines.iter().filter_map(|l| price_date(&l.source.date)).min())
        .unwrap_or(book.as_of);
    let age_days = (evaluated_on - oldest_used).num_days();
    EnvReport {
        schema_version: SCHEMA_VERSION,
        env: eval.inputs.name.clone(),
        region: eval.inputs.region.clone(),
        engine: eval.inputs.app_engine,
        ha: eval.inputs.ha,
        role: eval.inputs.role,
        tier: eval.inputs.tier,
        plan: plan.to_string(),
        evaluated_on,
        pricing: PricingInfo {
            as_of: book.as_of,
            origin: book.origin.clone(),
            oldest_used,
            age_days,
            stale: age_days > STALE_AFTER_DAYS,
            sources: Vec::new(),
        },
        workload: WorkloadReport::plain(w.clone()),
        policy: PolicyReport {
            headroom: eval.inputs.policy.headroom,
            horizon_months: eval.inputs.policy.horizon_months,
            reserved_memory_pct: (eval.inputs.policy.reserved_memory * 100.0).round(),
            commit: eval.inputs.commit.id().to_string(),
            commit_payment: eval.inputs.commit.payment.id().to_string(),
            budget_usd: eval.inputs.budget_usd,
            cross_az_fraction: eval.inputs.cross_az_fraction,
            client_azs: w.client_azs,
            burstable: eval.inputs.policy.burstable,
            simplicity_margin: eval.inputs.policy.simplicity_margin,
            vendors: eval.inputs.policy.vendors.clone(),
            heuristics: HEURISTICS.iter().map(ToString::to_string).collect(),
            throughput_anchors: THROUGHPUT_ANCHORS.iter().map(ToString::to_string).collect(),
        },
        recommendation: recommendation_report(eval),
        search: SearchReport {
            layouts_checked: eval.stats.layouts_checked,
            prices_computed: eval.stats.prices_computed,
            options_evaluated: eval.options.len(),
            options_feasible: eval.options.iter().filter(|o| o.feasible()).count(),
            options_listed: 0,
            options_filter: OptionsFilter::All,
        },
        measured: None,
        metrics: None,
        what_if: None,
        current: eval.current.as_ref().map(|c| option_report(c, book)),
        cheapest: Cheapest {
            on_demand: eval.cheapest_on_demand().map(|o| o.id.clone()),
            reserved: eval.cheapest_reserved().map(|o| o.id.clone()),
        },
        options: Vec::new(),
        notes: eval.notes.clone(),
        capacity_lines: capacity_lines(eval, book),
        charts: Vec::new(),
    }
}

impl EnvReport {
    /// An option by id.
    pub fn option(&self, id: &str) -> Option<&OptionReport> {
        self.options.iter().find(|o| o.id == id)
    }

    /// The cheapest feasible option without commitment.
    pub fn cheapest_on_demand(&self) -> Option<&OptionReport> {
        self.cheapest.on_demand.as_deref().and_then(|id| self.option(id))
    }

    /// The cheapest feasible option with a reservation.
    pub fn cheapest_reserved(&self) -> Option<&OptionReport> {
        self.cheapest.reserved.as_deref().and_then(|id| self.option(id))
    }

    /// The recommended option.
    pub fn recommended(&self) -> Option<&OptionReport> {
        self.recommendation.option_id.as_deref().and_then(|id| self.option(id))
    }

    /// The cheaper of the two (what reservations would bring the environment down to).
    pub fn cheapest_any(&self) -> Option<&OptionReport> {
        match (self.cheapest_on_demand(), self.cheapest_reserved()) {
            (Some(a), Some(b)) => Some(if b.monthly_usd < a.monthly_usd { b } else { a }),
            (a, b) => a.or(b),
        }
    }
}

/// Totals across environments.
pub fn totals<'a>(envs: impl IntoIterator<Item = &'a EnvReport>) -> Totals {
    let mut t = Totals::default();
    for env in envs {
        t.add(env);
    }
    t
}

impl Totals {
    /// Add the totals of other environments.
    pub fn add_all(&mut self, other: &Totals) {
        self.current_monthly_usd += other.current_monthly_usd;
        self.envs_with_current += other.envs_with_current;
        self.recommended_monthly_usd += other.recommended_monthly_usd;
        self.recommended_upfront_usd += other.recommended_upfront_usd;
        self.recommended_upfront_unknown += other.recommended_upfront_unknown;
        self.envs_without_fit += other.envs_without_fit;
        self.cheapest_on_demand_monthly_usd += other.cheapest_on_demand_monthly_usd;
        self.cheapest_with_reservations_monthly_usd += other.cheapest_with_reservations_monthly_usd;
        self.reservations_upfront_usd += other.reservations_upfront_usd;
    }

    /// Count one more environment in.
    pub fn add(&mut self, env: &EnvReport) {
        let t = self;
        if let Some(c) = &env.current {
            t.current_monthly_usd += c.monthly_usd;
            t.envs_with_current += 1;
        }
        match env.recommended() {
            Some(r) => {
                t.recommended_monthly_usd += r.monthly_usd;
                match r.upfront_usd {
                    Some(u) => t.recommended_upfront_usd += u,
                    None => t.recommended_upfront_unknown += 1,
                }
            }
            None => t.envs_without_fit += 1,
        }
        if let Some(o) = env.cheapest_on_demand() {
            t.cheapest_on_demand_monthly_usd += o.monthly_usd;
        }
        if let Some(o) = env.cheapest_any() {
            t.cheapest_with_reservations_monthly_usd += o.monthly_usd;
            t.reservations_upfront_usd += o.upfront_usd.unwrap_or_default();
        }
    }
}

/// Render `report` in `format` to `out`.
pub fn render(report: &Report, format: Format, out: &mut impl Write) -> io::Result<()> {
    match format {
        Format::Md => out.write_all(markdown::render(report).as_bytes()),
        Format::Json => json::write(report, out),
        Format::Csv => csv::write(report, out),
    }
}
