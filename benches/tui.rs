//! Benchmark: drawing each screen of the terminal app into a 200×60 `TestBackend`, with 15 days
//! of 1-minute metrics (CloudWatch's 1-minute retention) on the prod tab. Target: under 2 ms a frame.

#![allow(clippy::expect_used, missing_docs)]

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;

use capplan::model::observed::{MetricSeries, derive};
use capplan::source::offline::embedded;
use capplan::source::plan::{EXAMPLE_PLAN, parse_plan};
use capplan::tui::app::App;
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

fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    terminal.draw(|f| f.render_widget(Root { app }, f.area())).expect("draw");
}

fn bench(c: &mut Criterion) {
    let book = embedded().expect("embedded cache parses");
    let plan = parse_plan(EXAMPLE_PLAN, "bundled", book).expect("bundled plan parses");
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    let (mut app, _) = App::new(&plan, Arc::new(book.clone()), as_of, &vec![None; plan.envs.len()], Theme::colored());
    let data = derive(&fifteen_days_at_one_minute(), "bench");
    app.handle(Event::Source(SourceEvent::MetricsLoaded { env: "prod".into(), result: Ok(Box::new(data)) }));
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    let press = |app: &mut App, code| app.handle(Event::Term(TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE))));

    let mut group = c.benchmark_group("draw 200x60");
    group.bench_function("overview", |b| b.iter(|| draw(&mut terminal, &app)));
    press(&mut app, KeyCode::Left);
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
    // a step up and back (two recomputes of 564 options) and one frame
    group.bench_function("what-if step up and back (2 recomputes + draw)", |b| {
        b.iter(|| {
            press(&mut app, KeyCode::Char('d'));
            press(&mut app, KeyCode::Char('D'));
            {
                terminal.draw(|f| f.render_widget(Root { app: &app }, f.area())).expect("draw");
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
