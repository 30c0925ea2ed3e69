//! `capplan review` (issue 12): golden reviews of a plan with one cache of each verdict over
//! 2026-10 (`tests/fixtures/review/`), month over month against a previous review, with a bill
//! built here, and the bad inputs. The fixtures' metrics files come from [`generate`];
//! `UPDATE_GOLDEN=1 cargo test --test it review` rewrites them and the golden files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use capplan::model::bill::{Bill, BilledLine, Month};
use rust_decimal::Decimal;

use crate::support::capplan;

const MONTH: &str = "2026-10";

fn manifest(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some()
}

fn assert_golden(name: &str, actual: &str) {
    let path = manifest("tests/golden").join(name);
    if updating() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run UPDATE_GOLDEN=1 cargo test to create it)", path.display()));
    pretty_assertions::assert_eq!(
        expected,
        actual,
        "{} differs (UPDATE_GOLDEN=1 cargo test rewrites it)",
        path.display()
    );
}

fn validate(instance: &serde_json::Value) {
    let schema_text = std::fs::read_to_string(manifest("assets/review.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(instance).take(10).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "review does not match assets/review.schema.json:\n{}", errors.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// the fixtures' metrics, generated

/// Share of the daily load in each hour of the day (UTC).
const DAY_SHAPE: [f64; 24] = [
    0.5, 0.4, 0.35, 0.3, 0.3, 0.35, 0.5, 0.7, 0.9, 1.0, 1.1, 1.2, 1.2, 1.15, 1.1, 1.1, 1.15, 1.25, 1.35, 1.4, 1.3, 1.1,
    0.8, 0.6,
];

const GIB: f64 = 1_073_741_824.0;
const MB: f64 = 1_048_576.0;

/// One series: metric, stat, value at hour `h` of the month with its day shape `f`.
type Spec = (&'static str, &'static str, fn(usize, f64) -> f64);

fn specs(env: &str) -> (&'static str, usize, Vec<Spec>) {
    match env {
        // big nodes, little data, low CPU
        "catalog" => (
            "CacheClusterId=catalog-prod-0001-001",
            31,
            vec![
                ("BytesUsedForCache", "Average", |h, _| (4.0 + 0.001 * h as f64) * GIB),
                ("EngineCPUUtilization", "Average", |_, f| 3.0 + 5.0 * f),
                ("GetTypeCmds", "Sum", |_, f| 1800.0 * f * 3600.0),
                ("SetTypeCmds", "Sum", |_, f| 200.0 * f * 3600.0),
                ("CurrConnections", "Maximum", |_, f| (100.0 + 50.0 * f).round()),
                ("Evictions", "Sum", |_, _| 0.0),
                ("SwapUsage", "Maximum", |_, _| MB),
                ("NetworkBytesIn", "Sum", |_, f| 200_000.0 * f * 3600.0),
                ("NetworkBytesOut", "Sum", |_, f| 1_500_000.0 * f * 3600.0),
            ],
        ),
        // a session store near full: evictions at the evening peak, swapping
        "sessions" => (
            "CacheClusterId=sessions-prod-0001-001",
            31,
            vec![
                ("BytesUsedForCache", "Average", |_, f| (8.5 + 0.5 * f) * GIB),
                ("EngineCPUUtilization", "Average", |_, f| 30.0 + 20.0 * f),
                ("GetTypeCmds", "Sum", |_, f| 3000.0 * f * 3600.0),
                ("SetTypeCmds", "Sum", |_, f| 1000.0 * f * 3600.0),
                ("CurrConnections", "Maximum", |_, f| (600.0 + 200.0 * f).round()),
                ("Evictions", "Sum", |_, f| if f >= 1.3 { 25.0 } else { 0.0 }),
                ("SwapUsage", "Maximum", |_, f| if f >= 1.3 { 80.0 * MB } else { 20.0 * MB }),
                ("NetworkBytesIn", "Sum", |_, f| 2_000_000.0 * f * 3600.0),
                ("NetworkBytesOut", "Sum", |_, f| 6_000_000.0 * f * 3600.0),
            ],
        ),
        // uses its node within the headroom; only 14 days exported
        "api" => (
            "CacheClusterId=api-prod-0001-001",
            14,
            vec![
                ("BytesUsedForCache", "Average", |_, f| (2.2 + 0.3 * f) * GIB),
                ("EngineCPUUtilization", "Average", |_, f| 20.0 + 25.0 * f),
                ("GetTypeCmds", "Sum", |_, f| 7000.0 * f * 3600.0),
                ("SetTypeCmds", "Sum", |_, f| 1000.0 * f * 3600.0),
                ("CurrConnections", "Maximum", |_, f| (250.0 + 50.0 * f).round()),
                ("Evictions", "Sum", |_, _| 0.0),
                ("SwapUsage", "Maximum", |_, _| 2.0 * MB),
                ("NetworkBytesIn", "Sum", |_, f| 3_000_000.0 * f * 3600.0),
                ("NetworkBytesOut", "Sum", |_, f| 9_000_000.0 * f * 3600.0),
            ],
        ),
        // a Serverless sandbox: a health check every 10 s and one connection
        "sandbox" => (
            "clusterId=sandbox-cache",
            31,
            vec![
                ("BytesUsedForCache", "Average", |_, _| 0.02 * GIB),
                ("ElastiCacheProcessingUnits", "Sum", |_, _| 360.0),
                ("TotalCmdsCount", "Sum", |_, _| 360.0),
                ("CurrConnections", "Maximum", |_, _| 1.0),
                ("ThrottledCmds", "Sum", |_, _| 0.0),
                ("Evictions", "Sum", |_, _| 0.0),
            ],
        ),
        other => panic!("no fixture environment '{other}'"),
    }
}

const ENVS: [&str; 4] = ["catalog", "sessions", "api", "sandbox"];

/// The metrics file of one fixture environment: a `GetMetricData` export, hourly points from
/// the start of 2026-10.
pub fn generate(env: &str) -> String {
    let start = Month::parse(MONTH).unwrap().start_epoch();
    let (dimension, days, series) = specs(env);
    let (dim_name, dim_value) = dimension.split_once('=').unwrap();
    let mut queries = Vec::new();
    let mut results = Vec::new();
    for (i, (metric, stat, value)) in series.iter().enumerate() {
        queries.push(format!(
            "    {{\"Id\": \"m{i}\", \"MetricStat\": {{\"Metric\": {{\"Namespace\": \"AWS/ElastiCache\", \"MetricName\": \"{metric}\", \"Dimensions\": [{{\"Name\": \"{dim_name}\", \"Value\": \"{dim_value}\"}}]}}, \"Period\": 3600, \"Stat\": \"{stat}\"}}}}"
        ));
        let hours = days * 24;
        let mut ts = String::new();
        let mut vs = String::new();
        for h in 0..hours {
            let v = value(h, DAY_SHAPE[h % 24]);
            let v = (v * 1000.0).round() / 1000.0;
            let sep = if h == 0 { "" } else { ", " };
            let _ = write!(ts, "{sep}{}", start + 3600 * i64::try_from(h).unwrap());
            let _ = write!(vs, "{sep}{v}");
        }
        results.push(format!("    {{\"Id\": \"m{i}\", \"Timestamps\": [{ts}], \"Values\": [{vs}]}}"));
    }
    format!(
        "{{\n  \"MetricDataQueries\": [\n{}\n  ],\n  \"MetricDataResults\": [\n{}\n  ]\n}}\n",
        queries.join(",\n"),
        results.join(",\n")
    )
}

#[test]
fn review_fixtures_match_their_generator() {
    for env in ENVS {
        let path = manifest("tests/fixtures/review").join(format!("metrics-{env}.json"));
        let text = generate(env);
        if updating() {
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let vendored = std::fs::read_to_string(&path).unwrap();
        assert!(vendored == text, "{} differs from its generator (UPDATE_GOLDEN=1 rewrites it)", path.display());
    }
}

// ---------------------------------------------------------------------------------------------
// running it

/// A copy of the fixture plan and its metrics in a temporary folder (a review saves beside
/// its plan), with the previous review when asked.
fn fixture_dir(with_previous: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = manifest("tests/fixtures/review");
    let mut names = vec!["capplan.toml".to_string()];
    names.extend(ENVS.iter().map(|e| format!("metrics-{e}.json")));
    for name in names {
        std::fs::copy(from.join(&name), dir.path().join(&name)).unwrap();
    }
    if with_previous {
        let name = "capplan-review-2026-09.json";
        std::fs::copy(from.join("previous").join(name), dir.path().join(name)).unwrap();
    }
    dir
}

fn review(dir: &Path, args: &[&str]) -> std::process::Output {
    capplan(dir).args(["--plan", "capplan.toml", "review"]).args(args).output().unwrap()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn review_markdown_of_the_four_verdicts() {
    let dir = fixture_dir(false);
    let out = review(dir.path(), &["--month", MONTH, "--no-save"]);
    // sessions is under-provisioned: the review is written and the exit status says so
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("under-provisioned: sessions"), "{}", stderr(&out));
    assert_golden("review-2026-10.md", &stdout(&out));
    assert!(!dir.path().join("capplan-review-2026-10.json").exists(), "--no-save saves nothing");
}

#[test]
fn review_json_of_the_four_verdicts_matches_its_schema() {
    let dir = fixture_dir(false);
    let out = review(dir.path(), &["--month", MONTH, "--format", "json", "--no-save"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert_golden("review-2026-10.json", &text);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    validate(&value);
    let verdicts: Vec<(&str, &str)> = value["envs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["env"].as_str().unwrap(), e["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("catalog", "over-provisioned"),
            ("sessions", "under-provisioned"),
            ("api", "right-sized"),
            ("sandbox", "idle")
        ]
    );
    for e in value["envs"].as_array().unwrap() {
        assert!(e["billed_usd"].is_null());
        let (m, r, s) = (
            crate::support::dec(&e["modelled_usd"]),
            crate::support::dec(&e["recommended_usd"]),
            crate::support::dec(&e["saving_usd"]),
        );
        assert_eq!(m - r, s, "{}: saving = modelled − recommended", e["env"]);
    }
    // the risk of the under-provisioned cache is what growing costs
    assert!(crate::support::dec(&value["envs"][1]["saving_usd"]) < Decimal::ZERO);
    // node-hours are October's 744 hours, not 730
    assert_eq!(value["envs"][0]["current"]["lines"][0]["quantity"], serde_json::json!(1488));
}

#[test]
fn review_snapshots_of_the_current_cache_are_the_measured_data_when_the_plan_gives_no_size() {
    // catalog keeps 7 snapshots and the plan names no snapshot_gb (and no data_gb: the metrics
    // measure it): 6 billed snapshots of the measured ~4.37 GiB, not of 0 GiB
    let dir = fixture_dir(false);
    let plan = dir.path().join("capplan.toml");
    let text = std::fs::read_to_string(&plan).unwrap().replacen(
        "node_type = \"cache.r7g.2xlarge\"\nshards = 1\nreplicas = 1\nsnapshot_retention_days = 1",
        "node_type = \"cache.r7g.2xlarge\"\nshards = 1\nreplicas = 1\nsnapshot_retention_days = 7",
        1,
    );
    assert!(text.contains("snapshot_retention_days = 7\n\n[env.catalog.metrics]"));
    std::fs::write(&plan, text).unwrap();
    let out = review(dir.path(), &["--month", MONTH, "--env", "catalog", "--format", "json", "--no-save"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let lines = value["envs"][0]["current"]["lines"].as_array().unwrap();
    let snapshots = lines.iter().find(|l| l["unit"] == "GB-month").expect("a snapshot line");
    let q = crate::support::dec(&snapshots["quantity"]);
    assert!(q > Decimal::from(26) && q < Decimal::from(27), "6 x 4.37 GiB, got {q}");
}

#[test]
fn review_extended_support_is_the_reviewed_months_not_todays() {
    // Redis OSS 6 enters Extended Support on 2027-02-01, Redis OSS 5 on 2026-02-01: a review
    // of 2026-10 made in March 2027 bills none for 6 and years 1-2 for 5
    for (version, expected) in
        [("6.2", None), ("5.0.6", Some("Extended Support: Redis OSS 5.0.6 (years 1-2), 2 nodes"))]
    {
        let dir = fixture_dir(false);
        let plan = dir.path().join("capplan.toml");
        let text = std::fs::read_to_string(&plan).unwrap().replacen(
            "kind = \"node\"\nengine = \"valkey\"\nnode_type = \"cache.r7g.large\"",
            &format!(
                "kind = \"node\"\nengine = \"redis\"\nengine_version = \"{version}\"\nnode_type = \"cache.r7g.large\""
            ),
            1,
        );
        assert!(text.contains(&format!("engine_version = \"{version}\"")));
        std::fs::write(&plan, text).unwrap();
        let out = review(
            dir.path(),
            &["--as-of", "2027-03-01", "--month", MONTH, "--env", "sessions", "--format", "json", "--no-save"],
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let items: Vec<&str> = value["envs"][0]["current"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["item"].as_str().unwrap())
            .filter(|i| i.starts_with("Extended Support"))
            .collect();
        assert_eq!(items, expected.into_iter().collect::<Vec<_>>(), "Redis OSS {version}");
    }
}

#[test]
fn review_csv_is_one_row_per_environment() {
    let dir = fixture_dir(false);
    let out = review(dir.path(), &["--month", MONTH, "--format", "csv", "--no-save"]);
    let text = stdout(&out);
    assert_golden("review-2026-10.csv", &text);
    assert_eq!(text.lines().next().unwrap(), capplan::report::review::CSV_HEADER.join(","));
}

#[test]
fn review_month_over_month_shows_deltas_and_top_movers_and_saves_the_review() {
    let dir = fixture_dir(true);
    let out = review(dir.path(), &["--month", MONTH]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_golden("review-2026-10-vs-2026-09.md", &stdout(&out));
    // October is 24 hours longer than September: catalog's whole +$34.49 is those hours,
    // and the review says so rather than leave it to read as growth
    assert!(
        stdout(&out).contains("2026-10 has 744 hours and 2026-09 had 720: every hourly charge is 3.3 % higher"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains(
        "**Since 2026-09**: modelled +$34.49 ($1,034.67; about +$34.49 of the change from 744 hours against 720)"
    ));
    let saved = dir.path().join("capplan-review-2026-10.json");
    assert!(
        stderr(&out)
            .contains(&format!("saved the review to {}", Path::new(".").join("capplan-review-2026-10.json").display())),
        "{}",
        stderr(&out)
    );
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&saved).unwrap()).unwrap();
    validate(&value);
    assert_eq!(value["previous_month"], "2026-09");
    // what was saved reads back as next month's previous review
    let next = capplan::command::review::read_previous(&saved, Month::parse("2026-11").unwrap()).unwrap().unwrap();
    assert_eq!(next.envs.len(), 4);
}

#[test]
fn review_a_corrupt_previous_review_is_a_warning_naming_it() {
    let dir = fixture_dir(false);
    std::fs::write(dir.path().join("capplan-review-2026-09.json"), "{ not json").unwrap();
    let out = review(dir.path(), &["--month", MONTH, "--no-save", "--env", "catalog"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: the previous review './capplan-review-2026-09.json' is not a capplan review"),
        "{err}"
    );
    assert!(stdout(&out).contains("is not a capplan review"), "the review says so too");
}

/// A bill built here: the node usage at a higher price, unmodelled snapshots and cross-AZ
/// traffic on `catalog`, a forgotten cache no environment names.
fn bill() -> Bill {
    let line = |usage_type: &str, resource: &str, usd: &str, quantity: Option<&str>| BilledLine {
        usage_type: usage_type.into(),
        resource: Some(resource.into()),
        tags: Vec::new(),
        usd: usd.parse().unwrap(),
        quantity: quantity.map(|q| q.parse().unwrap()),
        unit: quantity.map(|_| "Hrs".into()),
    };
    Bill {
        month: Month::parse(MONTH).unwrap(),
        source: "test bill built in tests/it/review.rs".into(),
        lines: vec![
            line(
                "NodeUsage:cache.r7g.2xlarge",
                "arn:aws:elasticache:us-east-1:111122223333:cluster:catalog-prod-0001-001",
                "1300.00",
                Some("1488"),
            ),
            line("USE1-BackupUsage", "catalog-prod", "12.75", None),
            line("USE1-DataTransfer-Regional-Bytes", "catalog-prod-0001-002", "45.00", None),
            line("NodeUsage:cache.r7g.large", "sessions-prod-0001-001", "260.70", Some("1488")),
            line("USE1-BackupUsage", "sessions-prod", "5.10", None),
            line(
                "USE1-CachedData:Valkey",
                "arn:aws:elasticache:us-east-1:111122223333:serverlesscache:sandbox-cache",
                "6.25",
                Some("74.4"),
            ),
            line("NodeUsage:cache.t4g.medium", "old-experiment-001", "48.36", Some("744")),
            // found by its cost allocation tag ([env.api.review] tag), not by its id
            BilledLine {
                tags: vec![("Environment".into(), "api-prod".into())],
                ..line(
                    "NodeUsage:cache.m7g.large",
                    "arn:aws:elasticache:us-east-1:111122223333:cluster:api-blue-001",
                    "188.08",
                    Some("1488"),
                )
            },
        ],
    }
}

#[test]
fn review_with_a_bill_reconciles_it_by_usage_type() {
    let dir = fixture_dir(false);
    let plan = dir.path().join("capplan.toml");
    let cli = <capplan::cli::Cli as clap::Parser>::parse_from([
        "capplan",
        "--plan",
        plan.to_str().unwrap(),
        "--offline",
        "review",
        "--month",
        MONTH,
        "--no-save",
    ]);
    let Some(capplan::cli::Command::Review(args)) = &cli.command else { panic!("not a review") };
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let settings = capplan::settings::Settings::from_cli(&cli, as_of, dir.path(), true);
    let bill = bill();
    let (review, failures) = capplan::command::review::build(args, &settings, Some(&bill)).unwrap();
    assert!(failures.is_empty(), "{failures:?}");
    let md = String::from_utf8(capplan::report::review::render(&review, capplan::report::Format::Md).unwrap()).unwrap();
    // the plan's path is a temporary folder: name it as the other goldens do
    let md = md.replace(&dir.path().display().to_string(), ".");
    assert_golden("review-2026-10-bill.md", &md);
    let json = capplan::report::review::render(&review, capplan::report::Format::Json).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    validate(&value);
    let catalog = &value["envs"][0];
    let causes: Vec<&str> =
        catalog["reconciliation"].as_array().unwrap().iter().filter_map(|r| r["likely_cause"].as_str()).collect();
    assert!(causes[0].starts_with("a price change (billed $0.8737/hr"), "{causes:?}");
    assert!(causes.iter().any(|c| c.starts_with("unmodelled snapshots (retention 1 day in the plan")), "{causes:?}");
    assert!(causes.iter().any(|c| c.starts_with("cross-AZ traffic")), "{causes:?}");
    assert_eq!(value["unassigned"][0]["resource"], "old-experiment-001");
    assert_eq!(value["unassigned"].as_array().unwrap().len(), 1);
    assert_eq!(crate::support::dec(&value["envs"][2]["billed_usd"]), "188.08".parse::<Decimal>().unwrap());
    assert_eq!(
        value["unassigned"][0]["likely_cause"],
        "a forgotten cache: it matches no environment's resources or tag"
    );
    assert_eq!(crate::support::dec(&value["totals"]["unassigned_usd"]), "48.36".parse::<Decimal>().unwrap());
}

#[test]
fn review_bad_input_is_a_clear_error() {
    let dir = fixture_dir(false);
    let out = review(dir.path(), &["--month", "2026-13"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("'2026-13' is not a month: write it as YYYY-MM"), "{}", stderr(&out));

    let out = review(dir.path(), &["--month", MONTH, "--env", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no environment 'nope' in capplan.toml; environments: catalog, sessions, api, sandbox"),
        "{}",
        stderr(&out)
    );

    // metrics that do not cover the month
    let out = review(dir.path(), &["--month", "2026-08", "--env", "catalog"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("cover none of 2026-08 (they run from 2026-10-01 to 2026-10-31)"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    // every environment: the review is written, each one says why it is missing, exit 2
    let out = review(dir.path(), &["--month", "2026-08", "--no-save"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("- **api**: capplan.toml:"), "{}", stdout(&out));
    assert!(stderr(&out).contains("error: sandbox: not reviewed:"), "{}", stderr(&out));
}

#[test]
fn review_of_the_bundled_example_covers_its_month() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        capplan(dir.path()).args(["review", "--month", "2026-11", "--no-save", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&value);
    assert_eq!(value["envs"][0]["env"], "prod");
    assert_eq!(value["envs"][0]["coverage"]["days"], 14);
    assert_eq!(value["not_reviewed"].as_array().unwrap().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// a live cache, through the real binary against moto (tests/harness)

#[test]
fn review_of_a_live_replication_group_reads_cloudwatch_for_the_month() {
    let harness = crate::aws_support::Harness::start();
    let home = tempfile::tempdir().unwrap();
    crate::aws_support::run_child("review::child::live_review", &harness.env(), home.path());
}

mod child {
    use assert_cmd::Command;
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
    use capplan::model::bill::Month;
    use capplan::source::aws::{AwsOptions, load};
    use chrono::{Datelike, Utc};

    use crate::aws_support::{calls, child_port, in_child};
    use crate::support::AS_OF;

    fn datum(metric: &str, member: &str, t: i64, value: f64) -> MetricDatum {
        MetricDatum::builder()
            .metric_name(metric)
            .dimensions(Dimension::builder().name("CacheClusterId").value(member).build())
            .dimensions(Dimension::builder().name("CacheNodeId").value("0001").build())
            .timestamp(aws_sdk_cloudwatch::primitives::DateTime::from_secs(t))
            .value(value)
            .build()
    }

    /// `rev-prod`: Valkey-compatible Redis OSS 7.1, one primary and one replica of
    /// cache.r7g.large, hourly points from the start of this month (at most 14 days) to now.
    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn live_review() {
        if !in_child() {
            return;
        }
        let port = child_port();
        let config = load(&AwsOptions::default()).await.unwrap();
        let ec = aws_sdk_elasticache::Client::new(&config);
        ec.create_replication_group()
            .replication_group_id("rev-prod")
            .replication_group_description("review")
            .engine("redis")
            .engine_version("7.1")
            .cache_node_type("cache.r7g.large")
            .replicas_per_node_group(1)
            .automatic_failover_enabled(true)
            .snapshot_retention_limit(1)
            .send()
            .await
            .unwrap();
        for member in ["rev-prod-001", "rev-prod-002"] {
            ec.create_cache_cluster()
                .cache_cluster_id(member)
                .replication_group_id("rev-prod")
                .engine("redis")
                .engine_version("7.1")
                .cache_node_type("cache.r7g.large")
                .send()
                .await
                .unwrap();
        }
        let now = Utc::now();
        let month = Month { year: now.year(), month: now.month() };
        let end = now.timestamp() / 3600 * 3600;
        let start = month.start_epoch().max(end - 14 * 86_400);
        let mut data = Vec::new();
        for member in ["rev-prod-001", "rev-prod-002"] {
            for t in (start..end).step_by(3600) {
                data.push(datum("BytesUsedForCache", member, t, 3.0 * 1_073_741_824.0));
                data.push(datum("GetTypeCmds", member, t, 60_000.0));
                data.push(datum("EngineCPUUtilization", member, t, 35.0));
                data.push(datum("CurrConnections", member, t, 100.0));
            }
        }
        let cw = aws_sdk_cloudwatch::Client::new(&config);
        for chunk in data.chunks(1000) {
            cw.put_metric_data()
                .namespace("AWS/ElastiCache")
                .set_metric_data(Some(chunk.to_vec()))
                .send()
                .await
                .unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("plan.toml"),
            "region = \"us-east-1\"\n\n[env.prod]\nengine = \"redis\"\nha = true\n\n[env.prod.metrics]\nreplication_group = \"rev-prod\"\n",
        )
        .unwrap();
        let run_month = |extra: &[&str], month: Month| {
            let mut cmd = Command::cargo_bin("capplan").unwrap();
            cmd.current_dir(dir.path())
                .env("CAPPLAN_AS_OF", AS_OF)
                .env("CAPPLAN_CACHE_DIR", cache.path())
                .env("NO_COLOR", "1")
                .args(["--plan", "plan.toml"])
                .args(extra)
                .args(["review", "--month", &month.to_string(), "--format", "json", "--no-save"]);
            cmd.output().unwrap()
        };
        let run = |extra: &[&str]| run_month(extra, month);
        let before = calls(port, "GetMetricData");
        let out = run(&[]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(calls(port, "GetMetricData") > before);
        let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let env = &value["envs"][0];
        assert_eq!(env["env"], "prod");
        // what runs comes from ElastiCache: no [env.prod.current] in the plan
        assert!(env["current"]["label"].as_str().unwrap().contains("2 x cache.r7g.large"), "{env}");
        assert!(env["coverage"]["origin"].as_str().unwrap().starts_with("CloudWatch: replication group 'rev-prod'"));
        assert_eq!(env["current"]["lines"][0]["quantity"], serde_json::json!(2 * month.hours()));
        let cpu = env["usage"].as_array().unwrap().iter().find(|u| u["metric"] == "cpu_pct").unwrap();
        assert_eq!(cpu["p95"], serde_json::json!(35.0));
        // --offline reads the fetch back from the user cache
        let before = calls(port, "GetMetricData");
        let out = run(&["--offline"]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(calls(port, "GetMetricData"), before);
        // a month CloudWatch has no points of is an error naming the cache
        let out = run_month(&[], month.previous());
        assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("CloudWatch has no points of the replication group 'rev-prod' in us-east-1 in"), "{err}");
    }
}

#[test]
fn review_refuses_a_bill_of_another_month() {
    let dir = fixture_dir(false);
    let plan = dir.path().join("capplan.toml");
    let cli = <capplan::cli::Cli as clap::Parser>::parse_from([
        "capplan",
        "--plan",
        plan.to_str().unwrap(),
        "review",
        "--month",
        "2026-09",
        "--no-save",
    ]);
    let Some(capplan::cli::Command::Review(args)) = &cli.command else { panic!("not a review") };
    let settings = capplan::settings::Settings::from_cli(
        &cli,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        dir.path(),
        true,
    );
    let err = capplan::command::review::build(args, &settings, Some(&bill())).unwrap_err().to_string();
    assert!(err.contains("is of 2026-10, the review of 2026-09"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// the bill from a Cost and Usage Report file and from Cost Explorer

/// The review's JSON without what names the bill's source (the same charges read two ways).
fn without_bill_source(mut value: serde_json::Value) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                map.remove("bill_source");
                map.remove("source");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            serde_json::Value::String(s) if s.contains("test bill built in") || s.contains("Cost and Usage Report") => {
                *s = "BILL".into();
            }
            _ => {}
        }
    }
    strip(&mut value);
    value
}

#[test]
fn review_with_bill_reads_a_cost_and_usage_report_csv_or_gzip_as_the_same_charges() {
    use std::io::Write as _;
    let dir = fixture_dir(false);
    // daily rows of 2026-10 (legacy CUR columns), with rows of EC2 and of September to skip
    let cur = manifest("tests/fixtures/review/cur-2026-10.csv");
    std::fs::copy(&cur, dir.path().join("cur.csv")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(&cur).unwrap()).unwrap();
    std::fs::write(dir.path().join("cur.csv.gz"), gz.finish().unwrap()).unwrap();

    // the same charges built in the test (see [`bill`]): the same review
    let plan = dir.path().join("capplan.toml");
    let cli = <capplan::cli::Cli as clap::Parser>::parse_from([
        "capplan",
        "--plan",
        plan.to_str().unwrap(),
        "--offline",
        "review",
        "--month",
        MONTH,
    ]);
    let Some(capplan::cli::Command::Review(args)) = &cli.command else { panic!("not a review") };
    let settings = capplan::settings::Settings::from_cli(
        &cli,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        dir.path(),
        true,
    );
    let (built, _) = capplan::command::review::build(args, &settings, Some(&bill())).unwrap();
    let built = String::from_utf8(capplan::report::review::render(&built, capplan::report::Format::Json).unwrap())
        .unwrap()
        // the binary runs in the folder and names the files relative to it
        .replace(&dir.path().display().to_string(), ".");
    let built: serde_json::Value = serde_json::from_str(&built).unwrap();

    for file in ["cur.csv", "cur.csv.gz"] {
        let out = review(dir.path(), &["--month", MONTH, "--no-save", "--format", "json", "--bill", file]);
        assert_eq!(out.status.code(), Some(1), "sessions is under-provisioned: {}", stderr(&out));
        let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        validate(&value);
        assert!(value.to_string().contains(&format!("Cost and Usage Report {file}")), "the review names the file");
        assert_eq!(crate::support::dec(&value["envs"][0]["billed_usd"]), "1357.75".parse::<Decimal>().unwrap());
        pretty_assertions::assert_eq!(without_bill_source(value), without_bill_source(built.clone()), "{file}");
    }

    // the Markdown shows the reconciliation and where the bill came from
    let out = review(dir.path(), &["--month", MONTH, "--no-save", "--bill", "cur.csv.gz"]);
    let md = stdout(&out);
    assert!(md.contains("Cost and Usage Report cur.csv.gz"), "{md}");
    assert!(md.contains("a price change (billed $0.8737/hr"), "{md}");
    assert!(md.contains("old-experiment-001"), "{md}");
}

#[test]
fn review_with_a_bill_that_cannot_be_read_says_why_and_writes_nothing() {
    let dir = fixture_dir(false);
    let out = review(dir.path(), &["--month", MONTH, "--bill", "nope.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bill 'nope.csv': no such file"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    assert!(!dir.path().join("capplan-review-2026-10.json").exists(), "nothing saved");

    std::fs::write(dir.path().join("cur.csv"), "Date,Cost\n2026-10-01,12.5\n").unwrap();
    let out = review(dir.path(), &["--month", MONTH, "--bill", "cur.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a Cost and Usage Report: no column lineItem/ProductCode"), "{}", stderr(&out));

    // a report of another month: said, and every environment's charges show as missing
    let cur = std::fs::read_to_string(manifest("tests/fixtures/review/cur-2026-10.csv")).unwrap();
    std::fs::write(dir.path().join("cur.csv"), cur).unwrap();
    let out = review(dir.path(), &["--month", "2026-10", "--no-save", "--bill", "cur.csv", "--env", "catalog"]);
    assert!(!stderr(&out).contains("has no ElastiCache charge"), "{}", stderr(&out));
    std::fs::write(
        dir.path().join("empty.csv"),
        "lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UsageType,lineItem/UnblendedCost\n",
    )
    .unwrap();
    let out = review(dir.path(), &["--month", "2026-10", "--no-save", "--bill", "empty.csv", "--env", "catalog"]);
    assert!(
        stderr(&out).contains("empty.csv has no ElastiCache charge (product code AmazonElastiCache) in 2026-10"),
        "{}",
        stderr(&out)
    );

    let out = review(dir.path(), &["--offline", "--month", MONTH, "--cost-explorer"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--cost-explorer reads the bill from AWS, which --offline rules out"),
        "{}",
        stderr(&out)
    );
    let out = review(dir.path(), &["--month", MONTH, "--bill", "cur.csv", "--cost-explorer"]);
    assert_eq!(out.status.code(), Some(2), "the two sources conflict");
}

#[test]
fn review_with_cost_explorer_reads_the_bill_from_aws_through_the_real_sdk() {
    let harness = crate::aws_support::Harness::start();
    let dir = fixture_dir(false);
    let home = tempfile::tempdir().unwrap();
    // what Cost Explorer answers, grouped by usage type and the plan's tag key (Environment)
    let group = |usage: &str, tag: &str, usd: &str, qty: &str| {
        serde_json::json!({"Keys": [usage, tag], "Metrics": {
            "UnblendedCost": {"Amount": usd, "Unit": "USD"}, "UsageQuantity": {"Amount": qty, "Unit": "N/A"}}})
    };
    let results = serde_json::json!({"results": [{
        "GroupDefinitions": [{"Type": "DIMENSION", "Key": "USAGE_TYPE"}, {"Type": "TAG", "Key": "Environment"}],
        "ResultsByTime": [{"TimePeriod": {"Start": "2026-10-01", "End": "2026-11-01"}, "Total": {}, "Estimated": false,
            "Groups": [
                group("NodeUsage:cache.m7g.large", "Environment$api-prod", "188.08", "1488"),
                group("NodeUsage:cache.r7g.large", "Environment$", "260.70", "1488"),
            ]}],
        "DimensionValueAttributes": []
    }]});
    let port: u16 = harness.url().rsplit(':').next().unwrap().parse().unwrap();
    crate::aws_support::control(port, "POST", "/moto-api/static/ce/cost-and-usage-results", &results.to_string());
    let mut cmd = capplan(dir.path());
    cmd.env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", home.path().join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.path().join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for (k, v) in harness.env() {
        cmd.env(k, v);
    }
    let out = cmd
        .args([
            "--plan",
            "capplan.toml",
            "review",
            "--month",
            MONTH,
            "--no-save",
            "--format",
            "json",
            "--cost-explorer",
        ])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("from Cost Explorer, by usage type and tag Environment ($0.01 per request)"), "{err}");
    assert!(err.contains("Cost Explorer GetCostAndUsage (1 request, $0.01)"), "{err}");
    assert_eq!(crate::aws_support::calls(port, "GetCostAndUsage"), 1);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&value);
    // api is found by its tag; the untagged line has no resource to match: nobody's
    let api = value["envs"].as_array().unwrap().iter().find(|e| e["env"] == "api").unwrap();
    assert_eq!(crate::support::dec(&api["billed_usd"]), "188.08".parse::<Decimal>().unwrap());
    assert_eq!(crate::support::dec(&value["totals"]["unassigned_usd"]), "260.70".parse::<Decimal>().unwrap());
}

#[test]
fn review_with_charts_draws_each_reviewed_environment_and_links_them() {
    let dir = fixture_dir(false);
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let out = review(dir.path(), &["--month", MONTH, "--no-save", "--charts", "charts", "-o", "out/review.md"]);
    assert_eq!(out.status.code(), Some(1), "sessions is under-provisioned: {}", stderr(&out));
    let md = std::fs::read_to_string(dir.path().join("out/review.md")).unwrap();
    // every reviewed environment has its charts; the links start from the review's folder
    for env in ["catalog", "sessions", "api", "sandbox"] {
        let png = format!("../charts/{env}-cost-vs-requests.png");
        assert!(md.contains(&png), "{env}: {md}");
        assert!(dir.path().join("out").join(&png).exists(), "{png}");
    }
    let svg = std::fs::read_to_string(dir.path().join("charts/sessions-memory_gib.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let text: String = doc.descendants().filter_map(|n| n.text()).collect::<Vec<_>>().join(" ");
    assert!(text.contains("GiB") && text.contains("capacity"), "{text}");
    // JSON lists them, by the same relative paths, and the schema knows them
    let out = review(dir.path(), &["--month", MONTH, "--no-save", "--charts", "charts", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&value);
    let charts = value["envs"][1]["charts"].as_array().unwrap();
    assert!(charts.iter().any(|c| c["png"] == "charts/sessions-memory_gib.png"), "{charts:?}");
    // without --charts: nothing drawn, no charts key
    let plain = review(dir.path(), &["--month", MONTH, "--no-save", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert!(value["envs"][0].get("charts").is_none());
    // a file where the folder should be
    std::fs::write(dir.path().join("taken"), "x").unwrap();
    let out = review(dir.path(), &["--month", MONTH, "--no-save", "--charts", "taken"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--charts 'taken' is a file, not a folder"), "{}", stderr(&out));
}
