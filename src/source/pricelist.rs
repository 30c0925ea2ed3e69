//! The AWS Price List for ElastiCache: its products (one JSON document per product as
//! `GetProducts` returns them, or a bulk offer file holding every product of a region) and the
//! pure normalization of one region's products into a chunk of the pricing cache, in the
//! embedded cache's own format, so that [`super::offline::parse_region`] reads it.
//!
//! The rules, the same as `scripts/normalize_pricing.py`'s where both apply:
//! * only products located in an AWS Region (`locationType = "AWS Region"`) whose `regionCode`
//!   is the region asked for: Outposts, Local Zones and Wavelength zones are not region prices;
//! * a node price is a `Cache Instance` product whose usagetype, less its region prefix
//!   (`EU-`, `USW2-`; us-east-1 has none), is exactly `NodeUsage:<instanceType>`. Extended
//!   Support usagetypes (`ExtendedSupportYr1_Yr2-NodeUsage:…`, `ExtendedSupportYr3-NodeUsage:…`)
//!   feed the Extended Support table; `SyncDurability-NodeUsage:…` and any other meter are
//!   rejected. Neither ever becomes, or overwrites, a node price, whatever order the SKUs come in;
//! * the engine comes from `cacheEngine` and must agree with `operation`
//!   (`CreateCacheCluster:0001` Memcached, `:0002` Redis OSS, `:Valkey` Valkey); the three
//!   engines share one usagetype;
//! * two different prices for one (node type, engine, term) are an error, never a guess;
//! * on-demand: the product's one `OnDemand` term, its `Hrs` dimension. Reserved: each standard
//!   `Reserved` term (1yr or 3yr; No, Partial or All Upfront): its `Hrs` rate and its `Quantity`
//!   "Upfront Fee". A term filed under `OnDemand` that carries a lease is not an on-demand price;
//! * Serverless: `CachedData:<Engine>` $/GB-hour and `ElastiCacheProcessingUnits:<Engine>` per
//!   single ECPU (× 1,000,000 for $/million);
//! * snapshot storage: `Storage Snapshot` and Serverless `BackupUsage:<Engine>` $/GB-month, kept
//!   only when every such SKU gives the same single rate;
//! * what the Price List does not give is derived as the embedded cache derives it and labelled
//!   `derived`: Valkey on demand = round(0.8 × Redis OSS, 4), Memcached = Redis OSS, a Valkey
//!   reserved offer = 0.8 × the Redis OSS offer (hourly rounded to 4 places), Extended Support =
//!   round(0.8 or 1.6 × Redis OSS, 3); the minimum metered Serverless storage (not in the Price
//!   List) is carried over from the embedded prices;
//! * node types the catalog does not hold are skipped (counted).

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use super::SourceError;
use super::offline::SCHEMA_VERSION;
use crate::model::catalog::{Catalog, Engine, NodeId};
use crate::model::price::{Payment, PriceBook, PriceKind, RegionPrices, TermLength};

/// The Price List's service code for ElastiCache.
pub const SERVICE_CODE: &str = "AmazonElastiCache";
/// Source id of prices read through the Price List Query API (`GetProducts`).
pub const API_SOURCE: &str = "aws-price-list";
/// Source id of prices read from the public bulk offer files.
pub const BULK_SOURCE: &str = "aws-price-list-bulk";

/// One price dimension of a term.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceDimension {
    /// `<sku>.<offer term>.<dimension>`.
    pub rate_code: String,
    /// `Hrs`, `Quantity`, `GB-Mo`, `GB-Hours`, `ECPU`…
    pub unit: String,
    /// The Price List's words (`Upfront Fee`, `$0.204 per …`).
    pub description: String,
    /// USD per unit, when the dimension is priced in USD.
    pub usd: Option<Decimal>,
}

/// One offer term of a product (on-demand or reserved).
#[derive(Clone, Debug, PartialEq)]
pub struct OfferTerm {
    /// `JRTCKXETXF` (on-demand), `HU7G6KETJZ`…
    pub code: String,
    /// `LeaseContractLength`, `PurchaseOption`, `OfferingClass`.
    pub attributes: BTreeMap<String, String>,
    /// Its price dimensions.
    pub dimensions: Vec<PriceDimension>,
}

/// One Price List product with its terms.
#[derive(Clone, Debug, PartialEq)]
pub struct Product {
    /// Stock keeping unit, the product's id.
    pub sku: String,
    /// `Cache Instance`, `ElastiCache Serverless`, `Storage Snapshot`…
    pub family: String,
    /// Every attribute, as text.
    pub attributes: BTreeMap<String, String>,
    /// `terms.OnDemand`.
    pub on_demand: Vec<OfferTerm>,
    /// `terms.Reserved`.
    pub reserved: Vec<OfferTerm>,
    /// The offer's publication time (`2025-06-24T13:06:39Z`).
    pub published: Option<String>,
    /// The offer version (`20250624130639`).
    pub version: Option<String>,
}

impl Product {
    fn attr(&self, name: &str) -> &str {
        self.attributes.get(name).map_or("", String::as_str)
    }
}

#[derive(Deserialize)]
struct ItemDoc {
    product: ProductDoc,
    #[serde(default)]
    terms: ItemTermsDoc,
    #[serde(rename = "publicationDate")]
    publication_date: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
struct ProductDoc {
    sku: String,
    #[serde(rename = "productFamily")]
    product_family: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, serde_json::Value>,
}

#[derive(Default, Deserialize)]
struct ItemTermsDoc {
    #[serde(rename = "OnDemand", default)]
    on_demand: BTreeMap<String, TermDoc>,
    #[serde(rename = "Reserved", default)]
    reserved: BTreeMap<String, TermDoc>,
}

#[derive(Deserialize)]
struct TermDoc {
    #[serde(rename = "offerTermCode", default)]
    offer_term_code: String,
    #[serde(rename = "priceDimensions", default)]
    price_dimensions: BTreeMap<String, DimensionDoc>,
    #[serde(rename = "termAttributes", default)]
    term_attributes: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct DimensionDoc {
    #[serde(rename = "rateCode", default)]
    rate_code: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    description: String,
    #[serde(rename = "pricePerUnit", default)]
    price_per_unit: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct OfferDoc {
    #[serde(rename = "offerCode")]
    offer_code: Option<String>,
    version: Option<String>,
    #[serde(rename = "publicationDate")]
    publication_date: Option<String>,
    #[serde(default)]
    products: BTreeMap<String, ProductDoc>,
    #[serde(default)]
    terms: OfferTermsDoc,
}

#[derive(Default, Deserialize)]
struct OfferTermsDoc {
    #[serde(rename = "OnDemand", default)]
    on_demand: BTreeMap<String, BTreeMap<String, TermDoc>>,
    #[serde(rename = "Reserved", default)]
    reserved: BTreeMap<String, BTreeMap<String, TermDoc>>,
}

fn text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn texts(map: &BTreeMap<String, serde_json::Value>) -> BTreeMap<String, String> {
    map.iter().map(|(k, v)| (k.clone(), text(v))).collect()
}

fn term(doc: &TermDoc) -> Result<OfferTerm, String> {
    let mut dimensions = Vec::with_capacity(doc.price_dimensions.len());
    for d in doc.price_dimensions.values() {
        let usd = match d.price_per_unit.get("USD") {
            Some(v) => {
                let t = text(v);
                Some(Decimal::from_str(&t).map_err(|e| format!("rate {}: '{t}' is not a decimal ({e})", d.rate_code))?)
            }
            None => None,
        };
        dimensions.push(PriceDimension {
            rate_code: d.rate_code.clone(),
            unit: d.unit.clone(),
            description: d.description.clone(),
            usd,
        });
    }
    Ok(OfferTerm { code: doc.offer_term_code.clone(), attributes: texts(&doc.term_attributes), dimensions })
}

fn product(doc: &ProductDoc, on_demand: Vec<OfferTerm>, reserved: Vec<OfferTerm>) -> Product {
    Product {
        sku: doc.sku.clone(),
        family: doc.product_family.clone().unwrap_or_default(),
        attributes: texts(&doc.attributes),
        on_demand,
        reserved,
        published: None,
        version: None,
    }
}

/// Parse one element of a `GetProducts` answer's `PriceList` (a JSON document as a string,
/// `FormatVersion` `aws_v1`).
pub fn parse_get_products_item(text: &str) -> Result<Product, SourceError> {
    let fail = |message: String| SourceError::PriceList { what: "a GetProducts price list item".into(), message };
    let doc: ItemDoc = serde_json::from_str(text).map_err(|e| fail(format!("not a Price List product: {e}")))?;
    let on_demand = doc.terms.on_demand.values().map(term).collect::<Result<Vec<_>, _>>().map_err(fail)?;
    let reserved = doc.terms.reserved.values().map(term).collect::<Result<Vec<_>, _>>().map_err(fail)?;
    let mut p = product(&doc.product, on_demand, reserved);
    p.published = doc.publication_date;
    p.version = doc.version;
    Ok(p)
}

/// A bulk offer file (`…/AmazonElastiCache/<version>/<region>/index.json`) read whole.
#[derive(Clone, Debug, PartialEq)]
pub struct OfferFile {
    /// Offer version.
    pub version: Option<String>,
    /// Publication time.
    pub published: Option<String>,
    /// Every product with its terms.
    pub products: Vec<Product>,
}

/// Parse a bulk offer file of ElastiCache. `what` names it in errors (its URL).
pub fn parse_offer_file(bytes: &[u8], what: &str) -> Result<OfferFile, SourceError> {
    let fail = |message: String| SourceError::PriceList { what: what.to_string(), message };
    let doc: OfferDoc = serde_json::from_slice(bytes).map_err(|e| fail(format!("not a Price List offer file: {e}")))?;
    if let Some(code) = &doc.offer_code
        && code != SERVICE_CODE
    {
        return Err(fail(format!("the offer is '{code}', not '{SERVICE_CODE}'")));
    }
    let terms_of = |all: &BTreeMap<String, BTreeMap<String, TermDoc>>, sku: &str| -> Result<Vec<OfferTerm>, String> {
        all.get(sku).map_or_else(|| Ok(Vec::new()), |terms| terms.values().map(term).collect())
    };
    let mut products = Vec::with_capacity(doc.products.len());
    for (sku, p) in &doc.products {
        let on_demand = terms_of(&doc.terms.on_demand, sku).map_err(fail)?;
        let reserved = terms_of(&doc.terms.reserved, sku).map_err(fail)?;
        let mut item = product(p, on_demand, reserved);
        item.published.clone_from(&doc.publication_date);
        item.version.clone_from(&doc.version);
        products.push(item);
    }
    Ok(OfferFile { version: doc.version, published: doc.publication_date, products })
}

/// The usagetype without its region prefix: `EU-NodeUsage:cache.r7g.large` →
/// `NodeUsage:cache.r7g.large`; us-east-1's carry none. A prefix is upper-case letters and digits
/// (`USW2`, `APS3`, `EU`); the meters themselves are mixed case.
pub fn usage_without_region(usagetype: &str) -> &str {
    match usagetype.split_once('-') {
        Some((prefix, rest))
            if !prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) =>
        {
            rest
        }
        _ => usagetype,
    }
}

fn engine_by_name(name: &str) -> Option<Engine> {
    match name {
        "Valkey" => Some(Engine::Valkey),
        "Redis" => Some(Engine::Redis),
        "Memcached" => Some(Engine::Memcached),
        _ => None,
    }
}

/// The engine of a product: `cacheEngine`, which must agree with `operation` when both say.
fn engine_of(p: &Product) -> Result<Engine, String> {
    let named = p.attributes.get("cacheEngine").map(|n| engine_by_name(n).ok_or_else(|| n.clone()));
    let by_operation = match p.attr("operation").rsplit_once(':').map(|(_, code)| code) {
        Some("0001") => Some(Engine::Memcached),
        Some("0002") => Some(Engine::Redis),
        Some("Valkey") => Some(Engine::Valkey),
        _ => None,
    };
    match (named, by_operation) {
        (Some(Err(name)), _) => Err(format!("unknown cacheEngine '{name}'")),
        (Some(Ok(a)), Some(b)) if a != b => {
            Err(format!("cacheEngine says {} but operation '{}' says {}", a.label(), p.attr("operation"), b.label()))
        }
        (Some(Ok(a)), _) => Ok(a),
        (None, Some(b)) => Ok(b),
        (None, None) => Err("no cacheEngine and no engine in the operation".to_string()),
    }
}

/// Where the products came from: the source id every record cites (`aws-price-list` or
/// `aws-price-list-bulk`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    /// [`API_SOURCE`] or [`BULK_SOURCE`].
    pub source_id: &'static str,
}

/// A rate the Price List does not give, carried into the chunk as given (the minimum metered
/// Serverless storage).
#[derive(Clone, Debug, PartialEq)]
pub struct CarriedRate {
    /// The value.
    pub value: Decimal,
    /// Its kind.
    pub kind: PriceKind,
    /// Its source id (must be in the book's sources).
    pub source: String,
    /// Its date.
    pub as_of: String,
    /// Its note.
    pub note: Option<String>,
}

/// What normalization needs besides the products: the catalog, and the rules' inputs that come
/// from the embedded cache.
pub struct Defaults<'a> {
    /// Node types priced (others are skipped).
    pub catalog: &'a Catalog,
    /// Minimum metered Serverless storage per engine.
    pub min_storage: BTreeMap<Engine, CarriedRate>,
    /// The source id of the Extended Support rule, if the book has it (`ES_rule`): without it
    /// no Extended Support rate is derived.
    pub extended_support_rule: Option<String>,
}

impl<'a> Defaults<'a> {
    /// What normalization takes from `book` (the embedded cache) for `region`: its catalog, the
    /// region's minimum metered Serverless storage (us-east-1's, labelled derived, for a region
    /// the book does not cover) and the Extended Support rule's source.
    pub fn from_book(book: &'a PriceBook, region: &str) -> Self {
        let carried = |prices: &RegionPrices, derived: bool| -> BTreeMap<Engine, CarriedRate> {
            prices
                .serverless
                .iter()
                .map(|(engine, r)| {
                    let p = &r.min_storage_gb.source;
                    let rate = CarriedRate {
                        value: r.min_storage_gb.gb,
                        kind: if derived { PriceKind::Derived } else { p.kind },
                        source: p.source_id.clone(),
                        as_of: p.date.clone(),
                        note: if derived {
                            Some("minimum metered storage is a product rule stated without region".into())
                        } else {
                            p.note.clone()
                        },
                    };
                    (*engine, rate)
                })
                .collect()
        };
        let min_storage = match book.region(region) {
            Some(prices) => carried(prices, false),
            None => book.region("us-east-1").map(|p| carried(p, true)).unwrap_or_default(),
        };
        Defaults {
            catalog: &book.catalog,
            min_storage,
            extended_support_rule: book
                .sources
                .contains_key(EXTENDED_SUPPORT_RULE)
                .then(|| EXTENDED_SUPPORT_RULE.to_string()),
        }
    }
}

/// The embedded cache's source id for the Extended Support rule.
pub const EXTENDED_SUPPORT_RULE: &str = "ES_rule";

/// Counts of what a normalization kept, derived, skipped and rejected.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NormalizeStats {
    /// Products read.
    pub products: usize,
    /// On-demand node prices written (derived ones included).
    pub node_prices: usize,
    /// Reserved offers written (derived ones included).
    pub reserved: usize,
    /// Engines with Serverless rates.
    pub serverless_engines: usize,
    /// Extended Support rates written (derived ones included).
    pub extended_support: usize,
    /// Extended Support rates read from Price List rows.
    pub extended_support_rows: usize,
    /// Records derived by a rule (the Price List did not give them).
    pub derived: usize,
    /// Products that are not prices capplan uses, by reason (`SyncDurability`, Outposts…).
    pub rejected: BTreeMap<String, usize>,
    /// Node types in the Price List that the catalog does not model.
    pub skipped_node_types: BTreeSet<String>,
    /// Notes (a snapshot rate left out, …).
    pub notes: Vec<String>,
}

impl NormalizeStats {
    fn reject(&mut self, why: &str) {
        *self.rejected.entry(why.to_string()).or_default() += 1;
    }

    /// Products rejected, all reasons together.
    pub fn rejected_total(&self) -> usize {
        self.rejected.values().sum()
    }
}

/// Reasons a product is rejected (keys of [`NormalizeStats::rejected`]).
pub mod reject {
    /// `SyncDurability-NodeUsage`: the durable Valkey add-on, billed on top of the node.
    pub const SYNC_DURABILITY: &str = "SyncDurability add-on";
    /// Outposts, Local Zones, Wavelength: `locationType` is not "AWS Region".
    pub const NOT_A_REGION: &str = "not in an AWS Region (Outposts, Local Zone…)";
    /// Another region's product.
    pub const OTHER_REGION: &str = "another region";
    /// A `Cache Instance` meter that is not the plain node price nor Extended Support.
    pub const OTHER_NODE_METER: &str = "another node meter";
    /// Extended Support for an engine other than Redis OSS.
    pub const OTHER_SUPPORT: &str = "Extended Support of another engine";
    /// A Serverless meter other than storage, ECPU and backup.
    pub const OTHER_SERVERLESS: &str = "another Serverless meter";
    /// The engine cannot be told or its attributes disagree.
    pub const ENGINE_UNCLEAR: &str = "engine unclear";
    /// Not a product family capplan prices (data transfer…).
    pub const OTHER_FAMILY: &str = "another product family";
    /// A term that is not a usable on-demand or standard reserved price.
    pub const ODD_TERM: &str = "a term that is not an on-demand or standard reserved price";
}

/// One region normalized: the chunk to write and what went into it.
#[derive(Clone, Debug, PartialEq)]
pub struct Normalized {
    /// The cache chunk (serialize with [`Chunk::to_json`]).
    pub chunk: Chunk,
    /// The newest publication date of the products read.
    pub as_of: NaiveDate,
    /// Publication time as the Price List states it.
    pub published: String,
    /// Offer version, when stated.
    pub version: Option<String>,
    /// Counts.
    pub stats: NormalizeStats,
}

/// A region chunk of the pricing cache (schema version [`SCHEMA_VERSION`]), as written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Chunk {
    schema_version: u32,
    region: String,
    node_prices: Vec<NodePriceRec>,
    reserved: Vec<ReservedRec>,
    serverless: Vec<ServerlessRec>,
    backup: Option<BackupRec>,
    extended_support: Vec<SupportRec>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
struct NodePriceRec {
    node_type: String,
    engine: Engine,
    usd_per_hour: String,
    kind: PriceKind,
    source: String,
    as_of: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
struct ValueRec {
    value: String,
    kind: PriceKind,
    source: String,
    as_of: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
struct ServerlessRec {
    engine: Engine,
    storage_usd_per_gb_hour: ValueRec,
    ecpu_usd_per_million: ValueRec,
    min_storage_gb: ValueRec,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
struct BackupRec {
    usd_per_gb_month: String,
    kind: PriceKind,
    source: String,
    as_of: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
struct SupportRec {
    node_type: String,
    period: String,
    usd_per_hour: String,
    kind: PriceKind,
    source: String,
    as_of: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl Chunk {
    /// The region it holds.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Readable, diffable JSON: one record per line, as the embedded chunks are written.
    pub fn to_json(&self) -> String {
        fn one<T: Serialize>(value: &T) -> String {
            // these records are plain strings, numbers and enums: serializing cannot fail
            serde_json::to_string(value).unwrap_or_default()
        }
        fn list<T: Serialize>(items: &[T]) -> String {
            if items.is_empty() {
                return "[]".to_string();
            }
            let inner: Vec<String> = items.iter().map(|i| format!("  {}", one(i))).collect();
            format!("[\n{}\n ]", inner.join(",\n"))
        }
        format!(
            "{{\n \"schema_version\": {},\n \"region\": {},\n \"node_prices\": {},\n \"reserved\": {},\n \"serverless\": {},\n \"backup\": {},\n \"extended_support\": {}\n}}\n",
            self.schema_version,
            one(&self.region),
            list(&self.node_prices),
            list(&self.reserved),
            list(&self.serverless),
            one(&self.backup),
            list(&self.extended_support),
        )
    }
}

/// `0.2040000000` → `0.204`; never an exponent.
fn money(value: Decimal) -> String {
    value.normalize().to_string()
}

fn round_half_up(value: Decimal, places: u32) -> Decimal {
    value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

/// `2025-06-24T13:06:39Z` → 2025-06-24.
fn day_of(published: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(published.get(..10)?, "%Y-%m-%d").ok()
}

/// A plain on-demand price with the SKU and rate code it came from.
struct Seen {
    usd: Decimal,
    sku: String,
    rate_code: String,
    as_of: String,
}

struct Offer {
    upfront: Decimal,
    hourly: Decimal,
    sku: String,
    term_code: String,
    as_of: String,
}

/// The single `Hrs` price of an on-demand term list, if the product has exactly one usable
/// on-demand term. A term under `OnDemand` that carries a lease is a mis-filed reserved term:
/// never an on-demand price.
fn on_demand_rate(p: &Product, unit_ok: impl Fn(&str) -> bool) -> Result<Option<&PriceDimension>, ()> {
    let usable: Vec<&OfferTerm> =
        p.on_demand.iter().filter(|t| !t.attributes.contains_key("LeaseContractLength")).collect();
    if usable.len() != p.on_demand.len() || usable.len() > 1 {
        return Err(());
    }
    let Some(term) = usable.first() else { return Ok(None) };
    let dims: Vec<&PriceDimension> = term.dimensions.iter().filter(|d| unit_ok(&d.unit)).collect();
    match (dims.as_slice(), term.dimensions.len()) {
        ([one], 1) if one.usd.is_some() => Ok(Some(one)),
        _ => Err(()),
    }
}

fn length_of(text: &str) -> Option<TermLength> {
    match text.replace(' ', "").as_str() {
        "1yr" => Some(TermLength::OneYear),
        "3yr" => Some(TermLength::ThreeYears),
        _ => None,
    }
}

fn payment_of(text: &str) -> Option<Payment> {
    match text {
        "No Upfront" => Some(Payment::NoUpfront),
        "Partial Upfront" => Some(Payment::PartialUpfront),
        "All Upfront" => Some(Payment::AllUpfront),
        _ => None,
    }
}

/// A standard reserved term: (length, payment, upfront, hourly), or `None` when it is not one
/// capplan models (legacy utilization offers, convertible, malformed).
fn reserved_offer(t: &OfferTerm) -> Option<(TermLength, Payment, Decimal, Decimal)> {
    let length = length_of(t.attributes.get("LeaseContractLength")?)?;
    let payment = payment_of(t.attributes.get("PurchaseOption")?)?;
    if t.attributes.get("OfferingClass").is_some_and(|c| c != "standard") {
        return None;
    }
    let mut hourly = None;
    let mut upfront = None;
    for d in &t.dimensions {
        let usd = d.usd?;
        match d.unit.as_str() {
            "Hrs" if hourly.is_none() => hourly = Some(usd),
            "Quantity" if upfront.is_none() => upfront = Some(usd),
            _ => return None,
        }
    }
    let (upfront, hourly) = match (payment, upfront, hourly) {
        (Payment::NoUpfront, None, Some(h)) => (Decimal::ZERO, h),
        (Payment::AllUpfront, Some(u), None) => (u, Decimal::ZERO),
        (_, Some(u), Some(h)) => (u, h),
        _ => return None,
    };
    if upfront.is_sign_negative() || hourly.is_sign_negative() {
        return None;
    }
    match payment {
        Payment::NoUpfront if !upfront.is_zero() => None,
        Payment::AllUpfront if upfront.is_zero() || !hourly.is_zero() => None,
        Payment::PartialUpfront if upfront.is_zero() || hourly.is_zero() => None,
        _ => Some((length, payment, upfront, hourly)),
    }
}

/// The products of one region, resolved to what the chunk holds.
#[derive(Default)]
struct Gathered {
    on_demand: BTreeMap<(NodeId, Engine), Seen>,
    reserved: BTreeMap<(NodeId, Engine, TermLength, Payment), Offer>,
    support: BTreeMap<(NodeId, &'static str), Seen>,
    storage: BTreeMap<Engine, Seen>,
    ecpu: BTreeMap<Engine, Seen>,
    snapshots: Vec<Seen>,
}

fn conflict(what: &str, a: &Seen, b: &Seen) -> SourceError {
    SourceError::PriceList {
        what: what.to_string(),
        message: format!(
            "two different prices: {} (SKU {}) and {} (SKU {}); capplan will not guess which is the node price",
            money(a.usd),
            a.sku,
            money(b.usd),
            b.sku
        ),
    }
}

fn keep<K: Ord>(
    map: &mut BTreeMap<K, Seen>,
    key: K,
    seen: Seen,
    what: impl FnOnce() -> String,
) -> Result<(), SourceError> {
    match map.get(&key) {
        Some(old) if old.usd != seen.usd => Err(conflict(&what(), old, &seen)),
        Some(_) => Ok(()),
        None => {
            map.insert(key, seen);
            Ok(())
        }
    }
}

/// Normalize one region's products into a cache chunk. Pure. `Ok(None)` when the products hold
/// no node price for the region (a region without ElastiCache); an error when the Price List
/// gives two prices for one thing or a product cannot be dated.
pub fn normalize(
    region: &str,
    products: &[Product],
    defaults: &Defaults<'_>,
    origin: Origin,
) -> Result<Option<Normalized>, SourceError> {
    let fail = |message: String| SourceError::PriceList { what: format!("ElastiCache prices in '{region}'"), message };
    let mut stats = NormalizeStats { products: products.len(), ..NormalizeStats::default() };
    let mut g = Gathered::default();
    let mut newest: Option<(NaiveDate, String)> = None;
    let mut version = None;
    for p in products {
        if p.attr("locationType") != "AWS Region" {
            stats.reject(reject::NOT_A_REGION);
            continue;
        }
        if p.attr("regionCode") != region {
            stats.reject(reject::OTHER_REGION);
            continue;
        }
        let Some(published) = p.published.as_deref() else {
            return Err(fail(format!("product {} has no publication date", p.sku)));
        };
        let Some(day) = day_of(published) else {
            return Err(fail(format!("product {}: publication date '{published}' is not a date", p.sku)));
        };
        if newest.as_ref().is_none_or(|(d, _)| day > *d) {
            newest = Some((day, published.to_string()));
            version.clone_from(&p.version);
        }
        let as_of = day.to_string();
        match p.family.as_str() {
            "Cache Instance" => node_product(p, &as_of, defaults.catalog, &mut g, &mut stats)?,
            "ElastiCache Serverless" => serverless_product(p, &as_of, &mut g, &mut stats)?,
            "Storage Snapshot" => match on_demand_rate(p, |u| u == "GB-Mo") {
                Ok(Some(d)) => g.snapshots.push(Seen {
                    usd: d.usd.unwrap_or_default(),
                    sku: p.sku.clone(),
                    rate_code: d.rate_code.clone(),
                    as_of,
                }),
                Ok(None) | Err(()) => stats.reject(reject::ODD_TERM),
            },
            _ => stats.reject(reject::OTHER_FAMILY),
        }
    }
    let Some((as_of, published)) = newest else { return Ok(None) };
    if g.on_demand.is_empty() {
        return Ok(None);
    }
    let chunk = build_chunk(region, &g, defaults, origin, &mut stats);
    Ok(Some(Normalized { chunk, as_of, published, version, stats }))
}

fn node_product(
    p: &Product,
    as_of: &str,
    catalog: &Catalog,
    g: &mut Gathered,
    stats: &mut NormalizeStats,
) -> Result<(), SourceError> {
    let instance = p.attr("instanceType");
    let usage = usage_without_region(p.attr("usagetype"));
    let period = if usage == format!("NodeUsage:{instance}") {
        None
    } else if usage == format!("ExtendedSupportYr1_Yr2-NodeUsage:{instance}") {
        Some("yr1-2")
    } else if usage == format!("ExtendedSupportYr3-NodeUsage:{instance}") {
        Some("yr3")
    } else {
        stats.reject(if usage.contains("SyncDurability") { reject::SYNC_DURABILITY } else { reject::OTHER_NODE_METER });
        return Ok(());
    };
    let Ok(engine) = engine_of(p) else {
        stats.reject(reject::ENGINE_UNCLEAR);
        return Ok(());
    };
    let Some(node) = catalog.find(instance) else {
        stats.skipped_node_types.insert(instance.to_string());
        return Ok(());
    };
    if let Some(period) = period {
        if engine != Engine::Redis {
            stats.reject(reject::OTHER_SUPPORT);
            return Ok(());
        }
        let Ok(Some(d)) = on_demand_rate(p, |u| u == "Hrs") else {
            stats.reject(reject::ODD_TERM);
            return Ok(());
        };
        let seen = Seen {
            usd: d.usd.unwrap_or_default(),
            sku: p.sku.clone(),
            rate_code: d.rate_code.clone(),
            as_of: as_of.into(),
        };
        stats.extended_support_rows += 1;
        return keep(&mut g.support, (node, period), seen, || format!("Extended Support {period} for {instance}"));
    }
    match on_demand_rate(p, |u| u == "Hrs") {
        Ok(Some(d)) => {
            let usd = d.usd.unwrap_or_default();
            if usd <= Decimal::ZERO {
                stats.reject(reject::ODD_TERM);
            } else {
                let seen = Seen { usd, sku: p.sku.clone(), rate_code: d.rate_code.clone(), as_of: as_of.into() };
                keep(&mut g.on_demand, (node, engine), seen, || format!("{instance} {} on-demand", engine.id()))?;
            }
        }
        Ok(None) => {}
        Err(()) => stats.reject(reject::ODD_TERM),
    }
    for t in &p.reserved {
        let Some((length, payment, upfront, hourly)) = reserved_offer(t) else {
            stats.reject(reject::ODD_TERM);
            continue;
        };
        let offer = Offer { upfront, hourly, sku: p.sku.clone(), term_code: t.code.clone(), as_of: as_of.into() };
        let key = (node, engine, length, payment);
        match g.reserved.get(&key) {
            Some(old) if (old.upfront, old.hourly) != (upfront, hourly) => {
                return Err(SourceError::PriceList {
                    what: format!("{instance} {} reserved {} {}", engine.id(), length.id(), payment.id()),
                    message: format!(
                        "two different offers: upfront {} + {}/h (SKU {}) and upfront {} + {}/h (SKU {}); capplan will not guess",
                        money(old.upfront),
                        money(old.hourly),
                        old.sku,
                        money(upfront),
                        money(hourly),
                        p.sku
                    ),
                });
            }
            Some(_) => {}
            None => {
                g.reserved.insert(key, offer);
            }
        }
    }
    Ok(())
}

fn serverless_product(
    p: &Product,
    as_of: &str,
    g: &mut Gathered,
    stats: &mut NormalizeStats,
) -> Result<(), SourceError> {
    let usage = usage_without_region(p.attr("usagetype"));
    let Some((meter, suffix)) = usage.split_once(':') else {
        stats.reject(reject::OTHER_SERVERLESS);
        return Ok(());
    };
    let engine = match (p.attributes.get("cacheEngine").map(|n| engine_by_name(n)), engine_by_name(suffix)) {
        (Some(Some(a)), Some(b)) if a != b => None,
        (Some(Some(a)), _) => Some(a),
        (None, b) => b,
        (Some(None), _) => None,
    };
    let Some(engine) = engine else {
        stats.reject(reject::ENGINE_UNCLEAR);
        return Ok(());
    };
    let Ok(Some(d)) = on_demand_rate(p, |_| true) else {
        stats.reject(reject::ODD_TERM);
        return Ok(());
    };
    let seen = Seen {
        usd: d.usd.unwrap_or_default(),
        sku: p.sku.clone(),
        rate_code: d.rate_code.clone(),
        as_of: as_of.into(),
    };
    match meter {
        "CachedData" => keep(&mut g.storage, engine, seen, || format!("Serverless {} storage", engine.id())),
        "ElastiCacheProcessingUnits" => keep(&mut g.ecpu, engine, seen, || format!("Serverless {} ECPU", engine.id())),
        "BackupUsage" => {
            g.snapshots.push(seen);
            Ok(())
        }
        _ => {
            stats.reject(reject::OTHER_SERVERLESS);
            Ok(())
        }
    }
}

fn build_chunk(
    region: &str,
    g: &Gathered,
    defaults: &Defaults<'_>,
    origin: Origin,
    stats: &mut NormalizeStats,
) -> Chunk {
    let catalog = defaults.catalog;
    let name = |id: NodeId| catalog.node(id).name.clone();
    let listed = |seen: &Seen, note: String| {
        (PriceKind::AwsPriceList, origin.source_id.to_string(), seen.as_of.clone(), Some(note))
    };

    // on demand, then what is derived from Redis OSS
    let mut node_prices = Vec::new();
    let mut derived_od: Vec<(NodeId, Engine, Decimal, String, String)> = Vec::new();
    for (&(node, engine), seen) in &g.on_demand {
        let (kind, source, as_of, note) = listed(seen, format!("Price List rate code {}", seen.rate_code));
        node_prices.push(NodePriceRec {
            node_type: name(node),
            engine,
            usd_per_hour: money(seen.usd),
            kind,
            source,
            as_of,
            note,
        });
        if engine == Engine::Redis {
            let spec = catalog.node(node);
            let redis = seen.usd;
            if spec.supports(Engine::Valkey) && !g.on_demand.contains_key(&(node, Engine::Valkey)) {
                derived_od.push((
                    node,
                    Engine::Valkey,
                    round_half_up(Decimal::new(8, 1) * redis, 4),
                    seen.as_of.clone(),
                    format!(
                        "derived: Valkey = round(0.8 x Redis OSS {}, 4); the Price List has no Valkey row",
                        money(redis)
                    ),
                ));
            }
            if spec.supports(Engine::Memcached) && !g.on_demand.contains_key(&(node, Engine::Memcached)) {
                derived_od.push((
                    node,
                    Engine::Memcached,
                    redis,
                    seen.as_of.clone(),
                    "derived: Memcached node price = Redis OSS node price; the Price List has no Memcached row".into(),
                ));
            }
        }
    }
    for (node, engine, usd, as_of, note) in derived_od {
        node_prices.push(NodePriceRec {
            node_type: name(node),
            engine,
            usd_per_hour: money(usd),
            kind: PriceKind::Derived,
            source: origin.source_id.to_string(),
            as_of,
            note: Some(note),
        });
        stats.derived += 1;
    }
    node_prices.sort_by(|a, b| (&a.node_type, a.engine.id()).cmp(&(&b.node_type, b.engine.id())));

    // reserved, then Valkey offers derived from Redis OSS's
    let mut reserved = Vec::new();
    for (&(node, engine, term, payment), o) in &g.reserved {
        reserved.push(ReservedRec {
            node_type: name(node),
            engine,
            term,
            payment,
            upfront_usd: Some(money(o.upfront)),
            hourly_usd: Some(money(o.hourly)),
            effective_hourly_usd: None,
            kind: PriceKind::AwsPriceList,
            source: origin.source_id.to_string(),
            as_of: o.as_of.clone(),
            note: Some(format!("Price List offer {}.{}", o.sku, o.term_code)),
        });
        if engine == Engine::Redis
            && catalog.node(node).supports(Engine::Valkey)
            && !g.reserved.contains_key(&(node, Engine::Valkey, term, payment))
        {
            let scale = Decimal::new(8, 1);
            reserved.push(ReservedRec {
                node_type: name(node),
                engine: Engine::Valkey,
                term,
                payment,
                upfront_usd: Some(money(scale * o.upfront)),
                hourly_usd: Some(money(round_half_up(scale * o.hourly, 4))),
                effective_hourly_usd: None,
                kind: PriceKind::Derived,
                source: origin.source_id.to_string(),
                as_of: o.as_of.clone(),
                note: Some(format!(
                    "derived: Valkey offer = 0.8 x the Redis OSS offer {}.{}; the Price List has no Valkey offer",
                    o.sku, o.term_code
                )),
            });
            stats.derived += 1;
        }
    }
    reserved.sort_by(|a, b| {
        (&a.node_type, a.engine.id(), a.term.id(), a.payment.id()).cmp(&(
            &b.node_type,
            b.engine.id(),
            b.term.id(),
            b.payment.id(),
        ))
    });

    // Serverless: storage and ECPU both known, with the minimum carried over
    let mut serverless = Vec::new();
    for engine in Engine::ALL {
        let (Some(storage), Some(ecpu)) = (g.storage.get(&engine), g.ecpu.get(&engine)) else { continue };
        let Some(min) = defaults.min_storage.get(&engine) else {
            stats.notes.push(format!("Serverless {} left out: no minimum metered storage known", engine.label()));
            continue;
        };
        let value = |seen: &Seen, value: Decimal, note: String| ValueRec {
            value: money(value),
            kind: PriceKind::AwsPriceList,
            source: origin.source_id.to_string(),
            as_of: seen.as_of.clone(),
            note: Some(note),
        };
        serverless.push(ServerlessRec {
            engine,
            storage_usd_per_gb_hour: value(storage, storage.usd, format!("Price List rate code {}", storage.rate_code)),
            ecpu_usd_per_million: value(
                ecpu,
                ecpu.usd * Decimal::from(1_000_000),
                format!("Price List rate code {} ({} per ECPU x 1,000,000)", ecpu.rate_code, money(ecpu.usd)),
            ),
            min_storage_gb: ValueRec {
                value: money(min.value),
                kind: min.kind,
                source: min.source.clone(),
                as_of: min.as_of.clone(),
                note: min.note.clone(),
            },
        });
    }

    // snapshot storage: one rate that every snapshot SKU agrees on
    let backup = match g.snapshots.first() {
        Some(first) if g.snapshots.iter().all(|s| s.usd == first.usd) => Some(BackupRec {
            usd_per_gb_month: money(first.usd),
            kind: PriceKind::AwsPriceList,
            source: origin.source_id.to_string(),
            as_of: first.as_of.clone(),
            note: Some(format!(
                "Price List rate code {}{}",
                first.rate_code,
                if g.snapshots.len() > 1 {
                    format!(" (and {} more snapshot SKUs, same rate)", g.snapshots.len() - 1)
                } else {
                    String::new()
                }
            )),
        }),
        Some(_) => {
            let rates: BTreeSet<String> = g.snapshots.iter().map(|s| money(s.usd)).collect();
            stats.notes.push(format!(
                "snapshot storage left to the default rate: the Price List's snapshot SKUs disagree ({})",
                rates.into_iter().collect::<Vec<_>>().join(", ")
            ));
            None
        }
        None => None,
    };

    // Extended Support: Price List rows, else the rule on the Redis OSS node price
    let mut extended_support = Vec::new();
    for (&(node, period), seen) in &g.support {
        extended_support.push(SupportRec {
            node_type: name(node),
            period: period.to_string(),
            usd_per_hour: money(seen.usd),
            kind: PriceKind::AwsPriceList,
            source: origin.source_id.to_string(),
            as_of: seen.as_of.clone(),
            note: Some(format!("Price List rate code {}", seen.rate_code)),
        });
    }
    if let Some(rule) = &defaults.extended_support_rule {
        for (&(node, engine), seen) in &g.on_demand {
            if engine != Engine::Redis {
                continue;
            }
            for (period, factor) in [("yr1-2", Decimal::new(8, 1)), ("yr3", Decimal::new(16, 1))] {
                if g.support.contains_key(&(node, period)) {
                    continue;
                }
                extended_support.push(SupportRec {
                    node_type: name(node),
                    period: period.to_string(),
                    usd_per_hour: money(round_half_up(factor * seen.usd, 3)),
                    kind: PriceKind::Derived,
                    source: rule.clone(),
                    as_of: seen.as_of.clone(),
                    note: Some(format!(
                        "derived: round({factor} x Redis OSS node rate {}, 3); no Extended Support row in the Price List",
                        money(seen.usd)
                    )),
                });
                stats.derived += 1;
            }
        }
    }
    extended_support.sort_by(|a, b| (&a.node_type, &a.period).cmp(&(&b.node_type, &b.period)));

    stats.node_prices = node_prices.len();
    stats.reserved = reserved.len();
    stats.serverless_engines = serverless.len();
    stats.extended_support = extended_support.len();
    Chunk {
        schema_version: SCHEMA_VERSION,
        region: region.to_string(),
        node_prices,
        reserved,
        serverless,
        backup,
        extended_support,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::price::{SupportPeriod, Term, TermLength};
    use crate::source::offline::{embedded, parse_region};
    use rust_decimal_macros::dec;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pricelist/");

    /// The GetProducts answer for cache.r7g.large in eu-west-1 (tests/fixtures/pricelist): the
    /// plain `NodeUsage` SKUs of the three engines after two Extended Support SKUs, a
    /// `SyncDurability` SKU and two Outposts SKUs.
    fn r7g_large_eu_west_1() -> Vec<Product> {
        let text = std::fs::read_to_string(format!("{FIXTURES}getproducts_eu-west-1_cache.r7g.large.json")).unwrap();
        let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
        answer["PriceList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| parse_get_products_item(s.as_str().unwrap()).unwrap())
            .collect()
    }

    fn normalize_eu(products: &[Product]) -> Option<Normalized> {
        let book = embedded().unwrap();
        normalize("eu-west-1", products, &Defaults::from_book(book, "eu-west-1"), Origin { source_id: API_SOURCE })
            .unwrap()
    }

    fn read_back(region: &str, n: &Normalized) -> RegionPrices {
        let book = embedded().unwrap();
        let dir = std::path::Path::new("/nonexistent-capplan-cache");
        let sources = crate::source::prices::sources_with_refresh(book, dir, &BTreeMap::from([(API_SOURCE, n.as_of)]));
        parse_region(region, n.chunk.to_json().as_bytes(), &book.catalog, &sources).unwrap()
    }

    #[test]
    fn the_plain_node_usage_price_wins_over_every_surcharge_and_outposts_sku() {
        let products = r7g_large_eu_west_1();
        assert_eq!(products.len(), 8);
        assert!(
            products[..5]
                .iter()
                .all(|p| p.sku.starts_with("ES") || p.sku.starts_with("OUTPOSTS") || p.sku.starts_with("SYNC"))
        );
        let mut reversed = products.clone();
        reversed.reverse();
        for order in [products, reversed] {
            let n = normalize_eu(&order).unwrap();
            let prices = read_back("eu-west-1", &n);
            let book = embedded().unwrap();
            let id = book.catalog.find("cache.r7g.large").unwrap();
            let usd = |engine| prices.on_demand[&(id, engine)].usd;
            assert_eq!(
                (usd(Engine::Valkey), usd(Engine::Redis), usd(Engine::Memcached)),
                (dec!(0.1944), dec!(0.243), dec!(0.243))
            );
            let valkey = &prices.on_demand[&(id, Engine::Valkey)].source;
            assert_eq!(
                (valkey.kind, valkey.source_id.as_str(), valkey.date.as_str()),
                (PriceKind::AwsPriceList, API_SOURCE, "2026-11-20")
            );
            assert_eq!(valkey.note.as_deref(), Some("Price List rate code P9SVF4HW3JDU3RK3.JRTCKXETXF.6YS6EN2CT7"));
            // the surcharges are Extended Support rates, apart from the node price
            assert_eq!(prices.extended_support[&(id, SupportPeriod::Years1To2)].usd, dec!(0.194));
            assert_eq!(prices.extended_support[&(id, SupportPeriod::Year3)].usd, dec!(0.389));
            assert_eq!(prices.extended_support[&(id, SupportPeriod::Year3)].source.kind, PriceKind::AwsPriceList);
            assert_eq!(n.stats.extended_support_rows, 2);
            assert_eq!(n.stats.rejected.get(reject::SYNC_DURABILITY), Some(&1));
            assert_eq!(n.stats.rejected.get(reject::NOT_A_REGION), Some(&2));
            assert_eq!(n.stats.rejected_total(), 3);
            // six Redis OSS and six Memcached offers from the Price List, Valkey's derived
            let term = Term::Reserved(TermLength::ThreeYears, Payment::AllUpfront);
            let redis = &prices.reserved[&(id, Engine::Redis, term)];
            let valkey = &prices.reserved[&(id, Engine::Valkey, term)];
            assert_eq!(redis.source.kind, PriceKind::AwsPriceList);
            assert_eq!(valkey.source.kind, PriceKind::Derived);
            assert_eq!(valkey.upfront_usd, redis.upfront_usd.map(|u| u * dec!(0.8)));
            assert_eq!(prices.reserved.len(), 18);
        }
    }

    #[test]
    fn a_surcharge_or_outposts_sku_alone_is_never_a_node_price() {
        let plain = |p: &Product| {
            p.attr("locationType") == "AWS Region"
                && usage_without_region(p.attr("usagetype")) == "NodeUsage:cache.r7g.large"
        };
        let decoys: Vec<Product> = r7g_large_eu_west_1().into_iter().filter(|p| !plain(p)).collect();
        assert_eq!(decoys.len(), 5);
        assert!(normalize_eu(&decoys).is_none(), "no plain NodeUsage SKU: no node price at all");
    }

    #[test]
    fn terms_filed_under_on_demand_with_a_lease_are_never_the_on_demand_price() {
        // the verbatim excerpt files its reserved terms under `OnDemand` (a fixture's quirk)
        let bytes =
            std::fs::read(format!("{FIXTURES}pricelist_offer_excerpt_cache.c7gn.large_us-east-1_20250624.json"))
                .unwrap();
        let offer = parse_offer_file(&bytes, "excerpt").unwrap();
        assert_eq!(offer.version.as_deref(), Some("20250624130639"));
        assert_eq!(offer.products.len(), 1);
        let book = embedded().unwrap();
        let defaults = Defaults::from_book(book, "us-east-1");
        let origin = Origin { source_id: BULK_SOURCE };
        assert!(normalize("us-east-1", &offer.products, &defaults, origin).unwrap().is_none());

        // filed where real answers have them: the six offers, upfront fee and hourly rate apart
        let mut p = offer.products[0].clone();
        p.reserved = std::mem::take(&mut p.on_demand);
        let n = normalize("us-east-1", &[p.clone()], &defaults, origin).unwrap();
        assert!(n.is_none(), "reserved offers without an on-demand price are no node price");
        p.on_demand = vec![OfferTerm {
            code: "JRTCKXETXF".into(),
            attributes: BTreeMap::new(),
            dimensions: vec![PriceDimension {
                rate_code: "4D2E7K7G4GPM84WN.JRTCKXETXF.6YS6EN2CT7".into(),
                unit: "Hrs".into(),
                description: "pricing page on-demand rate".into(),
                usd: Some(dec!(0.2040000000)),
            }],
        }];
        let n = normalize("us-east-1", &[p], &defaults, origin).unwrap().unwrap();
        assert_eq!(n.as_of.to_string(), "2025-06-24");
        let prices = read_back("us-east-1", &n);
        let id = book.catalog.find("cache.c7gn.large").unwrap();
        let offer = |length, payment| &prices.reserved[&(id, Engine::Valkey, Term::Reserved(length, payment))];
        let au3 = offer(TermLength::ThreeYears, Payment::AllUpfront);
        assert_eq!((au3.upfront_usd, au3.hourly_usd), (Some(dec!(2412.504)), Some(dec!(0))));
        assert_eq!(au3.amortized_hourly_usd(TermLength::ThreeYears), dec!(2412.504) / dec!(26280));
        let pu1 = offer(TermLength::OneYear, Payment::PartialUpfront);
        assert_eq!((pu1.upfront_usd, pu1.hourly_usd), (Some(dec!(580.788)), Some(dec!(0.0664))));
        let nu1 = offer(TermLength::OneYear, Payment::NoUpfront);
        assert_eq!((nu1.upfront_usd, nu1.hourly_usd), (Some(dec!(0)), Some(dec!(0.1384))));
        assert_eq!(prices.on_demand[&(id, Engine::Valkey)].usd, dec!(0.204));
        // the embedded cache holds the same excerpt's offers
        let embedded_offer = book
            .reserved("us-east-1", id, Engine::Valkey, Term::Reserved(TermLength::ThreeYears, Payment::AllUpfront))
            .unwrap();
        assert_eq!(embedded_offer.upfront_usd, au3.upfront_usd);
    }

    #[test]
    fn two_plain_prices_for_one_node_are_an_error_not_a_guess() {
        let mut products = r7g_large_eu_west_1();
        let mut twin = products.iter().find(|p| p.sku == "P9SVF4HW3JDU3RK3").unwrap().clone();
        twin.sku = "TWINSKU".into();
        for t in &mut twin.on_demand {
            for d in &mut t.dimensions {
                d.usd = Some(dec!(0.2016));
            }
        }
        products.push(twin.clone());
        let book = embedded().unwrap();
        let err = normalize(
            "eu-west-1",
            &products,
            &Defaults::from_book(book, "eu-west-1"),
            Origin { source_id: API_SOURCE },
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("cache.r7g.large valkey on-demand") && err.contains("0.1944") && err.contains("0.2016"),
            "{err}"
        );
        assert!(err.contains("TWINSKU") && err.contains("will not guess"), "{err}");
        // the same price twice is the same price
        for t in &mut twin.on_demand {
            for d in &mut t.dimensions {
                d.usd = Some(dec!(0.1944));
            }
        }
        *products.last_mut().unwrap() = twin;
        assert!(normalize_eu(&products).is_some());
    }

    #[test]
    fn the_engine_comes_from_cache_engine_and_must_agree_with_the_operation() {
        let products = r7g_large_eu_west_1();
        let mut valkey = products.iter().find(|p| p.sku == "P9SVF4HW3JDU3RK3").unwrap().clone();
        assert_eq!(engine_of(&valkey), Ok(Engine::Valkey));
        valkey.attributes.insert("operation".into(), "CreateCacheCluster:0002".into());
        assert!(engine_of(&valkey).unwrap_err().contains("operation"));
        valkey.attributes.remove("cacheEngine");
        assert_eq!(engine_of(&valkey), Ok(Engine::Redis));
        valkey.attributes.insert("operation".into(), "CreateCacheCluster:0001".into());
        assert_eq!(engine_of(&valkey), Ok(Engine::Memcached));
        valkey.attributes.remove("operation");
        assert!(engine_of(&valkey).is_err());
    }

    #[test]
    fn region_prefixes_come_off_usagetypes_and_us_east_1_has_none() {
        assert_eq!(usage_without_region("EU-NodeUsage:cache.r7g.large"), "NodeUsage:cache.r7g.large");
        assert_eq!(
            usage_without_region("APS3-ExtendedSupportYr3-NodeUsage:cache.t3.medium"),
            "ExtendedSupportYr3-NodeUsage:cache.t3.medium"
        );
        assert_eq!(usage_without_region("NodeUsage:cache.r7g.large"), "NodeUsage:cache.r7g.large");
        assert_eq!(
            usage_without_region("SyncDurability-NodeUsage:cache.m7g.large"),
            "SyncDurability-NodeUsage:cache.m7g.large"
        );
        assert_eq!(usage_without_region("USE1-CachedData:Valkey"), "CachedData:Valkey");
    }

    #[test]
    fn what_is_not_a_price_list_is_an_error_naming_it() {
        assert!(parse_get_products_item("{").unwrap_err().to_string().contains("not a Price List product"));
        let err =
            parse_offer_file(br#"{"offerCode": "AmazonEC2", "products": {}}"#, "https://x/index.json").unwrap_err();
        assert!(
            err.to_string().contains("'AmazonEC2', not 'AmazonElastiCache'")
                && err.to_string().contains("https://x/index.json"),
            "{err}"
        );
    }
}
