//! `capplan completions SHELL` and `capplan man`: generated from the clap definition, so they
//! always name every subcommand and flag the binary has.

use clap::CommandFactory;
use std::process::ExitCode;

use super::write_stdout;
use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Error, Result};

/// Sections clap does not know: exit status, environment, files.
const EXTRA: &str = r#".SH "EXIT STATUS"
.TP
0
done
.TP
1
the report was written, but an environment has no option that fits (the report says what would) or its cheapest fit is over budget_usd
.TP
2
an error: a bad plan (the message names the file, line, column and key), an unknown environment, an unwritable output
.SH ENVIRONMENT
.TP
CAPPLAN_PLAN
the plan file, as \fB\-\-plan\fR
.TP
CAPPLAN_AS_OF
the evaluation date, as \fB\-\-as\-of\fR
.TP
CAPPLAN_CACHE_DIR
the user cache (refreshed prices, fetched metrics) instead of $XDG_CACHE_HOME/capplan
.TP
CAPPLAN_AWS_TIMEOUT
the longest one AWS call may take, retries included, in seconds (1\-3600; default 90, 30 per attempt)
.TP
AWS_MAX_ATTEMPTS
attempts per AWS call (1\-10; default 3, 4 for \fBpricing refresh\fR)
.TP
NO_COLOR
when set and not empty, the terminal app draws without colors
.SH FILES
.TP
capplan.toml
the plan read when \fB\-\-plan\fR is not given; \fBcapplan init\fR writes a commented example
"#;

/// The completion script for `args.shell`, as bytes.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "capplan", &mut out);
    out
}

/// The manual page (roff) of `capplan` with a section for each subcommand.
pub fn man_page() -> Result<Vec<u8>> {
    let cmd = Cli::command();
    let mut out = Vec::new();
    let render = |out: &mut Vec<u8>| -> std::io::Result<()> {
        let man = clap_mangen::Man::new(cmd.clone());
        man.render_title(out)?;
        man.render_name_section(out)?;
        man.render_synopsis_section(out)?;
        man.render_description_section(out)?;
        man.render_options_section(out)?;
        // every subcommand's synopsis and options, in the same page, under its own heading
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let name = format!("capplan {}", sub.get_name());
            let sub_man = clap_mangen::Man::new(sub.clone().bin_name(name.clone()));
            let mut part = Vec::new();
            sub_man.render_synopsis_section(&mut part)?;
            sub_man.render_options_section(&mut part)?;
            let part = String::from_utf8_lossy(&part)
                .replace(".SH SYNOPSIS", &format!(".SH \"{}\"", name.to_uppercase()))
                .replace(".SH OPTIONS", ".SS Options");
            out.extend_from_slice(part.as_bytes());
        }
        out.extend_from_slice(EXTRA.as_bytes());
        man.render_extra_section(out)?;
        man.render_version_section(out)?;
        Ok(())
    };
    render(&mut out).map_err(|source| Error::Io { action: "render", path: "the manual page".into(), source })?;
    Ok(out)
}

/// Run `capplan completions`.
pub fn exec_completions(args: &CompletionsArgs) -> Result<ExitCode> {
    write_stdout(&completions(args.shell))?;
    Ok(ExitCode::SUCCESS)
}

/// Run `capplan man`.
pub fn exec_man() -> Result<ExitCode> {
    write_stdout(&man_page()?)?;
    Ok(ExitCode::SUCCESS)
}
