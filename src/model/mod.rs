//! The pure model: workload × price book × policy → priced, checked options.
//!
//! Nothing in here does I/O, reads the clock or awaits: time (`as_of`) and prices come in as
//! parameters, so every result is reproducible.

pub mod capacity;
pub mod catalog;
pub mod cost;
pub mod evaluate;
pub mod limits;
pub mod measured_workload;
pub mod metering;
pub mod observed;
pub mod price;
pub mod price_change;
pub mod profile;
pub mod recommend;
pub mod region;
pub mod slot;
pub mod throughput;
pub mod units;
pub mod workload;

pub use evaluate::{EnvEvaluation, Evaluated, OptionKind, evaluate};

/// What the model cannot do with its inputs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The price book has nothing for the region.
    #[error("unknown region '{region}': embedded prices cover {}; this version prices only what is embedded", available.join(", "))]
    UnknownRegion {
        /// Requested region.
        region: String,
        /// Regions the book covers.
        available: Vec<String>,
    },
    /// A price the deployment needs is not in the book.
    #[error(transparent)]
    MissingPrice(#[from] cost::MissingPrice),
    /// An Upstash plan id the book does not know.
    #[error("unknown Upstash plan '{plan}'")]
    UnknownUpstashPlan {
        /// Plan id.
        plan: String,
    },
}
