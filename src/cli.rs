//! The command line (clap derive only): `capplan [report|review|init|profile|pricing|completions|man] [flags]`.

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

use crate::report::{Format, OptionsFilter};

/// `capplan 0.1.0 (pricing cache 2026-10-02)`.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (pricing cache ", env!("CAPPLAN_PRICING_AS_OF"), ")");

/// Cost and capacity planner for Redis-compatible caches on AWS.
///
/// Compares ElastiCache Serverless (Valkey, Redis OSS, Memcached), node-based ElastiCache
/// (on-demand and reserved) and Upstash for each environment of a plan file, line by line, with
/// the source of every price. Works offline on embedded prices.
///
/// Without a subcommand, opens the interactive planner (or prints the report when stdout is not
/// a terminal).
#[derive(Debug, Parser)]
#[command(name = "capplan", version = VERSION, about, long_about, max_term_width = 100, after_help = EXAMPLES)]
pub struct Cli {
    /// What to do (default: the interactive planner).
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Plan file [default: ./capplan.toml if present, else the bundled example plan]
    #[arg(long, global = true, value_name = "FILE", env = "CAPPLAN_PLAN")]
    pub plan: Option<PathBuf>,

    /// Never touch the network: embedded or cached prices and metrics only (it says what it used)
    #[arg(long, global = true)]
    pub offline: bool,

    /// AWS profile for the live sources [default: `AWS_PROFILE`, then the standard credential chain]
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// Evaluate as of this date, YYYY-MM-DD (Extended Support schedule, price age) [default: today]
    #[arg(long, global = true, value_name = "DATE", env = "CAPPLAN_AS_OF")]
    pub as_of: Option<NaiveDate>,
}

/// Shown after `capplan --help`.
const EXAMPLES: &str = "Examples:
  capplan init                              write a commented example plan to ./capplan.toml
  capplan report --env prod                 Markdown report of one environment
  capplan report --all --format json -o -   every environment as JSON, to stdout
  capplan review --month 2026-10            the monthly cost review: verdicts, savings, risks
  capplan pricing refresh                   today's prices for the plan's regions from the AWS Price List
  capplan import-terraform infra/ --env prod  the caches a Terraform module defines, priced
  capplan export-terraform --env prod -o cache.tf   the recommendation as Terraform
  capplan                                   the interactive planner

Exit status: 0 done; 1 an environment has no option that fits or is over budget_usd (the report
is still written); 2 an error (the message names the file, line, key and what is accepted).";

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the cost report of one environment or all of them
    #[command(after_help = "Exit status: 0 done; 1 the report was written but an environment has no option that \
fits (the report says what would) or its cheapest fit is over budget_usd; 2 an error.")]
    Report(ReportArgs),
    /// The monthly cost review: what each cache used, what it cost, the verdict and the saving or risk
    #[command(
        long_about = "The monthly cost review of one environment or all of them.

For each environment's current deployment ([env.X.current], or the live cache its [env.X.metrics] \
names) over a calendar month: what it used (from the metrics file or CloudWatch, restricted to the \
month: average, p95 of the hourly values and peak of memory, engine CPU, requests, ECPU, connections, \
swap; evictions, throttled commands, bandwidth allowance exceeded), what it is provisioned for, what \
it cost for the month's actual hours, what the recommended option would have cost, and the verdict: \
right-sized, over-provisioned (engine CPU p95 < 20 % and memory p95 < 30 %), idle (< 1 request/s and \
at most 2 connections), under-provisioned (evictions, throttling, swap above 50 MB, bandwidth allowance \
exceeded, memory above the headroom), with the saving or the risk in dollars. The review is saved as \
capplan-review-YYYY-MM.json beside the plan; next month's review shows the changes against it.",
        after_help = "Examples:
  capplan review                                  last month, every environment, Markdown
  capplan review --month 2026-10 --env prod       one environment, one month
  capplan review --format json -o review.json     the review as JSON (assets/review.schema.json)
  capplan review --bill cur-2026-10.csv.gz        with the bill (a Cost and Usage Report CSV)
  capplan review --cost-explorer                  the bill from Cost Explorer ($0.01 per request)

Exit status: 0 done; 1 the review was written and an environment is under-provisioned; 2 an error \
(a bad month, an unknown environment, metrics that cannot be read or do not cover the month, a bill \
that cannot be read)."
    )]
    Review(ReviewArgs),
    /// Write the commented example plan to ./capplan.toml, or with --discover a plan of the caches
    /// an AWS account runs (never overwrites)
    Init(InitArgs),
    /// Profile a live Redis/Valkey, read-only: workload, request sizes, and what breaks in cluster mode
    Profile(ProfileArgs),
    /// Prices from the AWS Price List (`capplan pricing refresh`)
    Pricing(PricingArgs),
    /// Read the ElastiCache resources of a Terraform module as current deployments, priced
    #[command(name = "import-terraform", after_help = IMPORT_TERRAFORM_HELP)]
    ImportTerraform(ImportTerraformArgs),
    /// Write the recommended configuration of an environment as Terraform
    #[command(name = "export-terraform", after_help = EXPORT_TERRAFORM_HELP)]
    ExportTerraform(ExportTerraformArgs),
    /// Print a shell completion script (e.g. `capplan completions bash > ~/.local/share/bash-completion/completions/capplan`)
    Completions(CompletionsArgs),
    /// Print the manual page in roff (e.g. `capplan man > ~/.local/share/man/man1/capplan.1`)
    Man,
}

/// `capplan report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Environment to report on (see the [env.NAME] tables of the plan)
    #[arg(long, value_name = "NAME", conflicts_with = "all")]
    pub env: Option<String>,

    /// Report on every environment, with totals (the default when --env is not given)
    #[arg(long)]
    pub all: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Md)]
    pub format: Format,

    /// Which options each environment lists [default: best for every environment, all for --env]
    ///
    /// The recommendation, the current deployment and every option the report names by id are
    /// always listed. The Markdown option table shows the ten cheapest that fit and the cheapest
    /// excluded option of each kind from this list.
    #[arg(long, value_enum, value_name = "WHICH")]
    pub options: Option<OptionsFilter>,

    /// Write to FILE instead of stdout (atomically: never a half-written file); `-` is stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also draw each environment's charts into DIR (created when missing) as SVG and PNG: cost
    /// against request rate with break-even points, and metric history against capacity; the
    /// report links them (relative to the --output file's folder, else the current folder)
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
}

impl ReportArgs {
    /// The options each environment lists: as asked, else `best` for every environment and
    /// `all` for one.
    pub fn options_filter(&self) -> OptionsFilter {
        self.options.unwrap_or(if self.env.is_some() { OptionsFilter::All } else { OptionsFilter::Best })
    }
}

/// `capplan review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The month to review, YYYY-MM [default: the previous calendar month]
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
    pub month: Option<crate::model::bill::Month>,

    /// Environment to review (see the [env.NAME] tables of the plan)
    #[arg(long, value_name = "NAME", conflicts_with = "all")]
    pub env: Option<String>,

    /// Review every environment, with totals (the default when --env is not given)
    #[arg(long)]
    pub all: bool,

    /// Output format: md (summary first, then each environment), json (assets/review.schema.json)
    /// or csv (one row per environment)
    #[arg(long, value_enum, default_value_t = Format::Md, hide_possible_values = true)]
    pub format: Format,

    /// Write to FILE instead of stdout (atomically); `-` is stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Do not save the review as capplan-review-YYYY-MM.json beside the plan
    #[arg(long)]
    pub no_save: bool,

    /// The month's bill from a Cost and Usage Report export: CSV (legacy CUR or CUR 2.0 from Data
    /// Exports), gzipped or not. Reconciled with the model by usage type
    #[arg(long, value_name = "FILE", conflicts_with = "cost_explorer")]
    pub bill: Option<PathBuf>,

    /// The month's bill from AWS Cost Explorer (`GetCostAndUsage`, grouped by usage type; needs
    /// `ce:GetCostAndUsage`). Cost Explorer charges $0.01 per request: one a month, more only when
    /// it pages
    #[arg(long)]
    pub cost_explorer: bool,

    /// Also draw each reviewed environment's charts into DIR (created when missing) as SVG and
    /// PNG: the month's metrics against the current and recommended capacity, and cost against
    /// request rate; the review links them (relative to the --output file's folder, else the
    /// current folder)
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,

    /// With --cost-explorer, the cost allocation tag to group by [default: the key of the plan's
    /// [env.NAME.review] tag]
    #[arg(long, value_name = "KEY", requires = "cost_explorer")]
    pub bill_tag: Option<String>,
}

/// `YYYY-MM`.
pub fn parse_month(text: &str) -> Result<crate::model::bill::Month, String> {
    crate::model::bill::Month::parse(text).map_err(|e| e.to_string())
}

/// `capplan init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the plan [default: the --plan file, else ./capplan.toml]
    #[arg(value_name = "FILE")]
    pub path: Option<PathBuf>,

    /// Write a plan of the caches the AWS account runs (ElastiCache discovery): one environment
    /// each, with `current` and `metrics` filled in, instead of the example plan
    #[arg(long)]
    pub discover: bool,

    /// Regions to look in (repeat for several) [default: the AWS profile's region]
    #[arg(long = "region", value_name = "REGION", requires = "discover")]
    pub regions: Vec<String>,
}

/// Output format of `capplan profile`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ProfileFormat {
    /// Markdown.
    Md,
    /// JSON (schema in assets/profile.schema.json).
    Json,
}

/// `capplan profile`.
#[derive(Debug, Args)]
#[command(after_help = "The profiler only reads: INFO at the start and end, MONITOR for --duration (it copies every \
command to the profiler, which costs the server; see the README), then COMMAND INFO, MEMORY USAGE, TTL and SCAN \
(never KEYS). The password in the URL never appears in the output.")]
pub struct ProfileArgs {
    /// `redis[s]://[user:password@]host:port[/db]`; `CAPPLAN_REDIS_URL` keeps the password out of the shell history
    #[arg(value_name = "URL", env = "CAPPLAN_REDIS_URL", hide_env_values = true)]
    pub url: String,

    /// How long to watch the traffic: 30s, 2m, 1h (1 second to 1 hour)
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub duration: std::time::Duration,

    /// Keys to sample with SCAN, MEMORY USAGE and TTL
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub sample_keys: usize,

    /// MONITOR lines to keep at most (a bound on the profiler's memory)
    #[arg(long, default_value_t = 500_000, value_name = "N")]
    pub monitor_lines: usize,

    /// Output format
    #[arg(long, value_enum, default_value_t = ProfileFormat::Md)]
    pub format: ProfileFormat,

    /// Write to FILE instead of stdout (atomically); `-` is stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write the measured workload into this plan file (created if missing; comments kept)
    #[arg(long, value_name = "FILE", requires = "env")]
    pub write_plan: Option<PathBuf>,

    /// The environment of --write-plan to update (created if missing)
    #[arg(long, value_name = "NAME", requires = "write_plan")]
    pub env: Option<String>,

    /// CA certificate (PEM) of a server with a private CA
    #[arg(long, value_name = "FILE")]
    pub tls_ca: Option<PathBuf>,

    /// Accept any server certificate (for tests; never in production)
    #[arg(long)]
    pub tls_insecure: bool,
}

/// Shown after `capplan import-terraform --help`.
const IMPORT_TERRAFORM_HELP: &str = "Reads aws_elasticache_replication_group, aws_elasticache_cluster, \
aws_elasticache_serverless_cache and aws_appautoscaling_target (ElastiCache shards and replicas) from every *.tf in \
DIR. Values are resolved from literals, variables (default, then terraform.tfvars, *.auto.tfvars, --var-file, --var) \
and locals; anything else (functions, conditionals, indexes, other resources) is reported with its file and line, \
never guessed, and a resource that needs it is not imported. A cluster with replication_group_id is counted with \
its group. An autoscaled group is priced at its minimum capacity, and the cost at the maximum is shown. Prices are \
those of the environment's region.

Examples:
  capplan import-terraform infra/cache --env prod
  capplan import-terraform infra/cache --env prod --var env=prod --format json
  capplan import-terraform infra/cache --env prod --resource aws_elasticache_replication_group.sessions --write-plan

A plan can also read its current deployment from Terraform at every run:
  [env.prod.current]
  terraform = \"infra/cache\"          # relative to the plan file
  resource = \"aws_elasticache_replication_group.sessions\"   # when the module has several caches

Exit status: 0 every resource imported; 1 the output was written but a resource was not imported or an expression \
was not resolved (the output says which and why; --write-plan writes nothing then); 2 an error (no such folder, \
invalid HCL, no ElastiCache resource, no such environment).";

/// Shown after `capplan export-terraform --help`.
const EXPORT_TERRAFORM_HELP: &str = "Writes the environment's recommended option (the one `capplan report --env NAME` \
recommends) as Terraform: an aws_elasticache_replication_group (node type, shards, replicas, cluster mode, Multi-AZ \
and automatic failover, snapshot retention and window, maintenance window) or an aws_elasticache_serverless_cache \
(usage limits), its aws_elasticache_parameter_group (maxmemory-policy and the other recommended values), and one \
aws_cloudwatch_metric_alarm per recommended alarm with its threshold. What capplan cannot know (subnet group, \
security groups, the SNS topic for alarms) are variables. The header says what it was generated from. Upstash and \
split deployments are explained in the file: an Upstash database has no AWS resource; a split deployment is written \
as its two replication groups.

Examples:
  capplan export-terraform --env prod                 to stdout
  capplan export-terraform --env prod -o cache.tf     atomically to a file
  capplan import-terraform . --env prod               reads it back

Exit status: 0 written; 1 the environment has no option that fits (nothing is written); 2 an error.";

/// Output format of `capplan import-terraform`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    /// Markdown.
    Md,
    /// JSON.
    Json,
}

/// `capplan import-terraform`.
#[derive(Debug, Args)]
pub struct ImportTerraformArgs {
    /// The Terraform module's folder (its *.tf, terraform.tfvars and *.auto.tfvars)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// The environment whose region prices the deployments (and whose `current` --write-plan sets)
    #[arg(long, value_name = "NAME")]
    pub env: String,

    /// Only this resource, e.g. `aws_elasticache_replication_group.sessions`
    #[arg(long, value_name = "ADDRESS")]
    pub resource: Option<String>,

    /// Set a variable as `terraform -var` does (repeat)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,

    /// A variables file as `terraform -var-file` (repeat; applied after terraform.tfvars and *.auto.tfvars)
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,

    /// Write the deployment into the plan's [env.NAME.current] (atomically; comments kept); needs
    /// one deployment (--resource picks it)
    #[arg(long)]
    pub write_plan: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = ImportFormat::Md)]
    pub format: ImportFormat,

    /// Write to FILE instead of stdout (atomically); `-` is stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `capplan export-terraform`.
#[derive(Debug, Args)]
pub struct ExportTerraformArgs {
    /// The environment whose recommendation is written
    #[arg(long, value_name = "NAME")]
    pub env: String,

    /// Write to FILE instead of stdout (atomically); `-` is stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `capplan pricing`.
#[derive(Debug, Args)]
pub struct PricingArgs {
    /// What to do with the prices.
    #[command(subcommand)]
    pub command: PricingCommand,
}

/// `capplan pricing` subcommands.
#[derive(Debug, Subcommand)]
pub enum PricingCommand {
    /// Fetch today's ElastiCache prices from the AWS Price List into the user cache
    #[command(
        long_about = "Fetch today's ElastiCache prices from the AWS Price List into the user cache.

With AWS credentials (the standard chain, or --profile) it calls the Price List Query API \
(pricing:GetProducts, service code AmazonElastiCache, every page, through the us-east-1 endpoint); \
without any, it reads the same products from the public bulk offer files, which need no account. \
Node prices (on-demand and every reserved offer), Serverless storage and ECPU, snapshot storage and \
Extended Support are kept; surcharge and add-on SKUs (Extended Support, SyncDurability) and \
Outposts never become a node price. Each region is written atomically to \
<cache>/prices/regions/<region>.json with prices/manifest.json ($CAPPLAN_CACHE_DIR, else \
~/.cache/capplan), and replaces the embedded prices of that region when its Price List is newer. \
It prints what changed against the prices it replaces.",
        after_help = "Examples:
  capplan pricing refresh                          the regions the plan uses
  capplan pricing refresh --region eu-west-1       one region (repeat, or eu-west-1,us-east-1)
  capplan pricing refresh --all-regions            every commercial region
  capplan --profile billing pricing refresh        through the API with that profile's credentials

Exit status: 0 done; 2 an error (nothing is written for the region that failed). --offline refuses it."
    )]
    Refresh(RefreshArgs),
}

/// `capplan pricing refresh`.
#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// Region to refresh; repeat or comma-separate [default: the regions the plan uses]
    #[arg(long, value_name = "REGION", value_delimiter = ',', conflicts_with = "all_regions")]
    pub region: Vec<String>,

    /// Every commercial region the Price List has ElastiCache prices for
    #[arg(long)]
    pub all_regions: bool,
}

/// `30s`, `2m`, `1h`, `500ms`, or bare seconds, from 1 second to 1 hour.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let (number, unit) = t.find(|c: char| !c.is_ascii_digit() && c != '.').map_or((t, "s"), |i| t.split_at(i));
    let n: f64 = number.parse().map_err(|_| format!("'{text}' is not a duration; write 30s, 2m or 1h"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" | "sec" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("'{text}': unknown unit '{unit}'; write 30s, 2m or 1h")),
    };
    if !(1.0..=3600.0).contains(&secs) {
        return Err(format!("'{text}' is outside 1s to 1h"));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

/// `capplan completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn review_takes_a_month_and_refuses_a_bad_one() {
        let cli = Cli::try_parse_from(["capplan", "review", "--month", "2026-10", "--env", "prod"]).unwrap();
        let Some(Command::Review(args)) = cli.command else { panic!("not a review") };
        assert_eq!(args.month.map(|m| m.to_string()).as_deref(), Some("2026-10"));
        let err = Cli::try_parse_from(["capplan", "review", "--month", "2026-13"]).unwrap_err().to_string();
        assert!(err.contains("'2026-13' is not a month"), "{err}");
        assert!(Cli::try_parse_from(["capplan", "review", "--env", "prod", "--all"]).is_err());
    }

    #[test]
    fn env_and_all_conflict() {
        assert!(Cli::try_parse_from(["capplan", "report", "--env", "prod", "--all"]).is_err());
        let cli = Cli::try_parse_from(["capplan", "report", "--env", "prod", "--format", "json"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Report(ReportArgs { format: Format::Json, .. }))));
    }

    #[test]
    fn options_default_to_best_for_every_environment_and_all_for_one() {
        let parse = |args: &[&str]| {
            let Some(Command::Report(args)) = Cli::try_parse_from(args).unwrap().command else {
                panic!("not a report")
            };
            args.options_filter()
        };
        assert_eq!(parse(&["capplan", "report"]), OptionsFilter::Best);
        assert_eq!(parse(&["capplan", "report", "--all"]), OptionsFilter::Best);
        assert_eq!(parse(&["capplan", "report", "--env", "prod"]), OptionsFilter::All);
        assert_eq!(parse(&["capplan", "report", "--all", "--options", "all"]), OptionsFilter::All);
        assert_eq!(parse(&["capplan", "report", "--env", "prod", "--options", "fitting"]), OptionsFilter::Fitting);
        assert_eq!(parse(&["capplan", "report", "--env", "prod", "--options", "best"]), OptionsFilter::Best);
        assert!(Cli::try_parse_from(["capplan", "report", "--options", "cheapest"]).is_err());
    }

    #[test]
    fn pricing_refresh_takes_regions_or_all_but_not_both() {
        let cli = Cli::try_parse_from([
            "capplan",
            "pricing",
            "refresh",
            "--region",
            "eu-west-1,us-east-1",
            "--region",
            "ap-south-1",
        ])
        .unwrap();
        let Some(Command::Pricing(PricingArgs { command: PricingCommand::Refresh(args) })) = cli.command else {
            panic!("not a refresh")
        };
        assert_eq!(args.region, ["eu-west-1", "us-east-1", "ap-south-1"]);
        assert!(
            Cli::try_parse_from(["capplan", "pricing", "refresh", "--region", "eu-west-1", "--all-regions"]).is_err()
        );
        assert!(Cli::try_parse_from(["capplan", "--offline", "pricing", "refresh", "--all-regions"]).is_ok());
    }
}
