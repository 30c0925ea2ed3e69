//! The ten findings an expert review made of the recommender (issue 8), one test each, through
//! the real binary: what an SRE who has to run the answer would reject is now answered otherwise.

use serde_json::Value;

use crate::support::{option, plan, report_json};

fn winner(env: &Value) -> &Value {
    option(env, env["recommendation"]["option_id"].as_str().expect("a recommendation"))
}

fn settings(env: &Value) -> &Value {
    &env["recommendation"]["settings"]
}

fn alarm<'a>(env: &'a Value, metric: &str) -> Option<&'a Value> {
    settings(env)["alarms"].as_array().unwrap().iter().find(|a| a["metric"] == metric)
}

fn kind<'a>(env: &'a Value, kind: &str) -> impl Iterator<Item = &'a Value> {
    env["options"].as_array().unwrap().iter().filter(move |o| o["kind"] == kind)
}

/// A one-environment plan with extra environment keys (`role`, `tier`…) and the default
/// snapshot retention (from the role and tier).
fn plan_with(env_keys: &str, ha: bool, workload: &str) -> String {
    plan("valkey", ha, workload, "")
        .replace("snapshot_retention_days = 0\n", "")
        .replace("[env.t.workload]", &format!("{env_keys}\n[env.t.workload]"))
}

#[test]
fn finding_1_upstash_under_ha_carries_the_prod_pack_and_has_no_maxmemory_policy() {
    let small = "data_gb = 0.1\nrequests_per_sec = 0.1\nconnections = 10";
    let ha = report_json(&plan("redis", true, small, ""), "t");
    for u in kind(&ha, "upstash").filter(|o| o["plan"] != "free") {
        assert!(u["lines"][0]["item"].as_str().unwrap().starts_with("Prod Pack"), "{}", u["id"]);
    }
    let free = option(&ha, "upstash/free");
    assert!(free["excluded_reasons"].to_string().contains("Prod Pack"), "{}", free["excluded_reasons"]);
    // without HA Upstash may win; then its settings are Upstash's, not a parameter group's
    let single = report_json(&plan("redis", false, small, ""), "t");
    let w = winner(&single);
    assert_eq!(w["kind"], "upstash", "{}", single["recommendation"]["rationale"]);
    assert!(settings(&single)["maxmemory_policy"].is_null());
    let upstash = &settings(&single)["upstash"];
    assert_eq!((upstash["prod_pack"].as_bool(), upstash["read_regions"].as_u64()), (Some(false), Some(0)));
    assert!(w["notes"].to_string().contains("NAT"), "{}", w["notes"]);
}

#[test]
fn finding_2_pattern_subscriptions_rule_out_serverless_and_its_pubsub_is_a_range() {
    let pubsub =
        "data_gb = 1\nrequests_per_sec = 100\nconnections = 40\npubsub_messages_per_sec = 500\npubsub_subscribers = 10";
    let with_patterns = report_json(&plan("valkey", true, &format!("{pubsub}\npubsub_patterns = true"), ""), "t");
    for s in kind(&with_patterns, "serverless").filter(|o| o["engine"] != "memcached") {
        assert!(s["excluded_reasons"].to_string().contains("PSUBSCRIBE"), "{}", s["id"]);
    }
    let plain = report_json(&plan("valkey", true, pubsub, ""), "t");
    let serverless = option(&plain, "serverless/valkey");
    let unverified: Vec<&Value> =
        serverless["lines"].as_array().unwrap().iter().filter(|l| l["unverified"].is_string()).collect();
    assert!(unverified.iter().any(|l| l["item"].as_str().unwrap().starts_with("Pub/sub deliveries")));
    let (high, low) = (serverless["monthly_usd"].as_f64().unwrap(), serverless["monthly_usd_low"].as_f64().unwrap());
    assert!(low < high, "{low} < {high}");
    assert!(serverless["notes"].to_string().contains("low end"), "{}", serverless["notes"]);
}

#[test]
fn finding_3_cluster_mode_is_not_free() {
    // the 10k-user chat app (classic Socket.IO adapter: pattern subscriptions): a standalone
    // client never gets cluster mode, whatever it saves
    let chat = "data_gb = 0.5\npeak_data_gb = 0.8\nrequests_per_sec = 70\npeak_requests_per_sec = 700\nconnections = 40\n\
                pubsub_messages_per_sec = 100\npeak_pubsub_messages_per_sec = 1000\npubsub_subscribers = 4\npubsub_patterns = true";
    let standalone = report_json(&plan("redis", true, &format!("{chat}\nclient_cluster_aware = false"), ""), "t");
    assert_eq!(settings(&standalone)["cluster_mode"], false);
    let clusters: Vec<&Value> = kind(&standalone, "node").filter(|o| o["cluster_mode"] == true).collect();
    for o in &clusters {
        assert!(o["excluded_reasons"].to_string().contains("not cluster-aware"), "{}", o["id"]);
    }
    // with the client's support unknown, cluster mode is a last resort: the winner is one shard
    let unknown = report_json(&plan("redis", true, chat, ""), "t");
    assert_eq!(settings(&unknown)["cluster_mode"], false, "{}", unknown["recommendation"]["rationale"]);
    for o in kind(&unknown, "node").filter(|o| o["cluster_mode"] == true) {
        assert!(o["last_resort"].to_string().contains("cluster-aware"), "{}", o["id"]);
    }
    // told the client is cluster-aware, cluster mode is allowed, but never wins a tie
    let aware = report_json(&plan("redis", true, &format!("{chat}\nclient_cluster_aware = true"), ""), "t");
    let w = winner(&aware);
    let tied_single = kind(&aware, "node")
        .any(|o| o["feasible"] == true && o["cluster_mode"] == false && o["monthly_usd"] == w["monthly_usd"]);
    assert!(w["cluster_mode"] == false || !tied_single, "{} won a tie against one shard", w["id"]);
}

#[test]
fn finding_4_no_fleet_of_burstable_nodes_in_production() {
    let storefront = "data_gb = 3\nrequests_per_sec = 500\npeak_requests_per_sec = 2000\nconnections = 200";
    let prod = report_json(&plan_with("tier = \"production\"", true, storefront), "t");
    let w = winner(&prod);
    assert!(!w["node_type"].as_str().unwrap_or("").starts_with("cache.t"), "{}", w["id"]);
    for o in kind(&prod, "node").filter(|o| o["node_type"].as_str().unwrap().starts_with("cache.t")) {
        assert!(o["exclusions"].to_string().contains("\"policy\""), "{}", o["id"]);
    }
    // development may use burstable nodes, but not a fleet of shards for 3 GiB
    let dev = report_json(&plan_with("tier = \"development\"", false, storefront), "t");
    let w = winner(&dev);
    if w["kind"] == "node" {
        assert_eq!(w["shards"], 1, "{}: {}", w["id"], dev["recommendation"]["rationale"]);
    }
    // with a cluster-aware client shards are allowed, yet a simpler layout within the margin wins
    let aware = report_json(
        &plan_with("tier = \"development\"", false, &format!("{storefront}\nclient_cluster_aware = true")),
        "t",
    );
    let w = winner(&aware);
    let cheapest = aware["options"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["feasible"] == true && o["term"].as_str().is_none_or(|t| t == "on-demand"))
        .min_by(|a, b| a["monthly_usd"].as_f64().unwrap().total_cmp(&b["monthly_usd"].as_f64().unwrap()))
        .unwrap();
    assert!(w["monthly_usd"].as_f64().unwrap() <= cheapest["monthly_usd"].as_f64().unwrap() * 1.05 + 1e-9);
    assert!(
        w["shards"].as_u64().unwrap_or(0) <= cheapest["shards"].as_u64().unwrap_or(0) || w["kind"] != "node",
        "{} against {}",
        w["id"],
        cheapest["id"]
    );
}

#[test]
fn finding_5_every_commercial_region_is_priced() {
    let workload = "data_gb = 1\nrequests_per_sec = 50\nconnections = 20";
    for region in ["eu-west-1", "eu-central-1", "sa-east-1", "ap-northeast-2"] {
        let text = plan("valkey", true, workload, "").replace("us-east-1", region);
        let e = report_json(&text, "t");
        let serverless = option(&e, "serverless/valkey");
        assert!(serverless["monthly_usd"].as_f64().unwrap() > 6.0, "{region}: Serverless Valkey is priced");
        let node_types: std::collections::BTreeSet<&str> =
            kind(&e, "node").filter_map(|o| o["node_type"].as_str()).collect();
        assert!(node_types.len() > 10, "{region}: {node_types:?}");
        // a reserved offer from the pricing page knows its upfront fee
        let reserved = kind(&e, "node").find(|o| o["term"] == "1yr-partial-upfront").unwrap();
        assert!(reserved["upfront_usd"].as_f64().is_some_and(|u| u > 0.0), "{region}: {}", reserved["id"]);
    }
}

#[test]
fn finding_6_cross_az_traffic_follows_where_the_clients_are_not_ha() {
    let workload =
        "data_gb = 1\nrequests_per_sec = 5000\nconnections = 100\nclients = \"lambda\"\nreads_from_replicas = false";
    let cross_az = |e: &Value, id: &str| -> f64 {
        option(e, id)["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["item"].as_str().unwrap().starts_with("Cross-AZ"))
            .map(|l| l["quantity"].as_f64().unwrap())
            .sum()
    };
    let single = report_json(&plan("valkey", false, workload, ""), "t");
    let pair = report_json(&plan("valkey", true, workload, ""), "t");
    let one = cross_az(&single, "node/valkey/cache.m7g.large/1x1/on-demand");
    let two = cross_az(&pair, "node/valkey/cache.m7g.large/1x2/on-demand");
    assert!(one > 0.0, "a single node reached from three zones pays cross-AZ");
    assert!((one - two).abs() < 1e-6, "HA does not change where the clients are: {one} vs {two}");
    // 5,000 req/s x 1 KB for a month, two thirds of it from the other two zones
    let traffic_gb = 5000.0 * 2_628_000.0 / 1_048_576.0;
    assert!((one - traffic_gb * 2.0 / 3.0).abs() < 1e-3, "{one}");
    // clients in one zone cross nothing
    let local = report_json(&plan("valkey", false, &format!("{workload}\nclient_azs = 1"), ""), "t");
    assert!(cross_az(&local, "node/valkey/cache.m7g.large/1x1/on-demand").abs() < 1e-12);
}

#[test]
fn finding_7_parameters_follow_what_the_app_depends_on() {
    // a session store whose cleanup sends cross-slot DEL: node-based, where parameters apply
    let sessions = report_json(
        &plan_with("role = \"session-store\"", true, "data_gb = 1\nrequests_per_sec = 50\ncross_slot_commands = true"),
        "t",
    );
    assert_eq!(winner(&sessions)["kind"], "node");
    assert_eq!(settings(&sessions)["maxmemory_policy"], "noeviction");
    assert_eq!(alarm(&sessions, "Evictions").unwrap()["severity"], "critical");
    let listeners = report_json(
        &plan("valkey", true, "data_gb = 1\nrequests_per_sec = 50\nkeyspace_notifications = true", ""),
        "t",
    );
    let params = settings(&listeners)["parameters"].as_array().unwrap();
    let notify = params.iter().find(|p| p["name"] == "notify-keyspace-events").expect("notify-keyspace-events");
    assert_eq!(notify["value"], "Ex");
    assert!(params.iter().any(|p| p["name"] == "maxmemory-policy"));
}

#[test]
fn finding_8_serverless_gets_usage_limits_and_alarms_sized_to_the_plan() {
    let e = report_json(
        &plan("valkey", true, "data_gb = 0.2\nrequests_per_sec = 5\npeak_requests_per_sec = 200\nconnections = 40", ""),
        "t",
    );
    assert_eq!(winner(&e)["kind"], "serverless", "{}", e["recommendation"]["rationale"]);
    let limits = &settings(&e)["usage_limits"];
    let max_data = limits["max_data_gb"].as_f64().unwrap();
    assert!((1.0..=5.0).contains(&max_data), "{limits}");
    let bytes = alarm(&e, "BytesUsedForCache").unwrap()["threshold"].as_f64().unwrap();
    assert!(bytes <= max_data * 1_073_741_824.0, "{bytes} is under the {max_data} GB limit, not the 5,000 GB maximum");
    let connections = alarm(&e, "CurrConnections").unwrap()["threshold"].as_f64().unwrap();
    assert!(connections < 100.0, "{connections}: against the planned 40, not 52,000");
}

#[test]
fn finding_9_lambda_clients_get_connection_churn_alarms_and_plain_text_is_called_out() {
    let text = plan_with(
        "role = \"session-store\"",
        true,
        "data_gb = 1\nrequests_per_sec = 50\nconnections = 500\nclients = \"lambda\"\nnew_connections_per_sec = 50\ntls = false",
    );
    let e = report_json(&text, "t");
    let churn = alarm(&e, "NewConnections").expect("a NewConnections alarm");
    assert!(churn["threshold"].as_f64().unwrap() >= 50.0 * 300.0, "{churn}");
    let risks = e["recommendation"]["risks"].to_string();
    assert!(risks.contains("transit encryption is off"), "{risks}");
    assert!(settings(&e)["client_requirements"].to_string().contains("outside the handler"));
}

#[test]
fn finding_10_metering_staleness_and_snapshots_are_computed_not_guessed() {
    // a size mix is billed per request: 90 % x 0.2 KB + 10 % x 20 KB = 2.9 ECPU, not 2.18
    let mix = "data_gb = 1\nrequests_per_sec = 100\n[[env.t.workload.request_sizes]]\nkb = 0.2\nshare = 0.9\n\
               [[env.t.workload.request_sizes]]\nkb = 20\nshare = 0.1";
    let e = report_json(&plan("valkey", false, mix, ""), "t");
    let ecpu = option(&e, "serverless/valkey")["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["unit"] == "million ECPU")
        .unwrap()["quantity"]
        .as_f64()
        .unwrap();
    assert!((ecpu - 100.0 * 2.9 * 2.628).abs() < 1e-6, "{ecpu}");
    // price age from the oldest price the recommendation uses
    let dates: Vec<String> = winner(&e)["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["price_source"]["date"].as_str().unwrap().to_string())
        .collect();
    let oldest = e["pricing"]["oldest_used"].as_str().unwrap();
    assert!(dates.iter().all(|d| d.as_str() >= &oldest[..d.len().min(oldest.len())]), "{oldest} vs {dates:?}");
    assert!(dates.iter().any(|d| oldest.starts_with(d.as_str())), "{oldest} is one of {dates:?}");
    // snapshot retention from role and tier, never from the environment's name
    let named = |name: &str, keys: &str| {
        let text =
            plan_with(keys, false, "data_gb = 1\nrequests_per_sec = 50").replace("env.t", &format!("env.{name}"));
        report_json(&text, name)
    };
    assert_eq!(
        settings(&named("sessions", "tier = \"production\"\nrole = \"session-store\""))["snapshot_retention_days"],
        7
    );
    assert_eq!(settings(&named("prod", "tier = \"development\""))["snapshot_retention_days"], 1);
}

#[test]
fn database_savings_plans_are_shown_as_an_unverified_alternative_never_the_answer() {
    let e = report_json(
        &plan("valkey", true, "data_gb = 0.2\nrequests_per_sec = 100\npeak_requests_per_sec = 2000", ""),
        "t",
    );
    let w = winner(&e);
    assert_eq!(w["kind"], "serverless");
    let plan = &e["recommendation"]["savings_plan"];
    assert_eq!(plan["option_id"], w["id"]);
    assert!(plan["summary"].as_str().unwrap().starts_with("unverified"), "{plan}");
    let (full, estimated) = (w["monthly_usd"].as_f64().unwrap(), plan["estimated_monthly_usd"].as_f64().unwrap());
    assert!(estimated < full, "{estimated} < {full}");
    // the recommendation's own cost is the undiscounted one
    assert_eq!(e["recommendation"]["monthly_usd"].as_f64(), Some(full));
    // Redis OSS is not covered: no plan offered for an app kept on Redis OSS nodes
    let redis = report_json(
        &plan_with("", true, "data_gb = 1\nrequests_per_sec = 50\ncross_slot_commands = true")
            .replace("\"valkey\"", "\"redis\""),
        "t",
    );
    if let Some(id) = redis["recommendation"]["savings_plan"]["option_id"].as_str() {
        assert!(id.starts_with("node/valkey/") || id.starts_with("serverless/valkey"), "{id}");
    }
}

#[test]
fn every_feasible_option_cheaper_than_the_recommendation_says_why_it_is_not_it() {
    let bundled = {
        let dir = tempfile::tempdir().unwrap();
        let out =
            crate::support::capplan(dir.path()).args(["report", "--env", "prod", "--format", "json"]).output().unwrap();
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let storefront =
        report_json(&plan("valkey", true, "data_gb = 3\nrequests_per_sec = 500\nconnections = 200", ""), "t");
    for e in [&bundled, &storefront] {
        let w = winner(e);
        let cheaper: Vec<&Value> = e["options"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["feasible"] == true && o["id"] != w["id"])
            .filter(|o| o["monthly_usd"].as_f64().unwrap() <= w["monthly_usd"].as_f64().unwrap())
            .collect();
        for o in &cheaper {
            assert!(o["why_not_recommended"].is_string(), "{} has no reason", o["id"]);
        }
        assert!(
            e["options"].as_array().unwrap().iter().filter(|o| o["why_not_recommended"].is_string()).count()
                == cheaper.len()
        );
    }
}
