//! Views of the monthly review ([`Review`]): Markdown for the monthly meeting (summary first,
//! then each environment in detail), JSON (`assets/review.schema.json`) and CSV (one row per
//! environment, columns in [`CSV_HEADER`]). They only render the structure the model made.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::Format;
use crate::model::review::{EnvReview, Review, UsageRow, Verdict};
use crate::model::units::{decimal_from_f64, format_quantity, format_unit_usd, format_usd};

/// Render `review` in `format`.
pub fn render(review: &Review, format: Format) -> Result<Vec<u8>, String> {
    match format {
        Format::Md => Ok(markdown(review).into_bytes()),
        Format::Json => {
            let mut bytes = serde_json::to_vec_pretty(review).map_err(|e| e.to_string())?;
            bytes.push(b'\n');
            Ok(bytes)
        }
        Format::Csv => csv(review),
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn usd(v: Option<Decimal>) -> String {
    v.map_or_else(|| "—".to_string(), format_usd)
}

fn signed(v: Decimal) -> String {
    if crate::model::units::cents(v) > Decimal::ZERO { format!("+{}", format_usd(v)) } else { format_usd(v) }
}

fn num(v: f64, dp: u32) -> String {
    format_quantity(decimal_from_f64(v).unwrap_or_default(), dp)
}

/// A saving; when negative, the risk (what growing costs) of an under-provisioned cache, else
/// what the recommendation (sized for the growth horizon) costs more.
fn saving(v: Option<Decimal>, under: bool) -> String {
    match v {
        None => "—".to_string(),
        Some(s) if s < Decimal::ZERO && under => format!("risk: {} to grow", format_usd(-s)),
        Some(s) if s < Decimal::ZERO => format!("recommended costs {} more", format_usd(-s)),
        Some(s) if s.is_zero() => "$0.00".to_string(),
        Some(s) => format!("saves {}", format_usd(s)),
    }
}

fn change(e: &EnvReview) -> String {
    e.change.as_ref().map_or_else(|| "—".to_string(), |c| signed(c.modelled_delta_usd))
}

/// The Markdown review: summary table and totals first, then each environment.
pub fn markdown(r: &Review) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Monthly cost review: {}\n", r.month);
    let _ = writeln!(
        out,
        "{} hours in {}. Costs are the model's line items for the month's actual hours (USD); {}.",
        r.hours, r.month, r.thresholds.sustained
    );
    match &r.bill_source {
        Some(source) => {
            let _ = writeln!(out, "Bill: {source}.");
        }
        None => {
            let _ = writeln!(out, "No bill was read: billed amounts are not shown.");
        }
    }
    out.push('\n');
    let _ = writeln!(out, "## Summary\n");
    if r.envs.is_empty() {
        out.push_str("No environment could be reviewed.\n\n");
    } else {
        out.push_str("| env | verdict | modelled | billed | recommended | saving / risk | change vs last month |\n");
        out.push_str("|---|---|--:|--:|--:|---|--:|\n");
        for e in &r.envs {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                cell(&e.env),
                e.verdict.id(),
                format_usd(e.modelled_usd),
                usd(e.billed_usd),
                usd(e.recommended_usd),
                saving(e.saving_usd, e.verdict == Verdict::UnderProvisioned),
                change(e)
            );
        }
        let t = &r.totals;
        let _ = writeln!(
            out,
            "| **total** | | **{}** | **{}** | **{}** | **{}** | |\n",
            format_usd(t.modelled_usd),
            usd(t.billed_usd),
            format_usd(t.recommended_usd),
            saving(Some(t.saving_usd), false)
        );
    }
    if !r.not_reviewed.is_empty() {
        out.push_str("Not reviewed:\n\n");
        for n in &r.not_reviewed {
            let _ = writeln!(out, "- **{}**: {}", n.env, n.reason);
        }
        out.push('\n');
    }
    if let Some(prev) = r.previous_month {
        let _ = writeln!(out, "### Top movers since {prev}\n");
        if r.top_movers.is_empty() {
            out.push_str("No cost changed.\n\n");
        } else {
            out.push_str("| env | what | change |\n|---|---|--:|\n");
            for m in &r.top_movers {
                let _ = writeln!(out, "| {} | {} | {} |", cell(&m.env), m.metric, signed(m.delta_usd));
            }
            out.push('\n');
        }
        if prev.hours() != r.hours {
            // a longer month costs more by the hour with nothing changed: say so, or the
            // movers read as growth
            let _ = writeln!(
                out,
                "{} has {} hours and {prev} had {}: every hourly charge is {} % {} for that alone.\n",
                r.month,
                r.hours,
                prev.hours(),
                format_quantity(
                    (Decimal::from(r.hours.abs_diff(prev.hours())) * Decimal::from(100) / Decimal::from(prev.hours()))
                        .round_dp(1),
                    1
                ),
                if r.hours > prev.hours() { "higher" } else { "lower" }
            );
        }
    }
    if !r.unassigned.is_empty() {
        out.push_str("### Not in any environment\n\n");
        out.push_str("| usage type | resource | billed | likely cause |\n|---|---|--:|---|\n");
        for u in &r.unassigned {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(&u.usage_type),
                cell(u.resource.as_deref().unwrap_or("—")),
                format_usd(u.usd),
                cell(&u.likely_cause)
            );
        }
        out.push('\n');
    }
    let t = &r.thresholds;
    let _ = writeln!(
        out,
        "Verdicts: **under-provisioned** on any eviction where evicting loses data (or evictions in more than 5 % of the hours), throttled commands, swap p95 above {} MB, network bandwidth allowance exceeded, memory p95 above the headroom or engine CPU p95 at {} % or more; otherwise **idle** below {} request/s on average with at most {} connections (p95); otherwise **over-provisioned** with engine CPU p95 below {} % and memory p95 below {} % of usable memory; otherwise **right-sized**. Reconciliation flags a difference above the larger of {} and {} % of the modelled amount.\n",
        num(t.swap_mb, 0),
        num(t.cpu_pct, 0),
        num(t.idle_requests_per_sec, 0),
        num(t.idle_connections, 0),
        num(t.over_cpu_pct, 0),
        num(t.over_memory_pct, 0),
        format_usd(t.reconcile_min_usd),
        t.reconcile_pct
    );
    for e in &r.envs {
        env_section(&mut out, e);
    }
    if !r.notes.is_empty() {
        out.push_str("## Notes\n\n");
        for n in &r.notes {
            let _ = writeln!(out, "- {n}");
        }
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn usage_row(out: &mut String, u: &UsageRow) {
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} |",
        u.title,
        num(u.avg, 3),
        num(u.p95, 3),
        num(u.peak, 3),
        u.provisioned.map_or_else(|| "—".to_string(), |p| num(p, 3)),
        u.p95_pct.map_or_else(|| "—".to_string(), |p| format!("{} %", num(p, 1)))
    );
}

fn lines(out: &mut String, title: &str, o: &crate::model::review::OptionMonth) {
    let _ = writeln!(out, "**{title}**: {} — {}\n", cell(&o.label), format_usd(o.usd));
    out.push_str("| item | quantity | unit | unit price | cost | basis | price source |\n");
    out.push_str("|---|--:|---|--:|--:|---|---|\n");
    for l in &o.lines {
        let _ = writeln!(
            out,
            "| {}{} | {} | {} | {} | {} | {} | {} |",
            cell(&l.item),
            if l.unverified.is_some() { " (unverified)" } else { "" },
            format_quantity(l.quantity, 3),
            l.unit,
            format_unit_usd(l.unit_usd),
            format_usd(l.usd),
            cell(&l.basis),
            cell(&l.price_source)
        );
    }
    out.push('\n');
}

fn env_section(out: &mut String, e: &EnvReview) {
    let _ = writeln!(out, "## {}: {}\n", e.env, e.verdict.id());
    for reason in &e.reasons {
        let _ = writeln!(out, "- {}", reason.text);
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "Modelled {} · billed {} · recommended {} · {}\n",
        format_usd(e.modelled_usd),
        usd(e.billed_usd),
        usd(e.recommended_usd),
        saving(e.saving_usd, e.verdict == Verdict::UnderProvisioned)
    );
    let c = &e.coverage;
    let _ = writeln!(
        out,
        "Metrics: {} · {} to {} · {} of {} days, {} of {} hours\n",
        cell(&c.origin),
        c.from,
        c.to,
        c.days,
        c.days_in_month,
        c.hours,
        c.hours_in_month
    );
    if !e.usage.is_empty() {
        out.push_str("| usage | avg | p95 | peak | provisioned | p95 used |\n|---|--:|--:|--:|--:|--:|\n");
        for u in &e.usage {
            usage_row(out, u);
        }
        out.push('\n');
    }
    let ev = &e.events;
    let events: Vec<String> = [
        ("evictions", ev.evictions),
        ("throttled commands", ev.throttled_cmds),
        ("bandwidth allowance exceeded", ev.bandwidth_allowance_exceeded),
    ]
    .into_iter()
    .filter_map(|(name, v)| v.map(|v| format!("{name} {}", num(v, 0))))
    .collect();
    if !events.is_empty() {
        let _ = writeln!(out, "Over the month: {}.\n", events.join(" · "));
    }
    lines(out, "Current", &e.current);
    if let Some(r) = &e.recommended {
        lines(out, "Recommended", r);
    }
    if !e.reconciliation.is_empty() {
        out.push_str("**Bill against the model**\n\n");
        out.push_str("| usage type | billed | modelled | difference | likely cause |\n|---|--:|--:|--:|---|\n");
        for row in &e.reconciliation {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {}{} | {} |",
                row.usage_type.id(),
                format_usd(row.billed_usd),
                format_usd(row.modelled_usd),
                signed(row.delta_usd),
                if row.flagged { " ⚠" } else { "" },
                cell(row.likely_cause.as_deref().unwrap_or(""))
            );
        }
        out.push('\n');
    }
    if let Some(ch) = &e.change {
        let (now_h, then_h) = (e.coverage.hours_in_month, ch.since.hours());
        // the part of the change the month's length makes (hourly lines scale with it)
        let calendar = (now_h != then_h && then_h > 0).then(|| {
            let part = ch.modelled_usd_before * (Decimal::from(now_h) - Decimal::from(then_h)) / Decimal::from(then_h);
            format!("; about {} of the change from {now_h} hours against {then_h}", signed(part))
        });
        let _ = writeln!(
            out,
            "**Since {}**: modelled {} ({}{}){}{}\n",
            ch.since,
            signed(ch.modelled_delta_usd),
            format_usd(ch.modelled_usd_before),
            calendar.unwrap_or_default(),
            ch.billed_delta_usd.map_or_else(String::new, |b| format!(", billed {}", signed(b))),
            ch.verdict_before.map_or_else(String::new, |v| format!(", verdict then {}", v.id()))
        );
        if !ch.usage.is_empty() {
            out.push_str("| usage | before | now | change |\n|---|--:|--:|--:|\n");
            for d in &ch.usage {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    d.metric,
                    num(d.before, 3),
                    num(d.after, 3),
                    num(d.delta, 3)
                );
            }
            out.push('\n');
        }
    }
    for n in &e.notes {
        let _ = writeln!(out, "- {n}");
    }
    if !e.notes.is_empty() {
        out.push('\n');
    }
    if !e.charts.is_empty() {
        out.push_str("**Charts**\n\n");
        for c in &e.charts {
            super::markdown::embed_chart(out, &c.title, &c.png, &c.svg);
        }
    }
}

/// CSV columns: one row per reviewed environment.
pub const CSV_HEADER: [&str; 16] = [
    "month",
    "env",
    "verdict",
    "modelled_usd",
    "billed_usd",
    "recommended_usd",
    "saving_usd",
    "change_usd",
    "current",
    "recommended",
    "days_covered",
    "cpu_pct_p95",
    "memory_pct_p95",
    "requests_per_sec_avg",
    "connections_p95",
    "reasons",
];

fn csv(r: &Review) -> Result<Vec<u8>, String> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER).map_err(|e| e.to_string())?;
    let opt = |v: Option<Decimal>| v.map_or_else(String::new, |d| d.normalize().to_string());
    let usage = |e: &EnvReview, metric: &str, f: fn(&UsageRow) -> Option<f64>| {
        e.usage.iter().find(|u| u.metric == metric).and_then(f).map_or_else(String::new, |v| v.to_string())
    };
    for e in &r.envs {
        w.write_record([
            r.month.to_string(),
            e.env.clone(),
            e.verdict.id().to_string(),
            e.modelled_usd.normalize().to_string(),
            opt(e.billed_usd),
            opt(e.recommended_usd),
            opt(e.saving_usd),
            opt(e.change.as_ref().map(|c| c.modelled_delta_usd)),
            e.current.label.clone(),
            e.recommended.as_ref().map_or_else(String::new, |o| o.label.clone()),
            e.coverage.days.to_string(),
            usage(e, "cpu_pct", |u| Some(u.p95)),
            usage(e, "memory_gib", |u| u.p95_pct),
            usage(e, "requests_per_sec", |u| Some(u.avg)),
            usage(e, "connections", |u| Some(u.p95)),
            e.reasons.iter().map(|x| x.text.as_str()).collect::<Vec<_>>().join("; "),
        ])
        .map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}
