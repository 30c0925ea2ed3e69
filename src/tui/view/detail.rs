//! The line items of the selected option, with unit prices and where they come from.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, Widget, Wrap};

use crate::model::units::{format_quantity, format_unit_usd, format_usd};
use crate::tui::app::{App, EnvView, ScrollLimits};

/// The line-items overlay.
pub struct Detail<'a> {
    /// The app.
    pub app: &'a App,
    /// The environment.
    pub env: &'a EnvView,
}

impl Widget for Detail<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = &self.app.theme;
        let Some(option) = self.env.selected_option(self.app.feasible_only) else { return };
        let popup = Rect {
            x: area.x + 2,
            y: area.y + 2,
            width: area.width.saturating_sub(4),
            height: area.height.saturating_sub(4),
        };
        Clear.render(popup, buf);
        let block = Block::bordered()
            .title(format!(" {} ", option.id))
            .title_bottom(" ↑↓ scroll · Esc close ")
            .border_style(theme.active);
        let inner = block.inner(popup);
        block.render(popup, buf);
        let wide = inner.width >= 140;
        let rows = u16::try_from(option.lines.len()).unwrap_or(u16::MAX);
        let table_height = if wide { rows + 2 } else { 0 };
        let [summary, table, notes] =
            Layout::vertical([Constraint::Length(2), Constraint::Length(table_height), Constraint::Min(0)])
                .areas(inner);

        let upfront = match option.upfront_usd {
            Some(u) if !u.is_zero() => format!(" · upfront {}", format_usd(u)),
            None => " · upfront unknown".into(),
            _ => String::new(),
        };
        let fit = if option.feasible {
            Span::styled("fits", theme.ok)
        } else {
            Span::styled(format!("excluded: {}", option.excluded_reasons.join("; ")), theme.bad)
        };
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(format!("{}/month", format_usd(option.monthly_usd)), theme.active),
                Span::raw(upfront),
            ]),
            Line::from(fit),
        ])
        .wrap(Wrap { trim: true })
        .render(summary, buf);

        let mut sources: Vec<String> = Vec::new();
        let mut source_of = |l: &crate::report::LineReport| {
            let key = format!("{} ({}, {})", l.price_source.source, l.price_source.kind.id(), l.price_source.date);
            sources.iter().position(|s| *s == key).unwrap_or_else(|| {
                sources.push(key);
                sources.len() - 1
            }) + 1
        };
        let mut lines: Vec<Line> = Vec::new();
        if wide {
            let mut line_rows: Vec<Row> = option
                .lines
                .iter()
                .map(|l| {
                    let n = source_of(l);
                    Row::new(vec![
                        Cell::from(l.item.clone()),
                        Cell::from(Line::from(format_quantity(l.quantity, 2)).right_aligned()),
                        Cell::from(l.unit.clone()),
                        Cell::from(Line::from(format_unit_usd(l.unit_usd)).right_aligned()),
                        Cell::from(Line::from(format_usd(l.monthly_usd)).right_aligned()),
                        Cell::from(format!("[{n}]")),
                    ])
                })
                .collect();
            line_rows.push(Row::new(vec![
                Cell::from(Span::styled("total", theme.active)),
                Cell::from(""),
                Cell::from(""),
                Cell::from(""),
                Cell::from(Line::from(Span::styled(format_usd(option.monthly_usd), theme.active)).right_aligned()),
                Cell::from(""),
            ]));
            Table::new(
                line_rows,
                [
                    Constraint::Fill(1),
                    Constraint::Length(10),
                    Constraint::Length(13),
                    Constraint::Length(13),
                    Constraint::Length(11),
                    Constraint::Length(4),
                ],
            )
            .header(
                Row::new(["item", "quantity", "unit", "unit price", "monthly", "src"])
                    .style(theme.dim.add_modifier(Modifier::BOLD)),
            )
            .column_spacing(1)
            .render(table, buf);
        } else {
            // narrow: the item on its own line, then quantity × unit price = monthly
            for l in &option.lines {
                let n = source_of(l);
                lines.push(Line::from(l.item.clone()));
                lines.push(Line::from(vec![
                    Span::styled(
                        format!(
                            "   {} {} × {} = ",
                            format_quantity(l.quantity, 2),
                            l.unit,
                            format_unit_usd(l.unit_usd)
                        ),
                        theme.dim,
                    ),
                    Span::raw(format_usd(l.monthly_usd)),
                    Span::styled(format!("  [{n}]"), theme.dim),
                ]));
            }
            lines.push(Line::from(Span::styled(
                format!("total {}/month", format_usd(option.monthly_usd)),
                theme.active,
            )));
        }
        lines.extend(
            sources.iter().enumerate().map(|(i, s)| Line::from(Span::styled(format!("[{}] {s}", i + 1), theme.dim))),
        );
        for l in &option.lines {
            if let Some(n) = &l.price_source.note {
                let text = format!("{}: {n}", format_unit_usd(l.unit_usd));
                if !lines.iter().any(|x| x.to_string().ends_with(&text)) {
                    lines.push(Line::from(Span::styled(format!("note {text}"), theme.dim)));
                }
            }
        }
        for n in &option.notes {
            lines.push(Line::from(Span::styled(format!("• {n}"), theme.warn)));
        }
        let text = Paragraph::new(lines).wrap(Wrap { trim: true });
        let max =
            u16::try_from(text.line_count(notes.width).saturating_sub(usize::from(notes.height))).unwrap_or(u16::MAX);
        self.app.scroll_limits.set(ScrollLimits { detail: max, ..self.app.scroll_limits.get() });
        text.scroll((self.app.detail_scroll.min(max), 0)).render(notes, buf);
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
    fn line_items_overlay(#[case] w: u16, #[case] h: u16) {
        let mut a = app();
        a.tab = 3;
        press(&mut a, KeyCode::Enter);
        let screen = draw(&a, w, h).to_string();
        assert!(screen.contains("node-hour") && screen.contains("total"), "{screen}");
        insta::assert_snapshot!(format!("lines_{w}x{h}"), draw(&a, w, h));
    }
}
