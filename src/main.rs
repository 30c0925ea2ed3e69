//! The `capplan` binary: parse the command line, run, map errors to exit codes.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = capplan::cli::Cli::parse();
    let today = chrono::Local::now().date_naive();
    match capplan::run(&cli, today) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            err.exit_code()
        }
    }
}
