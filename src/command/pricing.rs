//! `capplan pricing refresh`: fetch today's prices from the AWS Price List into the user cache,
//! with a progress display on a terminal, and print what changed.

use std::fmt::Write;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::write_stdout;
use crate::cli::{PricingArgs, PricingCommand, RefreshArgs};
use crate::error::{Error, Result};
use crate::settings::{PlanSource, Settings};
use crate::source::plan::{EXAMPLE_PLAN, plan_text};
use crate::source::price_refresh::{
    Progress, RefreshOptions, RefreshSummary, RegionRefresh, RegionSelection, check_region, refresh,
};
use crate::source::user_cache;

/// Changed prices listed one by one per region; more are summarised.
const MAX_CHANGE_LINES: usize = 25;

/// Run `capplan pricing …`.
pub fn exec(args: &PricingArgs, settings: &Settings) -> Result<ExitCode> {
    match &args.command {
        PricingCommand::Refresh(refresh_args) => exec_refresh(refresh_args, settings),
    }
}

fn exec_refresh(args: &RefreshArgs, settings: &Settings) -> Result<ExitCode> {
    if settings.offline {
        return Err(Error::Usage(
            "--offline forbids the network, and `capplan pricing refresh` fetches prices from the AWS Price List: \
             run it without --offline (reports then use the refreshed prices offline)"
                .to_string(),
        ));
    }
    let regions = if args.all_regions {
        RegionSelection::All
    } else if args.region.is_empty() {
        let regions = plan_regions(settings)?;
        eprintln!("refreshing the regions {} uses: {}", settings.plan_name(), regions.join(", "));
        RegionSelection::Listed(regions)
    } else {
        RegionSelection::Listed(args.region.iter().map(|r| r.trim().to_string()).collect())
    };
    if let RegionSelection::Listed(codes) = &regions {
        for code in codes {
            check_region(code)?;
        }
    }
    let cache_dir = user_cache::dir()?;
    let opts = RefreshOptions::new(regions, settings.aws_profile.clone(), cache_dir, chrono::Utc::now());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the network runtime: {e}")))?;
    let mut display = Display::new(std::io::stderr().is_terminal());
    let outcome = runtime.block_on(refresh(&opts, |p| display.show(&p)));
    display.finish();
    let summary = outcome?;
    write_stdout(render(&summary).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The regions the plan names (top-level `region` and each environment's), read without the
/// rest of the plan's checks: a region the embedded prices do not cover is exactly what a refresh
/// is for.
fn plan_regions(settings: &Settings) -> Result<Vec<String>> {
    let name = settings.plan_name();
    let owned;
    let text = match &settings.plan {
        PlanSource::Bundled => EXAMPLE_PLAN,
        PlanSource::File(path) => {
            owned = std::fs::read(path).map_err(|source| {
                if source.kind() == std::io::ErrorKind::NotFound {
                    Error::Usage(format!(
                        "no plan file '{}': name the regions with --region, or use --all-regions",
                        path.display()
                    ))
                } else {
                    Error::Io { action: "read plan", path: path.clone(), source }
                }
            })?;
            plan_text(&owned, &name)?
        }
    };
    let table: toml::Table =
        toml::from_str(text).map_err(|e| Error::Usage(format!("{name}: {e}; or name the regions with --region")))?;
    let mut regions: Vec<String> = Vec::new();
    let mut add = |value: Option<&toml::Value>| {
        if let Some(r) = value.and_then(toml::Value::as_str)
            && !regions.iter().any(|x| x == r)
        {
            regions.push(r.to_string());
        }
    };
    add(table.get("region"));
    if let Some(envs) = table.get("env").and_then(toml::Value::as_table) {
        for env in envs.values() {
            add(env.get("region"));
        }
    }
    if regions.is_empty() {
        return Err(Error::Usage(format!(
            "{name} names no region: set `region` in it, or name the regions with --region, or use --all-regions"
        )));
    }
    Ok(regions)
}

/// A progress display on stderr when it is a terminal; nothing otherwise.
struct Display {
    bar: Option<ProgressBar>,
    region: String,
}

impl Display {
    fn new(terminal: bool) -> Display {
        let bar = terminal.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Display { bar, region: String::new() }
    }

    fn show(&mut self, p: &Progress) {
        let Some(bar) = &self.bar else { return };
        match p {
            Progress::Chose(via) => bar.println(format!("reading {}", via.describe())),
            Progress::Region { region, index, of } => {
                self.region = format!("{region} ({index}/{of})");
                bar.set_message(format!("{}: asking the Price List", self.region));
            }
            Progress::Page { page, products, .. } => {
                bar.set_message(format!("{}: page {page}, {products} products", self.region));
            }
            Progress::Download { bytes, total, .. } => {
                let of = total.map_or_else(String::new, |t| format!(" of {}", HumanBytes(t)));
                bar.set_message(format!("{}: {}{of}", self.region, HumanBytes(*bytes)));
            }
            Progress::Wrote { region, .. } => bar.println(format!("{region}: written")),
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// `1234` → `1,234`.
fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the refresh did, as the command prints it.
pub fn render(summary: &RefreshSummary) -> String {
    let mut out = format!("prices from {}\n", summary.via.describe());
    for r in &summary.regions {
        out.push_str(&render_region(r));
    }
    for s in &summary.skipped {
        let _ = writeln!(out, "skipped: {s}");
    }
    if summary.regions.is_empty() {
        out.push_str("no region refreshed\n");
    }
    out
}

/// What the refresh changed, in one line (the app's status line): `us-east-1: 3 prices changed,
/// 14 added; eu-west-1: no change`.
pub fn changes_line(summary: &RefreshSummary) -> String {
    let parts: Vec<String> = summary
        .regions
        .iter()
        .map(|r| {
            let c = &r.changes;
            let added: usize = c.added.values().sum();
            let removed: usize = c.removed.values().sum();
            let mut what = Vec::new();
            if !c.changed.is_empty() {
                what.push(format!("{} prices changed", count(c.changed.len())));
            }
            if added > 0 {
                what.push(format!("{} added", count(added)));
            }
            if removed > 0 {
                what.push(format!("{} removed", count(removed)));
            }
            if what.is_empty() {
                what.push("no change".into());
            }
            if !r.in_use {
                what.push(format!("not newer than the embedded prices ({}), not used", r.as_of));
            }
            format!("{}: {}", r.region, what.join(", "))
        })
        .collect();
    if parts.is_empty() { "no region refreshed".to_string() } else { parts.join("; ") }
}

fn render_region(r: &RegionRefresh) -> String {
    let s = &r.stats;
    let mut out = String::new();
    let offer = r.version.as_deref().map_or_else(String::new, |v| format!(", offer {v}"));
    let pages = if r.pages > 0 { format!(", {} GetProducts pages", r.pages) } else { String::new() };
    let _ = writeln!(
        out,
        "{}: AWS Price List of {}{offer} ({}{pages}, {} products)",
        r.region,
        r.as_of,
        r.source,
        count(s.products)
    );
    let _ = writeln!(
        out,
        "  kept: {} on-demand node prices, {} reserved offers, Serverless rates for {} engines, {} Extended Support rates ({} from Price List rows); {} derived by a stated rule",
        count(s.node_prices),
        count(s.reserved),
        s.serverless_engines,
        count(s.extended_support),
        count(s.extended_support_rows),
        count(s.derived)
    );
    if !s.rejected.is_empty() {
        let reasons: Vec<String> = s.rejected.iter().map(|(why, n)| format!("{n} {why}")).collect();
        let _ = writeln!(out, "  rejected, never a node price: {}", reasons.join(", "));
    }
    if !s.skipped_node_types.is_empty() {
        let names: Vec<&str> = s.skipped_node_types.iter().map(String::as_str).collect();
        let shown = if names.len() > 6 { format!("{}, …", names[..6].join(", ")) } else { names.join(", ") };
        let _ = writeln!(out, "  skipped {} node types capplan does not model: {shown}", names.len());
    }
    for note in &s.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    let _ = writeln!(out, "  changes against {}:", r.replaced);
    for line in r.changes.lines(MAX_CHANGE_LINES) {
        let _ = writeln!(out, "    {line}");
    }
    let _ = writeln!(out, "  written to {}", r.path.display());
    if !r.in_use {
        let _ = writeln!(
            out,
            "  note: this Price List ({}) is not newer than the embedded prices: reports keep using the embedded ones",
            r.as_of
        );
    }
    out
}
