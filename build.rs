//! Reads the pricing cache's as-of date from `pricing-cache/MANIFEST.toml` so `--version` can
//! print it without parsing the cache.

use std::fs;

fn main() {
    println!("cargo:rerun-if-changed=pricing-cache/MANIFEST.toml");
    println!("cargo:rerun-if-changed=pricing-cache/elasticache.json");
    let manifest = fs::read_to_string("pricing-cache/MANIFEST.toml").unwrap_or_default();
    let as_of = manifest
        .lines()
        .find_map(|l| l.strip_prefix("as_of = "))
        .map_or_else(|| "unknown".to_string(), |v| v.trim().trim_matches('"').to_string());
    println!("cargo:rustc-env=CAPPLAN_PRICING_AS_OF={as_of}");
}
