//! `capplan pricing refresh`: today's ElastiCache prices from the AWS Price List into the user
//! cache directory, one region at a time.
//!
//! With AWS credentials, the Price List Query API (`aws-sdk-pricing` `GetProducts`, service code
//! `AmazonElastiCache`, filtered by `regionCode`, every page): its endpoints live only in
//! us-east-1, eu-central-1 and ap-south-1, so the client talks to one of those whatever the
//! region priced. `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_PRICING` and `--profile` are honoured
//! as for every AWS call. When the credential chain finds none, the same products come from the
//! public bulk offer files (`…/offers/v1.0/aws/AmazonElastiCache/current/region_index.json`, then
//! the region's `index.json`), which need no account; `CAPPLAN_PRICE_LIST_URL` replaces their
//! host (tests serve them on 127.0.0.1). The download uses the HTTPS stack the AWS SDK already
//! brings (hyper, rustls with aws-lc-rs, the system's roots).
//!
//! Each region is fetched whole, normalized ([`super::pricelist::normalize`]), checked to parse
//! as the embedded cache's chunks do, compared with the prices it replaces, and only then
//! written (atomically: chunk, then manifest; see [`super::prices`]). A failure at any point
//! before the write leaves that region's previous files as they were. [`refresh`] is the whole
//! job, with progress reported through a callback, for the command line and the terminal app.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_pricing::types::{Filter, FilterType};
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use http_body_util::{BodyExt, Empty};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;

use super::SourceError;
use super::aws::{self, AwsOptions, Context, SdkConfig};
use super::offline::{self, parse_region};
use super::pricelist::{self, API_SOURCE, BULK_SOURCE, Defaults, NormalizeStats, Origin, Product};
use super::prices::{self, ManifestEntry, sha256_hex};
use crate::model::price::PriceBook;
use crate::model::price_change::{RegionChanges, region_changes};
use crate::model::region::{closest_region, is_commercial, region_codes, region_name};

/// The environment variable that replaces the bulk offer files' host.
pub const PRICE_LIST_URL_ENV: &str = "CAPPLAN_PRICE_LIST_URL";
/// Where the public bulk offer files are.
pub const DEFAULT_PRICE_LIST_URL: &str = "https://pricing.us-east-1.amazonaws.com";
/// The regions the Price List Query API has endpoints in.
pub const PRICING_ENDPOINT_REGIONS: [&str; 3] = ["us-east-1", "eu-central-1", "ap-south-1"];
/// The IAM action a refresh through the API needs.
pub const GET_PRODUCTS_ACTION: &str = "pricing:GetProducts";
/// Products per `GetProducts` page (the API's maximum).
const PAGE_SIZE: i32 = 100;
/// A bound on pages per region (ElastiCache has a few thousand products per region at most).
const MAX_PAGES: u32 = 1_000;
/// A bound on an offer file's size.
const MAX_OFFER_BYTES: u64 = 1 << 30;

/// Which regions to refresh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionSelection {
    /// These region codes.
    Listed(Vec<String>),
    /// Every commercial region the Price List has ElastiCache prices for.
    All,
}

/// How to refresh.
#[derive(Clone, Debug)]
pub struct RefreshOptions {
    /// The regions.
    pub regions: RegionSelection,
    /// SDK configuration (profile, timeouts, retries; the region is set to a Pricing endpoint's).
    pub aws: AwsOptions,
    /// Host of the bulk offer files, `https://pricing.us-east-1.amazonaws.com` unless
    /// `CAPPLAN_PRICE_LIST_URL` says otherwise.
    pub price_list_url: String,
    /// The user cache directory.
    pub cache_dir: PathBuf,
    /// The time of the refresh (recorded in the manifest).
    pub fetched_at: DateTime<Utc>,
}

impl RefreshOptions {
    /// Options for `regions` with `profile`, writing into `cache_dir`; the bulk host from
    /// `CAPPLAN_PRICE_LIST_URL` when set, the bounds of every call from `CAPPLAN_AWS_TIMEOUT` and
    /// `AWS_MAX_ATTEMPTS` when set (a value they do not accept is [`refresh`]'s error).
    pub fn new(
        regions: RegionSelection,
        profile: Option<String>,
        cache_dir: PathBuf,
        fetched_at: DateTime<Utc>,
    ) -> Self {
        let price_list_url = std::env::var(PRICE_LIST_URL_ENV)
            .ok()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_PRICE_LIST_URL.to_string());
        RefreshOptions {
            regions,
            aws: {
                let options = AwsOptions { profile, max_attempts: 4, ..AwsOptions::default() };
                options.clone().with_env().unwrap_or(options)
            },
            price_list_url: price_list_url.trim_end_matches('/').to_string(),
            cache_dir,
            fetched_at,
        }
    }
}

/// Which way the products were read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    /// The Price List Query API, through the endpoint in this region.
    Api {
        /// `us-east-1`, `eu-central-1` or `ap-south-1`.
        endpoint_region: String,
    },
    /// The public bulk offer files, and why.
    Bulk {
        /// Why not the API (`no AWS credentials found`).
        reason: String,
    },
}

impl Via {
    /// How the way is told to the user.
    pub fn describe(&self) -> String {
        match self {
            Via::Api { endpoint_region } => {
                format!("the AWS Price List Query API (pricing:GetProducts through the {endpoint_region} endpoint)")
            }
            Via::Bulk { reason } => {
                format!("the public AWS Price List bulk offer files ({reason}; they need no AWS account)")
            }
        }
    }

    /// The source id every refreshed price cites.
    pub fn source_id(&self) -> &'static str {
        match self {
            Via::Api { .. } => API_SOURCE,
            Via::Bulk { .. } => BULK_SOURCE,
        }
    }
}

/// What a refresh is doing, for a progress display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// The way the products will be read.
    Chose(Via),
    /// Starting on a region (`index` from 1 of `of`).
    Region {
        /// Region code.
        region: String,
        /// Its place in the list, from 1.
        index: usize,
        /// How many regions.
        of: usize,
    },
    /// A `GetProducts` page arrived.
    Page {
        /// Region code.
        region: String,
        /// Pages so far.
        page: u32,
        /// Products so far.
        products: usize,
    },
    /// Bytes of an offer file arrived.
    Download {
        /// Region code.
        region: String,
        /// Bytes so far.
        bytes: u64,
        /// The file's size, when the server says.
        total: Option<u64>,
    },
    /// A region's prices were written.
    Wrote {
        /// Region code.
        region: String,
        /// The chunk.
        path: PathBuf,
    },
}

/// What the refresh of one region brought.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionRefresh {
    /// Region code.
    pub region: String,
    /// The Price List's publication date: the prices' as-of date.
    pub as_of: NaiveDate,
    /// The publication time as stated.
    pub published: String,
    /// The offer version, when stated.
    pub version: Option<String>,
    /// `aws-price-list` or `aws-price-list-bulk`.
    pub source: &'static str,
    /// The chunk written.
    pub path: PathBuf,
    /// `GetProducts` pages read (0 from a bulk file).
    pub pages: u32,
    /// What went into the chunk.
    pub stats: NormalizeStats,
    /// What changed against the prices it replaces.
    pub changes: RegionChanges,
    /// What it replaces, in words (`the embedded prices (as of 2026-10-02)`).
    pub replaced: String,
    /// Whether reports use it: newer than the embedded prices, or a region they do not cover.
    pub in_use: bool,
}

/// What a refresh did.
#[derive(Clone, Debug, PartialEq)]
pub struct RefreshSummary {
    /// The way the products were read.
    pub via: Via,
    /// Each region refreshed, in order.
    pub regions: Vec<RegionRefresh>,
    /// Regions left out of `--all-regions` and why (no ElastiCache prices there).
    pub skipped: Vec<String>,
}

/// Check a region code before anything is fetched: an AWS region of the commercial partition.
pub fn check_region(code: &str) -> Result<(), SourceError> {
    let unknown = |message: String| SourceError::UnknownRegion { region: code.to_string(), message };
    match region_name(code) {
        None => {
            let hint = closest_region(code).map_or_else(String::new, |c| format!(" (did you mean '{c}'?)"));
            Err(unknown(format!(
                "'{code}' is not an AWS region{hint}; regions look like 'us-east-1' (`capplan pricing refresh --all-regions` fetches every one)"
            )))
        }
        Some(name) if !is_commercial(code) => Err(unknown(format!(
            "'{code}' ({name}) is outside the commercial AWS partition; capplan prices commercial regions only"
        ))),
        Some(_) => Ok(()),
    }
}

/// The Pricing endpoint region to use: `AWS_REGION` when it is one of the three, else us-east-1.
fn endpoint_region() -> String {
    std::env::var("AWS_REGION")
        .ok()
        .filter(|r| PRICING_ENDPOINT_REGIONS.contains(&r.as_str()))
        .unwrap_or_else(|| PRICING_ENDPOINT_REGIONS[0].to_string())
}

/// The API when the credential chain finds credentials, the bulk files when it finds none.
/// Other credential failures (an expired session, a broken profile) are errors: the user asked
/// for that profile.
async fn choose(opts: &RefreshOptions) -> Result<(Via, Option<SdkConfig>), SourceError> {
    let endpoint_region = endpoint_region();
    let config = aws::load(&AwsOptions { region: Some(endpoint_region.clone()), ..opts.aws.clone() }).await?;
    let Some(provider) = config.credentials_provider() else {
        return Ok((Via::Bulk { reason: "no AWS credentials provider is configured".into() }, None));
    };
    match provider.provide_credentials().await {
        Ok(_) => Ok((Via::Api { endpoint_region }, Some(config))),
        Err(CredentialsError::CredentialsNotLoaded(_)) => {
            Ok((Via::Bulk { reason: "no AWS credentials found".into() }, None))
        }
        Err(e) => {
            let ctx = Context::new(&config, GET_PRODUCTS_ACTION, "AmazonElastiCache prices");
            Err(aws::map_credentials_error(&ctx, &e))
        }
    }
}

/// Refresh the prices of the selected regions into `opts.cache_dir`, reporting progress.
/// Regions are done one after the other; each is written as soon as it is complete, so a
/// failure leaves the regions before it refreshed and the failing one as it was.
pub async fn refresh(
    opts: &RefreshOptions,
    mut progress: impl FnMut(Progress) + Send,
) -> Result<RefreshSummary, SourceError> {
    if let RegionSelection::Listed(codes) = &opts.regions {
        if codes.is_empty() {
            return Err(SourceError::UnknownRegion {
                region: String::new(),
                message: "no region to refresh: name one with --region, or use --all-regions".into(),
            });
        }
        for code in codes {
            check_region(code)?;
        }
    }
    // a bound the environment sets that cannot be read is an error, not a silent default
    AwsOptions::default().with_env()?;
    let embedded = offline::embedded()?;
    let (via, config) = choose(opts).await?;
    progress(Progress::Chose(via.clone()));
    let fetcher = match config {
        Some(config) => {
            let client = aws_sdk_pricing::Client::from_conf(aws_sdk_pricing::config::Builder::from(&config).build());
            Fetcher::Api { client, config }
        }
        None => {
            let http = Http::new(&opts.aws)?;
            let index = bulk_region_index(&http, &opts.price_list_url).await?;
            Fetcher::Bulk { http, index }
        }
    };
    let (codes, explicit) = match &opts.regions {
        RegionSelection::Listed(codes) => {
            let mut unique: Vec<String> = Vec::new();
            for c in codes {
                if !unique.contains(c) {
                    unique.push(c.clone());
                }
            }
            (unique, true)
        }
        RegionSelection::All => {
            let all: Vec<String> = match &fetcher {
                Fetcher::Bulk { index, .. } => index.keys().filter(|c| is_commercial(c)).cloned().collect(),
                Fetcher::Api { .. } => region_codes().filter(|c| is_commercial(c)).map(String::from).collect(),
            };
            (all, false)
        }
    };
    // what reports use today: the prices each refreshed region replaces
    let current = prices::layered(embedded, &opts.cache_dir);
    let mut summary = RefreshSummary { via: via.clone(), regions: Vec::new(), skipped: Vec::new() };
    let of = codes.len();
    for (i, region) in codes.iter().enumerate() {
        progress(Progress::Region { region: region.clone(), index: i + 1, of });
        let done = match fetcher.products(&opts.price_list_url, region, &mut progress).await {
            Ok((products, pages)) => {
                let fetched = Fetched { via: &via, region, products: &products, pages };
                write_region(opts, embedded, &current, &fetched, &mut progress)
            }
            Err(e) => Err(e),
        };
        match done {
            Ok(r) => summary.regions.push(r),
            Err(NoData(message)) if !explicit => summary.skipped.push(message),
            Err(NoData(message)) => {
                return Err(SourceError::PriceList { what: format!("ElastiCache prices in '{region}'"), message });
            }
            Err(Failed(e)) => return Err(e),
        }
    }
    Ok(summary)
}

/// Where the products come from.
enum Fetcher {
    Api { client: aws_sdk_pricing::Client, config: SdkConfig },
    Bulk { http: Http, index: BTreeMap<String, String> },
}

impl Fetcher {
    /// The products of `region` and the `GetProducts` pages read (0 from a bulk file).
    async fn products(
        &self,
        base: &str,
        region: &str,
        progress: &mut (impl FnMut(Progress) + Send),
    ) -> Result<(Vec<Product>, u32), FetchError> {
        match self {
            Fetcher::Api { client, config } => fetch_api(client, config, region, progress).await,
            Fetcher::Bulk { http, index } => fetch_bulk(http, base, index, region, progress).await.map(|p| (p, 0)),
        }
    }
}

/// A region's fetch failed: it has no data (skippable in `--all-regions`), or it failed.
enum FetchError {
    NoData(String),
    Failed(SourceError),
}
use FetchError::{Failed, NoData};

impl From<SourceError> for FetchError {
    fn from(e: SourceError) -> Self {
        Failed(e)
    }
}

/// Every `GetProducts` page of `region`: the products and the number of pages.
async fn fetch_api(
    client: &aws_sdk_pricing::Client,
    config: &SdkConfig,
    region: &str,
    progress: &mut (impl FnMut(Progress) + Send),
) -> Result<(Vec<Product>, u32), FetchError> {
    let ctx = Context::new(config, GET_PRODUCTS_ACTION, format!("AmazonElastiCache prices for {region}"));
    let filter = Filter::builder()
        .r#type(FilterType::TermMatch)
        .field("regionCode")
        .value(region)
        .build()
        .map_err(|e| SourceError::Aws { action: GET_PRODUCTS_ACTION.into(), message: e.to_string() })?;
    let mut products = Vec::new();
    let mut token: Option<String> = None;
    let mut seen_tokens = std::collections::BTreeSet::new();
    let mut pages = 0u32;
    loop {
        let out = client
            .get_products()
            .service_code(pricelist::SERVICE_CODE)
            .filters(filter.clone())
            .format_version("aws_v1")
            .max_results(PAGE_SIZE)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| aws::map_error(&ctx, &e))?;
        pages += 1;
        for item in out.price_list() {
            products.push(pricelist::parse_get_products_item(item)?);
        }
        progress(Progress::Page { region: region.to_string(), page: pages, products: products.len() });
        token = out.next_token().filter(|t| !t.is_empty()).map(String::from);
        let Some(next) = &token else { break };
        if !seen_tokens.insert(next.clone()) || pages >= MAX_PAGES {
            return Err(Failed(SourceError::PriceList {
                what: format!("GetProducts for '{region}'"),
                message: format!(
                    "the pages do not end (page {pages} repeats a NextToken or passes {MAX_PAGES}); retry later"
                ),
            }));
        }
    }
    if products.is_empty() {
        return Err(NoData(format!(
            "the AWS Price List has no ElastiCache prices for '{region}' (GetProducts found no product with regionCode '{region}')"
        )));
    }
    Ok((products, pages))
}

/// `region_index.json`: region code → the path of its current offer file.
#[derive(Deserialize)]
struct RegionIndexDoc {
    regions: BTreeMap<String, RegionIndexEntry>,
}

#[derive(Deserialize)]
struct RegionIndexEntry {
    #[serde(rename = "currentVersionUrl")]
    current_version_url: String,
}

async fn bulk_region_index(http: &Http, base: &str) -> Result<BTreeMap<String, String>, SourceError> {
    let url = format!("{base}/offers/v1.0/aws/{}/current/region_index.json", pricelist::SERVICE_CODE);
    let bytes = http.get(&url, |_, _| {}).await?;
    let doc: RegionIndexDoc = serde_json::from_slice(&bytes).map_err(|e| SourceError::PriceList {
        what: url.clone(),
        message: format!("not a Price List region index ({e})"),
    })?;
    Ok(doc.regions.into_iter().map(|(code, e)| (code, e.current_version_url)).collect())
}

async fn fetch_bulk(
    http: &Http,
    base: &str,
    index: &BTreeMap<String, String>,
    region: &str,
    progress: &mut (impl FnMut(Progress) + Send),
) -> Result<Vec<Product>, FetchError> {
    let Some(path) = index.get(region) else {
        return Err(NoData(format!(
            "the AWS Price List bulk offer files have no ElastiCache prices for '{region}' (not in its region index)"
        )));
    };
    let url = if path.starts_with("http://") || path.starts_with("https://") {
        path.clone()
    } else {
        format!("{base}{path}")
    };
    let bytes = http
        .get(&url, |bytes, total| progress(Progress::Download { region: region.to_string(), bytes, total }))
        .await?;
    let offer = pricelist::parse_offer_file(&bytes, &url)?;
    if offer.products.is_empty() {
        return Err(NoData(format!("the AWS Price List offer file for '{region}' holds no products ({url})")));
    }
    Ok(offer.products)
}

/// One region's products as fetched.
struct Fetched<'a> {
    via: &'a Via,
    region: &'a str,
    products: &'a [Product],
    pages: u32,
}

/// Normalize, check, compare with `current` (what reports use today) and write one region.
fn write_region(
    opts: &RefreshOptions,
    embedded: &'static PriceBook,
    current: &prices::LoadedPrices,
    fetched: &Fetched<'_>,
    progress: &mut (impl FnMut(Progress) + Send),
) -> Result<RegionRefresh, FetchError> {
    let Fetched { via, region, products, pages } = *fetched;
    let source = via.source_id();
    let Some(normalized) =
        pricelist::normalize(region, products, &Defaults::from_book(embedded, region), Origin { source_id: source })?
    else {
        return Err(NoData(format!(
            "the AWS Price List has no ElastiCache node prices for '{region}' ({} products read, none a node price there)",
            products.len()
        )));
    };
    let bytes = normalized.chunk.to_json().into_bytes();

    let as_of = BTreeMap::from([(source, normalized.as_of)]);
    let sources = prices::sources_with_refresh(embedded, &opts.cache_dir, &as_of);
    let new = parse_region(region, &bytes, &embedded.catalog, &sources).map_err(|e| SourceError::PriceList {
        what: format!("ElastiCache prices in '{region}'"),
        message: format!("the normalized prices do not read back as a cache chunk ({e}); nothing was written"),
    })?;
    let old = current.book.load_region(region).ok().flatten().cloned().unwrap_or_default();
    let replaced = match current.refreshed.iter().find(|r| r.code == region) {
        Some(r) => format!("the refresh of {} ({})", r.as_of, r.source),
        None if embedded.regions.contains_key(region) => format!("the embedded prices (as of {})", embedded.as_of),
        None => "nothing (a region the embedded prices do not cover)".to_string(),
    };
    let changes = region_changes(region, &embedded.catalog, &old, &new);

    // write: the chunk and the manifest entry that vouches for it (never a moment without a
    // whole chunk the manifest vouches for, see prices::write_region)
    let entry = ManifestEntry {
        as_of: normalized.as_of,
        published: normalized.published.clone(),
        offer_version: normalized.version.clone(),
        source: source.to_string(),
        fetched_at: opts.fetched_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        file: format!("regions/{region}.json"),
        sha256: sha256_hex(&bytes),
        node_prices: new.on_demand.len(),
        reserved: new.reserved.len(),
        replacing: None,
    };
    let path = prices::write_region(&opts.cache_dir, region, &bytes, entry)?;
    progress(Progress::Wrote { region: region.to_string(), path: path.clone() });
    let in_use = !embedded.regions.contains_key(region) || normalized.as_of > embedded.as_of;
    Ok(RegionRefresh {
        region: region.to_string(),
        as_of: normalized.as_of,
        published: normalized.published,
        version: normalized.version,
        source,
        path,
        pages,
        stats: normalized.stats,
        changes,
        replaced,
        in_use,
    })
}

/// A small HTTPS client for the bulk offer files: hyper with rustls (aws-lc-rs) and the
/// system's roots, as the AWS SDK's own client; bounded waits; a few retries on server errors.
struct Http {
    client: HttpClient<HttpsConnector<HttpConnector>, Empty<Bytes>>,
    /// Time to the answer's headers, and between two pieces of its body.
    idle: Duration,
    /// Time for a whole file.
    total: Duration,
    attempts: u32,
    backoff: Duration,
}

impl Http {
    fn new(options: &AwsOptions) -> Result<Http, SourceError> {
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(options.connect_timeout));
        http.enforce_http(false);
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider)
            .map_err(|e| SourceError::PriceList {
                what: "HTTPS".into(),
                message: format!(
                    "no trusted root certificates on this system ({e}); install the CA certificates package"
                ),
            })?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = HttpClient::builder(TokioExecutor::new()).build(https);
        Ok(Http {
            client,
            idle: options.attempt_timeout,
            total: options.operation_timeout.max(Duration::from_mins(10)),
            attempts: options.max_attempts.max(1),
            backoff: options.initial_backoff,
        })
    }

    /// GET `url` whole, retrying connection failures, 429 and 5xx answers.
    async fn get(&self, url: &str, mut on_bytes: impl FnMut(u64, Option<u64>)) -> Result<Vec<u8>, SourceError> {
        let mut delay = self.backoff;
        let mut attempt = 1;
        loop {
            match self.get_once(url, &mut on_bytes).await {
                Ok(bytes) => return Ok(bytes),
                Err((true, _)) if attempt < self.attempts => {
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(20));
                    attempt += 1;
                }
                Err((_, e)) => return Err(e),
            }
        }
    }

    async fn get_once(
        &self,
        url: &str,
        on_bytes: &mut impl FnMut(u64, Option<u64>),
    ) -> Result<Vec<u8>, (bool, SourceError)> {
        let fail =
            |retryable: bool, message: String| (retryable, SourceError::PriceList { what: url.to_string(), message });
        let uri: http::Uri =
            url.parse().map_err(|e| fail(false, format!("not a URL ({e}); check {PRICE_LIST_URL_ENV}")))?;
        let request = http::Request::get(uri)
            .header(http::header::USER_AGENT, concat!("capplan/", env!("CARGO_PKG_VERSION")))
            .body(Empty::<Bytes>::new())
            .map_err(|e| fail(false, e.to_string()))?;
        let started = Instant::now();
        let response = match tokio::time::timeout(self.idle, self.client.request(request)).await {
            Err(_) => {
                return Err(fail(
                    true,
                    format!("no answer within {} s; check the network or {PRICE_LIST_URL_ENV}", self.idle.as_secs()),
                ));
            }
            Ok(Err(e)) => {
                return Err(fail(
                    true,
                    format!("cannot reach it ({}); check the network or a proxy", aws::redact(&error_chain(&e))),
                ));
            }
            Ok(Ok(r)) => r,
        };
        let status = response.status();
        if !status.is_success() {
            let retryable = status.is_server_error() || status.as_u16() == 429;
            let hint = if status.as_u16() == 404 { " (no such file)" } else { "" };
            return Err(fail(retryable, format!("HTTP {status}{hint}")));
        }
        let total = response
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let mut body = response.into_body();
        let mut out = Vec::with_capacity(usize::try_from(total.unwrap_or(0).min(MAX_OFFER_BYTES)).unwrap_or(0));
        loop {
            if started.elapsed() > self.total {
                return Err(fail(true, format!("the download took over {} s", self.total.as_secs())));
            }
            let frame = match tokio::time::timeout(self.idle, body.frame()).await {
                Err(_) => return Err(fail(true, format!("the download stalled for {} s", self.idle.as_secs()))),
                Ok(None) => break,
                Ok(Some(Err(e))) => return Err(fail(true, format!("the download broke off ({e})"))),
                Ok(Some(Ok(frame))) => frame,
            };
            if let Ok(data) = frame.into_data() {
                out.extend_from_slice(&data);
                if out.len() as u64 > MAX_OFFER_BYTES {
                    return Err(fail(false, format!("larger than {MAX_OFFER_BYTES} bytes: not an offer file")));
                }
                on_bytes(out.len() as u64, total);
            }
        }
        if let Some(expected) = total
            && out.len() as u64 != expected
        {
            return Err(fail(true, format!("cut short: {} of {expected} bytes", out.len())));
        }
        Ok(out)
    }
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut next = err.source();
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_checked_before_anything_is_fetched() {
        assert!(check_region("eu-west-1").is_ok());
        let e = check_region("eu-wset-1").unwrap_err().to_string();
        assert!(e.contains("did you mean 'eu-west-1'"), "{e}");
        let e = check_region("cn-north-1").unwrap_err().to_string();
        assert!(e.contains("outside the commercial AWS partition"), "{e}");
    }

    /// The terminal app runs a refresh as a background task: its future must be `Send`.
    #[test]
    fn a_refresh_can_run_on_another_task() {
        fn send<T: Send>(_: &T) {}
        let opts = RefreshOptions::new(RegionSelection::All, None, PathBuf::from("/nonexistent"), Utc::now());
        let future = refresh(&opts, |_| {});
        send(&future);
    }

    #[test]
    fn the_bulk_host_comes_from_the_environment_or_is_aws() {
        let opts = RefreshOptions::new(RegionSelection::All, None, PathBuf::from("/x"), Utc::now());
        if std::env::var_os(PRICE_LIST_URL_ENV).is_none() {
            assert_eq!(opts.price_list_url, DEFAULT_PRICE_LIST_URL);
        }
        assert_eq!(opts.aws.region, None);
        assert!(PRICING_ENDPOINT_REGIONS.contains(&endpoint_region().as_str()));
    }
}
