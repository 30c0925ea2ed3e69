//! Writing a profile into a plan file (`capplan profile --write-plan`), keeping the file's
//! comments and layout (`toml_edit`): the environment's workload takes what was measured, marked
//! as profiled with the date, and the compatibility flags take what was seen.

use chrono::NaiveDate;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use crate::model::profile::Profile;

/// Bytes in a GiB, for `data_gb`.
const GIB: f64 = 1_073_741_824.0;

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

/// Set `key` to `measured` when the table has it and it is lower (a peak below the average
/// would not parse).
fn raise_peak(w: &mut Table, key: &str, measured: f64) {
    let current = w.get(key).and_then(|i| i.as_float().or_else(|| i.as_integer().map(|n| n as f64)));
    if current.is_some_and(|c| c < measured) {
        w[key] = value(measured);
    }
}

/// `text` (the plan, or `None` for a new file) with environment `env` updated from `profile`.
/// Only the keys the profile measures are set; everything else (and every comment) stays.
pub fn profile_into_plan(text: Option<&str>, env: &str, p: &Profile, date: NaiveDate) -> Result<String, String> {
    let mut doc: DocumentMut = match text {
        Some(t) => t.parse().map_err(|e| format!("the plan is not valid TOML: {e}"))?,
        None => {
            let mut d = DocumentMut::new();
            d["region"] = value("us-east-1");
            if let Some(item) = d.get_mut("region").and_then(Item::as_value_mut) {
                item.decor_mut().set_suffix("  # set the AWS region this cache is planned for");
            }
            d
        }
    };
    let envs = doc.entry("env").or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    let envs = envs.as_table_mut().ok_or("'env' in the plan is not a table")?;
    let table = envs.entry(env).or_insert(Item::Table(Table::new()));
    let table = table.as_table_mut().ok_or_else(|| format!("'env.{env}' in the plan is not a table"))?;
    if !table.contains_key("engine") {
        table["engine"] = value(p.engine.as_str());
    }
    let workload = table.entry("workload").or_insert(Item::Table(Table::new()));
    let w = workload.as_table_mut().ok_or_else(|| format!("'env.{env}.workload' in the plan is not a table"))?;
    // the comments above the table stay; an earlier profile line gives way to this one
    let kept: String = w
        .decor()
        .prefix()
        .and_then(|p| p.as_str())
        .unwrap_or("\n")
        .lines()
        .filter(|l| !l.starts_with("# profiled from "))
        .flat_map(|l| [l, "\n"])
        .collect();
    let kept = if kept.is_empty() { "\n".to_string() } else { kept };
    w.decor_mut().set_prefix(format!(
        "{kept}# profiled from {} on {date} by `capplan profile` ({} s window; {} commands seen): measured values\n",
        p.target,
        round(p.sampled_seconds, 1),
        p.commands_seen
    ));
    w["source"] = value("profile");
    let data = p.dataset_bytes.unwrap_or(p.used_memory_bytes) as f64 / GIB;
    w["data_gb"] = value(round(data.max(0.001), 3));
    w["requests_per_sec"] = value(round(p.ops_per_sec, 2));
    // a window is one sample: a peak the plan already has stays unless the window saw more
    raise_peak(w, "peak_data_gb", round(data.max(0.001), 3));
    raise_peak(w, "peak_requests_per_sec", round(p.ops_per_sec, 2));
    let publishes = p
        .commands
        .iter()
        .filter(|c| matches!(c.command.as_str(), "publish" | "spublish"))
        .map(|c| c.per_sec)
        .sum::<f64>();
    if publishes > 0.0 {
        w["pubsub_messages_per_sec"] = value(round(publishes, 2));
        raise_peak(w, "peak_pubsub_messages_per_sec", round(publishes, 2));
    }
    if let Some(r) = p.read_ratio {
        w["read_ratio"] = value(round(r, 2));
    }
    w["connections"] = value(i64::try_from(p.connected_clients).unwrap_or(i64::MAX));
    if p.new_connections_per_sec > 0.0 {
        w["new_connections_per_sec"] = value(round(p.new_connections_per_sec, 2));
    }
    // the size distribution, not its average (ECPU is billed per request)
    let buckets: Vec<_> = p.request_kb_histogram.iter().filter(|b| b.count > 0).collect();
    if !buckets.is_empty() {
        w.remove("avg_request_kb");
        let mut sizes = ArrayOfTables::new();
        let total: u64 = buckets.iter().map(|b| b.count).sum();
        let mut left = 10_000i64;
        for (i, b) in buckets.iter().enumerate() {
            // shares in ten-thousandths that add up to exactly 1
            let share = if i + 1 == buckets.len() {
                left
            } else {
                let s = i64::try_from(b.count * 10_000 / total.max(1)).unwrap_or(0);
                left -= s;
                s
            };
            let mut t = Table::new();
            t["kb"] = value(round(b.mean_kb.max(0.001), 3));
            t["share"] = value(share as f64 / 10_000.0);
            sizes.push(t);
        }
        w["request_sizes"] = Item::ArrayOfTables(sizes);
    }
    let seen = |kind: &str| p.blockers.iter().any(|b| b.kind == kind);
    w["cross_slot_commands"] = value(seen("cross-slot"));
    w["pubsub_patterns"] = value(seen("pattern-pubsub"));
    w["keyspace_notifications"] = value(seen("keyspace-notifications"));
    w["uses_select"] = value(seen("select"));
    if p.keys.sampled > 0 {
        w["keys_have_ttl"] = value(p.keys.with_ttl_share >= 0.999);
    }
    Ok(doc.to_string())
}

/// `text` (the plan) with `[env.ENV.current]` replaced by the keys in `current` (TOML, as
/// `capplan import-terraform` writes them), with `comment` (one line, no `#`) above it. The
/// environment must exist; every other key and comment stays.
pub fn current_into_plan(text: &str, env: &str, current: &str, comment: &str) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("the plan is not valid TOML: {e}"))?;
    let keys: DocumentMut = current.parse().map_err(|e| format!("the current deployment is not valid TOML: {e}"))?;
    let table = doc
        .get_mut("env")
        .and_then(Item::as_table_like_mut)
        .and_then(|envs| envs.get_mut(env))
        .and_then(Item::as_table_mut)
        .ok_or_else(|| format!("the plan has no [env.{env}] table; add the environment first"))?;
    let mut fresh = Table::new();
    for (k, v) in keys.as_table() {
        fresh.insert(k, v.clone());
    }
    fresh.decor_mut().set_prefix(format!("\n# {comment}\n"));
    table.insert("current", Item::Table(fresh));
    Ok(doc.to_string())
}
