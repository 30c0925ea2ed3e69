//! `capplan profile`: profile a live Redis/Valkey (read-only) and print the profile, or write the
//! measured workload into a plan.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use super::{check_writable, write_atomically, write_stdout};
use crate::cli::{ProfileArgs, ProfileFormat};
use crate::error::{Error, Result};
use crate::model::profile::analyze;
use crate::report::profile::{json, markdown};
use crate::settings::Settings;
use crate::source::plan::{parse_plan, plan_text};
use crate::source::plan_edit::profile_into_plan;
use crate::source::prices;
use crate::source::redis_profile::{ProfileOptions, gather, redact};

/// Run `capplan profile`.
pub fn exec(args: &ProfileArgs, settings: &Settings) -> Result<ExitCode> {
    let opts = ProfileOptions {
        url: args.url.clone(),
        duration: args.duration,
        sample_keys: args.sample_keys,
        monitor_lines: args.monitor_lines,
        tls_ca: args.tls_ca.clone(),
        tls_insecure: args.tls_insecure,
    };
    let target = redact(&args.url);
    let output = args.output.as_deref().filter(|p| *p != Path::new("-"));
    // a place that cannot be written fails now, not after the window
    for path in output.into_iter().chain(args.write_plan.as_deref()) {
        check_writable(path)?;
    }
    let interactive = std::io::stderr().is_terminal();
    eprintln!("profiling {target} for {} s (read-only; MONITOR runs for the window)", args.duration.as_secs());
    let gathered = gather(&opts, |left| {
        if interactive {
            eprint!("\r  {left:>4} s left ");
        }
    })?;
    if interactive {
        eprintln!("\r  done         ");
    }
    let profile = analyze(&gathered.input);
    // an incomplete profile is said once, as the error it ends with
    for gap in profile.gaps.iter().filter(|g| !g.starts_with("incomplete: ")) {
        eprintln!("note: {gap}");
    }
    let complete = gathered.incomplete.is_empty();
    if let (Some(plan), Some(env)) = (&args.write_plan, &args.env) {
        if complete {
            write_plan(plan, env, &profile, settings)?;
        } else {
            eprintln!("error: {} was not changed: a plan is never written from an incomplete profile", plan.display());
        }
    }
    let bytes = match args.format {
        ProfileFormat::Md => markdown(&profile).into_bytes(),
        ProfileFormat::Json => json(&profile)
            .map_err(|e| Error::Usage(format!("the profile cannot be written as JSON: {e}")))?
            .into_bytes(),
    };
    match output {
        Some(path) => {
            write_atomically(path, &bytes)?;
            eprintln!("wrote {}", path.display());
        }
        None => write_stdout(&bytes)?,
    }
    if complete {
        return Ok(ExitCode::SUCCESS);
    }
    for reason in &gathered.incomplete {
        eprintln!("error: the profile of {target} is incomplete: {reason}; run the profile again");
    }
    Ok(ExitCode::from(2))
}

/// Update (or create) the plan with the measured workload, check it still parses, write it.
fn write_plan(path: &Path, env: &str, profile: &crate::model::profile::Profile, settings: &Settings) -> Result<()> {
    let existing = match std::fs::read(path) {
        Ok(bytes) => Some(plan_text(&bytes, &path.display().to_string())?.to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(Error::Io { action: "read plan", path: path.to_path_buf(), source }),
    };
    let updated = profile_into_plan(existing.as_deref(), env, profile, settings.as_of)
        .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
    // the plan must still be a valid plan before it replaces the old one
    let book = prices::book()?;
    parse_plan(&updated, &path.display().to_string(), &book)?;
    write_atomically(path, updated.as_bytes())?;
    eprintln!(
        "wrote the measured workload of env.{env} into {} (source = \"profile\"; cross_slot_commands = {})",
        path.display(),
        profile.blockers.iter().any(|b| b.kind == "cross-slot")
    );
    Ok(())
}
