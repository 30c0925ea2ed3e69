//! The command line (clap derive only): `capplan [report|init] [flags]`.

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

use crate::report::Format;

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
#[command(name = "capplan", version = VERSION, about, long_about, max_term_width = 100)]
pub struct Cli {
    /// What to do (default: the interactive planner).
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Plan file [default: ./capplan.toml if present, else the bundled example plan]
    #[arg(long, global = true, value_name = "FILE", env = "CAPPLAN_PLAN")]
    pub plan: Option<PathBuf>,

    /// Never touch the network (today nothing does; live AWS sources come later)
    #[arg(long, global = true)]
    pub offline: bool,

    /// Evaluate as of this date, YYYY-MM-DD (Extended Support schedule, price age) [default: today]
    #[arg(long, global = true, value_name = "DATE", env = "CAPPLAN_AS_OF")]
    pub as_of: Option<NaiveDate>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the cost report of one environment or all of them
    Report(ReportArgs),
    /// Write the commented example plan to ./capplan.toml (never overwrites)
    Init(InitArgs),
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

    /// Write to FILE instead of stdout (atomically: never a half-written file)
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `capplan init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the plan
    #[arg(default_value = "capplan.toml", value_name = "FILE")]
    pub path: PathBuf,
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
}
