//! The crate's error type and the exit code each error maps to.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::model::ModelError;
use crate::source::SourceError;
use crate::source::plan::PlanError;

/// Everything that can go wrong in a capplan run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The plan file is malformed or names something unknown.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A data source failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The model cannot evaluate the inputs.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A file could not be read or written.
    #[error("cannot {action} '{}': {source}", path.display())]
    Io {
        /// What was being done (`read`, `write`…).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The command line asks for something that cannot be done.
    #[error("{0}")]
    Usage(String),
    /// The terminal could not be set up or drawn.
    #[error("terminal: {0}")]
    Terminal(String),
    /// A chart could not be drawn (`report --charts`).
    #[error(transparent)]
    Chart(#[from] crate::report::charts::ChartError),
}

impl Error {
    /// Exit code: 2 for every error (1 is reserved for "no feasible plan / over budget").
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(2)
    }
}

/// Result with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
