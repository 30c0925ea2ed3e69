//! The option table: every option sorted by monthly cost, fit, and headroom bars.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, StatefulWidget, Table, TableState, Widget};

use super::{bar, fit_style, short_label};
use crate::model::units::format_usd;
use crate::tui::app::{App, EnvView};

/// The Options screen of one environment.
pub struct OptionsView<'a> {
    /// The app.
    pub app: &'a App,
    /// The environment.
    pub env: &'a EnvView,
}

impl Widget for OptionsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = &self.app.theme;
        let report = match &self.env.report {
            Ok(r) => r,
            Err(e) => {
                Paragraph::new(format!("cannot evaluate {}: {e}", self.env.base.name))
                    .style(theme.bad)
                    .render(area, buf);
                return;
            }
        };
        let wide = area.width >= 110;
        let full_ids = area.width >= 160;
        let bar_w: u16 = if wide { 6 } else { 4 };
        let headroom = report.policy.headroom;
        let recommended = report.recommendation.option_id.as_deref();
        let title = match report.recommended() {
            Some(r) => format!(
                " {} · {} options · ★ {} {}/mo ",
                report.env,
                report.options.len(),
                short_label(r),
                format_usd(r.monthly_usd)
            ),
            None => format!(" {} · {} options · nothing fits ", report.env, report.options.len()),
        };
        let mut header = vec!["", "#", "option", "monthly", "fit", "mem", "cpu", "net", "conn"];
        if wide {
            header.push("why not / note");
        }
        let visible = self.env.visible(self.app.feasible_only);
        let shown = if self.app.feasible_only { "fitting only (f: all)" } else { "all (f: fitting only)" };
        // build only the rows in view (564 options, one screen): the window ratatui would scroll
        // to, with the selected row last when it is below the first screen
        let height = usize::from(area.height.saturating_sub(3)).max(1);
        let first = self.env.selected.saturating_sub(height - 1);
        let rows: Vec<Row> = visible
            .iter()
            .skip(first)
            .take(height)
            .map(|&(i, o)| {
                let star = if Some(o.id.as_str()) == recommended { "★" } else { "" };
                let fit = if o.feasible {
                    "✓".to_string()
                } else {
                    format!("✗ {}", o.exclusions.first().map_or("", |e| e.constraint.as_str()))
                };
                let u = &o.utilization;
                let mut cells = vec![
                    Cell::from(Span::styled(star, theme.star)),
                    Cell::from(format!("{}", i + 1)),
                    Cell::from(if full_ids { o.id.clone() } else { short_label(o) }),
                    Cell::from(Line::from(format_usd(o.monthly_usd)).right_aligned()),
                    Cell::from(Span::styled(fit, fit_style(o.feasible, theme))),
                    Cell::from(bar(u.memory, headroom, bar_w, theme)),
                    Cell::from(bar(u.cpu, headroom, bar_w, theme)),
                    Cell::from(bar(u.network, headroom, bar_w, theme)),
                    Cell::from(bar(u.connections, headroom, bar_w, theme)),
                ];
                if wide {
                    let why = o.excluded_reasons.first().or(o.notes.first()).cloned().unwrap_or_default();
                    cells.push(Cell::from(Span::styled(why, theme.dim)));
                }
                Row::new(cells)
            })
            .collect();
        let mut widths = vec![
            Constraint::Length(1),
            Constraint::Length(3),
            Constraint::Length(if full_ids { 52 } else { 34 }),
            Constraint::Length(11),
            Constraint::Length(if wide { 15 } else { 10 }),
            Constraint::Length(bar_w),
            Constraint::Length(bar_w),
            Constraint::Length(bar_w),
            Constraint::Length(bar_w),
        ];
        if wide {
            widths.push(Constraint::Fill(2));
        }
        let table = Table::new(rows, widths)
            .header(Row::new(header).style(theme.dim.add_modifier(Modifier::BOLD)))
            .row_highlight_style(theme.selected)
            .column_spacing(1)
            .block({
                let block = Block::bordered().title(title.clone()).border_style(theme.border);
                // the filter state only where it does not cover the title
                if area.width as usize > title.chars().count() + shown.len() + 6 {
                    block.title(Line::from(format!(" {shown} ")).right_aligned())
                } else {
                    block
                }
            });
        let mut state = TableState::default().with_selected(Some(self.env.selected - first));
        StatefulWidget::render(table, area, buf, &mut state);
    }
}

#[cfg(test)]
mod tests {
    use crate::tui::app::tests::{app, press};
    use crate::tui::view::testing::draw;
    use crossterm::event::KeyCode;

    #[rstest::rstest]
    #[case::narrow(80, 24)]
    #[case::wide(120, 40)]
    fn options_screen(#[case] w: u16, #[case] h: u16) {
        let mut a = app();
        a.tab = 3;
        let screen = draw(&a, w, h).to_string();
        assert!(screen.contains("★"), "the recommended option is marked");
        insta::assert_snapshot!(format!("options_{w}x{h}"), draw(&a, w, h));
        // a what-if step shows its delta in the screen bar
        press(&mut a, KeyCode::Char('d'));
        let screen = draw(&a, w, h).to_string();
        assert!(screen.contains("what-if $") && screen.contains("vs plan"), "{screen}");
    }
}
