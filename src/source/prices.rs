//! The price book every command uses: the embedded pricing cache, with the regions that
//! `capplan pricing refresh` fetched from the AWS Price List layered over it.
//!
//! A refresh writes, in the user cache directory ([`super::user_cache`]), one chunk per region
//! in the embedded cache's own format (`prices/regions/<code>.json`) and a manifest
//! (`prices/manifest.json`: per region the Price List's publication date, where the prices came
//! from, when they were fetched, the chunk's sha256). A refreshed region is used instead of the
//! embedded chunk when its publication date is after the embedded cache's as-of date; every
//! other region stays embedded. A refreshed region may also be one the embedded cache does not
//! cover. A manifest or chunk that cannot be trusted (unreadable, or a chunk whose bytes are
//! not the ones the manifest describes) is left out with a note that names the file and the fix,
//! and the embedded prices are used: never a panic, never a silent wrong price. A chunk that
//! matches its manifest but cannot be parsed is an error for that region, naming the file.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::offline::{self, parse_region};
use super::pricelist::{API_SOURCE, BULK_SOURCE};
use super::{SourceError, user_cache};
use crate::model::catalog::Catalog;
use crate::model::price::{PriceBook, PriceKind, RegionPrices, RegionReader, Regions, SourceMeta};
use crate::model::region::is_commercial;

/// The folder, in the user cache directory, that refreshed prices live in.
pub const PRICES_DIR: &str = "prices";
/// The manifest's schema version.
pub const MANIFEST_VERSION: u32 = 1;

/// `prices/manifest.json` in `cache_dir`.
pub fn manifest_path(cache_dir: &Path) -> PathBuf {
    cache_dir.join(PRICES_DIR).join("manifest.json")
}

/// `prices/regions/<code>.json` in `cache_dir`.
pub fn region_path(cache_dir: &Path, code: &str) -> PathBuf {
    cache_dir.join(PRICES_DIR).join("regions").join(format!("{code}.json"))
}

/// What the refresh knows about the regions it wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`MANIFEST_VERSION`].
    pub schema_version: u32,
    /// By region code.
    pub regions: BTreeMap<String, ManifestEntry>,
}

/// One refreshed region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    /// The Price List's publication date of these prices: the region's as-of date.
    pub as_of: NaiveDate,
    /// The publication time as the Price List states it.
    pub published: String,
    /// The offer version, when stated.
    pub offer_version: Option<String>,
    /// `aws-price-list` (the Query API) or `aws-price-list-bulk` (the bulk offer files).
    pub source: String,
    /// When capplan fetched them (RFC 3339, UTC).
    pub fetched_at: String,
    /// The chunk, relative to the prices folder (`regions/<code>.json`).
    pub file: String,
    /// sha256 of the chunk's bytes, hex.
    pub sha256: String,
    /// On-demand node prices in the chunk.
    pub node_prices: usize,
    /// Reserved offers in the chunk.
    pub reserved: usize,
    /// While a refresh replaces the chunk: the entry of the chunk being replaced. The manifest
    /// vouches for both until the new chunk is in place, so a refresh killed between writing the
    /// manifest and renaming the new chunk leaves the old prices usable (see [`select`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacing: Option<Box<ManifestEntry>>,
}

/// The entry that vouches for `bytes`: `entry` itself, or the entry it is replacing when the
/// refresh that wrote `entry` stopped before its chunk was renamed into place.
pub fn select<'a>(entry: &'a ManifestEntry, bytes: &[u8]) -> Option<&'a ManifestEntry> {
    let sha = sha256_hex(bytes);
    if sha == entry.sha256 {
        return Some(entry);
    }
    entry.replacing.as_deref().filter(|old| old.sha256 == sha)
}

/// sha256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    Sha256::digest(bytes).iter().fold(String::with_capacity(64), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

/// Read the manifest in `cache_dir`: `Ok(None)` when there is none.
pub fn read_manifest(cache_dir: &Path) -> Result<Option<Manifest>, SourceError> {
    let path = manifest_path(cache_dir);
    let Some(bytes) = user_cache::read(&path)? else { return Ok(None) };
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| SourceError::UserCache {
        path: path.clone(),
        message: format!("not a refreshed-prices manifest ({e})"),
    })?;
    if manifest.schema_version != MANIFEST_VERSION {
        return Err(SourceError::UserCache {
            path,
            message: format!(
                "manifest version {} is not the {MANIFEST_VERSION} this build reads",
                manifest.schema_version
            ),
        });
    }
    Ok(Some(manifest))
}

/// Write a refreshed region: its chunk (`bytes`) and its manifest `entry`, so that at every
/// moment, whenever the process stops, the manifest vouches for a whole chunk on disk. When it
/// vouches for the chunk there now, it first names the new chunk while still vouching for the old
/// one ([`ManifestEntry::replacing`]); then the new chunk is renamed into place; then the
/// manifest names the new chunk alone. Each write is atomic ([`user_cache::write`]). An
/// unreadable manifest vouches for nothing: a new one is started. Returns the chunk's path.
pub fn write_region(
    cache_dir: &Path,
    region: &str,
    bytes: &[u8],
    entry: ManifestEntry,
) -> Result<PathBuf, SourceError> {
    let path = region_path(cache_dir, region);
    let manifest_file = manifest_path(cache_dir);
    let mut manifest = match read_manifest(cache_dir) {
        Ok(Some(m)) => m,
        Ok(None) | Err(_) => Manifest { schema_version: MANIFEST_VERSION, regions: BTreeMap::new() },
    };
    // what is not a region is no refresh's: it goes
    manifest.regions.retain(|code, _| is_commercial(code));
    let write_manifest = |manifest: &Manifest| -> Result<(), SourceError> {
        let text = serde_json::to_vec_pretty(manifest).map_err(|e| SourceError::UserCache {
            path: manifest_file.clone(),
            message: format!("cannot write the manifest: {e}"),
        })?;
        user_cache::write(&manifest_file, &text)
    };
    let entry = ManifestEntry { replacing: None, ..entry };
    let vouched = match (manifest.regions.get(region), user_cache::read(&path)) {
        (Some(current), Ok(Some(old))) => select(current, &old).map(|e| ManifestEntry { replacing: None, ..e.clone() }),
        _ => None,
    };
    if let Some(old) = vouched.filter(|old| old.sha256 != entry.sha256) {
        manifest.regions.insert(region.to_string(), ManifestEntry { replacing: Some(Box::new(old)), ..entry.clone() });
        write_manifest(&manifest)?;
    }
    user_cache::write(&path, bytes)?;
    manifest.regions.insert(region.to_string(), entry);
    write_manifest(&manifest)?;
    Ok(path)
}

/// A region whose refreshed prices are in use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshedRegion {
    /// Region code.
    pub code: String,
    /// The Price List's publication date.
    pub as_of: NaiveDate,
    /// `aws-price-list` or `aws-price-list-bulk`.
    pub source: String,
    /// The chunk.
    pub path: PathBuf,
}

/// The price book with what it was built from.
#[derive(Clone, Debug)]
pub struct LoadedPrices {
    /// The book: the embedded one itself when nothing refreshed is in use.
    pub book: Cow<'static, PriceBook>,
    /// Regions whose refreshed prices replace (or add to) the embedded ones.
    pub refreshed: Vec<RefreshedRegion>,
    /// What to tell the user: refreshed prices left out and why, and what to do.
    pub notes: Vec<String>,
}

/// The sources a refreshed chunk cites, as the book lists them. `cache_dir` is named in the
/// titles, so every report line says which cache its price came from.
pub fn refresh_sources(cache_dir: &Path, as_of: &BTreeMap<&str, NaiveDate>) -> BTreeMap<String, SourceMeta> {
    let folder = cache_dir.join(PRICES_DIR);
    let date = |id: &str| as_of.get(id).map(ToString::to_string).unwrap_or_default();
    BTreeMap::from([
        (
            API_SOURCE.to_string(),
            SourceMeta {
                kind: PriceKind::AwsPriceList,
                title: format!(
                    "AWS Price List Query API (GetProducts, AmazonElastiCache), refreshed by `capplan pricing refresh` into {}",
                    folder.display()
                ),
                locator: "https://api.pricing.us-east-1.amazonaws.com (pricing:GetProducts, ServiceCode AmazonElastiCache, regionCode filter)".to_string(),
                as_of: date(API_SOURCE),
            },
        ),
        (
            BULK_SOURCE.to_string(),
            SourceMeta {
                kind: PriceKind::AwsPriceList,
                title: format!(
                    "AWS Price List bulk offer file (AmazonElastiCache), refreshed by `capplan pricing refresh` into {}",
                    folder.display()
                ),
                locator: "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonElastiCache/current/<region>/index.json".to_string(),
                as_of: date(BULK_SOURCE),
            },
        ),
    ])
}

/// The embedded book's sources with the refresh sources added.
pub fn sources_with_refresh(
    embedded: &PriceBook,
    cache_dir: &Path,
    as_of: &BTreeMap<&str, NaiveDate>,
) -> BTreeMap<String, SourceMeta> {
    let mut sources = embedded.sources.clone();
    sources.extend(refresh_sources(cache_dir, as_of));
    sources
}

/// The prices every command uses: the embedded cache with the refreshed regions of the user
/// cache directory layered over it. Without a cache directory (no home), the embedded prices.
pub fn load() -> Result<LoadedPrices, SourceError> {
    let embedded = offline::embedded()?;
    match user_cache::dir() {
        Ok(dir) => Ok(layered(embedded, &dir)),
        Err(_) => Ok(LoadedPrices { book: Cow::Borrowed(embedded), refreshed: Vec::new(), notes: Vec::new() }),
    }
}

/// [`load`], with its notes printed on stderr: what reports and the app start from.
pub fn book() -> Result<Cow<'static, PriceBook>, SourceError> {
    let loaded = load()?;
    for note in &loaded.notes {
        eprintln!("note: {note}");
    }
    Ok(loaded.book)
}

struct Refreshed {
    bytes: Vec<u8>,
    path: PathBuf,
    entry: ManifestEntry,
}

/// Reads a refreshed region from its chunk, every other one from the embedded book.
struct LayeredReader {
    embedded: &'static PriceBook,
    refreshed: BTreeMap<String, Refreshed>,
    catalog: Catalog,
    sources: BTreeMap<String, SourceMeta>,
}

impl RegionReader for LayeredReader {
    fn read(&self, region: &str) -> Result<RegionPrices, String> {
        if let Some(r) = self.refreshed.get(region) {
            let fix = format!(
                "run `capplan pricing refresh --region {region}` again, or delete '{}' to use the embedded prices",
                r.path.display()
            );
            let prices = parse_region(region, &r.bytes, &self.catalog, &self.sources)
                .map_err(|e| format!("the refreshed prices in '{}' cannot be read ({e}): {fix}", r.path.display()))?;
            if prices.on_demand.len() != r.entry.node_prices || prices.reserved.len() != r.entry.reserved {
                return Err(format!(
                    "the refreshed prices in '{}' hold {} node prices and {} reserved offers, their manifest says {} and {}: {fix}",
                    r.path.display(),
                    prices.on_demand.len(),
                    prices.reserved.len(),
                    r.entry.node_prices,
                    r.entry.reserved
                ));
            }
            return Ok(prices);
        }
        match self.embedded.load_region(region) {
            Ok(Some(prices)) => Ok(prices.clone()),
            Ok(None) => Err(format!("no prices for '{region}'")),
            Err(e) => Err(e.reason),
        }
    }
}

/// The embedded book with the usable refreshed regions of `cache_dir` layered over it. Pure but
/// for reading the cache files; never fails: what cannot be used is a note.
pub fn layered(embedded: &'static PriceBook, cache_dir: &Path) -> LoadedPrices {
    let mut notes = Vec::new();
    let folder = cache_dir.join(PRICES_DIR);
    let embedded_only =
        |notes: Vec<String>| LoadedPrices { book: Cow::Borrowed(embedded), refreshed: Vec::new(), notes };
    let manifest = match read_manifest(cache_dir) {
        Ok(Some(m)) => m,
        Ok(None) => return embedded_only(notes),
        Err(e) => {
            notes.push(format!(
                "refreshed prices left out: {e}; using the embedded prices (run `capplan pricing refresh` again, or delete '{}')",
                folder.display()
            ));
            return embedded_only(notes);
        }
    };
    let mut refreshed = BTreeMap::new();
    for (code, entry) in manifest.regions {
        let path = region_path(cache_dir, &code);
        let fix = format!("run `capplan pricing refresh --region {code}` again, or delete '{}'", path.display());
        if !is_commercial(&code) {
            notes.push(format!(
                "refreshed prices for '{code}' left out: the manifest names '{code}', not a region capplan prices; using the embedded prices (run `capplan pricing refresh` again, or delete '{}')",
                manifest_path(cache_dir).display()
            ));
            continue;
        }
        let bytes = match user_cache::read(&path) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                notes.push(format!(
                    "refreshed prices for '{code}' left out: '{}' is missing; using the embedded prices ({fix})",
                    path.display()
                ));
                continue;
            }
            Err(e) => {
                notes.push(format!("refreshed prices for '{code}' left out: {e}; using the embedded prices ({fix})"));
                continue;
            }
        };
        let Some(entry) = select(&entry, &bytes).cloned() else {
            notes.push(format!(
                "refreshed prices for '{code}' left out: '{}' is not the file the refresh wrote (changed or cut short since); using the embedded prices ({fix})",
                path.display()
            ));
            continue;
        };
        let entry = ManifestEntry { replacing: None, ..entry };
        if entry.file != format!("regions/{code}.json") {
            notes.push(format!(
                "refreshed prices for '{code}' left out: the manifest names '{}', not a region file; {fix}",
                entry.file
            ));
            continue;
        }
        if entry.source != API_SOURCE && entry.source != BULK_SOURCE {
            notes.push(format!("refreshed prices for '{code}' left out: unknown source '{}'; {fix}", entry.source));
            continue;
        }
        if embedded.regions.contains_key(&code) && entry.as_of <= embedded.as_of {
            notes.push(format!(
                "refreshed prices for '{code}' (Price List of {}) are not newer than the embedded prices (as of {}): using the embedded ones",
                entry.as_of, embedded.as_of
            ));
            continue;
        }
        refreshed.insert(code, Refreshed { bytes, path, entry });
    }
    if refreshed.is_empty() {
        return embedded_only(notes);
    }
    let mut newest: BTreeMap<&str, NaiveDate> = BTreeMap::new();
    for r in refreshed.values() {
        let id = if r.entry.source == API_SOURCE { API_SOURCE } else { BULK_SOURCE };
        let date = newest.entry(id).or_insert(r.entry.as_of);
        *date = (*date).max(r.entry.as_of);
    }
    let sources = sources_with_refresh(embedded, cache_dir, &newest);
    let used: Vec<RefreshedRegion> = refreshed
        .iter()
        .map(|(code, r)| RefreshedRegion {
            code: code.clone(),
            as_of: r.entry.as_of,
            source: r.entry.source.clone(),
            path: r.path.clone(),
        })
        .collect();
    let mut codes: Vec<String> = embedded.regions.keys().cloned().collect();
    codes.extend(refreshed.keys().filter(|c| !embedded.regions.contains_key(c.as_str())).cloned());
    let reader = LayeredReader { embedded, refreshed, catalog: embedded.catalog.clone(), sources: sources.clone() };
    let book = PriceBook {
        as_of: embedded.as_of,
        origin: origin(&embedded.origin, &used),
        catalog: embedded.catalog.clone(),
        regions: Regions::lazy(codes, Arc::new(reader)),
        backup_default: embedded.backup_default.clone(),
        cross_az_per_gb: embedded.cross_az_per_gb.clone(),
        extended_support_starts: embedded.extended_support_starts.clone(),
        upstash: embedded.upstash.clone(),
        sources,
        savings_plans: embedded.savings_plans.clone(),
    };
    LoadedPrices { book: Cow::Owned(book), refreshed: used, notes }
}

/// `embedded pricing cache, with eu-west-1 refreshed from the AWS Price List (2026-11-20)`.
fn origin(embedded: &str, used: &[RefreshedRegion]) -> String {
    let dates: std::collections::BTreeSet<NaiveDate> = used.iter().map(|r| r.as_of).collect();
    let dates: Vec<String> = dates.iter().map(ToString::to_string).collect();
    let regions = if used.len() <= 3 {
        used.iter().map(|r| r.code.as_str()).collect::<Vec<_>>().join(", ")
    } else {
        format!("{} regions", used.len())
    };
    format!("{embedded}, with {regions} refreshed from the AWS Price List ({})", dates.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalog::Engine;
    use crate::source::pricelist::{Defaults, Origin, normalize, parse_get_products_item};
    use rust_decimal_macros::dec;

    /// A refreshed chunk for `region` made from the r7g.large fixture (its eu-west-1 prices,
    /// relabelled), written with its manifest entry into `dir`, published on `published`.
    fn write_refresh(dir: &Path, region: &str, published: &str) -> PathBuf {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pricelist/getproducts_eu-west-1_cache.r7g.large.json"
        ))
        .unwrap();
        let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
        let products: Vec<_> = answer["PriceList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| parse_get_products_item(&s.as_str().unwrap().replace("2026-11-20", published)).unwrap())
            .collect();
        let book = offline::embedded().unwrap();
        let n = normalize(
            "eu-west-1",
            &products,
            &Defaults::from_book(book, "eu-west-1"),
            Origin { source_id: API_SOURCE },
        )
        .unwrap()
        .unwrap();
        let bytes =
            n.chunk.to_json().replace("\"region\": \"eu-west-1\"", &format!("\"region\": \"{region}\"")).into_bytes();
        let path = region_path(dir, region);
        user_cache::write(&path, &bytes).unwrap();
        let mut manifest = read_manifest(dir)
            .unwrap()
            .unwrap_or(Manifest { schema_version: MANIFEST_VERSION, regions: BTreeMap::new() });
        manifest.regions.insert(
            region.to_string(),
            ManifestEntry {
                as_of: n.as_of,
                published: n.published,
                offer_version: n.version,
                source: API_SOURCE.to_string(),
                fetched_at: "2026-11-23T10:00:00Z".to_string(),
                file: format!("regions/{region}.json"),
                sha256: sha256_hex(&bytes),
                node_prices: 3,
                reserved: 18,
                replacing: None,
            },
        );
        user_cache::write(&manifest_path(dir), &serde_json::to_vec(&manifest).unwrap()).unwrap();
        path
    }

    /// What `layered` uses for `region`: (its as-of date, the notes).
    fn used(dir: &Path, region: &str) -> (Option<NaiveDate>, Vec<String>) {
        let loaded = layered(offline::embedded().unwrap(), dir);
        (loaded.refreshed.iter().find(|r| r.code == region).map(|r| r.as_of), loaded.notes)
    }

    fn date(text: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
    }

    /// Issue 13: a refresh killed at any moment of its write leaves prices the manifest vouches
    /// for. The states between the steps of `write_region`, made by hand: after the manifest
    /// names the new chunk (still vouching for the old one), and after the new chunk is renamed
    /// into place; then the whole write.
    #[test]
    fn issue_13_a_refresh_stopped_between_its_writes_leaves_prices_the_manifest_vouches_for() {
        let dir = tempfile::tempdir().unwrap();
        let chunk = write_refresh(dir.path(), "eu-west-1", "2026-11-20");
        let old_bytes = std::fs::read(&chunk).unwrap();
        let old_entry = read_manifest(dir.path()).unwrap().unwrap().regions["eu-west-1"].clone();
        let newer = tempfile::tempdir().unwrap();
        let new_bytes = std::fs::read(write_refresh(newer.path(), "eu-west-1", "2026-11-21")).unwrap();
        let new_entry = read_manifest(newer.path()).unwrap().unwrap().regions["eu-west-1"].clone();
        assert_ne!(old_bytes, new_bytes);
        assert_eq!(used(dir.path(), "eu-west-1"), (date("2026-11-20"), vec![]));

        // step 1 done: the manifest names the new chunk and vouches for the old one still
        let mut manifest = read_manifest(dir.path()).unwrap().unwrap();
        manifest.regions.insert(
            "eu-west-1".into(),
            ManifestEntry { replacing: Some(Box::new(old_entry.clone())), ..new_entry.clone() },
        );
        user_cache::write(&manifest_path(dir.path()), &serde_json::to_vec(&manifest).unwrap()).unwrap();
        assert_eq!(used(dir.path(), "eu-west-1"), (date("2026-11-20"), vec![]), "the old chunk, whole");
        // step 2 done: the new chunk is in place
        user_cache::write(&chunk, &new_bytes).unwrap();
        assert_eq!(used(dir.path(), "eu-west-1"), (date("2026-11-21"), vec![]), "the new chunk, whole");
        // a chunk neither entry vouches for is still left out
        std::fs::write(&chunk, &new_bytes[..new_bytes.len() / 2]).unwrap();
        let (as_of, notes) = used(dir.path(), "eu-west-1");
        assert!(as_of.is_none() && notes[0].contains("is not the file the refresh wrote"), "{notes:?}");

        // the whole write, from the old state: the manifest ends naming the new chunk alone
        user_cache::write(&chunk, &old_bytes).unwrap();
        manifest.regions.insert("eu-west-1".into(), old_entry);
        user_cache::write(&manifest_path(dir.path()), &serde_json::to_vec(&manifest).unwrap()).unwrap();
        assert_eq!(write_region(dir.path(), "eu-west-1", &new_bytes, new_entry.clone()).unwrap(), chunk);
        assert_eq!(std::fs::read(&chunk).unwrap(), new_bytes);
        assert_eq!(read_manifest(dir.path()).unwrap().unwrap().regions["eu-west-1"], new_entry);
        assert_eq!(used(dir.path(), "eu-west-1"), (date("2026-11-21"), vec![]));
    }

    #[test]
    fn nothing_refreshed_is_the_embedded_book_itself() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = layered(offline::embedded().unwrap(), dir.path());
        assert!(matches!(loaded.book, Cow::Borrowed(_)));
        assert!(loaded.refreshed.is_empty() && loaded.notes.is_empty());
    }

    #[test]
    fn a_newer_refresh_replaces_its_region_only_and_may_add_a_region() {
        let dir = tempfile::tempdir().unwrap();
        let embedded = offline::embedded().unwrap();
        write_refresh(dir.path(), "eu-west-1", "2026-11-20");
        write_refresh(dir.path(), "ap-east-2", "2026-11-20");
        let loaded = layered(embedded, dir.path());
        assert!(loaded.notes.is_empty(), "{:?}", loaded.notes);
        let book = &loaded.book;
        assert_eq!(
            book.origin,
            "embedded pricing cache, with ap-east-2, eu-west-1 refreshed from the AWS Price List (2026-11-20)"
        );
        let id = book.catalog.find("cache.r7g.large").unwrap();
        let rate = book.on_demand("eu-west-1", id, Engine::Valkey).unwrap();
        assert_eq!(
            (rate.usd, rate.source.source_id.as_str(), rate.source.date.as_str()),
            (dec!(0.1944), API_SOURCE, "2026-11-20")
        );
        assert!(book.sources[API_SOURCE].title.contains(&dir.path().join(PRICES_DIR).display().to_string()));
        assert_eq!(book.sources[API_SOURCE].as_of, "2026-11-20");
        // eu-west-1 now holds what the refresh holds: r7g.large only
        assert_eq!(book.region("eu-west-1").unwrap().on_demand.len(), 3);
        assert!(book.region_names().contains(&"ap-east-2"), "a region the embedded cache does not cover");
        assert_eq!(book.on_demand("ap-east-2", id, Engine::Redis).unwrap().usd, dec!(0.243));
        // every other region is the embedded one
        assert_eq!(book.region("us-east-1"), embedded.region("us-east-1"));
        assert_eq!(book.region_names().len(), embedded.region_names().len() + 1);
    }

    #[test]
    fn a_refresh_not_newer_than_the_embedded_prices_or_not_the_file_written_is_left_out_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let embedded = offline::embedded().unwrap();
        write_refresh(dir.path(), "eu-west-1", "2026-10-02");
        let loaded = layered(embedded, dir.path());
        assert!(matches!(loaded.book, Cow::Borrowed(_)));
        assert_eq!(
            loaded.notes,
            [
                "refreshed prices for 'eu-west-1' (Price List of 2026-10-02) are not newer than the embedded prices (as of 2026-10-02): using the embedded ones"
            ]
        );

        let path = write_refresh(dir.path(), "eu-west-1", "2026-11-20");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.truncate(bytes.len() - 10);
        std::fs::write(&path, &bytes).unwrap();
        let loaded = layered(embedded, dir.path());
        assert!(matches!(loaded.book, Cow::Borrowed(_)));
        assert!(loaded.notes[0].contains("is not the file the refresh wrote"), "{:?}", loaded.notes);
        assert!(loaded.notes[0].contains("capplan pricing refresh --region eu-west-1"), "{:?}", loaded.notes);

        std::fs::remove_file(&path).unwrap();
        let loaded = layered(embedded, dir.path());
        assert!(loaded.notes[0].contains("is missing"), "{:?}", loaded.notes);

        std::fs::write(manifest_path(dir.path()), b"[]").unwrap();
        let loaded = layered(embedded, dir.path());
        assert!(loaded.notes[0].starts_with("refreshed prices left out: cache '"), "{:?}", loaded.notes);
        assert!(loaded.notes[0].contains("not a refreshed-prices manifest"), "{:?}", loaded.notes);
    }
}
