//! Throughput that matches what nodes really serve (issue 14), through the real binary: the
//! published anchors decide which resource binds, and a network-bound workload gets a handful of
//! network-optimised nodes, not a fleet of shards.

use serde_json::Value;

use crate::support::{option, report_json};

/// 200,000 GET/s of 8 KB values, 5 GB, 98 % reads, HA, a cluster-aware client.
const HOT: &str = "region = \"us-east-1\"\n[env.hot]\nengine = \"valkey\"\nha = true\n[env.hot.workload]\n\
                   data_gb = 5\nrequests_per_sec = 200000\navg_request_kb = 8\nread_ratio = 0.98\nconnections = 500\n\
                   client_cluster_aware = true\n";

fn node_hours_usd(o: &Value) -> f64 {
    o["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["unit"] == "node-hour")
        .map(|l| l["monthly_usd"].as_f64().unwrap())
        .sum()
}

#[test]
fn issue_14_200k_gets_of_8_kb_run_on_a_handful_of_nodes() {
    let e = report_json(HOT, "hot");
    let id = e["recommendation"]["option_id"].as_str().unwrap();
    let w = option(&e, id);
    // the network-optimised answer: a c7gn.2xlarge primary and replica (25 Gbps baseline each)
    let c7gn = e["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["node_type"] == "cache.c7gn.2xlarge" && o["engine"] == "valkey" && o["term"] == "on-demand")
        .expect("c7gn.2xlarge is priced in us-east-1");
    let pair = c7gn["lines"][0]["unit_usd"].as_f64().unwrap() * 2.0 * 730.0;
    let nodes = node_hours_usd(w);
    assert!(nodes <= 2.0 * pair, "{id}: nodes cost {nodes:.2} against {pair:.2} for a c7gn.2xlarge pair");
    assert!(w["nodes"].as_u64().unwrap() <= 6, "{id}: a handful of nodes, not 44");
    // what binds: the winner says it, and a general-purpose layout binds on network out
    let sizing = e["recommendation"]["sizing"].as_array().unwrap();
    let of = |id: &str| sizing.iter().find(|s| s["option_id"] == id).map(|s| s["resources"][0].clone());
    assert!(of(id).is_some(), "the winner's sizing is shown");
    let runner = sizing.iter().find(|s| s["option_id"] != id).expect("the runner-up's sizing is shown");
    let node_type = option(&e, runner["option_id"].as_str().unwrap())["node_type"].as_str().unwrap_or("").to_string();
    if node_type.starts_with("cache.m7g") || node_type.starts_with("cache.r7g") {
        assert_eq!(runner["resources"][0]["resource"], "network-out", "{runner}");
    }
}

#[test]
fn issue_14_an_8_kb_workload_binds_on_network_on_m7g_and_r7g_but_not_on_c7gn() {
    // one shard that must carry every read: bound by the primary's outbound bytes
    let single =
        HOT.replace("client_cluster_aware = true", "client_cluster_aware = false\nreads_from_replicas = false");
    let e = report_json(&single, "hot");
    let (mut general, mut network_optimised) = (0, 0);
    for o in e["options"].as_array().unwrap().iter().filter(|o| o["term"] == "on-demand" && o["engine"] == "valkey") {
        let node = o["node_type"].as_str().unwrap_or("");
        let network = o["utilization"]["network"].as_f64().unwrap_or(0.0);
        let memory = o["utilization"]["memory"].as_f64().unwrap_or(0.0);
        let cpu = o["utilization"]["cpu"].as_f64().unwrap_or(0.0);
        if ["cache.m7g.", "cache.r7g."].iter().any(|f| node.starts_with(f))
            && !node.ends_with("16xlarge")
            && !node.ends_with("12xlarge")
        {
            assert!(network > memory && network > cpu, "{}: network {network} memory {memory} cpu {cpu}", o["id"]);
            general += 1;
        }
        if node == "cache.c7gn.2xlarge" {
            assert!(network < memory, "{}: network {network} against memory {memory}", o["id"]);
            network_optimised += 1;
        }
    }
    assert!(
        general >= 6 && network_optimised == 1,
        "{general} m7g/r7g and {network_optimised} c7gn.2xlarge options checked"
    );
}
