//! The help overlay: every key, drawn from the keymap table.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use crate::tui::keymap::BINDINGS;
use crate::tui::theme::Theme;

/// The key list.
pub struct Help<'a> {
    /// Styles.
    pub theme: &'a Theme,
}

impl Widget for Help<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let width = area.width.saturating_sub(4).min(78);
        let columns = if width >= 76 { 2 } else { 1 };
        let rows = BINDINGS.len().div_ceil(columns);
        let height = (u16::try_from(rows).unwrap_or(u16::MAX) + 5).min(area.height.saturating_sub(2));
        let popup =
            Rect { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height };
        Clear.render(popup, buf);
        let cell = |b: &crate::tui::keymap::Binding| {
            vec![Span::styled(format!(" {:<12}", b.keys), self.theme.key), Span::raw(format!("{:<24}", b.help))]
        };
        let mut lines: Vec<Line> = (0..rows)
            .map(|r| {
                let mut spans = Vec::new();
                for c in 0..columns {
                    if let Some(b) = BINDINGS.get(c * rows + r) {
                        spans.extend(cell(b));
                    }
                }
                Line::from(spans)
            })
            .collect();
        // how option labels read (`valkey r6g.xlarge 1x2 1y-nu`)
        lines.push(Line::default());
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<12}", "labels"), self.theme.key),
            Span::raw("2x2c = 2 shards x 2 nodes each; c = cluster mode on; r = reads on replicas"),
        ]));
        lines.push(Line::from(vec![
            Span::raw(format!(" {:<12}", "")),
            Span::raw("od on-demand; 1y/3y-nu/pu/au = no/partial/all upfront"),
        ]));
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" keys ").title_bottom(" Esc or ? closes ").border_style(self.theme.active))
            .render(popup, buf);
    }
}

#[cfg(test)]
mod tests {
    use crate::tui::app::tests::{app, press};
    use crate::tui::keymap::BINDINGS;
    use crate::tui::view::testing::draw;
    use crossterm::event::KeyCode;

    #[rstest::rstest]
    #[case::narrow(80, 24)]
    #[case::wide(120, 40)]
    fn help_overlay(#[case] w: u16, #[case] h: u16) {
        let mut a = app();
        press(&mut a, KeyCode::Char('?'));
        let screen = draw(&a, w, h).to_string();
        for b in BINDINGS {
            assert!(screen.contains(b.help), "help lists '{}' at {w}x{h}", b.help);
        }
        assert!(screen.contains("2 shards x 2 nodes"), "help explains option labels at {w}x{h}");
        insta::assert_snapshot!(format!("help_{w}x{h}"), draw(&a, w, h));
    }
}
