//! The app's state and how events change it. `handle` is pure: it never awaits or spawns; it
//! returns an [`Effect`] for the loop to carry out, and [`App::jobs`] hands the loop the
//! evaluations to run in the background — the environment in view first, then the rows the
//! All tab shows, then the rest. Every environment keeps a small [`EnvSummary`]; full reports
//! are kept only for the environments opened last.

use chrono::NaiveDate;
use crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use ratatui::text::Line;
use rust_decimal::Decimal;
use std::cell::{Cell, RefCell};
use std::sync::Arc;

use super::action::Action;
use super::event::{EvalDone, Event, SourceEvent};
use super::keymap::{self, Key, Lookup, Scope};
use super::rows::{AllSort, OptionRows, OptionSort, OptionView, option_rows};
use super::summary::EnvSummary;
use super::theme::Theme;
use crate::model::catalog::Engine;
use crate::model::observed::{MetricsData, Observed};
use crate::model::price::PriceBook;
use crate::model::units::{decimal_from_f64, format_usd};
use crate::model::workload::EnvInputs;
use crate::report::{self, AllReport, EnvReport, OptionReport, Report};
use crate::source::MetricsLocation;
use crate::source::plan::Plan;

/// Ticks a message stays on screen.
const MESSAGE_TICKS: u32 = 16;
/// What-if steps.
const STEP_PCT: i32 = 10;
/// Full reports kept (the environments opened last); the others keep their summary only.
pub const FULL_KEPT: usize = 4;
/// Rows the mouse wheel scrolls.
const WHEEL_ROWS: isize = 3;

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
    /// The selected option in full: why, line items, prices.
    Detail,
}

/// A source's state, drawn in its pane's title.
#[derive(Clone, Debug, PartialEq)]
pub enum Loading<T> {
    /// Not configured.
    Absent,
    /// Configured, read when its environment is opened.
    Idle,
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

/// What the views found as they drew (they alone know the room they had and the wrapped text):
/// how far each view scrolls, how many rows a page is, and which row is at the top. Until a
/// first draw nothing scrolls and a page is one row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ViewInfo {
    /// The option-details overlay: farthest scroll, and its height.
    pub detail: (u16, u16),
    /// The Recommendation screen: farthest scroll, and its height.
    pub recommendation: (u16, u16),
    /// The help overlay: farthest scroll, and its height.
    pub help: (u16, u16),
    /// The last first chart row of the Metrics screen.
    pub chart_row: usize,
    /// The All table: first row shown, rows shown.
    pub all: (usize, usize),
    /// The option table: first row shown, rows shown.
    pub options: (usize, usize),
    /// Width of the scrolling text in view (for search in wrapped text).
    pub text_width: u16,
}

/// Where things are on screen, for the mouse.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hits {
    /// Tab bar row, and each tab's columns `[from, to)` with its tab number.
    pub tabs: (u16, Vec<(u16, u16, usize)>),
    /// Screen bar row, and each screen label's columns.
    pub screens: (u16, Vec<(u16, u16, Screen)>),
    /// The list in view: the row of its first data line, and how many lines.
    pub list: (u16, u16),
}

/// A prompt at the bottom line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    /// What the text is for.
    pub kind: PromptKind,
    /// What was typed.
    pub text: String,
    /// Jump: which of the matches is picked.
    pub pick: usize,
}

/// What a prompt does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptKind {
    /// Filter the list in view as you type.
    Filter,
    /// Search the text in view.
    Search,
    /// Go to an environment by name.
    Jump,
}

/// What the loop should do.
#[derive(Debug)]
pub enum Effect {
    /// Leave.
    Quit,
    /// Leave because of a signal (its number): the terminal is restored all the same.
    Terminated(i32),
    /// Give the terminal back and stop until `fg`.
    Suspend,
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
    /// Evaluate every environment in full and write their report to a new file.
    ExportAll {
        /// File name without extension.
        stem: String,
        /// One evaluation per environment, in plan order.
        jobs: Vec<Job>,
    },
}

/// One evaluation to run in the background: everything it needs, nothing shared but the
/// price book.
#[derive(Clone, Debug)]
pub struct Job {
    /// Environment (index in the plan).
    pub index: usize,
    /// The version of its inputs this is for.
    pub generation: u64,
    /// Inputs with the what-if applied.
    pub inputs: EnvInputs,
    /// Its metrics, when loaded.
    pub metrics: Option<Arc<MetricsData>>,
    /// Read the metrics from here first (an export of environments never opened).
    pub read_metrics: Option<MetricsLocation>,
    /// Send the full report back (the environment is in view), not only the summary.
    pub keep_full: bool,
    /// The what-if this is computed under, as the report says it.
    pub what_if: Option<String>,
    /// Prices.
    pub book: Arc<PriceBook>,
    /// Evaluation date.
    pub as_of: NaiveDate,
    /// Plan name.
    pub plan: String,
}

impl Job {
    /// The full report (pure; runs on a worker thread).
    pub fn report(&self) -> Result<EnvReport, String> {
        let read = match (&self.metrics, &self.read_metrics) {
            (None, Some(at)) => at.load().ok().map(|series| crate::model::observed::derive(&series, &at.name())),
            _ => None,
        };
        let metrics = self.metrics.as_deref().or(read.as_ref());
        let mut r = report::evaluate_env(&self.inputs, metrics, &self.book, &self.plan, self.as_of)
            .map_err(|e| e.to_string())?;
        r.what_if.clone_from(&self.what_if);
        Ok(r)
    }

    /// Evaluate, and keep the full report only when asked.
    pub fn run(self) -> EvalDone {
        let report = self.report();
        let summary = report.as_ref().map(EnvSummary::of).map_err(Clone::clone);
        EvalDone {
            index: self.index,
            generation: self.generation,
            at_plan: self.what_if.is_none(),
            with_metrics: self.metrics.is_some(),
            keep_full: self.keep_full,
            summary,
            full: if self.keep_full { report.ok().map(Box::new) } else { None },
        }
    }
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

/// One environment's state.
#[derive(Clone, Debug)]
pub struct EnvView {
    /// The plan's inputs.
    pub base: EnvInputs,
    /// What-if changes.
    pub whatif: WhatIf,
    /// The version of the inputs (what-if, metrics): results of older versions are dropped.
    pub generation: u64,
    /// The All tab's figures, once evaluated (of `summary_gen`).
    pub summary: Option<Result<EnvSummary, String>>,
    /// The version `summary` is of.
    pub summary_gen: u64,
    /// The full report, while the environment is among the last opened (of `full_gen`).
    pub full: Option<Box<EnvReport>>,
    /// The version `full` is of, and whether its evaluation had the metrics.
    pub full_gen: (u64, bool),
    /// An evaluation in flight: its version, and whether it keeps the full report.
    pub running: Option<(u64, bool)>,
    /// The recommended monthly cost at the plan's figures (for the what-if delta).
    pub plan_monthly: Option<Decimal>,
    /// The option table's choices.
    pub view: OptionView,
    /// The selected option's id.
    pub selected: Option<String>,
    /// Recommendation scroll.
    pub scroll: u16,
    /// First chart row shown on the Metrics screen.
    pub chart_row: usize,
    /// The metrics.
    pub metrics: Loading<Arc<MetricsData>>,
    /// Where the metrics are read from, when the plan names a file.
    pub metrics_at: Option<MetricsLocation>,
    /// The metrics' series were dropped when the environment left the last opened (the derived
    /// workload is kept); opening it again reads them again.
    pub metrics_trimmed: bool,
}

impl EnvView {
    /// The full report to draw: the latest one, even while a newer one is computed.
    pub fn report(&self) -> Option<&EnvReport> {
        self.full.as_deref()
    }

    /// Whether the full report is of the current inputs.
    pub fn fresh(&self) -> bool {
        self.full.is_some() && self.full_gen.0 == self.generation
    }

    /// The evaluation failed.
    pub fn error(&self) -> Option<&str> {
        match &self.summary {
            Some(Err(e)) if self.summary_gen == self.generation => Some(e),
            _ => None,
        }
    }

    /// The summary, if evaluated (possibly of older inputs while recomputing).
    pub fn summary(&self) -> Option<&EnvSummary> {
        self.summary.as_ref().and_then(|s| s.as_ref().ok())
    }

    fn needs_summary(&self) -> bool {
        self.summary_gen != self.generation || self.summary.is_none()
    }

    fn needs_full(&self) -> bool {
        self.full.is_none()
            || self.full_gen.0 != self.generation
            || (matches!(self.metrics, Loading::Loaded(_)) && !self.full_gen.1)
    }
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
    /// Environments, in plan order.
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
    /// The All tab's selected environment.
    pub all_selected: usize,
    /// The All tab's filter.
    pub all_filter: String,
    /// The All tab's sort column and direction (true: descending).
    pub all_sort: (AllSort, bool),
    /// The option table's sort column and direction.
    pub option_sort: (OptionSort, bool),
    /// The prompt being typed, if any.
    pub prompt: Option<Prompt>,
    /// The last text searched (n/N).
    pub search: String,
    /// The first key of a two-key sequence (`g`).
    pub pending: Option<Key>,
    /// Help scroll.
    pub help_scroll: u16,
    /// Scroll of the option-details overlay.
    pub detail_scroll: u16,
    /// Environments opened last, most recent first (their full reports are kept).
    pub recent: Vec<usize>,
    /// What the views found as they drew.
    pub view_info: Cell<ViewInfo>,
    /// Where things are on screen.
    pub hits: RefCell<Hits>,
}

impl App {
    /// The app for a plan, and the background work to start. Nothing is evaluated or read
    /// here: [`App::jobs`] hands out the evaluations, the visible ones first, and an
    /// environment's metrics file is read when it is opened.
    pub fn new(
        plan: &Plan,
        book: Arc<PriceBook>,
        as_of: NaiveDate,
        metrics: &[Option<MetricsLocation>],
        theme: Theme,
    ) -> (App, Vec<Effect>) {
        let mut effects = Vec::new();
        let envs: Vec<EnvView> = plan
            .envs
            .iter()
            .enumerate()
            .map(|(i, base)| {
                let at = metrics.get(i).cloned().flatten();
                let state = if at.is_some() { Loading::Idle } else { Loading::Absent };
                EnvView {
                    base: base.clone(),
                    whatif: WhatIf::default(),
                    generation: 0,
                    summary: None,
                    summary_gen: 0,
                    full: None,
                    full_gen: (0, false),
                    running: None,
                    plan_monthly: None,
                    view: OptionView::default(),
                    selected: None,
                    scroll: 0,
                    chart_row: 0,
                    metrics: state,
                    metrics_at: at,
                    metrics_trimmed: false,
                }
            })
            .collect();
        let tab = usize::from(envs.len() == 1);
        let mut app = App {
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
            all_selected: 0,
            all_filter: String::new(),
            all_sort: (AllSort::Plan, false),
            option_sort: (OptionSort::Monthly, false),
            prompt: None,
            search: String::new(),
            pending: None,
            help_scroll: 0,
            detail_scroll: 0,
            recent: Vec::new(),
            view_info: Cell::default(),
            hits: RefCell::default(),
        };
        if tab == 1 {
            effects.extend(app.go_to_tab(1));
        }
        (app, effects)
    }

    /// The active environment, unless the All tab is shown.
    pub fn env(&self) -> Option<&EnvView> {
        self.tab.checked_sub(1).and_then(|i| self.envs.get(i))
    }

    fn env_mut(&mut self) -> Option<&mut EnvView> {
        self.tab.checked_sub(1).and_then(|i| self.envs.get_mut(i))
    }

    /// Where the keys are looked up.
    pub fn scope(&self) -> Scope {
        match (self.overlay, self.env()) {
            (Some(Overlay::Help), _) => Scope::HELP,
            (Some(Overlay::Detail), _) => Scope::DETAIL,
            (None, None) => Scope::ALL,
            (None, Some(_)) => match self.screen {
                Screen::Options => Scope::OPTIONS,
                Screen::Recommendation => Scope::REC,
                Screen::Metrics => Scope::METRICS,
            },
        }
    }

    fn say(&mut self, text: impl Into<String>, error: bool) {
        self.message = Some(Message { text: text.into(), error, ticks: MESSAGE_TICKS });
    }

    /// Whether the next tick changes the screen (a message to expire, a spinner to turn).
    pub fn animating(&self) -> bool {
        self.message.is_some() || self.envs.iter().any(|e| matches!(e.metrics, Loading::Loading) || e.running.is_some())
    }

    /// Environments evaluated (their summary is of their current inputs).
    pub fn evaluated(&self) -> usize {
        self.envs.iter().filter(|e| !e.needs_summary()).count()
    }

    // ---- the All table ----

    /// The All table's rows: environment indices, filtered and sorted.
    pub fn all_rows(&self) -> Vec<usize> {
        let needle = self.all_filter.to_lowercase();
        let mut rows: Vec<usize> = (0..self.envs.len())
            .filter(|&i| {
                if needle.is_empty() {
                    return true;
                }
                let e = &self.envs[i];
                e.base.name.to_lowercase().contains(&needle)
                    || e.base.region.contains(&needle)
                    || e.summary().and_then(|s| s.recommended.as_ref()).is_some_and(|r| r.label.contains(&needle))
            })
            .collect();
        let (sort, desc) = self.all_sort;
        if sort != AllSort::Plan || desc {
            let key = |i: usize| -> (u8, Decimal, String) {
                let e = &self.envs[i];
                let s = e.summary();
                let money = |v: Option<Decimal>| v.map_or((1, Decimal::ZERO), |v| (0, v));
                match sort {
                    AllSort::Plan => (0, Decimal::from(i), String::new()),
                    AllSort::Env => (0, Decimal::ZERO, e.base.name.clone()),
                    AllSort::Region => (0, Decimal::ZERO, e.base.region.clone()),
                    AllSort::Recommended => (
                        u8::from(s.and_then(|s| s.recommended.as_ref()).is_none()),
                        Decimal::ZERO,
                        s.and_then(|s| s.recommended.as_ref()).map_or_else(String::new, |r| r.label.clone()),
                    ),
                    AllSort::Current => {
                        let (a, b) = money(s.and_then(|s| s.current.as_ref()).map(|c| c.monthly));
                        (a, b, String::new())
                    }
                    AllSort::Monthly => {
                        let (a, b) = money(s.and_then(|s| s.recommended.as_ref()).map(|c| c.monthly));
                        (a, b, String::new())
                    }
                    AllSort::Delta => {
                        let (a, b) = money(s.and_then(EnvSummary::delta));
                        (a, b, String::new())
                    }
                    AllSort::Warnings => {
                        (u8::from(s.is_none()), -Decimal::from(s.map_or(0, |s| s.warnings().len())), String::new())
                    }
                }
            };
            let mut keyed: Vec<((u8, Decimal, String), usize)> = rows.iter().map(|&i| (key(i), i)).collect();
            keyed.sort_by(|a, b| {
                // what has no value stays last in either direction
                let o = a.0.1.cmp(&b.0.1).then_with(|| a.0.2.cmp(&b.0.2));
                a.0.0.cmp(&b.0.0).then(if desc { o.reverse() } else { o }).then(a.1.cmp(&b.1))
            });
            rows = keyed.into_iter().map(|(_, i)| i).collect();
        }
        rows
    }

    // ---- the option table ----

    /// The option table's rows of the active environment.
    pub fn option_rows(&self) -> OptionRows {
        match self.env() {
            Some(env) => match env.report() {
                Some(r) => option_rows(r, &env.view, self.option_sort.0, self.option_sort.1),
                None => OptionRows::default(),
            },
            None => OptionRows::default(),
        }
    }

    /// The selected option row's position among `rows`.
    pub fn option_position(&self, rows: &OptionRows) -> usize {
        let Some(env) = self.env() else { return 0 };
        let Some(report) = env.report() else { return 0 };
        let wanted = env.selected.as_deref().or(report.recommendation.option_id.as_deref());
        wanted.and_then(|id| rows.rows.iter().position(|r| report.options[r.index].id == id)).unwrap_or(0)
    }

    /// The selected option.
    pub fn selected_option(&self) -> Option<&OptionReport> {
        let rows = self.option_rows();
        let row = rows.rows.get(self.option_position(&rows))?;
        self.env()?.report()?.options.get(row.index)
    }

    // ---- evaluation ----

    fn job(&self, index: usize, keep_full: bool) -> Job {
        let env = &self.envs[index];
        let observed = env.metrics.loaded().map(|m| &m.observed);
        let what_if = env.whatif.is_active().then(|| {
            format!(
                "{} (not the plan's figures; at the plan's figures the recommendation is {}/month)",
                env.whatif.describe(),
                env.plan_monthly.map_or_else(|| "not known yet".to_string(), format_usd)
            )
        });
        Job {
            index,
            generation: env.generation,
            inputs: env.whatif.apply(&env.base, observed),
            metrics: env.metrics.loaded().cloned(),
            read_metrics: None,
            keep_full,
            what_if,
            book: Arc::clone(&self.book),
            as_of: self.as_of,
            plan: self.plan_name.clone(),
        }
    }

    /// Up to `slots` evaluations to start now, most wanted first: the environment in view (in
    /// full), the All tab's visible rows, then the others in the All tab's order.
    pub fn jobs(&mut self, slots: usize) -> Vec<Job> {
        let mut out = Vec::new();
        if slots == 0 {
            return out;
        }
        let mut want: Vec<(usize, bool)> = Vec::new();
        if let Some(i) = self.tab.checked_sub(1)
            && let Some(env) = self.envs.get(i)
            && env.needs_full()
            && env.running != Some((env.generation, true))
        {
            want.push((i, true));
        }
        let needs = |e: &EnvView| e.needs_summary() && e.running.is_none_or(|(g, _)| g != e.generation);
        if want.len() < slots {
            let rows = self.all_rows();
            let (first, height) = self.view_info.get().all;
            let visible = rows.iter().skip(first).take(height.max(1));
            for &i in visible.chain(rows.iter()) {
                if want.len() >= slots {
                    break;
                }
                if needs(&self.envs[i]) && !want.iter().any(|w| w.0 == i) {
                    want.push((i, false));
                }
            }
            // filtered out of the table: evaluated last, for the totals
            for i in 0..self.envs.len() {
                if want.len() >= slots {
                    break;
                }
                if needs(&self.envs[i]) && !want.iter().any(|w| w.0 == i) {
                    want.push((i, false));
                }
            }
        }
        for (i, keep_full) in want.into_iter().take(slots) {
            out.push(self.job(i, keep_full));
            let env = &mut self.envs[i];
            env.running = Some((env.generation, keep_full));
        }
        out
    }

    fn evaluated_event(&mut self, done: EvalDone) {
        let Some(env) = self.envs.get_mut(done.index) else { return };
        // the job in flight is done (a summary job finishing leaves a full one running)
        if env.running == Some((done.generation, done.keep_full)) {
            env.running = None;
        }
        if done.generation != env.generation {
            return;
        }
        if done.at_plan {
            env.plan_monthly = done.summary.as_ref().ok().and_then(|s| s.recommended.as_ref()).map(|r| r.monthly);
        }
        env.summary = Some(done.summary);
        env.summary_gen = done.generation;
        if let Some(full) = done.full {
            let kept = self.tab == done.index + 1 || self.recent.contains(&done.index);
            if kept {
                env.full = Some(full);
                env.full_gen = (done.generation, done.with_metrics);
            }
        }
    }

    /// Keep environment `index` among the last opened; the ones that drop out keep their
    /// summary and derived workload but not their full report or metric series.
    fn opened(&mut self, index: usize) {
        self.recent.retain(|&i| i != index);
        self.recent.insert(0, index);
        if self.recent.len() > FULL_KEPT {
            for i in self.recent.split_off(FULL_KEPT) {
                if let Some(e) = self.envs.get_mut(i) {
                    e.full = None;
                    if let Loading::Loaded(m) = &e.metrics {
                        let trimmed =
                            MetricsData { origin: m.origin.clone(), charts: Vec::new(), observed: m.observed.clone() };
                        e.metrics = Loading::Loaded(Arc::new(trimmed));
                        e.metrics_trimmed = true;
                    }
                }
            }
        }
    }

    /// Show tab `tab`; opening an environment reads its metrics file if it is not in memory.
    fn go_to_tab(&mut self, tab: usize) -> Option<Effect> {
        self.tab = tab.min(self.envs.len());
        self.overlay = None;
        let i = self.tab.checked_sub(1)?;
        self.opened(i);
        self.all_selected = i;
        let env = &mut self.envs[i];
        let location = env.metrics_at.clone()?;
        match env.metrics {
            Loading::Idle => env.metrics = Loading::Loading,
            Loading::Loaded(_) if env.metrics_trimmed => {}
            _ => return None,
        }
        Some(Effect::LoadMetrics { env: env.base.name.clone(), location })
    }

    // ---- events ----

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
            Event::Signal(sig) => Some(Effect::Terminated(sig)),
            Event::Term(TermEvent::Key(key)) => self.key(key),
            Event::Term(TermEvent::Mouse(m)) => self.mouse(m.kind, m.column, m.row),
            Event::Term(_) => None,
            Event::Source(SourceEvent::Evaluated(done)) => {
                self.evaluated_event(*done);
                None
            }
            Event::Source(SourceEvent::MetricsLoaded { env, result }) => {
                let index = self.envs.iter().position(|e| e.base.name == env)?;
                match result {
                    Ok(data) => {
                        let e = &mut self.envs[index];
                        e.metrics = Loading::Loaded(Arc::new(*data));
                        e.metrics_trimmed = false;
                        // the measured workload changes the figures; otherwise only the full
                        // report (windows from the quiet hour, what was measured) is redone
                        if e.whatif.measured {
                            e.generation += 1;
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

    fn key(&mut self, key: KeyEvent) -> Option<Effect> {
        if key.kind != KeyEventKind::Press {
            return None;
        }
        if self.prompt.is_some() {
            return self.prompt_key(key);
        }
        let pending = self.pending.take();
        match keymap::lookup(self.scope(), pending, key) {
            Lookup::Action(a) => self.apply(a),
            Lookup::Pending(k) => {
                self.pending = Some(k);
                None
            }
            Lookup::Elsewhere(what) => {
                let k = Key::of(key).label();
                let here = if self.tab == 0 { "an environment's screens" } else { "another screen" };
                self.say(format!("{k} ({what}) works on {here}; ? lists the keys of each"), false);
                None
            }
            Lookup::None => None,
        }
    }

    fn mouse(&mut self, kind: MouseEventKind, column: u16, row: u16) -> Option<Effect> {
        match kind {
            MouseEventKind::ScrollDown => self.move_by(WHEEL_ROWS),
            MouseEventKind::ScrollUp => self.move_by(-WHEEL_ROWS),
            MouseEventKind::Down(MouseButton::Left) => {
                let hits = self.hits.borrow().clone();
                if self.overlay.is_some() {
                    return None;
                }
                if row == hits.tabs.0 {
                    if let Some(&(_, _, tab)) = hits.tabs.1.iter().find(|(a, b, _)| (*a..*b).contains(&column)) {
                        return self.go_to_tab(tab);
                    }
                } else if row == hits.screens.0 && self.tab > 0 {
                    if let Some(&(_, _, s)) = hits.screens.1.iter().find(|(a, b, _)| (*a..*b).contains(&column)) {
                        self.screen = s;
                    }
                } else if row >= hits.list.0 && row < hits.list.0 + hits.list.1 {
                    let offset = usize::from(row - hits.list.0);
                    let scope = self.scope();
                    if scope == Scope::ALL {
                        let first = self.view_info.get().all.0;
                        if let Some(&i) = self.all_rows().get(first + offset) {
                            self.all_selected = i;
                        }
                    } else if scope == Scope::OPTIONS {
                        let first = self.view_info.get().options.0;
                        self.select_option_row(first + offset);
                    }
                }
            }
            _ => {}
        }
        None
    }

    fn select_option_row(&mut self, position: usize) {
        let rows = self.option_rows();
        let Some(row) = rows.rows.get(position.min(rows.rows.len().saturating_sub(1))) else { return };
        let id = self.env().and_then(|e| e.report()).map(|r| r.options[row.index].id.clone());
        if let Some(env) = self.env_mut() {
            env.selected = id;
        }
    }

    fn page(&self) -> isize {
        let v = self.view_info.get();
        let rows = match self.scope() {
            Scope::ALL => v.all.1,
            Scope::OPTIONS => v.options.1,
            Scope::REC => usize::from(v.recommendation.1),
            Scope::HELP => usize::from(v.help.1),
            Scope::DETAIL => usize::from(v.detail.1),
            _ => 1,
        };
        isize::try_from(rows.max(1)).unwrap_or(1)
    }

    fn move_by(&mut self, delta: isize) {
        let step = |at: usize, max: usize| at.min(max).saturating_add_signed(delta).min(max);
        let step16 = |at: u16, max: u16| u16::try_from(step(usize::from(at), usize::from(max))).unwrap_or(max);
        let v = self.view_info.get();
        match self.scope() {
            Scope::HELP => self.help_scroll = step16(self.help_scroll, v.help.0),
            Scope::DETAIL => self.detail_scroll = step16(self.detail_scroll, v.detail.0),
            Scope::ALL => {
                let rows = self.all_rows();
                let at = rows.iter().position(|&i| i == self.all_selected).unwrap_or(0);
                if let Some(&i) = rows.get(step(at, rows.len().saturating_sub(1))) {
                    self.all_selected = i;
                }
            }
            Scope::OPTIONS => {
                let rows = self.option_rows();
                let at = self.option_position(&rows);
                self.select_option_row(step(at, rows.rows.len().saturating_sub(1)));
            }
            Scope::REC => {
                if let Some(env) = self.env_mut() {
                    env.scroll = step16(env.scroll, v.recommendation.0);
                }
            }
            _ => {
                if let Some(env) = self.env_mut() {
                    env.chart_row =
                        env.chart_row.min(v.chart_row).saturating_add_signed(delta.signum()).min(v.chart_row);
                }
            }
        }
    }

    // ---- prompts: filter, search, jump ----

    fn open_prompt(&mut self, kind: PromptKind) {
        let text = match kind {
            PromptKind::Filter if self.tab == 0 => self.all_filter.clone(),
            PromptKind::Filter => self.env().map(|e| e.view.filter.clone()).unwrap_or_default(),
            PromptKind::Search | PromptKind::Jump => String::new(),
        };
        self.prompt = Some(Prompt { kind, text, pick: 0 });
    }

    /// Environment indices whose name contains `text`, those that start with it first.
    pub fn jump_matches(&self, text: &str) -> Vec<usize> {
        let needle = text.to_lowercase();
        let (mut starts, mut contains): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
        for (i, e) in self.envs.iter().enumerate() {
            let name = e.base.name.to_lowercase();
            if name.starts_with(&needle) {
                starts.push(i);
            } else if name.contains(&needle) {
                contains.push(i);
            }
        }
        starts.extend(contains);
        starts
    }

    fn prompt_key(&mut self, key: KeyEvent) -> Option<Effect> {
        let mut p = self.prompt.take()?;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('c') if ctrl => {
                self.cancel_prompt(&p);
                return None;
            }
            KeyCode::Char('u') if ctrl => p.text.clear(),
            KeyCode::Esc => {
                self.cancel_prompt(&p);
                return None;
            }
            KeyCode::Enter => return self.confirm_prompt(&p),
            KeyCode::Backspace => {
                p.text.pop();
            }
            KeyCode::Down | KeyCode::Tab => {
                if p.kind == PromptKind::Jump {
                    p.pick += 1;
                } else {
                    self.prompt = Some(p);
                    self.move_by(1);
                    return None;
                }
            }
            KeyCode::Up | KeyCode::BackTab => {
                if p.kind == PromptKind::Jump {
                    p.pick = p.pick.saturating_sub(1);
                } else {
                    self.prompt = Some(p);
                    self.move_by(-1);
                    return None;
                }
            }
            KeyCode::Char(c) if !ctrl => {
                p.text.push(c);
                p.pick = 0;
            }
            _ => {}
        }
        self.live_prompt(&p);
        self.prompt = Some(p);
        None
    }

    /// What the prompt does as it is typed.
    fn live_prompt(&mut self, p: &Prompt) {
        match p.kind {
            PromptKind::Filter => self.set_filter(p.text.clone()),
            PromptKind::Search => {
                if !p.text.is_empty() {
                    self.search.clone_from(&p.text);
                    self.find(0, true);
                }
            }
            PromptKind::Jump => {}
        }
    }

    fn set_filter(&mut self, text: String) {
        if self.tab == 0 {
            self.all_filter = text;
            let rows = self.all_rows();
            if !rows.contains(&self.all_selected)
                && let Some(&first) = rows.first()
            {
                self.all_selected = first;
            }
        } else {
            if let Some(env) = self.env_mut() {
                env.view.filter = text;
            }
            let rows = self.option_rows();
            if !rows.rows.is_empty() && self.option_position(&rows) == 0 {
                self.select_option_row(0);
            }
        }
    }

    fn cancel_prompt(&mut self, p: &Prompt) {
        if p.kind == PromptKind::Filter {
            self.set_filter(String::new());
        }
    }

    fn confirm_prompt(&mut self, p: &Prompt) -> Option<Effect> {
        match p.kind {
            PromptKind::Filter => {
                if self.tab == 0 && !p.text.is_empty() {
                    let n = self.all_rows().len();
                    self.say(
                        format!("{n} environment{} match '{}' (Esc clears)", if n == 1 { "" } else { "s" }, p.text),
                        false,
                    );
                }
            }
            PromptKind::Search => {
                if !p.text.is_empty() && !self.find(0, true) {
                    self.say(format!("'{}' not found", p.text), true);
                }
            }
            PromptKind::Jump => {
                let matches = self.jump_matches(&p.text);
                match matches.get(p.pick % matches.len().max(1)) {
                    Some(&i) => return self.go_to_tab(i + 1),
                    None => self.say(format!("no environment matches '{}'", p.text), true),
                }
            }
        }
        None
    }

    /// Scroll the text in view to the next (or previous) line containing the search, starting
    /// `from` lines after the current one. Returns whether there is one.
    fn find(&mut self, from: isize, forward: bool) -> bool {
        let needle = self.search.to_lowercase();
        if needle.is_empty() {
            return false;
        }
        let v = self.view_info.get();
        let width = v.text_width.max(1);
        let lines: Vec<Line<'static>> = match self.scope() {
            Scope::HELP => super::view::help_lines(&self.theme, usize::from(width)),
            Scope::DETAIL => match (self.env().and_then(EnvView::report), self.selected_option()) {
                (Some(r), Some(o)) => super::view::detail_lines(&self.theme, r, o, width),
                _ => Vec::new(),
            },
            Scope::REC => match self.env().and_then(EnvView::report) {
                Some(r) => super::view::recommendation_lines(&self.theme, r),
                None => Vec::new(),
            },
            Scope::ALL | Scope::OPTIONS => {
                self.move_by(if forward { 1 } else { -1 });
                return true;
            }
            _ => return false,
        };
        // the wrapped line each text line starts at
        let mut starts = Vec::with_capacity(lines.len());
        let mut at = 0usize;
        for l in &lines {
            starts.push(at);
            at += ratatui::widgets::Paragraph::new(l.clone())
                .wrap(ratatui::widgets::Wrap { trim: false })
                .line_count(width)
                .max(1);
        }
        let current = usize::from(match self.scope() {
            Scope::HELP => self.help_scroll,
            Scope::DETAIL => self.detail_scroll,
            _ => self.env().map_or(0, |e| e.scroll),
        });
        let hits: Vec<usize> = lines
            .iter()
            .zip(&starts)
            .filter(|(l, _)| l.to_string().to_lowercase().contains(&needle))
            .map(|(_, s)| *s)
            .collect();
        let target = if forward {
            let from = current.saturating_add_signed(from);
            hits.iter().copied().find(|&s| s >= from).or_else(|| hits.first().copied())
        } else {
            hits.iter().copied().rev().find(|&s| s < current).or_else(|| hits.last().copied())
        };
        let Some(target) = target else { return false };
        let target = u16::try_from(target).unwrap_or(u16::MAX);
        match self.scope() {
            Scope::HELP => self.help_scroll = target.min(v.help.0),
            Scope::DETAIL => self.detail_scroll = target.min(v.detail.0),
            _ => {
                if let Some(env) = self.env_mut() {
                    env.scroll = target.min(v.recommendation.0);
                }
            }
        }
        true
    }

    // ---- actions ----

    fn what_if(&mut self, change: impl FnOnce(&mut WhatIf, &EnvInputs)) {
        let Some(env) = self.env_mut() else {
            self.say("what-if works on one environment: open it first (Enter)", true);
            return;
        };
        let before = env.whatif;
        change(&mut env.whatif, &env.base);
        if env.whatif != before {
            env.generation += 1;
        }
    }

    fn back(&mut self) {
        if self.overlay.is_some() {
            self.overlay = None;
        } else if self.tab == 0 {
            if !self.all_filter.is_empty() {
                self.set_filter(String::new());
            }
        } else if self.screen == Screen::Options && self.env().is_some_and(|e| !e.view.filter.is_empty()) {
            self.set_filter(String::new());
        } else if self.screen != Screen::Options {
            self.screen = Screen::Options;
        } else {
            self.all_selected = self.tab - 1;
            self.tab = 0;
        }
    }

    fn apply(&mut self, action: Action) -> Option<Effect> {
        let page = self.page();
        match action {
            Action::Quit => return Some(Effect::Quit),
            Action::Suspend => return Some(Effect::Suspend),
            Action::ToggleHelp => {
                self.overlay = if self.overlay == Some(Overlay::Help) { None } else { Some(Overlay::Help) };
                self.help_scroll = 0;
            }
            Action::Back => self.back(),
            Action::NextTab => return self.go_to_tab((self.tab + 1) % (self.envs.len() + 1)),
            Action::PrevTab => return self.go_to_tab((self.tab + self.envs.len()) % (self.envs.len() + 1)),
            Action::Jump => self.open_prompt(PromptKind::Jump),
            Action::ShowOptions => self.screen = Screen::Options,
            Action::ShowRecommendation => self.screen = Screen::Recommendation,
            Action::ShowMetrics => self.screen = Screen::Metrics,
            Action::Down => self.move_by(1),
            Action::Up => self.move_by(-1),
            Action::PageDown => self.move_by(page),
            Action::PageUp => self.move_by(-page),
            Action::HalfPageDown => self.move_by((page / 2).max(1)),
            Action::HalfPageUp => self.move_by(-(page / 2).max(1)),
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::Open => {
                if self.tab == 0 {
                    if self.all_rows().contains(&self.all_selected) {
                        return self.go_to_tab(self.all_selected + 1);
                    }
                } else if self.selected_option().is_some() {
                    self.overlay = Some(Overlay::Detail);
                    self.detail_scroll = 0;
                }
            }
            Action::Search => {
                let kind = if self.scope().has(Scope::LISTS) { PromptKind::Filter } else { PromptKind::Search };
                self.open_prompt(kind);
            }
            Action::NextMatch | Action::PrevMatch => {
                let forward = action == Action::NextMatch;
                if self.search.is_empty() && !self.scope().has(Scope::LISTS) {
                    self.say("/ searches first", false);
                } else if !self.find(isize::from(forward), forward) {
                    self.say(format!("'{}' not found", self.search), true);
                }
            }
            Action::SortNext | Action::SortReverse => {
                let reverse = action == Action::SortReverse;
                let text = if self.tab == 0 {
                    let (col, desc) = self.all_sort;
                    self.all_sort = if reverse { (col, !desc) } else { (col.next(), false) };
                    let (col, desc) = self.all_sort;
                    format!("sorted by {}{}", col.label(), if desc { ", descending" } else { "" })
                } else {
                    let (col, desc) = self.option_sort;
                    self.option_sort = if reverse { (col, !desc) } else { (col.next(), false) };
                    let (col, desc) = self.option_sort;
                    format!("options sorted by {}{}", col.label(), if desc { ", descending" } else { "" })
                };
                self.say(text, false);
            }
            Action::ToggleExpand => {
                if let Some(key) = self.selected_option().map(super::rows::group_key)
                    && let Some(env) = self.env_mut()
                    && !env.view.expanded.remove(&key)
                {
                    env.view.expanded.insert(key);
                }
            }
            Action::ToggleOtherProtocols => {
                if let Some(env) = self.env_mut() {
                    env.view.other_protocols = !env.view.other_protocols;
                }
            }
            Action::ToggleFeasible => {
                if let Some(env) = self.env_mut() {
                    env.view.feasible_only = !env.view.feasible_only;
                }
                let rows = self.option_rows();
                let at = self.option_position(&rows);
                self.select_option_row(at);
            }
            Action::JumpToRecommended => {
                let star = self.env().and_then(|e| e.report()).and_then(|r| r.recommendation.option_id.clone());
                match star {
                    Some(id) => {
                        if let Some(env) = self.env_mut() {
                            env.view.filter.clear();
                            env.selected = Some(id);
                        }
                    }
                    None => self.say("nothing is recommended: nothing fits", true),
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
                    self.say(
                        "no metrics loaded for this environment: add [env.NAME.metrics] file = \"…\" to the plan",
                        true,
                    );
                }
            }
            Action::ResetWhatIf => self.what_if(|w, _| *w = WhatIf::default()),
            Action::CycleZoom => self.zoom = self.zoom.next(),
            Action::Export => return self.export(),
            Action::PricesInfo => self.say(
                format!(
                    "prices: {} as of {}; each option's details (Enter) cite every price's source and date",
                    self.book.origin, self.book.as_of
                ),
                false,
            ),
        }
        None
    }

    fn export(&mut self) -> Option<Effect> {
        let date = self.as_of.format("%Y-%m-%d");
        let Some(env) = self.env() else {
            let jobs: Vec<Job> = (0..self.envs.len())
                .map(|i| {
                    let mut job = self.job(i, true);
                    if job.metrics.is_none() {
                        job.read_metrics.clone_from(&self.envs[i].metrics_at);
                    }
                    job
                })
                .collect();
            self.say(format!("exporting {} environments…", jobs.len()), false);
            return Some(Effect::ExportAll { stem: format!("capplan-all-{date}"), jobs });
        };
        if let Some(e) = env.error() {
            let e = e.to_string();
            self.say(format!("nothing to export: {e}"), true);
            return None;
        }
        let (Some(report), true) = (env.report(), env.fresh()) else {
            self.say("still evaluating this environment; export again in a moment", true);
            return None;
        };
        let name: String = env
            .base
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
            .collect();
        let markdown = report::markdown::render(&Report::One(Box::new(report.clone())));
        Some(Effect::Export { stem: format!("capplan-{name}-{date}"), markdown })
    }
}

/// The Markdown of every environment's full report (the All tab's export), run in the background.
pub fn export_all_markdown(jobs: &[Job]) -> String {
    let envs: Vec<EnvReport> = jobs.iter().filter_map(|j| j.report().ok()).collect();
    report::markdown::render(&Report::All(AllReport::new(envs)))
}

#[cfg(test)]
pub(crate) mod tests;
