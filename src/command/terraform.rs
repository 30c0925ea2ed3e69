//! `capplan import-terraform` and `capplan export-terraform`: the glue between a Terraform module
//! ([`crate::source::terraform`]), the plan, the cost model and the Terraform views
//! ([`crate::report::terraform`]).

use std::path::Path;
use std::process::ExitCode;

use chrono::NaiveDate;

use super::{check_writable, write_atomically, write_stdout};
use crate::cli::{ExportTerraformArgs, ImportFormat, ImportTerraformArgs};
use crate::error::{Error, Result};
use crate::evaluation::Evaluated;
use crate::model::evaluate::evaluate;
use crate::model::price::PriceBook;
use crate::model::workload::EnvInputs;
use crate::report::terraform::{
    ImportReport, ImportedResource, MemberReport, ScalingReport, SettingReport, import_json, import_markdown,
    render_export,
};
use crate::report::{OptionReport, option_report};
use crate::settings::{PlanSource, Settings};
use crate::source::plan::{Plan, parse_plan, plan_text};
use crate::source::plan_edit::current_into_plan;
use crate::source::prices;
use crate::source::terraform::{CurrentSpec, Found, Imported, current_of, read_module};

/// `spec` priced in `env`'s region, as the report prices the current deployment.
fn priced(
    spec: &CurrentSpec,
    address: &str,
    env: &EnvInputs,
    book: &PriceBook,
    as_of: NaiveDate,
) -> std::result::Result<OptionReport, String> {
    let current = current_of(spec, address, env, book)?;
    let mut env = env.clone();
    env.current = Some(current);
    let eval = evaluate(&env, book, as_of).map_err(|e| format!("cannot be priced: {e}"))?;
    let current = eval.current.ok_or_else(|| "cannot be priced".to_string())?;
    Ok(option_report(&current, book))
}

fn resource_report(found: &Found, env: &EnvInputs, book: &PriceBook, as_of: NaiveDate) -> ImportedResource {
    let mut out = ImportedResource {
        address: found.address.clone(),
        at: found.at.to_string(),
        settings: found
            .settings
            .iter()
            .map(|(name, value)| SettingReport { name: name.clone(), value: value.clone() })
            .collect(),
        current_toml: None,
        skipped: None,
        cost: None,
        scaling: found
            .scaling
            .iter()
            .map(|s| ScalingReport {
                address: s.address.clone(),
                at: s.at.to_string(),
                dimension: s.dimension.key().to_string(),
                min: s.min,
                max: s.max,
            })
            .collect(),
        max_monthly_usd: None,
        notes: found.notes.clone(),
        copies: found.copies,
    };
    match &found.current {
        Err(why) => out.skipped = Some(why.clone()),
        Ok(spec) => match priced(spec, &found.address, env, book, as_of) {
            Ok(cost) => {
                out.current_toml = Some(spec.toml());
                out.cost = Some(cost);
                if let Some(max) = found.at_max() {
                    match priced(&max, &found.address, env, book, as_of) {
                        Ok(at_max) => out.max_monthly_usd = Some(at_max.monthly_usd),
                        Err(why) => out.notes.push(format!("at its autoscaling maximum: {why}")),
                    }
                }
            }
            Err(why) => out.skipped = Some(why),
        },
    }
    out
}

fn no_env(plan: &Plan, name: &str) -> Error {
    Error::Usage(format!("no environment '{name}' in {}; environments: {}", plan.origin, plan.env_names().join(", ")))
}

/// The report of `imported` for `env`, `--resource` applied.
fn import_report(
    dir: &Path,
    imported: &mut Imported,
    resource: Option<&str>,
    env: &EnvInputs,
    book: &PriceBook,
    as_of: NaiveDate,
) -> Result<ImportReport> {
    let dir_shown = dir.display().to_string();
    if let Some(address) = resource {
        if let Some(m) = imported.members.iter().find(|m| m.address == address) {
            return Err(Error::Usage(format!(
                "{address} is a member of {}: import the replication group instead (--resource {})",
                m.group, m.group
            )));
        }
        if !imported.resources.iter().any(|r| r.address == address) {
            let known: Vec<&str> = imported.resources.iter().map(|r| r.address.as_str()).collect();
            return Err(Error::Usage(format!(
                "no ElastiCache resource '{address}' in {dir_shown}; resources: {}",
                if known.is_empty() { "none".to_string() } else { known.join(", ") }
            )));
        }
        imported.resources.retain(|r| r.address == address);
        imported.unresolved.retain(|u| u.address == address);
    }
    if imported.resources.is_empty() {
        let members = if imported.members.is_empty() {
            String::new()
        } else {
            format!(
                " (only clusters of a replication group defined elsewhere: {})",
                imported.members.iter().map(|m| m.address.as_str()).collect::<Vec<_>>().join(", ")
            )
        };
        return Err(Error::Usage(format!(
            "no ElastiCache resource (aws_elasticache_replication_group, aws_elasticache_cluster, aws_elasticache_serverless_cache) in {dir_shown}{members}: pass the folder of the module that defines the cache"
        )));
    }
    Ok(ImportReport {
        dir: dir_shown,
        env: env.name.clone(),
        region: env.region.clone(),
        resources: imported.resources.iter().map(|f| resource_report(f, env, book, as_of)).collect(),
        members: imported
            .members
            .iter()
            .map(|m| MemberReport { address: m.address.clone(), at: m.at.to_string(), group: m.group.clone() })
            .collect(),
        other_targets: imported.other_targets.clone(),
        unresolved: imported.unresolved.iter().map(ToString::to_string).collect(),
    })
}

/// Run `capplan import-terraform`.
pub fn exec_import(args: &ImportTerraformArgs, settings: &Settings) -> Result<ExitCode> {
    let output = args.output.as_deref().filter(|p| *p != Path::new("-"));
    if let Some(path) = output {
        check_writable(path)?;
    }
    let plan_path = match (&settings.plan, args.write_plan) {
        (PlanSource::File(path), true) => Some(path.clone()),
        (PlanSource::Bundled, true) => {
            return Err(Error::Usage(
                "--write-plan needs a plan file: pass --plan FILE, or run where ./capplan.toml is (`capplan init` writes one)".into(),
            ));
        }
        (_, false) => None,
    };
    let book = prices::book()?;
    let plan = settings.load_plan(&book)?;
    let env = plan.env(&args.env).ok_or_else(|| no_env(&plan, &args.env))?;
    let module = read_module(&args.dir, &args.var_files, &args.vars).map_err(|e| Error::Usage(e.to_string()))?;
    let mut imported = module.import();
    let report = import_report(&args.dir, &mut imported, args.resource.as_deref(), env, &book, settings.as_of)?;
    let complete = report.unresolved.is_empty() && report.resources.iter().all(|r| r.skipped.is_none());
    let bytes = match args.format {
        ImportFormat::Md => import_markdown(&report).into_bytes(),
        ImportFormat::Json => import_json(&report)
            .map_err(|e| Error::Usage(format!("the import cannot be written as JSON: {e}")))?
            .into_bytes(),
    };
    match output {
        Some(path) => {
            write_atomically(path, &bytes)?;
            eprintln!("wrote {}", path.display());
        }
        None => write_stdout(&bytes)?,
    }
    if let Some(path) = plan_path {
        write_plan(&path, &report, settings, &book)?;
    }
    for r in &report.resources {
        if let Some(why) = &r.skipped {
            eprintln!("warning: {} was not imported: {why}", r.address);
        }
    }
    if !report.unresolved.is_empty() {
        eprintln!("warning: {} expression(s) not resolved (listed in the output)", report.unresolved.len());
    }
    Ok(if complete { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Write the one imported deployment into the plan's `[env.NAME.current]`.
fn write_plan(path: &Path, report: &ImportReport, settings: &Settings, book: &PriceBook) -> Result<()> {
    let shown = path.display().to_string();
    let deployments: Vec<&ImportedResource> = report.resources.iter().filter(|r| r.current_toml.is_some()).collect();
    let not_imported: Vec<&str> =
        report.resources.iter().filter(|r| r.skipped.is_some()).map(|r| r.address.as_str()).collect();
    let one = match (deployments.as_slice(), not_imported.is_empty()) {
        ([one], true) => *one,
        (_, false) => {
            return Err(Error::Usage(format!(
                "{shown} was not changed: {} not imported (see above); fix it, or pick another with --resource ADDRESS",
                not_imported.join(", ")
            )));
        }
        (several, true) => {
            return Err(Error::Usage(format!(
                "{shown} was not changed: {} has {} deployments ({}); pick one with --resource ADDRESS",
                report.dir,
                several.len(),
                several.iter().map(|r| r.address.as_str()).collect::<Vec<_>>().join(", ")
            )));
        }
    };
    let bytes =
        std::fs::read(path).map_err(|source| Error::Io { action: "read plan", path: path.to_path_buf(), source })?;
    let text = plan_text(&bytes, &shown)?;
    let comment = format!(
        "imported from {} ({}, {}) by `capplan import-terraform` on {}",
        report.dir, one.address, one.at, settings.as_of
    );
    let updated = current_into_plan(text, &report.env, one.current_toml.as_deref().unwrap_or_default(), &comment)
        .map_err(|e| Error::Usage(format!("{shown}: {e}")))?;
    parse_plan(&updated, &shown, book)?;
    write_atomically(path, updated.as_bytes())?;
    eprintln!("wrote {} into [env.{}.current] of {shown}", one.address, report.env);
    Ok(())
}

/// Run `capplan export-terraform`.
pub fn exec_export(args: &ExportTerraformArgs, settings: &Settings) -> Result<ExitCode> {
    let output = args.output.as_deref().filter(|p| *p != Path::new("-"));
    if let Some(path) = output {
        check_writable(path)?;
    }
    let book = prices::book()?;
    let plan = settings.load_plan(&book)?;
    let inputs = plan.env(&args.env).ok_or_else(|| no_env(&plan, &args.env))?;
    let report = match super::report::env_report(
        &plan,
        inputs,
        &book,
        settings,
        crate::report::OptionsFilter::All,
        &super::report::Prefetched::default(),
    )?
    .0
    {
        Evaluated::Done { report, .. } => report,
        Evaluated::Missing { reason, .. } => return Err(Error::Usage(reason)),
    };
    let Some(text) = render_export(&report, crate::cli::VERSION, settings.as_of) else {
        eprintln!(
            "error: env.{} has no option that fits, so there is no recommendation to export (`capplan report --env {}` says what would fit)",
            args.env, args.env
        );
        return Ok(ExitCode::from(1));
    };
    match output {
        Some(path) => {
            write_atomically(path, text.as_bytes())?;
            eprintln!("wrote {}", path.display());
        }
        None => write_stdout(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}
