//! The profile of a live Redis/Valkey as Markdown or JSON (schema in
//! `assets/profile.schema.json`): what blocks a cluster-mode engine first, then the workload,
//! the estimates (labelled so) and the key sample.

use serde::Serialize;
use std::fmt::Write as _;

use crate::model::capacity::{fmt_f64, pct};
use crate::model::profile::{Profile, SizeBucket};

/// Version of the profile JSON schema.
pub const PROFILE_SCHEMA_VERSION: u32 = 1;

/// The JSON document: the profile with its schema version.
#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    #[serde(flatten)]
    profile: &'a Profile,
}

/// The profile as JSON.
pub fn json(profile: &Profile) -> Result<String, serde_json::Error> {
    let doc = Document { schema_version: PROFILE_SCHEMA_VERSION, profile };
    let mut s = serde_json::to_string_pretty(&doc)?;
    s.push('\n');
    Ok(s)
}

fn bucket_label(b: &SizeBucket, previous: Option<f64>) -> String {
    match (previous, b.upto_kb) {
        (None, Some(upto)) => format!("≤ {} KB", fmt_f64(upto)),
        (Some(from), Some(upto)) => format!("{}–{} KB", fmt_f64(from), fmt_f64(upto)),
        (Some(from), None) => format!("> {} KB", fmt_f64(from)),
        (None, None) => "all".into(),
    }
}

fn histogram(out: &mut String, title: &str, buckets: &[SizeBucket]) {
    let total: u64 = buckets.iter().map(|b| b.count).sum();
    if total == 0 {
        return;
    }
    let _ = writeln!(out, "| {title} | count | share |");
    let _ = writeln!(out, "|---|--:|--:|");
    let mut previous = None;
    for b in buckets {
        if b.count > 0 {
            let _ = writeln!(out, "| {} | {} | {} |", bucket_label(b, previous), b.count, pct(b.share));
        }
        previous = b.upto_kb;
    }
    out.push('\n');
}

/// The profile as Markdown.
pub fn markdown(p: &Profile) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# capplan profile: {}\n", p.target);
    let _ = writeln!(
        out,
        "{} {} · cluster mode {} · sampled {} s · {} commands seen{}\n",
        if p.engine == "valkey" { "Valkey" } else { "Redis OSS" },
        p.version,
        if p.cluster_enabled { "on" } else { "off" },
        fmt_f64(p.sampled_seconds),
        p.commands_seen,
        if p.monitor_truncated {
            " (MONITOR stopped at its line bound: sizes and cross-slot counts are from a sample)"
        } else {
            ""
        }
    );

    let _ = writeln!(out, "## What blocks a cluster-mode engine (ElastiCache Serverless, cluster mode on)\n");
    if p.blockers.is_empty() {
        let _ = writeln!(
            out,
            "Nothing seen in the window: no multi-key command across hash slots, no SELECT of another database, no pattern subscription, no keyspace notifications. A longer window sees rarer commands (nightly cleanups, migrations).\n"
        );
    } else {
        for b in &p.blockers {
            let _ = writeln!(out, "- **{}**: {}", b.kind, b.detail);
        }
        out.push('\n');
    }
    if !p.cross_slot.is_empty() {
        let _ = writeln!(out, "| command | count | example | fix |");
        let _ = writeln!(out, "|---|--:|---|---|");
        for c in &p.cross_slot {
            let _ = writeln!(out, "| {} | {} | `{}` | {} |", c.command, c.count, c.example.join(" "), c.fix);
        }
        out.push('\n');
    }

    let _ = writeln!(out, "## Workload\n");
    let _ = writeln!(out, "| figure | value |");
    let _ = writeln!(out, "|---|--:|");
    let _ = writeln!(out, "| commands per second (other clients) | {} |", fmt_f64(p.ops_per_sec));
    let _ = writeln!(out, "| bytes in per command | {} |", fmt_f64(p.bytes_in_per_op));
    let _ = writeln!(out, "| bytes out per command | {} |", fmt_f64(p.bytes_out_per_op));
    if let Some(r) = p.read_ratio {
        let _ = writeln!(out, "| read share | {} |", pct(r));
    }
    let _ = writeln!(out, "| average request | {} KB |", fmt_f64(p.avg_request_kb));
    let _ = writeln!(out, "| used memory | {} MiB |", fmt_f64(p.used_memory_bytes as f64 / 1_048_576.0));
    if let Some(d) = p.dataset_bytes {
        let _ = writeln!(out, "| dataset | {} MiB |", fmt_f64(d as f64 / 1_048_576.0));
    }
    if let Some(f) = p.fragmentation_ratio {
        let _ = writeln!(out, "| fragmentation ratio | {} |", fmt_f64(f));
    }
    let _ = writeln!(out, "| connected clients | {} |", p.connected_clients);
    let _ = writeln!(out, "| new connections per second | {} |", fmt_f64(p.new_connections_per_sec));
    let _ = writeln!(out, "| keys evicted in the window | {} |", p.evicted_keys);
    let _ = writeln!(out, "| pub/sub channels / patterns | {} / {} |", p.pubsub_channels, p.pubsub_patterns);
    for (db, (keys, expires)) in &p.keyspace {
        let _ = writeln!(out, "| {db}: keys / with a TTL | {keys} / {expires} |");
    }
    out.push('\n');
    if !p.commands.is_empty() {
        let _ = writeln!(out, "| command | per second | µs per call |");
        let _ = writeln!(out, "|---|--:|--:|");
        for c in p.commands.iter().take(15) {
            let _ = writeln!(out, "| {} | {} | {} |", c.command, fmt_f64(c.per_sec), fmt_f64(c.usec_per_call));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "Request sizes (writes: the arguments; reads: the value read, looked up after the window — an estimate). ECPU is billed per request, so the distribution matters, not only the average:\n"
    );
    histogram(&mut out, "request size", &p.request_kb_histogram);
    if !p.hot_keys.is_empty() {
        let _ = writeln!(
            out,
            "Hot keys: {}\n",
            p.hot_keys.iter().map(|k| format!("`{}` ({})", k.key, k.value)).collect::<Vec<_>>().join(", ")
        );
    }

    let e = &p.estimates;
    let _ = writeln!(out, "## Estimates\n");
    let _ = writeln!(
        out,
        "- ElastiCache Serverless: about **{} ECPU/s** (by size {} ECPU/s at {} per request; by engine time {} ECPU/s)",
        fmt_f64(e.ecpu_per_sec_estimate),
        fmt_f64(e.ecpu_per_sec_by_size),
        fmt_f64(e.ecpu_per_request),
        fmt_f64(e.ecpu_per_sec_by_engine_time)
    );
    let _ = writeln!(out, "- Upstash: about **{} commands a month**", fmt_f64(e.upstash_commands_per_month));
    for b in &e.basis {
        let _ = writeln!(out, "- {b}");
    }
    out.push('\n');

    let k = &p.keys;
    if k.sampled > 0 {
        let _ = writeln!(out, "## Keys (a sample of {}, SCAN + MEMORY USAGE + TTL)\n", k.sampled);
        let _ = writeln!(out, "{} of the sampled keys have a TTL.\n", pct(k.with_ttl_share));
        histogram(&mut out, "key size", &k.size_histogram);
        if !k.biggest.is_empty() {
            let _ = writeln!(out, "| biggest keys | bytes |");
            let _ = writeln!(out, "|---|--:|");
            for b in &k.biggest {
                let _ = writeln!(out, "| `{}` | {} |", b.key, b.value);
            }
            out.push('\n');
        }
        if !k.prefixes.is_empty() {
            let _ = writeln!(out, "| prefix | keys | bytes |");
            let _ = writeln!(out, "|---|--:|--:|");
            for f in &k.prefixes {
                let _ = writeln!(out, "| `{}` | {} | {} |", f.prefix, f.keys, f.bytes);
            }
            out.push('\n');
        }
    }
    if !p.gaps.is_empty() {
        let _ = writeln!(out, "## Not gathered\n");
        for g in &p.gaps {
            let _ = writeln!(out, "- {g}");
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "The profiler is read-only; MONITOR copies every command to it while it runs, which costs the server (see the README)."
    );
    out
}
