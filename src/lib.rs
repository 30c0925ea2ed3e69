//! capplan: a cost and capacity planner for Redis-compatible caches on AWS.
//!
//! The crate is a pure model ([`model`]) that turns a workload, a price book and a policy into
//! priced, checked options; adapters ([`source`]) that load prices and plans; and views
//! ([`report`]) that render one report structure. [`run`] is the whole program behind `main`.

#![warn(missing_docs)]

pub mod cli;
pub mod command;
pub mod error;
pub mod evaluation;
#[doc(hidden)]
pub mod fuzz;
pub mod model;
pub mod report;
pub mod settings;
pub mod source;
pub mod tui;

use std::io::IsTerminal;
use std::process::ExitCode;

pub use error::{Error, Result};

use cli::{Cli, Command, ReportArgs};
use report::Format;
use settings::{PlanSource, Settings};

/// Run capplan as the command line asks. `today` is the caller's clock reading.
pub fn run(cli: &Cli, today: chrono::NaiveDate) -> Result<ExitCode> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let settings = Settings::from_cli(cli, today, &cwd, no_color);
    let quiet =
        matches!(cli.command, Some(Command::Init(_) | Command::Profile(_) | Command::Completions(_) | Command::Man));
    if settings.plan == PlanSource::Bundled && !quiet {
        eprintln!(
            "note: no ./capplan.toml and no --plan: using the bundled example plan (`capplan init` copies it here to edit)"
        );
    }
    match &cli.command {
        Some(Command::Report(args)) => command::report::exec(args, &settings),
        Some(Command::Review(args)) => command::review::exec(args, &settings),
        Some(Command::Init(args)) => command::init::exec(args, &settings, cli.plan.as_deref()),
        Some(Command::Profile(args)) => command::profile::exec(args, &settings),
        Some(Command::Pricing(args)) => command::pricing::exec(args, &settings),
        Some(Command::ImportTerraform(args)) => command::terraform::exec_import(args, &settings),
        Some(Command::ExportTerraform(args)) => command::terraform::exec_export(args, &settings),
        Some(Command::Completions(args)) => command::docs::exec_completions(args),
        Some(Command::Man) => command::docs::exec_man(),
        None => {
            if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
                let args =
                    ReportArgs { env: None, all: true, format: Format::Md, options: None, output: None, charts: None };
                return command::report::exec(&args, &settings);
            }
            let book = source::prices::book()?;
            let plan = settings.load_plan(&book)?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Error::Terminal(format!("cannot start the event loop: {e}")))?;
            match runtime.block_on(tui::run(plan, std::sync::Arc::new(book.into_owned()), settings))? {
                tui::Exit::Quit => Ok(ExitCode::SUCCESS),
                // the shell's convention for a process ended by a signal
                tui::Exit::Signal(sig) => Ok(ExitCode::from(u8::try_from(128 + sig).unwrap_or(1))),
            }
        }
    }
}
