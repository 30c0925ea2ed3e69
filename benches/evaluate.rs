//! Benchmarks: evaluating every option of the bundled 3-environment plan, checking every
//! candidate layout by brute force (candidates per second), and loading the embedded pricing
//! cache: its index plus one region (what a `capplan` start on a one-region plan pays once), and
//! its index plus every region.

#![allow(clippy::expect_used)]

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

use capplan::model::capacity::Demand;
use capplan::model::catalog::{Engine, NodeId};
use capplan::model::evaluate;
use capplan::model::recommend::{SearchStats, brute_force};
use capplan::source::offline::{CACHE, REGION_CHUNKS, embedded, parse_cache};
use capplan::source::plan::{EXAMPLE_PLAN, parse_plan};

fn bench(c: &mut Criterion) {
    let book = embedded().expect("embedded cache parses");
    let plan = parse_plan(EXAMPLE_PLAN, "bundled", book).expect("bundled plan parses");
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date");
    let nodes: Vec<NodeId> = book.catalog.nodes().map(|(id, _)| id).collect();

    // every node type × engine × replica count × shard count × term, for all three environments
    let brute = |stats: &mut SearchStats| {
        for env in &plan.envs {
            let demand = Demand::of(&env.workload, &env.policy);
            for engine in Engine::ALL {
                black_box(brute_force(env, &demand, &nodes, engine, book, stats));
            }
        }
    };
    let mut stats = SearchStats::default();
    brute(&mut stats);
    eprintln!(
        "brute force over the bundled plan: {} layouts checked, {} candidates (layout x term) priced",
        stats.layouts_checked, stats.prices_computed
    );
    let mut group = c.benchmark_group("candidates");
    group.throughput(Throughput::Elements(stats.prices_computed));
    group.bench_function("check and price every candidate (3 envs)", |b| {
        b.iter(|| brute(&mut SearchStats::default()));
    });
    group.finish();

    let options: usize = plan.envs.iter().map(|e| evaluate(e, book, as_of).map_or(0, |r| r.options.len())).sum();
    eprintln!("evaluate: {} environments, {options} options listed and explained", plan.envs.len());
    c.bench_function("evaluate + recommend bundled plan (3 envs)", |b| {
        b.iter(|| {
            for env in &plan.envs {
                black_box(evaluate(black_box(env), book, as_of).expect("evaluates"));
            }
        });
    });
    let load = |regions: &[&str]| {
        let book = parse_cache(black_box(CACHE), REGION_CHUNKS, "bench").expect("parses");
        for region in regions {
            black_box(book.load_region(region).expect("region parses"));
        }
        book
    };
    let all: Vec<&str> = REGION_CHUNKS.iter().map(|(code, _)| *code).collect();
    let bytes: usize = REGION_CHUNKS.iter().map(|(_, b)| b.len()).sum();
    eprintln!("pricing cache: index {} bytes, {} region chunks, {bytes} bytes", CACHE.len(), all.len());
    c.bench_function("load pricing cache: index + us-east-1", |b| {
        b.iter(|| black_box(load(&["us-east-1"])));
    });
    c.bench_function("load pricing cache: index + every region", |b| {
        b.iter(|| black_box(load(&all)));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
