//! `capplan report` on plans that name live caches, through the real binary against moto
//! (tests/harness): the cache is discovered, its CloudWatch series fetched and cached, the
//! measured workload and the discovered `current` drive the report; `--offline` reuses the
//! fetch without a call; a failure still renders what it can and exits 2.

use std::path::Path;

use crate::aws_support::{Harness, run_child};

fn parent(name: &str) {
    let harness = Harness::start();
    let home = tempfile::tempdir().unwrap();
    run_child(&format!("aws_report::child::{name}"), &harness.env(), home.path());
}

#[test]
fn a_plan_naming_a_replication_group_is_reported_from_what_it_measures() {
    parent("measured_report");
}

#[test]
fn init_discover_writes_a_plan_of_what_the_account_runs() {
    parent("discover");
}

#[test]
fn a_failed_fetch_renders_the_rest_and_exits_2() {
    parent("failures");
}

#[test]
fn the_app_shows_what_the_report_says_and_r_fetches_again() {
    parent("app");
}

#[test]
fn throttling_server_errors_and_timeouts_are_bounded_and_the_rest_renders() {
    parent("transient_failures");
}

#[test]
fn issue_13_no_key_secret_or_session_token_is_shown_or_written() {
    parent("secrets");
}

#[test]
fn issue_13_every_cache_of_a_plan_is_fetched_in_one_shared_set_of_calls() {
    parent("many_envs");
}

/// A plan in `dir`.
fn write_plan(dir: &Path, text: &str) {
    std::fs::write(dir.join("plan.toml"), text).unwrap();
}

mod child {
    use std::path::Path;
    use std::process::Output;

    use assert_cmd::Command;
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
    use capplan::source::aws::{AwsOptions, SdkConfig, load};
    use capplan::source::cloudwatch;
    use chrono::{DateTime, Utc};
    use serde_json::Value;

    use super::write_plan;
    use crate::aws_support::{calls, child_port, fault, in_child};
    use crate::support::{AS_OF, dec};
    use crate::tui_e2e::Tmux;
    use capplan::model::units::format_usd;

    const GIB: f64 = 1_073_741_824.0;

    /// The daily cycle of the seeded series: average 1 over whole days, peak 1.5.
    fn cycle(hour: i64) -> f64 {
        1.0 + 0.5 * (2.0 * std::f64::consts::PI * (hour % 24) as f64 / 24.0).sin()
    }

    fn datum(metric: &str, member: &str, t: i64, value: f64) -> MetricDatum {
        MetricDatum::builder()
            .metric_name(metric)
            .dimensions(Dimension::builder().name("CacheClusterId").value(member).build())
            .dimensions(Dimension::builder().name("CacheNodeId").value("0001").build())
            .timestamp(aws_sdk_cloudwatch::primitives::DateTime::from_secs(t))
            .value(value)
            .build()
    }

    /// `shop-prod`: Redis OSS 7.1, cluster mode off, one primary and one replica of
    /// cache.r7g.large, with 14 days of hourly points: the primary serves 1,000 reads/s and
    /// 250 writes/s, the replica 500 reads/s and replays the 250 writes/s (not requests).
    async fn seed() -> SdkConfig {
        let config = load(&AwsOptions::default()).await.unwrap();
        let ec = aws_sdk_elasticache::Client::new(&config);
        ec.create_replication_group()
            .replication_group_id("shop-prod")
            .replication_group_description("shop sessions")
            .engine("redis")
            .engine_version("7.1")
            .cache_node_type("cache.r7g.large")
            // (moto reads the replica count from here, not from NumCacheClusters)
            .replicas_per_node_group(1)
            .automatic_failover_enabled(true)
            .multi_az_enabled(true)
            .snapshot_retention_limit(7)
            .snapshot_window("03:00-04:00")
            .send()
            .await
            .unwrap();
        for member in ["shop-prod-001", "shop-prod-002"] {
            ec.create_cache_cluster()
                .cache_cluster_id(member)
                .replication_group_id("shop-prod")
                .engine("redis")
                .engine_version("7.1")
                .cache_node_type("cache.r7g.large")
                .send()
                .await
                .unwrap();
        }
        let now = DateTime::from_timestamp(Utc::now().timestamp() / 60 * 60, 0).unwrap();
        let w = cloudwatch::window(14, now.timestamp());
        let mut data = Vec::new();
        for (member, primary) in [("shop-prod-001", true), ("shop-prod-002", false)] {
            for h in 0..(w.end - w.start) / 3600 {
                let t = w.start + h * 3600;
                let c = cycle(h);
                let reads = if primary { 1000.0 } else { 500.0 };
                data.push(datum("BytesUsedForCache", member, t, 3.0 * GIB));
                data.push(datum("GetTypeCmds", member, t, reads * 60.0 * c));
                data.push(datum("SetTypeCmds", member, t, 250.0 * 60.0 * c));
                data.push(datum("CurrConnections", member, t, if primary { 300.0 * c } else { 100.0 }));
                data.push(datum("EngineCPUUtilization", member, t, 20.0 * c));
                data.push(datum("NetworkBytesIn", member, t, 1.0e6 * 60.0 * c));
                data.push(datum("NetworkBytesOut", member, t, 3.0e6 * 60.0 * c));
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
        config
    }

    fn capplan(dir: &Path, cache: &Path, args: &[&str]) -> Output {
        Command::cargo_bin("capplan")
            .unwrap()
            .current_dir(dir)
            .env("CAPPLAN_AS_OF", AS_OF)
            .env("CAPPLAN_CACHE_DIR", cache)
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .unwrap()
    }

    fn json(out: &Output) -> Value {
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)))
    }

    fn num(v: &Value) -> f64 {
        v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok())).unwrap_or_else(|| panic!("not a number: {v}"))
    }

    fn close(actual: f64, expected: f64, what: &str) {
        assert!((actual - expected).abs() <= expected * 0.01, "{what}: {actual}, expected {expected}");
    }

    const PLAN: &str = r#"
region = "us-east-1"

[env.prod]                 # no workload: every figure is measured
engine = "redis"
ha = true

[env.prod.metrics]
replication_group = "shop-prod"

[env.legacy]               # a workload and a current that disagree with what runs
engine = "redis"
ha = true

[env.legacy.workload]
data_gb = 2
requests_per_sec = 1000
peak_requests_per_sec = 9000

[env.legacy.current]
kind = "node"
node_type = "cache.r6g.large"
replicas = 1

[env.legacy.metrics]
replication_group = "shop-prod"
days = 7
"#;

    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn measured_report() {
        if !in_child() {
            return;
        }
        let port = child_port();
        seed().await;
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        write_plan(dir.path(), PLAN);
        let before = calls(port, "GetMetricData");
        let out =
            capplan(dir.path(), cache.path(), &["report", "--plan", "plan.toml", "--env", "prod", "--format", "json"]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
        let prod = json(&out);
        let made = calls(port, "GetMetricData") - before;

        // the measured workload: reads on both nodes and the writes once (the replica's replays left out)
        let w = &prod["workload"];
        assert_eq!(w["source"], "cloudwatch");
        close(num(&w["requests_per_sec"]), 1750.0, "requests/s");
        close(num(&w["peak_requests_per_sec"]), 2625.0, "peak requests/s");
        close(num(&w["data_gb"]), 3.0, "data, one node per shard");
        assert_eq!(w["connections"], 450);
        assert!(w["plan_figures"].is_null(), "the plan has no workload of its own");
        assert!(w["quietest_hour_utc"].as_u64().is_some());

        // what runs, from ElastiCache
        let current = &prod["current"];
        assert_eq!(current["discovered"], true);
        assert_eq!(current["node_type"], "cache.r7g.large");
        assert_eq!((current["shards"].as_u64(), current["replicas"].as_u64()), (Some(1), Some(1)));
        assert_eq!(current["engine"], "redis");

        // what the fetch cost, as the harness counted it
        let m = &prod["metrics"];
        assert_eq!(m["source"], "cloudwatch");
        assert_eq!(m["api_calls"].as_u64(), Some(made));
        assert!(made >= 1);
        let requested = m["metrics_requested"].as_u64().unwrap();
        assert!(requested >= made);
        assert_eq!(dec(&m["cost_usd"]), rust_decimal::Decimal::from(requested) * rust_decimal::Decimal::new(1, 5));
        assert_eq!(m["from_cache"], false);

        // --offline: the same figures from the user cache, and not one call
        let before = calls(port, "GetMetricData") + calls(port, "DescribeReplicationGroups");
        let out = capplan(
            dir.path(),
            cache.path(),
            &["report", "--plan", "plan.toml", "--env", "prod", "--format", "json", "--offline"],
        );
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
        let offline = json(&out);
        assert_eq!(calls(port, "GetMetricData") + calls(port, "DescribeReplicationGroups"), before);
        assert_eq!(offline["metrics"]["from_cache"], true);
        assert_eq!(offline["metrics"]["api_calls"], 0);
        assert_eq!(offline["workload"], prod["workload"]);
        assert_eq!(offline["recommendation"]["option_id"], prod["recommendation"]["option_id"]);

        // the plan's own current wins, and where it disagrees with ElastiCache it says so
        let out =
            capplan(dir.path(), cache.path(), &["report", "--plan", "plan.toml", "--env", "legacy", "--format", "md"]);
        let md = String::from_utf8_lossy(&out.stdout);
        assert!(
            md.contains(
                "current node type: the plan says cache.r6g.large, ElastiCache says cache.r7g.large for 'shop-prod'"
            ),
            "{md}"
        );
        assert!(md.contains("the plan's peak_requests_per_sec (9,000 requests/s) is above the measured peak"), "{md}");
        assert!(md.contains("Metrics of `shop-prod` in us-east-1, 7 days: fetched now:"), "{md}");

        // issue 13: prod (14 days) and legacy (7 days) name the same cache; --offline gives each
        // its own window's fetch, not whichever was written last
        let out = capplan(
            dir.path(),
            cache.path(),
            &["report", "--plan", "plan.toml", "--all", "--format", "json", "--offline"],
        );
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
        let all = json(&out);
        for (env, days) in [("prod", 14), ("legacy", 7)] {
            let e = all["envs"].as_array().unwrap().iter().find(|e| e["env"] == env).unwrap();
            assert_eq!(e["metrics"]["from_cache"], true, "{env}");
            let text = e.to_string();
            assert!(text.contains(&format!("from the user cache ({days} days of shop-prod)")), "{env}: {text}");
        }
    }

    /// Issue 13: a plan of 40 environments, each naming its own cache, reported with `--all`:
    /// the 40 caches are listed once and their queries share the fewest calls for all of them
    /// (128 for 640 queries × 14 days of minutes; a fetch per environment would take 160), and
    /// each environment still gets its own figures and its share of the fetch.
    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn many_envs() {
        use std::fmt::Write;

        if !in_child() {
            return;
        }
        let port = child_port();
        let config = load(&AwsOptions::default()).await.unwrap();
        let ec = aws_sdk_elasticache::Client::new(&config);
        let mut plan = String::from("region = \"us-east-1\"\n");
        for i in 0..40 {
            let id = format!("app{i:02}");
            ec.create_cache_cluster()
                .cache_cluster_id(&id)
                .engine("redis")
                .engine_version("7.1")
                .cache_node_type("cache.t4g.small")
                .num_cache_nodes(1)
                .send()
                .await
                .unwrap();
            let _ = write!(
                plan,
                "\n[env.{id}]\nengine = \"redis\"\nha = false\n\n[env.{id}.workload]\ndata_gb = 1\nrequests_per_sec = 100\n\n[env.{id}.metrics]\ncache_cluster = \"{id}\"\n"
            );
        }
        // app07 holds 2 GiB
        let now = DateTime::from_timestamp(Utc::now().timestamp() / 60 * 60, 0).unwrap();
        let w = cloudwatch::window(14, now.timestamp());
        let data: Vec<MetricDatum> = (0..(w.end - w.start) / 3600)
            .map(|h| datum("BytesUsedForCache", "app07", w.start + h * 3600, 2.0 * GIB))
            .collect();
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
        write_plan(dir.path(), &plan);

        let before = |op| calls(port, op);
        let (gmd, listings, lookups) =
            (before("GetMetricData"), before("DescribeCacheClusters"), before("DescribeReplicationGroups"));
        let out = capplan(dir.path(), cache.path(), &["report", "--plan", "plan.toml", "--all", "--format", "json"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
        let made = calls(port, "GetMetricData") - gmd;
        assert_eq!(made, cloudwatch::min_calls(40 * 16, w.periods()));
        assert_eq!(made, 128, "40 caches × 16 queries × 20,160 minutes; 40 fetches of one cache take 4 calls each");
        assert_eq!(calls(port, "DescribeCacheClusters") - listings, 1, "one listing");
        assert_eq!(calls(port, "DescribeReplicationGroups") - lookups, 1, "one listing");
        assert!(
            stderr
                .contains("fetching 14 days of CloudWatch metrics of 40 caches in us-east-1: 128 GetMetricData calls"),
            "{stderr}"
        );
        assert!(
            stderr.contains("fetched 40 caches in us-east-1: 128 calls, 640 metrics requested, $0.0064"),
            "{stderr}"
        );

        let all = json(&out);
        let envs = all["envs"].as_array().unwrap();
        assert_eq!(envs.len(), 40, "{}", all["not_evaluated"]);
        let mut requested = 0;
        for e in envs {
            let m = &e["metrics"];
            assert_eq!((m["source"].as_str(), m["from_cache"].as_bool()), (Some("cloudwatch"), Some(false)), "{m}");
            assert!(m["api_calls"].as_u64().unwrap() >= 1 && m["calls_shared_with"].as_u64().unwrap() >= 1, "{m}");
            requested += m["metrics_requested"].as_u64().unwrap();
        }
        assert_eq!(requested, 640, "every query asked once, each counted for its own cache");
        let app07 = envs.iter().find(|e| e["env"] == "app07").unwrap();
        close(num(&app07["workload"]["data_gb"]), 2.0, "app07's own data, measured");
        let app08 = envs.iter().find(|e| e["env"] == "app08").unwrap();
        assert_eq!(
            dec(&app08["workload"]["data_gb"]),
            rust_decimal::Decimal::ONE,
            "nothing measured: the plan's figure"
        );

        // the Markdown says the calls were shared; --offline reads each cache's own fetch back
        let out = capplan(
            dir.path(),
            cache.path(),
            &["report", "--plan", "plan.toml", "--env", "app07", "--format", "json", "--offline"],
        );
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
        close(num(&json(&out)["workload"]["data_gb"]), 2.0, "app07 from the user cache");
        let out = capplan(dir.path(), cache.path(), &["report", "--plan", "plan.toml", "--all", "--format", "md"]);
        let md = String::from_utf8_lossy(&out.stdout);
        let (calls07, shared07) =
            (app07["metrics"]["api_calls"].as_u64().unwrap(), app07["metrics"]["calls_shared_with"].as_u64().unwrap());
        let said = format!(
            "Metrics of `app07` in us-east-1, 14 days: fetched now: {calls07} GetMetricData call(s) shared with {shared07} other caches"
        );
        assert!(md.contains(&said), "{said}\n{md}");
    }

    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn failures() {
        if !in_child() {
            return;
        }
        let port = child_port();
        seed().await;
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let plan = format!(
            "{PLAN}\n[env.ghost]\nengine = \"valkey\"\n\n[env.ghost.metrics]\nserverless_cache = \"no-such-cache\"\n"
        );
        write_plan(dir.path(), &plan);

        // --offline before any fetch: nothing cached, said so
        let out = capplan(dir.path(), cache.path(), &["report", "--plan", "plan.toml", "--env", "prod", "--offline"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("--offline: no cached metrics of the replication group 'shop-prod' in us-east-1"),
            "{stderr}"
        );

        // a cache that does not exist, and a denied GetMetricData: the rest still renders
        fault(port, r#"{"op": "GetMetricData", "kind": "access_denied"}"#);
        let out = capplan(dir.path(), cache.path(), &["report", "--plan", "plan.toml", "--all", "--format", "json"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("cloudwatch:GetMetricData"), "{stderr}");
        let all = json(&out);
        let envs: Vec<&str> = all["envs"].as_array().unwrap().iter().map(|e| e["env"].as_str().unwrap()).collect();
        assert_eq!(envs, ["legacy"], "prod and ghost have no workload to fall back on");
        let legacy = &all["envs"][0];
        assert_eq!(legacy["workload"]["source"], "plan");
        assert!(legacy["metrics"]["error"].as_str().unwrap().contains("cloudwatch:GetMetricData"));
        let missing: Vec<&str> =
            all["not_evaluated"].as_array().unwrap().iter().map(|e| e["env"].as_str().unwrap()).collect();
        assert_eq!(missing, ["prod", "ghost"]);
        let ghost = all["not_evaluated"][1]["reason"].as_str().unwrap();
        assert!(ghost.contains("no-such-cache") && ghost.contains("env.ghost.metrics.serverless_cache"), "{ghost}");
        assert!(!stderr.contains("testing"), "no credential in the output: {stderr}");
    }

    /// The app in a real terminal (tmux) on the same plan: the All tab shows prod at the report's
    /// figure from the fetch the report cached (no call), `r` fetches again, and `--offline`
    /// without a cached fetch says prod cannot be evaluated — with no call either.
    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn app() {
        if !in_child() {
            return;
        }
        let port = child_port();
        seed().await;
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        write_plan(dir.path(), PLAN);
        let out =
            capplan(dir.path(), cache.path(), &["report", "--plan", "plan.toml", "--env", "prod", "--format", "json"]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
        let prod = json(&out);
        let monthly = format_usd(dec(&prod["recommendation"]["monthly_usd"]));
        // the other environment's fetch (7 days of the same cache) is cached too
        let out = capplan(dir.path(), cache.path(), &["report", "--plan", "plan.toml", "--env", "legacy"]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));

        let env = ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"]
            .iter()
            .map(|k| format!("{k}='{}'", std::env::var(k).unwrap()))
            .collect::<Vec<_>>()
            .join(" ")
            + " ";
        let launch = |cache: &Path, extra: &str| {
            format!(
                "cd '{}' && {env}CAPPLAN_AS_OF={AS_OF} CAPPLAN_CACHE_DIR='{}' NO_COLOR=1 '{}' --plan plan.toml {extra}; echo EXIT=$?",
                dir.path().display(),
                cache.display(),
                env!("CARGO_BIN_EXE_capplan")
            )
        };
        let fetches = || calls(port, "GetMetricData");
        let before = fetches();
        let tmux = Tmux::start("aws-app", 120, 40);
        tmux.keys(&[&launch(cache.path(), ""), "Enter"]);
        let all = tmux.wait("prod on the All tab", |s| {
            s.lines().any(|l| l.contains("│ prod   ") && l.contains('$')) && !s.contains("measuring")
        });
        let row = all.lines().find(|l| l.contains("│ prod   ")).unwrap();
        assert!(row.contains(&monthly), "the All tab shows the report's {monthly}:\n{all}");
        assert_eq!(fetches(), before, "the fetch the report cached is used, not fetched again");

        // open prod: the same figure, then `r` fetches its metrics again
        tmux.keys(&["Enter"]);
        let screen = tmux.wait("prod's options", |s| s.contains("prod · ★"));
        assert!(screen.contains(&format!("{monthly}/mo")), "{screen}");
        tmux.keys(&["r"]);
        tmux.wait("the refetch", |s| s.contains("prod: metrics read again from CloudWatch"));
        assert!(fetches() > before, "r called GetMetricData");
        tmux.keys(&["q"]);
        tmux.wait("exit", |s| s.contains("EXIT=0"));

        // --offline with nothing cached: prod is not evaluated, and nothing is asked of AWS
        tmux.keys(&["clear", "Enter"]);
        let empty = tempfile::tempdir().unwrap();
        let before = fetches() + calls(port, "DescribeReplicationGroups");
        tmux.keys(&[&launch(empty.path(), "--offline"), "Enter"]);
        let all = tmux.wait("prod not evaluated", |s| s.contains("total (1 failed)"));
        assert!(all.contains("prod · us-east-1 · not evaluated: ") && all.contains("--offline"), "{all}");
        tmux.keys(&["Enter", "r"]);
        tmux.wait("r refused offline", |s| s.contains("--offline: metrics are not fetched"));
        assert_eq!(fetches() + calls(port, "DescribeReplicationGroups"), before);
        tmux.keys(&["q"]);
        tmux.wait("exit", |s| s.contains("EXIT=0"));
        tmux.assert_restored();
    }

    /// Issue 13: throttling, server errors and a server that does not answer, for discovery and
    /// for CloudWatch, through the binary: `AWS_MAX_ATTEMPTS` attempts per call and no more,
    /// `CAPPLAN_AWS_TIMEOUT` bounds the wait, the message names the action and what to do, the
    /// environment with a workload of its own still renders, the exit status is 2.
    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn transient_failures() {
        use std::time::{Duration, Instant};

        use crate::aws_support::control;

        if !in_child() {
            return;
        }
        let port = child_port();
        seed().await;
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        write_plan(dir.path(), PLAN);
        let run = |timeout: &str| {
            let started = Instant::now();
            let out = Command::cargo_bin("capplan")
                .unwrap()
                .current_dir(dir.path())
                .env("CAPPLAN_AS_OF", AS_OF)
                .env("CAPPLAN_CACHE_DIR", cache.path())
                .env("NO_COLOR", "1")
                .env("AWS_MAX_ATTEMPTS", "2")
                .env("CAPPLAN_AWS_TIMEOUT", timeout)
                .args(["report", "--plan", "plan.toml", "--all", "--format", "json"])
                .timeout(Duration::from_mins(3))
                .output()
                .unwrap();
            (out, started.elapsed())
        };

        // the calls a whole fetch makes, to bound the retries against
        let (out, _) = run("60");
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
        let planned: u64 =
            json(&out)["envs"].as_array().unwrap().iter().map(|e| e["metrics"]["api_calls"].as_u64().unwrap()).sum();
        assert!(planned >= 2, "{planned}");

        for (op, kind, expected, tries) in [
            (
                "DescribeReplicationGroups",
                "throttle",
                "AWS throttled 'elasticache:DescribeReplicationGroups' on every attempt: wait a minute and retry",
                // prod and legacy name one cache: it is looked up once (two attempts)
                2,
            ),
            (
                "DescribeReplicationGroups",
                "server_error",
                "AWS failed 'elasticache:DescribeReplicationGroups' with HTTP 500 (InternalFailure) on every attempt: retry later",
                2,
            ),
            ("GetMetricData", "throttle", "AWS throttled 'cloudwatch:GetMetricData' on every attempt", 2 * planned),
            (
                "GetMetricData",
                "server_error",
                "AWS failed 'cloudwatch:GetMetricData' with HTTP 500 (InternalServiceError) on every attempt",
                2 * planned,
            ),
        ] {
            control(port, "DELETE", "/_harness/faults", "");
            fault(port, &format!(r#"{{"op": "{op}", "kind": "{kind}"}}"#));
            let before = calls(port, op);
            let (out, _) = run("60");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{op} {kind}: {stderr}");
            assert!(stderr.contains(expected), "{op} {kind}: {stderr}");
            assert_eq!(calls(port, op) - before, tries, "{op} {kind}: two attempts per call, no more");
            rest_renders(&json(&out), expected);
        }

        // a server that accepts the call and does not answer: bounded by CAPPLAN_AWS_TIMEOUT
        for op in ["DescribeReplicationGroups", "GetMetricData"] {
            control(port, "DELETE", "/_harness/faults", "");
            fault(port, &format!(r#"{{"op": "{op}", "kind": "sleep", "seconds": 30}}"#));
            let (out, took) = run("2");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{op}: {stderr}");
            assert!(took < Duration::from_secs(20), "{op}: bounded, took {took:?}");
            let expected = "timed out (limit 2 s): check the network or AWS_ENDPOINT_URL, then retry";
            assert!(stderr.contains(expected) && stderr.contains(op), "{op}: {stderr}");
            rest_renders(&json(&out), expected);
        }

        // init --discover: the same bounds, and no plan written
        control(port, "DELETE", "/_harness/faults", "");
        fault(port, r#"{"op": "DescribeServerlessCaches", "kind": "throttle"}"#);
        let out = Command::cargo_bin("capplan")
            .unwrap()
            .current_dir(dir.path())
            .env("CAPPLAN_CACHE_DIR", cache.path())
            .env("AWS_MAX_ATTEMPTS", "2")
            .args(["init", "--discover", "--region", "us-east-1", "found.toml"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("AWS throttled 'elasticache:DescribeServerlessCaches' on every attempt"), "{stderr}");
        assert!(!dir.path().join("found.toml").exists());
    }

    const KEY_ID: &str = "ASIAFAKECAPPLAN00TST";
    const SECRET: &str = "capplanFakeSecretKey/0123456789abcdefGHIJ";
    const TOKEN: &str = "IQoJcapplanFakeSessionTokenFromEnv0123456789abcdefghijklmnopqrstuvwxyzABCDEF/+==";
    const FILE_KEY_ID: &str = "ASIAFILECAPPLAN00TST";
    const FILE_SECRET: &str = "capplanFileSecretKey/0123456789abcdefGHIJ";
    const FILE_TOKEN: &str = "FwoGZXIvYXdzEcapplanFakeSessionTokenFromFile0123456789abcdefghijklmnopqrstuvwxyz==";

    /// Issue 13: AWS keys and session tokens, from the environment and from a credentials file
    /// named by `--profile`, never appear in stdout, stderr, the written report, the plan
    /// `init --discover` writes or the user cache: when it works, when the server echoes the
    /// request's credentials back in an error, when access is denied, when nothing listens.
    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn secrets() {
        use crate::aws_support::control;
        use crate::secrets::assert_hidden;

        if !in_child() {
            return;
        }
        let port = child_port();
        seed().await;
        let work = tempfile::tempdir().unwrap();
        let dir = work.path().join("plans");
        let cache = work.path().join("cache");
        let home_dir = tempfile::tempdir().unwrap();
        let home = home_dir.path().to_path_buf();
        std::fs::create_dir_all(home.join(".aws")).unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        write_plan(&dir, PLAN);
        std::fs::write(
            home.join(".aws/credentials"),
            format!("[capplan-secret]\naws_access_key_id = {FILE_KEY_ID}\naws_secret_access_key = {FILE_SECRET}\naws_session_token = {FILE_TOKEN}\n"),
        )
        .unwrap();
        std::fs::write(home.join(".aws/config"), "[profile capplan-secret]\nregion = us-east-1\n").unwrap();
        let all = [KEY_ID, SECRET, TOKEN, FILE_KEY_ID, FILE_SECRET, FILE_TOKEN, "capplanFake", "capplanFile"];
        let endpoint = format!("http://127.0.0.1:{port}");
        let run = |from_file: bool, endpoint: &str, args: &[&str]| {
            let mut cmd = Command::cargo_bin("capplan").unwrap();
            cmd.env_clear()
                .current_dir(&dir)
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", &home)
                .env("AWS_CONFIG_FILE", home.join(".aws/config"))
                .env("AWS_SHARED_CREDENTIALS_FILE", home.join(".aws/credentials"))
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env("AWS_ENDPOINT_URL", endpoint)
                .env("AWS_MAX_ATTEMPTS", "1")
                .env("CAPPLAN_AS_OF", AS_OF)
                .env("CAPPLAN_CACHE_DIR", &cache)
                .env("NO_COLOR", "1");
            if from_file {
                cmd.arg("--profile").arg("capplan-secret");
            } else {
                cmd.env("AWS_ACCESS_KEY_ID", KEY_ID)
                    .env("AWS_SECRET_ACCESS_KEY", SECRET)
                    .env("AWS_SESSION_TOKEN", TOKEN)
                    .env("AWS_REGION", "us-east-1");
            }
            cmd.args(args).output().unwrap()
        };
        let report = ["report", "--plan", "plan.toml", "--all", "--format", "json", "-o", "report.json"];
        for from_file in [false, true] {
            let what = |case: &str| {
                format!("{case} (credentials from {})", if from_file { "a file" } else { "the environment" })
            };
            control(port, "DELETE", "/_harness/faults", "");
            let out = run(from_file, &endpoint, &report);
            assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
            assert!(cache.join("metrics").is_dir(), "the fetch is cached");
            assert_hidden(&what("a report that works"), &all, &out, work.path());
            let out = run(from_file, &endpoint, &["init", "--discover", "--region", "us-east-1", "found.toml"]);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            assert_hidden(&what("init --discover"), &all, &out, work.path());
            std::fs::remove_file(dir.join("found.toml")).unwrap();

            for echo in ["echo_credentials", "echo_canonical"] {
                control(port, "DELETE", "/_harness/faults", "");
                fault(port, &format!(r#"{{"kind": "{echo}"}}"#));
                for args in [&report[..], &["init", "--discover", "--region", "us-east-1", "found.toml"]] {
                    let out = run(from_file, &endpoint, args);
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    assert_eq!(out.status.code(), Some(2), "{stderr}");
                    assert!(stderr.contains("AWS rejected the credentials") && stderr.contains("***"), "{stderr}");
                    assert_hidden(&what(echo), &all, &out, work.path());
                }
            }
            control(port, "DELETE", "/_harness/faults", "");
            fault(port, r#"{"op": "GetMetricData", "kind": "access_denied"}"#);
            let out = run(from_file, &endpoint, &report);
            assert_eq!(out.status.code(), Some(2));
            assert_hidden(&what("access denied"), &all, &out, work.path());
            let out = run(from_file, "http://127.0.0.1:1", &report);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{stderr}");
            assert!(stderr.contains("cannot reach AWS"), "{stderr}");
            assert_hidden(&what("connection refused"), &all, &out, work.path());
        }
    }

    /// The report still renders `legacy` from the plan's own workload with the failure noted;
    /// `prod`, measured only, is listed as not evaluated with the reason.
    fn rest_renders(all: &Value, expected: &str) {
        let envs: Vec<&str> = all["envs"].as_array().unwrap().iter().map(|e| e["env"].as_str().unwrap()).collect();
        assert_eq!(envs, ["legacy"], "{expected}");
        let legacy = &all["envs"][0];
        assert_eq!(legacy["workload"]["source"], "plan");
        assert!(legacy["metrics"]["error"].as_str().unwrap().contains(expected), "{}", legacy["metrics"]);
        assert!(!legacy["options"].as_array().unwrap().is_empty());
        let missing = &all["not_evaluated"];
        assert_eq!(missing.as_array().unwrap().len(), 1, "{missing}");
        assert_eq!(missing[0]["env"], "prod");
        assert!(missing[0]["reason"].as_str().unwrap().contains(expected), "{missing}");
    }

    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn discover() {
        if !in_child() {
            return;
        }
        let config = seed().await;
        aws_sdk_elasticache::Client::new(&config)
            .create_cache_cluster()
            .cache_cluster_id("solo")
            .engine("redis")
            .engine_version("6.2")
            .cache_node_type("cache.t4g.small")
            .num_cache_nodes(1)
            .snapshot_retention_limit(1)
            .send()
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();

        // --offline cannot ask AWS
        let out = capplan(dir.path(), cache.path(), &["init", "--discover", "--offline", "found.toml"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("cannot work --offline"));
        assert!(!dir.path().join("found.toml").exists());

        let out = capplan(dir.path(), cache.path(), &["init", "--discover", "--region", "us-east-1", "found.toml"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains("wrote found.toml: 4 cache(s) as environments"), "{stderr}");
        let plan = std::fs::read_to_string(dir.path().join("found.toml")).unwrap();
        for (env, key, value) in [
            ("shop-prod", "replication_group", "shop-prod"),
            ("solo", "cache_cluster", "solo"),
            ("sessions-sls", "serverless_cache", "sessions-sls"),
            ("legacy-sls", "serverless_cache", "legacy-sls"),
        ] {
            let metrics = format!("[env.{env}.metrics]\n{key} = \"{value}\"");
            assert!(plan.contains(&metrics), "{metrics} missing:\n{plan}");
        }
        let shop = &plan[plan.find("[env.shop-prod]").unwrap()..plan.find("[env.shop-prod.metrics]").unwrap()];
        for line in [
            "engine = \"redis\"",
            "ha = true",
            "kind = \"node\"",
            "node_type = \"cache.r7g.large\"",
            "replicas = 1",
            "cluster_mode = false",
            "engine_version = \"7.1\"",
        ] {
            assert!(shop.contains(line), "{line} missing:\n{shop}");
        }
        let sessions =
            &plan[plan.find("[env.sessions-sls]").unwrap()..plan.find("[env.sessions-sls.metrics]").unwrap()];
        for line in ["engine = \"valkey\"", "kind = \"serverless\"", "max_data_gb = 100", "max_ecpu_per_sec = 50000"] {
            assert!(sessions.contains(line), "{line} missing:\n{sessions}");
        }

        // never overwrites
        let out = capplan(dir.path(), cache.path(), &["init", "--discover", "found.toml"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));

        // the plan reports: shop-prod from its metrics; the serverless caches have none in moto
        let out = capplan(
            dir.path(),
            cache.path(),
            &["report", "--plan", "found.toml", "--env", "shop-prod", "--format", "json"],
        );
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
        let shop = json(&out);
        assert_eq!(shop["workload"]["source"], "cloudwatch");
        close(num(&shop["workload"]["requests_per_sec"]), 1750.0, "requests/s");
        assert_eq!(shop["current"]["node_type"], "cache.r7g.large");
        assert_eq!(shop["current"]["discovered"], false, "init wrote it into the plan");
        let out = capplan(dir.path(), cache.path(), &["report", "--plan", "found.toml", "--env", "legacy-sls"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("has no data or request metrics"), "{stderr}");
    }
}
