//! The embedded pricing cache (`pricing-cache/`), compiled into the binary.
//!
//! The cache is an index (`elasticache.json`: sources, node specs, rates that hold everywhere, the
//! list of regions) and one chunk per region (`regions/<code>.json`). Every chunk is embedded but
//! a region's is parsed only when a plan first asks for it, so start-up stays cheap however many
//! regions the cache covers. [`parse_cache`] and [`parse_region`] are pure and also read the
//! output of a future `capplan pricing refresh`. The cache is normalized from research data by
//! `scripts/normalize_pricing.py`.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use super::SourceError;
use crate::model::catalog::{Catalog, Engine, NodeType};
use crate::model::price::{
    Payment, PriceBook, PriceKind, Provenance, Rate, RegionError, RegionPrices, RegionReader, Regions, ReservedOffer,
    ServerlessRates, Source, SourceMeta, SupportPeriod, SupportStart, Term, TermLength, UpstashPayg, UpstashPlan,
    UpstashPricing,
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
struct IndexFile {
    schema_version: u32,
    as_of: String,
    #[expect(dead_code, reason = "provenance for people reading the cache; the model does not need it")]
    built_by: String,
    currency: String,
    hours_per_month: u32,
    sources: BTreeMap<String, SourceRec>,
    regions: Vec<RegionEntry>,
    node_types: Vec<NodeRec>,
    backup_default: RateRec,
    extended_support_schedule: Vec<ScheduleRec>,
    cross_az_transfer: CrossAzRec,
    upstash: UpstashRec,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChunkFile {
    schema_version: u32,
    region: String,
    node_prices: Vec<PriceRec>,
    reserved: Vec<ReservedRec>,
    serverless: Vec<ServerlessRec>,
    backup: Option<RateRec>,
    extended_support: Vec<SupportRec>,
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
struct PriceRec {
    node_type: String,
    engine: Engine,
    usd_per_hour: String,
    kind: PriceKind,
    source: String,
    as_of: String,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReservedRec {
    node_type: String,
    engine: Engine,
    term: TermLength,
    payment: Payment,
    upfront_usd: Option<String>,
    hourly_usd: Option<String>,
    effective_hourly_usd: Option<String>,
    kind: PriceKind,
    source: String,
    as_of: String,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueRec {
    value: String,
    kind: PriceKind,
    source: String,
    as_of: String,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerlessRec {
    engine: Engine,
    storage_usd_per_gb_hour: ValueRec,
    ecpu_usd_per_million: ValueRec,
    min_storage_gb: ValueRec,
}

/// Backup storage, $/GB-month.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RateRec {
    usd_per_gb_month: String,
    kind: PriceKind,
    source: String,
    as_of: String,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SupportRec {
    node_type: String,
    period: String,
    usd_per_hour: String,
    kind: PriceKind,
    source: String,
    as_of: String,
    note: Option<String>,
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

fn decimal(text: &str, what: &str) -> Result<Decimal, SourceError> {
    Decimal::from_str(text).map_err(|e| SourceError::Cache(format!("{what}: '{text}' is not a decimal ({e})")))
}

fn opt_decimal(text: Option<&String>, what: &str) -> Result<Option<Decimal>, SourceError> {
    text.map(|t| decimal(t, what)).transpose()
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

/// Builds `Provenance`s, sharing one allocation per distinct (source, kind, date, note).
struct Provenances<'a> {
    sources: &'a BTreeMap<String, SourceMeta>,
    cache: BTreeMap<(String, PriceKind, String, Option<String>), Source>,
}

impl<'a> Provenances<'a> {
    fn new(sources: &'a BTreeMap<String, SourceMeta>) -> Self {
        Provenances { sources, cache: BTreeMap::new() }
    }

    fn get(&mut self, id: &str, kind: PriceKind, as_of: &str, note: Option<&String>) -> Result<Source, SourceError> {
        let key = (id.to_string(), kind, as_of.to_string(), note.cloned());
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
            note: note.cloned(),
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
        source: prov.get(&b.source, b.kind, &b.as_of, b.note.as_ref())?,
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
    })
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
        let source = prov.get(&p.source, p.kind, &p.as_of, p.note.as_ref())?;
        let usd = decimal(&p.usd_per_hour, &p.node_type)?;
        if prices.on_demand.insert((id, p.engine), Rate { usd, source }).is_some() {
            return Err(at(format!("duplicate price {} {}", p.node_type, p.engine.id())));
        }
    }
    for r in &file.reserved {
        let id = node_id(&r.node_type)?;
        let what = format!("{region} {} {} {}", r.node_type, r.term.id(), r.payment.id());
        let offer = ReservedOffer {
            upfront_usd: opt_decimal(r.upfront_usd.as_ref(), &what)?,
            hourly_usd: opt_decimal(r.hourly_usd.as_ref(), &what)?,
            effective_hourly_usd: opt_decimal(r.effective_hourly_usd.as_ref(), &what)?,
            source: prov.get(&r.source, r.kind, &r.as_of, r.note.as_ref())?,
        };
        let complete = offer.upfront_usd.is_some() && offer.hourly_usd.is_some();
        if !complete && offer.effective_hourly_usd.is_none() {
            return Err(SourceError::Cache(format!(
                "reserved offer {what} has neither upfront+hourly nor an effective rate"
            )));
        }
        if r.payment == Payment::AllUpfront && complete && offer.upfront_usd.unwrap_or_default().is_zero() {
            return Err(SourceError::Cache(format!("all-upfront offer {what} has no upfront fee")));
        }
        let term = Term::Reserved(r.term, r.payment);
        if prices.reserved.insert((id, r.engine, term), offer).is_some() {
            return Err(SourceError::Cache(format!("duplicate reserved offer {what} {}", r.engine.id())));
        }
    }
    for s in &file.serverless {
        let mut rate = |v: &ValueRec| -> Result<Rate, SourceError> {
            Ok(Rate {
                usd: decimal(&v.value, region)?,
                source: prov.get(&v.source, v.kind, &v.as_of, v.note.as_ref())?,
            })
        };
        let rates = ServerlessRates {
            storage_gb_hour: rate(&s.storage_usd_per_gb_hour)?,
            ecpu_per_million: rate(&s.ecpu_usd_per_million)?,
            min_storage_gb: rate(&s.min_storage_gb)?,
        };
        if prices.serverless.insert(s.engine, rates).is_some() {
            return Err(at(format!("duplicate Serverless rates for {}", s.engine.id())));
        }
    }
    if let Some(b) = &file.backup {
        prices.backup = Some(Rate {
            usd: decimal(&b.usd_per_gb_month, "backup")?,
            source: prov.get(&b.source, b.kind, &b.as_of, b.note.as_ref())?,
        });
    }
    for e in &file.extended_support {
        let id = node_id(&e.node_type)?;
        let period = match e.period.as_str() {
            "yr1-2" => SupportPeriod::Years1To2,
            "yr3" => SupportPeriod::Year3,
            other => return Err(at(format!("unknown Extended Support period '{other}'"))),
        };
        let rate = Rate {
            usd: decimal(&e.usd_per_hour, "extended support")?,
            source: prov.get(&e.source, e.kind, &e.as_of, e.note.as_ref())?,
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
    use crate::model::price::PriceKind;
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
        let valkey = book.on_demand("us-east-2", id, Engine::Valkey).unwrap();
        assert_eq!(valkey.source.kind, PriceKind::Derived);
        assert_eq!(valkey.usd, dec!(0.0256));
        let redis = book.on_demand("us-east-2", id, Engine::Redis).unwrap();
        assert_eq!(redis.source.kind, PriceKind::ThirdParty);
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

        let foreign = text_of("us-east-1").replace("\"region\": \"us-east-1\"", "\"region\": \"eu-west-1\"");
        let book =
            parse_cache(CACHE, chunks_with("eu-west-1", Box::leak(foreign.into_bytes().into_boxed_slice())), "t")
                .unwrap();
        let err = book.load_region("eu-west-1").unwrap_err().to_string();
        assert!(err.contains("does not match the index") || err.contains("node prices"), "{err}");
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
}
