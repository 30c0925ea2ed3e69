//! The `capplan` binary: parse the command line, run, map errors to exit codes.

use clap::Parser;
use std::process::ExitCode;

/// mimalloc: a report allocates and frees millions of small strings and vectors across threads,
/// where it spends markedly less CPU than the system allocator (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
