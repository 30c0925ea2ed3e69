//! The public worked examples of `shared/acceptance/EXAMPLES.md`, each through a plan file and the
//! real `capplan report` (E1–E4 are unit tests of the metering function in `model::metering`).

use serde_json::Value;

use crate::support::{cents, dec, option, plan, report_json};

const IDLE: &str = "data_gb = 0\nrequests_per_sec = 0";

fn current_of(engine: &str, workload: &str, current: &str) -> Value {
    let env = report_json(&plan(engine, false, workload, &format!("[env.t.current]\n{current}")), "t");
    env["current"].clone()
}

fn line<'a>(option: &'a Value, unit: &str) -> &'a Value {
    option["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["unit"] == unit)
        .unwrap_or_else(|| panic!("no {unit} line in {}", option["id"]))
}

#[test]
fn s1_valkey_serverless_idle_costs_the_100_mb_floor() {
    let env = report_json(&plan("valkey", false, IDLE, ""), "t");
    assert_eq!(cents(&option(&env, "serverless/valkey")["monthly_usd"]), "6.13");
}

#[test]
fn s2_redis_serverless_idle_costs_the_1_gb_floor() {
    let env = report_json(&plan("redis", false, IDLE, ""), "t");
    assert_eq!(cents(&option(&env, "serverless/redis")["monthly_usd"]), "91.25");
}

#[test]
fn s3_memcached_serverless_idle_costs_the_1_gb_floor() {
    let env = report_json(&plan("memcached", false, IDLE, ""), "t");
    assert_eq!(cents(&option(&env, "serverless/memcached")["monthly_usd"]), "91.25");
}

#[test]
fn s4_configured_minimum_of_100k_ecpu_per_second_is_billed_when_idle() {
    let env =
        report_json(&plan("valkey", false, "data_gb = 0\nrequests_per_sec = 0\nmin_ecpu_per_sec = 100000", ""), "t");
    let sv = option(&env, "serverless/valkey");
    assert_eq!(cents(&sv["monthly_usd"]), "610.57");
    let ecpu = line(sv, "million ECPU");
    // 360 M ECPU per hour x 730 hours, in the line's own unit
    assert_eq!(dec(&ecpu["quantity"]), rust_decimal::Decimal::from(262_800));
    assert_eq!(cents(&ecpu["monthly_usd"]), "604.44");
}

#[test]
fn n1_one_t4g_micro_valkey_on_demand() {
    let c = current_of("valkey", IDLE, "kind = \"node\"\nnode_type = \"cache.t4g.micro\"");
    assert_eq!(cents(&c["monthly_usd"]), "9.34");
    assert_eq!(c["id"], "node/valkey/cache.t4g.micro/1x1/on-demand");
}

#[test]
fn n2_t4g_small_valkey_primary_and_replica_is_1460_node_hours() {
    let c = current_of("valkey", IDLE, "kind = \"node\"\nnode_type = \"cache.t4g.small\"\nreplicas = 1");
    assert_eq!(cents(&c["monthly_usd"]), "37.38");
    assert_eq!(dec(&line(&c, "node-hour")["quantity"]), rust_decimal::Decimal::from(1460));
}

#[test]
fn n3_m5_large_redis_one_node() {
    let c = current_of("redis", IDLE, "kind = \"node\"\nnode_type = \"cache.m5.large\"");
    assert_eq!(cents(&c["monthly_usd"]), "113.88");
}

#[test]
fn n4_m6g_12xlarge_redis_one_node() {
    let c = current_of("redis", IDLE, "kind = \"node\"\nnode_type = \"cache.m6g.12xlarge\"");
    assert_eq!(cents(&c["monthly_usd"]), "2596.61");
}

#[test]
fn n5_four_shards_of_one_primary_and_three_replicas_is_11680_node_hours() {
    let c = current_of("valkey", IDLE, "kind = \"node\"\nnode_type = \"cache.r7g.large\"\nshards = 4\nreplicas = 3");
    assert_eq!(c["nodes"], 16);
    assert_eq!(c["cluster_mode"], true);
    assert_eq!(dec(&line(&c, "node-hour")["quantity"]), rust_decimal::Decimal::from(11_680));
}

#[test]
fn n6_c7gn_large_redis_reserved_1yr_no_upfront() {
    let c = current_of(
        "redis",
        IDLE,
        "kind = \"node\"\nnode_type = \"cache.c7gn.large\"\nreserved = { term = \"1yr\", payment = \"no-upfront\" }",
    );
    assert_eq!(cents(&c["monthly_usd"]), "126.29");
}

#[test]
fn n7_c7gn_large_redis_3yr_all_upfront_is_amortized_not_zero() {
    let c = current_of(
        "redis",
        IDLE,
        "kind = \"node\"\nnode_type = \"cache.c7gn.large\"\nreserved = { term = \"3yr\", payment = \"all-upfront\" }",
    );
    assert_eq!(cents(&c["monthly_usd"]), "83.77");
    assert_eq!(cents(&c["upfront_usd"]), "3015.63");
    // the rate comes from the upfront fee, unrounded: 3,015.63 / 26,280
    assert_eq!(dec(&line(&c, "node-hour")["unit_usd"]), "0.11475".parse().unwrap());
}

#[test]
fn b1_backups_bill_every_kept_snapshot_but_the_first() {
    let c = current_of(
        "redis",
        "data_gb = 10\nrequests_per_sec = 0",
        "kind = \"node\"\nnode_type = \"cache.r7g.large\"\nsnapshot_gb = 10000\nsnapshot_retention_days = 2",
    );
    let backup = line(&c, "GB-month");
    assert_eq!(dec(&backup["quantity"]), rust_decimal::Decimal::from(10_000));
    assert_eq!(cents(&backup["monthly_usd"]), "850.00");
}

#[test]
fn u1_upstash_payg_bills_every_command() {
    // requests_per_sec = 1,000,000 / 2,628,000 (seconds in a 730-hour month)
    let env = report_json(&plan("redis", false, "data_gb = 0.5\nrequests_per_sec = 0.38051750380517502", ""), "t");
    let payg = option(&env, "upstash/payg");
    assert_eq!(cents(&payg["monthly_usd"]), "2.00");
    assert_eq!(payg["feasible"], true);
}

#[test]
fn u2_fixed_10gb_plan_fits_6_gb_at_50_requests_per_second() {
    let env = report_json(&plan("redis", false, "data_gb = 6\nrequests_per_sec = 50\navg_request_kb = 1", ""), "t");
    let fixed = option(&env, "upstash/fixed-10gb");
    assert_eq!(cents(&fixed["monthly_usd"]), "200.00");
    assert_eq!(fixed["feasible"], true);
    assert_eq!(option(&env, "upstash/fixed-5gb")["feasible"], false);
}

#[test]
fn c1_cross_slot_commands_exclude_every_cluster_mode_option() {
    let env = report_json(
        &plan(
            "redis",
            true,
            "data_gb = 20\nrequests_per_sec = 1000\nconnections = 200\ncross_slot_commands = true",
            "",
        ),
        "t",
    );
    let options = env["options"].as_array().unwrap();
    let cross_slot = |o: &Value| {
        o["exclusions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["constraint"] == "cross-slot" && e["reason"].as_str().unwrap().contains("CROSSSLOT"))
    };
    let serverless: Vec<&Value> = options.iter().filter(|o| o["kind"] == "serverless").collect();
    assert!(!serverless.is_empty());
    for o in serverless.iter().filter(|o| o["engine"] != "memcached") {
        assert!(cross_slot(o), "{} not excluded for CROSSSLOT", o["id"]);
    }
    let clustered: Vec<&Value> = options.iter().filter(|o| o["cluster_mode"] == true).collect();
    assert!(!clustered.is_empty(), "20 GB should need cluster mode on small families");
    for o in &clustered {
        assert!(cross_slot(o), "{} not excluded for CROSSSLOT", o["id"]);
    }
    assert!(
        options.iter().any(|o| o["kind"] == "node" && o["cluster_mode"] == false && o["feasible"] == true),
        "a cluster-mode-disabled node option stays feasible"
    );
    assert!(!env["cheapest"]["on_demand"].as_str().unwrap().starts_with("serverless/"));
}

fn report_as_of(plan_text: &str, as_of: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.toml"), plan_text).unwrap();
    let out = crate::support::capplan(dir.path())
        .args(["report", "--plan", "plan.toml", "--env", "t", "--format", "json", "--as-of", as_of])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn extended_support_follows_the_schedule_for_end_of_life_redis() {
    let text = plan(
        "redis",
        false,
        IDLE,
        "[env.t.current]\nkind = \"node\"\nnode_type = \"cache.r7g.large\"\nengine_version = \"6.2\"",
    );
    let surcharge = |env: &Value| -> Option<String> {
        env["current"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["item"].as_str().unwrap().starts_with("Extended Support"))
            .map(|l| format!("{} {}", l["unit_usd"], l["price_source"]["kind"].as_str().unwrap()))
    };
    // Redis OSS 6 is charged from 2027-02-01: before then only a warning
    let before = report_as_of(&text, "2026-11-23");
    assert_eq!(surcharge(&before), None);
    assert!(before["current"]["notes"][0].as_str().unwrap().contains("from 2027-02-01 Extended Support adds"));
    // years 1-2: round(0.8 x 0.219, 3) = 0.175; year 3: round(1.6 x 0.219, 3) = 0.35
    assert_eq!(surcharge(&report_as_of(&text, "2027-02-01")).as_deref(), Some("0.175 derived"));
    assert_eq!(surcharge(&report_as_of(&text, "2029-02-01")).as_deref(), Some("0.35 derived"));
    // Redis OSS 5 has been charged since 2026-02-01; Valkey never is
    assert!(surcharge(&report_as_of(&text.replace("\"6.2\"", "\"5.0.6\""), "2026-11-23")).is_some());
}

#[test]
fn extended_support_uses_the_verbatim_price_list_row_where_there_is_one() {
    let text = plan(
        "redis",
        false,
        IDLE,
        "[env.t.current]\nkind = \"node\"\nnode_type = \"cache.t3.medium\"\nengine_version = \"5.0.6\"",
    )
    .replace("us-east-1", "us-west-2");
    let env = report_as_of(&text, "2026-11-23");
    let line = env["current"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["item"].as_str().unwrap().starts_with("Extended Support"))
        .unwrap()
        .clone();
    assert_eq!(dec(&line["unit_usd"]), "0.054".parse().unwrap());
    assert_eq!(line["price_source"]["kind"], "aws-price-list");
}

/// Review finding: the reserved break-even compares node-hours only (snapshots and cross-AZ
/// traffic cost the same under every term).
#[test]
fn reserved_break_even_counts_node_hours_only() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        crate::support::capplan(dir.path()).args(["report", "--env", "prod", "--format", "json"]).output().unwrap();
    let env: Value = serde_json::from_slice(&out.stdout).unwrap();
    let od = option(&env, "node/valkey/cache.r6g.xlarge/1x2/on-demand");
    let od_nodes: rust_decimal::Decimal = od["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["unit"] == "node-hour")
        .map(|l| dec(&l["monthly_usd"]))
        .sum();
    let au = option(&env, "node/valkey/cache.r6g.xlarge/1x2/3yr-all-upfront");
    // all-upfront: the whole term costs the upfront fee
    let expected = (dec(&au["upfront_usd"]) / od_nodes).round_dp(1);
    let row = env["recommendation"]["break_even"]["reserved"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["option_id"] == au["id"])
        .unwrap()
        .clone();
    assert_eq!(dec(&row["months"]), expected);
    assert_eq!(expected.to_string(), "16.2");
}
