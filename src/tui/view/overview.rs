//! The "All" tab: every environment's current and recommended monthly cost, and the totals.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, Widget, Wrap};
use rust_decimal::Decimal;

use super::{short_label, signed_usd};
use crate::model::units::format_usd;
use crate::tui::app::App;

/// The overview.
pub struct Overview<'a> {
    /// The app.
    pub app: &'a App,
}

impl Widget for Overview<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = &self.app.theme;
        let wide = area.width >= 110;
        let mut rows = Vec::new();
        let reports = || self.app.envs.iter().filter_map(|e| e.report.as_ref().ok());
        let totals = crate::report::totals(reports());
        // the change summed over the environments that have both figures
        let mut delta_total = Decimal::ZERO;
        // the recommended column is as wide as its longest label
        let mut label_width: u16 = 20;
        for env in &self.app.envs {
            let mark = if env.whatif.is_active() { "*" } else { "" };
            let Ok(r) = &env.report else {
                rows.push(Row::new(vec![
                    Cell::from(format!("{}{mark}", env.base.name)),
                    Cell::from(Span::styled("error", theme.bad)),
                ]));
                continue;
            };
            let current = r.current.as_ref().map(|c| c.monthly_usd);
            let rec = r.recommended();
            let delta = match (current, rec) {
                (Some(c), Some(o)) => {
                    delta_total += o.monthly_usd - c;
                    signed_usd(o.monthly_usd - c)
                }
                _ => "—".into(),
            };
            let mut cells = vec![
                Cell::from(format!("{}{mark}", env.base.name)),
                Cell::from(r.region.clone()),
                Cell::from(Line::from(current.map_or_else(|| "—".into(), format_usd)).right_aligned()),
                Cell::from(rec.map_or_else(
                    || Span::styled("nothing fits", theme.bad),
                    |o| {
                        let label = if area.width >= 160 { o.id.clone() } else { short_label(o) };
                        label_width = label_width.max(u16::try_from(label.chars().count()).unwrap_or(u16::MAX));
                        Span::raw(label)
                    },
                )),
                Cell::from(Line::from(rec.map_or_else(String::new, |o| format_usd(o.monthly_usd))).right_aligned()),
                Cell::from(Line::from(delta).right_aligned()),
            ];
            if wide {
                let up =
                    rec.and_then(|o| o.upfront_usd).filter(|u| !u.is_zero()).map_or_else(|| "—".into(), format_usd);
                cells.push(Cell::from(Line::from(up).right_aligned()));
                let over = r
                    .recommendation
                    .over_budget_usd
                    .map_or_else(String::new, |o| format!("over budget by {}", format_usd(o)));
                cells.push(Cell::from(Span::styled(over, theme.bad)));
            }
            rows.push(Row::new(cells));
        }
        let mut total = vec![
            Cell::from(Span::styled("total", theme.active)),
            Cell::from(""),
            Cell::from(Line::from(Span::styled(format_usd(totals.current_monthly_usd), theme.active)).right_aligned()),
            Cell::from(""),
            Cell::from(
                Line::from(Span::styled(format_usd(totals.recommended_monthly_usd), theme.active)).right_aligned(),
            ),
            Cell::from(Line::from(signed_usd(delta_total)).right_aligned()),
        ];
        if wide {
            let known = format_usd(totals.recommended_upfront_usd);
            let up = if totals.recommended_upfront_unknown > 0 { format!("{known} + ?") } else { known };
            total.push(Cell::from(Line::from(up).right_aligned()));
            total.push(Cell::from(""));
        }
        rows.push(Row::new(total));
        let mut header = vec!["env", "region", "current", "recommended", "monthly", "vs current"];
        let mut widths = vec![
            Constraint::Length(9),
            Constraint::Length(14),
            Constraint::Length(10),
            Constraint::Min(label_width),
            Constraint::Length(10),
            Constraint::Length(10),
        ];
        if wide {
            header.extend(["upfront", ""]);
            widths.extend([Constraint::Length(11), Constraint::Fill(1)]);
        }
        let height = u16::try_from(rows.len()).unwrap_or(u16::MAX) + 3;
        let [table_area, notes] = Layout::vertical([Constraint::Length(height), Constraint::Min(0)]).areas(area);
        Table::new(rows, widths)
            .header(Row::new(header).style(theme.dim.add_modifier(Modifier::BOLD)))
            .column_spacing(1)
            .block(Block::bordered().title(" all environments · monthly ").border_style(theme.border))
            .render(table_area, buf);
        let mut lines = vec![Line::from(Span::styled(
            "Recommended options follow each environment's commit policy; reservations amortize their upfront fee.",
            theme.dim,
        ))];
        if totals.envs_with_current < reports().count() {
            lines.push(Line::from(Span::styled(
                "— no `current` in the plan for that environment: its current cost is not in the total.",
                theme.dim,
            )));
        }
        if self.app.envs.iter().any(|e| e.whatif.is_active()) {
            lines.push(Line::from(Span::styled(
                "* what-if active in that environment (0 on its tab resets)",
                theme.warn,
            )));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(vec![
            Span::styled("→ ", theme.key),
            Span::raw("pick an environment tab for its options, recommendation and metrics; "),
            Span::styled("?", theme.key),
            Span::raw(" lists every key."),
        ]));
        Paragraph::new(lines).wrap(Wrap { trim: true }).render(notes, buf);
    }
}

#[cfg(test)]
mod tests {
    use crate::tui::app::tests::app;
    use crate::tui::view::testing::draw;

    #[rstest::rstest]
    #[case::narrow(80, 24)]
    #[case::wide(120, 40)]
    fn overview_screen(#[case] w: u16, #[case] h: u16) {
        let a = app();
        let screen = draw(&a, w, h).to_string();
        assert!(screen.contains("total") && screen.contains("staging"), "{screen}");
        insta::assert_snapshot!(format!("overview_{w}x{h}"), draw(&a, w, h));
    }

    #[test]
    fn a_wide_screen_shows_each_recommended_label_whole() {
        let a = app();
        let screen = draw(&a, 120, 40).to_string();
        for env in &a.envs {
            let label = crate::tui::view::short_label(env.report.as_ref().unwrap().recommended().unwrap());
            assert!(screen.contains(&label), "'{label}' is cut short:\n{screen}");
        }
    }
}
