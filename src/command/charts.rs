//! Chart files of one environment (`capplan report --charts DIR`, and the review): compute what
//! to draw ([`crate::report::chart_data`]), draw it ([`crate::report::charts`]) and write each
//! chart as SVG and PNG, atomically, into a folder; the report links them by relative path.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::observed::MetricsData;
use crate::model::price::PriceBook;
use crate::model::workload::EnvInputs;
use crate::report::chart_data::env_charts;
use crate::report::charts::{ChartRef, render_png, render_svg};
use crate::report::{ChartFile, EnvReport};

use super::write_atomically_with;

/// Make sure `dir` exists and is a folder (created with its parents when missing), before any
/// environment is evaluated: a folder that cannot be written fails at once, naming it.
pub fn prepare_dir(dir: &Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "--charts '{}' is a file, not a folder; name a folder (it is created when missing)",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        action: "create the chart folder",
        path: dir.to_path_buf(),
        source,
    })
}

/// The folder links are relative to: the folder of `output` (the report file), else the
/// current folder.
pub fn link_base(output: Option<&Path>) -> PathBuf {
    match output.and_then(Path::parent) {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// An environment's name as a file name: letters, digits, `.`, `_` and `-` kept; a name with
/// anything else has it replaced by `-` and a short hash of the name appended, so two names
/// never share their files (`eu/prod` → `eu-prod-1a2b3c4d`).
pub fn file_stem(env: &str) -> String {
    use sha2::Digest;
    let kept = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-') || c == '.' && !env.starts_with('.');
    if !env.is_empty() && env.chars().all(kept) {
        return env.to_string();
    }
    let stem: String = env.chars().map(|c| if kept(c) { c } else { '-' }).collect();
    let hash = sha2::Sha256::digest(env.as_bytes());
    let [a, b, c, d, ..] = hash.as_slice() else { return stem };
    format!("{stem}-{a:02x}{b:02x}{c:02x}{d:02x}")
}

/// Write one environment's charts into `dir` (which must exist: [`prepare_dir`]) as
/// `<env>-cost-vs-requests.svg/.png` and, with metrics, `<env>-<metric>.svg/.png` for memory,
/// ECPU or engine CPU, and connections against the capacity of the current and recommended
/// configurations. Returns the files with paths relative to `link_base` (the Markdown file's
/// folder), for the report to embed. `report` is the environment's report as evaluated
/// (`capplan report`, the review), `inputs` the plan's inputs for it, `metrics` its series.
pub fn write_env_charts(
    report: &EnvReport,
    inputs: &EnvInputs,
    metrics: Option<&MetricsData>,
    book: &PriceBook,
    dir: &Path,
    link_base: &Path,
) -> Result<Vec<ChartFile>> {
    let data = env_charts(report, inputs, metrics, book)?;
    let stem = file_stem(&report.env);
    let mut charts: Vec<(String, ChartRef<'_>)> = Vec::new();
    if let Some(cost) = &data.cost {
        charts.push(("cost-vs-requests".to_string(), ChartRef::Cost(cost)));
    }
    for m in &data.metrics {
        charts.push((m.chart.id().to_string(), ChartRef::Metric(m)));
    }
    let mut files = Vec::new();
    for (name, chart) in charts {
        let svg = dir.join(format!("{stem}-{name}.svg"));
        let png = dir.join(format!("{stem}-{name}.png"));
        write_bytes(&svg, render_svg(chart)?.as_bytes())?;
        write_bytes(&png, &render_png(chart)?)?;
        files.push(ChartFile {
            chart: name,
            title: chart.title(),
            svg: relative_link(&svg, link_base),
            png: relative_link(&png, link_base),
        });
    }
    Ok(files)
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically_with(path, |out: &mut dyn Write| {
        out.write_all(bytes).map_err(|source| Error::Io { action: "write", path: path.to_path_buf(), source })
    })
}

/// `path` as a `/`-separated link relative to the folder `base` (both resolved against the
/// current folder, symbolic links followed where they exist); the absolute path when no
/// relative one exists.
pub fn relative_link(path: &Path, base: &Path) -> String {
    let resolve = |p: &Path| -> PathBuf {
        std::fs::canonicalize(p).unwrap_or_else(|_| match std::path::absolute(p) {
            Ok(abs) => abs,
            Err(_) => p.to_path_buf(),
        })
    };
    // the file may not exist yet: resolve its folder
    let target = match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            resolve(if parent.as_os_str().is_empty() { Path::new(".") } else { parent }).join(name)
        }
        _ => resolve(path),
    };
    let base = resolve(base);
    match relative(&target, &base) {
        Some(rel) => rel,
        None => target.to_string_lossy().replace('\\', "/"),
    }
}

/// `target` relative to `base`, both absolute and normalized; `None` when they share no root.
fn relative(target: &Path, base: &Path) -> Option<String> {
    let t: Vec<Component<'_>> = target.components().collect();
    let b: Vec<Component<'_>> = base.components().collect();
    if t.first() != b.first() {
        return None;
    }
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = Vec::new();
    for c in &b[common..] {
        match c {
            Component::Normal(_) => parts.push("..".to_string()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    for c in &t[common..] {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_relative_to_the_report_folder() {
        assert_eq!(relative(Path::new("/a/b/c/x.png"), Path::new("/a/b")).as_deref(), Some("c/x.png"));
        assert_eq!(relative(Path::new("/a/c/x.png"), Path::new("/a/b/d")).as_deref(), Some("../../c/x.png"));
        assert_eq!(relative(Path::new("/x.png"), Path::new("/")).as_deref(), Some("x.png"));
    }

    #[test]
    fn env_names_become_safe_file_names() {
        assert_eq!(file_stem("prod"), "prod");
        assert_eq!(file_stem("prod-eu.1"), "prod-eu.1");
        let (a, b) = (file_stem("eu/prod"), file_stem("eu prod"));
        assert!(a.starts_with("eu-prod-") && b.starts_with("eu-prod-") && a != b, "{a} {b}");
        assert!(file_stem("..").starts_with("---"), "{}", file_stem(".."));
        assert!(!file_stem("").is_empty());
    }

    #[test]
    fn links_follow_the_output_folder() {
        assert_eq!(link_base(Some(Path::new("out/report.md"))), PathBuf::from("out"));
        assert_eq!(link_base(Some(Path::new("report.md"))), PathBuf::from("."));
        assert_eq!(link_base(None), PathBuf::from("."));
    }
}
