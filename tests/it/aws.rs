//! The live AWS sources with the real SDK over real HTTP against moto (tests/harness): discovery
//! of what was created, metrics seeded with `PutMetricData` and fetched back through the CBOR
//! front with the planned number of calls, and every fault mapped to a message that says what
//! to do. Each test starts its own harness and runs its body in a child process whose
//! environment holds the endpoint, fake credentials and a region, and nothing else.

use std::path::Path;

use crate::aws_support::{Harness, run_child};

/// Start a harness, set up `home`, and run `child::<name>` with the harness environment changed
/// by `env` (`None` removes a variable).
fn parent(name: &str, env: &[(&'static str, Option<&str>)], prepare: impl FnOnce(&Path)) {
    let harness = Harness::start();
    let home = tempfile::tempdir().unwrap();
    prepare(home.path());
    let mut vars = harness.env();
    for (k, v) in env {
        vars.retain(|(name, _)| name != k);
        if let Some(v) = v {
            vars.push((*k, (*v).to_string()));
        }
    }
    run_child(&format!("aws::child::{name}"), &vars, home.path());
}

#[test]
fn node_based_caches_are_discovered_and_their_metrics_fetched_in_the_fewest_calls() {
    parent("node_based", &[], |_| {});
}

#[test]
fn serverless_caches_come_from_the_front_with_their_usage_limits_and_metrics() {
    parent("serverless", &[], |_| {});
}

#[test]
fn access_denied_names_the_missing_iam_action() {
    parent("access_denied", &[], |_| {});
}

#[test]
fn server_errors_are_retried_then_reported() {
    parent("server_errors", &[], |_| {});
}

#[test]
fn a_slow_answer_is_a_bounded_timeout() {
    parent("timeout", &[], |_| {});
}

#[test]
fn throttling_after_every_retry_says_so() {
    parent("throttling", &[], |_| {});
}

#[test]
fn no_credentials_says_how_to_provide_them_and_sends_nothing() {
    parent("no_credentials", &[("AWS_ACCESS_KEY_ID", None), ("AWS_SECRET_ACCESS_KEY", None)], |_| {});
}

#[test]
fn an_expired_sso_session_says_to_log_in_again() {
    parent(
        "expired_sso",
        &[("AWS_ACCESS_KEY_ID", None), ("AWS_SECRET_ACCESS_KEY", None), ("AWS_PROFILE", Some("capplan-sso"))],
        |home| {
            std::fs::create_dir_all(home.join(".aws/sso/cache")).unwrap();
            std::fs::write(
                home.join(".aws/config"),
                "[profile capplan-sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\nregion = us-east-1\n\n\
                 [sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n",
            )
            .unwrap();
            // ~/.aws/sso/cache/<sha1("corp")>.json: an expired token that cannot be refreshed
            std::fs::write(
                home.join(".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
                r#"{"accessToken": "capplan-expired-access-token", "expiresAt": "2020-01-01T00:00:00Z", "region": "us-east-1", "startUrl": "https://example.awsapps.com/start"}"#,
            )
            .unwrap();
        },
    );
}

#[test]
fn the_bill_comes_from_cost_explorer_page_by_page_and_says_what_it_cost() {
    parent("cost_explorer", &[], |_| {});
}

#[test]
fn cost_explorer_denied_names_its_iam_action() {
    parent("cost_explorer_denied", &[], |_| {});
}

const FAKE_KEY_ID: &str = "AKIAFAKECAPPLAN00TST";
const FAKE_SECRET: &str = "capplanFakeSecretKey/0123456789abcdefGHIJ";
const FAKE_TOKEN: &str = "IQoJcapplanFakeSessionToken0123456789abcdefghijklmnopqrstuvwxyzABCDEF/+==";

#[test]
fn no_error_message_shows_a_key_a_secret_or_a_token() {
    parent(
        "redaction",
        &[
            ("AWS_ACCESS_KEY_ID", Some(FAKE_KEY_ID)),
            ("AWS_SECRET_ACCESS_KEY", Some(FAKE_SECRET)),
            ("AWS_SESSION_TOKEN", Some(FAKE_TOKEN)),
        ],
        |_| {},
    );
}

#[test]
fn issue_13_five_hundred_caches_share_the_fewest_calls_at_a_bounded_pace() {
    parent("many_caches", &[], |_| {});
}

/// The bodies, run only inside a child process (they return at once elsewhere).
mod child {
    use std::collections::BTreeMap;
    use std::time::{Duration, Instant};

    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
    use aws_sdk_elasticache::types::ClusterMode;
    use capplan::model::catalog::Engine;
    use capplan::model::observed::derive;
    use capplan::source::SourceError;
    use capplan::source::aws::{AwsOptions, SdkConfig, load};
    use capplan::source::cloudwatch::{self, METRICS, Target, Window, fetch, min_calls, queries, to_export_json};
    use capplan::source::discovery::{CacheKind, Discovered, Role, discover_all, discover_one};
    use chrono::{DateTime, Utc};

    use crate::aws_support::{calls, child_port, control, fault, in_child, most_in_a_second};

    const GIB: f64 = 1_073_741_824.0;

    async fn config(options: AwsOptions) -> SdkConfig {
        load(&options).await.unwrap()
    }

    fn quick() -> AwsOptions {
        AwsOptions { max_attempts: 1, initial_backoff: Duration::from_millis(10), ..AwsOptions::default() }
    }

    /// A whole minute, so seeded points and buckets line up.
    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(Utc::now().timestamp() / 60 * 60, 0).unwrap()
    }

    /// The daily cycle of the seeded series: average 1 over whole days, peak 1.5 at 06:00.
    fn cycle(hour: usize) -> f64 {
        1.0 + 0.5 * (2.0 * std::f64::consts::PI * (hour % 24) as f64 / 24.0).sin()
    }

    fn datum(metric: &str, dims: &[(&str, &str)], t: i64, value: f64) -> MetricDatum {
        MetricDatum::builder()
            .metric_name(metric)
            .set_dimensions(Some(dims.iter().map(|(n, v)| Dimension::builder().name(*n).value(*v).build()).collect()))
            .timestamp(aws_sdk_cloudwatch::primitives::DateTime::from_secs(t))
            .value(value)
            .build()
    }

    /// One point an hour over `w` for each (metric, value at hour) of a dimension set.
    fn hourly(w: Window, dims: &[(&str, &str)], series: &[(&str, &dyn Fn(usize) -> f64)]) -> Vec<MetricDatum> {
        let hours = usize::try_from((w.end - w.start) / 3600).unwrap();
        let mut out = Vec::new();
        for (metric, value) in series {
            for h in 0..hours {
                out.push(datum(metric, dims, w.start + i64::try_from(h).unwrap() * 3600, value(h)));
            }
        }
        out
    }

    async fn put(config: &SdkConfig, data: Vec<MetricDatum>) {
        let cw = aws_sdk_cloudwatch::Client::new(config);
        for chunk in data.chunks(1000) {
            cw.put_metric_data()
                .namespace("AWS/ElastiCache")
                .set_metric_data(Some(chunk.to_vec()))
                .send()
                .await
                .unwrap();
        }
    }

    fn close(actual: f64, expected: f64, what: &str) {
        assert!((actual - expected).abs() <= expected.abs() * 1e-6 + 1e-9, "{what}: {actual} != {expected}");
    }

    fn find<'a>(all: &'a [Discovered], id: &str) -> &'a Discovered {
        all.iter().find(|d| d.id == id).unwrap_or_else(|| panic!("'{id}' not discovered: {all:?}"))
    }

    async fn create_caches(config: &SdkConfig) {
        let ec = aws_sdk_elasticache::Client::new(config);
        ec.create_replication_group()
            .replication_group_id("shop")
            .replication_group_description("shop sessions and carts")
            .engine("redis")
            .engine_version("7.1")
            .cache_node_type("cache.r7g.large")
            .cluster_mode(ClusterMode::Enabled)
            .num_node_groups(2)
            .replicas_per_node_group(1)
            .automatic_failover_enabled(true)
            .multi_az_enabled(true)
            .snapshot_retention_limit(5)
            .snapshot_window("04:00-05:00")
            .preferred_maintenance_window("sun:05:00-sun:06:00")
            .send()
            .await
            .unwrap();
        // AWS lists a group's members among the cache clusters; moto does not create them
        for member in ["shop-0001-001", "shop-0001-002", "shop-0002-001", "shop-0002-002"] {
            ec.create_cache_cluster()
                .cache_cluster_id(member)
                .replication_group_id("shop")
                .engine("redis")
                .engine_version("7.1")
                .cache_node_type("cache.r7g.large")
                .preferred_maintenance_window("sun:05:00-sun:06:00")
                .send()
                .await
                .unwrap();
        }
        // (Redis OSS: moto drops the snapshot window and the group of any other engine)
        ec.create_cache_cluster()
            .cache_cluster_id("solo")
            .engine("redis")
            .engine_version("6.2")
            .cache_node_type("cache.t4g.small")
            .num_cache_nodes(1)
            .snapshot_retention_limit(1)
            .snapshot_window("02:00-03:00")
            .preferred_maintenance_window("mon:01:00-mon:02:00")
            .send()
            .await
            .unwrap();
        ec.create_cache_cluster()
            .cache_cluster_id("mc")
            .engine("memcached")
            .engine_version("1.6.22")
            .cache_node_type("cache.t4g.small")
            .num_cache_nodes(3)
            .send()
            .await
            .unwrap();
    }

    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn node_based() {
        if !in_child() {
            return;
        }
        let port = child_port();
        let config = config(quick()).await;
        create_caches(&config).await;

        // discovery: every field of what was created
        let all = discover_all(&config, &[]).await.unwrap();
        assert!(all.iter().all(|d| !d.id.starts_with("shop-")), "members belong to their group: {all:?}");
        let shop = find(&all, "shop");
        assert_eq!(shop.kind, CacheKind::ReplicationGroup);
        assert_eq!((shop.engine, shop.engine_version.as_deref()), (Engine::Redis, Some("7.1")));
        assert_eq!(shop.node_type.as_deref(), Some("cache.r7g.large"));
        assert_eq!((shop.shards, shop.replicas_per_shard), (2, 1));
        assert_eq!(shop.members, ["shop-0001-001", "shop-0001-002", "shop-0002-001", "shop-0002-002"]);
        let nodes: Vec<(&str, &str, &str)> =
            shop.nodes.iter().map(|n| (n.cluster_id.as_str(), n.node_id.as_str(), n.shard.as_str())).collect();
        assert_eq!(
            nodes,
            [
                ("shop-0001-001", "0001", "0001"),
                ("shop-0001-002", "0001", "0001"),
                ("shop-0002-001", "0001", "0002"),
                ("shop-0002-002", "0001", "0002")
            ]
        );
        assert!(shop.nodes.iter().all(|n| n.role.is_none()), "cluster mode reports no roles");
        assert!(shop.cluster_mode && shop.multi_az);
        assert_eq!((shop.snapshot_retention_days, shop.snapshot_window.as_deref()), (5, Some("04:00-05:00")));
        assert_eq!(shop.maintenance_window.as_deref(), Some("sun:05:00-sun:06:00"));
        assert_eq!((shop.region.as_str(), shop.status.as_deref()), ("us-east-1", Some("available")));
        assert_eq!(shop.arn.as_deref(), Some("arn:aws:elasticache:us-east-1:123456789012:replicationgroup:shop"));
        assert_eq!(shop.limits, None);

        let solo = find(&all, "solo");
        assert_eq!(solo.kind, CacheKind::Standalone);
        assert_eq!((solo.engine, solo.engine_version.as_deref()), (Engine::Redis, Some("6.2")));
        assert_eq!(solo.node_type.as_deref(), Some("cache.t4g.small"));
        assert_eq!((solo.shards, solo.replicas_per_shard, solo.cluster_mode, solo.multi_az), (1, 0, false, false));
        assert_eq!(solo.members, ["solo"]);
        assert_eq!(
            solo.nodes.iter().map(|n| (n.cluster_id.as_str(), n.node_id.as_str(), n.role)).collect::<Vec<_>>(),
            [("solo", "0001", Some(Role::Primary))]
        );
        assert_eq!((solo.snapshot_retention_days, solo.snapshot_window.as_deref()), (1, Some("02:00-03:00")));
        assert_eq!(solo.maintenance_window.as_deref(), Some("mon:01:00-mon:02:00"));

        let mc = find(&all, "mc");
        assert_eq!(
            (mc.kind, mc.engine, mc.shards, mc.replicas_per_shard),
            (CacheKind::Memcached, Engine::Memcached, 3, 0)
        );
        assert_eq!(mc.nodes.iter().map(|n| n.node_id.as_str()).collect::<Vec<_>>(), ["0001", "0002", "0003"]);

        assert_eq!(&discover_one(&config, "shop").await.unwrap(), shop);
        assert_eq!(&discover_one(&config, "solo").await.unwrap(), solo);
        assert_eq!(&discover_one(&config, "shop-0002-002").await.unwrap(), shop, "a member id finds its group");
        let missing = discover_one(&config, "nope").await.unwrap_err();
        assert!(matches!(&missing, SourceError::AwsNotFound { subject, .. } if subject == "nope"), "{missing:?}");
        assert!(missing.to_string().contains("'nope'") && missing.to_string().contains("us-east-1"), "{missing}");

        // 14 days of hourly points: primaries busier than replicas, one daily cycle
        let now = now();
        let w = cloudwatch::window(14, now.timestamp());
        assert_eq!(w.period, 60);
        let mut data = Vec::new();
        for (member, primary) in
            [("shop-0001-001", true), ("shop-0001-002", false), ("shop-0002-001", true), ("shop-0002-002", false)]
        {
            let k = if primary { 1.0 } else { 0.5 };
            let set = if primary { 250.0 } else { 0.0 };
            data.extend(hourly(
                w,
                &[("CacheClusterId", member), ("CacheNodeId", "0001")],
                &[
                    ("BytesUsedForCache", &|_| 3.0 * GIB),
                    ("GetTypeCmds", &|h| 1000.0 * k * 60.0 * cycle(h)),
                    ("SetTypeCmds", &|h| set * 60.0 * cycle(h)),
                    ("CurrConnections", &|h| 400.0 * k * cycle(h)),
                    ("EngineCPUUtilization", &|h| 20.0 * k * cycle(h)),
                    ("NetworkBytesIn", &|h| 1.0e6 * k * 60.0 * cycle(h)),
                    ("NetworkBytesOut", &|h| 3.0e6 * k * 60.0 * cycle(h)),
                    ("Evictions", &|_| if primary { 2.0 } else { 0.0 }),
                ],
            ));
        }
        data.extend(hourly(
            w,
            &[("CacheClusterId", "solo"), ("CacheNodeId", "0001")],
            &[
                ("BytesUsedForCache", &|_| 0.5 * GIB),
                ("GetTypeCmds", &|_| 100.0 * 60.0),
                ("CurrConnections", &|_| 50.0),
            ],
        ));
        put(&config, data).await;

        // fetch the group: every node, data once per shard
        let before = calls(port, "GetMetricData");
        let target = Target::of(shop);
        let (series, stats) = fetch(&config, &target, 14, now).await.unwrap();
        let q = queries(std::slice::from_ref(&target), METRICS).len();
        assert_eq!(q, 15 * 4 + 2);
        assert_eq!(stats.calls, min_calls(q, w.periods()), "62 queries × 20,160 minutes: 13 calls");
        assert_eq!(stats.calls, 13);
        assert_eq!(calls(port, "GetMetricData") - before, stats.calls, "the harness saw as many");
        assert_eq!(stats.metrics_requested, 62, "no query split across calls");
        assert_eq!(stats.cost_usd, rust_decimal::Decimal::new(62, 5));
        assert_eq!(stats.window, Some(w));
        assert_eq!(stats.datapoints, 30 * 336, "8 seeded metrics on 4 nodes, data once per shard: 30 series");

        let derived = derive(&series, "live").observed;
        let data_gib = derived.data_gib.unwrap();
        close(data_gib.avg, 6.0, "data: 3 GiB on each of 2 shards");
        let rps = derived.requests_per_sec.unwrap();
        close(rps.avg, 3500.0, "requests/s: 2 × (1000 + 250) on primaries + 2 × 500 reads on replicas");
        close(rps.peak, 5250.0, "peak requests/s");
        let conns = derived.connections.unwrap();
        close(conns.avg, 400.0, "connections of the busiest node");
        close(conns.peak, 600.0, "peak connections");
        close(derived.cpu_pct.unwrap().peak, 30.0, "engine CPU peak");
        close(derived.network_bytes_per_sec.unwrap().avg, 4.0e6, "network in + out of the busiest node");
        close(derived.evictions.unwrap(), 2.0 * 2.0 * 336.0, "evictions summed");
        assert_eq!(derived.period_secs, 60);
        assert_eq!(derived.window, (w.start, w.end - 3600));

        // cached as a GetMetricData export and read back offline: the same workload
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("capplan-metrics-shop.json");
        std::fs::write(&file, to_export_json(&series)).unwrap();
        let reread = capplan::source::metrics::load(&file).unwrap();
        assert_eq!(reread, series);
        assert_eq!(derive(&reread, "file").observed, derive(&series, "live").observed);

        // the standalone node on its own
        let (series, stats) = fetch(&config, &Target::of(solo), 14, now).await.unwrap();
        assert_eq!(stats.calls, min_calls(16, w.periods()));
        let derived = derive(&series, "solo").observed;
        close(derived.data_gib.unwrap().avg, 0.5, "solo data");
        close(derived.requests_per_sec.unwrap().peak, 100.0, "solo requests/s");
        control(port, "GET", "/_harness/calls", "");
    }

    /// Issue 13: 500 caches of one region (480 Redis OSS nodes, 20 Memcached clusters of two
    /// nodes) and one that does not exist, asked for at once: one listing instead of a lookup
    /// each, every query in the fewest `GetMetricData` calls for all of them (not one fetch a
    /// cache), never more than the pace allows in a second, and each cache its own series.
    #[test]
    #[ignore = "run in a child process by its parent test"]
    fn many_caches() {
        use capplan::source::live::{self, LiveRequest};
        use capplan::source::plan::AwsCacheRef;
        use futures_util::StreamExt;

        if !in_child() {
            return;
        }
        let port = child_port();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let ids: Vec<String> = (0..500).map(|i| format!("c{i:03}")).collect();
        let memcached = |i: usize| i % 25 == 24;
        let now = now();
        let w = cloudwatch::window(1, now.timestamp());
        runtime.block_on(async {
            let config = config(quick()).await;
            let ec = aws_sdk_elasticache::Client::new(&config);
            let creates = ids.iter().enumerate().map(|(i, id)| {
                let ec = ec.clone();
                async move {
                    let (engine, nodes) = if memcached(i) { ("memcached", 2) } else { ("redis", 1) };
                    ec.create_cache_cluster()
                        .cache_cluster_id(id)
                        .engine(engine)
                        .cache_node_type("cache.t4g.small")
                        .num_cache_nodes(nodes)
                        .send()
                        .await
                        .unwrap();
                }
            });
            futures_util::stream::iter(creates).buffer_unordered(8).collect::<Vec<()>>().await;
            // one day of hourly points on a few caches, each its own size and load
            let mut data = Vec::new();
            for i in [0usize, 123, 250, 499] {
                let dims = [("CacheClusterId", ids[i].as_str()), ("CacheNodeId", "0001")];
                let gib = (i + 1) as f64 / 100.0;
                let rps = 10.0 * (i + 1) as f64;
                let (data_metric, reads) = if memcached(i) {
                    ("BytesUsedForCacheItems", "CmdGet")
                } else {
                    ("BytesUsedForCache", "GetTypeCmds")
                };
                data.extend(hourly(w, &dims, &[(data_metric, &|_| gib * GIB), (reads, &|_| rps * 60.0)]));
            }
            put(&config, data).await;
        });

        let req = |id: &str| LiveRequest {
            cache: AwsCacheRef::CacheCluster(id.to_string()),
            region: "us-east-1".into(),
            days: 1,
            profile: None,
            offline: false,
        };
        let mut reqs: Vec<LiveRequest> = ids.iter().map(|id| req(id)).collect();
        reqs.push(req("ghost"));
        let before = |op| calls(port, op);
        let (gmd, listings, lookups) =
            (before("GetMetricData"), before("DescribeCacheClusters"), before("DescribeReplicationGroups"));
        let said = std::sync::Mutex::new(Vec::new());
        let started = Instant::now();
        let results = live::load_all(&reqs, now, &|line| said.lock().unwrap().push(line.to_string()));
        let took = started.elapsed();
        assert_eq!(results.len(), 501);

        // the one that does not exist fails alone, by name
        let ghost = results[500].as_ref().unwrap_err();
        assert!(matches!(ghost, SourceError::AwsNotFound { subject, .. } if subject == "ghost"), "{ghost:?}");
        let fetched: Vec<&live::LiveMetrics> =
            results[..500].iter().map(|r| r.as_ref().unwrap_or_else(|e| panic!("{e}"))).collect();

        // the fewest calls for every query of the 500 caches, and a listing instead of 500 lookups
        let targets: Vec<Target> = fetched.iter().map(|l| Target::of(&l.discovered)).collect();
        let q = queries(&targets, METRICS).len();
        assert_eq!(q, 480 * 16 + 20 * 2 * 14, "16 queries a Redis OSS node, 14 a Memcached node");
        let made = calls(port, "GetMetricData") - gmd;
        assert_eq!(made, min_calls(q, w.periods()), "{q} queries × {} minutes", w.periods());
        assert!(made < 150, "{made} calls; a fetch per cache would take at least 500");
        assert!(calls(port, "DescribeCacheClusters") - listings <= 6, "pages of one listing, not a lookup each");
        assert!(calls(port, "DescribeReplicationGroups") - lookups <= 1);
        // started 40 ms apart (the unit test of `Pace`); they arrive with some jitter, and
        // stay well within the account's quota
        let busiest = most_in_a_second(port, "GetMetricData");
        assert!(busiest <= cloudwatch::QUOTA_PER_SEC as usize, "{busiest} calls within one second");
        assert!(took >= Duration::from_secs_f64((made - 1) as f64 / f64::from(cloudwatch::CALLS_PER_SEC)) * 9 / 10);

        // each cache's share adds up to the whole fetch; every call was shared
        let requested: u64 = fetched.iter().map(|l| l.stats.metrics_requested).sum();
        assert_eq!(requested, q as u64, "each query asked once (a day fits one time slice)");
        assert!(fetched.iter().all(|l| l.stats.calls >= 1 && l.stats.shared_with >= 1 && l.stats.window == Some(w)));
        let lines = said.lock().unwrap().clone();
        assert!(
            lines.iter().any(|l| l.contains(&format!("500 caches in us-east-1: {made} GetMetricData calls"))),
            "{lines:?}"
        );

        // every cache its own series, kept in the user cache, read back as the report reads them
        for i in [0usize, 123, 250, 499] {
            let full = live::with_series(&reqs[i], fetched[i].clone()).unwrap();
            let derived = derive(&live::series(&full).unwrap(), "live").observed;
            close(derived.data_gib.unwrap().avg, (i + 1) as f64 / 100.0, &format!("data of {}", ids[i]));
            close(derived.requests_per_sec.unwrap().avg, 10.0 * (i + 1) as f64, &format!("requests/s of {}", ids[i]));
            assert!(live::cached(&reqs[i]).unwrap().is_some(), "{} kept", ids[i]);
        }
        let quiet = live::with_series(&reqs[1], fetched[1].clone()).unwrap();
        assert!(derive(&live::series(&quiet).unwrap(), "live").observed.data_gib.is_none(), "no points, no figure");
    }

    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn serverless() {
        if !in_child() {
            return;
        }
        let port = child_port();
        let config = config(quick()).await;
        let all = discover_all(&config, &[]).await.unwrap();
        let sls = find(&all, "sessions-sls");
        assert_eq!(sls.kind, CacheKind::Serverless);
        assert_eq!((sls.engine, sls.engine_version.as_deref()), (Engine::Valkey, Some("8.0")));
        let limits = sls.limits.unwrap();
        assert_eq!((limits.max_data_gb, limits.min_data_gb), (Some(100), Some(1)));
        assert_eq!((limits.max_ecpu_per_sec, limits.min_ecpu_per_sec), (Some(50_000), Some(1000)));
        assert_eq!((sls.snapshot_retention_days, sls.snapshot_window.as_deref()), (7, Some("03:00")));
        assert!(sls.cluster_mode && sls.nodes.is_empty() && sls.node_type.is_none());
        assert_eq!(sls.arn.as_deref(), Some("arn:aws:elasticache:us-east-1:123456789012:serverlesscache:sessions-sls"));
        let legacy = find(&all, "legacy-sls");
        assert_eq!((legacy.engine, legacy.snapshot_retention_days), (Engine::Redis, 0));
        assert_eq!(legacy.limits, None, "no CacheUsageLimits: no limits");
        assert_eq!(&discover_one(&config, "sessions-sls").await.unwrap(), sls);

        // every page: 120 caches come in three pages of 50
        let many: Vec<serde_json::Value> = (0..120)
            .map(|i| serde_json::json!({"ServerlessCacheName": format!("c{i:03}"), "Engine": "valkey", "Status": "available"}))
            .collect();
        control(port, "POST", "/_harness/serverless", &serde_json::json!({"caches": many}).to_string());
        let before = calls(port, "DescribeServerlessCaches");
        let all = discover_all(&config, &["us-east-1".to_string()]).await.unwrap();
        assert_eq!(all.iter().filter(|d| d.kind == CacheKind::Serverless).count(), 120);
        assert_eq!(calls(port, "DescribeServerlessCaches") - before, 3);

        // metrics by clusterId
        let now = now();
        let w = cloudwatch::window(14, now.timestamp());
        let dims = [("clusterId", "sessions-sls")];
        put(
            &config,
            hourly(
                w,
                &dims,
                &[
                    ("ElastiCacheProcessingUnits", &|h| 2000.0 * 60.0 * cycle(h)),
                    ("TotalCmdsCount", &|h| 1500.0 * 60.0 * cycle(h)),
                    ("BytesUsedForCache", &|_| 2.0 * GIB),
                    ("CurrConnections", &|_| 300.0),
                    ("ThrottledCmds", &|_| 0.0),
                ],
            ),
        )
        .await;
        let (series, stats) = fetch(&config, &Target::of(sls), 14, now).await.unwrap();
        assert!(series.iter().all(|s| s.dimension == "clusterId=sessions-sls"));
        assert_eq!(series.len(), 12);
        assert_eq!(stats.calls, min_calls(12, w.periods()));
        assert_eq!(stats.calls, 3);
        let o = derive(&series, "sls").observed;
        close(o.ecpu_per_sec.unwrap().avg, 2000.0, "ECPU/s");
        close(o.ecpu_per_sec.unwrap().peak, 3000.0, "peak ECPU/s");
        close(o.requests_per_sec.unwrap().avg, 1500.0, "requests/s from TotalCmdsCount");
        close(o.data_gib.unwrap().avg, 2.0, "data");
        close(o.connections.unwrap().peak, 300.0, "connections");

        // an answer in two pages (NextToken) is followed, and counted, to the same series
        let (one, _) = fetch(&config, &Target::of(sls), 2, now).await.unwrap();
        fault(port, r#"{"op": "GetMetricData", "kind": "paginate", "times": 1}"#);
        let (paged, stats) = fetch(&config, &Target::of(sls), 2, now).await.unwrap();
        assert_eq!(stats.calls, 2, "one planned call, two pages");
        assert_eq!(stats.metrics_requested, 24);
        assert_eq!(paged, one);
        assert!(paged.iter().any(|s| s.points.len() == 48));
    }

    fn sls_target() -> Target {
        Target::Serverless { name: "sessions-sls".to_string() }
    }

    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn access_denied() {
        if !in_child() {
            return;
        }
        let port = child_port();
        let config = config(quick()).await;
        fault(port, r#"{"op": "GetMetricData", "kind": "access_denied"}"#);
        let e = fetch(&config, &sls_target(), 1, now()).await.unwrap_err();
        assert!(
            matches!(&e, SourceError::AwsAccessDenied { action, subject } if action == "cloudwatch:GetMetricData" && subject == "sessions-sls"),
            "{e:?}"
        );
        let text = e.to_string();
        assert!(text.contains("grant the IAM action 'cloudwatch:GetMetricData'"), "{text}");

        // only the marked request is denied
        fault(port, r#"{"op": "DescribeReplicationGroups", "kind": "access_denied", "match": "denied-group"}"#);
        let e = discover_one(&config, "denied-group").await.unwrap_err();
        assert!(e.to_string().contains("'elasticache:DescribeReplicationGroups'"), "{e}");
        let e = discover_one(&config, "other-group").await.unwrap_err();
        assert!(matches!(e, SourceError::AwsNotFound { .. }), "{e:?}");
        fault(port, r#"{"op": "DescribeServerlessCaches", "kind": "access_denied"}"#);
        let e = discover_all(&config, &[]).await.unwrap_err();
        assert!(e.to_string().contains("'elasticache:DescribeServerlessCaches'"), "{e}");
    }

    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn server_errors() {
        if !in_child() {
            return;
        }
        let port = child_port();
        let config = config(AwsOptions { max_attempts: 3, ..quick() }).await;
        // two failures, then success: retried
        fault(port, r#"{"op": "DescribeReplicationGroups", "kind": "server_error", "times": 2}"#);
        discover_all(&config, &[]).await.unwrap();
        assert_eq!(calls(port, "DescribeReplicationGroups"), 3);
        // failing every time: three attempts, then a clear error (one call: 12 queries × 1 day)
        fault(port, r#"{"op": "GetMetricData", "kind": "server_error"}"#);
        let e = fetch(&config, &sls_target(), 1, now()).await.unwrap_err();
        assert_eq!(calls(port, "GetMetricData"), 3);
        assert!(matches!(&e, SourceError::AwsUnavailable { status: 500, .. }), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains("'cloudwatch:GetMetricData'") && text.contains("every attempt") && text.contains("retry"),
            "{text}"
        );
    }

    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn timeout() {
        if !in_child() {
            return;
        }
        let port = child_port();
        let options = AwsOptions {
            attempt_timeout: Duration::from_secs(1),
            operation_timeout: Duration::from_secs(2),
            ..quick()
        };
        let config = config(options).await;
        fault(port, r#"{"op": "DescribeReplicationGroups", "kind": "sleep", "seconds": 8}"#);
        let started = Instant::now();
        let e = discover_one(&config, "shop").await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5), "bounded: {:?}", started.elapsed());
        assert!(matches!(&e, SourceError::AwsTimeout { .. }), "{e:?}");
        let text = e.to_string();
        assert!(text.contains("timed out") && text.contains("'elasticache:DescribeReplicationGroups'"), "{text}");
        fault(port, r#"{"op": "GetMetricData", "kind": "sleep", "seconds": 8}"#);
        let e = fetch(&config, &sls_target(), 1, now()).await.unwrap_err();
        assert!(matches!(&e, SourceError::AwsTimeout { seconds: 2, .. }), "{e:?}");
    }

    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn throttling() {
        if !in_child() {
            return;
        }
        let port = child_port();
        let config = config(AwsOptions { max_attempts: 2, ..quick() }).await;
        fault(port, r#"{"op": "GetMetricData", "kind": "throttle"}"#);
        let e = fetch(&config, &sls_target(), 1, now()).await.unwrap_err();
        assert_eq!(calls(port, "GetMetricData"), 2, "retried once");
        assert!(matches!(&e, SourceError::AwsThrottled { action } if action == "cloudwatch:GetMetricData"), "{e:?}");
        assert!(e.to_string().contains("throttled") && e.to_string().contains("retry"), "{e}");
        fault(port, r#"{"op": "DescribeCacheClusters", "kind": "throttle"}"#);
        let e = discover_all(&config, &[]).await.unwrap_err();
        assert!(e.to_string().contains("'elasticache:DescribeCacheClusters'"), "{e}");
    }

    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn no_credentials() {
        if !in_child() {
            return;
        }
        let port = child_port();
        let config = config(quick()).await;
        let e = discover_all(&config, &[]).await.unwrap_err();
        assert!(matches!(e, SourceError::AwsNoCredentials { .. }), "{e:?}");
        let text = e.to_string();
        assert!(text.starts_with("no AWS credentials found: set AWS_PROFILE"), "{text}");
        assert!(text.contains("`aws sso login`"), "{text}");
        let e = fetch(&config, &sls_target(), 1, now()).await.unwrap_err();
        assert!(matches!(e, SourceError::AwsNoCredentials { .. }), "{e:?}");
        let seen: BTreeMap<String, u64> = serde_json::from_str(&control(port, "GET", "/_harness/calls", "")).unwrap();
        assert!(seen.is_empty(), "nothing was sent: {seen:?}");
    }

    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn expired_sso() {
        if !in_child() {
            return;
        }
        let config = config(quick()).await;
        let e = discover_all(&config, &[]).await.unwrap_err();
        assert!(
            matches!(&e, SourceError::AwsSessionExpired { profile: Some(profile) } if profile == "capplan-sso"),
            "{e:?}"
        );
        assert!(e.to_string().contains("run `aws sso login --profile capplan-sso`"), "{e}");
        assert!(!format!("{e} {e:?}").contains("capplan-expired-access-token"));
    }

    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn redaction() {
        if !in_child() {
            return;
        }
        let port = child_port();
        let config = config(quick()).await;
        fault(port, r#"{"kind": "echo_credentials"}"#);
        let a = discover_all(&config, &[]).await.unwrap_err();
        let b = fetch(&config, &sls_target(), 1, now()).await.unwrap_err();
        for e in [a, b] {
            assert!(matches!(e, SourceError::AwsCredentialsRejected { .. }), "{e:?}");
            let shown = format!("{e} {e:?}");
            assert!(shown.contains("***"), "the server echoed credentials: {shown}");
            for secret in [super::FAKE_SECRET, super::FAKE_TOKEN, super::FAKE_KEY_ID, "capplanFake"] {
                assert!(!shown.contains(secret), "'{secret}' shown in: {shown}");
            }
        }
    }

    /// One Cost Explorer `ResultsByTime` entry of October 2026 with `groups`.
    fn ce_page(groups: &[(&str, &str, &str, &str)], next: Option<&str>) -> serde_json::Value {
        let groups: Vec<_> = groups
            .iter()
            .map(|(usage, tag, usd, qty)| {
                serde_json::json!({
                    "Keys": [usage, tag],
                    "Metrics": {
                        "UnblendedCost": {"Amount": usd, "Unit": "USD"},
                        "UsageQuantity": {"Amount": qty, "Unit": "N/A"}
                    }
                })
            })
            .collect();
        let mut page = serde_json::json!({
            "GroupDefinitions": [{"Type": "DIMENSION", "Key": "USAGE_TYPE"}, {"Type": "TAG", "Key": "Environment"}],
            "ResultsByTime": [{
                "TimePeriod": {"Start": "2026-10-01", "End": "2026-11-01"},
                "Total": {},
                "Groups": groups,
                "Estimated": false
            }],
            "DimensionValueAttributes": []
        });
        if let Some(token) = next {
            page["NextPageToken"] = serde_json::json!(token);
        }
        page
    }

    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn cost_explorer() {
        if !in_child() {
            return;
        }
        let port = child_port();
        let results = serde_json::json!({"results": [
            ce_page(
                &[
                    ("NodeUsage:cache.m7g.large", "Environment$prod", "232.10", "1488"),
                    ("USE1-BackupUsage", "Environment$prod", "1.70", "20"),
                ],
                Some("page-2"),
            ),
            ce_page(&[("NodeUsage:cache.t4g.small", "Environment$", "23.81", "744")], None),
        ]});
        control(port, "POST", "/moto-api/static/ce/cost-and-usage-results", &results.to_string());
        // a region other than us-east-1: Cost Explorer is answered from us-east-1 all the same
        let config = config(AwsOptions { region: Some("eu-west-1".into()), ..quick() }).await;
        let month = capplan::model::bill::Month::parse("2026-10").unwrap();
        let bill = capplan::source::bill::cost_explorer(&config, month, Some("Environment")).await.unwrap();
        assert_eq!(calls(port, "GetCostAndUsage"), 2, "one request per page");
        assert_eq!(bill.source, "Cost Explorer GetCostAndUsage (2 requests, $0.02)");
        assert_eq!(bill.total_usd().to_string(), "257.61");
        let prod: Vec<_> = bill.lines.iter().filter(|l| l.tags == [("Environment".into(), "prod".into())]).collect();
        assert_eq!(prod.len(), 2, "{bill:?}");
        let untagged = bill.lines.iter().find(|l| l.tags.is_empty()).unwrap();
        assert_eq!(untagged.usage_type, "NodeUsage:cache.t4g.small");
        assert_eq!(untagged.quantity.map(|q| q.to_string()).as_deref(), Some("744"));
        assert_eq!(untagged.unit, None, "Cost Explorer's N/A unit is no unit");
    }

    #[tokio::test]
    #[ignore = "run in a child process by its parent test"]
    async fn cost_explorer_denied() {
        if !in_child() {
            return;
        }
        let port = child_port();
        fault(port, r#"{"op": "GetCostAndUsage", "kind": "access_denied"}"#);
        let config = config(quick()).await;
        let month = capplan::model::bill::Month::parse("2026-10").unwrap();
        let e = capplan::source::bill::cost_explorer(&config, month, None).await.unwrap_err();
        assert!(matches!(&e, SourceError::AwsAccessDenied { action, .. } if action == "ce:GetCostAndUsage"), "{e:?}");
        assert!(e.to_string().contains("grant the IAM action 'ce:GetCostAndUsage'"), "{e}");
    }
}
