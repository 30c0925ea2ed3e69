//! The embedded pricing cache (`pricing-cache/`), compiled into the binary.
//!
//! The cache is an index (`elasticache.json`: sources, node specs, rates that hold everywhere, the
//! list of regions) and one chunk per region (`regions/<code>.json`). Every chunk is embedded but
//! a region's is parsed only when a plan first asks for it, so start-up stays cheap however many
//! regions the cache covers. [`parse_cache`] and [`parse_region`] are pure and also read the
//! output of a future `capplan pricing refresh`. The cache is normalized from research data by
//! `scripts/normalize_pricing.py`.

use chrono::NaiveDate;
use foldhash::{HashMap, HashMapExt};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use super::SourceError;
use crate::model::catalog::{Catalog, Engine, NodeType};
use crate::model::price::{
    Payment, PriceBook, PriceKind, Provenance, Rate, RegionError, RegionPrices, RegionReader, Regions, ReservedOffer,
    SavingsPlanRate, SavingsPlanScope, ServerlessRates, Source, SourceMeta, SourcedGb, SupportPeriod, SupportStart,
    Term, TermLength, UpstashPayg, UpstashPlan, UpstashPricing,
};

/// The cache's index as compiled in.
pub const CACHE: &[u8] = include_bytes!("../../pricing-cache/elasticache.json");
// `REGION_CHUNKS`: every `pricing-cache/regions/<code>.json`, listed by build.rs.
include!(concat!(env!("OUT_DIR"), "/region_chunks.rs"));
/// Schema version this build reads (index and chunks).
pub const SCHEMA_VERSION: u32 = 2;
/// The cache's as-of date, read from `pricing-cache/MANIFEST.toml` at build time.
pub const CACHE_AS_OF: &str = env!("CAPPLAN_PRICING_AS_OF");

/// The embedded price book, its index parsed once per process; each region is parsed on first use.
pub fn embedded() -> Result<&'static PriceBook, SourceError> {
    static BOOK: OnceLock<Result<PriceBook, SourceError>> = OnceLock::new();
    BOOK.get_or_init(|| parse_cache(CACHE, REGION_CHUNKS, "embedded pricing cache")).as_ref().map_err(Clone::clone)
}

impl From<RegionError> for SourceError {
    fn from(e: RegionError) -> Self {
        SourceError::Cache(e.to_string())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndexFile<'a> {
    schema_version: u32,
    as_of: String,
    #[expect(dead_code, reason = "provenance for people reading the cache; the model does not need it")]
    built_by: String,
    currency: String,
    hours_per_month: u32,
    sources: BTreeMap<String, SourceRec>,
    regions: Vec<RegionEntry>,
    node_types: Vec<NodeRec>,
    #[serde(borrow)]
    backup_default: RateRec<'a>,
    extended_support_schedule: Vec<ScheduleRec>,
    cross_az_transfer: CrossAzRec,
    upstash: UpstashRec,
    savings_plans: Vec<SavingsPlanRec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SavingsPlanRec {
    plan: String,
    engine: Engine,
    deployment: String,
    min_generation: Option<u32>,
    discount_pct: String,
    up_to: bool,
    term: TermLength,
    payment: Payment,
    kind: PriceKind,
    source: String,
    as_of: String,
    note: Option<String>,
}

/// One region as the index lists it.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionEntry {
    code: String,
    #[expect(dead_code, reason = "the pricing page's display name, for people reading the index")]
    name: String,
    file: String,
    node_prices: usize,
    reserved: usize,
    serverless: Vec<Engine>,
}

/// One region's chunk. Its records borrow their text from the chunk's bytes where they can
/// (`Cow`): parsing a region allocates little beyond the prices it builds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChunkFile<'a> {
    schema_version: u32,
    #[serde(borrow)]
    region: Cow<'a, str>,
    #[serde(borrow)]
    node_prices: Vec<PriceRec<'a>>,
    #[serde(borrow)]
    reserved: Vec<ReservedRec<'a>>,
    #[serde(borrow)]
    serverless: Vec<ServerlessRec<'a>>,
    #[serde(borrow)]
    backup: Option<RateRec<'a>>,
    #[serde(borrow)]
    extended_support: Vec<SupportRec<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceRec {
    kind: PriceKind,
    title: String,
    locator: String,
    as_of: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeRec {
    name: String,
    family: String,
    vcpu: u32,
    memory_bytes: u64,
    network_baseline_gbps: String,
    network_burst_gbps: Option<String>,
    ssd_gib: Option<String>,
    cpu_credit_baseline_pct: Option<u32>,
    maxclients: u32,
    engines: Vec<Engine>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PriceRec<'a> {
    #[serde(borrow)]
    node_type: Cow<'a, str>,
    engine: Engine,
    #[serde(borrow)]
    usd_per_hour: Cow<'a, str>,
    kind: PriceKind,
    #[serde(borrow)]
    source: Cow<'a, str>,
    #[serde(borrow)]
    as_of: Cow<'a, str>,
    #[serde(borrow)]
    note: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReservedRec<'a> {
    #[serde(borrow)]
    node_type: Cow<'a, str>,
    engine: Engine,
    term: TermLength,
    payment: Payment,
    #[serde(borrow)]
    upfront_usd: Option<Cow<'a, str>>,
    #[serde(borrow)]
    hourly_usd: Option<Cow<'a, str>>,
    #[serde(borrow)]
    effective_hourly_usd: Option<Cow<'a, str>>,
    kind: PriceKind,
    #[serde(borrow)]
    source: Cow<'a, str>,
    #[serde(borrow)]
    as_of: Cow<'a, str>,
    #[serde(borrow)]
    note: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueRec<'a> {
    #[serde(borrow)]
    value: Cow<'a, str>,
    kind: PriceKind,
    #[serde(borrow)]
    source: Cow<'a, str>,
    #[serde(borrow)]
    as_of: Cow<'a, str>,
    #[serde(borrow)]
    note: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerlessRec<'a> {
    engine: Engine,
    #[serde(borrow)]
    storage_usd_per_gb_hour: ValueRec<'a>,
    #[serde(borrow)]
    ecpu_usd_per_million: ValueRec<'a>,
    #[serde(borrow)]
    min_storage_gb: ValueRec<'a>,
}

/// Backup storage, $/GB-month.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RateRec<'a> {
    #[serde(borrow)]
    usd_per_gb_month: Cow<'a, str>,
    kind: PriceKind,
    #[serde(borrow)]
    source: Cow<'a, str>,
    #[serde(borrow)]
    as_of: Cow<'a, str>,
    #[serde(borrow)]
    note: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SupportRec<'a> {
    #[serde(borrow)]
    node_type: Cow<'a, str>,
    #[serde(borrow)]
    period: Cow<'a, str>,
    #[serde(borrow)]
    usd_per_hour: Cow<'a, str>,
    kind: PriceKind,
    #[serde(borrow)]
    source: Cow<'a, str>,
    #[serde(borrow)]
    as_of: Cow<'a, str>,
    #[serde(borrow)]
    note: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleRec {
    major: u32,
    starts: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CrossAzRec {
    usd_per_gb: String,
    kind: PriceKind,
    source: String,
    as_of: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpstashRec {
    source: String,
    kind: PriceKind,
    as_of: String,
    regions: Vec<String>,
    payg: PaygRec,
    plans: Vec<PlanRec>,
    prod_pack_usd_month: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaygRec {
    usd_per_100k_commands: String,
    storage_usd_per_gb_month: String,
    storage_free_gb: String,
    bandwidth_free_gb_month: String,
    bandwidth_usd_per_gb: String,
    max_data_gib: String,
    max_cmds_per_sec: u32,
    max_request_mib: String,
    max_record_mib: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanRec {
    id: String,
    name: String,
    usd_month: String,
    #[expect(dead_code, reason = "read regions are not modelled yet; kept so the cache schema stays strict")]
    read_region_usd_month: Option<String>,
    data_gib: String,
    monthly_commands: Option<u64>,
    bandwidth_gb_month: String,
    max_cmds_per_sec: u32,
    max_request_mib: String,
    max_record_mib: String,
}

/// The largest figure a pricing cache may hold (a price, a fee, a minimum): $1,000,000, far above
/// any ElastiCache or Upstash price, so that no cost the model forms from it can overflow.
const MAX_FIGURE: i64 = 1_000_000;

fn decimal(text: &str, what: &str) -> Result<Decimal, SourceError> {
    let value =
        Decimal::from_str(text).map_err(|e| SourceError::Cache(format!("{what}: '{text}' is not a decimal ({e})")))?;
    if value.is_sign_negative() && !value.is_zero() || value > Decimal::from(MAX_FIGURE) {
        return Err(SourceError::Cache(format!(
            "{what}: '{text}' is outside 0 to {MAX_FIGURE}, what a price in the cache may be"
        )));
    }
    Ok(value)
}

/// An optional decimal; `what` names it in an error (written only then: a region has thousands).
fn opt_decimal(text: Option<&Cow<'_, str>>, what: impl Fn() -> String) -> Result<Option<Decimal>, SourceError> {
    text.map(|t| decimal(t, "").or_else(|_| decimal(t, &what()))).transpose()
}

fn f64_of(text: &str, what: &str) -> Result<f64, SourceError> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| SourceError::Cache(format!("{what}: '{text}' is not a non-negative number")))
}

fn date(text: &str, what: &str) -> Result<NaiveDate, SourceError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| SourceError::Cache(format!("{what}: '{text}' is not a YYYY-MM-DD date ({e})")))
}

/// Builds `Provenance`s, sharing one allocation per distinct (source, kind, date, note). Keys
/// borrow from the parsed records (`'r`).
struct Provenances<'s, 'r> {
    sources: &'s BTreeMap<String, SourceMeta>,
    cache: HashMap<(&'r str, PriceKind, &'r str, Option<&'r str>), Source>,
}

impl<'s, 'r> Provenances<'s, 'r> {
    fn new(sources: &'s BTreeMap<String, SourceMeta>) -> Self {
        Provenances { sources, cache: HashMap::new() }
    }

    fn get(
        &mut self,
        id: &'r str,
        kind: PriceKind,
        as_of: &'r str,
        note: Option<&'r str>,
    ) -> Result<Source, SourceError> {
        let key = (id, kind, as_of, note);
        if let Some(found) = self.cache.get(&key) {
            return Ok(found.clone());
        }
        let rec =
            self.sources.get(id).ok_or_else(|| SourceError::Cache(format!("record cites unknown source '{id}'")))?;
        let source = Arc::new(Provenance {
            kind,
            source_id: id.to_string(),
            source: rec.title.clone(),
            date: as_of.to_string(),
            note: note.map(ToString::to_string),
        });
        self.cache.insert(key, source.clone());
        Ok(source)
    }
}

/// Reads a region of the cache from its embedded chunk, on first use (see [`Regions`]).
struct ChunkReader {
    chunks: BTreeMap<String, &'static [u8]>,
    entries: BTreeMap<String, RegionEntry>,
    catalog: Catalog,
    sources: BTreeMap<String, SourceMeta>,
}

impl RegionReader for ChunkReader {
    fn read(&self, region: &str) -> Result<RegionPrices, String> {
        let bytes = self.chunks.get(region).ok_or_else(|| format!("no chunk embedded for '{region}'"))?;
        let prices = parse_region(region, bytes, &self.catalog, &self.sources).map_err(|e| e.to_string())?;
        if let Some(entry) = self.entries.get(region) {
            let serverless: Vec<Engine> = prices.serverless.keys().copied().collect();
            let mut listed = entry.serverless.clone();
            listed.sort();
            if prices.on_demand.len() != entry.node_prices
                || prices.reserved.len() != entry.reserved
                || serverless != listed
            {
                return Err(format!(
                    "chunk '{}' does not match the index ({} node prices, {} reserved offers; the index says {} and {})",
                    entry.file,
                    prices.on_demand.len(),
                    prices.reserved.len(),
                    entry.node_prices,
                    entry.reserved
                ));
            }
        }
        Ok(prices)
    }
}

/// Parse a pricing cache: its index and its region chunks (`(code, bytes)`), into a
/// [`PriceBook`] whose regions are parsed on first use. Pure: the same function reads the
/// embedded cache and any cache written by a refresh. `origin` says where it came from. The index
/// and the chunk list must name the same regions.
pub fn parse_cache(index: &[u8], chunks: &[(&str, &'static [u8])], origin: &str) -> Result<PriceBook, SourceError> {
    let file: IndexFile =
        serde_json::from_slice(index).map_err(|e| SourceError::Cache(format!("unreadable pricing cache: {e}")))?;
    if file.schema_version != SCHEMA_VERSION {
        return Err(SourceError::Cache(format!(
            "pricing cache schema version {} is not the {SCHEMA_VERSION} this build reads",
            file.schema_version
        )));
    }
    if file.currency != "USD" || file.hours_per_month != crate::model::units::HOURS_PER_MONTH {
        return Err(SourceError::Cache("pricing cache must be in USD with 730-hour months".into()));
    }
    let as_of = date(&file.as_of, "as_of")?;

    let mut nodes = Vec::with_capacity(file.node_types.len());
    for n in &file.node_types {
        if n.memory_bytes == 0 || n.vcpu == 0 || n.maxclients == 0 {
            return Err(SourceError::Cache(format!("node type {} has a zero spec", n.name)));
        }
        nodes.push(NodeType {
            name: n.name.clone(),
            family: n.family.clone(),
            vcpu: n.vcpu,
            memory_bytes: n.memory_bytes,
            baseline_gbps: f64_of(&n.network_baseline_gbps, &n.name)?,
            burst_gbps: n.network_burst_gbps.as_deref().map(|t| f64_of(t, &n.name)).transpose()?,
            ssd_gib: n.ssd_gib.as_deref().map(|t| f64_of(t, &n.name)).transpose()?,
            cpu_credit_baseline_pct: n.cpu_credit_baseline_pct,
            maxclients: n.maxclients,
            engines: n.engines.clone(),
        });
    }
    let catalog = Catalog::new(nodes);
    let sources: BTreeMap<String, SourceMeta> = file
        .sources
        .iter()
        .map(|(id, s)| {
            let meta =
                SourceMeta { kind: s.kind, title: s.title.clone(), locator: s.locator.clone(), as_of: s.as_of.clone() };
            (id.clone(), meta)
        })
        .collect();
    let mut prov = Provenances::new(&sources);

    let mut entries = BTreeMap::new();
    for r in &file.regions {
        if r.file != format!("regions/{}.json", r.code) {
            return Err(SourceError::Cache(format!("region '{}' points at '{}'", r.code, r.file)));
        }
        if entries.insert(r.code.clone(), r.clone()).is_some() {
            return Err(SourceError::Cache(format!("region '{}' listed twice", r.code)));
        }
    }
    let mut embedded = BTreeMap::new();
    for (code, bytes) in chunks {
        if !entries.contains_key(*code) {
            return Err(SourceError::Cache(format!("region chunk '{code}' is not in the index")));
        }
        if embedded.insert((*code).to_string(), *bytes).is_some() {
            return Err(SourceError::Cache(format!("region chunk '{code}' given twice")));
        }
    }
    if let Some(missing) = entries.keys().find(|code| !embedded.contains_key(*code)) {
        return Err(SourceError::Cache(format!("region '{missing}' is in the index but its chunk is missing")));
    }

    let b = &file.backup_default;
    let backup_default = Rate {
        usd: decimal(&b.usd_per_gb_month, "backup_default")?,
        source: prov.get(&b.source, b.kind, &b.as_of, b.note.as_deref())?,
    };
    let extended_support_starts = file
        .extended_support_schedule
        .iter()
        .map(|s| Ok(SupportStart { major: s.major, starts: date(&s.starts, "extended_support_schedule")? }))
        .collect::<Result<Vec<_>, SourceError>>()?;
    let t = &file.cross_az_transfer;
    let cross_az_per_gb = Rate {
        usd: decimal(&t.usd_per_gb, "cross_az_transfer")?,
        source: prov.get(&t.source, t.kind, &t.as_of, None)?,
    };

    let u = &file.upstash;
    let upstash_source = prov.get(&u.source, u.kind, &u.as_of, None)?;
    let p = &u.payg;
    let payg = UpstashPayg {
        usd_per_100k_commands: decimal(&p.usd_per_100k_commands, "upstash")?,
        storage_usd_per_gb_month: decimal(&p.storage_usd_per_gb_month, "upstash")?,
        storage_free_gb: decimal(&p.storage_free_gb, "upstash")?,
        bandwidth_free_gb_month: decimal(&p.bandwidth_free_gb_month, "upstash")?,
        bandwidth_usd_per_gb: decimal(&p.bandwidth_usd_per_gb, "upstash")?,
        max_data_gib: decimal(&p.max_data_gib, "upstash")?,
        max_cmds_per_sec: p.max_cmds_per_sec,
        max_request_mib: decimal(&p.max_request_mib, "upstash")?,
        max_record_mib: decimal(&p.max_record_mib, "upstash")?,
    };
    let plans = u
        .plans
        .iter()
        .map(|p| {
            Ok(UpstashPlan {
                id: p.id.clone(),
                name: p.name.clone(),
                usd_month: decimal(&p.usd_month, &p.id)?,
                data_gib: decimal(&p.data_gib, &p.id)?,
                monthly_commands: p.monthly_commands,
                bandwidth_gb_month: decimal(&p.bandwidth_gb_month, &p.id)?,
                max_cmds_per_sec: p.max_cmds_per_sec,
                max_request_mib: decimal(&p.max_request_mib, &p.id)?,
                max_record_mib: decimal(&p.max_record_mib, &p.id)?,
            })
        })
        .collect::<Result<Vec<_>, SourceError>>()?;
    let upstash = UpstashPricing {
        source: upstash_source,
        regions: u.regions.clone(),
        payg,
        plans,
        prod_pack_usd_month: decimal(&u.prod_pack_usd_month, "upstash prod_pack_usd_month")?,
    };

    let mut savings_plans = Vec::with_capacity(file.savings_plans.len());
    for r in &file.savings_plans {
        let what = format!("savings plan '{}' {} {}", r.plan, r.engine.id(), r.deployment);
        if r.plan != "database-savings-plans" {
            return Err(SourceError::Cache(format!("{what}: unknown plan")));
        }
        let scope = match (r.deployment.as_str(), r.min_generation) {
            ("serverless", None) => SavingsPlanScope::Serverless,
            ("nodes", Some(min_generation)) => SavingsPlanScope::Nodes { min_generation },
            _ => return Err(SourceError::Cache(format!("{what}: not 'serverless', or 'nodes' with a min_generation"))),
        };
        let discount_pct = decimal(&r.discount_pct, &what)?;
        if discount_pct <= Decimal::ZERO || discount_pct >= Decimal::ONE_HUNDRED {
            return Err(SourceError::Cache(format!("{what}: discount '{discount_pct}' is not a percentage")));
        }
        savings_plans.push(SavingsPlanRate {
            engine: r.engine,
            scope,
            discount_pct,
            up_to: r.up_to,
            term: r.term,
            payment: r.payment,
            source: prov.get(&r.source, r.kind, &r.as_of, r.note.as_deref())?,
        });
    }

    let codes: Vec<String> = entries.keys().cloned().collect();
    let reader = ChunkReader { chunks: embedded, entries, catalog: catalog.clone(), sources: sources.clone() };
    Ok(PriceBook {
        as_of,
        origin: origin.to_string(),
        catalog,
        regions: Regions::lazy(codes, Arc::new(reader)),
        backup_default,
        cross_az_per_gb,
        extended_support_starts,
        upstash,
        sources,
        savings_plans,
    })
}

fn value_rate<'r>(prov: &mut Provenances<'_, 'r>, v: &'r ValueRec<'_>, region: &str) -> Result<Rate, SourceError> {
    Ok(Rate { usd: decimal(&v.value, region)?, source: prov.get(&v.source, v.kind, &v.as_of, v.note.as_deref())? })
}

/// Parse one region's chunk. Pure. `catalog` and `sources` are the index's: every price must be
/// for a node type of the catalog and cite a source of the index.
pub fn parse_region(
    region: &str,
    bytes: &[u8],
    catalog: &Catalog,
    sources: &BTreeMap<String, SourceMeta>,
) -> Result<RegionPrices, SourceError> {
    let at = |message: String| SourceError::Cache(format!("region '{region}': {message}"));
    let file: ChunkFile = serde_json::from_slice(bytes).map_err(|e| at(format!("unreadable chunk: {e}")))?;
    if file.schema_version != SCHEMA_VERSION {
        return Err(at(format!(
            "chunk schema version {} is not the {SCHEMA_VERSION} this build reads",
            file.schema_version
        )));
    }
    if file.region != region {
        return Err(at(format!("the chunk holds region '{}'", file.region)));
    }
    let node_id = |name: &str| {
        catalog.find(name).ok_or_else(|| at(format!("price for node type '{name}' missing from the catalog")))
    };
    let mut prov = Provenances::new(sources);
    let mut prices = RegionPrices::default();

    for p in &file.node_prices {
        let id = node_id(&p.node_type)?;
        let source = prov.get(&p.source, p.kind, &p.as_of, p.note.as_deref())?;
        let usd = decimal(&p.usd_per_hour, &p.node_type)?;
        if prices.on_demand.insert((id, p.engine), Rate { usd, source }).is_some() {
            return Err(at(format!("duplicate price {} {}", p.node_type, p.engine.id())));
        }
    }
    for r in &file.reserved {
        let id = node_id(&r.node_type)?;
        // the offer in words, for an error
        let what = || format!("{region} {} {} {}", r.node_type, r.term.id(), r.payment.id());
        let offer = ReservedOffer {
            upfront_usd: opt_decimal(r.upfront_usd.as_ref(), what)?,
            hourly_usd: opt_decimal(r.hourly_usd.as_ref(), what)?,
            effective_hourly_usd: opt_decimal(r.effective_hourly_usd.as_ref(), what)?,
            source: prov.get(&r.source, r.kind, &r.as_of, r.note.as_deref())?,
        };
        let complete = offer.upfront_usd.is_some() && offer.hourly_usd.is_some();
        if !complete && offer.effective_hourly_usd.is_none() {
            return Err(SourceError::Cache(format!(
                "reserved offer {} has neither upfront+hourly nor an effective rate",
                what()
            )));
        }
        if r.payment == Payment::AllUpfront && complete && offer.upfront_usd.unwrap_or_default().is_zero() {
            return Err(SourceError::Cache(format!("all-upfront offer {} has no upfront fee", what())));
        }
        let term = Term::Reserved(r.term, r.payment);
        if prices.reserved.insert((id, r.engine, term), offer).is_some() {
            return Err(SourceError::Cache(format!("duplicate reserved offer {} {}", what(), r.engine.id())));
        }
    }
    for s in &file.serverless {
        let rates = ServerlessRates {
            storage_gb_hour: value_rate(&mut prov, &s.storage_usd_per_gb_hour, region)?,
            ecpu_per_million: value_rate(&mut prov, &s.ecpu_usd_per_million, region)?,
            min_storage_gb: {
                let Rate { usd: gb, source } = value_rate(&mut prov, &s.min_storage_gb, region)?;
                SourcedGb { gb, source }
            },
        };
        if prices.serverless.insert(s.engine, rates).is_some() {
            return Err(at(format!("duplicate Serverless rates for {}", s.engine.id())));
        }
    }
    if let Some(b) = &file.backup {
        prices.backup = Some(Rate {
            usd: decimal(&b.usd_per_gb_month, "backup")?,
            source: prov.get(&b.source, b.kind, &b.as_of, b.note.as_deref())?,
        });
    }
    for e in &file.extended_support {
        let id = node_id(&e.node_type)?;
        let period = match &*e.period {
            "yr1-2" => SupportPeriod::Years1To2,
            "yr3" => SupportPeriod::Year3,
            other => return Err(at(format!("unknown Extended Support period '{other}'"))),
        };
        let rate = Rate {
            usd: decimal(&e.usd_per_hour, "extended support")?,
            source: prov.get(&e.source, e.kind, &e.as_of, e.note.as_deref())?,
        };
        if prices.extended_support.insert((id, period), rate).is_some() {
            return Err(at(format!("duplicate Extended Support rate {} {}", e.node_type, e.period)));
        }
    }
    Ok(prices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn book() -> &'static PriceBook {
        embedded().unwrap()
    }

    #[test]
    fn embedded_cache_parses_and_every_catalog_node_has_a_us_east_1_price_for_each_engine_it_runs() {
        let book = book();
        assert_eq!(book.catalog.len(), 59);
        for (id, node) in book.catalog.nodes() {
            for engine in &node.engines {
                assert!(book.on_demand("us-east-1", id, *engine).is_some(), "{} {}", node.name, engine.id());
            }
        }
        assert_eq!(book.as_of.to_string(), CACHE_AS_OF);
    }

    #[test]
    fn node_memory_comes_from_maxmemory_bytes() {
        let book = book();
        let id = book.catalog.find("cache.r7g.large").unwrap();
        assert_eq!(book.catalog.node(id).memory_bytes, 14_037_181_030);
        let micro = book.catalog.find("cache.t4g.micro").unwrap();
        assert_eq!(book.catalog.node(micro).maxclients, 20_000);
    }

    #[test]
    fn valkey_is_a_fifth_cheaper_than_redis_in_us_east_1_and_never_a_surcharge_sku() {
        let book = book();
        for (id, node) in book.catalog.nodes() {
            let redis = book.on_demand("us-east-1", id, Engine::Redis).unwrap().usd;
            let valkey = book.on_demand("us-east-1", id, Engine::Valkey).unwrap().usd;
            assert_eq!(valkey, (redis * dec!(0.8)).round_dp(4), "{}", node.name);
        }
    }

    #[test]
    fn derived_prices_are_labelled_derived() {
        let book = book();
        let id = book.catalog.find("cache.t4g.small").unwrap();
        // the pricing page gives Valkey itself: not derived
        let valkey = book.on_demand("us-east-2", id, Engine::Valkey).unwrap();
        assert_eq!(valkey.source.kind, PriceKind::AwsPricingPage);
        assert_eq!(valkey.usd, dec!(0.0256));
        // its reserved JSON has no Valkey rows: Valkey = 0.8 x the Redis OSS offer, labelled derived
        let term = Term::Reserved(TermLength::OneYear, Payment::PartialUpfront);
        let redis = book.reserved("us-east-2", id, Engine::Redis, term).unwrap();
        let valkey = book.reserved("us-east-2", id, Engine::Valkey, term).unwrap();
        assert_eq!(redis.source.kind, PriceKind::AwsPricingPage);
        assert_eq!(valkey.source.kind, PriceKind::Derived);
        assert_eq!(valkey.upfront_usd, redis.upfront_usd.map(|u| u * dec!(0.8)));
        assert_eq!(valkey.hourly_usd, redis.hourly_usd.map(|h| (h * dec!(0.8)).round_dp(4)));
        assert!(valkey.source.note.as_deref().unwrap_or_default().starts_with("derived: Valkey offer = 0.8 x"));
    }

    #[test]
    fn reserved_all_upfront_is_amortized_from_the_upfront_fee() {
        let book = book();
        let id = book.catalog.find("cache.c7gn.large").unwrap();
        let term = Term::Reserved(TermLength::ThreeYears, Payment::AllUpfront);
        let offer = book.reserved("us-east-1", id, Engine::Redis, term).unwrap();
        assert_eq!(offer.upfront_usd, Some(dec!(3015.63)));
        assert_eq!(offer.amortized_hourly_usd(TermLength::ThreeYears), dec!(0.11475));
        assert_eq!(offer.source.kind, PriceKind::AwsPriceList);
    }

    #[test]
    fn corrupt_or_foreign_caches_are_errors_not_panics() {
        for bad in [&b""[..], b"{", b"[]", b"{\"schema_version\": 99}", b"\xff\xfe"] {
            assert!(parse_cache(bad, REGION_CHUNKS, "test").is_err());
        }
        let text = std::str::from_utf8(CACHE).unwrap().replace("\"schema_version\": 2", "\"schema_version\": 3");
        let err = parse_cache(text.as_bytes(), REGION_CHUNKS, "test").unwrap_err();
        assert!(err.to_string().contains("schema version 3"), "{err}");
    }

    /// The embedded chunks with `region`'s replaced by `bytes`.
    fn chunks_with(region: &str, bytes: &'static [u8]) -> &'static [(&'static str, &'static [u8])] {
        let chunks: Vec<(&'static str, &'static [u8])> =
            REGION_CHUNKS.iter().map(|(code, b)| (*code, if *code == region { bytes } else { *b })).collect();
        Box::leak(chunks.into_boxed_slice())
    }

    #[test]
    fn a_corrupt_region_chunk_is_a_clear_error_for_that_region_only() {
        let book = parse_cache(CACHE, chunks_with("eu-west-1", b"{\"schema_version\": 2, \"region\""), "test").unwrap();
        assert!(book.region_names().contains(&"eu-west-1"), "still listed: the index covers it");
        assert!(book.region("eu-west-1").is_none());
        let err = SourceError::from(book.load_region("eu-west-1").unwrap_err());
        let text = err.to_string();
        assert!(text.starts_with("pricing cache: prices for region 'eu-west-1' cannot be read:"), "{text}");
        assert!(text.contains("unreadable chunk"), "{text}");
        assert_eq!(book.regions.errors().len(), 1);
        assert!(book.region("us-east-1").is_some(), "other regions unaffected");

        let other = text_of("us-east-1");
        let book = parse_cache(CACHE, chunks_with("eu-west-1", Box::leak(other.into_bytes().into_boxed_slice())), "t")
            .unwrap();
        let Err(err) = book.load_region("eu-west-1") else { panic!("another region's chunk was accepted") };
        assert!(err.to_string().contains("the chunk holds region 'us-east-1'"), "{err}");

        // a chunk whose content does not match what the index says it holds
        let relabelled = text_of("ap-southeast-7").replace(r#""region": "ap-southeast-7""#, r#""region": "eu-west-1""#);
        let book =
            parse_cache(CACHE, chunks_with("eu-west-1", Box::leak(relabelled.into_bytes().into_boxed_slice())), "t")
                .unwrap();
        let Err(err) = book.load_region("eu-west-1") else { panic!("a mislabelled chunk was accepted") };
        assert!(err.to_string().contains("does not match the index"), "{err}");
    }

    #[test]
    fn issue_13_the_cache_date_is_a_date_never_unknown() {
        assert!(NaiveDate::parse_from_str(CACHE_AS_OF, "%Y-%m-%d").is_ok(), "{CACHE_AS_OF}");
        let manifest = include_str!("../../pricing-cache/MANIFEST.toml");
        assert!(manifest.contains(&format!("as_of = \"{CACHE_AS_OF}\"")), "the build read the manifest's date");
    }

    #[test]
    fn issue_13_a_price_out_of_range_is_an_error_naming_it() {
        let text = text_of("eu-west-1");
        // the error of reading eu-west-1 with the first `key`'s figure written `bad`
        let error_with = |key: &str, bad: &str| {
            let quoted = format!("\"{key}\": \"");
            let at = text.find(&quoted).unwrap() + quoted.len();
            let changed = format!("{}{bad}{}", &text[..at], &text[at + text[at..].find('"').unwrap()..]);
            let book =
                parse_cache(CACHE, chunks_with("eu-west-1", Box::leak(changed.into_bytes().into_boxed_slice())), "t")
                    .unwrap();
            let Err(err) = book.load_region("eu-west-1") else { panic!("{key} = {bad} was accepted") };
            err.to_string()
        };
        for bad in ["99999999999999", "-1"] {
            let err = error_with("usd_per_hour", bad);
            assert!(err.contains(&format!("'{bad}' is outside 0 to 1000000")), "{err}");
        }
        // a reserved offer's figure: the error names the offer (region, node type, term, payment)
        let first = serde_json::from_str::<serde_json::Value>(&text).unwrap()["reserved"][0].clone();
        let offer = format!(
            "eu-west-1 {} {} {}",
            first["node_type"].as_str().unwrap(),
            first["term"].as_str().unwrap(),
            first["payment"].as_str().unwrap()
        );
        for bad in ["99999999999999", "-1", "x"] {
            let err = error_with("upfront_usd", bad);
            assert!(err.contains(&format!("{offer}: '{bad}' is")), "{err}");
        }
    }

    fn text_of(region: &str) -> String {
        let (_, bytes) = REGION_CHUNKS.iter().find(|(code, _)| *code == region).unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn index_and_chunks_must_name_the_same_regions() {
        let without: Vec<(&str, &'static [u8])> =
            REGION_CHUNKS.iter().filter(|(code, _)| *code != "us-east-1").copied().collect();
        let err = parse_cache(CACHE, &without, "test").unwrap_err().to_string();
        assert!(err.contains("'us-east-1' is in the index but its chunk is missing"), "{err}");
        let mut extra = REGION_CHUNKS.to_vec();
        extra.push(("xx-nowhere-1", b"{}"));
        let err = parse_cache(CACHE, &extra, "test").unwrap_err().to_string();
        assert!(err.contains("region chunk 'xx-nowhere-1' is not in the index"), "{err}");
    }

    #[test]
    fn regions_are_parsed_on_first_use_only() {
        let book = parse_cache(CACHE, REGION_CHUNKS, "test").unwrap();
        assert_eq!(book.regions.read_count(), 0);
        assert_eq!(book.region_names().len(), REGION_CHUNKS.len());
        assert!(book.region("us-east-1").is_some());
        assert!(book.region("us-east-1").is_some());
        assert_eq!(book.regions.read_count(), 1);
        assert!(book.region("xx-nowhere-1").is_none());
        assert_eq!(book.regions.read_count(), 1);
    }

    #[test]
    fn every_embedded_region_parses_and_matches_the_index() {
        let book = parse_cache(CACHE, REGION_CHUNKS, "test").unwrap();
        for code in book.region_names() {
            book.load_region(code).unwrap().unwrap();
        }
        assert!(book.regions.errors().is_empty());
        assert_eq!(book, book.clone());
    }

    /// The vendored pricing page JSON (`pricing-cache/sources/`), the cache's own input.
    fn page() -> serde_json::Value {
        let path =
            concat!(env!("CARGO_MANIFEST_DIR"), "/pricing-cache/sources/pricing/aws-pricing-page/elasticache.json");
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    /// Region code -> the pricing page's display name, as the index lists them.
    fn region_names() -> BTreeMap<String, String> {
        let index: serde_json::Value = serde_json::from_slice(CACHE).unwrap();
        index["regions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["code"].as_str().unwrap().to_string(), r["name"].as_str().unwrap().to_string()))
            .collect()
    }

    fn page_price(page: &serde_json::Value, name: &str, key: &str) -> Option<Decimal> {
        page["regions"][name][key]["price"].as_str().map(|p| Decimal::from_str(p).unwrap())
    }

    /// The page's own key for a plain node price (`OnDemand Cache Instance ... cache r7g.large Valkey ...`).
    fn page_node_key(node: &NodeType, engine: Engine, page_region: &serde_json::Value) -> Option<String> {
        let engine = match engine {
            Engine::Valkey => "Valkey",
            Engine::Redis => "Redis",
            Engine::Memcached => "Memcached",
        };
        let short = node.name.trim_start_matches("cache.");
        page_region
            .as_object()
            .unwrap()
            .keys()
            .find(|k| {
                k.starts_with("OnDemand Cache Instance ")
                    && k.contains(&format!(" cache {short} {engine} "))
                    && k.ends_with(" Generation")
            })
            .cloned()
    }

    #[test]
    fn every_commercial_region_has_serverless_and_the_pages_graviton_node_prices() {
        let book = book();
        let page = page();
        let names = region_names();
        assert_eq!(book.region_names().len(), 32, "every commercial region of the page (no GovCloud, no Local Zone)");
        assert_eq!(names.len(), 32);
        let mut regions_with_graviton = 0;
        for (code, name) in &names {
            for engine in [Engine::Valkey, Engine::Redis] {
                assert!(book.serverless(code, engine).is_some(), "{code} Serverless {}", engine.id());
            }
            let page_region = &page["regions"][name.as_str()];
            let mut checked = 0;
            for (id, node) in book.catalog.nodes().filter(|(_, n)| ["t4g", "m7g", "r7g"].contains(&n.family.as_str())) {
                for engine in Engine::ALL {
                    let Some(key) = page_node_key(node, engine, page_region) else { continue };
                    let rate = book.on_demand(code, id, engine);
                    assert!(rate.is_some(), "{code} {} {} is on the page but not in the cache", node.name, engine.id());
                    assert_eq!(rate.map(|r| r.usd), page_price(&page, name, &key), "{code} {key}");
                    checked += 1;
                }
            }
            if checked > 0 {
                regions_with_graviton += 1;
            }
        }
        // the page has t4g/m7g/r7g in most regions; older regions list only t3/m5/r5
        assert!(regions_with_graviton >= 24, "{regions_with_graviton}");
    }

    #[test]
    fn eu_west_1_serverless_valkey_is_the_pricing_pages() {
        let page = page();
        let storage = page_price(&page, "EU (Ireland)", "OnDemand ElastiCache Serverless Valkey per GB-Hours").unwrap();
        let ecpu =
            page_price(&page, "EU (Ireland)", "OnDemand ElastiCache Serverless Valkey per ElastiCacheProcessingUnit")
                .unwrap();
        let rates = book().serverless("eu-west-1", Engine::Valkey).unwrap();
        assert_eq!(rates.storage_gb_hour.usd, storage);
        assert_eq!(rates.ecpu_per_million.usd, ecpu * dec!(1_000_000), "the page quotes one ECPU");
        assert_eq!(rates.storage_gb_hour.source.kind, PriceKind::AwsPricingPage);
        assert_eq!(rates.storage_gb_hour.source.date, "2025-03-14");
        assert_eq!(rates.min_storage_gb.gb, dec!(0.1));
        assert_eq!(rates.min_storage_gb.source.kind, PriceKind::Derived, "the minimum is stated for us-east-1 only");
        // the units check against FACTS.md's us-east-1 figures
        let use1 = book().serverless("us-east-1", Engine::Valkey).unwrap();
        assert_eq!((use1.storage_gb_hour.usd, use1.ecpu_per_million.usd), (dec!(0.084), dec!(0.0023)));
        let use1 = book().serverless("us-east-1", Engine::Redis).unwrap();
        assert_eq!((use1.storage_gb_hour.usd, use1.ecpu_per_million.usd), (dec!(0.125), dec!(0.0034)));
    }

    #[test]
    fn the_verified_us_east_1_table_keeps_its_provenance_where_the_page_agrees() {
        let book = book();
        let page = page();
        let id = book.catalog.find("cache.r7g.large").unwrap();
        let valkey = book.on_demand("us-east-1", id, Engine::Valkey).unwrap();
        let key =
            page_node_key(book.catalog.node(id), Engine::Valkey, &page["regions"]["US East (N. Virginia)"]).unwrap();
        assert_eq!(Some(valkey.usd), page_price(&page, "US East (N. Virginia)", &key), "the page agrees");
        assert_eq!(valkey.source.date, "2026-10-02");
        assert_eq!(valkey.source.source_id, "S1_pricing_service");
        let redis = book.on_demand("us-east-1", id, Engine::Redis).unwrap();
        assert_eq!(
            (redis.source.source_id.as_str(), redis.source.date.as_str()),
            ("N1_us_east_1_catalog", "2026-10-02")
        );
    }

    #[test]
    fn a_reserved_offer_from_the_page_has_its_upfront_fee_and_hourly_rate() {
        let book = book();
        let id = book.catalog.find("cache.r7g.large").unwrap();
        for (length, payment) in [
            (TermLength::OneYear, Payment::PartialUpfront),
            (TermLength::ThreeYears, Payment::PartialUpfront),
            (TermLength::ThreeYears, Payment::AllUpfront),
            (TermLength::OneYear, Payment::NoUpfront),
        ] {
            let offer = book.reserved("eu-west-1", id, Engine::Redis, Term::Reserved(length, payment)).unwrap();
            assert_eq!(offer.source.kind, PriceKind::AwsPricingPage);
            assert_eq!(offer.source.date, "2024-10-07");
            let (Some(upfront), Some(hourly)) = (offer.upfront_usd, offer.hourly_usd) else {
                panic!("{} {}: upfront or hourly unknown", length.id(), payment.id())
            };
            assert!(offer.effective_hourly_usd.is_none());
            let years = Decimal::from(length.years());
            assert_eq!(offer.amortized_hourly_usd(length), hourly + upfront / (years * dec!(8760)));
            match payment {
                Payment::NoUpfront => assert!(upfront.is_zero()),
                Payment::AllUpfront => assert!(hourly.is_zero() && upfront > Decimal::ZERO),
                Payment::PartialUpfront => assert!(hourly > Decimal::ZERO && upfront > Decimal::ZERO),
            }
        }
        // the 2022 snapshot gave only an amortized rate here; the page's split replaces it
        let r6g = book.catalog.find("cache.r6g.large").unwrap();
        let term = Term::Reserved(TermLength::OneYear, Payment::PartialUpfront);
        let offer = book.reserved("us-east-1", r6g, Engine::Redis, term).unwrap();
        assert!(offer.upfront_usd.is_some() && offer.hourly_usd.is_some(), "{offer:?}");
    }

    #[test]
    fn extended_support_and_other_add_ons_never_appear_as_a_node_price() {
        let book = book();
        let page = page();
        for (code, name) in region_names() {
            let region = book.region(&code).unwrap();
            for ((id, engine), rate) in &region.on_demand {
                let node = book.catalog.node(*id);
                let text = format!("{} {:?}", rate.source.source, rate.source.note).to_lowercase();
                for add_on in ["extended", "syncdurability", "outposts"] {
                    assert!(!text.contains(add_on), "{code} {} {}: {text}", node.name, engine.id());
                }
                if rate.source.source_id == "PG1_aws_pricing_page" {
                    let key = page_node_key(node, *engine, &page["regions"][name.as_str()]).unwrap();
                    assert_eq!(Some(rate.usd), page_price(&page, &name, &key), "{code} {key}");
                }
            }
            assert!(!region.extended_support.is_empty(), "{code}: Extended Support rates, kept apart from node prices");
        }
    }

    #[test]
    fn database_savings_plans_cover_valkey_serverless_and_generation_7_nodes_only() {
        let book = book();
        let serverless = book.savings_plan(Engine::Valkey, None).unwrap();
        assert_eq!(serverless.scope, SavingsPlanScope::Serverless);
        assert_eq!((serverless.discount_pct, serverless.up_to), (dec!(30), false));
        assert_eq!((serverless.term, serverless.payment), (TermLength::OneYear, Payment::NoUpfront));
        assert_eq!(serverless.source.kind, PriceKind::ThirdParty);
        assert!(serverless.source.note.as_deref().unwrap_or_default().starts_with("unverified"), "{serverless:?}");
        for name in ["cache.r7g.large", "cache.m7g.xlarge", "cache.c7gn.large"] {
            let node = book.catalog.find(name).unwrap();
            let rate = book.savings_plan(Engine::Valkey, Some(node)).unwrap();
            assert_eq!(
                (rate.scope, rate.discount_pct, rate.up_to),
                (SavingsPlanScope::Nodes { min_generation: 7 }, dec!(20), true)
            );
            assert!(rate.source.note.as_deref().unwrap_or_default().contains("unverified"));
        }
        for name in [
            "cache.t4g.medium",
            "cache.m6g.large",
            "cache.r6g.xlarge",
            "cache.r6gd.xlarge",
            "cache.r5.large",
            "cache.t3.small",
        ] {
            let node = book.catalog.find(name).unwrap();
            assert!(book.savings_plan(Engine::Valkey, Some(node)).is_none(), "{name} is not covered");
        }
        for engine in [Engine::Redis, Engine::Memcached] {
            assert!(book.savings_plan(engine, None).is_none());
            assert!(book.savings_plan(engine, book.catalog.find("cache.r7g.large")).is_none());
        }
        // every source the notes cite is in the book
        for id in ["DSP1_aws_page", "DSP2_cloudcombinator", "DSP3_nops", "DSP4_classmethod"] {
            assert!(book.sources.contains_key(id), "{id}");
        }
        let broken =
            std::str::from_utf8(CACHE).unwrap().replace("\"deployment\": \"nodes\"", "\"deployment\": \"cluster\"");
        let err = parse_cache(broken.as_bytes(), REGION_CHUNKS, "test").unwrap_err().to_string();
        assert!(err.contains("savings plan 'database-savings-plans' valkey cluster"), "{err}");
    }
}
