//! The deployments capplan is for, as plan files under `tests/scenarios/`, through the real binary.

use serde_json::Value;
use std::path::Path;

use crate::support::{capplan, option};

fn report(scenario: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios").join(scenario);
    let out = capplan(dir.path()).args(["report", "--all", "--format", "json", "--plan"]).arg(&plan).output().unwrap();
    assert!(out.status.code() == Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn env<'a>(all: &'a Value, name: &str) -> &'a Value {
    all["envs"].as_array().unwrap().iter().find(|e| e["env"] == name).unwrap()
}

fn winner(env: &Value) -> &Value {
    option(env, env["recommendation"]["option_id"].as_str().expect("a recommendation"))
}

#[test]
fn oauth_session_store_with_cross_slot_cleanup_gets_a_cluster_mode_disabled_node() {
    let all = report("oauth-sessions.toml");
    let prod = env(&all, "prod");
    let w = winner(prod);
    assert_eq!(w["kind"], "node");
    assert_eq!(w["cluster_mode"], false);
    assert_eq!(w["shards"], 1);
    assert!(w["replicas"].as_u64().unwrap() >= 1, "ha = true");
    for o in
        prod["options"].as_array().unwrap().iter().filter(|o| o["kind"] == "serverless" && o["engine"] != "memcached")
    {
        assert!(
            o["excluded_reasons"].as_array().unwrap().iter().any(|r| r.as_str().unwrap().contains("CROSSSLOT")),
            "{}",
            o["id"]
        );
    }
    // Serverless would have been cheaper: the report says why it lost
    let serverless = option(prod, "serverless/valkey");
    assert!(serverless["monthly_usd"].as_f64().unwrap() < w["monthly_usd"].as_f64().unwrap());
    let rationale = prod["recommendation"]["rationale"].to_string();
    assert!(rationale.contains("serverless/valkey (cross-slot)"), "{rationale}");
}

#[test]
fn chat_service_with_heavy_socket_io_pubsub_gets_a_split_deployment() {
    let all = report("chat-socketio.toml");
    let prod = env(&all, "prod");
    let w = winner(prod);
    assert_eq!(w["kind"], "split", "{}", prod["recommendation"]["rationale"]);
    // the split beats the best single cluster
    let single = prod["options"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] == "node" && o["feasible"] == true && o["term"] == "on-demand")
        .map(|o| o["monthly_usd"].as_f64().unwrap())
        .fold(f64::INFINITY, f64::min);
    assert!(w["monthly_usd"].as_f64().unwrap() < single);
    // adapter sized on network: a network-optimized node, cluster mode off; state sized on memory
    let adapter = &w["adapter"];
    let state = &w["state"];
    assert_eq!(adapter["cluster_mode"], false);
    assert!(adapter["node_type"].as_str().unwrap().starts_with("cache.c7gn."), "{adapter}");
    assert!(state["node_type"].as_str().unwrap().starts_with("cache.r"), "{state}");
    let settings = &prod["recommendation"]["settings"];
    let clusters = settings["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 2);
    assert_ne!(
        clusters[0]["maintenance_window"], clusters[1]["maintenance_window"],
        "maintenance offset between the clusters"
    );
    // Serverless is out: presence relies on keyspace notifications
    assert!(option(prod, "serverless/valkey")["excluded_reasons"].to_string().contains("keyspace notifications"));
}

#[test]
fn storefront_cache_runs_serverless_valkey_in_its_idle_environments() {
    let all = report("storefront-cache.toml");
    for name in ["dev", "preview", "staging"] {
        let e = env(&all, name);
        assert_eq!(
            e["recommendation"]["option_id"], "serverless/valkey",
            "{name}: {}",
            e["recommendation"]["rationale"]
        );
    }
    // spiky traffic is called out as a throttling risk
    let staging = env(&all, "staging");
    assert!(staging["recommendation"]["risks"].to_string().contains("throttled"));
    // prod is big and spiky (peak 7.5x the average): with a client whose cluster support is not
    // stated, the cheaper cluster-mode layouts are set aside (named in the rationale); what wins
    // is Serverless (billed on the average) or one shard, never cluster mode
    let prod = env(&all, "prod");
    let w = winner(prod);
    assert!(
        w["kind"] == "serverless" || (w["kind"] == "node" && w["cluster_mode"] == false),
        "{}: {}",
        w["id"],
        prod["recommendation"]["rationale"]
    );
    let rationale = prod["recommendation"]["rationale"].to_string();
    assert!(rationale.contains("set aside though cheaper") && rationale.contains("cluster-aware"), "{rationale}");
    // told the client is cluster-aware, the cluster-mode layout wins on price
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/storefront-cache.toml"))
            .unwrap()
            .replace("[env.prod.workload]\n", "[env.prod.workload]\nclient_cluster_aware = true\n");
    let aware = crate::support::report_json(&text, "prod");
    let w = winner(&aware);
    assert_eq!((w["kind"].as_str(), w["cluster_mode"].as_bool()), (Some("node"), Some(true)), "{}", w["id"]);
    assert!(
        w["requirements"].to_string().contains("cluster-aware client"),
        "the recommendation says what the client must do: {}",
        w["requirements"]
    );
}

#[test]
fn rate_limiter_chooses_upstash_when_quiet_and_elasticache_when_busy() {
    let all = report("rate-limiter.toml");
    let quiet = env(&all, "quiet");
    assert_eq!(quiet["recommendation"]["option_id"], "upstash/payg");
    let busy = env(&all, "busy");
    let w = winner(busy);
    assert_ne!(w["kind"], "upstash", "{}", busy["recommendation"]["rationale"]);
    // and each side names the other as runner-up with what it would cost
    assert!(quiet["recommendation"]["rationale"].to_string().contains("runner-up: serverless/"));
    assert!(option(busy, "upstash/payg")["monthly_usd"].as_f64().unwrap() > w["monthly_usd"].as_f64().unwrap());
}
