//! The plan file (`capplan.toml`): environments, workloads and what runs today.
//!
//! [`parse_plan`] is pure: text in, validated [`Plan`] out. Every error names the file, line,
//! column and key, says what is wrong and what would be accepted.

use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::{self, Deserializer};
use std::fmt;
use std::ops::Range;
use toml::Spanned;

use crate::model::capacity::{Burstable, Policy, Vendor};
use crate::model::catalog::Engine;
use crate::model::limits::{
    MAX_NODES_PER_CLUSTER, MAX_REPLICAS_PER_SHARD, MEMCACHED_MAX_NODES, SERVERLESS_LIMIT_DATA_GB,
    SERVERLESS_LIMIT_ECPU_PER_SEC,
};
use crate::model::price::{Payment, PriceBook, Term, TermLength};
use crate::model::region::{region_codes, region_name};
use crate::model::units::decimal_from_f64;
use crate::model::workload::{
    Auth, Backup, Clients, Commit, Current, DEFAULT_CLIENT_AZS, Deployment, EngineVersion, EnvInputs, MAX_CLIENT_AZS,
    MAX_CONNECTIONS, MAX_DATA_GB, MAX_GROWTH_PCT, MAX_PER_SEC, MAX_PUBSUB_SUBSCRIBERS, MAX_SIZE_KB, NodeLayout, Role,
    SizeBucket, Tier, UsageLimits, Workload, WorkloadSource, default_snapshot_retention,
};

/// The bundled example plan (also what `capplan init` writes).
pub const EXAMPLE_PLAN: &str = include_str!("../../assets/capplan.example.toml");
/// How the bundled example is named in messages.
pub const EXAMPLE_PLAN_NAME: &str = "bundled example plan (assets/capplan.example.toml)";

/// A validated plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Where it was read from (a path, or the bundled example).
    pub origin: String,
    /// Environments in file order.
    pub envs: Vec<EnvInputs>,
    /// Metrics files by environment name (`[env.NAME.metrics] file = "…"`).
    pub metrics: Vec<MetricsRef>,
    /// Profiles of a live Redis/Valkey by environment name (`[env.NAME.profile] file = "…"`,
    /// JSON written by `capplan profile --format json -o FILE`): the app shows them.
    pub profiles: Vec<ProfileRef>,
    /// How the monthly review finds each environment's lines in a bill (`[env.NAME.review]`).
    pub reviews: Vec<ReviewRef>,
    /// Current deployments read from Terraform (`[env.NAME.current] terraform = "DIR"`): the
    /// loader reads the module and sets each environment's `current` (see
    /// [`crate::source::terraform::read_current`]).
    pub terraform: Vec<TerraformRef>,
}

/// `[env.NAME.review]`: the bill lines of an environment, beyond the cache ids its metrics name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewRef {
    /// Environment.
    pub env: String,
    /// A cost allocation tag, `key=value` (`tag = "Environment=prod"`).
    pub tag: Option<(String, String)>,
    /// More cache ids (replication groups, clusters, Serverless caches) that are the environment's.
    pub resources: Vec<String>,
}

/// `[env.NAME.current] terraform = "DIR"` (and `resource = "ADDRESS"`), as the plan names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerraformRef {
    /// Environment.
    pub env: String,
    /// The module folder, as written (relative to the plan file's folder).
    pub dir: String,
    /// The resource address, when the module has several caches.
    pub resource: Option<String>,
    /// The plan file.
    pub file: String,
    /// Line of the `terraform` key.
    pub line: usize,
    /// Column of the `terraform` key.
    pub column: usize,
}

/// An environment's profile file, as the plan names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileRef {
    /// Environment.
    pub env: String,
    /// The file, as written (relative to the plan file's folder).
    pub file: String,
    /// Where in the plan it is written: `capplan.toml:12:8`.
    pub at: String,
}

/// Where an environment's metrics come from, as the plan names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetricsOrigin {
    /// A metrics file, path as written (relative to the plan file's folder).
    File(String),
    /// A live cache in the environment's region: CloudWatch metrics, ElastiCache discovery.
    Aws(AwsCacheRef),
}

/// A cache in AWS, named the way `[env.X.metrics]` names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AwsCacheRef {
    /// `serverless_cache = "…"`.
    Serverless(String),
    /// `replication_group = "…"`.
    ReplicationGroup(String),
    /// `cache_cluster = "…"` (a standalone node-based cluster, Memcached included).
    CacheCluster(String),
}

impl AwsCacheRef {
    /// The cache id or name.
    pub fn id(&self) -> &str {
        match self {
            AwsCacheRef::Serverless(id) | AwsCacheRef::ReplicationGroup(id) | AwsCacheRef::CacheCluster(id) => id,
        }
    }

    /// The plan key that names it.
    pub fn key(&self) -> &'static str {
        match self {
            AwsCacheRef::Serverless(_) => "serverless_cache",
            AwsCacheRef::ReplicationGroup(_) => "replication_group",
            AwsCacheRef::CacheCluster(_) => "cache_cluster",
        }
    }
}

/// Days of CloudWatch metrics fetched when the plan does not say.
pub const DEFAULT_METRICS_DAYS: u32 = 14;

/// An environment's metrics, as the plan names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricsRef {
    /// Environment.
    pub env: String,
    /// A file or a live cache.
    pub origin: MetricsOrigin,
    /// Days of CloudWatch metrics to fetch (live caches).
    pub days: u32,
    /// `workload = "measured"` (the default): the measured figures replace the plan's;
    /// `"plan"`: the plan's figures drive the costs and the measured ones are shown beside them.
    pub use_measured: bool,
    /// The environment has no `[env.X.workload]` table: every figure comes from the metrics.
    pub workload_from_metrics_only: bool,
    /// Where in the plan it is written: `capplan.toml:12:8`.
    pub at: String,
}

impl MetricsRef {
    /// The plan key naming the source, for messages: `env.prod.metrics.file`.
    pub fn key(&self) -> String {
        match &self.origin {
            MetricsOrigin::File(_) => format!("env.{}.metrics.file", self.env),
            MetricsOrigin::Aws(cache) => format!("env.{}.metrics.{}", self.env, cache.key()),
        }
    }
}

impl Plan {
    /// One environment by name.
    pub fn env(&self, name: &str) -> Option<&EnvInputs> {
        self.envs.iter().find(|e| e.name == name)
    }

    /// Environment names in file order.
    pub fn env_names(&self) -> Vec<&str> {
        self.envs.iter().map(|e| e.name.as_str()).collect()
    }

    /// The profile file of one environment.
    pub fn profile_of(&self, env: &str) -> Option<&ProfileRef> {
        self.profiles.iter().find(|p| p.env == env)
    }

    /// The metrics file of one environment.
    pub fn metrics_of(&self, env: &str) -> Option<&MetricsRef> {
        self.metrics.iter().find(|m| m.env == env)
    }

    /// The `[env.NAME.review]` of one environment.
    pub fn review_of(&self, env: &str) -> Option<&ReviewRef> {
        self.reviews.iter().find(|r| r.env == env)
    }
}

/// A plan-file error, located.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct PlanError {
    /// File name as given.
    pub file: String,
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub column: usize,
    /// Dotted key path, e.g. `env.prod.workload.data_gb`.
    pub key: String,
    /// What is wrong, including what is accepted.
    pub message: String,
    /// The offending source line with a caret under the span.
    pub snippet: Option<String>,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        } else {
            write!(f, "{}: ", self.file)?;
        }
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)?;
        if let Some(snippet) = &self.snippet {
            write!(f, "\n{snippet}")?;
        }
        Ok(())
    }
}

struct Locator<'a> {
    file: &'a str,
    text: &'a str,
}

impl Locator<'_> {
    fn error(&self, span: Option<Range<usize>>, key: &str, message: impl Into<String>) -> PlanError {
        let (line, column, snippet) = match span {
            Some(span) => self.position(span),
            None => (0, 0, None),
        };
        PlanError { file: self.file.to_string(), line, column, key: key.to_string(), message: message.into(), snippet }
    }

    fn position(&self, span: Range<usize>) -> (usize, usize, Option<String>) {
        let start = span.start.min(self.text.len());
        let before = &self.text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = self.text[line_start..start].chars().count() + 1;
        let line_end = self.text[line_start..].find('\n').map_or(self.text.len(), |i| line_start + i);
        let source_line = self.text[line_start..line_end].trim_end_matches('\r');
        let width = self.text[start..span.end.min(line_end).max(start)].chars().count().max(1);
        let gutter = line.to_string().len();
        let snippet = format!(
            "{pad} |\n{line} | {source_line}\n{pad} | {space}{carets}",
            pad = " ".repeat(gutter),
            space = " ".repeat(column - 1),
            carets = "^".repeat(width)
        );
        (line, column, Some(snippet))
    }
}

// ---------------------------------------------------------------------------------------------
// Raw shapes, as written. Numbers go through checked newtypes so a bad value is located by toml.

/// A finite number from 0 to `MAX` (integers accepted), exact as written. The bounds keep every
/// product the cost model forms far inside what an exact decimal holds.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Amount<const MAX: u64>(Decimal);

impl<'de, const MAX: u64> Deserialize<'de> for Amount<MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if v.is_nan() || v.is_infinite() {
            return Err(de::Error::custom(format!("expected a finite number >= 0, found {v}")));
        }
        if v < 0.0 {
            return Err(de::Error::custom(format!("expected a number >= 0, found {v}")));
        }
        if v > MAX as f64 {
            let found = if v >= 1e15 { format!("{v:e}") } else { format!("{v}") };
            return Err(de::Error::custom(format!("expected at most {MAX}, found {found}")));
        }
        decimal_from_f64(v).map(Amount).ok_or_else(|| de::Error::custom(format!("{v} cannot be held exactly")))
    }
}

/// Said where a price or region is missing.
const EMBEDDED_ONLY: &str = " (`capplan pricing refresh` fetches the region's current prices from the AWS Price List)";

/// Why `region` cannot be planned: a real AWS region without embedded prices (and what to do),
/// or not a region at all (and the likely one).
pub(crate) fn unpriced_region(region: &str, book: &PriceBook) -> String {
    let covered = book.region_names().join(", ");
    match region_name(region) {
        Some(name) => format!(
            "'{region}' ({name}) is an AWS region, but the prices do not cover it; covered: {covered}. \
             Fetch its prices from the AWS Price List with `capplan pricing refresh --region {region}`, or plan with \
             a covered region nearby as an approximation, and say so where the figures are used"
        ),
        None => {
            let codes: Vec<&str> = region_codes().collect();
            format!(
                "'{region}' is not an AWS region{}; regions look like 'us-east-1'; embedded prices cover: {covered}",
                suggestion(region, &codes)
            )
        }
    }
}

/// What a missing key means and what it accepts, for the keys without a default.
fn missing_key_hint(field: &str) -> Option<&'static str> {
    Some(match field {
        "engine" => "the protocol the app speaks; accepted: 'valkey', 'redis' (Redis OSS), 'memcached'",
        "workload" => "each environment needs an [env.NAME.workload] table with at least data_gb and requests_per_sec",
        "data_gb" => "average stored data in GiB, e.g. data_gb = 8.0",
        "requests_per_sec" => "average requests per second, e.g. requests_per_sec = 2500",
        "kind" => "what runs today; accepted: 'node', 'serverless', 'upstash'",
        "file" => "the metrics file, relative to the plan's folder, e.g. file = \"capplan-metrics-prod.json\"",
        "term" => "accepted: '1yr', '3yr'",
        "payment" => "accepted: 'no-upfront', 'partial-upfront', 'all-upfront'",
        "kb" => "the size of the requests in this bucket, KB",
        "share" => "the share of requests of this size, 0-1",
        _ => return None,
    })
}

/// The plan's bytes as text; bytes that are not UTF-8 are an error naming the line and byte.
pub fn plan_text<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, PlanError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let before = &bytes[..at];
        let line = before.split(|b| *b == b'\n').count();
        let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let column = at - line_start + 1;
        PlanError {
            file: file.to_string(),
            line,
            column,
            key: String::new(),
            message: format!(
                "the plan is not UTF-8 text: byte {column} of line {line} (byte {} of the file) is 0x{:02x}; save the file as UTF-8",
                at + 1,
                bytes[at]
            ),
            snippet: None,
        }
    })
}

/// Money, counts: up to 1e12.
type NonNegative = Amount<1_000_000_000_000>;
/// Data sizes in GiB: up to 10 PiB (the bounds are the workload's, [`crate::model::workload`]).
type DataGb = Amount<MAX_DATA_GB>;
/// Rates per second (requests, messages, ECPU): up to a billion.
type PerSec = Amount<MAX_PER_SEC>;
/// Payload and item sizes in KB: up to 512 MiB (Redis's largest value; a sanity bound).
type SizeKb = Amount<MAX_SIZE_KB>;
/// Growth, percent per month: up to doubling every month.
type GrowthPct = Amount<MAX_GROWTH_PCT>;

/// A share between 0 and 1.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Fraction(Decimal);

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Amount(v) = NonNegative::deserialize(d)?;
        if v > Decimal::ONE {
            return Err(de::Error::custom(format!("expected a share between 0 and 1, found {v}")));
        }
        Ok(Fraction(v))
    }
}

/// A whole number in a range.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Count<const MIN: u32, const MAX: u32>(u32);

impl<'de, const MIN: u32, const MAX: u32> Deserialize<'de> for Count<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = i64::deserialize(d)?;
        if v < i64::from(MIN) || v > i64::from(MAX) {
            return Err(de::Error::custom(format!("expected a whole number from {MIN} to {MAX}, found {v}")));
        }
        Ok(Count(u32::try_from(v).map_err(de::Error::custom)?))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    region: Option<Spanned<String>>,
    policy: Option<RawPolicy>,
    env: Option<Spanned<IndexMap<String, Spanned<RawEnv>>>>,
}

/// A share above 0 and at most 1.
#[derive(Clone, Copy, Debug, PartialEq)]
struct PositiveFraction(f64);

impl<'de> Deserialize<'de> for PositiveFraction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Fraction(v) = Fraction::deserialize(d)?;
        if v.is_zero() {
            return Err(de::Error::custom("expected a share above 0 and at most 1, found 0"));
        }
        Ok(PositiveFraction(crate::model::units::to_f64(v)))
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    headroom: Option<PositiveFraction>,
    // sanity bounds of capplan's own: five years of growth; beyond 75 % reserved there is
    // little cache left (AWS advises up to 50 % on micro nodes)
    horizon_months: Option<Count<0, 60>>,
    reserved_memory_pct: Option<Count<0, 75>>,
    burstable: Option<Burstable>,
    // a simpler layout may cost this much more and still win; above 50 % it is no longer a margin
    simplicity_margin_pct: Option<Amount<50>>,
    vendors: Option<Spanned<Vec<Vendor>>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
enum RawCommit {
    #[serde(rename = "none")]
    None,
    #[serde(rename = "1yr")]
    OneYear,
    #[serde(rename = "3yr")]
    ThreeYears,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnv {
    region: Option<Spanned<String>>,
    engine: Engine,
    role: Option<Role>,
    tier: Option<Tier>,
    #[serde(default)]
    ha: bool,
    replicas: Option<Count<1, MAX_REPLICAS_PER_SHARD>>,
    snapshot_retention_days: Option<Count<0, 35>>,
    commit: Option<RawCommit>,
    commit_payment: Option<Payment>,
    budget_usd: Option<NonNegative>,
    cross_az_fraction: Option<Fraction>,
    policy: Option<RawPolicy>,
    workload: Option<Spanned<RawWorkload>>,
    current: Option<Spanned<RawCurrent>>,
    metrics: Option<Spanned<RawMetrics>>,
    profile: Option<RawProfile>,
    review: Option<RawReview>,
}

/// `[env.X.review]`: how the monthly review finds the environment's bill lines.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReview {
    tag: Option<Spanned<String>>,
    #[serde(default)]
    resources: Vec<Spanned<String>>,
}

/// `[env.X.profile]`: a profile JSON of the environment's server.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    file: Spanned<String>,
}

/// Where a written workload's figures come from (`cloudwatch` and `file` are set by capplan
/// when it uses metrics, never written).
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum WrittenSource {
    Plan,
    Profile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetrics {
    file: Option<Spanned<String>>,
    serverless_cache: Option<Spanned<String>>,
    replication_group: Option<Spanned<String>>,
    cache_cluster: Option<Spanned<String>>,
    // CloudWatch keeps hourly data 455 days (15 months)
    days: Option<Count<1, 455>>,
    workload: Option<MetricsUse>,
}

/// `[env.X.metrics] workload`: whether the measured figures replace the plan's.
#[derive(Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum MetricsUse {
    Measured,
    Plan,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkload {
    data_gb: Option<DataGb>,
    peak_data_gb: Option<Spanned<DataGb>>,
    requests_per_sec: Option<PerSec>,
    peak_requests_per_sec: Option<Spanned<PerSec>>,
    avg_request_kb: Option<Spanned<SizeKb>>,
    request_sizes: Option<Spanned<Vec<RawSizeBucket>>>,
    read_ratio: Option<Fraction>,
    connections: Option<Count<0, MAX_CONNECTIONS>>,
    min_ecpu_per_sec: Option<PerSec>,
    #[serde(default)]
    cross_slot_commands: bool,
    growth_pct_per_month: Option<GrowthPct>,
    pubsub_messages_per_sec: Option<PerSec>,
    peak_pubsub_messages_per_sec: Option<Spanned<PerSec>>,
    pubsub_payload_kb: Option<SizeKb>,
    pubsub_subscribers: Option<Count<0, MAX_PUBSUB_SUBSCRIBERS>>,
    #[serde(default)]
    keyspace_notifications: bool,
    #[serde(default)]
    uses_select: bool,
    reads_from_replicas: Option<bool>,
    auth: Option<Auth>,
    tls: Option<bool>,
    max_item_kb: Option<SizeKb>,
    hot_key_share: Option<Fraction>,
    hot_data_fraction: Option<Fraction>,
    keys_have_ttl: Option<bool>,
    #[serde(default)]
    must_not_evict: bool,
    #[serde(default)]
    pubsub_patterns: bool,
    client_cluster_aware: Option<bool>,
    clients: Option<Clients>,
    new_connections_per_sec: Option<PerSec>,
    // AWS regions have 3 to 6 Availability Zones
    client_azs: Option<Count<1, MAX_CLIENT_AZS>>,
    source: Option<WrittenSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSizeBucket {
    kb: SizeKb,
    share: Fraction,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum CurrentKind {
    Node,
    Serverless,
    Upstash,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReserved {
    term: TermLength,
    payment: Payment,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCurrent {
    kind: Option<CurrentKind>,
    terraform: Option<Spanned<String>>,
    resource: Option<Spanned<String>>,
    engine: Option<Spanned<Engine>>,
    node_type: Option<Spanned<String>>,
    engine_version: Option<Spanned<String>>,
    cluster_mode: Option<Spanned<bool>>,
    shards: Option<Spanned<Count<1, 500>>>,
    replicas: Option<Spanned<Count<0, MAX_REPLICAS_PER_SHARD>>>,
    reserved: Option<Spanned<RawReserved>>,
    snapshot_retention_days: Option<Count<0, 35>>,
    snapshot_gb: Option<DataGb>,
    plan: Option<Spanned<String>>,
    max_data_gb: Option<Spanned<DataGb>>,
    max_ecpu_per_sec: Option<Spanned<PerSec>>,
}

// ---------------------------------------------------------------------------------------------

/// The dotted key a deserialization error is at (`env.prod.workload.data_gb`), without the
/// names of the spans the TOML reader threads through.
fn key_of<E>(e: &serde_path_to_error::Error<E>) -> String {
    e.path().to_string().split('.').filter(|s| !s.starts_with("$__serde_spanned")).collect::<Vec<_>>().join(".")
}

/// Parse and validate a plan. `file` names it in errors; `book` is what node types, regions and
/// reserved offers are checked against.
pub fn parse_plan(text: &str, file: &str, book: &PriceBook) -> Result<Plan, PlanError> {
    let loc = Locator { file, text };
    let deserializer = toml::Deserializer::parse(text).map_err(|e| loc.error(e.span(), "", tidy(e.message())))?;
    let raw: RawPlan = serde_path_to_error::deserialize(deserializer)
        .map_err(|e| loc.error(e.inner().span(), &key_of(&e), tidy(e.inner().message())))?;

    let Some(envs) = raw.env else {
        return Err(loc.error(
            None,
            "env",
            "no environments: add at least one [env.NAME] table (see `capplan init` for an example)",
        ));
    };
    if envs.get_ref().is_empty() {
        return Err(loc.error(Some(envs.span()), "env", "no environments: add at least one [env.NAME] table"));
    }
    let mut out = Vec::new();
    check_policy(&loc, "policy.", raw.policy.as_ref())?;
    let default_policy = policy(&Policy::default(), raw.policy.as_ref());
    let mut metrics = Vec::new();
    let mut profiles = Vec::new();
    let mut reviews = Vec::new();
    let mut terraform = Vec::new();
    for (name, env) in envs.into_inner() {
        let span = env.span();
        let env = env.into_inner();
        if let Some(r) = &env.review {
            reviews.push(review_ref(&loc, &name, r)?);
        }
        if let Some(current) = &env.current
            && current.get_ref().terraform.is_some()
        {
            terraform.push(terraform_ref(&loc, &name, current.get_ref())?);
        }
        if let Some(p) = &env.profile {
            let text = p.file.get_ref().trim();
            if text.is_empty() {
                return Err(loc.error(
                    Some(p.file.span()),
                    &format!("env.{name}.profile.file"),
                    "name the profile file, e.g. file = \"prod.profile.json\" (written by `capplan profile URL --format json -o prod.profile.json`)",
                ));
            }
            let (line, column, _) = loc.position(p.file.span());
            profiles.push(ProfileRef {
                env: name.clone(),
                file: text.to_string(),
                at: format!("{file}:{line}:{column}"),
            });
        }
        if let Some(m) = &env.metrics {
            metrics.push(metrics_ref(&loc, file, &name, m, env.workload.is_none())?);
        } else if env.workload.is_none() {
            return Err(loc.error(
                Some(span.clone()),
                &format!("env.{name}"),
                format!(
                    "missing [env.{name}.workload]: give the workload (at least data_gb and requests_per_sec), or [env.{name}.metrics] to measure it (file = \"…\", or serverless_cache / replication_group / cache_cluster = \"…\")"
                ),
            ));
        }
        out.push(env_inputs(&loc, &name, span, env, raw.region.as_ref(), &default_policy, book)?);
    }
    Ok(Plan { origin: file.to_string(), envs: out, metrics, profiles, reviews, terraform })
}

/// `[env.NAME.review]`, checked: the tag is `key=value`, resource ids are not empty.
fn review_ref(loc: &Locator<'_>, name: &str, r: &RawReview) -> Result<ReviewRef, PlanError> {
    let tag = match &r.tag {
        Some(t) => match t.get_ref().split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                Some((k.trim().to_string(), v.trim().to_string()))
            }
            _ => {
                return Err(loc.error(
                    Some(t.span()),
                    &format!("env.{name}.review.tag"),
                    format!(
                        "'{}' is not a cost allocation tag: write it as key=value, e.g. tag = \"Environment={name}\"",
                        t.get_ref()
                    ),
                ));
            }
        },
        None => None,
    };
    let mut resources = Vec::new();
    for id in &r.resources {
        let text = id.get_ref().trim();
        if text.is_empty() {
            return Err(loc.error(
                Some(id.span()),
                &format!("env.{name}.review.resources"),
                "an empty cache id: name a replication group, cache cluster or Serverless cache, e.g. \"shop-prod\"",
            ));
        }
        resources.push(text.to_string());
    }
    Ok(ReviewRef { env: name.to_string(), tag, resources })
}

/// `base` with the keys `raw` sets.
fn policy(base: &Policy, raw: Option<&RawPolicy>) -> Policy {
    let mut p = base.clone();
    if let Some(raw) = raw {
        if let Some(h) = raw.headroom {
            p.headroom = h.0;
        }
        if let Some(m) = raw.horizon_months {
            p.horizon_months = m.0;
        }
        if let Some(r) = raw.reserved_memory_pct {
            p.reserved_memory = f64::from(r.0) / 100.0;
        }
        if let Some(b) = raw.burstable {
            p.burstable = b;
        }
        if let Some(m) = raw.simplicity_margin_pct {
            p.simplicity_margin = m.0 / Decimal::from(100);
        }
        if let Some(v) = &raw.vendors {
            let mut vendors = v.get_ref().clone();
            vendors.sort();
            vendors.dedup();
            p.vendors = vendors;
        }
    }
    p
}

/// An empty `vendors` list rules everything out: say so at the key.
fn check_policy(loc: &Locator<'_>, key: &str, raw: Option<&RawPolicy>) -> Result<(), PlanError> {
    if let Some(v) = raw.and_then(|r| r.vendors.as_ref())
        && v.get_ref().is_empty()
    {
        return Err(loc.error(
            Some(v.span()),
            &format!("{key}vendors"),
            "an empty list rules out every option; accepted: 'aws', 'upstash' (e.g. vendors = [\"aws\"])",
        ));
    }
    Ok(())
}

/// Make toml/serde messages read like ours: no trailing period, values in single quotes, types
/// in words, and the likely key for an unknown one.
fn tidy(message: &str) -> String {
    let message = message
        .trim()
        .trim_end_matches('.')
        .replace('`', "'")
        .replace("expected f64", "expected a number")
        .replace("expected i64", "expected a whole number")
        .replace("expected u32", "expected a whole number")
        .replace("expected u64", "expected a whole number")
        .replace("expected u8", "expected a whole number")
        .replace("expected a boolean", "expected true or false");
    if let Some(rest) = message.strip_prefix("missing field '")
        && let Some(field) = rest.strip_suffix('\'')
    {
        return match missing_key_hint(field) {
            Some(hint) => format!("missing key '{field}': {hint}"),
            None => format!("missing key '{field}'"),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown field '")
        && let Some((field, expected)) = rest.split_once("', expected one of ")
    {
        let candidates: Vec<&str> = expected.split(", ").map(|c| c.trim_matches('\'')).collect();
        return format!("unknown field '{field}'{}; expected one of {expected}", suggestion(field, &candidates));
    }
    message
}

/// The `peak_<name>`, defaulting to the average; below the average it is an error at its key.
fn peak<const MAX: u64>(
    loc: &Locator<'_>,
    workload_key: &dyn Fn(&str) -> String,
    name: &str,
    avg: Decimal,
    peak: Option<&Spanned<Amount<MAX>>>,
) -> Result<Decimal, PlanError> {
    match peak {
        Some(p) if p.get_ref().0 < avg => Err(loc.error(
            Some(p.span()),
            &workload_key(&format!("peak_{name}")),
            format!("peak_{name} {} is below {name} {avg}: the peak is at least the average", p.get_ref().0),
        )),
        Some(p) => Ok(p.get_ref().0),
        None => Ok(avg),
    }
}

/// `[env.NAME.metrics]`: exactly one of `file`, `serverless_cache`, `replication_group`,
/// `cache_cluster`, with `days` (live caches only) and `workload`.
fn metrics_ref(
    loc: &Locator<'_>,
    file: &str,
    name: &str,
    m: &Spanned<RawMetrics>,
    no_workload: bool,
) -> Result<MetricsRef, PlanError> {
    let raw = m.get_ref();
    let key = |k: &str| format!("env.{name}.metrics.{k}");
    let named: Vec<(&str, &Spanned<String>)> = [
        ("file", raw.file.as_ref()),
        ("serverless_cache", raw.serverless_cache.as_ref()),
        ("replication_group", raw.replication_group.as_ref()),
        ("cache_cluster", raw.cache_cluster.as_ref()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    let (which, value) = match named.as_slice() {
        [one] => *one,
        [] => {
            return Err(loc.error(
                Some(m.span()),
                &format!("env.{name}.metrics"),
                "name where the metrics come from: file = \"metrics.json\" (a GetMetricData export or CSV), or a live cache in the environment's region: serverless_cache, replication_group or cache_cluster = \"its id\"",
            ));
        }
        [_, (second, v), ..] => {
            return Err(loc.error(
                Some(v.span()),
                &key(second),
                format!("give one source of metrics, not both {} and {second}", named[0].0),
            ));
        }
    };
    let text = value.get_ref().trim();
    if text.is_empty() {
        return Err(loc.error(Some(value.span()), &key(which), "the name is empty"));
    }
    if which != "file" && !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(loc.error(
            Some(value.span()),
            &key(which),
            format!("'{text}' is not an ElastiCache id (letters, digits and hyphens, e.g. \"shop-prod\")"),
        ));
    }
    let origin = match which {
        "file" => MetricsOrigin::File(value.get_ref().clone()),
        "serverless_cache" => MetricsOrigin::Aws(AwsCacheRef::Serverless(text.to_string())),
        "replication_group" => MetricsOrigin::Aws(AwsCacheRef::ReplicationGroup(text.to_string())),
        _ => MetricsOrigin::Aws(AwsCacheRef::CacheCluster(text.to_string())),
    };
    let use_measured = raw.workload != Some(MetricsUse::Plan);
    if no_workload && !use_measured {
        return Err(loc.error(
            Some(m.span()),
            &key("workload"),
            format!(
                "workload = \"plan\" needs an [env.{name}.workload] table; without one the figures can only be measured"
            ),
        ));
    }
    let (line, column, _) = loc.position(value.span());
    Ok(MetricsRef {
        env: name.to_string(),
        origin,
        days: raw.days.map_or(DEFAULT_METRICS_DAYS, |d| d.0),
        use_measured,
        workload_from_metrics_only: no_workload,
        at: format!("{file}:{line}:{column}"),
    })
}

fn env_inputs(
    loc: &Locator<'_>,
    name: &str,
    span: Range<usize>,
    raw: RawEnv,
    default_region: Option<&Spanned<String>>,
    default_policy: &Policy,
    book: &PriceBook,
) -> Result<EnvInputs, PlanError> {
    let key = |k: &str| format!("env.{name}.{k}");
    let region = raw.region.as_ref().or(default_region).ok_or_else(|| {
        loc.error(
            Some(span.clone()),
            &format!("env.{name}"),
            "no region: set `region` at the top of the file or in this environment",
        )
    })?;
    if book.region(region.get_ref()).is_none() {
        let where_key = if raw.region.is_some() { key("region") } else { "region".to_string() };
        return Err(loc.error(Some(region.span()), &where_key, unpriced_region(region.get_ref(), book)));
    }
    let region = region.get_ref().clone();

    let empty = RawWorkload::default();
    let w = raw.workload.as_ref().map_or(&empty, Spanned::get_ref);
    let workload_key = |k: &str| key(&format!("workload.{k}"));
    // data_gb and requests_per_sec: required, unless metrics measure them
    let measured = raw.metrics.as_ref().is_some_and(|m| m.get_ref().workload != Some(MetricsUse::Plan));
    let required = |value: Option<Decimal>, k: &str| -> Result<Decimal, PlanError> {
        match (value, &raw.workload) {
            (Some(v), _) => Ok(v),
            (None, Some(table)) if !measured => Err(loc.error(
                Some(table.span()),
                &workload_key(k),
                format!("missing key '{k}': {}", missing_key_hint(k).unwrap_or_default()),
            )),
            (None, _) => Ok(Decimal::ZERO),
        }
    };
    let data_gb = required(w.data_gb.map(|v| v.0), "data_gb")?;
    let requests_per_sec = required(w.requests_per_sec.map(|v| v.0), "requests_per_sec")?;
    let peak_data = peak(loc, &workload_key, "data_gb", data_gb, w.peak_data_gb.as_ref())?;
    let peak_rps = peak(loc, &workload_key, "requests_per_sec", requests_per_sec, w.peak_requests_per_sec.as_ref())?;
    let pubsub_avg = w.pubsub_messages_per_sec.map_or(Decimal::ZERO, |v| v.0);
    let peak_pubsub =
        peak(loc, &workload_key, "pubsub_messages_per_sec", pubsub_avg, w.peak_pubsub_messages_per_sec.as_ref())?;
    let (avg_request_kb, request_sizes) = request_sizes(loc, &workload_key, w)?;
    let workload = Workload {
        data_gb,
        peak_data_gb: peak_data,
        requests_per_sec,
        peak_requests_per_sec: peak_rps,
        avg_request_kb,
        read_ratio: w.read_ratio.map_or(Decimal::new(8, 1), |v| v.0),
        connections: w.connections.map_or(0, |c| c.0),
        min_ecpu_per_sec: w.min_ecpu_per_sec.map_or(Decimal::ZERO, |v| v.0),
        cross_slot_commands: w.cross_slot_commands,
        growth_pct_per_month: w.growth_pct_per_month.map_or(Decimal::ZERO, |v| v.0),
        pubsub_messages_per_sec: w.pubsub_messages_per_sec.map_or(Decimal::ZERO, |v| v.0),
        peak_pubsub_messages_per_sec: peak_pubsub,
        pubsub_payload_kb: w.pubsub_payload_kb.map_or(Decimal::ONE, |v| v.0),
        pubsub_subscribers: w.pubsub_subscribers.map_or(0, |c| c.0),
        keyspace_notifications: w.keyspace_notifications,
        uses_select: w.uses_select,
        reads_from_replicas: w.reads_from_replicas,
        auth: w.auth.unwrap_or_default(),
        tls: w.tls.unwrap_or(true),
        max_item_kb: w.max_item_kb.map(|v| v.0),
        hot_key_share: w.hot_key_share.map_or(Decimal::ZERO, |v| v.0),
        hot_data_fraction: w.hot_data_fraction.map_or(Decimal::ONE, |v| v.0),
        keys_have_ttl: w.keys_have_ttl.unwrap_or(true),
        must_not_evict: w.must_not_evict,
        pubsub_patterns: w.pubsub_patterns,
        client_cluster_aware: w.client_cluster_aware,
        clients: w.clients,
        new_connections_per_sec: w.new_connections_per_sec.map(|v| v.0),
        client_azs: w.client_azs.map_or(DEFAULT_CLIENT_AZS, |c| c.0),
        request_sizes,
        source: match w.source {
            None | Some(WrittenSource::Plan) => WorkloadSource::Plan,
            Some(WrittenSource::Profile) => WorkloadSource::Profile,
        },
    }
    .validated()
    // every key is bounded as it is read (and located then): this is the workload's own gate
    .map_err(|e| {
        let span = raw.workload.as_ref().map_or_else(|| span.clone(), Spanned::span);
        loc.error(Some(span), &workload_key(e.key), e.to_string())
    })?;
    let role = raw.role.unwrap_or_default();
    let tier = raw.tier.unwrap_or_else(|| Tier::default_for(raw.ha));
    let snapshot_retention_days =
        raw.snapshot_retention_days.map_or_else(|| default_snapshot_retention(role, tier), |c| c.0);
    let mut env = EnvInputs::new(name, &region, raw.engine, raw.ha, workload);
    env.role = role;
    env.tier = tier;
    env.replicas = raw.replicas.map_or(1, |c| c.0);
    env.snapshot_retention_days = snapshot_retention_days;
    check_policy(loc, &key("policy."), raw.policy.as_ref())?;
    env.policy = policy(default_policy, raw.policy.as_ref());
    env.commit = Commit {
        length: match raw.commit {
            None | Some(RawCommit::None) => None,
            Some(RawCommit::OneYear) => Some(TermLength::OneYear),
            Some(RawCommit::ThreeYears) => Some(TermLength::ThreeYears),
        },
        payment: raw.commit_payment.unwrap_or_default(),
    };
    env.budget_usd = raw.budget_usd.map(|v| v.0);
    env.cross_az_fraction = raw.cross_az_fraction.map(|f| f.0);
    if let Some(current) = raw.current
        && current.get_ref().terraform.is_none()
    {
        let cspan = current.span();
        env.current = Some(current_deployment(loc, name, cspan, current.get_ref(), &env, book)?);
    }
    Ok(env)
}

/// The request-size distribution: `request_sizes` buckets (their shares add up to 1), or one
/// bucket of `avg_request_kb` (default 1 KB); never both. Returns the average size and the buckets.
fn request_sizes(
    loc: &Locator<'_>,
    workload_key: &dyn Fn(&str) -> String,
    w: &RawWorkload,
) -> Result<(Decimal, Vec<SizeBucket>), PlanError> {
    let Some(sizes) = &w.request_sizes else {
        return Ok((w.avg_request_kb.as_ref().map_or(Decimal::ONE, |v| v.get_ref().0), Vec::new()));
    };
    if let Some(avg) = &w.avg_request_kb {
        return Err(loc.error(
            Some(avg.span()),
            &workload_key("avg_request_kb"),
            "give either avg_request_kb (one size) or [[request_sizes]] (a distribution), not both",
        ));
    }
    let buckets: Vec<SizeBucket> =
        sizes.get_ref().iter().map(|b| SizeBucket { kb: b.kb.0, share: b.share.0 }).collect();
    let total: Decimal = buckets.iter().map(|b| b.share).sum();
    if buckets.is_empty() || (total - Decimal::ONE).abs() > Decimal::new(1, 3) {
        return Err(loc.error(
            Some(sizes.span()),
            &workload_key("request_sizes"),
            format!(
                "the shares of the request sizes add up to {}; they must add up to 1 (e.g. 0.85 and 0.15)",
                total.normalize()
            ),
        ));
    }
    let avg = buckets.iter().map(|b| b.kb * b.share).sum::<Decimal>() / total;
    Ok((avg, buckets))
}

fn only_for(
    loc: &Locator<'_>,
    name: &str,
    kind: &str,
    present: &[(&str, Option<Range<usize>>)],
) -> Result<(), PlanError> {
    for (k, span) in present {
        if let Some(span) = span {
            return Err(loc.error(
                Some(span.clone()),
                &format!("env.{name}.current.{k}"),
                format!("'{k}' does not apply to kind = \"{kind}\""),
            ));
        }
    }
    Ok(())
}

fn current_deployment(
    loc: &Locator<'_>,
    name: &str,
    span: Range<usize>,
    raw: &RawCurrent,
    env: &EnvInputs,
    book: &PriceBook,
) -> Result<Current, PlanError> {
    let key = |k: &str| format!("env.{name}.current.{k}");
    let engine = raw.engine.as_ref().map_or(env.app_engine, |e| *e.get_ref());
    let engine_span = raw.engine.as_ref().map(Spanned::span);
    let backup = Backup {
        retention_days: raw.snapshot_retention_days.map_or(env.snapshot_retention_days, |c| c.0),
        snapshot_gb: raw.snapshot_gb.map_or(env.workload.data_gb, |v| v.0),
    };
    let version = match &raw.engine_version {
        Some(v) => Some(engine_version(loc, &key("engine_version"), v, engine)?),
        None => None,
    };
    let limit_keys = [
        ("max_data_gb", raw.max_data_gb.as_ref().map(Spanned::span)),
        ("max_ecpu_per_sec", raw.max_ecpu_per_sec.as_ref().map(Spanned::span)),
    ];
    let node_keys = [
        ("node_type", raw.node_type.as_ref().map(Spanned::span)),
        ("cluster_mode", raw.cluster_mode.as_ref().map(Spanned::span)),
        ("shards", raw.shards.as_ref().map(Spanned::span)),
        ("replicas", raw.replicas.as_ref().map(Spanned::span)),
        ("reserved", raw.reserved.as_ref().map(Spanned::span)),
        ("engine_version", raw.engine_version.as_ref().map(Spanned::span)),
    ];
    if let Some(r) = &raw.resource {
        return Err(loc.error(
            Some(r.span()),
            &key("resource"),
            "'resource' picks a resource of a Terraform module: set terraform = \"DIR\" too, or remove it",
        ));
    }
    let Some(kind) = raw.kind else {
        return Err(loc.error(
            Some(span),
            &key("kind"),
            "missing key 'kind': what runs today; accepted: 'node', 'serverless', 'upstash'; or terraform = \"DIR\" to read it from a Terraform module",
        ));
    };
    let deployment = match kind {
        CurrentKind::Serverless => {
            only_for(loc, name, "serverless", &node_keys)?;
            only_for(loc, name, "serverless", &[("plan", raw.plan.as_ref().map(Spanned::span))])?;
            if book.serverless(&env.region, engine).is_none() {
                let priced: Vec<&str> = book
                    .regions
                    .iter()
                    .filter(|(_, r)| r.serverless.contains_key(&engine))
                    .map(|(k, _)| k.as_str())
                    .collect();
                return Err(loc.error(
                    engine_span.or(Some(span)),
                    &key("kind"),
                    format!(
                        "no embedded ElastiCache Serverless {} price for {}; priced in: {}{EMBEDDED_ONLY}",
                        engine.label(),
                        env.region,
                        priced.join(", ")
                    ),
                ));
            }
            Deployment::Serverless { engine, limits: usage_limits(loc, &key, raw)? }
        }
        CurrentKind::Upstash => {
            only_for(loc, name, "upstash", &node_keys)?;
            only_for(loc, name, "upstash", &limit_keys)?;
            only_for(loc, name, "upstash", &[("engine", engine_span.clone())])?;
            let plan = raw.plan.as_ref().ok_or_else(|| {
                loc.error(
                    Some(span.clone()),
                    &key("plan"),
                    format!("kind = \"upstash\" needs `plan`; accepted: {}", upstash_plans(book)),
                )
            })?;
            let id = plan.get_ref().as_str();
            if id != "payg" && !book.upstash.plans.iter().any(|p| p.id == id) {
                return Err(loc.error(
                    Some(plan.span()),
                    &key("plan"),
                    format!("unknown Upstash plan '{id}'; accepted: {}", upstash_plans(book)),
                ));
            }
            Deployment::Upstash { plan: id.to_string() }
        }
        CurrentKind::Node => {
            only_for(loc, name, "node", &[("plan", raw.plan.as_ref().map(Spanned::span))])?;
            only_for(loc, name, "node", &limit_keys)?;
            node_deployment(loc, name, span, raw, engine, engine_span, env, book)?
        }
    };
    Ok(Current { deployment, backup, engine_version: version, snapshot_gb_written: raw.snapshot_gb.is_some() })
}

/// The keys of one `[env.NAME.current]` table (`text`, TOML), checked as the plan checks them
/// for `env` (node types, prices in its region, engine versions, limits): what `capplan
/// import-terraform` turns a Terraform resource into. `file` names `text` in errors.
pub fn parse_current(text: &str, file: &str, env: &EnvInputs, book: &PriceBook) -> Result<Current, PlanError> {
    let loc = Locator { file, text };
    let table = format!("env.{}.current", env.name);
    let deserializer = toml::Deserializer::parse(text).map_err(|e| loc.error(e.span(), &table, tidy(e.message())))?;
    let raw: RawCurrent = serde_path_to_error::deserialize(deserializer)
        .map_err(|e| loc.error(e.inner().span(), &format!("{table}.{}", key_of(&e)), tidy(e.inner().message())))?;
    current_deployment(&loc, &env.name, 0..text.len(), &raw, env, book)
}

/// `[env.NAME.current] terraform = "DIR"`: the module folder and, optionally, which resource;
/// no other key (the deployment is what the module says).
fn terraform_ref(loc: &Locator<'_>, name: &str, raw: &RawCurrent) -> Result<TerraformRef, PlanError> {
    let key = |k: &str| format!("env.{name}.current.{k}");
    let Some(dir) = &raw.terraform else {
        return Err(loc.error(None, &key("terraform"), "no terraform key"));
    };
    let others = [
        ("kind", None),
        ("engine", raw.engine.as_ref().map(Spanned::span)),
        ("node_type", raw.node_type.as_ref().map(Spanned::span)),
        ("engine_version", raw.engine_version.as_ref().map(Spanned::span)),
        ("cluster_mode", raw.cluster_mode.as_ref().map(Spanned::span)),
        ("shards", raw.shards.as_ref().map(Spanned::span)),
        ("replicas", raw.replicas.as_ref().map(Spanned::span)),
        ("reserved", raw.reserved.as_ref().map(Spanned::span)),
        ("plan", raw.plan.as_ref().map(Spanned::span)),
        ("max_data_gb", raw.max_data_gb.as_ref().map(Spanned::span)),
        ("max_ecpu_per_sec", raw.max_ecpu_per_sec.as_ref().map(Spanned::span)),
    ];
    let set = |k: &str| match k {
        "kind" => raw.kind.is_some(),
        "snapshot_retention_days" => raw.snapshot_retention_days.is_some(),
        "snapshot_gb" => raw.snapshot_gb.is_some(),
        _ => false,
    };
    for (k, span) in others {
        if span.is_some() || set(k) {
            return Err(loc.error(
                span.or(Some(dir.span())),
                &key(k),
                format!(
                    "'{k}' is read from the Terraform module when terraform = \"{}\" is set: remove it here (or remove terraform to write the deployment by hand)",
                    dir.get_ref()
                ),
            ));
        }
    }
    if dir.get_ref().trim().is_empty() {
        return Err(loc.error(
            Some(dir.span()),
            &key("terraform"),
            "name the Terraform module's folder, relative to the plan file, e.g. terraform = \"infra/cache\"",
        ));
    }
    let (line, column, _) = loc.position(dir.span());
    Ok(TerraformRef {
        env: name.to_string(),
        dir: dir.get_ref().trim().to_string(),
        resource: raw.resource.as_ref().map(|r| r.get_ref().trim().to_string()),
        file: loc.file.to_string(),
        line,
        column,
    })
}

/// A Serverless cache's configured usage limits, within the API's bounds.
fn usage_limits(loc: &Locator<'_>, key: &dyn Fn(&str) -> String, raw: &RawCurrent) -> Result<UsageLimits, PlanError> {
    let check = |value: Option<&Spanned<Decimal>>, name: &str, (min, max): (u32, u32)| -> Result<(), PlanError> {
        match value {
            Some(v) if *v.get_ref() < Decimal::from(min) || *v.get_ref() > Decimal::from(max) => Err(loc.error(
                Some(v.span()),
                &key(name),
                format!(
                    "{} is outside what ElastiCache accepts for this usage limit: {min} to {max}",
                    v.get_ref().normalize()
                ),
            )),
            _ => Ok(()),
        }
    };
    let data = raw.max_data_gb.as_ref().map(|v| Spanned::new(v.span(), v.get_ref().0));
    let ecpu = raw.max_ecpu_per_sec.as_ref().map(|v| Spanned::new(v.span(), v.get_ref().0));
    check(data.as_ref(), "max_data_gb", SERVERLESS_LIMIT_DATA_GB)?;
    check(ecpu.as_ref(), "max_ecpu_per_sec", SERVERLESS_LIMIT_ECPU_PER_SEC)?;
    Ok(UsageLimits { max_data_gb: data.map(Spanned::into_inner), max_ecpu_per_sec: ecpu.map(Spanned::into_inner) })
}

fn upstash_plans(book: &PriceBook) -> String {
    let mut ids = vec!["payg".to_string()];
    ids.extend(book.upstash.plans.iter().map(|p| p.id.clone()));
    ids.join(", ")
}

#[allow(clippy::too_many_arguments)]
fn node_deployment(
    loc: &Locator<'_>,
    name: &str,
    span: Range<usize>,
    raw: &RawCurrent,
    engine: Engine,
    engine_span: Option<Range<usize>>,
    env: &EnvInputs,
    book: &PriceBook,
) -> Result<Deployment, PlanError> {
    let key = |k: &str| format!("env.{name}.current.{k}");
    let node_type = raw.node_type.as_ref().ok_or_else(|| {
        loc.error(
            Some(span.clone()),
            &key("node_type"),
            "kind = \"node\" needs `node_type`, e.g. node_type = \"cache.r7g.large\"",
        )
    })?;
    let Some(node) = book.catalog.find(node_type.get_ref()) else {
        return Err(loc.error(
            Some(node_type.span()),
            &key("node_type"),
            format!(
                "unknown node type '{}'{}; known: {}",
                node_type.get_ref(),
                suggestion(node_type.get_ref(), &book.catalog.names()),
                compact_names(&book.catalog.names())
            ),
        ));
    };
    let spec = book.catalog.node(node);
    if !spec.supports(engine) {
        return Err(loc.error(
            engine_span.or(Some(node_type.span())),
            &key("engine"),
            format!(
                "{} does not run {}; it runs {}",
                spec.name,
                engine.label(),
                spec.engines.iter().map(|e| e.id()).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    if book.on_demand(&env.region, node, engine).is_none() {
        let priced: Vec<String> =
            book.priced_nodes(&env.region, engine).iter().map(|id| book.catalog.node(*id).name.clone()).collect();
        return Err(loc.error(
            Some(node_type.span()),
            &key("node_type"),
            format!(
                "no embedded {} price for {} in {}; priced there: {}{EMBEDDED_ONLY}",
                engine.label(),
                spec.name,
                env.region,
                if priced.is_empty() {
                    "none".to_string()
                } else {
                    compact_names(&priced.iter().map(String::as_str).collect::<Vec<_>>())
                }
            ),
        ));
    }
    let shards = raw.shards.as_ref().map_or(1, |s| s.get_ref().0);
    let replicas = raw.replicas.as_ref().map_or(0, |r| r.get_ref().0);
    let layout = if engine == Engine::Memcached {
        if let Some(r) = &raw.replicas
            && r.get_ref().0 > 0
        {
            return Err(loc.error(
                Some(r.span()),
                &key("replicas"),
                "Memcached clusters have no replicas: set `shards` to the node count and replicas = 0",
            ));
        }
        if let Some(c) = &raw.cluster_mode
            && *c.get_ref()
        {
            return Err(loc.error(
                Some(c.span()),
                &key("cluster_mode"),
                "Memcached has no cluster mode (the client spreads keys over nodes)",
            ));
        }
        if shards > MEMCACHED_MAX_NODES {
            return Err(loc.error(
                raw.shards.as_ref().map(Spanned::span),
                &key("shards"),
                format!("a Memcached cluster has at most {MEMCACHED_MAX_NODES} nodes without a limit increase"),
            ));
        }
        NodeLayout { engine, node, shards, replicas: 0, cluster_mode: false, replica_reads: false }
    } else {
        let cluster_mode = raw.cluster_mode.as_ref().map_or(shards > 1, |c| *c.get_ref());
        if !cluster_mode && shards > 1 {
            return Err(loc.error(
                raw.cluster_mode.as_ref().map(Spanned::span),
                &key("cluster_mode"),
                format!("cluster mode disabled means one shard, but shards = {shards}; set cluster_mode = true or shards = 1"),
            ));
        }
        let nodes = shards * (1 + replicas);
        if nodes > MAX_NODES_PER_CLUSTER {
            return Err(loc.error(
                raw.shards.as_ref().map(Spanned::span),
                &key("shards"),
                format!(
                    "{shards} shards x {} nodes = {nodes} nodes is above the default quota of {MAX_NODES_PER_CLUSTER} nodes per cluster",
                    1 + replicas
                ),
            ));
        }
        let replica_reads = replicas > 0 && env.workload.reads_from_replicas == Some(true);
        NodeLayout { engine, node, shards, replicas, cluster_mode, replica_reads }
    };
    let term = match &raw.reserved {
        None => Term::OnDemand,
        Some(r) => {
            let term = Term::Reserved(r.get_ref().term, r.get_ref().payment);
            if book.reserved(&env.region, node, engine, term).is_none() {
                let known: Vec<String> =
                    book.reserved_terms(&env.region, node, engine).iter().map(|t| t.id().to_string()).collect();
                return Err(loc.error(
                    Some(r.span()),
                    &key("reserved"),
                    format!(
                        "no embedded reserved offer for {} {} in {} ({}); known offers: {}{EMBEDDED_ONLY}",
                        spec.name,
                        engine.label(),
                        env.region,
                        term.id(),
                        if known.is_empty() { "none".to_string() } else { known.join(", ") }
                    ),
                ));
            }
            term
        }
    };
    Ok(Deployment::Node { layout, term })
}

fn engine_version(
    loc: &Locator<'_>,
    key: &str,
    raw: &Spanned<String>,
    engine: Engine,
) -> Result<EngineVersion, PlanError> {
    let text = raw.get_ref().trim();
    let (accepted, range): (&str, std::ops::RangeInclusive<u32>) = match engine {
        Engine::Redis => ("Redis OSS 4.0 to 7.1, e.g. \"7.1\", \"6.2\", \"5.0.6\"", 4..=7),
        Engine::Valkey => ("Valkey 7.2 to 8.x, e.g. \"8.0\", \"7.2\"", 7..=8),
        Engine::Memcached => ("Memcached 1.x, e.g. \"1.6.22\"", 1..=1),
    };
    let major = text.split('.').next().and_then(|m| m.parse::<u32>().ok());
    // `6.x` (as Terraform writes the latest of a major) is well formed too
    let parts: Vec<&str> = text.split('.').collect();
    let well_formed = !text.is_empty()
        && parts.iter().enumerate().all(|(i, p)| {
            (!p.is_empty() && p.chars().all(|c| c.is_ascii_digit())) || (i > 0 && i + 1 == parts.len() && *p == "x")
        });
    match major {
        Some(m) if well_formed && range.contains(&m) => Ok(EngineVersion { major: m, text: text.to_string() }),
        _ => Err(loc.error(
            Some(raw.span()),
            key,
            format!("unsupported {} version '{text}'; accepted: {accepted}", engine.label()),
        )),
    }
}

/// Node-type names grouped by family: `cache.r7g.{large, xlarge, 2xlarge}; cache.t4g.{micro}`.
fn compact_names(names: &[&str]) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for name in names {
        let (family, size) = name.rsplit_once('.').unwrap_or((name, ""));
        match groups.iter_mut().find(|(f, _)| *f == family) {
            Some((_, sizes)) => sizes.push(size),
            None => groups.push((family, vec![size])),
        }
    }
    groups.iter().map(|(family, sizes)| format!("{family}.{{{}}}", sizes.join(", "))).collect::<Vec<_>>().join("; ")
}

/// ` (did you mean 'x'?)` for the closest candidate by edit distance, when close.
fn suggestion(input: &str, candidates: &[&str]) -> String {
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(input, c), *c))
        .min()
        .filter(|(d, _)| *d <= 3)
        .map_or_else(String::new, |(_, c)| format!(" (did you mean '{c}'?)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::offline::embedded;

    fn parse(text: &str) -> Result<Plan, PlanError> {
        parse_plan(text, "capplan.toml", embedded().unwrap())
    }

    const BASE: &str = "region = \"us-east-1\"\n[env.prod]\nengine = \"valkey\"\nha = true\n[env.prod.workload]\ndata_gb = 8.0\nrequests_per_sec = 2500\n";

    const NO_WORKLOAD: &str = "region = \"us-east-1\"\n[env.prod]\nengine = \"valkey\"\nha = true\n";

    #[test]
    fn metrics_name_one_source_a_file_or_a_live_cache() {
        let plan =
            parse(&format!("{NO_WORKLOAD}[env.prod.metrics]\nreplication_group = \"shop-prod\"\ndays = 7\n")).unwrap();
        let m = plan.metrics_of("prod").unwrap();
        assert_eq!(m.origin, MetricsOrigin::Aws(AwsCacheRef::ReplicationGroup("shop-prod".into())));
        assert_eq!((m.days, m.use_measured, m.workload_from_metrics_only), (7, true, true));
        assert_eq!(m.key(), "env.prod.metrics.replication_group");
        assert_eq!(m.at, "capplan.toml:6:21");

        let plan = parse(&format!("{BASE}[env.prod.metrics]\nfile = \"m.json\"\nworkload = \"plan\"\n")).unwrap();
        let m = plan.metrics_of("prod").unwrap();
        assert_eq!((m.days, m.use_measured, m.workload_from_metrics_only), (DEFAULT_METRICS_DAYS, false, false));

        let err =
            parse(&format!("{BASE}[env.prod.metrics]\nfile = \"m.json\"\nserverless_cache = \"s\"\n")).unwrap_err();
        assert!(err.message.contains("give one source of metrics, not both file and serverless_cache"), "{err}");
        assert_eq!(err.key, "env.prod.metrics.serverless_cache");
        let err = parse(&format!("{BASE}[env.prod.metrics]\ndays = 3\n")).unwrap_err();
        assert!(err.message.contains("name where the metrics come from"), "{err}");
        let err = parse(&format!("{BASE}[env.prod.metrics]\ncache_cluster = \"a b\"\n")).unwrap_err();
        assert!(err.message.contains("is not an ElastiCache id"), "{err}");
        let err = parse(&format!("{BASE}[env.prod.metrics]\ncache_cluster = \"a\"\ndays = 500\n")).unwrap_err();
        assert_eq!(err.key, "env.prod.metrics.days");
    }

    #[test]
    fn a_profile_file_is_named_per_environment() {
        let plan = parse(&format!("{BASE}[env.prod.profile]\nfile = \"prod.profile.json\"\n")).unwrap();
        let p = plan.profile_of("prod").unwrap();
        assert_eq!(p.file, "prod.profile.json");
        assert!(p.at.ends_with(":8") || p.at.contains(':'), "{}", p.at);
        let err = parse(&format!("{BASE}[env.prod.profile]\nfile = \" \"\n")).unwrap_err();
        assert_eq!(err.key, "env.prod.profile.file");
        let err = parse(&format!("{BASE}[env.prod.profile]\nurl = \"redis://x\"\n")).unwrap_err();
        assert!(err.to_string().contains("url"), "{err}");
    }

    #[test]
    fn issue_12_review_names_a_tag_and_more_cache_ids() {
        let plan =
            parse(&format!("{BASE}[env.prod.review]\ntag = \"Environment = prod\"\nresources = [\"shop-old\"]\n"))
                .unwrap();
        let r = plan.review_of("prod").unwrap();
        assert_eq!(r.tag, Some(("Environment".to_string(), "prod".to_string())));
        assert_eq!(r.resources, ["shop-old"]);
        let err = parse(&format!("{BASE}[env.prod.review]\ntag = \"prod\"\n")).unwrap_err();
        assert_eq!(err.key, "env.prod.review.tag");
        assert!(err.to_string().contains("write it as key=value"), "{err}");
        let err = parse(&format!("{BASE}[env.prod.review]\nresources = [\"\"]\n")).unwrap_err();
        assert_eq!(err.key, "env.prod.review.resources");
        assert!(parse(&format!("{BASE}[env.prod.review]\ntags = \"a=b\"\n")).is_err());
    }

    #[test]
    fn the_workload_is_optional_only_when_metrics_measure_it() {
        let err = parse(NO_WORKLOAD).unwrap_err();
        assert!(err.message.contains("missing [env.prod.workload]"), "{err}");
        let err =
            parse(&format!("{NO_WORKLOAD}[env.prod.metrics]\nfile = \"m.json\"\nworkload = \"plan\"\n")).unwrap_err();
        assert!(err.message.contains("workload = \"plan\" needs an [env.prod.workload] table"), "{err}");
        // a workload table without data_gb: measured when metrics measure, an error otherwise
        let partial = format!("{NO_WORKLOAD}[env.prod.workload]\nread_ratio = 0.9\n");
        let err = parse(&partial).unwrap_err();
        assert!(err.message.contains("missing key 'data_gb'"), "{err}");
        assert!(parse(&format!("{partial}[env.prod.metrics]\nserverless_cache = \"s\"\n")).is_ok());
        let err = parse(&format!("{partial}[env.prod.metrics]\nserverless_cache = \"s\"\nworkload = \"plan\"\n"))
            .unwrap_err();
        assert!(err.message.contains("missing key 'data_gb'"), "{err}");
        // the written source accepts only what a person writes
        let err = parse(&format!("{BASE}source = \"cloudwatch\"\n")).unwrap_err();
        assert!(err.message.contains("cloudwatch"), "{err}");
    }

    #[test]
    fn the_bundled_example_plan_parses() {
        let plan = parse_plan(EXAMPLE_PLAN, EXAMPLE_PLAN_NAME, embedded().unwrap()).unwrap();
        assert_eq!(plan.env_names(), ["dev", "staging", "prod"]);
    }

    #[test]
    fn minimal_plan_gets_documented_defaults() {
        let plan = parse(BASE).unwrap();
        let env = plan.env("prod").unwrap();
        assert_eq!(env.workload.peak_data_gb, Decimal::new(8, 0));
        assert_eq!(env.workload.avg_request_kb, Decimal::ONE);
        assert_eq!(env.snapshot_retention_days, 7);
        assert_eq!(env.option_replicas(), 1);
    }

    #[test]
    fn negative_number_names_file_line_column_and_key() {
        let err = parse(&BASE.replace("data_gb = 8.0", "data_gb = -1.0")).unwrap_err();
        assert_eq!((err.line, err.column), (6, 11));
        assert_eq!(err.key, "env.prod.workload.data_gb");
        assert!(err.message.contains(">= 0"), "{err}");
        assert!(err.to_string().starts_with("capplan.toml:6:11: env.prod.workload.data_gb:"), "{err}");
    }

    #[test]
    fn nan_and_wrong_types_and_unknown_keys_are_located() {
        let err = parse(&BASE.replace("data_gb = 8.0", "data_gb = nan")).unwrap_err();
        assert_eq!(err.key, "env.prod.workload.data_gb");
        assert!(err.message.contains("finite"), "{err}");
        let err = parse(&BASE.replace("ha = true", "ha = \"yes\"")).unwrap_err();
        assert_eq!((err.key.as_str(), err.line), ("env.prod.ha", 4));
        assert!(err.message.contains("expected true or false"), "{err}");
        let err = parse(&BASE.replace("data_gb = 8.0", "data_gb = \"lots\"")).unwrap_err();
        assert!(err.message.contains("expected a number") && !err.message.contains("f64"), "{err}");
        let err = parse(&BASE.replace("data_gb = 8.0", "data_gb = 1e300")).unwrap_err();
        assert!(err.message.contains("found 1e300"), "{err}");
        let err = parse(&BASE.replace("data_gb = 8.0", "data_gib = 8.0")).unwrap_err();
        assert!(err.message.contains("unknown field 'data_gib' (did you mean 'data_gb'?)"), "{err}");
    }

    #[test]
    fn unknown_engine_lists_what_is_accepted() {
        let err = parse(&BASE.replace("\"valkey\"", "\"keydb\"")).unwrap_err();
        assert_eq!(err.key, "env.prod.engine");
        assert!(err.message.contains("'valkey', 'redis', 'memcached'") || err.message.contains("valkey"), "{err}");
    }

    #[test]
    fn unknown_region_and_node_type_name_what_is_available() {
        let err = parse(&BASE.replace("us-east-1", "eu-west-9")).unwrap_err();
        assert!(err.message.contains("'eu-west-9' is not an AWS region") && err.message.contains("us-east-1"), "{err}");
        let text = format!("{BASE}[env.prod.current]\nkind = \"node\"\nnode_type = \"cache.r7g.larg\"\n");
        let err = parse(&text).unwrap_err();
        assert_eq!(err.key, "env.prod.current.node_type");
        assert!(err.message.contains("did you mean 'cache.r7g.large'"), "{err}");
    }

    #[test]
    fn missing_environments_and_missing_keys_are_errors() {
        let err = parse("region = \"us-east-1\"\n").unwrap_err();
        assert!(err.message.contains("no environments"), "{err}");
        let err = parse(&BASE.replace("requests_per_sec = 2500\n", "")).unwrap_err();
        assert!(err.message.contains("missing key 'requests_per_sec': average requests per second"), "{err}");
    }

    #[test]
    fn peaks_below_averages_are_rejected() {
        let err = parse(&BASE.replace("data_gb = 8.0", "data_gb = 8.0\npeak_data_gb = 4.0")).unwrap_err();
        assert_eq!(err.key, "env.prod.workload.peak_data_gb");
    }

    #[test]
    fn reserved_offer_that_is_not_embedded_is_an_error_naming_known_offers() {
        // the pricing page's reserved JSON for ap-south-2 (Hyderabad) has 1-year offers only
        let text = format!(
            "{}[env.prod.current]\nkind = \"node\"\nnode_type = \"cache.r7g.xlarge\"\nreserved = {{ term = \"3yr\", payment = \"no-upfront\" }}\n",
            BASE.replace("us-east-1", "ap-south-2")
        );
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("known offers: 1yr-no-upfront, 1yr-partial-upfront, 1yr-all-upfront"), "{err}");
    }

    #[test]
    fn keys_of_another_kind_are_rejected() {
        let text = format!("{BASE}[env.prod.current]\nkind = \"serverless\"\nnode_type = \"cache.r7g.large\"\n");
        let err = parse(&text).unwrap_err();
        assert_eq!(err.key, "env.prod.current.node_type");
        let text = format!("{BASE}[env.prod.current]\nkind = \"upstash\"\nplan = \"fixed-3gb\"\n");
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("fixed-10gb"), "{err}");
    }

    #[test]
    fn redis_engine_versions_are_checked() {
        let text = format!(
            "{BASE}[env.prod.current]\nkind = \"node\"\nengine = \"redis\"\nnode_type = \"cache.r7g.large\"\nengine_version = \"12\"\n"
        );
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("unsupported Redis OSS version '12'"), "{err}");
        // `6.x` (Terraform's latest-of-a-major) is Redis OSS 6: Extended Support applies to it
        let text = format!(
            "{BASE}[env.prod.current]\nkind = \"node\"\nengine = \"redis\"\nnode_type = \"cache.r7g.large\"\nengine_version = \"6.x\"\n"
        );
        let env = parse(&text).unwrap().envs.remove(0);
        assert_eq!(env.current.unwrap().engine_version.map(|v| v.major), Some(6));
        for bad in ["x", "6.", "6.x.1", "6.y"] {
            let text = format!(
                "{BASE}[env.prod.current]\nkind = \"node\"\nengine = \"redis\"\nnode_type = \"cache.r7g.large\"\nengine_version = \"{bad}\"\n"
            );
            assert!(parse(&text).is_err(), "{bad}");
        }
    }

    #[test]
    fn memcached_replicas_and_cluster_mode_shards_are_explained() {
        let text = format!(
            "{BASE}[env.prod.current]\nkind = \"node\"\nengine = \"memcached\"\nnode_type = \"cache.r7g.large\"\nreplicas = 1\n"
        );
        assert!(parse(&text).unwrap_err().message.contains("no replicas"));
        let text = format!(
            "{BASE}[env.prod.current]\nkind = \"node\"\nnode_type = \"cache.r7g.large\"\nshards = 3\ncluster_mode = false\n"
        );
        assert!(parse(&text).unwrap_err().message.contains("one shard"));
    }

    #[test]
    fn role_tier_and_client_keys_have_defaults_and_checked_values() {
        let plan = parse(BASE).unwrap();
        let env = plan.env("prod").unwrap();
        assert_eq!((env.role, env.tier), (Role::Cache, Tier::Production), "ha = true defaults to production");
        assert_eq!(env.workload.client_azs, DEFAULT_CLIENT_AZS);
        assert_eq!(env.workload.client_cluster_aware, None);
        let text = BASE.replace("ha = true", "ha = false\nrole = \"session-store\"\ntier = \"staging\"");
        let env = parse(&text).unwrap().envs.remove(0);
        assert_eq!((env.role, env.tier, env.snapshot_retention_days), (Role::SessionStore, Tier::Staging, 7));
        let err = parse(&BASE.replace("ha = true", "role = \"sessions\"")).unwrap_err();
        assert!(err.message.contains("'session-store'"), "{err}");
        let err = parse(&format!("{BASE}client_azs = 9\n")).unwrap_err();
        assert_eq!(err.key, "env.prod.workload.client_azs");
    }

    #[test]
    fn request_sizes_are_a_distribution_instead_of_one_size() {
        let sizes = "[[env.prod.workload.request_sizes]]\nkb = 0.3\nshare = 0.85\n[[env.prod.workload.request_sizes]]\nkb = 3.2\nshare = 0.15\n";
        let env = parse(&format!("{BASE}{sizes}")).unwrap().envs.remove(0);
        assert_eq!(env.workload.request_sizes.len(), 2);
        assert_eq!(env.workload.avg_request_kb, Decimal::new(735, 3), "the average of the mix");
        let err = parse(&format!("{BASE}avg_request_kb = 1\n{sizes}")).unwrap_err();
        assert_eq!(err.key, "env.prod.workload.avg_request_kb");
        let err = parse(&format!("{BASE}{}", sizes.replace("0.15", "0.5"))).unwrap_err();
        assert!(err.message.contains("add up to 1.35"), "{err}");
    }

    #[test]
    fn policy_and_serverless_limits_are_checked() {
        let with_policy = |policy: &str| BASE.replacen('\n', &format!("\n[policy]\n{policy}\n"), 1);
        let text = with_policy("burstable = \"never\"\nsimplicity_margin_pct = 10\nvendors = [\"aws\"]");
        let env = parse(&text).unwrap().envs.remove(0);
        assert_eq!(env.policy.burstable, Burstable::Never);
        assert_eq!(env.policy.simplicity_margin, Decimal::new(1, 1));
        assert_eq!(env.policy.vendors, vec![Vendor::Aws]);
        assert!(parse(&with_policy("vendors = []")).unwrap_err().message.contains("rules out every option"));
        let current = |limits: &str| format!("{BASE}[env.prod.current]\nkind = \"serverless\"\n{limits}\n");
        let env = parse(&current("max_data_gb = 5\nmax_ecpu_per_sec = 10000")).unwrap().envs.remove(0);
        let Some(Current { deployment: Deployment::Serverless { limits, .. }, .. }) = env.current else {
            panic!("a Serverless current")
        };
        assert_eq!(
            (limits.max_data_gb, limits.max_ecpu_per_sec),
            (Some(Decimal::from(5)), Some(Decimal::from(10_000)))
        );
        let err = parse(&current("max_ecpu_per_sec = 10")).unwrap_err();
        assert!(err.message.contains("1000 to 15000000"), "{err}");
        let err = parse(&format!(
            "{BASE}[env.prod.current]\nkind = \"node\"\nnode_type = \"cache.r7g.large\"\nmax_data_gb = 5\n"
        ))
        .unwrap_err();
        assert_eq!(err.key, "env.prod.current.max_data_gb");
    }

    #[test]
    fn garbage_never_panics() {
        for text in [
            "",
            "=",
            "[env",
            "env = 3",
            "[env.x]\nworkload = 1",
            "\u{0}",
            "region = 1\n[env.a]\nengine=\"valkey\"\n[env.a.workload]\ndata_gb=1\nrequests_per_sec=1",
        ] {
            assert!(parse(text).is_err(), "{text:?}");
        }
    }
}
