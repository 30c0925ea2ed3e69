//! Adapters: where prices, plans and (later) metrics come from, behind port traits.
//!
//! Each adapter is a thin shell around a pure `parse_*` function that is tested on fixtures.
//! Later sources (AWS Price List, CloudWatch, ElastiCache discovery, a live Redis) plug in here.

pub mod offline;
pub mod plan;

use std::future::Future;

use crate::model::price::PriceBook;

/// What a source could not do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The pricing cache is unreadable or inconsistent.
    #[error("pricing cache: {0}")]
    Cache(String),
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
