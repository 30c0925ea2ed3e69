//! The price book: every rate capplan bills with, each carrying its provenance.
//!
//! A [`PriceBook`] is built once from a price source (the embedded cache today, the AWS Price
//! List later) and then only read. Lookups that find nothing return `None`: the caller turns
//! that into an error or an exclusion that names what is available, never a guessed price.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use super::catalog::{Catalog, Engine, NodeId, NodeType};
use super::units::HOURS_PER_YEAR;

/// Where a price comes from, by kind of evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PriceKind {
    /// A row of the AWS Price List (API or offer file), verbatim.
    AwsPriceList,
    /// Text of an AWS pricing page or FAQ.
    AwsPricingPage,
    /// A third party's transcription or statement.
    ThirdParty,
    /// Computed by a documented rule from other prices (e.g. Valkey = round(0.8 × Redis OSS, 4)).
    Derived,
}

impl PriceKind {
    /// The spelling used in reports.
    pub fn id(self) -> &'static str {
        match self {
            PriceKind::AwsPriceList => "aws-price-list",
            PriceKind::AwsPricingPage => "aws-pricing-page",
            PriceKind::ThirdParty => "third-party",
            PriceKind::Derived => "derived",
        }
    }
}

impl fmt::Display for PriceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The provenance of one price: kind of evidence, source and date.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Provenance {
    /// Kind of evidence.
    pub kind: PriceKind,
    /// Short id of the source (stable across cache rebuilds).
    pub source_id: String,
    /// Human-readable source.
    pub source: String,
    /// As-of date as the source states it (`2026-10-02`, `2026-09`, `2026`).
    pub date: String,
    /// How the value was derived or what to watch out for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One source as the price book lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceMeta {
    /// The kind of evidence the source itself is.
    pub kind: PriceKind,
    /// Human-readable title.
    pub title: String,
    /// Where to find it (URL, repository and path…).
    pub locator: String,
    /// Its as-of date.
    pub as_of: String,
}

/// Shared provenance (many prices cite one source).
pub type Source = Arc<Provenance>;

/// A unit price with its provenance.
#[derive(Clone, Debug, PartialEq)]
pub struct Rate {
    /// USD per unit.
    pub usd: Decimal,
    /// Where it came from.
    pub source: Source,
}

/// A quantity in GB (not a price) with its provenance, such as a minimum metered size.
#[derive(Clone, Debug, PartialEq)]
pub struct SourcedGb {
    /// GB.
    pub gb: Decimal,
    /// Where it came from.
    pub source: Source,
}

/// A reserved term's length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TermLength {
    /// One year.
    #[serde(rename = "1yr")]
    OneYear,
    /// Three years.
    #[serde(rename = "3yr")]
    ThreeYears,
}

impl TermLength {
    /// Years.
    pub fn years(self) -> u32 {
        match self {
            TermLength::OneYear => 1,
            TermLength::ThreeYears => 3,
        }
    }

    /// `1yr` / `3yr`.
    pub fn id(self) -> &'static str {
        match self {
            TermLength::OneYear => "1yr",
            TermLength::ThreeYears => "3yr",
        }
    }

    /// Hours the upfront fee is spread over: years × 8,760.
    pub fn hours(self) -> Decimal {
        Decimal::from(self.years() * HOURS_PER_YEAR)
    }
}

/// A reserved payment option.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Payment {
    /// Hourly only.
    #[default]
    NoUpfront,
    /// Part upfront, part hourly.
    PartialUpfront,
    /// Everything upfront.
    AllUpfront,
}

impl Payment {
    /// `no-upfront`…
    pub fn id(self) -> &'static str {
        match self {
            Payment::NoUpfront => "no-upfront",
            Payment::PartialUpfront => "partial-upfront",
            Payment::AllUpfront => "all-upfront",
        }
    }

    /// `No Upfront`…
    pub fn label(self) -> &'static str {
        match self {
            Payment::NoUpfront => "No Upfront",
            Payment::PartialUpfront => "Partial Upfront",
            Payment::AllUpfront => "All Upfront",
        }
    }
}

/// How node-hours are bought.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Term {
    /// On-demand, no commitment.
    OnDemand,
    /// A standard reserved node.
    Reserved(TermLength, Payment),
}

impl Term {
    /// On-demand and all six reserved terms, in display order.
    pub const ALL: [Term; 7] = [
        Term::OnDemand,
        Term::Reserved(TermLength::OneYear, Payment::NoUpfront),
        Term::Reserved(TermLength::OneYear, Payment::PartialUpfront),
        Term::Reserved(TermLength::OneYear, Payment::AllUpfront),
        Term::Reserved(TermLength::ThreeYears, Payment::NoUpfront),
        Term::Reserved(TermLength::ThreeYears, Payment::PartialUpfront),
        Term::Reserved(TermLength::ThreeYears, Payment::AllUpfront),
    ];

    /// `on-demand`, `1yr-no-upfront`, `3yr-all-upfront`…
    pub fn id(self) -> &'static str {
        use {
            Payment::{AllUpfront, NoUpfront, PartialUpfront},
            TermLength::{OneYear, ThreeYears},
        };
        match self {
            Term::OnDemand => "on-demand",
            Term::Reserved(OneYear, NoUpfront) => "1yr-no-upfront",
            Term::Reserved(OneYear, PartialUpfront) => "1yr-partial-upfront",
            Term::Reserved(OneYear, AllUpfront) => "1yr-all-upfront",
            Term::Reserved(ThreeYears, NoUpfront) => "3yr-no-upfront",
            Term::Reserved(ThreeYears, PartialUpfront) => "3yr-partial-upfront",
            Term::Reserved(ThreeYears, AllUpfront) => "3yr-all-upfront",
        }
    }

    /// `on-demand`, `reserved 1yr No Upfront`…
    pub fn label(self) -> &'static str {
        use {
            Payment::{AllUpfront, NoUpfront, PartialUpfront},
            TermLength::{OneYear, ThreeYears},
        };
        match self {
            Term::OnDemand => "on-demand",
            Term::Reserved(OneYear, NoUpfront) => "reserved 1yr No Upfront",
            Term::Reserved(OneYear, PartialUpfront) => "reserved 1yr Partial Upfront",
            Term::Reserved(OneYear, AllUpfront) => "reserved 1yr All Upfront",
            Term::Reserved(ThreeYears, NoUpfront) => "reserved 3yr No Upfront",
            Term::Reserved(ThreeYears, PartialUpfront) => "reserved 3yr Partial Upfront",
            Term::Reserved(ThreeYears, AllUpfront) => "reserved 3yr All Upfront",
        }
    }

    /// Index 0..7 in [`Term::ALL`].
    pub fn index(self) -> usize {
        Term::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    /// Whether the term commits to reserved nodes.
    pub fn is_reserved(self) -> bool {
        matches!(self, Term::Reserved(..))
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One reserved offer for one node (upfront fee and recurring hourly rate).
#[derive(Clone, Debug, PartialEq)]
pub struct ReservedOffer {
    /// Upfront fee per node, when the source gives it.
    pub upfront_usd: Option<Decimal>,
    /// Recurring hourly rate per node, when the source gives it.
    pub hourly_usd: Option<Decimal>,
    /// The source's amortized hourly rate, when it gives only that (upfront split unknown).
    pub effective_hourly_usd: Option<Decimal>,
    /// Where it came from.
    pub source: Source,
}

impl ReservedOffer {
    /// Effective hourly rate: recurring + upfront / (years × 8,760), computed from the upfront fee
    /// (never from a rounded rate), or the source's amortized rate when that is all it gives.
    pub fn amortized_hourly_usd(&self, length: TermLength) -> Decimal {
        match (self.upfront_usd, self.hourly_usd) {
            (Some(up), Some(hourly)) => hourly + up / length.hours(),
            _ => self.effective_hourly_usd.unwrap_or_default(),
        }
    }
}

/// Serverless rates for one engine in one region.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerlessRates {
    /// $ per GB-hour of data stored.
    pub storage_gb_hour: Rate,
    /// $ per million ECPU.
    pub ecpu_per_million: Rate,
    /// Minimum metered storage per cache, GB.
    pub min_storage_gb: SourcedGb,
}

/// Extended Support surcharge periods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SupportPeriod {
    /// Years one and two after end of standard support.
    Years1To2,
    /// Year three.
    Year3,
}

impl SupportPeriod {
    /// `years 1–2` / `year 3`.
    pub fn label(self) -> &'static str {
        match self {
            SupportPeriod::Years1To2 => "years 1-2",
            SupportPeriod::Year3 => "year 3",
        }
    }
}

/// Prices in one region.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegionPrices {
    /// On-demand $/node-hour by node then engine.
    pub on_demand: BTreeMap<(NodeId, Engine), Rate>,
    /// Reserved offers by node, engine and term.
    pub reserved: BTreeMap<(NodeId, Engine, Term), ReservedOffer>,
    /// Serverless rates by engine.
    pub serverless: BTreeMap<Engine, ServerlessRates>,
    /// Backup storage $/GB-month, when sourced for this region.
    pub backup: Option<Rate>,
    /// Extended Support $/node-hour (Redis OSS) by node and period.
    pub extended_support: BTreeMap<(NodeId, SupportPeriod), Rate>,
}

/// Reads one region's prices on first use. A price source provides it (the embedded cache parses
/// the region's chunk); the model only asks.
pub trait RegionReader: Send + Sync {
    /// The prices of `region`, or what is wrong with its data.
    fn read(&self, region: &str) -> Result<RegionPrices, String>;
}

/// A region whose prices cannot be read (its data is corrupt or missing).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("prices for region '{region}' cannot be read: {reason}")]
pub struct RegionError {
    /// The region code.
    pub region: String,
    /// What is wrong.
    pub reason: String,
}

/// Prices by region code. Every covered region is listed up front; a region's prices are read
/// (through the source's [`RegionReader`]) the first time they are asked for, then kept, so a
/// plan pays only for the regions it uses. Regions inserted directly are held as given.
#[derive(Clone, Default)]
pub struct Regions {
    slots: BTreeMap<String, OnceLock<Result<RegionPrices, RegionError>>>,
    reader: Option<Arc<dyn RegionReader>>,
}

impl Regions {
    /// `codes`, each read by `reader` on first use.
    pub fn lazy<I: IntoIterator<Item = String>>(codes: I, reader: Arc<dyn RegionReader>) -> Self {
        Regions { slots: codes.into_iter().map(|c| (c, OnceLock::new())).collect(), reader: Some(reader) }
    }

    fn read(reader: Option<&Arc<dyn RegionReader>>, code: &str) -> Result<RegionPrices, RegionError> {
        let error = |reason: String| RegionError { region: code.to_string(), reason };
        match reader {
            Some(reader) => reader.read(code).map_err(error),
            None => Err(error("no reader for this region".to_string())),
        }
    }

    /// The prices of `code`, read now if not yet: `Ok(None)` when the region is not covered,
    /// an error when its data cannot be read.
    pub fn load(&self, code: &str) -> Result<Option<&RegionPrices>, RegionError> {
        let Some(slot) = self.slots.get(code) else { return Ok(None) };
        slot.get_or_init(|| Self::read(self.reader.as_ref(), code)).as_ref().map(Some).map_err(Clone::clone)
    }

    /// The prices of `code`, if covered and readable.
    pub fn get(&self, code: &str) -> Option<&RegionPrices> {
        self.load(code).ok().flatten()
    }

    /// Mutable prices of `code` (read first), if covered and readable.
    pub fn get_mut(&mut self, code: &str) -> Option<&mut RegionPrices> {
        let reader = self.reader.clone();
        let slot = self.slots.get_mut(code)?;
        if slot.get().is_none() {
            let _ = slot.set(Self::read(reader.as_ref(), code));
        }
        slot.get_mut()?.as_mut().ok()
    }

    /// Hold `prices` for `code` (replacing whatever was there).
    pub fn insert(&mut self, code: String, prices: RegionPrices) {
        self.slots.insert(code, OnceLock::from(Ok(prices)));
    }

    /// Region codes covered, sorted; reads nothing.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.slots.keys()
    }

    /// Whether `code` is covered; reads nothing.
    pub fn contains_key(&self, code: &str) -> bool {
        self.slots.contains_key(code)
    }

    /// Number of regions covered.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no region is covered.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Every readable region with its prices, sorted by code. Reads every region: for listings
    /// and error messages, not for the hot path. Unreadable regions are left out
    /// ([`Regions::errors`] names them).
    pub fn iter(&self) -> impl Iterator<Item = (&String, &RegionPrices)> {
        self.slots.keys().filter_map(|code| Some((code, self.get(code)?)))
    }

    /// How many regions have been read so far (readable or not).
    pub fn read_count(&self) -> usize {
        self.slots.values().filter(|s| s.get().is_some()).count()
    }

    /// The regions read so far whose data could not be read.
    pub fn errors(&self) -> Vec<&RegionError> {
        self.slots.values().filter_map(|s| s.get()?.as_ref().err()).collect()
    }
}

impl PartialEq for Regions {
    /// Same regions with the same prices (reads both sides).
    fn eq(&self, other: &Self) -> bool {
        self.slots.len() == other.slots.len()
            && self.slots.keys().all(|code| other.contains_key(code) && self.load(code) == other.load(code))
    }
}

impl fmt::Debug for Regions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = |s: &OnceLock<Result<RegionPrices, RegionError>>| match s.get() {
            None => "not read",
            Some(Ok(_)) => "read",
            Some(Err(_)) => "unreadable",
        };
        f.debug_map().entries(self.slots.iter().map(|(code, slot)| (code, state(slot)))).finish()
    }
}

/// One Upstash plan with a flat monthly price (the Free plan included).
#[derive(Clone, Debug, PartialEq)]
pub struct UpstashPlan {
    /// `free`, `fixed-250mb`, `fixed-10gb`…
    pub id: String,
    /// `Free`, `Fixed 10GB`…
    pub name: String,
    /// Monthly price.
    pub usd_month: Decimal,
    /// Data size cap, GiB.
    pub data_gib: Decimal,
    /// Commands per month cap (Free plan only).
    pub monthly_commands: Option<u64>,
    /// Bandwidth cap, GB per month.
    pub bandwidth_gb_month: Decimal,
    /// Commands per second cap.
    pub max_cmds_per_sec: u32,
    /// Request size cap, MiB.
    pub max_request_mib: Decimal,
    /// Record size cap, MiB.
    pub max_record_mib: Decimal,
}

/// Upstash pay-as-you-go prices and caps.
#[derive(Clone, Debug, PartialEq)]
pub struct UpstashPayg {
    /// $ per 100,000 commands.
    pub usd_per_100k_commands: Decimal,
    /// $ per GB-month stored above the free GB.
    pub storage_usd_per_gb_month: Decimal,
    /// Free storage, GB.
    pub storage_free_gb: Decimal,
    /// Free bandwidth, GB per month.
    pub bandwidth_free_gb_month: Decimal,
    /// $ per GB of bandwidth above the free tier.
    pub bandwidth_usd_per_gb: Decimal,
    /// Data size cap, GiB.
    pub max_data_gib: Decimal,
    /// Commands per second cap.
    pub max_cmds_per_sec: u32,
    /// Request size cap, MiB.
    pub max_request_mib: Decimal,
    /// Record size cap, MiB.
    pub max_record_mib: Decimal,
}

/// Upstash Redis pricing (no price API: from the vendor's docs, with their date).
#[derive(Clone, Debug, PartialEq)]
pub struct UpstashPricing {
    /// Where the plans come from.
    pub source: Source,
    /// AWS regions Upstash runs databases in.
    pub regions: Vec<String>,
    /// Pay-as-you-go.
    pub payg: UpstashPayg,
    /// Free and fixed plans, cheapest first.
    pub plans: Vec<UpstashPlan>,
    /// The optional Prod Pack add-on, USD per database per month (not in any option's cost).
    pub prod_pack_usd_month: Decimal,
}

impl UpstashPricing {
    /// Whether Upstash has databases in `region`.
    pub fn serves_region(&self, region: &str) -> bool {
        self.regions.iter().any(|r| r == region)
    }
}

/// What a Database Savings Plan rate applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SavingsPlanScope {
    /// ElastiCache Serverless.
    Serverless,
    /// Node-based clusters on node families of this generation or newer (`m7g`, `r7g`: 7).
    Nodes {
        /// The oldest generation covered.
        min_generation: u32,
    },
}

/// A Database Savings Plan discount as reported for one engine and deployment kind. No official
/// rate table exists: the figure is third-party and unverified (its provenance says so). It is an
/// alternative commitment to show beside reserved nodes, never a price a recommendation rests on.
#[derive(Clone, Debug, PartialEq)]
pub struct SavingsPlanRate {
    /// The engine covered.
    pub engine: Engine,
    /// Serverless, or nodes of a generation and newer.
    pub scope: SavingsPlanScope,
    /// Reported discount off the on-demand rate, percent (e.g. 30).
    pub discount_pct: Decimal,
    /// Whether the source says "up to" (a ceiling) rather than "about".
    pub up_to: bool,
    /// Commitment length.
    pub term: TermLength,
    /// Payment option.
    pub payment: Payment,
    /// Where the figure comes from (kind, source, date, and a note saying it is unverified).
    pub source: Source,
}

impl SavingsPlanRate {
    /// Whether the rate applies to `node` (`None`: Serverless) for `engine`.
    pub fn covers(&self, engine: Engine, node: Option<&NodeType>) -> bool {
        if engine != self.engine {
            return false;
        }
        match (self.scope, node) {
            (SavingsPlanScope::Serverless, None) => true,
            (SavingsPlanScope::Nodes { min_generation }, Some(node)) => {
                generation(&node.family).is_some_and(|g| g >= min_generation)
            }
            _ => false,
        }
    }
}

/// A node family's generation: the number after its class letters (`r7g` 7, `c7gn` 7, `t4g` 4, `m5` 5).
fn generation(family: &str) -> Option<u32> {
    let digits: String = family.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The first day Extended Support is billed for a Redis OSS major version.
#[derive(Clone, Debug, PartialEq)]
pub struct SupportStart {
    /// Redis OSS major version.
    pub major: u32,
    /// First billed day.
    pub starts: NaiveDate,
}

/// Every price capplan knows, with provenance, for every region it covers.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceBook {
    /// As-of date of the whole book (the newest full check of its main table).
    pub as_of: NaiveDate,
    /// What the book was loaded from (`embedded pricing cache`, …).
    pub origin: String,
    /// Node specs.
    pub catalog: Catalog,
    /// Prices by region code, each region read on first use.
    pub regions: Regions,
    /// Backup storage rate for regions without a sourced one.
    pub backup_default: Rate,
    /// Client traffic across AZs, $ per GB each way.
    pub cross_az_per_gb: Rate,
    /// When Extended Support starts per Redis OSS major.
    pub extended_support_starts: Vec<SupportStart>,
    /// Upstash plans.
    pub upstash: UpstashPricing,
    /// Every source the book cites, by id.
    pub sources: BTreeMap<String, SourceMeta>,
    /// Database Savings Plan discounts as reported (third-party, unverified), by engine and scope.
    pub savings_plans: Vec<SavingsPlanRate>,
}

impl PriceBook {
    /// Prices for `region`, if the book covers it (and its data can be read: see
    /// [`PriceBook::load_region`]).
    pub fn region(&self, region: &str) -> Option<&RegionPrices> {
        self.regions.get(region)
    }

    /// Prices for `region`: `Ok(None)` when the book does not cover it, an error when the
    /// region's data cannot be read. Reads the region on first use.
    pub fn load_region(&self, region: &str) -> Result<Option<&RegionPrices>, RegionError> {
        self.regions.load(region)
    }

    /// Region codes the book covers.
    pub fn region_names(&self) -> Vec<&str> {
        self.regions.keys().map(String::as_str).collect()
    }

    /// On-demand rate.
    pub fn on_demand(&self, region: &str, node: NodeId, engine: Engine) -> Option<&Rate> {
        self.region(region)?.on_demand.get(&(node, engine))
    }

    /// Reserved offer.
    pub fn reserved(&self, region: &str, node: NodeId, engine: Engine, term: Term) -> Option<&ReservedOffer> {
        self.region(region)?.reserved.get(&(node, engine, term))
    }

    /// Serverless rates.
    pub fn serverless(&self, region: &str, engine: Engine) -> Option<&ServerlessRates> {
        self.region(region)?.serverless.get(&engine)
    }

    /// Backup storage rate ($/GB-month) in `region`.
    pub fn backup(&self, region: &str) -> &Rate {
        self.region(region).and_then(|r| r.backup.as_ref()).unwrap_or(&self.backup_default)
    }

    /// Node types priced on demand in `region` for `engine`.
    pub fn priced_nodes(&self, region: &str, engine: Engine) -> Vec<NodeId> {
        self.region(region)
            .map(|r| r.on_demand.keys().filter(|(_, e)| *e == engine).map(|(n, _)| *n).collect())
            .unwrap_or_default()
    }

    /// Reserved terms known for one node/engine in `region`.
    pub fn reserved_terms(&self, region: &str, node: NodeId, engine: Engine) -> Vec<Term> {
        Term::ALL.into_iter().filter(|t| t.is_reserved() && self.reserved(region, node, engine, *t).is_some()).collect()
    }

    /// The Database Savings Plan rate reported for `engine` on `node` (`None`: Serverless), if a
    /// plan covers it. Unverified third-party figures: show them as an alternative commitment.
    pub fn savings_plan(&self, engine: Engine, node: Option<NodeId>) -> Option<&SavingsPlanRate> {
        let node = node.map(|id| self.catalog.node(id));
        self.savings_plans.iter().find(|r| r.covers(engine, node))
    }

    /// The Extended Support period billed on `as_of` for a Redis OSS major version, if any.
    pub fn support_period(&self, major: u32, as_of: NaiveDate) -> Option<SupportPeriod> {
        let start = self.extended_support_starts.iter().find(|s| s.major == major)?;
        if as_of < start.starts {
            return None;
        }
        let year3 = start.starts.checked_add_months(chrono::Months::new(24))?;
        Some(if as_of < year3 { SupportPeriod::Years1To2 } else { SupportPeriod::Year3 })
    }

    /// The day Extended Support starts for a Redis OSS major, if it is scheduled.
    pub fn support_start(&self, major: u32) -> Option<NaiveDate> {
        self.extended_support_starts.iter().find(|s| s.major == major).map(|s| s.starts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_ids_and_labels_spell_their_length_and_payment() {
        for term in Term::ALL {
            match term {
                Term::OnDemand => assert_eq!((term.id(), term.label()), ("on-demand", "on-demand")),
                Term::Reserved(length, payment) => {
                    assert_eq!(term.id(), format!("{}-{}", length.id(), payment.id()));
                    assert_eq!(term.label(), format!("reserved {} {}", length.id(), payment.label()));
                }
            }
        }
    }
}
