//! The pure model: workload × price book × policy → priced, checked options.
//!
//! Nothing in here does I/O, reads the clock or awaits: time (`as_of`) and prices come in as
//! parameters, so every result is reproducible.

pub mod bill;
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
pub mod review;
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
    /// A workload figure is outside the bounds every workload is held to.
    #[error("{}", workload_message(env, *from, error))]
    Workload {
        /// Environment.
        env: String,
        /// Where the figures come from.
        from: workload::WorkloadSource,
        /// The figure and its bounds.
        error: workload::OutOfBounds,
    },
    /// A money figure would not fit an exact decimal (or is beyond any cache's cost): a price
    /// or a figure is out of range.
    #[error(
        "environment '{env}': the monthly cost of {what} is beyond what capplan computes (more than $10^21): a price or a workload figure is out of range; check the prices (`capplan pricing refresh`) and the workload"
    )]
    Overflow {
        /// Environment.
        env: String,
        /// The option or line whose cost overflowed.
        what: String,
    },
}

fn workload_message(env: &str, from: workload::WorkloadSource, error: &workload::OutOfBounds) -> String {
    use workload::WorkloadSource;
    match from {
        WorkloadSource::Plan | WorkloadSource::Profile => {
            format!("environment '{env}': workload {error}; change it in [env.{env}.workload]")
        }
        WorkloadSource::Cloudwatch | WorkloadSource::File => format!(
            "environment '{env}': the measured workload's {error}; the figure comes from the environment's metrics: check them, or set workload = \"plan\" in [env.{env}.metrics] to size for the plan's figures"
        ),
    }
}
