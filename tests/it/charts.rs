//! `capplan report --charts DIR` on the bundled plan (issue 12): the SVG and PNG files exist,
//! parse, carry their series labels and axis units; the Markdown embeds them by paths that
//! resolve from its folder; JSON lists them; a folder that cannot be made is a clear error.

use std::path::Path;

use crate::support::capplan;

/// Every chart the bundled plan gives: a cost chart per environment; prod has metrics.
const CHARTS: [&str; 6] = [
    "dev-cost-vs-requests",
    "staging-cost-vs-requests",
    "prod-cost-vs-requests",
    "prod-memory_gib",
    "prod-cpu_pct",
    "prod-connections",
];

/// The text of every `<text>` element of an SVG file, which must parse as XML.
fn svg_texts(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: not XML: {e}", path.display()));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.descendants().filter_map(|d| d.text()).collect::<String>())
        .collect()
}

fn has(texts: &[String], needle: &str, file: &str) {
    assert!(texts.iter().any(|t| t.contains(needle)), "{file}: no text with '{needle}' in {texts:#?}");
}

/// A PNG's width and height, decoding the whole image.
fn png_size(path: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (info.width, info.height)
}

#[test]
fn report_all_writes_every_chart_and_the_markdown_embeds_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let out = capplan(dir.path())
        .args(["report", "--all", "--charts", "charts/bundled", "-o", "out/report.md"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let charts = dir.path().join("charts/bundled");
    let mut found: Vec<String> =
        std::fs::read_dir(&charts).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    found.sort();
    let mut expected: Vec<String> = CHARTS.iter().flat_map(|c| [format!("{c}.png"), format!("{c}.svg")]).collect();
    expected.sort();
    assert_eq!(found, expected, "only the charts, no temporary files left behind");
    for chart in CHARTS {
        let file = format!("{chart}.svg");
        let texts = svg_texts(&charts.join(&file));
        let env = chart.split('-').next().unwrap();
        has(&texts, &format!("{env}: "), &file);
        if chart.ends_with("cost-vs-requests") {
            for needle in [
                "Serverless Valkey",
                "Valkey on cache.",
                "Upstash",
                "break-even",
                "requests/s",
                "USD per month",
                "today",
            ] {
                has(&texts, needle, &file);
            }
        } else {
            has(&texts, "date (UTC)", &file);
            has(&texts, "measured: ", &file);
            has(&texts, "current and recommended", &file);
        }
        assert_eq!(png_size(&charts.join(format!("{chart}.png"))), (1200, 700), "{chart}.png");
    }
    // the Serverless/node break-even is marked where the report puts it
    has(&svg_texts(&charts.join("dev-cost-vs-requests.svg")), "break-even 1,063 req/s", "dev");
    let memory = svg_texts(&charts.join("prod-memory_gib.svg"));
    has(&memory, "memory used, GiB", "prod-memory_gib.svg");
    has(&memory, "cache.r6g.xlarge, 1 shard × 2 nodes (19.7 GiB usable for data)", "prod-memory_gib.svg");
    has(&svg_texts(&charts.join("prod-cpu_pct.svg")), "engine CPU, %", "prod-cpu_pct.svg");
    has(&svg_texts(&charts.join("prod-connections.svg")), "far above the data", "prod-connections.svg");

    let md = std::fs::read_to_string(dir.path().join("out/report.md")).unwrap();
    assert_eq!(md.matches("#### Charts").count() + md.matches("### Charts").count(), 3, "one section per environment");
    for chart in CHARTS {
        for ext in ["png", "svg"] {
            let link = format!("../charts/bundled/{chart}.{ext}");
            assert!(md.contains(&format!("({link})")), "the report links {link}");
            assert!(dir.path().join("out").join(&link).is_file(), "{link} resolves from the report's folder");
        }
    }
}

#[test]
fn json_lists_the_charts_relative_to_the_current_folder_and_matches_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        capplan(dir.path()).args(["report", "--env", "prod", "--format", "json", "--charts", "c"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let charts = value["charts"].as_array().unwrap();
    let names: Vec<&str> = charts.iter().map(|c| c["chart"].as_str().unwrap()).collect();
    assert_eq!(names, ["cost-vs-requests", "memory_gib", "cpu_pct", "connections"]);
    for c in charts {
        for ext in ["svg", "png"] {
            let path = c[ext].as_str().unwrap();
            assert!(path.starts_with("c/prod-"), "{path}");
            assert!(dir.path().join(path).is_file(), "{path}");
        }
    }
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/report.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Without `--charts` nothing is drawn and the report says nothing of charts (the goldens
/// prove the rest is unchanged).
#[test]
fn without_charts_the_report_has_no_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = capplan(dir.path()).args(["report", "--env", "prod", "--format", "json"]).output().unwrap();
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(value.get("charts").is_none());
    let md = capplan(dir.path()).args(["report", "--env", "prod"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&md.stdout).contains("Charts"));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.iter().all(|n| n.to_string_lossy().starts_with(".capplan-cache")), "{left:?}");
}

#[test]
fn a_chart_folder_that_cannot_be_made_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("taken"), "a file").unwrap();
    capplan(dir.path())
        .args(["report", "--all", "--charts", "taken"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("--charts 'taken' is a file, not a folder"));
    capplan(dir.path())
        .args(["report", "--all", "--charts", "taken/charts"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("cannot create the chart folder 'taken/charts'"));
}

/// The README's charts (`assets/charts/`) are what the bundled plan draws today, like the golden
/// reports: `UPDATE_GOLDEN=1 cargo test --test it charts` redraws them; review them by eye.
#[test]
fn the_readme_charts_are_the_bundled_plans() {
    let dir = tempfile::tempdir().unwrap();
    let out = capplan(dir.path()).args(["report", "--all", "--charts", "c"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/charts");
    for chart in CHARTS {
        let name = format!("{chart}.png");
        let drawn = std::fs::read(dir.path().join("c").join(&name)).unwrap();
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(assets.join(&name), &drawn).unwrap();
            continue;
        }
        let kept = std::fs::read(assets.join(&name)).unwrap_or_default();
        assert!(kept == drawn, "assets/charts/{name} is not what the bundled plan draws (UPDATE_GOLDEN=1 redraws it)");
    }
}
