//! Cost: a deployment and a workload priced into line items (quantity × unit price, with provenance).
//!
//! Totals are never stored: a breakdown's monthly cost is the exact sum of its lines, and each
//! line's monthly cost is its quantity times its unit price, in the line's own unit.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use super::catalog::{Catalog, Engine, NodeId};
use super::metering::{ecpu_per_request, ecpu_per_request_mix};
use super::price::{Payment, RegionPrices, ReservedOffer, TermLength};
use super::price::{PriceBook, Source, Term};
use super::units::{
    HOURS_PER_MONTH, KB_PER_GIB, SECONDS_PER_MONTH, format_quantity, format_usd, hours_per_month, rough_f64,
};
use super::workload::{Backup, EngineVersion, EnvInputs, NodeLayout, Workload, cross_az_share, primary_cross_az_share};

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

/// Which cluster of a split deployment a line belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// The pub/sub adapter cluster.
    Adapter,
    /// The state cluster.
    State,
}

/// What a line bills, in words. The words of the lines every node-based option has are kept as
/// what they are made of and written when asked ([`Item::text`]): an environment prices hundreds
/// of options and a report shows the lines of a few.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// Written out.
    Text(String),
    /// Written once and shared (the snapshot line every node-based option of an environment has).
    Shared(Arc<str>),
    /// A fixed text.
    Fixed(&'static str),
    /// Node-hours of `layout` under `term`, `prefix` naming the cluster of a split deployment.
    NodeHours {
        /// `""`, `"adapter: "` or `"state: "`.
        prefix: &'static str,
        /// The nodes.
        layout: NodeLayout,
        /// The term.
        term: Term,
        /// Which charge of the term.
        charge: NodeCharge,
    },
}

/// Which charge of a term a node-hour line bills.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NodeCharge {
    /// The on-demand rate.
    OnDemand,
    /// A reserved term's hourly fee.
    Recurring,
    /// A reserved term's upfront fee per node, spread over the term's hours.
    Upfront(Decimal),
    /// A reserved term's effective hourly rate, where the source splits it no further.
    Amortized,
}

impl Item {
    /// The words (node types named from `catalog`).
    pub fn text(&self, catalog: &Catalog) -> Cow<'_, str> {
        match self {
            Item::Text(text) => Cow::Borrowed(text),
            Item::Shared(text) => Cow::Borrowed(text),
            Item::Fixed(text) => Cow::Borrowed(text),
            Item::NodeHours { prefix, layout, term, charge } => {
                let mut text = node_shape(prefix, layout, &catalog.node(layout.node).name);
                match charge {
                    NodeCharge::OnDemand => text.push_str(", on-demand"),
                    NodeCharge::Recurring => {
                        text.push_str(", ");
                        text.push_str(term.label());
                        text.push_str(": recurring");
                    }
                    NodeCharge::Upfront(usd) => {
                        text.push_str(", ");
                        text.push_str(term.label());
                        text.push_str(": upfront ");
                        text.push_str(&format_usd(*usd));
                        text.push_str(" per node over ");
                        // an upfront fee is a reserved term's
                        if let Term::Reserved(length, _) = term {
                            text.push_str(term_hours_text(*length));
                        }
                        text.push_str(" h");
                    }
                    NodeCharge::Amortized => {
                        text.push_str(", ");
                        text.push_str(term.label());
                        text.push_str(": amortized rate (source gives no upfront/hourly split)");
                    }
                }
                Cow::Owned(text)
            }
        }
    }

    /// Whether its words start with `start` (a fixed or written text; node-hour lines never
    /// match).
    pub fn starts_with(&self, start: &str) -> bool {
        match self {
            Item::Text(text) => text.starts_with(start),
            Item::Shared(text) => text.starts_with(start),
            Item::Fixed(text) => text.starts_with(start),
            Item::NodeHours { .. } => false,
        }
    }
}

impl From<String> for Item {
    fn from(text: String) -> Self {
        Item::Text(text)
    }
}

impl From<&str> for Item {
    fn from(text: &str) -> Self {
        Item::Text(text.to_string())
    }
}

/// One billed line.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The cluster of a split deployment it belongs to.
    pub part: Option<Part>,
    /// What is billed, in words.
    pub item: Item,
    /// How much, in `unit`s.
    pub quantity: Decimal,
    /// The unit.
    pub unit: Unit,
    /// USD per unit.
    pub unit_usd: Decimal,
    /// Where the unit price comes from.
    pub source: Source,
    /// Why the quantity rests on an assumption no source confirms (an unverified line).
    pub unverified: Option<String>,
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
        CostBreakdown { lines: Vec::new(), upfront_usd: Decimal::ZERO, upfront_known: true }
    }

    /// Monthly cost: the exact sum of the lines.
    pub fn monthly_usd(&self) -> Decimal {
        self.lines.iter().map(Line::monthly_usd).sum()
    }

    /// Monthly cost with checked arithmetic: the total, or the line (or `upfront`) whose cost
    /// overflows an exact decimal or is above [`max_monthly_usd`]. Once this is `Ok`, every
    /// other sum of the lines ([`CostBreakdown::monthly_usd`]…) is safe.
    pub fn checked_monthly_usd(&self, catalog: &Catalog) -> Result<Decimal, String> {
        let max = max_monthly_usd();
        let mut total = Decimal::ZERO;
        for line in &self.lines {
            total = line
                .quantity
                .checked_mul(line.unit_usd)
                .filter(|m| m.abs() <= max)
                .and_then(|m| total.checked_add(m))
                .filter(|t| t.abs() <= max)
                .ok_or_else(|| format!("'{}'", line.item.text(catalog)))?;
        }
        if self.upfront_usd.abs() > max {
            return Err("its upfront fee".to_string());
        }
        Ok(total)
    }

    /// Monthly cost without the unverified lines: the low end of the range.
    pub fn verified_monthly_usd(&self) -> Decimal {
        self.lines.iter().filter(|l| l.unverified.is_none()).map(Line::monthly_usd).sum()
    }

    fn push(&mut self, item: impl Into<Item>, quantity: Decimal, unit: Unit, unit_usd: Decimal, source: &Source) {
        let item = item.into();
        self.lines.push(Line { part: None, item, quantity, unit, unit_usd, source: source.clone(), unverified: None });
    }

    /// Monthly cost of one part of a split deployment.
    pub fn part_monthly_usd(&self, part: Part) -> Decimal {
        self.lines.iter().filter(|l| l.part == Some(part)).map(Line::monthly_usd).sum()
    }

    fn tag(&mut self, from: usize, part: Part) {
        for line in &mut self.lines[from..] {
            line.part = Some(part);
        }
    }
}

/// The most a deployment may cost a month, USD (10^21): far above any cache, and far inside
/// what an exact decimal holds, so sums and multiples of totals cannot overflow. A cost above it
/// means a price or a figure is out of range.
pub fn max_monthly_usd() -> Decimal {
    Decimal::from_i128_with_scale(10i128.pow(21), 0)
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
    MissingPrice { what, region: region.to_string() }
}

/// Client traffic a workload moves in a month, GB: requests × payload, and pub/sub messages ×
/// payload × (1 + subscribers).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Traffic {
    /// Request traffic, GB per month.
    pub requests_gb: Decimal,
    /// Pub/sub traffic (published + delivered), GB per month.
    pub pubsub_gb: Decimal,
}

impl Traffic {
    /// The traffic of `w`.
    pub fn of(w: &Workload) -> Traffic {
        let per_kb = Decimal::from(KB_PER_GIB);
        let requests_gb = commands_per_month(w.requests_per_sec) * w.avg_request_kb / per_kb;
        let deliveries = Decimal::ONE + Decimal::from(w.pubsub_subscribers);
        let pubsub_gb = commands_per_month(w.pubsub_messages_per_sec) * w.pubsub_payload_kb * deliveries / per_kb;
        Traffic { requests_gb, pubsub_gb }
    }

    /// All of it.
    pub fn total_gb(&self) -> Decimal {
        self.requests_gb + self.pubsub_gb
    }

    /// Only the requests (a split deployment's state cluster).
    #[must_use]
    pub fn requests_only(&self) -> Traffic {
        Traffic { pubsub_gb: Decimal::ZERO, ..*self }
    }

    /// Only pub/sub (a split deployment's adapter).
    #[must_use]
    pub fn pubsub_only(&self) -> Traffic {
        Traffic { requests_gb: Decimal::ZERO, ..*self }
    }
}

/// Client traffic that crosses AZs, GB per month, for a deployment serving reads from `read_azs`
/// zones: requests at [`cross_az_share`], pub/sub at the primary's share.
pub fn cross_az_gb(env: &EnvInputs, traffic: &Traffic, read_azs: u32) -> Decimal {
    traffic.requests_gb * cross_az_share(env, read_azs) + traffic.pubsub_gb * primary_cross_az_share(env)
}

/// [`cross_az_gb`] for every number of zones reads may be served from, computed once an
/// environment: the search and the assessment of hundreds of layouts look it up.
#[derive(Clone, Debug)]
pub struct CrossAzGb {
    /// GB per month when reads are served from 1, 2… zones, up to the client's zones (beyond
    /// them the share no longer changes).
    by_read_azs: Vec<Decimal>,
}

impl CrossAzGb {
    /// The table of `env`'s `traffic`.
    pub fn of(env: &EnvInputs, traffic: &Traffic) -> Self {
        let zones = env.workload.client_azs.clamp(1, crate::model::workload::MAX_CLIENT_AZS);
        CrossAzGb { by_read_azs: (1..=zones).map(|z| cross_az_gb(env, traffic, z)).collect() }
    }

    /// [`cross_az_gb`] of the table's environment and traffic for `read_azs` zones.
    pub fn get(&self, env: &EnvInputs, traffic: &Traffic, read_azs: u32) -> Decimal {
        let zones = env.workload.client_azs.max(1);
        let index = read_azs.clamp(1, zones) as usize - 1;
        // a workload outside the validated bounds (more client zones than the table) is computed
        self.by_read_azs.get(index).copied().unwrap_or_else(|| cross_az_gb(env, traffic, read_azs))
    }
}

/// Zones a node layout serves reads from: the primary's, and when reads go to the replicas, one
/// per node of a shard (ElastiCache spreads a shard's nodes over zones with Multi-AZ).
pub fn read_azs(layout: &NodeLayout) -> u32 {
    if layout.replica_reads { 1 + layout.replicas } else { 1 }
}

/// Snapshot storage: every kept snapshot beyond the first free one, per GB-month.
fn push_backup(cost: &mut CostBreakdown, prefix: &'static str, region: &str, backup: &Backup, book: &PriceBook) {
    cost.lines.extend(snapshot_line(prefix, region, backup, book));
}

/// The snapshot line of `backup` (none when no snapshot is kept): the same for every node-based
/// option of an environment, so it is built once and copied.
pub(crate) fn snapshot_line(prefix: &str, region: &str, backup: &Backup, book: &PriceBook) -> Option<Line> {
    if backup.retention_days == 0 {
        return None;
    }
    let rate = book.backup(region);
    let billable = Decimal::from(backup.retention_days - 1) * backup.snapshot_gb;
    let item = format!(
        "{prefix}Snapshots: {} kept x {} GiB, one free",
        backup.retention_days,
        format_quantity(backup.snapshot_gb, 2)
    );
    Some(Line {
        part: None,
        item: Item::Shared(item.into()),
        quantity: billable,
        unit: Unit::GbMonth,
        unit_usd: rate.usd,
        source: rate.source.clone(),
        unverified: None,
    })
}

/// Monthly cost of the snapshots beyond the free one (saturating where it overflows: such a
/// cost fails the check of any breakdown holding it).
pub(crate) fn backup_usd(region: &str, backup: &Backup, book: &PriceBook) -> Decimal {
    checked_backup_usd(region, backup, book).unwrap_or(Decimal::MAX)
}

/// [`backup_usd`], `None` when it overflows.
fn checked_backup_usd(region: &str, backup: &Backup, book: &PriceBook) -> Option<Decimal> {
    if backup.retention_days == 0 {
        return Some(Decimal::ZERO);
    }
    Decimal::from(backup.retention_days - 1).checked_mul(backup.snapshot_gb)?.checked_mul(book.backup(region).usd)
}

/// The cross-AZ line's words (after the prefix of a split deployment's cluster).
macro_rules! cross_az_item {
    () => {
        "Cross-AZ client traffic (billed to the clients' side)"
    };
}

/// Client traffic crossing AZs: billed $0.01/GB on the client side, caused by where the cache runs.
fn push_cross_az(cost: &mut CostBreakdown, prefix: &'static str, cross_az_gb: Decimal, book: &PriceBook) {
    if cross_az_gb <= Decimal::ZERO {
        return;
    }
    let rate = &book.cross_az_per_gb;
    cost.push(
        match prefix {
            "" => Item::Fixed(cross_az_item!()),
            "adapter: " => Item::Fixed(concat!("adapter: ", cross_az_item!())),
            "state: " => Item::Fixed(concat!("state: ", cross_az_item!())),
            other => Item::Text(format!("{other}{}", cross_az_item!())),
        },
        cross_az_gb,
        Unit::Gb,
        rate.usd,
        &rate.source,
    );
}

/// How the Upstash Prod Pack line starts.
pub const PROD_PACK_ITEM: &str = "Prod Pack";

/// Why the Serverless pub/sub line is an assumption (FACTS: metering of deliveries unpublished).
pub const SERVERLESS_PUBSUB_UNVERIFIED: &str = "AWS does not publish how pub/sub deliveries are metered (an AWS-authored source says PUBLISH and SUBSCRIBE are not): priced at the high end, 1 ECPU per KB per delivery; the low end is $0";

/// Why the Serverless cross-AZ line is an assumption (FACTS: no AWS statement either way).
pub const SERVERLESS_CROSS_AZ_UNVERIFIED: &str = "no AWS statement says whether client traffic to a Serverless endpoint in another AZ is billed; priced as for one endpoint in one zone (set cross_az_fraction = 0 to leave it out)";

/// ElastiCache Serverless: storage GB-hours (with the engine minimum), ECPUs (with a configured
/// minimum), snapshots beyond the free one, cross-AZ client traffic.
pub fn serverless(
    region: &str,
    engine: Engine,
    workload: &Workload,
    backup: &Backup,
    cross_az_gb: Decimal,
    book: &PriceBook,
) -> Result<CostBreakdown, MissingPrice> {
    let rates = book
        .serverless(region, engine)
        .ok_or_else(|| missing(format!("ElastiCache Serverless {}", engine.label()), region))?;
    let mut cost = CostBreakdown::new();

    let minimum = rates.min_storage_gb.gb;
    let stored = workload.data_gb.max(minimum);
    let item = if workload.data_gb < minimum {
        format!(
            "Data stored: minimum metered {} GB (average {} GiB)",
            format_quantity(minimum, 3),
            format_quantity(workload.data_gb, 3)
        )
    } else {
        format!("Data stored: average {} GiB", format_quantity(workload.data_gb, 3))
    };
    cost.push(item, stored * hours_per_month(), Unit::GbHour, rates.storage_gb_hour.usd, &rates.storage_gb_hour.source);

    let per_request = ecpu_per_request_mix(&workload.size_buckets());
    let actual = workload.requests_per_sec * per_request;
    let billed = actual.max(workload.min_ecpu_per_sec);
    let mix = if workload.request_sizes.is_empty() { "" } else { " (over the request-size mix)" };
    let item = if workload.min_ecpu_per_sec > actual {
        format!(
            "ECPU: configured minimum {}/s (actual {}/s)",
            format_quantity(workload.min_ecpu_per_sec, 2),
            format_quantity(actual, 2)
        )
    } else {
        format!(
            "ECPU: {} req/s x {} ECPU{mix}",
            format_quantity(workload.requests_per_sec, 2),
            format_quantity(per_request, 3)
        )
    };
    let per_million = Decimal::from(SECONDS_PER_MONTH) / Decimal::from(1_000_000);
    let ecpu = &rates.ecpu_per_million;
    cost.push(item, billed * per_million, Unit::MillionEcpu, ecpu.usd, &ecpu.source);

    // pub/sub deliveries: metering is not published (FACTS); the line prices the high end, and
    // the low end (unmetered) is the total without it
    let deliveries = workload.pubsub_messages_per_sec * Decimal::from(workload.pubsub_subscribers);
    if deliveries > Decimal::ZERO {
        let per_delivery = ecpu_per_request(workload.pubsub_payload_kb);
        cost.push(
            format!(
                "Pub/sub deliveries: {} msg/s x {} subscribers x {} ECPU (unverified: $0 if deliveries are not metered)",
                format_quantity(workload.pubsub_messages_per_sec, 2),
                workload.pubsub_subscribers,
                format_quantity(per_delivery, 3)
            ),
            deliveries * per_delivery * per_million,
            Unit::MillionEcpu,
            ecpu.usd,
            &ecpu.source,
        );
        if let Some(line) = cost.lines.last_mut() {
            line.unverified = Some(SERVERLESS_PUBSUB_UNVERIFIED.to_string());
        }
    }

    push_backup(&mut cost, "", region, backup, book);
    let before = cost.lines.len();
    push_cross_az(&mut cost, "", cross_az_gb, book);
    for line in &mut cost.lines[before..] {
        line.unverified = Some(SERVERLESS_CROSS_AZ_UNVERIFIED.to_string());
    }
    Ok(cost)
}

/// `{prefix}3 x cache.r7g.large (1 shard x (1 primary + 2 replicas))`, in one allocation with
/// room for what the caller appends.
fn node_shape(prefix: &str, layout: &NodeLayout, name: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(prefix.len() + name.len() + 96);
    out.push_str(prefix);
    // writing to a String cannot fail
    let _ = if layout.replicas == 0 {
        write!(out, "{} x {name}", layout.nodes())
    } else {
        write!(
            out,
            "{} x {name} ({} shard{} x (1 primary + {} replica{}))",
            layout.nodes(),
            layout.shards,
            if layout.shards == 1 { "" } else { "s" },
            layout.replicas,
            if layout.replicas == 1 { "" } else { "s" },
        )
    };
    out
}

fn offer<'a>(
    region: &str,
    layout: &NodeLayout,
    term: Term,
    book: &'a PriceBook,
) -> Result<&'a ReservedOffer, MissingPrice> {
    book.reserved(region, layout.node, layout.engine, term).ok_or_else(|| {
        missing(format!("{} {} {}", book.catalog.node(layout.node).name, layout.engine.label(), term.label()), region)
    })
}

/// A reserved term's hours as [`format_quantity`] writes them (`8,760`), without formatting a
/// decimal for every option.
fn term_hours_text(length: TermLength) -> &'static str {
    match length {
        TermLength::OneYear => "8,760",
        TermLength::ThreeYears => "26,280",
    }
}

/// Push the node-hour lines of `layout` under `term` (the upfront cash goes into `cost`).
fn push_node_hours(
    cost: &mut CostBreakdown,
    prefix: &'static str,
    region: &str,
    layout: &NodeLayout,
    term: Term,
    book: &PriceBook,
) -> Result<(), MissingPrice> {
    let nodes = Decimal::from(layout.nodes());
    let node_hours = nodes * hours_per_month();
    let item = |charge| Item::NodeHours { prefix, layout: *layout, term, charge };
    match term {
        Term::OnDemand => {
            let rate = book.on_demand(region, layout.node, layout.engine).ok_or_else(|| {
                let name = &book.catalog.node(layout.node).name;
                missing(format!("{name} {} on-demand", layout.engine.label()), region)
            })?;
            cost.push(item(NodeCharge::OnDemand), node_hours, Unit::NodeHour, rate.usd, &rate.source);
        }
        Term::Reserved(length, payment) => {
            let offer = offer(region, layout, term, book)?;
            if let (Some(upfront), Some(hourly)) = (offer.upfront_usd, offer.hourly_usd) {
                if hourly > Decimal::ZERO || upfront.is_zero() {
                    cost.push(item(NodeCharge::Recurring), node_hours, Unit::NodeHour, hourly, &offer.source);
                }
                if upfront > Decimal::ZERO {
                    let per_hour = upfront / length.hours();
                    cost.push(item(NodeCharge::Upfront(upfront)), node_hours, Unit::NodeHour, per_hour, &offer.source);
                }
                // saturates: an upfront fee this large fails the check of the breakdown
                cost.upfront_usd = cost.upfront_usd.saturating_add(upfront.saturating_mul(nodes));
            } else {
                let rate = offer.amortized_hourly_usd(length);
                cost.push(item(NodeCharge::Amortized), node_hours, Unit::NodeHour, rate, &offer.source);
                if payment != Payment::NoUpfront {
                    cost.upfront_known = false;
                }
            }
        }
    }
    Ok(())
}

/// Node-based ElastiCache: node-hours at the term's rate (reserved upfront amortized), the
/// Extended Support surcharge for end-of-life Redis OSS, snapshots beyond the free one, cross-AZ
/// client traffic.
#[allow(clippy::too_many_arguments)]
pub fn node(
    region: &str,
    layout: &NodeLayout,
    term: Term,
    backup: &Backup,
    version: Option<&EngineVersion>,
    cross_az_gb: Decimal,
    as_of: NaiveDate,
    book: &PriceBook,
) -> Result<CostBreakdown, MissingPrice> {
    let snapshots = snapshot_line("", region, backup, book);
    node_with_snapshots(region, layout, term, snapshots.as_ref(), version, cross_az_gb, as_of, book)
}

/// [`node`] with its snapshot line (of [`snapshot_line`]) already built.
#[allow(clippy::too_many_arguments)]
pub(crate) fn node_with_snapshots(
    region: &str,
    layout: &NodeLayout,
    term: Term,
    snapshots: Option<&Line>,
    version: Option<&EngineVersion>,
    cross_az_gb: Decimal,
    as_of: NaiveDate,
    book: &PriceBook,
) -> Result<CostBreakdown, MissingPrice> {
    let mut cost = CostBreakdown::new();
    push_node_hours(&mut cost, "", region, layout, term, book)?;
    if layout.engine == Engine::Redis
        && let Some(version) = version
        && let Some(period) = book.support_period(version.major, as_of)
    {
        let node = book.catalog.node(layout.node);
        let rate = book
            .region(region)
            .and_then(|r| r.extended_support.get(&(layout.node, period)))
            .ok_or_else(|| missing(format!("Extended Support for {}", node.name), region))?;
        cost.push(
            format!("Extended Support: Redis OSS {} ({}), {} nodes", version.text, period.label(), layout.nodes()),
            Decimal::from(layout.nodes()) * hours_per_month(),
            Unit::NodeHour,
            rate.usd,
            &rate.source,
        );
    }
    if layout.engine != Engine::Memcached {
        cost.lines.extend(snapshots.cloned());
    }
    push_cross_az(&mut cost, "", cross_az_gb, book);
    Ok(cost)
}

/// A split deployment: a pub/sub adapter cluster (no snapshots: it holds no data) and a state
/// cluster, each priced as its own node-based cluster under the same term.
#[allow(clippy::too_many_arguments)]
pub fn split(
    region: &str,
    adapter: &NodeLayout,
    state: &NodeLayout,
    term: Term,
    backup: &Backup,
    cross_az: (Decimal, Decimal),
    book: &PriceBook,
) -> Result<CostBreakdown, MissingPrice> {
    let (adapter_cross_az_gb, state_cross_az_gb) = cross_az;
    let mut cost = CostBreakdown::new();
    push_node_hours(&mut cost, "adapter: ", region, adapter, term, book)?;
    push_cross_az(&mut cost, "adapter: ", adapter_cross_az_gb, book);
    cost.tag(0, Part::Adapter);
    let from = cost.lines.len();
    push_node_hours(&mut cost, "state: ", region, state, term, book)?;
    push_backup(&mut cost, "state: ", region, backup, book);
    push_cross_az(&mut cost, "state: ", state_cross_az_gb, book);
    cost.tag(from, Part::State);
    Ok(cost)
}

/// Monthly cost and upfront cash of a node layout without building lines: the same arithmetic as
/// [`node`] for options (no engine version), for the recommender's search, checked. `None` when
/// the book has no price for the term, or when the cost overflows (the layout is then not
/// priced; its line items fail [`CostBreakdown::checked_monthly_usd`] when it is assessed).
pub fn node_monthly_usd(
    region: &str,
    layout: &NodeLayout,
    term: Term,
    backup: &Backup,
    cross_az_gb: Decimal,
    book: &PriceBook,
) -> Option<(Decimal, Decimal)> {
    let pricing = NodePricing::of(region, backup, book);
    NodeTermPrice::of(&pricing, layout.node, layout.engine, term)?.monthly_usd(layout, cross_az_gb)
}

/// What the prices of every node type in one region under one backup share, looked up once:
/// the region's prices, the snapshots' monthly cost and the cross-AZ rate (the search prices
/// every node type under every term of an environment).
#[derive(Clone, Copy, Debug)]
pub struct NodePricing<'a> {
    region: Option<&'a RegionPrices>,
    /// The snapshots' monthly cost for an engine that keeps snapshots; `None` when it overflows.
    backup_usd: Option<Decimal>,
    cross_az_per_gb: Decimal,
    rough_backup_usd: f64,
    rough_cross_az_per_gb: f64,
}

impl<'a> NodePricing<'a> {
    /// The shared prices of node types in `region` keeping `backup`.
    pub fn of(region: &str, backup: &Backup, book: &'a PriceBook) -> Self {
        let backup_usd = checked_backup_usd(region, backup, book);
        let cross_az_per_gb = book.cross_az_per_gb.usd;
        NodePricing {
            region: book.region(region),
            backup_usd,
            cross_az_per_gb,
            rough_backup_usd: backup_usd.map_or(f64::INFINITY, rough_f64),
            rough_cross_az_per_gb: rough_f64(cross_az_per_gb),
        }
    }
}

/// What [`node_monthly_usd`] looks up for one node type, engine and term, looked up once: the
/// search prices several layouts of a node type under each term.
#[derive(Clone, Copy, Debug)]
pub struct NodeTermPrice<'a> {
    term: Term,
    on_demand_usd: Option<Decimal>,
    offer: Option<&'a ReservedOffer>,
    /// The snapshots' monthly cost; `None` when it overflows.
    backup_usd: Option<Decimal>,
    cross_az_per_gb: Decimal,
    /// The same prices in floating point, for [`NodeTermPrice::rough_monthly_usd`].
    rough: RoughPrice,
}

/// A node type's prices under one term in `f64`: USD per node-month (a reserved upfront fee
/// spread over the term's hours), the snapshots' monthly cost, USD per cross-AZ GB.
#[derive(Clone, Copy, Debug)]
struct RoughPrice {
    node_month_usd: f64,
    backup_usd: f64,
    cross_az_per_gb: f64,
}

impl<'a> NodeTermPrice<'a> {
    /// The prices of `node` for `engine` under `term` in the region of `pricing`; `None` when the
    /// book has none.
    pub fn of(pricing: &NodePricing<'a>, node: NodeId, engine: Engine, term: Term) -> Option<Self> {
        let region = pricing.region?;
        let (on_demand_usd, offer) = match term {
            Term::OnDemand => (Some(region.on_demand.get(&(node, engine))?.usd), None),
            Term::Reserved(..) => (None, Some(region.reserved.get(&(node, engine, term))?)),
        };
        // Memcached keeps no snapshots
        let (backup_usd, rough_backup_usd) = if engine == Engine::Memcached {
            (Some(Decimal::ZERO), 0.0)
        } else {
            (pricing.backup_usd, pricing.rough_backup_usd)
        };
        let node_hour_usd = match (term, on_demand_usd, offer) {
            (Term::Reserved(length, _), _, Some(offer)) => match (offer.upfront_usd, offer.hourly_usd) {
                // the same parts as `reserved_usd`
                (Some(upfront), Some(hourly)) => {
                    let recurring = if hourly > Decimal::ZERO || upfront.is_zero() { rough_f64(hourly) } else { 0.0 };
                    let spread =
                        if upfront > Decimal::ZERO { rough_f64(upfront) / rough_f64(length.hours()) } else { 0.0 };
                    recurring + spread
                }
                _ => rough_f64(offer.amortized_hourly_usd(length)),
            },
            (_, rate, _) => rate.map_or(f64::INFINITY, rough_f64),
        };
        let rough = RoughPrice {
            node_month_usd: node_hour_usd * f64::from(HOURS_PER_MONTH),
            backup_usd: rough_backup_usd,
            cross_az_per_gb: pricing.rough_cross_az_per_gb,
        };
        Some(NodeTermPrice { term, on_demand_usd, offer, backup_usd, cross_az_per_gb: pricing.cross_az_per_gb, rough })
    }

    /// [`NodeTermPrice::monthly_usd`] in floating point (off by about 1e-15 of the value), for
    /// choosing which layouts are worth pricing exactly; infinite where the exact price overflows.
    pub fn rough_monthly_usd(&self, layout: &NodeLayout, cross_az_gb: f64) -> f64 {
        let rough = &self.rough;
        let cross_az = if cross_az_gb > 0.0 { cross_az_gb * rough.cross_az_per_gb } else { 0.0 };
        f64::from(layout.nodes()) * rough.node_month_usd + rough.backup_usd + cross_az
    }

    /// Monthly cost and upfront cash of `layout` (of this node type and engine), checked.
    pub fn monthly_usd(&self, layout: &NodeLayout, cross_az_gb: Decimal) -> Option<(Decimal, Decimal)> {
        let node_hours = Decimal::from(layout.nodes()).checked_mul(hours_per_month())?;
        let (hours_usd, upfront) = match self.term {
            Term::OnDemand => (node_hours.checked_mul(self.on_demand_usd?)?, Decimal::ZERO),
            Term::Reserved(length, _) => reserved_usd(self.offer?, length, node_hours, layout.nodes())?,
        };
        let backup = self.backup_usd?;
        let cross_az =
            if cross_az_gb > Decimal::ZERO { cross_az_gb.checked_mul(self.cross_az_per_gb)? } else { Decimal::ZERO };
        Some((hours_usd.checked_add(backup)?.checked_add(cross_az)?, upfront))
    }
}

fn reserved_usd(
    offer: &ReservedOffer,
    length: TermLength,
    node_hours: Decimal,
    nodes: u32,
) -> Option<(Decimal, Decimal)> {
    match (offer.upfront_usd, offer.hourly_usd) {
        (Some(upfront), Some(hourly)) => {
            let mut usd = Decimal::ZERO;
            if hourly > Decimal::ZERO || upfront.is_zero() {
                usd = usd.checked_add(node_hours.checked_mul(hourly)?)?;
            }
            if upfront > Decimal::ZERO {
                usd = usd.checked_add(node_hours.checked_mul(upfront.checked_div(length.hours())?)?)?;
            }
            Some((usd, upfront.checked_mul(Decimal::from(nodes))?))
        }
        _ => Some((node_hours.checked_mul(offer.amortized_hourly_usd(length))?, Decimal::ZERO)),
    }
}

/// Whole commands billed in a month at `per_sec`.
pub fn commands_per_month(per_sec: Decimal) -> Decimal {
    (per_sec * Decimal::from(SECONDS_PER_MONTH)).round()
}

/// Upstash: pay-as-you-go (commands incl. PUBLISH, storage above the free GB, bandwidth above
/// the free tier; no free commands) or a flat-priced plan (`free`, `fixed-…`).
pub fn upstash(
    plan: &str,
    workload: &Workload,
    prod_pack: bool,
    book: &PriceBook,
) -> Result<CostBreakdown, MissingPrice> {
    let pricing = &book.upstash;
    let source = &pricing.source;
    let mut cost = CostBreakdown::new();
    if prod_pack {
        cost.push(
            format!("{PROD_PACK_ITEM}: multi-zone high availability, 99.99% SLA, encryption at rest"),
            Decimal::ONE,
            Unit::Month,
            pricing.prod_pack_usd_month,
            source,
        );
    }
    if plan == "payg" {
        let payg = &pricing.payg;
        let commands = upstash_commands_per_month(workload);
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
        let bandwidth = Traffic::of(workload).total_gb();
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
    cost.push(format!("Upstash {} plan", fixed.name), Decimal::ONE, Unit::Month, fixed.usd_month, source);
    Ok(cost)
}

/// Upstash commands a month: requests and `PUBLISH`es.
pub fn upstash_commands_per_month(workload: &Workload) -> Decimal {
    commands_per_month(workload.requests_per_sec + workload.pubsub_messages_per_sec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalog::Engine;
    use crate::model::workload::Workload;

    /// A node-hour line's words, written when asked, are the words written out when it was
    /// priced: for every prefix, shape, term and charge (the old `format!`s kept here).
    #[test]
    fn node_hour_words_are_written_as_they_were_when_priced() {
        let book = crate::source::offline::embedded().unwrap();
        let (node, _) = book.catalog.nodes().next().unwrap();
        let name = &book.catalog.node(node).name;
        for prefix in ["", "adapter: ", "state: "] {
            for (shards, replicas, cluster_mode) in
                [(1, 0, false), (1, 1, false), (1, 2, false), (3, 1, true), (2, 0, true)]
            {
                let layout =
                    NodeLayout { engine: Engine::Valkey, node, shards, replicas, cluster_mode, replica_reads: false };
                let shape = node_shape(prefix, &layout, name);
                for term in Term::ALL {
                    let item =
                        |charge| Item::NodeHours { prefix, layout, term, charge }.text(&book.catalog).into_owned();
                    let upfront = Decimal::new(123_456, 2);
                    let mut want = vec![(NodeCharge::OnDemand, format!("{shape}, on-demand"))];
                    if let Term::Reserved(length, _) = term {
                        let label = term.label();
                        want.extend([
                            (NodeCharge::Recurring, format!("{shape}, {label}: recurring")),
                            (
                                NodeCharge::Upfront(upfront),
                                format!(
                                    "{shape}, {label}: upfront {} per node over {} h",
                                    format_usd(upfront),
                                    format_quantity(length.hours(), 0)
                                ),
                            ),
                            (
                                NodeCharge::Amortized,
                                format!("{shape}, {label}: amortized rate (source gives no upfront/hourly split)"),
                            ),
                        ]);
                    }
                    for (charge, text) in want {
                        assert_eq!(item(charge), text);
                    }
                }
            }
        }
        assert!(name.starts_with("cache."), "{name}");
        let two = NodeLayout {
            engine: Engine::Valkey,
            node,
            shards: 2,
            replicas: 1,
            cluster_mode: true,
            replica_reads: false,
        };
        assert_eq!(
            node_shape("state: ", &two, name),
            format!("state: 4 x {name} (2 shards x (1 primary + 1 replica))")
        );
    }

    #[test]
    fn term_hours_are_written_as_format_quantity_writes_them() {
        for length in [TermLength::OneYear, TermLength::ThreeYears] {
            assert_eq!(term_hours_text(length), format_quantity(length.hours(), 0));
        }
    }

    #[test]
    fn the_cross_az_table_gives_what_computing_each_layout_gives() {
        let dec = |s: &str| s.parse::<Decimal>().unwrap();
        for client_azs in 1..=8 {
            for fixed in [None, Some(dec("0.25"))] {
                let w = Workload {
                    client_azs,
                    requests_per_sec: dec("12345.6"),
                    avg_request_kb: dec("1.7"),
                    read_ratio: dec("0.83"),
                    pubsub_messages_per_sec: dec("40"),
                    pubsub_payload_kb: dec("0.6"),
                    pubsub_subscribers: 3,
                    ..Workload::default()
                };
                let mut env = EnvInputs::new("t", "us-east-1", Engine::Valkey, true, w);
                env.cross_az_fraction = fixed;
                let traffic = Traffic::of(&env.workload);
                let table = CrossAzGb::of(&env, &traffic);
                for read_azs in 0..=9 {
                    let each = cross_az_gb(&env, &traffic, read_azs);
                    assert_eq!(
                        table.get(&env, &traffic, read_azs),
                        each,
                        "{client_azs} zones, {read_azs} read, {fixed:?}"
                    );
                }
            }
        }
    }
}
