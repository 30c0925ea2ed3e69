//! Cost: a deployment and a workload priced into line items (quantity × unit price, with provenance).
//!
//! Totals are never stored: a breakdown's monthly cost is the exact sum of its lines, and each
//! line's monthly cost is its quantity times its unit price, in the line's own unit.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt;

use super::catalog::Engine;
use super::metering::ecpu_per_request;
use super::price::{PriceBook, Source, Term};
use super::units::{KB_PER_GIB, SECONDS_PER_MONTH, format_quantity, format_usd, hours_per_month};
use super::workload::{Backup, EngineVersion, NodeLayout, Workload};

/// The unit a line is billed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Unit {
    /// One node for one hour.
    #[serde(rename = "node-hour")]
    NodeHour,
    /// One GB stored for one hour.
    #[serde(rename = "GB-hour")]
    GbHour,
    /// A million ElastiCache Processing Units.
    #[serde(rename = "million ECPU")]
    MillionEcpu,
    /// One GB stored for a month.
    #[serde(rename = "GB-month")]
    GbMonth,
    /// 100,000 commands (Upstash).
    #[serde(rename = "100K commands")]
    HundredThousandCommands,
    /// One GB transferred.
    #[serde(rename = "GB")]
    Gb,
    /// A month of a flat-priced plan.
    #[serde(rename = "month")]
    Month,
}

impl Unit {
    /// The unit as written in reports.
    pub fn id(self) -> &'static str {
        match self {
            Unit::NodeHour => "node-hour",
            Unit::GbHour => "GB-hour",
            Unit::MillionEcpu => "million ECPU",
            Unit::GbMonth => "GB-month",
            Unit::HundredThousandCommands => "100K commands",
            Unit::Gb => "GB",
            Unit::Month => "month",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One billed line.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// What is billed, in words.
    pub item: String,
    /// How much, in `unit`s.
    pub quantity: Decimal,
    /// The unit.
    pub unit: Unit,
    /// USD per unit.
    pub unit_usd: Decimal,
    /// Where the unit price comes from.
    pub source: Source,
}

impl Line {
    /// Monthly cost: quantity × unit price, exact.
    pub fn monthly_usd(&self) -> Decimal {
        self.quantity * self.unit_usd
    }
}

/// The priced lines of one deployment, plus the cash due upfront.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CostBreakdown {
    /// Monthly lines.
    pub lines: Vec<Line>,
    /// Upfront cash for reserved nodes (already amortized into the lines).
    pub upfront_usd: Decimal,
    /// False when a reserved offer's upfront fee is not published (only its amortized rate).
    pub upfront_known: bool,
}

impl CostBreakdown {
    fn new() -> Self {
        CostBreakdown {
            lines: Vec::new(),
            upfront_usd: Decimal::ZERO,
            upfront_known: true,
        }
    }

    /// Monthly cost: the exact sum of the lines.
    pub fn monthly_usd(&self) -> Decimal {
        self.lines.iter().map(Line::monthly_usd).sum()
    }

    fn push(
        &mut self,
        item: String,
        quantity: Decimal,
        unit: Unit,
        unit_usd: Decimal,
        source: &Source,
    ) {
        self.lines.push(Line {
            item,
            quantity,
            unit,
            unit_usd,
            source: source.clone(),
        });
    }
}

/// A price the book does not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no embedded price for {what} in {region}")]
pub struct MissingPrice {
    /// What was looked up.
    pub what: String,
    /// Region.
    pub region: String,
}

fn missing(what: String, region: &str) -> MissingPrice {
    MissingPrice {
        what,
        region: region.to_string(),
    }
}

/// Snapshot storage: every kept snapshot beyond the first free one, per GB-month.
fn push_backup(cost: &mut CostBreakdown, region: &str, backup: &Backup, book: &PriceBook) {
    if backup.retention_days == 0 {
        return;
    }
    let rate = book.backup(region);
    let billable = Decimal::from(backup.retention_days - 1) * backup.snapshot_gb;
    let item = format!(
        "Snapshots: {} kept x {} GiB, one free",
        backup.retention_days,
        format_quantity(backup.snapshot_gb, 2)
    );
    cost.push(item, billable, Unit::GbMonth, rate.usd, &rate.source);
}

/// ElastiCache Serverless: storage GB-hours (with the engine minimum), ECPUs (with a configured
/// minimum), snapshots beyond the free one.
pub fn serverless(
    region: &str,
    engine: Engine,
    workload: &Workload,
    backup: &Backup,
    book: &PriceBook,
) -> Result<CostBreakdown, MissingPrice> {
    let rates = book
        .serverless(region, engine)
        .ok_or_else(|| missing(format!("ElastiCache Serverless {}", engine.label()), region))?;
    let mut cost = CostBreakdown::new();

    let minimum = rates.min_storage_gb.usd;
    let stored = workload.data_gb.max(minimum);
    let item = if workload.data_gb < minimum {
        format!(
            "Data stored: minimum metered {} GB (average {} GiB)",
            format_quantity(minimum, 3),
            format_quantity(workload.data_gb, 3)
        )
    } else {
        format!(
            "Data stored: average {} GiB",
            format_quantity(workload.data_gb, 3)
        )
    };
    cost.push(
        item,
        stored * hours_per_month(),
        Unit::GbHour,
        rates.storage_gb_hour.usd,
        &rates.storage_gb_hour.source,
    );

    let per_request = ecpu_per_request(workload.avg_request_kb);
    let actual = workload.requests_per_sec * per_request;
    let billed = actual.max(workload.min_ecpu_per_sec);
    let item = if workload.min_ecpu_per_sec > actual {
        format!(
            "ECPU: configured minimum {}/s (actual {}/s)",
            format_quantity(workload.min_ecpu_per_sec, 2),
            format_quantity(actual, 2)
        )
    } else {
        format!(
            "ECPU: {} req/s x {} ECPU",
            format_quantity(workload.requests_per_sec, 2),
            format_quantity(per_request, 3)
        )
    };
    let million_per_month = billed * Decimal::from(SECONDS_PER_MONTH) / Decimal::from(1_000_000);
    cost.push(
        item,
        million_per_month,
        Unit::MillionEcpu,
        rates.ecpu_per_million.usd,
        &rates.ecpu_per_million.source,
    );

    push_backup(&mut cost, region, backup, book);
    Ok(cost)
}

/// Node-based ElastiCache: node-hours at the term's rate (reserved upfront amortized), the
/// Extended Support surcharge for end-of-life Redis OSS, snapshots beyond the free one.
pub fn node(
    region: &str,
    layout: &NodeLayout,
    term: Term,
    backup: &Backup,
    version: Option<&EngineVersion>,
    as_of: NaiveDate,
    book: &PriceBook,
) -> Result<CostBreakdown, MissingPrice> {
    let node = book.catalog.node(layout.node);
    let nodes = Decimal::from(layout.nodes());
    let node_hours = nodes * hours_per_month();
    let shape = if layout.replicas == 0 {
        format!("{} x {}", layout.nodes(), node.name)
    } else {
        format!(
            "{} x {} ({} shard{} x (1 primary + {} replica{}))",
            layout.nodes(),
            node.name,
            layout.shards,
            if layout.shards == 1 { "" } else { "s" },
            layout.replicas,
            if layout.replicas == 1 { "" } else { "s" },
        )
    };
    let mut cost = CostBreakdown::new();
    match term {
        Term::OnDemand => {
            let rate = book
                .on_demand(region, layout.node, layout.engine)
                .ok_or_else(|| {
                    missing(
                        format!("{} {} on-demand", node.name, layout.engine.label()),
                        region,
                    )
                })?;
            cost.push(
                format!("{shape}, on-demand"),
                node_hours,
                Unit::NodeHour,
                rate.usd,
                &rate.source,
            );
        }
        Term::Reserved(length, payment) => {
            let offer = book
                .reserved(region, layout.node, layout.engine, term)
                .ok_or_else(|| {
                    missing(
                        format!("{} {} {}", node.name, layout.engine.label(), term.label()),
                        region,
                    )
                })?;
            match (offer.upfront_usd, offer.hourly_usd) {
                (Some(upfront), Some(hourly)) => {
                    if hourly > Decimal::ZERO || upfront.is_zero() {
                        cost.push(
                            format!("{shape}, {}: recurring", term.label()),
                            node_hours,
                            Unit::NodeHour,
                            hourly,
                            &offer.source,
                        );
                    }
                    if upfront > Decimal::ZERO {
                        cost.push(
                            format!(
                                "{shape}, {}: upfront {} per node over {} h",
                                term.label(),
                                format_usd(upfront),
                                format_quantity(length.hours(), 0)
                            ),
                            node_hours,
                            Unit::NodeHour,
                            upfront / length.hours(),
                            &offer.source,
                        );
                    }
                    cost.upfront_usd = upfront * nodes;
                }
                _ => {
                    cost.push(
                        format!(
                            "{shape}, {}: amortized rate (source gives no upfront/hourly split)",
                            term.label()
                        ),
                        node_hours,
                        Unit::NodeHour,
                        offer.amortized_hourly_usd(length),
                        &offer.source,
                    );
                    cost.upfront_known = payment == super::price::Payment::NoUpfront;
                }
            }
        }
    }
    if layout.engine == Engine::Redis
        && let Some(version) = version
        && let Some(period) = book.support_period(version.major, as_of)
    {
        let rate = book
            .region(region)
            .and_then(|r| r.extended_support.get(&(layout.node, period)))
            .ok_or_else(|| missing(format!("Extended Support for {}", node.name), region))?;
        cost.push(
            format!(
                "Extended Support: Redis OSS {} ({}), {} nodes",
                version.text,
                period.label(),
                layout.nodes()
            ),
            node_hours,
            Unit::NodeHour,
            rate.usd,
            &rate.source,
        );
    }
    if layout.engine != Engine::Memcached {
        push_backup(&mut cost, region, backup, book);
    }
    Ok(cost)
}

/// Whole commands billed in a month at `requests_per_sec`.
pub fn commands_per_month(requests_per_sec: Decimal) -> Decimal {
    (requests_per_sec * Decimal::from(SECONDS_PER_MONTH)).round()
}

/// GB moved in a month: requests × average payload.
pub fn bandwidth_gb_per_month(workload: &Workload) -> Decimal {
    commands_per_month(workload.requests_per_sec) * workload.avg_request_kb
        / Decimal::from(KB_PER_GIB)
}

/// Upstash: pay-as-you-go (commands, storage above the free GB, bandwidth above the free tier;
/// no free commands) or a flat-priced plan (`free`, `fixed-…`).
pub fn upstash(
    plan: &str,
    workload: &Workload,
    book: &PriceBook,
) -> Result<CostBreakdown, MissingPrice> {
    let pricing = &book.upstash;
    let source = &pricing.source;
    let mut cost = CostBreakdown::new();
    if plan == "payg" {
        let payg = &pricing.payg;
        let commands = commands_per_month(workload.requests_per_sec);
        cost.push(
            format!("Commands: {} per month", format_quantity(commands, 0)),
            commands / Decimal::from(100_000),
            Unit::HundredThousandCommands,
            payg.usd_per_100k_commands,
            source,
        );
        cost.push(
            format!(
                "Storage above the free {} GB (average {} GiB)",
                format_quantity(payg.storage_free_gb, 2),
                format_quantity(workload.data_gb, 3)
            ),
            (workload.data_gb - payg.storage_free_gb).max(Decimal::ZERO),
            Unit::GbMonth,
            payg.storage_usd_per_gb_month,
            source,
        );
        let bandwidth = bandwidth_gb_per_month(workload);
        cost.push(
            format!(
                "Bandwidth above the free {} GB ({} GB per month)",
                format_quantity(payg.bandwidth_free_gb_month, 0),
                format_quantity(bandwidth, 2)
            ),
            (bandwidth - payg.bandwidth_free_gb_month).max(Decimal::ZERO),
            Unit::Gb,
            payg.bandwidth_usd_per_gb,
            source,
        );
        return Ok(cost);
    }
    let fixed = pricing
        .plans
        .iter()
        .find(|p| p.id == plan)
        .ok_or_else(|| missing(format!("Upstash plan '{plan}'"), "Upstash"))?;
    cost.push(
        format!("Upstash {} plan", fixed.name),
        Decimal::ONE,
        Unit::Month,
        fixed.usd_month,
        source,
    );
    Ok(cost)
}
