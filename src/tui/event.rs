//! One event channel: terminal input, ticks, signals, and results of background work.

use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::StreamExt;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

use super::summary::EnvSummary;
use crate::evaluation::{Fetch, Gathered};
use crate::model::price::PriceBook;
use crate::report::EnvReport;
use std::sync::Arc;

/// An evaluation finished (on a worker thread).
#[derive(Clone, Debug, PartialEq)]
pub struct EvalDone {
    /// Environment (index in the plan).
    pub index: usize,
    /// The version of its inputs it is of.
    pub generation: u64,
    /// Computed at the plan's figures (no what-if).
    pub at_plan: bool,
    /// Computed with the environment's metrics.
    pub with_metrics: bool,
    /// The job asked for the full report (whether or not the evaluation gave one).
    pub keep_full: bool,
    /// The All tab's figures, or why there are none.
    pub summary: Result<EnvSummary, String>,
    /// The full report, when the job asked for it.
    pub full: Option<Box<EnvReport>>,
    /// The metrics the job read because the app had none (their derived figures).
    pub read: Option<Result<Arc<Gathered>, String>>,
}

/// Something that happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// Time passed (spinners, message expiry).
    Tick,
    /// Terminal input or a resize.
    Term(TermEvent),
    /// SIGTERM or SIGHUP arrived (its number): leave as `q` does.
    Signal(i32),
    /// Background work finished.
    Source(SourceEvent),
}

/// Results of background work, as facts.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceEvent {
    /// An environment's metrics were read or fetched (or could not be).
    MetricsLoaded {
        /// Environment.
        env: String,
        /// How they were asked for.
        fetch: Fetch,
        /// The series and what they measured, or why not.
        result: Result<Box<Gathered>, String>,
    },
    /// A price refresh made progress.
    PricesProgress(String),
    /// A price refresh ended: the new price book and what changed, or why not.
    PricesRefreshed(Result<Box<(Arc<PriceBook>, String)>, String>),
    /// An environment was evaluated.
    Evaluated(Box<EvalDone>),
    /// A report was exported (or could not be).
    Exported(Result<PathBuf, String>),
}

/// Forward terminal input until the channel closes.
pub fn spawn_input(tx: UnboundedSender<Event>) {
    tokio::spawn(async move {
        let mut stream = EventStream::new();
        while let Some(item) = stream.next().await {
            match item {
                Ok(ev) => {
                    if tx.send(Event::Term(ev)).is_err() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
    });
}

/// Send a tick every `every` until the channel closes.
pub fn spawn_ticks(tx: UnboundedSender<Event>, every: Duration) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        loop {
            interval.tick().await;
            if tx.send(Event::Tick).is_err() {
                break;
            }
        }
    });
}

/// Turn SIGTERM and SIGHUP into [`Event::Signal`] (the loop then leaves as for `q`, and the
/// terminal guard restores the terminal). The returned handle stops the listener.
pub fn spawn_signals(tx: UnboundedSender<Event>) -> std::io::Result<signal_hook::iterator::Handle> {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP])?;
    let handle = signals.handle();
    std::thread::spawn(move || {
        for sig in signals.forever() {
            if tx.send(Event::Signal(sig)).is_err() {
                break;
            }
        }
    });
    Ok(handle)
}
