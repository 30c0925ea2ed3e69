//! The command line (clap derive only): `capplan [report|init|profile|pricing|completions|man] [flags]`.

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
  capplan pricing refresh                   today's prices for the plan's regions from the AWS Price List
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
    /// Write the commented example plan to ./capplan.toml, or with --discover a plan of the caches
    /// an AWS account runs (never overwrites)
    Init(InitArgs),
    /// Profile a live Redis/Valkey, read-only: workload, request sizes, and what breaks in cluster mode
    Profile(ProfileArgs),
    /// Prices from the AWS Price List (`capplan pricing refresh`)
    Pricing(PricingArgs),
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
