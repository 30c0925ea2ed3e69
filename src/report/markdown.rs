//! Markdown rendering (GitHub flavour): summary, option table, line items, exclusions, sources.

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt::Write;

use super::{AllReport, EnvReport, NotEvaluated, OptionReport, OptionsFilter, Report, Totals};
use crate::model::capacity::{fmt_f64, pct};
use crate::model::units::{format_quantity, format_unit_usd, format_usd};
use crate::model::workload::WorkloadSource;

/// How many feasible options the option table shows.
pub const FEASIBLE_ROWS: usize = 10;

/// The Markdown text.
pub fn render(report: &Report) -> String {
    match report {
        Report::One(env) => {
            let mut out = String::new();
            env_section(&mut out, env, 1);
            out
        }
        Report::All(all) => render_all(all),
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn h(level: usize) -> String {
    "#".repeat(level)
}

fn render_all(all: &AllReport) -> String {
    let mut writer = super::stream::AllWriter::new(super::Format::Md, Vec::new());
    let written = all
        .envs
        .iter()
        .try_for_each(|env| writer.write(&super::stream::Chunk::of(env, super::Format::Md)?))
        .and_then(|()| writer.finish(&all.not_evaluated));
    // rendering Markdown into memory cannot fail
    String::from_utf8(written.unwrap_or_default()).unwrap_or_default()
}

/// The head of a report of every environment: its title and, from the first environment, where
/// the prices come from.
pub(super) fn all_head(first: Option<&EnvReport>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# capplan report: all environments\n");
    if let Some(first) = first {
        pricing_line(&mut out, first);
    }
    let _ = writeln!(
        out,
        "Each environment follows in plan order; the [summary and totals](#all-environments-summary-and-totals) close the report.\n"
    );
    out
}

/// An environment's row of the summary table.
pub(super) fn summary_row(env: &EnvReport) -> String {
    let current = env.current.as_ref().map_or_else(|| "—".to_string(), |c| format_usd(c.monthly_usd));
    let recommended = env.recommended().map_or_else(
        || "**nothing fits**".to_string(),
        |r| {
            let up = match r.upfront_usd {
                Some(u) if u.is_zero() => String::new(),
                Some(u) => format!(" + {} upfront", format_usd(u)),
                None => " + upfront unknown".to_string(),
            };
            format!("`{}` {}{up}", r.id, format_usd(r.monthly_usd))
        },
    );
    let od = env.cheapest_on_demand().map_or_else(|| "none fits".to_string(), |o| format_usd(o.monthly_usd));
    let any = env.cheapest_any();
    let rsv = any.map_or_else(|| "none fits".to_string(), |o| format_usd(o.monthly_usd));
    let upfront = match any {
        Some(o) if o.term.as_deref().is_some_and(|t| t != "on-demand") => {
            o.upfront_usd.map_or_else(|| "unknown".to_string(), format_usd)
        }
        _ => "—".to_string(),
    };
    format!("| {} | {} | {current} | {recommended} | {od} | {rsv} | {upfront} |\n", cell(&env.env), env.region)
}

/// The tail of a report of every environment: the summary table of `rows` (one per environment
/// evaluated), the totals, and the environments not evaluated.
pub(super) fn all_tail(rows: &[String], t: &Totals, not_evaluated: &[NotEvaluated]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## All environments: summary and totals\n");
    let _ = writeln!(
        out,
        "| environment | region | current | recommended | cheapest, no commitment | cheapest with reservations | its upfront cash |"
    );
    let _ = writeln!(out, "|---|---|--:|---|--:|--:|--:|");
    for row in rows {
        out.push_str(row);
    }
    for missing in not_evaluated {
        let _ = writeln!(out, "| {} | | | **not evaluated** (below) | | | |", cell(&missing.env));
    }
    let current = if t.envs_with_current == 0 { "—".to_string() } else { format_usd(t.current_monthly_usd) };
    let _ = writeln!(
        out,
        "| **total** | | **{current}** | **{}**{} | **{}** | **{}** | **{}** |\n",
        format_usd(t.recommended_monthly_usd),
        match (t.recommended_upfront_usd.is_zero(), t.recommended_upfront_unknown) {
            (true, 0) => String::new(),
            (false, 0) => format!(" + {} upfront", format_usd(t.recommended_upfront_usd)),
            (_, n) => format!(" + {} upfront, and {n} unknown", format_usd(t.recommended_upfront_usd)),
        },
        format_usd(t.cheapest_on_demand_monthly_usd),
        format_usd(t.cheapest_with_reservations_monthly_usd),
        format_usd(t.reservations_upfront_usd)
    );
    if t.envs_with_current > 0 && t.envs_with_current < rows.len() {
        let _ = writeln!(
            out,
            "The current total covers the {} of {} environments whose plan describes what runs today.\n",
            t.envs_with_current,
            rows.len()
        );
    }
    if t.envs_without_fit > 0 {
        let _ =
            writeln!(out, "**{} environment(s) have no option that fits**: see their sections.\n", t.envs_without_fit);
    }
    let _ = writeln!(
        out,
        "The recommendation follows each environment's `commit` policy. Reserved options amortize their upfront fee into the monthly figure; the upfront column is the cash due when the reservations are bought.\n"
    );
    if !not_evaluated.is_empty() {
        let _ = writeln!(out, "## Not evaluated\n");
        for missing in not_evaluated {
            let _ = writeln!(out, "- **{}**: {}", missing.env, missing.reason);
        }
        let _ = writeln!(out);
    }
    out
}

/// An environment's section in a report of every environment.
pub(super) fn all_section(env: &EnvReport) -> String {
    let mut out = String::new();
    env_section(&mut out, env, 2);
    out
}

fn pricing_line(out: &mut String, env: &EnvReport) {
    let p = &env.pricing;
    let age = if p.oldest_used == p.as_of {
        super::price_age_words(p.age_days)
    } else {
        format!("the recommendation's oldest price is dated {}, {}", p.oldest_used, super::price_age_words(p.age_days))
    };
    let stale = if p.stale { format!(" (**stale**: {age}; refresh before trusting)") } else { format!(" ({age})") };
    let _ = writeln!(
        out,
        "Plan: `{}` · evaluated on {} · prices: {} as of {}{stale} · 730-hour month, USD\n",
        env.plan, env.evaluated_on, p.origin, p.as_of
    );
}

fn layout(o: &OptionReport) -> String {
    match (&o.node_type, o.shards, o.replicas) {
        (Some(node), Some(shards), Some(replicas)) => {
            let cm = if o.cluster_mode == Some(true) { ", cluster mode" } else { "" };
            format!("{node} · {shards} shard{} × {} node{}{cm}", plural(shards), 1 + replicas, plural(1 + replicas))
        }
        _ => match &o.plan {
            Some(plan) => format!("plan {plan}"),
            None => "serverless".to_string(),
        },
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn fit(o: &OptionReport) -> String {
    if o.feasible {
        "✓".to_string()
    } else {
        let mut ids: Vec<&str> = o.exclusions.iter().map(|e| e.constraint.as_str()).collect();
        ids.dedup();
        format!("✗ {}", ids.join(", "))
    }
}

fn upfront(o: &OptionReport) -> String {
    match (o.term.as_deref(), o.upfront_usd) {
        (Some(t), None) if t != "on-demand" => "unknown".to_string(),
        (_, Some(u)) if u > Decimal::ZERO => format_usd(u),
        _ => "—".to_string(),
    }
}

fn env_section(out: &mut String, env: &EnvReport, level: usize) {
    let _ = writeln!(out, "{} capplan report: {} ({})\n", h(level), cell(&env.env), env.region);
    if let Some(what_if) = &env.what_if {
        let _ = writeln!(out, "> **What-if**: {what_if}\n");
    }
    if level == 1 {
        pricing_line(out, env);
    }
    recommendation(out, env, level + 1);
    summary(out, env, level + 1);
    workload(out, env, level + 1);
    measured(out, env, level + 1);
    capacity(out, env, level + 1);
    charts(out, env, level + 1);
    option_table(out, env, level + 1);
    let recommended = env.recommended();
    if let Some(r) = recommended {
        line_items(out, &format!("Line items: recommended (`{}`)", r.id), r, level + 1);
    }
    if let Some(best) = env.cheapest_on_demand()
        && recommended.is_none_or(|r| r.id != best.id)
    {
        line_items(out, &format!("Line items: cheapest feasible, no commitment (`{}`)", best.id), best, level + 1);
    }
    if let Some(current) = &env.current {
        line_items(out, &format!("Line items: current (`{}`)", current.id), current, level + 1);
    }
    excluded(out, env, level + 1);
    notes(out, env, level + 1);
    sources(out, env, level + 1);
    heuristics(out, env, level + 1);
}

/// The sizing rules of thumb and the throughput curve's anchor points, labelled as heuristics.
fn heuristics(out: &mut String, env: &EnvReport, level: usize) {
    let _ = writeln!(
        out,
        "{} How capacity is estimated (heuristics)
",
        h(level)
    );
    for line in &env.policy.heuristics {
        let _ = writeln!(out, "- {}", cell(line));
    }
    let _ = writeln!(
        out,
        "
Engine throughput per node is a calibrated heuristic; its anchor points:
"
    );
    for line in &env.policy.throughput_anchors {
        let _ = writeln!(out, "- {}", cell(line));
    }
    out.push('\n');
}

/// A sizing figure: whole requests and connections, two decimals otherwise.
fn amount(value: f64, unit: &str) -> String {
    if matches!(unit, "requests/s" | "connections" | "ECPU/s") { fmt_f64(value.round()) } else { fmt_f64(value) }
}

/// For the recommended option and the runner-up: which resource binds, and by how much.
fn sizing(out: &mut String, sizing: &[crate::model::recommend::Sizing], level: usize) {
    if sizing.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "{} Why this size: what binds
",
        h(level)
    );
    let _ = writeln!(
        out,
        "Each resource at peak, grown over the horizon, on the busiest node; the first row of each option binds (engine throughput and network are calibrated heuristics, listed at the end).
"
    );
    let _ = writeln!(out, "| option | cluster | resource | where | need | capacity | use |");
    let _ = writeln!(out, "|---|---|---|---|--:|--:|--:|");
    for s in sizing {
        for r in &s.resources {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} {} | {} {} | {} |",
                s.option_id,
                s.cluster,
                r.resource,
                r.role,
                amount(r.need, &r.unit),
                r.unit,
                amount(r.capacity, &r.unit),
                r.unit,
                pct(r.utilization)
            );
        }
    }
    out.push('\n');
}

fn describe(o: &OptionReport) -> String {
    match o.kind {
        crate::model::evaluate::OptionKind::Serverless => format!("ElastiCache Serverless {}", o.engine.label()),
        crate::model::evaluate::OptionKind::Upstash => format!("Upstash {}", o.plan.as_deref().unwrap_or("")),
        crate::model::evaluate::OptionKind::Split => match (&o.adapter, &o.state) {
            (Some(a), Some(s)) => format!(
                "{} split: pub/sub adapter {} × {} (cluster mode off) + state {} × {}, {}",
                o.engine.label(),
                a.nodes,
                a.node_type,
                s.nodes,
                s.node_type,
                o.term.as_deref().unwrap_or("")
            ),
            _ => o.id.clone(),
        },
        crate::model::evaluate::OptionKind::Node => {
            format!("{}, {}, {}", o.engine.label(), layout(o), o.term.as_deref().unwrap_or(""))
        }
    }
}

fn recommendation(out: &mut String, env: &EnvReport, level: usize) {
    let r = &env.recommendation;
    let _ = writeln!(
        out,
        "{} Recommendation
",
        h(level)
    );
    let Some(id) = &r.option_id else {
        let _ = writeln!(out, "**Nothing fits this workload.** `capplan report` exits with status 1.\n");
        if let Some(n) = &r.nothing_fits {
            for hint in n.lines() {
                let _ = writeln!(out, "- {}", cell(hint));
            }
        }
        out.push('\n');
        return;
    };
    let option = env.option(id);
    let monthly = r.monthly_usd.map_or_else(String::new, format_usd);
    let _ = writeln!(out, "**Run `{id}`: {monthly}/month** — {}.\n", option.map_or_else(String::new, describe));
    if let Some(over) = r.over_budget_usd {
        let _ = writeln!(
            out,
            "**Over budget by {}/month** (budget {}). `capplan report` exits with status 1.\n",
            format_usd(over),
            env.policy.budget_usd.map_or_else(String::new, format_usd)
        );
    }
    for line in &r.rationale {
        let _ = writeln!(out, "- {}", cell(line));
    }
    if let Some(plan) = &r.savings_plan {
        let _ = writeln!(out, "- {}", cell(&plan.summary));
    }
    if let Some(p) = &r.oldest_price {
        let _ = writeln!(
            out,
            "- its oldest price is dated {} ({}, `{}`: {})",
            p.date(),
            p.kind().id(),
            p.id(),
            cell(p.source())
        );
    }
    out.push('\n');
    if let Some(s) = &r.settings {
        settings(out, s, level + 1);
    }
    if let Some(b) = &r.break_even {
        break_even(out, b, level + 1);
    }
    sizing(out, &r.sizing, level + 1);
    if !r.risks.is_empty() {
        let _ = writeln!(out, "{} Risks: what breaks first\n", h(level + 1));
        for risk in &r.risks {
            let _ = writeln!(out, "- {}", cell(&risk.message));
        }
        out.push('\n');
    }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn settings(out: &mut String, s: &crate::model::recommend::Settings, level: usize) {
    let _ = writeln!(out, "{} Settings\n", h(level));
    let _ = writeln!(out, "| setting | value |");
    let _ = writeln!(out, "|---|---|");
    let _ = writeln!(out, "| engine | {} |", s.engine.label());
    if s.clusters.is_empty() {
        if let Some(node) = &s.node_type {
            let _ = writeln!(out, "| node type | {node} |");
            let _ = writeln!(
                out,
                "| shards × replicas per shard | {} × {} (cluster mode {}) |",
                s.shards.unwrap_or(1),
                s.replicas.unwrap_or(0),
                if s.cluster_mode == Some(true) { "enabled" } else { "disabled" }
            );
        }
        let _ =
            writeln!(out, "| Multi-AZ / automatic failover | {} / {} |", yes(s.multi_az), yes(s.automatic_failover));
    }
    match &s.maxmemory_policy {
        Some(policy) => {
            let _ = writeln!(out, "| maxmemory-policy | `{policy}`: {} |", cell(&s.maxmemory_policy_why));
        }
        None => {
            let _ = writeln!(out, "| eviction | {} |", cell(&s.maxmemory_policy_why));
        }
    }
    for p in s.parameters.iter().filter(|p| p.name != "maxmemory-policy") {
        let _ = writeln!(out, "| parameter `{}` | `{}`: {} |", p.name, p.value, cell(&p.why));
    }
    if let Some(l) = &s.usage_limits {
        let min = l
            .min_ecpu_per_sec
            .map_or_else(String::new, |m| format!("; minimum {} ECPU/s (billed even unused)", format_quantity(m, 0)));
        let _ = writeln!(
            out,
            "| usage limits | max {} GB of data, max {} ECPU/s{min}: {} |",
            format_quantity(l.max_data_gb, 0),
            format_quantity(l.max_ecpu_per_sec, 0),
            cell(&l.why)
        );
    }
    if let Some(u) = &s.upstash {
        let _ =
            writeln!(out, "| eviction switch | {}: {} |", if u.eviction { "on" } else { "off" }, cell(&u.eviction_why));
        let _ = writeln!(
            out,
            "| Prod Pack | {} |",
            if u.prod_pack { "yes: multi-zone HA, 99.99% SLA, encryption at rest (priced)" } else { "no: single zone" }
        );
        let _ = writeln!(out, "| read regions | {} |", u.read_regions);
        let _ = writeln!(out, "| access | {} |", cell(&u.access));
    }
    for r in &s.client_requirements {
        let _ = writeln!(out, "| client | {} |", cell(r));
    }
    if s.snapshot_retention_days > 0 {
        let _ = writeln!(
            out,
            "| snapshots | keep {} day{}; window {} UTC; {}/month beyond the free one |",
            s.snapshot_retention_days,
            plural(s.snapshot_retention_days),
            s.snapshot_window.as_deref().unwrap_or("—"),
            format_usd(s.backup_monthly_usd)
        );
    } else {
        let _ = writeln!(out, "| snapshots | off |");
    }
    if let Some(m) = &s.maintenance_window {
        let _ = writeln!(out, "| maintenance window | {m} UTC |");
    }
    out.push('\n');
    for c in &s.clusters {
        let _ = writeln!(
            out,
            "- **{}** cluster: {} × {} shard{} × (1 + {} replica{}), cluster mode {}, Multi-AZ {}, snapshots {}, maintenance {} UTC, {}/month",
            c.role,
            c.node_type,
            c.shards,
            plural(c.shards),
            c.replicas,
            plural(c.replicas),
            if c.cluster_mode { "enabled" } else { "disabled" },
            yes(c.multi_az),
            if c.snapshot_retention_days == 0 {
                "off".to_string()
            } else {
                format!("{} days at {}", c.snapshot_retention_days, c.snapshot_window.as_deref().unwrap_or("—"))
            },
            c.maintenance_window,
            format_usd(c.monthly_usd)
        );
    }
    if !s.clusters.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "Windows: {}.\n", s.windows_basis);
    if !s.alarms.is_empty() {
        let _ = writeln!(out, "CloudWatch alarms (`AWS/ElastiCache`; rules of thumb, adjust to taste):\n");
        let _ = writeln!(out, "| metric | statistic | alarm when | severity | why |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for a in &s.alarms {
            let _ = writeln!(
                out,
                "| {} | {} | {} {} | {} | {} |",
                a.metric,
                a.statistic,
                a.comparison,
                format_quantity(a.threshold, 1),
                a.severity,
                cell(&a.why)
            );
        }
        out.push('\n');
    }
}

fn break_even(out: &mut String, b: &crate::model::recommend::BreakEven, level: usize) {
    if b.serverless_vs_node.is_none() && b.reserved.is_empty() && b.notes.is_empty() {
        return;
    }
    let _ = writeln!(out, "{} Break-even\n", h(level));
    for note in &b.notes {
        let _ = writeln!(out, "- {}", cell(note));
    }
    if !b.notes.is_empty() {
        out.push('\n');
    }
    if let Some(s) = &b.serverless_vs_node {
        for line in &s.summary {
            let _ = writeln!(out, "- {}", cell(line));
        }
        out.push('\n');
    }
    if !b.reserved.is_empty() {
        let _ = writeln!(out, "| reservation | pays off after | of a term of | saves per month | upfront |");
        let _ = writeln!(out, "|---|--:|--:|--:|--:|");
        for r in &b.reserved {
            let _ = writeln!(
                out,
                "| `{}` | {} months | {} months | {} | {} |",
                r.option_id,
                format_quantity(r.months, 1),
                r.term_months,
                format_usd(r.monthly_saving_usd),
                r.upfront_usd.map_or_else(
                    || "unknown".to_string(),
                    |u| if u.is_zero() { "—".to_string() } else { format_usd(u) }
                )
            );
        }
        let _ = writeln!(
            out,
            "\nA reservation is paid for the whole term: it beats on-demand only if the nodes run at least that many months of it.\n"
        );
    }
}

fn summary(out: &mut String, env: &EnvReport, level: usize) {
    let _ = writeln!(out, "{} Summary\n", h(level));
    let best = env.cheapest_on_demand();
    if let Some(current) = &env.current {
        let state = if current.feasible {
            "fits the workload".to_string()
        } else {
            format!("**does not fit**: {}", current.excluded_reasons.join("; "))
        };
        let _ = writeln!(out, "- **Current** `{}`: **{}/month**, {state}", current.id, format_usd(current.monthly_usd));
    }
    if let Some(r) = env.recommended() {
        let delta = env.current.as_ref().map_or_else(String::new, |c| savings(c.monthly_usd, r.monthly_usd));
        let _ = writeln!(out, "- **Recommended** `{}`: **{}/month**{delta}", r.id, format_usd(r.monthly_usd));
    }
    match best {
        Some(b) => {
            let delta = env.current.as_ref().map_or_else(String::new, |c| savings(c.monthly_usd, b.monthly_usd));
            let _ = writeln!(
                out,
                "- **Cheapest feasible, no commitment** `{}`: **{}/month**{delta}",
                b.id,
                format_usd(b.monthly_usd)
            );
        }
        None => {
            let _ =
                writeln!(out, "- **No option without commitment fits this workload**: see the excluded options below");
        }
    }
    if let Some(r) = env.cheapest_reserved() {
        let up = match r.upfront_usd {
            Some(u) if u > Decimal::ZERO => format!(", {} upfront", format_usd(u)),
            Some(_) => String::new(),
            None => ", upfront not published".to_string(),
        };
        let delta = best.map_or_else(String::new, |b| savings(b.monthly_usd, r.monthly_usd));
        let _ = writeln!(
            out,
            "- Cheapest feasible with a reservation `{}`: {}/month amortized{up}{delta}",
            r.id,
            format_usd(r.monthly_usd)
        );
    }
    let s = &env.search;
    let _ = writeln!(
        out,
        "- {} options evaluated: {} feasible, {} excluded\n",
        s.options_evaluated,
        s.options_feasible,
        s.options_evaluated - s.options_feasible
    );
}

fn savings(from: Decimal, to: Decimal) -> String {
    let diff = from - to;
    match diff.cmp(&Decimal::ZERO) {
        std::cmp::Ordering::Greater => format!(" (saves {}/month)", format_usd(diff)),
        std::cmp::Ordering::Less => format!(" (costs {}/month more)", format_usd(-diff)),
        std::cmp::Ordering::Equal => " (same cost)".to_string(),
    }
}

fn workload(out: &mut String, env: &EnvReport, level: usize) {
    let w = &env.workload;
    let _ = writeln!(out, "{} Workload\n", h(level));
    let _ = writeln!(
        out,
        "| app speaks | HA | data (avg / peak) | requests/s (avg / peak) | payload | connections | cross-slot commands |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    let _ = writeln!(
        out,
        "| {} | {} | {} / {} GiB | {} / {} | {} KB | {} | {} |\n",
        env.engine.label(),
        if env.ha { "yes (replicas + Multi-AZ)" } else { "no" },
        format_quantity(w.data_gb, 3),
        format_quantity(w.peak_data_gb, 3),
        format_quantity(w.requests_per_sec, 2),
        format_quantity(w.peak_requests_per_sec, 2),
        format_quantity(w.avg_request_kb, 3),
        w.connections,
        if w.cross_slot_commands { "yes" } else { "no" }
    );
    let source = match w.source {
        WorkloadSource::Plan => "the plan",
        WorkloadSource::Profile => "`capplan profile`, written into the plan",
        WorkloadSource::Cloudwatch => "CloudWatch",
        WorkloadSource::File => "a CloudWatch metrics file",
    };
    if w.from_metrics.is_empty() {
        let _ = writeln!(out, "Figures from {source}.");
    } else {
        let _ = writeln!(
            out,
            "Measured by {source}: {}; the rest from the plan (`workload = \"plan\"` in `[env.{}.metrics]` keeps the plan's).",
            w.from_metrics.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "),
            env.env
        );
    }
    if let Some(m) = &env.metrics {
        let how = match (&m.error, m.from_cache, m.source.as_str()) {
            (Some(e), _, _) => format!("could not be had: {e}"),
            (None, true, _) => format!(
                "read from the user cache (fetched {}); no AWS call",
                m.fetched_at.as_deref().unwrap_or("earlier")
            ),
            (None, false, "cloudwatch") => format!(
                "fetched now: {} GetMetricData call(s){}, {} metrics requested, {} ($0.01 per 1,000 metrics)",
                m.api_calls,
                match m.calls_shared_with {
                    0 => String::new(),
                    1 => " shared with 1 other cache".to_string(),
                    n => format!(" shared with {n} other caches"),
                },
                m.metrics_requested,
                format_unit_usd(m.cost_usd)
            ),
            _ => "read from the file".to_string(),
        };
        let days = m.days.map_or_else(String::new, |d| format!(", {d} days"));
        let region = m.region.as_deref().map_or_else(String::new, |r| format!(" in {r}"));
        let _ = writeln!(out, "Metrics of `{}`{region}{days}: {how}.", m.name);
    }
    out.push('\n');
}

fn measured(out: &mut String, env: &EnvReport, level: usize) {
    let Some(m) = &env.measured else { return };
    let w = &env.workload;
    let _ = writeln!(out, "{} Measured (`{}`)\n", h(level), m.file);
    let used = !w.from_metrics.is_empty();
    let _ = writeln!(
        out,
        "From {} to {} at {}-second periods. {}\n",
        m.from,
        m.to,
        m.period_secs,
        if used {
            "The measured figures drive the costs; the plan's are beside them."
        } else {
            "The plan's figures drive the costs; compare them here."
        }
    );
    // the plan's own figures: replaced ones kept aside, else the ones used (none when the
    // environment has no workload of its own)
    let plan = w.plan_figures.clone().or_else(|| {
        (!used).then(|| crate::report::PlanFigures {
            data_gb: w.data_gb,
            peak_data_gb: w.peak_data_gb,
            requests_per_sec: w.requests_per_sec,
            peak_requests_per_sec: w.peak_requests_per_sec,
            connections: w.connections,
        })
    });
    let _ = writeln!(out, "| figure | measured avg | measured peak | plan avg | plan peak |");
    let _ = writeln!(out, "|---|--:|--:|--:|--:|");
    let row =
        |out: &mut String, name: &str, m: Option<crate::model::observed::Measured>, plan: Option<(String, String)>| {
            if let Some(m) = m {
                let (pa, pp) = plan.unwrap_or_else(|| ("—".into(), "—".into()));
                let _ = writeln!(out, "| {name} | {} | {} | {pa} | {pp} |", fmt_f64(m.avg), fmt_f64(m.peak));
            }
        };
    row(
        out,
        "data, GiB",
        m.data_gib,
        plan.as_ref().map(|p| (format_quantity(p.data_gb, 3), format_quantity(p.peak_data_gb, 3))),
    );
    row(
        out,
        "requests/s",
        m.requests_per_sec,
        plan.as_ref().map(|p| (format_quantity(p.requests_per_sec, 2), format_quantity(p.peak_requests_per_sec, 2))),
    );
    row(out, "ECPU/s", m.ecpu_per_sec, None);
    row(out, "connections per node", m.connections, plan.as_ref().map(|p| ("—".into(), p.connections.to_string())));
    row(out, "engine CPU, %", m.cpu_pct, None);
    row(out, "network, Gbps", m.network_gbps, None);
    if let Some(e) = m.evictions {
        let _ = writeln!(out, "| evictions in the window | {} | | | |", fmt_f64(e));
    }
    if let Some(h) = m.quiet_hour_utc {
        let _ = writeln!(out, "\nQuietest hour: {h:02}:00 UTC (the snapshot and maintenance windows start from it).");
    }
    out.push('\n');
}

/// The recommended option's capacity on each charted metric (the terminal app draws these lines).
fn capacity(out: &mut String, env: &EnvReport, level: usize) {
    if env.capacity_lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "{} Capacity of the recommendation\n", h(level));
    let _ = writeln!(out, "| metric | capacity | meaning |");
    let _ = writeln!(out, "|---|--:|---|");
    for c in &env.capacity_lines {
        let _ = writeln!(out, "| {} | {} {} | {} |", c.metric, amount(c.value, &c.unit), c.unit, cell(&c.label));
    }
    out.push('\n');
}

/// The charts `--charts` wrote, embedded by their relative paths (the PNG, with a link to the
/// SVG); nothing without them.
fn charts(out: &mut String, env: &EnvReport, level: usize) {
    if env.charts.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "{} Charts
",
        h(level)
    );
    for c in &env.charts {
        embed_chart(out, &c.title, &c.png, &c.svg);
    }
}

/// One chart: its PNG embedded, with a link to its SVG (paths relative to the Markdown file).
pub(crate) fn embed_chart(out: &mut String, title: &str, png: &str, svg: &str) {
    // a link target with spaces or parentheses would end the Markdown link early
    let link = |path: &str| path.replace(' ', "%20").replace('(', "%28").replace(')', "%29");
    let alt = title.replace(['[', ']'], "");
    let _ = writeln!(out, "![{alt}]({}) ([SVG]({}))\n", link(png), link(svg));
}

/// The rows worth showing: the cheapest feasible options, then the cheapest excluded option for
/// each constraint, all sorted by monthly cost.
pub fn shown_options(env: &EnvReport) -> Vec<&OptionReport> {
    let mut shown: Vec<&OptionReport> = env.options.iter().filter(|o| o.feasible).take(FEASIBLE_ROWS).collect();
    let mut by_constraint: BTreeMap<&str, &OptionReport> = BTreeMap::new();
    for o in env.options.iter().filter(|o| !o.feasible) {
        for e in &o.exclusions {
            by_constraint.entry(e.constraint.as_str()).or_insert(o);
        }
    }
    // the recommended option always has its row, even when cheaper feasible ones fill the table
    let recommended = env.recommendation.option_id.as_deref().and_then(|id| env.options.iter().find(|o| o.id == id));
    for o in by_constraint.into_values().chain(recommended) {
        if !shown.iter().any(|s| s.id == o.id) {
            shown.push(o);
        }
    }
    shown.sort_by(|a, b| a.monthly_usd.cmp(&b.monthly_usd).then_with(|| a.id.cmp(&b.id)));
    shown
}

fn option_table(out: &mut String, env: &EnvReport, level: usize) {
    let _ = writeln!(out, "{} Options, cheapest first\n", h(level));
    let _ = writeln!(out, "| # | option | kind | engine | layout | term | monthly | upfront | fit |");
    let _ = writeln!(out, "|--:|---|---|---|---|---|--:|--:|---|");
    for o in shown_options(env) {
        let rank = env.options.iter().position(|x| x.id == o.id).map_or(0, |i| i + 1);
        let _ = writeln!(
            out,
            "| {rank} | `{}` | {} | {} | {} | {} | {} | {} | {} |",
            o.id,
            o.kind.id(),
            o.engine.label(),
            cell(&layout(o)),
            o.term.as_deref().unwrap_or("—"),
            format_usd(o.monthly_usd),
            upfront(o),
            fit(o)
        );
    }
    let feasible = env.options.iter().filter(|o| o.feasible).count();
    let shown = feasible.min(FEASIBLE_ROWS);
    let evaluated = env.search.options_evaluated;
    let _ = match env.search.options_filter {
        OptionsFilter::All => writeln!(
            out,
            "\nShowing the {shown} cheapest of {feasible} feasible options and the cheapest excluded option of each kind; `--format json` lists all {evaluated}.\n"
        ),
        OptionsFilter::Best => writeln!(
            out,
            "\nShowing the {shown} cheapest of {feasible} fitting options listed (`--options best`: the best layout and term of each node type, Upstash plan and Serverless engine, of {} feasible among {evaluated} evaluated) and the cheapest excluded option of each kind; `--options all --format json` lists all {evaluated}.\n",
            env.search.options_feasible
        ),
        OptionsFilter::Fitting => writeln!(
            out,
            "\nShowing the {shown} cheapest of {feasible} feasible options (`--options fitting`: an excluded option is listed only where the report names it); `--options all --format json` lists all {evaluated}.\n"
        ),
    };
}

pub(crate) fn line_items(out: &mut String, title: &str, o: &OptionReport, level: usize) {
    let _ = writeln!(out, "{} {title}\n", h(level));
    let _ = writeln!(out, "| item | quantity | unit | unit price | monthly | price source |");
    let _ = writeln!(out, "|---|--:|---|--:|--:|---|");
    for l in &o.lines {
        let p = &l.price_source;
        let _ = writeln!(
            out,
            "| {}{} | {} | {} | {} | {} | {} ({}, {}) |",
            cell(&l.item),
            l.unverified.as_ref().map_or_else(String::new, |u| format!(" — **unverified**: {}", cell(u))),
            format_quantity(l.quantity, 3),
            l.unit,
            format_unit_usd(l.unit_usd),
            format_usd(l.monthly_usd),
            cell(p.source()),
            p.kind().id(),
            p.date()
        );
    }
    let _ = writeln!(out, "| **total** | | | | **{}** | |", format_usd(o.monthly_usd));
    if let Some(u) = o.upfront_usd
        && u > Decimal::ZERO
    {
        let _ = writeln!(
            out,
            "\nUpfront cash when the reservation is bought: **{}** (amortized in the lines above).",
            format_usd(u)
        );
    }
    let derived: Vec<String> = o
        .lines
        .iter()
        .filter_map(|l| l.price_source.note().map(|n| format!("{}: {n}", format_unit_usd(l.unit_usd))))
        .collect();
    let mut printed = Vec::new();
    for d in derived {
        if !printed.contains(&d) {
            let _ = writeln!(out, "\n- unit price {d}");
            printed.push(d);
        }
    }
    for n in &o.notes {
        let _ = writeln!(out, "\n- {n}");
    }
    out.push('\n');
}

fn excluded(out: &mut String, env: &EnvReport, level: usize) {
    let excluded: Vec<&OptionReport> = env.options.iter().filter(|o| !o.feasible).collect();
    if excluded.is_empty() {
        return;
    }
    let _ = writeln!(out, "{} Excluded options\n", h(level));
    let mut groups: BTreeMap<String, (usize, &OptionReport)> = BTreeMap::new();
    for o in &excluded {
        for e in &o.exclusions {
            let g = groups.entry(e.constraint.clone()).or_insert((0, o));
            g.0 += 1;
        }
    }
    let _ = writeln!(out, "| constraint | options | example | why |");
    let _ = writeln!(out, "|---|--:|---|---|");
    for (constraint, (count, example)) in &groups {
        let reason = example.exclusions.iter().find(|e| &e.constraint == constraint).map_or("", |e| e.reason.as_str());
        let _ = writeln!(out, "| {constraint} | {count} | `{}` | {} |", example.id, cell(reason));
    }
    out.push('\n');
}

fn notes(out: &mut String, env: &EnvReport, level: usize) {
    if env.notes.is_empty() {
        return;
    }
    let _ = writeln!(out, "{} Not evaluated\n", h(level));
    for n in &env.notes {
        let _ = writeln!(out, "- {n}");
    }
    out.push('\n');
}

fn sources(out: &mut String, env: &EnvReport, level: usize) {
    let _ = writeln!(out, "{} Pricing sources\n", h(level));
    let _ = writeln!(
        out,
        "Prices: {} as of {}. Kinds: `aws-price-list` (verbatim Price List row), `aws-pricing-page`, `third-party` (a transcription), `derived` (computed by a stated rule).\n",
        env.pricing.origin, env.pricing.as_of
    );
    let _ = writeln!(out, "| id | kind | source | date |");
    let _ = writeln!(out, "|---|---|---|---|");
    for s in &env.pricing.sources {
        let _ = writeln!(out, "| {} | {} | {} | {} |", s.id, s.kind.id(), cell(&s.source), s.date);
    }
    out.push('\n');
}
