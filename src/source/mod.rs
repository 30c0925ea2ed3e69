//! Adapters: where prices, plans and (later) metrics come from, behind port traits.
//!
//! Each adapter is a thin shell around a pure `parse_*` function that is tested on fixtures.
//! Later sources (AWS Price List, CloudWatch, ElastiCache discovery, a live Redis) plug in here.

pub mod metrics;
pub mod offline;
pub mod plan;
pub mod plan_edit;
pub mod redis_profile;

use std::future::Future;

use crate::model::observed::MetricSeries;
use crate::model::price::PriceBook;
use std::path::PathBuf;

/// What a source could not do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The pricing cache is unreadable or inconsistent.
    #[error("pricing cache: {0}")]
    Cache(String),
    /// A live Redis/Valkey cannot be profiled.
    #[error("{target}: {message}")]
    Redis {
        /// The server, password removed.
        target: String,
        /// What went wrong and what to do.
        message: String,
    },
    /// A metrics file is unreadable or not in the documented shape.
    #[error("metrics file '{file}': {message}")]
    Metrics {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
}

/// A source of prices (the embedded cache now; the AWS Price List API later).
pub trait PriceSource: Send + Sync {
    /// The price book this source holds.
    fn price_book(&self) -> impl Future<Output = Result<PriceBook, SourceError>> + Send;
}

/// The embedded pricing cache: works offline, on first run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Offline;

impl PriceSource for Offline {
    async fn price_book(&self) -> Result<PriceBook, SourceError> {
        offline::embedded().cloned()
    }
}

/// A source of metric series for one environment (a file today; CloudWatch later).
pub trait MetricsSource: Send + Sync {
    /// The series.
    fn series(&self) -> impl Future<Output = Result<Vec<MetricSeries>, SourceError>> + Send;
}

/// Where an environment's metrics come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetricsLocation {
    /// A `GetMetricData` JSON export or flat CSV on disk.
    File(PathBuf),
    /// The bundled example's prod metrics (compiled in).
    Example,
}

impl MetricsLocation {
    /// How it is named in messages.
    pub fn name(&self) -> String {
        match self {
            MetricsLocation::File(p) => p.display().to_string(),
            MetricsLocation::Example => format!("{} (bundled example)", metrics::EXAMPLE_METRICS_NAME),
        }
    }

    /// Read and parse, synchronously.
    pub fn load(&self) -> Result<Vec<MetricSeries>, SourceError> {
        match self {
            MetricsLocation::File(path) => metrics::load(path),
            MetricsLocation::Example => metrics::parse(metrics::EXAMPLE_METRICS, metrics::EXAMPLE_METRICS_NAME),
        }
    }
}

impl MetricsSource for MetricsLocation {
    async fn series(&self) -> Result<Vec<MetricSeries>, SourceError> {
        self.load()
    }
}
