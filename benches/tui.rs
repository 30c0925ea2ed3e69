//! Benchmark: drawing each screen of the terminal app into a 200×60 `TestBackend`, with 15 days
//! of 1-minute metrics (CloudWatch's 1-minute retention) on the prod tab (target: under 2 ms a
//! frame); and an organisation of 500 environments: the first frame (plan parsed, app built,
//! drawn; target under 200 ms) and keys on the All tab (target under 50 ms each, with the frame).
//! The resident memory once all 500 are evaluated is printed (target under 200 MB).

#![allow(clippy::expect_used, missing_docs)]

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;

use capplan::evaluation::{Fetch, Gathered};
use capplan::model::observed::{MetricSeries, derive};
use capplan::source::offline::embedded;
use capplan::source::plan::{EXAMPLE_PLAN, parse_plan};
use capplan::tui::app::{App, Job};
use capplan::tui::event::{Event, SourceEvent};
use capplan::tui::theme::Theme;
use capplan::tui::view::Root;

/// 15 days of 1-minute points for the metrics the app charts.
fn fifteen_days_at_one_minute() -> Vec<MetricSeries> {
    let start = 1_794_182_400_i64; // 2026-11-09T00:00:00Z
    let n = 15 * 24 * 60;
    let wave = |i: i64, base: f64, swing: f64| base + swing * ((i as f64) / 1440.0 * std::f64::consts::TAU).sin();
    let series = |metric: &str, stat: &str, f: &dyn Fn(i64) -> f64| MetricSeries {
        id: metric.to_lowercase(),
        metric: metric.into(),
        stat: stat.into(),
        dimension: "CacheClusterId=shop-prod-0001-001".into(),
        period_secs: 60,
        points: (0..n).map(|i| (start + i * 60, f(i))).collect(),
    };
    vec![
        series("BytesUsedForCache", "Average", &|i| wave(i, 8.0, 0.5) * 1_073_741_824.0),
        series("GetTypeCmds", "Sum", &|i| wave(i, 2000.0, 1500.0) * 60.0),
        series("SetTypeCmds", "Sum", &|i| wave(i, 500.0, 300.0) * 60.0),
        series("CurrConnections", "Maximum", &|i| wave(i, 300.0, 100.0)),
        series("Evictions", "Sum", &|i| if i % 977 == 0 { 5.0 } else { 0.0 }),
        series("EngineCPUUtilization", "Average", &|i| wave(i, 6.0, 4.0)),
        series("NetworkBytesIn", "Sum", &|i| wave(i, 400_000.0, 200_000.0) * 60.0),
        series("NetworkBytesOut", "Sum", &|i| wave(i, 2_000_000.0, 1_000_000.0) * 60.0),
    ]
}

/// Run every evaluation the app asks for, inline (the app runs them on worker threads).
fn settle(app: &mut App) {
    loop {
        let jobs: Vec<Job> = app.jobs(usize::MAX);
        if jobs.is_empty() {
            return;
        }
        for job in jobs {
            app.handle(Event::Source(SourceEvent::Evaluated(Box::new(job.run()))));
        }
    }
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

fn press(app: &mut App, code: KeyCode) {
    app.handle(Event::Term(TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE))));
}

fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    terminal.draw(|f| f.render_widget(Root { app }, f.area())).expect("draw");
}

fn bench(c: &mut Criterion) {
    let book = embedded().expect("embedded cache parses");
    let plan = parse_plan(EXAMPLE_PLAN, "bundled", book).expect("bundled plan parses");
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    let (mut app, _) = App::new(&plan, Arc::new(book.clone()), as_of, &vec![None; plan.envs.len()], Theme::colored());
    let data = Gathered { data: derive(&fifteen_days_at_one_minute(), "bench"), live: None };
    app.handle(Event::Source(SourceEvent::MetricsLoaded {
        env: "prod".into(),
        fetch: Fetch::CachedFirst,
        result: Ok(Box::new(data)),
    }));
    settle(&mut app);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");

    let mut group = c.benchmark_group("draw 200x60");
    group.bench_function("overview", |b| b.iter(|| draw(&mut terminal, &app)));
    press(&mut app, KeyCode::Left);
    settle(&mut app);
    for (name, key) in [("options", '1'), ("recommendation", '2'), ("metrics 7 days of 15", '3')] {
        press(&mut app, KeyCode::Char(key));
        group.bench_function(name, |b| b.iter(|| draw(&mut terminal, &app)));
    }
    press(&mut app, KeyCode::Char('z'));
    group.bench_function("metrics whole 15 days", |b| {
        b.iter(|| draw(&mut terminal, &app));
    });
    press(&mut app, KeyCode::Char('1'));
    press(&mut app, KeyCode::Enter);
    group.bench_function("line items overlay", |b| b.iter(|| draw(&mut terminal, &app)));
    press(&mut app, KeyCode::Esc);
    // a step up and back (two recomputes of every option, as the workers run them) and one frame
    group.bench_function("what-if step up and back (2 recomputes + draw)", |b| {
        b.iter(|| {
            press(&mut app, KeyCode::Char('d'));
            settle(&mut app);
            press(&mut app, KeyCode::Char('D'));
            settle(&mut app);
            terminal.draw(|f| f.render_widget(Root { app: &app }, f.area())).expect("draw");
        });
    });
    group.finish();
}

/// 500 environments: what a user waits for.
fn organisation(c: &mut Criterion) {
    let book = embedded().expect("embedded cache parses");
    let text = capplan::tui::sample::org_plan(500);
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    let none = vec![None; 500];
    let mut group = c.benchmark_group("500 environments 200x60");
    group.sample_size(20);
    group.bench_function("first frame (parse plan, build app, draw)", |b| {
        b.iter(|| {
            let plan = parse_plan(&text, "org-500.toml", book).expect("plan parses");
            let (app, _) = App::new(&plan, Arc::new(book.clone()), as_of, &none, Theme::colored());
            let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
            draw(&mut terminal, &app);
        });
    });
    let plan = parse_plan(&text, "org-500.toml", book).expect("plan parses");
    let before = rss_mb();
    let (mut app, _) = App::new(&plan, Arc::new(book.clone()), as_of, &none, Theme::colored());
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    draw(&mut terminal, &app);
    settle(&mut app);
    // the last environments opened keep their full report and metric series: open ten, each
    // with 15 days of 1-minute metrics
    let series = fifteen_days_at_one_minute();
    for _ in 0..10 {
        press(&mut app, KeyCode::Char('l'));
        let env = app.env().map(|e| e.base.name.clone()).unwrap_or_default();
        let data = Gathered { data: derive(&series, "bench"), live: None };
        app.handle(Event::Source(SourceEvent::MetricsLoaded {
            env,
            fetch: Fetch::CachedFirst,
            result: Ok(Box::new(data)),
        }));
        settle(&mut app);
    }
    press(&mut app, KeyCode::Char('0'));
    app.tab = 0;
    eprintln!(
        "500 environments evaluated, 10 opened with 15 days of 1-minute metrics, {} full reports and {} metric series kept: resident {:.0} MB (the plan and price book before the app: {before:.0} MB)",
        app.envs.iter().filter(|e| e.full.is_some()).count(),
        app.envs.iter().filter(|e| e.metrics.loaded().is_some_and(|m| !m.data.charts.is_empty())).count(),
        rss_mb()
    );
    let key = |app: &mut App, terminal: &mut Terminal<TestBackend>, code| {
        press(app, code);
        draw(terminal, app);
    };
    group.bench_function("key on the All tab: j + frame", |b| {
        b.iter(|| key(&mut app, &mut terminal, KeyCode::Char('j')));
    });
    group.bench_function("key on the All tab: G then gg + frames", |b| {
        b.iter(|| {
            key(&mut app, &mut terminal, KeyCode::Char('G'));
            key(&mut app, &mut terminal, KeyCode::Char('g'));
            key(&mut app, &mut terminal, KeyCode::Char('g'));
        });
    });
    group.bench_function("sort key on the All tab: s + frame", |b| {
        b.iter(|| key(&mut app, &mut terminal, KeyCode::Char('s')));
    });
    group.bench_function("filter as you type: a letter and backspace + frames", |b| {
        key(&mut app, &mut terminal, KeyCode::Char('/'));
        b.iter(|| {
            key(&mut app, &mut terminal, KeyCode::Char('p'));
            key(&mut app, &mut terminal, KeyCode::Backspace);
        });
        key(&mut app, &mut terminal, KeyCode::Esc);
    });
    group.bench_function("open an environment (Enter, before its report) + frame, and back", |b| {
        b.iter(|| {
            key(&mut app, &mut terminal, KeyCode::Enter);
            key(&mut app, &mut terminal, KeyCode::Esc);
        });
    });
    group.finish();
}

criterion_group!(benches, bench, organisation);
criterion_main!(benches);
