//! The app's state and how events change it. `handle` is pure: it never awaits or spawns; it
//! returns an [`Effect`] for the loop to carry out.

use chrono::NaiveDate;
use crossterm::event::Event as TermEvent;
use rust_decimal::Decimal;
use std::cell::Cell;
use std::sync::Arc;

use super::action::Action;
use super::event::{Event, SourceEvent};
use super::keymap::{self, Mode};
use super::theme::Theme;
use crate::model::catalog::Engine;
use crate::model::observed::{MetricsData, Observed};
use crate::model::price::PriceBook;
use crate::model::units::{decimal_from_f64, format_usd};
use crate::model::workload::EnvInputs;
use crate::report::{self, AllReport, EnvReport, OptionReport, Report};
use crate::source::MetricsLocation;
use crate::source::plan::Plan;

/// Rows a page moves.
pub const PAGE: usize = 10;
/// Ticks a message stays on screen.
const MESSAGE_TICKS: u32 = 12;
/// What-if steps.
const STEP_PCT: i32 = 10;

/// The screens of an environment tab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// The option table.
    Options,
    /// The recommendation and its settings.
    Recommendation,
    /// Metric charts.
    Metrics,
}

/// How much of the metrics window the charts show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zoom {
    /// The last day.
    Day,
    /// The last seven days.
    Week,
    /// Everything.
    All,
}

impl Zoom {
    /// Seconds shown, `None` for all.
    pub fn span_secs(self) -> Option<i64> {
        match self {
            Zoom::Day => Some(86_400),
            Zoom::Week => Some(7 * 86_400),
            Zoom::All => None,
        }
    }

    /// `1 day`…
    pub fn label(self) -> &'static str {
        match self {
            Zoom::Day => "1 day",
            Zoom::Week => "7 days",
            Zoom::All => "whole window",
        }
    }

    fn next(self) -> Zoom {
        match self {
            Zoom::Day => Zoom::Week,
            Zoom::Week => Zoom::All,
            Zoom::All => Zoom::Day,
        }
    }
}

/// Something open over the screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    /// The key list.
    Help,
    /// Line items of the selected option.
    Lines,
}

/// A source's state, drawn in its pane's title.
#[derive(Clone, Debug, PartialEq)]
pub enum Loading<T> {
    /// Not configured.
    Absent,
    /// Being fetched.
    Loading,
    /// Here.
    Loaded(T),
    /// Failed, with why.
    Failed(String),
}

impl<T> Loading<T> {
    /// The value, once loaded.
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Loading::Loaded(v) => Some(v),
            _ => None,
        }
    }
}

/// The farthest each scrolling view can scroll, recorded by the views as they draw (they alone
/// know the wrapped text and the room it has); until a first draw nothing scrolls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScrollLimits {
    /// The line-items overlay's notes.
    pub detail: u16,
    /// The Recommendation screen.
    pub recommendation: u16,
    /// The first chart row of the Metrics screen.
    pub chart_row: usize,
}

/// What the loop should do.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Leave.
    Quit,
    /// Read an environment's metrics in the background.
    LoadMetrics {
        /// Environment.
        env: String,
        /// Where from.
        location: MetricsLocation,
    },
    /// Write a report to a new file (never overwriting).
    Export {
        /// File name without extension.
        stem: String,
        /// Markdown.
        markdown: String,
    },
}

/// Changes to the plan's workload the user is trying out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WhatIf {
    /// Data, percent change.
    pub data_pct: i32,
    /// Requests, percent change.
    pub requests_pct: i32,
    /// Growth, percentage points a month added.
    pub growth_pts: i32,
    /// The engine the app speaks, when changed.
    pub engine: Option<Engine>,
    /// HA, when changed.
    pub ha: Option<bool>,
    /// The measured workload instead of the plan's.
    pub measured: bool,
}

impl WhatIf {
    /// Whether anything differs from the plan.
    pub fn is_active(&self) -> bool {
        *self != WhatIf::default()
    }

    /// `data +20% · requests -10% · Redis OSS`…
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.measured {
            parts.push("measured workload".to_string());
        }
        if self.data_pct != 0 {
            parts.push(format!("data {:+}%", self.data_pct));
        }
        if self.requests_pct != 0 {
            parts.push(format!("requests {:+}%", self.requests_pct));
        }
        if self.growth_pts != 0 {
            parts.push(format!("growth {:+}%/mo", self.growth_pts));
        }
        if let Some(e) = self.engine {
            parts.push(format!("app speaks {}", e.label()));
        }
        if let Some(h) = self.ha {
            parts.push(if h { "HA on".into() } else { "HA off".into() });
        }
        parts.join(" · ")
    }

    /// The plan's inputs with these changes.
    pub fn apply(&self, base: &EnvInputs, observed: Option<&Observed>) -> EnvInputs {
        let mut env = base.clone();
        let w = &mut env.workload;
        if self.measured
            && let Some(o) = observed
        {
            let d = |v: f64| decimal_from_f64((v * 1000.0).round() / 1000.0).unwrap_or_default();
            if let Some(m) = o.data_gib {
                w.data_gb = d(m.avg);
                w.peak_data_gb = d(m.peak.max(m.avg));
            }
            if let Some(m) = o.requests_per_sec {
                w.requests_per_sec = d(m.avg);
                w.peak_requests_per_sec = d(m.peak.max(m.avg));
            }
            if let Some(m) = o.connections {
                w.connections = m.peak.round().clamp(0.0, f64::from(u32::MAX)) as u32;
            }
        }
        let scale = |pct: i32| Decimal::ONE + Decimal::new(i64::from(pct), 2);
        w.data_gb *= scale(self.data_pct);
        w.peak_data_gb *= scale(self.data_pct);
        w.requests_per_sec *= scale(self.requests_pct);
        w.peak_requests_per_sec *= scale(self.requests_pct);
        w.growth_pct_per_month = (w.growth_pct_per_month + Decimal::from(self.growth_pts)).max(Decimal::ZERO);
        if let Some(e) = self.engine {
            env.app_engine = e;
        }
        if let Some(h) = self.ha {
            env.ha = h;
        }
        env
    }
}

/// One environment tab's state.
#[derive(Clone, Debug)]
pub struct EnvView {
    /// The plan's inputs.
    pub base: EnvInputs,
    /// What-if changes.
    pub whatif: WhatIf,
    /// The evaluation with the what-if applied, as one report structure.
    pub report: Result<EnvReport, String>,
    /// The recommended monthly cost at the plan's figures (for the what-if delta).
    pub plan_monthly: Option<Decimal>,
    /// Selected option row.
    pub selected: usize,
    /// Recommendation scroll.
    pub scroll: u16,
    /// First chart row shown on the Metrics screen.
    pub chart_row: usize,
    /// The metrics.
    pub metrics: Loading<MetricsData>,
}

/// A status-line message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Text.
    pub text: String,
    /// An error.
    pub error: bool,
    ticks: u32,
}

/// The app.
#[derive(Clone, Debug)]
pub struct App {
    /// Plan name, as shown.
    pub plan_name: String,
    /// Prices.
    pub book: Arc<PriceBook>,
    /// Evaluation date.
    pub as_of: NaiveDate,
    /// Environment tabs (tab 0 is the overview).
    pub envs: Vec<EnvView>,
    /// Active tab: 0 = all environments, 1.. = `envs[tab - 1]`.
    pub tab: usize,
    /// Active screen of an environment tab.
    pub screen: Screen,
    /// Open overlay.
    pub overlay: Option<Overlay>,
    /// Chart zoom.
    pub zoom: Zoom,
    /// Status message.
    pub message: Option<Message>,
    /// Ticks seen (spinners).
    pub ticks: u64,
    /// Styles.
    pub theme: Theme,
    /// The option table shows only the options that fit.
    pub feasible_only: bool,
    /// Scroll of the line-items overlay.
    pub detail_scroll: u16,
    /// How far the scrolling views can scroll, as last drawn.
    pub scroll_limits: Cell<ScrollLimits>,
}

/// The report of `inputs` with `metrics`, an error as text for the screen.
fn evaluate_env(
    inputs: &EnvInputs,
    metrics: &Loading<MetricsData>,
    book: &PriceBook,
    as_of: NaiveDate,
    plan: &str,
) -> Result<EnvReport, String> {
    report::evaluate_env(inputs, metrics.loaded(), book, plan, as_of).map_err(|e| e.to_string())
}

impl EnvView {
    /// The rows of the option table: `(rank in the full list, option)`.
    pub fn visible(&self, feasible_only: bool) -> Vec<(usize, &OptionReport)> {
        self.report
            .as_ref()
            .map(|r| r.options.iter().enumerate().filter(|(_, o)| o.feasible || !feasible_only).collect())
            .unwrap_or_default()
    }

    /// The selected option.
    pub fn selected_option(&self, feasible_only: bool) -> Option<&OptionReport> {
        self.visible(feasible_only).get(self.selected).map(|(_, o)| *o)
    }

    /// Select the option `id` where it is visible (the options re-sort as costs change), else
    /// the row `fallback`.
    fn reselect(&mut self, id: Option<&str>, feasible_only: bool, fallback: usize) {
        let rows = self.visible(feasible_only);
        self.selected = id
            .and_then(|id| rows.iter().position(|(_, o)| o.id == id))
            .unwrap_or(fallback)
            .min(rows.len().saturating_sub(1));
    }
}

impl App {
    /// The app for a plan, and the background work to start (metrics files).
    pub fn new(
        plan: &Plan,
        book: Arc<PriceBook>,
        as_of: NaiveDate,
        metrics: &[Option<MetricsLocation>],
        theme: Theme,
    ) -> (App, Vec<Effect>) {
        let mut effects = Vec::new();
        let mut envs = Vec::new();
        for (i, base) in plan.envs.iter().enumerate() {
            let location = metrics.get(i).cloned().flatten();
            let state = if let Some(location) = &location {
                effects.push(Effect::LoadMetrics { env: base.name.clone(), location: location.clone() });
                Loading::Loading
            } else {
                Loading::Absent
            };
            let report = evaluate_env(base, &state, &book, as_of, &plan.origin);
            let plan_monthly = report.as_ref().ok().and_then(|r| r.recommendation.monthly_usd);
            // start on the recommended row
            let selected = report
                .as_ref()
                .ok()
                .and_then(|r| {
                    r.recommendation.option_id.as_ref().and_then(|id| r.options.iter().position(|o| &o.id == id))
                })
                .unwrap_or(0);
            envs.push(EnvView {
                base: base.clone(),
                whatif: WhatIf::default(),
                report,
                plan_monthly,
                selected,
                scroll: 0,
                chart_row: 0,
                metrics: state,
            });
        }
        let tab = usize::from(!envs.is_empty() && envs.len() == 1);
        let app = App {
            plan_name: plan.origin.clone(),
            book,
            as_of,
            envs,
            tab,
            screen: Screen::Options,
            overlay: None,
            zoom: Zoom::Week,
            message: None,
            ticks: 0,
            theme,
            feasible_only: false,
            detail_scroll: 0,
            scroll_limits: Cell::default(),
        };
        (app, effects)
    }

    /// The active environment, unless the overview is shown.
    pub fn env(&self) -> Option<&EnvView> {
        self.tab.checked_sub(1).and_then(|i| self.envs.get(i))
    }

    fn env_mut(&mut self) -> Option<&mut EnvView> {
        self.tab.checked_sub(1).and_then(|i| self.envs.get_mut(i))
    }

    /// Tab titles.
    pub fn tab_titles(&self) -> Vec<String> {
        let mut out = vec!["All".to_string()];
        out.extend(self.envs.iter().map(|e| {
            let mark = if e.whatif.is_active() { "*" } else { "" };
            format!("{}{mark}", e.base.name)
        }));
        out
    }

    fn mode(&self) -> Mode {
        if self.overlay.is_some() { Mode::Overlay } else { Mode::Normal }
    }

    fn say(&mut self, text: impl Into<String>, error: bool) {
        self.message = Some(Message { text: text.into(), error, ticks: MESSAGE_TICKS });
    }

    /// Recompute an environment after a what-if change or its metrics arriving; the report
    /// says which what-if it was computed under, and the selection stays on the same option.
    fn recompute(&mut self, index: usize) {
        let feasible_only = self.feasible_only;
        let Some(env) = self.envs.get_mut(index) else { return };
        let selected = env.selected_option(feasible_only).map(|o| o.id.clone());
        let inputs = env.whatif.apply(&env.base, env.metrics.loaded().map(|m| &m.observed));
        env.report = evaluate_env(&inputs, &env.metrics, &self.book, self.as_of, &self.plan_name);
        if env.whatif.is_active()
            && let Ok(r) = &mut env.report
        {
            r.what_if = Some(format!(
                "{} (not the plan's figures; at the plan's figures the recommendation costs {}/month)",
                env.whatif.describe(),
                env.plan_monthly.map_or_else(|| "—".to_string(), format_usd)
            ));
        }
        env.reselect(selected.as_deref(), feasible_only, env.selected);
    }

    /// Whether the next tick changes the screen (a message to expire, a spinner to turn).
    pub fn animating(&self) -> bool {
        self.message.is_some() || self.envs.iter().any(|e| matches!(e.metrics, Loading::Loading))
    }

    /// Handle one event; returns what the loop must do.
    pub fn handle(&mut self, event: Event) -> Option<Effect> {
        match event {
            Event::Tick => {
                self.ticks += 1;
                if let Some(m) = &mut self.message {
                    m.ticks = m.ticks.saturating_sub(1);
                    if m.ticks == 0 {
                        self.message = None;
                    }
                }
                None
            }
            Event::Term(TermEvent::Key(key)) => keymap::action(self.mode(), key).and_then(|a| self.apply(a)),
            Event::Term(_) => None,
            Event::Source(SourceEvent::MetricsLoaded { env, result }) => {
                let index = self.envs.iter().position(|e| e.base.name == env)?;
                match result {
                    Ok(data) => {
                        let e = &mut self.envs[index];
                        e.metrics = Loading::Loaded(*data);
                        if e.whatif.is_active() {
                            // the plan's figures with the measured quiet hour, for the what-if delta
                            let at_plan = evaluate_env(&e.base, &e.metrics, &self.book, self.as_of, &self.plan_name);
                            e.plan_monthly = at_plan.ok().and_then(|r| r.recommendation.monthly_usd);
                        }
                        self.recompute(index);
                        let e = &mut self.envs[index];
                        if !e.whatif.is_active() {
                            e.plan_monthly = e.report.as_ref().ok().and_then(|r| r.recommendation.monthly_usd);
                        }
                    }
                    Err(message) => {
                        self.say(format!("{env}: metrics not loaded: {message}"), true);
                        self.envs[index].metrics = Loading::Failed(message);
                    }
                }
                None
            }
            Event::Source(SourceEvent::Exported(result)) => {
                match result {
                    Ok(path) => self.say(format!("exported to {}", path.display()), false),
                    Err(e) => self.say(format!("export failed: {e}"), true),
                }
                None
            }
        }
    }

    fn rows(&self) -> usize {
        self.env().map_or(0, |e| e.visible(self.feasible_only).len())
    }

    fn move_selection(&mut self, delta: isize) {
        let step = |at: usize, max: usize| at.min(max).saturating_add_signed(delta).min(max);
        let step16 = |at: u16, max: u16| u16::try_from(step(usize::from(at), usize::from(max))).unwrap_or(max);
        let limits = self.scroll_limits.get();
        match self.overlay {
            Some(Overlay::Lines) => {
                self.detail_scroll = step16(self.detail_scroll, limits.detail);
                return;
            }
            // the key list does not scroll; what is under it stays put
            Some(Overlay::Help) => return,
            None => {}
        }
        let rows = self.rows();
        let screen = self.screen;
        let Some(env) = self.env_mut() else { return };
        match screen {
            Screen::Options => env.selected = step(env.selected, rows.saturating_sub(1)),
            Screen::Recommendation => env.scroll = step16(env.scroll, limits.recommendation),
            // one step moves the grid by a row of charts
            Screen::Metrics => {
                env.chart_row =
                    env.chart_row.min(limits.chart_row).saturating_add_signed(delta.signum()).min(limits.chart_row);
            }
        }
    }

    fn what_if(&mut self, change: impl FnOnce(&mut WhatIf, &EnvInputs)) {
        let Some(index) = self.tab.checked_sub(1) else {
            self.say("what-if works on one environment: pick its tab first (←/→)", true);
            return;
        };
        let Some(env) = self.envs.get_mut(index) else { return };
        change(&mut env.whatif, &env.base);
        self.recompute(index);
    }

    fn apply(&mut self, action: Action) -> Option<Effect> {
        match action {
            Action::Quit => return Some(Effect::Quit),
            Action::ToggleHelp => {
                self.overlay = if self.overlay == Some(Overlay::Help) { None } else { Some(Overlay::Help) };
            }
            Action::Back => {
                if self.overlay.is_some() {
                    self.overlay = None;
                } else {
                    self.screen = Screen::Options;
                }
            }
            Action::NextTab => self.tab = (self.tab + 1) % (self.envs.len() + 1),
            Action::PrevTab => self.tab = (self.tab + self.envs.len()) % (self.envs.len() + 1),
            Action::ShowOptions => self.screen = Screen::Options,
            Action::ShowRecommendation => self.screen = Screen::Recommendation,
            Action::ShowMetrics => self.screen = Screen::Metrics,
            Action::Down => self.move_selection(1),
            Action::Up => self.move_selection(-1),
            Action::PageDown => self.move_selection(isize::try_from(PAGE).unwrap_or(10)),
            Action::PageUp => self.move_selection(-isize::try_from(PAGE).unwrap_or(10)),
            Action::Top => self.move_selection(isize::MIN / 2),
            Action::Bottom => self.move_selection(isize::MAX / 2),
            Action::OpenLines => {
                if self.screen == Screen::Options && self.rows() > 0 {
                    self.overlay = Some(Overlay::Lines);
                    self.detail_scroll = 0;
                }
            }
            Action::DataUp => self.what_if(|w, _| w.data_pct = (w.data_pct + STEP_PCT).min(1000)),
            Action::DataDown => self.what_if(|w, _| w.data_pct = (w.data_pct - STEP_PCT).max(-90)),
            Action::RequestsUp => self.what_if(|w, _| w.requests_pct = (w.requests_pct + STEP_PCT).min(1000)),
            Action::RequestsDown => self.what_if(|w, _| w.requests_pct = (w.requests_pct - STEP_PCT).max(-90)),
            Action::GrowthUp => self.what_if(|w, _| w.growth_pts = (w.growth_pts + 1).min(50)),
            Action::GrowthDown => self.what_if(|w, base| {
                // no lower than zero growth
                let floor = -(crate::model::units::to_f64(base.workload.growth_pct_per_month).ceil() as i32);
                w.growth_pts = (w.growth_pts - 1).max(floor);
            }),
            Action::CycleEngine => self.what_if(|w, base| {
                let now = w.engine.unwrap_or(base.app_engine);
                let next = match now {
                    Engine::Valkey => Engine::Redis,
                    Engine::Redis => Engine::Memcached,
                    Engine::Memcached => Engine::Valkey,
                };
                w.engine = (next != base.app_engine).then_some(next);
            }),
            Action::ToggleHa => self.what_if(|w, base| {
                let now = w.ha.unwrap_or(base.ha);
                w.ha = (now == base.ha).then_some(!now);
            }),
            Action::ToggleMeasured => {
                let has = self.env().is_some_and(|e| matches!(e.metrics, Loading::Loaded(_)));
                if has {
                    self.what_if(|w, _| w.measured = !w.measured);
                } else {
                    self.say("no metrics loaded for this environment: add [env.NAME.metrics] file = \"…\" to the plan", true);
                }
            }
            Action::ResetWhatIf => self.what_if(|w, _| *w = WhatIf::default()),
            Action::CycleZoom => self.zoom = self.zoom.next(),
            Action::ToggleFeasible => {
                let feasible_only = !self.feasible_only;
                // keep the same option selected where it stays visible
                for env in &mut self.envs {
                    let id = env.selected_option(self.feasible_only).map(|o| o.id.clone());
                    env.reselect(id.as_deref(), feasible_only, 0);
                }
                self.feasible_only = feasible_only;
                self.say(if feasible_only { "showing the options that fit" } else { "showing every option" }, false);
            }
            Action::Export => return self.export(),
            Action::RefreshPricing => self.say(
                format!(
                    "prices: embedded pricing cache as of {}; this version cannot refresh them from the AWS Price List yet",
                    self.book.as_of
                ),
                false,
            ),
        }
        None
    }

    fn export(&mut self) -> Option<Effect> {
        let date = self.as_of.format("%Y-%m-%d");
        // a report computed under a what-if says so (EnvReport::what_if)
        let (report, stem) = match self.env() {
            Some(env) => match &env.report {
                Ok(r) => {
                    let name: String = env
                        .base
                        .name
                        .chars()
                        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
                        .collect();
                    (Report::One(Box::new(r.clone())), format!("capplan-{name}-{date}"))
                }
                Err(e) => {
                    let e = e.clone();
                    self.say(format!("nothing to export: {e}"), true);
                    return None;
                }
            },
            None => {
                let envs: Vec<EnvReport> = self.envs.iter().filter_map(|e| e.report.as_ref().ok().cloned()).collect();
                (Report::All(AllReport::new(envs)), format!("capplan-all-{date}"))
            }
        };
        Some(Effect::Export { stem, markdown: report::markdown::render(&report) })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::observed::derive;
    use crate::source::metrics::{EXAMPLE_METRICS, EXAMPLE_METRICS_NAME, parse};
    use crate::source::offline::embedded;
    use crate::source::plan::{EXAMPLE_PLAN, EXAMPLE_PLAN_NAME, parse_plan};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    /// The bundled plan with its example metrics loaded, on a fixed date.
    pub(crate) fn app() -> App {
        let book = embedded().unwrap();
        let plan = parse_plan(EXAMPLE_PLAN, EXAMPLE_PLAN_NAME, book).unwrap();
        let locations: Vec<Option<MetricsLocation>> =
            plan.envs.iter().map(|e| plan.metrics_of(&e.name).map(|_| MetricsLocation::Example)).collect();
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let (mut app, effects) = App::new(&plan, Arc::new(book.clone()), as_of, &locations, Theme::plain());
        assert_eq!(effects.len(), 1, "prod's metrics load in the background");
        let series = parse(EXAMPLE_METRICS, EXAMPLE_METRICS_NAME).unwrap();
        let data = derive(&series, "capplan-metrics-prod.example.json (bundled example)");
        app.handle(Event::Source(SourceEvent::MetricsLoaded { env: "prod".into(), result: Ok(Box::new(data)) }));
        app
    }

    pub(crate) fn press(app: &mut App, code: KeyCode) -> Option<Effect> {
        app.handle(Event::Term(TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE))))
    }

    fn prod(app: &App) -> &EnvView {
        app.envs.iter().find(|e| e.base.name == "prod").unwrap()
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
        a.tab = 3;
        let before = prod(&a).report.as_ref().unwrap().recommendation.monthly_usd.unwrap();
        for _ in 0..5 {
            press(&mut a, KeyCode::Char('d'));
        }
        let after = prod(&a).report.as_ref().unwrap().recommendation.monthly_usd.unwrap();
        assert!(after > before, "50% more data costs more: {after} vs {before}");
        assert_eq!(prod(&a).whatif.data_pct, 50);
        assert_eq!(prod(&a).plan_monthly, Some(before));
        press(&mut a, KeyCode::Char('0'));
        assert_eq!(prod(&a).report.as_ref().unwrap().recommendation.monthly_usd, Some(before));
        assert!(!prod(&a).whatif.is_active());
    }

    #[test]
    fn toggling_the_engine_and_ha_recomputes() {
        let mut a = app();
        a.tab = 1; // dev: valkey, no HA
        press(&mut a, KeyCode::Char('E'));
        press(&mut a, KeyCode::Char('E'));
        let dev = &a.envs[0];
        assert_eq!(dev.whatif.engine, Some(Engine::Memcached));
        let r = dev.report.as_ref().unwrap();
        let winner = r.recommended().unwrap();
        assert_eq!(winner.engine, Engine::Memcached);
        press(&mut a, KeyCode::Char('H'));
        assert_eq!(a.envs[0].whatif.ha, Some(true));
        press(&mut a, KeyCode::Char('H'));
        assert_eq!(a.envs[0].whatif.ha, None, "back to the plan's setting");
    }

    #[test]
    fn the_measured_workload_needs_metrics() {
        let mut a = app();
        a.tab = 1;
        press(&mut a, KeyCode::Char('M'));
        assert!(a.message.as_ref().unwrap().error);
        a.tab = 3;
        press(&mut a, KeyCode::Char('M'));
        assert!(prod(&a).whatif.measured);
        let w = &prod(&a).report.as_ref().unwrap().workload;
        assert!(w.data_gb < Decimal::from(8) && w.data_gb > Decimal::from(7), "measured ~8 GiB: {}", w.data_gb);
    }

    #[test]
    fn overlays_open_and_close_and_quit_is_an_effect() {
        let mut a = app();
        press(&mut a, KeyCode::Char('?'));
        assert_eq!(a.overlay, Some(Overlay::Help));
        press(&mut a, KeyCode::Esc);
        assert_eq!(a.overlay, None);
        a.tab = 3;
        let start = prod(&a).selected;
        press(&mut a, KeyCode::Down);
        press(&mut a, KeyCode::Enter);
        assert_eq!(a.overlay, Some(Overlay::Lines));
        assert_eq!(prod(&a).selected, start + 1);
        press(&mut a, KeyCode::Esc);
        assert_eq!(press(&mut a, KeyCode::Char('q')), Some(Effect::Quit));
    }

    #[test]
    fn the_fitting_only_filter_keeps_the_selection_on_its_option() {
        let mut a = app();
        a.tab = 3;
        let before = prod(&a).selected_option(false).unwrap().id.clone();
        press(&mut a, KeyCode::Char('f'));
        assert!(a.feasible_only);
        let env = prod(&a);
        assert!(env.visible(true).iter().all(|(_, o)| o.feasible));
        assert!(env.visible(true).len() < env.visible(false).len());
        assert_eq!(env.selected_option(true).unwrap().id, before, "the recommended option fits, so it stays selected");
        press(&mut a, KeyCode::Char('f'));
        assert_eq!(prod(&a).selected_option(false).unwrap().id, before);
    }

    #[test]
    fn selection_stays_in_the_table() {
        let mut a = app();
        a.tab = 3;
        press(&mut a, KeyCode::End);
        let last = prod(&a).report.as_ref().unwrap().options.len() - 1;
        assert_eq!(prod(&a).selected, last);
        press(&mut a, KeyCode::Down);
        assert_eq!(prod(&a).selected, last);
        press(&mut a, KeyCode::Home);
        assert_eq!(prod(&a).selected, 0);
        press(&mut a, KeyCode::Up);
        assert_eq!(prod(&a).selected, 0);
    }

    #[test]
    fn export_asks_the_loop_to_write_markdown() {
        let mut a = app();
        a.tab = 3;
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
            Some(Effect::Export { stem, markdown }) => {
                assert_eq!(stem, "capplan-all-2026-11-23");
                assert!(markdown.contains("> **What-if**: data +10%"), "{markdown}");
                assert_eq!(markdown.matches("**What-if**").count(), 1, "only prod is changed");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_what_if_keeps_the_same_option_selected_as_the_options_re_sort() {
        let mut a = app();
        a.tab = 3;
        // Serverless pays per request: more requests move it down the list
        let row = prod(&a).visible(false).iter().position(|(_, o)| o.id == "serverless/valkey").unwrap();
        press(&mut a, KeyCode::Home);
        for _ in 0..row {
            press(&mut a, KeyCode::Down);
        }
        let id = prod(&a).selected_option(false).unwrap().id.clone();
        assert_eq!(id, "serverless/valkey");
        let row = prod(&a).selected;
        for _ in 0..5 {
            press(&mut a, KeyCode::Char('r'));
        }
        assert_eq!(prod(&a).selected_option(false).unwrap().id, id);
        assert_ne!(prod(&a).selected, row, "the option moved in the sorted list");
    }

    #[test]
    fn movement_keys_under_the_help_overlay_change_nothing() {
        let mut a = app();
        a.tab = 3;
        let selected = prod(&a).selected;
        press(&mut a, KeyCode::Char('?'));
        press(&mut a, KeyCode::Down);
        press(&mut a, KeyCode::End);
        press(&mut a, KeyCode::Esc);
        assert_eq!(prod(&a).selected, selected);
    }

    #[test]
    fn the_recommendation_scrolls_to_its_last_wrapped_line_on_a_narrow_screen() {
        let mut a = app();
        a.tab = 3;
        press(&mut a, KeyCode::Char('2'));
        crate::tui::view::testing::draw(&a, 80, 24);
        press(&mut a, KeyCode::End);
        let screen = crate::tui::view::testing::draw(&a, 80, 24).to_string();
        let plain = crate::tui::view::recommendation_text(prod(&a).report.as_ref().unwrap());
        let last = plain.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
        let tail: String = last.split_whitespace().last().unwrap().chars().take(12).collect();
        assert!(screen.contains(&tail), "the last line's end ('{tail}') is on screen after End:\n{screen}");
    }

    #[test]
    fn scrolling_stops_at_the_ends_and_home_goes_back_to_the_top() {
        // the views record how far they scroll as they draw, as the loop draws before each key
        let draw = |a: &App| crate::tui::view::testing::draw(a, 80, 24);
        let mut a = app();
        a.tab = 3;
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
        // the line-items overlay scrolls itself instead of changing the option
        press(&mut a, KeyCode::Char('1'));
        let selected = prod(&a).selected;
        press(&mut a, KeyCode::Enter);
        draw(&a);
        press(&mut a, KeyCode::Down);
        assert_eq!(prod(&a).selected, selected);
        assert_eq!(a.detail_scroll, 1);
    }

    #[test]
    fn a_failed_metrics_load_is_a_message_not_a_crash() {
        let mut a = app();
        a.handle(Event::Source(SourceEvent::MetricsLoaded { env: "prod".into(), result: Err("cannot read".into()) }));
        assert!(matches!(prod(&a).metrics, Loading::Failed(_)));
        assert!(a.message.as_ref().unwrap().error);
        for _ in 0..20 {
            a.handle(Event::Tick);
        }
        assert!(a.message.is_none(), "messages expire");
    }
}
