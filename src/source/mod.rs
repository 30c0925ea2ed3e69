//! Adapters: where prices, plans and metrics come from, behind port traits.
//!
//! Each adapter is a thin shell around a pure `parse_*` function that is tested on fixtures.
//! The live AWS sources ([`aws`] configuration and errors, [`discovery`] of caches,
//! [`cloudwatch`] metrics) are async shells around pure planning and mapping functions.

pub mod aws;
pub mod bill;
pub mod cloudwatch;
pub mod discovered_plan;
pub mod discovery;
pub mod live;
pub mod metrics;
pub mod offline;
pub mod plan;
pub mod plan_edit;
pub mod price_refresh;
pub mod pricelist;
pub mod prices;
pub mod redis_profile;
pub mod terraform;
pub mod user_cache;

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
    /// A profile file (`capplan profile --format json -o FILE`) cannot be read.
    #[error("{file}: {message}")]
    ProfileFile {
        /// The file.
        file: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A live Redis/Valkey cannot be profiled.
    #[error("{target}: {message}")]
    Redis {
        /// The server, password removed.
        target: String,
        /// What went wrong and what to do.
        message: String,
    },
    /// `--offline` and what is needed is not cached.
    #[error("--offline: no cached {what}; {hint}")]
    Offline {
        /// What is missing.
        what: String,
        /// How to get it.
        hint: String,
    },
    /// The plan names a cache with the key of another kind.
    #[error("'{id}': {message}")]
    WrongCacheKind {
        /// The cache id.
        id: String,
        /// What it is and how to name it.
        message: String,
    },
    /// The user cache directory cannot be read or written.
    #[error("cache '{}': {message}", path.display())]
    UserCache {
        /// The file or folder.
        path: PathBuf,
        /// What went wrong and what to do.
        message: String,
    },
    /// A bill export (a Cost and Usage Report file) is unreadable or not in the documented shape.
    #[error("bill '{file}': {message}")]
    Bill {
        /// The file.
        file: String,
        /// What is wrong and what to do.
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
    /// No AWS region is configured.
    #[error("no AWS region: pass --region, set AWS_REGION, or set region in the AWS profile")]
    AwsNoRegion,
    /// The standard credential chain found nothing.
    #[error(
        "no AWS credentials found: set AWS_PROFILE (or pass --profile), run `aws sso login`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ({detail})"
    )]
    AwsNoCredentials {
        /// What the chain tried, redacted.
        detail: String,
    },
    /// A credential provider failed (a broken profile, a failing `credential_process`…).
    #[error("cannot load AWS credentials for '{action}': {detail}; check the AWS profile (`aws configure list`)")]
    AwsCredentials {
        /// IAM action that was about to be called.
        action: String,
        /// Why, redacted.
        detail: String,
    },
    /// An SSO session or temporary credentials have expired.
    #[error("{}", session_expired(profile.as_deref()))]
    AwsSessionExpired {
        /// Profile name, when one is named (`AWS_PROFILE`).
        profile: Option<String>,
    },
    /// AWS does not accept the credentials (unknown key, bad signature).
    #[error("AWS rejected the credentials calling '{action}' ({code}): check AWS_PROFILE or the access key; {message}")]
    AwsCredentialsRejected {
        /// IAM action.
        action: String,
        /// AWS error code.
        code: String,
        /// AWS's message, redacted.
        message: String,
    },
    /// The credentials lack an IAM permission.
    #[error(
        "access denied: these AWS credentials may not call '{action}' on '{subject}'; grant the IAM action '{action}' to the role or user (capplan only reads)"
    )]
    AwsAccessDenied {
        /// The missing IAM action, e.g. `cloudwatch:GetMetricData`.
        action: String,
        /// What the call was about.
        subject: String,
    },
    /// AWS kept throttling after every retry.
    #[error("AWS throttled '{action}' on every attempt: wait a minute and retry, or fetch fewer caches at once")]
    AwsThrottled {
        /// IAM action.
        action: String,
    },
    /// AWS kept failing with a server error after every retry.
    #[error(
        "AWS failed '{action}' with HTTP {status} ({code}) on every attempt: retry later (see health.aws.amazon.com)"
    )]
    AwsUnavailable {
        /// IAM action.
        action: String,
        /// HTTP status of the last attempt.
        status: u16,
        /// AWS error code.
        code: String,
    },
    /// A call did not finish in time.
    #[error(
        "'{action}' in '{region}' timed out (limit {seconds} s): check the network or AWS_ENDPOINT_URL, then retry"
    )]
    AwsTimeout {
        /// IAM action.
        action: String,
        /// Region.
        region: String,
        /// The operation time limit, seconds (0 when unknown).
        seconds: u64,
    },
    /// A cache id that does not exist.
    #[error(
        "no cache '{subject}' in region '{region}' ({code}): check the id and the region (`aws elasticache describe-replication-groups` lists them)"
    )]
    AwsNotFound {
        /// The id asked for.
        subject: String,
        /// Region searched.
        region: String,
        /// AWS error code.
        code: String,
    },
    /// The AWS Price List (an API answer or a bulk offer file) cannot be used.
    #[error("AWS Price List, {what}: {message}")]
    PriceList {
        /// What was being read (a URL, the prices of a region…).
        what: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A region code capplan cannot price: not an AWS region (with the likely one), or in a
    /// partition capplan does not price.
    #[error("{message}")]
    UnknownRegion {
        /// The code given.
        region: String,
        /// What is wrong and what is accepted.
        message: String,
    },
    /// An environment variable capplan reads holds a value it does not accept.
    #[error("{name}: {message}")]
    Setting {
        /// The variable.
        name: String,
        /// The value, what is accepted and what it is for.
        message: String,
    },
    /// Any other AWS failure.
    #[error("'{action}' failed: {message}")]
    Aws {
        /// IAM action.
        action: String,
        /// What AWS or the SDK said, redacted.
        message: String,
    },
}

fn session_expired(profile: Option<&str>) -> String {
    match profile {
        Some(p) => format!(
            "the AWS session of profile '{p}' has expired: run `aws sso login --profile {p}` (or refresh its temporary credentials)"
        ),
        None => "the AWS session has expired: run `aws sso login` (with --profile NAME for a named profile) or refresh the temporary credentials".to_string(),
    }
}

/// A source of prices (the embedded cache; [`prices::load`] layers refreshed regions over it).
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
    /// A live cache: ElastiCache discovery and CloudWatch (or the user cache when offline).
    Live(live::LiveRequest),
}

impl MetricsLocation {
    /// How it is named in messages.
    pub fn name(&self) -> String {
        match self {
            MetricsLocation::File(p) => p.display().to_string(),
            MetricsLocation::Example => format!("{} (bundled example)", metrics::EXAMPLE_METRICS_NAME),
            MetricsLocation::Live(req) => format!("CloudWatch: {}", live::describe(req)),
        }
    }

    /// Read and parse, synchronously (a live cache is fetched now, or read from the user cache
    /// with `--offline`).
    pub fn load(&self) -> Result<Vec<MetricSeries>, SourceError> {
        match self {
            MetricsLocation::File(path) => metrics::load(path),
            MetricsLocation::Example => metrics::parse(metrics::EXAMPLE_METRICS, metrics::EXAMPLE_METRICS_NAME),
            MetricsLocation::Live(req) => {
                let fetched = live::load(req, chrono::Utc::now())?;
                Ok(live::for_workload(&fetched.discovered, live::series(&fetched)?))
            }
        }
    }
}

impl MetricsSource for MetricsLocation {
    async fn series(&self) -> Result<Vec<MetricSeries>, SourceError> {
        self.load()
    }
}
