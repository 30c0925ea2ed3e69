//! `capplan pricing refresh` end to end: the real binary, with the real `aws-sdk-pricing` client
//! over HTTP and the bulk download, against the Price List test server
//! (`tests/harness/pricelist_front.py`) on 127.0.0.1, which serves products built from the
//! vendored real price data with decoys among them. Each run has a cleared environment: the
//! server as `AWS_ENDPOINT_URL` and `CAPPLAN_PRICE_LIST_URL`, fake credentials or none, an empty
//! home, a cache directory of its own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use capplan::model::catalog::Engine;
use capplan::model::price::{PriceKind, RegionPrices};
use capplan::source::offline::{embedded, parse_region};
use capplan::source::pricelist::{API_SOURCE, BULK_SOURCE};
use capplan::source::prices;
use chrono::NaiveDate;
use serde_json::Value;

use crate::aws_support::{Harness, calls, control, fault, run_child};
use crate::support::AS_OF;

/// The test server's default publication date.
const PUBLISHED: &str = "2026-11-20";

const PLAN: &str = "region = \"us-east-2\"\n[env.shop]\nengine = \"valkey\"\nha = true\n[env.shop.workload]\ndata_gb = 8.0\nrequests_per_sec = 2500\n";

struct Setup {
    harness: Harness,
    home: tempfile::TempDir,
    cache: tempfile::TempDir,
    work: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let setup = Setup {
            harness: Harness::start_script("pricelist_front.py"),
            home: tempfile::tempdir().unwrap(),
            cache: tempfile::tempdir().unwrap(),
            work: tempfile::tempdir().unwrap(),
        };
        std::fs::write(setup.work.path().join("plan.toml"), PLAN).unwrap();
        setup
    }

    fn port(&self) -> u16 {
        self.harness.port
    }

    fn set(&self, json: &str) {
        control(self.port(), "POST", "/_harness/pricelist", json);
    }

    /// The binary with a cleared environment: the test server for every AWS and Price List
    /// address, fake credentials when asked, an empty home, the setup's cache directory.
    fn capplan(&self, credentials: bool) -> Command {
        let mut cmd = Command::cargo_bin("capplan").unwrap();
        cmd.env_clear().current_dir(self.work.path()).envs(self.env(credentials));
        cmd
    }

    /// The same as a process to start and stop (`prefix` runs before it, e.g. `sh -c …`).
    fn spawn(&self, credentials: bool, prefix: &[&str], args: &[&str]) -> std::process::Child {
        let bin = assert_cmd::cargo::cargo_bin("capplan");
        let mut cmd = match prefix.split_first() {
            Some((first, rest)) => {
                let mut c = std::process::Command::new(first);
                c.args(rest).arg(&bin);
                c
            }
            None => std::process::Command::new(&bin),
        };
        cmd.env_clear()
            .current_dir(self.work.path())
            .envs(self.env(credentials))
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn env(&self, credentials: bool) -> Vec<(&'static str, std::ffi::OsString)> {
        let home = self.home.path();
        let mut env: Vec<(&'static str, std::ffi::OsString)> = vec![
            ("PATH", std::env::var_os("PATH").unwrap_or_default()),
            ("HOME", home.into()),
            ("AWS_CONFIG_FILE", home.join(".aws/config").into()),
            ("AWS_SHARED_CREDENTIALS_FILE", home.join(".aws/credentials").into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("AWS_ENDPOINT_URL", self.harness.url().into()),
            ("CAPPLAN_PRICE_LIST_URL", self.harness.url().into()),
            ("CAPPLAN_CACHE_DIR", self.cache.path().into()),
            ("CAPPLAN_AS_OF", AS_OF.into()),
            ("NO_COLOR", "1".into()),
        ];
        if credentials {
            env.push(("AWS_ACCESS_KEY_ID", "AKIAFAKECAPPLAN00TST".into()));
            env.push(("AWS_SECRET_ACCESS_KEY", "capplanFakeSecret".into()));
        }
        env
    }

    fn refresh(&self, credentials: bool, args: &[&str]) -> Output {
        self.capplan(credentials).args(["pricing", "refresh"]).args(args).output().unwrap()
    }

    fn chunk(&self, region: &str) -> PathBuf {
        prices::region_path(self.cache.path(), region)
    }

    fn manifest(&self) -> Value {
        serde_json::from_slice(&std::fs::read(prices::manifest_path(self.cache.path())).unwrap()).unwrap()
    }

    /// `capplan report --env shop --format json` on `plan`, with the setup's cache (no network).
    fn report(&self, plan: &str) -> (Value, String) {
        std::fs::write(self.work.path().join("report.toml"), plan).unwrap();
        let out = self
            .capplan(false)
            .args(["--offline", "report", "--plan", "report.toml", "--env", "shop", "--format", "json"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "report failed: {stderr}");
        (serde_json::from_slice(&out.stdout).unwrap(), stderr)
    }

    fn count(&self, region: &str) -> (u64, u64) {
        let v: Value =
            serde_json::from_str(&control(self.port(), "GET", &format!("/_harness/count/{region}"), "")).unwrap();
        (v["products"].as_u64().unwrap(), v["page_size"].as_u64().unwrap())
    }

    /// Every file under the cache's prices folder, by name.
    fn files(&self) -> Vec<String> {
        let mut out = Vec::new();
        let root = self.cache.path().join(prices::PRICES_DIR);
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for e in entries {
                let path = e.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    out.push(path.strip_prefix(&root).unwrap().display().to_string());
                }
            }
        }
        out.sort();
        out
    }
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn ok(out: &Output) -> String {
    let (stdout, stderr) = text(out);
    assert!(out.status.success(), "refresh failed ({:?}):\n{stdout}\n{stderr}", out.status.code());
    stdout
}

fn failed(out: &Output) -> String {
    let (stdout, stderr) = text(out);
    assert_eq!(out.status.code(), Some(2), "expected exit 2:\n{stdout}\n{stderr}");
    stderr
}

/// The refreshed chunk of `region` read back by the embedded cache's own parser.
fn read_chunk(path: &Path, region: &str, cache_dir: &Path) -> RegionPrices {
    let book = embedded().unwrap();
    let date = NaiveDate::parse_from_str(PUBLISHED, "%Y-%m-%d").unwrap();
    let sources =
        prices::sources_with_refresh(book, cache_dir, &BTreeMap::from([(API_SOURCE, date), (BULK_SOURCE, date)]));
    parse_region(region, &std::fs::read(path).unwrap(), &book.catalog, &sources).unwrap()
}

/// The lines of every option and of `current` in an env report.
fn lines(env: &Value) -> Vec<&Value> {
    env["options"].as_array().unwrap().iter().flat_map(|o| o["lines"].as_array().unwrap()).collect()
}

#[test]
fn a_refresh_through_the_api_reads_every_page_rejects_the_decoys_and_the_report_uses_it() {
    let s = Setup::new();
    s.set(r#"{"page_size": 40}"#);
    let (products, page_size) = s.count("us-east-2");
    let pages = products.div_ceil(page_size);
    assert!(pages >= 5, "{products} products in pages of {page_size}");

    let stdout = ok(&s.refresh(true, &["--region", "us-east-2"]));
    assert!(
        stdout.starts_with(
            "prices from the AWS Price List Query API (pricing:GetProducts through the us-east-1 endpoint)"
        ),
        "{stdout}"
    );
    assert_eq!(calls(s.port(), "GetProducts"), pages, "every page, once");
    assert_eq!(calls(s.port(), "offer"), 0);
    assert!(stdout.contains(&format!("us-east-2: AWS Price List of {PUBLISHED}, offer 20261120090000 (aws-price-list, {pages} GetProducts pages, {products} products)")), "{stdout}");
    // the decoys: SyncDurability and Outposts rejected, Extended Support kept apart
    assert!(
        stdout.contains(
            "rejected, never a node price: 4 SyncDurability add-on, 8 not in an AWS Region (Outposts, Local Zone…)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("Extended Support rates (8 from Price List rows)"), "{stdout}");
    assert!(
        stdout.contains(
            "changes against the embedded prices (as of 2026-10-02):\n    + 1 snapshot storage rate in us-east-2\n"
        ),
        "{stdout}"
    );

    // written atomically, whole, and vouched for by the manifest
    assert_eq!(s.files(), ["manifest.json", "regions/us-east-2.json"], "no temp file left");
    let manifest = s.manifest();
    let entry = &manifest["regions"]["us-east-2"];
    assert_eq!((entry["source"].as_str(), entry["as_of"].as_str()), (Some(API_SOURCE), Some(PUBLISHED)));
    assert_eq!(entry["offer_version"], "20261120090000");
    let bytes = std::fs::read(s.chunk("us-east-2")).unwrap();
    assert_eq!(entry["sha256"].as_str().unwrap(), prices::sha256_hex(&bytes));

    // the embedded chunk of us-east-2 comes from the same pricing page data: the Price List read
    // through GetProducts must give exactly its prices, whatever the decoys among them
    let refreshed = read_chunk(&s.chunk("us-east-2"), "us-east-2", s.cache.path());
    let book = embedded().unwrap();
    let old = book.region("us-east-2").unwrap();
    assert_eq!(refreshed.on_demand.len(), old.on_demand.len());
    for (key, rate) in &old.on_demand {
        assert_eq!(refreshed.on_demand[key].usd, rate.usd, "{} {:?}", book.catalog.node(key.0).name, key.1);
        assert_eq!(refreshed.on_demand[key].source.source_id, API_SOURCE);
    }
    assert_eq!(refreshed.reserved.len(), old.reserved.len());
    for (key, offer) in &old.reserved {
        let new = &refreshed.reserved[key];
        assert_eq!((new.upfront_usd, new.hourly_usd), (offer.upfront_usd, offer.hourly_usd), "{key:?}");
        assert_eq!(new.source.kind == PriceKind::Derived, offer.source.kind == PriceKind::Derived, "{key:?}");
    }
    for (engine, rates) in &old.serverless {
        let new = &refreshed.serverless[engine];
        assert_eq!(new.storage_gb_hour.usd, rates.storage_gb_hour.usd);
        assert_eq!(new.ecpu_per_million.usd, rates.ecpu_per_million.usd);
        assert_eq!(new.min_storage_gb, rates.min_storage_gb, "carried over");
        assert_eq!(new.ecpu_per_million.source.kind, PriceKind::AwsPriceList);
    }
    assert_eq!(refreshed.extended_support.len(), old.extended_support.len());
    for (key, rate) in &old.extended_support {
        assert_eq!(refreshed.extended_support[key].usd, rate.usd, "{key:?}");
    }
    let r7g = book.catalog.find("cache.r7g.large").unwrap();
    assert_eq!(
        refreshed.on_demand[&(r7g, Engine::Valkey)].usd,
        rust_decimal_macros::dec!(0.1752),
        "not the Outposts SKU"
    );
    assert_eq!(refreshed.backup.as_ref().unwrap().usd, book.backup_default.usd);

    // a report afterwards prices us-east-2 from the refresh, and says so on every line
    let (env, stderr) = s.report(PLAN);
    assert!(!stderr.contains("left out"), "{stderr}");
    let origin = env["pricing"]["origin"].as_str().unwrap();
    assert_eq!(origin, "embedded pricing cache, with us-east-2 refreshed from the AWS Price List (2026-11-20)");
    let node_lines: Vec<&Value> = lines(&env)
        .into_iter()
        .filter(|l| l["unit"] == "node-hour" || l["item"].as_str().unwrap().contains("node"))
        .collect();
    assert!(!node_lines.is_empty());
    for line in lines(&env) {
        let src = &line["price_source"];
        assert!(
            !["PG1_aws_pricing_page", "PG2_aws_pricing_page_reserved"].contains(&src["id"].as_str().unwrap()),
            "an embedded us-east-2 price is still used: {line}"
        );
    }
    let recommended = env["recommendation"]["option_id"].as_str().unwrap();
    let option = crate::support::option(&env, recommended);
    let priced: Vec<&Value> =
        option["lines"].as_array().unwrap().iter().filter(|l| l["price_source"]["id"] == API_SOURCE).collect();
    assert!(!priced.is_empty(), "{option}");
    for line in priced {
        assert_eq!(line["price_source"]["kind"], "aws-price-list");
        assert_eq!(line["price_source"]["date"], PUBLISHED);
    }
    let cited = env["pricing"]["sources"].as_array().unwrap();
    let source = cited.iter().find(|s| s["id"] == API_SOURCE).unwrap();
    assert!(
        source["source"].as_str().unwrap().contains(&s.cache.path().join("prices").display().to_string()),
        "names the cache: {source}"
    );

    // the Markdown report cites it too
    let out = s.capplan(false).args(["report", "--plan", "report.toml", "--env", "shop"]).output().unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains("| aws-price-list | aws-price-list | AWS Price List Query API (GetProducts, AmazonElastiCache)"),
        "{md}"
    );
    assert!(md.contains("with us-east-2 refreshed from the AWS Price List (2026-11-20)"));
}

#[test]
fn what_changed_is_printed_against_the_cache_it_replaces() {
    let s = Setup::new();
    s.set(r#"{"drop": [{"region": "us-east-2", "family": "ElastiCache Serverless"}]}"#);
    let stdout = ok(&s.refresh(true, &["--region", "us-east-2"]));
    assert!(stdout.contains("- 6 Serverless rates in us-east-2 (no longer in the new prices)"), "{stdout}");

    s.set(r#"{"drop": [], "publication": "2026-11-21T09:00:00Z", "price": [{"region": "us-east-2", "instanceType": "cache.r7g.large", "engine": "Valkey", "usd": "0.1976"}]}"#);
    let stdout = ok(&s.refresh(true, &["--region", "us-east-2"]));
    assert!(stdout.contains("changes against the refresh of 2026-11-20 (aws-price-list):"), "{stdout}");
    assert!(stdout.contains("    cache.r7g.large valkey on-demand 0.1752 → 0.1976\n"), "{stdout}");
    assert!(stdout.contains("    + 6 Serverless rates in us-east-2\n"), "{stdout}");

    let stdout = ok(&s.refresh(true, &["--region", "us-east-2"]));
    assert!(
        stdout.contains("changes against the refresh of 2026-11-21 (aws-price-list):\n    no change ("),
        "{stdout}"
    );
    let (env, _) = s.report(PLAN);
    let changed = lines(&env).into_iter().find(|l| {
        l["price_source"]["note"].as_str().is_some_and(|n| n.contains("JRTCKXETXF"))
            && crate::support::dec(&l["unit_usd"]) == rust_decimal_macros::dec!(0.1976)
    });
    assert!(changed.is_some(), "the new price is the one used");

    // a long list of changes is bounded
    let many: Vec<String> = [
        "cache.r7g.large",
        "cache.r7g.xlarge",
        "cache.r7g.2xlarge",
        "cache.m7g.large",
        "cache.m7g.xlarge",
        "cache.t4g.micro",
        "cache.t4g.small",
        "cache.t4g.medium",
        "cache.r6g.large",
        "cache.m6g.large",
    ]
    .iter()
    .flat_map(|n| {
        ["Valkey", "Redis", "Memcached"]
            .map(|e| format!(r#"{{"region": "us-east-2", "instanceType": "{n}", "engine": "{e}", "usd": "9.99"}}"#))
    })
    .collect();
    s.set(&format!(r#"{{"price": [{}]}}"#, many.join(",")));
    let stdout = ok(&s.refresh(true, &["--region", "us-east-2"]));
    let listed = stdout.lines().filter(|l| l.starts_with("    cache.") && l.contains(" → ")).count();
    assert_eq!(listed, 25, "{stdout}");
    assert!(stdout.contains(" more changed prices in us-east-2\n"), "{stdout}");
}

#[test]
fn a_failure_on_page_3_leaves_the_previous_cache_byte_identical() {
    let s = Setup::new();
    s.set(r#"{"page_size": 40}"#);
    ok(&s.refresh(true, &["--region", "us-east-2"]));
    let chunk = std::fs::read(s.chunk("us-east-2")).unwrap();
    let manifest = std::fs::read(prices::manifest_path(s.cache.path())).unwrap();
    let before = calls(s.port(), "GetProducts");

    s.set(r#"{"publication": "2026-11-22T09:00:00Z", "price": [{"region": "us-east-2", "instanceType": "cache.r7g.large", "engine": "Valkey", "usd": "0.5"}]}"#);
    fault(s.port(), r#"{"op": "GetProducts", "kind": "server_error", "page": 3}"#);
    let stderr = failed(&s.refresh(true, &["--region", "us-east-2"]));
    assert!(
        stderr.contains("'pricing:GetProducts'") && stderr.contains("HTTP 500") && stderr.contains("every attempt"),
        "{stderr}"
    );
    assert_eq!(calls(s.port(), "GetProducts") - before, 2 + 4, "pages 1 and 2, then page 3 tried four times");
    assert_eq!(std::fs::read(s.chunk("us-east-2")).unwrap(), chunk, "the previous prices are untouched");
    assert_eq!(std::fs::read(prices::manifest_path(s.cache.path())).unwrap(), manifest);
    assert_eq!(s.files(), ["manifest.json", "regions/us-east-2.json"], "no temp file left");
}

#[test]
fn without_credentials_the_public_bulk_offer_files_are_read() {
    let s = Setup::new();
    let stdout = ok(&s.refresh(false, &["--region", "eu-west-1"]));
    assert!(
        stdout.starts_with("prices from the public AWS Price List bulk offer files (no AWS credentials found; they need no AWS account)"),
        "{stdout}"
    );
    assert_eq!((calls(s.port(), "region_index"), calls(s.port(), "offer"), calls(s.port(), "GetProducts")), (1, 1, 0));
    assert!(
        stdout.contains("eu-west-1: AWS Price List of 2026-11-20, offer 20261120090000 (aws-price-list-bulk,"),
        "{stdout}"
    );
    assert!(stdout.contains("rejected, never a node price: 4 SyncDurability add-on"), "{stdout}");
    assert_eq!(s.manifest()["regions"]["eu-west-1"]["source"], BULK_SOURCE);
    let refreshed = read_chunk(&s.chunk("eu-west-1"), "eu-west-1", s.cache.path());
    let book = embedded().unwrap();
    let r7g = book.catalog.find("cache.r7g.large").unwrap();
    assert_eq!(refreshed.on_demand[&(r7g, Engine::Valkey)].usd, rust_decimal_macros::dec!(0.1944));

    let (env, _) = s.report(&PLAN.replace("us-east-2", "eu-west-1"));
    let recommended = env["recommendation"]["option_id"].as_str().unwrap();
    let option = crate::support::option(&env, recommended);
    assert!(
        option["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["price_source"]["id"] == BULK_SOURCE && l["price_source"]["date"] == PUBLISHED),
        "{option}"
    );
}

#[test]
fn offline_refuses_a_refresh() {
    let s = Setup::new();
    let stderr =
        failed(&s.capplan(true).args(["--offline", "pricing", "refresh", "--region", "us-east-2"]).output().unwrap());
    assert!(
        stderr.contains("--offline forbids the network") && stderr.contains("run it without --offline"),
        "{stderr}"
    );
    let seen: BTreeMap<String, u64> = serde_json::from_str(&control(s.port(), "GET", "/_harness/calls", "")).unwrap();
    assert!(seen.is_empty(), "nothing was asked: {seen:?}");
    assert!(s.files().is_empty());
}

#[test]
fn access_denied_names_pricing_get_products_and_writes_nothing() {
    let s = Setup::new();
    fault(s.port(), r#"{"op": "GetProducts", "kind": "access_denied"}"#);
    let stderr = failed(&s.refresh(true, &["--region", "us-east-2"]));
    assert!(
        stderr.contains("access denied") && stderr.contains("grant the IAM action 'pricing:GetProducts'"),
        "{stderr}"
    );
    assert!(!stderr.contains("capplanFakeSecret") && !stderr.contains("AKIAFAKECAPPLAN00TST"), "{stderr}");
    assert!(s.files().is_empty());
}

#[test]
fn throttling_is_retried_then_reported() {
    let s = Setup::new();
    fault(s.port(), r#"{"op": "GetProducts", "kind": "throttle"}"#);
    let stderr = failed(&s.refresh(true, &["--region", "us-east-2"]));
    assert!(stderr.contains("AWS throttled 'pricing:GetProducts' on every attempt"), "{stderr}");
    assert_eq!(calls(s.port(), "GetProducts"), 4, "retried three times");
    // throttled twice, then answered: retried and done
    control(s.port(), "DELETE", "/_harness/faults", "");
    fault(s.port(), r#"{"op": "GetProducts", "kind": "throttle", "times": 2}"#);
    ok(&s.refresh(true, &["--region", "us-east-2"]));
}

#[test]
fn unknown_regions_and_regions_without_data_are_clear_errors() {
    let s = Setup::new();
    let stderr = failed(&s.refresh(true, &["--region", "eu-wset-1"]));
    assert!(stderr.contains("'eu-wset-1' is not an AWS region (did you mean 'eu-west-1'?)"), "{stderr}");
    let stderr = failed(&s.refresh(true, &["--region", "us-gov-west-1"]));
    assert!(stderr.contains("outside the commercial AWS partition"), "{stderr}");
    let seen: BTreeMap<String, u64> = serde_json::from_str(&control(s.port(), "GET", "/_harness/calls", "")).unwrap();
    assert!(seen.is_empty(), "nothing was asked for a bad region: {seen:?}");

    // a real region the Price List has no ElastiCache products for
    let stderr = failed(&s.refresh(true, &["--region", "ap-east-2"]));
    assert!(stderr.contains("no ElastiCache prices for 'ap-east-2'"), "{stderr}");
    let stderr = failed(&s.refresh(false, &["--region", "ap-east-2"]));
    assert!(stderr.contains("bulk offer files have no ElastiCache prices for 'ap-east-2'"), "{stderr}");
    assert!(s.files().is_empty());
}

#[test]
fn a_corrupt_cached_file_falls_back_to_the_embedded_prices_with_a_note_or_names_itself() {
    let s = Setup::new();
    ok(&s.refresh(true, &["--region", "us-east-2"]));
    let chunk = s.chunk("us-east-2");
    let good = std::fs::read(&chunk).unwrap();

    // cut short: not the file the refresh wrote
    std::fs::write(&chunk, &good[..good.len() / 2]).unwrap();
    let (env, stderr) = s.report(PLAN);
    assert!(stderr.contains("note: refreshed prices for 'us-east-2' left out:"), "{stderr}");
    assert!(
        stderr.contains(&chunk.display().to_string()) && stderr.contains("capplan pricing refresh --region us-east-2"),
        "{stderr}"
    );
    assert_eq!(env["pricing"]["origin"], "embedded pricing cache");
    assert!(lines(&env).iter().all(|l| l["price_source"]["id"] != API_SOURCE));

    // a manifest that is not one
    std::fs::write(&chunk, &good).unwrap();
    let manifest = prices::manifest_path(s.cache.path());
    let manifest_bytes = std::fs::read(&manifest).unwrap();
    std::fs::write(&manifest, b"{\"schema_version\": 1, \"regions\": ").unwrap();
    let (env, stderr) = s.report(PLAN);
    assert!(stderr.contains("note: refreshed prices left out:") && stderr.contains("delete"), "{stderr}");
    assert_eq!(env["pricing"]["origin"], "embedded pricing cache");

    // the bytes the manifest vouches for, yet not a chunk: an error naming the file and the fix
    let broken = b"{\"schema_version\": 2, \"region\": \"us-east-2\", \"node_prices\": 7}";
    let mut m: Value = serde_json::from_slice(&manifest_bytes).unwrap();
    m["regions"]["us-east-2"]["sha256"] = Value::String(prices::sha256_hex(broken));
    std::fs::write(&manifest, serde_json::to_vec(&m).unwrap()).unwrap();
    std::fs::write(&chunk, broken).unwrap();
    let out = s.capplan(false).args(["report", "--plan", "report.toml", "--env", "shop"]).output().unwrap();
    let stderr = failed(&out);
    assert!(stderr.contains(&format!("the refreshed prices in '{}' cannot be read", chunk.display())), "{stderr}");
    assert!(stderr.contains("run `capplan pricing refresh --region us-east-2` again, or delete"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_price_list_not_newer_than_the_embedded_prices_is_kept_but_not_used() {
    let s = Setup::new();
    s.set(r#"{"publication": "2025-06-24T13:06:39Z", "version": "20250624130639"}"#);
    let stdout = ok(&s.refresh(true, &["--region", "us-east-2"]));
    assert!(stdout.contains("is not newer than the embedded prices: reports keep using the embedded ones"), "{stdout}");
    let (env, stderr) = s.report(PLAN);
    assert!(
        stderr.contains("refreshed prices for 'us-east-2' (Price List of 2025-06-24) are not newer than the embedded prices (as of 2026-10-02)"),
        "{stderr}"
    );
    assert_eq!(env["pricing"]["origin"], "embedded pricing cache");
}

#[test]
fn without_a_region_the_refresh_takes_the_regions_the_plan_uses() {
    let s = Setup::new();
    std::fs::write(
        s.work.path().join("capplan.toml"),
        format!("{PLAN}[env.eu]\nregion = \"eu-central-1\"\nengine = \"redis\"\n[env.eu.workload]\ndata_gb = 1.0\nrequests_per_sec = 10\n"),
    )
    .unwrap();
    let out = s.refresh(true, &[]);
    let stdout = ok(&out);
    let (_, stderr) = text(&out);
    assert!(stderr.contains("refreshing the regions capplan.toml uses: us-east-2, eu-central-1"), "{stderr}");
    assert!(
        stdout.contains("\nus-east-2: AWS Price List") && stdout.contains("\neu-central-1: AWS Price List"),
        "{stdout}"
    );
    assert_eq!(s.files(), ["manifest.json", "regions/eu-central-1.json", "regions/us-east-2.json"]);
    let manifest = s.manifest();
    assert_eq!(manifest["regions"].as_object().unwrap().len(), 2);
}

#[test]
fn the_library_refresh_reports_its_progress_and_bounds_its_waits() {
    let s = Setup::new();
    let mut env = s.harness.env();
    env.push(("CAPPLAN_PRICE_LIST_URL", s.harness.url()));
    env.push(("CAPPLAN_CACHE_DIR", s.cache.path().display().to_string()));
    run_child("pricing::child::library_refresh", &env, s.home.path());
}

/// Run only inside a child process with the harness environment (they return at once elsewhere).
mod child {
    use std::time::Duration;

    use capplan::source::SourceError;
    use capplan::source::aws::AwsOptions;
    use capplan::source::price_refresh::{Progress, RefreshOptions, RegionSelection, Via, refresh};
    use capplan::source::prices;

    use crate::aws_support::{calls, child_port, control, fault, in_child};

    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn library_refresh() {
        if !in_child() {
            return;
        }
        let port = child_port();
        control(port, "POST", "/_harness/pricelist", r#"{"page_size": 50}"#);
        let cache = std::path::PathBuf::from(std::env::var("CAPPLAN_CACHE_DIR").unwrap());
        let regions = RegionSelection::Listed(vec!["sa-east-1".to_string()]);
        let mut opts = RefreshOptions::new(regions, None, cache.clone(), chrono::Utc::now());
        let mut events = Vec::new();
        let summary = refresh(&opts, |p| events.push(p)).await.unwrap();
        assert_eq!(summary.via, Via::Api { endpoint_region: "us-east-1".to_string() });
        let done = &summary.regions[0];
        let pages = events.iter().filter(|e| matches!(e, Progress::Page { .. })).count();
        assert_eq!(u64::from(done.pages), calls(port, "GetProducts"));
        assert_eq!(pages, done.pages as usize);
        assert!(pages >= 4, "{pages} pages of 50");
        assert!(matches!(events.first(), Some(Progress::Chose(Via::Api { .. }))), "{events:?}");
        assert!(matches!(events.last(), Some(Progress::Wrote { region, .. }) if region == "sa-east-1"), "{events:?}");
        let Some(Progress::Page { products, .. }) = events.iter().rev().find(|e| matches!(e, Progress::Page { .. }))
        else {
            panic!("no page")
        };
        assert_eq!(*products, done.stats.products);
        assert!(done.in_use && done.changes.changed.is_empty(), "{:?}", done.changes);

        // what the app reloads afterwards
        let loaded = prices::load().unwrap();
        assert_eq!(loaded.refreshed.len(), 1);
        assert_eq!(loaded.refreshed[0].code, "sa-east-1");
        assert!(loaded.book.origin.contains("sa-east-1 refreshed from the AWS Price List"));

        // a server that does not answer: a bounded, clear timeout, and nothing changed
        let before = std::fs::read(prices::region_path(&cache, "sa-east-1")).unwrap();
        fault(port, r#"{"op": "GetProducts", "kind": "sleep", "seconds": 6}"#);
        opts.aws = AwsOptions {
            attempt_timeout: Duration::from_secs(1),
            operation_timeout: Duration::from_secs(2),
            max_attempts: 1,
            ..opts.aws.clone()
        };
        let e = refresh(&opts, |_| {}).await.unwrap_err();
        assert!(matches!(&e, SourceError::AwsTimeout { action, .. } if action == "pricing:GetProducts"), "{e:?}");
        assert!(e.to_string().contains("timed out"), "{e}");
        assert_eq!(std::fs::read(prices::region_path(&cache, "sa-east-1")).unwrap(), before);
    }
}

#[test]
fn all_regions_refreshes_every_commercial_region_with_prices_and_skips_the_others() {
    let s = Setup::new();
    let stdout = ok(&s.refresh(true, &["--all-regions"]));
    let book = embedded().unwrap();
    // the server has every region of the pricing page, which are the embedded cache's 32
    for code in book.region_names() {
        assert!(stdout.contains(&format!("\n{code}: AWS Price List of {PUBLISHED}")), "{code} missing:\n{stdout}");
    }
    assert!(stdout.contains("skipped: the AWS Price List has no ElastiCache prices for 'ap-east-2'"), "{stdout}");
    assert!(!stdout.contains("us-gov-") && !stdout.contains("cn-north"), "other partitions are not asked for");
    let manifest = s.manifest();
    assert_eq!(manifest["regions"].as_object().unwrap().len(), book.region_names().len());
    assert_eq!(s.files().len(), 1 + book.region_names().len(), "no temp file left");
}

#[test]
fn p_in_the_app_refreshes_the_prices_and_re_evaluates_with_them() {
    let s = Setup::new();
    let home = s.home.path();
    let vars = [
        ("HOME", home.display().to_string()),
        ("AWS_CONFIG_FILE", home.join(".aws/config").display().to_string()),
        ("AWS_SHARED_CREDENTIALS_FILE", home.join(".aws/credentials").display().to_string()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_ENDPOINT_URL", s.harness.url()),
        ("CAPPLAN_PRICE_LIST_URL", s.harness.url()),
        ("CAPPLAN_CACHE_DIR", s.cache.path().display().to_string()),
        ("CAPPLAN_AS_OF", AS_OF.into()),
        ("NO_COLOR", "1".into()),
        ("AWS_ACCESS_KEY_ID", "AKIAFAKECAPPLAN00TST".into()),
        ("AWS_SECRET_ACCESS_KEY", "capplanFakeSecret".into()),
        ("PATH", std::env::var("PATH").unwrap_or_default()),
    ];
    let env = vars.iter().map(|(k, v)| format!("{k}='{v}'")).collect::<Vec<_>>().join(" ");
    let tmux = crate::tui_e2e::Tmux::start("prices", 120, 40);
    tmux.keys(&[
        &format!(
            "cd '{}' && env -i {env} '{}' --plan plan.toml; echo EXIT=$?",
            s.work.path().display(),
            env!("CARGO_BIN_EXE_capplan")
        ),
        "Enter",
    ]);
    let star = |screen: &str| -> String {
        let line = screen.lines().find(|l| l.contains("shop · ★")).unwrap_or_else(|| panic!("no ★ in:\n{screen}"));
        line.split("shop · ★").nth(1).unwrap().split(" ─").next().unwrap().trim().to_string()
    };
    let before = star(&tmux.wait("shop's options", |s| s.contains("shop · ★")));
    // the refreshed prices differ where it shows: the recommended node type costs $9.99 an hour
    // in the Price List now, and Serverless has no rates
    let mut words = before.split_whitespace();
    let (engine, node) = (words.next().unwrap(), words.next().unwrap());
    let engine = if engine == "valkey" { "Valkey" } else { "Redis" };
    s.set(&format!(
        r#"{{"drop": [{{"region": "us-east-2", "family": "ElastiCache Serverless"}}], "price": [{{"region": "us-east-2", "instanceType": "cache.{node}", "engine": "{engine}", "usd": "9.99"}}]}}"#
    ));
    let calls_before = calls(s.port(), "GetProducts");
    tmux.keys(&["p"]);
    let done = tmux.wait("the refresh", |s| s.contains("prices refreshed") || s.contains("prices not refreshed"));
    assert!(done.contains("us-east-2: "), "the status line says what changed:\n{done}");
    assert!(calls(s.port(), "GetProducts") > calls_before, "p asked the Price List");
    let after =
        tmux.wait("shop re-evaluated", |s| s.contains("shop · ★") && !s.contains("recomputing") && star(s) != before);
    assert!(
        !star(&after).contains("serverless"),
        "Serverless has no price in the refreshed us-east-2: {}",
        star(&after)
    );
    assert!(s.manifest()["regions"]["us-east-2"].is_object(), "the refresh is kept in the user cache");
    tmux.keys(&["q"]);
    tmux.wait("exit", |s| s.contains("EXIT=0"));
    tmux.assert_restored();
}

// ---- issue 13: faults ------------------------------------------------------------------------

/// Issue 13: every way the refreshed cache can be damaged (a crash, a full disk, a bad copy, a
/// hand edit) leaves reports on exactly the embedded prices, exit 0, with a note that names the
/// damaged file and the fix: never a panic, never the prices of half a file.
#[test]
fn issue_13_a_damaged_pricing_cache_falls_back_to_the_embedded_prices_naming_the_file_and_the_fix() {
    /// How a file is damaged.
    enum Damage {
        Bytes(Vec<u8>),
        Folder,
        Missing,
    }
    let s = Setup::new();
    let (embedded_only, stderr) = s.report(PLAN);
    assert!(!stderr.contains("refreshed prices"), "{stderr}");
    ok(&s.refresh(true, &["--region", "us-east-2"]));
    let (refreshed, _) = s.report(PLAN);
    assert_ne!(refreshed["pricing"], embedded_only["pricing"], "the refresh is in use before the damage");

    let manifest = prices::manifest_path(s.cache.path());
    let chunk = s.chunk("us-east-2");
    let good_manifest = std::fs::read(&manifest).unwrap();
    let good_chunk = std::fs::read(&chunk).unwrap();
    let mut flipped = good_chunk.clone();
    let digit = flipped.iter().rposition(u8::is_ascii_digit).unwrap();
    flipped[digit] = if flipped[digit] == b'9' { b'8' } else { flipped[digit] + 1 };
    let mut outside: Value = serde_json::from_slice(&good_manifest).unwrap();
    let entry = outside["regions"]["us-east-2"].take();
    outside["regions"] = serde_json::json!({ "../../us-east-2": entry });
    let mut later = serde_json::from_slice::<Value>(&good_manifest).unwrap();
    later["schema_version"] = Value::from(99);

    let cases: Vec<(&str, &PathBuf, Damage)> = vec![
        ("an empty manifest", &manifest, Damage::Bytes(Vec::new())),
        ("a manifest of binary garbage", &manifest, Damage::Bytes(vec![0x00, 0xff, 0xfe, 0x7b, 0x80, 0x00])),
        ("a manifest cut in half", &manifest, Damage::Bytes(good_manifest[..good_manifest.len() / 2].to_vec())),
        ("a manifest of a later schema", &manifest, Damage::Bytes(serde_json::to_vec(&later).unwrap())),
        ("a manifest naming a file outside", &manifest, Damage::Bytes(serde_json::to_vec(&outside).unwrap())),
        ("a folder where the manifest was", &manifest, Damage::Folder),
        ("an empty chunk", &chunk, Damage::Bytes(Vec::new())),
        ("a chunk cut in half", &chunk, Damage::Bytes(good_chunk[..good_chunk.len() / 2].to_vec())),
        ("a chunk with one digit changed", &chunk, Damage::Bytes(flipped)),
        ("a folder where the chunk was", &chunk, Damage::Folder),
        ("a missing chunk", &chunk, Damage::Missing),
    ];
    for (what, path, damage) in cases {
        for (p, good) in [(&manifest, &good_manifest), (&chunk, &good_chunk)] {
            if p.is_dir() {
                std::fs::remove_dir(p).unwrap();
            }
            std::fs::write(p, good).unwrap();
        }
        match damage {
            Damage::Bytes(bytes) => std::fs::write(path, bytes).unwrap(),
            Damage::Folder => {
                std::fs::remove_file(path).unwrap();
                std::fs::create_dir(path).unwrap();
            }
            Damage::Missing => std::fs::remove_file(path).unwrap(),
        }
        let (env, stderr) = s.report(PLAN);
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        let note = stderr.lines().find(|l| l.starts_with("note: refreshed prices")).unwrap_or_else(|| {
            panic!("{what}: no note on stderr:\n{stderr}");
        });
        assert!(note.contains(&path.display().to_string()), "{what}: names the file: {note}");
        assert!(note.contains("capplan pricing refresh") && note.contains("delete"), "{what}: the fix: {note}");
        assert!(note.contains("embedded"), "{what}: {note}");
        assert_eq!(env, embedded_only, "{what}: the report is priced from the embedded cache alone");
    }
}

/// Issue 13: a refresh killed (SIGKILL) while it waits for the Price List leaves the previous
/// cache byte for byte, and reports keep using it.
#[test]
fn issue_13_a_refresh_killed_mid_download_leaves_the_old_cache_whole() {
    let s = Setup::new();
    s.set(r#"{"page_size": 40}"#);
    ok(&s.refresh(true, &["--region", "us-east-2"]));
    let chunk = std::fs::read(s.chunk("us-east-2")).unwrap();
    let manifest = std::fs::read(prices::manifest_path(s.cache.path())).unwrap();
    let (before, _) = s.report(PLAN);

    s.set(r#"{"publication": "2026-11-22T09:00:00Z", "price": [{"region": "us-east-2", "instanceType": "cache.r7g.large", "engine": "Valkey", "usd": "0.5"}]}"#);
    fault(s.port(), r#"{"op": "GetProducts", "kind": "sleep", "seconds": 20, "page": 3}"#);
    let asked = calls(s.port(), "GetProducts");
    let mut child = s.spawn(true, &[], &["pricing", "refresh", "--region", "us-east-2"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_mins(1);
    while calls(s.port(), "GetProducts") < asked + 3 {
        assert!(std::time::Instant::now() < deadline, "the refresh never asked for page 3");
        assert!(child.try_wait().unwrap().is_none(), "the refresh ended before page 3");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    assert_eq!(std::fs::read(s.chunk("us-east-2")).unwrap(), chunk, "the previous prices, byte for byte");
    assert_eq!(std::fs::read(prices::manifest_path(s.cache.path())).unwrap(), manifest);
    assert_eq!(s.files(), ["manifest.json", "regions/us-east-2.json"], "nothing else");
    let (after, stderr) = s.report(PLAN);
    assert!(!stderr.contains("left out"), "{stderr}");
    assert_eq!(after, before, "reports still use the previous refresh");
}

/// Issue 13: a refresh killed by the kernel in the middle of writing the new chunk (a file-size
/// limit of 8 KiB: the manifest fits, the chunk does not, so SIGXFSZ stops the process inside its
/// write) leaves the old chunk whole and vouched for; reports keep using it; the next refresh
/// completes and removes the cut temporary file once it is stale.
#[cfg(unix)]
#[test]
fn issue_13_a_refresh_killed_mid_write_leaves_the_old_cache_whole() {
    use std::os::unix::process::ExitStatusExt;
    /// SIGXFSZ on Linux: a file grew past the process's `RLIMIT_FSIZE`.
    const SIGXFSZ: i32 = 25;
    const LIMIT_BYTES: u64 = 16 * 512;

    let s = Setup::new();
    ok(&s.refresh(true, &["--region", "us-east-2"]));
    let chunk = std::fs::read(s.chunk("us-east-2")).unwrap();
    assert!(chunk.len() as u64 > 4 * LIMIT_BYTES, "the chunk ({} bytes) must outgrow the limit", chunk.len());
    let (before, _) = s.report(PLAN);

    s.set(r#"{"publication": "2026-11-22T09:00:00Z", "price": [{"region": "us-east-2", "instanceType": "cache.r7g.large", "engine": "Valkey", "usd": "0.5"}]}"#);
    // `ulimit -f` counts 512-byte blocks in POSIX sh
    let limit = format!("ulimit -c 0; ulimit -f {}; exec \"$0\" \"$@\"", LIMIT_BYTES / 512);
    let out = s
        .spawn(true, &["sh", "-c", &limit], &["pricing", "refresh", "--region", "us-east-2"])
        .wait_with_output()
        .unwrap();
    assert_eq!(
        out.status.signal(),
        Some(SIGXFSZ),
        "killed mid-write: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );

    assert_eq!(std::fs::read(s.chunk("us-east-2")).unwrap(), chunk, "the old chunk, whole");
    let manifest = s.manifest();
    let entry = &manifest["regions"]["us-east-2"];
    assert_eq!(entry["as_of"], "2026-11-22", "the manifest names the new chunk…");
    assert_eq!(entry["replacing"]["as_of"], PUBLISHED, "…and still vouches for the old one");
    let cut: Vec<String> = s.files().into_iter().filter(|f| f.contains(".capplan-")).collect();
    assert_eq!(cut.len(), 1, "{cut:?}");
    let cut = s.cache.path().join(prices::PRICES_DIR).join(&cut[0]);
    assert_eq!(std::fs::metadata(&cut).unwrap().len(), LIMIT_BYTES, "the write was cut at the limit");
    let (after, stderr) = s.report(PLAN);
    assert!(!stderr.contains("left out"), "{stderr}");
    assert_eq!(after, before, "reports still use the previous refresh");

    // the next refresh completes, and removes the cut file once it is stale
    let stale = std::time::SystemTime::now() - std::time::Duration::from_hours(2);
    std::fs::File::options().write(true).open(&cut).unwrap().set_modified(stale).unwrap();
    ok(&s.refresh(true, &["--region", "us-east-2"]));
    assert_eq!(s.files(), ["manifest.json", "regions/us-east-2.json"]);
    let entry = &s.manifest()["regions"]["us-east-2"];
    assert!(entry.get("replacing").is_none(), "{entry}");
    let (env, _) = s.report(PLAN);
    assert!(env["pricing"]["origin"].as_str().unwrap().contains("(2026-11-22)"), "{}", env["pricing"]);
}

/// Issue 13: the bulk offer files failing with server errors are retried a bounded number of
/// times, then named; a Price List that accepts connections and never answers (the bulk files
/// or the API) is a bounded wait, set with `CAPPLAN_AWS_TIMEOUT`; nothing is written.
#[test]
fn issue_13_price_list_failures_and_a_silent_server_are_bounded_and_named() {
    let s = Setup::new();
    fault(s.port(), r#"{"op": "offer", "kind": "server_error"}"#);
    let out =
        s.capplan(false).env("AWS_MAX_ATTEMPTS", "2").args(["pricing", "refresh", "--region", "eu-west-1"]).output();
    let stderr = failed(&out.unwrap());
    assert!(stderr.contains("HTTP 503") && stderr.contains("eu-west-1/index.json"), "{stderr}");
    assert_eq!(calls(s.port(), "offer"), 2, "AWS_MAX_ATTEMPTS attempts");
    assert!(s.files().is_empty());

    let silent = crate::aws_support::SilentServer::start();
    for (credentials, var, expected) in [
        (false, "CAPPLAN_PRICE_LIST_URL", "no answer within 1 s"),
        (true, "AWS_ENDPOINT_URL", "'pricing:GetProducts' in 'us-east-1' timed out (limit 2 s)"),
    ] {
        let started = std::time::Instant::now();
        let out = s
            .capplan(credentials)
            .env(var, silent.url())
            .env("CAPPLAN_AWS_TIMEOUT", if credentials { "2" } else { "1" })
            .env("AWS_MAX_ATTEMPTS", "2")
            .args(["pricing", "refresh", "--region", "eu-west-1"])
            .timeout(std::time::Duration::from_mins(2))
            .output()
            .unwrap();
        let elapsed = started.elapsed();
        let stderr = failed(&out);
        assert!(elapsed < std::time::Duration::from_secs(20), "{var}: bounded, took {elapsed:?}");
        assert!(stderr.contains(expected), "{var}: {stderr}");
        assert!(s.files().is_empty());
    }
    assert!(silent.accepted() >= 2, "the silent server was asked");

    let stderr =
        failed(&s.capplan(false).env("CAPPLAN_AWS_TIMEOUT", "soon").args(["pricing", "refresh"]).output().unwrap());
    assert!(stderr.contains("CAPPLAN_AWS_TIMEOUT: 'soon' is not a number of seconds"), "{stderr}");
}

/// Issue 13: the keys and the session token a refresh signs with, from the environment or from
/// a credentials file named by `--profile`, never appear in its output, its errors or the cache
/// it writes: when it works, when access is denied, when nothing listens.
#[test]
fn issue_13_no_key_secret_or_session_token_is_shown_or_written_by_a_refresh() {
    use crate::secrets::assert_hidden;
    const TOKEN: &str = "IQoJcapplanPricingSessionTokenFromEnv0123456789abcdefghijklmnopqrstuvwxyz/+==";
    const FILE_KEY_ID: &str = "ASIAFILECAPPLAN01TST";
    const FILE_SECRET: &str = "capplanFileSecretKey/0123456789abcdefGHIJ";
    const FILE_TOKEN: &str = "FwoGZXIvYXdzEcapplanPricingSessionTokenFromFile0123456789abcdefghijklmnopq==";
    let s = Setup::new();
    let aws = s.home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(
        aws.join("credentials"),
        format!("[capplan-secret]\naws_access_key_id = {FILE_KEY_ID}\naws_secret_access_key = {FILE_SECRET}\naws_session_token = {FILE_TOKEN}\n"),
    )
    .unwrap();
    std::fs::write(aws.join("config"), "[profile capplan-secret]\nregion = us-east-1\n").unwrap();
    let secrets =
        ["AKIAFAKECAPPLAN00TST", "capplanFakeSecret", TOKEN, FILE_KEY_ID, FILE_SECRET, FILE_TOKEN, "SessionToken"];
    let hidden = |what: &str, out: &Output| {
        assert_hidden(what, &secrets, out, s.cache.path());
        assert_hidden(what, &secrets, out, s.work.path());
    };

    fault(s.port(), r#"{"op": "GetProducts", "kind": "access_denied"}"#);
    let out =
        s.capplan(true).env("AWS_SESSION_TOKEN", TOKEN).args(["pricing", "refresh", "--region", "us-east-2"]).output();
    let out = out.unwrap();
    assert!(failed(&out).contains("access denied"));
    hidden("access denied", &out);
    let out = s
        .capplan(true)
        .env("AWS_SESSION_TOKEN", TOKEN)
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .args(["pricing", "refresh", "--region", "us-east-2"])
        .output()
        .unwrap();
    assert!(failed(&out).contains("cannot reach AWS"));
    hidden("connection refused", &out);

    control(s.port(), "DELETE", "/_harness/faults", "");
    let out =
        s.capplan(false).args(["--profile", "capplan-secret", "pricing", "refresh", "--region", "us-east-2"]).output();
    let out = out.unwrap();
    assert!(ok(&out).contains("through the us-east-1 endpoint"), "the file's credentials were used");
    hidden("a refresh with a profile's credentials", &out);
}
