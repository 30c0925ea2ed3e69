//! The interactive planner: one event channel, a pure `App::handle`, views that only borrow
//! state, and a guard that restores the terminal on every exit path.

pub mod action;
pub mod app;
pub mod event;
pub mod keymap;
pub mod rows;
pub mod sample;
pub mod summary;
pub mod terminal;
pub mod theme;
pub mod view;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

use crate::error::{Error, Result};
use crate::evaluation;
use crate::model::price::PriceBook;
use crate::settings::Settings;
use crate::source::plan::Plan;
use app::{App, Effect};
use event::{Event, SourceEvent};

/// How often the app ticks (spinners, message expiry).
const TICK: Duration = Duration::from_millis(250);

/// How the app ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The user quit.
    Quit,
    /// A signal (its number) ended it; the terminal was restored all the same.
    Signal(i32),
}

/// Run the planner until the user quits or a signal ends it. The terminal is restored however
/// this returns. Environments are evaluated in the background on every core, the ones in view
/// first; the loop never waits for an evaluation.
pub async fn run(plan: Plan, book: Arc<PriceBook>, settings: Settings) -> Result<Exit> {
    let locations: Vec<_> =
        plan.envs.iter().map(|e| plan.metrics_of(&e.name).map(|m| settings.metrics_location(m, &e.region))).collect();
    let (mut app, effects) =
        App::new(&plan, book, settings.as_of, &locations, theme::Theme::for_env(settings.no_color));
    let profiles = plan.envs.iter().map(|e| plan.profile_of(&e.name).map(|p| settings.profile_path(p))).collect();
    let mut effects = effects;
    effects.extend(app.set_profiles(profiles));
    app.offline = settings.offline;
    app.aws_profile.clone_from(&settings.aws_profile);
    drop(plan);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let signals =
        event::spawn_signals(tx.clone()).map_err(|e| Error::Terminal(format!("cannot watch for signals: {e}")))?;
    let mut term = terminal::Guard::enter().map_err(|e| Error::Terminal(format!("cannot enter the terminal: {e}")))?;
    let input = event::spawn_input(tx.clone());
    event::spawn_ticks(tx.clone(), TICK);
    for effect in effects {
        carry_out(effect, &tx);
    }
    let workers = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let mut running = 0usize;
    let mut dirty = true;
    let exit = loop {
        for job in app.jobs(workers.saturating_sub(running)) {
            running += 1;
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                let _ = tx.send(Event::Source(SourceEvent::Evaluated(Box::new(job.run()))));
            });
        }
        if dirty {
            term.draw(|f| f.render_widget(view::Root { app: &app }, f.area()))
                .map_err(|e| Error::Terminal(e.to_string()))?;
        }
        let Some(first) = rx.recv().await else { break Exit::Quit };
        dirty = false;
        let mut leave = None;
        for ev in std::iter::once(first).chain(std::iter::from_fn(|| rx.try_recv().ok())) {
            if matches!(ev, Event::Source(SourceEvent::Evaluated(_))) {
                running = running.saturating_sub(1);
            }
            // a tick changes the screen only while something animates or expires
            dirty |= !matches!(ev, Event::Tick) || app.animating();
            match app.handle(ev) {
                Some(Effect::Quit) => leave = Some(Exit::Quit),
                Some(Effect::Terminated(sig)) => leave = Some(Exit::Signal(sig)),
                Some(Effect::Suspend) => {
                    term.suspend().map_err(|e| Error::Terminal(format!("cannot resume the terminal: {e}")))?;
                    dirty = true;
                }
                Some(effect) => carry_out(effect, &tx),
                None => {}
            }
            if leave.is_some() {
                break;
            }
        }
        if let Some(exit) = leave {
            break exit;
        }
    };
    signals.close();
    drop(term);
    // the terminal stopped giving input: say why, once the terminal is restored
    if let Some(why) = input.failure() {
        return Err(Error::Terminal(why));
    }
    Ok(exit)
}

/// Start what an effect asks for; results come back as events.
fn carry_out(effect: Effect, tx: &mpsc::UnboundedSender<Event>) {
    let tx = tx.clone();
    match effect {
        Effect::Quit | Effect::Terminated(_) | Effect::Suspend => {}
        Effect::LoadMetrics { env, metrics, location, fetch } => {
            tokio::task::spawn_blocking(move || {
                let result = evaluation::gather(&metrics, &location, fetch, chrono::Utc::now()).map(Box::new);
                let _ = tx.send(Event::Source(SourceEvent::MetricsLoaded { env, fetch, result }));
            });
        }
        Effect::LoadProfile { env, path } => {
            tokio::task::spawn_blocking(move || {
                let result = crate::source::redis_profile::read_profile(&path).map(Box::new).map_err(|e| e.to_string());
                let _ = tx.send(Event::Source(SourceEvent::ProfileLoaded { env, result }));
            });
        }
        Effect::Batch(effects) => {
            for e in effects {
                carry_out(e, &tx);
            }
        }
        Effect::RefreshPrices { regions, profile } => {
            tokio::task::spawn_blocking(move || {
                let result = refresh_prices(regions, profile, &tx);
                let _ = tx.send(Event::Source(SourceEvent::PricesRefreshed(result.map(Box::new))));
            });
        }
        Effect::Export { stem, markdown } => {
            tokio::task::spawn_blocking(move || {
                let result = export(&stem, &markdown);
                let _ = tx.send(Event::Source(SourceEvent::Exported(result)));
            });
        }
        Effect::ExportAll { stem, jobs } => {
            tokio::task::spawn_blocking(move || {
                let result = export(&stem, &app::export_all_markdown(&jobs));
                let _ = tx.send(Event::Source(SourceEvent::Exported(result)));
            });
        }
    }
}

/// Refresh the prices of `regions` into the user cache (as `capplan pricing refresh` does),
/// saying how far it got, then read the price book again. Blocking.
fn refresh_prices(
    regions: Vec<String>,
    profile: Option<String>,
    tx: &mpsc::UnboundedSender<Event>,
) -> std::result::Result<(Arc<PriceBook>, String), String> {
    use crate::source::price_refresh::{self, Progress, RefreshOptions, RegionSelection};
    let cache_dir = crate::source::user_cache::dir().map_err(|e| e.to_string())?;
    let opts = RefreshOptions::new(RegionSelection::Listed(regions), profile, cache_dir, chrono::Utc::now());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the network runtime: {e}"))?;
    let summary = runtime
        .block_on(price_refresh::refresh(&opts, |p| {
            let text = match p {
                Progress::Region { region, index, of } => format!("{region} ({index} of {of})…"),
                Progress::Page { region, .. } => format!("{region}: reading the Price List…"),
                _ => return,
            };
            let _ = tx.send(Event::Source(SourceEvent::PricesProgress(text)));
        }))
        .map_err(|e| e.to_string())?;
    let loaded = crate::source::prices::load().map_err(|e| e.to_string())?;
    let changed = crate::command::pricing::changes_line(&summary);
    let mut text = format!("prices refreshed ({}): {changed}", loaded.book.origin);
    if let Some(note) = loaded.notes.first() {
        text = format!("{text}; note: {note}");
    }
    Ok((Arc::new(loaded.book.into_owned()), text))
}

/// Write `markdown` to `<stem>.md` in the current folder, or `<stem>-2.md`… — never overwriting,
/// and a file appears whole or not at all.
pub fn export(stem: &str, markdown: &str) -> std::result::Result<PathBuf, String> {
    for n in 1..1000 {
        let path = if n == 1 { PathBuf::from(format!("{stem}.md")) } else { PathBuf::from(format!("{stem}-{n}.md")) };
        match crate::command::create_new(&path, markdown.as_bytes()) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("{}: {e}", path.display())),
        }
    }
    Err(format!("{stem}.md and 998 numbered copies exist already"))
}
