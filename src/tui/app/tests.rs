//! `App::handle` without a terminal: keys, prompts, the background evaluations run inline.

use super::*;
use crate::evaluation::Gathered;
use crate::model::observed::derive;
use crate::source::metrics::{EXAMPLE_METRICS, EXAMPLE_METRICS_NAME, parse};
use crate::source::offline::embedded;
use crate::source::plan::{EXAMPLE_PLAN, EXAMPLE_PLAN_NAME, parse_plan};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent};

/// Run every evaluation the app asks for, inline, until it asks for none.
pub(crate) fn settle(app: &mut App) {
    loop {
        let jobs = app.jobs(usize::MAX);
        if jobs.is_empty() {
            return;
        }
        for job in jobs {
            app.handle(Event::Source(SourceEvent::Evaluated(Box::new(job.run()))));
        }
    }
}

/// The bundled plan with its example metrics loaded, on a fixed date, evaluated.
pub(crate) fn app() -> App {
    let book = embedded().unwrap();
    let plan = parse_plan(EXAMPLE_PLAN, EXAMPLE_PLAN_NAME, book).unwrap();
    let locations: Vec<Option<MetricsLocation>> =
        plan.envs.iter().map(|e| plan.metrics_of(&e.name).map(|_| MetricsLocation::Example)).collect();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let (mut app, effects) = App::new(&plan, Arc::new(book.clone()), as_of, &locations, Theme::plain());
    assert!(effects.is_empty(), "metrics are read when their environment is opened");
    app.handle(Event::Source(SourceEvent::MetricsLoaded {
        env: "prod".into(),
        fetch: Fetch::CachedFirst,
        result: Ok(Box::new(example_metrics())),
    }));
    settle(&mut app);
    app
}

/// The bundled example's prod metrics, as the app reads them.
pub(crate) fn example_metrics() -> Gathered {
    let series = parse(EXAMPLE_METRICS, EXAMPLE_METRICS_NAME).unwrap();
    Gathered { data: derive(&series, &MetricsLocation::Example.name()), live: None }
}

/// A generated plan of `n` environments, evaluated.
pub(crate) fn org_app(n: usize) -> App {
    let book = embedded().unwrap();
    let plan = parse_plan(&crate::tui::sample::org_plan(n), "org.toml", book).unwrap();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let (mut app, _) = App::new(&plan, Arc::new(book.clone()), as_of, &vec![None; n], Theme::plain());
    settle(&mut app);
    app
}

pub(crate) fn press(app: &mut App, code: KeyCode) -> Option<Effect> {
    app.handle(Event::Term(TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE))))
}

fn ctrl(app: &mut App, c: char) -> Option<Effect> {
    app.handle(Event::Term(TermEvent::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// Open tab `tab` (1 = the first environment) and evaluate it in full.
pub(crate) fn open(app: &mut App, tab: usize) {
    app.go_to_tab(tab);
    settle(app);
}

fn prod(app: &App) -> &EnvView {
    app.envs.iter().find(|e| e.base.name == "prod").unwrap()
}

fn monthly(env: &EnvView) -> Decimal {
    env.summary().unwrap().recommended.as_ref().unwrap().monthly
}

#[test]
fn nothing_is_evaluated_until_asked_and_the_visible_rows_go_first() {
    let book = embedded().unwrap();
    let plan = parse_plan(&crate::tui::sample::org_plan(60), "org.toml", book).unwrap();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let (mut a, _) = App::new(&plan, Arc::new(book.clone()), as_of, &vec![None; 60], Theme::plain());
    assert_eq!(a.evaluated(), 0);
    a.view_info.set(ViewInfo { all: (30, 10), ..ViewInfo::default() });
    let jobs = a.jobs(2);
    assert_eq!(jobs.iter().map(|j| j.index).collect::<Vec<_>>(), vec![30, 31], "the rows in view first");
    assert!(jobs.iter().all(|j| !j.keep_full), "the All tab keeps summaries only");
    let more = a.jobs(2);
    assert!(more.iter().all(|j| j.index != 30), "a running job is not handed out twice");
    for job in jobs.into_iter().chain(more) {
        a.handle(Event::Source(SourceEvent::Evaluated(Box::new(job.run()))));
    }
    settle(&mut a);
    assert_eq!(a.evaluated(), 60);
    assert!(a.envs.iter().all(|e| e.full.is_none()), "no full report is kept for the All tab");
    // opening environments keeps the last few in full only
    for tab in 1..=FULL_KEPT + 3 {
        open(&mut a, tab);
    }
    assert_eq!(a.envs.iter().filter(|e| e.full.is_some()).count(), FULL_KEPT);
    assert!(a.env().unwrap().report().is_some());
}

#[test]
fn metrics_are_read_when_opened_and_their_series_dropped_when_left() {
    let book = embedded().unwrap();
    let plan = parse_plan(EXAMPLE_PLAN, EXAMPLE_PLAN_NAME, book).unwrap();
    let locations: Vec<Option<MetricsLocation>> =
        plan.envs.iter().map(|e| plan.metrics_of(&e.name).map(|_| MetricsLocation::Example)).collect();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let (mut a, effects) = App::new(&plan, Arc::new(book.clone()), as_of, &locations, Theme::plain());
    assert!(effects.is_empty());
    assert_eq!(a.envs[2].metrics, Loading::Idle);
    let Some(Effect::LoadMetrics { env, metrics, location, fetch }) = press(&mut a, KeyCode::Left) else {
        panic!("prod's metrics are read")
    };
    assert_eq!(env, "prod");
    assert_eq!(fetch, Fetch::CachedFirst, "opening uses what the user cache holds");
    assert!(a.jobs(4).iter().all(|j| j.index != 2), "prod waits for its metrics: never a workload of zeros");
    let data = evaluation::gather(&metrics, &location, fetch, chrono::Utc::now()).unwrap();
    a.handle(Event::Source(SourceEvent::MetricsLoaded { env, fetch, result: Ok(Box::new(data)) }));
    assert!(a.envs[2].metrics.loaded().is_some_and(|m| !m.data.charts.is_empty()));
    // four other environments opened: prod's series go, its derived workload stays
    let dev = a.envs[0].clone();
    a.envs.extend(std::iter::repeat_n(dev, 4));
    for tab in 4..=7 {
        a.go_to_tab(tab);
    }
    let prod = &a.envs[2];
    assert!(
        prod.metrics_trimmed
            && prod.metrics.loaded().is_some_and(|m| m.data.charts.is_empty() && m.data.observed.data_gib.is_some())
    );
    assert!(matches!(a.go_to_tab(3), Some(Effect::LoadMetrics { .. })), "opening prod again reads them again");
}

#[test]
fn stale_results_are_dropped() {
    let mut a = app();
    a.go_to_tab(3);
    press(&mut a, KeyCode::Char('d'));
    let old = a.jobs(1);
    assert_eq!(old.len(), 1);
    press(&mut a, KeyCode::Char('d'));
    let done = old.into_iter().next().unwrap().run();
    a.handle(Event::Source(SourceEvent::Evaluated(Box::new(done))));
    assert!(!a.env().unwrap().fresh(), "a result of superseded inputs is not taken as current");
    settle(&mut a);
    assert!(a.env().unwrap().fresh());
    assert_eq!(a.env().unwrap().whatif.data_pct, 20);
}

#[test]
fn tabs_wrap_around_and_start_on_the_overview() {
    let mut a = app();
    assert_eq!(a.tab, 0);
    press(&mut a, KeyCode::Left);
    assert_eq!(a.tab, 3);
    press(&mut a, KeyCode::Tab);
    assert_eq!(a.tab, 0);
    press(&mut a, KeyCode::Char('l'));
    assert_eq!(a.env().unwrap().base.name, "dev");
}

#[test]
fn a_what_if_step_changes_the_recommended_cost_and_reset_restores_it() {
    let mut a = app();
    open(&mut a, 3);
    let before = monthly(prod(&a));
    for _ in 0..5 {
        press(&mut a, KeyCode::Char('d'));
    }
    settle(&mut a);
    let after = monthly(prod(&a));
    assert!(after > before, "50% more data costs more: {after} vs {before}");
    assert_eq!(prod(&a).whatif.data_pct, 50);
    assert_eq!(prod(&a).plan_monthly, Some(before));
    press(&mut a, KeyCode::Char('0'));
    settle(&mut a);
    assert_eq!(monthly(prod(&a)), before);
    assert!(!prod(&a).whatif.is_active());
}

#[test]
fn growth_what_if_has_its_own_keys_and_g_means_top() {
    let mut a = app();
    open(&mut a, 3);
    press(&mut a, KeyCode::Char('+'));
    assert_eq!(prod(&a).whatif.growth_pts, 1);
    press(&mut a, KeyCode::Char('-'));
    assert_eq!(prod(&a).whatif.growth_pts, 0);
    press(&mut a, KeyCode::Char('G'));
    let last = a.option_rows().rows.len() - 1;
    assert_eq!(a.option_position(&a.option_rows()), last);
    press(&mut a, KeyCode::Char('g'));
    press(&mut a, KeyCode::Char('g'));
    assert_eq!(a.option_position(&a.option_rows()), 0);
    assert!(!prod(&a).whatif.is_active(), "gg and G change no what-if");
}

#[test]
fn toggling_the_engine_and_ha_recomputes() {
    let mut a = app();
    open(&mut a, 1); // dev: valkey, no HA
    press(&mut a, KeyCode::Char('E'));
    press(&mut a, KeyCode::Char('E'));
    settle(&mut a);
    let dev = &a.envs[0];
    assert_eq!(dev.whatif.engine, Some(Engine::Memcached));
    let winner = dev.report().unwrap().recommended().unwrap();
    assert_eq!(winner.engine, Engine::Memcached);
    press(&mut a, KeyCode::Char('H'));
    assert_eq!(a.envs[0].whatif.ha, Some(true));
    press(&mut a, KeyCode::Char('H'));
    assert_eq!(a.envs[0].whatif.ha, None, "back to the plan's setting");
}

#[test]
fn the_measured_workload_is_the_default_and_m_switches_to_the_plans() {
    let mut a = app();
    open(&mut a, 1);
    press(&mut a, KeyCode::Char('M'));
    assert!(a.message.as_ref().unwrap().error, "dev has no metrics");
    open(&mut a, 3);
    // as `capplan report`: the plan leaves `workload` at "measured"
    let w = &prod(&a).report().unwrap().workload;
    assert_eq!(w.source, crate::model::workload::WorkloadSource::File);
    assert!(w.data_gb < Decimal::from(8) && w.data_gb > Decimal::from(7), "measured ~7.5 GiB: {}", w.data_gb);
    assert_eq!(prod(&a).report().unwrap().what_if, None, "the default is no what-if");
    press(&mut a, KeyCode::Char('M'));
    settle(&mut a);
    assert_eq!(prod(&a).whatif.measured, Some(false));
    let w = &prod(&a).report().unwrap().workload;
    assert_eq!(w.data_gb, Decimal::from(8), "the plan's 8 GiB");
    assert!(prod(&a).report().unwrap().what_if.as_deref().is_some_and(|t| t.contains("the plan's workload")));
    press(&mut a, KeyCode::Char('M'));
    assert_eq!(prod(&a).whatif.measured, None, "back to what the plan says");
}

#[test]
fn the_app_reports_prod_as_capplan_report_does() {
    let mut a = app();
    open(&mut a, 3);
    let report = Report::One(Box::new(prod(&a).report().unwrap().clone()));
    let mut json = Vec::new();
    report::render(&report, report::Format::Json, &mut json).unwrap();
    let golden = include_str!("../../../tests/golden/bundled-prod.json");
    let (app, cli): (serde_json::Value, serde_json::Value) =
        (serde_json::from_slice(&json).unwrap(), serde_json::from_str(golden).unwrap());
    assert_eq!(app, cli, "the app's prod differs from `capplan report --env prod --format json`");
}

#[test]
fn environments_never_opened_are_evaluated_with_their_measured_workload() {
    let book = embedded().unwrap();
    let plan = parse_plan(EXAMPLE_PLAN, EXAMPLE_PLAN_NAME, book).unwrap();
    let locations: Vec<Option<MetricsLocation>> =
        plan.envs.iter().map(|e| plan.metrics_of(&e.name).map(|_| MetricsLocation::Example)).collect();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let (mut a, _) = App::new(&plan, Arc::new(book.clone()), as_of, &locations, Theme::plain());
    let jobs = a.jobs(3);
    let prod_job = jobs.iter().find(|j| j.index == 2).unwrap();
    assert!(prod_job.read_metrics, "the All tab's job reads prod's metrics itself");
    for job in jobs {
        a.handle(Event::Source(SourceEvent::Evaluated(Box::new(job.run()))));
    }
    let p = prod(&a);
    assert!(p.metrics_trimmed && p.metrics.loaded().is_some_and(|m| m.data.charts.is_empty()));
    let mut cli = a.clone();
    open(&mut cli, 3);
    assert_eq!(monthly(prod(&a)), monthly(prod(&cli)), "the All tab's figure is the opened report's");
    let golden: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/golden/bundled-prod.json")).unwrap();
    let expected = golden["recommendation"]["monthly_usd"].to_string().parse::<Decimal>().unwrap();
    assert_eq!(monthly(prod(&a)).round_dp(2), expected.round_dp(2));
}

#[test]
fn r_reads_the_metrics_again_and_failures_keep_the_earlier_ones() {
    let mut a = app();
    open(&mut a, 3);
    let before = prod(&a).generation;
    let Some(Effect::LoadMetrics { fetch, .. }) = press(&mut a, KeyCode::Char('r')) else { panic!("r refetches") };
    assert_eq!(fetch, Fetch::Now);
    assert!(prod(&a).refetching);
    assert!(press(&mut a, KeyCode::Char('r')).is_none(), "one refetch at a time");
    a.handle(Event::Source(SourceEvent::MetricsLoaded { env: "prod".into(), fetch, result: Err("throttled".into()) }));
    assert!(a.message.as_ref().unwrap().error);
    assert!(prod(&a).metrics.loaded().is_some(), "the earlier metrics stay");
    assert_eq!(prod(&a).generation, before);
    press(&mut a, KeyCode::Char('r'));
    a.handle(Event::Source(SourceEvent::MetricsLoaded {
        env: "prod".into(),
        fetch: Fetch::Now,
        result: Ok(Box::new(example_metrics())),
    }));
    assert_eq!(prod(&a).generation, before + 1, "new metrics are evaluated again");
    open(&mut a, 1);
    assert!(press(&mut a, KeyCode::Char('r')).is_none() && a.message.as_ref().unwrap().error, "dev has none");
}

#[test]
fn offline_neither_fetches_metrics_nor_refreshes_prices() {
    let mut a = app();
    a.offline = true;
    assert!(press(&mut a, KeyCode::Char('p')).is_none());
    assert!(a.message.as_ref().unwrap().text.contains("--offline"));
    a.offline = false;
    let Some(Effect::RefreshPrices { regions, .. }) = press(&mut a, KeyCode::Char('p')) else { panic!("p refreshes") };
    assert_eq!(regions, vec!["us-east-1".to_string()]);
    assert!(press(&mut a, KeyCode::Char('p')).is_none(), "one refresh at a time");
    // the refreshed book lands: every environment is evaluated again
    let gens: Vec<u64> = a.envs.iter().map(|e| e.generation).collect();
    let book = Arc::clone(&a.book);
    a.handle(Event::Source(SourceEvent::PricesRefreshed(Ok(Box::new((book, "prices refreshed".into()))))));
    assert!(!a.refreshing_prices);
    assert!(a.envs.iter().zip(gens).all(|(e, g)| e.generation == g + 1));
    settle(&mut a);
    assert_eq!(a.evaluated(), a.envs.len());
}

#[test]
fn an_environment_measured_only_is_not_evaluated_without_its_metrics() {
    let book = embedded().unwrap();
    let text = "region = \"us-east-1\"\n[env.shop]\nengine = \"valkey\"\n[env.shop.metrics]\nfile = \"missing.json\"\n";
    let plan = parse_plan(text, "m.toml", book).unwrap();
    let locations = vec![Some(MetricsLocation::File("/nonexistent/missing.json".into()))];
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let (mut a, effects) = App::new(&plan, Arc::new(book.clone()), as_of, &locations, Theme::plain());
    // one environment: it is opened, and its metrics read
    let [Effect::LoadMetrics { env, metrics, location, fetch }] = &effects[..] else { panic!("{effects:?}") };
    assert!(a.jobs(2).is_empty(), "nothing is evaluated before the metrics are read");
    assert!(
        format!("{}", crate::tui::view::testing::draw(&a, 80, 24)).contains("measuring"),
        "the screen says they are read"
    );
    let result = evaluation::gather(metrics, location, *fetch, chrono::Utc::now()).map(Box::new);
    a.handle(Event::Source(SourceEvent::MetricsLoaded { env: env.clone(), fetch: *fetch, result }));
    settle(&mut a);
    let shop = &a.envs[0];
    assert!(matches!(shop.metrics, Loading::Failed(_)));
    let e = shop.error().expect("not evaluated");
    assert!(e.starts_with("not evaluated") && e.contains("[env.shop.workload]"), "{e}");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('M'));
    assert!(a.message.as_ref().unwrap().text.contains("metrics only"));
}

#[test]
fn overlays_open_and_close_and_quit_is_an_effect() {
    let mut a = app();
    press(&mut a, KeyCode::Char('?'));
    assert_eq!(a.overlay, Some(Overlay::Help));
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.overlay, None);
    open(&mut a, 3);
    let start = a.option_position(&a.option_rows());
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.overlay, Some(Overlay::Detail));
    assert_eq!(a.option_position(&a.option_rows()), start + 1);
    press(&mut a, KeyCode::Esc);
    assert!(matches!(press(&mut a, KeyCode::Char('q')), Some(Effect::Quit)));
    assert!(matches!(ctrl(&mut a, 'z'), Some(Effect::Suspend)));
    assert!(matches!(a.handle(Event::Signal(15)), Some(Effect::Terminated(15))));
}

#[test]
fn screen_keys_on_the_all_tab_change_nothing_and_say_where_they_work() {
    let mut a = app();
    for c in ['1', '2', '3', 'f', 'z', 'd'] {
        press(&mut a, KeyCode::Char(c));
    }
    assert_eq!(a.screen, Screen::Options);
    assert_eq!(a.zoom, Zoom::Week);
    assert!(a.envs.iter().all(|e| !e.whatif.is_active() && !e.view.feasible_only));
    assert!(a.message.as_ref().unwrap().text.contains("works on an environment's screens"));
}

#[test]
fn other_protocols_are_hidden_with_a_count_and_groups_expand() {
    let mut a = app();
    open(&mut a, 3);
    let rows = a.option_rows();
    let report = a.env().unwrap().report().unwrap();
    assert!(
        rows.rows.iter().all(|r| report.options[r.index].engine != Engine::Memcached),
        "a Redis app lists no Memcached"
    );
    assert!(
        rows.rows.len() < report.options.len() / 4,
        "one row per node type: {} of {}",
        rows.rows.len(),
        report.options.len()
    );
    let hidden = rows.other_protocol;
    press(&mut a, KeyCode::Char('o'));
    let shown = a.option_rows();
    assert_eq!(shown.other_protocol, 0);
    assert!(shown.matching >= rows.matching + hidden.min(1));
    press(&mut a, KeyCode::Char('o'));
    // expand the ★ group: its other layouts and terms appear under it
    press(&mut a, KeyCode::Char('*'));
    let before = a.option_rows().rows.len();
    press(&mut a, KeyCode::Char('x'));
    let after = a.option_rows();
    assert!(after.rows.len() > before, "expanded: {} > {before}", after.rows.len());
    let star = a.env().unwrap().report().unwrap().recommendation.option_id.clone();
    assert_eq!(a.selected_option().map(|o| o.id.clone()), star, "the selection stays on ★");
}

#[test]
fn star_jumps_to_the_recommendation_and_sorting_keeps_the_selection() {
    let mut a = app();
    open(&mut a, 3);
    press(&mut a, KeyCode::Char('G'));
    press(&mut a, KeyCode::Char('*'));
    let star = a.env().unwrap().report().unwrap().recommendation.option_id.clone();
    assert_eq!(a.selected_option().map(|o| o.id.clone()), star);
    for _ in 0..3 {
        press(&mut a, KeyCode::Char('s'));
        assert_eq!(a.selected_option().map(|o| o.id.clone()), star);
    }
    press(&mut a, KeyCode::Char('S'));
    assert!(a.option_sort.1);
}

#[test]
fn the_fitting_only_filter_keeps_the_selection_on_its_option() {
    let mut a = app();
    open(&mut a, 3);
    let before = a.selected_option().unwrap().id.clone();
    press(&mut a, KeyCode::Char('f'));
    let env = a.env().unwrap();
    assert!(env.view.feasible_only);
    let report = env.report().unwrap();
    assert!(a.option_rows().rows.iter().all(|r| report.options[r.index].feasible));
    assert_eq!(a.selected_option().unwrap().id, before, "the recommended option fits, so it stays selected");
}

#[test]
fn slash_filters_the_all_tab_as_you_type_and_enter_opens() {
    let mut a = org_app(40);
    press(&mut a, KeyCode::Char('/'));
    typed(&mut a, "ledger");
    let rows = a.all_rows();
    assert!(!rows.is_empty() && rows.len() < 40);
    assert!(rows.iter().all(|&i| a.envs[i].base.name.contains("ledger")));
    press(&mut a, KeyCode::Enter);
    assert!(a.prompt.is_none());
    assert_eq!(a.all_rows().len(), rows.len(), "Enter keeps the filter");
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.tab, rows[1] + 1, "Enter opens the selected environment");
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.tab, 0, "Esc goes back to the All tab");
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.all_rows().len(), 40, "Esc clears the filter");
}

#[test]
fn colon_jumps_to_an_environment_by_name() {
    let mut a = org_app(40);
    press(&mut a, KeyCode::Char(':'));
    typed(&mut a, "fraud");
    let matches = a.jump_matches("fraud");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.tab, matches[1] + 1);
    // g e too
    press(&mut a, KeyCode::Char('g'));
    press(&mut a, KeyCode::Char('e'));
    assert_eq!(a.prompt.as_ref().map(|p| p.kind), Some(PromptKind::Jump));
    press(&mut a, KeyCode::Esc);
    assert!(a.prompt.is_none());
}

#[test]
fn sorting_the_all_tab_by_monthly_puts_the_dearest_first_when_reversed() {
    let mut a = org_app(40);
    while a.all_sort.0 != AllSort::Monthly {
        press(&mut a, KeyCode::Char('s'));
    }
    press(&mut a, KeyCode::Char('S'));
    let rows = a.all_rows();
    let m = |i: usize| a.envs[i].summary().and_then(|s| s.recommended.as_ref()).map(|r| r.monthly);
    let values: Vec<_> = rows.iter().filter_map(|&i| m(i)).collect();
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "descending");
}

#[test]
fn pages_move_by_the_visible_height() {
    let mut a = org_app(40);
    crate::tui::view::testing::draw(&a, 80, 24);
    let page = a.view_info.get().all.1;
    assert!(page > 5);
    press(&mut a, KeyCode::PageDown);
    assert_eq!(a.all_rows().iter().position(|&i| i == a.all_selected), Some(page));
    ctrl(&mut a, 'u');
    assert_eq!(a.all_rows().iter().position(|&i| i == a.all_selected), Some(page - page / 2));
}

#[test]
fn the_mouse_wheel_scrolls_and_a_click_selects_a_tab_and_a_row() {
    let mut a = org_app(40);
    crate::tui::view::testing::draw(&a, 120, 40);
    let mouse = |kind, column, row| {
        Event::Term(TermEvent::Mouse(MouseEvent { kind, column, row, modifiers: KeyModifiers::NONE }))
    };
    a.handle(mouse(MouseEventKind::ScrollDown, 10, 10));
    assert_eq!(a.all_rows().iter().position(|&i| i == a.all_selected), Some(3));
    let list_top = a.hits.borrow().list.0;
    a.handle(mouse(MouseEventKind::Down(MouseButton::Left), 5, list_top + 5));
    assert_eq!(a.all_rows().iter().position(|&i| i == a.all_selected), Some(5));
    let (row, tabs) = a.hits.borrow().tabs.clone();
    let (x, _, tab) = tabs[2];
    a.handle(mouse(MouseEventKind::Down(MouseButton::Left), x + 1, row));
    assert_eq!(a.tab, tab);
}

#[test]
fn search_in_the_recommendation_scrolls_to_the_match_and_n_finds_the_next() {
    let mut a = app();
    open(&mut a, 3);
    press(&mut a, KeyCode::Char('2'));
    crate::tui::view::testing::draw(&a, 80, 24);
    press(&mut a, KeyCode::Char('/'));
    typed(&mut a, "alarms");
    press(&mut a, KeyCode::Enter);
    let first = prod(&a).scroll;
    assert!(first > 0, "scrolled to the Alarms heading");
    let screen = crate::tui::view::testing::draw(&a, 80, 24).to_string();
    assert!(screen.contains("Alarms"), "{screen}");
    press(&mut a, KeyCode::Char('n'));
    assert!(prod(&a).scroll >= first);
}

#[test]
fn export_asks_the_loop_to_write_markdown() {
    let mut a = app();
    open(&mut a, 3);
    match press(&mut a, KeyCode::Char('e')) {
        Some(Effect::Export { stem, markdown }) => {
            assert_eq!(stem, "capplan-prod-2026-11-23");
            assert!(markdown.starts_with("# capplan report: prod"));
        }
        other => panic!("{other:?}"),
    }
    a.handle(Event::Source(SourceEvent::Exported(Ok("capplan-prod-2026-11-23.md".into()))));
    assert!(a.message.as_ref().unwrap().text.contains("capplan-prod-2026-11-23.md"));
    // a what-if export says so under its title
    press(&mut a, KeyCode::Char('d'));
    assert!(press(&mut a, KeyCode::Char('e')).is_none(), "not while recomputing");
    settle(&mut a);
    match press(&mut a, KeyCode::Char('e')) {
        Some(Effect::Export { markdown, .. }) => {
            let second = markdown.lines().nth(2).unwrap_or("");
            assert!(second.starts_with("> **What-if**: data +10%"), "{second}");
        }
        other => panic!("{other:?}"),
    }
    // so does the all-environments export that includes it
    press(&mut a, KeyCode::Tab);
    match press(&mut a, KeyCode::Char('e')) {
        Some(Effect::ExportAll { stem, jobs }) => {
            assert_eq!(stem, "capplan-all-2026-11-23");
            let markdown = export_all_markdown(&jobs);
            assert!(markdown.contains("> **What-if**: data +10%"), "{markdown}");
            assert_eq!(markdown.matches("**What-if**").count(), 1, "only prod is changed");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_what_if_keeps_the_same_option_selected_as_the_options_re_sort() {
    let mut a = app();
    open(&mut a, 3);
    press(&mut a, KeyCode::Char('/'));
    typed(&mut a, "serverless/valkey");
    press(&mut a, KeyCode::Enter);
    let id = a.selected_option().unwrap().id.clone();
    assert_eq!(id, "serverless/valkey");
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.selected_option().unwrap().id, id, "clearing the filter keeps the selection");
    for _ in 0..5 {
        press(&mut a, KeyCode::Char('t'));
    }
    settle(&mut a);
    assert_eq!(a.selected_option().unwrap().id, id);
}

#[test]
fn movement_keys_under_the_help_overlay_change_nothing_beneath() {
    let mut a = app();
    open(&mut a, 3);
    let selected = a.option_position(&a.option_rows());
    press(&mut a, KeyCode::Char('?'));
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::End);
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.option_position(&a.option_rows()), selected);
}

#[test]
fn the_recommendation_scrolls_to_its_last_wrapped_line_on_a_narrow_screen() {
    let mut a = app();
    open(&mut a, 3);
    press(&mut a, KeyCode::Char('2'));
    crate::tui::view::testing::draw(&a, 80, 24);
    press(&mut a, KeyCode::End);
    let screen = crate::tui::view::testing::draw(&a, 80, 24).to_string();
    let plain = crate::tui::view::recommendation_text(prod(&a).report().unwrap());
    let last = plain.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
    let tail: String = last.split_whitespace().last().unwrap().chars().take(12).collect();
    assert!(screen.contains(&tail), "the last line's end ('{tail}') is on screen after End:\n{screen}");
}

#[test]
fn scrolling_stops_at_the_ends_and_home_goes_back_to_the_top() {
    let draw = |a: &App| crate::tui::view::testing::draw(a, 80, 24);
    let mut a = app();
    open(&mut a, 3);
    press(&mut a, KeyCode::Char('2'));
    draw(&a);
    press(&mut a, KeyCode::End);
    let bottom = prod(&a).scroll;
    assert!(bottom > 10, "there is something to scroll: {bottom}");
    press(&mut a, KeyCode::PageDown);
    assert_eq!(prod(&a).scroll, bottom, "no scrolling past the end");
    press(&mut a, KeyCode::Home);
    assert_eq!(prod(&a).scroll, 0);
    press(&mut a, KeyCode::Char('3'));
    draw(&a);
    press(&mut a, KeyCode::Down);
    assert_eq!(prod(&a).chart_row, 1, "the charts page by rows");
    press(&mut a, KeyCode::Char('1'));
    let selected = a.option_position(&a.option_rows());
    press(&mut a, KeyCode::Enter);
    draw(&a);
    press(&mut a, KeyCode::Down);
    assert_eq!(a.option_position(&a.option_rows()), selected);
    assert_eq!(a.detail_scroll, 1);
}

#[test]
fn a_failed_metrics_load_is_a_message_not_a_crash() {
    let mut a = app();
    a.handle(Event::Source(SourceEvent::MetricsLoaded {
        env: "prod".into(),
        fetch: Fetch::CachedFirst,
        result: Err("cannot read".into()),
    }));
    assert!(matches!(prod(&a).metrics, Loading::Failed(_)));
    assert!(a.message.as_ref().unwrap().error);
    for _ in 0..20 {
        a.handle(Event::Tick);
    }
    assert!(a.message.is_none(), "messages expire");
}

/// The rows made of the active environment now, without the app's kept copy.
fn rows_made_now(a: &App) -> OptionRows {
    let env = a.env().unwrap();
    option_rows(env.report().unwrap(), &env.view, a.option_sort.0, a.option_sort.1)
}

#[test]
fn the_option_rows_kept_between_frames_are_always_those_of_the_report_view_and_sort_shown() {
    let mut a = app();
    open(&mut a, 3);
    let first = a.option_rows();
    assert!(Arc::ptr_eq(&first, &a.option_rows()), "a second frame takes the rows kept");
    // every change the rows depend on: filters, expansion, sort, a new report (what-if, then back
    // to the same figures: a report equal in value but another one), another tab and back
    let steps: [fn(&mut App); 10] = [
        |a| drop(press(a, KeyCode::Char('o'))),
        |a| drop(press(a, KeyCode::Char('f'))),
        |a| drop(press(a, KeyCode::Char('x'))),
        |a| drop(press(a, KeyCode::Char('s'))),
        |a| drop(press(a, KeyCode::Char('S'))),
        |a| {
            press(a, KeyCode::Char('d'));
            settle(a);
        },
        |a| {
            press(a, KeyCode::Char('D'));
            settle(a);
        },
        |a| {
            typed(a, "/m7g");
            press(a, KeyCode::Enter);
        },
        |a| open(a, 2),
        |a| open(a, 3),
    ];
    for (n, step) in steps.iter().enumerate() {
        step(&mut a);
        let made = rows_made_now(&a);
        assert_eq!(*a.option_rows(), made, "after step {n}");
    }
    assert!(a.env().unwrap().view.filter == "m7g" && !a.option_rows().rows.is_empty());
}

#[test]
fn chart_points_are_made_once_per_metrics_window_and_size_and_never_from_other_metrics() {
    use crate::model::observed::{Chart, downsample};
    let a = app();
    let metrics = Arc::new(example_metrics());
    let series = metrics.data.chart(Chart::Requests).unwrap();
    let (from, to) = (series[0].0, series[series.len() - 1].0);
    let points = a.chart_points(&metrics, Chart::Requests, from, to, 8);
    assert_eq!(&*points, downsample(series, from, to, 8).as_slice());
    assert!(Arc::ptr_eq(&points, &a.chart_points(&metrics, Chart::Requests, from, to, 8)), "kept");
    // another width, window or chart is made anew
    assert_eq!(&*a.chart_points(&metrics, Chart::Requests, from, to, 3), downsample(series, from, to, 3).as_slice());
    let half = from + (to - from) / 2;
    assert_eq!(&*a.chart_points(&metrics, Chart::Requests, half, to, 8), downsample(series, half, to, 8).as_slice());
    // other metrics with the same charts and window: their own points, even where the first
    // metrics were dropped and the new ones might take their place in memory
    drop(points);
    drop(metrics);
    let mut other = example_metrics();
    for (_, points) in &mut other.data.charts {
        for p in points.iter_mut() {
            p.1 *= 2.0;
        }
    }
    let other = Arc::new(other);
    let doubled = other.data.chart(Chart::Requests).unwrap();
    assert_eq!(&*a.chart_points(&other, Chart::Requests, from, to, 8), downsample(doubled, from, to, 8).as_slice());
}
