//! Benchmarks: `capplan report --all` on a generated plan of 500 environments (the generator of
//! `capplan::tui::sample`), through the library entry point the binary calls, written to
//! `/dev/null`: plan parsing, evaluation on every core, rendering and writing, without the
//! process start, with the binary's allocator. Targets (BENCHMARKS.md): Markdown and JSON each
//! under 1 s. The resident memory is measured on the real binary (`/usr/bin/time -v`, see
//! BENCHMARKS.md).

#![allow(clippy::expect_used, missing_docs)]

use clap::Parser;
use criterion::{Criterion, criterion_group, criterion_main};
use std::time::Duration;

use capplan::cli::Cli;

/// The binary's allocator (`src/main.rs`), so the bench measures what `capplan` runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn report(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("org-500.toml");
    std::fs::write(&plan, capplan::tui::sample::org_plan(500)).expect("plan written");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    let run = |args: &[&str]| {
        let mut argv = vec!["capplan", "--offline", "--as-of", "2026-11-23", "--plan"];
        argv.push(plan.to_str().expect("utf-8 path"));
        argv.extend(["report", "--all", "-o", "/dev/null"]);
        argv.extend(args);
        let code = capplan::run(&Cli::parse_from(&argv), today).expect("report runs");
        std::hint::black_box(code);
    };
    let mut group = c.benchmark_group("report --all, 500 environments");
    group.sample_size(10).measurement_time(Duration::from_secs(20)).warm_up_time(Duration::from_secs(2));
    for (name, args) in [
        ("md (--options best)", &["--format", "md"][..]),
        ("json (--options best)", &["--format", "json"]),
        ("csv (--options best)", &["--format", "csv"]),
    ] {
        group.bench_function(name, |b| b.iter(|| run(args)));
    }
    group.finish();
}

criterion_group!(benches, report);
criterion_main!(benches);
