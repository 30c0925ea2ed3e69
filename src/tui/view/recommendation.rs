//! The recommendation: the chosen option, its settings, why, break-even and risks.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::short_label;
use crate::model::units::{format_quantity, format_usd};
use crate::report::EnvReport;
use crate::tui::app::{App, EnvView, ScrollLimits};
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
fn lines(theme: &Theme, report: &EnvReport) -> Vec<Line<'static>> {
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
            if let Some(c) = &report.current {
                let delta = c.monthly_usd - o.monthly_usd;
                let word = if delta.is_sign_negative() { "costs" } else { "saves" };
                lines.push(Line::from(format!(
                    "current {} {}/month: the recommendation {word} {}/month",
                    short_label(c),
                    format_usd(c.monthly_usd),
                    format_usd(delta.abs())
                )));
            }
            lines.push(Line::from(""));
            for why in r.rationale.iter().chain(r.savings_plan.as_ref().map(|p| &p.summary)) {
                lines.push(Line::from(format!("• {why}")));
            }
        }
    }
    if let Some(s) = &r.settings {
        lines.push(Line::from(""));
        lines.push(heading("Settings", theme.active));
        let mut kv = |k: &str, v: String| {
            lines.push(Line::from(vec![Span::styled(format!("  {k:<22} "), theme.dim), Span::raw(v)]));
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
    if let Some(b) = &r.break_even {
        lines.push(Line::from(""));
        lines.push(heading("Break-even", theme.active));
        for n in &b.notes {
            lines.push(Line::from(format!("• {n}")));
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
            lines.push(Line::from(Span::styled(format!("• {}", risk.message), style)));
        }
    }
    lines
}

/// The screen's text without styles or wrapping (tests).
#[cfg(test)]
pub fn recommendation_text(report: &EnvReport) -> String {
    lines(&Theme::plain(), report).iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

impl Widget for RecommendationView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = &self.app.theme;
        let report = match &self.env.report {
            Ok(r) => r,
            Err(e) => {
                Paragraph::new(format!("cannot evaluate: {e}")).style(theme.bad).render(area, buf);
                return;
            }
        };
        let block = Block::bordered()
            .title(format!(" {} · recommendation (↑↓ scroll) ", report.env))
            .border_style(theme.border);
        let inner = block.inner(area);
        let text = Paragraph::new(lines(theme, report)).wrap(Wrap { trim: false });
        let max =
            u16::try_from(text.line_count(inner.width).saturating_sub(usize::from(inner.height))).unwrap_or(u16::MAX);
        self.app.scroll_limits.set(ScrollLimits { recommendation: max, ..self.app.scroll_limits.get() });
        text.scroll((self.env.scroll.min(max), 0)).block(block).render(area, buf);
    }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

#[cfg(test)]
mod tests {
    use crate::tui::app::tests::{app, press};
    use crate::tui::view::testing::draw;
    use crossterm::event::KeyCode;

    #[rstest::rstest]
    #[case::narrow(80, 24)]
    #[case::wide(120, 40)]
    fn recommendation_screen(#[case] w: u16, #[case] h: u16) {
        let mut a = app();
        a.tab = 3;
        press(&mut a, KeyCode::Char('2'));
        let screen = draw(&a, w, h).to_string();
        assert!(screen.contains("node/valkey/cache.r6g.xlarge"), "{screen}");
        insta::assert_snapshot!(format!("recommendation_{w}x{h}"), draw(&a, w, h));
    }
}
