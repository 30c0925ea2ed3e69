//! Issue 13, scale: a generated plan of 500 environments through the real binary. What it
//! checks is the answer and its size; how fast it runs is measured by the benches
//! (`benches/report.rs`, BENCHMARKS.md), not here (a debug build is many times slower).

use crate::support::capplan;

#[test]
fn issue_13_a_500_environment_plan_reports_every_environment_in_one_bounded_json_document() {
    let dir = tempfile::tempdir().unwrap();
    let plan = capplan::tui::sample::org_plan(500);
    std::fs::write(dir.path().join("org.toml"), &plan).unwrap();
    let book = capplan::source::offline::embedded().unwrap();
    let names: Vec<String> = capplan::source::plan::parse_plan(&plan, "org.toml", book)
        .unwrap()
        .envs
        .iter()
        .map(|e| e.name.clone())
        .collect();
    let out = capplan(dir.path())
        .args(["report", "--plan", "org.toml", "--all", "--options", "best", "--format", "json", "--offline"])
        .output()
        .unwrap();
    // exit 1: a few generated environments are over their budget
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    // `best` lists some 110 to 135 options per environment here (every node type of both
    // engines of the protocol fits a small workload), about 340 KB of pretty JSON each: 170 MB
    // in all; `--options all` lists 838 each, 2.4 MB (1.2 GB in all)
    let size = out.stdout.len();
    assert!(size < 500 * (512 << 10), "{size} bytes of JSON for 500 environments");
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let envs = value["envs"].as_array().unwrap();
    assert_eq!(envs.len(), 500);
    assert!(value["not_evaluated"].as_array().unwrap().is_empty());
    let order: Vec<&str> = envs.iter().map(|e| e["env"].as_str().unwrap()).collect();
    assert_eq!(order, names, "in plan order");
    let mut recommended = rust_decimal::Decimal::ZERO;
    for env in envs {
        assert_eq!(env["search"]["options_filter"], "best");
        let listed = env["options"].as_array().unwrap().len();
        let evaluated = env["search"]["options_evaluated"].as_u64().unwrap() as usize;
        assert!(listed * 4 < evaluated, "{}: {listed} of {evaluated} options listed", env["env"]);
        if let Some(id) = env["recommendation"]["option_id"].as_str() {
            recommended += crate::support::dec(&crate::support::option(env, id)["monthly_usd"]);
        }
    }
    assert_eq!(crate::support::dec(&value["totals"]["recommended_monthly_usd"]), recommended, "the totals add up");
}
