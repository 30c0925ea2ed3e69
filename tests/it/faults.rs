//! Issue 13, faults: what capplan does when the world misbehaves around it, through the real
//! binary: an AWS endpoint that accepts and never answers, a disk that is read-only or full. Each
//! ends in bounded time with a clear message naming what failed and what to do, exit 2, nothing
//! half-written, and whatever can still be reported is. (The pricing cache's faults are in
//! `pricing.rs`, the profiler's in `profile.rs`, AWS errors against moto in `aws_report.rs`.)

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

use crate::aws_support::SilentServer;
use crate::support::AS_OF;

/// The binary in `dir` with a cleared environment: an empty home, fake credentials, no instance
/// metadata, the user cache in `dir`.
fn isolated(dir: &Path) -> Command {
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::cargo_bin("capplan").unwrap();
    cmd.env_clear()
        .current_dir(dir)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("AWS_CONFIG_FILE", home.join(".aws/config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join(".aws/credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "AKIAFAKECAPPLAN00TST")
        .env("AWS_SECRET_ACCESS_KEY", "capplanFakeSecretKey/0123456789abcdefGHIJ")
        .env("CAPPLAN_CACHE_DIR", dir.join("cache"))
        .env("CAPPLAN_AS_OF", AS_OF)
        .env("NO_COLOR", "1");
    cmd
}

const LIVE_PLAN: &str = r#"region = "us-east-1"

[env.known]                # a workload of its own: reported whatever AWS does
engine = "redis"
[env.known.workload]
data_gb = 2
requests_per_sec = 1000
[env.known.metrics]
replication_group = "shop"

[env.measured]             # measured only: not evaluated without its metrics
engine = "redis"
[env.measured.metrics]
replication_group = "shop"
"#;

/// Issue 13: an AWS endpoint that accepts connections and never answers. `report` and `init
/// --discover` end within the bound `CAPPLAN_AWS_TIMEOUT` sets, say what timed out, render what
/// they can, exit 2.
#[test]
fn issue_13_an_aws_endpoint_that_never_answers_is_a_bounded_wait_and_the_rest_renders() {
    let silent = SilentServer::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.toml"), LIVE_PLAN).unwrap();
    let bounded = |args: &[&str]| {
        let started = Instant::now();
        let out = isolated(dir.path())
            .env("AWS_ENDPOINT_URL", silent.url())
            .env("CAPPLAN_AWS_TIMEOUT", "2")
            .env("AWS_MAX_ATTEMPTS", "2")
            .args(args)
            .timeout(Duration::from_mins(2))
            .output()
            .unwrap();
        let took = started.elapsed();
        assert!(took < Duration::from_secs(20), "{args:?}: bounded, took {took:?}");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        (out.stdout, stderr)
    };
    let timed_out = "'elasticache:DescribeReplicationGroups' in 'us-east-1' timed out (limit 2 s): check the network or AWS_ENDPOINT_URL, then retry";

    let (stdout, stderr) = bounded(&["report", "--plan", "plan.toml", "--all", "--format", "json"]);
    assert!(stderr.contains(timed_out), "{stderr}");
    let all: Value = serde_json::from_slice(&stdout).unwrap();
    let envs: Vec<&str> = all["envs"].as_array().unwrap().iter().map(|e| e["env"].as_str().unwrap()).collect();
    assert_eq!(envs, ["known"]);
    assert_eq!(all["envs"][0]["workload"]["source"], "plan");
    assert_eq!(all["not_evaluated"][0]["env"], "measured");
    assert!(silent.accepted() >= 2, "both environments asked");

    let (_, stderr) = bounded(&["init", "--discover", "--region", "us-east-1", "found.toml"]);
    assert!(stderr.contains("timed out (limit 2 s)"), "{stderr}");
    assert!(!dir.path().join("found.toml").exists(), "no plan written");
}
