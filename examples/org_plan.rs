//! Print a generated plan of N environments (default 500): the organisation-sized plan the
//! benchmarks and the scale test use (`capplan::tui::sample::org_plan`).
//!
//! ```sh
//! cargo run --release --example org_plan -- 500 > /tmp/org-500.toml
//! ```

fn main() -> std::process::ExitCode {
    let n = match std::env::args().nth(1).map(|a| a.parse::<usize>()) {
        None => 500,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("usage: org_plan [N]: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    print!("{}", capplan::tui::sample::org_plan(n));
    std::process::ExitCode::SUCCESS
}
