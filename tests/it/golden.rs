//! Golden reports of the bundled plan: real `.md`/`.json` files under `tests/golden/`, readable
//! on GitHub. `UPDATE_GOLDEN=1 cargo test` rewrites them; review the diff before committing.

use std::path::{Path, PathBuf};

use crate::support::capplan;

fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

fn run(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = capplan(dir.path()).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn assert_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
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
    let schema_text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/report.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(instance).take(10).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "report does not match assets/report.schema.json:\n{}", errors.join("\n"));
}

/// `--all` lists the best options by default (`--options best`).
#[test]
fn bundled_plan_markdown_report_of_all_environments() {
    assert_golden("bundled-all.md", &run(&["report", "--all", "--format", "md"]));
}

#[test]
fn bundled_plan_csv_report_of_all_environments() {
    assert_golden("bundled-all.csv", &run(&["report", "--all", "--format", "csv"]));
}

#[test]
fn bundled_plan_json_report_of_all_environments() {
    let text = run(&["report", "--all", "--format", "json"]);
    assert_golden("bundled-all.json", &text);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    validate(&value);
    for env in value["envs"].as_array().unwrap() {
        assert_eq!(env["search"]["options_filter"], "best");
    }
}

/// One environment lists every option by default (`--options all`).
#[test]
fn bundled_plan_json_report_of_prod() {
    let text = run(&["report", "--env", "prod", "--format", "json"]);
    assert_golden("bundled-prod.json", &text);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    validate(&value);
    assert_eq!(value["search"]["options_filter"], "all");
    assert_eq!(value["search"]["options_listed"], value["search"]["options_evaluated"]);
}

#[test]
fn bundled_plan_markdown_report_of_prod_fitting_options() {
    assert_golden("bundled-prod-fitting.md", &run(&["report", "--env", "prod", "--options", "fitting"]));
}

#[test]
fn every_json_shape_validates_against_the_schema() {
    for target in [&["--all"][..], &["--env", "dev"], &["--env", "staging"], &["--env", "prod"]] {
        for options in ["best", "fitting", "all"] {
            let mut args = vec!["report", "--format", "json", "--options", options];
            args.extend(target);
            let value: serde_json::Value = serde_json::from_str(&run(&args)).unwrap();
            validate(&value);
            let envs = value["envs"].as_array().cloned().unwrap_or_else(|| vec![value.clone()]);
            for env in &envs {
                let search = &env["search"];
                assert_eq!(search["options_filter"], options, "{args:?}");
                assert_eq!(search["options_listed"].as_u64().unwrap(), env["options"].as_array().unwrap().len() as u64);
            }
        }
    }
}

#[test]
fn scenario_and_nothing_fits_reports_validate_against_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut kinds = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(&scenarios).unwrap() {
        let path = entry.unwrap().path();
        let out =
            capplan(dir.path()).args(["report", "--all", "--format", "json", "--plan"]).arg(&path).output().unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for env in value["envs"].as_array().unwrap() {
            for o in env["options"].as_array().unwrap() {
                kinds.insert(o["kind"].as_str().unwrap().to_string());
            }
        }
        validate(&value);
    }
    assert_eq!(kinds.len(), 4, "serverless, node, upstash and split all validated: {kinds:?}");
    let plan = "region = \"us-east-1\"\n[env.big]\nengine = \"valkey\"\n[env.big.workload]\ndata_gb = 200\nrequests_per_sec = 20000\nconnections = 100000\n";
    std::fs::write(dir.path().join("big.toml"), plan).unwrap();
    let out = capplan(dir.path())
        .args(["report", "--plan", "big.toml", "--env", "big", "--format", "json"])
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(value["recommendation"]["option_id"].is_null());
    validate(&value);
}

#[test]
fn the_schema_rejects_what_it_should() {
    let text = run(&["report", "--env", "dev", "--format", "json"]);
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["options"][0]["monthly_usd"] = serde_json::Value::String("12.00".into());
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/report.schema.json")).unwrap(),
    )
    .unwrap();
    assert!(!jsonschema::validator_for(&schema).unwrap().is_valid(&value), "a string amount must not validate");
}
