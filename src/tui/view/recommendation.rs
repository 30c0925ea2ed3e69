//! The recommendation: the chosen option, what it costs against today, why, its settings,
//! capacity, break-even, risks, and what could not be evaluated (the report's notes).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::short_label;
use super::text::months_one_decimal;
use crate::model::capacity::fmt_f64;
use crate::model::units::{format_quantity, format_usd};
use crate::report::EnvReport;
use crate::tui::app::{App, EnvView, ViewInfo};
use crate::tui::theme::Theme;

/// The Recommendation screen of one environment.
pub struct RecommendationView<'a> {
    /// The app.
    pub app: &'a App,
    /// The environment.
    pub env: &'a EnvView,
}

fn heading(text: &str, style: Style) -> Line<'_> {
    Line::from(Span::styled(text, style))
}

/// The screen's lines (before wrapping).
pub fn recommendation_lines(theme: &Theme, report: &EnvReport) -> Vec<Line<'static>> {
    let r = &report.recommendation;
    let mut lines: Vec<Line> = Vec::new();
    match report.recommended() {
        None => {
            lines.push(Line::from(Span::styled("Nothing fits this workload.", theme.bad)));
            if let Some(n) = &r.nothing_fits {
                for h in n.lines() {
                    lines.push(Line::from(format!("• {h}")));
                }
            }
        }
        Some(o) => {
            lines.push(Line::from(vec![
                Span::styled("★ ", theme.star),
                Span::styled(format!("{}  {}/month", o.id, format_usd(o.monthly_usd)), theme.active),
            ]));
            if let Some(over) = r.over_budget_usd {
                lines.push(Line::from(Span::styled(format!("over budget by {}/month", format_usd(over)), theme.bad)));
            }
            match &report.current {
                Some(c) => {
                    let delta = o.monthly_usd - c.monthly_usd;
                    lines.push(Line::from(vec![
                        Span::raw(format!(
                            "today {} at {}/month: the recommendation ",
                            short_label(c),
                            format_usd(c.monthly_usd)
                        )),
                        Span::styled(
                            format!("{} a month", super::change_words(delta)),
                            super::delta_style(delta, theme),
                        ),
                    ]));
                }
                None => lines.push(Line::from(Span::styled(
                    "no `current` in the plan: nothing to compare the cost with",
                    theme.dim,
                ))),
            }
            lines.push(Line::from(""));
            for why in r.rationale.iter().chain(r.savings_plan.as_ref().map(|p| &p.summary)) {
                lines.push(Line::from(format!("• {}", months_one_decimal(why))));
            }
        }
    }
    if let Some(s) = &r.settings {
        lines.push(Line::from(""));
        lines.push(heading("Settings", theme.active));
        let mut kv = |k: &str, v: String| {
            lines.push(Line::from(vec![Span::styled(format!("  {k:<23} "), theme.dim), Span::raw(v)]));
        };
        kv("engine", s.engine.label().to_string());
        if s.clusters.is_empty() {
            if let Some(n) = &s.node_type {
                kv("node type", n.clone());
                kv(
                    "shards × replicas",
                    format!(
                        "{} × {} (cluster mode {})",
                        s.shards.unwrap_or(1),
                        s.replicas.unwrap_or(0),
                        if s.cluster_mode == Some(true) { "on" } else { "off" }
                    ),
                );
            }
            kv("Multi-AZ / failover", format!("{} / {}", yes(s.multi_az), yes(s.automatic_failover)));
        }
        for c in &s.clusters {
            kv(
                &format!("{} cluster", c.role),
                format!(
                    "{} × {} shard(s) × (1+{}), maintenance {}, {}/mo",
                    c.node_type,
                    c.shards,
                    c.replicas,
                    c.maintenance_window,
                    format_usd(c.monthly_usd)
                ),
            );
        }
        match &s.maxmemory_policy {
            Some(policy) => kv("maxmemory-policy", format!("{policy} ({})", s.maxmemory_policy_why)),
            None => kv("eviction", s.maxmemory_policy_why.clone()),
        }
        for p in s.parameters.iter().filter(|p| p.name != "maxmemory-policy") {
            kv(&p.name, format!("{} ({})", p.value, p.why));
        }
        if let Some(l) = &s.usage_limits {
            kv("usage limits", format!("max {} GB, max {} ECPU/s", l.max_data_gb, l.max_ecpu_per_sec));
        }
        if let Some(u) = &s.upstash {
            kv("eviction switch", format!("{} ({})", if u.eviction { "on" } else { "off" }, u.eviction_why));
            kv(
                "Prod Pack",
                if u.prod_pack { "yes (multi-zone HA)".to_string() } else { "no (single zone)".to_string() },
            );
        }
        for r in &s.client_requirements {
            kv("client", r.clone());
        }
        kv(
            "snapshots",
            if s.snapshot_retention_days == 0 {
                "off".into()
            } else {
                format!(
                    "{} days, window {} UTC, {}/mo",
                    s.snapshot_retention_days,
                    s.snapshot_window.as_deref().unwrap_or("—"),
                    format_usd(s.backup_monthly_usd)
                )
            },
        );
        if let Some(m) = &s.maintenance_window {
            kv("maintenance window", format!("{m} UTC"));
        }
        kv("windows from", s.windows_basis.clone());
        if !s.alarms.is_empty() {
            lines.push(heading("Alarms", theme.active));
            for a in &s.alarms {
                lines.push(Line::from(format!(
                    "  {} {} {} ({}, {})",
                    a.metric,
                    a.comparison,
                    format_quantity(a.threshold, 1),
                    a.severity,
                    a.statistic
                )));
            }
        }
    }
    if !report.capacity_lines.is_empty() {
        lines.push(Line::from(""));
        lines.push(heading("Capacity (the lines on the metric charts)", theme.active));
        for c in &report.capacity_lines {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<22} ", c.metric), theme.dim),
                Span::raw(format!("{} {} ({})", fmt_f64(c.value), c.unit, c.label)),
            ]));
        }
    }
    if let Some(b) = &r.break_even {
        lines.push(Line::from(""));
        lines.push(heading("Break-even", theme.active));
        for n in &b.notes {
            lines.push(Line::from(format!("• {}", months_one_decimal(n))));
        }
        if let Some(s) = &b.serverless_vs_node {
            for l in &s.summary {
                lines.push(Line::from(format!("• {l}")));
            }
        }
        for rb in &b.reserved {
            lines.push(Line::from(format!(
                "• {}: pays off after {} of {} months, saves {}/mo",
                rb.term,
                format_quantity(rb.months, 1),
                rb.term_months,
                format_usd(rb.monthly_saving_usd)
            )));
        }
    }
    if !r.risks.is_empty() {
        lines.push(Line::from(""));
        lines.push(heading("Risks", theme.active));
        for risk in &r.risks {
            let style = if risk.months_to_limit.is_some_and(|m| m < f64::from(report.policy.horizon_months)) {
                theme.warn
            } else {
                theme.base
            };
            lines.push(Line::from(Span::styled(format!("• {}", months_one_decimal(&risk.message)), style)));
        }
    }
    if !report.notes.is_empty() {
        lines.push(Line::from(""));
        lines.push(heading("Not evaluated", theme.warn));
        for n in &report.notes {
            lines.push(Line::from(Span::styled(format!("• {n}"), theme.warn)));
        }
    }
    lines
}

/// The screen's text without styles or wrapping (tests).
#[cfg(test)]
pub fn recommendation_text(report: &EnvReport) -> String {
    recommendation_lines(&Theme::plain(), report).iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

impl Widget for RecommendationView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = &self.app.theme;
        let Some(report) = self.env.report() else { return };
        let block = Block::bordered().title(format!(" {} · recommendation ", report.env)).border_style(theme.border);
        let inner = block.inner(area);
        let text = Paragraph::new(recommendation_lines(theme, report)).wrap(Wrap { trim: false });
        let max =
            u16::try_from(text.line_count(inner.width).saturating_sub(usize::from(inner.height))).unwrap_or(u16::MAX);
        self.app.view_info.set(ViewInfo {
            recommendation: (max, inner.height),
            text_width: inner.width,
            ..self.app.view_info.get()
        });
        let scroll = self.env.scroll.min(max);
        let block = if max > 0 {
            block.title(Line::from(format!(" ↑↓ scroll · line {} of {} ", scroll + 1, max + 1)).right_aligned())
        } else {
            block
        };
        text.scroll((scroll, 0)).block(block).render(area, buf);
    }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

#[cfg(test)]
mod tests {
    use super::recommendation_text;
    use crate::tui::app::tests::{app, open, org_app, press};
    use crate::tui::view::testing::{SIZES, draw};
    use crossterm::event::KeyCode;

    #[test]
    fn recommendation_screen() {
        let mut a = app();
        open(&mut a, 3);
        press(&mut a, KeyCode::Char('2'));
        for (w, h) in SIZES {
            let screen = draw(&a, w, h).to_string();
            assert!(screen.contains("node/valkey/cache.r6g.xlarge"), "{screen}");
            insta::assert_snapshot!(format!("recommendation_{w}x{h}"), draw(&a, w, h));
        }
        let text = recommendation_text(a.env().unwrap().report().unwrap());
        assert!(text.contains("more a month") || text.contains("saves"), "{text}");
        assert!(!text.contains("costs $") || text.contains(" more"), "a cost difference says 'more': {text}");
    }

    #[test]
    fn recommendation_of_an_organisation_environment() {
        let mut a = org_app(40);
        open(&mut a, 2);
        press(&mut a, KeyCode::Char('2'));
        for (w, h) in SIZES {
            insta::assert_snapshot!(format!("recommendation_org40_{w}x{h}"), draw(&a, w, h));
        }
    }
}
