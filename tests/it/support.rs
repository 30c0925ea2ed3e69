//! Helpers shared by the integration tests.

use assert_cmd::Command;
use rust_decimal::Decimal;
use serde_json::Value;
use std::path::Path;
use std::str::FromStr;

/// The fixed evaluation date every test uses.
pub const AS_OF: &str = "2026-11-23";

/// The real binary, in `dir`, with a fixed date, no inherited plan, and a cache directory of
/// its own in `dir` (never the user's refreshed prices).
pub fn capplan(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("capplan").expect("binary builds");
    cmd.current_dir(dir)
        .env("CAPPLAN_AS_OF", AS_OF)
        .env_remove("CAPPLAN_PLAN")
        .env("CAPPLAN_CACHE_DIR", dir.join(".capplan-cache"))
        .env("NO_COLOR", "1");
    cmd
}

/// Write `plan` to a temp dir and run `capplan report --env <env> --format json` on it.
pub fn report_json(plan: &str, env: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
    let out = capplan(dir.path())
        .args(["report", "--plan", "plan.toml", "--env", env, "--format", "json", "--offline"])
        .output()
        .unwrap();
    assert!(out.status.success(), "capplan failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A JSON number as an exact decimal.
pub fn dec(value: &Value) -> Decimal {
    Decimal::from_str(&value.to_string())
        .or_else(|_| Decimal::from_scientific(&value.to_string()))
        .unwrap_or_else(|e| panic!("{value}: {e}"))
}

/// Rounded to the cent, as a person reads it.
pub fn cents(value: &Value) -> String {
    format!("{:.2}", dec(value).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
}

/// The option with `id` in an env report.
pub fn option<'a>(env: &'a Value, id: &str) -> &'a Value {
    env["options"].as_array().unwrap().iter().find(|o| o["id"] == id).unwrap_or_else(|| {
        panic!(
            "no option {id}; have {:?}",
            env["options"].as_array().unwrap().iter().map(|o| o["id"].clone()).collect::<Vec<_>>()
        )
    })
}

/// A plan with one environment `t` in us-east-1.
pub fn plan(engine: &str, ha: bool, workload: &str, current: &str) -> String {
    format!(
        "region = \"us-east-1\"\n[env.t]\nengine = \"{engine}\"\nha = {ha}\nsnapshot_retention_days = 0\n[env.t.workload]\n{workload}\n{current}"
    )
}
