//! Properties of the parsers that take outside input (issue 13): whatever the text, the plan
//! parser, the metrics parser (JSON and CSV), the pricing-cache reader, the Price List readers
//! and the Redis INFO and MONITOR parsers return a value or an error, never a panic; and
//! whatever the plan or metrics parser accepts evaluates (to a report or an error) without one.
//!
//! Each parser gets arbitrary text and text shaped like its input, whose values are drawn from
//! tokens that are valid, at the bounds, or hostile (huge, negative, NaN, junk), so the cases
//! reach past the first syntax error into the checks and the arithmetic behind them.

use chrono::NaiveDate;
use proptest::prelude::*;
use std::fmt::Write as _;

use capplan::model::measured_workload::measured_workload;
use capplan::model::observed::derive;
use capplan::model::profile::{ProfileInput, analyze, parse_info, parse_monitor_line};
use capplan::model::workload::{EnvInputs, Workload, WorkloadSource};
use capplan::model::{catalog::Engine, evaluate};
use capplan::report::evaluate_env;
use capplan::source::metrics::{parse, parse_csv, parse_json};
use capplan::source::offline::{CACHE, REGION_CHUNKS, embedded, parse_cache, parse_region};
use capplan::source::plan::parse_plan;
use capplan::source::plan_edit::profile_into_plan;
use capplan::source::pricelist::{parse_get_products_item, parse_offer_file};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// A number as text: ordinary, at a bound, or hostile.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u64..100_000).prop_map(|v| format!("{}.{}", v / 10, v % 10)),
        2 => prop::sample::select(vec![
            "0", "1", "0.5", "6", "100", "524288", "10000000", "1000000000", "1000000000000", "100.0000001",
            "10000000.5", "1e28", "1e300", "-1", "-0.0", "nan", "inf", "-inf", "1e-30", "9223372036854775807",
        ])
        .prop_map(str::to_string),
        1 => any::<f64>().prop_map(|v| format!("{v:e}")),
        1 => any::<i64>().prop_map(|v| v.to_string()),
        1 => "[a-z0-9.\"-]{0,6}",
    ]
}

/// A timestamp as text: mostly CloudWatch's form (or epoch seconds or milliseconds) within
/// 40 days, sometimes hostile.
fn timestamp() -> impl Strategy<Value = String> {
    prop_oneof![
        200 => (0i64..40 * 288).prop_map(|s| {
            chrono::DateTime::from_timestamp(1_794_182_400 + s * 300, 0)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        }),
        10 => (0i64..40 * 288).prop_map(|s| (1_794_182_400 + s * 300).to_string()),
        10 => (0i64..40 * 288).prop_map(|s| ((1_794_182_400 + s * 300) * 1000).to_string()),
        1 => any::<i64>().prop_map(|v| v.to_string()),
        1 => prop::sample::select(vec![
            "1999-12-31T23:59:59Z", "2200-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-09T24:00:00Z",
            "2026-11-09T00:00:00+14:00", "9999-12-31T23:59:59Z", "", "now", "1e300", "-9223372036854775808",
        ])
        .prop_map(str::to_string),
    ]
}

/// A metric value as text: mostly what a cache reports, sometimes at the bounds or hostile.
fn metric_value() -> impl Strategy<Value = String> {
    prop_oneof![
        100 => (0u64..10_000_000).prop_map(|v| v.to_string()),
        10 => (0u64..1000).prop_map(|v| format!("{}e{}", v, v % 19)),
        2 => prop::sample::select(vec!["9.9e17", "1e18", "1e20", "1e24", "1e28"]).prop_map(str::to_string),
        1 => number(),
    ]
}

const METRICS: &[&str] = &[
    "TotalCmdsCount",
    "GetTypeCmds",
    "SetTypeCmds",
    "BytesUsedForCache",
    "CurrConnections",
    "ElastiCacheProcessingUnits",
    "Evictions",
    "EngineCPUUtilization",
    "NetworkBytesIn",
    "NetworkBytesOut",
    "ThrottledCmds",
    "Other",
];

fn metric() -> impl Strategy<Value = String> {
    prop_oneof![100 => prop::sample::select(METRICS).prop_map(str::to_string), 1 => "[A-Za-z,\"]{0,8}"]
}

fn stat() -> impl Strategy<Value = &'static str> {
    prop_oneof![100 => prop::sample::select(vec!["Sum", "Average", "Maximum", "p99"]), 1 => Just("")]
}

/// A CSV field, quoted or not (quoted ones may hold commas, quotes and line breaks).
fn dimension() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(String::new()),
        6 => (0u8..4).prop_map(|n| format!("CacheClusterId=shop-000{n}-001")),
        2 => "[a-z=,;\" \n]{0,10}".prop_map(|d| format!("\"{}\"", d.replace('"', "\"\""))),
    ]
}

prop_compose! {
    fn csv_metrics()(
        rows in prop::collection::vec((timestamp(), metric(), stat(), dimension(), metric_value()), 0..24),
        header in prop_oneof![30 => Just("timestamp,metric,stat,dimension,value"), 1 => Just("time,value"), 1 => Just("")],
        line_end in prop::sample::select(vec!["\n", "\r\n"]),
    ) -> String {
        let mut text = format!("{header}{line_end}");
        for (t, m, s, d, v) in rows {
            let _ = write!(text, "{t},{m},{s},{d},{v}{line_end}");
        }
        text
    }
}

/// A JSON value of a timestamp: a string, or a number of any size.
fn json_timestamp() -> impl Strategy<Value = String> {
    prop_oneof![
        100 => timestamp().prop_map(|t| format!("\"{t}\"")),
        10 => timestamp().prop_filter("a JSON number", |t| t.parse::<i64>().is_ok()),
        1 => prop::sample::select(vec!["1e400", "-1e300", "1.5", "null", "[]", "{}"]).prop_map(str::to_string),
    ]
}

/// A JSON value of a metric: a number, or not.
fn json_value() -> impl Strategy<Value = String> {
    prop_oneof![
        100 => metric_value().prop_filter("a JSON number", |n| serde_json::from_str::<f64>(n).is_ok()),
        1 => prop::sample::select(vec!["1e400", "-1", "null", "\"5\"", "true"]).prop_map(str::to_string),
    ]
}

prop_compose! {
    fn json_metrics()(
        series in prop::collection::vec(
            (
                metric(),
                stat(),
                prop_oneof![10 => Just(60u32), 10 => Just(300u32), 1 => 0u32..4000],
                prop::collection::vec((json_timestamp(), json_value()), 0..12),
                prop_oneof![20 => Just(true), 1 => Just(false)],
            ),
            1..5,
        ),
    ) -> String {
        let (mut queries, mut results) = (Vec::new(), Vec::new());
        for (i, (m, s, period, points, matched)) in series.into_iter().enumerate() {
            queries.push(format!(
                r#"{{"Id": "q{i}", "MetricStat": {{"Metric": {{"Namespace": "AWS/ElastiCache", "MetricName": "{m}", "Dimensions": [{{"Name": "CacheClusterId", "Value": "c{i}"}}]}}, "Period": {period}, "Stat": "{s}"}}}}"#,
                m = m.replace('"', "")
            ));
            let (ts, vs): (Vec<String>, Vec<String>) = points.into_iter().unzip();
            let id = if matched { format!("q{i}") } else { "nobody".to_string() };
            results.push(format!(
                r#"{{"Id": "{id}", "Timestamps": [{}], "Values": [{}], "StatusCode": "Complete"}}"#,
                ts.join(", "),
                vs.join(", ")
            ));
        }
        format!(r#"{{"MetricDataQueries": [{}], "MetricDataResults": [{}]}}"#, queries.join(", "), results.join(", "))
    }
}

/// A figure of the plan: mostly within its key's bounds (at the bound one time in six),
/// sometimes hostile ([`number`]).
fn figure(max: u64, whole: bool) -> impl Strategy<Value = String> {
    let typical = if whole {
        (0..=max.min(1000)).prop_map(|v| v.to_string()).boxed()
    } else {
        (0..=max.min(100_000)).prop_map(|v| format!("{}.{:02}", v / 100, v % 100)).boxed()
    };
    prop_oneof![20 => typical, 4 => Just(max.to_string()), 1 => number()]
}

/// A share: 0 to 1, sometimes hostile.
fn share() -> impl Strategy<Value = String> {
    prop_oneof![20 => (0u32..=100).prop_map(|v| format!("{}.{:02}", v / 100, v % 100)), 1 => number()]
}

/// `(key, value)` of an optional workload key.
fn workload_key() -> impl Strategy<Value = (&'static str, String)> {
    let amount = |key: &'static str, max: u64| figure(max, false).prop_map(move |v| (key, v));
    let whole = |key: &'static str, max: u64| figure(max, true).prop_map(move |v| (key, v));
    prop_oneof![
        amount("avg_request_kb", 524_288),
        share().prop_map(|v| ("read_ratio", v)),
        whole("connections", 10_000_000),
        amount("min_ecpu_per_sec", 1_000_000_000),
        amount("growth_pct_per_month", 100),
        amount("pubsub_messages_per_sec", 1_000_000_000),
        amount("pubsub_payload_kb", 524_288),
        whole("pubsub_subscribers", 1_000_000),
        amount("max_item_kb", 524_288),
        share().prop_map(|v| ("hot_key_share", v)),
        share().prop_map(|v| ("hot_data_fraction", v)),
        amount("new_connections_per_sec", 1_000_000_000),
        (prop_oneof![10 => 1u32..=6, 1 => 0u32..100]).prop_map(|v| ("client_azs", v.to_string())),
    ]
}

prop_compose! {
    /// A plan of one environment: its figures mostly within their bounds, sometimes at them,
    /// sometimes hostile.
    fn plan_text()(
        engine in prop_oneof![10 => prop::sample::select(vec!["valkey", "redis", "memcached"]), 1 => Just("keydb")],
        ha in any::<bool>(),
        data in figure(10_000_000, false),
        rps in figure(1_000_000_000, false),
        peaks in (any::<bool>(), figure(10_000_000, false), any::<bool>(), figure(1_000_000_000, false)),
        extra in prop::collection::vec(workload_key(), 0..6),
        policy in prop::option::of((share(), figure(60, true), figure(75, true))),
        current in prop::option::of((
            prop_oneof![
                10 => prop::sample::select(vec!["cache.r7g.large", "cache.t4g.micro", "cache.r6gd.xlarge", "cache.m7g.16xlarge"]),
                1 => Just("cache.x9.huge"),
            ],
            prop_oneof![20 => (1u32..=20).prop_map(|n| n.to_string()), 1 => figure(500, true)],
            prop_oneof![20 => (0u32..=2).prop_map(|n| n.to_string()), 1 => figure(5, true)],
            prop_oneof![20 => Just(None), 1 => any::<bool>().prop_map(Some)],
        )),
        metrics_file in any::<bool>(),
    ) -> String {
        let mut text = String::from("region = \"us-east-1\"\n");
        if let Some((headroom, horizon, reserved)) = policy {
            let _ = write!(text,
                "[policy]\nheadroom = {headroom}\nhorizon_months = {horizon}\nreserved_memory_pct = {reserved}\n"
            );
        }
        let _ = write!(text, "[env.prod]\nengine = \"{engine}\"\nha = {ha}\n[env.prod.workload]\ndata_gb = {data}\nrequests_per_sec = {rps}\n");
        // a peak is the average plus some (or a figure of its own, often below it)
        let (data_peak, extra_data, rps_peak, extra_rps) = peaks;
        let plus = |avg: &str, extra: &str, max: f64| match (avg.parse::<f64>(), extra.parse::<f64>()) {
            (Ok(a), Ok(b)) if a.is_finite() && b.is_finite() => format!("{}", (a + b).min(max)),
            _ => extra.to_string(),
        };
        if data_peak {
            let _ = writeln!(text, "peak_data_gb = {}", plus(&data, &extra_data, 1e7));
        }
        if rps_peak {
            let _ = writeln!(text, "peak_requests_per_sec = {}", plus(&rps, &extra_rps, 1e9));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (key, value) in extra {
            if seen.insert(key) {
                let _ = writeln!(text, "{key} = {value}");
            }
        }
        if let Some((node, shards, replicas, cluster)) = current {
            let _ = write!(
                text,
                "[env.prod.current]\nkind = \"node\"\nnode_type = \"{node}\"\nshards = {shards}\nreplicas = {replicas}\n"
            );
            if let Some(cluster) = cluster {
                let _ = writeln!(text, "cluster_mode = {cluster}");
            }
        }
        if metrics_file {
            text.push_str("[env.prod.metrics]\nfile = \"m.json\"\n");
        }
        text
    }
}

/// An `INFO` reply whose numbers are drawn from [`number`].
fn info_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        (prop::sample::select(vec!["get", "set", "publish", "eval", "info", "x"]), number(), number())
            .prop_map(|(c, calls, usec)| format!("cmdstat_{c}:calls={calls},usec={usec},usec_per_call=1.00")),
        (number(), number(), number())
            .prop_map(|(db, keys, exp)| format!("db{db}:keys={keys},expires={exp},avg_ttl=0")),
        (
            prop::sample::select(vec![
                "used_memory",
                "used_memory_dataset",
                "mem_fragmentation_ratio",
                "connected_clients",
                "total_net_input_bytes",
                "total_net_output_bytes",
                "total_commands_processed",
                "instantaneous_ops_per_sec",
                "pubsub_channels",
                "pubsub_patterns",
                "cluster_enabled",
                "maxmemory",
                "redis_version",
            ]),
            number(),
        )
            .prop_map(|(k, v)| format!("{k}:{v}")),
        ".{0,30}",
    ];
    prop::collection::vec(line, 0..16).prop_map(|lines| lines.join("\r\n"))
}

/// A MONITOR line: the real shape with random parts, or anything.
fn monitor_line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (number(), 0u32..20, prop::collection::vec("[A-Za-z{}:0-9\\\\\" ]{0,8}", 0..5)).prop_map(|(t, db, args)| {
            let args: Vec<String> = args.iter().map(|a| format!("\"{a}\"")).collect();
            format!("{t} [{db} 127.0.0.1:50000] {}", args.join(" "))
        }),
        1 => ".{0,40}",
    ]
}

/// Evaluate every environment of an accepted plan the way the report and the app do.
fn evaluates(text: &str) -> Result<(), TestCaseError> {
    let book = embedded().unwrap();
    if let Ok(plan) = parse_plan(text, "p.toml", book) {
        for env in &plan.envs {
            prop_assert!(env.workload.validate().is_ok(), "the parser accepted a workload out of bounds");
            // Ok or an error, never a panic
            let _ = evaluate_env(env, None, book, "p.toml", as_of());
        }
    }
    Ok(())
}

/// Evaluate what an accepted metrics file measures, as `workload = "measured"` does.
fn measured_evaluates(series: &[capplan::model::observed::MetricSeries]) {
    let data = derive(series, "m");
    let plan =
        Workload { data_gb: 1.into(), peak_data_gb: 1.into(), requests_per_sec: 100.into(), ..Workload::default() };
    let m = measured_workload("prod", &plan, true, &data.observed, WorkloadSource::File);
    let env = EnvInputs::new("prod", "us-east-1", Engine::Valkey, true, m.workload);
    let _ = evaluate(&env, embedded().unwrap(), as_of());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_plan_parser_never_panics_on_any_text(text in ".{0,200}") {
        let _ = parse_plan(&text, "p.toml", embedded().unwrap());
    }

    #[test]
    fn the_metrics_parser_never_panics_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse(&bytes, "m");
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_csv(&text, "m.csv");
        let _ = parse_json(text.as_bytes(), "m.json");
    }

    #[test]
    fn metrics_csv_never_panics_and_what_it_accepts_is_in_bounds(text in csv_metrics()) {
        if let Ok(series) = parse(text.as_bytes(), "m.csv") {
            let data = derive(&series, "m.csv");
            let m = measured_workload("prod", &Workload::default(), false, &data.observed, WorkloadSource::File);
            let mut w = m.workload;
            w.growth_pct_per_month = 0.into();
            prop_assert!(w.validate().is_ok(), "{:?}", w.validate());
            let window = capplan::source::metrics::EARLIEST..capplan::source::metrics::LATEST;
            let in_window = series.iter().flat_map(|s| &s.points).all(|p| window.contains(&p.0));
            prop_assert!(in_window, "a timestamp outside the window was accepted");
        }
    }

    #[test]
    fn metrics_json_never_panics(text in json_metrics()) {
        let _ = parse(text.as_bytes(), "m.json");
    }

    #[test]
    fn info_and_monitor_parsers_never_panic(info in ".{0,200}", line in ".{0,120}") {
        let _ = parse_info(&info);
        let _ = parse_monitor_line(&line);
    }

    #[test]
    fn price_list_readers_never_panic(text in ".{0,200}") {
        let _ = parse_get_products_item(&text);
        let _ = parse_offer_file(text.as_bytes(), "offer.json");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_pricing_cache_reader_never_panics(
        index in prop::collection::vec(any::<u8>(), 0..120),
        cut in 0usize..40_000,
        price in number(),
        which in 0usize..400,
    ) {
        let _ = parse_cache(&index, REGION_CHUNKS, "fuzz");
        // a truncated index
        let _ = parse_cache(&CACHE[..cut.min(CACHE.len())], REGION_CHUNKS, "fuzz");
        // a region chunk truncated, or with one of its prices replaced
        let book = embedded().unwrap();
        let (code, chunk) = REGION_CHUNKS[which % REGION_CHUNKS.len()];
        let _ = parse_region(code, &chunk[..cut.min(chunk.len())], &book.catalog, &book.sources);
        let text = std::str::from_utf8(chunk).unwrap();
        let marks: Vec<usize> = text.match_indices("\"usd_per_hour\": \"").map(|(i, m)| i + m.len()).collect();
        if let Some(&at) = marks.get(which % marks.len().max(1)) {
            let end = at + text[at..].find('"').unwrap();
            let changed = format!("{}{price}{}", &text[..at], &text[end..]);
            if let Ok(prices) = parse_region(code, changed.as_bytes(), &book.catalog, &book.sources) {
                prop_assert!(prices.on_demand.values().all(|r| r.usd >= 0.into() && r.usd <= 1_000_000.into()));
            }
        }
    }

    #[test]
    fn the_profiler_never_panics_on_any_info_or_monitor_reply(
        start in info_text(),
        end in info_text(),
        seconds in prop_oneof![Just(0.0), 0.0f64..120.0, any::<f64>()],
        lines in prop::collection::vec(monitor_line(), 0..12),
    ) {
        let input = ProfileInput {
            target: "redis://127.0.0.1:6379".into(),
            info_start: parse_info(&start),
            info_end: parse_info(&end),
            seconds,
            monitor: lines.iter().filter_map(|l| parse_monitor_line(l)).collect(),
            ..ProfileInput::default()
        };
        let profile = analyze(&input);
        // what the profile writes into a plan parses, or is refused, without a panic
        if let Ok(text) = profile_into_plan(None, "prod", &profile, as_of()) {
            let _ = parse_plan(&text, "p.toml", embedded().unwrap());
        }
    }
}

proptest! {
    // each accepted case is evaluated in full (every option, the recommendation, the report)
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn any_plan_the_parser_accepts_evaluates_without_a_panic(text in plan_text()) {
        evaluates(&text)?;
    }

    /// Magnitudes from 1 to 1e30 in the metrics the workload is measured from (the crash of
    /// issue 13 was TotalCmdsCount = 1e28).
    #[test]
    fn metrics_of_any_magnitude_evaluate_or_are_refused_without_a_panic(
        rows in prop::collection::vec(
            (
                0i64..12,
                prop::sample::select(vec![
                    "TotalCmdsCount", "GetTypeCmds", "SetTypeCmds", "BytesUsedForCache", "CurrConnections",
                    "ElastiCacheProcessingUnits", "Evictions",
                ]),
                prop::sample::select(vec!["Sum", "Average"]),
                1u32..10,
                0u32..31,
            ),
            1..8,
        ),
    ) {
        let mut csv = String::from("timestamp,metric,stat,dimension,value\n");
        for (t, metric, stat, mantissa, exponent) in rows {
            let _ = writeln!(csv, "{},{metric},{stat},,{mantissa}e{exponent}", 1_794_182_400 + t * 300);
        }
        match parse(csv.as_bytes(), "m.csv") {
            Ok(series) => measured_evaluates(&series),
            Err(e) => prop_assert!(e.to_string().contains("m.csv"), "{e}"),
        }
    }

    #[test]
    fn any_metrics_the_parser_accepts_evaluate_without_a_panic(csv in csv_metrics(), json in json_metrics()) {
        for (bytes, name) in [(csv.as_bytes(), "m.csv"), (json.as_bytes(), "m.json")] {
            if let Ok(series) = parse(bytes, name) {
                measured_evaluates(&series);
            }
        }
    }
}

/// Text shaped like a Terraform module: resource blocks of the types capplan reads, with values
/// that are literals, variables, locals, references, templates, functions or junk.
fn terraform_text() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just("\"cache.r7g.large\"".to_string()),
        Just("var.node_type".to_string()),
        Just("local.a".to_string()),
        Just("\"x-${var.env}-${local.b}\"".to_string()),
        Just("aws_elasticache_replication_group.r.id".to_string()),
        Just("max(1, 2)".to_string()),
        Just("var.m[var.env]".to_string()),
        Just("true".to_string()),
        Just("\"%{if true}a%{endif}\"".to_string()),
        number(),
        ".{0,12}",
    ];
    let attr = (
        prop::sample::select(vec![
            "node_type",
            "engine",
            "num_cache_clusters",
            "num_node_groups",
            "replicas_per_node_group",
            "cluster_mode",
            "replication_group_id",
            "snapshot_retention_limit",
            "num_cache_nodes",
            "min_capacity",
            "max_capacity",
            "resource_id",
            "scalable_dimension",
            "service_namespace",
        ]),
        value,
    );
    let block = (
        prop::sample::select(vec![
            "resource \"aws_elasticache_replication_group\" \"r\"",
            "resource \"aws_elasticache_cluster\" \"c\"",
            "resource \"aws_elasticache_serverless_cache\" \"s\"",
            "resource \"aws_appautoscaling_target\" \"t\"",
            "locals",
            "variable \"node_type\"",
        ]),
        prop::collection::vec(attr, 0..6),
    );
    prop::collection::vec(block, 0..5).prop_map(|blocks| {
        let mut out = String::new();
        for (header, attrs) in blocks {
            let _ = writeln!(out, "{header} {{");
            for (k, v) in attrs {
                let k = if header == "locals" { "a" } else { k };
                let _ = writeln!(out, "  {k} = {v}");
            }
            out.push_str("}\n");
        }
        out
    })
}

proptest! {
    /// The Terraform reader (issue 12): any text is a module or a located syntax error, and any
    /// module imports (deployments, members, unresolved expressions) without a panic.
    #[test]
    fn the_terraform_reader_never_panics(text in ".{0,200}", module in terraform_text(), var in ".{0,20}") {
        use capplan::source::terraform::{TfFile, parse_module};
        for text in [text, module] {
            let tf = [TfFile { name: "main.tf".into(), text }];
            match parse_module(&tf, &[], std::slice::from_ref(&var)) {
                Ok(m) => {
                    let imported = m.import();
                    for (_, spec) in imported.deployments() {
                        let _ = spec.toml();
                    }
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }
    }
}
