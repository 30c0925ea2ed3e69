//! Terraform in and out (issue 12, part 3): `capplan import-terraform` on modules that look like
//! real ones (tests/fixtures/terraform/<case>/), priced line by line from the embedded book, and
//! `capplan export-terraform`, whose output is golden and reads back as the recommendation.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::Value;

use crate::support::{capplan, dec as decimal};

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform").join(case)
}

/// A plan with env `prod` in us-east-1 (5 GiB, 1,000 req/s): what the imports are priced for.
const PLAN: &str = "region = \"us-east-1\"\n\n[env.prod]\nengine = \"valkey\"\nha = true\n\n[env.prod.workload]\ndata_gb = 5\nrequests_per_sec = 1000\n";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = capplan(dir).args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// `import-terraform <case> --env prod --format json` against [`PLAN`]: (exit code, JSON).
fn import(case: &Path, extra: &[&str]) -> (i32, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.toml"), PLAN).unwrap();
    let case = case.to_str().unwrap();
    let mut args =
        vec!["--offline", "--plan", "plan.toml", "import-terraform", case, "--env", "prod", "--format", "json"];
    args.extend_from_slice(extra);
    let run = run_in(dir.path(), &args);
    let json = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run.code, json, run.stderr)
}

fn resource<'a>(report: &'a Value, address: &str) -> &'a Value {
    report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("no {address} in {}", serde_json::to_string_pretty(&report["resources"]).unwrap()))
}

/// The node-hours line of a priced resource: (quantity, unit price, monthly).
fn node_line(r: &Value) -> (Decimal, Decimal, Decimal) {
    let line = r["cost"]["lines"].as_array().unwrap().iter().find(|l| l["unit"] == "node-hour").unwrap();
    (decimal(&line["quantity"]), decimal(&line["unit_usd"]), decimal(&line["monthly_usd"]))
}

#[test]
fn a_cluster_mode_group_reads_variables_tfvars_and_locals_and_is_priced_per_node_hour() {
    let (code, report, stderr) = import(&fixture("cluster-mode"), &[]);
    assert_eq!(code, 0, "{stderr}");
    let orders = resource(&report, "aws_elasticache_replication_group.orders");
    assert!(orders["at"].as_str().unwrap().ends_with("main.tf:16"), "{}", orders["at"]);
    let toml = orders["current_toml"].as_str().unwrap();
    // node_type from terraform.tfvars over the default, shards from tfvars, replicas from a local
    assert_eq!(
        toml,
        "kind = \"node\"\nengine = \"valkey\"\nnode_type = \"cache.r7g.large\"\nshards = 3\nreplicas = 1\ncluster_mode = true\nengine_version = \"8.0\"\nsnapshot_retention_days = 7\n"
    );
    let cost = &orders["cost"];
    assert_eq!(
        (cost["shards"].as_u64(), cost["replicas"].as_u64(), cost["nodes"].as_u64()),
        (Some(3), Some(1), Some(6))
    );
    // 6 nodes x 730 h at the embedded Valkey on-demand price of cache.r7g.large in us-east-1
    assert_eq!(node_line(orders), (dec!(4380), dec!(0.1752), dec!(767.376)));
    let settings = orders["settings"].as_array().unwrap();
    assert!(settings.iter().any(|s| s["name"] == "replication_group_id" && s["value"] == "\"orders-prod\""));
    assert!(
        settings.iter().any(|s| s["name"] == "parameter_group_name" && s["value"] == "\"orders-prod-valkey8-cluster\"")
    );
    assert_eq!(report["unresolved"], serde_json::json!([]));
}

#[test]
fn a_member_cluster_is_counted_with_its_group_and_a_memcached_cluster_on_its_own() {
    let (code, report, stderr) = import(&fixture("sessions"), &[]);
    assert_eq!(code, 0, "{stderr}");
    let addresses: Vec<&str> =
        report["resources"].as_array().unwrap().iter().map(|r| r["address"].as_str().unwrap()).collect();
    assert_eq!(addresses, ["aws_elasticache_replication_group.sessions", "aws_elasticache_cluster.fragments"]);
    assert_eq!(report["members"][0]["address"], "aws_elasticache_cluster.sessions_reader");
    assert_eq!(report["members"][0]["group"], "aws_elasticache_replication_group.sessions");
    // num_cache_clusters = 2: one shard, one replica, Redis OSS cache.m7g.large
    let sessions = resource(&report, "aws_elasticache_replication_group.sessions");
    assert_eq!(node_line(sessions), (dec!(1460), dec!(0.158), dec!(230.68)));
    assert_eq!(sessions["cost"]["cluster_mode"], false);
    assert_eq!(sessions["cost"]["engine"], "redis");
    let fragments = resource(&report, "aws_elasticache_cluster.fragments");
    assert_eq!(fragments["cost"]["engine"], "memcached");
    assert_eq!(node_line(fragments), (dec!(1460), dec!(0.032), dec!(46.72)));
}

#[test]
fn a_serverless_cache_keeps_its_usage_limits_and_is_priced_on_the_workload() {
    let (code, report, stderr) = import(&fixture("serverless"), &[]);
    assert_eq!(code, 0, "{stderr}");
    let chat = resource(&report, "aws_elasticache_serverless_cache.chat");
    let toml = chat["current_toml"].as_str().unwrap();
    assert!(toml.contains("kind = \"serverless\"\n") && toml.contains("max_data_gb = 10\n"), "{toml}");
    assert!(toml.contains("max_ecpu_per_sec = 5000\n") && toml.contains("snapshot_retention_days = 1\n"), "{toml}");
    let cost = &chat["cost"];
    assert_eq!(decimal(&cost["usage_limits"]["max_data_gb"]), dec!(10));
    let storage = cost["lines"].as_array().unwrap().iter().find(|l| l["unit"] == "GB-hour").unwrap();
    // 5 GiB x 730 h at the embedded Serverless Valkey storage price
    assert_eq!((decimal(&storage["quantity"]), decimal(&storage["unit_usd"])), (dec!(3650), dec!(0.084)));
    assert_eq!(decimal(&storage["monthly_usd"]), dec!(306.6));
}

#[test]
fn an_autoscaled_group_is_priced_at_its_minimum_and_the_maximum_is_said() {
    let (code, report, stderr) = import(&fixture("autoscaling"), &[]);
    assert_eq!(code, 0, "{stderr}");
    let catalog = resource(&report, "aws_elasticache_replication_group.catalog");
    let scaling = &catalog["scaling"][0];
    assert_eq!(scaling["address"], "aws_appautoscaling_target.catalog_shards");
    assert_eq!(
        (scaling["dimension"].as_str(), scaling["min"].as_u64(), scaling["max"].as_u64()),
        (Some("shards"), Some(2), Some(6))
    );
    assert_eq!(node_line(catalog), (dec!(2920), dec!(0.1752), dec!(511.584)));
    assert_eq!(catalog["cost"]["cluster_mode"], true);
    // the maximum: 6 shards x 2 nodes, 8 nodes more than the minimum
    let extra = decimal(&catalog["max_monthly_usd"]) - decimal(&catalog["cost"]["monthly_usd"]);
    assert_eq!(extra, dec!(8) * dec!(730) * dec!(0.1752));
    // the Markdown says the range and the cost at the maximum
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.toml"), PLAN).unwrap();
    let md = run_in(
        dir.path(),
        &["--plan", "plan.toml", "import-terraform", fixture("autoscaling").to_str().unwrap(), "--env", "prod"],
    );
    assert!(
        md.stdout.contains("scales shards from 2 to 6: priced above at 2; at 6 it costs $1,551.46 a month"),
        "{}",
        md.stdout
    );
}

#[test]
fn an_unresolvable_expression_is_reported_with_file_and_line_and_only_its_resource_is_skipped() {
    let (code, report, stderr) = import(&fixture("unresolved"), &[]);
    // exit status 1: the output is written, but a resource was not imported
    assert_eq!(code, 1, "{stderr}");
    let unresolved: Vec<&str> = report["unresolved"].as_array().unwrap().iter().map(|u| u.as_str().unwrap()).collect();
    assert_eq!(unresolved.len(), 2, "{unresolved:?}");
    assert!(
        unresolved[0].starts_with("aws_elasticache_replication_group.sessions: node_type = var.size_map[var.env] (")
            && unresolved[0]
                .ends_with("main.tf:5) is not a literal, variable or local; pass --var or set it in the plan"),
        "{}",
        unresolved[0]
    );
    assert!(unresolved[1].contains("num_cache_clusters = var.env == \"prod\" ? 2 : 1 ("), "{}", unresolved[1]);
    let sessions = resource(&report, "aws_elasticache_replication_group.sessions");
    assert_eq!(sessions["cost"], Value::Null);
    assert_eq!(sessions["skipped"], "node_type, num_cache_clusters are not resolved (see below)");
    let ratelimit = resource(&report, "aws_elasticache_serverless_cache.ratelimit");
    assert!(ratelimit["cost"]["monthly_usd"].is_number());
    assert!(stderr.contains("aws_elasticache_replication_group.sessions was not imported"), "{stderr}");
}

#[test]
fn bad_input_is_a_clear_error_with_a_non_zero_exit() {
    let (code, _, stderr) = import(&fixture("broken"), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("main.tf:3:") && stderr.contains("not valid HCL"), "{stderr}");
    let (code, _, stderr) = import(&fixture("no-such-module"), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is not a directory: pass the folder of the Terraform module"), "{stderr}");
    // a node type the book does not know: the resource is not imported, and the error is at its line
    let module = tempfile::tempdir().unwrap();
    std::fs::write(
        module.path().join("main.tf"),
        "resource \"aws_elasticache_replication_group\" \"x\" {\n  node_type          = \"cache.r7g.larg\"\n  num_cache_clusters = 2\n}\n",
    )
    .unwrap();
    let (code, report, _) = import(module.path(), &[]);
    assert_eq!(code, 1);
    let skipped = report["resources"][0]["skipped"].as_str().unwrap();
    assert!(skipped.starts_with("node_type ("), "{skipped}");
    assert!(
        skipped.contains("main.tf:2): unknown node type 'cache.r7g.larg' (did you mean 'cache.r7g.large'?)"),
        "{skipped}"
    );
    // a module without any ElastiCache resource
    std::fs::write(module.path().join("main.tf"), "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n").unwrap();
    let (code, _, stderr) = import(module.path(), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no ElastiCache resource"), "{stderr}");
    // an environment the plan does not have
    let (code, _, stderr) = import(&fixture("sessions"), &["--env", "nope"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn var_and_var_file_override_tfvars() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.tfvars");
    std::fs::write(&file, "node_type = \"cache.r7g.xlarge\"\n").unwrap();
    let (code, report, stderr) =
        import(&fixture("cluster-mode"), &["--var-file", file.to_str().unwrap(), "--var", "shard_count=2"]);
    assert_eq!(code, 0, "{stderr}");
    let cost = &resource(&report, "aws_elasticache_replication_group.orders")["cost"];
    assert_eq!((cost["node_type"].as_str(), cost["shards"].as_u64()), (Some("cache.r7g.xlarge"), Some(2)));
}

#[test]
fn write_plan_sets_current_and_refuses_a_module_with_several_deployments() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.toml");
    std::fs::write(&plan, format!("# my plan\n{PLAN}")).unwrap();
    let sessions = fixture("sessions");
    let args = ["--plan", "plan.toml", "import-terraform", sessions.to_str().unwrap(), "--env", "prod", "--write-plan"];
    let run = run_in(dir.path(), &args);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("has 2 deployments") && run.stderr.contains("--resource"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), format!("# my plan\n{PLAN}"));
    let mut args = args.to_vec();
    args.extend(["--resource", "aws_elasticache_replication_group.sessions"]);
    let run = run_in(dir.path(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&plan).unwrap();
    assert!(text.starts_with("# my plan\n"), "{text}");
    assert!(
        text.contains("[env.prod.current]\nkind = \"node\"\nengine = \"redis\"\nnode_type = \"cache.m7g.large\""),
        "{text}"
    );
    assert!(
        text.contains("# imported from ") && text.contains("by `capplan import-terraform` on 2026-11-23"),
        "{text}"
    );
    // the plan now reports the imported deployment as what runs today
    let report =
        run_in(dir.path(), &["--offline", "--plan", "plan.toml", "report", "--env", "prod", "--format", "json"]);
    let json: Value = serde_json::from_str(&report.stdout).unwrap();
    assert_eq!(json["current"]["node_type"], "cache.m7g.large");
    assert_eq!(json["current"]["nodes"], 2);
}

fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

#[test]
fn export_of_the_bundled_prod_matches_its_golden_file() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), &["--offline", "export-terraform", "--env", "prod"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = golden_path("bundled-prod.tf");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &run.stdout).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run UPDATE_GOLDEN=1 cargo test to create it)", path.display()));
    pretty_assertions::assert_eq!(expected, run.stdout, "{} differs (UPDATE_GOLDEN=1 rewrites it)", path.display());
}

/// A plan whose prod needs cluster mode (more data than one shard holds).
const BIG: &str = "region = \"us-east-1\"\n\n[env.big]\nengine = \"valkey\"\nha = true\n\n[env.big.workload]\ndata_gb = 900\nrequests_per_sec = 50000\nclient_cluster_aware = true\n";

/// Export an environment, import the file with the same parser, and compare the deployment
/// with the recommendation.
fn round_trip(plan: Option<&str>, env: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mut base = vec!["--offline"];
    if let Some(text) = plan {
        std::fs::write(dir.path().join("plan.toml"), text).unwrap();
        base.extend(["--plan", "plan.toml"]);
    }
    let module = dir.path().join("module");
    std::fs::create_dir(&module).unwrap();
    let out = module.join("cache.tf");
    let mut args = base.clone();
    args.extend(["export-terraform", "--env", env, "-o", out.to_str().unwrap()]);
    let run = run_in(dir.path(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut args = base.clone();
    args.extend(["report", "--env", env, "--format", "json"]);
    let report: Value = serde_json::from_str(&run_in(dir.path(), &args).stdout).unwrap();
    let settings = &report["recommendation"]["settings"];
    let mut args = base.clone();
    args.extend(["import-terraform", module.to_str().unwrap(), "--env", env, "--format", "json"]);
    let run = run_in(dir.path(), &args);
    assert_eq!(run.code, 0, "{}\n{}", run.stderr, run.stdout);
    let imported: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(imported["unresolved"], serde_json::json!([]));
    let resources = imported["resources"].as_array().unwrap();
    // a split deployment is its two clusters, each its own replication group
    let clusters: Vec<&Value> = match settings["clusters"].as_array() {
        Some(c) if !c.is_empty() => c.iter().collect(),
        _ => vec![settings],
    };
    assert_eq!(resources.len(), clusters.len(), "{env}: {resources:?}");
    for (resource, cluster) in resources.iter().zip(clusters) {
        let cost = &resource["cost"];
        let toml = resource["current_toml"].as_str().unwrap();
        assert_eq!(cost["engine"], settings["engine"], "{env}");
        assert_eq!(
            cost["kind"],
            if settings["kind"] == "split" { "node".into() } else { settings["kind"].clone() },
            "{env}"
        );
        let retention =
            if settings["engine"] == "memcached" { 0 } else { cluster["snapshot_retention_days"].as_u64().unwrap() };
        assert!(toml.contains(&format!("snapshot_retention_days = {retention}\n")), "{env}: {toml}");
        if settings["kind"] == "serverless" {
            let limits = &settings["usage_limits"];
            assert_eq!(decimal(&cost["usage_limits"]["max_data_gb"]), decimal(&limits["max_data_gb"]), "{env}");
            assert_eq!(
                decimal(&cost["usage_limits"]["max_ecpu_per_sec"]),
                decimal(&limits["max_ecpu_per_sec"]),
                "{env}"
            );
        } else {
            for key in ["node_type", "shards", "replicas"] {
                assert_eq!(cost[key], cluster[key], "{env}: {key}");
            }
            if settings["engine"] != "memcached" {
                assert_eq!(cost["cluster_mode"], cluster["cluster_mode"], "{env}");
            }
        }
    }
}

#[test]
fn export_round_trips_through_the_importer() {
    for env in ["dev", "staging", "prod"] {
        round_trip(None, env);
    }
}

#[test]
fn export_of_a_cluster_mode_recommendation_round_trips() {
    round_trip(Some(BIG), "big");
}

#[test]
fn export_of_memcached_and_split_recommendations_round_trips() {
    let memcached = "region = \"us-east-1\"\n\n[env.mc]\nengine = \"memcached\"\n\n[env.mc.workload]\ndata_gb = 20\nrequests_per_sec = 20000\n";
    round_trip(Some(memcached), "mc");
    let chat =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/chat-socketio.toml"))
            .unwrap();
    round_trip(Some(&chat), "prod");
}

/// The clients AUTH (the plan's `auth`): the cache must expect it, or every connection is
/// refused. A password is an `auth_token` (a sensitive variable); RBAC and IAM users are a
/// user group (a variable), on nodes and on Serverless; and the file still reads back.
#[test]
fn export_sets_what_the_clients_authenticate_with() {
    let plan = |auth: &str, data_gb: &str, rps: &str| {
        format!(
            "region = \"us-east-1\"\n\n[policy]\nvendors = [\"aws\"]\n\n[env.x]\nengine = \"valkey\"\nha = true\n\n[env.x.workload]\ndata_gb = {data_gb}\nrequests_per_sec = {rps}\nauth = \"{auth}\"\n"
        )
    };
    let export = |text: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("plan.toml"), text).unwrap();
        let run = run_in(dir.path(), &["--offline", "--plan", "plan.toml", "export-terraform", "--env", "x"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    // node-based (steady, large): password and RBAC
    let tf = export(&plan("password", "40", "60000"));
    assert!(tf.contains("resource \"aws_elasticache_replication_group\""), "{tf}");
    assert!(tf.contains("  auth_token                 = var.auth_token\n"), "{tf}");
    assert!(tf.contains("variable \"auth_token\" {") && tf.contains("  sensitive   = true\n"), "{tf}");
    let tf = export(&plan("rbac", "40", "60000"));
    assert!(tf.contains("  user_group_ids             = var.user_group_ids\n"), "{tf}");
    assert!(!tf.contains("auth_token"), "{tf}");
    // Serverless (small): one user group
    let tf = export(&plan("iam", "0.5", "20"));
    assert!(tf.contains("resource \"aws_elasticache_serverless_cache\""), "{tf}");
    assert!(tf.contains("  user_group_id            = var.user_group_id\n"), "{tf}");
    // no AUTH: nothing
    let tf = export(&plan("none", "40", "60000"));
    assert!(!tf.contains("auth_token") && !tf.contains("user_group"), "{tf}");
    round_trip(Some(&plan("password", "40", "60000")), "x");
    round_trip(Some(&plan("rbac", "0.5", "20")), "x");
}

/// Memcached clients that connect with TLS (the plan's default `tls = true`) need a cluster
/// that encrypts in transit; without TLS none is asked for.
#[test]
fn a_memcached_export_encrypts_in_transit_when_the_clients_use_tls() {
    let plan = |tls: bool| {
        format!(
            "region = \"us-east-1\"\n\n[env.mc]\nengine = \"memcached\"\n\n[env.mc.workload]\ndata_gb = 20\nrequests_per_sec = 20000\ntls = {tls}\n"
        )
    };
    for (tls, expected) in [(true, true), (false, false)] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("plan.toml"), plan(tls)).unwrap();
        let run = run_in(dir.path(), &["--offline", "--plan", "plan.toml", "export-terraform", "--env", "mc"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("resource \"aws_elasticache_cluster\""), "{}", run.stdout);
        assert_eq!(
            run.stdout.contains("  transit_encryption_enabled = true\n"),
            expected,
            "tls = {tls}: {}",
            run.stdout
        );
    }
    round_trip(Some(&plan(true)), "mc");
}

#[test]
fn an_upstash_recommendation_says_nothing_is_exported() {
    let plan = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/rate-limiter.toml"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
    let run = run_in(dir.path(), &["--offline", "--plan", "plan.toml", "export-terraform", "--env", "quiet"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("an Upstash database: it has no AWS resource, so nothing\n# is exported"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("resource \""), "{}", run.stdout);
}

#[test]
fn help_lists_both_commands_with_examples() {
    let dir = tempfile::tempdir().unwrap();
    let help = run_in(dir.path(), &["--help"]).stdout;
    assert!(help.contains("import-terraform") && help.contains("export-terraform"), "{help}");
    for command in ["import-terraform", "export-terraform"] {
        let run = run_in(dir.path(), &[command, "--help"]);
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains("Examples:") && run.stdout.contains("Exit status:"), "{}", run.stdout);
    }
}

#[test]
fn a_plan_reads_its_current_deployment_from_terraform() {
    let dir = tempfile::tempdir().unwrap();
    // a module beside the plan, named relative to the plan file
    let infra = dir.path().join("infra");
    std::fs::create_dir(&infra).unwrap();
    for file in ["main.tf", "variables.tf", "locals.tf", "terraform.tfvars"] {
        std::fs::copy(fixture("cluster-mode").join(file), infra.join(file)).unwrap();
    }
    std::fs::create_dir(dir.path().join("plans")).unwrap();
    let plan = format!("{PLAN}\n[env.prod.current]\nterraform = \"../infra\"\n");
    std::fs::write(dir.path().join("plans/plan.toml"), &plan).unwrap();
    let run =
        run_in(dir.path(), &["--offline", "--plan", "plans/plan.toml", "report", "--env", "prod", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["current"]["node_type"], "cache.r7g.large");
    assert_eq!((json["current"]["shards"].as_u64(), json["current"]["replicas"].as_u64()), (Some(3), Some(1)));

    // several caches and no resource: the plan key is named, with the addresses
    let sessions = fixture("sessions");
    let plan = format!("{PLAN}\n[env.prod.current]\nterraform = \"{}\"\n", sessions.display());
    std::fs::write(dir.path().join("plan.toml"), &plan).unwrap();
    let run = run_in(dir.path(), &["--offline", "--plan", "plan.toml", "report", "--env", "prod"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("plan.toml:12:13: env.prod.current.terraform:"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("has 2 caches (aws_elasticache_replication_group.sessions, aws_elasticache_cluster.fragments)"),
        "{}",
        run.stderr
    );
    std::fs::write(dir.path().join("plan.toml"), format!("{plan}resource = \"aws_elasticache_cluster.fragments\"\n"))
        .unwrap();
    let run = run_in(dir.path(), &["--offline", "--plan", "plan.toml", "report", "--env", "prod", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((json["current"]["engine"].as_str(), json["current"]["nodes"].as_u64()), (Some("memcached"), Some(2)));

    // an unresolved attribute: the plan key and the .tf file and line
    let plan = format!(
        "{PLAN}\n[env.prod.current]\nterraform = \"{}\"\nresource = \"aws_elasticache_replication_group.sessions\"\n",
        fixture("unresolved").display()
    );
    std::fs::write(dir.path().join("plan.toml"), &plan).unwrap();
    let run = run_in(dir.path(), &["--offline", "--plan", "plan.toml", "report", "--env", "prod"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("env.prod.current.terraform: aws_elasticache_replication_group.sessions ("),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("main.tf:5) is not a literal, variable or local"), "{}", run.stderr);
    // the deployment comes from Terraform: no hand-written keys beside it
    let plan = format!("{PLAN}\n[env.prod.current]\nterraform = \"infra\"\nnode_type = \"cache.r7g.large\"\n");
    std::fs::write(dir.path().join("plan.toml"), &plan).unwrap();
    let run = run_in(dir.path(), &["--offline", "--plan", "plan.toml", "report", "--env", "prod"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("env.prod.current.node_type: 'node_type' is read from the Terraform module"),
        "{}",
        run.stderr
    );
}
