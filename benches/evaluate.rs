//! Benchmarks: evaluating every option of the bundled 3-environment plan, and parsing the
//! embedded pricing cache (what every `capplan` start pays once).

#![allow(clippy::expect_used)]

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use capplan::model::evaluate;
use capplan::source::offline::{CACHE, embedded, parse_cache};
use capplan::source::plan::{EXAMPLE_PLAN, parse_plan};

fn bench(c: &mut Criterion) {
    let book = embedded().expect("embedded cache parses");
    let plan = parse_plan(EXAMPLE_PLAN, "bundled", book).expect("bundled plan parses");
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date");
    let options: usize = plan
        .envs
        .iter()
        .map(|e| evaluate(e, book, as_of).map_or(0, |r| r.options.len()))
        .sum();
    eprintln!(
        "bundled plan: {} environments, {options} options evaluated per run",
        plan.envs.len()
    );

    c.bench_function("evaluate bundled plan (3 envs, all options)", |b| {
        b.iter(|| {
            for env in &plan.envs {
                black_box(evaluate(black_box(env), book, as_of).expect("evaluates"));
            }
        });
    });
    c.bench_function("parse embedded pricing cache", |b| {
        b.iter(|| black_box(parse_cache(black_box(CACHE), "bench").expect("parses")));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
