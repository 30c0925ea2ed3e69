//! The plan `capplan init --discover` writes: one environment per cache found in the account,
//! named from its id, with `current` as ElastiCache describes it and `[env.X.metrics]` naming
//! the cache, so every workload figure comes from CloudWatch. Pure text: the caller checks it
//! parses before writing it.

use std::collections::BTreeSet;
use std::fmt::Write;

use chrono::NaiveDate;

use super::discovery::{CacheKind, Discovered};
use crate::model::catalog::Engine;
use crate::model::price::PriceBook;

/// An environment name from a cache id: lower case letters, digits and hyphens.
fn env_name(id: &str) -> String {
    let name: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .to_string();
    if name.is_empty() { "cache".to_string() } else { name }
}

fn engine_key(engine: Engine) -> &'static str {
    match engine {
        Engine::Valkey => "valkey",
        Engine::Redis => "redis",
        Engine::Memcached => "memcached",
    }
}

/// Engine versions the plan file accepts (`current.engine_version`).
fn version_accepted(engine: Engine, version: &str) -> bool {
    let major = version.split('.').next().and_then(|m| m.parse::<u32>().ok());
    let range = match engine {
        Engine::Redis => 4..=7,
        Engine::Valkey => 7..=8,
        Engine::Memcached => 1..=1,
    };
    major.is_some_and(|m| range.contains(&m))
        && version.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The plan text for `caches`, discovered in `regions` on `date`.
pub fn plan_text(caches: &[Discovered], regions: &[String], date: NaiveDate, book: &PriceBook) -> String {
    let mut out = String::new();
    let home = regions.first().cloned().or_else(|| caches.first().map(|c| c.region.clone())).unwrap_or_default();
    let _ = writeln!(out, "# capplan plan: the caches of an AWS account, found by `capplan init --discover` on {date}");
    let _ = writeln!(out, "# in {}.", regions.join(", "));
    let _ = writeln!(out, "#");
    let _ = writeln!(out, "# Each environment names its cache in [env.NAME.metrics]: its workload is measured from");
    let _ =
        writeln!(out, "# CloudWatch (14 days by default) and `current` is what ElastiCache describes. Say what each");
    let _ = writeln!(out, "# cache is for (`role`), and add an [env.NAME.workload] table to plan with figures of your");
    let _ = writeln!(out, "# own (`capplan init other.toml` writes an example with every key).");
    let _ = writeln!(out);
    let _ = writeln!(out, "region = \"{home}\"");
    if caches.is_empty() {
        let _ = writeln!(out, "\n# no ElastiCache caches were found in {}", regions.join(", "));
    }
    let mut taken = BTreeSet::new();
    for c in caches {
        let mut name = env_name(&c.id);
        if !taken.insert(name.clone()) {
            name = format!("{name}-{}", c.region);
            taken.insert(name.clone());
        }
        env(&mut out, &name, c, &home, book);
    }
    out
}

fn env(out: &mut String, name: &str, c: &Discovered, home: &str, book: &PriceBook) {
    let kind = match c.kind {
        CacheKind::Serverless => "ElastiCache Serverless",
        CacheKind::ReplicationGroup => "replication group",
        CacheKind::Standalone => "single-node cluster",
        CacheKind::Memcached => "Memcached cluster",
    };
    let status = c.status.as_deref().map_or_else(String::new, |s| format!(", {s}"));
    let _ = writeln!(out, "\n[env.{name}]                 # {kind} '{}'{status}", c.id);
    if c.region != home {
        let _ = writeln!(out, "region = \"{}\"", c.region);
    }
    let _ = writeln!(out, "engine = \"{}\"", engine_key(c.engine));
    let ha = match c.kind {
        CacheKind::Serverless => true,
        CacheKind::Memcached => false,
        _ => c.multi_az || c.replicas_per_shard > 0,
    };
    let why = match c.kind {
        CacheKind::Serverless => "Serverless replicates across zones",
        CacheKind::Memcached => "Memcached has no replicas",
        _ if c.multi_az => "Multi-AZ with automatic failover",
        _ if ha => "it has replicas",
        _ => "no replicas today",
    };
    let _ = writeln!(out, "ha = {ha}                     # {why}");
    let _ = writeln!(out, "# role = \"cache\"             # cache | session-store | pubsub | queue | rate-limiter");
    if c.kind != CacheKind::Memcached {
        let _ = writeln!(out, "snapshot_retention_days = {}", c.snapshot_retention_days);
    }

    let _ = writeln!(out, "\n[env.{name}.current]         # as ElastiCache describes it");
    match c.kind {
        CacheKind::Serverless => {
            let _ = writeln!(out, "kind = \"serverless\"");
            if let Some(l) = c.limits {
                if let Some(gb) = l.max_data_gb {
                    let _ = writeln!(out, "max_data_gb = {gb}");
                }
                if let Some(e) = l.max_ecpu_per_sec {
                    let _ = writeln!(out, "max_ecpu_per_sec = {e}");
                }
            }
        }
        _ => {
            let _ = writeln!(out, "kind = \"node\"");
            match c.node_type.as_deref() {
                Some(t) if book.catalog.find(t).is_some() => {
                    let _ = writeln!(out, "node_type = \"{t}\"");
                }
                Some(t) => {
                    let _ = writeln!(
                        out,
                        "# node_type = \"{t}\"        # capplan has no prices for it: set the nearest one"
                    );
                    let _ = writeln!(out, "node_type = \"cache.r7g.large\"");
                }
                None => {
                    let _ = writeln!(out, "node_type = \"cache.r7g.large\" # ElastiCache reported none: set it");
                }
            }
            let _ = writeln!(out, "shards = {}", c.shards.max(1));
            if c.kind != CacheKind::Memcached {
                let _ = writeln!(out, "replicas = {}", c.replicas_per_shard);
                let _ = writeln!(out, "cluster_mode = {}", c.cluster_mode);
            }
            let _ = writeln!(
                out,
                "# reserved = {{ term = \"1yr\", payment = \"no-upfront\" }}   # if reserved nodes cover it (not read from AWS)"
            );
        }
    }
    if let Some(v) = c.engine_version.as_deref() {
        if c.kind != CacheKind::Serverless && version_accepted(c.engine, v) {
            let _ = writeln!(out, "engine_version = \"{v}\"");
        } else if c.kind != CacheKind::Serverless {
            let _ = writeln!(out, "# engine_version = \"{v}\"    # not one capplan knows the support dates of");
        }
    }
    let key = match c.kind {
        CacheKind::Serverless => "serverless_cache",
        CacheKind::ReplicationGroup => "replication_group",
        CacheKind::Standalone | CacheKind::Memcached => "cache_cluster",
    };
    let _ = writeln!(out, "\n[env.{name}.metrics]");
    let _ = writeln!(out, "{key} = \"{}\"", c.id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plan_keys() {
        assert_eq!(env_name("Shop_Prod.1"), "shop-prod-1");
        assert_eq!(env_name("--"), "cache");
    }
}
