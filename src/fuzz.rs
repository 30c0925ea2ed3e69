//! The entry points of the fuzz targets (`fuzz/`): one function per reader of outside input,
//! each taking arbitrary bytes and doing what capplan does with such a file, so that the fuzzers
//! and the regression test of what they found (`tests/it/fuzz_inputs.rs`) run the same code.
//! Each returns normally whatever the bytes; a panic is a bug.

use chrono::NaiveDate;

use crate::model::bill::Month;
use crate::model::measured_workload::measured_workload;
use crate::model::observed::derive;
use crate::model::profile::{ProfileInput, analyze, parse_info, parse_monitor_line};
use crate::model::workload::{EnvInputs, Workload, WorkloadSource};
use crate::model::{catalog::Engine, evaluate};
use crate::report::evaluate_env;
use crate::source::offline::{REGION_CHUNKS, embedded, parse_cache, parse_region};
use crate::source::plan::parse_plan;
use crate::source::plan_edit::profile_into_plan;

/// A fuzz target's entry point: any bytes in, a panic only on a bug.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as `fuzz/Cargo.toml` lists them.
pub const TARGETS: [(&str, Target); 8] = [
    ("plan", plan),
    ("metrics", metrics),
    ("pricing_cache", pricing_cache),
    ("pricelist", pricelist),
    ("redis_info", redis_info),
    ("profile_json", profile_json),
    ("bill", bill),
    ("terraform", terraform),
];

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 2).unwrap_or_default()
}

/// A plan file, and every environment of a plan it accepts evaluated as the report does.
///
/// # Panics
/// When the plan reader accepts a workload out of bounds (the bug the fuzzer looks for).
pub fn plan(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(book) = embedded() else { return };
    if let Ok(plan) = parse_plan(text, "p.toml", book) {
        for env in &plan.envs {
            assert!(env.workload.validate().is_ok(), "the plan reader accepted a workload out of bounds");
            let _ = evaluate_env(env, None, book, "p.toml", as_of());
        }
    }
}

/// A metrics file (GetMetricData JSON or CSV), and the measured workload of what it accepts
/// evaluated as `workload = "measured"` does.
pub fn metrics(data: &[u8]) {
    for name in ["m.json", "m.csv"] {
        if let Ok(series) = crate::source::metrics::parse(data, name) {
            let derived = derive(&series, name);
            let m = measured_workload("prod", &Workload::default(), false, &derived.observed, WorkloadSource::File);
            let env = EnvInputs::new("prod", "us-east-1", Engine::Valkey, true, m.workload);
            if let Ok(book) = embedded() {
                let _ = evaluate(&env, book, as_of());
            }
        }
    }
}

/// The pricing cache: an index file and a region file as the user cache holds them.
pub fn pricing_cache(data: &[u8]) {
    let _ = parse_cache(data, REGION_CHUNKS, "fuzz");
    if let Ok(book) = embedded() {
        let _ = parse_region("us-east-1", data, &book.catalog, &book.sources);
    }
}

/// The AWS Price List readers: a GetProducts item and a bulk offer file.
pub fn pricelist(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::source::pricelist::parse_get_products_item(text);
    }
    let _ = crate::source::pricelist::parse_offer_file(data, "offer.json");
}

/// What a live Redis/Valkey answers the profiler: INFO (with commandstats), then after a line
/// `---` MONITOR lines; analysed into a profile, written into a plan and read back.
pub fn redis_info(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (info, monitor) = text.split_once("\n---\n").unwrap_or((&text, ""));
    let parsed = parse_info(info);
    let input = ProfileInput {
        target: "redis://127.0.0.1:6379".into(),
        info_start: parsed.clone(),
        info_end: parsed,
        seconds: 10.0,
        monitor: monitor.lines().filter_map(parse_monitor_line).collect(),
        ..ProfileInput::default()
    };
    let profile = analyze(&input);
    if let (Ok(plan), Ok(book)) = (profile_into_plan(None, "prod", &profile, as_of()), embedded()) {
        let _ = parse_plan(&plan, "p.toml", book);
    }
}

/// A profile file as `[env.X.profile]` reads it.
pub fn profile_json(data: &[u8]) {
    let _ = crate::source::redis_profile::parse_profile(data, "prod.profile.json");
}

/// A Cost and Usage Report export read as the bill of a month.
pub fn bill(data: &[u8]) {
    if let Ok(month) = Month::parse("2026-10")
        && let Ok(bill) = crate::source::bill::bill_from_report(data, "cur.csv", month)
    {
        let _ = bill.total_usd();
    }
}

/// A Terraform module file (HCL), and every cache it declares turned into a `current`
/// deployment of a plan and priced.
pub fn terraform(data: &[u8]) {
    use crate::source::terraform::{TfFile, current_of, parse_module};
    let Ok(text) = std::str::from_utf8(data) else { return };
    let tf = [TfFile { name: "main.tf".into(), text: text.to_string() }];
    let Ok(module) = parse_module(&tf, &[], &[]) else { return };
    let Ok(book) = embedded() else { return };
    let env = EnvInputs::new("prod", "us-east-1", Engine::Valkey, true, Workload::default());
    for (found, spec) in module.import().deployments() {
        let _ = spec.toml();
        if let Ok(current) = current_of(spec, &found.address, &env, book) {
            let mut priced = env.clone();
            priced.current = Some(current);
            let _ = evaluate(&priced, book, as_of());
        }
    }
}
