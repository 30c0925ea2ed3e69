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
use crate::evaluation::{self, Evaluated, Fetch, Gathered};
use crate::model::catalog::Engine;
use crate::model::price::PriceBook;
use crate::model::profile::Profile;
use crate::model::units::format_usd;
use crate::model::workload::{EnvInputs, Workload};
use crate::report::{self, AllReport, EnvReport, OptionReport, Report};
use crate::source::MetricsLocation;
use crate::source::plan::{MetricsRef, Plan};

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
    /// Read (or fetch) an environment's metrics in the background.
    LoadMetrics {
        /// Environment.
        env: String,
        /// The plan's `[env.X.metrics]`.
        metrics: MetricsRef,
        /// Where from.
        location: MetricsLocation,
        /// A live cache: the user cache first, or fetched now.
        fetch: Fetch,
    },
    /// Read an environment's profile file in the background.
    LoadProfile {
        /// Environment.
        env: String,
        /// The file.
        path: std::path::PathBuf,
    },
    /// Several at once.
    Batch(Vec<Effect>),
    /// Refresh the prices of these regions from the AWS Price List, then reload the price book.
    RefreshPrices {
        /// Region codes.
        regions: Vec<String>,
        /// `--profile`.
        profile: Option<String>,
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
/// price book. It evaluates as `capplan report` does ([`evaluation::evaluate`]): the measured
/// workload where the plan asks for it, the discovered cache, the notes.
#[derive(Clone, Debug)]
pub struct Job {
    /// Environment (index in the plan).
    pub index: usize,
    /// The version of its inputs this is for.
    pub generation: u64,
    /// The plan's inputs with the what-if's engine and HA applied.
    pub inputs: EnvInputs,
    /// The what-if (its workload changes apply to the workload used, measured or planned).
    pub whatif: WhatIf,
    /// The plan's `[env.X.metrics]` and where they are.
    pub metrics_at: Option<(MetricsRef, MetricsLocation)>,
    /// The metrics the app holds, or why it has none.
    pub metrics: Option<Result<Arc<Gathered>, String>>,
    /// Read the metrics first (the app has not read them yet): the user cache first for a live
    /// cache.
    pub read_metrics: bool,
    /// `--offline`.
    pub offline: bool,
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
    /// The full report, and the metrics read for it when the app had none (runs on a worker
    /// thread; reading a live cache that was never fetched fetches it).
    pub fn evaluate(&self) -> (Result<EnvReport, String>, Option<Result<Gathered, String>>) {
        let read = match (&self.metrics_at, self.read_metrics) {
            (Some((m, at)), true) => Some(evaluation::gather(m, at, Fetch::CachedFirst, chrono::Utc::now())),
            _ => None,
        };
        let gathered = match (&read, &self.metrics) {
            (Some(Ok(g)), _) => Ok(g),
            (Some(Err(e)), _) | (None, Some(Err(e))) => Err(e.clone()),
            (None, Some(Ok(g))) => Ok(g.as_ref()),
            (None, None) => Err("the metrics were not read".to_string()),
        };
        let scale = |w: &mut Workload| self.whatif.scale(w);
        let inputs = evaluation::Inputs {
            env: &self.inputs,
            metrics: self.metrics_at.as_ref().map(|(m, _)| m),
            location: self.metrics_at.as_ref().map(|(_, at)| at),
            gathered,
            use_measured: self.whatif.measured,
            adjust: Some(&scale),
            offline: self.offline,
            options: crate::report::OptionsFilter::All,
        };
        let report = match evaluation::evaluate(&inputs, &self.book, &self.plan, self.as_of) {
            Ok(Evaluated::Done { mut report, .. }) => {
                report.what_if.clone_from(&self.what_if);
                Ok(*report)
            }
            Ok(Evaluated::Missing { reason, .. }) => Err(format!("not evaluated: {reason}")),
            Err(e) => Err(e.to_string()),
        };
        (report, read)
    }

    /// The full report.
    pub fn report(&self) -> Result<EnvReport, String> {
        self.evaluate().0
    }

    /// Evaluate, and keep the full report only when asked.
    pub fn run(self) -> EvalDone {
        let (report, read) = self.evaluate();
        let summary = report.as_ref().map(EnvSummary::of).map_err(Clone::clone);
        let with_metrics = matches!(read, Some(Ok(_))) || (read.is_none() && matches!(self.metrics, Some(Ok(_))));
        EvalDone {
            index: self.index,
            generation: self.generation,
            at_plan: self.what_if.is_none(),
            with_metrics,
            keep_full: self.keep_full,
            summary,
            full: if self.keep_full { report.ok().map(Box::new) } else { None },
            // what the app keeps of metrics it did not have: the derived figures, not the series
            read: read.map(|r| r.map(|g| Arc::new(g.trimmed()))),
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
    /// The measured workload (`Some(true)`) or the plan's (`Some(false)`) where the plan's
    /// `workload = "measured" | "plan"` says otherwise; `None`: as the plan says.
    pub measured: Option<bool>,
}

impl WhatIf {
    /// Whether anything differs from the plan.
    pub fn is_active(&self) -> bool {
        *self != WhatIf::default()
    }

    /// `data +20% · requests -10% · Redis OSS`…
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        match self.measured {
            Some(true) => parts.push("measured workload".to_string()),
            Some(false) => parts.push("the plan's workload, not the measured".to_string()),
            None => {}
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

    /// The plan's inputs with the engine and HA changed.
    pub fn apply(&self, base: &EnvInputs) -> EnvInputs {
        let mut env = base.clone();
        if let Some(e) = self.engine {
            env.app_engine = e;
        }
        if let Some(h) = self.ha {
            env.ha = h;
        }
        env
    }

    /// The workload used (the plan's or the measured) with the data, requests and growth
    /// changed.
    pub fn scale(&self, w: &mut Workload) {
        let scale = |pct: i32| Decimal::ONE + Decimal::new(i64::from(pct), 2);
        w.data_gb *= scale(self.data_pct);
        w.peak_data_gb *= scale(self.data_pct);
        w.requests_per_sec *= scale(self.requests_pct);
        w.peak_requests_per_sec *= scale(self.requests_pct);
        w.growth_pct_per_month = (w.growth_pct_per_month + Decimal::from(self.growth_pts)).max(Decimal::ZERO);
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
    /// Which report `full` is: a number the app gives each report it keeps, never reused (what
    /// the option table's rows kept between frames are checked against).
    pub full_id: u64,
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
    /// The metrics: the series (while the environment is among the last opened) and what
    /// they measured, and for a live cache the fetch.
    pub metrics: Loading<Arc<Gathered>>,
    /// The plan's `[env.X.metrics]` and where they are read or fetched from.
    pub metrics_at: Option<(MetricsRef, MetricsLocation)>,
    /// A refetch is under way (the metrics held are shown until it lands).
    pub refetching: bool,
    /// The profile of the live server (`[env.X.profile] file`), read when the environment is
    /// opened.
    pub profile: Loading<Arc<Profile>>,
    /// Where the profile file is.
    pub profile_at: Option<std::path::PathBuf>,
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
        // an evaluation that failed on these inputs fails again: it is shown, not retried
        if self.error().is_some() {
            return false;
        }
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
    /// `--offline`: nothing is fetched (metrics come from the user cache, prices are not
    /// refreshed).
    pub offline: bool,
    /// `--profile`, for fetches.
    pub aws_profile: Option<String>,
    /// A price refresh is under way.
    pub refreshing_prices: bool,
    /// Reports kept so far (each kept report's `full_id`).
    reports_kept: u64,
    /// The option table's rows as last made, and what they were made of: a frame and the keys
    /// that read them again take them from here instead of grouping and sorting every option.
    option_rows_kept: RefCell<Option<(OptionRowsOf, Arc<OptionRows>)>>,
    /// The charts' points as last drawn, and the metrics they were made of.
    chart_points_kept: RefCell<ChartPointsKept>,
}

/// A chart's points: a metric over a window, reduced to a number of buckets.
type ChartPointsOf = (crate::model::observed::Chart, i64, i64, usize);

/// The points a chart draws, `(epoch seconds, value)`.
pub type ChartPoints = Arc<[(f64, f64)]>;

/// Charts' points made of one environment's metrics. The metrics are held by a `Weak`: their
/// series are freed when the app drops them, but their address is never another's while it is
/// held, so a match is the same metrics.
#[derive(Clone, Debug, Default)]
struct ChartPointsKept {
    of: std::sync::Weak<Gathered>,
    points: Vec<(ChartPointsOf, ChartPoints)>,
}

/// Points kept for one environment's metrics at most (zooms × sizes seen); more start over.
const CHART_POINTS_KEPT: usize = 64;

/// What the option table's rows are made of: the report (its id is the app's alone, so it also
/// names the environment), the user's choices and the sort.
#[derive(Clone, Debug, PartialEq, Eq)]
struct OptionRowsOf {
    full_id: u64,
    view: OptionView,
    sort: (OptionSort, bool),
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
                let at = metrics
                    .get(i)
                    .cloned()
                    .flatten()
                    .and_then(|location| plan.metrics_of(&base.name).map(|m| (m.clone(), location)));
                let state = if at.is_some() { Loading::Idle } else { Loading::Absent };
                EnvView {
                    base: base.clone(),
                    whatif: WhatIf::default(),
                    generation: 0,
                    summary: None,
                    summary_gen: 0,
                    full: None,
                    full_gen: (0, false),
                    full_id: 0,
                    running: None,
                    plan_monthly: None,
                    view: OptionView::default(),
                    selected: None,
                    scroll: 0,
                    chart_row: 0,
                    metrics: state,
                    metrics_at: at,
                    refetching: false,
                    profile: Loading::Absent,
                    profile_at: None,
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
            offline: false,
            aws_profile: None,
            refreshing_prices: false,
            reports_kept: 0,
            option_rows_kept: RefCell::default(),
            chart_points_kept: RefCell::default(),
        };
        if tab == 1 {
            effects.extend(app.go_to_tab(1));
        }
        (app, effects)
    }

    /// Give the environments the profile files the plan names (`None`: none), read when an
    /// environment is opened.
    pub fn set_profiles(&mut self, paths: Vec<Option<std::path::PathBuf>>) -> Vec<Effect> {
        for (env, path) in self.envs.iter_mut().zip(paths) {
            env.profile = if path.is_some() { Loading::Idle } else { Loading::Absent };
            env.profile_at = path;
        }
        // the environment in view when there is only one
        let Some(i) = self.tab.checked_sub(1) else { return Vec::new() };
        self.load_profile(i).into_iter().collect()
    }

    fn load_profile(&mut self, i: usize) -> Option<Effect> {
        let env = self.envs.get_mut(i)?;
        let path = env.profile_at.clone()?;
        if !matches!(env.profile, Loading::Idle) {
            return None;
        }
        env.profile = Loading::Loading;
        Some(Effect::LoadProfile { env: env.base.name.clone(), path })
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
        self.message.is_some()
            || self.refreshing_prices
            || self.envs.iter().any(|e| matches!(e.metrics, Loading::Loading) || e.refetching || e.running.is_some())
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

    /// The option table's rows of the active environment (made once for a report, view and
    /// sort, then shared).
    pub fn option_rows(&self) -> Arc<OptionRows> {
        let Some(env) = self.env() else { return Arc::default() };
        let Some(report) = env.report() else { return Arc::default() };
        let mut kept = self.option_rows_kept.borrow_mut();
        if let Some((of, rows)) = kept.as_ref()
            && of.full_id == env.full_id
            && of.sort == self.option_sort
            && of.view == env.view
        {
            return Arc::clone(rows);
        }
        let rows = Arc::new(option_rows(report, &env.view, self.option_sort.0, self.option_sort.1));
        let of = OptionRowsOf { full_id: env.full_id, view: env.view.clone(), sort: self.option_sort };
        *kept = Some((of, Arc::clone(&rows)));
        rows
    }

    /// The points of `metric` in `metrics` over `[from, to]` reduced to `buckets` (see
    /// [`crate::model::observed::downsample`]), made once and shared by the frames that follow.
    pub fn chart_points(
        &self,
        metrics: &Arc<Gathered>,
        metric: crate::model::observed::Chart,
        from: i64,
        to: i64,
        buckets: usize,
    ) -> ChartPoints {
        let mut kept = self.chart_points_kept.borrow_mut();
        if !std::ptr::eq(kept.of.as_ptr(), Arc::as_ptr(metrics)) || kept.points.len() >= CHART_POINTS_KEPT {
            *kept = ChartPointsKept { of: Arc::downgrade(metrics), points: Vec::new() };
        }
        let of = (metric, from, to, buckets);
        if let Some((_, points)) = kept.points.iter().find(|(o, _)| *o == of) {
            return Arc::clone(points);
        }
        let series = metrics.data.chart(metric).unwrap_or_default();
        let points: ChartPoints = crate::model::observed::downsample(series, from, to, buckets).into();
        kept.points.push((of, Arc::clone(&points)));
        points
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
            inputs: env.whatif.apply(&env.base),
            whatif: env.whatif,
            metrics_at: env.metrics_at.clone(),
            metrics: match &env.metrics {
                Loading::Loaded(g) => Some(Ok(Arc::clone(g))),
                Loading::Failed(e) => Some(Err(e.clone())),
                _ => None,
            },
            read_metrics: env.metrics_at.is_some() && matches!(env.metrics, Loading::Idle),
            offline: self.offline,
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
            && !matches!(env.metrics, Loading::Loading)
            && env.running != Some((env.generation, true))
        {
            want.push((i, true));
        }
        // an environment whose metrics are being read waits for them (never a workload of zeros)
        let needs = |e: &EnvView| {
            e.needs_summary()
                && !matches!(e.metrics, Loading::Loading)
                && e.running.is_none_or(|(g, _)| g != e.generation)
        };
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
        // metrics the job read for an environment whose own read has not begun since
        if let Some(read) = done.read
            && matches!(env.metrics, Loading::Idle)
        {
            match read {
                Ok(g) => {
                    env.metrics = Loading::Loaded(g);
                    env.metrics_trimmed = true;
                }
                Err(e) => env.metrics = Loading::Failed(e),
            }
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
                self.reports_kept += 1;
                env.full = Some(full);
                env.full_gen = (done.generation, done.with_metrics);
                env.full_id = self.reports_kept;
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
                    if let Loading::Loaded(m) = &e.metrics
                        && !e.metrics_trimmed
                    {
                        e.metrics = Loading::Loaded(Arc::new(m.trimmed()));
                        e.metrics_trimmed = true;
                    }
                }
            }
        }
    }

    /// Show tab `tab`; opening an environment reads its metrics file if it is not in memory.
    pub(crate) fn go_to_tab(&mut self, tab: usize) -> Option<Effect> {
        self.tab = tab.min(self.envs.len());
        self.overlay = None;
        let i = self.tab.checked_sub(1)?;
        let profile = self.load_profile(i);
        let metrics = self.open_metrics(i);
        match (metrics, profile) {
            (Some(m), Some(p)) => Some(Effect::Batch(vec![m, p])),
            (m, p) => m.or(p),
        }
    }

    /// Open environment `i`: keep it among the last opened, and read its metrics if they are
    /// not in memory.
    fn open_metrics(&mut self, i: usize) -> Option<Effect> {
        self.opened(i);
        self.all_selected = i;
        let env = &mut self.envs[i];
        let (metrics, location) = env.metrics_at.clone()?;
        match env.metrics {
            Loading::Idle => env.metrics = Loading::Loading,
            Loading::Loaded(_) if env.metrics_trimmed && !env.refetching => {}
            _ => return None,
        }
        Some(Effect::LoadMetrics { env: env.base.name.clone(), metrics, location, fetch: Fetch::CachedFirst })
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
            Event::Source(SourceEvent::MetricsLoaded { env, fetch, result }) => {
                self.metrics_loaded(&env, fetch, result);
                None
            }
            Event::Source(SourceEvent::ProfileLoaded { env, result }) => {
                let e = self.envs.iter_mut().find(|e| e.base.name == env)?;
                match result {
                    Ok(p) => e.profile = Loading::Loaded(Arc::from(p)),
                    Err(message) => {
                        e.profile = Loading::Failed(message.clone());
                        self.say(format!("{env}: profile not read: {message}"), true);
                    }
                }
                None
            }
            Event::Source(SourceEvent::PricesProgress(text)) => {
                self.say(format!("prices: {text}"), false);
                None
            }
            Event::Source(SourceEvent::PricesRefreshed(result)) => {
                self.refreshing_prices = false;
                match result {
                    Ok(done) => {
                        let (book, text) = *done;
                        self.book = book;
                        for e in &mut self.envs {
                            e.generation += 1;
                        }
                        self.say(format!("{text}; re-evaluating every environment"), false);
                    }
                    Err(e) => self.say(format!("prices not refreshed: {e}"), true),
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

    fn metrics_loaded(&mut self, env: &str, fetch: Fetch, result: Result<Box<Gathered>, String>) {
        let Some(index) = self.envs.iter().position(|e| e.base.name == env) else { return };
        let e = &mut self.envs[index];
        let refetch = std::mem::take(&mut e.refetching);
        match result {
            Ok(g) => {
                // the series read again for an environment opened again measure what its
                // figures already are; anything else changes them
                let same = e.metrics_trimmed && fetch == Fetch::CachedFirst && matches!(e.metrics, Loading::Loaded(_));
                e.metrics = Loading::Loaded(Arc::from(g));
                e.metrics_trimmed = false;
                if !same {
                    e.generation += 1;
                }
                if refetch {
                    let what = e.metrics_at.as_ref().map_or_else(String::new, |(_, at)| at.name());
                    self.say(format!("{env}: metrics read again from {what}"), false);
                }
            }
            Err(message) if refetch && matches!(e.metrics, Loading::Loaded(_)) => {
                self.say(format!("{env}: metrics not fetched again, the earlier ones stay: {message}"), true);
            }
            Err(message) => {
                e.metrics = Loading::Failed(message.clone());
                e.generation += 1;
                self.say(format!("{env}: metrics not loaded: {message}"), true);
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
                let Some(env) = self.env() else {
                    self.say("what-if works on one environment: open it first (Enter)", true);
                    return None;
                };
                let name = env.base.name.clone();
                match env.metrics_at.as_ref().map(|(m, _)| m.clone()) {
                    None => self.say(
                        format!(
                            "{name} has no metrics: add [env.{name}.metrics] file = \"…\" (or a live cache) to the plan"
                        ),
                        true,
                    ),
                    Some(m) if m.workload_from_metrics_only => self.say(
                        format!("{name}'s figures come from its metrics only: the plan has no [env.{name}.workload]"),
                        true,
                    ),
                    Some(m) => {
                        self.what_if(|w, _| {
                            let now = evaluation::uses_measured(&m, w.measured);
                            w.measured = (now == m.use_measured).then_some(!now);
                        });
                        let now = self.env().is_some_and(|e| evaluation::uses_measured(&m, e.whatif.measured));
                        self.say(
                            if now {
                                "the measured workload drives the figures"
                            } else {
                                "the plan's workload drives the figures"
                            },
                            false,
                        );
                    }
                }
            }
            Action::RefetchMetrics => return self.refetch(),
            Action::RefreshPrices => return self.refresh_prices(),
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

    fn refetch(&mut self) -> Option<Effect> {
        let i = self.tab.checked_sub(1)?;
        // the profile file is read again too
        let profile = match self.envs[i].profile {
            Loading::Loaded(_) | Loading::Failed(_) => {
                self.envs[i].profile = Loading::Idle;
                self.load_profile(i)
            }
            _ => None,
        };
        let metrics = self.refetch_metrics(profile.is_some());
        match (metrics, profile) {
            (Some(m), Some(p)) => Some(Effect::Batch(vec![m, p])),
            (m, p) => m.or(p),
        }
    }

    fn refetch_metrics(&mut self, profile_too: bool) -> Option<Effect> {
        let offline = self.offline;
        let env = self.env_mut()?;
        let name = env.base.name.clone();
        let Some((metrics, location)) = env.metrics_at.clone() else {
            if profile_too {
                self.say(format!("{name}: reading the profile again…"), false);
            } else {
                self.say(format!("{name} has no metrics to fetch: add [env.{name}.metrics] to the plan"), true);
            }
            return None;
        };
        if offline && matches!(location, MetricsLocation::Live(_)) {
            self.say("--offline: metrics are not fetched (the user cache's are used); run without --offline", true);
            return None;
        }
        if env.refetching || matches!(env.metrics, Loading::Loading) {
            self.say(format!("{name}: the metrics are being read already"), false);
            return None;
        }
        match env.metrics {
            Loading::Loaded(_) => env.refetching = true,
            _ => env.metrics = Loading::Loading,
        }
        let what = if matches!(location, MetricsLocation::Live(_)) { "fetching" } else { "reading" };
        self.say(format!("{name}: {what} the metrics from {}…", location.name()), false);
        Some(Effect::LoadMetrics { env: name, metrics, location, fetch: Fetch::Now })
    }

    fn refresh_prices(&mut self) -> Option<Effect> {
        if self.offline {
            self.say("--offline: prices are not refreshed; run capplan without --offline to refresh them", true);
            return None;
        }
        if self.refreshing_prices {
            self.say("the prices are being refreshed already", false);
            return None;
        }
        let mut regions: Vec<String> = Vec::new();
        for e in &self.envs {
            if !regions.contains(&e.base.region) {
                regions.push(e.base.region.clone());
            }
        }
        self.refreshing_prices = true;
        self.say(format!("refreshing prices for {} from the AWS Price List…", regions.join(", ")), false);
        Some(Effect::RefreshPrices { regions, profile: self.aws_profile.clone() })
    }

    fn export(&mut self) -> Option<Effect> {
        let date = self.as_of.format("%Y-%m-%d");
        let Some(env) = self.env() else {
            let jobs: Vec<Job> = (0..self.envs.len())
                .map(|i| {
                    let mut job = self.job(i, true);
                    // an environment whose metrics are still being read reads them itself
                    job.read_metrics |= job.metrics_at.is_some() && job.metrics.is_none();
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
