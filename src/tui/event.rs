//! One event channel: terminal input, ticks, signals, and results of background work.

use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::{Stream, StreamExt};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

use super::summary::EnvSummary;
use crate::evaluation::{Fetch, Gathered};
use crate::model::price::PriceBook;
use crate::report::EnvReport;

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
    /// An environment's profile file was read (or could not be).
    ProfileLoaded {
        /// Environment.
        env: String,
        /// The profile, or why not.
        result: Result<Box<crate::model::profile::Profile>, String>,
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

/// Why terminal input stopped, once it has: shared by the input task and the loop.
#[derive(Clone, Debug, Default)]
pub struct InputWatch(Arc<Mutex<Option<String>>>);

impl InputWatch {
    /// Why the terminal input stopped (read error, or the stream ended), if it has.
    pub fn failure(&self) -> Option<String> {
        self.0.lock().ok().and_then(|why| why.clone())
    }

    fn fail(&self, why: String) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(why);
        }
    }
}

/// Forward terminal input until the channel closes. When the input stream fails or ends, the
/// app cannot be quit by key any more: the reason is kept in the returned [`InputWatch`] and
/// [`Event::Signal`]`(SIGHUP)` is sent (a terminal that cannot be read has hung up), so the loop
/// leaves and the terminal guard restores the terminal instead of running on without input.
/// The loop returns [`InputWatch::failure`] as its error.
pub fn spawn_input(tx: UnboundedSender<Event>) -> InputWatch {
    let watch = InputWatch::default();
    tokio::spawn(forward_input(EventStream::new(), tx, watch.clone()));
    watch
}

async fn forward_input<S>(mut stream: S, tx: UnboundedSender<Event>, watch: InputWatch)
where
    S: Stream<Item = std::io::Result<TermEvent>> + Unpin,
{
    let why = loop {
        match stream.next().await {
            Some(Ok(ev)) => {
                if tx.send(Event::Term(ev)).is_err() {
                    return; // the app is gone
                }
            }
            Some(Err(e)) => break format!("cannot read the terminal: {e}"),
            None => break "the terminal input ended".to_string(),
        }
    };
    watch.fail(why);
    let _ = tx.send(Event::Signal(signal_hook::consts::SIGHUP));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent};

    #[tokio::test]
    async fn issue_13_an_input_error_ends_the_app_with_the_reason() {
        let key = TermEvent::Key(KeyEvent::from(KeyCode::Char('x')));
        let input = futures_util::stream::iter(vec![
            Ok(key.clone()),
            Err(std::io::Error::other("device gone")),
            Ok(TermEvent::FocusGained),
        ]);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let watch = InputWatch::default();
        forward_input(input, tx, watch.clone()).await;
        assert_eq!(rx.recv().await, Some(Event::Term(key)));
        assert_eq!(rx.recv().await, Some(Event::Signal(signal_hook::consts::SIGHUP)), "the loop is told to leave");
        assert_eq!(rx.recv().await, None, "nothing is read after the error");
        assert_eq!(watch.failure().as_deref(), Some("cannot read the terminal: device gone"));
    }

    #[tokio::test]
    async fn issue_13_the_end_of_input_ends_the_app_too() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let watch = InputWatch::default();
        forward_input(futures_util::stream::iter(Vec::<std::io::Result<TermEvent>>::new()), tx, watch.clone()).await;
        assert_eq!(rx.recv().await, Some(Event::Signal(signal_hook::consts::SIGHUP)));
        assert_eq!(watch.failure().as_deref(), Some("the terminal input ended"));
    }

    #[tokio::test]
    async fn a_closed_app_stops_the_input_quietly() {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        drop(rx);
        let watch = InputWatch::default();
        let input = futures_util::stream::iter(vec![Ok(TermEvent::FocusGained)]);
        forward_input(input, tx, watch.clone()).await;
        assert_eq!(watch.failure(), None);
    }
}
