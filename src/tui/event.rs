//! One event channel: terminal input, ticks, and results of background work.

use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::StreamExt;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

use crate::model::observed::MetricsData;

/// Something that happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// Time passed (spinners, message expiry).
    Tick,
    /// Terminal input or a resize.
    Term(TermEvent),
    /// Background work finished.
    Source(SourceEvent),
}

/// Results of background work, as facts.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceEvent {
    /// An environment's metrics file was read (or could not be).
    MetricsLoaded {
        /// Environment.
        env: String,
        /// The series, or why not.
        result: Result<Box<MetricsData>, String>,
    },
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
