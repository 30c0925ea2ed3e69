//! The command line as a user meets it: the real binary on valid and invalid plans.

use chrono::NaiveDate;
use predicates::prelude::*;
use std::fs;

use capplan::model::price::{Payment, Term};
use capplan::report::{EnvReport, evaluate_env, totals};
use capplan::source::offline::embedded;
use capplan::source::plan::parse_plan;

use crate::support::capplan;

#[test]
fn version_prints_the_pricing_cache_date() {
    let dir = tempfile::tempdir().unwrap();
    capplan(dir.path())
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"^capplan \d+\.\d+\.\d+ \(pricing cache \d{4}-\d{2}-\d{2}\)\n$").unwrap());
}

#[test]
fn report_without_a_plan_uses_the_bundled_example_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    capplan(dir.path())
        .args(["report", "--all", "--format", "md"])
        .assert()
        .success()
        .stderr(predicate::str::contains("bundled example plan"))
        .stdout(predicate::str::contains("# capplan report: all environments"))
        .stdout(predicate::str::contains("## capplan report: prod (us-east-1)"));
}

#[test]
fn init_writes_the_example_once_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    capplan(dir.path()).arg("init").assert().success();
    let written = fs::read_to_string(dir.path().join("capplan.toml")).unwrap();
    assert!(written.contains("[env.prod]"));
    // the example's metrics file is written beside it, and the written plan reports as the bundled one
    assert!(dir.path().join("capplan-metrics-prod.example.json").is_file());
    let out = capplan(dir.path()).args(["report", "--env", "prod", "--format", "json"]).output().unwrap();
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["measured"]["quiet_hour_utc"], 3);
    assert_eq!(value["plan"], "capplan.toml");
    fs::write(dir.path().join("capplan.toml"), "# mine\n").unwrap();
    capplan(dir.path()).arg("init").assert().code(2).stderr(predicate::str::contains("already exists"));
    assert_eq!(fs::read_to_string(dir.path().join("capplan.toml")).unwrap(), "# mine\n");
    // the written plan is then the default plan
    capplan(dir.path())
        .args(["report", "--env", "dev"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no environments"));
    // a second plan beside it keeps the metrics file a user may have replaced, and says so
    fs::write(dir.path().join("capplan-metrics-prod.example.json"), "{}").unwrap();
    capplan(dir.path())
        .args(["init", "other.toml"])
        .assert()
        .success()
        .stderr(predicate::str::contains("kept the existing").and(predicate::str::contains("other.toml")));
    assert_eq!(fs::read_to_string(dir.path().join("capplan-metrics-prod.example.json")).unwrap(), "{}");
}

#[test]
fn malformed_plan_exits_2_naming_file_line_column_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let plan = "region = \"us-east-1\"\n[env.prod]\nengine = \"valkey\"\n[env.prod.workload]\ndata_gb = -3\nrequests_per_sec = 10\n";
    fs::write(dir.path().join("bad.toml"), plan).unwrap();
    capplan(dir.path())
        .args(["report", "--plan", "bad.toml", "--env", "prod"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("bad.toml:5:11: env.prod.workload.data_gb: expected a number >= 0"));
}

#[test]
fn unknown_environment_lists_the_ones_there_are() {
    let dir = tempfile::tempdir().unwrap();
    capplan(dir.path())
        .args(["report", "--env", "qa"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no environment 'qa'").and(predicate::str::contains("dev, staging, prod")));
}

#[test]
fn missing_plan_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    capplan(dir.path()).args(["report", "--plan", "nope.toml"]).assert().code(2).stderr(
        predicate::str::contains("no plan file 'nope.toml'").and(predicate::str::contains("capplan init nope.toml")),
    );
}

#[test]
fn output_file_is_written_whole_and_a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    capplan(dir.path())
        .args(["report", "--env", "prod", "--format", "json", "--output", "prod.json"])
        .assert()
        .success();
    let text = fs::read_to_string(dir.path().join("prod.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["env"], "prod");
    capplan(dir.path())
        .args(["report", "--env", "prod", "--output", "no/such/dir/out.md"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
    let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("prod.json")], "no temporary files left behind");
}

#[test]
fn csv_has_a_header_and_one_row_per_line_item() {
    let dir = tempfile::tempdir().unwrap();
    let out = capplan(dir.path()).args(["report", "--env", "dev", "--format", "csv"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "env,option_id,role,kind,engine,feasible,item,quantity,unit,unit_usd,monthly_usd,price_kind,price_source,price_date,unverified"
    );
    let rows: Vec<&str> = lines.collect();
    assert!(rows.len() > 50);
    assert!(rows.iter().all(|r| r.starts_with("dev,")));
    assert!(rows.iter().any(|r| r.contains("serverless/valkey") && r.contains("million ECPU")));
}

#[test]
fn no_subcommand_and_no_terminal_prints_the_report() {
    let dir = tempfile::tempdir().unwrap();
    capplan(dir.path()).assert().success().stdout(predicate::str::contains("# capplan report: all environments"));
}

#[test]
fn garbage_plans_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    for (i, text) in [
        "\u{0}\u{1}",
        "[env.a]\nengine=\"valkey\"\n[env.a.workload]\ndata_gb=1e400\nrequests_per_sec=1",
        "region=\"us-east-1\"\n[[env]]\n",
    ]
    .iter()
    .enumerate()
    {
        let name = format!("g{i}.toml");
        fs::write(dir.path().join(&name), text).unwrap();
        capplan(dir.path())
            .args(["report", "--plan", &name])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("error:"));
    }
    fs::write(dir.path().join("bin.toml"), [0xff_u8, 0xfe, 0x00]).unwrap();
    capplan(dir.path()).args(["report", "--plan", "bin.toml"]).assert().code(2);
}

#[test]
fn nothing_fits_exits_1_and_says_what_would() {
    let dir = tempfile::tempdir().unwrap();
    let plan = "region = \"us-east-1\"\n[env.big]\nengine = \"valkey\"\nha = true\n[env.big.workload]\ndata_gb = 200\nrequests_per_sec = 20000\nconnections = 100000\n";
    fs::write(dir.path().join("p.toml"), plan).unwrap();
    let out = capplan(dir.path()).args(["report", "--plan", "p.toml", "--env", "big"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("**Nothing fits this workload.**"), "{stdout}");
    assert!(stdout.contains("connections: pool or multiplex"), "{stdout}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("big: nothing fits the workload"), "{stderr}");
}

#[test]
fn the_data_break_even_holds_below_the_serverless_minimum_storage() {
    // 0.05 GiB is under Valkey Serverless's 100 MB minimum: its cost is flat there, then rises
    let dir = tempfile::tempdir().unwrap();
    let plan = |data: &str| {
        format!(
            "region = \"us-east-1\"\n[env.dev]\nengine = \"valkey\"\nha = false\n[env.dev.workload]\ndata_gb = {data}\nrequests_per_sec = 5\n"
        )
    };
    let json = |data: &str| -> serde_json::Value {
        fs::write(dir.path().join("p.toml"), plan(data)).unwrap();
        let out = capplan(dir.path())
            .args(["report", "--plan", "p.toml", "--env", "dev", "--format", "json"])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let today = json("0.05");
    let be = &today["recommendation"]["break_even"]["serverless_vs_node"];
    let node = today["options"].as_array().unwrap().iter().find(|o| o["id"] == be["node_id"]).unwrap();
    let at = be["data_gb"].as_f64().expect("a data break-even");
    // dev keeps one free snapshot and no cross-AZ traffic: the node costs the same at any data size
    let there = json(&at.to_string());
    let serverless = there["options"].as_array().unwrap().iter().find(|o| o["id"] == be["serverless_id"]).unwrap();
    let gap = serverless["monthly_usd"].as_f64().unwrap() - node["monthly_usd"].as_f64().unwrap();
    // the break-even is rounded to 0.01 GiB, at $0.084 per GB-hour
    assert!(gap.abs() < 0.35, "at {at} GiB Serverless and {} differ by ${gap:.2}", be["node_id"]);
}

#[test]
fn the_closest_option_is_the_one_that_misses_by_the_least() {
    let dir = tempfile::tempdir().unwrap();
    let plan = "region = \"us-east-1\"\n[env.big]\nengine = \"valkey\"\nha = true\n[env.big.workload]\ndata_gb = 90000\nrequests_per_sec = 20000\n";
    fs::write(dir.path().join("p.toml"), plan).unwrap();
    let out =
        capplan(dir.path()).args(["report", "--plan", "p.toml", "--env", "big", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let closest = value["recommendation"]["nothing_fits"]["closest"].as_str().unwrap();
    let options = value["options"].as_array().unwrap();
    let memory = |o: &serde_json::Value| o["utilization"]["memory"].as_f64().unwrap_or(f64::MAX);
    let fewest = options.iter().map(|o| o["exclusions"].as_array().unwrap().len()).min().unwrap();
    let least = options
        .iter()
        .filter(|o| o["exclusions"].as_array().unwrap().len() == fewest)
        .map(memory)
        .fold(f64::MAX, f64::min);
    let chosen = options.iter().find(|o| o["id"] == closest).unwrap();
    assert_eq!(chosen["exclusions"].as_array().unwrap().len(), fewest);
    assert!((memory(chosen) - least).abs() < 1e-9, "{closest} misses memory by {} not {least}", memory(chosen));
    let hints = value["recommendation"]["nothing_fits"]["hints"].as_array().unwrap();
    assert!(hints.iter().any(|h| h.as_str().unwrap().starts_with("memory:")), "{hints:?}");
    assert!(!hints.iter().any(|h| h.as_str().unwrap().starts_with("connections:")), "{hints:?}");
}

#[test]
fn over_budget_exits_1_with_the_amount() {
    let dir = tempfile::tempdir().unwrap();
    let plan = "region = \"us-east-1\"\n[env.prod]\nengine = \"valkey\"\nbudget_usd = 5\n[env.prod.workload]\ndata_gb = 1\nrequests_per_sec = 10\n";
    fs::write(dir.path().join("p.toml"), plan).unwrap();
    let out =
        capplan(dir.path()).args(["report", "--plan", "p.toml", "--env", "prod", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let over = value["recommendation"]["over_budget_usd"].as_f64().unwrap();
    let monthly = value["recommendation"]["monthly_usd"].as_f64().unwrap();
    assert!((monthly - 5.0 - over).abs() < 1e-9);
    assert!(String::from_utf8(out.stderr).unwrap().contains("over the budget of $5.00/month"));
}

#[test]
fn metrics_files_resolve_beside_the_plan_and_bad_ones_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("plans")).unwrap();
    let csv = "timestamp,metric,stat,dimension,value\n2026-11-09T03:00:00Z,TotalCmdsCount,Sum,clusterId=c,60\n2026-11-09T04:00:00Z,TotalCmdsCount,Sum,clusterId=c,6\n2026-11-09T05:00:00Z,TotalCmdsCount,Sum,clusterId=c,600\n";
    fs::write(dir.path().join("plans/m.csv"), csv).unwrap();
    let plan = "region = \"us-east-1\"\n[env.prod]\nengine = \"valkey\"\n[env.prod.workload]\ndata_gb = 1\nrequests_per_sec = 1\n[env.prod.metrics]\nfile = \"m.csv\"\n";
    fs::write(dir.path().join("plans/p.toml"), plan).unwrap();
    let out = capplan(dir.path())
        .args(["report", "--plan", "plans/p.toml", "--env", "prod", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["measured"]["quiet_hour_utc"], 4);
    assert!(value["recommendation"]["settings"]["windows_basis"].as_str().unwrap().contains("04:00 UTC"));
    fs::write(dir.path().join("plans/m.csv"), "nonsense").unwrap();
    capplan(dir.path()).args(["report", "--plan", "plans/p.toml", "--env", "prod"]).assert().code(2).stderr(
        predicate::str::contains("plans/p.toml:8:8: env.prod.metrics.file: metrics file")
            .and(predicate::str::contains("header")),
    );
}

/// Issue 13: a metrics file with `TotalCmdsCount` = 1e28 crashed the report (a decimal overflow,
/// exit 101); so did timestamps at the ends of 64-bit time (a subtraction overflow). Each is an
/// error naming the file, the line and the metric, with exit status 2.
#[test]
fn issue_13_huge_metric_values_and_timestamps_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let plan = "region = \"us-east-1\"\n[env.prod]\nengine = \"valkey\"\n[env.prod.metrics]\nfile = \"m.csv\"\n";
    fs::write(dir.path().join("p.toml"), plan).unwrap();
    let header = "timestamp,metric,stat,dimension,value\n";
    for (rows, expected) in [
        (
            "2026-11-09T00:00:00Z,TotalCmdsCount,Sum,CacheClusterId=a,1e28\n2026-11-09T00:05:00Z,TotalCmdsCount,Sum,CacheClusterId=a,1e28\n",
            "line 2: TotalCmdsCount at 2026-11-09T00:00:00Z: value 1e28",
        ),
        (
            "2026-11-09T00:00:00Z,TotalCmdsCount,Sum,CacheClusterId=a,1e15\n2026-11-09T00:05:00Z,TotalCmdsCount,Sum,CacheClusterId=a,1e15\n",
            "TotalCmdsCount: the measured requests_per_sec is",
        ),
        (
            "-9223372036854775808,TotalCmdsCount,Sum,CacheClusterId=a,100\n9223372036854775807,TotalCmdsCount,Sum,CacheClusterId=a,100\n",
            "line 2: timestamp '-9223372036854775808' is outside 2000-01-01 to 2200-01-01",
        ),
    ] {
        fs::write(dir.path().join("m.csv"), format!("{header}{rows}")).unwrap();
        let out =
            capplan(dir.path()).args(["report", "--plan", "p.toml", "--env", "prod", "--offline"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            stderr.contains("p.toml:5:8: env.prod.metrics.file: metrics file") && stderr.contains("m.csv"),
            "{stderr}"
        );
        assert!(stderr.contains(expected), "{stderr}");
    }
}

/// Review findings: values that would overflow exact arithmetic or the growth model are located
/// plan errors; the largest accepted values evaluate without a panic.
#[test]
fn out_of_range_values_are_errors_and_the_largest_accepted_ones_evaluate() {
    let dir = tempfile::tempdir().unwrap();
    let base = |workload: &str| {
        format!("region = \"us-east-1\"\n[env.x]\nengine = \"valkey\"\nha = true\n[env.x.workload]\n{workload}\n")
    };
    for (workload, key) in [
        ("data_gb = 1\nrequests_per_sec = 1\ngrowth_pct_per_month = 1e12", "growth_pct_per_month"),
        ("data_gb = 1\nrequests_per_sec = 1e12\navg_request_kb = 1", "requests_per_sec"),
        ("data_gb = 1\nrequests_per_sec = 1\navg_request_kb = 1e12", "avg_request_kb"),
        ("data_gb = 1e12\nrequests_per_sec = 1", "data_gb"),
    ] {
        fs::write(dir.path().join("p.toml"), base(workload)).unwrap();
        capplan(dir.path())
            .args(["report", "--plan", "p.toml"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("env.x.workload.{key}: expected at most")));
    }
    let max = "data_gb = 10000000\npeak_data_gb = 10000000\nrequests_per_sec = 1e9\npeak_requests_per_sec = 1e9\navg_request_kb = 524288\nconnections = 10000000\nmin_ecpu_per_sec = 1e9\ngrowth_pct_per_month = 100\npubsub_messages_per_sec = 1e9\npubsub_payload_kb = 524288\npubsub_subscribers = 1000000\nmax_item_kb = 524288\n[env.x.policy]\nhorizon_months = 60";
    fs::write(dir.path().join("p.toml"), base(max)).unwrap();
    let out = capplan(dir.path()).args(["report", "--plan", "p.toml", "--format", "json"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "nothing fits, and nothing panics: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let zero = "data_gb = 0\nrequests_per_sec = 0\ngrowth_pct_per_month = 100\n[env.x.policy]\nhorizon_months = 60";
    fs::write(dir.path().join("p.toml"), base(zero)).unwrap();
    let out =
        capplan(dir.path()).args(["report", "--plan", "p.toml", "--env", "x", "--format", "json"]).output().unwrap();
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for o in value["options"].as_array().unwrap() {
        if let Some(shards) = o["shards"].as_u64() {
            assert!(shards >= 1, "{} has no shards", o["id"]);
        }
    }
}

/// Review finding: a recommended reservation whose upfront fee is not published is reported as
/// unknown, not as no upfront. The embedded cache now gives every offer's fee (the pricing page's
/// reserved JSON replaced the 2022 amortized-only rows), so the bundled plan's partial-upfront
/// reservation has a known fee; a book whose offer gives only the amortized rate is still
/// reported as unknown.
#[test]
fn unknown_upfront_fees_are_reported_as_unknown() {
    let dir = tempfile::tempdir().unwrap();
    capplan(dir.path()).arg("init").assert().success();
    let plan = fs::read_to_string(dir.path().join("capplan.toml")).unwrap();
    let plan = plan.replace("commit_payment = \"no-upfront\"", "commit_payment = \"partial-upfront\"");
    fs::write(dir.path().join("capplan.toml"), &plan).unwrap();
    let out = capplan(dir.path()).args(["report", "--all", "--format", "json"]).output().unwrap();
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let prod = &value["envs"][2]["recommendation"];
    assert!(prod["option_id"].as_str().unwrap().ends_with("1yr-partial-upfront"));
    assert_eq!(value["totals"]["recommended_upfront_unknown"], 0);
    let md = capplan(dir.path()).args(["report", "--all"]).output().unwrap();
    assert!(!String::from_utf8(md.stdout).unwrap().contains("upfront unknown"));

    // the same plan on a book whose offers give only the amortized rate (as the 2022 snapshot did)
    let mut book = embedded().unwrap().clone();
    let region = book.regions.get_mut("us-east-1").unwrap();
    for ((_, _, term), offer) in &mut region.reserved {
        if let Term::Reserved(length, Payment::PartialUpfront) = term {
            offer.effective_hourly_usd = Some(offer.amortized_hourly_usd(*length));
            offer.upfront_usd = None;
            offer.hourly_usd = None;
        }
    }
    let parsed = parse_plan(&plan, "capplan.toml", &book).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let envs: Vec<EnvReport> =
        parsed.envs.iter().map(|e| evaluate_env(e, None, &book, "capplan.toml", today).unwrap()).collect();
    assert!(envs[2].recommendation.option_id.as_deref().unwrap().ends_with("1yr-partial-upfront"));
    assert_eq!(totals(&envs).recommended_upfront_unknown, 1);
}

/// Review finding: --output writes through symlinks, keeps the usual permissions, and never
/// replaces the plan it reads.
#[test]
fn output_follows_symlinks_keeps_permissions_and_spares_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("real")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::os::unix::fs::symlink("real/target.md", dir.path().join("link.md")).unwrap();
        capplan(dir.path()).args(["report", "--env", "dev", "-o", "link.md"]).assert().success();
        assert!(
            fs::symlink_metadata(dir.path().join("link.md")).unwrap().file_type().is_symlink(),
            "the link stays a link"
        );
        let written = dir.path().join("real/target.md");
        assert!(fs::read_to_string(&written).unwrap().starts_with("# capplan report: dev"));
        let mode = fs::metadata(&written).unwrap().permissions().mode() & 0o777;
        fs::write(dir.path().join("plain.txt"), "x").unwrap();
        let usual = fs::metadata(dir.path().join("plain.txt")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, usual, "a new report gets the mode any new file gets (0666 less the umask)");
        fs::set_permissions(&written, fs::Permissions::from_mode(0o640)).unwrap();
        capplan(dir.path()).args(["report", "--env", "dev", "-o", "real/target.md"]).assert().success();
        assert_eq!(
            fs::metadata(&written).unwrap().permissions().mode() & 0o777,
            0o640,
            "an existing file keeps its mode"
        );
    }
    capplan(dir.path()).arg("init").assert().success();
    capplan(dir.path())
        .args(["report", "--env", "dev", "-o", "./capplan.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is the plan file itself"));
    assert!(fs::read_to_string(dir.path().join("capplan.toml")).unwrap().contains("[env.prod]"));
}

// ---- issue 7: a new user's first hour -------------------------------------------------------

/// The example plan with its top-level region replaced.
fn example_in(region: &str) -> String {
    let top = format!("region = \"{region}\"");
    capplan::source::plan::EXAMPLE_PLAN
        .lines()
        .map(|line| if line.starts_with("region = ") { top.as_str() } else { line })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn issue_7_dash_output_is_stdout() {
    let dir = tempfile::tempdir().unwrap();
    capplan(dir.path())
        .args(["report", "--env", "dev", "-o", "-"])
        .assert()
        .success()
        .stdout(predicate::str::contains("# capplan report: dev"));
    assert!(!dir.path().join("-").exists(), "a file named '-' was created");
}

#[test]
fn issue_7_init_writes_the_plan_flag_and_names_it_in_the_next_step() {
    let dir = tempfile::tempdir().unwrap();
    capplan(dir.path())
        .args(["init", "--plan", "other.toml"])
        .assert()
        .success()
        .stderr(predicate::str::contains("capplan report --plan other.toml --env prod"));
    assert!(dir.path().join("other.toml").is_file());
    assert!(!dir.path().join("capplan.toml").exists());
    fs::create_dir(dir.path().join("sub")).unwrap();
    capplan(dir.path())
        .args(["init", "sub/x.toml"])
        .assert()
        .success()
        .stderr(predicate::str::contains("capplan report --plan sub/x.toml --env prod"));
    assert!(dir.path().join("sub/capplan-metrics-prod.example.json").is_file());
    // the hint works as printed
    capplan(dir.path()).args(["report", "--plan", "sub/x.toml", "--env", "prod"]).assert().success();
    // two different files is a question, not a guess
    capplan(dir.path())
        .args(["init", "a.toml", "--plan", "b.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("two files"));
}

#[test]
fn issue_7_a_real_region_without_prices_is_not_called_unknown() {
    let dir = tempfile::tempdir().unwrap();
    // a real AWS region that no embedded source prices
    fs::write(dir.path().join("p.toml"), example_in("ap-southeast-6")).unwrap();
    capplan(dir.path())
        .args(["report", "--plan", "p.toml", "--env", "dev"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'ap-southeast-6' (Asia Pacific (New Zealand)) is an AWS region"))
        .stderr(predicate::str::contains("covered: ").and(predicate::str::contains("us-east-1")))
        .stderr(predicate::str::contains("plan with a covered region nearby"))
        .stderr(predicate::str::contains("unknown region").not());
    // a typo gets the likely region
    fs::write(dir.path().join("p.toml"), example_in("us-est-1")).unwrap();
    capplan(dir.path()).args(["report", "--plan", "p.toml", "--env", "dev"]).assert().code(2).stderr(
        predicate::str::contains("p.toml:14:10: region: 'us-est-1' is not an AWS region (did you mean 'us-east-1'?)"),
    );
}

#[test]
fn issue_7_a_missing_engine_lists_the_accepted_values() {
    let dir = tempfile::tempdir().unwrap();
    let plan = "region = \"us-east-1\"\n[env.dev]\n[env.dev.workload]\ndata_gb = 1\nrequests_per_sec = 10\n";
    fs::write(dir.path().join("p.toml"), plan).unwrap();
    capplan(dir.path())
        .args(["report", "--plan", "p.toml", "--env", "dev"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("p.toml:2:1: env.dev: missing key 'engine'"))
        .stderr(predicate::str::contains("'valkey', 'redis' (Redis OSS), 'memcached'"));
}

#[test]
fn issue_7_a_plan_that_is_not_utf8_names_the_line_and_byte() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("p.toml"), b"region = \"us-east-1\"\n# caf\xe9 menu\n").unwrap();
    capplan(dir.path())
        .args(["report", "--plan", "p.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("p.toml:2:6: the plan is not UTF-8 text: byte 6 of line 2"))
        .stderr(predicate::str::contains("0xe9"));
}

#[test]
fn issue_7_errors_name_the_path_given_never_a_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let no_temp = || predicate::str::contains(".capplan-").not().and(predicate::str::contains(".tmp").not());
    capplan(dir.path())
        .args(["init", "nodir/x.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot write 'nodir/x.toml': directory 'nodir' does not exist"))
        .stderr(no_temp());
    capplan(dir.path())
        .args(["report", "--env", "dev", "-o", "nodir/r.md"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'nodir/r.md'"))
        .stderr(no_temp());
    // a folder that exists but takes no new files (/proc on Linux)
    if std::path::Path::new("/proc/self").exists() {
        capplan(dir.path())
            .args(["report", "--env", "dev", "-o", "/proc/capplan-report.md"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("cannot write '/proc/capplan-report.md'"))
            .stderr(no_temp());
    }
}

#[test]
fn issue_7_an_evaluation_date_before_the_prices_is_not_a_negative_age() {
    let dir = tempfile::tempdir().unwrap();
    capplan(dir.path())
        .args(["report", "--env", "dev", "--as-of", "2020-01-01"])
        .assert()
        .success()
        .stdout(predicate::str::contains("days after the evaluation date"))
        .stdout(predicate::str::is_match(r"\(-\d+ days").unwrap().not());
}

#[test]
fn issue_7_completions_and_man_name_every_subcommand() {
    use clap::CommandFactory;
    let subcommands: Vec<String> = capplan::cli::Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .filter(|n| n != "help")
        .collect();
    assert!(subcommands.len() >= 4, "{subcommands:?}");
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = capplan(dir.path()).args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
        let script = String::from_utf8(out.stdout).unwrap();
        for sub in &subcommands {
            assert!(script.contains(sub.as_str()), "{shell} completions do not name '{sub}'");
        }
        // the script parses where the shell is installed (bash always is)
        let check = match shell {
            "bash" => Some(("bash", "-n")),
            "zsh" => Some(("zsh", "-n")),
            "fish" => Some(("fish", "--no-execute")),
            _ => None,
        };
        if let Some((sh, flag)) = check {
            let file = dir.path().join(format!("completions.{shell}"));
            fs::write(&file, &script).unwrap();
            match std::process::Command::new(sh).arg(flag).arg(&file).status() {
                Ok(status) => assert!(status.success(), "{shell} does not parse its completion script"),
                Err(_) => assert_ne!(shell, "bash", "bash is needed to check the bash completions"),
            }
        }
    }
    let out = capplan(dir.path()).arg("man").output().unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with(".ie") || page.starts_with(".TH"), "not roff: {}", &page[..40.min(page.len())]);
    for sub in &subcommands {
        assert!(page.contains(&format!(".SH \"CAPPLAN {}\"", sub.to_uppercase())), "man page lacks '{sub}'");
    }
    assert!(page.contains(".SH \"EXIT STATUS\""));
}

/// Issue 13: `--options best|fitting|all`. Every environment lists the best options by default,
/// one environment every option; the recommendation and what runs today always stay.
#[test]
fn issue_13_options_best_fitting_and_all() {
    let dir = tempfile::tempdir().unwrap();
    let json = |args: &[&str]| -> serde_json::Value {
        let out = capplan(dir.path()).args(["report", "--format", "json"]).args(args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let ids = |env: &serde_json::Value| -> Vec<String> {
        env["options"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_string()).collect()
    };
    let default = json(&["--all"]);
    let best = json(&["--all", "--options", "best"]);
    let fitting = json(&["--all", "--options", "fitting"]);
    let all = json(&["--all", "--options", "all"]);
    assert_eq!(default, best, "best is the default for every environment");
    for (i, env) in all["envs"].as_array().unwrap().iter().enumerate() {
        let (b, f) = (&best["envs"][i], &fitting["envs"][i]);
        let every = ids(env);
        assert_eq!(env["search"]["options_listed"].as_u64().unwrap() as usize, every.len());
        assert_eq!(b["search"]["options_evaluated"], env["search"]["options_evaluated"]);
        // fewer rows, in the same order, each one of every option
        let (best_ids, fitting_ids) = (ids(b), ids(f));
        assert!(best_ids.len() * 4 < every.len(), "{}: {} of {}", env["env"], best_ids.len(), every.len());
        assert!(fitting_ids.len() < every.len());
        for list in [&best_ids, &fitting_ids] {
            let order: Vec<&String> = every.iter().filter(|id| list.contains(id)).collect();
            assert_eq!(list.iter().collect::<Vec<_>>(), order);
        }
        let star = env["recommendation"]["option_id"].as_str().unwrap();
        for list in [&best_ids, &fitting_ids] {
            assert!(list.iter().any(|id| id == star), "{star} listed");
        }
        assert_eq!(b["current"], env["current"], "what runs today is reported whatever is listed");
        assert!(f["options"].as_array().unwrap().iter().all(|o| o["feasible"] == true));
        // best: every excluded row says why, one per kind × engine
        let excluded: Vec<(String, String)> = b["options"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["feasible"] == false)
            .map(|o| {
                assert!(!o["excluded_reasons"].as_array().unwrap().is_empty(), "{}", o["id"]);
                (o["kind"].to_string(), o["engine"].to_string())
            })
            .collect();
        let mut unique = excluded.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), excluded.len(), "{excluded:?}");
    }
    // one environment: every option unless asked otherwise
    let prod = json(&["--env", "prod"]);
    assert_eq!(prod["search"]["options_filter"], "all");
    assert_eq!(ids(&prod), ids(&all["envs"][2]));
    let prod_best = json(&["--env", "prod", "--options", "best"]);
    assert_eq!(ids(&prod_best), ids(&best["envs"][2]));
    // Markdown says what it lists; CSV lists the same options
    let md = capplan(dir.path()).args(["report", "--all"]).output().unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains("(`--options best`: the best layout and term of each node type"), "{md}");
    assert!(md.contains("## All environments: summary and totals"));
    let csv =
        capplan(dir.path()).args(["report", "--all", "--format", "csv", "--options", "fitting"]).output().unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    let listed: std::collections::BTreeSet<&str> =
        csv.lines().skip(1).filter(|l| l.contains(",option,")).filter_map(|l| l.split(',').nth(1)).collect();
    let expected: std::collections::BTreeSet<String> =
        fitting["envs"].as_array().unwrap().iter().flat_map(ids).collect();
    assert_eq!(listed.into_iter().map(String::from).collect::<std::collections::BTreeSet<_>>(), expected);
    // the help says what each mode lists
    let help = capplan(dir.path()).args(["report", "--help"]).output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for word in ["--options <WHICH>", "best", "fitting", "all", "default: best for every environment, all for --env"] {
        assert!(help.contains(word), "{word}: {help}");
    }
    capplan(dir.path()).args(["report", "--options", "cheapest"]).assert().code(2);
}

/// Issue 13: `--all` writes each environment as it is done. An environment that fails stops the
/// report there with exit status 2: stdout has the environments before it; `--output` leaves no
/// file (nor a temporary one).
#[test]
fn issue_13_an_environment_that_fails_stops_the_streamed_report() {
    let dir = tempfile::tempdir().unwrap();
    let env = |name: &str| {
        format!("[env.{name}]\nengine = \"valkey\"\n[env.{name}.workload]\ndata_gb = 1\nrequests_per_sec = 100\n")
    };
    let plan =
        format!("region = \"us-east-1\"\n{}{}[env.b.metrics]\nfile = \"bad.json\"\n{}", env("a"), env("b"), env("c"));
    fs::write(dir.path().join("p.toml"), plan).unwrap();
    fs::write(dir.path().join("bad.json"), "{\"nope\": 1}").unwrap();
    let out = capplan(dir.path()).args(["report", "--plan", "p.toml", "--all"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("env.b.metrics.file: metrics file './bad.json'"), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("## capplan report: a (us-east-1)"), "{stdout}");
    assert!(!stdout.contains("capplan report: c ("), "{stdout}");
    capplan(dir.path()).args(["report", "--plan", "p.toml", "--all", "-o", "r.md"]).assert().code(2);
    assert!(!dir.path().join("r.md").exists());
    let temporary: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.starts_with(".capplan-") && f != ".capplan-cache")
        .collect();
    assert!(temporary.is_empty(), "{temporary:?}");
}
