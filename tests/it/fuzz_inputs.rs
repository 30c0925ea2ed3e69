//! The fuzz targets' inputs as tests: every seed (`fuzz/seeds/<target>/`) and every input a
//! fuzzer found a crash with (`fuzz/regressions/<target>/`, kept once fixed) run through the
//! target's entry point (`capplan::fuzz`), the same code `scripts/fuzz.sh` fuzzes.

use std::path::Path;

use capplan::fuzz::TARGETS;

fn inputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    files.sort();
    files.into_iter().map(|p| (p.display().to_string(), std::fs::read(&p).unwrap())).collect()
}

#[test]
fn every_seed_and_every_kept_crash_input_runs_through_its_target_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut ran = 0;
    for (name, target) in TARGETS {
        let seeds = inputs(&root.join("seeds").join(name));
        assert!(!seeds.is_empty(), "fuzz target '{name}' has no seed in fuzz/seeds/{name}");
        for (file, bytes) in seeds.iter().chain(&inputs(&root.join("regressions").join(name))) {
            let outcome = std::panic::catch_unwind(|| target(bytes));
            assert!(outcome.is_ok(), "{file} panics in fuzz target '{name}'");
            ran += 1;
        }
    }
    assert!(ran >= TARGETS.len());
}

#[test]
fn the_fuzz_crate_builds_every_target_and_only_those() {
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/Cargo.toml")).unwrap();
    let doc: toml::Table = manifest.parse().unwrap();
    let mut bins: Vec<String> =
        doc["bin"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap().to_string()).collect();
    bins.sort();
    let mut names: Vec<String> = TARGETS.iter().map(|(n, _)| (*n).to_string()).collect();
    names.sort();
    assert_eq!(bins, names);
    for name in &names {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fuzz/fuzz_targets/{name}.rs"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(&format!("capplan::fuzz::{name}(data)")),
            "{} does not call its entry point",
            path.display()
        );
    }
}
